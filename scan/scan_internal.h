/* Internals shared by heatmap-scan's modules: allocation, strings, a string map, names, paths.
 *
 * Allocation helpers abort the program with one line on stderr when memory runs out: heatmap-scan
 * is a command-line tool, and threading "out of memory" through every AST visitor would hide the
 * logic without letting anyone recover. Everything else reports errors by return value.
 */
#ifndef HEATMAP_SCAN_INTERNAL_H
#define HEATMAP_SCAN_INTERNAL_H

#include "hm_scan.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* ---- scan_propose.c: writing a config ------------------------------------------------------- */

/* Write `path` through `body` (0 on success), atomically: into a temporary file beside it, then
 * linked into place (HM_SCAN_EEXIST when the file exists and `force` is false) or, with `force`,
 * renamed over it; a failure (HM_SCAN_EIO, errno kept) never leaves half a file. */
hm_scan_status hm_scan_write_file(const char *path, bool force,
                                  int (*body)(FILE *out, const void *ctx), const void *ctx);

/* ---- scan_util.c ---------------------------------------------------------------------------- */

/* Report "out of memory" on stderr and abort. */
_Noreturn void hm_xoom(void);
void *hm_xmalloc(size_t size);
void *hm_xcalloc(size_t count, size_t size);
void *hm_xrealloc(void *ptr, size_t size);
char *hm_xstrdup(const char *text);
char *hm_xstrndup(const char *text, size_t len);
char *hm_xasprintf(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Grow *items (of `size` bytes each) so that it holds at least `need` elements. */
void hm_grow(void **items, size_t *cap, size_t need, size_t size);

/* A growable NUL-terminated string. Zero-initialise, append, take `data` (may be NULL if empty). */
typedef struct hm_strbuf {
    char *data;
    size_t len;
    size_t cap;
} hm_strbuf;

void hm_strbuf_addn(hm_strbuf *buf, const char *text, size_t len);
void hm_strbuf_add(hm_strbuf *buf, const char *text);
void hm_strbuf_addc(hm_strbuf *buf, char c);
void hm_strbuf_addf(hm_strbuf *buf, const char *format, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a malloc'd string (never NULL); the buffer is left empty. */
char *hm_strbuf_take(hm_strbuf *buf);
void hm_strbuf_free(hm_strbuf *buf);

/* An open-addressing map from strings (copied) to size_t values. Zero-initialise; not thread-safe.
 */
typedef struct hm_strmap {
    char **keys;
    size_t *values;
    size_t cap; /* power of two, or 0 */
    size_t count;
} hm_strmap;

/* Returns true and stores the value when `key` is present. */
bool hm_strmap_get(const hm_strmap *map, const char *key, size_t *value);
/* Insert or replace. */
void hm_strmap_put(hm_strmap *map, const char *key, size_t value);
void hm_strmap_free(hm_strmap *map);

/* hm_path_absolute (config/path.c) with scan's conventions: a NULL `dir` is the working directory,
 * and running out of memory aborts (hm_xoom). `path` made absolute against `dir` (a relative `dir`
 * against the working directory) and normalised lexically. Malloc'd. */
char *hm_scan_path_absolute(const char *path, const char *dir);

/* `path` for display: relative to the working directory when it lies below it, else unchanged.
 * Returns a pointer into `path`. */
const char *hm_scan_path_display(const char *path);

/* Write s between two `quote` characters, each quote inside doubled: a YAML single-quoted scalar
 * with '\'', an RFC 4180 quoted CSV field with '"'. */
void hm_scan_put_quoted(FILE *out, const char *s, char quote);

/* ---- scan_names.c ---------------------------------------------------------------------------- */

/* The name the plugin gives the function with symbol `mangled` (hm_display_name): the demangled
 * name without return type, parameters or qualifiers, "_ZN2ns3BoxIiE3getEv" → "ns::Box<int>::get";
 * a name that is not mangled (C, extern "C", main) as is. Malloc'd; NULL for NULL or "". */
char *hm_scan_function_name(const char *mangled);

/* `name` as a glob that matches exactly it: '*', '?', '[' and '\' are escaped with '\'. */
char *hm_scan_glob_escape(const char *name);

/* Append `text` to `buf` with glob metacharacters escaped. */
void hm_scan_glob_escape_into(hm_strbuf *buf, const char *text);

/* ---- scan_run.c / scan_tu.c ------------------------------------------------------------------ */

/* A call site in a scanned body: who it calls. For a call to an implicit template instantiation,
 * `template_usr` names the template and `instance` the instantiation ("ns::Box<int>::get"). */
struct hm_scan_callee {
    char *usr;
    char *template_usr; /* NULL when the callee is not an instantiation */
    char *instance;     /* NULL when unknown */
};

void hm_scan_function_free(hm_scan_function *fn);

/* What one translation unit produced. */
typedef struct hm_scan_tu_output {
    hm_scan_function *functions;
    size_t count;
    size_t cap;
    hm_strbuf diagnostics;   /* clang's errors, one per line */
    hm_strbuf unknown_flags; /* command-line flags clang did not know, one per line */
    bool failed;
} hm_scan_tu_output;

/* Parse `job` with `index` (a CXIndex, passed as void * to keep libclang out of this header) and
 * collect its functions. Never fails as a whole: parse failures set out->failed. Thread-safe when
 * each thread uses its own index. */
void hm_scan_parse_job(void *index, const hm_scan_job *job, hm_scan_tu_output *out);

#endif /* HEATMAP_SCAN_INTERNAL_H */
