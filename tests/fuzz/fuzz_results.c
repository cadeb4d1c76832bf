/* libFuzzer target: the results-file loader (heatmap.json), its call-path part, and what the viewer
 * does with a loaded file (totals, percentiles, sort, select, merge, diff, path queries).
 *
 * The input is a heatmap.json. It goes through hm_results_load_buffer and hm_paths_load_buffer
 * (the public loaders only: their internals are being reorganised). A failed load must leave *out
 * NULL and a message naming the file. A loaded file is then used as heatmap-view would use it, so
 * that figures the loader let through (huge counts, empty histograms, odd names) reach the code
 * that computes with them.
 */
#include "hm_paths.h"
#include "hm_results.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failed load: *out stays NULL and the message names the file. */
static void check_failure(const void *out, const char *err) {
    if (out != NULL || strncmp(err, "fuzz.json", 9) != 0)
        abort();
}

static void use_results(hm_results *r) {
    (void)hm_results_cpu_ns(r);
    (void)hm_results_total_calls(r);
    (void)hm_results_parallelism(r);
    char buf[HM_DURATION_LEN];
    for (size_t i = 0; i < r->nfunctions; i++) {
        (void)hm_function_avg_ns(&r->functions[i]);
        (void)hm_format_duration(r->functions[i].max_ns, 0, buf);
        hm_function_update_percentiles(&r->functions[i]);
    }
    size_t *idx = malloc((r->nfunctions + 1) * sizeof *idx);
    if (idx == NULL)
        return;
    for (int key = 0; key < HM_SORT_KEY_COUNT; key++) {
        size_t n = hm_results_select(r, key % 2 ? "*a*" : NULL, (hm_sort_key)key, idx);
        if (n > r->nfunctions)
            abort();
        hm_results_sort(r, (hm_sort_key)key);
    }
    free(idx);

    const hm_results *both[2] = {r, r};
    hm_results *merged = NULL;
    char err[256];
    if (hm_results_merge(both, 2, &merged, err, sizeof err) == 0) {
        if (merged->nfunctions > r->nfunctions)
            abort(); /* merging a file with itself pairs every function with itself */
        hm_diff_row *rows = NULL;
        size_t nrows = 0;
        if (hm_results_diff(r, merged, &rows, &nrows) == 0)
            free(rows);
        hm_results_free(merged);
    }
}

static void use_paths(hm_paths *p) {
    char err[256];
    (void)hm_paths_check_totals(p, err, sizeof err);
    (void)hm_paths_node_calls(p);
    (void)hm_paths_node_self_ns(p);
    (void)hm_paths_function_calls(p);
    (void)hm_paths_function_self_ns(p);
    for (size_t f = 0; f < p->nfunctions; f++) {
        const hm_path_function *fn = &p->functions[f];
        if (hm_paths_find_function(p, fn->name, fn->file, fn->line) == HM_PATH_NO_FUNCTION)
            abort(); /* every function of the tree can be found by its identity */
        (void)hm_paths_unplaced_calls(p, f);
    }
    for (size_t i = 1; i < p->nnodes; i++) {
        const hm_path_node *n = &p->nodes[i];
        if (n->parent >= i || n->function >= p->nfunctions ||
            n->first_child + n->nchildren > p->nnodes)
            abort(); /* parents precede children; indexes stay inside the arrays */
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[512] = "";
    hm_results *r = NULL;
    if (hm_results_load_buffer((const char *)data, size, "fuzz.json", &r, err, sizeof err) == 0) {
        use_results(r);
        hm_results_free(r);
    } else {
        check_failure(r, err);
    }
    hm_paths *p = NULL;
    err[0] = '\0';
    if (hm_paths_load_buffer((const char *)data, size, "fuzz.json", &p, err, sizeof err) == 0) {
        use_paths(p);
        hm_paths_free(p);
    } else {
        check_failure(p, err);
    }
    return 0;
}
