/* Glob matching for heatmap.yaml rules: `*`, `**`, `?`, `[...]` and `\` escapes, without recursion.
 *
 * The matcher walks pattern and text once, left to right, and keeps at most two backtrack points:
 * the latest `*` (which may not swallow '/') and the latest `**` (which may). On a mismatch it
 * first lets the latest `*` take one more character; when that `*` is stopped by a '/' it falls
 * back to the latest `**`. This is the classic iterative wildcard algorithm extended to two star
 * kinds; it is correct because a later star can always absorb what an earlier one of the same or a
 * weaker kind would have taken (the only thing a `*` cannot absorb is '/', and only a literal '/'
 * in the pattern matches '/'). Time is polynomial in the lengths and memory is constant, so
 * adversarial patterns such as `*a*a*a*a*b` cannot blow up the stack or run exponentially.
 *
 * A `**` that is followed by '/' and starts the pattern or follows a '/' also matches zero
 * directories: "**" "/x.c" (one pattern) matches both "x.c" and "a/b/x.c". Its backtrack point then
 * advances from one '/' in the text to the next, never into the middle of a directory name.
 * Characters are bytes: `?` matches one byte, ranges compare unsigned byte values.
 */
#include "config_internal.h"

#include <string.h>

/* Parse the bracket expression that starts at pattern[i] == '['. On success returns the index just
 * past the closing ']' and, when `c` is not negative, stores in *matched whether byte `c` is in the
 * set. Returns 0 (never a valid end index) and sets *problem on a malformed expression. */
static size_t parse_bracket(const char *pattern, size_t i, int c, bool *matched,
                            const char **problem) {
    size_t q = i + 1;
    bool negate = false;
    bool in_set = false;
    if (pattern[q] == '!' || pattern[q] == '^') {
        negate = true;
        q++;
    }
    bool first = true;
    for (;;) {
        unsigned char lo, hi;
        if (pattern[q] == '\0') {
            *problem = "unterminated '['";
            return 0;
        }
        if (pattern[q] == ']' && !first)
            break;
        first = false;
        if (pattern[q] == '\\') {
            if (pattern[q + 1] == '\0') {
                *problem = "unterminated '['";
                return 0;
            }
            q++;
        }
        lo = hi = (unsigned char)pattern[q++];
        if (pattern[q] == '-' && pattern[q + 1] != ']' && pattern[q + 1] != '\0') {
            q++;
            if (pattern[q] == '\\' && pattern[q + 1] != '\0')
                q++;
            hi = (unsigned char)pattern[q++];
            if (hi < lo) {
                *problem = "reversed range in '[...]'";
                return 0;
            }
        }
        if (lo == '/' && hi == '/') {
            *problem = "'/' cannot be matched by '[...]'";
            return 0;
        }
        if (c >= lo && c <= hi)
            in_set = true;
    }
    if (matched != NULL)
        *matched = in_set != negate;
    return q + 1;
}

const char *hm_glob_check(const char *pattern) {
    const char *problem = NULL;
    if (pattern == NULL || pattern[0] == '\0')
        return "empty pattern";
    for (size_t i = 0; pattern[i] != '\0';) {
        switch (pattern[i]) {
        case '\\':
            if (pattern[i + 1] == '\0')
                return "trailing '\\'";
            i += 2;
            break;
        case '[':
            i = parse_bracket(pattern, i, -1, NULL, &problem);
            if (i == 0)
                return problem;
            break;
        case '*':
            if (pattern[i + 1] == '*' && pattern[i + 2] == '*')
                return "'***' is not a wildcard; use '*' or '**'";
            i++;
            break;
        default:
            i++;
            break;
        }
    }
    return NULL;
}

bool hm_glob_is_literal(const char *pattern) {
    for (size_t i = 0; pattern[i] != '\0'; i++)
        if (pattern[i] == '\\' && pattern[i + 1] != '\0')
            i++;
        else if (pattern[i] == '*' || pattern[i] == '?' || pattern[i] == '[')
            return false;
    return true;
}

size_t hm_glob_literal_count(const char *pattern) {
    size_t count = 0;
    const char *problem = NULL;
    for (size_t i = 0; pattern[i] != '\0';) {
        if (pattern[i] == '\\' && pattern[i + 1] != '\0') {
            count++;
            i += 2;
        } else if (pattern[i] == '[') {
            size_t end = parse_bracket(pattern, i, -1, NULL, &problem);
            i = end != 0 ? end : i + 1;
        } else {
            count += pattern[i] != '*' && pattern[i] != '?';
            i++;
        }
    }
    return count;
}

void hm_glob_unescape(char *pattern) {
    char *out = pattern;
    for (const char *in = pattern; *in != '\0'; in++) {
        if (*in == '\\' && in[1] != '\0')
            in++;
        *out++ = *in;
    }
    *out = '\0';
}

/* The matcher proper; `pattern` has passed hm_glob_check. */
static bool glob_match_valid(const char *pattern, const char *text) {
    size_t p = 0, t = 0;
    size_t text_len = strlen(text);
    /* Latest `*`: resume the pattern at star_p with the star having consumed up to star_t. */
    bool star = false;
    size_t star_p = 0, star_t = 0;
    /* Latest `**` (or `**` + `/` when dstar_dirs: it consumes whole directories only). */
    bool dstar = false, dstar_dirs = false;
    size_t dstar_p = 0, dstar_t = 0;
    const char *unused = NULL;

    for (;;) {
        char pc = pattern[p];
        if (pc == '*') {
            if (pattern[p + 1] == '*') {
                size_t after = p + 2;
                dstar = true;
                dstar_dirs = pattern[after] == '/' && (p == 0 || pattern[p - 1] == '/');
                dstar_p = dstar_dirs ? after + 1 : after;
                dstar_t = t;
                star = false;
                p = dstar_p;
            } else {
                star = true;
                star_p = ++p;
                star_t = t;
            }
            continue;
        }
        if (pc == '\0') {
            if (t == text_len)
                return true;
        } else if (t < text_len) {
            unsigned char tc = (unsigned char)text[t];
            bool ok = false;
            size_t next = p + 1;
            if (pc == '?') {
                ok = tc != '/';
            } else if (pc == '[') {
                next = parse_bracket(pattern, p, tc, &ok, &unused);
                ok = ok && tc != '/';
            } else if (pc == '\\') {
                ok = (unsigned char)pattern[p + 1] == tc;
                next = p + 2;
            } else {
                ok = (unsigned char)pc == tc;
            }
            if (ok) {
                p = next;
                t++;
                continue;
            }
        }
        /* Mismatch: let the latest `*` take one more byte, unless that byte is '/' or there is
         * none left; at the end of the text no earlier star can help either. */
        if (star) {
            if (star_t >= text_len)
                return false;
            if (text[star_t] != '/') {
                p = star_p;
                t = ++star_t;
                continue;
            }
        }
        if (!dstar || dstar_t >= text_len)
            return false;
        if (dstar_dirs) {
            const char *slash = strchr(text + dstar_t, '/');
            if (slash == NULL)
                return false;
            dstar_t = (size_t)(slash - text) + 1;
        } else {
            dstar_t++;
        }
        star = false;
        p = dstar_p;
        t = dstar_t;
    }
}

bool hm_glob_match(const char *pattern, const char *text) {
    if (pattern == NULL || text == NULL || hm_glob_check(pattern) != NULL)
        return false;
    return glob_match_valid(pattern, text);
}
