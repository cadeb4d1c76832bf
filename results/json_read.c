/* A strict, fast JSON reader into a flat tape (see json_read.h).
 *
 * One pass over the text with an explicit stack of open containers (no recursion, so depth costs
 * no C stack). Each value is appended to the tape when it starts; an open container's elements
 * (an array's values, an object's keys) are collected on the `pending` stack and moved into the
 * offsets table when the container closes, so a container's children are contiguous there. The
 * offsets become pointers once the whole text is read and the tables no longer move.
 *
 * Strings are scanned a byte at a time in a tight loop until a quote; escapes and non-ASCII bytes
 * take the slow path, which unescapes in place (the result is never longer than its escaped
 * form) and validates UTF-8 as jansson does: no overlong forms, no surrogates, nothing above
 * U+10FFFF. Integers are read by hand with an overflow check; reals go to strtod.
 */
#include "json_read.h"
#include "results_internal.h" /* hm_reserve */

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_DEPTH 2048 /* jansson's JSON_PARSER_MAX_DEPTH */

typedef struct parser {
    hm_json_doc *d;
    char *s;
    size_t len, pos;
    hm_json_error *err;
} parser;

/* Fill the error for the byte at `at`; always returns -1. */
__attribute__((format(printf, 4, 5))) static int fail(parser *p, size_t at, bool premature,
                                                      const char *fmt, ...) {
    hm_json_error *e = p->err;
    int line = 1;
    size_t line_start = 0;
    if (at > p->len)
        at = p->len;
    /* Only strings were changed in place, and they hold no raw newline: the count stands. */
    for (size_t i = 0; i < at; i++)
        if (p->s[i] == '\n') {
            line++;
            line_start = i + 1;
        }
    e->line = line;
    e->column = (int)(at - line_start) + 1;
    e->premature_end = premature;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->text, sizeof e->text, fmt, ap);
    va_end(ap);
    return -1;
}

/* The text ended where `what` was expected. */
static int premature(parser *p, const char *what) {
    return fail(p, p->len, true, "%s near end of file", what);
}

static bool word_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '+' || c == '.';
}

/* "WHAT near 'TOKEN'" for the text at pos: the word there, or its one byte. */
static int unexpected(parser *p, const char *what) {
    if (p->pos >= p->len)
        return premature(p, what);
    const char *s = p->s + p->pos;
    size_t n = 0, avail = p->len - p->pos;
    while (n < avail && n < 24 && word_char(s[n]))
        n++;
    if (n > 0)
        return fail(p, p->pos, false, "%s near '%.*s'", what, (int)n, s);
    unsigned char c = (unsigned char)s[0];
    if (c >= 0x20 && c < 0x7f)
        return fail(p, p->pos, false, "%s near '%c'", what, c);
    return fail(p, p->pos, false, "%s near byte 0x%02x", what, c);
}

/* Room for one more value on the tape: 0, or -1 after an error. */
__attribute__((noinline)) static int grow_tape(parser *p) {
    hm_json_doc *d = p->d;
    if (d->nv >= UINT32_MAX)
        return fail(p, p->pos, false, "too many values");
    if (hm_reserve((void **)&d->v, &d->capv, d->nv + 1, sizeof *d->v) != 0)
        return fail(p, p->pos, false, "out of memory");
    return 0;
}

/* Append a value; its index, or SIZE_MAX after an error. */
static inline size_t push(parser *p, hm_json_type type) {
    hm_json_doc *d = p->d;
    if (__builtin_expect(d->nv == d->capv, 0) && grow_tape(p) != 0)
        return SIZE_MAX;
    hm_json *v = &d->v[d->nv];
    v->type = (uint32_t)type;
    v->len = 0;
    v->p.s = NULL;
    v->n.i = 0;
    return d->nv++;
}

static inline int add_pending(parser *p, size_t index) {
    hm_json_doc *d = p->d;
    if (__builtin_expect(d->npending == d->cappending, 0) &&
        hm_reserve((void **)&d->pending, &d->cappending, d->npending + 1, sizeof *d->pending) != 0)
        return fail(p, p->pos, false, "out of memory");
    d->pending[d->npending++] = (uint32_t)index;
    return 0;
}

static inline void skip_ws(parser *p) {
    const char *s = p->s;
    size_t i = p->pos, n = p->len;
    if (i < n && (unsigned char)s[i] > ' ')
        return; /* the common case: no blank here */
    while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\r' || s[i] == '\t'))
        i++;
    p->pos = i;
}

/* ---- Strings --------------------------------------------------------------------------------- */

static int hex4(const char *s, uint32_t *out) {
    uint32_t v = 0;
    for (int k = 0; k < 4; k++) {
        char c = s[k];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (uint32_t)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (uint32_t)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (uint32_t)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t put_utf8(char *w, uint32_t cp) {
    if (cp < 0x80) {
        w[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        w[0] = (char)(0xC0 | (cp >> 6));
        w[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        w[0] = (char)(0xE0 | (cp >> 12));
        w[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        w[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    w[0] = (char)(0xF0 | (cp >> 18));
    w[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    w[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    w[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Length of the valid UTF-8 sequence at s[0..avail), 0 when invalid, SIZE_MAX when it is cut
 * short by the end of the text. */
static size_t utf8_sequence(const unsigned char *s, size_t avail) {
    unsigned char c = s[0];
    size_t n;
    uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2;
        cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3;
        cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n > avail)
        return SIZE_MAX;
    for (size_t k = 1; k < n; k++) {
        if ((s[k] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[k] & 0x3F);
    }
    if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return n;
}

/* The first 8 bytes of a string, zero-padded: keys of equal length are told apart by one integer
 * comparison (self_ns from wait_ns) before any memcmp. */
static int64_t prefix8(const char *s, size_t len) {
    uint64_t v = 0;
    memcpy(&v, s, len < 8 ? len : 8);
    return (int64_t)v;
}

/* Whether two strings of the tape, or a tape string and a C string of length len and prefix pre,
 * are equal. */
static bool same_string(const hm_json *a, const char *s, size_t len, int64_t pre) {
    return a->len == len && a->n.i == pre && (len <= 8 || memcmp(a->p.s + 8, s + 8, len - 8) == 0);
}

/* The string whose opening quote is at pos; appended to the tape, unescaped in place. */
static size_t parse_string(parser *p) {
    char *s = p->s;
    size_t n = p->len, start = p->pos + 1, i = start;
    while (i < n) { /* fast path: plain ASCII without escapes */
        unsigned char c = (unsigned char)s[i];
        if (c == '"' || c == '\\' || c < 0x20 || c >= 0x80)
            break;
        i++;
    }
    size_t w = i;
    for (;;) {
        if (i >= n) {
            premature(p, "the closing quote of a string expected");
            return SIZE_MAX;
        }
        unsigned char c = (unsigned char)s[i];
        if (c == '"')
            break;
        if (c < 0x20) {
            fail(p, i, false, "control character 0x%02x in a string", c);
            return SIZE_MAX;
        }
        if (c >= 0x80) {
            size_t len = utf8_sequence((const unsigned char *)s + i, n - i);
            if (len == SIZE_MAX) {
                premature(p, "the closing quote of a string expected");
                return SIZE_MAX;
            }
            if (len == 0) {
                fail(p, i, false, "invalid UTF-8 in a string");
                return SIZE_MAX;
            }
            memmove(s + w, s + i, len);
            w += len;
            i += len;
            continue;
        }
        if (c != '\\') {
            s[w++] = s[i++];
            continue;
        }
        if (i + 1 >= n) {
            premature(p, "the closing quote of a string expected");
            return SIZE_MAX;
        }
        char e = s[i + 1];
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        const char *at = e != '\0' && e != 'u' ? strchr(from, e) : NULL;
        if (at != NULL) {
            s[w++] = to[at - from];
            i += 2;
            continue;
        }
        if (e != 'u') {
            fail(p, i, false, "invalid escape '\\%c' in a string", e >= 0x20 && e < 0x7f ? e : '?');
            return SIZE_MAX;
        }
        uint32_t cp, low;
        if (i + 6 > n) {
            premature(p, "the closing quote of a string expected");
            return SIZE_MAX;
        }
        if (hex4(s + i + 2, &cp) != 0) {
            fail(p, i, false, "invalid escape '\\u%.4s' in a string", s + i + 2);
            return SIZE_MAX;
        }
        size_t used = 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (i + 12 > n) {
                premature(p, "the closing quote of a string expected");
                return SIZE_MAX;
            }
            if (s[i + 6] != '\\' || s[i + 7] != 'u' || hex4(s + i + 8, &low) != 0 || low < 0xDC00 ||
                low > 0xDFFF) {
                fail(p, i, false, "invalid Unicode '\\u%04X': a high surrogate without its low one",
                     (unsigned)cp);
                return SIZE_MAX;
            }
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            used = 12;
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            fail(p, i, false, "invalid Unicode '\\u%04X': a low surrogate alone", (unsigned)cp);
            return SIZE_MAX;
        } else if (cp == 0) {
            fail(p, i, false, "\\u0000 is not allowed in a string");
            return SIZE_MAX;
        }
        w += put_utf8(s + w, cp); /* at most 4 bytes for 6 or 12 read */
        i += used;
    }
    s[w] = '\0'; /* w <= i: over the closing quote at the latest */
    if (w - start > UINT32_MAX) {
        fail(p, start, false, "string too long");
        return SIZE_MAX;
    }
    size_t v = push(p, HM_JSON_STRING);
    if (v == SIZE_MAX)
        return SIZE_MAX;
    p->d->v[v].p.s = s + start;
    p->d->v[v].len = (uint32_t)(w - start);
    p->d->v[v].n.i = prefix8(s + start, w - start);
    p->pos = i + 1;
    return v;
}

/* ---- Numbers and literals -------------------------------------------------------------------- */

static bool digit(char c) {
    return c >= '0' && c <= '9';
}

static int parse_number(parser *p) {
    const char *s = p->s;
    size_t n = p->len, start = p->pos, i = start;
    bool neg = s[i] == '-', real = false;
    uint64_t u = 0;
    if (neg)
        i++;
    if (i >= n)
        return premature(p, "the rest of a number expected");
    if (s[i] == '0') {
        i++;
        if (i < n && digit(s[i]))
            return fail(p, start, false, "invalid number: a leading zero");
    } else if (digit(s[i])) {
        while (i < n && digit(s[i]))
            u = u * 10 + (uint64_t)(s[i++] - '0'); /* wraps past 19 digits: redone below */
    } else {
        return fail(p, start, false, "invalid number");
    }
    size_t int_end = i;
    if (i < n && s[i] == '.') {
        real = true;
        if (++i >= n)
            return premature(p, "the rest of a number expected");
        if (!digit(s[i]))
            return fail(p, i, false, "invalid number: no digit after '.'");
        while (i < n && digit(s[i]))
            i++;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        real = true;
        if (++i < n && (s[i] == '+' || s[i] == '-'))
            i++;
        if (i >= n)
            return premature(p, "the rest of a number expected");
        if (!digit(s[i]))
            return fail(p, i, false, "invalid number: no digit in the exponent");
        while (i < n && digit(s[i]))
            i++;
    }
    size_t v = push(p, real ? HM_JSON_REAL : HM_JSON_INTEGER);
    if (v == SIZE_MAX)
        return -1;
    if (!real) {
        /* 18 digits cannot overflow; longer numbers are read again, checked digit by digit. */
        uint64_t limit = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
        if (int_end - (start + neg) > 18) {
            u = 0;
            for (size_t k = start + neg; k < int_end; k++) {
                uint64_t d = (uint64_t)(s[k] - '0');
                if (u > (limit - d) / 10)
                    return fail(p, start, false,
                                neg ? "too big negative integer" : "too big integer");
                u = u * 10 + d;
            }
        }
        p->d->v[v].n.i = neg ? (int64_t)(0 - u) : (int64_t)u;
    } else {
        char small[64], *buf = small;
        size_t len = i - start;
        if (len >= sizeof small && (buf = malloc(len + 1)) == NULL)
            return fail(p, start, false, "out of memory");
        memcpy(buf, s + start, len);
        buf[len] = '\0';
        errno = 0;
        double d = strtod(buf, NULL);
        int overflow = errno == ERANGE && (d == HUGE_VAL || d == -HUGE_VAL);
        if (buf != small)
            free(buf);
        if (overflow)
            return fail(p, start, false, "real number overflow");
        p->d->v[v].n.d = d;
    }
    p->pos = i;
    return 0;
}

static int parse_literal(parser *p) {
    static const struct {
        const char *word;
        hm_json_type type;
    } words[] = {{"true", HM_JSON_TRUE}, {"false", HM_JSON_FALSE}, {"null", HM_JSON_NULL}};
    size_t avail = p->len - p->pos;
    for (size_t k = 0; k < sizeof words / sizeof *words; k++) {
        size_t wl = strlen(words[k].word);
        if (words[k].word[0] != p->s[p->pos])
            continue;
        if (avail < wl && memcmp(p->s + p->pos, words[k].word, avail) == 0)
            return premature(p, "the rest of a literal expected");
        if (avail >= wl && memcmp(p->s + p->pos, words[k].word, wl) == 0) {
            if (push(p, words[k].type) == SIZE_MAX)
                return -1;
            p->pos += wl;
            return 0;
        }
    }
    return unexpected(p, "invalid token");
}

/* ---- Containers ------------------------------------------------------------------------------ */

typedef struct key_ref {
    const char *s;
    uint32_t len;
} key_ref;

static int cmp_keys(const void *a, const void *b) {
    const key_ref *x = a, *y = b;
    if (x->len != y->len)
        return x->len < y->len ? -1 : 1;
    return memcmp(x->s, y->s, x->len);
}

/* The first key among the tape indexes keys[0..n) that repeats another, or NULL. */
static const char *duplicate_key(parser *p, const uint32_t *keys, size_t n) {
    const hm_json *v = p->d->v;
    if (n <= 32) {
        /* One bit per key from its length and first bytes: a key whose bit is new repeats no
         * earlier key; only one whose bit was seen is compared with the earlier keys. */
        uint64_t seen = 0;
        for (size_t i = 0; i < n; i++) {
            const hm_json *a = &v[keys[i]];
            uint64_t h = ((uint64_t)a->n.i ^ a->len) * 0x9E3779B97F4A7C15ull;
            uint64_t bit = 1ull << (h >> 58);
            for (size_t j = 0; (seen & bit) != 0 && j < i; j++) {
                const hm_json *b = &v[keys[j]];
                if (same_string(a, b->p.s, b->len, b->n.i))
                    return a->p.s;
            }
            seen |= bit;
        }
        return NULL;
    }
    key_ref *refs = malloc(n * sizeof *refs);
    if (refs == NULL)
        return NULL; /* out of memory: let it pass rather than fail a good file */
    for (size_t i = 0; i < n; i++)
        refs[i] = (key_ref){v[keys[i]].p.s, v[keys[i]].len};
    qsort(refs, n, sizeof *refs, cmp_keys);
    const char *dup = NULL;
    for (size_t i = 1; i < n && dup == NULL; i++)
        if (cmp_keys(&refs[i - 1], &refs[i]) == 0)
            dup = refs[i].s;
    free(refs);
    return dup;
}

/* Close the container at tape index `at` whose elements start at pending[base]. */
static int close_container(parser *p, size_t at, size_t base) {
    hm_json_doc *d = p->d;
    size_t n = d->npending - base;
    if (n > UINT32_MAX)
        return fail(p, p->pos, false, "too many elements");
    if (hm_reserve((void **)&d->kids, &d->capkids, d->nkids + n, sizeof *d->kids) != 0)
        return fail(p, p->pos, false, "out of memory");
    hm_json *v = &d->v[at];
    v->len = (uint32_t)n;
    v->p.at = d->nkids;
    for (size_t k = 0; k < n; k++)
        d->kids[d->nkids + k] = d->pending[base + k] - (uint32_t)at;
    if (v->type == HM_JSON_OBJECT && n > 1) {
        const char *dup = duplicate_key(p, d->pending + base, n);
        if (dup != NULL)
            return fail(p, p->pos - 1, false, "duplicate object key \"%.80s\"", dup);
    }
    d->nkids += n;
    d->npending = base;
    return 0;
}

const hm_json *hm_json_parse(hm_json_doc *d, char *text, size_t len, hm_json_error *error) {
    free(d->text);
    d->text = text;
    d->nv = d->nkids = d->npending = 0;
    memset(error, 0, sizeof *error);
    parser ps = {.d = d, .s = text, .len = len, .err = error}, *p = &ps;
    struct {
        uint32_t at, base;
    } stack[MAX_DEPTH];
    size_t depth = 0;
    skip_ws(p);
    if (p->pos >= len || (text[p->pos] != '{' && text[p->pos] != '[')) {
        unexpected(p, "'[' or '{' expected");
        goto failed;
    }
    for (;;) {
        /* A value starts at pos (after blanks). */
        skip_ws(p);
        if (p->pos >= len) {
            premature(p, "a value expected");
            goto failed;
        }
        char c = text[p->pos];
        if (c == '{' || c == '[') {
            if (depth == MAX_DEPTH) {
                fail(p, p->pos, false, "maximum parsing depth reached");
                goto failed;
            }
            size_t at = push(p, c == '{' ? HM_JSON_OBJECT : HM_JSON_ARRAY);
            if (at == SIZE_MAX)
                goto failed;
            stack[depth].at = (uint32_t)at;
            stack[depth].base = (uint32_t)d->npending;
            depth++;
            p->pos++;
            skip_ws(p);
            if (p->pos >= len) {
                premature(p, c == '{' ? "string or '}' expected" : "a value or ']' expected");
                goto failed;
            }
            if (text[p->pos] == (c == '{' ? '}' : ']')) {
                p->pos++;
                depth--;
                if (close_container(p, at, d->npending) != 0)
                    goto failed;
                goto after_value;
            }
            if (c == '[') {
                if (add_pending(p, d->nv) != 0)
                    goto failed;
                continue;
            }
            goto key;
        } else if (c == '"') {
            if (parse_string(p) == SIZE_MAX)
                goto failed;
        } else if (c == '-' || digit(c)) {
            if (parse_number(p) != 0)
                goto failed;
        } else if (parse_literal(p) != 0) {
            goto failed;
        }
    after_value:
        if (depth == 0)
            break;
        skip_ws(p);
        bool object = d->v[stack[depth - 1].at].type == HM_JSON_OBJECT;
        if (p->pos >= len) {
            premature(p, object ? "',' or '}' expected" : "',' or ']' expected");
            goto failed;
        }
        c = text[p->pos];
        if (c == ',') {
            p->pos++;
            skip_ws(p);
            if (!object) {
                if (add_pending(p, d->nv) != 0)
                    goto failed;
                continue;
            }
            goto key;
        }
        if (c != (object ? '}' : ']')) {
            unexpected(p, object ? "',' or '}' expected" : "',' or ']' expected");
            goto failed;
        }
        p->pos++;
        depth--;
        if (close_container(p, stack[depth].at, stack[depth].base) != 0)
            goto failed;
        goto after_value;
    key:
        /* An object member starts at pos: "key" : value. */
        if (p->pos >= len || text[p->pos] != '"') {
            unexpected(p, "string or '}' expected");
            goto failed;
        }
        size_t k = parse_string(p);
        if (k == SIZE_MAX || add_pending(p, k) != 0)
            goto failed;
        skip_ws(p);
        if (p->pos >= len || text[p->pos] != ':') {
            unexpected(p, "':' expected");
            goto failed;
        }
        p->pos++;
    }
    skip_ws(p);
    if (p->pos < len) {
        unexpected(p, "end of file expected");
        goto failed;
    }
    /* The tables will not move again: offsets become pointers. */
    for (size_t i = 0; i < d->nv; i++) {
        hm_json *v = &d->v[i];
        if (v->type == HM_JSON_ARRAY || v->type == HM_JSON_OBJECT)
            v->p.kids = v->len ? d->kids + v->p.at : NULL;
    }
    return &d->v[0];
failed:
    free(d->text);
    d->text = NULL;
    d->nv = d->nkids = d->npending = 0;
    return NULL;
}

void hm_json_doc_free(hm_json_doc *d) {
    free(d->v);
    free(d->kids);
    free(d->pending);
    free(d->text);
    memset(d, 0, sizeof *d);
}

const hm_json *hm_json_get(const hm_json *obj, const char *key) {
    if (!hm_json_is_object(obj))
        return NULL;
    size_t klen = strlen(key);
    int64_t pre = prefix8(key, klen);
    /* Loaders ask for keys mostly in the order they are written: start after the last one found
     * (kept in the object's unused number; a document has one reader at a time). */
    uint32_t n = obj->len, start = (uint32_t)obj->n.i < n ? (uint32_t)obj->n.i : 0;
    for (uint32_t c = 0, i = start; c < n; c++, i = i + 1 == n ? 0 : i + 1) {
        const hm_json *k = obj + obj->p.kids[i];
        if (same_string(k, key, klen, pre)) {
            ((hm_json *)obj)->n.i = i + 1;
            return k + 1;
        }
    }
    return NULL;
}

const hm_json *hm_json_member(const hm_json *obj, size_t i, const char **key) {
    const hm_json *k = obj + obj->p.kids[i];
    *key = k->p.s;
    return k + 1;
}
