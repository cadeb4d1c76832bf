/* shapes: call structures whose call-path trees are known exactly, for the export tests.
 *
 * usage: shapes DEPTH THREADS
 *
 * driver() calls down(DEPTH) (direct recursion: one node, DEPTH+1 calls), even(DEPTH) (mutual
 * recursion even → odd → even ...: a new node per level, DEPTH+1 nodes in a chain) and leaf()
 * twice; then THREADS threads each run worker(), which calls leaf() once. main is excluded, so
 * driver and worker are outermost. Expected tree (DEPTH 4, THREADS 2):
 *     driver 1; driver;down 5; driver;even 1; driver;even;odd 1; ...;even 1 (5 levels);
 *     driver;leaf 2; worker 2; worker;leaf 2
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>

static volatile long sink;

static long leaf(long x) {
    for (int i = 0; i < 100; i++)
        sink += x * i;
    return sink;
}

static long down(int n) {
    long r = n > 0 ? down(n - 1) + 1 : 0;
    sink += r;
    return r;
}

static long odd(int n);

static long even(int n) {
    long r = n > 0 ? odd(n - 1) : 1;
    sink += r;
    return r;
}

static long odd(int n) {
    long r = n > 0 ? even(n - 1) : 0;
    sink += r;
    return r;
}

static void *worker(void *arg) {
    leaf((long)arg);
    return NULL;
}

static long driver(int depth) {
    long r = down(depth) + even(depth);
    r += leaf(1) + leaf(2);
    return r;
}

int main(int argc, char **argv) {
    int depth = argc > 1 ? atoi(argv[1]) : 4;
    int nthreads = argc > 2 ? atoi(argv[2]) : 2;
    if (depth < 0 || depth > 1000 || nthreads < 0 || nthreads > 64) {
        fprintf(stderr, "usage: shapes DEPTH(0..1000) THREADS(0..64)\n");
        return 2;
    }
    long r = driver(depth);
    pthread_t th[64];
    for (int i = 0; i < nthreads; i++)
        pthread_create(&th[i], NULL, worker, (void *)(long)i);
    for (int i = 0; i < nthreads; i++)
        pthread_join(th[i], NULL);
    printf("shapes: %ld\n", r);
    return 0;
}
