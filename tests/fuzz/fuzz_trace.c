/* libFuzzer target: the trace-file loader (heatmap.trace.json), through hm_trace_load_buffers.
 *
 * A trace is only read together with its results file (the trace's function ids are resolved
 * through the results' functions), so the input holds both: the results file, a NUL byte, then the
 * trace file (JSON never contains a raw NUL, so the split is unambiguous). Without a NUL the whole
 * input is the trace and the results part is empty. A loaded trace is checked for what its
 * consumers (the Chrome export) rely on: every event's function index is inside the table.
 */
#include "hm_trace.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    const char *text = (const char *)data;
    const char *nul = memchr(text, '\0', size);
    size_t results_len = nul != NULL ? (size_t)(nul - text) : 0;
    const char *trace = nul != NULL ? nul + 1 : text;
    size_t trace_len = nul != NULL ? size - results_len - 1 : size;

    hm_trace *t = NULL;
    char err[512] = "";
    int rc = hm_trace_load_buffers(nul != NULL ? text : "", results_len, "fuzz.json", trace,
                                   trace_len, "fuzz.trace.json", &t, err, sizeof err);
    if (rc != 0) {
        if (t != NULL || strstr(err, "fuzz.") == NULL)
            abort(); /* a failed load leaves *out NULL and names the file at fault */
        return 0;
    }
    for (size_t i = 0; i < t->nthreads; i++) {
        const hm_trace_thread *th = &t->threads[i];
        for (size_t e = 0; e < th->nevents; e++)
            if (th->events[e].function >= t->nfunctions)
                abort();
    }
    hm_trace_free(t);
    return 0;
}
