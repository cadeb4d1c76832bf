/* Reading and parsing the JSON files of results/ (results, call paths, traces): the one way to
 * word an error, read a whole file and parse its text, shared by results_load.c, paths_load.c and
 * trace_load.c.
 */
#define _POSIX_C_SOURCE 200809L /* fileno, fstat */
#include "results_internal.h"

#include <errno.h>
#include <stdint.h>
#include <sys/stat.h>
#include <stdio.h>

int hm_vfail(char *err, size_t errlen, const char *name, const char *fmt, va_list ap) {
    if (err == NULL || errlen == 0)
        return -1;
    int n = snprintf(err, errlen, "%s: ", name);
    if (n < 0 || (size_t)n >= errlen)
        return -1;
    vsnprintf(err + n, errlen - (size_t)n, fmt, ap);
    return -1;
}

int hm_fail(char *err, size_t errlen, const char *name, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hm_vfail(err, errlen, name, fmt, ap);
    va_end(ap);
    return -1;
}

int hm_errorf(char *err, size_t errlen, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    if (err != NULL && errlen > 0)
        vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

char *hm_read_file(const char *path, size_t *len, bool *opened) {
    FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
    if (opened != NULL)
        *opened = fp != NULL;
    if (fp == NULL)
        return NULL;
    /* A regular file is read into a buffer of its size (plus one byte, to see the end without a
     * second allocation); a pipe grows from 64 KiB. */
    struct stat st;
    size_t cap = 65536, n = 0;
    if (fstat(fileno(fp), &st) == 0 && S_ISREG(st.st_mode) && st.st_size > 0 &&
        (uint64_t)st.st_size < SIZE_MAX / 2)
        cap = (size_t)st.st_size + 1;
    char *buf = malloc(cap);
    int saved = ENOMEM;
    while (buf != NULL) {
        size_t got = fread(buf + n, 1, cap - n, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp)) {
                saved = errno ? errno : EIO;
                free(buf);
                buf = NULL;
            }
            break;
        }
        if (n == cap) {
            char *bigger = realloc(buf, cap *= 2);
            if (bigger == NULL)
                free(buf);
            buf = bigger;
        }
    }
    if (fp != stdin)
        fclose(fp);
    if (buf == NULL)
        errno = saved;
    *len = n;
    return buf;
}

char *hm_read_input(const char *path, const char **name, size_t *len, char *err, size_t errlen) {
    *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    bool opened;
    char *data = hm_read_file(path, len, &opened);
    if (data == NULL)
        hm_fail(err, errlen, *name, "%s: %s", opened ? "cannot read" : "cannot open",
                strerror(errno));
    return data;
}

const hm_json *hm_parse_json(hm_json_doc *doc, char *data, size_t len, const char *name,
                             const char *expected, char *err, size_t errlen) {
    size_t blank = 0;
    while (blank < len && strchr(" \t\r\n", data[blank]) != NULL)
        blank++;
    if (blank == len) {
        free(data);
        hm_fail(err, errlen, name, "empty file (expected %s)", expected);
        return NULL;
    }
    hm_json_error jerr;
    const hm_json *root = hm_json_parse(doc, data, len, &jerr);
    if (root == NULL) {
        if (jerr.premature_end)
            hm_fail(err, errlen, name, "truncated: the JSON text ends early (line %d): %s",
                    jerr.line, jerr.text);
        else
            hm_fail(err, errlen, name, "not valid JSON at line %d, column %d: %s", jerr.line,
                    jerr.column, jerr.text);
    }
    return root;
}
