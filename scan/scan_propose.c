/* Propose an allowlist: rank functions by a documented score and write them as heatmap.yaml.
 *
 *     score = statements + 8*loops + 2*calls + 3*fanin + 2*(complexity - 1)
 *
 * Loops weigh most because time goes where code repeats; fan-in (call sites across the scanned
 * code) finds the helpers everything uses; calls and branches mark functions that coordinate work;
 * statements measure plain size. Trivial functions are never proposed: the plugin would skip most
 * of them, and the ones named exactly it would instrument at a cost larger than their own.
 * Functions that share a pattern (overloads share a name, a template's instantiations share
 * "<*>") are one pick, scored by the best of them. Each pick is written with a comment naming
 * the term that contributed most: the rule that picked it.
 */
#include "scan_internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

unsigned hm_scan_score(const hm_scan_function *fn) {
    unsigned branches = fn->complexity > 0 ? fn->complexity - 1 : 0;
    return fn->statements + 8 * fn->loops + 2 * fn->calls + 3 * fn->fanin + 2 * branches;
}

static int compare_picks(const void *pa, const void *pb) {
    const hm_scan_pick *a = pa, *b = pb;
    if (a->score != b->score)
        return a->score > b->score ? -1 : 1;
    return strcmp(a->pattern, b->pattern);
}

hm_scan_status hm_scan_propose(const hm_scan_result *result, unsigned max, unsigned threshold,
                               hm_scan_pick **picks, size_t *npicks) {
    hm_scan_pick *all = hm_xcalloc(result->count, sizeof *all);
    size_t n = 0;
    hm_strmap index = {0};
    for (size_t i = 0; i < result->count; i++) {
        const hm_scan_function *fn = &result->functions[i];
        if (hm_scan_is_trivial(fn, threshold))
            continue;
        unsigned score = hm_scan_score(fn);
        size_t at;
        if (hm_strmap_get(&index, fn->pattern, &at)) {
            all[at].count++;
            if (score > all[at].score) {
                all[at].score = score;
                all[at].best = fn;
            }
            continue;
        }
        hm_strmap_put(&index, fn->pattern, n);
        all[n++] = (hm_scan_pick){fn->pattern, fn, score, 1};
    }
    hm_strmap_free(&index);
    if (n > 1)
        qsort(all, n, sizeof *all, compare_picks);
    *npicks = n < max ? n : max;
    *picks = all;
    return HM_SCAN_OK;
}

/* The largest term of the score, as the reason a function was picked. */
static const char *main_reason(const hm_scan_function *fn) {
    unsigned branches = fn->complexity > 0 ? fn->complexity - 1 : 0;
    struct {
        unsigned value;
        const char *why;
    } terms[] = {
        {8 * fn->loops, "loops"},   {3 * fn->fanin, "fan-in"}, {2 * fn->calls, "calls"},
        {2 * branches, "branches"}, {fn->statements, "size"},
    };
    size_t best = 0;
    for (size_t i = 1; i < sizeof terms / sizeof *terms; i++)
        if (terms[i].value > terms[best].value)
            best = i;
    if (terms[best].value == 0) {
        /* Score 0: only picked because the cap left room; say what makes it non-trivial. */
        return fn->implicit_calls ? "calls the source does not spell" : "size";
    }
    return terms[best].why;
}

static void write_pick(FILE *out, size_t rank, const hm_scan_pick *pick) {
    const hm_scan_function *fn = pick->best;
    fputs("    - ", out);
    hm_scan_put_quoted(out, pick->pattern, '\''); /* YAML single-quoted */
    fprintf(out,
            "  # #%zu, score %u, picked for %s: %u statement%s, %u loop%s, %u call%s, fan-in %u, "
            "complexity %u (%s:%u",
            rank, pick->score, main_reason(fn), fn->statements, fn->statements == 1 ? "" : "s",
            fn->loops, fn->loops == 1 ? "" : "s", fn->calls, fn->calls == 1 ? "" : "s", fn->fanin,
            fn->complexity, hm_scan_path_display(fn->file), fn->line);
    if (pick->count > 1)
        fprintf(out, "; %u functions share this pattern", pick->count);
    fputs(")\n", out);
}

static int write_body(FILE *out, const hm_scan_pick *picks, size_t npicks,
                      const hm_scan_result *result) {
    fprintf(out,
            "# heatmap.yaml proposed by heatmap-scan from %zu file%s and %zu function%s.\n"
            "# Picked: the highest scores among non-trivial functions, where\n"
            "#   score = statements + 8*loops + 2*calls + 3*fan-in + 2*(complexity - 1)\n"
            "# and fan-in counts the call sites naming a function across the scanned code.\n"
            "# Edit freely; `heatmap-scan --check` tells when a pattern stops matching.\n"
            "version: 1\n"
            "functions:\n",
            result->files_scanned, result->files_scanned == 1 ? "" : "s", result->count,
            result->count == 1 ? "" : "s");
    if (npicks == 0) {
        /* An empty include list would mean "everything"; name nothing instead. */
        fputs("  # nothing to propose: every function found is trivial\n"
              "  exclude:\n    - '*'\n",
              out);
    } else {
        fputs("  include:\n", out);
        for (size_t i = 0; i < npicks; i++)
            write_pick(out, i + 1, &picks[i]);
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

typedef struct proposal {
    const hm_scan_pick *picks;
    size_t npicks;
    const hm_scan_result *result;
} proposal;

static int write_proposal(FILE *out, const void *ctx) {
    const proposal *p = ctx;
    return write_body(out, p->picks, p->npicks, p->result);
}

hm_scan_status hm_scan_write_config(const char *path, const hm_scan_pick *picks, size_t npicks,
                                    const hm_scan_result *result, bool force) {
    proposal p = {picks, npicks, result};
    return hm_scan_write_file(path, force, write_proposal, &p);
}

hm_scan_status hm_scan_write_file(const char *path, bool force,
                                  int (*body)(FILE *out, const void *ctx), const void *ctx) {
    if (!force && access(path, F_OK) == 0)
        return HM_SCAN_EEXIST;
    char *tmp = hm_xasprintf("%s.tmp.%ld", path, (long)getpid());
    FILE *out = fopen(tmp, "w");
    if (out == NULL) {
        free(tmp);
        return HM_SCAN_EIO;
    }
    int rc = body(out, ctx);
    if (fclose(out) != 0)
        rc = -1;
    hm_scan_status status = HM_SCAN_OK;
    if (rc != 0) {
        status = HM_SCAN_EIO;
    } else if (force) {
        if (rename(tmp, path) != 0)
            status = HM_SCAN_EIO;
    } else if (link(tmp, path) != 0) {
        /* link() refuses to replace a file that appeared meanwhile; fall back to rename() where
         * the file system has no hard links. */
        if (errno == EEXIST)
            status = HM_SCAN_EEXIST;
        else if (access(path, F_OK) == 0)
            status = HM_SCAN_EEXIST;
        else if (rename(tmp, path) != 0)
            status = HM_SCAN_EIO;
    }
    int saved = errno;
    unlink(tmp);
    free(tmp);
    errno = saved;
    return status;
}
