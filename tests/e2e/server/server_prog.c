/* A program for the live server's end-to-end test: runs for RUN_SECONDS (argv[1], default 4)
 * with a main loop that burns CPU in hot() and cold(), two worker threads made from spawn() that
 * contend on a mutex in locked() and sleep in nap(), and prints a deterministic line per phase
 * to stdout (the test compares it with a run without the server). */
#include <pthread.h>
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

int main(int argc, char **argv) {
    double seconds = argc > 1 ? atof(argv[1]) : 4;
    pthread_t t[2];
    spawn(&t[0]);
    spawn(&t[1]);
    printf("started 2 workers\n");
    fflush(stdout);
    double end = now() + seconds;
    unsigned long rounds = 0;
    while (now() < end) {
        hot();
        cold();
        rounds++;
    }
    done = 1;
    pthread_join(t[0], NULL);
    pthread_join(t[1], NULL);
    printf("done: %s\n", rounds > 0 ? "ran" : "never ran");
    return 3;
}
