/* Operations on loaded results: totals, percentiles, sort, filter and diff (merging is
 * results_merge.c).
 *
 * Everything here works on the plain data of hm_results.h and allocates only its own outputs.
 * Orders are total and deterministic: whenever a key ties, name, file and line decide, so the
 * viewer's output and the golden files never depend on the order of a hash or of qsort.
 * One stable merge sort over arrays of pointers (hm_sort_ptrs) serves every ordering in this file.
 */
#include "hm_results.h"
#include "results_internal.h"

#include <heatmap/results_format.h>

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void merge_pass(const void **src, const void **dst, size_t n, size_t width, hm_ptr_cmp cmp,
                       const void *ctx) {
    for (size_t lo = 0; lo < n; lo += 2 * width) {
        size_t mid = lo + width < n ? lo + width : n;
        size_t hi = lo + 2 * width < n ? lo + 2 * width : n;
        size_t i = lo, j = mid, k = lo;
        while (i < mid && j < hi)
            dst[k++] = cmp(src[j], src[i], ctx) < 0 ? src[j++] : src[i++];
        while (i < mid)
            dst[k++] = src[i++];
        while (j < hi)
            dst[k++] = src[j++];
    }
}

int hm_sort_ptrs(const void **items, size_t n, hm_ptr_cmp cmp, const void *ctx) {
    if (n < 2)
        return 0;
    const void **tmp = malloc(n * sizeof *tmp);
    if (tmp == NULL)
        return -1;
    const void **src = items, **dst = tmp;
    for (size_t width = 1; width < n; width *= 2) {
        merge_pass(src, dst, n, width, cmp, ctx);
        const void **swap = src;
        src = dst;
        dst = swap;
    }
    if (src != items)
        memcpy(items, src, n * sizeof *items);
    free(tmp);
    return 0;
}

/* ---- Totals ---------------------------------------------------------------------------------- */

/* The saturating sum over the functions of the uint64_t figure at `offset` in hm_function_stats. */
static uint64_t sum_figure(const hm_results *r, size_t offset) {
    uint64_t sum = 0;
    for (size_t i = 0; i < r->nfunctions; i++) {
        uint64_t v;
        memcpy(&v, (const char *)&r->functions[i] + offset, sizeof v);
        sum = hm_add_sat(sum, v);
    }
    return sum;
}

uint64_t hm_results_self_ns(const hm_results *r) {
    return sum_figure(r, offsetof(hm_function_stats, self_ns));
}

uint64_t hm_results_cpu_ns(const hm_results *r) {
    return r->has_cpu ? sum_figure(r, offsetof(hm_function_stats, cpu_ns)) : 0;
}

uint64_t hm_results_wait_ns(const hm_results *r) {
    return r->has_cpu ? sum_figure(r, offsetof(hm_function_stats, wait_ns)) : 0;
}

uint64_t hm_results_total_calls(const hm_results *r) {
    return sum_figure(r, offsetof(hm_function_stats, count));
}

double hm_results_parallelism(const hm_results *r) {
    if (r->elapsed_ns == 0 || !r->has_cpu)
        return 0.0;
    return (double)hm_results_cpu_ns(r) / (double)r->elapsed_ns;
}

double hm_results_overhead_share(const hm_results *r) {
    if (!r->has_overhead_total)
        return 0.0;
    uint64_t whole = hm_add_sat(hm_results_self_ns(r), r->overhead_total_ns);
    return whole ? (double)r->overhead_total_ns / (double)whole : 0.0;
}

uint64_t hm_function_cpu_rank_ns(const hm_function_stats *f) {
    return f->has_cpu ? f->cpu_ns : f->self_ns;
}

uint64_t hm_function_avg_ns(const hm_function_stats *f) {
    uint64_t n = f->throttled || f->timed ? f->timed : f->count; /* per timed call */
    if (n == 0)
        return 0;
    return f->self_ns / n + (f->self_ns % n >= (n + 1) / 2 ? 1 : 0);
}

/* ---- Percentiles ----------------------------------------------------------------------------- */

uint64_t hm_hist_percentile(const hm_bucket *buckets, size_t nbuckets, uint64_t count, unsigned p,
                            uint64_t max_ns) {
    if (nbuckets == 0 || count == 0)
        return 0;
    uint64_t rank = hm_percentile_rank(count, p);
    uint64_t seen = 0;
    size_t i = 0;
    for (; i < nbuckets; i++) {
        seen += buckets[i].count;
        if (seen >= rank)
            break;
    }
    if (i == nbuckets) /* the buckets hold fewer than `count`: the rank is beyond them */
        return max_ns;
    return hm_percentile_value(buckets[i].index, rank, count, max_ns);
}

void hm_function_update_percentiles(hm_function_stats *f) {
    /* Rank within the histogram's own total, which may differ from count by calls in flight
     * (see the loader). */
    uint64_t total = 0;
    for (size_t i = 0; i < f->nbuckets; i++)
        total = hm_add_sat(total, f->buckets[i].count);
    f->p50_ns = hm_hist_percentile(f->buckets, f->nbuckets, total, 50, f->max_ns);
    f->p95_ns = hm_hist_percentile(f->buckets, f->nbuckets, total, 95, f->max_ns);
    f->p99_ns = hm_hist_percentile(f->buckets, f->nbuckets, total, 99, f->max_ns);
}

/* ---- Sort and filter ------------------------------------------------------------------------- */

static const char *const sort_key_names[HM_SORT_KEY_COUNT] = {"cpu",  "count", "avg",  "max", "p95",
                                                              "name", "self",  "wait", "mem"};

const char *hm_sort_key_name(hm_sort_key key) {
    return (unsigned)key < HM_SORT_KEY_COUNT ? sort_key_names[key] : "?";
}

int hm_name_index(const char *const *names, int n, const char *name) {
    for (int i = 0; i < n; i++)
        if (strcmp(name, names[i]) == 0)
            return i;
    return -1;
}

int hm_sort_key_parse(const char *name, hm_sort_key *out) {
    int i = hm_name_index(sort_key_names, HM_SORT_KEY_COUNT, name);
    if (i >= 0)
        *out = (hm_sort_key)i;
    return i >= 0 ? 0 : -1;
}

static int cmp_u64_desc(uint64_t a, uint64_t b) {
    return a > b ? -1 : a < b ? 1 : 0;
}

int hm_compare_identity(const hm_function_stats *a, const hm_function_stats *b, int fields) {
    int c = strcmp(a->name, b->name);
    if (c != 0 || fields < 2)
        return c;
    c = strcmp(a->file, b->file);
    if (c != 0 || fields < 3)
        return c;
    return a->line < b->line ? -1 : a->line > b->line;
}

int hm_function_compare(const hm_function_stats *a, const hm_function_stats *b, hm_sort_key key) {
    int c = 0;
    switch (key) {
    case HM_SORT_CPU:
        c = cmp_u64_desc(hm_function_cpu_rank_ns(a), hm_function_cpu_rank_ns(b));
        break;
    case HM_SORT_SELF:
        c = cmp_u64_desc(a->self_ns, b->self_ns);
        break;
    case HM_SORT_WAIT:
        c = cmp_u64_desc(a->wait_ns, b->wait_ns);
        break;
    case HM_SORT_MEM:
        c = cmp_u64_desc(a->heap.alloc_bytes, b->heap.alloc_bytes);
        if (c == 0)
            c = cmp_u64_desc(hm_heap_inuse_bytes(&a->heap), hm_heap_inuse_bytes(&b->heap));
        break;
    case HM_SORT_COUNT:
        c = cmp_u64_desc(a->count, b->count);
        break;
    case HM_SORT_AVG: {
        /* a.self/a.count vs b.self/b.count, exactly: cross-multiply in 128 bits. */
        unsigned __int128 left = (unsigned __int128)a->self_ns * (b->count ? b->count : 1);
        unsigned __int128 right = (unsigned __int128)b->self_ns * (a->count ? a->count : 1);
        c = left > right ? -1 : left < right ? 1 : 0;
        break;
    }
    case HM_SORT_MAX:
        c = cmp_u64_desc(a->max_ns, b->max_ns);
        break;
    case HM_SORT_P95:
        c = cmp_u64_desc(a->p95_ns, b->p95_ns);
        break;
    case HM_SORT_NAME:
        break;
    }
    return c != 0 ? c : hm_compare_identity(a, b, 3);
}

static int cmp_function_ptrs(const void *a, const void *b, const void *ctx) {
    return hm_function_compare(a, b, *(const hm_sort_key *)ctx);
}

/* Sorted array of pointers to the matching functions; NULL on out-of-memory (or when none). */
static const void **sorted_functions(const hm_results *r, const char *glob, hm_sort_key key,
                                     size_t *n) {
    *n = 0;
    if (r->nfunctions == 0)
        return NULL;
    const void **ptrs = malloc(r->nfunctions * sizeof *ptrs);
    if (ptrs == NULL)
        return NULL;
    for (size_t i = 0; i < r->nfunctions; i++)
        if (hm_function_matches(&r->functions[i], glob))
            ptrs[(*n)++] = &r->functions[i];
    if (hm_sort_ptrs(ptrs, *n, cmp_function_ptrs, &key) != 0) {
        free(ptrs);
        *n = 0;
        return NULL;
    }
    return ptrs;
}

void hm_results_sort(hm_results *r, hm_sort_key key) {
    size_t n;
    const void **ptrs = sorted_functions(r, NULL, key, &n);
    if (ptrs == NULL)
        return; /* out of memory: leave the order as it was */
    hm_function_stats *copy = malloc(n * sizeof *copy);
    if (copy != NULL) {
        for (size_t i = 0; i < n; i++)
            copy[i] = *(const hm_function_stats *)ptrs[i];
        memcpy(r->functions, copy, n * sizeof *copy);
        free(copy);
    }
    free(ptrs);
}

/* Whether s has an ASCII capital: what makes a pattern case-sensitive. */
static bool has_capital(const char *s) {
    for (; *s != '\0'; s++)
        if (*s >= 'A' && *s <= 'Z')
            return true;
    return false;
}

bool hm_name_matches(const char *name, const char *glob) {
    if (glob == NULL || glob[0] == '\0')
        return true;
    if (has_capital(glob))
        return fnmatch(glob, name, 0) == 0;
    /* A lowercase pattern ignores case. FNM_CASEFOLD is a GNU extension, so fold the name instead:
     * the pattern has no capital to fold, and a class like [a-f] then takes A-F too. */
    char small[256];
    size_t len = strlen(name);
    char *folded = len < sizeof small ? small : malloc(len + 1);
    if (folded == NULL)
        return fnmatch(glob, name, 0) == 0; /* out of memory: at least the exact case */
    for (size_t i = 0; i <= len; i++)
        folded[i] = name[i] >= 'A' && name[i] <= 'Z' ? (char)(name[i] - 'A' + 'a') : name[i];
    bool match = fnmatch(glob, folded, 0) == 0;
    if (folded != small)
        free(folded);
    return match;
}

bool hm_function_matches(const hm_function_stats *f, const char *glob) {
    return hm_name_matches(f->name, glob);
}

size_t hm_results_select(const hm_results *r, const char *glob, hm_sort_key key, size_t *idx) {
    size_t n;
    const void **ptrs = sorted_functions(r, glob, key, &n);
    if (ptrs == NULL) {
        /* Out of memory: fall back to file order, unsorted but complete. */
        n = 0;
        for (size_t i = 0; i < r->nfunctions; i++)
            if (hm_function_matches(&r->functions[i], glob))
                idx[n++] = i;
        return n;
    }
    for (size_t i = 0; i < n; i++)
        idx[i] = (size_t)((const hm_function_stats *)ptrs[i] - r->functions);
    free(ptrs);
    return n;
}

/* ---- Diff ------------------------------------------------------------------------------------ */

/* One function awaiting a partner, in a list that mixes both sides. */
typedef struct diff_entry {
    const hm_function_stats *f; /* first member: the identity comparators read it as a function */
    int side;                   /* 0 before, 1 after */
    size_t row;                 /* row it landed in, or SIZE_MAX while unpaired */
} diff_entry;

static int cmp_entries(const void *a, const void *b, const void *ctx) {
    const diff_entry *x = a, *y = b;
    int c = hm_compare_identity(x->f, y->f, *(const int *)ctx);
    return c != 0 ? c : x->side - y->side;
}

static const hm_function_stats *row_identity(const hm_diff_row *row) {
    return row->after ? row->after : row->before;
}

static int cmp_rows(const void *a, const void *b) {
    const hm_diff_row *x = a, *y = b;
    if (x->cpu_delta_ns != y->cpu_delta_ns)
        return x->cpu_delta_ns > y->cpu_delta_ns ? -1 : 1;
    int c = hm_compare_identity(row_identity(x), row_identity(y), 3);
    return c != 0 ? c : (int)x->status - (int)y->status;
}

/* Pair unpaired entries that are alone on each side within a group equal on `fields`. */
static int pair_level(diff_entry *entries, size_t n, int fields, hm_diff_row *rows, size_t *nrows) {
    const void **ptrs = malloc((n ? n : 1) * sizeof *ptrs);
    if (ptrs == NULL)
        return -1;
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        if (entries[i].row == SIZE_MAX)
            ptrs[m++] = &entries[i];
    if (hm_sort_ptrs(ptrs, m, cmp_entries, &fields) != 0) {
        free(ptrs);
        return -1;
    }
    for (size_t lo = 0; lo < m;) {
        size_t hi = lo + 1;
        while (hi < m && hm_compare_identity(((const diff_entry *)ptrs[lo])->f,
                                             ((const diff_entry *)ptrs[hi])->f, fields) == 0)
            hi++;
        diff_entry *a = (diff_entry *)ptrs[lo], *b = (diff_entry *)ptrs[lo + 1 < m ? lo + 1 : lo];
        if (hi - lo == 2 && a->side == 0 && b->side == 1) {
            hm_diff_row *row = &rows[*nrows];
            row->status = HM_DIFF_BOTH;
            row->before = a->f;
            row->after = b->f;
            a->row = b->row = (*nrows)++;
        }
        lo = hi;
    }
    free(ptrs);
    return 0;
}

int hm_results_diff(const hm_results *before, const hm_results *after, hm_diff_row **rows_out,
                    size_t *nrows_out) {
    size_t n = before->nfunctions + after->nfunctions;
    diff_entry *entries = malloc((n ? n : 1) * sizeof *entries);
    hm_diff_row *rows = calloc(n ? n : 1, sizeof *rows);
    size_t nrows = 0;
    *rows_out = NULL;
    *nrows_out = 0;
    if (entries == NULL || rows == NULL)
        goto oom;
    for (size_t i = 0; i < before->nfunctions; i++)
        entries[i] = (diff_entry){&before->functions[i], 0, SIZE_MAX};
    for (size_t i = 0; i < after->nfunctions; i++)
        entries[before->nfunctions + i] = (diff_entry){&after->functions[i], 1, SIZE_MAX};
    for (int fields = 3; fields >= 1; fields--)
        if (pair_level(entries, n, fields, rows, &nrows) != 0)
            goto oom;
    for (size_t i = 0; i < n; i++) {
        if (entries[i].row != SIZE_MAX)
            continue;
        hm_diff_row *row = &rows[nrows++];
        row->status = entries[i].side ? HM_DIFF_NEW : HM_DIFF_VANISHED;
        *(entries[i].side ? &row->after : &row->before) = entries[i].f;
    }
    for (size_t i = 0; i < nrows; i++) {
        int64_t b = rows[i].before ? (int64_t)rows[i].before->self_ns : 0;
        int64_t a = rows[i].after ? (int64_t)rows[i].after->self_ns : 0;
        rows[i].cpu_delta_ns = a - b;
    }
    qsort(rows, nrows, sizeof *rows, cmp_rows);
    free(entries);
    *rows_out = rows;
    *nrows_out = nrows;
    return 0;
oom:
    free(entries);
    free(rows);
    return -1;
}
