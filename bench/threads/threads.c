/* Thread-per-request workload for bench/threads.sh: short-lived threads, each calling four small
 * instrumented functions (f1 calls f2 calls f3 calls f4, each adding to a counter).
 *
 *   threads seq N    start and join N threads one after the other
 *   threads live N   start N threads that stay alive together (a barrier), then join them
 *
 * Prints the calls it made itself, so that the results can be checked against them.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static volatile unsigned long counter;
static pthread_barrier_t barrier;
static int live;

__attribute__((noinline)) void f4(void) {
    counter++;
}
__attribute__((noinline)) void f3(void) {
    counter++;
    f4();
}
__attribute__((noinline)) void f2(void) {
    counter++;
    f3();
}
__attribute__((noinline)) void f1(void) {
    counter++;
    f2();
}

static void *request(void *arg) {
    (void)arg;
    f1();
    if (live)
        pthread_barrier_wait(&barrier);
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3)
        return 2;
    long n = atol(argv[2]);
    live = strcmp(argv[1], "live") == 0;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 64 * 1024);
    if (live) {
        pthread_t *t = calloc((size_t)n, sizeof *t);
        pthread_barrier_init(&barrier, NULL, (unsigned)n + 1);
        for (long i = 0; i < n; i++)
            if (pthread_create(&t[i], &attr, request, NULL) != 0) {
                perror("pthread_create");
                return 1;
            }
        pthread_barrier_wait(&barrier);
        for (long i = 0; i < n; i++)
            pthread_join(t[i], NULL);
        free(t);
    } else {
        for (long i = 0; i < n; i++) {
            pthread_t t;
            if (pthread_create(&t, &attr, request, NULL) != 0) {
                perror("pthread_create");
                return 1;
            }
            pthread_join(t, NULL);
        }
    }
    printf("calls f1=%ld f2=%ld f3=%ld f4=%ld\n", n, n, n, n);
    return 0;
}
