/* Memory tracking's pause: the runtime's own allocations are never counted (layer 1).
 *
 * A per-thread counter, defined in heap.c: while it is above zero, the calling thread's
 * allocations are served but not counted (their headers say "not counted", so their frees are not
 * counted either). The registry, the merges at thread exit and heap.c's own set-up raise it; any
 * layer may, since it is one thread-local add. Async-signal-safe.
 */
#ifndef HEATMAP_HEAP_PAUSE_H
#define HEATMAP_HEAP_PAUSE_H

#include <stdint.h>

#include "rt_base.h"

/* The calling thread's tracking state (initial-exec TLS; heap.c). */
typedef struct hm_heap_tls {
    struct hm_heap_thread *th; /* counters; NULL until the first counted allocation */
    uint32_t paused;           /* > 0: the runtime's own allocations, not counted */
    uint32_t exited;           /* the thread's key destructor ran: count into the exited set */
    /* The site allocated from last (heap.h's fast path): its key ((call-path node + 1) << 32 |
     * function id; ~0 outside instrumented frames; 0 none), id, function, this thread's counters
     * and the function's peak (NULL when peaks are off). Written key last, read key twice, so a
     * signal handler that changes them in between is noticed. */
    uint64_t last_key;
    uint32_t last_site, last_func;
    struct hm_heap_counts *last_counts;
    struct hm_peak *last_peak;
} hm_heap_tls;
extern __thread hm_heap_tls hm_heap_self __attribute__((tls_model("initial-exec"))) HM_HIDDEN;

static inline void hm_heap_pause(void) {
    hm_heap_self.paused++;
}
static inline void hm_heap_resume(void) {
    hm_heap_self.paused--;
}

#endif /* HEATMAP_HEAP_PAUSE_H */
