/* Run the scan: parse translation units on worker threads, then merge, deduplicate and link calls.
 *
 * Workers take the next job index under a mutex, parse it with their own CXIndex (libclang is
 * thread-safe across indexes, not within one; the indexes are created before the threads start) and
 * store the output in the job's own slot, so no other state is shared. After the join the main
 * thread merges the slots in job order, which makes the result independent of scheduling:
 * diagnostics are printed in job order, a function seen by several translation units (a header's
 * inline function) keeps its first record, and call sites are then resolved to definitions by USR
 * (or, for calls to template instantiations, by the template's USR, which also records the
 * instantiation's name on the template's entry). The progress line is drawn by whichever worker
 * finishes a job, under the same mutex.
 */
#define _GNU_SOURCE /* heatmap/cpus.h */
#include "scan_internal.h"

#include <heatmap/cpus.h>

#include <clang-c/Index.h>

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

const char *hm_scan_strerror(hm_scan_status status) {
    switch (status) {
    case HM_SCAN_OK:
        return "success";
    case HM_SCAN_EDATABASE:
        return "cannot load compile_commands.json";
    case HM_SCAN_ENOTINDB:
        return "no entry in compile_commands.json";
    case HM_SCAN_EEXIST:
        return "file exists (use --force to replace it)";
    case HM_SCAN_EIO:
        return "input/output error";
    }
    return "unknown error";
}

bool hm_scan_is_trivial(const hm_scan_function *fn, unsigned threshold) {
    return threshold > 0 && fn->calls == 0 && !fn->implicit_calls && fn->loops == 0 &&
           fn->ir_estimate < threshold;
}

void hm_scan_function_free(hm_scan_function *fn) {
    free(fn->name);
    free(fn->pattern);
    free(fn->file);
    free(fn->usr);
    for (size_t i = 0; i < fn->ninstances; i++)
        free(fn->instances[i]);
    free(fn->instances);
    for (size_t i = 0; i < fn->ncallees; i++) {
        free(fn->callees[i].usr);
        free(fn->callees[i].template_usr);
        free(fn->callees[i].instance);
    }
    free(fn->callees);
    memset(fn, 0, sizeof *fn);
}

void hm_scan_result_free(hm_scan_result *result) {
    for (size_t i = 0; i < result->count; i++)
        hm_scan_function_free(&result->functions[i]);
    free(result->functions);
    memset(result, 0, sizeof *result);
}

/* ---- Workers --------------------------------------------------------------------------------- */

typedef struct run_state {
    const hm_scan_jobs *jobs;
    hm_scan_tu_output *outputs;
    pthread_mutex_t lock;
    size_t next; /* next job to hand out */
    size_t done;
    bool progress;
    bool progress_shown;
    struct timespec start;
} run_state;

static double seconds_since(const struct timespec *start) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

/* Called with the lock held after a job finishes: a progress line once the scan is slow. */
static void show_progress(run_state *st, const hm_scan_job *job) {
    if (!st->progress || seconds_since(&st->start) < 1.0)
        return;
    /* Kept to one line of a narrow terminal: only the end of a long path is shown. */
    const char *path = hm_scan_path_display(job->file);
    size_t len = strlen(path);
    fprintf(stderr, "\r\033[Kheatmap-scan: [%zu/%zu] %s%s", st->done, st->jobs->count,
            len > 48 ? "..." : "", len > 48 ? path + len - 45 : path);
    fflush(stderr);
    st->progress_shown = true;
}

/* One worker thread: the shared state and the worker's own index. */
typedef struct worker_arg {
    run_state *st;
    CXIndex index;
} worker_arg;

static void *worker(void *arg) {
    run_state *st = ((worker_arg *)arg)->st;
    CXIndex index = ((worker_arg *)arg)->index;
    for (;;) {
        pthread_mutex_lock(&st->lock);
        size_t i = st->next < st->jobs->count ? st->next++ : st->jobs->count;
        pthread_mutex_unlock(&st->lock);
        if (i >= st->jobs->count)
            break;
        hm_scan_parse_job(index, &st->jobs->items[i], &st->outputs[i]);
        pthread_mutex_lock(&st->lock);
        st->done++;
        show_progress(st, &st->jobs->items[i]);
        pthread_mutex_unlock(&st->lock);
    }
    return NULL;
}

/* ---- Merge ------------------------------------------------------------------------------- */

static void add_instance(hm_scan_function *fn, const char *instance) {
    for (size_t i = 0; i < fn->ninstances; i++)
        if (strcmp(fn->instances[i], instance) == 0)
            return;
    fn->instances = hm_xrealloc(fn->instances, (fn->ninstances + 1) * sizeof *fn->instances);
    fn->instances[fn->ninstances++] = hm_xstrdup(instance);
}

static int compare_strings(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Count every call site against the definition it names. */
static void link_calls(hm_scan_result *result) {
    hm_strmap by_usr = {0};
    for (size_t i = 0; i < result->count; i++)
        if (result->functions[i].usr[0] != '\0' &&
            !hm_strmap_get(&by_usr, result->functions[i].usr, NULL))
            hm_strmap_put(&by_usr, result->functions[i].usr, i);
    for (size_t i = 0; i < result->count; i++) {
        const hm_scan_function *caller = &result->functions[i];
        for (size_t j = 0; j < caller->ncallees; j++) {
            const struct hm_scan_callee *callee = &caller->callees[j];
            size_t target;
            if (hm_strmap_get(&by_usr, callee->usr, &target)) {
                result->functions[target].fanin++;
            } else if (callee->template_usr != NULL &&
                       hm_strmap_get(&by_usr, callee->template_usr, &target)) {
                result->functions[target].fanin++;
                if (callee->instance != NULL && result->functions[target].is_template)
                    add_instance(&result->functions[target], callee->instance);
            }
        }
    }
    for (size_t i = 0; i < result->count; i++) {
        hm_scan_function *fn = &result->functions[i];
        if (fn->ninstances > 1)
            qsort(fn->instances, fn->ninstances, sizeof *fn->instances, compare_strings);
    }
    hm_strmap_free(&by_usr);
}

/* Count each line of `lines` in `flags` (value: files naming it), keeping first-seen order in
 * `order`. */
static void count_flags(const hm_strbuf *lines, hm_strmap *flags, hm_strbuf *order) {
    for (const char *p = lines->data; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        char *flag = hm_xstrndup(p, (size_t)(end - p));
        size_t n = 0;
        if (!hm_strmap_get(flags, flag, &n)) {
            hm_strbuf_add(order, flag);
            hm_strbuf_addc(order, '\n');
        }
        hm_strmap_put(flags, flag, n + 1);
        free(flag);
        p = end + 1;
    }
}

/* One line per flag clang did not know, however many commands carry it. */
static void report_unknown_flags(const hm_strmap *flags, const hm_strbuf *order, FILE *out) {
    for (const char *p = order->data; p != NULL && *p != '\0';) {
        const char *end = strchr(p, '\n');
        char *flag = hm_xstrndup(p, (size_t)(end - p));
        size_t n = 0;
        hm_strmap_get(flags, flag, &n);
        fprintf(out,
                "heatmap-scan: warning: clang does not know the flag %s (%zu file%s); "
                "ignored\n",
                flag, n, n == 1 ? "" : "s");
        free(flag);
        p = end + 1;
    }
}

static void merge(run_state *st, hm_scan_result *out, FILE *diagnostics) {
    hm_strmap seen = {0}, flags = {0};
    hm_strbuf flag_order = {0};
    size_t cap = 0;
    for (size_t i = 0; i < st->jobs->count; i++) {
        hm_scan_tu_output *tu = &st->outputs[i];
        if (tu->diagnostics.len > 0)
            fputs(tu->diagnostics.data, diagnostics);
        count_flags(&tu->unknown_flags, &flags, &flag_order);
        hm_strbuf_free(&tu->unknown_flags);
        out->files_failed += tu->failed;
        for (size_t j = 0; j < tu->count; j++) {
            hm_scan_function *fn = &tu->functions[j];
            char *key = hm_xasprintf("%s\n%s\n%u", fn->name, fn->file, fn->line);
            if (hm_strmap_get(&seen, key, NULL)) {
                hm_scan_function_free(fn);
            } else {
                hm_strmap_put(&seen, key, 1);
                hm_grow((void **)&out->functions, &cap, out->count + 1, sizeof *out->functions);
                out->functions[out->count++] = *fn;
            }
            free(key);
        }
        free(tu->functions);
        hm_strbuf_free(&tu->diagnostics);
    }
    report_unknown_flags(&flags, &flag_order, diagnostics);
    hm_strmap_free(&seen);
    hm_strmap_free(&flags);
    hm_strbuf_free(&flag_order);
    fflush(diagnostics);
}

hm_scan_status hm_scan_run(const hm_scan_jobs *jobs, const hm_scan_options *options,
                           hm_scan_result *out) {
    memset(out, 0, sizeof *out);
    run_state st = {.jobs = jobs};
    st.outputs = hm_xcalloc(jobs->count, sizeof *st.outputs);
    st.progress = options != NULL && options->progress && isatty(STDERR_FILENO);
    pthread_mutex_init(&st.lock, NULL);
    clock_gettime(CLOCK_MONOTONIC, &st.start);

    size_t nthreads = options != NULL && options->jobs > 0 ? options->jobs : hm_cpus_usable();
    if (nthreads > jobs->count)
        nthreads = jobs->count;
    /* The indexes are made here, one after the other: clang_createIndex enables LLVM's crash
     * recovery, which is not safe to do from several threads at once (ThreadSanitizer sees the
     * race inside LLVM). */
    pthread_t *threads = hm_xcalloc(nthreads, sizeof *threads);
    worker_arg *args = hm_xcalloc(nthreads ? nthreads : 1, sizeof *args);
    for (size_t i = 0; i < (nthreads ? nthreads : 1); i++)
        args[i] = (worker_arg){&st, clang_createIndex(0, 0)};
    size_t started = 0;
    for (size_t i = 0; i < nthreads; i++) {
        if (pthread_create(&threads[i], NULL, worker, &args[i]) != 0)
            break;
        started++;
    }
    if (started == 0 && jobs->count > 0)
        worker(&args[0]); /* no thread could start: do the work here */
    for (size_t i = 0; i < started; i++)
        pthread_join(threads[i], NULL);
    for (size_t i = 0; i < (nthreads ? nthreads : 1); i++)
        clang_disposeIndex(args[i].index);
    free(args);
    free(threads);
    if (st.progress_shown)
        fputs("\r\033[K", stderr);
    pthread_mutex_destroy(&st.lock);

    out->files_scanned = jobs->count;
    merge(&st, out, options != NULL && options->diagnostics ? options->diagnostics : stderr);
    free(st.outputs);
    link_calls(out);
    return HM_SCAN_OK;
}
