/* Reading the results file's "heap" section (memory tracking) into the loaded functions.
 *
 * The section's "functions" rows carry runtime function ids; the file's "functions" entries carry
 * the same ids, so each row lands on its function. Row 0 is "(outside)". Totals are the sum of the
 * rows (a function without calls cannot have allocations: a row whose id names no function is an
 * error, as is any malformed row). The "sites" rows (call paths) are read by paths_load.c's users
 * through hm_heap_sites (export/export_heap.c), not here. Format: docs/results-format.md.
 */
#include "results_internal.h"

#include <heatmap/results_format.h>

#include <stdio.h>

static uint64_t add_sat(uint64_t a, uint64_t b) {
    return a + b < a ? UINT64_MAX : a + b;
}

void hm_heap_figures_add(hm_heap_figures *a, const hm_heap_figures *b) {
    a->alloc_objects = add_sat(a->alloc_objects, b->alloc_objects);
    a->alloc_bytes = add_sat(a->alloc_bytes, b->alloc_bytes);
    a->free_objects = add_sat(a->free_objects, b->free_objects);
    a->free_bytes = add_sat(a->free_bytes, b->free_bytes);
    if (b->peak_inuse_bytes > a->peak_inuse_bytes)
        a->peak_inuse_bytes = b->peak_inuse_bytes;
}

uint64_t hm_heap_inuse_objects(const hm_heap_figures *h) {
    return h->alloc_objects > h->free_objects ? h->alloc_objects - h->free_objects : 0;
}

uint64_t hm_heap_inuse_bytes(const hm_heap_figures *h) {
    return h->alloc_bytes > h->free_bytes ? h->alloc_bytes - h->free_bytes : 0;
}

static int bad(char *err, size_t errlen, size_t i, const char *what) {
    snprintf(err, errlen, "%s.%s[%zu]: %s", HM_KEY_heap, HM_HEAP_KEY_functions, i, what);
    return -1;
}

int hm_heap_read(const json_t *root, hm_results *r, char *err, size_t errlen) {
    const json_t *heap = json_object_get(root, HM_KEY_heap);
    if (heap == NULL)
        return 0;
    const json_t *rows = json_is_object(heap) ? json_object_get(heap, HM_HEAP_KEY_functions) : NULL;
    if (!json_is_array(rows)) {
        snprintf(err, errlen, "%s: expected an object with an array \"%s\"", HM_KEY_heap,
                 HM_HEAP_KEY_functions);
        return -1;
    }
    const json_t *functions = json_object_get(root, HM_KEY_functions);
    for (size_t i = 0; i < json_array_size(rows); i++) {
        const json_t *row = json_array_get(rows, i);
        uint64_t v[6];
        if (!json_is_array(row) || json_array_size(row) != 6)
            return bad(err, errlen, i,
                       "expected [id, alloc_objects, alloc_bytes, free_objects, "
                       "free_bytes, peak_inuse_bytes]");
        for (size_t k = 0; k < 6; k++) {
            const json_t *x = json_array_get(row, k);
            if (!json_is_integer(x) || json_integer_value(x) < 0)
                return bad(err, errlen, i, "expected non-negative integers");
            v[k] = (uint64_t)json_integer_value(x);
        }
        if (v[3] > v[1] || v[4] > v[2])
            return bad(err, errlen, i, "more released than allocated");
        hm_heap_figures h = {v[1], v[2], v[3], v[4], v[5]};
        hm_heap_figures *into = NULL;
        if (v[0] == 0) {
            into = &r->heap_outside;
        } else {
            for (size_t f = 0; f < json_array_size(functions) && f < r->nfunctions; f++) {
                const json_t *id = json_object_get(json_array_get(functions, f), HM_FN_KEY_id);
                if (json_is_integer(id) && (uint64_t)json_integer_value(id) == v[0])
                    into = &r->functions[f].heap;
            }
            if (into == NULL)
                return bad(err, errlen, i, "names a function id that \"functions\" does not have");
        }
        hm_heap_figures_add(into, &h);
        uint64_t peak = r->heap_total.peak_inuse_bytes;
        hm_heap_figures_add(&r->heap_total, &h);
        r->heap_total.peak_inuse_bytes = peak > h.peak_inuse_bytes ? peak : h.peak_inuse_bytes;
    }
    r->has_heap = true;
    return 0;
}
