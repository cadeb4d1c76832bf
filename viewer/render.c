/* Static outputs: text summary + list view, JSON, CSV (see render.h).
 *
 * The text output follows the seed: the "=== heatmap Performance Summary ===" block, then the
 * chosen view under a "Performance Heatmap - <mode>" title, laid out by layout.c in a fixed width
 * so that piped output is byte-for-byte reproducible. Lines never end in spaces.
 */
#include "render.h"
#include "layout.h"
#include "memory.h"

#include <heatmap/results_format.h>

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

void hm_put_line(FILE *out, const char *s) {
    size_t n = strlen(s);
    while (n > 0 && s[n - 1] == ' ')
        n--;
    fwrite(s, 1, n, out);
    fputc('\n', out);
}

bool hm_threads_have_cpu(const hm_results *r) {
    for (size_t i = 0; i < r->nthreads; i++)
        if (!r->threads[i].has_cpu)
            return false;
    return r->nthreads > 0;
}

/* Thread i's place in order: by CPU (largest first, then tid) when every thread has its CPU clock,
 * else file order. order[] must hold r->nthreads entries. */
void hm_thread_order(const hm_results *r, size_t *order) {
    bool by_cpu = hm_threads_have_cpu(r);
    for (size_t i = 0; i < r->nthreads; i++) {
        size_t j = i; /* insertion sort: thread tables are short */
        for (; by_cpu && j > 0; j--) {
            const hm_thread_stats *a = &r->threads[order[j - 1]], *b = &r->threads[i];
            if (a->cpu_ns > b->cpu_ns || (a->cpu_ns == b->cpu_ns && a->tid <= b->tid))
                break;
            order[j] = order[j - 1];
        }
        order[j] = i;
    }
}

/* The run's threads: TID, Name, Calls, then CPU Time (the thread's kernel CPU clock), Wait and the
 * share of all threads' CPU, ranked by CPU; from an older runtime Self Time and its share, in file
 * order. */
static void put_thread_table(FILE *out, const hm_model *m, const hm_glyphs *g) {
    const hm_results *r = m->results;
    bool cpu = hm_threads_have_cpu(r);
    uint64_t total = 0;
    for (size_t i = 0; i < r->nthreads; i++)
        total += cpu ? r->threads[i].cpu_ns : r->threads[i].self_ns;
    char line[512], buf[64], dur[HM_DURATION_LEN];
    fprintf(out, "\nThreads: %zu\n", r->nthreads);
    if (r->nthreads == 0)
        return;
    size_t *order = malloc(r->nthreads * sizeof *order);
    if (order == NULL)
        return;
    hm_thread_order(r, order);
    size_t name_w = 4;
    for (size_t i = 0; i < r->nthreads; i++)
        if (hm_text_width(r->threads[i].name) > name_w)
            name_w = hm_text_width(r->threads[i].name);
    if (name_w > 32)
        name_w = 32;
    line[0] = '\0';
    hm_append_cell(line, sizeof line, "TID", 10, true, g);
    hm_append_cell(line, sizeof line, "", 2, false, g);
    hm_append_cell(line, sizeof line, "Name", name_w, false, g);
    hm_append_cell(line, sizeof line, "Calls", 12, true, g);
    hm_append_cell(line, sizeof line, cpu ? "CPU Time" : "Self Time", 11, true, g);
    if (cpu)
        hm_append_cell(line, sizeof line, "Wait", 11, true, g);
    hm_append_cell(line, sizeof line, "Share", 8, true, g);
    hm_put_line(out, line);
    for (size_t i = 0; i < r->nthreads; i++) {
        const hm_thread_stats *t = &r->threads[order[i]];
        uint64_t ns = cpu ? t->cpu_ns : t->self_ns;
        line[0] = '\0';
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)t->tid);
        hm_append_cell(line, sizeof line, buf, 10, true, g);
        hm_append_cell(line, sizeof line, "", 2, false, g);
        hm_append_cell(line, sizeof line, t->name, name_w, false, g);
        snprintf(buf, sizeof buf, "%llu", (unsigned long long)t->calls);
        hm_append_cell(line, sizeof line, buf, 12, true, g);
        hm_append_cell(line, sizeof line, hm_format_duration(ns, g->duration_flags, dur), 11, true,
                       g);
        if (cpu)
            hm_append_cell(line, sizeof line,
                           hm_format_duration(t->wait_ns, g->duration_flags, dur), 11, true, g);
        snprintf(buf, sizeof buf, "%.1f%%", total ? 100.0 * (double)ns / (double)total : 0);
        hm_append_cell(line, sizeof line, buf, 8, true, g);
        hm_put_line(out, line);
    }
    free(order);
}

/* Name of thread `tid` in the results, "" when the thread table does not list it. */
static const char *thread_name(const hm_results *r, uint64_t tid) {
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i].tid == tid)
            return r->threads[i].name;
    return "";
}

/* Per-thread rows of the shown functions that carry a split ("threads" in a function object). */
static void put_function_splits(FILE *out, const hm_model *m, const hm_glyphs *g) {
    size_t name_w = strlen("Function"), with_split = 0;
    char label[HM_LABEL_LEN], line[1024], buf[64], dur[HM_DURATION_LEN];
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        if (f->nthreads == 0)
            continue;
        with_split++;
        size_t w = hm_text_width(hm_model_label(m, f, label, sizeof label));
        name_w = w > name_w ? w : name_w;
    }
    if (with_split == 0)
        return;
    if (name_w > 40)
        name_w = 40;
    /* Self Time is wall time; with the split, its CPU and Wait parts follow. */
    bool cpu = m->results->has_cpu;
    static const char *const heads[] = {"TID", "Thread", "Count",    "Self Time",
                                        "Avg", "Share",  "CPU Time", "Wait"};
    static const size_t widths[] = {10, 12, 10, 11, 10, 8, 11, 11};
    size_t ncols = cpu ? 8 : 6;
    fprintf(out, "\nPer thread:\n");
    line[0] = '\0';
    hm_append_cell(line, sizeof line, "Function", name_w, false, g);
    for (size_t c = 0; c < ncols; c++) {
        if (c == 1) /* as in the rows: two spaces between the tid and the thread's name */
            hm_append_cell(line, sizeof line, "  ", 2, false, g);
        hm_append_cell(line, sizeof line, heads[c], c == 1 ? widths[c] - 2 : widths[c], c != 1, g);
    }
    hm_put_line(out, line);
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        for (size_t k = 0; k < f->nthreads; k++) {
            const hm_thread_split *t = &f->threads[k];
            line[0] = '\0';
            /* The name on the first row of its group only, as in a grouped report. */
            hm_append_cell(line, sizeof line,
                           k == 0 ? hm_model_label(m, f, label, sizeof label) : "", name_w, false,
                           g);
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)t->tid);
            hm_append_cell(line, sizeof line, buf, widths[0], true, g);
            hm_append_cell(line, sizeof line, "  ", 2, false, g);
            hm_append_cell(line, sizeof line, thread_name(m->results, t->tid), widths[1] - 2, false,
                           g);
            snprintf(buf, sizeof buf, "%llu", (unsigned long long)t->count);
            hm_append_cell(line, sizeof line, buf, widths[2], true, g);
            hm_append_cell(line, sizeof line,
                           hm_format_duration(t->self_ns, g->duration_flags, dur), widths[3], true,
                           g);
            uint64_t avg = t->count ? (t->self_ns + t->count / 2) / t->count : 0;
            hm_append_cell(line, sizeof line, hm_format_duration(avg, g->duration_flags, dur),
                           widths[4], true, g);
            snprintf(buf, sizeof buf, "%.1f%%",
                     f->self_ns ? 100.0 * (double)t->self_ns / (double)f->self_ns : 0.0);
            hm_append_cell(line, sizeof line, buf, widths[5], true, g);
            if (cpu) {
                hm_append_cell(line, sizeof line,
                               hm_format_duration(t->cpu_ns, g->duration_flags, dur), widths[6],
                               true, g);
                hm_append_cell(line, sizeof line,
                               hm_format_duration(t->wait_ns, g->duration_flags, dur), widths[7],
                               true, g);
            }
            hm_put_line(out, line);
        }
    }
}

/* Print a summary line; one wider than `width` is broken at its " | " separators, as many parts
 * per line as fit (a part wider than the line gets a line of its own). */
static void put_wrapped(FILE *out, const char *s, size_t width) {
    char line[1024] = "";
    size_t cols = 0;
    while (*s != '\0') {
        const char *sep = strstr(s, " | ");
        size_t len = sep ? (size_t)(sep - s) : strlen(s);
        char part[512];
        snprintf(part, sizeof part, "%.*s", (int)len, s);
        size_t w = hm_text_width(part);
        if (cols > 0 && cols + 3 + w > width) {
            hm_put_line(out, line);
            line[0] = '\0';
            cols = 0;
        }
        if (cols > 0) {
            strncat(line, " | ", sizeof line - strlen(line) - 1);
            cols += 3;
        }
        strncat(line, part, sizeof line - strlen(line) - 1);
        cols += w;
        s = sep ? sep + 3 : s + len;
    }
    hm_put_line(out, line);
}

int hm_render_text(FILE *out, const hm_model *m, const hm_render_opts *o) {
    const hm_glyphs *g = o->glyphs;
    const hm_results *r = m->results;
    char line[2600];
    fprintf(out, "=== heatmap Performance Summary ===\n");
    hm_summary_line(m, HM_LINE_TIMES, g, line, sizeof line);
    put_wrapped(out, line, o->width);
    hm_summary_line(m, HM_LINE_COUNTS, g, line, sizeof line);
    put_wrapped(out, line, o->width);
    if (r->has_heap)
        hm_memory_summary_line(out, r);
    if (r->nfiles > 1)
        fprintf(out, "Merged: %zu files\n", r->nfiles);
    if (r->end[0] != '\0' && strcmp(r->end, "exit") != 0)
        fprintf(out, "Ended: %s (the program did not exit normally)\n", r->end);
    if (m->filter[0] != '\0')
        fprintf(out, "Filter: %s (%zu of %zu functions match)\n", m->filter, m->nmatched,
                r->nfunctions);

    fprintf(out, "\n%sPerformance Heatmap - %s\n", g->fire, hm_mode_title(m->mode));
    if (m->mode == HM_MODE_MEMORY)
        return hm_memory_render_text(out, m, o->width);
    hm_layout l;
    hm_layout_compute(&l, m, o->width, g);
    if (m->mode == HM_MODE_TABLE) {
        hm_layout_header(&l, m, g, line, sizeof line);
        hm_put_line(out, line);
    }
    hm_spark_scale_line(&l, g, line, sizeof line);
    if (line[0] != '\0')
        put_wrapped(out, line, o->width);
    hm_row_text *row = malloc(sizeof *row);
    if (row == NULL)
        return -1;
    for (size_t i = 0; i < m->nrows; i++) {
        hm_layout_row(&l, m, i, g, row);
        hm_put_line(out, row->line);
    }
    free(row);
    if (m->nrows == 0)
        fprintf(out, "(no functions%s)\n", m->filter[0] ? " match the filter" : " recorded");
    else if (m->nrows < m->nmatched)
        fprintf(out, "(top %zu of %zu functions by %s; --top=N to change)\n", m->nrows, m->nmatched,
                hm_sort_key_name(m->sort));
    if (o->threads) {
        put_thread_table(out, m, g);
        put_function_splits(out, m, g);
    }
    return ferror(out) ? -1 : 0;
}

/* ---- JSON ------------------------------------------------------------------------------------ */

static json_t *u64(uint64_t v) {
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

/* A figure that may be unknown: null when !known. */
static json_t *u64_or_null(bool known, uint64_t v) {
    return known ? u64(v) : json_null();
}

static json_t *function_json(const hm_function_stats *f) {
    json_t *o = json_object(), *hist = json_array();
    json_object_set_new(o, HM_FN_KEY_name, json_string(f->name));
    json_object_set_new(o, HM_FN_KEY_file, json_string(f->file));
    json_object_set_new(o, HM_FN_KEY_line, json_integer(f->line));
    json_object_set_new(o, HM_FN_KEY_count, u64(f->count));
    if (f->throttled)
        json_object_set_new(o, HM_FN_KEY_throttled_after, u64(f->timed));
    json_object_set_new(o, HM_FN_KEY_self_ns, u64(f->self_ns));
    if (f->has_cpu) { /* self_ns == cpu_ns + wait_ns */
        json_object_set_new(o, HM_FN_KEY_cpu_ns, u64(f->cpu_ns));
        json_object_set_new(o, HM_FN_KEY_wait_ns, u64(f->wait_ns));
        json_object_set_new(o, HM_FN_KEY_blocked_ns, u64(f->blocked_ns));
    }
    if (f->open_calls > 0)
        json_object_set_new(o, HM_FN_KEY_open_calls, u64(f->open_calls));
    json_object_set_new(o, "avg_ns", u64(hm_function_avg_ns(f)));
    json_object_set_new(o, HM_FN_KEY_max_ns, u64(f->max_ns));
    json_object_set_new(o, HM_FN_KEY_p50_ns, u64(f->p50_ns));
    json_object_set_new(o, HM_FN_KEY_p95_ns, u64(f->p95_ns));
    json_object_set_new(o, HM_FN_KEY_p99_ns, u64(f->p99_ns));
    for (size_t i = 0; i < f->nbuckets; i++) {
        json_t *pair = json_array();
        json_array_append_new(pair, json_integer(f->buckets[i].index));
        json_array_append_new(pair, u64(f->buckets[i].count));
        json_array_append_new(hist, pair);
    }
    json_object_set_new(o, HM_FN_KEY_histogram, hist);
    if (f->nthreads > 0) {
        json_t *threads = json_array();
        for (size_t i = 0; i < f->nthreads; i++) {
            const hm_thread_split *t = &f->threads[i];
            json_t *e = json_pack("{s:o,s:o,s:o}", HM_TH_KEY_tid, u64(t->tid), HM_TH_KEY_count,
                                  u64(t->count), HM_TH_KEY_self_ns, u64(t->self_ns));
            if (f->has_cpu) {
                json_object_set_new(e, HM_TH_KEY_cpu_ns, u64(t->cpu_ns));
                json_object_set_new(e, HM_TH_KEY_wait_ns, u64(t->wait_ns));
            }
            json_array_append_new(threads, e);
        }
        json_object_set_new(o, HM_FN_KEY_threads, threads);
    }
    return o;
}

/* Row i of the model as JSON (hm_json_write_rows). */
static json_t *function_row(size_t i, const void *ctx) {
    const hm_model *m = ctx;
    json_t *f = function_json(hm_model_row(m, i));
    if (m->results->has_heap)
        hm_memory_json_add(f, &hm_model_row(m, i)->heap);
    return f;
}

int hm_render_json(FILE *out, const hm_model *m, const hm_render_opts *o) {
    const hm_results *r = m->results;
    json_t *root = json_object(), *threads = json_array();
    json_object_set_new(root, HM_KEY_version, json_integer(HM_RESULTS_FORMAT_VERSION));
    json_object_set_new(root, HM_KEY_program, json_string(r->program));
    json_object_set_new(root, HM_KEY_pid, json_integer(r->pid));
    json_object_set_new(root, HM_KEY_hostname, json_string(r->hostname));
    json_object_set_new(root, HM_KEY_start_unix_ns, u64(r->start_unix_ns));
    json_object_set_new(root, HM_KEY_elapsed_ns, u64(r->elapsed_ns));
    json_object_set_new(root, HM_KEY_clock, json_string(r->clock));
    json_object_set_new(root, HM_KEY_overhead_ns, u64(r->overhead_ns));
    if (r->has_wall)
        json_object_set_new(root, HM_KEY_wall_ns, u64(r->wall_ns));
    if (r->has_overhead_total)
        json_object_set_new(root, HM_KEY_overhead_total_ns, u64(r->overhead_total_ns));
    if (r->has_process_cpu)
        json_object_set_new(root, HM_KEY_process_cpu_ns, u64(r->process_cpu_ns));
    if (r->cpus > 0)
        json_object_set_new(root, HM_KEY_cpus, u64(r->cpus));
    json_object_set_new(root, HM_KEY_end, json_string(r->end));
    json_object_set_new(root, HM_KEY_histogram,
                        json_pack("{s:s,s:i}", HM_HIST_KEY_kind, "log-linear",
                                  HM_HIST_KEY_sub_bucket_bits, (int)HM_HIST_SUB_BITS));
    /* Figures a file from an older runtime does not have are null, never a stand-in. */
    double parallelism = hm_results_parallelism(r);
    double share = hm_results_overhead_share(r);
    json_object_set_new(
        root, "summary",
        json_pack("{s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:o,s:s,s:s}", "elapsed_ns",
                  u64(r->elapsed_ns), "cpu_ns", u64_or_null(r->has_cpu, hm_results_cpu_ns(r)),
                  "wait_ns", u64_or_null(r->has_cpu, hm_results_wait_ns(r)), "self_ns",
                  u64(hm_results_self_ns(r)), "parallelism",
                  r->has_cpu ? json_real((double)(long long)(parallelism * 1000.0 + 0.5) / 1000.0)
                             : json_null(),
                  "profiler_overhead_ns", u64_or_null(r->has_overhead_total, r->overhead_total_ns),
                  "profiler_overhead_share",
                  r->has_overhead_total ? json_real((double)(long long)(share * 1e6 + 0.5) / 1e6)
                                        : json_null(),
                  "cpus", u64_or_null(r->cpus > 0, r->cpus), "functions", u64(r->nfunctions),
                  "total_calls", u64(hm_results_total_calls(r)), "files", u64(r->nfiles), "shown",
                  u64(m->nrows), "sort", hm_sort_key_name(m->sort), "filter", m->filter));
    for (size_t i = 0; i < r->nthreads; i++) {
        const hm_thread_stats *t = &r->threads[i];
        json_t *e =
            json_pack("{s:o,s:s,s:o,s:o}", HM_TH_KEY_tid, u64(t->tid), HM_TH_KEY_name, t->name,
                      HM_TH_KEY_calls, u64(t->calls), HM_TH_KEY_self_ns, u64(t->self_ns));
        if (t->has_cpu) {
            json_object_set_new(e, HM_TH_KEY_cpu_ns, u64(t->cpu_ns));
            json_object_set_new(e, HM_TH_KEY_wait_ns, u64(t->wait_ns));
            json_object_set_new(e, HM_TH_KEY_preempt_ns, u64(t->preempt_ns));
            json_object_set_new(e, HM_TH_KEY_overhead_ns, u64(t->overhead_ns));
        }
        json_array_append_new(threads, e);
    }
    json_object_set_new(root, HM_KEY_threads, threads);
    if (r->has_heap)
        json_object_set_new(json_object_get(root, "summary"), "memory", hm_memory_summary_json(r));
    int rc = hm_json_write_rows(out, root, HM_KEY_functions, m->nrows, function_row, m);
    json_decref(root);
    return rc;
}

int hm_json_write_rows(FILE *out, const json_t *root, const char *key, size_t nrows,
                       json_t *(*row_json)(size_t i, const void *ctx), const void *ctx) {
    enum { FLAGS = JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(6) };
    char *head = json_dumps(root, JSON_INDENT(2) | FLAGS);
    if (head == NULL)
        return -1;
    /* head is "{\n  ...\n}", or "{}" when empty: reopen it before its closing brace. */
    size_t n = strlen(head);
    bool empty = strcmp(head, "{}") == 0;
    n -= empty ? 1 : 2;
    fprintf(out, "%.*s%s\n  \"%s\": [", (int)n, head, empty ? "" : ",", key);
    free(head);
    int rc = 0;
    for (size_t i = 0; i < nrows && rc == 0; i++) {
        json_t *value = row_json(i, ctx);
        char *row = value ? json_dumps(value, FLAGS) : NULL;
        json_decref(value);
        if (row == NULL)
            rc = -1;
        else
            fprintf(out, "%s\n    %s", i ? "," : "", row);
        free(row);
    }
    fputs(nrows ? "\n  ]\n}\n" : "]\n}\n", out);
    return rc == 0 && !ferror(out) ? 0 : -1;
}

/* ---- CSV ------------------------------------------------------------------------------------- */

void hm_csv_field(FILE *out, const char *s) {
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, out);
        return;
    }
    fputc('"', out);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', out);
        fputc(*s, out);
    }
    fputc('"', out);
}

/* ",CPU,WAIT" of a function with the split, ",," without (unknown, not zero). */
static void csv_cpu_wait(FILE *out, bool known, uint64_t cpu, uint64_t wait) {
    if (known)
        fprintf(out, ",%llu,%llu", (unsigned long long)cpu, (unsigned long long)wait);
    else
        fputs(",,", out);
}

/* --threads: one row per function and thread of its split; a function without a split gets one
 * row with an empty tid and its totals. */
static int render_csv_threads(FILE *out, const hm_model *m) {
    fputs("function,file,line,tid,thread,count,self_ns,cpu_ns,wait_ns,avg_ns\n", out);
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        for (size_t k = 0; k < (f->nthreads ? f->nthreads : 1); k++) {
            const hm_thread_split *t = f->nthreads ? &f->threads[k] : NULL;
            uint64_t count = t ? t->count : f->count, self = t ? t->self_ns : f->self_ns;
            uint64_t cpu = t ? t->cpu_ns : f->cpu_ns, wait = t ? t->wait_ns : f->wait_ns;
            hm_csv_field(out, f->name);
            fputc(',', out);
            hm_csv_field(out, f->file);
            fprintf(out, ",%u,", f->line);
            if (t != NULL) {
                fprintf(out, "%llu,", (unsigned long long)t->tid);
                hm_csv_field(out, thread_name(m->results, t->tid));
            } else {
                fputc(',', out);
            }
            fprintf(out, ",%llu,%llu", (unsigned long long)count, (unsigned long long)self);
            csv_cpu_wait(out, f->has_cpu, cpu, wait);
            fprintf(out, ",%llu\n", (unsigned long long)(count ? (self + count / 2) / count : 0));
        }
    }
    return ferror(out) ? -1 : 0;
}

int hm_render_csv(FILE *out, const hm_model *m, const hm_render_opts *o) {
    if (o->threads)
        return render_csv_threads(out, m);
    fputs("function,file,line,count,self_ns,cpu_ns,wait_ns,avg_ns,max_ns,p50_ns,p95_ns,p99_ns",
          out);
    if (m->results->has_heap)
        hm_memory_csv_header(out);
    fputc('\n', out);
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        hm_csv_field(out, f->name);
        fputc(',', out);
        hm_csv_field(out, f->file);
        fprintf(out, ",%u,%llu,%llu", f->line, (unsigned long long)f->count,
                (unsigned long long)f->self_ns);
        csv_cpu_wait(out, f->has_cpu, f->cpu_ns, f->wait_ns);
        fprintf(out, ",%llu,%llu,%llu,%llu,%llu", (unsigned long long)hm_function_avg_ns(f),
                (unsigned long long)f->max_ns, (unsigned long long)f->p50_ns,
                (unsigned long long)f->p95_ns, (unsigned long long)f->p99_ns);
        if (m->results->has_heap)
            hm_memory_csv_row(out, &f->heap);
        fputc('\n', out);
    }
    return ferror(out) ? -1 : 0;
}
