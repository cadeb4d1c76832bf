#!/bin/sh
# End-to-end test of call paths and exports: compile programs with the installed plugin and runtime
# (through pkg-config, as a user would), run them with HEATMAP_TRACE=1, check the exact call-path
# trees (check_tree.py) and every export of the results (check_exports.py).
#
# usage: run_e2e.sh PREFIX LIBDIR CLANG VIEWER SOURCE_DIR WORK_DIR CASE
#   CASE: callgraph   examples/callgraph 20 1000 1024 at -O2: recursion collapsed (fib, msort)
#         limit       the same with HEATMAP_PATHS_MAX=6: paths folded, totals kept
#         threads     examples/threads 3 50000: the exited threads' tree, a trace per thread
#         shapes      tests/export/e2e/shapes.c 4 2: mutual recursion, live and exited threads
set -eu
prefix=$1 libdir=$2 clang=$3 viewer=$4 source_dir=$5 work=$6 case=$7
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
# Every call timed: the trees' counts below are every call's (a throttled function's count-only
# calls are in no call-path node; e2e_robust_throttle checks throttled paths).
export HEATMAP_THROTTLE=off
checks="$source_dir/tests/export"

rm -rf "$work"
mkdir -p "$work"
case "$case" in
callgraph | limit) src="$source_dir/examples/callgraph" prog=callgraph ;;
threads) src="$source_dir/examples/threads" prog=threads ;;
shapes) src="$source_dir/tests/export/e2e" prog=shapes ;;
*)
    echo "run_e2e.sh: unknown case '$case'" >&2
    exit 2
    ;;
esac
cp "$src/$prog.c" "$src/heatmap.yaml" "$work/"
cd "$work"
# shellcheck disable=SC2046
"$clang" -O2 -g -pthread $(pkg-config --cflags heatmap) "$prog.c" -o app $(pkg-config --libs heatmap)

fib_calls() { # 2*F(n+1)-1
    a=0 b=1 i=0
    while [ "$i" -lt $(($1 + 1)) ]; do t=$((a + b)); a=$b; b=$t; i=$((i + 1)); done
    echo $((2 * a - 1))
}

kinds="folded svg chrome pprof"
case "$case" in
callgraph)
    HEATMAP_TRACE=1 HEATMAP_OUTPUT="$PWD/r.json" ./app 20 1000 1024 >/dev/null 2>&1
    python3 "$checks/check_tree.py" r.json arg=3 run=1 "run;fib=$(fib_calls 20)" \
        "run;count_primes=1" "run;count_primes;is_prime=1000" "run;msort=$((2 * 1024 - 1))" \
        "run;msort;merge=1023" "run;checksum=1"
    ;;
limit)
    HEATMAP_PATHS_MAX=6 HEATMAP_OUTPUT="$PWD/r.json" ./app 20 1000 1024 >/dev/null 2>&1
    python3 "$checks/check_tree.py" r.json --folded arg=3 run=1 "run;fib=$(fib_calls 20)"
    kinds="folded svg pprof"
    ;;
threads)
    HEATMAP_TRACE=1 HEATMAP_OUTPUT="$PWD/r.json" ./app 3 50000 >/dev/null 2>&1
    python3 "$checks/check_tree.py" r.json worker=3 "worker;crunch=150000" "worker;report=3"
    ;;
shapes)
    HEATMAP_TRACE=1 HEATMAP_OUTPUT="$PWD/r.json" ./app 4 2 >/dev/null 2>&1
    python3 "$checks/check_tree.py" r.json driver=1 "driver;down=5" "driver;even=1" \
        "driver;even;odd=1" "driver;even;odd;even=1" "driver;even;odd;even;odd=1" \
        "driver;even;odd;even;odd;even=1" "driver;leaf=2" worker=2 "worker;leaf=2"
    ;;
esac
status=0
for kind in $kinds; do
    rc=0
    python3 "$checks/check_exports.py" "$kind" "$viewer" "$PWD/$kind" r.json || rc=$?
    if [ "$rc" = 77 ]; then
        echo "(pprof not read back: go is not installed)"
    elif [ "$rc" != 0 ]; then
        status=1
    fi
done
[ "$status" = 0 ] && echo "ok: call paths and exports of $case"
exit $status
