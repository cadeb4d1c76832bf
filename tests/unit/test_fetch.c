/* Unit tests of viewer/fetch.c's URL rule: http://HOST[:PORT][/PATH], the live server's defaults
 * (port 6060, path /debug/heatmap), IPv6 in brackets, and what is refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "fetch.h"

static void expect_url(const char *url, const char *host, const char *port, const char *path) {
    char h[64], p[8];
    const char *pa = NULL;
    assert_int_equal(hm_fetch_parse_url(url, h, sizeof h, p, sizeof p, &pa), 0);
    assert_string_equal(h, host);
    assert_string_equal(p, port);
    assert_string_equal(pa, path);
}

static void test_fetch_parse_url(void **state) {
    (void)state;
    expect_url("http://127.0.0.1:6061", "127.0.0.1", "6061", "/debug/heatmap");
    expect_url("http://localhost", "localhost", "6060", "/debug/heatmap");
    expect_url("http://localhost/", "localhost", "6060", "/debug/heatmap");
    expect_url("http://h:1/debug/pprof/heap", "h", "1", "/debug/pprof/heap");
    expect_url("http://[::1]:8080/x", "::1", "8080", "/x");
    expect_url("http://[::1]", "::1", "6060", "/debug/heatmap");
    const char *bad[] = {"heatmap.json", "https://h:1", "http://",        "http://:80",
                         "http://h:",    "http://h:0",  "http://h:65536", "http://h:12a",
                         "http://[::1",  "http://[]:1", "http://[::1]x"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        char h[64], p[8];
        const char *pa;
        assert_int_equal(hm_fetch_parse_url(bad[i], h, sizeof h, p, sizeof p, &pa), -1);
    }
    assert_true(hm_fetch_is_url("http://x"));
    assert_false(hm_fetch_is_url("x.json"));
}

HM_TEST_MAIN({
    cmocka_unit_test(test_fetch_parse_url),
})
