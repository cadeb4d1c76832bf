/* The round trip: the allowlist `heatmap-scan --write` proposes, given to the plugin, instruments
 * exactly the functions it lists.
 *
 * For a cap of 4 patterns and for no effective cap, the test writes the proposal from the clean
 * fixtures, compiles them with clang -fpass-plugin=heatmap.so and HEATMAP_CONFIG pointing at the
 * proposal, and compares the plugin's report (HEATMAP_REPORT: one JSON line per function, with
 * "instrumented") with what the scan expects: the scanned functions (a template's
 * instantiations, by name) that the written config selects and that are not trivial by the
 * scan's estimate of the plugin's rule. Both ways: nothing instrumented that was not listed, and
 * nothing listed that was not instrumented.
 */
#include "scan_test_util.h"

#include "../common/test_main.h"

#include "hm_config.h"

#include <jansson.h>

#include <stdlib.h>
#include <string.h>

static const char *const files[] = {"main.c", "util.c", "shapes.cpp"};
enum { NFILES = 3 };

typedef struct name_set {
    char **names;
    size_t count;
} name_set;

static void set_add(name_set *s, const char *name) {
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->names[i], name) == 0)
            return;
    s->names = realloc(s->names, (s->count + 1) * sizeof *s->names);
    assert_non_null(s->names);
    s->names[s->count++] = strdup(name);
}

static bool set_has(const name_set *s, const char *name) {
    for (size_t i = 0; i < s->count; i++)
        if (strcmp(s->names[i], name) == 0)
            return true;
    return false;
}

static void set_free(name_set *s) {
    for (size_t i = 0; i < s->count; i++)
        free(s->names[i]);
    free(s->names);
}

/* What the scan says the plugin will instrument under `config`. */
static name_set expected_functions(const hm_scan_result *r, const hm_config *config) {
    name_set s = {0};
    unsigned threshold = hm_config_trivial_threshold(config);
    for (size_t i = 0; i < r->count; i++) {
        const hm_scan_function *fn = &r->functions[i];
        size_t n = fn->is_template ? fn->ninstances : 1;
        for (size_t j = 0; j < n; j++) {
            const char *name = fn->is_template ? fn->instances[j] : fn->name;
            hm_selection sel = hm_config_select(config, name, fn->file);
            if (sel.selected && (sel.named_exactly || !hm_scan_is_trivial(fn, threshold)))
                set_add(&s, name);
        }
    }
    return s;
}

/* Compile the fixtures with the plugin and the config; the functions it instrumented. */
static name_set instrumented_functions(const char *dir, const char *config_path) {
    char *report = hm_test_path(dir, "report.jsonl");
    char *object = hm_test_path(dir, "out.o");
    char env_config[4096], env_report[4096];
    snprintf(env_config, sizeof env_config, "HEATMAP_CONFIG=%s", config_path);
    snprintf(env_report, sizeof env_report, "HEATMAP_REPORT=%s", report);
    const char *env[] = {env_config, env_report, NULL};
    for (size_t i = 0; i < NFILES; i++) {
        bool cxx = strstr(files[i], ".cpp") != NULL;
        const char *argv[] = {cxx ? HM_CLANGXX : HM_CLANG,
                              "-fpass-plugin=" HM_PLUGIN,
                              cxx ? "-std=c++17" : "-std=c11",
                              "-O2",
                              "-g",
                              "-I.",
                              "-c",
                              files[i],
                              "-o",
                              object,
                              NULL};
        hm_test_output o = hm_test_run(argv, env, HM_SCAN_FIXTURES);
        if (o.status != 0)
            fail_msg("compiling %s with the plugin failed (%d):\n%s", files[i], o.status, o.err);
        hm_test_output_free(&o);
    }
    char *text = hm_test_read_file(report);
    assert_non_null(text);
    name_set s = {0};
    for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
        json_error_t error;
        json_t *obj = json_loads(line, 0, &error);
        if (obj == NULL)
            fail_msg("bad report line: %s", line);
        if (json_is_true(json_object_get(obj, "instrumented")))
            set_add(&s, json_string_value(json_object_get(obj, "function")));
        json_decref(obj);
    }
    free(text);
    free(report);
    free(object);
    return s;
}

static void round_trip(const char *max, size_t expect_patterns) {
    char *dir = hm_test_tempdir();
    char *config_path = hm_test_path(dir, "heatmap.yaml");
    const char *argv[] = {HM_SCAN_EXE,
                          "-p",
                          HM_SCAN_DB_DIR,
                          "--write",
                          config_path,
                          "--max",
                          max,
                          HM_SCAN_FIXTURES "/main.c",
                          HM_SCAN_FIXTURES "/util.c",
                          HM_SCAN_FIXTURES "/shapes.cpp",
                          NULL};
    hm_test_output o = hm_test_run(argv, NULL, NULL);
    if (o.status != 0)
        fail_msg("heatmap-scan --write failed (%d):\n%s", o.status, o.err);
    hm_test_output_free(&o);

    hm_config *config = NULL;
    hm_config_error err;
    if (hm_config_load_file(config_path, &config, &err) != 0)
        fail_msg("%s", err.message);
    char *yaml = hm_test_read_file(config_path);
    size_t patterns = 0;
    for (const char *p = strstr(yaml, "\n    - "); p != NULL; p = strstr(p + 1, "\n    - "))
        patterns++;
    assert_int_equal(patterns, expect_patterns);

    hm_scan_result scanned = hm_test_scan_fixtures(files, NFILES, 2, NULL);
    name_set expected = expected_functions(&scanned, config);
    name_set actual = instrumented_functions(dir, config_path);
    assert_true(expected.count >= expect_patterns);
    for (size_t i = 0; i < actual.count; i++) {
        if (!set_has(&expected, actual.names[i])) {
            fail_msg("the plugin instrumented '%s', which the allowlist does not list:\n%s",
                     actual.names[i], yaml);
        }
    }
    for (size_t i = 0; i < expected.count; i++) {
        if (!set_has(&actual, expected.names[i])) {
            fail_msg("the allowlist lists '%s' but the plugin did not instrument it:\n%s",
                     expected.names[i], yaml);
        }
    }
    set_free(&expected);
    set_free(&actual);
    hm_scan_result_free(&scanned);
    hm_config_free(config);
    free(yaml);
    hm_test_rmtree(dir);
    free(config_path);
    free(dir);
}

static void test_scan_roundtrip_capped(void **state) {
    round_trip("4", 4);
}

static void test_scan_roundtrip_everything_worth_timing(void **state) {
    /* 21 non-trivial functions and template instances in the three files: the two geo::scale
     * overloads share a pattern, and so do the two instances of geo::Log::operator<< <*>. */
    round_trip("1000", 20);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_scan_roundtrip_capped),
    cmocka_unit_test(test_scan_roundtrip_everything_worth_timing),
})
