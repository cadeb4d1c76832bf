/* The TUI's Memory mode (key 4): per function, a bar of allocated bytes, then allocated bytes,
 * allocations, bytes in use at exit and the peak, with LEAK where blocks were never released.
 *
 * The rows are the model's (sorted by allocated bytes when the mode is entered: model.c), so the
 * selection, filter, detail pane and keys work as in the other modes; only the list is drawn here.
 * A results file without memory figures gets one line saying how to record them. The figures'
 * text is memory.c's, shared with the static --mode=memory.
 */
#include "memory.h"
#include "tui_internal.h"

#include <curses.h>
#include <stdio.h>
#include <string.h>

#define MEM_LINE 512

void tui_memory_draw(hm_tui *t, int y, int bottom) {
    hm_model *m = t->m;
    const hm_results *r = m->results;
    if (!r->has_heap) {
        tui_put(
            y, 0,
            " No memory figures in this run: memory tracking is on by default (HEATMAP_HEAP=off "
            "turns it off).",
            (size_t)COLS, tui_attr(&t->crt, TUI_ROLE_DIM));
        return;
    }
    uint64_t max = 0;
    size_t name_w = 8;
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        max = f->heap.alloc_bytes > max ? f->heap.alloc_bytes : max;
        size_t n = strlen(f->name);
        name_w = n > name_w ? n : name_w;
    }
    if (name_w > (size_t)COLS / 3)
        name_w = (size_t)COLS / 3;
    size_t info_w = 68, bar_w = (size_t)COLS > name_w + info_w + 4 ? COLS - name_w - info_w - 4 : 4;
    if (bar_w > 40)
        bar_w = 40;
    char line[MEM_LINE];
    snprintf(line, sizeof line, "%-*s %-*s %10s %9s %17s %15s", (int)name_w, "Function", (int)bar_w,
             "Allocated", "Bytes", "Allocs", "In use", "Peak");
    tui_put(y++, 0, line, (size_t)COLS, tui_attr(&t->crt, TUI_ROLE_HEADER));
    t->list_rows = bottom >= y ? (size_t)(bottom - y + 1) : 1;
    hm_model_scroll_into_view(m, t->list_rows);
    for (size_t i = m->scroll; i < m->nrows && y <= bottom; i++, y++) {
        const hm_function_stats *f = hm_model_row(m, i);
        bool selected = i == m->selected;
        int sel = selected ? A_REVERSE : 0;
        if (selected) {
            attron(A_REVERSE);
            mvhline(y, 0, ' ', COLS);
            attroff(A_REVERSE);
        }
        char info[MEM_LINE], bar[MEM_LINE];
        double fraction;
        hm_memory_row_info(&f->heap, max, info, sizeof info, &fraction);
        hm_bar(fraction, bar_w, t->g, bar, sizeof bar);
        tui_put(y, 0, f->name, name_w, sel | (selected ? A_BOLD : 0));
        tui_put(y, (int)name_w + 1, bar, bar_w, tui_heat_attr(&t->crt, fraction) | sel);
        bool leak = hm_heap_inuse_objects(&f->heap) != 0;
        int x = (int)(name_w + bar_w + 2);
        tui_put(y, x, info, COLS > x ? (size_t)(COLS - x) : 0,
                leak ? tui_attr(&t->crt, TUI_ROLE_KEY) | sel : sel);
    }
}
