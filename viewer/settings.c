/* heatmap-view's settings and --show-settings (see settings.h).
 *
 * One table lists the viewer's settings; resolving one is: the flag if given, else its
 * HEATMAP_VIEW_* variable (set and not empty), else its key under heatmap.yaml's view:, else the
 * default cli.c set. Values that take a flag's value are applied through that flag's parser; the
 * on/off ones (color, threads) through include/heatmap/settings.h's hm_settings_parse_bool, the
 * runtime's words for on and off. The runtime part of --show-settings resolves each setting of
 * settings.h with hm_settings_resolve, the function the runtime itself calls, over the program's
 * embedded text (program_settings.c) and this process's environment.
 */
#define _POSIX_C_SOURCE 200809L
#include "settings.h"

#include "program_settings.h"

#include <heatmap/settings.h>

#include <jansson.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef enum view_kind {
    VIEW_VALUE,  /* the flag takes the value: --mode=table */
    VIEW_SWITCH, /* on/off; the flag sets `flag_sets` */
} view_kind;

static const struct view_setting {
    const char *key;      /* under view: */
    const char *variable; /* the environment's name */
    const char *flag;     /* the long option that sets it */
    view_kind kind;
    size_t field;  /* VIEW_SWITCH: offset of its bool in hm_cli */
    bool inverted; /* VIEW_SWITCH: the bool is true when the setting is off (no_color) */
} view_settings[HM_VIEW_SETTINGS_COUNT] = {
    {"mode", "HEATMAP_VIEW_MODE", "mode", VIEW_VALUE, 0, false},
    {"sort", "HEATMAP_VIEW_SORT", "sort", VIEW_VALUE, 0, false},
    {"top", "HEATMAP_VIEW_TOP", "top", VIEW_VALUE, 0, false},
    {"percentile", "HEATMAP_VIEW_PERCENTILE", "percentile", VIEW_VALUE, 0, false},
    {"width", "HEATMAP_VIEW_WIDTH", "width", VIEW_VALUE, 0, false},
    {"color", "HEATMAP_VIEW_COLOR", "no-color", VIEW_SWITCH, offsetof(hm_cli, no_color), true},
    {"threads", "HEATMAP_VIEW_THREADS", "threads", VIEW_SWITCH, offsetof(hm_cli, threads), false},
    {"interval", "HEATMAP_VIEW_INTERVAL", "interval", VIEW_VALUE, 0, false},
};

static const char *const source_names[] = {"default", "heatmap.yaml", "environment", "flag"};

/* Apply `value` to setting `s`; on failure, err holds what is wrong with it (the flag's message
 * without its "--flag: " prefix). */
static int apply_value(hm_cli *cli, const struct view_setting *s, const char *value, char *err,
                       size_t errlen) {
    if (s->kind == VIEW_SWITCH) {
        int on = hm_settings_parse_bool(value);
        if (on < 0)
            return hm_errorf(err, errlen, "'%s' is not on or off (also 1/0, true/false, yes/no)",
                             value);
        *(bool *)((char *)cli + s->field) = s->inverted ? !on : on;
        return 0;
    }
    char msg[512];
    if (hm_cli_apply_option(cli, s->flag, value, msg, sizeof msg) == 0)
        return 0;
    size_t prefix = strlen(s->flag) + 4; /* "--" flag ": " */
    bool has_prefix = strncmp(msg, "--", 2) == 0 &&
                      strncmp(msg + 2, s->flag, strlen(s->flag)) == 0 &&
                      strncmp(msg + prefix - 2, ": ", 2) == 0;
    return hm_errorf(err, errlen, "%s", has_prefix ? msg + prefix : msg);
}

static const struct view_setting *find_key(const char *key) {
    for (size_t i = 0; i < HM_VIEW_SETTINGS_COUNT; i++)
        if (strcmp(view_settings[i].key, key) == 0)
            return &view_settings[i];
    return NULL;
}

/* The view: entries must all be settings of the table. */
static int check_keys(const hm_config *config, const char *name, char *err, size_t errlen) {
    for (size_t i = 0; i < hm_config_view_count(config); i++) {
        hm_config_entry e = hm_config_view_at(config, i);
        if (find_key(e.key) != NULL)
            continue;
        char keys[256] = "";
        size_t n = 0;
        for (size_t k = 0; k < HM_VIEW_SETTINGS_COUNT && n < sizeof keys; k++) {
            int w =
                snprintf(keys + n, sizeof keys - n, "%s'%s'", k ? ", " : "", view_settings[k].key);
            n += w > 0 ? (size_t)w : 0;
        }
        return hm_errorf(err, errlen,
                         "%s:%d:%d: error: unknown key '%.40s' in 'view'; expected one of %s", name,
                         e.key_line, e.key_column, e.key, keys);
    }
    return 0;
}

int hm_view_settings_resolve(hm_cli *cli, const hm_config *config, const char *config_name,
                             hm_getenv_fn env, hm_view_settings *out, char *err, size_t errlen) {
    memset(out, 0, sizeof *out);
    const char *name = config_name != NULL ? config_name : hm_config_source(config);
    if (config != NULL) {
        snprintf(out->config, sizeof out->config, "%s", name);
        if (check_keys(config, name, err, errlen) != 0)
            return -1;
    }
    for (size_t i = 0; i < HM_VIEW_SETTINGS_COUNT; i++) {
        const struct view_setting *s = &view_settings[i];
        char why[600];
        if (hm_cli_given(cli, s->flag)) {
            out->source[i] = HM_VIEW_FROM_FLAG;
            snprintf(out->from[i], sizeof out->from[i], "--%s", s->flag);
            continue;
        }
        const char *v = env(s->variable);
        if (v != NULL && v[0] != '\0') {
            if (apply_value(cli, s, v, why, sizeof why) != 0)
                return hm_errorf(err, errlen, "%s=%.40s: %s", s->variable, v, why);
            out->source[i] = HM_VIEW_FROM_ENVIRONMENT;
            snprintf(out->from[i], sizeof out->from[i], "%s", s->variable);
            continue;
        }
        for (size_t k = 0; k < hm_config_view_count(config); k++) {
            hm_config_entry e = hm_config_view_at(config, k);
            if (strcmp(e.key, s->key) != 0)
                continue;
            if (apply_value(cli, s, e.value, why, sizeof why) != 0)
                return hm_errorf(err, errlen, "%s:%d:%d: error: invalid value for 'view.%s': %s",
                                 name, e.line, e.column, s->key, why);
            out->source[i] = HM_VIEW_FROM_CONFIG;
            snprintf(out->from[i], sizeof out->from[i], "%s:%d:%d", name, e.line, e.column);
        }
    }
    /* NO_COLOR (no-color.org) turns colours off whatever the setting says; the TUI reads it too. */
    const char *no_color = env("NO_COLOR");
    if (!cli->no_color && no_color != NULL && no_color[0] != '\0') {
        cli->no_color = true;
        out->source[5] = HM_VIEW_FROM_ENVIRONMENT;
        snprintf(out->from[5], sizeof out->from[5], "NO_COLOR");
    }
    return 0;
}

static const char *real_getenv(const char *name) {
    return getenv(name);
}

int hm_view_settings_load(hm_cli *cli, hm_view_settings *out, char *err, size_t errlen) {
    const char *path = getenv("HEATMAP_CONFIG");
    struct stat st;
    if (path == NULL || path[0] == '\0')
        path = stat("heatmap.yaml", &st) == 0 && S_ISREG(st.st_mode) ? "heatmap.yaml" : NULL;
    hm_config *config = NULL;
    hm_config_error cerr;
    if (path != NULL && hm_config_load_file(path, &config, &cerr) != 0)
        return hm_errorf(err, errlen, "%s", cerr.message);
    int rc = hm_view_settings_resolve(cli, config, path, real_getenv, out, err, errlen);
    hm_config_free(config);
    return rc;
}

/* ---- --show-settings ----------------------------------------------------------------------- */

/* The value setting i has in `cli`, as text. */
static const char *view_value(const hm_cli *cli, size_t i, char *buf, size_t size) {
    switch (i) {
    case 0:
        return hm_mode_name(cli->mode);
    case 1:
        return hm_sort_key_name(cli->sort);
    case 2:
        if (cli->top == HM_TOP_MODE)
            return "auto";
        if (cli->top == HM_TOP_ALL)
            return "all";
        snprintf(buf, size, "%zu", cli->top);
        return buf;
    case 3:
        snprintf(buf, size, "%s", hm_pct_label(cli->pct));
        buf[0] = 'p';
        return buf;
    case 4:
        if (cli->width == 0)
            return "auto";
        snprintf(buf, size, "%zu", cli->width);
        return buf;
    case 7: /* live.h: 0 is its default, 1s */
        if (cli->interval_ms % 1000 == 0)
            snprintf(buf, size, "%us", cli->interval_ms ? cli->interval_ms / 1000 : 1);
        else
            snprintf(buf, size, "%ums", cli->interval_ms);
        return buf;
    default: {
        const struct view_setting *s = &view_settings[i];
        bool b = *(const bool *)((const char *)cli + s->field);
        return (s->inverted ? !b : b) ? "on" : "off";
    }
    }
}

/* One runtime setting as the runtime would resolve it. */
typedef struct runtime_row {
    const char *value, *embedded, *environment;
    hm_setting_source source;
    unsigned refused;
    bool warns; /* the value that applies fails the strict check (a PORT or LIST at its use) */
    char embedded_buf[1100];
} runtime_row;

static void resolve_runtime(const hm_program_settings *ps, hm_getenv_fn env, size_t i,
                            runtime_row *row) {
    const hm_setting_def *d = &hm_settings_defs[i];
    size_t len = 0;
    const char *in = ps->text != NULL ? hm_settings_text_find(ps->text, d->variable, &len) : NULL;
    row->embedded = NULL;
    if (in != NULL && len < sizeof row->embedded_buf) {
        memcpy(row->embedded_buf, in, len);
        row->embedded_buf[len] = '\0';
        row->embedded = row->embedded_buf;
    }
    row->environment = env(d->variable);
    row->value =
        hm_settings_resolve(d, row->embedded, row->environment, &row->source, &row->refused);
    row->warns = hm_settings_check(d, row->value, true) != HM_SETTING_OK;
}

static const char *const runtime_sources[] = {"default", "embedded", "environment"};

/* The heatmap.yaml the embedded text came from, into buf ("" when none). */
static const char *embedded_from(const hm_program_settings *ps, char *buf, size_t size) {
    size_t len = 0;
    const char *p = ps->text != NULL ? hm_settings_text_find(ps->text, "#config", &len) : NULL;
    snprintf(buf, size, "%.*s", p ? (int)len : 0, p ? p : "");
    return buf;
}

/* `s` for a terminal: control bytes as \xNN (a program file or the environment may hold any),
 * into buf (4 times the text, plus one); "(none)" for an empty text. */
static const char *printable(const char *s, char *buf, size_t size) {
    size_t n = 0;
    if (s[0] == '\0')
        return "(none)";
    for (; *s && n + 5 < size; s++) {
        unsigned char c = (unsigned char)*s;
        n += (size_t)(c < 0x20 || c == 0x7f ? snprintf(buf + n, size - n, "\\x%02x", c)
                                            : snprintf(buf + n, size - n, "%c", c));
    }
    buf[n] = '\0';
    return buf;
}

static void show_text(FILE *out, const hm_cli *cli, const hm_view_settings *vs,
                      const hm_program_settings *ps, hm_getenv_fn env) {
    char buf[64], value[4400], other[4400];
    fprintf(out, "heatmap-view settings (flag > environment > heatmap.yaml view: > default)\n");
    fprintf(out, "heatmap.yaml: %s\n",
            vs->config[0] ? printable(vs->config, value, sizeof value)
                          : "none ($HEATMAP_CONFIG unset, no ./heatmap.yaml)");
    for (size_t i = 0; i < HM_VIEW_SETTINGS_COUNT; i++) {
        fprintf(out, "  %-23s %-16s %s%s%s\n", view_settings[i].key,
                view_value(cli, i, buf, sizeof buf), source_names[vs->source[i]],
                vs->from[i][0] ? " " : "", vs->from[i]);
    }
    if (ps == NULL)
        return;
    char from[1100];
    fprintf(out,
            "\nruntime settings of %s if it ran now (environment > embedded in the program > "
            "default)\n",
            printable(ps->path, value, sizeof value));
    if (ps->text != NULL)
        fprintf(out, "embedded: %s\n",
                printable(embedded_from(ps, from, sizeof from), value, sizeof value));
    else
        fprintf(out, "embedded: none (%s)\n",
                ps->has_section ? "no record this heatmap-view reads"
                                : "no heatmap_settings section: built without a runtime: section "
                                  "or without the plugin");
    for (size_t i = 0; i < HM_SETTINGS_COUNT; i++) {
        const hm_setting_def *d = &hm_settings_defs[i];
        runtime_row row;
        resolve_runtime(ps, env, i, &row);
        fprintf(out, "  %-23s %-16s %s", d->variable, printable(row.value, value, sizeof value),
                runtime_sources[row.source]);
        if (row.source == HM_SETTING_FROM_ENVIRONMENT && row.embedded != NULL)
            fprintf(out, " (overrides the embedded %s)",
                    printable(row.embedded, other, sizeof other));
        if (row.refused & HM_SETTING_ENVIRONMENT_REFUSED)
            fprintf(out, " (the environment's %s would be ignored: expected %s)",
                    printable(row.environment, other, sizeof other), d->accepted);
        if (row.refused & HM_SETTING_EMBEDDED_REFUSED)
            fprintf(out, " (the embedded %s would be ignored: expected %s)",
                    printable(row.embedded, other, sizeof other), d->accepted);
        if (row.warns)
            fprintf(out, " (the runtime would warn: expected %s)", d->accepted);
        fputc('\n', out);
    }
    if (ps->differ > 0)
        fprintf(out,
                "note: %zu of the %zu embedded records hold other settings; the first in link "
                "order applies, as in the runtime\n",
                ps->differ, ps->records);
    if (ps->other_versions > 0)
        fprintf(out, "note: %zu embedded records of another version are ignored\n",
                ps->other_versions);
}

static json_t *json_string_or_null(const char *s) {
    return s != NULL && s[0] != '\0' ? json_string(s) : json_null();
}

static int show_json(FILE *out, const hm_cli *cli, const hm_view_settings *vs,
                     const hm_program_settings *ps, hm_getenv_fn env) {
    char buf[64];
    json_t *root = json_object(), *view = json_object(), *list = json_array();
    json_object_set_new(view, "config", json_string_or_null(vs->config));
    for (size_t i = 0; i < HM_VIEW_SETTINGS_COUNT; i++) {
        json_t *o = json_object();
        json_object_set_new(o, "name", json_string(view_settings[i].key));
        json_object_set_new(o, "value", json_string(view_value(cli, i, buf, sizeof buf)));
        json_object_set_new(o, "source", json_string(source_names[vs->source[i]]));
        json_object_set_new(o, "from", json_string_or_null(vs->from[i]));
        json_array_append_new(list, o);
    }
    json_object_set_new(view, "settings", list);
    json_object_set_new(root, "view", view);
    if (ps != NULL) {
        char from[1100];
        json_t *rt = json_object(), *rows = json_array();
        json_object_set_new(rt, "program", json_string(ps->path));
        json_object_set_new(rt, "embedded_from",
                            json_string_or_null(embedded_from(ps, from, sizeof from)));
        json_object_set_new(rt, "records", json_integer((json_int_t)ps->records));
        json_object_set_new(rt, "differing_records", json_integer((json_int_t)ps->differ));
        for (size_t i = 0; i < HM_SETTINGS_COUNT; i++) {
            runtime_row row;
            resolve_runtime(ps, env, i, &row);
            json_t *o = json_object();
            json_object_set_new(o, "variable", json_string(hm_settings_defs[i].variable));
            json_object_set_new(o, "key", json_string(hm_settings_defs[i].key));
            json_object_set_new(o, "value", json_string(row.value));
            json_object_set_new(o, "source", json_string(runtime_sources[row.source]));
            json_object_set_new(o, "embedded",
                                row.embedded ? json_string(row.embedded) : json_null());
            json_object_set_new(o, "environment",
                                row.environment ? json_string(row.environment) : json_null());
            json_object_set_new(o, "environment_ignored",
                                json_boolean(row.refused & HM_SETTING_ENVIRONMENT_REFUSED));
            json_object_set_new(o, "embedded_ignored",
                                json_boolean(row.refused & HM_SETTING_EMBEDDED_REFUSED));
            json_object_set_new(o, "runtime_warns", json_boolean(row.warns));
            json_array_append_new(rows, o);
        }
        json_object_set_new(rt, "settings", rows);
        json_object_set_new(root, "runtime", rt);
    }
    int rc = json_dumpf(root, out, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    fputc('\n', out);
    json_decref(root);
    return rc;
}

int hm_view_settings_show(FILE *out, const hm_cli *cli, const hm_view_settings *vs,
                          const char *program, hm_getenv_fn env, bool json, char *err,
                          size_t errlen) {
    hm_program_settings ps;
    if (env == NULL)
        env = real_getenv;
    if (program != NULL && hm_program_settings_read(program, &ps, err, errlen) != 0) {
        hm_program_settings_free(&ps);
        return -1;
    }
    int rc = 0;
    if (json)
        rc = show_json(out, cli, vs, program ? &ps : NULL, env) != 0
                 ? hm_errorf(err, errlen, "out of memory")
                 : 0;
    else
        show_text(out, cli, vs, program ? &ps : NULL, env);
    if (program != NULL)
        hm_program_settings_free(&ps);
    return rc;
}
