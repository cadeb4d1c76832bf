/* Async-signal-safe JSON output and atomic file replacement (see json_out.h).
 *
 * Layer 1: may call log.c only; called by the writers and the lifecycle.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "json_out.h"

void hm_flush(hm_out *o) {
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

void hm_put(hm_out *o, const char *s, size_t n) {
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

void hm_puts(hm_out *o, const char *s) {
    hm_put(o, s, strlen(s));
}

/* Decimal digits of v into buf (at least 21 bytes); returns the length. */
size_t hm_format_u64(uint64_t v, char *buf) {
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

void hm_put_u64(hm_out *o, uint64_t v) {
    char buf[21];
    hm_put(o, buf, hm_format_u64(v, buf));
}

/* A JSON string; bytes >= 0x80 pass through (names and paths are UTF-8 or opaque bytes). */
void hm_put_json_string(hm_out *o, const char *s) {
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

void hm_put_key_u64(hm_out *o, const char *key, uint64_t v) {
    hm_puts(o, key);
    hm_put_u64(o, v);
}

void hm_put_key(hm_out *o, const char *sep, const char *key) {
    hm_puts(o, sep);
    hm_puts(o, "\"");
    hm_puts(o, key);
    hm_puts(o, "\": ");
}

void hm_put_field_u64(hm_out *o, const char *sep, const char *key, uint64_t v) {
    hm_put_key(o, sep, key);
    hm_put_u64(o, v);
}

void hm_put_field_string(hm_out *o, const char *sep, const char *key, const char *s) {
    hm_put_key(o, sep, key);
    hm_put_json_string(o, s);
}

void hm_append(char *out, size_t size, size_t *n, const char *s, size_t len) {
    for (size_t i = 0; i < len && *n + 1 < size; i++)
        out[(*n)++] = s[i];
    out[*n] = '\0';
}

int hm_out_open(hm_out *o, const char *path) {
    size_t n = 0;
    char num[21];
    o->path[0] = '\0';
    hm_append(o->path, sizeof o->path, &n, path, strlen(path));
    n = 0;
    o->tmp[0] = '\0';
    hm_append(o->tmp, sizeof o->tmp, &n, path, strlen(path));
    hm_append(o->tmp, sizeof o->tmp, &n, ".tmp.", 5);
    hm_append(o->tmp, sizeof o->tmp, &n, num, hm_format_u64((uint64_t)getpid(), num));
    o->failed = 0;
    o->len = 0;
    struct stat st;
    o->in_place = stat(path, &st) == 0 && !S_ISREG(st.st_mode);
    if (o->in_place && S_ISDIR(st.st_mode)) {
        hm_log("cannot write '", path, "': ", "it is a directory; name a file");
        return -1;
    }
    if (o->in_place)
        o->fd = open(path, O_WRONLY | O_CLOEXEC);
    else
        o->fd = open(o->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (o->fd < 0) {
        hm_log("cannot write '", path, "': ", strerror(errno));
        return -1;
    }
    return 0;
}

/* Flushes and closes the output's descriptor: 0, or the errno of the first failure. */
static int hm_out_close(hm_out *o) {
    hm_flush(o);
    int err = o->failed;
    if (close(o->fd) != 0 && !err)
        err = errno;
    return err;
}

/* Ends an output that failed with `err` (0: it did not): the temporary removed, one line logged.
 * Returns 0, or -1 on failure. */
static int hm_out_end(hm_out *o, int err) {
    if (!err)
        return 0;
    if (!o->in_place)
        unlink(o->tmp);
    hm_log("cannot write '", o->path, "': ", strerror(err));
    return -1;
}

void hm_file_id_of(const char *path, hm_file_id *id) {
    struct stat st;
    memset(id, 0, sizeof *id);
    if (stat(path, &st) != 0)
        return;
    id->exists = true;
    id->dev = (uint64_t)st.st_dev;
    id->ino = (uint64_t)st.st_ino;
    id->mtime_ns = (uint64_t)st.st_mtim.tv_sec * 1000000000u + (uint64_t)st.st_mtim.tv_nsec;
}

static bool hm_file_id_same(const hm_file_id *a, const hm_file_id *b) {
    return a->exists == b->exists &&
           (!a->exists || (a->dev == b->dev && a->ino == b->ino && a->mtime_ns == b->mtime_ns));
}

static int hm_exchange(const char *a, const char *b) {
#ifdef RENAME_EXCHANGE
    return renameat2(AT_FDCWD, a, AT_FDCWD, b, RENAME_EXCHANGE);
#else
    errno = ENOSYS;
    return -1;
#endif
}

int hm_out_commit_guarded(hm_out *o, const hm_file_id *was, const char *beside) {
    int err = hm_out_close(o);
    if (o->in_place)
        return hm_out_end(o, err);
    bool aside = false;
    if (!err && !was->exists) {
        if (link(o->tmp, o->path) == 0)
            unlink(o->tmp);
        else if (errno == EEXIST)
            aside = true;                      /* another process wrote it since we started */
        else if (rename(o->tmp, o->path) != 0) /* no hard links here: the plain way */
            err = errno;
    } else if (!err) {
        if (hm_exchange(o->tmp, o->path) == 0) {
            hm_file_id displaced; /* now at o->tmp */
            hm_file_id_of(o->tmp, &displaced);
            if (hm_file_id_same(&displaced, was) || !displaced.exists)
                unlink(o->tmp);
            else if (hm_exchange(o->tmp, o->path) == 0) /* theirs back: ours goes beside */
                aside = true;
            else
                err = errno;
        } else {
            hm_file_id now;
            hm_file_id_of(o->path, &now);
            if (!hm_file_id_same(&now, was))
                aside = true;
            else if (rename(o->tmp, o->path) != 0)
                err = errno;
        }
    }
    if (!err && aside) {
        if (rename(o->tmp, beside) != 0) {
            err = errno;
        } else {
            char line[2200];
            size_t n = 0;
            line[0] = '\0';
            hm_append(line, sizeof line, &n, "'", 1);
            hm_append(line, sizeof line, &n, o->path, strlen(o->path));
            static const char says[] = "' was written by another process since this one "
                                       "started: results written to '";
            hm_append(line, sizeof line, &n, says, sizeof says - 1);
            hm_append(line, sizeof line, &n, beside, strlen(beside));
            hm_append(line, sizeof line, &n, "'", 1);
            hm_log(line, NULL, NULL, NULL);
            n = 0;
            hm_append(o->path, sizeof o->path, &n, beside, strlen(beside));
        }
    }
    if (hm_out_end(o, err) != 0)
        return -1;
    return aside ? 1 : 0;
}

int hm_out_commit(hm_out *o) {
    int err = hm_out_close(o);
    if (!err && !o->in_place && rename(o->tmp, o->path) != 0)
        err = errno;
    return hm_out_end(o, err);
}

void hm_out_use_fd(hm_out *o, int fd) {
    o->fd = fd;
    o->failed = 0;
    o->len = 0;
    o->path[0] = o->tmp[0] = '\0';
    o->in_place = false;
}

int hm_out_finish_fd(hm_out *o) {
    hm_flush(o);
    return o->failed ? -1 : 0;
}
