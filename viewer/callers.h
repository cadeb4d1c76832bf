/* Callers and callees of one function, with their share of its time, from the merged call-path
 * tree (hm_paths.h). The data of the TUI's detail pane; no ncurses, no I/O.
 *
 * Usage (the TUI, once per results):
 *     hm_paths *paths;                    // NULL when the files have no call paths: show nothing
 *     if (hm_paths_load_many(files, nfiles, &paths, err, sizeof err) != 0) paths = NULL;
 *   (heatmap-view loads them with the results, from one parse: hm_results_paths_load_many)
 *   then for the selected function f (an hm_function_stats of the same files):
 *     hm_call_summary s;
 *     if (hm_callers_compute(paths, f->name, f->file, f->line, &s) == 0) {
 *         for (size_t i = 0; i < s.ncallers; i++)  // "  62.5%  run        12 calls"
 *             ... s.callers[i].share, s.callers[i].function->name (NULL: "(outermost)") ...
 *         for (size_t i = 0; i < s.ncallees; i++)  // "  30.1%  merge      7 calls"
 *             ... s.callees[i].share, s.callees[i].function->name ...
 *         hm_call_summary_free(&s);
 *     }
 *
 * What the numbers mean. F's time is its total time: the sum of total_ns over F's outermost
 * nodes (nodes of F with no F above them, so that time under recursion counts once).
 *   - A caller C: the time of F's outermost nodes whose parent is a C node, and the calls of F
 *     made directly from C (the counts of every F node whose parent is a C node). The
 *     "(outermost)" caller (function NULL) stands for F called with no instrumented caller.
 *     Caller shares add up to 100 % of F's time.
 *   - A callee G: the total time of the G children of F's outermost nodes, and the calls of G made
 *     directly from F (counts of every G node whose parent is an F node). Self share: F's self
 *     time over F's time. Without recursion, callee shares plus the self share add up to 100 %
 *     (up to rounding). With mutual recursion (F -> G -> F) they can exceed it: the nested F's
 *     self time is in F's self time and also inside the callee G's total.
 * Direct recursion (F calling F) is one node in the tree, so F never lists itself, and a node's
 * count includes its recursive activations: run → fib(5) is 1 call of fib from run and 14 from fib,
 * all 15 counted on the run → fib edge. Mutual
 * recursion (F → G → F) lists G as a callee of F and G as a caller of F.
 * Shares are fractions (0..1) of F's time, 0 when F's time is 0.
 */
#ifndef HEATMAP_VIEWER_CALLERS_H
#define HEATMAP_VIEWER_CALLERS_H

#include "hm_paths.h"

#include <stddef.h>
#include <stdint.h>

typedef struct hm_call_edge {
    const hm_path_function *function; /* the caller or callee; NULL = "(outermost)" caller */
    uint64_t calls;                   /* calls along this edge (see above) */
    uint64_t total_ns;                /* time along this edge (see above) */
    double share;                     /* total_ns / the function's total time */
} hm_call_edge;

typedef struct hm_call_summary {
    const hm_path_function *function; /* the function asked about */
    uint64_t calls;                   /* its calls counted by the tree's nodes */
    uint64_t self_ns;                 /* its self time in the tree's nodes */
    uint64_t total_ns;                /* its total time (outermost nodes) */
    double self_share;                /* self_ns / total_ns */
    hm_call_edge *callers;            /* largest share first; ties by name */
    size_t ncallers;
    hm_call_edge *callees; /* largest share first; ties by name */
    size_t ncallees;
} hm_call_summary;

/* Fill *out for the function with this name, file and line. Returns 0; 1 when the tree does not
 * know the function (no call paths reached it: *out is then empty, safe to free); -1 on
 * out-of-memory. Pointers in *out point into `paths`, which must outlive it. */
int hm_callers_compute(const hm_paths *paths, const char *name, const char *file, uint32_t line,
                       hm_call_summary *out);

/* The same by function index (into paths->functions). */
int hm_callers_compute_index(const hm_paths *paths, size_t function, hm_call_summary *out);

void hm_call_summary_free(hm_call_summary *summary);

#endif /* HEATMAP_VIEWER_CALLERS_H */
