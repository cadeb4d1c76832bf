/* Selection: apply a loaded config's file and function rules to one function.
 *
 * Each rule set (functions, files) is decided on its own by its most specific matching pattern:
 * a pattern without wildcards (an exact name or path) beats every glob; among globs the one with
 * more literal characters wins; on a tie an exclude beats an include, and between two patterns of
 * the same kind the first one written wins. With no match, the set passes unless its include list
 * is non-empty. A function is selected when both sets pass, except that an exact function include
 * (`named_exactly`) selects it whatever the file rules say. When both sets fail, the file's reason
 * is reported, being the broader one. docs/config.md has worked examples.
 *
 * File patterns are matched against the source path relative to the directory holding the config
 * file when the source lies inside it (so a pattern for the "src" directory matches whether the
 * compiler saw "src/a.c", "./src/a.c" or "/home/me/proj/src/a.c"), else against the absolute path;
 * a pattern starting with
 * '/' is always matched against the absolute path. Relative source paths are resolved against the
 * working directory of the moment the config was loaded. Configs not loaded from a file (strings,
 * the default) match the normalised path as given.
 */
#include "config_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* The outcome of one rule set. */
typedef struct rule_outcome {
    bool pass;
    bool exact_include;     /* passed by an include without wildcards */
    hm_reason reason;       /* when !pass */
    const hm_pattern *rule; /* the deciding pattern, or NULL */
    int line;               /* its line, or the include list's line for "not included" */
} rule_outcome;

/* What a rule set is matched against: `relative` for ordinary patterns, `absolute` for patterns
 * starting with '/'. For function names both are the name. */
typedef struct subject {
    const char *relative;
    const char *absolute;
} subject;

static bool pattern_matches(const hm_pattern *p, const subject *s) {
    const char *text = p->text[0] == '/' ? s->absolute : s->relative;
    if (p->literal != NULL)
        return strcmp(p->literal, text) == 0;
    return hm_glob_match(p->text, text);
}

/* `file_path` as file rules see it: the normalised absolute path, and the path relative to the
 * config's directory when inside it (else the absolute path; the path as given for a config not
 * loaded from a file). Returns false when out of memory; otherwise the caller frees owned[0..1]. */
static bool file_subject(const hm_config *config, const char *file_path, subject *s,
                         char *owned[2]) {
    char *absolute = hm_path_absolute(file_path, config->cwd);
    char *as_given = hm_path_absolute(file_path, NULL);
    if (absolute == NULL || as_given == NULL) {
        free(absolute);
        free(as_given);
        return false;
    }
    *s = (subject){as_given, absolute};
    if (config->base_dir != NULL) {
        const char *inside = hm_path_inside(absolute, config->base_dir);
        s->relative = inside != NULL ? inside : absolute;
    }
    owned[0] = absolute;
    owned[1] = as_given;
    return true;
}

static size_t specificity(const hm_pattern *p) {
    return p->literal != NULL ? SIZE_MAX : p->literal_count;
}

/* Update *best with the first most specific match in `list` that beats it strictly. */
static void find_best(const hm_pattern_list *list, const subject *s, const hm_pattern **best) {
    for (size_t i = 0; i < list->count; i++) {
        const hm_pattern *p = &list->items[i];
        if ((*best == NULL || specificity(p) > specificity(*best)) && pattern_matches(p, s))
            *best = p;
    }
}

static rule_outcome apply_rules(const hm_rule_set *rules, const subject *s, hm_reason excluded,
                                hm_reason not_included) {
    rule_outcome out = {true, false, HM_REASON_INCLUDED, NULL, 0};
    const hm_pattern *best = NULL;
    find_best(&rules->exclude, s, &best); /* excludes first: ties stay with them */
    const hm_pattern *best_exclude = best;
    find_best(&rules->include, s, &best);
    if (best != NULL) {
        out.rule = best;
        out.line = best->line;
        out.pass = best != best_exclude;
        out.exact_include = out.pass && best->literal != NULL;
        out.reason = out.pass ? HM_REASON_INCLUDED : excluded;
    } else if (rules->include.count > 0) {
        out.pass = false;
        out.reason = not_included;
        out.line = rules->include.line;
    }
    return out;
}

static hm_selection selection_from(const rule_outcome *o) {
    hm_selection sel = {o->pass, false, o->reason, o->rule != NULL ? o->rule->text : NULL, o->line};
    return sel;
}

hm_selection hm_config_select(const hm_config *config, const char *function_name,
                              const char *file_path) {
    hm_selection sel = {true, false, HM_REASON_INCLUDED, NULL, 0};
    if (config == NULL)
        return sel;
    if (function_name == NULL)
        function_name = "";
    subject fs = {function_name, function_name};
    rule_outcome fn = apply_rules(&config->functions, &fs, HM_REASON_EXCLUDED_FUNCTION,
                                  HM_REASON_NOT_INCLUDED_FUNCTION);
    if (fn.exact_include) {
        sel = selection_from(&fn);
        sel.named_exactly = true;
        return sel;
    }

    rule_outcome file = {true, false, HM_REASON_INCLUDED, NULL, 0};
    if (file_path != NULL && (config->files.include.count > 0 || config->files.exclude.count > 0)) {
        char *owned[2];
        subject ps;
        if (!file_subject(config, file_path, &ps, owned)) {
            /* Out of memory: fail safe by not instrumenting. */
            sel.selected = false;
            sel.reason = HM_REASON_NOT_INCLUDED_FILE;
            return sel;
        }
        file =
            apply_rules(&config->files, &ps, HM_REASON_EXCLUDED_FILE, HM_REASON_NOT_INCLUDED_FILE);
        free(owned[0]);
        free(owned[1]);
    }
    if (!file.pass)
        return selection_from(&file);
    if (!fn.pass)
        return selection_from(&fn);
    return selection_from(fn.rule != NULL ? &fn : &file);
}

/* The pattern `index` of hm_config_pattern_at(), and which of the four lists holds it (0
 * functions.include, 1 functions.exclude, 2 files.include, 3 files.exclude); NULL past the end. */
static const hm_pattern *pattern_ref(const hm_config *config, size_t index, int *list) {
    if (config == NULL)
        return NULL;
    const hm_pattern_list *lists[4] = {&config->functions.include, &config->functions.exclude,
                                       &config->files.include, &config->files.exclude};
    for (int i = 0; i < 4; i++) {
        if (index < lists[i]->count) {
            *list = i;
            return &lists[i]->items[index];
        }
        index -= lists[i]->count;
    }
    return NULL;
}

size_t hm_config_pattern_count(const hm_config *config) {
    if (config == NULL)
        return 0;
    return config->functions.include.count + config->functions.exclude.count +
           config->files.include.count + config->files.exclude.count;
}

hm_config_pattern hm_config_pattern_at(const hm_config *config, size_t index) {
    int list = 0;
    const hm_pattern *p = pattern_ref(config, index, &list);
    if (p == NULL)
        return (hm_config_pattern){NULL, 0, false, false};
    return (hm_config_pattern){p->text, p->line, list >= 2, list % 2 == 0};
}

bool hm_config_pattern_matches(const hm_config *config, size_t index, const char *function_name,
                               const char *file_path) {
    int list = 0;
    const hm_pattern *p = pattern_ref(config, index, &list);
    if (p == NULL)
        return false;
    if (list < 2) {
        subject fs = {function_name ? function_name : "", function_name ? function_name : ""};
        return pattern_matches(p, &fs);
    }
    char *owned[2];
    subject ps;
    if (file_path == NULL || !file_subject(config, file_path, &ps, owned))
        return false;
    bool match = pattern_matches(p, &ps);
    free(owned[0]);
    free(owned[1]);
    return match;
}
