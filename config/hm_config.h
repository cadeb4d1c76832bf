/* heatmap.yaml: parse the allowlist and decide which functions to instrument.
 *
 * Shared by the compiler plugin and heatmap-scan. Pure C11 + libyaml (and the C++ runtime's
 * demangler for hm_display_name); knows nothing of LLVM.
 * Every error is reported as "FILE:LINE:COL: error: MESSAGE" (1-based line and column), the way a
 * compiler reports a source error, so editors and CI logs can jump to it. The full schema, with
 * every key and the precedence rules, is documented in docs/config.md.
 */
#ifndef HEATMAP_CONFIG_H
#define HEATMAP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct hm_config hm_config;

/* Room for one formatted diagnostic, "FILE:LINE:COL: error: ...". */
typedef struct hm_config_error {
    char message[1024];
} hm_config_error;

typedef enum hm_instrument_point {
    HM_INSTRUMENT_BEFORE_INLINING = 0, /* every selected source function is counted; the default
                                        * when functions.include names functions */
    HM_INSTRUMENT_AFTER_INLINING = 1,  /* only functions that survive inlining, at a fraction of
                                        * the cost; the default otherwise (docs/performance.md) */
} hm_instrument_point;

/* Why a function was or was not selected; stable names via hm_reason_name() for reports. */
typedef enum hm_reason {
    HM_REASON_INCLUDED = 0,      /* selected by an include rule (or by the default include-all) */
    HM_REASON_EXCLUDED_FUNCTION, /* a functions.exclude pattern won */
    HM_REASON_EXCLUDED_FILE,     /* a files.exclude pattern won */
    HM_REASON_NOT_INCLUDED_FUNCTION, /* functions.include is non-empty and nothing in it matched */
    HM_REASON_NOT_INCLUDED_FILE,     /* files.include is non-empty and nothing in it matched */
} hm_reason;

typedef struct hm_selection {
    bool selected;
    /* True when an include pattern without wildcards named this function exactly: the plugin then
     * instruments it even if it is trivial. */
    bool named_exactly;
    hm_reason reason;
    /* The pattern that decided (NULL for the default rule), as written in the YAML file; owned by
     * the config. Also its line in the YAML file (0 when it came from defaults). For the
     * NOT_INCLUDED reasons no pattern decided: `rule` is NULL and `rule_line` is the line of the
     * include list that nothing matched. */
    const char *rule;
    int rule_line;
} hm_selection;

/* Parse a heatmap.yaml file. On success returns 0 and stores a new config in *out. On failure
 * returns -1, leaves *out NULL and writes one diagnostic naming path:line:col into *err (an
 * unreadable file is reported as "PATH: error: cannot read: <strerror>"). */
int hm_config_load_file(const char *path, hm_config **out, hm_config_error *err);

/* The same from a buffer; `name` is used as the file name in diagnostics. */
int hm_config_load_string(const char *text, size_t len, const char *name, hm_config **out,
                          hm_config_error *err);

/* The config used when no file is found: include every function in every file, skip trivial
 * functions by the default threshold, instrument before inlining. Never NULL (aborts only on OOM).
 */
hm_config *hm_config_new_default(void);

void hm_config_free(hm_config *config);

/* Decide whether a function is selected. `function_name` is the demangled C++ name without
 * parameters ("ns::Class::method") or the plain C name; `file_path` is the source path as the
 * compiler saw it (may be relative; may be NULL when unknown, in which case file rules are
 * skipped).
 *
 * Each rule set (functions, files) is decided by its most specific matching pattern: an exact
 * pattern (no wildcards) beats any glob, a glob with more literal characters beats one with fewer,
 * and on a tie an exclude beats an include. A set with a non-empty include list and no match fails.
 * The function is selected when both sets pass, or when an exact function include names it
 * (`named_exactly`), whatever the file rules say. When both sets fail, the file's reason is given;
 * when both pass, the function rule that decided (else the file rule).
 *
 * File patterns are matched against the normalised path ("./a//b.c" is "a/b.c", ".." folded) made
 * relative to the directory of the config file when the source lies inside it, else against the
 * absolute path; patterns starting with '/' always see the absolute path. Relative source paths are
 * resolved against the working directory at load time. A config not loaded from a file matches the
 * normalised path as given. Thread-safe for concurrent readers. */
hm_selection hm_config_select(const hm_config *config, const char *function_name,
                              const char *file_path);

/* The trivial threshold (IR instructions) when heatmap.yaml sets no trivial.max_instructions: the
 * plugin's rule, and heatmap-scan's when it has no config to read. */
#define HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD 10u

/* Trivial-function rule: functions that are not named exactly by an include, make no calls, have no
 * loops and have fewer than this many IR instructions are skipped. 0 turns the rule off. A NULL
 * config gives HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD. */
unsigned hm_config_trivial_threshold(const hm_config *config);

hm_instrument_point hm_config_instrument_point(const hm_config *config);

/* Path the config was loaded from ("<default>" for the default config). */
const char *hm_config_source(const hm_config *config);

const char *hm_reason_name(hm_reason reason);

/* One pattern of a loaded config, for tools that report on patterns (heatmap-scan --check). */
typedef struct hm_config_pattern {
    const char *text; /* as written in the YAML file; owned by the config */
    int line;         /* 1-based line in the YAML file */
    bool files;       /* from files.* rather than functions.* */
    bool include;     /* from an include list rather than an exclude list */
} hm_config_pattern;

/* Number of patterns in the config's four lists (0 for the default config or NULL). */
size_t hm_config_pattern_count(const hm_config *config);

/* Pattern `index` (< hm_config_pattern_count): functions.include, functions.exclude, files.include,
 * then files.exclude, each list in file order. Valid as long as the config. */
hm_config_pattern hm_config_pattern_at(const hm_config *config, size_t index);

/* Whether pattern `index` alone matches: a functions.* pattern against `function_name`, a files.*
 * pattern against `file_path` seen as hm_config_select() sees it (false when `file_path` is NULL).
 */
bool hm_config_pattern_matches(const hm_config *config, size_t index, const char *function_name,
                               const char *file_path);

/* Glob matching used by the rules, exposed for heatmap-scan and tests.
 * `*` matches any run of characters except '/', `?` one character except '/', `[...]` a set
 * (`[!...]` or `[^...]` negated, ranges a-z; a set never matches '/'), `**` any run including '/'.
 * A `**` that starts the pattern or follows a '/', and is itself followed by a '/', also matches
 * zero directories ("**" "/x.c" matches "x.c" and "a/b/x.c"). `\` makes the next character
 * literal ("operator\*", "operator\[\]"). For function names, '/' does not occur, so `*` matches
 * across "::". Matching is case-sensitive and byte-wise, iterative (no recursion, constant memory).
 * Returns true on a match; an invalid pattern (see hm_glob_check) matches nothing. */
bool hm_glob_match(const char *pattern, const char *text);

/* Validate a glob; returns NULL when valid, else a static message: "empty pattern",
 * "unterminated '['", "reversed range in '[...]'", "'/' cannot be matched by '[...]'",
 * "trailing '\'", "'***' is not a wildcard; use '*' or '**'". */
const char *hm_glob_check(const char *pattern);

/* The name under which a function is selected and reported (names.c): the demangled C++ name
 * without return type, parameter list, trailing qualifiers and ABI tags ("ns::Class<int>::method",
 * "Foo::operator()"), or the symbol itself (minus LLVM's "\1" prefix) when it is not a mangled C++
 * name. `symbol` need not be NUL-terminated. Returns a malloc'd string for the caller to free; NULL
 * only when out of memory. Thread-safe. Needs __cxa_demangle from the C++ runtime. */
char *hm_display_name(const char *symbol, size_t len);

/* ---- Settings sections (runtime:, view:) ---------------------------------------------------
 * `runtime:` holds the runtime's settings (include/heatmap/settings.h: a key per setting, checked
 * at load time by the rule the runtime applies); the plugin embeds them in the program.
 * `view:` holds heatmap-view's settings: the config checks only that it maps keys to single
 * values; heatmap-view checks the keys and values (it owns them) and reports them at the
 * positions kept here. */

typedef struct hm_config_entry {
    const char *key;   /* as written; owned by the config */
    const char *value; /* the scalar as written (a runtime: list is joined with ','); owned too */
    int line, column;  /* 1-based position of the value in the YAML file */
    int key_line, key_column; /* ... and of its key */
} hm_config_entry;

/* Number of settings given under runtime: (or view:); 0 for the default config or NULL. Keys given
 * with no value (~, null, empty) are not counted. */
size_t hm_config_runtime_count(const hm_config *config);
size_t hm_config_view_count(const hm_config *config);

/* Setting `index` (< the count), in the file's order. Valid as long as the config. */
hm_config_entry hm_config_runtime_at(const hm_config *config, size_t index);
hm_config_entry hm_config_view_at(const hm_config *config, size_t index);

/* The text the plugin embeds for runtime: (settings.h's format: "#config=PATH\n" with the file's
 * absolute path, then "VARIABLE=VALUE\n" per setting given, in settings.h's order). Returns 0
 * with a malloc'd text in *out (the caller frees it), or with *out NULL when runtime: sets
 * nothing; -1 when out of memory. */
int hm_config_runtime_text(const hm_config *config, char **out);

/* ---- Paths (path.c) ------------------------------------------------------------------------
 * Lexical: "." and ".." are folded as text and symlinks are never resolved; the only file system
 * calls are getcwd() and, in hm_config_find_upward(), stat(). */

/* The working directory as a malloc'd string, or NULL when it cannot be determined. */
char *hm_path_current_dir(void);

/* Normalise in place: collapse repeated '/', drop "." components, fold "dir/.." pairs ("/.." is
 * "/"; a relative path keeps its leading ".."), no trailing '/'. An empty result becomes ".", the
 * only case that lengthens the string (so `path` needs room for 2 bytes). */
void hm_path_normalize(char *path);

/* A malloc'd normalised absolute path: `path` itself when absolute, else `base`/`path`. A relative
 * `base` is first resolved against the working directory: in /w, ("a.c", "b") gives "/w/b/a.c".
 * When `base` is NULL, or relative while the working directory cannot be determined, the result is
 * the normalised relative path. NULL only when out of memory. */
char *hm_path_absolute(const char *path, const char *base);

/* When normalised `path` is strictly inside normalised directory `dir`, a pointer into `path` to
 * the part below `dir` ("src/a.c" for "/p/src/a.c" in "/p"); otherwise NULL. */
const char *hm_path_inside(const char *path, const char *dir);

/* Find the config for a source file: the nearest heatmap.yaml (a regular file) in the file's
 * directory or any parent, up to the root. A relative `source_path` is resolved against the working
 * directory; paths are handled lexically (".." folded, symlinks not resolved). Returns a malloc'd
 * absolute path for the caller to free, or NULL when none exists (or source_path is NULL or ""). */
char *hm_config_find_upward(const char *source_path);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_CONFIG_H */
