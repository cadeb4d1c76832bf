/* Queries on a merged call-path tree: find a function, sum the nodes and functions, check totals.
 *
 * The loader (paths_load.c) leaves functions sorted by identity (hm_path_identity_compare, defined
 * here for both) and nodes in pre-order, so a lookup is a binary search and every sum one pass.
 * Nothing here allocates except hm_paths_check_totals' scratch arrays; all take the tree const.
 */
#include "paths_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hm_path_identity_compare(const char *name, const char *file, uint32_t line,
                             const hm_path_function *f) {
    int c = strcmp(name, f->name);
    if (c == 0)
        c = strcmp(file, f->file);
    if (c == 0)
        c = line < f->line ? -1 : line > f->line;
    return c;
}

size_t hm_paths_find_function(const hm_paths *p, const char *name, const char *file,
                              uint32_t line) {
    size_t lo = 0, hi = p->nfunctions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = hm_path_identity_compare(name, file, line, &p->functions[mid]);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return HM_PATH_NO_FUNCTION;
}

/* Sum of one uint64_t field over `n` records of `stride` bytes starting at `first`. */
static uint64_t sum_field(const void *first, size_t n, size_t stride) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += *(const uint64_t *)((const char *)first + i * stride);
    return sum;
}

uint64_t hm_paths_node_calls(const hm_paths *p) {
    return p->nnodes < 2 ? 0 : sum_field(&p->nodes[1].count, p->nnodes - 1, sizeof *p->nodes);
}

uint64_t hm_paths_node_self_ns(const hm_paths *p) {
    return p->nnodes < 2 ? 0 : sum_field(&p->nodes[1].self_ns, p->nnodes - 1, sizeof *p->nodes);
}

uint64_t hm_paths_function_calls(const hm_paths *p) {
    return p->nfunctions ? sum_field(&p->functions[0].count, p->nfunctions, sizeof *p->functions)
                         : 0;
}

uint64_t hm_paths_function_self_ns(const hm_paths *p) {
    return p->nfunctions ? sum_field(&p->functions[0].self_ns, p->nfunctions, sizeof *p->functions)
                         : 0;
}

/* Per-function sums of the nodes' counts and self times; malloc'd arrays, NULL on OOM. */
static int node_sums(const hm_paths *p, uint64_t **count, uint64_t **self) {
    *count = calloc(p->nfunctions ? p->nfunctions : 1, sizeof **count);
    *self = calloc(p->nfunctions ? p->nfunctions : 1, sizeof **self);
    if (*count == NULL || *self == NULL) {
        free(*count);
        free(*self);
        return -1;
    }
    for (size_t i = 1; i < p->nnodes; i++) {
        (*count)[p->nodes[i].function] += p->nodes[i].count;
        (*self)[p->nodes[i].function] += p->nodes[i].self_ns;
    }
    return 0;
}

int hm_paths_check_totals(const hm_paths *p, char *err, size_t errlen) {
    uint64_t nodes = hm_paths_node_self_ns(p), functions = hm_paths_function_self_ns(p);
    if (nodes != functions) {
        snprintf(err, errlen, "the nodes' self times add up to %llu ns, the functions' to %llu ns",
                 (unsigned long long)nodes, (unsigned long long)functions);
        return -1;
    }
    if (p->folded_calls != 0)
        return 0;
    uint64_t *count, *self;
    if (node_sums(p, &count, &self) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t f = 0; rc == 0 && f < p->nfunctions; f++) {
        const hm_path_function *fn = &p->functions[f];
        if (count[f] != fn->count || self[f] != fn->self_ns) {
            snprintf(err, errlen,
                     "%s: its nodes count %llu calls and %llu ns, the function %llu calls and "
                     "%llu ns",
                     fn->name, (unsigned long long)count[f], (unsigned long long)self[f],
                     (unsigned long long)fn->count, (unsigned long long)fn->self_ns);
            rc = -1;
        }
    }
    free(count);
    free(self);
    return rc;
}

uint64_t hm_paths_unplaced_calls(const hm_paths *p, size_t f) {
    uint64_t placed = 0;
    for (size_t i = 1; i < p->nnodes; i++)
        if (p->nodes[i].function == f)
            placed += p->nodes[i].count;
    return p->functions[f].count > placed ? p->functions[f].count - placed : 0;
}
