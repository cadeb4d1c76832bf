/* Results writer: heatmap.json, written atomically, without malloc or stdio.
 *
 * The writer may run from a signal handler (SIGINT, SIGTERM, a crash), so it formats numbers and
 * escapes strings itself into a fixed buffer flushed with write(2), and sums every function's stats
 * across threads on the fly instead of allocating a merged copy. The file goes to PATH.tmp.PID and
 * is renamed over PATH only when complete, so a reader never sees half a file and an earlier result
 * is never destroyed by a failed write. Format: docs/results-format.md.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rt.h"

bool hm_is_fork_child;

typedef struct hm_out {
    int fd;
    int failed; /* errno of the first failed write, 0 if none */
    size_t len;
    char buf[8192];
} hm_out;

static void hm_flush(hm_out *o) {
    size_t off = 0;
    while (off < o->len && !o->failed) {
        ssize_t n = write(o->fd, o->buf + off, o->len - off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            o->failed = n < 0 ? errno : EIO;
        else
            off += (size_t)n;
    }
    o->len = 0;
}

static void hm_put(hm_out *o, const char *s, size_t n) {
    while (n > 0) {
        if (o->len == sizeof o->buf)
            hm_flush(o);
        size_t room = sizeof o->buf - o->len, k = n < room ? n : room;
        memcpy(o->buf + o->len, s, k);
        o->len += k;
        s += k;
        n -= k;
    }
}

static void hm_puts(hm_out *o, const char *s) {
    hm_put(o, s, strlen(s));
}

/* Decimal digits of v into buf (at least 21 bytes); returns the length. */
static size_t hm_format_u64(uint64_t v, char *buf) {
    char tmp[21];
    size_t n = 0;
    do {
        tmp[n++] = (char)('0' + v % 10);
        v /= 10;
    } while (v);
    for (size_t i = 0; i < n; i++)
        buf[i] = tmp[n - 1 - i];
    return n;
}

static void hm_put_u64(hm_out *o, uint64_t v) {
    char buf[21];
    hm_put(o, buf, hm_format_u64(v, buf));
}

/* A JSON string; bytes >= 0x80 pass through (names and paths are UTF-8 or opaque bytes). */
static void hm_put_json_string(hm_out *o, const char *s) {
    static const char hex[] = "0123456789abcdef";
    hm_put(o, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\') {
            char esc[2] = {'\\', (char)*p};
            hm_put(o, esc, 2);
        } else if (*p < 0x20) {
            char esc[6] = {'\\', 'u', '0', '0', hex[*p >> 4], hex[*p & 15]};
            hm_put(o, esc, 6);
        } else {
            hm_put(o, (const char *)p, 1);
        }
    }
    hm_put(o, "\"", 1);
}

static void hm_put_key_u64(hm_out *o, const char *key, uint64_t v) {
    hm_puts(o, key);
    hm_put_u64(o, v);
}

/* Nearest-rank percentile of a histogram, reported as the bucket midpoint clipped to max. */
static uint64_t hm_percentile(const uint64_t *hist, uint64_t count, uint64_t max_ns, unsigned p) {
    if (count == 0)
        return 0;
    uint64_t rank = (count * p + 99) / 100, seen = 0;
    if (rank == 0)
        rank = 1;
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++) {
        seen += hist[b];
        if (seen >= rank) {
            uint64_t v = hm_hist_midpoint(b);
            return v < max_ns ? v : max_ns;
        }
    }
    return max_ns;
}

static void hm_put_function(hm_out *o, uint32_t id, const hm_collected *c, const uint64_t *hist,
                            bool first) {
    const hm_func_meta *m = hm_registry_meta(id);
    hm_puts(o, first ? "\n    {\"name\": " : ",\n    {\"name\": ");
    hm_put_json_string(o, m->name);
    hm_puts(o, ", \"file\": ");
    hm_put_json_string(o, m->file);
    hm_put_key_u64(o, ", \"line\": ", m->line);
    hm_put_key_u64(o, ", \"count\": ", c->count);
    hm_put_key_u64(o, ", \"self_ns\": ", c->self_ns);
    hm_put_key_u64(o, ", \"max_ns\": ", c->max_ns);
    hm_put_key_u64(o, ", \"p50_ns\": ", hm_percentile(hist, c->count, c->max_ns, 50));
    hm_put_key_u64(o, ", \"p95_ns\": ", hm_percentile(hist, c->count, c->max_ns, 95));
    hm_put_key_u64(o, ", \"p99_ns\": ", hm_percentile(hist, c->count, c->max_ns, 99));
    hm_puts(o, ", \"histogram\": [");
    bool first_bucket = true;
    for (uint32_t b = 0; b < HM_RT_BUCKETS; b++) {
        if (!hist[b])
            continue;
        hm_puts(o, first_bucket ? "[" : ", [");
        hm_put_u64(o, b);
        hm_puts(o, ", ");
        hm_put_u64(o, hist[b]);
        hm_puts(o, "]");
        first_bucket = false;
    }
    hm_puts(o, "]}");
}

/* The live name of a thread (it may have been renamed since it started), else the one recorded. */
static void hm_thread_name(const hm_thread_data *d, char *name, size_t size) {
    char path[64] = "/proc/self/task/";
    size_t n = strlen(path);
    n += hm_format_u64(d->tid, path + n);
    memcpy(path + n, "/comm", 6);
    int fd = atomic_load(&((hm_thread_data *)d)->merged) ? -1 : open(path, O_RDONLY | O_CLOEXEC);
    ssize_t got = fd >= 0 ? read(fd, name, size - 1) : -1;
    if (fd >= 0)
        close(fd);
    if (got > 0) {
        name[got] = '\0';
        name[strcspn(name, "\n")] = '\0';
    } else {
        memcpy(name, d->name, sizeof d->name);
        name[sizeof d->name - 1] = '\0';
    }
}

static void hm_put_threads(hm_out *o) {
    uint32_t count = atomic_load(&hm_rt.thread_seq);
    bool first = true;
    for (uint32_t seq = 0; seq < count; seq++) {
        for (hm_thread_data *d = atomic_load(&hm_rt.threads); d; d = d->next) {
            if (d->seq != seq)
                continue;
            uint64_t calls, self_ns;
            hm_thread_totals(d, &calls, &self_ns);
            /* A thread that never entered instrumented code (main during calibration, helper
             * threads of libraries) has nothing to report. */
            if (calls == 0 && d->dropped_calls == 0)
                continue;
            char name[32];
            hm_thread_name(d, name, sizeof name);
            hm_puts(o, first ? "\n    {\"tid\": " : ",\n    {\"tid\": ");
            hm_put_u64(o, d->tid);
            hm_puts(o, ", \"name\": ");
            hm_put_json_string(o, name);
            hm_put_key_u64(o, ", \"calls\": ", calls);
            hm_put_key_u64(o, ", \"self_ns\": ", self_ns);
            hm_put_key_u64(
                o, ", \"outer_ns\": ", hm_ticks_to_ns(d->outer_ticks, hm_rt.ns_per_tick_fp));
            hm_put_key_u64(o, ", \"dropped_calls\": ", d->dropped_calls);
            hm_puts(o, "}");
            first = false;
        }
    }
}

static void hm_put_document(hm_out *o, const char *end) {
    extern char *program_invocation_name;
    char host[256] = "";
    gethostname(host, sizeof host - 1);
    hm_put_key_u64(o, "{\n  \"version\": ", 1);
    hm_puts(o, ",\n  \"program\": ");
    hm_put_json_string(o, program_invocation_name ? program_invocation_name : "");
    hm_put_key_u64(o, ",\n  \"pid\": ", (uint64_t)getpid());
    hm_puts(o, ",\n  \"hostname\": ");
    hm_put_json_string(o, host);
    hm_put_key_u64(o, ",\n  \"start_unix_ns\": ", hm_rt.start_unix_ns);
    hm_put_key_u64(o, ",\n  \"elapsed_ns\": ", hm_clock_monotonic_ns() - hm_rt.start_mono_ns);
    hm_puts(o, ",\n  \"clock\": ");
    hm_put_json_string(o, hm_clock_active == HM_CLOCK_TSC ? "tsc" : "monotonic");
    hm_put_key_u64(o, ",\n  \"overhead_ns\": ", hm_rt.comp_self_ns);
    hm_put_key_u64(o, ",\n  \"overhead_child_ns\": ", hm_rt.comp_child_ns);
    hm_puts(o, ",\n  \"end\": ");
    hm_put_json_string(o, end);
    hm_put_key_u64(o, ",\n  \"histogram\": {\"kind\": \"log-linear\", \"sub_bucket_bits\": ",
                   HM_HIST_SUB_BITS);
    hm_puts(o, "},\n  \"threads\": [");
    hm_put_threads(o);
    hm_puts(o, "\n  ],\n  \"functions\": [");
    uint64_t hist[HM_RT_BUCKETS];
    bool first = true;
    uint32_t n = hm_registry_count();
    for (uint32_t id = 1; id <= n; id++) {
        const hm_func_meta *m = hm_registry_meta(id);
        if (!m || m->internal)
            continue;
        hm_collected c;
        hm_collect_function(id, &c, hist);
        if (c.count == 0)
            continue;
        hm_put_function(o, id, &c, hist, first);
        first = false;
    }
    hm_puts(o, "\n  ]\n}\n");
}

static void hm_append(char *out, size_t size, size_t *n, const char *s, size_t len) {
    for (size_t i = 0; i < len && *n + 1 < size; i++)
        out[(*n)++] = s[i];
    out[*n] = '\0';
}

void hm_expand_output_path(const char *pattern, bool forked_child, char *out, size_t size) {
    size_t n = 0;
    bool has_pid = false;
    out[0] = '\0';
    for (const char *p = pattern; *p; p++) {
        char num[21];
        if (p[0] == '%' && p[1] == 'p') {
            hm_append(out, size, &n, num, hm_format_u64((uint64_t)getpid(), num));
            has_pid = true;
            p++;
        } else if (p[0] == '%' && p[1] == 't') {
            hm_append(out, size, &n, num, hm_format_u64(hm_rt.start_unix_ns / 1000000000u, num));
            p++;
        } else if (p[0] == '%' && p[1] == 'h') {
            char host[256] = "";
            gethostname(host, sizeof host - 1);
            hm_append(out, size, &n, host, strlen(host));
            p++;
        } else if (p[0] == '%' && p[1] == '%') {
            hm_append(out, size, &n, "%", 1);
            p++;
        } else {
            hm_append(out, size, &n, p, 1);
        }
    }
    if (!forked_child || has_pid)
        return;
    /* A forked child must not overwrite its parent's file: heatmap.json -> heatmap.PID.json. */
    char *base = strrchr(out, '/');
    char *dot = strrchr(base ? base + 1 : out, '.');
    char tail[1024] = "";
    if (dot && dot != (base ? base + 1 : out)) {
        size_t t = strlen(dot) < sizeof tail - 1 ? strlen(dot) : sizeof tail - 1;
        memcpy(tail, dot, t);
        tail[t] = '\0';
        n = (size_t)(dot - out);
        out[n] = '\0';
    }
    char num[21];
    hm_append(out, size, &n, ".", 1);
    hm_append(out, size, &n, num, hm_format_u64((uint64_t)getpid(), num));
    hm_append(out, size, &n, tail, strlen(tail));
}

int hm_write_results(const char *end) {
    char path[1024], tmp[1100];
    hm_expand_output_path(hm_rt.output_pattern, hm_is_fork_child, path, sizeof path);
    size_t n = 0;
    char num[21];
    tmp[0] = '\0';
    hm_append(tmp, sizeof tmp, &n, path, strlen(path));
    hm_append(tmp, sizeof tmp, &n, ".tmp.", 5);
    hm_append(tmp, sizeof tmp, &n, num, hm_format_u64((uint64_t)getpid(), num));

    static hm_out out; /* static: 8 KiB is too much for a signal handler's stack */
    out.fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    out.failed = 0;
    out.len = 0;
    if (out.fd < 0) {
        hm_log("cannot write results to '", path, "': ", strerror(errno));
        return -1;
    }
    hm_put_document(&out, end);
    hm_flush(&out);
    int err = out.failed;
    if (close(out.fd) != 0 && !err)
        err = errno;
    if (!err && rename(tmp, path) != 0)
        err = errno;
    if (err) {
        unlink(tmp);
        hm_log("cannot write results to '", path, "': ", strerror(err));
        return -1;
    }
    if (hm_rt.verbose)
        hm_log("wrote results to '", path, "'", NULL);
    return 0;
}
