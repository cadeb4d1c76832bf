#!/bin/sh
# Toolchain tests: the installed CMake package, heatmap-build on Makefile projects, the exit
# status it passes through, the man pages, the bash completion and the Debian package.
#
# usage: run_toolchain.sh CASE PREFIX CHECKER SOURCE_DIR WORK_DIR [BUILD_DIR]
#   PREFIX: an installed heatmap (cmake --install); CHECKER: tests/e2e's check_results;
#   BUILD_DIR (deb only): the build directory whose CPackConfig.cmake makes the package.
set -eu
case=$1 prefix=$2 checker=$3 src=$4 work=$5 build=${6:-}
here=$src/tests/toolchain
rm -rf "$work"
mkdir -p "$work"
cd "$work"
export ASAN_OPTIONS=detect_leaks=0
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
unset HEATMAP_CONFIG HEATMAP_REPORT HEATMAP_OUTPUT HEATMAP_REAL_CC HEATMAP_REAL_CXX CC CXX

# expected counts of cmake_project's main.c: work(7) three times, each calling both libraries 7 times
counts="--expect work=3 --expect shapes_area=21 --expect mathx_sum=21"

case $case in
cmake)
    # C executable + C++ shared library (heatmap::instrument) + C static library
    # (heatmap_instrument with CONFIG), against the installed package, in Release (no -g: the
    # package adds -gline-tables-only) and Debug (-g: it does not).
    cp -r "$here/cmake_project" proj
    for type in Release Debug; do
        CC=$HM_TEST_CLANG CXX=$HM_TEST_CLANGXX cmake -S proj -B "b-$type" \
            -DCMAKE_BUILD_TYPE=$type -DCMAKE_PREFIX_PATH="$prefix" >"cfg-$type.log" 2>&1 ||
            { cat "cfg-$type.log"; fail "configure ($type)"; }
        cmake --build "b-$type" -v >"build-$type.log" 2>&1 || { cat "build-$type.log"; fail "build"; }
        lines=$(grep -c -- '-gline-tables-only' "build-$type.log" || true)
        if [ $type = Release ] && [ "$lines" != 3 ]; then
            fail "Release: $lines compilations with -gline-tables-only, expected 3"
        fi
        if [ $type = Debug ] && [ "$lines" != 0 ]; then
            fail "Debug (-g): -gline-tables-only was added $lines times"
        fi
        HEATMAP_OUTPUT=$PWD/$type.json "./b-$type/app" >out.txt
        [ "$(cat out.txt)" = 483 ] || fail "app printed $(cat out.txt), expected 483"
        # shellcheck disable=SC2086
        "$checker" "$type.json" $counts --expect main=1 --expect 'geo::Square::area=21' \
            --absent helper_twice --only-expected
        # every function has its real line (line tables), not 0
        "$prefix/bin/heatmap-view" --format=csv "$type.json" >"$type.csv"
        grep -q '^work,[^,]*main\.c,7,' "$type.csv" ||
            { cat "$type.csv"; fail "work is not at main.c:7"; }
    done
    # a compiler that is not the plugin's clang: a clear error at configure time
    if CC=gcc CXX=g++ cmake -S proj -B b-gcc -DCMAKE_PREFIX_PATH="$prefix" >gcc.log 2>&1; then
        fail "configuring with gcc succeeded"
    fi
    grep -q "heatmap's compiler plugin needs clang" gcc.log || { cat gcc.log; fail "no clear message"; }
    ;;
make)
    # a Makefile project that honours CC and CXX: heatmap-build make, with --config
    cp "$here/make_project/Makefile" "$here/make_project/heatmap.yaml" .
    cp "$here/cmake_project/main.c" "$here/cmake_project/mathx.c" "$here/cmake_project/mathx.h" \
        "$here/cmake_project/shapes.cpp" .
    mv heatmap.yaml prof.yaml
    "$prefix/bin/heatmap-build" --config prof.yaml make >make.log 2>&1 || { cat make.log; fail "build"; }
    grep -q "heatmap-build: 3 compilations and 1 links" make.log || { cat make.log; fail "counts"; }
    HEATMAP_OUTPUT=$PWD/make.json ./app >out.txt
    [ "$(cat out.txt)" = 483 ] || fail "app printed $(cat out.txt), expected 483"
    # shellcheck disable=SC2086
    "$checker" make.json $counts --only-expected
    "$prefix/bin/heatmap-view" --format=csv make.json >make.csv
    grep -q '^work,[^,]*main\.c,7,' make.csv || { cat make.csv; fail "work is not at main.c:7"; }
    # an up-to-date build compiles nothing: exit status 3 and the message
    status=0
    "$prefix/bin/heatmap-build" make >again.log 2>&1 || status=$?
    [ $status = 3 ] || { cat again.log; fail "up-to-date build: status $status, expected 3"; }
    grep -q "or it was up to date" again.log || fail "no message for the up-to-date build"
    # the build's -g0 comes after -gline-tables-only and wins (no line tables: line 0); the app the
    # build runs records nothing (HEATMAP=off) and leaves no heatmap.json
    rm -f ./*.o app
    "$prefix/bin/heatmap-build" --config prof.yaml make CFLAGS=-g0 run >g0.log 2>&1 ||
        { cat g0.log; fail "make CFLAGS=-g0 run"; }
    [ "$(cat run.out)" = 483 ] || fail "the build's run printed $(cat run.out)"
    [ ! -e heatmap.json ] || fail "the program the build ran wrote heatmap.json"
    HEATMAP_OUTPUT=$PWD/g0.json ./app >/dev/null
    "$prefix/bin/heatmap-view" --format=csv g0.json >g0.csv
    grep -q '^work,[^,]*main\.c,0,' g0.csv || { cat g0.csv; fail "-g0 did not win"; }
    ;;
make_gcc)
    # a Makefile that sets CC = gcc: nothing goes through the wrappers; a clear message, status 3
    cp "$here/make_gcc/Makefile" "$here/make_gcc/main.c" .
    status=0
    "$prefix/bin/heatmap-build" make >make.log 2>&1 || status=$?
    cat make.log
    [ $status = 3 ] || fail "status $status, expected 3"
    grep -q "heatmap-build: 0 compilations and 0 links" make.log || fail "no count"
    grep -q "ignored CC and CXX" make.log || fail "no clear message"
    # ... and CC on make's command line, as the message says, instruments it
    rm -f app main.o
    "$prefix/bin/heatmap-build" sh -c 'make CC="$CC"' >make2.log 2>&1 || { cat make2.log; fail "CC=\$CC"; }
    HEATMAP_OUTPUT=$PWD/gcc.json ./app >/dev/null
    "$checker" gcc.json --expect main=1 --only-expected
    ;;
status)
    # the build command's exit status passes through; a usage error is 2
    for want in 1 7 42; do
        status=0
        "$prefix/bin/heatmap-build" sh -c "exit $want" 2>err.log || status=$?
        [ $status = "$want" ] || fail "sh -c 'exit $want' gave $status"
        grep -q "failed with exit status $want" err.log || fail "no failure message"
    done
    status=0
    "$prefix/bin/heatmap-build" --config /nonexistent.yaml true 2>err.log || status=$?
    [ $status = 2 ] || fail "--config of a missing file: status $status, expected 2"
    status=0
    "$prefix/bin/heatmap-build" 2>err.log || status=$?
    [ $status = 2 ] || fail "no command: status $status, expected 2"
    "$prefix/bin/heatmap-build" --help | grep -q "Usage: heatmap-build" || fail "--help"
    ;;
man)
    # every man page renders without a warning (groff's -ww: all warnings)
    n=0
    for page in "$prefix"/share/man/man1/heatmap-*.1 "$prefix"/share/man/man7/heatmap.7; do
        LC_ALL=C.UTF-8 groff -t -man -ww -z -Tutf8 "$page" >"warn.txt" 2>&1 || fail "groff $page"
        [ -s warn.txt ] && { cat warn.txt; fail "$page: warnings"; }
        LC_ALL=C.UTF-8 MANWIDTH=80 man -l "$page" 2>&1 | grep -q "^NAME" || fail "man -l $page"
        n=$((n + 1))
    done
    [ $n = 4 ] || fail "$n man pages installed, expected 4"
    ;;
completion)
    # the completion script, as bash-completion loads it, completes flags, modes and kinds
    comp=$prefix/share/bash-completion/completions
    touch a.json b.txt
    bash -c '
        . "$1/heatmap-view"
        c() { COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); "$F"; echo "${COMPREPLY[*]}"; }
        F=_heatmap_view
        [ "$(c heatmap-view --mode=s)" = "--mode=sparkline" ] || exit 1
        [ "$(c heatmap-view --export=f)" = "--export=folded" ] || exit 2
        [ "$(c heatmap-view --no-)" = "--no-tui --no-color" ] || exit 3
        [ "$(c heatmap-view "")" = "a.json" ] || exit 4
        F=_heatmap_scan
        [ "$(c heatmap-scan --sort com)" = "complexity" ] || exit 5
        [ "$(c heatmap-scan --wr)" = "--write" ] || exit 6
        F=_heatmap_build
        [ "$(c heatmap-build --use)" = "--use-cc --use-c++" ] || exit 7
        [ "$(complete -p heatmap-build)" = "complete -F _heatmap_build heatmap-build" ] || exit 8
    ' sh "$comp" || fail "completion check $?"
    for cmd in heatmap-view heatmap-scan heatmap-build; do
        [ -f "$comp/$cmd" ] || fail "no completion file for $cmd"
    done
    ;;
deb)
    # cpack -G DEB, then the package's files in a scratch root; no path settings needed in /usr
    cpack -G DEB --config "$build/CPackConfig.cmake" -B "$work/pkg" >cpack.log 2>&1 ||
        { cat cpack.log; fail "cpack"; }
    deb=$(ls "$work"/pkg/heatmap_*.deb)
    dpkg-deb -f "$deb" Package Depends
    dpkg-deb -x "$deb" root
    for f in usr/bin/heatmap-view usr/bin/heatmap-scan usr/bin/heatmap-build usr/bin/heatmap-cc \
        usr/bin/heatmap-c++ usr/lib/heatmap.so usr/lib/libheatmap-rt.so usr/lib/libheatmap-rt.a \
        usr/lib/pkgconfig/heatmap.pc usr/lib/cmake/heatmap/heatmapConfig.cmake \
        usr/lib/cmake/heatmap/heatmapConfigVersion.cmake usr/include/heatmap/abi.h \
        usr/share/man/man1/heatmap-view.1 usr/share/man/man1/heatmap-scan.1 \
        usr/share/man/man1/heatmap-build.1 usr/share/man/man7/heatmap.7 \
        usr/share/bash-completion/completions/heatmap-view; do
        [ -e "root/$f" ] || fail "the package has no /$f"
    done
    # only /usr, and the places pkg-config, find_package and man search by default
    (cd root && find . -mindepth 1 -maxdepth 1) | grep -qv '^./usr$' && fail "files outside /usr"
    pkg-config --variable pc_path pkg-config | tr : '\n' | grep -qx /usr/lib/pkgconfig ||
        fail "/usr/lib/pkgconfig is not in pkg-config's default path"
    plugin=$(PKG_CONFIG_LIBDIR=$PWD/root/usr/lib/pkgconfig pkg-config --variable=plugin heatmap)
    [ -f "$plugin" ] || fail "the packaged .pc names $plugin"
    ;;
*)
    echo "run_toolchain.sh: unknown case $case" >&2
    exit 2
    ;;
esac
echo "PASS: toolchain $case"
