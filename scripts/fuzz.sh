#!/bin/sh
# Build the libFuzzer targets (tests/fuzz) with clang and fuzz each for SECONDS (default 60).
# usage: scripts/fuzz.sh [SECONDS] [TARGET...]     targets: config results trace (default: all)
# Environment: HEATMAP_CLANG (clang with libFuzzer; default /usr/lib/llvm-$LLVM_VERSION/bin/clang),
# HEATMAP_FUZZ_BUILD (build tree, default build-fuzz), HEATMAP_FUZZ_FINDINGS (where crashing inputs
# are kept, default $HEATMAP_FUZZ_BUILD/findings/TARGET/). New corpus entries go to
# $HEATMAP_FUZZ_BUILD/corpus/TARGET, never into the checked-in seeds (tests/fuzz/corpus/TARGET).
# Prints one line per target (executions, coverage, corpus size); exits 1 on a finding, 77 when
# clang cannot build a fuzzer (no libFuzzer: install libclang-rt-14-dev), 2 on a build error.
set -eu
cd "$(dirname "$0")/.."
secs=${1:-60}
[ $# -gt 0 ] && shift
targets=${*:-config results trace}
build=${HEATMAP_FUZZ_BUILD:-build-fuzz}
findings=${HEATMAP_FUZZ_FINDINGS:-$build/findings}
clang=${HEATMAP_CLANG:-/usr/lib/llvm-${LLVM_VERSION:-14}/bin/clang}
mkdir -p "$build"

# libFuzzer present? (clang-14 without libclang-rt-14-dev cannot link -fsanitize=fuzzer)
probe=$build/probe
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { return 0; }\n' >"$probe.c"
if ! "$clang" -fsanitize=fuzzer "$probe.c" -o "$probe" 2>"$probe.log"; then
    echo "fuzz: $clang cannot link -fsanitize=fuzzer (libclang-rt dev package missing?); skipped" >&2
    exit 77
fi

flags="-g -O1 -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined"
flags="$flags -fno-sanitize-recover=undefined"
if ! { cmake -S . -B "$build" -DCMAKE_C_COMPILER="$clang" -DCMAKE_CXX_COMPILER="${clang}++" \
        -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_FLAGS="$flags" -DHEATMAP_FUZZ=ON \
        -DHEATMAP_BUILD_TESTS=OFF -DHEATMAP_BUILD_PLUGIN=OFF -DHEATMAP_BUILD_SCAN=OFF &&
    cmake --build "$build" -j2 --target $(printf 'fuzz_%s ' $targets); } >"$build/build.log" 2>&1
then
    cat "$build/build.log" >&2
    echo "fuzz: build failed" >&2
    exit 2
fi

status=0
for t in $targets; do
    work=$build/corpus/$t
    mkdir -p "$work" "$findings/$t"
    dict=""
    [ -f "tests/fuzz/$t.dict" ] && dict="-dict=tests/fuzz/$t.dict"
    log=$build/fuzz_$t.log
    # shellcheck disable=SC2086
    if "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$findings/$t/" $dict "$work" "tests/fuzz/corpus/$t" \
        >"$log" 2>&1; then
        result=ok
    else
        result="FINDING (input kept in $findings/$t/, log $log)"
        status=1
    fi
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(grep -o 'cov: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    ft=$(grep -o 'ft: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    corp=$(grep -o 'corp: [0-9]*' "$log" | tail -n 1 | cut -d' ' -f2)
    echo "fuzz_$t: ${execs:-?} execs in ${secs}s, cov ${cov:-?} edges, ft ${ft:-?}, corpus ${corp:-?}: $result"
    [ "$result" = ok ] || grep -E '^==[0-9]+==ERROR|SUMMARY|runtime error|deadly signal' "$log" | head -n 5
done
exit $status
