/* Tests of the heatmap-scan command line: exit statuses (0 clean, 1 a problem found, 2 a usage
 * error), the messages of the usage errors, --help against the flags the code accepts, the
 * formats, --write's refusal to overwrite and --check's exit status, and --from-results (an
 * allowlist from a run). Runs the built executable.
 */
#include "scan_test_util.h"

#include <jansson.h>

#include "hm_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *tmp;

static int setup(void **state) {
    tmp = hm_test_tempdir();
    return 0;
}

static int teardown(void **state) {
    hm_test_rmtree(tmp);
    free(tmp);
    return 0;
}

#define SCAN(...) run_scan((const char *[]){HM_SCAN_EXE, __VA_ARGS__, NULL})

static hm_test_output run_scan(const char **argv) {
    return hm_test_run(argv, NULL, NULL);
}

/* The fixtures that parse cleanly, as FILE arguments after -p. */
#define GOOD_FILES                                                                                 \
    HM_SCAN_FIXTURES "/main.c", HM_SCAN_FIXTURES "/util.c", HM_SCAN_FIXTURES "/shapes.cpp"

static void assert_usage_error(hm_test_output o, const char *message) {
    if (o.status != 2)
        fail_msg("exit status %d, expected 2\nstdout:\n%s\nstderr:\n%s", o.status, o.out, o.err);
    assert_contains(o.err, message);
    assert_string_equal(o.out, "");
    hm_test_output_free(&o);
}

static void test_scan_cli_usage_errors(void **state) {
    assert_usage_error(SCAN("--bogus"), "heatmap-scan: unknown option '--bogus'\n"
                                        "Try 'heatmap-scan --help' for more information.\n");
    assert_usage_error(SCAN("-p"), "option '-p' needs a build directory");
    assert_usage_error(SCAN("-p", HM_SCAN_DB_DIR, "--format=xml"),
                       "option '--format=xml' needs text, json or csv");
    assert_usage_error(
        SCAN("-p", HM_SCAN_DB_DIR, "--sort", "size"),
        "option '--sort' needs file, name, loc, statements, loops, calls, complexity, "
        "fanin or score");
    assert_usage_error(SCAN("-p", HM_SCAN_DB_DIR, "--max=0"), "option '--max=0' needs a number");
    assert_usage_error(SCAN("-p", HM_SCAN_DB_DIR, "-j", "x"), "needs a number of threads");
    assert_usage_error(SCAN("-p", HM_SCAN_DB_DIR, "--write", "a.yaml", "--check", "b.yaml"),
                       "--write and --check cannot be used together");
    assert_usage_error(SCAN("--format", "json"), "nothing to scan: give -p BUILD_DIR or source");
    assert_usage_error(SCAN(HM_SCAN_FIXTURES "/no-such-file.c"),
                       "heatmap-scan: " HM_SCAN_FIXTURES "/no-such-file.c: No such file or "
                       "directory\n");
}

static void test_scan_cli_build_dir_errors(void **state) {
    /* A missing directory, one without compile_commands.json, and a file that is not a
     * directory: one clear line each, exit 2, nothing from libclang's tooling. */
    hm_test_output o = SCAN("-p", "/nonexistent/build");
    assert_string_equal(o.err, "heatmap-scan: /nonexistent/build: No such file or directory\n");
    assert_usage_error(o, "");

    o = SCAN("-p", tmp);
    assert_contains(o.err, "/compile_commands.json: No such file or directory (configure with "
                           "-DCMAKE_EXPORT_COMPILE_COMMANDS=ON, or build with bear)\n");
    assert_not_contains(o.err, "LIBCLANG");
    assert_usage_error(o, tmp);

    assert_usage_error(SCAN("-p", HM_SCAN_FIXTURES "/main.c"), "main.c: not a directory");

    /* A database libclang cannot read. */
    char *db = hm_test_path(tmp, "compile_commands.json");
    hm_test_write_file(db, "[{\"directory\": 3\n");
    assert_usage_error(SCAN("-p", tmp), "/compile_commands.json: not a compilation database "
                                        "libclang can read (its message is above)\n");
    remove(db);
    free(db);

    /* A file the database has no command for. */
    assert_usage_error(SCAN("-p", HM_SCAN_DB_DIR, HM_SCAN_FIXTURES "/util.h"),
                       "heatmap-scan: " HM_SCAN_FIXTURES "/util.h: no entry in " HM_SCAN_DB_DIR
                       "/compile_commands.json\n");
}

static void test_scan_cli_help_matches_flags(void **state) {
    hm_test_output o = SCAN("--help");
    assert_int_equal(o.status, 0);
    const char *flags[] = {
        "-p, --build-dir DIR", "-j, --jobs N", "--format FORMAT", "--sort KEY",
        "--write FILE",        "--max N",      "--force",         "--check FILE",
        "-h, --help",          "--version",    "Exit status: 0",  "--from-results RESULTS"};
    for (size_t i = 0; i < sizeof flags / sizeof *flags; i++)
        assert_contains(o.out, flags[i]);
    hm_test_output_free(&o);

    /* Every spelling the help shows is accepted. */
    o = SCAN("--build-dir", HM_SCAN_DB_DIR, "--jobs", "1", "--format", "csv", "--sort", "fanin",
             GOOD_FILES);
    assert_int_equal(o.status, 0);
    hm_test_output_free(&o);
    o = SCAN("-p" HM_SCAN_DB_DIR, "-j2",
             "--write="
             "/dev/null/x",
             "--max=3", "--force", HM_SCAN_FIXTURES "/util.c");
    assert_int_equal(o.status, 2); /* cannot write below /dev/null: a clear error */
    assert_contains(o.err, "/dev/null/x: cannot write: ");
    hm_test_output_free(&o);

    o = SCAN("--version");
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "heatmap-scan ");
    hm_test_output_free(&o);
}

static void test_scan_cli_listing(void **state) {
    /* Clean files: exit 0, a table on stdout, nothing on stderr (no progress without a TTY). */
    hm_test_output o = SCAN("-p", HM_SCAN_DB_DIR, GOOD_FILES);
    assert_int_equal(o.status, 0);
    assert_string_equal(o.err, "");
    assert_contains(o.out, "FUNCTION");
    assert_contains(o.out, "geo::Shape::describe");
    hm_test_output_free(&o);

    /* The whole database, broken.c included: its diagnostic, exit 1, the rest listed. */
    o = SCAN("-p", HM_SCAN_DB_DIR, "--format=json", "--sort=name");
    assert_int_equal(o.status, 1);
    assert_contains(o.err, "broken.c:9:15: error: expected expression\n");
    assert_contains(o.err, "heatmap-scan: 1 of 4 files had errors");
    json_error_t error;
    json_t *root = json_loads(o.out, 0, &error);
    assert_non_null(root);
    json_t *fns = json_object_get(root, "functions");
    assert_true(json_array_size(fns) > 20);
    const char *prev = "";
    size_t i;
    json_t *fn;
    json_array_foreach(fns, i, fn) {
        const char *name = json_string_value(json_object_get(fn, "name"));
        assert_true(strcmp(prev, name) <= 0);
        prev = name;
    }
    json_decref(root);
    hm_test_output_free(&o);
}

static void test_scan_cli_files_without_database(void **state) {
    hm_test_output o = hm_test_run(
        (const char *[]){HM_SCAN_EXE, "--format=csv", "util.c", "--", "-I.", "-std=c11", NULL},
        NULL, HM_SCAN_FIXTURES);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "\nutil_sum,util.c,22,");
    assert_contains(o.out, "\nutil_clamp,util.h,5,");
    hm_test_output_free(&o);
}

static void test_scan_cli_write(void **state) {
    char *path = hm_test_path(tmp, "proposed.yaml");
    hm_test_output o = SCAN("-p", HM_SCAN_DB_DIR, "--write", path, "--max", "4", GOOD_FILES);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "proposed.yaml: proposed 4 patterns from ");
    hm_test_output_free(&o);
    char *first = hm_test_read_file(path);
    assert_non_null(first);
    assert_contains(first, "    - '");

    /* Not replaced without --force: exit 2, the file untouched. */
    hm_test_write_file(path, "# hand-written\n");
    o = SCAN("-p", HM_SCAN_DB_DIR, "--write", path, GOOD_FILES);
    assert_int_equal(o.status, 2);
    assert_contains(o.err, "proposed.yaml: file exists; use --force to replace it\n");
    hm_test_output_free(&o);
    char *kept = hm_test_read_file(path);
    assert_string_equal(kept, "# hand-written\n");

    o = SCAN("-p", HM_SCAN_DB_DIR, "--write", path, "--max", "4", "--force", GOOD_FILES);
    assert_int_equal(o.status, 0);
    hm_test_output_free(&o);
    char *again = hm_test_read_file(path);
    assert_string_equal(again, first);

    /* What --write wrote, --check finds clean. */
    o = SCAN("-p", HM_SCAN_DB_DIR, "--check", path, GOOD_FILES);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "proposed.yaml: no problems found (");
    hm_test_output_free(&o);
    free(first);
    free(kept);
    free(again);
    free(path);
}

static void test_scan_cli_write_relative_path(void **state) {
    /* A relative --write path is the caller's working directory, whatever the compile commands'
     * directories (libclang's -working-directory would chdir() the process; it is not used). */
    hm_test_output o = hm_test_run((const char *[]){HM_SCAN_EXE, "-p", HM_SCAN_DB_DIR, "-j", "2",
                                                    "--write", "relative.yaml", GOOD_FILES, NULL},
                                   NULL, tmp);
    assert_int_equal(o.status, 0);
    hm_test_output_free(&o);
    char *here = hm_test_path(tmp, "relative.yaml");
    char *there = hm_test_path(HM_SCAN_FIXTURES, "relative.yaml");
    char *text = hm_test_read_file(here);
    char *wrong = hm_test_read_file(there);
    remove(there);
    assert_non_null(text);
    assert_null(wrong);
    free(text);
    free(here);
    free(there);
}

static void test_scan_cli_check_exit_status(void **state) {
    char *path = hm_test_path(tmp, "check.yaml");
    /* Each finding alone makes the exit status 1. */
    const char *configs[] = {
        "functions:\n  include: [nothing_matches_this]\n",
        "functions:\n  include: ['util_*']\n  exclude: [util_clamp]\n",
        "functions:\n  include: ['get_*']\n",
        "files:\n  exclude: ['third_party/**']\n",
        "functions:\n  inclde: [a]\n",
    };
    const char *expect[] = {
        ":2: warning: functions.include pattern 'nothing_matches_this' matches no scanned",
        ":2: warning: functions.include 'util_*' and functions.exclude 'util_clamp' (line 3)",
        ":2: warning: functions.include pattern 'get_*' selects only trivial functions",
        ":2: warning: files.exclude pattern 'third_party/**' matches no scanned file",
        ":2:3: error: unknown key 'inclde' in 'functions'; did you mean 'include'?",
    };
    for (size_t i = 0; i < sizeof configs / sizeof *configs; i++) {
        hm_test_write_file(path, configs[i]);
        hm_test_output o = SCAN("-p", HM_SCAN_DB_DIR, "--check", path, GOOD_FILES);
        if (o.status != 1)
            fail_msg("config %zu: exit status %d, expected 1\n%s%s", i, o.status, o.out, o.err);
        assert_contains(o.out, expect[i]);
        hm_test_output_free(&o);
    }
    /* A clean config: 0. A config that cannot be read: 2. */
    hm_test_write_file(path, "functions:\n  include: [util_sum, main]\n");
    hm_test_output o = SCAN("-p", HM_SCAN_DB_DIR, "--check", path, GOOD_FILES);
    assert_int_equal(o.status, 0);
    hm_test_output_free(&o);
    o = SCAN("-p", HM_SCAN_DB_DIR, "--check", "/nonexistent/heatmap.yaml", GOOD_FILES);
    assert_int_equal(o.status, 2);
    assert_contains(o.err, "/nonexistent/heatmap.yaml: cannot read: No such file or directory");
    hm_test_output_free(&o);
    free(path);
}

/* A results file with a glob character in a name and a throttled function. */
static const char mini_results[] =
    "{\"version\": 1, \"program\": \"p\", \"pid\": 1, \"hostname\": \"h\", "
    "\"start_unix_ns\": 0, \"elapsed_ns\": 1000000, \"clock\": \"tsc\", \"overhead_ns\": 0, "
    "\"overhead_child_ns\": 0, \"end\": \"exit\", "
    "\"histogram\": {\"kind\": \"log-linear\", \"sub_bucket_bits\": 5}, "
    "\"threads\": [{\"tid\": 1, \"name\": \"p\", \"calls\": 5005, \"self_ns\": 73}], "
    "\"functions\": ["
    "{\"id\": 1, \"name\": \"ns::operator[]\", \"file\": \"a.c\", \"line\": 9, \"count\": 3, "
    "\"self_ns\": 30, \"max_ns\": 10, \"histogram\": [[10, 3]]}, "
    "{\"id\": 2, \"name\": \"slow\", \"file\": \"a.c\", \"line\": 3, \"count\": 2, "
    "\"self_ns\": 40, \"max_ns\": 20, \"histogram\": [[20, 2]]}, "
    "{\"id\": 3, \"name\": \"tiny\", \"file\": \"a.c\", \"line\": 12, \"count\": 5000, "
    "\"throttled_after\": 3, \"self_ns\": 3, \"max_ns\": 1, \"histogram\": [[1, 3]]}]}\n";

static void test_scan_cli_from_results(void **state) {
    char *results = hm_test_path(tmp, "run.json"), *path = hm_test_path(tmp, "from_run.yaml");
    hm_test_write_file(results, mini_results);
    hm_test_output o = SCAN("--from-results", results, "--write", path);
    assert_int_equal(o.status, 0);
    assert_contains(o.out, "from_run.yaml: proposed 2 patterns from the run in ");
    hm_test_output_free(&o);
    /* Largest self time first; the glob character escaped; the throttled function left out. */
    char *text = hm_test_read_file(path);
    assert_non_null(text);
    const char *slow = strstr(text, "    - 'slow'"), *op = strstr(text, "    - 'ns::operator\\[]'");
    assert_non_null(slow);
    assert_non_null(op);
    assert_true(slow < op);
    assert_null(strstr(text, "'tiny'"));
    assert_contains(text, "1 throttled and left out");
    /* The config library reads it and selects exactly the named functions. */
    hm_config *config = NULL;
    hm_config_error err;
    assert_int_equal(hm_config_load_file(path, &config, &err), 0);
    assert_true(hm_config_select(config, "ns::operator[]", "a.c").selected);
    assert_true(hm_config_select(config, "ns::operator[]", "a.c").named_exactly);
    assert_false(hm_config_select(config, "ns::operatorx]", "a.c").selected);
    assert_false(hm_config_select(config, "tiny", "a.c").selected);
    hm_config_free(config);

    /* Usage: --write is needed, sources are not read, an unreadable file is a usage error. */
    assert_usage_error(SCAN("--from-results", results), "--from-results needs --write FILE");
    assert_usage_error(SCAN("--from-results", results, "--write", path, HM_SCAN_FIXTURES "/util.c"),
                       "--from-results reads no sources");
    assert_usage_error(SCAN("--from-results", "/nonexistent/run.json", "--write", path, "--force"),
                       "/nonexistent/run.json");
    free(text);
    free(results);
    free(path);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_cli_usage_errors),
        cmocka_unit_test(test_scan_cli_build_dir_errors),
        cmocka_unit_test(test_scan_cli_help_matches_flags),
        cmocka_unit_test(test_scan_cli_listing),
        cmocka_unit_test(test_scan_cli_files_without_database),
        cmocka_unit_test(test_scan_cli_write),
        cmocka_unit_test(test_scan_cli_write_relative_path),
        cmocka_unit_test(test_scan_cli_check_exit_status),
        cmocka_unit_test(test_scan_cli_from_results),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
