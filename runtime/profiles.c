/* Profiles at exit: HEATMAP_PROFILE_TYPE / HEATMAP_PROFILE_FILE, and the call into
 * libheatmap-export.
 *
 * The runtime keeps raw data and writes the results file; pprof files are made from that file by
 * libheatmap-export, the same encoders `heatmap-view --export=pprof --type=T` uses
 * (include/heatmap/export_api.h). After a normal exit's results write, this file dlopen()s the
 * library (HEATMAP_EXPORT_LIB when set; else HM_EXPORT_LIBRARY_NAME in the directory of the
 * runtime's own shared object, found with dladdr; else that name through the normal search path)
 * and calls hm_export_profiles_v1. Any failure is one stderr line; the program's exit status never
 * changes. dlopen is not async-signal-safe, so a run ended by a signal gets one line saying how to
 * make the profiles from its results file instead.
 *
 * The profile types are one table, hm_profile_types; later issues add theirs there.
 *
 * Layer 5 (rt.h), the lifecycle's helper: calls layer 1 (log) and libdl; called by lifecycle.c.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "heatmap/export_api.h"
#include "heatmap/settings.h"
#include "json_out.h"
#include "rt.h"

/* name, HM_PROFILE_* bit (0: made by the exporter from data recorded anyway), stacks kind (-1:
 * made from the results file by hm_export_profiles_v1; else a stacks document of that kind, made
 * by hm_export_stacks_v1) */
static const struct {
    const char *name;
    unsigned bit;
    int stacks;
} hm_profile_types[] = {
    {"cpu", HM_PROFILE_CPU, -1},
    {"block", 0, -1},
    {"mutex", 0, -1},
    {"heap", 0, -1},
    {"allocs", 0, -1},
    {"goroutine", 0, 0},
    {"threads", 0, 0},
    {"threadcreate", 0, 1},
    {"trace", HM_PROFILE_TRACE, -1},
};
/* for the warning: the table above, as include/heatmap/settings.h lists it for heatmap.yaml's
 * runtime.profile_type (tests/unit/test_settings.c checks that the two agree) */
#define HM_PROFILE_TYPES_TEXT HM_SETTINGS_PROFILE_TYPES

static int hm_profile_type_index(const char *s, size_t len) {
    for (size_t i = 0; i < sizeof hm_profile_types / sizeof *hm_profile_types; i++)
        if (strlen(hm_profile_types[i].name) == len &&
            strncmp(hm_profile_types[i].name, s, len) == 0)
            return (int)i;
    return -1;
}

unsigned hm_profile_types_parse(const char *in, char *out, size_t size) {
    unsigned mask = 0, seen = 0;
    size_t n = 0;
    out[0] = '\0';
    const char *s, *p = in;
    size_t slen;
    while ((s = hm_settings_list_next(&p, &slen)) != NULL) {
        int i = hm_profile_type_index(s, slen);
        if (i < 0) {
            char value[64];
            size_t k = slen < sizeof value - 1 ? slen : sizeof value - 1;
            memcpy(value, s, k);
            value[k] = '\0';
            hm_log("ignoring HEATMAP_PROFILE_TYPE value '", value,
                   "'; accepted types: ", HM_PROFILE_TYPES_TEXT);
            continue;
        }
        if (seen & (1u << i))
            continue;
        seen |= 1u << i;
        mask |= hm_profile_types[i].bit;
        if (n)
            hm_append(out, size, &n, ",", 1);
        hm_append(out, size, &n, hm_profile_types[i].name, strlen(hm_profile_types[i].name));
    }
    return mask;
}

void hm_profile_file_check(char *pattern, size_t size, const char *types) {
    static const char fallback[] = "heatmap.%k.pb.gz";
    if (!strchr(types, ',') || strstr(pattern, "%k"))
        return;
    hm_log("ignoring HEATMAP_PROFILE_FILE=", pattern,
           ": several profile types need %k (the type) in the name; using the default ", fallback);
    if (size >= sizeof fallback)
        memcpy(pattern, fallback, sizeof fallback);
}

/* The export library beside this runtime's shared object, when there is one. */
static void *hm_open_beside_runtime(char *tried, size_t size) {
    Dl_info info;
    tried[0] = '\0';
    if (!dladdr((void *)hm_profiles_write, &info) || !info.dli_fname)
        return NULL;
    const char *slash = strrchr(info.dli_fname, '/');
    if (!slash)
        return NULL;
    size_t n = 0;
    hm_append(tried, size, &n, info.dli_fname, (size_t)(slash - info.dli_fname) + 1);
    hm_append(tried, size, &n, HM_EXPORT_LIBRARY_NAME, strlen(HM_EXPORT_LIBRARY_NAME));
    if (access(tried, F_OK) != 0)
        return NULL;
    return dlopen(tried, RTLD_NOW | RTLD_LOCAL);
}

void *hm_export_open(const char *library, char *tried, size_t size, const char **name_out) {
    void *lib = NULL;
    const char *name = library && *library ? library : NULL;
    if (name) {
        lib = dlopen(name, RTLD_NOW | RTLD_LOCAL);
    } else {
        lib = hm_open_beside_runtime(tried, size);
        name = tried[0] && lib ? tried : HM_EXPORT_LIBRARY_NAME;
        if (!lib)
            lib = dlopen(HM_EXPORT_LIBRARY_NAME, RTLD_NOW | RTLD_LOCAL);
    }
    if (name_out)
        *name_out = name;
    return lib;
}

/* One stacks profile (goroutine, threads, threadcreate): its document in a memory file, handed
 * to the export library. */
static void hm_stacks_profile_write(void *lib, const char *lib_name, const char *type, int kind,
                                    const char *pattern) {
    hm_export_stacks_fn fn = (hm_export_stacks_fn)dlsym(lib, HM_EXPORT_STACKS_SYMBOL);
    if (!fn) {
        hm_log("cannot write profiles: ", lib_name, " has no ", HM_EXPORT_STACKS_SYMBOL);
        return;
    }
    char path[1100];
    size_t n = 0;
    path[0] = '\0';
    for (const char *p = pattern; *p; p++)
        if (p[0] == '%' && p[1] == 'k')
            hm_append(path, sizeof path, &n, type, strlen(type)), p++;
        else
            hm_append(path, sizeof path, &n, p, 1);
    int fd = memfd_create("heatmap-stacks", MFD_CLOEXEC);
    struct stat st;
    char *doc = MAP_FAILED;
    if (fd >= 0 && hm_write_stacks_fd(kind, fd) == 0 && fstat(fd, &st) == 0 && st.st_size > 0)
        doc = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
    char err[512] = "";
    if (doc == MAP_FAILED)
        hm_log("cannot write profiles: the ", type, " stacks could not be written", NULL);
    else if (fn(doc, (size_t)st.st_size, strcmp(type, "threadcreate") ? "goroutine" : type, path,
                err, sizeof err) != 0)
        hm_log("cannot write profiles: ", err[0] ? err : "the exporter failed", NULL, NULL);
    else if (hm_rt.verbose)
        hm_log("wrote profile (", type, ") to ", path);
    if (doc != MAP_FAILED)
        munmap(doc, (size_t)st.st_size);
    if (fd >= 0)
        close(fd);
}

void hm_profiles_write(const char *results_path, const char *types, const char *pattern,
                       const char *library) {
    char beside[1024];
    const char *name;
    void *lib = hm_export_open(library, beside, sizeof beside, &name);
    if (!lib) {
        const char *why = dlerror();
        hm_log("cannot write profiles (", types, "): ", why ? why : name);
        return;
    }
    /* The types made from the results file go to hm_export_profiles_v1 in one list. */
    char file_types[256];
    size_t nft = 0;
    file_types[0] = '\0';
    for (const char *p = types; *p;) {
        size_t len = strcspn(p, ",");
        int i = hm_profile_type_index(p, len);
        if (i >= 0 && hm_profile_types[i].stacks >= 0)
            hm_stacks_profile_write(lib, name, hm_profile_types[i].name, hm_profile_types[i].stacks,
                                    pattern);
        else if (i >= 0)
            hm_append(file_types, sizeof file_types, &nft, p - (nft ? 1 : 0), len + (nft ? 1 : 0));
        p += len + (p[len] == ',');
    }
    if (!file_types[0])
        return;
    types = file_types;
    hm_export_profiles_fn fn = (hm_export_profiles_fn)dlsym(lib, HM_EXPORT_PROFILES_SYMBOL);
    if (!fn) {
        hm_log("cannot write profiles: ", name, " has no ", HM_EXPORT_PROFILES_SYMBOL);
        return;
    }
    char err[512] = "";
    if (fn(results_path, types, pattern, err, sizeof err) != 0) {
        err[sizeof err - 1] = '\0';
        hm_log("cannot write profiles: ", err[0] ? err : "the exporter failed", NULL, NULL);
        return;
    }
    if (hm_rt.verbose)
        hm_log("wrote profiles (", types, ") to ", pattern);
}

void hm_profiles_note_signal(const char *results_path, const char *types) {
    char line[1536];
    size_t n = 0;
    line[0] = '\0';
    const char *parts[] = {"no profiles written at a signal; make them from '", results_path,
                           "' with heatmap-view --export=pprof --type=", types};
    for (size_t i = 0; i < sizeof parts / sizeof *parts; i++)
        hm_append(line, sizeof line, &n, parts[i], strlen(parts[i]));
    hm_log(line, NULL, NULL, NULL);
}
