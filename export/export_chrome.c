/* chrome export: the trace's enter/exit events as Chrome Trace Event JSON (see export.h).
 *
 * Written as a stream (a trace holds up to millions of events per thread): one metadata event
 * naming each process and thread, then each thread's events in order as B (enter) and E (exit)
 * pairs, which nest exactly as the loader checked. Timestamps are microseconds with three
 * decimals, i.e. the recorded nanoseconds unchanged. Frames still open at the end of the trace
 * (threads running when the file was written) are closed at the trace's end_ns. Perfetto
 * (ui.perfetto.dev) and chrome://tracing open the file.
 */
#include "export.h"
#include "export_text.h"

#include <inttypes.h>
#include <stdlib.h>

/* "1234.567" microseconds from nanoseconds, exactly. */
static void put_us(FILE *out, uint64_t ns) {
    fprintf(out, "%" PRIu64 ".%03u", ns / 1000, (unsigned)(ns % 1000));
}

static void put_event(FILE *out, bool *first, const char *ph, const hm_trace *t,
                      const hm_trace_thread *th, const hm_path_function *f, uint64_t ns) {
    fputs(*first ? "\n" : ",\n", out);
    *first = false;
    fprintf(out, "{\"ph\":\"%s\",\"pid\":%" PRId64 ",\"tid\":%" PRIu64 ",\"ts\":", ph, t->pid,
            th->tid);
    put_us(out, ns);
    fputs(",\"name\":", out);
    hm_export_json_string(out, f->name);
    if (ph[0] == 'B') {
        fputs(",\"cat\":\"heatmap\",\"args\":{\"file\":", out);
        hm_export_json_string(out, f->file);
        fprintf(out, ",\"line\":%u}", f->line);
    }
    putc('}', out);
}

static void put_metadata(FILE *out, bool *first, const char *what, int64_t pid, uint64_t tid,
                         const char *name) {
    fputs(*first ? "\n" : ",\n", out);
    *first = false;
    fprintf(out, "{\"ph\":\"M\",\"pid\":%" PRId64 ",\"tid\":%" PRIu64 ",\"name\":\"%s\",", pid, tid,
            what);
    fputs("\"args\":{\"name\":", out);
    hm_export_json_string(out, name);
    fputs("}}", out);
}

/* The events of one thread; `stack` has room for all of them. */
static void put_thread(FILE *out, bool *first, const hm_trace *t, const hm_trace_thread *th,
                       size_t *stack) {
    size_t depth = 0;
    for (size_t i = 0; i < th->nevents; i++) {
        const hm_trace_event *e = &th->events[i];
        const hm_path_function *f = &t->functions[e->function];
        if (e->enter)
            stack[depth++] = e->function;
        else
            depth--;
        put_event(out, first, e->enter ? "B" : "E", t, th, f, e->ns);
    }
    while (depth > 0) /* still running at the end of the trace */
        put_event(out, first, "E", t, th, &t->functions[stack[--depth]], t->end_ns);
}

int hm_export_chrome(FILE *out, const hm_trace *const *traces, size_t ntraces, char *err,
                     size_t errlen) {
    size_t most = 1;
    for (size_t k = 0; k < ntraces; k++)
        for (size_t i = 0; i < traces[k]->nthreads; i++)
            if (traces[k]->threads[i].nevents > most)
                most = traces[k]->threads[i].nevents;
    size_t *stack = malloc(most * sizeof *stack);
    if (stack == NULL) {
        snprintf(err, errlen, "out of memory");
        return -1;
    }
    bool first = true;
    uint64_t dropped = 0;
    fputs("{\"displayTimeUnit\":\"ns\",\"traceEvents\":[", out);
    for (size_t k = 0; k < ntraces; k++) {
        const hm_trace *t = traces[k];
        char pname[512];
        snprintf(pname, sizeof pname, "%s (pid %" PRId64 ")", t->program[0] ? t->program : t->path,
                 t->pid);
        put_metadata(out, &first, "process_name", t->pid, 0, pname);
        for (size_t i = 0; i < t->nthreads; i++) {
            put_metadata(out, &first, "thread_name", t->pid, t->threads[i].tid, t->threads[i].name);
            dropped += t->threads[i].dropped_events;
        }
        for (size_t i = 0; i < t->nthreads; i++)
            put_thread(out, &first, t, &t->threads[i], stack);
    }
    fprintf(out, "\n],\"otherData\":{\"source\":\"heatmap\",\"dropped_events\":%" PRIu64 "}}\n",
            dropped);
    free(stack);
    return 0;
}
