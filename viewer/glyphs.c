/* Glyph sets and the string helpers that lay text out in columns (see glyphs.h).
 *
 * All widths are display columns as the locale's wcwidth() counts them, so a CJK name takes two
 * per character and rows stay aligned; in the C locale every character counts one. Cuts never
 * split a UTF-8 sequence. Every function writes into a caller buffer and truncates safely when
 * the buffer is short.
 */
#define _XOPEN_SOURCE 700 /* wcwidth() */
#include "glyphs.h"

#include "hm_results.h"

#include <langinfo.h>
#include <math.h>
#include <stdint.h>
#include <string.h>
#include <wchar.h>

const hm_glyphs hm_glyphs_utf8 = {
    .utf8 = true,
    .ellipsis = "\xE2\x80\xA6",
    .blocks = {"", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D", "\xE2\x96\x8C", "\xE2\x96\x8B",
               "\xE2\x96\x8A", "\xE2\x96\x89", "\xE2\x96\x88"},
    .spark = {"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84", "\xE2\x96\x85",
              "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88"},
    .arrow = "\xE2\x86\x92",
    .fire = "\xF0\x9F\x94\xA5 ",
    .warning = "\xE2\x9A\xA0\xEF\xB8\x8F ",
    .duration_flags = 0,
};

const hm_glyphs hm_glyphs_ascii = {
    .utf8 = false,
    .ellipsis = "~",
    .blocks = {"", "#", "#", "#", "#", "#", "#", "#", "#"},
    .spark = {"_", ".", "-", ":", "=", "+", "*", "#"},
    .arrow = "->",
    .fire = "",
    .warning = "warning: ",
    .duration_flags = HM_FMT_ASCII,
};

const hm_glyphs *hm_glyphs_pick(bool ascii) {
    const char *codeset = nl_langinfo(CODESET);
    bool utf8 = codeset != NULL && (strcmp(codeset, "UTF-8") == 0 || strcmp(codeset, "utf8") == 0);
    return ascii || !utf8 ? &hm_glyphs_ascii : &hm_glyphs_utf8;
}

static bool is_continuation(unsigned char c) {
    return (c & 0xC0) == 0x80;
}

/* Length in bytes of the character at s (1 for a byte that starts no valid UTF-8 sequence), and
 * in *cols the columns it takes: wcwidth() in the locale (2 for CJK, 0 for combining marks), 1
 * where the locale does not know it (C locale, control characters, which are shown as '?'). */
static size_t char_at(const char *s, size_t *cols) {
    unsigned char c = (unsigned char)s[0];
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 1;
    uint32_t cp = len == 1 ? c : c & (0x3Fu >> (len - 1));
    for (size_t i = 1; i < len; i++) {
        if (!is_continuation((unsigned char)s[i])) { /* cut short: a stray byte */
            len = 1;
            break;
        }
        cp = cp << 6 | ((unsigned char)s[i] & 0x3Fu);
    }
    int w = len == 1 && c >= 0x80 ? -1 : wcwidth((wchar_t)cp);
    *cols = w < 0 ? 1 : (size_t)w;
    return len;
}

size_t hm_text_width(const char *s) {
    size_t n = 0, w;
    while (*s != '\0') {
        s += char_at(s, &w);
        n += w;
    }
    return n;
}

/* Byte offset just past the longest head of s that takes at most `cols` columns. */
static size_t head_bytes(const char *s, size_t cols) {
    size_t i = 0, w;
    while (s[i] != '\0') {
        size_t len = char_at(s + i, &w);
        if (w > cols)
            break;
        cols -= w;
        i += len;
    }
    return i;
}

size_t hm_text_prefix(const char *s, size_t cols) {
    return head_bytes(s, cols);
}

/* Byte offset where the longest tail of s that takes at most `cols` columns starts. */
static size_t tail_start(const char *s, size_t cols) {
    size_t i = strlen(s), w;
    while (i > 0) {
        size_t j = i - 1;
        while (j > 0 && is_continuation((unsigned char)s[j]) && i - j < 4)
            j--;
        if (char_at(s + j, &w) != i - j) /* not one whole character: a stray byte */
            j = i - 1, w = 1;
        if (w > cols)
            break;
        cols -= w;
        i = j;
    }
    return i;
}

/* Append n bytes of src to out (room outlen), never splitting a UTF-8 sequence at the limit. */
static void append_bytes(char *out, size_t outlen, const char *src, size_t n) {
    size_t len = strlen(out);
    if (len + 1 >= outlen)
        return;
    if (n > outlen - len - 1) {
        n = outlen - len - 1;
        while (n > 0 && is_continuation((unsigned char)src[n]))
            n--;
    }
    memcpy(out + len, src, n);
    out[len + n] = '\0';
}

size_t hm_shorten(const char *s, size_t width, const hm_glyphs *g, char *out, size_t outlen) {
    if (outlen == 0)
        return 0;
    out[0] = '\0';
    size_t cols = hm_text_width(s);
    if (cols <= width) {
        append_bytes(out, outlen, s, strlen(s));
        return hm_text_width(out);
    }
    if (width == 0)
        return 0;
    /* The tail usually carries the method name, so it gets the larger half. */
    size_t head = (width - 1) / 2, tail = width - 1 - head;
    append_bytes(out, outlen, s, head_bytes(s, head));
    append_bytes(out, outlen, g->ellipsis, strlen(g->ellipsis));
    const char *t = s + tail_start(s, tail);
    append_bytes(out, outlen, t, strlen(t));
    return hm_text_width(out);
}

void hm_append_cell(char *out, size_t outlen, const char *s, size_t width, bool right,
                    const hm_glyphs *g) {
    char cell[4 * 1000 + 8]; /* widths stay within 1000 columns (HM_MAX_WIDTH) */
    size_t cols = hm_shorten(s, width, g, cell, sizeof cell);
    /* A control character (a newline in a name, say) would break the row: show it as '?'. */
    for (char *p = cell; *p != '\0'; p++)
        if ((unsigned char)*p < 0x20 || *p == 0x7f)
            *p = '?';
    static const char spaces[] = "                                                                ";
    size_t pad = width > cols ? width - cols : 0;
    if (!right)
        append_bytes(out, outlen, cell, strlen(cell));
    while (pad > 0) {
        size_t chunk = pad < sizeof spaces - 1 ? pad : sizeof spaces - 1;
        append_bytes(out, outlen, spaces, chunk);
        pad -= chunk;
    }
    if (right)
        append_bytes(out, outlen, cell, strlen(cell));
}

void hm_bar(double fraction, size_t width, const hm_glyphs *g, char *out, size_t outlen) {
    if (outlen == 0)
        return;
    out[0] = '\0';
    if (!(fraction > 0))
        return;
    if (fraction > 1)
        fraction = 1;
    size_t eighths = (size_t)lround(fraction * (double)width * 8.0);
    if (eighths == 0)
        eighths = 1;
    if (!g->utf8) {
        size_t whole = (eighths + 4) / 8;
        for (size_t i = 0; i < (whole ? whole : 1); i++)
            append_bytes(out, outlen, "#", 1);
        return;
    }
    for (size_t i = 0; i < eighths / 8; i++)
        append_bytes(out, outlen, g->blocks[8], strlen(g->blocks[8]));
    append_bytes(out, outlen, g->blocks[eighths % 8], strlen(g->blocks[eighths % 8]));
}

double hm_log_fraction(uint64_t value, uint64_t lo, uint64_t hi) {
    if (value == 0)
        return 0;
    if (lo == 0)
        lo = 1; /* no average is below 1 ns but 0, which is handled above */
    if (hi <= lo || value >= hi)
        return 1;
    if (value <= lo)
        return 0;
    return log((double)value / (double)lo) / log((double)hi / (double)lo);
}

const char *hm_spark_glyph(double fraction, const hm_glyphs *g) {
    if (!(fraction > 0))
        return g->spark[0];
    if (fraction > 1)
        fraction = 1;
    return g->spark[lround(fraction * 7.0)];
}
