/* Lifecycle: start (flags, clock, calibration), the end of the process, signals and fork.
 *
 * One idempotent initializer runs from the runtime's constructor, or earlier from the first
 * registration or instrumented call. It reads the flag table below from the environment, picks and
 * calibrates the clock, measures the instrumentation's own cost per call, and registers the exit
 * handler. The runtime never stops the host program: a bad flag gives one warning and its default;
 * a failure gives one stderr line and "no data".
 *
 * Ends of the process:
 *   return from main / exit()  -> atexit handler writes the results ("exit")
 *   SIGINT, SIGTERM, SIGHUP, SIGQUIT (default disposition only) -> write ("signal:SIGINT"), then
 * die by the same signal, so the exit status is what it would have been SIGSEGV, SIGBUS, SIGFPE,
 * SIGILL, SIGABRT (default disposition only) -> the same, best effort _exit(), SIGKILL, a crash
 * inside the runtime's writer -> nothing is written A handler the program installs replaces ours,
 * and the program then decides how it ends.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rt.h"

hm_runtime hm_rt;

void hm_log(const char *a, const char *b, const char *c, const char *d) {
    const char *parts[] = {"heatmap: ", a, b, c, d, "\n"};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        if (parts[i] && write(STDERR_FILENO, parts[i], strlen(parts[i])) < 0)
            return;
}

/* ---- flags -------------------------------------------------------------------------------------
 * One table: name, default, accepted values (shown in the warning), and where the value goes.
 * Documented in docs/runtime.md. */

typedef enum { HM_FLAG_BOOL, HM_FLAG_STRING, HM_FLAG_CHOICE, HM_FLAG_UINT } hm_flag_kind;

static bool hm_flag_enabled = true;
static bool hm_flag_signals = true;
static char hm_flag_clock[16] = "auto";

static const struct hm_flag {
    const char *name;
    hm_flag_kind kind;
    const char *fallback;
    const char *accepted; /* for CHOICE: "|"-separated values */
    void *target;
    size_t target_size; /* for STRING/CHOICE */
} hm_flags[] = {
    {"HEATMAP", HM_FLAG_BOOL, "on", "on|off", &hm_flag_enabled, 0},
    {"HEATMAP_OUTPUT", HM_FLAG_STRING, "heatmap.json", "a file path; %p pid, %h host, %t time",
     hm_rt.output_pattern, sizeof hm_rt.output_pattern},
    {"HEATMAP_SUMMARY", HM_FLAG_BOOL, "off", "on|off", &hm_rt.summary, 0},
    {"HEATMAP_VERBOSE", HM_FLAG_BOOL, "off", "on|off", &hm_rt.verbose, 0},
    {"HEATMAP_CLOCK", HM_FLAG_CHOICE, "auto", "auto|tsc|monotonic", hm_flag_clock,
     sizeof hm_flag_clock},
    {"HEATMAP_COMPENSATE", HM_FLAG_BOOL, "on", "on|off", &hm_rt.compensate, 0},
    {"HEATMAP_SIGNALS", HM_FLAG_BOOL, "on", "on|off", &hm_flag_signals, 0},
    {"HEATMAP_PATHS", HM_FLAG_BOOL, "on", "on|off", &hm_rt.paths, 0},
    {"HEATMAP_PATHS_MAX", HM_FLAG_UINT, "65536", "an integer 2..16777216 (nodes per thread)",
     &hm_rt.paths_max, 0},
    {"HEATMAP_TRACE", HM_FLAG_BOOL, "off", "on|off", &hm_rt.trace, 0},
    {"HEATMAP_TRACE_EVENTS", HM_FLAG_UINT, "1000000", "an integer 2..16777216 (events per thread)",
     &hm_rt.trace_events, 0},
};

static int hm_parse_bool(const char *v) {
    static const char *yes[] = {"1", "on", "true", "yes"}, *no[] = {"0", "off", "false", "no"};
    for (size_t i = 0; i < 4; i++) {
        if (strcasecmp(v, yes[i]) == 0)
            return 1;
        if (strcasecmp(v, no[i]) == 0)
            return 0;
    }
    return -1;
}

static bool hm_choice_ok(const char *accepted, const char *v) {
    size_t n = strlen(v);
    for (const char *p = accepted; *p;) {
        const char *bar = strchr(p, '|');
        size_t len = bar ? (size_t)(bar - p) : strlen(p);
        if (len == n && strncmp(p, v, n) == 0)
            return true;
        p += len + (bar ? 1 : 0);
    }
    return false;
}

static bool hm_apply_flag(const struct hm_flag *f, const char *v) {
    switch (f->kind) {
    case HM_FLAG_BOOL: {
        int b = hm_parse_bool(v);
        if (b < 0)
            return false;
        *(bool *)f->target = b;
        return true;
    }
    case HM_FLAG_UINT: {
        /* Digits only, 2..2^24: bounds the reservations made per thread. */
        uint64_t n = 0;
        for (const char *p = v; *p; p++) {
            if (*p < '0' || *p > '9' || n > (1u << 24))
                return false;
            n = n * 10 + (uint64_t)(*p - '0');
        }
        if (*v == '\0' || n < 2 || n > (1u << 24))
            return false;
        *(uint32_t *)f->target = (uint32_t)n;
        return true;
    }
    case HM_FLAG_CHOICE:
        if (!hm_choice_ok(f->accepted, v))
            return false;
        /* fallthrough */
    case HM_FLAG_STRING:
        if (*v == '\0' || strlen(v) >= f->target_size)
            return false;
        memcpy(f->target, v, strlen(v) + 1);
        return true;
    }
    return false;
}

static void hm_read_flags(void) {
    for (size_t i = 0; i < sizeof hm_flags / sizeof *hm_flags; i++) {
        const struct hm_flag *f = &hm_flags[i];
        hm_apply_flag(f, f->fallback);
        const char *v = getenv(f->name);
        if (v && !hm_apply_flag(f, v)) {
            hm_log("ignoring ", f->name, "=", v);
            hm_log("  expected ", f->accepted, "; using the default ", f->fallback);
        }
    }
}

/* ---- calibration -------------------------------------------------------------------------------
 * The cost of enter+exit that lands inside measured intervals, found by timing empty calls with the
 * real entry points: a leaf's measured self time is the part charged to every call itself, and the
 * parent's self time per child is the part charged to the caller. Median of several rounds. */

static hm_func_record hm_cal_outer = {"heatmap.calibration.outer", "", 0, 0};
static hm_func_record hm_cal_leaf = {"heatmap.calibration.leaf", "", 0, 0};

static int hm_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

static void hm_calibrate(void) {
    enum { ROUNDS = 9, CALLS = 256 };
    uint64_t leaf[ROUNDS], child[ROUNDS];
    if (hm_registry_intern(&hm_cal_outer) == 0 || hm_registry_intern(&hm_cal_leaf) == 0)
        return;
    hm_registry_mark_internal(hm_cal_outer.id);
    hm_registry_mark_internal(hm_cal_leaf.id);
    for (int r = 0; r < ROUNDS; r++) {
        __heatmap_enter_v1(&hm_cal_outer);
        for (int i = 0; i < CALLS; i++) {
            __heatmap_enter_v1(&hm_cal_leaf);
            __heatmap_exit_v1(&hm_cal_leaf);
        }
        __heatmap_exit_v1(&hm_cal_outer);
        if (hm_tls_self.stats_cap <= hm_cal_leaf.id || !hm_tls_self.stats[hm_cal_leaf.id] ||
            !hm_tls_self.stats[hm_cal_outer.id])
            return; /* recording did not happen: leave compensation at zero */
        hm_fstats *l = hm_tls_self.stats[hm_cal_leaf.id], *o = hm_tls_self.stats[hm_cal_outer.id];
        leaf[r] = l->count ? l->self_ns / l->count : 0;
        child[r] = o->self_ns / CALLS;
        hm_thread_forget_function(&hm_tls_self, hm_cal_leaf.id);
        hm_thread_forget_function(&hm_tls_self, hm_cal_outer.id);
    }
    /* hm_tls_self is named each time, not held in a pointer: GCC's UBSan at -O2 misreads a
     * pointer to initial-exec TLS kept across calls as null. */
    hm_thread_data *data = hm_tls_self.data;
    data->outer_ticks = 0;
    data->trace_used = 0; /* the calibration's events are not the program's */
    data->trace_dropped = 0;
    if (hm_tls_self.tree)
        hm_tree_clear(
            hm_tls_self.tree); /* nor are its call-path nodes: give the program the whole tree */
    qsort(leaf, ROUNDS, sizeof *leaf, hm_cmp_u64);
    qsort(child, ROUNDS, sizeof *child, hm_cmp_u64);
    hm_rt.comp_self_ns = leaf[ROUNDS / 2];
    hm_rt.comp_child_ns = child[ROUNDS / 2];
}

/* ---- ends of the process --------------------------------------------------------------------- */

static _Atomic int hm_finished;

static const struct {
    int sig;
    const char *end;
} hm_fatal_signals[] = {
    {SIGINT, "signal:SIGINT"},   {SIGTERM, "signal:SIGTERM"}, {SIGHUP, "signal:SIGHUP"},
    {SIGQUIT, "signal:SIGQUIT"}, {SIGSEGV, "signal:SIGSEGV"}, {SIGBUS, "signal:SIGBUS"},
    {SIGFPE, "signal:SIGFPE"},   {SIGILL, "signal:SIGILL"},   {SIGABRT, "signal:SIGABRT"},
};

void hm_runtime_finish(const char *end) {
    int expected = 0;
    if (!atomic_compare_exchange_strong(&hm_finished, &expected, 1))
        return;
    if (atomic_load(&hm_rt.init_state) != 2 || !hm_flag_enabled)
        return;
    atomic_store(&hm_recording, 0);
    hm_tls *t = &hm_tls_self;
    if (t->stats_cap && !t->finished)
        hm_close_open_frames(t, hm_clock_now());
    hm_write_results(end);
}

static void hm_atexit(void) {
    hm_runtime_finish("exit");
}

static void hm_on_fatal_signal(int sig) {
    int saved = errno;
    const char *end = "signal";
    for (size_t i = 0; i < sizeof hm_fatal_signals / sizeof *hm_fatal_signals; i++)
        if (hm_fatal_signals[i].sig == sig)
            end = hm_fatal_signals[i].end;
    hm_runtime_finish(end);
    /* Die the way the signal would have killed us: default action, unblocked, raised again. */
    struct sigaction dfl;
    memset(&dfl, 0, sizeof dfl);
    dfl.sa_handler = SIG_DFL;
    sigaction(sig, &dfl, NULL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    pthread_sigmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
    errno = saved; /* a synchronous fault re-executes the faulting instruction and dies there */
}

static void hm_install_signal_handlers(void) {
    for (size_t i = 0; i < sizeof hm_fatal_signals / sizeof *hm_fatal_signals; i++) {
        struct sigaction old;
        if (sigaction(hm_fatal_signals[i].sig, NULL, &old) != 0)
            continue;
        if (!(old.sa_flags & SA_SIGINFO) && old.sa_handler != SIG_DFL)
            continue; /* ignored or handled by the program: its choice stands */
        if (old.sa_flags & SA_SIGINFO)
            continue;
        struct sigaction sa;
        memset(&sa, 0, sizeof sa);
        sa.sa_handler = hm_on_fatal_signal;
        sigfillset(&sa.sa_mask);
        sa.sa_flags = SA_RESTART;
        sigaction(hm_fatal_signals[i].sig, &sa, NULL);
    }
}

static void hm_after_fork_child(void) {
    hm_is_fork_child = true;
    atomic_store(&hm_finished, 0);
    hm_rt.start_mono_ns = hm_clock_monotonic_ns();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    hm_rt.start_unix_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    hm_thread_reset_after_fork(&hm_tls_self);
}

static void hm_thread_exit(void *data) {
    hm_thread_merge(data);
}

bool hm_runtime_init(void) {
    int state = atomic_load(&hm_rt.init_state);
    if (state == 2)
        return true;
    if (state == 1 || !atomic_compare_exchange_strong(&hm_rt.init_state, &state, 1))
        return atomic_load(&hm_rt.init_state) == 2;
    hm_read_flags();
    hm_rt.start_mono_ns = hm_clock_monotonic_ns();
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    hm_rt.start_unix_ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    if (!hm_flag_enabled) {
        atomic_store(&hm_rt.init_state, 2); /* registered, never recording, nothing written */
        return true;
    }
    hm_clock_init(hm_flag_clock);
    hm_rt.start_tick = hm_clock_now();
    if (pthread_key_create(&hm_rt.thread_key, hm_thread_exit) != 0) {
        hm_log("cannot create thread key; recording is off", NULL, NULL, NULL);
        hm_flag_enabled = false;
        atomic_store(&hm_rt.init_state, 2);
        return true;
    }
    pthread_atfork(NULL, NULL, hm_after_fork_child);
    atexit(hm_atexit);
    if (hm_flag_signals)
        hm_install_signal_handlers();
    atomic_store(&hm_rt.init_state, 2);
    atomic_store(&hm_recording, 1);
    if (hm_rt.compensate)
        hm_calibrate();
    return true;
}

__attribute__((constructor(101))) static void hm_constructor(void) {
    hm_runtime_init();
}
