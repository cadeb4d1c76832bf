#!/bin/sh
# End-to-end test of examples/cxx_shapes at one set of compiler flags: build it with the installed
# plugin and runtime (pkg-config), without heatmap, and with the plugin but linked against
# strict_rt.c (a runtime that counts the plugin's enter and exit calls and frames left without
# an exit); then check with run_checked.sh that output and exit status (3) are identical, that
# heatmap.json has exactly the counts of examples/cxx_shapes/expected.txt, and that strict_rt saw
# exactly its enter and exit calls: an exception that leaves a frame must have run the frame's exit
# call (the real runtime would hide a missing one, as it closes unwound frames by stack address).
#
# With --after-inlining, heatmap.yaml gets `instrument: after-inlining`: which functions survive
# inlining depends on the optimisation level, so instead of exact counts run_checked.sh --balance
# checks that every frame was closed by its own exit call (exceptions included) and that
# heatmap.json counts what strict_rt counted.
#
# With --link-time (CFLAGS must have -flto and lld), the sources are compiled without the plugin
# and the linker runs it: -Wl,--load-pass-plugin (lld of LLVM >= 16 for full LTO).
#
# usage: run_shapes.sh PREFIX LIBDIR CLANG CLANGXX CHECKER SOURCE_DIR WORK_DIR [--after-inlining]
#                      [--link-time] CFLAGS...
set -eu
prefix=$1 libdir=$2 clang=$3 clangxx=$4 checker=$5 source_dir=$6 work=$7
shift 7
after="" link_time=""
while :; do
    case "${1:-}" in
    --after-inlining) after=1 ;;
    --link-time) link_time=1 ;;
    *) break ;;
    esac
    shift
done
cflags="$*"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
example=cxx_shapes
expected="$source_dir/examples/$example/expected.txt"

rm -rf "$work"
mkdir -p "$work"
cp -r "$source_dir/examples/$example" "$work/"
cd "$work/$example"
if [ -n "$after" ]; then
    printf 'instrument: after-inlining\n' >>heatmap.yaml
    expected=--balance
    export BALANCE_UNWOUND=jump_deep BALANCE_OPEN=fatal
fi

hm_cflags=$(pkg-config --cflags heatmap)
hm_libs=$(pkg-config --libs heatmap)
link_plugin=""
if [ -n "$link_time" ]; then # the linker runs the pass (CFLAGS has -flto, lld), not the compiler
    hm_cflags="-I$(pkg-config --variable=includedir heatmap)"
    link_plugin="-Wl,--load-pass-plugin=$(pkg-config --variable=plugin heatmap)"
fi
# shellcheck disable=SC2086
{
    # Instrumented (heatmap.yaml is found next to the sources).
    "$clang" $cflags -fexceptions $hm_cflags -c shapes_c.c -o hm_c.o
    "$clangxx" $cflags $hm_cflags -c shapes.cpp -o hm_cxx.o
    "$clangxx" $cflags $link_plugin hm_c.o hm_cxx.o -o app $hm_libs
    # Plain.
    "$clang" $cflags -fexceptions -c shapes_c.c -o plain_c.o
    "$clangxx" $cflags -c shapes.cpp -o plain_cxx.o
    "$clangxx" $cflags plain_c.o plain_cxx.o -o plain
    # Instrumented objects on the strict runtime.
    "$clang" -O1 -I"$prefix/include" -c "$source_dir/tests/plugin/strict_rt.c" -o strict_rt.o
    "$clangxx" $cflags $link_plugin hm_c.o hm_cxx.o strict_rt.o -o strict
}

sh "$source_dir/tests/plugin/run_checked.sh" "$expected" "$checker" 3
echo "ok: $example ${after:+(after inlining) }${link_time:+(at link time) }$cflags"
