/* Call paths: load, validate, merge and query the `paths` section of results files
 * (docs/results-format.md, "Call paths"). Trace files are hm_trace.h.
 *
 * A results file holds one calling-context tree per live thread (plus one for all exited threads),
 * whose nodes name functions by an id that is only meaningful inside that file. The loader turns
 * one or more files into ONE merged tree whose functions are identified by name + file + line, as
 * hm_results_merge identifies them: two nodes are the same node when the sequences of functions
 * from the root to them are the same. Every export (pprof, folded stacks, the SVG flame graph) and
 * the TUI's callers/callees pane read this merged tree.
 *
 * Errors are one line naming the file and the place in it ("run.json: paths.trees[1] (thread 17)
 * .nodes[4] (node 9): parent 12 does not exist"). Objects are plain data; nothing keeps global
 * state, so the functions are safe to call from several threads on different objects.
 */
#ifndef HEATMAP_PATHS_H
#define HEATMAP_PATHS_H

#include "hm_results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* A function as the merged tree knows it: its identity (name, file, line) and its figures from the
 * `functions` sections of the files, summed over the files. */
typedef struct hm_path_function {
    char *name;
    char *file; /* "" when unknown */
    uint32_t line;
    uint64_t count;   /* calls, from `functions` */
    uint64_t self_ns; /* self time, from `functions` */
} hm_path_function;

/* Index of the synthetic root in hm_paths.nodes. Its count is the sum of its children's counts,
 * its total_ns the sum of theirs, its self_ns 0 and its function HM_PATH_NO_FUNCTION. */
#define HM_PATH_ROOT 0
#define HM_PATH_NO_FUNCTION SIZE_MAX

/* One node of the merged tree: one distinct path of instrumented functions from the root. */
typedef struct hm_path_node {
    size_t parent;   /* index of the parent node (HM_PATH_ROOT for outermost calls; the root's own
                        parent is HM_PATH_ROOT too) */
    size_t function; /* index into hm_paths.functions */
    uint32_t depth;  /* 0 for the root, 1 for outermost calls */
    uint64_t count, self_ns, total_ns; /* summed over the merged nodes; see the format doc */
    /* From 11-element node arrays (docs/results-format.md), summed over the merged nodes; all 0
     * for 6-element nodes (older files) and for the root. wait_ns is the node's share of its
     * self time spent waiting (<= self_ns); block_* count the synchronisation waits at the node
     * (calls that actually waited, and their wall time); mutex_* the subset that waited for a
     * contended pthread mutex or rwlock (mutex_count <= block_count, mutex_ns <= block_ns). */
    uint64_t wait_ns, block_count, block_ns, mutex_count, mutex_ns;
    size_t first_child; /* children are children[first_child .. first_child + nchildren - 1] */
    size_t nchildren;
} hm_path_node;

typedef struct hm_paths {
    hm_path_function *functions; /* ordered by name, file, line (bytewise) */
    size_t nfunctions;
    /* nodes[0] is the root; the others are in depth-first pre-order, the children of a node
     * ordered by their function's name, file, line. So a parent always precedes its children
     * and a node's subtree is the contiguous run of nodes after it with a greater depth. */
    hm_path_node *nodes;
    size_t nnodes;
    size_t *children;      /* node indexes, referenced by first_child/nchildren */
    uint64_t folded_calls; /* summed over the files */
    uint64_t max_nodes;    /* the largest per-thread node limit among the files */
    size_t ntrees;         /* trees merged (all files) */
    size_t nfiles;
    uint64_t elapsed_ns;    /* largest elapsed_ns of the files */
    uint64_t start_unix_ns; /* earliest start_unix_ns of the files (0 when unknown) */
    char *program;          /* "program" of the first file ("" when unknown) */
} hm_paths;

/* ---- Loading -------------------------------------------------------------------------------- */

/* Load the call paths of one results file and merge its trees. Returns 0 and a new object in *out,
 * or -1 with *out NULL and a one-line message in err naming the file and the node. A file without
 * a `paths` section is an error ("no call paths: recorded with HEATMAP_PATHS=off?"). The path "-"
 * reads standard input ("<stdin>" in messages).
 *
 * Checked: the JSON shape of `paths` and of every node ([id, parent, function, count, self_ns,
 * total_ns] or the same followed by [wait_ns, block_count, block_ns, mutex_count, mutex_ns],
 * non-negative integers; wait_ns <= self_ns, mutex_count <= block_count, mutex_ns <= block_ns);
 * node ids non-zero and unique within a tree; every parent 0 or an existing node of the same tree,
 * with no cycle; every function id one of the file's `functions` (whose ids must be unique);
 * self_ns <= total_ns. */
int hm_paths_load(const char *path, hm_paths **out, char *err, size_t errlen);

/* The same from a buffer; `name` stands for the file in messages. */
int hm_paths_load_buffer(const char *data, size_t len, const char *name, hm_paths **out, char *err,
                         size_t errlen);

/* Load n >= 1 files and merge all their trees into one (same contract as hm_paths_load; the
 * message is the first failing file's in input order). Files are read and checked on one worker
 * thread per CPU and merged in input order, each dropped once merged: memory is bounded by the
 * distinct functions and call paths, not by n, and the result does not depend on the threads'
 * timing. */
int hm_paths_load_many(const char *const *paths, size_t n, hm_paths **out, char *err,
                       size_t errlen);

/* The same with `jobs` worker threads (0: one per CPU; 1: none). */
int hm_paths_load_many_jobs(const char *const *paths, size_t n, unsigned jobs, hm_paths **out,
                            char *err, size_t errlen);

/* The statistics and the call paths of n >= 1 files from one read and parse of each (half the
 * parsing of hm_results_load_many followed by hm_paths_load_many, which give the same objects),
 * with up to `jobs` worker threads (0: one per CPU; 1: none). The statistics decide: 0 with
 * *results exactly hm_results_load_many's, or -1 with its message (the first failing file's in
 * input order) in err and both outputs NULL. The paths are optional: *paths is exactly
 * hm_paths_load_many's object, or NULL when that would fail (a file without call paths, recorded
 * with HEATMAP_PATHS=off or by an older runtime; malformed call paths), its message then in
 * paths_err (written only then, and emptied when the call fails; NULL with paths_errlen 0 when
 * not wanted). A file that cannot be
 * read again, such as standard input ("-"), gets its paths too. With paths NULL only the
 * statistics are loaded, for a caller that wants the paths only at times. */
int hm_results_paths_load_many(const char *const *files, size_t n, unsigned jobs,
                               hm_results **results, hm_paths **paths, char *paths_err,
                               size_t paths_errlen, char *err, size_t errlen);

void hm_paths_free(hm_paths *paths);

/* ---- Queries -------------------------------------------------------------------------------- */

/* Index of the function with this name, file and line, or HM_PATH_NO_FUNCTION. */
size_t hm_paths_find_function(const hm_paths *paths, const char *name, const char *file,
                              uint32_t line);

/* Sums over all nodes but the root: calls and self time. */
uint64_t hm_paths_node_calls(const hm_paths *paths);
uint64_t hm_paths_node_self_ns(const hm_paths *paths);

/* Sums over the functions (what the `functions` sections say): calls and self time. */
uint64_t hm_paths_function_calls(const hm_paths *paths);
uint64_t hm_paths_function_self_ns(const hm_paths *paths);

/* Check the format's invariants: the nodes' self times add up to the functions'; and when no call
 * was folded, per function, its nodes' counts and self times add up to its count and self time.
 * Returns 0, or -1 with the first difference in err. Loading does not require them (a results
 * file written while threads still ran may miss a little), the tests and exports check them. */
int hm_paths_check_totals(const hm_paths *paths, char *err, size_t errlen);

/* Calls of function f that no node counts (folded beyond the node limit): its count minus the
 * counts of its nodes, 0 when the nodes count as many or more. One pass over the nodes. */
uint64_t hm_paths_unplaced_calls(const hm_paths *paths, size_t f);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_PATHS_H */
