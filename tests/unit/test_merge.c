/* Unit tests of merging many results files (results_merge.c, load_pool.c, load_many).
 *
 * The test writes its own results files from figures it chooses, so every expectation is a sum
 * the test computes from those figures, never from the code under test: per function the calls,
 * self, cpu and wait times, the histogram buckets and the per-thread split; the thread table's
 * busiest HM_MERGE_THREADS_MAX rows in file order, checked against a plain sort of every row.
 * Then the same merge with 1, 2 and 8 worker threads must give the same result field by field,
 * and a failing file is always the first failing one in input order, whatever the threads' timing.
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

static const hm_function_stats *find_named(const hm_results *r, const char *name) {
    for (size_t j = 0; j < r->nfunctions; j++)
        if (strcmp(r->functions[j].name, name) == 0)
            return &r->functions[j];
    return NULL;
}

static const hm_function_stats *find(const hm_results *r, int i) {
    char name[16];
    snprintf(name, sizeof name, "fn%d", i);
    return find_named(r, name);
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

/* Past HM_MERGE_THREADS_MAX rows, the busiest are kept and the rest is one "other threads" row;
 * the splits charge those threads to tid 0: every total still adds up. These rows have no CPU
 * figure and their self time grows with the file, so the kept rows are the last ones. */
static void test_merge_threads_beyond_the_table(void **state) {
    (void)state;
    const int n = 25;                                          /* 75 rows */
    const int first_kept = n * THREADS - HM_MERGE_THREADS_MAX; /* rows 11..74 */
    hm_results *r = NULL;
    char err[1024];
    assert_int_equal(hm_results_load_many_jobs(names, (size_t)n, 2, &r, err, sizeof err), 0);
    assert_int_equal(r->nthreads, HM_MERGE_THREADS_MAX + 1);
    uint64_t other_calls = 0, other_self = 0;
    for (int row = 0; row < first_kept; row++) {
        int k = row / THREADS, t = row % THREADS;
        other_calls += (uint64_t)(10 * k + t);
        other_self += (uint64_t)(100 * k + t);
    }
    const hm_thread_stats *other = &r->threads[HM_MERGE_THREADS_MAX];
    assert_int_equal(other->tid, HM_OTHER_TID);
    assert_string_equal(other->name, HM_OTHER_NAME);
    assert_int_equal(other->calls, other_calls);
    assert_int_equal(other->self_ns, other_self);
    for (int row = first_kept; row < n * THREADS; row++)
        assert_int_equal(r->threads[row - first_kept].tid, tid_of(row / THREADS, row % THREADS));
    /* fn0 is in every file: its split is the kept threads, then tid 0 for the others. */
    const hm_function_stats *f = find(r, 0);
    uint64_t count = 0, folded = 0;
    for (int k = 0; k < n; k++)
        for (int t = 0; t < THREADS; t++) {
            uint64_t c = share(count_of(k, 0), t);
            count += c;
            if (k * THREADS + t < first_kept)
                folded += c;
        }
    assert_int_equal(f->count, count);
    assert_int_equal(f->threads[0].tid, HM_OTHER_TID);
    assert_int_equal(f->threads[0].count, folded);
    uint64_t sum = 0;
    for (size_t s = 0; s < f->nthreads; s++)
        sum += f->threads[s].count;
    assert_int_equal(sum, count);
    assert_int_equal(f->nthreads, HM_MERGE_THREADS_MAX + 1);
    hm_results_free(r);
}

/* ---- The thread table's choice, from rows the test chooses ---- */

/* A thread row: its tid, what ranks it (cpu_ns, or self_ns in a file without CPU figures) and
 * its calls. Every row calls g; rows of even tid call h too; each call takes 50 ns. */
typedef struct row_spec {
    uint64_t tid, busy, calls;
} row_spec;

#define ROWS_MAX 200
#define ROW_FILES_MAX 16
#define NS_PER_CALL 50 /* bucket 50 is 1 ns wide: its value is its index */

static bool calls_fn(const row_spec *row, int fn) {
    return fn == 0 || row->tid % 2 == 0;
}

/* Its self time: with CPU figures, one that would rank the rows backwards. */
static uint64_t row_self(const row_spec *row, bool with_cpu) {
    return with_cpu ? 2000000 - row->busy : row->busy;
}

static void write_rows_file(const char *path, const row_spec *rows, int n, bool with_cpu) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fprintf(f, "{\"version\": %d, \"program\": \"rows\", \"pid\": 7, \"elapsed_ns\": 1000,\n",
            HM_RESULTS_FORMAT_VERSION);
    fprintf(f, "\"clock\": \"tsc\", \"end\": \"exit\", \"threads\": [");
    for (int j = 0; j < n; j++) {
        uint64_t self = row_self(&rows[j], with_cpu);
        fprintf(f, "%s{\"tid\": %llu, \"name\": \"w%d\", \"calls\": %llu, \"self_ns\": %llu",
                j ? ", " : "", (unsigned long long)rows[j].tid, j,
                (unsigned long long)rows[j].calls, (unsigned long long)self);
        if (with_cpu)
            fprintf(f, ", \"cpu_ns\": %llu, \"wait_ns\": %llu", (unsigned long long)rows[j].busy,
                    (unsigned long long)(self - rows[j].busy));
        fprintf(f, "}");
    }
    fprintf(f, "],\n\"functions\": [");
    bool first = true;
    for (int fn = 0; fn < 2; fn++) {
        uint64_t count = 0;
        for (int j = 0; j < n; j++)
            count += calls_fn(&rows[j], fn) ? rows[j].calls : 0;
        if (count == 0)
            continue;
        fprintf(f,
                "%s{\"id\": %d, \"name\": \"%s\", \"file\": \"t.c\", \"line\": %d, "
                "\"count\": %llu, \"self_ns\": %llu, \"max_ns\": %d, \"threads\": [",
                first ? "" : ",\n", fn + 1, fn ? "h" : "g", 10 + fn, (unsigned long long)count,
                (unsigned long long)(count * NS_PER_CALL), NS_PER_CALL);
        bool first_split = true;
        for (int j = 0; j < n; j++) {
            if (!calls_fn(&rows[j], fn))
                continue;
            fprintf(f, "%s{\"tid\": %llu, \"count\": %llu, \"self_ns\": %llu}",
                    first_split ? "" : ", ", (unsigned long long)rows[j].tid,
                    (unsigned long long)rows[j].calls,
                    (unsigned long long)(rows[j].calls * NS_PER_CALL));
            first_split = false;
        }
        fprintf(f, "], \"histogram\": [[%d, %llu]]}", NS_PER_CALL, (unsigned long long)count);
        first = false;
    }
    fprintf(f, "]}\n");
    assert_int_equal(fclose(f), 0);
}

/* The rows a merge of all[0..n) keeps, by a plain sort of all of them: the
 * HM_MERGE_THREADS_MAX busiest, the earlier of two equal ones first; never a file's own "other
 * threads" row (tid 0). */
static void expected_kept(const row_spec *all, int n, bool keep[]) {
    int order[ROWS_MAX], nrows = 0;
    for (int i = 0; i < n; i++) {
        keep[i] = false;
        if (all[i].tid == HM_OTHER_TID)
            continue;
        int j = nrows++;
        for (; j > 0 && all[order[j - 1]].busy < all[i].busy; j--)
            order[j] = order[j - 1];
        order[j] = i;
    }
    for (int i = 0; i < nrows && i < HM_MERGE_THREADS_MAX; i++)
        keep[order[i]] = true;
}

/* Function fn's split: one entry per kept row that called it (tids are distinct here), the
 * folded rows' calls under tid 0, ascending, adding up to the count and the self time. */
static void check_split(const hm_results *r, const row_spec *all, int n, const bool *keep, int fn) {
    const hm_function_stats *f = NULL;
    for (size_t i = 0; i < r->nfunctions; i++)
        if (strcmp(r->functions[i].name, fn ? "h" : "g") == 0)
            f = &r->functions[i];
    assert_non_null(f);
    uint64_t count = 0, folded = 0;
    size_t entries = 0;
    for (int i = 0; i < n; i++) {
        if (!calls_fn(&all[i], fn))
            continue;
        count += all[i].calls;
        folded += keep[i] ? 0 : all[i].calls;
        entries += keep[i];
    }
    assert_int_equal(f->count, count);
    assert_int_equal(f->nthreads, entries + (folded > 0));
    uint64_t sum = 0, self = 0;
    for (size_t s = 0; s < f->nthreads; s++) {
        const hm_thread_split *e = &f->threads[s];
        sum += e->count;
        self += e->self_ns;
        if (s > 0)
            assert_true(f->threads[s - 1].tid < e->tid);
        if (e->tid == HM_OTHER_TID) {
            assert_int_equal(e->count, folded);
            continue;
        }
        int i = 0;
        while (i < n && all[i].tid != e->tid)
            i++;
        assert_true(i < n && keep[i]); /* no entry for a folded thread */
        assert_int_equal(e->count, all[i].calls);
    }
    assert_int_equal(sum, count);
    assert_int_equal(self, f->self_ns);
}

/* The table: the kept rows in input order, then "other threads" summing the rest. */
static void check_rows(const hm_results *r, const row_spec *all, int n, bool with_cpu) {
    bool keep[ROWS_MAX];
    expected_kept(all, n, keep);
    size_t row = 0;
    uint64_t calls = 0, self = 0, cpu = 0;
    bool folded = false;
    for (int i = 0; i < n; i++) {
        if (!keep[i]) {
            folded = true;
            calls += all[i].calls;
            self += row_self(&all[i], with_cpu);
            cpu += with_cpu ? all[i].busy : 0;
            continue;
        }
        assert_true(row < r->nthreads);
        assert_int_equal(r->threads[row].tid, all[i].tid);
        assert_int_equal(r->threads[row].calls, all[i].calls);
        row++;
    }
    if (folded) {
        assert_true(row < r->nthreads);
        const hm_thread_stats *o = &r->threads[row++];
        assert_int_equal(o->tid, HM_OTHER_TID);
        assert_int_equal(o->calls, calls);
        assert_int_equal(o->self_ns, self);
        assert_int_equal(o->cpu_ns, cpu);
    }
    assert_int_equal(r->nthreads, row);
    check_split(r, all, n, keep, 0);
    check_split(r, all, n, keep, 1);
}

/* Write all[0..n) as files of `per` rows, merge them with 1, 2 and 8 workers and check each. */
static void merge_rows(const row_spec *all, int n, int per, bool with_cpu) {
    char files[ROW_FILES_MAX][4200];
    const char *list[ROW_FILES_MAX];
    int nfiles = 0;
    for (int at = 0; at < n; at += per, nfiles++) {
        assert_true(nfiles < ROW_FILES_MAX);
        snprintf(files[nfiles], sizeof files[nfiles], "%s/rows%d.json", dir, nfiles);
        list[nfiles] = files[nfiles];
        write_rows_file(files[nfiles], &all[at], n - at < per ? n - at : per, with_cpu);
    }
    for (unsigned jobs = 1; jobs <= 8; jobs *= jobs == 1 ? 2 : 4) {
        hm_results *r = NULL;
        char err[1024];
        assert_int_equal(hm_results_load_many_jobs(list, (size_t)nfiles, jobs, &r, err, sizeof err),
                         0);
        check_rows(r, all, n, with_cpu);
        hm_results_free(r);
    }
    for (int k = 0; k < nfiles; k++)
        unlink(files[k]);
}

/* 120 rows whose CPU time mostly grows with the input order: the 64 busiest are late, not the
 * first 64, and they are listed in input order. */
static void test_merge_keeps_the_busiest_threads(void **state) {
    (void)state;
    row_spec all[120];
    for (int i = 0; i < 120; i++)
        all[i] = (row_spec){.tid = 10 + (uint64_t)i,
                            .busy = 1000 + 10 * (uint64_t)i + (uint64_t)(i * 37 % 11) * 40,
                            .calls = 1 + (uint64_t)(i % 7)};
    merge_rows(all, 120, 30, true);
}

/* A first file of 64 rows whose splits are merged under their own tids, then a busier file that
 * evicts every one of them: their splits end up under tid 0, in g and in h. */
static void test_merge_evicted_threads_split_under_tid_0(void **state) {
    (void)state;
    row_spec all[2 * HM_MERGE_THREADS_MAX + 10];
    int n = 0;
    for (int i = 0; i < HM_MERGE_THREADS_MAX; i++, n++)
        all[n] = (row_spec){.tid = 500 + (uint64_t)i, .busy = 100 + (uint64_t)i, .calls = 3};
    for (int i = 0; i < HM_MERGE_THREADS_MAX + 10; i++, n++)
        all[n] = (row_spec){
            .tid = 900 + (uint64_t)i, .busy = 5000 + (uint64_t)(i * 13 % 29), .calls = 2};
    merge_rows(all, n, HM_MERGE_THREADS_MAX, true);
}

/* Equal CPU times: the earlier row wins. 64 rows of one time, five busier ones that evict the
 * latest five of them (not the first five), then six more of the first time, folded on arrival
 * (not taking a row). Kept: rows 0..58 and 64..68. */
static void test_merge_ties_go_to_the_earlier_row(void **state) {
    (void)state;
    row_spec all[75];
    for (int i = 0; i < 75; i++)
        all[i] =
            (row_spec){.tid = 1 + (uint64_t)i, .busy = i >= 64 && i < 69 ? 900 : 500, .calls = 1};
    merge_rows(all, 75, 25, true);
}

/* Rows without CPU figures rank by self time (cpu_ns reads 0 for all of them). */
/* Each file's own "other threads" row (tid 0: the threads its runtime folded) goes into the merged
 * "other threads" row, however busy: it is no thread, and kept it would be a second tid-0 row. */
static void test_merge_files_other_threads_fold(void **state) {
    (void)state;
    const row_spec all[] = {{11, 100, 3}, {12, 200, 4}, {HM_OTHER_TID, 9000, 5},
                            {13, 300, 6}, {14, 50, 7},  {HM_OTHER_TID, 8000, 8}};
    merge_rows(all, 6, 3, true);
    merge_rows(all, 6, 3, false);
}

static void test_merge_ranks_rows_without_cpu_by_self(void **state) {
    (void)state;
    row_spec all[90];
    for (int i = 0; i < 90; i++)
        all[i] =
            (row_spec){.tid = 2 + (uint64_t)i, .busy = (uint64_t)((i * 53) % 90) * 100, .calls = 4};
    merge_rows(all, 90, 45, false);
}

/* A tid reused by two processes: its split entry holds both files' shares while a row of that
 * tid is kept, even when the other row was evicted, and moves to tid 0 when the last one is. */
static void test_merge_reused_tid_keeps_its_split_while_kept(void **state) {
    (void)state;
    row_spec first[HM_MERGE_THREADS_MAX], busier[HM_MERGE_THREADS_MAX];
    for (int i = 0; i < HM_MERGE_THREADS_MAX; i++) {
        first[i] = (row_spec){.tid = 1 + (uint64_t)i, .busy = i == 6 ? 100 : 200, .calls = 1};
        busier[i] = (row_spec){.tid = 1001 + (uint64_t)i, .busy = 1000, .calls = 1};
    }
    row_spec again = {.tid = 7, .busy = 300, .calls = 5}; /* evicts the first tid 7 */
    char files[3][4200];
    for (int k = 0; k < 3; k++)
        snprintf(files[k], sizeof files[k], "%s/reuse%d.json", dir, k);
    write_rows_file(files[0], first, HM_MERGE_THREADS_MAX, true);
    write_rows_file(files[1], &again, 1, true);
    write_rows_file(files[2], busier, HM_MERGE_THREADS_MAX, true);
    const char *list[] = {files[0], files[1], files[2]};
    hm_results *r = NULL;
    char err[1024];
    assert_int_equal(hm_results_load_many_jobs(list, 2, 2, &r, err, sizeof err), 0);
    assert_int_equal(r->nthreads, HM_MERGE_THREADS_MAX + 1);
    assert_int_equal(r->threads[HM_MERGE_THREADS_MAX - 1].tid, 7);
    assert_int_equal(r->threads[HM_MERGE_THREADS_MAX - 1].calls, 5);
    assert_int_equal(r->threads[HM_MERGE_THREADS_MAX].calls, 1); /* the first tid 7 */
    const hm_function_stats *g = find_named(r, "g");
    assert_int_equal(g->nthreads, HM_MERGE_THREADS_MAX);
    assert_int_equal(g->threads[6].tid, 7);
    assert_int_equal(g->threads[6].count, 6);
    hm_results_free(r);
    assert_int_equal(hm_results_load_many_jobs(list, 3, 2, &r, err, sizeof err), 0);
    g = find_named(r, "g");
    assert_int_equal(g->nthreads, HM_MERGE_THREADS_MAX + 1);
    assert_int_equal(g->threads[0].tid, HM_OTHER_TID);
    assert_int_equal(g->threads[0].count, HM_MERGE_THREADS_MAX + 5);
    assert_int_equal(g->threads[1].tid, 1001);
    hm_results_free(r);
    for (int k = 0; k < 3; k++)
        unlink(files[k]);
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
        cmocka_unit_test(test_merge_keeps_the_busiest_threads),
        cmocka_unit_test(test_merge_evicted_threads_split_under_tid_0),
        cmocka_unit_test(test_merge_ties_go_to_the_earlier_row),
        cmocka_unit_test(test_merge_ranks_rows_without_cpu_by_self),
        cmocka_unit_test(test_merge_files_other_threads_fold),
        cmocka_unit_test(test_merge_reused_tid_keeps_its_split_while_kept),
        cmocka_unit_test(test_merge_same_result_with_any_jobs),
        cmocka_unit_test(test_merge_bounded_by_functions),
        cmocka_unit_test(test_merge_first_failure_in_input_order),
        cmocka_unit_test(test_merge_heap_sites_by_path),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
