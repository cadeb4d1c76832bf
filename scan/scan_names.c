/* Function names as the plugin matches them: demangle, then drop return type and parameters.
 *
 * libclang gives the mangled name of every non-dependent function (clang_Cursor_getMangling). We
 * demangle it with the C++ runtime's __cxa_demangle, the same Itanium demangling the plugin sees,
 * and reduce "int ns::max<int>(int, int)" to "ns::max<int>". The reduction scans the string once,
 * tracking nesting of (), <>, [] and {} so that "(anonymous namespace)", "{lambda(int)#1}" and
 * template arguments are never cut, and treating operator names ("operator<<", "operator()",
 * "operator new", "operator int") as opaque words so their symbols do not count as brackets.
 */
#include "scan_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* From the C++ ABI runtime (libstdc++ or libc++abi); C linkage. */
extern char *__cxa_demangle(const char *mangled, char *buffer, size_t *length, int *status);

static bool is_ident(char c) {
    return isalnum((unsigned char)c) || c == '_' || c == '$';
}

/* When s[i] starts the word "operator" used as an operator name, return the index just past the
 * operator's spelling; otherwise return i. */
static size_t skip_operator(const char *s, size_t i) {
    static const char word[] = "operator";
    size_t n = sizeof word - 1;
    if (strncmp(s + i, word, n) != 0 || (i > 0 && is_ident(s[i - 1])) || is_ident(s[i + n])) {
        return i;
    }
    size_t j = i + n;
    if (s[j] == '(' && s[j + 1] == ')') {
        return j + 2;
    }
    if (s[j] == '[' && s[j + 1] == ']') {
        return j + 2;
    }
    if (s[j] == ' ') {
        /* "operator new", "operator delete[]", a conversion "operator std::vector<int, ...>":
         * everything up to the parameter list, with <> nesting. */
        int depth = 0;
        j++;
        while (s[j] != '\0' && !(depth == 0 && s[j] == '(')) {
            if (s[j] == '<') {
                depth++;
            } else if (s[j] == '>' && depth > 0) {
                depth--;
            }
            j++;
        }
        return j;
    }
    if (s[j] == '"' && s[j + 1] == '"') {
        j += 2; /* literal operator: operator"" _suffix */
        while (s[j] == ' ' || is_ident(s[j])) {
            j++;
        }
        return j;
    }
    while (s[j] != '\0' && strchr("+-*/%^&|~!=<>,", s[j]) != NULL) {
        j++;
    }
    return j;
}

char *hm_scan_strip_params(const char *s) {
    size_t len = strlen(s);
    int depth = 0;
    size_t last_group = len; /* start of the last top-level '(' group */
    size_t first_group = len;
    size_t name_start = 0;
    for (size_t i = 0; i < len;) {
        size_t after_op = depth == 0 ? skip_operator(s, i) : i;
        if (after_op != i) {
            i = after_op;
            continue;
        }
        char c = s[i];
        if (c == '(' || c == '<' || c == '[' || c == '{') {
            if (c == '(' && depth == 0) {
                last_group = i;
                if (first_group == len) {
                    first_group = i;
                }
            }
            depth++;
        } else if ((c == ')' || c == '>' || c == ']' || c == '}') && depth > 0) {
            depth--;
        } else if (c == ' ' && depth == 0 && first_group == len && s[i + 1] != '<' &&
                   i + 1 < len) {
            /* A space before the first parameter list ends a return type ("int max<int>"). */
            name_start = i + 1;
        }
        i++;
    }
    size_t end = last_group;
    while (end > name_start && s[end - 1] == ' ') {
        end--;
    }
    return hm_xstrndup(s + name_start, end - name_start);
}

char *hm_scan_function_name(const char *mangled) {
    if (mangled == NULL || mangled[0] == '\0') {
        return NULL;
    }
    if (strncmp(mangled, "_Z", 2) != 0) {
        return hm_xstrdup(mangled);
    }
    int status = 0;
    char *demangled = __cxa_demangle(mangled, NULL, NULL, &status);
    if (demangled == NULL || status != 0) {
        free(demangled);
        return NULL;
    }
    char *name = hm_scan_strip_params(demangled);
    free(demangled);
    return name;
}

void hm_scan_glob_escape_into(hm_strbuf *buf, const char *text) {
    for (; *text; text++) {
        if (strchr("*?[\\", *text) != NULL) {
            hm_strbuf_addc(buf, '\\');
        }
        hm_strbuf_addc(buf, *text);
    }
}

char *hm_scan_glob_escape(const char *name) {
    hm_strbuf buf = {0};
    hm_scan_glob_escape_into(&buf, name);
    return hm_strbuf_take(&buf);
}
