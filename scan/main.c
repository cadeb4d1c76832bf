/* heatmap-scan: list a C/C++ project's functions with metrics, propose or check heatmap.yaml.
 *
 * The command line is parsed into one options struct (every flag is checked before any work, so a
 * bad flag costs nothing and exits 2 naming the flag), then: jobs from compile_commands.json or the
 * files given → hm_scan_run → one of listing, --write or --check. Exit status: 0 clean, 1 a
 * problem found (a --check finding, or a file clang reported errors for), 2 a usage error (which
 * includes a missing build directory or database, an unreadable --check file and a --write file
 * that exists).
 */
#include "hm_scan.h"

#include "hm_config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#ifndef HM_SCAN_VERSION
#define HM_SCAN_VERSION "unknown"
#endif

enum { EXIT_CLEAN = 0, EXIT_PROBLEM = 1, EXIT_USAGE = 2 };

static const char usage_text[] =
    "Usage: heatmap-scan [OPTIONS] -p BUILD_DIR [FILE...] [-- EXTRA_FLAGS...]\n"
    "       heatmap-scan [OPTIONS] FILE... [-- EXTRA_FLAGS...]\n"
    "       heatmap-scan --from-results RESULTS --write FILE [--max N] [--force]\n"
    "\n"
    "List every function defined in C/C++ sources with size and call metrics, propose a\n"
    "heatmap.yaml allowlist for the heatmap compiler plugin, or check an existing one.\n"
    "\n"
    "Sources:\n"
    "  -p, --build-dir DIR   read DIR/compile_commands.json and parse each file with its flags;\n"
    "                        with FILEs, only those entries\n"
    "  FILE... -- FLAGS      without -p: parse FILEs with FLAGS (e.g. -Iinclude -DNDEBUG)\n"
    "  -j, --jobs N          parse with N threads (default: CPUs it may use)\n"
    "\n"
    "Listing (the default action):\n"
    "  --format FORMAT       text, json or csv (default text)\n"
    "  --sort KEY            file, name, loc, statements, loops, calls, complexity, fanin\n"
    "                        or score (default file: by file and line; numbers sort\n"
    "                        largest first)\n"
    "\n"
    "Allowlist:\n"
    "  --write FILE          propose an allowlist into FILE, the highest scores first\n"
    "  --max N               at most N patterns in the proposal (default 50)\n"
    "  --force               let --write replace an existing FILE\n"
    "  --from-results RESULTS  propose from a run instead of the sources: the functions of\n"
    "                        RESULTS (a heatmap.json) with the most self time, throttled ones\n"
    "                        left out (needs --write; no sources are read)\n"
    "  --check FILE          report syntax errors, patterns that match nothing, functions both\n"
    "                        included and excluded, and includes that select only trivial\n"
    "                        functions, as FILE:LINE: warning: ...\n"
    "\n"
    "  -h, --help            show this help\n"
    "      --version         show the version\n"
    "\n"
    "A progress line goes to stderr when stderr is a terminal and the scan takes over a second.\n"
    "\n"
    "Exit status: 0 clean; 1 a problem was found (a --check finding, or a source file with\n"
    "compile errors: its definitions that hold an error are left out); 2 a usage error (a bad\n"
    "option, no build directory or compile_commands.json, a FILE without an entry in it, a\n"
    "--check FILE that cannot be read, a --write FILE that exists or cannot be written).\n"
    "Metrics, the score and the findings are described in docs/scan.md.\n";

typedef struct cli {
    const char *build_dir;
    const char **files;
    size_t nfiles;
    const char **extra;
    size_t nextra;
    unsigned jobs;
    hm_scan_format format;
    hm_scan_sort_key sort;
    const char *write_path;
    const char *check_path;
    const char *from_results;
    unsigned max;
    bool force;
} cli;

static int usage_error(const char *format, const char *what) {
    fputs("heatmap-scan: ", stderr);
    fprintf(stderr, format, what);
    fputs("\nTry 'heatmap-scan --help' for more information.\n", stderr);
    return EXIT_USAGE;
}

/* The value of option `name` at argv[*i]: "--name=VALUE", "-xVALUE" or the next argument. */
static const char *option_value(int argc, char **argv, int *i, const char *name, bool *ok) {
    const char *arg = argv[*i];
    size_t n = strlen(name);
    *ok = true;
    if (strncmp(arg, name, n) == 0 && arg[n] == '=' && name[1] == '-')
        return arg + n + 1;
    if (name[1] != '-' && arg[n] != '\0')
        return arg + n; /* -pDIR, -j4 */
    if (*i + 1 < argc)
        return argv[++*i];
    *ok = false;
    return NULL;
}

/* The value of option `name` at argv[*i] into *out: 0, or (no value, or an empty one) the usage
 * error "option '...' needs WHAT". */
static int string_option(int argc, char **argv, int *i, const char *name, const char *what,
                         const char **out) {
    const char *arg = argv[*i];
    bool ok;
    const char *v = option_value(argc, argv, i, name, &ok);
    if (!ok || v[0] == '\0') {
        char format[128];
        snprintf(format, sizeof format, "option '%%s' needs %s", what);
        return usage_error(format, arg);
    }
    *out = v;
    return 0;
}

/* Whether argv[i] is option `short_name` or `long_name`, with or without an attached value. */
static bool is_option(const char *arg, const char *short_name, const char *long_name) {
    size_t n = strlen(long_name);
    if (strncmp(arg, long_name, n) == 0 && (arg[n] == '\0' || arg[n] == '='))
        return true;
    return short_name != NULL && strncmp(arg, short_name, strlen(short_name)) == 0;
}

/* Parse the command line into *c. Returns -1 to exit 0 (help, version), else an exit status. */
static int parse_args(int argc, char **argv, cli *c) {
    c->files = calloc((size_t)argc, sizeof *c->files);
    c->extra = calloc((size_t)argc, sizeof *c->extra);
    c->max = 50;
    if (c->files == NULL || c->extra == NULL)
        return usage_error("%s", "out of memory");
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        bool ok = true;
        const char *v = NULL;
        if (strcmp(arg, "--") == 0) {
            for (i++; i < argc; i++)
                c->extra[c->nextra++] = argv[i];
            break;
        }
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(usage_text, stdout);
            return -1;
        }
        if (strcmp(arg, "--version") == 0) {
            printf("heatmap-scan %s\n", HM_SCAN_VERSION);
            return -1;
        }
        if (strcmp(arg, "--force") == 0) {
            c->force = true;
            continue;
        }
        if (is_option(arg, "-p", "--build-dir")) {
            const char *name = arg[1] == '-' ? "--build-dir" : "-p";
            int rc = string_option(argc, argv, &i, name, "a build directory", &c->build_dir);
            if (rc != 0)
                return rc;
        } else if (is_option(arg, "-j", "--jobs")) {
            v = option_value(argc, argv, &i, arg[1] == '-' ? "--jobs" : "-j", &ok);
            if (!ok || hm_scan_parse_uint(v, &c->jobs) != 0 || c->jobs == 0)
                return usage_error("option '%s' needs a number of threads (1 or more)", arg);
        } else if (is_option(arg, NULL, "--format")) {
            v = option_value(argc, argv, &i, "--format", &ok);
            if (!ok || hm_scan_format_parse(v, &c->format) != 0)
                return usage_error("option '%s' needs text, json or csv", arg);
        } else if (is_option(arg, NULL, "--sort")) {
            v = option_value(argc, argv, &i, "--sort", &ok);
            if (!ok || hm_scan_sort_key_parse(v, &c->sort) != 0) {
                return usage_error("option '%s' needs file, name, loc, statements, loops, "
                                   "calls, complexity, fanin or score",
                                   arg);
            }
        } else if (is_option(arg, NULL, "--write")) {
            int rc = string_option(argc, argv, &i, "--write", "a file name", &c->write_path);
            if (rc != 0)
                return rc;
        } else if (is_option(arg, NULL, "--check")) {
            int rc = string_option(argc, argv, &i, "--check", "a file name", &c->check_path);
            if (rc != 0)
                return rc;
        } else if (is_option(arg, NULL, "--from-results")) {
            int rc =
                string_option(argc, argv, &i, "--from-results", "a results file", &c->from_results);
            if (rc != 0)
                return rc;
        } else if (is_option(arg, NULL, "--max")) {
            v = option_value(argc, argv, &i, "--max", &ok);
            if (!ok || hm_scan_parse_uint(v, &c->max) != 0 || c->max == 0)
                return usage_error("option '%s' needs a number (1 or more)", arg);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else {
            c->files[c->nfiles++] = arg;
        }
    }
    if (c->write_path != NULL && c->check_path != NULL)
        return usage_error("%s", "--write and --check cannot be used together");
    if (c->from_results != NULL) {
        if (c->write_path == NULL)
            return usage_error("%s", "--from-results needs --write FILE");
        if (c->build_dir != NULL || c->nfiles > 0)
            return usage_error("%s", "--from-results reads no sources: drop -p and FILEs");
        return EXIT_CLEAN;
    }
    if (c->build_dir == NULL && c->nfiles == 0)
        return usage_error("%s", "nothing to scan: give -p BUILD_DIR or source files");
    for (size_t i = 0; i < c->nfiles; i++) {
        struct stat st;
        if (stat(c->files[i], &st) != 0) {
            fprintf(stderr, "heatmap-scan: %s: %s\n", c->files[i], strerror(errno));
            return EXIT_USAGE;
        }
    }
    return EXIT_CLEAN;
}

static int load_jobs(const cli *c, hm_scan_jobs *jobs) {
    if (c->build_dir == NULL) {
        return hm_scan_jobs_from_files(c->files, c->nfiles, c->extra, c->nextra, jobs) == HM_SCAN_OK
                   ? EXIT_CLEAN
                   : EXIT_USAGE;
    }
    /* Checked here so that a typo gets one clear line instead of libclang's tooling errors. */
    struct stat dir;
    if (stat(c->build_dir, &dir) != 0) {
        fprintf(stderr, "heatmap-scan: %s: %s\n", c->build_dir, strerror(errno));
        return EXIT_USAGE;
    }
    if (!S_ISDIR(dir.st_mode)) {
        fprintf(stderr, "heatmap-scan: %s: not a directory (-p names the build directory)\n",
                c->build_dir);
        return EXIT_USAGE;
    }
    char *db = malloc(strlen(c->build_dir) + sizeof "/compile_commands.json");
    if (db == NULL)
        return EXIT_USAGE;
    sprintf(db, "%s/compile_commands.json", c->build_dir);
    int db_missing = access(db, R_OK) != 0 ? errno : 0;
    free(db);
    if (db_missing != 0) {
        fprintf(stderr,
                "heatmap-scan: %s/compile_commands.json: %s (configure with "
                "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON, or build with bear)\n",
                c->build_dir, strerror(db_missing));
        return EXIT_USAGE;
    }
    char missing[4096] = "";
    hm_scan_status st = hm_scan_jobs_from_database(c->build_dir, c->files, c->nfiles, c->extra,
                                                   c->nextra, jobs, missing, sizeof missing);
    if (st == HM_SCAN_EDATABASE) {
        fprintf(stderr,
                "heatmap-scan: %s/compile_commands.json: not a compilation database libclang "
                "can read (its message is above)\n",
                c->build_dir);
        return EXIT_USAGE;
    }
    if (st == HM_SCAN_ENOTINDB) {
        fprintf(stderr, "heatmap-scan: %s: no entry in %s/compile_commands.json\n", missing,
                c->build_dir);
        return EXIT_USAGE;
    }
    return st == HM_SCAN_OK ? EXIT_CLEAN : EXIT_USAGE;
}

static int do_write(const cli *c, const hm_scan_result *result) {
    hm_scan_pick *picks = NULL;
    size_t npicks = 0;
    hm_scan_propose(result, c->max, HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD, &picks, &npicks);
    hm_scan_status st = hm_scan_write_config(c->write_path, picks, npicks, result, c->force);
    free(picks);
    if (st == HM_SCAN_EEXIST) {
        fprintf(stderr, "heatmap-scan: %s: file exists; use --force to replace it\n",
                c->write_path);
        return EXIT_USAGE;
    }
    if (st != HM_SCAN_OK) {
        fprintf(stderr, "heatmap-scan: %s: cannot write: %s\n", c->write_path, strerror(errno));
        return EXIT_USAGE;
    }
    printf("%s: proposed %zu pattern%s from %zu function%s\n", c->write_path, npicks,
           npicks == 1 ? "" : "s", result->count, result->count == 1 ? "" : "s");
    return EXIT_CLEAN;
}

/* --from-results: the proposal from a run's results file; no sources are read. */
static int do_from_results(const cli *c) {
    char err[512] = "";
    size_t picked = 0;
    hm_scan_status st = hm_scan_write_from_results(c->from_results, c->write_path, c->max, c->force,
                                                   &picked, err, sizeof err);
    if (st == HM_SCAN_EEXIST) {
        fprintf(stderr, "heatmap-scan: %s: file exists; use --force to replace it\n",
                c->write_path);
        return EXIT_USAGE;
    }
    if (st != HM_SCAN_OK) {
        if (errno == 0 && err[0])
            fprintf(stderr, "heatmap-scan: %s\n", err);
        else
            fprintf(stderr, "heatmap-scan: %s: cannot write: %s\n", c->write_path, strerror(errno));
        return EXIT_USAGE;
    }
    printf("%s: proposed %zu pattern%s from the run in %s\n", c->write_path, picked,
           picked == 1 ? "" : "s", c->from_results);
    return EXIT_CLEAN;
}

static int do_check(const cli *c, const hm_scan_result *result) {
    int findings = hm_scan_check(c->check_path, result, stdout);
    if (findings < 0) {
        fprintf(stderr, "heatmap-scan: %s: cannot read: %s\n", c->check_path, strerror(errno));
        return EXIT_USAGE;
    }
    if (findings == 0)
        printf("%s: no problems found (%zu functions checked)\n", c->check_path, result->count);
    return findings > 0 ? EXIT_PROBLEM : EXIT_CLEAN;
}

int main(int argc, char **argv) {
    cli c = {0};
    int status = parse_args(argc, argv, &c);
    if (status == EXIT_CLEAN && c.from_results != NULL) {
        status = do_from_results(&c);
    } else if (status == EXIT_CLEAN) {
        hm_scan_jobs jobs = {0};
        status = load_jobs(&c, &jobs);
        if (status == EXIT_CLEAN) {
            hm_scan_options options = {.jobs = c.jobs, .diagnostics = stderr, .progress = true};
            hm_scan_result result = {0};
            hm_scan_run(&jobs, &options, &result);
            if (c.write_path != NULL) {
                status = do_write(&c, &result);
            } else if (c.check_path != NULL) {
                status = do_check(&c, &result);
            } else {
                hm_scan_sort(&result, c.sort);
                if (hm_scan_print(&result, c.format, HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD, stdout) !=
                    0) {
                    fprintf(stderr, "heatmap-scan: cannot write the listing: %s\n",
                            strerror(errno));
                    status = EXIT_PROBLEM;
                }
            }
            if (result.files_failed > 0) {
                fprintf(stderr,
                        "heatmap-scan: %zu of %zu files had errors; definitions that contain "
                        "an error are not listed\n",
                        result.files_failed, result.files_scanned);
                status = status == EXIT_CLEAN ? EXIT_PROBLEM : status;
            }
            hm_scan_result_free(&result);
        }
        hm_scan_jobs_free(&jobs);
    }
    free(c.files);
    free(c.extra);
    return status < 0 ? EXIT_CLEAN : status;
}
