/* Helpers shared by the export unit tests (include after <cmocka.h>). */
#ifndef HEATMAP_TESTS_EXPORT_TEST_H
#define HEATMAP_TESTS_EXPORT_TEST_H

#include "hm_paths.h"

#include <stdio.h>

#ifndef HM_FIXTURES
#error "HM_FIXTURES must name tests/export/fixtures"
#endif

/* Load tests/export/fixtures/NAME's call paths; fails the test with the loader's message. */
static inline hm_paths *load_fixture(const char *name) {
    char path[1024], err[1024] = "";
    snprintf(path, sizeof path, "%s/%s", HM_FIXTURES, name);
    hm_paths *p = NULL;
    if (hm_paths_load(path, &p, err, sizeof err) != 0)
        fail_msg("%s", err);
    return p;
}

#endif /* HEATMAP_TESTS_EXPORT_TEST_H */
