/* Internals shared by the config library's modules (parsing, selection, globs, paths); not
 * installed.
 *
 * A loaded config is immutable: every string below is owned by the config and freed by
 * hm_config_free(), and the selection code only reads it, which is what makes hm_config_select()
 * safe for concurrent callers.
 */
#ifndef HEATMAP_CONFIG_INTERNAL_H
#define HEATMAP_CONFIG_INTERNAL_H

#include "hm_config.h"

#include <stddef.h>

/* One glob from an include or exclude list. */
typedef struct hm_pattern {
    char *text;           /* as written in the YAML file */
    char *literal;        /* unescaped text when the pattern has no wildcard, else NULL */
    size_t literal_count; /* non-wildcard characters: the specificity of a glob */
    int line;             /* 1-based line in the YAML file */
} hm_pattern;

typedef struct hm_pattern_list {
    hm_pattern *items;
    size_t count;
    int line; /* line of the list's value in the YAML file; 0 when the key is absent */
} hm_pattern_list;

typedef struct hm_rule_set {
    hm_pattern_list include;
    hm_pattern_list exclude;
} hm_rule_set;

/* One `key: value` of a settings section (runtime:, view:), its strings owned by the config. */
typedef struct hm_setting_entry {
    char *key;
    char *value;
    int line, column;         /* of the value, 1-based */
    int key_line, key_column; /* of the key */
} hm_setting_entry;

typedef struct hm_setting_list {
    hm_setting_entry *items;
    size_t count;
} hm_setting_list;

struct hm_config {
    hm_rule_set functions;
    hm_rule_set files;
    unsigned trivial_threshold;
    hm_instrument_point instrument;
    bool instrument_set; /* `instrument` was given; otherwise hm_config_instrument_point decides */
    char *source;        /* file name or "<default>" */
    char *base_dir; /* absolute, normalised directory of the config file; NULL if not from a file */
    char *cwd;      /* working directory at load time, for relative source paths; may be NULL */
    char *path;     /* absolute path of the file, or the name given to hm_config_load_string */
    /* runtime: the settings given, in the file's order, each key one of settings.h's, each value
     * checked by its rule; view: every key and scalar value as written (heatmap-view checks). */
    hm_setting_list runtime;
    hm_setting_list view;
};

/* glob.c: helpers for patterns that passed hm_glob_check(). */
bool hm_glob_is_literal(const char *pattern);      /* no unescaped `*`, `?` or `[` */
size_t hm_glob_literal_count(const char *pattern); /* characters other than wildcards */
void hm_glob_unescape(char *pattern);              /* drop `\` escapes in place */

#endif /* HEATMAP_CONFIG_INTERNAL_H */
