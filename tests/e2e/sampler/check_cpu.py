#!/usr/bin/env python3
"""Checks the cpu_profile section of a results file written by tests/e2e/sampler/sampler.c.

usage: check_cpu.py MODE RESULTS STDOUT APP [PLAIN_STDOUT] [--wrappers]
  MODE          the program's mode (cpu, sleep, sigprof, threads, eintr, fork-child, fork-parent)
  RESULTS       the results file
  STDOUT        the instrumented program's stdout (cpu_ns=..., mode figures)
  APP           the executable (its mapping must hold the sampled PCs; its build ID is compared)
  PLAIN_STDOUT  sigprof: runs of the same program built without heatmap, for the handler's rate
  --wrappers    eintr: the runtime interposes poll/nanosleep/select, so those must see no EINTR
Margins are statistical and wide (the counts are samples of a 1000 Hz CPU-time clock); nothing
depends on wall time.
"""
import json
import re
import subprocess
import sys


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


def figures(path):
    text = open(path).read()
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", text)}


def figures_runs(path):
    """One dict per line holding itimer_calls (several runs appended to one file)."""
    runs = []
    for line in open(path):
        f = {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", line)}
        if "itimer_calls" in f:
            runs.append(f)
    return runs


def build_id(path):
    out = subprocess.run(["readelf", "-n", path], capture_output=True, text=True).stdout
    m = re.search(r"Build ID: ([0-9a-f]+)", out)
    return m.group(1) if m else ""


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    wrappers = "--wrappers" in sys.argv
    mode, results, stdout, app = args[:4]
    plain = args[4] if len(args) > 4 else None
    doc = json.load(open(results))
    out = figures(stdout)
    cp = doc.get("cpu_profile")
    if cp is None:
        fail("no cpu_profile in " + results)
    if cp["hz"] != 1000 or cp["period_ns"] != 1000000:
        fail("hz/period_ns %s/%s, expected 1000/1000000" % (cp["hz"], cp["period_ns"]))
    if cp["samples_dropped"] != 0:
        fail("%d samples dropped" % cp["samples_dropped"])
    names = {}
    for f in cp["functions"]:
        if len(f) != 4 or not isinstance(f[1], str) or not isinstance(f[2], str):
            fail("bad function entry %r" % (f,))
        names[f[0]] = f[1]
    top = {f["id"]: f["name"] for f in doc["functions"]}
    for fid, name in names.items():
        if fid in top and top[fid] != name:
            fail("function id %d is %s in cpu_profile but %s in functions" % (fid, name, top[fid]))
    samples = cp["samples"]
    seen = set()
    for s in samples:
        if s["count"] <= 0 or not s["pcs"]:
            fail("bad sample %r" % (s,))
        key = (tuple(s["pcs"]), tuple(s["stack"]))
        if key in seen:
            fail("sample listed twice: %r" % (s,))
        seen.add(key)
        for fid in s["stack"]:
            if fid not in names:
                fail("stack id %d missing from cpu_profile.functions" % fid)
    total = sum(s["count"] for s in samples)
    total_ns = total * cp["period_ns"]

    maps = cp["mappings"]
    for i, m in enumerate(maps):
        if m["id"] != i + 1 or not m["start"] < m["limit"]:
            fail("bad mapping %r" % (m,))
    app_maps = [m for m in maps if m["file"].endswith("/" + app.split("/")[-1])]
    if not app_maps:
        fail("no mapping of %s in %r" % (app, [m["file"] for m in maps]))
    want_id = build_id(app)
    if want_id and any(m["build_id"] != want_id for m in app_maps):
        fail("build id of %s: %r, readelf says %s" % (app, app_maps[0]["build_id"], want_id))

    def in_app(pc):
        return any(m["start"] <= pc < m["limit"] for m in app_maps)

    def by_leaf():
        counts = {}
        for s in samples:
            leaf = names[s["stack"][0]] if s["stack"] else "-"
            counts[leaf] = counts.get(leaf, 0) + s["count"]
        return counts

    def near_cpu(cpu, lo=0.75, hi=1.25):
        if not lo * cpu <= total_ns <= hi * cpu:
            fail("samples stand for %d ns of CPU, the program measured %d ns" % (total_ns, cpu))

    leaves = by_leaf()
    print("%s: %d samples (%d ns; program's CPU %s ns) by innermost function: %r"
          % (mode, total, total_ns, out.get("cpu_ns", out.get("child_cpu_ns")), leaves))
    # Shares are checked at 75 %, not 90 %: on a loaded 2-core machine the kernel's tick-driven
    # CPU timers move a tenth of the samples around (89.7 % in the executable was seen), and a
    # pass/fail test must never fail by chance; wrong attribution still falls far below.
    if mode == "cpu":
        if total < 1000:
            fail("only %d samples" % total)
        near_cpu(out["cpu_ns"])
        unmapped = [s for s in samples if not any(m["start"] <= s["pcs"][0] < m["limit"] for m in maps)]
        if unmapped:
            fail("PCs outside every mapping: %r" % unmapped[:3])
        in_exe = sum(s["count"] for s in samples if in_app(s["pcs"][0]))
        if in_exe < 0.75 * total:
            fail("only %d of %d samples have their PC in the executable" % (in_exe, total))
        stacks = {}
        for s in samples:
            path = ";".join(names[i] for i in reversed(s["stack"]))
            stacks[path] = stacks.get(path, 0) + s["count"]
        hot, cold = stacks.get("run;hot", 0), stacks.get("run;cold", 0)
        if hot + cold < 0.95 * total:
            fail("stacks %r: expected run;hot and run;cold" % stacks)
        # 3:1: on a quiet machine the ratio is within 5 %, but with more runnable
        # threads than cores the kernel's tick-driven CPU timers sample cold() more often
        # (2.2:1 measured with 3 busy loops beside the test, at 100 Hz as at 1000 Hz).
        # The band is wide so that CI on a loaded 2-core machine never fails by chance; it still
        # catches samples that ignore where the CPU went (1:1) or land on one function only.
        if not 1.6 <= hot / max(cold, 1) <= 4.5:
            fail("hot:cold = %d:%d, expected about 3:1 (1.6 to 4.5)" % (hot, cold))
        walked = sum(s["count"] for s in samples if len(s["pcs"]) > 1)
        if walked < 0.75 * total:
            fail("frame-pointer walk found callers for only %d of %d samples" % (walked, total))
    elif mode == "sleep":
        asleep = sum(s["count"] for s in samples if any(names[i] == "sleeper" for i in s["stack"]))
        if asleep > max(5, total // 100):
            fail("%d samples in sleeper(), which sleeps" % asleep)
        if leaves.get("burn", 0) < 0.75 * total:
            fail("burn() has %d of %d samples" % (leaves.get("burn", 0), total))
        near_cpu(out["cpu_ns"])
    elif mode == "sigprof":
        if out["raised_calls"] != 1000:
            fail("the program's handler ran %d times for 1000 raise(SIGPROF)" % out["raised_calls"])
        # The kernel's ITIMER_PROF rate per CPU second itself varies from run to run on a loaded
        # machine (84..120 per second for 10 ms, plain build), and rises by 5-10 % when a thread
        # CPU timer is armed beside it (seen without heatmap too): compare with the median of
        # runs of the plain build. Under load it was seen as low as 41 % of the plain rate, so the
        # band only catches a forwarding that loses or multiplies most signals (a pass/fail test
        # must never fail by chance); raise() above is the exact check.
        ref = sorted(r["itimer_calls"] / r["itimer_cpu_ns"] for r in figures_runs(plain))
        ref_rate = ref[len(ref) // 2]
        rate = out["itimer_calls"] / out["itimer_cpu_ns"]
        print("program's ITIMER_PROF handler: %.0f calls per CPU second (plain build: %s)"
              % (rate * 1e9, ", ".join("%.0f" % (r * 1e9) for r in ref)))
        if not 0.15 * ref_rate <= rate <= 3.0 * ref_rate:
            fail("the program's handler ran %.0f times per CPU second, %.0f without heatmap"
                 % (rate * 1e9, ref_rate * 1e9))
        if total < 1000 or leaves.get("hot", 0) < 0.75 * total:
            fail("the profile lacks samples beside the program's own SIGPROFs: %r" % leaves)
        near_cpu(out["cpu_ns"])
    elif mode == "threads":
        near_cpu(out["cpu_ns"])
        if leaves.get("-", 0) < 0.75 * total:
            fail("threads outside instrumented code should have empty stacks: %r" % leaves)
        spin = out["spin"]
        in_spin = sum(s["count"] for s in samples if any(spin <= pc < spin + 4096 for pc in s["pcs"]))
        if in_spin < 0.5 * total:
            fail("only %d of %d samples in spin() (PC or caller)" % (in_spin, total))
    elif mode == "eintr":
        if out["calls"] != 600:
            fail("the loop did not finish")
        for call in ("read", "cond"):
            if out[call] != 0:
                fail("%s failed with EINTR %d times" % (call, out[call]))
        for call in ("poll", "nanosleep", "select"):
            if out[call] != 0:
                msg = "%s failed with EINTR %d times" % (call, out[call])
                if wrappers:
                    fail(msg)
                print("note: %s (not asserted: the runtime does not retry it)" % msg)
        if total < 1000:
            fail("only %d samples" % total)
    elif mode in ("fork-child", "fork-parent"):
        cpu = out["child_cpu_ns"] if mode == "fork-child" else out["cpu_ns"]
        near_cpu(cpu)
        want = "hot" if mode == "fork-child" else "cold"
        if leaves.get(want, 0) < 0.75 * total:
            fail("expected the samples in %s(): %r" % (want, leaves))
    else:
        fail("unknown mode " + mode)
    print("ok: cpu_profile %s" % mode)


main()
