/* Loading heatmap.yaml: libyaml document → validated hm_config, with compiler-style diagnostics.
 *
 * The file is loaded into a libyaml document tree (which carries a start mark for every node) and
 * then walked against a fixed schema: a top-level mapping of known keys, each with a known shape.
 * The walk stops at the first problem and formats exactly one diagnostic,
 * "FILE:LINE:COL: error: MESSAGE", pointing at the node at fault (the key for unknown and
 * duplicate keys, the value for wrong types and invalid values). A key whose value is empty, `~` or
 * `null` is treated as absent, so a user can comment out a whole list without deleting its key.
 *
 * Nothing here is global: the loader's state lives on the stack, a config is immutable once
 * returned, and every allocation is released on every path (the tests run under ASan).
 */
#define _POSIX_C_SOURCE 200809L

#include "config_internal.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#include "heatmap/settings.h"

/* ---- Diagnostics -------------------------------------------------------------------------- */

static void set_error(hm_config_error *err, const char *name, int line, int col, const char *fmt,
                      va_list ap) {
    if (err == NULL)
        return;
    int n = snprintf(err->message, sizeof err->message, "%s:%d:%d: error: ", name, line, col);
    if (n >= 0 && (size_t)n < sizeof err->message)
        vsnprintf(err->message + n, sizeof err->message - (size_t)n, fmt, ap);
}

static void set_error_at(hm_config_error *err, const char *name, int line, int col, const char *fmt,
                         ...) {
    va_list ap;
    va_start(ap, fmt);
    set_error(err, name, line, col, fmt, ap);
    va_end(ap);
}

static void set_plain_error(hm_config_error *err, const char *name, const char *what) {
    if (err != NULL)
        snprintf(err->message, sizeof err->message, "%s: error: %s", name, what);
}

/* ---- Config objects ----------------------------------------------------------------------- */

static char *dup_string(const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    if (copy != NULL)
        memcpy(copy, s, n);
    return copy;
}

static hm_config *config_alloc(const char *source) {
    hm_config *config = calloc(1, sizeof *config);
    if (config == NULL)
        return NULL;
    config->trivial_threshold = HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD;
    config->instrument = HM_INSTRUMENT_BEFORE_INLINING;
    config->source = dup_string(source);
    config->cwd = hm_path_current_dir();
    if (config->source == NULL) {
        hm_config_free(config);
        return NULL;
    }
    return config;
}

static void free_patterns(hm_pattern_list *list) {
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].text);
        free(list->items[i].literal);
    }
    free(list->items);
}

static void free_rules(hm_rule_set *rules) {
    free_patterns(&rules->include);
    free_patterns(&rules->exclude);
}

static void free_settings(hm_setting_list *list) {
    for (size_t i = 0; i < list->count; i++) {
        free(list->items[i].key);
        free(list->items[i].value);
    }
    free(list->items);
}

void hm_config_free(hm_config *config) {
    if (config == NULL)
        return;
    free_rules(&config->functions);
    free_rules(&config->files);
    free_settings(&config->runtime);
    free_settings(&config->view);
    free(config->path);
    free(config->source);
    free(config->base_dir);
    free(config->cwd);
    free(config);
}

hm_config *hm_config_new_default(void) {
    hm_config *config = config_alloc("<default>");
    if (config == NULL)
        abort(); /* documented: the default config only fails when memory is exhausted */
    return config;
}

unsigned hm_config_trivial_threshold(const hm_config *config) {
    return config != NULL ? config->trivial_threshold : HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD;
}

/* `instrument` when given; else before inlining for a config whose functions.include chooses
 * functions (the user asked for those functions: each is counted at every source-level call), and
 * after inlining when everything is instrumented (a whole program at a fraction of the cost; what
 * the optimiser inlines is its callers' time). */
hm_instrument_point hm_config_instrument_point(const hm_config *config) {
    if (config == NULL)
        return HM_INSTRUMENT_AFTER_INLINING;
    if (config->instrument_set)
        return config->instrument;
    return config->functions.include.count > 0 ? HM_INSTRUMENT_BEFORE_INLINING
                                               : HM_INSTRUMENT_AFTER_INLINING;
}

const char *hm_config_source(const hm_config *config) {
    return config != NULL ? config->source : "<default>";
}

/* ---- The schema walk ---------------------------------------------------------------------- */

typedef struct loader {
    const char *name; /* file name for diagnostics */
    yaml_document_t *doc;
    hm_config *config;
    hm_config_error *err;
} loader;

/* Report a problem at `node` and return -1, so callers can `return fail(...)`. */
static int fail(loader *ld, const yaml_node_t *node, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    set_error(ld->err, ld->name, (int)node->start_mark.line + 1, (int)node->start_mark.column + 1,
              fmt, ap);
    va_end(ap);
    return -1;
}

static int fail_oom(loader *ld) {
    set_plain_error(ld->err, ld->name, "out of memory");
    return -1;
}

static const char *scalar(const yaml_node_t *node) {
    return (const char *)node->data.scalar.value;
}

/* An empty, `~` or `null` plain scalar: the key is treated as absent. */
static bool is_null(const yaml_node_t *node) {
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return false;
    const char *v = scalar(node);
    return strcmp(v, "") == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/* What a node is, for "got ..." in a message: "a mapping", "a sequence" or the scalar quoted
 * (shortened to 40 characters). Uses `buf` for the scalar case. */
static const char *describe(const yaml_node_t *node, char *buf, size_t size) {
    if (node->type == YAML_MAPPING_NODE)
        return "a mapping";
    if (node->type == YAML_SEQUENCE_NODE)
        return "a sequence";
    const char *v = scalar(node);
    if (strlen(v) > 40)
        snprintf(buf, size, "'%.37s...'", v);
    else
        snprintf(buf, size, "'%s'", v);
    return buf;
}

/* Levenshtein distance, for "did you mean"; both strings are short (keys are capped by caller). */
static size_t edit_distance(const char *a, const char *b) {
    size_t la = strlen(a), lb = strlen(b);
    size_t row[65];
    for (size_t j = 0; j <= lb; j++)
        row[j] = j;
    for (size_t i = 1; i <= la; i++) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= lb; j++) {
            size_t above = row[j];
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            size_t best = diagonal + cost;
            if (above + 1 < best)
                best = above + 1;
            if (row[j - 1] + 1 < best)
                best = row[j - 1] + 1;
            row[j] = best;
            diagonal = above;
        }
    }
    return row[lb];
}

/* One level of the schema: its keys, and how a diagnostic names it. */
typedef struct schema_level {
    const char *where;        /* "" for the top level, else "functions", "files", "trivial" */
    const char *const *keys;  /* NULL-terminated */
    const char *belongs_here; /* "at the top level", "under 'trivial'", ... */
} schema_level;

static const char *const TOP_KEYS[] = {"version",    "functions", "files", "trivial",
                                       "instrument", "runtime",   "view",  NULL};
static const char *const RULE_KEYS[] = {"include", "exclude", NULL};
static const char *const TRIVIAL_KEYS[] = {"max_instructions", NULL};
/* settings.h's keys, in its order: a key's index is its hm_setting_id. */
static const char *const RUNTIME_KEYS[] = {
#define HM_CONFIG_X_KEY(id, var, key, kind, def, min, max, acc) key,
    HM_RUNTIME_SETTINGS(HM_CONFIG_X_KEY)
#undef HM_CONFIG_X_KEY
        NULL};

/* The most keys a level has (walk_mapping remembers where each was seen). */
#define HM_MAX_LEVEL_KEYS 32
_Static_assert(HM_SETTINGS_COUNT < HM_MAX_LEVEL_KEYS, "runtime: has more keys than a level holds");

static const schema_level LEVEL_TOP = {"", TOP_KEYS, "at the top level"};
static const schema_level LEVEL_FUNCTIONS = {"functions", RULE_KEYS,
                                             "under 'functions' or 'files'"};
static const schema_level LEVEL_FILES = {"files", RULE_KEYS, "under 'functions' or 'files'"};
static const schema_level LEVEL_TRIVIAL = {"trivial", TRIVIAL_KEYS, "under 'trivial'"};
static const schema_level LEVEL_RUNTIME = {"runtime", RUNTIME_KEYS, "under 'runtime'"};

static int key_index(const schema_level *level, const char *key) {
    for (int i = 0; level->keys[i] != NULL; i++)
        if (strcmp(level->keys[i], key) == 0)
            return i;
    return -1;
}

/* The diagnostic for a key that `level` does not know: a near miss ("did you mean"), else a key
 * that belongs to another level, else the list of valid keys. */
static int fail_unknown_key(loader *ld, const yaml_node_t *key_node, const schema_level *level) {
    static const schema_level *const ALL[] = {&LEVEL_TOP, &LEVEL_FUNCTIONS, &LEVEL_TRIVIAL,
                                              &LEVEL_RUNTIME};
    const char *key = scalar(key_node);
    char in_where[64] = "";
    if (level->where[0] != '\0')
        snprintf(in_where, sizeof in_where, " in '%s'", level->where);

    const char *suggestion = NULL;
    size_t best = (size_t)-1;
    if (strlen(key) <= 64) {
        for (int i = 0; level->keys[i] != NULL; i++) {
            size_t d = edit_distance(key, level->keys[i]);
            size_t limit = strlen(level->keys[i]) / 3 > 2 ? strlen(level->keys[i]) / 3 : 2;
            if (d <= limit && d < best) {
                best = d;
                suggestion = level->keys[i];
            }
        }
    }
    if (suggestion != NULL) {
        return fail(ld, key_node, "unknown key '%s'%s; did you mean '%s'?", key, in_where,
                    suggestion);
    }
    for (size_t i = 0; i < sizeof ALL / sizeof ALL[0]; i++) {
        if (ALL[i]->keys != level->keys && key_index(ALL[i], key) >= 0) {
            return fail(ld, key_node, "unknown key '%s'%s; it belongs %s", key,
                        level->where[0] != '\0' ? in_where : " at the top level",
                        ALL[i]->belongs_here);
        }
    }
    char expected[800] = "";
    size_t used = 0;
    for (int i = 0; level->keys[i] != NULL && used < sizeof expected; i++) {
        int n = snprintf(expected + used, sizeof expected - used, "%s'%s'", i > 0 ? ", " : "",
                         level->keys[i]);
        used += n > 0 ? (size_t)n : 0;
    }
    return fail(ld, key_node, "unknown key '%s'%s; expected one of %s", key, in_where, expected);
}

/* Called for each known key whose value is not null; `index` is the key's index in the level. */
typedef int (*key_handler)(loader *ld, int index, yaml_node_t *key, yaml_node_t *value, void *ctx);

/* Walk a mapping against `level`: reject non-string keys, unknown keys and duplicates, and call
 * `handler` for every present, non-null value. */
static int walk_mapping(loader *ld, yaml_node_t *map, const schema_level *level,
                        key_handler handler, void *ctx) {
    int seen_line[HM_MAX_LEVEL_KEYS] = {0};
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);
        yaml_node_t *value = yaml_document_get_node(ld->doc, pair->value);
        char buf[64];
        if (key == NULL || value == NULL)
            continue;
        if (key->type != YAML_SCALAR_NODE)
            return fail(ld, key, "keys must be strings, got %s", describe(key, buf, sizeof buf));
        int index = key_index(level, scalar(key));
        if (index < 0)
            return fail_unknown_key(ld, key, level);
        if (seen_line[index] != 0) {
            return fail(ld, key, "duplicate key '%s' (first defined at line %d)", scalar(key),
                        seen_line[index]);
        }
        seen_line[index] = (int)key->start_mark.line + 1;
        if (!is_null(value) && handler(ld, index, key, value, ctx) != 0)
            return -1;
    }
    return 0;
}

/* ---- Plain scalars that YAML reads as something other than a string ---------------------- */

static bool all_of(const char *s, const char *set) {
    return s[0] != '\0' && s[strspn(s, set)] == '\0';
}

/* Whether `v` matches YAML 1.2 core's int or float, or YAML 1.1's (which adds '_' separators and
 * 0b binary): [-+]? then 0x/0o/0b digits, or decimal digits with an optional fraction and
 * exponent (".5", "1.", "1e3"), or .inf/.nan. */
static bool is_yaml_number(const char *v) {
    static const char *const SPECIAL[] = {".inf", ".Inf", ".INF", ".nan", ".NaN", ".NAN"};
    const char *p = v + (v[0] == '-' || v[0] == '+');
    for (size_t i = 0; i < sizeof SPECIAL / sizeof SPECIAL[0]; i++)
        if (strcmp(p, SPECIAL[i]) == 0 && (i < 3 || p == v))
            return true;
    if (p[0] == '0' && (p[1] == 'x' || p[1] == 'o' || p[1] == 'b')) {
        const char *digits = p[1] == 'x'   ? "0123456789abcdefABCDEF_"
                             : p[1] == 'o' ? "01234567_"
                                           : "01_";
        return all_of(p + 2, digits);
    }
    size_t whole = strspn(p, "0123456789_");
    if (whole > 0 && p[0] == '_')
        return false;
    p += whole;
    size_t frac = 0;
    if (*p == '.') {
        frac = strspn(p + 1, "0123456789_");
        p += 1 + frac;
    }
    if (whole == 0 && frac == 0)
        return false;
    if (*p == 'e' || *p == 'E') {
        p += 1 + (p[1] == '-' || p[1] == '+');
        return all_of(p, "0123456789");
    }
    return *p == '\0';
}

/* What YAML makes of a plain (unquoted) scalar that is not a string: "null", "the boolean X" or
 * "the number X" (written into buf), or NULL for a string. The YAML 1.1 booleans (yes/no/on/off)
 * are included, since many YAML tools still read them that way; y and n are not (a one-letter
 * function name is more likely than a one-letter boolean). */
static const char *non_string_kind(const yaml_node_t *node, char *buf, size_t size) {
    static const char *const BOOLS[] = {"true", "True", "TRUE", "false", "False", "FALSE",
                                        "yes",  "Yes",  "YES",  "no",    "No",    "NO",
                                        "on",   "On",   "ON",   "off",   "Off",   "OFF"};
    if (node->type != YAML_SCALAR_NODE || node->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return NULL;
    const char *v = scalar(node);
    if (is_null(node))
        return v[0] == '\0' ? "an empty item (null)" : "null";
    for (size_t i = 0; i < sizeof BOOLS / sizeof BOOLS[0]; i++) {
        if (strcmp(v, BOOLS[i]) == 0) {
            snprintf(buf, size, "the boolean %s", v);
            return buf;
        }
    }
    if (strlen(v) <= 40 && is_yaml_number(v)) {
        snprintf(buf, size, "the number %s", v);
        return buf;
    }
    return NULL;
}

/* Append one pattern from `node` (a scalar) to `list` after validating it. */
static int add_pattern(loader *ld, const char *where, yaml_node_t *node, hm_pattern_list *list) {
    const char *text = scalar(node);
    const char *problem = hm_glob_check(text);
    if (problem != NULL)
        return fail(ld, node, "invalid pattern '%s' in '%s': %s", text, where, problem);
    hm_pattern *p = &list->items[list->count];
    memset(p, 0, sizeof *p);
    p->text = dup_string(text);
    if (p->text == NULL)
        return fail_oom(ld);
    list->count++; /* owned by the list from here on, so freed on any later failure */
    p->line = (int)node->start_mark.line + 1;
    p->literal_count = hm_glob_literal_count(text);
    if (hm_glob_is_literal(text)) {
        p->literal = dup_string(text);
        if (p->literal == NULL)
            return fail_oom(ld);
        hm_glob_unescape(p->literal);
    }
    return 0;
}

/* A list of globs: a sequence of strings, or one string. */
static int load_patterns(loader *ld, const char *where, yaml_node_t *value, hm_pattern_list *list) {
    char buf[64];
    size_t n = 1;
    if (value->type == YAML_MAPPING_NODE)
        return fail(ld, value, "'%s' must be a list of strings, got a mapping", where);
    if (value->type == YAML_SEQUENCE_NODE)
        n = (size_t)(value->data.sequence.items.top - value->data.sequence.items.start);
    list->line = (int)value->start_mark.line + 1;
    if (n == 0)
        return 0;
    list->items = calloc(n, sizeof *list->items);
    if (list->items == NULL)
        return fail_oom(ld);
    char buf_kind[64];
    const char *kind;
    if (value->type == YAML_SCALAR_NODE) {
        if ((kind = non_string_kind(value, buf_kind, sizeof buf_kind)) != NULL) {
            return fail(ld, value,
                        "expected a glob pattern (a string) or a list of them for '%s', found "
                        "%s; quote it (\"%s\") if you mean a pattern",
                        where, kind, scalar(value));
        }
        return add_pattern(ld, where, value, list);
    }
    for (size_t i = 0; i < n; i++) {
        yaml_node_t *item = yaml_document_get_node(ld->doc, value->data.sequence.items.start[i]);
        if (item == NULL)
            continue;
        if (item->type != YAML_SCALAR_NODE) {
            return fail(ld, item, "'%s[%zu]' must be a string, got %s", where, i,
                        describe(item, buf, sizeof buf));
        }
        if ((kind = non_string_kind(item, buf_kind, sizeof buf_kind)) != NULL &&
            scalar(item)[0] == '\0') {
            return fail(ld, item, "expected a glob pattern (a string) in '%s[%zu]', found %s",
                        where, i, kind);
        }
        if (kind != NULL) {
            return fail(ld, item,
                        "expected a glob pattern (a string) in '%s[%zu]', found %s; quote it "
                        "(\"%s\") if you mean a pattern",
                        where, i, kind, scalar(item));
        }
        if (add_pattern(ld, where, item, list) != 0)
            return -1;
    }
    return 0;
}

static int on_rule_key(loader *ld, int index, yaml_node_t *key, yaml_node_t *value, void *ctx) {
    (void)key;
    const schema_level *level = ctx;
    hm_rule_set *rules = level == &LEVEL_FILES ? &ld->config->files : &ld->config->functions;
    char where[32];
    snprintf(where, sizeof where, "%s.%s", level->where, RULE_KEYS[index]);
    return load_patterns(ld, where, value, index == 0 ? &rules->include : &rules->exclude);
}

static int on_trivial_key(loader *ld, int index, yaml_node_t *key, yaml_node_t *value, void *ctx) {
    (void)key;
    char buf[64];
    const char *v = value->type == YAML_SCALAR_NODE ? scalar(value) : "";
    unsigned long long n = 0;
    bool ok = value->type == YAML_SCALAR_NODE && v[0] != '\0' && strlen(v) <= 10;
    for (const char *c = v; ok && *c != '\0'; c++) {
        ok = *c >= '0' && *c <= '9';
        n = n * 10 + (unsigned)(*c - '0');
    }
    if (!ok || n > 0xffffffffull) {
        return fail(ld, value, "'trivial.max_instructions' must be a non-negative integer, got %s",
                    describe(value, buf, sizeof buf));
    }
    ld->config->trivial_threshold = (unsigned)n;
    return 0;
}

/* ---- Settings sections -------------------------------------------------------------------- */

/* Append key = value (value taken over: freed on failure too), the key at `key_node` and the
 * value at `node`, to `list`. */
static int add_setting(loader *ld, hm_setting_list *list, const yaml_node_t *key_node, char *value,
                       const yaml_node_t *node) {
    const char *key = scalar(key_node);
    hm_setting_entry *items = realloc(list->items, (list->count + 1) * sizeof *items);
    char *k = dup_string(key);
    if (items == NULL || k == NULL) {
        if (items != NULL)
            list->items = items;
        free(k);
        free(value);
        return fail_oom(ld);
    }
    list->items = items;
    items[list->count++] = (hm_setting_entry){
        k,
        value,
        (int)node->start_mark.line + 1,
        (int)node->start_mark.column + 1,
        (int)key_node->start_mark.line + 1,
        (int)key_node->start_mark.column + 1,
    };
    return 0;
}

/* A runtime: value as one string: a scalar, or for a list setting a sequence of scalars joined
 * with ','. NULL after reporting a wrong type or running out of memory. */
static char *runtime_value(loader *ld, const hm_setting_def *d, yaml_node_t *value) {
    char buf[64];
    bool list = d->kind == HM_SETTING_LIST && value->type == YAML_SEQUENCE_NODE;
    if (value->type != YAML_SCALAR_NODE && !list) {
        fail(ld, value, "'runtime.%s' must be a single value%s, got %s", d->key,
             d->kind == HM_SETTING_LIST ? " or a list" : "", describe(value, buf, sizeof buf));
        return NULL;
    }
    if (!list) {
        char *v = dup_string(scalar(value));
        if (v == NULL)
            fail_oom(ld);
        return v;
    }
    size_t size = 1;
    for (yaml_node_item_t *i = value->data.sequence.items.start; i < value->data.sequence.items.top;
         i++) {
        yaml_node_t *item = yaml_document_get_node(ld->doc, *i);
        if (item != NULL && item->type != YAML_SCALAR_NODE) {
            fail(ld, item, "'runtime.%s' must list single values, got %s", d->key,
                 describe(item, buf, sizeof buf));
            return NULL;
        }
        size += item != NULL ? strlen(scalar(item)) + 1 : 0;
    }
    char *v = calloc(1, size);
    if (v == NULL) {
        fail_oom(ld);
        return NULL;
    }
    for (yaml_node_item_t *i = value->data.sequence.items.start; i < value->data.sequence.items.top;
         i++) {
        yaml_node_t *item = yaml_document_get_node(ld->doc, *i);
        if (item == NULL)
            continue;
        if (v[0] != '\0')
            strcat(v, ",");
        strcat(v, scalar(item));
    }
    return v;
}

/* One runtime: setting, checked by the runtime's own rule (hm_settings_check, strict: a port or
 * profile type the runtime would refuse where it uses them is an error here). */
static int on_runtime_key(loader *ld, int index, yaml_node_t *key, yaml_node_t *value, void *ctx) {
    (void)ctx;
    const hm_setting_def *d = &hm_settings_defs[index];
    char buf[64];
    char *v = runtime_value(ld, d, value);
    if (v == NULL)
        return -1;
    hm_setting_problem problem = hm_settings_check(d, v, true);
    size_t bad_len = 0;
    const char *bad =
        problem == HM_SETTING_BAD_ITEM ? hm_settings_list_unknown(d->accepted, v, &bad_len) : NULL;
    int rc = 0;
    if (strpbrk(v, "\r\n") != NULL) {
        rc = fail(ld, value, "'runtime.%s' (%s) cannot hold a line break", d->key, d->variable);
    } else if (bad != NULL) {
        rc =
            fail(ld, value, "unknown item '%.*s' in 'runtime.%s' (%s): expected a comma list of %s",
                 (int)(bad_len < 40 ? bad_len : 40), bad, d->key, d->variable, d->accepted);
    } else if (problem == HM_SETTING_EMPTY) {
        rc = fail(ld, value, "'runtime.%s' (%s) cannot be empty: expected %s", d->key, d->variable,
                  d->accepted);
    } else if (problem == HM_SETTING_TOO_LONG) {
        rc = fail(ld, value, "'runtime.%s' (%s) is longer than %u bytes", d->key, d->variable,
                  (unsigned)d->max);
    } else if (problem != HM_SETTING_OK) {
        rc = fail(ld, value, "invalid value %s for 'runtime.%s' (%s): expected %s",
                  describe(value, buf, sizeof buf), d->key, d->variable, d->accepted);
    }
    if (rc != 0) {
        free(v);
        return rc;
    }
    return add_setting(ld, &ld->config->runtime, key, v, value);
}

/* view: a mapping of keys to single values, kept as written for heatmap-view, which owns their
 * names and rules (only a duplicate key is refused here, as everywhere). */
static int load_view(loader *ld, yaml_node_t *map) {
    char buf[64];
    if (map->type != YAML_MAPPING_NODE)
        return fail(ld, map, "'view' must be a mapping, got %s", describe(map, buf, sizeof buf));
    for (yaml_node_pair_t *pair = map->data.mapping.pairs.start; pair < map->data.mapping.pairs.top;
         pair++) {
        yaml_node_t *key = yaml_document_get_node(ld->doc, pair->key);
        yaml_node_t *value = yaml_document_get_node(ld->doc, pair->value);
        if (key == NULL || value == NULL)
            continue;
        if (key->type != YAML_SCALAR_NODE)
            return fail(ld, key, "keys must be strings, got %s", describe(key, buf, sizeof buf));
        for (size_t i = 0; i < ld->config->view.count; i++) {
            if (strcmp(ld->config->view.items[i].key, scalar(key)) == 0)
                return fail(ld, key, "duplicate key '%s' in 'view' (first defined at line %d)",
                            scalar(key), ld->config->view.items[i].key_line);
        }
        if (is_null(value))
            continue;
        if (value->type != YAML_SCALAR_NODE) {
            return fail(ld, value, "'view.%s' must be a single value, got %s", scalar(key),
                        describe(value, buf, sizeof buf));
        }
        char *v = dup_string(scalar(value));
        if (v == NULL)
            return fail_oom(ld);
        if (add_setting(ld, &ld->config->view, key, v, value) != 0)
            return -1;
    }
    return 0;
}

size_t hm_config_runtime_count(const hm_config *config) {
    return config != NULL ? config->runtime.count : 0;
}

size_t hm_config_view_count(const hm_config *config) {
    return config != NULL ? config->view.count : 0;
}

static hm_config_entry entry_of(const hm_setting_entry *e) {
    return (hm_config_entry){e->key, e->value, e->line, e->column, e->key_line, e->key_column};
}

hm_config_entry hm_config_runtime_at(const hm_config *config, size_t index) {
    return entry_of(&config->runtime.items[index]);
}

hm_config_entry hm_config_view_at(const hm_config *config, size_t index) {
    return entry_of(&config->view.items[index]);
}

int hm_config_runtime_text(const hm_config *config, char **out) {
    *out = NULL;
    if (config == NULL || config->runtime.count == 0)
        return 0;
    const char *path = config->path != NULL ? config->path : config->source;
    size_t size = strlen(HM_SETTINGS_CONFIG_LINE) + strlen(path) + 2;
    for (size_t i = 0; i < config->runtime.count; i++)
        size += strlen(config->runtime.items[i].value) + 64; /* a variable name is shorter */
    char *text = malloc(size);
    if (text == NULL)
        return -1;
    size_t n = (size_t)snprintf(text, size, "%s%s\n", HM_SETTINGS_CONFIG_LINE, path);
    for (size_t id = 0; id < HM_SETTINGS_COUNT; id++) { /* settings.h's order, not the file's */
        for (size_t i = 0; i < config->runtime.count; i++) {
            const hm_setting_entry *e = &config->runtime.items[i];
            if (strcmp(e->key, hm_settings_defs[id].key) == 0)
                n += (size_t)snprintf(text + n, size - n, "%s=%s\n", hm_settings_defs[id].variable,
                                      e->value);
        }
    }
    *out = text;
    return 0;
}

/* A key that must hold a mapping: check the type, then walk it against `level`. */
static int load_section(loader *ld, yaml_node_t *value, const schema_level *level,
                        key_handler handler) {
    char buf[64];
    if (value->type != YAML_MAPPING_NODE) {
        return fail(ld, value, "'%s' must be a mapping, got %s", level->where,
                    describe(value, buf, sizeof buf));
    }
    return walk_mapping(ld, value, level, handler, (void *)level);
}

static int on_top_key(loader *ld, int index, yaml_node_t *key_node, yaml_node_t *value, void *ctx) {
    (void)key_node;
    char buf[64];
    const char *key = TOP_KEYS[index];
    if (strcmp(key, "version") == 0) {
        if (value->type != YAML_SCALAR_NODE)
            return fail(ld, value, "'version' must be 1, got %s", describe(value, buf, sizeof buf));
        if (strcmp(scalar(value), "1") != 0) {
            return fail(ld, value, "unsupported version %s; this heatmap reads version 1",
                        describe(value, buf, sizeof buf));
        }
        return 0;
    }
    if (strcmp(key, "functions") == 0)
        return load_section(ld, value, &LEVEL_FUNCTIONS, on_rule_key);
    if (strcmp(key, "files") == 0)
        return load_section(ld, value, &LEVEL_FILES, on_rule_key);
    if (strcmp(key, "trivial") == 0)
        return load_section(ld, value, &LEVEL_TRIVIAL, on_trivial_key);
    if (strcmp(key, "runtime") == 0)
        return load_section(ld, value, &LEVEL_RUNTIME, on_runtime_key);
    if (strcmp(key, "view") == 0)
        return load_view(ld, value);
    /* instrument */
    ld->config->instrument_set = true;
    if (value->type == YAML_SCALAR_NODE && strcmp(scalar(value), "before-inlining") == 0) {
        ld->config->instrument = HM_INSTRUMENT_BEFORE_INLINING;
    } else if (value->type == YAML_SCALAR_NODE && strcmp(scalar(value), "after-inlining") == 0) {
        ld->config->instrument = HM_INSTRUMENT_AFTER_INLINING;
    } else {
        return fail(ld, value, "'instrument' must be 'before-inlining' or 'after-inlining', got %s",
                    describe(value, buf, sizeof buf));
    }
    return 0;
}

/* ---- Loading ------------------------------------------------------------------------------ */

/* The source text at `mark` (1-based line and column counted in characters), up to the next space,
 * comma, bracket or brace, at most 40 bytes, into buf; "" when the mark is outside the text. */
static void text_at(const char *text, size_t len, yaml_mark_t mark, char *buf, size_t size) {
    size_t i = 0;
    for (size_t line = 0; line < mark.line && i < len; i++)
        line += text[i] == '\n';
    for (size_t col = 0; col < mark.column && i < len; col++) /* skip UTF-8 characters */
        for (i++; i < len && ((unsigned char)text[i] & 0xC0) == 0x80;)
            i++;
    size_t n = 0;
    while (i + n < len && n < 40 && n + 1 < size && strchr(" \t\r\n,[]{}#", text[i + n]) == NULL &&
           text[i + n] != '\0')
        n++;
    memcpy(buf, text + i, n);
    buf[n] = '\0';
}

/* libyaml reads an unquoted pattern that starts with '*' ("*Ptr", "*_test", "**") as an alias, and
 * fails with "found undefined alias" or "did not find expected alphabetic or numeric character"
 * (while scanning an alias). Say what is meant instead, at the '*'. Returns true when it did. */
static bool report_alias_error(const yaml_parser_t *parser, const char *text, size_t len,
                               const char *name, hm_config_error *err) {
    bool undefined = parser->error == YAML_COMPOSER_ERROR && parser->problem != NULL &&
                     strstr(parser->problem, "alias") != NULL;
    bool scanning = parser->context != NULL && strstr(parser->context, "alias") != NULL;
    if (!undefined && !scanning)
        return false;
    yaml_mark_t mark = scanning ? parser->context_mark : parser->problem_mark;
    char word[48];
    text_at(text, len, mark, word, sizeof word);
    set_error_at(err, name, (int)mark.line + 1, (int)mark.column + 1,
                 "%s%s%s; a pattern that starts with '*' must be quoted, as in \"%s\" (unquoted, "
                 "YAML reads it as an alias)",
                 undefined ? "found undefined alias" : "invalid alias", word[0] ? " " : "", word,
                 word[0] ? word : "*name");
    return true;
}

/* Report libyaml's error: its problem text at its problem mark, plus its context when it has one.
 * Reader errors (bad encoding) carry a byte offset instead of a mark. */
static void report_yaml_error(const yaml_parser_t *parser, const char *text, size_t len,
                              const char *name, hm_config_error *err) {
    if (parser->error == YAML_MEMORY_ERROR) {
        set_plain_error(err, name, "out of memory");
        return;
    }
    if (report_alias_error(parser, text, len, name, err))
        return;
    const char *problem = parser->problem != NULL ? parser->problem : "malformed YAML";
    int line = (int)parser->problem_mark.line + 1;
    int col = (int)parser->problem_mark.column + 1;
    if (parser->error == YAML_READER_ERROR) {
        line = col = 1;
        for (size_t i = 0; i < parser->problem_offset && i < len; i++) {
            col = text[i] == '\n' ? 1 : col + 1;
            line += text[i] == '\n';
        }
    }
    if (parser->context != NULL) {
        set_error_at(err, name, line, col, "%s (%s at line %d)", problem, parser->context,
                     (int)parser->context_mark.line + 1);
    } else {
        set_error_at(err, name, line, col, "%s", problem);
    }
}

/* Deeper than any valid heatmap.yaml (which needs 3 levels: top mapping, section, list). */
#define HM_MAX_DEPTH 32

/* Refuse nesting deeper than HM_MAX_DEPTH before libyaml builds the document: its scanner takes
 * time quadratic in the nesting depth (found by probing beyond the fuzzer's input sizes: 80,000
 * nested '[' took 25 s, 3,000,000 did not finish in minutes, inside clang), and its composer
 * recurses once per level. Pulls events only up to the first level too deep, so the cost stays
 * linear. Returns 0, or -1 with the error set; syntax errors are left to the real load, which
 * reports them. */
static int check_depth(const char *text, size_t len, const char *name, hm_config_error *err) {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) {
        set_plain_error(err, name, "out of memory");
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    int depth = 0, rc = 0;
    yaml_event_t event;
    while (rc == 0 && yaml_parser_parse(&parser, &event)) {
        yaml_event_type_t type = event.type;
        if (type == YAML_SEQUENCE_START_EVENT || type == YAML_MAPPING_START_EVENT) {
            if (++depth > HM_MAX_DEPTH) {
                set_error_at(
                    err, name, (int)event.start_mark.line + 1, (int)event.start_mark.column + 1,
                    "nested more than %d levels deep (heatmap.yaml needs 3)", HM_MAX_DEPTH);
                rc = -1;
            }
        } else if (type == YAML_SEQUENCE_END_EVENT || type == YAML_MAPPING_END_EVENT) {
            depth--;
        }
        yaml_event_delete(&event);
        if (type == YAML_STREAM_END_EVENT)
            break;
    }
    yaml_parser_delete(&parser);
    return rc;
}

/* Load `text` as config `name`; base_dir (may be NULL) is taken over by the config. */
static int load_buffer(const char *text, size_t len, const char *name, char *base_dir,
                       hm_config **out, hm_config_error *err) {
    yaml_parser_t parser;
    yaml_document_t doc, extra;
    int rc = -1;

    *out = NULL;
    hm_config *config = config_alloc(name);
    if (config == NULL || !yaml_parser_initialize(&parser)) {
        free(base_dir);
        hm_config_free(config);
        set_plain_error(err, name, "out of memory");
        return -1;
    }
    config->base_dir = base_dir;
    if (check_depth(text, len, name, err) != 0) {
        yaml_parser_delete(&parser);
        hm_config_free(config);
        return -1;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
    if (!yaml_parser_load(&parser, &doc)) {
        report_yaml_error(&parser, text, len, name, err);
        yaml_parser_delete(&parser);
        hm_config_free(config);
        return -1;
    }

    loader ld = {name, &doc, config, err};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    char buf[64];
    if (root == NULL || is_null(root)) {
        rc = 0;
    } else if (root->type != YAML_MAPPING_NODE) {
        rc = fail(&ld, root, "the top level must be a mapping, got %s",
                  describe(root, buf, sizeof buf));
    } else {
        rc = walk_mapping(&ld, root, &LEVEL_TOP, on_top_key, NULL);
    }

    /* One document per file: a second one is almost certainly a mistake. */
    if (rc == 0 && root != NULL) {
        if (!yaml_parser_load(&parser, &extra)) {
            report_yaml_error(&parser, text, len, name, err);
            rc = -1;
        } else {
            yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
            if (extra_root != NULL)
                rc = fail(&ld, extra_root, "only one YAML document is allowed");
            yaml_document_delete(&extra);
        }
    }
    yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    if (rc != 0) {
        hm_config_free(config);
        return -1;
    }
    *out = config;
    return 0;
}

int hm_config_load_string(const char *text, size_t len, const char *name, hm_config **out,
                          hm_config_error *err) {
    if (name == NULL)
        name = "<string>";
    if (text == NULL) {
        text = "";
        len = 0;
    }
    return load_buffer(text, len, name, NULL, out, err);
}

/* Read a whole file into a malloc'd buffer; on failure returns NULL with errno set. */
static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return NULL;
    size_t cap = 4096, used = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        used += fread(buf + used, 1, cap - used, f);
        if (ferror(f)) {
            int saved = errno != 0 ? errno : EIO;
            free(buf);
            fclose(f);
            errno = saved;
            return NULL;
        }
        if (feof(f))
            break;
        char *bigger = cap < ((size_t)1 << 30) ? realloc(buf, cap * 2) : NULL;
        if (bigger == NULL) {
            free(buf);
            buf = NULL;
            errno = ENOMEM;
            break;
        }
        buf = bigger;
        cap *= 2;
    }
    fclose(f);
    *len = used;
    return buf;
}

int hm_config_load_file(const char *path, hm_config **out, hm_config_error *err) {
    size_t len = 0;
    *out = NULL;
    if (path == NULL || path[0] == '\0') {
        set_plain_error(err, "<config>", "cannot read: empty path");
        return -1;
    }
    errno = 0;
    char *text = read_file(path, &len);
    if (text == NULL) {
        char what[300];
        snprintf(what, sizeof what, "cannot read: %s", strerror(errno));
        set_plain_error(err, path, what);
        return -1;
    }
    /* File rules are relative to the directory holding the config, like .gitignore's. */
    char *cwd = hm_path_current_dir();
    char *base_dir = hm_path_absolute(path, cwd);
    free(cwd);
    if (base_dir == NULL) {
        free(text);
        set_plain_error(err, path, "out of memory");
        return -1;
    }
    char *absolute = dup_string(base_dir); /* the file's own path, for hm_config_runtime_text */
    if (absolute == NULL) {
        free(text);
        free(base_dir);
        set_plain_error(err, path, "out of memory");
        return -1;
    }
    char *slash = strrchr(base_dir, '/');
    if (slash == NULL)
        strcpy(base_dir, "."); /* no working directory: relative to "." */
    else
        slash[slash == base_dir ? 1 : 0] = '\0';
    int rc = load_buffer(text, len, path, base_dir, out, err);
    free(text);
    if (rc == 0)
        (*out)->path = absolute;
    else
        free(absolute);
    return rc;
}

const char *hm_reason_name(hm_reason reason) {
    switch (reason) {
    case HM_REASON_INCLUDED:
        return "included";
    case HM_REASON_EXCLUDED_FUNCTION:
        return "excluded-function";
    case HM_REASON_EXCLUDED_FILE:
        return "excluded-file";
    case HM_REASON_NOT_INCLUDED_FUNCTION:
        return "not-included-function";
    case HM_REASON_NOT_INCLUDED_FILE:
        return "not-included-file";
    }
    return "unknown";
}
