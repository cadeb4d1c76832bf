/* Operations on loaded results: totals, percentiles, merge, sort, filter and diff.
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

/* ---- Merge ----------------------------------------------------------------------------------- */

static int cmp_identity_ptrs(const void *a, const void *b, const void *ctx) {
    return hm_compare_identity(a, b, *(const int *)ctx);
}

static int cmp_buckets(const void *a, const void *b) {
    const hm_bucket *x = a, *y = b;
    return x->index < y->index ? -1 : x->index > y->index;
}

static int cmp_splits(const void *a, const void *b) {
    const hm_thread_split *x = a, *y = b;
    return x->tid < y->tid ? -1 : x->tid > y->tid;
}

/* Sum the run group[0..n) of functions sharing name, file and line into *out. */
static int merge_group(const hm_function_stats *const *group, size_t n, hm_function_stats *out) {
    size_t nb = 0, nt = 0;
    for (size_t i = 0; i < n; i++) {
        nb += group[i]->nbuckets;
        nt += group[i]->nthreads;
    }
    out->name = hm_strdup(group[0]->name);
    out->file = hm_strdup(group[0]->file);
    out->line = group[0]->line;
    out->has_cpu = true;
    out->buckets = nb ? malloc(nb * sizeof *out->buckets) : NULL;
    out->threads = nt ? malloc(nt * sizeof *out->threads) : NULL;
    if (!out->name || !out->file || (nb && !out->buckets) || (nt && !out->threads))
        return -1;
    for (size_t i = 0; i < n; i++) {
        const hm_function_stats *f = group[i];
        out->count = hm_add_sat(out->count, f->count);
        out->timed = hm_add_sat(out->timed, f->throttled || f->timed ? f->timed : f->count);
        out->throttled = out->throttled || f->throttled;
        out->self_ns = hm_add_sat(out->self_ns, f->self_ns);
        out->has_cpu = out->has_cpu && f->has_cpu;
        out->cpu_ns = hm_add_sat(out->cpu_ns, f->cpu_ns);
        out->wait_ns = hm_add_sat(out->wait_ns, f->wait_ns);
        out->blocked_ns = hm_add_sat(out->blocked_ns, f->blocked_ns);
        out->open_calls = hm_add_sat(out->open_calls, f->open_calls);
        hm_heap_figures_add(&out->heap, &f->heap);
        if (f->max_ns > out->max_ns)
            out->max_ns = f->max_ns;
        if (f->nbuckets > 0)
            memcpy(out->buckets + out->nbuckets, f->buckets, f->nbuckets * sizeof *f->buckets);
        out->nbuckets += f->nbuckets;
        if (f->nthreads > 0)
            memcpy(out->threads + out->nthreads, f->threads, f->nthreads * sizeof *f->threads);
        out->nthreads += f->nthreads;
    }
    /* Coalesce equal bucket indexes (and equal tids of the per-thread split). */
    if (out->nbuckets > 1) {
        qsort(out->buckets, out->nbuckets, sizeof *out->buckets, cmp_buckets);
        size_t w = 0;
        for (size_t i = 1; i < out->nbuckets; i++)
            if (out->buckets[i].index == out->buckets[w].index)
                out->buckets[w].count = hm_add_sat(out->buckets[w].count, out->buckets[i].count);
            else
                out->buckets[++w] = out->buckets[i];
        out->nbuckets = w + 1;
    }
    if (out->nthreads > 1) {
        qsort(out->threads, out->nthreads, sizeof *out->threads, cmp_splits);
        size_t w = 0;
        for (size_t i = 1; i < out->nthreads; i++)
            if (out->threads[i].tid == out->threads[w].tid) {
                out->threads[w].count += out->threads[i].count;
                out->threads[w].self_ns += out->threads[i].self_ns;
                out->threads[w].cpu_ns += out->threads[i].cpu_ns;
                out->threads[w].wait_ns += out->threads[i].wait_ns;
            } else {
                out->threads[++w] = out->threads[i];
            }
        out->nthreads = w + 1;
    }
    hm_function_update_percentiles(out);
    return 0;
}

static int merge_meta(const hm_results *const *in, size_t n, hm_results *r) {
    const hm_results *first = in[0];
    r->version = first->version;
    r->pid = first->pid;
    r->overhead_ns = first->overhead_ns;
    r->start_unix_ns = first->start_unix_ns;
    const char *clock = first->clock;
    r->has_cpu = r->has_wall = r->has_overhead_total = r->has_process_cpu = true;
    for (size_t i = 0; i < n; i++) {
        const hm_results *f = in[i];
        r->has_cpu = r->has_cpu && f->has_cpu;
        r->has_wall = r->has_wall && f->has_wall;
        r->has_overhead_total = r->has_overhead_total && f->has_overhead_total;
        r->has_process_cpu = r->has_process_cpu && f->has_process_cpu;
        r->has_heap = (i == 0 || r->has_heap) && f->has_heap;
        hm_heap_figures_add(&r->heap_outside, &f->heap_outside);
        hm_heap_figures_add(&r->heap_total, &f->heap_total);
        r->wall_ns = f->wall_ns > r->wall_ns ? f->wall_ns : r->wall_ns;
        r->overhead_total_ns = hm_add_sat(r->overhead_total_ns, f->overhead_total_ns);
        r->process_cpu_ns = hm_add_sat(r->process_cpu_ns, f->process_cpu_ns);
        r->cpus = f->cpus > r->cpus ? f->cpus : r->cpus;
        r->nfiles += in[i]->nfiles;
        r->nthreads += in[i]->nthreads;
        if (in[i]->elapsed_ns > r->elapsed_ns)
            r->elapsed_ns = in[i]->elapsed_ns;
        if (in[i]->start_unix_ns != 0 &&
            (r->start_unix_ns == 0 || in[i]->start_unix_ns < r->start_unix_ns))
            r->start_unix_ns = in[i]->start_unix_ns;
        if (strcmp(in[i]->clock, clock) != 0)
            clock = "mixed";
    }
    r->path = hm_strdup(first->path);
    r->program = hm_strdup(first->program);
    r->hostname = hm_strdup(first->hostname);
    r->end = hm_strdup(first->end);
    r->clock = hm_strdup(clock);
    if (!r->path || !r->program || !r->hostname || !r->end || !r->clock)
        return -1;
    if (r->nthreads && !(r->threads = calloc(r->nthreads, sizeof *r->threads)))
        return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < in[i]->nthreads; j++, k++) {
            r->threads[k] = in[i]->threads[j];
            if ((r->threads[k].name = hm_strdup(in[i]->threads[j].name)) == NULL)
                return -1;
        }
    return 0;
}

int hm_results_merge(const hm_results *const *in, size_t n, hm_results **out, char *err,
                     size_t errlen) {
    *out = NULL;
    if (n == 0) {
        snprintf(err, errlen, "nothing to merge");
        return -1;
    }
    hm_results *r = calloc(1, sizeof *r);
    size_t total = 0;
    for (size_t i = 0; i < n; i++)
        total += in[i]->nfunctions;
    const void **all = total ? malloc(total * sizeof *all) : NULL;
    int fields = 3, rc = -1;
    if (r == NULL || (total && all == NULL) || merge_meta(in, n, r) != 0)
        goto done;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = 0; j < in[i]->nfunctions; j++)
            all[k++] = &in[i]->functions[j];
    if (hm_sort_ptrs(all, total, cmp_identity_ptrs, &fields) != 0 ||
        (total && !(r->functions = calloc(total, sizeof *r->functions))))
        goto done;
    for (size_t lo = 0; lo < total;) {
        size_t hi = lo + 1;
        while (hi < total && hm_compare_identity(all[lo], all[hi], 3) == 0)
            hi++;
        r->nfunctions++; /* count it first so that free() releases a partial entry */
        if (merge_group((const hm_function_stats *const *)(all + lo), hi - lo,
                        &r->functions[r->nfunctions - 1]) != 0)
            goto done;
        lo = hi;
    }
    /* The split holds for all or none: a file without it makes the merged figures unknown. */
    for (size_t i = 0; !r->has_cpu && i < r->nfunctions; i++) {
        hm_function_stats *f = &r->functions[i];
        f->has_cpu = false;
        f->cpu_ns = f->wait_ns = 0;
        for (size_t t = 0; t < f->nthreads; t++)
            f->threads[t].cpu_ns = f->threads[t].wait_ns = 0;
    }
    if (!r->has_wall)
        r->wall_ns = 0;
    if (!r->has_overhead_total)
        r->overhead_total_ns = 0;
    if (!r->has_process_cpu)
        r->process_cpu_ns = 0;
    rc = 0;
done:
    free(all);
    if (rc != 0) {
        hm_results_free(r);
        snprintf(err, errlen, "out of memory while merging results");
        return -1;
    }
    *out = r;
    return 0;
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
