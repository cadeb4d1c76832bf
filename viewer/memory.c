/* Memory figures in heatmap-view's outputs (see memory.h). */
#include "memory.h"

#include <heatmap/results_format.h>

#include <string.h>

static json_t *u64(uint64_t v) {
    return json_integer(v > (uint64_t)INT64_MAX ? INT64_MAX : (json_int_t)v);
}

void hm_memory_json_add(json_t *obj, const hm_heap_figures *h) {
    json_object_set_new(obj, HM_HEAP_KEY_alloc_objects, u64(h->alloc_objects));
    json_object_set_new(obj, HM_HEAP_KEY_alloc_bytes, u64(h->alloc_bytes));
    json_object_set_new(obj, HM_HEAP_KEY_free_objects, u64(h->free_objects));
    json_object_set_new(obj, HM_HEAP_KEY_inuse_objects, u64(hm_heap_inuse_objects(h)));
    json_object_set_new(obj, HM_HEAP_KEY_inuse_bytes, u64(hm_heap_inuse_bytes(h)));
    json_object_set_new(obj, HM_HEAP_KEY_peak_inuse_bytes, u64(h->peak_inuse_bytes));
}

json_t *hm_memory_summary_json(const hm_results *r) {
    json_t *o = json_object(), *outside = json_object();
    hm_memory_json_add(o, &r->heap_total);
    json_object_set_new(outside, "name", json_string(HM_HEAP_OUTSIDE_NAME));
    hm_memory_json_add(outside, &r->heap_outside);
    json_object_set_new(o, "outside", outside);
    return o;
}

void hm_memory_csv_header(FILE *out) {
    fprintf(out, ",%s,%s,%s,%s,%s,%s", HM_HEAP_KEY_alloc_objects, HM_HEAP_KEY_alloc_bytes,
            HM_HEAP_KEY_free_objects, HM_HEAP_KEY_inuse_objects, HM_HEAP_KEY_inuse_bytes,
            HM_HEAP_KEY_peak_inuse_bytes);
}

void hm_memory_csv_row(FILE *out, const hm_heap_figures *h) {
    fprintf(out, ",%llu,%llu,%llu,%llu,%llu,%llu", (unsigned long long)h->alloc_objects,
            (unsigned long long)h->alloc_bytes, (unsigned long long)h->free_objects,
            (unsigned long long)hm_heap_inuse_objects(h),
            (unsigned long long)hm_heap_inuse_bytes(h), (unsigned long long)h->peak_inuse_bytes);
}

void hm_memory_bytes(uint64_t bytes, char *buf, size_t size) {
    static const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
    if (bytes < 1024) {
        snprintf(buf, size, "%llu B", (unsigned long long)bytes);
        return;
    }
    double v = (double)bytes / 1024.0;
    size_t u = 0;
    while (v >= 1024.0 && u + 1 < sizeof units / sizeof *units)
        v /= 1024.0, u++;
    snprintf(buf, size, "%.1f %s", v, units[u]);
}

/* One line: name, a bar of allocated bytes against `max`, then the figures. */
static void put_row(FILE *out, const char *name, const hm_heap_figures *h, uint64_t max,
                    size_t bar_width, size_t name_width) {
    char info[256], bar[256];
    double fraction;
    hm_memory_row_info(h, max, info, sizeof info, &fraction);
    size_t n = (size_t)(fraction * (double)bar_width + 0.5);
    if (n == 0 && h->alloc_bytes)
        n = 1;
    if (n > bar_width)
        n = bar_width;
    memset(bar, '#', n);
    memset(bar + n, ' ', bar_width - n);
    bar[bar_width] = '\0';
    fprintf(out, "%-*.*s %s %s\n", (int)name_width, (int)name_width, name, bar, info);
}

int hm_memory_render_text(FILE *out, const hm_model *m, size_t width) {
    const hm_results *r = m->results;
    if (!r->has_heap) {
        fprintf(out, "(no memory figures: the program ran without memory tracking; it is on by "
                     "default, HEATMAP_HEAP=off turns it off)\n");
        return ferror(out) ? -1 : 0;
    }
    uint64_t max = r->heap_outside.alloc_bytes;
    size_t name_width = strlen(HM_HEAP_OUTSIDE_NAME);
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        if (f->heap.alloc_bytes > max)
            max = f->heap.alloc_bytes;
        if (strlen(f->name) > name_width)
            name_width = strlen(f->name);
    }
    if (name_width > 30)
        name_width = 30;
    size_t fixed = name_width + 70;
    size_t bar_width = width > fixed + 10 ? width - fixed : 10;
    if (bar_width > 40)
        bar_width = 40;
    for (size_t i = 0; i < m->nrows; i++) {
        const hm_function_stats *f = hm_model_row(m, i);
        put_row(out, f->name, &f->heap, max, bar_width, name_width);
    }
    put_row(out, HM_HEAP_OUTSIDE_NAME, &r->heap_outside, max, bar_width, name_width);
    return ferror(out) ? -1 : 0;
}

size_t hm_memory_detail_lines(const hm_results *r, const hm_function_stats *f, char *lines,
                              size_t max, size_t len) {
    if (!r->has_heap || max < 3)
        return 0;
    const hm_heap_figures *h = &f->heap;
    char a[32], b[32], c[32];
    hm_memory_bytes(h->alloc_bytes, a, sizeof a);
    hm_memory_bytes(hm_heap_inuse_bytes(h), b, sizeof b);
    hm_memory_bytes(h->peak_inuse_bytes, c, sizeof c);
    double share = r->heap_total.alloc_bytes
                       ? 100.0 * (double)h->alloc_bytes / (double)r->heap_total.alloc_bytes
                       : 0.0;
    snprintf(lines, len, "Memory: %s allocated in %llu allocations (%.1f%% of all bytes)", a,
             (unsigned long long)h->alloc_objects, share);
    snprintf(lines + len, len, "Freed: %llu of them | Peak in use: %s",
             (unsigned long long)h->free_objects, c);
    snprintf(lines + 2 * len, len, "In use at exit: %s in %llu blocks%s", b,
             (unsigned long long)hm_heap_inuse_objects(h),
             hm_heap_inuse_objects(h) ? " (leaked, or freed after the write)" : "");
    return 3;
}

void hm_memory_row_info(const hm_heap_figures *h, uint64_t max_alloc, char *out, size_t len,
                        double *fraction) {
    char a[32], b[32], c[32];
    hm_memory_bytes(h->alloc_bytes, a, sizeof a);
    hm_memory_bytes(hm_heap_inuse_bytes(h), b, sizeof b);
    hm_memory_bytes(h->peak_inuse_bytes, c, sizeof c);
    snprintf(out, len, "%10s %9llu allocs %10s in use %10s peak%s", a,
             (unsigned long long)h->alloc_objects, b, c, hm_heap_inuse_objects(h) ? "  LEAK" : "");
    *fraction = max_alloc ? (double)h->alloc_bytes / (double)max_alloc : 0.0;
}

void hm_memory_summary_line(FILE *out, const hm_results *r) {
    char alloc[32], inuse[32];
    hm_memory_bytes(r->heap_total.alloc_bytes, alloc, sizeof alloc);
    hm_memory_bytes(hm_heap_inuse_bytes(&r->heap_total), inuse, sizeof inuse);
    uint64_t blocks = hm_heap_inuse_objects(&r->heap_total);
    uint64_t outside = hm_heap_inuse_objects(&r->heap_outside);
    fprintf(out, "Memory: %s in %llu allocations | in use at exit: %s in %llu blocks", alloc,
            (unsigned long long)r->heap_total.alloc_objects, inuse, (unsigned long long)blocks);
    if (blocks)
        fprintf(out, " (%llu in functions, %llu %s)", (unsigned long long)(blocks - outside),
                (unsigned long long)outside, HM_HEAP_OUTSIDE_NAME);
    fputc('\n', out);
}
