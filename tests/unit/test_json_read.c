/* Unit tests of results/json_read.c, the loaders' JSON reader, against jansson as the oracle.
 *
 * The reader promises to accept exactly what jansson accepts with JSON_REJECT_DUPLICATES and to
 * read the same values. Every text here (a table of edge cases, every prefix and many one-byte
 * changes of a results file, the fuzz corpus) is parsed by both; they must agree on acceptance,
 * and on an accepted text the two trees must be equal value for value.
 */
#include "json_read.h"

#include <jansson.h>

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/test_main.h"

/* Whether our tree at v equals jansson's at j. */
static bool same(const hm_json *v, const json_t *j) {
    switch (json_typeof(j)) {
    case JSON_OBJECT: {
        if (!hm_json_is_object(v) || hm_json_size(v) != json_object_size(j))
            return false;
        const char *key;
        const json_t *value;
        json_object_foreach((json_t *)j, key, value) {
            const hm_json *mine = hm_json_get(v, key);
            if (mine == NULL || !same(mine, value))
                return false;
        }
        return true;
    }
    case JSON_ARRAY:
        if (!hm_json_is_array(v) || hm_json_size(v) != json_array_size(j))
            return false;
        for (size_t i = 0; i < json_array_size(j); i++)
            if (!same(hm_json_at(v, i), json_array_get(j, i)))
                return false;
        return true;
    case JSON_STRING:
        return hm_json_is_string(v) && v->len == json_string_length(j) &&
               memcmp(hm_json_string(v), json_string_value(j), v->len) == 0 &&
               hm_json_string(v)[v->len] == '\0';
    case JSON_INTEGER:
        return hm_json_is_integer(v) && hm_json_int(v) == json_integer_value(j);
    case JSON_REAL:
        return v->type == HM_JSON_REAL && v->n.d == json_real_value(j);
    case JSON_TRUE:
        return v->type == HM_JSON_TRUE;
    case JSON_FALSE:
        return v->type == HM_JSON_FALSE;
    case JSON_NULL:
        return v->type == HM_JSON_NULL;
    }
    return false;
}

static int checked;

/* Parse text[0..len) with both; fail the test when they disagree. doc is reused across calls. */
static void agree(hm_json_doc *doc, const char *text, size_t len) {
    json_error_t jerr;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
    char *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    memcpy(copy, text, len);
    hm_json_error err;
    const hm_json *v = hm_json_parse(doc, copy, len, &err);
    if ((j != NULL) != (v != NULL) || (j != NULL && !same(v, j))) {
        fprintf(stderr, "disagree on %zu bytes: \"%.*s\"\n  jansson: %s\n  ours: %s\n", len,
                (int)(len < 200 ? len : 200), text, j ? "accepted" : jerr.text,
                v ? "accepted" : err.text);
        fail();
    }
    if (v == NULL) /* a message for every refusal, with a place in the text */
        assert_true(err.text[0] != '\0' && err.line >= 1 && err.column >= 1);
    json_decref(j);
    checked++;
}

static void agree_str(hm_json_doc *doc, const char *text) {
    agree(doc, text, strlen(text));
}

static void test_json_read_edge_cases(void **state) {
    (void)state;
    static const char *const cases[] = {
        "{}",
        "[]",
        " \t\r\n{ } ",
        "[1, -1, 0, -0, 9223372036854775807, -9223372036854775808]",
        "[9223372036854775808]",
        "[-9223372036854775809]",
        "[123456789012345678901234]",
        "[1.5, -0.25, 1e3, 1E-3, 2.5e+10, 1e400, 1e-400, 0.0]",
        "[01]",
        "[1.]",
        "[.5]",
        "[1e]",
        "[-]",
        "[+1]",
        "[0x10]",
        "[true, false, null]",
        "[tru]",
        "[nul]",
        "[True]",
        "{\"a\": 1, \"a\": 2}",
        "{\"a\": 1, \"b\": {\"a\": 2}}",
        "{\"k\": [1, {\"k\": []}]}",
        "{\"\\u0041\\n\\t\\\"\\\\\\/\\b\\f\\r\": 1}",
        "[\"\\u00e9\\u20ac\\ud83d\\ude00\"]",
        "[\"\\ud800\"]",
        "[\"\\udc00\"]",
        "[\"\\ud800\\u0041\"]",
        "[\"\\u0000\"]",
        "[\"\\x41\"]",
        "[\"\\u12\"]",
        "[\"a\tb\"]",
        "[\"\xc3\xa9\"]",
        "[\"\xc3\"]",
        "[\"\xc0\x80\"]",
        "[\"\xed\xa0\x80\"]",
        "[\"\xf4\x90\x80\x80\"]",
        "[\"\xf0\x9f\x98\x80\"]",
        "[\"\xff\"]",
        "\"top\"",
        "1",
        "true",
        "",
        "   ",
        "{",
        "[",
        "{\"a\"",
        "{\"a\":",
        "{\"a\": 1",
        "[1,",
        "[1 2]",
        "{\"a\" 1}",
        "{1: 2}",
        "{\"a\": 1,}",
        "[1,]",
        "{} x",
        "{}{}",
        "[\"abc",
        "{\"same_key_1\": 1, \"same_key_2\": 2, \"same_key_1\": 3}",
        "{\"overhead_total_ns\": 1, \"overhead_child_ns\": 2}",
        "{\"overhead_total_ns\": 1, \"overhead_child_ns\": 2, \"overhead_total_ns\": 3}"};
    hm_json_doc doc = {0};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        agree_str(&doc, cases[i]);
    /* Objects past the pairwise duplicate test (more than 32 keys), with and without a repeat. */
    char big[4096];
    for (int repeat = 0; repeat < 2; repeat++) {
        size_t n = (size_t)snprintf(big, sizeof big, "{");
        for (int k = 0; k < 60; k++)
            n += (size_t)snprintf(big + n, sizeof big - n, "%s\"key%d\": %d", k ? ", " : "",
                                  repeat && k == 59 ? 7 : k, k);
        snprintf(big + n, sizeof big - n, "}");
        agree_str(&doc, big);
    }
    /* Depth: well inside the limit, and far beyond it. */
    static char deep[12001];
    for (size_t depth = 100; depth <= 6000; depth += 5900) {
        memset(deep, '[', depth);
        memset(deep + depth, ']', depth);
        agree(&doc, deep, 2 * depth);
    }
    /* A NUL byte inside the text, and one inside a string. */
    agree(&doc, "[1,\0 2]", 7);
    agree(&doc, "[\"a\0b\"]", 7);
    hm_json_doc_free(&doc);
}

static const char results_text[] =
    "{\n  \"version\": 1,\n  \"program\": \"./a b\",\n  \"pid\": 42,\n  \"elapsed_ns\": 1000,\n"
    "  \"histogram\": {\"kind\": \"log-linear\", \"sub_bucket_bits\": 5},\n"
    "  \"threads\": [{\"tid\": 42, \"name\": \"main\", \"calls\": 3, \"self_ns\": 900}],\n"
    "  \"functions\": [\n    {\"id\": 1, \"name\": \"parse\\u00e9\", \"file\": \"a.c\", \"line\": "
    "3, "
    "\"count\": 3, \"self_ns\": 900, \"max_ns\": 500, \"histogram\": [[100, 2], [520, 1]], "
    "\"ratio\": -1.25e-2, \"ok\": true, \"none\": null}\n  ]\n}\n";

/* Every prefix of a results file (a file cut short anywhere), and every byte replaced by a few
 * others: the two parsers agree on each. */
static void test_json_read_prefixes_and_changes(void **state) {
    (void)state;
    hm_json_doc doc = {0};
    size_t n = strlen(results_text);
    for (size_t len = 0; len <= n; len++)
        agree(&doc, results_text, len);
    static const char subst[] = {'"', '\\', ',', ':', '{', ']', '0', 'e', '-', ' ', '\x01', '\xc3'};
    char *text = malloc(n);
    assert_non_null(text);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof subst; k++) {
            memcpy(text, results_text, n);
            text[i] = subst[k];
            agree(&doc, text, n);
        }
    free(text);
    hm_json_doc_free(&doc);
}

/* The fuzz corpus and the viewer's fixtures: real and broken results files. */
static void agree_dir(hm_json_doc *doc, const char *dir) {
    DIR *d = opendir(dir);
    if (d == NULL)
        return;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        FILE *f = fopen(path, "rb");
        if (f == NULL)
            continue;
        static char buf[1 << 20];
        size_t len = fread(buf, 1, sizeof buf, f);
        fclose(f);
        agree(doc, buf, len);
    }
    closedir(d);
}

static void test_json_read_corpus(void **state) {
    (void)state;
    hm_json_doc doc = {0};
    int before = checked;
    agree_dir(&doc, HM_FUZZ_CORPUS "/results");
    agree_dir(&doc, HM_FUZZ_CORPUS "/trace");
    agree_dir(&doc, HM_VIEWER_FIXTURES);
    assert_true(checked - before >= 10); /* the folders were found */
    hm_json_doc_free(&doc);
}

/* The accessors answer NULL, 0 or false for a value of another type, as jansson's do. */
static void test_json_read_accessors(void **state) {
    (void)state;
    hm_json_doc doc = {0};
    char *text = strdup("{\"a\": [1, \"x\"], \"b\": 7}");
    hm_json_error err;
    const hm_json *root = hm_json_parse(&doc, text, strlen(text), &err);
    assert_non_null(root);
    const hm_json *a = hm_json_get(root, "a");
    assert_int_equal(hm_json_size(a), 2);
    assert_null(hm_json_at(a, 2));
    assert_null(hm_json_get(a, "a"));
    assert_null(hm_json_get(NULL, "a"));
    assert_null(hm_json_get(root, "c"));
    assert_int_equal(hm_json_int(hm_json_at(a, 1)), 0);
    assert_null(hm_json_string(hm_json_at(a, 0)));
    assert_string_equal(hm_json_string(hm_json_at(a, 1)), "x");
    assert_int_equal(hm_json_int(hm_json_get(root, "b")), 7);
    assert_int_equal(hm_json_size(hm_json_get(root, "b")), 0);
    /* Asked out of order, again and after a miss: the lookup hint never hides a key. */
    assert_int_equal(hm_json_int(hm_json_get(root, "b")), 7);
    assert_non_null(hm_json_get(root, "a"));
    assert_int_equal(hm_json_int(hm_json_get(root, "b")), 7);
    hm_json_doc_free(&doc);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_json_read_edge_cases),
    cmocka_unit_test(test_json_read_prefixes_and_changes),
    cmocka_unit_test(test_json_read_corpus),
    cmocka_unit_test(test_json_read_accessors),
})
