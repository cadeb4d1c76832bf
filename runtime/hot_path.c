/* The hot path: __heatmap_enter_v3 / __heatmap_exit_v3, called around every instrumented function.
 *
 * Design. Each thread keeps a shadow stack of frames in initial-exec TLS-reached memory. Enter
 * pushes {id, start tick, child ticks = 0, stack address}; exit reads the clock once, computes the
 * call's elapsed and self time (elapsed minus its instrumented children's elapsed), converts self
 * to nanoseconds, takes off the calibrated instrumentation cost, and records count, self sum and
 * max in the thread's own stats for that function. Its histogram bucket is counted one call late:
 * the call is left pending in its frame's slot and counted by the next pop from that slot, because
 * a store to an address computed from the clock just read (hist[bucket]) held up every timed call
 * by about 5 ns (docs/performance.md, "fifth pass"). The parent frame is charged with the child's
 * elapsed. Nothing is shared between threads, so nothing is locked; the first call
 * of a function on a thread, a new thread, a too-deep stack or a mismatched frame go to the slow
 * paths.
 *
 * Signals. A handler may run between any two instructions and call instrumented code on the same
 * thread. The frame is published in an order that keeps the stack consistent at every point, and
 * the counters are updated with single-instruction read-modify-writes (hm_sig_add64), so counts
 * stay exact. A handler that lands inside the few instructions around a clock read can have its
 * time counted once more in the interrupted frame's parent; docs/runtime.md says so.
 *
 * Unwinding without exits (longjmp, exceptions through code without cleanups): a frame whose
 * recorded stack address is below the current stack pointer is dead; enter and exit detect this
 * with one comparison and the slow path closes dead frames as if they returned then. Where a
 * longjmp lands, the plugin calls __heatmap_landing_v3, which closes every frame above the landing
 * activation (also those at its own stack address, which the comparison cannot tell apart from
 * inlined callees: the end of this file).
 *
 * Layer 2 (rt_hot.h): may call thread_state.c, paths.c, trace.c and layer 1 (clock, registry);
 * called by instrumented code (enter, exit, landing), calibrate.c and the lifecycle
 * (hm_close_open_frames).
 */
#define _GNU_SOURCE
#include <signal.h>

#include "rt_hot.h"

__thread hm_tls hm_tls_self __attribute__((tls_model("initial-exec")));
int __heatmap_recording_v3; /* hm_recording (rt_hot.h): accessed only atomically */

/* ---- Calls out of the hooks ------------------------------------------------------------------
 * The hooks (enter, exit, count) preserve every general-purpose register on x86-64 (abi.h,
 * HM_ABI_HOOK): the compiler saves in a hook's prologue the registers it uses, and all the
 * caller-saved ones when the hook may call an ordinary function, on every call, taken or not. So
 * the hooks call only functions that preserve the registers themselves: the slow paths of this
 * file and these wrappers of the other files' functions, each of which saves them when it runs.
 * This file is compiled with -mgeneral-regs-only (runtime/CMakeLists.txt), which gcc requires of
 * such functions. */
#define HM_SAVES_REGS HM_ABI_HOOK __attribute__((noinline))

static HM_SAVES_REGS uint64_t hm_clock_fallback(void) {
    return hm_clock_monotonic_ticks();
}
/* hm_clock_now for the hooks. */
static inline uint64_t hm_hook_clock(void) {
    return hm_clock_now_or(hm_clock_fallback);
}
static HM_SAVES_REGS void hm_new_run(hm_fstats *s, uint32_t b) {
    hm_stats_new_run(s, b);
}
static HM_SAVES_REGS void hm_trace_saved(hm_thread_data *data, uint64_t tick, uint32_t func,
                                         uint32_t kind) {
    hm_trace_put_slow(data, tick, func, kind);
}
/* hm_trace_put for the hooks. */
static inline void hm_hook_trace(hm_tls *t, uint64_t tick, uint32_t func, uint32_t kind) {
    if (HM_UNLIKELY(t->tracing))
        hm_trace_saved(t->data, tick, func, kind);
}
static HM_SAVES_REGS void hm_hist_spill_saved(hm_fstats *s, uint32_t b) {
    hm_stats_hist_spill(s, b);
}
static HM_SAVES_REGS void hm_throttle_check_saved(hm_func_record *record, const hm_fstats *s) {
    hm_throttle_check(record, s);
}

/* The caller's stack pointer at the call into enter/exit (the CFA of this function): the same
 * value at a function's enter and at its exits, lower in callees. Must be used in the entry points
 * themselves (not in a helper), so that it refers to their caller. */
#define hm_caller_sp() ((uintptr_t)__builtin_dwarf_cfa())

static inline bool hm_is_on(void) {
    return atomic_load_explicit(&hm_recording, memory_order_relaxed) != 0;
}

/* Count a call of `self_ns` into the histogram of `s`. Async-signal-safe. */
static inline void hm_hist_count(hm_fstats *s, uint64_t self_ns) {
    uint32_t b = hm_rt_bucket(self_ns);
    uint32_t *hist = s->hist;
    if (HM_LIKELY(hist != NULL)) {
        if (HM_UNLIKELY(hm_sig_inc32(&hist[b])))
            hm_hist_spill_saved(s, b);
        return;
    }
    /* No histogram yet: extend the run of calls in the one bucket used so far; a second bucket is
     * the slow path (it makes the histogram). */
    uint64_t run = s->run;
    if (HM_LIKELY((uint32_t)(run >> 32) == b && (uint32_t)run != UINT32_MAX &&
                  hm_sig_cas64(&s->run, run, run + 1)))
        return;
    hm_new_run(s, b);
}

void hm_hist_settle_all(hm_tls *t) {
    if (!t->stack)
        return;
    for (uint32_t i = 0; i < t->pending_top; i++) {
        hm_frame *f = &t->stack[i];
        hm_fstats *s = f->pending_stats;
        uint64_t ns = f->pending_ns;
        /* Taken in one instruction: a signal handler's pop from this slot (above the current
         * depth) may count and replace the entry at any point; each entry is counted once. */
        if (s && hm_sig_cas64((uint64_t *)&f->pending_stats, (uint64_t)(uintptr_t)s, 0))
            hm_hist_count(s, ns);
    }
}

void hm_hist_pending_add(const hm_thread_data *d, const hm_fstats *s, uint64_t *hist) {
    const hm_tls *t = d->tls;
    if (!t || !s)
        return;
    const hm_frame *stack = __atomic_load_n(&((hm_tls *)t)->stack, __ATOMIC_RELAXED);
    uint32_t top = __atomic_load_n(&t->pending_top, __ATOMIC_RELAXED);
    uint32_t capacity = __atomic_load_n(&t->capacity, __ATOMIC_RELAXED);
    if (!stack)
        return;
    for (uint32_t i = 0; i < top && i < capacity; i++) {
        if (__atomic_load_n(&stack[i].pending_stats, __ATOMIC_RELAXED) != s)
            continue;
        hist[hm_rt_bucket(__atomic_load_n(&stack[i].pending_ns, __ATOMIC_RELAXED))]++;
    }
}

/* A pop from slot d - 1, above every slot used so far: raise t->pending_top to d and return true
 * (the call is left pending there). Beyond HM_PENDING_DEPTH count the call of `self_ns` into the
 * histogram of `s` now instead, and return false: no slot that deep keeps a pending call, so
 * every pop from one comes here. A signal handler's pop may raise pending_top further meanwhile;
 * it never goes down. */
static HM_SAVES_REGS bool hm_slot_first_pop(hm_tls *t, uint32_t d, hm_fstats *s, uint64_t self_ns) {
    if (d > HM_PENDING_DEPTH) {
        hm_hist_count(s, self_ns);
        return false;
    }
    uint32_t top = __atomic_load_n(&t->pending_top, __ATOMIC_RELAXED);
    while (top < d && !__atomic_compare_exchange_n(&t->pending_top, &top, d, false,
                                                   __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        ;
    return true;
}

/* Record a finished call in its function's statistics: `self_ns` already has the overhead taken
 * off. Its histogram bucket is left pending in its slot `f`, and the slot's previous call is
 * counted now, from values stored long before (hm_frame.pending_stats). Returns true every
 * HM_THROTTLE_CHECK-th call of the function on this thread (time to ask hm_throttle_check). */
static inline bool hm_record(hm_tls *t, hm_frame *f, uint32_t d, hm_fstats *s, uint64_t self_ns) {
    bool check = ((s->count + 1) & (HM_THROTTLE_CHECK - 1)) == 0;
    hm_sig_add64(&s->count, 1);
    hm_sig_add64(&s->self_ns, self_ns);
    if (self_ns > s->max_ns)
        s->max_ns = self_ns;
    /* Signal handlers' calls nest in the slots above this frame while it is on the stack, so no
     * other pop uses this slot until this one returns. */
    hm_fstats *previous = f->pending_stats;
    if (HM_LIKELY(previous != NULL))
        hm_hist_count(previous, f->pending_ns);
    else if (d > t->pending_top && !hm_slot_first_pop(t, d, s, self_ns))
        return check; /* deeper than HM_PENDING_DEPTH: counted already */
    f->pending_ns = self_ns;
    f->pending_stats = s;
    return check;
}

/* Pop the top frame at tick `end`, record it and charge the parent. Returns the function's stats
 * when a throttling check is due (hm_record), else NULL.
 *
 * Its cost is its instructions (docs/performance.md, "What a timed call costs"): the call-path
 * totals are not kept here but summed at the write (a node's total is the self time of its
 * subtree), and the compensation for each instrumented child is added to the parent's child ticks
 * when the child is charged, so the frame carries no count of its children. */
static inline __attribute__((always_inline)) hm_fstats *hm_pop(hm_tls *t, uint32_t d,
                                                               uint64_t end) {
    hm_frame *f = &t->stack[d - 1];
    uint64_t elapsed = end - f->start;
    if (HM_UNLIKELY((int64_t)elapsed < 0))
        elapsed = 0;
    /* `child` holds the children's elapsed and their compensation in one field, so a signal
     * handler's call that nests above this frame during the pop adds to both at once. */
    uint64_t child = f->child;
    uint64_t self_ticks = elapsed > child ? elapsed - child : 0;
    uint64_t raw_ns = hm_ticks_to_ns(self_ticks, hm_rt.ns_per_tick_fp);
    uint64_t self_ns = raw_ns > hm_rt.comp_self_ns ? raw_ns - hm_rt.comp_self_ns : 0;
    hm_fstats *s = t->stats[f->id];
    bool check = hm_record(t, f, d, s, self_ns);
    if (t->tree) {
        uint32_t node = f->node;
        hm_node *n = &t->tree->nodes[node & ~HM_NODE_FOLDED];
        hm_sig_add64(&n->count, (~node) >> 31); /* a call folded into its parent's node: 0 */
        hm_sig_add64(&n->self_ns, self_ns);
    }
    hm_hook_trace(t, end, f->id, 0);
    /* Charge the parent before popping: a handler that runs now nests above this frame. */
    if (d > 1)
        hm_sig_add64(&f[-1].child, elapsed + hm_rt.comp_child_ticks);
    else
        hm_sig_add64(&t->data->outer_ticks, elapsed);
    atomic_signal_fence(memory_order_seq_cst);
    t->depth = d - 1;
    atomic_signal_fence(memory_order_seq_cst);
    return check ? s : NULL;
}

/* Pop the top frame, which was unwound without its exit (a longjmp past it), at tick `now`, and
 * make the throttling check its exit would have made: a function whose calls all end that way
 * (an error path) is throttled like any other. */
static void hm_pop_unwound(hm_tls *t, uint64_t now) {
    hm_func_record *record = t->stack[t->depth - 1].record;
    hm_fstats *s = hm_pop(t, t->depth, now);
    if (s)
        hm_throttle_check(record, s);
}

/* Close the frames that lie below the stack pointer `sp`: they were unwound without their exits.
 * Only addresses on this thread's own stack count: a handler running on an alternate signal
 * stack must not close the frames it interrupted. That is asked of the kernel (sigaltstack, a
 * system call, async-signal-safe) rather than compared with the thread's stack bounds, whose
 * query (pthread_getattr_np) takes a lock and mallocs, which a first call inside a signal
 * handler must not (it deadlocked when the handler interrupted that same query). */
static void hm_close_dead_frames(hm_tls *t, uintptr_t sp, uint64_t now) {
    if (t->depth == 0 || t->stack[t->depth - 1].sp >= sp)
        return; /* nothing dead: no system call (every unmatched exit comes through here) */
    stack_t ss;
    if (sigaltstack(NULL, &ss) == 0 && (ss.ss_flags & SS_ONSTACK))
        return;
    t->closing++;
    while (t->depth > 0 && t->stack[t->depth - 1].sp < sp)
        hm_pop_unwound(t, now);
    t->closing--;
}

void hm_close_open_frames(hm_tls *t, uint64_t now) {
    t->closing++;
    while (t->depth > 0) {
        hm_fstats *s = t->stats[t->stack[t->depth - 1].id];
        hm_pop(t, t->depth, now);
        s->open_calls++; /* closed at the write, not by its exit (results: open_calls) */
    }
    t->closing--;
}

/* The call-path node of a call of `id` made from the frame below depth d, when direct recursion
 * or the caller node's one-entry cache answers (the hot path's case); false otherwise. */
static inline bool hm_path_cached(const hm_tls *t, uint32_t d, uint32_t id, uint32_t *node) {
    uint32_t parent = d ? t->stack[d - 1].node & ~HM_NODE_FOLDED : 0;
    const hm_node *p = &t->tree->nodes[parent];
    uint64_t cache = p->cache;
    if (p->func == id)
        *node = parent; /* direct recursion stays in the caller's node */
    else if (HM_LIKELY((uint32_t)cache == id))
        *node = (uint32_t)(cache >> 32);
    else
        return false;
    return true;
}

/* The call-path node of a call of `id` from depth d, made when new (0 when paths are off). A
 * node made is set-up: `*setup_begin` gets the tick before it when it has none yet. */
static uint32_t hm_path_enter(hm_tls *t, uint32_t d, uint32_t id, uint64_t *setup_begin) {
    uint32_t node = 0;
    if (!t->tree || hm_path_cached(t, d, id, &node))
        return node;
    uint32_t parent = d ? t->stack[d - 1].node & ~HM_NODE_FOLDED : 0;
    /* The path cache answers a known path with one probe, and needs no clock read (issue 14). */
    node = hm_tree_cached(t->tree, parent, id);
    if (node == 0) {
        /* The clock is read before the lookup: probing the table for a new path may be the first
         * touch of its page (a page fault), which is set-up too. */
        uint64_t begin = *setup_begin ? *setup_begin : hm_clock_now();
        node = hm_tree_find(t->tree, parent, id);
        if (node == 0) {
            *setup_begin = begin;
            node = hm_tree_child(t->tree, parent, id);
        }
        if (!(node & HM_NODE_FOLDED))
            hm_tree_remember(t->tree, parent, id, node);
    }
    if (!(node & HM_NODE_FOLDED))
        t->tree->nodes[parent].cache = (uint64_t)node << 32 | id;
    return node;
}

void hm_setup_charge(hm_tls *t, uint32_t d, uint64_t begin) {
    uint64_t cost = hm_clock_now() - begin;
    if ((int64_t)cost <= 0 || !t->data)
        return;
    hm_sig_add64(&t->data->setup_ns, hm_ticks_to_ns(cost, hm_rt.ns_per_tick_fp));
    if (d > 0 && d <= t->depth) {
        hm_sig_add64(&t->stack[d - 1].child, cost);
        hm_sig_add64(&t->data->setup_inner_ticks, cost);
    }
}

/* Push a frame for `id` at depth d and start its clock. The frame is published in an order that
 * keeps the stack consistent for a signal handler at any point. */
static inline __attribute__((always_inline)) void
hm_push(hm_tls *t, uint32_t d, hm_func_record *record, uint32_t id, uintptr_t sp, uint32_t node) {
    hm_frame *f = &t->stack[d];
    f->id = id;
    f->sp = sp;
    f->node = node;
    f->record = record;
    atomic_signal_fence(memory_order_seq_cst);
    t->depth = d + 1;
    atomic_signal_fence(memory_order_seq_cst);
    f->id = id; /* a handler that ran before the push may have used this slot */
    f->sp = sp;
    f->node = node;
    f->record = record;
    f->child = 0;
    uint64_t now = hm_hook_clock();
    f->start = now;
    hm_hook_trace(t, now, id, 1);
}

static HM_SAVES_REGS void hm_enter_slow(hm_func_record *record, uintptr_t sp) {
    hm_tls *t = &hm_tls_self;
    if (t->finished)
        return;
    if (HM_UNLIKELY(t->stats_cap == 0) && !hm_thread_attach(t))
        return;
    /* The runtime's set-up from here (stats of a function new to the thread, a call-path node, the
     * page faults of their memory) is not the program's time: it is measured, added to the parent
     * frame's children (so neither the parent's self time nor its ancestors' carry it) and taken
     * off the thread's outer time; the call's own clock starts after it. */
    uint64_t setup_begin = 0;
    uint32_t id = __atomic_load_n(&record->id, __ATOMIC_ACQUIRE);
    if (id == 0) {
        setup_begin = hm_clock_now();
        if ((id = hm_registry_intern(record)) == 0)
            return; /* registry busy or out of memory: this call is not recorded, nor its exit */
    }
    if (id >= t->stats_cap || t->stats[id] == NULL) {
        if (setup_begin == 0)
            setup_begin = hm_clock_now();
        if (hm_thread_stats_for(t, id) == NULL)
            return;
    }
    uint32_t d = t->depth;
    if (setup_begin) { /* it ran inside frame d, which may be one of the dead frames closed next */
        hm_setup_charge(t, d, setup_begin);
        setup_begin = 0;
    }
    if (d > 0 && t->stack[d - 1].sp < sp) {
        hm_close_dead_frames(t, sp, hm_clock_now());
        d = t->depth;
    }
    if (d >= t->capacity || t->overflow) {
        t->overflow++;
        t->data->dropped_calls++;
        return;
    }
    uint32_t node = hm_path_enter(t, d, id, &setup_begin);
    if (setup_begin)
        hm_setup_charge(t, d, setup_begin);
    hm_push(t, d, record, id, sp, node);
}

HM_ABI_HOOK void __heatmap_enter_v3(hm_func_record *record) {
    if (HM_UNLIKELY(!hm_is_on()))
        return;
    hm_tls *t = &hm_tls_self;
    uint32_t id = record->id;
    uint32_t d = t->depth;
    uintptr_t sp = hm_caller_sp();
    /* One test covers: thread not ready (stats_cap 0), function new to this thread, stack full,
     * frames beyond capacity, and a dead frame on top (its sp below ours). */
    if (HM_UNLIKELY(id >= t->stats_cap || t->stats[id] == NULL || d >= t->capacity || t->overflow ||
                    (d > 0 && t->stack[d - 1].sp < sp))) {
        hm_enter_slow(record, sp);
        return;
    }
    /* A call-path node the cache does not answer (a hash lookup, a new node) is left to the slow
     * path, so that this one stays a leaf function. */
    uint32_t node = 0;
    if (t->tree && !hm_path_cached(t, d, id, &node)) {
        hm_enter_slow(record, sp);
        return;
    }
    hm_push(t, d, record, id, sp, node);
}

static HM_SAVES_REGS void hm_exit_slow(hm_func_record *record, uint64_t end, uintptr_t sp) {
    hm_tls *t = &hm_tls_self;
    if (t->overflow) {
        t->overflow--; /* the innermost frames were never pushed */
        return;
    }
    if (t->stats_cap == 0 || t->depth == 0)
        return;
    hm_close_dead_frames(t, sp, end);
    uint32_t d = t->depth;
    hm_fstats *s = d > 0 && t->stack[d - 1].id == record->id ? hm_pop(t, d, end) : NULL;
    if (s)
        hm_throttle_check(record, s);
    /* Otherwise this exit has no matching enter (its enter was not recorded): ignore it. */
}

HM_ABI_HOOK void __heatmap_exit_v3(hm_func_record *record) {
    if (HM_UNLIKELY(!hm_is_on()))
        return;
    uint64_t end = hm_hook_clock();
    hm_tls *t = &hm_tls_self;
    uint32_t d = t->depth;
    uintptr_t sp = hm_caller_sp();
    /* The frame's record, not its id: an exit's record is its enter's (the same function body),
     * so the fast path loads nothing from the record; records sharing an id (a header's inline
     * function, one record per module) are matched by id in the slow path. */
    if (HM_UNLIKELY(d == 0 || t->overflow || t->stack[d - 1].record != record ||
                    t->stack[d - 1].sp < sp)) {
        hm_exit_slow(record, end, sp);
        return;
    }
    hm_fstats *s = hm_pop(t, d, end);
    if (HM_UNLIKELY(s != NULL))
        hm_throttle_check_saved(record, s);
}

/* The first count-only call of a thread (abi.h); throttle.c does the work. */
HM_ABI_HOOK void __heatmap_count_v3(hm_func_record *record) {
    hm_throttle_count_first(record);
}

/* ---- longjmp landings (issue 14) --------------------------------------------------------------
 * The sp rule above (a frame below the caller's stack pointer is dead) misses one case: after a
 * longjmp the landing function calls again from the stack address of the frames it unwound (a loop
 * around setjmp; any call after the landing). The unwound callee's frame has that very address, so
 * the new call is nested above it, the next longjmp leaves one more, and only an exit of the
 * landing function would close them: never, when it has no frame of its own (a function left out
 * of the selection; a count-only one, which is why the plugin pins functions that call setjmp).
 * An equal address cannot be taken as "dead" in enter: an instrumented function inlined into its
 * caller enters from the caller's machine frame, at the same address. So the plugin calls this
 * where a longjmp lands, the one place that knows it. */

/* The depth at which the activation of `id` that called from `sp` (a setjmp's landing) keeps its
 * frame, or 0 when none is found. Looks past the frames below `sp` (unwound callees) and the other
 * frames of the same machine frame (instrumented functions inlined into the landing one, unwound
 * with it); stops at the first frame of an outer machine frame. */
static uint32_t hm_landing_depth(const hm_tls *t, uint32_t id, uintptr_t sp) {
    uintptr_t same = 0;
    for (uint32_t i = t->depth; i-- > 0;) {
        const hm_frame *f = &t->stack[i];
        if (f->sp < sp)
            continue;
        if (f->id == id)
            return i + 1;
        if (same == 0)
            same = f->sp;
        else if (f->sp != same)
            return 0;
    }
    return 0;
}

static void __attribute__((noinline))
hm_landing_slow(hm_tls *t, const hm_func_record *record, uintptr_t sp) {
    uint64_t now = hm_clock_now();
    uint32_t keep = record ? hm_landing_depth(t, record->id, sp) : 0;
    if (keep == 0) { /* no frame of the landing activation: the sp rule (alternate stacks too) */
        hm_close_dead_frames(t, sp, now);
        return;
    }
    t->closing++;
    while (t->depth > keep)
        hm_pop_unwound(t, now);
    t->closing--;
}

void __heatmap_landing_v3(hm_func_record *record) {
    if (HM_UNLIKELY(!hm_is_on()))
        return;
    hm_tls *t = &hm_tls_self;
    uint32_t d = t->depth;
    uintptr_t sp = hm_caller_sp();
    /* Frames beyond the capacity were never pushed: which activation is whose is unknown there. */
    if (d == 0 || t->stats_cap == 0 || t->overflow)
        return;
    const hm_frame *top = &t->stack[d - 1];
    /* Nothing unwound: the landing activation's own frame, or a caller's, is on top. */
    if (top->sp > sp || (record && top->id == record->id && top->sp == sp))
        return;
    hm_landing_slow(t, record, sp);
}
