/* Writes N synthetic results files shaped like a fleet's: one program, many processes.
 *
 * usage: gen_results DIR NFILES [FUNCTIONS] [SEED]
 *
 * Each file is what the runtime writes for one process of a program with about 1.2 x FUNCTIONS
 * functions, FUNCTIONS of which ran in that process (default 500): its four threads (distinct tids
 * per process), every function with its histogram, cpu/wait split and per-thread split, a call-path
 * tree of about three nodes per function, and the memory section (sites and per-function rows).
 * Key names and the bucket arithmetic come from the format's contract
 * (<heatmap/results_format.h>), so the files are what results/ reads; the figures are consistent
 * the way the loader checks them (histograms sum to the timed calls, max_ns in the top bucket,
 * cpu + wait == self, splits and nodes add up to their function). A fixed seed gives the same
 * files byte for byte. Each file also gets a line "FILE count self" per function on standard
 * output when asked (ORACLE=1 in the environment): what a merge must sum to, computed here and
 * not by the code under test.
 */
#define _POSIX_C_SOURCE 200809L
#include <heatmap/results_format.h>

#include <inttypes.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint64_t rng_state;

static uint64_t rnd(void) { /* splitmix64 */
    uint64_t z = (rng_state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static uint64_t below(uint64_t n) {
    return n ? rnd() % n : 0;
}

/* Log-uniform in [1, 10^decades). */
static uint64_t log_uniform(int decades) {
    uint64_t v = 1;
    int d = (int)below((uint64_t)decades);
    for (int i = 0; i < d; i++)
        v *= 10;
    return v + below(v * 9);
}

static const char *const verbs[] = {"parse", "read",  "write", "encode", "decode", "hash",
                                    "find",  "merge", "sort",  "emit",   "check",  "scan",
                                    "load",  "store", "flush", "update", "build",  "walk"};
static const char *const nouns[] = {"header", "block",  "record", "token",  "buffer", "index",
                                    "node",   "entry",  "frame",  "packet", "string", "table",
                                    "page",   "column", "batch",  "key",    "value",  "request"};
static const char *const modules[] = {"net", "db", "util", "codec", "store", "http", "log", "fs"};

typedef struct fn {
    char name[64], file[48];
    uint32_t line;
} fn;

typedef struct rec { /* one function's figures in one file */
    uint32_t pool;   /* index into the pool */
    uint64_t count, timed, self, max, cpu, blocked;
    uint32_t nb, idx[40];
    uint64_t bc[40];
    uint64_t tcount[4], tself[4];   /* per-thread split */
    uint64_t left_count, left_self; /* still to place in path nodes */
} rec;

typedef struct node {
    uint32_t parent, f; /* f: index into recs */
    uint64_t count, self, total, wait;
} node;

/* Split `total` into n parts, each at least `least` when total allows. */
static void split(uint64_t total, int n, uint64_t *parts) {
    uint64_t left = total;
    for (int i = 0; i < n - 1; i++) {
        parts[i] = left ? below(left / 2 + 1) : 0;
        left -= parts[i];
    }
    parts[n - 1] = left;
}

static void make_rec(rec *r) {
    r->count = log_uniform(6);
    r->timed = r->count;
    if (r->count > 100000 && below(8) == 0)
        r->timed = r->count / 3; /* throttled */
    /* Buckets: a run of indexes around a typical duration. */
    uint32_t base = (uint32_t)(40 + below(260));
    uint32_t want = 1 + (uint32_t)below(r->timed < 20 ? r->timed : 20);
    uint64_t left = r->timed;
    r->nb = 0;
    uint32_t at = base;
    for (uint32_t i = 0; i < want && left > 0; i++) {
        uint64_t c = i + 1 == want ? left : 1 + below(left / 2 + 1);
        if (c > left)
            c = left;
        r->idx[r->nb] = at;
        r->bc[r->nb++] = c;
        left -= c;
        at += 1 + (uint32_t)below(3);
    }
    r->self = 0;
    for (uint32_t i = 0; i < r->nb; i++)
        r->self += r->bc[i] * hm_hist_lower(r->idx[i]);
    r->max = hm_hist_lower(r->idx[r->nb - 1]);
    r->cpu = r->self - below(r->self / 4 + 1);
    r->blocked = below(r->self - r->cpu + 1);
    /* Called from one to four of the threads. */
    int n = 1 + (int)below(4);
    memset(r->tcount, 0, sizeof r->tcount);
    memset(r->tself, 0, sizeof r->tself);
    split(r->count, n, r->tcount);
    split(r->self, n, r->tself);
    for (int t = 0; t < 4; t++) /* a thread without calls has no self time: another takes it */
        if (r->tcount[t] == 0 && r->tself[t] != 0) {
            int to = 0;
            while (r->tcount[to] == 0)
                to++;
            r->tself[to] += r->tself[t];
            r->tself[t] = 0;
        }
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: gen_results DIR NFILES [FUNCTIONS] [SEED]\n");
        return 2;
    }
    const char *dir = argv[1];
    long nfiles = atol(argv[2]);
    long nfn = argc > 3 ? atol(argv[3]) : 500;
    uint64_t seed = argc > 4 ? strtoull(argv[4], NULL, 10) : 1;
    bool oracle = getenv("ORACLE") != NULL;
    if (nfiles < 1 || nfn < 2 || nfn > 100000) {
        fprintf(stderr, "gen_results: NFILES >= 1 and 2 <= FUNCTIONS <= 100000\n");
        return 2;
    }
    size_t npool = (size_t)nfn + (size_t)nfn / 5;
    fn *pool = calloc(npool, sizeof *pool);
    rec *recs = calloc((size_t)nfn, sizeof *recs);
    size_t maxnodes = (size_t)nfn * 6 + 1;
    node *nodes = calloc(maxnodes, sizeof *nodes);
    uint32_t *chosen = calloc(npool, sizeof *chosen), *recof = calloc(npool, sizeof *recof);
    size_t ngnodes = 1, maxg = npool * 5 + 1;
    uint32_t *gparent = calloc(maxg, sizeof *gparent), *gfn = calloc(maxg, sizeof *gfn);
    uint32_t *fileid = calloc(maxg, sizeof *fileid);
    if (!pool || !recs || !nodes || !chosen || !recof || !gparent || !gfn || !fileid)
        return 1;
    rng_state = seed;
    for (size_t i = 0; i < npool; i++) {
        const char *m = modules[below(sizeof modules / sizeof *modules)];
        snprintf(pool[i].name, sizeof pool[i].name, "%s_%s_%s_%zu", m,
                 verbs[below(sizeof verbs / sizeof *verbs)],
                 nouns[below(sizeof nouns / sizeof *nouns)], i);
        snprintf(pool[i].file, sizeof pool[i].file, "src/%s/%s%zu.c", m, m, i % 37);
        pool[i].line = (uint32_t)(10 + below(3000));
    }
    /* The program's call tree: 1 to 5 calling contexts per function, under earlier nodes. */
    for (size_t i = 0; i < npool; i++)
        for (size_t c = 1 + below(5); c > 0; c--) {
            gparent[ngnodes] = (uint32_t)below(ngnodes);
            gfn[ngnodes++] = (uint32_t)i;
        }
    for (long k = 0; k < nfiles; k++) {
        rng_state = seed * 1000003u + (uint64_t)k * 7919u + 17;
        /* Which functions ran: a random FUNCTIONS of the pool, in pool order. */
        for (size_t i = 0; i < npool; i++)
            chosen[i] = (uint32_t)i;
        for (size_t i = 0; i + 1 < npool; i++) {
            size_t j = i + below(npool - i);
            uint32_t t = chosen[i];
            chosen[i] = chosen[j];
            chosen[j] = t;
        }
        for (long i = 0; i < nfn; i++) {
            recs[i].pool = chosen[i];
            make_rec(&recs[i]);
            recs[i].left_count = recs[i].timed;
            recs[i].left_self = recs[i].self;
        }
        /* The call tree: the program's (gparent, gfn) restricted to the functions that ran here
         * (a node whose function did not run is left out, its children moved up to its parent),
         * plus a node under the root for a function left with none. Each function's timed calls and
         * self time are shared among its nodes. Processes of one program thus share most of their
         * call paths. */
        for (size_t i = 0; i < npool; i++)
            recof[i] = UINT32_MAX;
        for (long i = 0; i < nfn; i++)
            recof[recs[i].pool] = (uint32_t)i;
        size_t nn = 1;
        for (size_t g = 1; g < ngnodes; g++) {
            uint32_t r = recof[gfn[g]];
            fileid[g] = fileid[gparent[g]]; /* not here: its children hang under its parent */
            if (r == UINT32_MAX)
                continue;
            nodes[nn] = (node){.parent = fileid[gparent[g]], .f = r};
            fileid[g] = (uint32_t)nn++;
        }
        for (long i = 0; i < nfn; i++) {
            size_t mine = 0, last = 0;
            for (size_t j = 1; j < nn; j++)
                if (nodes[j].f == (uint32_t)i)
                    mine++, last = j;
            if (mine == 0) {
                nodes[nn] = (node){.parent = 0, .f = (uint32_t)i};
                last = nn++;
            }
            for (size_t j = 1; j < nn; j++) {
                node *d = &nodes[j];
                if (d->f != (uint32_t)i)
                    continue;
                d->count = j == last ? recs[i].left_count : below(recs[i].left_count + 1);
                d->self = j == last ? recs[i].left_self : below(recs[i].left_self + 1);
                recs[i].left_count -= d->count;
                recs[i].left_self -= d->self;
                d->wait = below(d->self / 8 + 1);
                d->total = d->self;
            }
        }
        for (size_t i = nn - 1; i > 0; i--) /* children come after their parents */
            if (nodes[i].parent != 0)
                nodes[nodes[i].parent].total += nodes[i].total;

        char path[4096];
        snprintf(path, sizeof path, "%s/heatmap.%ld.json", dir, k);
        FILE *out = fopen(path, "w");
        if (out == NULL) {
            perror(path);
            return 1;
        }
        uint64_t pid = 100000 + (uint64_t)k;
        uint64_t tids[4] = {pid, pid * 4 + 1, pid * 4 + 2, pid * 4 + 3};
        uint64_t elapsed = 1000000000ull + below(1000000000ull);
        fprintf(out, "{\n  \"%s\": %d,\n  \"%s\": \"/usr/bin/fleetd\",\n  \"%s\": %" PRIu64 ",\n",
                HM_KEY_version, HM_RESULTS_FORMAT_VERSION, HM_KEY_program, HM_KEY_pid, pid);
        fprintf(out, "  \"%s\": \"node%ld\",\n  \"%s\": %" PRIu64 ",\n", HM_KEY_hostname, k % 50,
                HM_KEY_start_unix_ns,
                (uint64_t)(1764000000000000000ull + (uint64_t)k * 1000000000ull));
        fprintf(out,
                "  \"%s\": %" PRIu64 ",\n  \"%s\": %" PRIu64 ",\n  \"%s\": %" PRIu64
                ",\n  \"%s\": %" PRIu64 ",\n  \"%s\": 4,\n",
                HM_KEY_elapsed_ns, elapsed, HM_KEY_wall_ns, elapsed + 1000000,
                HM_KEY_overhead_total_ns, (uint64_t)4000000, HM_KEY_process_cpu_ns,
                elapsed + below(elapsed), HM_KEY_cpus);
        fprintf(out,
                "  \"%s\": \"tsc\",\n  \"%s\": 10,\n  \"%s\": 26,\n  \"%s\": \"exit\",\n"
                "  \"%s\": {\"%s\": \"log-linear\", \"%s\": %u},\n  \"%s\": [\n",
                HM_KEY_clock, HM_KEY_overhead_ns, HM_KEY_overhead_child_ns, HM_KEY_end,
                HM_KEY_histogram, HM_HIST_KEY_kind, HM_HIST_KEY_sub_bucket_bits, HM_HIST_SUB_BITS,
                HM_KEY_threads);
        uint64_t tcalls[4] = {0}, tselfs[4] = {0};
        for (long i = 0; i < nfn; i++)
            for (int t = 0; t < 4; t++) {
                tcalls[t] += recs[i].tcount[t];
                tselfs[t] += recs[i].tself[t];
            }
        for (int t = 0; t < 4; t++)
            fprintf(out,
                    "    {\"%s\": %" PRIu64 ", \"%s\": \"%s\", \"%s\": %" PRIu64
                    ", \"%s\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"%s\": 0, \"%s\": %" PRIu64
                    ", \"%s\": %" PRIu64 ", \"%s\": 0, \"%s\": 1000000}%s\n",
                    HM_TH_KEY_tid, tids[t], HM_TH_KEY_name, t ? "worker" : "fleetd",
                    HM_TH_KEY_calls, tcalls[t], HM_TH_KEY_self_ns, tselfs[t], HM_TH_KEY_outer_ns,
                    tselfs[t] + 1000, HM_TH_KEY_dropped_calls, HM_TH_KEY_cpu_ns,
                    tselfs[t] - tselfs[t] / 8, HM_TH_KEY_wait_ns, tselfs[t] / 8,
                    HM_TH_KEY_preempt_ns, HM_TH_KEY_overhead_ns, t < 3 ? "," : "");
        fprintf(out, "  ],\n  \"%s\": [\n", HM_KEY_functions);
        for (long i = 0; i < nfn; i++) {
            const rec *r = &recs[i];
            const fn *f = &pool[r->pool];
            fprintf(
                out,
                "    {\"%s\": %ld, \"%s\": \"%s\", \"%s\": \"%s\", \"%s\": %u, \"%s\": %" PRIu64,
                HM_FN_KEY_id, i + 1, HM_FN_KEY_name, f->name, HM_FN_KEY_file, f->file,
                HM_FN_KEY_line, f->line, HM_FN_KEY_count, r->count);
            if (r->timed != r->count)
                fprintf(out, ", \"%s\": %" PRIu64, HM_FN_KEY_throttled_after, r->timed);
            fprintf(out,
                    ", \"%s\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"%s\": 0, \"%s\": 0, \"%s\": 0"
                    ", \"%s\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"%s\": [",
                    HM_FN_KEY_self_ns, r->self, HM_FN_KEY_max_ns, r->max, HM_FN_KEY_p50_ns,
                    HM_FN_KEY_p95_ns, HM_FN_KEY_p99_ns, HM_FN_KEY_cpu_ns, r->cpu, HM_FN_KEY_wait_ns,
                    r->self - r->cpu, HM_FN_KEY_blocked_ns, r->blocked, HM_FN_KEY_threads);
            /* The split's cpu/wait: each thread's share of self, cpu first. */
            uint64_t cpu_left = r->cpu;
            bool first = true;
            for (int t = 0; t < 4; t++) {
                if (r->tcount[t] == 0)
                    continue;
                uint64_t c = r->tself[t] < cpu_left ? r->tself[t] : cpu_left;
                cpu_left -= c;
                fprintf(out,
                        "%s{\"%s\": %" PRIu64 ", \"%s\": %" PRIu64 ", \"%s\": %" PRIu64
                        ", \"%s\": %" PRIu64 ", \"%s\": %" PRIu64 "}",
                        first ? "" : ", ", HM_TH_KEY_tid, tids[t], HM_TH_KEY_count, r->tcount[t],
                        HM_TH_KEY_self_ns, r->tself[t], HM_TH_KEY_cpu_ns, c, HM_TH_KEY_wait_ns,
                        r->tself[t] - c);
                first = false;
            }
            fprintf(out, "], \"%s\": [", HM_FN_KEY_histogram);
            for (uint32_t b = 0; b < r->nb; b++)
                fprintf(out, "%s[%u, %" PRIu64 "]", b ? ", " : "", r->idx[b], r->bc[b]);
            fprintf(out, "]}%s\n", i + 1 < nfn ? "," : "");
            if (oracle)
                printf("%s\t%s\t%u\t%" PRIu64 "\t%" PRIu64 "\n", f->name, f->file, f->line,
                       r->count, r->self);
        }
        fprintf(out,
                "  ],\n  \"%s\": {\"%s\": 65536, \"%s\": 0, \"%s\": 0, \"%s\": [\n"
                "    {\"%s\": \"%s\", \"%s\": [\n",
                HM_KEY_paths, HM_PATHS_KEY_max_nodes, HM_PATHS_KEY_folded_calls,
                HM_PATHS_KEY_unattributed_self_ns, HM_PATHS_KEY_trees, HM_PATHS_KEY_thread,
                "exited", HM_PATHS_KEY_nodes);
        for (size_t i = 1; i < nn; i++) {
            const node *d = &nodes[i];
            fprintf(out,
                    "      [%zu, %u, %u, %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64
                    ", 0, 0, 0, 0]%s\n",
                    i, d->parent, d->f + 1, d->count, d->self, d->total, d->wait,
                    i + 1 < nn ? "," : "]}");
        }
        /* Memory: a third of the functions allocate, each at one or two sites. */
        fprintf(out, "  ]},\n  \"%s\": {\"%s\": 0, \"%s\": [\n", HM_KEY_heap,
                HM_HEAP_KEY_sites_dropped, HM_HEAP_KEY_sites);
        bool firstsite = true;
        uint64_t site = 1;
        for (long i = 0; i < nfn; i += 3) {
            uint64_t objs = 1 + below(1000), bytes = objs * (16 + below(4096));
            fprintf(out,
                    "%s    [%" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64 ", %" PRIu64
                    ", [%ld, %ld]]",
                    firstsite ? "" : ",\n", site++, objs, bytes, objs / 2, bytes / 2, i + 1,
                    (i + 7) % nfn + 1);
            firstsite = false;
        }
        fprintf(out, "\n  ], \"%s\": [\n", HM_HEAP_KEY_functions);
        for (long i = 0; i < nfn; i += 3)
            fprintf(out, "    [%ld, 1, 4096, 0, 0, 4096],\n", i + 1);
        fprintf(out, "    [0, 3, 300, 1, 100, 200]\n  ]}\n}\n");
        if (fclose(out) != 0) {
            perror(path);
            return 1;
        }
    }
    free(pool);
    free(recs);
    free(nodes);
    free(chosen);
    free(recof);
    free(gparent);
    free(gfn);
    free(fileid);
    return 0;
}
