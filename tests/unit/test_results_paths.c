/* Unit tests of hm_results_paths_load_many (results/load_many.c): the statistics and the call
 * paths of many files from one parse of each.
 *
 * The oracle is the pair of separate loads, hm_results_load_many and hm_paths_load_many, on one
 * thread: the combined load must give the same objects field by field, for one and several files
 * and 1, 2 or 8 worker threads. Without call paths (a file recorded with HEATMAP_PATHS=off,
 * malformed paths, read or merge stage) the statistics still load, *paths is NULL and paths_err
 * holds exactly hm_paths_load_many's message; a bad file fails the call with exactly
 * hm_results_load_many's message. Standard input, which can be read only once, shows that each
 * file is read (and so parsed) once: two loads would find it empty the second time.
 * Fixtures: tests/export/fixtures (with and without call paths) and files written here.
 */
#define _POSIX_C_SOURCE 200809L
#include "hm_paths.h"
#include "hm_results.h"

#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "../common/same_results.h"
#include "../common/test_main.h"

#define FIX(name) HM_FIXTURES "/" name
#define UNTOUCHED "(paths_err untouched)"

static const unsigned jobs_list[] = {1, 2, 8};

/* The combined load of files[0..n) with every jobs count against the two separate loads: the
 * same statistics; the same paths, or NULL and the same message when the separate load fails. */
static void check_same_as_separate(const char *const *files, size_t n, bool expect_paths) {
    hm_results *r = NULL;
    hm_paths *p = NULL;
    char err[1024], perr[1024] = "";
    assert_int_equal(hm_results_load_many_jobs(files, n, 1, &r, err, sizeof err), 0);
    int prc = hm_paths_load_many_jobs(files, n, 1, &p, perr, sizeof perr);
    assert_int_equal(prc, expect_paths ? 0 : -1);
    for (size_t j = 0; j < sizeof jobs_list / sizeof *jobs_list; j++) {
        hm_results *r2 = NULL;
        hm_paths *p2 = NULL;
        char err2[1024], perr2[1024] = UNTOUCHED;
        assert_int_equal(hm_results_paths_load_many(files, n, jobs_list[j], &r2, &p2, perr2,
                                                    sizeof perr2, err2, sizeof err2),
                         0);
        assert_non_null(r2);
        hm_assert_same_results(r, r2);
        if (expect_paths) {
            assert_non_null(p2);
            hm_assert_same_paths(p, p2);
            assert_string_equal(perr2, UNTOUCHED);
        } else {
            assert_null(p2);
            assert_string_equal(perr2, perr);
        }
        hm_results_free(r2);
        hm_paths_free(p2);
    }
    hm_results_free(r);
    hm_paths_free(p);
}

/* One file, and several (repeats included, so that the merges have something to sum). */
static void test_same_as_the_separate_loads(void **state) {
    (void)state;
    const char *one[] = {FIX("callgraph.json")};
    const char *two[] = {FIX("threads.json"), FIX("threads2.json")};
    const char *many[] = {FIX("callgraph.json"), FIX("folded.json"),   FIX("threads.json"),
                          FIX("threads2.json"),  FIX("waits.json"),    FIX("callgraph.json"),
                          FIX("threads.json"),   FIX("folded.json"),   FIX("waits.json"),
                          FIX("threads2.json"),  FIX("callgraph.json")};
    check_same_as_separate(one, 1, true);
    check_same_as_separate(two, 2, true);
    check_same_as_separate(many, sizeof many / sizeof *many, true);
}

/* A file recorded without call paths, alone or among others: the statistics all the same. */
static void test_file_without_paths(void **state) {
    (void)state;
    const char *alone[] = {FIX("nopaths.json")};
    const char *among[] = {FIX("callgraph.json"), FIX("threads.json"), FIX("nopaths.json"),
                           FIX("waits.json"), FIX("nopaths.json")};
    check_same_as_separate(alone, 1, false);
    check_same_as_separate(among, sizeof among / sizeof *among, false);
    /* The message is the paths' own, naming the file. */
    hm_results *r = NULL;
    hm_paths *p = NULL;
    char err[1024], perr[1024] = "";
    assert_int_equal(
        hm_results_paths_load_many(among, 5, 8, &r, &p, perr, sizeof perr, err, sizeof err), 0);
    assert_null(p);
    assert_true(strncmp(perr, among[2], strlen(among[2])) == 0);
    assert_non_null(strstr(perr, "no call paths"));
    assert_int_equal(r->nfiles, 5);
    hm_results_free(r);
    /* paths NULL: the statistics alone, no message. */
    assert_int_equal(hm_results_paths_load_many(among, 5, 2, &r, NULL, NULL, 0, err, sizeof err),
                     0);
    assert_int_equal(r->nfiles, 5);
    hm_results_free(r);
}

#define DIR_TEMPLATE "/tmp/hm_test_results_paths.XXXXXX"
static char dir[] = DIR_TEMPLATE;
static bool dir_made;

/* Write a results file dir/NAME (the directory made on first use): one function "a" called
 * `count` times (its JSON text: "0" makes the statistics invalid) and one tree of the given
 * call-path nodes. Returns its path (static storage, one per slot). */
static const char *write_doc(int slot, const char *name, const char *count, const char *nodes) {
    static char paths[8][4200];
    if (!dir_made) /* (mkdtemp's name may itself end in X: a flag, not a look at the name) */
        dir_made = mkdtemp(dir) != NULL;
    assert_true(dir_made);
    snprintf(paths[slot], sizeof paths[slot], "%s/%s", dir, name);
    FILE *f = fopen(paths[slot], "w");
    assert_non_null(f);
    /* Bucket indexes 40..63 are one nanosecond wide: 40 ns lie in bucket 40. */
    fprintf(f,
            "{\"version\": 1, \"program\": \"%s\", \"elapsed_ns\": 1000, \"threads\": [],\n"
            "\"functions\": [{\"id\": 1, \"name\": \"a\", \"file\": \"a.c\", \"line\": 1, "
            "\"count\": %s, \"self_ns\": 40, \"max_ns\": 40, \"histogram\": [[40, 1]]}],\n"
            "\"paths\": {\"max_nodes\": 100, \"folded_calls\": 0, \"trees\": [{\"thread\": 7, "
            "\"nodes\": [%s]}]}}\n",
            name, count, nodes);
    assert_int_equal(fclose(f), 0);
    return paths[slot];
}

static void remove_docs(void) {
    const char *names[] = {"good.json", "noparent.json", "cycle.json",
                           "zero.json", "array.json",    "cut.json"};
    char path[4300];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(dir);
    memcpy(dir, DIR_TEMPLATE, sizeof dir); /* the next test makes its own */
    dir_made = false;
}

/* Malformed call paths, found when the file is read (a parent that does not exist) or when it is
 * merged (a cycle): the statistics load, the paths do not, with the separate load's message. */
static void test_malformed_paths(void **state) {
    (void)state;
    const char *good = write_doc(0, "good.json", "1", "[1, 0, 1, 1, 40, 40]");
    const char *noparent = write_doc(1, "noparent.json", "1", "[1, 9, 1, 1, 40, 40]");
    const char *cycle =
        write_doc(2, "cycle.json", "1", "[1, 2, 1, 1, 20, 20], [2, 1, 1, 0, 20, 20]");
    const char *read_stage[] = {good, noparent, good};
    const char *merge_stage[] = {good, good, cycle, noparent};
    check_same_as_separate(&good, 1, true);
    check_same_as_separate(read_stage, 3, false);
    check_same_as_separate(merge_stage, 4, false);
    hm_paths *p = NULL;
    char perr[1024];
    assert_int_equal(hm_paths_load_many(merge_stage, 4, &p, perr, sizeof perr), -1);
    assert_non_null(strstr(perr, "cycle")); /* the first failure is the merge's */
    remove_docs();
}

/* A bad file fails the call with hm_results_load_many's message, whatever the threads, even when
 * its call paths would load (statistics first), and whatever the call paths' own message (which
 * is not left in paths_err then). */
static void test_bad_file_fails_like_the_statistics(void **state) {
    (void)state;
    const char *good = write_doc(0, "good.json", "1", "[1, 0, 1, 1, 40, 40]");
    const char *zero = write_doc(1, "zero.json", "0", "[1, 0, 1, 1, 40, 40]");
    char array[4300], cut[4300], missing[4300];
    snprintf(array, sizeof array, "%s/array.json", dir);
    snprintf(cut, sizeof cut, "%s/cut.json", dir);
    snprintf(missing, sizeof missing, "%s/missing.json", dir);
    FILE *f = fopen(array, "w");
    assert_non_null(f);
    fputs("[1, 2]\n", f);
    assert_int_equal(fclose(f), 0);
    assert_non_null(f = fopen(cut, "w"));
    fputs("{\"version\": 1, \"elapsed_ns\": 5, \"functions\": [", f);
    assert_int_equal(fclose(f), 0);
    const char *lists[][4] = {{good, zero, good, cut},  {good, array, zero, good},
                              {cut, good, good, good},  {good, good, missing, zero},
                              {zero, good, good, good}, {FIX("nopaths.json"), good, cut, good}};
    for (size_t l = 0; l < sizeof lists / sizeof *lists; l++) {
        for (size_t n = 1; n <= 4; n++) {
            hm_results *r = NULL;
            char want[1024] = "", got[1024] = "", perr[1024] = UNTOUCHED;
            int rc = hm_results_load_many_jobs(lists[l], n, 1, &r, want, sizeof want);
            hm_results_free(r);
            for (size_t j = 0; j < sizeof jobs_list / sizeof *jobs_list; j++) {
                hm_paths *p = NULL;
                r = NULL;
                snprintf(perr, sizeof perr, "%s", UNTOUCHED);
                assert_int_equal(hm_results_paths_load_many(lists[l], n, jobs_list[j], &r, &p, perr,
                                                            sizeof perr, got, sizeof got),
                                 rc);
                if (rc == 0) {
                    hm_results_free(r);
                    hm_paths_free(p);
                    continue;
                }
                assert_null(r);
                assert_null(p);
                assert_string_equal(got, want);
                /* No "statistics without paths" when there are no statistics. */
                assert_true(perr[0] == '\0' || strcmp(perr, UNTOUCHED) == 0);
            }
        }
    }
    /* The messages themselves, independently of the loader they are compared with above. */
    const char *bad[][2] = {{array, "the top level is an array"},
                            {cut, "truncated"},
                            {zero, "count is 0"},
                            {missing, "cannot open"}};
    for (size_t b = 0; b < sizeof bad / sizeof *bad; b++) {
        const char *list[] = {good, bad[b][0]};
        char got[1024];
        assert_int_equal(hm_results_paths_load_many(list, 2, 2, &(hm_results *){NULL},
                                                    &(hm_paths *){NULL}, NULL, 0, got, sizeof got),
                         -1);
        assert_true(strncmp(got, bad[b][0], strlen(bad[b][0])) == 0);
        assert_non_null(strstr(got, bad[b][1]));
    }
    /* The statistics refuse zero.json; its call paths alone would load. */
    hm_paths *p = NULL;
    char err[1024];
    assert_int_equal(hm_paths_load_many(&zero, 1, &p, err, sizeof err), 0);
    hm_paths_free(p);
    /* No file at all: the statistics' message. */
    char want[256], got[256];
    assert_int_equal(hm_results_load_many(NULL, 0, &(hm_results *){NULL}, want, sizeof want), -1);
    assert_int_equal(hm_results_paths_load_many(NULL, 0, 2, &(hm_results *){NULL},
                                                &(hm_paths *){NULL}, NULL, 0, got, sizeof got),
                     -1);
    assert_string_equal(got, want);
    remove_docs();
}

/* Standard input can be read once: the combined load still gets both halves from it, and the
 * same objects as the separate loads of the file itself (but for the name). */
static void test_each_file_read_once(void **state) {
    (void)state;
    const char *file = FIX("callgraph.json");
    int saved = dup(STDIN_FILENO), fd = open(file, O_RDONLY);
    assert_true(saved >= 0 && fd >= 0);
    assert_int_equal(dup2(fd, STDIN_FILENO), STDIN_FILENO);
    close(fd);
    const char *dash[] = {"-"};
    hm_results *r = NULL;
    hm_paths *p = NULL;
    char err[1024], perr[1024] = UNTOUCHED;
    int rc = hm_results_paths_load_many(dash, 1, 1, &r, &p, perr, sizeof perr, err, sizeof err);
    clearerr(stdin);
    assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
    close(saved);
    assert_int_equal(rc, 0);
    assert_string_equal(perr, UNTOUCHED);
    assert_non_null(p);
    assert_string_equal(r->path, "<stdin>");
    hm_results *r1 = NULL;
    hm_paths *p1 = NULL;
    assert_int_equal(hm_results_load(file, &r1, err, sizeof err), 0);
    assert_int_equal(hm_paths_load(file, &p1, err, sizeof err), 0);
    free(r1->path);
    r1->path = strdup("<stdin>");
    hm_assert_same_results(r1, r);
    hm_assert_same_paths(p1, p);
    hm_results_free(r);
    hm_results_free(r1);
    hm_paths_free(p);
    hm_paths_free(p1);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_same_as_the_separate_loads),
    cmocka_unit_test(test_file_without_paths),
    cmocka_unit_test(test_malformed_paths),
    cmocka_unit_test(test_bad_file_fails_like_the_statistics),
    cmocka_unit_test(test_each_file_read_once),
})
