/* Call-heavy workloads for the overhead benchmark: small non-inlined calls in four shapes.
 *
 * usage: workload ITERATIONS [SHAPE]   prints "calls=N ns=T" (N: instrumented calls made; T: wall
 * time of the loop alone, so process start-up and the results write are not counted). SHAPE:
 *   mid   (default) per iteration mid() calls leaf() twice: 3 calls
 *   fib   deep recursion: fib(20) (21891 calls) repeated, ITERATIONS calls in all (rounded down)
 *   loop  per iteration loop8() calls the small leaf small() 8 times in a loop: 9 calls
 *   hash  per iteration hash16() hashes a 16-byte string (FNV-1a): 1 call of ~10 ns
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

__attribute__((noinline)) unsigned fib(unsigned n) {
    FLOOR_ENTER
    unsigned r = n < 2 ? n : fib(n - 1) + fib(n - 2);
    FLOOR_EXIT
    return r;
}

__attribute__((noinline)) unsigned small(unsigned x) {
    FLOOR_ENTER
    unsigned r = (x ^ (x >> 3)) * 0x9e3779b1u;
    FLOOR_EXIT
    return r;
}

__attribute__((noinline)) unsigned loop8(unsigned x) {
    FLOOR_ENTER
    unsigned r = 0;
    for (unsigned k = 0; k < 8; k++)
        r += small(x + k);
    FLOOR_EXIT
    return r;
}

__attribute__((noinline)) unsigned hash16(const char *s) {
    FLOOR_ENTER
    uint32_t h = 2166136261u;
    for (int k = 0; k < 16; k++)
        h = (h ^ (unsigned char)s[k]) * 16777619u;
    FLOOR_EXIT
    return h;
}

static volatile unsigned fib_n = 20; /* read each round: fib(20) is not folded into a constant */

int main(int argc, char **argv) {
    long n = argc > 1 ? atol(argv[1]) : 10000000;
    const char *shape = argc > 2 ? argv[2] : "mid";
    struct timespec t0, t1;
    unsigned acc = 0;
    long calls = 0;
    char key[17] = "heatmap-bench-00";
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (shape[0] == 'f') {
        for (long i = 0; i + 21891 <= n; i += 21891, calls += 21891)
            acc += fib(fib_n);
    } else if (shape[0] == 'l') {
        for (long i = 0; i < n; i++)
            acc += loop8((unsigned)i);
        calls = 9 * n;
    } else if (shape[0] == 'h') {
        for (long i = 0; i < n; i++) {
            key[14] = (char)('a' + (i & 15));
            key[15] = (char)('a' + ((i >> 4) & 15));
            acc += hash16(key);
        }
        calls = n;
    } else {
        for (long i = 0; i < n; i++)
            acc += mid((unsigned)i);
        calls = 3 * n;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long long ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
    printf("calls=%ld ns=%lld acc=%u\n", calls, ns, acc);
    return 0;
}
