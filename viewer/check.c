/* --fail-if conditions: parse once, evaluate against loaded results (see check.h).
 *
 * One table of metrics drives the parser, the evaluation and the error messages. Values are
 * compared as doubles (times in ns are exact below 2^53 ns, about 104 days).
 */
#include "check.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef enum value_kind { KIND_TIME, KIND_COUNT, KIND_RATIO } value_kind;

typedef enum metric_id {
    M_ELAPSED,
    M_CPU,
    M_CALLS,
    M_FUNCTIONS,
    M_PARALLELISM,
    M_AVG,
    M_MAX,
    M_P50,
    M_P95,
    M_P99,
    M_SELF,
    M_WAIT,
} metric_id;

static const struct metric {
    const char *name;
    metric_id id;
    value_kind kind;
    bool whole_run;    /* usable without (GLOB) */
    bool per_function; /* usable with (GLOB) */
} metrics[] = {
    {"elapsed", M_ELAPSED, KIND_TIME, true, false},
    {"cpu", M_CPU, KIND_TIME, true, true},
    {"calls", M_CALLS, KIND_COUNT, true, true},
    {"count", M_CALLS, KIND_COUNT, true, true},
    {"functions", M_FUNCTIONS, KIND_COUNT, true, false},
    {"parallelism", M_PARALLELISM, KIND_RATIO, true, false},
    {"avg", M_AVG, KIND_TIME, false, true},
    {"max", M_MAX, KIND_TIME, false, true},
    {"p50", M_P50, KIND_TIME, false, true},
    {"p95", M_P95, KIND_TIME, false, true},
    {"p99", M_P99, KIND_TIME, false, true},
    {"self", M_SELF, KIND_TIME, true, true},
    {"wait", M_WAIT, KIND_TIME, true, true},
};
#define NMETRICS (sizeof metrics / sizeof metrics[0])
#define METRIC_LIST                                                                                \
    "elapsed, cpu, self, wait, calls, count, functions, parallelism, avg, max, p50, p95, p99"

typedef enum op_id { OP_GT, OP_GE, OP_LT, OP_LE, OP_EQ, OP_NE } op_id;
static const char *const op_text[] = {">", ">=", "<", "<=", "==", "!="};

struct hm_check {
    char *text;
    const struct metric *metric;
    char *glob; /* NULL for a whole-run metric */
    op_id op;
    bool base;     /* VALUE is factor * base */
    double factor; /* with base */
    double value;  /* without base: the threshold (ns for times) */
};

static const char *skip_space(const char *p) {
    while (isspace((unsigned char)*p))
        p++;
    return p;
}

static char *dup_range(const char *s, size_t n) {
    char *copy = malloc(n + 1);
    if (copy != NULL) {
        memcpy(copy, s, n);
        copy[n] = '\0';
    }
    return copy;
}

/* A plain decimal number (no sign, no exponent); returns the end or NULL. */
static const char *parse_number(const char *p, double *out) {
    double v = 0, scale = 1;
    int digits = 0;
    for (; isdigit((unsigned char)*p); p++, digits++)
        v = v * 10 + (*p - '0');
    if (*p == '.')
        for (p++; isdigit((unsigned char)*p); p++, digits++)
            v += (*p - '0') * (scale /= 10);
    if (digits == 0)
        return NULL;
    *out = v;
    return p;
}

/* The error for a time VALUE that hm_parse_duration refused, naming what is wrong: a number
 * without a unit ("500", "5 ms"), an unknown unit ("5min"), or known units out of order or
 * repeated ("1s2m"). Every message lists the units. */
static int fail_time_unit(const hm_check *c, const char *value, char *err, size_t errlen) {
    static const char UNITS[] = "ns, us (or \xC2\xB5s), ms, s, m, h; e.g. 500ms, 2.5s, 2m, 1h30m";
    static const char *const KNOWN[] = {"ns", "us", "\xC2\xB5s", "ms", "s", "m", "h"};
    static const int RANK[] = {0, 1, 1, 2, 3, 4, 5}; /* by size */
    const char *p = value;
    int last = 6;
    for (;;) {
        while (isdigit((unsigned char)*p) || *p == '.')
            p++;
        size_t n = 0;
        while (isalpha((unsigned char)p[n]) || ((unsigned char)p[n] & 0x80) != 0)
            n++;
        if (n == 0)
            return hm_errorf(err, errlen,
                             "--fail-if '%s': %s is a time: give a unit right after the number: %s",
                             c->text, c->metric->name, UNITS);
        int rank = -1;
        for (size_t i = 0; i < sizeof KNOWN / sizeof KNOWN[0]; i++)
            if (strlen(KNOWN[i]) == n && strncmp(p, KNOWN[i], n) == 0)
                rank = RANK[i];
        if (rank < 0)
            return hm_errorf(err, errlen,
                             "--fail-if '%s': unknown time unit '%.*s'; the units are %s", c->text,
                             (int)n, p, UNITS);
        if (rank >= last)
            return hm_errorf(
                err, errlen,
                "--fail-if '%s': give the units from the largest to the smallest, each "
                "once (1h30m, 1m30s); the units are %s",
                c->text, UNITS);
        last = rank;
        p += n;
        if (!isdigit((unsigned char)*p) && *p != '.')
            break;
    }
    return hm_errorf(err, errlen, "--fail-if '%s': %s: the time is too large", c->text,
                     c->metric->name);
}

/* VALUE for a metric of `kind`; p points at it (spaces skipped). */
static int parse_value(hm_check *c, const char *p, char *err, size_t errlen) {
    const char *what = c->text;
    if (strncmp(p, "base", 4) == 0) {
        c->base = true;
        c->factor = 1;
        p = skip_space(p + 4);
        if (*p == '*') {
            p = parse_number(skip_space(p + 1), &c->factor);
            if (p == NULL)
                return hm_errorf(err, errlen, "--fail-if '%s': expected a number after 'base*'",
                                 what);
        }
    } else {
        const char *start = p;
        double number;
        const char *end = parse_number(p, &number);
        if (end == NULL)
            return hm_errorf(err, errlen, "--fail-if '%s': expected a value after the operator",
                             what);
        const char *after = skip_space(end);
        if (*after == '*') {
            after = skip_space(after + 1);
            if (strncmp(after, "base", 4) != 0)
                return hm_errorf(err, errlen, "--fail-if '%s': expected 'base' after '*'", what);
            c->base = true;
            c->factor = number;
            p = after + 4;
        } else if (c->metric->kind == KIND_TIME) {
            uint64_t ns;
            const char *unit_end;
            if (hm_parse_duration(start, &ns, &unit_end) != 0)
                return fail_time_unit(c, start, err, errlen);
            c->value = (double)ns;
            p = unit_end;
        } else {
            c->value = number;
            p = end;
            if (c->metric->kind == KIND_RATIO && *p == 'x')
                p++;
        }
    }
    p = skip_space(p);
    if (*p != '\0')
        return hm_errorf(err, errlen, "--fail-if '%s': unexpected '%s' at the end", what, p);
    return 0;
}

int hm_check_parse(const char *text, hm_check **out, char *err, size_t errlen) {
    *out = NULL;
    hm_check *c = calloc(1, sizeof *c);
    if (c == NULL || (c->text = dup_range(text, strlen(text))) == NULL) {
        free(c);
        return hm_errorf(err, errlen, "out of memory");
    }
    const char *p = skip_space(text);
    size_t n = 0;
    while (isalnum((unsigned char)p[n]) || p[n] == '_')
        n++;
    for (size_t i = 0; i < NMETRICS && c->metric == NULL; i++)
        if (strlen(metrics[i].name) == n && strncmp(p, metrics[i].name, n) == 0)
            c->metric = &metrics[i];
    if (c->metric == NULL) {
        hm_errorf(err, errlen,
                  "--fail-if '%s': unknown metric '%.*s' (expected one of " METRIC_LIST ")", text,
                  (int)n, p);
        goto bad;
    }
    p = skip_space(p + n);
    if (*p == '(') {
        const char *close = strrchr(p, ')');
        if (close == NULL) {
            hm_errorf(err, errlen, "--fail-if '%s': missing ')' after the function pattern", text);
            goto bad;
        }
        if (!c->metric->per_function) {
            hm_errorf(err, errlen,
                      "--fail-if '%s': %s is a figure of the whole run, not of a function", text,
                      c->metric->name);
            goto bad;
        }
        if ((c->glob = dup_range(p + 1, (size_t)(close - p - 1))) == NULL) {
            hm_errorf(err, errlen, "out of memory");
            goto bad;
        }
        p = skip_space(close + 1);
    } else if (!c->metric->whole_run) {
        hm_errorf(err, errlen, "--fail-if '%s': %s needs a function pattern: %s(GLOB)", text,
                  c->metric->name, c->metric->name);
        goto bad;
    }
    static const struct {
        const char *text;
        op_id op;
    } ops[] = {{">=", OP_GE}, {"<=", OP_LE}, {"==", OP_EQ}, {"!=", OP_NE},
               {">", OP_GT},  {"<", OP_LT},  {"=", OP_EQ}};
    size_t k = 0;
    while (k < sizeof ops / sizeof ops[0] && strncmp(p, ops[k].text, strlen(ops[k].text)) != 0)
        k++;
    if (k == sizeof ops / sizeof ops[0]) {
        hm_errorf(err, errlen, "--fail-if '%s': expected an operator (> >= < <= == !=) after %s",
                  text, c->metric->name);
        goto bad;
    }
    c->op = ops[k].op;
    if (parse_value(c, skip_space(p + strlen(ops[k].text)), err, errlen) != 0)
        goto bad;
    *out = c;
    return 0;
bad:
    hm_check_free(c);
    return -1;
}

void hm_check_free(hm_check *c) {
    if (c == NULL)
        return;
    free(c->text);
    free(c->glob);
    free(c);
}

bool hm_check_uses_base(const hm_check *c) {
    return c->base;
}

static double whole_run_value(metric_id id, const hm_results *r) {
    switch (id) {
    case M_ELAPSED:
        return (double)r->elapsed_ns;
    case M_CPU: /* on-CPU time; a file from an older runtime has only self time (as --sort=cpu) */
        return (double)(r->has_cpu ? hm_results_cpu_ns(r) : hm_results_self_ns(r));
    case M_SELF:
        return (double)hm_results_self_ns(r);
    case M_WAIT:
        return (double)hm_results_wait_ns(r);
    case M_CALLS:
        return (double)hm_results_total_calls(r);
    case M_FUNCTIONS:
        return (double)r->nfunctions;
    case M_PARALLELISM: /* likewise self time / elapsed for an older file */
        if (!r->has_cpu)
            return r->elapsed_ns ? (double)hm_results_self_ns(r) / (double)r->elapsed_ns : 0;
        return hm_results_parallelism(r);
    default:
        return 0;
    }
}

static double function_value(metric_id id, const hm_function_stats *f) {
    switch (id) {
    case M_CPU:
        return (double)hm_function_cpu_rank_ns(f);
    case M_SELF:
        return (double)f->self_ns;
    case M_WAIT:
        return (double)f->wait_ns;
    case M_CALLS:
        return (double)f->count;
    case M_AVG:
        return f->count ? (double)f->self_ns / (double)f->count : 0;
    case M_MAX:
        return (double)f->max_ns;
    case M_P50:
        return (double)f->p50_ns;
    case M_P95:
        return (double)f->p95_ns;
    case M_P99:
        return (double)f->p99_ns;
    default:
        return 0;
    }
}

static bool holds(op_id op, double a, double b) {
    switch (op) {
    case OP_GT:
        return a > b;
    case OP_GE:
        return a >= b;
    case OP_LT:
        return a < b;
    case OP_LE:
        return a <= b;
    case OP_EQ:
        return a == b;
    case OP_NE:
        return a != b;
    }
    return false;
}

static void format_value(value_kind kind, double v, char *out, size_t outlen) {
    char buf[HM_DURATION_LEN];
    if (kind == KIND_TIME)
        snprintf(out, outlen, "%s", hm_format_duration(v < 0 ? 0 : (uint64_t)(v + 0.5), 0, buf));
    else if (kind == KIND_RATIO)
        snprintf(out, outlen, "%.2fx", v);
    else
        snprintf(out, outlen, "%.0f", v);
}

/* Append "subject = V > LIMIT" (and how LIMIT came from base) to msg. */
static void describe(const hm_check *c, const char *subject, double v, double base_value,
                     double limit, char *msg, size_t msglen) {
    char vt[40], lt[40], bt[40];
    format_value(c->metric->kind, v, vt, sizeof vt);
    format_value(c->metric->kind, limit, lt, sizeof lt);
    size_t len = strlen(msg);
    if (len + 1 >= msglen)
        return;
    if (c->base) {
        format_value(c->metric->kind, base_value, bt, sizeof bt);
        snprintf(msg + len, msglen - len, "%s%s = %s %s %s (%g x base %s)", len ? "; " : "",
                 subject, vt, op_text[c->op], lt, c->factor, bt);
    } else {
        snprintf(msg + len, msglen - len, "%s%s = %s %s %s", len ? "; " : "", subject, vt,
                 op_text[c->op], lt);
    }
}

static int eval_functions(const hm_check *c, const hm_results *now, const hm_results *base,
                          char *msg, size_t msglen) {
    hm_diff_row *rows = NULL;
    size_t nrows = 0, matched = 0, failed = 0;
    if (base != NULL && hm_results_diff(base, now, &rows, &nrows) != 0) {
        snprintf(msg, msglen, "out of memory");
        return -1;
    }
    size_t n = base != NULL ? nrows : now->nfunctions;
    for (size_t i = 0; i < n; i++) {
        const hm_function_stats *f = base != NULL ? rows[i].after : &now->functions[i];
        const hm_function_stats *b = base != NULL ? rows[i].before : NULL;
        if (f == NULL || !hm_function_matches(f, c->glob))
            continue;
        matched++;
        if (base != NULL && b == NULL)
            continue; /* a new function has no base to compare with */
        double v = function_value(c->metric->id, f);
        double bv = b != NULL ? function_value(c->metric->id, b) : 0;
        double limit = c->base ? c->factor * bv : c->value;
        if (!holds(c->op, v, limit))
            continue;
        if (++failed <= 5) {
            char subject[300];
            snprintf(subject, sizeof subject, "%s(%s)", c->metric->name, f->name);
            describe(c, subject, v, bv, limit, msg, msglen);
        }
    }
    free(rows);
    if (matched == 0 && !c->base &&
        (c->metric->id == M_CALLS || c->metric->id == M_CPU || c->metric->id == M_SELF ||
         c->metric->id == M_WAIT)) {
        /* Only functions that ran are listed: one that matches nothing ran 0 times for 0 ns, so
         * "calls(init_*)<1" is a meaningful check. */
        if (!holds(c->op, 0, c->value))
            return 0;
        char subject[300];
        snprintf(subject, sizeof subject, "%s(%s)", c->metric->name, c->glob);
        describe(c, subject, 0, 0, c->value, msg, msglen);
        strncat(msg, " (no function matches)", msglen - strlen(msg) - 1);
        return 1;
    }
    if (matched == 0) {
        snprintf(msg, msglen, "--fail-if '%s': no function matches '%s'", c->text, c->glob);
        return -1;
    }
    if (failed > 5) {
        size_t len = strlen(msg);
        snprintf(msg + len, msglen - len, "; and %zu more", failed - 5);
    }
    return failed > 0 ? 1 : 0;
}

int hm_check_eval(const hm_check *c, const hm_results *now, const hm_results *base, char *msg,
                  size_t msglen) {
    msg[0] = '\0';
    if (c->base && base == NULL) {
        snprintf(msg, msglen, "--fail-if '%s': 'base' needs --diff BASE NEW", c->text);
        return -1;
    }
    const hm_results *reference = c->base ? base : NULL;
    if (c->glob != NULL)
        return eval_functions(c, now, reference, msg, msglen);
    double v = whole_run_value(c->metric->id, now);
    double bv = reference ? whole_run_value(c->metric->id, reference) : 0;
    double limit = c->base ? c->factor * bv : c->value;
    if (!holds(c->op, v, limit))
        return 0;
    describe(c, c->metric->name, v, bv, limit, msg, msglen);
    return 1;
}
