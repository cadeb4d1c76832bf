/* --fail-if: threshold conditions over results, for CI.
 *
 * Grammar (spaces are ignored):
 *     EXPR   := METRIC [ "(" GLOB ")" ] OP VALUE
 *     OP     := ">" | ">=" | "<" | "<=" | "==" | "!="
 *     VALUE  := NUMBER [UNIT] | NUMBER "*" "base" | "base" "*" NUMBER | "base"
 * Metrics of the whole run (no GLOB): elapsed, cpu (time); calls, functions (counts);
 * parallelism (a ratio, "0.8" or "0.8x"). Metrics of functions (GLOB required, except that
 * cpu and calls/count also exist for the whole run): cpu, count (alias calls), avg, max, p50, p95,
 * p99. Times need a unit: ns, us, µs, ms, s. "base" is the same metric in the BASE file of
 * --diff, for the same function (paired as in the diff).
 *
 * A function metric holds when it holds for any function whose name matches GLOB (fnmatch). The
 * condition is the failure: "p95(parse_*)>2ms" fails the run when some parse_* has P95 > 2ms.
 */
#ifndef HEATMAP_VIEWER_CHECK_H
#define HEATMAP_VIEWER_CHECK_H

#include "hm_results.h"

#include <stdbool.h>
#include <stddef.h>

typedef struct hm_check hm_check;

/* Parse EXPR. Returns 0 and a new check, or -1 with a message ("unknown metric 'p96' (expected
 * ...)"). */
int hm_check_parse(const char *text, hm_check **out, char *err, size_t errlen);
void hm_check_free(hm_check *check);

/* True when the expression refers to "base" (and so needs --diff). */
bool hm_check_uses_base(const hm_check *check);

/* Evaluate against `now` (and `base`, NULL without --diff). Returns 0 when the condition does not
 * hold (the run passes), 1 when it holds (msg says for what: "p95(parse_line) = 2.50ms > 2.00ms"),
 * -1 when it cannot be evaluated (msg: no function matches GLOB; base needed but absent). */
int hm_check_eval(const hm_check *check, const hm_results *now, const hm_results *base, char *msg,
                  size_t msglen);

#endif /* HEATMAP_VIEWER_CHECK_H */
