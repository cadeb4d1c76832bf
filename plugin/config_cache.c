/* heatmap plugin: find the heatmap.yaml that governs a module, parsed once per process.
 *
 * Lookup order, first hit wins (flags > environment > config file > defaults, as everywhere in
 * heatmap): -heatmap-config=PATH, $HEATMAP_CONFIG, the nearest heatmap.yaml in the module's source
 * directory or a parent (hm_config_find_upward), the built-in default config.
 *
 * Loaded configs (and load failures) are cached by path for the life of the process, so a clang
 * that runs the pass at two extension points, or an LTO link that runs it on many modules, parses
 * each file once and reports a broken file once. Entries are never freed: the cache lives as long
 * as the host process, like LLVM's own option storage. A mutex guards the cache because LTO
 * backends may run the pass on several threads.
 */
#define _POSIX_C_SOURCE 200809L

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hm_plugin.h"

typedef struct cache_entry {
    struct cache_entry *next;
    char *path;        /* NULL for the default config */
    hm_config *config; /* NULL when loading failed */
} cache_entry;

static pthread_mutex_t cache_lock = PTHREAD_MUTEX_INITIALIZER;
static cache_entry *cache_head;

static const char *non_empty(const char *s) {
    return s && s[0] ? s : NULL;
}

/* Looks `path` up in the cache, loading it on a miss. Called with cache_lock held. A failure is
 * described in *err only on the first load; later lookups of the same path leave it empty. */
static const hm_config *lookup_locked(const char *path, hm_config_error *err) {
    for (cache_entry *e = cache_head; e; e = e->next)
        if ((path == NULL && e->path == NULL) ||
            (path != NULL && e->path != NULL && strcmp(path, e->path) == 0))
            return e->config;
    cache_entry *e = hm_xcalloc(1, sizeof *e);
    if (path) {
        e->path = hm_xstrdup(path);
        if (hm_config_load_file(path, &e->config, err) != 0)
            e->config = NULL;
    } else {
        e->config = hm_config_new_default();
    }
    e->next = cache_head;
    cache_head = e;
    return e->config;
}

const hm_config *hm_plugin_config(const char *source_file, const hm_plugin_options *options,
                                  hm_config_error *err) {
    err->message[0] = '\0';
    const char *path = non_empty(options->config_path);
    if (!path)
        path = non_empty(getenv("HEATMAP_CONFIG"));
    char *found = NULL;
    if (!path && non_empty(source_file)) {
        found = hm_config_find_upward(source_file);
        path = found;
    }
    pthread_mutex_lock(&cache_lock);
    const hm_config *config = lookup_locked(path, err);
    pthread_mutex_unlock(&cache_lock);
    free(found);
    return config;
}
