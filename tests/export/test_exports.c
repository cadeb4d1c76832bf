/* Unit tests of the exports (viewer/export*.c), the heat gradient and the callers/callees data.
 *
 * Each export is written to a memory stream from the fixtures and read back: folded lines parsed,
 * the pprof message decoded field by field with protobuf-c (and un-gzipped with zlib), the SVG's
 * frames counted, the Chrome trace parsed with jansson and its nesting replayed. Totals are
 * compared with the functions' totals, stacks with the tree.
 */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "../common/parse_cases.h"
#include "export_test.h"

#include "callers.h"
#include "export.h"
#include "heat.h"
#include "profile.pb-c.h"

#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static hm_paths *load_text(const char *json) {
    char err[1024] = "";
    hm_paths *p = NULL;
    if (hm_paths_load_buffer(json, strlen(json), "t.json", &p, err, sizeof err) != 0)
        fail_msg("%s", err);
    return p;
}

/* Output of a writer into a malloc'd string. */
typedef int (*paths_writer)(FILE *out, const hm_paths *p, char *err, size_t errlen);

static char *capture(paths_writer w, const hm_paths *p, size_t *len) {
    char *buf = NULL, err[256];
    size_t n = 0;
    FILE *out = open_memstream(&buf, &n);
    assert_int_equal(w(out, p, err, sizeof err), 0);
    fclose(out);
    if (len)
        *len = n;
    return buf;
}

static int svg_default(FILE *out, const hm_paths *p, char *err, size_t errlen) {
    return hm_export_svg(out, p, NULL, err, errlen);
}

static size_t count_of(const char *haystack, const char *needle) {
    size_t n = 0;
    for (const char *s = strstr(haystack, needle); s; s = strstr(s + 1, needle))
        n++;
    return n;
}

/* "a;b;c" of node i, names as they are. */
static void stack_of(const hm_paths *p, size_t i, char *out, size_t outlen) {
    char tmp[1024] = "";
    out[0] = '\0';
    for (size_t v = i; v != HM_PATH_ROOT; v = p->nodes[v].parent) {
        snprintf(tmp, sizeof tmp, "%s%s%s", p->functions[p->nodes[v].function].name,
                 out[0] ? ";" : "", out);
        snprintf(out, outlen, "%s", tmp);
    }
}

/* ---- folded --------------------------------------------------------------------------------- */

static void test_exports_folded_callgraph(void **state) {
    (void)state;
    hm_paths *p = load_fixture("callgraph.json");
    char *text = capture(hm_export_folded, p, NULL);
    static const char *const stacks[] = {
        "run",     "run;checksum", "run;count_primes", "run;count_primes;is_prime",
        "run;fib", "run;msort",    "run;msort;merge",
    };
    uint64_t sum = 0;
    size_t n = 0;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save), n++) {
        char *space = strrchr(line, ' ');
        assert_non_null(space);
        *space = '\0';
        uint64_t v = strtoull(space + 1, NULL, 10);
        assert_true(n < 7);
        assert_string_equal(line, stacks[n]); /* root first, sorted */
        /* the value is the node's self time */
        for (size_t i = 1; i < p->nnodes; i++) {
            char s[512];
            stack_of(p, i, s, sizeof s);
            if (strcmp(s, line) == 0)
                assert_int_equal(v, p->nodes[i].self_ns);
        }
        sum += v;
    }
    assert_int_equal(n, 7);
    assert_int_equal(sum, hm_paths_function_self_ns(p));
    free(text);
    hm_paths_free(p);
}

static void test_exports_folded_merges_and_escapes(void **state) {
    (void)state;
    /* two functions "x;y" in different files under a: one line, summed, ';' escaped; a node
     * without self time gets no line */
    hm_paths *p = load_text(
        "{\"version\": 1, \"functions\": ["
        "{\"id\": 1, \"name\": \"a\", \"count\": 1, \"self_ns\": 0},"
        "{\"id\": 2, \"name\": \"x;y\", \"file\": \"1.c\", \"count\": 1, \"self_ns\": 5},"
        "{\"id\": 3, \"name\": \"x;y\", \"file\": \"2.c\", \"count\": 1, \"self_ns\": 7}],"
        "\"paths\": {\"trees\": [{\"thread\": 1, \"nodes\": [[1, 0, 1, 1, 0, 20], [2, 1, 2, 1, 5, "
        "5], [3, 1, 3, 1, 7, 7]]}]}}");
    char *text = capture(hm_export_folded, p, NULL);
    assert_string_equal(text, "a;x:y 12\n");
    free(text);
    hm_paths_free(p);
}

static void test_exports_folded_threads_total(void **state) {
    (void)state;
    const char *names[] = {"threads.json", "threads2.json"};
    hm_paths *p = load_fixtures(names, 2);
    char *text = capture(hm_export_folded, p, NULL);
    uint64_t sum = 0;
    const char *prev = NULL;
    for (char *save = NULL, *line = strtok_r(text, "\n", &save); line;
         line = strtok_r(NULL, "\n", &save)) {
        sum += strtoull(strrchr(line, ' ') + 1, NULL, 10);
        if (prev)
            assert_true(strcmp(prev, line) < 0); /* sorted, each stack once */
        prev = line;
    }
    assert_int_equal(sum, hm_paths_function_self_ns(p));
    free(text);
    hm_paths_free(p);
}

/* ---- pprof ---------------------------------------------------------------------------------- */

typedef Perftools__Profiles__Profile pb_profile;

static pb_profile *decode(const hm_paths *p) {
    uint8_t *buf;
    size_t len;
    char err[256];
    assert_int_equal(hm_pprof_encode(p, &buf, &len, err, sizeof err), 0);
    pb_profile *pr = perftools__profiles__profile__unpack(NULL, len, buf);
    free(buf);
    assert_non_null(pr);
    return pr;
}

static const char *str(const pb_profile *pr, int64_t i) {
    assert_true(i >= 0 && (size_t)i < pr->n_string_table);
    return pr->string_table[i];
}

/* The function behind a location id (one line per location). */
static const Perftools__Profiles__Function *location_function(const pb_profile *pr, uint64_t id) {
    for (size_t i = 0; i < pr->n_location; i++)
        if (pr->location[i]->id == id) {
            assert_int_equal(pr->location[i]->n_line, 1);
            for (size_t k = 0; k < pr->n_function; k++)
                if (pr->function[k]->id == pr->location[i]->line[0]->function_id)
                    return pr->function[k];
        }
    fail_msg("location %llu has no function", (unsigned long long)id);
    return NULL;
}

static void test_exports_pprof_fields(void **state) {
    (void)state;
    hm_paths *p = load_fixture("callgraph.json");
    pb_profile *pr = decode(p);
    /* string table starts with "", sample types (calls, count), (cpu, nanoseconds) */
    assert_string_equal(str(pr, 0), "");
    assert_int_equal(pr->n_sample_type, 2);
    assert_string_equal(str(pr, pr->sample_type[0]->type), "calls");
    assert_string_equal(str(pr, pr->sample_type[0]->unit), "count");
    assert_string_equal(str(pr, pr->sample_type[1]->type), "cpu");
    assert_string_equal(str(pr, pr->sample_type[1]->unit), "nanoseconds");
    assert_string_equal(str(pr, pr->default_sample_type), "cpu");
    assert_int_equal(pr->time_nanos, (int64_t)p->start_unix_ns);
    assert_int_equal(pr->duration_nanos, (int64_t)p->elapsed_ns);
    /* one mapping, the program, already symbolized */
    assert_int_equal(pr->n_mapping, 1);
    assert_int_equal(pr->mapping[0]->id, 1);
    assert_string_equal(str(pr, pr->mapping[0]->filename), "/tmp/callgraph");
    assert_true(pr->mapping[0]->has_functions && pr->mapping[0]->has_filenames &&
                pr->mapping[0]->has_line_numbers);
    for (size_t i = 0; i < pr->n_location; i++)
        assert_int_equal(pr->location[i]->mapping_id, 1);
    /* functions: name, file, start line; ids non-zero and unique */
    for (size_t i = 0; i < pr->n_function; i++) {
        const Perftools__Profiles__Function *f = pr->function[i];
        assert_int_not_equal(f->id, 0);
        if (strcmp(str(pr, f->name), HM_EXPORT_BEYOND_LIMIT) == 0)
            continue;
        size_t k = hm_paths_find_function(p, str(pr, f->name), str(pr, f->filename),
                                          (uint32_t)f->start_line);
        assert_int_not_equal(k, HM_PATH_NO_FUNCTION);
        assert_string_equal(str(pr, f->filename), "callgraph.c");
        for (size_t j = 0; j < i; j++)
            assert_int_not_equal(pr->function[j]->id, f->id);
    }
    /* one sample per node, stack leaf first, values [count, self] */
    assert_int_equal(pr->n_sample, p->nnodes - 1);
    int64_t calls = 0, cpu = 0;
    for (size_t s = 0; s < pr->n_sample; s++) {
        const Perftools__Profiles__Sample *sm = pr->sample[s];
        assert_int_equal(sm->n_value, 2);
        char stack[1024] = "", tmp[1024];
        for (size_t k = 0; k < sm->n_location_id; k++) { /* leaf first: prepend */
            snprintf(tmp, sizeof tmp, "%s%s%s",
                     str(pr, location_function(pr, sm->location_id[k])->name), stack[0] ? ";" : "",
                     stack);
            snprintf(stack, sizeof stack, "%s", tmp);
        }
        bool found = false;
        for (size_t i = 1; i < p->nnodes; i++) {
            char s2[1024];
            stack_of(p, i, s2, sizeof s2);
            if (strcmp(s2, stack) == 0) {
                found = true;
                assert_int_equal(sm->value[0], (int64_t)p->nodes[i].count);
                assert_int_equal(sm->value[1], (int64_t)p->nodes[i].self_ns);
            }
        }
        if (!found)
            fail_msg("sample stack %s is not a node", stack);
        calls += sm->value[0];
        cpu += sm->value[1];
    }
    assert_int_equal(calls, (int64_t)hm_paths_function_calls(p));
    assert_int_equal(cpu, (int64_t)hm_paths_function_self_ns(p));
    perftools__profiles__profile__free_unpacked(pr, NULL);
    hm_paths_free(p);
}

static void test_exports_pprof_beyond_limit(void **state) {
    (void)state;
    hm_paths *p = load_fixture("folded.json");
    pb_profile *pr = decode(p);
    int64_t calls = 0, cpu = 0, beyond = 0;
    for (size_t s = 0; s < pr->n_sample; s++) {
        const Perftools__Profiles__Sample *sm = pr->sample[s];
        const Perftools__Profiles__Function *outer =
            location_function(pr, sm->location_id[sm->n_location_id - 1]);
        if (strcmp(str(pr, outer->name), HM_EXPORT_BEYOND_LIMIT) == 0) {
            assert_int_equal(sm->n_location_id, 2);
            assert_int_equal(sm->value[1], 0);
            beyond += sm->value[0];
        }
        calls += sm->value[0];
        cpu += sm->value[1];
    }
    assert_int_equal(beyond, (int64_t)p->folded_calls);
    assert_int_equal(calls, (int64_t)hm_paths_function_calls(p));
    assert_int_equal(cpu, (int64_t)hm_paths_function_self_ns(p));
    perftools__profiles__profile__free_unpacked(pr, NULL);
    hm_paths_free(p);
}

static void test_exports_pprof_gzip(void **state) {
    (void)state;
    hm_paths *p = load_fixture("threads.json");
    size_t zlen;
    unsigned char *z = (unsigned char *)capture(hm_export_pprof, p, &zlen);
    assert_true(zlen > 18);
    assert_int_equal(z[0], 0x1f); /* gzip magic */
    assert_int_equal(z[1], 0x8b);
    uint8_t *raw;
    size_t len;
    char err[256];
    assert_int_equal(hm_pprof_encode(p, &raw, &len, err, sizeof err), 0);
    unsigned char *back = malloc(len + 16);
    z_stream s = {0};
    assert_int_equal(inflateInit2(&s, 15 + 16), Z_OK);
    s.next_in = z;
    s.avail_in = (uInt)zlen;
    s.next_out = back;
    s.avail_out = (uInt)len + 16;
    assert_int_equal(inflate(&s, Z_FINISH), Z_STREAM_END);
    assert_int_equal(s.total_out, len);
    assert_memory_equal(back, raw, len);
    inflateEnd(&s);
    free(back);
    free(raw);
    free(z);
    hm_paths_free(p);
}

/* ---- svg and the heat gradient -------------------------------------------------------------- */

static void test_exports_heat_gradient(void **state) {
    (void)state;
    assert_int_equal(hm_heat_xterm256(1.0), 196);
    assert_int_equal(hm_heat_xterm256(0.0), 46);
    assert_int_equal(hm_heat_xterm256(0.5), 226);
    assert_int_equal(hm_heat_xterm256(-3), 46);
    assert_int_equal(hm_heat_xterm256(NAN), 46);
    assert_int_equal(hm_heat_xterm256(7), 196);
    assert_int_equal(hm_heat_rgb(1.0), 0xff0000);
    assert_int_equal(hm_heat_rgb(0.5), 0xffff00);
    assert_int_equal(hm_heat_rgb(0.0), 0x00ff00);
    assert_int_equal(hm_heat_rgb(0.9), 0xff5f00); /* 202 */
}

static void test_exports_svg_frames(void **state) {
    (void)state;
    hm_paths *p = load_fixture("threads.json");
    char *svg = capture(svg_default, p, NULL);
    assert_non_null(strstr(svg, "<?xml"));
    assert_int_equal(count_of(svg, "<g class=\"f\" "), p->nnodes - 1); /* a frame per node */
    assert_int_equal(count_of(svg, "<g class=\"root\" data-n=\"all\">"), 1);
    assert_int_equal(count_of(svg, "<rect "), p->nnodes + 1); /* + the background */
    assert_non_null(strstr(svg, "<g class=\"f\" data-n=\"ns::Parser&lt;std::map&lt;"));
    assert_non_null(strstr(svg, "]]></script>\n</svg>\n"));
    assert_int_equal(count_of(svg, "<g "), count_of(svg, "</g>"));
    assert_int_equal(count_of(svg, "<title>"), p->nnodes);
    /* the hottest function is red, the root spans the whole width (1200 - 2 * 10) */
    assert_non_null(strstr(svg, "fill=\"#ff0000\""));
    assert_non_null(strstr(svg, "x=\"10.00\" y=\""));
    assert_non_null(strstr(svg, "width=\"1180.000\""));
    /* names are escaped; the tooltip has calls, self and total */
    assert_non_null(strstr(svg, "ns::Parser&lt;std::map&lt;std::string, int&gt;&gt;::parse"));
    assert_non_null(strstr(svg, "calls: 2 | self: "));
    assert_null(strstr(svg, "<std::"));
    free(svg);
    hm_paths_free(p);
}

static void test_exports_svg_clips_names(void **state) {
    (void)state;
    hm_paths *p = load_text(
        "{\"version\": 1, \"functions\": ["
        "{\"id\": 1, \"name\": \"outer\", \"count\": 1, \"self_ns\": 900},"
        "{\"id\": 2, \"name\": \"a_rather_long_function_name\", \"count\": 1, \"self_ns\": 100}],"
        "\"paths\": {\"trees\": [{\"thread\": 1, \"nodes\": [[1, 0, 1, 1, 900, 1000], [2, 1, 2, "
        "1, 100, 100]]}]}}");
    char *buf = NULL, err[256];
    size_t n;
    FILE *out = open_memstream(&buf, &n);
    hm_svg_opts o = {.width = 420, .title = "t & t"};
    assert_int_equal(hm_export_svg(out, p, &o, err, sizeof err), 0);
    fclose(out);
    /* the inner frame is 40 px wide: 4 characters fit, so 3 and an ellipsis */
    assert_non_null(strstr(buf, ">a_r…</text>"));
    assert_non_null(strstr(buf, ">outer</text>"));
    assert_non_null(strstr(buf, "t &amp; t"));
    free(buf);
    hm_paths_free(p);
}

/* ---- chrome --------------------------------------------------------------------------------- */

/* Parse a Chrome trace and replay each thread's B/E events: they must nest by name, with
 * non-decreasing times. Returns the number of B events. */
static size_t check_chrome(const char *text, size_t *metadata) {
    json_error_t jerr;
    json_t *root = json_loads(text, 0, &jerr);
    if (root == NULL)
        fail_msg("chrome trace is not JSON: %s (line %d)", jerr.text, jerr.line);
    json_t *events = json_object_get(root, "traceEvents");
    assert_true(json_is_array(events));
    size_t begins = 0;
    *metadata = 0;
    char stack[64][256];
    size_t depth = 0;
    double last = -1;
    json_int_t tid = -1;
    for (size_t i = 0; i < json_array_size(events); i++) {
        json_t *e = json_array_get(events, i);
        const char *ph = json_string_value(json_object_get(e, "ph"));
        const char *name = json_string_value(json_object_get(e, "name"));
        assert_non_null(ph);
        assert_non_null(name);
        assert_true(json_is_integer(json_object_get(e, "pid")));
        assert_true(json_is_integer(json_object_get(e, "tid")));
        if (strcmp(ph, "M") == 0) {
            (*metadata)++;
            assert_non_null(json_string_value(json_object_get(json_object_get(e, "args"), "name")));
            continue;
        }
        json_int_t t = json_integer_value(json_object_get(e, "tid"));
        if (t != tid) { /* a new thread starts with no open frame */
            assert_int_equal(depth, 0);
            tid = t;
            last = -1;
        }
        json_t *ts = json_object_get(e, "ts");
        assert_true(json_is_number(ts));
        assert_true(json_number_value(ts) >= last);
        last = json_number_value(ts);
        if (strcmp(ph, "B") == 0) {
            assert_true(depth < 64);
            snprintf(stack[depth++], sizeof stack[0], "%s", name);
            begins++;
        } else {
            assert_string_equal(ph, "E");
            assert_true(depth > 0);
            assert_string_equal(stack[--depth], name);
        }
    }
    assert_int_equal(depth, 0);
    json_decref(root);
    return begins;
}

static void test_exports_chrome_fixture(void **state) {
    (void)state;
    char path[1024], err[1024];
    snprintf(path, sizeof path, "%s/threads.json", HM_FIXTURES);
    hm_trace *t = NULL;
    assert_int_equal(hm_trace_load(path, NULL, &t, err, sizeof err), 0);
    char *buf = NULL;
    size_t n;
    FILE *out = open_memstream(&buf, &n);
    const hm_trace *const traces[] = {t};
    assert_int_equal(hm_export_chrome(out, traces, 1, err, sizeof err), 0);
    fclose(out);
    size_t meta, events = 0;
    for (size_t i = 0; i < t->nthreads; i++)
        events += t->threads[i].nevents;
    assert_int_equal(check_chrome(buf, &meta), events / 2);
    assert_int_equal(meta, 1 + t->nthreads); /* process_name + thread_name per thread */
    assert_non_null(strstr(buf, "\"thread_name\",\"args\":{\"name\":\"worker-0\"}"));
    /* microseconds with the nanoseconds as three decimals */
    char first[64];
    snprintf(first, sizeof first, "\"ts\":%llu.%03llu,",
             (unsigned long long)t->threads[1].events[0].ns / 1000,
             (unsigned long long)t->threads[1].events[0].ns % 1000);
    assert_non_null(strstr(buf, first));
    free(buf);
    hm_trace_free(t);
}

static void test_exports_chrome_closes_open_frames(void **state) {
    (void)state;
    const char *results = "{\"version\": 1, \"elapsed_ns\": 123456, \"functions\": ["
                          "{\"id\": 4, \"name\": \"loop\", \"count\": 1, \"self_ns\": 1},"
                          "{\"id\": 5, \"name\": \"q\\\"uote\", \"count\": 1, \"self_ns\": 1}]}";
    const char *trace = "{\"version\": 1, \"pid\": 3, \"threads\": [{\"tid\": 9, \"name\": "
                        "\"w\", \"events\": [[1000, 4, 1], [1500, 5, 1], [1600, 5, 0], [1700, 5, "
                        "1]]}]}";
    char err[1024];
    hm_trace *t = NULL;
    assert_int_equal(hm_trace_load_buffers(results, strlen(results), "r.json", trace, strlen(trace),
                                           "r.trace.json", &t, err, sizeof err),
                     0);
    char *buf = NULL;
    size_t n, meta;
    FILE *out = open_memstream(&buf, &n);
    const hm_trace *const traces[] = {t};
    assert_int_equal(hm_export_chrome(out, traces, 1, err, sizeof err), 0);
    fclose(out);
    assert_int_equal(check_chrome(buf, &meta), 3);
    /* both open frames end at elapsed_ns, innermost first */
    assert_non_null(
        strstr(buf, "{\"ph\":\"E\",\"pid\":3,\"tid\":9,\"ts\":123.456,\"name\":\"q\\\"uote\"}"
                    ",\n{\"ph\":\"E\",\"pid\":3,\"tid\":9,\"ts\":123.456,\"name\":\"loop\"}"));
    free(buf);
    hm_trace_free(t);
}

/* ---- callers and callees -------------------------------------------------------------------- */

static const hm_call_edge *edge(const hm_call_edge *edges, size_t n, const char *name) {
    for (size_t i = 0; i < n; i++)
        if (name == NULL ? edges[i].function == NULL
                         : edges[i].function && strcmp(edges[i].function->name, name) == 0)
            return &edges[i];
    return NULL;
}

static void test_exports_callers_callgraph(void **state) {
    (void)state;
    hm_paths *p = load_fixture("callgraph.json");
    hm_call_summary s;
    assert_int_equal(hm_callers_compute(p, "run", "callgraph.c", 76, &s), 0);
    assert_int_equal(s.ncallers, 1);
    assert_null(s.callers[0].function); /* outermost */
    assert_true(fabs(s.callers[0].share - 1.0) < 1e-12);
    assert_int_equal(s.ncallees, 4);
    double sum = s.self_share;
    for (size_t i = 0; i < s.ncallees; i++) {
        sum += s.callees[i].share;
        if (i > 0) /* largest first */
            assert_true(s.callees[i - 1].total_ns >= s.callees[i].total_ns);
    }
    assert_true(fabs(sum - 1.0) < 1e-9); /* run's time = self + its callees' totals */
    /* the fib node under run counts its recursive activations too (one node, 2*F(6)-1 calls) */
    assert_int_equal(edge(s.callees, s.ncallees, "fib")->calls, 15);
    hm_call_summary_free(&s);

    assert_int_equal(hm_callers_compute(p, "merge", "callgraph.c", 36, &s), 0);
    assert_int_equal(s.ncallers, 1);
    assert_string_equal(s.callers[0].function->name, "msort");
    assert_int_equal(s.callers[0].calls, 7);
    assert_true(fabs(s.callers[0].share - 1.0) < 1e-12);
    assert_int_equal(s.ncallees, 0);
    hm_call_summary_free(&s);

    /* recursion: fib never lists itself */
    assert_int_equal(hm_callers_compute(p, "fib", "callgraph.c", 16, &s), 0);
    assert_int_equal(s.calls, 15);
    assert_null(edge(s.callers, s.ncallers, "fib"));
    assert_null(edge(s.callees, s.ncallees, "fib"));
    hm_call_summary_free(&s);

    assert_int_equal(hm_callers_compute(p, "nope", "", 0, &s), 1);
    assert_int_equal(s.ncallers + s.ncallees, 0);
    hm_call_summary_free(&s);
    assert_int_equal(hm_callers_compute(NULL, "run", "", 0, &s), 1);
    hm_paths_free(p);
}

static void test_exports_callers_mutual_recursion(void **state) {
    (void)state;
    hm_paths *p = load_fixture("threads.json");
    hm_call_summary s;
    size_t term = hm_paths_find_function(p, "parse_term", "parser.cpp", 140);
    assert_int_equal(hm_callers_compute_index(p, term, &s), 0);
    /* parse_term is called by parse_expr at depth 3 and 5, in both workers */
    assert_int_equal(s.ncallers, 1);
    assert_int_equal(s.callers[0].calls, 4);
    assert_true(fabs(s.callers[0].share - 1.0) < 1e-12);
    /* its time counts its outermost node only */
    size_t outer = SIZE_MAX;
    for (size_t i = 1; i < p->nnodes; i++)
        if (p->nodes[i].function == term && p->nodes[i].depth == 3)
            outer = i;
    assert_int_equal(s.total_ns, p->nodes[outer].total_ns);
    const hm_call_edge *e = edge(s.callees, s.ncallees, "parse_expr");
    assert_non_null(e);
    assert_int_equal(e->calls, 2);
    assert_true(e->share > 0 && e->share < 1);
    hm_call_summary_free(&s);

    /* report has two callers: main_loop and worker; shares add up to 1 */
    assert_int_equal(hm_callers_compute(p, "report", "report.c", 12, &s), 0);
    assert_int_equal(s.ncallers, 2);
    assert_true(fabs(s.callers[0].share + s.callers[1].share - 1.0) < 1e-9);
    assert_int_equal(edge(s.callers, s.ncallers, "main_loop")->calls, 2);
    assert_int_equal(edge(s.callers, s.ncallers, "worker")->calls, 2);
    hm_call_summary_free(&s);
    hm_paths_free(p);
}

/* ---- the command-line driver ---------------------------------------------------------------- */

static void test_exports_run(void **state) {
    (void)state;
    static const struct parse_case kinds[] = {
        {"pprof", 0, HM_EXPORT_PPROF}, {"svg", 0, HM_EXPORT_SVG}, {"perfetto", -1, 0}};
    ASSERT_PARSE_CASES(hm_export_kind_parse, hm_export_kind, kinds);
    assert_string_equal(hm_export_default_output(HM_EXPORT_FOLDED), "heatmap.folded");

    char dir[] = "/tmp/hm_export_test.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char out[1200], in[1024], err[1024];
    snprintf(out, sizeof out, "%s/out.folded", dir);
    snprintf(in, sizeof in, "%s/callgraph.json", HM_FIXTURES);
    const char *files[] = {in};
    assert_int_equal(hm_export_run(HM_EXPORT_FOLDED, files, 1, out, err, sizeof err), 0);
    assert_int_equal(access(out, R_OK), 0);
    /* a failed load leaves an existing output alone */
    snprintf(in, sizeof in, "%s/nopaths.json", HM_FIXTURES);
    assert_int_equal(hm_export_run(HM_EXPORT_SVG, files, 1, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "no call paths"));
    assert_int_equal(access(out, R_OK), 0);
    /* chrome without a trace says how to get one */
    assert_int_equal(hm_export_run(HM_EXPORT_CHROME, files, 1, out, err, sizeof err), -1);
    assert_non_null(strstr(err, "run the program with HEATMAP_TRACE=1"));
    unlink(out);
    rmdir(dir);
}

HM_TEST_MAIN({
    cmocka_unit_test(test_exports_folded_callgraph),
    cmocka_unit_test(test_exports_folded_merges_and_escapes),
    cmocka_unit_test(test_exports_folded_threads_total),
    cmocka_unit_test(test_exports_pprof_fields),
    cmocka_unit_test(test_exports_pprof_beyond_limit),
    cmocka_unit_test(test_exports_pprof_gzip),
    cmocka_unit_test(test_exports_heat_gradient),
    cmocka_unit_test(test_exports_svg_frames),
    cmocka_unit_test(test_exports_svg_clips_names),
    cmocka_unit_test(test_exports_chrome_fixture),
    cmocka_unit_test(test_exports_chrome_closes_open_frames),
    cmocka_unit_test(test_exports_callers_callgraph),
    cmocka_unit_test(test_exports_callers_mutual_recursion),
    cmocka_unit_test(test_exports_run),
})
