/* What the pprof encoders share (export_pprof.c for call paths, export_cpu.c for samples,
 * export_heap.c for call sites, server_profiles.c for the live stacks), defined in export_pprof.c.
 *
 * The protobuf-c type names, the header most profiles carry (two sample types, the second the
 * default, a period type and period, one comment, time and duration), the arrays of a profile
 * without addresses, the tables a profile points to, and packing. Internal to export/; the public
 * entry points are export.h.
 */
#ifndef HEATMAP_EXPORT_PPROF_COMMON_H
#define HEATMAP_EXPORT_PPROF_COMMON_H

#include "profile.pb-c.h"

#include <stddef.h>
#include <stdint.h>

typedef Perftools__Profiles__Profile pb_profile;
typedef Perftools__Profiles__ValueType pb_value_type;
typedef Perftools__Profiles__Sample pb_sample;
typedef Perftools__Profiles__Location pb_location;
typedef Perftools__Profiles__Line pb_line;
typedef Perftools__Profiles__Function pb_function;
typedef Perftools__Profiles__Mapping pb_mapping;

/* Storage for the header's sub-messages; lives as long as the profile. */
typedef struct hm_pprof_head {
    pb_value_type types[2], period_type;
    pb_value_type *type_ptrs[2];
    int64_t comment;
} hm_pprof_head;

/* The header's values: string-table indexes (type, unit), the period and the run's times. */
typedef struct hm_pprof_head_spec {
    int64_t type[2], unit[2]; /* sample types; type[1] is the default */
    int64_t period_type, period_unit, period;
    int64_t comment;
    uint64_t time_ns, duration_ns;
} hm_pprof_head_spec;

/* Initialize *pr and fill its header from spec, pointing into *head. The caller then sets the
 * samples, mappings, locations, functions and the string table. */
void hm_pprof_head_init(pb_profile *pr, hm_pprof_head *head, const hm_pprof_head_spec *spec);

/* The arrays of a profile whose functions have one location of one line each, no addresses (the
 * call-path, heap and live stacks profiles): function, location and line f + 1 are element f. */
typedef struct hm_pprof_arrays {
    pb_function *functions, **function_ptrs;
    pb_location *locations, **location_ptrs;
    pb_line *lines, **line_ptrs;
    pb_sample *samples, **sample_ptrs;
    uint64_t *location_ids; /* all samples' location ids, back to back */
    int64_t *values;        /* all samples' values, back to back */
} hm_pprof_arrays;

/* Allocate *a zeroed: nfunctions functions, locations and lines (and their pointer arrays),
 * nsamples samples, nids location ids and nvalues values (each one more, so none is empty).
 * 0, or -1 on out-of-memory: then *a holds what was allocated, for hm_pprof_arrays_free. */
int hm_pprof_arrays_alloc(hm_pprof_arrays *a, size_t nfunctions, size_t nsamples, size_t nids,
                          size_t nvalues);
void hm_pprof_arrays_free(hm_pprof_arrays *a);

/* Function f + 1 (name, file: string indexes; start line) and its location f + 1 in mapping 1,
 * one line: how these profiles place a function. */
void hm_pprof_arrays_function(hm_pprof_arrays *a, size_t f, int64_t name, int64_t file,
                              int64_t start_line);

/* The tables a profile points to; they must live as long as it. */
typedef struct hm_pprof_tables {
    pb_sample **samples;
    size_t nsamples;
    pb_mapping **mappings;
    size_t nmappings;
    pb_location **locations;
    size_t nlocations;
    pb_function **functions;
    size_t nfunctions;
    char **strings;
    size_t nstrings;
} hm_pprof_tables;

/* Point *pr at its samples, mappings, locations, functions and string table. */
void hm_pprof_set_tables(pb_profile *pr, const hm_pprof_tables *t);

/* The rest of a symbolized profile (hm_pprof_arrays): its one mapping (the program's name,
 * flagged as having functions, file names and lines, so pprof never looks for the binary), the
 * first nfunctions functions with their locations, the first nsamples samples and the string
 * table. Everything must live as long as the profile. */
void hm_pprof_symbolized(pb_profile *pr, pb_mapping *mapping, pb_mapping **mapping_ptr,
                         int64_t program, const hm_pprof_arrays *a, size_t nfunctions,
                         size_t nsamples, char **strings, size_t nstrings);

/* The packed message in a new malloc'd *buf (free() it). 0, or -1 on out-of-memory. */
int hm_pprof_pack(const pb_profile *pr, uint8_t **buf, size_t *len);

/* The end of an encoder whose build returned `built` (0: done, else out of memory): the packed
 * profile into a new malloc'd *buf (free() it) and 0; else *buf NULL, *len 0, `oom` (the
 * encoder's out-of-memory message) in err and -1. */
int hm_pprof_pack_built(int built, const pb_profile *pr, uint8_t **buf, size_t *len,
                        const char *oom, char *err, size_t errlen);

#endif /* HEATMAP_EXPORT_PPROF_COMMON_H */
