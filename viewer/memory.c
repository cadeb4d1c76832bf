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

/* One line: name, a bar of `bytes` against `max`, then the figures. */
static void put_row(FILE *out, const char *name, const hm_heap_figures *h, uint64_t max,
                    size_t bar_width, size_t name_width) {
    char alloc[32], inuse[32], peak[32], bar[256];
    hm_memory_bytes(h->alloc_bytes, alloc, sizeof alloc);
    hm_memory_bytes(hm_heap_inuse_bytes(h), inuse, sizeof inuse);
    hm_memory_bytes(h->peak_inuse_bytes, peak, sizeof peak);
    size_t n = max ? (size_t)((double)h->alloc_bytes / (double)max * (double)bar_width + 0.5) : 0;
    if (n == 0 && h->alloc_bytes)
        n = 1;
    if (n > bar_width)
        n = bar_width;
    memset(bar, '#', n);
    memset(bar + n, ' ', bar_width - n);
    bar[bar_width] = '\0';
    uint64_t leaked = hm_heap_inuse_objects(h);
    char line[1024];
    int len = snprintf(line, sizeof line, "%-*.*s %s %10s %10llu allocs %10s in use %10s peak%s",
                       (int)name_width, (int)name_width, name, bar, alloc,
                       (unsigned long long)h->alloc_objects, inuse, peak, leaked ? "  LEAK" : "");
    (void)len;
    size_t end = strlen(line);
    while (end > 0 && line[end - 1] == ' ')
        end--;
    fprintf(out, "%.*s\n", (int)end, line);
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
    char alloc[32], inuse[32];
    hm_memory_bytes(r->heap_total.alloc_bytes, alloc, sizeof alloc);
    hm_memory_bytes(hm_heap_inuse_bytes(&r->heap_total), inuse, sizeof inuse);
    fprintf(out,
            "Total: %s in %llu allocations; %llu frees; %s in %llu blocks still in use at exit\n",
            alloc, (unsigned long long)r->heap_total.alloc_objects,
            (unsigned long long)r->heap_total.free_objects, inuse,
            (unsigned long long)hm_heap_inuse_objects(&r->heap_total));
    return ferror(out) ? -1 : 0;
}
