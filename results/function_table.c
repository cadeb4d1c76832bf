/* One results file's function table by id, and the small JSON readers both path loaders use.
 *
 * The call-path loader (paths_load.c) and the trace loader (trace_load.c) resolve function ids of
 * one file through this table: the entries in file order plus (id, index) pairs sorted by id, which
 * also find duplicate ids. The readers trust nothing: a wrong type, a negative number or a missing
 * required key is a one-line error naming the file and the place ("functions[3].count").
 * The rules the loaders of several files share live here too: growing arrays, freeing a function
 * table, and merging each file's run facts (longest elapsed, earliest start, first program).
 */
#include "paths_internal.h"

#include <heatmap/results_format.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hm_loader_fail(hm_loader *ld, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hm_vfail(ld->err, ld->errlen, ld->name, fmt, ap);
    va_end(ap);
    return -1;
}

int hm_reserve(void **items, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *bigger = realloc(*items, n * size);
    if (bigger == NULL)
        return -1;
    *items = bigger;
    *cap = n;
    return 0;
}

const hm_json *hm_loader_parse_owned(hm_loader *ld, hm_json_doc *doc, char *data, size_t len,
                                     const char *expected) {
    const hm_json *root = hm_parse_json(doc, data, len, ld->name, expected, ld->err, ld->errlen);
    if (root != NULL && !hm_json_is_object(root)) {
        root = NULL;
        hm_loader_fail(ld, "expected a JSON object at the top level");
    }
    return root;
}

const hm_json *hm_loader_parse_object(hm_loader *ld, hm_json_doc *doc, const char *data, size_t len,
                                      const char *expected) {
    char *copy = malloc(len ? len : 1);
    if (copy == NULL) {
        hm_loader_fail(ld, "out of memory");
        return NULL;
    }
    memcpy(copy, data, len);
    return hm_loader_parse_owned(ld, doc, copy, len, expected);
}

int hm_loader_get_u64(hm_loader *ld, const hm_json *obj, const char *key, bool required,
                      const char *where, uint64_t *out) {
    const hm_json *v = hm_json_get(obj, key);
    *out = 0;
    if (v == NULL)
        return required ? hm_loader_fail(ld, "%s: missing key \"%s\"", where, key) : 0;
    if (!hm_json_is_integer(v) || hm_json_int(v) < 0)
        return hm_loader_fail(ld, "%s.%s: expected a non-negative integer", where, key);
    *out = (uint64_t)hm_json_int(v);
    return 0;
}

const char *hm_json_str(const hm_json *obj, const char *key) {
    const hm_json *v = hm_json_get(obj, key);
    return hm_json_is_string(v) ? hm_json_string(v) : NULL;
}

int hm_keyed_compare(const void *a, const void *b) {
    const hm_keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

size_t hm_keyed_find(const hm_keyed *items, size_t n, uint64_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (items[mid].key == key)
            return items[mid].index;
        if (items[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

void hm_file_functions_free(hm_file_functions *ff) {
    free(ff->items);
    free(ff->by_id);
}

int hm_file_functions_read(hm_loader *ld, const hm_json *root, bool need_ids,
                           hm_file_functions *ff) {
    memset(ff, 0, sizeof *ff);
    const hm_json *arr = hm_json_get(root, HM_KEY_functions);
    if (!hm_json_is_array(arr))
        return hm_loader_fail(ld, arr ? "functions: expected an array"
                                      : "missing key \"functions\" (not a "
                                        "results file?)");
    ff->n = hm_json_size(arr);
    ff->items = calloc(ff->n ? ff->n : 1, sizeof *ff->items);
    ff->by_id = calloc(ff->n ? ff->n : 1, sizeof *ff->by_id);
    if (ff->items == NULL || ff->by_id == NULL)
        return hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; i < ff->n; i++) {
        const hm_json *o = hm_json_at(arr, i);
        hm_file_function *f = &ff->items[i];
        char where[64];
        snprintf(where, sizeof where, "functions[%zu]", i);
        if (!hm_json_is_object(o))
            return hm_loader_fail(ld, "%s: expected an object", where);
        uint64_t line;
        f->name = hm_json_str(o, HM_FN_KEY_name);
        f->file = hm_json_str(o, HM_FN_KEY_file);
        if (f->name == NULL)
            return hm_loader_fail(ld, "%s: missing or non-string \"name\"", where);
        if (f->file == NULL)
            f->file = "";
        if (hm_loader_get_u64(ld, o, HM_FN_KEY_id, need_ids, where, &f->id) != 0 ||
            hm_loader_get_u64(ld, o, HM_FN_KEY_line, false, where, &line) != 0 ||
            hm_loader_get_u64(ld, o, HM_FN_KEY_count, true, where, &f->count) != 0 ||
            hm_loader_get_u64(ld, o, HM_FN_KEY_self_ns, true, where, &f->self_ns) != 0)
            return -1;
        if (line > UINT32_MAX)
            return hm_loader_fail(ld, "%s.line: %llu is too large", where,
                                  (unsigned long long)line);
        f->line = (uint32_t)line;
        ff->by_id[i] = (hm_keyed){.key = f->id, .index = i};
    }
    qsort(ff->by_id, ff->n, sizeof *ff->by_id, hm_keyed_compare);
    for (size_t i = 1; need_ids && i < ff->n; i++) {
        const hm_file_function *a = &ff->items[ff->by_id[i - 1].index];
        const hm_file_function *b = &ff->items[ff->by_id[i].index];
        if (a->id == b->id)
            return hm_loader_fail(ld, "functions: id %llu is used by both \"%s\" and \"%s\"",
                                  (unsigned long long)a->id, a->name, b->name);
    }
    return 0;
}

const hm_file_function *hm_file_functions_find(const hm_file_functions *ff, uint64_t id) {
    size_t i = hm_keyed_find(ff->by_id, ff->n, id);
    return i == SIZE_MAX ? NULL : &ff->items[i];
}

void hm_path_functions_free(hm_path_function *fs, size_t n) {
    HM_FREE_FUNCTION_TABLE(fs, n);
}

int hm_merge_run(hm_loader *ld, const char *name, uint64_t elapsed, uint64_t start,
                 uint64_t *elapsed_ns, uint64_t *start_unix_ns, char **program) {
    if (elapsed > *elapsed_ns)
        *elapsed_ns = elapsed;
    if (start != 0 && (*start_unix_ns == 0 || start < *start_unix_ns))
        *start_unix_ns = start;
    if (*program == NULL && (*program = hm_strdup(name ? name : "")) == NULL)
        return hm_loader_fail(ld, "out of memory");
    return 0;
}
