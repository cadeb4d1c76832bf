#!/usr/bin/env python3
"""Check Prometheus's answer about the fleet against the fleet's own results files.

usage: check_fleet.py ask PROMETHEUS_URL ANSWERS_JSON     (while the processes still run)
       check_fleet.py check ANSWERS_JSON MERGED_JSON      (after they wrote their results files)

`ask` saves Prometheus's answers to the queries below; it must run before the processes stop,
since a scrape after that finds them gone and marks their series stale. MERGED_JSON is
heatmap-view --format=json over the processes' results files (their sum). The
PromQL ranking of functions by self time over the fleet must be the ranking of the merged file,
with the same seconds (to the nanosecond the exposition prints), and every function's calls summed
over the fleet must equal the merged count exactly. Prints both side by side; exits 1 on any
difference, 2 when Prometheus cannot be asked.
"""
import json
import sys
import urllib.parse
import urllib.request


def query(url, promql):
    with urllib.request.urlopen(url + "/api/v1/query?" + urllib.parse.urlencode({"query": promql}),
                                timeout=10) as r:
        doc = json.load(r)
    if doc.get("status") != "success":
        sys.exit("check_fleet: query failed: %s: %s" % (promql, doc))
    return doc["data"]["result"]


RANK_Q = "sort_desc(topk(10, sum by (function) (heatmap_function_self_seconds_total)))"
CALLS_Q = "sum by (function) (heatmap_function_calls_total)"
UP_Q = 'count(up{job="heatmap"} == 1)'


def ask(url, out):
    try:
        answers = {q: query(url, q) for q in (RANK_Q, CALLS_Q, UP_Q)}
    except (OSError, ValueError, KeyError) as e:
        print("check_fleet: cannot ask Prometheus at %s: %s" % (url, e), file=sys.stderr)
        return 2
    json.dump(answers, open(out, "w"), indent=1)
    return 0


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in ("ask", "check"):
        print(__doc__, file=sys.stderr)
        return 2
    if sys.argv[1] == "ask":
        return ask(sys.argv[2], sys.argv[3])
    answers = json.load(open(sys.argv[2]))
    merged = json.load(open(sys.argv[3]))
    rank_q, calls_q = RANK_Q, CALLS_Q
    try:
        ranked = [(r["metric"]["function"], float(r["value"][1])) for r in answers[RANK_Q]]
        calls = {r["metric"]["function"]: int(float(r["value"][1])) for r in answers[CALLS_Q]}
        up = int(float(answers[UP_Q][0]["value"][1])) if answers[UP_Q] else 0
    except (ValueError, KeyError, IndexError) as e:
        print("check_fleet: unexpected answer from Prometheus: %s" % e, file=sys.stderr)
        return 2
    funcs = merged["functions"]
    by_self = sorted(funcs, key=lambda f: (-f["self_ns"], f["name"]))[:10]
    problems = []
    if up != 3:
        problems.append("%d targets up, expected 3" % up)
    if merged["summary"]["files"] != 3:
        problems.append("the merge has %d files, expected 3" % merged["summary"]["files"])
    print("PromQL: %s" % rank_q)
    print("%-4s %-16s %14s   %-16s %14s" % ("rank", "Prometheus", "self s", "results files",
                                           "self s"))
    for i in range(max(len(ranked), len(by_self))):
        p = ranked[i] if i < len(ranked) else ("-", float("nan"))
        f = by_self[i] if i < len(by_self) else {"name": "-", "self_ns": 0}
        mark = ""
        seconds = f["self_ns"] / 1e9
        if p[0] != f["name"] or abs(p[1] - seconds) > 1e-9 * max(1.0, seconds):
            mark = "  <- differs"
            problems.append("rank %d: Prometheus %s %.9f s, results %s %.9f s"
                            % (i + 1, p[0], p[1], f["name"], seconds))
        print("%-4d %-16s %14.6f   %-16s %14.6f%s" % (i + 1, p[0], p[1], f["name"], seconds, mark))
    print("\nPromQL: %s" % calls_q)
    print("%-16s %14s %14s" % ("function", "Prometheus", "results files"))
    for f in sorted(funcs, key=lambda f: f["name"]):
        got = calls.get(f["name"])
        mark = "" if got == f["count"] else "  <- differs"
        if mark:
            problems.append("calls of %s: Prometheus %s, results %d" % (f["name"], got, f["count"]))
        print("%-16s %14s %14d%s" % (f["name"], got, f["count"], mark))
    extra = set(calls) - {f["name"] for f in funcs}
    if extra:
        problems.append("Prometheus has functions the results files do not: %s" % sorted(extra))
    if problems:
        print("\nfleet: DISAGREE\n  " + "\n  ".join(problems))
        return 1
    print("\nfleet: Prometheus and the results files agree (%d functions, 3 processes)"
          % len(funcs))
    return 0


if __name__ == "__main__":
    sys.exit(main())
