#!/usr/bin/env python3
"""Checks of the live server's responses, for server.sh (stdlib only).

usage: check_server.py metrics FILE           strict Prometheus text-format (0.0.4) parse
       check_server.py raw KIND FILE          a `go tool pprof -raw` dump: sample type and stacks
       check_server.py bad PORT               bad requests get 4xx and the server answers after
       check_server.py chrome FILE            a Chrome trace with B/E events of the program
       check_server.py viewer FILE            heatmap-view --format=json output of /debug/heatmap
"""
import json
import re
import socket
import sys


def fail(msg):
    print("FAIL: " + msg, file=sys.stderr)
    sys.exit(1)


NAME = r"[a-zA-Z_:][a-zA-Z0-9_:]*"
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\[\\"n])*"'
SAMPLE = re.compile(r"^(%s)(\{%s(?:,%s)*\})? (-?[0-9]+(?:\.[0-9]+)?(?:e[+-]?[0-9]+)?)$" % (NAME, LABEL, LABEL))


def check_metrics(path):
    """Every line a HELP, a TYPE or a sample; each metric's TYPE before its samples, once; no
    series twice; the names the issue asks for, with function and file labels."""
    types, seen, values = {}, set(), {}
    text = open(path, encoding="utf-8").read()
    if not text.endswith("\n"):
        fail("metrics: no final newline")
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# HELP "):
            if not re.match(r"^# HELP %s \S" % NAME, line):
                fail("metrics line %d: bad HELP: %r" % (n, line))
            continue
        if line.startswith("# TYPE "):
            m = re.match(r"^# TYPE (%s) (counter|gauge|histogram|summary|untyped)$" % NAME, line)
            if not m or m.group(1) in types:
                fail("metrics line %d: bad or repeated TYPE: %r" % (n, line))
            types[m.group(1)] = m.group(2)
            continue
        m = SAMPLE.match(line)
        if not m:
            fail("metrics line %d: not a sample: %r" % (n, line))
        name, labels, value = m.group(1), m.group(2) or "", float(m.group(3))
        if name not in types:
            fail("metrics line %d: %s has no TYPE before it" % (n, name))
        if (name, labels) in seen:
            fail("metrics line %d: series twice: %r" % (n, line))
        if types[name] == "counter" and (value < 0 or not name.endswith("_total")):
            fail("metrics line %d: bad counter %r" % (n, line))
        seen.add((name, labels))
        values[(name, labels)] = value
    for name in ("heatmap_function_calls_total", "heatmap_function_self_seconds_total",
                 "heatmap_function_cpu_seconds_total"):
        if types.get(name) != "counter":
            fail("metrics: no counter %s" % name)
    calls = values.get(("heatmap_function_calls_total", '{function="hot",file="server_prog.c"}'))
    if not calls or calls < 1:
        fail("metrics: no calls of hot() from server_prog.c")
    total = sum(v for (k, _), v in values.items() if k == "heatmap_function_calls_total")
    if values.get(("heatmap_calls_total", "")) != total:
        fail("metrics: heatmap_calls_total %r is not the sum of the functions' %r" %
             (values.get(("heatmap_calls_total", "")), total))
    for name in ("heatmap_process_cpu_seconds_total", "heatmap_wall_seconds", "heatmap_threads"):
        if (name, "") not in values:
            fail("metrics: no %s" % name)


def parse_raw(path):
    """(sample types, [(values, [function names leaf first])]) of a -raw dump."""
    lines = open(path).read().splitlines()
    try:
        i = lines.index("Samples:")
    except ValueError:
        fail("%s: no Samples section" % path)
    types = lines[i + 1].replace("[dflt]", "").split()
    samples, locs, j = [], {}, i + 2
    while j < len(lines) and lines[j] != "Locations":
        m = re.match(r"^\s*([0-9 ]+):((?: [0-9]+)*)\s*$", lines[j])
        if m:
            samples.append(([int(v) for v in m.group(1).split()], [int(x) for x in m.group(2).split()]))
        j += 1
    for line in lines[j + 1:]:
        m = re.match(r"^\s+([0-9]+): 0x[0-9a-f]+ M=[0-9]+ (\S+)", line)
        if m:
            locs[int(m.group(1))] = m.group(2)
        elif re.match(r"^\s{10,}\S", line) and locs:
            pass  # inlined frames: the first line names the location
        elif line == "Mappings":
            break
    return types, [(v, [locs.get(x, "?") for x in st]) for v, st in samples]


def check_raw(kind, path):
    types, samples = parse_raw(path)
    want = {"cpu": "samples/count", "goroutine": "goroutine/count",
            "threadcreate": "threadcreate/count", "block": "contentions/count",
            "mutex": "contentions/count", "heap": "alloc_objects/count",
            "allocs": "alloc_objects/count"}[kind]
    if not types or types[0] != want:
        fail("%s: sample types %r, expected %s first" % (kind, types, want))
    stacks = [names for _, names in samples]
    def has(*names):  # a stack with these functions, innermost first, in order
        return any(all(n in s for n in names) and
                   [s.index(n) for n in names] == sorted(s.index(n) for n in names) for s in stacks)
    if kind == "cpu":
        if not has("hot", "main"):
            fail("cpu: no sample in hot() under main(): %r" % stacks)
    elif kind == "goroutine":
        # main and the two workers, each counted once: three threads on at most three stacks
        if sum(v[0] for v, _ in samples) != 3:
            fail("goroutine: %r threads, expected 3: %r" % (sum(v[0] for v, _ in samples), samples))
        if sum(v[0] for v, s in samples if "worker" in s) != 2:
            fail("goroutine: the two workers are not both in worker(): %r" % samples)
    elif kind == "threadcreate":
        if samples != [([2], ["spawn", "main"])]:
            fail("threadcreate: expected two threads made in spawn() under main(): %r" % samples)
    elif kind in ("block", "mutex"):
        if not has("locked", "worker") and kind == "mutex":
            fail("mutex: no wait in locked() under worker(): %r" % stacks)
        if kind == "block" and not has("nap", "worker") and not has("locked", "worker"):
            fail("block: no wait under worker(): %r" % stacks)


def request(port, data):
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered (and closed) before reading everything
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except ConnectionResetError:
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)
    finally:
        s.close()


def status(resp):
    m = re.match(rb"^HTTP/1\.[01] ([0-9]{3}) ", resp)
    return int(m.group(1)) if m else None


def check_bad(port):
    cases = [
        # libmicrohttpd closes a connection whose request line has no space without a reply
        # (0.9.75 and 1.0 alike; docs/server.md says where in its code): either that or a 400, never
        # anything else, and the server goes on (the index answers after each case, below).
        ("garbage", b"\x16\x03\x01garbage\r\n\r\n", (400, None)),
        ("GARBAGE", b"GARBAGE\r\n\r\n", (400, None)),
        ("GARBAGE, bare LF", b"GARBAGE\n\n", (400, None)),
        # the shape of a request: answered
        ("unknown method", b"GARBAGE / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (405, 501)),
        ("no target", b"GET  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (400,)),
        ("no version", b"GET /debug/pprof/\r\n\r\n", (400, 505)),
        ("garbage with spaces", b"\x16\x03 \x01 garbage\r\n\r\n", (400, 405, 505)),
        ("bad version", b"GET /metrics HTTP/7.0\r\n\r\n", (400, 505)),
        ("no space", b"GET\r\n\r\n", (400, None)),
        ("POST", b"POST /debug/pprof/heap HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Length: 4\r\n\r\nabcd", (405,)),
        ("DELETE", b"DELETE /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (405,)),
        ("traversal", b"GET /debug/pprof/../../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (404, 400)),
        ("encoded traversal", b"GET /debug/pprof/%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (404, 400)),
        ("unknown path", b"GET /etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (404,)),
        ("huge header", b"GET /metrics HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-Big: " + b"a" * 65536 + b"\r\n\r\n", (400, 413, 414, 431)),
        ("huge line", b"GET /" + b"a" * 65536 + b" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (400, 413, 414, 431)),
        ("bad seconds", b"GET /debug/pprof/profile?seconds=-3 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (400,)),
        ("bad seconds 2", b"GET /debug/pprof/trace?seconds=1e9 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", (400,)),
    ]
    for name, data, want in cases:
        resp = request(port, data)
        got = status(resp)
        print("%s: %r" % (name, got))
        if got is None and resp:
            fail("%s: not an HTTP response: %r" % (name, resp[:200]))
        if got not in want and not (got is None and name.startswith("huge")):
            if got is None and resp:
                fail("%s: not an HTTP response: %r" % (name, resp[:200]))
            fail("%s: status %r, expected %r: %r" % (name, got, want, resp[:200]))
        if b"root:" in resp:
            fail("%s: a file outside the table was served" % name)
        ok = request(port, b"GET /debug/pprof/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        if status(ok) != 200 or b"goroutine" not in ok:
            fail("after %s the index no longer answers: %r" % (name, ok[:200]))


def check_chrome(path):
    doc = json.load(open(path))
    events = doc["traceEvents"]
    names = {e.get("name") for e in events if e.get("ph") in ("B", "E")}
    if not {"hot", "cold"} <= names:
        fail("trace: no B/E events of hot and cold: %r" % sorted(names)[:20])
    depth = {}
    for e in events:
        if e["ph"] == "B":
            depth[e["tid"]] = depth.get(e["tid"], 0) + 1
        elif e["ph"] == "E":
            depth[e["tid"]] = depth.get(e["tid"], 0) - 1
            if depth[e["tid"]] < 0:
                fail("trace: an E without its B on thread %r" % e["tid"])


def check_viewer(path):
    doc = json.load(open(path))
    text = json.dumps(doc)
    for name in ("hot", "cold", "locked"):
        if '"%s"' % name not in text:
            fail("heatmap-view --format=json of /debug/heatmap has no %s" % name)


def main():
    what = sys.argv[1]
    if what == "metrics":
        check_metrics(sys.argv[2])
    elif what == "raw":
        check_raw(sys.argv[2], sys.argv[3])
    elif what == "bad":
        check_bad(int(sys.argv[2]))
    elif what == "chrome":
        check_chrome(sys.argv[2])
    elif what == "viewer":
        check_viewer(sys.argv[2])
    else:
        fail("unknown check " + what)


if __name__ == "__main__":
    main()
