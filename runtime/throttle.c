/* Throttling: functions too short to time are switched to count-only, and their calls counted.
 *
 * Design. Timing a call costs ~20 ns; a function whose calls take less than a few times that is
 * measured mostly as the profiler's own cost, and slows the program most. The exit path checks
 * every HM_THROTTLE_CHECK-th timed call of a function on a thread (one mask test in hm_record):
 * when the thread has timed it at least HEATMAP_THROTTLE_CALLS times with an average self-time
 * below HEATMAP_THROTTLE_NS, the function is throttled: the record's state byte (abi.h) becomes
 * HM_STATE_COUNTED, and from then on instrumented code counts its calls inline, into this thread's
 * `counts` array (exported as __heatmap_counts_v3 in initial-exec TLS), without calling the
 * runtime; its time becomes part of its caller's self-time, as if it were inlined. The decision
 * is per function, not per thread: the record is shared, so a function throttled by one thread's
 * calls is counted-only on every thread from then on (the other threads' timed figures stop at
 * the same moment). Several records with the same id (an inline function of a header, one record
 * per module) each switch at their own next check once the id is throttled.
 *
 * The counters are exact: each thread's array is a MAP_NORESERVE reservation of HM_COUNTS_MAX
 * entries, made on the thread's first count-only call (through __heatmap_count_v3), that never
 * moves; the inline add is one read-modify-write instruction on x86, so a signal handler cannot
 * lose a count. At thread exit the array is folded into an accumulator (a second reservation) and
 * a compact per-thread copy (id, count) kept for the results' per-thread split. Functions with
 * ids at or above HM_COUNTS_MAX are never throttled.
 *
 * Layer 2 (rt_hot.h): calls thread_state.c (attach, arena) and layer 1 (registry); called by
 * instrumented code (__heatmap_count_v3), hot_path.c (the check), thread_state.c (merge, fork,
 * the read side) and the writers through it.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>

#include "rt_hot.h"

#define HM_COUNTS_MAX (1u << 20) /* ids; 8 MiB of address space per thread, mostly untouched */

__thread uint64_t *__heatmap_counts_v3 __attribute__((tls_model("initial-exec")));

/* 1 for a throttled id (set once, never cleared); read by the writers. */
static uint8_t hm_throttled_ids[HM_COUNTS_MAX];
/* Count-only calls of exited threads, per id; guarded by hm_counts_lock. */
static uint64_t *hm_counts_exited;
/* ... of the exited threads folded into "other threads" (thread_state.c), per id; a part of
 * hm_counts_exited, kept apart for the results' per-thread split. Guarded by hm_counts_lock. */
static uint64_t *hm_counts_other;
static pthread_mutex_t hm_counts_lock = PTHREAD_MUTEX_INITIALIZER;

/* What an exited thread keeps of its count-only calls, sorted by id. */
typedef struct hm_untimed {
    uint32_t id;
    uint64_t count;
} hm_untimed;

static uint64_t *hm_counts_reserve(void) {
    void *p = mmap(NULL, (size_t)HM_COUNTS_MAX * sizeof(uint64_t), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

void hm_throttle_count_first(hm_func_record *record) {
    if (atomic_load_explicit(&hm_recording, memory_order_relaxed) == 0)
        return;
    uint32_t id = __atomic_load_n(&record->id, __ATOMIC_ACQUIRE);
    if (id == 0 || id >= HM_COUNTS_MAX)
        return; /* never throttled: the state byte of such a record is never set */
    hm_tls *t = &hm_tls_self;
    if (t->finished || (t->stats_cap == 0 && !hm_thread_attach(t)))
        return;
    hm_thread_data *data = t->data;
    if (!data->counts) {
        uint64_t *counts = hm_counts_reserve();
        if (!counts)
            return;
        data->counts = counts;
        atomic_signal_fence(memory_order_seq_cst);
        __heatmap_counts_v3 = counts; /* publishes the array to instrumented code */
    }
    hm_sig_add64(&data->counts[id], 1);
}

void hm_throttle_check(hm_func_record *record, const hm_fstats *s) {
    /* Pinned (it calls setjmp): its code has no count-only path (abi.h). */
    if (!hm_rt.throttle || __atomic_load_n(&record->state, __ATOMIC_RELAXED) == HM_STATE_PINNED)
        return;
    uint32_t id = record->id;
    if (id == 0 || id >= HM_COUNTS_MAX)
        return;
    if (!__atomic_load_n(&hm_throttled_ids[id], __ATOMIC_RELAXED)) {
        /* avg self < limit, without a division: self_ns < limit * count */
        if (s->count < hm_rt.throttle_calls || s->self_ns >= hm_rt.throttle_ns * s->count)
            return;
        __atomic_store_n(&hm_throttled_ids[id], 1, __ATOMIC_RELAXED);
    }
    __atomic_store_n(&record->state, HM_STATE_COUNTED, __ATOMIC_RELAXED);
}

bool hm_throttle_is_throttled(uint32_t id) {
    return id < HM_COUNTS_MAX && __atomic_load_n(&hm_throttled_ids[id], __ATOMIC_RELAXED);
}

uint64_t hm_throttle_thread_count(const hm_thread_data *data, uint32_t id) {
    if (id >= HM_COUNTS_MAX)
        return 0;
    if (!atomic_load(&((hm_thread_data *)data)->merged))
        return data->counts ? data->counts[id] : 0;
    const hm_untimed *u = data->untimed;
    uint32_t k = hm_find_id(u, data->nuntimed, sizeof *u, id); /* sorted by id */
    return k < data->nuntimed ? u[k].count : 0;
}

uint64_t hm_throttle_thread_total(const hm_thread_data *data) {
    if (atomic_load(&((hm_thread_data *)data)->merged))
        return data->untimed_calls;
    uint64_t total = 0;
    uint32_t n = hm_registry_count();
    for (uint32_t id = 1; data->counts && id <= n && id < HM_COUNTS_MAX; id++) {
        const hm_func_meta *m = hm_registry_meta(id);
        if (m && !m->internal)
            total += data->counts[id];
    }
    return total;
}

uint64_t hm_throttle_count(uint32_t id) {
    if (id >= HM_COUNTS_MAX)
        return 0;
    uint64_t total = hm_counts_exited ? hm_counts_exited[id] : 0;
    for (const hm_thread_data *d = atomic_load(&hm_rt.threads); d; d = d->next)
        if (!atomic_load(&((hm_thread_data *)d)->merged) && d->counts)
            total += d->counts[id];
    return total;
}

void hm_throttle_merge(hm_thread_data *data) {
    uint64_t *counts = data->counts;
    if (!counts)
        return;
    hm_tls *t = &hm_tls_self;
    if (t->data == data) { /* later count-only calls on this thread go to the slow path: dropped */
        __heatmap_counts_v3 = NULL;
        atomic_signal_fence(memory_order_seq_cst);
    }
    uint32_t n = hm_registry_count(), kept = 0;
    if (n >= HM_COUNTS_MAX)
        n = HM_COUNTS_MAX - 1;
    for (uint32_t id = 1; id <= n; id++)
        kept += counts[id] != 0;
    hm_untimed *u = kept ? hm_arena_alloc(&data->split_arena, kept * sizeof *u) : NULL;
    uint32_t k = 0;
    uint64_t total = 0;
    pthread_mutex_lock(&hm_counts_lock);
    if (!hm_counts_exited)
        hm_counts_exited = hm_counts_reserve();
    for (uint32_t id = 1; id <= n; id++) {
        if (!counts[id])
            continue;
        if (hm_counts_exited)
            hm_counts_exited[id] += counts[id];
        const hm_func_meta *m = hm_registry_meta(id);
        if (m && !m->internal)
            total += counts[id];
        if (u)
            u[k++] = (hm_untimed){id, counts[id]};
    }
    pthread_mutex_unlock(&hm_counts_lock);
    data->untimed = u;
    data->nuntimed = u ? k : 0;
    data->untimed_calls = total;
    data->counts = NULL;
    munmap(counts, (size_t)HM_COUNTS_MAX * sizeof(uint64_t));
}

void hm_throttle_fold(hm_thread_data *data) {
    const hm_untimed *u = data->untimed;
    uint32_t n = data->nuntimed;
    if (u && n) {
        pthread_mutex_lock(&hm_counts_lock);
        if (!hm_counts_other)
            hm_counts_other = hm_counts_reserve();
        for (uint32_t k = 0; hm_counts_other && k < n; k++)
            hm_counts_other[u[k].id] += u[k].count;
        pthread_mutex_unlock(&hm_counts_lock);
    }
    data->nuntimed = 0;
    data->untimed_calls = 0;
    data->untimed = NULL; /* its memory is the split's, released with it */
}

uint64_t hm_throttle_other_count(uint32_t id) {
    return id < HM_COUNTS_MAX && hm_counts_other ? hm_counts_other[id] : 0;
}

void hm_throttle_reset_after_fork(hm_tls *t) {
    pthread_mutex_init(&hm_counts_lock, NULL);
    size_t size = (size_t)HM_COUNTS_MAX * sizeof(uint64_t);
    if (hm_counts_exited)
        madvise(hm_counts_exited, size, MADV_DONTNEED); /* back to zero pages */
    if (hm_counts_other)
        madvise(hm_counts_other, size, MADV_DONTNEED);
    if (t->data && t->data->counts)
        madvise(t->data->counts, size, MADV_DONTNEED);
}
