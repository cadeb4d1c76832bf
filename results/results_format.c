/* Durations as text: the one rule every screen, report and test uses, and its inverse.
 *
 * Formatting is heatmap/duration.h's (shared with the runtime's exit summary): three significant
 * digits in the largest unit that holds the value below 1000, 850ns, 1.25µs, 12.5ms, 686µs, 1.00s,
 * in integers, so the output is the same on every machine and libc. Parsing accepts what --fail-if
 * users type: a decimal number and one of ns, us, µs, ms, s.
 */
#include "hm_results.h"

#include <stdio.h>
#include <string.h>

const char *hm_format_duration(uint64_t ns, int flags, char buf[HM_DURATION_LEN]) {
    return hm_duration_text(ns, (flags & HM_FMT_ASCII) != 0, buf);
}

/* Units of hm_parse_duration, largest first; "ms" is tried before "m", and a unit followed by a
 * letter is no unit ("5min", "5msx"), so "m" never takes the place of "ms". */
static const struct {
    const char *name;
    uint64_t scale;
} DURATION_UNITS[] = {{"h", 3600000000000ull},
                      {"ms", 1000000},
                      {"m", 60000000000ull},
                      {"s", 1000000000},
                      {"us", 1000},
                      {"\xC2\xB5s", 1000},
                      {"ns", 1}};
#define NDURATION_UNITS (sizeof DURATION_UNITS / sizeof DURATION_UNITS[0])

/* One NUMBER UNIT part at *pp: adds its value to *total and advances *pp. Returns the unit's scale,
 * or 0 when there is no number, no unit, or the sum overflows. */
static uint64_t parse_duration_part(const char **pp, uint64_t *total) {
    const char *p = *pp;
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return 0;
        whole = whole * 10 + (uint64_t)(*p - '0');
    }
    if (*p == '.') {
        for (p++; *p >= '0' && *p <= '9'; p++, digits++)
            if (frac_scale < 1000000000000ull) { /* more than 12 decimals add nothing */
                frac = frac * 10 + (uint64_t)(*p - '0');
                frac_scale *= 10;
            }
    }
    if (digits == 0)
        return 0;
    for (size_t i = 0; i < NDURATION_UNITS; i++) {
        size_t len = strlen(DURATION_UNITS[i].name);
        if (strncmp(p, DURATION_UNITS[i].name, len) != 0)
            continue;
        char next = p[len];
        if ((next >= 'a' && next <= 'z') || (next >= 'A' && next <= 'Z') || (next & 0x80) != 0)
            return 0; /* "5min", "5msx": not a unit we know */
        uint64_t scale = DURATION_UNITS[i].scale;
        if (whole > UINT64_MAX / scale)
            return 0;
        /* frac / frac_scale * scale, rounded; frac_scale <= 10^12 and scale < 10^13 fit in 128. */
        unsigned __int128 part = ((unsigned __int128)frac * scale + frac_scale / 2) / frac_scale;
        unsigned __int128 sum = (unsigned __int128)*total + whole * scale + part;
        if (sum > UINT64_MAX)
            return 0;
        *total = (uint64_t)sum;
        *pp = p + len;
        return scale;
    }
    return 0;
}

int hm_parse_duration(const char *text, uint64_t *ns, const char **end) {
    const char *p = text;
    uint64_t total = 0, last_scale = UINT64_MAX;
    do {
        uint64_t scale = parse_duration_part(&p, &total);
        if (scale == 0 || scale >= last_scale)
            return -1; /* no unit, an unknown one, overflow, or units not from large to small */
        last_scale = scale;
    } while ((*p >= '0' && *p <= '9') || *p == '.');
    if (end == NULL && *p != '\0')
        return -1;
    if (end != NULL)
        *end = p;
    *ns = total;
    return 0;
}
