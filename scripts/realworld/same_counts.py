#!/usr/bin/env python3
"""Checks that two results files of the same workload count every function alike.

    same_counts.py [--min-throttled N] [--throttled-only] A.json B.json

A and B are results files (heatmap's own or heatmap-view --format=json's) of the same program run
on the same input under two settings, e.g. the runtime's defaults and HEATMAP_THROTTLE=off: the
same functions (by name, file and line) with the same counts. --min-throttled N: A must hold at
least N throttled functions (`throttled_after`), so that the comparison is not vacuous. Prints the
differences (at most 20) and a summary line; exit status 1 on any difference. --throttled-only:
compare only the functions throttled in A (for runs whose other counts depend on the scheduling of
threads, e.g. a multithreaded compressor's polling loops, while the hot functions' work does not).
"""
import argparse
import json
import sys


def load(path):
    with open(path) as f:
        doc = json.load(f)
    counts, throttled = {}, set()
    for fn in doc["functions"]:
        key = (fn["name"], fn["file"], fn["line"])
        counts[key] = counts.get(key, 0) + fn["count"]
        if "throttled_after" in fn:
            throttled.add(key)
    return counts, throttled


def main():
    ap = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    ap.add_argument("--min-throttled", type=int, default=0)
    ap.add_argument("--throttled-only", action="store_true")
    ap.add_argument("a")
    ap.add_argument("b")
    a = ap.parse_args()
    ca, ta = load(a.a)
    cb, tb = load(a.b)
    diffs = ["%s (%s:%d): %s in %s, %s in %s" % (k[0], k[1], k[2], ca.get(k, "absent"), a.a,
                                                  cb.get(k, "absent"), a.b)
             for k in sorted(ta if a.throttled_only else set(ca) | set(cb)) if ca.get(k) != cb.get(k)]
    for d in diffs[:20]:
        print("  differs: " + d)
    if len(diffs) > 20:
        print("  ... %d more" % (len(diffs) - 20))
    few = len(ta) < a.min_throttled
    if few:
        print("  %s: %d throttled functions, expected at least %d" % (a.a, len(ta), a.min_throttled))
    print("  counts: %d functions, %d calls; %d functions throttled in the first, %d in the second; "
          "%d %scompared, %d differences" % (len(ca), sum(ca.values()), len(ta), len(tb),
                                             len(ta) if a.throttled_only else len(set(ca) | set(cb)),
                                             "throttled " if a.throttled_only else "", len(diffs)))
    return 1 if diffs or few else 0


if __name__ == "__main__":
    sys.exit(main())
