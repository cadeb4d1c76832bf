/* Helpers shared by the files of results/; not part of the library's API. */
#ifndef HEATMAP_RESULTS_INTERNAL_H
#define HEATMAP_RESULTS_INTERNAL_H

#include "hm_results.h"

#include <stdlib.h>
#include <string.h>

/* strdup without asking for POSIX; NULL on out-of-memory. */
static inline char *hm_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    return copy ? memcpy(copy, s, n) : NULL;
}

typedef int (*hm_ptr_cmp)(const void *a, const void *b, const void *ctx);

/* Stable bottom-up merge sort of n pointers. Returns 0, or -1 on out-of-memory (items unchanged).
 */
int hm_sort_ptrs(const void **items, size_t n, hm_ptr_cmp cmp, const void *ctx);

/* Identity order of functions on their first `fields` of name, file, line (1 to 3), ascending. */
int hm_compare_identity(const hm_function_stats *a, const hm_function_stats *b, int fields);

#endif /* HEATMAP_RESULTS_INTERNAL_H */
