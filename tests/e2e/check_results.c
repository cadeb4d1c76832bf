/* check_results: assert properties of a heatmap.json for the end-to-end tests.
 *
 * usage: check_results FILE [CHECK...]
 *   --expect NAME=COUNT   function NAME is present with exactly COUNT calls
 *   --absent NAME         function NAME is not in the file
 *   --only-expected       no function other than the --expect ones is present
 *   --threads N           exactly N threads ran instrumented code
 *   --self-adds-up        per thread, the sum of self times is within a fixed bound of the time
 *                         inside its outermost instrumented frames: at most 1 ns per call above
 *                         (rounding) and at most HM_CHECK_CALL_BOUND_NS per call below (the
 *                         overhead compensation; a documented constant, not the file's own
 *                         overhead figures); and the per-function self times add up to the
 *                         per-thread ones
 *   --self-exact          as --self-adds-up with zero tolerance, for a run with
 *                         HEATMAP_COMPENSATE=off and HEATMAP_CLOCK=monotonic (ticks are ns), and
 *                         overhead_ns and overhead_child_ns are 0
 *   --pid N               "pid" is N (the pid the test started)
 *   --program S           "program" is S (the argv[0] the test passed)
 *   --hostname-is-mine    "hostname" is this machine's gethostname()
 *   --clock KIND          "clock" is KIND (tsc or monotonic)
 *   --started A:B         "start_unix_ns" lies within [A, B] (the test's wall clock before
 *                         and after the run)
 *   --line NAME=LINE      function NAME has "line" LINE (the line of its definition in the source)
 *   --nodes N             the call-path trees hold exactly N nodes (the root not counted)
 *   --folded N            "paths"."folded_calls" is N
 *   --end END             the "end" field equals END (exit, signal:SIGINT, ...)
 *   --path A;B;C=COUNT    the call path A;B;C (outermost first) was reached by exactly COUNT calls,
 *                         summed over every tree in "paths"
 *   --dropped N           the threads' dropped_calls sum to N
 *   --split-adds-up       every function carries a per-thread split ("threads") whose counts and
 *                         self times sum to the function's, over threads listed in the file
 *   --paths-add-up        the call-path nodes add up: their self times (plus
 *                         unattributed_self_ns) sum to the functions' self times, each node's
 *                         total is its self plus its children's totals, and, when no call was
 * folded, per function their counts equal its timed calls (throttled_after when throttled, else
 *                         count) and their self times its own
 *   --throttled NAME      function NAME was throttled: it has throttled_after, at most its count
 *   --timed NAME          function NAME was not throttled: every call timed, no throttled_after
 *   --throttled-ok        every throttled_after present is at most its function's count, and
 *                         for such a function (timed calls only) cpu_ns + wait_ns == self_ns,
 *                         blocked_ns <= wait_ns and open_calls <= throttled_after
 *   --blocked NAME=MIN[:MAX]  function NAME's blocked_ns is at least MIN (and at most MAX)
 * Reads the file with jansson, independently of results/, so a bug shared by the writer and the
 * viewer's reader cannot hide. Every expectation comes from the command line (what the test
 * knows), never from the file's own figures. Prints every failed check; exits 1 if any failed, 2
 * on bad usage.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

/* The most the overhead compensation may take off per call (overhead_ns + overhead_child_ns):
 * far above any calibration measured on a loaded machine (tens of ns), far below what a broken
 * calibration takes off. Fixed here so that the bound does not come from the file under test. */
#define HM_CHECK_CALL_BOUND_NS 2000

static int failures;

static void __attribute__((format(printf, 1, 2))) fail(const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, "check_results: FAIL: ");
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
    failures++;
}

static json_t *function_named(json_t *root, const char *name) {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(root, "functions"), i, f) {
        const char *n = json_string_value(json_object_get(f, "name"));
        if (n && strcmp(n, name) == 0)
            return f;
    }
    return NULL;
}

static long long field(json_t *obj, const char *key) {
    json_t *v = json_object_get(obj, key);
    if (!json_is_integer(v)) {
        fail("missing integer field '%s'", key);
        return 0;
    }
    return json_integer_value(v);
}

/* Per thread, self times against outermost time: exact when `exact`, else within
 * [outer - calls * HM_CHECK_CALL_BOUND_NS, outer + calls] (1 ns of rounding per call). */
static void check_self_adds_up(json_t *root, int exact) {
    long long fn_self = 0, fn_calls = 0, th_self = 0, th_outer = 0, th_calls = 0;
    size_t i;
    json_t *x;
    if (exact && (field(root, "overhead_ns") != 0 || field(root, "overhead_child_ns") != 0))
        fail("overhead_ns %lld / overhead_child_ns %lld with compensation off, expected 0",
             field(root, "overhead_ns"), field(root, "overhead_child_ns"));
    json_array_foreach(json_object_get(root, "functions"), i, x) {
        fn_self += field(x, "self_ns");
        fn_calls += field(x, "count");
    }
    json_array_foreach(json_object_get(root, "threads"), i, x) {
        long long self = field(x, "self_ns"), outer = field(x, "outer_ns"),
                  calls = field(x, "calls");
        th_self += self;
        th_outer += outer;
        th_calls += calls;
        long long low = exact ? outer : outer - calls * HM_CHECK_CALL_BOUND_NS,
                  high = exact ? outer : outer + calls;
        if (self < low || self > high)
            fail("thread %s: self times sum to %lld ns but outermost frames took %lld ns "
                 "(%lld calls; allowed %lld..%lld)",
                 json_string_value(json_object_get(x, "name")), self, outer, calls, low, high);
    }
    if (fn_self != th_self)
        fail("functions' self times sum to %lld ns, threads' to %lld ns", fn_self, th_self);
    if (fn_calls != th_calls)
        fail("functions' counts sum to %lld, threads' calls to %lld", fn_calls, th_calls);
    if (th_outer <= 0)
        fail("no time inside outermost frames (%lld ns)", th_outer);
}

/* Number of call-path nodes over all trees. */
static long long node_total(json_t *root) {
    long long n = 0;
    size_t i;
    json_t *tree;
    json_array_foreach(json_object_get(json_object_get(root, "paths"), "trees"), i, tree) n +=
        (long long)json_array_size(json_object_get(tree, "nodes"));
    return n;
}

static void check_string(json_t *root, const char *key, const char *want) {
    const char *got = json_string_value(json_object_get(root, key));
    if (!got || strcmp(got, want) != 0)
        fail("\"%s\" is '%s', expected '%s'", key, got ? got : "(none)", want);
}

/* The function name of function id `id` ("?" when unknown). */
static const char *function_name_by_id(json_t *root, long long id) {
    size_t i;
    json_t *f;
    json_array_foreach(json_object_get(root, "functions"), i, f) {
        if (field(f, "id") == id)
            return json_string_value(json_object_get(f, "name"));
    }
    return "?";
}

/* The node [id, parent, func, count, self, total] with id `id` in `nodes`, or NULL. */
static json_t *node_by_id(json_t *nodes, long long id) {
    size_t i;
    json_t *n = id > 0 ? json_array_get(nodes, (size_t)id - 1) : NULL;
    if (n && json_integer_value(json_array_get(n, 0)) == id)
        return n; /* the runtime numbers nodes 1, 2, ... in order: no search (deep trees) */
    json_array_foreach(nodes, i, n) {
        if (json_integer_value(json_array_get(n, 0)) == id)
            return n;
    }
    return NULL;
}

/* The path of `node` as "a;b;c"; false when a parent is missing or the chain loops. */
static int node_path(json_t *root, json_t *nodes, json_t *node, char *out, size_t size) {
    const char *names[512];
    size_t depth = 0;
    while (node && depth < 512) {
        names[depth++] = function_name_by_id(root, json_integer_value(json_array_get(node, 2)));
        long long parent = json_integer_value(json_array_get(node, 1));
        if (parent == 0)
            break;
        node = node_by_id(nodes, parent);
        if (!node)
            return 0;
    }
    if (depth == 512)
        return 0;
    size_t len = 0;
    out[0] = '\0';
    while (depth-- > 0)
        len += (size_t)snprintf(out + len, len < size ? size - len : 0, "%s%s", len ? ";" : "",
                                names[depth]);
    return len < size;
}

/* The value `val` of option `opt`, which has the form `form` (KEY=...): KEY (up to its last '=')
 * into key, and the rest returned; NULL, after saying so, when there is no '='. */
static const char *split_key(const char *opt, const char *form, const char *val, char *key,
                             size_t size) {
    const char *eq = strrchr(val, '=');
    if (!eq) {
        fprintf(stderr, "check_results: %s wants %s, got '%s'\n", opt, form, val);
        return NULL;
    }
    snprintf(key, size, "%.*s", (int)(eq - val), val);
    return eq + 1;
}

static long long path_count(json_t *root, const char *want) {
    long long total = 0;
    size_t i, k;
    json_t *tree, *node;
    json_array_foreach(json_object_get(json_object_get(root, "paths"), "trees"), i, tree) {
        json_t *nodes = json_object_get(tree, "nodes");
        json_array_foreach(nodes, k, node) {
            char path[4096];
            if (!node_path(root, nodes, node, path, sizeof path))
                fail("tree %zu: node %lld has a broken parent chain", i,
                     json_integer_value(json_array_get(node, 0)));
            else if (strcmp(path, want) == 0)
                total += json_integer_value(json_array_get(node, 3));
        }
    }
    return total;
}

static void check_paths_add_up(json_t *root) {
    json_t *paths = json_object_get(root, "paths");
    if (!paths) {
        fail("no \"paths\" in the results");
        return;
    }
    int folded = field(paths, "folded_calls") != 0;
    long long self_nodes = 0, self_functions = 0;
    size_t i, t, k;
    json_t *f, *tree, *node;
    json_array_foreach(json_object_get(root, "functions"), i, f) {
        long long id = field(f, "id"), count = 0, self = 0;
        self_functions += field(f, "self_ns");
        json_array_foreach(json_object_get(paths, "trees"), t, tree) {
            json_array_foreach(json_object_get(tree, "nodes"), k, node) {
                if (json_integer_value(json_array_get(node, 2)) != id)
                    continue;
                long long node_self = json_integer_value(json_array_get(node, 4));
                long long node_total = json_integer_value(json_array_get(node, 5));
                count += json_integer_value(json_array_get(node, 3));
                self += node_self;
                if (node_total < node_self)
                    fail("function '%s': a node's total %lld ns is below its self %lld ns",
                         json_string_value(json_object_get(f, "name")), node_total, node_self);
            }
        }
        self_nodes += self;
        /* Count-only calls of a throttled function are in no node: the nodes hold its timed calls.
         */
        json_t *after = json_object_get(f, "throttled_after");
        long long timed = after ? json_integer_value(after) : field(f, "count");
        if (!folded && (count != timed || self != field(f, "self_ns")))
            fail("function '%s': nodes sum to %lld calls / %lld ns, the function has %lld timed / "
                 "%lld",
                 json_string_value(json_object_get(f, "name")), count, self, timed,
                 field(f, "self_ns"));
    }
    /* A node's total is its subtree's time: its self plus its children's totals, in every tree. */
    json_array_foreach(json_object_get(paths, "trees"), t, tree) {
        json_t *nodes = json_object_get(tree, "nodes");
        json_array_foreach(nodes, k, node) {
            long long id = json_integer_value(json_array_get(node, 0)), children = 0;
            size_t c;
            json_t *child;
            json_array_foreach(nodes, c, child) {
                if (json_integer_value(json_array_get(child, 1)) == id)
                    children += json_integer_value(json_array_get(child, 5));
            }
            long long self = json_integer_value(json_array_get(node, 4));
            long long total = json_integer_value(json_array_get(node, 5));
            if (total != self + children)
                fail("tree %zu: node %lld's total %lld ns is not its self %lld ns plus its "
                     "children's totals %lld ns",
                     t, id, total, self, children);
        }
    }
    self_nodes += field(paths, "unattributed_self_ns");
    if (self_nodes != self_functions)
        fail("call-path nodes hold %lld ns of self time, the functions %lld ns", self_nodes,
             self_functions);
}

static void check_split_adds_up(json_t *root) {
    size_t i, k;
    json_t *f, *t;
    json_array_foreach(json_object_get(root, "functions"), i, f) {
        const char *name = json_string_value(json_object_get(f, "name"));
        json_t *split = json_object_get(f, "threads");
        if (!json_is_array(split)) {
            fail("function '%s' has no per-thread split", name);
            continue;
        }
        long long count = 0, self = 0;
        json_array_foreach(split, k, t) {
            count += field(t, "count");
            self += field(t, "self_ns");
        }
        if (count != field(f, "count") || self != field(f, "self_ns"))
            fail("function '%s': its thread split sums to %lld calls / %lld ns, not %lld / %lld",
                 name, count, self, field(f, "count"), field(f, "self_ns"));
    }
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: check_results FILE [--expect NAME=COUNT] [--absent NAME] ...\n");
        return 2;
    }
    json_error_t err;
    json_t *root = json_load_file(argv[1], 0, &err);
    if (!root) {
        fprintf(stderr, "check_results: %s:%d: %s\n", argv[1], err.line, err.text);
        return 1;
    }
    const char *expected[256];
    size_t nexpected = 0;
    int only_expected = 0;
    for (int i = 2; i < argc; i++) {
        const char *opt = argv[i], *val = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(opt, "--only-expected") == 0) {
            only_expected = 1;
            continue;
        }
        if (strcmp(opt, "--self-adds-up") == 0) {
            check_self_adds_up(root, 0);
            continue;
        }
        if (strcmp(opt, "--self-exact") == 0) {
            check_self_adds_up(root, 1);
            continue;
        }
        if (strcmp(opt, "--hostname-is-mine") == 0) {
            char host[256] = "";
            gethostname(host, sizeof host - 1);
            check_string(root, "hostname", host);
            continue;
        }
        if (strcmp(opt, "--split-adds-up") == 0) {
            check_split_adds_up(root);
            continue;
        }
        if (strcmp(opt, "--throttled-ok") == 0) {
            size_t k;
            json_t *f;
            json_array_foreach(json_object_get(root, "functions"), k, f) {
                json_t *after = json_object_get(f, "throttled_after");
                const char *name = json_string_value(json_object_get(f, "name"));
                if (after &&
                    (!json_is_integer(after) || json_integer_value(after) > field(f, "count")))
                    fail("function '%s': throttled_after above its count %lld", name,
                         field(f, "count"));
                if (!after)
                    continue;
                /* The cpu/wait split of a throttled function covers its timed calls. */
                long long self = field(f, "self_ns"), cpu = field(f, "cpu_ns"),
                          wait = field(f, "wait_ns"), blocked = field(f, "blocked_ns");
                json_t *open = json_object_get(f, "open_calls");
                if (cpu + wait != self)
                    fail("function '%s': cpu_ns %lld + wait_ns %lld is not self_ns %lld", name, cpu,
                         wait, self);
                if (blocked > wait)
                    fail("function '%s': blocked_ns %lld above wait_ns %lld", name, blocked, wait);
                if (open && json_integer_value(open) > json_integer_value(after))
                    fail("function '%s': open_calls %lld above throttled_after %lld", name,
                         (long long)json_integer_value(open), (long long)json_integer_value(after));
            }
            continue;
        }
        if (strcmp(opt, "--paths-add-up") == 0) {
            check_paths_add_up(root);
            continue;
        }
        if (!val) {
            fprintf(stderr, "check_results: %s needs a value\n", opt);
            return 2;
        }
        i++;
        if (strcmp(opt, "--expect") == 0) {
            const char *eq = strrchr(val, '=');
            if (!eq || nexpected == 256) {
                fprintf(stderr, "check_results: --expect wants NAME=COUNT, got '%s'\n", val);
                return 2;
            }
            static char names[256][256];
            snprintf(names[nexpected], sizeof names[0], "%.*s", (int)(eq - val), val);
            expected[nexpected] = names[nexpected];
            long long want = atoll(eq + 1);
            json_t *f = function_named(root, names[nexpected++]);
            if (!f)
                fail("function '%s' missing (expected %lld calls)", names[nexpected - 1], want);
            else if (field(f, "count") != want)
                fail("function '%s': %lld calls, expected %lld", names[nexpected - 1],
                     field(f, "count"), want);
        } else if (strcmp(opt, "--throttled") == 0) {
            json_t *f = function_named(root, val);
            json_t *after = f ? json_object_get(f, "throttled_after") : NULL;
            if (!after)
                fail("function '%s' was not throttled", val);
            else if (json_integer_value(after) > field(f, "count"))
                fail("function '%s': throttled_after %lld above its count %lld", val,
                     (long long)json_integer_value(after), field(f, "count"));
        } else if (strcmp(opt, "--timed") == 0) {
            json_t *f = function_named(root, val);
            if (!f)
                fail("function '%s' missing (expected every call timed)", val);
            else if (json_object_get(f, "throttled_after"))
                fail("function '%s' was throttled, expected every call timed", val);
        } else if (strcmp(opt, "--blocked") == 0) {
            char name[256];
            const char *range = split_key(opt, "NAME=MIN[:MAX]", val, name, sizeof name);
            if (!range)
                return 2;
            long long lo = atoll(range);
            const char *colon = strchr(range, ':');
            long long hi = colon ? atoll(colon + 1) : -1;
            json_t *f = function_named(root, name);
            if (!f)
                fail("function '%s' missing (expected blocked_ns >= %lld)", name, lo);
            else if (field(f, "blocked_ns") < lo || (hi >= 0 && field(f, "blocked_ns") > hi))
                fail("function '%s': blocked_ns %lld, expected %lld..%s", name,
                     field(f, "blocked_ns"), lo, colon ? colon + 1 : "");
        } else if (strcmp(opt, "--absent") == 0) {
            if (function_named(root, val))
                fail("function '%s' is present but should not be", val);
        } else if (strcmp(opt, "--threads") == 0) {
            long long n = (long long)json_array_size(json_object_get(root, "threads"));
            if (n != atoll(val))
                fail("%lld threads, expected %lld", n, atoll(val));
        } else if (strcmp(opt, "--pid") == 0) {
            if (field(root, "pid") != atoll(val))
                fail("pid %lld, expected %lld", field(root, "pid"), atoll(val));
        } else if (strcmp(opt, "--program") == 0) {
            check_string(root, "program", val);
        } else if (strcmp(opt, "--clock") == 0) {
            check_string(root, "clock", val);
        } else if (strcmp(opt, "--started") == 0) {
            long long lo = atoll(val), hi = strchr(val, ':') ? atoll(strchr(val, ':') + 1) : 0;
            long long got = field(root, "start_unix_ns");
            if (got < lo || got > hi)
                fail("start_unix_ns %lld outside the test's window [%lld, %lld]", got, lo, hi);
        } else if (strcmp(opt, "--line") == 0) {
            const char *eq = strrchr(val, '=');
            char name[256];
            snprintf(name, sizeof name, "%.*s", eq ? (int)(eq - val) : 0, val);
            json_t *f = eq ? function_named(root, name) : NULL;
            if (!f)
                fail("--line %s: no such function", val);
            else if (field(f, "line") != atoll(eq + 1))
                fail("function '%s': line %lld, expected %lld", name, field(f, "line"),
                     atoll(eq + 1));
        } else if (strcmp(opt, "--nodes") == 0) {
            if (node_total(root) != atoll(val))
                fail("%lld call-path nodes, expected %lld", node_total(root), atoll(val));
        } else if (strcmp(opt, "--folded") == 0) {
            long long got = field(json_object_get(root, "paths"), "folded_calls");
            if (got != atoll(val))
                fail("folded_calls %lld, expected %lld", got, atoll(val));
        } else if (strcmp(opt, "--dropped") == 0) {
            long long dropped = 0;
            size_t k;
            json_t *t;
            json_array_foreach(json_object_get(root, "threads"), k, t) {
                dropped += field(t, "dropped_calls");
            }
            if (dropped != atoll(val))
                fail("%lld dropped calls, expected %lld", dropped, atoll(val));
        } else if (strcmp(opt, "--path") == 0) {
            char want[4096];
            const char *count = split_key(opt, "A;B;C=COUNT", val, want, sizeof want);
            if (!count)
                return 2;
            long long got = path_count(root, want);
            if (got != atoll(count))
                fail("path '%s': %lld calls, expected %lld", want, got, atoll(count));
        } else if (strcmp(opt, "--end") == 0) {
            const char *end = json_string_value(json_object_get(root, "end"));
            if (!end || strcmp(end, val) != 0)
                fail("end is '%s', expected '%s'", end ? end : "(none)", val);
        } else {
            fprintf(stderr, "check_results: unknown option '%s'\n", opt);
            return 2;
        }
    }
    if (only_expected) {
        size_t i;
        json_t *f;
        json_array_foreach(json_object_get(root, "functions"), i, f) {
            const char *n = json_string_value(json_object_get(f, "name"));
            int known = 0;
            for (size_t k = 0; k < nexpected; k++)
                known |= n && strcmp(n, expected[k]) == 0;
            if (!known)
                fail("unexpected function '%s' in the results", n ? n : "?");
        }
    }
    json_decref(root);
    if (failures)
        fprintf(stderr, "check_results: %d check(s) failed for %s\n", failures, argv[1]);
    return failures ? 1 : 0;
}
