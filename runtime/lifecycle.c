/* Lifecycle: start (flags, clock, calibration), module registration, the end of the process,
 * signals and fork.
 *
 * One idempotent initializer runs from the runtime's constructor, or earlier from the first
 * registration (__heatmap_register_v2, the ABI entry point, is here for that reason). It reads the
 * flag table below from the environment, picks and calibrates the clock, measures the
 * instrumentation's own cost per call, and registers the exit handler. The runtime never stops the
 * host program: a bad flag gives one warning and its default; a failure gives one stderr line and
 * "no data".
 *
 * Ends of the process:
 *   return from main / exit()  -> atexit handler writes the results ("exit")
 *   SIGINT, SIGTERM, SIGHUP, SIGQUIT (default disposition only) -> write ("signal:SIGINT"), then
 *     die by the same signal, so the exit status is what it would have been
 *   SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT (default disposition only) -> the same, best effort
 *   _exit(), SIGKILL, a crash inside the runtime's writer -> nothing is written
 * A handler the program installs replaces ours, and the program then decides how it ends.
 *
 * Layer 5 (rt.h), on top: may call every layer below — the writers (in the order hm_write_results
 * gives), calibrate.c, the hot path (closing open frames, thread exit, fork) and the basics;
 * called by the runtime's constructor, the ABI registration entry point, atexit, signals and fork.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"
#include "json_out.h"
#include "rt.h"

static bool hm_is_fork_child; /* this process is a fork()ed child: its results get their own name */

/* ---- flags -------------------------------------------------------------------------------------
 * One table: name, default, accepted values (shown in the warning), and where the value goes.
 * Documented in docs/runtime.md. */

/* UINT: 2..2^24 (sizes); RATE: 1..10000 (per second) */
typedef enum {
    HM_FLAG_BOOL,
    HM_FLAG_STRING,
    HM_FLAG_CHOICE,
    HM_FLAG_UINT,
    HM_FLAG_RATE
} hm_flag_kind;

static bool hm_flag_enabled = true;
static bool hm_flag_signals = true;
static char hm_flag_clock[16] = "auto";
static char hm_flag_profile_types[256]; /* HEATMAP_PROFILE_TYPE, then the accepted types only */
static char hm_flag_profile_file[1024];
static char hm_flag_export_lib[1024];
static uint32_t hm_flag_cpu_hz;
static bool hm_flag_heap = true;
static bool hm_flag_heap_peak = true;
static unsigned hm_profile_mask; /* HM_PROFILE_* of the accepted types */
static bool hm_flag_profiler;    /* HEATMAP_PROFILER: the live server (server.c) */
static char hm_flag_profiler_host[256], hm_flag_profiler_port[16];

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
    {"HEATMAP_THREADS_MAX", HM_FLAG_UINT, "64", "an integer 2..16777216 (threads listed)",
     &hm_rt.threads_max, 0},
    {"HEATMAP_TRACE", HM_FLAG_BOOL, "off", "on|off", &hm_rt.trace, 0},
    {"HEATMAP_TRACE_EVENTS", HM_FLAG_UINT, "1000000", "an integer 2..16777216 (events per thread)",
     &hm_rt.trace_events, 0},
    {"HEATMAP_THROTTLE", HM_FLAG_BOOL, "on", "on|off", &hm_rt.throttle, 0},
    {"HEATMAP_THROTTLE_CALLS", HM_FLAG_UINT, "10000",
     "an integer 2..16777216 (timed calls before a function may be throttled)",
     &hm_rt.throttle_calls, 0},
    {"HEATMAP_THROTTLE_NS", HM_FLAG_UINT, "200",
     "an integer 2..16777216 (average self-time below which it is)", &hm_rt.throttle_ns, 0},
    {"HEATMAP_PROFILE_TYPE", HM_FLAG_STRING, "", "a comma list of profile types",
     hm_flag_profile_types, sizeof hm_flag_profile_types},
    {"HEATMAP_PROFILE_FILE", HM_FLAG_STRING, "heatmap.%k.pb.gz", "a file path; %k the profile type",
     hm_flag_profile_file, sizeof hm_flag_profile_file},
    {"HEATMAP_CPU_HZ", HM_FLAG_RATE, "100", "an integer 1..10000 (samples per CPU second)",
     &hm_flag_cpu_hz, 0},
    {"HEATMAP_HEAP", HM_FLAG_BOOL, "on", "on|off", &hm_flag_heap, 0},
    {"HEATMAP_HEAP_PEAK", HM_FLAG_BOOL, "on", "on|off", &hm_flag_heap_peak, 0},
    {"HEATMAP_EXPORT_LIB", HM_FLAG_STRING, "", "a path to libheatmap-export", hm_flag_export_lib,
     sizeof hm_flag_export_lib},
    {"HEATMAP_PROFILER", HM_FLAG_BOOL, "off", "on|off", &hm_flag_profiler, 0},
    {"HEATMAP_PROFILER_HOST", HM_FLAG_STRING, "127.0.0.1", "a host name or address",
     hm_flag_profiler_host, sizeof hm_flag_profiler_host},
    {"HEATMAP_PROFILER_PORT", HM_FLAG_STRING, "6060", "a port number 0..65535 (0: any free port)",
     hm_flag_profiler_port, sizeof hm_flag_profiler_port},
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
    case HM_FLAG_UINT:
    case HM_FLAG_RATE: {
        /* Digits only, 2..2^24 for sizes (bounds the reservations made per thread). */
        uint64_t n = 0, lo = f->kind == HM_FLAG_RATE ? 1 : 2;
        uint64_t hi = f->kind == HM_FLAG_RATE ? 10000 : 1u << 24;
        for (const char *p = v; *p; p++) {
            if (*p < '0' || *p > '9' || n > (1u << 24))
                return false;
            n = n * 10 + (uint64_t)(*p - '0');
        }
        if (*v == '\0' || n < lo || n > hi)
            return false;
        *(uint32_t *)f->target = (uint32_t)n;
        return true;
    }
    case HM_FLAG_CHOICE:
        if (!hm_choice_ok(f->accepted, v))
            return false;
        /* fallthrough */
    case HM_FLAG_STRING:
        if ((*v == '\0' && *f->fallback != '\0') || strlen(v) >= f->target_size)
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

/* ---- the output files ------------------------------------------------------------------------ */

void hm_expand_output_path(const char *pattern, bool forked_child, char *out, size_t size) {
    size_t n = 0;
    bool has_pid = false;
    out[0] = '\0';
    for (const char *p = pattern; *p; p++) {
        char num[21];
        if (p[0] == '%' && p[1] == 'p') {
            hm_append(out, size, &n, num, hm_format_u64((uint64_t)getpid(), num));
            has_pid = true;
            p++;
        } else if (p[0] == '%' && p[1] == 't') {
            hm_append(out, size, &n, num, hm_format_u64(hm_rt.start_unix_ns / 1000000000u, num));
            p++;
        } else if (p[0] == '%' && p[1] == 'h') {
            char host[256] = "";
            gethostname(host, sizeof host - 1);
            hm_append(out, size, &n, host, strlen(host));
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            hm_append(out, size, &n, "%", 1);
            p++;
        } else {
            hm_append(out, size, &n, p, 1);
        }
    }
    if (!forked_child || has_pid)
        return;
    /* A forked child must not overwrite its parent's file: heatmap.json -> heatmap.PID.json. */
    char *base = strrchr(out, '/');
    char *dot = strrchr(base ? base + 1 : out, '.');
    char tail[1024] = "";
    if (dot && dot != (base ? base + 1 : out)) {
        size_t t = strlen(dot) < sizeof tail - 1 ? strlen(dot) : sizeof tail - 1;
        memcpy(tail, dot, t);
        tail[t] = '\0';
        n = (size_t)(dot - out);
        out[n] = '\0';
    }
    char num[21];
    hm_append(out, size, &n, ".", 1);
    hm_append(out, size, &n, num, hm_format_u64((uint64_t)getpid(), num));
    hm_append(out, size, &n, tail, strlen(tail));
}

/* What the results path named when the run started (hm_claim_output): another process's file
 * found there at the write instead means two runs share the name (a pipeline `app | app`); the
 * later one writes beside it, with its pid inserted as a fork child does. */
static hm_file_id hm_output_was;
static bool hm_output_claimed;
static char hm_output_claim_path[1024];
static char hm_written_path[1024]; /* where the results went, for the profiles */

static void hm_claim_output(void) {
    char path[1024];
    hm_expand_output_path(hm_rt.output_pattern, false, path, sizeof path);
    hm_file_id_of(path, &hm_output_was);
    size_t n = 0;
    hm_append(hm_output_claim_path, sizeof hm_output_claim_path, &n, path, strlen(path));
    hm_output_claimed = true;
}

int hm_write_results(const char *end) {
    char path[1024], beside[1024];
    hm_expand_output_path(hm_rt.output_pattern, hm_is_fork_child, path, sizeof path);
    hm_expand_output_path(hm_rt.output_pattern, true, beside, sizeof beside);
    hm_thread_order order;
    if (!hm_thread_order_make(&order))
        hm_log("out of memory: threads left out of '", path, "'", NULL);
    /* A fork child's name has its pid already: it shares it with no one. */
    bool guard = hm_output_claimed && !hm_is_fork_child && strcmp(path, hm_output_claim_path) == 0;
    int rc = hm_write_results_file(path, sizeof path, end, &order, guard ? &hm_output_was : NULL,
                                   guard ? beside : NULL);
    if (rc == 0 && guard && strcmp(path, hm_output_claim_path) == 0)
        hm_file_id_of(path, &hm_output_was); /* ours now: a later write of this run replaces it */
    size_t n = 0;
    hm_append(hm_written_path, sizeof hm_written_path, &n, path, strlen(path));
    if (rc == 0 && hm_rt.trace)
        hm_write_trace(path, &order);
    hm_thread_order_release(&order);
    if (rc == 0 && hm_rt.summary)
        hm_print_summary(path);
    return rc;
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
    if (strcmp(end, "exit") == 0)
        hm_server_stop(); /* joins its threads (not in a signal handler: a signal ends it) */
    atomic_store(&hm_recording, 0);
    hm_tls *t = &hm_tls_self;
    if (t->stats_cap && !t->finished)
        hm_close_open_frames(t, hm_clock_now());
    hm_sampler_stop();
    hm_write_results(end);
    if (!hm_flag_profile_types[0])
        return;
    const char *path = hm_written_path;
    if (strcmp(end, "exit") == 0)
        hm_profiles_write(path, hm_flag_profile_types, hm_flag_profile_file, hm_flag_export_lib);
    else
        hm_profiles_note_signal(path, hm_flag_profile_types);
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

/* The run's clocks start now (after the set-up): wall, Unix and process CPU time. */
static void hm_start_clocks(void) {
    struct timespec ts;
    hm_rt.start_cpu_ns = clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) == 0
                             ? (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec
                             : 0;
    hm_rt.start_mono_ns = hm_clock_monotonic_ns();
    hm_rt.start_unix_ns = hm_clock_unix_ns();
}

static void hm_after_fork_child(void) {
    hm_is_fork_child = true;
    atomic_store(&hm_finished, 0);
    hm_start_clocks();
    hm_thread_reset_after_fork(&hm_tls_self);
}

static void hm_thread_exit(void *data) {
    hm_heap_pause(); /* the merge's allocations are the runtime's own */
    hm_thread_merge(data);
    hm_heap_resume();
}

/* The ABI entry point a module constructor calls with its table: start the runtime (the first
 * registration may come before the runtime's own constructor) and give the records their ids. */
void __heatmap_register_v2(hm_module_table *table) {
    hm_runtime_init();
    if (!table || table->abi_version != HM_ABI_VERSION) {
        hm_log("module table with an unknown ABI version ignored", NULL, NULL, NULL);
        return;
    }
    hm_registry_add_table(table);
}

bool hm_runtime_init(void) {
    int state = atomic_load(&hm_rt.init_state);
    if (state == 2)
        return true;
    if (state == 1 || !atomic_compare_exchange_strong(&hm_rt.init_state, &state, 1))
        return atomic_load(&hm_rt.init_state) == 2;
    hm_read_flags();
    hm_waits_init(); /* resolve the wait wrappers' real functions now, not in a signal handler */
    char types[sizeof hm_flag_profile_types];
    hm_profile_mask = hm_profile_types_parse(hm_flag_profile_types, types, sizeof types);
    memcpy(hm_flag_profile_types, types, sizeof types);
    if (types[0])
        hm_profile_file_check(hm_flag_profile_file, sizeof hm_flag_profile_file, types);
    if (hm_profile_mask & HM_PROFILE_TRACE)
        hm_rt.trace = true; /* the trace profile is made from the trace file */
    hm_start_clocks();
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
    /* Before recording starts, so that no block is half counted. */
    hm_heap_init(hm_flag_heap && hm_heap_interposed(), hm_flag_heap_peak);
    atexit(hm_atexit);
    if (hm_flag_signals)
        hm_install_signal_handlers();
    atomic_store(&hm_rt.init_state, 2);
    atomic_store(&hm_recording, 1);
    if (hm_rt.compensate)
        hm_calibrate();
    if (hm_profile_mask & HM_PROFILE_CPU)
        hm_sampler_start(hm_flag_cpu_hz);
    if (hm_flag_profiler)
        hm_server_start(hm_flag_profiler_host, hm_flag_profiler_port, hm_flag_cpu_hz,
                        hm_flag_export_lib);
    hm_start_clocks(); /* Elapsed is the program's time: it starts after the runtime's set-up */
    hm_claim_output();
    return true;
}

__attribute__((constructor(101))) static void hm_constructor(void) {
    hm_runtime_init();
}
