/* A stand-in for libheatmap-export in the sampler's end-to-end test: records its arguments in
 * FAKE_EXPORT_LOG, and fails with a message when FAKE_EXPORT_FAIL is set. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hm_export_profiles_v1(const char *results_path, const char *types, const char *file_pattern,
                          char *err, size_t errsize) {
    const char *log = getenv("FAKE_EXPORT_LOG");
    FILE *f = log ? fopen(log, "w") : NULL;
    if (f) {
        fprintf(f, "results=%s\ntypes=%s\npattern=%s\n", results_path, types, file_pattern);
        fclose(f);
    }
    if (getenv("FAKE_EXPORT_FAIL")) {
        snprintf(err, errsize, "fake exporter: cannot write %s", file_pattern);
        return -1;
    }
    return 0;
}
