#!/bin/sh
# The whole test suite: install what is missing, build with AddressSanitizer and UBSan, run ctest.
# The last line printed says how many tests ran and how many failed.
set -eu
cd "$(dirname "$0")/.."
llvm=${LLVM_VERSION:-14}
build=${HEATMAP_TEST_BUILD:-build-test}
scripts/deps.sh test
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEATMAP_BUILD_TESTS=ON \
    -DHEATMAP_SANITIZE=ON -DLLVM_CONFIG="/usr/bin/llvm-config-$llvm" >/dev/null
cmake --build "$build" -j"$(nproc)"
status=0
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" 2>&1 | tee "$build/ctest.log"
grep -q " 0 tests failed out of" "$build/ctest.log" || status=1
summary=$(grep -E "tests passed|tests failed out of" "$build/ctest.log" | tail -n 1)
echo "heatmap test suite (LLVM $llvm): ${summary:-ctest did not run}"
exit $status
