/* Tests of heatmap-scan's analysis library on the fixtures (tests/scan/fixtures): names as the
 * plugin matches them, metrics, templates, macros, headers, broken files, the listing formats,
 * the score and the proposal. The fixtures are scanned once through the generated
 * compile_commands.json (group setup); tests that need other inputs build them by hand.
 */
#include "scan_test_util.h"

#include "hm_config.h"

#include <jansson.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static hm_scan_result fixtures;
static char *fixture_diagnostics;

static int setup_fixtures(void **state) {
    fixtures = hm_test_scan_fixtures(NULL, 0, 2, &fixture_diagnostics);
    return 0;
}

static int teardown_fixtures(void **state) {
    hm_scan_result_free(&fixtures);
    free(fixture_diagnostics);
    return 0;
}

static const hm_scan_function *must_find(const char *name) {
    const hm_scan_function *fn = hm_test_find(&fixtures, name, 0);
    if (fn == NULL)
        fail_msg("no function '%s' in the fixture scan", name);
    return fn;
}

static void assert_location(const hm_scan_function *fn, const char *file, unsigned line) {
    const char *slash = strrchr(fn->file, '/');
    assert_non_null(slash);
    assert_string_equal(slash + 1, file);
    assert_int_equal(fn->file[0], '/'); /* absolute */
    assert_int_equal(fn->line, line);
}

/* Write `text` into DIR/NAME. */
static void write_in(const char *dir, const char *name, const char *text) {
    char *path = hm_test_path(dir, name);
    hm_test_write_file(path, text);
    free(path);
}

/* The end of a test that scanned a database in the temporary folder `dir`: free the result, the
 * scan's diagnostics and the folder. */
static void scan_done(hm_scan_result *r, char *diag, char *dir) {
    hm_scan_result_free(r);
    free(diag);
    hm_test_rmtree(dir);
    free(dir);
}

/* ---- C ------------------------------------------------------------------------------------- */

static void test_scan_c_metrics(void **state) {
    const hm_scan_function *fn = must_find("util_sum");
    assert_location(fn, "util.c", 22);
    assert_int_equal(fn->loc, 9);
    assert_int_equal(fn->statements, 5); /* decl, for, if, +=, return */
    assert_int_equal(fn->loops, 1);
    assert_int_equal(fn->calls, 2);      /* is_small, util_clamp */
    assert_int_equal(fn->complexity, 4); /* 1 + for + if + || */
    assert_int_equal(fn->fanin, 1);      /* main */
    assert_false(hm_scan_is_trivial(fn, HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD));

    fn = must_find("util_kind");
    assert_location(fn, "util.c", 32);
    assert_int_equal(fn->statements, 11); /* switch, 2 cases + returns, default, break, ... */
    assert_int_equal(fn->loops, 1);
    assert_int_equal(fn->calls, 2);      /* strlen, is_small */
    assert_int_equal(fn->complexity, 4); /* 1 + 2 cases + while */
}

static void test_scan_static_function_and_fanin(void **state) {
    const hm_scan_function *fn = must_find("is_small");
    assert_location(fn, "util.c", 17);
    assert_int_equal(fn->complexity, 2); /* && */
    assert_int_equal(fn->fanin, 2);      /* util_sum, util_kind */
    assert_int_equal(fn->calls, 0);
}

static void test_scan_macro_defined_functions(void **state) {
    /* DEFINE_GETTER(width) and DEFINE_GETTER(height): one function each, at the macro's use. */
    const hm_scan_function *w = must_find("get_width");
    const hm_scan_function *h = must_find("get_height");
    assert_location(w, "util.c", 14);
    assert_location(h, "util.c", 15);
    assert_int_equal(w->loc, 1);
    assert_int_equal(w->statements, 1);
    assert_int_equal(w->fanin, 1); /* main calls it through a declaration of its own */
    assert_true(hm_scan_is_trivial(w, HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD));
}

static void test_scan_do_while_zero_macro(void **state) {
    /* SWAP(a, b) expands to do { ... } while (0): a statement block, not a loop or a decision. */
    const hm_scan_function *fn = must_find("util_order");
    assert_location(fn, "util.c", 57);
    assert_int_equal(fn->loops, 0);
    assert_int_equal(fn->complexity, 2); /* the if */
    assert_int_equal(fn->statements, 5); /* if, do, declaration, two assignments */
}

static void test_scan_header_function_listed_once(void **state) {
    /* util.h's static inline util_clamp is parsed by main.c and util.c: listed once. */
    assert_int_equal(hm_test_count(&fixtures, "util_clamp"), 1);
    const hm_scan_function *fn = must_find("util_clamp");
    assert_location(fn, "util.h", 5);
    assert_int_equal(fn->complexity, 3); /* if, ?: */
    assert_int_equal(fn->fanin, 2);      /* main and util_sum */
    assert_int_equal(hm_test_count(&fixtures, "main"), 1);
}

static void test_scan_broken_file(void **state) {
    /* clang's diagnostic, the file counted as failed, its valid definition still listed and the
     * one holding the error left out; the other files are scanned. */
    assert_int_equal(fixtures.files_scanned, 4);
    assert_int_equal(fixtures.files_failed, 1);
    assert_contains(fixture_diagnostics, "broken.c:9:15: error: expected expression");
    assert_location(must_find("fine"), "broken.c", 2);
    assert_null(hm_test_find(&fixtures, "broken", 0));
    assert_non_null(hm_test_find(&fixtures, "util_sum", 0));
}

/* ---- C++ ----------------------------------------------------------------------------------- */

static void test_scan_cxx_names(void **state) {
    /* The names the plugin gives these symbols (plugin/names.c): no parameters, qualifiers,
     * return types or ABI tags. */
    assert_location(must_find("geo::Shape::Shape"), "shapes.cpp", 10);
    assert_location(must_find("geo::Shape::~Shape"), "shapes.cpp", 11);
    assert_location(must_find("geo::Shape::sides"), "shapes.cpp", 12);
    assert_location(must_find("geo::Shape::area"), "shapes.cpp", 20);
    assert_location(must_find("geo::Shape::describe"), "shapes.cpp", 28); /* B5cxx11 dropped */
    assert_location(must_find("geo::operator+"), "shapes.cpp", 50);
    assert_location(must_find("geo::(anonymous namespace)::helper"), "shapes.cpp", 73);
    assert_location(must_find("geo::twice"), "shapes.cpp", 79); /* static */
    assert_location(must_find("c_entry"), "shapes.cpp", 86);    /* extern "C" */
    assert_location(must_find("run"), "shapes.cpp", 91);
    const hm_scan_function *lambda = must_find("run()::$_0::operator()");
    assert_location(lambda, "shapes.cpp", 97);
    assert_string_equal(lambda->pattern, "run()::$_*::operator()");
    assert_int_equal(lambda->fanin, 1);
    /* The lambda's body is its own: run() does not count its statements. */
    assert_int_equal(must_find("run")->loops, 0);
}

static void test_scan_cxx_overloads(void **state) {
    assert_int_equal(hm_test_count(&fixtures, "geo::scale"), 2);
    assert_int_equal(hm_test_find(&fixtures, "geo::scale", 0)->line, 36);
    assert_int_equal(hm_test_find(&fixtures, "geo::scale", 1)->line, 41);
    assert_string_equal(hm_test_find(&fixtures, "geo::scale", 0)->pattern, "geo::scale");
}

static void test_scan_cxx_templates(void **state) {
    const hm_scan_function *get = must_find("geo::Box<T>::get");
    assert_location(get, "shapes.cpp", 57);
    assert_true(get->is_template);
    assert_string_equal(get->pattern, "geo::Box<*>::get");
    assert_int_equal(get->ninstances, 1);
    assert_string_equal(get->instances[0], "geo::Box<int>::get");
    assert_true(hm_glob_match(get->pattern, get->instances[0]));

    const hm_scan_function *largest = must_find("geo::largest<T>");
    assert_string_equal(largest->pattern, "geo::largest<*>");
    assert_int_equal(largest->loops, 1); /* range for */
    assert_int_equal(largest->complexity, 3);
    assert_int_equal(largest->ninstances, 1);
    assert_string_equal(largest->instances[0], "geo::largest<int>");
    assert_int_equal(largest->fanin, 1);
}

static void test_scan_cxx_operator_template(void **state) {
    /* Instances demangle as "geo::Log::operator<< <int>": the name and pattern keep the space. */
    const hm_scan_function *op = must_find("geo::Log::operator<< <T>");
    assert_location(op, "shapes.cpp", 107);
    assert_string_equal(op->pattern, "geo::Log::operator<< <*>");
    assert_int_equal(op->ninstances, 2);
    assert_string_equal(op->instances[0], "geo::Log::operator<< <double>");
    assert_string_equal(op->instances[1], "geo::Log::operator<< <int>");
    assert_true(hm_glob_match(op->pattern, op->instances[0]));
    assert_true(hm_glob_match(op->pattern, op->instances[1]));
    assert_int_equal(op->fanin, 2);
}

static void test_scan_trivial_rule(void **state) {
    /* Leaves of a few IR instructions are trivial; calls, loops or size make a function not. */
    assert_true(hm_scan_is_trivial(must_find("geo::Shape::sides"), 10));
    assert_true(hm_scan_is_trivial(must_find("geo::Box<T>::get"), 10));
    assert_true(hm_scan_is_trivial(must_find("geo::(anonymous namespace)::helper"), 10));
    assert_false(hm_scan_is_trivial(must_find("geo::Shape::area"), 10)); /* loop */
    assert_false(hm_scan_is_trivial(must_find("geo::twice"), 10));       /* calls */
    assert_false(hm_scan_is_trivial(must_find("util_clamp"), 10));       /* size */
    /* throw calls the C++ runtime (__cxa_allocate_exception, __cxa_throw). */
    assert_int_equal(must_find("fail")->calls, 1);
    assert_false(hm_scan_is_trivial(must_find("fail"), 10));
    /* A virtual destructor: its deleting variant calls operator delete. */
    assert_false(hm_scan_is_trivial(must_find("geo::Shape::~Shape"), 10));
    assert_true(must_find("geo::Shape::~Shape")->implicit_calls);
    /* max_instructions: 0 turns the rule off; a larger threshold takes more in. */
    assert_false(hm_scan_is_trivial(must_find("get_width"), 0));
    assert_true(hm_scan_is_trivial(must_find("util_clamp"), 1000));
}

/* ---- Running --------------------------------------------------------------------------------- */

static void test_scan_deterministic_across_threads(void **state) {
    hm_scan_result one = hm_test_scan_fixtures(NULL, 0, 1, NULL);
    hm_scan_result many = hm_test_scan_fixtures(NULL, 0, 4, NULL);
    assert_int_equal(one.count, fixtures.count);
    assert_int_equal(many.count, fixtures.count);
    for (size_t i = 0; i < one.count; i++) {
        assert_string_equal(one.functions[i].name, many.functions[i].name);
        assert_int_equal(one.functions[i].line, many.functions[i].line);
        assert_int_equal(one.functions[i].fanin, many.functions[i].fanin);
    }
    hm_scan_result_free(&one);
    hm_scan_result_free(&many);
}

static void test_scan_database_file_filter(void **state) {
    const char *files[] = {"util.c"};
    hm_scan_result r = hm_test_scan_fixtures(files, 1, 1, NULL);
    assert_int_equal(r.files_scanned, 1);
    assert_int_equal(r.files_failed, 0);
    assert_non_null(hm_test_find(&r, "util_sum", 0));
    assert_null(hm_test_find(&r, "main", 0));
    hm_scan_result_free(&r);

    const char *absent[] = {HM_SCAN_FIXTURES "/util.h"};
    hm_scan_jobs jobs;
    char detail[256] = "";
    assert_int_equal(hm_scan_jobs_from_database(HM_SCAN_DB_DIR, absent, 1, NULL, 0, &jobs, detail,
                                                sizeof detail),
                     HM_SCAN_ENOTINDB);
    assert_string_equal(detail, absent[0]);
    assert_int_equal(hm_scan_jobs_from_database(HM_SCAN_FIXTURES "/no-such-dir", NULL, 0, NULL, 0,
                                                &jobs, NULL, 0),
                     HM_SCAN_EDATABASE);
}

/* Lines of code and statements of a function full of comments and blank lines, counted by hand:
 * the definition spans 17 lines; 8 hold code (lines 1, 2, 5, 9, 11, 13, 15 and 17: the signature,
 * `{`, `int s = 0;`, the for, the if, `s += i;`, `return s;`, `}`), the other 9 are blank or
 * comment-only; 5 statements (decl, for, if, +=, return). */
static void test_scan_loc_skips_comments_and_blank_lines(void **state) {
    char *dir = hm_test_tempdir();
    static const char src[] = "int commented(int n) /* line 1: code */\n"
                              "{\n"
                              "\n"
                              "    // a comment line\n"
                              "    int s = 0;\n"
                              "    /* a block comment\n"
                              "       over two lines */\n"
                              "\n"
                              "    for (int i = 0; i < n; i++)\n"
                              "        // why: only the even ones\n"
                              "        if (i % 2 == 0)\n"
                              "\n"
                              "            s += i;\n"
                              "    /* done */\n"
                              "    return s;\n"
                              "    // trailing\n"
                              "}\n";
    write_in(dir, "c.c", src);
    char db[1024];
    snprintf(db, sizeof db,
             "[{\"directory\": \"%s\", \"file\": \"c.c\", \"arguments\": [\"clang\", "
             "\"-c\", \"c.c\", \"-o\", \"c.o\"]}]\n",
             dir);
    write_in(dir, "compile_commands.json", db);
    char *diag = NULL;
    hm_scan_result r = hm_test_scan_database(dir, 1, &diag);
    const hm_scan_function *fn = hm_test_find(&r, "commented", 0);
    assert_non_null(fn);
    assert_int_equal(fn->line, 1);
    assert_int_equal(fn->loc, 8);
    assert_int_equal(fn->statements, 5);
    assert_int_equal(fn->loops, 1);
    scan_done(&r, diag, dir);
}

static void test_scan_relative_paths_in_commands(void **state) {
    /* Relative -I, -include and -isystem in a command resolve against its "directory", not the
     * process's working directory, which the scan leaves alone; system headers are not listed. */
    char *dir = hm_test_tempdir();
    const char *files[][2] = {
        {"inc", NULL},
        {"sys", NULL},
        {"inc/local.h", "static inline int local_twice(int x) { return helper(x) * 2; }\n"},
        {"inc/forced.h", "static int helper(int x) { return x + FORCED; }\n"},
        {"sys/vendor.h", "static inline int vendor_fn(int x) { return x; }\n"},
        {"src.c", "#include \"local.h\"\n#include <vendor.h>\n"
                  "int entry(void) { return local_twice(1) + vendor_fn(2); }\n"},
    };
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        if (files[i][1] != NULL) {
            write_in(dir, files[i][0], files[i][1]);
            continue;
        }
        char *path = hm_test_path(dir, files[i][0]);
        assert_int_equal(mkdir(path, 0700), 0);
        free(path);
    }
    char db[2048];
    snprintf(db, sizeof db,
             "[{\"directory\": \"%s\", \"file\": \"src.c\", \"arguments\": [\"clang\", "
             "\"-DFORCED=3\", \"-Iinc\", \"-include\", \"inc/forced.h\", \"-isystem\", "
             "\"sys\", \"-c\", \"src.c\", \"-o\", \"src.o\"]}]\n",
             dir);
    write_in(dir, "compile_commands.json", db);

    char before[4096], after[4096];
    assert_non_null(getcwd(before, sizeof before));
    char *diag = NULL;
    hm_scan_result r = hm_test_scan_database(dir, 2, &diag);
    assert_string_equal(diag, "");
    assert_int_equal(r.files_failed, 0);
    assert_non_null(hm_test_find(&r, "entry", 0));
    assert_non_null(hm_test_find(&r, "local_twice", 0)); /* found through -Iinc */
    assert_non_null(hm_test_find(&r, "helper", 0));      /* through -include inc/forced.h */
    assert_null(hm_test_find(&r, "vendor_fn", 0));       /* -isystem sys: a system header */
    assert_int_equal(hm_test_find(&r, "entry", 0)->calls, 2);
    assert_non_null(getcwd(after, sizeof after));
    assert_string_equal(before, after);
    scan_done(&r, diag, dir);
}

static void test_scan_unknown_flags(void **state) {
    /* A database written for GCC: flags clang does not know are reported once each, with how
     * many files carry them, and do not fail the files. */
    char *dir = hm_test_tempdir();
    char db[2048];
    snprintf(db, sizeof db,
             "[{\"directory\": \"%s\", \"file\": \"util.c\", \"arguments\": [\"gcc\", "
             "\"-fipa-pta\", \"-fconserve-stack\", \"-c\", \"util.c\"]},\n"
             " {\"directory\": \"%s\", \"file\": \"main.c\", \"arguments\": [\"gcc\", "
             "\"-fipa-pta\", \"-c\", \"main.c\"]}]\n",
             HM_SCAN_FIXTURES, HM_SCAN_FIXTURES);
    write_in(dir, "compile_commands.json", db);
    char *diag = NULL;
    hm_scan_result r = hm_test_scan_database(dir, 2, &diag);
    assert_string_equal(diag, "heatmap-scan: warning: clang does not know the flag '-fipa-pta' (2 "
                              "files); ignored\n"
                              "heatmap-scan: warning: clang does not know the flag "
                              "'-fconserve-stack' (1 file); ignored\n");
    assert_int_equal(r.files_failed, 0);
    assert_non_null(hm_test_find(&r, "util_sum", 0));
    assert_non_null(hm_test_find(&r, "main", 0));
    scan_done(&r, diag, dir);
}

static void test_scan_jobs_from_files(void **state) {
    /* Without a database: the files and the flags after "--". */
    const char *files[] = {HM_SCAN_FIXTURES "/main.c"};
    const char *extra[] = {"-I" HM_SCAN_FIXTURES, "-DUNUSED=1"};
    hm_scan_jobs jobs;
    assert_int_equal(hm_scan_jobs_from_files(files, 1, extra, 2, &jobs), HM_SCAN_OK);
    assert_int_equal(jobs.count, 1);
    assert_string_equal(jobs.items[0].argv[0], "clang");
    assert_string_equal(jobs.items[0].argv[1], extra[0]);
    hm_scan_options options = {.jobs = 1, .diagnostics = stderr};
    hm_scan_result r;
    hm_scan_run(&jobs, &options, &r);
    assert_int_equal(r.files_failed, 0);
    assert_non_null(hm_test_find(&r, "main", 0));
    assert_non_null(hm_test_find(&r, "util_clamp", 0)); /* found through -I */
    hm_scan_result_free(&r);
    hm_scan_jobs_free(&jobs);
}

/* ---- Listing --------------------------------------------------------------------------------- */

static char *print_to_string(const hm_scan_result *r, hm_scan_format format) {
    char *text = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&text, &len);
    assert_int_equal(hm_scan_print(r, format, HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD, out), 0);
    fclose(out);
    return text;
}

static void test_scan_sort_keys(void **state) {
    hm_scan_sort_key key;
    assert_int_equal(hm_scan_sort_key_parse("complexity", &key), 0);
    assert_int_equal(key, HM_SORT_COMPLEXITY);
    assert_int_equal(hm_scan_sort_key_parse("size", &key), -1);

    hm_scan_sort(&fixtures, HM_SORT_SCORE);
    for (size_t i = 1; i < fixtures.count; i++) {
        assert_true(hm_scan_score(&fixtures.functions[i - 1]) >=
                    hm_scan_score(&fixtures.functions[i]));
    }

    hm_scan_sort(&fixtures, HM_SORT_COMPLEXITY);
    for (size_t i = 1; i < fixtures.count; i++)
        assert_true(fixtures.functions[i - 1].complexity >= fixtures.functions[i].complexity);
    hm_scan_sort(&fixtures, HM_SORT_NAME);
    for (size_t i = 1; i < fixtures.count; i++)
        assert_true(strcmp(fixtures.functions[i - 1].name, fixtures.functions[i].name) <= 0);
    hm_scan_sort(&fixtures, HM_SORT_FILE);
    for (size_t i = 1; i < fixtures.count; i++) {
        const hm_scan_function *a = &fixtures.functions[i - 1], *b = &fixtures.functions[i];
        int c = strcmp(a->file, b->file);
        assert_true(c < 0 || (c == 0 && a->line <= b->line));
    }
}

static void test_scan_print_json(void **state) {
    char *text = print_to_string(&fixtures, HM_FORMAT_JSON);
    json_error_t error;
    json_t *root = json_loads(text, 0, &error);
    if (root == NULL)
        fail_msg("invalid JSON (%s at line %d):\n%s", error.text, error.line, text);
    assert_int_equal(json_integer_value(json_object_get(root, "version")), HM_SCAN_JSON_VERSION);
    assert_int_equal(json_integer_value(json_object_get(root, "files_failed")), 1);
    json_t *fns = json_object_get(root, "functions");
    assert_int_equal(json_array_size(fns), fixtures.count);
    size_t i;
    json_t *fn;
    bool seen = false;
    json_array_foreach(fns, i, fn) {
        if (strcmp(json_string_value(json_object_get(fn, "name")), "geo::Box<T>::get") == 0) {
            seen = true;
            assert_true(json_is_true(json_object_get(fn, "trivial")));
            assert_true(json_is_true(json_object_get(fn, "template")));
            assert_string_equal(
                json_string_value(json_array_get(json_object_get(fn, "instances"), 0)),
                "geo::Box<int>::get");
            assert_int_equal(json_integer_value(json_object_get(fn, "line")), 57);
        }
    }
    assert_true(seen);
    json_decref(root);
    free(text);
}

static void test_scan_print_csv_and_text(void **state) {
    hm_scan_sort(&fixtures, HM_SORT_FILE);
    char *csv = print_to_string(&fixtures, HM_FORMAT_CSV);
    assert_contains(csv,
                    "name,file,line,loc,statements,loops,calls,complexity,fanin,score,trivial\n");
    assert_contains(csv, "\nutil_sum,");
    /* score = 5 statements + 8*1 loop + 2*2 calls + 3*1 fan-in + 2*(4 - 1) = 26 */
    assert_contains(csv, "util.c,22,9,5,1,2,4,1,26,no\n");
    assert_contains(csv, "\ngeo::Box<T>::get,");
    char *text = print_to_string(&fixtures, HM_FORMAT_TEXT);
    assert_contains(text, "FUNCTION");
    assert_contains(text, "TRIVIAL");
    assert_contains(text, "functions in 4 files (1 with errors");
    free(csv);
    free(text);
}

/* ---- Score and proposal ---------------------------------------------------------------------- */

static hm_scan_function make_fn(const char *name, unsigned stmts, unsigned loops, unsigned calls,
                                unsigned fanin, unsigned complexity) {
    hm_scan_function fn = {0};
    fn.name = (char *)name;
    fn.pattern = (char *)name;
    fn.file = (char *)"/src/a.c";
    fn.line = 1;
    fn.statements = stmts;
    fn.loops = loops;
    fn.calls = calls;
    fn.fanin = fanin;
    fn.complexity = complexity;
    fn.ir_estimate = 100;
    return fn;
}

static void test_scan_score_formula(void **state) {
    /* statements + 8*loops + 2*calls + 3*fanin + 2*(complexity - 1) */
    hm_scan_function fn = make_fn("f", 10, 2, 3, 4, 5);
    assert_int_equal(hm_scan_score(&fn), 10 + 16 + 6 + 12 + 8);
    fn = make_fn("g", 0, 0, 0, 0, 1);
    assert_int_equal(hm_scan_score(&fn), 0);
}

static void test_scan_propose_ranks_and_caps(void **state) {
    hm_scan_function fns[5] = {
        make_fn("small", 2, 0, 1, 0, 1), make_fn("loopy", 3, 2, 0, 0, 3),
        make_fn("hub", 1, 0, 0, 9, 1),   make_fn("over", 5, 0, 1, 0, 1),
        make_fn("over", 20, 0, 1, 0, 1), /* an overload: the same pattern, one pick */
    };
    fns[0].ir_estimate = 3; /* has a call: still not trivial */
    hm_scan_result r = {fns, 5, 1, 0};
    hm_scan_pick *picks;
    size_t n;
    assert_int_equal(hm_scan_propose(&r, 10, 10, &picks, &n), HM_SCAN_OK);
    assert_int_equal(n, 4);
    assert_string_equal(picks[0].pattern, "hub");   /* 1 + 3*9 = 28 */
    assert_string_equal(picks[1].pattern, "loopy"); /* 3 + 8*2 + 2*2 = 23 */
    assert_string_equal(picks[2].pattern, "over");  /* the better overload: 20 + 2*1 = 22 */
    assert_int_equal(picks[2].score, 22);
    assert_int_equal(picks[2].count, 2);
    assert_ptr_equal(picks[2].best, &fns[4]);
    assert_string_equal(picks[3].pattern, "small"); /* 2 + 2 = 4 */
    free(picks);
    assert_int_equal(hm_scan_propose(&r, 2, 10, &picks, &n), HM_SCAN_OK);
    assert_int_equal(n, 2);
    free(picks);
}

static void test_scan_propose_skips_trivial(void **state) {
    hm_scan_function fns[2] = {make_fn("leaf", 1, 0, 0, 50, 1), make_fn("work", 1, 0, 1, 0, 1)};
    fns[0].ir_estimate = 3; /* no calls, no loops, tiny: trivial */
    hm_scan_result r = {fns, 2, 1, 0};
    hm_scan_pick *picks;
    size_t n;
    hm_scan_propose(&r, 10, 10, &picks, &n);
    assert_int_equal(n, 1);
    assert_string_equal(picks[0].pattern, "work");
    free(picks);
    /* With the rule off, the leaf is worth it (fan-in 50). */
    hm_scan_propose(&r, 10, 0, &picks, &n);
    assert_int_equal(n, 2);
    assert_string_equal(picks[0].pattern, "leaf");
    free(picks);
}

/* The fixtures' first `max` proposals, written as heatmap.yaml in a new temporary folder. */
typedef struct proposal {
    char *dir, *path;
    hm_scan_pick *picks;
    size_t n;
    char *text; /* the file as written */
} proposal;

static proposal propose_to_file(size_t max) {
    proposal p = {.dir = hm_test_tempdir()};
    p.path = hm_test_path(p.dir, "heatmap.yaml");
    hm_scan_propose(&fixtures, max, HM_CONFIG_DEFAULT_TRIVIAL_THRESHOLD, &p.picks, &p.n);
    assert_int_equal(hm_scan_write_config(p.path, p.picks, p.n, &fixtures, false), HM_SCAN_OK);
    p.text = hm_test_read_file(p.path);
    return p;
}

static void proposal_free(proposal *p) {
    free(p->picks);
    free(p->text);
    hm_test_rmtree(p->dir);
    free(p->path);
    free(p->dir);
}

static void test_scan_write_config(void **state) {
    proposal p = propose_to_file(5);
    assert_int_equal(p.n, 5);
    assert_contains(p.text, "version: 1\nfunctions:\n  include:\n");
    assert_contains(p.text, "# #1, score ");
    assert_contains(p.text, "picked for ");
    /* The config library (and so the plugin) accepts it, and it selects what it lists. */
    hm_config *config = NULL;
    hm_config_error err;
    if (hm_config_load_file(p.path, &config, &err) != 0)
        fail_msg("%s\n%s", err.message, p.text);
    for (size_t i = 0; i < p.n; i++) {
        const hm_scan_function *fn = p.picks[i].best;
        const char *name = fn->ninstances > 0 ? fn->instances[0] : fn->name;
        assert_true(hm_config_select(config, name, fn->file).selected);
    }
    assert_false(hm_config_select(config, "not_scanned", "/x.c").selected);
    hm_config_free(config);

    /* Never replaced without force; replaced with it. */
    hm_test_write_file(p.path, "# mine\n");
    assert_int_equal(hm_scan_write_config(p.path, p.picks, p.n, &fixtures, false), HM_SCAN_EEXIST);
    char *kept = hm_test_read_file(p.path);
    assert_string_equal(kept, "# mine\n");
    assert_int_equal(hm_scan_write_config(p.path, p.picks, p.n, &fixtures, true), HM_SCAN_OK);
    char *replaced = hm_test_read_file(p.path);
    assert_string_equal(replaced, p.text);

    free(kept);
    free(replaced);
    proposal_free(&p);
}

static void test_scan_write_config_reasons(void **state) {
    /* Each pattern's comment names the largest term of its score: the rule that picked it. */
    proposal p = propose_to_file(100);
    assert_contains(p.text,
                    "    - 'util_sum'  # #3, score 26, picked for loops: 5 statements, 1 loop, "
                    "2 calls, fan-in 1, complexity 4 (");
    assert_contains(p.text, "util.c:22)\n");
    assert_contains(p.text,
                    "    - 'geo::scale'  # #12, score 8, picked for branches: 1 statement, ");
    assert_contains(p.text, "shapes.cpp:36; 2 functions share this pattern)\n");
    assert_contains(p.text, "    - 'util_clamp'  # #9, score 13, picked for fan-in: ");
    /* Score 0, non-trivial only through what the compiler adds (a virtual destructor). */
    assert_contains(p.text,
                    "    - 'geo::Shape::~Shape'  # #20, score 0, picked for calls the source "
                    "does not spell: ");
    assert_not_contains(p.text, "'get_width'"); /* trivial: never proposed */
    proposal_free(&p);
}

static void test_scan_write_config_quotes_and_empty(void **state) {
    /* Patterns with YAML-special characters, and a proposal with nothing in it. */
    hm_scan_function fns[2] = {make_fn("*odd'name", 9, 1, 1, 0, 1),
                               make_fn("Vec::operator\\*", 9, 1, 1, 0, 1)};
    hm_scan_result r = {fns, 2, 1, 0};
    hm_scan_pick *picks;
    size_t n;
    hm_scan_propose(&r, 10, 10, &picks, &n);
    char *dir = hm_test_tempdir();
    char *path = hm_test_path(dir, "a.yaml");
    assert_int_equal(hm_scan_write_config(path, picks, n, &r, false), HM_SCAN_OK);
    hm_config *config = NULL;
    hm_config_error err;
    assert_int_equal(hm_config_load_file(path, &config, &err), 0);
    assert_true(hm_config_select(config, "Vec::operator*", "/src/a.c").selected);
    hm_config_free(config);
    free(picks);

    /* Nothing to propose: the file must select nothing (an empty include means everything). */
    char *empty = hm_test_path(dir, "b.yaml");
    assert_int_equal(hm_scan_write_config(empty, NULL, 0, &r, false), HM_SCAN_OK);
    assert_int_equal(hm_config_load_file(empty, &config, &err), 0);
    assert_false(hm_config_select(config, "anything", "/src/a.c").selected);
    hm_config_free(config);
    hm_test_rmtree(dir);
    free(path);
    free(empty);
    free(dir);
}

int main(void) {
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scan_c_metrics),
        cmocka_unit_test(test_scan_static_function_and_fanin),
        cmocka_unit_test(test_scan_macro_defined_functions),
        cmocka_unit_test(test_scan_do_while_zero_macro),
        cmocka_unit_test(test_scan_header_function_listed_once),
        cmocka_unit_test(test_scan_broken_file),
        cmocka_unit_test(test_scan_cxx_names),
        cmocka_unit_test(test_scan_cxx_overloads),
        cmocka_unit_test(test_scan_cxx_templates),
        cmocka_unit_test(test_scan_cxx_operator_template),
        cmocka_unit_test(test_scan_trivial_rule),
        cmocka_unit_test(test_scan_deterministic_across_threads),
        cmocka_unit_test(test_scan_database_file_filter),
        cmocka_unit_test(test_scan_relative_paths_in_commands),
        cmocka_unit_test(test_scan_loc_skips_comments_and_blank_lines),
        cmocka_unit_test(test_scan_unknown_flags),
        cmocka_unit_test(test_scan_jobs_from_files),
        cmocka_unit_test(test_scan_sort_keys),
        cmocka_unit_test(test_scan_print_json),
        cmocka_unit_test(test_scan_print_csv_and_text),
        cmocka_unit_test(test_scan_score_formula),
        cmocka_unit_test(test_scan_propose_ranks_and_caps),
        cmocka_unit_test(test_scan_propose_skips_trivial),
        cmocka_unit_test(test_scan_write_config),
        cmocka_unit_test(test_scan_write_config_reasons),
        cmocka_unit_test(test_scan_write_config_quotes_and_empty),
    };
    return cmocka_run_group_tests(tests, setup_fixtures, teardown_fixtures);
}
