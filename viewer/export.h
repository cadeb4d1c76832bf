/* Exports of heatmap-view (`--export=KIND -o FILE RESULTS...`): the call paths and the trace in the
 * formats whose tools people already use. docs/exports.md says how to open each one.
 *
 *   pprof   gzip-compressed profile.proto: one sample per call path, values (calls, count) and
 *           (cpu, nanoseconds) = self time; locations leaf first       (export_pprof.c)
 *   folded  "a;b;c self_ns" lines, root first, merged and sorted         (export_folded.c)
 *   chrome  Chrome Trace Event JSON from the trace file beside each results file (export_chrome.c)
 *   svg     a flame graph picture, widths ∝ total time, the TUI's heat colours (export_svg.c)
 *
 * Every writer takes loaded data (hm_paths, hm_trace) and a stream, so the unit tests call them on
 * fixtures; hm_export_run() does the loading for the command line. Totals are preserved: the
 * self times of pprof, folded and svg add up to the functions' self times, and pprof's calls to
 * their calls (calls folded beyond the node limit get a "(paths beyond the node limit)" frame).
 * Writers report failures as a one-line message in err and return -1; they never exit.
 */
#ifndef HEATMAP_VIEWER_EXPORT_H
#define HEATMAP_VIEWER_EXPORT_H

#include "hm_paths.h"
#include "hm_trace.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum hm_export_kind {
    HM_EXPORT_PPROF = 0,
    HM_EXPORT_FOLDED,
    HM_EXPORT_CHROME,
    HM_EXPORT_SVG,
} hm_export_kind;

/* "pprof", "folded", "chrome", "svg"; 0 or -1 for another name. */
int hm_export_kind_parse(const char *name, hm_export_kind *out);
const char *hm_export_kind_name(hm_export_kind kind);
/* The file written when -o is not given: heatmap.pb.gz, heatmap.folded, heatmap.chrome.json,
 * heatmap.svg. */
const char *hm_export_default_output(hm_export_kind kind);

/* Name of the pseudo-function under which pprof places calls that no node counts. */
#define HM_EXPORT_BEYOND_LIMIT "(paths beyond the node limit)"

/* ---- pprof ---------------------------------------------------------------------------------- */

/* The uncompressed profile.proto message for `paths`, malloc'd into *buf (free() it). Returns 0,
 * or -1 with a message. */
int hm_pprof_encode(const hm_paths *paths, uint8_t **buf, size_t *len, char *err, size_t errlen);

/* The same, gzip-compressed (as pprof stores profiles), written to out. */
int hm_export_pprof(FILE *out, const hm_paths *paths, char *err, size_t errlen);

/* ---- folded --------------------------------------------------------------------------------- */

/* One line per distinct stack of function names with self time > 0: "root;...;leaf SELF_NS\n",
 * lines sorted bytewise, stacks equal by name merged (summed). A ';' in a name becomes ':' and a
 * control character '?', so every line parses. */
int hm_export_folded(FILE *out, const hm_paths *paths, char *err, size_t errlen);

/* ---- chrome --------------------------------------------------------------------------------- */

/* {"traceEvents": [...]}: per trace a process_name and per thread a thread_name metadata event,
 * then B/E events in microseconds with three decimals (ns precision); frames still open at the
 * end get their E at the trace's end_ns. */
int hm_export_chrome(FILE *out, const hm_trace *const *traces, size_t ntraces, char *err,
                     size_t errlen);

/* ---- svg ------------------------------------------------------------------------------------ */

typedef struct hm_svg_opts {
    unsigned width;    /* picture width in px; 0 = 1200 */
    const char *title; /* NULL = "Flame graph" */
} hm_svg_opts;

/* A flame graph: the root ("all") at the bottom, one frame per node with a width ∝ its total
 * time, coloured by its function's share of the largest function self time (heat.h), a name
 * clipped with "…" to the frame, and a <title> tooltip with calls, self and total time. */
int hm_export_svg(FILE *out, const hm_paths *paths, const hm_svg_opts *opts, char *err,
                  size_t errlen);

/* ---- command line --------------------------------------------------------------------------- */

/* Load what `kind` needs from the results files (their call paths merged, or for chrome the trace
 * beside each) and write the export to out_path ("-" = standard output; NULL = the default name).
 * Returns 0, or -1 with a one-line message (for chrome without a trace file it says to run with
 * HEATMAP_TRACE=1). A partly written file is removed. */
int hm_export_run(hm_export_kind kind, const char *const *files, size_t nfiles,
                  const char *out_path, char *err, size_t errlen);

#endif /* HEATMAP_VIEWER_EXPORT_H */
