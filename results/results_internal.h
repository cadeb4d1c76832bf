/* Helpers shared by the files of results/; not part of the library's API. */
#ifndef HEATMAP_RESULTS_INTERNAL_H
#define HEATMAP_RESULTS_INTERNAL_H

#include "hm_results.h"

#include "json_read.h"

#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

/* strdup without asking for POSIX; NULL on out-of-memory. */
static inline char *hm_strdup(const char *s) {
    size_t n = strlen(s) + 1;
    char *copy = malloc(n);
    return copy ? memcpy(copy, s, n) : NULL;
}

/* Copies of a function's name and file into *name and *file (a new entry of a merged or built
 * table). Returns 0, or -1 on out-of-memory: then neither copy is kept and both are NULL. */
static inline int hm_dup_identity(char **name, char **file, const char *from_name,
                                  const char *from_file) {
    *name = hm_strdup(from_name);
    *file = hm_strdup(from_file);
    if (*name != NULL && *file != NULL)
        return 0;
    free(*name);
    free(*file);
    *name = *file = NULL;
    return -1;
}

/* Free the name and file of each row of a function table rows[0..n) (hm_function_stats,
 * hm_path_function, hm_cpu_function and hm_heap_function all have both), then the table itself. */
#define HM_FREE_FUNCTION_TABLE(rows, n)                                                            \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < (n); i_++) {                                                      \
            free((rows)[i_].name);                                                                 \
            free((rows)[i_].file);                                                                 \
        }                                                                                          \
        free(rows);                                                                                \
    } while (0)

/* a + b, or UINT64_MAX when that overflows: totals of figures never wrap round. */
static inline uint64_t hm_add_sat(uint64_t a, uint64_t b) {
    return a + b < a ? UINT64_MAX : a + b;
}

/* A hash of a function's identity (name, file, line) for the index maps (index_map.h) that merge
 * functions of many files: FNV-1a over the name, a separator, the file, then the line. */
static inline uint64_t hm_identity_hash(const char *name, const char *file, uint32_t line) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (const unsigned char *s = (const unsigned char *)name; *s; s++)
        h = (h ^ *s) * 0x100000001b3ull;
    h = (h ^ 0xff) * 0x100000001b3ull; /* "ab" + "c" and "a" + "bc" differ */
    for (const unsigned char *s = (const unsigned char *)file; *s; s++)
        h = (h ^ *s) * 0x100000001b3ull;
    return (h ^ line) * 0x9E3779B97F4A7C15ull;
}

/* A function's identity as the key of such a map, with its hm_identity_hash. */
typedef struct hm_identity_key {
    const char *name, *file;
    uint32_t line;
    uint64_t hash;
} hm_identity_key;

static inline hm_identity_key hm_identity_key_of(const char *name, const char *file,
                                                 uint32_t line) {
    return (hm_identity_key){name, file, line, hm_identity_hash(name, file, line)};
}

/* Whether the map's entry with identity (name, file, line), whose hash was stored as `hash`, is
 * the function of `key`: the hashes compared first, so most other entries cost no strcmp. */
static inline bool hm_identity_key_equal(const hm_identity_key *key, uint64_t hash,
                                         const char *name, const char *file, uint32_t line) {
    return hash == key->hash && line == key->line && strcmp(name, key->name) == 0 &&
           strcmp(file, key->file) == 0;
}

typedef int (*hm_ptr_cmp)(const void *a, const void *b, const void *ctx);

/* Stable bottom-up merge sort of n pointers. Returns 0, or -1 on out-of-memory (items unchanged).
 */
int hm_sort_ptrs(const void **items, size_t n, hm_ptr_cmp cmp, const void *ctx);

/* Identity order of functions on their first `fields` of name, file, line (1 to 3), ascending. */
int hm_compare_identity(const hm_function_stats *a, const hm_function_stats *b, int fields);

/* Write "NAME: MESSAGE" into err (when err and errlen allow); always returns -1. */
int hm_fail(char *err, size_t errlen, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int hm_vfail(char *err, size_t errlen, const char *name, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

/* Read a whole file ("-": standard input) into a malloc'd buffer. Returns NULL with errno set;
 * *opened (when not NULL) tells whether the file could be opened at all. */
char *hm_read_file(const char *path, size_t *len, bool *opened);

/* hm_read_file for a loader: *name is set to the name its messages give the input (path, or
 * "<stdin>" for "-"). On failure writes "NAME: cannot open: REASON" or "NAME: cannot read: REASON"
 * into err and returns NULL; else the malloc'd data (the caller frees it) and its length. */
char *hm_read_input(const char *path, const char **name, size_t *len, char *err, size_t errlen);

/* Parse JSON text (duplicate keys rejected) into doc (json_read.h), which takes ownership of
 * data (malloc'd; freed by the doc, or at once on failure). Returns the root (an object or array,
 * valid until doc is parsed again or freed); an empty, truncated or invalid text writes
 * "NAME: ..." into err ("empty file (expected EXPECTED)") and returns NULL. */
const hm_json *hm_parse_json(hm_json_doc *doc, char *data, size_t len, const char *name,
                             const char *expected, char *err, size_t errlen);

/* The merge accumulator (results_merge.c): hm_merge_add() each input in order (it may be freed
 * right after), then hm_merge_finish() for the result hm_results_merge() would give for all of
 * them at once. Memory grows with the distinct functions, not with the inputs. Each returns 0, or
 * -1 on out-of-memory (or finish without any input); free the accumulator either way. */
typedef struct hm_merge hm_merge;
hm_merge *hm_merge_new(void);
int hm_merge_add(hm_merge *m, const hm_results *in);
int hm_merge_finish(hm_merge *m, hm_results **out);
void hm_merge_free(hm_merge *m);

/* What a results file is expected to be, in the messages of a text that is none. */
#define HM_RESULTS_EXPECTED "a heatmap results JSON object"

/* Parse a results file's text (hm_parse_json: doc takes data) for hm_results_from_root; the root,
 * or NULL with "NAME: ..." in err. A parse apart from the reading of the statistics lets one parse
 * of a file give both its statistics and its call paths (load_many.h). */
const hm_json *hm_results_parse(hm_json_doc *doc, char *data, size_t len, const char *name,
                                char *err, size_t errlen);

/* Read and check the statistics of a parsed results file (root as hm_results_parse returns it;
 * the document may be freed afterwards) into a new object, whose path is `name`. Returns 0, or -1
 * with *out NULL and "NAME: ..." in err: the contract of hm_results_load. */
int hm_results_from_root(const hm_json *root, const char *name, hm_results **out, char *err,
                         size_t errlen);

/* Memory tracking (heap_load.c): read the "heap" section of `root` into r's functions (matched
 * by their "id"), heap_outside and heap_total, and set has_heap. A file without the section is
 * fine (has_heap false). Returns 0, or -1 with a message (without the file name) in err. */
int hm_heap_read(const hm_json *root, hm_results *r, char *err, size_t errlen);
/* Add b's counts to a's, saturating; the peak is the larger of the two. */
void hm_heap_figures_add(hm_heap_figures *a, const hm_heap_figures *b);

#endif /* HEATMAP_RESULTS_INTERNAL_H */
