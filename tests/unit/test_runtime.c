/* Unit tests of the runtime: self-time accounting, recursion, histogram, compensation, threads,
 * stack overflow handling, output paths and the results writer, with an injected clock; and the
 * wait wrappers' EINTR rule (only the runtime's own signals are retried away). */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <pthread.h>

#include "heatmap/results_format.h"
#include "rt.h"

static hm_func_record rec_a = {"a", "t.c", 1, 0};
static hm_func_record rec_b = {"b", "t.c", 2, 0};
static hm_func_record rec_c = {"c", "t.c", 3, 0};
static hm_func_record rec_a_again = {"a", "t.c", 1, 0}; /* same function from another module */

static hm_func_record *const records[] = {&rec_a, &rec_b, &rec_c};
static hm_module_table table = {HM_ABI_VERSION, 3, records};

static void advance(uint64_t ns) {
    hm_test_clock_ticks += ns;
}

static hm_collected collect(hm_func_record *r, uint64_t *hist) {
    hm_collected c;
    static uint64_t scratch[HM_RT_BUCKETS];
    hm_collect_function(r->id, NULL, &c, hist ? hist : scratch);
    return c;
}

/* Every test starts from zeroed statistics and no compensation. */
static int setup(void **state) {
    __heatmap_register_v1(&table);
    hm_tls *t = &hm_tls_self;
    for (uint32_t id = 1; id <= hm_registry_count(); id++)
        hm_thread_forget_function(t, id);
    if (t->data)
        t->data->outer_ticks = 0;
    hm_rt.comp_self_ns = hm_rt.comp_child_ns = 0;
    return 0;
}

static void test_runtime_self_time_excludes_children(void **state) {
    __heatmap_enter_v1(&rec_a);
    advance(100);
    __heatmap_enter_v1(&rec_b);
    advance(30);
    __heatmap_exit_v1(&rec_b);
    advance(70);
    __heatmap_enter_v1(&rec_c);
    advance(5);
    __heatmap_exit_v1(&rec_c);
    advance(1);
    __heatmap_exit_v1(&rec_a);

    hm_collected a = collect(&rec_a, NULL), b = collect(&rec_b, NULL), c = collect(&rec_c, NULL);
    assert_int_equal(a.count, 1);
    assert_int_equal(a.self_ns, 171); /* 206 elapsed - 30 - 5 */
    assert_int_equal(b.self_ns, 30);
    assert_int_equal(c.self_ns, 5);
    assert_int_equal(c.max_ns, 5);
    /* Invariant: self times add up to the time inside the outermost frame. */
    assert_int_equal(a.self_ns + b.self_ns + c.self_ns, hm_tls_self.data->outer_ticks);
}

static void test_runtime_recursion_counts_every_call(void **state) {
    /* a(3) -> a(2) -> a(1): each level does 10 ns of its own work before and after. */
    for (int i = 0; i < 3; i++) {
        __heatmap_enter_v1(&rec_a);
        advance(10);
    }
    for (int i = 0; i < 3; i++) {
        advance(10);
        __heatmap_exit_v1(&rec_a);
    }
    hm_collected a = collect(&rec_a, NULL);
    assert_int_equal(a.count, 3);
    assert_int_equal(a.self_ns, 60);
    assert_int_equal(a.max_ns, 20);
}

static void test_runtime_same_function_two_modules_share_id(void **state) {
    static hm_func_record *const other[] = {&rec_a_again};
    static hm_module_table other_table = {HM_ABI_VERSION, 1, other};
    __heatmap_register_v1(&other_table);
    assert_int_not_equal(rec_a.id, 0);
    assert_int_equal(rec_a_again.id, rec_a.id);
    assert_int_not_equal(rec_b.id, rec_a.id);
}

static void test_runtime_histogram_and_max(void **state) {
    static const uint64_t samples[] = {3, 31, 32, 33, 1000, 1000, 123456789};
    uint64_t hist[HM_RT_BUCKETS];
    for (size_t i = 0; i < sizeof samples / sizeof *samples; i++) {
        __heatmap_enter_v1(&rec_b);
        advance(samples[i]);
        __heatmap_exit_v1(&rec_b);
    }
    hm_collected b = collect(&rec_b, hist);
    assert_int_equal(b.count, 7);
    assert_int_equal(b.max_ns, 123456789);
    assert_int_equal(hist[3], 1);
    assert_int_equal(hist[31], 1);
    assert_int_equal(hist[hm_hist_index(32)], 1);
    assert_int_equal(hist[hm_hist_index(33)], 1);
    assert_int_equal(hist[hm_hist_index(1000)], 2);
    assert_int_equal(hist[hm_hist_index(123456789)], 1);
    assert_true(hm_hist_lower(hm_hist_index(1000)) <= 1000);
    assert_true(1000 < hm_hist_lower(hm_hist_index(1000)) + hm_hist_width(hm_hist_index(1000)));
}

/* The histogram is kept as runs of calls in one bucket folded into hist[] when the bucket
 * changes: every mix of runs and alternations must give exactly the per-bucket counts, the open
 * run included, and the thread merge must carry the open run too. */
static void test_runtime_histogram_runs_are_exact(void **state) {
    static uint64_t want[HM_RT_BUCKETS], hist[HM_RT_BUCKETS];
    memset(want, 0, sizeof want);
    uint32_t x = 12345;
    for (int i = 0; i < 20000; i++) {
        x = x * 1103515245u + 12345u;
        /* long runs of one value, short alternations, and some spread */
        uint64_t v = (i / 700) % 3 == 0 ? 7 : (i % 2 ? 40 + (x >> 28) : 1000 + (x >> 20));
        __heatmap_enter_v1(&rec_c);
        advance(v);
        __heatmap_exit_v1(&rec_c);
        want[hm_hist_index(v)]++;
    }
    hm_collected c = collect(&rec_c, hist);
    assert_int_equal(c.count, 20000);
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
        if (hist[b] != want[b])
            fail_msg("bucket %u: %llu calls, expected %llu", b, (unsigned long long)hist[b],
                     (unsigned long long)want[b]);
}

static void test_runtime_compensation_is_taken_off_self_and_parent(void **state) {
    hm_rt.comp_self_ns = 4;
    hm_rt.comp_child_ns = 6;
    __heatmap_enter_v1(&rec_a);
    advance(50);
    for (int i = 0; i < 2; i++) {
        __heatmap_enter_v1(&rec_b);
        advance(10);
        __heatmap_exit_v1(&rec_b);
    }
    __heatmap_exit_v1(&rec_a);
    /* b: 10 - 4 each; a: 70 elapsed - 20 children - 4 own - 2*6 for its children's calls */
    assert_int_equal(collect(&rec_b, NULL).self_ns, 12);
    assert_int_equal(collect(&rec_a, NULL).self_ns, 34);
    /* Never below zero. */
    __heatmap_enter_v1(&rec_c);
    advance(1);
    __heatmap_exit_v1(&rec_c);
    assert_int_equal(collect(&rec_c, NULL).self_ns, 0);
    assert_int_equal(collect(&rec_c, NULL).count, 1);
}

static void test_runtime_unmatched_exit_is_ignored(void **state) {
    __heatmap_exit_v1(&rec_c); /* nothing open */
    __heatmap_enter_v1(&rec_a);
    advance(5);
    __heatmap_exit_v1(&rec_b); /* not the top frame */
    advance(5);
    __heatmap_exit_v1(&rec_a);
    assert_int_equal(collect(&rec_a, NULL).count, 1);
    assert_int_equal(collect(&rec_a, NULL).self_ns, 10);
    assert_int_equal(collect(&rec_b, NULL).count, 0);
    assert_int_equal(hm_tls_self.depth, 0);
}

static void test_runtime_frames_beyond_capacity_are_dropped_and_counted(void **state) {
    hm_tls *t = &hm_tls_self;
    uint32_t saved = t->capacity;
    uint64_t dropped = t->data->dropped_calls;
    t->capacity = 3;
    for (int i = 0; i < 5; i++)
        __heatmap_enter_v1(&rec_a);
    advance(7);
    for (int i = 0; i < 5; i++)
        __heatmap_exit_v1(&rec_a);
    t->capacity = saved;
    assert_int_equal(t->depth, 0);
    assert_int_equal(t->overflow, 0);
    assert_int_equal(collect(&rec_a, NULL).count, 3);
    assert_int_equal(t->data->dropped_calls - dropped, 2);
}

static void *thread_work(void *arg) {
    for (int i = 0; i < 1000; i++) {
        __heatmap_enter_v1(&rec_c);
        __heatmap_exit_v1(&rec_c);
    }
    return arg;
}

static void test_runtime_threads_merge_at_exit(void **state) {
    pthread_t th[4];
    for (int i = 0; i < 4; i++)
        assert_int_equal(pthread_create(&th[i], NULL, thread_work, NULL), 0);
    for (int i = 0; i < 4; i++)
        pthread_join(th[i], NULL);
    thread_work(NULL);
    static uint64_t hist[HM_RT_BUCKETS];
    assert_int_equal(collect(&rec_c, hist).count, 5000);
    uint64_t in_hist = 0; /* merged threads' open runs of one bucket included */
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
        in_hist += hist[b];
    assert_int_equal(in_hist, 5000);
    int merged = 0;
    for (hm_thread_data *d = atomic_load(&hm_rt.threads); d; d = d->next)
        if (atomic_load(&d->merged) && d->calls == 1000)
            merged++;
    assert_true(merged >= 4);
}

static void test_runtime_output_path_patterns(void **state) {
    char out[512], want[512];
    hm_expand_output_path("run-%p.json", false, out, sizeof out);
    snprintf(want, sizeof want, "run-%d.json", (int)getpid());
    assert_string_equal(out, want);
    hm_expand_output_path("dir/heatmap.json", true, out, sizeof out);
    snprintf(want, sizeof want, "dir/heatmap.%d.json", (int)getpid());
    assert_string_equal(out, want);
    hm_expand_output_path("a.b/results", true, out, sizeof out);
    snprintf(want, sizeof want, "a.b/results.%d", (int)getpid());
    assert_string_equal(out, want);
    hm_expand_output_path("100%%-%h", false, out, sizeof out);
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    snprintf(want, sizeof want, "100%%-%s", host);
    assert_string_equal(out, want);
}

/* The trace file's name beside a results file (hm_trace_path_for, used by trace_write.c). */
static void test_runtime_trace_path_names(void **state) {
    char out[64];
    assert_int_equal(hm_trace_path_for("a.json", out, sizeof out), 12);
    assert_string_equal(out, "a.trace.json");
    assert_int_equal(hm_trace_path_for(".json", out, sizeof out), 16);
    assert_string_equal(out, ".json.trace.json");
    assert_int_equal(hm_trace_path_for("dir/heatmap.json", out, sizeof out), 22);
    assert_string_equal(out, "dir/heatmap.trace.json");
    assert_int_equal(hm_trace_path_for("results", out, sizeof out), 18);
    assert_string_equal(out, "results.trace.json");
    char small[12]; /* "a.trace.json" needs 13 bytes */
    assert_int_equal(hm_trace_path_for("a.json", small, sizeof small), -1);
    assert_string_equal(small, "");
}

static json_t *find_function(json_t *root, const char *name) {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(root, "functions"), i, f) {
        if (strcmp(json_string_value(json_object_get(f, "name")), name) == 0)
            return f;
    }
    return NULL;
}

static void test_runtime_writer_round_trip(void **state) {
    for (int i = 1; i <= 100; i++) { /* b: self times 1..100 ns */
        __heatmap_enter_v1(&rec_b);
        advance((uint64_t)i);
        __heatmap_exit_v1(&rec_b);
    }
    char path[] = "/tmp/hm-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    snprintf(hm_rt.output_pattern, sizeof hm_rt.output_pattern, "%s", path);
    assert_int_equal(hm_write_results("exit"), 0);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), 1);
    assert_string_equal(json_string_value(json_object_get(root, "end")), "exit");
    json_t *b = find_function(root, "b");
    assert_non_null(b);
    assert_int_equal(json_integer_value(json_object_get(b, "count")), 100);
    assert_int_equal(json_integer_value(json_object_get(b, "self_ns")), 5050);
    assert_int_equal(json_integer_value(json_object_get(b, "max_ns")), 100);
    /* Exact nearest-rank P95 is 95; the bucket holding it is [94, 96): midpoint 94. */
    json_int_t p95 = json_integer_value(json_object_get(b, "p95_ns"));
    assert_true(p95 >= 94 * 0.984 && p95 <= 95 * 1.016);
    assert_null(find_function(root, "heatmap.calibration.leaf"));
    json_t *hist = json_object_get(b, "histogram");
    json_int_t total = 0;
    size_t i;
    json_t *pair;
    json_array_foreach(hist, i, pair) total += json_integer_value(json_array_get(pair, 1));
    assert_int_equal(total, 100);
    json_decref(root);
    unlink(path);
}

static void test_runtime_writer_reports_unwritable_path(void **state) {
    snprintf(hm_rt.output_pattern, sizeof hm_rt.output_pattern, "/nonexistent-dir/x/heatmap.json");
    int rc = hm_write_results("exit");
    const char *atexit_path = getenv("HEATMAP_OUTPUT");
    snprintf(hm_rt.output_pattern, sizeof hm_rt.output_pattern, "%s",
             atexit_path ? atexit_path : "heatmap.json");
    assert_int_equal(rc, -1);
    assert_int_not_equal(access("/nonexistent-dir/x/heatmap.json.tmp", F_OK), 0);
}

/* EINTR through the wait wrappers: a signal the runtime sent (the handler counts it in
 * our_signals, as the CPU sampler's does) is retried away; anyone else's reaches the program. */
static volatile sig_atomic_t kick_ours, kick_done;

static void on_kick(int sig) {
    (void)sig;
    if (kick_ours)
        hm_tls_self.our_signals++;
}

static void *kicker(void *arg) {
    pthread_t target = *(pthread_t *)arg;
    while (!kick_done) { /* until the call returns: one kick must land inside it */
        struct timespec d = {0, 10000000};
        nanosleep(&d, NULL);
        if (!kick_done)
            pthread_kill(target, SIGUSR1);
    }
    return NULL;
}

/* Run a 200 ms nanosleep (use_poll: poll with no fds) under kicks; returns 0 or -errno. */
static int wait_under_kicks(int ours, int use_poll) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_kick; /* no SA_RESTART: the kicks interrupt */
    sigemptyset(&sa.sa_mask);
    sigaction(SIGUSR1, &sa, NULL);
    kick_ours = ours;
    kick_done = 0;
    pthread_t self = pthread_self(), k;
    pthread_create(&k, NULL, kicker, &self);
    struct timespec req = {0, 200000000};
    errno = 0;
    int rc = use_poll ? poll(NULL, 0, 200) : nanosleep(&req, NULL);
    int e = errno;
    kick_done = 1;
    pthread_join(k, NULL);
    signal(SIGUSR1, SIG_DFL);
    return rc == -1 ? -e : rc;
}

static void test_runtime_wrappers_retry_only_our_eintr(void **state) {
    assert_int_equal(wait_under_kicks(1, 0), 0);
    assert_int_equal(wait_under_kicks(1, 1), 0);
    assert_int_equal(wait_under_kicks(0, 0), -EINTR);
    assert_int_equal(wait_under_kicks(0, 1), -EINTR);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup(test_runtime_self_time_excludes_children, setup),
        cmocka_unit_test_setup(test_runtime_recursion_counts_every_call, setup),
        cmocka_unit_test_setup(test_runtime_same_function_two_modules_share_id, setup),
        cmocka_unit_test_setup(test_runtime_histogram_and_max, setup),
        cmocka_unit_test_setup(test_runtime_histogram_runs_are_exact, setup),
        cmocka_unit_test_setup(test_runtime_compensation_is_taken_off_self_and_parent, setup),
        cmocka_unit_test_setup(test_runtime_unmatched_exit_is_ignored, setup),
        cmocka_unit_test_setup(test_runtime_frames_beyond_capacity_are_dropped_and_counted, setup),
        cmocka_unit_test_setup(test_runtime_threads_merge_at_exit, setup),
        cmocka_unit_test_setup(test_runtime_output_path_patterns, setup),
        cmocka_unit_test(test_runtime_trace_path_names),
        cmocka_unit_test_setup(test_runtime_writer_round_trip, setup),
        cmocka_unit_test_setup(test_runtime_writer_reports_unwritable_path, setup),
        cmocka_unit_test(test_runtime_wrappers_retry_only_our_eintr),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
