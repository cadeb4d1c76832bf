/* Unit tests for the config library: parsing heatmap.yaml, every diagnostic, selection precedence,
 * file-rule paths, find_upward and the lexical path helpers.
 *
 * Diagnostics are compared as whole strings, line and column included, because editors and CI
 * logs parse them. Tests that need files work in a fresh mkdtemp() directory removed by teardown.
 */
#define _XOPEN_SOURCE 700

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/test_main.h"

#include "config_internal.h"

/* ---- Helpers ------------------------------------------------------------------------------ */

static hm_config *load_ok(const char *yaml) {
    hm_config *config = NULL;
    hm_config_error err = {{0}};
    int rc = hm_config_load_string(yaml, strlen(yaml), "t.yaml", &config, &err);
    if (rc != 0)
        print_error("unexpected error: %s\n", err.message);
    assert_int_equal(rc, 0);
    assert_non_null(config);
    return config;
}

static void assert_load_error(const char *yaml, const char *expected) {
    hm_config *config = (hm_config *)&config; /* must be reset to NULL */
    hm_config_error err = {{0}};
    int rc = hm_config_load_string(yaml, strlen(yaml), "t.yaml", &config, &err);
    assert_int_equal(rc, -1);
    assert_null(config);
    assert_string_equal(err.message, expected);
}

/* assert_load_error for a YAML text made from `yaml_fmt` and one value, with the message made from
 * `expected_fmt` and up to two strings. */
static void assert_value_error(const char *yaml_fmt, const char *value, const char *expected_fmt,
                               const char *a, const char *b) {
    char yaml[256], expected[512];
    snprintf(yaml, sizeof yaml, yaml_fmt, value);
    snprintf(expected, sizeof expected, expected_fmt, a, b);
    assert_load_error(yaml, expected);
}

/* Assert the full outcome of hm_config_select(). */
static void assert_selection(const hm_config *config, const char *function, const char *file,
                             bool selected, hm_reason reason, const char *rule, int line) {
    hm_selection s = hm_config_select(config, function, file);
    if (s.selected != selected || s.reason != reason) {
        print_error("%s in %s: selected=%d reason=%s rule=%s\n", function, file ? file : "(null)",
                    s.selected, hm_reason_name(s.reason), s.rule ? s.rule : "(null)");
    }
    assert_int_equal(s.selected, selected);
    assert_int_equal(s.reason, reason);
    if (rule == NULL) {
        assert_null(s.rule);
    } else {
        assert_non_null(s.rule);
        assert_string_equal(s.rule, rule);
    }
    assert_int_equal(s.rule_line, line);
}

static void write_file(const char *path, const char *text) {
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    assert_int_equal(fclose(f), 0);
}

static char *join(const char *dir, const char *name) {
    size_t n = strlen(dir) + strlen(name) + 2;
    char *path = malloc(n);
    assert_non_null(path);
    snprintf(path, n, "%s/%s", dir, name);
    return path;
}

/* Fixture: a fresh temporary directory in *state, removed (with its contents) afterwards. The
 * working directory is restored too, for tests that chdir. */
typedef struct tmp_fixture {
    char dir[PATH_MAX];
    char *old_cwd;
} tmp_fixture;

static int tmp_setup(void **state) {
    tmp_fixture *fx = calloc(1, sizeof *fx);
    if (fx == NULL)
        return -1;
    char template[] = "/tmp/hm_test_config.XXXXXX";
    /* The real path, so that it equals what getcwd() reports after a chdir into it. */
    if (mkdtemp(template) == NULL || realpath(template, fx->dir) == NULL) {
        free(fx);
        return -1;
    }
    fx->old_cwd = hm_path_current_dir();
    *state = fx;
    return 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw) {
    return remove(path);
}

static int tmp_teardown(void **state) {
    tmp_fixture *fx = *state;
    int rc = 0;
    if (fx->old_cwd != NULL && chdir(fx->old_cwd) != 0)
        rc = -1;
    if (nftw(fx->dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
        rc = -1;
    free(fx->old_cwd);
    free(fx);
    return rc;
}

/* ---- Defaults and schema ------------------------------------------------------------------ */

static void test_config_default_includes_everything(void **state) {
    hm_config *config = hm_config_new_default();
    assert_non_null(config);
    assert_int_equal(hm_config_trivial_threshold(config), 10);
    assert_int_equal(hm_config_instrument_point(config), HM_INSTRUMENT_AFTER_INLINING);
    assert_string_equal(hm_config_source(config), "<default>");
    assert_selection(config, "main", "src/main.c", true, HM_REASON_INCLUDED, NULL, 0);
    assert_selection(config, "ns::A::f", NULL, true, HM_REASON_INCLUDED, NULL, 0);
    assert_false(hm_config_select(config, "main", "src/main.c").named_exactly);
    hm_config_free(config);
}

static void test_config_empty_and_comment_only_files_mean_defaults(void **state) {
    const char *inputs[] = {"",
                            "# nothing here\n\n   # still nothing\n",
                            "---\n",
                            "~\n",
                            "version: 1\n",
                            "functions:\nfiles: ~\ntrivial: null\ninstrument:\n"};
    for (size_t i = 0; i < sizeof inputs / sizeof inputs[0]; i++) {
        hm_config *config = load_ok(inputs[i]);
        assert_int_equal(hm_config_trivial_threshold(config), 10);
        assert_int_equal(hm_config_instrument_point(config), HM_INSTRUMENT_AFTER_INLINING);
        assert_string_equal(hm_config_source(config), "t.yaml");
        assert_selection(config, "anything", "any/where.c", true, HM_REASON_INCLUDED, NULL, 0);
        hm_config_free(config);
    }
}

/* Without an `instrument` key: before inlining when functions.include names functions (those are
 * wanted at every source-level call), after inlining otherwise; the key, when given, wins. */
static void test_config_instrument_default_follows_include(void **state) {
    (void)state;
    static const struct {
        const char *yaml;
        hm_instrument_point want;
    } cases[] = {
        {"functions:\n  include: [parse_*]\n", HM_INSTRUMENT_BEFORE_INLINING},
        {"functions:\n  exclude: [main]\n", HM_INSTRUMENT_AFTER_INLINING},
        {"files:\n  include: [\"src/**\"]\n", HM_INSTRUMENT_AFTER_INLINING},
        {"functions:\n  include: [f]\ninstrument: after-inlining\n", HM_INSTRUMENT_AFTER_INLINING},
        {"instrument: before-inlining\n", HM_INSTRUMENT_BEFORE_INLINING},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_config *config = load_ok(cases[i].yaml);
        assert_int_equal(hm_config_instrument_point(config), cases[i].want);
        hm_config_free(config);
    }
}

static void test_config_full_schema_is_read(void **state) {
    hm_config *config = load_ok("version: 1\n"
                                "functions:\n"
                                "  include: [\"parse_*\", \"ns::Class::method\"]\n"
                                "  exclude: [\"*_test\"]\n"
                                "files:\n"
                                "  include: [\"src/**\"]\n"
                                "  exclude: [\"src/vendor/**\"]\n"
                                "trivial:\n"
                                "  max_instructions: 25\n"
                                "instrument: after-inlining\n");
    assert_int_equal(hm_config_trivial_threshold(config), 25);
    assert_int_equal(hm_config_instrument_point(config), HM_INSTRUMENT_AFTER_INLINING);
    assert_selection(config, "parse_header", "src/p.c", true, HM_REASON_INCLUDED, "parse_*", 3);
    assert_selection(config, "ns::Class::method", "src/p.c", true, HM_REASON_INCLUDED,
                     "ns::Class::method", 3);
    assert_selection(config, "parse_x_test", "src/p.c", true, HM_REASON_INCLUDED, "parse_*", 3);
    assert_selection(config, "run_test", "src/p.c", false, HM_REASON_EXCLUDED_FUNCTION, "*_test",
                     4);
    assert_selection(config, "helper", "src/p.c", false, HM_REASON_NOT_INCLUDED_FUNCTION, NULL, 3);
    assert_selection(config, "parse_zip", "src/vendor/z.c", false, HM_REASON_EXCLUDED_FILE,
                     "src/vendor/**", 7);
    assert_selection(config, "parse_zip", "lib/z.c", false, HM_REASON_NOT_INCLUDED_FILE, NULL, 6);
    hm_config_free(config);
}

static void test_config_trivial_threshold_values(void **state) {
    hm_config *config = load_ok("trivial:\n  max_instructions: 0\n");
    assert_int_equal(hm_config_trivial_threshold(config), 0);
    hm_config_free(config);
    config = load_ok("trivial: {max_instructions: 4294967295}\n");
    assert_int_equal(hm_config_trivial_threshold(config), 4294967295u);
    hm_config_free(config);
    config = load_ok("trivial: {}\ninstrument: before-inlining\n");
    assert_int_equal(hm_config_trivial_threshold(config), 10);
    assert_int_equal(hm_config_instrument_point(config), HM_INSTRUMENT_BEFORE_INLINING);
    hm_config_free(config);
}

static void test_config_lists_may_be_a_single_string(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: parse_*\n"
                                "  exclude: 'parse_internal'\n"
                                "files:\n"
                                "  include: src/**\n");
    assert_selection(config, "parse_header", "src/a.c", true, HM_REASON_INCLUDED, "parse_*", 2);
    assert_selection(config, "parse_internal", "src/a.c", false, HM_REASON_EXCLUDED_FUNCTION,
                     "parse_internal", 3);
    assert_selection(config, "main", "src/a.c", false, HM_REASON_NOT_INCLUDED_FUNCTION, NULL, 2);
    assert_selection(config, "parse_header", "test/a.c", false, HM_REASON_NOT_INCLUDED_FILE, NULL,
                     5);
    hm_config_free(config);
}

static void test_config_empty_include_list_includes_everything(void **state) {
    hm_config *config = load_ok("functions:\n  include: []\n  exclude: [slow_*]\n");
    assert_selection(config, "fast", NULL, true, HM_REASON_INCLUDED, NULL, 0);
    assert_selection(config, "slow_path", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "slow_*", 3);
    hm_config_free(config);
}

/* ---- Precedence --------------------------------------------------------------------------- */

static void test_config_exact_name_beats_any_glob(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: [parse_*, main]\n"
                                "  exclude: ['*', parse_header]\n");
    /* Exact include "main" beats the glob exclude "*". */
    assert_selection(config, "main", NULL, true, HM_REASON_INCLUDED, "main", 2);
    assert_true(hm_config_select(config, "main", NULL).named_exactly);
    /* Exact exclude beats the glob include. */
    assert_selection(config, "parse_header", NULL, false, HM_REASON_EXCLUDED_FUNCTION,
                     "parse_header", 3);
    /* Glob include "parse_*" (6 literal characters) beats glob exclude "*" (none). */
    assert_selection(config, "parse_body", NULL, true, HM_REASON_INCLUDED, "parse_*", 2);
    assert_false(hm_config_select(config, "parse_body", NULL).named_exactly);
    assert_selection(config, "other", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "*", 3);
    hm_config_free(config);

    /* Even a glob with as many literal characters loses to the exact name. */
    config = load_ok("functions:\n  include: [run]\n  exclude: ['run*', '?un']\n");
    assert_selection(config, "run", NULL, true, HM_REASON_INCLUDED, "run", 2);
    assert_selection(config, "runner", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "run*", 3);
    hm_config_free(config);
}

static void test_config_more_literal_glob_wins(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: ['p*']\n"
                                "  exclude: ['parse_*']\n"
                                "files:\n"
                                "  include: ['src/**/*.c']\n"
                                "  exclude: ['src/**']\n");
    assert_selection(config, "parse_x", "src/a.c", false, HM_REASON_EXCLUDED_FUNCTION, "parse_*",
                     3);
    assert_selection(config, "pop", "src/a.c", true, HM_REASON_INCLUDED, "p*", 2);
    /* The include (7 literal characters) beats the exclude (4): .c files are in, the rest out. */
    assert_selection(config, "pop", "src/x/a.h", false, HM_REASON_EXCLUDED_FILE, "src/**", 6);
    hm_config_free(config);
}

static void test_config_tie_goes_to_exclude(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: ['a*c', same_name, 'dup*']\n"
                                "  exclude: ['ab*', same_name, 'dup*']\n");
    /* "a*c" and "ab*" both have 2 literal characters. */
    assert_selection(config, "abc", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "ab*", 3);
    assert_selection(config, "axc", NULL, true, HM_REASON_INCLUDED, "a*c", 2);
    assert_selection(config, "same_name", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "same_name", 3);
    assert_false(hm_config_select(config, "same_name", NULL).named_exactly);
    assert_selection(config, "dup1", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "dup*", 3);
    hm_config_free(config);
}

static void test_config_first_of_equal_includes_is_reported(void **state) {
    hm_config *config = load_ok("functions:\n  include:\n    - 'a*'\n    - '*b'\n");
    assert_selection(config, "ab", NULL, true, HM_REASON_INCLUDED, "a*", 3);
    assert_selection(config, "xb", NULL, true, HM_REASON_INCLUDED, "*b", 4);
    hm_config_free(config);
}

static void test_config_exclude_decides_even_when_include_misses(void **state) {
    hm_config *config = load_ok("functions:\n  include: [parse_*]\n  exclude: ['*_test']\n");
    assert_selection(config, "run_test", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "*_test", 3);
    assert_selection(config, "run", NULL, false, HM_REASON_NOT_INCLUDED_FUNCTION, NULL, 2);
    hm_config_free(config);
}

static void test_config_function_and_file_rules_must_both_pass(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: ['hot_*', vendor_hot]\n"
                                "  exclude: ['*_cold']\n"
                                "files:\n"
                                "  include: ['src/**']\n"
                                "  exclude: ['src/vendor/**']\n");
    /* The function rule decided: it is reported. */
    assert_selection(config, "hot_loop", "src/a.c", true, HM_REASON_INCLUDED, "hot_*", 2);
    /* A glob function include does not override the file rules. */
    assert_selection(config, "hot_loop", "src/vendor/z.c", false, HM_REASON_EXCLUDED_FILE,
                     "src/vendor/**", 6);
    /* An exact function include does. */
    assert_selection(config, "vendor_hot", "src/vendor/z.c", true, HM_REASON_INCLUDED, "vendor_hot",
                     2);
    assert_true(hm_config_select(config, "vendor_hot", "src/vendor/z.c").named_exactly);
    assert_selection(config, "vendor_hot", "elsewhere/z.c", true, HM_REASON_INCLUDED, "vendor_hot",
                     2);
    /* Both fail: the file's reason is reported. */
    assert_selection(config, "hot_cold", "src/vendor/z.c", false, HM_REASON_EXCLUDED_FILE,
                     "src/vendor/**", 6);
    assert_selection(config, "hot_cold", "src/a.c", false, HM_REASON_EXCLUDED_FUNCTION, "*_cold",
                     3);
    /* No file path: file rules are skipped. */
    assert_selection(config, "hot_loop", NULL, true, HM_REASON_INCLUDED, "hot_*", 2);
    hm_config_free(config);
}

static void test_config_file_rule_reported_when_function_rules_are_default(void **state) {
    hm_config *config = load_ok("files:\n  include: ['src/**', src/main.c]\n"
                                "  exclude: ['src/**/*.c']\n");
    assert_selection(config, "f", "src/x/a.c", false, HM_REASON_EXCLUDED_FILE, "src/**/*.c", 3);
    assert_selection(config, "f", "src/x/a.h", true, HM_REASON_INCLUDED, "src/**", 2);
    /* An exact path beats any glob. */
    assert_selection(config, "f", "src/main.c", true, HM_REASON_INCLUDED, "src/main.c", 2);
    /* An exact file include does not make the function "named exactly". */
    assert_false(hm_config_select(config, "f", "src/main.c").named_exactly);
    hm_config_free(config);
}

static void test_config_file_paths_are_normalised(void **state) {
    hm_config *config = load_ok("files:\n  include: ['src/*.c']\n  exclude: [src/gen.c]\n");
    assert_selection(config, "f", "./src/a.c", true, HM_REASON_INCLUDED, "src/*.c", 2);
    assert_selection(config, "f", "src//a.c", true, HM_REASON_INCLUDED, "src/*.c", 2);
    assert_selection(config, "f", "src/x/../a.c", true, HM_REASON_INCLUDED, "src/*.c", 2);
    assert_selection(config, "f", "./src/./gen.c", false, HM_REASON_EXCLUDED_FILE, "src/gen.c", 3);
    hm_config_free(config);
}

static void test_config_function_globs_and_escapes(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include:\n"
                                "    - 'ns::*'\n"
                                "    - 'Vec::operator\\*'\n"
                                "    - 'Vec::operator\\[\\]'\n");
    assert_selection(config, "ns::Class::method", NULL, true, HM_REASON_INCLUDED, "ns::*", 3);
    assert_selection(config, "Vec::operator*", NULL, true, HM_REASON_INCLUDED, "Vec::operator\\*",
                     4);
    assert_true(hm_config_select(config, "Vec::operator*", NULL).named_exactly);
    assert_selection(config, "Vec::operator[]", NULL, true, HM_REASON_INCLUDED,
                     "Vec::operator\\[\\]", 5);
    assert_selection(config, "Vec::operator+", NULL, false, HM_REASON_NOT_INCLUDED_FUNCTION, NULL,
                     3);
    hm_config_free(config);
}

/* The names the plugin gives C++ functions (constructors, destructors, templates, lambdas,
 * lambdas' operator()) as patterns: `~`, `<`, `>`, `(`, `)`, `$`, `{`, `#` are literal, so the
 * exact ones are exact and exempt from the trivial rule. examples/cxx_shapes/heatmap.yaml. */
static void test_config_cxx_names_as_patterns(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: [Tracker::Tracker, Tracker::~Tracker,\n"
                                "            'main::*::operator()', 'sum_all<*>', static_helper,\n"
                                "            'foo()::{lambda()#1}::operator()']\n"
                                "  exclude: ['static_*', 'sum_all<double>']\n");
    assert_selection(config, "Tracker::~Tracker", NULL, true, HM_REASON_INCLUDED,
                     "Tracker::~Tracker", 2);
    assert_true(hm_config_select(config, "Tracker::~Tracker", NULL).named_exactly);
    assert_true(hm_config_select(config, "Tracker::Tracker", NULL).named_exactly);
    assert_selection(config, "main::$_0::operator()", NULL, true, HM_REASON_INCLUDED,
                     "main::*::operator()", 3);
    assert_false(hm_config_select(config, "main::$_0::operator()", NULL).named_exactly);
    assert_true(hm_config_select(config, "foo()::{lambda()#1}::operator()", NULL).named_exactly);
    /* The exact include beats the broader exclude; the exact exclude beats the template glob. */
    assert_selection(config, "static_helper", NULL, true, HM_REASON_INCLUDED, "static_helper", 3);
    assert_selection(config, "static_other", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "static_*",
                     5);
    assert_selection(config, "sum_all<int>", NULL, true, HM_REASON_INCLUDED, "sum_all<*>", 3);
    assert_selection(config, "sum_all<double>", NULL, false, HM_REASON_EXCLUDED_FUNCTION,
                     "sum_all<double>", 5);
    assert_selection(config, "Tracker::reset", NULL, false, HM_REASON_NOT_INCLUDED_FUNCTION, NULL,
                     2);
    hm_config_free(config);
}

/* The worked example of docs/config.md, row by row. */
static void test_config_docs_worked_example(void **state) {
    hm_config *config = load_ok("functions:\n"
                                "  include: [\"parse_*\", \"main\", \"Vec::operator\\\\*\"]\n"
                                "  exclude: [\"*\", \"parse_header\", \"*_test\"]\n"
                                "files:\n"
                                "  include: [\"src/**\"]\n"
                                "  exclude: [\"src/vendor/**\", \"src/vendor/zlib/**/*.c\"]\n");
    assert_selection(config, "parse_body", "src/p.c", true, HM_REASON_INCLUDED, "parse_*", 2);
    assert_selection(config, "parse_header", "src/p.c", false, HM_REASON_EXCLUDED_FUNCTION,
                     "parse_header", 3);
    assert_selection(config, "parse_x_test", "src/p.c", true, HM_REASON_INCLUDED, "parse_*", 2);
    assert_selection(config, "run_test", "src/p.c", false, HM_REASON_EXCLUDED_FUNCTION, "*_test",
                     3);
    assert_selection(config, "helper", "src/p.c", false, HM_REASON_EXCLUDED_FUNCTION, "*", 3);
    assert_selection(config, "main", "src/vendor/m.c", true, HM_REASON_INCLUDED, "main", 2);
    assert_selection(config, "parse_zip", "src/vendor/z.c", false, HM_REASON_EXCLUDED_FILE,
                     "src/vendor/**", 6);
    assert_selection(config, "parse_zip", "tools/gen.c", false, HM_REASON_NOT_INCLUDED_FILE, NULL,
                     5);
    assert_selection(config, "Vec::operator*", "src/v.cc", true, HM_REASON_INCLUDED,
                     "Vec::operator\\*", 2);
    hm_config_free(config);

    config = load_ok("functions:\n  include: [\"a*c\"]\n  exclude: [\"ab*\"]\n");
    assert_selection(config, "abc", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "ab*", 3);
    assert_selection(config, "axc", NULL, true, HM_REASON_INCLUDED, "a*c", 2);
    assert_selection(config, "abd", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "ab*", 3);
    assert_selection(config, "xyz", NULL, false, HM_REASON_NOT_INCLUDED_FUNCTION, NULL, 2);
    hm_config_free(config);
}

/* Patterns are listed in the documented order (functions then files, include then exclude), each
 * with its text as written and its line; a null value lists nothing. */
static void test_config_patterns_are_listed(void **state) {
    hm_config *config = load_ok("files:\n"
                                "  exclude: ['src/vendor/**']\n"
                                "  include: ~\n"
                                "functions:\n"
                                "  exclude: 'op\\*'\n"
                                "  include:\n"
                                "    - 'hot_*'\n"
                                "    - main\n");
    static const struct {
        const char *text;
        int line;
        bool files, include;
    } expected[] = {
        {"hot_*", 7, false, true},
        {"main", 8, false, true},
        {"op\\*", 5, false, false},
        {"src/vendor/**", 2, true, false},
    };
    size_t n = sizeof expected / sizeof expected[0];
    assert_int_equal(hm_config_pattern_count(config), n);
    for (size_t i = 0; i < n; i++) {
        hm_config_pattern p = hm_config_pattern_at(config, i);
        assert_string_equal(p.text, expected[i].text);
        assert_int_equal(p.line, expected[i].line);
        assert_int_equal(p.files, expected[i].files);
        assert_int_equal(p.include, expected[i].include);
    }
    /* Each pattern alone: function patterns see the name, file patterns the normalised path. */
    assert_true(hm_config_pattern_matches(config, 0, "hot_loop", NULL));
    assert_false(hm_config_pattern_matches(config, 0, "cold", "src/vendor/z.c"));
    assert_true(hm_config_pattern_matches(config, 2, "op*", NULL));
    assert_false(hm_config_pattern_matches(config, 2, "opx", NULL));
    assert_true(hm_config_pattern_matches(config, 3, NULL, "./src//vendor/z.c"));
    assert_false(hm_config_pattern_matches(config, 3, "src/vendor/z.c", NULL));
    assert_false(hm_config_pattern_matches(config, 3, NULL, "src/a.c"));
    assert_false(hm_config_pattern_matches(config, n, "hot_loop", "src/vendor/z.c"));
    assert_null(hm_config_pattern_at(config, n).text);
    hm_config_free(config);
    config = hm_config_new_default();
    assert_int_equal(hm_config_pattern_count(config), 0);
    hm_config_free(config);
    assert_int_equal(hm_config_pattern_count(NULL), 0);
}

static void test_config_reason_names_are_stable(void **state) {
    assert_string_equal(hm_reason_name(HM_REASON_INCLUDED), "included");
    assert_string_equal(hm_reason_name(HM_REASON_EXCLUDED_FUNCTION), "excluded-function");
    assert_string_equal(hm_reason_name(HM_REASON_EXCLUDED_FILE), "excluded-file");
    assert_string_equal(hm_reason_name(HM_REASON_NOT_INCLUDED_FUNCTION), "not-included-function");
    assert_string_equal(hm_reason_name(HM_REASON_NOT_INCLUDED_FILE), "not-included-file");
    assert_string_equal(hm_reason_name((hm_reason)99), "unknown");
}

/* ---- Diagnostics -------------------------------------------------------------------------- */

static void test_config_error_malformed_yaml(void **state) {
    assert_load_error("functions:\n  include: [a\n",
                      "t.yaml:3:1: error: did not find expected ',' or ']' (while parsing a flow "
                      "sequence at line 2)");
    assert_load_error("a: b: c\n", "t.yaml:1:5: error: mapping values are not allowed in this "
                                   "context");
    assert_load_error("functions:\n\tinclude: a\n",
                      "t.yaml:2:1: error: found character that cannot start any token (while "
                      "scanning for the next token at line 2)");
    assert_load_error("functions:\n  include: a\n exclude: b\n",
                      "t.yaml:3:2: error: did not find expected key (while parsing a block "
                      "mapping at line 1)");
    assert_load_error("x: *nope\n",
                      "t.yaml:1:4: error: found undefined alias *nope; a pattern that starts with "
                      "'*' must be quoted, as in \"*nope\" (unquoted, YAML reads it as an alias)");
    /* Bad encoding: libyaml gives a byte offset, turned into line and column. */
    assert_load_error("functions:\n  include: [\xff]\n",
                      "t.yaml:2:13: error: invalid leading UTF-8 octet");
}

static void test_config_error_unknown_key_suggests(void **state) {
    assert_load_error("functons:\n  include: a\n",
                      "t.yaml:1:1: error: unknown key 'functons'; did you mean 'functions'?");
    assert_load_error("version: 1\nfile: {}\n",
                      "t.yaml:2:1: error: unknown key 'file'; did you mean 'files'?");
    assert_load_error("functions:\n  inclde: [a]\n",
                      "t.yaml:2:3: error: unknown key 'inclde' in 'functions'; did you mean "
                      "'include'?");
    assert_load_error("trivial:\n  max_instruction: 3\n",
                      "t.yaml:2:3: error: unknown key 'max_instruction' in 'trivial'; did you "
                      "mean 'max_instructions'?");
    assert_load_error("include: [a]\n", "t.yaml:1:1: error: unknown key 'include' at the top "
                                        "level; it belongs under 'functions' or 'files'");
    assert_load_error("files:\n  instrument: after-inlining\n",
                      "t.yaml:2:3: error: unknown key 'instrument' in 'files'; it belongs at the "
                      "top level");
    assert_load_error("colour: red\n", "t.yaml:1:1: error: unknown key 'colour'; expected one of "
                                       "'version', 'functions', 'files', 'trivial', "
                                       "'instrument', 'runtime', 'view'");
    assert_load_error("files:\n  only: x\n", "t.yaml:2:3: error: unknown key 'only' in 'files'; "
                                             "expected one of 'include', 'exclude'");
    assert_load_error("? [a]\n: b\n", "t.yaml:1:3: error: keys must be strings, got a sequence");
}

static void test_config_error_wrong_types(void **state) {
    assert_load_error("functions:\n  include: {a: b}\n",
                      "t.yaml:2:12: error: 'functions.include' must be a list of strings, got a "
                      "mapping");
    assert_load_error("files:\n  exclude:\n    - ok\n    - [x]\n",
                      "t.yaml:4:7: error: 'files.exclude[1]' must be a string, got a sequence");
    assert_load_error("functions: parse_*\n",
                      "t.yaml:1:12: error: 'functions' must be a mapping, got 'parse_*'");
    assert_load_error("files: [a, b]\n",
                      "t.yaml:1:8: error: 'files' must be a mapping, got a sequence");
    assert_load_error("trivial: 5\n", "t.yaml:1:10: error: 'trivial' must be a mapping, got '5'");
    assert_load_error("- a\n- b\n",
                      "t.yaml:1:1: error: the top level must be a mapping, got a sequence");
    assert_load_error("just words\n",
                      "t.yaml:1:1: error: the top level must be a mapping, got 'just words'");
}

static void test_config_error_non_string_patterns(void **state) {
    /* One value where a list of globs is expected: every key that takes globs. */
    static const char *const KEYS[][2] = {{"functions", "include"},
                                          {"functions", "exclude"},
                                          {"files", "include"},
                                          {"files", "exclude"}};
    for (size_t i = 0; i < sizeof KEYS / sizeof KEYS[0]; i++) {
        char yaml[128], expected[512];
        snprintf(yaml, sizeof yaml, "version: 1\n%s:\n  %s: 5\n", KEYS[i][0], KEYS[i][1]);
        snprintf(expected, sizeof expected,
                 "t.yaml:3:%zu: error: expected a glob pattern (a string) or a list of them for "
                 "'%s.%s', found the number 5; quote it (\"5\") if you mean a pattern",
                 strlen(KEYS[i][1]) + 5, KEYS[i][0], KEYS[i][1]);
        assert_load_error(yaml, expected);
    }
    /* Items of a list: numbers (YAML 1.2 core and 1.1 forms), booleans, null. */
    static const char *const BAD[][2] = {
        {"5", "the number 5"},
        {"-12", "the number -12"},
        {"1.5", "the number 1.5"},
        {".5", "the number .5"},
        {"1e3", "the number 1e3"},
        {"0x1F", "the number 0x1F"},
        {"0o17", "the number 0o17"},
        {"0b101", "the number 0b101"},
        {"1_000", "the number 1_000"},
        {".inf", "the number .inf"},
        {"-.Inf", "the number -.Inf"},
        {".NaN", "the number .NaN"},
        {"yes", "the boolean yes"},
        {"No", "the boolean No"},
        {"true", "the boolean true"},
        {"FALSE", "the boolean FALSE"},
        {"on", "the boolean on"},
        {"Off", "the boolean Off"},
        {"null", "null"},
        {"~", "null"},
    };
    for (size_t i = 0; i < sizeof BAD / sizeof BAD[0]; i++) {
        assert_value_error("files:\n  exclude: [ok, %s]\n", BAD[i][0],
                           "t.yaml:2:17: error: expected a glob pattern (a string) in "
                           "'files.exclude[1]', found %s; quote it (\"%s\") if you mean a pattern",
                           BAD[i][1], BAD[i][0]);
    }
    assert_load_error("functions:\n  include:\n    - a\n    -\n",
                      "t.yaml:4:6: error: expected a glob pattern (a string) in "
                      "'functions.include[1]', found an empty item (null)");
}

static void test_config_quoted_or_wordy_scalars_are_patterns(void **state) {
    /* Quoted, any scalar is a string; unquoted, these are strings to YAML too. */
    hm_config *config = load_ok("functions:\n"
                                "  include: [\"5\", 'yes', \"1.5\", \"~\", 5a, a5, 1.2.3, e5, y, n,"
                                " nullify, 0x, _1, 12:30]\n"
                                "files:\n"
                                "  exclude: \"0x1F\"\n");
    assert_int_equal(hm_config_pattern_count(config), 15);
    assert_string_equal(hm_config_pattern_at(config, 0).text, "5");
    assert_string_equal(hm_config_pattern_at(config, 1).text, "yes");
    assert_string_equal(hm_config_pattern_at(config, 14).text, "0x1F");
    assert_selection(config, "5", NULL, true, HM_REASON_INCLUDED, "5", 2);
    hm_config_free(config);
    /* An absent list is still written `~` or left empty. */
    config = load_ok("functions:\n  include: ~\n  exclude:\n");
    assert_int_equal(hm_config_pattern_count(config), 0);
    hm_config_free(config);
}

static void test_config_error_unquoted_star_pattern(void **state) {
    assert_load_error("version: 1\nfunctions:\n  exclude: [*Ptr, MEM_*]\n",
                      "t.yaml:3:13: error: found undefined alias *Ptr; a pattern that starts with "
                      "'*' must be quoted, as in \"*Ptr\" (unquoted, YAML reads it as an alias)");
    assert_load_error("files:\n  exclude:\n    - **/vendor/**\n",
                      "t.yaml:3:7: error: invalid alias **/vendor/**; a pattern that starts with "
                      "'*' must be quoted, as in \"**/vendor/**\" (unquoted, YAML reads it as an "
                      "alias)");
    assert_load_error("files:\n  include: *.c\n",
                      "t.yaml:2:12: error: invalid alias *.c; a pattern that starts with '*' must "
                      "be quoted, as in \"*.c\" (unquoted, YAML reads it as an alias)");
    assert_load_error("functions:\n  include: [a, *_test]\n",
                      "t.yaml:2:16: error: found undefined alias *_test; a pattern that starts "
                      "with '*' must be quoted, as in \"*_test\" (unquoted, YAML reads it as an "
                      "alias)");
    /* Quoted, or not at the start, '*' is a wildcard; a real alias still works. */
    hm_config *config =
        load_ok("functions:\n  exclude: [\"*Ptr\", MEM_*, '*_test']\nfiles:\n  include: &src "
                "[\"src/**\"]\n  exclude: *src\n");
    assert_int_equal(hm_config_pattern_count(config), 5);
    assert_selection(config, "FooPtr", NULL, false, HM_REASON_EXCLUDED_FUNCTION, "*Ptr", 2);
    assert_selection(config, "main", "src/a.c", false, HM_REASON_EXCLUDED_FILE, "src/**", 4);
    hm_config_free(config);
}

static void test_config_error_invalid_glob(void **state) {
    assert_load_error("functions:\n  include: ['parse_[a']\n",
                      "t.yaml:2:13: error: invalid pattern 'parse_[a' in 'functions.include': "
                      "unterminated '['");
    assert_load_error("files:\n  exclude: \"\"\n",
                      "t.yaml:2:12: error: invalid pattern '' in 'files.exclude': empty pattern");
    assert_load_error("functions:\n  exclude:\n    - ok_*\n    - 'a***'\n",
                      "t.yaml:4:7: error: invalid pattern 'a***' in 'functions.exclude': '***' "
                      "is not a wildcard; use '*' or '**'");
}

static void test_config_error_version(void **state) {
    assert_load_error("version: 2\n",
                      "t.yaml:1:10: error: unsupported version '2'; this heatmap reads version 1");
    assert_load_error("version: 1.0\n",
                      "t.yaml:1:10: error: unsupported version '1.0'; this heatmap reads version "
                      "1");
    assert_load_error("version: [1]\n", "t.yaml:1:10: error: 'version' must be 1, got a sequence");
}

static void test_config_error_duplicate_key(void **state) {
    assert_load_error("files: {}\nversion: 1\nfiles: {}\n",
                      "t.yaml:3:1: error: duplicate key 'files' (first defined at line 1)");
    assert_load_error("functions:\n  include: a\n  exclude: b\n  include: c\n",
                      "t.yaml:4:3: error: duplicate key 'include' (first defined at line 2)");
    /* A null value still counts as a definition. */
    assert_load_error("instrument:\ninstrument: after-inlining\n",
                      "t.yaml:2:1: error: duplicate key 'instrument' (first defined at line 1)");
}

static void test_config_error_instrument_value(void **state) {
    assert_load_error("instrument: inline\n",
                      "t.yaml:1:13: error: 'instrument' must be 'before-inlining' or "
                      "'after-inlining', got 'inline'");
    assert_load_error("instrument: [after-inlining]\n",
                      "t.yaml:1:13: error: 'instrument' must be 'before-inlining' or "
                      "'after-inlining', got a sequence");
}

static void test_config_error_max_instructions(void **state) {
    const char *bad[][2] = {
        {"-1", "'-1'"},     {"1.5", "'1.5'"},
        {"ten", "'ten'"},   {"4294967296", "'4294967296'"},
        {"0x10", "'0x10'"}, {"{n: 1}", "a mapping"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_value_error("trivial:\n  max_instructions: %s\n", bad[i][0],
                           "t.yaml:2:21: error: 'trivial.max_instructions' must be a non-negative "
                           "integer, got %s",
                           bad[i][1], NULL);
    }
}

static void test_config_error_second_document(void **state) {
    assert_load_error("version: 1\n---\nversion: 1\n",
                      "t.yaml:3:1: error: only one YAML document is allowed");
}

static void test_config_error_long_values_are_shortened(void **state) {
    char yaml[256];
    snprintf(yaml, sizeof yaml, "instrument: %s\n",
             "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz");
    assert_load_error(yaml, "t.yaml:1:13: error: 'instrument' must be 'before-inlining' or "
                            "'after-inlining', got 'abcdefghijklmnopqrstuvwxyzabcdefghijk...'");
}

/* Regression (found by probing the fuzz target with large inputs): libyaml's scanner is quadratic
 * in the nesting depth, so 100,000 nested '[' kept the loader (inside clang) busy for about 40 s;
 * the depth is now refused after 32 levels, before the document is built. Block nesting too. */
static void test_config_error_deep_nesting_is_refused_early(void **state) {
    enum { DEPTH = 100000 };
    size_t n = strlen("functions: ") + 2 * DEPTH + 2;
    char *yaml = malloc(n);
    assert_non_null(yaml);
    size_t at = (size_t)sprintf(yaml, "functions: ");
    memset(yaml + at, '[', DEPTH);
    memset(yaml + at + DEPTH, ']', DEPTH);
    yaml[at + 2 * DEPTH] = '\0';
    assert_load_error(yaml, "t.yaml:1:43: error: nested more than 32 levels deep (heatmap.yaml "
                            "needs 3)");
    at = (size_t)sprintf(yaml, "functions:\n");
    for (int i = 0; i < 40; i++)
        at += (size_t)sprintf(yaml + at, "- ");
    sprintf(yaml + at, "a\n");
    assert_load_error(yaml, "t.yaml:2:63: error: nested more than 32 levels deep (heatmap.yaml "
                            "needs 3)");
    free(yaml);
    /* 32 levels are still parsed (and then refused by the schema) */
    assert_load_error(
        "files:\n  include: [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[a]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]\n",
        "t.yaml:2:13: error: 'files.include[0]' must be a string, got a sequence");
}

static void test_config_error_string_name_defaults(void **state) {
    hm_config *config = NULL;
    hm_config_error err = {{0}};
    assert_int_equal(hm_config_load_string("x: 1\n", 5, NULL, &config, &err), -1);
    assert_null(config);
    assert_string_equal(err.message, "<string>:1:1: error: unknown key 'x'; expected one of "
                                     "'version', 'functions', 'files', 'trivial', 'instrument', "
                                     "'runtime', 'view'");
    /* Only `len` bytes are read: the text need not be NUL-terminated there. */
    assert_int_equal(hm_config_load_string("version: 1\nbogus", 11, "n.yaml", &config, &err), 0);
    assert_non_null(config);
    hm_config_free(config);
}

/* ---- Settings sections (runtime:, view:) ---------------------------------------------------- */

static void assert_entry(hm_config_entry e, const char *key, const char *value, int line, int col,
                         int key_line, int key_col) {
    assert_string_equal(e.key, key);
    assert_string_equal(e.value, value);
    assert_int_equal(e.line, line);
    assert_int_equal(e.column, col);
    assert_int_equal(e.key_line, key_line);
    assert_int_equal(e.key_column, key_col);
}

static void test_config_runtime_section_is_read(void **state) {
    hm_config *config = load_ok("runtime:\n"
                                "  summary: on\n"
                                "  output: \"out/%p.json\"\n"
                                "  profile_type: [cpu, heap]\n"
                                "  profiler_port: 0\n"
                                "  clock: ~\n");
    assert_int_equal(hm_config_runtime_count(config), 4);
    assert_entry(hm_config_runtime_at(config, 0), "summary", "on", 2, 12, 2, 3);
    assert_entry(hm_config_runtime_at(config, 1), "output", "out/%p.json", 3, 11, 3, 3);
    assert_entry(hm_config_runtime_at(config, 2), "profile_type", "cpu,heap", 4, 17, 4, 3);
    assert_entry(hm_config_runtime_at(config, 3), "profiler_port", "0", 5, 18, 5, 3);
    /* The embedded text: the config line, then the settings in settings.h's order. */
    char *text = NULL;
    assert_int_equal(hm_config_runtime_text(config, &text), 0);
    assert_non_null(text);
    assert_string_equal(text, "#config=t.yaml\n"
                              "HEATMAP_OUTPUT=out/%p.json\n"
                              "HEATMAP_SUMMARY=on\n"
                              "HEATMAP_PROFILE_TYPE=cpu,heap\n"
                              "HEATMAP_PROFILER_PORT=0\n");
    free(text);
    hm_config_free(config);
    /* Every spelling the runtime takes for on and off. */
    config = load_ok("runtime:\n  enabled: Yes\n  heap: 0\n  trace: TRUE\n  paths: off\n");
    assert_int_equal(hm_config_runtime_count(config), 4);
    hm_config_free(config);
}

static void test_config_runtime_section_without_values_embeds_nothing(void **state) {
    const char *const yamls[] = {"version: 1\n", "runtime:\n",
                                 "runtime:\n  output:\n  summary: ~\n"};
    for (size_t i = 0; i < sizeof yamls / sizeof *yamls; i++) {
        hm_config *config = load_ok(yamls[i]);
        assert_int_equal(hm_config_runtime_count(config), 0);
        char *text = (char *)&text;
        assert_int_equal(hm_config_runtime_text(config, &text), 0);
        assert_null(text);
        hm_config_free(config);
    }
    char *text = (char *)&text;
    assert_int_equal(hm_config_runtime_text(NULL, &text), 0);
    assert_null(text);
}

static void test_config_runtime_unknown_keys(void **state) {
    assert_load_error("runtime:\n  colour: red\n",
                      "t.yaml:2:3: error: unknown key 'colour' in 'runtime'; expected one of "
                      "'enabled', 'output', 'summary', 'verbose', 'clock', 'compensate', "
                      "'signals', 'paths', 'paths_max', 'threads_max', 'trace', 'trace_events', "
                      "'throttle', 'throttle_calls', 'throttle_ns', 'profile_type', "
                      "'profile_file', 'cpu_hz', 'heap', 'heap_peak', 'export_lib', 'profiler', "
                      "'profiler_host', 'profiler_port'");
    assert_load_error("runtime:\n  outptu: x.json\n",
                      "t.yaml:2:3: error: unknown key 'outptu' in 'runtime'; did you mean "
                      "'output'?");
    assert_load_error("summary: on\n", "t.yaml:1:1: error: unknown key 'summary' at the top "
                                       "level; it belongs under 'runtime'");
    assert_load_error("runtime:\n  functions: x\n",
                      "t.yaml:2:3: error: unknown key 'functions' in 'runtime'; it belongs at the "
                      "top level");
    assert_load_error("runtime:\n  output: a\n  output: b\n",
                      "t.yaml:3:3: error: duplicate key 'output' (first defined at line 2)");
}

static void test_config_runtime_bad_values(void **state) {
    const char *const cases[][2] = {
        {"runtime:\n  summary: maybe\n",
         "t.yaml:2:12: error: invalid value 'maybe' for 'runtime.summary' (HEATMAP_SUMMARY): "
         "expected on|off"},
        {"runtime:\n  cpu_hz: 0\n", "t.yaml:2:11: error: invalid value '0' for 'runtime.cpu_hz' "
                                    "(HEATMAP_CPU_HZ): expected an integer 1..10000 (samples per "
                                    "CPU second)"},
        {"runtime:\n  paths_max: 1\n",
         "t.yaml:2:14: error: invalid value '1' for 'runtime.paths_max' (HEATMAP_PATHS_MAX): "
         "expected an integer 2..16777216 (nodes per thread)"},
        {"runtime:\n  trace_events: 16777217\n",
         "t.yaml:2:17: error: invalid value '16777217' for 'runtime.trace_events' "
         "(HEATMAP_TRACE_EVENTS): expected an integer 2..16777216 (events per thread)"},
        {"runtime:\n  throttle_ns: -5\n",
         "t.yaml:2:16: error: invalid value '-5' for 'runtime.throttle_ns' (HEATMAP_THROTTLE_NS): "
         "expected an integer 2..16777216 (average self-time below which it is)"},
        {"runtime:\n  clock: fast\n",
         "t.yaml:2:10: error: invalid value 'fast' for 'runtime.clock' (HEATMAP_CLOCK): expected "
         "auto|tsc|monotonic"},
        {"runtime:\n  profile_type: cpu, bogus\n",
         "t.yaml:2:17: error: unknown item 'bogus' in 'runtime.profile_type' "
         "(HEATMAP_PROFILE_TYPE): expected a comma list of cpu, block, mutex, heap, allocs, "
         "goroutine, threads, threadcreate, trace"},
        {"runtime:\n  profile_type: [heap, cpus]\n",
         "t.yaml:2:17: error: unknown item 'cpus' in 'runtime.profile_type' "
         "(HEATMAP_PROFILE_TYPE): expected a comma list of cpu, block, mutex, heap, allocs, "
         "goroutine, threads, threadcreate, trace"},
        {"runtime:\n  profiler_port: 99999\n",
         "t.yaml:2:18: error: invalid value '99999' for 'runtime.profiler_port' "
         "(HEATMAP_PROFILER_PORT): expected a port number 0..65535 (0: any free port)"},
        {"runtime:\n  profiler_port: http\n",
         "t.yaml:2:18: error: invalid value 'http' for 'runtime.profiler_port' "
         "(HEATMAP_PROFILER_PORT): expected a port number 0..65535 (0: any free port)"},
        {"runtime:\n  output: \"\"\n",
         "t.yaml:2:11: error: 'runtime.output' (HEATMAP_OUTPUT) cannot be empty: expected a file "
         "path; %p pid, %h host, %t time"},
        {"runtime:\n  output: \"a\\nb.json\"\n",
         "t.yaml:2:11: error: 'runtime.output' (HEATMAP_OUTPUT) cannot hold a line break"},
        {"runtime:\n  output: [a.json]\n",
         "t.yaml:2:11: error: 'runtime.output' must be a single value, got a sequence"},
        {"runtime:\n  profile_type: {cpu: 1}\n",
         "t.yaml:2:17: error: 'runtime.profile_type' must be a single value or a list, got a "
         "mapping"},
        {"runtime:\n  profile_type: [cpu, [heap]]\n",
         "t.yaml:2:23: error: 'runtime.profile_type' must list single values, got a sequence"},
        {"runtime: [output]\n", "t.yaml:1:10: error: 'runtime' must be a mapping, got a sequence"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        assert_load_error(cases[i][0], cases[i][1]);
    /* Longer than the runtime's buffer. */
    char yaml[1200];
    int n = snprintf(yaml, sizeof yaml, "runtime:\n  output: ");
    memset(yaml + n, 'x', 1024);
    strcpy(yaml + n + 1024, "\n");
    assert_load_error(yaml, "t.yaml:2:11: error: 'runtime.output' (HEATMAP_OUTPUT) is longer than "
                            "1023 bytes");
    yaml[n + 1023] = '\n';
    yaml[n + 1024] = '\0';
    hm_config_free(load_ok(yaml)); /* 1023 bytes fit */
}

static void test_config_view_section_is_kept_as_written(void **state) {
    hm_config *config = load_ok("view:\n  mode: table\n  top: 10\n  anything: at all\n  sort:\n");
    assert_int_equal(hm_config_view_count(config), 3);
    assert_entry(hm_config_view_at(config, 0), "mode", "table", 2, 9, 2, 3);
    assert_entry(hm_config_view_at(config, 1), "top", "10", 3, 8, 3, 3);
    assert_entry(hm_config_view_at(config, 2), "anything", "at all", 4, 13, 4, 3);
    assert_int_equal(hm_config_runtime_count(config), 0);
    hm_config_free(config);
    assert_load_error("view: table\n", "t.yaml:1:7: error: 'view' must be a mapping, got 'table'");
    assert_load_error("view:\n  mode: [bar]\n",
                      "t.yaml:2:9: error: 'view.mode' must be a single value, got a sequence");
    assert_load_error("view:\n  mode: bar\n  mode: table\n",
                      "t.yaml:3:3: error: duplicate key 'mode' in 'view' (first defined at line "
                      "2)");
    assert_load_error("view:\n  [a]: b\n", "t.yaml:2:3: error: keys must be strings, got a "
                                           "sequence");
}

/* ---- Files -------------------------------------------------------------------------------- */

static void test_config_load_file_unreadable(void **state) {
    tmp_fixture *fx = *state;
    hm_config *config = (hm_config *)&config;
    hm_config_error err = {{0}};
    char *missing = join(fx->dir, "missing.yaml");
    char expected[PATH_MAX + 128];

    assert_int_equal(hm_config_load_file(missing, &config, &err), -1);
    assert_null(config);
    snprintf(expected, sizeof expected, "%s: error: cannot read: No such file or directory",
             missing);
    assert_string_equal(err.message, expected);

    assert_int_equal(hm_config_load_file(fx->dir, &config, &err), -1);
    assert_null(config);
    snprintf(expected, sizeof expected, "%s: error: cannot read: Is a directory", fx->dir);
    assert_string_equal(err.message, expected);
    free(missing);
}

static void test_config_load_file_errors_name_the_path(void **state) {
    tmp_fixture *fx = *state;
    char *path = join(fx->dir, "heatmap.yaml");
    hm_config *config = NULL;
    hm_config_error err = {{0}};
    char expected[PATH_MAX + 128];

    write_file(path, "# profile the parser\nfunctions:\n  include: [parse_*]\n  exclud: [x]\n");
    assert_int_equal(hm_config_load_file(path, &config, &err), -1);
    assert_null(config);
    snprintf(expected, sizeof expected,
             "%s:4:3: error: unknown key 'exclud' in 'functions'; did you mean 'exclude'?", path);
    assert_string_equal(err.message, expected);

    write_file(path, "functions:\n  include: [parse_*]\n");
    assert_int_equal(hm_config_load_file(path, &config, &err), 0);
    assert_non_null(config);
    assert_string_equal(hm_config_source(config), path);
    assert_selection(config, "parse_a", NULL, true, HM_REASON_INCLUDED, "parse_*", 2);
    hm_config_free(config);
    free(path);
}

/* File patterns are relative to the config's directory, whatever form the source path takes. */
static void test_config_file_rules_are_relative_to_the_config(void **state) {
    tmp_fixture *fx = *state;
    char *proj = join(fx->dir, "proj");
    char *path = join(proj, "heatmap.yaml");
    char *keep = join(fx->dir, "other/keep.c");
    char abs_in[PATH_MAX + 64], abs_vendor[PATH_MAX + 64], abs_out[PATH_MAX + 64];
    char yaml[PATH_MAX + 128];
    hm_config *config = NULL;
    hm_config_error err = {{0}};

    assert_int_equal(mkdir(proj, 0700), 0);
    snprintf(yaml, sizeof yaml,
             "files:\n  include: ['src/**', '%s']\n  exclude: ['src/vendor/**']\n", keep);
    write_file(path, yaml);
    assert_int_equal(hm_config_load_file(path, &config, &err), 0);

    snprintf(abs_in, sizeof abs_in, "%s/src/a.c", proj);
    snprintf(abs_vendor, sizeof abs_vendor, "%s/./src/vendor/../vendor/z.c", proj);
    snprintf(abs_out, sizeof abs_out, "%s/other/src/a.c", fx->dir);
    assert_selection(config, "f", abs_in, true, HM_REASON_INCLUDED, "src/**", 2);
    assert_selection(config, "f", abs_vendor, false, HM_REASON_EXCLUDED_FILE, "src/vendor/**", 3);
    /* Outside the config's directory, relative patterns see the absolute path. */
    assert_selection(config, "f", abs_out, false, HM_REASON_NOT_INCLUDED_FILE, NULL, 2);
    /* A pattern starting with '/' is matched against the absolute path. */
    assert_selection(config, "f", keep, true, HM_REASON_INCLUDED, keep, 2);
    hm_config_free(config);

    /* Relative source paths are resolved against the working directory at load time. */
    assert_int_equal(chdir(fx->dir), 0);
    assert_int_equal(hm_config_load_file("proj/heatmap.yaml", &config, &err), 0);
    assert_selection(config, "f", "proj/src/a.c", true, HM_REASON_INCLUDED, "src/**", 2);
    assert_selection(config, "f", "src/a.c", false, HM_REASON_NOT_INCLUDED_FILE, NULL, 2);
    assert_selection(config, "f", "other/keep.c", true, HM_REASON_INCLUDED, keep, 2);
    hm_config_free(config);

    assert_int_equal(chdir(proj), 0);
    assert_int_equal(hm_config_load_file("heatmap.yaml", &config, &err), 0);
    assert_selection(config, "f", "src/a.c", true, HM_REASON_INCLUDED, "src/**", 2);
    assert_selection(config, "f", "../proj/src/vendor/z.c", false, HM_REASON_EXCLUDED_FILE,
                     "src/vendor/**", 3);
    assert_selection(config, "f", "../other/keep.c", true, HM_REASON_INCLUDED, keep, 2);
    hm_config_free(config);
    free(keep);
    free(path);
    free(proj);
}

static void test_config_find_upward_nearest_wins(void **state) {
    tmp_fixture *fx = *state;
    char *a = join(fx->dir, "a");
    char *b = join(a, "b");
    char *root_cfg = join(fx->dir, "heatmap.yaml");
    char *a_cfg = join(a, "heatmap.yaml");
    char *source = join(b, "c.c");

    assert_int_equal(mkdir(a, 0700), 0);
    assert_int_equal(mkdir(b, 0700), 0);
    write_file(root_cfg, "version: 1\n");

    char *found = hm_config_find_upward(source);
    assert_non_null(found);
    assert_string_equal(found, root_cfg);
    free(found);

    write_file(a_cfg, "version: 1\n");
    found = hm_config_find_upward(source);
    assert_non_null(found);
    assert_string_equal(found, a_cfg);
    free(found);

    /* A directory named heatmap.yaml is not a config. */
    char *b_dir_cfg = join(b, "heatmap.yaml");
    assert_int_equal(mkdir(b_dir_cfg, 0700), 0);
    found = hm_config_find_upward(source);
    assert_non_null(found);
    assert_string_equal(found, a_cfg);
    free(found);

    /* A config beside the source file itself. */
    char *c_source = join(a, "x.c");
    found = hm_config_find_upward(c_source);
    assert_non_null(found);
    assert_string_equal(found, a_cfg);
    free(found);

    free(c_source);
    free(b_dir_cfg);
    free(source);
    free(a_cfg);
    free(root_cfg);
    free(b);
    free(a);
}

static void test_config_find_upward_relative_paths_use_cwd(void **state) {
    tmp_fixture *fx = *state;
    char *sub = join(fx->dir, "sub");
    assert_int_equal(mkdir(sub, 0700), 0);
    char *cfg_rel = join(fx->dir, "heatmap.yaml");
    write_file(cfg_rel, "version: 1\n");
    assert_int_equal(chdir(sub), 0);
    char *cwd = hm_path_current_dir();
    assert_non_null(cwd);
    /* Expected: the config in the parent of the (possibly symlink-resolved) working directory. */
    char *expected = join(cwd, "../heatmap.yaml");
    hm_path_normalize(expected);

    char *found = hm_config_find_upward("x.c");
    assert_non_null(found);
    assert_string_equal(found, expected);
    free(found);
    found = hm_config_find_upward("./deeper/../y.c");
    assert_non_null(found);
    assert_string_equal(found, expected);
    free(found);

    free(expected);
    free(cwd);
    free(cfg_rel);
    free(sub);
}

static void test_config_find_upward_none(void **state) {
    tmp_fixture *fx = *state;
    assert_null(hm_config_find_upward(NULL));
    assert_null(hm_config_find_upward(""));
    struct stat st;
    if (stat("/heatmap.yaml", &st) == 0 || stat("/tmp/heatmap.yaml", &st) == 0)
        skip(); /* a stray config above the temporary directory would be found, rightly */
    char *source = join(fx->dir, "lonely.c");
    assert_null(hm_config_find_upward(source));
    free(source);
}

/* ---- Path helpers ------------------------------------------------------------------------- */

static void test_config_path_normalize(void **state) {
    const char *cases[][2] = {
        {"./src//a.c", "src/a.c"},
        {"a/../b", "b"},
        {"../x/../y", "../y"},
        {"../../a", "../../a"},
        {"/../a", "/a"},
        {"", "."},
        {"a/..", "."},
        {"/", "/"},
        {"//a//b/", "/a/b"},
        {"/a/b/../../..", "/"},
        {"a/./b/./c", "a/b/c"},
        {"..", ".."},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char buf[64];
        strcpy(buf, cases[i][0]);
        hm_path_normalize(buf);
        assert_string_equal(buf, cases[i][1]);
    }
}

static void test_config_path_inside(void **state) {
    assert_string_equal(hm_path_inside("/p/src/a.c", "/p"), "src/a.c");
    assert_null(hm_path_inside("/p", "/p"));
    assert_null(hm_path_inside("/pq/a.c", "/p"));
    assert_null(hm_path_inside("/q/a.c", "/p"));
    assert_string_equal(hm_path_inside("/a.c", "/"), "a.c");
    assert_string_equal(hm_path_inside("src/a.c", "."), "src/a.c");
    assert_null(hm_path_inside("../a.c", "."));
    char *abs = hm_path_absolute("src/../b.c", "/w");
    assert_string_equal(abs, "/w/b.c");
    free(abs);
    abs = hm_path_absolute("src/./b.c", NULL);
    assert_string_equal(abs, "src/b.c");
    free(abs);
}

/* A relative base (a compile command's "directory": "build") is itself relative to the working
 * directory: the result is absolute, not "build/src/a.c". */
static void test_config_path_absolute_relative_base(void **state) {
    char *cwd = hm_path_current_dir();
    assert_non_null(cwd);
    char *expected = join(cwd, "build/src/a.c");
    hm_path_normalize(expected);
    char *abs = hm_path_absolute("./src/a.c", "build/");
    assert_string_equal(abs, expected);
    free(abs);
    abs = hm_path_absolute("../src/a.c", "./build/x");
    assert_string_equal(abs, expected);
    free(abs);
    free(expected);
    abs = hm_path_absolute("/abs/a.c", "build");
    assert_string_equal(abs, "/abs/a.c");
    free(abs);
    free(cwd);
}

static void test_config_runtime_text_names_the_file(void **state) {
    tmp_fixture *fx = *state;
    char *path = join(fx->dir, "heatmap.yaml");
    write_file(path, "runtime:\n  output: x.json\n");
    assert_int_equal(chdir(fx->dir), 0);
    hm_config *config = NULL;
    hm_config_error err = {{0}};
    assert_int_equal(hm_config_load_file("./heatmap.yaml", &config, &err), 0);
    char *text = NULL, expected[PATH_MAX + 64];
    assert_int_equal(hm_config_runtime_text(config, &text), 0);
    snprintf(expected, sizeof expected, "#config=%s\nHEATMAP_OUTPUT=x.json\n", path);
    assert_string_equal(text, expected);
    free(text);
    hm_config_free(config);
    free(path);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_config_default_includes_everything),
    cmocka_unit_test(test_config_empty_and_comment_only_files_mean_defaults),
    cmocka_unit_test(test_config_instrument_default_follows_include),
    cmocka_unit_test(test_config_full_schema_is_read),
    cmocka_unit_test(test_config_trivial_threshold_values),
    cmocka_unit_test(test_config_lists_may_be_a_single_string),
    cmocka_unit_test(test_config_empty_include_list_includes_everything),
    cmocka_unit_test(test_config_exact_name_beats_any_glob),
    cmocka_unit_test(test_config_more_literal_glob_wins),
    cmocka_unit_test(test_config_tie_goes_to_exclude),
    cmocka_unit_test(test_config_first_of_equal_includes_is_reported),
    cmocka_unit_test(test_config_exclude_decides_even_when_include_misses),
    cmocka_unit_test(test_config_function_and_file_rules_must_both_pass),
    cmocka_unit_test(test_config_file_rule_reported_when_function_rules_are_default),
    cmocka_unit_test(test_config_file_paths_are_normalised),
    cmocka_unit_test(test_config_function_globs_and_escapes),
    cmocka_unit_test(test_config_cxx_names_as_patterns),
    cmocka_unit_test(test_config_docs_worked_example),
    cmocka_unit_test(test_config_patterns_are_listed),
    cmocka_unit_test(test_config_reason_names_are_stable),
    cmocka_unit_test(test_config_error_malformed_yaml),
    cmocka_unit_test(test_config_error_unknown_key_suggests),
    cmocka_unit_test(test_config_error_wrong_types),
    cmocka_unit_test(test_config_error_non_string_patterns),
    cmocka_unit_test(test_config_quoted_or_wordy_scalars_are_patterns),
    cmocka_unit_test(test_config_error_unquoted_star_pattern),
    cmocka_unit_test(test_config_error_deep_nesting_is_refused_early),
    cmocka_unit_test(test_config_error_invalid_glob),
    cmocka_unit_test(test_config_error_version),
    cmocka_unit_test(test_config_error_duplicate_key),
    cmocka_unit_test(test_config_error_instrument_value),
    cmocka_unit_test(test_config_error_max_instructions),
    cmocka_unit_test(test_config_error_second_document),
    cmocka_unit_test(test_config_error_long_values_are_shortened),
    cmocka_unit_test(test_config_error_string_name_defaults),
    cmocka_unit_test(test_config_runtime_section_is_read),
    cmocka_unit_test(test_config_runtime_section_without_values_embeds_nothing),
    cmocka_unit_test(test_config_runtime_unknown_keys),
    cmocka_unit_test(test_config_runtime_bad_values),
    cmocka_unit_test(test_config_view_section_is_kept_as_written),
    cmocka_unit_test_setup_teardown(test_config_runtime_text_names_the_file, tmp_setup,
                                    tmp_teardown),
    cmocka_unit_test_setup_teardown(test_config_load_file_unreadable, tmp_setup, tmp_teardown),
    cmocka_unit_test_setup_teardown(test_config_load_file_errors_name_the_path, tmp_setup,
                                    tmp_teardown),
    cmocka_unit_test_setup_teardown(test_config_file_rules_are_relative_to_the_config, tmp_setup,
                                    tmp_teardown),
    cmocka_unit_test_setup_teardown(test_config_find_upward_nearest_wins, tmp_setup, tmp_teardown),
    cmocka_unit_test_setup_teardown(test_config_find_upward_relative_paths_use_cwd, tmp_setup,
                                    tmp_teardown),
    cmocka_unit_test_setup_teardown(test_config_find_upward_none, tmp_setup, tmp_teardown),
    cmocka_unit_test(test_config_path_normalize),
    cmocka_unit_test(test_config_path_inside),
    cmocka_unit_test(test_config_path_absolute_relative_base),
})
