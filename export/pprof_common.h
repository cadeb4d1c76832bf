/* What the two pprof encoders share (export_pprof.c for call paths, export_cpu.c for samples).
 *
 * The protobuf-c type names, the header every profile carries (two sample types, the second the
 * default, a period type and period, one comment, time and duration) and packing. Internal to
 * export/; the public entry points are export.h.
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

/* Function `id` (name, file: string indexes; start line) and its location `id` in mapping 1, one
 * line: how the call-path and heap profiles place a function (they carry no addresses). The
 * caller owns the four objects; *line_ptr must live as long as the location. */
void hm_pprof_function_location(pb_function *fn, pb_line *ln, pb_line **line_ptr, pb_location *loc,
                                uint64_t id, int64_t name, int64_t file, int64_t start_line);

/* The rest of a symbolized profile: its one mapping (the program's name, flagged as having
 * functions, file names and lines, so pprof never looks for the binary), n functions with one
 * location each, and the string table. The arrays must live as long as the profile. */
void hm_pprof_symbolized(pb_profile *pr, pb_mapping *mapping, pb_mapping **mapping_ptr,
                         int64_t program, pb_location **locations, pb_function **functions,
                         size_t n, char **strings, size_t nstrings);

/* The packed message in a new malloc'd *buf (free() it). 0, or -1 on out-of-memory. */
int hm_pprof_pack(const pb_profile *pr, uint8_t **buf, size_t *len);

#endif /* HEATMAP_EXPORT_PPROF_COMMON_H */
