/* Helpers shared by the export unit tests (include after <cmocka.h>). */
#ifndef HEATMAP_TESTS_EXPORT_TEST_H
#define HEATMAP_TESTS_EXPORT_TEST_H

#include "hm_paths.h"

#include <stdio.h>
#include <string.h>

#ifndef HM_FIXTURES
#error "HM_FIXTURES must name tests/export/fixtures"
#endif

/* tests/export/fixtures/NAME in path (room for 1024 bytes); returns path. */
static inline const char *fixture_path(char *path, const char *name) {
    snprintf(path, 1024, "%s/%s", HM_FIXTURES, name);
    return path;
}

/* Load and merge the call paths of tests/export/fixtures/NAMES[0..n) (n <= 4); fails the test
 * with the loader's message. */
static inline hm_paths *load_fixtures(const char *const *names, size_t n) {
    char paths[4][1024], err[1024] = "";
    const char *files[4];
    assert_true(n <= 4);
    for (size_t i = 0; i < n; i++)
        files[i] = fixture_path(paths[i], names[i]);
    hm_paths *p = NULL;
    if (hm_paths_load_many(files, n, &p, err, sizeof err) != 0)
        fail_msg("%s", err);
    return p;
}

/* Load tests/export/fixtures/NAME's call paths; fails the test with the loader's message. */
static inline hm_paths *load_fixture(const char *name) {
    return load_fixtures(&name, 1);
}

/* A loader's error: it names the input first ("NAME: ...") and contains `fragment`. */
static inline void expect_error_naming(const char *err, const char *name, const char *fragment) {
    size_t n = strlen(name);
    if (strncmp(err, name, n) != 0 || strncmp(err + n, ": ", 2) != 0 ||
        strstr(err, fragment) == NULL)
        fail_msg("expected an error naming %s and containing '%s', got '%s'", name, fragment, err);
}

/* load(input, &out, err, errlen), a loader of T objects, fails on `input`: -1, no T, and an error
 * naming `name` and containing `fragment`. */
#define EXPECT_LOAD_ERROR(load, T, input, name, fragment)                                          \
    do {                                                                                           \
        char err_[1024] = "";                                                                      \
        T *out_ = NULL;                                                                            \
        assert_int_equal(load(input, &out_, err_, sizeof err_), -1);                               \
        assert_null(out_);                                                                         \
        expect_error_naming(err_, name, fragment);                                                 \
    } while (0)

#endif /* HEATMAP_TESTS_EXPORT_TEST_H */
