/* What the call-path loader, its queries and the trace loader share; not part of the library's API.
 *
 * Both loaders read a results file's `functions` through the same id table (function_table.c)
 * and report errors the same way; the queries and the loader order functions by the same
 * identity. Everything here is plain data and functions without global state.
 */
#ifndef HEATMAP_PATHS_INTERNAL_H
#define HEATMAP_PATHS_INTERNAL_H

#include "hm_paths.h"
#include "results_internal.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Where a loader writes its one-line error. */
typedef struct hm_loader {
    const char *name; /* file name used in messages */
    char *err;
    size_t errlen;
} hm_loader;

/* Write "NAME: MESSAGE" into the loader's error buffer; always returns -1. */
int hm_loader_fail(hm_loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Parse JSON text whose top level must be an object into doc (json_read.h), which takes
 * ownership of data (malloc'd). Returns the root (valid while doc is), or NULL after
 * hm_loader_fail(). */
const hm_json *hm_loader_parse_owned(hm_loader *ld, hm_json_doc *doc, char *data, size_t len,
                                     const char *expected);

/* The same from a caller's buffer, which is copied. */
const hm_json *hm_loader_parse_object(hm_loader *ld, hm_json_doc *doc, const char *data, size_t len,
                                      const char *expected);

/* A non-negative integer member of obj into *out; a missing key is an error when `required`,
 * else 0. `where` names obj in messages. Returns 0 or -1 after hm_loader_fail(). */
int hm_loader_get_u64(hm_loader *ld, const hm_json *obj, const char *key, bool required,
                      const char *where, uint64_t *out);

/* One more file's run facts merged into those of the files before it (zeros and NULL before the
 * first): the longest elapsed, the earliest start that is known (0 is unknown), the first file's
 * program (program_name, "" when NULL). Returns 0, or -1 after hm_loader_fail() (out of memory).
 */
int hm_merge_run(hm_loader *ld, const char *program_name, uint64_t elapsed, uint64_t start,
                 uint64_t *elapsed_ns, uint64_t *start_unix_ns, char **program);

/* A string member of obj (borrowed from the document), or NULL when missing or not a string. */
const char *hm_json_str(const hm_json *obj, const char *key);

/* (key, index) pairs sorted by key then index: id lookups and duplicate checks. */
typedef struct hm_keyed {
    uint64_t key;
    size_t index;
} hm_keyed;

/* qsort comparator of hm_keyed: by key, then index. */
int hm_keyed_compare(const void *a, const void *b);

/* Index stored with `key` in a sorted hm_keyed array, or SIZE_MAX. */
size_t hm_keyed_find(const hm_keyed *items, size_t n, uint64_t key);

/* One entry of a file's `functions`, its ids meaningful only inside that file. */
typedef struct hm_file_function {
    uint64_t id;
    const char *name, *file; /* borrowed from the JSON document */
    uint32_t line;
    uint64_t count, self_ns;
    size_t merged; /* index into the builder's or the trace's function array */
} hm_file_function;

typedef struct hm_file_functions {
    hm_file_function *items; /* in file order */
    size_t n;
    hm_keyed *by_id; /* (id, index into items), ascending */
} hm_file_functions;

/* Read root's `functions`: name, file, line, count, self_ns, and id when `need_ids` (then ids
 * must be unique). The names borrow from root, which must outlive ff. Returns 0, or -1 after
 * hm_loader_fail(); free ff with hm_file_functions_free() either way. */
int hm_file_functions_read(hm_loader *ld, const hm_json *root, bool need_ids,
                           hm_file_functions *ff);

/* The function with file id `id`, or NULL. */
const hm_file_function *hm_file_functions_find(const hm_file_functions *ff, uint64_t id);

void hm_file_functions_free(hm_file_functions *ff);

/* Free the names and files of fs[0..n), then fs itself (NULL with n 0 is fine). */
void hm_path_functions_free(hm_path_function *fs, size_t n);

/* Identity order of functions: name, then file, then line (bytewise); <0, 0, >0 like strcmp. */
int hm_path_identity_compare(const char *name, const char *file, uint32_t line,
                             const hm_path_function *f);

/* ---- One file's call paths and the merged tree (paths_load.c) ------------------------------ */

/* A file's call paths as read and checked: everything the merge needs, nothing of the JSON
 * document (which a worker reuses for its next file). */
typedef struct hm_file_paths hm_file_paths;

/* The merged tree under construction: files are added in input order, then it is finished. */
typedef struct hm_paths_builder hm_paths_builder;

/* Read and check the `paths` of a parsed results file (root: an object) into *out. Returns 0, or
 * -1 after hm_loader_fail(): a file without call paths is such a failure. */
int hm_file_paths_read(hm_loader *ld, const hm_json *root, hm_file_paths **out);

void hm_file_paths_free(hm_file_paths *fp);

/* An empty builder, or NULL on out-of-memory. */
hm_paths_builder *hm_paths_builder_new(void);

/* Merge one more file's paths into b (in input order: the first file's program wins); fp stays
 * the caller's. Returns 0, or -1 with "NAME: ..." in err (a cycle of parents, out of memory). */
int hm_paths_builder_add(hm_paths_builder *b, hm_file_paths *fp, char *err, size_t errlen);

/* The merged tree in hm_paths.h's order into *out (b is then spent: free it). Returns 0, or -1
 * after hm_loader_fail() (out of memory). */
int hm_paths_builder_finish(hm_loader *ld, hm_paths_builder *b, hm_paths **out);

void hm_paths_builder_free(hm_paths_builder *b);

#endif /* HEATMAP_PATHS_INTERNAL_H */
