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
#include <sys/mman.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "heatmap/cpus.h"
#include "heatmap/results_format.h"
#include "heap.h"
#include "json_out.h"
#include "rt.h"

/* Which threads get a row of their own: at most HEATMAP_THREADS_MAX, the busiest by CPU time;
 * the others (row[i] == HM_ROW_OTHER) and the threads folded at their exit (hm_other_threads) are
 * summed in one "other threads" row (HM_OTHER_TID, HM_OTHER_NAME: results_format.h). */
enum { HM_ROW_NONE = 0, HM_ROW_OWN = 1, HM_ROW_OTHER = 2 };

typedef struct hm_rows {
    uint8_t *row; /* per position of the order */
    hm_other_threads other;
    bool has_other;
    void *arena;
} hm_rows;

/* A position's row (every thread has its own when the rows could not be made). */
static int hm_row_of(const hm_rows *rows, uint32_t i) {
    return rows->row ? rows->row[i] : HM_ROW_OWN;
}

static void hm_fn_add(hm_thread_fn *a, const hm_thread_fn *b) {
    a->calls += b->calls;
    a->self_ns += b->self_ns;
    a->cpu_ns += b->cpu_ns;
    a->wait_ns += b->wait_ns;
}

static void hm_put_split_entry(hm_out *o, bool first, uint64_t tid, const hm_thread_fn *f) {
    hm_put_field_u64(o, first ? "{" : ", {", HM_TH_KEY_tid, tid);
    hm_put_field_u64(o, ", ", HM_TH_KEY_count, f->calls);
    hm_put_field_u64(o, ", ", HM_TH_KEY_self_ns, f->self_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_cpu_ns, f->cpu_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_wait_ns, f->wait_ns);
    hm_puts(o, "}");
}

/* A function's per-thread split: [{"tid", "count", "self_ns", "cpu_ns", "wait_ns"}] for each
 * thread with a row that called it, in thread start order, then the other threads' sum. Exited
 * threads keep their split (hm_thread_merge); live ones are read now, their open frames included
 * (view). */
static void hm_put_thread_split(hm_out *o, uint32_t id, const hm_thread_order *order,
                                const hm_open_view *view, const hm_rows *rows) {
    hm_put_key(o, ", ", HM_FN_KEY_threads);
    hm_puts(o, "[");
    bool first = true;
    hm_thread_fn other;
    hm_other_function(id, &other);
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        hm_thread_fn f = {0, 0, 0, 0};
        if (!d || hm_row_of(rows, i) == HM_ROW_NONE)
            continue;
        hm_thread_function(view, order, i, id, &f);
        if (hm_row_of(rows, i) == HM_ROW_OTHER) {
            hm_fn_add(&other, &f);
            continue;
        }
        if (f.calls == 0)
            continue;
        hm_put_split_entry(o, first, d->tid, &f);
        first = false;
    }
    if (other.calls)
        hm_put_split_entry(o, first, HM_OTHER_TID, &other);
    hm_puts(o, "]");
}

/* The N-th largest of v[0..n) (1 <= N <= n), by quickselect; v is reordered. */
static uint64_t hm_nth_largest(uint64_t *v, uint32_t n, uint32_t nth) {
    uint32_t lo = 0, hi = n - 1, k = nth - 1;
    while (lo < hi) {
        uint64_t pivot = v[lo + (hi - lo) / 2];
        uint32_t i = lo, j = hi;
        while (i <= j) {
            while (v[i] > pivot)
                i++;
            while (v[j] < pivot)
                j--;
            if (i <= j) {
                uint64_t x = v[i];
                v[i] = v[j];
                v[j] = x;
                i++;
                if (j == 0)
                    break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            break;
    }
    return v[k];
}

/* Choose the rows (false: out of memory, then every thread with calls has its own row). */
static bool hm_rows_make(hm_rows *rows, const hm_thread_order *order, const hm_open_view *view) {
    memset(rows, 0, sizeof *rows);
    hm_other_threads_get(&rows->other);
    rows->has_other = rows->other.threads > 0;
    if (order->n == 0)
        return true;
    rows->row = hm_arena_alloc(&rows->arena, order->n);
    uint64_t *cpu = hm_arena_alloc(&rows->arena, (size_t)order->n * sizeof *cpu);
    if (!rows->row || !cpu)
        return false;
    uint32_t listed = 0;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        if (!d)
            continue;
        hm_thread_time tt;
        hm_thread_time_of(view, order, i, &tt);
        /* A thread that never entered instrumented code (main during calibration, helper
         * threads of libraries) has nothing to report. */
        if (tt.calls == 0 && d->dropped_calls == 0)
            continue;
        rows->row[i] = HM_ROW_OWN;
        cpu[listed++] = tt.cpu_ns;
    }
    uint32_t max = hm_rt.threads_max ? hm_rt.threads_max : 64;
    if (listed <= max)
        return true;
    uint64_t cut = hm_nth_largest(cpu, listed, max);
    uint32_t own = 0;
    for (int pass = 0; pass < 2; pass++) /* above the cut first, then equal ones in start order */
        for (uint32_t i = 0; i < order->n; i++) {
            if (rows->row[i] == HM_ROW_NONE || (pass == 1 && rows->row[i] != HM_ROW_OTHER))
                continue;
            hm_thread_time tt;
            hm_thread_time_of(view, order, i, &tt);
            bool keep = pass == 0 ? tt.cpu_ns > cut : tt.cpu_ns == cut && own < max;
            if (pass == 0 && !keep) {
                rows->row[i] = HM_ROW_OTHER;
            } else if (keep) {
                rows->row[i] = HM_ROW_OWN;
                own++;
            }
        }
    for (uint32_t i = 0; i < order->n; i++) {
        if (rows->row[i] != HM_ROW_OTHER)
            continue;
        hm_thread_time tt;
        hm_thread_time_of(view, order, i, &tt);
        hm_thread_time *s = &rows->other.time;
        rows->other.threads++;
        s->calls += tt.calls;
        s->self_ns += tt.self_ns;
        s->outer_ns += tt.outer_ns;
        s->cpu_ns += tt.cpu_ns;
        s->wait_ns += tt.wait_ns;
        s->preempt_ns += tt.preempt_ns;
        s->overhead_ns += tt.overhead_ns;
        rows->other.dropped_calls += order->v[i]->dropped_calls;
        rows->has_other = true;
    }
    return true;
}

/* `split`: the threads to split the function's totals by, NULL for none. */
static void hm_put_function(hm_out *o, uint32_t id, const hm_collected *c, const uint64_t *hist,
                            bool first, const hm_thread_order *split, const hm_open_view *view,
                            const hm_rows *rows) {
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
        hm_put_thread_split(o, id, split, view, rows);
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

static void hm_put_thread_row(hm_out *o, bool first, uint64_t tid, const char *name,
                              const hm_thread_time *tt, uint64_t dropped_calls) {
    hm_put_field_u64(o, first ? "\n    {" : ",\n    {", HM_TH_KEY_tid, tid);
    hm_put_field_string(o, ", ", HM_TH_KEY_name, name);
    hm_put_field_u64(o, ", ", HM_TH_KEY_calls, tt->calls);
    hm_put_field_u64(o, ", ", HM_TH_KEY_self_ns, tt->self_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_outer_ns, tt->outer_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_dropped_calls, dropped_calls);
    hm_put_field_u64(o, ", ", HM_TH_KEY_cpu_ns, tt->cpu_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_wait_ns, tt->wait_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_preempt_ns, tt->preempt_ns);
    hm_put_field_u64(o, ", ", HM_TH_KEY_overhead_ns, tt->overhead_ns);
    hm_puts(o, "}");
}

/* Returns the number of rows written. */
static uint32_t hm_put_threads(hm_out *o, const hm_thread_order *order, const hm_open_view *view,
                               const hm_rows *rows) {
    uint32_t listed = 0;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        if (!d || hm_row_of(rows, i) != HM_ROW_OWN)
            continue;
        hm_thread_time tt;
        hm_thread_time_of(view, order, i, &tt);
        char name[32];
        hm_thread_name(d, name, sizeof name);
        hm_put_thread_row(o, listed == 0, d->tid, name, &tt, d->dropped_calls);
        listed++;
    }
    if (rows->has_other) {
        hm_put_thread_row(o, listed == 0, HM_OTHER_TID, HM_OTHER_NAME, &rows->other.time,
                          rows->other.dropped_calls);
        listed++;
    }
    return listed;
}

/* Each node's total: the self time of its subtree (its own self time, its open frames' included,
 * and its descendants' totals), summed here rather than on the hot path. Parents are made before
 * their children (paths.c), so one pass from the last node down adds each total into its parent's.
 * NULL when out of memory. */
static uint64_t *hm_tree_totals(void **arena, const hm_tree *tree, const hm_open_node *open) {
    uint32_t size = hm_tree_size(tree);
    uint64_t *total = hm_arena_alloc(arena, (size_t)size * sizeof *total);
    if (!total)
        return NULL;
    for (uint32_t i = 0; i < size; i++)
        total[i] = tree->nodes[i].self_ns + (open ? open[i].self_ns : 0);
    for (uint32_t i = size; i-- > 1;) {
        uint32_t parent = tree->nodes[i].parent;
        if (tree->nodes[i].func != 0 && parent < i) /* never filled: a handler's race (paths.c) */
            total[parent] += total[i];
    }
    return total;
}

/* One tree's nodes as [id, parent, function, count, self_ns, total_ns, wait_ns, block_count,
 * block_ns, mutex_count, mutex_ns]; the runtime's own calibration nodes (and only they have
 * internal functions, all below the root) are left out. A live tree's wait is split with its
 * thread's on-CPU `ratio`; the exited tree's was split at each thread's exit (ratio < 0). */
static void hm_put_tree(hm_out *o, const hm_tree *tree, bool *first_tree, const char *thread,
                        uint64_t tid, double ratio, const hm_open_node *open) {
    uint32_t size = hm_tree_size(tree);
    void *arena = NULL;
    const uint64_t *total = hm_tree_totals(&arena, tree, open);
    if (!total)
        hm_log("out of memory: call-path totals written as the nodes' self times", NULL, NULL,
               NULL);
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
        hm_open_node add = open ? open[i] : (hm_open_node){0, 0, 0};
        uint64_t self_ns = n->self_ns + add.self_ns;
        hm_puts(o, first ? "\n      [" : ",\n      [");
        hm_put_u64(o, i);
        hm_put_key_u64(o, ", ", n->parent);
        hm_put_key_u64(o, ", ", n->func);
        hm_put_key_u64(o, ", ", n->count + add.count);
        hm_put_key_u64(o, ", ", self_ns);
        hm_put_key_u64(o, ", ", total ? total[i] : self_ns);
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
    hm_arena_release(&arena);
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

static uint64_t hm_process_cpu_ns(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts) != 0)
        return 0;
    uint64_t now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return now > hm_rt.start_cpu_ns ? now - hm_rt.start_cpu_ns : 0;
}

/* The threads and functions come first in the document's order but the top-level times depend
 * on the threads (their overheads): the threads are summed in a first pass that writes nothing. */
/* `figures`: keep the run's figures in hm_rt.written for the summary (the results file; not the
 * live server's copies, written from another thread while the program runs). */
static void hm_put_document(hm_out *o, const char *end, const hm_thread_order *order,
                            bool figures) {
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
    /* Rows; out of memory: a row per thread, nothing folded at the write. */
    hm_rows rows;
    if (!hm_rows_make(&rows, order, view)) {
        hm_arena_release(&rows.arena);
        rows.row = NULL;
    }
    run.overhead_total_ns = rows.has_other ? rows.other.time.overhead_ns : 0;
    run.overhead_max_ns = rows.other.overhead_max_ns;
    for (uint32_t i = 0; i < order->n; i++) {
        if (hm_row_of(&rows, i) == HM_ROW_NONE)
            continue;
        hm_thread_time tt;
        hm_thread_time_of(view, order, i, &tt);
        if (hm_row_of(&rows, i) == HM_ROW_OWN)
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
    uint64_t elapsed_ns = wall_ns > run.overhead_max_ns ? wall_ns - run.overhead_max_ns : 0;
    hm_put_field_u64(o, ",\n  ", HM_KEY_elapsed_ns, elapsed_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_wall_ns, wall_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_overhead_total_ns, run.overhead_total_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_process_cpu_ns, process_cpu_ns);
    hm_put_field_u64(o, ",\n  ", HM_KEY_cpus, hm_cpus_usable());
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
    const hm_thread_order *split = hm_put_threads(o, order, view, &rows) > 1 ? order : NULL;
    hm_puts(o, "\n  ]");
    hm_put_key(o, ",\n  ", HM_KEY_functions);
    hm_puts(o, "[");
    uint64_t hist[HM_RT_BUCKETS];
    bool first = true;
    uint32_t n = hm_registry_count();
    __typeof__(hm_rt.written) w;
    memset(&w, 0, sizeof w);
    w.elapsed_ns = elapsed_ns;
    w.overhead_total_ns = run.overhead_total_ns;
    for (uint32_t id = 1; id <= n; id++) {
        const hm_func_meta *m = hm_registry_meta(id);
        if (!m || m->internal)
            continue;
        hm_collected c;
        hm_collect_function(id, view, &c, hist);
        if (c.count + c.untimed == 0 &&
            !hm_heap_function_seen(id)) /* memory: a fork child's inherited */
            continue;
        hm_put_function(o, id, &c, hist, first, split, view, &rows);
        w.cpu_ns += c.cpu_ns;
        w.wait_ns += c.wait_ns;
        w.self_ns += c.self_ns;
        w.calls += c.count + c.untimed; /* count-only calls (throttle.c) too */
        w.functions++;
        first = false;
    }
    hm_puts(o, "\n  ]");
    if (hm_rt.paths)
        hm_put_paths(o, order, view);
    hm_put_cpu_profile(o);
    hm_put_heap(o);
    hm_puts(o, "\n}\n");
    hm_open_view_release(view);
    hm_arena_release(&rows.arena);
    if (figures)
        hm_rt.written = w; /* valid once the file is written (hm_write_results_file) */
}

int hm_write_results_fd(int fd, const char *end, const hm_thread_order *order) {
    hm_out *out =
        mmap(NULL, sizeof *out, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (out == MAP_FAILED)
        return -1;
    hm_out_use_fd(out, fd);
    hm_put_document(out, end, order, false);
    int rc = hm_out_finish_fd(out);
    munmap(out, sizeof *out);
    return rc;
}

int hm_write_results_file(char *path, size_t size, const char *end, const hm_thread_order *order,
                          const hm_file_id *was, const char *beside) {
    static hm_out out; /* static: 8 KiB is too much for a signal handler's stack */
    if (hm_out_open(&out, path) != 0)
        return -1;
    hm_put_document(&out, end, order, true);
    hm_rt.written.valid = true;
    int rc = was && beside && strcmp(beside, path) != 0 ? hm_out_commit_guarded(&out, was, beside)
                                                        : hm_out_commit(&out);
    if (rc < 0)
        return -1;
    size_t n = 0;
    hm_append(path, size, &n, out.path, strlen(out.path));
    if (hm_rt.verbose)
        hm_log("wrote results to '", path, "'", NULL);
    return 0;
}
