/* threads: N threads doing the same work, to see per-thread data merged and Parallelism ~N.
 *
 * usage: threads [THREADS] [ITERATIONS]      (defaults: 4 200000)
 *
 * Each thread runs worker() once, which calls crunch() ITERATIONS times and report() every 50000
 * iterations; so worker is called THREADS times, crunch THREADS*ITERATIONS times and report
 * THREADS*(ITERATIONS/50000) times. main is excluded in heatmap.yaml.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

#define MAX_THREADS 64

static unsigned long results[MAX_THREADS];

static unsigned long crunch(unsigned long x) {
    for (int i = 0; i < 50; i++)
        x = x * 6364136223846793005ul + 1442695040888963407ul;
    return x;
}

static void report(int id, long done) {
    if (getenv("THREADS_VERBOSE"))
        fprintf(stderr, "thread %d: %ld done\n", id, done);
}

static long iterations;

static void *worker(void *arg) {
    int id = (int)(long)arg;
    unsigned long x = (unsigned long)id;
    for (long i = 1; i <= iterations; i++) {
        x = crunch(x);
        if (i % 50000 == 0)
            report(id, i);
    }
    results[id] = x;
    return NULL;
}

int main(int argc, char **argv) {
    long nthreads = argc > 1 ? strtol(argv[1], NULL, 10) : 4;
    iterations = argc > 2 ? strtol(argv[2], NULL, 10) : 200000;
    if (nthreads < 1 || nthreads > MAX_THREADS || iterations < 0) {
        fprintf(stderr, "usage: threads [THREADS 1..%d] [ITERATIONS >= 0]\n", MAX_THREADS);
        return 2;
    }
    pthread_t th[MAX_THREADS];
    for (long i = 0; i < nthreads; i++)
        if (pthread_create(&th[i], NULL, worker, (void *)i) != 0) {
            fprintf(stderr, "threads: cannot create thread %ld\n", i);
            return 1;
        }
    unsigned long combined = 0;
    for (long i = 0; i < nthreads; i++) {
        pthread_join(th[i], NULL);
        combined ^= results[i];
    }
    printf("threads=%ld iterations=%ld combined=%lx\n", nthreads, iterations, combined);
    return 0;
}
