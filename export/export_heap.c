/* pprof heap and allocs profiles from memory tracking's call sites (export.h: --type=heap|allocs).
 *
 * Go's heap profile layout, so `go tool pprof` reads it as one:
 *   sample_type          [alloc_objects, count], [alloc_space, bytes], [inuse_objects, count],
 *                        [inuse_space, bytes]; default_sample_type inuse_space (heap) or
 *                        alloc_space (allocs): the two types differ only there
 *   period_type          [space, bytes], period 1: every allocation is recorded (Go samples one
 *                        per 512 KiB and scales; nothing here is scaled or estimated)
 *   function f+1         one per function of the files ((outside) included), location f+1 each
 *   sample               one per call site with allocations: locations innermost first (the
 *                        site's path, or (outside) alone), values [allocs, bytes, allocs - frees,
 *                        bytes - freed bytes]
 * So pprof's totals are the results' totals: alloc_space sums every function's alloc_bytes and
 * (outside)'s, inuse_space the bytes still in use at exit.
 */
#include "export.h"
#include "pprof_common.h"

#include "hm_heap.h"

#include <stdlib.h>
#include <string.h>

typedef struct heap_build {
    pb_profile profile;
    pb_value_type types[4], period_type;
    pb_value_type *type_ptrs[4];
    hm_pprof_arrays a; /* values: 4 per sample */
    char **strings;
    size_t nstrings;
    pb_mapping mapping;
    pb_mapping *mapping_ptr;
    int64_t comment;
} heap_build;

static void heap_build_free(heap_build *b) {
    hm_pprof_arrays_free(&b->a);
    free(b->strings);
}

static int64_t str(heap_build *b, const char *s) {
    b->strings[b->nstrings] = (char *)s;
    return (int64_t)b->nstrings++;
}

static int heap_build_make(heap_build *b, const hm_heap_profile *p, hm_pprof_type type) {
    memset(b, 0, sizeof *b);
    size_t nf = p->nfunctions, ns = 0, nids = 0;
    for (size_t i = 0; i < p->nsites; i++)
        if (p->sites[i].alloc_objects != 0) {
            ns++;
            nids += p->sites[i].depth ? p->sites[i].depth : 1;
        }
    int arrays = hm_pprof_arrays_alloc(&b->a, nf, ns, nids, 4 * ns);
    b->strings = calloc(16 + 2 * nf, sizeof *b->strings);
    if (arrays != 0 || !b->strings)
        return -1;
    str(b, "");
    int64_t count = str(b, "count"), bytes = str(b, "bytes");
    static const char *const names[4] = {"alloc_objects", "alloc_space", "inuse_objects",
                                         "inuse_space"};
    pb_profile *pr = &b->profile;
    perftools__profiles__profile__init(pr);
    for (int k = 0; k < 4; k++) {
        perftools__profiles__value_type__init(&b->types[k]);
        b->types[k].type = str(b, names[k]);
        b->types[k].unit = k % 2 ? bytes : count;
        b->type_ptrs[k] = &b->types[k];
    }
    perftools__profiles__value_type__init(&b->period_type);
    b->period_type.type = str(b, "space");
    b->period_type.unit = bytes;
    b->comment = str(b, type == HM_PPROF_ALLOCS
                            ? "heatmap: every allocation per call path (alloc_space by default)"
                            : "heatmap: every allocation per call path (inuse_space by default)");
    int64_t program = p->program[0] ? str(b, p->program) : 0;
    for (size_t f = 0; f < nf; f++) {
        int64_t name = str(b, p->functions[f].name);
        int64_t file = p->functions[f].file[0] ? str(b, p->functions[f].file) : 0;
        hm_pprof_arrays_function(&b->a, f, name, file, p->functions[f].line);
    }
    size_t s = 0, ids = 0;
    for (size_t i = 0; i < p->nsites; i++) {
        const hm_heap_site *site = &p->sites[i];
        if (site->alloc_objects == 0)
            continue;
        pb_sample *sm = &b->a.samples[s];
        perftools__profiles__sample__init(sm);
        sm->location_id = &b->a.location_ids[ids];
        if (site->depth == 0) {
            sm->location_id[0] = 1; /* (outside): function index 0 of its file */
            sm->n_location_id = 1;
            for (size_t f = 0; f < nf; f++) /* the (outside) entry of the first file */
                if (strcmp(p->functions[f].name, "(outside)") == 0 && !p->functions[f].file[0]) {
                    sm->location_id[0] = f + 1;
                    break;
                }
        } else {
            for (size_t k = 0; k < site->depth; k++)
                sm->location_id[k] = site->stack[k] + 1;
            sm->n_location_id = site->depth;
        }
        ids += sm->n_location_id;
        sm->value = &b->a.values[4 * s];
        sm->n_value = 4;
        sm->value[0] = (int64_t)site->alloc_objects;
        sm->value[1] = (int64_t)site->alloc_bytes;
        sm->value[2] = (int64_t)(site->alloc_objects - site->free_objects);
        sm->value[3] = (int64_t)(site->alloc_bytes - site->free_bytes);
        b->a.sample_ptrs[s++] = sm;
    }
    pr->n_sample_type = 4;
    pr->sample_type = b->type_ptrs;
    pr->default_sample_type = b->types[type == HM_PPROF_ALLOCS ? 1 : 3].type;
    pr->period_type = &b->period_type;
    pr->period = 1;
    pr->n_comment = 1;
    pr->comment = &b->comment;
    pr->time_nanos = (int64_t)p->start_unix_ns;
    pr->duration_nanos = (int64_t)p->elapsed_ns;
    hm_pprof_symbolized(pr, &b->mapping, &b->mapping_ptr, program, &b->a, nf, s, b->strings,
                        b->nstrings);
    return 0;
}

int hm_pprof_encode_heap(const hm_heap_profile *heap, hm_pprof_type type, uint8_t **buf,
                         size_t *len, char *err, size_t errlen) {
    heap_build b;
    int rc = hm_pprof_pack_built(heap_build_make(&b, heap, type), &b.profile, buf, len,
                                 "out of memory", err, errlen);
    heap_build_free(&b);
    return rc;
}

int hm_export_pprof_heap(FILE *out, const hm_heap_profile *heap, hm_pprof_type type, char *err,
                         size_t errlen) {
    uint8_t *raw = NULL;
    size_t len = 0;
    if (hm_pprof_encode_heap(heap, type, &raw, &len, err, errlen) != 0)
        return -1;
    int rc = hm_pprof_gzip(out, raw, len, err, errlen);
    free(raw);
    return rc;
}
