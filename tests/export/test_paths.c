/* Unit tests of results/paths_load.c and paths_query.c: loading call-path trees (fixtures and
 * hand-written JSON), merging by path within a file and across files, validation errors that name
 * the file and the node, and the format's invariants. Trace loading is test_trace.c. *
 * Fixtures are tests/export/fixtures (gen_fixtures.py), made consistent by construction; the
 * totals are cross-checked against the independent results loader (hm_results_load_many).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "export_test.h"

#include "hm_paths.h"
#include "hm_results.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Index of the node at the path "a;b;c" (function names), or SIZE_MAX. */
static size_t node_at(const hm_paths *p, const char *stack) {
    size_t node = HM_PATH_ROOT;
    char buf[512];
    snprintf(buf, sizeof buf, "%s", stack);
    for (char *save = NULL, *name = strtok_r(buf, ";", &save); name != NULL;
         name = strtok_r(NULL, ";", &save)) {
        const hm_path_node *n = &p->nodes[node];
        size_t next = SIZE_MAX;
        for (size_t k = 0; k < n->nchildren; k++) {
            size_t c = p->children[n->first_child + k];
            if (strcmp(p->functions[p->nodes[c].function].name, name) == 0)
                next = c;
        }
        if (next == SIZE_MAX)
            return SIZE_MAX;
        node = next;
    }
    return node;
}

/* A results document with functions a (id 1), b (id 2), c (id 3) and the given trees. */
static char *doc_with_trees(const char *trees) {
    static const char fmt[] =
        "{\"version\": 1, \"elapsed_ns\": 1000, \"functions\": ["
        "{\"id\": 1, \"name\": \"a\", \"file\": \"a.c\", \"line\": 1, \"count\": 1, "
        "\"self_ns\": 10},"
        "{\"id\": 2, \"name\": \"b\", \"file\": \"b.c\", \"line\": 2, \"count\": 2, "
        "\"self_ns\": 20},"
        "{\"id\": 3, \"name\": \"c\", \"file\": \"\", \"line\": 0, \"count\": 3, "
        "\"self_ns\": 30}],"
        "\"paths\": {\"max_nodes\": 100, \"folded_calls\": 0, \"trees\": [%s]}}";
    size_t n = sizeof fmt + strlen(trees);
    char *s = malloc(n);
    snprintf(s, n, fmt, trees);
    return s;
}

/* Load doc_with_trees(trees) as "t.json"; returns the loader's status, message in err. */
static int load_trees(const char *trees, hm_paths **out, char *err, size_t errlen) {
    char *doc = doc_with_trees(trees);
    int rc = hm_paths_load_buffer(doc, strlen(doc), "t.json", out, err, errlen);
    free(doc);
    return rc;
}

static void expect_error(const char *trees, const char *fragment) {
    EXPECT_LOAD_ERROR(load_trees, hm_paths, trees, "t.json", fragment);
}

/* ---- loading and merging -------------------------------------------------------------------- */

static void test_paths_callgraph_tree(void **state) {
    (void)state;
    hm_paths *p = load_fixture("callgraph.json");
    /* root + run, checksum, count_primes, is_prime, fib, msort, merge */
    assert_int_equal(p->nnodes, 8);
    assert_int_equal(p->nfunctions, 7);
    assert_int_equal(p->nfiles, 1);
    assert_int_equal(p->ntrees, 1);
    /* pre-order, children by name */
    static const char *const order[] = {"run", "checksum", "count_primes", "is_prime",
                                        "fib", "msort",    "merge"};
    for (size_t i = 1; i < p->nnodes; i++) {
        assert_string_equal(p->functions[p->nodes[i].function].name, order[i - 1]);
        assert_true(p->nodes[i].parent < i);
        assert_int_equal(p->nodes[i].depth, p->nodes[p->nodes[i].parent].depth + 1);
    }
    /* fib(5): 2*F(6)-1 = 15 calls collapsed into one node under run; msort of 8: 15 and 7 merges */
    assert_int_equal(p->nodes[node_at(p, "run;fib")].count, 15);
    assert_int_equal(p->nodes[node_at(p, "run;msort")].count, 15);
    assert_int_equal(p->nodes[node_at(p, "run;msort;merge")].count, 7);
    assert_int_equal(p->nodes[node_at(p, "run;count_primes;is_prime")].count, 10);
    assert_int_equal(node_at(p, "run;fib;fib"), SIZE_MAX);
    /* the root sums its children */
    assert_int_equal(p->nodes[HM_PATH_ROOT].total_ns, p->nodes[node_at(p, "run")].total_ns);
    char err[256];
    assert_int_equal(hm_paths_check_totals(p, err, sizeof err), 0);
    assert_int_equal(hm_paths_node_calls(p), hm_paths_function_calls(p));
    /* functions carry name, file, line, sorted */
    size_t fib = hm_paths_find_function(p, "fib", "callgraph.c", 16);
    assert_int_not_equal(fib, HM_PATH_NO_FUNCTION);
    assert_int_equal(p->functions[fib].count, 15);
    assert_int_equal(hm_paths_find_function(p, "fib", "callgraph.c", 17), HM_PATH_NO_FUNCTION);
    for (size_t f = 1; f < p->nfunctions; f++)
        assert_true(strcmp(p->functions[f - 1].name, p->functions[f].name) < 0);
    hm_paths_free(p);
}

/* Cross-check the merged tree's totals against the results loader on the same files. */
static void check_against_results(const char *const *names, size_t n) {
    char paths[4][1024], err[1024] = "";
    const char *files[4];
    for (size_t i = 0; i < n; i++) {
        snprintf(paths[i], sizeof paths[i], "%s/%s", HM_FIXTURES, names[i]);
        files[i] = paths[i];
    }
    hm_paths *p = NULL;
    hm_results *r = NULL;
    if (hm_paths_load_many(files, n, &p, err, sizeof err) != 0 ||
        hm_results_load_many(files, n, &r, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(hm_paths_node_self_ns(p), hm_results_self_ns(r));
    assert_int_equal(hm_paths_function_calls(p), hm_results_total_calls(r));
    assert_int_equal(p->nfunctions, r->nfunctions);
    assert_int_equal(hm_paths_check_totals(p, err, sizeof err), 0);
    if (p->folded_calls == 0)
        assert_int_equal(hm_paths_node_calls(p), hm_results_total_calls(r));
    hm_paths_free(p);
    hm_results_free(r);
}

static void test_paths_totals_match_results(void **state) {
    (void)state;
    static const char *const one[] = {"callgraph.json"};
    static const char *const threads[] = {"threads.json"};
    static const char *const two[] = {"threads.json", "threads2.json"};
    static const char *const folded[] = {"folded.json"};
    check_against_results(one, 1);
    check_against_results(threads, 1);
    check_against_results(two, 2);
    check_against_results(folded, 1);
}

static void test_paths_merge_threads_and_files(void **state) {
    (void)state;
    hm_paths *a = load_fixture("threads.json"), *b = load_fixture("threads2.json");
    const char *names[] = {"threads.json", "threads2.json"};
    hm_paths *m = load_fixtures(names, 2);
    /* main thread tree + "exited" tree of the two workers: 11 distinct paths + root */
    assert_int_equal(a->ntrees, 2);
    assert_int_equal(a->nnodes, 12);
    assert_int_equal(m->nnodes, 12); /* the same paths, whatever the ids in each file */
    assert_int_equal(m->nfiles, 2);
    assert_int_equal(m->ntrees, 4);
    static const char *const stacks[] = {
        "main_loop;report",
        "worker;crunch",
        "worker;parse_expr;parse_term;parse_expr;parse_term",
        "worker;ns::Parser<std::map<std::string, int>>::parse(char const*, int);crunch",
    };
    for (size_t i = 0; i < sizeof stacks / sizeof *stacks; i++) {
        size_t x = node_at(a, stacks[i]), y = node_at(b, stacks[i]), z = node_at(m, stacks[i]);
        assert_int_not_equal(x, SIZE_MAX);
        assert_int_not_equal(y, SIZE_MAX);
        assert_int_not_equal(z, SIZE_MAX);
        assert_int_equal(m->nodes[z].count, a->nodes[x].count + b->nodes[y].count);
        assert_int_equal(m->nodes[z].self_ns, a->nodes[x].self_ns + b->nodes[y].self_ns);
        assert_int_equal(m->nodes[z].total_ns, a->nodes[x].total_ns + b->nodes[y].total_ns);
    }
    /* 2 workers × (3 + k) crunch calls + 1 under the parser; scale 2 doubles the loop */
    assert_int_equal(a->nodes[node_at(a, "worker;crunch")].count, 3 + 4);
    assert_int_equal(b->nodes[node_at(b, "worker;crunch")].count, 6 + 7);
    assert_int_equal(a->nodes[node_at(a, "worker")].count, 2);
    /* mutual recursion makes new nodes: parse_expr appears at depth 2 and 4 */
    assert_int_equal(a->nodes[node_at(a, "worker;parse_expr;parse_term;parse_expr")].depth, 4);
    hm_paths_free(a);
    hm_paths_free(b);
    hm_paths_free(m);
}

static void test_paths_merge_within_file(void **state) {
    (void)state;
    char err[1024] = "";
    hm_paths *p = NULL;
    /* Two trees with the same paths, nodes listed child first, and a duplicate node for the same
     * path inside one tree (the runtime may make one when a signal handler races): all merged. */
    int rc = load_trees("{\"thread\": 7, \"nodes\": [[5, 4, 2, 2, 20, 25], [4, 0, 1, 1, 10, 40]]},"
                        "{\"thread\": \"exited\", \"nodes\": [[9, 0, 1, 0, 0, 0], [10, 9, 2, 0, "
                        "0, 0], [11, 9, 3, 3, 30, 30], [12, 9, 3, 0, 0, 0]]}",
                        &p, err, sizeof err);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(p->nnodes, 4); /* root, a, a;b, a;c */
    assert_int_equal(p->nodes[node_at(p, "a")].count, 1);
    assert_int_equal(p->nodes[node_at(p, "a")].total_ns, 40);
    assert_int_equal(p->nodes[node_at(p, "a;b")].count, 2);
    assert_int_equal(p->nodes[node_at(p, "a;c")].count, 3);
    assert_int_equal(p->nodes[node_at(p, "a;c")].self_ns, 30);
    assert_int_equal(hm_paths_check_totals(p, err, sizeof err), 0);
    /* count 0 is allowed (a call still running at exit) */
    hm_paths_free(p);
}

/* A chain of n alternating a/b nodes listed leaf first: mutual recursion as deep as the node
 * limit allows. Loading must stay linear (it once walked each chain from the top). */
static void test_paths_deep_chain(void **state) {
    (void)state;
    enum { N = 60000 };
    size_t cap = (size_t)N * 48 + 64;
    char *trees = malloc(cap);
    size_t at = (size_t)snprintf(trees, cap, "{\"thread\": 1, \"nodes\": [");
    for (size_t i = N; i >= 1; i--)
        at += (size_t)snprintf(trees + at, cap - at, "[%zu, %zu, %d, 1, 1, %zu]%s", i, i - 1,
                               i % 2 ? 1 : 2, N - i + 1, i > 1 ? "," : "");
    snprintf(trees + at, cap - at, "]}");
    char err[1024] = "";
    hm_paths *p = NULL;
    int rc = load_trees(trees, &p, err, sizeof err);
    free(trees);
    if (rc != 0)
        fail_msg("%s", err);
    assert_int_equal(p->nnodes, N + 1);
    assert_int_equal(p->nodes[N].depth, N);
    assert_int_equal(hm_paths_node_self_ns(p), N);
    hm_paths_free(p);
}

/* ---- validation ----------------------------------------------------------------------------- */

static void test_paths_errors_name_file_and_node(void **state) {
    (void)state;
    expect_error("{\"thread\": 1, \"nodes\": [[4, 0, 1, 1, 1, 1], [4, 0, 2, 1, 1, 1]]}",
                 "paths.trees[0] (thread 1).nodes[1]: node id 4 is already used by nodes[0]");
    expect_error("{\"thread\": 1, \"nodes\": [[4, 9, 1, 1, 1, 1]]}",
                 "nodes[0] (node 4): parent 9 does not exist");
    expect_error(
        "{\"thread\": \"exited\", \"nodes\": [[4, 0, 7, 1, 1, 1]]}",
        "paths.trees[0] (exited).nodes[0] (node 4): function id 7 is not in \"functions\"");
    expect_error("{\"thread\": 1, \"nodes\": [[4, 5, 1, 1, 1, 1], [5, 4, 2, 1, 1, 1]]}",
                 "the parents form a cycle");
    expect_error("{\"thread\": 1, \"nodes\": [[4, 0, 1, 1, 50, 10]]}",
                 "(node 4): self_ns 50 exceeds total_ns 10");
    expect_error("{\"thread\": 1, \"nodes\": [[4, 0, 1, 1, 1]]}",
                 "nodes[0]: expected [node_id, parent_id, function_id, count, self_ns, total_ns]");
    expect_error("{\"thread\": 1, \"nodes\": [[4, 0, 1, -1, 1, 1]]}",
                 "element 3 is not a non-negative integer");
    expect_error("{\"thread\": 1, \"nodes\": [[0, 0, 1, 1, 1, 1]]}", "node id 0 is reserved");
    expect_error("{\"thread\": 1, \"nodes\": {}}", "paths.trees[0] (thread 1): missing or "
                                                   "non-array \"nodes\"");
    expect_error("{\"nodes\": []}", "\"thread\" must be a thread id or \"exited\"");
    expect_error("{\"thread\": 1, \"nodes\": [[4, 0, 1, 1, 1, 1]]}, {\"thread\": 2, \"nodes\": "
                 "[[4, 0, 1, 1, 1, 1], [6, 4, 3, 1, 2, 1]]}",
                 "paths.trees[1] (thread 2).nodes[1] (node 6): self_ns 2 exceeds total_ns 1");
}

static void test_paths_errors_file_level(void **state) {
    (void)state;
    char err[1024] = "";
    hm_paths *p = NULL;
    const char *nopaths = "{\"version\": 1, \"functions\": []}";
    assert_int_equal(hm_paths_load_buffer(nopaths, strlen(nopaths), "r.json", &p, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "r.json: no call paths"));
    const char *dup = "{\"version\": 1, \"functions\": [{\"id\": 1, \"name\": \"a\", \"count\": 1, "
                      "\"self_ns\": 1}, {\"id\": 1, \"name\": \"b\", \"count\": 1, \"self_ns\": "
                      "1}], \"paths\": {\"trees\": []}}";
    assert_int_equal(hm_paths_load_buffer(dup, strlen(dup), "r.json", &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "functions: id 1 is used by both \"a\" and \"b\""));
    const char *noid = "{\"version\": 1, \"functions\": [{\"name\": \"a\", \"count\": 1, "
                       "\"self_ns\": 1}], \"paths\": {\"trees\": []}}";
    assert_int_equal(hm_paths_load_buffer(noid, strlen(noid), "r.json", &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "functions[0]: missing key \"id\""));
    const char *v2 = "{\"version\": 2, \"functions\": [], \"paths\": {\"trees\": []}}";
    assert_int_equal(hm_paths_load_buffer(v2, strlen(v2), "r.json", &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "not a version 1 results file"));
    assert_int_equal(hm_paths_load_buffer("{", 1, "r.json", &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "r.json: truncated: the JSON text ends early"));
    assert_int_equal(hm_paths_load_buffer("{]", 2, "r.json", &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "r.json: not valid JSON"));
    assert_int_equal(hm_paths_load("/nonexistent/h.json", &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "/nonexistent/h.json: cannot open"));
    /* the second of two files is named */
    char good[1024];
    snprintf(good, sizeof good, "%s/callgraph.json", HM_FIXTURES);
    char bad[1024];
    snprintf(bad, sizeof bad, "%s/nopaths.json", HM_FIXTURES);
    const char *files[] = {good, bad};
    assert_int_equal(hm_paths_load_many(files, 2, &p, err, sizeof err), -1);
    assert_non_null(strstr(err, "nopaths.json: no call paths"));
    assert_null(p);
}

static void test_paths_totals_check(void **state) {
    (void)state;
    char err[1024] = "";
    hm_paths *p = NULL;
    /* a: 1 call, 10 ns; b: 2 calls, 20 ns; c: 3 calls, 30 ns in `functions`; here b is short */
    assert_int_equal(load_trees("{\"thread\": 1, \"nodes\": [[1, 0, 1, 1, 10, 100], [2, 1, 2, 1, "
                                "20, 30], [3, 1, 3, 3, 30, 30]]}",
                                &p, err, sizeof err),
                     0);
    assert_int_equal(hm_paths_check_totals(p, err, sizeof err), -1);
    assert_non_null(strstr(err, "b: its nodes count 1 calls and 20 ns, the function 2 calls"));
    size_t b = hm_paths_find_function(p, "b", "b.c", 2);
    assert_int_equal(hm_paths_unplaced_calls(p, b), 1);
    hm_paths_free(p);
    /* the folded fixture: calls beyond the node limit are not in any node's count */
    p = load_fixture("folded.json");
    assert_int_equal(p->max_nodes, 5);
    assert_true(p->folded_calls > 0);
    assert_int_equal(hm_paths_check_totals(p, err, sizeof err), 0);
    uint64_t unplaced = 0;
    for (size_t f = 0; f < p->nfunctions; f++)
        unplaced += hm_paths_unplaced_calls(p, f);
    assert_int_equal(unplaced, p->folded_calls);
    assert_int_equal(hm_paths_node_calls(p) + unplaced, hm_paths_function_calls(p));
    hm_paths_free(p);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_paths_callgraph_tree),
    cmocka_unit_test(test_paths_totals_match_results),
    cmocka_unit_test(test_paths_merge_threads_and_files),
    cmocka_unit_test(test_paths_merge_within_file),
    cmocka_unit_test(test_paths_deep_chain),
    cmocka_unit_test(test_paths_errors_name_file_and_node),
    cmocka_unit_test(test_paths_errors_file_level),
    cmocka_unit_test(test_paths_totals_check),
})
