/* Memory figures (issue 12) in heatmap-view's outputs: JSON keys, CSV columns, the text view.
 *
 * One place says how a function's hm_heap_figures are written, so the JSON, the CSV, the static
 * text (--mode=memory) and the TUI's Memory mode agree. The key and column names are the results
 * format's (HM_RESULTS_HEAP_KEYS). Nothing here is written for a results file without memory
 * figures (results->has_heap false), so older files render exactly as before.
 */
#ifndef HEATMAP_VIEWER_MEMORY_H
#define HEATMAP_VIEWER_MEMORY_H

#include "hm_results.h"
#include "model.h"

#include <jansson.h>
#include <stdio.h>

/* Add alloc_objects, alloc_bytes, free_objects, inuse_objects, inuse_bytes, peak_inuse_bytes to
 * JSON object `obj`. */
void hm_memory_json_add(json_t *obj, const hm_heap_figures *h);
/* The "memory" member of the summary: the totals, plus "outside" (allocations outside any
 * instrumented function, named HM_HEAP_OUTSIDE_NAME). A new reference. */
json_t *hm_memory_summary_json(const hm_results *r);
/* The text summary's memory line: "Memory: 9.3 KiB in 139 allocations | in use at exit: 3.2 KiB
 * in 4 blocks (3 leaked by functions, 1 (outside))". */
void hm_memory_summary_line(FILE *out, const hm_results *r);
/* ",alloc_objects,...,peak_inuse_bytes" (header) and the row's values, each with its comma. */
void hm_memory_csv_header(FILE *out);
void hm_memory_csv_row(FILE *out, const hm_heap_figures *h);
/* Bytes as text: "512 B", "1.5 KiB", "3.2 MiB", "1.0 GiB" into buf. */
void hm_memory_bytes(uint64_t bytes, char *buf, size_t size);
/* The detail pane's memory lines of function f (no line when the file has no memory figures):
 * up to `max` NUL-terminated lines of `len` bytes into lines; returns how many. */
size_t hm_memory_detail_lines(const hm_results *r, const hm_function_stats *f, char *lines,
                              size_t max, size_t len);
/* One list row of the Memory mode: "<bytes allocated> <allocs> <in use> <peak>[ LEAK]" into out,
 * and the bar's fraction (allocated bytes / the largest shown) in *fraction. */
void hm_memory_row_info(const hm_heap_figures *h, uint64_t max_alloc, char *out, size_t len,
                        double *fraction);

/* The static text of --mode=memory: per function (the model's rows, by the model's sort) its
 * allocated bytes, allocations, in-use bytes and peak, with bars of allocated bytes and a leak
 * mark, then (outside) (the totals are the summary's Memory line). 0, or -1 on a write error. */
int hm_memory_render_text(FILE *out, const hm_model *m, size_t width);

#endif /* HEATMAP_VIEWER_MEMORY_H */
