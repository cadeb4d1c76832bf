/* Durations as text: the one rule every screen, report and test uses, and its inverse.
 *
 * Formatting keeps three significant digits in the largest unit that holds the value below 1000:
 * 850ns, 1.25µs, 12.5ms, 686µs, 1.00s. It works in integers (round half up), so the output is the
 * same on every machine and libc. Parsing accepts what --fail-if users type: a decimal number and
 * one of ns, us, µs, ms, s.
 */
#include "hm_results.h"

#include <stdio.h>
#include <string.h>

static const struct {
    uint64_t scale; /* ns per unit */
    const char *utf8, *ascii;
} units[] = {
    {1, "ns", "ns"},
    {1000, "\xC2\xB5s", "us"},
    {1000000, "ms", "ms"},
    {1000000000, "s", "s"},
};
#define NUNITS (sizeof units / sizeof units[0])

/* n / d rounded half up, without overflow. */
static uint64_t div_round(uint64_t n, uint64_t d) {
    return n / d + (n % d >= d - d / 2 ? 1 : 0);
}

const char *hm_format_duration(uint64_t ns, int flags, char buf[HM_DURATION_LEN]) {
    if (ns < 1000) {
        snprintf(buf, HM_DURATION_LEN, "%lluns", (unsigned long long)ns);
        return buf;
    }
    for (size_t u = 1; u < NUNITS; u++) {
        const char *suffix = (flags & HM_FMT_ASCII) ? units[u].ascii : units[u].utf8;
        /* Try 2, then 1, then 0 decimals: the first whose rounded value stays below 1000. */
        for (int decimals = 2; decimals >= 0; decimals--) {
            uint64_t step = units[u].scale / (decimals == 2 ? 100 : decimals == 1 ? 10 : 1);
            uint64_t v = div_round(ns, step);
            if (v >= 1000 && !(u == NUNITS - 1 && decimals == 0))
                continue;
            if (decimals == 0)
                snprintf(buf, HM_DURATION_LEN, "%llu%s", (unsigned long long)v, suffix);
            else
                snprintf(buf, HM_DURATION_LEN, "%llu.%0*llu%s",
                         (unsigned long long)(v / (decimals == 2 ? 100 : 10)), decimals,
                         (unsigned long long)(v % (decimals == 2 ? 100 : 10)), suffix);
            return buf;
        }
    }
    return buf; /* not reached: seconds always print */
}

int hm_parse_duration(const char *text, uint64_t *ns, const char **end) {
    const char *p = text;
    uint64_t whole = 0, frac = 0, frac_scale = 1;
    int digits = 0;
    for (; *p >= '0' && *p <= '9'; p++, digits++) {
        if (whole > (UINT64_MAX - 9) / 10)
            return -1;
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
        return -1;
    static const struct {
        const char *name;
        uint64_t scale;
    } suffixes[] = {
        {"ns", 1}, {"us", 1000}, {"\xC2\xB5s", 1000}, {"ms", 1000000}, {"s", 1000000000}};
    for (size_t i = 0; i < sizeof suffixes / sizeof suffixes[0]; i++) {
        size_t len = strlen(suffixes[i].name);
        if (strncmp(p, suffixes[i].name, len) != 0)
            continue;
        uint64_t scale = suffixes[i].scale;
        if (whole > UINT64_MAX / scale)
            return -1;
        /* frac / frac_scale * scale, rounded; frac_scale <= 10^12 and scale <= 10^9 fit in 128. */
        unsigned __int128 part = ((unsigned __int128)frac * scale + frac_scale / 2) / frac_scale;
        if (whole * scale + (uint64_t)part < whole * scale)
            return -1;
        if (end == NULL && p[len] != '\0')
            return -1;
        if (end != NULL)
            *end = p + len;
        *ns = whole * scale + (uint64_t)part;
        return 0;
    }
    return -1;
}
