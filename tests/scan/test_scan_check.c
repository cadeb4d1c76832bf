/* Tests of `heatmap-scan --check` as a library call (hm_scan_check): every finding, its wording
 * and line, the count it returns, and syntax errors worded exactly as the config library (and so
 * the plugin) words them. The fixtures (main.c, util.c, shapes.cpp) are scanned once.
 */
#include "scan_test_util.h"

#include "hm_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static hm_scan_result scanned;
static char *dir;

static int setup(void **state) {
    const char *files[] = {"main.c", "util.c", "shapes.cpp"};
    scanned = hm_test_scan_fixtures(files, 3, 2, NULL);
    dir = hm_test_tempdir();
    return scanned.files_failed == 0 ? 0 : -1;
}

static int teardown(void **state) {
    hm_scan_result_free(&scanned);
    hm_test_rmtree(dir);
    free(dir);
    return 0;
}

/* Write `yaml` as DIR/heatmap.yaml, check it, return the report; *count gets the result. */
static char *check(const char *yaml, int *count, char **path_out) {
    char *path = hm_test_path(dir, "heatmap.yaml");
    hm_test_write_file(path, yaml);
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    *count = hm_scan_check(path, &scanned, out);
    fclose(out);
    if (path_out != NULL)
        *path_out = path;
    else
        free(path);
    return text;
}

/* Check `yaml`, which must give exactly one finding (or error), whose report contains `needle`. */
static void check_one(const char *yaml, const char *needle) {
    int n;
    char *out = check(yaml, &n, NULL);
    assert_int_equal(n, 1);
    assert_contains(out, needle);
    free(out);
}

/* Check `yaml`, which must give `count` findings, each reported as "PATH" + its entry of
 * `findings` (NULL-terminated), in that order and nothing else. */
static void check_report(const char *yaml, int count, const char *const *findings) {
    char *path;
    int n;
    char *out = check(yaml, &n, &path);
    assert_int_equal(n, count);
    char expected[2048] = "";
    for (size_t i = 0; findings[i] != NULL; i++) {
        size_t used = strlen(expected);
        snprintf(expected + used, sizeof expected - used, "%s%s", path, findings[i]);
    }
    assert_string_equal(out, expected);
    free(out);
    free(path);
}

static void test_scan_check_clean_config(void **state) {
    int n;
    char *out = check("version: 1\n"
                      "functions:\n"
                      "  include: [util_sum, 'geo::Shape::area', 'geo::largest<*>', main]\n"
                      "files:\n"
                      "  include: ['**/*.c', '**/*.cpp']\n",
                      &n, NULL);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    free(out);
}

static void test_scan_check_syntax_error_as_config_library(void **state) {
    const char *yaml = "functions:\n  inclde: [a]\n";
    char *path;
    int n;
    char *out = check(yaml, &n, &path);
    assert_int_equal(n, 1);
    hm_config *config = NULL;
    hm_config_error err;
    assert_int_equal(hm_config_load_file(path, &config, &err), -1);
    char *expected = malloc(strlen(err.message) + 2);
    sprintf(expected, "%s\n", err.message);
    assert_string_equal(out, expected);
    assert_contains(out,
                    ":2:3: error: unknown key 'inclde' in 'functions'; did you mean 'include'?");
    free(expected);
    free(out);

    /* Malformed YAML and an invalid glob too. */
    check_one("functions:\n  include: [a, b\n", "error: did not find expected ',' or ']'");
    check_one("functions:\n  include: ['parse_[a']\n",
              ":2:13: error: invalid pattern 'parse_[a' in 'functions.include': "
              "unterminated '['");
    free(path);
}

static void test_scan_check_unmatched_patterns(void **state) {
    check_report("functions:\n"
                 "  include:\n"
                 "    - util_*\n"
                 "    - nothing_here_*\n"
                 "  exclude: [old_api]\n"
                 "files:\n"
                 "  exclude: ['src/vendor/**', '**/util.c']\n",
                 3,
                 (const char *const[]){
                     ":4: warning: functions.include pattern 'nothing_here_*' matches no "
                     "scanned function\n",
                     ":5: warning: functions.exclude pattern 'old_api' matches no scanned "
                     "function\n",
                     ":7: warning: files.exclude pattern 'src/vendor/**' matches no scanned "
                     "file\n",
                     NULL});
}

static void test_scan_check_template_instances_count_as_matches(void **state) {
    /* geo::Box<int>::set is only an instantiation of geo::Box<T>::set: still a match; named
     * exactly, it is also exempt from the trivial rule, so no finding at all. */
    int n;
    char *out =
        check("functions:\n  include: ['geo::Box<int>::set', 'geo::largest<int>']\n", &n, NULL);
    assert_int_equal(n, 0);
    assert_string_equal(out, "");
    free(out);
}

static void test_scan_check_included_and_excluded(void **state) {
    check_report("functions:\n"
                 "  include: ['util_*', 'geo::*']\n"
                 "  exclude: [util_clamp, 'geo::Shape::*']\n",
                 2,
                 (const char *const[]){
                     ":2: warning: functions.include 'geo::*' and functions.exclude "
                     "'geo::Shape::*' (line 3) both match 5 functions (geo::Shape::Shape, "
                     "geo::Shape::~Shape, geo::Shape::sides and 2 other names); none is "
                     "instrumented\n",
                     ":2: warning: functions.include 'util_*' and functions.exclude 'util_clamp' "
                     "(line 3) both match 1 function (util_clamp); it is not instrumented\n",
                     NULL});

    /* Overloads are one name in the list, two functions in the count. */
    check_one("functions:\n  include: ['geo::*']\n  exclude: ['geo::sc*']\n",
              "(line 3) both match 2 functions (geo::scale); none is instrumented\n");

    /* When the include is the more specific pattern it wins: "instrumented". */
    check_one("functions:\n  include: ['util_sum']\n  exclude: ['util_*']\n",
              ":2: warning: functions.include 'util_sum' and functions.exclude "
              "'util_*' (line 3) both match 1 function (util_sum); it is "
              "instrumented\n");
}

static void test_scan_check_file_rules_conflict(void **state) {
    int n;
    char *out = check("files:\n  include: ['**/*.c']\n  exclude: ['**/util.c']\n", &n, NULL);
    assert_int_equal(n, 1);
    assert_contains(out, ":2: warning: files.include '**/*.c' and files.exclude '**/util.c' "
                         "(line 3) both match ");
    assert_contains(out, "none is instrumented");
    free(out);
}

static void test_scan_check_only_trivial(void **state) {
    check_report("functions:\n  include: ['get_*', util_sum]\n", 1,
                 (const char *const[]){
                     ":2: warning: functions.include pattern 'get_*' selects only trivial "
                     "functions (get_width, get_height), which the plugin skips (no calls, no "
                     "loops, under 10 IR instructions); name them exactly to instrument them "
                     "anyway\n",
                     NULL});

    /* The threshold is the config's: with the rule off there is nothing to report. */
    int n;
    char *out =
        check("functions:\n  include: ['get_*']\ntrivial:\n  max_instructions: 0\n", &n, NULL);
    assert_int_equal(n, 0);
    free(out);
}

static void test_scan_check_unreadable(void **state) {
    char *out = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&out, &len);
    assert_int_equal(hm_scan_check("/nonexistent/heatmap.yaml", &scanned, f), -1);
    fclose(f);
    assert_string_equal(out, "");
    free(out);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_check_clean_config),
        cmocka_unit_test(test_scan_check_syntax_error_as_config_library),
        cmocka_unit_test(test_scan_check_unmatched_patterns),
        cmocka_unit_test(test_scan_check_template_instances_count_as_matches),
        cmocka_unit_test(test_scan_check_included_and_excluded),
        cmocka_unit_test(test_scan_check_file_rules_conflict),
        cmocka_unit_test(test_scan_check_only_trivial),
        cmocka_unit_test(test_scan_check_unreadable),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
