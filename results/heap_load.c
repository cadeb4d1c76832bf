/* Reading the results file's "heap" section (memory tracking) into the loaded functions.
 *
 * The section's "functions" rows carry runtime function ids; the file's "functions" entries carry
 * the same ids, so each row lands on its function. Row 0 is "(outside)". Totals are the sum of the
 * rows (a function without calls cannot have allocations: a row whose id names no function is an
 * error, as is any malformed row). The "sites" rows (call paths) are read separately, for the heap
 * and allocs profiles (hm_heap.h: hm_heap_profile_load_many). Format: docs/results-format.md.
 */
#include "hm_heap.h"
#include "results_internal.h"

#include <heatmap/results_format.h>

#include <errno.h>
#include <stdio.h>

void hm_heap_figures_add(hm_heap_figures *a, const hm_heap_figures *b) {
    a->alloc_objects = hm_add_sat(a->alloc_objects, b->alloc_objects);
    a->alloc_bytes = hm_add_sat(a->alloc_bytes, b->alloc_bytes);
    a->free_objects = hm_add_sat(a->free_objects, b->free_objects);
    a->free_bytes = hm_add_sat(a->free_bytes, b->free_bytes);
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

/* ---- call sites (hm_heap.h) ------------------------------------------------------------------ */

void hm_heap_profile_free(hm_heap_profile *p) {
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nfunctions; i++) {
        free(p->functions[i].name);
        free(p->functions[i].file);
    }
    for (size_t i = 0; i < p->nsites; i++)
        free(p->sites[i].stack);
    free(p->functions);
    free(p->sites);
    free(p->program);
    free(p);
}

/* Add one file's functions and sites to p. */
static int add_file(hm_heap_profile *p, const json_t *root, const char *name, size_t *fcap,
                    size_t *scap, char *err, size_t errlen) {
    const json_t *heap = json_object_get(root, HM_KEY_heap);
    const json_t *sites = json_object_get(heap, HM_HEAP_KEY_sites);
    const json_t *functions = json_object_get(root, HM_KEY_functions);
    if (!json_is_array(sites) || !json_is_array(functions)) {
        snprintf(err, errlen,
                 "%s: no memory figures (no \"heap\" section): run the program with memory "
                 "tracking on (the default; HEATMAP_HEAP=off turns it off)",
                 name);
        return -1;
    }
    size_t base = p->nfunctions, nf = json_array_size(functions);
    if (hm_reserve((void **)&p->functions, fcap, base + nf + 1, sizeof *p->functions) != 0)
        goto oom;
    p->functions[base] = (hm_heap_function){hm_strdup(HM_HEAP_OUTSIDE_NAME), hm_strdup(""), 0};
    p->nfunctions++;
    for (size_t i = 0; i < nf; i++) {
        const json_t *f = json_array_get(functions, i);
        const char *fname = json_string_value(json_object_get(f, HM_FN_KEY_name));
        const char *file = json_string_value(json_object_get(f, HM_FN_KEY_file));
        json_int_t line = json_integer_value(json_object_get(f, HM_FN_KEY_line));
        p->functions[p->nfunctions++] = (hm_heap_function){
            hm_strdup(fname ? fname : "?"), hm_strdup(file ? file : ""), (uint32_t)line};
        if (!p->functions[p->nfunctions - 1].name || !p->functions[p->nfunctions - 1].file)
            goto oom;
    }
    for (size_t i = 0; i < json_array_size(sites); i++) {
        const json_t *row = json_array_get(sites, i);
        const json_t *stack = json_array_get(row, 5);
        if (json_array_size(row) != 6 || !json_is_array(stack)) {
            snprintf(err, errlen,
                     "%s: heap.sites[%zu]: expected [site, alloc_objects, alloc_bytes, "
                     "free_objects, free_bytes, [function ids]]",
                     name, i);
            return -1;
        }
        if (hm_reserve((void **)&p->sites, scap, p->nsites + 1, sizeof *p->sites) != 0)
            goto oom;
        hm_heap_site *s = &p->sites[p->nsites++];
        memset(s, 0, sizeof *s);
        s->alloc_objects = (uint64_t)json_integer_value(json_array_get(row, 1));
        s->alloc_bytes = (uint64_t)json_integer_value(json_array_get(row, 2));
        s->free_objects = (uint64_t)json_integer_value(json_array_get(row, 3));
        s->free_bytes = (uint64_t)json_integer_value(json_array_get(row, 4));
        s->depth = json_array_size(stack);
        s->stack = calloc(s->depth ? s->depth : 1, sizeof *s->stack);
        if (s->stack == NULL)
            goto oom;
        for (size_t k = 0; k < s->depth; k++) {
            json_int_t id = json_integer_value(json_array_get(stack, k));
            size_t at = 0;
            for (size_t f = 0; f < nf && !at; f++) {
                const json_t *fid = json_object_get(json_array_get(functions, f), HM_FN_KEY_id);
                if (json_integer_value(fid) == id)
                    at = base + 1 + f;
            }
            if (!at) {
                snprintf(err, errlen,
                         "%s: heap.sites[%zu]: function id %lld is not in \"functions\"", name, i,
                         (long long)id);
                return -1;
            }
            s->stack[k] = (uint32_t)at;
        }
    }
    return 0;
oom:
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Add one document (the results file `name`, its first when `first`) to p. */
static int add_document(hm_heap_profile *p, const char *data, size_t len, const char *name,
                        bool first, size_t *fcap, size_t *scap, char *err, size_t errlen) {
    json_t *root = hm_parse_json(data, len, name, "a heatmap results JSON object", err, errlen);
    if (root == NULL)
        return -1;
    int rc = add_file(p, root, name, fcap, scap, err, errlen);
    if (first) {
        const char *prog = json_string_value(json_object_get(root, HM_KEY_program));
        p->program = hm_strdup(prog ? prog : "");
        p->start_unix_ns =
            (uint64_t)json_integer_value(json_object_get(root, HM_KEY_start_unix_ns));
    }
    uint64_t e = (uint64_t)json_integer_value(json_object_get(root, HM_KEY_elapsed_ns));
    p->elapsed_ns = e > p->elapsed_ns ? e : p->elapsed_ns;
    json_decref(root);
    return rc;
}

static int finish(hm_heap_profile *p, hm_heap_profile **out, char *err, size_t errlen) {
    if (p->program == NULL && (p->program = hm_strdup("")) == NULL) {
        hm_heap_profile_free(p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = p;
    return 0;
}

int hm_heap_profile_load_many(const char *const *paths, size_t n, hm_heap_profile **out, char *err,
                              size_t errlen) {
    *out = NULL;
    hm_heap_profile *p = calloc(1, sizeof *p);
    size_t fcap = 0, scap = 0;
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name;
        size_t len = 0;
        char *data = hm_read_input(paths[i], &name, &len, err, errlen);
        int rc = data ? add_document(p, data, len, name, i == 0, &fcap, &scap, err, errlen) : -1;
        free(data);
        if (rc != 0) {
            hm_heap_profile_free(p);
            return -1;
        }
    }
    return finish(p, out, err, errlen);
}

int hm_heap_profile_load_buffer(const char *data, size_t len, const char *name,
                                hm_heap_profile **out, char *err, size_t errlen) {
    *out = NULL;
    hm_heap_profile *p = calloc(1, sizeof *p);
    size_t fcap = 0, scap = 0;
    if (p == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    if (add_document(p, data, len, name, true, &fcap, &scap, err, errlen) != 0) {
        hm_heap_profile_free(p);
        return -1;
    }
    return finish(p, out, err, errlen);
}
