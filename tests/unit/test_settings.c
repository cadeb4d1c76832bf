/* Unit tests of the runtime settings (include/heatmap/settings.h): the validators, the precedence
 * rule, the embedded text and the walk over records; the runtime applying the records this test
 * program carries in its own heatmap_settings section under the environment ctest gives it
 * (tests/unit/runtime.cmake: HEATMAP_OUTPUT and HEATMAP_SIGNALS set); the profile types agreeing
 * with runtime/profiles.c; and docs/config.md listing every setting.
 *
 * Expectations are written out by hand: the records' values, the rows the docs must hold, the
 * bytes of a walk with padding.
 */
#define _GNU_SOURCE
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/test_main.h"

#include "heatmap/settings.h"
#include "rt.h"

/* ---- Records in this program's own heatmap_settings section ---------------------------------
 * As the plugin emits them (abi.h): the runtime's constructor reads them before main. The first
 * in link order applies; which of the two that is, the test asks the linker (their addresses). */

#define TEXT_A                                                                                     \
    "#config=/a/heatmap.yaml\nHEATMAP_OUTPUT=embedded-a.json\nHEATMAP_PATHS_MAX=1\n"               \
    "HEATMAP_THREADS_MAX=7\nHEATMAP_SIGNALS=on\nHEATMAP_TRACE_EVENTS=4096\n"
#define TEXT_B                                                                                     \
    "#config=/b/heatmap.yaml\nHEATMAP_PATHS_MAX=0\nHEATMAP_THREADS_MAX=9\n"                        \
    "HEATMAP_TRACE_EVENTS=2048\n"

__attribute__((used, section("heatmap_settings"), aligned(4))) static const struct {
    uint32_t version, size;
    char text[sizeof TEXT_A];
} record_a = {HM_SETTINGS_VERSION, sizeof TEXT_A, TEXT_A};

__attribute__((used, section("heatmap_settings"), aligned(4))) static const struct {
    uint32_t version, size;
    char text[sizeof TEXT_B];
} record_b = {HM_SETTINGS_VERSION, sizeof TEXT_B, TEXT_B};

static void test_settings_runtime_applies_the_first_record_then_the_environment(void **state) {
    (void)state;
    assert_true(hm_runtime_init());
    bool a_first = (const void *)&record_a < (const void *)&record_b;
    /* Embedded, from the first record only (the other's values are not mixed in). */
    assert_int_equal(hm_rt.threads_max, a_first ? 7 : 9);
    assert_int_equal(hm_rt.trace_events, a_first ? 4096 : 2048);
    /* An invalid embedded value (both records have one) is ignored: the default (65536 nodes). */
    assert_int_equal(hm_rt.paths_max, 65536);
    /* The environment wins over the embedded value (runtime.cmake sets HEATMAP_OUTPUT). */
    const char *env = getenv("HEATMAP_OUTPUT");
    assert_non_null(env);
    assert_string_equal(hm_rt.output_pattern, env);
    /* Not set anywhere: the default. */
    assert_true(hm_rt.compensate);
    assert_false(hm_rt.trace);
}

/* ---- Validators --------------------------------------------------------------------------------
 */

static void test_settings_parse_bool(void **state) {
    (void)state;
    const char *const on[] = {"on", "ON", "1", "true", "True", "yes", "YES"};
    const char *const off[] = {"off", "Off", "0", "false", "no", "NO"};
    const char *const neither[] = {"", "2", "onn", "of", "y", "n", "\x11", "enabled", "yes "};
    for (size_t i = 0; i < sizeof on / sizeof *on; i++)
        assert_int_equal(hm_settings_parse_bool(on[i]), 1);
    for (size_t i = 0; i < sizeof off / sizeof *off; i++)
        assert_int_equal(hm_settings_parse_bool(off[i]), 0);
    for (size_t i = 0; i < sizeof neither / sizeof *neither; i++)
        assert_int_equal(hm_settings_parse_bool(neither[i]), -1);
}

static void test_settings_parse_uint(void **state) {
    (void)state;
    uint32_t n = 0;
    assert_true(hm_settings_parse_uint("2", 2, 16777216, &n));
    assert_int_equal(n, 2);
    assert_true(hm_settings_parse_uint("16777216", 2, 16777216, &n));
    assert_int_equal(n, 16777216);
    assert_false(hm_settings_parse_uint("1", 2, 16777216, &n));
    assert_false(hm_settings_parse_uint("16777217", 2, 16777216, &n));
    assert_false(hm_settings_parse_uint("99999999999999999999", 0, UINT32_MAX, &n));
    assert_false(hm_settings_parse_uint("", 0, 10, &n));
    assert_false(hm_settings_parse_uint("-1", 0, 10, &n));
    assert_false(hm_settings_parse_uint("1e3", 0, 10000, &n));
    assert_false(hm_settings_parse_uint(" 5", 0, 10, &n));
    assert_true(hm_settings_parse_uint("0", 0, 65535, NULL));
    assert_true(hm_settings_parse_uint("65535", 0, 65535, NULL));
    assert_false(hm_settings_parse_uint("65536", 0, 65535, NULL));
}

static void test_settings_lists(void **state) {
    (void)state;
    assert_true(hm_settings_in_list("auto|tsc|monotonic", "tsc", 3));
    assert_false(hm_settings_in_list("auto|tsc|monotonic", "ts", 2));
    assert_false(hm_settings_in_list("auto|tsc|monotonic", "", 0));
    assert_true(hm_settings_in_list("cpu, block, mutex", "mutex", 5));
    assert_false(hm_settings_in_list("cpu, block, mutex", "cpu, block", 10));
    size_t len = 0;
    assert_null(hm_settings_list_unknown(HM_SETTINGS_PROFILE_TYPES, " cpu ,,heap, trace", &len));
    const char *bad = hm_settings_list_unknown(HM_SETTINGS_PROFILE_TYPES, "cpu, cpus ,heap", &len);
    assert_non_null(bad);
    assert_int_equal(len, 4);
    assert_memory_equal(bad, "cpus", 4);
}

static const hm_setting_def *def(hm_setting_id id) {
    return &hm_settings_defs[id];
}

static void test_settings_check_by_kind(void **state) {
    (void)state;
    static const struct {
        hm_setting_id id;
        const char *value;
        bool strict;
        hm_setting_problem want;
    } cases[] = {
        {HM_SETTING_ID_SUMMARY, "maybe", false, HM_SETTING_BAD_VALUE},
        {HM_SETTING_ID_SUMMARY, "On", false, HM_SETTING_OK},
        {HM_SETTING_ID_CPU_HZ, "10000", false, HM_SETTING_OK},
        {HM_SETTING_ID_CPU_HZ, "10001", false, HM_SETTING_BAD_VALUE},
        {HM_SETTING_ID_CPU_HZ, "0", false, HM_SETTING_BAD_VALUE},
        {HM_SETTING_ID_CLOCK, "monotonic", false, HM_SETTING_OK},
        {HM_SETTING_ID_CLOCK, "fast", false, HM_SETTING_BAD_VALUE},
        {HM_SETTING_ID_OUTPUT, "", false, HM_SETTING_EMPTY},
        {HM_SETTING_ID_EXPORT_LIB, "", false, HM_SETTING_OK},
        /* A port and a profile-type list are text to the runtime's reader; strict: their rule. */
        {HM_SETTING_ID_PROFILER_PORT, "http", false, HM_SETTING_OK},
        {HM_SETTING_ID_PROFILER_PORT, "http", true, HM_SETTING_BAD_VALUE},
        {HM_SETTING_ID_PROFILER_PORT, "0", true, HM_SETTING_OK},
        {HM_SETTING_ID_PROFILE_TYPE, "cpu,bogus", false, HM_SETTING_OK},
        {HM_SETTING_ID_PROFILE_TYPE, "cpu,bogus", true, HM_SETTING_BAD_ITEM},
        {HM_SETTING_ID_PROFILE_TYPE, "", true, HM_SETTING_OK},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        hm_setting_problem got =
            hm_settings_check(def(cases[i].id), cases[i].value, cases[i].strict);
        if (got != cases[i].want)
            fail_msg("%s=\"%s\"%s: problem %d, expected %d", def(cases[i].id)->variable,
                     cases[i].value, cases[i].strict ? " (strict)" : "", (int)got,
                     (int)cases[i].want);
    }
    char long_path[1100];
    memset(long_path, 'x', 1024);
    long_path[1024] = '\0';
    assert_int_equal(hm_settings_check(def(HM_SETTING_ID_OUTPUT), long_path, false),
                     HM_SETTING_TOO_LONG);
    long_path[1023] = '\0';
    assert_int_equal(hm_settings_check(def(HM_SETTING_ID_OUTPUT), long_path, false), HM_SETTING_OK);
}

static void test_settings_resolve_precedence(void **state) {
    (void)state;
    const hm_setting_def *d = def(HM_SETTING_ID_CPU_HZ);
    hm_setting_source src;
    unsigned refused;
    assert_string_equal(hm_settings_resolve(d, NULL, NULL, &src, &refused), "100");
    assert_int_equal(src, HM_SETTING_FROM_DEFAULT);
    assert_int_equal(refused, 0);
    assert_string_equal(hm_settings_resolve(d, "250", NULL, &src, &refused), "250");
    assert_int_equal(src, HM_SETTING_FROM_EMBEDDED);
    assert_string_equal(hm_settings_resolve(d, "250", "1000", &src, &refused), "1000");
    assert_int_equal(src, HM_SETTING_FROM_ENVIRONMENT);
    assert_int_equal(refused, 0);
    /* A refused environment value leaves the embedded one; a refused embedded one the default. */
    assert_string_equal(hm_settings_resolve(d, "250", "0", &src, &refused), "250");
    assert_int_equal(src, HM_SETTING_FROM_EMBEDDED);
    assert_int_equal(refused, HM_SETTING_ENVIRONMENT_REFUSED);
    assert_string_equal(hm_settings_resolve(d, "0", "x", &src, &refused), "100");
    assert_int_equal(src, HM_SETTING_FROM_DEFAULT);
    assert_int_equal(refused, HM_SETTING_ENVIRONMENT_REFUSED | HM_SETTING_EMBEDDED_REFUSED);
    assert_string_equal(hm_settings_resolve(d, "0", "50", &src, &refused), "50");
    assert_int_equal(src, HM_SETTING_FROM_ENVIRONMENT);
    assert_int_equal(refused, HM_SETTING_EMBEDDED_REFUSED);
}

/* ---- The embedded text and the walk ------------------------------------------------------------
 */

static void test_settings_text(void **state) {
    (void)state;
    const char *t = "#config=/p/heatmap.yaml\nHEATMAP_OUTPUT=o.json\nHEATMAP=off\nHEATMAP_X=1";
    size_t len = 0;
    const char *v = hm_settings_text_find(t, "HEATMAP", &len);
    assert_non_null(v);
    assert_int_equal(len, 3);
    assert_memory_equal(v, "off", 3);
    v = hm_settings_text_find(t, "HEATMAP_OUTPUT", &len);
    assert_int_equal(len, 6);
    assert_memory_equal(v, "o.json", 6);
    v = hm_settings_text_find(t, "#config", &len);
    assert_int_equal(len, 15);
    assert_memory_equal(v, "/p/heatmap.yaml", 15);
    v = hm_settings_text_find(t, "HEATMAP_X", &len); /* the last line has no '\n' */
    assert_int_equal(len, 1);
    assert_null(hm_settings_text_find(t, "HEATMAP_OUT", &len));
    /* Same settings whatever the config lines say; any value or line more or less differs. */
    assert_true(hm_settings_text_same("#config=/a\nHEATMAP=off\n", "#config=/b\nHEATMAP=off\n"));
    assert_false(hm_settings_text_same("#config=/a\nHEATMAP=off\n", "#config=/a\nHEATMAP=on\n"));
    assert_false(hm_settings_text_same("HEATMAP=off\n", "HEATMAP=off\nHEATMAP_TRACE=on\n"));
    assert_false(hm_settings_text_same("HEATMAP=off\nX=1\n", "HEATMAP=off\n"));
}

static void test_settings_walk(void **state) {
    (void)state;
    /* Two records as a linker lays them out: 8 + 3 bytes, padding to 12, then 8 + 5 (a record of
     * version 7), padding, then a version-1 record. */
    static const unsigned char section[] = {
        1, 0, 0, 0, 3, 0, 0, 0, 'a', 'b', 0,   0,               /* version 1, "ab" */
        0, 0, 0, 0,                                             /* zero padding */
        7, 0, 0, 0, 5, 0, 0, 0, 'x', 'y', 'z', 'w', 0, 0, 0, 0, /* version 7 */
        1, 0, 0, 0, 2, 0, 0, 0, 'c', 0,   0,   0,               /* version 1, "c" */
    };
    hm_settings_walk w = {section, sizeof section, 0, NULL};
    uint32_t version = 0;
    const char *t = hm_settings_next(&w, &version);
    assert_non_null(t);
    assert_int_equal(version, 1);
    assert_string_equal(t, "ab");
    t = hm_settings_next(&w, &version);
    assert_int_equal(version, 7);
    assert_string_equal(t, "xyzw");
    t = hm_settings_next(&w, &version);
    assert_int_equal(version, 1);
    assert_string_equal(t, "c");
    assert_null(hm_settings_next(&w, &version));
    assert_null(w.error);

    /* A size beyond the section, and text without its NUL: the walk stops with an error. */
    static const unsigned char too_long[] = {1, 0, 0, 0, 9, 0, 0, 0, 'a', 0, 0, 0};
    hm_settings_walk w2 = {too_long, sizeof too_long, 0, NULL};
    assert_null(hm_settings_next(&w2, &version));
    assert_non_null(w2.error);
    static const unsigned char no_nul[] = {1, 0, 0, 0, 4, 0, 0, 0, 'a', 'b', 'c', 'd'};
    hm_settings_walk w3 = {no_nul, sizeof no_nul, 0, NULL};
    assert_null(hm_settings_next(&w3, &version));
    assert_non_null(w3.error);
    /* Fewer than 8 bytes: nothing. */
    hm_settings_walk w4 = {section, 7, 0, NULL};
    assert_null(hm_settings_next(&w4, &version));
    assert_null(w4.error);
}

/* ---- Agreement with runtime/profiles.c and docs/config.md -------------------------------------
 */

static void test_settings_profile_types_agree_with_the_runtime(void **state) {
    (void)state;
    /* Every type settings.h accepts is one the runtime knows, and in the same order. */
    char out[512], expected[512];
    size_t n = 0;
    for (const char *p = HM_SETTINGS_PROFILE_TYPES; *p; p++)
        if (*p != ' ')
            expected[n++] = *p;
    expected[n] = '\0';
    hm_profile_types_parse(HM_SETTINGS_PROFILE_TYPES, out, sizeof out);
    assert_string_equal(out, expected);
    /* ... and a type outside the list is not. */
    hm_profile_types_parse("cpus", out, sizeof out);
    assert_string_equal(out, "");
}

/* docs/config.md has one row per setting: | `KEY` | `VARIABLE` | `DEFAULT` or (none) | ... |,
 * and no row for a variable that is not a setting. */
static void test_settings_docs_list_every_setting(void **state) {
    (void)state;
    FILE *f = fopen(HM_SOURCE_DIR "/docs/config.md", "r");
    assert_non_null(f);
    bool found[HM_SETTINGS_COUNT] = {false};
    char line[4096];
    while (fgets(line, sizeof line, f) != NULL) {
        char key[64], var[64], fallback[128];
        if (sscanf(line, "| `%63[^`]` | `%63[^`]` | %127[^|]|", key, var, fallback) != 3 ||
            strncmp(var, "HEATMAP", 7) != 0 || strncmp(var, "HEATMAP_VIEW_", 13) == 0)
            continue;
        size_t len = strlen(fallback);
        while (len > 0 && fallback[len - 1] == ' ')
            fallback[--len] = '\0';
        size_t i = 0;
        while (i < HM_SETTINGS_COUNT && strcmp(hm_settings_defs[i].variable, var) != 0)
            i++;
        if (i == HM_SETTINGS_COUNT)
            fail_msg("docs/config.md: a row for %s, which is not a runtime setting", var);
        const hm_setting_def *d = &hm_settings_defs[i];
        char want[140];
        snprintf(want, sizeof want, d->fallback[0] ? "`%s`" : "(none)", d->fallback);
        if (strcmp(key, d->key) != 0 || strcmp(fallback, want) != 0)
            fail_msg("docs/config.md: %s's row says key `%s`, default %s; settings.h: `%s`, %s",
                     var, key, fallback, d->key, want);
        if (found[i])
            fail_msg("docs/config.md: %s has two rows", var);
        found[i] = true;
    }
    fclose(f);
    for (size_t i = 0; i < HM_SETTINGS_COUNT; i++)
        if (!found[i])
            fail_msg("docs/config.md: no row | `%s` | `%s` | ... for this runtime setting",
                     hm_settings_defs[i].key, hm_settings_defs[i].variable);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_settings_runtime_applies_the_first_record_then_the_environment),
    cmocka_unit_test(test_settings_parse_bool),
    cmocka_unit_test(test_settings_parse_uint),
    cmocka_unit_test(test_settings_lists),
    cmocka_unit_test(test_settings_check_by_kind),
    cmocka_unit_test(test_settings_resolve_precedence),
    cmocka_unit_test(test_settings_text),
    cmocka_unit_test(test_settings_walk),
    cmocka_unit_test(test_settings_profile_types_agree_with_the_runtime),
    cmocka_unit_test(test_settings_docs_list_every_setting),
})
