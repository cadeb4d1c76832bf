/* Call paths: the calling-context tree of each thread, and the tree of exited threads.
 *
 * A node is one distinct path of instrumented functions from the outermost call. The hot path
 * (hot_path.c) finds the child node of the caller's node: a direct recursive call reuses the
 * caller's node, the node's one-entry cache answers repeated calls of the same child, the tree's
 * direct-mapped path cache answers most of the rest (a caller that calls several functions in
 * turn: an interpreter's loop), and the hash table here answers what is left and creates nodes.
 * Everything here may run in a signal handler that interrupted another call of it on the same
 * thread, so nodes are handed out with a signal-atomic fetch-and-add, filled, and only then
 * published in the table with a compare-and-swap; a handler racing on the same (parent, function)
 * can create a duplicate node for the same path, which is harmless because readers merge nodes by
 * path.
 *
 * Memory: a thread's tree reserves max nodes (32 bytes each, and 48 of waits in a parallel array,
 * hm_node_wait), 2*max table slots (4 bytes), a small table of 256 slots for its first 128 nodes
 * and a path cache of HM_TREE_CACHE entries (16 bytes) with MAP_NORESERVE, so only the pages of
 * nodes actually made, and of cache entries used, are committed (a small tree: a few).
 * Paths beyond max are folded into their caller's node and counted (docs/results-format.md).
 *
 * Layer 2 (rt_hot.h): calls nothing of the runtime above libc; called by hot_path.c,
 * thread_state.c, calibrate.c and the results writer (reading the trees).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "rt_hot.h"

#define HM_EXITED_TREE_FACTOR 4u /* the exited-threads tree holds this many times a thread's */

static pthread_mutex_t hm_exited_lock = PTHREAD_MUTEX_INITIALIZER;
static hm_tree hm_exited;
static bool hm_exited_ready;

/* The first nodes are found through a small table of their own at the start of the mapping,
 * beside the first nodes, so that a small tree (a short-lived thread's) commits one page instead of
 * one page of the large table per node; nodes from HM_TREE_SMALL_NODES on use the large table. */
#define HM_TREE_SMALL_NODES 128u
#define HM_TREE_SMALL_SLOTS (2u * HM_TREE_SMALL_NODES)

static size_t hm_tree_slots_bytes(uint32_t max) {
    uint32_t slots = 64;
    while (slots < 2u * max)
        slots *= 2;
    return (size_t)slots * sizeof(uint32_t);
}

static size_t hm_tree_map_bytes(uint32_t max) {
    return HM_TREE_SMALL_SLOTS * sizeof(uint32_t) + (size_t)max * sizeof(hm_node) +
           hm_tree_slots_bytes(max) + (size_t)max * sizeof(hm_node_wait) +
           HM_TREE_CACHE * sizeof(hm_tree_cache_entry);
}

bool hm_tree_init(hm_tree *tree, uint32_t max) {
    memset(tree, 0, sizeof *tree);
    if (max < 2)
        return false;
    size_t small_bytes = HM_TREE_SMALL_SLOTS * sizeof(uint32_t);
    size_t nodes_bytes = (size_t)max * sizeof(hm_node), slots_bytes = hm_tree_slots_bytes(max);
    void *mem = mmap(NULL, hm_tree_map_bytes(max), PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED)
        return false;
    tree->small = mem;
    tree->nodes = (hm_node *)((char *)mem + small_bytes);
    tree->slots = (uint32_t *)((char *)mem + small_bytes + nodes_bytes);
    tree->waits = (hm_node_wait *)((char *)mem + small_bytes + nodes_bytes + slots_bytes);
    tree->cache = (hm_tree_cache_entry *)((char *)tree->waits + (size_t)max * sizeof(hm_node_wait));
    tree->mask = (uint32_t)(slots_bytes / sizeof(uint32_t)) - 1;
    tree->max = max;
    tree->used = 1; /* the root */
    return true;
}

void hm_tree_release(hm_tree *tree) {
    if (tree->small)
        munmap(tree->small, hm_tree_map_bytes(tree->max));
    memset(tree, 0, sizeof *tree);
}

static inline uint32_t hm_tree_hash(uint32_t parent, uint32_t func) {
    uint64_t k = ((uint64_t)parent << 32 | func) * 0x9E3779B97F4A7C15ull;
    return (uint32_t)(k >> 32);
}

/* The table node n is published in. */
static inline uint32_t *hm_tree_table(const hm_tree *tree, uint32_t n, uint32_t *mask) {
    if (n < HM_TREE_SMALL_NODES) {
        *mask = HM_TREE_SMALL_SLOTS - 1;
        return tree->small;
    }
    *mask = tree->mask;
    return tree->slots;
}

/* Probe one table for (parent, func): the node, or 0 with *slot the empty slot the search ended
 * at. */
static uint32_t hm_tree_probe(const hm_tree *tree, const uint32_t *table, uint32_t mask,
                              uint32_t parent, uint32_t func, uint32_t *slot) {
    uint32_t i = hm_tree_hash(parent, func) & mask;
    for (;;) {
        uint32_t n = __atomic_load_n(&table[i], __ATOMIC_RELAXED);
        if (n == 0)
            break;
        if (tree->nodes[n].parent == parent && tree->nodes[n].func == func)
            return n;
        i = (i + 1) & mask;
    }
    *slot = i;
    return 0;
}

uint32_t hm_tree_find(const hm_tree *tree, uint32_t parent, uint32_t func) {
    uint32_t slot,
        n = hm_tree_probe(tree, tree->small, HM_TREE_SMALL_SLOTS - 1, parent, func, &slot);
    if (n == 0 && __atomic_load_n(&tree->used, __ATOMIC_RELAXED) > HM_TREE_SMALL_NODES)
        n = hm_tree_probe(tree, tree->slots, tree->mask, parent, func, &slot);
    return n;
}

/* The path cache: direct-mapped, (parent, func) -> node. Written only by the owning thread (and
 * its signal handlers): the key is cleared first and set last, and a reader checks it again
 * after reading the node, so a handler that rewrote the entry in between is not believed. */
static inline hm_tree_cache_entry *hm_tree_cache_slot(const hm_tree *tree, uint32_t parent,
                                                      uint32_t func) {
    return &tree->cache[hm_tree_hash(parent, func) & (HM_TREE_CACHE - 1)];
}

uint32_t hm_tree_cached(const hm_tree *tree, uint32_t parent, uint32_t func) {
    const hm_tree_cache_entry *e = hm_tree_cache_slot(tree, parent, func);
    uint64_t key = (uint64_t)parent << 32 | func;
    if (__atomic_load_n(&e->key, __ATOMIC_RELAXED) != key)
        return 0;
    atomic_signal_fence(memory_order_seq_cst);
    uint32_t node = __atomic_load_n(&e->node, __ATOMIC_RELAXED);
    atomic_signal_fence(memory_order_seq_cst);
    return __atomic_load_n(&e->key, __ATOMIC_RELAXED) == key ? node : 0;
}

void hm_tree_remember(hm_tree *tree, uint32_t parent, uint32_t func, uint32_t node) {
    hm_tree_cache_entry *e = hm_tree_cache_slot(tree, parent, func);
    __atomic_store_n(&e->key, 0, __ATOMIC_RELAXED);
    atomic_signal_fence(memory_order_seq_cst);
    __atomic_store_n(&e->node, node, __ATOMIC_RELAXED);
    atomic_signal_fence(memory_order_seq_cst);
    __atomic_store_n(&e->key, (uint64_t)parent << 32 | func, __ATOMIC_RELAXED);
}

uint32_t hm_tree_child(hm_tree *tree, uint32_t parent, uint32_t func) {
    uint32_t n = hm_tree_find(tree, parent, func);
    if (n)
        return n;
    n = hm_sig_fetch_add32(&tree->used, 1);
    if (n >= tree->max) {
        hm_sig_add64(&tree->folded, 1);
        return parent | HM_NODE_FOLDED;
    }
    hm_node *node = &tree->nodes[n];
    node->parent = parent;
    node->func = func;
    atomic_signal_fence(memory_order_seq_cst);
    /* Publish in the node's table: the first empty slot from the hash on. A handler racing on the
     * same path may publish a duplicate, which readers merge. */
    uint32_t mask, *table = hm_tree_table(tree, n, &mask);
    uint32_t slot = hm_tree_hash(parent, func) & mask;
    for (;;) {
        uint32_t empty = 0;
        if (__atomic_compare_exchange_n(&table[slot], &empty, n, false, __ATOMIC_RELAXED,
                                        __ATOMIC_RELAXED))
            return n;
        slot = (slot + 1) & mask;
    }
}

void hm_tree_clear(hm_tree *tree) {
    uint32_t size = hm_tree_size(tree);
    for (uint32_t i = 1; i < size; i++) {
        hm_node *n = &tree->nodes[i];
        uint32_t mask, *table = hm_tree_table(tree, i, &mask);
        uint32_t slot = hm_tree_hash(n->parent, n->func) & mask;
        while (table[slot] != 0 && table[slot] != i)
            slot = (slot + 1) & mask;
        table[slot] = 0;
        memset(n, 0, sizeof *n);
        memset(&tree->waits[i], 0, sizeof tree->waits[i]);
    }
    memset(&tree->nodes[0], 0, sizeof tree->nodes[0]);
    memset(&tree->waits[0], 0, sizeof tree->waits[0]);
    memset(tree->cache, 0, HM_TREE_CACHE * sizeof *tree->cache);
    tree->used = 1;
    tree->folded = 0;
}

void hm_tree_zero(hm_tree *tree) {
    uint32_t size = hm_tree_size(tree);
    for (uint32_t i = 0; i < size; i++) {
        tree->nodes[i].count = 0;
        tree->nodes[i].self_ns = 0;
        memset(&tree->waits[i], 0, sizeof tree->waits[i]);
    }
    tree->folded = 0;
}

/* Add a thread node's waits to an exited-tree node; its wait is split with the thread's ratio. */
static void hm_merge_waits(hm_node_wait *d, const hm_node_wait *s, uint64_t self_ns, double ratio) {
    uint64_t cpu, wait;
    hm_split_self(self_ns, s->blocked_ns, ratio, &cpu, &wait);
    d->blocked_ns += s->blocked_ns;
    d->wait_ns += wait;
    d->block_count += s->block_count;
    d->block_ns += s->block_ns;
    d->mutex_count += s->mutex_count;
    d->mutex_ns += s->mutex_ns;
}

void hm_paths_merge_exited(hm_tree *tree, double ratio) {
    uint32_t size = hm_tree_size(tree);
    if (!tree->nodes || size < 2)
        return;
    uint32_t *map = malloc((size_t)size * sizeof *map); /* thread node -> exited-tree node */
    if (!map)
        return;
    pthread_mutex_lock(&hm_exited_lock);
    if (!hm_exited_ready)
        hm_exited_ready = hm_tree_init(&hm_exited, tree->max * HM_EXITED_TREE_FACTOR);
    if (hm_exited_ready) {
        map[0] = 0;
        hm_exited.folded += tree->folded;
        hm_merge_waits(&hm_exited.waits[0], &tree->waits[0], tree->nodes[0].self_ns, ratio);
        /* Parents are made before their children, so one pass in index order maps them all. */
        for (uint32_t i = 1; i < size; i++) {
            const hm_node *src = &tree->nodes[i];
            if (src->func == 0 || src->parent >= i) {
                map[i] = 0 | HM_NODE_FOLDED; /* never filled: its subtree goes to the root */
                continue;
            }
            uint32_t parent = map[src->parent] & ~HM_NODE_FOLDED;
            uint32_t dst = hm_tree_child(&hm_exited, parent, src->func);
            map[i] = dst;
            hm_node *d = &hm_exited.nodes[dst & ~HM_NODE_FOLDED];
            if (dst & HM_NODE_FOLDED)
                hm_exited.folded += src->count;
            else
                d->count += src->count;
            d->self_ns += src->self_ns;
            hm_merge_waits(&hm_exited.waits[dst & ~HM_NODE_FOLDED], &tree->waits[i], src->self_ns,
                           ratio);
        }
    }
    pthread_mutex_unlock(&hm_exited_lock);
    free(map);
}

const hm_tree *hm_paths_exited(void) {
    return hm_exited_ready ? &hm_exited : NULL;
}

void hm_paths_reset_after_fork(void) {
    pthread_mutex_init(&hm_exited_lock, NULL);
    if (hm_exited_ready)
        hm_tree_zero(&hm_exited);
}
