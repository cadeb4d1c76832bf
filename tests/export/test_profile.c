/* Unit tests of results/profile_load.c: the cpu_profile section (valid, merged across files,
 * pcs outside every mapping counted) and its validation errors, which name the file and the
 * entry; and of the call-path loader's 11-element nodes (wait, block and mutex figures merged by
 * path), which the block and mutex profiles read.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "hm_paths.h"
#include "hm_profile.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A results file around a cpu_profile body: {"version": 1, ..., "cpu_profile": BODY}. */
static char *results_with(const char *body) {
    static char buf[8192];
    snprintf(buf, sizeof buf,
             "{\"version\": 1, \"program\": \"/bin/app\", \"elapsed_ns\": 5000, "
             "\"start_unix_ns\": 77, \"cpu_profile\": %s}",
             body);
    return buf;
}

#define VALID                                                                                      \
    "{\"hz\": 100, \"period_ns\": 10000000, \"samples_dropped\": 2, "                              \
    "\"mappings\": [{\"id\": 1, \"start\": 4096, \"limit\": 8192, \"offset\": 0, "                 \
    "\"file\": \"/bin/app\", \"build_id\": \"ab\"}, {\"id\": 2, \"start\": 65536, \"limit\": "     \
    "69632, \"offset\": 4096, \"file\": \"/lib/x.so\", \"build_id\": \"\"}], "                     \
    "\"functions\": [[7, \"work\", \"app.c\", 12], [3, \"run\", \"app.c\", 40]], "                 \
    "\"samples\": [{\"count\": 12, \"pcs\": [5000, 66000, 9], \"stack\": [7, 3]}, "                \
    "{\"count\": 1, \"pcs\": [], \"stack\": []}]}"

static void test_profile_load_valid(void **state) {
    (void)state;
    const char *text = results_with(VALID);
    hm_cpu_profile *p = NULL;
    char err[512] = "";
    assert_int_equal(hm_cpu_profile_load_buffer(text, strlen(text), "a.json", &p, err, sizeof err),
                     0);
    assert_int_equal(p->hz, 100);
    assert_int_equal(p->period_ns, 10000000);
    assert_int_equal(p->samples_dropped, 2);
    assert_int_equal(p->nmappings, 2);
    assert_string_equal(p->mappings[1].file, "/lib/x.so");
    assert_int_equal(p->mappings[1].offset, 4096);
    assert_int_equal(p->nfunctions, 2);
    assert_int_equal(p->nsamples, 2);
    const hm_cpu_sample *s = &p->samples[0];
    assert_int_equal(s->count, 12);
    assert_int_equal(s->npcs, 3);
    assert_int_equal(s->mapping[0], 0);              /* 5000 in [4096, 8192) */
    assert_int_equal(s->mapping[1], 1);              /* 66000 in [65536, 69632) */
    assert_true(s->mapping[2] == HM_CPU_NO_MAPPING); /* 9: outside, allowed */
    assert_int_equal(p->unmapped_pcs, 1);
    assert_int_equal(s->nstack, 2);
    assert_string_equal(p->functions[s->stack[0]].name, "work");
    assert_string_equal(p->functions[s->stack[1]].name, "run");
    assert_int_equal(p->functions[s->stack[1]].line, 40);
    assert_int_equal(hm_cpu_profile_total_samples(p), 13);
    assert_int_equal(p->elapsed_ns, 5000);
    assert_string_equal(p->program, "/bin/app");
    hm_cpu_profile_free(p);
}

static void test_profile_load_many_appends(void **state) {
    (void)state;
    char path[] = "/tmp/hm_test_profile_XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    fputs(results_with(VALID), f);
    fclose(f);
    const char *files[] = {path, path};
    hm_cpu_profile *p = NULL;
    char err[512] = "";
    assert_int_equal(hm_cpu_profile_load_many(files, 2, &p, err, sizeof err), 0);
    assert_int_equal(p->nfiles, 2);
    assert_int_equal(p->nsamples, 4);
    assert_int_equal(p->nmappings, 4);
    assert_int_equal(p->samples_dropped, 4);
    assert_int_equal(hm_cpu_profile_total_samples(p), 26);
    /* the second file's ids resolve to its own entries */
    assert_int_equal(p->samples[2].mapping[0], 2);
    assert_string_equal(p->functions[p->samples[2].stack[0]].name, "work");
    assert_true(p->samples[2].stack[0] >= 2);
    hm_cpu_profile_free(p);
    remove(path);
}

/* Load `body` and expect failure with `want` in the message (which names the file). */
static void expect_error(const char *body, const char *want) {
    const char *text = results_with(body);
    hm_cpu_profile *p = (hm_cpu_profile *)1;
    char err[512] = "";
    assert_int_equal(
        hm_cpu_profile_load_buffer(text, strlen(text), "bad.json", &p, err, sizeof err), -1);
    assert_null(p);
    if (strstr(err, want) == NULL || strncmp(err, "bad.json: ", 10) != 0)
        fail_msg("message '%s' lacks '%s'", err, want);
}

static void test_profile_errors(void **state) {
    (void)state;
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [], "
                 "\"functions\": [], \"samples\": [{\"count\": 1, \"pcs\": [], \"stack\": [9]}]}",
                 "cpu_profile.samples[0].stack[0]: function id 9 is not in cpu_profile.functions");
    expect_error("{\"hz\": 100, \"period_ns\": -5, \"samples_dropped\": 0, \"mappings\": [], "
                 "\"functions\": [], \"samples\": []}",
                 "cpu_profile.period_ns: expected a non-negative integer");
    expect_error("{\"hz\": 100, \"samples_dropped\": 0, \"mappings\": [], \"functions\": [], "
                 "\"samples\": []}",
                 "cpu_profile: missing key \"period_ns\"");
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [{\"id\": "
                 "1, \"start\": 10, \"limit\": 10, \"offset\": 0, \"file\": \"x\", \"build_id\": "
                 "\"\"}], \"functions\": [], \"samples\": []}",
                 "cpu_profile.mappings[0]: start 10 is not below limit 10");
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [{\"id\": "
                 "1, \"start\": 1, \"limit\": 10, \"offset\": 0, \"file\": \"x\"}], "
                 "\"functions\": [], \"samples\": []}",
                 "cpu_profile.mappings[0]: missing or non-string \"build_id\"");
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [], "
                 "\"functions\": [[1, \"a\", \"f.c\"]], \"samples\": []}",
                 "cpu_profile.functions[0]: expected [id, \"name\", \"file\", line]");
    expect_error(
        "{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [], "
        "\"functions\": [[1, \"a\", \"f.c\", 1], [1, \"b\", \"f.c\", 2]], \"samples\": []}",
        "cpu_profile.functions: id 1 is used twice");
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [], "
                 "\"functions\": [], \"samples\": [{\"count\": 0, \"pcs\": [], \"stack\": []}]}",
                 "cpu_profile.samples[0]: count is 0");
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [], "
                 "\"functions\": [], \"samples\": [{\"count\": 1, \"pcs\": [-1], \"stack\": []}]}",
                 "cpu_profile.samples[0].pcs[0]: expected a non-negative integer");
    expect_error("{\"hz\": 100, \"period_ns\": 1, \"samples_dropped\": 0, \"mappings\": [], "
                 "\"functions\": [], \"samples\": [{\"count\": 1, \"stack\": []}]}",
                 "cpu_profile.samples[0]: missing or non-array \"pcs\"");
    expect_error("[]", "cpu_profile: expected an object");

    const char *none = "{\"version\": 1, \"functions\": []}";
    hm_cpu_profile *p = NULL;
    char err[512] = "";
    assert_int_equal(hm_cpu_profile_load_buffer(none, strlen(none), "x.json", &p, err, sizeof err),
                     -1);
    assert_non_null(strstr(err, "x.json: no \"cpu_profile\" in this file"));
}

HM_TEST_MAIN({
    cmocka_unit_test(test_profile_load_valid),
    cmocka_unit_test(test_profile_load_many_appends),
    cmocka_unit_test(test_profile_errors),
})
