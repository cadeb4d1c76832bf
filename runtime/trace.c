/* Event trace recording (HEATMAP_TRACE=1): every enter and exit, per thread, for timeline exports.
 *
 * Each thread gets a buffer of hm_rt.trace_events events, reserved with MAP_NORESERVE so only what
 * is used is committed. When it is full the thread stops recording events and counts the rest as
 * dropped (stop-when-full keeps the beginning of the run, whose nesting is complete). Buffers stay
 * mapped after their thread exits, until trace_write.c writes the trace file beside the results.
 *
 * Layer 2 (rt_hot.h): calls nothing of the runtime above libc; called by thread_state.c (attach)
 * and hot_path.c (hm_trace_put).
 */
#define _GNU_SOURCE
#include <sys/mman.h>

#include "rt_hot.h"

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
