/* Layers 3-5 of the runtime: calibration, the writers and the lifecycle (never installed).
 *
 * calibrate.c (layer 3) drives the hot path to measure its own cost. The writers (layer 4) each
 * write one output from the recorded data and call nothing of each other: writer.c the results
 * file, trace_write.c the trace file, summary.c the stderr summary. lifecycle.c (layer 5) is on
 * top: init, flags, the ends of the process, fork, the ABI registration entry point, and the
 * order in which the writers run. Layer map in rt_base.h.
 */
#ifndef HEATMAP_RT_H
#define HEATMAP_RT_H

#include "rt_hot.h"

/* ---- calibration (calibrate.c) --------------------------------------------------------------- */

/* Time empty calls through the real entry points on the calling thread and set hm_rt.comp_self_ns
 * and hm_rt.comp_child_ns to the medians; leaves them unchanged when recording did not happen.
 * Called once by init, with recording on; removes its own records' statistics, events and nodes. */
void hm_calibrate(void) HM_HIDDEN;

/* ---- writers (writer.c, trace_write.c, summary.c) --------------------------------------------
 * All async-signal-safe: no malloc, no stdio. */

/* Write the results file `path` (a buffer of `size` bytes) atomically. `end` says how the process
 * ended ("exit", "signal:SIGINT"); `order` lists the threads. With `was` (what the path named when
 * the run started) and a `beside` path that differs from it, the file is written beside when
 * another process wrote `path` since (hm_out_commit_guarded), and `path` becomes the path written.
 * Returns 0 or -1 (after one stderr line naming the path). */
struct hm_file_id;
int hm_write_results_file(char *path, size_t size, const char *end, const hm_thread_order *order,
                          const struct hm_file_id *was, const char *beside) HM_HIDDEN;
/* The results file's "cpu_profile" section, when the CPU sampler ran (sampler_write.c, a part of
 * the results writer: called by writer.c only). */
struct hm_out;
void hm_put_cpu_profile(struct hm_out *o) HM_HIDDEN;
/* The live server's copies: the same documents written to an open descriptor (a memory file) while
 * the program runs; `end` is "live". Memory from mmap; async-signal-safe; 0, or -1 when a write
 * failed. */
int hm_write_results_fd(int fd, const char *end, const hm_thread_order *order) HM_HIDDEN;
int hm_write_trace_fd(int fd, const hm_thread_order *order) HM_HIDDEN;
/* The stacks document of hm_server_host_v1.write_stacks (kind 0: live threads' instrumented
 * stacks, 1: thread creation sites) to fd (server.c). Memory from mmap; 0 or -1. */
int hm_write_stacks_fd(int kind, int fd) HM_HIDDEN;
/* The results file's "heap" section, when memory tracking is on (heap_write.c, the same way). */
void hm_put_heap(struct hm_out *o) HM_HIDDEN;
/* Write the trace file beside results file `results_path` (hm_trace_path_for). Returns 0 or -1. */
int hm_write_trace(const char *results_path, const hm_thread_order *order) HM_HIDDEN;
/* HEATMAP_SUMMARY: the static summary on stderr, naming `results_path`. */
void hm_print_summary(const char *results_path) HM_HIDDEN;

/* ---- lifecycle (lifecycle.c) ----------------------------------------------------------------- */

/* Idempotent; returns true once the runtime is initialized (false while another call is mid-way).
 */
bool hm_runtime_init(void) HM_HIDDEN;
/* Stop recording and write the results once; later calls do nothing. */
void hm_runtime_finish(const char *end) HM_HIDDEN;
/* Write everything the run ends with: the results file at the expanded HEATMAP_OUTPUT, then the
 * trace file (HEATMAP_TRACE) and the summary (HEATMAP_SUMMARY) when the results were written.
 * Async-signal-safe. Returns the results writer's 0 or -1. */
int hm_write_results(const char *end) HM_HIDDEN;
/* Profiles at exit (profiles.c, the lifecycle's helper). HEATMAP_PROFILE_TYPE's comma list: the
 * accepted types go to out[size] (deduplicated, in order), each unknown one gets one warning line;
 * returns a mask of HM_PROFILE_* bits. */
#define HM_PROFILE_CPU 1u
#define HM_PROFILE_TRACE 2u /* record the trace (HEATMAP_TRACE) for it */
unsigned hm_profile_types_parse(const char *in, char *out, size_t size) HM_HIDDEN;
/* HEATMAP_PROFILE_FILE: with several types it must contain %k; else one warning and the default. */
void hm_profile_file_check(char *pattern, size_t size, const char *types) HM_HIDDEN;
/* After a normal exit's results write: dlopen libheatmap-export and write the profiles; one
 * stderr line when that fails. Not async-signal-safe. */
void hm_profiles_write(const char *results_path, const char *types, const char *pattern,
                       const char *library) HM_HIDDEN;
/* At a signal-ended run: one line saying how to make the profiles from the results file. */
void hm_profiles_note_signal(const char *results_path, const char *types) HM_HIDDEN;
/* The export library (profiles.c): HEATMAP_EXPORT_LIB when `library` is set, else the one beside
 * the runtime, else the search path. Returns the handle or NULL (dlerror() says why); *name
 * (may be NULL) gets the name tried, valid while `tried` (size bytes) is. */
void *hm_export_open(const char *library, char *tried, size_t size, const char **name) HM_HIDDEN;
/* The live server (server.c, the lifecycle's helper): start it from init when HEATMAP_PROFILER is
 * on (host, port as the flags gave them; hz for the idle sampler); stop it before the final write.
 * A failure is one stderr line; the program runs on. Neither is async-signal-safe; stop does
 * nothing in a forked child (the serving threads were not inherited) or when none runs. */
void hm_server_start(const char *host, const char *port, uint32_t hz,
                     const char *library) HM_HIDDEN;
void hm_server_stop(void) HM_HIDDEN;
/* Expand %p, %h, %t in the output pattern into `out`; in a forked child without %p the pid is
 * inserted before the extension so the parent's file is never overwritten. */
void hm_expand_output_path(const char *pattern, bool forked_child, char *out,
                           size_t size) HM_HIDDEN;

#endif /* HEATMAP_RT_H */
