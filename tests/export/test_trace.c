/* Unit tests of results/trace_load.c: the trace file's name beside a results file (the format's
 * rule, hm_trace_path_for), loading a fixture whose events add up to the functions' self times,
 * and the nesting and ordering checks, each error naming the trace file, thread and event.
 *
 * Fixtures are tests/export/fixtures (gen_fixtures.py).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "export_test.h"
#include "hm_trace.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_trace_path_for(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(hm_trace_path_for("heatmap.json", out, sizeof out), 18);
    assert_string_equal(out, "heatmap.trace.json");
    assert_int_equal(hm_trace_path_for("/tmp/run", out, sizeof out), 19);
    assert_string_equal(out, "/tmp/run.trace.json");
    assert_int_equal(hm_trace_path_for("a-rather-long-name-that-will-not-fit.json", out, 16), -1);
    assert_string_equal(out, "");
}

/* A results file named exactly ".json" has no name to keep: the suffix is appended, as the
 * runtime names the trace it writes (results_format.h). */
static void test_trace_path_for_bare_json(void **state) {
    (void)state;
    char out[64];
    assert_int_equal(hm_trace_path_for(".json", out, sizeof out), 16);
    assert_string_equal(out, ".json.trace.json");
}

static void test_trace_fixture(void **state) {
    (void)state;
    char path[1024], err[1024] = "";
    snprintf(path, sizeof path, "%s/threads.json", HM_FIXTURES);
    hm_trace *t = NULL;
    if (hm_trace_load(path, NULL, &t, err, sizeof err) != 0)
        fail_msg("%s", err);
    assert_int_equal(t->nthreads, 3);
    assert_int_equal(t->pid, 100);
    assert_int_equal(t->threads[1].tid, 101);
    assert_string_equal(t->threads[1].name, "worker-0");
    /* every enter has its exit, and the self times of the events add up to the functions' */
    uint64_t *self = calloc(t->nfunctions, sizeof *self);
    for (size_t i = 0; i < t->nthreads; i++) {
        const hm_trace_thread *th = &t->threads[i];
        assert_int_equal(th->open_at_end, 0);
        assert_int_equal(th->nevents % 2, 0);
        uint64_t child[64] = {0}, start[64];
        size_t depth = 0;
        for (size_t e = 0; e < th->nevents; e++) {
            const hm_trace_event *ev = &th->events[e];
            if (ev->enter) {
                start[depth] = ev->ns;
                child[depth++] = 0;
            } else {
                uint64_t elapsed = ev->ns - start[--depth];
                self[ev->function] += elapsed - child[depth];
                if (depth > 0)
                    child[depth - 1] += elapsed;
            }
        }
    }
    for (size_t f = 0; f < t->nfunctions; f++)
        assert_int_equal(self[f], t->functions[f].self_ns);
    free(self);
    hm_trace_free(t);
    snprintf(path, sizeof path, "%s/folded.json", HM_FIXTURES);
    assert_int_equal(hm_trace_load(path, NULL, &t, err, sizeof err), HM_TRACE_MISSING);
    assert_non_null(strstr(err, "HEATMAP_TRACE=1"));
}

static int load_trace_text(const char *events, hm_trace **t, char *err, size_t errlen) {
    const char *results = "{\"version\": 1, \"elapsed_ns\": 500, \"functions\": ["
                          "{\"id\": 1, \"name\": \"a\", \"count\": 1, \"self_ns\": 1},"
                          "{\"id\": 2, \"name\": \"b\", \"count\": 1, \"self_ns\": 1}]}";
    char trace[2048];
    snprintf(trace, sizeof trace,
             "{\"version\": 1, \"pid\": 3, \"threads\": [{\"tid\": 9, \"name\": \"x\", "
             "\"dropped_events\": 0, \"events\": [%s]}]}",
             events);
    return hm_trace_load_buffers(results, strlen(results), "r.json", trace, strlen(trace),
                                 "r.trace.json", t, err, errlen);
}

static void expect_trace_error(const char *events, const char *fragment) {
    EXPECT_LOAD_ERROR(load_trace_text, hm_trace, events, "r.trace.json", fragment);
}

static void test_trace_errors(void **state) {
    (void)state;
    expect_trace_error("[0, 1, 1], [5, 2, 1], [4, 2, 0], [6, 1, 0]",
                       "threads[0] (tid 9).events[2]: time 4 ns is before the previous event's 5");
    expect_trace_error("[0, 1, 1], [5, 2, 1], [6, 1, 0]",
                       "events[2]: exit of a while b is the innermost open frame");
    expect_trace_error("[0, 1, 0]", "events[0]: exit of a without an open frame");
    expect_trace_error("[0, 7, 1]", "events[0]: function id 7 is not in the results file");
    expect_trace_error("[0, 1, 2]", "events[0]: kind 2 (expected 1 enter or 0 exit)");
    expect_trace_error("[0, 1]", "events[0]: expected [ns_since_start, function_id, kind]");
    /* frames left open (a thread still running at exit) are allowed and counted */
    char err[1024] = "";
    hm_trace *t = NULL;
    assert_int_equal(
        load_trace_text("[0, 1, 1], [5, 2, 1], [6, 2, 0], [7, 2, 1]", &t, err, sizeof err), 0);
    assert_int_equal(t->threads[0].open_at_end, 2);
    assert_int_equal(t->end_ns, 500);
    hm_trace_free(t);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_trace_path_for),
    cmocka_unit_test(test_trace_path_for_bare_json),
    cmocka_unit_test(test_trace_fixture),
    cmocka_unit_test(test_trace_errors),
})
