/* Memory tracking's call sites from results files, for the heap and allocs profiles (export/).
 *
 * A site is a call path (function indexes, innermost first) with the allocations made there and
 * how many of them were released. Function index 0 is HM_HEAP_OUTSIDE_NAME, the place of
 * allocations made outside any instrumented function (its sites have an empty path). Plain data;
 * no global state.
 */
#ifndef HEATMAP_RESULTS_HM_HEAP_H
#define HEATMAP_RESULTS_HM_HEAP_H

#include <stddef.h>
#include <stdint.h>

typedef struct hm_heap_function {
    char *name;
    char *file; /* "" when unknown */
    uint32_t line;
} hm_heap_function;

typedef struct hm_heap_site {
    uint64_t alloc_objects, alloc_bytes, free_objects, free_bytes;
    uint32_t *stack; /* function indexes, innermost first; empty for (outside) */
    size_t depth;
} hm_heap_site;

typedef struct hm_heap_profile {
    char *program;
    uint64_t start_unix_ns, elapsed_ns;
    hm_heap_function *functions; /* [0] is (outside) */
    size_t nfunctions;
    hm_heap_site *sites;
    size_t nsites;
} hm_heap_profile;

/* Load the sites of n results files, merged: functions by name, file and line (one "(outside)" at
 * index 0), sites with the same call path summed, so memory follows the distinct functions and
 * call paths, not the files. Returns 0 and *out, or -1 with a message naming the file: unreadable,
 * not a results file, or without a "heap" section (the program ran with HEATMAP_HEAP=off or an
 * older runtime). */
int hm_heap_profile_load_many(const char *const *paths, size_t n, hm_heap_profile **out, char *err,
                              size_t errlen);
/* The same from one results document in memory (the live server's snapshot), `name` for messages.
 */
int hm_heap_profile_load_buffer(const char *data, size_t len, const char *name,
                                hm_heap_profile **out, char *err, size_t errlen);
void hm_heap_profile_free(hm_heap_profile *p);

#endif /* HEATMAP_RESULTS_HM_HEAP_H */
