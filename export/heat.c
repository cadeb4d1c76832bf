/* The heat colour scale (see heat.h): one table of xterm-256 colours, hottest first. */
#include "heat.h"

static const int heat256[HM_HEAT_STEPS] = {196, 202, 208, 214, 220, 226, 190, 154, 118, 82, 46};

size_t hm_heat_step(double fraction) {
    if (!(fraction > 0)) /* also NaN */
        fraction = 0;
    if (fraction > 1)
        fraction = 1;
    return (size_t)((1.0 - fraction) * (double)(HM_HEAT_STEPS - 1) + 0.5);
}

int hm_heat_xterm256(double fraction) {
    return heat256[hm_heat_step(fraction)];
}

uint32_t hm_heat_rgb(double fraction) {
    static const uint32_t level[6] = {0, 95, 135, 175, 215, 255};
    int c = hm_heat_xterm256(fraction) - 16; /* colour cube: 16 + 36 r + 6 g + b */
    return level[c / 36] << 16 | level[c / 6 % 6] << 8 | level[c % 6];
}
