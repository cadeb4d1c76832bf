/* Propose an allowlist from a run: the functions of a results file that took the most self time.
 *
 * A scan of the sources guesses where time goes from the code's shape; a run knows. This reads a
 * heatmap.json with results/ (the loader the viewer uses), ranks its functions by self time (ties
 * by name), leaves out the ones the runtime throttled (count-only: each call was shorter than
 * timing it, so naming them would put that cost back) and writes the first `max` as exact-name
 * patterns, glob characters escaped, each with a comment giving its figures. The file has an
 * include list, so the plugin instruments it before inlining (docs/config.md): the named
 * functions are counted at every source-level call.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* results/ and this library both name a sort key HM_SORT_NAME: results/ gets another name here. */
#define HM_SORT_NAME HM_RESULTS_SORT_NAME
#include "hm_results.h"
#undef HM_SORT_NAME
#include "scan_internal.h"

typedef struct from_run {
    const hm_results *results;
    const size_t *order; /* indices into results->functions, best first */
    size_t npicks;
    size_t throttled;
} from_run;

static int by_self_desc(const void *a, const void *b, void *ctx) {
    const hm_function_stats *fa = &((const hm_results *)ctx)->functions[*(const size_t *)a];
    const hm_function_stats *fb = &((const hm_results *)ctx)->functions[*(const size_t *)b];
    if (fa->self_ns != fb->self_ns)
        return fa->self_ns > fb->self_ns ? -1 : 1;
    return strcmp(fa->name, fb->name);
}

/* The name as a single-quoted YAML scalar holding an exact glob: `*`, `?`, `[` and `\` escaped
 * with `\`, a quote doubled. */
static void put_exact_pattern(FILE *out, const char *name) {
    fputc('\'', out);
    for (const char *p = name; *p; p++) {
        if (*p == '*' || *p == '?' || *p == '[' || *p == '\\')
            fputc('\\', out);
        if (*p == '\'')
            fputc('\'', out);
        fputc(*p, out);
    }
    fputc('\'', out);
}

static int write_from_run(FILE *out, const void *ctx) {
    const from_run *run = ctx;
    const hm_results *r = run->results;
    fprintf(out,
            "# heatmap.yaml proposed by heatmap-scan from the run in %s (%zu functions,\n"
            "# %zu throttled and left out: their calls are too short to time).\n"
            "# Picked: the largest self times of the run. Edit freely; `heatmap-scan --check`\n"
            "# tells when a pattern stops matching the sources.\n"
            "version: 1\n"
            "functions:\n",
            r->path ? r->path : "?", r->nfunctions, run->throttled);
    if (run->npicks == 0) {
        fputs("  # nothing to propose: the run timed no function\n"
              "  exclude:\n    - '*'\n",
              out);
    } else {
        fputs("  include:\n", out);
        for (size_t i = 0; i < run->npicks; i++) {
            const hm_function_stats *f = &r->functions[run->order[i]];
            char self[HM_DURATION_LEN], avg[HM_DURATION_LEN];
            fputs("    - ", out);
            put_exact_pattern(out, f->name);
            fprintf(out, "  # #%zu, self %s, %llu call%s, avg %s", i + 1,
                    hm_format_duration(f->self_ns, 0, self), (unsigned long long)f->count,
                    f->count == 1 ? "" : "s", hm_format_duration(hm_function_avg_ns(f), 0, avg));
            if (f->file[0])
                fprintf(out, " (%s:%u)", f->file, f->line);
            fputc('\n', out);
        }
    }
    return fflush(out) == 0 && !ferror(out) ? 0 : -1;
}

hm_scan_status hm_scan_write_from_results(const char *results_path, const char *path, size_t max,
                                          bool force, size_t *picked, char *err, size_t errlen) {
    *picked = 0;
    hm_results *r = NULL;
    if (hm_results_load(results_path, &r, err, errlen) != 0) {
        errno = 0;
        return HM_SCAN_EIO;
    }
    size_t *order = hm_xmalloc((r->nfunctions ? r->nfunctions : 1) * sizeof *order);
    from_run run = {r, order, 0, 0};
    for (size_t i = 0; i < r->nfunctions; i++)
        if (r->functions[i].throttled)
            run.throttled++;
        else if (r->functions[i].self_ns > 0)
            order[run.npicks++] = i;
    qsort_r(order, run.npicks, sizeof *order, by_self_desc, r);
    if (run.npicks > max)
        run.npicks = max;
    hm_scan_status st = hm_scan_write_file(path, force, write_from_run, &run);
    *picked = run.npicks;
    free(order);
    hm_results_free(r);
    return st;
}
