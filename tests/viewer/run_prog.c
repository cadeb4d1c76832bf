/* run_prog: the program tests/viewer/run_test.sh runs under `heatmap-view --run`.
 *
 * usage: run_prog MODE      MODE is "ok", "fail" (exit status 3), "signal" (dies by SIGTERM) or
 * "fork" (a child calls work() twice more and exits; the parent waits for it).
 * work() is called 5 times by the process itself in every mode, so the expected counts are known.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int sink;

__attribute__((noinline)) static int work(int n) { /* counted whatever the instrument point */
    int s = 0;
    for (int i = 0; i < n; i++)
        s += i % 7;
    sink = s;
    return s;
}

int main(int argc, char **argv) {
    const char *mode = argc > 1 ? argv[1] : "ok";
    for (int i = 0; i < 5; i++)
        work(1000 + i);
    if (strcmp(mode, "fork") == 0) {
        fflush(NULL);
        pid_t pid = fork();
        if (pid == 0) {
            work(10);
            work(20);
            exit(0); /* exit(), not _exit(): the child's runtime writes its own file */
        }
        int status = 0;
        waitpid(pid, &status, 0);
        return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
    }
    if (strcmp(mode, "signal") == 0)
        raise(SIGTERM);
    return strcmp(mode, "fail") == 0 ? 3 : 0;
}
