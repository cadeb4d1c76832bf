/* Traces: load and check the trace file written beside a results file (docs/results-format.md,
 * "Trace file"): every enter and exit of every thread, in time order.
 *
 * The loader reads the enter/exit events of a trace file and resolves their function ids through
 * the functions of the results file the trace belongs to. The name of the trace beside a results
 * file is the format's rule, hm_trace_path_for() in <heatmap/results_format.h>. Errors are one
 * line naming the file, the thread and the event; objects are plain data without global state,
 * so the functions are safe to call from several threads on different objects.
 */
#ifndef HEATMAP_TRACE_H
#define HEATMAP_TRACE_H

#include "hm_paths.h"

#include <heatmap/results_format.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hm_trace_event {
    uint64_t ns;     /* since the runtime started */
    size_t function; /* index into hm_trace.functions */
    bool enter;      /* true: enter, false: exit */
} hm_trace_event;

typedef struct hm_trace_thread {
    uint64_t tid;
    char *name;
    uint64_t dropped_events;
    hm_trace_event *events;
    size_t nevents;
    /* Frames still open after the last event (a thread still running when the file was written,
     * or one that stopped recording when its buffer was full). Readers close them at end_ns. */
    size_t open_at_end;
} hm_trace_thread;

typedef struct hm_trace {
    char *path;    /* the trace file */
    char *program; /* "program" of the results file ("" when unknown) */
    int64_t pid;
    uint64_t start_unix_ns;
    uint64_t end_ns; /* end of the trace: the results' elapsed_ns, or the last event if later */
    hm_path_function *functions; /* the results file's functions, in its order */
    size_t nfunctions;
    hm_trace_thread *threads;
    size_t nthreads;
} hm_trace;

#define HM_TRACE_MISSING (-2)

/* Load the trace of a results file: trace_path, or the file beside results_path when trace_path is
 * NULL. Returns 0 and *out; HM_TRACE_MISSING when the trace file does not exist (err says so); -1
 * for any other failure, with a message naming the file, thread and event index.
 *
 * Checked: kinds 0/1, function ids of the results file, times non-decreasing per thread, every
 * exit closing the innermost open frame of the same function (frames may stay open at the end: see
 * open_at_end). */
int hm_trace_load(const char *results_path, const char *trace_path, hm_trace **out, char *err,
                  size_t errlen);

/* The same from buffers; the names stand for the files in messages. */
int hm_trace_load_buffers(const char *results_data, size_t results_len, const char *results_name,
                          const char *trace_data, size_t trace_len, const char *trace_name,
                          hm_trace **out, char *err, size_t errlen);

void hm_trace_free(hm_trace *trace);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_TRACE_H */
