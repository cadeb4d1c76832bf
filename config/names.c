/* The human name of a function symbol (demangled, without signature), as config patterns see it.
 *
 * Part of the config library because names are the vocabulary of selection: the plugin names the
 * functions it selects and reports with it, and heatmap-scan names the functions it lists and
 * proposes with it, so the two cannot disagree ("bar[abi:cxx11]" vs "bar", "A::operator int").
 * Config patterns and reports speak of "ns::Class<int>::method", not of "_ZNK2ns5ClassIiE6methodEi"
 * nor of "ns::Class<int>::method(int) const". We demangle with the C++ runtime's __cxa_demangle
 * (present in every host clang, callable from C) and then cut the demangled text down to the
 * qualified name:
 *   1. drop " [clone .cold]"-style suffixes (GCC/LLVM clones) and "[abi:cxx11]" tags;
 *   2. drop trailing qualifiers of member functions (" const", " &&", " noexcept", ...);
 *   3. drop the parameter list: the "(...)" that matches the final ')';
 *   4. drop the return type that Itanium mangling keeps for template functions ("int max<int>"):
 *      everything up to the last space at nesting depth 0, looking only at the text before an
 *      `operator` keyword (operator names contain '<', '(' and spaces of their own);
 *   5. unwrap "(*name(params))", what is left of a function returning a function pointer.
 * Nesting counts (), <>, [] and {}; inside parentheses only parentheses count, so expressions
 * such as "Foo<(1>2)>" and "(anonymous namespace)" do not confuse it. Names that are not mangled
 * C++ (C functions, "main") are returned as they are, minus LLVM's "\1" no-mangle prefix.
 */
#include <stdlib.h>
#include <string.h>

#include "hm_config.h"

/* From the C++ ABI (libstdc++ / libc++abi): the plugin runs inside clang, which links one, and
 * heatmap-scan links the one libclang loads. */
char *__cxa_demangle(const char *mangled_name, char *output_buffer, size_t *length, int *status);

static char *copy_n(const char *s, size_t n) {
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = '\0';
    }
    return out;
}

static bool ends_with(const char *s, size_t len, const char *suffix) {
    size_t n = strlen(suffix);
    return len >= n && memcmp(s + len - n, suffix, n) == 0;
}

/* STEP 1: remove every "[abi:...]" tag in place, and " [clone ...]" suffixes. */
static size_t strip_tags(char *s, size_t len) {
    char *tag;
    while ((tag = strstr(s, "[abi:")) != NULL) {
        char *end = strchr(tag, ']');
        if (!end)
            break;
        memmove(tag, end + 1, strlen(end + 1) + 1);
    }
    len = strlen(s);
    while (len > 0 && s[len - 1] == ']') {
        char *clone = NULL;
        for (char *p = strstr(s, " [clone "); p; p = strstr(p + 1, " [clone "))
            clone = p;
        if (!clone)
            break;
        *clone = '\0';
        len = (size_t)(clone - s);
    }
    return len;
}

/* STEP 2: remove trailing member-function qualifiers. */
static size_t strip_qualifiers(char *s, size_t len) {
    static const char *const quals[] = {" const", " volatile", " restrict",        " &&",
                                        " &",     " noexcept", " transaction_safe"};
    bool again = true;
    while (again) {
        again = false;
        for (size_t i = 0; i < sizeof quals / sizeof quals[0]; i++) {
            if (ends_with(s, len, quals[i])) {
                len -= strlen(quals[i]);
                s[len] = '\0';
                again = true;
            }
        }
    }
    return len;
}

/* STEP 3: cut the parameter list matching the final ')'. */
static size_t strip_parameters(char *s, size_t len) {
    if (len == 0 || s[len - 1] != ')')
        return len;
    int depth = 0;
    for (size_t i = len; i-- > 0;) {
        if (s[i] == ')') {
            depth++;
        } else if (s[i] == '(' && --depth == 0) {
            s[i] = '\0';
            return i;
        }
    }
    return len; /* unbalanced: leave it */
}

static bool is_ident_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '$';
}

/* True when the keyword `operator` starts at s[i] as a whole token. */
static bool operator_at(const char *s, size_t i) {
    return strncmp(s + i, "operator", 8) == 0 && (i == 0 || !is_ident_char(s[i - 1])) &&
           !is_ident_char(s[i + 8]);
}

/* STEP 4: the offset where the qualified name starts, after any return type. */
static size_t name_start(const char *s, size_t len) {
    int parens = 0, other = 0;
    size_t start = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == '(')
            parens++;
        else if (c == ')')
            parens--;
        else if (parens > 0)
            continue;
        else if (c == '<' || c == '[' || c == '{')
            other++;
        else if (c == '>' || c == ']' || c == '}')
            other--;
        else if (other == 0 && c == ' ')
            start = i + 1;
        else if (other == 0 && operator_at(s, i))
            break;
    }
    return start;
}

char *hm_display_name(const char *symbol, size_t len) {
    if (len > 0 && symbol[0] == '\1') { /* LLVM: "use this name verbatim" */
        symbol++;
        len--;
    }
    char *sym = copy_n(symbol, len);
    if (!sym || strncmp(sym, "_Z", 2) != 0)
        return sym;
    int status = 0;
    char *s = __cxa_demangle(sym, NULL, NULL, &status);
    if (status != 0 || !s) {
        free(s);
        return sym;
    }
    free(sym);
    size_t n = strip_tags(s, strlen(s));
    n = strip_qualifiers(s, n);
    n = strip_parameters(s, n);
    size_t start = name_start(s, n);
    if (start > 0) {
        memmove(s, s + start, n - start + 1);
        n -= start;
    }
    /* A function returning a function pointer reads "(*name(params))": unwrap it. */
    while (n > 3 && s[0] == '(' && (s[1] == '*' || s[1] == '&') && s[n - 1] == ')') {
        memmove(s, s + 2, n - 3);
        n -= 3;
        s[n] = '\0';
        n = strip_parameters(s, n);
    }
    return s;
}
