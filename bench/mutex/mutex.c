/* Cost of the runtime's pthread_mutex_lock wrapper on an uncontended lock (bench/mutex.sh).
 *
 * Locks and unlocks one mutex N times on one thread, from inside an instrumented-looking program
 * or not: the wrapper's uncontended path is one pthread_mutex_trylock, so the difference between
 * this program linked with and without the runtime is the wrapper's cost per lock/unlock pair.
 * Prints the loop's ns per pair.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
volatile unsigned long sink;

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 20000000;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (long i = 0; i < n; i++) {
        pthread_mutex_lock(&lock);
        sink++;
        pthread_mutex_unlock(&lock);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ns = (double)(b.tv_sec - a.tv_sec) * 1e9 + (double)(b.tv_nsec - a.tv_nsec);
    printf("%.2f\n", ns / (double)n);
    return 0;
}
