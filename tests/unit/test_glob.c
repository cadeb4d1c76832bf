/* Unit tests for hm_glob_match() and hm_glob_check(): wildcard semantics, edge cases, validation.
 *
 * Each test states matches and non-matches side by side, so a matcher that says "yes" (or "no") to
 * everything fails. The adversarial cases check that pathological patterns finish; they assert on
 * the answer, never on time.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "../common/test_main.h"

#include "hm_config.h"

#define MATCH(p, t) assert_true(hm_glob_match((p), (t)))
#define NO_MATCH(p, t) assert_false(hm_glob_match((p), (t)))

static void test_glob_literal_is_exact(void **state) {
    MATCH("main", "main");
    NO_MATCH("main", "mai");
    NO_MATCH("main", "mainx");
    NO_MATCH("main", "Main");
    MATCH("ns::Class::method", "ns::Class::method");
    MATCH("src/a.c", "src/a.c");
    NO_MATCH("src/a.c", "src/a.cc");
}

static void test_glob_star_matches_any_run_but_not_slash(void **state) {
    MATCH("parse_*", "parse_");
    MATCH("parse_*", "parse_header");
    NO_MATCH("parse_*", "parse");
    NO_MATCH("parse_*", "xparse_header");
    MATCH("*_test", "foo_test");
    NO_MATCH("*_test", "foo_tests");
    MATCH("a*b*c", "abc");
    MATCH("a*b*c", "aXXbYYc");
    NO_MATCH("a*b*c", "aXXcYYb");
    MATCH("*", "");
    MATCH("*", "anything");
    NO_MATCH("*", "a/b");
    MATCH("src/*.c", "src/a.c");
    NO_MATCH("src/*.c", "src/x/a.c");
    NO_MATCH("*.c", "src/a.c");
    MATCH("*/*.c", "src/a.c");
}

static void test_glob_star_crosses_double_colon(void **state) {
    MATCH("ns::*", "ns::Class::method");
    MATCH("*::method", "ns::Class::method");
    MATCH("ns::*::method", "ns::A::B::method");
    NO_MATCH("ns::*::method", "other::A::method");
    MATCH("std::vector<*>::push_back", "std::vector<int>::push_back");
}

static void test_glob_double_star_crosses_directories(void **state) {
    MATCH("src/**", "src/a.c");
    MATCH("src/**", "src/vendor/zlib/inflate.c");
    NO_MATCH("src/**", "src");
    NO_MATCH("src/**", "lib/src/a.c");
    MATCH("**", "");
    MATCH("**", "a/b/c");
    MATCH("src/**.c", "src/x/y/z.c");
    NO_MATCH("src/**.c", "src/x/y/z.h");
    MATCH("a**b", "a/x/b");
    MATCH("**/*.c", "deep/er/a.c");
}

static void test_glob_double_star_slash_matches_zero_directories(void **state) {
    MATCH("**/foo.c", "foo.c");
    MATCH("**/foo.c", "a/foo.c");
    MATCH("**/foo.c", "a/b/foo.c");
    NO_MATCH("**/foo.c", "afoo.c");
    NO_MATCH("**/foo.c", "a/xfoo.c");
    MATCH("a/**/b", "a/b");
    MATCH("a/**/b", "a/x/b");
    MATCH("a/**/b", "a/x/y/b");
    NO_MATCH("a/**/b", "ab");
    NO_MATCH("a/**/b", "a/xb");
    NO_MATCH("a/**/b", "a/x/yb");
    /* Not at a segment start: a plain `**` followed by a literal '/'. */
    MATCH("x**/b", "x/b");
    MATCH("x**/b", "xy/z/b");
    NO_MATCH("x**/b", "xb");
}

static void test_glob_question_mark_matches_one_char_not_slash(void **state) {
    MATCH("a?c", "abc");
    NO_MATCH("a?c", "ac");
    NO_MATCH("a?c", "abbc");
    NO_MATCH("a?c", "a/c");
    MATCH("???", "xyz");
    NO_MATCH("???", "xy");
}

static void test_glob_bracket_sets_and_ranges(void **state) {
    MATCH("[abc]x", "bx");
    NO_MATCH("[abc]x", "dx");
    MATCH("v[0-9]", "v7");
    NO_MATCH("v[0-9]", "va");
    MATCH("[a-cx-z]", "y");
    NO_MATCH("[a-cx-z]", "m");
    MATCH("[!a-c]", "d");
    NO_MATCH("[!a-c]", "b");
    MATCH("[^a]", "b");
    NO_MATCH("[^a]", "a");
    /* ']' first in the set is a member; '-' first or last is literal. */
    MATCH("[]]", "]");
    NO_MATCH("[]]", "a");
    MATCH("[!]]", "a");
    NO_MATCH("[!]]", "]");
    MATCH("[a-]", "-");
    MATCH("[-a]", "-");
    NO_MATCH("[a-]", "b");
    /* A set, even a negated one, never matches '/'. */
    NO_MATCH("a[!x]b", "a/b");
    MATCH("a[!x]b", "a-b");
    /* Escapes inside a set. */
    MATCH("[\\]]", "]");
    MATCH("[\\!a]", "!");
}

static void test_glob_escape_makes_wildcards_literal(void **state) {
    MATCH("operator\\*", "operator*");
    NO_MATCH("operator\\*", "operatorX");
    NO_MATCH("operator\\*", "operator");
    MATCH("operator\\[\\]", "operator[]");
    MATCH("what\\?", "what?");
    NO_MATCH("what\\?", "whatx");
    MATCH("a\\\\b", "a\\b");
    MATCH("*::operator\\*", "ns::V::operator*");
}

static void test_glob_invalid_pattern_matches_nothing(void **state) {
    NO_MATCH("[a", "[a");
    NO_MATCH("[a", "a");
    NO_MATCH("", "");
    NO_MATCH("abc\\", "abc\\");
    NO_MATCH("***", "x");
    assert_false(hm_glob_match(NULL, "x"));
    assert_false(hm_glob_match("x", NULL));
}

static void test_glob_check_reports_problems(void **state) {
    assert_null(hm_glob_check("parse_*"));
    assert_null(hm_glob_check("src/**"));
    assert_null(hm_glob_check("[]]"));
    assert_null(hm_glob_check("[a-z0-9_]*"));
    assert_null(hm_glob_check("operator\\[\\]"));
    assert_null(hm_glob_check("a[!-]b"));
    assert_string_equal(hm_glob_check(""), "empty pattern");
    assert_string_equal(hm_glob_check(NULL), "empty pattern");
    assert_string_equal(hm_glob_check("parse_[a"), "unterminated '['");
    assert_string_equal(hm_glob_check("[]"), "unterminated '['");
    assert_string_equal(hm_glob_check("[!]"), "unterminated '['");
    assert_string_equal(hm_glob_check("x[\\"), "unterminated '['");
    assert_string_equal(hm_glob_check("operator[]"), "unterminated '['");
    assert_string_equal(hm_glob_check("[z-a]"), "reversed range in '[...]'");
    assert_string_equal(hm_glob_check("src[/]x"), "'/' cannot be matched by '[...]'");
    assert_string_equal(hm_glob_check("abc\\"), "trailing '\\'");
    assert_string_equal(hm_glob_check("a***b"), "'***' is not a wildcard; use '*' or '**'");
}

/* Patterns that make a naive recursive matcher take exponential time must still answer. */
static void test_glob_adversarial_patterns_finish(void **state) {
    enum { N = 4000 };
    char *text = malloc(N + 2);
    assert_non_null(text);
    memset(text, 'a', N);
    text[N] = '\0';
    NO_MATCH("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
    NO_MATCH("**a**a**a**a**a**a**a**a**a**a**b", text);
    MATCH("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a", text);
    text[N] = 'b';
    text[N + 1] = '\0';
    MATCH("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
    MATCH("**a**a**a**a**a**a**a**a**a**a**b", text);

    /* Directories: every `*` is stopped by a '/', forcing fallbacks to the `**`. */
    for (size_t i = 1; i < N; i += 2)
        text[i] = '/';
    text[N - 1] = '\0'; /* "a/a/.../a/a" */
    NO_MATCH("**/*a*a*a*a*a*a*a*a*a*a*a*a*b", text);
    NO_MATCH("**a*/**a*/**a*/**b", text);
    MATCH("**/a/a", text);
    free(text);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_glob_literal_is_exact),
    cmocka_unit_test(test_glob_star_matches_any_run_but_not_slash),
    cmocka_unit_test(test_glob_star_crosses_double_colon),
    cmocka_unit_test(test_glob_double_star_crosses_directories),
    cmocka_unit_test(test_glob_double_star_slash_matches_zero_directories),
    cmocka_unit_test(test_glob_question_mark_matches_one_char_not_slash),
    cmocka_unit_test(test_glob_bracket_sets_and_ranges),
    cmocka_unit_test(test_glob_escape_makes_wildcards_literal),
    cmocka_unit_test(test_glob_invalid_pattern_matches_nothing),
    cmocka_unit_test(test_glob_check_reports_problems),
    cmocka_unit_test(test_glob_adversarial_patterns_finish),
})
