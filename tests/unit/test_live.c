/* Unit tests of heatmap-view's live view (viewer/live.c) and of the model's rebuild on new results
 * (viewer/model.c): the --interval parser, a read again that shows new figures, a failed read that
 * keeps the last results and says so on the status line, a read cancelled by the terminal while
 * the program does not answer, and the user's state (selection by name, scroll, mode, sort,
 * filter) across new results whose order changed, and the call paths read with the results. The
 * server is a socket of this test that answers one request per thread with a results document made
 * here. */
#define _POSIX_C_SOURCE 200809L
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "../common/test_main.h"

#include "live.h"
#include "model.h"

#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* ---- --interval ------------------------------------------------------------------------------ */

static void test_live_parse_interval(void **state) {
    (void)state;
    static const struct {
        const char *text;
        unsigned ms;
    } good[] = {{"500ms", 500}, {"2s", 2000},  {"1.5s", 1500},  {"1", 1000},     {"0.25", 250},
                {"100ms", 100}, {"1m", 60000}, {"1h", 3600000}, {"1m30s", 90000}};
    for (size_t i = 0; i < sizeof good / sizeof *good; i++) {
        unsigned ms = 0;
        char err[256] = "";
        assert_int_equal(hm_live_parse_interval(good[i].text, &ms, err, sizeof err), 0);
        assert_int_equal(ms, good[i].ms);
    }
    static const char *const bad[] = {"",    "abc", "5min", "50ms", "99ms",  "2h",   "-1",
                                      "1s ", "0",   "1e3",  "s",    "1.5 s", "0.05", "ms5"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        unsigned ms = 777;
        char err[256] = "";
        assert_int_equal(hm_live_parse_interval(bad[i], &ms, err, sizeof err), -1);
        assert_int_equal(ms, 777);
        /* the message names the flag, the value and the accepted form */
        char quoted[64];
        snprintf(quoted, sizeof quoted, "'%s'", bad[i]);
        assert_non_null(strstr(err, "--interval: "));
        assert_non_null(strstr(err, quoted));
        assert_non_null(strstr(err, "500ms"));
        assert_non_null(strstr(err, "100ms to 1h"));
    }
}

/* ---- Results documents ------------------------------------------------------------------------
 */

#define HEADER                                                                                     \
    "\"version\":1,\"elapsed_ns\":1000000,\"histogram\":{\"kind\":\"log-linear\","                 \
    "\"sub_bucket_bits\":5},\"threads\":[]"

/* A results document with functions alpha, beta, gamma, delta of the given self times (ns, 1500 to
 * 3000: each called twice, the longest call 1500 ns), and call paths in which alpha calls beta. */
static void make_doc(char *buf, size_t len, const unsigned self[4]) {
    static const char *const names[] = {"alpha", "beta", "gamma", "delta"};
    int n = snprintf(buf, len, "{" HEADER ",\"functions\":[");
    for (int i = 0; i < 4; i++)
        n += snprintf(buf + n, len - (size_t)n,
                      "%s{\"id\":%d,\"name\":\"%s\",\"file\":\"a.c\",\"line\":%d,"
                      "\"count\":2,\"self_ns\":%u,\"max_ns\":1500,"
                      "\"histogram\":[[158,1],[206,1]]}",
                      i ? "," : "", i + 1, names[i], i + 1, self[i]);
    snprintf(buf + n, len - (size_t)n,
             "],\"paths\":{\"max_nodes\":100,\"folded_calls\":0,\"trees\":[{\"thread\":1,"
             "\"nodes\":[[1,0,1,2,%u,%u],[2,1,2,2,%u,%u]]}]}}",
             self[0], self[0] + self[1], self[1], self[1]);
}

static hm_results *load_doc(const unsigned self[4]) {
    char doc[4096], err[512];
    make_doc(doc, sizeof doc, self);
    hm_results *r = NULL;
    if (hm_results_load_buffer(doc, strlen(doc), "doc", &r, err, sizeof err) != 0)
        fail_msg("fixture does not load: %s", err);
    return r;
}

static const char *selected_name(const hm_model *m) {
    const hm_function_stats *f = hm_model_selected(m);
    return f ? f->name : "(none)";
}

/* ---- The model on new results -----------------------------------------------------------------
 */

static void test_live_model_keeps_state(void **state) {
    (void)state;
    hm_results *first = load_doc((const unsigned[]){2900, 2700, 2500, 2300});
    hm_model m;
    assert_int_equal(hm_model_init(&m, first), 0);
    hm_model_set_mode(&m, HM_MODE_TABLE);
    hm_model_set_sort(&m, HM_SORT_SELF);
    hm_model_cycle_pct(&m);
    /* by self time: alpha, beta, gamma, delta; select gamma (row 2) */
    hm_model_move(&m, 2);
    assert_string_equal(selected_name(&m), "gamma");
    m.scroll = 1; /* gamma on the second line of the window */

    /* The order turns around: gamma is now row 1. The selection follows the name, not the row,
     * and stays on the same line of the window. */
    hm_results *second = load_doc((const unsigned[]){2300, 2500, 2800, 2900});
    assert_int_equal(hm_model_replace_results(&m, second), 0);
    assert_ptr_equal(m.results, second);
    assert_string_equal(selected_name(&m), "gamma");
    assert_int_equal(m.selected, 1);
    assert_int_equal(m.scroll, 0);
    assert_int_equal(m.mode, HM_MODE_TABLE);
    assert_int_equal(m.sort, HM_SORT_SELF);
    assert_int_equal(m.pct, HM_PCT_P50);
    assert_string_equal(hm_model_row(&m, 0)->name, "delta");
    assert_int_equal(hm_model_row(&m, 1)->self_ns, 2800);

    /* A filter stays, and the rows follow it on the new results. */
    hm_model_set_filter(&m, "a");    /* alpha beta gamma delta all contain 'a' */
    hm_model_set_filter(&m, "*mm*"); /* gamma */
    hm_results *third = load_doc((const unsigned[]){2900, 2800, 2700, 2600});
    assert_int_equal(hm_model_replace_results(&m, third), 0);
    assert_string_equal(m.filter, "*mm*");
    assert_int_equal(m.nrows, 1);
    assert_string_equal(selected_name(&m), "gamma");

    /* hm_model_index_of: by name, file and line. */
    assert_int_equal(hm_model_index_of(&m, &second->functions[3]), 3); /* delta */
    assert_int_equal(hm_model_index_of(&m, NULL), SIZE_MAX);
    hm_model_free(&m);
    hm_results_free(first);
    hm_results_free(second);
    hm_results_free(third);
}

/* ---- A server of our own ----------------------------------------------------------------------
 */

typedef struct server {
    int fd;
    char body[4096];
    char url[64];
    const char *files[1]; /* url, for hm_live_open */
} server;

static int listen_any(int *port) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(listen(fd, 4), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    *port = ntohs(a.sin_port);
    return fd;
}

/* Answer one request with s->body. */
static void *serve_one(void *arg) {
    server *s = arg;
    int c = accept(s->fd, NULL, NULL);
    if (c < 0)
        return NULL;
    char req[4096];
    size_t got = 0;
    while (got < sizeof req - 1) {
        ssize_t n = recv(c, req + got, sizeof req - 1 - got, 0);
        if (n <= 0)
            break;
        got += (size_t)n;
        req[got] = '\0';
        if (strstr(req, "\r\n\r\n") != NULL)
            break;
    }
    char head[128];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n"
                     "Content-Length: %zu\r\n\r\n",
                     strlen(s->body));
    if (send(c, head, (size_t)n, MSG_NOSIGNAL) == n)
        (void)send(c, s->body, strlen(s->body), MSG_NOSIGNAL);
    close(c);
    return NULL;
}

/* Listen on a free port, and open a live view of it whose first read gets a document of the given
 * self times. */
static hm_live *open_served(server *s, const unsigned self[4], bool want_paths,
                            unsigned interval_ms, uint64_t now_ms) {
    int port;
    s->fd = listen_any(&port);
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", port);
    s->files[0] = s->url;
    make_doc(s->body, sizeof s->body, self);
    pthread_t th;
    pthread_create(&th, NULL, serve_one, s);
    hm_live *l = NULL;
    char err[512];
    int rc = hm_live_open(s->files, 1, want_paths, interval_ms, now_ms, &l, err, sizeof err);
    pthread_join(th, NULL);
    if (rc != 0)
        fail_msg("hm_live_open: %s", err);
    return l;
}

static int server_port(const server *s) {
    return atoi(strrchr(s->url, ':') + 1);
}

static void test_live_reads_again_and_keeps_last_data(void **state) {
    (void)state;
    server s;
    char status[1024];
    const char *url = s.url;
    /* The first read, at t = 10 s. */
    hm_live *l = open_served(&s, (const unsigned[]){2900, 2700, 2500, 2300}, true, 500, 10000);
    int port = server_port(&s);
    assert_int_equal(hm_live_results(l)->functions[0].self_ns, 2900);
    /* The call paths come with the results (one parse): root, alpha, alpha;beta. */
    assert_non_null(hm_live_paths(l));
    assert_int_equal(hm_live_paths(l)->nnodes, 3);
    assert_int_equal(hm_live_paths(l)->nodes[2].self_ns, 2700);
    assert_int_equal(hm_live_due_ms(l, 10100), 400);
    assert_int_equal(hm_live_due_ms(l, 10500), 0);
    assert_false(hm_live_status(l, 10400, status, sizeof status));
    char want[256];
    snprintf(want, sizeof want, "live %s | updated 0.4 s ago | every 500 ms", url);
    assert_string_equal(status, want);

    /* Read again: the new figures are pending until accepted; the old stay shown until then. */
    make_doc(s.body, sizeof s.body, (const unsigned[]){2950, 2700, 2500, 2300});
    pthread_t th;
    pthread_create(&th, NULL, serve_one, &s);
    hm_live_outcome out = hm_live_refresh(l, -1, 10500);
    pthread_join(th, NULL);
    assert_int_equal(out, HM_LIVE_UPDATED);
    assert_int_equal(hm_live_results(l)->functions[0].self_ns, 2900);
    assert_int_equal(hm_live_next_results(l)->functions[0].self_ns, 2950);
    assert_int_equal(hm_live_next_paths(l)->nodes[1].self_ns, 2950);
    hm_live_accept(l, true);
    assert_null(hm_live_next_results(l));
    assert_int_equal(hm_live_results(l)->functions[0].self_ns, 2950);
    assert_int_equal(hm_live_due_ms(l, 10600), 400);

    /* The program is gone: the read fails, the last results stay, the status says since when. */
    close(s.fd);
    assert_int_equal(hm_live_refresh(l, -1, 11000), HM_LIVE_FAILED);
    assert_null(hm_live_next_results(l));
    assert_int_equal(hm_live_results(l)->functions[0].self_ns, 2950);
    assert_true(hm_live_status(l, 12500, status, sizeof status));
    assert_non_null(strstr(status, "not answering since "));
    assert_non_null(strstr(status, "; last data kept | updated 2.0 s ago | cannot connect: "));
    assert_null(strstr(status + strlen(url) + 5, url)); /* the URL once, at the start */
    assert_int_equal(hm_live_due_ms(l, 11000), 500);    /* and it goes on trying */

    /* It answers again (the same port): shown again, the failure forgotten. */
    int again = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), one = 1;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    setsockopt(again, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(again, (struct sockaddr *)&a, sizeof a) == 0 && listen(again, 4) == 0) {
        s.fd = again;
        make_doc(s.body, sizeof s.body, (const unsigned[]){2990, 2700, 2500, 2300});
        pthread_create(&th, NULL, serve_one, &s);
        out = hm_live_refresh(l, -1, 11500);
        pthread_join(th, NULL);
        assert_int_equal(out, HM_LIVE_UPDATED);
        hm_live_accept(l, true);
        assert_int_equal(hm_live_results(l)->functions[0].self_ns, 2990);
        assert_false(hm_live_status(l, 11500, status, sizeof status));
    } /* else the port was taken meanwhile: nothing to check there */
    close(again);
    hm_live_close(l);
}

/* A program that accepts but never answers (stopped) holds a read up until a key comes. */
static void test_live_read_cancelled_by_a_key(void **state) {
    (void)state;
    server s;
    hm_live *l = open_served(&s, (const unsigned[]){2900, 2700, 2500, 2300}, false, 1000, 0);
    assert_null(hm_live_paths(l)); /* not asked for */

    /* Nobody accepts now (the connection waits in the backlog); a key is already there. */
    int key[2];
    assert_int_equal(pipe(key), 0);
    assert_int_equal(write(key[1], "q", 1), 1);
    assert_int_equal(hm_live_refresh(l, key[0], 1000), HM_LIVE_CANCELLED);
    assert_int_equal(hm_live_due_ms(l, 1000), 0); /* tried again when next due */
    char status[512];
    assert_false(hm_live_status(l, 1000, status, sizeof status)); /* not a failure */
    close(key[0]);
    close(key[1]);
    close(s.fd);
    hm_live_close(l);
}

/* The first read fails like a one-shot read: nothing to show. */
static void test_live_open_fails(void **state) {
    (void)state;
    int port;
    int fd = listen_any(&port);
    close(fd); /* nobody listens there now */
    char url[64], err[512] = "";
    snprintf(url, sizeof url, "http://127.0.0.1:%d", port);
    const char *files[] = {url};
    hm_live *l = NULL;
    assert_int_equal(hm_live_open(files, 1, true, 1000, 0, &l, err, sizeof err), -1);
    assert_null(l);
    assert_non_null(strstr(err, url));
    assert_non_null(strstr(err, "cannot connect"));
}

HM_TEST_MAIN({
    cmocka_unit_test(test_live_parse_interval),
    cmocka_unit_test(test_live_model_keeps_state),
    cmocka_unit_test(test_live_reads_again_and_keeps_last_data),
    cmocka_unit_test(test_live_read_cancelled_by_a_key),
    cmocka_unit_test(test_live_open_fails),
})
