/* A program for the live server's end-to-end test: runs until the file argv[1] exists (at most a
 * minute; without an argument, one second) with a main loop that burns CPU in hot() and cold(), two
 * worker threads made from spawn() that contend on a mutex in locked() and sleep in nap(), and
 * prints a deterministic line per phase to stdout (the test compares it with a run without the
 * server). With argv[2] "fork" it first forks a child that counts the sockets and event descriptors
 * it inherited (none of the server's may be there) and exits through exit(), and waits for it with
 * waitpid(-1): only that child may be reported. */
#include <dirent.h>
#include <pthread.h>
#include <string.h>
#include <sys/wait.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static volatile unsigned long sink;
static volatile int done;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

__attribute__((noinline)) static void hot(void) {
    for (unsigned long i = 0; i < 2000000; i++)
        sink += i * i;
}

__attribute__((noinline)) static void cold(void) {
    for (unsigned long i = 0; i < 200000; i++)
        sink += i;
}

__attribute__((noinline)) static void locked(void) {
    pthread_mutex_lock(&lock);
    usleep(2000);
    pthread_mutex_unlock(&lock);
}

__attribute__((noinline)) static void nap(void) {
    usleep(5000);
}

static void *worker(void *arg) {
    (void)arg;
    while (!done) {
        locked();
        nap();
    }
    return NULL;
}

__attribute__((noinline)) static void spawn(pthread_t *t) {
    if (pthread_create(t, NULL, worker, NULL) != 0)
        exit(2);
}

/* Descriptors of this process that are sockets or anonymous inodes (eventfd, epoll). */
static int count_sockets(void) {
    int n = 0;
    DIR *d = opendir("/proc/self/fd");
    for (struct dirent *e; d && (e = readdir(d)) != NULL;) {
        char path[300], target[300];
        snprintf(path, sizeof path, "/proc/self/fd/%s", e->d_name);
        ssize_t len = readlink(path, target, sizeof target - 1);
        if (len <= 0)
            continue;
        target[len] = '\0';
        n += strncmp(target, "socket:", 7) == 0 || strncmp(target, "anon_inode:", 11) == 0;
    }
    if (d)
        closedir(d);
    return n;
}

__attribute__((noinline)) static void fork_child(void) {
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        printf("child: %d sockets\n", count_sockets());
        exit(0);
    }
    int status;
    pid_t got = waitpid(-1, &status, 0);
    printf("waited: %s, status %d\n", got == pid ? "the child" : "something else",
           WIFEXITED(status) ? WEXITSTATUS(status) : -1);
}

int main(int argc, char **argv) {
    const char *stop = argc > 1 ? argv[1] : NULL;
    double seconds = stop ? 60 : 1;
    pthread_t t[2];
    spawn(&t[0]);
    spawn(&t[1]);
    printf("started 2 workers\n");
    if (argc > 2 && strcmp(argv[2], "fork") == 0)
        fork_child();
    fflush(stdout);
    double end = now() + seconds;
    unsigned long rounds = 0;
    do {
        hot();
        cold();
        rounds++;
    } while (now() < end && !(stop && access(stop, F_OK) == 0));
    done = 1;
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    printf("done: %s\n", rounds > 0 ? "ran" : "never ran");
    return 3;
}
