/* heatmap-view: show a heatmap results file as an interactive TUI, static text, JSON or CSV.
 *
 * main() only wires the parts together: parse the command line (cli.c), complete it with the
 * environment and heatmap.yaml (settings.c; --show-settings prints them), get results (load and
 * merge FILEs, or --run a program, or --diff two files), then hand a model (model.c) to one front
 * end: the TUI (tui.c) on a terminal, else the static renderers (render.c, diff_view.c). --fail-if
 * conditions (check.c) are checked last and set the exit status.
 *
 * Exit status: 0 ok; 1 a --fail-if condition held; 2 bad usage or unreadable input; with --run,
 * the program's own status when it was not 0 (128 + N when signal N ended it).
 */
#define _POSIX_C_SOURCE 200809L
#include "check.h"
#include "cli.h"
#include "diff_view.h"
#include "export.h"
#include "fetch.h"
#include "live.h"
#include "model.h"
#include "render.h"
#include "run.h"
#include "settings.h"
#include "tui.h"

#include <heatmap/results_format.h>

#include <locale.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#ifndef HEATMAP_VERSION
#define HEATMAP_VERSION "unknown"
#endif

enum { EXIT_OK = 0, EXIT_CHECK_FAILED = 1, EXIT_USAGE = 2 };

static int usage_error(const char *message) {
    fprintf(stderr, "heatmap-view: %s\n", message);
    return EXIT_USAGE;
}

/* Columns for the text output: --width, else the terminal's, else 100 (files, pipes). */
static size_t text_width(const hm_cli *cli) {
    if (cli->width != 0)
        return cli->width;
    struct winsize ws;
    if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    return 100;
}

/* Parse every --fail-if; returns 0, or exit status 2 after printing why. */
static int parse_checks(const hm_cli *cli, hm_check **checks) {
    char err[1024];
    for (size_t i = 0; i < cli->nfail_if; i++) {
        if (hm_check_parse(cli->fail_if[i], &checks[i], err, sizeof err) != 0)
            return usage_error(err);
        if (hm_check_uses_base(checks[i]) && cli->diff_base == NULL) {
            snprintf(err, sizeof err, "--fail-if '%s': 'base' needs --diff BASE NEW",
                     cli->fail_if[i]);
            return usage_error(err);
        }
    }
    return 0;
}

/* Evaluate the checks; print each condition that holds. Returns 0, 1 or 2. */
static int run_checks(const hm_cli *cli, hm_check **checks, const hm_results *now,
                      const hm_results *base) {
    int status = EXIT_OK;
    char msg[2048];
    for (size_t i = 0; i < cli->nfail_if; i++) {
        int rc = hm_check_eval(checks[i], now, base, msg, sizeof msg);
        if (rc < 0)
            return usage_error(msg);
        if (rc > 0) {
            fprintf(stderr, "heatmap-view: check failed: --fail-if '%s': %s\n", cli->fail_if[i],
                    msg);
            status = EXIT_CHECK_FAILED;
        }
    }
    return status;
}

static int show_diff(const hm_cli *cli, hm_check **checks) {
    char err[1024];
    hm_results *before = NULL, *after = NULL;
    if (hm_results_load(cli->diff_base, &before, err, sizeof err) != 0 ||
        hm_results_load(cli->diff_new, &after, err, sizeof err) != 0) {
        hm_results_free(before);
        return usage_error(err);
    }
    hm_diff_opts o = {
        .glyphs = hm_glyphs_pick(cli->ascii),
        .format = cli->format == HM_FORMAT_AUTO ? HM_FORMAT_TEXT : cli->format,
        .filter = cli->filter,
        .top = cli->top != HM_TOP_MODE                                         ? cli->top
               : cli->format == HM_FORMAT_JSON || cli->format == HM_FORMAT_CSV ? HM_TOP_ALL
                                                                               : 50,
    };
    int status = hm_render_diff(stdout, before, after, &o) == 0 ? EXIT_OK : EXIT_USAGE;
    fflush(stdout);
    if (status == EXIT_OK)
        status = run_checks(cli, checks, after, before);
    hm_results_free(before);
    hm_results_free(after);
    return status;
}

/* The static output of a loaded model in the chosen format. */
static int show_static(const hm_cli *cli, hm_model *m) {
    hm_render_opts o = {
        .glyphs = hm_glyphs_pick(cli->ascii),
        .width = text_width(cli),
        .threads = cli->threads,
    };
    int rc;
    if (cli->format == HM_FORMAT_JSON || cli->format == HM_FORMAT_CSV) {
        if (cli->top == HM_TOP_MODE)
            hm_model_set_top(m, HM_TOP_ALL);
        rc = cli->format == HM_FORMAT_JSON ? hm_render_json(stdout, m, &o)
                                           : hm_render_csv(stdout, m, &o);
    } else {
        rc = hm_render_text(stdout, m, &o);
    }
    if (fflush(stdout) != 0)
        rc = -1;
    if (rc != 0)
        fprintf(stderr, "heatmap-view: cannot write the output\n");
    return rc == 0 ? EXIT_OK : EXIT_USAGE;
}

/* Whether the interactive view is tried: the default format on a terminal, no --no-tui, no
 * --fail-if. */
static bool wants_tui(const hm_cli *cli) {
    return cli->format == HM_FORMAT_AUTO && !cli->no_tui && isatty(STDOUT_FILENO) &&
           cli->nfail_if == 0;
}

/* Show results: the TUI on a terminal (live mode when live is not NULL: results and paths are then
 * its first read), else the static output; then the --fail-if checks. */
static int show(const hm_cli *cli, const hm_results *results, const hm_paths *paths, hm_live *live,
                hm_check **checks) {
    hm_model m;
    if (hm_model_init(&m, results) != 0)
        return usage_error("out of memory");
    hm_model_set_mode(&m, cli->mode);
    hm_model_set_sort(&m, cli->sort);
    if (cli->mode == HM_MODE_MEMORY && cli->sort == HM_SORT_CPU) /* cpu: the default */
        hm_model_set_sort(&m, HM_SORT_MEM);
    hm_model_set_top(&m, cli->top);
    m.pct = cli->pct;
    if (cli->filter != NULL)
        hm_model_set_filter(&m, cli->filter);

    int status = EXIT_OK;
    bool terminal = isatty(STDOUT_FILENO);
    bool auto_format = cli->format == HM_FORMAT_AUTO;
    /* The seed's warning is printed as is (emoji included) unless ASCII was asked for explicitly:
     * scripts match it exactly, and stderr is not the text whose locale we adapt to. */
    const hm_glyphs *g = cli->ascii ? &hm_glyphs_ascii : &hm_glyphs_utf8;
    if (wants_tui(cli)) {
        hm_tui_opts t = {.ascii = hm_glyphs_pick(cli->ascii) == &hm_glyphs_ascii,
                         .no_color = cli->no_color,
                         .threads = cli->threads,
                         .paths = paths,
                         .live = live};
        char why[512];
        if (hm_tui_run(&m, &t, why, sizeof why) == 0) {
            hm_model_free(&m);
            return EXIT_OK;
        }
        status = show_static(cli, &m);
        if (why[0] != '\0')
            fprintf(stderr,
                    "%sCannot start the interactive visualization (%s). Summary displayed "
                    "above.\n",
                    g->warning, why);
    } else {
        status = show_static(cli, &m);
        if (auto_format && !terminal)
            fprintf(stderr,
                    "%sNo TTY available for interactive visualization. Summary displayed above.\n",
                    g->warning);
    }
    if (status == EXIT_OK)
        status = run_checks(cli, checks, results, NULL);
    hm_model_free(&m);
    return status;
}

/* --export=KIND [--type=T]: write the files' call paths, CPU samples or traces to cli->output
 * (export.h). */
static int export_files(const hm_cli *cli, hm_export_kind kind, hm_pprof_type type,
                        const char *const *files, size_t nfiles) {
    char err[1024];
    if (hm_export_run_type(kind, type, files, nfiles, cli->output, err, sizeof err) != 0)
        return usage_error(err);
    if (cli->output == NULL || strcmp(cli->output, "-") != 0)
        fprintf(stderr, "heatmap-view: wrote %s\n",
                cli->output ? cli->output : hm_export_default_output(kind));
    return EXIT_OK;
}

/* The live view of files that name the live server: read once (an error then is the same as a
 * one-shot read's), then again every --interval by the TUI (live.h). */
static int show_live(const hm_cli *cli, hm_check **checks, const char *const *files,
                     size_t nfiles) {
    char err[1024];
    hm_live *live = NULL;
    if (hm_live_open(files, nfiles, true, cli->interval_ms, hm_live_now_ms(), &live, err,
                     sizeof err) != 0)
        return usage_error(err);
    int status = show(cli, hm_live_results(live), hm_live_paths(live), live, checks);
    hm_live_close(live);
    return status;
}

static int main_with_files(const hm_cli *cli, hm_check **checks, const char *const *files,
                           size_t nfiles, hm_export_kind kind, hm_pprof_type type);

static int main_with(const hm_cli *cli, hm_check **checks) {
    char err[1024];
    int status = parse_checks(cli, checks);
    if (status != 0)
        return status;
    hm_export_kind kind = HM_EXPORT_PPROF;
    if (cli->export_kind != NULL && hm_export_kind_parse(cli->export_kind, &kind) != 0) {
        snprintf(err, sizeof err,
                 "--export: unknown kind '%s' (expected pprof, folded, chrome or svg)",
                 cli->export_kind);
        return usage_error(err);
    }
    hm_pprof_type type = HM_PPROF_CALLS;
    if (cli->pprof_type != NULL &&
        hm_pprof_type_parse(cli->pprof_type, strlen(cli->pprof_type), &type) != 0) {
        snprintf(
            err, sizeof err,
            "--type: unknown profile type '%s' (expected calls, cpu, block, mutex, heap or allocs)",
            cli->pprof_type);
        return usage_error(err);
    }
    if (cli->diff_base != NULL)
        return show_diff(cli, checks);

    const char *default_file = "heatmap.json";
    const char *const *files = cli->nfiles ? cli->files : &default_file;
    size_t nfiles = cli->nfiles ? cli->nfiles : 1;
    bool any_url = false;
    for (size_t i = 0; i < nfiles && cli->run_argv == NULL; i++)
        any_url = any_url || hm_fetch_is_url(files[i]);
    if (hm_cli_given(cli, "interval") && !any_url) /* HEATMAP_VIEW_INTERVAL, view: may set it */
        return usage_error("--interval applies to the live view of a URL "
                           "(heatmap-view --interval=2s http://HOST:PORT); a file is read once");
    if (!any_url)
        return main_with_files(cli, checks, files, nfiles, kind, type);
    /* http://HOST:PORT on a terminal: the live view, read again every --interval. */
    if (cli->export_kind == NULL && wants_tui(cli))
        return show_live(cli, checks, files, nfiles);
    /* Otherwise the live server's results so far, once, kept in temporary files. */
    hm_fetched fetched;
    if (hm_fetch_files(files, nfiles, -1, &fetched, err, sizeof err) != 0)
        return usage_error(err);
    status = main_with_files(cli, checks, fetched.files, nfiles, kind, type);
    hm_fetch_release(&fetched);
    return status;
}

static int main_with_files(const hm_cli *cli, hm_check **checks, const char *const *files,
                           size_t nfiles, hm_export_kind kind, hm_pprof_type type) {
    char err[1024];
    int status;
    hm_run_result run = {0};
    char **run_files = NULL;
    size_t nrun_files = 0;
    if (cli->run_argv != NULL) {
        if (hm_run(cli->run_argv, &run, err, sizeof err) != 0) {
            hm_run_cleanup(&run);
            return usage_error(err);
        }
        if (hm_run_list(&run, &run_files, &nrun_files) != 0) {
            hm_run_cleanup(&run);
            return usage_error("out of memory");
        }
        if (nrun_files == 0) {
            fprintf(stderr,
                    "heatmap-view: %s wrote no results (exit status %d); is it built with the "
                    "heatmap plugin and runtime, and was HEATMAP=off left unset?\n",
                    cli->run_argv[0], run.exit_status);
            hm_run_cleanup(&run);
            return run.exit_status != 0 ? run.exit_status : EXIT_USAGE;
        }
        /* The program and the children it forked (heatmap.PID.json) are shown merged. */
        files = (const char *const *)run_files;
        nfiles = nrun_files;
    }
    if (cli->export_kind != NULL) {
        status = export_files(cli, kind, type, files, nfiles);
        hm_run_free_list(run_files, nrun_files);
        hm_run_cleanup(&run);
        return cli->run_argv != NULL && run.exit_status != 0 && status == EXIT_OK ? run.exit_status
                                                                                  : status;
    }
    /* Read now: --run's files go with its temporary directory. The TUI's callers and callees come
     * from the same parse as the results; NULL when a file has no call paths (the detail pane
     * then simply shows none, so why does not matter). */
    hm_results *results = NULL;
    hm_paths *paths = NULL;
    int loaded = hm_results_paths_load_many(
        files, nfiles, 0, &results, wants_tui(cli) ? &paths : NULL, NULL, 0, err, sizeof err);
    hm_run_free_list(run_files, nrun_files);
    hm_run_cleanup(&run);
    if (loaded != 0)
        return usage_error(err);
    status = show(cli, results, paths, NULL, checks);
    hm_paths_free(paths);
    hm_results_free(results);
    if (cli->run_argv != NULL && run.exit_status != 0 && status != EXIT_USAGE)
        return run.exit_status;
    return status;
}

/* --show-settings [PROGRAM]: the settings and where they came from; 0, or 2 when PROGRAM cannot be
 * read (or --format=csv was asked for). */
static int show_settings(const hm_cli *cli, const hm_view_settings *vs) {
    char err[1024];
    if (cli->format == HM_FORMAT_CSV)
        return usage_error("--show-settings prints text or JSON (--format=json), not csv");
    if (hm_view_settings_show(stdout, cli, vs, cli->nfiles ? cli->files[0] : NULL, NULL,
                              cli->format == HM_FORMAT_JSON, err, sizeof err) != 0)
        return usage_error(err);
    return EXIT_OK;
}

int main(int argc, char **argv) {
    setlocale(LC_CTYPE, ""); /* only to learn whether the terminal takes UTF-8 (hm_glyphs_pick) */
    hm_cli cli;
    static hm_view_settings settings; /* where each setting came from (--show-settings) */
    char err[1024];
    if (hm_cli_parse(argc, argv, &cli, err, sizeof err) != 0) {
        hm_cli_free(&cli);
        return usage_error(err);
    }
    int status = EXIT_OK;
    if (cli.help) {
        hm_cli_usage(stdout);
    } else if (cli.version) {
        printf("heatmap-view %s (results format version %d)\n", HEATMAP_VERSION,
               HM_RESULTS_FORMAT_VERSION);
    } else if ((status = hm_view_settings_load(&cli, &settings, err, sizeof err)) != 0) {
        status = usage_error(err);
    } else if (cli.show_settings) {
        status = show_settings(&cli, &settings);
    } else {
        hm_check **checks = calloc(cli.nfail_if ? cli.nfail_if : 1, sizeof *checks);
        status = checks ? main_with(&cli, checks) : usage_error("out of memory");
        for (size_t i = 0; checks && i < cli.nfail_if; i++)
            hm_check_free(checks[i]);
        free(checks);
    }
    hm_cli_free(&cli);
    return status;
}
