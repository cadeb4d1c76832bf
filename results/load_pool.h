/* Reading many files on a few threads, merged in input order: the loaders' worker pool.
 *
 * Loading a results file (read, parse, check) is independent of every other file; merging it into
 * an accumulator is not, and its order decides ties (the first file's program, path, pid...). So
 * workers load files in any order, and the calling thread uses them strictly in input order, one
 * at a time, each as soon as it is ready. At most a small window of files is loaded ahead of the
 * one being used, so memory stays bounded by the window, never by the number of files. The result
 * is the same whatever the threads' timing: the same uses in the same order, and on failure the
 * message of the first file (in input order) that failed.
 */
#ifndef HEATMAP_LOAD_POOL_H
#define HEATMAP_LOAD_POOL_H

#include "json_read.h"

#include <stddef.h>

/* Load item i (on a worker thread, or the caller's when there is none). `doc` is the worker's
 * own document, which loads may reuse from file to file (or take: leave it zeroed then). Returns
 * 0 and the item in *item, or -1 with a one-line message in err. Must be thread-safe across
 * different i. */
typedef int (*hm_pool_load_fn)(void *ctx, hm_json_doc *doc, size_t i, void **item, char *err,
                               size_t errlen);

/* Use item i on the calling thread, in order i = 0, 1, ...; takes ownership of the item. Returns
 * 0, or -1 with a message in err (nothing more is used then). */
typedef int (*hm_pool_use_fn)(void *ctx, size_t i, void *item, char *err, size_t errlen);

/* Free an item that was loaded but will not be used (after a failure). */
typedef void (*hm_pool_drop_fn)(void *ctx, void *item);

/* Load and use items 0..n-1 with up to `jobs` worker threads (0: one per CPU this process may run
 * on, at most 8; 1, or n == 1: no thread at all). Returns 0 when every item was loaded and used,
 * else -1 with the message of the first failure in input order in err. */
int hm_pool_run(size_t n, unsigned jobs, hm_pool_load_fn load, hm_pool_use_fn use,
                hm_pool_drop_fn drop, void *ctx, char *err, size_t errlen);

#endif /* HEATMAP_LOAD_POOL_H */
