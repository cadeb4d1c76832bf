/* run_prog: the program tests/viewer/run_test.sh runs under `heatmap-view --run`.
 *
 * usage: run_prog MODE      MODE is "ok", "fail" (exit status 3), "signal" (dies by SIGTERM),
 * "fork" (a child calls work() twice more and exits; the parent waits for it), "ctrlc" (does what
 * a terminal's Ctrl-C does: SIGINT to its whole process group, heatmap-view included; dies by it)
 * or "ctrlc_handled" (the same with its own SIGINT handler: prints "handled SIGINT", exits 0).
 * work() is called 5 times by the process itself in every mode, so the expected counts are known.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile int sink;
static volatile sig_atomic_t got_sigint;

static void on_sigint(int sig) {
    (void)sig;
    got_sigint = 1;
}

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
    if (strncmp(mode, "ctrlc", 5) == 0) {
        if (strcmp(mode, "ctrlc_handled") == 0)
            signal(SIGINT, on_sigint);
        kill(0, SIGINT);
        for (int i = 0; i < 100 && !got_sigint; i++)
            usleep(10000); /* delivery to ourselves is immediate; this only bounds a bug */
        printf("%s SIGINT\n", got_sigint ? "handled" : "missed");
        return got_sigint ? 0 : 4;
    }
    return strcmp(mode, "fail") == 0 ? 3 : 0;
}
