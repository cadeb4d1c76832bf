#!/usr/bin/env python3
"""Check heatmap-view's exports against the results files, with the exports' real readers.

usage: check_exports.py KIND VIEWER WORKDIR RESULTS...     KIND: folded, svg, chrome, pprof

Runs `heatmap-view --export=KIND -o WORKDIR/... RESULTS...`, then checks the file against an
independent reading of the results files (the call-path trees merged by path here in Python, the
totals as `heatmap-view --format=json` reports them):
  folded  every line exactly (stacks root first, sorted, values = merged self times); total = cpu
  svg     well-formed (xmllint when installed, and Python's XML parser); one frame per tree node,
          each tooltip with its node's calls, each frame's width its node's total time as a share
          of the root's; the zoom script (svg_zoom.js, when node is installed)
  chrome  JSON schema of the Trace Event format; B/E nest per thread with non-decreasing times;
          as many B events per function as the trace has enters; metadata names every thread
  pprof   read back by `go tool pprof` (-raw: every sample's stack and values; -top: totals and
          flat values per function; -traces: the cpu stacks); exit 77 (skip) when go is absent
Exit status 0 when everything holds, 1 with the first difference on stderr.
"""
import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET

BEYOND = "(paths beyond the node limit)"


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def viewer_summary(viewer, files):
    out = subprocess.run([viewer, "--format=json"] + files, check=True, capture_output=True,
                         text=True).stdout
    return json.loads(out)


def merged_tree(files):
    """{path of (name, file, line): [count, self, total]} over all trees of all files, and the
    functions' totals {(name, file, line): [count, self]}."""
    nodes, functions = {}, {}
    for f in files:
        with open(f) as fp:
            d = json.load(fp)
        fn = {}
        for x in d["functions"]:
            key = (x["name"], x.get("file", ""), x.get("line", 0))
            fn[x["id"]] = key
            t = functions.setdefault(key, [0, 0])
            t[0] += x["count"]
            t[1] += x["self_ns"]
        for tree in d["paths"]["trees"]:
            by_id = {n[0]: n for n in tree["nodes"]}
            memo = {}

            def path(n):
                if n[0] not in memo:
                    parent = path(by_id[n[1]]) if n[1] else ()
                    memo[n[0]] = parent + (fn[n[2]],)
                return memo[n[0]]

            sys.setrecursionlimit(100000)
            for n in tree["nodes"]:
                e = nodes.setdefault(path(n), [0, 0, 0])
                for k in range(3):
                    e[k] += n[3 + k]
    return nodes, functions


def by_names(nodes):
    """Merge paths that read the same by function name: {names tuple: [count, self, total]}."""
    out = {}
    for p, v in nodes.items():
        e = out.setdefault(tuple(k[0] for k in p), [0, 0, 0])
        for k in range(3):
            e[k] += v[k]
    return out


def export(viewer, kind, workdir, files, name):
    out = os.path.join(workdir, name)
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([viewer, "--export=" + kind, "-o", out] + files, capture_output=True,
                       text=True)
    if r.returncode != 0:
        fail("heatmap-view --export=%s failed (%d): %s" % (kind, r.returncode, r.stderr))
    return out


def check_folded(viewer, workdir, files):
    nodes, _ = merged_tree(files)
    want = {}
    for names, v in by_names(nodes).items():
        if v[1] > 0:
            want[";".join(n.replace(";", ":") for n in names)] = v[1]
    expected = "".join("%s %d\n" % (k, want[k]) for k in sorted(want))
    with open(export(viewer, "folded", workdir, files, "out.folded")) as fp:
        got = fp.read()
    if got != expected:
        fail("folded lines differ:\n--- expected\n%s--- got\n%s" % (expected, got))
    total = sum(int(line.rsplit(" ", 1)[1]) for line in got.splitlines())
    cpu = viewer_summary(viewer, files)["summary"]["self_ns"]
    if total != cpu:
        fail("folded total %d != heatmap-view's CPU time %d" % (total, cpu))
    print("ok: folded, %d stacks, total %d ns" % (len(want), total))


def check_svg(viewer, workdir, files):
    nodes, _ = merged_tree(files)
    out = export(viewer, "svg", workdir, files, "out.svg")
    if shutil.which("xmllint"):
        r = subprocess.run(["xmllint", "--noout", out], capture_output=True, text=True)
        if r.returncode != 0:
            fail("xmllint: " + r.stderr)
    root = ET.parse(out).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    frames = [g for g in root.iter(ns + "g") if g.get("class") == "f"]
    if len(frames) != len(nodes):
        fail("svg has %d frames, the merged tree %d nodes" % (len(frames), len(nodes)))
    calls = sorted(int(re.search(r"calls: (\d+)", g.find(ns + "title").text).group(1))
                   for g in frames)
    if calls != sorted(v[0] for v in nodes.values()):
        fail("svg tooltips' calls differ from the nodes' counts")
    for g in frames:
        if g.find(ns + "rect") is None:
            fail("a frame without a rectangle")
    # Geometry: a frame's width is its node's TOTAL time as a share of the root's width (the sum
    # of the outermost nodes' totals), to the 3 decimals the SVG writes.
    root_g = [g for g in root.iter(ns + "g") if g.get("class") == "root"]
    if len(root_g) != 1:
        fail("svg has %d root frames, expected 1" % len(root_g))
    full = float(root_g[0].find(ns + "rect").get("width"))
    all_total = sum(v[2] for p, v in nodes.items() if len(p) == 1)
    if all_total > 0:
        want = sorted(full * v[2] / all_total for v in nodes.values())
        got = sorted(float(g.find(ns + "rect").get("width")) for g in frames)
        for w, g in zip(want, got):
            if abs(w - g) > 0.002:
                fail("svg frame widths are not proportional to the nodes' total times: "
                     "expected %s, got %s" % (["%.3f" % x for x in want], got))
    if shutil.which("node"):  # the click-to-zoom script, run against a stand-in DOM
        r = subprocess.run(["node", os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                                 "svg_zoom.js"), out],
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("svg zoom script: " + r.stderr + r.stdout)
    print("ok: svg, %d frames" % len(frames))


def check_chrome(viewer, workdir, files):
    out = export(viewer, "chrome", workdir, files, "out.chrome.json")
    with open(out) as fp:
        doc = json.load(fp)
    events = doc.get("traceEvents")
    if not isinstance(events, list):
        fail("no traceEvents array")
    enters = {}
    for f in files:
        trace = re.sub(r"\.json$", "", f) + ".trace.json"
        with open(f) as fp:
            fn = {x["id"]: x["name"] for x in json.load(fp)["functions"]}
        with open(trace) as fp:
            for th in json.load(fp)["threads"]:
                for ev in th["events"]:
                    if ev[2] == 1:
                        enters[fn[ev[1]]] = enters.get(fn[ev[1]], 0) + 1
    stacks, last, named, begins = {}, {}, set(), {}
    for i, e in enumerate(events):
        for key, kind in (("ph", str), ("pid", int), ("tid", int), ("name", str)):
            if not isinstance(e.get(key), kind):
                fail("event %d: %s missing or not %s" % (i, key, kind.__name__))
        ph, thread = e["ph"], (e["pid"], e["tid"])
        if ph == "M":
            if e["name"] == "thread_name":
                named.add(thread)
            if not isinstance(e.get("args", {}).get("name"), str):
                fail("event %d: metadata without args.name" % i)
            continue
        if ph not in ("B", "E"):
            fail("event %d: unexpected ph %r" % (i, ph))
        ts = e.get("ts")
        if not isinstance(ts, (int, float)) or ts < last.get(thread, 0):
            fail("event %d: ts %r missing or before the thread's previous event" % (i, ts))
        last[thread] = ts
        st = stacks.setdefault(thread, [])
        if ph == "B":
            st.append(e["name"])
            begins[e["name"]] = begins.get(e["name"], 0) + 1
        elif not st or st.pop() != e["name"]:
            fail("event %d: E of %s does not close the innermost B" % (i, e["name"]))
    for thread, st in stacks.items():
        if st:
            fail("thread %s ends with open frames %s" % (thread, st))
        if thread not in named:
            fail("thread %s has no thread_name metadata" % (thread,))
    if begins != enters:
        fail("B events per function %s != enters in the trace %s" % (begins, enters))
    print("ok: chrome, %d events, %d threads" % (len(events), len(stacks)))


def go_pprof(args, profile, env):
    # demangle=full: keep C++ names whole (by default pprof drops their template arguments and
    # parameters, as it does for any C++ profile), so stacks compare with the results exactly
    r = subprocess.run(["go", "tool", "pprof", "-symbolize=demangle=full"] + args + [profile],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        fail("go tool pprof %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def check_pprof(viewer, workdir, files):
    if shutil.which("go") is None:
        print("skip: go is not installed (Debian: golang-go)")
        sys.exit(77)
    env = dict(os.environ, GOCACHE=os.path.join(workdir, "gocache"),
               HOME=os.path.join(workdir, "home"), GOFLAGS="-mod=mod", PPROF_TMPDIR=workdir)
    os.makedirs(env["HOME"], exist_ok=True)
    nodes, functions = merged_tree(files)
    summary = viewer_summary(viewer, files)["summary"]
    out = export(viewer, "pprof", workdir, files, "out.pb.gz")

    # -raw: every sample, its stack (leaf first) and its values
    raw = go_pprof(["-raw"], out, env)
    samples = raw.split("Samples:\n", 1)[1].split("Locations\n", 1)[0].splitlines()
    if samples[0].split() != ["calls/count", "cpu/nanoseconds[dflt]"]:
        fail("sample types: " + samples[0])
    locs = {}
    for line in raw.split("Locations\n", 1)[1].split("Mappings\n", 1)[0].splitlines():
        m = re.match(r"\s*(\d+): 0x0 M=\d+ (.*) (\S*):(\d+) s=(\d+)$", line)
        if not m:
            fail("location line: " + line)
        locs[m.group(1)] = m.group(2)
    got = {}
    for line in samples[1:]:
        values, ids = line.split(":")
        names = tuple(locs[i] for i in reversed(ids.split()))
        e = got.setdefault(names, [0, 0])
        e[0] += int(values.split()[0])
        e[1] += int(values.split()[1])
    want = {k: [v[0], v[1]] for k, v in by_names(nodes).items() if v[0] or v[1]}
    placed = {}
    for p, v in nodes.items():
        placed[p[-1]] = placed.get(p[-1], 0) + v[0]
    for key, (count, _) in functions.items():
        if count > placed.get(key, 0):
            e = want.setdefault((BEYOND, key[0]), [0, 0])
            e[0] += count - placed.get(key, 0)
    if got != want:
        fail("pprof -raw samples differ:\nexpected %s\ngot      %s" % (sorted(want.items()),
                                                                     sorted(got.items())))

    # -top: totals as heatmap-view reports them, flat values per function
    top_cpu = go_pprof(["-top", "-unit=ns", "-nodefraction=0", "-edgefraction=0"], out, env)
    total = int(re.search(r"Total samples = (\d+)ns", top_cpu).group(1))
    if total != summary["self_ns"]:
        fail("pprof cpu total %d != heatmap-view's %d" % (total, summary["self_ns"]))
    top_calls = go_pprof(["-top", "-sample_index=calls", "-nodefraction=0", "-edgefraction=0"],
                         out, env)
    calls = int(re.search(r"Total samples = (\d+)", top_calls).group(1))
    if calls != summary["total_calls"]:
        fail("pprof calls total %d != heatmap-view's %d" % (calls, summary["total_calls"]))
    flat_want = {}
    for key, (count, self_ns) in functions.items():
        e = flat_want.setdefault(key[0], [0, 0])
        e[0] += count
        e[1] += self_ns
    folded = sum(json.load(open(f))["paths"]["folded_calls"] for f in files)
    # flat calls are exact; flat cpu only without folding (a folded call's self time is its
    # caller node's, as the format defines)
    for text, k, unit in ((top_calls, 0, ""), (top_cpu, 1, "ns"))[:1 if folded else 2]:
        for line in text.splitlines():
            m = re.match(r"\s*(\d+)%s\s+[\d.]+%%\s+[\d.]+%%\s+\d+%s\s+[\d.]+%%\s+(.+)$" %
                         (unit, unit), line)
            if m and m.group(2) != BEYOND and int(m.group(1)) != flat_want[m.group(2)][k]:
                fail("pprof -top flat %s of %s: %s != %d" % (["calls", "cpu"][k], m.group(2),
                                                              m.group(1), flat_want[m.group(2)][k]))

    # -traces: the cpu stacks with their values
    traces = go_pprof(["-traces", "-unit=ns"], out, env)
    got_traces = {}
    for block in traces.split("-----------+-------------------------------------------------------")[1:]:
        lines = [l for l in block.splitlines() if l.strip()]
        if not lines:
            continue
        m = re.match(r"\s*(\d+)(?:ns)?\s+(.*)$", lines[0])
        if not m:
            fail("pprof -traces line: " + lines[0])
        stack = tuple(reversed((m.group(2),) + tuple(l.strip() for l in lines[1:])))
        if int(m.group(1)):  # samples of calls only (cpu 0) are listed with 0
            got_traces[stack] = got_traces.get(stack, 0) + int(m.group(1))
    want_traces = {k: v[1] for k, v in want.items() if v[1]}
    if got_traces != want_traces:
        fail("pprof -traces differ:\nexpected %s\ngot      %s" % (sorted(want_traces.items()),
                                                                 sorted(got_traces.items())))
    print("ok: pprof, %d samples, %d calls, %d ns" % (len(got), calls, total))


def main():
    if len(sys.argv) < 5:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    kind, viewer, workdir, files = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
    os.makedirs(workdir, exist_ok=True)
    {"folded": check_folded, "svg": check_svg, "chrome": check_chrome,
     "pprof": check_pprof}[kind](viewer, workdir, files)


if __name__ == "__main__":
    main()
