/* heatmap-view's live view: the results of FILE arguments that name the live server, read again
 * every interval (live.c). Knows nothing of ncurses; the TUI (tui.c) drives it.
 */
#ifndef HEATMAP_VIEWER_LIVE_H
#define HEATMAP_VIEWER_LIVE_H

#include "hm_paths.h"
#include "hm_results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HM_LIVE_INTERVAL_DEFAULT_MS 1000u
#define HM_LIVE_INTERVAL_MIN_MS 100u
#define HM_LIVE_INTERVAL_MAX_MS 3600000u

/* --interval's value: a time with a unit as --fail-if takes them ("500ms", "2s", "1.5s", "1m"),
 * or a plain number of seconds ("2", "0.5"), from 100ms to 1h. 0 with *ms set, or -1 with a message
 * that names the value and the accepted form. */
int hm_live_parse_interval(const char *text, unsigned *ms, char *err, size_t errlen);

/* Milliseconds of CLOCK_MONOTONIC: the clock every `now_ms` below is read from. */
uint64_t hm_live_now_ms(void);

typedef struct hm_live hm_live;

/* Read files[0..n) once (the URLs fetched: fetch.h), and their call paths when want_paths; the
 * first read at now_ms. files must outlive the hm_live. 0 with *out, or -1 with a message (the
 * error of a one-shot read: nothing to show yet). */
int hm_live_open(const char *const *files, size_t n, bool want_paths, unsigned interval_ms,
                 uint64_t now_ms, hm_live **out, char *err, size_t errlen);
void hm_live_close(hm_live *l);

/* The results and call paths being shown (owned by l; paths NULL when not asked for or absent).
 * They stay valid until hm_live_accept replaces them or hm_live_close. */
const hm_results *hm_live_results(const hm_live *l);
const hm_paths *hm_live_paths(const hm_live *l);

/* Milliseconds until the next read is due (0: now). */
uint64_t hm_live_due_ms(const hm_live *l, uint64_t now_ms);

typedef enum hm_live_outcome {
    HM_LIVE_UPDATED = 0, /* new results are pending: hm_live_next_*, then hm_live_accept */
    HM_LIVE_FAILED,      /* the read failed; the shown results stay, the status says why */
    HM_LIVE_CANCELLED,   /* cancel_fd became readable first; retried when next due */
} hm_live_outcome;

/* Read the files again now (fetch.h's cancel_fd: the terminal, so that a key is never held up by a
 * slow program). Never frees what is shown. */
hm_live_outcome hm_live_refresh(hm_live *l, int cancel_fd, uint64_t now_ms);
/* The pending results of HM_LIVE_UPDATED (NULL when none). */
const hm_results *hm_live_next_results(const hm_live *l);
const hm_paths *hm_live_next_paths(const hm_live *l);
/* Show the pending results (take: the caller now points at them; the previous ones are freed) or
 * drop them (the caller could not take them: out of memory). */
void hm_live_accept(hm_live *l, bool take);

/* The status line: "live http://H:P | updated 0.4 s ago | every 1 s", or after a failed read
 * "live http://H:P | not answering since 12:34:56; last data kept | updated 9.1 s ago | WHY".
 * Returns whether the last read failed. */
bool hm_live_status(const hm_live *l, uint64_t now_ms, char *buf, size_t len);

#endif /* HEATMAP_VIEWER_LIVE_H */
