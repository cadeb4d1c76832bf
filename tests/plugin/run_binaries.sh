#!/bin/sh
# End-to-end test of tests/plugin/binaries at one set of compiler flags: an instrumented C++
# executable, an instrumented shared library it links against (a C++ exception leaves two of the
# library's frames) and an instrumented C library it dlopen()s and dlclose()s. Three builds, as in
# run_shapes.sh: plain, with the real runtime (through pkg-config) and on strict_rt.c (exported
# from the executable with -rdynamic, so the libraries' calls reach it); run_checked.sh compares
# them and checks binaries/expected.txt.
#
# usage: run_binaries.sh PREFIX LIBDIR CLANG CLANGXX CHECKER SOURCE_DIR WORK_DIR CFLAGS...
set -eu
prefix=$1 libdir=$2 clang=$3 clangxx=$4 checker=$5 source_dir=$6 work=$7
shift 7
cflags="$*"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
src="$source_dir/tests/plugin/binaries"

rm -rf "$work"
mkdir -p "$work"
cp -r "$src" "$work/"
cd "$work/binaries"

hm_cflags=$(pkg-config --cflags heatmap)
hm_libs=$(pkg-config --libs heatmap)
# One directory per build, each with its own liblinked.so and libloaded.so next to the program.
# shellcheck disable=SC2086,SC2016
build() { # DIR RUNTIME_FLAGS COMPILE_FLAGS...
    dir=$1 rt=$2
    shift 2
    mkdir -p "$dir"
    "$clangxx" $cflags "$@" -fPIC -c linked.cpp -o "$dir/linked.o"
    "$clang" $cflags "$@" -fPIC -c loaded.c -o "$dir/loaded.o"
    "$clangxx" $cflags "$@" -c main.cpp -o "$dir/main.o"
    lib_rt=$rt
    [ "$dir" = strict_build ] && lib_rt=""
    "$clangxx" $cflags -shared "$dir/linked.o" -o "$dir/liblinked.so" $lib_rt
    "$clang" $cflags -shared "$dir/loaded.o" -o "$dir/libloaded.so" $lib_rt
    "$clangxx" $cflags "$dir/main.o" -o "$dir/prog" -L"$dir" -llinked -Wl,-rpath,'$ORIGIN' -ldl $rt
}
# shellcheck disable=SC2086
{
    build plain_build ""
    build app_build "$hm_libs" $hm_cflags
    "$clang" -O1 -fPIC -I"$prefix/include" -c "$source_dir/tests/plugin/strict_rt.c" -o strict_rt.o
    build strict_build "strict_rt.o -rdynamic" $hm_cflags
}
# The hooks called on every call are never reached through a lazily bound PLT entry (abi.h,
# HM_ABI_HOOK: glibc's lazy-binding resolver does not preserve r10, which a preserve_mostcc caller
# keeps values in): no JUMP_SLOT relocation names them, in the executable or the libraries.
if [ "$(uname -m)" = x86_64 ] && command -v readelf >/dev/null; then
    lazy=$(readelf -rW app_build/prog app_build/liblinked.so app_build/libloaded.so |
        grep JUMP_SLOT | grep -E '__heatmap_(enter|exit|count)_v' || true)
    [ -z "$lazy" ] || { echo "FAIL: hooks bound lazily through the PLT: $lazy" >&2; exit 1; }
fi
for v in plain app strict; do
    printf '#!/bin/sh\nexec "%s/%s_build/prog" "%s/%s_build/libloaded.so" "$@"\n' "$PWD" "$v" \
        "$PWD" "$v" >"$v"
    chmod +x "$v"
done
sh "$source_dir/tests/plugin/run_checked.sh" "$src/expected.txt" "$checker" 0
echo "ok: binaries $cflags"
