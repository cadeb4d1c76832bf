/* Per-thread state: created on a thread's first instrumented call, merged when the thread exits.
 *
 * Each thread owns its shadow stack (a large MAP_NORESERVE reservation, so it never moves and pages
 * are committed only as deep as the program goes), an index from function id to its stats, and the
 * stats themselves, carved from an mmap-backed arena. mmap is used instead of malloc because the
 * first call of a function on a thread may happen inside a signal handler.
 *
 * A pthread_key destructor folds the thread's stats into a process-wide accumulator (under a mutex:
 * thread exit is never a signal context, and the thread's own signals are blocked by then:
 * lifecycle.c) and unmaps them. The small hm_thread_data record stays on
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
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "heatmap/results_format.h"
#include "rt_hot.h"

#define HM_ARENA_CHUNK (256u * 1024u)
#define HM_STACK_FRAMES_MAX (1u << 21) /* 2M frames = 64 MiB of address space, mostly untouched */
#define HM_STACK_FRAMES_MIN (1u << 12)

typedef struct hm_chunk {
    struct hm_chunk *next;
    uint64_t size, used;
} hm_chunk;

/* What an exited thread keeps per function it called, for the per-thread split in the results:
 * sorted by id. O(functions the thread called), made at thread exit. */
typedef struct hm_split {
    uint32_t id;
    uint64_t count, self_ns, cpu_ns;
} hm_split;

/* Stats of exited threads, one entry per function id; guarded by hm_acc_lock. */
typedef struct hm_acc_stats {
    uint64_t count, self_ns, max_ns;
    uint64_t cpu_ns, blocked_ns, open_calls; /* cpu split at merge with the thread's ratio */
    uint64_t other_count, other_self_ns, other_cpu_ns; /* the folded threads' share (split) */
    uint64_t hist[HM_RT_BUCKETS];
} hm_acc_stats;

static pthread_mutex_t hm_acc_lock = PTHREAD_MUTEX_INITIALIZER;
static hm_acc_stats **hm_acc;
static uint32_t hm_acc_cap;

/* Exited threads listed one by one (HM_EXITED): at most hm_rt.threads_max. When one more exits,
 * the one with the least CPU time among them and it is folded (HM_FOLDED): summed into hm_other
 * (and the functions' other_* figures), its split released, and its record put on the free list
 * for the next thread to attach. So the records, splits and results rows are bounded by the
 * threads alive at once plus threads_max, never by the threads that ever ran. All under
 * hm_acc_lock. */
static hm_thread_data **hm_kept;
static uint32_t hm_nkept;
static hm_thread_data *hm_free_records;
static hm_other_threads hm_other;

void *hm_arena_alloc(void **arena, size_t size) {
    size = (size + 15u) & ~(size_t)15u;
    /* Re-entrant for a signal handler that interrupts an allocation on the same thread (the first
     * call of a function, or a new histogram, inside a handler): the bump and the chunk push are
     * compare-and-swaps, so the two never get the same bytes. */
    for (;;) {
        hm_chunk *c = __atomic_load_n((hm_chunk **)arena, __ATOMIC_RELAXED);
        if (c) {
            uint64_t used = __atomic_load_n(&c->used, __ATOMIC_RELAXED);
            if (used + size <= c->size) {
                if (hm_sig_cas64((uint64_t *)&c->used, used, used + size))
                    return (char *)c + used;
                continue;
            }
        }
        size_t want = sizeof(hm_chunk) + size;
        size_t chunk = want > HM_ARENA_CHUNK ? (want + 4095u) & ~(size_t)4095u : HM_ARENA_CHUNK;
        void *mem = mmap(NULL, chunk, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            return NULL;
        hm_chunk *n = mem;
        n->next = c;
        n->size = chunk;
        n->used = (sizeof(hm_chunk) + 15u) & ~(size_t)15u;
        if (__atomic_compare_exchange_n((hm_chunk **)arena, &c, n, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            continue;       /* allocate from the new chunk */
        munmap(mem, chunk); /* a handler pushed one meanwhile: use it */
    }
}

void hm_arena_release(void **arena) {
    for (hm_chunk *c = *arena, *next; c; c = next) {
        next = c->next;
        munmap(c, c->size);
    }
    *arena = NULL;
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

/* The calling thread's CPU clock in ns (0 when unreadable). */
static uint64_t hm_thread_cpu_now(void) {
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0)
        return 0;
    return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Another thread's CPU clock through its tid (as glibc's pthread_getcpuclockid makes the id):
 * async-signal-safe. Returns false when the thread is gone. */
static bool hm_tid_cpu_now(uint64_t tid, uint64_t *ns) {
    clockid_t clk = (clockid_t)((~(clockid_t)tid) << 3) | 6;
    struct timespec ts;
    if (clock_gettime(clk, &ts) != 0)
        return false;
    *ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
    return true;
}

/* Thread records are carved from shared slabs (a page each would be most of a short-lived
 * thread's cost); 128-byte aligned, so that two threads' hot fields (outer_ticks) never share a
 * cache line. The slab is taken with a trylock (attach may run in a signal handler); when it is
 * busy, or a record comes back unused, the record has a mapping of its own. Never unmapped: a
 * record stays on the thread list for the life of the process, reused once its thread is folded.
 */
#define HM_RECORD_ALIGN 128u
#define HM_SLAB_SIZE (64u * 1024u)
#define HM_RECORD_SIZE                                                                             \
    ((sizeof(hm_thread_data) + HM_RECORD_ALIGN - 1) & ~(size_t)(HM_RECORD_ALIGN - 1))

static pthread_mutex_t hm_slab_lock = PTHREAD_MUTEX_INITIALIZER;
static char *hm_slab;
static size_t hm_slab_used = HM_SLAB_SIZE;

static hm_thread_data *hm_record_new(void) {
    void *mem = NULL;
    if (pthread_mutex_trylock(&hm_slab_lock) == 0) {
        if (hm_slab_used + HM_RECORD_SIZE > HM_SLAB_SIZE) {
            void *slab = mmap(NULL, HM_SLAB_SIZE, PROT_READ | PROT_WRITE,
                              MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
            if (slab != MAP_FAILED) {
                hm_slab = slab;
                hm_slab_used = 0;
            }
        }
        if (hm_slab_used + HM_RECORD_SIZE <= HM_SLAB_SIZE) {
            mem = hm_slab + hm_slab_used;
            hm_slab_used += HM_RECORD_SIZE;
        }
        pthread_mutex_unlock(&hm_slab_lock);
    }
    if (!mem) {
        mem = mmap(NULL, sizeof(hm_thread_data), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            return NULL;
    }
    memset(mem, 0, sizeof(hm_thread_data)); /* a slab's page faults here, in the attach */
    return mem;
}

static bool hm_thread_attach_unmasked(hm_tls *t);

/* The attach runs with the thread's signals blocked: a handler's first instrumented call that
 * interrupted it would otherwise attach the thread a second time (two records, one never merged).
 * Blocked, the signal is delivered when the attach is done, and its calls are recorded. */
bool hm_thread_attach(hm_tls *t) {
    if (t->finished || atomic_load(&hm_rt.init_state) != 2)
        return false;
    sigset_t all, old;
    sigfillset(&all);
    bool masked = pthread_sigmask(SIG_BLOCK, &all, &old) == 0;
    bool ok = hm_thread_attach_unmasked(t);
    if (masked)
        pthread_sigmask(SIG_SETMASK, &old, NULL);
    return ok;
}

static bool hm_thread_attach_unmasked(hm_tls *t) {
    uint64_t setup_begin = hm_clock_now();
    /* A record of a folded thread when one is free (trylock: this may be a signal handler, and
     * one that interrupted this thread's own merge must not wait), else a new one. */
    hm_thread_data *data = NULL;
    if (pthread_mutex_trylock(&hm_acc_lock) == 0) {
        data = hm_free_records;
        if (data)
            hm_free_records = data->free_next;
        pthread_mutex_unlock(&hm_acc_lock);
    }
    bool reused = data != NULL;
    if (reused) {
        /* Still on the thread list: zeroed it reads as a live thread without calls until it is
         * filled (readers skip it meanwhile, and list only threads with calls). */
        hm_thread_data *next = data->next;
        memset(data, 0, sizeof *data);
        data->next = next;
    } else if (!(data = hm_record_new())) {
        return false;
    }
    uint32_t capacity = 0;
    hm_frame *stack = hm_reserve_stack(&capacity);
    uint32_t stats_cap = hm_round_up_pow2(hm_registry_count() + 1);
    hm_fstats **stats = stack ? hm_arena_alloc(&data->arena, stats_cap * sizeof *stats) : NULL;
    if (!stats) {
        if (stack)
            munmap(stack, (size_t)capacity * sizeof(hm_frame));
        hm_arena_release(&data->arena);
        if (reused) { /* back to the free list (never unmapped: it is on the thread list) */
            atomic_store(&data->merged, HM_FOLDED);
            if (pthread_mutex_trylock(&hm_acc_lock) == 0) {
                data->free_next = hm_free_records;
                hm_free_records = data;
                pthread_mutex_unlock(&hm_acc_lock);
            }
        } /* else a record never published is left (out of memory: a few hundred bytes) */
        return false;
    }
    data->tid = (uint64_t)syscall(SYS_gettid);
    prctl(PR_GET_NAME, data->name, 0, 0, 0);
    data->stats = stats;
    data->stats_cap = stats_cap;
    data->seq = atomic_fetch_add(&hm_rt.thread_seq, 1);
    if (!reused) {
        data->next = atomic_load(&hm_rt.threads);
        while (!atomic_compare_exchange_weak(&hm_rt.threads, &data->next, data))
            ;
    }
    if (hm_rt.paths && hm_tree_init(&data->tree, hm_rt.paths_max))
        t->tree = &data->tree;
    if (hm_rt.trace) {
        hm_trace_attach(data);
        t->tracing = data->trace != NULL;
    }
    pthread_setspecific(hm_rt.thread_key, data);
    data->tls = t;
    data->attach_tick = hm_clock_now();
    data->setup_ns = hm_ticks_to_ns(data->attach_tick - setup_begin, hm_rt.ns_per_tick_fp);
    data->cpu_attach_ns = hm_thread_cpu_now(); /* outside any timed interval: before the push */
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

void hm_thread_restart_clocks(hm_thread_data *data) {
    data->wait_ticks = 0;
    __atomic_store_n(&data->blocked_since, 0, __ATOMIC_RELAXED);
    data->setup_ns = 0;
    data->setup_inner_ticks = 0;
    data->attach_tick = hm_clock_now();
    data->cpu_attach_ns = hm_thread_cpu_now();
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
        memset(s, 0, sizeof *s); /* its page faults now, in the set-up, not in the first call */
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

/* Give `s` its histogram (the first time a second bucket is used): set-up, charged as such to
 * the frame below the one being recorded (hm_setup_charge). */
static bool hm_stats_hist_make(hm_fstats *s) {
    hm_tls *t = &hm_tls_self;
    if (!t->data)
        return false;
    uint64_t begin = hm_clock_now();
    uint32_t *hist = hm_arena_alloc(&t->data->arena, HM_RT_BUCKETS * sizeof(uint32_t));
    if (!hist)
        return false;
    memset(hist, 0, HM_RT_BUCKETS * sizeof(uint32_t)); /* page faults inside the set-up */
    atomic_signal_fence(memory_order_seq_cst);
    if (!s->hist)
        s->hist = hist;
    /* Recorded at its exit: the frame below will read its end later, so the set-up is in it;
     * not so when frames are closed at one tick (t->closing). */
    hm_setup_charge(t, t->depth && !t->closing ? t->depth - 1 : 0, begin);
    return s->hist != NULL;
}

/* Add n calls to bucket b, spilling into the 64-bit extension when the 32-bit count wraps. */
static void hm_stats_hist_add(hm_fstats *s, uint32_t b, uint32_t n) {
    if (HM_UNLIKELY(!s->hist) && !hm_stats_hist_make(s))
        return; /* no memory: these calls are missing from the histogram, not from the count */
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

uint64_t hm_stats_bucket_count(const hm_fstats *s, uint32_t b) {
    uint64_t run = s->run;
    return (s->hist ? s->hist[b] : 0) + (s->hist_high ? s->hist_high[b] : 0) +
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

/* A thread's time inside outermost frames, less the runtime's set-up made inside them. */
static uint64_t hm_outer_ns(const hm_thread_data *d) {
    uint64_t outer = d->outer_ticks, setup = d->setup_inner_ticks;
    return hm_ticks_to_ns(outer > setup ? outer - setup : 0, hm_rt.ns_per_tick_fp);
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

/* A thread's time from its attach to `end` (ticks) with CPU clock `cpu_end_ns`, and its on-CPU
 * ratio r = min(1, cpu / (wall - wait)), 1 when the denominator is not positive (docs/runtime.md,
 * "CPU and wait"). The profiler's overhead is left in both terms: it is preempted like the
 * program, so taking its CPU cost off both (as if it ran at full speed) biases r low under load.
 * Fills wall, cpu, wait, overhead, calls, ratio. */
static void hm_time_compute(const hm_thread_data *d, uint64_t end, uint64_t cpu_end_ns,
                            uint64_t wait_ticks, uint64_t calls, uint64_t self_ns,
                            uint64_t outer_ns, hm_thread_time *out) {
    memset(out, 0, sizeof *out);
    out->calls = calls;
    out->self_ns = self_ns;
    out->outer_ns = outer_ns;
    out->wall_ns =
        end > d->attach_tick ? hm_ticks_to_ns(end - d->attach_tick, hm_rt.ns_per_tick_fp) : 0;
    out->cpu_ns = cpu_end_ns > d->cpu_attach_ns ? cpu_end_ns - d->cpu_attach_ns : 0;
    out->wait_ns = hm_ticks_to_ns(wait_ticks, hm_rt.ns_per_tick_fp);
    /* The compensation actually taken off: the raw self-times add up to outer_ns exactly, so what
     * the compensated ones lack is what was taken off (a call shorter than the compensation
     * gives up only its own time), plus the attach. */
    out->overhead_ns = (outer_ns > self_ns ? outer_ns - self_ns : 0) + d->setup_ns;
    double on_cpu = (double)out->cpu_ns;
    double runnable = (double)out->wall_ns - (double)out->wait_ns;
    double r = runnable > 0 ? on_cpu / runnable : 1.0;
    out->ratio = r > 1.0 ? 1.0 : r < 0.0 ? 0.0 : r;
}

/* Keep the thread's per-function calls and self time (sorted by id) before its stats go. */
static void hm_keep_split(hm_thread_data *data, double ratio) {
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
        if (s && s->count > 0) {
            uint64_t cpu, wait;
            hm_split_self(s->self_ns, s->blocked_ns, ratio, &cpu, &wait);
            split[k++] = (hm_split){id, s->count, s->self_ns, cpu};
        }
    }
    data->split = split;
    data->nsplit = n;
}

static void hm_exited_time(const hm_thread_data *d, hm_thread_time *out);

/* Sum an exited thread into the "other threads" figures and free its record (hm_acc_lock held). */
static void hm_fold(hm_thread_data *d) {
    hm_thread_time tt;
    hm_exited_time(d, &tt);
    hm_other.threads++;
    hm_other.time.calls += tt.calls;
    hm_other.time.self_ns += tt.self_ns;
    hm_other.time.outer_ns += tt.outer_ns;
    hm_other.time.open_calls += tt.open_calls;
    hm_other.time.wall_ns += tt.wall_ns;
    hm_other.time.cpu_ns += tt.cpu_ns;
    hm_other.time.wait_ns += tt.wait_ns;
    hm_other.time.preempt_ns += tt.preempt_ns;
    hm_other.time.overhead_ns += tt.overhead_ns;
    hm_other.dropped_calls += d->dropped_calls;
    if (tt.overhead_ns > hm_other.overhead_max_ns)
        hm_other.overhead_max_ns = tt.overhead_ns;
    for (uint32_t k = 0; k < d->nsplit; k++) {
        const hm_split *sp = &d->split[k];
        hm_acc_stats *a = sp->id < hm_acc_cap ? hm_acc[sp->id] : NULL;
        if (a) {
            a->other_count += sp->count;
            a->other_self_ns += sp->self_ns;
            a->other_cpu_ns += sp->cpu_ns;
        }
    }
    hm_throttle_fold(d); /* its count-only calls into the other threads' (throttle.c) */
    atomic_store(&d->merged, HM_FOLDED);
    atomic_thread_fence(memory_order_seq_cst);
    d->split = NULL;
    d->nsplit = 0;
    /* Its split and the record are released by hm_thread_merge once the live readers that may
     * still read them are done (hm_release_folded). */
}

/* A folded record's memory, and the record to the free list, once no live reader is left and
 * (when it is the merging thread's own) its merge is done with it. */
static void hm_release_folded(hm_thread_data *d) {
    hm_arena_release(&d->split_arena);
    pthread_mutex_lock(&hm_acc_lock);
    d->free_next = hm_free_records;
    hm_free_records = d;
    pthread_mutex_unlock(&hm_acc_lock);
}

/* Keep the exited thread `d` listed, or fold the least busy of the listed ones and it (by CPU
 * time; the newcomer on a tie). Not while tracing (the trace keeps every thread's events and
 * names them by record) nor once recording has stopped (a writer may be reading the records). */
static hm_thread_data *hm_keep_or_fold(hm_thread_data *d) {
    if (hm_rt.trace || !atomic_load_explicit(&hm_recording, memory_order_acquire))
        return NULL;
    uint32_t max = hm_rt.threads_max ? hm_rt.threads_max : 64;
    if (!hm_kept && !(hm_kept = calloc(max, sizeof *hm_kept)))
        return NULL;
    if (hm_nkept < max) {
        hm_kept[hm_nkept++] = d;
        return NULL;
    }
    uint32_t least = 0;
    for (uint32_t i = 1; i < hm_nkept; i++)
        if (hm_kept[i]->cpu_total_ns < hm_kept[least]->cpu_total_ns)
            least = i;
    hm_thread_data *victim = d;
    if (hm_kept[least]->cpu_total_ns < d->cpu_total_ns) {
        victim = hm_kept[least];
        hm_kept[least] = d;
    }
    hm_fold(victim);
    return victim;
}

void hm_other_threads_get(hm_other_threads *out) {
    *out = hm_other;
}

void hm_other_function(uint32_t id, hm_thread_fn *out) {
    memset(out, 0, sizeof *out);
    const hm_acc_stats *a = id < hm_acc_cap ? hm_acc[id] : NULL;
    if (a) {
        out->calls = a->other_count;
        out->self_ns = a->other_self_ns;
        out->cpu_ns = a->other_cpu_ns;
        out->wait_ns = a->other_self_ns - a->other_cpu_ns;
    }
    out->calls += hm_throttle_other_count(id); /* count-only calls (throttle.c) */
}

void hm_thread_merge(hm_thread_data *data) {
    hm_tls *t = &hm_tls_self;
    uint64_t now = hm_clock_now();
    uint64_t since = __atomic_exchange_n(&data->blocked_since, 0, __ATOMIC_RELAXED);
    if (since && now > since) /* cancelled inside a wait: count it up to here */
        data->wait_ticks += now - since;
    data->end_tick = now;
    data->cpu_end_ns = t->data == data ? hm_thread_cpu_now() : data->cpu_attach_ns;
    /* The histograms get their pending calls before they are folded. hm_tls_self is named, not
     * t: GCC's UBSan at -O2 misreads a pointer to initial-exec TLS kept across calls as null. */
    if (hm_tls_self.data == data)
        hm_hist_settle_all(&hm_tls_self);
    hm_sum_thread_stats(data, &data->calls, &data->self_ns);
    hm_thread_time tt;
    hm_time_compute(data, now, data->cpu_end_ns, data->wait_ticks, data->calls, data->self_ns,
                    hm_outer_ns(data), &tt);
    hm_keep_split(data, tt.ratio);
    hm_throttle_merge(data);
    pthread_mutex_lock(&hm_acc_lock);
    for (uint32_t id = 1; id < data->stats_cap; id++) {
        const hm_fstats *s = data->stats[id];
        if (!s || s->count == 0 || !hm_acc_reserve(id))
            continue;
        if (!hm_acc[id] && !(hm_acc[id] = calloc(1, sizeof(hm_acc_stats))))
            continue;
        hm_acc_stats *a = hm_acc[id];
        uint64_t cpu, wait;
        hm_split_self(s->self_ns, s->blocked_ns, tt.ratio, &cpu, &wait);
        a->count += s->count;
        a->self_ns += s->self_ns;
        a->cpu_ns += cpu;
        a->blocked_ns += s->blocked_ns < s->self_ns ? s->blocked_ns : s->self_ns;
        a->open_calls += s->open_calls;
        data->cpu_ns_split += cpu;
        data->blocked_ns += s->blocked_ns < s->self_ns ? s->blocked_ns : s->self_ns;
        if (s->max_ns > a->max_ns)
            a->max_ns = s->max_ns;
        for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
            a->hist[b] += hm_stats_bucket_count(s, b);
    }
    atomic_store(&data->merged, HM_EXITED);
    data->cpu_total_ns = tt.cpu_ns;
    hm_thread_data *folded = hm_keep_or_fold(data);
    pthread_mutex_unlock(&hm_acc_lock);
    /* A live reader (server.c) that saw this thread unmerged, or the folded one listed, reads it
     * until it is done. */
    while (atomic_load(&hm_live_readers) != 0)
        sched_yield();
    hm_paths_merge_exited(&data->tree, tt.ratio);
    if (t->data == data) {
        t->stats_cap = 0;
        t->finished = 1;
        /* Frames still open (unwound without their exits) are dropped with the stack: an exit
         * call that comes after this (a program's key destructor that runs after ours: its
         * enter, refused, pushed nothing) must not read it. */
        t->depth = 0;
        t->tree = NULL;
        t->tracing = 0;
        atomic_signal_fence(memory_order_seq_cst);
        /* Once recording stops (the final write), a writer may be reading this stack's open
         * frames: it stays mapped (the process is ending). */
        if (t->stack && atomic_load_explicit(&hm_recording, memory_order_acquire))
            munmap(t->stack, (size_t)t->capacity * sizeof(hm_frame));
        t->stack = NULL;
        t->stats = NULL;
    }
    data->stats = NULL;
    data->stats_cap = 0;
    hm_arena_release(&data->arena);
    hm_tree_release(&data->tree); /* the trace buffer stays until the trace file is written */
    if (folded)
        hm_release_folded(folded); /* last: the record may be reused at once */
}

_Atomic uint32_t hm_live_readers;

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
    order->n = 0;
    order->v = NULL;
    uint32_t cap = 0;
    for (hm_thread_data *d = atomic_load(&hm_rt.threads); d; d = d->next)
        cap += atomic_load(&d->merged) != HM_FOLDED;
    /* Threads start and exit while this runs: a folded record is reused (live again) and new ones
     * are pushed at the head, so the second walk may find more than the first counted. The
     * oldest records, the main thread's among them, are at the tail and must not be cut off:
     * leave room, and walk again with more when it was not enough. */
    for (;;) {
        cap += 16 + cap / 4;
        order->v = hm_arena_alloc(&order->arena, cap * sizeof *order->v);
        if (!order->v)
            return false;
        bool full = false;
        for (hm_thread_data *d = atomic_load(&hm_rt.threads); d && !full; d = d->next) {
            if (atomic_load(&d->merged) == HM_FOLDED)
                continue;
            if (order->n == cap)
                full = true;
            else
                order->v[order->n++] = d;
        }
        if (!full)
            break;
        hm_arena_release(&order->arena);
        order->v = NULL;
        order->n = 0;
    }
    /* Start order (records are reused, so the list is not in it): a shell sort, in place. */
    static const uint32_t gaps[] = {1750, 701, 301, 132, 57, 23, 10, 4, 1};
    for (size_t g = 0; g < sizeof gaps / sizeof *gaps; g++) {
        uint32_t gap = gaps[g];
        for (uint32_t i = gap; i < order->n; i++) {
            hm_thread_data *x = order->v[i];
            uint32_t j = i;
            for (; j >= gap && order->v[j - gap]->seq > x->seq; j -= gap)
                order->v[j] = order->v[j - gap];
            order->v[j] = x;
        }
    }
    return true;
}

void hm_thread_order_release(hm_thread_order *order) {
    hm_arena_release(&order->arena);
    order->v = NULL;
    order->n = 0;
}

void hm_thread_forget_function(hm_tls *t, uint32_t id) {
    hm_hist_settle_all(t); /* no pending entry may count into the zeroed histogram later */
    if (t->data && id < t->stats_cap && t->stats[id]) {
        hm_fstats *s = t->stats[id];
        uint64_t *high = s->hist_high;
        uint32_t *hist = s->hist;
        memset(s, 0, sizeof *s);
        s->hist_high = high;
        s->hist = hist;
        if (high)
            memset(high, 0, HM_RT_BUCKETS * sizeof *high);
        if (hist)
            memset(hist, 0, HM_RT_BUCKETS * sizeof *hist);
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
    hm_nkept = 0;
    hm_free_records = NULL;
    pthread_mutex_init(&hm_slab_lock, NULL);
    memset(&hm_other, 0, sizeof hm_other);
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
    data->dropped_calls = 0;
    hm_thread_restart_clocks(data);
    data->seq = atomic_fetch_add(&hm_rt.thread_seq, 1);
    data->next = NULL;
    atomic_store(&hm_rt.threads, data);
    /* Frames open at the fork are timed in the child from now on. */
    uint64_t now = hm_clock_now();
    for (uint32_t i = 0; i < t->depth; i++) {
        t->stack[i].start = now;
        t->stack[i].child = 0;
    }
}

/* ---- the read side: open frames, thread times, collected functions ------------------------- */

typedef struct hm_open_fn {
    uint64_t count, self_ns, blocked_ns, max_ns;
} hm_open_fn;

typedef struct hm_open_frame {
    uint32_t id;
    uint64_t self_ns;
} hm_open_frame;

typedef struct hm_open_thread {
    bool live;           /* not merged: its figures are the live stats plus the open frames */
    hm_thread_time time; /* the thread's time, open frames included */
    hm_open_fn *fns;     /* per function id (nfns entries), NULL when no frame is open */
    hm_open_frame *frames;
    uint32_t nframes;
    hm_open_node *nodes; /* per node of the thread's tree, NULL when paths are off */
} hm_open_thread;

struct hm_open_view {
    const hm_thread_order *order; /* the threads, by position */
    uint32_t n, nfns;
    hm_open_thread *v;
    void *arena;
};

/* Snapshot thread d's open frames into ot (ids checked: the snapshot is racy but bounded). */
static void hm_open_frames_of(hm_open_view *view, const hm_thread_data *d, hm_open_thread *ot,
                              uint64_t now) {
    const hm_tls *t = d->tls;
    if (!t || t == &hm_tls_self)
        return; /* the writing thread closed its own frames before the write */
    uint32_t depth = __atomic_load_n(&t->depth, __ATOMIC_RELAXED);
    hm_frame *stack = __atomic_load_n(&((hm_tls *)t)->stack, __ATOMIC_RELAXED);
    uint32_t capacity = __atomic_load_n(&t->capacity, __ATOMIC_RELAXED);
    if (!stack || depth == 0 || depth > capacity)
        return;
    ot->fns = hm_arena_alloc(&view->arena, (size_t)view->nfns * sizeof *ot->fns);
    ot->frames = hm_arena_alloc(&view->arena, (size_t)depth * sizeof *ot->frames);
    if (!ot->fns || !ot->frames) {
        ot->fns = NULL;
        return;
    }
    const hm_tree *tree = d->tree.nodes ? &d->tree : NULL;
    uint32_t nnodes = tree ? hm_tree_size(tree) : 0;
    ot->nodes = nnodes ? hm_arena_alloc(&view->arena, (size_t)nnodes * sizeof *ot->nodes) : NULL;
    uint64_t since = __atomic_load_n(&d->blocked_since, __ATOMIC_RELAXED);
    uint64_t inner_start = now; /* start of the open child of the frame being closed */
    for (uint32_t k = depth; k-- > 0;) {
        hm_frame f = stack[k];
        uint64_t elapsed = now > f.start ? now - f.start : 0;
        /* Completed children (with their compensation) and the open child, compensated too. */
        uint64_t below = f.child + (now > inner_start ? now - inner_start : 0) +
                         (k + 1 < depth ? hm_rt.comp_child_ticks : 0);
        uint64_t self_ticks = elapsed > below ? elapsed - below : 0;
        uint64_t raw = hm_ticks_to_ns(self_ticks, hm_rt.ns_per_tick_fp);
        uint64_t self_ns = raw > hm_rt.comp_self_ns ? raw - hm_rt.comp_self_ns : 0;
        inner_start = f.start;
        uint64_t blocked = k + 1 == depth && since && since >= f.start && now > since
                               ? hm_ticks_to_ns(now - since, hm_rt.ns_per_tick_fp)
                               : 0;
        uint32_t node = f.node & ~HM_NODE_FOLDED;
        if (ot->nodes && node < nnodes) { /* the nodes' totals are summed by the writer */
            hm_open_node *n = &ot->nodes[node];
            n->count += !(f.node & HM_NODE_FOLDED);
            n->self_ns += self_ns;
            n->blocked_ns += blocked;
        }
        if (f.id == 0 || f.id >= view->nfns)
            continue;
        hm_open_fn *o = &ot->fns[f.id];
        o->count++;
        o->self_ns += self_ns;
        if (self_ns > o->max_ns)
            o->max_ns = self_ns;
        o->blocked_ns += blocked;
        ot->frames[ot->nframes++] = (hm_open_frame){f.id, self_ns};
        ot->time.calls++;
        ot->time.self_ns += self_ns;
        ot->time.open_calls++;
        if (k == 0)
            ot->time.outer_ns += hm_ticks_to_ns(elapsed, hm_rt.ns_per_tick_fp);
    }
}

/* A live thread's time now: its stats, the open frames already in ot, its CPU clock by tid. */
static void hm_live_time(const hm_thread_data *d, hm_open_thread *ot, uint32_t nfns, uint64_t now) {
    uint64_t open_calls = ot->time.calls, open_self = ot->time.self_ns,
             open_outer = ot->time.outer_ns;
    uint64_t calls = 0, self_ns = 0;
    hm_sum_thread_stats(d, &calls, &self_ns);
    uint64_t cpu_now = 0;
    bool own = d->tls == &hm_tls_self;
    if (own)
        cpu_now = hm_thread_cpu_now();
    else if (!hm_tid_cpu_now(d->tid, &cpu_now))
        cpu_now = 0;
    uint64_t wait_ticks = d->wait_ticks;
    uint64_t since = __atomic_load_n(&d->blocked_since, __ATOMIC_RELAXED);
    if (since && now > since)
        wait_ticks += now - since;
    calls += hm_throttle_thread_total(d); /* count-only calls (throttle.c) */
    hm_time_compute(d, now, cpu_now, wait_ticks, calls + open_calls, self_ns + open_self,
                    hm_outer_ns(d) + open_outer, &ot->time);
    if (cpu_now == 0 && !own)
        ot->time.ratio = 1.0; /* the thread is gone: no estimate */
    ot->time.open_calls = open_calls;
    /* preempt: what the ratio leaves of the unblocked self time, function by function */
    uint64_t preempt = 0;
    for (uint32_t id = 1; id < d->stats_cap && id < nfns; id++) {
        const hm_fstats *s = d->stats[id];
        const hm_func_meta *m = hm_registry_meta(id);
        if (!m || m->internal)
            continue;
        const hm_open_fn *o = ot->fns ? &ot->fns[id] : NULL;
        uint64_t self = (s ? s->self_ns : 0) + (o ? o->self_ns : 0);
        uint64_t blocked = (s ? s->blocked_ns : 0) + (o ? o->blocked_ns : 0);
        uint64_t cpu, wait;
        hm_split_self(self, blocked, ot->time.ratio, &cpu, &wait);
        uint64_t b = blocked < self ? blocked : self;
        preempt += wait - b;
    }
    ot->time.preempt_ns = preempt;
}

static void hm_exited_time(const hm_thread_data *d, hm_thread_time *out) {
    hm_time_compute(d, d->end_tick, d->cpu_end_ns, d->wait_ticks,
                    d->calls + hm_throttle_thread_total(d), d->self_ns, hm_outer_ns(d), out);
    uint64_t unblocked = d->self_ns > d->blocked_ns ? d->self_ns - d->blocked_ns : 0;
    out->preempt_ns = unblocked > d->cpu_ns_split ? unblocked - d->cpu_ns_split : 0;
}

hm_open_view *hm_open_view_make(const hm_thread_order *order, uint64_t now) {
    void *arena = NULL;
    hm_open_view *view = hm_arena_alloc(&arena, sizeof *view);
    if (!view)
        return NULL;
    view->arena = arena;
    view->order = order;
    view->n = order->n;
    view->nfns = hm_registry_count() + 1;
    view->v = order->n ? hm_arena_alloc(&view->arena, order->n * sizeof *view->v) : NULL;
    if (order->n && !view->v) {
        hm_arena_release(&view->arena);
        return NULL;
    }
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        hm_open_thread *ot = &view->v[i];
        if (!d)
            continue;
        if (atomic_load(&((hm_thread_data *)d)->merged)) {
            hm_exited_time(d, &ot->time);
            continue;
        }
        ot->live = true;
        hm_open_frames_of(view, d, ot, now);
        hm_live_time(d, ot, view->nfns, now);
    }
    return view;
}

const hm_open_node *hm_open_view_nodes(const hm_open_view *view, uint32_t i) {
    return view && i < view->n ? view->v[i].nodes : NULL;
}

void hm_open_view_release(hm_open_view *view) {
    if (view) {
        void *arena = view->arena;
        hm_arena_release(&arena);
    }
}

void hm_thread_time_of(const hm_open_view *view, const hm_thread_order *order, uint32_t i,
                       hm_thread_time *out) {
    const hm_thread_data *d = order->v[i];
    if (view && i < view->n) {
        *out = view->v[i].time;
    } else if (atomic_load(&((hm_thread_data *)d)->merged)) {
        hm_exited_time(d, out);
    } else {
        hm_open_thread ot;
        memset(&ot, 0, sizeof ot);
        hm_live_time(d, &ot, hm_registry_count() + 1, hm_clock_now());
        *out = ot.time;
    }
}

void hm_thread_function(const hm_open_view *view, const hm_thread_order *order, uint32_t i,
                        uint32_t id, hm_thread_fn *out) {
    memset(out, 0, sizeof *out);
    const hm_thread_data *data = order->v[i];
    if (!atomic_load(&((hm_thread_data *)data)->merged)) {
        uint64_t blocked = 0;
        if (id < data->stats_cap && data->stats[id]) {
            out->calls = data->stats[id]->count;
            out->self_ns = data->stats[id]->self_ns;
            blocked = data->stats[id]->blocked_ns;
        }
        const hm_open_thread *ot = view && i < view->n ? &view->v[i] : NULL;
        if (ot && ot->fns && id < view->nfns) {
            out->calls += ot->fns[id].count;
            out->self_ns += ot->fns[id].self_ns;
            blocked += ot->fns[id].blocked_ns;
        }
        hm_split_self(out->self_ns, blocked, ot ? ot->time.ratio : 1.0, &out->cpu_ns,
                      &out->wait_ns);
        out->calls += hm_throttle_thread_count(data, id); /* count-only calls (throttle.c) */
        return;
    }
    uint32_t k = hm_find_id(data->split, data->nsplit, sizeof *data->split, id); /* by id */
    if (k < data->nsplit) {
        out->calls = data->split[k].count;
        out->self_ns = data->split[k].self_ns;
        out->cpu_ns = data->split[k].cpu_ns;
        out->wait_ns = out->self_ns - out->cpu_ns;
    }
    out->calls += hm_throttle_thread_count(data, id); /* count-only calls (throttle.c) */
}

/* Add one source's calls of a function (merged threads, a live thread's table or its open
 * frames) to out's count, open calls and longest call, and their self and blocked time to *self
 * and *blocked. */
static void add_calls(hm_collected *out, uint64_t *self, uint64_t *blocked, uint64_t count,
                      uint64_t self_ns, uint64_t blocked_ns, uint64_t open_calls, uint64_t max_ns) {
    out->count += count;
    *self += self_ns;
    *blocked += blocked_ns;
    out->open_calls += open_calls;
    if (max_ns > out->max_ns)
        out->max_ns = max_ns;
}

void hm_collect_function(uint32_t id, const hm_open_view *view, hm_collected *out, uint64_t *hist) {
    memset(out, 0, sizeof *out);
    memset(hist, 0, HM_RT_BUCKETS * sizeof *hist);
    const hm_acc_stats *a = id < hm_acc_cap ? hm_acc[id] : NULL;
    if (a) { /* merged threads: cpu time already split */
        add_calls(out, &out->self_ns, &out->blocked_ns, a->count, a->self_ns, a->blocked_ns,
                  a->open_calls, a->max_ns);
        out->cpu_ns = a->cpu_ns;
        for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
            hist[b] = a->hist[b];
    }
    /* Live threads: through the view when there is one (ratios, open frames), else ratio 1. */
    hm_thread_data *next = atomic_load(&hm_rt.threads);
    for (uint32_t i = 0;; i++) {
        hm_thread_data *d;
        if (view) {
            if (i >= view->n)
                break;
            d = view->order->v[i];
        } else {
            if (!(d = next))
                break;
            next = d->next;
        }
        if (!d || atomic_load(&d->merged) != HM_LIVE)
            continue;
        const hm_open_thread *ot = view ? &view->v[i] : NULL;
        const hm_open_fn *o = ot && ot->fns && id < view->nfns ? &ot->fns[id] : NULL;
        const hm_fstats *s = id < d->stats_cap ? d->stats[id] : NULL;
        if (!s && !(o && o->count))
            continue;
        uint64_t self = 0, blocked = 0;
        if (s) {
            add_calls(out, &self, &blocked, s->count, s->self_ns, s->blocked_ns, s->open_calls,
                      s->max_ns);
            for (uint32_t b = 0; b < HM_RT_BUCKETS; b++)
                hist[b] += hm_stats_bucket_count(s, b);
            hm_hist_pending_add(d, s, hist);
        }
        if (o && o->count) { /* open frames: each is an open call */
            add_calls(out, &self, &blocked, o->count, o->self_ns, o->blocked_ns, o->count,
                      o->max_ns);
            for (uint32_t k = 0; k < ot->nframes; k++) {
                if (ot->frames[k].id != id)
                    continue;
                hist[hm_rt_bucket(ot->frames[k].self_ns)]++;
            }
        }
        uint64_t cpu, wait;
        hm_split_self(self, blocked, ot ? ot->time.ratio : 1.0, &cpu, &wait);
        out->self_ns += self;
        out->cpu_ns += cpu;
        out->blocked_ns += blocked < self ? blocked : self;
    }
    out->wait_ns = out->self_ns - out->cpu_ns;
    out->untimed = hm_throttle_count(id);
}
