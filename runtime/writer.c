/* Results writer: heatmap.json, written atomically, without malloc or stdio.
 *
 * The writer may run from a signal handler (SIGINT, SIGTERM, a crash), so it formats numbers and
 * escapes strings itself into a fixed buffer flushed with write(2), and sums every function's stats
 * across threads on the fly instead of allocating a merged copy. The file goes to PATH.tmp.PID and
 * is renamed over PATH only when complete, so a reader never sees half a file and an earlier result
 * is never destroyed by a failed write. The version and the key names come from
 * heatmap/results_format.h; the prose format is docs/results-format.md.
 *
 * Layer 4 (rt.h), one of the writers: may call the hot path's read side (collected statistics,
 * thread order, call-path trees), the registry and json_out, clock and log; called by the
 * lifecycle only, never by the other writers (the trace file and the summary are theirs).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <sched.h>
#include <sys/mman.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heatmap/results_format.h"
#include "heap.h"
#include "json_out.h"
#include "rt.h"

/* A function's per-thread split: [{"tid", "count", "self_ns", "cpu_ns", "wait_ns"}] for each
 * thread that called it, in thread start order. Exited threads keep their split (hm_thread_merge);
 * live ones are read now, their open frames included (view). */
static void hm_put_thread_split(hm_out *o, uint32_t id, const hm_thread_order *order,
                                const hm_open_view *view) {
    hm_put_key(o, ", ", HM_FN_KEY_threads);
    hm_puts(o, "[");
    bool first = true;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        hm_thread_fn f = {0, 0, 0, 0};
        if (d)
            hm_thread_function(view, order, i, id, &f);
        if (f.calls == 0)
            continue;
        hm_put_field_u64(o, first ? "{" : ", {", HM_TH_KEY_tid, d->tid);
        hm_put_field_u64(o, ", ", HM_TH_KEY_count, f.calls);
        hm_put_field_u64(o, ", ", HM_TH_KEY_self_ns, f.self_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_cpu_ns, f.cpu_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_wait_ns, f.wait_ns);
        hm_puts(o, "}");
        first = false;
    }
    hm_puts(o, "]");
}

/* `split`: the threads to split the function's totals by, NULL for none. */
static void hm_put_function(hm_out *o, uint32_t id, const hm_collected *c, const uint64_t *hist,
                            bool first, const hm_thread_order *split, const hm_open_view *view) {
    const hm_func_meta *m = hm_registry_meta(id);
    hm_put_field_u64(o, first ? "\n    {" : ",\n    {", HM_FN_KEY_id, id);
    hm_put_field_string(o, ", ", HM_FN_KEY_name, m->name);
    hm_put_field_string(o, ", ", HM_FN_KEY_file, m->file);
    hm_put_field_u64(o, ", ", HM_FN_KEY_line, m->line);
    /* Count-only calls (throttle.c) are counted, not timed: the timed figures are the timed
     * calls', and throttled_after says how many those are. */
    hm_put_field_u64(o, ", ", HM_FN_KEY_count, c->count + c->untimed);
    if (hm_throttle_is_throttled(id))
        hm_put_field_u64(o, ", ", HM_FN_KEY_throttled_after, c->count);
    hm_put_field_u64(o, ", ", HM_FN_KEY_self_ns, c->self_ns);
    hm_put_field_u64(o, ", ", HM_FN_KEY_max_ns, c->max_ns);
    hm_put_field_u64(o, ", ", HM_FN_KEY_p50_ns, hm_percentile_ns(hist, c->count, c->max_ns, 50));
    hm_put_field_u64(o, ", ", HM_FN_KEY_p95_ns, hm_percentile_ns(hist, c->count, c->max_ns, 95));
    hm_put_field_u64(o, ", ", HM_FN_KEY_p99_ns, hm_percentile_ns(hist, c->count, c->max_ns, 99));
    hm_put_field_u64(o, ", ", HM_FN_KEY_cpu_ns, c->cpu_ns);
    hm_put_field_u64(o, ", ", HM_FN_KEY_wait_ns, c->wait_ns);
    hm_put_field_u64(o, ", ", HM_FN_KEY_blocked_ns, c->blocked_ns);
    if (c->open_calls)
        hm_put_field_u64(o, ", ", HM_FN_KEY_open_calls, c->open_calls);
    if (split)
        hm_put_thread_split(o, id, split, view);
    hm_put_key(o, ", ", HM_FN_KEY_histogram);
    hm_puts(o, "[");
    bool first_bucket = true;
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++) {
        if (!hist[b])
            continue;
        hm_puts(o, first_bucket ? "[" : ", [");
        hm_put_u64(o, b);
        hm_puts(o, ", ");
        hm_put_u64(o, hist[b]);
        hm_puts(o, "]");
        first_bucket = false;
    }
    hm_puts(o, "]}");
}

/* The live name of a thread (it may have been renamed since it started), else the one recorded. */
static void hm_thread_name(const hm_thread_data *d, char *name, size_t size) {
    char path[64] = "/proc/self/task/";
    size_t n = strlen(path);
    n += hm_format_u64(d->tid, path + n);
    memcpy(path + n, "/comm", 6);
    int fd = atomic_load(&((hm_thread_data *)d)->merged) ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, name, size - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (got > 0) {
        name[got] = '\0';
        name[strcspn(name, "\n")] = '\0';
    } else {
        memcpy(name, d->name, sizeof d->name);
        name[sizeof d->name - 1] = '\0';
    }
}

/* Returns the number of threads listed. */
static uint32_t hm_put_threads(hm_out *o, const hm_thread_order *order, const hm_open_view *view) {
    uint32_t listed = 0;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        if (!d)
            continue;
        hm_thread_time tt;
        hm_thread_time_of(view, order, i, &tt);
        uint64_t calls = tt.calls, self_ns = tt.self_ns;
        /* A thread that never entered instrumented code (main during calibration, helper
         * threads of libraries) has nothing to report. */
        if (calls == 0 && d->dropped_calls == 0)
            continue;
        char name[32];
        hm_thread_name(d, name, sizeof name);
        hm_put_field_u64(o, listed == 0 ? "\n    {" : ",\n    {", HM_TH_KEY_tid, d->tid);
        hm_put_field_string(o, ", ", HM_TH_KEY_name, name);
        hm_put_field_u64(o, ", ", HM_TH_KEY_calls, calls);
        hm_put_field_u64(o, ", ", HM_TH_KEY_self_ns, self_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_outer_ns, tt.outer_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_dropped_calls, d->dropped_calls);
        hm_put_field_u64(o, ", ", HM_TH_KEY_cpu_ns, tt.cpu_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_wait_ns, tt.wait_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_preempt_ns, tt.preempt_ns);
        hm_put_field_u64(o, ", ", HM_TH_KEY_overhead_ns, tt.overhead_ns);
        hm_puts(o, "}");
        listed++;
    }
    return listed;
}

/* One tree's nodes as [id, parent, function, count, self_ns, total_ns, wait_ns, block_count,
 * block_ns, mutex_count, mutex_ns]; the runtime's own calibration nodes (and only they have
 * internal functions, all below the root) are left out. A live tree's wait is split with its
 * thread's on-CPU `ratio`; the exited tree's was split at each thread's exit (ratio < 0). */
static void hm_put_tree(hm_out *o, const hm_tree *tree, bool *first_tree, const char *thread,
                        uint64_t tid, double ratio, const hm_open_node *open) {
    uint32_t size = hm_tree_size(tree);
    hm_put_key(o, *first_tree ? "\n    {" : ",\n    {", HM_PATHS_KEY_thread);
    if (thread)
        hm_put_json_string(o, thread);
    else
        hm_put_u64(o, tid);
    hm_put_key(o, ", ", HM_PATHS_KEY_nodes);
    hm_puts(o, "[");
    bool first = true;
    for (uint32_t i = 1; i < size; i++) {
        const hm_node *n = &tree->nodes[i];
        const hm_func_meta *m = n->func ? hm_registry_meta(n->func) : NULL;
        if (!m || m->internal)
            continue;
        /* A live tree's nodes gain its open frames (hm_open_view_nodes). */
        hm_open_node add = open ? open[i] : (hm_open_node){0, 0, 0, 0};
        uint64_t self_ns = n->self_ns + add.self_ns;
        hm_puts(o, first ? "\n      [" : ",\n      [");
        hm_put_u64(o, i);
        hm_put_key_u64(o, ", ", n->parent);
        hm_put_key_u64(o, ", ", n->func);
        hm_put_key_u64(o, ", ", n->count + add.count);
        hm_put_key_u64(o, ", ", self_ns);
        hm_put_key_u64(o, ", ", n->total_ns + add.total_ns);
        const hm_node_wait *w = &tree->waits[i];
        uint64_t cpu, wait = w->wait_ns;
        if (ratio >= 0)
            hm_split_self(self_ns, w->blocked_ns + add.blocked_ns, ratio, &cpu, &wait);
        hm_put_key_u64(o, ", ", wait < self_ns ? wait : self_ns);
        hm_put_key_u64(o, ", ", w->block_count);
        hm_put_key_u64(o, ", ", w->block_ns);
        hm_put_key_u64(o, ", ", w->mutex_count);
        hm_put_key_u64(o, ", ", w->mutex_ns);
        hm_puts(o, "]");
        first = false;
    }
    hm_puts(o, "]}");
    *first_tree = false;
}

/* A live thread's tree (exited threads' trees are merged into the "exited" one). */
static const hm_tree *hm_live_tree(const hm_thread_data *d) {
    return d && !atomic_load(&((hm_thread_data *)d)->merged) && d->tree.nodes ? &d->tree : NULL;
}

static void hm_put_paths(hm_out *o, const hm_thread_order *order, const hm_open_view *view) {
    const hm_tree *exited = hm_paths_exited();
    /* Outermost calls folded for want of nodes have no caller node: their time is in the root. */
    uint64_t folded = exited ? exited->folded : 0;
    uint64_t unattributed = exited ? exited->nodes[0].self_ns : 0;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_tree *tree = hm_live_tree(order->v[i]);
        const hm_open_node *open = hm_open_view_nodes(view, i);
        if (tree) {
            folded += tree->folded;
            unattributed += tree->nodes[0].self_ns + (open ? open[0].self_ns : 0);
        }
    }
    hm_put_key(o, ",\n  ", HM_KEY_paths);
    hm_put_field_u64(o, "{", HM_PATHS_KEY_max_nodes, hm_rt.paths_max);
    hm_put_field_u64(o, ", ", HM_PATHS_KEY_folded_calls, folded);
    hm_put_field_u64(o, ", ", HM_PATHS_KEY_unattributed_self_ns, unattributed);
    hm_put_key(o, ", ", HM_PATHS_KEY_trees);
    hm_puts(o, "[");
    bool first = true;
    if (exited)
        hm_put_tree(o, exited, &first, "exited", 0, -1.0, NULL);
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_tree *tree = hm_live_tree(order->v[i]);
        if (tree && hm_tree_size(tree) > 1) {
            hm_thread_time tt;
            hm_thread_time_of(view, order, i, &tt);
            hm_put_tree(o, tree, &first, NULL, order->v[i]->tid, tt.ratio,
                        hm_open_view_nodes(view, i));
        }
    }
    hm_puts(o, "\n  ]}");
}

/* CPUs the process may run on: its affinity mask, else the CPUs online. */
static uint64_t hm_cpus(void) {
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return (uint64_t)CPU_COUNT(&set);
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (uint64_t)n : 1;
}

static uint64_t hm_process_cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return now > hm_rt.start_cpu_ns ? now - hm_rt.start_cpu_ns : 0;
}

/* The threads and functions come first in the document's order but the top-level times depend
 * on the threads (their overheads): the threads are summed in a first pass that writes nothing. */
static void hm_put_document(hm_out *o, const char *end, const hm_thread_order *order) {
    extern char *program_invocation_name;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    uint64_t now_tick = hm_clock_now();
    uint64_t wall_ns = hm_clock_monotonic_ns() - hm_rt.start_mono_ns;
    uint64_t process_cpu_ns = hm_process_cpu_ns();
    /* Live threads' open frames and times; NULL (out of memory): open frames left out. */
    hm_open_view *view = hm_open_view_make(order, now_tick);
    struct {
        uint64_t overhead_max_ns, overhead_total_ns;
    } run = {0, 0};
    for (uint32_t i = 0; i < order->n; i++) {
        if (!order->v[i])
            continue;
        hm_thread_time tt;
        hm_thread_time_of(view, order, i, &tt);
        if (tt.calls == 0 && order->v[i]->dropped_calls == 0)
            continue;
        run.overhead_total_ns += tt.overhead_ns;
        if (tt.overhead_ns > run.overhead_max_ns)
            run.overhead_max_ns = tt.overhead_ns;
    }
    hm_put_field_u64(o, "{\n  ", HM_KEY_version, HM_RESULTS_FORMAT_VERSION);
    hm_put_field_string(o, ",\n  ", HM_KEY_program,
                        program_invocation_name ? program_invocation_name : "");
    hm_put_field_u64(o, ",\n  ", HM_KEY_pid, (uint64_t)getpid());
    hm_put_field_string(o, ",\n  ", HM_KEY_hostname, host);
    hm_put_field_u64(o, ",\n  ", HM_KEY_start_unix_ns, hm_rt.start_unix_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_elapsed_ns,
                     wall_ns > run.overhead_max_ns ? wall_ns - run.overhead_max_ns : 0);
    hm_put_field_u64(o, ",\n  ", HM_KEY_wall_ns, wall_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_overhead_total_ns, run.overhead_total_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_process_cpu_ns, process_cpu_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_cpus, hm_cpus());
    hm_put_field_string(o, ",\n  ", HM_KEY_clock,
                        hm_clock_active == HM_CLOCK_TSC ? "tsc" : "monotonic");
    hm_put_field_u64(o, ",\n  ", HM_KEY_overhead_ns, hm_rt.comp_self_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_overhead_child_ns, hm_rt.comp_child_ns);
    hm_put_field_string(o, ",\n  ", HM_KEY_end, end);
    hm_put_key(o, ",\n  ", HM_KEY_histogram);
    hm_put_field_string(o, "{", HM_HIST_KEY_kind, "log-linear");
    hm_put_field_u64(o, ", ", HM_HIST_KEY_sub_bucket_bits, HM_HIST_SUB_BITS);
    hm_puts(o, "}");
    hm_put_key(o, ",\n  ", HM_KEY_threads);
    hm_puts(o, "[");
    /* The per-function thread split is written when there is more than one thread to split. */
    const hm_thread_order *split = hm_put_threads(o, order, view) > 1 ? order : NULL;
    hm_puts(o, "\n  ]");
    hm_put_key(o, ",\n  ", HM_KEY_functions);
    hm_puts(o, "[");
    uint64_t hist[HM_RT_BUCKETS];
    bool first = true;
    uint32_t n = hm_registry_count();
    for (uint32_t id = 1; id <= n; id++) {
        const hm_func_meta *m = hm_registry_meta(id);
        if (!m || m->internal)
            continue;
        hm_collected c;
        hm_collect_function(id, view, &c, hist);
        if (c.count + c.untimed == 0 &&
            !hm_heap_function_seen(id)) /* memory: a fork child's inherited */
            continue;
        hm_put_function(o, id, &c, hist, first, split, view);
        first = false;
    }
    hm_puts(o, "\n  ]");
    if (hm_rt.paths)
        hm_put_paths(o, order, view);
    hm_put_cpu_profile(o);
    hm_put_heap(o);
    hm_puts(o, "\n}\n");
    hm_open_view_release(view);
}

int hm_write_results_fd(int fd, const char *end, const hm_thread_order *order) {
    hm_out *out =
        mmap(NULL, sizeof *out, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (out == MAP_FAILED)
        return -1;
    hm_out_use_fd(out, fd);
    hm_put_document(out, end, order);
    int rc = hm_out_finish_fd(out);
    munmap(out, sizeof *out);
    return rc;
}

int hm_write_results_file(const char *path, const char *end, const hm_thread_order *order) {
    static hm_out out; /* static: 8 KiB is too much for a signal handler's stack */
    if (hm_out_open(&out, path) != 0)
        return -1;
    hm_put_document(&out, end, order);
    int rc = hm_out_commit(&out);
    if (rc == 0 && hm_rt.verbose)
        hm_log("wrote results to '", path, "'", NULL);
    return rc;
}
