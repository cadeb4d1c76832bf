/* Internals of the interactive view, shared by tui.c (setup, keys), tui_draw.c (the list screen)
 * and tui_panes.c (detail, threads, help, filter prompt); they draw through crt.h.
 *
 * One hm_tui value holds the whole state of a session: the model (which owns the rows, sort,
 * filter and selection), the glyph set and colour level chosen at start, and which pane is open.
 * Every frame is drawn from scratch into stdscr; ncurses sends only the difference.
 */
#ifndef HEATMAP_VIEWER_TUI_INTERNAL_H
#define HEATMAP_VIEWER_TUI_INTERNAL_H

#include "callers.h"
#include "crt.h"
#include "glyphs.h"
#include "layout.h"
#include "live.h"
#include "model.h"

#include <stdbool.h>
#include <stddef.h>

/* Smallest terminal the TUI starts in (and draws in; below it a "too small" notice). */
#define TUI_MIN_COLS HM_MIN_WIDTH
#define TUI_MIN_LINES 8

typedef enum tui_pane {
    TUI_PANE_NONE = 0,
    TUI_PANE_DETAIL,  /* the selected function: file:line, statistics, histogram, threads */
    TUI_PANE_THREADS, /* the run's threads */
    TUI_PANE_HELP,    /* the keys */
} tui_pane;

typedef struct hm_tui {
    hm_model *m;
    const hm_glyphs *g;
    tui_crt crt; /* colour level and background, for the drawing primitives */
    tui_pane pane;
    bool prompt;               /* the filter prompt is open */
    char edit[HM_FILTER_MAX];  /* filter being typed */
    char saved[HM_FILTER_MAX]; /* filter before the prompt opened (Esc restores it) */
    size_t saved_function;     /* function selected then (index into results), or SIZE_MAX */
    size_t list_rows;          /* list lines on the last frame (PgUp/PgDn step) */
    size_t initial_top;        /* the top-N the a key returns to */
    size_t pane_scroll;        /* first line of a pane's content */
    /* The detail pane's callers and callees: from the call paths (NULL: none shown), computed for
     * one function at a time and kept until the selection moves (tui_panes.c). */
    const hm_paths *paths;
    hm_live *live; /* live mode: read again every interval (tui.c), else NULL */
    int input_fd;  /* the terminal keys come from: a key cancels a live read in progress */
    const hm_function_stats *calls_of; /* the function `calls` is for, or NULL */
    int calls_rc;                      /* hm_callers_compute's result for it */
    hm_call_summary calls;
    /* The list's layout depends on every row (column widths), so with thousands of rows it is
     * kept until the rows or the width change rather than recomputed for each key. */
    hm_layout layout;
    bool layout_valid;
    struct tui_layout_key {
        hm_view_mode mode;
        hm_sort_key sort;
        hm_pct_column pct;
        size_t top, nrows, nmatched, width;
        char filter[HM_FILTER_MAX];
    } layout_key;
} hm_tui;

/* ---- tui_draw.c ------------------------------------------------------------------------------ */

/* The whole screen for the current state: title, legend, the mode's list, footer, then the open
 * pane or prompt over it. */
void tui_draw(hm_tui *t);

/* ---- tui_panes.c ----------------------------------------------------------------------------- */

/* Draw the open pane inside the box from line `top` to `bottom` (inclusive), full width. */
void tui_draw_pane(hm_tui *t, int top, int bottom);

/* Free what the detail pane keeps between frames (at the end of the session). */
void tui_panes_free(hm_tui *t);

/* The filter prompt on the last line. */
void tui_draw_prompt(hm_tui *t);

/* The help text: one line per key binding (defined in tui.c next to the key table). */
size_t tui_help_count(void);
void tui_help_line(const hm_tui *t, size_t i, const char **keys, const char **what);

/* The Memory mode's list from line y to line bottom (tui_memory.c). */
void tui_memory_draw(hm_tui *t, int y, int bottom);

#endif /* HEATMAP_VIEWER_TUI_INTERNAL_H */
