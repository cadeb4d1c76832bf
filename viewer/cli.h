/* Command line of heatmap-view: parse argv into hm_cli, print the usage.
 *
 * The parser is hand-written rather than getopt_long so that everything after --run belongs to
 * the program being run, untouched, and so that every error can name the flag, the value and
 * what would be right. Unit-tested in tests/unit/test_viewer.c.
 */
#ifndef HEATMAP_VIEWER_CLI_H
#define HEATMAP_VIEWER_CLI_H

#include "model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

typedef enum hm_format {
    HM_FORMAT_AUTO = 0, /* TUI on a terminal, else text with the no-TTY warning */
    HM_FORMAT_TEXT,
    HM_FORMAT_JSON,
    HM_FORMAT_CSV,
} hm_format;

typedef struct hm_cli {
    hm_view_mode mode;
    hm_format format;
    size_t top; /* HM_TOP_MODE when --top was not given, HM_TOP_ALL for --top=all */
    hm_sort_key sort;
    hm_pct_column pct;  /* --percentile: the table's last column */
    const char *filter; /* NULL when not given */
    bool no_tui, ascii, threads, no_color, help, version;
    bool show_settings;               /* --show-settings [PROGRAM]: the PROGRAM is files[0] */
    size_t width;                     /* --width; 0 = the terminal's, or 100 when not a terminal */
    const char *diff_base, *diff_new; /* --diff BASE NEW, else NULL */
    const char **fail_if;             /* --fail-if EXPR, in order */
    size_t nfail_if;
    char **run_argv; /* --run PROG ARGS...: points into argv, NULL-terminated; NULL if absent */
    const char *export_kind; /* --export=KIND as given (main.c checks it), else NULL */
    const char *output;      /* -o/--output FILE for --export, else NULL */
    const char *pprof_type;  /* --type=T of --export=pprof as given (main.c checks it), else NULL */
    unsigned interval_ms;    /* --interval of the live view (live.h), 0 when not given */
    const char **files;      /* results files, in order */
    size_t nfiles;
    uint64_t given; /* a bit per option of the table in cli.c that was given (hm_cli_given) */
} hm_cli;

/* Parse argv (argv[0] is the program name). Returns 0, or -1 with a one-line message naming the
 * flag or argument in err. On either return call hm_cli_free(). */
int hm_cli_parse(int argc, char **argv, hm_cli *cli, char *err, size_t errlen);
void hm_cli_free(hm_cli *cli);

void hm_cli_usage(FILE *out);

/* Whether the long option --NAME was given on the command line (heatmap-view's settings: a flag
 * wins over the environment and heatmap.yaml). */
bool hm_cli_given(const hm_cli *cli, const char *name);

/* Apply VALUE to the long option --NAME that takes a value, with the checks and messages of
 * --NAME=VALUE ("--mode: unknown mode 'x' (expected ...)"). Returns 0, or -1 with the message in
 * err. For settings from the environment and heatmap.yaml (settings.c). */
int hm_cli_apply_option(hm_cli *cli, const char *name, const char *value, char *err, size_t errlen);

#endif /* HEATMAP_VIEWER_CLI_H */
