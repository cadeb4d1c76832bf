/* Open-addressing maps of indexes, shared by results/ and export/; not part of the library's API.
 *
 * The entries live in an array the caller owns; the map holds index + 1 per slot (0: empty), with
 * linear probing over a power-of-two table kept at most half full. The caller gives the hash of a
 * key and, to find it, an equality test against an entry; growing rehashes each entry through a
 * callback, so nothing but indexes is stored. Inserting only (no removal) keeps a property some
 * callers rely on: among equal keys, the one inserted first is found. Header-only, libc only, no
 * global state; one map must not be used from two threads at once.
 */
#ifndef HEATMAP_INDEX_MAP_H
#define HEATMAP_INDEX_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

typedef struct hm_imap {
    size_t *slots; /* index + 1, 0 = empty */
    size_t cap;    /* power of two, or 0 before the first hm_imap_reserve */
    size_t n;
} hm_imap;

/* The hash of entry `index` of the caller's array, as given to hm_imap_find for its key. */
typedef uint64_t (*hm_imap_hash_fn)(const void *ctx, size_t index);
/* Whether entry `index` of the caller's array holds `key`. */
typedef bool (*hm_imap_equal_fn)(const void *ctx, size_t index, const void *key);

/* The hash function of a caller that keeps each entry's hash in an array of its own (computed
 * once, when the entry was added): pass that uint64_t array as ctx. */
static inline uint64_t hm_imap_stored_hash(const void *ctx, size_t index) {
    return ((const uint64_t *)ctx)[index];
}

/* Spread a hash's bits over the low ones the table uses (the murmur3 finalizer's first half). */
static inline uint64_t hm_imap_mix(uint64_t h) {
    h ^= h >> 33;
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    return h;
}

/* Make room for `need` entries in all (the first call allocates, even for 0). Returns 0, or -1
 * on out-of-memory (the map unchanged). */
static inline int hm_imap_reserve(hm_imap *m, size_t need, hm_imap_hash_fn hash, const void *ctx) {
    if (m->cap > 0 && 2 * need <= m->cap)
        return 0;
    size_t cap = m->cap ? 2 * m->cap : 64;
    while (cap < 2 * need)
        cap *= 2;
    size_t *slots = calloc(cap, sizeof *slots);
    if (slots == NULL)
        return -1;
    for (size_t i = 0; i < m->cap; i++)
        if (m->slots[i] != 0) {
            size_t j = hm_imap_mix(hash(ctx, m->slots[i] - 1)) & (cap - 1);
            while (slots[j] != 0)
                j = (j + 1) & (cap - 1);
            slots[j] = m->slots[i];
        }
    free(m->slots);
    m->slots = slots;
    m->cap = cap;
    return 0;
}

/* The index of the first entry inserted that equals `key` (hash h), or SIZE_MAX when there is
 * none; then *slot (when not NULL) is where hm_imap_insert puts it. The map must have been
 * reserved (cap > 0). */
static inline size_t hm_imap_find(const hm_imap *m, uint64_t h, hm_imap_equal_fn equal,
                                  const void *ctx, const void *key, size_t *slot) {
    size_t j = hm_imap_mix(h) & (m->cap - 1);
    for (; m->slots[j] != 0; j = (j + 1) & (m->cap - 1))
        if (equal(ctx, m->slots[j] - 1, key))
            return m->slots[j] - 1;
    if (slot != NULL)
        *slot = j;
    return SIZE_MAX;
}

/* Put `index` into the free slot hm_imap_find gave (no other insert in between); the caller has
 * reserved room for it. */
static inline void hm_imap_insert(hm_imap *m, size_t slot, size_t index) {
    m->slots[slot] = index + 1;
    m->n++;
}

static inline void hm_imap_free(hm_imap *m) {
    free(m->slots);
    *m = (hm_imap){0};
}

#endif /* HEATMAP_INDEX_MAP_H */
