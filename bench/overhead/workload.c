/* Call-heavy workload for the overhead benchmark: 3 small non-inlined calls per iteration.
 *
 * usage: workload ITERATIONS     prints "calls=N ns=T" (T: wall time of the loop alone, so process
 * start-up and the results write are not counted).
 * Built as: plain; FLOOR (two clock reads per call, the floor for exact self-time); with the
 * heatmap plugin (recording on and HEATMAP=off); with -finstrument-functions (uftrace); -pg
 * (gprof); XRay.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#ifdef FLOOR
#if defined(__x86_64__)
static inline uint64_t ticks(void) {
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
}
#else
static inline uint64_t ticks(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}
#endif
static volatile uint64_t floor_sink;
#define FLOOR_ENTER uint64_t floor_t0 = ticks();
#define FLOOR_EXIT floor_sink += ticks() - floor_t0;
#else
#define FLOOR_ENTER
#define FLOOR_EXIT
#endif

__attribute__((noinline)) unsigned leaf(unsigned x) {
    FLOOR_ENTER
    unsigned r = x * 2654435761u ^ (x >> 7);
    FLOOR_EXIT
    return r;
}

__attribute__((noinline)) unsigned mid(unsigned x) {
    FLOOR_ENTER
    unsigned r = leaf(x) + leaf(x + 1);
    FLOOR_EXIT
    return r;
}

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    struct timespec t0, t1;
    unsigned acc = 0;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (long i = 0; i < n; i++)
        acc += mid((unsigned)i);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("calls=%ld ns=%lld acc=%u\n", 3 * n, ns, acc);
    return 0;
}
