#!/usr/bin/env python3
"""The cpu pprof profile, end to end: a real program's pcs symbolized and read back by go tool pprof.

usage: check_cpu.py PROG SOURCE VIEWER WORKDIR

PROG is cpu_prog.c built with -g -O0. The script runs it (it prints its function addresses,
return addresses and executable mappings), checks those addresses against `nm PROG` plus the
mapping's load bias, writes a results file with a cpu_profile section (gen_fixture), exports it
with `heatmap-view --export=pprof --type=cpu` and checks, with `go tool pprof`:
  -raw     the sample types, every sample's values (count, count x period_ns) and its stack of
           (function, line), leaf first, inlined frames included, shadow frames after the pcs
  -top     flat cpu per function (uninstrumented leaves spin and probe, the unmapped address as
           hex) and the total = all counts x period_ns
  -lines   cpu per source line
  -list    the lines of work that the samples reach
  -traces  the stacks
The expected lines come from the "@L:" markers of SOURCE, not from any DWARF reader.
"""
import json
import os
import re
import shutil
import subprocess
import sys

PERIOD = 10000000  # hz 100
GONE = 0x7f0000000000  # a mapping whose file does not exist


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def markers(source):
    lines = {}
    with open(source) as f:
        for n, text in enumerate(f, 1):
            for m in re.finditer(r"@L:(\w+)", text):
                lines[m.group(1)] = n
    return lines


def run_prog(prog):
    out = subprocess.run([prog], capture_output=True, text=True, check=True).stdout
    addrs, maps = {}, []
    for line in out.splitlines():
        f = line.split()
        if f[0] == "map":
            start, limit = (int(x, 16) for x in f[1].split("-"))
            if len(f) >= 7 and f[6].startswith("/"):
                maps.append({"start": start, "limit": limit, "offset": int(f[3], 16), "file": f[6]})
        else:
            addrs[f[0]] = int(f[1], 16)
    return addrs, maps


def build_id(prog):
    out = subprocess.run(["readelf", "-n", prog], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else ""


def nm(prog):
    syms = {}
    out = subprocess.run(["nm", prog], capture_output=True, text=True, check=True).stdout
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "Tt":
            syms[f[2]] = int(f[0], 16)
    return syms


def gen_fixture(prog, source, path):
    """Write the results file; return (samples, expected) where expected[i] is the stack of sample
    i as [(function, line)], leaf first."""
    L = markers(source)
    addrs, maps = run_prog(prog)
    real = os.path.realpath(prog)
    mine = [m for m in maps if os.path.realpath(m["file"]) == real]
    if len(mine) != 1:
        fail("expected one executable mapping of %s, got %s" % (prog, maps))
    m = mine[0]
    syms = nm(prog)
    for name in ("spin", "probe"):  # nm + bias (PT_LOAD of .text has p_vaddr == p_offset here)
        if syms[name] + m["start"] - m["offset"] != addrs[name]:
            fail("%s at %#x, but nm says %#x + bias %#x" % (name, addrs[name], syms[name],
                                                            m["start"] - m["offset"]))
    src = os.path.realpath(source)
    ids = {"work": 7, "run": 3, "main": 1, "outer": 9}
    decl = {n: L[n + "_decl"] for n in ids}
    samples = [
        # in spin, called by work, called by run: the native frames cover work and run
        (12, [addrs["spin"], addrs["ra_spin"], addrs["ra_work"]], ["work", "run", "main"]),
        # in probe, called from helper inlined into outer: one location with two lines
        (7, [addrs["probe"], addrs["ra_probe"]], ["outer", "run", "main"]),
        # a pc outside every mapping: kept as an address
        (3, [16], ["work", "run", "main"]),
        # a pc in a mapping whose file is gone: kept as an address, shown as hex
        (4, [GONE + 0x1234], ["work", "run", "main"]),
        # no pcs, only the shadow stack
        (2, [], ["run", "main"]),
        # in spin outside any instrumented function
        (5, [addrs["spin"]], []),
    ]
    expected = [
        [("spin", L["spin_decl"]), ("work", L["work_calls_spin"]), ("run", L["run_calls_work"]),
         ("main", decl["main"])],
        [("probe", L["probe_decl"]), ("helper", L["helper_calls_probe"]),
         ("outer", L["outer_calls_helper"]), ("run", decl["run"]), ("main", decl["main"])],
        [("0x10", None), ("work", decl["work"]), ("run", decl["run"]), ("main", decl["main"])],
        [(hex(GONE + 0x1234), None), ("work", decl["work"]), ("run", decl["run"]),
         ("main", decl["main"])],
        [("run", decl["run"]), ("main", decl["main"])],
        [("spin", L["spin_decl"])],
    ]
    results = {
        "version": 1, "program": real, "pid": 4242, "hostname": "testbox",
        "start_unix_ns": 1764000000000000000, "elapsed_ns": 1000000000, "clock": "monotonic",
        "functions": [{"id": i, "name": n, "file": src, "line": decl[n], "count": 1,
                       "self_ns": 1} for n, i in ids.items()],
        "cpu_profile": {
            "hz": 100, "period_ns": PERIOD, "samples_dropped": 0,
            "mappings": [{"id": 1, "start": m["start"], "limit": m["limit"],
                          "offset": m["offset"], "file": real, "build_id": build_id(prog)},
                         {"id": 2, "start": GONE, "limit": GONE + 0x10000, "offset": 0,
                          "file": "/nonexistent/libgone.so", "build_id": ""}],
            "functions": [[i, n, src, decl[n]] for n, i in ids.items()],
            "samples": [{"count": c, "pcs": p, "stack": [ids[n] for n in s]}
                        for c, p, s in samples],
        },
    }
    with open(path, "w") as f:
        json.dump(results, f, indent=1)
    return samples, expected


def go_pprof(args, profile, env, cwd=None):
    r = subprocess.run(["go", "tool", "pprof", "-symbolize=none"] + args + [profile],
                       capture_output=True, text=True, env=env, cwd=cwd)
    if r.returncode != 0:
        fail("go tool pprof %s: %s" % (" ".join(args), r.stderr))
    return r.stdout


def export_cpu(viewer, results, out, what):
    """heatmap-view --export=pprof --type=cpu of RESULTS into OUT; fails the check with WHAT."""
    r = subprocess.run([viewer, "--export=pprof", "--type=cpu", "-o", out, results],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("heatmap-view --type=cpu%s: %s" % (what, r.stderr))


def main():
    prog, source, viewer, work = sys.argv[1:5]
    if shutil.which("go") is None:
        print("skip: go is not installed (Debian: golang-go)")
        sys.exit(77)
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    env = dict(os.environ, GOCACHE=os.path.join(work, "gocache"), HOME=os.path.join(work, "home"),
               PPROF_TMPDIR=work)
    os.makedirs(env["HOME"])
    fixture = os.path.join(work, "cpu.json")
    samples, expected = gen_fixture(prog, source, fixture)
    out = os.path.join(work, "cpu.pb.gz")
    export_cpu(viewer, fixture, out, "")

    # -raw: sample types, values and stacks
    raw = go_pprof(["-raw"], out, env)
    if not re.search(r"PeriodType: cpu nanoseconds\nPeriod: %d\n" % PERIOD, raw):
        fail("period: " + raw[:300])
    part = raw.split("Samples:\n", 1)[1].split("Locations\n", 1)
    rows = part[0].splitlines()
    if rows[0].split() != ["samples/count", "cpu/nanoseconds[dflt]"]:
        fail("sample types: " + rows[0])
    locs, cur = {}, None
    for line in part[1].split("Mappings\n", 1)[0].splitlines():
        m = re.match(r"\s*(\d+): (0x[0-9a-f]+)(?: M=(\d+))?(?: (\S+) (\S*):(\d+) s=(\d+))?\s*$", line)
        if m:
            cur = locs[m.group(1)] = []
            if m.group(4):
                cur.append((m.group(4), int(m.group(6))))
            elif m.group(2) != "0x0":
                cur.append((m.group(2), None))
            continue
        m = re.match(r"\s+(\S+) (\S*):(\d+) s=(\d+)\s*$", line)  # a further (outer) inlined line
        if not m or cur is None:
            fail("location line: " + line)
        cur.append((m.group(1), int(m.group(3))))
    got = []
    for line in rows[1:]:
        values, ids = line.split(":")
        stack = [fr for i in ids.split() for fr in locs[i]]
        got.append(([int(v) for v in values.split()], stack))
    want = [([c, c * PERIOD], e) for (c, _, _), e in zip(samples, expected)]
    if sorted(map(repr, got)) != sorted(map(repr, want)):
        fail("pprof -raw samples differ:\nexpected %s\ngot      %s" % (want, got))
    mappings = raw.split("Mappings\n", 1)[1]
    if build_id(prog) and build_id(prog) not in mappings:
        fail("build id missing from the mappings: " + mappings)

    # -top: flat cpu per function and the total
    total = sum(c for c, _, _ in samples) * PERIOD
    top = go_pprof(["-top", "-unit=ns", "-nodefraction=0", "-edgefraction=0"], out, env)
    if "of %dns total" % total not in top and "%dns total" % total not in top:
        fail("pprof -top total is not %dns:\n%s" % (total, top))
    flat = {}
    for line in top.splitlines():
        m = re.match(r"\s*(\d+)ns\s+\S+%\s+\S+%\s+(\d+)ns\s+\S+%\s+(\S+)", line)
        if m:
            flat[m.group(3)] = int(m.group(1))
    # pprof shows an unsymbolized address by its mapping's file, one outside every mapping as
    # <unknown> (-raw above has the addresses themselves)
    want_flat = {"spin": 17 * PERIOD, "probe": 7 * PERIOD, "<unknown>": 3 * PERIOD,
                 "[libgone.so]": 4 * PERIOD, "run": 2 * PERIOD}
    for name, ns in want_flat.items():
        if flat.get(name) != ns:
            fail("pprof -top flat of %s: %s != %d\n%s" % (name, flat.get(name), ns, top))

    # -lines: cpu per source line
    L = markers(source)
    lines = go_pprof(["-top", "-lines", "-unit=ns", "-nodefraction=0"], out, env)
    base = os.path.basename(source)
    for name, key, ns in (("spin", "spin_decl", 17), ("probe", "probe_decl", 7)):
        if not re.search(r"\s%dns .* %s %s:%d\s*$" % (ns * PERIOD, name, re.escape(src_path(source)),
                                                      L[key]), lines, re.M):
            fail("pprof -lines: no %dns at %s %s:%d\n%s" % (ns * PERIOD, name, base, L[key], lines))

    # -list work: the call line of spin has spin's 12 samples as cum
    listing = go_pprof(["-list", "^work$", "-unit=ns",
                        "-source_path=" + os.path.dirname(src_path(source))], out, env)
    if not re.search(r"^\s+\.\s+%dns\s+%d:\s+spin\(\);" % (12 * PERIOD, L["work_calls_spin"]),
                     listing, re.M):
        fail("pprof -list work: line %d should have cum %dns\n%s" % (L["work_calls_spin"],
                                                                     12 * PERIOD, listing))

    # -traces: the stacks, leaf first
    traces = go_pprof(["-traces", "-unit=ns"], out, env)
    got_names = []
    for block in traces.split("-----------+")[1:]:
        rows = [r for r in block.splitlines()[1:] if r.strip()]
        if not rows:
            continue
        value, first = rows[0].split(None, 1)
        names = [first] + [r.strip() for r in rows[1:]]
        got_names.append((int(value[:-2]),) + tuple(n.replace(" (inline)", "") for n in names))
    got_names.sort()
    names_of = {"0x10": "<unknown>", hex(GONE + 0x1234): "[libgone.so]"}
    want_traces = sorted((c * PERIOD,) + tuple(names_of.get(f, f) for f, _ in e)
                         for (c, _, _), e in zip(samples, expected))
    if got_names != want_traces:
        fail("pprof -traces differ:\nexpected %s\ngot      %s" % (want_traces, got_names))
    # A file rebuilt since the run (another build id) is not used: its pcs stay addresses.
    if build_id(prog):
        with open(fixture) as f:
            d = json.load(f)
        d["cpu_profile"]["mappings"][0]["build_id"] = "00" * 20
        stale = os.path.join(work, "stale.json")
        with open(stale, "w") as f:
            json.dump(d, f)
        out2 = os.path.join(work, "stale.pb.gz")
        export_cpu(viewer, stale, out2, " (stale build id)")
        raw2 = go_pprof(["-raw"], out2, env)
        for line in raw2.split("Locations\n", 1)[1].split("Mappings\n", 1)[0].splitlines():
            if re.match(r"\s*\d+: 0x[0-9a-f]*[1-9a-f][0-9a-f]* M=1 \S", line):
                fail("a pc of a file with another build id was symbolized: " + line)
    print("ok: cpu, %d samples, %dns, leaf functions and lines match" % (len(samples), total))


def src_path(source):
    return os.path.realpath(source)


if __name__ == "__main__":
    main()
