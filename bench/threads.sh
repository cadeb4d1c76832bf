#!/bin/sh
# Memory of thread-per-request programs (issue 16): max RSS and results-file size of
# bench/threads/threads.c, plain vs. instrumented, for N sequential threads and M threads alive at
# once. Prints figures; asserts nothing.
#
# usage: bench/threads.sh [PREFIX] [SEQUENTIAL] [LIVE]
#   PREFIX: a heatmap install (default ./_install, as made by scripts/demo.sh)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/setup.sh"
bench_setup 100000 10000 "$@" # "iterations" = sequential threads, "runs" = live threads
seq=$iterations
live=$runs
trap 'rm -rf "$work"' EXIT
cp "$here/threads/threads.c" "$here/threads/heatmap.yaml" "$work/"
cd "$work"
"$clang" -O2 -pthread threads.c -o plain
# shellcheck disable=SC2046
"$clang" -O2 -pthread $(pkg-config --cflags heatmap) threads.c -o heatmap $(pkg-config --libs heatmap)
rss() { # PROGRAM ARGS... -> max RSS in KiB
    /usr/bin/time -f %M -o rss.txt "$@" >/dev/null
    cat rss.txt
}
report() { # MODE N
    p=$(rss ./plain "$1" "$2")
    rm -f h.json
    h=$(HEATMAP_OUTPUT="$work/h.json" rss ./heatmap "$1" "$2")
    size=$(wc -c <h.json)
    echo "$1 $2 threads: max RSS plain $p KiB, heatmap $h KiB (+$((h - p)) KiB," \
        "$(((h - p) * 1024 / $2)) bytes per thread); results file $size bytes"
}
report seq "$seq"
report live "$live"
