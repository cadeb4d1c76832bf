/* Calibration: the cost of enter+exit that lands inside measured intervals, for compensation.
 *
 * Found by timing empty calls with the real entry points: a leaf's measured self time is the part
 * charged to every call itself, and the parent's self time per child is the part charged to the
 * caller. Median of several rounds. The calibration's own records are marked internal (never
 * written) and its statistics, events and call-path nodes are removed afterwards.
 *
 * Layer 3 (rt.h): may call the hot path (enter/exit, thread state, call paths) and the registry;
 * called by the lifecycle's init only.
 */
#include <stdlib.h>

#include "rt.h"

static hm_func_record hm_cal_outer = {"heatmap.calibration.outer", "", 0, 0, HM_STATE_TIMED};
static hm_func_record hm_cal_leaf = {"heatmap.calibration.leaf", "", 0, 0, HM_STATE_TIMED};

static int hm_cmp_u64(const void *a, const void *b) {
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

void hm_calibrate(void) {
    enum { ROUNDS = 9, CALLS = 256 };
    uint64_t leaf[ROUNDS], child[ROUNDS];
    if (hm_registry_intern(&hm_cal_outer) == 0 || hm_registry_intern(&hm_cal_leaf) == 0)
        return;
    hm_registry_mark_internal(hm_cal_outer.id);
    hm_registry_mark_internal(hm_cal_leaf.id);
    for (int r = 0; r < ROUNDS; r++) {
        __heatmap_enter_v3(&hm_cal_outer);
        for (int i = 0; i < CALLS; i++) {
            __heatmap_enter_v3(&hm_cal_leaf);
            __heatmap_exit_v3(&hm_cal_leaf);
        }
        __heatmap_exit_v3(&hm_cal_outer);
        if (hm_tls_self.stats_cap <= hm_cal_leaf.id || !hm_tls_self.stats[hm_cal_leaf.id] ||
            !hm_tls_self.stats[hm_cal_outer.id])
            return; /* recording did not happen: leave compensation at zero */
        hm_fstats *l = hm_tls_self.stats[hm_cal_leaf.id], *o = hm_tls_self.stats[hm_cal_outer.id];
        leaf[r] = l->count ? l->self_ns / l->count : 0;
        child[r] = o->self_ns / CALLS;
        hm_thread_forget_function(&hm_tls_self, hm_cal_leaf.id);
        hm_thread_forget_function(&hm_tls_self, hm_cal_outer.id);
    }
    /* hm_tls_self is named each time, not held in a pointer: GCC's UBSan at -O2 misreads a
     * pointer to initial-exec TLS kept across calls as null. */
    hm_thread_data *data = hm_tls_self.data;
    data->outer_ticks = 0;
    hm_thread_restart_clocks(data); /* the thread's time starts with the program's */
    data->trace_used = 0;           /* the calibration's events are not the program's */
    data->trace_dropped = 0;
    if (hm_tls_self.tree)
        hm_tree_clear(
            hm_tls_self.tree); /* nor are its call-path nodes: give the program the whole tree */
    qsort(leaf, ROUNDS, sizeof *leaf, hm_cmp_u64);
    qsort(child, ROUNDS, sizeof *child, hm_cmp_u64);
    hm_rt.comp_self_ns = leaf[ROUNDS / 2];
    hm_rt.comp_child_ns = child[ROUNDS / 2];
    if (hm_rt.ns_per_tick_fp) /* rounded to the nearest tick */
        hm_rt.comp_child_ticks =
            (uint64_t)((((unsigned __int128)hm_rt.comp_child_ns << 32) + hm_rt.ns_per_tick_fp / 2) /
                       hm_rt.ns_per_tick_fp);
}
