/* Unit tests of the cpu/wait split in results/: reading the optional fields, their validation, the
 * run figures, merging, sorting, and 11-element call-path nodes.
 *
 * Every document is written out here by hand, so each expected figure is visible next to the
 * numbers it comes from; nothing is derived from the code under test. Each validation error must
 * name the file ("cpu.json: ...") and the function or node, and say what disagrees.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "hm_paths.h"
#include "hm_results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A results document: top-level extras (may be ""), threads and functions arrays. */
static char *doc(const char *top, const char *threads, const char *functions) {
    static const char fmt[] = "{\"version\": 1, \"elapsed_ns\": 1000000, %s%s\"threads\": %s, "
                              "\"functions\": %s}";
    size_t n = sizeof fmt + strlen(top) + strlen(threads) + strlen(functions) + 4;
    char *s = malloc(n);
    snprintf(s, n, fmt, top, top[0] ? ", " : "", threads, functions);
    return s;
}

static hm_results *load(const char *text, const char *name) {
    hm_results *r = NULL;
    char err[512] = "";
    if (hm_results_load_buffer(text, strlen(text), name, &r, err, sizeof err) != 0)
        fail_msg("unexpected load error: %s", err);
    return r;
}

static void expect_error(const char *top, const char *threads, const char *functions,
                         const char *fragment) {
    char *text = doc(top, threads, functions);
    hm_results *r = NULL;
    char err[512] = "";
    assert_int_equal(hm_results_load_buffer(text, strlen(text), "cpu.json", &r, err, sizeof err),
                     -1);
    assert_null(r);
    if (strncmp(err, "cpu.json: ", 10) != 0 || strstr(err, fragment) == NULL)
        fail_msg("expected an error naming cpu.json and containing '%s', got '%s'", fragment, err);
    free(text);
}

/* Functions called once: the histogram is the one bucket of max_ns (log-linear, 32 sub-buckets:
 * 600 = 2^9 + ..., group g = 9 - 5 = 4, index 32 g + (600 >> 4) = 165; 900: 128 + 56 = 184). */
#define WORK_OLD                                                                                   \
    "{\"name\": \"work\", \"file\": \"w.c\", \"line\": 3, \"count\": 1, \"self_ns\": 600, "        \
    "\"max_ns\": 600, \"histogram\": [[165, 1]]"
#define IDLE_OLD                                                                                   \
    "{\"name\": \"idle\", \"file\": \"w.c\", \"line\": 9, \"count\": 1, \"self_ns\": 900, "        \
    "\"max_ns\": 900, \"histogram\": [[184, 1]]"

static const char THREADS_NEW[] =
    "[{\"tid\": 1, \"name\": \"main\", \"calls\": 1, \"self_ns\": 600, \"cpu_ns\": 700, "
    "\"wait_ns\": 0, \"preempt_ns\": 5, \"overhead_ns\": 40},"
    " {\"tid\": 2, \"name\": \"pool\", \"calls\": 1, \"self_ns\": 900, \"cpu_ns\": 120, "
    "\"wait_ns\": 820, \"preempt_ns\": 0, \"overhead_ns\": 60}]";
static const char FUNCTIONS_NEW[] =
    "[" WORK_OLD ", \"cpu_ns\": 550, \"wait_ns\": 50, \"blocked_ns\": 50, \"open_calls\": 0,"
    " \"threads\": [{\"tid\": 1, \"count\": 1, \"self_ns\": 600, \"cpu_ns\": 550, "
    "\"wait_ns\": 50}]},"
    " " IDLE_OLD ", \"cpu_ns\": 100, \"wait_ns\": 800, \"blocked_ns\": 790, \"open_calls\": 1}]";
static const char TOP_NEW[] = "\"wall_ns\": 1000060, \"overhead_total_ns\": 100, "
                              "\"process_cpu_ns\": 900, \"cpus\": 4";

static void test_cpu_fields_load(void **state) {
    (void)state;
    char *text = doc(TOP_NEW, THREADS_NEW, FUNCTIONS_NEW);
    hm_results *r = load(text, "cpu.json");
    assert_true(r->has_cpu && r->has_wall && r->has_overhead_total && r->has_process_cpu);
    assert_int_equal(r->wall_ns, 1000060);
    assert_int_equal(r->overhead_total_ns, 100);
    assert_int_equal(r->process_cpu_ns, 900);
    assert_int_equal(r->cpus, 4);
    const hm_function_stats *work = &r->functions[0], *idle = &r->functions[1];
    assert_string_equal(work->name, "work");
    assert_true(work->has_cpu);
    assert_int_equal(work->cpu_ns, 550);
    assert_int_equal(work->wait_ns, 50);
    assert_int_equal(work->blocked_ns, 50);
    assert_int_equal(work->threads[0].cpu_ns, 550);
    assert_int_equal(work->threads[0].wait_ns, 50);
    assert_int_equal(idle->open_calls, 1);
    assert_int_equal(idle->blocked_ns, 790);
    assert_true(r->threads[1].has_cpu);
    assert_int_equal(r->threads[1].cpu_ns, 120);
    assert_int_equal(r->threads[1].wait_ns, 820);
    assert_int_equal(r->threads[0].preempt_ns, 5);
    assert_int_equal(r->threads[1].overhead_ns, 60);
    /* The run: cpu 550 + 100, wait 50 + 800, self 600 + 900. */
    assert_int_equal(hm_results_cpu_ns(r), 650);
    assert_int_equal(hm_results_wait_ns(r), 850);
    assert_int_equal(hm_results_self_ns(r), 1500);
    /* Parallelism = 650 / 1000000; overhead share = 100 / (1500 + 100). */
    assert_true(hm_results_parallelism(r) == 650.0 / 1000000.0);
    assert_true(hm_results_overhead_share(r) == 100.0 / 1600.0);
    /* Sorted by cpu, work (550) leads; by wait or self, idle does. */
    size_t idx[2];
    hm_results_select(r, NULL, HM_SORT_CPU, idx);
    assert_string_equal(r->functions[idx[0]].name, "work");
    hm_results_select(r, NULL, HM_SORT_WAIT, idx);
    assert_string_equal(r->functions[idx[0]].name, "idle");
    hm_results_select(r, NULL, HM_SORT_SELF, idx);
    assert_string_equal(r->functions[idx[0]].name, "idle");
    hm_sort_key key;
    assert_int_equal(hm_sort_key_parse("wait", &key), 0);
    assert_int_equal(key, HM_SORT_WAIT);
    assert_int_equal(hm_sort_key_parse("self", &key), 0);
    assert_int_equal(key, HM_SORT_SELF);
    hm_results_free(r);
    free(text);
}

static void test_cpu_fields_absent(void **state) {
    (void)state;
    char *text = doc("", "[]", "[" WORK_OLD "}, " IDLE_OLD "}]");
    hm_results *r = load(text, "old.json");
    assert_false(r->has_cpu || r->has_wall || r->has_overhead_total || r->has_process_cpu);
    assert_int_equal(r->cpus, 0);
    assert_int_equal(hm_results_self_ns(r), 1500);
    assert_int_equal(hm_results_cpu_ns(r), 0);
    assert_int_equal(hm_results_wait_ns(r), 0);
    assert_true(hm_results_parallelism(r) == 0.0);
    assert_true(hm_results_overhead_share(r) == 0.0);
    /* The cpu key ranks an older file by self time, the only figure it has. */
    size_t idx[2];
    hm_results_select(r, NULL, HM_SORT_CPU, idx);
    assert_string_equal(r->functions[idx[0]].name, "idle");
    hm_results_free(r);
    free(text);
}

static void test_cpu_fields_merge(void **state) {
    (void)state;
    char *a = doc(TOP_NEW, THREADS_NEW, FUNCTIONS_NEW);
    char *b = doc("\"wall_ns\": 2000000, \"overhead_total_ns\": 7, \"process_cpu_ns\": 30, "
                  "\"cpus\": 2",
                  "[]",
                  "[" WORK_OLD ", \"cpu_ns\": 200, \"wait_ns\": 400, \"blocked_ns\": 10,"
                  " \"open_calls\": 1}]");
    char *c = doc("", "[]", "[" WORK_OLD "}]");
    hm_results *ra = load(a, "a.json"), *rb = load(b, "b.json"), *rc = load(c, "c.json");
    const hm_results *two[] = {ra, rb};
    hm_results *m = NULL;
    char err[256];
    assert_int_equal(hm_results_merge(two, 2, &m, err, sizeof err), 0);
    assert_true(m->has_cpu);
    assert_int_equal(m->wall_ns, 2000000);          /* largest */
    assert_int_equal(m->overhead_total_ns, 107);    /* summed */
    assert_int_equal(m->process_cpu_ns, 930);       /* summed */
    assert_int_equal(m->cpus, 4);                   /* largest */
    assert_int_equal(m->functions[1].cpu_ns, 750);  /* work: 550 + 200 */
    assert_int_equal(m->functions[1].wait_ns, 450); /* 50 + 400 */
    assert_int_equal(m->functions[1].blocked_ns, 60);
    assert_int_equal(m->functions[1].open_calls, 1);
    assert_int_equal(hm_results_cpu_ns(m), 850);
    hm_results_free(m);
    /* With an older file in the mix the split is unknown for the whole merge. */
    const hm_results *mixed[] = {ra, rc};
    assert_int_equal(hm_results_merge(mixed, 2, &m, err, sizeof err), 0);
    assert_false(m->has_cpu || m->has_wall || m->has_overhead_total);
    for (size_t i = 0; i < m->nfunctions; i++)
        assert_int_equal(m->functions[i].cpu_ns + m->functions[i].wait_ns, 0);
    assert_int_equal(hm_results_cpu_ns(m), 0);
    assert_int_equal(hm_results_self_ns(m), 600 + 900 + 600);
    hm_results_free(m);
    hm_results_free(ra), hm_results_free(rb), hm_results_free(rc);
    free(a), free(b), free(c);
}

static void test_cpu_fields_errors(void **state) {
    (void)state;
    expect_error("", "[]", "[" WORK_OLD ", \"cpu_ns\": 500, \"wait_ns\": 50}]",
                 "functions[0] (\"work\"): cpu_ns 500 + wait_ns 50 is not self_ns 600");
    expect_error("", "[]", "[" WORK_OLD ", \"cpu_ns\": 600}]",
                 "functions[0] (\"work\"): has cpu_ns but not wait_ns");
    expect_error("", "[]", "[" WORK_OLD ", \"cpu_ns\": 550, \"wait_ns\": 50, \"blocked_ns\": 51}]",
                 "functions[0] (\"work\"): blocked_ns 51 exceeds wait_ns 50");
    expect_error("", "[]", "[" WORK_OLD ", \"cpu_ns\": 550, \"wait_ns\": 50, \"open_calls\": 2}]",
                 "functions[0] (\"work\"): open_calls 2 exceeds count 1");
    expect_error("", "[]", "[" WORK_OLD ", \"cpu_ns\": -1, \"wait_ns\": 50}]",
                 "functions[0] (\"work\").cpu_ns: negative value -1");
    expect_error("", "[]",
                 "[" WORK_OLD ", \"cpu_ns\": 550, \"wait_ns\": 50, \"threads\": [{\"tid\": 1, "
                 "\"count\": 1, \"self_ns\": 600, \"cpu_ns\": 1, \"wait_ns\": 1}]}]",
                 "functions[0] (\"work\").threads[0]: cpu_ns 1 + wait_ns 1 is not self_ns 600");
    expect_error("", "[]", "[" WORK_OLD ", \"cpu_ns\": 550, \"wait_ns\": 50}, " IDLE_OLD "}]",
                 "functions[1] (\"idle\") has no cpu_ns and wait_ns, but functions[0] (\"work\") "
                 "has");
    expect_error("\"wall_ns\": 999999", "[]", "[]", "elapsed_ns 1000000 exceeds wall_ns 999999");
    expect_error("\"cpus\": \"four\"", "[]", "[]", "cpus: expected a non-negative integer");
    expect_error("",
                 "[{\"tid\": 1, \"name\": \"m\", \"calls\": 1, \"self_ns\": 1, \"cpu_ns\": 1.5}]",
                 "[]", "threads[0].cpu_ns: expected a non-negative integer");
}

/* ---- call-path nodes of 6 and 11 elements ---------------------------------------------------- */

/* Functions a (id 1, self 100) and b (id 2, self 50) with the given trees in "paths" (the paths
 * reader does not look at histograms). */
static char *paths_doc(const char *trees) {
    static const char fmt[] =
        "\"paths\": {\"max_nodes\": 100, \"folded_calls\": 0, \"trees\": [%s]}";
    size_t n = sizeof fmt + strlen(trees);
    char *top = malloc(n);
    snprintf(top, n, fmt, trees);
    char *s = doc(top, "[]",
                  "[{\"id\": 1, \"name\": \"a\", \"file\": \"a.c\", \"line\": 1, \"count\": 2, "
                  "\"self_ns\": 100}, {\"id\": 2, \"name\": \"b\", \"file\": \"b.c\", \"line\": 2, "
                  "\"count\": 1, \"self_ns\": 50}]");
    free(top);
    return s;
}

/* A node's self time and wait figures. */
static void expect_node(const hm_path_node *n, uint64_t self_ns, uint64_t wait_ns,
                        uint64_t block_count, uint64_t block_ns, uint64_t mutex_count,
                        uint64_t mutex_ns) {
    const uint64_t got[] = {n->self_ns,  n->wait_ns,     n->block_count,
                            n->block_ns, n->mutex_count, n->mutex_ns};
    const uint64_t want[] = {self_ns, wait_ns, block_count, block_ns, mutex_count, mutex_ns};
    for (size_t i = 0; i < sizeof got / sizeof got[0]; i++)
        if (got[i] != want[i])
            fail_msg("figure %zu (self, wait, block count, block ns, mutex count, mutex ns): %llu, "
                     "expected %llu",
                     i, (unsigned long long)got[i], (unsigned long long)want[i]);
}

static void test_paths_eleven_element_nodes(void **state) {
    (void)state;
    /* Three threads: two write 11-element nodes, one the old 6 (read as zeros); a and a;b merge
     * across them, their wait figures summed. */
    char *text =
        paths_doc("{\"thread\": 1, \"nodes\": [[1, 0, 1, 1, 60, 90, 20, 3, 15, 2, 9],"
                  " [2, 1, 2, 1, 30, 30, 30, 1, 30, 0, 0]]},"
                  " {\"thread\": 2, \"nodes\": [[7, 0, 1, 1, 40, 60], [8, 7, 2, 0, 20, 20]]},"
                  " {\"thread\": 3, \"nodes\": [[1, 0, 1, 1, 10, 25, 5, 1, 4, 1, 3],"
                  " [2, 1, 2, 1, 15, 15, 15, 4, 12, 2, 10]]}");
    hm_paths *p = NULL;
    char err[512] = "";
    if (hm_paths_load_buffer(text, strlen(text), "p.json", &p, err, sizeof err) != 0)
        fail_msg("unexpected error: %s", err);
    assert_int_equal(p->nnodes, 3); /* root, a, a;b */
    const hm_path_node *a = &p->nodes[1], *b = &p->nodes[2];
    assert_string_equal(p->functions[a->function].name, "a");
    /* sums over threads 1, 2 (zeros) and 3 */
    /* self, wait, block count and ns, mutex count and ns */
    expect_node(a, 110, 25, 4, 19, 3, 12);
    expect_node(b, 65, 45, 5, 42, 2, 10);
    assert_int_equal(p->nodes[HM_PATH_ROOT].wait_ns, 0);
    hm_paths_free(p);
    free(text);

    static const struct {
        const char *nodes, *fragment;
    } bad[] = {
        {"[[1, 0, 1, 2, 100, 100, 0, 0, 0]]", "nodes[0]: expected [node_id, parent_id, "
                                              "function_id, count, self_ns, total_ns]"},
        {"[[1, 0, 1, 2, 100, 100, 0, 0]]", "[wait_ns, block_count, block_ns"},
        {"[[1, 0, 1, 2, 100, 100, 101, 0, 0, 0, 0]]",
         "nodes[0] (node 1): wait_ns 101 exceeds self_ns 100"},
        {"[[1, 0, 1, 2, 100, 100, 10, 1, 5, 2, 5]]",
         "nodes[0] (node 1): the mutex waits (2, 5 ns) exceed the synchronisation waits (1, 5 ns)"},
        {"[[1, 0, 1, 2, 100, 100, 10, 1, 5, 1, 6]]", "the mutex waits (1, 6 ns) exceed"},
        {"[[1, 0, 1, 2, 100, 100, 10, -1, 5, 1, 6]]", "element 7 is not a non-negative integer"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char tree[256];
        snprintf(tree, sizeof tree, "{\"thread\": 1, \"nodes\": %s}", bad[i].nodes);
        text = paths_doc(tree);
        p = NULL;
        assert_int_equal(hm_paths_load_buffer(text, strlen(text), "p.json", &p, err, sizeof err),
                         -1);
        assert_null(p);
        if (strncmp(err, "p.json: paths.trees[0] (thread 1).nodes[0]", 42) != 0 ||
            strstr(err, bad[i].fragment) == NULL)
            fail_msg("case %zu: expected '%s', got '%s'", i, bad[i].fragment, err);
        free(text);
    }
}

HM_TEST_MAIN({
    cmocka_unit_test(test_cpu_fields_load),
    cmocka_unit_test(test_cpu_fields_absent),
    cmocka_unit_test(test_cpu_fields_merge),
    cmocka_unit_test(test_cpu_fields_errors),
    cmocka_unit_test(test_paths_eleven_element_nodes),
})
