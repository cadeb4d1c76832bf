/* --run: fork, exec the program with HEATMAP_OUTPUT set, wait (see run.h).
 *
 * The results go to a fresh mkdtemp directory so that concurrent runs never share a file and a
 * stale heatmap.json in the working directory is never shown by mistake. exec failures are
 * reported through a close-on-exec pipe, so "no such program" is an error of heatmap-view (exit 2)
 * rather than a status 127 of a program that never ran.
 */
#define _POSIX_C_SOURCE 200809L
#include "run.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int hm_run(char *const argv[], hm_run_result *run, char *err, size_t errlen) {
    memset(run, 0, sizeof *run);
    const char *tmp = getenv("TMPDIR");
    snprintf(run->dir, sizeof run->dir, "%s/heatmap-view.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(run->dir) == NULL) {
        snprintf(err, errlen, "--run: cannot create a temporary directory in %s: %s",
                 tmp && *tmp ? tmp : "/tmp", strerror(errno));
        run->dir[0] = '\0';
        return -1;
    }
    snprintf(run->output, sizeof run->output, "%s/heatmap.json", run->dir);

    int fds[2];
    if (pipe(fds) != 0 || fcntl(fds[1], F_SETFD, FD_CLOEXEC) != 0) {
        snprintf(err, errlen, "--run: pipe: %s", strerror(errno));
        return -1;
    }
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old_int, old_quit;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGINT, &ignore, &old_int);
    sigaction(SIGQUIT, &ignore, &old_quit);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
        sigaction(SIGINT, &old_int, NULL);
        sigaction(SIGQUIT, &old_quit, NULL);
        close(fds[0]);
        setenv("HEATMAP_OUTPUT", run->output, 1);
        execvp(argv[0], argv);
        int e = errno;
        ssize_t ignored = write(fds[1], &e, sizeof e);
        (void)ignored;
        _exit(127);
    }
    close(fds[1]);
    int rc = 0;
    if (pid < 0) {
        snprintf(err, errlen, "--run: fork: %s", strerror(errno));
        rc = -1;
    } else {
        int exec_errno = 0;
        ssize_t got;
        do
            got = read(fds[0], &exec_errno, sizeof exec_errno);
        while (got < 0 && errno == EINTR);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
            ;
        if (got == (ssize_t)sizeof exec_errno) {
            snprintf(err, errlen, "--run: cannot run '%s': %s", argv[0], strerror(exec_errno));
            rc = -1;
        } else if (WIFEXITED(status)) {
            run->exit_status = WEXITSTATUS(status);
        } else if (WIFSIGNALED(status)) {
            run->exit_status = 128 + WTERMSIG(status);
        }
    }
    close(fds[0]);
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGQUIT, &old_quit, NULL);
    return rc;
}

static bool ends_with(const char *s, const char *suffix) {
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static int cmp_paths(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void hm_run_free_list(char **paths, size_t n) {
    for (size_t i = 0; paths != NULL && i < n; i++)
        free(paths[i]);
    free(paths);
}

int hm_run_list(const hm_run_result *run, char ***paths_out, size_t *n_out) {
    char **paths = NULL;
    size_t n = 0, first = 0;
    *paths_out = NULL;
    *n_out = 0;
    DIR *d = opendir(run->dir);
    if (d == NULL)
        return 0; /* nothing there: the caller reports "wrote no results" */
    struct dirent *e;
    int rc = 0;
    while (rc == 0 && (e = readdir(d)) != NULL) {
        if (!ends_with(e->d_name, ".json") || ends_with(e->d_name, ".trace.json"))
            continue;
        char **bigger = realloc(paths, (n + 1) * sizeof *paths);
        size_t len = strlen(run->dir) + strlen(e->d_name) + 2;
        char *path = bigger ? malloc(len) : NULL;
        if (bigger)
            paths = bigger;
        if (path == NULL) {
            rc = -1;
            break;
        }
        snprintf(path, len, "%s/%s", run->dir, e->d_name);
        paths[n++] = path;
    }
    closedir(d);
    if (rc != 0) {
        hm_run_free_list(paths, n);
        return -1;
    }
    /* heatmap.json (the program itself) first, so merged metadata is the parent's. */
    for (size_t i = 0; i < n; i++)
        if (strcmp(paths[i], run->output) == 0) {
            char *own = paths[i];
            paths[i] = paths[0];
            paths[0] = own;
            first = 1;
        }
    if (n > first)
        qsort(paths + first, n - first, sizeof *paths, cmp_paths);
    *paths_out = paths;
    *n_out = n;
    return 0;
}

void hm_run_cleanup(hm_run_result *run) {
    if (run->dir[0] == '\0')
        return;
    /* The runtime writes PATH.tmp.PID and renames it; a crash can leave the temporary behind. */
    DIR *d = opendir(run->dir);
    if (d != NULL) {
        struct dirent *e;
        char path[600];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(path, sizeof path, "%s/%s", run->dir, e->d_name);
            unlink(path);
        }
        closedir(d);
    }
    rmdir(run->dir);
    run->dir[0] = '\0';
}
