/* The results-file contract: what the runtime writes and results/ reads, defined once.
 *
 * Like compiler-rt's InstrProfData.inc, this header is the one place both sides take the format
 * from: the version, the key names (as X-macro lists that the writer and the reader expand), the
 * percentile rule and the trace file's name. Header-only and dependency-free (libc only) so the
 * runtime can include it. The prose definition is docs/results-format.md; change both together.
 */
#ifndef HEATMAP_RESULTS_FORMAT_H
#define HEATMAP_RESULTS_FORMAT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "heatmap/histogram.h"

/* The results file's "version"; readers refuse any other. The trace file carries the same. */
#define HM_RESULTS_FORMAT_VERSION 1

/* Default results file name (HEATMAP_OUTPUT). */
#define HM_RESULTS_DEFAULT_PATH "heatmap.json"

/* Top-level keys: X(identifier, "json key"). */
#define HM_RESULTS_TOP_KEYS(X)                                                                     \
    X(version, "version")                                                                          \
    X(program, "program")                                                                          \
    X(pid, "pid")                                                                                  \
    X(hostname, "hostname")                                                                        \
    X(start_unix_ns, "start_unix_ns")                                                              \
    X(elapsed_ns, "elapsed_ns")                                                                    \
    X(wall_ns, "wall_ns")                                                                          \
    X(overhead_total_ns, "overhead_total_ns")                                                      \
    X(process_cpu_ns, "process_cpu_ns")                                                            \
    X(cpus, "cpus")                                                                                \
    X(clock, "clock")                                                                              \
    X(overhead_ns, "overhead_ns")                                                                  \
    X(overhead_child_ns, "overhead_child_ns")                                                      \
    X(end, "end")                                                                                  \
    X(histogram, "histogram")                                                                      \
    X(threads, "threads")                                                                          \
    X(functions, "functions")                                                                      \
    X(paths, "paths")                                                                              \
    X(cpu_profile, "cpu_profile")                                                                  \
    X(heap, "heap")

/* Keys of one entry of "functions". */
#define HM_RESULTS_FUNCTION_KEYS(X)                                                                \
    X(id, "id")                                                                                    \
    X(name, "name")                                                                                \
    X(file, "file")                                                                                \
    X(line, "line")                                                                                \
    X(count, "count")                                                                              \
    X(throttled_after, "throttled_after")                                                          \
    X(self_ns, "self_ns")                                                                          \
    X(max_ns, "max_ns")                                                                            \
    X(p50_ns, "p50_ns")                                                                            \
    X(p95_ns, "p95_ns")                                                                            \
    X(p99_ns, "p99_ns")                                                                            \
    X(cpu_ns, "cpu_ns")                                                                            \
    X(wait_ns, "wait_ns")                                                                          \
    X(blocked_ns, "blocked_ns")                                                                    \
    X(open_calls, "open_calls")                                                                    \
    X(threads, "threads")                                                                          \
    X(histogram, "histogram")

/* Keys of one entry of "threads" (and of a function's per-thread split: tid, count, self_ns,
 * cpu_ns, wait_ns). */
#define HM_RESULTS_THREAD_KEYS(X)                                                                  \
    X(tid, "tid")                                                                                  \
    X(name, "name")                                                                                \
    X(calls, "calls")                                                                              \
    X(count, "count")                                                                              \
    X(self_ns, "self_ns")                                                                          \
    X(outer_ns, "outer_ns")                                                                        \
    X(dropped_calls, "dropped_calls")                                                              \
    X(cpu_ns, "cpu_ns")                                                                            \
    X(wait_ns, "wait_ns")                                                                          \
    X(preempt_ns, "preempt_ns")                                                                    \
    X(overhead_ns, "overhead_ns")

/* Keys of the top-level "histogram" object (the bucket layout). */
#define HM_RESULTS_HISTOGRAM_KEYS(X)                                                               \
    X(kind, "kind")                                                                                \
    X(sub_bucket_bits, "sub_bucket_bits")

/* Keys of the top-level "paths" object and of one entry of its "trees". */
#define HM_RESULTS_PATHS_KEYS(X)                                                                   \
    X(max_nodes, "max_nodes")                                                                      \
    X(folded_calls, "folded_calls")                                                                \
    X(unattributed_self_ns, "unattributed_self_ns")                                                \
    X(trees, "trees")                                                                              \
    X(thread, "thread")                                                                            \
    X(nodes, "nodes")

/* Keys of the top-level "cpu_profile" object (the CPU sampler's samples) and of one entry of its
 * "mappings" and "samples"; "functions" entries are arrays [id, name, file, line]. */
#define HM_RESULTS_CPU_PROFILE_KEYS(X)                                                             \
    X(hz, "hz")                                                                                    \
    X(period_ns, "period_ns")                                                                      \
    X(samples_dropped, "samples_dropped")                                                          \
    X(mappings, "mappings")                                                                        \
    X(functions, "functions")                                                                      \
    X(samples, "samples")                                                                          \
    X(id, "id")                                                                                    \
    X(start, "start")                                                                              \
    X(limit, "limit")                                                                              \
    X(offset, "offset")                                                                            \
    X(file, "file")                                                                                \
    X(build_id, "build_id")                                                                        \
    X(count, "count")                                                                              \
    X(pcs, "pcs")                                                                                  \
    X(stack, "stack")

/* Keys of the top-level "heap" object (memory tracking): its "sites" rows are [site, alloc_objects,
 * alloc_bytes, free_objects, free_bytes, [function ids, innermost first]], its "functions" rows
 * [function id (0: "(outside)"), alloc_objects, alloc_bytes, free_objects, free_bytes,
 * peak_inuse_bytes]. The per-function figures heatmap-view writes (--format=json|csv) take their
 * names from this list too. */
#define HM_RESULTS_HEAP_KEYS(X)                                                                    \
    X(sites_dropped, "sites_dropped")                                                              \
    X(sites, "sites")                                                                              \
    X(functions, "functions")                                                                      \
    X(alloc_objects, "alloc_objects")                                                              \
    X(alloc_bytes, "alloc_bytes")                                                                  \
    X(free_objects, "free_objects")                                                                \
    X(free_bytes, "free_bytes")                                                                    \
    X(inuse_objects, "inuse_objects")                                                              \
    X(inuse_bytes, "inuse_bytes")                                                                  \
    X(peak_inuse_bytes, "peak_inuse_bytes")

/* The row of "threads" (and the entry of a function's per-thread split) that sums the threads
 * without a row of their own: the runtime's beyond HEATMAP_THREADS_MAX, a merge's beyond
 * HM_MERGE_THREADS_MAX (results/hm_results.h). No real thread has tid 0. */
#define HM_OTHER_TID 0
#define HM_OTHER_NAME "other threads"

/* The name under which allocations made outside any instrumented function are reported. */
#define HM_HEAP_OUTSIDE_NAME "(outside)"

/* Keys of the trace file: its top level and one entry of its "threads". */
#define HM_TRACE_KEYS(X)                                                                           \
    X(version, "version")                                                                          \
    X(pid, "pid")                                                                                  \
    X(start_unix_ns, "start_unix_ns")                                                              \
    X(threads, "threads")                                                                          \
    X(tid, "tid")                                                                                  \
    X(name, "name")                                                                                \
    X(dropped_events, "dropped_events")                                                            \
    X(events, "events")

/* String constants HM_KEY_<id>, HM_FN_KEY_<id>, HM_TH_KEY_<id>, e.g. HM_FN_KEY_self_ns ==
 * "self_ns". */
#define HM_RESULTS_DEFINE_KEY(id, str)                                                             \
    __attribute__((unused)) static const char HM_KEY_##id[] = str;
#define HM_RESULTS_DEFINE_FN_KEY(id, str)                                                          \
    __attribute__((unused)) static const char HM_FN_KEY_##id[] = str;
#define HM_RESULTS_DEFINE_TH_KEY(id, str)                                                          \
    __attribute__((unused)) static const char HM_TH_KEY_##id[] = str;
HM_RESULTS_TOP_KEYS(HM_RESULTS_DEFINE_KEY)
HM_RESULTS_FUNCTION_KEYS(HM_RESULTS_DEFINE_FN_KEY)
HM_RESULTS_THREAD_KEYS(HM_RESULTS_DEFINE_TH_KEY)

/* And HM_HIST_KEY_<id>, HM_PATHS_KEY_<id>, HM_CPU_KEY_<id>, HM_TRACE_KEY_<id> for the lists
 * above. */
#define HM_RESULTS_DEFINE_HIST_KEY(id, str)                                                        \
    __attribute__((unused)) static const char HM_HIST_KEY_##id[] = str;
#define HM_RESULTS_DEFINE_PATHS_KEY(id, str)                                                       \
    __attribute__((unused)) static const char HM_PATHS_KEY_##id[] = str;
#define HM_RESULTS_DEFINE_TRACE_KEY(id, str)                                                       \
    __attribute__((unused)) static const char HM_TRACE_KEY_##id[] = str;
HM_RESULTS_HISTOGRAM_KEYS(HM_RESULTS_DEFINE_HIST_KEY)
HM_RESULTS_PATHS_KEYS(HM_RESULTS_DEFINE_PATHS_KEY)
#define HM_RESULTS_DEFINE_CPU_KEY(id, str)                                                         \
    __attribute__((unused)) static const char HM_CPU_KEY_##id[] = str;
HM_RESULTS_CPU_PROFILE_KEYS(HM_RESULTS_DEFINE_CPU_KEY)
HM_TRACE_KEYS(HM_RESULTS_DEFINE_TRACE_KEY)
#define HM_RESULTS_DEFINE_HEAP_KEY(id, str)                                                        \
    __attribute__((unused)) static const char HM_HEAP_KEY_##id[] = str;
HM_RESULTS_HEAP_KEYS(HM_RESULTS_DEFINE_HEAP_KEY)

/* ---- percentiles ----------------------------------------------------------------------------- */

/* Nearest rank of percentile p (0..100) among `count` samples: ceil(p/100 * count), at least 1.
 * count must be > 0. */
static inline uint64_t hm_percentile_rank(uint64_t count, unsigned p) {
    uint64_t rank = (count * p + 99) / 100;
    if (rank == 0)
        rank = 1;
    return rank > count ? count : rank;
}

/* The value reported for rank `rank` of `count` samples when that rank falls in histogram bucket
 * `index`: the bucket's midpoint clipped to max_ns; the last rank is max_ns itself, which is
 * exact (a function called once shows P95 = Max). */
static inline uint64_t hm_percentile_value(uint32_t index, uint64_t rank, uint64_t count,
                                           uint64_t max_ns) {
    if (rank >= count)
        return max_ns;
    uint64_t mid = hm_hist_midpoint(index);
    return mid < max_ns ? mid : max_ns;
}

/* ---- the trace file's name ------------------------------------------------------------------- */

/* The trace file written beside results file `results_path` (HEATMAP_TRACE): "X.json" becomes
 * "X.trace.json" when X is not empty; any other name, ".json" itself included, gets ".trace.json"
 * appended. Writes a NUL-terminated name into out[size]; returns its length, or -1 (out holds "")
 * when it does not fit. */
static inline int hm_trace_path_for(const char *results_path, char *out, size_t size) {
    static const char suffix[] = ".trace.json";
    size_t len = strlen(results_path);
    if (len > 5 && memcmp(results_path + len - 5, ".json", 5) == 0)
        len -= 5;
    if (len + sizeof suffix > size) {
        if (size)
            out[0] = '\0';
        return -1;
    }
    memcpy(out, results_path, len);
    memcpy(out + len, suffix, sizeof suffix);
    return (int)(len + sizeof suffix - 1);
}

#endif /* HEATMAP_RESULTS_FORMAT_H */
