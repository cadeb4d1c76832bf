/* Load, validate and merge call-path trees and trace files (see hm_paths.h).
 *
 * Design: a builder accumulates one merged tree while the files are read. Functions are keyed by
 * name + file + line (an index kept sorted for binary search), nodes by (parent node, function)
 * in an open-addressing hash map, so merging a tree is one pass over its nodes once each node's
 * parent has been merged. Each file's node ids and function ids live only while that file is read:
 * they are sorted into (id, index) tables, which also finds duplicates. At the end the merged
 * nodes are renumbered into depth-first pre-order with children sorted by function, which every
 * consumer wants (stable output, parents before children, subtrees contiguous).
 *
 * The reader trusts nothing: every array, every number and every reference is checked, and an
 * error names the file and the node ("paths.trees[0] (thread 42).nodes[3] (node 7)") or the trace
 * event ("threads[1] (tid 43).events[17]").
 */
#define _POSIX_C_SOURCE 200809L
#include "hm_paths.h"
#include "results_internal.h"

#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    const char *name; /* file name used in messages */
    char *err;
    size_t errlen;
} loader;

/* Write "NAME: MESSAGE" into the error buffer; always returns -1. */
static int fail(loader *ld, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    hm_vfail(ld->err, ld->errlen, ld->name, fmt, ap);
    va_end(ap);
    return -1;
}

/* Grow *items (element size `size`) so that it holds at least `need` elements. */
static int reserve(void **items, size_t *cap, size_t need, size_t size) {
    if (need <= *cap)
        return 0;
    size_t n = *cap ? *cap : 16;
    while (n < need)
        n *= 2;
    void *bigger = realloc(*items, n * size);
    if (bigger == NULL)
        return -1;
    *items = bigger;
    *cap = n;
    return 0;
}

/* Parse JSON text whose top level must be an object. Returns the root or NULL after fail(). */
static json_t *parse_json(loader *ld, const char *data, size_t len, const char *expected) {
    json_t *root = hm_parse_json(data, len, ld->name, expected, ld->err, ld->errlen);
    if (root != NULL && !json_is_object(root)) {
        json_decref(root);
        root = NULL;
        fail(ld, "expected a JSON object at the top level");
    }
    return root;
}

/* A non-negative integer member; missing is an error when `required`, else 0. */
static int get_u64(loader *ld, const json_t *obj, const char *key, bool required, const char *where,
                   uint64_t *out) {
    const json_t *v = json_object_get(obj, key);
    *out = 0;
    if (v == NULL)
        return required ? fail(ld, "%s: missing key \"%s\"", where, key) : 0;
    if (!json_is_integer(v) || json_integer_value(v) < 0)
        return fail(ld, "%s.%s: expected a non-negative integer", where, key);
    *out = (uint64_t)json_integer_value(v);
    return 0;
}

static const char *get_str(const json_t *obj, const char *key) {
    const json_t *v = json_object_get(obj, key);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- One file's function table -------------------------------------------------------------- */

typedef struct file_function {
    uint64_t id;
    const char *name, *file; /* borrowed from the JSON document */
    uint32_t line;
    uint64_t count, self_ns;
    size_t merged; /* index into the builder's or the trace's function array */
} file_function;

/* (key, index) pairs sorted by key then index: id lookups and duplicate checks. */
typedef struct keyed {
    uint64_t key;
    size_t index;
} keyed;

static int compare_keyed(const void *a, const void *b) {
    const keyed *x = a, *y = b;
    if (x->key != y->key)
        return x->key < y->key ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Index stored with `key` in a sorted keyed array, or SIZE_MAX. */
static size_t find_keyed(const keyed *items, size_t n, uint64_t key) {
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (items[mid].key == key)
            return items[mid].index;
        if (items[mid].key < key)
            lo = mid + 1;
        else
            hi = mid;
    }
    return SIZE_MAX;
}

typedef struct file_functions {
    file_function *items; /* in file order */
    size_t n;
    keyed *by_id; /* (id, index into items), ascending */
} file_functions;

static void file_functions_free(file_functions *ff) {
    free(ff->items);
    free(ff->by_id);
}

/* Read `functions`: name, file, line, count, self_ns, and id when `need_ids`. Ids must be unique.
 */
static int read_functions(loader *ld, const json_t *root, bool need_ids, file_functions *ff) {
    memset(ff, 0, sizeof *ff);
    const json_t *arr = json_object_get(root, "functions");
    if (!json_is_array(arr))
        return fail(ld, arr ? "functions: expected an array"
                            : "missing key \"functions\" (not a "
                              "results file?)");
    ff->n = json_array_size(arr);
    ff->items = calloc(ff->n ? ff->n : 1, sizeof *ff->items);
    ff->by_id = calloc(ff->n ? ff->n : 1, sizeof *ff->by_id);
    if (ff->items == NULL || ff->by_id == NULL)
        return fail(ld, "out of memory");
    for (size_t i = 0; i < ff->n; i++) {
        const json_t *o = json_array_get(arr, i);
        file_function *f = &ff->items[i];
        char where[64];
        snprintf(where, sizeof where, "functions[%zu]", i);
        if (!json_is_object(o))
            return fail(ld, "%s: expected an object", where);
        uint64_t line;
        f->name = get_str(o, "name");
        f->file = get_str(o, "file");
        if (f->name == NULL)
            return fail(ld, "%s: missing or non-string \"name\"", where);
        if (f->file == NULL)
            f->file = "";
        if (get_u64(ld, o, "id", need_ids, where, &f->id) != 0 ||
            get_u64(ld, o, "line", false, where, &line) != 0 ||
            get_u64(ld, o, "count", true, where, &f->count) != 0 ||
            get_u64(ld, o, "self_ns", true, where, &f->self_ns) != 0)
            return -1;
        if (line > UINT32_MAX)
            return fail(ld, "%s.line: %llu is too large", where, (unsigned long long)line);
        f->line = (uint32_t)line;
        ff->by_id[i] = (keyed){.key = f->id, .index = i};
    }
    qsort(ff->by_id, ff->n, sizeof *ff->by_id, compare_keyed);
    for (size_t i = 1; need_ids && i < ff->n; i++) {
        const file_function *a = &ff->items[ff->by_id[i - 1].index];
        const file_function *b = &ff->items[ff->by_id[i].index];
        if (a->id == b->id)
            return fail(ld, "functions: id %llu is used by both \"%s\" and \"%s\"",
                        (unsigned long long)a->id, a->name, b->name);
    }
    return 0;
}

static const file_function *find_by_id(const file_functions *ff, uint64_t id) {
    size_t i = find_keyed(ff->by_id, ff->n, id);
    return i == SIZE_MAX ? NULL : &ff->items[i];
}

/* ---- The merged tree under construction ----------------------------------------------------- */

typedef struct bnode {
    size_t parent, function;
    uint64_t count, self_ns, total_ns;
} bnode;

typedef struct slot {
    size_t parent, function, node; /* node == SIZE_MAX: empty */
} slot;

typedef struct builder {
    hm_path_function *functions;
    size_t nfunctions, cap_functions;
    size_t *order; /* function indexes sorted by identity */
    size_t cap_order;
    bnode *nodes; /* nodes[0] is the root */
    size_t nnodes, cap_nodes;
    slot *slots; /* (parent, function) -> node */
    size_t nslots;
    hm_paths *out;
} builder;

static int compare_identity(const char *name, const char *file, uint32_t line,
                            const hm_path_function *f) {
    int c = strcmp(name, f->name);
    if (c == 0)
        c = strcmp(file, f->file);
    if (c == 0)
        c = line < f->line ? -1 : line > f->line;
    return c;
}

/* Binary search of the sorted order: returns the position where the identity is or would go. */
static size_t order_position(const builder *b, const char *name, const char *file, uint32_t line,
                             bool *found) {
    size_t lo = 0, hi = b->nfunctions;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_identity(name, file, line, &b->functions[b->order[mid]]);
        if (c == 0) {
            *found = true;
            return mid;
        }
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return lo;
}

/* Merged index of a file's function (added when new); its count and self_ns are summed in.
 * Returns SIZE_MAX on out-of-memory. */
static size_t add_function(builder *b, const file_function *ff) {
    bool found;
    size_t pos = order_position(b, ff->name, ff->file, ff->line, &found);
    if (found) {
        hm_path_function *f = &b->functions[b->order[pos]];
        f->count += ff->count;
        f->self_ns += ff->self_ns;
        return b->order[pos];
    }
    if (reserve((void **)&b->functions, &b->cap_functions, b->nfunctions + 1,
                sizeof *b->functions) != 0 ||
        reserve((void **)&b->order, &b->cap_order, b->nfunctions + 1, sizeof *b->order) != 0)
        return SIZE_MAX;
    hm_path_function *f = &b->functions[b->nfunctions];
    f->name = hm_strdup(ff->name);
    f->file = hm_strdup(ff->file);
    if (f->name == NULL || f->file == NULL) {
        free(f->name);
        free(f->file);
        return SIZE_MAX;
    }
    f->line = ff->line;
    f->count = ff->count;
    f->self_ns = ff->self_ns;
    memmove(&b->order[pos + 1], &b->order[pos], (b->nfunctions - pos) * sizeof *b->order);
    b->order[pos] = b->nfunctions;
    return b->nfunctions++;
}

static size_t slot_hash(size_t parent, size_t function, size_t nslots) {
    uint64_t h =
        (uint64_t)parent * 0x9E3779B97F4A7C15ull ^ (uint64_t)function * 0xC2B2AE3D27D4EB4Full;
    h ^= h >> 29;
    return (size_t)(h & (nslots - 1));
}

static int grow_slots(builder *b) {
    size_t n = b->nslots ? b->nslots * 2 : 1024;
    slot *s = malloc(n * sizeof *s);
    if (s == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        s[i].node = SIZE_MAX;
    for (size_t i = 0; i < b->nslots; i++) {
        if (b->slots[i].node == SIZE_MAX)
            continue;
        size_t j = slot_hash(b->slots[i].parent, b->slots[i].function, n);
        while (s[j].node != SIZE_MAX)
            j = (j + 1) & (n - 1);
        s[j] = b->slots[i];
    }
    free(b->slots);
    b->slots = s;
    b->nslots = n;
    return 0;
}

/* The merged node for `function` under merged node `parent`, created when new. SIZE_MAX on
 * out-of-memory. */
static size_t child_node(builder *b, size_t parent, size_t function) {
    if (2 * (b->nnodes + 1) > b->nslots && grow_slots(b) != 0)
        return SIZE_MAX;
    size_t j = slot_hash(parent, function, b->nslots);
    while (b->slots[j].node != SIZE_MAX) {
        if (b->slots[j].parent == parent && b->slots[j].function == function)
            return b->slots[j].node;
        j = (j + 1) & (b->nslots - 1);
    }
    if (reserve((void **)&b->nodes, &b->cap_nodes, b->nnodes + 1, sizeof *b->nodes) != 0)
        return SIZE_MAX;
    b->nodes[b->nnodes] = (bnode){.parent = parent, .function = function};
    b->slots[j] = (slot){.parent = parent, .function = function, .node = b->nnodes};
    return b->nnodes++;
}

static int builder_init(builder *b) {
    memset(b, 0, sizeof *b);
    b->out = calloc(1, sizeof *b->out);
    if (b->out == NULL || reserve((void **)&b->nodes, &b->cap_nodes, 1, sizeof *b->nodes) != 0 ||
        grow_slots(b) != 0)
        return -1;
    b->nodes[0] = (bnode){.parent = HM_PATH_ROOT, .function = HM_PATH_NO_FUNCTION};
    b->nnodes = 1;
    return 0;
}

static void builder_free(builder *b) {
    for (size_t i = 0; i < b->nfunctions; i++) {
        free(b->functions[i].name);
        free(b->functions[i].file);
    }
    free(b->functions);
    free(b->order);
    free(b->nodes);
    free(b->slots);
    hm_paths_free(b->out);
}

/* ---- Reading one tree ----------------------------------------------------------------------- */

typedef struct tnode {
    uint64_t id, parent_id;
    uint64_t count, self_ns, total_ns;
    const file_function *function;
    size_t parent; /* index into the tree's nodes, SIZE_MAX for the root */
    size_t merged; /* merged node, SIZE_MAX until merged */
    bool on_walk;  /* cycle check */
} tnode;

/* Read the six numbers of nodes[i]. */
static int read_node(loader *ld, const json_t *v, const char *where, size_t i,
                     const file_functions *ff, tnode *t) {
    if (!json_is_array(v) || json_array_size(v) != 6)
        return fail(ld,
                    "%s.nodes[%zu]: expected [node_id, parent_id, function_id, count, "
                    "self_ns, total_ns]",
                    where, i);
    uint64_t x[6];
    for (size_t k = 0; k < 6; k++) {
        const json_t *e = json_array_get(v, k);
        if (!json_is_integer(e) || json_integer_value(e) < 0)
            return fail(ld, "%s.nodes[%zu]: element %zu is not a non-negative integer", where, i,
                        k);
        x[k] = (uint64_t)json_integer_value(e);
    }
    *t = (tnode){.id = x[0],
                 .parent_id = x[1],
                 .count = x[3],
                 .self_ns = x[4],
                 .total_ns = x[5],
                 .merged = SIZE_MAX};
    if (t->id == 0)
        return fail(ld, "%s.nodes[%zu]: node id 0 is reserved for the root", where, i);
    t->function = find_by_id(ff, x[2]);
    if (t->function == NULL)
        return fail(ld, "%s.nodes[%zu] (node %llu): function id %llu is not in \"functions\"",
                    where, i, (unsigned long long)t->id, (unsigned long long)x[2]);
    if (t->self_ns > t->total_ns)
        return fail(ld, "%s.nodes[%zu] (node %llu): self_ns %llu exceeds total_ns %llu", where, i,
                    (unsigned long long)t->id, (unsigned long long)t->self_ns,
                    (unsigned long long)t->total_ns);
    return 0;
}

/* Merge tree node i: walk up to its first merged ancestor (or the root), collecting the chain in
 * `chain` (room for every node), then merge the chain top-down. A walk that meets itself is a
 * cycle. */
static int merge_node(loader *ld, builder *b, tnode *nodes, size_t i, size_t *chain,
                      const char *where) {
    size_t len = 0;
    for (size_t j = i; j != SIZE_MAX && nodes[j].merged == SIZE_MAX; j = nodes[j].parent) {
        if (nodes[j].on_walk)
            return fail(ld, "%s: node %llu is its own ancestor (the parents form a cycle)", where,
                        (unsigned long long)nodes[j].id);
        nodes[j].on_walk = true;
        chain[len++] = j;
    }
    while (len > 0) {
        tnode *t = &nodes[chain[--len]];
        size_t parent = t->parent == SIZE_MAX ? HM_PATH_ROOT : nodes[t->parent].merged;
        size_t m = child_node(b, parent, t->function->merged);
        if (m == SIZE_MAX)
            return fail(ld, "out of memory");
        b->nodes[m].count += t->count;
        b->nodes[m].self_ns += t->self_ns;
        b->nodes[m].total_ns += t->total_ns;
        t->merged = m;
    }
    return 0;
}

static int read_tree(loader *ld, builder *b, const json_t *tree, size_t ti,
                     const file_functions *ff) {
    char where[96];
    const json_t *thread = json_is_object(tree) ? json_object_get(tree, "thread") : NULL;
    if (json_is_integer(thread))
        snprintf(where, sizeof where, "paths.trees[%zu] (thread %lld)", ti,
                 (long long)json_integer_value(thread));
    else if (json_is_string(thread))
        snprintf(where, sizeof where, "paths.trees[%zu] (%s)", ti, json_string_value(thread));
    else
        snprintf(where, sizeof where, "paths.trees[%zu]", ti);
    if (!json_is_object(tree))
        return fail(ld, "%s: expected an object", where);
    if (thread == NULL || !(json_is_integer(thread) || json_is_string(thread)))
        return fail(ld, "%s: \"thread\" must be a thread id or \"exited\"", where);
    const json_t *arr = json_object_get(tree, "nodes");
    if (!json_is_array(arr))
        return fail(ld, "%s: missing or non-array \"nodes\"", where);
    size_t n = json_array_size(arr);
    tnode *nodes = calloc(n ? n : 1, sizeof *nodes);
    keyed *by_id = calloc(n ? n : 1, sizeof *by_id);
    size_t *chain = calloc(n ? n : 1, sizeof *chain);
    int rc = 0;
    if (nodes == NULL || by_id == NULL || chain == NULL)
        rc = fail(ld, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = read_node(ld, json_array_get(arr, i), where, i, ff, &nodes[i]);
        by_id[i] = (keyed){.key = nodes[i].id, .index = i};
    }
    if (rc == 0) {
        qsort(by_id, n, sizeof *by_id, compare_keyed); /* equal ids: lower index first */
        for (size_t i = 1; i < n; i++)
            if (by_id[i - 1].key == by_id[i].key) {
                rc = fail(ld, "%s.nodes[%zu]: node id %llu is already used by nodes[%zu]", where,
                          by_id[i].index, (unsigned long long)by_id[i].key, by_id[i - 1].index);
                break;
            }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (nodes[i].parent_id == 0) {
            nodes[i].parent = SIZE_MAX;
            continue;
        }
        nodes[i].parent = find_keyed(by_id, n, nodes[i].parent_id);
        if (nodes[i].parent == SIZE_MAX)
            rc = fail(ld, "%s.nodes[%zu] (node %llu): parent %llu does not exist", where, i,
                      (unsigned long long)nodes[i].id, (unsigned long long)nodes[i].parent_id);
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = merge_node(ld, b, nodes, i, chain, where);
    free(nodes);
    free(by_id);
    free(chain);
    return rc;
}

/* Read one file's `paths` into the builder. */
static int read_file_paths(loader *ld, builder *b, const json_t *root) {
    const json_t *version = json_object_get(root, "version");
    if (!json_is_integer(version) || json_integer_value(version) != 1)
        return fail(ld, "not a version 1 results file");
    const json_t *paths = json_object_get(root, "paths");
    if (paths == NULL)
        return fail(ld, "no call paths in this file (recorded with HEATMAP_PATHS=off, or by a "
                        "runtime without call paths)");
    if (!json_is_object(paths))
        return fail(ld, "paths: expected an object");
    uint64_t max_nodes, folded, elapsed, start;
    if (get_u64(ld, paths, "max_nodes", false, "paths", &max_nodes) != 0 ||
        get_u64(ld, paths, "folded_calls", false, "paths", &folded) != 0 ||
        get_u64(ld, root, "elapsed_ns", false, "results", &elapsed) != 0 ||
        get_u64(ld, root, "start_unix_ns", false, "results", &start) != 0)
        return -1;
    const json_t *trees = json_object_get(paths, "trees");
    if (!json_is_array(trees))
        return fail(ld, "paths: missing or non-array \"trees\"");
    file_functions ff;
    int rc = read_functions(ld, root, true, &ff);
    for (size_t i = 0; rc == 0 && i < ff.n; i++) {
        ff.items[i].merged = add_function(b, &ff.items[i]);
        if (ff.items[i].merged == SIZE_MAX)
            rc = fail(ld, "out of memory");
    }
    for (size_t i = 0; rc == 0 && i < json_array_size(trees); i++)
        rc = read_tree(ld, b, json_array_get(trees, i), i, &ff);
    file_functions_free(&ff);
    if (rc != 0)
        return -1;
    hm_paths *p = b->out;
    p->folded_calls += folded;
    if (max_nodes > p->max_nodes)
        p->max_nodes = max_nodes;
    if (elapsed > p->elapsed_ns)
        p->elapsed_ns = elapsed;
    if (start != 0 && (p->start_unix_ns == 0 || start < p->start_unix_ns))
        p->start_unix_ns = start;
    const char *program = get_str(root, "program");
    if (p->program == NULL && (p->program = hm_strdup(program ? program : "")) == NULL)
        return fail(ld, "out of memory");
    p->ntrees += json_array_size(trees);
    p->nfiles++;
    return 0;
}

/* ---- Finishing: sorted functions, pre-order nodes ------------------------------------------- */

static int finish(loader *ld, builder *b, hm_paths **out) {
    hm_paths *p = b->out;
    size_t nf = b->nfunctions, nn = b->nnodes;
    size_t *rank = malloc((nf ? nf : 1) * sizeof *rank); /* function -> sorted position */
    keyed *kids = malloc(nn * sizeof *kids);       /* (function rank, builder child), grouped */
    size_t *start = calloc(nn + 1, sizeof *start); /* group starts */
    size_t *newidx = malloc(nn * sizeof *newidx);  /* builder node -> pre-order */
    size_t *stack = malloc(nn * sizeof *stack);
    p->functions = calloc(nf ? nf : 1, sizeof *p->functions);
    p->nodes = calloc(nn, sizeof *p->nodes);
    p->children = calloc(nn, sizeof *p->children);
    if (!rank || !kids || !start || !newidx || !stack || !p->functions || !p->nodes ||
        !p->children) {
        free(rank), free(kids), free(start), free(newidx), free(stack);
        return fail(ld, "out of memory");
    }
    /* Functions in sorted order; ownership of the strings moves to p. */
    for (size_t i = 0; i < nf; i++) {
        rank[b->order[i]] = i;
        p->functions[i] = b->functions[b->order[i]];
    }
    p->nfunctions = nf;
    b->nfunctions = 0;
    /* Group builder children by parent (counting sort), then sort each group by function. */
    for (size_t i = 1; i < nn; i++)
        start[b->nodes[i].parent + 1]++;
    for (size_t i = 0; i < nn; i++)
        start[i + 1] += start[i];
    size_t *fill = newidx; /* reused as a cursor before it gets its real meaning */
    memcpy(fill, start, nn * sizeof *fill);
    for (size_t i = 1; i < nn; i++)
        kids[fill[b->nodes[i].parent]++] = (keyed){.key = rank[b->nodes[i].function], .index = i};
    for (size_t i = 0; i < nn; i++)
        qsort(kids + start[i], start[i + 1] - start[i], sizeof *kids, compare_keyed);
    /* Pre-order walk from the root, pushing children in reverse so the first comes out first. */
    size_t top = 0, next = 0;
    stack[top++] = 0;
    while (top > 0) {
        size_t v = stack[--top];
        newidx[v] = next++;
        for (size_t k = start[v + 1]; k > start[v]; k--)
            stack[top++] = kids[k - 1].index;
    }
    /* Copy nodes; children of a pre-order node keep their sorted order. */
    size_t nc = 0;
    for (size_t v = 0; v < nn; v++) {
        hm_path_node *d = &p->nodes[newidx[v]];
        const bnode *s = &b->nodes[v];
        d->parent = v == 0 ? HM_PATH_ROOT : newidx[s->parent];
        d->function = v == 0 ? HM_PATH_NO_FUNCTION : rank[s->function];
        d->count = s->count;
        d->self_ns = s->self_ns;
        d->total_ns = s->total_ns;
        d->nchildren = start[v + 1] - start[v];
    }
    for (size_t i = 0; i < nn; i++) { /* children arrays in pre-order of the parents */
        hm_path_node *d = &p->nodes[i];
        d->first_child = nc;
        nc += d->nchildren;
    }
    for (size_t v = 0; v < nn; v++)
        for (size_t k = start[v]; k < start[v + 1]; k++)
            p->children[p->nodes[newidx[v]].first_child + (k - start[v])] = newidx[kids[k].index];
    p->nnodes = nn;
    /* Depth, and the root's figures. */
    for (size_t i = 1; i < nn; i++)
        p->nodes[i].depth = p->nodes[p->nodes[i].parent].depth + 1;
    hm_path_node *root = &p->nodes[HM_PATH_ROOT];
    for (size_t k = 0; k < root->nchildren; k++) {
        const hm_path_node *c = &p->nodes[p->children[root->first_child + k]];
        root->count += c->count;
        root->total_ns += c->total_ns;
    }
    free(rank), free(kids), free(start), free(newidx), free(stack);
    *out = p;
    b->out = NULL;
    return 0;
}

/* ---- Public entry points -------------------------------------------------------------------- */

static int load_into(builder *b, const char *path, char *err, size_t errlen) {
    const char *name = strcmp(path, "-") == 0 ? "<stdin>" : path;
    loader ld = {.name = name, .err = err, .errlen = errlen};
    size_t len;
    char *data = hm_read_file(path, &len, NULL);
    if (data == NULL)
        return fail(&ld, "cannot read: %s", strerror(errno));
    json_t *root = parse_json(&ld, data, len, "a heatmap results JSON object");
    free(data);
    if (root == NULL)
        return -1;
    int rc = read_file_paths(&ld, b, root);
    json_decref(root);
    return rc;
}

int hm_paths_load_many(const char *const *paths, size_t n, hm_paths **out, char *err,
                       size_t errlen) {
    loader ld = {.name = n ? paths[0] : "heatmap-view", .err = err, .errlen = errlen};
    builder b;
    *out = NULL;
    if (n == 0)
        return fail(&ld, "no results file");
    if (builder_init(&b) != 0) {
        builder_free(&b);
        return fail(&ld, "out of memory");
    }
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = load_into(&b, paths[i], err, errlen);
    if (rc == 0)
        rc = finish(&ld, &b, out);
    builder_free(&b);
    return rc;
}

int hm_paths_load(const char *path, hm_paths **out, char *err, size_t errlen) {
    return hm_paths_load_many(&path, 1, out, err, errlen);
}

int hm_paths_load_buffer(const char *data, size_t len, const char *name, hm_paths **out, char *err,
                         size_t errlen) {
    loader ld = {.name = name, .err = err, .errlen = errlen};
    builder b;
    *out = NULL;
    if (builder_init(&b) != 0) {
        builder_free(&b);
        return fail(&ld, "out of memory");
    }
    json_t *root = parse_json(&ld, data, len, "a heatmap results JSON object");
    int rc = root ? read_file_paths(&ld, &b, root) : -1;
    json_decref(root);
    if (rc == 0)
        rc = finish(&ld, &b, out);
    builder_free(&b);
    return rc;
}

void hm_paths_free(hm_paths *p) {
    if (p == NULL)
        return;
    for (size_t i = 0; i < p->nfunctions; i++) {
        free(p->functions[i].name);
        free(p->functions[i].file);
    }
    free(p->functions);
    free(p->nodes);
    free(p->children);
    free(p->program);
    free(p);
}

/* ---- Queries -------------------------------------------------------------------------------- */

size_t hm_paths_find_function(const hm_paths *p, const char *name, const char *file,
                              uint32_t line) {
    size_t lo = 0, hi = p->nfunctions;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = compare_identity(name, file, line, &p->functions[mid]);
        if (c == 0)
            return mid;
        if (c < 0)
            hi = mid;
        else
            lo = mid + 1;
    }
    return HM_PATH_NO_FUNCTION;
}

/* Sum of one uint64_t field over `n` records of `stride` bytes starting at `first`. */
static uint64_t sum_field(const void *first, size_t n, size_t stride) {
    uint64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += *(const uint64_t *)((const char *)first + i * stride);
    return sum;
}

uint64_t hm_paths_node_calls(const hm_paths *p) {
    return p->nnodes < 2 ? 0 : sum_field(&p->nodes[1].count, p->nnodes - 1, sizeof *p->nodes);
}

uint64_t hm_paths_node_self_ns(const hm_paths *p) {
    return p->nnodes < 2 ? 0 : sum_field(&p->nodes[1].self_ns, p->nnodes - 1, sizeof *p->nodes);
}

uint64_t hm_paths_function_calls(const hm_paths *p) {
    return p->nfunctions ? sum_field(&p->functions[0].count, p->nfunctions, sizeof *p->functions)
                         : 0;
}

uint64_t hm_paths_function_self_ns(const hm_paths *p) {
    return p->nfunctions ? sum_field(&p->functions[0].self_ns, p->nfunctions, sizeof *p->functions)
                         : 0;
}

/* Per-function sums of the nodes' counts and self times; malloc'd arrays, NULL on OOM. */
static int node_sums(const hm_paths *p, uint64_t **count, uint64_t **self) {
    *count = calloc(p->nfunctions ? p->nfunctions : 1, sizeof **count);
    *self = calloc(p->nfunctions ? p->nfunctions : 1, sizeof **self);
    if (*count == NULL || *self == NULL) {
        free(*count);
        free(*self);
        return -1;
    }
    for (size_t i = 1; i < p->nnodes; i++) {
        (*count)[p->nodes[i].function] += p->nodes[i].count;
        (*self)[p->nodes[i].function] += p->nodes[i].self_ns;
    }
    return 0;
}

int hm_paths_check_totals(const hm_paths *p, char *err, size_t errlen) {
    uint64_t nodes = hm_paths_node_self_ns(p), functions = hm_paths_function_self_ns(p);
    if (nodes != functions) {
        snprintf(err, errlen, "the nodes' self times add up to %llu ns, the functions' to %llu ns",
                 (unsigned long long)nodes, (unsigned long long)functions);
        return -1;
    }
    if (p->folded_calls != 0)
        return 0;
    uint64_t *count, *self;
    if (node_sums(p, &count, &self) != 0) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    int rc = 0;
    for (size_t f = 0; rc == 0 && f < p->nfunctions; f++) {
        const hm_path_function *fn = &p->functions[f];
        if (count[f] != fn->count || self[f] != fn->self_ns) {
            snprintf(err, errlen,
                     "%s: its nodes count %llu calls and %llu ns, the function %llu calls and "
                     "%llu ns",
                     fn->name, (unsigned long long)count[f], (unsigned long long)self[f],
                     (unsigned long long)fn->count, (unsigned long long)fn->self_ns);
            rc = -1;
        }
    }
    free(count);
    free(self);
    return rc;
}

uint64_t hm_paths_unplaced_calls(const hm_paths *p, size_t f) {
    uint64_t placed = 0;
    for (size_t i = 1; i < p->nnodes; i++)
        if (p->nodes[i].function == f)
            placed += p->nodes[i].count;
    return p->functions[f].count > placed ? p->functions[f].count - placed : 0;
}

/* ---- Traces --------------------------------------------------------------------------------- */

bool hm_trace_path_for(const char *results_path, char *out, size_t outlen) {
    size_t n = strlen(results_path);
    int w;
    if (n >= 5 && strcmp(results_path + n - 5, ".json") == 0)
        w = snprintf(out, outlen, "%.*s.trace.json", (int)(n - 5), results_path);
    else
        w = snprintf(out, outlen, "%s.trace.json", results_path);
    return w >= 0 && (size_t)w < outlen;
}

void hm_trace_free(hm_trace *t) {
    if (t == NULL)
        return;
    for (size_t i = 0; i < t->nfunctions; i++) {
        free(t->functions[i].name);
        free(t->functions[i].file);
    }
    for (size_t i = 0; i < t->nthreads; i++) {
        free(t->threads[i].name);
        free(t->threads[i].events);
    }
    free(t->functions);
    free(t->threads);
    free(t->path);
    free(t->program);
    free(t);
}

/* Read threads[ti] of a trace and check its events. `stack` has room for every event. */
static int read_trace_thread(loader *ld, const json_t *o, size_t ti, const file_functions *ff,
                             hm_trace_thread *th, size_t **stack, size_t *stack_cap) {
    char where[96];
    snprintf(where, sizeof where, "threads[%zu]", ti);
    if (!json_is_object(o))
        return fail(ld, "%s: expected an object", where);
    if (get_u64(ld, o, "tid", true, where, &th->tid) != 0 ||
        get_u64(ld, o, "dropped_events", false, where, &th->dropped_events) != 0)
        return -1;
    snprintf(where, sizeof where, "threads[%zu] (tid %llu)", ti, (unsigned long long)th->tid);
    const char *name = get_str(o, "name");
    th->name = hm_strdup(name ? name : "");
    const json_t *arr = json_object_get(o, "events");
    if (th->name == NULL)
        return fail(ld, "out of memory");
    if (!json_is_array(arr))
        return fail(ld, "%s: missing or non-array \"events\"", where);
    size_t n = json_array_size(arr);
    th->events = calloc(n ? n : 1, sizeof *th->events);
    if (th->events == NULL || reserve((void **)stack, stack_cap, n + 1, sizeof **stack) != 0)
        return fail(ld, "out of memory");
    size_t depth = 0;
    for (size_t i = 0; i < n; i++) {
        const json_t *e = json_array_get(arr, i);
        uint64_t x[3];
        bool ok = json_is_array(e) && json_array_size(e) == 3;
        for (size_t k = 0; ok && k < 3; k++) {
            const json_t *v = json_array_get(e, k);
            ok = json_is_integer(v) && json_integer_value(v) >= 0;
            x[k] = ok ? (uint64_t)json_integer_value(v) : 0;
        }
        if (!ok)
            return fail(ld,
                        "%s.events[%zu]: expected [ns_since_start, function_id, kind] of "
                        "non-negative integers",
                        where, i);
        if (x[2] > 1)
            return fail(ld, "%s.events[%zu]: kind %llu (expected 1 enter or 0 exit)", where, i,
                        (unsigned long long)x[2]);
        const file_function *f = find_by_id(ff, x[1]);
        if (f == NULL)
            return fail(ld, "%s.events[%zu]: function id %llu is not in the results file", where, i,
                        (unsigned long long)x[1]);
        if (i > 0 && x[0] < th->events[i - 1].ns)
            return fail(ld, "%s.events[%zu]: time %llu ns is before the previous event's %llu ns",
                        where, i, (unsigned long long)x[0],
                        (unsigned long long)th->events[i - 1].ns);
        hm_trace_event *ev = &th->events[i];
        *ev = (hm_trace_event){.ns = x[0], .function = f->merged, .enter = x[2] == 1};
        if (ev->enter) {
            (*stack)[depth++] = ev->function;
        } else if (depth == 0) {
            return fail(ld, "%s.events[%zu]: exit of %s without an open frame", where, i, f->name);
        } else if ((*stack)[--depth] != ev->function) {
            return fail(ld, "%s.events[%zu]: exit of %s while %s is the innermost open frame",
                        where, i, f->name, ff->items[(*stack)[depth]].name);
        }
        th->nevents++;
    }
    th->open_at_end = depth;
    return 0;
}

static int read_trace(loader *ld, const json_t *root, const file_functions *ff, hm_trace *t) {
    const json_t *version = json_object_get(root, "version");
    if (!json_is_integer(version) || json_integer_value(version) != 1)
        return fail(ld, "not a version 1 trace file");
    const json_t *pid = json_object_get(root, "pid");
    t->pid = json_is_integer(pid) ? (int64_t)json_integer_value(pid) : 0;
    if (get_u64(ld, root, "start_unix_ns", false, "trace", &t->start_unix_ns) != 0)
        return -1;
    const json_t *threads = json_object_get(root, "threads");
    if (!json_is_array(threads))
        return fail(ld, "missing or non-array \"threads\" (not a trace file?)");
    size_t n = json_array_size(threads);
    t->threads = calloc(n ? n : 1, sizeof *t->threads);
    if (t->threads == NULL)
        return fail(ld, "out of memory");
    size_t *stack = NULL, cap = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++) {
        t->nthreads++;
        rc = read_trace_thread(ld, json_array_get(threads, i), i, ff, &t->threads[i], &stack, &cap);
    }
    free(stack);
    return rc;
}

int hm_trace_load_buffers(const char *results_data, size_t results_len, const char *results_name,
                          const char *trace_data, size_t trace_len, const char *trace_name,
                          hm_trace **out, char *err, size_t errlen) {
    loader rl = {.name = results_name, .err = err, .errlen = errlen};
    loader tl = {.name = trace_name, .err = err, .errlen = errlen};
    *out = NULL;
    json_t *rroot = parse_json(&rl, results_data, results_len, "a heatmap results JSON object");
    if (rroot == NULL)
        return -1;
    json_t *troot = parse_json(&tl, trace_data, trace_len, "a heatmap trace JSON object");
    if (troot == NULL) {
        json_decref(rroot);
        return -1;
    }
    hm_trace *t = calloc(1, sizeof *t);
    file_functions ff = {0};
    int rc = t ? read_functions(&rl, rroot, true, &ff) : fail(&tl, "out of memory");
    if (rc == 0)
        rc = get_u64(&rl, rroot, "elapsed_ns", false, "results", &t->end_ns);
    if (rc == 0) {
        t->functions = calloc(ff.n ? ff.n : 1, sizeof *t->functions);
        rc = t->functions ? 0 : fail(&tl, "out of memory");
        for (size_t i = 0; rc == 0 && i < ff.n; i++) {
            hm_path_function *f = &t->functions[i];
            f->name = hm_strdup(ff.items[i].name);
            f->file = hm_strdup(ff.items[i].file);
            f->line = ff.items[i].line;
            f->count = ff.items[i].count;
            f->self_ns = ff.items[i].self_ns;
            ff.items[i].merged = i;
            t->nfunctions++;
            if (f->name == NULL || f->file == NULL)
                rc = fail(&tl, "out of memory");
        }
        if (rc == 0)
            rc = read_trace(&tl, troot, &ff, t);
        for (size_t i = 0; rc == 0 && i < t->nthreads; i++) {
            const hm_trace_thread *th = &t->threads[i];
            if (th->nevents > 0 && th->events[th->nevents - 1].ns > t->end_ns)
                t->end_ns = th->events[th->nevents - 1].ns;
        }
        const char *program = get_str(rroot, "program");
        if (rc == 0 && ((t->path = hm_strdup(trace_name)) == NULL ||
                        (t->program = hm_strdup(program ? program : "")) == NULL))
            rc = fail(&tl, "out of memory");
    }
    file_functions_free(&ff);
    json_decref(rroot);
    json_decref(troot);
    if (rc != 0) {
        hm_trace_free(t);
        return -1;
    }
    *out = t;
    return 0;
}

int hm_trace_load(const char *results_path, const char *trace_path, hm_trace **out, char *err,
                  size_t errlen) {
    char beside[4096];
    loader ld = {.name = results_path, .err = err, .errlen = errlen};
    *out = NULL;
    if (trace_path == NULL) {
        if (!hm_trace_path_for(results_path, beside, sizeof beside))
            return fail(&ld, "path too long");
        trace_path = beside;
    }
    size_t rlen, tlen;
    char *tdata = hm_read_file(trace_path, &tlen, NULL);
    if (tdata == NULL) {
        int e = errno;
        loader tl = {.name = trace_path, .err = err, .errlen = errlen};
        if (e == ENOENT) {
            fail(&tl, "no trace file (run the program with HEATMAP_TRACE=1 to record one)");
            return HM_TRACE_MISSING;
        }
        return fail(&tl, "cannot read: %s", strerror(e));
    }
    char *rdata = hm_read_file(results_path, &rlen, NULL);
    if (rdata == NULL) {
        free(tdata);
        return fail(&ld, "cannot read: %s", strerror(errno));
    }
    int rc =
        hm_trace_load_buffers(rdata, rlen, results_path, tdata, tlen, trace_path, out, err, errlen);
    free(rdata);
    free(tdata);
    return rc;
}
