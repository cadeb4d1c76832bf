/* heatmap-scan's analysis library: find function definitions with libclang, measure them, and
 * propose or check a heatmap.yaml allowlist.
 *
 * The pipeline is: jobs (one per translation unit, from compile_commands.json or from the command
 * line) → hm_scan_run() parses them on worker threads, one CXIndex per worker, and returns one
 * deduplicated, fan-in-resolved list of functions → the list is sorted and printed
 * (hm_scan_print), turned into a proposed allowlist (hm_scan_propose, hm_scan_write_config) or
 * compared with an existing one (hm_scan_check). Only hm_scan_jobs_from_database and hm_scan_run
 * touch libclang; everything after works on plain structs so the tests can build them by hand.
 *
 * Names are the ones the plugin matches: the demangled C++ name without its parameter list
 * ("ns::Box<int>::get", "ns::Shape::~Shape", "ns::operator<<") and the plain name for C functions.
 * Metric definitions, the score and the check findings are documented in docs/scan.md.
 * Nothing here is thread-safe unless said so; all strings are owned by the struct that holds them.
 */
#ifndef HEATMAP_SCAN_H
#define HEATMAP_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes of this library; hm_scan_strerror() gives the message. */
typedef enum hm_scan_status {
    HM_SCAN_OK = 0,
    HM_SCAN_EDATABASE, /* compile_commands.json missing or unreadable */
    HM_SCAN_ENOTINDB,  /* a requested file has no entry in the compilation database */
    HM_SCAN_EEXIST,    /* output file exists and overwriting was not allowed */
    HM_SCAN_EIO,       /* cannot read or write a file (errno is kept) */
} hm_scan_status;

const char *hm_scan_strerror(hm_scan_status status);

/* ---- Jobs: what to parse ------------------------------------------------------------------- */

/* One translation unit: the compiler's full command line (argv[0] is the compiler), the directory
 * it runs in and the main file as the command names it. */
typedef struct hm_scan_job {
    char *directory;
    char *file;
    char **argv;
    size_t argc;
} hm_scan_job;

typedef struct hm_scan_jobs {
    hm_scan_job *items;
    size_t count;
} hm_scan_jobs;

/* Load the commands of compile_commands.json in `build_dir` through libclang's compilation
 * database. With nfiles == 0 every entry becomes a job; otherwise only the entries of `files`
 * (compared as absolute, normalised paths; a file with several entries gives a job per entry), in
 * the order given. Only entries the database holds count: a file without one is HM_SCAN_ENOTINDB,
 * never a command libclang infers from a similar file. `extra` flags (may be NULL) are appended to
 * every command. On HM_SCAN_ENOTINDB, `detail` (when not NULL) receives the file that has no entry.
 * On success the caller frees *out with hm_scan_jobs_free(). */
hm_scan_status hm_scan_jobs_from_database(const char *build_dir, const char *const *files,
                                          size_t nfiles, const char *const *extra, size_t nextra,
                                          hm_scan_jobs *out, char *detail, size_t detail_size);

/* One job per file, compiled as "clang FILE EXTRA..." in the current directory (clang++ for C++
 * extensions). */
hm_scan_status hm_scan_jobs_from_files(const char *const *files, size_t nfiles,
                                       const char *const *extra, size_t nextra, hm_scan_jobs *out);

void hm_scan_jobs_free(hm_scan_jobs *jobs);

/* ---- Results --------------------------------------------------------------------------------- */

typedef struct hm_scan_function {
    char *name;    /* as the plugin matches it; templates as written ("ns::Box<T>::get") */
    char *pattern; /* a glob selecting it: the name with '[' escaped, or with "<*>" for templates */
    char *file;    /* source path as the compiler saw it */
    char *usr;     /* libclang's unified symbol resolution: the identity used for fan-in */
    unsigned line; /* line of the name (for macro-made functions, of the macro's use) */
    unsigned loc;  /* lines of the definition that hold at least one token */
    unsigned statements;
    unsigned loops;
    unsigned calls;       /* call sites in the body */
    unsigned complexity;  /* cyclomatic: 1 + decisions */
    unsigned fanin;       /* call sites naming this function across all scanned code */
    unsigned ir_estimate; /* rough count of the IR instructions clang emits at -O0 */
    bool implicit_calls;  /* calls the source does not spell (constructors, destructors) */
    bool is_template;     /* an uninstantiated template: `instances` holds names seen in calls */
    char **instances;
    size_t ninstances;
    /* Call sites in this body that name a function (implementation detail of fan-in). */
    struct hm_scan_callee *callees;
    size_t ncallees;
} hm_scan_function;

typedef struct hm_scan_result {
    hm_scan_function *functions;
    size_t count;
    size_t files_scanned; /* translation units attempted */
    size_t files_failed;  /* of those, the ones clang reported errors for (or could not parse) */
} hm_scan_result;

typedef struct hm_scan_options {
    unsigned jobs;     /* worker threads; 0 = number of online CPUs */
    FILE *diagnostics; /* clang's errors go here, "file:line:col: error: ..." (NULL = stderr) */
    bool progress;     /* allow a progress line on stderr when the scan takes long */
} hm_scan_options;

/* Parse every job and fill *out. Functions come from the main files and the non-system headers
 * they include; one found by several translation units is kept once (same name, file and line).
 * A translation unit with errors has its diagnostics printed and is counted in files_failed; of its
 * definitions, those that hold an error (or that clang marks invalid) are left out, the others are
 * kept, and the other units are scanned as usual. Relative paths in a command resolve against its
 * directory; the process's working directory is never changed. Results are deterministic: functions
 * are in job order, then source order, and diagnostics in job order, whatever the thread count.
 * Always returns HM_SCAN_OK (allocation failure aborts, see scan_internal.h). */
hm_scan_status hm_scan_run(const hm_scan_jobs *jobs, const hm_scan_options *options,
                           hm_scan_result *out);

void hm_scan_result_free(hm_scan_result *result);

/* Trivial by the plugin's rule, as far as the AST tells: no calls (spelled or implicit), no loops
 * and an estimated IR size below `threshold` (0 turns the rule off, so nothing is trivial; the
 * plugin's default is HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD). */
bool hm_scan_is_trivial(const hm_scan_function *fn, unsigned threshold);

/* ---- Listing --------------------------------------------------------------------------------- */

/* The "version" of heatmap-scan's JSON listing (--format=json, docs/scan.md): its own format, not
 * the results file's. Raised when a field changes meaning or goes away. */
#define HM_SCAN_JSON_VERSION 1

typedef enum hm_scan_sort_key {
    HM_SORT_FILE = 0, /* file, then line (the default) */
    HM_SORT_NAME,
    HM_SORT_LOC,        /* largest first, then by name */
    HM_SORT_COMPLEXITY, /* largest first, then by name */
    HM_SORT_CALLS,      /* largest first, then by name */
    HM_SORT_FANIN,      /* largest first, then by name */
    HM_SORT_STATEMENTS, /* largest first, then by name */
    HM_SORT_LOOPS,      /* largest first, then by name */
    HM_SORT_SCORE,      /* hm_scan_score, largest first, then by name */
} hm_scan_sort_key;

typedef enum hm_scan_format { HM_FORMAT_TEXT = 0, HM_FORMAT_JSON, HM_FORMAT_CSV } hm_scan_format;

/* Parse "name", "file", ... / "text", "json", "csv". Return -1 for an unknown word. */
int hm_scan_sort_key_parse(const char *word, hm_scan_sort_key *out);
int hm_scan_format_parse(const char *word, hm_scan_format *out);

void hm_scan_sort(hm_scan_result *result, hm_scan_sort_key key);

/* Write the list. `threshold` decides the trivial column. Returns 0, or -1 on a write error. */
int hm_scan_print(const hm_scan_result *result, hm_scan_format format, unsigned threshold,
                  FILE *out);

/* Parse a whole, non-negative decimal number up to UINT_MAX; -1 on anything else. */
int hm_scan_parse_uint(const char *text, unsigned *out);

/* ---- Proposal -------------------------------------------------------------------------------- */

/* score = statements + 8*loops + 2*calls + 3*fanin + 2*(complexity - 1); see docs/scan.md. */
unsigned hm_scan_score(const hm_scan_function *fn);

typedef struct hm_scan_pick {
    const char *pattern;          /* borrowed from the result */
    const hm_scan_function *best; /* the highest-scoring function the pattern selects */
    unsigned score;
    unsigned count; /* scanned functions the pattern stands for (overloads share a name) */
} hm_scan_pick;

/* Choose up to `max` patterns: every non-trivial function (by `threshold`) ranked by score,
 * highest first, ties by name; functions that share a pattern (overloads, instantiations) are one
 * pick. Fills *picks (malloc'd, caller frees) and *npicks. */
hm_scan_status hm_scan_propose(const hm_scan_result *result, unsigned max, unsigned threshold,
                               hm_scan_pick **picks, size_t *npicks);

/* Write the proposal as a heatmap.yaml the plugin accepts, each pattern with a comment giving its
 * score and why. Refuses to replace an existing `path` unless `force` (HM_SCAN_EEXIST); writes
 * to a temporary file and renames it, so a failure never leaves a half-written config. */
hm_scan_status hm_scan_write_config(const char *path, const hm_scan_pick *picks, size_t npicks,
                                    const hm_scan_result *result, bool force);

/* Propose an allowlist from a run's results file (heatmap.json) instead of the sources: the
 * functions that took the most self time, at most `max`, leaving out the ones the runtime
 * throttled (their calls are too short to time: naming them would make the program pay for it).
 * Written like hm_scan_write_config. `*picked` receives the number of patterns; on HM_SCAN_EIO
 * with errno 0, `err` holds the results file's error message. */
hm_scan_status hm_scan_write_from_results(const char *results_path, const char *path, size_t max,
                                          bool force, size_t *picked, char *err, size_t errlen);

/* ---- Check ----------------------------------------------------------------------------------- */

/* Check `config_path` against the scanned functions and print each finding to `out` as
 * "PATH:LINE: warning: ..." (syntax errors as the config library words them). Findings: syntax
 * errors; include or exclude patterns that match no scanned function (or file); functions that an
 * include and an exclude both match; include patterns whose every selected function is trivial.
 * Returns the number of findings (>= 0), or -1 when the file cannot be read. */
int hm_scan_check(const char *config_path, const hm_scan_result *result, FILE *out);

#ifdef __cplusplus
}
#endif
#endif /* HEATMAP_SCAN_H */
