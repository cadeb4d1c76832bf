/* Results writer: heatmap.json, written atomically, without malloc or stdio.
 *
 * The writer may run from a signal handler (SIGINT, SIGTERM, a crash), so it formats numbers and
 * escapes strings itself into a fixed buffer flushed with write(2), and sums every function's stats
 * across threads on the fly instead of allocating a merged copy. The file goes to PATH.tmp.PID and
 * is renamed over PATH only when complete, so a reader never sees half a file and an earlier result
 * is never destroyed by a failed write. Format: docs/results-format.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "json_out.h"
#include "rt.h"

bool hm_is_fork_child;

/* Nearest-rank percentile of a histogram, reported as the bucket midpoint clipped to max (the
 * last rank as max itself), as docs/results-format.md defines it. */
uint64_t hm_percentile_ns(const uint64_t *hist, uint64_t count, uint64_t max_ns, unsigned p) {
    if (count == 0)
        return 0;
    uint64_t rank = (count * p + 99) / 100, seen = 0;
    if (rank == 0)
        rank = 1;
    if (rank >= count)
        return max_ns; /* the last rank is the largest self time, which is exact */
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank) {
            uint64_t v = hm_hist_midpoint(b);
            return v < max_ns ? v : max_ns;
        }
    }
    return max_ns;
}

/* A function's per-thread split: [{"tid", "count", "self_ns"}] for each thread that called it, in
 * thread start order. Exited threads keep their split (hm_thread_merge); live ones are read now. */
static void hm_put_thread_split(hm_out *o, uint32_t id, const hm_thread_order *order) {
    hm_puts(o, ", \"threads\": [");
    bool first = true;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        uint64_t calls = 0, self_ns = 0;
        if (d)
            hm_thread_function(d, id, &calls, &self_ns);
        if (calls == 0)
            continue;
        hm_puts(o, first ? "{\"tid\": " : ", {\"tid\": ");
        hm_put_u64(o, d->tid);
        hm_put_key_u64(o, ", \"count\": ", calls);
        hm_put_key_u64(o, ", \"self_ns\": ", self_ns);
        hm_puts(o, "}");
        first = false;
    }
    hm_puts(o, "]");
}

/* `split`: the threads to split the function's totals by, NULL for none. */
static void hm_put_function(hm_out *o, uint32_t id, const hm_collected *c, const uint64_t *hist,
                            bool first, const hm_thread_order *split) {
    const hm_func_meta *m = hm_registry_meta(id);
    hm_puts(o, first ? "\n    {\"id\": " : ",\n    {\"id\": ");
    hm_put_u64(o, id);
    hm_puts(o, ", \"name\": ");
    hm_put_json_string(o, m->name);
    hm_puts(o, ", \"file\": ");
    hm_put_json_string(o, m->file);
    hm_put_key_u64(o, ", \"line\": ", m->line);
    hm_put_key_u64(o, ", \"count\": ", c->count);
    hm_put_key_u64(o, ", \"self_ns\": ", c->self_ns);
    hm_put_key_u64(o, ", \"max_ns\": ", c->max_ns);
    hm_put_key_u64(o, ", \"p50_ns\": ", hm_percentile_ns(hist, c->count, c->max_ns, 50));
    hm_put_key_u64(o, ", \"p95_ns\": ", hm_percentile_ns(hist, c->count, c->max_ns, 95));
    hm_put_key_u64(o, ", \"p99_ns\": ", hm_percentile_ns(hist, c->count, c->max_ns, 99));
    if (split)
        hm_put_thread_split(o, id, split);
    hm_puts(o, ", \"histogram\": [");
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
        hm_puts(o, listed == 0 ? "\n    {\"tid\": " : ",\n    {\"tid\": ");
        hm_put_u64(o, d->tid);
        hm_puts(o, ", \"name\": ");
        hm_put_json_string(o, name);
        hm_put_key_u64(o, ", \"calls\": ", calls);
        hm_put_key_u64(o, ", \"self_ns\": ", self_ns);
        hm_put_key_u64(o, ", \"outer_ns\": ", hm_ticks_to_ns(d->outer_ticks, hm_rt.ns_per_tick_fp));
        hm_put_key_u64(o, ", \"dropped_calls\": ", d->dropped_calls);
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
    hm_puts(o, *first_tree ? "\n    {\"thread\": " : ",\n    {\"thread\": ");
    if (thread)
        hm_put_json_string(o, thread);
    else
        hm_put_u64(o, tid);
    hm_puts(o, ", \"nodes\": [");
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
    hm_put_key_u64(o, ",\n  \"paths\": {\"max_nodes\": ", hm_rt.paths_max);
    hm_put_key_u64(o, ", \"folded_calls\": ", folded);
    hm_put_key_u64(o, ", \"unattributed_self_ns\": ", unattributed);
    hm_puts(o, ", \"trees\": [");
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
    hm_put_key_u64(o, "{\n  \"version\": ", 1);
    hm_puts(o, ",\n  \"program\": ");
    hm_put_json_string(o, program_invocation_name ? program_invocation_name : "");
    hm_put_key_u64(o, ",\n  \"pid\": ", (uint64_t)getpid());
    hm_puts(o, ",\n  \"hostname\": ");
    hm_put_json_string(o, host);
    hm_put_key_u64(o, ",\n  \"start_unix_ns\": ", hm_rt.start_unix_ns);
    hm_put_key_u64(o, ",\n  \"elapsed_ns\": ", hm_clock_monotonic_ns() - hm_rt.start_mono_ns);
    hm_puts(o, ",\n  \"clock\": ");
    hm_put_json_string(o, hm_clock_active == HM_CLOCK_TSC ? "tsc" : "monotonic");
    hm_put_key_u64(o, ",\n  \"overhead_ns\": ", hm_rt.comp_self_ns);
    hm_put_key_u64(o, ",\n  \"overhead_child_ns\": ", hm_rt.comp_child_ns);
    hm_puts(o, ",\n  \"end\": ");
    hm_put_json_string(o, end);
    hm_put_key_u64(o, ",\n  \"histogram\": {\"kind\": \"log-linear\", \"sub_bucket_bits\": ",
                   HM_HIST_SUB_BITS);
    hm_puts(o, "},\n  \"threads\": [");
    /* The per-function thread split is written when there is more than one thread to split. */
    const hm_thread_order *split = hm_put_threads(o, order) > 1 ? order : NULL;
    hm_puts(o, "\n  ],\n  \"functions\": [");
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
    hm_puts(o, "\n}\n");
}

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

int hm_write_results(const char *end) {
    char path[1024];
    hm_expand_output_path(hm_rt.output_pattern, hm_is_fork_child, path, sizeof path);
    static hm_out out; /* static: 8 KiB is too much for a signal handler's stack */
    if (hm_out_open(&out, path) != 0)
        return -1;
    hm_thread_order order;
    if (!hm_thread_order_make(&order))
        hm_log("out of memory: threads left out of '", path, "'", NULL);
    hm_put_document(&out, end, &order);
    int rc = hm_out_commit(&out);
    if (rc == 0 && hm_rt.verbose)
        hm_log("wrote results to '", path, "'", NULL);
    if (rc == 0 && hm_rt.trace)
        hm_write_trace(path, &order);
    hm_thread_order_release(&order);
    if (rc == 0 && hm_rt.summary)
        hm_print_summary(path);
    return rc;
}
