/* Unit tests of results/: loading good and broken files, percentiles against exact nearest-rank
 * percentiles, merge, sort tie-breaks, filter, diff pairing, duration formatting and parsing.
 *
 * Results are built in memory from JSON text (hm_results_load_buffer) or written to a temporary
 * file when the test is about files (missing, empty, directory). Random samples come from a fixed
 * xorshift seed, so every run checks the same numbers.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "hm_results.h"
#include <heatmap/histogram.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* ---- helpers --------------------------------------------------------------------------------- */

/* A results file with the given functions array text (and default top-level keys). */
static char *results_text(const char *functions, const char *threads) {
    static const char fmt[] =
        "{\"version\": 1, \"program\": \"./t\", \"pid\": 1, \"hostname\": \"h\", "
        "\"start_unix_ns\": 5, \"elapsed_ns\": 1000000, \"clock\": \"monotonic\", "
        "\"overhead_ns\": 0, \"end\": \"exit\", "
        "\"histogram\": {\"kind\": \"log-linear\", \"sub_bucket_bits\": 5}, "
        "\"threads\": %s, \"functions\": %s}";
    size_t n = sizeof fmt + strlen(functions) + strlen(threads);
    char *s = malloc(n);
    snprintf(s, n, fmt, threads, functions);
    return s;
}

/* One function object with a single-sample-per-value histogram built from `values`. */
static char *function_text(const char *name, const char *file, unsigned line,
                           const uint64_t *values, size_t n) {
    uint64_t sum = 0, max = 0;
    size_t cap = 256 + 32 * n + strlen(name) + strlen(file);
    char *s = malloc(cap);
    uint32_t *idx = calloc(n, sizeof *idx);
    for (size_t i = 0; i < n; i++) {
        sum += values[i];
        max = values[i] > max ? values[i] : max;
        idx[i] = hm_hist_index(values[i]);
    }
    /* values are given ascending, so indexes are too; merge equal ones */
    int len = snprintf(s, cap,
                       "{\"name\": \"%s\", \"file\": \"%s\", \"line\": %u, \"count\": %zu, "
                       "\"self_ns\": %llu, \"max_ns\": %llu, \"histogram\": [",
                       name, file, line, n, (unsigned long long)sum, (unsigned long long)max);
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && idx[j] == idx[i])
            j++;
        len += snprintf(s + len, cap - (size_t)len, "%s[%u, %zu]", i ? ", " : "", idx[i], j - i);
        i = j;
    }
    snprintf(s + len, cap - (size_t)len, "]}");
    free(idx);
    return s;
}

static hm_results *load_text(const char *text) {
    hm_results *r = NULL;
    char err[512];
    int rc = hm_results_load_buffer(text, strlen(text), "mem.json", &r, err, sizeof err);
    if (rc != 0)
        fail_msg("unexpected load error: %s", err);
    return r;
}

/* Three calls of 10, 40 and 280 ns: buckets 10 and 40 are exact (< S = 32 they are the value, and
 * 40 is [40, 41) since g = 0), 280 falls in bucket 32 + 3*32 + (280 >> 3) - 32 = 131 = [280, 288).
 */
static const char GOOD_FUNCTION[] =
    "{\"name\": \"parse\", \"file\": \"p.c\", \"line\": 4, \"count\": 3, \"self_ns\": 330, "
    "\"max_ns\": 280, \"p50_ns\": 999, \"histogram\": [[10, 1], [40, 1], [131, 1]]}";
static const char GOOD_THREADS[] =
    "[{\"tid\": 1, \"name\": \"main\", \"calls\": 3, \"self_ns\": 330}]";

/* ---- loading --------------------------------------------------------------------------------- */

static void test_results_load_good(void **state) {
    (void)state;
    char *functions = malloc(sizeof GOOD_FUNCTION + 2);
    sprintf(functions, "[%s]", GOOD_FUNCTION);
    char *text = results_text(functions, GOOD_THREADS);
    hm_results *r = load_text(text);
    assert_non_null(r);
    assert_int_equal(r->version, 1);
    assert_string_equal(r->path, "mem.json");
    assert_string_equal(r->program, "./t");
    assert_int_equal(r->elapsed_ns, 1000000);
    assert_int_equal(r->nfiles, 1);
    assert_int_equal(r->nthreads, 1);
    assert_string_equal(r->threads[0].name, "main");
    assert_int_equal(r->nfunctions, 1);
    const hm_function_stats *f = &r->functions[0];
    assert_string_equal(f->name, "parse");
    assert_string_equal(f->file, "p.c");
    assert_int_equal(f->line, 4);
    assert_int_equal(f->count, 3);
    assert_int_equal(f->nbuckets, 3);
    /* 999 in the file is ignored: P50 is rank 2 = bucket 40 = [40, 41) → 40. */
    assert_int_equal(hm_hist_index(280), 131);
    assert_int_equal(f->p50_ns, 40);
    /* P99 is rank 3 of 3: the largest sample, max_ns (bucket 131's midpoint would be 283) */
    assert_int_equal(hm_hist_midpoint(131), 283);
    assert_int_equal(f->p99_ns, 280);
    assert_int_equal(f->max_ns, 280);
    /* No cpu_ns/wait_ns: an older runtime's file knows wall self time only, not CPU time. */
    assert_false(r->has_cpu);
    assert_int_equal(hm_results_self_ns(r), 330);
    assert_int_equal(hm_results_cpu_ns(r), 0);
    assert_true(hm_results_parallelism(r) == 0.0);
    assert_int_equal(hm_results_total_calls(r), 3);
    assert_int_equal(hm_function_avg_ns(f), 110);
    hm_results_free(r);
    free(text);
    free(functions);
}

static void test_results_load_optional_keys(void **state) {
    (void)state;
    const char *text = "{\"version\": 1, \"elapsed_ns\": 7, \"threads\": [], \"functions\": [],"
                       " \"future_key\": {\"x\": [1, 2]}}";
    hm_results *r = load_text(text);
    assert_non_null(r);
    assert_string_equal(r->program, "");
    assert_string_equal(r->clock, "");
    assert_int_equal(r->nfunctions, 0);
    assert_int_equal(hm_results_cpu_ns(r), 0);
    assert_true(hm_results_parallelism(r) == 0.0);
    hm_results_free(r);
}

static void test_results_load_thread_split(void **state) {
    (void)state;
    const char *text = results_text(
        "[{\"name\": \"w\", \"file\": \"\", \"line\": 0, \"count\": 2, \"self_ns\": 20, "
        "\"max_ns\": 10, \"histogram\": [[10, 2]], \"threads\": [{\"tid\": 8, \"count\": 1, "
        "\"self_ns\": 10}, {\"tid\": 9, \"count\": 1, \"self_ns\": 10}]}]",
        "[]");
    hm_results *r = load_text(text);
    assert_non_null(r);
    assert_int_equal(r->functions[0].nthreads, 2);
    assert_int_equal(r->functions[0].threads[1].tid, 9);
    hm_results_free(r);
    free((char *)text);
}

/* A file written while other threads still ran may show a call in `count` that its histogram
 * does not hold yet: at most one per thread besides the writer. */
static void test_results_load_calls_in_flight(void **state) {
    (void)state;
    static const char threads[] =
        "[{\"tid\": 1, \"name\": \"main\", \"calls\": 1, \"self_ns\": 1}, "
        "{\"tid\": 2, \"name\": \"w1\", \"calls\": 1, \"self_ns\": 1}, "
        "{\"tid\": 3, \"name\": \"w2\", \"calls\": 1, \"self_ns\": 1}]";
    /* 2 calls in flight, 3 threads: accepted; the max of the in-flight call (900) lies beyond
     * the histogram's top bucket (20), which is then no sign of damage either */
    char *text =
        results_text("[{\"name\": \"w\", \"file\": \"\", \"line\": 0, \"count\": 6, "
                     "\"self_ns\": 980, \"max_ns\": 900, \"histogram\": [[10, 2], [20, 2]]}]",
                     threads);
    hm_results *r = load_text(text);
    assert_non_null(r);
    assert_int_equal(r->functions[0].count, 6);
    /* ranks within the 4 samples of the histogram: P50 = rank 2 = 10, P95 = rank 4 = max */
    assert_int_equal(r->functions[0].p50_ns, 10);
    assert_int_equal(r->functions[0].p95_ns, 900);
    hm_results_free(r);
    free(text);
    /* 3 missing calls with only 2 other threads: damage */
    text = results_text("[{\"name\": \"w\", \"file\": \"\", \"line\": 0, \"count\": 7, "
                        "\"self_ns\": 980, \"max_ns\": 900, \"histogram\": [[10, 2], [20, 2]]}]",
                        threads);
    char err[256];
    assert_int_equal(hm_results_load_buffer(text, strlen(text), "t.json", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "histogram counts sum to 4, but count is 7"));
    free(text);
}

/* Each broken input and a phrase its message must contain. */
static const struct broken_case {
    const char *functions; /* NULL: `whole` is the whole text */
    const char *whole;
    const char *phrase;
} broken_cases[] = {
    {NULL, "", "empty file"},
    {NULL, "  \n\t ", "empty file"},
    {NULL, "{\"version\": 1, \"elapsed_ns\": 5, \"functions\": [", "truncated"},
    {NULL, "version: 1", "not valid JSON"},
    {NULL, "[1, 2]", "top level is an array"},
    {NULL, "{\"elapsed_ns\": 1, \"threads\": [], \"functions\": []}", "missing key \"version\""},
    {NULL, "{\"version\": 2, \"elapsed_ns\": 1, \"threads\": [], \"functions\": []}",
     "unsupported results version 2"},
    {NULL, "{\"version\": \"1\", \"elapsed_ns\": 1, \"threads\": [], \"functions\": []}",
     "version: expected an integer, got a string"},
    {NULL, "{\"version\": 1, \"threads\": [], \"functions\": []}", "missing key \"elapsed_ns\""},
    {NULL, "{\"version\": 1, \"elapsed_ns\": 1, \"threads\": []}", "missing key \"functions\""},
    {NULL, "{\"version\": 1, \"elapsed_ns\": 1, \"threads\": [], \"functions\": {}}",
     "functions: expected an array, got an object"},
    {NULL, "{\"version\": 1, \"elapsed_ns\": -5, \"threads\": [], \"functions\": []}",
     "elapsed_ns: negative value -5"},
    {NULL, "{\"version\": 1, \"elapsed_ns\": 1.5, \"threads\": [], \"functions\": []}",
     "elapsed_ns: expected a non-negative integer, got a number with a fraction"},
    {NULL,
     "{\"version\": 1, \"version\": 1, \"elapsed_ns\": 1, \"threads\": [], \"functions\": []}",
     "not valid JSON"},
    {NULL, "{\"version\": 1, \"elapsed_ns\": 1, \"clock\": 3, \"threads\": [], \"functions\": []}",
     "clock: expected a string, got an integer"},
    {NULL,
     "{\"version\": 1, \"elapsed_ns\": 1, \"histogram\": {\"sub_bucket_bits\": 4}, "
     "\"threads\": [], \"functions\": []}",
     "sub_bucket_bits: unsupported"},
    {NULL, "{\"version\": 1, \"elapsed_ns\": 1, \"threads\": [{\"tid\": 1}], \"functions\": []}",
     "missing key \"name\" in threads[0]"},
    {"[7]", NULL, "functions[0]: expected an object, got an integer"},
    {"[{\"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 1, \"max_ns\": 1, "
     "\"histogram\": [[1, 1]]}]",
     NULL, "missing key \"name\" in functions[0]"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": \"3\", \"self_ns\": 1, "
     "\"max_ns\": 1, \"histogram\": [[1, 1]]}]",
     NULL, "functions[0] (\"f\").count: expected a non-negative integer, got a string"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": -1, \"self_ns\": 1, "
     "\"max_ns\": 1, \"histogram\": [[1, 1]]}]",
     NULL, "count: negative value -1"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 0, \"self_ns\": 0, "
     "\"max_ns\": 0, \"histogram\": []}]",
     NULL, "count is 0"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 3, \"self_ns\": 30, "
     "\"max_ns\": 10, \"histogram\": [[10, 2]]}]",
     NULL, "histogram counts sum to 2, but count is 3"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 10, "
     "\"max_ns\": 20, \"histogram\": [[20, 1]]}]",
     NULL, "max_ns 20 exceeds self_ns 10"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 2, \"self_ns\": 50, "
     "\"max_ns\": 20, \"histogram\": [[20, 2]]}]",
     NULL, "self_ns 50 exceeds count x max_ns (2 x 20)"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 10, "
     "\"max_ns\": 10, \"histogram\": [[5000, 1]]}]",
     NULL, "bucket index 5000 above the maximum"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 2, \"self_ns\": 20, "
     "\"max_ns\": 10, \"histogram\": [[10, 1], [9, 1]]}]",
     NULL, "bucket index 9 not above the previous 10"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 10, "
     "\"max_ns\": 10, \"histogram\": [[10, -1]]}]",
     NULL, "histogram[0]: negative count"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 10, "
     "\"max_ns\": 10, \"histogram\": [[10]]}]",
     NULL, "expected a pair [bucket index, count]"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 10, "
     "\"max_ns\": 10, \"histogram\": [[3, 1]]}]",
     NULL, "max_ns 10 does not lie in the highest histogram bucket"},
    {"[{\"name\": \"f\", \"file\": \"a.c\", \"line\": 1, \"count\": 1, \"self_ns\": 1, "
     "\"max_ns\": 1, \"histogram\": [[1, 1]]}, {\"name\": \"f\", \"file\": \"a.c\", \"line\": 1, "
     "\"count\": 1, \"self_ns\": 1, \"max_ns\": 1, \"histogram\": [[1, 1]]}]",
     NULL, "functions[1] (\"f\") repeats functions[0]"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 99999999999, \"count\": 1, \"self_ns\": 1, "
     "\"max_ns\": 1, \"histogram\": [[1, 1]]}]",
     NULL, "is not a line number"},
    {"[{\"name\": \"f\", \"file\": \"\", \"line\": 0, \"count\": 1, \"self_ns\": 1, "
     "\"max_ns\": 1, \"histogram\": [[1, 1]], \"threads\": [{\"tid\": 1}]}]",
     NULL, "missing key \"count\" in functions[0] (\"f\").threads[0]"},
};

static void test_results_load_broken(void **state) {
    (void)state;
    for (size_t i = 0; i < sizeof broken_cases / sizeof broken_cases[0]; i++) {
        const struct broken_case *c = &broken_cases[i];
        char *text = c->functions ? results_text(c->functions, "[]") : NULL;
        const char *input = text ? text : c->whole;
        hm_results *r = (hm_results *)1;
        char err[512] = "";
        int rc = hm_results_load_buffer(input, strlen(input), "bad.json", &r, err, sizeof err);
        if (rc != -1 || r != NULL || strncmp(err, "bad.json: ", 10) != 0 ||
            strstr(err, c->phrase) == NULL || strchr(err, '\n') != NULL)
            fail_msg("case %zu: rc %d, message \"%s\", expected \"bad.json: ...%s...\"", i, rc, err,
                     c->phrase);
        free(text);
    }
}

static void test_results_load_files(void **state) {
    (void)state;
    hm_results *r = NULL;
    char err[512];
    assert_int_equal(hm_results_load("/nonexistent/heatmap.json", &r, err, sizeof err), -1);
    assert_null(r);
    assert_string_equal(err, "/nonexistent/heatmap.json: cannot open: No such file or directory");

    assert_int_equal(hm_results_load("/", &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "/: cannot read: Is a directory"));

    char path[] = "/tmp/test_results.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(hm_results_load(path, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "empty file"));
    assert_ptr_equal(strstr(err, path), err);

    FILE *fp = fopen(path, "w");
    fputs("{\"version\": 1, \"elapsed_ns\": 3, \"threads\": [], \"functions\": []}", fp);
    fclose(fp);
    assert_int_equal(hm_results_load(path, &r, err, sizeof err), 0);
    assert_string_equal(r->path, path);
    hm_results_free(r);

    /* A message longer than the buffer is cut, not overrun. */
    char tiny[8];
    assert_int_equal(hm_results_load("/nonexistent/x.json", &r, tiny, sizeof tiny), -1);
    assert_int_equal(strlen(tiny), sizeof tiny - 1);
    unlink(path);
}

/* ---- percentiles ----------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;
static uint64_t next_random(void) {
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static int cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

/* Exact nearest-rank percentile of sorted samples. */
static uint64_t exact_percentile(const uint64_t *sorted, size_t n, double p) {
    size_t rank = (size_t)ceil(p * (double)n / 100.0);
    if (rank < 1)
        rank = 1;
    if (rank > n)
        rank = n;
    return sorted[rank - 1];
}

static void check_distribution(uint64_t *samples, size_t n) {
    hm_bucket *buckets = calloc(HM_HIST_MAX_INDEX + 1, sizeof *buckets);
    uint64_t max = 0;
    for (size_t i = 0; i < n; i++) {
        buckets[hm_hist_index(samples[i])].count++;
        max = samples[i] > max ? samples[i] : max;
    }
    size_t nb = 0;
    for (uint32_t i = 0; i <= HM_HIST_MAX_INDEX; i++)
        if (buckets[i].count)
            buckets[nb++] = (hm_bucket){i, buckets[i].count};
    qsort(samples, n, sizeof *samples, cmp_u64);
    static const unsigned ps[] = {1, 25, 50, 90, 95, 99, 100};
    for (size_t k = 0; k < sizeof ps / sizeof ps[0]; k++) {
        uint64_t exact = exact_percentile(samples, n, ps[k]);
        uint64_t got = hm_hist_percentile(buckets, nb, n, ps[k], max);
        uint64_t diff = got > exact ? got - exact : exact - got;
        /* documented bound: within 1/(2S) = 1.5625 % of the exact value */
        if ((double)diff > (double)exact / (2.0 * HM_HIST_SUB))
            fail_msg("p%u of %zu samples: histogram %llu, exact %llu (off by %.3f %%)", ps[k], n,
                     (unsigned long long)got, (unsigned long long)exact,
                     100.0 * (double)diff / (double)exact);
        assert_true(got <= max);
    }
    free(buckets);
}

static void test_results_percentile_vs_exact(void **state) {
    (void)state;
    enum { N = 20000 };
    uint64_t *samples = malloc(N * sizeof *samples);
    for (int round = 0; round < 40; round++) {
        size_t n = 1 + next_random() % N;
        for (size_t i = 0; i < n; i++) {
            uint64_t r = next_random();
            switch (round % 4) {
            case 0: /* uniform over a small range: exact buckets and the first octaves */
                samples[i] = r % 200;
                break;
            case 1: /* log-uniform from 1 ns to ~1 s */
                samples[i] = 1 + (r >> (34 + r % 30));
                break;
            case 2: /* clustered around 20 µs with rare 50 ms outliers */
                samples[i] = (r % 100 == 0) ? 50000000 + r % 1000 : 20000 + r % 3000;
                break;
            default: /* full 40-bit range */
                samples[i] = r >> 24;
                break;
            }
        }
        check_distribution(samples, n);
    }
    free(samples);
}

static void test_results_percentile_edges(void **state) {
    (void)state;
    assert_int_equal(hm_hist_percentile(NULL, 0, 0, 95, 100), 0);
    hm_bucket one = {hm_hist_index(1000), 1};
    /* one sample: every percentile is the last rank, i.e. max_ns exactly */
    assert_int_equal(hm_hist_percentile(&one, 1, 1, 50, 1000), 1000);
    /* two samples in 1000's bucket [992, 1008): rank 1 is the midpoint 999, clipped to max */
    hm_bucket two = {hm_hist_index(1000), 2};
    assert_int_equal(hm_hist_midpoint(two.index), 999);
    assert_int_equal(hm_hist_percentile(&two, 1, 2, 50, 1000), 999);
    assert_int_equal(hm_hist_percentile(&two, 1, 2, 50, 995), 995);
    assert_int_equal(hm_hist_percentile(&two, 1, 2, 99, 1000), 1000);
    hm_bucket exact[] = {{3, 5}, {7, 5}};
    assert_int_equal(hm_hist_percentile(exact, 2, 10, 50, 7), 3);
    assert_int_equal(hm_hist_percentile(exact, 2, 10, 51, 7), 7);
    assert_int_equal(hm_hist_percentile(exact, 2, 10, 100, 7), 7);
}

/* ---- merge ----------------------------------------------------------------------------------- */

static void test_results_merge(void **state) {
    (void)state;
    uint64_t a1[] = {100, 200, 300}, a2[] = {5}, b1[] = {250, 4000}, b2[] = {7, 8};
    char *fa1 = function_text("parse", "p.c", 4, a1, 3),
         *fa2 = function_text("only_a", "", 0, a2, 1);
    char *fb1 = function_text("parse", "p.c", 4, b1, 2),
         *fb2 = function_text("parse", "p.c", 9, b2, 2);
    char fa[2048], fb[2048];
    snprintf(fa, sizeof fa, "[%s, %s]", fa1, fa2);
    snprintf(fb, sizeof fb, "[%s, %s]", fb1, fb2);
    char *ta = results_text(fa, "[{\"tid\": 1, \"name\": \"a\", \"calls\": 4, \"self_ns\": 605}]");
    char *tb = results_text(fb, "[{\"tid\": 2, \"name\": \"b\", \"calls\": 4, \"self_ns\": 4265}]");
    hm_results *ra = load_text(ta), *rb = load_text(tb);
    free(rb->clock);
    rb->clock = strdup("tsc");
    rb->elapsed_ns = 5000000;
    const hm_results *in[] = {ra, rb};
    hm_results *m = NULL;
    char err[256];
    assert_int_equal(hm_results_merge(in, 2, &m, err, sizeof err), 0);
    assert_int_equal(m->nfiles, 2);
    assert_int_equal(m->elapsed_ns, 5000000);
    assert_string_equal(m->clock, "mixed");
    assert_string_equal(m->path, "mem.json");
    assert_int_equal(m->nthreads, 2);
    assert_string_equal(m->threads[0].name, "a");
    assert_string_equal(m->threads[1].name, "b");
    /* ordered by name, file, line: only_a, parse:4, parse:9 */
    assert_int_equal(m->nfunctions, 3);
    assert_string_equal(m->functions[0].name, "only_a");
    const hm_function_stats *p = &m->functions[1];
    assert_int_equal(p->line, 4);
    assert_int_equal(p->count, 5);
    assert_int_equal(p->self_ns, 100 + 200 + 300 + 250 + 4000);
    assert_int_equal(p->max_ns, 4000);
    uint64_t total = 0;
    for (size_t i = 0; i < p->nbuckets; i++) {
        total += p->buckets[i].count;
        if (i > 0)
            assert_true(p->buckets[i].index > p->buckets[i - 1].index);
    }
    assert_int_equal(total, 5);
    /* merged P50 is rank 3 of {100, 200, 250, 300, 4000}: 250's bucket */
    assert_int_equal(p->p50_ns, hm_hist_midpoint(hm_hist_index(250)));
    /* P99 is rank 5 of 5, the largest sample: max_ns exactly, not its bucket's midpoint 3999 */
    assert_int_equal(hm_hist_midpoint(hm_hist_index(4000)), 3999);
    assert_int_equal(p->p99_ns, 4000);
    assert_int_equal(m->functions[2].line, 9);
    assert_int_equal(hm_results_cpu_ns(m), hm_results_cpu_ns(ra) + hm_results_cpu_ns(rb));
    hm_results_free(m);

    /* merging one input copies it */
    assert_int_equal(hm_results_merge(in, 1, &m, err, sizeof err), 0);
    assert_int_equal(m->nfunctions, ra->nfunctions);
    hm_results_free(m);
    assert_int_equal(hm_results_merge(in, 0, &m, err, sizeof err), -1);
    assert_null(m);

    hm_results_free(ra);
    hm_results_free(rb);
    free(ta), free(tb), free(fa1), free(fa2), free(fb1), free(fb2);
}

static void test_results_load_many(void **state) {
    (void)state;
    char path[] = "/tmp/test_results_many.XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    char *functions = malloc(sizeof GOOD_FUNCTION + 2);
    sprintf(functions, "[%s]", GOOD_FUNCTION);
    char *text = results_text(functions, GOOD_THREADS);
    assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
    close(fd);
    const char *paths[] = {path, path, path};
    hm_results *r = NULL;
    char err[512];
    assert_int_equal(hm_results_load_many(paths, 3, &r, err, sizeof err), 0);
    assert_int_equal(r->nfiles, 3);
    assert_int_equal(r->functions[0].count, 9);
    assert_int_equal(r->nthreads, 3);
    hm_results_free(r);
    const char *bad[] = {path, "/nonexistent.json"};
    assert_int_equal(hm_results_load_many(bad, 2, &r, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent.json: cannot open"));
    unlink(path);
    free(text);
    free(functions);
}

/* ---- sort, filter ---------------------------------------------------------------------------- */

static hm_results *sort_fixture(void) {
    /* cpu ties between b.c:1 / a.c:2 / a.c:1 of "same"; avg ties 10/1 vs 20/2 */
    const char *text = results_text(
        "["
        "{\"name\": \"same\", \"file\": \"b.c\", \"line\": 1, \"count\": 2, \"self_ns\": 20, "
        "\"max_ns\": 10, \"histogram\": [[10, 2]]},"
        "{\"name\": \"same\", \"file\": \"a.c\", \"line\": 2, \"count\": 2, \"self_ns\": 20, "
        "\"max_ns\": 10, \"histogram\": [[10, 2]]},"
        "{\"name\": \"same\", \"file\": \"a.c\", \"line\": 1, \"count\": 2, \"self_ns\": 20, "
        "\"max_ns\": 10, \"histogram\": [[10, 2]]},"
        "{\"name\": \"alpha\", \"file\": \"z.c\", \"line\": 1, \"count\": 1, \"self_ns\": 10, "
        "\"max_ns\": 10, \"histogram\": [[10, 1]]},"
        "{\"name\": \"big\", \"file\": \"z.c\", \"line\": 1, \"count\": 3, \"self_ns\": 3000, "
        "\"max_ns\": 2000, \"histogram\": [[14, 1], [189, 1], [222, 1]]}"
        "]",
        "[]");
    hm_results *r = load_text(text);
    free((char *)text);
    return r;
}

static void expect_order(const hm_results *r, const size_t *idx, size_t n, const char *expected) {
    char got[512] = "";
    for (size_t i = 0; i < n; i++) {
        const hm_function_stats *f = &r->functions[idx ? idx[i] : i];
        char one[64];
        snprintf(one, sizeof one, "%s%s:%s:%u", i ? " " : "", f->name, f->file, f->line);
        strcat(got, one);
    }
    assert_string_equal(got, expected);
}

static void test_results_sort_tiebreaks(void **state) {
    (void)state;
    hm_results *r = sort_fixture();
    size_t idx[8];
    size_t n = hm_results_select(r, NULL, HM_SORT_CPU, idx);
    assert_int_equal(n, 5);
    expect_order(r, idx, n, "big:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1 alpha:z.c:1");
    n = hm_results_select(r, NULL, HM_SORT_COUNT, idx);
    expect_order(r, idx, n, "big:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1 alpha:z.c:1");
    /* avg: big 1000; alpha 10 ties same 10 → name decides */
    n = hm_results_select(r, NULL, HM_SORT_AVG, idx);
    expect_order(r, idx, n, "big:z.c:1 alpha:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1");
    n = hm_results_select(r, NULL, HM_SORT_MAX, idx);
    expect_order(r, idx, n, "big:z.c:1 alpha:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1");
    n = hm_results_select(r, NULL, HM_SORT_P95, idx);
    expect_order(r, idx, n, "big:z.c:1 alpha:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1");
    n = hm_results_select(r, NULL, HM_SORT_NAME, idx);
    expect_order(r, idx, n, "alpha:z.c:1 big:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1");
    hm_results_sort(r, HM_SORT_NAME);
    expect_order(r, NULL, r->nfunctions, "alpha:z.c:1 big:z.c:1 same:a.c:1 same:a.c:2 same:b.c:1");
    hm_results_free(r);
}

static void test_results_sort_keys(void **state) {
    (void)state;
    for (int k = 0; k < HM_SORT_KEY_COUNT; k++) {
        hm_sort_key parsed;
        assert_int_equal(hm_sort_key_parse(hm_sort_key_name((hm_sort_key)k), &parsed), 0);
        assert_int_equal(parsed, k);
    }
    hm_sort_key key;
    assert_int_equal(hm_sort_key_parse("CPU", &key), -1);
    assert_int_equal(hm_sort_key_parse("", &key), -1);
}

static void test_results_filter(void **state) {
    (void)state;
    hm_results *r = sort_fixture();
    size_t idx[8];
    size_t n = hm_results_select(r, "s*", HM_SORT_NAME, idx);
    expect_order(r, idx, n, "same:a.c:1 same:a.c:2 same:b.c:1");
    n = hm_results_select(r, "?lpha", HM_SORT_CPU, idx);
    expect_order(r, idx, n, "alpha:z.c:1");
    assert_int_equal(hm_results_select(r, "nomatch*", HM_SORT_CPU, idx), 0);
    assert_int_equal(hm_results_select(r, "", HM_SORT_CPU, idx), 5);
    assert_true(hm_function_matches(&r->functions[0], NULL));
    hm_results_free(r);
}

/* Smart case: a lowercase pattern ignores case, a capital makes it exact (issue 16). */
static void test_results_filter_smart_case(void **state) {
    (void)state;
    const char *long_name = "ZSTD_fillDoubleHashTable_with_a_name_longer_than_the_stack_buffer_"
                            "of_two_hundred_and_fifty_six_bytes_so_that_the_folded_copy_comes_"
                            "from_the_heap_and_not_the_stack_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_"
                            "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx_end";
    assert_true(strlen(long_name) > 256);
    assert_true(hm_name_matches("ZSTD_fillDoubleHashTable", "*hash*"));
    assert_true(hm_name_matches("ZSTD_fillDoubleHashTable", "zstd_*table"));
    assert_true(hm_name_matches(long_name, "*hash*_end"));
    assert_true(hm_name_matches("ZSTD_fillDoubleHashTable", "*Hash*"));
    assert_false(hm_name_matches("rehash", "*Hash*"));    /* a capital: exact */
    assert_false(hm_name_matches("ZSTD_fill", "*HASH*")); /* no such text at all */
    assert_false(hm_name_matches("ZSTD_fillDoubleHashTable", "*HASH*"));
    assert_true(hm_name_matches("Beta", "[a-c]eta")); /* a class folds too */
    assert_false(hm_name_matches("Beta", "[A]eta"));
    assert_true(hm_name_matches("ÉCOLE_Parse", "*parse")); /* bytes above ASCII are kept */
    assert_true(hm_name_matches("anything", ""));
    assert_true(hm_name_matches("anything", NULL));
}

/* ---- diff ------------------------------------------------------------------------------------ */

/* Two results files with these function lists (no threads), loaded and diffed; diff_free()
 * releases everything. */
typedef struct diff_case {
    hm_results *before, *after;
    hm_diff_row *rows;
    size_t n;
} diff_case;

static diff_case diff_of(const char *before_functions, const char *after_functions) {
    char *before_text = results_text(before_functions, "[]");
    char *after_text = results_text(after_functions, "[]");
    diff_case d = {load_text(before_text), load_text(after_text), NULL, 0};
    free(before_text);
    free(after_text);
    assert_int_equal(hm_results_diff(d.before, d.after, &d.rows, &d.n), 0);
    return d;
}

static void diff_free(diff_case *d) {
    free(d->rows);
    hm_results_free(d->before);
    hm_results_free(d->after);
}

static void test_results_diff_pairing(void **state) {
    (void)state;
    diff_case d = diff_of(
        "["
        "{\"name\": \"kept\", \"file\": \"k.c\", \"line\": 1, \"count\": 1, \"self_ns\": 10, "
        "\"max_ns\": 10, \"histogram\": [[10, 1]]},"
        "{\"name\": \"moved\", \"file\": \"m.c\", \"line\": 5, \"count\": 1, \"self_ns\": 10, "
        "\"max_ns\": 10, \"histogram\": [[10, 1]]},"
        "{\"name\": \"renamed_file\", \"file\": \"old.c\", \"line\": 5, \"count\": 1, "
        "\"self_ns\": 10, \"max_ns\": 10, \"histogram\": [[10, 1]]},"
        "{\"name\": \"gone\", \"file\": \"g.c\", \"line\": 1, \"count\": 1, \"self_ns\": 30, "
        "\"max_ns\": 30, \"histogram\": [[30, 1]]}"
        "]",
        "["
        "{\"name\": \"kept\", \"file\": \"k.c\", \"line\": 1, \"count\": 1, \"self_ns\": 25, "
        "\"max_ns\": 25, \"histogram\": [[25, 1]]},"
        "{\"name\": \"moved\", \"file\": \"m.c\", \"line\": 9, \"count\": 1, \"self_ns\": 10, "
        "\"max_ns\": 10, \"histogram\": [[10, 1]]},"
        "{\"name\": \"renamed_file\", \"file\": \"new.c\", \"line\": 5, \"count\": 1, "
        "\"self_ns\": 5, \"max_ns\": 5, \"histogram\": [[5, 1]]},"
        "{\"name\": \"fresh\", \"file\": \"f.c\", \"line\": 1, \"count\": 1, \"self_ns\": 7, "
        "\"max_ns\": 7, \"histogram\": [[7, 1]]}"
        "]");
    const hm_diff_row *rows = d.rows;
    assert_int_equal(d.n, 5);
    /* regression order: kept +15, fresh +7, moved 0, renamed_file -5, gone -30 */
    assert_string_equal(rows[0].after->name, "kept");
    assert_int_equal(rows[0].cpu_delta_ns, 15);
    assert_int_equal(rows[1].status, HM_DIFF_NEW);
    assert_string_equal(rows[1].after->name, "fresh");
    assert_null(rows[1].before);
    assert_int_equal(rows[2].status, HM_DIFF_BOTH);
    assert_int_equal(rows[2].before->line, 5);
    assert_int_equal(rows[2].after->line, 9);
    assert_int_equal(rows[3].status, HM_DIFF_BOTH);
    assert_string_equal(rows[3].before->file, "old.c");
    assert_string_equal(rows[3].after->file, "new.c");
    assert_int_equal(rows[4].status, HM_DIFF_VANISHED);
    assert_int_equal(rows[4].cpu_delta_ns, -30);
    diff_free(&d);
}

static void test_results_diff_ambiguous(void **state) {
    (void)state;
    /* two "f" in the new file, one in the old, none on the same line: no unique pairing */
    diff_case d =
        diff_of("[{\"name\": \"f\", \"file\": \"a.c\", \"line\": 1, \"count\": 1, \"self_ns\": 1, "
                "\"max_ns\": 1, \"histogram\": [[1, 1]]}]",
                "[{\"name\": \"f\", \"file\": \"a.c\", \"line\": 2, \"count\": 1, \"self_ns\": 1, "
                "\"max_ns\": 1, \"histogram\": [[1, 1]]},"
                "{\"name\": \"f\", \"file\": \"a.c\", \"line\": 3, \"count\": 1, \"self_ns\": 1, "
                "\"max_ns\": 1, \"histogram\": [[1, 1]]}]");
    assert_int_equal(d.n, 3);
    size_t both = 0;
    for (size_t i = 0; i < d.n; i++)
        both += d.rows[i].status == HM_DIFF_BOTH;
    assert_int_equal(both, 0);
    diff_free(&d);
}

/* ---- durations ------------------------------------------------------------------------------- */

static void test_results_format_duration(void **state) {
    (void)state;
    static const struct {
        uint64_t ns;
        const char *text;
    } cases[] = {
        {0, "0ns"},
        {850, "850ns"},
        {999, "999ns"},
        {1000, "1.00\xC2\xB5s"},
        {1250, "1.25\xC2\xB5s"},
        {1255, "1.26\xC2\xB5s"}, /* half up */
        {9994, "9.99\xC2\xB5s"},
        {9995, "10.0\xC2\xB5s"},
        {82000, "82.0\xC2\xB5s"},
        {686000, "686\xC2\xB5s"},
        {999499, "999\xC2\xB5s"},
        {999500, "1.00ms"}, /* rounding carries into the next unit */
        {370000, "370\xC2\xB5s"},
        {12345678, "12.3ms"},
        {234560000, "235ms"},
        {999999999, "1.00s"},
        {1500000000, "1.50s"},
        {1234000000000ull, "1234s"},
        {UINT64_MAX, "18446744074s"},
    };
    char buf[HM_DURATION_LEN];
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
        assert_string_equal(hm_format_duration(cases[i].ns, 0, buf), cases[i].text);
    assert_string_equal(hm_format_duration(1250, HM_FMT_ASCII, buf), "1.25us");
    assert_string_equal(hm_format_duration(686000, HM_FMT_ASCII, buf), "686us");
}

static void test_results_parse_duration(void **state) {
    (void)state;
    uint64_t ns;
    assert_int_equal(hm_parse_duration("500ms", &ns, NULL), 0);
    assert_int_equal(ns, 500000000);
    assert_int_equal(hm_parse_duration("2.5s", &ns, NULL), 0);
    assert_int_equal(ns, 2500000000ull);
    assert_int_equal(hm_parse_duration("300us", &ns, NULL), 0);
    assert_int_equal(ns, 300000);
    assert_int_equal(hm_parse_duration("1.25\xC2\xB5s", &ns, NULL), 0);
    assert_int_equal(ns, 1250);
    assert_int_equal(hm_parse_duration("42ns", &ns, NULL), 0);
    assert_int_equal(ns, 42);
    assert_int_equal(hm_parse_duration(".5ms", &ns, NULL), 0);
    assert_int_equal(ns, 500000);
    const char *end;
    assert_int_equal(hm_parse_duration("7ms)", &ns, &end), 0);
    assert_string_equal(end, ")");
    assert_int_equal(hm_parse_duration("500", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("ms", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("5 ms", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("5msx", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("99999999999999999999s", &ns, NULL), -1);
    /* minutes and hours, alone and in parts from large to small; "m" is never "ms" */
    static const struct {
        const char *text;
        uint64_t ns;
    } times[] = {
        {"2m", 120000000000ull},
        {"2ms", 2000000},
        {"1h", 3600000000000ull},
        {"1h30m", 5400000000000ull},
        {"1.5h", 5400000000000ull},
        {"1m30.5s", 90500000000ull},
        {"2s500ms", 2500000000ull},
        {"1m1ms", 60001000000ull},
        {"1h2m3s4ms5us6ns", 3723004005006ull},
        {"5124095h", 5124095ull * 3600000000000ull}, /* 2^64 ns is 5124095.6 h */
    };
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        ns = 0;
        if (hm_parse_duration(times[i].text, &ns, NULL) != 0 || ns != times[i].ns)
            fail_msg("'%s' gave %llu ns, expected %llu", times[i].text, (unsigned long long)ns,
                     (unsigned long long)times[i].ns);
    }
    assert_int_equal(hm_parse_duration("1h30m)", &ns, &end), 0);
    assert_string_equal(end, ")");
    assert_int_equal(hm_parse_duration("5min", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("5min", &ns, &end), -1); /* not 5m followed by "in" */
    assert_int_equal(hm_parse_duration("1ms30s", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("1m1m", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("1us1\xC2\xB5s", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("1h30", &ns, NULL), -1);
    assert_int_equal(hm_parse_duration("5124096h", &ns, NULL), -1);
    /* every formatted value parses back to within the rounding of 3 significant digits */
    char buf[HM_DURATION_LEN];
    for (uint64_t v = 1; v < 100000000000ull; v = v * 3 + 7) {
        assert_int_equal(hm_parse_duration(hm_format_duration(v, 0, buf), &ns, NULL), 0);
        uint64_t diff = ns > v ? ns - v : v - ns;
        assert_true((double)diff <= (double)v * 0.005 + 0.5);
    }
}

HM_TEST_MAIN({
    cmocka_unit_test(test_results_load_good),
    cmocka_unit_test(test_results_load_optional_keys),
    cmocka_unit_test(test_results_load_thread_split),
    cmocka_unit_test(test_results_load_calls_in_flight),
    cmocka_unit_test(test_results_load_broken),
    cmocka_unit_test(test_results_load_files),
    cmocka_unit_test(test_results_percentile_vs_exact),
    cmocka_unit_test(test_results_percentile_edges),
    cmocka_unit_test(test_results_merge),
    cmocka_unit_test(test_results_load_many),
    cmocka_unit_test(test_results_sort_tiebreaks),
    cmocka_unit_test(test_results_sort_keys),
    cmocka_unit_test(test_results_filter),
    cmocka_unit_test(test_results_filter_smart_case),
    cmocka_unit_test(test_results_diff_pairing),
    cmocka_unit_test(test_results_diff_ambiguous),
    cmocka_unit_test(test_results_format_duration),
    cmocka_unit_test(test_results_parse_duration),
})
