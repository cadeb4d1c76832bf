/* Unit tests of merging many results files (results_merge.c, load_pool.c, load_many).
 *
 * The test writes its own results files from figures it chooses, so every expectation is a sum
 * the test computes from those figures, never from the code under test: per function the calls,
 * self, cpu and wait times, the histogram buckets and the per-thread split; the thread table in
 * file order, folded past HM_MERGE_THREADS_MAX. Then the same merge with 1, 2 and 8 worker
 * threads must give the same result field by field, and a failing file is always the first
 * failing one in input order, whatever the threads' timing.
 */
#define _POSIX_C_SOURCE 200809L
#include "hm_heap.h"
#include "hm_paths.h"
#include "hm_results.h"

#include <heatmap/results_format.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/same_results.h"

#define POOL 8    /* distinct functions */
#define THREADS 3 /* per file */
#define MAXFILES 200

static char dir[] = "/tmp/hm_test_merge.XXXXXX";
static char paths[MAXFILES][4200];
static const char *names[MAXFILES];

/* The figures of function i in file k (k from 0), chosen by the test. Bucket indexes 40..63 lie
 * where buckets are one nanosecond wide, so a bucket's value is its index. */
static bool present(int k, int i) {
    return i == 0 || (i + k) % 3 != 0;
}
static uint64_t count_of(int k, int i) {
    return 1 + (uint64_t)((k * 7 + i * 13) % 50);
}
static void buckets_of(int k, int i, uint32_t idx[2], uint64_t cnt[2], int *nb) {
    uint64_t count = count_of(k, i);
    idx[0] = 40 + (uint32_t)((k + i) % 5);
    idx[1] = 50 + (uint32_t)((k * i) % 14);
    cnt[0] = count / 2;
    cnt[1] = count - cnt[0];
    *nb = 2;
    if (cnt[0] == 0) {
        idx[0] = idx[1];
        cnt[0] = cnt[1];
        *nb = 1;
    }
}
static uint64_t self_of(int k, int i) {
    uint32_t idx[2];
    uint64_t cnt[2], self = 0;
    int nb;
    buckets_of(k, i, idx, cnt, &nb);
    for (int b = 0; b < nb; b++)
        self += cnt[b] * idx[b];
    return self;
}
static uint64_t tid_of(int k, int t) {
    return 1000 * (uint64_t)(k + 1) + (uint64_t)t;
}
/* Thread t's share of a figure: a third each, the rest to thread 0. */
static uint64_t share(uint64_t v, int t) {
    return t == 0 ? v - 2 * (v / 3) : v / 3;
}

static void write_file(int k, const char *path) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"version\": %d, \"program\": \"prog%d\", \"pid\": %d, \"elapsed_ns\": %d,\n",
            HM_RESULTS_FORMAT_VERSION, k, 100 + k, 5000 + k);
    fprintf(f, "\"clock\": \"tsc\", \"end\": \"exit\", \"threads\": [");
    for (int t = 0; t < THREADS; t++)
        fprintf(f, "%s{\"tid\": %llu, \"name\": \"t%d\", \"calls\": %d, \"self_ns\": %d}",
                t ? ", " : "", (unsigned long long)tid_of(k, t), t, 10 * k + t, 100 * k + t);
    fprintf(f, "],\n\"functions\": [\n");
    bool first = true;
    for (int i = 0; i < POOL; i++) {
        if (!present(k, i))
            continue;
        uint32_t idx[2];
        uint64_t cnt[2], count = count_of(k, i), self = self_of(k, i);
        int nb;
        buckets_of(k, i, idx, cnt, &nb);
        fprintf(
            f,
            "%s{\"id\": %d, \"name\": \"fn%d\", \"file\": \"m.c\", \"line\": %d, \"count\": %llu,"
            " \"self_ns\": %llu, \"max_ns\": %u, \"cpu_ns\": %llu, \"wait_ns\": %llu, "
            "\"threads\": [",
            first ? "" : ",\n", i + 1, i, 10 + i, (unsigned long long)count,
            (unsigned long long)self, idx[nb - 1], (unsigned long long)(self - self / 4),
            (unsigned long long)(self / 4));
        for (int t = 0; t < THREADS; t++) {
            uint64_t s = share(self, t);
            fprintf(f,
                    "%s{\"tid\": %llu, \"count\": %llu, \"self_ns\": %llu, \"cpu_ns\": %llu, "
                    "\"wait_ns\": %llu}",
                    t ? ", " : "", (unsigned long long)tid_of(k, t),
                    (unsigned long long)share(count, t), (unsigned long long)s,
                    (unsigned long long)(s - s / 4), (unsigned long long)(s / 4));
        }
        fprintf(f, "], \"histogram\": [");
        for (int b = 0; b < nb; b++)
            fprintf(f, "%s[%u, %llu]", b ? ", " : "", idx[b], (unsigned long long)cnt[b]);
        fprintf(f, "]}");
        first = false;
    }
    fprintf(f, "],\n\"paths\": {\"max_nodes\": 100, \"folded_calls\": 0, \"trees\": [{\"thread\": "
               "\"exited\", \"nodes\": [");
    first = true;
    for (int i = 0; i < POOL; i++) { /* fn0 calls every other function present */
        if (!present(k, i))
            continue;
        uint64_t self = self_of(k, i);
        fprintf(f, "%s[%d, %d, %d, %llu, %llu, %llu]", first ? "" : ", ", i + 1, i == 0 ? 0 : 1,
                i + 1, (unsigned long long)count_of(k, i), (unsigned long long)self,
                (unsigned long long)self);
        first = false;
    }
    fprintf(f, "]}]}}\n");
    assert_int_equal(fclose(f), 0);
}

static int setup(void **state) {
    (void)state;
    if (mkdtemp(dir) == NULL)
        return -1;
    for (int k = 0; k < MAXFILES; k++) {
        snprintf(paths[k], sizeof paths[k], "%s/r%d.json", dir, k);
        names[k] = paths[k];
        write_file(k, paths[k]);
    }
    return 0;
}

static int teardown(void **state) {
    (void)state;
    for (int k = 0; k < MAXFILES; k++)
        unlink(paths[k]);
    for (const char *extra = "bad.json"; extra; extra = NULL) {
        char p[4200];
        snprintf(p, sizeof p, "%s/%s", dir, extra);
        unlink(p);
    }
    return rmdir(dir);
}

static const hm_function_stats *find(const hm_results *r, int i) {
    char name[16];
    snprintf(name, sizeof name, "fn%d", i);
    for (size_t j = 0; j < r->nfunctions; j++)
        if (strcmp(r->functions[j].name, name) == 0)
            return &r->functions[j];
    return NULL;
}

/* Every figure of the merge of files 0..n-1 equals the sum of the figures the test wrote. */
static void test_merge_sums_match_the_files(void **state) {
    (void)state;
    const int n = 9; /* 27 threads: below the fold */
    hm_results *r = NULL;
    char err[1024];
    assert_int_equal(hm_results_load_many_jobs(names, (size_t)n, 3, &r, err, sizeof err), 0);
    assert_int_equal(r->nfiles, n);
    assert_string_equal(r->program, "prog0");
    assert_int_equal(r->pid, 100);
    assert_int_equal(r->elapsed_ns, 5000 + n - 1);
    assert_int_equal(r->nfunctions, POOL);
    for (int i = 0; i < POOL; i++) {
        const hm_function_stats *f = find(r, i);
        assert_non_null(f);
        uint64_t count = 0, self = 0, cpu = 0, wait = 0, bucket[64] = {0};
        for (int k = 0; k < n; k++) {
            if (!present(k, i))
                continue;
            uint64_t s = self_of(k, i);
            count += count_of(k, i);
            self += s;
            cpu += s - s / 4;
            wait += s / 4;
            uint32_t idx[2];
            uint64_t cnt[2];
            int nb;
            buckets_of(k, i, idx, cnt, &nb);
            for (int b = 0; b < nb; b++)
                bucket[idx[b]] += cnt[b];
        }
        assert_int_equal(f->count, count);
        assert_int_equal(f->timed, count);
        assert_int_equal(f->self_ns, self);
        assert_int_equal(f->cpu_ns, cpu);
        assert_int_equal(f->wait_ns, wait);
        size_t nb = 0;
        for (uint32_t b = 0; b < 64; b++) {
            if (bucket[b] == 0)
                continue;
            assert_true(nb < f->nbuckets);
            assert_int_equal(f->buckets[nb].index, b);
            assert_int_equal(f->buckets[nb].count, bucket[b]);
            nb++;
        }
        assert_int_equal(f->nbuckets, nb);
        /* The split: one entry per thread of each file that has the function, ascending tid. */
        size_t files_with = 0;
        for (int k = 0; k < n; k++)
            files_with += present(k, i);
        assert_int_equal(f->nthreads, files_with * THREADS);
        uint64_t split_count = 0, split_self = 0;
        for (size_t s = 0; s < f->nthreads; s++) {
            split_count += f->threads[s].count;
            split_self += f->threads[s].self_ns;
            if (s > 0)
                assert_true(f->threads[s - 1].tid < f->threads[s].tid);
        }
        assert_int_equal(split_count, count);
        assert_int_equal(split_self, self);
    }
    /* Thread rows: every file's, in file order. */
    assert_int_equal(r->nthreads, (size_t)n * THREADS);
    for (int k = 0; k < n; k++)
        for (int t = 0; t < THREADS; t++) {
            const hm_thread_stats *row = &r->threads[k * THREADS + t];
            assert_int_equal(row->tid, tid_of(k, t));
            assert_int_equal(row->calls, 10 * k + t);
        }
    hm_results_free(r);
}

/* Past HM_MERGE_THREADS_MAX rows, the rest is one "other threads" row, and the splits charge
 * those threads to tid 0: every total still adds up. */
static void test_merge_threads_beyond_the_table(void **state) {
    (void)state;
    const int n = 25; /* 75 rows */
    hm_results *r = NULL;
    char err[1024];
    assert_int_equal(hm_results_load_many_jobs(names, (size_t)n, 2, &r, err, sizeof err), 0);
    assert_int_equal(r->nthreads, HM_MERGE_THREADS_MAX + 1);
    uint64_t other_calls = 0, other_self = 0;
    for (int row = HM_MERGE_THREADS_MAX; row < n * THREADS; row++) {
        int k = row / THREADS, t = row % THREADS;
        other_calls += (uint64_t)(10 * k + t);
        other_self += (uint64_t)(100 * k + t);
    }
    const hm_thread_stats *other = &r->threads[HM_MERGE_THREADS_MAX];
    assert_int_equal(other->tid, HM_OTHER_TID);
    assert_string_equal(other->name, HM_OTHER_NAME);
    assert_int_equal(other->calls, other_calls);
    assert_int_equal(other->self_ns, other_self);
    assert_int_equal(r->threads[HM_MERGE_THREADS_MAX - 1].tid,
                     tid_of((HM_MERGE_THREADS_MAX - 1) / THREADS, (HM_MERGE_THREADS_MAX - 1) % 3));
    /* fn0 is in every file: its split is the kept threads, then tid 0 for the others. */
    const hm_function_stats *f = find(r, 0);
    uint64_t count = 0, folded = 0;
    for (int k = 0; k < n; k++)
        for (int t = 0; t < THREADS; t++) {
            uint64_t c = share(count_of(k, 0), t);
            count += c;
            if (k * THREADS + t >= HM_MERGE_THREADS_MAX)
                folded += c;
        }
    assert_int_equal(f->count, count);
    assert_int_equal(f->threads[0].tid, HM_OTHER_TID);
    assert_int_equal(f->threads[0].count, folded);
    uint64_t sum = 0;
    for (size_t s = 0; s < f->nthreads; s++)
        sum += f->threads[s].count;
    assert_int_equal(sum, count);
    assert_true(f->nthreads <= HM_MERGE_THREADS_MAX + 1);
    hm_results_free(r);
}

/* The merge does not depend on the worker threads: 1, 2 or 8 of them, again and again, give the
 * same result (the thread table's fold depends on the order, so an order slip would show). */
static void test_merge_same_result_with_any_jobs(void **state) {
    (void)state;
    const size_t n = 40;
    hm_results *one = NULL;
    char err[1024];
    assert_int_equal(hm_results_load_many_jobs(names, n, 1, &one, err, sizeof err), 0);
    for (int round = 0; round < 6; round++) {
        hm_results *many = NULL;
        unsigned jobs = round % 2 ? 8 : 2;
        assert_int_equal(hm_results_load_many_jobs(names, n, jobs, &many, err, sizeof err), 0);
        hm_assert_same_results(one, many);
        hm_results_free(many);
    }
    hm_results_free(one);
    /* The call paths too. */
    hm_paths *p1 = NULL, *p8 = NULL;
    assert_int_equal(hm_paths_load_many_jobs(names, n, 1, &p1, err, sizeof err), 0);
    assert_int_equal(hm_paths_load_many_jobs(names, n, 8, &p8, err, sizeof err), 0);
    hm_assert_same_paths(p1, p8);
    assert_int_equal(p1->nfiles, n);
    assert_string_equal(p1->program, "prog0");
    char why[256];
    assert_int_equal(hm_paths_check_totals(p8, why, sizeof why), 0);
    hm_paths_free(p1);
    hm_paths_free(p8);
}

/* Memory follows the distinct functions: 200 files of the same 8 functions merge into 8 entries
 * whose lists are bounded by the buckets used and the thread table, not by the files. */
static void test_merge_bounded_by_functions(void **state) {
    (void)state;
    hm_results *r = NULL;
    char err[1024];
    assert_int_equal(hm_results_load_many(names, MAXFILES, &r, err, sizeof err), 0);
    assert_int_equal(r->nfiles, MAXFILES);
    assert_int_equal(r->nfunctions, POOL);
    assert_int_equal(r->nthreads, HM_MERGE_THREADS_MAX + 1);
    for (size_t i = 0; i < r->nfunctions; i++) {
        assert_true(r->functions[i].nbuckets <= 24); /* indexes 40..63 */
        assert_true(r->functions[i].nthreads <= HM_MERGE_THREADS_MAX + 1);
    }
    hm_results_free(r);
}

/* With several bad files, the message is the first bad one's in input order, every time. */
static void test_merge_first_failure_in_input_order(void **state) {
    (void)state;
    char bad[4200], missing[4200];
    snprintf(bad, sizeof bad, "%s/bad.json", dir);
    snprintf(missing, sizeof missing, "%s/missing.json", dir);
    FILE *f = fopen(bad, "w");
    assert_non_null(f);
    fputs("{\"version\": 1, \"elapsed_ns\": 5, \"functions\": [", f);
    fclose(f);
    const char *list[12];
    for (int i = 0; i < 12; i++)
        list[i] = names[i];
    list[7] = bad;
    list[9] = missing;
    char err[1024];
    for (int round = 0; round < 10; round++) {
        hm_results *r = NULL;
        hm_paths *p = NULL;
        assert_int_equal(hm_results_load_many_jobs(list, 12, 8, &r, err, sizeof err), -1);
        assert_null(r);
        assert_true(strncmp(err, bad, strlen(bad)) == 0);
        assert_non_null(strstr(err, "truncated"));
        assert_int_equal(hm_paths_load_many_jobs(list, 12, 8, &p, err, sizeof err), -1);
        assert_true(strncmp(err, bad, strlen(bad)) == 0);
    }
    list[7] = names[7];
    assert_int_equal(hm_results_load_many_jobs(list, 12, 4, &(hm_results *){NULL}, err, sizeof err),
                     -1);
    assert_true(strncmp(err, missing, strlen(missing)) == 0);
}

/* Memory tracking's sites of several files merge by call path: the same file twice has the sites
 * and functions of one, each figure doubled (the file's own figures, read by the single load). */
static void test_merge_heap_sites_by_path(void **state) {
    (void)state;
    const char *one[] = {HM_VIEWER_FIXTURES "/heap.json"};
    const char *two[] = {one[0], one[0]};
    hm_heap_profile *a = NULL, *b = NULL;
    char err[1024];
    assert_int_equal(hm_heap_profile_load_many(one, 1, &a, err, sizeof err), 0);
    assert_int_equal(hm_heap_profile_load_many(two, 2, &b, err, sizeof err), 0);
    assert_true(a->nsites > 1);
    assert_int_equal(b->nfunctions, a->nfunctions);
    assert_int_equal(b->nsites, a->nsites);
    assert_string_equal(b->functions[0].name, HM_HEAP_OUTSIDE_NAME);
    for (size_t i = 0; i < a->nsites; i++) {
        assert_int_equal(b->sites[i].depth, a->sites[i].depth);
        assert_int_equal(b->sites[i].alloc_bytes, 2 * a->sites[i].alloc_bytes);
        assert_int_equal(b->sites[i].free_objects, 2 * a->sites[i].free_objects);
    }
    hm_heap_profile_free(a);
    hm_heap_profile_free(b);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_merge_sums_match_the_files),
        cmocka_unit_test(test_merge_threads_beyond_the_table),
        cmocka_unit_test(test_merge_same_result_with_any_jobs),
        cmocka_unit_test(test_merge_bounded_by_functions),
        cmocka_unit_test(test_merge_first_failure_in_input_order),
        cmocka_unit_test(test_merge_heap_sites_by_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
