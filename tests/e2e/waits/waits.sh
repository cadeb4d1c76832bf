#!/bin/sh
# End-to-end test of the CPU / wait split (issue 11): one mode of waits.c, compiled with the
# installed plugin (shared runtime, and the static runtime for the sleep mode), run, and its results
# checked by check_waits.py. Bounds are one-sided where the physics allows, so load cannot fail them.
#
# usage: waits.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR MODE
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5 mode=$6
. "$source_dir/tests/e2e/lib.sh"
e2e_workdir "$prefix" "$libdir" "$work" waits.c heatmap.yaml
e2e_compile waits waits.c -O2 -g -pthread
"$clang" -O2 -g -pthread waits.c -o plain

status=0
HEATMAP_OUTPUT="$PWD/h.json" ./waits "$mode" >out.txt 2>err.txt || status=$?
[ "$status" = 0 ] || { echo "FAIL: waits $mode exited with $status: $(cat out.txt err.txt)" >&2; exit 1; }
python3 "$here/check_waits.py" "$mode" h.json out.txt

case "$mode" in
sleep)
    # The static runtime interposes too.
    # shellcheck disable=SC2046
    "$clang" -O2 -g -pthread $(pkg-config --cflags heatmap) waits.c -o waits-static \
        "$prefix/$libdir/libheatmap-rt.a" -ldl
    HEATMAP_OUTPUT="$PWD/static.json" ./waits-static sleep >/dev/null
    python3 "$here/check_waits.py" sleep static.json out.txt
    ;;
errno)
    # The same answers with recording off, and without heatmap at all.
    HEATMAP=off ./waits errno >off.txt || { echo "FAIL: HEATMAP=off: $(cat off.txt)" >&2; exit 1; }
    ./plain errno >plain.txt || { echo "FAIL: plain: $(cat plain.txt)" >&2; exit 1; }
    ;;
cpu4)
    # Confined to one CPU (taskset: the affinity mask; the first CPU this test may use), the run
    # records cpus 1, and check_waits.py's "parallelism <= cpus" then holds the four burners' CPU
    # time to one CPU: the bound of Parallelism is the CPUs the process may use, not the machine's.
    # (On a machine with one CPU online this cannot tell the two apart.)
    one=$(python3 -c 'import os; print(min(os.sched_getaffinity(0)))')
    HEATMAP_OUTPUT="$PWD/one.json" taskset -c "$one" ./waits cpu4 >one.txt
    python3 "$here/check_waits.py" cpu4 one.json one.txt
    python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["cpus"]; sys.exit(c != 1 and "FAIL: cpus %d under taskset -c CPU, expected 1" % c)' one.json
    ;;
esac
echo "ok: waits $mode"
