#!/bin/sh
# End-to-end test of one example: compile it with the installed plugin and runtime (through
# pkg-config, as a user would), run it, and check the results file; compile it without heatmap too
# and check that the program's output and exit status are identical.
#
# usage: run_example.sh PREFIX LIBDIR CLANG CHECKER SOURCE_DIR WORK_DIR EXAMPLE CFLAGS...
set -eu
prefix=$1 libdir=$2 clang=$3 checker=$4 source_dir=$5 work=$6 example=$7
shift 7
cflags="$*"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"

rm -rf "$work"
mkdir -p "$work"
cp -r "$source_dir/examples/$example" "$work/"
cd "$work/$example"

# Build: with the plugin (heatmap.yaml is found next to the source) and without.
# shellcheck disable=SC2046,SC2086
"$clang" $cflags $(pkg-config --cflags heatmap) "$example.c" -o app $(pkg-config --libs heatmap)
# shellcheck disable=SC2086
"$clang" $cflags "$example.c" -o plain -lpthread
if ! nm app | grep -q __heatmap_enter_v3; then
    echo "FAIL: $example was not instrumented (no reference to __heatmap_enter_v3)" >&2
    exit 1
fi

# Expected counts follow from each example's arguments (see the comment at the top of its source).
fib_calls() { # 2*F(n+1)-1
    a=0 b=1 i=0
    while [ "$i" -lt $(($1 + 1)) ]; do t=$((a + b)); a=$b; b=$t; i=$((i + 1)); done
    echo $((2 * a - 1))
}
case "$example" in
callgraph)
    set -- 20 1000 1024
    checks="--expect run=1 --expect fib=$(fib_calls 20) --expect count_primes=1
            --expect is_prime=1000 --expect msort=$((2 * 1024 - 1)) --expect merge=1023
            --expect checksum=1 --expect arg=3 --absent main --absent square --absent add_one --only-expected
            --threads 1 --paths-add-up"
    paths="--path arg=3 --path run=1 --path run;fib=$(fib_calls 20)
            --path run;count_primes;is_prime=1000 --path run;msort=$((2 * 1024 - 1))
            --path run;msort;merge=1023 --path run;merge=0 --path run;checksum=1"
    # HEATMAP_PATHS_MAX=4: max-1 = 3 nodes, made in call order (arg, run, run;fib); every call
    # of count_primes, is_prime, msort, merge and checksum needs a fourth and is folded.
    folded="--nodes 3 --folded $((1 + 1000 + 2 * 1024 - 1 + 1023 + 1))"
    ;;
threads)
    set -- 4 100000
    checks="--expect worker=4 --expect crunch=400000 --expect report=8 --absent main
            --only-expected --threads 4 --paths-add-up --split-adds-up"
    paths="--path worker=4 --path worker;crunch=400000 --path worker;report=8"
    # HEATMAP_PATHS_MAX=4: each thread's 3 paths fit in its 3 nodes; merged by path at exit.
    folded="--nodes 3 --folded 0"
    ;;
*)
    echo "run_example.sh: no expectations for example '$example'" >&2
    exit 2
    ;;
esac

status_plain=0 status_app=0
./plain "$@" >plain.out 2>/dev/null || status_plain=$?
# The run the metadata is checked against: its pid, argv[0], host and wall-clock window are known
# here, independently of the file. Compensation off and the monotonic clock (ticks are ns): the
# self times must add up exactly. Throttling off: every call timed, so every call is in a path
# node and the paths' counts are the calls' (count-only calls are in none).
before=$(date +%s%N)
HEATMAP_OUTPUT="$PWD/exact.json" HEATMAP_COMPENSATE=off HEATMAP_CLOCK=monotonic HEATMAP_THROTTLE=off \
    ./app "$@" >app.out 2>app.err &
pid=$!
wait "$pid" || status_app=$?
after=$(date +%s%N)
if [ "$status_plain" != "$status_app" ] || ! cmp -s plain.out app.out; then
    echo "FAIL: output or exit status differs with heatmap ($status_app vs $status_plain)" >&2
    diff plain.out app.out >&2 || true
    exit 1
fi

# Line numbers (with -g): each function's definition line, found in the source by the test.
lines=""
case " $cflags " in
*" -g "*)
    for fn in $(echo "$checks" | tr ' ' '\n' | sed -n 's/^\([a-z_]*\)=[0-9]*$/\1/p' | sort -u); do
        n=$(grep -n "^[a-z].*[ *]$fn(" "$example.c" | head -n 1 | cut -d: -f1)
        if [ -n "$n" ]; then lines="$lines --line $fn=$n"; fi
    done
    [ -n "$lines" ] || { echo "FAIL: no definition lines found in $example.c" >&2; exit 1; }
    ;;
esac
# shellcheck disable=SC2086
"$checker" exact.json $checks $paths --self-exact --end exit --pid "$pid" --program ./app \
    --hostname-is-mine --clock monotonic --started "$before:$after" $lines

# Default settings (compensation on, throttling on): same counts, self times within the
# compensation bound, paths that add up (a throttled function's timed calls only).
HEATMAP_OUTPUT="$PWD/default.json" ./app "$@" >/dev/null 2>&1
clock=monotonic # auto: the invariant TSC when the CPU has one (Linux's nonstop_tsc flag)
if [ "$(uname -m)" = aarch64 ] || grep -qw nonstop_tsc /proc/cpuinfo; then clock=tsc; fi
# shellcheck disable=SC2086
"$checker" default.json $checks --self-adds-up --throttled-ok --clock "$clock"

# A tiny node limit: paths fold into their callers, and the time still adds up (every call
# timed, so that the folded calls are all of them).
HEATMAP_PATHS_MAX=4 HEATMAP_THROTTLE=off HEATMAP_OUTPUT="$PWD/folded.json" ./app "$@" >/dev/null 2>&1
# shellcheck disable=SC2086
"$checker" folded.json --paths-add-up $folded

# Recording off: nothing written, same output.
HEATMAP=off HEATMAP_OUTPUT="$PWD/off.json" ./app "$@" >off.out 2>/dev/null
cmp -s plain.out off.out
if [ -e off.json ]; then
    echo "FAIL: HEATMAP=off still wrote results" >&2
    exit 1
fi
echo "ok: $example $cflags"
