#!/usr/bin/env python3
"""Checks heatmap's function selection on a real build, independently of the plugin's own code.

    check_selection.py --report REPORT.jsonl [--config heatmap.yaml] [--results r1.json ...]
                       [--expect NAME=COUNT ...] [--absent NAME ...]

1. Every decision in the plugin's report (HEATMAP_REPORT) is re-derived here from the allowlist
   (a re-implementation of docs/config.md: globs, most specific pattern wins, exclude wins a tie,
   an exact function include beats the file rules and the trivial rule): a function the allowlist
   selects must be instrumented (or reported `trivial`, when no exact include names it and the
   trivial rule is on, or `nodebug` at line 0, a function without debug information, when no
   exact include names it); one it does not select must not be, and the reason must name the same rule.
2. Every function in the results files (heatmap-view --format=json) is one the report says was
   instrumented, and one the allowlist selects.
3. --expect NAME=COUNT: the summed count of NAME over the results files is exactly COUNT
   (COUNT 0 = must not appear); --absent NAME: must not appear.
Prints one line per problem (at most 20 of each kind) and a summary; exit status 1 on any problem.
"""
import argparse
import json
import os
import re
import sys

try:
    import yaml  # python3-yaml, used only to read the allowlist
except ImportError:  # pragma: no cover
    yaml = None

IGNORED = ("declaration", "available_externally", "naked", "heatmap runtime", "compiler-generated",
           "thunk", "forwards to")


def glob_regex(p):
    out, i = [], 0
    while i < len(p):
        c = p[i]
        if c == "\\" and i + 1 < len(p):
            out.append(re.escape(p[i + 1])); i += 2; continue
        if p.startswith("**/", i) and (i == 0 or p[i - 1] == "/"):
            out.append("(?:.*/)?"); i += 3; continue
        if p.startswith("**", i):
            out.append(".*"); i += 2; continue
        if c == "*":
            out.append("[^/]*")
        elif c == "?":
            out.append("[^/]")
        elif c == "[":
            j = i + 1
            neg = j < len(p) and p[j] in "!^"
            if neg:
                j += 1
            k = j + 1 if j < len(p) and p[j] == "]" else j
            while p[k] != "]":
                k += 1
            body = p[j:k].replace("\\", "\\\\")
            out.append("(?![/])[" + ("^" if neg else "") + body + "]")
            i = k + 1; continue
        else:
            out.append(re.escape(c))
        i += 1
    return re.compile("".join(out) + r"\Z")


def literal_count(p):
    """Non-wildcard characters; a [set] counts as none (docs/config.md: more literals = more specific)."""
    n, i = 0, 0
    while i < len(p):
        if p[i] == "\\":
            n += 1; i += 2; continue
        if p[i] == "[":
            j = i + 1 + (p[i + 1:i + 2] in ("!", "^"))
            j = p.index("]", j + 1)
            i = j + 1; continue
        if p[i] not in "*?":
            n += 1
        i += 1
    return n


def has_wild(p):
    return any(ch in p for ch in "*?[\\")


class RuleSet:
    def __init__(self, include, exclude):
        self.rules = [(p, "include", glob_regex(p)) for p in include] + \
                     [(p, "exclude", glob_regex(p)) for p in exclude]
        self.has_include = bool(include)

    def decide(self, subject):
        """-> (passes, deciding pattern or None, kind)"""
        best = None
        for p, kind, rx in self.rules:
            if not rx.match(subject):
                continue
            spec = (0 if has_wild(p) else 1, literal_count(p), 1 if kind == "exclude" else 0)
            if best is None or spec > best[0]:
                best = (spec, p, kind)
        if best is None:
            return (not self.has_include, None, "none")
        return (best[2] == "include", best[1], best[2])


def as_list(v):
    if v is None:
        return []
    return [v] if isinstance(v, str) else list(v)


def load_config(path):
    if not path:
        return {}
    with open(path) as f:
        return (yaml.safe_load(f) if yaml else {}) or {}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--report", required=True)
    ap.add_argument("--config")
    ap.add_argument("--results", nargs="*", default=[])
    ap.add_argument("--expect", action="append", default=[])
    ap.add_argument("--absent", action="append", default=[])
    a = ap.parse_args()

    cfg = load_config(a.config)
    fn = cfg.get("functions") or {}
    fl = cfg.get("files") or {}
    frules = RuleSet(as_list(fn.get("include")), as_list(fn.get("exclude")))
    exact_includes = {p for p in as_list(fn.get("include")) if not has_wild(p)}
    filerules = RuleSet(as_list(fl.get("include")), as_list(fl.get("exclude")))
    trivial_on = (cfg.get("trivial") or {}).get("max_instructions", 10) != 0

    def expected(name, file):
        if name in exact_includes:
            return True, None
        # docs/config.md: the path is normalised (a/../b is b) before matching
        fok, fpat, fkind = filerules.decide(os.path.normpath(file) if file else file)
        if not fok:
            return False, ("files", fpat)
        ok, pat, kind = frules.decide(name)
        if not ok:
            return False, ("functions", pat)
        return True, None

    problems = {"report": [], "results": [], "counts": []}
    instrumented = set()
    seen = 0
    with open(a.report) as f:
        for line in f:
            r = json.loads(line)
            reason = r["reason"]
            if reason.startswith(IGNORED):
                continue
            seen += 1
            key = (r["function"], r["file"].rsplit("/", 1)[-1], r["line"])
            if r["instrumented"]:
                instrumented.add(key)
            sel, why = expected(r["function"], r["file"])
            if sel:
                # nodebug: no debug information (clang's intrinsics), seen here as line 0
                ok = r["instrumented"] or (reason == "trivial" and trivial_on
                                          and r["function"] not in exact_includes) or (
                    reason == "nodebug" and r["line"] == 0
                    and r["function"] not in exact_includes)
            else:
                ok = not r["instrumented"]
                if ok and why[1] is not None:
                    ok = ("'%s'" % why[1]) in reason and why[0] in reason
                elif ok:
                    ok = reason.startswith("not matched by " + why[0])
            if not ok:
                problems["report"].append("%s (%s:%d): plugin says %s/%s, allowlist says %s %s" % (
                    r["function"], r["file"], r["line"], r["instrumented"], reason,
                    "selected" if sel else "not selected", why or ""))

    counts = {}
    for path in a.results:
        with open(path) as f:
            doc = json.load(f)
        for fnr in doc["functions"]:
            key = (fnr["name"], fnr["file"].rsplit("/", 1)[-1], fnr["line"])
            counts[fnr["name"]] = counts.get(fnr["name"], 0) + fnr["count"]
            if key not in instrumented:
                problems["results"].append("%s %s:%d in %s: not instrumented according to the report"
                                           % (key[0], fnr["file"], key[2], path))
            elif not expected(fnr["name"], fnr["file"])[0]:
                problems["results"].append("%s in %s: not selected by the allowlist" % (key[0], path))
    for e in a.expect:
        name, n = e.rsplit("=", 1)
        if counts.get(name, 0) != int(n):
            problems["counts"].append("%s: counted %d, expected %s" % (name, counts.get(name, 0), n))
    for name in a.absent:
        if name in counts:
            problems["counts"].append("%s: reported (%d calls) but must not be" % (name, counts[name]))

    bad = 0
    for kind, lst in problems.items():
        for p in lst[:20]:
            print("  %s: %s" % (kind, p))
        if len(lst) > 20:
            print("  %s: ... %d more" % (kind, len(lst) - 20))
        bad += len(lst)
    print("  selection: %d decisions checked, %d instrumented, %d functions in %d results files, "
          "%d counts checked, %d problems" % (seen, len(instrumented), len(counts), len(a.results),
                                              len(a.expect) + len(a.absent), bad))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
