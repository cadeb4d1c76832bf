#!/usr/bin/env python3
"""Compares SQLite Tcl test outputs of two builds: compare_tcl.py PLAIN_DIR INSTRUMENTED_DIR.

Per test file: the error count, the list of failing tests and the exit status must be the same,
and the whole output must be identical except for lines with times or memory figures, and except
for the iterations of SQLite's OOM fault-injection loops ("NAME-oom-transient.457... Ok"): how
many iterations a statement needs depends on glibc's heap layout (SQLite reads
malloc_usable_size), which any extra allocation in the process changes (a preloaded library that
calls malloc() at start-up changes altermalloc2.test's count in the plain build, too).
Prints one line per difference and the totals; exit status 1 on a real difference."""
import os, re, sys

NOISE = re.compile(r"^(Memory used|Allocation count|Page-cache|Maximum memory|Current memory|Scratch|Lookaside|Time:)|[0-9.]+ ?(seconds|ms|microseconds)\b")
OOMLINE = re.compile(r"(oom|transient|persistent|fault|malloc)[^ ]*\.\.\. Ok$")
SUMMARY = re.compile(r"^(\d+) errors out of (\d+) tests")

def read(path):
    try:
        return open(path, errors="replace").read().splitlines()
    except FileNotFoundError:
        return None

def summary(lines):
    errs = tests = None
    fails, status = [], None
    for l in lines:
        m = SUMMARY.match(l)
        if m: errs, tests = int(m.group(1)), int(m.group(2))
        if l.startswith("!Failures on these tests"): fails.append(l)
        if l.startswith("--- exit status"): status = l
    return errs, tests, fails, status

plain, inst = sys.argv[1], sys.argv[2]
files = sorted(f for f in os.listdir(plain) if f.endswith(".test.txt"))
bad = oom = 0
tot = [0, 0, 0, 0]
for f in files:
    a, b = read(os.path.join(plain, f)), read(os.path.join(inst, f))
    if b is None:
        print("  %s: no output from the instrumented build" % f); bad += 1; continue
    sa, sb = summary(a), summary(b)
    tot[0] += sa[0] or 0; tot[1] += sa[1] or 0; tot[2] += sb[0] or 0; tot[3] += sb[1] or 0
    ka = [l for l in a if not NOISE.search(l) and not SUMMARY.match(l)]
    kb = [l for l in b if not NOISE.search(l) and not SUMMARY.match(l)]
    if sa[0] != sb[0] or sa[2] != sb[2] or sa[3] != sb[3]:
        print("  %s: plain %s errors %s %s, instrumented %s errors %s %s" % (f, sa[0], sa[2], sa[3], sb[0], sb[2], sb[3])); bad += 1
    elif ka != kb:
        ra = [l for l in ka if not OOMLINE.search(l)]
        rb = [l for l in kb if not OOMLINE.search(l)]
        if ra == rb:
            oom += 1
            print("  %s: same result; OOM-loop iterations differ: %d tests plain, %d instrumented" % (f, sa[1], sb[1]))
        else:
            bad += 1
            import difflib
            print("  %s: output differs:" % f)
            for l in list(difflib.unified_diff(ra, rb, lineterm="", n=0))[2:8]:
                print("    " + l)
print("  Tcl tests: %d files; plain: %d errors out of %d tests; instrumented: %d errors out of %d; "
      "%d files differ only in OOM-loop iterations; %d differ otherwise" % (len(files), tot[0], tot[1], tot[2], tot[3], oom, bad))
sys.exit(1 if bad or not files else 0)
