/* Trace file writer: the events trace.c recorded, as X.trace.json beside results file X.json.
 *
 * Runs at the end of the process, after the results file, possibly from a signal handler, so it
 * writes through json_out's fixed buffer (no malloc, no stdio) and replaces the file atomically.
 * Event times are nanoseconds since the runtime's start. The file name and version come from
 * heatmap/results_format.h. Format: docs/results-format.md, "Trace file".
 *
 * Layer 4 (rt.h), one of the writers: may call the hot path's read side (thread order), the
 * registry and json_out, clock and log; called by the lifecycle only, never by the other writers.
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "heatmap/results_format.h"
#include "json_out.h"
#include "rt.h"

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

static void hm_put_trace(hm_out *o, const char *results_path, const hm_thread_order *order) {
    const char *base = strrchr(results_path, '/');
    hm_put_key_u64(o, "{\n  \"version\": ", HM_RESULTS_FORMAT_VERSION);
    hm_put_key_u64(o, ",\n  \"pid\": ", (uint64_t)getpid());
    hm_puts(o, ",\n  \"results\": ");
    hm_put_json_string(o, base ? base + 1 : results_path);
    hm_put_key_u64(o, ",\n  \"start_unix_ns\": ", hm_rt.start_unix_ns);
    hm_puts(o, ",\n  \"threads\": [");
    bool first = true;
    for (uint32_t i = 0; i < order->n; i++) {
        const hm_thread_data *d = order->v[i];
        if (!d || !d->trace || (d->trace_used == 0 && d->trace_dropped == 0))
            continue;
        hm_puts(o, first ? "\n    {\"tid\": " : ",\n    {\"tid\": ");
        hm_put_u64(o, d->tid);
        hm_puts(o, ", \"name\": ");
        hm_put_json_string(o, d->name);
        hm_put_key_u64(o, ", \"dropped_events\": ", d->trace_dropped);
        hm_puts(o, ", \"events\": [");
        hm_put_thread_events(o, d);
        hm_puts(o, "]}");
        first = false;
    }
    hm_puts(o, "\n  ]\n}\n");
}

int hm_write_trace_fd(int fd, const hm_thread_order *order) {
    hm_out *out =
        mmap(NULL, sizeof *out, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (out == MAP_FAILED)
        return -1;
    hm_out_use_fd(out, fd);
    hm_put_trace(out, "live.json", order);
    int rc = hm_out_finish_fd(out);
    munmap(out, sizeof *out);
    return rc;
}

int hm_write_trace(const char *results_path, const hm_thread_order *order) {
    char path[1100];
    if (hm_trace_path_for(results_path, path, sizeof path) < 0) {
        hm_log("trace file name too long for '", results_path, "'", NULL);
        return -1;
    }
    static hm_out out; /* static: 8 KiB is too much for a signal handler's stack */
    if (hm_out_open(&out, path) != 0)
        return -1;
    hm_put_trace(&out, results_path, order);
    if (hm_out_commit(&out) != 0)
        return -1;
    if (hm_rt.verbose)
        hm_log("wrote trace to '", path, "'", NULL);
    return 0;
}
