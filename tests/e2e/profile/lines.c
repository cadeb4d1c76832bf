/* End-to-end CPU profile: work() spends its CPU in two loops whose iterations are 3:1, on lines
 * the test finds by their markers (each call lasts tens of milliseconds, far longer than the
 * kernel's timer tick, so samples cannot alias with the loops); spin_leaf() is not instrumented
 * (heatmap.yaml), so only the samples' PCs can name it. The test checks go tool pprof's -top, -lines, -traces and -raw on the
 * profile the runtime writes at exit through libheatmap-export. Each loop is on one line, so this
 * file is exempt from clang-format (scripts/check-format.sh). */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static volatile unsigned long sink;

__attribute__((noinline)) void spin_leaf(unsigned long n) {
    for (unsigned long i = 0; i < n; i++)
        sink += i * 7; /* @L:leaf */
}

__attribute__((noinline)) void work(unsigned long n) {
    for (unsigned long i = 0; i < 3 * n; i++) sink += i ^ (sink >> 3); /* @L:three */
    for (unsigned long i = 0; i < n; i++) sink += i ^ (sink >> 3);     /* @L:one */
}

__attribute__((noinline)) void run(double seconds) {
    struct timespec t0, t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
    do {
        work(10000000);
        spin_leaf(5000000);
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    } while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
}

int main(int argc, char **argv) {
    run(argc > 1 ? atof(argv[1]) : 1.5);
    printf("sink=%lu\n", (unsigned long)sink);
    return 0;
}
