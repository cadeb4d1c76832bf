/* Check an existing heatmap.yaml against the scanned code and report what looks wrong.
 *
 * The config library validates the file (its messages are printed unchanged) and decides
 * selection (hm_config_select), so the check agrees with the plugin; it also lists each pattern's
 * text, list and line (hm_config_pattern_at). Findings, each "PATH:LINE: warning: ...", sorted by
 * line:
 * - a pattern that matches no scanned function (function lists) or no scanned file (file lists);
 * - an include and an exclude of the same list that both match a function, once per pair of
 *   patterns, with how many functions are concerned and whether they end up instrumented;
 * - a functions.include pattern all of whose selections are trivial (so the plugin skips them all).
 * File patterns are matched by the library (hm_config_pattern_matches), as the plugin sees paths.
 */
#include "scan_internal.h"

#include "hm_config.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

typedef struct pattern {
    const char *text; /* owned by the config */
    size_t index;     /* for hm_config_pattern_at/_matches */
    int line;
    bool files;   /* files.* rather than functions.* */
    bool include; /* include rather than exclude */
    size_t matches;
} pattern;

typedef struct pattern_list {
    pattern *items;
    size_t count;
} pattern_list;

typedef struct finding {
    int line;
    char *message;
} finding;

typedef struct findings {
    finding *items;
    size_t count;
    size_t cap;
} findings;

static void add_finding(findings *f, int line, char *message) {
    hm_grow((void **)&f->items, &f->cap, f->count + 1, sizeof *f->items);
    f->items[f->count++] = (finding){line, message};
}

/* Every pattern of the config with its line, each with its match count still 0. */
static void read_patterns(const hm_config *config, pattern_list *out) {
    out->count = hm_config_pattern_count(config);
    out->items = hm_xcalloc(out->count ? out->count : 1, sizeof *out->items);
    for (size_t i = 0; i < out->count; i++) {
        hm_config_pattern p = hm_config_pattern_at(config, i);
        out->items[i] = (pattern){p.text, i, p.line, p.files, p.include, 0};
    }
}

/* ---- Matching -------------------------------------------------------------------------------- */

static bool name_matches(const pattern *p, const hm_scan_function *fn) {
    if (hm_glob_match(p->text, fn->name) || strcmp(p->text, fn->pattern) == 0)
        return true;
    for (size_t i = 0; i < fn->ninstances; i++)
        if (hm_glob_match(p->text, fn->instances[i]))
            return true;
    return false;
}

static bool matches(const hm_config *config, const pattern *p, const hm_scan_function *fn) {
    return p->files ? hm_config_pattern_matches(config, p->index, NULL, fn->file)
                    : name_matches(p, fn);
}

static const char *list_name(const pattern *p) {
    return p->files ? (p->include ? "files.include" : "files.exclude")
                    : (p->include ? "functions.include" : "functions.exclude");
}

/* Whether the config instruments `fn` (a template when any instantiation seen is selected). */
static hm_selection select_function(const hm_config *config, const hm_scan_function *fn) {
    hm_selection sel = hm_config_select(config, fn->name, fn->file);
    for (size_t i = 0; i < fn->ninstances && !sel.selected; i++)
        sel = hm_config_select(config, fn->instances[i], fn->file);
    return sel;
}

/* "a, b, c and 4 more" from the distinct names of `fns` (overloads share a name). */
static char *name_list(const hm_scan_function *const *fns, size_t n) {
    hm_strbuf buf = {0};
    size_t shown = 0, distinct = 0;
    for (size_t i = 0; i < n; i++) {
        bool repeat = false;
        for (size_t j = 0; j < i && !repeat; j++)
            repeat = strcmp(fns[j]->name, fns[i]->name) == 0;
        if (repeat)
            continue;
        distinct++;
        if (shown < 3) {
            hm_strbuf_add(&buf, shown ? ", " : "");
            hm_strbuf_add(&buf, fns[i]->name);
            shown++;
        }
    }
    if (distinct > shown) {
        hm_strbuf_addf(&buf, " and %zu other name%s", distinct - shown,
                       distinct - shown == 1 ? "" : "s");
    }
    return hm_strbuf_take(&buf);
}

/* ---- Findings -------------------------------------------------------------------------------- */

static void check_unmatched(const pattern_list *pats, findings *out) {
    for (size_t i = 0; i < pats->count; i++) {
        const pattern *p = &pats->items[i];
        if (p->matches == 0) {
            add_finding(out, p->line,
                        hm_xasprintf("%s pattern '%s' matches no scanned %s", list_name(p), p->text,
                                     p->files ? "file" : "function"));
        }
    }
}

/* For each include/exclude pair of the same list, the functions both match. */
static void check_conflicts(const pattern_list *pats, const hm_scan_result *r,
                            const hm_config *config, findings *out) {
    const hm_scan_function **both = hm_xcalloc(r->count ? r->count : 1, sizeof *both);
    for (size_t i = 0; i < pats->count; i++) {
        const pattern *inc = &pats->items[i];
        if (!inc->include || inc->matches == 0)
            continue;
        for (size_t j = 0; j < pats->count; j++) {
            const pattern *exc = &pats->items[j];
            if (exc->include || exc->files != inc->files || exc->matches == 0)
                continue;
            size_t n = 0, selected = 0;
            for (size_t k = 0; k < r->count; k++) {
                const hm_scan_function *fn = &r->functions[k];
                if (matches(config, inc, fn) && matches(config, exc, fn)) {
                    both[n++] = fn;
                    selected += select_function(config, fn).selected;
                }
            }
            if (n == 0)
                continue;
            char *names = name_list(both, n);
            const char *outcome =
                selected == 0   ? n == 1 ? "it is not instrumented" : "none is instrumented"
                : selected == n ? n == 1 ? "it is instrumented" : "all are instrumented"
                                : "some are instrumented";
            add_finding(out, inc->line,
                        hm_xasprintf("%s '%s' and %s '%s' (line %d) both match %zu function%s "
                                     "(%s); %s",
                                     list_name(inc), inc->text, list_name(exc), exc->text,
                                     exc->line, n, n == 1 ? "" : "s", names, outcome));
            free(names);
        }
    }
    free(both);
}

/* functions.include patterns whose selections (the functions they decide for) are all trivial. */
static void check_trivial(const pattern_list *pats, const hm_scan_result *r,
                          const hm_config *config, findings *out) {
    unsigned threshold = hm_config_trivial_threshold(config);
    const hm_scan_function **picked = hm_xcalloc(r->count ? r->count : 1, sizeof *picked);
    for (size_t i = 0; i < pats->count; i++) {
        const pattern *p = &pats->items[i];
        if (p->files || !p->include || p->matches == 0 || threshold == 0)
            continue;
        size_t n = 0;
        bool all_trivial = true;
        for (size_t k = 0; k < r->count && all_trivial; k++) {
            const hm_scan_function *fn = &r->functions[k];
            hm_selection sel = select_function(config, fn);
            if (!sel.selected || sel.rule == NULL || sel.rule_line != p->line ||
                strcmp(sel.rule, p->text) != 0)
                continue;
            all_trivial = !sel.named_exactly && hm_scan_is_trivial(fn, threshold);
            picked[n++] = fn;
        }
        if (n > 0 && all_trivial) {
            char *names = name_list(picked, n);
            add_finding(out, p->line,
                        hm_xasprintf("functions.include pattern '%s' selects only trivial "
                                     "functions (%s), which the plugin skips (no calls, no loops, "
                                     "under %u IR instructions); name them exactly to instrument "
                                     "them anyway",
                                     p->text, names, threshold));
            free(names);
        }
    }
    free(picked);
}

static int compare_findings(const void *pa, const void *pb) {
    const finding *a = pa, *b = pb;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return strcmp(a->message, b->message);
}

int hm_scan_check(const char *config_path, const hm_scan_result *result, FILE *out) {
    if (access(config_path, R_OK) != 0)
        return -1;
    hm_config *config = NULL;
    hm_config_error err = {{0}};
    if (hm_config_load_file(config_path, &config, &err) != 0) {
        fprintf(out, "%s\n", err.message);
        return 1;
    }
    pattern_list pats = {0};
    read_patterns(config, &pats);
    for (size_t i = 0; i < pats.count; i++)
        for (size_t k = 0; k < result->count; k++)
            pats.items[i].matches += matches(config, &pats.items[i], &result->functions[k]);
    findings found = {0};
    check_unmatched(&pats, &found);
    check_conflicts(&pats, result, config, &found);
    check_trivial(&pats, result, config, &found);

    if (found.count > 1)
        qsort(found.items, found.count, sizeof *found.items, compare_findings);
    for (size_t i = 0; i < found.count; i++) {
        fprintf(out, "%s:%d: warning: %s\n", config_path, found.items[i].line,
                found.items[i].message);
        free(found.items[i].message);
    }
    fflush(out);
    int count = (int)found.count;
    free(found.items);
    free(pats.items);
    hm_config_free(config);
    return count;
}
