#!/usr/bin/env python3
"""Check the exact call-path tree of a results file written by the runtime.

usage: check_tree.py RESULTS [STACK=COUNT ...] [--folded]

STACK is "a;b;c" (function names, root first) and COUNT its calls. Without --folded the merged
tree (all trees of the file, merged by path) must have exactly these stacks with these counts, and
the format's invariants must hold: self times of the nodes add up to the functions' and, per
function, counts and self times too; every node's total time covers its self time and its
children's total times. With --folded (a run with a small HEATMAP_PATHS_MAX) the stacks given must
be present, folded_calls must be positive and equal to the calls that no node counts, and the
self times must still add up. When the trace file exists beside RESULTS, each function must have
as many enter events as calls (no events dropped).
"""
import json
import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from check_exports import by_names, fail, merged_tree  # noqa: E402


def main():
    args = sys.argv[1:]
    folded = "--folded" in args
    args = [a for a in args if a != "--folded"]
    results, expect = args[0], {}
    for a in args[1:]:
        stack, count = a.rsplit("=", 1)
        expect[tuple(stack.split(";"))] = int(count)
    with open(results) as fp:
        doc = json.load(fp)
    nodes, functions = merged_tree([results])
    tree = by_names(nodes)
    got = {k: v[0] for k, v in tree.items()}
    if folded:
        missing = {k: v for k, v in expect.items() if got.get(k) != v}
        if missing:
            fail("stacks missing or with other counts: %s\ntree: %s" % (missing, got))
        placed = sum(v[0] for v in nodes.values())
        calls = sum(v[0] for v in functions.values())
        if doc["paths"]["folded_calls"] <= 0 or doc["paths"]["folded_calls"] != calls - placed:
            fail("folded_calls %d, but %d calls are in no node" % (doc["paths"]["folded_calls"],
                                                                  calls - placed))
    elif got != expect:
        fail("tree differs:\nexpected %s\ngot      %s" % (sorted(expect.items()),
                                                         sorted(got.items())))
    node_self = sum(v[1] for v in nodes.values())
    fn_self = sum(v[1] for v in functions.values())
    if node_self != fn_self:
        fail("nodes' self times add up to %d, functions' to %d" % (node_self, fn_self))
    if not folded:
        for key, (count, self_ns) in functions.items():
            nc = sum(v[0] for p, v in nodes.items() if p[-1] == key)
            ns = sum(v[1] for p, v in nodes.items() if p[-1] == key)
            if (nc, ns) != (count, self_ns):
                fail("%s: nodes count %d calls, %d ns; the function %d, %d" % (key[0], nc, ns,
                                                                               count, self_ns))
    for p, (count, self_ns, total) in nodes.items():
        children = sum(v[2] for q, v in nodes.items() if len(q) == len(p) + 1 and q[:-1] == p)
        if total < self_ns or total < children:
            fail("%s: total %d below self %d or children's total %d" % (
                ";".join(k[0] for k in p), total, self_ns, children))
    trace = re.sub(r"\.json$", "", results) + ".trace.json"
    if os.path.exists(trace):
        with open(trace) as fp:
            t = json.load(fp)
        ids = {f["id"]: f for f in doc["functions"]}
        enters = {}
        for th in t["threads"]:
            if th.get("dropped_events"):
                fail("thread %s dropped %d events" % (th["tid"], th["dropped_events"]))
            for ev in th["events"]:
                enters[ev[1]] = enters.get(ev[1], 0) + (ev[2] == 1)
        for fid, f in ids.items():
            if enters.get(fid, 0) != f["count"]:
                fail("%s: %d enters in the trace, %d calls" % (f["name"], enters.get(fid, 0),
                                                               f["count"]))
    print("ok: tree of %s, %d stacks%s" % (results, len(tree), " (folded)" if folded else ""))


if __name__ == "__main__":
    main()
