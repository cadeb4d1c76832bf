/* Async-signal-safe output for the runtime's files: a fixed buffer flushed with write(2), JSON
 * numbers and strings formatted by hand (no stdio, no malloc), and atomic replacement of the target
 * (written to PATH.tmp.PID, renamed over PATH when complete).
 *
 * Layer 1: may call log.c only; called by the writers (writer.c, trace_write.c, summary.c) and the
 * lifecycle (output path expansion). Layer map in rt_base.h.
 */
#ifndef HEATMAP_JSON_OUT_H
#define HEATMAP_JSON_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rt_base.h"

typedef struct hm_out {
    int fd;
    int failed; /* errno of the first failed write, 0 if none */
    size_t len;
    char buf[8192];
    char path[1024], tmp[1100];
    bool in_place; /* PATH is a device or a pipe (/dev/null, a FIFO): written to, never renamed */
} hm_out;

/* Open PATH.tmp.PID for writing; on failure log one line naming PATH and return -1. A PATH that
 * exists and is no regular file (a device such as /dev/null, a FIFO) is opened and written in
 * place instead: renaming over it would replace it by a file. A directory is an error. */
int hm_out_open(hm_out *o, const char *path) HM_HIDDEN;
/* Write to an open descriptor instead (the live server's memory files): no path, no rename. */
void hm_out_use_fd(hm_out *o, int fd) HM_HIDDEN;
/* Flush an hm_out_use_fd output; 0, or -1 when a write failed. The descriptor stays open. */
int hm_out_finish_fd(hm_out *o) HM_HIDDEN;
/* Flush, close and rename over the target; on failure remove the temp file, log, return -1. */
int hm_out_commit(hm_out *o) HM_HIDDEN;
/* What a path named when the run started: the results file of an earlier run, or nothing. */
typedef struct hm_file_id {
    bool exists;
    uint64_t dev, ino, mtime_ns;
} hm_file_id;
void hm_file_id_of(const char *path, hm_file_id *id) HM_HIDDEN;
/* Like hm_out_commit, but the target is replaced only when it is still `was` (an earlier run's
 * file, or none): when another process wrote it since, ours goes to `beside` instead (o->path
 * becomes it) and one stderr line says so. The claim is atomic: link(2) when there was no file,
 * renameat2(RENAME_EXCHANGE) when there was one (the file displaced is checked, and put back when
 * it was not `was`); plain rename where the file system has neither. Returns 0, 1 (written beside)
 * or -1. */
int hm_out_commit_guarded(hm_out *o, const hm_file_id *was, const char *beside) HM_HIDDEN;
void hm_flush(hm_out *o) HM_HIDDEN;
void hm_put(hm_out *o, const char *s, size_t n) HM_HIDDEN;
void hm_puts(hm_out *o, const char *s) HM_HIDDEN;
/* Decimal digits of v into buf (at least 21 bytes); returns the length. */
size_t hm_format_u64(uint64_t v, char *buf) HM_HIDDEN;
void hm_put_u64(hm_out *o, uint64_t v) HM_HIDDEN;
/* A JSON string; bytes >= 0x80 pass through (names and paths are UTF-8 or opaque bytes). */
void hm_put_json_string(hm_out *o, const char *s) HM_HIDDEN;
/* `key` as is (any text, punctuation included), then v. */
void hm_put_key_u64(hm_out *o, const char *key, uint64_t v) HM_HIDDEN;
/* A JSON member's start: `sep` as is (",\n  "), then "key": . The key needs no escaping (the
 * results format's key constants). */
void hm_put_key(hm_out *o, const char *sep, const char *key) HM_HIDDEN;
/* A member with a number or a string value: hm_put_key, then the value. */
void hm_put_field_u64(hm_out *o, const char *sep, const char *key, uint64_t v) HM_HIDDEN;
void hm_put_field_string(hm_out *o, const char *sep, const char *key, const char *s) HM_HIDDEN;
/* Append len bytes of s to out (size bytes, NUL-terminated), truncating. */
void hm_append(char *out, size_t size, size_t *n, const char *s, size_t len) HM_HIDDEN;

#endif /* HEATMAP_JSON_OUT_H */
