/* The results file's "heap" section: memory tracking's tallies per function and per call site.
 *
 * Part of the results writer (writer.c calls hm_put_heap once, before closing the document), so
 * it obeys the same rules: it may run in a signal handler, hence no malloc and no stdio; the
 * per-function sums go to a temporary array from mmap. Every site's counts are summed over all
 * threads (live ones read now, racily, like every live figure). Format: docs/results-format.md
 * ("heap"); key names: heatmap/results_format.h (HM_RESULTS_HEAP_KEYS).
 *
 * Layer 4 (rt.h), a part of the results writer: calls heap.c's read side, the registry and
 * json_out; called by writer.c only.
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "heap.h"
#include "heatmap/results_format.h"
#include "json_out.h"
#include "rt.h"

/* "[id, alloc_objects, alloc_bytes, free_objects, free_bytes" (the caller closes the row). */
static void hm_put_row(hm_out *o, bool first, uint64_t id, const hm_heap_counts *c) {
    hm_puts(o, first ? "\n    [" : ",\n    [");
    hm_put_u64(o, id);
    hm_put_key_u64(o, ", ", c->alloc_objects);
    hm_put_key_u64(o, ", ", c->alloc_bytes);
    hm_put_key_u64(o, ", ", c->free_objects);
    hm_put_key_u64(o, ", ", c->free_bytes);
}

void hm_put_heap(hm_out *o) {
    if (!atomic_load(&hm_heap_active))
        return;
    uint32_t nfuncs = hm_registry_count() + 1, nsites = hm_heap_sites();
    size_t size = (size_t)nfuncs * sizeof(hm_heap_counts);
    hm_heap_counts *per_fn =
        mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (per_fn == MAP_FAILED)
        per_fn = NULL;
    hm_put_key(o, ",\n  ", HM_KEY_heap);
    hm_put_field_u64(o, "{", HM_HEAP_KEY_sites_dropped, hm_heap_sites_dropped());
    hm_put_key(o, ", ", HM_HEAP_KEY_sites);
    hm_puts(o, "[");
    bool first = true;
    for (uint32_t id = HM_SITE_OUTSIDE; id < nsites; id++) {
        const hm_site *s = hm_heap_site(id);
        if (!s || (id != HM_SITE_OUTSIDE && s->depth == 0))
            continue;
        hm_heap_counts c;
        hm_heap_site_counts(id, &c);
        if (c.alloc_objects == 0 && c.free_objects == 0)
            continue;
        if (per_fn && s->func < nfuncs) {
            per_fn[s->func].alloc_objects += c.alloc_objects;
            per_fn[s->func].alloc_bytes += c.alloc_bytes;
            per_fn[s->func].free_objects += c.free_objects;
            per_fn[s->func].free_bytes += c.free_bytes;
        }
        /* [site, alloc_objects, alloc_bytes, free_objects, free_bytes, [stack, innermost first]];
         * "(outside)" has an empty stack */
        hm_put_row(o, first, id, &c);
        hm_puts(o, ", [");
        for (uint32_t i = 0; i < s->depth; i++)
            hm_put_key_u64(o, i ? ", " : "", s->stack[i]);
        hm_puts(o, "]]");
        first = false;
    }
    hm_puts(o, "\n  ]");
    /* [function id (0: "(outside)"), alloc_objects, alloc_bytes, free_objects, free_bytes,
     * peak_inuse_bytes] */
    hm_put_key(o, ", ", HM_HEAP_KEY_functions);
    hm_puts(o, "[");
    first = true;
    for (uint32_t f = 0; per_fn && f < nfuncs; f++) {
        const hm_func_meta *m = f ? hm_registry_meta(f) : NULL;
        if ((f && (!m || m->internal)) || per_fn[f].alloc_objects + per_fn[f].free_objects == 0)
            continue;
        hm_put_row(o, first, f, &per_fn[f]);
        hm_put_key_u64(o, ", ", hm_heap_peak(f));
        hm_puts(o, "]");
        first = false;
    }
    hm_puts(o, "\n  ]}");
    if (per_fn)
        munmap(per_fn, size);
}
