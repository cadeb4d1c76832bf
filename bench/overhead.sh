#!/bin/sh
# Overhead per instrumented call, side by side in one run (docs/performance.md explains the method).
#
# usage: bench/overhead.sh [PREFIX] [ITERATIONS] [RUNS] [SHAPE]
#   PREFIX: a heatmap install (default ./_install, as made by scripts/demo.sh)
#   SHAPE: mid (default), fib, loop or hash (bench/overhead/workload.c describes them)
#   HEATMAP_BASELINE=PREFIX2 adds the variants "baseline" and "baseline_timed" (HEATMAP_THROTTLE=off)
#   built against another install
#   BENCH_QUICK=1 leaves out heatmap_nopaths, heatmap_static and XRay (shorter runs)
# Each variant of bench/overhead/workload.c runs RUNS times (default 7) in rotation, after one
# warm-up round that is not counted; the median loop
# time per variant gives the cost per call over the plain build, printed in ns and as a ratio to the
# floor (two clock reads per call). Peers are measured when their tools are installed:
# -finstrument-functions under `uftrace record`, -pg (gprof's mcount), LLVM XRay (basic mode).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/setup.sh"
bench_setup 10000000 7 "$@"
shape=${4:-mid}
trap 'rm -rf "$work"' EXIT
cp "$here/overhead/workload.c" "$here/overhead/heatmap.yaml" "$work/"
cd "$work"

build() { # NAME FLAGS...
    name=$1
    shift
    # shellcheck disable=SC2068
    if "$clang" -O2 workload.c -o "$name" $@ 2>"$name.log"; then
        variants="$variants $name"
    else
        echo "(skipping $name: build failed, see below)" >&2
        head -3 "$name.log" >&2
    fi
}
variants=""
build plain
build floor -DFLOOR
# shellcheck disable=SC2046
build heatmap $(pkg-config --cflags --libs heatmap)
cp heatmap heatmap_timed 2>/dev/null && variants="$variants heatmap_timed"
cp heatmap heatmap_counted 2>/dev/null && variants="$variants heatmap_counted"
cp heatmap heatmap_off 2>/dev/null && variants="$variants heatmap_off"
if [ -z "${BENCH_QUICK:-}" ]; then
    cp heatmap heatmap_nopaths 2>/dev/null && variants="$variants heatmap_nopaths"
    # shellcheck disable=SC2046
    build heatmap_static $(pkg-config --cflags heatmap) "$prefix/lib/libheatmap-rt.a" -lpthread
fi
# HEATMAP_BASELINE=PREFIX: also measure another heatmap install (e.g. before a change), side by side.
if [ -n "${HEATMAP_BASELINE:-}" ]; then
    # shellcheck disable=SC2046
    build baseline $(PKG_CONFIG_PATH="$HEATMAP_BASELINE/lib/pkgconfig" pkg-config --cflags --libs heatmap)
    cp baseline baseline_timed 2>/dev/null && variants="$variants baseline_timed"
fi
if command -v uftrace >/dev/null; then build uftrace -finstrument-functions; fi
build gprof -pg
if [ -z "${BENCH_QUICK:-}" ]; then build xray -fxray-instrument -fxray-instruction-threshold=1; fi

run_variant() { # NAME -> prints loop ns
    case $1 in
    heatmap_off) HEATMAP=off ./heatmap "$iterations" "$shape" ;;
    heatmap_timed | heatmap_static | baseline_timed)
        HEATMAP_THROTTLE=off HEATMAP_OUTPUT="$work/r.json" ./"$1" "$iterations" "$shape" ;;
    heatmap_counted)
        HEATMAP_THROTTLE_CALLS=256 HEATMAP_OUTPUT="$work/r.json" ./heatmap "$iterations" "$shape" ;;
    heatmap_nopaths)
        HEATMAP_THROTTLE=off HEATMAP_PATHS=off HEATMAP_OUTPUT="$work/r.json" ./heatmap \
            "$iterations" "$shape" ;;
    heatmap | baseline) HEATMAP_OUTPUT="$work/r.json" ./"$1" "$iterations" "$shape" ;;
    uftrace) uftrace record -d uftrace.data ./uftrace "$iterations" "$shape" ;;
    xray)
        XRAY_OPTIONS="patch_premain=true xray_mode=xray-basic verbosity=0" ./xray "$iterations" \
            "$shape" ;;
    *) ./"$1" "$iterations" "$shape" ;;
    esac | sed -n 's/.*ns=\([0-9]*\).*/\1/p'
}

# One round first, not counted: on the VMs we measure on, the first second or two of work after an
# idle spell runs slower, and heatmap's variants far more than the floor (docs/performance.md,
# "sixth pass"), which skewed whichever variants came first in the rotation.
for v in $variants; do run_variant "$v" >/dev/null; done
i=0
while [ "$i" -lt "$runs" ]; do
    for v in $variants; do run_variant "$v" >>"$v.times"; done
    i=$((i + 1))
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
calls=$(./plain "$iterations" "$shape" | sed -n 's/.*calls=\([0-9]*\).*/\1/p')
plain=$(median plain.times)
floor=$(median floor.times)
floor_per_call=$(echo "$floor $plain $calls" | awk '{printf "%.3f", ($1-$2)/$3}')
echo "workload $shape: $iterations iterations, $calls instrumented calls; median of $runs runs; $(uname -m), LLVM $llvm; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-16s %12s %14s %14s %10s\n' variant "loop ms" "ns/call over" "x floor" slowdown
for v in $variants; do
    t=$(median "$v.times")
    echo "$v $t $plain $calls $floor_per_call" | awk '{
        per=($2-$3)/$4; ratio=($5>0)?per/$5:0;
        printf "%-16s %12.1f %14.2f %14.2f %9.2fx\n", $1, $2/1e6, per, ratio, $2/$3 }'
done
