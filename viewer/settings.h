/* heatmap-view's own settings: flag > environment > heatmap.yaml view: > default; and
 * --show-settings, which prints them, and a program's runtime settings, with where each came from.
 *
 * The settings are one table in settings.c: each has a key under heatmap.yaml's `view:`, an
 * environment variable (HEATMAP_VIEW_*) and the flag that sets it. A value from the environment
 * or the file goes through the flag's own parser (hm_cli_apply_option), so the three sources
 * accept the same values and fail with the same words. heatmap.yaml is the file $HEATMAP_CONFIG
 * names, else ./heatmap.yaml when the working directory has one (not a parent's: the viewer runs
 * anywhere, and a build's heatmap.yaml further up is not meant for it); config/ parses it, so the
 * whole file is checked as the plugin checks it. docs/config.md has the table and the precedence.
 */
#ifndef HEATMAP_VIEWER_SETTINGS_H
#define HEATMAP_VIEWER_SETTINGS_H

#include "cli.h"
#include "hm_config.h"

#include <stdbool.h>
#include <stdio.h>

#define HM_VIEW_SETTINGS_COUNT 8

typedef enum hm_view_source {
    HM_VIEW_FROM_DEFAULT = 0,
    HM_VIEW_FROM_CONFIG, /* heatmap.yaml's view: */
    HM_VIEW_FROM_ENVIRONMENT,
    HM_VIEW_FROM_FLAG,
} hm_view_source;

/* Where each setting's value came from, in the table's order. */
typedef struct hm_view_settings {
    char config[4096]; /* the heatmap.yaml read; "" when none */
    hm_view_source source[HM_VIEW_SETTINGS_COUNT];
    char from[HM_VIEW_SETTINGS_COUNT][4200]; /* "--mode", "HEATMAP_VIEW_MODE", "PATH:LINE:COL" */
} hm_view_settings;

/* The environment, as a function so the tests can give their own. */
typedef const char *(*hm_getenv_fn)(const char *name);

/* Complete `cli`, whose flags are parsed: every setting not given as a flag takes the
 * environment's value, else the value under `config`'s view: (config may be NULL; config_name
 * names it in *out), else keeps its default. Returns 0, or -1 with one message in err: a bad
 * environment value names the variable ("HEATMAP_VIEW_MODE: unknown mode 'x' (expected ...)"), a
 * bad or unknown file key its position ("FILE:LINE:COL: error: ..."). */
int hm_view_settings_resolve(hm_cli *cli, const hm_config *config, const char *config_name,
                             hm_getenv_fn env, hm_view_settings *out, char *err, size_t errlen);

/* hm_view_settings_resolve with the real environment and the heatmap.yaml found as above (a file
 * $HEATMAP_CONFIG names must load; a ./heatmap.yaml that does not load is an error too). */
int hm_view_settings_load(hm_cli *cli, hm_view_settings *out, char *err, size_t errlen);

/* --show-settings: print the settings of `cli` (resolved into `vs`) as stable text, or JSON when
 * `json`, and when `program` is not NULL the runtime settings it would run with now: each of
 * include/heatmap/settings.h's, resolved as the runtime does (default < embedded in the program <
 * the environment `env`). Returns 0, or -1 with err when the program cannot be read (nothing is
 * printed then). */
int hm_view_settings_show(FILE *out, const hm_cli *cli, const hm_view_settings *vs,
                          const char *program, hm_getenv_fn env, bool json, char *err,
                          size_t errlen);

#endif /* HEATMAP_VIEWER_SETTINGS_H */
