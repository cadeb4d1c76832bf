#!/bin/sh
# End-to-end test of examples/cxx_shapes at one set of compiler flags: build it with the installed
# plugin and runtime (pkg-config), without heatmap, and with the plugin but linked against
# strict_rt.c (a runtime that counts the plugin's enter and exit calls and frames left without
# an exit); then check that
#   - output and exit status are identical with and without heatmap (the program exits with 3);
#   - heatmap.json has exactly the counts of examples/cxx_shapes/expected.txt (ENTERS), nothing
#     else, and self times that add up;
#   - strict_rt saw exactly ENTERS, EXITS and UNWOUND per function: an exception that leaves a
#     frame must have run the frame's exit call (the real runtime would hide a missing one).
#
# usage: run_shapes.sh PREFIX LIBDIR CLANG CLANGXX CHECKER SOURCE_DIR WORK_DIR CFLAGS...
set -eu
prefix=$1 libdir=$2 clang=$3 clangxx=$4 checker=$5 source_dir=$6 work=$7
shift 7
cflags="$*"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
example=cxx_shapes
expected="$source_dir/examples/$example/expected.txt"

rm -rf "$work"
mkdir -p "$work"
cp -r "$source_dir/examples/$example" "$work/"
cd "$work/$example"

hm_cflags=$(pkg-config --cflags heatmap)
hm_libs=$(pkg-config --libs heatmap)
# shellcheck disable=SC2086
{
    # Instrumented (heatmap.yaml is found next to the sources).
    "$clang" $cflags -fexceptions $hm_cflags -c shapes_c.c -o hm_c.o
    "$clangxx" $cflags $hm_cflags -c shapes.cpp -o hm_cxx.o
    "$clangxx" $cflags hm_c.o hm_cxx.o -o app $hm_libs
    # Plain.
    "$clang" $cflags -fexceptions -c shapes_c.c -o plain_c.o
    "$clangxx" $cflags -c shapes.cpp -o plain_cxx.o
    "$clangxx" $cflags plain_c.o plain_cxx.o -o plain
    # Instrumented objects on the strict runtime.
    "$clang" -O1 -I"$prefix/include" -c "$source_dir/tests/plugin/strict_rt.c" -o strict_rt.o
    "$clangxx" $cflags hm_c.o hm_cxx.o strict_rt.o -o strict
}

status_plain=0 status_app=0 status_strict=0
./plain >plain.out 2>plain.err || status_plain=$?
HEATMAP_OUTPUT="$PWD/exact.json" HEATMAP_COMPENSATE=off ./app >app.out 2>app.err || status_app=$?
STRICT_RT_OUT="$PWD/strict.txt" ./strict >strict.out 2>strict.err || status_strict=$?
fail=0
if [ "$status_plain" != 3 ]; then
    echo "FAIL: the plain program exited with $status_plain, expected 3" >&2
    fail=1
fi
for v in app strict; do
    eval "status=\$status_$v"
    if [ "$status" != "$status_plain" ] || ! cmp -s plain.out "$v.out"; then
        echo "FAIL: output or exit status differs with heatmap ($v: $status vs $status_plain)" >&2
        diff plain.out "$v.out" >&2 || true
        fail=1
    fi
done

# heatmap.json: exact counts, nothing else, self times add up.
checks=""
while read -r name enters _; do
    case "$name" in
    "#"* | "") ;;
    absent) checks="$checks --absent $enters" ;;
    *) checks="$checks --expect $name=$enters" ;;
    esac
done <"$expected"
# shellcheck disable=SC2086
"$checker" exact.json $checks --only-expected --self-adds-up --end exit || fail=1

# strict_rt: every enter, exit and unwound frame.
grep -v -e '^#' -e '^absent ' -e '^$' "$expected" | LC_ALL=C sort >strict.expected
if ! LC_ALL=C sort strict.txt | cmp -s strict.expected -; then
    echo "FAIL: enter/exit calls differ from $expected (NAME ENTERS EXITS UNWOUND; < expected, > seen)" >&2
    LC_ALL=C sort strict.txt | diff strict.expected - >&2 || true
    fail=1
fi
[ "$fail" = 0 ] || exit 1
echo "ok: $example $cflags"
