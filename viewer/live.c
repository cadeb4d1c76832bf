/* heatmap-view's live view (live.h): the results of a running program, read again every interval.
 *
 * Design. An hm_live is the list of FILE arguments (URLs of the live server among them, fetched by
 * fetch.c) and what was last read from them: the results, and the call paths for the detail pane.
 * A read happens only when the TUI asks (hm_live_refresh, when hm_live_due_ms says so), on the
 * TUI's thread: nothing runs in the background, and a key pressed meanwhile cancels the fetch
 * (fetch.c polls the terminal too). A read is two-phase so that the model never points at freed
 * results: new results wait as `next` until the TUI has rebuilt its model on them
 * (hm_live_accept), and only then are the old ones freed. A failed read keeps what is shown and
 * records when the failures began and why, which the status line says; reads go on every
 * interval, so a program that answers again is shown again.
 */
#define _POSIX_C_SOURCE 200809L
#include "live.h"

#include "fetch.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct hm_live {
    const char *const *files;
    size_t nfiles;
    bool want_paths;
    unsigned interval_ms;
    hm_results *results, *next;
    hm_paths *paths, *next_paths;
    uint64_t read_at;    /* now_ms of the last read attempt (the next is due an interval later) */
    uint64_t updated_at; /* now_ms of the results shown */
    bool failing;
    time_t failing_since; /* wall clock of the first failed read of the current run of them */
    char why[512];        /* the last failure */
};

int hm_live_parse_interval(const char *text, unsigned *ms, char *err, size_t errlen) {
    uint64_t ns = 0;
    bool ok = hm_parse_duration(text, &ns, NULL) == 0;
    if (!ok && text[0] >= '0' && text[0] <= '9' && text[strspn(text, "0123456789.")] == '\0') {
        /* a plain number: seconds */
        char *end;
        double s = strtod(text, &end);
        ok = *end == '\0' && s >= 0 && s <= 1e7;
        ns = ok ? (uint64_t)(s * 1e9 + 0.5) : 0;
    }
    if (!ok)
        return hm_errorf(err, errlen,
                         "--interval: '%s' is not a time (expected e.g. 500ms, 2s, 1.5s or a plain "
                         "number of seconds, from 100ms to 1h)",
                         text);
    if (ns < (uint64_t)HM_LIVE_INTERVAL_MIN_MS * 1000000 ||
        ns > (uint64_t)HM_LIVE_INTERVAL_MAX_MS * 1000000)
        return hm_errorf(err, errlen,
                         "--interval: '%s' is out of range (expected from 100ms to 1h, e.g. 500ms "
                         "or 2s)",
                         text);
    *ms = (unsigned)(ns / 1000000);
    return 0;
}

uint64_t hm_live_now_ms(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Read every file once into *results and *paths (fetching the URLs). 0, 1 (cancelled) or -1. */
static int read_all(const hm_live *l, int cancel_fd, hm_results **results, hm_paths **paths,
                    char *err, size_t errlen) {
    *results = NULL;
    *paths = NULL;
    hm_fetched f;
    int rc = hm_fetch_files(l->files, l->nfiles, cancel_fd, &f, err, errlen);
    if (rc != 0)
        return rc;
    /* One parse of each file for both. Without paths (HEATMAP_PATHS=off, an older runtime) the
     * detail pane shows no callers: *paths is NULL then, and why does not matter here. */
    rc = hm_results_paths_load_many(f.files, l->nfiles, 0, results, l->want_paths ? paths : NULL,
                                    NULL, 0, err, errlen);
    hm_fetch_release(&f);
    return rc == 0 ? 0 : -1;
}

int hm_live_open(const char *const *files, size_t n, bool want_paths, unsigned interval_ms,
                 uint64_t now_ms, hm_live **out, char *err, size_t errlen) {
    hm_live *l = calloc(1, sizeof *l);
    if (l == NULL)
        return hm_errorf(err, errlen, "out of memory");
    l->files = files;
    l->nfiles = n;
    l->want_paths = want_paths;
    l->interval_ms = interval_ms ? interval_ms : HM_LIVE_INTERVAL_DEFAULT_MS;
    if (read_all(l, -1, &l->results, &l->paths, err, errlen) != 0) {
        free(l);
        return -1;
    }
    l->read_at = l->updated_at = now_ms;
    *out = l;
    return 0;
}

void hm_live_close(hm_live *l) {
    if (l == NULL)
        return;
    hm_live_accept(l, false);
    hm_results_free(l->results);
    hm_paths_free(l->paths);
    free(l);
}

const hm_results *hm_live_results(const hm_live *l) {
    return l->results;
}

const hm_paths *hm_live_paths(const hm_live *l) {
    return l->paths;
}

uint64_t hm_live_due_ms(const hm_live *l, uint64_t now_ms) {
    uint64_t due = l->read_at + l->interval_ms;
    return now_ms >= due ? 0 : due - now_ms;
}

hm_live_outcome hm_live_refresh(hm_live *l, int cancel_fd, uint64_t now_ms) {
    hm_live_accept(l, false); /* a pending read never taken */
    char err[sizeof l->why];
    int rc = read_all(l, cancel_fd, &l->next, &l->next_paths, err, sizeof err);
    if (rc == 1)
        return HM_LIVE_CANCELLED; /* read_at unchanged: due again at once */
    l->read_at = now_ms;
    if (rc != 0) {
        if (!l->failing)
            l->failing_since = time(NULL);
        l->failing = true;
        /* The message starts with the URL, which the status line shows already. */
        const char *why = err;
        for (size_t i = 0; i < l->nfiles; i++) {
            size_t u = strlen(l->files[i]);
            if (strncmp(why, l->files[i], u) == 0 && strncmp(why + u, ": ", 2) == 0) {
                why += u + 2;
                break;
            }
        }
        snprintf(l->why, sizeof l->why, "%s", why);
        return HM_LIVE_FAILED;
    }
    return HM_LIVE_UPDATED;
}

const hm_results *hm_live_next_results(const hm_live *l) {
    return l->next;
}

const hm_paths *hm_live_next_paths(const hm_live *l) {
    return l->next_paths;
}

void hm_live_accept(hm_live *l, bool take) {
    if (l->next == NULL)
        return;
    if (take) {
        hm_results_free(l->results);
        hm_paths_free(l->paths);
        l->results = l->next;
        l->paths = l->next_paths;
        l->updated_at = l->read_at;
        l->failing = false;
        l->why[0] = '\0';
    } else {
        hm_results_free(l->next);
        hm_paths_free(l->next_paths);
    }
    l->next = NULL;
    l->next_paths = NULL;
}

/* "0.4 s", "12 s", "5 min": how long ago, as the status line says it. */
static void format_age(uint64_t ms, char *buf, size_t len) {
    if (ms < 10000)
        snprintf(buf, len, "%u.%u s", (unsigned)(ms / 1000), (unsigned)(ms % 1000 / 100));
    else if (ms < 120000)
        snprintf(buf, len, "%u s", (unsigned)(ms / 1000));
    else
        snprintf(buf, len, "%u min", (unsigned)(ms / 60000));
}

bool hm_live_status(const hm_live *l, uint64_t now_ms, char *buf, size_t len) {
    const char *first = l->files[0];
    for (size_t i = 0; i < l->nfiles; i++)
        if (hm_fetch_is_url(l->files[i])) {
            first = l->files[i];
            break;
        }
    char source[1200], age[32], every[32];
    if (l->nfiles > 1)
        snprintf(source, sizeof source, "%.1000s and %zu more", first, l->nfiles - 1);
    else
        snprintf(source, sizeof source, "%.1000s", first);
    format_age(now_ms > l->updated_at ? now_ms - l->updated_at : 0, age, sizeof age);
    if (l->interval_ms % 1000 == 0)
        snprintf(every, sizeof every, "%u s", l->interval_ms / 1000);
    else
        snprintf(every, sizeof every, "%u ms", l->interval_ms);
    if (!l->failing) {
        snprintf(buf, len, "live %s | updated %s ago | every %s", source, age, every);
        return false;
    }
    struct tm tm;
    char since[16] = "?";
    if (localtime_r(&l->failing_since, &tm) != NULL)
        strftime(since, sizeof since, "%H:%M:%S", &tm);
    snprintf(buf, len, "live %s | not answering since %s; last data kept | updated %s ago | %s",
             source, since, age, l->why);
    return true;
}
