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
#include <string.h>
#include <unistd.h>

#include "heatmap/results_format.h"
#include "json_out.h"
#include "rt.h"

/* A function's per-thread split: [{"tid", "count", "self_ns"}] for each thread that called it, in
 * thread start order. Exited threads keep their split (hm_thread_merge); live ones are read now. */
static void hm_put_thread_split(hm_out *o, uint32_t id, const hm_thread_order *order) {
    hm_put_key(o, ", ", HM_FN_KEY_threads);
    hm_puts(o, "[");
    bool first = true;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        uint64_t calls = 0, self_ns = 0;
        if (d)
            hm_thread_function(d, id, &calls, &self_ns);
        if (calls == 0)
            continue;
        hm_put_field_u64(o, first ? "{" : ", {", HM_TH_KEY_tid, d->tid);
        hm_put_field_u64(o, ", ", HM_TH_KEY_count, calls);
        hm_put_field_u64(o, ", ", HM_TH_KEY_self_ns, self_ns);
        hm_puts(o, "}");
        first = false;
    }
    hm_puts(o, "]");
}

/* `split`: the threads to split the function's totals by, NULL for none. */
static void hm_put_function(hm_out *o, uint32_t id, const hm_collected *c, const uint64_t *hist,
                            bool first, const hm_thread_order *split) {
    const hm_func_meta *m = hm_registry_meta(id);
    hm_put_field_u64(o, first ? "\n    {" : ",\n    {", HM_FN_KEY_id, id);
    hm_put_field_string(o, ", ", HM_FN_KEY_name, m->name);
    hm_put_field_string(o, ", ", HM_FN_KEY_file, m->file);
    hm_put_field_u64(o, ", ", HM_FN_KEY_line, m->line);
    hm_put_field_u64(o, ", ", HM_FN_KEY_count, c->count);
    hm_put_field_u64(o, ", ", HM_FN_KEY_self_ns, c->self_ns);
    hm_put_field_u64(o, ", ", HM_FN_KEY_max_ns, c->max_ns);
    hm_put_field_u64(o, ", ", HM_FN_KEY_p50_ns, hm_percentile_ns(hist, c->count, c->max_ns, 50));
    hm_put_field_u64(o, ", ", HM_FN_KEY_p95_ns, hm_percentile_ns(hist, c->count, c->max_ns, 95));
    hm_put_field_u64(o, ", ", HM_FN_KEY_p99_ns, hm_percentile_ns(hist, c->count, c->max_ns, 99));
    if (split)
        hm_put_thread_split(o, id, split);
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
static uint32_t hm_put_threads(hm_out *o, const hm_thread_order *order) {
    uint32_t listed = 0;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        if (!d)
            continue;
        uint64_t calls, self_ns;
        hm_thread_totals(d, &calls, &self_ns);
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
        hm_put_field_u64(o, ", ", HM_TH_KEY_outer_ns,
                         hm_ticks_to_ns(d->outer_ticks, hm_rt.ns_per_tick_fp));
        hm_put_field_u64(o, ", ", HM_TH_KEY_dropped_calls, d->dropped_calls);
        hm_puts(o, "}");
        listed++;
    }
    return listed;
}

/* One tree's nodes as [id, parent, function, count, self_ns, total_ns]; the runtime's own
 * calibration nodes (and only they have internal functions, all below the root) are left out. */
static void hm_put_tree(hm_out *o, const hm_tree *tree, bool *first_tree, const char *thread,
                        uint64_t tid) {
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
        hm_puts(o, first ? "\n      [" : ",\n      [");
        hm_put_u64(o, i);
        hm_put_key_u64(o, ", ", n->parent);
        hm_put_key_u64(o, ", ", n->func);
        hm_put_key_u64(o, ", ", n->count);
        hm_put_key_u64(o, ", ", n->self_ns);
        hm_put_key_u64(o, ", ", n->total_ns);
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

static void hm_put_paths(hm_out *o, const hm_thread_order *order) {
    const hm_tree *exited = hm_paths_exited();
    /* Outermost calls folded for want of nodes have no caller node: their time is in the root. */
    uint64_t folded = exited ? exited->folded : 0;
    uint64_t unattributed = exited ? exited->nodes[0].self_ns : 0;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_tree *tree = hm_live_tree(order->v[i]);
        if (tree) {
            folded += tree->folded;
            unattributed += tree->nodes[0].self_ns;
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
        hm_put_tree(o, exited, &first, "exited", 0);
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_tree *tree = hm_live_tree(order->v[i]);
        if (tree && hm_tree_size(tree) > 1)
            hm_put_tree(o, tree, &first, NULL, order->v[i]->tid);
    }
    hm_puts(o, "\n  ]}");
}

static void hm_put_document(hm_out *o, const char *end, const hm_thread_order *order) {
    extern char *program_invocation_name;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    hm_put_field_u64(o, "{\n  ", HM_KEY_version, HM_RESULTS_FORMAT_VERSION);
    hm_put_field_string(o, ",\n  ", HM_KEY_program,
                        program_invocation_name ? program_invocation_name : "");
    hm_put_field_u64(o, ",\n  ", HM_KEY_pid, (uint64_t)getpid());
    hm_put_field_string(o, ",\n  ", HM_KEY_hostname, host);
    hm_put_field_u64(o, ",\n  ", HM_KEY_start_unix_ns, hm_rt.start_unix_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_elapsed_ns, hm_clock_monotonic_ns() - hm_rt.start_mono_ns);
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
    const hm_thread_order *split = hm_put_threads(o, order) > 1 ? order : NULL;
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
        hm_collect_function(id, &c, hist);
        if (c.count == 0)
            continue;
        hm_put_function(o, id, &c, hist, first, split);
        first = false;
    }
    hm_puts(o, "\n  ]");
    if (hm_rt.paths)
        hm_put_paths(o, order);
    hm_put_cpu_profile(o);
    hm_puts(o, "\n}\n");
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
