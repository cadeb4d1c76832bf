/* The statistics and the call paths of many results files from one parse each (load_many.h).
 *
 * Parsing is most of the cost of loading a file (docs/performance.md), and a viewer that shows
 * both the statistics and the callers used to parse every file twice. Here a worker reads and
 * parses a file once and, from that one document, reads its statistics (hm_results_from_root)
 * and its call paths (hm_file_paths_read) into one item; the caller then merges both halves in
 * input order (hm_merge, the paths builder). Loading only one of the two is the same code with
 * the other half left out, so the single loads and the combined one cannot drift apart.
 *
 * When both are loaded the paths are optional: a file without them (HEATMAP_PATHS=off, an older
 * runtime) or with malformed ones stops the paths, not the statistics. The first such failure in
 * input order is the message kept, as hm_paths_load_many would report it, and the workers no
 * longer read the paths of the files they load after it.
 */
#include "load_many.h"
#include "load_pool.h"
#include "paths_internal.h"

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>

#define MSG_LEN 1024

typedef struct many {
    const char *const *files;
    bool want_results, want_paths;
    /* The caller's thread only, in input order: */
    hm_merge *merge;        /* n > 1 */
    hm_results *single;     /* n == 1, or the merge's result */
    hm_paths_builder *tree; /* paths wanted */
    /* The paths stop at the first failure; the statistics go on. Set by the caller's thread in
     * input order and read by the workers too: a file loaded after it need not read its paths
     * (only later files' paths are skipped, all of them unused). */
    atomic_bool paths_failed;
    char *paths_err; /* err itself when only the paths are wanted */
    size_t paths_errlen;
} many;

/* One file as a worker loaded it. */
typedef struct loaded {
    hm_results *results;  /* when wanted */
    hm_file_paths *paths; /* when wanted and readable; else NULL and paths_msg says why */
    char paths_msg[MSG_LEN];
} loaded;

static void drop_one(void *ctx, void *item) {
    loaded *it = item;
    (void)ctx;
    if (it == NULL)
        return;
    hm_results_free(it->results);
    hm_file_paths_free(it->paths);
    free(it);
}

static bool paths_failed(const many *m) {
    return atomic_load_explicit(&m->paths_failed, memory_order_relaxed);
}

/* Read and parse file i once, then take from the document whatever is wanted. */
static int load_one(void *ctx, hm_json_doc *doc, size_t i, void **item, char *err, size_t errlen) {
    const many *m = ctx;
    const char *name;
    size_t len;
    char *data = hm_read_input(m->files[i], &name, &len, err, errlen);
    if (data == NULL)
        return -1;
    hm_loader ld = {.name = name, .err = err, .errlen = errlen};
    loaded *it = calloc(1, sizeof *it);
    if (it == NULL) {
        free(data);
        return hm_loader_fail(&ld, "out of memory");
    }
    /* With the statistics, their parse and checks come first, so that a bad file fails with
     * hm_results_load's message; the paths alone keep hm_paths_load's. */
    const hm_json *root = m->want_results
                              ? hm_results_parse(doc, data, len, name, err, errlen)
                              : hm_loader_parse_owned(&ld, doc, data, len, HM_RESULTS_EXPECTED);
    int rc = root != NULL ? 0 : -1;
    if (rc == 0 && m->want_results)
        rc = hm_results_from_root(root, name, &it->results, err, errlen);
    if (rc == 0 && m->want_paths) {
        if (m->want_results) { /* optional then: the why is kept for the caller's thread */
            ld.err = it->paths_msg;
            ld.errlen = sizeof it->paths_msg;
        }
        bool unused = m->want_results && paths_failed(m);
        if (!unused && hm_file_paths_read(&ld, root, &it->paths) != 0 && !m->want_results)
            rc = -1;
    }
    if (rc != 0) {
        drop_one(ctx, it);
        return -1;
    }
    *item = it;
    return 0;
}

/* Merge file i's halves, in input order. */
static int use_one(void *ctx, size_t i, void *item, char *err, size_t errlen) {
    many *m = ctx;
    loaded *it = item;
    int rc = 0;
    (void)i;
    if (it->results != NULL && m->merge == NULL) { /* n == 1: the file as loaded, unmerged */
        m->single = it->results;
        it->results = NULL;
    } else if (it->results != NULL && hm_merge_add(m->merge, it->results) != 0) {
        rc = hm_errorf(err, errlen, "out of memory while merging results");
    }
    if (rc == 0 && m->want_paths && !paths_failed(m)) {
        bool failed = it->paths == NULL;
        if (failed && m->paths_err != NULL && m->paths_errlen > 0)
            snprintf(m->paths_err, m->paths_errlen, "%s", it->paths_msg);
        if (!failed)
            failed = hm_paths_builder_add(m->tree, it->paths, m->paths_err, m->paths_errlen) != 0;
        if (failed) {
            atomic_store_explicit(&m->paths_failed, true, memory_order_relaxed);
            if (!m->want_results)
                rc = -1; /* the message is in err already: paths_err is err */
        }
    }
    drop_one(ctx, it);
    return rc;
}

int hm_load_many(const char *const *files, size_t n, unsigned jobs, hm_results **results,
                 hm_paths **paths, char *paths_err, size_t paths_errlen, char *err, size_t errlen) {
    if (results != NULL)
        *results = NULL;
    if (paths != NULL)
        *paths = NULL;
    if (n == 0)
        return results != NULL ? hm_errorf(err, errlen, "nothing to merge")
                               : hm_fail(err, errlen, "heatmap-view", "no results file");
    many m = {.files = files,
              .want_results = results != NULL,
              .want_paths = paths != NULL,
              .paths_err = results != NULL ? paths_err : err,
              .paths_errlen = results != NULL ? paths_errlen : errlen};
    hm_loader ld = {.name = files[0], .err = m.paths_err, .errlen = m.paths_errlen};
    int rc = 0;
    if (m.want_results && n > 1 && (m.merge = hm_merge_new()) == NULL)
        rc = hm_errorf(err, errlen, "out of memory");
    if (rc == 0 && m.want_paths && (m.tree = hm_paths_builder_new()) == NULL) {
        atomic_store_explicit(&m.paths_failed, true, memory_order_relaxed);
        rc = hm_loader_fail(&ld, "out of memory");
        if (m.want_results)
            rc = 0; /* the statistics go on without paths */
    }
    if (rc == 0)
        rc = hm_pool_run(n, jobs, load_one, use_one, drop_one, &m, err, errlen);
    if (rc == 0 && m.merge != NULL && hm_merge_finish(m.merge, &m.single) != 0)
        rc = hm_errorf(err, errlen, "out of memory while merging results");
    if (rc == 0 && m.want_paths && !paths_failed(&m) &&
        hm_paths_builder_finish(&ld, m.tree, paths) != 0 && !m.want_results)
        rc = -1;
    if (rc == 0 && results != NULL) {
        *results = m.single;
        m.single = NULL;
    }
    if (rc != 0 && paths != NULL) {
        hm_paths_free(*paths);
        *paths = NULL;
    }
    /* The paths' message means "statistics without paths": none when the call fails. */
    if (rc != 0 && results != NULL && paths_err != NULL && paths_errlen > 0)
        paths_err[0] = '\0';
    hm_results_free(m.single);
    hm_merge_free(m.merge);
    hm_paths_builder_free(m.tree);
    return rc;
}

int hm_results_paths_load_many(const char *const *files, size_t n, unsigned jobs,
                               hm_results **results, hm_paths **paths, char *paths_err,
                               size_t paths_errlen, char *err, size_t errlen) {
    return hm_load_many(files, n, jobs, results, paths, paths_err, paths_errlen, err, errlen);
}
