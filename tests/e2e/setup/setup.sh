#!/bin/sh
# End-to-end test of thread-per-request programs (issue 16): the runtime's set-up is not charged
# to the program's functions, and threads beyond HEATMAP_THREADS_MAX are summed in one
# "other threads" row whose figures add up. Checks in check_setup.py.
#
# usage: setup.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR VIEWER
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5 viewer=$6
. "$source_dir/tests/e2e/lib.sh"
e2e_workdir "$prefix" "$libdir" "$work" setup.c heatmap.yaml
e2e_compile setup setup.c -O2 -g -pthread
# 40 fresh threads: every thread has a row of its own.
HEATMAP_SUMMARY=on HEATMAP_OUTPUT="$PWD/fresh.json" ./setup 40 >out.txt 2>summary.txt ||
    fail "setup 40: $(cat out.txt summary.txt)"
python3 "$here/check_setup.py" fresh.json 40 64
# HEATMAP_SUMMARY's run lines are heatmap-view's static summary lines of the same file.
"$viewer" --format=text --ascii --width=400 fresh.json >view.txt || fail "heatmap-view fresh.json"
sed -n 2,3p view.txt >want.txt
sed -n 2,3p summary.txt | sed 's/^  //' >got.txt
cmp -s want.txt got.txt || fail "HEATMAP_SUMMARY differs from heatmap-view's summary:
$(cat got.txt)
heatmap-view:
$(cat want.txt)"
# 300 threads, 4 listed: the rest in the "other threads" row.
HEATMAP_THREADS_MAX=4 HEATMAP_OUTPUT="$PWD/folded.json" ./setup 300 >out.txt ||
    fail "setup 300: $(cat out.txt)"
python3 "$here/check_setup.py" folded.json 300 4
"$viewer" --format=json folded.json >view.json || fail "heatmap-view cannot read folded.json"
"$viewer" --format=text folded.json >view.txt || fail "heatmap-view cannot show folded.json"
echo "ok: setup"
