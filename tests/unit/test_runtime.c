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
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/test_main.h"
#include <jansson.h>
#include <pthread.h>

#include "heatmap/results_format.h"
#include "rt.h"

static hm_func_record rec_a = {"a", "t.c", 1, 0, HM_STATE_TIMED};
static hm_func_record rec_b = {"b", "t.c", 2, 0, HM_STATE_TIMED};
static hm_func_record rec_c = {"c", "t.c", 3, 0, HM_STATE_TIMED};
static hm_func_record rec_a_again = {"a", "t.c", 1, 0,
                                     HM_STATE_TIMED}; /* same function from another module */

static hm_func_record *const records[] = {&rec_a, &rec_b, &rec_c};
static hm_module_table table = {HM_ABI_VERSION, 3, records};

/* The time source every test shares (runtime/clock.c, HM_TEST_CLOCK). */
extern uint64_t hm_test_clock_step;

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
    __heatmap_register_v3(&table);
    hm_tls *t = &hm_tls_self;
    for (uint32_t id = 1; id <= hm_registry_count(); id++)
        hm_thread_forget_function(t, id);
    if (t->data)
        t->data->outer_ticks = 0;
    hm_rt.comp_self_ns = hm_rt.comp_child_ns = hm_rt.comp_child_ticks = 0;
    hm_test_clock_step = 0;
    return 0;
}

static void test_runtime_self_time_excludes_children(void **state) {
    __heatmap_enter_v3(&rec_a);
    advance(100);
    __heatmap_enter_v3(&rec_b);
    advance(30);
    __heatmap_exit_v3(&rec_b);
    advance(70);
    __heatmap_enter_v3(&rec_c);
    advance(5);
    __heatmap_exit_v3(&rec_c);
    advance(1);
    __heatmap_exit_v3(&rec_a);

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
        __heatmap_enter_v3(&rec_a);
        advance(10);
    }
    for (int i = 0; i < 3; i++) {
        advance(10);
        __heatmap_exit_v3(&rec_a);
    }
    hm_collected a = collect(&rec_a, NULL);
    assert_int_equal(a.count, 3);
    assert_int_equal(a.self_ns, 60);
    assert_int_equal(a.max_ns, 20);
}

static void test_runtime_same_function_two_modules_share_id(void **state) {
    static hm_func_record *const other[] = {&rec_a_again};
    static hm_module_table other_table = {HM_ABI_VERSION, 1, other};
    __heatmap_register_v3(&other_table);
    assert_int_not_equal(rec_a.id, 0);
    assert_int_equal(rec_a_again.id, rec_a.id);
    assert_int_not_equal(rec_b.id, rec_a.id);
}

/* One call of `r` per sample, each taking that many ns of its own. */
static void record_calls(hm_func_record *r, const uint64_t *samples, size_t n) {
    for (size_t i = 0; i < n; i++) {
        __heatmap_enter_v3(r);
        advance(samples[i]);
        __heatmap_exit_v3(r);
    }
}

/* Calls counted in the runtime's buckets of a collected histogram. */
static uint64_t hist_total(const uint64_t *hist) {
    uint64_t total = 0;
    for (uint32_t i = 0; i < HM_RT_BUCKETS; i++)
        total += hist[i];
    return total;
}

static void test_runtime_histogram_and_max(void **state) {
    static const uint64_t samples[] = {3, 31, 32, 33, 1000, 1000, 123456789};
    uint64_t hist[HM_RT_BUCKETS];
    record_calls(&rec_b, samples, sizeof samples / sizeof *samples);
    hm_collected b = collect(&rec_b, hist);
    assert_int_equal(b.count, 7);
    assert_int_equal(b.max_ns, 123456789);
    /* Buckets worked out by hand from docs/results-format.md (S = 32), not with hm_hist_index:
     * 1000 = 0b1111101000: m = 9, g = 4, 1000 >> 4 = 62 -> 32 + 4*32 + 30 = 190;
     * 123456789: m = 26, g = 21, >> 21 = 58 -> 32 + 21*32 + 26 = 730. */
    assert_int_equal(hist[3], 1);
    assert_int_equal(hist[31], 1);
    assert_int_equal(hist[32], 1);
    assert_int_equal(hist[33], 1);
    assert_int_equal(hist[190], 2);
    assert_int_equal(hist[730], 1);
    assert_int_equal(hist_total(hist), 7);
}

/* A call's histogram bucket waits in its shadow-stack slot until the next pop from that slot
 * (runtime/hot_path.c, hm_record). A slot never used again keeps it: readers count it from the
 * slot, and settling moves it into the histogram once. */
static void test_runtime_histogram_pending_calls_counted_once(void **state) {
    uint64_t hist[HM_RT_BUCKETS];
    __heatmap_enter_v3(&rec_a);
    __heatmap_enter_v3(&rec_b);
    __heatmap_enter_v3(&rec_c); /* depth 3: reached once */
    advance(5);
    __heatmap_exit_v3(&rec_c);
    advance(40);
    __heatmap_exit_v3(&rec_b);
    __heatmap_exit_v3(&rec_a);
    hm_fstats *s = hm_tls_self.stats[rec_c.id];
    assert_int_equal(hm_stats_bucket_count(s, 5),
                     0); /* pending, not yet in the function's histogram */
    hm_collected c = collect(&rec_c, hist);
    assert_int_equal(c.count, 1);
    assert_int_equal(hist[5], 1);
    assert_int_equal(hist_total(hist), 1);
    collect(&rec_b, hist);
    assert_int_equal(hist[40], 1);
    assert_int_equal(hist_total(hist), 1);

    hm_hist_settle_all(&hm_tls_self);
    hm_hist_settle_all(&hm_tls_self); /* nothing left to count twice */
    assert_int_equal(hm_stats_bucket_count(s, 5), 1);
    collect(&rec_c, hist);
    assert_int_equal(hist[5], 1);
    assert_int_equal(hist_total(hist), 1);

    /* The next call from that slot counts the previous one there: still one entry per call. */
    __heatmap_enter_v3(&rec_a);
    __heatmap_enter_v3(&rec_b);
    __heatmap_enter_v3(&rec_c);
    advance(7);
    __heatmap_exit_v3(&rec_c);
    __heatmap_enter_v3(&rec_c);
    advance(9);
    __heatmap_exit_v3(&rec_c);
    __heatmap_exit_v3(&rec_b);
    __heatmap_exit_v3(&rec_a);
    c = collect(&rec_c, hist);
    assert_int_equal(c.count, 3);
    assert_int_equal(hist[5], 1);
    assert_int_equal(hist[7], 1);
    assert_int_equal(hist[9], 1);
    assert_int_equal(hist_total(hist), 3);
}

/* Deeper than HM_PENDING_DEPTH a call's bucket is counted at once: readers scan no more slots. */
static void test_runtime_histogram_deep_calls_counted_at_once(void **state) {
    uint64_t hist[HM_RT_BUCKETS];
    const uint32_t depth = HM_PENDING_DEPTH + 44;
    for (int round = 0; round < 2; round++) { /* the second time the slots hold calls already */
        for (uint32_t i = 0; i < depth; i++)
            __heatmap_enter_v3(&rec_a);
        for (uint32_t i = 0; i < depth; i++) {
            advance(3);
            __heatmap_exit_v3(&rec_a);
        }
    }
    hm_collected a = collect(&rec_a, hist);
    assert_int_equal(a.count, 2 * depth);
    assert_int_equal(hist[3], 2 * depth);
    assert_int_equal(hist_total(hist), 2 * depth);
    assert_true(hm_tls_self.pending_top <= HM_PENDING_DEPTH);
    /* in the function's own histogram: the deeper calls of both rounds, the first round's others */
    assert_int_equal(hm_stats_bucket_count(hm_tls_self.stats[rec_a.id], 3), depth + 44);
}

/* The runtime keeps 32 + 35*32 = 1152 buckets: the last, 1151, is [63 << 34, 2^40); 2^40 ns and
 * anything longer are counted there, and max_ns stays exact. */
static void test_runtime_histogram_last_bucket_clamps(void **state) {
    static const uint64_t samples[] = {
        (63ull << 34) - 1,  /* bucket 1150: the one below the last */
        (63ull << 34),      /* 1151, its lower bound */
        (1ull << 40) - 1,   /* 1151 */
        (1ull << 40),       /* would be 1152: clamped to 1151 */
        (1ull << 40) + 1,   /* clamped */
        (1ull << 41) + 5,   /* clamped */
        (1ull << 62) + 123, /* clamped */
    };
    static uint64_t hist[HM_RT_BUCKETS + 1];
    assert_int_equal(HM_RT_BUCKETS, 1152);
    memset(hist, 0, sizeof hist);
    hist[HM_RT_BUCKETS] = 0xdeadbeef; /* a guard: nothing may be written past the last bucket */
    record_calls(&rec_b, samples, sizeof samples / sizeof *samples);
    hm_collected b = collect(&rec_b, hist);
    assert_int_equal(b.count, 7);
    assert_int_equal(b.max_ns, (1ull << 62) + 123);
    assert_int_equal(hist[1150], 1);
    assert_int_equal(hist[1151], 6);
    assert_int_equal(hist[HM_RT_BUCKETS], 0xdeadbeef);
    assert_int_equal(hist_total(hist), 7);
    /* The same with runs broken up (each call alone in its bucket, then back). */
    static const uint64_t more[] = {1ull << 45, 5, 1ull << 44};
    record_calls(&rec_b, more, 3);
    collect(&rec_b, hist);
    assert_int_equal(hist[1151], 8);
    assert_int_equal(hist[5], 1);
    assert_int_equal(hist[HM_RT_BUCKETS], 0xdeadbeef);
}

/* The calibration takes the median per-call cost of its own empty calls. With a clock that
 * advances a fixed step at every read, every round costs the same, so the median is what one
 * empty call (and one parent of 256 of them) costs when measured here with compensation off. */
static void test_runtime_calibration_takes_the_cost_of_one_call(void **state) {
    hm_test_clock_step = 7;
    __heatmap_enter_v3(&rec_c); /* warm up c's stats */
    __heatmap_exit_v3(&rec_c);
    uint64_t before = collect(&rec_c, NULL).self_ns;
    __heatmap_enter_v3(&rec_c);
    __heatmap_exit_v3(&rec_c);
    uint64_t leaf = collect(&rec_c, NULL).self_ns - before;
    before = collect(&rec_a, NULL).self_ns;
    __heatmap_enter_v3(&rec_a);
    for (int i = 0; i < 256; i++) {
        __heatmap_enter_v3(&rec_c);
        __heatmap_exit_v3(&rec_c);
    }
    __heatmap_exit_v3(&rec_a);
    uint64_t parent = collect(&rec_a, NULL).self_ns - before;
    assert_true(leaf > 0);
    hm_calibrate();
    hm_test_clock_step = 0;
    assert_int_equal(hm_rt.comp_self_ns, leaf);
    assert_int_equal(hm_rt.comp_child_ns, parent / 256);
    /* The hot path adds the children's compensation in ticks (here 1 ns each). */
    assert_int_equal(hm_rt.comp_child_ticks, hm_rt.comp_child_ns);
    hm_rt.comp_self_ns = hm_rt.comp_child_ns = hm_rt.comp_child_ticks = 0;
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
        __heatmap_enter_v3(&rec_c);
        advance(v);
        __heatmap_exit_v3(&rec_c);
        want[hm_hist_index(v)]++;
    }
    hm_collected c = collect(&rec_c, hist);
    assert_int_equal(c.count, 20000);
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
        if (hist[b] != want[b])
            fail_msg("bucket %u: %llu calls, expected %llu", b, (unsigned long long)hist[b],
                     (unsigned long long)want[b]);
}

/* A 32-bit bucket that wraps carries 2^32 into the function's 64-bit spill: no call is lost. */
static void test_runtime_histogram_bucket_wrap_carries(void **state) {
    static uint64_t hist[HM_RT_BUCKETS];
    uint64_t values[] = {7, 40, 40}; /* a run of 7, then the histogram; 40 counted in it */
    for (size_t i = 0; i < sizeof values / sizeof *values; i++) {
        __heatmap_enter_v3(&rec_c);
        advance(values[i]);
        __heatmap_exit_v3(&rec_c);
    }
    hm_fstats *s = hm_tls_self.stats[rec_c.id];
    uint32_t b = hm_hist_index(40);
    assert_non_null(s->hist);
    uint32_t before = s->hist[b];
    s->hist[b] = UINT32_MAX; /* as if 2^32 - 1 calls had fallen there */
    __heatmap_enter_v3(&rec_c);
    advance(40);
    __heatmap_exit_v3(&rec_c);
    collect(&rec_c, hist);
    /* UINT32_MAX set, one more call, and the calls of that bucket not in hist[b] before */
    assert_int_equal(hist[b], (uint64_t)UINT32_MAX + 1 + (2 - before));
    assert_int_equal(hist[hm_hist_index(7)], 1);
}

static void test_runtime_compensation_is_taken_off_self_and_parent(void **state) {
    hm_rt.comp_self_ns = 4;
    hm_rt.comp_child_ns = hm_rt.comp_child_ticks = 6; /* ticks are ns here */
    __heatmap_enter_v3(&rec_a);
    advance(50);
    for (int i = 0; i < 2; i++) {
        __heatmap_enter_v3(&rec_b);
        advance(10);
        __heatmap_exit_v3(&rec_b);
    }
    __heatmap_exit_v3(&rec_a);
    /* b: 10 - 4 each; a: 70 elapsed - 20 children - 4 own - 2*6 for its children's calls */
    assert_int_equal(collect(&rec_b, NULL).self_ns, 12);
    assert_int_equal(collect(&rec_a, NULL).self_ns, 34);
    /* Never below zero. */
    __heatmap_enter_v3(&rec_c);
    advance(1);
    __heatmap_exit_v3(&rec_c);
    assert_int_equal(collect(&rec_c, NULL).self_ns, 0);
    assert_int_equal(collect(&rec_c, NULL).count, 1);
}

static void test_runtime_unmatched_exit_is_ignored(void **state) {
    __heatmap_exit_v3(&rec_c); /* nothing open */
    __heatmap_enter_v3(&rec_a);
    advance(5);
    __heatmap_exit_v3(&rec_b); /* not the top frame */
    advance(5);
    __heatmap_exit_v3(&rec_a);
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
        __heatmap_enter_v3(&rec_a);
    advance(7);
    for (int i = 0; i < 5; i++)
        __heatmap_exit_v3(&rec_a);
    t->capacity = saved;
    assert_int_equal(t->depth, 0);
    assert_int_equal(t->overflow, 0);
    assert_int_equal(collect(&rec_a, NULL).count, 3);
    assert_int_equal(t->data->dropped_calls - dropped, 2);
}

static void *thread_work(void *arg) {
    for (int i = 0; i < 1000; i++) {
        __heatmap_enter_v3(&rec_c);
        __heatmap_exit_v3(&rec_c);
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

/* ---- longjmp landings (__heatmap_landing_v3) ----
 * The landing function is the test itself: its callees below call enter from lower stack
 * addresses, as real ones do, and longjmp back; a direct enter call from the test stands for an
 * instrumented function inlined into it (an enter from the same machine frame). */
static jmp_buf land_env;

static __attribute__((noinline)) void land_deep(void) {
    __heatmap_enter_v3(&rec_c);
    advance(5);
    longjmp(land_env, 1);
}

static __attribute__((noinline)) void land_middle(void) {
    __heatmap_enter_v3(&rec_b);
    advance(5);
    land_deep();
}

static void test_runtime_landing_without_a_frame_closes_the_unwound_callees(void **state) {
    /* A count-only landing (no frame of its own) calls from the same address after each longjmp:
     * without the landing call the unwound frames piled up, one more per round, never counted. */
    hm_collected b0 = collect(&rec_b, NULL), c0 = collect(&rec_c, NULL);
    volatile int rounds = 0;
    if (setjmp(land_env) != 0) {
        __heatmap_landing_v3(NULL);
        assert_int_equal(hm_tls_self.depth, 0);
    }
    if (++rounds <= 3)
        land_middle();
    assert_int_equal(hm_tls_self.depth, 0);
    hm_collected b = collect(&rec_b, NULL), c = collect(&rec_c, NULL);
    assert_int_equal(b.count - b0.count, 3);
    assert_int_equal(c.count - c0.count, 3);
    /* each closed at the landing: 5 of its own, c's 5 apart */
    assert_int_equal(b.self_ns - b0.self_ns, 15);
    assert_int_equal(c.self_ns - c0.self_ns, 15);
}

static void test_runtime_landing_keeps_the_landing_frame(void **state) {
    /* a: the landing function, timed. b: an instrumented function inlined into it (same address),
     * unwound with it. c: a real callee. The landing closes b and c, and keeps a open. */
    hm_collected b0 = collect(&rec_b, NULL), c0 = collect(&rec_c, NULL);
    __heatmap_enter_v3(&rec_a);
    volatile int rounds = 0;
    if (setjmp(land_env) != 0) {
        __heatmap_landing_v3(&rec_a);
        assert_int_equal(hm_tls_self.depth, 1);
        assert_int_equal(hm_tls_self.stack[0].id, rec_a.id);
    }
    if (++rounds <= 2) {
        __heatmap_enter_v3(&rec_b);
        land_deep();
    }
    /* Nothing to close: the landing activation's own frame is on top. */
    __heatmap_landing_v3(&rec_a);
    assert_int_equal(hm_tls_self.depth, 1);
    advance(1);
    __heatmap_exit_v3(&rec_a);
    assert_int_equal(hm_tls_self.depth, 0);
    assert_int_equal(collect(&rec_a, NULL).count, 1);
    assert_int_equal(collect(&rec_a, NULL).self_ns, 1);
    assert_int_equal(collect(&rec_b, NULL).count - b0.count, 2);
    assert_int_equal(collect(&rec_c, NULL).count - c0.count, 2);
    assert_int_equal(collect(&rec_c, NULL).self_ns - c0.self_ns, 10);
}

static void test_runtime_landing_without_a_frame_keeps_frames_at_its_address(void **state) {
    /* No frame of the landing activation: a frame at its own address may be a live caller it is
     * inlined into (a here), so only the frames below it are closed. */
    hm_collected b0 = collect(&rec_b, NULL), c0 = collect(&rec_c, NULL);
    __heatmap_enter_v3(&rec_a);
    volatile int rounds = 0;
    if (setjmp(land_env) != 0)
        __heatmap_landing_v3(NULL);
    if (++rounds <= 2)
        land_middle();
    assert_int_equal(hm_tls_self.depth, 1);
    advance(1);
    __heatmap_exit_v3(&rec_a);
    assert_int_equal(collect(&rec_a, NULL).count, 1);
    assert_int_equal(collect(&rec_a, NULL).self_ns, 1);
    assert_int_equal(collect(&rec_b, NULL).count - b0.count, 2);
    assert_int_equal(collect(&rec_c, NULL).count - c0.count, 2);
}

/* A frame left open when the thread ends (unwound, its landing not instrumented) goes with the
 * thread's stack; an exit call that comes after the thread's merge (from a program's key
 * destructor, whose enter was refused) must then find nothing, not read the unmapped stack.
 * Checked from a destructor of the test's own, which runs after the runtime's (or asks to run
 * again until it has). */
static pthread_key_t after_key;
static volatile int after_depth = -1;

static void after_runtime_exit(void *arg) {
    if (!hm_tls_self.finished) { /* the runtime's destructor has not run yet */
        pthread_setspecific(after_key, arg);
        return;
    }
    after_depth = (int)hm_tls_self.depth;
    __heatmap_exit_v3(&rec_c);
}

static void *thread_leaves_frames_open(void *arg) {
    pthread_setspecific(after_key, arg);
    __heatmap_enter_v3(&rec_a);
    __heatmap_enter_v3(&rec_c);
    return NULL;
}

static void test_runtime_exit_after_thread_end_is_ignored(void **state) {
    assert_int_equal(pthread_key_create(&after_key, after_runtime_exit), 0);
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, thread_leaves_frames_open, &after_key), 0);
    pthread_join(th, NULL);
    assert_int_equal(after_depth, 0);
    pthread_key_delete(after_key);
}

/* ---- the call-path cache (paths.c) ---- */

static void test_runtime_path_cache_never_answers_a_wrong_node(void **state) {
    /* One function called from 8000 parents: more pairs than the direct-mapped cache has entries,
     * so some evict others of the same function. The cache answers a pair with its own node or
     * not at all (a cache that compared only the function would answer an evicted pair with the
     * node of the pair that took its entry). */
    enum { PARENTS = 8000, FUNC = 9000 };
    hm_tree tree;
    assert_true(hm_tree_init(&tree, 1u << 16));
    static uint32_t parent[PARENTS], node[PARENTS];
    for (uint32_t i = 0; i < PARENTS; i++)
        parent[i] = hm_tree_child(&tree, 0, i + 1);
    for (uint32_t i = 0; i < PARENTS; i++) {
        node[i] = hm_tree_child(&tree, parent[i], FUNC);
        assert_int_equal(hm_tree_cached(&tree, parent[i], FUNC), 0); /* not remembered yet */
        hm_tree_remember(&tree, parent[i], FUNC, node[i]);
        assert_int_equal(hm_tree_cached(&tree, parent[i], FUNC), node[i]);
    }
    uint32_t answered = 0;
    for (uint32_t i = 0; i < PARENTS; i++) {
        uint32_t got = hm_tree_cached(&tree, parent[i], FUNC);
        if (got != 0) {
            assert_int_equal(got, node[i]);
            answered++;
        }
        assert_int_equal(hm_tree_find(&tree, parent[i], FUNC), node[i]);
        assert_int_equal(hm_tree_cached(&tree, parent[i], FUNC + 1), 0); /* never made */
    }
    assert_true(answered > 0 && answered <= HM_TREE_CACHE); /* some kept, the rest evicted */
    hm_tree_clear(&tree);                                   /* the cache goes with the nodes */
    assert_int_equal(hm_tree_cached(&tree, parent[0], FUNC), 0);
    hm_tree_release(&tree);
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
        __heatmap_enter_v3(&rec_b);
        advance((uint64_t)i);
        __heatmap_exit_v3(&rec_b);
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

static void restore_output(void) {
    const char *atexit_path = getenv("HEATMAP_OUTPUT");
    snprintf(hm_rt.output_pattern, sizeof hm_rt.output_pattern, "%s",
             atexit_path ? atexit_path : "heatmap.json");
}

static void test_runtime_writer_reports_unwritable_path(void **state) {
    snprintf(hm_rt.output_pattern, sizeof hm_rt.output_pattern, "/nonexistent-dir/x/heatmap.json");
    int rc = hm_write_results("exit");
    restore_output();
    assert_int_equal(rc, -1);
    char tmp[128];
    snprintf(tmp, sizeof tmp, "/nonexistent-dir/x/heatmap.json.tmp.%d", (int)getpid());
    assert_int_not_equal(access(tmp, F_OK), 0);
}

static void put_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void assert_file_is(const char *path, const char *text) {
    char buf[256] = "";
    FILE *f = fopen(path, "r");
    assert_non_null(f);
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    assert_string_equal(buf, text);
}

/* Results go to PATH.tmp.PID, renamed over PATH when complete (docs/results-format.md): when
 * PATH.tmp.PID cannot be made, or the rename fails, an earlier PATH survives unchanged and no
 * temporary file is left. When all goes well, only PATH is left. */
static void test_runtime_writer_is_atomic(void **state) {
    char dir[] = "/tmp/hm-atomic-XXXXXX", path[128], tmp[160];
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof path, "%s/heatmap.json", dir);
    snprintf(tmp, sizeof tmp, "%s.tmp.%d", path, (int)getpid());
    snprintf(hm_rt.output_pattern, sizeof hm_rt.output_pattern, "%s", path);

    /* 1. PATH.tmp.PID is a directory: the write fails, PATH is untouched. */
    put_file(path, "earlier results\n");
    assert_int_equal(mkdir(tmp, 0755), 0);
    int rc = hm_write_results("exit");
    assert_int_equal(rc, -1);
    assert_file_is(path, "earlier results\n");
    assert_int_equal(rmdir(tmp), 0);

    /* 2. PATH is a non-empty directory: the temporary file is written, the rename fails, the
     * temporary file is removed. */
    unlink(path);
    char inside[160];
    assert_int_equal(mkdir(path, 0755), 0);
    snprintf(inside, sizeof inside, "%s/keep", path);
    put_file(inside, "x");
    rc = hm_write_results("exit");
    assert_int_equal(rc, -1);
    assert_int_not_equal(access(tmp, F_OK), 0);
    assert_file_is(inside, "x");
    unlink(inside);
    rmdir(path);

    /* 3. Success: PATH holds the results, no temporary file is left. */
    rc = hm_write_results("exit");
    restore_output();
    assert_int_equal(rc, 0);
    assert_int_not_equal(access(tmp, F_OK), 0);
    json_error_t err;
    json_t *root = json_load_file(path, 0, &err);
    assert_non_null(root);
    json_decref(root);
    unlink(path);
    rmdir(dir);
}

/* EINTR through the wait wrappers: a signal the runtime sent (the handler counts it in
 * our_signals, as the CPU sampler's does) is retried away; anyone else's reaches the program. */
/* kick_ours is read by the signal handler; kick_done is shared with the kicker thread (atomic: a
 * volatile int between threads is a data race, as ThreadSanitizer says). */
static volatile sig_atomic_t kick_ours;
static _Atomic int kick_done;

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

HM_TEST_MAIN({
    cmocka_unit_test_setup(test_runtime_self_time_excludes_children, setup),
    cmocka_unit_test_setup(test_runtime_recursion_counts_every_call, setup),
    cmocka_unit_test_setup(test_runtime_same_function_two_modules_share_id, setup),
    cmocka_unit_test_setup(test_runtime_histogram_and_max, setup),
    cmocka_unit_test_setup(test_runtime_histogram_last_bucket_clamps, setup),
    cmocka_unit_test_setup(test_runtime_histogram_runs_are_exact, setup),
    cmocka_unit_test_setup(test_runtime_histogram_pending_calls_counted_once, setup),
    cmocka_unit_test_setup(test_runtime_histogram_deep_calls_counted_at_once, setup),
    cmocka_unit_test_setup(test_runtime_calibration_takes_the_cost_of_one_call, setup),
    cmocka_unit_test_setup(test_runtime_compensation_is_taken_off_self_and_parent, setup),
    cmocka_unit_test_setup(test_runtime_unmatched_exit_is_ignored, setup),
    cmocka_unit_test_setup(test_runtime_frames_beyond_capacity_are_dropped_and_counted, setup),
    cmocka_unit_test_setup(test_runtime_threads_merge_at_exit, setup),
    cmocka_unit_test_setup(test_runtime_landing_without_a_frame_closes_the_unwound_callees, setup),
    cmocka_unit_test_setup(test_runtime_landing_keeps_the_landing_frame, setup),
    cmocka_unit_test_setup(test_runtime_landing_without_a_frame_keeps_frames_at_its_address, setup),
    cmocka_unit_test_setup(test_runtime_exit_after_thread_end_is_ignored, setup),
    cmocka_unit_test(test_runtime_path_cache_never_answers_a_wrong_node),
    cmocka_unit_test_setup(test_runtime_output_path_patterns, setup),
    cmocka_unit_test(test_runtime_trace_path_names),
    cmocka_unit_test_setup(test_runtime_writer_round_trip, setup),
    cmocka_unit_test_setup(test_runtime_writer_reports_unwritable_path, setup),
    cmocka_unit_test(test_runtime_wrappers_retry_only_our_eintr),
    cmocka_unit_test(test_runtime_histogram_bucket_wrap_carries),
    cmocka_unit_test_setup(test_runtime_writer_is_atomic, setup),
})
