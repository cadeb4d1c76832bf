/* The TUI's list screen (title, legend, bar/sparkline/table rows, footer) and its drawing helpers.
 *
 * Row text comes from layout.c, the same code the static text output uses, so a row reads the same
 * on screen and in a file; this file only places the segments and adds attributes: the heat
 * gradient on bars, sparklines and the table's CPU Time cell, reverse video on the selection. All
 * colours go through one table (tui_attr / tui_heat_attr) with three levels: 256 colours, the 8
 * ANSI colours, and none (attributes only).
 */
#include "tui_internal.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

/* ---- Colours --------------------------------------------------------------------------------- */

/* Heat gradient, hottest first: red → orange → yellow → green in the xterm 256-colour cube. */
static const short heat256[] = {196, 202, 208, 214, 220, 226, 190, 154, 118, 82, 46};
#define HEAT256_N (sizeof heat256 / sizeof heat256[0])
static const short heat8[] = {COLOR_RED, COLOR_YELLOW, COLOR_GREEN};
#define HEAT8_N (sizeof heat8 / sizeof heat8[0])

enum { PAIR_HEAT = 1, PAIR_TITLE = 20, PAIR_BORDER, PAIR_KEY, PAIR_SORTED };

void tui_colors_init(const hm_tui *t) {
    if (t->colors == TUI_COLORS_NONE)
        return;
    if (t->colors == TUI_COLORS_256)
        for (size_t i = 0; i < HEAT256_N; i++)
            init_pair((short)(PAIR_HEAT + i), heat256[i], t->background);
    else
        for (size_t i = 0; i < HEAT8_N; i++)
            init_pair((short)(PAIR_HEAT + i), heat8[i], t->background);
    init_pair(PAIR_TITLE, COLOR_CYAN, t->background);
    init_pair(PAIR_BORDER, COLOR_CYAN, t->background);
    init_pair(PAIR_KEY, COLOR_YELLOW, t->background);
    init_pair(PAIR_SORTED, COLOR_YELLOW, t->background);
}

int tui_attr(const hm_tui *t, tui_role role) {
    bool c = t->colors != TUI_COLORS_NONE;
    switch (role) {
    case TUI_ROLE_TEXT:
        return A_NORMAL;
    case TUI_ROLE_TITLE:
        return A_BOLD | (c ? COLOR_PAIR(PAIR_TITLE) : 0);
    case TUI_ROLE_LEGEND:
        return A_NORMAL;
    case TUI_ROLE_HEADER:
        return A_BOLD | A_UNDERLINE;
    case TUI_ROLE_HEADER_SORTED:
        return A_BOLD | A_UNDERLINE | (c ? COLOR_PAIR(PAIR_SORTED) : A_REVERSE);
    case TUI_ROLE_FOOTER:
        return A_REVERSE;
    case TUI_ROLE_BORDER:
        return c ? COLOR_PAIR(PAIR_BORDER) : A_NORMAL;
    case TUI_ROLE_DIM:
        return A_DIM;
    case TUI_ROLE_KEY:
        return A_BOLD | (c ? COLOR_PAIR(PAIR_KEY) : 0);
    }
    return A_NORMAL;
}

int tui_heat_attr(const hm_tui *t, double fraction) {
    if (!(fraction > 0))
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    size_t n = t->colors == TUI_COLORS_256 ? HEAT256_N : HEAT8_N;
    /* fraction 1 → index 0 (red), fraction 0 → the last (green). */
    size_t i = (size_t)((1.0 - fraction) * (double)(n - 1) + 0.5);
    if (t->colors == TUI_COLORS_NONE)
        return fraction >= 2.0 / 3.0 ? A_BOLD : A_NORMAL;
    return COLOR_PAIR((short)(PAIR_HEAT + i));
}

/* ---- Helpers --------------------------------------------------------------------------------- */

size_t tui_put(int y, int x, const char *s, size_t cols, int attr) {
    if (y < 0 || x < 0 || y >= LINES || x >= COLS)
        return 0;
    if (cols > (size_t)(COLS - x))
        cols = (size_t)(COLS - x);
    size_t n = hm_text_prefix(s, cols);
    if (n == 0)
        return 0;
    /* Control characters (a name from a hand-edited file, say) would move the cursor: show '?'. */
    char buf[1024];
    if (n >= sizeof buf) {
        n = sizeof buf - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    for (size_t i = 0; i < n; i++)
        buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
    attron(attr);
    mvaddnstr(y, x, buf, (int)n);
    attroff(attr);
    size_t w = hm_text_width(s);
    return w < cols ? w : cols;
}

/* Lines being filled by tui_wrap. */
typedef struct wrap_out {
    char *lines;
    size_t n, max, linelen, width;
    const hm_glyphs *g;
    bool full; /* something did not fit */
} wrap_out;

/* Append `text` to the last line after `sep`, or start a new line with it. */
static void wrap_add(wrap_out *w, const char *sep, const char *text) {
    char *last = w->n > 0 ? w->lines + (w->n - 1) * w->linelen : NULL;
    if (last != NULL && hm_text_width(last) + strlen(sep) + hm_text_width(text) <= w->width) {
        strncat(last, sep, w->linelen - strlen(last) - 1);
        strncat(last, text, w->linelen - strlen(last) - 1);
    } else if (w->n < w->max) {
        char *line = w->lines + w->n++ * w->linelen;
        hm_shorten(text, w->width, w->g, line, w->linelen);
    } else if (last != NULL && !w->full) {
        /* Out of lines: end the last one with an ellipsis. */
        size_t cut = hm_text_prefix(last, w->width - 1);
        last[cut] = '\0';
        strncat(last, w->g->ellipsis, w->linelen - strlen(last) - 1);
        w->full = true;
    }
}

size_t tui_wrap(const char *text, size_t width, const hm_glyphs *g, char *lines, size_t max,
                size_t linelen) {
    static const char sep[] = " | ";
    wrap_out w = {.lines = lines, .max = max, .linelen = linelen, .width = width, .g = g};
    char piece[512], word[512];
    for (const char *p = text; *p != '\0' && !w.full;) {
        const char *end = strstr(p, sep);
        size_t len = end ? (size_t)(end - p) : strlen(p);
        snprintf(piece, sizeof piece, "%.*s", (int)len, p);
        p = end ? end + strlen(sep) : p + len;
        if (hm_text_width(piece) <= width) {
            wrap_add(&w, sep, piece);
            continue;
        }
        /* Wider than a line: word by word, starting on a new line. */
        bool first = true;
        for (char *q = piece; *q != '\0' && !w.full;) {
            size_t wl = strcspn(q, " ");
            snprintf(word, sizeof word, "%.*s", (int)wl, q);
            q += wl + (q[wl] == ' ');
            if (first && w.n < w.max) {
                w.lines[w.n++ * w.linelen] = '\0';
                wrap_add(&w, "", word);
            } else {
                wrap_add(&w, first ? sep : " ", word);
            }
            first = false;
        }
    }
    return w.n;
}

/* ---- The list screen ------------------------------------------------------------------------- */

#define LEGEND_MAX 3 /* lines per legend text */
#define LINE_LEN 512

/* Line 0: "🔥 Performance Heatmap - Bar Chart", and the mode tabs on the right when they fit. */
static void draw_title(const hm_tui *t) {
    char title[128];
    snprintf(title, sizeof title, "%sPerformance Heatmap - %s", t->g->fire,
             hm_mode_title(t->m->mode));
    size_t w = hm_text_width(title);
    tui_put(0, 0, title, (size_t)COLS, tui_attr(t, TUI_ROLE_TITLE));
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
        int attr = i == (int)t->m->mode ? (int)(A_REVERSE | A_BOLD) : tui_attr(t, TUI_ROLE_DIM);
        x += (int)tui_put(0, x, tab[i], strlen(tab[i]), attr);
    }
}

/* The three legend texts wrapped to the width; returns the next free line. */
static int draw_legend(const hm_tui *t, int y) {
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
                    tui_attr(t, k == 0 ? TUI_ROLE_TEXT : TUI_ROLE_LEGEND));
    }
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

static hm_column sort_column(hm_sort_key key, bool *name) {
    *name = key == HM_SORT_NAME;
    switch (key) {
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
    int head = tui_attr(t, TUI_ROLE_HEADER), sorted = tui_attr(t, TUI_ROLE_HEADER_SORTED);
    bool by_name;
    hm_column sc = sort_column(m->sort, &by_name);
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
    const char *graph = l->mode == HM_MODE_BAR ? "CPU Time" : "Avg";
    cell[0] = '\0';
    hm_append_cell(cell, sizeof cell, graph, l->graph_w, false, t->g);
    bool graph_sorted = l->mode == HM_MODE_BAR ? m->sort == HM_SORT_CPU : m->sort == HM_SORT_AVG;
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
    int heat = tui_heat_attr(t, r.fraction) | sel;
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
    int attr = tui_attr(t, TUI_ROLE_FOOTER);
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
    tui_put(y, 0, text, (size_t)COLS, tui_attr(t, TUI_ROLE_DIM));
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
    int y = draw_legend(t, 1);
    const hm_layout *l = current_layout(t);
    int header_y = y;
    if (m->nrows > 0)
        draw_header(t, l, y);
    y++;
    int bottom = LINES - 2; /* last list line */
    t->list_rows = bottom >= y ? (size_t)(bottom - y + 1) : 1;
    if (m->nrows == 0) {
        draw_empty(t, y);
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
