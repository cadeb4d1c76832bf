/* The interactive view (ncursesw): bar, sparkline and table modes over a model, with a legend,
 * a detail pane, a thread pane, a filter prompt and key help. See docs/viewer.md for the keys.
 */
#ifndef HEATMAP_VIEWER_TUI_H
#define HEATMAP_VIEWER_TUI_H

#include "hm_paths.h"
#include "live.h"
#include "model.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct hm_tui_opts {
    bool ascii;    /* ASCII glyphs even in a UTF-8 locale */
    bool no_color; /* no colours (also NO_COLOR set, TERM=dumb) */
    bool threads;  /* open with the thread pane */
    /* The merged call paths of the model's files, for the detail pane's callers and callees; NULL
     * shows none. Not owned; must outlive hm_tui_run. */
    const hm_paths *paths;
    /* Live mode (live.h): the model's results are hm_live_results(live), read again every
     * interval; the title says "(live)" and a status line the source and the age of the data.
     * NULL for files. Not owned; after hm_tui_run the model points at hm_live_results(live). */
    hm_live *live;
} hm_tui_opts;

/* Run the TUI on the terminal until the user quits; the model keeps the final view state.
 * Returns 0, or -1 when the terminal cannot host it, with the reason in why ("" when there is
 * simply no interactive view in this build: the caller then prints the static text silently). */
int hm_tui_run(hm_model *m, const hm_tui_opts *o, char *why, size_t whylen);

#endif /* HEATMAP_VIEWER_TUI_H */
