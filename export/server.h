/* The live server's responses, as pure functions of the documents the runtime wrote (server.c).
 *
 * export/server_http.c takes the requests (libmicrohttpd) and asks the runtime, through the
 * callbacks of heatmap/export_api.h, for the results so far, the trace so far or the stacks; the
 * functions here turn those documents into response bodies with the loaders of results/ and the
 * encoders of export/, exactly as the files are made. Each writes its body to `out` and returns 0,
 * or -1 with a one-line message in err (then the caller answers 500, or 404 where said). They
 * keep no state and may run on several threads at once; the unit tests call them on fixtures.
 */
#ifndef HEATMAP_EXPORT_SERVER_H
#define HEATMAP_EXPORT_SERVER_H

#include "export.h"

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* block or mutex: the call paths of `results` (a results document) as the pprof file
 * `--export=pprof --type=block|mutex` makes; heap or allocs: the memory tracker's call sites, as
 * `--export=pprof --type=heap|allocs` makes (a document without a "heap" section: -1, the message
 * saying tracking was off). 0, or -1 with a message in err. */
int hm_server_pprof_profile(const char *results, size_t len, hm_pprof_type type, FILE *out,
                            char *err, size_t errlen);

/* cpu over a window: the samples of `after` minus those of `before` (equal native pcs and equal
 * shadow stacks of function names), encoded as `--type=cpu` does, with duration `window_ns`. */
int hm_server_cpu_profile(const char *before, size_t before_len, const char *after,
                          size_t after_len, uint64_t window_ns, FILE *out, char *err,
                          size_t errlen);

/* goroutine (`kind` "goroutine") or threadcreate: the stacks document of hm_server_host_v1's
 * write_stacks as a pprof profile with one sample type [kind, count], one sample per distinct
 * stack (innermost first), its count summed; an empty stack is "(no instrumented frame)". */
int hm_server_stacks_profile(const char *stacks, size_t len, const char *kind, FILE *out, char *err,
                             size_t errlen);

/* trace over a window: the events of `trace` (the trace document of `results`) at or after
 * `from_ns` as Chrome Trace Event JSON (export_chrome.c); an exit whose enter is before the window
 * is left out, frames still open are closed at the end. */
int hm_server_trace(const char *results, size_t results_len, const char *trace, size_t trace_len,
                    uint64_t from_ns, FILE *out, char *err, size_t errlen);

/* Prometheus text exposition (version 0.0.4) of `results`: per function (labels function, file)
 * heatmap_function_calls_total, heatmap_function_self_seconds_total,
 * heatmap_function_cpu_seconds_total; process totals heatmap_calls_total,
 * heatmap_self_seconds_total, heatmap_cpu_seconds_total, heatmap_process_cpu_seconds_total,
 * heatmap_wall_seconds, heatmap_threads, heatmap_functions. */
int hm_server_metrics(const char *results, size_t len, FILE *out, char *err, size_t errlen);

/* The request line's target checked as the server does: 0 when `path` is one of the paths
 * served (its index in *route), -1 otherwise. */
typedef enum hm_route {
    HM_ROUTE_INDEX,
    HM_ROUTE_PROFILE,
    HM_ROUTE_HEAP,
    HM_ROUTE_ALLOCS,
    HM_ROUTE_GOROUTINE,
    HM_ROUTE_THREADCREATE,
    HM_ROUTE_BLOCK,
    HM_ROUTE_MUTEX,
    HM_ROUTE_TRACE,
    HM_ROUTE_HEATMAP,
    HM_ROUTE_METRICS,
} hm_route;
int hm_server_route(const char *path, hm_route *route);
/* The index page (HTML) listing the profiles. */
void hm_server_index(FILE *out);
/* `seconds=` of a query: 1..3600, `fallback` when absent (NULL); -1 when not such a number. */
long hm_server_seconds(const char *value, long fallback);

#endif /* HEATMAP_EXPORT_SERVER_H */
