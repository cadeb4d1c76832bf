/* The viewer's model (see model.h): filter → sort → top-N over the loaded functions, plus the
 * selection and scroll position that the list views share.
 *
 * Rows are recomputed from scratch on every change (hm_results_select is O(n log n) and runs only
 * on a key press). The selection follows the selected function across recomputes, as htop keeps
 * the selected process when the sort order changes.
 */
#include "model.h"
#include "glyphs.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const mode_names[HM_MODE_COUNT] = {"bar", "sparkline", "table", "memory"};
static const char *const mode_titles[HM_MODE_COUNT] = {"Bar Chart", "Sparkline", "Table", "Memory"};
static const size_t mode_tops[HM_MODE_COUNT] = {25, 50, 50, 50};

const char *hm_mode_name(hm_view_mode mode) {
    return (unsigned)mode < HM_MODE_COUNT ? mode_names[mode] : "?";
}

const char *hm_mode_title(hm_view_mode mode) {
    return (unsigned)mode < HM_MODE_COUNT ? mode_titles[mode] : "?";
}

int hm_mode_parse(const char *name, hm_view_mode *out) {
    int i = hm_name_index(mode_names, HM_MODE_COUNT, name);
    if (i >= 0)
        *out = (hm_view_mode)i;
    return i >= 0 ? 0 : -1;
}

size_t hm_mode_default_top(hm_view_mode mode) {
    return (unsigned)mode < HM_MODE_COUNT ? mode_tops[mode] : 25;
}

const char *hm_pct_label(hm_pct_column column) {
    return column == HM_PCT_P50 ? "P50" : column == HM_PCT_P99 ? "P99" : "P95";
}

uint64_t hm_pct_value(const hm_function_stats *f, hm_pct_column column) {
    return column == HM_PCT_P50 ? f->p50_ns : column == HM_PCT_P99 ? f->p99_ns : f->p95_ns;
}

int hm_pct_parse(const char *name, hm_pct_column *out) {
    static const hm_pct_column all[] = {HM_PCT_P95, HM_PCT_P50, HM_PCT_P99};
    for (size_t i = 0; i < sizeof all / sizeof all[0]; i++) {
        const char *label = hm_pct_label(all[i]); /* "P95": accept "p95" and "P95" */
        if ((name[0] == 'p' || name[0] == 'P') && strcmp(name + 1, label + 1) == 0) {
            *out = all[i];
            return 0;
        }
    }
    return -1;
}

bool hm_filter_to_glob(const char *pattern, char *out, size_t outlen) {
    if (strpbrk(pattern, "*?[") != NULL || pattern[0] == '\0') {
        if (strlen(pattern) >= outlen)
            return false;
        strcpy(out, pattern);
        return true;
    }
    size_t n = 0;
    if (outlen < 3)
        return false;
    out[n++] = '*';
    for (const char *p = pattern; *p; p++) {
        if (n + 3 >= outlen) /* room for an escape, the char, '*' and NUL */
            return false;
        if (*p == '\\')
            out[n++] = '\\';
        out[n++] = *p;
    }
    out[n++] = '*';
    out[n] = '\0';
    return true;
}

size_t hm_model_limit(const hm_model *m) {
    return m->top == HM_TOP_MODE ? hm_mode_default_top(m->mode) : m->top;
}

/* Recompute rows; keep `keep` (a function index, or SIZE_MAX) selected when still visible. */
static void refresh(hm_model *m, size_t keep) {
    char glob[2 * HM_FILTER_MAX + 3];
    if (!hm_filter_to_glob(m->filter, glob, sizeof glob))
        glob[0] = '\0';
    m->nmatched = hm_results_select(m->results, glob, m->sort, m->rows);
    size_t limit = hm_model_limit(m);
    m->nrows = m->nmatched < limit ? m->nmatched : limit;
    size_t found = SIZE_MAX;
    for (size_t i = 0; keep != SIZE_MAX && i < m->nrows; i++)
        if (m->rows[i] == keep)
            found = i;
    if (found != SIZE_MAX)
        m->selected = found;
    else if (m->selected >= m->nrows)
        m->selected = m->nrows ? m->nrows - 1 : 0;
    if (m->scroll > m->selected)
        m->scroll = m->selected;
}

static size_t selected_index(const hm_model *m) {
    return m->nrows ? m->rows[m->selected] : SIZE_MAX;
}

/* A function and its slot in the caller's array, sorted by name to find repeated names. */
typedef struct named {
    const hm_function_stats *f;
    size_t slot;
} named;

static int cmp_names(const void *a, const void *b) {
    return strcmp(((const named *)a)->f->name, ((const named *)b)->f->name);
}

/* Whether `path` ends with the whole components `suffix` (all of it, or after a '/'). */
static bool ends_with_components(const char *path, const char *suffix) {
    size_t np = strlen(path), ns = strlen(suffix);
    return np >= ns && strcmp(path + np - ns, suffix) == 0 &&
           (np == ns || path[np - ns - 1] == '/');
}

/* The start of the shortest suffix of group[i]'s file, in whole components, that no other file of
 * the group (of the same name) ends with; the whole file when every suffix is shared. */
static size_t distinguishing_suffix(const named *group, size_t n, size_t i) {
    const char *file = group[i].f->file;
    size_t from = strlen(file);
    while (from > 0) {
        /* one more component: back to the '/' before it, or the start */
        from--;
        while (from > 0 && file[from - 1] != '/')
            from--;
        bool shared = false;
        for (size_t j = 0; j < n && !shared; j++)
            shared = strcmp(group[j].f->file, file) != 0 &&
                     ends_with_components(group[j].f->file, file + from);
        if (!shared)
            return from;
    }
    return 0;
}

int hm_mark_same_names(const hm_function_stats *const *fs, size_t n, hm_label_place *places) {
    for (size_t i = 0; i < n; i++)
        places[i] = (hm_label_place){false, 0};
    if (n < 2)
        return 0;
    named *sorted = malloc(n * sizeof *sorted);
    if (sorted == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        sorted[i] = (named){fs[i], i};
    qsort(sorted, n, sizeof *sorted, cmp_names);
    for (size_t start = 0, end; start < n; start = end) {
        for (end = start + 1; end < n && strcmp(sorted[start].f->name, sorted[end].f->name) == 0;)
            end++;
        for (size_t i = start; end - start > 1 && i < end; i++)
            places[sorted[i].slot] = (hm_label_place){
                true, distinguishing_suffix(sorted + start, end - start, i - start)};
    }
    free(sorted);
    return 0;
}

const char *hm_function_label(const hm_function_stats *f, const hm_label_place *place, char *buf,
                              size_t len) {
    /* No view is wider than HM_MAX_WIDTH columns, so a longer name (C++ templates can run to
     * thousands) is cut to its head and tail here, as the view would cut it, and the location
     * always fits behind it. */
    char name[HM_LABEL_LEN / 2], file[HM_LABEL_LEN / 4];
    hm_shorten(f->name, HM_MAX_WIDTH, &hm_glyphs_utf8, name, sizeof name);
    bool with_location = place != NULL && place->shown;
    size_t from = with_location && place->file_from <= strlen(f->file) ? place->file_from : 0;
    hm_shorten(f->file + from, HM_MAX_WIDTH / 4, &hm_glyphs_utf8, file, sizeof file);
    if (!with_location)
        snprintf(buf, len, "%s", name);
    else if (file[0] != '\0' && f->line != 0)
        snprintf(buf, len, "%s (%s:%u)", name, file, f->line);
    else if (file[0] != '\0')
        snprintf(buf, len, "%s (%s)", name, file);
    else
        snprintf(buf, len, "%s (line %u)", name, f->line);
    return buf;
}

const char *hm_model_label(const hm_model *m, const hm_function_stats *f, char *buf, size_t len) {
    size_t i = (size_t)(f - m->results->functions);
    bool known = m->same_name != NULL && i < m->results->nfunctions;
    return hm_function_label(f, known ? &m->same_name[i] : NULL, buf, len);
}

int hm_model_init(hm_model *m, const hm_results *results) {
    memset(m, 0, sizeof *m);
    m->results = results;
    m->mode = HM_MODE_BAR;
    m->sort = HM_SORT_CPU;
    m->top = HM_TOP_MODE;
    size_t n = results->nfunctions;
    m->rows = calloc(n ? n : 1, sizeof *m->rows);
    m->same_name = calloc(n ? n : 1, sizeof *m->same_name);
    const hm_function_stats **fs = malloc((n ? n : 1) * sizeof *fs);
    int rc = m->rows && m->same_name && fs ? 0 : -1;
    for (size_t i = 0; rc == 0 && i < n; i++)
        fs[i] = &results->functions[i];
    if (rc == 0)
        rc = hm_mark_same_names(fs, n, m->same_name);
    free(fs);
    if (rc != 0) {
        hm_model_free(m);
        return -1;
    }
    refresh(m, SIZE_MAX);
    return 0;
}

void hm_model_free(hm_model *m) {
    free(m->rows);
    free(m->same_name);
    m->rows = NULL;
    m->same_name = NULL;
    m->nrows = 0;
}

size_t hm_model_index_of(const hm_model *m, const hm_function_stats *like) {
    size_t by_file = SIZE_MAX, by_name = SIZE_MAX;
    for (size_t i = 0; like != NULL && i < m->results->nfunctions; i++) {
        const hm_function_stats *f = &m->results->functions[i];
        if (strcmp(f->name, like->name) != 0)
            continue;
        bool same_file = strcmp(f->file, like->file) == 0;
        if (same_file && f->line == like->line)
            return i;
        if (same_file && by_file == SIZE_MAX)
            by_file = i;
        if (by_name == SIZE_MAX)
            by_name = i;
    }
    return by_file != SIZE_MAX ? by_file : by_name;
}

int hm_model_replace_results(hm_model *m, const hm_results *results) {
    hm_model next;
    if (hm_model_init(&next, results) != 0)
        return -1;
    next.mode = m->mode;
    next.sort = m->sort;
    next.pct = m->pct;
    next.top = m->top;
    memcpy(next.filter, m->filter, sizeof next.filter);
    next.selected = m->selected; /* where the selection stays when its function is gone */
    size_t line = m->selected >= m->scroll ? m->selected - m->scroll : 0;
    refresh(&next, hm_model_index_of(&next, hm_model_selected(m)));
    next.scroll = next.selected >= line ? next.selected - line : 0;
    hm_model_free(m);
    *m = next;
    return 0;
}

void hm_model_set_mode(hm_model *m, hm_view_mode mode) {
    size_t keep = selected_index(m);
    /* Memory ranks by allocated bytes unless another key was chosen; back from it, by CPU. */
    if (mode == HM_MODE_MEMORY && m->sort == HM_SORT_CPU)
        m->sort = HM_SORT_MEM;
    else if (mode != HM_MODE_MEMORY && m->mode == HM_MODE_MEMORY && m->sort == HM_SORT_MEM)
        m->sort = HM_SORT_CPU;
    m->mode = mode;
    refresh(m, keep);
}

void hm_model_set_sort(hm_model *m, hm_sort_key key) {
    size_t keep = selected_index(m);
    m->sort = key;
    refresh(m, keep);
}

/* Sort by the key `step` places on (HM_SORT_KEY_COUNT - 1: one back), round the list; past
 * memory when the results have no memory figures (nothing to rank by). */
static void step_sort(hm_model *m, unsigned step) {
    hm_sort_key key = (hm_sort_key)((m->sort + step) % HM_SORT_KEY_COUNT);
    if (key == HM_SORT_MEM && !m->results->has_heap)
        key = (hm_sort_key)((key + step) % HM_SORT_KEY_COUNT);
    hm_model_set_sort(m, key);
}

void hm_model_cycle_sort(hm_model *m) {
    step_sort(m, 1);
}

void hm_model_cycle_sort_back(hm_model *m) {
    step_sort(m, HM_SORT_KEY_COUNT - 1);
}

void hm_model_set_top(hm_model *m, size_t top) {
    size_t keep = selected_index(m);
    m->top = top;
    refresh(m, keep);
}

void hm_model_cycle_pct(hm_model *m) {
    m->pct = m->pct == HM_PCT_P95 ? HM_PCT_P50 : m->pct == HM_PCT_P50 ? HM_PCT_P99 : HM_PCT_P95;
}

bool hm_model_set_filter(hm_model *m, const char *pattern) {
    if (strlen(pattern) >= sizeof m->filter)
        return false;
    size_t keep = selected_index(m);
    strcpy(m->filter, pattern);
    refresh(m, keep);
    return true;
}

const hm_function_stats *hm_model_row(const hm_model *m, size_t i) {
    return i < m->nrows ? &m->results->functions[m->rows[i]] : NULL;
}

const hm_function_stats *hm_model_selected(const hm_model *m) {
    return hm_model_row(m, m->selected);
}

void hm_model_move(hm_model *m, long delta) {
    if (m->nrows == 0)
        return;
    long target = (long)m->selected + delta;
    if (target < 0)
        target = 0;
    if ((size_t)target >= m->nrows)
        target = (long)m->nrows - 1;
    m->selected = (size_t)target;
}

void hm_model_home(hm_model *m) {
    m->selected = 0;
}

void hm_model_end(hm_model *m) {
    m->selected = m->nrows ? m->nrows - 1 : 0;
}

void hm_model_scroll_into_view(hm_model *m, size_t visible) {
    if (visible == 0)
        visible = 1;
    if (m->selected < m->scroll)
        m->scroll = m->selected;
    else if (m->selected >= m->scroll + visible)
        m->scroll = m->selected - visible + 1;
    /* Do not leave empty lines at the bottom when the list could fill the window. */
    if (m->nrows > visible && m->scroll > m->nrows - visible)
        m->scroll = m->nrows - visible;
    if (m->nrows <= visible)
        m->scroll = 0;
}

uint64_t hm_model_max_cpu(const hm_model *m) {
    uint64_t max = 0;
    for (size_t i = 0; i < m->nrows; i++)
        if (hm_function_cpu_rank_ns(hm_model_row(m, i)) > max)
            max = hm_function_cpu_rank_ns(hm_model_row(m, i));
    return max;
}

uint64_t hm_model_max_avg(const hm_model *m) {
    uint64_t max = 0;
    for (size_t i = 0; i < m->nrows; i++) {
        uint64_t avg = hm_function_avg_ns(hm_model_row(m, i));
        if (avg > max)
            max = avg;
    }
    return max;
}

uint64_t hm_model_min_avg(const hm_model *m) {
    uint64_t min = 0;
    for (size_t i = 0; i < m->nrows; i++) {
        uint64_t avg = hm_function_avg_ns(hm_model_row(m, i));
        if (avg > 0 && (min == 0 || avg < min))
            min = avg;
    }
    return min;
}
