/* hm_export_profiles_v1: the runtime's at-exit entry point (heatmap/export_api.h).
 *
 * The one function libheatmap-export.so.1 exports. It checks the whole request first (every type
 * known, a pattern with %k when more than one type is asked), so a bad HEATMAP_PROFILE_TYPE writes
 * nothing, then writes each profile through hm_export_run_type(), the code behind heatmap-view's
 * `--export=pprof --type=T`: the same loaders, the same encoders, the same removal of a partly
 * written file. A failure of one type does not stop the others; the first message is returned.
 */
#include "export.h"
#include "server.h"

#include <heatmap/export_api.h>

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#define DEFAULT_PATTERN "heatmap.%k.pb.gz"
#define MAX_TYPES 8

static int fail(char *err, size_t errsize, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errsize, const char *fmt, ...) {
    if (err != NULL && errsize > 0) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err, errsize, fmt, ap);
        va_end(ap);
    }
    return -1;
}

/* "trace": not a pprof type but the Chrome timeline of the trace file beside the results. */
#define TYPE_TRACE ((hm_pprof_type)-1)
#define KNOWN_TYPES "cpu, block, mutex, heap, allocs, calls or trace"

/* Parse the comma list into types[] (duplicates dropped, blanks around names ignored). Returns
 * the number of types, or -1 with a message. */
static int parse_types(const char *list, hm_pprof_type *types, char *err, size_t errsize) {
    int n = 0;
    for (const char *p = list; *p != '\0';) {
        while (*p == ' ' || *p == '\t' || *p == ',')
            p++;
        const char *end = p;
        while (*end != '\0' && *end != ',')
            end++;
        size_t len = (size_t)(end - p);
        while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
            len--;
        if (len > 0) {
            hm_pprof_type t = TYPE_TRACE;
            if (!(len == 5 && strncmp(p, "trace", 5) == 0) && hm_pprof_type_parse(p, len, &t) != 0)
                return fail(err, errsize,
                            "profile type '%.*s' is unknown (expected " KNOWN_TYPES ")", (int)len,
                            p);
            bool seen = false;
            for (int i = 0; i < n; i++)
                seen |= types[i] == t;
            if (!seen && n < MAX_TYPES)
                types[n++] = t;
        }
        p = end;
    }
    if (n == 0)
        return fail(err, errsize, "no profile type in '%s' (expected " KNOWN_TYPES ")", list);
    return n;
}

/* pattern with every "%k" replaced by name, malloc'd; NULL on out-of-memory. The trace is Chrome
 * JSON, not pprof: a pattern ending in ".pb.gz" ends in ".chrome.json" for it (not ".json": the
 * default would then name the runtime's own trace file, heatmap.trace.json). */
static char *expand(const char *pattern, const char *name) {
    size_t n = 1 + 12;
    for (const char *p = pattern; *p; p++)
        n += p[0] == '%' && p[1] == 'k' ? strlen(name) : 1;
    char *out = malloc(n), *o = out;
    if (out == NULL)
        return NULL;
    for (const char *p = pattern; *p; p++) {
        if (p[0] == '%' && p[1] == 'k') {
            o += strlen(strcpy(o, name));
            p++;
        } else {
            *o++ = *p;
        }
    }
    *o = '\0';
    size_t len = strlen(out);
    if (strcmp(name, "trace") == 0 && len >= 6 && strcmp(out + len - 6, ".pb.gz") == 0)
        strcpy(out + len - 6, ".chrome.json");
    return out;
}

__attribute__((visibility("default"))) int hm_export_profiles_v1(const char *results_path,
                                                                 const char *types,
                                                                 const char *file_pattern,
                                                                 char *err, size_t errsize) {
    if (results_path == NULL || results_path[0] == '\0')
        return fail(err, errsize, "no results file to make profiles from");
    if (types == NULL)
        return fail(err, errsize, "no profile type (expected " KNOWN_TYPES ")");
    if (file_pattern == NULL || file_pattern[0] == '\0')
        file_pattern = DEFAULT_PATTERN;
    hm_pprof_type list[MAX_TYPES];
    int n = parse_types(types, list, err, errsize);
    if (n < 0)
        return -1;
    if (n > 1 && strstr(file_pattern, "%k") == NULL)
        return fail(err, errsize,
                    "profile file '%s' has no %%k, but %d types (%s) were asked: each type needs "
                    "its own file (e.g. heatmap.%%k.pb.gz)",
                    file_pattern, n, types);
    int rc = 0;
    for (int i = 0; i < n; i++) {
        bool trace = list[i] == TYPE_TRACE;
        const char *name = trace ? "trace" : hm_pprof_type_name(list[i]);
        char *path = expand(file_pattern, name);
        char msg[1024];
        if (path == NULL) {
            snprintf(msg, sizeof msg, "out of memory");
        } else if (hm_export_run_type(trace ? HM_EXPORT_CHROME : HM_EXPORT_PPROF,
                                      trace ? HM_PPROF_CALLS : list[i], &results_path, 1, path, msg,
                                      sizeof msg) == 0) {
            free(path);
            continue;
        }
        if (rc == 0)
            fail(err, errsize, "%s profile (%s): %s", name, path ? path : file_pattern, msg);
        rc = -1;
        free(path);
    }
    return rc;
}

__attribute__((visibility("default"))) int hm_export_stacks_v1(const char *doc, size_t len,
                                                               const char *kind, const char *path,
                                                               char *err, size_t errsize) {
    if (doc == NULL || kind == NULL || path == NULL || path[0] == '\0')
        return fail(err, errsize, "no stacks, kind or file for the %s profile",
                    kind ? kind : "stacks");
    FILE *out = fopen(path, "wb");
    if (out == NULL)
        return fail(err, errsize, "%s profile (%s): cannot write: %s", kind, path, strerror(errno));
    char msg[1024];
    int rc = hm_server_stacks_profile(doc, len, kind, out, msg, sizeof msg);
    if (fclose(out) != 0 && rc == 0) {
        snprintf(msg, sizeof msg, "cannot write: %s", strerror(errno));
        rc = -1;
    }
    if (rc != 0) {
        unlink(path);
        return fail(err, errsize, "%s profile (%s): %s", kind, path, msg);
    }
    return 0;
}
