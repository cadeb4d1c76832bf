/* The entry point the runtime calls, through dlopen, to write pprof profiles at exit.
 *
 * The runtime depends on libc, libdl and pthreads only, so it cannot encode protobuf, gzip or read
 * DWARF itself. When HEATMAP_PROFILE_TYPE asks for profiles, the runtime first writes the results
 * file as always, then dlopen()s libheatmap-export (installed beside libheatmap-rt, or the path in
 * HEATMAP_EXPORT_LIB) and calls HM_EXPORT_PROFILES_SYMBOL with that file: the profiles are made by
 * the same encoders as `heatmap-view --export=pprof --type=T`, never by a second copy.
 */
#ifndef HEATMAP_EXPORT_API_H
#define HEATMAP_EXPORT_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The library's file name (SONAME) and the symbol the runtime looks up. */
#define HM_EXPORT_LIBRARY_NAME "libheatmap-export.so.1"
#define HM_EXPORT_PROFILES_SYMBOL "hm_export_profiles_v1"

/* Write one pprof profile per type in `types` (a comma list as HEATMAP_PROFILE_TYPE takes it:
 * cpu, block, mutex, calls, and trace, the Chrome timeline of the trace file beside the results)
 * from the results file `results_path`, to `file_pattern` with "%k" replaced by the type
 * ("heatmap.%k.pb.gz" by default, whose ".pb.gz" becomes ".chrome.json" for the trace; a pattern
 * without %k is valid only for one type). goroutine and threadcreate are hm_export_stacks_v1's.
 * Returns 0 when every profile was written; otherwise -1 with one line, without a trailing newline,
 * in err[errsize] that names the type or file and says why. Not async-signal-safe (allocates, reads
 * DWARF): the runtime calls it only from a normal exit. */
typedef int (*hm_export_profiles_fn)(const char *results_path, const char *types,
                                     const char *file_pattern, char *err, size_t errsize);
int hm_export_profiles_v1(const char *results_path, const char *types, const char *file_pattern,
                          char *err, size_t errsize);

/* goroutine / threads (`kind` "goroutine") and threadcreate at exit: `doc` (len bytes) is a stacks
 * document as hm_server_host_v1's write_stacks writes it; the profile goes to `path` (a partly
 * written file is removed). 0, or -1 with one line in err[errsize]. Not async-signal-safe. */
#define HM_EXPORT_STACKS_SYMBOL "hm_export_stacks_v1"
typedef int (*hm_export_stacks_fn)(const char *doc, size_t len, const char *kind, const char *path,
                                   char *err, size_t errsize);
int hm_export_stacks_v1(const char *doc, size_t len, const char *kind, const char *path, char *err,
                        size_t errsize);

/* ---- the live server (HEATMAP_PROFILER=on; docs/server.md) -----------------------------------
 * The runtime binds the listening socket itself (close-on-exec, so the messages about a busy port
 * or a bad host are its own) and hands it to HM_SERVER_START_SYMBOL with the callbacks below; the
 * library serves Go's /debug/pprof/ paths, /debug/heatmap and /metrics on it from its own threads,
 * building each response with the same loaders and encoders as the files. */
#define HM_SERVER_START_SYMBOL "hm_server_start_v1"
#define HM_SERVER_STOP_SYMBOL "hm_server_stop_v1"

/* What the runtime offers the server. Every callback writes a complete document to `fd` (a
 * memory file the library made) and returns 0, or -1 when it cannot (nothing useful written);
 * all are safe to call from several server threads at once and never block the program. */
typedef struct hm_server_host_v1 {
    unsigned size; /* sizeof(hm_server_host_v1): later versions only append */
    int listen_fd; /* bound and listening; the library owns it from the start call on */
    /* The results so far, in the results-file format (docs/results-format.md). */
    int (*write_results)(int fd);
    /* The trace so far (the trace-file format); -1 when HEATMAP_TRACE is off. */
    int (*write_trace)(int fd);
    /* {"functions": [[id, name, file, line]...], "stacks": [[count, [id, ...innermost first]]...]}
     * kind 0: every live thread's current instrumented stack, count = threads on it;
     * kind 1: where threads were created (the creator's stack), count = threads created there. */
    int (*write_stacks)(int kind, int fd);
    /* Start taking CPU samples if the sampler is idle (1: started, and cpu_end must follow; 0: it
     * was running already; -1: no sampler). cpu_end idles it again. */
    int (*cpu_begin)(void);
    void (*cpu_end)(void);
    /* Nanoseconds since the runtime's start, the trace's clock. */
    unsigned long long (*trace_now_ns)(void);
    /* One line "heatmap: ..." on stderr (async-signal-safe write). */
    void (*log)(const char *line);
} hm_server_host_v1;

/* Start serving on host->listen_fd; the host struct must outlive the server. Returns an opaque
 * server, or NULL with one line in err (the socket is closed then). Not async-signal-safe. The
 * server's threads are made through pthread_create; they block every signal. */
typedef void *(*hm_server_start_fn)(const hm_server_host_v1 *host, char *err, size_t errsize);
void *hm_server_start_v1(const hm_server_host_v1 *host, char *err, size_t errsize);
/* Stop: wake requests that wait (profile, trace), wait for every connection to end, close the
 * sockets, free the server. Not async-signal-safe (joins threads). */
typedef void (*hm_server_stop_fn)(void *server);
void hm_server_stop_v1(void *server);

#ifdef __cplusplus
}
#endif

#endif /* HEATMAP_EXPORT_API_H */
