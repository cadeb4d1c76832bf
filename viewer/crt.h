/* Drawing primitives and the colour table of the interactive view (crt.c).
 *
 * A tui_crt is the colour level and background chosen once at start; the roles name what a piece
 * of text is, so screens never pick colours themselves.
 */
#ifndef HEATMAP_VIEWER_CRT_H
#define HEATMAP_VIEWER_CRT_H

#include "glyphs.h"

#include <stddef.h>

typedef enum tui_colors { TUI_COLORS_NONE = 0, TUI_COLORS_8, TUI_COLORS_256 } tui_colors;

/* What a piece of text is; tui_attr() maps it to attributes for the colour level. */
typedef enum tui_role {
    TUI_ROLE_TEXT = 0,
    TUI_ROLE_TITLE,
    TUI_ROLE_LEGEND,
    TUI_ROLE_HEADER,
    TUI_ROLE_HEADER_SORTED, /* the column the rows are sorted by */
    TUI_ROLE_FOOTER,
    TUI_ROLE_BORDER,
    TUI_ROLE_DIM,
    TUI_ROLE_KEY,   /* key names in help and footer */
    TUI_ROLE_ALERT, /* something is wrong: the live program does not answer */
} tui_role;

typedef struct tui_crt {
    tui_colors colors;
    short background; /* colour-pair background: -1 (the terminal's) or COLOR_BLACK */
} tui_crt;

/* Set up the colour pairs for crt->colors (after start_color()). */
void tui_colors_init(const tui_crt *crt);

/* Attributes of a role, and of the heat gradient at `fraction` (1 = hottest, red; 0 = green). */
int tui_attr(const tui_crt *crt, tui_role role);
int tui_heat_attr(const tui_crt *crt, double fraction);

/* Draw s at (y, x) in at most `cols` columns (clipped at the end, never wrapped) with attr. Returns
 * the columns drawn. */
size_t tui_put(int y, int x, const char *s, size_t cols, int attr);

/* Split `text` at " | " into lines of at most `width` columns; a piece wider than the line is
 * shortened with the ellipsis. Writes up to `max` lines of `linelen` bytes into lines (a
 * max x linelen array); returns how many. */
size_t tui_wrap(const char *text, size_t width, const hm_glyphs *g, char *lines, size_t max,
                size_t linelen);

#endif /* HEATMAP_VIEWER_CRT_H */
