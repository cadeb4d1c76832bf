/* Unit tests for hm_display_name() (config/names.c): the name a function symbol is selected under.
 *
 * Each case pairs a symbol with the name the plugin and heatmap-scan must both give it, so a
 * demangler that keeps the signature, the return type or an ABI tag fails. Symbols are passed with
 * an explicit length, as LLVM hands them over (not NUL-terminated where the length ends).
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

static void assert_name(const char *symbol, const char *expected) {
    char *name = hm_display_name(symbol, strlen(symbol));
    assert_non_null(name);
    assert_string_equal(name, expected);
    free(name);
}

static void test_names_c_symbols_are_kept(void **state) {
    assert_name("main", "main");
    assert_name("parse_body", "parse_body");
    assert_name("\1verbatim", "verbatim"); /* LLVM's no-mangle prefix */
    assert_name("_Zinvalid", "_Zinvalid"); /* not demangleable: the symbol as it is */
}

static void test_names_cxx_signature_is_dropped(void **state) {
    assert_name("_ZNK2ns5ClassIiE6methodEi", "ns::Class<int>::method");
    assert_name("_ZN3FooclEv", "Foo::operator()");
    assert_name("_Z3maxIiET_S0_S0_", "max<int>"); /* template: return type dropped */
    assert_name("_ZN1AcviEv", "A::operator int");
}

static void test_names_abi_tags_and_clones_are_dropped(void **state) {
    assert_name("_Z3barB5cxx11v", "bar");
    assert_name("_Z3bazv.cold", "baz"); /* a split-off part of baz is named baz */
}

static void test_names_length_bounds_the_symbol(void **state) {
    const char *symbol = "fooBAR";
    char *name = hm_display_name(symbol, 3);
    assert_non_null(name);
    assert_string_equal(name, "foo");
    free(name);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_names_c_symbols_are_kept),
    cmocka_unit_test(test_names_cxx_signature_is_dropped),
    cmocka_unit_test(test_names_abi_tags_and_clones_are_dropped),
    cmocka_unit_test(test_names_length_bounds_the_symbol),
})
