/* strict_rt: a stand-in for libheatmap-rt that checks the plugin's calls instead of timing them.
 *
 * Linked into a test program in place of the real runtime, it keeps a shadow stack of records and
 * counts, per function name, the enter calls, the exit calls that matched the top of the stack, and
 * the frames that were left without an exit call (found above the landing function's frame when a
 * longjmp lands, or under the top when an outer frame's exit arrives). The real runtime
 * resynchronises its stack by stack address, so it would hide a missing exit; this one does not.
 * At exit it writes one line per function,
 *     NAME ENTERS EXITS UNWOUND
 * sorted by name, to $STRICT_RT_OUT (stderr when unset), then `ERROR ...` lines for exit or
 * landing calls that match no open frame. Single-threaded programs only. Built without the plugin;
 * its own functions are named __heatmap_* and would never be instrumented anyway.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "heatmap/abi.h"

typedef struct fn_count {
    char *name;
    unsigned long enters, exits, unwound;
} fn_count;

static fn_count *counts; /* indexed by record->id - 1; one entry per distinct name */
static size_t ncounts;
static hm_func_record **stack;
static size_t depth, cap;
static unsigned long unmatched;
static char unmatched_name[256];

static void strict_write(void);

/* The plugin guards the landing calls with this flag, and every enter call with the record's state
 * byte. On, this runtime checks every call; with STRICT_RT_OFF set, recording is off from the
 * first registration (module constructors run before any instrumented code): the flag is 0 and
 * every record registered is marked HM_STATE_OFF, as the real runtime does under HEATMAP=off, and
 * then no enter, exit or landing call may arrive at all: any that does is counted and shows up in
 * the output. */
int __heatmap_recording_v3 = 1;

/* Never throttles: every record stays HM_STATE_TIMED, so no count-only call arrives. */
__thread uint64_t *__heatmap_counts_v3;
void __heatmap_count_v3(hm_func_record *r) {
    (void)r;
}

static fn_count *count_for(hm_func_record *r) {
    if (r->id == 0) { /* called before its module's constructor: register it now */
        for (size_t i = 0; i < ncounts; i++) {
            if (strcmp(counts[i].name, r->name) == 0) {
                r->id = (uint32_t)(i + 1);
                return &counts[i];
            }
        }
        fn_count *grown = realloc(counts, (ncounts + 1) * sizeof *grown);
        if (!grown)
            abort();
        counts = grown;
        /* Copy the name: the record's module may be dlclose()d before the program exits. */
        counts[ncounts] = (fn_count){strdup(r->name), 0, 0, 0};
        r->id = (uint32_t)++ncounts;
        if (ncounts == 1)
            atexit(strict_write);
    }
    return &counts[r->id - 1];
}

void __heatmap_register_v3(hm_module_table *table) {
    bool off = getenv("STRICT_RT_OFF") != NULL;
    if (off)
        __heatmap_recording_v3 = 0;
    for (uint32_t i = 0; i < table->count; i++) {
        count_for(table->records[i]);
        if (off)
            table->records[i]->state |= HM_STATE_OFF;
    }
}

void __heatmap_enter_v3(hm_func_record *r) {
    count_for(r)->enters++;
    if (depth == cap) {
        cap = cap ? 2 * cap : 256;
        stack = realloc(stack, cap * sizeof *stack);
        if (!stack)
            abort();
    }
    stack[depth++] = r;
}

void __heatmap_exit_v3(hm_func_record *r) {
    fn_count *c = count_for(r);
    size_t d = depth;
    while (d > 0 && stack[d - 1]->id != r->id)
        d--;
    if (d == 0) {
        unmatched++;
        snprintf(unmatched_name, sizeof unmatched_name, "%s", r->name);
        return;
    }
    while (depth > d) /* frames above the matching one were left without their exits */
        count_for(stack[--depth])->unwound++;
    depth--;
    c->exits++;
}

/* A longjmp landed in `r`'s activation (NULL: one without an enter call, which never happens
 * here: this runtime never throttles). The frames above its topmost frame were unwound. */
void __heatmap_landing_v3(hm_func_record *r) {
    size_t d = depth;
    while (r && d > 0 && stack[d - 1]->id != r->id)
        d--;
    if (!r || d == 0) {
        unmatched++;
        snprintf(unmatched_name, sizeof unmatched_name, "landing in %s", r ? r->name : "(null)");
        return;
    }
    while (depth > d)
        count_for(stack[--depth])->unwound++;
}

static int by_name(const void *a, const void *b) {
    return strcmp(((const fn_count *)a)->name, ((const fn_count *)b)->name);
}

static void strict_write(void) {
    const char *path = getenv("STRICT_RT_OUT");
    FILE *out = path ? fopen(path, "w") : stderr;
    if (!out)
        return;
    /* Sort a copy: instrumented code may still run after this (later atexit handlers). */
    fn_count *sorted = malloc((ncounts ? ncounts : 1) * sizeof *sorted);
    if (sorted) {
        memcpy(sorted, counts, ncounts * sizeof *sorted);
        qsort(sorted, ncounts, sizeof *sorted, by_name);
        for (size_t i = 0; i < ncounts; i++) {
            if (sorted[i].enters > 0) {
                fprintf(out, "%s %lu %lu %lu\n", sorted[i].name, sorted[i].enters, sorted[i].exits,
                        sorted[i].unwound);
            }
        }
        free(sorted);
    }
    if (unmatched) {
        fprintf(out, "ERROR %lu exit or landing calls matched no open frame (last: %s)\n",
                unmatched, unmatched_name);
    }
    if (out != stderr)
        fclose(out);
}
