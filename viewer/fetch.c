/* heatmap-view http://HOST:PORT: the results so far of a program that runs the live server.
 *
 * A deliberately small HTTP/1.0 client (GET, no TLS, no redirects): the URL names a host, an
 * optional port (6060 by default, HEATMAP_PROFILER_PORT's default) and an optional path
 * (/debug/heatmap by default, docs/server.md). The body of a 200 answer goes to a temporary file
 * that the caller then reads like any results file, so every view, format, export and check works
 * on a running program as on a file. The answer is bounded (256 MiB) and the connection times out
 * after 60 s without progress. The socket is non-blocking and every wait is a poll that also
 * watches an optional cancel descriptor: the live TUI (live.c) passes its terminal, so a key
 * pressed while a slow or stopped program keeps it waiting abandons the fetch instead of the key.
 */
#define _POSIX_C_SOURCE 200809L
#include "fetch.h"

#include "hm_results.h"

#include <errno.h>
#include <netdb.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FETCH_MAX (256u << 20)
#define FETCH_TIMEOUT_MS 60000

bool hm_fetch_is_url(const char *arg) {
    return arg != NULL && strncmp(arg, "http://", 7) == 0;
}

int hm_fetch_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen,
                       const char **path) {
    if (!hm_fetch_is_url(url))
        return -1;
    const char *p = url + 7, *end = p + strcspn(p, "/?#");
    const char *colon = NULL;
    if (*p == '[') { /* [IPv6]:port */
        const char *close = memchr(p, ']', (size_t)(end - p));
        if (close == NULL)
            return -1;
        if ((size_t)(close - p - 1) >= hostlen || close == p + 1)
            return -1;
        memcpy(host, p + 1, (size_t)(close - p - 1));
        host[close - p - 1] = '\0';
        colon = close + 1 < end && close[1] == ':' ? close + 1 : NULL;
        if (close + 1 != end && colon == NULL)
            return -1;
    } else {
        colon = memchr(p, ':', (size_t)(end - p));
        const char *hend = colon ? colon : end;
        if (hend == p || (size_t)(hend - p) >= hostlen)
            return -1;
        memcpy(host, p, (size_t)(hend - p));
        host[hend - p] = '\0';
    }
    const char *digits = colon ? colon + 1 : "6060";
    size_t n = colon ? (size_t)(end - digits) : 4;
    if (n == 0 || n > 5 || n >= portlen || strspn(digits, "0123456789") < n)
        return -1;
    memcpy(port, digits, n);
    port[n] = '\0';
    if (atoi(port) < 1 || atoi(port) > 65535)
        return -1;
    *path = *end == '/' && end[1] != '\0' ? end : "/debug/heatmap";
    return 0;
}

/* How waiting for the socket ended. */
enum { IO_READY = 0, IO_TIMEOUT, IO_CANCELLED, IO_ERROR };

/* Wait until fd has `events`, cancel_fd (when >= 0) is readable, or FETCH_TIMEOUT_MS pass. With a
 * cancel_fd a signal cancels too: the TUI's Ctrl-C (SIGINT, not a key) must not wait for a read. */
static int wait_io(int fd, short events, int cancel_fd) {
    struct pollfd p[2] = {{.fd = fd, .events = events}, {.fd = cancel_fd, .events = POLLIN}};
    for (;;) {
        int n = poll(p, cancel_fd >= 0 ? 2 : 1, FETCH_TIMEOUT_MS);
        if (n < 0 && errno == EINTR && cancel_fd >= 0)
            return IO_CANCELLED;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return IO_ERROR;
        if (n == 0)
            return IO_TIMEOUT;
        if (cancel_fd >= 0 && p[1].revents != 0)
            return IO_CANCELLED;
        return IO_READY;
    }
}

/* Connect to host:port without blocking past a cancel or the timeout: the socket (non-blocking),
 * -1 with a message, or -2 when cancelled. */
static int dial(const char *host, const char *port, const char *url, int cancel_fd, char *err,
                size_t errlen) {
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    int gai = getaddrinfo(host, port, &hints, &res);
    if (gai != 0) {
        snprintf(err, errlen, "%s: %s", url, gai_strerror(gai));
        return -1;
    }
    int fd = -1, why = 0;
    for (struct addrinfo *a = res; a != NULL && fd < 0; a = a->ai_next) {
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
        if (fd < 0) {
            why = errno;
            continue;
        }
        int rc = connect(fd, a->ai_addr, a->ai_addrlen);
        if (rc != 0 && errno == EINPROGRESS) {
            int w = wait_io(fd, POLLOUT, cancel_fd);
            socklen_t len = sizeof why;
            if (w == IO_CANCELLED) {
                close(fd);
                freeaddrinfo(res);
                return -2;
            }
            why = w == IO_TIMEOUT ? ETIMEDOUT : 0;
            if (w == IO_READY && getsockopt(fd, SOL_SOCKET, SO_ERROR, &why, &len) != 0)
                why = errno;
            rc = why == 0 && w == IO_READY ? 0 : -1;
        } else if (rc != 0) {
            why = errno;
        }
        if (rc != 0) {
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0)
        snprintf(err, errlen,
                 "%s: cannot connect: %s (is the program running with "
                 "HEATMAP_PROFILER=on?)",
                 url, strerror(why ? why : ECONNREFUSED));
    return fd;
}

/* Send all of buf; IO_READY or another wait_io outcome (errno set for IO_ERROR). */
static int send_all(int fd, const char *buf, size_t len, int cancel_fd) {
    while (len > 0) {
        ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            int w = wait_io(fd, POLLOUT, cancel_fd);
            if (w != IO_READY)
                return w;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return IO_ERROR;
        buf += n;
        len -= (size_t)n;
    }
    return IO_READY;
}

/* The end of a fetch whose wait did not end ready: 1 when cancelled (no message), else -1 with
 * "URL: WHAT" and the reason (the timeout, or errno's). */
static int io_failed(int w, const char *url, const char *what, char *err, size_t errlen) {
    if (w == IO_CANCELLED)
        return 1;
    snprintf(err, errlen, "%s: %s%s", url, what,
             w == IO_TIMEOUT ? "no progress within 60 s" : strerror(errno));
    return -1;
}

int hm_fetch_url(const char *url, int cancel_fd, char *out_path, size_t out_size, char *err,
                 size_t errlen) {
    char host[256], port[8];
    const char *path;
    if (hm_fetch_parse_url(url, host, sizeof host, port, sizeof port, &path) != 0) {
        snprintf(err, errlen,
                 "%s: not a URL heatmap-view reads (expected http://HOST[:PORT][/PATH])", url);
        return -1;
    }
    int fd = dial(host, port, url, cancel_fd, err, errlen);
    if (fd < 0)
        return fd == -2 ? 1 : -1;
    char req[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     path, host);
    char *body = NULL;
    size_t len = 0, cap = 0;
    int rc = -1, w = IO_READY;
    if (n < 0 || (size_t)n >= sizeof req ||
        (w = send_all(fd, req, (size_t)n, cancel_fd)) != IO_READY) {
        rc = io_failed(w, url, "cannot send the request: ", err, errlen);
        goto done;
    }
    for (;;) {
        if (len + 65536 > cap) {
            cap = cap ? cap * 2 : 1 << 20;
            char *grown = cap <= FETCH_MAX ? realloc(body, cap + 1) : NULL;
            if (grown == NULL) {
                snprintf(err, errlen, "%s: the answer is too large", url);
                goto done;
            }
            body = grown;
        }
        ssize_t got = recv(fd, body + len, cap - len, 0);
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            w = wait_io(fd, POLLIN, cancel_fd);
            if (w == IO_READY)
                continue;
            rc = io_failed(w, url, "", err, errlen);
            goto done;
        }
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "%s: %s", url, strerror(errno));
            goto done;
        }
        if (got == 0)
            break;
        len += (size_t)got;
    }
    body[len] = '\0';
    int status = 0;
    char *head_end = strstr(body, "\r\n\r\n");
    if (sscanf(body, "HTTP/1.%*[01] %d", &status) != 1 || head_end == NULL) {
        snprintf(err, errlen, "%s: not an HTTP answer", url);
        goto done;
    }
    char *content = head_end + 4;
    if (status != 200) {
        snprintf(err, errlen, "%s: HTTP %d: %.200s", url, status, content);
        err[strcspn(err, "\n")] = '\0';
        goto done;
    }
    const char *tmp = getenv("TMPDIR");
    snprintf(out_path, out_size, "%s/heatmap-view.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    int out = mkstemp(out_path);
    size_t clen = len - (size_t)(content - body);
    if (out < 0 || write(out, content, clen) != (ssize_t)clen || close(out) != 0) {
        snprintf(err, errlen, "%s: cannot keep the answer in %s: %s", url, out_path,
                 strerror(errno));
        if (out >= 0)
            unlink(out_path);
        goto done;
    }
    rc = 0;
done:
    free(body);
    close(fd);
    return rc;
}

int hm_fetch_files(const char *const *files, size_t n, int cancel_fd, hm_fetched *out, char *err,
                   size_t errlen) {
    memset(out, 0, sizeof *out);
    out->files = files;
    size_t urls = 0;
    for (size_t i = 0; i < n; i++)
        urls += hm_fetch_is_url(files[i]);
    if (urls == 0)
        return 0;
    out->tmp = calloc(n, sizeof *out->tmp);
    const char **local = calloc(n, sizeof *local);
    if (out->tmp == NULL || local == NULL) {
        free(local);
        hm_fetch_release(out);
        return hm_errorf(err, errlen, "out of memory");
    }
    out->n = n;
    out->local = local;
    out->files = local;
    for (size_t i = 0; i < n; i++) {
        local[i] = files[i];
        if (!hm_fetch_is_url(files[i]))
            continue;
        int rc = hm_fetch_url(files[i], cancel_fd, out->tmp[i], sizeof out->tmp[i], err, errlen);
        if (rc != 0) {
            hm_fetch_release(out);
            return rc;
        }
        local[i] = out->tmp[i];
    }
    return 0;
}

void hm_fetch_release(hm_fetched *f) {
    for (size_t i = 0; f->tmp != NULL && i < f->n; i++)
        if (f->tmp[i][0] != '\0')
            unlink(f->tmp[i]);
    free(f->tmp);
    free(f->local);
    memset(f, 0, sizeof *f);
}
