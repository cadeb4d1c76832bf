/* Text helpers for every view: glyph sets (UTF-8 or ASCII), display width, name shortening, bars
 * and sparkline glyphs. No ncurses, no I/O: they fill caller buffers, so the static text output
 * and the TUI draw the same characters and the unit tests can check them.
 */
#ifndef HEATMAP_VIEWER_GLYPHS_H
#define HEATMAP_VIEWER_GLYPHS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The characters a view draws with. Two fixed sets: hm_glyphs_utf8 and hm_glyphs_ascii. */
typedef struct hm_glyphs {
    bool utf8;
    const char *ellipsis;  /* "…" or "~" (one column either way) */
    const char *blocks[9]; /* bar eighths: blocks[0] = "" ... blocks[8] = full block */
    const char *spark[8];  /* sparkline levels, lowest first */
    const char *arrow;     /* "→" or "->" */
    const char *fire;      /* title prefix: "🔥 " or "" */
    const char *warning;   /* "⚠️ " or "warning: " */
    int duration_flags;    /* HM_FMT_ASCII or 0, for hm_format_duration() */
} hm_glyphs;

extern const hm_glyphs hm_glyphs_utf8;
extern const hm_glyphs hm_glyphs_ascii;

/* hm_glyphs_ascii when `ascii` is set or the locale's character set is not UTF-8 (the caller has
 * run setlocale(LC_CTYPE, "")), else hm_glyphs_utf8. */
const hm_glyphs *hm_glyphs_pick(bool ascii);

/* Display columns of a UTF-8 string: wcwidth() of each character in the locale set by
 * setlocale(LC_CTYPE, "") (2 for CJK, 0 for combining marks), 1 for what it does not know. */
size_t hm_text_width(const char *s);

/* Bytes of s that its first `cols` columns take (strlen(s) when it is shorter): where to cut a
 * string at a column without splitting a UTF-8 sequence. */
size_t hm_text_prefix(const char *s, size_t cols);

/* Copy s into out (room for outlen bytes) so that it takes at most `width` columns: a longer string
 * keeps its head and tail around the ellipsis ("std::vector<…>::push_back"); the cut never splits
 * a UTF-8 sequence. Returns the columns written. */
size_t hm_shorten(const char *s, size_t width, const hm_glyphs *g, char *out, size_t outlen);

/* Append s to out (NUL-terminated, room for outlen) padded with spaces to `width` columns, on the
 * left when `right` (numbers) else on the right; a longer s is shortened first, and control
 * characters are shown as '?'. */
void hm_append_cell(char *out, size_t outlen, const char *s, size_t width, bool right,
                    const hm_glyphs *g);

/* A bar of `fraction` (0..1) of `width` columns, in eighths of a column with UTF-8 ("███▍") or
 * whole
 * '#' with ASCII; at least one eighth (one '#') when fraction > 0. Not padded. */
void hm_bar(double fraction, size_t width, const hm_glyphs *g, char *out, size_t outlen);

/* The sparkline glyph for `fraction` (0..1): level 0..7 = round(fraction * 7). */
const char *hm_spark_glyph(double fraction, const hm_glyphs *g);

/* Where `value` stands between `lo` and `hi` on a logarithmic scale: ln(value/lo) / ln(hi/lo),
 * clamped to 0..1, so each step of a level is the same factor. The sparkline's scale: one average
 * a thousand times the others still leaves them apart (a linear scale puts them all at ▁).
 * value 0 gives 0; when hi <= lo (one value) any value > 0 gives 1. */
double hm_log_fraction(uint64_t value, uint64_t lo, uint64_t hi);

#endif /* HEATMAP_VIEWER_GLYPHS_H */
