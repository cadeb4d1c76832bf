#!/bin/sh
# The demo: install what is missing, build, install to ./_install, compile examples/callgraph with
# the plugin, run it, and show its heatmap (the TUI in a terminal, the static summary otherwise).
set -eu
cd "$(dirname "$0")/.."
root=$PWD
llvm=${LLVM_VERSION:-14}
scripts/deps.sh build
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEATMAP_BUILD_TESTS=OFF \
    -DLLVM_CONFIG="/usr/bin/llvm-config-$llvm" >/dev/null
cmake --build build -j"$(nproc)"
cmake --install build --prefix "$root/_install" >/dev/null
export PKG_CONFIG_PATH="$root/_install/lib/pkgconfig"
mkdir -p build/demo
cd examples/callgraph
# shellcheck disable=SC2046
"/usr/lib/llvm-$llvm/bin/clang" -O2 -g $(pkg-config --cflags --libs heatmap) callgraph.c \
    -o "$root/build/demo/callgraph"
cd "$root/build/demo"
HEATMAP_OUTPUT=heatmap.json ./callgraph
"$root/_install/bin/heatmap-view" heatmap.json
