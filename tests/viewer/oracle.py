#!/usr/bin/env python3
"""Independent check of heatmap-view's numbers: recompute them from the fixtures' JSON here, from
docs/results-format.md alone (bucket formula, nearest rank, merge rules), and compare with what the
viewer prints as CSV (exact ns), as JSON (the summary and every function), as a text table (human
units), as the per-thread tables (--threads, CSV and text) and as a diff (CSV and text);
and check that the machine formats and diffs leave stderr empty.

The cpu/wait split (docs/viewer.md, "What the numbers mean"): when every function of every file
has cpu_ns and wait_ns, CPU Time is the sum of cpu_ns, Wait the sum of wait_ns, Parallelism CPU
Time / Elapsed, and the list is ranked by cpu_ns; otherwise CPU Time is unknown ("n/a", empty CSV
cells, JSON null) and the list is ranked by self time.

usage: oracle.py VIEWER FIXTURES_DIR        exit 0 when everything agrees, else 1 with the differences

Shares no code with the C side, so a bug in results/ or viewer/ cannot hide by being on both sides
of the comparison (as it can in a golden file recorded from the viewer itself).
"""
import csv
import fnmatch
import io
import json
import os
import re
import subprocess
import sys

S_BITS = 5
S = 1 << S_BITS


def bucket_bounds(index):
    """[lo, lo + width) of a histogram bucket, as the format document defines it."""
    if index < S:
        return index, 1
    g = (index - S) // S
    return (S + (index - S) % S) << g, 1 << g


def percentile(f, p):
    count, max_ns = f["count"], f["max_ns"]
    rank = max(1, -(-p * count // 100))  # ceil(p/100 * count) in integers
    if rank >= count:
        return max_ns  # the last rank is the largest sample: max_ns, exact
    seen = 0
    for index, n in f["histogram"]:
        seen += n
        if seen >= rank:
            lo, width = bucket_bounds(index)
            return min(lo + (width - 1) // 2, max_ns)
    return max_ns


def avg(count, total):
    q, r = divmod(total, count)
    return q + (1 if 2 * r >= count else 0)


def fmt(ns):
    """3 significant digits in the largest unit that keeps the value below 1000, half up."""
    if ns < 1000:
        return "%dns" % ns
    for scale, unit in ((1000, "\u00b5s"), (10**6, "ms"), (10**9, "s")):
        for dec in (2, 1, 0):
            step = scale // 10**dec
            q, r = divmod(ns, step)
            v = q + (1 if 2 * r >= step else 0)
            if v >= 1000 and not (unit == "s" and dec == 0):
                continue
            return "%d.%0*d%s" % (v // 10**dec, dec, v % 10**dec, unit) if dec else "%d%s" % (v, unit)
    raise AssertionError("not reached")


def has_split(docs):
    """The split is known when every function of every file carries it."""
    fs = [f for d in docs for f in d["functions"]]
    return bool(fs) and all("cpu_ns" in f and "wait_ns" in f for f in fs)


def merge(docs):
    """Functions of several files summed by (name, file, line); elapsed is the largest; the cpu/wait
    split summed when every file has it; the profiler's overhead summed when every file has it."""
    out = {}
    split = has_split(docs)
    for d in docs:
        for f in d["functions"]:
            key = (f["name"], f["file"], f["line"])
            m = out.setdefault(key, {"name": f["name"], "file": f["file"], "line": f["line"],
                                     "count": 0, "self_ns": 0, "max_ns": 0, "hist": {}})
            m["count"] += f["count"]
            m["self_ns"] += f["self_ns"]
            if split:
                m["cpu_ns"] = m.get("cpu_ns", 0) + f["cpu_ns"]
                m["wait_ns"] = m.get("wait_ns", 0) + f["wait_ns"]
            m["max_ns"] = max(m["max_ns"], f["max_ns"])
            for index, n in f["histogram"]:
                m["hist"][index] = m["hist"].get(index, 0) + n
    for m in out.values():
        m["histogram"] = sorted(m.pop("hist").items())
    overhead = None
    if all("overhead_total_ns" in d for d in docs):
        overhead = sum(d["overhead_total_ns"] for d in docs)
    return {"elapsed_ns": max(d["elapsed_ns"] for d in docs), "functions": list(out.values()),
            "split": split, "overhead": overhead, "cpus": max(d.get("cpus", 0) for d in docs)}


def csv_field(s):
    return '"%s"' % s.replace('"', '""') if any(c in s for c in ',"\r\n') else s


def ident(f):
    return (f["name"].encode(), f["file"].encode(), f["line"])


def cpu_rank(f):
    return f["cpu_ns"] if "cpu_ns" in f else f["self_ns"]


def by_cpu(functions):
    """The default order: cpu_ns largest first (self_ns without the split), then identity."""
    return sorted(functions, key=lambda f: (-cpu_rank(f),) + ident(f))


def viewer(exe, cwd, *args):
    env = dict(os.environ, LC_ALL="C.UTF-8")
    run = subprocess.run([exe, *args], cwd=cwd, env=env, capture_output=True, text=True)
    if run.returncode != 0:
        raise SystemExit("heatmap-view %s: exit %d\n%s" % (" ".join(args), run.returncode, run.stderr))
    # Machine formats and diffs are silent on stderr (docs/viewer.md: only the text summary
    # without a terminal adds its warning there).
    if any(a in ("--format=json", "--format=csv", "--diff") for a in args):
        expect("heatmap-view %s: stderr" % " ".join(args), run.stderr, "")
    return run.stdout


problems = []


def expect(what, got, want):
    if got != want:
        problems.append("%s:\n  viewer: %r\n  oracle: %r" % (what, got, want))


SORT_KEYS = {
    "cpu": cpu_rank,
    "self": lambda f: f["self_ns"],
    "wait": lambda f: f.get("wait_ns", 0),  # 0 without the split: then names decide
}


def check_csv(exe, cwd, files, sort="cpu"):
    doc = merge([json.load(open(os.path.join(cwd, f))) for f in files])
    # rows compared as text: a quoted field may hold a newline
    text = viewer(exe, cwd, "--format=csv", "--top=all", "--sort=" + sort, *files)
    want = ["function,file,line,count,self_ns,cpu_ns,wait_ns,avg_ns,max_ns,p50_ns,p95_ns,p99_ns"]
    key = SORT_KEYS[sort]
    for f in sorted(doc["functions"], key=lambda f: (-key(f),) + ident(f)):
        if doc["split"]:
            assert f["cpu_ns"] + f["wait_ns"] == f["self_ns"], f["name"]
        cpu_wait = "%d,%d" % (f["cpu_ns"], f["wait_ns"]) if doc["split"] else ","
        want.append("%s,%s,%d,%d,%d,%s,%d,%d,%d,%d,%d" % (
            csv_field(f["name"]), csv_field(f["file"]), f["line"], f["count"], f["self_ns"], cpu_wait,
            avg(f["count"], f["self_ns"]), f["max_ns"], percentile(f, 50), percentile(f, 95),
            percentile(f, 99)))
    expect("%s: csv --sort=%s" % (files, sort), text.split("\n"), "\n".join(want + [""]).split("\n"))


def place(f, functions):
    """The file a shared name is shown with (docs/viewer.md): its last k path components for the
    smallest k that no other file of that name ends with (functions of one file: the last one)."""
    parts = f["file"].split("/")
    others = [g["file"].split("/") for g in functions
              if g["name"] == f["name"] and g["file"] != f["file"]]
    for k in range(1, len(parts) + 1):
        if all(o[-k:] != parts[-k:] for o in others):
            return "/".join(parts[-k:])
    return f["file"]


def check_filter(exe, cwd, name, pattern):
    """--filter is smart-case (docs/viewer.md): a pattern with no capital ignores case; plain text
    matches anywhere in the name."""
    doc = json.load(open(os.path.join(cwd, name)))
    glob = pattern if any(c in pattern for c in "*?[") else "*" + pattern + "*"
    fold = not any("A" <= c <= "Z" for c in pattern)
    want = sorted(f["name"] for f in doc["functions"]
                  if fnmatch.fnmatchcase(f["name"].lower() if fold else f["name"], glob))
    out = viewer(exe, cwd, "--format=csv", "--top=all", "--filter=" + pattern, name)
    got = sorted(row[0] for row in list(csv.reader(io.StringIO(out)))[1:])
    expect("%s: --filter=%s" % (name, pattern), got, want)


def check_text(exe, cwd, files):
    doc = merge([json.load(open(os.path.join(cwd, f))) for f in files])
    out = viewer(exe, cwd, "--format=text", "--mode=table", "--top=all", "--width=300", *files)
    self_ns = sum(f["self_ns"] for f in doc["functions"])
    calls = sum(f["count"] for f in doc["functions"])
    elapsed = doc["elapsed_ns"]
    if doc["split"]:
        cpu = sum(f["cpu_ns"] for f in doc["functions"])
        wait = sum(f["wait_ns"] for f in doc["functions"])
        parallelism = "~%.1fx" % (cpu / elapsed) if elapsed else "~0.0x"
        summary = "Elapsed: %s | CPU Time: %s | Wait: %s | Parallelism: %s" % (
            fmt(elapsed), fmt(cpu), fmt(wait), parallelism)
    else:  # wall self time is not CPU time
        summary = "Elapsed: %s | Self Time: %s | CPU Time: n/a (results from an older runtime)" % (
            fmt(elapsed), fmt(self_ns))
    if doc["overhead"] is not None:
        summary += " | Profiling overhead: %s (%.2f%% of the run)" % (
            fmt(doc["overhead"]), 100.0 * doc["overhead"] / (self_ns + doc["overhead"]))
    expect("%s: summary" % files, out.splitlines()[1], summary)
    expect("%s: counts" % files, out.splitlines()[2],
           "Functions: %d | Total Calls: %d" % (len(doc["functions"]), calls))
    expect("%s: table header" % files, re.split(r"\s{2,}", out.split("\nFunction ", 1)[1].splitlines()[0].strip()),
           ["Count", "CPU Time", "Wait", "Avg", "Max", "P95"] if doc["split"]
           else ["Count", "Self Time", "Avg", "Max", "P95"])
    rows = out.split("Function ", 1)[1].splitlines()[1:]
    names = {}
    for f in doc["functions"]:
        names[f["name"]] = names.get(f["name"], 0) + 1
    want = []
    for f in by_cpu(doc["functions"]):
        label = f["name"] if names[f["name"]] == 1 else "%s (%s:%d)" % (
            f["name"], place(f, doc["functions"]), f["line"])
        times = [fmt(f["cpu_ns"]), fmt(f["wait_ns"])] if doc["split"] else [fmt(f["self_ns"])]
        want.append([label, str(f["count"])] + times + [fmt(avg(f["count"], f["self_ns"])),
                     fmt(f["max_ns"]), fmt(percentile(f, 95))])
    expect("%s: table rows" % files, [re.split(r"\s{2,}", r.strip()) for r in rows], want)


def check_json(exe, cwd, files):
    """The run's figures in --format=json: summary and each function's split."""
    docs = [json.load(open(os.path.join(cwd, f))) for f in files]
    doc = merge(docs)
    got = json.loads(viewer(exe, cwd, "--format=json", "--top=all", *files))
    elapsed, split = doc["elapsed_ns"], doc["split"]
    self_ns = sum(f["self_ns"] for f in doc["functions"])
    cpu = sum(f["cpu_ns"] for f in doc["functions"]) if split else None
    wait = sum(f["wait_ns"] for f in doc["functions"]) if split else None
    par = round(cpu / elapsed, 3) if split and elapsed else (0.0 if split else None)
    over = doc["overhead"]
    want = {"elapsed_ns": elapsed, "cpu_ns": cpu, "wait_ns": wait, "self_ns": self_ns,
            "parallelism": par, "profiler_overhead_ns": over,
            "cpus": doc["cpus"] or None}
    summary = got["summary"]
    expect("%s: json summary" % files, {k: summary.get(k) for k in want}, want)
    if over is not None:
        share = summary["profiler_overhead_share"]
        expect("%s: json overhead share" % files, abs(share - over / (self_ns + over)) < 1e-6, True)
    rows = {(f["name"], f["file"], f["line"]): f for f in got["functions"]}
    for f in doc["functions"]:
        g = rows[(f["name"], f["file"], f["line"])]
        if split:
            expect("%s: json %s cpu/wait" % (files, f["name"]), (g.get("cpu_ns"), g.get("wait_ns"), g["self_ns"]),
                   (f["cpu_ns"], f["wait_ns"], f["cpu_ns"] + f["wait_ns"]))
        else:
            expect("%s: json %s has no split" % (files, f["name"]), "cpu_ns" in g or "wait_ns" in g, False)
    if len(docs) == 1 and split:  # blocked and open calls as the file has them
        for f in docs[0]["functions"]:
            g = rows[(f["name"], f["file"], f["line"])]
            expect("%s: json %s blocked_ns" % (files, f["name"]), g.get("blocked_ns"), f["blocked_ns"])
            expect("%s: json %s open_calls" % (files, f["name"]), g.get("open_calls", 0), f["open_calls"])


def check_threads(exe, cwd, name):
    """The thread table: with every thread's CPU clock, CPU Time and Wait ranked by CPU (ties by
    tid), the share of all threads' CPU; else Self Time in file order."""
    d = json.load(open(os.path.join(cwd, name)))
    out = viewer(exe, cwd, "--threads", "--mode=table", "--width=120", name)
    lines = out.split("\nThreads: %d\n" % len(d["threads"]), 1)[1].splitlines()
    cpu = all("cpu_ns" in t for t in d["threads"])
    ts = sorted(d["threads"], key=lambda t: (-t["cpu_ns"], t["tid"])) if cpu else d["threads"]
    key = "cpu_ns" if cpu else "self_ns"
    total = sum(t[key] for t in ts)
    want = [["TID", "Name", "Calls", "CPU Time", "Wait", "Share"] if cpu
            else ["TID", "Name", "Calls", "Self Time", "Share"]]
    for t in ts:
        want.append([str(t["tid"]), t["name"], str(t["calls"]), fmt(t[key])] +
                    ([fmt(t["wait_ns"])] if cpu else []) + ["%.1f%%" % (100.0 * t[key] / total)])
    got = [re.split(r"\s{2,}", l.strip()) for l in lines[:len(ts) + 1]]
    expect("%s: thread table" % name, got, want)


def check_bars(exe, cwd, name):
    """Bar lengths (in eighths of a column) never grow down a CPU-sorted list and are 0 nowhere."""
    out = viewer(exe, cwd, "--mode=bar", "--top=all", name)
    eighths = []
    blocks = " \u258f\u258e\u258d\u258c\u258b\u258a\u2589\u2588"
    for row in out.split("Bar Chart\n", 1)[1].splitlines():
        bar = re.search("[%s]+" % blocks[1:], row).group(0)
        eighths.append(sum(blocks.index(c) for c in bar))
    expect("%s: bars decrease" % name, eighths, sorted(eighths, reverse=True))
    expect("%s: no empty bar" % name, min(eighths) > 0, True)


def check_json_functions(exe, cwd, files):
    """--format=json: the summary and every function's figures, from the fixtures alone."""
    docs = [json.load(open(os.path.join(cwd, f))) for f in files]
    doc = merge(docs)
    got = json.loads(viewer(exe, cwd, "--format=json", "--top=all", *files))
    cpu = sum(f["self_ns"] for f in doc["functions"])
    elapsed = doc["elapsed_ns"]
    want = {"elapsed_ns": elapsed, "cpu_ns": cpu,
            "parallelism": round(cpu / elapsed, 3) if elapsed else 0,
            "functions": len(doc["functions"]),
            "total_calls": sum(f["count"] for f in doc["functions"]), "files": len(files),
            "shown": len(doc["functions"]), "sort": "cpu", "filter": ""}
    summary = got["summary"]
    expect("%s: json summary counts" % files, {k: summary.get(k) for k in want if k not in ("cpu_ns", "parallelism")},
           {k: v for k, v in want.items() if k not in ("cpu_ns", "parallelism")})
    rows = [(f["name"], f["file"], f["line"], f["count"], f["self_ns"], f["avg_ns"], f["max_ns"],
             f["p50_ns"], f["p95_ns"], f["p99_ns"]) for f in got["functions"]]
    want_rows = [(f["name"], f["file"], f["line"], f["count"], f["self_ns"],
                  avg(f["count"], f["self_ns"]), f["max_ns"], percentile(f, 50), percentile(f, 95),
                  percentile(f, 99)) for f in by_cpu(doc["functions"])]
    expect("%s: json functions" % files, rows, want_rows)


def thread_names(doc):
    return {t["tid"]: t["name"] for t in doc["threads"]}


def check_thread_split(exe, cwd, name):
    """--threads: the per-thread CSV rows and the per-thread table, from the fixture's per-function
    thread split (with its cpu/wait split where the file has one); the thread table itself is
    check_threads' business."""
    doc = json.load(open(os.path.join(cwd, name)))
    names = thread_names(doc)
    split = has_split([doc])
    want = ["function,file,line,tid,thread,count,self_ns,cpu_ns,wait_ns,avg_ns"]
    for f in by_cpu(doc["functions"]):
        # Without a split the thread is known only when the file has one thread.
        only = doc["threads"][0]["tid"] if len(doc["threads"]) == 1 else None
        for t in f.get("threads") or [{"tid": only, "count": f["count"], "self_ns": f["self_ns"],
                                       "cpu_ns": f.get("cpu_ns"), "wait_ns": f.get("wait_ns")}]:
            cw = ("%d,%d" % (t["cpu_ns"], t["wait_ns"])) if split else ","
            who = ("%d,%s" % (t["tid"], csv_field(names[t["tid"]]))) if t["tid"] is not None else ","
            want.append("%s,%s,%d,%s,%d,%d,%s,%d" % (
                csv_field(f["name"]), csv_field(f["file"]), f["line"], who, t["count"],
                t["self_ns"], cw, avg(t["count"], t["self_ns"])))
    got = viewer(exe, cwd, "--threads", "--format=csv", "--top=all", name)
    expect("%s: threads csv" % name, got.split("\n"), want + [""])

    out = viewer(exe, cwd, "--threads", "--mode=table", "--format=text", "--top=all",
                 "--width=120", name)
    lines = out.splitlines()
    per = lines.index("Per thread:")
    got_rows = [re.split(r"\s{2,}", r.strip()) for r in lines[per + 2:] if r.strip()]
    want_rows = []
    for f in by_cpu(doc["functions"]):
        for i, t in enumerate(f.get("threads") or []):
            row = [str(t["tid"]), names[t["tid"]], str(t["count"]), fmt(t["self_ns"]),
                   fmt(avg(t["count"], t["self_ns"])),
                   "%.1f%%" % (100.0 * t["self_ns"] / f["self_ns"] if f["self_ns"] else 0)]
            if split:
                row += [fmt(t["cpu_ns"]), fmt(t["wait_ns"])]
            want_rows.append(([f["name"]] if i == 0 else []) + row)
    expect("%s: per-thread table" % name, [r for r in got_rows][:len(want_rows)], want_rows)

def ratio(b, a):
    """a / b with 2 decimals, half up (as fmt rounds); "-" when b is 0."""
    if not b:
        return "-"
    q, r = divmod(a * 100, b)
    v = q + (1 if 2 * r >= b else 0)
    return "%d.%02dx" % (v // 100, v % 100)


def check_diff_text(exe, cwd, base, new):
    """The text diff's header: each side's elapsed, CPU time, functions and calls, and the
    change line, from the two files alone."""
    sides = []
    for f in (base, new):
        d = json.load(open(os.path.join(cwd, f)))
        sides.append((f, d["elapsed_ns"], sum(x["self_ns"] for x in d["functions"]),
                      len(d["functions"]), sum(x["count"] for x in d["functions"]),
                      {ident(x) for x in d["functions"]}))
    out = viewer(exe, cwd, "--diff", base, new).splitlines()
    want = ["=== heatmap Diff ==="]
    for label, (f, el, cpu, nf, calls, _) in zip(("Base: ", "New:  "), sides):
        want.append("%s%s | Elapsed: %s | Self Time: %s | Functions: %d | Total Calls: %d" % (
            label, f, fmt(el), fmt(cpu), nf, calls))
    names_b = {k[0] for k in sides[0][5]}
    names_a = {k[0] for k in sides[1][5]}
    want.append("Change: Elapsed %s | Self Time %s | %d new, %d vanished" % (
        ratio(sides[0][1], sides[1][1]), ratio(sides[0][2], sides[1][2]),
        len(names_a - names_b), len(names_b - names_a)))
    expect("diff %s %s: header" % (base, new), out[:4], want)
    # The rows: count, CPU time, avg and P95, each "base→new" ("-" for a missing side) followed
    # by the ratio new/base ("new", "gone" for a missing side; counts have no ratio).
    want = []
    for status, fb, fa in diff_rows(cwd, base, new):
        f = fa or fb
        row = [f["name"], "%s\u2192%s" % (fb["count"] if fb else "-", fa["count"] if fa else "-")]
        for get in (lambda x: x["self_ns"], lambda x: avg(x["count"], x["self_ns"]),
                    lambda x: percentile(x, 95)):
            row.append("%s\u2192%s" % (fmt(get(fb)) if fb else "-", fmt(get(fa)) if fa else "-"))
            row.append("gone" if not fa else "new" if not fb else ratio(get(fb), get(fa)))
        want.append(row)
    start = out.index(next(r for r in out if r.startswith("Function"))) + 1
    got = [r.split() for r in out[start:start + len(want)]]
    expect("diff %s %s: rows" % (base, new), got, want)


def diff_rows(cwd, base, new):
    """Pairing by name+file+line, then name+file, then name; rows by CPU-time change, largest
    first: [(status, base function or None, new function or None)]."""
    b = json.load(open(os.path.join(cwd, base)))["functions"]
    a = json.load(open(os.path.join(cwd, new)))["functions"]
    rows, left_b, left_a = [], list(b), list(a)
    for fields in (3, 2, 1):
        key = lambda f: ident(f)[:fields]
        for fb in list(left_b):
            mb = [x for x in left_b if key(x) == key(fb)]
            ma = [x for x in left_a if key(x) == key(fb)]
            if len(mb) == 1 and len(ma) == 1:
                rows.append(("both", fb, ma[0]))
                left_b.remove(fb)
                left_a.remove(ma[0])
    rows += [("vanished", f, None) for f in left_b] + [("new", None, f) for f in left_a]
    status_order = {"both": 0, "new": 1, "vanished": 2}
    rows.sort(key=lambda r: (-diff_delta(r),) + ident(r[2] or r[1]) + (status_order[r[0]],))
    return rows


def diff_delta(r):
    return (r[2]["self_ns"] if r[2] else 0) - (r[1]["self_ns"] if r[1] else 0)


def check_diff(exe, cwd, base, new):
    """The CSV diff, row by row."""
    rows = diff_rows(cwd, base, new)
    delta = diff_delta
    want = []
    for status, fb, fa in rows:
        f = fa or fb
        cells = [csv_field(f["name"]), csv_field(f["file"]), str(f["line"]), status]
        for get in (lambda x: x["count"], lambda x: x["self_ns"],
                    lambda x: avg(x["count"], x["self_ns"]), lambda x: percentile(x, 95)):
            cells += [str(get(fb)) if fb else "", str(get(fa)) if fa else ""]
        want.append(",".join(cells + [str(delta((status, fb, fa)))]))
    got = viewer(exe, cwd, "--format=csv", "--diff", base, new).splitlines()[1:]
    expect("diff %s %s" % (base, new), got, want)


def main():
    exe, cwd = sys.argv[1], sys.argv[2]
    for files in (["small.json"], ["many.json"], ["threads.json"], ["base.json", "new.json"],
                  ["small.json", "small.json"], ["pool.json"], ["pool.json", "pool.json"],
                  ["small.json", "pool.json"]):
        check_csv(exe, cwd, files)
        check_text(exe, cwd, files)
        check_json(exe, cwd, files)
        check_json_functions(exe, cwd, files)
    for name in ("pool.json", "threads.json"):
        check_threads(exe, cwd, name)
        check_thread_split(exe, cwd, name)
    check_csv(exe, cwd, ["odd_names.json"])  # full names, RFC 4180 quoting
    for sort in ("self", "wait"):
        for files in (["pool.json"], ["small.json"], ["pool.json", "small.json"]):
            check_csv(exe, cwd, files, sort)
    for name in ("small.json", "many.json", "threads.json", "pool.json"):
        check_bars(exe, cwd, name)
    for pattern in ("parser", "Parser", "PARSER", "map", "*_*S", "*_*s", "[a-h]*", "[A-H]*"):
        check_filter(exe, cwd, "small.json", pattern)
    check_diff(exe, cwd, "base.json", "new.json")
    check_diff(exe, cwd, "new.json", "base.json")
    check_diff(exe, cwd, "small.json", "many.json")
    for base, new in (("base.json", "new.json"), ("new.json", "base.json")):
        check_diff_text(exe, cwd, base, new)
    for p in problems:
        print(p)
    print("oracle: %d problem(s)" % len(problems))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
