/* Drawing primitives of the interactive view and its one colour table (htop's CRT.c).
 *
 * Every screen draws through these: tui_put() places clipped, sanitised text, tui_wrap() breaks
 * " | "-separated text into lines, and all colours come from one table (tui_attr / tui_heat_attr)
 * with three levels: 256 colours, the 8 ANSI colours, and none (attributes only). Nothing here
 * knows the model or the screens; ncurses' stdscr is the only state, so call from the UI thread.
 */
#include "crt.h"

#include <curses.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

/* ---- Colours --------------------------------------------------------------------------------- */

/* Heat gradient, hottest first: red → orange → yellow → green in the xterm 256-colour cube. */
static const short heat256[] = {196, 202, 208, 214, 220, 226, 190, 154, 118, 82, 46};
#define HEAT256_N (sizeof heat256 / sizeof heat256[0])
static const short heat8[] = {COLOR_RED, COLOR_YELLOW, COLOR_GREEN};
#define HEAT8_N (sizeof heat8 / sizeof heat8[0])

enum { PAIR_HEAT = 1, PAIR_TITLE = 20, PAIR_BORDER, PAIR_KEY, PAIR_SORTED, PAIR_ALERT };

void tui_colors_init(const tui_crt *crt) {
    if (crt->colors == TUI_COLORS_NONE)
        return;
    if (crt->colors == TUI_COLORS_256)
        for (size_t i = 0; i < HEAT256_N; i++)
            init_pair((short)(PAIR_HEAT + i), heat256[i], crt->background);
    else
        for (size_t i = 0; i < HEAT8_N; i++)
            init_pair((short)(PAIR_HEAT + i), heat8[i], crt->background);
    init_pair(PAIR_TITLE, COLOR_CYAN, crt->background);
    init_pair(PAIR_BORDER, COLOR_CYAN, crt->background);
    init_pair(PAIR_KEY, COLOR_YELLOW, crt->background);
    init_pair(PAIR_SORTED, COLOR_YELLOW, crt->background);
    init_pair(PAIR_ALERT, COLOR_RED, crt->background);
}

int tui_attr(const tui_crt *crt, tui_role role) {
    bool c = crt->colors != TUI_COLORS_NONE;
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
    case TUI_ROLE_ALERT:
        return A_BOLD | (c ? COLOR_PAIR(PAIR_ALERT) : A_REVERSE);
    }
    return A_NORMAL;
}

int tui_heat_attr(const tui_crt *crt, double fraction) {
    if (!(fraction > 0))
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    size_t n = crt->colors == TUI_COLORS_256 ? HEAT256_N : HEAT8_N;
    /* fraction 1 → index 0 (red), fraction 0 → the last (green). */
    size_t i = (size_t)((1.0 - fraction) * (double)(n - 1) + 0.5);
    if (crt->colors == TUI_COLORS_NONE)
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
