/* Unit tests of export/server_profiles.c, the live server's responses: the route table, the
 * seconds parameter, the Prometheus exposition (values and label escaping against the fixture),
 * the goroutine/threadcreate encoder (distinct stacks, counts summed, read back with protobuf-c)
 * and the CPU window (the later snapshot's samples minus the earlier one's).
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "../common/parse_cases.h"
#include "pprof_common.h"
#include "server.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

static char *read_file(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static char buf[1 << 20];
    *len = fread(buf, 1, sizeof buf - 1, f);
    buf[*len] = '\0';
    fclose(f);
    return buf;
}

/* A gzip'd profile.proto read back with zlib and protobuf-c. */
static pb_profile *unpack(const char *gz, size_t len) {
    static uint8_t raw[1 << 20];
    z_stream z;
    memset(&z, 0, sizeof z);
    assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
    z.next_in = (Bytef *)gz;
    z.avail_in = (uInt)len;
    z.next_out = raw;
    z.avail_out = sizeof raw;
    assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
    size_t n = z.total_out;
    inflateEnd(&z);
    pb_profile *p = perftools__profiles__profile__unpack(NULL, n, raw);
    assert_non_null(p);
    return p;
}

/* The name of location `id`'s function. */
static const char *location_name(const pb_profile *p, uint64_t id) {
    for (size_t i = 0; i < p->n_location; i++)
        if (p->location[i]->id == id && p->location[i]->n_line > 0)
            for (size_t j = 0; j < p->n_function; j++)
                if (p->function[j]->id == p->location[i]->line[0]->function_id)
                    return p->string_table[p->function[j]->name];
    return "?";
}

static void test_server_route(void **state) {
    (void)state;
    static const struct parse_case routes[] = {
        {"/debug/pprof/", 0, HM_ROUTE_INDEX},
        {"/debug/pprof/threads", 0, HM_ROUTE_GOROUTINE},
        {"/metrics", 0, HM_ROUTE_METRICS},
        {"/debug/pprof/heap/", -1, 0},
        {"/debug/pprof/../heap", -1, 0},
        {"/debug/pprof/heapx", -1, 0},
        {"", -1, 0},
    };
    ASSERT_PARSE_CASES(hm_server_route, hm_route, routes);
    hm_route r;
    assert_int_equal(hm_server_route(NULL, &r), -1);
}

static void test_server_seconds(void **state) {
    (void)state;
    assert_int_equal(hm_server_seconds(NULL, 30), 30);
    assert_int_equal(hm_server_seconds("1", 30), 1);
    assert_int_equal(hm_server_seconds("3600", 30), 3600);
    const char *bad[] = {"", "0", "3601", "-1", "1e3", "1.5", " 1", "99999", "00000001"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        assert_int_equal(hm_server_seconds(bad[i], 30), -1);
}

static void test_server_metrics(void **state) {
    (void)state;
    size_t len;
    char *doc = read_file(HM_FIXTURES "/callgraph.json", &len);
    /* checksum (1 call, 40 ns self) renamed to che"ck\sum<LF>: every escape the format has */
    const char *from = "\"name\": \"checksum\"";
    char *at = strstr(doc, from);
    assert_non_null(at);
    static char edited[1 << 20];
    snprintf(edited, sizeof edited, "%.*s\"name\": \"che\\\"ck\\\\sum\\n\"%s", (int)(at - doc), doc,
             at + strlen(from));
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    char err[512] = "";
    assert_int_equal(hm_server_metrics(edited, strlen(edited), f, err, sizeof err), 0);
    fclose(f);
    assert_non_null(strstr(out, "# TYPE heatmap_function_calls_total counter\n"));
    assert_non_null(strstr(out, "\nheatmap_function_calls_total{function=\"che\\\"ck\\\\sum\\n\","
                                "file=\"callgraph.c\"} 1\n"));
    assert_non_null(strstr(out,
                           "\nheatmap_function_self_seconds_total{function=\"che\\\"ck\\\\sum\\n\","
                           "file=\"callgraph.c\"} 0.000000040\n"));
    /* the fixture's thread made 50 calls in all */
    assert_non_null(strstr(out, "\nheatmap_calls_total 50\n"));
    free(out);
}

static void test_server_stacks_profile(void **state) {
    (void)state;
    /* two threads in b() under a(), one with no instrumented frame, one in a() */
    const char *doc = "{\"functions\": [[4, \"a\", \"x.c\", 3], [9, \"b\", \"x.c\", 7]],"
                      " \"stacks\": [[1, [9, 4]], [1, []], [1, [9, 4]], [1, [4]]]}";
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    char err[512] = "";
    assert_int_equal(hm_server_stacks_profile(doc, strlen(doc), "goroutine", f, err, sizeof err),
                     0);
    fclose(f);
    pb_profile *p = unpack(out, outlen);
    assert_int_equal(p->n_sample_type, 1);
    assert_string_equal(p->string_table[p->sample_type[0]->type], "goroutine");
    assert_string_equal(p->string_table[p->sample_type[0]->unit], "count");
    assert_int_equal(p->n_sample, 3);
    int seen = 0;
    for (size_t i = 0; i < p->n_sample; i++) {
        const pb_sample *s = p->sample[i];
        const char *leaf = location_name(p, s->location_id[0]);
        if (s->n_location_id == 2) {
            assert_string_equal(leaf, "b");
            assert_string_equal(location_name(p, s->location_id[1]), "a");
            assert_int_equal(s->value[0], 2);
            seen |= 1;
        } else if (strcmp(leaf, "a") == 0) {
            assert_int_equal(s->value[0], 1);
            seen |= 2;
        } else {
            assert_string_equal(leaf, "(no instrumented frame)");
            assert_int_equal(s->value[0], 1);
            seen |= 4;
        }
    }
    assert_int_equal(seen, 7);
    perftools__profiles__profile__free_unpacked(p, NULL);
    free(out);
    /* a malformed document is an error, not a crash */
    const char *bad[] = {"", "{}", "{\"functions\": [], \"stacks\": [[0, []]]}",
                         "{\"functions\": [[0, \"a\", \"x.c\", 1]], \"stacks\": []}",
                         "{\"functions\": [], \"stacks\": [[1, 5]]}"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        f = open_memstream(&out, &outlen);
        assert_int_equal(
            hm_server_stacks_profile(bad[i], strlen(bad[i]), "goroutine", f, err, sizeof err), -1);
        fclose(f);
        free(out);
    }
}

/* A results document with a cpu_profile whose samples are `samples`. */
static char *cpu_doc(const char *samples) {
    static char buf[2][4096];
    static int which;
    char *b = buf[which++ % 2];
    snprintf(b, sizeof buf[0],
             "{\"version\": 1, \"program\": \"/nonexistent/app\", \"elapsed_ns\": 5000, "
             "\"start_unix_ns\": 77, \"cpu_profile\": {\"hz\": 100, \"period_ns\": 10000000, "
             "\"samples_dropped\": 0, \"mappings\": [], \"functions\": %s, \"samples\": [%s]}}",
             which == 1 ? "[[7, \"work\", \"app.c\", 12], [3, \"run\", \"app.c\", 40]]"
                        : "[[3, \"run\", \"app.c\", 40], [8, \"work\", \"app.c\", 12], "
                          "[9, \"idle\", \"app.c\", 50]]",
             samples);
    return b;
}

static void test_server_cpu_window(void **state) {
    (void)state;
    /* before: work<-run 12, run 5; after (function ids renumbered): work<-run 20, run 5,
     * idle 3: the window holds work<-run 8 and idle 3, run's unchanged 5 is not in it */
    char *before = cpu_doc("{\"count\": 12, \"pcs\": [5000], \"stack\": [7, 3]}, "
                           "{\"count\": 5, \"pcs\": [6000], \"stack\": [3]}");
    char *after = cpu_doc("{\"count\": 5, \"pcs\": [6000], \"stack\": [3]}, "
                          "{\"count\": 20, \"pcs\": [5000], \"stack\": [8, 3]}, "
                          "{\"count\": 3, \"pcs\": [7000], \"stack\": [9]}");
    char *out = NULL;
    size_t outlen = 0;
    FILE *f = open_memstream(&out, &outlen);
    char err[512] = "";
    assert_int_equal(hm_server_cpu_profile(before, strlen(before), after, strlen(after),
                                           1000000000u, f, err, sizeof err),
                     0);
    fclose(f);
    pb_profile *p = unpack(out, outlen);
    assert_int_equal(p->duration_nanos, 1000000000);
    int64_t total = 0, work = 0, idle = 0;
    for (size_t i = 0; i < p->n_sample; i++) {
        const pb_sample *s = p->sample[i];
        total += s->value[0];
        for (size_t j = 0; j < s->n_location_id; j++) {
            const char *name = location_name(p, s->location_id[j]);
            work += strcmp(name, "work") == 0 ? s->value[0] : 0;
            idle += strcmp(name, "idle") == 0 ? s->value[0] : 0;
        }
    }
    assert_int_equal(total, 11);
    assert_int_equal(work, 8);
    assert_int_equal(idle, 3);
    perftools__profiles__profile__free_unpacked(p, NULL);
    free(out);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_server_route),
    cmocka_unit_test(test_server_seconds),
    cmocka_unit_test(test_server_metrics),
    cmocka_unit_test(test_server_stacks_profile),
    cmocka_unit_test(test_server_cpu_window),
})
