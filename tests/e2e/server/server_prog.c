/* A program for the live server's end-to-end test: runs until the file argv[1] exists (at most a
 * minute; without an argument, one second) with a main loop that burns CPU in hot() and cold(), two
 * worker threads made from spawn() that contend on a mutex in locked() and sleep in nap(), and
 * prints a deterministic line per phase to stdout (the test compares it with a run without the
 * server). */
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
    const char *stop = argc > 1 ? argv[1] : NULL;
    double seconds = stop ? 60 : 1;
    pthread_t t[2];
    spawn(&t[0]);
    spawn(&t[1]);
    printf("started 2 workers\n");
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
