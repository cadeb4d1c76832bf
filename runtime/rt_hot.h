/* Layer 2 of the runtime, the hot path: hot_path.c, thread_state.c, paths.c, trace.c (recording).
 *
 * What enter/exit record and the per-thread data they record into: shadow-stack frames,
 * per-function statistics, call-path trees and the event trace, plus the read side the writers use
 * (collected statistics, thread order, percentiles). These files call each other and layer 1
 * (rt_base.h), never the calibration, the writers or the lifecycle (rt.h); layer map in rt_base.h.
 */
#ifndef HEATMAP_RT_HOT_H
#define HEATMAP_RT_HOT_H

#include "rt_base.h"

/* ---- per-function, per-thread statistics ----------------------------------------------------- */

#define HM_RT_BUCKETS HM_HIST_RUNTIME_BUCKETS

/* The runtime's bucket of a self time: its log-linear index, the longest times (2^40 ns and more)
 * in the last bucket. */
static inline uint32_t hm_rt_bucket(uint64_t ns) {
    uint32_t b = hm_hist_index(ns);
    if (HM_UNLIKELY(b >= HM_RT_BUCKETS)) /* as the exit always had it: its code is unchanged */
        b = HM_RT_BUCKETS - 1;
    return b;
}

typedef struct hm_fstats {
    uint64_t count;
    uint64_t self_ns;
    uint64_t max_ns;
    /* The calls made before `hist` existed, all in one bucket: (bucket << 32) | calls, kept so
     * that a function whose calls all fall in one bucket needs no histogram memory. Readers add it
     * in. Once `hist` exists calls are added to hist[b] directly. Either is done one call late,
     * from the call's shadow-stack slot (hm_frame.pending_stats), never from the exit's clock
     * read: readers add the calls still pending there (hm_hist_pending_add). */
    uint64_t run;
    uint64_t *hist_high; /* NULL until a 32-bit bucket wraps: then 2^32 multiples per bucket */
    /* HM_RT_BUCKETS counts, from the thread's arena when a second bucket is first used (the first
     * run needs none): a function called once on a short-lived thread costs 64 bytes, not 4.6 KiB.
     * NULL until then, and when no memory was left (its calls are then missing from the histogram,
     * never from the count). */
    uint32_t *hist;
    /* Not touched by enter/exit (the hot path's offsets are those it always had): wall time in
     * interposed blocking calls made while this function was the innermost frame (waits.c), and
     * calls closed by the runtime at the write rather than by their exit. */
    uint64_t blocked_ns;
    uint64_t open_calls;
} hm_fstats;

/* One shadow-stack frame. `sp` is the stack address seen at enter: a frame whose sp lies below the
 * current one was unwound without its exit (longjmp, exception) and is closed then. */
typedef struct hm_frame {
    uint32_t id;
    uint32_t node;  /* call-path node (paths.c), HM_NODE_FOLDED set when folded into parent */
    uint64_t start; /* ticks */
    /* Ticks spent in instrumented children (their full elapsed) and the compensation for each
     * (hm_rt.comp_child_ticks), and the runtime's set-up made inside this frame. */
    uint64_t child;
    uintptr_t sp;
    /* The call's record: valid while the frame is open (its module cannot be unloaded under it).
     * A frame closed without its exit (a longjmp past it) is checked for throttling with it. */
    hm_func_record *record;
    /* The last call popped from this slot, whose histogram bucket the next pop from it counts
     * (hot_path.c, hm_record): so the exit stores nothing at an address computed from the clock,
     * which made every timed call wait for the clock read (docs/performance.md, "fifth pass").
     * pending_stats is NULL when nothing is pending. The push leaves both alone. Only the first
     * HM_PENDING_DEPTH slots keep one. */
    hm_fstats *pending_stats;
    uint64_t pending_ns;
    uint64_t pad[1]; /* 64 bytes: a frame's address is a shift away */
} hm_frame;
_Static_assert(sizeof(hm_frame) == 64, "hm_frame: 64 bytes");
/* Calls at depths up to this one leave their histogram bucket pending in their slot; deeper ones
 * (deep recursion) count it at once, in a slow path. It bounds what a reader scans per function
 * and thread: a recursion a million calls deep, once, would otherwise leave a million slots to
 * scan for every function at every write. */
#define HM_PENDING_DEPTH 256u

/* ---- call paths (paths.c) ----------------------------------------------------------------------
 * A calling-context tree per thread: one node per distinct path of instrumented functions. Node 0
 * is the root. Nodes live in a MAP_NORESERVE reservation of `max` entries and never move; a hash
 * table finds (parent, function) -> node, and each node caches the child it reached last. */

#define HM_NODE_FOLDED 0x80000000u

typedef struct hm_node {
    uint32_t parent, func;
    uint64_t cache;          /* (child node << 32) | child func, one store so signals see both */
    uint64_t count, self_ns; /* self_ns: compensated, like the function stats; a node's total
                              * is its subtree's self time, summed by the writer */
} hm_node;

/* A node's waits, in an array parallel to the nodes (the hot path never touches it): written by
 * the wait wrappers (waits.c). wait_ns is filled only in the exited-threads tree, at merge, where
 * the thread's on-CPU ratio is known; live trees' wait is computed by the writer. */
typedef struct hm_node_wait {
    uint64_t blocked_ns;            /* every interposed wait made at this node */
    uint64_t wait_ns;               /* exited tree: blocked + preemption share */
    uint64_t block_count, block_ns; /* synchronisation waits (mutex ... join) */
    uint64_t mutex_count, mutex_ns; /* the contended pthread mutex / rwlock subset */
} hm_node_wait;

/* One entry of a tree's path cache (paths.c): (parent << 32 | func) -> node; key 0 = empty. */
typedef struct hm_tree_cache_entry {
    uint64_t key;
    uint32_t node;
} hm_tree_cache_entry;
#define HM_TREE_CACHE 4096u /* entries of a tree's path cache (a power of two) */

typedef struct hm_tree {
    hm_node *nodes;
    uint32_t *small; /* slots of nodes 1..127 (256), at the start of the mapping */
    uint32_t *slots; /* node index per slot of the later nodes, 0 = empty; 2*max (a power of two) */
    uint32_t used;   /* nodes handed out, the root included; may pass max when full */
    uint32_t max;
    uint32_t mask;
    uint64_t folded;            /* calls folded into their parent because the tree was full */
    hm_node_wait *waits;        /* max entries, parallel to nodes */
    hm_tree_cache_entry *cache; /* HM_TREE_CACHE entries: the path cache */
} hm_tree;

bool hm_tree_init(hm_tree *tree, uint32_t max) HM_HIDDEN;
void hm_tree_release(hm_tree *tree) HM_HIDDEN;
/* The child of `parent` for `func`, created when new; parent | HM_NODE_FOLDED when the tree is
 * full. Async-signal-safe. */
uint32_t hm_tree_child(hm_tree *tree, uint32_t parent, uint32_t func) HM_HIDDEN;
/* The child of `parent` for `func` when it exists, else 0 (nothing is made). Async-signal-safe. */
uint32_t hm_tree_find(const hm_tree *tree, uint32_t parent, uint32_t func) HM_HIDDEN;
/* The same from the tree's path cache only (one probe, no table walk): 0 when not there. Only the
 * owning thread (and its signal handlers) may use a tree's cache. Async-signal-safe. */
uint32_t hm_tree_cached(const hm_tree *tree, uint32_t parent, uint32_t func) HM_HIDDEN;
/* Put (parent, func) -> node in the tree's path cache (owning thread). Async-signal-safe. */
void hm_tree_remember(hm_tree *tree, uint32_t parent, uint32_t func, uint32_t node) HM_HIDDEN;
static inline uint32_t hm_tree_size(const hm_tree *tree) {
    return tree->used < tree->max ? tree->used : tree->max;
}
/* Fold a thread's call tree into the tree of exited threads (thread exit; takes its own lock);
 * its nodes' wait is split with the thread's on-CPU ratio (hm_split_self). */
void hm_paths_merge_exited(hm_tree *tree, double ratio) HM_HIDDEN;
const hm_tree *hm_paths_exited(void) HM_HIDDEN; /* NULL when no thread has exited */
/* Remove every node but the root (after calibration, whose nodes are the only ones then). Only
 * valid when all nodes are to go: removing from a linear-probing table leaves no chain to keep. */
void hm_tree_clear(hm_tree *tree) HM_HIDDEN;
/* Zero every count of a tree (fork child). */
void hm_tree_zero(hm_tree *tree) HM_HIDDEN;
void hm_paths_reset_after_fork(void) HM_HIDDEN;

/* ---- thread data (thread_state.c) and its event trace (trace.c) ------------------------------ */

typedef struct hm_trace_event {
    uint64_t tick;
    uint32_t func;
    uint32_t kind; /* 1 enter, 0 exit */
} hm_trace_event;

/* Thread data that outlives the thread: listed globally so the writers can find it. */
enum { HM_LIVE = 0, HM_EXITED = 1, HM_FOLDED = 2 };

typedef struct hm_thread_data {
    struct hm_thread_data *next; /* lock-free list, newest first */
    uint64_t tid;
    char name[16];
    uint32_t seq; /* start order, for stable output */
    /* HM_LIVE; HM_EXITED: stats folded into the accumulator of exited threads at its exit, its
     * split kept; HM_FOLDED: one of the exited threads beyond HEATMAP_THREADS_MAX, summed into the
     * "other threads" figures, the record free for the next thread to attach (readers skip it). */
    _Atomic int merged;
    struct hm_thread_data *free_next; /* the free records (HM_FOLDED), under the merge lock */
    uint64_t calls, self_ns; /* totals, filled at merge; live threads are summed at write */
    uint64_t outer_ticks;    /* time inside outermost instrumented frames */
    uint64_t dropped_calls;  /* calls deeper than the shadow stack holds: not recorded */
    hm_fstats **stats;       /* index by id; NULL entries for functions not touched */
    uint32_t stats_cap;
    void *arena;            /* chunks this thread allocated its stats from */
    hm_tree tree;           /* call paths; released at merge */
    struct hm_split *split; /* per-function calls and self time, kept at merge */
    uint32_t nsplit;
    void *split_arena;
    hm_trace_event *trace; /* event buffer (HEATMAP_TRACE); kept after the thread exits */
    uint32_t trace_cap, trace_used;
    uint64_t trace_dropped;
    uint64_t *counts;           /* count-only calls by id (throttle.c), NULL until the first */
    struct hm_untimed *untimed; /* at merge: the thread's count-only calls, sorted by id */
    uint32_t nuntimed;
    uint64_t untimed_calls; /* at merge: their total, internal functions left out */
    /* CPU and wait accounting (docs/runtime.md, "CPU and wait"). */
    struct hm_tls *tls;         /* the owner's TLS, for the writer's read of its open frames */
    uint64_t blocked_since;     /* ticks: start of the interposed wait in progress, 0 when none */
    uint64_t wait_ticks;        /* in interposed waits since attach */
    uint64_t attach_tick;       /* hot-path clock at attach, after the set-up */
    uint64_t cpu_attach_ns;     /* thread CPU clock at attach */
    uint64_t setup_ns;          /* the runtime's set-up on this thread: attach, lazy set-up */
    uint64_t setup_inner_ticks; /* lazy set-up made inside frames (stats, call-path nodes,
                                 * histograms): not the program's, taken off outer_ticks */
    uint64_t end_tick;          /* at exit (merged threads) */
    uint64_t cpu_end_ns;        /* thread CPU clock at exit */
    uint64_t blocked_ns;        /* filled at merge: sum of the functions' blocked_ns */
    uint64_t cpu_ns_split;      /* filled at merge: sum of the functions' cpu parts */
    uint64_t cpu_total_ns;      /* filled at merge: its CPU time, to keep the busiest listed */
} hm_thread_data;

/* Hot fields of the calling thread, in initial-exec TLS. stats_cap == 0 means "not ready": every
 * call then takes the slow path, which creates the state or refuses to record. */
typedef struct hm_tls {
    uint32_t depth;
    uint32_t capacity;
    uint32_t stats_cap;
    uint32_t overflow; /* frames entered beyond capacity, popped first */
    hm_frame *stack;
    hm_fstats **stats;
    hm_thread_data *data;
    hm_tree *tree; /* &data->tree when call paths are on, else NULL */
    int tracing;   /* events are recorded into data->trace */
    int finished;  /* thread destructor ran: record nothing more on this thread */
    /* Signals the runtime itself sent this thread (the CPU sampler increments it in its handler):
     * a wait wrapper whose call failed with EINTR while it changed retries the call. */
    uint32_t our_signals;
    /* Frames are being closed at one tick already read (dead frames, the write): set-up done while
     * recording them is in no frame's time, so it is charged to none (hm_setup_charge). */
    uint32_t closing;
    /* Slots below it may hold a pending histogram entry (hm_frame.pending_stats): raised by the
     * first pop from a slot, so readers and hm_hist_settle_all look no further. */
    uint32_t pending_top;
} hm_tls;

extern __thread hm_tls hm_tls_self __attribute__((tls_model("initial-exec"))) HM_HIDDEN;

/* Recording on/off, read first on the hot path. Off until init completes, and after the final
 * write. It is the exported ABI flag __heatmap_recording_v3 (abi.h), which instrumented code tests
 * inline before calling enter/exit; abi.h declares it as a plain int, and the runtime accesses it
 * only atomically, through this _Atomic int view of the same object (defined in hot_path.c). */
#define hm_recording (*(_Atomic int *)&__heatmap_recording_v3)
_Static_assert(sizeof(_Atomic int) == sizeof(int) && _Alignof(_Atomic int) == _Alignof(int),
               "__heatmap_recording_v3 is read as an int by instrumented code");

/* Record one event when the thread traces. Async-signal-safe. */
void hm_trace_put_slow(hm_thread_data *data, uint64_t tick, uint32_t func, uint32_t kind) HM_HIDDEN;
static inline void hm_trace_put(hm_tls *t, uint64_t tick, uint32_t func, uint32_t kind) {
    if (HM_UNLIKELY(t->tracing))
        hm_trace_put_slow(t->data, tick, func, kind);
}
/* Give the thread an event buffer (HEATMAP_TRACE). */
void hm_trace_attach(hm_thread_data *data) HM_HIDDEN;

/* Create the calling thread's state. Returns false when recording is impossible on this thread
 * (the runtime is not initialized, the thread has finished, or no memory). */
bool hm_thread_attach(hm_tls *t) HM_HIDDEN;
/* Restart the calling thread's time (attach tick, CPU clock, waits) now: after calibration and
 * in a fork child, so that the runtime's set-up is not the thread's. */
void hm_thread_restart_clocks(hm_thread_data *data) HM_HIDDEN;
/* Make stats for `id` exist in the calling thread (grow the index, allocate the entry). */
hm_fstats *hm_thread_stats_for(hm_tls *t, uint32_t id) HM_HIDDEN;
/* Writers that read the threads while recording goes on (the live server's snapshots, server.c):
 * a reader counts itself here for the whole of its read, and hm_thread_merge, having marked the
 * thread merged, waits for the count to drop to 0 before it releases the thread's memory. A
 * reader that counts itself later sees the thread merged and does not touch that memory. */
extern _Atomic uint32_t hm_live_readers HM_HIDDEN;
/* Fold a thread's stats into the accumulator of exited threads and release them (after the live
 * readers, above). Called by the thread's pthread_key destructor, in its last round and with the
 * thread's signals blocked (lifecycle.c, "thread exit"): a handler's call must not land on stats
 * being folded, nor after them on a finished thread. */
void hm_thread_merge(hm_thread_data *data) HM_HIDDEN;
/* Forget every thread's and the accumulator's statistics for `id` (calibration records). */
void hm_thread_forget_function(hm_tls *t, uint32_t id) HM_HIDDEN;
/* Zero-filled memory from the thread's arena (mmap-backed; async-signal-safe). */
void *hm_arena_alloc(void **arena, size_t size) HM_HIDDEN;
void hm_arena_release(void **arena) HM_HIDDEN;
/* hist[bucket] of `s` wrapped to 0: carry 2^32 into hist_high (made the first time; the bucket
 * saturates when no memory is left). Async-signal-safe. */
void hm_stats_hist_spill(hm_fstats *s, uint32_t bucket) HM_HIDDEN;
/* A call in bucket `b` that does not extend the current run (s has no histogram yet, or the run is
 * full): close the run (add it to hist[], made now) and start a new one. Async-signal-safe. */
void hm_stats_new_run(hm_fstats *s, uint32_t b) HM_HIDDEN;
/* Calls of `s` in bucket b of its own histogram (hist, hist_high and the run; not the calls still
 * pending in the thread's shadow stack, hm_hist_pending_add). Reads only. */
uint64_t hm_stats_bucket_count(const hm_fstats *s, uint32_t b) HM_HIDDEN;
/* Forget all threads' statistics (fork child). The calling thread keeps its shadow stack. */
void hm_thread_reset_after_fork(hm_tls *t) HM_HIDDEN;

/* ---- the read side, for the writers (thread_state.c) ----------------------------------------- */

/* The threads in start order, for the writers: one pass over the thread list instead of one per
 * position. The array comes from mmap (async-signal-safe); entries may be NULL (a position taken
 * by a thread not yet on the list). Returns false, with n = 0, when no memory is left. */
typedef struct hm_thread_order {
    hm_thread_data **v;
    uint32_t n;
    void *arena;
} hm_thread_order;
bool hm_thread_order_make(hm_thread_order *order) HM_HIDDEN;
void hm_thread_order_release(hm_thread_order *order) HM_HIDDEN;

/* One function's statistics summed over exited and live threads, for the writer. `hist` receives
 * HM_RT_BUCKETS counts. Async-signal-safe (reads only). */
typedef struct hm_collected {
    uint64_t count, self_ns, max_ns;
    uint64_t cpu_ns, wait_ns, blocked_ns, open_calls;
    uint64_t untimed; /* count-only calls (throttle.c); the other figures are the timed calls' */
} hm_collected;
/* A thread's time as the writers see it (hm_thread_time_of): since its attach, to its exit or
 * now. ratio is its estimated on-CPU share of the time it was neither blocked nor in the
 * profiler (1 when unknown). */
typedef struct hm_thread_time {
    uint64_t calls, self_ns, outer_ns, open_calls; /* open frames included (live threads) */
    uint64_t wall_ns;                              /* since attach */
    uint64_t cpu_ns;                               /* the thread's CPU clock since attach */
    uint64_t wait_ns;     /* in interposed waits since attach, a wait in progress included */
    uint64_t preempt_ns;  /* estimated runnable-not-running time inside instrumented frames */
    uint64_t overhead_ns; /* compensation taken off (outer - self), plus the attach */
    double ratio;
} hm_thread_time;
/* The split of a self time with `blocked_ns` in it on a thread of on-CPU ratio `ratio`. */
static inline void hm_split_self(uint64_t self_ns, uint64_t blocked_ns, double ratio,
                                 uint64_t *cpu_ns, uint64_t *wait_ns) {
    uint64_t b = blocked_ns < self_ns ? blocked_ns : self_ns;
    uint64_t cpu = (uint64_t)((double)(self_ns - b) * ratio);
    if (cpu > self_ns - b)
        cpu = self_ns - b;
    *cpu_ns = cpu;
    *wait_ns = self_ns - cpu;
}
/* Open frames of the live threads at the write (item "frames still open"), as extra figures. */
typedef struct hm_open_view hm_open_view;
/* Snapshot every live thread other than the caller: its time (CPU clock read through its tid) and
 * its open frames closed as if they returned at `now` (ticks). Racy but bounded: each thread's
 * depth is read once, then its frames; nothing of the other thread is written. Memory from mmap;
 * NULL when out of memory (then open frames are left out). Async-signal-safe. */
hm_open_view *hm_open_view_make(const hm_thread_order *order, uint64_t now) HM_HIDDEN;
void hm_open_view_release(hm_open_view *view) HM_HIDDEN;
/* What the open frames of the live thread at position i add to its call-path nodes: an array of
 * hm_tree_size(its tree) entries, or NULL when it has none open. */
typedef struct hm_open_node {
    uint64_t count, self_ns, blocked_ns;
} hm_open_node;
const hm_open_node *hm_open_view_nodes(const hm_open_view *view, uint32_t i) HM_HIDDEN;
/* A thread's time (its position `i` in the order the view was made from; view may be NULL). */
void hm_thread_time_of(const hm_open_view *view, const hm_thread_order *order, uint32_t i,
                       hm_thread_time *out) HM_HIDDEN;
void hm_collect_function(uint32_t id, const hm_open_view *view, hm_collected *out,
                         uint64_t *hist) HM_HIDDEN;
/* Nearest-rank percentile p of a collected histogram (HM_RT_BUCKETS counts), with the rank and
 * value rules of heatmap/results_format.h; 0 when count is 0. Pure. */
uint64_t hm_percentile_ns(const uint64_t *hist, uint64_t count, uint64_t max_ns,
                          unsigned p) HM_HIDDEN;
/* Calls and self time of a thread (live: summed now; exited: its totals at exit). */
void hm_thread_totals(const hm_thread_data *data, uint64_t *calls, uint64_t *self_ns) HM_HIDDEN;
/* Function `id` on the thread at position i of the order (live: read now, open frames of the view
 * included; exited: kept at merge): calls, self time and its cpu / wait split. */
typedef struct hm_thread_fn {
    uint64_t calls, self_ns, cpu_ns, wait_ns;
} hm_thread_fn;
void hm_thread_function(const hm_open_view *view, const hm_thread_order *order, uint32_t i,
                        uint32_t id, hm_thread_fn *out) HM_HIDDEN;
/* The exited threads beyond HEATMAP_THREADS_MAX, folded at their exit (the least busy by CPU
 * time): how many, their summed time (sums of each field) and the largest overhead of one. */
typedef struct hm_other_threads {
    uint64_t threads;
    hm_thread_time time;
    uint64_t dropped_calls;
    uint64_t overhead_max_ns;
} hm_other_threads;
void hm_other_threads_get(hm_other_threads *out) HM_HIDDEN;
/* Function `id` on the folded threads, summed (zero when none). */
void hm_other_function(uint32_t id, hm_thread_fn *out) HM_HIDDEN;

/* ---- waits (waits.c) ---------------------------------------------------------------------------
 * Interposed blocking calls (sleep, join, locks, conditions, poll, blocking I/O): their wall time
 * is added to the innermost frame's function (hm_fstats.blocked_ns), the thread's wait total and
 * the call-path node; never on enter/exit. */

/* Resolve every real function up front (dlsym is not async-signal-safe); called by init. */
void hm_waits_init(void) HM_HIDDEN;

/* ---- the CPU sampler (sampler.c) --------------------------------------------------------------
 * SIGPROF from a timer on each thread's CPU clock; a sample is the interrupted PC (plus return
 * addresses from a checked frame-pointer walk) and the shadow stack's function ids, aggregated per
 * thread into an mmap'd open-addressing table; exited threads merge into a global table. */

#define HM_SAMPLE_PCS 8    /* native PCs per sample: the interrupted one, then return addresses */
#define HM_SAMPLE_STACK 64 /* shadow-stack ids per sample, innermost first */

typedef struct hm_sample {
    uint64_t count;
    uint32_t hash;
    uint8_t npcs, nstack;
    uintptr_t pcs[HM_SAMPLE_PCS];
    uint32_t stack[HM_SAMPLE_STACK];
} hm_sample;

/* A table of distinct samples: `slots` index `entries` (index + 1, 0 = empty), entries are handed
 * out in order and published by their slot. Memory from one MAP_NORESERVE mapping. */
typedef struct hm_sample_table {
    uint32_t *slots;
    hm_sample *entries;
    uint32_t mask; /* slots - 1 */
    uint32_t cap;  /* entries */
    _Atomic uint32_t used;
    uint64_t dropped; /* sample counts that found no room */
    void *map;
    size_t map_size;
} hm_sample_table;

/* Reserve a table for `entries` distinct samples; false when out of address space. */
bool hm_sample_table_init(hm_sample_table *t, uint32_t entries) HM_HIDDEN;
void hm_sample_table_release(hm_sample_table *t) HM_HIDDEN;
/* Add `count` to the entry equal to `s` (key: pcs and stack), making it when new; counts in
 * `dropped` when full. One writer at a time; async-signal-safe. */
void hm_sample_table_add(hm_sample_table *t, const hm_sample *s, uint64_t count) HM_HIDDEN;

/* Start sampling at `hz` per second of each thread's CPU time: install the SIGPROF handler, arm
 * the calling thread, and arm every thread made through pthread_create from now on. Not
 * async-signal-safe (init only). Returns false, after one stderr line, when it cannot. */
bool hm_sampler_start(uint32_t hz) HM_HIDDEN;
/* Stop taking samples and delete every thread's timer (the final write). Async-signal-safe. */
void hm_sampler_stop(void) HM_HIDDEN;
/* The live server's sampler: hm_sampler_prepare installs everything as hm_sampler_start does but
 * takes no samples (no timer runs) until hm_sampler_resume arms every known thread from the calling
 * one; hm_sampler_pause disarms them again. resume returns 1 when it started sampling (pause must
 * follow), 0 when the sampler runs anyway (HEATMAP_PROFILE_TYPE=cpu; pause then does nothing), -1
 * when there is no sampler. Not async-signal-safe. */
bool hm_sampler_prepare(uint32_t hz) HM_HIDDEN;
int hm_sampler_resume(void) HM_HIDDEN;
void hm_sampler_pause(void) HM_HIDDEN;
/* Mark the calling thread as the profiler's own (true) or the program's again: a quiet thread is
 * never sampled, and the threads it makes are quiet too and are not counted by threadcreate. */
void hm_sampler_quiet(bool quiet) HM_HIDDEN;

/* ---- thread creation sites (threadcreate.c) ----------------------------------------------------
 * The interposed pthread_create records the creating thread's instrumented stack, one entry per
 * distinct stack with a count, for the threadcreate profile. */

/* Record the calling thread's shadow stack as a creation site (takes a lock; not for signal
 * handlers, as pthread_create itself is not). Full table: counted in the last entry's overflow. */
void hm_threadcreate_note(void) HM_HIDDEN;
/* Call fn(count, ids innermost first, n) for every recorded site (takes the lock). */
typedef void (*hm_threadcreate_fn)(uint64_t count, const uint32_t *ids, uint32_t n, void *ctx);
void hm_threadcreate_for_each(hm_threadcreate_fn fn, void *ctx) HM_HIDDEN;
/* The read side for the writer: whether the sampler ran, its rate, the dropped count, and each
 * table (exited threads' and live threads') in turn. Reads only; async-signal-safe. */
bool hm_sampler_ran(void) HM_HIDDEN;
uint32_t hm_sampler_hz(void) HM_HIDDEN;
typedef void (*hm_sample_table_fn)(const hm_sample_table *t, void *ctx);
void hm_sampler_for_each_table(hm_sample_table_fn fn, void *ctx) HM_HIDDEN;

/* ---- throttling (throttle.c) -----------------------------------------------------------------
 * Count-only calls of throttled functions: per thread, in the array instrumented code adds to. */

/* Every HM_THROTTLE_CHECK-th timed call of a function on a thread, the exit path asks
 * hm_throttle_check whether to throttle it (a power of two). */
#define HM_THROTTLE_CHECK 256u
/* Throttle `record`'s function when this thread's stats `s` say it is short and frequent, or when
 * its id was throttled already (through another record). Async-signal-safe. */
void hm_throttle_check(hm_func_record *record, const hm_fstats *s) HM_HIDDEN;
/* __heatmap_count_v3's work (a thread's first count-only call: its counters made and published,
 * abi.h). Async-signal-safe, no lock. */
void hm_throttle_count_first(hm_func_record *record) HM_HIDDEN;
bool hm_throttle_is_throttled(uint32_t id) HM_HIDDEN;
/* Count-only calls of `id`: all threads (exited and live), or one thread. Reads only. */
uint64_t hm_throttle_count(uint32_t id) HM_HIDDEN;
uint64_t hm_throttle_thread_count(const hm_thread_data *data, uint32_t id) HM_HIDDEN;
/* A thread's count-only calls of non-internal functions. */
uint64_t hm_throttle_thread_total(const hm_thread_data *data) HM_HIDDEN;
/* Thread exit (before `merged` is set): fold the thread's counts into the exited accumulator,
 * keep its per-function split, release its array. */
void hm_throttle_merge(hm_thread_data *data) HM_HIDDEN;
/* Move an exited thread's count-only calls into those of the folded threads ("other threads",
 * thread_state.c), under the merge lock; the thread keeps none. */
void hm_throttle_fold(hm_thread_data *data) HM_HIDDEN;
/* Count-only calls of `id` on the folded threads. */
uint64_t hm_throttle_other_count(uint32_t id) HM_HIDDEN;
/* Fork child: zero the accumulator and the calling thread's counts. */
void hm_throttle_reset_after_fork(hm_tls *t) HM_HIDDEN;

/* ---- hot path helpers (hot_path.c) ----------------------------------------------------------- */

/* Count every pending histogram entry of the calling thread's shadow stack (hm_frame) into its
 * function's histogram: before the thread's statistics are folded (thread exit) or forgotten
 * (calibration, fork child). Async-signal-safe; the calling thread's own stack only. */
void hm_hist_settle_all(hm_tls *t) HM_HIDDEN;
/* Add thread d's pending histogram entries of the function whose statistics are `s` to `hist`
 * (HM_RT_BUCKETS counts): what its histogram lacks of its count. A reader of another thread's
 * stack: racy but bounded, like its open frames. */
void hm_hist_pending_add(const hm_thread_data *d, const hm_fstats *s, uint64_t *hist) HM_HIDDEN;

/* The runtime's set-up that began at tick `begin` ends now, on the calling thread with frames
 * 1..d open (the set-up ran inside frame d; d = 0: outside any frame): its time goes to the
 * thread's setup_ns and, inside a frame, to that frame's children and the thread's
 * setup_inner_ticks, so that no function's self time, max or percentiles carry it.
 * Async-signal-safe. */
void hm_setup_charge(hm_tls *t, uint32_t d, uint64_t begin) HM_HIDDEN;
/* Close every frame still open on the calling thread as if it returned at `now` (process exit). */
void hm_close_open_frames(hm_tls *t, uint64_t now) HM_HIDDEN;

#endif /* HEATMAP_RT_HOT_H */
