/* The main of a cmocka test program whose tests need no group set-up, so the file lists its tests
 * and nothing else:
 *
 *     HM_TEST_MAIN({
 *         cmocka_unit_test(test_a),
 *         cmocka_unit_test(test_b),
 *     })
 *
 * runs the tests listed as one group and returns how many failed. The braced list is the macro's
 * variable arguments, so its commas need no parentheses. (A program with a group set-up writes
 * its own main.) Include after <cmocka.h>. */
#ifndef HM_TESTS_TEST_MAIN_H
#define HM_TESTS_TEST_MAIN_H

#define HM_TEST_MAIN(...)                                                                          \
    int main(void) {                                                                               \
        const struct CMUnitTest tests_[] = __VA_ARGS__;                                            \
        return cmocka_run_group_tests(tests_, NULL, NULL);                                         \
    }

#endif
