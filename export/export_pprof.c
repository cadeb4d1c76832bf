/* pprof export of the call paths: --type=calls, block and mutex as gzip'd profile.proto (export.h).
 *
 * The message is built with protobuf-c from export/pprof/profile.proto (the subset of pprof's
 * format we write) and compressed with zlib's gzip wrapper, which is what pprof reads. The cpu
 * type, from sampled pcs rather than call paths, is export_cpu.c; it shares hm_pprof_gzip().
 *
 * Layout of the profile (calls; block and mutex differ only where said):
 *   sample_type          [calls, count], [cpu, nanoseconds]; default_sample_type "cpu"
 *                        block, mutex: [contentions, count], [delay, nanoseconds] (Go's names),
 *                        default "delay", period_type [contentions, count]
 *   function f+1         one per function of the merged tree: name, file, start line
 *   mapping 1            the program (its "program" string), flagged as having functions, file
 *                        names and lines: the profile is already symbolized, pprof must not look
 *                        for the binary
 *   location f+1         one per function in mapping 1, a single line (function f+1, its start
 *                        line), no address
 *   sample               one per tree node with calls or self time: location ids leaf first
 *                        (the node, its parent, ..., the outermost call), values [count, self_ns]
 *                        block: one per node with block_count > 0, [block_count, block_ns];
 *                        mutex: one per node with mutex_count > 0, [mutex_count, mutex_ns]
 *   extra samples        calls only: calls of a function that no node counts (folded beyond the
 *                        node limit): [function, HM_EXPORT_BEYOND_LIMIT], values [calls, 0]
 *   time_nanos, duration_nanos: start and elapsed time of the run(s)
 * So pprof's totals are the results' totals: calls = sum of counts, cpu = sum of self times,
 * contentions and delay = the sums of the nodes' block (mutex) figures.
 */
#include "export.h"
#include "pprof_common.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* The string table: strings appended in order, borrowed from the hm_paths. Function names are
 * distinct; file names are shared, so each distinct file is added once (see add_files). */
typedef struct strtab {
    char **items;
    size_t n;
} strtab;

static int64_t add_string(strtab *t, const char *s) {
    t->items[t->n] = (char *)s;
    return (int64_t)t->n++;
}

static int compare_file(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* String index of each function's file (0 for ""), equal files sharing one entry. */
static int add_files(strtab *t, const hm_paths *p, int64_t *file_index) {
    char **files = malloc((p->nfunctions ? p->nfunctions : 1) * sizeof *files);
    if (files == NULL)
        return -1;
    for (size_t f = 0; f < p->nfunctions; f++)
        files[f] = p->functions[f].file;
    qsort(files, p->nfunctions, sizeof *files, compare_file);
    size_t first = t->n;
    for (size_t f = 0; f < p->nfunctions; f++)
        if (files[f][0] != '\0' && (f == 0 || strcmp(files[f - 1], files[f]) != 0))
            add_string(t, files[f]);
    for (size_t f = 0; f < p->nfunctions; f++) {
        /* binary search among the distinct files just added */
        size_t lo = first, hi = t->n;
        file_index[f] = 0;
        while (p->functions[f].file[0] != '\0' && lo < hi) {
            size_t mid = lo + (hi - lo) / 2;
            int c = strcmp(p->functions[f].file, t->items[mid]);
            if (c == 0) {
                file_index[f] = (int64_t)mid;
                break;
            }
            if (c < 0)
                hi = mid;
            else
                lo = mid + 1;
        }
    }
    free(files);
    return 0;
}

/* Everything the message points to, allocated in a few arrays. */
typedef struct pprof_build {
    pb_profile profile;
    Perftools__Profiles__Mapping mapping, *mapping_ptr;
    hm_pprof_head head;
    hm_pprof_arrays a; /* values: 2 per sample */
    strtab strings;
} pprof_build;

static void build_free(pprof_build *b) {
    hm_pprof_arrays_free(&b->a);
    free(b->strings.items);
}

/* The two values of `node` for a profile of `type` into v; false when the node has no sample. */
static bool node_values(const hm_path_node *node, hm_pprof_type type, int64_t v[2]) {
    switch (type) {
    case HM_PPROF_BLOCK:
        v[0] = (int64_t)node->block_count, v[1] = (int64_t)node->block_ns;
        return node->block_count != 0;
    case HM_PPROF_MUTEX:
        v[0] = (int64_t)node->mutex_count, v[1] = (int64_t)node->mutex_ns;
        return node->mutex_count != 0;
    default:
        v[0] = (int64_t)node->count, v[1] = (int64_t)node->self_ns;
        return node->count != 0 || node->self_ns != 0;
    }
}

static int build(pprof_build *b, const hm_paths *p, hm_pprof_type type) {
    memset(b, 0, sizeof *b);
    bool waits = type == HM_PPROF_BLOCK || type == HM_PPROF_MUTEX;
    int64_t v[2];
    size_t nf = p->nfunctions + 1; /* + the beyond-limit pseudo-function */
    size_t nunplaced = 0;
    uint64_t *unplaced = calloc(nf, sizeof *unplaced);
    if (unplaced == NULL)
        return -1;
    for (size_t i = 1; i < p->nnodes; i++) /* calls the nodes count, then what they miss */
        unplaced[p->nodes[i].function] += p->nodes[i].count;
    for (size_t f = 0; f < p->nfunctions; f++) {
        uint64_t placed = unplaced[f];
        unplaced[f] = p->functions[f].count > placed ? p->functions[f].count - placed : 0;
        if (waits)
            unplaced[f] = 0; /* contentions of unplaced calls are not known */
        nunplaced += unplaced[f] != 0;
    }
    size_t nsamples = nunplaced, nids = 2 * nunplaced;
    for (size_t i = 1; i < p->nnodes; i++)
        if (node_values(&p->nodes[i], type, v)) {
            nsamples++;
            nids += p->nodes[i].depth;
        }
    int arrays = hm_pprof_arrays_alloc(&b->a, nf, nsamples, nids, 2 * nsamples);
    b->strings.items = calloc(8 + 2 * nf, sizeof *b->strings.items);
    int64_t *file_index = calloc(nf, sizeof *file_index);
    if (arrays != 0 || !b->strings.items || !file_index) {
        free(unplaced);
        free(file_index);
        return -1;
    }
    strtab *st = &b->strings;
    add_string(st, ""); /* index 0 must be "" */
    int64_t calls = add_string(st, waits ? "contentions" : "calls");
    int64_t count = add_string(st, "count");
    int64_t cpu = add_string(st, waits ? "delay" : "cpu"), ns = add_string(st, "nanoseconds");
    int64_t comment = add_string(
        st, type == HM_PPROF_BLOCK ? "heatmap: blocking waits per call path (block_count, block_ns)"
            : type == HM_PPROF_MUTEX
                ? "heatmap: lock waits per call path (mutex_count, mutex_ns)"
                : "heatmap: exact call counts and self times, one sample per call path");
    int64_t program = p->program[0] ? add_string(st, p->program) : 0;
    if (add_files(st, p, file_index) != 0) {
        free(unplaced);
        free(file_index);
        return -1;
    }

    /* Functions and their locations: id f + 1. */
    for (size_t f = 0; f < nf; f++) {
        bool pseudo = f == p->nfunctions;
        hm_pprof_arrays_function(
            &b->a, f, add_string(st, pseudo ? HM_EXPORT_BEYOND_LIMIT : p->functions[f].name),
            pseudo ? 0 : file_index[f], pseudo ? 0 : p->functions[f].line);
    }

    /* Samples: one per node with figures, leaf first. */
    size_t s = 0, ids = 0;
    for (size_t i = 1; i < p->nnodes; i++) {
        const hm_path_node *node = &p->nodes[i];
        if (!node_values(node, type, v))
            continue;
        pb_sample *sm = &b->a.samples[s];
        perftools__profiles__sample__init(sm);
        sm->location_id = &b->a.location_ids[ids];
        for (size_t v = i; v != HM_PATH_ROOT; v = p->nodes[v].parent)
            b->a.location_ids[ids + sm->n_location_id++] = p->nodes[v].function + 1;
        ids += sm->n_location_id;
        sm->value = &b->a.values[2 * s];
        sm->n_value = 2;
        sm->value[0] = v[0];
        sm->value[1] = v[1];
        b->a.sample_ptrs[s] = sm;
        s++;
    }
    for (size_t f = 0; f < p->nfunctions; f++) {
        if (unplaced[f] == 0)
            continue;
        pb_sample *sm = &b->a.samples[s];
        perftools__profiles__sample__init(sm);
        sm->location_id = &b->a.location_ids[ids];
        sm->location_id[0] = f + 1;
        sm->location_id[1] = p->nfunctions + 1;
        sm->n_location_id = 2;
        ids += 2;
        sm->value = &b->a.values[2 * s];
        sm->n_value = 2;
        sm->value[0] = (int64_t)unplaced[f];
        b->a.sample_ptrs[s] = sm;
        s++;
    }
    free(unplaced);
    free(file_index);

    pb_profile *pr = &b->profile;
    hm_pprof_head_spec spec = {
        .type = {calls, cpu},
        .unit = {count, ns},
        .period_type = waits ? calls : cpu, /* Go: contentions/count for block and mutex */
        .period_unit = waits ? count : ns,
        .period = 1,
        .comment = comment,
        .time_ns = p->start_unix_ns,
        .duration_ns = p->elapsed_ns,
    };
    hm_pprof_head_init(pr, &b->head, &spec);
    hm_pprof_symbolized(pr, &b->mapping, &b->mapping_ptr, program, &b->a, nf, s, st->items, st->n);
    return 0;
}

int hm_pprof_encode_paths(const hm_paths *paths, hm_pprof_type type, uint8_t **buf, size_t *len,
                          char *err, size_t errlen) {
    pprof_build b;
    *buf = NULL;
    *len = 0;
    if (type == HM_PPROF_CPU) {
        snprintf(err, errlen, "the cpu profile is made from cpu_profile samples, not call paths");
        return -1;
    }
    int rc = hm_pprof_pack_built(build(&b, paths, type), &b.profile, buf, len, "out of memory", err,
                                 errlen);
    build_free(&b);
    return rc;
}

void hm_pprof_head_init(pb_profile *pr, hm_pprof_head *head, const hm_pprof_head_spec *spec) {
    perftools__profiles__profile__init(pr);
    for (int k = 0; k < 2; k++) {
        perftools__profiles__value_type__init(&head->types[k]);
        head->types[k].type = spec->type[k];
        head->types[k].unit = spec->unit[k];
        head->type_ptrs[k] = &head->types[k];
    }
    perftools__profiles__value_type__init(&head->period_type);
    head->period_type.type = spec->period_type;
    head->period_type.unit = spec->period_unit;
    head->comment = spec->comment;
    pr->n_sample_type = 2;
    pr->sample_type = head->type_ptrs;
    pr->default_sample_type = spec->type[1];
    pr->period_type = &head->period_type;
    pr->period = spec->period;
    pr->n_comment = 1;
    pr->comment = &head->comment;
    pr->time_nanos = (int64_t)spec->time_ns;
    pr->duration_nanos = (int64_t)spec->duration_ns;
}

int hm_pprof_arrays_alloc(hm_pprof_arrays *a, size_t nfunctions, size_t nsamples, size_t nids,
                          size_t nvalues) {
    a->functions = calloc(nfunctions + 1, sizeof *a->functions);
    a->function_ptrs = calloc(nfunctions + 1, sizeof *a->function_ptrs);
    a->locations = calloc(nfunctions + 1, sizeof *a->locations);
    a->location_ptrs = calloc(nfunctions + 1, sizeof *a->location_ptrs);
    a->lines = calloc(nfunctions + 1, sizeof *a->lines);
    a->line_ptrs = calloc(nfunctions + 1, sizeof *a->line_ptrs);
    a->samples = calloc(nsamples + 1, sizeof *a->samples);
    a->sample_ptrs = calloc(nsamples + 1, sizeof *a->sample_ptrs);
    a->location_ids = calloc(nids + 1, sizeof *a->location_ids);
    a->values = calloc(nvalues + 1, sizeof *a->values);
    return a->functions && a->function_ptrs && a->locations && a->location_ptrs && a->lines &&
                   a->line_ptrs && a->samples && a->sample_ptrs && a->location_ids && a->values
               ? 0
               : -1;
}

void hm_pprof_arrays_free(hm_pprof_arrays *a) {
    free(a->functions), free(a->function_ptrs);
    free(a->locations), free(a->location_ptrs);
    free(a->lines), free(a->line_ptrs);
    free(a->samples), free(a->sample_ptrs);
    free(a->location_ids), free(a->values);
}

void hm_pprof_arrays_function(hm_pprof_arrays *a, size_t f, int64_t name, int64_t file,
                              int64_t start_line) {
    pb_function *fn = &a->functions[f];
    perftools__profiles__function__init(fn);
    fn->id = f + 1;
    fn->name = name;
    fn->system_name = name;
    fn->filename = file;
    fn->start_line = start_line;
    a->function_ptrs[f] = fn;
    pb_line *ln = &a->lines[f];
    perftools__profiles__line__init(ln);
    ln->function_id = f + 1;
    ln->line = start_line;
    a->line_ptrs[f] = ln;
    pb_location *loc = &a->locations[f];
    perftools__profiles__location__init(loc);
    loc->id = f + 1;
    loc->mapping_id = 1;
    loc->n_line = 1;
    loc->line = &a->line_ptrs[f];
    a->location_ptrs[f] = loc;
}

void hm_pprof_set_tables(pb_profile *pr, const hm_pprof_tables *t) {
    pr->n_sample = t->nsamples;
    pr->sample = t->samples;
    pr->n_mapping = t->nmappings;
    pr->mapping = t->mappings;
    pr->n_location = t->nlocations;
    pr->location = t->locations;
    pr->n_function = t->nfunctions;
    pr->function = t->functions;
    pr->n_string_table = t->nstrings;
    pr->string_table = t->strings;
}

void hm_pprof_symbolized(pb_profile *pr, pb_mapping *mapping, pb_mapping **mapping_ptr,
                         int64_t program, const hm_pprof_arrays *a, size_t nfunctions,
                         size_t nsamples, char **strings, size_t nstrings) {
    perftools__profiles__mapping__init(mapping);
    mapping->id = 1;
    mapping->filename = program;
    mapping->has_functions = mapping->has_filenames = mapping->has_line_numbers = 1;
    *mapping_ptr = mapping;
    hm_pprof_set_tables(pr, &(hm_pprof_tables){.samples = a->sample_ptrs,
                                               .nsamples = nsamples,
                                               .mappings = mapping_ptr,
                                               .nmappings = 1,
                                               .locations = a->location_ptrs,
                                               .nlocations = nfunctions,
                                               .functions = a->function_ptrs,
                                               .nfunctions = nfunctions,
                                               .strings = strings,
                                               .nstrings = nstrings});
}

int hm_pprof_pack(const pb_profile *pr, uint8_t **buf, size_t *len) {
    size_t n = perftools__profiles__profile__get_packed_size(pr);
    *buf = malloc(n ? n : 1);
    *len = 0;
    if (*buf == NULL)
        return -1;
    *len = perftools__profiles__profile__pack(pr, *buf);
    return 0;
}

int hm_pprof_pack_built(int built, const pb_profile *pr, uint8_t **buf, size_t *len,
                        const char *oom, char *err, size_t errlen) {
    *buf = NULL;
    *len = 0;
    if (built == 0 && hm_pprof_pack(pr, buf, len) == 0)
        return 0;
    snprintf(err, errlen, "%s", oom);
    return -1;
}

int hm_pprof_encode(const hm_paths *paths, uint8_t **buf, size_t *len, char *err, size_t errlen) {
    return hm_pprof_encode_paths(paths, HM_PPROF_CALLS, buf, len, err, errlen);
}

int hm_export_pprof(FILE *out, const hm_paths *paths, char *err, size_t errlen) {
    return hm_export_pprof_paths(out, paths, HM_PPROF_CALLS, err, errlen);
}

int hm_export_pprof_paths(FILE *out, const hm_paths *paths, hm_pprof_type type, char *err,
                          size_t errlen) {
    uint8_t *raw;
    size_t len;
    if (hm_pprof_encode_paths(paths, type, &raw, &len, err, errlen) != 0)
        return -1;
    int rc = hm_pprof_gzip(out, raw, len, err, errlen);
    free(raw);
    return rc;
}

int hm_pprof_gzip(FILE *out, const uint8_t *raw, size_t len, char *err, size_t errlen) {
    z_stream z;
    memset(&z, 0, sizeof z);
    /* windowBits 15 + 16: a gzip header and trailer instead of zlib's. */
    if (deflateInit2(&z, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
        snprintf(err, errlen, "zlib: cannot start compressing");
        return -1;
    }
    unsigned char chunk[65536];
    z.next_in = (Bytef *)raw;
    z.avail_in = (uInt)len; /* a profile is far below 4 GiB: one sample per path */
    int zrc, rc = 0;
    do {
        z.next_out = chunk;
        z.avail_out = sizeof chunk;
        zrc = deflate(&z, Z_FINISH);
        size_t have = sizeof chunk - z.avail_out;
        if (zrc == Z_STREAM_ERROR || fwrite(chunk, 1, have, out) != have) {
            snprintf(err, errlen,
                     zrc == Z_STREAM_ERROR ? "zlib: compression failed"
                                           : "cannot write the profile");
            rc = -1;
            break;
        }
    } while (zrc != Z_STREAM_END);
    deflateEnd(&z);
    return rc;
}
