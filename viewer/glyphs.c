/* Glyph sets and the string helpers that lay text out in columns (see glyphs.h).
 *
 * All widths are display columns, counted as code points: the names we show are identifiers and
 * paths, and the only wide glyph we print (the title's emoji) never goes through these helpers.
 * Every function writes into a caller buffer and truncates safely when the buffer is short.
 */
#include "glyphs.h"

#include "hm_results.h"

#include <langinfo.h>
#include <math.h>
#include <string.h>

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

size_t hm_text_width(const char *s) {
    size_t n = 0;
    for (; *s; s++)
        n += !is_continuation((unsigned char)*s);
    return n;
}

/* Byte offset just past the first `cols` code points of s (or strlen(s)). */
static size_t head_bytes(const char *s, size_t cols) {
    size_t i = 0;
    while (s[i] != '\0') {
        if (!is_continuation((unsigned char)s[i])) {
            if (cols == 0)
                break;
            cols--;
        }
        i++;
    }
    return i;
}

size_t hm_text_prefix(const char *s, size_t cols) {
    return head_bytes(s, cols);
}

/* Byte offset where the last `cols` code points of s start. */
static size_t tail_start(const char *s, size_t cols) {
    size_t i = strlen(s);
    while (i > 0 && cols > 0) {
        i--;
        if (!is_continuation((unsigned char)s[i]))
            cols--;
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

const char *hm_spark_glyph(double fraction, const hm_glyphs *g) {
    if (!(fraction > 0))
        return g->spark[0];
    if (fraction > 1)
        fraction = 1;
    return g->spark[lround(fraction * 7.0)];
}
