/* Reading the results file's "heap" section (memory tracking) into the loaded functions.
 *
 * The section's "functions" rows carry runtime function ids; the file's "functions" entries carry
 * the same ids, so each row lands on its function. Row 0 is "(outside)". Totals are the sum of the
 * rows (a function without calls cannot have allocations: a row whose id names no function is an
 * error, as is any malformed row). The "sites" rows (call paths) are read separately, for the heap
 * and allocs profiles (hm_heap.h: hm_heap_profile_load_many). Format: docs/results-format.md.
 */
#include "hm_heap.h"
#include "index_map.h"
#include "paths_internal.h"

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

/* (id, index) of the file's functions, ascending by id (hm_keyed_find), of entries sharing an id
 * the first (`first`) or the last. An entry without an integer id has none (`first`: id 0). NULL
 * on out-of-memory. */
static hm_keyed *ids_of(const hm_json *functions, bool first) {
    size_t n = hm_json_size(functions);
    hm_keyed *ids = malloc((n ? n : 1) * sizeof *ids);
    if (ids == NULL)
        return NULL;
    size_t k = 0;
    for (size_t f = 0; f < n; f++) {
        const hm_json *id = hm_json_get(hm_json_at(functions, f), HM_FN_KEY_id);
        if (first || hm_json_is_integer(id))
            ids[k++] = (hm_keyed){.key = (uint64_t)hm_json_int(id), .index = f};
    }
    qsort(ids, k, sizeof *ids, hm_keyed_compare);
    size_t w = 0;
    for (size_t i = 0; i < k; i++) {
        if (w > 0 && ids[w - 1].key == ids[i].key) {
            if (first)
                continue;
            w--; /* the later entry wins */
        }
        ids[w++] = ids[i];
    }
    for (size_t i = w; i < n; i++) /* ids no row can name */
        ids[i] = (hm_keyed){.key = UINT64_MAX, .index = SIZE_MAX};
    return ids;
}

static int bad(char *err, size_t errlen, size_t i, const char *what) {
    snprintf(err, errlen, "%s.%s[%zu]: %s", HM_KEY_heap, HM_HEAP_KEY_functions, i, what);
    return -1;
}

int hm_heap_read(const hm_json *root, hm_results *r, char *err, size_t errlen) {
    const hm_json *heap = hm_json_get(root, HM_KEY_heap);
    if (heap == NULL)
        return 0;
    const hm_json *rows = hm_json_is_object(heap) ? hm_json_get(heap, HM_HEAP_KEY_functions) : NULL;
    if (!hm_json_is_array(rows)) {
        snprintf(err, errlen, "%s: expected an object with an array \"%s\"", HM_KEY_heap,
                 HM_HEAP_KEY_functions);
        return -1;
    }
    const hm_json *functions = hm_json_get(root, HM_KEY_functions);
    size_t nf = hm_json_size(functions);
    hm_keyed *ids = ids_of(functions, false);
    if (ids == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < hm_json_size(rows); i++) {
        const hm_json *row = hm_json_at(rows, i);
        uint64_t v[6];
        const char *why = NULL;
        if (!hm_json_is_array(row) || hm_json_size(row) != 6)
            why = "expected [id, alloc_objects, alloc_bytes, free_objects, free_bytes, "
                  "peak_inuse_bytes]";
        for (size_t k = 0; why == NULL && k < 6; k++) {
            const hm_json *x = hm_json_at(row, k);
            if (!hm_json_is_integer(x) || hm_json_int(x) < 0)
                why = "expected non-negative integers";
            v[k] = (uint64_t)hm_json_int(x);
        }
        if (why == NULL && (v[3] > v[1] || v[4] > v[2]))
            why = "more released than allocated";
        size_t f = why == NULL && v[0] != 0 ? hm_keyed_find(ids, nf, v[0]) : SIZE_MAX;
        if (why == NULL && v[0] != 0 && (f == SIZE_MAX || f >= r->nfunctions))
            why = "names a function id that \"functions\" does not have";
        if (why != NULL) {
            free(ids);
            return bad(err, errlen, i, why);
        }
        hm_heap_figures h = {v[1], v[2], v[3], v[4], v[5]};
        hm_heap_figures *into = v[0] == 0 ? &r->heap_outside : &r->functions[f].heap;
        hm_heap_figures_add(into, &h);
        uint64_t peak = r->heap_total.peak_inuse_bytes;
        hm_heap_figures_add(&r->heap_total, &h);
        r->heap_total.peak_inuse_bytes = peak > h.peak_inuse_bytes ? peak : h.peak_inuse_bytes;
    }
    free(ids);
    r->has_heap = true;
    return 0;
}

/* ---- call sites (hm_heap.h) ------------------------------------------------------------------ */

void hm_heap_profile_free(hm_heap_profile *p) {
    if (p == NULL)
        return;
    HM_FREE_FUNCTION_TABLE(p->functions, p->nfunctions);
    for (size_t i = 0; i < p->nsites; i++)
        free(p->sites[i].stack);
    free(p->sites);
    free(p->program);
    free(p);
}

/* The profile under construction: functions merged by name, file and line (index 0 is
 * "(outside)"), sites by their call path, each found through an index map (index_map.h). Memory
 * follows the distinct functions and call paths, not the files. */
typedef struct heap_acc {
    hm_heap_profile *p;
    size_t fcap, scap, hcap;
    uint64_t *fhash, *shash; /* per function, per site */
    hm_imap fmap, smap;
    uint32_t *stack; /* scratch: one site's merged function indexes */
    size_t cap_stack;
    hm_json_doc doc; /* reused file after file */
} heap_acc;

static void heap_acc_free(heap_acc *a) {
    free(a->fhash), free(a->shash), free(a->stack);
    hm_imap_free(&a->fmap);
    hm_imap_free(&a->smap);
    hm_json_doc_free(&a->doc);
}

static bool function_equal(const void *ctx, size_t i, const void *key) {
    const heap_acc *a = ctx;
    const hm_heap_function *f = &a->p->functions[i];
    return hm_identity_key_equal(key, a->fhash[i], f->name, f->file, f->line);
}

/* The merged index of a function (added when new); SIZE_MAX on out-of-memory. */
static size_t function_index(heap_acc *a, const char *name, const char *file, uint32_t line) {
    hm_heap_profile *p = a->p;
    hm_identity_key key = hm_identity_key_of(name, file, line);
    if (hm_imap_reserve(&a->fmap, p->nfunctions + 1, hm_imap_stored_hash, a->fhash) != 0)
        return SIZE_MAX;
    size_t slot = 0, found = hm_imap_find(&a->fmap, key.hash, function_equal, a, &key, &slot);
    if (found != SIZE_MAX)
        return found;
    size_t cap = a->fcap;
    if (hm_reserve((void **)&p->functions, &a->fcap, p->nfunctions + 1, sizeof *p->functions) !=
            0 ||
        hm_reserve((void **)&a->fhash, &cap, p->nfunctions + 1, sizeof *a->fhash) != 0)
        return SIZE_MAX;
    hm_heap_function *f = &p->functions[p->nfunctions];
    *f = (hm_heap_function){.line = line};
    if (hm_dup_identity(&f->name, &f->file, name, file) != 0)
        return SIZE_MAX;
    a->fhash[p->nfunctions] = key.hash;
    hm_imap_insert(&a->fmap, slot, p->nfunctions);
    return p->nfunctions++;
}

typedef struct site_key {
    const uint32_t *stack;
    size_t depth;
    uint64_t hash;
} site_key;

static bool site_equal(const void *ctx, size_t i, const void *key) {
    const heap_acc *a = ctx;
    const site_key *k = key;
    const hm_heap_site *s = &a->p->sites[i];
    return a->shash[i] == k->hash && s->depth == k->depth &&
           (k->depth == 0 || memcmp(s->stack, k->stack, k->depth * sizeof *k->stack) == 0);
}

/* Add a site with the call path a->stack[0..depth) and the row's figures: summed into the site
 * with the same path, or a new one. Returns 0, or -1 on out-of-memory. */
static int add_site(heap_acc *a, size_t depth, const hm_json *row) {
    hm_heap_profile *p = a->p;
    site_key key = {a->stack, depth, 0xcbf29ce484222325ull ^ depth};
    for (size_t k = 0; k < depth; k++)
        key.hash = (key.hash ^ a->stack[k]) * 0x100000001b3ull;
    if (hm_imap_reserve(&a->smap, p->nsites + 1, hm_imap_stored_hash, a->shash) != 0)
        return -1;
    uint64_t v[4];
    for (size_t k = 0; k < 4; k++)
        v[k] = (uint64_t)hm_json_int(hm_json_at(row, k + 1));
    size_t slot = 0, found = hm_imap_find(&a->smap, key.hash, site_equal, a, &key, &slot);
    if (found != SIZE_MAX) {
        hm_heap_site *s = &p->sites[found];
        s->alloc_objects = hm_add_sat(s->alloc_objects, v[0]);
        s->alloc_bytes = hm_add_sat(s->alloc_bytes, v[1]);
        s->free_objects = hm_add_sat(s->free_objects, v[2]);
        s->free_bytes = hm_add_sat(s->free_bytes, v[3]);
        return 0;
    }
    if (hm_reserve((void **)&p->sites, &a->scap, p->nsites + 1, sizeof *p->sites) != 0 ||
        hm_reserve((void **)&a->shash, &a->hcap, p->nsites + 1, sizeof *a->shash) != 0)
        return -1;
    hm_heap_site *s = &p->sites[p->nsites];
    *s = (hm_heap_site){v[0], v[1], v[2], v[3], NULL, depth};
    s->stack = calloc(depth ? depth : 1, sizeof *s->stack);
    if (s->stack == NULL)
        return -1;
    if (depth > 0)
        memcpy(s->stack, a->stack, depth * sizeof *s->stack);
    a->shash[p->nsites] = key.hash;
    hm_imap_insert(&a->smap, slot, p->nsites);
    p->nsites++;
    return 0;
}

/* Add one file's functions and sites to the profile. */
static int add_file(heap_acc *a, const hm_json *root, const char *name, char *err, size_t errlen) {
    const hm_json *heap = hm_json_get(root, HM_KEY_heap);
    const hm_json *sites = hm_json_get(heap, HM_HEAP_KEY_sites);
    const hm_json *functions = hm_json_get(root, HM_KEY_functions);
    if (!hm_json_is_array(sites) || !hm_json_is_array(functions)) {
        snprintf(err, errlen,
                 "%s: no memory figures (no \"heap\" section): run the program with memory "
                 "tracking on (the default; HEATMAP_HEAP=off turns it off)",
                 name);
        return -1;
    }
    size_t nf = hm_json_size(functions);
    size_t *merged = malloc((nf ? nf : 1) * sizeof *merged);
    hm_keyed *ids = NULL;
    if (merged == NULL || function_index(a, HM_HEAP_OUTSIDE_NAME, "", 0) != 0)
        goto oom;
    for (size_t i = 0; i < nf; i++) {
        const hm_json *f = hm_json_at(functions, i);
        const char *fname = hm_json_string(hm_json_get(f, HM_FN_KEY_name));
        const char *file = hm_json_string(hm_json_get(f, HM_FN_KEY_file));
        int64_t line = hm_json_int(hm_json_get(f, HM_FN_KEY_line));
        merged[i] = function_index(a, fname ? fname : "?", file ? file : "", (uint32_t)line);
        if (merged[i] == SIZE_MAX)
            goto oom;
    }
    if ((ids = ids_of(functions, true)) == NULL)
        goto oom;
    for (size_t i = 0; i < hm_json_size(sites); i++) {
        const hm_json *row = hm_json_at(sites, i);
        const hm_json *stack = hm_json_at(row, 5);
        if (hm_json_size(row) != 6 || !hm_json_is_array(stack)) {
            snprintf(err, errlen,
                     "%s: heap.sites[%zu]: expected [site, alloc_objects, alloc_bytes, "
                     "free_objects, free_bytes, [function ids]]",
                     name, i);
            free(ids);
            free(merged);
            return -1;
        }
        size_t depth = hm_json_size(stack);
        if (hm_reserve((void **)&a->stack, &a->cap_stack, depth + 1, sizeof *a->stack) != 0)
            goto oom;
        for (size_t k = 0; k < depth; k++) {
            int64_t id = hm_json_int(hm_json_at(stack, k));
            size_t f = hm_keyed_find(ids, nf, (uint64_t)id);
            if (f == SIZE_MAX) {
                snprintf(err, errlen,
                         "%s: heap.sites[%zu]: function id %lld is not in \"functions\"", name, i,
                         (long long)id);
                free(ids);
                free(merged);
                return -1;
            }
            a->stack[k] = (uint32_t)merged[f];
        }
        if (add_site(a, depth, row) != 0)
            goto oom;
    }
    free(ids);
    free(merged);
    return 0;
oom:
    free(ids);
    free(merged);
    snprintf(err, errlen, "out of memory");
    return -1;
}

/* Add one document (the results file `name`, its first when `first`) to the profile; data
 * (malloc'd) is taken. */
static int add_document(heap_acc *a, char *data, size_t len, const char *name, bool first,
                        char *err, size_t errlen) {
    hm_heap_profile *p = a->p;
    const hm_json *root =
        hm_parse_json(&a->doc, data, len, name, "a heatmap results JSON object", err, errlen);
    if (root == NULL)
        return -1;
    int rc = add_file(a, root, name, err, errlen);
    if (first) {
        const char *prog = hm_json_string(hm_json_get(root, HM_KEY_program));
        p->program = hm_strdup(prog ? prog : "");
        p->start_unix_ns = (uint64_t)hm_json_int(hm_json_get(root, HM_KEY_start_unix_ns));
    }
    uint64_t e = (uint64_t)hm_json_int(hm_json_get(root, HM_KEY_elapsed_ns));
    p->elapsed_ns = e > p->elapsed_ns ? e : p->elapsed_ns;
    return rc;
}

static int finish(heap_acc *a, hm_heap_profile **out, char *err, size_t errlen) {
    hm_heap_profile *p = a->p;
    heap_acc_free(a);
    if (p->program == NULL && (p->program = hm_strdup("")) == NULL) {
        hm_heap_profile_free(p);
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    *out = p;
    return 0;
}

static int fail_acc(heap_acc *a) {
    hm_heap_profile_free(a->p);
    heap_acc_free(a);
    return -1;
}

int hm_heap_profile_load_many(const char *const *paths, size_t n, hm_heap_profile **out, char *err,
                              size_t errlen) {
    *out = NULL;
    heap_acc a = {.p = calloc(1, sizeof(hm_heap_profile))};
    if (a.p == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name;
        size_t len = 0;
        char *data = hm_read_input(paths[i], &name, &len, err, errlen);
        if (data == NULL || add_document(&a, data, len, name, i == 0, err, errlen) != 0)
            return fail_acc(&a);
    }
    return finish(&a, out, err, errlen);
}

int hm_heap_profile_load_buffer(const char *data, size_t len, const char *name,
                                hm_heap_profile **out, char *err, size_t errlen) {
    *out = NULL;
    heap_acc a = {.p = calloc(1, sizeof(hm_heap_profile))};
    char *copy = malloc(len ? len : 1);
    if (a.p == NULL || copy == NULL) {
        free(copy);
        snprintf(err, errlen, "out of memory");
        return fail_acc(&a);
    }
    memcpy(copy, data, len);
    if (add_document(&a, copy, len, name, true, err, errlen) != 0)
        return fail_acc(&a);
    return finish(&a, out, err, errlen);
}
