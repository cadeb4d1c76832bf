/* The live server's HTTP layer: hm_server_start_v1 / hm_server_stop_v1 (heatmap/export_api.h) on
 * libmicrohttpd.
 *
 * Design (docs/server.md). The runtime binds the socket and calls in with callbacks; this file
 * runs libmicrohttpd on that socket with one thread per connection (so a 30-second CPU profile does
 * not hold up /metrics), all of them made while the runtime blocks every signal and marks the
 * thread quiet, so the program's signals and profiles never see them. Limits: at most
 * HM_HTTP_CONNECTIONS connections (HM_HTTP_PER_IP from one address), a request line and headers
 * within HM_HTTP_MEMORY bytes (libmicrohttpd answers 431/414 beyond), HM_HTTP_TIMEOUT seconds of
 * silence closes a connection, GET only (anything else: 405 with Allow: GET), and only the paths of
 * the route table in server_profiles.c (anything else: 404). libmicrohttpd sends with MSG_NOSIGNAL
 * (no SIGPIPE) and makes its descriptors close-on-exec. Between requests the threads sleep in poll.
 *
 * Each request asks the runtime for a document in a memory file (memfd_create, close-on-exec),
 * reads it back and hands it to server_profiles.c, whose encoders are the files' encoders. A
 * windowed request (profile, trace) waits on a condition variable, so hm_server_stop_v1 wakes it at
 * once (503) and joins it; only one CPU profile runs at a time (another gets 500, as in Go).
 */
#define _GNU_SOURCE
#include "server.h"

#include <heatmap/export_api.h>

#include <errno.h>
#include <microhttpd.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define HM_HTTP_CONNECTIONS 16
#define HM_HTTP_PER_IP 8
#define HM_HTTP_TIMEOUT 10         /* seconds */
#define HM_HTTP_MEMORY (16 * 1024) /* per connection: request line and headers */

typedef struct hm_http {
    struct MHD_Daemon *daemon;
    const hm_server_host_v1 *host;
    pthread_mutex_t lock; /* stopping, and the wait of windowed requests */
    pthread_cond_t wake;
    bool stopping;
    pthread_mutex_t cpu; /* one CPU profile at a time */
} hm_http;

/* A document of the runtime, read back from a memory file; NULL when the callback failed. */
static char *fetch(int (*write)(int), int (*write_kind)(int, int), int kind, size_t *len) {
    int fd = memfd_create("heatmap-live", MFD_CLOEXEC);
    if (fd < 0)
        return NULL;
    char *data = NULL;
    struct stat st;
    int rc = write ? write(fd) : write_kind(kind, fd);
    if (rc == 0 && fstat(fd, &st) == 0 && (data = malloc((size_t)st.st_size + 1)) != NULL) {
        size_t got = 0;
        while (got < (size_t)st.st_size) {
            ssize_t n = pread(fd, data + got, (size_t)st.st_size - got, (off_t)got);
            if (n < 0 && errno == EINTR)
                continue;
            if (n <= 0)
                break;
            got += (size_t)n;
        }
        data[got] = '\0';
        *len = got;
    }
    close(fd);
    return data;
}

/* Wait `seconds` unless the server stops first; false when it stops. */
static bool wait_window(hm_http *h, long seconds) {
    struct timespec until;
    clock_gettime(CLOCK_MONOTONIC, &until);
    until.tv_sec += seconds;
    pthread_mutex_lock(&h->lock);
    while (!h->stopping && pthread_cond_timedwait(&h->wake, &h->lock, &until) != ETIMEDOUT)
        ;
    bool ok = !h->stopping;
    pthread_mutex_unlock(&h->lock);
    return ok;
}

typedef struct reply {
    unsigned status;
    const char *type;
    char *body;
    size_t len;
    FILE *out;
    char err[512];
} reply;

static void reply_text(reply *r, unsigned status, const char *text) {
    r->status = status;
    r->type = "text/plain; charset=utf-8";
    fprintf(r->out, "%s\n", text);
}

/* The CPU profile of the next `seconds`: two snapshots of the results around the window. */
static void serve_profile(hm_http *h, long seconds, reply *r) {
    const hm_server_host_v1 *host = h->host;
    if (pthread_mutex_trylock(&h->cpu) != 0)
        return reply_text(r, 500, "Could not enable CPU profiling: cpu profiling already in use");
    int began = host->cpu_begin();
    size_t blen = 0, alen = 0;
    char *before = began >= 0 ? fetch(host->write_results, NULL, 0, &blen) : NULL;
    unsigned long long t0 = host->trace_now_ns();
    bool ok = before && wait_window(h, seconds);
    unsigned long long t1 = host->trace_now_ns();
    char *after = ok ? fetch(host->write_results, NULL, 0, &alen) : NULL;
    if (began == 1)
        host->cpu_end();
    pthread_mutex_unlock(&h->cpu);
    if (began < 0)
        reply_text(r, 500, "Could not enable CPU profiling: the CPU sampler cannot start");
    else if (!before || (ok && !after))
        reply_text(r, 500, "the runtime could not write its results");
    else if (!ok)
        reply_text(r, 503, "the program is exiting");
    else if (hm_server_cpu_profile(before, blen, after, alen, t1 - t0, r->out, r->err,
                                   sizeof r->err) == 0)
        r->type = "application/octet-stream";
    else
        reply_text(r, 500, r->err);
    free(before);
    free(after);
}

static void serve_trace(hm_http *h, long seconds, reply *r) {
    const hm_server_host_v1 *host = h->host;
    unsigned long long from = host->trace_now_ns();
    size_t tlen = 0, rlen = 0;
    char *probe = fetch(host->write_trace, NULL, 0, &tlen);
    if (!probe)
        return reply_text(r, 404,
                          "no trace: the program records enter/exit events only with "
                          "HEATMAP_TRACE=on in its environment");
    free(probe);
    if (!wait_window(h, seconds))
        return reply_text(r, 503, "the program is exiting");
    char *results = fetch(host->write_results, NULL, 0, &rlen);
    char *trace = fetch(host->write_trace, NULL, 0, &tlen);
    if (!results || !trace)
        reply_text(r, 500, "the runtime could not write its trace");
    else if (hm_server_trace(results, rlen, trace, tlen, from, r->out, r->err, sizeof r->err) == 0)
        r->type = "application/json";
    else
        reply_text(r, 500, r->err);
    free(results);
    free(trace);
}

static void serve(hm_http *h, struct MHD_Connection *c, hm_route route, reply *r) {
    const hm_server_host_v1 *host = h->host;
    long seconds = 0;
    if (route == HM_ROUTE_PROFILE || route == HM_ROUTE_TRACE) {
        const char *v = MHD_lookup_connection_value(c, MHD_GET_ARGUMENT_KIND, "seconds");
        seconds = hm_server_seconds(v, route == HM_ROUTE_PROFILE ? 30 : 1);
        if (seconds < 0)
            return reply_text(r, 400, "seconds must be a whole number of seconds, 1..3600");
    }
    size_t len = 0;
    char *doc = NULL;
    r->status = 200;
    switch (route) {
    case HM_ROUTE_INDEX:
        r->type = "text/html; charset=utf-8";
        hm_server_index(r->out);
        return;
    case HM_ROUTE_PROFILE:
        return serve_profile(h, seconds, r);
    case HM_ROUTE_TRACE:
        return serve_trace(h, seconds, r);
    case HM_ROUTE_GOROUTINE:
    case HM_ROUTE_THREADCREATE:
        doc = fetch(NULL, host->write_stacks, route == HM_ROUTE_THREADCREATE, &len);
        if (doc && hm_server_stacks_profile(
                       doc, len, route == HM_ROUTE_GOROUTINE ? "goroutine" : "threadcreate", r->out,
                       r->err, sizeof r->err) == 0)
            r->type = "application/octet-stream";
        else
            reply_text(r, 500, doc ? r->err : "the runtime could not write the stacks");
        break;
    case HM_ROUTE_HEAP:
    case HM_ROUTE_ALLOCS:
    case HM_ROUTE_BLOCK:
    case HM_ROUTE_MUTEX:
    case HM_ROUTE_HEATMAP:
    case HM_ROUTE_METRICS:
        doc = fetch(host->write_results, NULL, 0, &len);
        if (!doc) {
            reply_text(r, 500, "the runtime could not write its results");
        } else if (route == HM_ROUTE_HEATMAP) {
            r->type = "application/json";
            fwrite(doc, 1, len, r->out);
        } else if (route == HM_ROUTE_METRICS) {
            if (hm_server_metrics(doc, len, r->out, r->err, sizeof r->err) == 0)
                r->type = "text/plain; version=0.0.4; charset=utf-8";
            else
                reply_text(r, 500, r->err);
        } else {
            bool heap = route == HM_ROUTE_HEAP || route == HM_ROUTE_ALLOCS;
            hm_pprof_type type = route == HM_ROUTE_HEAP     ? HM_PPROF_HEAP
                                 : route == HM_ROUTE_ALLOCS ? HM_PPROF_ALLOCS
                                 : route == HM_ROUTE_BLOCK  ? HM_PPROF_BLOCK
                                                            : HM_PPROF_MUTEX;
            if (hm_server_pprof_profile(doc, len, type, r->out, r->err, sizeof r->err) == 0)
                r->type = "application/octet-stream";
            else /* heap, allocs: no "heap" section, the memory tracker was off */
                reply_text(r, heap ? 404 : 500, r->err);
        }
        break;
    }
    free(doc);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version, const char *upload,
                                  size_t *upload_size, void **state) {
    (void)version, (void)upload;
    static int seen;
    hm_http *h = cls;
    bool get = strcmp(method, MHD_HTTP_METHOD_GET) == 0;
    if (*state == NULL && get) { /* the headers: the body (none for GET) comes next */
        *state = &seen;
        return MHD_YES;
    }
    *upload_size = 0; /* a body is never read */
    reply r = {.status = 200, .type = "text/plain; charset=utf-8"};
    r.out = open_memstream(&r.body, &r.len);
    if (r.out == NULL)
        return MHD_NO;
    hm_route route;
    if (!get)
        reply_text(&r, 405, "only GET is served");
    else if (hm_server_route(url, &route) != 0)
        reply_text(&r, 404, "no such profile; the index is /debug/pprof/");
    else
        serve(h, c, route, &r);
    fclose(r.out);
    struct MHD_Response *resp =
        MHD_create_response_from_buffer(r.len, r.body, MHD_RESPMEM_MUST_FREE);
    if (resp == NULL) {
        free(r.body);
        return MHD_NO;
    }
    MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, r.type);
    MHD_add_response_header(resp, "X-Content-Type-Options", "nosniff");
    if (r.status == 405)
        MHD_add_response_header(resp, MHD_HTTP_HEADER_ALLOW, "GET");
    if (strcmp(r.type, "application/octet-stream") == 0)
        MHD_add_response_header(resp, "Content-Disposition", "attachment; filename=\"profile\"");
    enum MHD_Result ret = MHD_queue_response(c, r.status, resp);
    MHD_destroy_response(resp);
    return ret;
}

__attribute__((visibility("default"))) void *hm_server_start_v1(const hm_server_host_v1 *host,
                                                                char *err, size_t errsize) {
    if (host == NULL || host->size < sizeof *host) {
        snprintf(err, errsize, "the runtime's server interface is older than this library's");
        if (host)
            close(host->listen_fd);
        return NULL;
    }
    hm_http *h = calloc(1, sizeof *h);
    if (h == NULL) {
        snprintf(err, errsize, "out of memory");
        close(host->listen_fd);
        return NULL;
    }
    h->host = host;
    pthread_mutex_init(&h->lock, NULL);
    pthread_mutex_init(&h->cpu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&h->wake, &ca);
    pthread_condattr_destroy(&ca);
    h->daemon = MHD_start_daemon(
        MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION | MHD_USE_POLL, 0, NULL,
        NULL, on_request, h, MHD_OPTION_LISTEN_SOCKET, host->listen_fd, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)HM_HTTP_CONNECTIONS, MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)HM_HTTP_PER_IP,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HM_HTTP_TIMEOUT,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)HM_HTTP_MEMORY, MHD_OPTION_END);
    if (h->daemon == NULL) {
        snprintf(err, errsize, "libmicrohttpd cannot start on the socket");
        close(host->listen_fd);
        free(h);
        return NULL;
    }
    return h;
}

__attribute__((visibility("default"))) void hm_server_stop_v1(void *server) {
    hm_http *h = server;
    if (h == NULL)
        return;
    pthread_mutex_lock(&h->lock);
    h->stopping = true;
    pthread_cond_broadcast(&h->wake);
    pthread_mutex_unlock(&h->lock);
    MHD_stop_daemon(h->daemon); /* joins every thread; closes the listening socket */
    pthread_cond_destroy(&h->wake);
    pthread_mutex_destroy(&h->lock);
    pthread_mutex_destroy(&h->cpu);
    free(h);
}
