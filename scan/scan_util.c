/* Small shared helpers for heatmap-scan: checked allocation, string buffers, a string map, paths.
 *
 * Nothing here knows about libclang; paths are the config library's (hm_path_absolute), so scan and
 * the config's file rules normalise alike. See scan_internal.h for the contracts. The map
 * is open addressing with linear probing and FNV-1a hashing, kept at most half full.
 */
#include "scan_internal.h"

#include "hm_config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void hm_xoom(void) {
    fputs("heatmap-scan: out of memory\n", stderr);
    abort();
}

void *hm_xmalloc(size_t size) {
    void *p = malloc(size ? size : 1);
    if (p == NULL)
        hm_xoom();
    return p;
}

void *hm_xcalloc(size_t count, size_t size) {
    void *p = calloc(count ? count : 1, size ? size : 1);
    if (p == NULL)
        hm_xoom();
    return p;
}

void *hm_xrealloc(void *ptr, size_t size) {
    void *p = realloc(ptr, size ? size : 1);
    if (p == NULL)
        hm_xoom();
    return p;
}

char *hm_xstrndup(const char *text, size_t len) {
    char *copy = hm_xmalloc(len + 1);
    memcpy(copy, text, len);
    copy[len] = '\0';
    return copy;
}

char *hm_xstrdup(const char *text) {
    return hm_xstrndup(text, strlen(text));
}

static void strbuf_vaddf(hm_strbuf *buf, const char *format, va_list ap) {
    va_list copy;
    va_copy(copy, ap);
    int n = vsnprintf(NULL, 0, format, copy);
    va_end(copy);
    if (n > 0) {
        hm_grow((void **)&buf->data, &buf->cap, buf->len + (size_t)n + 1, 1);
        vsnprintf(buf->data + buf->len, (size_t)n + 1, format, ap);
        buf->len += (size_t)n;
    }
}

char *hm_xasprintf(const char *format, ...) {
    hm_strbuf buf = {0};
    va_list ap;
    va_start(ap, format);
    strbuf_vaddf(&buf, format, ap);
    va_end(ap);
    return hm_strbuf_take(&buf);
}

void hm_grow(void **items, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return;
    size_t next = *cap ? *cap * 2 : 8;
    while (next < need)
        next *= 2;
    *items = hm_xrealloc(*items, next * size);
    *cap = next;
}

void hm_strbuf_addn(hm_strbuf *buf, const char *text, size_t len) {
    hm_grow((void **)&buf->data, &buf->cap, buf->len + len + 1, 1);
    memcpy(buf->data + buf->len, text, len);
    buf->len += len;
    buf->data[buf->len] = '\0';
}

void hm_strbuf_add(hm_strbuf *buf, const char *text) {
    hm_strbuf_addn(buf, text, strlen(text));
}

void hm_strbuf_addc(hm_strbuf *buf, char c) {
    hm_strbuf_addn(buf, &c, 1);
}

void hm_strbuf_addf(hm_strbuf *buf, const char *format, ...) {
    va_list ap;
    va_start(ap, format);
    strbuf_vaddf(buf, format, ap);
    va_end(ap);
}

char *hm_strbuf_take(hm_strbuf *buf) {
    char *data = buf->data ? buf->data : hm_xstrdup("");
    buf->data = NULL;
    buf->len = buf->cap = 0;
    return data;
}

void hm_strbuf_free(hm_strbuf *buf) {
    free(buf->data);
    buf->data = NULL;
    buf->len = buf->cap = 0;
}

static uint64_t hash_string(const char *s) {
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

/* Index of `key`'s slot: where it is, or the empty slot where it would go. Requires cap > 0. */
static size_t map_slot(const hm_strmap *map, const char *key) {
    size_t mask = map->cap - 1;
    size_t i = (size_t)hash_string(key) & mask;
    while (map->keys[i] != NULL && strcmp(map->keys[i], key) != 0)
        i = (i + 1) & mask;
    return i;
}

bool hm_strmap_get(const hm_strmap *map, const char *key, size_t *value) {
    if (map->cap == 0)
        return false;
    size_t i = map_slot(map, key);
    if (map->keys[i] == NULL)
        return false;
    if (value != NULL)
        *value = map->values[i];
    return true;
}

void hm_strmap_put(hm_strmap *map, const char *key, size_t value) {
    if ((map->count + 1) * 2 > map->cap) {
        hm_strmap old = *map;
        map->cap = old.cap ? old.cap * 2 : 64;
        map->keys = hm_xcalloc(map->cap, sizeof *map->keys);
        map->values = hm_xcalloc(map->cap, sizeof *map->values);
        for (size_t i = 0; i < old.cap; i++) {
            if (old.keys[i] != NULL) {
                size_t j = map_slot(map, old.keys[i]);
                map->keys[j] = old.keys[i];
                map->values[j] = old.values[i];
            }
        }
        free(old.keys);
        free(old.values);
    }
    size_t i = map_slot(map, key);
    if (map->keys[i] == NULL) {
        map->keys[i] = hm_xstrdup(key);
        map->count++;
    }
    map->values[i] = value;
}

void hm_strmap_free(hm_strmap *map) {
    for (size_t i = 0; i < map->cap; i++)
        free(map->keys[i]);
    free(map->keys);
    free(map->values);
    memset(map, 0, sizeof *map);
}

char *hm_scan_path_absolute(const char *path, const char *dir) {
    char *abs = hm_path_absolute(path, dir != NULL ? dir : ".");
    if (abs == NULL)
        hm_xoom();
    return abs;
}

const char *hm_scan_path_display(const char *path) {
    char cwd[4096];
    if (getcwd(cwd, sizeof cwd) == NULL)
        return path;
    size_t n = strlen(cwd);
    if (n > 1 && strncmp(path, cwd, n) == 0 && path[n] == '/' && path[n + 1] != '\0')
        return path + n + 1;
    return path;
}

void hm_scan_put_quoted(FILE *out, const char *s, char quote) {
    fputc(quote, out);
    for (; *s; s++) {
        if (*s == quote)
            fputc(quote, out);
        fputc(*s, out);
    }
    fputc(quote, out);
}
