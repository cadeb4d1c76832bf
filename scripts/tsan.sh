#!/bin/sh
# ThreadSanitizer run of the runtime's multi-threaded tests: configures build-tsan with
# HEATMAP_TSAN=ON (tests, tools and the runtime built with -fsanitize=thread), builds, and runs the
# unit tests that start threads and the end-to-end cases that do (an example with threads compiled
# with -fsanitize=thread against the TSan-built runtime). Suppressions: scripts/tsan.supp, each
# with its reason. Any report fails the run (halt_on_error).
#
# usage: scripts/tsan.sh [BUILD_DIR]
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build-tsan}
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEATMAP_BUILD_TESTS=ON \
    -DHEATMAP_TSAN=ON -DHEATMAP_BUILD_SCAN=OFF ${LLVM_CONFIG:+-DLLVM_CONFIG=$LLVM_CONFIG} >/dev/null
cmake --build "$build" -j"${JOBS:-2}"
export TSAN_OPTIONS="halt_on_error=1 exitcode=66 second_deadlock_stack=1 suppressions=$root/scripts/tsan.supp${TSAN_OPTIONS:+ $TSAN_OPTIONS}"
ctest --test-dir "$build" -R '^(test_runtime|e2e_install|e2e_threads_tsan)$' --output-on-failure
