/* The TUI's panes, drawn in a box over the list: the detail of the selected function (file:line,
 * every statistic, its callers and callees from the call paths, its latency histogram as a small
 * chart, its per-thread split), the run's threads, and the key help; plus the filter prompt on the
 * last line.
 *
 * A pane's content is produced line by line through a pane_ctx that skips the lines scrolled off
 * the top and stops drawing at the box's bottom, so the content code never deals with geometry.
 */
#include "memory.h"
#include "tui_internal.h"

#include "render.h"

#include "heatmap/histogram.h"

#include <curses.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#define LINE_LEN 512

typedef struct pane_ctx {
    hm_tui *t;
    int top, bottom; /* inner lines, inclusive */
    int x;           /* first inner column */
    size_t width;    /* inner columns */
    size_t line;     /* lines produced so far */
} pane_ctx;

/* Columns for a bar beside `used` columns of text on a pane line: what is left, between lo and hi.
 */
static size_t bar_room(const pane_ctx *c, size_t used, size_t lo, size_t hi) {
    size_t room = c->width > used ? c->width - used : 0;
    return room < lo ? lo : room > hi ? hi : room;
}

/* The screen line for the next content line, or -1 when it is scrolled off or below the box. */
static int pane_next(pane_ctx *c) {
    size_t i = c->line++;
    if (i < c->t->pane_scroll)
        return -1;
    int y = c->top + (int)(i - c->t->pane_scroll);
    return y <= c->bottom ? y : -1;
}

static void pane_text(pane_ctx *c, const char *s, int attr) {
    int y = pane_next(c);
    if (y >= 0)
        tui_put(y, c->x, s, c->width, attr);
}

/* s wrapped at " | " to the pane's width. */
static void pane_wrapped(pane_ctx *c, const char *s, int attr) {
    char lines[4][LINE_LEN];
    size_t n = tui_wrap(s, c->width, c->t->g, &lines[0][0], 4, LINE_LEN);
    for (size_t i = 0; i < n; i++)
        pane_text(c, lines[i], attr);
}

/* A name over as many lines as it needs, at most 4: a longer one loses its middle (ellipsis), so
 * that both the namespace and the method stay visible. */
static void pane_name(pane_ctx *c, const char *name, int attr) {
    char buf[8192];
    size_t width = c->width < 1000 ? c->width : 1000;
    hm_shorten(name, 4 * width, c->t->g, buf, sizeof buf);
    const char *p = buf;
    for (int k = 0; k < 4 && *p != '\0'; k++) {
        pane_text(c, p, attr);
        p += hm_text_prefix(p, width);
    }
}

static void draw_box(const hm_tui *t, int top, int bottom, const char *title) {
    int attr = tui_attr(&t->crt, TUI_ROLE_BORDER);
    for (int y = top; y <= bottom; y++) {
        move(y, 0);
        clrtoeol();
    }
    bool u = t->g->utf8; /* line drawing characters, or + - | with the ASCII glyphs */
    chtype h = u ? ACS_HLINE : '-', v = u ? ACS_VLINE : '|';
    attron(attr);
    mvhline(top, 1, h, COLS - 2);
    mvhline(bottom, 1, h, COLS - 2);
    mvvline(top + 1, 0, v, bottom - top - 1);
    mvvline(top + 1, COLS - 1, v, bottom - top - 1);
    mvaddch(top, 0, u ? ACS_ULCORNER : '+');
    mvaddch(top, COLS - 1, u ? ACS_URCORNER : '+');
    mvaddch(bottom, 0, u ? ACS_LLCORNER : '+');
    mvaddch(bottom, COLS - 1, u ? ACS_LRCORNER : '+');
    attroff(attr);
    char text[LINE_LEN];
    snprintf(text, sizeof text, " %s ", title);
    tui_put(top, 2, text, (size_t)COLS - 4, tui_attr(&t->crt, TUI_ROLE_TITLE));
}

static const char *dur(const hm_tui *t, uint64_t ns, char buf[HM_DURATION_LEN]) {
    return hm_format_duration(ns, t->g->duration_flags, buf);
}

static double share(uint64_t part, uint64_t whole) {
    return whole ? 100.0 * (double)part / (double)whole : 0.0;
}

/* ---- Thread rows (detail pane and thread pane) ----------------------------------------------- */

typedef struct thread_row {
    uint64_t tid;
    const char *name;
    uint64_t calls;
    uint64_t ns;   /* CPU time with the split (the thread's kernel clock), else wall self time */
    uint64_t wait; /* 0 without the split */
} thread_row;

static const char *thread_name(const hm_results *r, uint64_t tid) {
    for (size_t i = 0; i < r->nthreads; i++)
        if (r->threads[i].tid == tid)
            return r->threads[i].name;
    return "";
}

/* Whether the rows of pane_threads(f) carry CPU and Wait. */
static bool rows_have_cpu(const hm_results *r, const hm_function_stats *f) {
    return f != NULL ? f->has_cpu : hm_threads_have_cpu(r);
}

/* Thread i: of function f's split when f is given, else of the run (i-th in `order`). */
static thread_row thread_at(const hm_results *r, const hm_function_stats *f, const size_t *order,
                            size_t i) {
    bool cpu = rows_have_cpu(r, f);
    if (f != NULL) {
        const hm_thread_split *s = &f->threads[i];
        return (thread_row){s->tid, thread_name(r, s->tid), s->count, cpu ? s->cpu_ns : s->self_ns,
                            s->wait_ns};
    }
    const hm_thread_stats *s = &r->threads[order != NULL ? order[i] : i];
    return (thread_row){s->tid, s->name, s->calls, cpu ? s->cpu_ns : s->self_ns, s->wait_ns};
}

/* The threads of function f (or of the run, f NULL) in columns: TID, Name, Calls, CPU Time, Wait,
 * Share of CPU, then a bar of the share; the run's threads ranked by CPU. From an older runtime:
 * Self Time and its share, no Wait, in file order. */
static void pane_threads(pane_ctx *c, const hm_function_stats *f) {
    const hm_tui *t = c->t;
    const hm_results *r = t->m->results;
    size_t n = f != NULL ? f->nthreads : r->nthreads;
    bool cpu = rows_have_cpu(r, f);
    size_t *order = f == NULL && n > 0 ? malloc(n * sizeof *order) : NULL;
    if (order != NULL)
        hm_thread_order(r, order);
    uint64_t total = 0;
    size_t name_w = 4;
    for (size_t i = 0; i < n; i++) {
        thread_row row = thread_at(r, f, order, i);
        total += row.ns;
        size_t w = hm_text_width(row.name);
        if (w > name_w)
            name_w = w;
    }
    if (name_w > 20)
        name_w = 20;
    char line[LINE_LEN], cell[64], d[HM_DURATION_LEN];
    snprintf(line, sizeof line, "%10s  ", "TID");
    hm_append_cell(line, sizeof line, "Name", name_w, false, t->g);
    strncat(line,
            cpu ? "      Calls   CPU Time       Wait   Share" : "      Calls  Self Time   Share",
            sizeof line - strlen(line) - 1);
    pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_HEADER));
    size_t bar_w = bar_room(c, hm_text_width(line) + 2, 0, 30);
    for (size_t i = 0; i < n; i++) {
        int y = pane_next(c);
        if (y < 0)
            continue;
        thread_row row = thread_at(r, f, order, i);
        snprintf(line, sizeof line, "%10llu  ", (unsigned long long)row.tid);
        hm_append_cell(line, sizeof line, row.name, name_w, false, t->g);
        char wd[HM_DURATION_LEN], wait[32] = "";
        if (cpu)
            snprintf(wait, sizeof wait, "  %9s", dur(t, row.wait, wd));
        snprintf(cell, sizeof cell, "  %9llu  %9s%s  %5.1f%%", (unsigned long long)row.calls,
                 dur(t, row.ns, d), wait, share(row.ns, total));
        strncat(line, cell, sizeof line - strlen(line) - 1);
        size_t w = tui_put(y, c->x, line, c->width, A_NORMAL);
        if (bar_w > 0) {
            char bar[256];
            double frac = total ? (double)row.ns / (double)total : 0;
            hm_bar(frac, bar_w, t->g, bar, sizeof bar);
            tui_put(y, c->x + (int)w + 2, bar, bar_w, tui_heat_attr(&t->crt, frac));
        }
    }
    free(order);
}

/* ---- Callers and callees (callers.h) -------------------------------------------------------- */

/* The summary of f, computed when the selection moved to another function since the last frame. */
static const hm_call_summary *calls_for(hm_tui *t, const hm_function_stats *f) {
    if (t->calls_of != f) {
        hm_call_summary_free(&t->calls);
        t->calls_rc = hm_callers_compute(t->paths, f->name, f->file, f->line, &t->calls);
        t->calls_of = f;
    }
    return t->calls_rc == 0 ? &t->calls : NULL;
}

void tui_panes_free(hm_tui *t) {
    hm_call_summary_free(&t->calls);
    t->calls_of = NULL;
}

/* A caller's or callee's name as the list would show it: "(outermost)" for no caller, and the
 * place appended when another function of the paths has the same name (the functions are sorted
 * by name, so such a function is a neighbour). */
static const char *edge_label(const hm_paths *p, const hm_path_function *fn, char *buf,
                              size_t len) {
    if (fn == NULL)
        return "(outermost)";
    size_t i = (size_t)(fn - p->functions);
    bool same = (i > 0 && strcmp(p->functions[i - 1].name, fn->name) == 0) ||
                (i + 1 < p->nfunctions && strcmp(p->functions[i + 1].name, fn->name) == 0);
    if (!same || fn->file[0] == '\0')
        return fn->name;
    if (fn->line > 0)
        snprintf(buf, len, "%s (%s:%u)", fn->name, fn->file, fn->line);
    else
        snprintf(buf, len, "%s (%s)", fn->name, fn->file);
    return buf;
}

/* One section: a header, then per edge "share%  name  N calls", the names in one column as wide
 * as the longest (shortened in the middle when the pane is narrow), the counts aligned. */
static void pane_edges(pane_ctx *c, const char *title, const hm_call_edge *edges, size_t n) {
    const hm_tui *t = c->t;
    char line[LINE_LEN], label[HM_LABEL_LEN], cell[64];
    if (n == 0) {
        snprintf(line, sizeof line, "%s: none", title);
        pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_HEADER));
        return;
    }
    snprintf(line, sizeof line, "%s (%zu)", title, n);
    pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_HEADER));
    size_t name_w = 1, calls_w = 1;
    for (size_t i = 0; i < n; i++) {
        size_t w = hm_text_width(edge_label(t->paths, edges[i].function, label, sizeof label));
        if (w > name_w)
            name_w = w;
        w = (size_t)snprintf(cell, sizeof cell, "%llu", (unsigned long long)edges[i].calls);
        if (w > calls_w)
            calls_w = w;
    }
    /* "100.0%" 6, two spaces, the name, two spaces, the count, " calls" 6. */
    size_t fixed = 6 + 2 + 2 + calls_w + 6;
    size_t room = c->width > fixed + 8 ? c->width - fixed : 8;
    if (name_w > room)
        name_w = room;
    for (size_t i = 0; i < n; i++) {
        int y = pane_next(c);
        if (y < 0)
            continue;
        const hm_call_edge *e = &edges[i];
        snprintf(line, sizeof line, "%5.1f%%  ", 100.0 * e->share);
        hm_append_cell(line, sizeof line, edge_label(t->paths, e->function, label, sizeof label),
                       name_w, false, t->g);
        snprintf(cell, sizeof cell, "  %*llu call%s", (int)calls_w, (unsigned long long)e->calls,
                 e->calls == 1 ? "" : "s");
        strncat(line, cell, sizeof line - strlen(line) - 1);
        tui_put(y, c->x, line, c->width, A_NORMAL);
    }
}

/* f's callers and callees with their share of its total time; nothing without call paths. */
static void pane_calls(pane_ctx *c, const hm_function_stats *f) {
    hm_tui *t = c->t;
    if (t->paths == NULL)
        return;
    const hm_call_summary *s = calls_for(t, f);
    if (s == NULL) {
        pane_text(c, t->calls_rc < 0 ? "Callers: out of memory" : "Callers: not in the call paths",
                  tui_attr(&t->crt, TUI_ROLE_DIM));
        pane_text(c, "", A_NORMAL);
        return;
    }
    char line[LINE_LEN], d[HM_DURATION_LEN];
    snprintf(line, sizeof line, "Total time (self + callees): %s", dur(t, s->total_ns, d));
    pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_DIM));
    pane_edges(c, "Callers", s->callers, s->ncallers);
    pane_edges(c, "Callees", s->callees, s->ncallees);
    pane_text(c, "", A_NORMAL);
}

/* ---- Latency histogram ----------------------------------------------------------------------- */

#define HIST_ROWS_MAX 12
#define HIST_ROWS_MIN 4

/* Row boundaries: 1-2-5 steps (1ns, 2ns, 5ns, 10ns, ...) or decades (1ns, 10ns, ...). */
static uint64_t boundary(size_t k, bool fine) {
    static const uint64_t steps[] = {1, 2, 5};
    uint64_t v = fine ? steps[k % 3] : 1;
    for (size_t i = 0; i < (fine ? k / 3 : k); i++) {
        if (v > UINT64_MAX / 10)
            return UINT64_MAX;
        v *= 10;
    }
    return v;
}

/* Row of value v: the largest k with boundary(k) <= v (0 for v < 1). */
static size_t row_of(uint64_t v, bool fine) {
    size_t k = 0;
    while (k < 64 && boundary(k + 1, fine) <= v && boundary(k + 1, fine) != UINT64_MAX)
        k++;
    return k;
}

typedef struct hist_row {
    uint64_t lo, hi, count;
} hist_row;

/* Group f's buckets (by midpoint) into at most `max` rows of pleasant bounds. Returns the rows. */
static size_t histogram_rows(const hm_function_stats *f, size_t max, hist_row *rows) {
    if (f->nbuckets == 0)
        return 0;
    uint64_t vmin = hm_hist_midpoint(f->buckets[0].index);
    uint64_t vmax = hm_hist_midpoint(f->buckets[f->nbuckets - 1].index);
    bool fine = row_of(vmax, true) - row_of(vmin, true) + 1 <= max;
    size_t kmin = row_of(vmin, fine), kmax = row_of(vmax, fine);
    size_t span = kmax - kmin + 1, group = (span + max - 1) / max, n = (span + group - 1) / group;
    for (size_t r = 0; r < n; r++) {
        size_t k = kmin + r * group;
        rows[r].lo = k == 0 ? 0 : boundary(k, fine);
        rows[r].hi = boundary(k + group, fine);
        rows[r].count = 0;
    }
    for (size_t i = 0; i < f->nbuckets; i++) {
        size_t r = (row_of(hm_hist_midpoint(f->buckets[i].index), fine) - kmin) / group;
        rows[r < n ? r : n - 1].count += f->buckets[i].count;
    }
    return n;
}

static void pane_histogram(pane_ctx *c, const hm_function_stats *f, size_t max_rows) {
    const hm_tui *t = c->t;
    hist_row rows[HIST_ROWS_MAX];
    size_t n = histogram_rows(f, max_rows, rows);
    if (n == 0) {
        pane_text(c, "(no histogram in the results)", tui_attr(&t->crt, TUI_ROLE_DIM));
        return;
    }
    char labels[HIST_ROWS_MAX][64], lo[HM_DURATION_LEN], hi[HM_DURATION_LEN];
    size_t label_w = 0;
    uint64_t most = 0;
    const char *dash = t->g->utf8 ? "\xE2\x80\x93" : "-";
    for (size_t r = 0; r < n; r++) {
        snprintf(labels[r], sizeof labels[r], "%s%s%s", dur(t, rows[r].lo, lo), dash,
                 dur(t, rows[r].hi, hi));
        if (hm_text_width(labels[r]) > label_w)
            label_w = hm_text_width(labels[r]);
        if (rows[r].count > most)
            most = rows[r].count;
    }
    char num[32];
    size_t count_w = (size_t)snprintf(num, sizeof num, "%llu", (unsigned long long)most);
    /* label, bar, count, tags (" P50 P95 P99 max": 16), spaces between; the bar gets the rest. */
    size_t bar_w = bar_room(c, label_w + 1 + 1 + count_w + 16, 4, 40);
    for (size_t r = 0; r < n; r++) {
        int y = pane_next(c);
        if (y < 0)
            continue;
        char line[LINE_LEN], bar[256], tags[32] = "";
        line[0] = '\0';
        hm_append_cell(line, sizeof line, labels[r], label_w, true, t->g);
        int x = c->x + (int)tui_put(y, c->x, line, c->width, A_NORMAL) + 1;
        double frac = most ? (double)rows[r].count / (double)most : 0;
        hm_bar(frac, bar_w, t->g, bar, sizeof bar);
        tui_put(y, x, bar, bar_w, tui_heat_attr(&t->crt, frac));
        x += (int)bar_w + 1;
        const uint64_t marks[] = {f->p50_ns, f->p95_ns, f->p99_ns, f->max_ns};
        const char *names[] = {" P50", " P95", " P99", " max"};
        for (int k = 0; k < 4; k++)
            if (marks[k] >= rows[r].lo && (marks[k] < rows[r].hi || r == n - 1))
                strncat(tags, names[k], sizeof tags - strlen(tags) - 1);
        snprintf(line, sizeof line, "%*llu%s", (int)count_w, (unsigned long long)rows[r].count,
                 tags);
        if (x < c->x + (int)c->width)
            tui_put(y, x, line, (size_t)(c->x + (int)c->width - x),
                    tui_attr(&t->crt, TUI_ROLE_KEY));
    }
}

/* ---- The panes ------------------------------------------------------------------------------- */

static void pane_detail(pane_ctx *c) {
    hm_tui *t = c->t;
    const hm_model *m = t->m;
    const hm_function_stats *f = hm_model_selected(m);
    if (f == NULL) {
        pane_text(c, "No function selected.", A_NORMAL);
        return;
    }
    const hm_results *r = m->results;
    char line[LINE_LEN], a[HM_DURATION_LEN], b[HM_DURATION_LEN], d[HM_DURATION_LEN];
    pane_name(c, f->name, A_BOLD);
    if (f->file[0] != '\0' && f->line > 0)
        snprintf(line, sizeof line, "%s:%u", f->file, f->line);
    else if (f->file[0] != '\0')
        snprintf(line, sizeof line, "%s", f->file);
    else
        snprintf(line, sizeof line, "(source location unknown: compiled without -g?)");
    pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_DIM));
    pane_text(c, "", A_NORMAL);
    if (f->has_cpu) {
        snprintf(line, sizeof line, "Count: %llu | CPU Time: %s (%.1f%% of all CPU)",
                 (unsigned long long)f->count, dur(t, f->cpu_ns, a),
                 share(f->cpu_ns, hm_results_cpu_ns(r)));
        pane_wrapped(c, line, A_NORMAL);
        /* blocked_ns is measured; the rest of the wait is runnable-but-preempted, estimated. */
        snprintf(line, sizeof line, "Wait: %s (blocked: %s | preempted, est.: %s)",
                 dur(t, f->wait_ns, a), dur(t, f->blocked_ns, b),
                 dur(t, f->wait_ns - f->blocked_ns, d));
        pane_wrapped(c, line, A_NORMAL);
        snprintf(line, sizeof line, "Self Time: %s (wall: CPU + Wait)", dur(t, f->self_ns, a));
        pane_wrapped(c, line, A_NORMAL);
    } else {
        snprintf(line, sizeof line,
                 "Count: %llu | Self Time: %s (%.1f%% of all) | CPU Time: n/a (older runtime)",
                 (unsigned long long)f->count, dur(t, f->self_ns, a),
                 share(f->self_ns, hm_results_self_ns(r)));
        pane_wrapped(c, line, A_NORMAL);
    }
    if (f->open_calls > 0) {
        /* Results of the live server are a snapshot of a running program, not its exit. */
        bool live = r->end != NULL && strcmp(r->end, "live") == 0;
        snprintf(line, sizeof line, "Open calls: %llu still running at %s (closed at the write)",
                 (unsigned long long)f->open_calls, live ? "the snapshot" : "exit");
        pane_wrapped(c, line, tui_attr(&t->crt, TUI_ROLE_KEY));
    }
    snprintf(line, sizeof line, "Avg: %s | Max: %s (wall self-time per call)",
             dur(t, hm_function_avg_ns(f), a), dur(t, f->max_ns, b));
    pane_wrapped(c, line, A_NORMAL);
    snprintf(line, sizeof line, "P50: %s | P95: %s | P99: %s", dur(t, f->p50_ns, a),
             dur(t, f->p95_ns, b), dur(t, f->p99_ns, d));
    pane_wrapped(c, line, A_NORMAL);
    char mem[3][LINE_LEN];
    for (size_t k = 0, n = hm_memory_detail_lines(r, f, &mem[0][0], 3, LINE_LEN); k < n; k++)
        pane_wrapped(c, mem[k], A_NORMAL);
    pane_text(c, "", A_NORMAL);
    pane_calls(c, f);

    /* The histogram gets the room the box has left after the thread split, within limits. */
    size_t inner = (size_t)(c->bottom - c->top + 1);
    size_t thread_lines = f->nthreads ? f->nthreads + 3 : 2;
    size_t hist = inner > c->line + 1 + thread_lines ? inner - c->line - 1 - thread_lines : 0;
    hist = hist < HIST_ROWS_MIN ? HIST_ROWS_MIN : hist > HIST_ROWS_MAX ? HIST_ROWS_MAX : hist;
    pane_text(c, "Self-time per call (histogram)", tui_attr(&t->crt, TUI_ROLE_HEADER));
    pane_histogram(c, f, hist);
    pane_text(c, "", A_NORMAL);

    if (f->nthreads > 0) {
        snprintf(line, sizeof line, "Per thread (%zu)", f->nthreads);
        pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_HEADER));
        pane_threads(c, f);
    } else if (r->nthreads == 1) {
        snprintf(line, sizeof line, "One thread: %llu %s", (unsigned long long)r->threads[0].tid,
                 r->threads[0].name);
        pane_text(c, line, tui_attr(&t->crt, TUI_ROLE_DIM));
    } else {
        pane_text(c, "Per-thread split: not recorded in this results file",
                  tui_attr(&t->crt, TUI_ROLE_DIM));
    }
}

static void pane_run_threads(pane_ctx *c) {
    const hm_results *r = c->t->m->results;
    char line[LINE_LEN];
    snprintf(line, sizeof line, "%zu thread%s ran instrumented code", r->nthreads,
             r->nthreads == 1 ? "" : "s");
    pane_text(c, line, A_NORMAL);
    pane_text(c, "", A_NORMAL);
    pane_threads(c, NULL);
}

static void pane_help(pane_ctx *c) {
    const hm_tui *t = c->t;
    for (size_t i = 0; i < tui_help_count(); i++) {
        const char *keys, *what;
        tui_help_line(t, i, &keys, &what);
        /* Keys in a 12-column cell, the description wrapped beside it. */
        enum { KEYS_W = 12 };
        size_t what_w = c->width > KEYS_W + 1 + 10 ? c->width - KEYS_W - 1 : 10;
        char lines[4][LINE_LEN];
        size_t n = tui_wrap(what, what_w, t->g, &lines[0][0], 4, LINE_LEN);
        for (size_t k = 0; k < n; k++) {
            int y = pane_next(c);
            if (y < 0)
                continue;
            if (k == 0) {
                char cell[64] = "";
                hm_append_cell(cell, sizeof cell, keys, KEYS_W, false, t->g);
                tui_put(y, c->x, cell, c->width, tui_attr(&t->crt, TUI_ROLE_KEY));
            }
            tui_put(y, c->x + KEYS_W + 1, lines[k], what_w, A_NORMAL);
        }
    }
    pane_text(c, "", A_NORMAL);
    pane_wrapped(c,
                 "Bar: top 25 by CPU time, bar length = CPU time | Sparkline: height = avg "
                 "self-time, log scale | Table: top 50, all columns",
                 tui_attr(&t->crt, TUI_ROLE_DIM));
    pane_wrapped(c,
                 t->crt.colors != TUI_COLORS_NONE ? "Colour: red = highest share | green = lowest"
                                                  : "Colour: off (NO_COLOR, TERM or --no-color)",
                 tui_attr(&t->crt, TUI_ROLE_DIM));
}

void tui_draw_pane(hm_tui *t, int top, int bottom) {
    if (bottom - top < 2)
        return;
    const char *title = t->pane == TUI_PANE_DETAIL    ? "Details (Esc closes)"
                        : t->pane == TUI_PANE_THREADS ? "Threads (Esc closes)"
                                                      : "Keys (Esc closes)";
    pane_ctx c;
    for (int pass = 0; pass < 2; pass++) {
        draw_box(t, top, bottom, title);
        c = (pane_ctx){.t = t, .top = top + 1, .bottom = bottom - 1, .x = 2};
        c.width = COLS > 4 ? (size_t)COLS - 4 : 1;
        if (t->pane == TUI_PANE_DETAIL)
            pane_detail(&c);
        else if (t->pane == TUI_PANE_THREADS)
            pane_run_threads(&c);
        else
            pane_help(&c);
        /* Keep the scroll within the content: when it was past the end, draw again. */
        size_t visible = (size_t)(c.bottom - c.top + 1);
        size_t limit = c.line > visible ? c.line - visible : 0;
        if (t->pane_scroll <= limit)
            break;
        t->pane_scroll = limit;
    }
    if (c.line > t->pane_scroll + (size_t)(c.bottom - c.top + 1))
        tui_put(bottom, COLS - 14, t->g->utf8 ? " more \xE2\x86\x93 " : " more v ", 10,
                tui_attr(&t->crt, TUI_ROLE_TITLE));
}

void tui_draw_prompt(hm_tui *t) {
    char text[LINE_LEN], tail[96];
    int attr = tui_attr(&t->crt, TUI_ROLE_FOOTER);
    attron(attr);
    mvhline(LINES - 1, 0, ' ', COLS);
    attroff(attr);
    snprintf(text, sizeof text, "Filter: %s", t->edit);
    size_t w = tui_put(LINES - 1, 0, text, (size_t)COLS - 1, attr);
    snprintf(tail, sizeof tail, "  %zu match%s | Enter keeps, Esc cancels", t->m->nmatched,
             t->m->nmatched == 1 ? "" : "es");
    if (w + hm_text_width(tail) < (size_t)COLS)
        tui_put(LINES - 1, (int)w, tail, strlen(tail), attr);
    move(LINES - 1, (int)w);
}
