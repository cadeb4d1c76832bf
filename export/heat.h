/* The heat colour scale shared by every view that colours by impact: red for the hottest, through
 * orange and yellow, to green for the coldest.
 *
 * One gradient, three forms: the xterm 256-colour index and the 8-colour ANSI level the TUI draws
 * with, and the RGB value the SVG flame graph paints with (the RGB of the same xterm colour), so a
 * function has the same colour in the terminal and in the picture. No ncurses, no I/O.
 */
#ifndef HEATMAP_EXPORT_HEAT_H
#define HEATMAP_EXPORT_HEAT_H

#include <stddef.h>
#include <stdint.h>

/* Steps of the gradient, hottest first (HM_HEAT_STEPS xterm-256 colours). */
#define HM_HEAT_STEPS 11

/* The step for `fraction` (1 = hottest → 0, 0 or less = coldest → HM_HEAT_STEPS - 1; NaN counts
 * as 0): round((1 - fraction) * (HM_HEAT_STEPS - 1)). */
size_t hm_heat_step(double fraction);

/* The xterm 256-colour index of `fraction`: 196 (red), 202, 208, 214, 220, 226 (yellow), 190, 154,
 * 118, 82, 46 (green). */
int hm_heat_xterm256(double fraction);

/* The same colour as 0xRRGGBB, from the xterm colour cube (levels 0, 95, 135, 175, 215, 255). */
uint32_t hm_heat_rgb(double fraction);

#endif /* HEATMAP_EXPORT_HEAT_H */
