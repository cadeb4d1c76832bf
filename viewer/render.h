/* Static outputs of heatmap-view: the text summary with one of the list views, JSON and CSV.
 *
 * Everything here writes to a FILE and is deterministic for a given model, width and glyph set,
 * which is what the golden-file tests rely on. No ncurses.
 */
#ifndef HEATMAP_VIEWER_RENDER_H
#define HEATMAP_VIEWER_RENDER_H

#include "glyphs.h"
#include "model.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

typedef struct hm_render_opts {
    const hm_glyphs *glyphs;
    size_t width; /* columns for the text output */
    bool threads; /* add the per-thread table */
} hm_render_opts;

/* The seed's static summary, the model's mode (bar, sparkline or table) and, with o->threads, the
 * thread table. Returns 0, or -1 when writing failed. */
int hm_render_text(FILE *out, const hm_model *m, const hm_render_opts *o);

/* JSON and CSV list the model's rows: the caller sets its top-N (HM_TOP_ALL for every function).
 *
 * The model as a results file (version 1, readable by hm_results_load) plus a "summary" object and
 * per-function "avg_ns": the loaded or merged data, filtered and sorted as the model is. */
int hm_render_json(FILE *out, const hm_model *m, const hm_render_opts *o);

/* The table as CSV (RFC 4180 quoting), times in ns:
 * function,file,line,count,self_ns,cpu_ns,wait_ns,avg_ns,max_ns,p50_ns,p95_ns,p99_ns
 * (self_ns = cpu_ns + wait_ns; cpu_ns and wait_ns empty for a file from an older runtime). With
 * --threads: function,file,line,tid,thread,count,self_ns,cpu_ns,wait_ns,avg_ns. */
int hm_render_csv(FILE *out, const hm_model *m, const hm_render_opts *o);

/* Write `root` as JSON indented by two, then `key` with an array of nrows rows, one per line (a
 * results file stays readable and diffable however long its histograms are): row i is made by
 * row_json(i, ctx) (a new reference, or NULL on out-of-memory), written and released before the
 * next, so the output never holds more than one row in memory. root must not hold `key`. Returns
 * 0, or -1 on a write or out-of-memory error. */
int hm_json_write_rows(FILE *out, const json_t *root, const char *key, size_t nrows,
                       json_t *(*row_json)(size_t i, const void *ctx), const void *ctx);

/* Whether every thread of the run has its CPU clock (threads[].cpu_ns, newer runtimes). */
bool hm_threads_have_cpu(const hm_results *r);

/* Fill order[0 .. r->nthreads) with thread indexes: by CPU (largest first, ties by tid) when
 * hm_threads_have_cpu, else file order. The static thread table and the TUI's both use it. */
void hm_thread_order(const hm_results *r, size_t *order);

/* Print s without its trailing spaces, then a newline. */
void hm_put_line(FILE *out, const char *s);

/* Write one CSV field, quoted when it holds a comma, quote, CR or LF. */
void hm_csv_field(FILE *out, const char *s);

#endif /* HEATMAP_VIEWER_RENDER_H */
