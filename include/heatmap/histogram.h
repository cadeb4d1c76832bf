/* Log-linear latency histogram: bucket arithmetic shared by the runtime (which fills histograms)
 * and results/ (which merges them and computes percentiles). Header-only and dependency-free so
 * the runtime's hot path can inline it. The scheme and its error bound are documented in
 * docs/results-format.md ("Histogram buckets").
 */
#ifndef HEATMAP_HISTOGRAM_H
#define HEATMAP_HISTOGRAM_H

#include <stdint.h>

#define HM_HIST_SUB_BITS 5u /* 32 sub-buckets per power of two */
#define HM_HIST_SUB (1u << HM_HIST_SUB_BITS)
#define HM_HIST_MAX_LOG2 40u /* runtime keeps values < 2^40 ns apart */
/* Buckets the runtime keeps: exact values below S, then S per power of two up to 2^40. */
#define HM_HIST_RUNTIME_BUCKETS (HM_HIST_SUB + (HM_HIST_MAX_LOG2 - HM_HIST_SUB_BITS) * HM_HIST_SUB)
/* Highest index any 64-bit value maps to; readers reject indexes above it. */
#define HM_HIST_MAX_INDEX (HM_HIST_SUB + (64u - HM_HIST_SUB_BITS) * HM_HIST_SUB - 1u)

/* Bucket index of value v (ns). */
static inline uint32_t hm_hist_index(uint64_t v) {
    if (v < HM_HIST_SUB)
        return (uint32_t)v;
    uint32_t msb = 63u - (uint32_t)__builtin_clzll(v);
    uint32_t g = msb - HM_HIST_SUB_BITS;
    return HM_HIST_SUB + g * HM_HIST_SUB + (uint32_t)((v >> g) - HM_HIST_SUB);
}

/* Inclusive lower bound of bucket `index`. */
static inline uint64_t hm_hist_lower(uint32_t index) {
    if (index < HM_HIST_SUB)
        return index;
    uint32_t g = (index - HM_HIST_SUB) / HM_HIST_SUB;
    return (uint64_t)(HM_HIST_SUB + (index - HM_HIST_SUB) % HM_HIST_SUB) << g;
}

/* Width of bucket `index` (1 for the exact buckets). */
static inline uint64_t hm_hist_width(uint32_t index) {
    if (index < HM_HIST_SUB)
        return 1;
    return (uint64_t)1 << ((index - HM_HIST_SUB) / HM_HIST_SUB);
}

/* The value reported for samples in bucket `index`: its midpoint. */
static inline uint64_t hm_hist_midpoint(uint32_t index) {
    return hm_hist_lower(index) + (hm_hist_width(index) - 1) / 2;
}

#endif /* HEATMAP_HISTOGRAM_H */
