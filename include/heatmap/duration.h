/* Durations as text: the one rule that heatmap-view's screens and reports (results/,
 * hm_format_duration) and the runtime's exit summary (runtime/summary.c) print with.
 *
 * Three significant digits in the largest unit that keeps the value below 1000: 850ns, 1.25µs,
 * 12.5ms, 686µs, 1.00s; seconds are not carried further (1234s). Integer arithmetic, rounding half
 * up, so the text is the same on every machine and libc. Header-only and async-signal-safe (no
 * stdio, no allocation): the summary may be printed from a fatal-signal handler.
 */
#ifndef HEATMAP_DURATION_H
#define HEATMAP_DURATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Room for any duration's text, terminator included (2^64 ns is 18446744074s). */
#define HM_DURATION_LEN 24

/* n / d rounded half up, without overflow. */
static inline uint64_t hm_div_round_half_up(uint64_t n, uint64_t d) {
    return n / d + (n % d >= d - d / 2 ? 1 : 0);
}

/* The decimal digits of v at p; returns their number. */
static inline size_t hm_duration_digits(char *p, uint64_t v) {
    char tmp[20];
    size_t n = 0;
    do
        tmp[n++] = (char)('0' + v % 10);
    while ((v /= 10) != 0);
    for (size_t i = 0; i < n; i++)
        p[i] = tmp[n - 1 - i];
    return n;
}

/* Write ns as text into buf ("us" for µs when `ascii`); returns buf. */
static inline char *hm_duration_text(uint64_t ns, bool ascii, char buf[HM_DURATION_LEN]) {
    static const struct {
        uint64_t scale; /* ns per unit */
        const char *utf8, *ascii;
    } units[] = {
        {1, "ns", "ns"}, {1000, "\xC2\xB5s", "us"}, {1000000, "ms", "ms"}, {1000000000, "s", "s"}};
    const size_t nunits = sizeof units / sizeof units[0];
    size_t u = 0, decimals = 0;
    uint64_t v = ns;
    if (ns >= 1000) {
        /* The first unit, then the most decimals (2, 1, 0), whose rounded value stays below
         * 1000; seconds with no decimals take any value. */
        for (u = 1; u < nunits; u++) {
            for (decimals = 3; decimals-- > 0;) {
                uint64_t div = decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
                v = hm_div_round_half_up(ns, units[u].scale / div);
                if (v < 1000 || (u == nunits - 1 && decimals == 0))
                    goto found;
            }
        }
    }
found:;
    uint64_t div = decimals == 2 ? 100 : decimals == 1 ? 10 : 1;
    size_t n = hm_duration_digits(buf, v / div);
    if (decimals > 0) {
        buf[n++] = '.';
        uint64_t frac = v % div;
        if (decimals == 2)
            buf[n++] = (char)('0' + frac / 10);
        buf[n++] = (char)('0' + frac % 10);
    }
    for (const char *s = ascii ? units[u].ascii : units[u].utf8; *s; s++)
        buf[n++] = *s;
    buf[n] = '\0';
    return buf;
}

#endif /* HEATMAP_DURATION_H */
