/* Layer 1 of the runtime, the basics: macros, signal-atomic helpers, shared state, log, clock,
 * registry.
 *
 * The runtime is built in layers, bottom-up; a file calls only files of its own layer's basics or
 * of layers below it, and each layer has one internal header (never installed):
 *   1. rt_base.h   basics: log.c (stderr lines), state.c (hm_rt), clock.c (time source),
 *                  registry.c (function records -> dense ids); json_out.h: json_out.c (output)
 *   2. rt_hot.h    the hot path: hot_path.c (enter/exit), thread_state.c (per-thread data),
 *                  paths.c (call-path trees), trace.c (event recording), sampler.c (CPU samples),
 *                  threadcreate.c (thread creation sites)
 *   3-5. rt.h      calibrate.c; the writers writer.c (results; sampler_write.c its cpu_profile),
 *                  trace_write.c (trace), summary.c (stderr summary); lifecycle.c (init, flags,
 *                  ends, ABI registration; profiles.c the profiles at exit; server.c the live
 *                  server)
 *
 * Time is measured in clock ticks on the hot path and converted to nanoseconds once per call, at
 * exit, with a 32.32 fixed-point multiplier (hm_rt.ns_per_tick_fp). Self-times, maxima and the
 * histogram are kept in nanoseconds, so results need no conversion when written.
 */
#ifndef HEATMAP_RT_BASE_H
#define HEATMAP_RT_BASE_H

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "heatmap/abi.h"
#include "heatmap/histogram.h"

#define HM_LIKELY(x) __builtin_expect(!!(x), 1)
#define HM_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define HM_HIDDEN __attribute__((visibility("hidden")))

/* Signal-atomic read-modify-write: one instruction on x86 (a signal lands before or after it, never
 * inside), a relaxed atomic elsewhere. Not atomic across threads, which never share these fields.
 */
static inline void hm_sig_add64(uint64_t *p, uint64_t v) {
#if defined(__x86_64__)
    __asm__ volatile("addq %1, %0" : "+m"(*p) : "er"(v) : "cc");
#else
    __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
#endif
}

/* Signal-atomic increment of a 32-bit counter: true when it wrapped to 0. */
static inline bool hm_sig_inc32(uint32_t *p) {
#if defined(__x86_64__) || defined(__i386__)
    bool wrapped;
    __asm__ volatile("addl $1, %0" : "+m"(*p), "=@ccc"(wrapped) : : "cc");
    return wrapped;
#else
    return __atomic_add_fetch(p, 1, __ATOMIC_RELAXED) == 0;
#endif
}

/* Signal-atomic fetch-and-add of a counter only this thread (and its signal handlers) touch. */
static inline uint32_t hm_sig_fetch_add32(uint32_t *p, uint32_t v) {
#if defined(__x86_64__) || defined(__i386__)
    __asm__ volatile("xaddl %0, %1" : "+r"(v), "+m"(*p) : : "cc");
    return v;
#else
    return __atomic_fetch_add(p, v, __ATOMIC_RELAXED);
#endif
}

/* Signal-atomic compare-and-swap: cmpxchg without a lock prefix is one instruction, so a signal
 * lands before or after it, and it costs a few cycles, not a locked bus operation. */
static inline bool hm_sig_cas64(uint64_t *p, uint64_t expected, uint64_t desired) {
#if defined(__x86_64__)
    bool ok;
    __asm__ volatile("cmpxchgq %3, %1"
                     : "=@ccz"(ok), "+m"(*p), "+a"(expected)
                     : "r"(desired)
                     : "cc");
    return ok;
#else
    return __atomic_compare_exchange_n(p, &expected, desired, false, __ATOMIC_RELAXED,
                                       __ATOMIC_RELAXED);
#endif
}

/* The index of the entry whose id is `id` among n entries sorted by id, each `size` bytes and
 * starting with its uint32_t id (a binary search); n when there is none. Pure, async-signal-safe.
 */
static inline uint32_t hm_find_id(const void *entries, uint32_t n, size_t size, uint32_t id) {
    const unsigned char *base = entries;
    uint32_t lo = 0, hi = n;
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        const uint32_t *at = (const uint32_t *)(base + (size_t)mid * size);
        if (*at < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && *(const uint32_t *)(base + (size_t)lo * size) == id ? lo : n;
}

/* ---- log (log.c) ------------------------------------------------------------------------------
 */

/* Print one line "heatmap: " a b c d to stderr with write(2) (async-signal-safe); NULLs skipped. */
void hm_log(const char *a, const char *b, const char *c, const char *d) HM_HIDDEN;

/* Raise `sig` at the calling thread with it unblocked, so that its action (set by the caller:
 * the default, to die the way the signal would have killed the program) runs now, even inside
 * that signal's own handler. Async-signal-safe. */
static inline void hm_raise_unblocked(int sig) {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

/* ---- global runtime state (state.c) ----------------------------------------------------------
 * Written by the lifecycle (flags, start times) and by clock.c and calibrate.c (their results),
 * before recording starts; read by every layer. */

struct hm_thread_data; /* thread_state.c (rt_hot.h) */

typedef struct hm_runtime {
    _Atomic int init_state;    /* 0 none, 1 in progress, 2 done */
    uint64_t ns_per_tick_fp;   /* 32.32 fixed point */
    uint64_t comp_self_ns;     /* overhead taken off every call's self time */
    uint64_t comp_child_ns;    /* ... and off the parent's, per instrumented child */
    uint64_t comp_child_ticks; /* comp_child_ns in ticks: the hot path adds it to the parent's
                                * child ticks with each child's elapsed */
    uint64_t start_mono_ns;    /* the run's start: after the runtime's set-up and calibration */
    uint64_t start_unix_ns;
    bool compensate;
    bool paths;              /* record call paths (HEATMAP_PATHS) */
    uint32_t paths_max;      /* nodes per thread (HEATMAP_PATHS_MAX) */
    bool trace;              /* record events (HEATMAP_TRACE) */
    uint32_t trace_events;   /* events per thread (HEATMAP_TRACE_EVENTS) */
    bool throttle;           /* count-only for short, frequent functions (HEATMAP_THROTTLE) */
    uint32_t throttle_calls; /* timed calls before a function may be throttled */
    uint32_t throttle_ns;    /* ... when its average self-time is below this */
    uint32_t threads_max;    /* threads listed one by one in the results (HEATMAP_THREADS_MAX) */
    uint64_t start_tick;     /* hot-path clock at start, the origin of trace times */
    bool summary;
    bool verbose;
    char output_pattern[1024];
    _Atomic(struct hm_thread_data *) threads;
    _Atomic uint32_t thread_seq;
    pthread_key_t thread_key;
    uint64_t start_cpu_ns; /* CLOCK_PROCESS_CPUTIME_ID at start_mono_ns (after the set-up) */
    /* The run's figures as the results writer last wrote them (writer.c), for the stderr summary
     * (summary.c), so that both say the same. */
    struct {
        bool valid;
        uint64_t elapsed_ns, cpu_ns, wait_ns, self_ns, overhead_total_ns, calls, functions;
    } written;
} hm_runtime;

extern hm_runtime hm_rt HM_HIDDEN;

/* ---- clock (clock.c) --------------------------------------------------------------------------
 */

typedef enum hm_clock_kind { HM_CLOCK_MONOTONIC = 0, HM_CLOCK_TSC = 1 } hm_clock_kind;

extern hm_clock_kind hm_clock_active HM_HIDDEN;
uint64_t hm_clock_monotonic_ticks(void) HM_HIDDEN;

/* Nanoseconds from CLOCK_MONOTONIC (not the hot-path clock); for elapsed time and calibration. */
uint64_t hm_clock_monotonic_ns(void) HM_HIDDEN;
/* Nanoseconds since the Unix epoch (CLOCK_REALTIME), for the results' start time. */
uint64_t hm_clock_unix_ns(void) HM_HIDDEN;

/* The hardware counter: the TSC (x86, rdtsc, not serialized: enter/exit bracket whole calls) or
 * the virtual counter (aarch64); CLOCK_MONOTONIC nanoseconds where there is none. */
static inline uint64_t hm_clock_read_counter(void) {
#if defined(__x86_64__) || defined(__i386__)
    uint32_t lo, hi;
    __asm__ volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return ((uint64_t)hi << 32) | lo;
#elif defined(__aarch64__)
    uint64_t v;
    __asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(v));
    return v;
#else
    return hm_clock_monotonic_ns();
#endif
}

#ifdef HM_TEST_CLOCK
/* Unit tests drive time by hand: ticks are nanoseconds and advance only when the test says so,
 * or by hm_test_clock_step at every read (0 by default), so that the runtime's own work (its
 * calibration) takes a known time. */
extern uint64_t hm_test_clock_ticks;
extern uint64_t hm_test_clock_step;
static inline __attribute__((always_inline)) uint64_t hm_test_clock_now(void) {
    if (hm_test_clock_step)
        hm_test_clock_ticks += hm_test_clock_step;
    return hm_test_clock_ticks;
}
#define hm_clock_now_or(fallback) ((void)(fallback), hm_test_clock_now())
#else
/* The hot-path clock, calling `fallback` (hm_clock_monotonic_ticks or a wrapper of it that
 * preserves registers, for the hooks: hot_path.c) when the counter is not used. A macro, so that
 * the fallback is called directly with its own calling convention: through a plain function
 * pointer, clang treats the hooks' preserve_most wrapper as a mismatched call, undefined, and
 * dropped the fallback (the counter was read even with HEATMAP_CLOCK=monotonic). */
#if defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
#define hm_clock_now_or(fallback)                                                                  \
    (HM_LIKELY(hm_clock_active == HM_CLOCK_TSC) ? hm_clock_read_counter() : (fallback)())
#else
#define hm_clock_now_or(fallback) ((fallback)())
#endif
#endif
static inline uint64_t hm_clock_now(void) {
    return hm_clock_now_or(hm_clock_monotonic_ticks);
}

/* Choose the clock (honouring `requested`: "auto", "tsc", "monotonic") and calibrate ticks to ns
 * into hm_rt.ns_per_tick_fp. Spins for about a millisecond when the TSC is used. Returns the kind
 * chosen. */
hm_clock_kind hm_clock_init(const char *requested) HM_HIDDEN;

static inline uint64_t hm_ticks_to_ns(uint64_t ticks, uint64_t ns_per_tick_fp) {
    return (uint64_t)(((unsigned __int128)ticks * ns_per_tick_fp) >> 32);
}

/* ---- registry (registry.c) --------------------------------------------------------------------
 */

typedef struct hm_func_meta {
    char *name;
    char *file;
    uint32_t line;
    bool internal; /* the runtime's own calibration records: never written */
} hm_func_meta;

/* Assign `record` its id (the same id for the same name, file and line). Returns the id, or 0 when
 * the registry is busy (a signal interrupted registration on this thread) or out of memory. */
uint32_t hm_registry_intern(hm_func_record *record) HM_HIDDEN;
/* Assign ids to every record of a module table, waiting for the registry lock (module constructors
 * only: never from a signal handler). The caller has checked the table's ABI version. */
void hm_registry_add_table(const hm_module_table *table) HM_HIDDEN;
uint32_t hm_registry_count(void) HM_HIDDEN; /* ids are 1..count */
const hm_func_meta *hm_registry_meta(uint32_t id) HM_HIDDEN;
void hm_registry_mark_internal(uint32_t id) HM_HIDDEN;

#endif /* HEATMAP_RT_BASE_H */
