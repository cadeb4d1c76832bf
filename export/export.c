/* Export kinds, pprof types and the driver: kind (and type) → loader → encoder (see export.h).
 *
 * hm_export_run() is the only place that touches files: it loads the call paths (or traces), opens
 * the output, calls one writer, and removes the output again when the writer or the close fails,
 * so a failed export never leaves a truncated file that a tool would then misread. The text
 * helpers the encoders share are export_text.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "export.h"

#include <heatmap/results_format.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct {
    const char *name;
    const char *default_output;
} kinds[] = {
    [HM_EXPORT_PPROF] = {"pprof", "heatmap.pb.gz"},
    [HM_EXPORT_FOLDED] = {"folded", "heatmap.folded"},
    [HM_EXPORT_CHROME] = {"chrome", "heatmap.chrome.json"},
    [HM_EXPORT_SVG] = {"svg", "heatmap.svg"},
};
#define NKINDS (sizeof kinds / sizeof kinds[0])

int hm_export_kind_parse(const char *name, hm_export_kind *out) {
    for (size_t i = 0; i < NKINDS; i++)
        if (strcmp(name, kinds[i].name) == 0) {
            *out = (hm_export_kind)i;
            return 0;
        }
    return -1;
}

const char *hm_export_kind_name(hm_export_kind kind) {
    return (size_t)kind < NKINDS ? kinds[kind].name : "?";
}

const char *hm_export_default_output(hm_export_kind kind) {
    return (size_t)kind < NKINDS ? kinds[kind].default_output : "heatmap.export";
}

static const char *const pprof_types[] = {
    [HM_PPROF_CALLS] = "calls", [HM_PPROF_CPU] = "cpu",   [HM_PPROF_BLOCK] = "block",
    [HM_PPROF_MUTEX] = "mutex", [HM_PPROF_HEAP] = "heap", [HM_PPROF_ALLOCS] = "allocs",
};
#define NTYPES (sizeof pprof_types / sizeof pprof_types[0])

int hm_pprof_type_parse(const char *name, size_t len, hm_pprof_type *out) {
    for (size_t i = 0; i < NTYPES; i++)
        if (strlen(pprof_types[i]) == len && strncmp(name, pprof_types[i], len) == 0) {
            *out = (hm_pprof_type)i;
            return 0;
        }
    return -1;
}

const char *hm_pprof_type_name(hm_pprof_type type) {
    return (size_t)type < NTYPES ? pprof_types[type] : "?";
}

/* Load the trace beside every file into traces[0..nfiles-1]. */
static int load_traces(hm_trace **traces, const char *const *files, size_t nfiles, char *err,
                       size_t errlen) {
    for (size_t i = 0; i < nfiles; i++) {
        if (strcmp(files[i], "-") == 0) {
            snprintf(err, errlen,
                     "--export=chrome reads the trace beside a results file; give "
                     "the file's path, not -");
            return -1;
        }
        int rc = hm_trace_load(files[i], NULL, &traces[i], err, errlen);
        if (rc == HM_TRACE_MISSING) {
            char trace[4096];
            hm_trace_path_for(files[i], trace, sizeof trace);
            snprintf(err, errlen,
                     "%s: no trace file beside it (%s); run the program with HEATMAP_TRACE=1 to "
                     "record one for --export=chrome",
                     files[i], trace);
        }
        if (rc != 0)
            return -1;
    }
    return 0;
}

/* Write the loaded data in the chosen format. */
static int write_export(hm_export_kind kind, hm_pprof_type type, FILE *out, const hm_paths *paths,
                        const hm_cpu_profile *cpu, const hm_heap_profile *heap,
                        hm_trace *const *traces, size_t ntraces, char *err, size_t errlen) {
    char title[512];
    if (paths != NULL)
        snprintf(title, sizeof title, "Flame graph: %s",
                 paths->program[0] ? paths->program : "run");
    hm_svg_opts o = {.title = paths ? title : NULL};
    switch (kind) {
    case HM_EXPORT_PPROF:
        if (type == HM_PPROF_HEAP || type == HM_PPROF_ALLOCS)
            return hm_export_pprof_heap(out, heap, type, err, errlen);
        return type == HM_PPROF_CPU ? hm_export_pprof_cpu(out, cpu, err, errlen)
                                    : hm_export_pprof_paths(out, paths, type, err, errlen);
    case HM_EXPORT_FOLDED:
        return hm_export_folded(out, paths, err, errlen);
    case HM_EXPORT_SVG:
        return hm_export_svg(out, paths, &o, err, errlen);
    case HM_EXPORT_CHROME:
        break;
    }
    return hm_export_chrome(out, (const hm_trace *const *)traces, ntraces, err, errlen);
}

int hm_export_run(hm_export_kind kind, const char *const *files, size_t nfiles,
                  const char *out_path, char *err, size_t errlen) {
    return hm_export_run_type(kind, HM_PPROF_CALLS, files, nfiles, out_path, err, errlen);
}

int hm_export_run_type(hm_export_kind kind, hm_pprof_type type, const char *const *files,
                       size_t nfiles, const char *out_path, char *err, size_t errlen) {
    if (out_path == NULL)
        out_path = hm_export_default_output(kind);
    /* Load first, so that a bad input never touches an existing output file. */
    hm_paths *paths = NULL;
    hm_cpu_profile *cpu = NULL;
    hm_heap_profile *heap = NULL;
    hm_trace **traces = calloc(nfiles ? nfiles : 1, sizeof *traces);
    int rc;
    if (traces == NULL) {
        snprintf(err, errlen, "out of memory");
        rc = -1;
    } else if (kind == HM_EXPORT_CHROME) {
        rc = load_traces(traces, files, nfiles, err, errlen);
    } else if (kind == HM_EXPORT_PPROF && type == HM_PPROF_CPU) {
        rc = hm_cpu_profile_load_many(files, nfiles, &cpu, err, errlen);
    } else if (kind == HM_EXPORT_PPROF && (type == HM_PPROF_HEAP || type == HM_PPROF_ALLOCS)) {
        rc = hm_heap_profile_load_many(files, nfiles, &heap, err, errlen);
    } else {
        rc = hm_paths_load_many(files, nfiles, &paths, err, errlen);
    }
    bool to_stdout = strcmp(out_path, "-") == 0;
    FILE *out = NULL;
    if (rc == 0) {
        out = to_stdout ? stdout : fopen(out_path, "wb");
        if (out == NULL) {
            snprintf(err, errlen, "%s: cannot write: %s", out_path, strerror(errno));
            rc = -1;
        }
    }
    if (rc == 0)
        rc = write_export(kind, type, out, paths, cpu, heap, traces, nfiles, err, errlen);
    if (out != NULL) {
        if (rc == 0 && ferror(out)) {
            snprintf(err, errlen, "%s: write error", to_stdout ? "<stdout>" : out_path);
            rc = -1;
        }
        if ((to_stdout ? fflush(out) : fclose(out)) != 0 && rc == 0) {
            snprintf(err, errlen, "%s: cannot write: %s", to_stdout ? "<stdout>" : out_path,
                     strerror(errno));
            rc = -1;
        }
        if (rc != 0 && !to_stdout)
            unlink(out_path);
    }
    for (size_t i = 0; traces != NULL && i < nfiles; i++)
        hm_trace_free(traces[i]);
    free(traces);
    hm_paths_free(paths);
    hm_cpu_profile_free(cpu);
    hm_heap_profile_free(heap);
    return rc;
}
