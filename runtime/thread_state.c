/* Per-thread state: created on a thread's first instrumented call, merged when the thread exits.
 *
 * Each thread owns its shadow stack (a large MAP_NORESERVE reservation, so it never moves and pages
 * are committed only as deep as the program goes), an index from function id to its stats, and the
 * stats themselves, carved from an mmap-backed arena. mmap is used instead of malloc because the
 * first call of a function on a thread may happen inside a signal handler.
 *
 * A pthread_key destructor folds the thread's stats into a process-wide accumulator (under a mutex:
 * thread exit is never a signal context) and unmaps them. The small hm_thread_data record stays on
 * a lock-free list for the lifetime of the process: it carries the thread's totals into the
 * results.
 *
 * Layer 2 (rt_hot.h): may call paths.c, trace.c (recording) and layer 1 (registry, clock, log);
 * called by hot_path.c, calibrate.c, the writers (the read side: collected statistics, thread
 * order, percentiles) and the lifecycle (thread exit, fork). It never starts the runtime: a thread
 * is attached only once init has completed (recording is off until then).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "heatmap/results_format.h"
#include "rt_hot.h"

#define HM_ARENA_CHUNK (256u * 1024u)
#define HM_STACK_FRAMES_MAX (1u << 21) /* 2M frames = 64 MiB of address space, mostly untouched */
#define HM_STACK_FRAMES_MIN (1u << 12)

typedef struct hm_chunk {
    struct hm_chunk *next;
    size_t size, used;
} hm_chunk;

/* What an exited thread keeps per function it called, for the per-thread split in the results:
 * sorted by id. O(functions the thread called), made at thread exit. */
typedef struct hm_split {
    uint32_t id;
    uint64_t count, self_ns;
} hm_split;

/* Stats of exited threads, one entry per function id; guarded by hm_acc_lock. */
typedef struct hm_acc_stats {
    uint64_t count, self_ns, max_ns;
    uint64_t hist[HM_RT_BUCKETS];
} hm_acc_stats;

static pthread_mutex_t hm_acc_lock = PTHREAD_MUTEX_INITIALIZER;
static hm_acc_stats **hm_acc;
static uint32_t hm_acc_cap;

void *hm_arena_alloc(void **arena, size_t size) {
    size = (size + 15u) & ~(size_t)15u;
    hm_chunk *c = *arena;
    if (!c || c->used + size > c->size) {
        size_t want = sizeof(hm_chunk) + size;
        size_t chunk = want > HM_ARENA_CHUNK ? (want + 4095u) & ~(size_t)4095u : HM_ARENA_CHUNK;
        void *mem = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            return NULL;
        hm_chunk *n = mem;
        n->next = c;
        n->size = chunk;
        n->used = (sizeof(hm_chunk) + 15u) & ~(size_t)15u;
        *arena = c = n;
    }
    void *p = (char *)c + c->used;
    c->used += size;
    return p;
}

void hm_arena_release(void **arena) {
    for (hm_chunk *c = *arena, *next; c; c = next) {
        next = c->next;
        munmap(c, c->size);
    }
    *arena = NULL;
}

static void hm_stack_bounds(hm_thread_data *data) {
    pthread_attr_t attr;
    if (pthread_getattr_np(pthread_self(), &attr) != 0)
        return;
    void *addr;
    size_t size;
    if (pthread_attr_getstack(&attr, &addr, &size) == 0) {
        data->stack_lo = (uintptr_t)addr;
        data->stack_hi = (uintptr_t)addr + size;
    }
    pthread_attr_destroy(&attr);
}

static hm_frame *hm_reserve_stack(uint32_t *capacity) {
    for (uint32_t frames = HM_STACK_FRAMES_MAX; frames >= HM_STACK_FRAMES_MIN; frames /= 4) {
        void *mem = mmap(NULL, (size_t)frames * sizeof(hm_frame), PROT_READ | PROT_WRITE,
                         MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
        if (mem != MAP_FAILED) {
            *capacity = frames;
            return mem;
        }
    }
    return NULL;
}

static uint32_t hm_round_up_pow2(uint32_t v) {
    uint32_t p = 64;
    while (p < v)
        p *= 2;
    return p;
}

bool hm_thread_attach(hm_tls *t) {
    if (t->finished || atomic_load(&hm_rt.init_state) != 2)
        return false;
    hm_thread_data *data =
        mmap(NULL, sizeof *data, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (data == MAP_FAILED)
        return false;
    uint32_t capacity = 0;
    hm_frame *stack = hm_reserve_stack(&capacity);
    uint32_t stats_cap = hm_round_up_pow2(hm_registry_count() + 1);
    hm_fstats **stats = stack ? hm_arena_alloc(&data->arena, stats_cap * sizeof *stats) : NULL;
    if (!stats) {
        if (stack)
            munmap(stack, (size_t)capacity * sizeof(hm_frame));
        hm_arena_release(&data->arena);
        munmap(data, sizeof *data);
        return false;
    }
    data->tid = (uint64_t)syscall(SYS_gettid);
    prctl(PR_GET_NAME, data->name, 0, 0, 0);
    hm_stack_bounds(data);
    data->stats = stats;
    data->stats_cap = stats_cap;
    data->seq = atomic_fetch_add(&hm_rt.thread_seq, 1);
    data->next = atomic_load(&hm_rt.threads);
    while (!atomic_compare_exchange_weak(&hm_rt.threads, &data->next, data))
        ;
    if (hm_rt.paths && hm_tree_init(&data->tree, hm_rt.paths_max))
        t->tree = &data->tree;
    if (hm_rt.trace) {
        hm_trace_attach(data);
        t->tracing = data->trace != NULL;
    }
    pthread_setspecific(hm_rt.thread_key, data);
    t->stack = stack;
    t->capacity = capacity;
    t->depth = 0;
    t->overflow = 0;
    t->data = data;
    t->stats = stats;
    atomic_signal_fence(memory_order_seq_cst);
    t->stats_cap = stats_cap; /* publishes readiness to the hot path */
    return true;
}

hm_fstats *hm_thread_stats_for(hm_tls *t, uint32_t id) {
    hm_thread_data *data = t->data;
    if (id >= t->stats_cap) {
        uint32_t cap = hm_round_up_pow2(id + 1);
        hm_fstats **grown = hm_arena_alloc(&data->arena, cap * sizeof *grown);
        if (!grown)
            return NULL;
        memcpy(grown, t->stats, t->stats_cap * sizeof *grown);
        data->stats = grown;
        data->stats_cap = cap;
        t->stats = grown;
        atomic_signal_fence(memory_order_seq_cst);
        t->stats_cap = cap;
    }
    if (!t->stats[id]) {
        hm_fstats *s = hm_arena_alloc(&data->arena, sizeof(hm_fstats));
        if (!s)
            return NULL;
        atomic_signal_fence(memory_order_seq_cst);
        t->stats[id] = s;
    }
    return t->stats[id];
}

void hm_stats_hist_spill(hm_fstats *s, uint32_t bucket) {
    if (!s->hist_high) {
        hm_thread_data *data = hm_tls_self.data;
        s->hist_high = data ? hm_arena_alloc(&data->arena, HM_RT_BUCKETS * sizeof(uint64_t)) : NULL;
        if (!s->hist_high) {
            s->hist[bucket] = UINT32_MAX; /* saturate rather than wrap */
            return;
        }
    }
    s->hist_high[bucket] += (uint64_t)1 << 32;
}

/* Add n calls to bucket b, spilling into the 64-bit extension when the 32-bit count wraps. */
static void hm_stats_hist_add(hm_fstats *s, uint32_t b, uint32_t n) {
#if defined(__x86_64__)
    bool wrapped;
    __asm__ volatile("addl %2, %0" : "+m"(s->hist[b]), "=@ccc"(wrapped) : "r"(n) : "cc");
#else
    uint32_t before = __atomic_fetch_add(&s->hist[b], n, __ATOMIC_RELAXED);
    bool wrapped = before + n < before;
#endif
    if (HM_UNLIKELY(wrapped))
        hm_stats_hist_spill(s, b);
}

void hm_stats_new_run(hm_fstats *s, uint32_t b) {
    uint64_t run = s->run;
    if (hm_sig_cas64(&s->run, run, (uint64_t)b << 32 | 1)) {
        if ((uint32_t)run != 0)
            hm_stats_hist_add(s, (uint32_t)(run >> 32), (uint32_t)run);
    } else {
        hm_stats_hist_add(s, b, 1); /* a signal handler moved the run meanwhile: count directly */
    }
}

static uint64_t hm_bucket_count(const hm_fstats *s, uint32_t b) {
    uint64_t run = s->run;
    return s->hist[b] + (s->hist_high ? s->hist_high[b] : 0) +
           ((uint32_t)(run >> 32) == b ? (uint32_t)run : 0);
}

static void hm_sum_thread_stats(const hm_thread_data *data, uint64_t *calls, uint64_t *self_ns) {
    *calls = *self_ns = 0;
    for (uint32_t id = 1; id < data->stats_cap; id++) {
        const hm_fstats *s = data->stats[id];
        const hm_func_meta *m = hm_registry_meta(id);
        if (s && m && !m->internal) {
            *calls += s->count;
            *self_ns += s->self_ns;
        }
    }
}

void hm_thread_totals(const hm_thread_data *data, uint64_t *calls, uint64_t *self_ns) {
    if (atomic_load(&((hm_thread_data *)data)->merged)) {
        *calls = data->calls;
        *self_ns = data->self_ns;
    } else {
        hm_sum_thread_stats(data, calls, self_ns);
    }
    *calls += hm_throttle_thread_total(data); /* count-only calls (throttle.c) */
}

static bool hm_acc_reserve(uint32_t id) {
    if (id < hm_acc_cap)
        return true;
    uint32_t cap = hm_round_up_pow2(id + 1);
    hm_acc_stats **grown = realloc(hm_acc, cap * sizeof *grown);
    if (!grown)
        return false;
    memset(grown + hm_acc_cap, 0, (cap - hm_acc_cap) * sizeof *grown);
    hm_acc = grown;
    hm_acc_cap = cap;
    return true;
}

void hm_thread_function(const hm_thread_data *data, uint32_t id, uint64_t *calls,
                        uint64_t *self_ns) {
    *calls = *self_ns = 0;
    if (!atomic_load(&((hm_thread_data *)data)->merged)) {
        if (id < data->stats_cap && data->stats[id]) {
            *calls = data->stats[id]->count;
            *self_ns = data->stats[id]->self_ns;
        }
        *calls += hm_throttle_thread_count(data, id);
        return;
    }
    uint32_t lo = 0, hi = data->nsplit; /* binary search: the split is sorted by id */
    while (lo < hi) {
        uint32_t mid = lo + (hi - lo) / 2;
        if (data->split[mid].id < id)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < data->nsplit && data->split[lo].id == id) {
        *calls = data->split[lo].count;
        *self_ns = data->split[lo].self_ns;
    }
    *calls += hm_throttle_thread_count(data, id);
}

/* Keep the thread's per-function calls and self time (sorted by id) before its stats go. */
static void hm_keep_split(hm_thread_data *data) {
    uint32_t n = 0;
    for (uint32_t id = 1; id < data->stats_cap; id++)
        n += data->stats[id] && data->stats[id]->count > 0;
    /* From its own arena (not malloc): it lives in mmap'd thread data until the process ends. */
    hm_split *split = n ? hm_arena_alloc(&data->split_arena, n * sizeof *split) : NULL;
    if (!split)
        return;
    uint32_t k = 0;
    for (uint32_t id = 1; id < data->stats_cap; id++) {
        const hm_fstats *s = data->stats[id];
        if (s && s->count > 0)
            split[k++] = (hm_split){id, s->count, s->self_ns};
    }
    data->split = split;
    data->nsplit = n;
}

void hm_thread_merge(hm_thread_data *data) {
    hm_tls *t = &hm_tls_self;
    hm_sum_thread_stats(data, &data->calls, &data->self_ns);
    hm_keep_split(data);
    hm_throttle_merge(data);
    pthread_mutex_lock(&hm_acc_lock);
    for (uint32_t id = 1; id < data->stats_cap; id++) {
        const hm_fstats *s = data->stats[id];
        if (!s || s->count == 0 || !hm_acc_reserve(id))
            continue;
        if (!hm_acc[id] && !(hm_acc[id] = calloc(1, sizeof(hm_acc_stats))))
            continue;
        hm_acc_stats *a = hm_acc[id];
        a->count += s->count;
        a->self_ns += s->self_ns;
        if (s->max_ns > a->max_ns)
            a->max_ns = s->max_ns;
        for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
            a->hist[b] += hm_bucket_count(s, b);
    }
    atomic_store(&data->merged, 1);
    pthread_mutex_unlock(&hm_acc_lock);
    hm_paths_merge_exited(&data->tree);
    if (t->data == data) {
        t->stats_cap = 0;
        t->finished = 1;
        t->tree = NULL;
        t->tracing = 0;
        atomic_signal_fence(memory_order_seq_cst);
        if (t->stack)
            munmap(t->stack, (size_t)t->capacity * sizeof(hm_frame));
        t->stack = NULL;
        t->stats = NULL;
    }
    data->stats = NULL;
    data->stats_cap = 0;
    hm_arena_release(&data->arena);
    hm_tree_release(&data->tree); /* the trace buffer stays until the trace file is written */
}

void hm_collect_function(uint32_t id, hm_collected *out, uint64_t *hist) {
    memset(out, 0, sizeof *out);
    memset(hist, 0, HM_RT_BUCKETS * sizeof *hist);
    const hm_acc_stats *a = id < hm_acc_cap ? hm_acc[id] : NULL;
    if (a) {
        out->count = a->count;
        out->self_ns = a->self_ns;
        out->max_ns = a->max_ns;
        for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
            hist[b] = a->hist[b];
    }
    for (hm_thread_data *d = atomic_load(&hm_rt.threads); d; d = d->next) {
        if (atomic_load(&d->merged) || id >= d->stats_cap || !d->stats[id])
            continue;
        const hm_fstats *s = d->stats[id];
        out->count += s->count;
        out->self_ns += s->self_ns;
        if (s->max_ns > out->max_ns)
            out->max_ns = s->max_ns;
        for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
            hist[b] += hm_bucket_count(s, b);
    }
    out->untimed = hm_throttle_count(id);
}

/* The rank and value rules are the results format's (heatmap/results_format.h); only the walk over
 * the runtime's dense bucket array is ours. */
uint64_t hm_percentile_ns(const uint64_t *hist, uint64_t count, uint64_t max_ns, unsigned p) {
    if (count == 0)
        return 0;
    uint64_t rank = hm_percentile_rank(count, p), seen = 0;
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank)
            return hm_percentile_value(b, rank, count, max_ns);
    }
    return max_ns;
}

bool hm_thread_order_make(hm_thread_order *order) {
    order->arena = NULL;
    order->n = atomic_load(&hm_rt.thread_seq);
    order->v = order->n ? hm_arena_alloc(&order->arena, order->n * sizeof *order->v) : NULL;
    if (order->n && !order->v) {
        order->n = 0;
        return false;
    }
    for (hm_thread_data *d = atomic_load(&hm_rt.threads); d; d = d->next)
        if (d->seq < order->n)
            order->v[d->seq] = d;
    return true;
}

void hm_thread_order_release(hm_thread_order *order) {
    hm_arena_release(&order->arena);
    order->v = NULL;
    order->n = 0;
}

void hm_thread_forget_function(hm_tls *t, uint32_t id) {
    if (t->data && id < t->stats_cap && t->stats[id]) {
        hm_fstats *s = t->stats[id];
        uint64_t *high = s->hist_high;
        memset(s, 0, sizeof *s);
        s->hist_high = high;
        if (high)
            memset(high, 0, HM_RT_BUCKETS * sizeof *high);
    }
}

void hm_thread_reset_after_fork(hm_tls *t) {
    /* Only the forking thread exists in the child: drop the others and the accumulator. */
    pthread_mutex_init(&hm_acc_lock, NULL);
    for (uint32_t id = 0; id < hm_acc_cap; id++)
        if (hm_acc[id])
            memset(hm_acc[id], 0, sizeof(hm_acc_stats));
    atomic_store(&hm_rt.threads, NULL);
    atomic_store(&hm_rt.thread_seq, 0);
    hm_paths_reset_after_fork();
    hm_throttle_reset_after_fork(t);
    if (!t->data || t->finished)
        return;
    hm_thread_data *data = t->data;
    for (uint32_t id = 1; id < t->stats_cap; id++)
        hm_thread_forget_function(t, id);
    hm_tree_zero(&data->tree);
    data->trace_used = 0;
    data->trace_dropped = 0;
    data->tid = (uint64_t)syscall(SYS_gettid);
    data->outer_ticks = 0;
    data->seq = atomic_fetch_add(&hm_rt.thread_seq, 1);
    data->next = NULL;
    atomic_store(&hm_rt.threads, data);
    /* Frames open at the fork are timed in the child from now on. */
    uint64_t now = hm_clock_now();
    for (uint32_t i = 0; i < t->depth; i++) {
        t->stack[i].start = now;
        t->stack[i].child = 0;
        t->stack[i].comp_below = 0;
        t->stack[i].nchildren = 0;
    }
}
