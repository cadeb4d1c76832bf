#!/bin/sh
# End-to-end test of memory tracking (issue 12): heap.c + heap_cxx.cpp compiled with the installed
# plugin, run, and every figure checked exactly by check_heap.py in the results file, in
# heatmap-view --format=json|csv and in the pprof heap/allocs profiles read back with
# `go tool pprof -raw` (written at exit by the runtime and by heatmap-view --export).
#
# usage: heap.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR VIEW MODE
#   MODE: exact (shared runtime), static (static runtime), off (HEATMAP_HEAP=off), signals, fork
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5 view=$6 mode=$7
. "$source_dir/tests/e2e/lib.sh"
e2e_workdir "$prefix" "$libdir" "$work" heap.c heap_cxx.cpp heatmap.yaml
# shellcheck disable=SC2046
"$clang" -O2 -g -pthread $(pkg-config --cflags heatmap) -c heap.c -o heap.o
# shellcheck disable=SC2046
"$clang++" -O2 -g $(pkg-config --cflags heatmap) -c heap_cxx.cpp -o heap_cxx.o
if [ "$mode" = static ]; then
    "$clang++" -pthread heap.o heap_cxx.o -o heap "$prefix/$libdir/libheatmap-rt.a" -ldl
else
    # shellcheck disable=SC2046
    "$clang++" -pthread heap.o heap_cxx.o -o heap $(pkg-config --libs heatmap)
fi
export HEATMAP_EXPORT_LIB="$prefix/$libdir/libheatmap-export.so.1"
arg=
case "$mode" in signals | fork) arg=$mode ;; esac
status=0
if [ "$mode" = off ]; then
    HEATMAP_HEAP=off HEATMAP_OUTPUT="$PWD/h.json" ./heap >out.txt 2>err.txt || status=$?
else
    HEATMAP_OUTPUT="$PWD/h.json" HEATMAP_PROFILE_TYPE=heap,allocs \
        HEATMAP_PROFILE_FILE="$PWD/rt.%k.pb.gz" ./heap $arg >out.txt 2>err.txt || status=$?
fi
[ "$status" = 0 ] || { echo "FAIL: heap $mode exited with $status: $(cat out.txt err.txt)" >&2; exit 1; }
if [ -s err.txt ]; then
    echo "FAIL: heap $mode wrote to stderr: $(cat err.txt)" >&2
    exit 1
fi
case "$mode" in
exact | static)
    "$view" --format=json --top=100 h.json >view.json
    "$view" --format=csv --top=100 h.json >view.csv
    "$view" --mode=memory --top=100 h.json >view.txt
    HEATMAP_SUMMARY=on HEATMAP_OUTPUT="$PWD/s.json" ./heap >/dev/null 2>summary.txt
    for t in heap allocs; do
        "$view" --export=pprof --type=$t -o view.$t.pb.gz h.json
        if command -v go >/dev/null; then
            go tool pprof -raw rt.$t.pb.gz >rt.$t.raw 2>/dev/null
            go tool pprof -raw view.$t.pb.gz >view.$t.raw 2>/dev/null
        fi
    done
    ;;
off)
    if "$view" --export=pprof --type=heap -o x.pb.gz h.json 2>why.txt; then
        echo "FAIL: a heap profile from a run without memory tracking" >&2
        exit 1
    fi
    grep -q 'no memory figures' why.txt || { echo "FAIL: unclear error: $(cat why.txt)" >&2; exit 1; }
    ;;
esac
python3 "$here/check_heap.py" "$mode" "$PWD"
echo "ok: heap $mode"
