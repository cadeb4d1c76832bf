/* heatmap-view http://HOST:PORT: fetch the results so far from the live server (fetch.c). */
#ifndef HEATMAP_VIEWER_FETCH_H
#define HEATMAP_VIEWER_FETCH_H

#include <stdbool.h>
#include <stddef.h>

/* Whether a file argument is a URL ("http://..."). */
bool hm_fetch_is_url(const char *arg);
/* Split http://HOST[:PORT][/PATH] (IPv6 hosts in brackets; port 6060 and path /debug/heatmap by
 * default). 0, or -1 when it is not such a URL. *path points into url or at the default. */
int hm_fetch_parse_url(const char *url, char *host, size_t hostlen, char *port, size_t portlen,
                       const char **path);
/* GET url; a 200 answer's body goes to a new temporary file whose name is written to out_path
 * (the caller unlinks it). cancel_fd: -1, or a descriptor whose becoming readable (a key pressed)
 * abandons the fetch, as does then a signal (Ctrl-C in the TUI). 0; 1 when cancelled (no file, no
 * message); -1 with one line in err that names the URL and says why. */
int hm_fetch_url(const char *url, int cancel_fd, char *out_path, size_t out_size, char *err,
                 size_t errlen);

/* Local names for a list of FILE arguments: each URL among them fetched into a temporary file. */
typedef struct hm_fetched {
    const char *const *files; /* the names to read: the caller's list when it has no URL */
    const char **local;       /* owned: the list with the temporary files in place of URLs */
    char (*tmp)[4096];        /* owned: per argument, its temporary file or "" */
    size_t n;
} hm_fetched;

/* Fetch every URL among files[0..n) (hm_fetch_url; cancel_fd likewise) and fill out; files must
 * outlive it. 0; 1 when cancelled; -1 with the message of the first URL that failed. On any
 * return, hm_fetch_release(out) is safe; after a failure nothing is left to release. */
int hm_fetch_files(const char *const *files, size_t n, int cancel_fd, hm_fetched *out, char *err,
                   size_t errlen);
/* Unlink the temporary files and free the lists. */
void hm_fetch_release(hm_fetched *f);

#endif /* HEATMAP_VIEWER_FETCH_H */
