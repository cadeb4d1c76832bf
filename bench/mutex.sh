#!/bin/sh
# Cost of the pthread_mutex_lock wrapper (runtime/waits.c) on an uncontended lock: ns per
# lock/unlock pair, plain vs. linked with the runtime (recording on and HEATMAP=off), medians of
# RUNS runs in rotation.
#
# usage: bench/mutex.sh [PREFIX] [ITERATIONS] [RUNS]
#   PREFIX: a heatmap install (default ./_install, as made by scripts/demo.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/setup.sh"
bench_setup 20000000 7 "$@"
trap 'rm -rf "$work"' EXIT
cd "$work"
"$clang" -O2 "$here/mutex/mutex.c" -o plain -lpthread
# Linked with the runtime (not instrumented: the wrapper alone is measured).
# shellcheck disable=SC2046
"$clang" -O2 "$here/mutex/mutex.c" -o wrapped $(pkg-config --libs heatmap)
median() { sort -n | awk '{v[NR] = $1} END {print v[int((NR + 1) / 2)]}'; }
: >plain.txt
: >on.txt
: >off.txt
i=0
while [ "$i" -lt "$runs" ]; do
    ./plain "$iterations" >>plain.txt
    HEATMAP_OUTPUT="$work/h.json" ./wrapped "$iterations" >>on.txt
    HEATMAP=off ./wrapped "$iterations" >>off.txt
    i=$((i + 1))
done
echo "ns per uncontended lock/unlock pair (median of $runs x $iterations):"
echo "  plain            $(median <plain.txt)"
echo "  wrapper, on      $(median <on.txt)"
echo "  wrapper, off     $(median <off.txt)"
