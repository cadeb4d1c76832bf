/* Unit tests of heatmap-view's settings (viewer/settings.c): flag > environment > heatmap.yaml
 * view: > default, the errors each source gets, --show-settings' text, and docs/config.md listing
 * every viewer setting.
 *
 * The environment is a table the test gives (hm_getenv_fn); heatmap.yaml is loaded from a string.
 * Expected values and messages are written out by hand.
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

#include "cli.h"
#include "settings.h"

/* ---- A fake environment ---------------------------------------------------------------------- */

static const char *const *fake_env; /* NAME, VALUE, ..., NULL */

static const char *env_lookup(const char *name) {
    for (const char *const *p = fake_env; p && *p; p += 2)
        if (strcmp(p[0], name) == 0)
            return p[1];
    return NULL;
}

static hm_config *config_of(const char *yaml) {
    hm_config *config = NULL;
    hm_config_error err;
    if (hm_config_load_string(yaml, strlen(yaml), "t.yaml", &config, &err) != 0)
        fail_msg("%s", err.message);
    return config;
}

/* Parse argv (NULL-terminated, without the program name), then resolve with `env` and `yaml`
 * (NULL: no file). Returns what hm_view_settings_resolve returned; its message in err. */
static int resolve(const char *const *args, const char *const *env, const char *yaml, hm_cli *cli,
                   hm_view_settings *vs, char *err, size_t errlen) {
    char *argv[16] = {"heatmap-view"};
    int argc = 1;
    for (; args && args[argc - 1]; argc++)
        argv[argc] = (char *)args[argc - 1];
    char perr[256];
    if (hm_cli_parse(argc, argv, cli, perr, sizeof perr) != 0)
        fail_msg("%s", perr);
    fake_env = env;
    hm_config *config = yaml ? config_of(yaml) : NULL;
    int rc = hm_view_settings_resolve(cli, config, "t.yaml", env_lookup, vs, err, errlen);
    hm_config_free(config);
    return rc;
}

/* ---- Precedence ------------------------------------------------------------------------------ */

static void test_view_settings_flag_beats_environment_beats_file_beats_default(void **state) {
    (void)state;
    static hm_view_settings vs;
    hm_cli cli;
    char err[512];
    const char *yaml = "view:\n  mode: table\n  sort: name\n  top: 7\n  threads: on\n";
    const char *const env[] = {"HEATMAP_VIEW_MODE", "sparkline", "HEATMAP_VIEW_SORT", "count",
                               NULL};
    const char *const args[] = {"--mode=memory", NULL};

    /* Default only. */
    assert_int_equal(resolve(NULL, NULL, NULL, &cli, &vs, err, sizeof err), 0);
    assert_int_equal(cli.mode, HM_MODE_BAR);
    assert_int_equal(vs.source[0], HM_VIEW_FROM_DEFAULT);
    assert_string_equal(vs.config, "");
    hm_cli_free(&cli);

    /* The file over the default. */
    assert_int_equal(resolve(NULL, NULL, yaml, &cli, &vs, err, sizeof err), 0);
    assert_int_equal(cli.mode, HM_MODE_TABLE);
    assert_int_equal(cli.sort, HM_SORT_NAME);
    assert_int_equal(cli.top, 7);
    assert_true(cli.threads);
    assert_int_equal(vs.source[0], HM_VIEW_FROM_CONFIG);
    assert_string_equal(vs.from[0], "t.yaml:2:9");
    assert_string_equal(vs.config, "t.yaml");
    hm_cli_free(&cli);

    /* The environment over the file. */
    assert_int_equal(resolve(NULL, env, yaml, &cli, &vs, err, sizeof err), 0);
    assert_int_equal(cli.mode, HM_MODE_SPARKLINE);
    assert_int_equal(cli.sort, HM_SORT_COUNT);
    assert_int_equal(cli.top, 7); /* not in the environment: still the file's */
    assert_int_equal(vs.source[0], HM_VIEW_FROM_ENVIRONMENT);
    assert_string_equal(vs.from[0], "HEATMAP_VIEW_MODE");
    assert_int_equal(vs.source[2], HM_VIEW_FROM_CONFIG);
    hm_cli_free(&cli);

    /* The flag over the environment. */
    assert_int_equal(resolve(args, env, yaml, &cli, &vs, err, sizeof err), 0);
    assert_int_equal(cli.mode, HM_MODE_MEMORY);
    assert_int_equal(cli.sort, HM_SORT_COUNT);
    assert_int_equal(vs.source[0], HM_VIEW_FROM_FLAG);
    assert_string_equal(vs.from[0], "--mode");
    assert_int_equal(vs.source[1], HM_VIEW_FROM_ENVIRONMENT);
    hm_cli_free(&cli);
}

static void test_view_settings_switches_and_no_color(void **state) {
    (void)state;
    static hm_view_settings vs;
    hm_cli cli;
    char err[512];
    /* Off from the file, on again from the environment. */
    const char *const env_on[] = {"HEATMAP_VIEW_COLOR", "yes", "HEATMAP_VIEW_THREADS", "0", NULL};
    assert_int_equal(
        resolve(NULL, env_on, "view:\n  color: off\n  threads: true\n", &cli, &vs, err, sizeof err),
        0);
    assert_false(cli.no_color);
    assert_false(cli.threads);
    assert_int_equal(vs.source[5], HM_VIEW_FROM_ENVIRONMENT);
    hm_cli_free(&cli);
    /* --no-color beats the environment's on. */
    const char *const args[] = {"--no-color", NULL};
    assert_int_equal(resolve(args, env_on, NULL, &cli, &vs, err, sizeof err), 0);
    assert_true(cli.no_color);
    assert_int_equal(vs.source[5], HM_VIEW_FROM_FLAG);
    hm_cli_free(&cli);
    /* NO_COLOR turns colours off whatever the setting says (the TUI reads it too). */
    const char *const no_color[] = {"NO_COLOR", "1", "HEATMAP_VIEW_COLOR", "on", NULL};
    assert_int_equal(resolve(NULL, no_color, NULL, &cli, &vs, err, sizeof err), 0);
    assert_true(cli.no_color);
    assert_string_equal(vs.from[5], "NO_COLOR");
    hm_cli_free(&cli);
    /* An empty variable is unset. */
    const char *const empty[] = {"HEATMAP_VIEW_MODE", "", "NO_COLOR", "", NULL};
    assert_int_equal(resolve(NULL, empty, "view:\n  mode: table\n", &cli, &vs, err, sizeof err), 0);
    assert_int_equal(cli.mode, HM_MODE_TABLE);
    assert_false(cli.no_color);
    hm_cli_free(&cli);
}

/* ---- Errors ---------------------------------------------------------------------------------- */

static void assert_resolve_error(const char *const *env, const char *yaml, const char *expected) {
    static hm_view_settings vs;
    hm_cli cli;
    char err[512] = "";
    assert_int_equal(resolve(NULL, env, yaml, &cli, &vs, err, sizeof err), -1);
    assert_string_equal(err, expected);
    hm_cli_free(&cli);
}

static void test_view_settings_errors_name_the_source(void **state) {
    (void)state;
    const char *const bad_mode[] = {"HEATMAP_VIEW_MODE", "tabel", NULL};
    assert_resolve_error(bad_mode, NULL,
                         "HEATMAP_VIEW_MODE=tabel: unknown mode 'tabel' (expected bar, sparkline, "
                         "table or memory)");
    const char *const bad_top[] = {"HEATMAP_VIEW_TOP", "ten", NULL};
    assert_resolve_error(bad_top, NULL,
                         "HEATMAP_VIEW_TOP=ten: 'ten' is not a positive number or 'all'");
    const char *const bad_switch[] = {"HEATMAP_VIEW_THREADS", "sometimes", NULL};
    assert_resolve_error(bad_switch, NULL,
                         "HEATMAP_VIEW_THREADS=sometimes: 'sometimes' is not on or off (also 1/0, "
                         "true/false, yes/no)");
    assert_resolve_error(NULL, "view:\n  mode: tabel\n",
                         "t.yaml:2:9: error: invalid value for 'view.mode': unknown mode 'tabel' "
                         "(expected bar, sparkline, table or memory)");
    assert_resolve_error(NULL, "view:\n  width: 20\n",
                         "t.yaml:2:10: error: invalid value for 'view.width': '20' is not a number "
                         "from 40 to 1000");
    assert_resolve_error(NULL, "version: 1\nview:\n  mode: bar\n  colour: off\n",
                         "t.yaml:4:3: error: unknown key 'colour' in 'view'; expected one of "
                         "'mode', 'sort', 'top', 'percentile', 'width', 'color', 'threads', "
                         "'interval'");
    /* Only the values used are checked: a file value the environment overrides is not (an
     * unknown key always is, above). */
    const char *const env_mode[] = {"HEATMAP_VIEW_MODE", "table", NULL};
    static hm_view_settings vs;
    hm_cli cli;
    char err[512];
    assert_int_equal(resolve(NULL, env_mode, "view:\n  mode: tabel\n", &cli, &vs, err, sizeof err),
                     0);
    hm_cli_free(&cli);
}

/* ---- --show-settings ------------------------------------------------------------------------- */

static void test_view_settings_show_text(void **state) {
    (void)state;
    static hm_view_settings vs;
    hm_cli cli;
    char err[512];
    const char *const env[] = {"HEATMAP_VIEW_SORT", "self", NULL};
    const char *const args[] = {"--top=10", "--show-settings", NULL};
    assert_int_equal(resolve(args, env, "view:\n  mode: table\n", &cli, &vs, err, sizeof err), 0);
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    assert_non_null(out);
    assert_int_equal(
        hm_view_settings_show(out, &cli, &vs, NULL, env_lookup, false, err, sizeof err), 0);
    fclose(out);
    assert_string_equal(
        text, "heatmap-view settings (flag > environment > heatmap.yaml view: > default)\n"
              "heatmap.yaml: t.yaml\n"
              "  mode                    table            heatmap.yaml t.yaml:2:9\n"
              "  sort                    self             environment HEATMAP_VIEW_SORT\n"
              "  top                     10               flag --top\n"
              "  percentile              p95              default\n"
              "  width                   auto             default\n"
              "  color                   on               default\n"
              "  threads                 off              default\n"
              "  interval                1s               default\n");
    free(text);
    /* A program that cannot be read: an error, nothing printed. */
    text = NULL;
    out = open_memstream(&text, &size);
    assert_int_equal(hm_view_settings_show(out, &cli, &vs, "/nonexistent/prog", env_lookup, false,
                                           err, sizeof err),
                     -1);
    fclose(out);
    assert_string_equal(text, "");
    assert_string_equal(err, "/nonexistent/prog: cannot open: No such file or directory");
    free(text);
    hm_cli_free(&cli);
}

/* docs/config.md has a row | `KEY` | `HEATMAP_VIEW_*` | ... for each viewer setting, and names no
 * other HEATMAP_VIEW_* variable. */
static void test_view_settings_docs_list_every_setting(void **state) {
    (void)state;
    static const char *const keys[] = {"mode",  "sort",  "top",     "percentile",
                                       "width", "color", "threads", "interval"};
    FILE *f = fopen(HM_SOURCE_DIR "/docs/config.md", "r");
    assert_non_null(f);
    bool found[sizeof keys / sizeof *keys] = {false};
    char line[4096];
    while (fgets(line, sizeof line, f) != NULL) {
        char key[64], var[64];
        if (sscanf(line, "| `%63[^`]` | `%63[^`]` |", key, var) != 2 ||
            strncmp(var, "HEATMAP_VIEW_", 13) != 0)
            continue;
        size_t i = 0;
        while (i < sizeof keys / sizeof *keys && strcmp(keys[i], key) != 0)
            i++;
        if (i == sizeof keys / sizeof *keys)
            fail_msg("docs/config.md: a row for view key '%s', which heatmap-view does not have",
                     key);
        char want[80];
        snprintf(want, sizeof want, "HEATMAP_VIEW_%s", key);
        for (char *c = want + 13; *c; c++)
            *c = (char)(*c - 'a' + 'A');
        if (strcmp(var, want) != 0)
            fail_msg("docs/config.md: view key '%s' documented as %s, not %s", key, var, want);
        found[i] = true;
    }
    fclose(f);
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        if (!found[i])
            fail_msg("docs/config.md: no row for the view setting '%s'", keys[i]);
    /* ... and those are the keys heatmap-view takes: an unknown one names them all. */
    char expected[512] = "t.yaml:2:3: error: unknown key 'x' in 'view'; expected one of ";
    for (size_t i = 0; i < sizeof keys / sizeof *keys; i++)
        snprintf(expected + strlen(expected), sizeof expected - strlen(expected), "%s'%s'",
                 i ? ", " : "", keys[i]);
    assert_resolve_error(NULL, "view:\n  x: 1\n", expected);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_view_settings_flag_beats_environment_beats_file_beats_default),
    cmocka_unit_test(test_view_settings_switches_and_no_color),
    cmocka_unit_test(test_view_settings_errors_name_the_source),
    cmocka_unit_test(test_view_settings_show_text),
    cmocka_unit_test(test_view_settings_docs_list_every_setting),
})
