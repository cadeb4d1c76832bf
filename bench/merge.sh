#!/bin/sh
# Merging at fleet scale (issue 13): heatmap-view over many results files of 500 functions each.
#
# usage: bench/merge.sh [PREFIX] [FILES] [RUNS]
#   PREFIX: a heatmap install (default ./_install, as made by scripts/demo.sh)
#   FILES:  results files to merge (default 1000, about 380 MB); RUNS: runs per output (default 3)
# bench/merge/gen_results.c writes the files: one program's processes, each with 500 of its 600
# functions, four threads, call paths and the memory section, all through the format's contract
# (<heatmap/results_format.h>). Each output is then timed over all of them with /usr/bin/time:
# wall seconds and CPU seconds (user + system) of the median run, and the largest max RSS, then
# the wall time as a ratio to the 3 s target. A second table merges a tenth of the files with the
# same outputs: memory must not grow with the files (it is bounded by the distinct functions and
# call paths). The machine's load average is printed before and after: on a shared machine the
# wall time measures the neighbours too, the CPU time much less. Prints figures; asserts nothing.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/setup.sh"
bench_setup 1000 3 "$@" # "iterations" = files
files=$iterations
trap 'rm -rf "$work"' EXIT
view="$prefix/bin/heatmap-view"
cc -O2 -I"$prefix/include" "$here/merge/gen_results.c" -o "$work/gen"
mkdir "$work/files" "$work/tenth"
"$work/gen" "$work/files" "$files" 500
tenth=$(((files + 9) / 10))
i=0
while [ "$i" -lt "$tenth" ]; do
    ln -s "$work/files/heatmap.$i.json" "$work/tenth/heatmap.$i.json"
    i=$((i + 1))
done
mb=$(du -smL "$work/files" | cut -f1)
echo "$files results files of 500 functions ($mb MB) in $work; $(nproc) CPUs;" \
    "load average $(cut -d' ' -f1-3 /proc/loadavg)"

# measure DIR ARGS... -> "wall cpu rss_kb": the median run by wall time, the largest max RSS.
# $runner (e.g. "taskset -c 0") goes in front of heatmap-view when set.
measure() {
    mdir=$1
    shift
    : >"$work/runs"
    r=0
    while [ "$r" -lt "$runs" ]; do
        # shellcheck disable=SC2046,SC2086
        /usr/bin/time -f "%e %U %S %M" -o "$work/t" ${runner:-} "$view" "$@" \
            $(ls "$mdir"/*.json) >"$work/out" 2>/dev/null || true
        read -r wall user sys rss <"$work/t"
        echo "$wall $user $sys $rss" | awk '{ print $1, $2 + $3, $4 }' >>"$work/runs"
        r=$((r + 1))
    done
    maxrss=$(sort -k3 -n "$work/runs" | tail -1 | cut -d' ' -f3)
    median=$(sort -n "$work/runs" | sed -n "$(((runs + 1) / 2))p")
    echo "${median% *} $maxrss"
}

row() { # LABEL WALL CPU RSS_KB
    awk -v l="$1" -v w="$2" -v c="$3" -v k="$4" \
        'BEGIN { printf "%-34s %8.2f %8.2f %8.1f %10.2f\n", l, w, c, k / 1024, w / 3 }'
}

table() { # DIR NFILES
    tdir=$1
    printf '\n%-34s %8s %8s %8s %10s\n' "output ($2 files)" "wall s" "CPU s" "MB" "wall / 3s"
    while IFS='|' read -r label args; do
        # shellcheck disable=SC2086,SC2046
        row "$label" $(measure "$tdir" $args)
    done <<EOF
static text|--no-tui
--format=json|--format=json
--format=csv|--format=csv
--export=pprof (calls)|--export=pprof --output=$work/o.pb.gz
--export=pprof --type=heap|--export=pprof --type=heap --output=$work/o.heap.pb.gz
--export=folded|--export=folded --output=$work/o.folded
--export=svg|--export=svg --output=$work/o.svg
EOF
}

table "$work/files" "$files"
table "$work/tenth" "$tenth"
if command -v taskset >/dev/null; then
    printf '\n%-34s %8s %8s %8s %10s\n' "one CPU, no worker ($files files)" "wall s" "CPU s" "MB" \
        "wall / 3s"
    # shellcheck disable=SC2046
    row "static text (taskset -c 0)" $(runner="taskset -c 0" measure "$work/files" --no-tui)
    # shellcheck disable=SC2046
    row "--export=pprof (taskset -c 0)" $(runner="taskset -c 0" measure "$work/files" \
        --export=pprof --output="$work/o.pb.gz")
fi
echo
echo "Not measured: --export=chrome merges trace files (HEATMAP_TRACE=1), one timeline per"
echo "process laid side by side, not a merge; --diff takes two files."
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
