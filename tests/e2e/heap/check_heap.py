#!/usr/bin/env python3
"""Checks of tests/e2e/heap: memory tracking's figures, exactly (issue 12).

usage: check_heap.py MODE WORK_DIR
The expected figures are counted by hand from heap.c and heap_cxx.cpp (never from the runtime):
(allocations, requested bytes, releases, bytes still in use at exit, peak bytes in use)."""
import csv
import glob
import json
import os
import re
import sys

mode, work = sys.argv[1], sys.argv[2]
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


# function: (alloc_objects, alloc_bytes, free_objects, inuse_bytes, peak_inuse_bytes)
EXPECTED = {
    "build_list": (100, 100 * 24, 100, 0, 2400),
    "leak": (3, 3000, 0, 3000, 3000),
    "grow": (4, 16 + 32 + 64 + 128, 4, 0, 128),
    "zeroed": (1, 80, 1, 0, 80),
    "dup_string": (1, 6, 1, 0, 6),
    "aligned": (3, 100 + 256 + 50, 3, 0, 406),
    "thread_alloc": (10, 500, 10, 0, 500),
    "cxx_objects": (5, 200, 5, 0, 200),
    "cxx_array": (1, 100, 1, 0, 100),
}
NONE = ("free_list", "thread_free", "run_all", "nothing")  # they allocate nothing


def load(path):
    with open(path) as f:
        return json.load(f)


def heap_rows(d):
    """The results file's heap.functions rows by function name ((outside) for id 0)."""
    names = {f["id"]: f["name"] for f in d["functions"]}
    return {(names[r[0]] if r[0] else "(outside)"): r[1:] for r in d["heap"]["functions"]}


def check_results(d, where):
    check("heap" in d, "%s: a heap section" % where)
    if "heap" not in d:
        return
    rows = heap_rows(d)
    for name, (ao, ab, fo, ib, peak) in EXPECTED.items():
        r = rows.get(name)
        check(r is not None, "%s: %s has memory figures" % (where, name))
        if r is None:
            continue
        got = (r[0], r[1], r[2], r[1] - r[3], r[4])
        check(got == (ao, ab, fo, ib, peak), "%s: %s: expected %s, got %s" % (where, name,
                                                                               (ao, ab, fo, ib, peak), got))
    for name in NONE:
        check(name not in rows, "%s: %s allocated nothing, but has %s" % (where, name, rows.get(name)))
    # Sites: the paths of the allocating functions, innermost first, under run_all.
    ids = {f["name"]: f["id"] for f in d["functions"]}
    paths = {tuple(s[5]) for s in d["heap"]["sites"]}
    for name in EXPECTED:
        want = (ids[name],) if name == "thread_alloc" else (ids[name], ids["run_all"])
        check(want in paths, "%s: a site %s for %s" % (where, want, name))
    # Sites and functions agree, (outside) included: the totals add up.
    for k in range(4):
        check(sum(s[1 + k] for s in d["heap"]["sites"]) == sum(r[k] for r in rows.values()),
              "%s: sites and functions disagree on column %d" % (where, k))


def check_view_json(path):
    v = load(path)
    fn = {f["name"]: f for f in v["functions"]}
    for name, (ao, ab, fo, ib, peak) in EXPECTED.items():
        f = fn.get(name, {})
        got = tuple(f.get(k) for k in ("alloc_objects", "alloc_bytes", "free_objects", "inuse_bytes",
                                       "peak_inuse_bytes"))
        check(got == (ao, ab, fo, ib, peak), "view json: %s: expected %s, got %s" % (
            name, (ao, ab, fo, ib, peak), got))
        check(f.get("inuse_objects") == ao - fo, "view json: %s: inuse_objects" % name)
    mem = v["summary"].get("memory")
    check(mem is not None, "view json: summary.memory")
    if mem:
        outside = mem["outside"]
        check(outside["name"] == "(outside)", "view json: the outside entry's name")
        for k in ("alloc_objects", "alloc_bytes", "free_objects", "inuse_objects", "inuse_bytes"):
            total = sum(f[k] for f in v["functions"]) + outside[k]
            check(mem[k] == total, "view json: summary.memory.%s %s != functions + outside %s" % (
                k, mem[k], total))
        check(mem["inuse_bytes"] == 3000 + outside["inuse_bytes"], "view json: leaks = 3000 + outside")


def check_view_csv(path):
    with open(path) as f:
        rows = {r["function"]: r for r in csv.DictReader(f)}
    for name, (ao, ab, fo, ib, peak) in EXPECTED.items():
        r = rows.get(name, {})
        got = tuple(int(r.get(k, -1)) for k in ("alloc_objects", "alloc_bytes", "free_objects",
                                                  "inuse_bytes", "peak_inuse_bytes"))
        check(got == (ao, ab, fo, ib, peak), "view csv: %s: got %s" % (name, got))


def check_view_text(path):
    text = open(path).read()
    leak_lines = [l for l in text.splitlines() if l.startswith("leak ")]
    check(leak_lines and "LEAK" in leak_lines[0], "memory text: leak is marked LEAK")
    for name in EXPECTED:
        if name != "leak":
            line = [l for l in text.splitlines() if l.startswith(name + " ")]
            check(line and "LEAK" not in line[0], "memory text: %s is not a leak" % name)
    check(re.search(r"^\(outside\) ", text, re.M) is not None, "memory text: the (outside) row")
    check(re.search(r"^Memory: .* in \d+ allocations \| in use at exit: .* in \d+ blocks \(3 in "
                    r"functions, \d+ \(outside\)\)$", text, re.M) is not None,
          "memory text: the summary's Memory line, 3 blocks leaked by functions")


def check_summary(path, results):
    """HEATMAP_SUMMARY's Memory line: the run's totals, as the results file has them."""
    d = load(results)
    rows = heap_rows(d)
    ab = sum(r[1] for r in rows.values())
    ao = sum(r[0] for r in rows.values())
    ib = ab - sum(r[3] for r in rows.values())
    io = ao - sum(r[2] for r in rows.values())
    want = "Memory: %d bytes in %d allocations | in use at exit: %d bytes in %d blocks" % (
        ab, ao, ib, io)
    check(want in open(path).read(), "summary: '%s' in %s" % (want, open(path).read()))
    check(ib >= 3000, "summary: the leak is in use at exit")


def check_raw(path, default):
    """A `go tool pprof -raw` listing: samples [alloc_objects alloc_space inuse_objects
    inuse_space] with location ids, then the locations' function names."""
    text = open(path).read()
    check(re.search(r"alloc_objects/count alloc_space/bytes(\[dflt\])? inuse_objects/count "
                    r"inuse_space/bytes", text), "%s: the four sample types" % path)
    check("%s/bytes[dflt]" % default in text, "%s: default %s" % (path, default))
    locs = dict(re.findall(r"^\s+(\d+): 0x0 M=1 (\S+)", text, re.M))
    samples = re.findall(r"^\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+): ([\d ]+)$", text, re.M)
    by_leaf = {}
    for ao, ab, io, ib, stack in samples:
        leaf = locs.get(stack.split()[0])
        v = by_leaf.setdefault(leaf, [0, 0, 0, 0])
        for k, x in enumerate((ao, ab, io, ib)):
            v[k] += int(x)
    for name, (ao, ab, fo, ib, peak) in EXPECTED.items():
        got = tuple(by_leaf.get(name, (None,) * 4))
        check(got == (ao, ab, ao - fo, ib), "%s: %s: expected %s, got %s" % (
            path, name, (ao, ab, ao - fo, ib), got))
    check("(outside)" in by_leaf, "%s: an (outside) sample" % path)


d = load(os.path.join(work, "h.json"))
if mode in ("exact", "static"):
    check_results(d, "results")
    check_view_json(os.path.join(work, "view.json"))
    check_view_csv(os.path.join(work, "view.csv"))
    check_view_text(os.path.join(work, "view.txt"))
    check_summary(os.path.join(work, "summary.txt"), os.path.join(work, "s.json"))
    for t, default in (("heap", "inuse_space"), ("allocs", "alloc_space")):
        for who in ("rt", "view"):
            raw = os.path.join(work, "%s.%s.raw" % (who, t))
            if os.path.exists(raw):
                check_raw(raw, default)
            else:
                print("note: go is not installed: %s not read back with go tool pprof" % raw)
elif mode == "off":
    check("heap" not in d, "HEATMAP_HEAP=off: no heap section")
elif mode == "signals":
    rows = heap_rows(d)
    r = rows.get("churn_with_signals")
    check(r is not None and r[0] >= 1000 and r[0] == r[2] and r[1] == r[3],
          "signals: every block of the loop (and of the handler) released: %s" % (r,))
elif mode == "fork":
    rows = heap_rows(d)
    check(tuple(rows.get("build_list", ())[:3]) == (10, 240, 10), "fork parent: build_list %s" % (
        rows.get("build_list"),))
    check("leak" not in rows, "fork parent: no leak (the child's)")
    children = [p for p in glob.glob(os.path.join(work, "h.*.json")) if "trace" not in p]
    check(len(children) == 1, "fork: one child results file, got %s" % children)
    if children:
        c = heap_rows(load(children[0]))
        # The child inherits the parent's heap and its figures, frees the list, leaks 3000.
        check(tuple(c.get("build_list", ())[:3]) == (10, 240, 10), "fork child: build_list %s" % (
            c.get("build_list"),))
        check(tuple(c.get("leak", ())[:4]) == (3, 3000, 0, 0), "fork child: leak %s" % (c.get("leak"),))

if failures:
    for f in failures:
        print("FAIL:", f)
    sys.exit(1)
