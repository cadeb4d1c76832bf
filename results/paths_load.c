/* Load, validate and merge the call-path trees of results files (see hm_paths.h).
 *
 * Design: a builder accumulates one merged tree while the files are read. Functions are keyed by
 * name + file + line (an index kept sorted for binary search), nodes by (parent node, function)
 * in an open-addressing map of node indexes (index_map.h), so merging a tree is one pass over its
 * nodes once each node's parent has been merged. Each file's node ids and function ids live only
 * while that file is read: they are sorted into (id, index) tables, which also finds duplicates.
 * Reading and checking a file (hm_file_paths_read, into an hm_file_paths that no longer needs the
 * JSON document) runs on the worker pool, from the same parse as the file's statistics when both
 * are loaded (load_many.c); merging it into the builder runs on the caller's thread, in input
 * order, and then the file is dropped, so memory follows the merged tree, not the files. At the end
 * the merged nodes are renumbered into depth-first pre-order with children sorted by function,
 * which every consumer wants (stable output, parents before children, subtrees contiguous).
 *
 * The reader trusts nothing: every array, every number and every reference is checked, and an
 * error names the file and the node ("paths.trees[0] (thread 42).nodes[3] (node 7)"). The
 * queries on the merged tree are paths_query.c; the trace loader is trace_load.c.
 */
#include "index_map.h"
#include "load_many.h"
#include "paths_internal.h"

#include <heatmap/results_format.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- The merged tree under construction ----------------------------------------------------- */

/* A merged node is already the node of the result, in builder numbering (parent and function are
 * builder indexes; depth, first_child and nchildren are set when the tree is renumbered). */
typedef hm_path_node bnode;

struct hm_paths_builder {
    hm_path_function *functions;
    size_t nfunctions, cap_functions;
    size_t *order; /* function indexes sorted by identity */
    size_t cap_order;
    bnode *nodes; /* nodes[0] is the root */
    size_t nnodes, cap_nodes;
    hm_imap children; /* (parent, function) -> node, every node but the root */
    hm_paths *out;
};
typedef hm_paths_builder builder;

/* Binary search of the sorted order: returns the position where the identity is or would go. */
static size_t order_position(const builder *b, const char *name, const char *file, uint32_t line,
                             bool *found) {
    size_t lo = 0, hi = b->nfunctions;
    *found = false;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = hm_path_identity_compare(name, file, line, &b->functions[b->order[mid]]);
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
static size_t add_function(builder *b, const hm_file_function *ff) {
    bool found;
    size_t pos = order_position(b, ff->name, ff->file, ff->line, &found);
    if (found) {
        hm_path_function *f = &b->functions[b->order[pos]];
        f->count += ff->count;
        f->self_ns += ff->self_ns;
        return b->order[pos];
    }
    if (hm_reserve((void **)&b->functions, &b->cap_functions, b->nfunctions + 1,
                   sizeof *b->functions) != 0 ||
        hm_reserve((void **)&b->order, &b->cap_order, b->nfunctions + 1, sizeof *b->order) != 0)
        return SIZE_MAX;
    hm_path_function *f = &b->functions[b->nfunctions];
    if (hm_dup_identity(&f->name, &f->file, ff->name, ff->file) != 0)
        return SIZE_MAX;
    f->line = ff->line;
    f->count = ff->count;
    f->self_ns = ff->self_ns;
    memmove(&b->order[pos + 1], &b->order[pos], (b->nfunctions - pos) * sizeof *b->order);
    b->order[pos] = b->nfunctions;
    return b->nfunctions++;
}

typedef struct node_key {
    size_t parent, function;
} node_key;

static uint64_t node_key_hash(const node_key *k) {
    return (uint64_t)k->parent * 0x9E3779B97F4A7C15ull ^
           (uint64_t)k->function * 0xC2B2AE3D27D4EB4Full;
}

static uint64_t node_hash(const void *ctx, size_t i) {
    const bnode *n = &((const builder *)ctx)->nodes[i];
    return node_key_hash(&(node_key){n->parent, n->function});
}

static bool node_equal(const void *ctx, size_t i, const void *key) {
    const bnode *n = &((const builder *)ctx)->nodes[i];
    const node_key *k = key;
    return n->parent == k->parent && n->function == k->function;
}

/* The merged node for `function` under merged node `parent`, created when new. SIZE_MAX on
 * out-of-memory. */
static size_t child_node(builder *b, size_t parent, size_t function) {
    node_key key = {parent, function};
    if (hm_imap_reserve(&b->children, b->nnodes + 1, node_hash, b) != 0)
        return SIZE_MAX;
    size_t slot, node = hm_imap_find(&b->children, node_key_hash(&key), node_equal, b, &key, &slot);
    if (node != SIZE_MAX)
        return node;
    if (hm_reserve((void **)&b->nodes, &b->cap_nodes, b->nnodes + 1, sizeof *b->nodes) != 0)
        return SIZE_MAX;
    b->nodes[b->nnodes] = (bnode){.parent = parent, .function = function};
    hm_imap_insert(&b->children, slot, b->nnodes);
    return b->nnodes++;
}

void hm_paths_builder_free(builder *b) {
    if (b == NULL)
        return;
    hm_path_functions_free(b->functions, b->nfunctions);
    free(b->order);
    free(b->nodes);
    hm_imap_free(&b->children);
    hm_paths_free(b->out);
    free(b);
}

builder *hm_paths_builder_new(void) {
    builder *b = calloc(1, sizeof *b);
    if (b == NULL)
        return NULL;
    b->out = calloc(1, sizeof *b->out);
    if (b->out == NULL || hm_reserve((void **)&b->nodes, &b->cap_nodes, 1, sizeof *b->nodes) != 0) {
        hm_paths_builder_free(b);
        return NULL;
    }
    b->nodes[0] = (bnode){.parent = HM_PATH_ROOT, .function = HM_PATH_NO_FUNCTION};
    b->nnodes = 1;
    return b;
}

/* ---- Reading one tree ----------------------------------------------------------------------- */

typedef struct tnode {
    uint64_t id, parent_id;
    uint64_t count, self_ns, total_ns;
    uint64_t wait_ns, block_count, block_ns, mutex_count, mutex_ns; /* 0 in 6-element nodes */
    const hm_file_function *function;
    size_t parent; /* index into the tree's nodes, SIZE_MAX for the root */
    size_t merged; /* merged node, SIZE_MAX until merged */
    bool on_walk;  /* cycle check */
} tnode;

/* Read the six or eleven numbers of nodes[i]. */
static int read_node(hm_loader *ld, const hm_json *v, const char *where, size_t i,
                     const hm_file_functions *ff, tnode *t) {
    size_t len = hm_json_is_array(v) ? hm_json_size(v) : 0;
    if (len != 6 && len != 11)
        return hm_loader_fail(ld,
                              "%s.nodes[%zu]: expected [node_id, parent_id, function_id, count, "
                              "self_ns, total_ns] or those followed by [wait_ns, block_count, "
                              "block_ns, mutex_count, mutex_ns] (6 or 11 numbers)",
                              where, i);
    uint64_t x[11] = {0};
    for (size_t k = 0; k < len; k++) {
        const hm_json *e = hm_json_at(v, k);
        if (!hm_json_is_integer(e) || hm_json_int(e) < 0)
            return hm_loader_fail(ld, "%s.nodes[%zu]: element %zu is not a non-negative integer",
                                  where, i, k);
        x[k] = (uint64_t)hm_json_int(e);
    }
    *t = (tnode){.id = x[0],
                 .parent_id = x[1],
                 .count = x[3],
                 .self_ns = x[4],
                 .total_ns = x[5],
                 .wait_ns = x[6],
                 .block_count = x[7],
                 .block_ns = x[8],
                 .mutex_count = x[9],
                 .mutex_ns = x[10],
                 .merged = SIZE_MAX};
    if (t->id == 0)
        return hm_loader_fail(ld, "%s.nodes[%zu]: node id 0 is reserved for the root", where, i);
    t->function = hm_file_functions_find(ff, x[2]);
    if (t->function == NULL)
        return hm_loader_fail(ld,
                              "%s.nodes[%zu] (node %llu): function id %llu is not in \"functions\"",
                              where, i, (unsigned long long)t->id, (unsigned long long)x[2]);
    if (t->self_ns > t->total_ns)
        return hm_loader_fail(ld, "%s.nodes[%zu] (node %llu): self_ns %llu exceeds total_ns %llu",
                              where, i, (unsigned long long)t->id, (unsigned long long)t->self_ns,
                              (unsigned long long)t->total_ns);
    if (t->wait_ns > t->self_ns)
        return hm_loader_fail(ld, "%s.nodes[%zu] (node %llu): wait_ns %llu exceeds self_ns %llu",
                              where, i, (unsigned long long)t->id, (unsigned long long)t->wait_ns,
                              (unsigned long long)t->self_ns);
    if (t->mutex_count > t->block_count || t->mutex_ns > t->block_ns)
        return hm_loader_fail(ld,
                              "%s.nodes[%zu] (node %llu): the mutex waits (%llu, %llu ns) exceed "
                              "the synchronisation waits (%llu, %llu ns) they are part of",
                              where, i, (unsigned long long)t->id,
                              (unsigned long long)t->mutex_count, (unsigned long long)t->mutex_ns,
                              (unsigned long long)t->block_count, (unsigned long long)t->block_ns);
    return 0;
}

/* Merge tree node i: walk up to its first merged ancestor (or the root), collecting the chain in
 * `chain` (room for every node), then merge the chain top-down. A walk that meets itself is a
 * cycle. */
static int merge_node(hm_loader *ld, builder *b, tnode *nodes, size_t i, size_t *chain,
                      const char *where) {
    size_t len = 0;
    for (size_t j = i; j != SIZE_MAX && nodes[j].merged == SIZE_MAX; j = nodes[j].parent) {
        if (nodes[j].on_walk)
            return hm_loader_fail(ld,
                                  "%s: node %llu is its own ancestor (the parents form a cycle)",
                                  where, (unsigned long long)nodes[j].id);
        nodes[j].on_walk = true;
        chain[len++] = j;
    }
    while (len > 0) {
        tnode *t = &nodes[chain[--len]];
        size_t parent = t->parent == SIZE_MAX ? HM_PATH_ROOT : nodes[t->parent].merged;
        size_t m = child_node(b, parent, t->function->merged);
        if (m == SIZE_MAX)
            return hm_loader_fail(ld, "out of memory");
        b->nodes[m].count += t->count;
        b->nodes[m].self_ns += t->self_ns;
        b->nodes[m].total_ns += t->total_ns;
        b->nodes[m].wait_ns += t->wait_ns;
        b->nodes[m].block_count += t->block_count;
        b->nodes[m].block_ns += t->block_ns;
        b->nodes[m].mutex_count += t->mutex_count;
        b->nodes[m].mutex_ns += t->mutex_ns;
        t->merged = m;
    }
    return 0;
}

/* ---- One file: read and checked on a worker, then merged in order ------------------------- */

/* A tree of one file: its nodes with their parents resolved, not yet merged. */
typedef struct file_tree {
    char where[96]; /* "paths.trees[1] (thread 17)", for messages */
    tnode *nodes;
    size_t n;
} file_tree;

/* A file's call paths as read: everything the merge needs, nothing of the JSON document (which
 * the worker reuses for its next file). */
struct hm_file_paths {
    char *name;           /* the file's name in messages */
    hm_file_functions ff; /* names and files point into `strings` */
    char *strings;
    file_tree *trees;
    size_t ntrees;
    uint64_t max_nodes, folded, elapsed, start;
    char *program; /* "program", or NULL when missing */
};
typedef hm_file_paths file_paths;

void hm_file_paths_free(file_paths *fp) {
    if (fp == NULL)
        return;
    for (size_t i = 0; i < fp->ntrees; i++)
        free(fp->trees[i].nodes);
    free(fp->trees);
    hm_file_functions_free(&fp->ff);
    free(fp->strings);
    free(fp->program);
    free(fp->name);
    free(fp);
}

/* Read one tree's nodes: shapes, ids unique, parents resolved (cycles are found by the merge). */
static int read_tree(hm_loader *ld, const hm_json *tree, size_t ti, const hm_file_functions *ff,
                     file_tree *ft) {
    char *where = ft->where;
    const hm_json *thread = hm_json_is_object(tree) ? hm_json_get(tree, HM_PATHS_KEY_thread) : NULL;
    if (hm_json_is_integer(thread))
        snprintf(where, sizeof ft->where, "paths.trees[%zu] (thread %lld)", ti,
                 (long long)hm_json_int(thread));
    else if (hm_json_is_string(thread))
        snprintf(where, sizeof ft->where, "paths.trees[%zu] (%s)", ti, hm_json_string(thread));
    else
        snprintf(where, sizeof ft->where, "paths.trees[%zu]", ti);
    if (!hm_json_is_object(tree))
        return hm_loader_fail(ld, "%s: expected an object", where);
    if (thread == NULL || !(hm_json_is_integer(thread) || hm_json_is_string(thread)))
        return hm_loader_fail(ld, "%s: \"thread\" must be a thread id or \"exited\"", where);
    const hm_json *arr = hm_json_get(tree, HM_PATHS_KEY_nodes);
    if (!hm_json_is_array(arr))
        return hm_loader_fail(ld, "%s: missing or non-array \"nodes\"", where);
    size_t n = hm_json_size(arr);
    tnode *nodes = ft->nodes = calloc(n ? n : 1, sizeof *nodes);
    hm_keyed *by_id = calloc(n ? n : 1, sizeof *by_id);
    int rc = 0;
    if (nodes == NULL || by_id == NULL)
        rc = hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; rc == 0 && i < n; i++) {
        rc = read_node(ld, hm_json_at(arr, i), where, i, ff, &nodes[i]);
        by_id[i] = (hm_keyed){.key = nodes[i].id, .index = i};
    }
    if (rc == 0) {
        ft->n = n;
        qsort(by_id, n, sizeof *by_id, hm_keyed_compare); /* equal ids: lower index first */
        for (size_t i = 1; i < n; i++)
            if (by_id[i - 1].key == by_id[i].key) {
                rc = hm_loader_fail(ld, "%s.nodes[%zu]: node id %llu is already used by nodes[%zu]",
                                    where, by_id[i].index, (unsigned long long)by_id[i].key,
                                    by_id[i - 1].index);
                break;
            }
    }
    for (size_t i = 0; rc == 0 && i < n; i++) {
        if (nodes[i].parent_id == 0) {
            nodes[i].parent = SIZE_MAX;
            continue;
        }
        nodes[i].parent = hm_keyed_find(by_id, n, nodes[i].parent_id);
        if (nodes[i].parent == SIZE_MAX)
            rc = hm_loader_fail(ld, "%s.nodes[%zu] (node %llu): parent %llu does not exist", where,
                                i, (unsigned long long)nodes[i].id,
                                (unsigned long long)nodes[i].parent_id);
    }
    free(by_id);
    return rc;
}

/* The functions' names and files copied into one block, so that they outlive the document. */
static int own_strings(hm_loader *ld, file_paths *fp) {
    size_t total = 0;
    for (size_t i = 0; i < fp->ff.n; i++)
        total += strlen(fp->ff.items[i].name) + strlen(fp->ff.items[i].file) + 2;
    char *w = fp->strings = malloc(total ? total : 1);
    if (w == NULL)
        return hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; i < fp->ff.n; i++) {
        hm_file_function *f = &fp->ff.items[i];
        size_t ln = strlen(f->name) + 1, lf = strlen(f->file) + 1;
        f->name = memcpy(w, f->name, ln);
        f->file = memcpy(w + ln, f->file, lf);
        w += ln + lf;
    }
    return 0;
}

/* Read and check one file's `paths` (root of a parsed document) into *out. */
int hm_file_paths_read(hm_loader *ld, const hm_json *root, file_paths **out) {
    *out = NULL;
    const hm_json *version = hm_json_get(root, HM_KEY_version);
    if (!hm_json_is_integer(version) || hm_json_int(version) != HM_RESULTS_FORMAT_VERSION)
        return hm_loader_fail(ld, "not a version %d results file", HM_RESULTS_FORMAT_VERSION);
    const hm_json *paths = hm_json_get(root, HM_KEY_paths);
    if (paths == NULL)
        return hm_loader_fail(
            ld, "no call paths in this file (recorded with HEATMAP_PATHS=off, or by a "
                "runtime without call paths)");
    if (!hm_json_is_object(paths))
        return hm_loader_fail(ld, "paths: expected an object");
    file_paths *fp = calloc(1, sizeof *fp);
    if (fp == NULL || (fp->name = hm_strdup(ld->name)) == NULL) {
        hm_file_paths_free(fp);
        return hm_loader_fail(ld, "out of memory");
    }
    int rc = 0;
    if (hm_loader_get_u64(ld, paths, HM_PATHS_KEY_max_nodes, false, "paths", &fp->max_nodes) != 0 ||
        hm_loader_get_u64(ld, paths, HM_PATHS_KEY_folded_calls, false, "paths", &fp->folded) != 0 ||
        hm_loader_get_u64(ld, root, HM_KEY_elapsed_ns, false, "results", &fp->elapsed) != 0 ||
        hm_loader_get_u64(ld, root, HM_KEY_start_unix_ns, false, "results", &fp->start) != 0)
        rc = -1;
    const hm_json *trees = hm_json_get(paths, HM_PATHS_KEY_trees);
    if (rc == 0 && !hm_json_is_array(trees))
        rc = hm_loader_fail(ld, "paths: missing or non-array \"trees\"");
    if (rc == 0)
        rc = hm_file_functions_read(ld, root, true, &fp->ff);
    if (rc == 0)
        rc = own_strings(ld, fp);
    const char *program = hm_json_str(root, HM_KEY_program);
    if (rc == 0 && program != NULL && (fp->program = hm_strdup(program)) == NULL)
        rc = hm_loader_fail(ld, "out of memory");
    size_t nt = hm_json_size(trees);
    if (rc == 0 && (fp->trees = calloc(nt ? nt : 1, sizeof *fp->trees)) == NULL)
        rc = hm_loader_fail(ld, "out of memory");
    for (size_t i = 0; rc == 0 && i < nt; i++) {
        fp->ntrees++;
        rc = read_tree(ld, hm_json_at(trees, i), i, &fp->ff, &fp->trees[i]);
    }
    if (rc != 0) {
        hm_file_paths_free(fp);
        return -1;
    }
    *out = fp;
    return 0;
}

/* Merge one file's read paths into the builder (in input order: the first program wins). */
int hm_paths_builder_add(builder *b, file_paths *fp, char *err, size_t errlen) {
    hm_loader ld = {.name = fp->name, .err = err, .errlen = errlen};
    for (size_t i = 0; i < fp->ff.n; i++) {
        fp->ff.items[i].merged = add_function(b, &fp->ff.items[i]);
        if (fp->ff.items[i].merged == SIZE_MAX)
            return hm_loader_fail(&ld, "out of memory");
    }
    size_t most = 0;
    for (size_t t = 0; t < fp->ntrees; t++)
        most = fp->trees[t].n > most ? fp->trees[t].n : most;
    size_t *chain = malloc((most ? most : 1) * sizeof *chain);
    if (chain == NULL)
        return hm_loader_fail(&ld, "out of memory");
    int rc = 0;
    for (size_t t = 0; rc == 0 && t < fp->ntrees; t++)
        for (size_t i = 0; rc == 0 && i < fp->trees[t].n; i++)
            rc = merge_node(&ld, b, fp->trees[t].nodes, i, chain, fp->trees[t].where);
    free(chain);
    if (rc != 0)
        return -1;
    hm_paths *p = b->out;
    p->folded_calls += fp->folded;
    if (fp->max_nodes > p->max_nodes)
        p->max_nodes = fp->max_nodes;
    if (hm_merge_run(&ld, fp->program, fp->elapsed, fp->start, &p->elapsed_ns, &p->start_unix_ns,
                     &p->program) != 0)
        return -1;
    p->ntrees += fp->ntrees;
    p->nfiles++;
    return 0;
}

/* ---- Finishing: sorted functions, pre-order nodes ------------------------------------------- */

int hm_paths_builder_finish(hm_loader *ld, builder *b, hm_paths **out) {
    hm_paths *p = b->out;
    size_t nf = b->nfunctions, nn = b->nnodes;
    size_t *rank = malloc((nf ? nf : 1) * sizeof *rank); /* function -> sorted position */
    hm_keyed *kids = malloc(nn * sizeof *kids);    /* (function rank, builder child), grouped */
    size_t *start = calloc(nn + 1, sizeof *start); /* group starts */
    size_t *newidx = malloc(nn * sizeof *newidx);  /* builder node -> pre-order */
    size_t *stack = malloc(nn * sizeof *stack);
    p->functions = calloc(nf ? nf : 1, sizeof *p->functions);
    p->nodes = calloc(nn, sizeof *p->nodes);
    p->children = calloc(nn, sizeof *p->children);
    if (!rank || !kids || !start || !newidx || !stack || !p->functions || !p->nodes ||
        !p->children) {
        free(rank), free(kids), free(start), free(newidx), free(stack);
        return hm_loader_fail(ld, "out of memory");
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
        kids[fill[b->nodes[i].parent]++] =
            (hm_keyed){.key = rank[b->nodes[i].function], .index = i};
    for (size_t i = 0; i < nn; i++)
        qsort(kids + start[i], start[i + 1] - start[i], sizeof *kids, hm_keyed_compare);
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
        *d = b->nodes[v];
        d->parent = v == 0 ? HM_PATH_ROOT : newidx[d->parent];
        d->function = v == 0 ? HM_PATH_NO_FUNCTION : rank[d->function];
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

int hm_paths_load_many_jobs(const char *const *paths, size_t n, unsigned jobs, hm_paths **out,
                            char *err, size_t errlen) {
    return hm_load_many(paths, n, jobs, NULL, out, NULL, 0, err, errlen);
}

int hm_paths_load_many(const char *const *paths, size_t n, hm_paths **out, char *err,
                       size_t errlen) {
    return hm_paths_load_many_jobs(paths, n, 0, out, err, errlen);
}

int hm_paths_load(const char *path, hm_paths **out, char *err, size_t errlen) {
    return hm_paths_load_many(&path, 1, out, err, errlen);
}

int hm_paths_load_buffer(const char *data, size_t len, const char *name, hm_paths **out, char *err,
                         size_t errlen) {
    hm_loader ld = {.name = name, .err = err, .errlen = errlen};
    *out = NULL;
    builder *b = hm_paths_builder_new();
    if (b == NULL)
        return hm_loader_fail(&ld, "out of memory");
    hm_json_doc doc = {0};
    file_paths *fp = NULL;
    const hm_json *root = hm_loader_parse_object(&ld, &doc, data, len, HM_RESULTS_EXPECTED);
    int rc = root ? hm_file_paths_read(&ld, root, &fp) : -1;
    hm_json_doc_free(&doc);
    if (rc == 0)
        rc = hm_paths_builder_add(b, fp, err, errlen);
    hm_file_paths_free(fp);
    if (rc == 0)
        rc = hm_paths_builder_finish(&ld, b, out);
    hm_paths_builder_free(b);
    return rc;
}

void hm_paths_free(hm_paths *p) {
    if (p == NULL)
        return;
    hm_path_functions_free(p->functions, p->nfunctions);
    free(p->nodes);
    free(p->children);
    free(p->program);
    free(p);
}
