/* Loading many results files on the worker pool: the statistics, the call paths, or both from one
 * read and parse of each file (load_many.c). Not part of the library's API.
 *
 * hm_results_load_many, hm_paths_load_many and hm_results_paths_load_many are this one function
 * with different wishes, so the three read, order, merge and fail in exactly the same way.
 */
#ifndef HEATMAP_LOAD_MANY_H
#define HEATMAP_LOAD_MANY_H

#include "hm_paths.h"
#include "hm_results.h"

#include <stddef.h>

/* Load files[0..n) with up to `jobs` worker threads (load_pool.h), each read and parsed once, and
 * merge them in input order:
 *   - results != NULL: the statistics, with hm_results_load_many's contract (n == 1 is a plain
 *     load); a failure is the call's, with its message in err;
 *   - paths != NULL: the call paths, with hm_paths_load_many's contract. With results NULL a
 *     failure is the call's (message in err); with results too it is not: *paths is then NULL and
 *     the message goes to paths_err, which is written only then (and emptied when the call
 *     fails).
 * Returns 0, or -1 with every output NULL. */
int hm_load_many(const char *const *files, size_t n, unsigned jobs, hm_results **results,
                 hm_paths **paths, char *paths_err, size_t paths_errlen, char *err, size_t errlen);

#endif /* HEATMAP_LOAD_MANY_H */
