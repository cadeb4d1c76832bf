/* Memory tracking (issue 12): allocation tallies per call site, kept per thread, and block headers.
 *
 * An allocation is attributed to the innermost instrumented frame of the calling thread (the top
 * of the shadow stack) and to its call path: a "site" is a distinct (function, path) pair, given a
 * dense global id on first use (heap.c's lock-free site table). Each thread counts into its own
 * per-site counters (allocations, requested bytes, releases, released bytes): no lock and no
 * shared cache line on the common path. Frees are counted on the freeing thread against the site
 * the block carries in its header, so "in use" belongs to the allocating site wherever the block
 * is freed. Peak in-use bytes per function need one shared figure per function: a relaxed atomic
 * add (and a compare-and-swap when a new peak is reached) on that function's counter; that is the
 * only shared write, and its cost with several threads is in docs/performance.md.
 *
 * Block header (HM_HEAP_HDR bytes, just before the pointer the program gets):
 *     uint64_t size_off   requested size (low 48 bits) | distance to the real block's start in
 *                         16-byte units (high 16 bits: 1 for malloc & co, A/16 for alignment A)
 *     uint32_t site       the allocating site; 0 = a block not counted (tracking paused)
 *     uint32_t check      hm_heap_check(pointer, size_off, site): the magic mixed with the
 *                         address, the size and the site, salted per process
 * A pointer whose 16 preceding bytes do not hold a valid check is not ours (allocated before the
 * tracking started, or memory a foreign allocator gave out): it goes to the real function as is.
 *
 * The pause counter (hm_heap_self.paused) is raised around the runtime's own allocations (the
 * registry, merges at thread exit): they are never counted.
 *
 * Layer 2 (rt_hot.h's layer): reads the hot path's shadow stack and call-path tree; calls layer 1.
 * heap_interpose.c (the exported malloc family) and heap_write.c (the results section) use it.
 */
#ifndef HEATMAP_HEAP_H
#define HEATMAP_HEAP_H

#include <stddef.h>
#include <stdint.h>

#include "heap_pause.h"
#include "rt_hot.h"

#define HM_HEAP_HDR 16u
#define HM_HEAP_SIZE_MASK ((1ull << 48) - 1)
#define HM_HEAP_STACK 32 /* function ids kept per site, innermost first (deeper ones dropped) */

/* Reserved sites: 0 not counted; 1 "(outside)": outside any instrumented function; 2 "(sites
 * beyond the limit)": the site table was full (the function id is still exact: see hm_site). */
#define HM_SITE_NONE 0u
#define HM_SITE_OUTSIDE 1u
#define HM_SITE_FIRST 2u

typedef struct hm_heap_hdr {
    uint64_t size_off;
    uint32_t site;
    uint32_t check;
} hm_heap_hdr;
_Static_assert(sizeof(hm_heap_hdr) == HM_HEAP_HDR, "the header is 16 bytes");

/* One site: its innermost function (0 for "(outside)") and its path, innermost first. */
typedef struct hm_site {
    uint32_t func;
    uint32_t depth;
    uint32_t hash;
    uint32_t stack[HM_HEAP_STACK];
} hm_site;

/* One thread's counters for one site. */
typedef struct hm_heap_counts {
    uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
} hm_heap_counts;

/* A function's bytes in use now and its peak, shared by every thread. */
typedef struct hm_peak {
    _Atomic int64_t inuse;
    _Atomic uint64_t peak;
    _Atomic int seen; /* some site names this function (set when the site is made) */
} hm_peak;

/* Add `bytes` (negative for a release) to a function's in-use figure, raising its peak. */
static inline void hm_peak_add(hm_peak *p, int64_t bytes) {
    int64_t now = atomic_fetch_add_explicit(&p->inuse, bytes, memory_order_relaxed) + bytes;
    if (bytes <= 0 || now <= 0)
        return;
    uint64_t peak = atomic_load_explicit(&p->peak, memory_order_relaxed);
    while ((uint64_t)now > peak &&
           !atomic_compare_exchange_weak_explicit(&p->peak, &peak, (uint64_t)now,
                                                  memory_order_relaxed, memory_order_relaxed))
        ;
}

/* Tracking on (decided at init: HEATMAP_HEAP and whether our malloc is the one programs reach). */
extern _Atomic int hm_heap_active HM_HIDDEN;

/* The check word of a header for user pointer p. Pure. */
uint32_t hm_heap_check(const void *p, uint64_t size_off, uint32_t site) HM_HIDDEN;

/* The slow paths of the two below (heap.c). */
uint32_t hm_heap_note_alloc(uint64_t size) HM_HIDDEN;
void hm_heap_note_free(uint32_t site, uint64_t size) HM_HIDDEN;

/* Tally one allocation or release in a thread's counters of a site (objects, bytes: its alloc_*
 * or free_* pair) and, when the site's function has one, in its peak (`inuse_delta`: +size or
 * -size). Async-signal-safe. */
static inline void hm_heap_tally(uint64_t *objects, uint64_t *bytes, uint64_t size, hm_peak *p,
                                 int64_t inuse_delta) {
    hm_sig_add64(objects, 1);
    hm_sig_add64(bytes, size);
    if (p)
        hm_peak_add(p, inuse_delta);
}

/* Count an allocation of `size` requested bytes by the calling thread now; returns the site to
 * store in the header (HM_SITE_NONE when not counted: paused, not recording). The common case (the
 * same frame as the last allocation) is two thread-local adds and the peak's atomic add.
 * Async-signal-safe (mmap for new counters; the site table is lock-free). */
static inline uint32_t hm_heap_count_alloc(uint64_t size) {
    hm_heap_tls *h = &hm_heap_self;
    if (HM_UNLIKELY(h->paused) || !atomic_load_explicit(&hm_recording, memory_order_relaxed))
        return HM_SITE_NONE;
    hm_tls *t = &hm_tls_self;
    uint32_t d = t->depth;
    uint64_t key = ~0ull;
    if (HM_LIKELY(d != 0 && t->stats_cap != 0)) {
        const hm_frame *f = &t->stack[d - 1];
        key = ((uint64_t)(f->node + 1) << 32) | f->id;
    }
    if (HM_LIKELY(h->last_key == key)) {
        atomic_signal_fence(memory_order_seq_cst);
        uint32_t site = h->last_site;
        hm_heap_counts *c = h->last_counts;
        hm_peak *p = h->last_peak;
        atomic_signal_fence(memory_order_seq_cst);
        if (HM_LIKELY(h->last_key == key)) {
            hm_heap_tally(&c->alloc_objects, &c->alloc_bytes, size, p, (int64_t)size);
            return site;
        }
    }
    return hm_heap_note_alloc(size);
}

/* Count the release of a block of `size` bytes from `site` (not HM_SITE_NONE), wherever and
 * whenever it is freed. Async-signal-safe. */
static inline void hm_heap_count_free(uint32_t site, uint64_t size) {
    hm_heap_tls *h = &hm_heap_self;
    uint64_t key = h->last_key;
    atomic_signal_fence(memory_order_seq_cst);
    if (HM_LIKELY(key != 0 && h->last_site == site)) {
        hm_heap_counts *c = h->last_counts;
        hm_peak *p = h->last_peak;
        atomic_signal_fence(memory_order_seq_cst);
        if (HM_LIKELY(h->last_key == key)) {
            hm_heap_tally(&c->free_objects, &c->free_bytes, size, p, -(int64_t)size);
            return;
        }
    }
    hm_heap_note_free(site, size);
}

/* Decide whether tracking is on (`enabled`: HEATMAP_HEAP) and set up what it needs; one stderr
 * line when it cannot be. Called by init (not async-signal-safe). */
void hm_heap_init(bool enabled, bool peaks) HM_HIDDEN;
/* True when the program's malloc is the runtime's (heap_interpose.c; false in builds without the
 * wrappers, and when another allocator or a sanitizer comes first in the lookup order). */
bool hm_heap_interposed(void) HM_HIDDEN;
/* Fork child: zero every count (the parent's blocks stay valid; their frees are not counted). */
void hm_heap_reset_after_fork(void) HM_HIDDEN;

/* ---- the read side (heap_write.c) ---- */
uint32_t hm_heap_sites(void) HM_HIDDEN; /* sites handed out: ids < this are valid */
const hm_site *hm_heap_site(uint32_t id) HM_HIDDEN;
/* The counts of `site` summed over every thread (live and exited). Reads only. */
void hm_heap_site_counts(uint32_t site, hm_heap_counts *out) HM_HIDDEN;
/* True when some allocation was attributed to function `func` (also in a fork child, for its
 * parent's blocks): the writer lists it even without calls. */
bool hm_heap_function_seen(uint32_t func) HM_HIDDEN;
/* Every site's counts summed (the run's totals); false when tracking is off. Reads only. */
bool hm_heap_totals(hm_heap_counts *out) HM_HIDDEN;
/* Peak in-use bytes of function `func` (0: "(outside)"). */
uint64_t hm_heap_peak(uint32_t func) HM_HIDDEN;
/* Allocations the site table had no room for (counted to their function's flat site). */
uint64_t hm_heap_sites_dropped(void) HM_HIDDEN;

#endif /* HEATMAP_HEAP_H */
