/* Callers and callees of a function from the merged call-path tree (see callers.h).
 *
 * One pass over the nodes in pre-order: a node knows whether an ancestor is the function (its
 * parent's flag, or its parent is the function), which tells the outermost nodes whose time counts.
 * Edges are summed per function in two arrays indexed by function (one extra slot stands for the
 * root, "(outermost)"), then the non-empty ones are copied out and sorted.
 */
#include "callers.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

typedef struct edge_sum {
    uint64_t calls, total_ns;
} edge_sum;

static int compare_edge(const void *a, const void *b) {
    const hm_call_edge *x = a, *y = b;
    if (x->total_ns != y->total_ns)
        return x->total_ns > y->total_ns ? -1 : 1;
    if (x->calls != y->calls)
        return x->calls > y->calls ? -1 : 1;
    if (x->function == NULL || y->function == NULL)
        return (x->function != NULL) - (y->function != NULL);
    return strcmp(x->function->name, y->function->name);
}

/* Copy the non-empty sums into a sorted edge array. Slot nf is the root (function NULL). */
static int collect(const hm_paths *p, const edge_sum *sums, size_t nslots, uint64_t total,
                   hm_call_edge **out, size_t *n) {
    size_t k = 0;
    for (size_t i = 0; i < nslots; i++)
        k += sums[i].calls != 0 || sums[i].total_ns != 0;
    *n = 0;
    *out = calloc(k ? k : 1, sizeof **out);
    if (*out == NULL)
        return -1;
    for (size_t i = 0; i < nslots; i++) {
        if (sums[i].calls == 0 && sums[i].total_ns == 0)
            continue;
        hm_call_edge *e = &(*out)[(*n)++];
        e->function = i < p->nfunctions ? &p->functions[i] : NULL;
        e->calls = sums[i].calls;
        e->total_ns = sums[i].total_ns;
        e->share = total ? (double)e->total_ns / (double)total : 0.0;
    }
    qsort(*out, *n, sizeof **out, compare_edge);
    return 0;
}

int hm_callers_compute_index(const hm_paths *p, size_t fi, hm_call_summary *out) {
    memset(out, 0, sizeof *out);
    if (p == NULL || fi >= p->nfunctions)
        return 1;
    out->function = &p->functions[fi];
    size_t nslots = p->nfunctions + 1;
    bool *below = calloc(p->nnodes, sizeof *below); /* an ancestor is fi */
    edge_sum *callers = calloc(nslots, sizeof *callers);
    edge_sum *callees = calloc(nslots, sizeof *callees);
    int rc = below && callers && callees ? 0 : -1;
    bool found = false;
    for (size_t i = 1; rc == 0 && i < p->nnodes; i++) {
        const hm_path_node *n = &p->nodes[i];
        const hm_path_node *parent = &p->nodes[n->parent];
        bool parent_is_f = n->parent != HM_PATH_ROOT && parent->function == fi;
        below[i] = below[n->parent] || parent_is_f;
        if (n->function == fi) {
            found = true;
            size_t slot = n->parent == HM_PATH_ROOT ? p->nfunctions : parent->function;
            out->calls += n->count;
            out->self_ns += n->self_ns;
            callers[slot].calls += n->count;
            if (!below[i]) {
                out->total_ns += n->total_ns;
                callers[slot].total_ns += n->total_ns;
            }
        }
        if (parent_is_f && n->function != fi) {
            callees[n->function].calls += n->count;
            if (!below[n->parent])
                callees[n->function].total_ns += n->total_ns;
        }
    }
    if (rc == 0 && found) {
        out->self_share = out->total_ns ? (double)out->self_ns / (double)out->total_ns : 0.0;
        if (collect(p, callers, nslots, out->total_ns, &out->callers, &out->ncallers) != 0 ||
            collect(p, callees, nslots, out->total_ns, &out->callees, &out->ncallees) != 0)
            rc = -1;
    }
    free(below);
    free(callers);
    free(callees);
    if (rc != 0) {
        hm_call_summary_free(out);
        return -1;
    }
    if (!found) {
        memset(out, 0, sizeof *out);
        return 1;
    }
    return 0;
}

int hm_callers_compute(const hm_paths *p, const char *name, const char *file, uint32_t line,
                       hm_call_summary *out) {
    memset(out, 0, sizeof *out);
    if (p == NULL)
        return 1;
    size_t fi = hm_paths_find_function(p, name, file ? file : "", line);
    return hm_callers_compute_index(p, fi, out);
}

void hm_call_summary_free(hm_call_summary *s) {
    free(s->callers);
    free(s->callees);
    s->callers = s->callees = NULL;
    s->ncallers = s->ncallees = 0;
}
