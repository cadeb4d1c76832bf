/* Event trace (HEATMAP_TRACE=1): every enter and exit, per thread, for timeline exports.
 *
 * Each thread gets a buffer of hm_rt.trace_events events, reserved with MAP_NORESERVE so only what
 * is used is committed. When it is full the thread stops recording events and counts the rest as
 * dropped (stop-when-full keeps the beginning of the run, whose nesting is complete). Buffers stay
 * mapped after their thread exits, until the trace file is written beside the results file.
 * Format: docs/results-format.md, "Trace file".
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "json_out.h"
#include "rt.h"

void hm_trace_attach(hm_thread_data *data) {
    size_t bytes = (size_t)hm_rt.trace_events * sizeof(hm_trace_event);
    void *mem = mmap(NULL, bytes, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return;
    data->trace = mem;
    data->trace_cap = hm_rt.trace_events;
}

void hm_trace_put_slow(hm_thread_data *data, uint64_t tick, uint32_t func, uint32_t kind) {
    if (data->trace_used >= data->trace_cap) {
        hm_sig_add64(&data->trace_dropped, 1);
        return;
    }
    uint32_t i = hm_sig_fetch_add32(&data->trace_used, 1);
    if (i >= data->trace_cap) { /* a signal handler took the last slot */
        hm_sig_add64(&data->trace_dropped, 1);
        return;
    }
    data->trace[i] = (hm_trace_event){tick, func, kind};
}

/* heatmap.json -> heatmap.trace.json; other names get ".trace.json" appended. */
static void hm_trace_path(const char *results_path, char *out, size_t size) {
    size_t len = strlen(results_path), n = 0;
    out[0] = '\0';
    if (len > 5 && strcmp(results_path + len - 5, ".json") == 0)
        len -= 5;
    hm_append(out, size, &n, results_path, len);
    hm_append(out, size, &n, ".trace.json", 11);
}

static void hm_put_thread_events(hm_out *o, const hm_thread_data *d) {
    uint32_t used = d->trace_used < d->trace_cap ? d->trace_used : d->trace_cap;
    bool first = true;
    for (uint32_t i = 0; i < used; i++) {
        const hm_trace_event *e = &d->trace[i];
        const hm_func_meta *m = hm_registry_meta(e->func);
        if (!m || m->internal)
            continue;
        uint64_t t = e->tick > hm_rt.start_tick ? e->tick - hm_rt.start_tick : 0;
        hm_puts(o, first ? "\n        [" : ",\n        [");
        hm_put_u64(o, hm_ticks_to_ns(t, hm_rt.ns_per_tick_fp));
        hm_puts(o, ", ");
        hm_put_u64(o, e->func);
        hm_puts(o, e->kind ? ", 1]" : ", 0]");
        first = false;
    }
}

int hm_write_trace(const char *results_path, const hm_thread_order *order) {
    char path[1100];
    hm_trace_path(results_path, path, sizeof path);
    static hm_out out;
    if (hm_out_open(&out, path) != 0)
        return -1;
    const char *base = strrchr(results_path, '/');
    hm_put_key_u64(&out, "{\n  \"version\": ", 1);
    hm_put_key_u64(&out, ",\n  \"pid\": ", (uint64_t)getpid());
    hm_puts(&out, ",\n  \"results\": ");
    hm_put_json_string(&out, base ? base + 1 : results_path);
    hm_put_key_u64(&out, ",\n  \"start_unix_ns\": ", hm_rt.start_unix_ns);
    hm_puts(&out, ",\n  \"threads\": [");
    bool first = true;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        if (!d || !d->trace || (d->trace_used == 0 && d->trace_dropped == 0))
            continue;
        hm_puts(&out, first ? "\n    {\"tid\": " : ",\n    {\"tid\": ");
        hm_put_u64(&out, d->tid);
        hm_puts(&out, ", \"name\": ");
        hm_put_json_string(&out, d->name);
        hm_put_key_u64(&out, ", \"dropped_events\": ", d->trace_dropped);
        hm_puts(&out, ", \"events\": [");
        hm_put_thread_events(&out, d);
        hm_puts(&out, "]}");
        first = false;
    }
    hm_puts(&out, "\n  ]\n}\n");
    if (hm_out_commit(&out) != 0)
        return -1;
    if (hm_rt.verbose)
        hm_log("wrote trace to '", path, "'", NULL);
    return 0;
}
