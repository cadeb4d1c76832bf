/* The CPU sampler's cost, measured inside one process: phases of equal work alternate with
 * SIGPROF blocked (no samples: the signal waits, pending) and unblocked (sampling), so that the
 * machine's load falls on both alike. Run with HEATMAP_PROFILE_TYPE=cpu HEATMAP_CPU_HZ=N.
 *
 * usage: ab ITERATIONS_PER_PHASE PAIRS    prints the median thread CPU time of the blocked and the
 * unblocked phases, and the median over pairs of adjacent phases of unblocked / blocked. Each
 * unblocked phase also takes the one signal left pending by the blocked phase before it, which
 * makes the figure a slight overestimate.
 */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile uint64_t sink;

__attribute__((noinline)) void leaf(uint64_t i) {
    sink += i;
}

__attribute__((noinline)) void mid(uint64_t i) {
    leaf(i);
    leaf(i ^ 1);
}

static uint64_t thread_cpu_ns(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int cmp(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

int main(int argc, char **argv) {
    uint64_t n = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000;
    int pairs = argc > 2 ? atoi(argv[2]) : 100;
    uint64_t *off = calloc((size_t)pairs, sizeof *off), *on = calloc((size_t)pairs, sizeof *on);
    double *ratio = calloc((size_t)pairs, sizeof *ratio);
    sigset_t prof;
    sigemptyset(&prof);
    sigaddset(&prof, SIGPROF);
    for (int p = 0; p < 2 * pairs; p++) {
        int sampling = p % 2;
        pthread_sigmask(sampling ? SIG_UNBLOCK : SIG_BLOCK, &prof, NULL);
        uint64_t t0 = thread_cpu_ns();
        for (uint64_t i = 0; i < n; i++)
            mid(i);
        uint64_t t = thread_cpu_ns() - t0;
        (sampling ? on : off)[p / 2] = t;
    }
    for (int p = 0; p < pairs; p++)
        ratio[p] = (double)on[p] / (double)off[p];
    qsort(ratio, (size_t)pairs, sizeof *ratio, cmp_double);
    qsort(off, (size_t)pairs, sizeof *off, cmp);
    qsort(on, (size_t)pairs, sizeof *on, cmp);
    uint64_t m_off = off[pairs / 2], m_on = on[pairs / 2];
    printf("phase_ns blocked=%llu sampling=%llu paired_ratio=%.4f\n", (unsigned long long)m_off,
           (unsigned long long)m_on, ratio[pairs / 2]);
    return 0;
}
