#!/usr/bin/env python3
"""Write the results and trace files the export tests read (tests/export/fixtures/).

Hand-made stand-ins for what the runtime writes (docs/results-format.md: "Call paths" and "Trace
file"), made consistent by construction: each thread's program is *executed* by a tiny simulator
that emits enter/exit events with deterministic times; the trace is those events, and the
`functions`, `threads` and `paths` sections are computed from them exactly as the format defines
them (direct recursion collapsed into its caller's node with total_ns from the outermost
activation, mutual recursion making new nodes, calls beyond max_nodes folded into their caller's
node, exited threads merged into one "exited" tree). Node and function ids are scrambled and nodes
are listed in a shuffled order, as a reader must not rely on either.

The files are committed; run this only to change them: python3 tests/export/gen_fixtures.py
"""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")
sys.path.insert(0, os.path.join(HERE, "..", "viewer"))
from gen_fixtures import SUB_BITS, hist_index  # noqa: E402  the format's bucket formula, once


class Thread:
    """Runs a program and records its events: [ns, function name, kind]."""

    def __init__(self, tid, name, rng, start=0):
        self.tid, self.name, self.rng, self.t = tid, name, rng, start
        self.events = []

    def work(self, ns):
        self.t += ns

    def call(self, fn, body=None, own=None):
        self.events.append([self.t, fn, 1])
        self.work(own if own is not None else self.rng.randrange(50, 400))
        if body:
            body(self)
            self.work(self.rng.randrange(10, 90))
        self.events.append([self.t, fn, 0])


class Tree:
    """Calling-context tree built from events, per the format's rules."""

    def __init__(self, max_nodes):
        self.max_nodes = max_nodes
        self.nodes = {}  # path tuple -> [count, self, total]
        self.folded = 0

    def add_events(self, events):
        stack = []  # (fn, path, enter_ns, child_ns, counts_total, folded)
        for t, fn, kind in events:
            if kind == 1:
                parent = stack[-1][1] if stack else ()
                if stack and stack[-1][0] == fn:  # direct recursion: the caller's node
                    stack.append((fn, parent, t, 0, False, False))
                    continue
                path = parent + (fn,)
                if path not in self.nodes and len(self.nodes) >= self.max_nodes and parent:
                    self.folded += 1  # folded into the caller's node
                    stack.append((fn, parent, t, 0, False, True))
                    continue
                self.nodes.setdefault(path, [0, 0, 0])
                stack.append((fn, path, t, 0, True, False))
            else:
                f, path, t0, child, outer, folded = stack.pop()
                assert f == fn
                elapsed = t - t0
                node = self.nodes[path]
                node[1] += elapsed - child
                if not folded:
                    node[0] += 1
                if outer:
                    node[2] += elapsed
                if stack:
                    s = stack[-1]
                    stack[-1] = (s[0], s[1], s[2], s[3] + elapsed, s[4], s[5])
        assert not stack


def self_times(events):
    """Per function: the list of self times of its calls."""
    out, stack = {}, []
    for t, fn, kind in events:
        if kind == 1:
            stack.append([fn, t, 0])
        else:
            f, t0, child = stack.pop()
            elapsed = t - t0
            out.setdefault(f, []).append(elapsed - child)
            if stack:
                stack[-1][2] += elapsed
    return out


def write_files(name, threads, exited, sources, rng, max_nodes=65536, pid=4242, trace=True,
                paths=True, results_only_tree_names=None):
    """threads: Thread objects in start order; exited: tids whose trees merge into "exited"."""
    names = sorted({e[1] for th in threads for e in th.events})
    ids = rng.sample(range(1, 1000), len(names))
    fid = dict(zip(names, ids))
    samples = {}
    per_thread = {}
    for th in threads:
        st = self_times(th.events)
        per_thread[th.tid] = st
        for fn, v in st.items():
            samples.setdefault(fn, []).extend(v)
    functions = []
    order = names[:]
    rng.shuffle(order)
    for fn in order:
        v = samples[fn]
        hist = {}
        for x in v:
            hist[hist_index(x)] = hist.get(hist_index(x), 0) + 1
        file, line = sources[fn]
        functions.append({
            "id": fid[fn], "name": fn, "file": file, "line": line, "count": len(v),
            "self_ns": sum(v), "max_ns": max(v), "p50_ns": 0, "p95_ns": 0, "p99_ns": 0,
            "histogram": [[i, hist[i]] for i in sorted(hist)],
        })
    thread_objs = [{"tid": th.tid, "name": th.name,
                    "calls": sum(len(v) for v in per_thread[th.tid].values()),
                    "self_ns": sum(sum(v) for v in per_thread[th.tid].values())}
                   for th in threads]
    elapsed = max(th.t for th in threads) + 1000
    doc = {
        "version": 1, "program": "/tmp/" + name, "pid": pid, "hostname": "testbox",
        "start_unix_ns": 1764000000000000000 + pid, "elapsed_ns": elapsed, "clock": "monotonic",
        "overhead_ns": 0, "end": "exit",
        "histogram": {"kind": "log-linear", "sub_bucket_bits": SUB_BITS},
        "threads": thread_objs, "functions": functions,
    }
    if paths:
        trees, folded = [], 0
        groups = [(th.tid, [th]) for th in threads if th.tid not in exited]
        ex = [th for th in threads if th.tid in exited]
        if ex:
            groups.append(("exited", ex))
        for label, ths in groups:
            tree = Tree(max_nodes)
            for th in ths:
                tree.add_events(th.events)
            folded += tree.folded
            paths_sorted = sorted(tree.nodes, key=lambda p: (len(p), p))
            node_ids = dict(zip(paths_sorted, rng.sample(range(1, 100000), len(paths_sorted))))
            rows = []
            for p in paths_sorted:
                c, s, tot = tree.nodes[p]
                parent = node_ids[p[:-1]] if len(p) > 1 else 0
                rows.append([node_ids[p], parent, fid[p[-1]], c, s, tot])
            rng.shuffle(rows)
            trees.append({"thread": label, "nodes": rows})
        doc["paths"] = {"max_nodes": max_nodes, "folded_calls": folded, "trees": trees}
    with open(os.path.join(OUT, name + ".json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    if trace:
        tdoc = {
            "version": 1, "pid": pid, "results": name + ".json",
            "start_unix_ns": doc["start_unix_ns"],
            "threads": [{"tid": th.tid, "name": th.name, "dropped_events": 0,
                         "events": [[t, fid[fn], k] for t, fn, k in th.events]}
                        for th in threads],
        }
        with open(os.path.join(OUT, name + ".trace.json"), "w") as f:
            json.dump(tdoc, f, separators=(",", ":"))
            f.write("\n")


# ---- The programs ---------------------------------------------------------------------------

CALLGRAPH_SOURCES = {
    "run": ("callgraph.c", 76), "fib": ("callgraph.c", 16), "count_primes": ("callgraph.c", 29),
    "is_prime": ("callgraph.c", 20), "msort": ("callgraph.c", 48), "merge": ("callgraph.c", 36),
    "checksum": ("callgraph.c", 67),
}


def callgraph(th, fib_n=5, primes=10, sort_n=8):
    def fib(n):
        return lambda t: [t.call("fib", fib(n - 1)), t.call("fib", fib(n - 2))] if n >= 2 else None

    def msort(lo, hi):
        if hi - lo < 2:
            return None
        mid = lo + (hi - lo) // 2
        return lambda t: [t.call("msort", msort(lo, mid)), t.call("msort", msort(mid, hi)),
                          t.call("merge", own=40 * (hi - lo))]

    def run(t):
        t.call("fib", fib(fib_n))
        t.call("count_primes", lambda u: [u.call("is_prime", own=30 + 7 * k)
                                          for k in range(1, primes + 1)])
        t.call("msort", msort(0, sort_n))
        t.call("checksum", own=5 * sort_n)

    th.call("run", run)


THREADS_SOURCES = {
    "main_loop": ("threads.c", 40), "report": ("report.c", 12), "worker": ("threads.c", 20),
    "crunch": ("threads.c", 8), "parse_expr": ("parser.cpp", 101),
    "parse_term": ("parser.cpp", 140),
    "ns::Parser<std::map<std::string, int>>::parse(char const*, int)": ("parser.cpp", 60),
}


def threads_program(rng, scale=1):
    main = Thread(100, "app", rng)
    main.call("main_loop", lambda t: [t.call("report") for _ in range(2 * scale)])
    workers = []
    for k in range(2):
        w = Thread(101 + k, "worker-%d" % k, rng, start=500 * (k + 1))

        def body(t, k=k):
            for _ in range(3 * scale + k):
                t.call("crunch")
            t.call("report")
            # mutual recursion: parse_expr -> parse_term -> parse_expr -> parse_term
            t.call("parse_expr", lambda u: u.call(
                "parse_term", lambda v: v.call("parse_expr", lambda x: x.call("parse_term"))))
            t.call("ns::Parser<std::map<std::string, int>>::parse(char const*, int)",
                   lambda u: u.call("crunch"))

        w.call("worker", body)
        workers.append(w)
    return [main] + workers


def main():
    os.makedirs(OUT, exist_ok=True)
    rng = random.Random(7)
    th = Thread(4242, "callgraph", rng)
    callgraph(th)
    write_files("callgraph", [th], set(), CALLGRAPH_SOURCES, rng)

    rng = random.Random(11)
    write_files("threads", threads_program(rng), {101, 102}, THREADS_SOURCES, rng, pid=100)
    rng = random.Random(12)  # a second run: other ids, other times, more calls
    write_files("threads2", threads_program(rng, scale=2), {101, 102}, THREADS_SOURCES, rng,
                pid=200)

    rng = random.Random(13)  # a node limit of 5: paths beyond it are folded into their caller
    th = Thread(77, "callgraph", rng)
    callgraph(th, fib_n=3, primes=3, sort_n=4)
    write_files("folded", [th], set(), CALLGRAPH_SOURCES, rng, max_nodes=5, pid=77, trace=False)

    rng = random.Random(14)  # recorded with HEATMAP_PATHS=off and no trace
    th = Thread(88, "callgraph", rng)
    callgraph(th, fib_n=2, primes=2, sort_n=2)
    write_files("nopaths", [th], set(), CALLGRAPH_SOURCES, rng, pid=88, trace=False, paths=False)


if __name__ == "__main__":
    main()
