/* Sorting and printing the function list: an aligned text table, JSON, or CSV.
 *
 * All three formats carry the same columns. Paths are shown relative to the working directory
 * when the file lies below it, else absolute. JSON and CSV are written by hand (the strings are
 * escaped here); JSON is one object {"version": HM_SCAN_JSON_VERSION, "files_scanned",
 * "files_failed", "functions": [...]}, documented in docs/scan.md.
 */
#include "scan_internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

static const char *const sort_names[] = {"file",  "name",       "loc",   "complexity", "calls",
                                         "fanin", "statements", "loops", "score"};
static const char *const format_names[] = {"text", "json", "csv"};

static int parse_word(const char *word, const char *const *names, int count) {
    for (int i = 0; i < count; i++)
        if (strcmp(word, names[i]) == 0)
            return i;
    return -1;
}

int hm_scan_sort_key_parse(const char *word, hm_scan_sort_key *out) {
    int i = parse_word(word, sort_names, (int)(sizeof sort_names / sizeof *sort_names));
    if (i < 0)
        return -1;
    *out = (hm_scan_sort_key)i;
    return 0;
}

int hm_scan_format_parse(const char *word, hm_scan_format *out) {
    int i = parse_word(word, format_names, (int)(sizeof format_names / sizeof *format_names));
    if (i < 0)
        return -1;
    *out = (hm_scan_format)i;
    return 0;
}

int hm_scan_parse_uint(const char *text, unsigned *out) {
    if (text == NULL || *text < '0' || *text > '9')
        return -1;
    unsigned long long value = 0;
    for (const char *p = text; *p; p++) {
        if (*p < '0' || *p > '9')
            return -1;
        value = value * 10 + (unsigned)(*p - '0');
        if (value > UINT_MAX)
            return -1;
    }
    *out = (unsigned)value;
    return 0;
}

/* qsort has no context argument; the key is set just before sorting (single-threaded use). */
static hm_scan_sort_key current_key;

static int by_location(const hm_scan_function *a, const hm_scan_function *b) {
    int c = strcmp(a->file, b->file);
    if (c != 0)
        return c;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return strcmp(a->name, b->name);
}

static int by_name(const hm_scan_function *a, const hm_scan_function *b) {
    int c = strcmp(a->name, b->name);
    return c != 0 ? c : by_location(a, b);
}

static unsigned sort_value(const hm_scan_function *fn) {
    switch (current_key) {
    case HM_SORT_LOC:
        return fn->loc;
    case HM_SORT_COMPLEXITY:
        return fn->complexity;
    case HM_SORT_CALLS:
        return fn->calls;
    case HM_SORT_FANIN:
        return fn->fanin;
    case HM_SORT_STATEMENTS:
        return fn->statements;
    case HM_SORT_LOOPS:
        return fn->loops;
    case HM_SORT_SCORE:
        return hm_scan_score(fn);
    default:
        return 0;
    }
}

static int compare_functions(const void *pa, const void *pb) {
    const hm_scan_function *a = pa, *b = pb;
    if (current_key == HM_SORT_FILE)
        return by_location(a, b);
    if (current_key != HM_SORT_NAME) {
        unsigned va = sort_value(a), vb = sort_value(b);
        if (va != vb)
            return va > vb ? -1 : 1;
    }
    return by_name(a, b);
}

void hm_scan_sort(hm_scan_result *result, hm_scan_sort_key key) {
    current_key = key;
    if (result->count > 1)
        qsort(result->functions, result->count, sizeof *result->functions, compare_functions);
}

static void json_string(FILE *out, const char *s) {
    fputc('"', out);
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            fprintf(out, "\\%c", c);
        else if (c < 0x20)
            fprintf(out, "\\u%04x", c);
        else
            fputc(c, out);
    }
    fputc('"', out);
}

/* An RFC 4180 field: quoted only when it holds a comma, a quote or a line break. */
static void csv_field(FILE *out, const char *s) {
    if (strpbrk(s, ",\"\n\r") == NULL)
        fputs(s, out);
    else
        hm_scan_put_quoted(out, s, '"');
}

static void print_json(const hm_scan_result *r, unsigned threshold, FILE *out) {
    fprintf(out, "{\n  \"version\": %d,\n  \"files_scanned\": %zu,\n  \"files_failed\": %zu,\n",
            HM_SCAN_JSON_VERSION, r->files_scanned, r->files_failed);
    fputs("  \"functions\": [", out);
    for (size_t i = 0; i < r->count; i++) {
        const hm_scan_function *fn = &r->functions[i];
        fputs(i ? ",\n    {" : "\n    {", out);
        fputs("\"name\": ", out);
        json_string(out, fn->name);
        fputs(", \"pattern\": ", out);
        json_string(out, fn->pattern);
        fputs(", \"file\": ", out);
        json_string(out, hm_scan_path_display(fn->file));
        fprintf(out,
                ", \"line\": %u, \"loc\": %u, \"statements\": %u, \"loops\": %u, \"calls\": %u, "
                "\"complexity\": %u, \"fanin\": %u, \"score\": %u, \"ir_estimate\": %u, "
                "\"trivial\": %s, \"template\": %s",
                fn->line, fn->loc, fn->statements, fn->loops, fn->calls, fn->complexity, fn->fanin,
                hm_scan_score(fn), fn->ir_estimate,
                hm_scan_is_trivial(fn, threshold) ? "true" : "false",
                fn->is_template ? "true" : "false");
        if (fn->is_template) {
            fputs(", \"instances\": [", out);
            for (size_t j = 0; j < fn->ninstances; j++) {
                fputs(j ? ", " : "", out);
                json_string(out, fn->instances[j]);
            }
            fputc(']', out);
        }
        fputc('}', out);
    }
    fputs(r->count ? "\n  ]\n}\n" : "]\n}\n", out);
}

static void print_csv(const hm_scan_result *r, unsigned threshold, FILE *out) {
    fputs("name,file,line,loc,statements,loops,calls,complexity,fanin,score,trivial\n", out);
    for (size_t i = 0; i < r->count; i++) {
        const hm_scan_function *fn = &r->functions[i];
        csv_field(out, fn->name);
        fputc(',', out);
        csv_field(out, hm_scan_path_display(fn->file));
        fprintf(out, ",%u,%u,%u,%u,%u,%u,%u,%u,%s\n", fn->line, fn->loc, fn->statements, fn->loops,
                fn->calls, fn->complexity, fn->fanin, hm_scan_score(fn),
                hm_scan_is_trivial(fn, threshold) ? "yes" : "no");
    }
}

static void print_text(const hm_scan_result *r, unsigned threshold, FILE *out) {
    int name_w = (int)strlen("FUNCTION"), where_w = (int)strlen("LOCATION");
    for (size_t i = 0; i < r->count; i++) {
        const hm_scan_function *fn = &r->functions[i];
        int n = (int)strlen(fn->name);
        int w = snprintf(NULL, 0, "%s:%u", hm_scan_path_display(fn->file), fn->line);
        name_w = n > name_w ? n : name_w;
        where_w = w > where_w ? w : where_w;
    }
    fprintf(out, "%-*s  %-*s  %5s %5s %5s %5s %5s %5s %5s  %s\n", name_w, "FUNCTION", where_w,
            "LOCATION", "LOC", "STMTS", "LOOPS", "CALLS", "CC", "FANIN", "SCORE", "TRIVIAL");
    for (size_t i = 0; i < r->count; i++) {
        const hm_scan_function *fn = &r->functions[i];
        char *where = hm_xasprintf("%s:%u", hm_scan_path_display(fn->file), fn->line);
        fprintf(out, "%-*s  %-*s  %5u %5u %5u %5u %5u %5u %5u  %s\n", name_w, fn->name, where_w,
                where, fn->loc, fn->statements, fn->loops, fn->calls, fn->complexity, fn->fanin,
                hm_scan_score(fn), hm_scan_is_trivial(fn, threshold) ? "yes" : "no");
        free(where);
    }
    fprintf(out, "%zu function%s in %zu file%s", r->count, r->count == 1 ? "" : "s",
            r->files_scanned, r->files_scanned == 1 ? "" : "s");
    if (r->files_failed > 0) {
        fprintf(out, " (%zu with errors: definitions holding an error are not listed)",
                r->files_failed);
    }
    fputc('\n', out);
}

int hm_scan_print(const hm_scan_result *result, hm_scan_format format, unsigned threshold,
                  FILE *out) {
    switch (format) {
    case HM_FORMAT_JSON:
        print_json(result, threshold, out);
        break;
    case HM_FORMAT_CSV:
        print_csv(result, threshold, out);
        break;
    default:
        print_text(result, threshold, out);
        break;
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}
