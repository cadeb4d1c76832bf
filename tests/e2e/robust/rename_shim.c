/* rename_shim: an LD_PRELOAD library for robust.sh's "atomic" mode. It wraps rename(2), link(2)
 * and renameat2(2) to log each call ("rename FROM TO", "link FROM TO", "renameat2 FROM TO", one
 * line, appended to $HM_SHIM_LOG) and, when $HM_SHIM_FAIL is set, to fail it with EXDEV without
 * renaming, so the test can see that the runtime writes PATH.tmp.PID and moves it into place (a
 * link when there was no file, an exchange when there was one), and that a failed move leaves an
 * earlier PATH alone.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int shim_log(const char *what, const char *from, const char *to) {
    const char *log = getenv("HM_SHIM_LOG");
    if (log) {
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            char line[8192];
            int n = snprintf(line, sizeof line, "%s %s %s\n", what, from, to);
            if (n > 0 && write(fd, line, (size_t)n) < 0)
                n = 0;
            close(fd);
        }
    }
    if (getenv("HM_SHIM_FAIL")) {
        errno = EXDEV;
        return -1;
    }
    return 0;
}

/* rename and link: log, then fail or call the next definition of `name`. */
static int shim_two_paths(const char *name, const char *from, const char *to) {
    if (shim_log(name, from, to) != 0)
        return -1;
    int (*real)(const char *, const char *) =
        (int (*)(const char *, const char *))dlsym(RTLD_NEXT, name);
    return real(from, to);
}

int rename(const char *from, const char *to) {
    return shim_two_paths("rename", from, to);
}

int link(const char *from, const char *to) {
    return shim_two_paths("link", from, to);
}

int renameat2(int fromfd, const char *from, int tofd, const char *to, unsigned flags) {
    if (shim_log("renameat2", from, to) != 0)
        return -1;
    int (*real)(int, const char *, int, const char *, unsigned) =
        (int (*)(int, const char *, int, const char *, unsigned))dlsym(RTLD_NEXT, "renameat2");
    return real(fromfd, from, tofd, to, flags);
}
