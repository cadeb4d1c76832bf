/* --diff BASE NEW: the before/after comparison as text, JSON or CSV.
 *
 * Rows come from hm_results_diff (paired functions, new ones, vanished ones, largest CPU-time
 * regression first). Static output only, deterministic like render.h.
 */
#ifndef HEATMAP_VIEWER_DIFF_VIEW_H
#define HEATMAP_VIEWER_DIFF_VIEW_H

#include "cli.h"
#include "render.h"

#include <stdio.h>

typedef struct hm_diff_opts {
    const hm_glyphs *glyphs;
    hm_format format;   /* HM_FORMAT_TEXT, JSON or CSV */
    const char *filter; /* pattern as for the model (hm_filter_to_glob); NULL for all */
    size_t top;         /* rows to show; HM_TOP_ALL for all */
} hm_diff_opts;

/* Write the comparison of `before` and `after`. Returns 0, or -1 on out-of-memory or a write
 * error. */
int hm_render_diff(FILE *out, const hm_results *before, const hm_results *after,
                   const hm_diff_opts *o);

#endif /* HEATMAP_VIEWER_DIFF_VIEW_H */
