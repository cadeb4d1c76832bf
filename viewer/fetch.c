/* heatmap-view http://HOST:PORT: the results so far of a program that runs the live server.
 *
 * A deliberately small HTTP/1.0 client (GET, no TLS, no redirects): the URL names a host, an
 * optional port (6060 by default, HEATMAP_PROFILER_PORT's default) and an optional path
 * (/debug/heatmap by default, docs/server.md). The body of a 200 answer goes to a temporary file
 * that the caller then reads like any results file, so every view, format, export and check works
 * on a running program as on a file. It is a snapshot, read once; the answer is bounded (256 MiB)
 * and the connection times out after 60 s without data.
 */
#define _POSIX_C_SOURCE 200809L
#include "fetch.h"

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#define FETCH_MAX (256u << 20)

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

/* Connect to host:port; the socket or -1 with a message. */
static int dial(const char *host, const char *port, const char *url, char *err, size_t errlen) {
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
        fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC, a->ai_protocol);
        if (fd >= 0 && connect(fd, a->ai_addr, a->ai_addrlen) != 0) {
            why = errno;
            close(fd);
            fd = -1;
        }
    }
    freeaddrinfo(res);
    if (fd < 0) {
        snprintf(err, errlen,
                 "%s: cannot connect: %s (is the program running with "
                 "HEATMAP_PROFILER=on?)",
                 url, strerror(why ? why : errno));
        return -1;
    }
    struct timeval tv = {60, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    return fd;
}

int hm_fetch_url(const char *url, char *out_path, size_t out_size, char *err, size_t errlen) {
    char host[256], port[8];
    const char *path;
    if (hm_fetch_parse_url(url, host, sizeof host, port, sizeof port, &path) != 0) {
        snprintf(err, errlen,
                 "%s: not a URL heatmap-view reads (expected http://HOST[:PORT][/PATH])", url);
        return -1;
    }
    int fd = dial(host, port, url, err, errlen);
    if (fd < 0)
        return -1;
    char req[2048];
    int n = snprintf(req, sizeof req, "GET %s HTTP/1.0\r\nHost: %s\r\nConnection: close\r\n\r\n",
                     path, host);
    char *body = NULL;
    size_t len = 0, cap = 0;
    int rc = -1;
    if (n < 0 || (size_t)n >= sizeof req || send(fd, req, (size_t)n, MSG_NOSIGNAL) != n) {
        snprintf(err, errlen, "%s: cannot send the request: %s", url, strerror(errno));
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
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            snprintf(err, errlen, "%s: %s", url,
                     errno == EAGAIN ? "no answer within 60 s" : strerror(errno));
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
