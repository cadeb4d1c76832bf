/* The export library (export/): the call paths, CPU samples and the trace in the formats whose
 * tools people already use. heatmap-view's `--export=KIND [--type=T] -o FILE RESULTS...` and the
 * runtime's at-exit profiles (libheatmap-export.so.1, heatmap/export_api.h) both come here.
 * Layers: results/ loads, export/ encodes, viewer/ presents; nothing here includes viewer/.
 * docs/exports.md says how to open each one.
 *
 *   pprof   gzip-compressed profile.proto, by --type:
 *             calls  (default) one sample per call path, values (calls, count) and
 *                    (cpu, nanoseconds) = self time; locations leaf first  (export_pprof.c)
 *             block, mutex  one sample per call path that waited: (contentions, count) and
 *                    (delay, nanoseconds)                                  (export_pprof.c)
 *             cpu    the CPU sampler's samples, symbolized with libdw      (export_cpu.c)
 *             heap, allocs  memory tracking's call sites: alloc_objects, alloc_space,
 *                    inuse_objects, inuse_space; default inuse_space / alloc_space (export_heap.c)
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
#ifndef HEATMAP_EXPORT_EXPORT_H
#define HEATMAP_EXPORT_EXPORT_H

#include "hm_heap.h"
#include "hm_paths.h"
#include "hm_profile.h"
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

/* What a pprof profile holds (`--type=`, HEATMAP_PROFILE_TYPE). */
typedef enum hm_pprof_type {
    HM_PPROF_CALLS = 0, /* exact calls and self times per call path (what --export=pprof made) */
    HM_PPROF_CPU,       /* sampled CPU time, native pcs + shadow stacks (cpu_profile) */
    HM_PPROF_BLOCK,     /* blocking waits per call path (nodes' block_count, block_ns) */
    HM_PPROF_MUTEX,     /* lock waits per call path (nodes' mutex_count, mutex_ns) */
    HM_PPROF_HEAP,      /* memory tracking per call site, inuse_space by default (export_heap.c) */
    HM_PPROF_ALLOCS,    /* the same, alloc_space by default */
} hm_pprof_type;

/* The heap (or allocs) profile of `heap` as an uncompressed profile.proto, malloc'd into *buf, or
 * written gzip'd to out. 0, or -1 with a message. */
int hm_pprof_encode_heap(const hm_heap_profile *heap, hm_pprof_type type, uint8_t **buf,
                         size_t *len, char *err, size_t errlen);
int hm_export_pprof_heap(FILE *out, const hm_heap_profile *heap, hm_pprof_type type, char *err,
                         size_t errlen);

/* "calls", "cpu", "block", "mutex", "heap", "allocs"; 0, or -1 for another name (of len bytes of
 * name). */
int hm_pprof_type_parse(const char *name, size_t len, hm_pprof_type *out);
const char *hm_pprof_type_name(hm_pprof_type type);

/* gzip `raw` (a packed profile.proto) to out, as pprof stores profiles. 0, or -1 with a message. */
int hm_pprof_gzip(FILE *out, const uint8_t *raw, size_t len, char *err, size_t errlen);

/* The uncompressed profile.proto of `paths` for type calls, block or mutex (not cpu), malloc'd
 * into *buf (free() it). Returns 0, or -1 with a message. */
int hm_pprof_encode_paths(const hm_paths *paths, hm_pprof_type type, uint8_t **buf, size_t *len,
                          char *err, size_t errlen);
/* The same, gzip-compressed, written to out. */
int hm_export_pprof_paths(FILE *out, const hm_paths *paths, hm_pprof_type type, char *err,
                          size_t errlen);

/* The uncompressed cpu profile of `cpu`: its pcs symbolized with libdw from the mappings' ELF
 * files (functions, inlined frames, source lines; an address that cannot be symbolized keeps its
 * address), followed by the shadow stack's instrumented functions. Values (samples, count) and
 * (cpu, nanoseconds) = count × period_ns. Reads the mapped files; returns 0, or -1 with a message
 * (a missing ELF file is not an error: its pcs stay addresses). */
int hm_pprof_encode_cpu(const hm_cpu_profile *cpu, uint8_t **buf, size_t *len, char *err,
                        size_t errlen);
int hm_export_pprof_cpu(FILE *out, const hm_cpu_profile *cpu, char *err, size_t errlen);

/* hm_pprof_encode_paths / hm_export_pprof_paths with HM_PPROF_CALLS. */
int hm_pprof_encode(const hm_paths *paths, uint8_t **buf, size_t *len, char *err, size_t errlen);

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

/* The same with the pprof type (ignored for other kinds): cpu loads cpu_profile (hm_profile.h),
 * the others the call paths. hm_export_profiles_v1 writes each of its files through this. */
int hm_export_run_type(hm_export_kind kind, hm_pprof_type type, const char *const *files,
                       size_t nfiles, const char *out_path, char *err, size_t errlen);

#endif /* HEATMAP_EXPORT_EXPORT_H */
