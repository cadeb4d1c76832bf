/* The live server's response bodies, from the documents the runtime wrote (see server.h).
 *
 * Nothing here is a second encoder: block and mutex are export_pprof.c's, heap and allocs
 * export_heap.c's, cpu is export_cpu.c's on
 * a profile whose counts are the window's (the sampler's tables only grow, so the window is the
 * difference of two snapshots, matched by native pcs and the shadow stack's function names: ids
 * are per process but the cpu_profile's function lists are per file), and trace is
 * export_chrome.c's on the events of the window. The goroutine and threadcreate profiles have no
 * file counterpart yet; their small encoder (one value per sample) is the only one in this file.
 * Prometheus has no library in the tree either: its text format is a few lines of fprintf with the
 * label escaping the format asks for (backslash, double quote, newline).
 */
#define _GNU_SOURCE
#include "server.h"
#include "pprof_common.h"

#include <hm_results.h>
#include <index_map.h>

#include <inttypes.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* ---- routes and small helpers -----------------------------------------------------------------
 */

static const struct {
    const char *path;
    hm_route route;
} routes[] = {
    {"/debug/pprof/", HM_ROUTE_INDEX},
    {"/debug/pprof", HM_ROUTE_INDEX},
    {"/debug/pprof/profile", HM_ROUTE_PROFILE},
    {"/debug/pprof/heap", HM_ROUTE_HEAP},
    {"/debug/pprof/allocs", HM_ROUTE_ALLOCS},
    {"/debug/pprof/goroutine", HM_ROUTE_GOROUTINE},
    {"/debug/pprof/threads", HM_ROUTE_GOROUTINE},
    {"/debug/pprof/threadcreate", HM_ROUTE_THREADCREATE},
    {"/debug/pprof/block", HM_ROUTE_BLOCK},
    {"/debug/pprof/mutex", HM_ROUTE_MUTEX},
    {"/debug/pprof/trace", HM_ROUTE_TRACE},
    {"/debug/heatmap", HM_ROUTE_HEATMAP},
    {"/metrics", HM_ROUTE_METRICS},
};

int hm_server_route(const char *path, hm_route *route) {
    for (size_t i = 0; path && i < sizeof routes / sizeof *routes; i++)
        if (strcmp(path, routes[i].path) == 0) {
            *route = routes[i].route;
            return 0;
        }
    return -1;
}

void hm_server_index(FILE *out) {
    static const char *const items[][2] = {
        {"profile?seconds=30", "CPU profile over the next N seconds (the CPU sampler)"},
        {"heap", "memory in use per call site (the memory tracker; HEATMAP_HEAP=on)"},
        {"allocs", "allocations per call site (the memory tracker; HEATMAP_HEAP=on)"},
        {"goroutine", "every live thread's current instrumented stack (also: threads)"},
        {"threadcreate", "where threads were created"},
        {"block", "blocking waits per call path"},
        {"mutex", "lock waits per call path"},
        {"trace?seconds=1", "enter/exit events as Chrome trace JSON (needs HEATMAP_TRACE=on)"},
    };
    fputs("<html><head><title>/debug/pprof/</title></head><body>\n<h1>/debug/pprof/</h1>\n"
          "<p>heatmap's live profiles, for go tool pprof and other tools of Go's net/http/pprof."
          "</p>\n<table>\n",
          out);
    for (size_t i = 0; i < sizeof items / sizeof *items; i++)
        fprintf(out, "<tr><td><a href=\"%s\">%s</a></td><td>%s</td></tr>\n", items[i][0],
                items[i][0], items[i][1]);
    fputs("</table>\n<p><a href=\"/debug/heatmap\">/debug/heatmap</a>: the results so far "
          "(heatmap-view reads them); <a href=\"/metrics\">/metrics</a>: Prometheus.</p>\n"
          "</body></html>\n",
          out);
}

long hm_server_seconds(const char *value, long fallback) {
    if (value == NULL)
        return fallback;
    long n = 0;
    if (*value == '\0' || strlen(value) > 4)
        return -1;
    for (const char *p = value; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        n = n * 10 + (*p - '0');
    }
    return n >= 1 && n <= 3600 ? n : -1;
}

/* ---- block, mutex, heap, allocs ----------------------------------------------------------------
 */

int hm_server_pprof_profile(const char *results, size_t len, hm_pprof_type type, FILE *out,
                            char *err, size_t errlen) {
    static const char name[] = "live results";
    int rc;
    if (type == HM_PPROF_HEAP || type == HM_PPROF_ALLOCS) {
        hm_heap_profile *heap = NULL;
        rc = hm_heap_profile_load_buffer(results, len, name, &heap, err, errlen);
        if (rc == 0)
            rc = hm_export_pprof_heap(out, heap, type, err, errlen);
        hm_heap_profile_free(heap);
    } else {
        hm_paths *paths = NULL;
        rc = hm_paths_load_buffer(results, len, name, &paths, err, errlen);
        if (rc == 0)
            rc = hm_export_pprof_paths(out, paths, type, err, errlen);
        hm_paths_free(paths);
    }
    return rc == 0 ? 0 : -1;
}

/* ---- cpu over a window ------------------------------------------------------------------------
 */

static uint64_t mix(uint64_t h, uint64_t v) {
    h = (h ^ v) * 0x100000001b3ull;
    return h ^ (h >> 29);
}

static uint64_t mix_string(uint64_t h, const char *s) {
    for (; *s; s++)
        h = mix(h, (unsigned char)*s);
    return mix(h, 0xff);
}

static uint64_t sample_hash(const hm_cpu_profile *p, const hm_cpu_sample *s) {
    uint64_t h = mix(0x9e3779b97f4a7c15ull, s->npcs << 16 | s->nstack);
    for (size_t i = 0; i < s->npcs; i++)
        h = mix(h, s->pcs[i]);
    for (size_t i = 0; i < s->nstack; i++)
        h = mix_string(mix_string(h, p->functions[s->stack[i]].name),
                       p->functions[s->stack[i]].file);
    return h;
}

static bool sample_same(const hm_cpu_profile *a, const hm_cpu_sample *x, const hm_cpu_profile *b,
                        const hm_cpu_sample *y) {
    if (x->npcs != y->npcs || x->nstack != y->nstack ||
        memcmp(x->pcs, y->pcs, x->npcs * sizeof *x->pcs) != 0)
        return false;
    for (size_t i = 0; i < x->nstack; i++) {
        const hm_cpu_function *f = &a->functions[x->stack[i]], *g = &b->functions[y->stack[i]];
        if (strcmp(f->name, g->name) != 0 || strcmp(f->file, g->file) != 0)
            return false;
    }
    return true;
}

typedef struct sample_key {
    const hm_cpu_profile *profile;
    const hm_cpu_sample *sample;
} sample_key;

static uint64_t before_hash(const void *before, size_t i) {
    const hm_cpu_profile *p = before;
    return sample_hash(p, &p->samples[i]);
}

static bool before_equal(const void *before, size_t i, const void *key) {
    const hm_cpu_profile *p = before;
    const sample_key *k = key;
    return sample_same(k->profile, k->sample, p, &p->samples[i]);
}

/* after's counts minus before's, per equal sample; samples left with 0 are moved past nsamples
 * (the caller restores nsamples before freeing). Returns the number kept, or SIZE_MAX on OOM. */
static size_t subtract(hm_cpu_profile *after, const hm_cpu_profile *before) {
    hm_imap map = {0};
    if (hm_imap_reserve(&map, before->nsamples, before_hash, before) != 0)
        return SIZE_MAX;
    for (size_t i = 0; i < before->nsamples; i++) { /* an equal sample met again stays out */
        sample_key key = {before, &before->samples[i]};
        size_t slot, first = hm_imap_find(&map, sample_hash(before, key.sample), before_equal,
                                          before, &key, &slot);
        if (first == SIZE_MAX)
            hm_imap_insert(&map, slot, i);
    }
    for (size_t i = 0; i < after->nsamples; i++) {
        hm_cpu_sample *s = &after->samples[i];
        sample_key key = {after, s};
        size_t k = hm_imap_find(&map, sample_hash(after, s), before_equal, before, &key, NULL);
        uint64_t was = k != SIZE_MAX ? before->samples[k].count : 0;
        s->count = s->count > was ? s->count - was : 0;
    }
    hm_imap_free(&map);
    size_t kept = 0;
    for (size_t i = 0; i < after->nsamples; i++)
        if (after->samples[i].count) {
            hm_cpu_sample t = after->samples[kept];
            after->samples[kept++] = after->samples[i];
            after->samples[i] = t;
        }
    return kept;
}

int hm_server_cpu_profile(const char *before, size_t before_len, const char *after,
                          size_t after_len, uint64_t window_ns, FILE *out, char *err,
                          size_t errlen) {
    hm_cpu_profile *a = NULL, *b = NULL;
    int rc = -1;
    if (hm_cpu_profile_load_buffer(before, before_len, "live results (start)", &b, err, errlen) ==
            0 &&
        hm_cpu_profile_load_buffer(after, after_len, "live results (end)", &a, err, errlen) == 0) {
        size_t all = a->nsamples, kept = subtract(a, b);
        if (kept == SIZE_MAX) {
            snprintf(err, errlen, "out of memory");
        } else {
            a->nsamples = kept;
            a->elapsed_ns = window_ns;
            a->samples_dropped -= a->samples_dropped >= b->samples_dropped ? b->samples_dropped : 0;
            rc = hm_export_pprof_cpu(out, a, err, errlen);
            a->nsamples = all;
        }
    }
    hm_cpu_profile_free(a);
    hm_cpu_profile_free(b);
    return rc;
}

/* ---- goroutine, threadcreate ------------------------------------------------------------------
 */

typedef struct stack {
    uint64_t count;
    size_t n;
    const json_t *ids; /* json array of ids, innermost first */
} stack;

static bool stack_same(const stack *a, const stack *b) {
    if (a->n != b->n)
        return false;
    for (size_t i = 0; i < a->n; i++)
        if (json_integer_value(json_array_get(a->ids, i)) !=
            json_integer_value(json_array_get(b->ids, i)))
            return false;
    return true;
}

/* The profile's arrays, freed together. */
typedef struct stacks_build {
    pb_profile pr;
    pb_value_type type, *type_ptr, period_type;
    pb_mapping mapping, *mapping_ptr;
    hm_pprof_arrays a; /* values: 1 per sample */
    char **strings;
} stacks_build;

static void stacks_build_free(stacks_build *b) {
    hm_pprof_arrays_free(&b->a);
    free(b->strings);
}

/* Check the document: functions [[id >= 1, name, file, line]], stacks [[count > 0, [ids]]]. */
static int check_stacks(const json_t *fns, const json_t *sts, char *err, size_t errlen) {
    size_t i;
    const json_t *v;
    if (!json_is_array(fns) || !json_is_array(sts)) {
        snprintf(err, errlen, "stacks: functions and stacks must be arrays");
        return -1;
    }
    json_array_foreach(fns, i, v) {
        if (!json_is_array(v) || json_array_size(v) != 4 ||
            json_integer_value(json_array_get(v, 0)) < 1 || !json_is_string(json_array_get(v, 1)) ||
            !json_is_string(json_array_get(v, 2)) || !json_is_integer(json_array_get(v, 3))) {
            snprintf(err, errlen, "stacks: functions[%zu] is not [id, name, file, line]", i);
            return -1;
        }
    }
    json_array_foreach(sts, i, v) {
        const json_t *ids = json_array_get(v, 1);
        if (!json_is_array(v) || json_array_size(v) != 2 ||
            json_integer_value(json_array_get(v, 0)) < 1 || !json_is_array(ids)) {
            snprintf(err, errlen, "stacks: stacks[%zu] is not [count, [ids]]", i);
            return -1;
        }
    }
    return 0;
}

int hm_server_stacks_profile(const char *doc, size_t len, const char *kind, FILE *out, char *err,
                             size_t errlen) {
    json_error_t jerr;
    json_t *root = json_loadb(doc, len, 0, &jerr);
    if (root == NULL) {
        snprintf(err, errlen, "stacks: %s (line %d)", jerr.text, jerr.line);
        return -1;
    }
    const json_t *fns = json_object_get(root, "functions"), *sts = json_object_get(root, "stacks");
    if (check_stacks(fns, sts, err, errlen) != 0) {
        json_decref(root);
        return -1;
    }
    size_t nf = json_array_size(fns), nst = json_array_size(sts);
    /* Distinct stacks, counts summed. */
    stack *distinct = calloc(nst ? nst : 1, sizeof *distinct);
    size_t nd = 0, nlocs = 0;
    for (size_t i = 0; distinct && i < nst; i++) {
        const json_t *e = json_array_get(sts, i);
        stack s = {(uint64_t)json_integer_value(json_array_get(e, 0)),
                   json_array_size(json_array_get(e, 1)), json_array_get(e, 1)};
        size_t j = 0;
        while (j < nd && !stack_same(&distinct[j], &s))
            j++;
        if (j == nd) {
            distinct[nd++] = s;
            nlocs += s.n ? s.n : 1;
        } else {
            distinct[j].count += s.count;
        }
    }
    /* Function k + 1 and location k + 1 stand for functions[k]; nf + 1 is "(no instrumented
     * frame)". Strings: "", kind, "count", then per function its name and its file. */
    stacks_build b;
    memset(&b, 0, sizeof b);
    size_t nfun = nf + 1;
    int arrays = hm_pprof_arrays_alloc(&b.a, nfun, nd, nlocs, nd);
    b.strings = calloc(4 + 2 * nfun, sizeof *b.strings);
    int rc = -1;
    if (!distinct || arrays != 0 || !b.strings) {
        snprintf(err, errlen, "out of memory");
        goto done;
    }
    size_t ns = 0;
    b.strings[ns++] = "";
    b.strings[ns++] = (char *)kind;
    b.strings[ns++] = "count";
    for (size_t k = 0; k < nfun; k++) {
        const json_t *f = k < nf ? json_array_get(fns, k) : NULL;
        int64_t name = (int64_t)ns;
        b.strings[ns++] =
            f ? (char *)json_string_value(json_array_get(f, 1)) : "(no instrumented frame)";
        int64_t file = (int64_t)ns;
        b.strings[ns++] = f ? (char *)json_string_value(json_array_get(f, 2)) : "";
        hm_pprof_arrays_function(&b.a, k, name, file,
                                 f ? json_integer_value(json_array_get(f, 3)) : 0);
    }
    size_t used = 0;
    for (size_t i = 0; i < nd; i++) {
        pb_sample *s = &b.a.samples[i];
        perftools__profiles__sample__init(s);
        s->location_id = &b.a.location_ids[used];
        for (size_t j = 0; j < distinct[i].n; j++) {
            json_int_t id = json_integer_value(json_array_get(distinct[i].ids, j));
            size_t k = 0; /* the function with this id; unknown ids: "(no instrumented frame)" */
            while (k < nf && json_integer_value(json_array_get(json_array_get(fns, k), 0)) != id)
                k++;
            b.a.location_ids[used + s->n_location_id++] = k + 1;
        }
        if (s->n_location_id == 0)
            b.a.location_ids[used + s->n_location_id++] = nf + 1;
        used += s->n_location_id;
        b.a.values[i] = (int64_t)distinct[i].count;
        s->n_value = 1;
        s->value = &b.a.values[i];
        b.a.sample_ptrs[i] = s;
    }
    perftools__profiles__profile__init(&b.pr);
    perftools__profiles__value_type__init(&b.type);
    b.type.type = 1;
    b.type.unit = 2;
    b.type_ptr = &b.type;
    b.period_type = b.type;
    b.pr.n_sample_type = 1;
    b.pr.sample_type = &b.type_ptr;
    b.pr.period_type = &b.period_type;
    b.pr.period = 1;
    hm_pprof_symbolized(&b.pr, &b.mapping, &b.mapping_ptr, 0, &b.a, nfun, nd, b.strings, ns);
    uint8_t *raw = NULL;
    size_t rawlen = 0;
    if (hm_pprof_pack(&b.pr, &raw, &rawlen) != 0)
        snprintf(err, errlen, "out of memory");
    else
        rc = hm_pprof_gzip(out, raw, rawlen, err, errlen);
    free(raw);
done:
    stacks_build_free(&b);
    free(distinct);
    json_decref(root);
    return rc;
}

/* ---- trace over a window ----------------------------------------------------------------------
 */

int hm_server_trace(const char *results, size_t results_len, const char *trace, size_t trace_len,
                    uint64_t from_ns, FILE *out, char *err, size_t errlen) {
    hm_trace *t = NULL;
    if (hm_trace_load_buffers(results, results_len, "live results", trace, trace_len, "live trace",
                              &t, err, errlen) != 0)
        return -1;
    /* Keep the window's events; an exit without its enter in the window goes too. The loader
     * checked the nesting, so a depth count is enough. */
    uint64_t end = from_ns;
    for (size_t i = 0; i < t->nthreads; i++) {
        hm_trace_thread *th = &t->threads[i];
        size_t kept = 0, depth = 0;
        for (size_t j = 0; j < th->nevents; j++) {
            const hm_trace_event *e = &th->events[j];
            if (e->ns < from_ns || (!e->enter && depth == 0))
                continue;
            depth += e->enter ? 1 : (size_t)-1;
            th->events[kept++] = *e;
            end = e->ns > end ? e->ns : end;
        }
        th->nevents = kept;
        th->open_at_end = depth;
    }
    t->end_ns = end;
    const hm_trace *one = t;
    int rc = hm_export_chrome(out, &one, 1, err, errlen);
    hm_trace_free(t);
    return rc;
}

/* ---- Prometheus -------------------------------------------------------------------------------
 */

/* A label value: backslash, double quote and line feed escaped. */
static void put_label(FILE *out, const char *s) {
    for (; *s; s++)
        if (*s == '\\' || *s == '"')
            fputc('\\', out), fputc(*s, out);
        else if (*s == '\n')
            fputs("\\n", out);
        else
            fputc(*s, out);
}

static void put_seconds(FILE *out, uint64_t ns) {
    fprintf(out, "%" PRIu64 ".%09" PRIu64 "\n", ns / 1000000000u, ns % 1000000000u);
}

int hm_server_metrics(const char *results, size_t len, FILE *out, char *err, size_t errlen) {
    hm_results *r = NULL;
    if (hm_results_load_buffer(results, len, "live results", &r, err, errlen) != 0)
        return -1;
    static const struct {
        const char *name, *help;
        int what; /* 0 calls, 1 self, 2 cpu */
    } fn_metrics[] = {
        {"heatmap_function_calls_total", "Calls of the instrumented function.", 0},
        {"heatmap_function_self_seconds_total",
         "Self time of the function: its calls' wall time minus their instrumented children's.", 1},
        {"heatmap_function_cpu_seconds_total", "The on-CPU part of the function's self time.", 2},
    };
    for (size_t m = 0; m < sizeof fn_metrics / sizeof *fn_metrics; m++) {
        fprintf(out, "# HELP %s %s\n# TYPE %s counter\n", fn_metrics[m].name, fn_metrics[m].help,
                fn_metrics[m].name);
        for (size_t i = 0; i < r->nfunctions; i++) {
            const hm_function_stats *f = &r->functions[i];
            fprintf(out, "%s{function=\"", fn_metrics[m].name);
            put_label(out, f->name);
            fputs("\",file=\"", out);
            put_label(out, f->file);
            fputs("\"} ", out);
            if (fn_metrics[m].what == 0)
                fprintf(out, "%" PRIu64 "\n", f->count);
            else
                put_seconds(out, fn_metrics[m].what == 1 ? f->self_ns : f->cpu_ns);
        }
    }
    fputs("# HELP heatmap_calls_total Calls of all instrumented functions.\n"
          "# TYPE heatmap_calls_total counter\n",
          out);
    fprintf(out, "heatmap_calls_total %" PRIu64 "\n", hm_results_total_calls(r));
    fputs("# HELP heatmap_self_seconds_total Self time of all instrumented functions.\n"
          "# TYPE heatmap_self_seconds_total counter\nheatmap_self_seconds_total ",
          out);
    put_seconds(out, hm_results_self_ns(r));
    fputs("# HELP heatmap_cpu_seconds_total On-CPU self time of all instrumented functions.\n"
          "# TYPE heatmap_cpu_seconds_total counter\nheatmap_cpu_seconds_total ",
          out);
    put_seconds(out, hm_results_cpu_ns(r));
    fputs("# HELP heatmap_process_cpu_seconds_total The process's CPU time since the profiler "
          "started.\n# TYPE heatmap_process_cpu_seconds_total counter\n"
          "heatmap_process_cpu_seconds_total ",
          out);
    put_seconds(out, r->process_cpu_ns);
    fputs("# HELP heatmap_wall_seconds Wall time since the profiler started.\n"
          "# TYPE heatmap_wall_seconds gauge\nheatmap_wall_seconds ",
          out);
    put_seconds(out, r->has_wall ? r->wall_ns : r->elapsed_ns);
    fprintf(out,
            "# HELP heatmap_threads Threads that ran instrumented code.\n"
            "# TYPE heatmap_threads gauge\nheatmap_threads %zu\n"
            "# HELP heatmap_functions Instrumented functions called so far.\n"
            "# TYPE heatmap_functions gauge\nheatmap_functions %zu\n",
            r->nthreads, r->nfunctions);
    hm_results_free(r);
    return 0;
}
