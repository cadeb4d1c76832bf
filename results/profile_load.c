/* The cpu_profile loader (hm_profile.h): JSON → validated, self-contained sample arrays.
 *
 * One pass per file: mappings first (sorted by start for the pc lookups), then the function list
 * (ids sorted for binary search), then the samples, whose pcs are resolved to mappings and whose
 * stack ids to function indexes. Each file's entries are appended to the profile with indexes
 * offset by what earlier files added, so ids of different files never meet. Every string is
 * copied out of the JSON document, which is freed before returning.
 */
#include "hm_profile.h"
#include "paths_internal.h"

#include <heatmap/results_format.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct growing {
    hm_cpu_profile *p;
    size_t cap_mappings, cap_functions, cap_samples;
} growing;

/* A member of `o` that must be an array, or NULL after hm_loader_fail(). */
static const hm_json *get_array(hm_loader *ld, const hm_json *o, const char *key,
                                const char *where) {
    const hm_json *a = hm_json_get(o, key);
    if (!hm_json_is_array(a)) {
        hm_loader_fail(ld, "%s: missing or non-array \"%s\"", where, key);
        return NULL;
    }
    return a;
}

/* Order of mappings by start, for the pc lookup. */
typedef struct span {
    uint64_t start, limit;
    size_t index; /* into p->mappings */
} span;

static int compare_span(const void *a, const void *b) {
    const span *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

static size_t find_mapping(const span *spans, size_t n, uint64_t pc) {
    size_t lo = 0, hi = n; /* first span with start > pc */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (spans[mid].start <= pc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo > 0 && pc < spans[lo - 1].limit ? spans[lo - 1].index : HM_CPU_NO_MAPPING;
}

static int read_mappings(hm_loader *ld, growing *g, const hm_json *arr, span **spans_out) {
    hm_cpu_profile *p = g->p;
    size_t n = hm_json_size(arr);
    span *spans = calloc(n ? n : 1, sizeof *spans);
    hm_keyed *ids = calloc(n ? n : 1, sizeof *ids);
    *spans_out = spans;
    if (spans == NULL || ids == NULL ||
        hm_reserve((void **)&p->mappings, &g->cap_mappings, p->nmappings + n, sizeof *p->mappings))
        return free(ids), hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const hm_json *o = hm_json_at(arr, i);
        char where[64];
        snprintf(where, sizeof where, "cpu_profile.mappings[%zu]", i);
        if (!hm_json_is_object(o))
            return free(ids), hm_loader_fail(ld, "%s: expected an object", where);
        uint64_t id, start, limit, offset;
        const char *file = hm_json_str(o, HM_CPU_KEY_file);
        const char *build_id = hm_json_str(o, HM_CPU_KEY_build_id);
        if (hm_loader_get_u64(ld, o, HM_CPU_KEY_id, true, where, &id) ||
            hm_loader_get_u64(ld, o, HM_CPU_KEY_start, true, where, &start) ||
            hm_loader_get_u64(ld, o, HM_CPU_KEY_limit, true, where, &limit) ||
            hm_loader_get_u64(ld, o, HM_CPU_KEY_offset, true, where, &offset))
            return free(ids), -1;
        if (file == NULL || build_id == NULL)
            return free(ids), hm_loader_fail(ld, "%s: missing or non-string \"%s\"", where,
                                             file == NULL ? HM_CPU_KEY_file : HM_CPU_KEY_build_id);
        if (start >= limit)
            return free(ids), hm_loader_fail(ld, "%s: start %llu is not below limit %llu", where,
                                             (unsigned long long)start, (unsigned long long)limit);
        hm_cpu_mapping *m = &p->mappings[p->nmappings];
        *m = (hm_cpu_mapping){.start = start, .limit = limit, .offset = offset};
        m->file = hm_strdup(file);
        m->build_id = hm_strdup(build_id);
        p->nmappings++;
        if (m->file == NULL || m->build_id == NULL)
            return free(ids), hm_loader_fail(ld, "out of memory");
        spans[i] = (span){.start = start, .limit = limit, .index = p->nmappings - 1};
        ids[i] = (hm_keyed){.key = id, .index = i};
    }
    qsort(ids, n, sizeof *ids, hm_keyed_compare);
    for (size_t i = 1; i < n; i++)
        if (ids[i - 1].key == ids[i].key) {
            unsigned long long dup = ids[i].key;
            free(ids);
            return hm_loader_fail(ld, "cpu_profile.mappings: id %llu is used twice", dup);
        }
    free(ids);
    qsort(spans, n, sizeof *spans, compare_span);
    return 0;
}

/* Functions: [id, "name", "file", line]; *by_id maps the file's ids to indexes of p->functions. */
static int read_functions(hm_loader *ld, growing *g, const hm_json *arr, hm_keyed **by_id) {
    hm_cpu_profile *p = g->p;
    size_t n = hm_json_size(arr);
    hm_keyed *ids = calloc(n ? n : 1, sizeof *ids);
    *by_id = ids;
    if (ids == NULL || hm_reserve((void **)&p->functions, &g->cap_functions, p->nfunctions + n,
                                  sizeof *p->functions))
        return hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const hm_json *v = hm_json_at(arr, i);
        const hm_json *id = hm_json_at(v, 0), *line = hm_json_at(v, 3);
        const hm_json *name = hm_json_at(v, 1), *file = hm_json_at(v, 2);
        if (!hm_json_is_array(v) || hm_json_size(v) != 4 || !hm_json_is_integer(id) ||
            hm_json_int(id) < 0 || !hm_json_is_string(name) || !hm_json_is_string(file) ||
            !hm_json_is_integer(line) || hm_json_int(line) < 0 || hm_json_int(line) > UINT32_MAX)
            return hm_loader_fail(ld,
                                  "cpu_profile.functions[%zu]: expected [id, \"name\", \"file\", "
                                  "line] with non-negative integers",
                                  i);
        hm_cpu_function *f = &p->functions[p->nfunctions];
        f->name = hm_strdup(hm_json_string(name));
        f->file = hm_strdup(hm_json_string(file));
        f->line = (uint32_t)hm_json_int(line);
        p->nfunctions++;
        if (f->name == NULL || f->file == NULL)
            return hm_loader_fail(ld, "out of memory");
        ids[i] = (hm_keyed){.key = (uint64_t)hm_json_int(id), .index = p->nfunctions - 1};
    }
    qsort(ids, n, sizeof *ids, hm_keyed_compare);
    for (size_t i = 1; i < n; i++)
        if (ids[i - 1].key == ids[i].key)
            return hm_loader_fail(ld, "cpu_profile.functions: id %llu is used twice",
                                  (unsigned long long)ids[i].key);
    return 0;
}

/* An array of non-negative integers into a new malloc'd array (at least one element allocated). */
static int read_u64s(hm_loader *ld, const hm_json *arr, const char *where, const char *key,
                     uint64_t **out, size_t *n) {
    *n = hm_json_size(arr);
    *out = calloc(*n ? *n : 1, sizeof **out);
    if (*out == NULL)
        return hm_loader_fail(ld, "out of memory");
    for (size_t k = 0; k < *n; k++) {
        const hm_json *e = hm_json_at(arr, k);
        if (!hm_json_is_integer(e) || hm_json_int(e) < 0)
            return hm_loader_fail(ld, "%s.%s[%zu]: expected a non-negative integer", where, key, k);
        (*out)[k] = (uint64_t)hm_json_int(e);
    }
    return 0;
}

static int read_samples(hm_loader *ld, growing *g, const hm_json *arr, const span *spans,
                        size_t nspans, const hm_keyed *fn_ids, size_t nfn) {
    hm_cpu_profile *p = g->p;
    size_t n = hm_json_size(arr);
    if (hm_reserve((void **)&p->samples, &g->cap_samples, p->nsamples + n, sizeof *p->samples))
        return hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const hm_json *o = hm_json_at(arr, i);
        char where[64];
        snprintf(where, sizeof where, "cpu_profile.samples[%zu]", i);
        if (!hm_json_is_object(o))
            return hm_loader_fail(ld, "%s: expected an object", where);
        hm_cpu_sample *s = &p->samples[p->nsamples++];
        memset(s, 0, sizeof *s);
        const hm_json *pcs = get_array(ld, o, HM_CPU_KEY_pcs, where);
        const hm_json *stack = pcs ? get_array(ld, o, HM_CPU_KEY_stack, where) : NULL;
        if (stack == NULL || hm_loader_get_u64(ld, o, HM_CPU_KEY_count, true, where, &s->count))
            return -1;
        if (s->count == 0)
            return hm_loader_fail(ld, "%s: count is 0", where);
        uint64_t *ids;
        size_t nids;
        if (read_u64s(ld, pcs, where, HM_CPU_KEY_pcs, &s->pcs, &s->npcs) != 0)
            return -1;
        s->mapping = calloc(s->npcs ? s->npcs : 1, sizeof *s->mapping);
        if (s->mapping == NULL)
            return hm_loader_fail(ld, "out of memory");
        for (size_t k = 0; k < s->npcs; k++) {
            s->mapping[k] = find_mapping(spans, nspans, s->pcs[k]);
            p->unmapped_pcs += s->mapping[k] == HM_CPU_NO_MAPPING;
        }
        int rc = read_u64s(ld, stack, where, HM_CPU_KEY_stack, &ids, &nids);
        s->stack = rc == 0 ? calloc(nids ? nids : 1, sizeof *s->stack) : NULL;
        if (rc == 0 && s->stack == NULL)
            rc = hm_loader_fail(ld, "out of memory");
        for (size_t k = 0; rc == 0 && k < nids; k++) {
            size_t f = hm_keyed_find(fn_ids, nfn, ids[k]);
            if (f == SIZE_MAX)
                rc = hm_loader_fail(ld,
                                    "%s.stack[%zu]: function id %llu is not in "
                                    "cpu_profile.functions",
                                    where, k, (unsigned long long)ids[k]);
            else
                s->stack[s->nstack++] = f;
        }
        free(ids);
        if (rc != 0)
            return -1;
    }
    return 0;
}

static int read_file_profile(hm_loader *ld, growing *g, const hm_json *root) {
    hm_cpu_profile *p = g->p;
    const hm_json *version = hm_json_get(root, HM_KEY_version);
    if (!hm_json_is_integer(version) || hm_json_int(version) != HM_RESULTS_FORMAT_VERSION)
        return hm_loader_fail(ld, "not a version %d results file", HM_RESULTS_FORMAT_VERSION);
    const hm_json *cp = hm_json_get(root, HM_KEY_cpu_profile);
    if (cp == NULL)
        return hm_loader_fail(ld, "no \"cpu_profile\" in this file: the CPU sampler did not run "
                                  "(ask for it with HEATMAP_PROFILE_TYPE=cpu)");
    if (!hm_json_is_object(cp))
        return hm_loader_fail(ld, "cpu_profile: expected an object");
    uint64_t hz, period, dropped, elapsed, start;
    if (hm_loader_get_u64(ld, cp, HM_CPU_KEY_hz, true, "cpu_profile", &hz) ||
        hm_loader_get_u64(ld, cp, HM_CPU_KEY_period_ns, true, "cpu_profile", &period) ||
        hm_loader_get_u64(ld, cp, HM_CPU_KEY_samples_dropped, true, "cpu_profile", &dropped) ||
        hm_loader_get_u64(ld, root, HM_KEY_elapsed_ns, false, "results", &elapsed) ||
        hm_loader_get_u64(ld, root, HM_KEY_start_unix_ns, false, "results", &start))
        return -1;
    if (period == 0)
        return hm_loader_fail(ld, "cpu_profile.period_ns: must be > 0");
    if (p->nfiles > 0 && period != p->period_ns)
        return hm_loader_fail(ld,
                              "cpu_profile.period_ns %llu differs from the %llu of the files "
                              "before; profiles of different sampling rates cannot be merged",
                              (unsigned long long)period, (unsigned long long)p->period_ns);
    const hm_json *mappings = get_array(ld, cp, HM_CPU_KEY_mappings, "cpu_profile");
    const hm_json *functions =
        mappings ? get_array(ld, cp, HM_CPU_KEY_functions, "cpu_profile") : NULL;
    const hm_json *samples =
        functions ? get_array(ld, cp, HM_CPU_KEY_samples, "cpu_profile") : NULL;
    if (samples == NULL)
        return -1;
    span *spans = NULL;
    hm_keyed *fn_ids = NULL;
    int rc = read_mappings(ld, g, mappings, &spans);
    if (rc == 0)
        rc = read_functions(ld, g, functions, &fn_ids);
    if (rc == 0)
        rc = read_samples(ld, g, samples, spans, hm_json_size(mappings), fn_ids,
                          hm_json_size(functions));
    free(spans);
    free(fn_ids);
    if (rc != 0)
        return -1;
    if (p->nfiles++ == 0) {
        p->hz = hz;
        p->period_ns = period;
    }
    p->samples_dropped += dropped;
    return hm_merge_run(ld, hm_json_str(root, HM_KEY_program), elapsed, start, &p->elapsed_ns,
                        &p->start_unix_ns, &p->program);
}

static int load_buffer(growing *g, const char *data, size_t len, const char *name, char *err,
                       size_t errlen) {
    hm_loader ld = {.name = name, .err = err, .errlen = errlen};
    hm_json_doc doc = {0};
    const hm_json *root =
        hm_loader_parse_object(&ld, &doc, data, len, "a heatmap results JSON object");
    int rc = root ? read_file_profile(&ld, g, root) : -1;
    hm_json_doc_free(&doc);
    return rc;
}

int hm_cpu_profile_load_buffer(const char *data, size_t len, const char *name, hm_cpu_profile **out,
                               char *err, size_t errlen) {
    growing g = {.p = calloc(1, sizeof(hm_cpu_profile))};
    *out = NULL;
    if (g.p == NULL)
        return hm_fail(err, errlen, name, "out of memory");
    if (load_buffer(&g, data, len, name, err, errlen) != 0) {
        hm_cpu_profile_free(g.p);
        return -1;
    }
    *out = g.p;
    return 0;
}

int hm_cpu_profile_load_many(const char *const *paths, size_t n, hm_cpu_profile **out, char *err,
                             size_t errlen) {
    *out = NULL;
    if (n == 0)
        return hm_fail(err, errlen, "heatmap", "no results file");
    growing g = {.p = calloc(1, sizeof(hm_cpu_profile))};
    if (g.p == NULL)
        return hm_fail(err, errlen, paths[0], "out of memory");
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        const char *name;
        size_t len;
        char *data = hm_read_input(paths[i], &name, &len, err, errlen);
        if (data == NULL) {
            rc = -1;
            break;
        }
        rc = load_buffer(&g, data, len, name, err, errlen);
        free(data);
    }
    if (rc != 0) {
        hm_cpu_profile_free(g.p);
        return -1;
    }
    *out = g.p;
    return 0;
}

void hm_cpu_profile_free(hm_cpu_profile *p) {
    if (p == NULL)
        return;
    HM_FREE_FUNCTION_TABLE(p->functions, p->nfunctions);
    for (size_t i = 0; i < p->nmappings; i++) {
        free(p->mappings[i].file);
        free(p->mappings[i].build_id);
    }
    for (size_t i = 0; i < p->nsamples; i++) {
        free(p->samples[i].pcs);
        free(p->samples[i].mapping);
        free(p->samples[i].stack);
    }
    free(p->mappings);
    free(p->samples);
    free(p->program);
    free(p);
}

uint64_t hm_cpu_profile_total_samples(const hm_cpu_profile *p) {
    uint64_t n = 0;
    for (size_t i = 0; i < p->nsamples; i++)
        n += p->samples[i].count;
    return n;
}
