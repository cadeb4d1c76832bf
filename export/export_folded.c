/* folded export: Brendan Gregg's folded stacks, "root;...;leaf SELF_NS" (see export.h).
 *
 * One line per tree node with self time, the stack built by walking up to the root. Stacks that
 * read the same (two static functions of the same name in different files) are merged after a
 * bytewise sort, so the output is stable and every stack appears once, as flamegraph.pl, inferno
 * and speedscope expect. The values add up to the nodes' self times, that is to the functions'.
 */
#include "export.h"

#include <stdlib.h>
#include <string.h>

typedef struct stack_line {
    char *text; /* "a;b;c" */
    uint64_t self_ns;
} stack_line;

static int compare_line(const void *a, const void *b) {
    return strcmp(((const stack_line *)a)->text, ((const stack_line *)b)->text);
}

/* Append name to out at *at, ';' -> ':' and control characters -> '?'. */
static void put_name(char *out, size_t *at, const char *name) {
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        out[(*at)++] = *p == ';' ? ':' : *p < 0x20 ? '?' : (char)*p;
}

/* The stack of node i, root first, in a malloc'd string. */
static char *stack_text(const hm_paths *p, size_t i) {
    size_t len = 0, depth = p->nodes[i].depth;
    for (size_t v = i; v != HM_PATH_ROOT; v = p->nodes[v].parent)
        len += strlen(p->functions[p->nodes[v].function].name) + 1;
    size_t *chain = malloc(depth * sizeof *chain);
    char *text = malloc(len + 1);
    if (chain == NULL || text == NULL) {
        free(chain);
        free(text);
        return NULL;
    }
    size_t k = depth;
    for (size_t v = i; v != HM_PATH_ROOT; v = p->nodes[v].parent)
        chain[--k] = v;
    size_t at = 0;
    for (k = 0; k < depth; k++) {
        if (k > 0)
            text[at++] = ';';
        put_name(text, &at, p->functions[p->nodes[chain[k]].function].name);
    }
    text[at] = '\0';
    free(chain);
    return text;
}

int hm_export_folded(FILE *out, const hm_paths *p, char *err, size_t errlen) {
    stack_line *lines = calloc(p->nnodes ? p->nnodes : 1, sizeof *lines);
    size_t n = 0;
    int rc = lines ? 0 : -1;
    for (size_t i = 1; rc == 0 && i < p->nnodes; i++) {
        if (p->nodes[i].self_ns == 0)
            continue;
        lines[n].self_ns = p->nodes[i].self_ns;
        if ((lines[n++].text = stack_text(p, i)) == NULL)
            rc = -1;
    }
    if (rc != 0) {
        snprintf(err, errlen, "out of memory");
    } else {
        qsort(lines, n, sizeof *lines, compare_line);
        for (size_t i = 0; i < n;) {
            uint64_t sum = 0;
            size_t j = i;
            for (; j < n && strcmp(lines[j].text, lines[i].text) == 0; j++)
                sum += lines[j].self_ns;
            fprintf(out, "%s %llu\n", lines[i].text, (unsigned long long)sum);
            i = j;
        }
    }
    for (size_t i = 0; lines && i < n; i++)
        free(lines[i].text);
    free(lines);
    return rc;
}
