/* bench/heap: many small malloc/free pairs on several threads, timed by the program itself.
 *
 * usage: churn THREADS PAIRS_PER_THREAD
 * Each thread calls churn() once: PAIRS small blocks (16..256 bytes) allocated and freed in a
 * window of 64 live blocks, so the allocator's thread cache serves them (the cheapest case for
 * the allocator, hence the largest relative cost of tracking). Prints the wall nanoseconds per
 * malloc+free pair (the threads' longest run divided by its pairs), which bench/heap.sh compares
 * across plain, heatmap (tracking off / on) and heaptrack. */
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

static double now_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void *body(void *arg) {
    double t0 = now_ns();
    churn();
    *(double *)arg = now_ns() - t0;
    return NULL;
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    pairs = argc > 2 ? atol(argv[2]) : 10000000;
    if (threads < 1 || threads > 64 || pairs < 1)
        return 2;
    pthread_t t[64];
    double ns[64], worst = 0;
    for (int i = 0; i < threads; i++)
        pthread_create(&t[i], NULL, body, &ns[i]);
    for (int i = 0; i < threads; i++) {
        pthread_join(t[i], NULL);
        if (ns[i] > worst)
            worst = ns[i];
    }
    printf("%.2f\n", worst / (double)pairs);
    return 0;
}
