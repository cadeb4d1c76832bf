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
 * (the caller unlinks it). 0, or -1 with one line in err that names the URL and says why. */
int hm_fetch_url(const char *url, char *out_path, size_t out_size, char *err, size_t errlen);

#endif /* HEATMAP_VIEWER_FETCH_H */
