/* Lifecycle: start (flags, clock, calibration), module registration, the end of the process,
 * signals and fork.
 *
 * One idempotent initializer runs from the runtime's constructor, or earlier from the first
 * registration (__heatmap_register_v3, the ABI entry point, is here for that reason). It reads the
 * settings (include/heatmap/settings.h: default, then the record heatmap.yaml's runtime: section
 * left in the program, then the environment), picks and calibrates the clock, measures the
 * instrumentation's own cost per call, and registers the exit handler. The runtime never stops the
 * host program: a bad setting gives one warning and the value below it; a failure gives one stderr
 * line and "no data".
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
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"
#include "heatmap/settings.h"
#include "json_out.h"
#include "rt.h"

static bool hm_is_fork_child; /* this process is a fork()ed child: its results get their own name */

/* ---- flags -------------------------------------------------------------------------------------
 * The list of settings is include/heatmap/settings.h's (shared with config/, which validates
 * heatmap.yaml's runtime: section, and heatmap-view --show-settings); this table says where each
 * value goes. Each is resolved by hm_settings_resolve: its default, then the value embedded in the
 * program by the plugin, then the environment. Documented in docs/config.md. */

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

/* Where each setting's value goes: a bool (BOOL), a uint32_t (UINT) or a text buffer of `size`
 * bytes (the other kinds; larger than the setting's MAX, asserted below). */
static const struct hm_flag_target {
    void *target;
    size_t size;
} hm_flag_targets[HM_SETTINGS_COUNT] = {
    [HM_SETTING_ID_ENABLED] = {&hm_flag_enabled, 0},
    [HM_SETTING_ID_OUTPUT] = {hm_rt.output_pattern, sizeof hm_rt.output_pattern},
    [HM_SETTING_ID_SUMMARY] = {&hm_rt.summary, 0},
    [HM_SETTING_ID_VERBOSE] = {&hm_rt.verbose, 0},
    [HM_SETTING_ID_CLOCK] = {hm_flag_clock, sizeof hm_flag_clock},
    [HM_SETTING_ID_COMPENSATE] = {&hm_rt.compensate, 0},
    [HM_SETTING_ID_SIGNALS] = {&hm_flag_signals, 0},
    [HM_SETTING_ID_PATHS] = {&hm_rt.paths, 0},
    [HM_SETTING_ID_PATHS_MAX] = {&hm_rt.paths_max, 0},
    [HM_SETTING_ID_THREADS_MAX] = {&hm_rt.threads_max, 0},
    [HM_SETTING_ID_TRACE] = {&hm_rt.trace, 0},
    [HM_SETTING_ID_TRACE_EVENTS] = {&hm_rt.trace_events, 0},
    [HM_SETTING_ID_THROTTLE] = {&hm_rt.throttle, 0},
    [HM_SETTING_ID_THROTTLE_CALLS] = {&hm_rt.throttle_calls, 0},
    [HM_SETTING_ID_THROTTLE_NS] = {&hm_rt.throttle_ns, 0},
    [HM_SETTING_ID_PROFILE_TYPE] = {hm_flag_profile_types, sizeof hm_flag_profile_types},
    [HM_SETTING_ID_PROFILE_FILE] = {hm_flag_profile_file, sizeof hm_flag_profile_file},
    [HM_SETTING_ID_CPU_HZ] = {&hm_flag_cpu_hz, 0},
    [HM_SETTING_ID_HEAP] = {&hm_flag_heap, 0},
    [HM_SETTING_ID_HEAP_PEAK] = {&hm_flag_heap_peak, 0},
    [HM_SETTING_ID_EXPORT_LIB] = {hm_flag_export_lib, sizeof hm_flag_export_lib},
    [HM_SETTING_ID_PROFILER] = {&hm_flag_profiler, 0},
    [HM_SETTING_ID_PROFILER_HOST] = {hm_flag_profiler_host, sizeof hm_flag_profiler_host},
    [HM_SETTING_ID_PROFILER_PORT] = {hm_flag_profiler_port, sizeof hm_flag_profiler_port},
};
_Static_assert(sizeof hm_rt.output_pattern > 1023 && sizeof hm_flag_clock > 15 &&
                   sizeof hm_flag_profile_types > 255 && sizeof hm_flag_profile_file > 1023 &&
                   sizeof hm_flag_export_lib > 1023 && sizeof hm_flag_profiler_host > 255 &&
                   sizeof hm_flag_profiler_port > 15,
               "a text setting's buffer must hold its MAX bytes (include/heatmap/settings.h)");

/* Defined for objects with embedded settings (abi.h): they reference it, so that linking them
 * with a runtime that would ignore their settings fails. */
HM_ABI_EXPORT const uint32_t __heatmap_settings_v1 = HM_SETTINGS_VERSION;

/* The records the linker gathered from the objects with embedded settings: in the executable, or
 * in the first loaded module that has them (both NULL when none has). */
extern const unsigned char __start_heatmap_settings[] __attribute__((weak, visibility("default")));
extern const unsigned char __stop_heatmap_settings[] __attribute__((weak, visibility("default")));

/* Store v, which hm_settings_check accepted, where the setting goes. A setting added to settings.h
 * without its line in hm_flag_targets is said on every run (the tests see it), never written
 * through NULL. */
static void hm_apply_flag(hm_setting_id id, const char *v) {
    const hm_setting_def *d = &hm_settings_defs[id];
    const struct hm_flag_target *t = &hm_flag_targets[id];
    if (!t->target)
        hm_log("internal error: ", d->variable, " has no place in runtime/lifecycle.c", NULL);
    else if (d->kind == HM_SETTING_BOOL)
        *(bool *)t->target = hm_settings_parse_bool(v) == 1;
    else if (d->kind == HM_SETTING_UINT)
        hm_settings_parse_uint(v, d->min, d->max, t->target);
    else if (strlen(v) < t->size)
        memcpy(t->target, v, strlen(v) + 1);
}

/* The embedded settings that apply: the text of the first version-1 record in link order, or
 * NULL. Says why a record is skipped (malformed, another version: neither can come from our
 * plugin), and with HEATMAP_VERBOSE=on (known only later, hence *differ) how many records hold
 * other settings than the first. */
static const char *hm_embedded_settings(unsigned *differ) {
    *differ = 0;
    const unsigned char *start = __start_heatmap_settings, *stop = __stop_heatmap_settings;
    if (!start || !stop || stop <= start)
        return NULL;
    hm_settings_walk w = {start, (size_t)(stop - start), 0, NULL};
    const char *first = NULL, *text;
    uint32_t version;
    while ((text = hm_settings_next(&w, &version)) != NULL) {
        if (version != HM_SETTINGS_VERSION) {
            char num[21];
            num[hm_format_u64(version, num)] = '\0';
            hm_log("ignoring embedded settings of version ", num, "; this runtime reads version 1",
                   NULL);
        } else if (!first) {
            first = text;
        } else if (!hm_settings_text_same(first, text)) {
            (*differ)++;
        }
    }
    if (w.error)
        hm_log("embedded settings: ", w.error, "; the rest is ignored", NULL);
    return first;
}

/* One line "heatmap: " + the parts (NULLs skipped), longer than hm_log's four. */
static void hm_log_parts(const char *const *parts, size_t n) {
    char line[2400];
    size_t k = 0;
    line[0] = '\0';
    for (size_t i = 0; i < n; i++)
        if (parts[i])
            hm_append(line, sizeof line, &k, parts[i], strlen(parts[i]));
    hm_log(line, NULL, NULL, NULL);
}

/* Resolve every setting (hm_settings_resolve) and store it. A refused value gets two lines (what
 * was ignored; what is expected and what applies instead); with HEATMAP_VERBOSE=on, one line per
 * setting that is not at its default says where its value came from. Runs once, in the
 * initializer, before any thread of ours exists (hence the static buffers). */
static void hm_read_flags(void) {
    static const char *const from[] = {"the default ", "the embedded value ",
                                       "the environment's value "};
    static char embedded_values[HM_SETTINGS_COUNT][1024]; /* NUL-terminated copies */
    static char config[1024];
    unsigned differ;
    const char *embedded = hm_embedded_settings(&differ);
    const char *mine[HM_SETTINGS_COUNT] = {NULL};
    hm_setting_source sources[HM_SETTINGS_COUNT];
    size_t len = 0, k = 0;
    const char *path = embedded ? hm_settings_text_find(embedded, "#config", &len) : NULL;
    hm_append(config, sizeof config, &k, path ? path : "an unknown heatmap.yaml", path ? len : 23);
    for (size_t i = 0; i < HM_SETTINGS_COUNT; i++) {
        const hm_setting_def *d = &hm_settings_defs[i];
        const char *in = embedded ? hm_settings_text_find(embedded, d->variable, &len) : NULL;
        if (in && len < sizeof embedded_values[i]) {
            memcpy(embedded_values[i], in, len);
            embedded_values[i][len] = '\0';
            mine[i] = embedded_values[i];
        }
        unsigned refused;
        const char *env = getenv(d->variable);
        const char *v = hm_settings_resolve(d, mine[i], env, &sources[i], &refused);
        hm_apply_flag((hm_setting_id)i, v);
        if (refused & HM_SETTING_EMBEDDED_REFUSED) {
            const char *line[] = {"ignoring ", d->variable,       "=",
                                  mine[i],     " embedded from ", config};
            hm_log_parts(line, 6);
        }
        if (refused & HM_SETTING_ENVIRONMENT_REFUSED)
            hm_log("ignoring ", d->variable, "=", env);
        if (refused) {
            const char *line[] = {"  expected ", d->accepted, "; using ", from[sources[i]], v};
            hm_log_parts(line, 5);
        }
    }
    if (!hm_rt.verbose)
        return;
    if (differ) {
        char num[21];
        num[hm_format_u64(differ + 1, num)] = '\0';
        const char *line[] = {"the program embeds ", num,
                              " different settings; the first in link order (from ", config,
                              ") applies"};
        hm_log_parts(line, 5);
    }
    for (size_t i = 0; i < HM_SETTINGS_COUNT; i++) {
        const hm_setting_def *d = &hm_settings_defs[i];
        if (sources[i] == HM_SETTING_FROM_EMBEDDED) {
            const char *line[] = {d->variable, "=", mine[i], " (embedded from ", config, ")"};
            hm_log_parts(line, 6);
        } else if (sources[i] == HM_SETTING_FROM_ENVIRONMENT) {
            const char *line[] = {d->variable,
                                  "=",
                                  getenv(d->variable),
                                  " (environment",
                                  mine[i] ? "; overrides the embedded " : NULL,
                                  mine[i],
                                  ")"};
            hm_log_parts(line, 7);
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
    hm_raise_unblocked(sig);
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

/* ---- thread exit ------------------------------------------------------------------------------
 * A thread's data is merged by the thread key's destructor (hm_thread_exit), late and with the
 * thread's signals blocked, so that no call the thread makes is lost (issue 16):
 * - A signal handler that ran during the merge added to statistics already folded, and one that
 *   ran after it found the thread finished: both calls were lost, though the program made them
 *   (e2e_stress lost about one SIGALRM handler call in 1,000; e2e_robust_exitsig, which sends
 *   SIGUSR1 to each thread until it is gone, lost a third). So the merge runs with the signals
 *   blocked, and they stay blocked: a signal sent to the process then goes to another thread, and
 *   is recorded there; one sent to this thread is discarded when it ends, its handler never run
 *   (nor counted by anyone) — which is what glibc (2.34 and later) does itself a moment later,
 *   once the destructors are done, "so that application code cannot run on the thread that is
 *   about to exit". Faults (SIGSEGV ...) stay unblocked: a fault while blocked kills the process
 *   whatever its handler.
 * - The merge waits for the last round of destructor calls POSIX guarantees
 *   (PTHREAD_DESTRUCTOR_ITERATIONS: the value is set again in the earlier rounds), so that the
 *   program's own key destructors, which run after ours in a round, still run unblocked and their
 *   calls are recorded.
 * - Except on a thread that may be the process's last: when the main thread has ended by
 *   pthread_exit, the last thread to end calls exit() (glibc), whose atexit handlers must not run
 *   with signals blocked. Such a thread (and the main thread) restores its mask after the merge.
 *   The runtime learns that the main thread ended from this same destructor: at start-up the key
 *   is given a marker value on the main thread, so that it runs there even without calls. (A main
 *   thread that ends in the microseconds between a thread's check and that thread's end leaves its
 *   exit() with the signals blocked: closing that race would take a hook in pthread_exit.) */

static char hm_main_marker;
static pthread_t hm_main_self;
/* The main thread has ended (pthread_exit), or the runtime cannot tell: it started elsewhere. */
static _Atomic bool hm_main_gone;
static __thread unsigned hm_exit_round __attribute__((tls_model("initial-exec")));
/* The destructor round in which a thread's statistics are merged: the last, after the program's
 * own key destructors. ThreadSanitizer ends a thread's state in that same last round, from a key
 * made before ours (so its destructor runs first), after which any instrumented code of the
 * thread crashes; under it the merge comes one round earlier. */
#if defined(__SANITIZE_THREAD__)
#define HM_EXIT_ROUNDS (PTHREAD_DESTRUCTOR_ITERATIONS - 1)
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define HM_EXIT_ROUNDS (PTHREAD_DESTRUCTOR_ITERATIONS - 1)
#endif
#endif
#ifndef HM_EXIT_ROUNDS
#define HM_EXIT_ROUNDS PTHREAD_DESTRUCTOR_ITERATIONS
#endif

/* Called by init (the key exists) and in a fork child, whose one thread is its main thread. */
static void hm_main_thread_note(void) {
    if (getpid() != (pid_t)syscall(SYS_gettid)) {
        atomic_store(&hm_main_gone, true); /* started on another thread: unknown */
        return;
    }
    hm_main_self = pthread_self();
    atomic_store(&hm_main_gone, false);
    if (!pthread_getspecific(hm_rt.thread_key))
        pthread_setspecific(hm_rt.thread_key, &hm_main_marker);
}

static void hm_thread_exit(void *value) {
    bool main_thread = pthread_equal(pthread_self(), hm_main_self);
    if (main_thread)
        atomic_store(&hm_main_gone, true);
    if (value == &hm_main_marker)
        return; /* the main thread, without calls */
    if (++hm_exit_round < HM_EXIT_ROUNDS && pthread_setspecific(hm_rt.thread_key, value) == 0)
        return; /* again in the next round, after the program's destructors */
    static const int faults[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGTRAP, SIGSYS};
    sigset_t block, old;
    sigfillset(&block);
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
        sigdelset(&block, faults[i]);
    bool masked = pthread_sigmask(SIG_BLOCK, &block, &old) == 0;
    hm_heap_pause(); /* the merge's allocations are the runtime's own */
    hm_thread_merge(value);
    hm_heap_resume();
    if (masked && (main_thread || atomic_load(&hm_main_gone)))
        pthread_sigmask(SIG_SETMASK, &old, NULL); /* may be the last thread: exit() follows */
}

static void hm_after_fork_child(void) {
    hm_is_fork_child = true;
    atomic_store(&hm_finished, 0);
    hm_start_clocks();
    hm_thread_reset_after_fork(&hm_tls_self);
    hm_main_thread_note();
}

/* The ABI entry point a module constructor calls with its table: start the runtime (the first
 * registration may come before the runtime's own constructor) and give the records their ids. */
void __heatmap_register_v3(hm_module_table *table) {
    hm_runtime_init();
    if (!table || table->abi_version != HM_ABI_VERSION) {
        hm_log("module table with an unknown ABI version ignored", NULL, NULL, NULL);
        return;
    }
    hm_registry_add_table(table);
    if (!hm_flag_enabled) /* a run that records nothing: instrumented code calls nothing (abi.h) */
        for (uint32_t i = 0; i < table->count; i++)
            if (table->records[i])
                __atomic_or_fetch(&table->records[i]->state, HM_STATE_OFF, __ATOMIC_RELAXED);
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
    hm_main_thread_note();
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
