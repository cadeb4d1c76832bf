/* HEATMAP_SUMMARY=on: a short static summary on stderr at exit, for runs nobody opens the viewer
 * on.
 *
 * Same numbers and the same duration rule as heatmap-view's static text (heatmap/duration.h, with
 * ASCII "us" because stderr's encoding is unknown), formatted without stdio or malloc: the summary
 * may be printed from a fatal-signal handler.
 *
 * Layer 4 (rt.h), one of the writers: may call the hot path's read side (collected statistics,
 * percentiles), the registry and json_out, clock and log; called by the lifecycle only, never by
 * the other writers.
 */
#include <string.h>
#include <unistd.h>

#include "heatmap/duration.h"
#include "heap.h"
#include "json_out.h"
#include "rt.h"

#define HM_SUMMARY_TOP 10

static void hm_put_duration(hm_out *o, uint64_t ns) {
    char text[HM_DURATION_LEN];
    hm_puts(o, hm_duration_text(ns, true, text));
}

/* Left-aligned text or right-aligned number in a column of `width`. */
static void hm_put_padded(hm_out *o, const char *text, size_t width, bool right) {
    size_t len = strlen(text);
    if (right)
        for (size_t i = len; i < width; i++)
            hm_puts(o, " ");
    hm_put(o, text, len < width ? len : width);
    if (!right)
        for (size_t i = len; i < width; i++)
            hm_puts(o, " ");
}

static void hm_put_cell_duration(hm_out *o, uint64_t ns) {
    static hm_out cell; /* never flushed: a duration is a dozen bytes */
    cell.len = 0;
    hm_put_duration(&cell, ns);
    cell.buf[cell.len] = '\0';
    hm_put_padded(o, cell.buf, 10, true);
}

/* A ratio as heatmap-view prints it with "%.<decimals>f" (the integer rounding differs from
 * printf's only on exact ties of the binary value). */
static void hm_put_ratio(hm_out *o, uint64_t num, uint64_t den, unsigned decimals) {
    uint64_t scale = decimals == 2 ? 100 : 10;
    uint64_t v = den ? hm_div_round_half_up(num * scale, den) : 0;
    hm_put_u64(o, v / scale);
    hm_puts(o, ".");
    if (decimals == 2 && v % scale < 10)
        hm_puts(o, "0");
    hm_put_u64(o, v % scale);
}

/* The mean as heatmap-view rounds it (hm_function_avg_ns). */
static uint64_t hm_avg(uint64_t self_ns, uint64_t count) {
    return count ? self_ns / count + (self_ns % count >= (count + 1) / 2 ? 1 : 0) : 0;
}

void hm_print_summary(const char *path) {
    static hm_out out;
    out.fd = STDERR_FILENO;
    out.len = 0;
    out.failed = 0;
    if (!hm_rt.written.valid)
        return; /* the figures are the results file's: nothing was written */
    uint32_t n = hm_registry_count();
    uint64_t hist[HM_RT_BUCKETS];
    uint32_t top[HM_SUMMARY_TOP];
    uint64_t top_cpu[HM_SUMMARY_TOP];
    uint32_t ntop = 0;
    for (uint32_t id = 1; id <= n; id++) {
        const hm_func_meta *m = hm_registry_meta(id);
        hm_collected c;
        if (!m || m->internal)
            continue;
        hm_collect_function(id, NULL, &c, hist);
        if (c.count + c.untimed == 0)
            continue;
        /* Insert into the top list (by CPU time as the viewer ranks, then id for a stable order).
         */
        uint32_t pos = ntop < HM_SUMMARY_TOP ? ntop++ : HM_SUMMARY_TOP;
        while (pos > 0 && top_cpu[pos - 1] < c.cpu_ns) {
            if (pos < HM_SUMMARY_TOP) {
                top[pos] = top[pos - 1];
                top_cpu[pos] = top_cpu[pos - 1];
            }
            pos--;
        }
        if (pos < HM_SUMMARY_TOP) {
            top[pos] = id;
            top_cpu[pos] = c.cpu_ns;
        }
    }
    /* The two lines of heatmap-view's static summary (--format=text --ascii), from the figures
     * the results file was written with (hm_rt.written): docs/runtime.md, "HEATMAP_SUMMARY". */
    uint64_t over = hm_rt.written.overhead_total_ns;
    hm_puts(&out, "heatmap: ");
    hm_puts(&out, path);
    hm_puts(&out, "\n  Elapsed: ");
    hm_put_duration(&out, hm_rt.written.elapsed_ns);
    hm_puts(&out, " | CPU Time: ");
    hm_put_duration(&out, hm_rt.written.cpu_ns);
    hm_puts(&out, " | Wait: ");
    hm_put_duration(&out, hm_rt.written.wait_ns);
    hm_puts(&out, " | Parallelism: ~");
    hm_put_ratio(&out, hm_rt.written.cpu_ns, hm_rt.written.elapsed_ns, 1);
    hm_puts(&out, "x | Profiling overhead: ");
    hm_put_duration(&out, over);
    hm_puts(&out, " (");
    hm_put_ratio(&out, 100 * over, hm_rt.written.self_ns + over, 2);
    hm_puts(&out, "% of the run)");
    hm_put_key_u64(&out, "\n  Functions: ", hm_rt.written.functions);
    hm_put_key_u64(&out, " | Total Calls: ", hm_rt.written.calls);
    hm_heap_counts heap;
    if (hm_heap_totals(&heap)) { /* requested bytes, (outside) included */
        hm_put_key_u64(&out, "\n  Memory: ", heap.alloc_bytes);
        hm_put_key_u64(&out, " bytes in ", heap.alloc_objects);
        hm_put_key_u64(&out, " allocations | in use at exit: ", heap.alloc_bytes - heap.free_bytes);
        hm_put_key_u64(&out, " bytes in ", heap.alloc_objects - heap.free_objects);
        hm_puts(&out, " blocks");
    }
    hm_puts(&out, "\n  ");
    hm_put_padded(&out, "Function", 32, false);
    hm_put_padded(&out, "Count", 12, true);
    hm_put_padded(&out, "CPU Time", 10, true);
    hm_put_padded(&out, "Wait", 10, true);
    hm_put_padded(&out, "Avg", 10, true);
    hm_put_padded(&out, "Max", 10, true);
    hm_put_padded(&out, "P95", 10, true);
    hm_puts(&out, "\n");
    for (uint32_t i = 0; i < ntop; i++) {
        hm_collected c;
        hm_collect_function(top[i], NULL, &c, hist);
        char count[21];
        count[hm_format_u64(c.count + c.untimed, count)] = '\0';
        hm_puts(&out, "  ");
        hm_put_padded(&out, hm_registry_meta(top[i])->name, 32, false);
        hm_put_padded(&out, count, 12, true);
        hm_put_cell_duration(&out, c.cpu_ns);
        hm_put_cell_duration(&out, c.wait_ns);
        hm_put_cell_duration(&out, hm_avg(c.self_ns, c.count)); /* per timed call */
        hm_put_cell_duration(&out, c.max_ns);
        hm_put_cell_duration(&out, hm_percentile_ns(hist, c.count, c.max_ns, 95));
        hm_puts(&out, "\n");
    }
    if (hm_rt.written.functions > ntop) {
        hm_put_key_u64(&out, "  (", hm_rt.written.functions - ntop);
        hm_puts(&out, " more: heatmap-view shows them all)\n");
    }
    hm_puts(&out,
            "  CPU Time: on-CPU self-time | Wait: blocked/preempted self-time | Avg, Max, P95: "
            "wall self-time per call\n");
    hm_flush(&out);
}
