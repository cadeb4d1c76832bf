/* Before/after comparison output (see diff_view.h).
 *
 * Text: a header per file, the change of the run's totals, then one row per function with
 * "before→after" for Count, Self Time (wall: every results file has it), Avg and P95 and the
 * after/before ratio of the last three. A function only in NEW shows "-" before the arrow and "new"
 * as its ratio; one only in BASE shows "-" after the arrow and "gone". Column widths come from the
 * rows shown.
 */
#include "diff_view.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

enum {
    COL_NAME,
    COL_COUNT,
    COL_CPU,
    COL_CPU_RATIO,
    COL_AVG,
    COL_AVG_RATIO,
    COL_P95,
    COL_P95_RATIO,
    NCOLS
};
/* The diff compares wall self time (what every file has, old or new): "Self Time", not CPU. */
static const char *const titles[NCOLS] = {"Function", "Count", "Self Time", "",
                                          "Avg",      "",      "P95",       ""};
#define MAX_NAME 48

typedef uint64_t (*stat_fn)(const hm_function_stats *f);
static uint64_t stat_count(const hm_function_stats *f) {
    return f->count;
}
static uint64_t stat_cpu(const hm_function_stats *f) {
    return f->self_ns;
}
static uint64_t stat_p95(const hm_function_stats *f) {
    return f->p95_ns;
}

static void side_text(const hm_function_stats *f, stat_fn stat, bool is_time, const hm_glyphs *g,
                      char *out, size_t outlen) {
    char buf[HM_DURATION_LEN];
    if (f == NULL)
        snprintf(out, outlen, "-");
    else if (is_time)
        snprintf(out, outlen, "%s", hm_format_duration(stat(f), g->duration_flags, buf));
    else
        snprintf(out, outlen, "%llu", (unsigned long long)stat(f));
}

static void pair_text(const hm_diff_row *row, stat_fn stat, bool is_time, const hm_glyphs *g,
                      char *out, size_t outlen) {
    char b[32], a[32];
    side_text(row->before, stat, is_time, g, b, sizeof b);
    side_text(row->after, stat, is_time, g, a, sizeof a);
    snprintf(out, outlen, "%s%s%s", b, g->arrow, a);
}

/* "1.13x": after/before with two decimals, rounded half up in integers (printf would round 1.125 to
 * even, and differently for values a double cannot hold exactly); "-" when before is 0. */
static void ratio_of(uint64_t after, uint64_t before, char *out, size_t outlen) {
    if (before == 0) {
        snprintf(out, outlen, "-");
        return;
    }
    unsigned __int128 hundredths =
        ((unsigned __int128)after * 200 + before) / (2 * (unsigned __int128)before);
    snprintf(out, outlen, "%llu.%02llux", (unsigned long long)(hundredths / 100),
             (unsigned long long)(hundredths % 100));
}

static void ratio_text(const hm_diff_row *row, stat_fn stat, char *out, size_t outlen) {
    if (row->status == HM_DIFF_NEW)
        snprintf(out, outlen, "new");
    else if (row->status == HM_DIFF_VANISHED)
        snprintf(out, outlen, "gone");
    else if (stat(row->before) == 0)
        snprintf(out, outlen, "-");
    else
        ratio_of(stat(row->after), stat(row->before), out, outlen);
}

static void cells(const hm_diff_row *row, const hm_glyphs *g, char cell[NCOLS][160]) {
    cell[COL_NAME][0] = '\0'; /* names are kept whole, apart: see row_labels() */
    pair_text(row, stat_count, false, g, cell[COL_COUNT], 160);
    pair_text(row, stat_cpu, true, g, cell[COL_CPU], 160);
    ratio_text(row, stat_cpu, cell[COL_CPU_RATIO], 160);
    pair_text(row, hm_function_avg_ns, true, g, cell[COL_AVG], 160);
    ratio_text(row, hm_function_avg_ns, cell[COL_AVG_RATIO], 160);
    pair_text(row, stat_p95, true, g, cell[COL_P95], 160);
    ratio_text(row, stat_p95, cell[COL_P95_RATIO], 160);
}

static void run_line(FILE *out, const char *label, const hm_results *r, const hm_glyphs *g) {
    char e[HM_DURATION_LEN], c[HM_DURATION_LEN];
    fprintf(out, "%s %s | Elapsed: %s | Self Time: %s | Functions: %zu | Total Calls: %llu\n",
            label, r->path, hm_format_duration(r->elapsed_ns, g->duration_flags, e),
            hm_format_duration(hm_results_self_ns(r), g->duration_flags, c), r->nfunctions,
            (unsigned long long)hm_results_total_calls(r));
}

static void free_labels(char **labels, size_t n) {
    for (size_t i = 0; labels != NULL && i < n; i++)
        free(labels[i]);
    free(labels);
}

/* The name shown for each row: with its location when two rows would show the same name (a
 * static function in two files, or a pairing the diff could not make). NULL on out-of-memory. */
static char **row_labels(const hm_diff_row *rows, size_t n) {
    const hm_function_stats **ids = malloc((n ? n : 1) * sizeof *ids);
    hm_label_place *dup = malloc((n ? n : 1) * sizeof *dup);
    char **labels = calloc(n ? n : 1, sizeof *labels);
    bool ok = ids && dup && labels;
    for (size_t i = 0; ok && i < n; i++)
        ids[i] = rows[i].after ? rows[i].after : rows[i].before;
    ok = ok && hm_mark_same_names(ids, n, dup) == 0;
    char buf[HM_LABEL_LEN];
    for (size_t i = 0; ok && i < n; i++)
        ok = (labels[i] = strdup(hm_function_label(ids[i], &dup[i], buf, sizeof buf))) != NULL;
    free(ids);
    free(dup);
    if (!ok) {
        free_labels(labels, n);
        return NULL;
    }
    return labels;
}

static int render_text(FILE *out, const hm_results *before, const hm_results *after,
                       const hm_diff_row *rows, size_t nrows, size_t nshown,
                       const hm_diff_opts *o) {
    const hm_glyphs *g = o->glyphs;
    size_t added = 0, gone = 0;
    for (size_t i = 0; i < nrows; i++) {
        added += rows[i].status == HM_DIFF_NEW;
        gone += rows[i].status == HM_DIFF_VANISHED;
    }
    char re[16], rc[16];
    ratio_of(after->elapsed_ns, before->elapsed_ns, re, sizeof re);
    ratio_of(hm_results_self_ns(after), hm_results_self_ns(before), rc, sizeof rc);
    fprintf(out, "=== heatmap Diff ===\n");
    run_line(out, "Base:", before, g);
    run_line(out, "New: ", after, g);
    fprintf(out, "Change: Elapsed %s | Self Time %s | %zu new, %zu vanished\n", re, rc, added,
            gone);
    if (o->filter != NULL && o->filter[0] != '\0')
        fprintf(out, "Filter: %s\n", o->filter);
    fputc('\n', out);

    char(*text)[NCOLS][160] = calloc(nshown ? nshown : 1, sizeof *text);
    char **labels = row_labels(rows, nshown);
    if (text == NULL || labels == NULL) {
        free(text);
        return -1;
    }
    size_t width[NCOLS];
    for (int c = 0; c < NCOLS; c++)
        width[c] = hm_text_width(titles[c]);
    for (size_t i = 0; i < nshown; i++) {
        cells(&rows[i], g, text[i]);
        for (int c = 0; c < NCOLS; c++) {
            const char *s = c == COL_NAME ? labels[i] : text[i][c];
            if (hm_text_width(s) > width[c])
                width[c] = hm_text_width(s);
        }
    }
    if (width[COL_NAME] > MAX_NAME)
        width[COL_NAME] = MAX_NAME;
    char line[2048];
    for (size_t i = 0; i <= nshown; i++) {
        line[0] = '\0';
        for (int c = 0; c < NCOLS; c++) {
            const char *s = i == 0 ? titles[c] : c == COL_NAME ? labels[i - 1] : text[i - 1][c];
            if (c > 0)
                hm_append_cell(line, sizeof line, "", c % 2 == 1 ? 3 : 2, false, g);
            hm_append_cell(line, sizeof line, s, width[c], c != COL_NAME, g);
        }
        hm_put_line(out, line);
    }
    free(text);
    free_labels(labels, nshown);
    if (nshown == 0)
        fprintf(out, "(no functions%s)\n", o->filter && o->filter[0] ? " match the filter" : "");
    else if (nshown < nrows)
        fprintf(out, "(top %zu of %zu functions by self-time change; --top=N to change)\n", nshown,
                nrows);
    return 0;
}

static json_t *side_json(const hm_function_stats *f) {
    if (f == NULL)
        return json_null();
    return json_pack("{s:I,s:I,s:I,s:I}", "count", (json_int_t)f->count, "self_ns",
                     (json_int_t)f->self_ns, "avg_ns", (json_int_t)hm_function_avg_ns(f), "p95_ns",
                     (json_int_t)f->p95_ns);
}

/* cpu_ns is the on-CPU sum, null for a file from an older runtime; self_ns the wall self time. */
static json_t *run_json(const hm_results *r) {
    return json_pack(
        "{s:s,s:I,s:o,s:I,s:I,s:I}", "path", r->path, "elapsed_ns", (json_int_t)r->elapsed_ns,
        "cpu_ns", r->has_cpu ? json_integer((json_int_t)hm_results_cpu_ns(r)) : json_null(),
        "self_ns", (json_int_t)hm_results_self_ns(r), "functions", (json_int_t)r->nfunctions,
        "total_calls", (json_int_t)hm_results_total_calls(r));
}

static const char *status_name(hm_diff_status s) {
    return s == HM_DIFF_NEW ? "new" : s == HM_DIFF_VANISHED ? "vanished" : "both";
}

/* Diff row i as JSON (hm_json_write_rows). */
static json_t *row_json(size_t i, const void *ctx) {
    const hm_diff_row *row = (const hm_diff_row *)ctx + i;
    const hm_function_stats *id = row->after ? row->after : row->before;
    return json_pack("{s:s,s:s,s:i,s:s,s:I,s:o,s:o}", "name", id->name, "file", id->file, "line",
                     (int)id->line, "status", status_name(row->status), "self_delta_ns",
                     (json_int_t)row->cpu_delta_ns, "before", side_json(row->before), "after",
                     side_json(row->after));
}

static int render_json(FILE *out, const hm_results *before, const hm_results *after,
                       const hm_diff_row *rows, size_t nshown) {
    json_t *root = json_pack("{s:o,s:o}", "base", run_json(before), "new", run_json(after));
    int rc = hm_json_write_rows(out, root, "functions", nshown, row_json, rows);
    json_decref(root);
    return rc;
}

static void csv_pair(FILE *out, const hm_diff_row *row, stat_fn stat) {
    if (row->before)
        fprintf(out, ",%llu", (unsigned long long)stat(row->before));
    else
        fputs(",", out);
    if (row->after)
        fprintf(out, ",%llu", (unsigned long long)stat(row->after));
    else
        fputs(",", out);
}

static void render_csv(FILE *out, const hm_diff_row *rows, size_t nshown) {
    fputs("function,file,line,status,count_before,count_after,self_ns_before,self_ns_after,"
          "avg_ns_before,avg_ns_after,p95_ns_before,p95_ns_after,self_delta_ns\n",
          out);
    for (size_t i = 0; i < nshown; i++) {
        const hm_function_stats *id = rows[i].after ? rows[i].after : rows[i].before;
        hm_csv_field(out, id->name);
        fputc(',', out);
        hm_csv_field(out, id->file);
        fprintf(out, ",%u,%s", id->line, status_name(rows[i].status));
        csv_pair(out, &rows[i], stat_count);
        csv_pair(out, &rows[i], stat_cpu);
        csv_pair(out, &rows[i], hm_function_avg_ns);
        csv_pair(out, &rows[i], stat_p95);
        fprintf(out, ",%lld\n", (long long)rows[i].cpu_delta_ns);
    }
}

int hm_render_diff(FILE *out, const hm_results *before, const hm_results *after,
                   const hm_diff_opts *o) {
    hm_diff_row *rows;
    size_t nrows;
    if (hm_results_diff(before, after, &rows, &nrows) != 0)
        return -1;
    /* Filter in place, keeping the regression order. */
    char glob[2 * HM_FILTER_MAX + 3] = "";
    if (o->filter != NULL && !hm_filter_to_glob(o->filter, glob, sizeof glob))
        glob[0] = '\0';
    size_t kept = 0;
    for (size_t i = 0; i < nrows; i++) {
        const hm_function_stats *id = rows[i].after ? rows[i].after : rows[i].before;
        if (hm_function_matches(id, glob))
            rows[kept++] = rows[i];
    }
    size_t nshown = kept < o->top ? kept : o->top;
    int rc = 0;
    if (o->format == HM_FORMAT_JSON)
        rc = render_json(out, before, after, rows, nshown);
    else if (o->format == HM_FORMAT_CSV)
        render_csv(out, rows, nshown);
    else
        rc = render_text(out, before, after, rows, kept, nshown, o);
    free(rows);
    return rc == 0 && !ferror(out) ? 0 : -1;
}
