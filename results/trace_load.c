/* Load and check a trace file (every enter and exit) with the results file it belongs to.
 *
 * A trace names functions by the ids of its results file's `functions`, so the two are read
 * together: the results file's function table (function_table.c) resolves every event. Each
 * thread's events are checked as a stack: times never go back, and every exit closes the innermost
 * open frame of the same function; frames may stay open at the end (see hm_trace.h). An error
 * names the file, the thread and the event ("threads[1] (tid 43).events[17]").
 */
#include "hm_trace.h"
#include "paths_internal.h"

#include <heatmap/results_format.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void hm_trace_free(hm_trace *t) {
    if (t == NULL)
        return;
    hm_path_functions_free(t->functions, t->nfunctions);
    for (size_t i = 0; i < t->nthreads; i++) {
        free(t->threads[i].name);
        free(t->threads[i].events);
    }
    free(t->threads);
    free(t->path);
    free(t->program);
    free(t);
}

/* Read threads[ti] of a trace and check its events. `stack` has room for every event. */
static int read_trace_thread(hm_loader *ld, const hm_json *o, size_t ti,
                             const hm_file_functions *ff, hm_trace_thread *th, size_t **stack,
                             size_t *stack_cap) {
    char where[96];
    snprintf(where, sizeof where, "threads[%zu]", ti);
    if (!hm_json_is_object(o))
        return hm_loader_fail(ld, "%s: expected an object", where);
    if (hm_loader_get_u64(ld, o, HM_TRACE_KEY_tid, true, where, &th->tid) != 0 ||
        hm_loader_get_u64(ld, o, HM_TRACE_KEY_dropped_events, false, where, &th->dropped_events) !=
            0)
        return -1;
    snprintf(where, sizeof where, "threads[%zu] (tid %llu)", ti, (unsigned long long)th->tid);
    const char *name = hm_json_str(o, HM_TRACE_KEY_name);
    th->name = hm_strdup(name ? name : "");
    const hm_json *arr = hm_json_get(o, HM_TRACE_KEY_events);
    if (th->name == NULL)
        return hm_loader_fail(ld, "out of memory");
    if (!hm_json_is_array(arr))
        return hm_loader_fail(ld, "%s: missing or non-array \"events\"", where);
    size_t n = hm_json_size(arr);
    th->events = calloc(n ? n : 1, sizeof *th->events);
    if (th->events == NULL || hm_reserve((void **)stack, stack_cap, n + 1, sizeof **stack) != 0)
        return hm_loader_fail(ld, "out of memory");
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        const hm_json *e = hm_json_at(arr, i);
        uint64_t x[3];
        bool ok = hm_json_is_array(e) && hm_json_size(e) == 3;
        for (size_t k = 0; ok && k < 3; k++) {
            const hm_json *v = hm_json_at(e, k);
            ok = hm_json_is_integer(v) && hm_json_int(v) >= 0;
            x[k] = ok ? (uint64_t)hm_json_int(v) : 0;
        }
        if (!ok)
            return hm_loader_fail(ld,
                                  "%s.events[%zu]: expected [ns_since_start, function_id, kind] of "
                                  "non-negative integers",
                                  where, i);
        if (x[2] > 1)
            return hm_loader_fail(ld, "%s.events[%zu]: kind %llu (expected 1 enter or 0 exit)",
                                  where, i, (unsigned long long)x[2]);
        const hm_file_function *f = hm_file_functions_find(ff, x[1]);
        if (f == NULL)
            return hm_loader_fail(ld, "%s.events[%zu]: function id %llu is not in the results file",
                                  where, i, (unsigned long long)x[1]);
        if (i > 0 && x[0] < th->events[i - 1].ns)
            return hm_loader_fail(
                ld, "%s.events[%zu]: time %llu ns is before the previous event's %llu ns", where, i,
                (unsigned long long)x[0], (unsigned long long)th->events[i - 1].ns);
        hm_trace_event *ev = &th->events[i];
        *ev = (hm_trace_event){.ns = x[0], .function = f->merged, .enter = x[2] == 1};
        if (ev->enter) {
            (*stack)[depth++] = ev->function;
        } else if (depth == 0) {
            return hm_loader_fail(ld, "%s.events[%zu]: exit of %s without an open frame", where, i,
                                  f->name);
        } else if ((*stack)[--depth] != ev->function) {
            return hm_loader_fail(ld,
                                  "%s.events[%zu]: exit of %s while %s is the innermost open frame",
                                  where, i, f->name, ff->items[(*stack)[depth]].name);
        }
        th->nevents++;
    }
    th->open_at_end = depth;
    return 0;
}

static int read_trace(hm_loader *ld, const hm_json *root, const hm_file_functions *ff,
                      hm_trace *t) {
    const hm_json *version = hm_json_get(root, HM_TRACE_KEY_version);
    if (!hm_json_is_integer(version) || hm_json_int(version) != HM_RESULTS_FORMAT_VERSION)
        return hm_loader_fail(ld, "not a version %d trace file", HM_RESULTS_FORMAT_VERSION);
    const hm_json *pid = hm_json_get(root, HM_TRACE_KEY_pid);
    t->pid = hm_json_is_integer(pid) ? (int64_t)hm_json_int(pid) : 0;
    if (hm_loader_get_u64(ld, root, HM_TRACE_KEY_start_unix_ns, false, "trace",
                          &t->start_unix_ns) != 0)
        return -1;
    const hm_json *threads = hm_json_get(root, HM_TRACE_KEY_threads);
    if (!hm_json_is_array(threads))
        return hm_loader_fail(ld, "missing or non-array \"threads\" (not a trace file?)");
    size_t n = hm_json_size(threads);
    t->threads = calloc(n ? n : 1, sizeof *t->threads);
    if (t->threads == NULL)
        return hm_loader_fail(ld, "out of memory");
    size_t *stack = NULL, cap = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        t->nthreads++;
        rc = read_trace_thread(ld, hm_json_at(threads, i), i, ff, &t->threads[i], &stack, &cap);
    }
    free(stack);
    return rc;
}

int hm_trace_load_buffers(const char *results_data, size_t results_len, const char *results_name,
                          const char *trace_data, size_t trace_len, const char *trace_name,
                          hm_trace **out, char *err, size_t errlen) {
    hm_loader rl = {.name = results_name, .err = err, .errlen = errlen};
    hm_loader tl = {.name = trace_name, .err = err, .errlen = errlen};
    *out = NULL;
    hm_json_doc rdoc = {0}, tdoc = {0};
    const hm_json *rroot = hm_loader_parse_object(&rl, &rdoc, results_data, results_len,
                                                  "a heatmap results JSON object");
    const hm_json *troot = rroot ? hm_loader_parse_object(&tl, &tdoc, trace_data, trace_len,
                                                          "a heatmap trace JSON object")
                                 : NULL;
    if (troot == NULL) {
        hm_json_doc_free(&rdoc);
        hm_json_doc_free(&tdoc);
        return -1;
    }
    hm_trace *t = calloc(1, sizeof *t);
    hm_file_functions ff = {0};
    int rc =
        t ? hm_file_functions_read(&rl, rroot, true, &ff) : hm_loader_fail(&tl, "out of memory");
    if (rc == 0)
        rc = hm_loader_get_u64(&rl, rroot, HM_KEY_elapsed_ns, false, "results", &t->end_ns);
    if (rc == 0) {
        t->functions = calloc(ff.n ? ff.n : 1, sizeof *t->functions);
        rc = t->functions ? 0 : hm_loader_fail(&tl, "out of memory");
        for (size_t i = 0; rc == 0 && i < ff.n; i++) {
            hm_path_function *f = &t->functions[i];
            f->name = hm_strdup(ff.items[i].name);
            f->file = hm_strdup(ff.items[i].file);
            f->line = ff.items[i].line;
            f->count = ff.items[i].count;
            f->self_ns = ff.items[i].self_ns;
            ff.items[i].merged = i;
            t->nfunctions++;
            if (f->name == NULL || f->file == NULL)
                rc = hm_loader_fail(&tl, "out of memory");
        }
        if (rc == 0)
            rc = read_trace(&tl, troot, &ff, t);
        for (size_t i = 0; rc == 0 && i < t->nthreads; i++) {
            const hm_trace_thread *th = &t->threads[i];
            if (th->nevents > 0 && th->events[th->nevents - 1].ns > t->end_ns)
                t->end_ns = th->events[th->nevents - 1].ns;
        }
        const char *program = hm_json_str(rroot, HM_KEY_program);
        if (rc == 0 && ((t->path = hm_strdup(trace_name)) == NULL ||
                        (t->program = hm_strdup(program ? program : "")) == NULL))
            rc = hm_loader_fail(&tl, "out of memory");
    }
    hm_file_functions_free(&ff);
    hm_json_doc_free(&rdoc);
    hm_json_doc_free(&tdoc);
    if (rc != 0) {
        hm_trace_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

int hm_trace_load(const char *results_path, const char *trace_path, hm_trace **out, char *err,
                  size_t errlen) {
    char beside[4096];
    hm_loader ld = {.name = results_path, .err = err, .errlen = errlen};
    *out = NULL;
    if (trace_path == NULL) {
        if (hm_trace_path_for(results_path, beside, sizeof beside) < 0)
            return hm_loader_fail(&ld, "path too long");
        trace_path = beside;
    }
    size_t rlen, tlen;
    char *tdata = hm_read_file(trace_path, &tlen, NULL);
    if (tdata == NULL) {
        int e = errno;
        hm_loader tl = {.name = trace_path, .err = err, .errlen = errlen};
        if (e == ENOENT) {
            hm_loader_fail(&tl,
                           "no trace file (run the program with HEATMAP_TRACE=1 to record one)");
            return HM_TRACE_MISSING;
        }
        return hm_loader_fail(&tl, "cannot read: %s", strerror(e));
    }
    const char *rname;
    char *rdata = hm_read_input(results_path, &rname, &rlen, err, errlen);
    if (rdata == NULL) {
        free(tdata);
        return -1;
    }
    int rc = hm_trace_load_buffers(rdata, rlen, rname, tdata, tlen, trace_path, out, err, errlen);
    free(rdata);
    free(tdata);
    return rc;
}
