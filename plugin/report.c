/* heatmap plugin: the selection report, one JSON object per line per function seen.
 *
 * Enabled by -heatmap-report=PATH or $HEATMAP_REPORT. Lines are appended, never truncated, so a
 * whole build (many clang processes, possibly in parallel) accumulates into one file; each line
 * goes out in one write(2) on an O_APPEND descriptor, which keeps concurrent writers' lines whole.
 * Format (docs/plugin.md):
 *   {"module":"a.c","function":"ns::f","symbol":"_ZN2ns1fEv","file":"a.c","line":3,
 *    "instrumented":true,"reason":"included"}
 */
#define _POSIX_C_SOURCE 200809L

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hm_plugin.h"

struct hm_report {
    int fd;
};

/* A growable byte buffer; on allocation failure it stops growing and `failed` is set. */
typedef struct buffer {
    char *data;
    size_t len, cap;
    bool failed;
} buffer;

static void put(buffer *b, const char *s, size_t n) {
    if (b->failed)
        return;
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *data = realloc(b->data, cap);
        if (!data) {
            b->failed = true;
            return;
        }
        b->data = data;
        b->cap = cap;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
}

static void put_str(buffer *b, const char *s) {
    put(b, s, strlen(s));
}

/* A JSON string literal; bytes >= 0x80 pass through (names and paths are UTF-8 or opaque). */
static void put_json_string(buffer *b, const char *s) {
    put(b, "\"", 1);
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(b, esc, 2);
        } else if (c < 0x20) {
            snprintf(esc, sizeof esc, "\\u%04x", c);
            put(b, esc, 6);
        } else {
            put(b, (const char *)&c, 1);
        }
    }
    put(b, "\"", 1);
}

hm_report *hm_report_open(const hm_plugin_options *options) {
    const char *path = options->report_path;
    if (!path || !path[0])
        path = getenv("HEATMAP_REPORT");
    if (!path || !path[0])
        return NULL;
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    if (fd < 0) {
        static bool warned;
        if (!warned) {
            warned = true;
            fprintf(stderr, "heatmap: warning: cannot open report file '%s'\n", path);
        }
        return NULL;
    }
    hm_report *r = malloc(sizeof *r);
    if (!r) {
        close(fd);
        return NULL;
    }
    r->fd = fd;
    return r;
}

void hm_report_function(hm_report *report, const char *module, const char *symbol, const char *name,
                        const char *file, unsigned line, bool instrumented, const char *reason) {
    if (!report)
        return;
    buffer b = {0};
    char num[32];
    put_str(&b, "{\"module\":");
    put_json_string(&b, module);
    put_str(&b, ",\"function\":");
    put_json_string(&b, name);
    put_str(&b, ",\"symbol\":");
    put_json_string(&b, symbol);
    put_str(&b, ",\"file\":");
    if (file)
        put_json_string(&b, file);
    else
        put_str(&b, "null");
    snprintf(num, sizeof num, ",\"line\":%u", line);
    put_str(&b, num);
    put_str(&b, instrumented ? ",\"instrumented\":true" : ",\"instrumented\":false");
    put_str(&b, ",\"reason\":");
    put_json_string(&b, reason);
    put_str(&b, "}\n");
    if (!b.failed && write(report->fd, b.data, b.len) < 0) {
        /* Nothing sensible to do inside a compiler; the report is a diagnostic aid. */
    }
    free(b.data);
}

void hm_report_close(hm_report *report) {
    if (report) {
        close(report->fd);
        free(report);
    }
}
