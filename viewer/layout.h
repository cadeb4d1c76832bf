/* Column layout of the list views (bar, sparkline, table) for a given width, and the text of each
 * row. Shared by the static text renderer and the TUI so both show the same columns; the TUI only
 * adds colours (it draws a row's segments with different attributes). No ncurses, no I/O.
 */
#ifndef HEATMAP_VIEWER_LAYOUT_H
#define HEATMAP_VIEWER_LAYOUT_H

#include "glyphs.h"
#include "model.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HM_MIN_WIDTH 40 /* narrowest layout we design for */
#define HM_SPARK_WIDTH 10

/* Table columns after Function, in display order. */
typedef enum hm_column {
    HM_COL_COUNT = 0,
    HM_COL_CPU,  /* "CPU Time" (cpu_ns); "Self Time" (self_ns) for a file without the split */
    HM_COL_WAIT, /* wait_ns; never shown for a file without the split */
    HM_COL_AVG,
    HM_COL_MAX,
    HM_COL_PCT
} hm_column;
#define HM_COLUMN_COUNT 6

typedef struct hm_layout {
    hm_view_mode mode;
    size_t width;   /* total columns */
    size_t name_w;  /* Function column */
    size_t graph_w; /* bar or sparkline columns (0 for the table) */
    size_t info_w;  /* "avg: X | calls: N" (bar, sparkline) */
    bool compact;   /* info as "X | N" because the width is short */
    size_t
        col_w[HM_COLUMN_COUNT]; /* table: width of each column, 0 when dropped for lack of room */
    uint64_t max_cpu, max_avg;  /* the 100 % of bars and sparklines: largest among the rows */
    uint64_t min_avg;           /* the sparkline's ▁: smallest avg above 0 among the rows */
} hm_layout;

/* One row as text. name, graph and info are padded to their column widths; line is the three
 * joined the way the row is printed. */
typedef struct hm_row_text {
    char name[HM_LABEL_LEN / 2]; /* up to HM_MAX_WIDTH columns of UTF-8 */
    char graph[1024];
    char info[512];
    char line[HM_LABEL_LEN / 2 + 1024 + 512 + 8];
    double fraction; /* cpu/max cpu (bar, table) or hm_log_fraction(avg, min avg, max avg)
                        (sparkline): the colour gradient;
                        cpu is hm_function_cpu_rank_ns (self time for a file without the split) */
} hm_row_text;

/* Lay out the model's current rows in `width` columns (at least HM_MIN_WIDTH is assumed). */
void hm_layout_compute(hm_layout *l, const hm_model *m, size_t width, const hm_glyphs *g);

/* The table's column headings ("Function  Count  CPU Time ..."); "" for bar and sparkline. */
void hm_layout_header(const hm_layout *l, const hm_model *m, const hm_glyphs *g, char *out,
                      size_t outlen);

/* Row i of the model (0 <= i < m->nrows). */
void hm_layout_row(const hm_layout *l, const hm_model *m, size_t i, const hm_glyphs *g,
                   hm_row_text *out);

/* Appended to the name of a function the runtime throttled (counted, not timed); the summary
 * line and the legend's calls line count them. */
#define HM_THROTTLED_MARK "*"

/* The sparkline's scale, for the line under its title: "Height: avg self-time per call | log
 * scale: ▁ 32ns to █ 6.66ms" (the smallest and largest avg of the rows); "" in other modes or
 * without rows. */
void hm_spark_scale_line(const hm_layout *l, const hm_glyphs *g, char *out, size_t outlen);

/* The summary and legend lines, shared by the static text and the TUI. With the cpu/wait split:
 * "Elapsed: X | CPU Time: Y | Wait: Z | Parallelism: ~N.Nx", followed by
 * " | Profiling overhead: X (Y% of the run)" when the file has overhead_total_ns. Without it (an
 * older runtime) wall self time is not called CPU time: "Elapsed: X | Self Time: Y | CPU Time: n/a
 * (results from an older runtime)", no Parallelism. */
typedef enum hm_summary_kind {
    HM_LINE_TIMES = 0,    /* "Elapsed | CPU Time | Wait | Parallelism [| overhead]" (summary) */
    HM_LINE_COUNTS,       /* "Functions: N | Total Calls: N"                 (static summary) */
    HM_LINE_LEGEND_RUN,   /* "Parallelism | Elapsed | CPU Time | Wait [| overhead]" (legend 1) */
    HM_LINE_LEGEND_CALLS, /* "Count: # calls (incl. recursion) | CPU Time: ... | Wait: ..." (2) */
    HM_LINE_LEGEND_STATS, /* "Avg, Max, P95: wall self-time per call (...)" (legend line 3);
                             names the model's percentile column */
} hm_summary_kind;

void hm_summary_line(const hm_model *m, hm_summary_kind which, const hm_glyphs *g, char *out,
                     size_t outlen);
#endif /* HEATMAP_VIEWER_LAYOUT_H */
