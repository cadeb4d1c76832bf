/* Load and validate results files (docs/results-format.md) into an hm_results; several are merged.
 *
 * The reader trusts nothing: the file may be missing, empty, cut short by a crash, written by a
 * different version, or edited by hand. Every check that fails produces one line naming the file,
 * where in it (a JSON path such as functions[3] ("parse_line").count) and what was expected, and
 * the loader returns -1 without leaking. Percentiles stored in the file are ignored and recomputed
 * from the histogram, so the viewer and the tests never disagree with the histogram.
 *
 * Required keys: version, elapsed_ns, threads, functions, and in each function name, file, line,
 * count, self_ns, max_ns, histogram; in each thread tid, name, calls, self_ns. The other documented
 * keys are optional (defaults: "", 0) but must have the right type when present. Unknown keys are
 * ignored, as the format asks.
 *
 * The cpu/wait split of newer runtimes is optional as a whole: a file has cpu_ns and wait_ns in
 * every function or in none (then has_cpu is false and the figures read 0). When present the
 * figures must agree: cpu_ns + wait_ns == self_ns exactly (also in each per-thread split),
 * blocked_ns <= wait_ns, open_calls <= count, elapsed_ns <= wall_ns.
 */
#include "hm_results.h"
#include "load_many.h"
#include "results_internal.h"

#include <heatmap/results_format.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    const char *name; /* file name used in messages */
    char *err;
    size_t errlen;
    char where[256]; /* JSON path of the object being read: "functions[3] (\"parse\")" */
    /* That path's parts, formatted into `where` only when a message needs it (at()): */
    const char *list; /* "functions", "threads", or NULL at the top level */
    size_t index;
    const char *fname; /* the function's name, once read */
    bool in_split;     /* inside its per-thread split, at entry `split` */
    size_t split;
    uint64_t slack; /* calls a histogram may miss: threads other than the writer, see below */
} loader;

/* Write "NAME: MESSAGE" into the error buffer; always returns -1. */
static int fail(loader *ld, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hm_vfail(ld->err, ld->errlen, ld->name, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *type_name(const hm_json *v) {
    switch (hm_json_typeof(v)) {
    case HM_JSON_OBJECT:
        return "an object";
    case HM_JSON_ARRAY:
        return "an array";
    case HM_JSON_STRING:
        return "a string";
    case HM_JSON_INTEGER:
        return "an integer";
    case HM_JSON_REAL:
        return "a number with a fraction";
    case HM_JSON_TRUE:
    case HM_JSON_FALSE:
        return "a boolean";
    case HM_JSON_NULL:
        return "null";
    }
    return "something else";
}

/* The JSON path of the object being read ("" at the top level), formatted into ld->where. */
static const char *at(loader *ld) {
    ld->where[0] = '\0';
    if (ld->list == NULL)
        return ld->where;
    int n = ld->fname ? snprintf(ld->where, sizeof ld->where, "%s[%zu] (\"%.160s\")", ld->list,
                                 ld->index, ld->fname)
                      : snprintf(ld->where, sizeof ld->where, "%s[%zu]", ld->list, ld->index);
    if (ld->in_split && n > 0 && (size_t)n < sizeof ld->where)
        snprintf(ld->where + n, sizeof ld->where - (size_t)n, ".threads[%zu]", ld->split);
    return ld->where;
}

/* From here on read entry `index` of the top-level array `list`. */
static void enter(loader *ld, const char *list, size_t index) {
    ld->list = list;
    ld->index = index;
    ld->fname = NULL;
    ld->in_split = false;
}

/* "functions[3].count" or "elapsed_ns" (top level). */
static const char *key_path(loader *ld, const char *key, char *buf, size_t len) {
    if (at(ld)[0] != '\0')
        snprintf(buf, len, "%s.%s", ld->where, key);
    else
        snprintf(buf, len, "%s", key);
    return buf;
}

static int missing(loader *ld, const char *key) {
    if (at(ld)[0] != '\0')
        return fail(ld, "not a results file: missing key \"%s\" in %s", key, ld->where);
    return fail(ld, "not a results file: missing key \"%s\"", key);
}

/* Read a non-negative integer; a missing key is an error only when `required`. */
static int get_u64(loader *ld, const hm_json *obj, const char *key, bool required, uint64_t *out) {
    char path[320];
    const hm_json *v = hm_json_get(obj, key);
    *out = 0;
    if (v == NULL)
        return required ? missing(ld, key) : 0;
    if (!hm_json_is_integer(v))
        return fail(ld, "%s: expected a non-negative integer, got %s",
                    key_path(ld, key, path, sizeof path), type_name(v));
    int64_t i = hm_json_int(v);
    if (i < 0)
        return fail(ld, "%s: negative value %lld", key_path(ld, key, path, sizeof path),
                    (long long)i);
    *out = (uint64_t)i;
    return 0;
}

/* Read an optional non-negative integer and say whether it was there. */
static int get_opt_u64(loader *ld, const hm_json *obj, const char *key, uint64_t *out,
                       bool *present) {
    *present = hm_json_get(obj, key) != NULL;
    return get_u64(ld, obj, key, false, out);
}

/* Read the optional pair cpu_ns, wait_ns of an object whose self time is self_ns: both or neither,
 * and then cpu_ns + wait_ns == self_ns. */
static int get_cpu_wait(loader *ld, const hm_json *obj, uint64_t self_ns, bool *has, uint64_t *cpu,
                        uint64_t *wait) {
    bool has_cpu, has_wait;
    if (get_opt_u64(ld, obj, HM_FN_KEY_cpu_ns, cpu, &has_cpu) ||
        get_opt_u64(ld, obj, HM_FN_KEY_wait_ns, wait, &has_wait))
        return -1;
    if (has_cpu != has_wait)
        return fail(ld, "%s: has %s but not %s (the two split self_ns and come together)", at(ld),
                    has_cpu ? "cpu_ns" : "wait_ns", has_cpu ? "wait_ns" : "cpu_ns");
    *has = has_cpu;
    if (has_cpu && (unsigned __int128)*cpu + *wait != self_ns)
        return fail(ld, "%s: cpu_ns %llu + wait_ns %llu is not self_ns %llu", at(ld),
                    (unsigned long long)*cpu, (unsigned long long)*wait,
                    (unsigned long long)self_ns);
    return 0;
}

/* Read a string and duplicate it; a missing optional key gives "". */
static int get_str(loader *ld, const hm_json *obj, const char *key, bool required, char **out) {
    char path[320];
    const hm_json *v = hm_json_get(obj, key);
    *out = NULL;
    if (v == NULL) {
        if (required)
            return missing(ld, key);
        *out = hm_strdup("");
    } else if (!hm_json_is_string(v)) {
        return fail(ld, "%s: expected a string, got %s", key_path(ld, key, path, sizeof path),
                    type_name(v));
    } else {
        *out = hm_strdup(hm_json_string(v));
    }
    if (*out == NULL)
        return fail(ld, "out of memory");
    return 0;
}

static int get_array(loader *ld, const hm_json *obj, const char *key, const hm_json **out) {
    char path[320];
    const hm_json *v = hm_json_get(obj, key);
    if (v == NULL)
        return missing(ld, key);
    if (!hm_json_is_array(v))
        return fail(ld, "%s: expected an array, got %s", key_path(ld, key, path, sizeof path),
                    type_name(v));
    *out = v;
    return 0;
}

static int check_histogram_header(loader *ld, const hm_json *root) {
    const hm_json *h = hm_json_get(root, HM_KEY_histogram);
    if (h == NULL)
        return 0; /* optional: version 1 has one scheme */
    if (!hm_json_is_object(h))
        return fail(ld, "histogram: expected an object, got %s", type_name(h));
    const hm_json *kind = hm_json_get(h, HM_HIST_KEY_kind);
    if (kind != NULL && (!hm_json_is_string(kind) || strcmp(hm_json_string(kind), "log-linear")))
        return fail(ld, "histogram.kind: unsupported histogram kind (this reader knows "
                        "\"log-linear\")");
    const hm_json *bits = hm_json_get(h, HM_HIST_KEY_sub_bucket_bits);
    if (bits != NULL &&
        (!hm_json_is_integer(bits) || hm_json_int(bits) != (int64_t)HM_HIST_SUB_BITS))
        return fail(ld, "histogram.sub_bucket_bits: unsupported value (this reader knows %u)",
                    HM_HIST_SUB_BITS);
    return 0;
}

/* Histogram: [[index, count], ...], index ascending and <= HM_HIST_MAX_INDEX. Zero counts are
 * dropped. Checks that the counts sum to `count` and that max_ns lies in the highest bucket. */
static int read_histogram(loader *ld, const hm_json *fobj, hm_function_stats *f) {
    const hm_json *arr;
    if (get_array(ld, fobj, HM_FN_KEY_histogram, &arr) != 0)
        return -1;
    size_t n = hm_json_size(arr);
    if (n > 0) {
        f->buckets = calloc(n, sizeof *f->buckets);
        if (f->buckets == NULL)
            return fail(ld, "out of memory");
    }
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++) {
        const hm_json *pair = hm_json_at(arr, i);
        if (!hm_json_is_array(pair) || hm_json_size(pair) != 2 ||
            !hm_json_is_integer(hm_json_at(pair, 0)) || !hm_json_is_integer(hm_json_at(pair, 1)))
            return fail(ld, "%s.histogram[%zu]: expected a pair [bucket index, count] of integers",
                        at(ld), i);
        int64_t index = hm_json_int(hm_json_at(pair, 0));
        int64_t count = hm_json_int(hm_json_at(pair, 1));
        if (index < 0 || count < 0)
            return fail(ld, "%s.histogram[%zu]: negative %s", at(ld), i,
                        index < 0 ? "bucket index" : "count");
        if (index > (int64_t)HM_HIST_MAX_INDEX)
            return fail(ld, "%s.histogram[%zu]: bucket index %lld above the maximum %u", at(ld), i,
                        (long long)index, HM_HIST_MAX_INDEX);
        if (f->nbuckets > 0 && (uint32_t)index <= f->buckets[f->nbuckets - 1].index)
            return fail(ld, "%s.histogram[%zu]: bucket index %lld not above the previous %u",
                        at(ld), i, (long long)index, f->buckets[f->nbuckets - 1].index);
        if (count == 0)
            continue;
        if (sum + (uint64_t)count < sum)
            return fail(ld, "%s.histogram: counts overflow", at(ld));
        sum += (uint64_t)count;
        f->buckets[f->nbuckets].index = (uint32_t)index;
        f->buckets[f->nbuckets].count = (uint64_t)count;
        f->nbuckets++;
    }
    /* The runtime reads a thread still running at exit field by field, so each such thread can
     * have one call in `count` and not yet in the histogram (or the reverse). A difference within
     * that slack is such a call in flight, not damage: accept it, and percentiles then rank
     * within the histogram's own total. Anything larger is refused. */
    uint64_t off = sum > f->timed ? sum - f->timed : f->timed - sum;
    if (off > ld->slack)
        return fail(ld, "%s: histogram counts sum to %llu, but %s is %llu", at(ld),
                    (unsigned long long)sum, f->throttled ? "throttled_after" : "count",
                    (unsigned long long)f->timed);
    if (off != 0 || f->nbuckets == 0)
        return 0; /* a call in flight may also have moved max_ns ahead of the histogram */
    /* max_ns must fall in the highest non-empty bucket; values beyond the runtime's range are
     * counted in its last bucket, so there max_ns may be larger. */
    uint32_t top = f->buckets[f->nbuckets - 1].index;
    uint32_t max_index = hm_hist_index(f->max_ns);
    if (max_index < top || (max_index > top && top != HM_HIST_RUNTIME_BUCKETS - 1))
        return fail(ld, "%s: max_ns %llu does not lie in the highest histogram bucket (%u)", at(ld),
                    (unsigned long long)f->max_ns, top);
    return 0;
}

/* Optional per-thread split: "threads": [{"tid": T, "count": N, "self_ns": S}, ...], each entry
 * with the optional cpu_ns + wait_ns == self_ns. */
static int read_function_threads(loader *ld, const hm_json *fobj, hm_function_stats *f) {
    const hm_json *arr = hm_json_get(fobj, HM_FN_KEY_threads);
    if (arr == NULL)
        return 0;
    if (!hm_json_is_array(arr))
        return fail(ld, "%s.threads: expected an array, got %s", at(ld), type_name(arr));
    size_t n = hm_json_size(arr);
    if (n == 0)
        return 0;
    f->threads = calloc(n, sizeof *f->threads);
    if (f->threads == NULL)
        return fail(ld, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const hm_json *t = hm_json_at(arr, i);
        ld->in_split = true;
        ld->split = i;
        if (!hm_json_is_object(t))
            return fail(ld, "%s: expected an object, got %s", at(ld), type_name(t));
        hm_thread_split *s = &f->threads[i];
        if (get_u64(ld, t, HM_TH_KEY_tid, true, &s->tid) ||
            get_u64(ld, t, HM_TH_KEY_count, true, &s->count) ||
            get_u64(ld, t, HM_TH_KEY_self_ns, true, &s->self_ns))
            return -1;
        bool has;
        if (get_cpu_wait(ld, t, s->self_ns, &has, &s->cpu_ns, &s->wait_ns) != 0)
            return -1;
        f->nthreads++;
    }
    ld->in_split = false;
    return 0;
}

static int read_function(loader *ld, const hm_json *fobj, size_t i, hm_function_stats *f) {
    enter(ld, "functions", i);
    if (!hm_json_is_object(fobj))
        return fail(ld, "%s: expected an object, got %s", at(ld), type_name(fobj));
    if (get_str(ld, fobj, HM_FN_KEY_name, true, &f->name) != 0)
        return -1;
    /* From here on name the function too: it is what a reader of the message searches for. */
    ld->fname = f->name;
    uint64_t line;
    if (get_str(ld, fobj, HM_FN_KEY_file, true, &f->file) ||
        get_u64(ld, fobj, HM_FN_KEY_line, true, &line) ||
        get_u64(ld, fobj, HM_FN_KEY_count, true, &f->count) ||
        get_u64(ld, fobj, HM_FN_KEY_self_ns, true, &f->self_ns) ||
        get_u64(ld, fobj, HM_FN_KEY_max_ns, true, &f->max_ns))
        return -1;
    if (line > UINT32_MAX)
        return fail(ld, "%s.line: %llu is not a line number", at(ld), (unsigned long long)line);
    f->line = (uint32_t)line;
    /* Optional: a throttled function's timed calls; its figures describe only those. */
    f->throttled = hm_json_get(fobj, HM_FN_KEY_throttled_after) != NULL;
    if (get_u64(ld, fobj, HM_FN_KEY_throttled_after, false, &f->timed) != 0)
        return -1;
    if (!f->throttled)
        f->timed = f->count;
    if (f->timed > f->count)
        return fail(ld, "%s: throttled_after %llu exceeds count %llu", at(ld),
                    (unsigned long long)f->timed, (unsigned long long)f->count);
    if (f->count == 0)
        return fail(ld, "%s: count is 0 (only functions called at least once are listed)", at(ld));
    if (f->max_ns > f->self_ns)
        return fail(ld, "%s: max_ns %llu exceeds self_ns %llu", at(ld),
                    (unsigned long long)f->max_ns, (unsigned long long)f->self_ns);
    /* No call took longer than max_ns, so self_ns <= count * max_ns (in 128 bits: no overflow). */
    if ((unsigned __int128)f->timed * f->max_ns < f->self_ns)
        return fail(ld, "%s: self_ns %llu exceeds count x max_ns (%llu x %llu)", at(ld),
                    (unsigned long long)f->self_ns, (unsigned long long)f->timed,
                    (unsigned long long)f->max_ns);
    bool has_blocked, has_open;
    if (get_cpu_wait(ld, fobj, f->self_ns, &f->has_cpu, &f->cpu_ns, &f->wait_ns) ||
        get_opt_u64(ld, fobj, HM_FN_KEY_blocked_ns, &f->blocked_ns, &has_blocked) ||
        get_opt_u64(ld, fobj, HM_FN_KEY_open_calls, &f->open_calls, &has_open))
        return -1;
    uint64_t wait_bound = f->has_cpu ? f->wait_ns : f->self_ns;
    if (f->blocked_ns > wait_bound)
        return fail(ld, "%s: blocked_ns %llu exceeds %s %llu (blocked time is part of it)", at(ld),
                    (unsigned long long)f->blocked_ns, f->has_cpu ? "wait_ns" : "self_ns",
                    (unsigned long long)wait_bound);
    if (f->open_calls > f->count)
        return fail(ld, "%s: open_calls %llu exceeds count %llu", at(ld),
                    (unsigned long long)f->open_calls, (unsigned long long)f->count);
    if (read_histogram(ld, fobj, f) != 0 || read_function_threads(ld, fobj, f) != 0)
        return -1;
    hm_function_update_percentiles(f);
    return 0;
}

static int read_thread(loader *ld, const hm_json *tobj, size_t i, hm_thread_stats *t) {
    enter(ld, "threads", i);
    if (!hm_json_is_object(tobj))
        return fail(ld, "%s: expected an object, got %s", at(ld), type_name(tobj));
    bool has_wait, has_preempt, has_overhead;
    return get_u64(ld, tobj, HM_TH_KEY_tid, true, &t->tid) ||
                   get_str(ld, tobj, HM_TH_KEY_name, true, &t->name) ||
                   get_u64(ld, tobj, HM_TH_KEY_calls, true, &t->calls) ||
                   get_u64(ld, tobj, HM_TH_KEY_self_ns, true, &t->self_ns) ||
                   get_opt_u64(ld, tobj, HM_TH_KEY_cpu_ns, &t->cpu_ns, &t->has_cpu) ||
                   get_opt_u64(ld, tobj, HM_TH_KEY_wait_ns, &t->wait_ns, &has_wait) ||
                   get_opt_u64(ld, tobj, HM_TH_KEY_preempt_ns, &t->preempt_ns, &has_preempt) ||
                   get_opt_u64(ld, tobj, HM_TH_KEY_overhead_ns, &t->overhead_ns, &has_overhead)
               ? -1
               : 0;
}

/* The split is all or nothing: every function has cpu_ns and wait_ns, or none has. */
static int check_split_everywhere(loader *ld, hm_results *r) {
    r->has_cpu = r->nfunctions > 0 && r->functions[0].has_cpu;
    for (size_t i = 1; i < r->nfunctions; i++)
        if (r->functions[i].has_cpu != r->has_cpu) {
            size_t with = r->has_cpu ? 0 : i, without = r->has_cpu ? i : 0;
            return fail(ld,
                        "functions[%zu] (\"%.160s\") has no cpu_ns and wait_ns, but "
                        "functions[%zu] (\"%.160s\") has: a file has them in every function or "
                        "in none",
                        without, r->functions[without].name, with, r->functions[with].name);
        }
    return 0;
}

static int cmp_identity(const void *a, const void *b, const void *ctx) {
    int c = hm_compare_identity(a, b, 3);
    return c != 0 ? c : (a < b ? -1 : a > b); /* keep file order among equals */
}

/* A function appears once per file: records with the same name, file and line share one entry. */
static int check_unique(loader *ld, const hm_results *r) {
    if (r->nfunctions < 2)
        return 0;
    const void **ptrs = malloc(r->nfunctions * sizeof *ptrs);
    if (ptrs == NULL)
        return fail(ld, "out of memory");
    for (size_t i = 0; i < r->nfunctions; i++)
        ptrs[i] = &r->functions[i];
    int rc =
        hm_sort_ptrs(ptrs, r->nfunctions, cmp_identity, NULL) == 0 ? 0 : fail(ld, "out of memory");
    for (size_t i = 1; rc == 0 && i < r->nfunctions; i++) {
        const hm_function_stats *a = ptrs[i - 1], *b = ptrs[i];
        if (hm_compare_identity(a, b, 3) == 0) {
            rc = fail(ld,
                      "functions[%zu] (\"%.160s\") repeats functions[%zu]: same name, file "
                      "and line",
                      (size_t)(b - r->functions), b->name, (size_t)(a - r->functions));
        }
    }
    free(ptrs);
    return rc == 0 ? 0 : -1;
}

static int read_top(loader *ld, const hm_json *root, hm_results *r) {
    if (!hm_json_is_object(root))
        return fail(ld, "not a results file: the top level is %s, expected an object",
                    type_name(root));
    const hm_json *version = hm_json_get(root, HM_KEY_version);
    if (version == NULL)
        return missing(ld, HM_KEY_version);
    if (!hm_json_is_integer(version))
        return fail(ld, "version: expected an integer, got %s", type_name(version));
    if (hm_json_int(version) != HM_RESULTS_FORMAT_VERSION)
        return fail(ld, "unsupported results version %lld (this reader knows version %d)",
                    (long long)hm_json_int(version), HM_RESULTS_FORMAT_VERSION);
    r->version = HM_RESULTS_FORMAT_VERSION;

    uint64_t pid;
    const hm_json *functions, *threads;
    if (get_u64(ld, root, HM_KEY_elapsed_ns, true, &r->elapsed_ns) ||
        get_str(ld, root, HM_KEY_program, false, &r->program) ||
        get_u64(ld, root, HM_KEY_pid, false, &pid) ||
        get_str(ld, root, HM_KEY_hostname, false, &r->hostname) ||
        get_u64(ld, root, HM_KEY_start_unix_ns, false, &r->start_unix_ns) ||
        get_str(ld, root, HM_KEY_clock, false, &r->clock) ||
        get_u64(ld, root, HM_KEY_overhead_ns, false, &r->overhead_ns) ||
        get_opt_u64(ld, root, HM_KEY_wall_ns, &r->wall_ns, &r->has_wall) ||
        get_opt_u64(ld, root, HM_KEY_overhead_total_ns, &r->overhead_total_ns,
                    &r->has_overhead_total) ||
        get_opt_u64(ld, root, HM_KEY_process_cpu_ns, &r->process_cpu_ns, &r->has_process_cpu) ||
        get_u64(ld, root, HM_KEY_cpus, false, &r->cpus) ||
        get_str(ld, root, HM_KEY_end, false, &r->end) || check_histogram_header(ld, root) ||
        get_array(ld, root, HM_KEY_threads, &threads) ||
        get_array(ld, root, HM_KEY_functions, &functions))
        return -1;
    if (pid > INT64_MAX)
        return fail(ld, "pid: %llu is out of range", (unsigned long long)pid);
    r->pid = (int64_t)pid;
    if (r->has_wall && r->elapsed_ns > r->wall_ns)
        return fail(ld,
                    "elapsed_ns %llu exceeds wall_ns %llu (elapsed is the wall time less the "
                    "profiler's cost)",
                    (unsigned long long)r->elapsed_ns, (unsigned long long)r->wall_ns);

    size_t nt = hm_json_size(threads), nf = hm_json_size(functions);
    if ((nt && !(r->threads = calloc(nt, sizeof *r->threads))) ||
        (nf && !(r->functions = calloc(nf, sizeof *r->functions))))
        return fail(ld, "out of memory");
    /* The arrays are zeroed, so hm_results_free() copes with entries read only in part. */
    r->nthreads = nt;
    r->nfunctions = nf;
    for (size_t i = 0; i < nt; i++)
        if (read_thread(ld, hm_json_at(threads, i), i, &r->threads[i]) != 0)
            return -1;
    ld->slack = nt > 1 ? nt - 1 : 0; /* the thread that wrote the file was not running */
    for (size_t i = 0; i < nf; i++)
        if (read_function(ld, hm_json_at(functions, i), i, &r->functions[i]) != 0)
            return -1;
    if (check_split_everywhere(ld, r) || check_unique(ld, r))
        return -1;
    char msg[512];
    if (hm_heap_read(root, r, msg, sizeof msg) != 0)
        return fail(ld, "%s", msg);
    return 0;
}

const hm_json *hm_results_parse(hm_json_doc *doc, char *data, size_t len, const char *name,
                                char *err, size_t errlen) {
    return hm_parse_json(doc, data, len, name, HM_RESULTS_EXPECTED, err, errlen);
}

int hm_results_from_root(const hm_json *root, const char *name, hm_results **out, char *err,
                         size_t errlen) {
    loader ld = {.name = name, .err = err, .errlen = errlen};
    *out = NULL;
    hm_results *r = calloc(1, sizeof *r);
    if (r == NULL)
        return fail(&ld, "out of memory");
    r->nfiles = 1;
    int rc = read_top(&ld, root, r);
    if (rc == 0 && (r->path = hm_strdup(name)) == NULL)
        rc = fail(&ld, "out of memory");
    if (rc != 0) {
        hm_results_free(r);
        return -1;
    }
    *out = r;
    return 0;
}

int hm_results_load_buffer(const char *data, size_t len, const char *name, hm_results **out,
                           char *err, size_t errlen) {
    *out = NULL;
    char *copy = malloc(len ? len : 1);
    if (copy == NULL)
        return hm_fail(err, errlen, name, "out of memory");
    memcpy(copy, data, len);
    hm_json_doc doc = {0};
    const hm_json *root = hm_results_parse(&doc, copy, len, name, err, errlen);
    int rc = root ? hm_results_from_root(root, name, out, err, errlen) : -1;
    hm_json_doc_free(&doc);
    return rc;
}

int hm_results_load(const char *path, hm_results **out, char *err, size_t errlen) {
    return hm_results_load_many_jobs(&path, 1, 1, out, err, errlen);
}

int hm_results_load_many_jobs(const char *const *paths, size_t n, unsigned jobs, hm_results **out,
                              char *err, size_t errlen) {
    return hm_load_many(paths, n, jobs, out, NULL, NULL, 0, err, errlen);
}

int hm_results_load_many(const char *const *paths, size_t n, hm_results **out, char *err,
                         size_t errlen) {
    return hm_results_load_many_jobs(paths, n, 0, out, err, errlen);
}

void hm_results_free(hm_results *r) {
    if (r == NULL)
        return;
    for (size_t i = 0; i < r->nfunctions; i++) {
        free(r->functions[i].buckets);
        free(r->functions[i].threads);
    }
    HM_FREE_FUNCTION_TABLE(r->functions, r->nfunctions);
    for (size_t i = 0; i < r->nthreads; i++)
        free(r->threads[i].name);
    free(r->threads);
    free(r->path);
    free(r->program);
    free(r->hostname);
    free(r->clock);
    free(r->end);
    free(r);
}
