#!/bin/sh
# Cost of memory tracking (HEATMAP_HEAP) on a malloc-heavy program, beside heaptrack.
#
# usage: bench/heap.sh [PREFIX] [PAIRS] [RUNS] [THREADS...]
#   PREFIX: a heatmap install (default ./_install); PAIRS: malloc+free pairs per thread
#   (default 10000000); RUNS: runs of each variant (default 7); THREADS: default "1 2 4".
# bench/heap/churn.c runs its pairs on each of THREADS threads inside one instrumented function,
# as: plain (no plugin), heatmap with HEATMAP_HEAP=off, heatmap with tracking on,
# on without peaks (HEATMAP_HEAP_PEAK=off), and the plain binary under heaptrack (when installed;
# heaptrack's own analysis at exit is not in its figure: churn times its threads itself). The
# variants run in rotation; each line prints the median and the least CPU ns per pair (per thread:
# churn reads each thread's CPU clock; the least is the run the neighbours disturbed least), the
# least's ns added over plain, and the median wall ns per pair (heaptrack's CPU time is partly in
# its own interpreter process, so its wall time is the fairer figure).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/setup.sh"
bench_setup 10000000 7 "$@"
pairs=$iterations
shift 3 2>/dev/null || shift $#
threads=${*:-1 2 4}
trap 'rm -rf "$work"' EXIT
cp "$here/heap/churn.c" "$here/heap/heatmap.yaml" "$work/"
cd "$work"
"$clang" -O2 -pthread churn.c -o plain
# shellcheck disable=SC2046
"$clang" -O2 -pthread churn.c -o heatmap $(pkg-config --cflags --libs heatmap)
export HEATMAP_OUTPUT="$work/r.json" HEATMAP_EXPORT_LIB=/nonexistent
variants="plain off on nopeak"
command -v heaptrack >/dev/null && variants="$variants heaptrack"

run() { # variant threads -> ns per pair
    case "$1" in
    plain) ./plain "$2" "$pairs" ;;
    off) HEATMAP_HEAP=off ./heatmap "$2" "$pairs" ;;
    on) ./heatmap "$2" "$pairs" ;;
    nopeak) HEATMAP_HEAP_PEAK=off ./heatmap "$2" "$pairs" ;;
    heaptrack) heaptrack -o "$work/ht" ./plain "$2" "$pairs" 2>/dev/null | grep -E '^[0-9. ]+$' ;;
    esac
}
median() { sort -n "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
least() { sort -n "$1" | head -n 1; }
echo "churn: $pairs malloc+free pairs per thread (16..256 bytes), $runs runs each"
printf '%-8s %-10s %12s %12s %14s %12s\n' threads variant "median CPU" "least CPU" "least +plain" \
    "median wall"
for t in $threads; do
    i=0
    while [ "$i" -lt "$runs" ]; do
        for v in $variants; do
            r=$(run "$v" "$t")
            echo "${r% *}" >>"$v.$t"
            echo "${r#* }" >>"$v.$t.wall"
        done
        rm -f "$work"/ht*
        i=$((i + 1))
    done
    for v in $variants; do
        awk -v t="$t" -v v="$v" -v m="$(median "$v.$t")" -v l="$(least "$v.$t")" \
            -v p="$(least "plain.$t")" -v w="$(median "$v.$t.wall")" \
            'BEGIN {printf "%-8s %-10s %12.1f %12.1f %14.1f %12.1f\n", t, v, m, l, l - p, w}'
    done
done
