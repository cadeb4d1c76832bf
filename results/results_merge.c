/* Merging results: an accumulator that takes one file at a time (hm_results_merge, load_many).
 *
 * A fleet is a thousand processes of one program: a merge must not hold every file at once.
 * The accumulator keeps one entry per distinct function (name + file + line), found through an
 * index map (index_map.h), and adds each file into it: counts and times summed (saturating),
 * histogram buckets and per-thread splits added into sorted lists (a binary search each). A file
 * can be freed as soon as it is added, so memory is bounded by the distinct functions and their
 * buckets, not by the files.
 *
 * Threads are the one list that grows with the files. As the runtime keeps its HEATMAP_THREADS_MAX
 * busiest threads, the merged table keeps the HM_MERGE_THREADS_MAX busiest rows (by cpu_ns, by
 * self_ns for a row without CPU figures; on a tie the earlier row wins), listed in input order, and
 * sums the others into one "other threads" row (tid HM_OTHER_TID), a file's own such row among
 * them. Streaming, the table is the busiest so far: a row busier than the least busy kept one
 * evicts it into "other". The splits
 * charge a thread without a row to HM_OTHER_TID: at add time, and on an eviction by moving the
 * evicted tid's entry of every function into its HM_OTHER_TID entry, so every sum still adds up.
 * Splits are summed by tid, not by row: when files reuse a tid, its entry holds every file's share
 * while any row of that tid is kept, and moves to HM_OTHER_TID when the last one is evicted.
 *
 * The result is what sorting all inputs together used to give, byte for byte: functions ordered by
 * name, file, line; bucket lists and splits by index and tid; percentiles recomputed at the end;
 * metadata from the first input. Everything is integer arithmetic, and sums of non-negative numbers
 * that saturate do not depend on the order of the additions.
 */
#include "hm_results.h"
#include "index_map.h"
#include "results_internal.h"

#include <heatmap/results_format.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Per function: the identity's hash and the capacities of its two lists. */
typedef struct fextra {
    uint64_t hash;
    size_t cap_buckets, cap_threads;
} fextra;

struct hm_merge {
    hm_results *r;
    fextra *extra;
    size_t cap_functions, cap_extra, cap_rows;
    bool started; /* an input was added */
    hm_imap map;  /* identity -> function index */
    /* Thread rows not kept in the table: their sum, and the tids of the kept rows. */
    bool folded;
    hm_thread_stats other;
    uint64_t kept[HM_MERGE_THREADS_MAX]; /* ascending, a tid once per kept row */
    size_t nkept;
    hm_thread_split *incoming; /* scratch: one input function's split, sorted */
    size_t cap_incoming;
    bool mixed_clock;
};

hm_merge *hm_merge_new(void) {
    return calloc(1, sizeof(hm_merge));
}

void hm_merge_free(hm_merge *m) {
    if (m == NULL)
        return;
    hm_results_free(m->r);
    free(m->extra);
    hm_imap_free(&m->map);
    free(m->other.name);
    free(m->incoming);
    free(m);
}

static uint64_t entry_hash(const void *ctx, size_t i) {
    return ((const hm_merge *)ctx)->extra[i].hash;
}

static bool entry_equal(const void *ctx, size_t i, const void *key) {
    const hm_merge *m = ctx;
    const hm_function_stats *e = &m->r->functions[i];
    return hm_identity_key_equal(key, m->extra[i].hash, e->name, e->file, e->line);
}

/* The accumulator's entry for f's identity: found, or added empty (name and file copied).
 * NULL on out-of-memory. */
static hm_function_stats *entry_for(hm_merge *m, const hm_function_stats *f, bool *added) {
    hm_results *r = m->r;
    hm_identity_key key = hm_identity_key_of(f->name, f->file, f->line);
    *added = false;
    if (hm_imap_reserve(&m->map, r->nfunctions + 1, entry_hash, m) != 0)
        return NULL;
    size_t slot = 0, found = hm_imap_find(&m->map, key.hash, entry_equal, m, &key, &slot);
    if (found != SIZE_MAX)
        return &r->functions[found];
    if (hm_reserve((void **)&r->functions, &m->cap_functions, r->nfunctions + 1,
                   sizeof *r->functions) != 0 ||
        hm_reserve((void **)&m->extra, &m->cap_extra, r->nfunctions + 1, sizeof *m->extra) != 0)
        return NULL;
    hm_function_stats *e = &r->functions[r->nfunctions];
    memset(e, 0, sizeof *e);
    if (hm_dup_identity(&e->name, &e->file, f->name, f->file) != 0)
        return NULL;
    e->line = f->line;
    e->has_cpu = true;
    m->extra[r->nfunctions] = (fextra){.hash = key.hash};
    hm_imap_insert(&m->map, slot, r->nfunctions++);
    *added = true;
    return e;
}

/* Room for one more element in *items (length n, capacity *cap, elements of `size` bytes), at
 * position `at`: the elements from `at` on move up by one. Returns 0 or -1 (out of memory). */
static int insert_gap(void **items, size_t *cap, size_t n, size_t at, size_t size) {
    if (hm_reserve(items, cap, n + 1, size) != 0)
        return -1;
    char *base = *items;
    memmove(base + (at + 1) * size, base + at * size, (n - at) * size);
    return 0;
}

static uint64_t bucket_key(const void *item) {
    return ((const hm_bucket *)item)->index;
}

static uint64_t split_key(const void *item) {
    return ((const hm_thread_split *)item)->tid;
}

static uint64_t tid_key(const void *item) {
    return *(const uint64_t *)item;
}

/* Where `key` is in the ascending list items[0..n) (elements of `size` bytes, keys read by
 * key_of), searching from `lo` on: its position, or where it would go; *found tells which. */
static size_t sorted_find(const void *items, size_t n, size_t size, size_t lo, uint64_t key,
                          uint64_t (*key_of)(const void *), bool *found) {
    size_t hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (key_of((const char *)items + mid * size) < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    *found = lo < n && key_of((const char *)items + lo * size) == key;
    return lo;
}

/* Add b[0..nb) (ascending by key, one element per key; elements of `size` bytes, keys read by
 * key_of) into the ascending list *items (length *n, capacity *cap): an element whose key is
 * there is added to it by `add`, a new one is inserted in place. A file's lists are short and
 * mostly already there, so this is a binary search per element, not a pass over the merged list.
 * Returns 0 or -1 (out of memory). */
static int merge_sorted(void **items, size_t *n, size_t *cap, const void *b, size_t nb, size_t size,
                        uint64_t (*key_of)(const void *),
                        void (*add)(void *into, const void *from)) {
    size_t lo = 0;
    bool found;
    for (size_t j = 0; j < nb; j++) {
        const char *from = (const char *)b + j * size;
        lo = sorted_find(*items, *n, size, lo, key_of(from), key_of, &found);
        if (found) {
            add((char *)*items + lo * size, from);
            continue;
        }
        if (insert_gap(items, cap, *n, lo, size) != 0)
            return -1;
        memcpy((char *)*items + lo * size, from, size);
        (*n)++;
    }
    return 0;
}

static void bucket_add(void *into, const void *from) {
    hm_bucket *a = into;
    a->count = hm_add_sat(a->count, ((const hm_bucket *)from)->count);
}

static bool kept_tid(const hm_merge *m, uint64_t tid) {
    bool found;
    sorted_find(m->kept, m->nkept, sizeof *m->kept, 0, tid, tid_key, &found);
    return found;
}

static void split_add(void *into, const void *from) {
    hm_thread_split *a = into;
    const hm_thread_split *b = from;
    a->count += b->count;
    a->self_ns += b->self_ns;
    a->cpu_ns += b->cpu_ns;
    a->wait_ns += b->wait_ns;
}

/* Sort splits by tid (insertion sort: splits are short) and add up equal tids; the new length. */
static size_t sort_splits(hm_thread_split *s, size_t n) {
    for (size_t i = 1; i < n; i++) {
        hm_thread_split v = s[i];
        size_t j = i;
        for (; j > 0 && s[j - 1].tid > v.tid; j--)
            s[j] = s[j - 1];
        s[j] = v;
    }
    size_t w = 0;
    for (size_t i = 1; i < n; i++)
        if (s[i].tid == s[w].tid)
            split_add(&s[w], &s[i]);
        else
            s[++w] = s[i];
    return n ? w + 1 : 0;
}

/* Add f's split into into->threads (ascending by tid, one entry per tid): a thread without a row
 * in the merged table counts under HM_OTHER_TID. */
static int merge_splits(hm_merge *m, hm_function_stats *into, fextra *x,
                        const hm_function_stats *f) {
    if (f->nthreads == 0)
        return 0;
    if (hm_reserve((void **)&m->incoming, &m->cap_incoming, f->nthreads, sizeof *m->incoming) != 0)
        return -1;
    hm_thread_split *b = m->incoming;
    for (size_t i = 0; i < f->nthreads; i++) {
        b[i] = f->threads[i];
        if (m->folded && !kept_tid(m, b[i].tid))
            b[i].tid = HM_OTHER_TID;
    }
    return merge_sorted((void **)&into->threads, &into->nthreads, &x->cap_threads, b,
                        sort_splits(b, f->nthreads), sizeof *b, split_key, split_add);
}

static int add_function(hm_merge *m, const hm_function_stats *f) {
    bool added;
    hm_function_stats *e = entry_for(m, f, &added);
    if (e == NULL)
        return -1;
    fextra *x = &m->extra[e - m->r->functions];
    e->count = hm_add_sat(e->count, f->count);
    e->timed = hm_add_sat(e->timed, f->throttled || f->timed ? f->timed : f->count);
    e->throttled = e->throttled || f->throttled;
    e->self_ns = hm_add_sat(e->self_ns, f->self_ns);
    e->has_cpu = e->has_cpu && f->has_cpu;
    e->cpu_ns = hm_add_sat(e->cpu_ns, f->cpu_ns);
    e->wait_ns = hm_add_sat(e->wait_ns, f->wait_ns);
    e->blocked_ns = hm_add_sat(e->blocked_ns, f->blocked_ns);
    e->open_calls = hm_add_sat(e->open_calls, f->open_calls);
    hm_heap_figures_add(&e->heap, &f->heap);
    if (f->max_ns > e->max_ns)
        e->max_ns = f->max_ns;
    if (merge_sorted((void **)&e->buckets, &e->nbuckets, &x->cap_buckets, f->buckets, f->nbuckets,
                     sizeof *f->buckets, bucket_key, bucket_add) != 0)
        return -1;
    return merge_splits(m, e, x, f);
}

/* What ranks a row: its CPU time, or its self time when it has no CPU figure. */
static uint64_t busy_of(const hm_thread_stats *t) {
    return t->has_cpu ? t->cpu_ns : t->self_ns;
}

/* The kept row to evict first: the least busy, the latest in input order among equals (the table
 * is in input order and an earlier row wins a tie). */
static size_t least_busy(const hm_results *r) {
    size_t least = 0;
    for (size_t i = 1; i < r->nthreads; i++)
        if (busy_of(&r->threads[i]) <= busy_of(&r->threads[least]))
            least = i;
    return least;
}

static void fold_row(hm_merge *m, const hm_thread_stats *t) {
    hm_thread_stats *o = &m->other;
    o->has_cpu = m->folded ? o->has_cpu && t->has_cpu : t->has_cpu;
    m->folded = true;
    o->calls += t->calls;
    o->self_ns += t->self_ns;
    o->cpu_ns += t->cpu_ns;
    o->wait_ns += t->wait_ns;
    o->preempt_ns += t->preempt_ns;
    o->overhead_ns += t->overhead_ns;
}

/* Append t to the table (input order) and its tid to kept[]. */
static int keep_row(hm_merge *m, const hm_thread_stats *t) {
    hm_results *r = m->r;
    if (hm_reserve((void **)&r->threads, &m->cap_rows, r->nthreads + 1, sizeof *r->threads) != 0)
        return -1;
    hm_thread_stats *d = &r->threads[r->nthreads];
    *d = *t;
    if ((d->name = hm_strdup(t->name)) == NULL)
        return -1;
    r->nthreads++;
    size_t at = m->nkept;
    for (; at > 0 && m->kept[at - 1] > t->tid; at--)
        m->kept[at] = m->kept[at - 1];
    m->kept[at] = t->tid;
    m->nkept++;
    return 0;
}

/* Drop one occurrence of tid from kept[]. */
static void unkeep_tid(hm_merge *m, uint64_t tid) {
    bool found;
    size_t at = sorted_find(m->kept, m->nkept, sizeof *m->kept, 0, tid, tid_key, &found);
    if (!found)
        return;
    memmove(&m->kept[at], &m->kept[at + 1], (m->nkept - at - 1) * sizeof *m->kept);
    m->nkept--;
}

/* Thread tid (not HM_OTHER_TID) lost its row: every function's split entry of tid is added into its
 * HM_OTHER_TID entry, which is first when there (the lowest tid), or becomes it: one memmove, no
 * memory. */
_Static_assert(HM_OTHER_TID == 0, "the other threads' split entry sorts first");
static void retag_splits(hm_merge *m, uint64_t tid) {
    hm_results *r = m->r;
    for (size_t i = 0; i < r->nfunctions; i++) {
        hm_function_stats *f = &r->functions[i];
        hm_thread_split *v = f->threads;
        bool found;
        size_t at = sorted_find(v, f->nthreads, sizeof *v, 0, tid, split_key, &found);
        if (!found)
            continue;
        hm_thread_split s = v[at];
        s.tid = HM_OTHER_TID;
        if (v[0].tid == HM_OTHER_TID) {
            split_add(&v[0], &s);
            memmove(&v[at], &v[at + 1], (f->nthreads - at - 1) * sizeof s);
            f->nthreads--;
        } else {
            memmove(&v[1], &v[0], at * sizeof s);
            v[0] = s;
        }
    }
}

/* The input's thread rows: kept while the table has room; past that, a row busier than the least
 * busy kept one takes its place (evicted into `other`), any other row is summed into `other`. */
static int add_rows(hm_merge *m, const hm_results *in) {
    hm_results *r = m->r;
    for (size_t i = 0; i < in->nthreads; i++) {
        const hm_thread_stats *t = &in->threads[i];
        /* A file's own "other threads" row is no thread: it is part of the merged one. */
        if (t->tid == HM_OTHER_TID) {
            fold_row(m, t);
            continue;
        }
        if (r->nthreads < HM_MERGE_THREADS_MAX) {
            if (keep_row(m, t) != 0)
                return -1;
            continue;
        }
        size_t least = least_busy(r);
        if (busy_of(t) <= busy_of(&r->threads[least])) {
            fold_row(m, t);
            continue;
        }
        hm_thread_stats gone = r->threads[least];
        memmove(&r->threads[least], &r->threads[least + 1],
                (r->nthreads - least - 1) * sizeof gone);
        r->nthreads--;
        fold_row(m, &gone);
        free(gone.name);
        unkeep_tid(m, gone.tid);
        if (keep_row(m, t) != 0)
            return -1;
        /* Another kept row of the same tid (a reused tid) keeps the split entry. */
        if (!kept_tid(m, gone.tid))
            retag_splits(m, gone.tid);
    }
    return 0;
}

/* Run facts: the first input's identity, the longest times, the earliest start. */
static int add_meta(hm_merge *m, const hm_results *in) {
    hm_results *r = m->r;
    if (!m->started) {
        m->started = true;
        r->version = in->version;
        r->pid = in->pid;
        r->overhead_ns = in->overhead_ns;
        r->start_unix_ns = in->start_unix_ns;
        r->has_cpu = r->has_wall = r->has_overhead_total = r->has_process_cpu = r->has_heap = true;
        if (!(r->path = hm_strdup(in->path)) || !(r->program = hm_strdup(in->program)) ||
            !(r->hostname = hm_strdup(in->hostname)) || !(r->end = hm_strdup(in->end)) ||
            !(r->clock = hm_strdup(in->clock)))
            return -1;
    }
    r->has_cpu = r->has_cpu && in->has_cpu;
    r->has_wall = r->has_wall && in->has_wall;
    r->has_overhead_total = r->has_overhead_total && in->has_overhead_total;
    r->has_process_cpu = r->has_process_cpu && in->has_process_cpu;
    r->has_heap = r->has_heap && in->has_heap;
    hm_heap_figures_add(&r->heap_outside, &in->heap_outside);
    hm_heap_figures_add(&r->heap_total, &in->heap_total);
    r->wall_ns = in->wall_ns > r->wall_ns ? in->wall_ns : r->wall_ns;
    r->overhead_total_ns = hm_add_sat(r->overhead_total_ns, in->overhead_total_ns);
    r->process_cpu_ns = hm_add_sat(r->process_cpu_ns, in->process_cpu_ns);
    r->cpus = in->cpus > r->cpus ? in->cpus : r->cpus;
    r->nfiles += in->nfiles;
    if (in->elapsed_ns > r->elapsed_ns)
        r->elapsed_ns = in->elapsed_ns;
    if (in->start_unix_ns != 0 && (r->start_unix_ns == 0 || in->start_unix_ns < r->start_unix_ns))
        r->start_unix_ns = in->start_unix_ns;
    if (!m->mixed_clock && strcmp(in->clock, r->clock) != 0) {
        char *mixed = hm_strdup("mixed");
        if (mixed == NULL)
            return -1;
        free(r->clock);
        r->clock = mixed;
        m->mixed_clock = true;
    }
    return 0;
}

int hm_merge_add(hm_merge *m, const hm_results *in) {
    if (m->r == NULL && (m->r = calloc(1, sizeof *m->r)) == NULL)
        return -1;
    if (add_meta(m, in) != 0 || add_rows(m, in) != 0)
        return -1;
    for (size_t i = 0; i < in->nfunctions; i++)
        if (add_function(m, &in->functions[i]) != 0)
            return -1;
    return 0;
}

static int cmp_identity_ptrs(const void *a, const void *b, const void *ctx) {
    (void)ctx;
    return hm_compare_identity(a, b, 3);
}

int hm_merge_finish(hm_merge *m, hm_results **out) {
    *out = NULL;
    hm_results *r = m->r;
    if (r == NULL)
        return -1;
    if (m->folded) {
        if (hm_reserve((void **)&r->threads, &m->cap_rows, r->nthreads + 1, sizeof *r->threads) !=
                0 ||
            (m->other.name = hm_strdup(HM_OTHER_NAME)) == NULL)
            return -1;
        m->other.tid = HM_OTHER_TID;
        r->threads[r->nthreads++] = m->other;
        m->other.name = NULL;
        m->folded = false;
    }
    /* Functions by name, file, line. */
    size_t n = r->nfunctions;
    const void **order = malloc((n ? n : 1) * sizeof *order);
    hm_function_stats *sorted = malloc((n ? n : 1) * sizeof *sorted);
    if (order == NULL || sorted == NULL) {
        free(order);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        order[i] = &r->functions[i];
    if (hm_sort_ptrs(order, n, cmp_identity_ptrs, NULL) != 0) {
        free(order);
        free(sorted);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        sorted[i] = *(const hm_function_stats *)order[i];
    free(order);
    free(r->functions);
    r->functions = sorted;
    /* The split holds for all or none: a file without it makes the merged figures unknown. */
    for (size_t i = 0; i < n; i++) {
        hm_function_stats *f = &r->functions[i];
        if (!r->has_cpu) {
            f->has_cpu = false;
            f->cpu_ns = f->wait_ns = 0;
            for (size_t t = 0; t < f->nthreads; t++)
                f->threads[t].cpu_ns = f->threads[t].wait_ns = 0;
        }
        hm_function_update_percentiles(f);
    }
    if (!r->has_wall)
        r->wall_ns = 0;
    if (!r->has_overhead_total)
        r->overhead_total_ns = 0;
    if (!r->has_process_cpu)
        r->process_cpu_ns = 0;
    *out = r;
    m->r = NULL;
    return 0;
}

int hm_results_merge(const hm_results *const *in, size_t n, hm_results **out, char *err,
                     size_t errlen) {
    *out = NULL;
    if (n == 0)
        return hm_errorf(err, errlen, "nothing to merge");
    hm_merge *m = hm_merge_new();
    int rc = m ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = hm_merge_add(m, in[i]);
    if (rc == 0)
        rc = hm_merge_finish(m, out);
    hm_merge_free(m);
    return rc == 0 ? 0 : hm_errorf(err, errlen, "out of memory while merging results");
}
