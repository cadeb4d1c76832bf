/* Results files (heatmap.json): load, validate, merge, sort and compute percentiles.
 *
 * Shared by heatmap-view, the exports and the tests. Parses with jansson; knows nothing of ncurses.
 * The file format is docs/results-format.md. Every load error names the file and what is wrong.
 */
#ifndef HEATMAP_RESULTS_H
#define HEATMAP_RESULTS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hm_bucket {
    uint32_t index; /* bucket index, see include/heatmap/histogram.h */
    uint64_t count;
} hm_bucket;

typedef struct hm_function_stats {
    char *name;
    char *file; /* "" when unknown */
    uint32_t line;
    uint64_t count;
    uint64_t self_ns;
    uint64_t max_ns;
    uint64_t p50_ns, p95_ns, p99_ns; /* recomputed from the histogram on load and after merge */
    hm_bucket *buckets;              /* ascending index, no zero counts */
    size_t nbuckets;
} hm_function_stats;

typedef struct hm_thread_stats {
    uint64_t tid;
    char *name;
    uint64_t calls;
    uint64_t self_ns;
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
    hm_function_stats *functions;
    size_t nfunctions;
    hm_thread_stats *threads;
    size_t nthreads;
} hm_results;

/* Load and validate one results file. Returns 0 and a new object in *out, or -1 with *out NULL and a
 * one-line message in err ("heatmap.json: not a results file: missing key \"functions\""). */
int hm_results_load(const char *path, hm_results **out, char *err, size_t errlen);
void hm_results_free(hm_results *results);

/* Sum of self-times of all functions (the seed's "CPU Time"), and of their call counts. */
uint64_t hm_results_cpu_ns(const hm_results *results);
uint64_t hm_results_total_calls(const hm_results *results);

/* Nearest-rank percentile p (0 < p <= 100) of a histogram holding `count` samples, reported as the
 * bucket midpoint clipped to max_ns; 0 for an empty histogram. */
uint64_t hm_hist_percentile(const hm_bucket *buckets, size_t nbuckets, uint64_t count, double p,
                            uint64_t max_ns);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_RESULTS_H */
