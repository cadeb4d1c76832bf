/* Table-driven checks of a parser of the shape int parse(const char *text, T *out): 0 and *out
 * set on success, -1 on an error. Include after <cmocka.h>. */
#ifndef HM_TESTS_PARSE_CASES_H
#define HM_TESTS_PARSE_CASES_H

#include <stddef.h>

/* one input: what parse returns for it and, where that is 0, the value it stores */
struct parse_case {
    const char *text;
    int rc;
    int want; /* checked only where rc is 0 */
};

/* ASSERT_PARSE_CASES(parse, T, cases): every case of the array cases, parsed into a T */
#define ASSERT_PARSE_CASES(parse, T, cases)                                                        \
    do {                                                                                           \
        for (size_t i_ = 0; i_ < sizeof(cases) / sizeof((cases)[0]); i_++) {                       \
            T out_;                                                                                \
            int rc_ = parse((cases)[i_].text, &out_);                                              \
            if (rc_ != (cases)[i_].rc)                                                             \
                fail_msg("%s(\"%s\") returns %d, expected %d", #parse, (cases)[i_].text, rc_,      \
                         (cases)[i_].rc);                                                          \
            if (rc_ == 0)                                                                          \
                assert_int_equal(out_, (cases)[i_].want);                                          \
        }                                                                                          \
    } while (0)

#endif
