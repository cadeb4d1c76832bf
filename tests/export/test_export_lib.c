/* libheatmap-export.so.1 as the runtime uses it: dlopen, dlsym(hm_export_profiles_v1), call.
 *
 * usage: test_export_lib LIBRARY RESULTS WORKDIR
 * LIBRARY is the installed library (beside libheatmap-rt.so.1, which the test checks), RESULTS a
 * results file with call paths with waits and a cpu_profile (fixtures/waits.json). Checked: only
 * the entry point is exported; "cpu,block,mutex" writes the three files the pattern names, each a
 * gzip stream; a pattern without %k for two types, an unknown type and a missing results file are
 * refused with one line that says why, and write nothing. Exits 0 when all hold, 1 otherwise.
 */
#include <heatmap/export_api.h>

#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

static int failures;

#define CHECK(cond, ...)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            printf("FAIL line %d: %s: ", __LINE__, #cond);                                         \
            printf(__VA_ARGS__);                                                                   \
            printf("\n");                                                                          \
            failures++;                                                                            \
        }                                                                                          \
    } while (0)

/* Whether path starts with the gzip magic bytes. */
static int is_gzip(const char *path) {
    unsigned char magic[2] = {0};
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return 0;
    size_t n = fread(magic, 1, 2, f);
    fclose(f);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: test_export_lib LIBRARY RESULTS WORKDIR\n");
        return 2;
    }
    const char *lib = argv[1], *results = argv[2], *work = argv[3];
    char path[4096], pattern[4096], err[1024];

    /* Installed beside the runtime, under the SONAME the runtime asks for. */
    const char *slash = strrchr(lib, '/');
    CHECK(slash != NULL && strcmp(slash + 1, HM_EXPORT_LIBRARY_NAME) == 0, "%s", lib);
    snprintf(path, sizeof path, "%.*s/libheatmap-rt.so.1", (int)(slash ? slash - lib : 1), lib);
    CHECK(access(path, F_OK) == 0, "no %s beside the export library", path);

    void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL);
    if (h == NULL) {
        printf("FAIL: dlopen %s: %s\n", lib, dlerror());
        return 1;
    }
    hm_export_profiles_fn fn = (hm_export_profiles_fn)dlsym(h, HM_EXPORT_PROFILES_SYMBOL);
    CHECK(fn != NULL, "no %s", HM_EXPORT_PROFILES_SYMBOL);
    if (fn == NULL)
        return 1;
    const char *hidden[] = {"hm_export_run_type",
                            "hm_pprof_encode_cpu",
                            "hm_paths_load",
                            "hm_cpu_profile_load_many",
                            "hm_results_load",
                            "hm_heat_rgb",
                            "perftools__profiles__profile__pack"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++)
        CHECK(dlsym(h, hidden[i]) == NULL, "%s is exported", hidden[i]);

    /* Three types, three files. */
    snprintf(pattern, sizeof pattern, "%s/app.%%k.pb.gz", work);
    err[0] = '\0';
    int rc = fn(results, "cpu,block, mutex", pattern, err, sizeof err);
    CHECK(rc == 0, "rc %d: %s", rc, err);
    const char *types[] = {"cpu", "block", "mutex"};
    for (int i = 0; i < 3; i++) {
        snprintf(path, sizeof path, "%s/app.%s.pb.gz", work, types[i]);
        CHECK(is_gzip(path), "%s missing or not gzip", path);
    }

    /* Two types need %k. */
    snprintf(pattern, sizeof pattern, "%s/one.pb.gz", work);
    err[0] = '\0';
    rc = fn(results, "cpu,block", pattern, err, sizeof err);
    CHECK(rc == -1, "rc %d", rc);
    CHECK(strstr(err, "has no %k") != NULL && strstr(err, "2 types") != NULL &&
              strstr(err, "one.pb.gz") != NULL && strchr(err, '\n') == NULL,
          "message: %s", err);
    CHECK(access(pattern, F_OK) != 0, "%s was written", pattern);
    /* ...but one type does not. */
    rc = fn(results, "block", pattern, err, sizeof err);
    CHECK(rc == 0 && is_gzip(pattern), "rc %d: %s", rc, err);

    /* Unknown type: nothing written. */
    snprintf(pattern, sizeof pattern, "%s/bad.%%k.pb.gz", work);
    rc = fn(results, "cpu,heapz", pattern, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "'heapz' is unknown") != NULL, "rc %d: %s", rc, err);
    snprintf(path, sizeof path, "%s/bad.cpu.pb.gz", work);
    CHECK(access(path, F_OK) != 0, "%s was written", path);

    /* A missing results file: the message names the type and the file. */
    rc = fn("/nonexistent/heatmap.json", "mutex", pattern, err, sizeof err);
    CHECK(rc == -1 && strstr(err, "mutex profile") != NULL &&
              strstr(err, "/nonexistent/heatmap.json") != NULL,
          "rc %d: %s", rc, err);
    snprintf(path, sizeof path, "%s/bad.mutex.pb.gz", work);
    CHECK(access(path, F_OK) != 0, "%s was written", path);

    /* A small error buffer is not overrun. */
    char tiny[8];
    memset(tiny, 'x', sizeof tiny);
    rc = fn(results, "nope", pattern, tiny, 4);
    CHECK(rc == -1 && tiny[3] == '\0' && tiny[4] == 'x', "tiny buffer: %.8s", tiny);

    dlclose(h);
    if (failures == 0)
        printf("ok: %s\n", lib);
    return failures != 0;
}
