/* Command-line parsing for heatmap-view (see cli.h).
 *
 * Options take their value as --opt=VALUE or --opt VALUE. One table lists the options; the usage
 * text is written next to it so a new flag is added in one place. The parser only records what it
 * sees and checks each value on its own; main.c checks combinations that need the files.
 */
#include "cli.h"

#include "live.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef enum opt_id {
    OPT_MODE,
    OPT_FORMAT,
    OPT_TOP,
    OPT_SORT,
    OPT_FILTER,
    OPT_WIDTH,
    OPT_DIFF,
    OPT_FAIL_IF,
    OPT_RUN,
    OPT_NO_TUI,
    OPT_ASCII,
    OPT_NO_COLOR,
    OPT_THREADS,
    OPT_PERCENTILE,
    OPT_EXPORT,
    OPT_OUTPUT,
    OPT_TYPE,
    OPT_INTERVAL,
    OPT_SHOW_SETTINGS,
    OPT_HELP,
    OPT_VERSION,
} opt_id;

static const struct option_spec {
    const char *name; /* long name without "--" */
    char short_name;  /* 0 when none */
    opt_id id;
    bool takes_value;
    const char *value; /* shown in the usage */
    const char *help;
} options[] = {
    {"mode", 0, OPT_MODE, true, "MODE", "bar (default), sparkline, table or memory"},
    {"format", 0, OPT_FORMAT, true, "FMT",
     "text, json or csv (default: the interactive view on a terminal, else text followed by a "
     "warning on stderr)"},
    {"top", 0, OPT_TOP, true, "N",
     "show the first N functions, or all (default: 25 in bar mode, 50 in sparkline and table "
     "modes and --diff text, all in json and csv)"},
    {"sort", 0, OPT_SORT, true, "KEY",
     "cpu (default: on-CPU time; self time for results from an older runtime), self (wall self "
     "time), wait, count, avg, max, p95 or name; ties go by name, file, line"},
    {"filter", 0, OPT_FILTER, true, "GLOB",
     "only functions whose name matches GLOB (text without * ? [ matches anywhere in the name); "
     "smart case: all lowercase ignores case, a capital makes it exact"},
    {"percentile", 0, OPT_PERCENTILE, true, "P",
     "p95 (default), p50 or p99: the percentile in the table's last column"},
    {"threads", 0, OPT_THREADS, false, NULL,
     "add per-thread rows: the thread table, and each function's split by thread when the file "
     "has one (TUI: open the thread pane)"},
    {"width", 0, OPT_WIDTH, true, "N",
     "columns of the text output, 40 to 1000 (default: the terminal's, or 100)"},
    {"ascii", 0, OPT_ASCII, false, NULL,
     "draw with ASCII only (automatic when the locale is not UTF-8)"},
    {"no-tui", 0, OPT_NO_TUI, false, NULL, "print the static text even on a terminal"},
    {"no-color", 0, OPT_NO_COLOR, false, NULL,
     "no colours in the TUI (also NO_COLOR=1, TERM=dumb)"},
    {"diff", 0, OPT_DIFF, true, "BASE NEW",
     "per function, before/after of count, self time, avg and P95 with their ratios, largest "
     "self-time regression first; new and vanished functions included"},
    {"fail-if", 0, OPT_FAIL_IF, true, "EXPR",
     "exit 1 when EXPR holds; repeatable. EXPR is METRIC[(GLOB)] OP VALUE, e.g. 'elapsed>500ms', "
     "'p95(parse_*)>2ms', 'calls<10', 'cpu(main)>1.2*base' (base: the BASE file of --diff). "
     "Metrics: elapsed, cpu, self, wait, calls, functions, parallelism, and per function cpu, "
     "self, "
     "wait, calls, avg, max, "
     "p50, p95, p99. OP: > >= < <= == !=. Times need a unit (ns, us, ms, s)"},
    {"run", 0, OPT_RUN, true, "PROG ARGS...",
     "run PROG with HEATMAP_OUTPUT set to a temporary file, then show its results (merged with "
     "those of the children it forked), also when it fails; must come last"},
    {"export", 0, OPT_EXPORT, true, "KIND",
     "write the call paths instead of showing them: pprof (gzip'd profile.proto for go tool "
     "pprof), folded (flame-graph stacks), chrome (timeline for Perfetto, from the trace that "
     "HEATMAP_TRACE=1 records), svg (flame graph picture); see docs/exports.md"},
    {"type", 0, OPT_TYPE, true, "T",
     "what --export=pprof holds: calls (default: exact calls and self time per call path), cpu "
     "(sampled CPU time with source lines, from the CPU sampler), block or mutex (waits per "
     "call path)"},
    {"output", 'o', OPT_OUTPUT, true, "FILE",
     "the file --export writes (- for standard output; default heatmap.pb.gz, heatmap.folded, "
     "heatmap.chrome.json or heatmap.svg)"},
    {"interval", 0, OPT_INTERVAL, true, "TIME",
     "how often the live view of http://HOST[:PORT] reads the program's results again: 500ms, 2s, "
     "1.5 (seconds), from 100ms to 1h (default 1s)"},
    {"show-settings", 0, OPT_SHOW_SETTINGS, false, NULL,
     "print heatmap-view's settings (mode, sort, top, percentile, width, color, threads, "
     "interval) with the "
     "value in effect and where it came from: flag > environment (HEATMAP_VIEW_*) > heatmap.yaml "
     "view: > default; with a PROGRAM (the FILE argument), also the runtime settings PROGRAM would "
     "run with in this environment: environment > embedded in PROGRAM (heatmap.yaml runtime:) > "
     "default (docs/config.md). --format=json for JSON"},
    {"help", 'h', OPT_HELP, false, NULL, "show this help"},
    {"version", 'V', OPT_VERSION, false, NULL, "show the version"},
};
#define NOPTIONS (sizeof options / sizeof options[0])
_Static_assert(NOPTIONS <= 64, "hm_cli.given has a bit per option");

/* Print text from column `indent` on (the cursor is there), broken at spaces before `width`. */
static void put_wrapped_help(FILE *out, const char *text, size_t indent, size_t width) {
    size_t room = width - indent, col = 0;
    while (*text != '\0') {
        size_t word = strcspn(text, " ");
        if (col > 0 && col + 1 + word > room) {
            fprintf(out, "\n%*s", (int)indent, "");
            col = 0;
        } else if (col > 0) {
            fputc(' ', out);
            col++;
        }
        fwrite(text, 1, word, out);
        col += word;
        text += word;
        text += strspn(text, " ");
    }
    fputc('\n', out);
}

void hm_cli_usage(FILE *out) {
    fputs("Usage: heatmap-view [OPTIONS] [FILE...]\n"
          "       heatmap-view [OPTIONS] --diff BASE NEW\n"
          "       heatmap-view [OPTIONS] --run PROG [ARGS...]\n"
          "       heatmap-view --show-settings [--format=json] [PROGRAM]\n"
          "\n"
          "Show the function profile recorded by a heatmap-instrumented program (heatmap.json).\n"
          "Several FILEs are merged. FILE - reads standard input; no FILE reads heatmap.json.\n"
          "FILE http://HOST[:PORT] reads the results so far of a program running with\n"
          "HEATMAP_PROFILER=on (its /debug/heatmap; port 6060 by default): on a terminal a live\n"
          "view that reads them again every --interval; otherwise (text, json, csv, --export,\n"
          "--fail-if, no terminal) once.\n"
          "\n"
          "Options:\n",
          out);
    for (size_t i = 0; i < NOPTIONS; i++) {
        char left[64];
        const struct option_spec *o = &options[i];
        int n = o->short_name ? snprintf(left, sizeof left, "-%c, --%s", o->short_name, o->name)
                              : snprintf(left, sizeof left, "    --%s", o->name);
        if (o->takes_value)
            snprintf(left + n, sizeof left - (size_t)n, "%s%s",
                     o->id == OPT_DIFF || o->id == OPT_RUN ? " " : "=", o->value);
        fprintf(out, "  %-24s  ", left);
        put_wrapped_help(out, o->help, 28, 100);
    }
    fputs("\nExit status: 0 ok; 1 a --fail-if condition held; 2 bad usage or unreadable input;\n"
          "with --run, the program's status when it was not 0 (128+N when signal N ended it).\n"
          "Keys of the interactive view: press ? in it, or see docs/viewer.md.\n",
          out);
}

static const struct option_spec *find_long(const char *name, size_t len) {
    for (size_t i = 0; i < NOPTIONS; i++)
        if (strlen(options[i].name) == len && strncmp(options[i].name, name, len) == 0)
            return &options[i];
    return NULL;
}

static const struct option_spec *find_short(char c) {
    for (size_t i = 0; i < NOPTIONS; i++)
        if (options[i].short_name == c)
            return &options[i];
    return NULL;
}

/* Parse a whole decimal number in [min, max]; returns 0 or -1. */
static int parse_size(const char *s, size_t min, size_t max, size_t *out) {
    if (*s < '0' || *s > '9')
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < min || v > max)
        return -1;
    *out = (size_t)v;
    return 0;
}

static int push(const char ***list, size_t *n, const char *item) {
    const char **bigger = realloc(*list, (*n + 1) * sizeof **list);
    if (bigger == NULL)
        return -1;
    bigger[(*n)++] = item;
    *list = bigger;
    return 0;
}

/* Apply one option with its value (NULL for flags). */
static int apply(hm_cli *cli, const struct option_spec *o, const char *value, char *err,
                 size_t errlen) {
    switch (o->id) {
    case OPT_MODE:
        if (hm_mode_parse(value, &cli->mode) != 0)
            return hm_errorf(err, errlen,
                             "--mode: unknown mode '%s' (expected bar, sparkline, table or memory)",
                             value);
        return 0;
    case OPT_FORMAT:
        if (strcmp(value, "text") == 0)
            cli->format = HM_FORMAT_TEXT;
        else if (strcmp(value, "json") == 0)
            cli->format = HM_FORMAT_JSON;
        else if (strcmp(value, "csv") == 0)
            cli->format = HM_FORMAT_CSV;
        else
            return hm_errorf(err, errlen,
                             "--format: unknown format '%s' (expected text, json or csv)", value);
        return 0;
    case OPT_TOP:
        if (strcmp(value, "all") == 0)
            cli->top = HM_TOP_ALL;
        else if (parse_size(value, 1, 1000000000, &cli->top) != 0)
            return hm_errorf(err, errlen, "--top: '%s' is not a positive number or 'all'", value);
        return 0;
    case OPT_SORT:
        if (hm_sort_key_parse(value, &cli->sort) != 0)
            return hm_errorf(err, errlen,
                             "--sort: unknown key '%s' (expected cpu, self, wait, count, avg, max, "
                             "p95, name or mem)",
                             value);
        return 0;
    case OPT_FILTER:
        if (strlen(value) >= HM_FILTER_MAX)
            return hm_errorf(err, errlen, "--filter: pattern longer than %d characters",
                             HM_FILTER_MAX - 1);
        cli->filter = value;
        return 0;
    case OPT_WIDTH:
        if (parse_size(value, 40, 1000, &cli->width) != 0)
            return hm_errorf(err, errlen, "--width: '%s' is not a number from 40 to 1000", value);
        return 0;
    case OPT_FAIL_IF:
        return push(&cli->fail_if, &cli->nfail_if, value) == 0
                   ? 0
                   : hm_errorf(err, errlen, "out of memory");
    case OPT_NO_TUI:
        cli->no_tui = true;
        return 0;
    case OPT_ASCII:
        cli->ascii = true;
        return 0;
    case OPT_NO_COLOR:
        cli->no_color = true;
        return 0;
    case OPT_THREADS:
        cli->threads = true;
        return 0;
    case OPT_PERCENTILE:
        if (hm_pct_parse(value, &cli->pct) != 0)
            return hm_errorf(err, errlen,
                             "--percentile: unknown percentile '%s' (expected p50, p95 or p99)",
                             value);
        return 0;
    case OPT_EXPORT:
        cli->export_kind = value;
        return 0;
    case OPT_OUTPUT:
        cli->output = value;
        return 0;
    case OPT_TYPE:
        cli->pprof_type = value;
        return 0;
    case OPT_INTERVAL:
        return hm_live_parse_interval(value, &cli->interval_ms, err, errlen);
    case OPT_SHOW_SETTINGS:
        cli->show_settings = true;
        return 0;
    case OPT_HELP:
        cli->help = true;
        return 0;
    case OPT_VERSION:
        cli->version = true;
        return 0;
    case OPT_DIFF:
    case OPT_RUN:
        break; /* handled by the caller: they take more than one argument */
    }
    return 0;
}

int hm_cli_parse(int argc, char **argv, hm_cli *cli, char *err, size_t errlen) {
    memset(cli, 0, sizeof *cli);
    cli->mode = HM_MODE_BAR;
    cli->sort = HM_SORT_CPU;
    cli->top = HM_TOP_MODE;
    bool only_files = false;
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (only_files || arg[0] != '-' || strcmp(arg, "-") == 0) {
            if (push(&cli->files, &cli->nfiles, arg) != 0)
                return hm_errorf(err, errlen, "out of memory");
            continue;
        }
        if (strcmp(arg, "--") == 0) {
            only_files = true;
            continue;
        }
        const struct option_spec *o;
        const char *value = NULL;
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t)(eq - (arg + 2)) : strlen(arg + 2);
            o = find_long(arg + 2, len);
            if (o == NULL)
                return hm_errorf(err, errlen, "unknown option '%.*s' (see heatmap-view --help)",
                                 (int)(len + 2), arg);
            if (eq != NULL) {
                if (!o->takes_value || o->id == OPT_RUN)
                    return hm_errorf(err, errlen, "--%s takes no '=VALUE'%s", o->name,
                                     o->id == OPT_RUN ? " (use --run PROG ARGS...)" : "");
                value = eq + 1;
            }
        } else {
            o = arg[2] == '\0' ? find_short(arg[1]) : NULL;
            if (o == NULL)
                return hm_errorf(err, errlen, "unknown option '%s' (see heatmap-view --help)", arg);
        }
        cli->given |= (uint64_t)1 << (o - options);
        if (o->id == OPT_RUN) {
            if (i + 1 >= argc)
                return hm_errorf(err, errlen, "--run needs a program: --run PROG [ARGS...]");
            cli->run_argv = argv + i + 1;
            break;
        }
        if (o->id == OPT_DIFF) {
            /* --diff BASE NEW, or --diff=BASE NEW */
            if (value == NULL && i + 1 < argc)
                value = argv[++i];
            if (value == NULL || i + 1 >= argc)
                return hm_errorf(err, errlen, "--diff needs two files: --diff BASE NEW");
            cli->diff_base = value;
            cli->diff_new = argv[++i];
            continue;
        }
        if (o->takes_value && value == NULL) {
            if (i + 1 >= argc)
                return hm_errorf(err, errlen, "--%s needs a value: --%s=%s", o->name, o->name,
                                 o->value);
            value = argv[++i];
        }
        if (apply(cli, o, value, err, errlen) != 0)
            return -1;
    }
    if (cli->help || cli->version)
        return 0;
    if (cli->diff_base && cli->run_argv)
        return hm_errorf(err, errlen, "--diff and --run cannot be combined");
    if (cli->show_settings && (cli->diff_base || cli->run_argv || cli->export_kind))
        return hm_errorf(err, errlen,
                         "--show-settings prints the settings and nothing else; it cannot be "
                         "combined with --%s",
                         cli->diff_base  ? "diff"
                         : cli->run_argv ? "run"
                                         : "export");
    if (cli->show_settings && cli->nfiles > 1)
        return hm_errorf(err, errlen, "--show-settings takes one PROGRAM at most; unexpected '%s'",
                         cli->files[1]);
    if (cli->export_kind && cli->diff_base)
        return hm_errorf(err, errlen, "--export and --diff cannot be combined");
    if (cli->pprof_type && (!cli->export_kind || strcmp(cli->export_kind, "pprof") != 0))
        return hm_errorf(err, errlen,
                         "--type selects the profile of --export=pprof; --export=pprof "
                         "is missing");
    if (cli->output && !cli->export_kind)
        return hm_errorf(err, errlen,
                         "-o/--output names the file of --export=KIND; --export is missing");
    if (cli->diff_base && cli->nfiles > 0)
        return hm_errorf(err, errlen, "--diff compares exactly two files; unexpected '%s'",
                         cli->files[0]);
    if (cli->run_argv && cli->nfiles > 0)
        return hm_errorf(err, errlen,
                         "--run shows the program's own results; unexpected file '%s' "
                         "(put FILEs before --run? they cannot be combined)",
                         cli->files[0]);
    return 0;
}

bool hm_cli_given(const hm_cli *cli, const char *name) {
    const struct option_spec *o = find_long(name, strlen(name));
    return o != NULL && (cli->given & ((uint64_t)1 << (o - options))) != 0;
}

int hm_cli_apply_option(hm_cli *cli, const char *name, const char *value, char *err,
                        size_t errlen) {
    const struct option_spec *o = find_long(name, strlen(name));
    if (o == NULL || !o->takes_value || o->id == OPT_DIFF || o->id == OPT_RUN)
        return hm_errorf(err, errlen, "--%s is not an option with a value", name);
    return apply(cli, o, value, err, errlen);
}

void hm_cli_free(hm_cli *cli) {
    free(cli->files);
    free(cli->fail_if);
    cli->files = NULL;
    cli->fail_if = NULL;
}
