/* Memory tracking's accounting: call sites, per-thread counters, per-function peaks, block checks.
 *
 * Design (heap.h has the contract and the header layout). The site of an allocation comes from
 * the top of the shadow stack: its function id and, with call paths on, its call-path node. A
 * per-thread direct-mapped cache turns (node, function) into the global site id in one load; a
 * miss walks the call-path tree from the node to the root to make the site's stack, then finds or
 * adds it in the global site table: open addressing over a MAP_NORESERVE reservation, entries
 * handed out by one atomic increment and published by a compare-and-swap on their slot, so no
 * lock is ever taken (an allocation from a signal handler cannot deadlock on us). Two threads
 * adding the same path at once may get two ids; readers merge sites by their stack. With call
 * paths off, a site is its function alone.
 *
 * Counters: each thread has its own block (struct hm_heap_thread, mmap'd): a directory of chunks
 * of HM_CHUNK per-site counters, made on first use. Adds are signal-atomic single instructions
 * (hm_sig_add64), never locked. A thread's pthread key destructor folds its counts into the
 * exited set (atomic adds) and puts its block on a free list for the next thread; allocations the
 * thread makes after that (other destructors) are added to the exited set atomically. Blocks are
 * never unmapped, so the writer may read any of them at any time (racy, like every live figure).
 *
 * Peaks: per function, the bytes in use now and the highest value seen, both shared atomics
 * (relaxed fetch-add on alloc and free, a CAS loop only when the new value passes the peak).
 *
 * Layer 2 (rt_hot.h): reads hm_tls_self (shadow stack, tree); calls layer 1 and mmap. Called by
 * heap_interpose.c, heap_write.c, lifecycle.c (init), registry.c / paths.c / thread_state.c
 * (pause).
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "heap.h"

#define HM_CHUNK 256u   /* sites per counter chunk */
#define HM_CHUNKS 4096u /* chunks per thread: 1M sites */
#define HM_SITES_MAX (1u << 20)
#define HM_CACHE 1024u       /* per-thread (node, function) -> site cache entries */
#define HM_PEAK_CHUNK 1024u  /* functions per peak chunk */
#define HM_PEAK_CHUNKS 4096u /* 4M function ids */

__thread hm_heap_tls hm_heap_self __attribute__((tls_model("initial-exec")));
_Atomic int hm_heap_active;

typedef struct hm_cache_entry {
    uint64_t key; /* ((node + 1) << 32) | function; 0 = empty */
    uint64_t site;
} hm_cache_entry;

typedef struct hm_heap_thread {
    struct hm_heap_thread *next_all; /* every block ever made, newest first */
    struct hm_heap_thread *next_free;
    hm_heap_counts *_Atomic chunks[HM_CHUNKS];
    hm_cache_entry cache[HM_CACHE];
} hm_heap_thread;

static _Atomic(hm_heap_thread *) hm_all; /* list of every block */
static hm_heap_thread *hm_free_list;     /* blocks of exited threads, reusable */
static atomic_flag hm_free_lock = ATOMIC_FLAG_INIT;
static hm_heap_thread hm_exited; /* exited threads' counts (atomic adds) */
static uint64_t hm_salt = 0x9e3779b97f4a7c15ull;
static pthread_key_t hm_heap_key;

static hm_site *hm_sites;      /* HM_SITES_MAX entries, MAP_NORESERVE */
static uint32_t *hm_site_func; /* HM_SITES_MAX entries: each site's function, dense for free() */
static _Atomic uint32_t *hm_site_slots; /* 2 * HM_SITES_MAX slots: site id, 0 = empty */
static _Atomic uint32_t hm_site_used = HM_SITE_FIRST;
static _Atomic uint64_t hm_site_dropped;
static hm_peak *_Atomic hm_peaks[HM_PEAK_CHUNKS];

/* ---- small helpers ----------------------------------------------------------------------------
 */

static inline uint64_t hm_mix64(uint64_t x) {
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdull;
    x ^= x >> 33;
    x *= 0xc4ceb9fe1a85ec53ull;
    x ^= x >> 33;
    return x;
}

uint32_t hm_heap_check(const void *p, uint64_t size_off, uint32_t site) {
    /* Three multiplies: every bit of the address, the size word and the site reaches the upper
     * half of x, which is kept. */
    uint64_t x = ((uint64_t)(uintptr_t)p ^ hm_salt) * 0x9e3779b97f4a7c15ull;
    x ^= size_off * 0xc2b2ae3d27d4eb4full;
    x ^= (uint64_t)site * 0x165667b19e3779f9ull;
    x *= 0xff51afd7ed558ccdull;
    uint32_t c = (uint32_t)(x >> 32);
    return c ? c : 0x5a17u; /* never 0: free() clears the word */
}

static void *hm_map(size_t size, bool reserve_only) {
    void *p = mmap(NULL, size, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS | (reserve_only ? MAP_NORESERVE : 0), -1, 0);
    return p == MAP_FAILED ? NULL : p;
}

/* A zeroed object of `size` made at most once at *slot (racing makers: the loser unmaps). */
static void *hm_once(void *_Atomic *slot, size_t size) {
    void *p = atomic_load_explicit(slot, memory_order_acquire);
    if (HM_LIKELY(p != NULL))
        return p;
    void *made = hm_map(size, false);
    if (!made)
        return NULL;
    void *expected = NULL;
    if (atomic_compare_exchange_strong(slot, &expected, made))
        return made;
    munmap(made, size);
    return expected;
}

static inline hm_peak *hm_peak_of(uint32_t func);

/* ---- sites ----------------------------------------------------------------------------------- */

static uint32_t hm_stack_hash(const uint32_t *stack, uint32_t depth) {
    uint64_t h = 0xcbf29ce484222325ull ^ depth;
    for (uint32_t i = 0; i < depth; i++)
        h = hm_mix64(h ^ stack[i]);
    return (uint32_t)h ? (uint32_t)h : 1;
}

/* The id of the site with this stack (innermost first), added when new; 0 when the table is full
 * or missing. Lock-free, async-signal-safe. */
static uint32_t hm_site_find(const uint32_t *stack, uint32_t depth) {
    if (!hm_sites)
        return 0;
    uint32_t hash = hm_stack_hash(stack, depth), mask = 2 * HM_SITES_MAX - 1;
    uint32_t fresh = 0;
    for (uint32_t i = hash & mask, probes = 0; probes <= mask; i = (i + 1) & mask, probes++) {
        uint32_t id = atomic_load_explicit(&hm_site_slots[i], memory_order_acquire);
        if (id == 0) {
            if (!fresh) {
                fresh = atomic_fetch_add(&hm_site_used, 1);
                if (fresh >= HM_SITES_MAX) {
                    atomic_fetch_add(&hm_site_dropped, 1);
                    return 0;
                }
                hm_site *s = &hm_sites[fresh];
                s->func = stack[0];
                hm_site_func[fresh] = stack[0];
                s->depth = depth;
                s->hash = hash;
                memcpy(s->stack, stack, depth * sizeof *stack);
            }
            uint32_t expected = 0;
            if (atomic_compare_exchange_strong(&hm_site_slots[i], &expected, fresh)) {
                hm_peak *p = hm_peak_of(stack[0]);
                if (p)
                    atomic_store_explicit(&p->seen, 1, memory_order_relaxed);
                return fresh;
            }
            id = expected; /* another thread took the slot: compare with its site */
        }
        const hm_site *s = &hm_sites[id];
        if (s->hash == hash && s->depth == depth &&
            memcmp(s->stack, stack, depth * sizeof *stack) == 0) {
            /* An entry we made and lost the race with stays unused (depth set, never listed). */
            if (fresh)
                hm_sites[fresh].depth = 0, hm_sites[fresh].func = 0, hm_site_func[fresh] = 0;
            return id;
        }
    }
    return 0;
}

/* The site of the calling thread's top frame (cache miss path). */
static uint32_t hm_site_of_frame(const hm_tls *t, const hm_frame *f) {
    uint32_t stack[HM_HEAP_STACK], depth = 0;
    stack[depth++] = f->id;
    const hm_tree *tree = t->tree;
    if (tree && tree->nodes) {
        uint32_t node = f->node & ~HM_NODE_FOLDED;
        uint32_t size = hm_tree_size(tree);
        if (!(f->node & HM_NODE_FOLDED) && node && node < size)
            node = tree->nodes[node].parent; /* the frame's own node is stack[0] */
        while (node && node < size && depth < HM_HEAP_STACK) {
            stack[depth++] = tree->nodes[node].func;
            node = tree->nodes[node].parent;
        }
    }
    uint32_t site = hm_site_find(stack, depth);
    return site ? site : hm_site_find(stack, 1); /* full: the function's flat site if it exists */
}

uint32_t hm_heap_sites(void) {
    uint32_t n = atomic_load(&hm_site_used);
    return n < HM_SITES_MAX ? n : HM_SITES_MAX;
}

const hm_site *hm_heap_site(uint32_t id) {
    return hm_sites && id < hm_heap_sites() ? &hm_sites[id] : NULL;
}

uint64_t hm_heap_sites_dropped(void) {
    return atomic_load(&hm_site_dropped);
}

/* ---- per-thread counters --------------------------------------------------------------------- */

static void hm_heap_thread_exit(void *arg) {
    hm_heap_thread *th = arg;
    hm_heap_self.last_key = 0;
    atomic_signal_fence(memory_order_seq_cst);
    hm_heap_self.exited = 1;
    hm_heap_self.th = NULL;
    for (uint32_t c = 0; c < HM_CHUNKS; c++) {
        hm_heap_counts *chunk = atomic_load(&th->chunks[c]);
        hm_heap_counts *into = chunk ? hm_once((void *_Atomic *)&hm_exited.chunks[c],
                                               HM_CHUNK * sizeof(hm_heap_counts))
                                     : NULL;
        if (!chunk || !into)
            continue;
        for (uint32_t i = 0; i < HM_CHUNK; i++) {
            __atomic_fetch_add(&into[i].alloc_objects, chunk[i].alloc_objects, __ATOMIC_RELAXED);
            __atomic_fetch_add(&into[i].alloc_bytes, chunk[i].alloc_bytes, __ATOMIC_RELAXED);
            __atomic_fetch_add(&into[i].free_objects, chunk[i].free_objects, __ATOMIC_RELAXED);
            __atomic_fetch_add(&into[i].free_bytes, chunk[i].free_bytes, __ATOMIC_RELAXED);
        }
        memset(chunk, 0, HM_CHUNK * sizeof *chunk);
    }
    memset(th->cache, 0, sizeof th->cache);
    while (atomic_flag_test_and_set(&hm_free_lock))
        ;
    th->next_free = hm_free_list;
    hm_free_list = th;
    atomic_flag_clear(&hm_free_lock);
}

/* The calling thread's block: reused from an exited thread or mapped; NULL when out of memory. */
static hm_heap_thread *hm_heap_thread_make(void) {
    hm_heap_thread *th = NULL;
    if (!atomic_flag_test_and_set(&hm_free_lock)) { /* busy (a signal handler): map a new one */
        th = hm_free_list;
        if (th)
            hm_free_list = th->next_free;
        atomic_flag_clear(&hm_free_lock);
    }
    if (!th) {
        th = hm_map(sizeof *th, true);
        if (!th)
            return NULL;
        th->next_all = atomic_load(&hm_all);
        while (!atomic_compare_exchange_weak(&hm_all, &th->next_all, th))
            ;
    }
    hm_heap_self.th = th;
    hm_heap_self.paused++; /* pthread_setspecific may allocate */
    pthread_setspecific(hm_heap_key, th);
    hm_heap_self.paused--;
    return th;
}

static inline hm_heap_counts *hm_counts_in(hm_heap_thread *th, uint32_t site) {
    hm_heap_counts *chunk =
        atomic_load_explicit(&th->chunks[site / HM_CHUNK], memory_order_relaxed);
    if (HM_UNLIKELY(!chunk)) {
        chunk = hm_once((void *_Atomic *)&th->chunks[site / HM_CHUNK],
                        HM_CHUNK * sizeof(hm_heap_counts));
        if (!chunk)
            return NULL;
    }
    return &chunk[site % HM_CHUNK];
}

/* Add to `site`'s counters of the calling thread (or of the exited set, atomically). */
static inline void hm_count(uint32_t site, uint64_t bytes, bool alloc) {
    hm_heap_tls *h = &hm_heap_self;
    hm_heap_thread *th = h->th;
    if (HM_UNLIKELY(!th)) {
        if (h->exited) {
            hm_heap_counts *c = hm_counts_in(&hm_exited, site);
            if (c) {
                __atomic_fetch_add(alloc ? &c->alloc_objects : &c->free_objects, 1,
                                   __ATOMIC_RELAXED);
                __atomic_fetch_add(alloc ? &c->alloc_bytes : &c->free_bytes, bytes,
                                   __ATOMIC_RELAXED);
            }
            return;
        }
        if (!(th = hm_heap_thread_make()))
            return;
    }
    hm_heap_counts *c = hm_counts_in(th, site);
    if (HM_UNLIKELY(!c))
        return;
    if (alloc) {
        hm_sig_add64(&c->alloc_objects, 1);
        hm_sig_add64(&c->alloc_bytes, bytes);
    } else {
        hm_sig_add64(&c->free_objects, 1);
        hm_sig_add64(&c->free_bytes, bytes);
    }
}

/* ---- peaks ----------------------------------------------------------------------------------- */

static inline hm_peak *hm_peak_of(uint32_t func) {
    if (HM_UNLIKELY(func / HM_PEAK_CHUNK >= HM_PEAK_CHUNKS))
        return NULL;
    hm_peak *chunk = atomic_load_explicit(&hm_peaks[func / HM_PEAK_CHUNK], memory_order_acquire);
    if (HM_UNLIKELY(!chunk))
        chunk = hm_once((void *_Atomic *)&hm_peaks[func / HM_PEAK_CHUNK],
                        HM_PEAK_CHUNK * sizeof(hm_peak));
    return chunk ? &chunk[func % HM_PEAK_CHUNK] : NULL;
}

static bool hm_peaks_on;

static inline void hm_peak_add_func(uint32_t func, int64_t bytes) {
    hm_peak *p = hm_peaks_on ? hm_peak_of(func) : NULL;
    if (p)
        hm_peak_add(p, bytes);
}

bool hm_heap_function_seen(uint32_t func) {
    hm_peak *chunk =
        func / HM_PEAK_CHUNK < HM_PEAK_CHUNKS ? atomic_load(&hm_peaks[func / HM_PEAK_CHUNK]) : NULL;
    return chunk && atomic_load_explicit(&chunk[func % HM_PEAK_CHUNK].seen, memory_order_relaxed);
}

uint64_t hm_heap_peak(uint32_t func) {
    hm_peak *chunk =
        func / HM_PEAK_CHUNK < HM_PEAK_CHUNKS ? atomic_load(&hm_peaks[func / HM_PEAK_CHUNK]) : NULL;
    return chunk ? atomic_load(&chunk[func % HM_PEAK_CHUNK].peak) : 0;
}

/* ---- the entry points ------------------------------------------------------------------------ */

/* The site of frame f of thread t (key: hm_heap_count_alloc's), through the thread's cache. */
static __attribute__((noinline)) uint32_t hm_site_lookup(hm_heap_tls *h, hm_tls *t,
                                                         const hm_frame *f, uint64_t key) {
    hm_heap_thread *th = h->th;
    hm_cache_entry *e =
        th ? &th->cache[(uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 54) & (HM_CACHE - 1)] : NULL;
    if (e && e->key == key)
        return (uint32_t)e->site;
    h->paused++;
    uint32_t site = hm_site_of_frame(t, f);
    h->paused--;
    if (site && e) {
        e->key = 0; /* a signal handler between these stores sees no entry */
        atomic_signal_fence(memory_order_seq_cst);
        e->site = site;
        atomic_signal_fence(memory_order_seq_cst);
        e->key = key;
    }
    return site;
}

uint32_t hm_heap_note_alloc(uint64_t size) {
    hm_heap_tls *h = &hm_heap_self;
    if (HM_UNLIKELY(h->paused) || !atomic_load_explicit(&hm_recording, memory_order_relaxed))
        return HM_SITE_NONE;
    hm_tls *t = &hm_tls_self;
    uint32_t site = HM_SITE_OUTSIDE, func = 0;
    uint32_t depth = t->depth;
    uint64_t key = ~0ull;
    if (depth != 0 && t->stats_cap != 0) {
        const hm_frame *f = &t->stack[depth - 1];
        key = ((uint64_t)(f->node + 1) << 32) | f->id;
        site = hm_site_lookup(h, t, f, key);
        func = f->id;
        if (!site)
            site = HM_SITE_OUTSIDE, func = 0, key = ~0ull;
    }
    hm_count(site, size, true);
    hm_peak_add_func(func, (int64_t)size);
    /* Remember the site for the next allocation (only a thread with counters has it). */
    if (h->th) {
        h->last_key = 0;
        atomic_signal_fence(memory_order_seq_cst);
        h->last_site = site;
        h->last_func = func;
        h->last_counts = hm_counts_in(h->th, site);
        h->last_peak = hm_peaks_on ? hm_peak_of(func) : NULL;
        atomic_signal_fence(memory_order_seq_cst);
        if (h->last_counts)
            h->last_key = key;
    }
    return site;
}

void hm_heap_note_free(uint32_t site, uint64_t size) {
    hm_count(site, size, false);
    hm_peak_add_func(site < HM_SITES_MAX ? hm_site_func[site] : 0, -(int64_t)size);
}

/* ---- the read side --------------------------------------------------------------------------- */

static void hm_add_counts(hm_heap_counts *out, hm_heap_thread *th, uint32_t site) {
    hm_heap_counts *chunk = atomic_load(&th->chunks[site / HM_CHUNK]);
    if (!chunk)
        return;
    const hm_heap_counts *c = &chunk[site % HM_CHUNK];
    out->alloc_objects += __atomic_load_n(&c->alloc_objects, __ATOMIC_RELAXED);
    out->alloc_bytes += __atomic_load_n(&c->alloc_bytes, __ATOMIC_RELAXED);
    out->free_objects += __atomic_load_n(&c->free_objects, __ATOMIC_RELAXED);
    out->free_bytes += __atomic_load_n(&c->free_bytes, __ATOMIC_RELAXED);
}

void hm_heap_site_counts(uint32_t site, hm_heap_counts *out) {
    memset(out, 0, sizeof *out);
    if (site >= HM_CHUNK * HM_CHUNKS)
        return;
    hm_add_counts(out, &hm_exited, site);
    for (hm_heap_thread *th = atomic_load(&hm_all); th; th = th->next_all)
        hm_add_counts(out, th, site);
}

bool hm_heap_totals(hm_heap_counts *out) {
    memset(out, 0, sizeof *out);
    if (!atomic_load(&hm_heap_active))
        return false;
    uint32_t n = hm_heap_sites();
    for (uint32_t id = HM_SITE_OUTSIDE; id < n; id++) {
        hm_heap_counts c;
        hm_heap_site_counts(id, &c);
        out->alloc_objects += c.alloc_objects;
        out->alloc_bytes += c.alloc_bytes;
        out->free_objects += c.free_objects;
        out->free_bytes += c.free_bytes;
    }
    return true;
}

/* ---- set-up ---------------------------------------------------------------------------------- */

void hm_heap_reset_after_fork(void) {
    atomic_flag_clear(&hm_free_lock); /* a thread that held it is gone */
}

/* The unit-test build has no wrappers (heap_interpose.c defines the strong one). */
__attribute__((weak)) bool hm_heap_interposed(void) {
    return false;
}

void hm_heap_init(bool enabled, bool peaks) {
    if (!enabled)
        return;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    hm_salt = hm_mix64((uint64_t)ts.tv_nsec ^ ((uint64_t)getpid() << 32) ^ (uint64_t)ts.tv_sec);
    hm_sites = hm_map(HM_SITES_MAX * sizeof *hm_sites, true);
    hm_site_slots = hm_map(2 * HM_SITES_MAX * sizeof *hm_site_slots, true);
    hm_site_func = hm_map(HM_SITES_MAX * sizeof *hm_site_func, true);
    if (!hm_sites || !hm_site_slots || !hm_site_func ||
        pthread_key_create(&hm_heap_key, hm_heap_thread_exit) != 0) {
        hm_log("cannot reserve memory for heap tracking; HEATMAP_HEAP is off", NULL, NULL, NULL);
        return;
    }
    hm_sites[HM_SITE_OUTSIDE].func = 0;
    hm_peaks_on = peaks;
    pthread_atfork(NULL, NULL, hm_heap_reset_after_fork);
    atomic_store(&hm_heap_active, 1);
}
