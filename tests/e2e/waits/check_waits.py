#!/usr/bin/env python3
"""Checks of tests/e2e/waits: the CPU / wait split of one mode's results file (issue 11).

usage: check_waits.py MODE RESULTS OUTPUT
Bounds are one-sided where the physics allows: a wait measured around a 200 ms sleep is at least
190 ms however loaded the machine is; the on-CPU time of a sleeping function is small."""
import json
import sys

MS = 1000000
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)


mode, path, out_path = sys.argv[1], sys.argv[2], sys.argv[3]
d = json.load(open(path))
out = open(out_path).read()
fn = {f["name"]: f for f in d["functions"]}

# Everywhere: the new keys, self == cpu + wait, blocked <= wait, per thread sum of cpu parts <= the
# thread's CPU clock (exact by construction), all cpu parts <= the process CPU clock.
for k in ("wall_ns", "elapsed_ns", "overhead_total_ns", "process_cpu_ns", "cpus"):
    check(k in d, "top-level key %s" % k)
check(d["elapsed_ns"] <= d["wall_ns"], "elapsed_ns <= wall_ns")
for f in d["functions"]:
    check(f["self_ns"] == f["cpu_ns"] + f["wait_ns"], "%s: self == cpu + wait" % f["name"])
    check(f["blocked_ns"] <= f["wait_ns"], "%s: blocked <= wait" % f["name"])
threads = {t["tid"]: t for t in d["threads"]}
per_thread_cpu = {}
for f in d["functions"]:
    split = f.get("threads") or [{"tid": d["threads"][0]["tid"], "cpu_ns": f["cpu_ns"]}]
    for s in split:
        per_thread_cpu[s["tid"]] = per_thread_cpu.get(s["tid"], 0) + s["cpu_ns"]
for tid, cpu in per_thread_cpu.items():
    check(cpu <= threads[tid]["cpu_ns"],
          "thread %d: sum of cpu parts %d <= its CPU clock %d" % (tid, cpu, threads[tid]["cpu_ns"]))
total_cpu = sum(f["cpu_ns"] for f in d["functions"])
check(total_cpu <= d["process_cpu_ns"], "sum of cpu %d <= process_cpu_ns %d" % (total_cpu,
                                                                              d["process_cpu_ns"]))
# Parallelism is at most the CPUs (plus 1 % for the clocks' granularity).
check(total_cpu <= d["cpus"] * d["elapsed_ns"] * 1.01 + MS, "parallelism <= cpus")

# The call-path nodes add up to the functions, open frames included (the writer closes them once
# for both).
nodes_self = sum(n[4] for t in d["paths"]["trees"] for n in t["nodes"])
check(nodes_self + d["paths"]["unattributed_self_ns"] == sum(f["self_ns"] for f in d["functions"]),
      "node self times add up to the functions'")
for f in d["functions"]:
    ncount = sum(n[3] for t in d["paths"]["trees"] for n in t["nodes"] if n[2] == f["id"])
    check(ncount == f["count"], "%s: node counts %d == count %d" % (f["name"], ncount, f["count"]))


def node_of(name):
    ids = {f["id"] for f in d["functions"] if f["name"] == name}
    return [n for t in d["paths"]["trees"] for n in t["nodes"] if n[2] in ids]


if mode == "sleep":
    s = fn["sleeper"]
    check(s["wait_ns"] >= 190 * MS, "sleeper wait %d >= 190 ms" % s["wait_ns"])
    check(s["blocked_ns"] >= 190 * MS, "sleeper blocked %d >= 190 ms" % s["blocked_ns"])
    check(s["cpu_ns"] < 50 * MS, "sleeper cpu %d < 50 ms" % s["cpu_ns"])
elif mode == "join":
    join_ns = int(out.split("join_ns=")[1].split()[0])
    j = fn["joiner"]
    # The program's own measurement brackets the two joins with its clock reads: 1 ms of slack.
    check(j["wait_ns"] >= join_ns - MS, "joiner wait %d >= join time %d" % (j["wait_ns"], join_ns))
    check(j["cpu_ns"] < 50 * MS, "joiner cpu %d < 50 ms" % j["cpu_ns"])
    check(sum(n[7] for n in node_of("joiner")) == 2, "joiner's node: block_count 2")
    for s in fn["spinner"]["threads"]:
        check(s["cpu_ns"] <= threads[s["tid"]]["cpu_ns"], "spinner cpu <= its thread CPU clock")
elif mode == "mutex":
    w = fn["waiter"]
    check(w["wait_ns"] >= 150 * MS, "waiter wait %d >= 150 ms" % w["wait_ns"])
    check(sum(n[9] for n in node_of("waiter")) >= 1, "waiter's node: mutex_count >= 1")
    check(sum(n[10] for n in node_of("waiter")) >= 150 * MS, "waiter's node: mutex_ns >= 150 ms")
elif mode == "poll":
    p = fn["poller"]
    check(p["wait_ns"] >= 140 * MS, "poller wait %d >= 140 ms" % p["wait_ns"])
    check(p["blocked_ns"] >= 140 * MS, "poller blocked %d >= 140 ms" % p["blocked_ns"])
elif mode == "cpu4":
    check(fn["burn"]["count"] == 4, "burn: 4 calls")
    # All the work is in instrumented frames: their cpu parts are the process's CPU time, within
    # 10 % (the process also ran main and the runtime).
    check(total_cpu >= 0.9 * d["process_cpu_ns"],
          "sum of cpu %d within 10 %% of process_cpu_ns %d" % (total_cpu, d["process_cpu_ns"]))
elif mode == "errno":
    check("errno ok" in out, "errno and return values through the wrappers: " + out)
elif mode == "pool":
    t = fn["thread_main"]
    check(t.get("open_calls", 0) == 2, "thread_main open_calls %d == 2" % t.get("open_calls", 0))
    check(t["count"] == 2, "thread_main counted once per worker (open)")
    # Both workers were blocked in pthread_cond_wait before main's last 50 ms sleep began: the
    # waits in progress at the write count.
    check(t["blocked_ns"] >= 2 * 45 * MS, "thread_main blocked %d >= 2 x 45 ms" % t["blocked_ns"])
    check(fn["pool_work"]["count"] == 4, "pool_work: 4 calls")
elif mode == "tiny":
    pass
else:
    failures.append("unknown mode " + mode)

for f in failures:
    print("FAIL:", f, file=sys.stderr)
sys.exit(1 if failures else 0)
