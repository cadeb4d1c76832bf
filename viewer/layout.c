/* Column layout and row text of the list views (see layout.h).
 *
 * Widths are decided once per screen from the rows actually shown: the numbers' columns get what
 * their widest value needs, the name column gets what is left up to the longest name, and a bar
 * fills the rest. When the width is short the table drops columns (Max first, then the percentile,
 * then Avg) rather than squeezing names below 12 columns, and bar/sparkline rows fall back to a
 * compact "X | N" info text.
 */
#include "layout.h"

#include <stdio.h>
#include <string.h>

#define MIN_NAME 12
#define MAX_BAR 60
#define MIN_BAR 10

static const char *const column_titles[HM_COLUMN_COUNT] = {"Count", "CPU Time", "Wait", "Avg",
                                                           "Max",   NULL /* percentile label */};

static void info_text(const hm_function_stats *f, bool compact, const hm_glyphs *g, char *out,
                      size_t outlen) {
    char avg[HM_DURATION_LEN];
    hm_format_duration(hm_function_avg_ns(f), g->duration_flags, avg);
    snprintf(out, outlen, compact ? "%s | %llu" : "avg: %s | calls: %llu", avg,
             (unsigned long long)f->count);
}

/* Text of table column c for function f. */
static void column_text(const hm_model *m, const hm_function_stats *f, hm_column c,
                        const hm_glyphs *g, char *out, size_t outlen) {
    uint64_t ns = 0;
    switch (c) {
    case HM_COL_COUNT:
        snprintf(out, outlen, "%llu", (unsigned long long)f->count);
        return;
    case HM_COL_CPU:
        ns = hm_function_cpu_rank_ns(f);
        break;
    case HM_COL_WAIT:
        ns = f->wait_ns;
        break;
    case HM_COL_AVG:
        ns = hm_function_avg_ns(f);
        break;
    case HM_COL_MAX:
        ns = f->max_ns;
        break;
    case HM_COL_PCT:
        ns = hm_pct_value(f, m->pct);
        break;
    }
    char buf[HM_DURATION_LEN];
    snprintf(out, outlen, "%s", hm_format_duration(ns, g->duration_flags, buf));
}

static const char *column_title(const hm_model *m, hm_column c) {
    if (c == HM_COL_CPU && !m->results->has_cpu)
        return "Self Time"; /* an older runtime's file: wall self time, not CPU time */
    return c == HM_COL_PCT ? hm_pct_label(m->pct) : column_titles[c];
}

static size_t max_name_width(const hm_model *m) {
    size_t w = strlen("Function");
    for (size_t i = 0; i < m->nrows; i++) {
        char label[HM_LABEL_LEN];
        size_t n = hm_text_width(hm_model_label(m, hm_model_row(m, i), label, sizeof label));
        if (n > w)
            w = n;
    }
    return w;
}

static void compute_table(hm_layout *l, const hm_model *m, const hm_glyphs *g) {
    size_t need[HM_COLUMN_COUNT];
    for (int c = 0; c < HM_COLUMN_COUNT; c++) {
        need[c] = strlen(column_title(m, (hm_column)c));
        for (size_t i = 0; i < m->nrows; i++) {
            char text[64];
            column_text(m, hm_model_row(m, i), (hm_column)c, g, text, sizeof text);
            size_t w = hm_text_width(text);
            if (w > need[c])
                need[c] = w;
        }
    }
    /* Add columns by priority while the name keeps MIN_NAME columns. */
    static const hm_column priority[HM_COLUMN_COUNT] = {HM_COL_COUNT, HM_COL_CPU, HM_COL_WAIT,
                                                        HM_COL_AVG,   HM_COL_PCT, HM_COL_MAX};
    size_t used = 0;
    for (int k = 0; k < HM_COLUMN_COUNT; k++) {
        hm_column c = priority[k];
        if (c == HM_COL_WAIT && !m->results->has_cpu)
            continue;
        if (used + need[c] + 2 + MIN_NAME > l->width)
            break;
        l->col_w[c] = need[c];
        used += need[c] + 2;
    }
    size_t longest = max_name_width(m);
    l->name_w = l->width > used ? l->width - used : MIN_NAME;
    if (l->name_w > longest)
        l->name_w = longest;
}

static void compute_graph(hm_layout *l, const hm_model *m, const hm_glyphs *g) {
    char text[128];
    size_t info = 0, info_compact = 0;
    for (size_t i = 0; i < m->nrows; i++) {
        info_text(hm_model_row(m, i), false, g, text, sizeof text);
        if (hm_text_width(text) > info)
            info = hm_text_width(text);
        info_text(hm_model_row(m, i), true, g, text, sizeof text);
        if (hm_text_width(text) > info_compact)
            info_compact = hm_text_width(text);
    }
    size_t min_graph = l->mode == HM_MODE_SPARKLINE ? HM_SPARK_WIDTH : MIN_BAR;
    /* name, space, graph, two spaces, info */
    l->compact = info + 3 + min_graph + MIN_NAME > l->width;
    l->info_w = l->compact ? info_compact : info;
    size_t avail = l->width > l->info_w + 3 ? l->width - l->info_w - 3 : 0;
    size_t longest = max_name_width(m);
    l->name_w = avail > min_graph ? avail - min_graph : 1;
    /* Bars share the room with names: a name gets at most half of it, but at least MIN_NAME. */
    if (l->mode == HM_MODE_BAR && l->name_w > avail / 2)
        l->name_w = avail / 2 > MIN_NAME ? avail / 2 : MIN_NAME;
    if (l->name_w > longest)
        l->name_w = longest;
    if (l->mode == HM_MODE_SPARKLINE) {
        l->graph_w = HM_SPARK_WIDTH;
    } else {
        l->graph_w = avail > l->name_w ? avail - l->name_w : 1;
        if (l->graph_w > MAX_BAR)
            l->graph_w = MAX_BAR;
    }
}

void hm_layout_compute(hm_layout *l, const hm_model *m, size_t width, const hm_glyphs *g) {
    memset(l, 0, sizeof *l);
    l->mode = m->mode;
    l->width = width;
    l->max_cpu = hm_model_max_cpu(m);
    l->max_avg = hm_model_max_avg(m);
    l->min_avg = hm_model_min_avg(m);
    if (m->mode == HM_MODE_TABLE)
        compute_table(l, m, g);
    else
        compute_graph(l, m, g);
}

void hm_layout_header(const hm_layout *l, const hm_model *m, const hm_glyphs *g, char *out,
                      size_t outlen) {
    out[0] = '\0';
    if (l->mode != HM_MODE_TABLE)
        return;
    hm_append_cell(out, outlen, "Function", l->name_w, false, g);
    for (int c = 0; c < HM_COLUMN_COUNT; c++)
        if (l->col_w[c] > 0) {
            hm_append_cell(out, outlen, "", 2, false, g);
            hm_append_cell(out, outlen, column_title(m, (hm_column)c), l->col_w[c], true, g);
        }
}

void hm_layout_row(const hm_layout *l, const hm_model *m, size_t i, const hm_glyphs *g,
                   hm_row_text *out) {
    const hm_function_stats *f = hm_model_row(m, i);
    char text[512];
    out->name[0] = out->graph[0] = out->info[0] = out->line[0] = '\0';
    out->fraction = 0;
    char label[HM_LABEL_LEN + 1];
    hm_model_label(m, f, label, sizeof label - 1);
    if (f->throttled) /* the mark of a count-only function, explained in the legend */
        strcat(label, HM_THROTTLED_MARK);
    hm_append_cell(out->name, sizeof out->name, label, l->name_w, false, g);
    if (l->mode == HM_MODE_TABLE) {
        for (int c = 0; c < HM_COLUMN_COUNT; c++)
            if (l->col_w[c] > 0) {
                column_text(m, f, (hm_column)c, g, text, sizeof text);
                hm_append_cell(out->info, sizeof out->info, "", 2, false, g);
                hm_append_cell(out->info, sizeof out->info, text, l->col_w[c], true, g);
            }
        out->fraction = l->max_cpu ? (double)hm_function_cpu_rank_ns(f) / (double)l->max_cpu : 0;
        snprintf(out->line, sizeof out->line, "%s%s", out->name, out->info);
        return;
    }
    if (l->mode == HM_MODE_BAR) {
        out->fraction = l->max_cpu ? (double)hm_function_cpu_rank_ns(f) / (double)l->max_cpu : 0;
        hm_bar(out->fraction, l->graph_w, g, text, sizeof text);
    } else {
        out->fraction = hm_log_fraction(hm_function_avg_ns(f), l->min_avg, l->max_avg);
        text[0] = '\0';
        const char *glyph = hm_spark_glyph(out->fraction, g);
        for (size_t k = 0; k < HM_SPARK_WIDTH; k++)
            strncat(text, glyph, sizeof text - strlen(text) - 1);
    }
    hm_append_cell(out->graph, sizeof out->graph, text, l->graph_w, false, g);
    info_text(f, l->compact, g, text, sizeof text);
    hm_append_cell(out->info, sizeof out->info, text, l->info_w, false, g);
    snprintf(out->line, sizeof out->line, "%s %s  %s", out->name, out->graph, out->info);
}

/* " | N functions throttled* (...)" when the run throttled any, else "". */
static void throttled_note(const hm_results *r, char *out, size_t outlen) {
    size_t n = 0;
    for (size_t i = 0; i < r->nfunctions; i++)
        n += r->functions[i].throttled;
    if (n == 0)
        out[0] = '\0';
    else
        snprintf(out, outlen,
                 " | %zu function%s throttled" HM_THROTTLED_MARK
                 " (time in callers; HEATMAP_THROTTLE=off to time every call)",
                 n, n == 1 ? "" : "s");
}

void hm_spark_scale_line(const hm_layout *l, const hm_glyphs *g, char *out, size_t outlen) {
    char lo[HM_DURATION_LEN], hi[HM_DURATION_LEN];
    if (outlen > 0)
        out[0] = '\0';
    if (l->mode != HM_MODE_SPARKLINE || l->max_avg == 0)
        return;
    hm_format_duration(l->max_avg, g->duration_flags, hi);
    if (l->min_avg >= l->max_avg)
        snprintf(out, outlen, "Height: avg self-time per call | log scale: %s %s", g->spark[7], hi);
    else
        snprintf(out, outlen, "Height: avg self-time per call | log scale: %s %s to %s %s",
                 g->spark[0], hm_format_duration(l->min_avg, g->duration_flags, lo), g->spark[7],
                 hi);
}

/* " | Profiling overhead: X (Y% of the run)" when the file says, else "". */
static void overhead_text(const hm_results *r, const hm_glyphs *g, char *out, size_t outlen) {
    char d[HM_DURATION_LEN];
    if (!r->has_overhead_total) {
        snprintf(out, outlen, "%s", "");
        return;
    }
    snprintf(out, outlen, " | Profiling overhead: %s (%.2f%% of the run)",
             hm_format_duration(r->overhead_total_ns, g->duration_flags, d),
             100.0 * hm_results_overhead_share(r));
}

void hm_summary_line(const hm_model *m, hm_summary_kind which, const hm_glyphs *g, char *out,
                     size_t outlen) {
    const hm_results *r = m->results;
    char elapsed[HM_DURATION_LEN], cpu[HM_DURATION_LEN], wait[HM_DURATION_LEN],
        self[HM_DURATION_LEN], par[32], over[128], note[160];
    if (outlen > 0)
        out[0] = '\0';
    hm_format_duration(r->elapsed_ns, g->duration_flags, elapsed);
    hm_format_duration(hm_results_cpu_ns(r), g->duration_flags, cpu);
    hm_format_duration(hm_results_wait_ns(r), g->duration_flags, wait);
    hm_format_duration(hm_results_self_ns(r), g->duration_flags, self);
    snprintf(par, sizeof par, "~%.1fx", hm_results_parallelism(r));
    overhead_text(r, g, over, sizeof over);
    static const char no_cpu[] = "CPU Time: n/a (results from an older runtime)";
    switch (which) {
    case HM_LINE_TIMES:
        if (r->has_cpu)
            snprintf(out, outlen, "Elapsed: %s | CPU Time: %s | Wait: %s | Parallelism: %s%s",
                     elapsed, cpu, wait, par, over);
        else
            snprintf(out, outlen, "Elapsed: %s | Self Time: %s | %s%s", elapsed, self, no_cpu,
                     over);
        break;
    case HM_LINE_COUNTS:
        throttled_note(r, note, sizeof note);
        snprintf(out, outlen, "Functions: %zu | Total Calls: %llu%s", r->nfunctions,
                 (unsigned long long)hm_results_total_calls(r), note);
        break;
    case HM_LINE_LEGEND_RUN:
        if (r->has_cpu)
            snprintf(out, outlen, "Parallelism: %s | Elapsed: %s | CPU Time: %s | Wait: %s%s", par,
                     elapsed, cpu, wait, over);
        else
            snprintf(out, outlen, "Elapsed: %s | Self Time: %s | %s%s", elapsed, self, no_cpu,
                     over);
        break;
    case HM_LINE_LEGEND_CALLS:
        throttled_note(r, note, sizeof note);
        if (r->has_cpu)
            snprintf(out, outlen,
                     "Count: # calls (incl. recursion) | CPU Time: on-CPU self-time | Wait: "
                     "blocked/preempted self-time%s",
                     note);
        else
            snprintf(out, outlen,
                     "Count: # calls (incl. recursion) | Self Time: sum of wall self-time "
                     "(excludes children)%s",
                     note);
        break;
    case HM_LINE_LEGEND_STATS:
        snprintf(out, outlen,
                 "Avg, Max, %s: wall self-time per call (mean, largest, %s percentile)",
                 hm_pct_label(m->pct),
                 m->pct == HM_PCT_P50   ? "50th"
                 : m->pct == HM_PCT_P99 ? "99th"
                                        : "95th");
        break;
    }
}
