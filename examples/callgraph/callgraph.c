/* callgraph: a small program whose call counts follow from its arguments.
 *
 * usage: callgraph [FIB_N] [PRIMES_UP_TO] [SORT_N]      (defaults: 24 20000 100000)
 *
 * Used by the demo and by the end-to-end tests, which check heatmap's counts against these
 * formulas: fib is called 2*F(n+1)-1 times, is_prime once per k in 1..PRIMES_UP_TO, msort 2*N-1
 * times and merge N-1 times for N >= 1 elements, checksum once, run once. `square` is excluded by
 * heatmap.yaml and `add_one` is a trivial leaf that the plugin skips by default; neither may
 * appear. main is excluded too, so that run() is the outermost instrumented frame: main times it
 * and prints that time on stderr for the tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static long fib(int n) {
    return n < 2 ? n : fib(n - 1) + fib(n - 2);
}

static int is_prime(int k) {
    if (k < 2)
        return 0;
    for (int d = 2; d * d <= k; d++)
        if (k % d == 0)
            return 0;
    return 1;
}

static int count_primes(int limit) {
    int count = 0;
    for (int k = 1; k <= limit; k++)
        count += is_prime(k);
    return count;
}

static void merge(int *a, int *tmp, size_t lo, size_t mid, size_t hi) {
    size_t i = lo, j = mid, k = lo;
    while (i < mid && j < hi)
        tmp[k++] = a[i] <= a[j] ? a[i++] : a[j++];
    while (i < mid)
        tmp[k++] = a[i++];
    while (j < hi)
        tmp[k++] = a[j++];
    for (k = lo; k < hi; k++)
        a[k] = tmp[k];
}

static void msort(int *a, int *tmp, size_t lo, size_t hi) {
    if (hi - lo < 2)
        return;
    size_t mid = lo + (hi - lo) / 2;
    msort(a, tmp, lo, mid);
    msort(a, tmp, mid, hi);
    merge(a, tmp, lo, mid, hi);
}

static int square(int x) {
    return x * x;
}

static int add_one(int x) {
    return x + 1;
}

static unsigned long checksum(const int *a, size_t n) {
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31u + (unsigned)square(add_one(a[i]) % 1000);
    return sum;
}

static int run(int fib_n, int primes_up_to, size_t sort_n) {
    int *a = malloc(sort_n * sizeof *a), *tmp = malloc(sort_n * sizeof *tmp);
    if (sort_n && (!a || !tmp)) {
        fprintf(stderr, "callgraph: out of memory\n");
        return 1;
    }
    unsigned seed = 12345;
    for (size_t i = 0; i < sort_n; i++) {
        seed = seed * 1103515245u + 12345u;
        a[i] = (int)(seed >> 8) % 1000000;
    }
    long f = fib(fib_n);
    int primes = count_primes(primes_up_to);
    if (sort_n)
        msort(a, tmp, 0, sort_n);
    int sorted = 1;
    for (size_t i = 1; i < sort_n; i++)
        sorted &= a[i - 1] <= a[i];
    printf("fib(%d)=%ld primes<=%d=%d sorted(%zu)=%s checksum=%lu\n", fib_n, f, primes_up_to,
           primes, sort_n, sorted ? "yes" : "no", checksum(a, sort_n));
    free(a);
    free(tmp);
    return sorted ? 0 : 1;
}

static long arg(int argc, char **argv, int i, long fallback, long max) {
    if (argc <= i)
        return fallback;
    char *end;
    long v = strtol(argv[i], &end, 10);
    if (*end || v < 0 || v > max) {
        fprintf(stderr, "callgraph: argument %d must be an integer in 0..%ld, got '%s'\n", i, max,
                argv[i]);
        exit(2);
    }
    return v;
}

int main(int argc, char **argv) {
    int fib_n = (int)arg(argc, argv, 1, 24, 40);
    int primes = (int)arg(argc, argv, 2, 20000, 10000000);
    size_t sort_n = (size_t)arg(argc, argv, 3, 100000, 10000000);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int rc = run(fib_n, primes, sort_n);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    fprintf(stderr, "callgraph: run() took %lld ns\n",
            (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec));
    return rc;
}
