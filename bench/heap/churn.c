/* bench/heap: many small malloc/free pairs on several threads, timed by the program itself.
 *
 * usage: churn THREADS PAIRS_PER_THREAD
 * Each thread calls churn() once: PAIRS small blocks (16..256 bytes) allocated and freed in a
 * window of 64 live blocks, so the allocator's thread cache serves them (the cheapest case for
 * the allocator, hence the largest relative cost of tracking). Prints the CPU nanoseconds per
 * malloc+free pair (each thread's CPU clock over its loop, averaged over the threads), then the
 * wall nanoseconds per pair (the longest thread's), which
 * bench/heap.sh compares across plain, heatmap (tracking off / on) and heaptrack. CPU time, not
 * wall time: on a shared machine the wall clock measures the neighbours, while contention on a
 * shared cache line (the cost that grows with threads) is CPU time of the threads that wait. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long pairs;
static void *volatile escape;

__attribute__((noinline)) void churn(void) {
    void *window[64] = {0};
    unsigned x = 12345;
    for (long i = 0; i < pairs; i++) {
        unsigned slot = (unsigned)i & 63;
        free(window[slot]);
        x = x * 1103515245u + 12345u;
        window[slot] = malloc(16 + ((x >> 16) & 240));
        escape = window[slot];
    }
    for (int i = 0; i < 64; i++)
        free(window[i]);
}

static double now_ns(clockid_t clock) {
    struct timespec ts;
    clock_gettime(clock, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *body(void *arg) {
    double c0 = now_ns(CLOCK_THREAD_CPUTIME_ID), w0 = now_ns(CLOCK_MONOTONIC);
    churn();
    ((double *)arg)[0] = now_ns(CLOCK_THREAD_CPUTIME_ID) - c0;
    ((double *)arg)[1] = now_ns(CLOCK_MONOTONIC) - w0;
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    pairs = argc > 2 ? atol(argv[2]) : 10000000;
    if (threads < 1 || threads > 64 || pairs < 1)
        return 2;
    pthread_t t[64];
    double ns[64][2], sum = 0, worst = 0;
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, body, ns[i]);
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        sum += ns[i][0];
        worst = ns[i][1] > worst ? ns[i][1] : worst;
    }
    printf("%.2f %.2f\n", sum / threads / (double)pairs, worst / (double)pairs);
    return 0;
}
