/* Helpers shared by heatmap-scan's tests: run a program and capture its output, temporary
 * directories, whole-file reads and writes, and lookups in a scan result.
 *
 * Every helper fails the current cmocka test (fail_msg) rather than returning an error, so tests
 * read as straight-line assertions. Paths of the fixtures and of the built tools come from
 * scan.cmake as compile definitions (HM_SCAN_FIXTURES, HM_SCAN_DB_DIR, HM_SCAN_EXE, ...).
 */
#ifndef HM_SCAN_TEST_UTIL_H
#define HM_SCAN_TEST_UTIL_H

#include "hm_scan.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

/* What a finished program left behind. Free with hm_test_output_free. */
typedef struct hm_test_output {
    int status; /* exit status, or 128 + signal */
    char *out;  /* everything written to stdout */
    char *err;  /* everything written to stderr */
} hm_test_output;

/* Run argv (NULL-terminated; argv[0] a path) in directory `cwd` (NULL: the current one), with the
 * environment plus `env` ("NAME=VALUE" strings, NULL-terminated; may be NULL), stdin from
 * /dev/null. */
hm_test_output hm_test_run(const char *const *argv, const char *const *env, const char *cwd);
void hm_test_output_free(hm_test_output *o);

/* A new empty directory below $TMPDIR (or /tmp); malloc'd path. hm_test_rmtree removes it. */
char *hm_test_tempdir(void);
void hm_test_rmtree(const char *dir);

/* "DIR/NAME", malloc'd. */
char *hm_test_path(const char *dir, const char *name);

void hm_test_write_file(const char *path, const char *text);
/* The whole file as a NUL-terminated string (malloc'd), or NULL when it cannot be read. */
char *hm_test_read_file(const char *path);

/* Scan the database in `dir` (all entries) with `jobs` threads; what the scan prints (clang's
 * errors, warnings) goes into *diagnostics when not NULL (malloc'd). */
hm_scan_result hm_test_scan_database(const char *dir, unsigned jobs, char **diagnostics);

/* The same for the fixture database (all entries when nfiles == 0, else the fixtures named,
 * relative to HM_SCAN_FIXTURES). */
hm_scan_result hm_test_scan_fixtures(const char *const *files, size_t nfiles, unsigned jobs,
                                     char **diagnostics);

/* The function named `name` (the n-th of that name, from 0, in result order), or NULL. */
const hm_scan_function *hm_test_find(const hm_scan_result *r, const char *name, size_t n);
/* How many functions are named `name`. */
size_t hm_test_count(const hm_scan_result *r, const char *name);

/* Whether `haystack` contains `needle`; fails the test with both texts when `expect` differs. */
void hm_test_assert_contains(const char *haystack, const char *needle, int expect);
#define assert_contains(h, n) hm_test_assert_contains((h), (n), 1)
#define assert_not_contains(h, n) hm_test_assert_contains((h), (n), 0)

#endif
