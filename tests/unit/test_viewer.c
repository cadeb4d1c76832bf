/* Unit tests of heatmap-view's core (no terminal, no ncurses): the command line, --fail-if
 * parsing and evaluation, the model's filter / sort / top-N / selection, name labels, glyph
 * helpers (shortening, bars) and the list layout.
 *
 * Results come from small JSON texts through hm_results_load_buffer, so every expected number
 * below follows from the text next to it.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/parse_cases.h"
#include "check.h"
#include "cli.h"
#include "glyphs.h"
#include "layout.h"
#include "model.h"

#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- fixtures -------------------------------------------------------------------------------- */

/* Four functions; a static "init" in two files. Self-times per call: parse 3 x 100 ns,
 * io 1 x 5000 ns, init (a.c) 2 x 10 ns, init (b.c) 1 x 40 ns. Elapsed 10 µs. */
static const char RUN[] =
    "{\"version\": 1, \"elapsed_ns\": 10000, \"threads\": [], \"functions\": ["
    "{\"name\": \"parse\", \"file\": \"p.c\", \"line\": 3, \"count\": 3, \"self_ns\": 300, "
    "\"max_ns\": 100, \"histogram\": [[82, 3]]},"
    "{\"name\": \"io\", \"file\": \"io.c\", \"line\": 9, \"count\": 1, \"self_ns\": 5000, "
    "\"max_ns\": 5000, \"histogram\": [[263, 1]]},"
    "{\"name\": \"init\", \"file\": \"a.c\", \"line\": 1, \"count\": 2, \"self_ns\": 20, "
    "\"max_ns\": 10, \"histogram\": [[10, 2]]},"
    "{\"name\": \"init\", \"file\": \"b.c\", \"line\": 7, \"count\": 1, \"self_ns\": 40, "
    "\"max_ns\": 40, \"histogram\": [[40, 1]]}]}";

/* The same program later: parse twice as slow, io gone, a new function. */
static const char LATER[] =
    "{\"version\": 1, \"elapsed_ns\": 30000, \"threads\": [], \"functions\": ["
    "{\"name\": \"parse\", \"file\": \"p.c\", \"line\": 3, \"count\": 3, \"self_ns\": 600, "
    "\"max_ns\": 200, \"histogram\": [[114, 3]]},"
    "{\"name\": \"fresh\", \"file\": \"f.c\", \"line\": 2, \"count\": 1, \"self_ns\": 9, "
    "\"max_ns\": 9, \"histogram\": [[9, 1]]}]}";

/* RUN as a newer runtime records it: self time split into cpu and wait (io mostly waiting), and
 * the profiler's overhead. cpu 250 + 200 + 20 + 40 = 510, wait 50 + 4800 = 4850, self 5360. */
static const char SPLIT[] =
    "{\"version\": 1, \"elapsed_ns\": 10000, \"wall_ns\": 10040, \"overhead_total_ns\": 100, "
    "\"cpus\": 2, \"threads\": [], \"functions\": ["
    "{\"name\": \"parse\", \"file\": \"p.c\", \"line\": 3, \"count\": 3, \"self_ns\": 300, "
    "\"cpu_ns\": 250, \"wait_ns\": 50, \"max_ns\": 100, \"histogram\": [[82, 3]]},"
    "{\"name\": \"io\", \"file\": \"io.c\", \"line\": 9, \"count\": 1, \"self_ns\": 5000, "
    "\"cpu_ns\": 200, \"wait_ns\": 4800, \"max_ns\": 5000, \"histogram\": [[263, 1]]},"
    "{\"name\": \"init\", \"file\": \"a.c\", \"line\": 1, \"count\": 2, \"self_ns\": 20, "
    "\"cpu_ns\": 20, \"wait_ns\": 0, \"max_ns\": 10, \"histogram\": [[10, 2]]},"
    "{\"name\": \"init\", \"file\": \"b.c\", \"line\": 7, \"count\": 1, \"self_ns\": 40, "
    "\"cpu_ns\": 40, \"wait_ns\": 0, \"max_ns\": 40, \"histogram\": [[40, 1]]}]}";

static hm_results *load(const char *text) {
    hm_results *r = NULL;
    char err[256];
    if (hm_results_load_buffer(text, strlen(text), "t.json", &r, err, sizeof err) != 0)
        fail_msg("fixture does not load: %s", err);
    return r;
}

static int setup_model_from(void **state, const char *text) {
    hm_results *r = load(text);
    hm_model *m = malloc(sizeof *m);
    if (r == NULL || m == NULL || hm_model_init(m, r) != 0)
        return -1;
    *state = m;
    return 0;
}

static int setup_model(void **state) {
    return setup_model_from(state, RUN);
}

static int setup_split_model(void **state) {
    return setup_model_from(state, SPLIT);
}

static int teardown_model(void **state) {
    hm_model *m = *state;
    hm_results *r = (hm_results *)m->results;
    hm_model_free(m);
    free(m);
    hm_results_free(r);
    return 0;
}

/* Names of the model's rows, space-separated. */
static const char *row_names(const hm_model *m) {
    static char buf[512];
    buf[0] = '\0';
    for (size_t i = 0; i < m->nrows; i++) {
        char label[HM_LABEL_LEN];
        if (i > 0)
            strcat(buf, " ");
        strcat(buf, hm_model_label(m, hm_model_row(m, i), label, sizeof label));
    }
    return buf;
}

/* ---- command line ---------------------------------------------------------------------------- */

static int parse_args(hm_cli *cli, char *err, size_t errlen, ...) {
    char *argv[32] = {"heatmap-view"};
    int argc = 1;
    va_list ap;
    va_start(ap, errlen);
    for (char *a; (a = va_arg(ap, char *)) != NULL;)
        argv[argc++] = a;
    va_end(ap);
    return hm_cli_parse(argc, argv, cli, err, errlen);
}

static void test_viewer_cli_values(void **state) {
    (void)state;
    hm_cli cli;
    char err[256];
    assert_int_equal(parse_args(&cli, err, sizeof err, "--mode=table", "--format", "csv", "--top=7",
                                "--sort=p95", "--filter", "parse*", "--width=60",
                                "--percentile=p99", "--threads", "--ascii", "a.json", "-", NULL),
                     0);
    assert_int_equal(cli.mode, HM_MODE_TABLE);
    assert_int_equal(cli.format, HM_FORMAT_CSV);
    assert_int_equal(cli.top, 7);
    assert_int_equal(cli.sort, HM_SORT_P95);
    assert_string_equal(cli.filter, "parse*");
    assert_int_equal(cli.width, 60);
    assert_int_equal(cli.pct, HM_PCT_P99);
    assert_true(cli.threads && cli.ascii && !cli.no_tui);
    assert_int_equal(cli.nfiles, 2);
    assert_string_equal(cli.files[1], "-");
    hm_cli_free(&cli);

    assert_int_equal(parse_args(&cli, err, sizeof err, "--top=all", NULL), 0);
    assert_true(cli.top == HM_TOP_ALL);
    assert_int_equal(cli.mode, HM_MODE_BAR); /* defaults */
    assert_int_equal(cli.sort, HM_SORT_CPU);
    assert_int_equal(cli.pct, HM_PCT_P95);
    assert_int_equal(cli.format, HM_FORMAT_AUTO);
    hm_cli_free(&cli);
}

static void test_viewer_cli_diff_run_failif(void **state) {
    (void)state;
    hm_cli cli;
    char err[256];
    assert_int_equal(parse_args(&cli, err, sizeof err, "--fail-if", "elapsed>1s",
                                "--fail-if=calls<3", "--diff", "b.json", "n.json", NULL),
                     0);
    assert_string_equal(cli.diff_base, "b.json");
    assert_string_equal(cli.diff_new, "n.json");
    assert_int_equal(cli.nfail_if, 2);
    assert_string_equal(cli.fail_if[1], "calls<3");
    hm_cli_free(&cli);

    /* everything after --run belongs to the program, flags included */
    assert_int_equal(
        parse_args(&cli, err, sizeof err, "--mode=table", "--run", "./app", "--mode", "x", NULL),
        0);
    assert_string_equal(cli.run_argv[0], "./app");
    assert_string_equal(cli.run_argv[1], "--mode");
    assert_null(cli.run_argv[3]);
    assert_int_equal(cli.mode, HM_MODE_TABLE);
    hm_cli_free(&cli);
}

static void test_viewer_cli_errors(void **state) {
    (void)state;
    static const struct {
        const char *args[4];
        const char *phrase;
    } cases[] = {
        {{"--mode=pie"}, "--mode: unknown mode 'pie'"},
        {{"--format=xml"}, "--format: unknown format 'xml'"},
        {{"--top=0"}, "--top: '0' is not a positive number"},
        {{"--top=12x"}, "--top: '12x'"},
        {{"--sort=speed"}, "--sort: unknown key 'speed'"},
        {{"--width=39"}, "--width: '39' is not a number from 40 to 1000"},
        {{"--percentile=p90"}, "unknown percentile 'p90'"},
        {{"--colour"}, "unknown option '--colour'"},
        {{"-x"}, "unknown option '-x'"},
        {{"--sort"}, "--sort needs a value"},
        {{"--diff", "a.json"}, "--diff needs two files"},
        {{"--run"}, "--run needs a program"},
        {{"--run=./app"}, "--run takes no '=VALUE'"},
        {{"--threads=yes"}, "--threads takes no '=VALUE'"},
        {{"--diff", "a", "b", "c"}, "unexpected 'c'"},
        {{"x.json", "--run", "./app"}, "unexpected file 'x.json'"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_cli cli;
        char err[256] = "";
        int rc = parse_args(&cli, err, sizeof err, cases[i].args[0], cases[i].args[1],
                            cases[i].args[2], cases[i].args[3], NULL);
        if (rc != -1 || strstr(err, cases[i].phrase) == NULL)
            fail_msg("case %zu (%s): rc %d, message \"%s\"", i, cases[i].args[0], rc, err);
        hm_cli_free(&cli);
    }
}

static void test_viewer_cli_help_lists_every_flag(void **state) {
    (void)state;
    char *text = NULL;
    size_t len = 0;
    FILE *fp = open_memstream(&text, &len);
    hm_cli_usage(fp);
    fclose(fp);
    /* each flag the parser accepts appears in the help, and each one in the help parses */
    static const char *const flags[] = {
        "--mode=",    "--format=",  "--top=",  "--sort=",  "--filter=",  "--percentile=",
        "--threads",  "--width=",   "--ascii", "--no-tui", "--no-color", "--diff BASE NEW",
        "--fail-if=", "--run PROG", "--help",  "--version"};
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (strstr(text, flags[i]) == NULL)
            fail_msg("--help does not mention %s", flags[i]);
    for (char *p = text; (p = strstr(p, "  --")) != NULL; p += 4) {
        char flag[32];
        size_t n = strcspn(p + 2, "= \n");
        snprintf(flag, sizeof flag, "%.*s", (int)n, p + 2);
        hm_cli cli;
        char err[256];
        char *argv[] = {"heatmap-view", flag, "x", "y", NULL};
        int rc = hm_cli_parse(4, argv, &cli, err, sizeof err);
        if (rc != 0 && strstr(err, "unknown option") != NULL)
            fail_msg("--help lists %s, which the parser rejects: %s", flag, err);
        hm_cli_free(&cli);
    }
    free(text);
}

/* ---- --fail-if ------------------------------------------------------------------------------- */

/* Parse and evaluate one expression against RUN (and LATER as the new run when base != NULL). */
static int eval(const char *expr, const hm_results *now, const hm_results *base, char *msg,
                size_t msglen) {
    hm_check *c;
    if (hm_check_parse(expr, &c, msg, msglen) != 0)
        fail_msg("'%s' does not parse: %s", expr, msg);
    int rc = hm_check_eval(c, now, base, msg, msglen);
    hm_check_free(c);
    return rc;
}

static void test_viewer_check_parse_errors(void **state) {
    (void)state;
    static const struct {
        const char *expr, *phrase;
    } cases[] = {
        {"elapsed>500", "elapsed is a time: give a unit"},
        {"p96(x)>1ms", "unknown metric 'p96'"},
        {"elapsed(main)>1ms", "elapsed is a figure of the whole run"},
        {"p95>1ms", "p95 needs a function pattern: p95(GLOB)"},
        {"p95(parse_*>1ms", "missing ')'"},
        {"calls~3", "expected an operator"},
        {"calls>", "expected a value after the operator"},
        {"calls>3 and more", "unexpected 'and more' at the end"},
        {"cpu>2*bas", "expected 'base' after '*'"},
        {"cpu>base*", "expected a number after 'base*'"},
        {"elapsed>5 ms", "give a unit"},
        /* every unit error lists all the units */
        {"elapsed>500", "give a unit right after the number: ns, us (or \xC2\xB5s), ms, s, m, h"},
        {"p95(x)>5min",
         "unknown time unit 'min'; the units are ns, us (or \xC2\xB5s), ms, s, m, h"},
        {"cpu>2sec", "unknown time unit 'sec'; the units are ns, us"},
        {"elapsed>1h30min", "unknown time unit 'min'"},
        {"elapsed>1s2m", "give the units from the largest to the smallest, each once"},
        {"elapsed>1m1m", "from the largest to the smallest"},
        {"elapsed>99999999h", "the time is too large"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        hm_check *c = (hm_check *)1;
        char err[256] = "";
        if (hm_check_parse(cases[i].expr, &c, err, sizeof err) != -1 || c != NULL ||
            strstr(err, cases[i].phrase) == NULL)
            fail_msg("'%s': message \"%s\", expected \"%s\"", cases[i].expr, err, cases[i].phrase);
    }
    hm_check *c;
    char err[256];
    assert_int_equal(hm_check_parse(" p95( parse ) >= 2.5ms ", &c, err, sizeof err), 0);
    assert_false(hm_check_uses_base(c));
    hm_check_free(c);
    /* minutes and hours; "m" is minutes, "ms" milliseconds */
    static const struct {
        const char *expr;
        int holds; /* against a run of elapsed 30 s */
    } times[] = {{"elapsed>29s", 1},       {"elapsed<1m", 1},    {"elapsed>1ms", 1},
                 {"elapsed>0.5m", 0},      {"elapsed<1h30m", 1}, {"elapsed==0.5m", 1},
                 {"elapsed>=29s1000ms", 1}};
    hm_results *r = load(RUN);
    r->elapsed_ns = 30000000000ull;
    for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
        char msg[256];
        if (eval(times[i].expr, r, NULL, msg, sizeof msg) != times[i].holds)
            fail_msg("'%s' should %s for elapsed 30s", times[i].expr,
                     times[i].holds ? "hold" : "not hold");
    }
    hm_results_free(r);
    assert_int_equal(hm_check_parse("cpu(main)>1.2*base", &c, err, sizeof err), 0);
    assert_true(hm_check_uses_base(c));
    hm_check_free(c);
}

/* one condition evaluated against now (and base): its result, and its message where msg is set */
struct eval_case {
    const char *expr;
    int want;
    const char *msg; /* NULL: the message is not checked */
};

static void check_evals(const struct eval_case *cases, size_t n, const hm_results *now,
                        const hm_results *base) {
    char msg[512];
    for (size_t i = 0; i < n; i++) {
        int rc = eval(cases[i].expr, now, base, msg, sizeof msg);
        if (rc != cases[i].want)
            fail_msg("'%s' evaluates to %d, expected %d (%s)", cases[i].expr, rc, cases[i].want,
                     msg);
        if (cases[i].msg)
            assert_string_equal(msg, cases[i].msg);
    }
}

static void test_viewer_check_eval(void **state) {
    (void)state;
    hm_results *r = load(RUN);
    char msg[512];
    static const struct eval_case cases[] = {
        /* whole run: elapsed 10 µs, cpu 5360 ns, calls 7, 4 functions, parallelism 0.536 */
        {"elapsed>9us", 1, "elapsed = 10.0µs > 9.00µs"},
        {"elapsed>10us", 0, NULL},
        {"elapsed>=10us", 1, NULL},
        {"cpu==5360ns", 1, NULL},
        {"calls<8", 1, NULL},
        {"calls<7", 0, NULL},
        {"functions!=4", 0, NULL},
        {"parallelism>0.5x", 1, NULL},
        {"parallelism>0.6", 0, NULL},
        /* per function: any match that satisfies the condition fails the run */
        {"avg(parse)>99ns", 1, "avg(parse) = 100ns > 99ns"},
        {"avg(parse)>100ns", 0, NULL},
        {"max(init)>=40ns", 1, "max(init) = 40ns >= 40ns"},
        {"count(i*)>1", 1, "count(init) = 2 > 1"}, /* io and init (b.c) have 1 call */
        /* a pattern that matches nothing: 0 calls / 0 ns, an error for the other metrics */
        {"calls(nothing)<1", 1, NULL},
        {"calls(nothing)>0", 0, NULL},
    };
    check_evals(cases, sizeof cases / sizeof cases[0], r, NULL);
    assert_int_equal(eval("p95(nothing)>1ms", r, NULL, msg, sizeof msg), -1);
    assert_non_null(strstr(msg, "no function matches 'nothing'"));
    /* base without a base file */
    assert_int_equal(eval("cpu>2*base", r, NULL, msg, sizeof msg), -1);
    hm_results_free(r);
}

static void test_viewer_check_eval_base(void **state) {
    (void)state;
    hm_results *base = load(RUN), *now = load(LATER);
    static const struct eval_case cases[] = {
        /* parse: 300 → 600 ns; 2x base holds only with >= */
        {"cpu(parse)>1.5*base", 1, "cpu(parse) = 600ns > 450ns (1.5 x base 300ns)"},
        {"cpu(parse)>2*base", 0, NULL},
        {"cpu(parse)>=base*2", 1, NULL},
        /* a new function has no base: it never fails a base comparison */
        {"cpu(fresh)>0*base", 0, NULL},
        /* whole run: elapsed 10 → 30 µs */
        {"elapsed>2.9*base", 1, NULL},
        {"elapsed>3*base", 0, NULL},
    };
    check_evals(cases, sizeof cases / sizeof cases[0], now, base);
    hm_results_free(base);
    hm_results_free(now);
}

/* ---- model ----------------------------------------------------------------------------------- */

static void test_viewer_model_sort_filter_top(void **state) {
    hm_model *m = *state;
    /* CPU time: io 5000, parse 300, init b.c 40, init a.c 20 */
    assert_string_equal(row_names(m), "io parse init (b.c:7) init (a.c:1)");
    hm_model_set_sort(m, HM_SORT_COUNT); /* 3, 2, 1, 1 (ties: name, then file) */
    assert_string_equal(row_names(m), "parse init (a.c:1) init (b.c:7) io");
    hm_model_set_sort(m, HM_SORT_NAME);
    assert_string_equal(row_names(m), "init (a.c:1) init (b.c:7) io parse");
    hm_model_cycle_sort(m); /* name, self, wait, (mem: only with memory figures), then cpu */
    assert_int_equal(m->sort, HM_SORT_SELF);
    hm_model_cycle_sort(m);
    assert_int_equal(m->sort, HM_SORT_WAIT);
    hm_model_cycle_sort(m);
    assert_int_equal(m->sort, HM_SORT_CPU);

    assert_true(hm_model_set_filter(m, "ni")); /* plain text: a substring */
    assert_string_equal(row_names(m), "init (b.c:7) init (a.c:1)");
    assert_int_equal(m->nmatched, 2);
    assert_true(hm_model_set_filter(m, "i*"));
    assert_string_equal(row_names(m), "io init (b.c:7) init (a.c:1)");
    assert_true(hm_model_set_filter(m, "[p]*"));
    assert_string_equal(row_names(m), "parse");
    char long_pattern[HM_FILTER_MAX + 8];
    memset(long_pattern, 'x', sizeof long_pattern - 1);
    long_pattern[sizeof long_pattern - 1] = '\0';
    assert_false(hm_model_set_filter(m, long_pattern));
    assert_string_equal(m->filter, "[p]*"); /* unchanged */
    assert_true(hm_model_set_filter(m, ""));

    hm_model_set_top(m, 2);
    assert_int_equal(m->nrows, 2);
    assert_int_equal(m->nmatched, 4);
    assert_int_equal(hm_model_limit(m), 2);
    hm_model_set_top(m, HM_TOP_MODE);
    assert_int_equal(hm_model_limit(m), 25);
    hm_model_set_mode(m, HM_MODE_TABLE);
    assert_int_equal(hm_model_limit(m), 50);
    assert_int_equal(hm_model_max_cpu(m), 5000);
    assert_int_equal(hm_model_max_avg(m), 5000);
}

static void test_viewer_model_selection(void **state) {
    hm_model *m = *state;
    hm_model_move(m, 1); /* parse */
    assert_string_equal(hm_model_selected(m)->name, "parse");
    /* the selection follows the function across a re-sort */
    hm_model_set_sort(m, HM_SORT_NAME);
    assert_string_equal(hm_model_selected(m)->name, "parse");
    assert_int_equal(m->selected, 3);
    hm_model_move(m, 100);
    assert_int_equal(m->selected, 3);
    hm_model_move(m, -100);
    assert_int_equal(m->selected, 0);
    hm_model_end(m);
    hm_model_scroll_into_view(m, 2);
    assert_int_equal(m->scroll, 2);
    hm_model_home(m);
    hm_model_scroll_into_view(m, 2);
    assert_int_equal(m->scroll, 0);
    /* filtered away: the selection is clamped, never past the rows */
    hm_model_end(m);
    hm_model_set_filter(m, "io");
    assert_int_equal(m->nrows, 1);
    assert_int_equal(m->selected, 0);
    hm_model_set_filter(m, "zzz");
    assert_null(hm_model_selected(m));
    hm_model_move(m, 1);
    assert_int_equal(m->selected, 0);
}

static void test_viewer_model_pct(void **state) {
    hm_model *m = *state;
    static const struct parse_case pcts[] = {
        {"p99", 0, HM_PCT_P99}, {"P50", 0, HM_PCT_P50}, {"p90", -1, 0}, {"95", -1, 0}};
    ASSERT_PARSE_CASES(hm_pct_parse, hm_pct_column, pcts);
    assert_string_equal(hm_pct_label(m->pct), "P95");
    hm_model_cycle_pct(m);
    assert_string_equal(hm_pct_label(m->pct), "P50");
    hm_model_cycle_pct(m);
    hm_model_cycle_pct(m);
    assert_string_equal(hm_pct_label(m->pct), "P95");
}

static void test_viewer_filter_glob(void **state) {
    (void)state;
    char out[32];
    assert_true(hm_filter_to_glob("parse", out, sizeof out));
    assert_string_equal(out, "*parse*");
    assert_true(hm_filter_to_glob("a\\b", out, sizeof out));
    assert_string_equal(out, "*a\\\\b*");
    assert_true(hm_filter_to_glob("p?rse*", out, sizeof out));
    assert_string_equal(out, "p?rse*");
    assert_true(hm_filter_to_glob("", out, sizeof out));
    assert_string_equal(out, "");
    assert_false(hm_filter_to_glob("abcdefghijklmnopqrstuvwxyz0123456789", out, sizeof out));
}

/* ---- glyphs and layout ----------------------------------------------------------------------- */

static void test_viewer_shorten(void **state) {
    (void)state;
    char out[128];
    const char *name = "ns::Parser<std::map<int, int>>::parse_expression";
    size_t cols = hm_shorten(name, 20, &hm_glyphs_utf8, out, sizeof out);
    assert_int_equal(cols, 20);
    /* head 9 columns, the ellipsis, tail 10: the method name stays visible */
    assert_string_equal(out, "ns::Parse\xE2\x80\xA6"
                             "expression");
    hm_shorten(name, 20, &hm_glyphs_ascii, out, sizeof out);
    assert_string_equal(out, "ns::Parse~expression");
    assert_int_equal(hm_shorten("short", 20, &hm_glyphs_utf8, out, sizeof out), 5);
    assert_string_equal(out, "short");
    /* multi-byte characters are never split */
    hm_shorten("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", 4, &hm_glyphs_ascii, out, sizeof out);
    assert_string_equal(out, "\xC3\xA9~\xC3\xA9\xC3\xA9");
    assert_int_equal(hm_text_width("\xC3\xA9t\xC3\xA9"), 3);
}

/* Wide characters take two columns (main() sets a UTF-8 locale): rows stay aligned. */
static void test_viewer_wide_characters(void **state) {
    (void)state;
    const char *cjk = "\xE6\x95\xB0\xE6\x8D\xAE::\xE5\xA4\x84\xE7\x90\x86"; /* 数据::处理 */
    assert_int_equal(hm_text_width(cjk), 10);
    char out[64];
    /* 7 columns: head 3 → one CJK character (a second would make 4), "…", tail 3 → "理" */
    assert_int_equal(hm_shorten(cjk, 7, &hm_glyphs_utf8, out, sizeof out), 5);
    assert_string_equal(out, "\xE6\x95\xB0\xE2\x80\xA6\xE7\x90\x86");
    char cell[64] = "";
    hm_append_cell(cell, sizeof cell, cjk, 7, false, &hm_glyphs_utf8);
    assert_int_equal(hm_text_width(cell), 7);    /* padded to the column */
    assert_int_equal(hm_text_prefix(cjk, 3), 3); /* never half a character */
    /* a stray byte counts one column and is never split from what follows */
    assert_int_equal(hm_text_width("a\xFF"
                                   "b"),
                     3);
    assert_int_equal(hm_text_width("e\xCC\x81"), 1); /* e + combining acute accent */
}

static void test_viewer_bar(void **state) {
    (void)state;
    char out[256];
    hm_bar(1.0, 10, &hm_glyphs_ascii, out, sizeof out);
    assert_string_equal(out, "##########");
    hm_bar(0.5, 10, &hm_glyphs_ascii, out, sizeof out);
    assert_string_equal(out, "#####");
    hm_bar(0.001, 10, &hm_glyphs_ascii, out, sizeof out); /* never invisible when > 0 */
    assert_string_equal(out, "#");
    hm_bar(0, 10, &hm_glyphs_ascii, out, sizeof out);
    assert_string_equal(out, "");
    /* 0.33 of 3 columns = 7.92 eighths → 8 = one full block */
    hm_bar(0.33, 3, &hm_glyphs_utf8, out, sizeof out);
    assert_string_equal(out, "\xE2\x96\x88");
    /* 0.25 of 3 columns = 6 eighths: no full block, one 6/8 block */
    hm_bar(0.25, 3, &hm_glyphs_utf8, out, sizeof out);
    assert_string_equal(out, "\xE2\x96\x8A");
    assert_string_equal(hm_spark_glyph(1.0, &hm_glyphs_ascii), "#");
    assert_string_equal(hm_spark_glyph(0.0, &hm_glyphs_ascii), "_");
    assert_string_equal(hm_spark_glyph(0.5, &hm_glyphs_utf8), "\xE2\x96\x85"); /* round(3.5) */
}

/* The sparkline's log scale (issue 16), by hand: between 10 ns and 100 ms (7 decades) each decade
 * is one of the 7 steps, so 10^k ns stands at (k - 1) / 7 and gets level k - 1. */
static void test_viewer_spark_log_scale(void **state) {
    (void)state;
    const uint64_t lo = 10, hi = 100000000;
    assert_true(hm_log_fraction(10, lo, hi) == 0.0);
    assert_true(hm_log_fraction(hi, lo, hi) == 1.0);
    uint64_t v = 10;
    for (int k = 1; k <= 8; k++, v *= 10) {
        assert_true(fabs(hm_log_fraction(v, lo, hi) - (k - 1) / 7.0) < 1e-9);
        assert_string_equal(hm_spark_glyph(hm_log_fraction(v, lo, hi), &hm_glyphs_ascii),
                            hm_glyphs_ascii.spark[k - 1]);
    }
    /* half way in log terms: sqrt(100 * 1000000) = 10^4; linear would say 0.0099 */
    assert_true(fabs(hm_log_fraction(10000, 100, 1000000) - 0.5) < 1e-9);
    /* one dominant average (6.66 ms against 2.29 µs and 32 ns, the fixture's): apart, not all ▁ */
    assert_true(fabs(hm_log_fraction(2290, 32, 6660000) - log(2290.0 / 32) / log(6660000.0 / 32)) <
                1e-12);
    assert_string_equal(hm_spark_glyph(hm_log_fraction(2290, 32, 6660000), &hm_glyphs_ascii),
                        "-");                                    /* 0.3486 * 7 = 2.44 → level 2 */
    assert_true(hm_log_fraction(0, lo, hi) == 0.0);              /* no time: lowest */
    assert_true(hm_log_fraction(5, 5, 5) == 1.0);                /* one value: full height */
    assert_true(hm_log_fraction(7, 0, 0) == 1.0);                /* no range at all */
    assert_true(hm_log_fraction(1, lo, hi) == 0.0);              /* below the range: clamped */
    assert_true(hm_log_fraction(hi * 2, lo, hi) == 1.0);         /* above it */
    assert_true(fabs(hm_log_fraction(10, 0, 100) - 0.5) < 1e-9); /* lo 0 is taken as 1 ns */
}

static void test_viewer_layout_rows(void **state) {
    hm_model *m = *state;
    hm_layout l;
    hm_row_text row;
    hm_layout_compute(&l, m, 80, &hm_glyphs_ascii);
    hm_layout_row(&l, m, 0, &hm_glyphs_ascii, &row);
    /* the largest CPU time fills the bar; info as the seed prints it */
    assert_non_null(strstr(row.line, "avg: 5.00us | calls: 1"));
    assert_int_equal(strspn(row.graph, "#"), l.graph_w);
    assert_true(row.fraction == 1.0);
    hm_layout_row(&l, m, 1, &hm_glyphs_ascii, &row); /* parse: 300/5000 of the bar */
    assert_int_equal(strspn(row.graph, "#"), (size_t)(0.06 * (double)l.graph_w + 0.5));
    assert_true(hm_text_width(row.line) <= 80);

    hm_model_set_mode(m, HM_MODE_TABLE);
    hm_layout_compute(&l, m, 80, &hm_glyphs_ascii);
    char header[512];
    hm_layout_header(&l, m, &hm_glyphs_ascii, header, sizeof header);
    /* no cpu/wait split in RUN: wall self time is not called CPU time, and there is no Wait */
    assert_non_null(strstr(header, "Count  Self Time"));
    assert_null(strstr(header, "CPU Time"));
    assert_null(strstr(header, "Wait"));
    assert_non_null(strstr(header, "P95"));
    hm_layout_row(&l, m, 2, &hm_glyphs_ascii, &row); /* init (b.c:7): 1 call of 40 ns */
    assert_non_null(strstr(row.line, "init (b.c:7)"));
    assert_non_null(strstr(row.line, "1       40ns    40ns    40ns    40ns"));
    /* at 40 columns the table keeps Function, Count and Self Time and drops the rest */
    hm_layout_compute(&l, m, 40, &hm_glyphs_ascii);
    assert_true(l.col_w[HM_COL_COUNT] > 0 && l.col_w[HM_COL_CPU] > 0);
    assert_int_equal(l.col_w[HM_COL_MAX], 0);
    for (size_t i = 0; i < m->nrows; i++) {
        hm_layout_row(&l, m, i, &hm_glyphs_utf8, &row);
        assert_true(hm_text_width(row.line) <= 40);
    }
}

/* Summary line `which` of the model, drawn with glyphs g, is `want`. */
static void expect_summary(const hm_model *m, hm_summary_kind which, const hm_glyphs *g,
                           const char *want) {
    char line[256];
    hm_summary_line(m, which, g, line, sizeof line);
    assert_string_equal(line, want);
}

static void test_viewer_summary_lines(void **state) {
    const hm_model *m = *state;
    /* RUN has no cpu/wait split (an older runtime): self time, CPU Time n/a, no Parallelism */
    expect_summary(m, HM_LINE_TIMES, &hm_glyphs_utf8,
                   "Elapsed: 10.0\xC2\xB5s | Self Time: 5.36\xC2\xB5s | CPU Time: n/a (results "
                   "from an older runtime)");
    expect_summary(m, HM_LINE_COUNTS, &hm_glyphs_utf8, "Functions: 4 | Total Calls: 7");
    expect_summary(m, HM_LINE_LEGEND_RUN, &hm_glyphs_ascii,
                   "Elapsed: 10.0us | Self Time: 5.36us | CPU Time: n/a (results from an older "
                   "runtime)");
    expect_summary(m, HM_LINE_LEGEND_STATS, &hm_glyphs_ascii,
                   "Avg, Max, P95: wall self-time per call (mean, largest, 95th percentile)");
}

/* SPLIT: CPU 510 ns, Wait 4850 ns, Parallelism 510 / 10000 = 0.051, overhead 100 ns of
 * 5360 + 100 = 1.83 %; rows by cpu, the table with a Wait column; sort keys self and wait. */
static void test_viewer_split(void **state) {
    hm_model *m = *state;
    expect_summary(m, HM_LINE_TIMES, &hm_glyphs_ascii,
                   "Elapsed: 10.0us | CPU Time: 510ns | Wait: 4.85us | Parallelism: ~0.1x | "
                   "Profiling overhead: 100ns (1.83% of the run)");
    expect_summary(m, HM_LINE_LEGEND_RUN, &hm_glyphs_ascii,
                   "Parallelism: ~0.1x | Elapsed: 10.0us | CPU Time: 510ns | Wait: 4.85us | "
                   "Profiling overhead: 100ns (1.83% of the run)");
    expect_summary(m, HM_LINE_LEGEND_CALLS, &hm_glyphs_ascii,
                   "Count: # calls (incl. recursion) | CPU Time: on-CPU self-time | Wait: "
                   "blocked/preempted self-time");
    /* by cpu parse (250) leads io (200, mostly waiting); by self or wait io leads */
    assert_string_equal(row_names(m), "parse io init (b.c:7) init (a.c:1)");
    hm_model_set_sort(m, HM_SORT_WAIT); /* 4800, 50, then 0 and 0 by name, file */
    assert_string_equal(row_names(m), "io parse init (a.c:1) init (b.c:7)");
    hm_model_set_sort(m, HM_SORT_SELF);
    assert_string_equal(row_names(m), "io parse init (b.c:7) init (a.c:1)");
    hm_model_set_sort(m, HM_SORT_CPU);
    hm_model_set_mode(m, HM_MODE_TABLE);
    hm_layout l;
    hm_row_text row;
    char header[512];
    hm_layout_compute(&l, m, 80, &hm_glyphs_ascii);
    hm_layout_header(&l, m, &hm_glyphs_ascii, header, sizeof header);
    assert_non_null(strstr(header, "Count  CPU Time    Wait     Avg"));
    hm_layout_row(&l, m, 1, &hm_glyphs_ascii, &row); /* io: cpu 200, wait 4.80 us, avg 5.00 us */
    assert_non_null(strstr(row.line, "io"));
    assert_non_null(strstr(row.line, "1     200ns  4.80us  5.00us"));
    /* the bar's colour follows cpu: io has 200 / 250 of the largest */
    assert_true(row.fraction == 200.0 / 250.0);
}

static void test_viewer_same_names(void **state) {
    (void)state;
    hm_results *r = load(RUN);
    const hm_function_stats *fs[] = {&r->functions[0], &r->functions[2], &r->functions[1],
                                     &r->functions[3]};
    hm_label_place dup[4];
    assert_int_equal(hm_mark_same_names(fs, 4, dup), 0);
    assert_false(dup[0].shown);
    assert_true(dup[1].shown);
    assert_false(dup[2].shown);
    assert_true(dup[3].shown);
    char buf[64];
    assert_string_equal(hm_function_label(fs[1], &dup[1], buf, sizeof buf), "init (a.c:1)");
    assert_string_equal(hm_function_label(fs[1], NULL, buf, sizeof buf), "init");
    assert_string_equal(hm_function_label(fs[0], &dup[0], buf, sizeof buf), fs[0]->name);
    hm_results_free(r);
}

/* Labels of functions named "f" in `files` (line i + 1), marked together; "|"-joined into out. */
static void suffix_labels(const char *const *files, size_t n, char *out, size_t outlen) {
    hm_function_stats fs[8];
    const hm_function_stats *ptrs[8];
    hm_label_place places[8];
    char label[HM_LABEL_LEN];
    assert_true(n <= 8);
    memset(fs, 0, sizeof fs);
    for (size_t i = 0; i < n; i++) {
        fs[i].name = (char *)"f";
        fs[i].file = (char *)files[i];
        fs[i].line = (uint32_t)(i + 1);
        ptrs[i] = &fs[i];
    }
    assert_int_equal(hm_mark_same_names(ptrs, n, places), 0);
    out[0] = '\0';
    for (size_t i = 0; i < n; i++) {
        if (i > 0)
            strncat(out, "|", outlen - strlen(out) - 1);
        strncat(out, hm_function_label(&fs[i], &places[i], label, sizeof label),
                outlen - strlen(out) - 1);
    }
}

/* Static functions of one name in several files: the shortest path suffix, in whole components,
 * that tells each file from the others (issue 16). Expectations written by hand. */
static void test_viewer_same_names_suffix(void **state) {
    (void)state;
    char out[512];
    const char *siblings[] = {"lib/a/util.c", "lib/b/util.c"};
    suffix_labels(siblings, 2, out, sizeof out);
    assert_string_equal(out, "f (a/util.c:1)|f (b/util.c:2)");
    const char *basenames[] = {"src/net/a.c", "src/io/b.c"};
    suffix_labels(basenames, 2, out, sizeof out);
    assert_string_equal(out, "f (a.c:1)|f (b.c:2)");
    const char *nested[] = {"util.c", "a/util.c"}; /* one file's path ends the other's */
    suffix_labels(nested, 2, out, sizeof out);
    assert_string_equal(out, "f (util.c:1)|f (a/util.c:2)");
    const char *three[] = {"x/a/u.c", "y/a/u.c", "z/b/u.c"}; /* each as far as it needs */
    suffix_labels(three, 3, out, sizeof out);
    assert_string_equal(out, "f (x/a/u.c:1)|f (y/a/u.c:2)|f (b/u.c:3)");
    const char *moved[] = {"src/deep/a.c", "src/deep/a.c"}; /* same file: the line tells */
    suffix_labels(moved, 2, out, sizeof out);
    assert_string_equal(out, "f (a.c:1)|f (a.c:2)");
    const char *partial[] = {"ab/c.c", "b/c.c"}; /* "b/c.c" is not a component suffix of ab/c.c */
    suffix_labels(partial, 2, out, sizeof out);
    assert_string_equal(out, "f (ab/c.c:1)|f (b/c.c:2)");
    const char *unknown[] = {"", "/abs/src/a.c"}; /* no file: the line alone */
    suffix_labels(unknown, 2, out, sizeof out);
    assert_string_equal(out, "f (line 1)|f (a.c:2)");
    const char *absolute[] = {"/home/u/p/lib/util.c", "/home/u/q/lib/util.c", "lib/util.c"};
    suffix_labels(absolute, 3, out, sizeof out);
    assert_string_equal(out, "f (p/lib/util.c:1)|f (q/lib/util.c:2)|f (lib/util.c:3)");
}

int main(void) {
    setlocale(LC_CTYPE, "C.UTF-8"); /* as heatmap-view does with the user's UTF-8 locale */
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_viewer_cli_values),
        cmocka_unit_test(test_viewer_cli_diff_run_failif),
        cmocka_unit_test(test_viewer_cli_errors),
        cmocka_unit_test(test_viewer_cli_help_lists_every_flag),
        cmocka_unit_test(test_viewer_check_parse_errors),
        cmocka_unit_test(test_viewer_check_eval),
        cmocka_unit_test(test_viewer_check_eval_base),
        cmocka_unit_test_setup_teardown(test_viewer_model_sort_filter_top, setup_model,
                                        teardown_model),
        cmocka_unit_test_setup_teardown(test_viewer_model_selection, setup_model, teardown_model),
        cmocka_unit_test_setup_teardown(test_viewer_model_pct, setup_model, teardown_model),
        cmocka_unit_test(test_viewer_filter_glob),
        cmocka_unit_test(test_viewer_shorten),
        cmocka_unit_test(test_viewer_wide_characters),
        cmocka_unit_test(test_viewer_bar),
        cmocka_unit_test_setup_teardown(test_viewer_layout_rows, setup_model, teardown_model),
        cmocka_unit_test_setup_teardown(test_viewer_summary_lines, setup_model, teardown_model),
        cmocka_unit_test_setup_teardown(test_viewer_split, setup_split_model, teardown_model),
        cmocka_unit_test(test_viewer_spark_log_scale),
        cmocka_unit_test(test_viewer_same_names),
        cmocka_unit_test(test_viewer_same_names_suffix),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
