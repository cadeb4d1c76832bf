#!/usr/bin/env python3
"""Write the results files the viewer tests read (tests/viewer/fixtures/*.json).

Hand-made stand-ins for what the runtime writes (docs/results-format.md, version 1): each function
gets a deterministic list of self-times, from which count, self_ns, max_ns and the log-linear
histogram are computed exactly as the format defines them. The files are committed; run this
only to change them (then refresh the golden files with tests/viewer/check_golden.cmake UPDATE=1).
"""
import json
import os
import random

SUB_BITS = 5
S = 1 << SUB_BITS


def hist_index(v):
    if v < S:
        return v
    m = v.bit_length() - 1
    g = m - SUB_BITS
    return S + g * S + ((v >> g) - S)


def function(name, file, line, samples, threads=None):
    hist = {}
    for v in samples:
        hist[hist_index(v)] = hist.get(hist_index(v), 0) + 1
    f = {
        "name": name, "file": file, "line": line, "count": len(samples),
        "self_ns": sum(samples), "max_ns": max(samples),
        "p50_ns": 0, "p95_ns": 0, "p99_ns": 0,  # readers recompute these
        "histogram": [[i, hist[i]] for i in sorted(hist)],
    }
    if threads:
        f["threads"] = threads
    return f


def split(f, cpu, blocked=None, open_calls=0):
    """Give function f the cpu/wait split of newer runtimes: cpu_ns of its self time on a CPU,
    the rest waiting (blocked_ns of it measured in blocking calls: all of it unless told)."""
    f["cpu_ns"], f["wait_ns"] = cpu, f["self_ns"] - cpu
    f["blocked_ns"] = f["wait_ns"] if blocked is None else blocked
    f["open_calls"] = open_calls
    assert 0 <= cpu <= f["self_ns"] and f["blocked_ns"] <= f["wait_ns"] and open_calls <= f["count"]
    return f


def results(program, pid, elapsed, functions, threads, end="exit"):
    return {
        "version": 1, "program": program, "pid": pid, "hostname": "testbox",
        "start_unix_ns": 1764000000000000000 + pid, "elapsed_ns": elapsed,
        "clock": "monotonic", "overhead_ns": 0, "end": end,
        "histogram": {"kind": "log-linear", "sub_bucket_bits": SUB_BITS},
        "threads": threads, "functions": functions,
    }


def samples(rng, n, typical, spread=0.3, outlier=None):
    out = [max(1, int(rng.gauss(typical, typical * spread))) for _ in range(n)]
    if outlier:
        out[rng.randrange(n)] = outlier
    return out


def small(rng):
    """12 functions, a C++ name too long for narrow screens, one outlier (Max >> P95)."""
    fs = [
        function("process_custom_tags", "src/tags.c", 88, samples(rng, 40, 900_000)),
        function("load_config_file", "src/config.c", 17, samples(rng, 4, 6_000_000)),
        function("unmarshal_yaml", "src/yaml.c", 230, samples(rng, 30, 400_000)),
        function("ns::Parser<std::map<std::string, std::vector<int>>>::parse_expression",
                 "src/parser.cpp", 512, samples(rng, 20, 250_000)),
        function("fetch_remote", "src/net.c", 61, samples(rng, 10, 120_000, outlier=3_500_000)),
        function("hash_key", "src/hash.c", 9, samples(rng, 25, 2_000)),
        function("main", "src/main.c", 5, [1_200_000]),
        function("render_row", "src/render.c", 144, samples(rng, 12, 80_000)),
        function("merge_maps", "src/merge.c", 33, samples(rng, 6, 150_000)),
        function("validate_stack", "src/validate.c", 71, samples(rng, 3, 210_000)),
        function("write_output", "", 0, [450_000, 520_000]),
        function("tiny_helper", "src/util.h", 12, [25, 31, 40]),
    ]
    calls = sum(f["count"] for f in fs)
    cpu = sum(f["self_ns"] for f in fs)
    return results("/usr/local/bin/app", 4242, 234_560_000, fs,
                   [{"tid": 4242, "name": "app", "calls": calls, "self_ns": cpu}])


def run_pair(rng):
    """Two runs of a program: the second is slower in parse_line, faster in read_input, has a new
    function and lost one, and parse_line moved two lines down (paired by name and file)."""
    base_fs = [
        function("parse_line", "src/parse.c", 42, samples(rng, 500, 20_000)),
        function("read_input", "src/io.c", 10, samples(rng, 50, 300_000)),
        function("old_cache_lookup", "src/cache.c", 7, samples(rng, 200, 5_000)),
        function("main", "src/main.c", 3, [900_000]),
    ]
    new_fs = [
        function("parse_line", "src/parse.c", 44, samples(rng, 520, 30_000)),
        function("read_input", "src/io.c", 10, samples(rng, 50, 200_000)),
        function("new_index_build", "src/index.c", 90, samples(rng, 10, 400_000)),
        function("main", "src/main.c", 3, [950_000]),
    ]

    def wrap(fs, pid, elapsed):
        return results("./app", pid, elapsed, fs,
                       [{"tid": pid, "name": "app", "calls": sum(f["count"] for f in fs),
                         "self_ns": sum(f["self_ns"] for f in fs)}])
    return wrap(base_fs, 100, 40_000_000), wrap(new_fs, 200, 45_000_000)


def threaded(rng):
    """Three threads; functions carry the optional per-thread split."""
    tids = [5000, 5001, 5002]
    fs, per_thread = [], {t: [0, 0] for t in tids}
    for name, line, typical in [("worker_loop", 20, 50_000), ("compress_block", 55, 120_000),
                                ("queue_pop", 80, 3_000)]:
        all_samples, split = [], []
        for t in tids:
            s = samples(rng, 30 + (t % 3) * 10, typical)
            all_samples += s
            split.append({"tid": t, "count": len(s), "self_ns": sum(s)})
            per_thread[t][0] += len(s)
            per_thread[t][1] += sum(s)
        fs.append(function(name, "src/pool.c", line, all_samples, split))
    main = [2_000_000]
    fs.append(function("main", "src/main.c", 1, main,
                       [{"tid": 5000, "count": 1, "self_ns": main[0]}]))
    per_thread[5000][0] += 1
    per_thread[5000][1] += main[0]
    threads = [{"tid": t, "name": "main" if t == 5000 else "worker-%d" % (t - 5000),
                "calls": per_thread[t][0], "self_ns": per_thread[t][1]} for t in tids]
    return results("./pool", 5000, 20_000_000, fs, threads, end="signal:SIGINT")


def odd_names(rng):
    """Names a viewer must not choke on: a newline and quotes (CSV quoting, '?' in text), a C++
    name of 3000 characters with UTF-8 in it, a static function defined in two files, and a
    name of double-width characters."""
    fs = [
        function("std::vector<" + "\u00e9" * 3000 + ">::push_back", "src/v.cpp", 7,
                 samples(rng, 5, 40_000)),
        function('quote"d,name\nwith newline', "", 0, samples(rng, 3, 90_000)),
        function("init", "src/a.c", 12, samples(rng, 2, 5_000)),
        function("init", "src/b.c", 30, samples(rng, 4, 5_000)),
        function("\u6570\u636e::\u5904\u7406", "src/cjk.cpp", 3, [70_000]),  # two columns each
    ]
    return results("./odd", 9, 1_000_000, fs,
                   [{"tid": 9, "name": "odd\tthread", "calls": sum(f["count"] for f in fs),
                     "self_ns": sum(f["self_ns"] for f in fs)}])


def many(rng):
    """60 functions, more than any default top-N."""
    fs = [function("fn_%02d" % i, "src/many.c", 10 + i, samples(rng, 1 + i % 7, 1000 * (i + 1)))
          for i in range(60)]
    return results("./many", 7, 5_000_000, fs,
                   [{"tid": 7, "name": "many", "calls": sum(f["count"] for f in fs),
                     "self_ns": sum(f["self_ns"] for f in fs)}])


def pool(rng):
    """A thread pool as a newer runtime records it: the workers spend most of their self time
    waiting for work (worker_wait: large self time, little CPU), while the CPU goes to
    compress_block and checksum. Every function carries cpu_ns/wait_ns; worker_loop is still
    open in the 4 workers at exit (open_calls); threads carry their CPU clock, wait, preemption and
    the profiler's overhead; the top level wall_ns, overhead_total_ns, process_cpu_ns and cpus."""
    tids = [7000, 7001, 7002, 7003, 7004]
    workers = tids[1:]
    fs, th = [], {t: {"calls": 0, "self_ns": 0, "cpu_ns": 0, "wait_ns": 0} for t in tids}

    def add(name, line, per_tid, cpu_share, blocked_share=1.0, open_per_tid=0):
        all_samples, parts = [], []
        for t, s in per_tid:
            self_ns = sum(s)
            cpu = int(self_ns * cpu_share)
            parts.append({"tid": t, "count": len(s), "self_ns": self_ns, "cpu_ns": cpu,
                          "wait_ns": self_ns - cpu})
            all_samples += s
            th[t]["calls"] += len(s)
            th[t]["self_ns"] += self_ns
            th[t]["cpu_ns"] += cpu
            th[t]["wait_ns"] += self_ns - cpu
        f = function(name, "src/pool.c", line, all_samples, parts if len(parts) > 1 else None)
        cpu = sum(p["cpu_ns"] for p in parts)
        wait = f["self_ns"] - cpu
        split(f, cpu, int(wait * blocked_share), open_per_tid * len(parts) if open_per_tid else 0)
        fs.append(f)

    add("worker_wait", 40, [(t, samples(rng, 20, 9_000_000)) for t in workers], 0.01)
    add("compress_block", 55, [(t, samples(rng, 30, 1_500_000)) for t in workers], 0.97, 0.5)
    add("checksum", 70, [(7000, samples(rng, 50, 200_000))], 1.0)
    add("queue_pop", 80, [(t, samples(rng, 40, 20_000)) for t in workers], 0.4, 0.25)
    add("worker_loop", 20, [(t, [3_000_000]) for t in workers], 0.9, 1.0, open_per_tid=1)
    add("main", 1, [(7000, [5_000_000])], 0.2)
    overhead = {t: 30_000 + 7_000 * i for i, t in enumerate(tids)}
    threads = []
    for t in tids:
        # The kernel clock covers more than the instrumented self time (uninstrumented tails).
        threads.append({"tid": t, "name": "main" if t == 7000 else "worker-%d" % (t - 7000),
                        "calls": th[t]["calls"], "self_ns": th[t]["self_ns"],
                        "cpu_ns": th[t]["cpu_ns"] + 11_000 * (t - 6999),
                        "wait_ns": th[t]["wait_ns"] + 2_000, "preempt_ns": 1_000 * (t - 6999),
                        "overhead_ns": overhead[t]})
    wall = 240_000_000
    doc = results("./pool2", 7000, wall - max(overhead.values()), fs, threads)
    doc.update({"wall_ns": wall, "overhead_total_ns": sum(overhead.values()),
                "process_cpu_ns": sum(t["cpu_ns"] for t in threads) + 50_000, "cpus": 4})
    return doc


def main():
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")
    rng = random.Random(20251125)
    base, new = run_pair(rng)
    files = {"small.json": small(rng), "base.json": base, "new.json": new,
             "threads.json": threaded(rng), "many.json": many(rng)}
    files["odd_names.json"] = odd_names(rng)  # last: the files above keep their random draws
    files["pool.json"] = pool(random.Random(20261203))  # the cpu/wait split, its own draws
    for name, data in files.items():
        with open(os.path.join(here, name), "w") as f:
            json.dump(data, f, indent=1)
            f.write("\n")
    # A file cut short, as a crash in the middle of a write would leave it.
    with open(os.path.join(here, "broken.json"), "w") as f:
        f.write(json.dumps(files["small.json"], indent=1)[:700])
    # Well-formed JSON with impossible contents, and a run that recorded nothing.
    bad = bad_files(files["small.json"])
    bad.update(bad_split_files(files["pool.json"]))
    for name, text in bad.items():
        with open(os.path.join(here, name), "w") as f:
            f.write(text)


def bad_files(good):
    """Files the viewer must refuse with a clear message (exit 2), and one it must show empty."""
    def variant(change):
        data = json.loads(json.dumps(good))
        change(data)
        return json.dumps(data, indent=1) + "\n"

    def absurd_self(d):  # one call of at most max_ns cannot add up to more than max_ns
        f = d["functions"][6]
        f["self_ns"] = f["count"] * f["max_ns"] + 1

    def hist_mismatch(d):  # the histogram holds one call fewer than count
        d["functions"][1]["count"] += 1

    def wrong_version(d):
        d["version"] = 2

    def empty_run(d):
        d["functions"], d["threads"] = [], []
    return {"absurd.json": variant(absurd_self), "hist_mismatch.json": variant(hist_mismatch),
            "version2.json": variant(wrong_version), "empty_run.json": variant(empty_run),
            "not_json.txt": "Elapsed: 235ms | CPU Time: 87.0ms\n", "empty.json": ""}


def bad_split_files(good):
    """Newer files whose cpu/wait split contradicts itself: refused, naming the function."""
    def variant(change):
        data = json.loads(json.dumps(good))
        change(data)
        return json.dumps(data, indent=1) + "\n"

    def cpu_mismatch(d):  # cpu_ns + wait_ns must be self_ns exactly
        d["functions"][2]["cpu_ns"] += 1

    def open_excess(d):  # more calls still open than calls
        d["functions"][4]["open_calls"] = d["functions"][4]["count"] + 1
    return {"cpu_mismatch.json": variant(cpu_mismatch), "open_excess.json": variant(open_excess)}


if __name__ == "__main__":
    main()
