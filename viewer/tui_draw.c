/* The TUI's list screen: title, legend, bar/sparkline/table rows, footer.
 *
 * Row text comes from layout.c, the same code the static text output uses, so a row reads the same
 * on screen and in a file; this file only places the segments and adds attributes: the heat
 * gradient on bars, sparklines and the table's CPU Time cell, reverse video on the selection. Text
 * and colours go through the drawing primitives of crt.c.
 */
#include "tui_internal.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* ---- The list screen ------------------------------------------------------------------------- */

#define LEGEND_MAX 3 /* lines per legend text */
#define LINE_LEN 512

/* Line 0: "🔥 Performance Heatmap - Bar Chart", and the mode tabs on the right when they fit. */
static void draw_title(const hm_tui *t) {
    char title[128];
    snprintf(title, sizeof title, "%sPerformance Heatmap - %s%s", t->g->fire,
             hm_mode_title(t->m->mode), t->live ? " (live)" : "");
    size_t w = hm_text_width(title);
    tui_put(0, 0, title, (size_t)COLS, tui_attr(&t->crt, TUI_ROLE_TITLE));
    size_t tabs_w = 0;
    char tab[HM_MODE_COUNT][32];
    for (int i = 0; i < HM_MODE_COUNT; i++) {
        snprintf(tab[i], sizeof tab[i], " %d %s ", i + 1, hm_mode_title((hm_view_mode)i));
        tabs_w += strlen(tab[i]);
    }
    if (w + 2 + tabs_w > (size_t)COLS)
        return;
    int x = COLS - (int)tabs_w;
    for (int i = 0; i < HM_MODE_COUNT; i++) {
        int attr =
            i == (int)t->m->mode ? (int)(A_REVERSE | A_BOLD) : tui_attr(&t->crt, TUI_ROLE_DIM);
        x += (int)tui_put(0, x, tab[i], strlen(tab[i]), attr);
    }
}

/* Live mode, line 1: the source and the age of the data, or since when the program does not
 * answer (the last data stay on the screen); returns the next free line. */
static int draw_live_status(const hm_tui *t, int y) {
    if (t->live == NULL)
        return y;
    char text[LINE_LEN], lines[2][LINE_LEN];
    bool failing = hm_live_status(t->live, hm_live_now_ms(), text, sizeof text);
    /* The reason of a failure takes a second line when the terminal has room for it. */
    size_t n =
        tui_wrap(text, (size_t)COLS, t->g, &lines[0][0], failing && LINES >= 20 ? 2 : 1, LINE_LEN);
    for (size_t i = 0; i < n; i++)
        tui_put(y++, 0, lines[i], (size_t)COLS,
                tui_attr(&t->crt, failing ? TUI_ROLE_ALERT : TUI_ROLE_DIM));
    return y;
}

/* The three legend texts wrapped to the width, and in sparkline mode its scale (l: the mode's
 * layout, NULL in memory mode); returns the next free line. */
static int draw_legend(const hm_tui *t, const hm_layout *l, int y) {
    static const hm_summary_kind kinds[] = {HM_LINE_LEGEND_RUN, HM_LINE_LEGEND_CALLS,
                                            HM_LINE_LEGEND_STATS};
    /* Short terminals keep one line per legend text so the list keeps its room. */
    size_t per_text = LINES >= 30 ? 3 : LINES >= 20 ? 2 : 1;
    for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
        char text[LINE_LEN], lines[LEGEND_MAX][LINE_LEN];
        hm_summary_line(t->m, kinds[k], t->g, text, sizeof text);
        size_t n = tui_wrap(text, (size_t)COLS, t->g, &lines[0][0], per_text, LINE_LEN);
        for (size_t i = 0; i < n; i++)
            tui_put(y++, 0, lines[i], (size_t)COLS,
                    tui_attr(&t->crt, k == 0 ? TUI_ROLE_TEXT : TUI_ROLE_LEGEND));
    }
    char scale[LINE_LEN] = "";
    if (l != NULL)
        hm_spark_scale_line(l, t->g, scale, sizeof scale);
    if (scale[0] != '\0')
        tui_put(y++, 0, scale, (size_t)COLS, tui_attr(&t->crt, TUI_ROLE_LEGEND));
    return y;
}

/* Screen column where table column c starts (after the two separating spaces). */
static size_t table_column_x(const hm_layout *l, hm_column c) {
    size_t x = l->name_w;
    for (int k = 0; k < (int)c; k++)
        if (l->col_w[k] > 0)
            x += l->col_w[k] + 2;
    return x + 2;
}

/* The table column the sort key ranks by; HM_COLUMN_COUNT (none) for self time in a file with
 * the split, where no column shows it. */
static hm_column sort_column(hm_sort_key key, bool has_cpu, bool *name) {
    *name = key == HM_SORT_NAME;
    switch (key) {
    case HM_SORT_WAIT:
        return HM_COL_WAIT;
    case HM_SORT_SELF:
        return has_cpu ? (hm_column)HM_COLUMN_COUNT : HM_COL_CPU;
    case HM_SORT_COUNT:
        return HM_COL_COUNT;
    case HM_SORT_AVG:
        return HM_COL_AVG;
    case HM_SORT_MAX:
        return HM_COL_MAX;
    case HM_SORT_P95:
        return HM_COL_PCT;
    default:
        return HM_COL_CPU;
    }
}

/* Column headings: the table's own, or "Function / CPU Time / avg | calls" over the graphs. The
 * sort column is highlighted. */
static void draw_header(const hm_tui *t, const hm_layout *l, int y) {
    const hm_model *m = t->m;
    int head = tui_attr(&t->crt, TUI_ROLE_HEADER),
        sorted = tui_attr(&t->crt, TUI_ROLE_HEADER_SORTED);
    bool by_name;
    hm_column sc = sort_column(m->sort, m->results->has_cpu, &by_name);
    char cell[128];
    cell[0] = '\0';
    hm_append_cell(cell, sizeof cell, "Function", l->name_w, false, t->g);
    tui_put(y, 0, cell, l->name_w, by_name ? sorted : head);
    if (l->mode == HM_MODE_TABLE) {
        char line[LINE_LEN];
        hm_layout_header(l, m, t->g, line, sizeof line);
        for (int c = 0; c < HM_COLUMN_COUNT; c++) {
            if (l->col_w[c] == 0)
                continue;
            size_t x = table_column_x(l, (hm_column)c);
            const char *title = line + hm_text_prefix(line, x);
            /* P95 is the sort key only while the table shows P95. */
            bool is_sorted =
                !by_name && (hm_column)c == sc && (c != HM_COL_PCT || m->pct == HM_PCT_P95);
            tui_put(y, (int)x, title, l->col_w[c], is_sorted ? sorted : head);
        }
        return;
    }
    int x = (int)l->name_w + 1;
    const char *graph = l->mode != HM_MODE_BAR ? "Avg (log)"
                        : m->results->has_cpu  ? "CPU Time"
                                               : "Self Time";
    cell[0] = '\0';
    hm_append_cell(cell, sizeof cell, graph, l->graph_w, false, t->g);
    bool graph_sorted =
        l->mode == HM_MODE_BAR
            ? m->sort == HM_SORT_CPU || (m->sort == HM_SORT_SELF && !m->results->has_cpu)
            : m->sort == HM_SORT_AVG;
    tui_put(y, x, cell, l->graph_w, graph_sorted ? sorted : head);
    x += (int)l->graph_w + 2;
    if (l->compact)
        tui_put(y, x, "avg | calls", l->info_w, head);
}

/* One list row; `selected` draws it in reverse video across the whole width. */
static void draw_row(const hm_tui *t, const hm_layout *l, size_t i, int y, bool selected) {
    hm_row_text r;
    hm_layout_row(l, t->m, i, t->g, &r);
    int sel = selected ? A_REVERSE : 0;
    if (selected) {
        attron(A_REVERSE);
        mvhline(y, 0, ' ', COLS);
        attroff(A_REVERSE);
    }
    int heat = tui_heat_attr(&t->crt, r.fraction) | sel;
    tui_put(y, 0, r.name, l->name_w, sel | (selected ? A_BOLD : 0));
    if (l->mode == HM_MODE_TABLE) {
        tui_put(y, (int)l->name_w, r.info, (size_t)COLS, sel);
        if (l->col_w[HM_COL_CPU] > 0) {
            size_t x = table_column_x(l, HM_COL_CPU);
            const char *cpu = r.info + hm_text_prefix(r.info, x - l->name_w);
            tui_put(y, (int)x, cpu, l->col_w[HM_COL_CPU], heat);
        }
        return;
    }
    int x = (int)l->name_w + 1;
    tui_put(y, x, r.graph, l->graph_w, heat);
    x += (int)l->graph_w + 2;
    tui_put(y, x, r.info, l->info_w, sel);
}

/* Footer on the last line: position, sort, filter, and the keys that matter most. */
static void draw_footer(const hm_tui *t) {
    const hm_model *m = t->m;
    char left[LINE_LEN], more[64] = "";
    if (m->nmatched > m->nrows)
        snprintf(more, sizeof more, " of %zu", m->nmatched);
    snprintf(left, sizeof left, " %zu/%zu%s | sort: %s%s%s", m->nrows ? m->selected + 1 : 0,
             m->nrows, more, hm_sort_key_name(m->sort), m->filter[0] ? " | filter: " : "",
             m->filter);
    const char *right = " Enter details  / filter  s sort  ? help  q quit ";
    const char *right_short = " ? help  q quit ";
    int attr = tui_attr(&t->crt, TUI_ROLE_FOOTER);
    attron(attr);
    mvhline(LINES - 1, 0, ' ', COLS);
    attroff(attr);
    size_t lw = tui_put(LINES - 1, 0, left, (size_t)COLS, attr);
    const char *r = lw + strlen(right) <= (size_t)COLS         ? right
                    : lw + strlen(right_short) <= (size_t)COLS ? right_short
                                                               : NULL;
    if (r != NULL)
        tui_put(LINES - 1, COLS - (int)strlen(r), r, strlen(r), attr);
}

static void draw_empty(const hm_tui *t, int y) {
    char text[LINE_LEN];
    if (t->m->results->nfunctions == 0)
        snprintf(text, sizeof text, " No function was called in this run.");
    else
        snprintf(text, sizeof text, " No function matches '%s'. Press / to change the filter.",
                 t->m->filter);
    tui_put(y, 0, text, (size_t)COLS, tui_attr(&t->crt, TUI_ROLE_DIM));
}

static void draw_too_small(const hm_tui *t) {
    char text[128], lines[8][64];
    snprintf(text, sizeof text, "Terminal too small: %dx%d | needs %dx%d | q quits", COLS, LINES,
             TUI_MIN_COLS, TUI_MIN_LINES);
    size_t n = tui_wrap(text, COLS > 0 ? (size_t)COLS : 1, t->g, &lines[0][0], 8, sizeof lines[0]);
    for (size_t i = 0; i < n; i++)
        tui_put((int)i, 0, lines[i], (size_t)COLS, A_NORMAL);
}

/* The layout of the model's rows at the terminal's width, recomputed only when they change. */
static const hm_layout *current_layout(hm_tui *t) {
    const hm_model *m = t->m;
    struct tui_layout_key key;
    memset(&key, 0, sizeof key);
    key.mode = m->mode;
    key.sort = m->sort;
    key.pct = m->pct;
    key.top = m->top;
    key.nrows = m->nrows;
    key.nmatched = m->nmatched;
    key.width = (size_t)COLS;
    snprintf(key.filter, sizeof key.filter, "%s", m->filter);
    if (!t->layout_valid || memcmp(&key, &t->layout_key, sizeof key) != 0) {
        hm_layout_compute(&t->layout, m, (size_t)COLS, t->g);
        memcpy(&t->layout_key, &key, sizeof key); /* padding too: compared with memcmp */
        t->layout_valid = true;
    }
    return &t->layout;
}

void tui_draw(hm_tui *t) {
    erase();
    if (COLS < TUI_MIN_COLS || LINES < TUI_MIN_LINES) {
        draw_too_small(t);
        refresh();
        return;
    }
    hm_model *m = t->m;
    draw_title(t);
    const hm_layout *l = m->mode == HM_MODE_MEMORY ? NULL : current_layout(t);
    int y = draw_legend(t, l, draw_live_status(t, 1));
    int header_y = y;
    int bottom = LINES - 2; /* last list line */
    if (l && m->nrows > 0)
        draw_header(t, l, y);
    y++;
    t->list_rows = bottom >= y ? (size_t)(bottom - y + 1) : 1;
    if (m->nrows == 0) {
        draw_empty(t, y);
    } else if (l == NULL) { /* Memory: its own list (tui_memory.c) */
        tui_memory_draw(t, header_y, bottom);
    } else {
        hm_model_scroll_into_view(m, t->list_rows);
        for (size_t i = m->scroll; i < m->nrows && y <= bottom; i++, y++)
            draw_row(t, l, i, y, i == m->selected);
    }
    draw_footer(t);
    /* A pane covers the list; on a short terminal the legend too, so that it has some room. */
    if (t->pane != TUI_PANE_NONE)
        tui_draw_pane(t, LINES - 2 - header_y < 8 ? 1 : header_y, LINES - 2);
    if (t->prompt)
        tui_draw_prompt(t);
    refresh();
}
