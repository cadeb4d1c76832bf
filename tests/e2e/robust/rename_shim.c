/* rename_shim: an LD_PRELOAD library for robust.sh's "atomic" mode. It wraps rename(2) to log
 * each call ("rename FROM TO", one line, appended to $HM_SHIM_LOG) and, when $HM_SHIM_FAIL is
 * set, to fail it with EXDEV without renaming, so the test can see that the runtime writes
 * PATH.tmp.PID and renames it, and that a failed rename leaves an earlier PATH alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int rename(const char *from, const char *to) {
    const char *log = getenv("HM_SHIM_LOG");
    if (log) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            char line[8192];
            int n = snprintf(line, sizeof line, "rename %s %s\n", from, to);
            if (n > 0 && write(fd, line, (size_t)n) < 0)
                n = 0;
            close(fd);
        }
    }
    if (getenv("HM_SHIM_FAIL")) {
        errno = EXDEV;
        return -1;
    }
    int (*real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, "rename");
    return real(from, to);
}
