/* The viewer's model: which functions are shown, in which order, and which one is selected.
 *
 * Holds the view state that every front end shares (mode, sort key, filter, top-N, selection,
 * scroll) over a loaded hm_results, and recomputes the visible rows when any of them changes. It
 * knows nothing of ncurses or of output formats: the static text renderer and the TUI both read
 * rows from it, and the unit tests drive it directly. Not thread-safe; one model per view.
 */
#ifndef HEATMAP_VIEWER_MODEL_H
#define HEATMAP_VIEWER_MODEL_H

#include "hm_results.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef enum hm_view_mode {
    HM_MODE_BAR = 0,   /* bars ∝ CPU time, top 25 */
    HM_MODE_SPARKLINE, /* one glyph height ∝ avg self-time, top 50 */
    HM_MODE_TABLE,     /* all columns, top 50 */
    HM_MODE_MEMORY,    /* memory tracking: allocated bytes, allocations, in use; top 50 */
} hm_view_mode;
#define HM_MODE_COUNT 4

const char *hm_mode_name(hm_view_mode mode);            /* "bar", "sparkline", "table" */
const char *hm_mode_title(hm_view_mode mode);           /* "Bar Chart", "Sparkline", "Table" */
int hm_mode_parse(const char *name, hm_view_mode *out); /* 0, or -1 for an unknown name */
size_t hm_mode_default_top(hm_view_mode mode);          /* 25, 50, 50 */

/* Which percentile the table's last column shows (the TUI toggles it). */
typedef enum hm_pct_column { HM_PCT_P95 = 0, HM_PCT_P50, HM_PCT_P99 } hm_pct_column;
const char *hm_pct_label(hm_pct_column column); /* "P95", "P50", "P99" */
uint64_t hm_pct_value(const hm_function_stats *f, hm_pct_column column);
int hm_pct_parse(const char *name, hm_pct_column *out); /* "p50", "p95", "p99"; 0 or -1 */

#define HM_FILTER_MAX 256
#define HM_TOP_ALL SIZE_MAX
#define HM_TOP_MODE 0 /* top-N of the current mode */

/* Where a label places a function whose name another function shares: `shown` says whether one
 * does; the file is then shown from f->file + file_from, the shortest path suffix (whole
 * components) that tells it from the files of the others of that name: lib/a/util.c and
 * lib/b/util.c show as a/util.c and b/util.c, src/a.c and src/b.c as a.c and b.c. Functions of the
 * same file (a line that moved between merged runs) show its last component and differ by line. */
typedef struct hm_label_place {
    bool shown;
    size_t file_from;
} hm_label_place;

/* Note for the TUI: `same_name` was added to show "name (file:line)" where a name alone would make
 * two rows look alike; draw names with hm_model_label(), not f->name. */
typedef struct hm_model {
    const hm_results *results; /* not owned; must outlive the model */
    hm_label_place *same_name; /* per function of results: its place, when its name is shared */
    hm_view_mode mode;
    hm_sort_key sort;
    hm_pct_column pct;
    char filter[HM_FILTER_MAX]; /* as typed; "" shows everything */
    size_t top;                 /* HM_TOP_MODE, HM_TOP_ALL or a count */
    size_t *rows;               /* visible rows: indexes into results->functions */
    size_t nrows;
    size_t nmatched; /* functions matching the filter, before the top-N cut */
    size_t selected; /* index into rows; 0 when there are none */
    size_t scroll;   /* first row a list view shows */
} hm_model;

/* Set up a model over `results` in bar mode, sorted by CPU time, no filter. Returns 0, or -1 on
 * out-of-memory. */
int hm_model_init(hm_model *m, const hm_results *results);
void hm_model_free(hm_model *m);

/* Show `results` instead (the live view's next read): mode, sort, percentile column, filter and
 * top-N stay; the selected function stays selected, found by name and file (hm_model_index_of),
 * at the same line of the window. The old results must stay valid during the call. Returns 0, or
 * -1 on out-of-memory with the model unchanged. */
int hm_model_replace_results(hm_model *m, const hm_results *results);
/* The index in m->results of the function `like` (from other results) stands for: the same name,
 * file and line, else the same name and file, else the same name; SIZE_MAX when none. */
size_t hm_model_index_of(const hm_model *m, const hm_function_stats *like);

/* Each setter recomputes the rows and keeps the same function selected when it is still visible
 * (else the selection is clamped). */
void hm_model_set_mode(hm_model *m, hm_view_mode mode);
void hm_model_set_sort(hm_model *m, hm_sort_key key);
/* The next sort key: cpu, count, avg, max, p95, name, self, wait, mem (only when the results
 * have memory figures), then cpu again. */
void hm_model_cycle_sort(hm_model *m);
/* The previous sort key (S), skipping mem as hm_model_cycle_sort does. */
void hm_model_cycle_sort_back(hm_model *m);
void hm_model_set_top(hm_model *m, size_t top);
void hm_model_cycle_pct(hm_model *m); /* P95 → P50 → P99 → P95 */
/* Set the filter (see hm_filter_to_glob); returns false, model unchanged, when it is too long. */
bool hm_model_set_filter(hm_model *m, const char *pattern);

/* The glob a filter pattern stands for: a pattern with any of * ? [ is a glob over the whole name;
 * any other text matches names that contain it ("parse" → "*parse*"). Returns false when it does
 * not fit in outlen. */
bool hm_filter_to_glob(const char *pattern, char *out, size_t outlen);

/* The text a view shows for function f: its name, and " (file:line)" (or " (file)", or
 * " (#i)" for a function without either) when another function of the results has the same name,
 * such as a static function in several files, or one that moved between merged runs. Returns buf.
 */
#define HM_MAX_WIDTH 1000 /* widest text any view lays out (--width) */
#define HM_LABEL_LEN 8192 /* room for a label: HM_MAX_WIDTH columns of UTF-8 and a location */
const char *hm_model_label(const hm_model *m, const hm_function_stats *f, char *buf, size_t len);

/* Fill places[i] for fs[i]: shown when fs[i]->name occurs more than once among fs[0..n), and then
 * the shortest distinguishing file suffix (hm_label_place). Returns 0, or -1 on out-of-memory
 * (places then all not shown). */
int hm_mark_same_names(const hm_function_stats *const *fs, size_t n, hm_label_place *places);

/* f's name, and when place is shown its location appended ("parse (p.c:42)": the file from
 * place->file_from), as hm_model_label shows a name shared by several functions. place NULL: the
 * name alone. Returns buf. */
const char *hm_function_label(const hm_function_stats *f, const hm_label_place *place, char *buf,
                              size_t len);

/* Row limit in effect: top, or the mode's default. */
size_t hm_model_limit(const hm_model *m);

const hm_function_stats *hm_model_row(const hm_model *m, size_t i); /* NULL past the end */
const hm_function_stats *hm_model_selected(const hm_model *m);      /* NULL when no rows */

/* Move the selection by delta rows, clamped to the rows; Home/End. */
void hm_model_move(hm_model *m, long delta);
void hm_model_home(hm_model *m);
void hm_model_end(hm_model *m);

/* Adjust scroll so that the selection is inside a window of `visible` rows. */
void hm_model_scroll_into_view(hm_model *m, size_t visible);

/* Largest CPU time (hm_function_cpu_rank_ns: self time for a file without the split) and largest
 * avg among the visible rows (the 100 % of bars and sparklines). */
uint64_t hm_model_max_cpu(const hm_model *m);
uint64_t hm_model_max_avg(const hm_model *m);
/* Smallest avg above 0 among the visible rows (the ▁ of the sparkline's log scale); 0 when none. */
uint64_t hm_model_min_avg(const hm_model *m);

#endif /* HEATMAP_VIEWER_MODEL_H */
