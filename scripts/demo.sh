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
# -g after pkg-config's flags: their -gline-tables-only gives lines at no cost, a later -g wins.
"/usr/lib/llvm-$llvm/bin/clang" $(pkg-config --cflags heatmap) -O2 -g callgraph.c \
    -o "$root/build/demo/callgraph" $(pkg-config --libs heatmap)
cd "$root/build/demo"
HEATMAP_OUTPUT=heatmap.json ./callgraph
"$root/_install/bin/heatmap-view" heatmap.json
