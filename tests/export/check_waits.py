#!/usr/bin/env python3
"""pprof --type=block and --type=mutex read back by go tool pprof, against the results files.

usage: check_waits.py VIEWER WORKDIR RESULTS...

Expected values come from the files' 11-element call-path nodes ([id, parent, function, count,
self_ns, total_ns, wait_ns, block_count, block_ns, mutex_count, mutex_ns]), walked to the root
here and summed per stack of function names; heatmap-view's export must give, per stack (leaf
first), exactly those contentions and delays (-raw), Go's sample types, and the totals (-top).
Files with 6-element nodes have no waits: their profiles have no samples.
"""
import json
import os
import re
import shutil
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def expected(files, kind):
    col = {"block": 7, "mutex": 9}[kind]
    want = {}
    for path in files:
        with open(path) as f:
            d = json.load(f)
        names = {x["id"]: x["name"] for x in d["functions"]}
        for tree in d["paths"]["trees"]:
            by_id = {n[0]: n for n in tree["nodes"]}
            for n in tree["nodes"]:
                if len(n) < 11 or n[col] == 0:
                    continue
                stack, v = [], n
                while True:
                    stack.append(names[v[2]])
                    if v[1] == 0:
                        break
                    v = by_id[v[1]]
                e = want.setdefault(tuple(stack), [0, 0])
                e[0] += n[col]
                e[1] += n[col + 1]
    return want


def go_pprof(args, profile, env):
    r = subprocess.run(["go", "tool", "pprof"] + args + [profile], capture_output=True, text=True,
                       env=env)
    if r.returncode != 0:
        fail("go tool pprof %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def main():
    viewer, work, files = sys.argv[1], sys.argv[2], sys.argv[3:]
    if shutil.which("go") is None:
        print("skip: go is not installed (Debian: golang-go)")
        sys.exit(77)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.join(work, "home"))
    env = dict(os.environ, GOCACHE=os.path.join(work, "gocache"), HOME=os.path.join(work, "home"),
               PPROF_TMPDIR=work)
    for kind in ("block", "mutex"):
        out = os.path.join(work, kind + ".pb.gz")
        r = subprocess.run([viewer, "--export=pprof", "--type=" + kind, "-o", out] + files,
                           capture_output=True, text=True)
        if r.returncode != 0:
            fail("heatmap-view --type=%s: %s" % (kind, r.stderr))
        raw = go_pprof(["-raw"], out, env)
        if "PeriodType: contentions count\nPeriod: 1\n" not in raw:
            fail("%s: period type: %s" % (kind, raw[:300]))
        rows = raw.split("Samples:\n", 1)[1].split("Locations\n", 1)[0].splitlines()
        if rows[0].split() != ["contentions/count", "delay/nanoseconds[dflt]"]:
            fail("%s: sample types: %s" % (kind, rows[0]))
        locs = {}
        loc_part = raw.split("Locations\n", 1)[1] if "Locations\n" in raw else ""
        for line in loc_part.split("Mappings\n", 1)[0].splitlines():
            m = re.match(r"\s*(\d+): 0x0 M=\d+ (\S+) \S*:\d+ s=\d+$", line)
            if not m:
                fail("%s: location line: %s" % (kind, line))
            locs[m.group(1)] = m.group(2)
        got = {}
        for line in rows[1:]:
            values, ids = line.split(":")
            e = got.setdefault(tuple(locs[i] for i in ids.split()), [0, 0])
            e[0] += int(values.split()[0])
            e[1] += int(values.split()[1])
        want = expected(files, kind)
        if got != want:
            fail("%s: pprof -raw samples differ:\nexpected %s\ngot      %s" %
                 (kind, sorted(want.items()), sorted(got.items())))
        delay = sum(v[1] for v in want.values())
        count = sum(v[0] for v in want.values())
        if want:
            top = go_pprof(["-top", "-unit=ns"], out, env)
            if "Total samples = %dns" % delay not in top and "of %dns total" % delay not in top:
                fail("%s: pprof -top total is not %dns:\n%s" % (kind, delay, top))
            top = go_pprof(["-top", "-sample_index=contentions"], out, env)
            if "of %d total" % count not in top:
                fail("%s: pprof -top contentions total is not %d:\n%s" % (kind, count, top))
        print("ok: %s, %d stacks, %d contentions, %dns" % (kind, len(want), count, delay))


if __name__ == "__main__":
    main()
