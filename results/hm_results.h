/* Results files (heatmap.json): load, validate, merge, sort, diff and compute percentiles.
 *
 * Shared by heatmap-view, the exports and the tests. Parses with its own strict JSON reader
 * (json_read.h); knows nothing of ncurses.
 * The file format is docs/results-format.md. Every load error names the file and what is wrong.
 *
 * Objects returned here are plain data: a caller may read every field directly. Nothing keeps
 * global state, so every function is safe to call from several threads on different objects.
 */
#ifndef HEATMAP_RESULTS_H
#define HEATMAP_RESULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <heatmap/duration.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hm_bucket {
    uint32_t index; /* bucket index, see include/heatmap/histogram.h */
    uint64_t count;
} hm_bucket;

/* Optional per-thread split of one function ("threads" inside a function object; read when the
 * runtime writes it, empty otherwise). */
typedef struct hm_thread_split {
    uint64_t tid;
    uint64_t count;
    uint64_t self_ns;
    uint64_t cpu_ns, wait_ns; /* self_ns == cpu_ns + wait_ns; both 0 in a file without the split */
} hm_thread_split;

/* Memory tracking's figures of one function, or of "(outside)" or a total (the results file's
 * "heap" section): allocations (objects, requested bytes) made while it was the innermost
 * instrumented frame, and how many of those were released (wherever). In use = allocated -
 * released (hm_heap_inuse_*); peak: the most bytes of its blocks in use at once (exact within one
 * run; after a merge, the largest run's). */
typedef struct hm_heap_figures {
    uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes, peak_inuse_bytes;
} hm_heap_figures;

typedef struct hm_function_stats {
    char *name;
    char *file; /* "" when unknown */
    uint32_t line;
    uint64_t count; /* every call, count-only (throttled) calls included */
    bool throttled; /* the runtime switched it to count-only ("throttled_after" in the file) */
    uint64_t timed; /* the calls timed, which the figures below describe: throttled_after, else
                     * count (set by the loader and the merge; 0 in a hand-made entry means
                     * count when not throttled) */
    uint64_t self_ns;
    uint64_t max_ns;
    uint64_t p50_ns, p95_ns, p99_ns; /* recomputed from the histogram on load and after merge */
    hm_bucket *buckets;              /* ascending index, no zero counts */
    size_t nbuckets;
    hm_thread_split *threads; /* per-thread split when the file has one, ascending tid */
    size_t nthreads;
    /* Self time split into on-CPU and waiting (results from a runtime that measures it):
     * self_ns == cpu_ns + wait_ns exactly when has_cpu, both 0 otherwise. blocked_ns is the
     * measured part of wait_ns (time in interposed blocking calls while this function was the
     * innermost instrumented frame); open_calls counts the calls of `count` still running when
     * the file was written (closed as if they returned then). Min, avg, max and percentiles stay
     * wall self time per call. */
    bool has_cpu;
    uint64_t cpu_ns, wait_ns, blocked_ns, open_calls;
    hm_heap_figures heap; /* all 0 when the file has no "heap" section (results->has_heap) */
} hm_function_stats;

typedef struct hm_thread_stats {
    uint64_t tid;
    char *name;
    uint64_t calls;
    uint64_t self_ns;
    /* When has_cpu (newer runtimes): the thread's kernel CPU clock from its first instrumented call
     * to its exit or the write, its time blocked in interposed calls since then (inside or outside
     * instrumented frames), its estimated preempted time inside instrumented frames, and the
     * profiler's own cost on it. All 0 otherwise. */
    bool has_cpu;
    uint64_t cpu_ns, wait_ns, preempt_ns, overhead_ns;
} hm_thread_stats;

typedef struct hm_results {
    int version;
    char *path; /* file it was loaded from (first file for a merge) */
    char *program;
    int64_t pid;
    char *hostname;
    uint64_t start_unix_ns;
    uint64_t elapsed_ns;
    char *clock;
    uint64_t overhead_ns;
    char *end;
    /* Optional figures of newer runtimes (docs/results-format.md); each has_* tells whether every
     * file had it. wall_ns: raw wall time (elapsed_ns is the program's time, the profiler's cost on
     * the critical path taken off); overhead_total_ns: the profiler's cost summed over threads;
     * process_cpu_ns: the kernel's process CPU clock over wall_ns; cpus: CPUs the process may
     * run on (0 when unknown). has_cpu: every function carries cpu_ns and wait_ns. */
    bool has_cpu, has_wall, has_overhead_total, has_process_cpu;
    uint64_t wall_ns, overhead_total_ns, process_cpu_ns, cpus;
    hm_function_stats *functions;
    size_t nfunctions;
    /* Memory tracking (docs/results-format.md, "heap"): has_heap when every file had the section;
     * heap_outside: allocations made outside any instrumented function ("(outside)"); heap_total:
     * the functions' figures plus (outside)'s (peak: the largest single peak, not a sum). */
    bool has_heap;
    hm_heap_figures heap_outside, heap_total;
    hm_thread_stats *threads;
    size_t nthreads;
    size_t nfiles; /* files this object was made from: 1 when loaded, N after a merge of N */
} hm_results;

/* ---- Loading ------------------------------------------------------------------------------- */

/* Load and validate one results file. Returns 0 and a new object in *out, or -1 with *out NULL and
 * a one-line message in err ("heatmap.json: not a results file: missing key \"functions\""). The
 * path
 * "-" reads standard input (named "<stdin>" in messages). */
int hm_results_load(const char *path, hm_results **out, char *err, size_t errlen);

/* The same from a buffer; `name` stands for the file in messages and in results->path. */
int hm_results_load_buffer(const char *data, size_t len, const char *name, hm_results **out,
                           char *err, size_t errlen);

/* Load several files and merge them (hm_results_merge); n == 1 is a plain load. Same contract as
 * hm_results_load: the message names the file that failed (the first in input order when several
 * do). Files are read on one worker thread per CPU and merged one at a time in input order as
 * they come, each freed once merged: memory is bounded by the distinct functions, not by n, and
 * the result does not depend on the threads' timing. */
int hm_results_load_many(const char *const *paths, size_t n, hm_results **out, char *err,
                         size_t errlen);

/* The same with `jobs` worker threads (0: one per CPU, as hm_results_load_many; 1: none). */
int hm_results_load_many_jobs(const char *const *paths, size_t n, unsigned jobs, hm_results **out,
                              char *err, size_t errlen);

void hm_results_free(hm_results *results);

/* ---- Totals and per-function figures --------------------------------------------------------- */

/* Sums over all functions: self time (wall), its on-CPU part (the seed's "CPU Time") and its
 * waiting part, and call counts. cpu and wait are 0 when !results->has_cpu: a file from an older
 * runtime knows only wall self time, and calling that CPU time would be wrong. */
uint64_t hm_results_self_ns(const hm_results *results);
uint64_t hm_results_cpu_ns(const hm_results *results);
uint64_t hm_results_wait_ns(const hm_results *results);
uint64_t hm_results_total_calls(const hm_results *results);

/* CPU Time / Elapsed; 0 when elapsed is 0 or the file has no cpu figures (!has_cpu). */
double hm_results_parallelism(const hm_results *results);

/* The profiler's own cost (overhead_total_ns) as a fraction of the thread time the run spent in
 * instrumented code and in the profiler: overhead_total ÷ (Σ self_ns + overhead_total). For one
 * thread instrumented from main this is the share of the raw wall time. 0 when unknown
 * (!has_overhead_total) or when both are 0. */
double hm_results_overhead_share(const hm_results *results);

/* The value a function is ranked by for HM_SORT_CPU: cpu_ns, or self_ns when the file has no
 * split (so an older file still ranks by the best figure it has). */
uint64_t hm_function_cpu_rank_ns(const hm_function_stats *function);

/* Avg = self_ns / count, rounded to nearest; 0 when count is 0. */
uint64_t hm_function_avg_ns(const hm_function_stats *function);

/* Nearest-rank percentile p (a whole number, 0 < p <= 100) of a histogram holding `count` samples,
 * by the format's rule (hm_percentile_rank, hm_percentile_value in <heatmap/results_format.h>):
 * the bucket midpoint clipped to max_ns; the last rank (rank == count) is max_ns itself, exact. 0
 * for an empty histogram. */
uint64_t hm_hist_percentile(const hm_bucket *buckets, size_t nbuckets, uint64_t count, unsigned p,
                            uint64_t max_ns);

/* Recompute p50/p95/p99 of one function from its histogram (ranks within the histogram's total). */
void hm_function_update_percentiles(hm_function_stats *function);

/* Objects and bytes still in use (allocated, not released): leaks at exit. */
uint64_t hm_heap_inuse_objects(const hm_heap_figures *h);
uint64_t hm_heap_inuse_bytes(const hm_heap_figures *h);

/* ---- Merge ----------------------------------------------------------------------------------- */

/* Rows a merged thread table keeps, the busiest; the others are summed in one row HM_OTHER_TID,
 * HM_OTHER_NAME (<heatmap/results_format.h>), as the runtime keeps its HEATMAP_THREADS_MAX
 * busiest threads (whose default is the same). */
#define HM_MERGE_THREADS_MAX 64

/* Merge n >= 1 results into a new object: functions matched by name + file + line have their
 * counts, self-times (cpu, wait, blocked too), open calls and histograms summed, the largest max
 * kept and percentiles recomputed; has_cpu holds when every input has it. elapsed and wall are the
 * largest, overhead_total and process_cpu summed, cpus the largest; start the earliest start.
 * Threads: the HM_MERGE_THREADS_MAX busiest rows (cpu_ns, or self_ns without CPU figures; the
 * earlier on a tie) in input order, the rest summed in one "other threads" row (tid 0);
 * per-function splits are summed by tid, ascending, a thread without a row counted under tid 0.
 * Metadata (path, program, pid, hostname, end) comes from the first
 * input; clock is "mixed" when the inputs disagree. Functions of the result are ordered by name,
 * file, line. Returns 0 and *out, or -1 with a message (only on out-of-memory or n == 0). Inputs
 * unchanged. Memory: the result and one entry per distinct function (results_merge.c). */
int hm_results_merge(const hm_results *const *inputs, size_t n, hm_results **out, char *err,
                     size_t errlen);

/* ---- Sort and filter ------------------------------------------------------------------------- */

typedef enum hm_sort_key {
    HM_SORT_CPU = 0, /* cpu_ns (hm_function_cpu_rank_ns), largest first */
    HM_SORT_COUNT,   /* count, largest first */
    HM_SORT_AVG,     /* self_ns / count, largest first (exact, not rounded) */
    HM_SORT_MAX,     /* max_ns, largest first */
    HM_SORT_P95,     /* p95_ns, largest first */
    HM_SORT_NAME,    /* name, A to Z (bytewise) */
    HM_SORT_SELF,    /* self_ns (wall), largest first */
    HM_SORT_WAIT,    /* wait_ns, largest first */
    HM_SORT_MEM,     /* heap.alloc_bytes (allocated bytes), largest first; then in-use bytes */
} hm_sort_key;
#define HM_SORT_KEY_COUNT 9

/* "cpu", "count", "avg", "max", "p95", "name", "self", "wait", "mem". */
const char *hm_sort_key_name(hm_sort_key key);
/* Parse one of those names; returns 0, or -1 for anything else. */
int hm_sort_key_parse(const char *name, hm_sort_key *out);

/* <0, 0, >0 as a sorts before, with, after b. Ties on the key break by name, then file, then line,
 * all ascending, so the order is total and deterministic for distinct functions. */
int hm_function_compare(const hm_function_stats *a, const hm_function_stats *b, hm_sort_key key);

/* Sort results->functions in place (stable). */
void hm_results_sort(hm_results *results, hm_sort_key key);

/* fnmatch(3) of `glob` against `name`, smart-case as in vim and less: a glob without an ASCII
 * capital ignores case (`hash` matches ZSTD_fillDoubleHashTable), one with a capital is matched
 * exactly (`Hash` does not match rehash). NULL or "" matches every name. Every place that selects
 * functions by name (--filter, the TUI's filter, --diff, --fail-if's GLOB) goes through here. */
bool hm_name_matches(const char *name, const char *glob);
/* hm_name_matches of the function's name. */
bool hm_function_matches(const hm_function_stats *function, const char *glob);

/* Fill idx (room for results->nfunctions entries) with the indexes of the functions matching
 * `glob`, ordered by `key`; returns how many. The results object is not modified. */
size_t hm_results_select(const hm_results *results, const char *glob, hm_sort_key key, size_t *idx);

/* ---- Diff ------------------------------------------------------------------------------------ */

typedef enum hm_diff_status {
    HM_DIFF_BOTH = 0, /* present in both files */
    HM_DIFF_NEW,      /* only in the second (after) file */
    HM_DIFF_VANISHED, /* only in the first (before) file */
} hm_diff_status;

typedef struct hm_diff_row {
    hm_diff_status status;
    const hm_function_stats *before; /* NULL when NEW; points into the base results */
    const hm_function_stats *after;  /* NULL when VANISHED; points into the new results */
    int64_t cpu_delta_ns;            /* after self_ns - before self_ns (missing side counts 0) */
} hm_diff_row;

/* Pair the functions of two results. Pairs by name + file + line; functions left over are then
 * paired by name + file, then by name alone, when that pairing is unique on both sides (code moved
 * between the runs). Rows are ordered by regression: cpu_delta_ns largest first, ties by name,
 * file, line. Returns 0 with a malloc'd array in *rows (free() it; it points into both inputs,
 * which must outlive it) and its length in *nrows, or -1 on out-of-memory. */
int hm_results_diff(const hm_results *before, const hm_results *after, hm_diff_row **rows,
                    size_t *nrows);

/* ---- Durations ------------------------------------------------------------------------------- */

/* HM_DURATION_LEN: room for any formatted duration (heatmap/duration.h). */
#define HM_FMT_ASCII 1 /* write "us" instead of "µs" */

/* Human duration with 3 significant digits: below 1000 ns the integer ("850ns"), else the largest
 * unit of ns, µs, ms, s that keeps the rounded value below 1000, with 2, 1 or 0 decimals ("1.25µs",
 * "12.5ms", "686µs", "1.00ms"); seconds are not carried further ("1234s"). Rounds half up in
 * integer arithmetic, so the text is the same on every machine. Returns buf. */
const char *hm_format_duration(uint64_t ns, int flags, char buf[HM_DURATION_LEN]);

/* Parse "500ms", "2.5s", "300us", "300µs", "42ns", "2m", "1h" (a number then a unit: ns, us or µs,
 * ms, s, m, h; no space), or several such parts from the largest unit to the smallest ("1h30m",
 * "1m30.5s", "2s500ms"); returns 0 and stores ns, or -1 (no unit, an unknown unit such as "5min",
 * units out of order or repeated, overflow). With `end` non-NULL the parse stops after the last
 * unit and *end points past it; with `end` NULL the whole string must be consumed. */
int hm_parse_duration(const char *text, uint64_t *ns, const char **end);

#ifdef __cplusplus
}
#endif
/* ---- Helpers for the loaders and the encoders built on them -------------------------------- */

/* printf into a caller's error buffer (err, errlen: the convention of every function here that
 * can fail with a message); always returns -1. */
int hm_errorf(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* Index of `name` in names[0..n) (exact, bytewise), or -1: how names of an enum are parsed (sort
 * keys here, the viewer's modes). */
int hm_name_index(const char *const *names, int n, const char *name);

/* Grow *items (element size `size`, *cap elements allocated) so that it holds at least `need`
 * elements, doubling from 16. Returns 0, or -1 on out-of-memory with *items and *cap unchanged. */
int hm_reserve(void **items, size_t *cap, size_t need, size_t size);

#endif /* HEATMAP_RESULTS_H */
