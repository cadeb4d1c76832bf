#!/usr/bin/env bash
# scripts/realworld.sh [WORKDIR] -- heatmap on real code bases none of us wrote (opt-in; not run by
# scripts/test.sh or CI). See docs/realworld.md for what it does and the results.
#
# For each project (REALWORLD_PROJECTS, default "lua sqlite jsoncpp"; also "zstd", which takes
# ~7 minutes more): fetch the Debian source
# package with `apt-get source`, build it plain and with heatmap under several allowlists, run its
# tests (or our scripts under scripts/realworld/), and check: identical output and exit status,
# results files that heatmap-view loads, the plugin's per-function decisions against an
# independent reading of the allowlist (scripts/realworld/check_selection.py), exact counts
# against numbers known from the workload and against gdb breakpoint hit counts on the plain
# build, and a broken allowlist failing the compile with FILE:LINE:COL: error:.
# Timings (compile plain / plugin; each workload plain, instrumented with the runtime's defaults
# and with one part of it off at a time, REALWORLD_RUNS rounds in rotation) are printed at the end
# with medians and spread; no check depends on time.
#
# Environment: HEATMAP_PREFIX (default ./_install-realworld, built from this checkout if missing),
# REALWORLD_PROJECTS, JOBS (default 2), SQLITE_TCL_TESTS=0 to skip SQLite's Tcl tests (SQ_TESTS: which),
# REALWORLD_RUNS (default 5) rounds of the timed workloads, REALWORLD_VARIANTS their variants.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RW=$ROOT/scripts/realworld
W=${1:-$(mktemp -d /tmp/realworld.XXXXXX)}
mkdir -p "$W" && W=$(cd "$W" && pwd)
# The "default" builds use no heatmap.yaml of their own, so the plugin looks in the parent
# directories (docs/config.md): a stray one above the work dir would select for them.
d=$(dirname "$W")
while :; do
    if [ -e "$d/heatmap.yaml" ]; then
        echo "realworld: $d/heatmap.yaml would govern the default builds; move it or choose another work dir" >&2
        exit 2
    fi
    [ "$d" = / ] && break
    d=$(dirname "$d")
done
PREFIX=${HEATMAP_PREFIX:-$ROOT/_install-realworld}
PROJECTS=${REALWORLD_PROJECTS:-lua sqlite jsoncpp}
JOBS=${JOBS:-2}
LLVM=/usr/lib/llvm-14/bin
CC=$LLVM/clang
CXX=$LLVM/clang++
PY=/usr/bin/python3
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo

PASS=0 FAIL=0
FAILS=()
TIMES=$W/timings.tsv
: >"$TIMES"

say() { printf '%s\n' "$*"; }
ok() { PASS=$((PASS + 1)); say "PASS: $*"; }
bad() { FAIL=$((FAIL + 1)); FAILS+=("$*"); say "FAIL: $*"; }
check() { # check DESCRIPTION COMMAND...: PASS if the command succeeds
    local d=$1; shift
    if "$@"; then ok "$d"; else bad "$d"; fi
}
check_sel() { # check_sel DESCRIPTION VARIANT ARGS...: check_selection.py on $P/report-VARIANT.jsonl
    local desc=$1 v=$2
    shift 2
    check "$desc" $PY "$RW/check_selection.py" --report "$P/report-$v.jsonl" "$@"
}
check_sel_all() { # check_sel_all DESCRIPTION VARIANT [--config FILE]: every results file of $P/out-VARIANT
    local desc=$1 v=$2
    shift 2
    check_sel "$desc" "$v" "$@" --results $(ls "$P/out-$v"/*.json | grep -v view.json)
}
now() { date +%s.%N; }
record_time() { # project label seconds [cpu-seconds]
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "${4:-}" >>"$TIMES"
}
timed() { # timed PROJECT LABEL COMMAND...: runs it, records its wall time, returns its status
    local p=$1 l=$2 t0 rc; shift 2
    t0=$(now); "$@"; rc=$?
    record_time "$p" "$l" "$(echo "$(now) - $t0" | bc)"
    return $rc
}

# The timed workloads' variants, LABEL|ENVIRONMENT|BUILD: plain; the default build with the
# runtime's defaults, then with one of its parts off (recording, memory tracking, throttling); narrow.
# REALWORLD_VARIANTS replaces the list (one variant a line; the first must be plain).
RUNS=${REALWORLD_RUNS:-5}
BENCH_VARIANTS=${REALWORLD_VARIANTS:-"plain||plain
default||default
default HEATMAP=off|HEATMAP=off|default
default HEATMAP_HEAP=off|HEATMAP_HEAP=off|default
default HEATMAP_THROTTLE=off|HEATMAP_THROTTLE=off|default
narrow||narrow"}
# bench PROJECT WORKLOAD RUNNER: RUNS rounds, each running every variant once, in rotation, so that
# the load of a shared machine falls on all of them alike. `RUNNER BUILD` runs the workload once
# with the variant's build (timeit.py) and prints "WALL CPU"; the results go to
# $W/PROJECT/bench-LABEL-PID.json.
bench() {
    local p=$1 wl=$2 runner=$3 i label envs b t
    for i in $(seq "$RUNS"); do
        while IFS='|' read -r label envs b; do
            t=$(
                [ -n "$envs" ] && export $envs
                HEATMAP_OUTPUT="$W/$p/bench-${label// /_}-%p.json" "$runner" "$b"
            ) || say "  $p: $wl ($label) exited with status $?"
            [ -n "$t" ] && record_time "$p" "run $wl $label" $t
        done <<<"$BENCH_VARIANTS"
    done
}
# bench_calls PROJECT WORKLOAD [VARIANT...]: the instrumented calls and the throttled functions of
# one run of each VARIANT (default: default) with the runtime's defaults (its results file)
bench_calls() {
    local p=$1 wl=$2 v f
    shift 2
    for v in "${@:-default}"; do
        f=$(ls "$W/$p"/bench-$v-[0-9]*.json 2>/dev/null | head -1)
        # shellcheck disable=SC2046 # two numbers: calls, throttled functions
        [ -n "$f" ] && record_time "$p" "calls $wl $v" $("$VIEW" --format=json "$f" | $PY -c '
import json, sys
d = json.load(sys.stdin)
print(d["summary"]["total_calls"], sum("throttled_after" in f for f in d["functions"]))')
    done
    rm -f "$W/$p"/bench-*.json
}

need_pkgs() { # installs the Debian packages that are missing
    local missing=() p
    for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
    [ ${#missing[@]} = 0 ] && return 0
    say "installing: ${missing[*]}"
    $SUDO apt-get install -y -q "${missing[@]}" >"$W/apt-install.log" 2>&1 || {
        $SUDO apt-get update -q >/dev/null 2>&1
        $SUDO apt-get install -y -q "${missing[@]}" >"$W/apt-install.log" 2>&1
    }
}

fetch_src() { # fetch_src SRCPKG DIR [--skip-patches]: apt-get source, unpacked into DIR
    local pkg=$1 dir=$2 v; shift 2
    [ -d "$dir" ] && return 0
    dl() { (cd "$W/dl" && apt-get source --download-only -q "$1" >"$W/dl/$pkg.log" 2>&1); }
    mkdir -p "$W/dl" && dl "$pkg" ||
        { $SUDO apt-get update -q >/dev/null 2>&1; dl "$pkg"; } || {
        # the mirror may lack the newest version's files (a security update's, e.g. libzstd's
        # +deb12u1 answered 404): the older versions deb-src lists, newest first
        for v in $(apt-cache showsrc "$pkg" | sed -n 's/^Version: //p' | sort -Vru | sed 1d); do
            dl "$pkg=$v" && { say "$pkg: the newest version's files cannot be downloaded; using $v"; break; }
        done
        ls "$W/dl/${pkg}_"*.dsc >/dev/null 2>&1
    } || { bad "$pkg: apt-get source (deb-src enabled?)"; return 1; }
    local dsc
    dsc=$(ls "$W/dl/${pkg}_"*.dsc | tail -1)
    dpkg-source "$@" -x "$dsc" "$dir" >"$W/dl/$pkg.unpack.log" 2>&1 || { bad "$pkg: dpkg-source -x"; return 1; }
    say "$pkg: $(basename "$dsc" .dsc) in $dir"
}

# --- heatmap itself ------------------------------------------------------------------------------
need_pkgs bc gdb python3 python3-yaml pkg-config clang-14 llvm-14-dev
if [ ! -f "$PREFIX/lib/pkgconfig/heatmap.pc" ] || [ ! -x "$PREFIX/bin/heatmap-build" ]; then
    say "building heatmap into $PREFIX"
    cmake -S "$ROOT" -B "$ROOT/build-realworld" -DCMAKE_BUILD_TYPE=Release -DHEATMAP_BUILD_TESTS=OFF \
        -DHEATMAP_BUILD_SCAN=OFF >"$W/heatmap-build.log" 2>&1 &&
        cmake --build "$ROOT/build-realworld" -j"$JOBS" >>"$W/heatmap-build.log" 2>&1 &&
        cmake --install "$ROOT/build-realworld" --prefix "$PREFIX" >>"$W/heatmap-build.log" 2>&1 ||
        { say "heatmap build failed: $W/heatmap-build.log"; exit 2; }
fi
export PKG_CONFIG_PATH=$PREFIX/lib/pkgconfig
HM_CFLAGS=$(pkg-config --cflags heatmap)
HM_LIBS=$(pkg-config --libs heatmap)
VIEW=$PREFIX/bin/heatmap-view
unset HEATMAP HEATMAP_CONFIG HEATMAP_REPORT HEATMAP_OUTPUT HEATMAP_SUMMARY HEATMAP_TRACE
d=$W
while [ "$d" != / ]; do
    [ -f "$d/heatmap.yaml" ] && say "warning: $d/heatmap.yaml applies to the 'default' builds"
    d=$(dirname "$d")
done
say "work dir: $W; heatmap: $PREFIX (repository at $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null); the install is whatever was last built there)"

# same_output NAME A.out B.out: identical stdout, stderr and exit status (files written by run_capture)
same_output() {
    local n=$1 a=$2 b=$3
    if cmp -s "$a" "$b"; then ok "$n: identical output and exit status"; else
        bad "$n: output differs ($a vs $b)"
        diff "$a" "$b" | head -10
    fi
}
# run_capture OUT COMMAND...: stdout, then stderr, then the exit status, into OUT
run_capture() {
    local out=$1 rc; shift
    "$@" >"$out.stdout" 2>"$out.stderr"; rc=$?
    { cat "$out.stdout"; echo "--- stderr"; cat "$out.stderr"; echo "--- exit status $rc"; } >"$out"
    rm -f "$out.stdout" "$out.stderr"
}
# results_load PROJECT DIR: every results file in DIR loads in heatmap-view --format=json
results_load() {
    local p=$1 dir=$2 n=0 badn=0 f
    for f in "$dir"/*.json; do
        [ -e "$f" ] || continue
        case $f in *.view.json) continue ;; esac
        n=$((n + 1))
        if "$VIEW" --format=json "$f" >"${f%.json}.view.json" 2>"${f%.json}.view.err" &&
            $PY -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["functions"] is not None' "${f%.json}.view.json"; then :; else
            badn=$((badn + 1)); say "  heatmap-view failed on $f: $(head -2 "${f%.json}.view.err")"
        fi
    done
    if [ $n -gt 0 ] && [ $badn = 0 ]; then ok "$p: $n results files, all load in heatmap-view --format=json"
    else bad "$p: $n results files in $dir, $badn do not load"; fi
}
# gdb_counts BINARY FUNCS ARGS...: prints "func count" for each breakpoint, from gdb's hit counts
# (GDB_STDIN=FILE: the program's standard input). gdb breaks in inlined copies too: that is the
# count of a build instrumented before inlining. GDB_OUTOFLINE=1 disables the inlined locations,
# leaving the calls of the functions' own (out-of-line) code: the count of a build instrumented
# after inlining (the default without functions.include), whose inlining is the plain build's.
gdb_counts() {
    local bin=$1 funcs=$2 f; shift 2
    # stop at main first, so that shared libraries are loaded; a function exported from a shared
    # library also gets a location on its PLT stub (a call through the PLT would count twice):
    # those locations are disabled
    local args=(-q -batch -nx -ex 'set pagination off' -ex "start${GDB_STDIN:+ < $GDB_STDIN}")
    for f in $funcs; do args+=(-ex "break $f" -ex 'ignore $bpnum 100000000' -ex "echo BP-MARK $f\n"); done
    args+=(-ex "python outofline = ${GDB_OUTOFLINE:-0} == 1" -ex 'python
def inlined(pc, name):  # the block of function `name` at pc lies inside another function block
    b = gdb.block_for_pc(pc)
    while b is not None and (b.function is None or b.function.name.split("(")[0] != name):
        b = b.superblock  # blocks of functions inlined into it (the location may be in one)
    if b is None:
        return False
    b = b.superblock
    while b is not None and b.function is None:
        b = b.superblock
    return b is not None
for bp in gdb.breakpoints():
    for loc in bp.locations:
        if (loc.function or "").endswith("@plt") or (outofline and inlined(loc.address, bp.location)):
            loc.enabled = False
' -ex continue -ex 'info breakpoints')
    gdb "${args[@]}" --args "$bin" "$@" </dev/null 2>/dev/null | $PY -c '
import re, sys
funcs = sys.argv[1].split(); last = None; name = {}; hits = {}; cur = None
for line in sys.stdin:
    m = re.match(r"^Breakpoint (\d+) (at |\()", line)   # "(NAME) pending." before a library loads
    if m: last = m.group(1)
    m = re.match(r"^BP-MARK (\S+)", line)
    if m:
        if last: name[last] = m.group(1)
        last = None
    m = re.match(r"^(\d+)\s+breakpoint\s", line)
    if m: cur = m.group(1); hits[cur] = 0
    m = re.search(r"breakpoint already hit (\d+) time", line)
    if m and cur: hits[cur] = int(m.group(1))
byname = {name[n]: hits.get(n, 0) for n in name}
for f in funcs: print(f, byname.get(f, "missing"))' "$funcs"
}
# broken_config PROJECT YAML EXPECTED_LINE:COL COMPILER ARGS...: the compile must fail with
# YAML:LINE:COL: error: and write no object file
broken_config() {
    local p=$1 yaml=$2 lc=$3 obj=$W/broken-$1.o; shift 3
    rm -f "$obj"
    HEATMAP_CONFIG=$yaml "$@" -o "$obj" >"$W/broken-$p.log" 2>&1
    local rc=$?
    if [ $rc != 0 ] && [ ! -e "$obj" ] && grep -q "^$yaml:$lc: error: " "$W/broken-$p.log"; then
        ok "$p: broken allowlist: $(grep -m1 "^$yaml:" "$W/broken-$p.log" | sed "s|$RW/||"), exit status $rc"
    else
        bad "$p: broken allowlist: exit status $rc, expected '$yaml:$lc: error:' ($W/broken-$p.log)"
        head -5 "$W/broken-$p.log"
    fi
}

# make_variant PROJECT VARIANT CCARGS MAKEARGS...: `make MAKEARGS CC="COMPILER CCARGS"` for a
# Makefile that sets CC itself (so CC goes on make's command line), timed as "compile VARIANT";
# output in $P/build-VARIANT.log. The instrumented variants build through heatmap-build with
# heatmap-cc as COMPILER (heatmap-build counts what went through it), with
# --config scripts/realworld/PROJECT/VARIANT.yaml but for `default`, and write the plugin's
# decisions to $P/report-VARIANT.jsonl. Returns 1 if the build failed.
make_variant() {
    local p=$1 v=$2 ccargs=$3 build=() cc=$CC
    shift 3
    if [ $v != plain ]; then
        build=(env "HEATMAP_REPORT=$P/report-$v.jsonl" "$PREFIX/bin/heatmap-build")
        [ $v != default ] && build+=(--config "$RW/$p/$v.yaml")
        cc=$PREFIX/bin/heatmap-cc
    fi
    if timed $p "compile $v" "${build[@]}" make "$@" CC="$cc${ccargs:+ $ccargs}" >"$P/build-$v.log" 2>&1; then
        ok "$p: build $v"
    else
        bad "$p: build $v ($P/build-$v.log)"; return 1
    fi
    if [ $v != plain ]; then
        grep -q "^heatmap-build: [1-9][0-9]* compilations and [1-9][0-9]* links" "$P/build-$v.log" &&
            ok "$p: heatmap-build $v: $(grep '^heatmap-build: ' "$P/build-$v.log" | head -1)" ||
            bad "$p: heatmap-build $v counted nothing ($P/build-$v.log)"
    fi
}

# =================================================================================================
# 1. Lua 5.4: liblua.a + lua with src/Makefile (CC, MYCFLAGS, MYLIBS); errors are longjmp
# =================================================================================================
project_lua() {
    local P=$W/lua S=$W/lua/src v
    mkdir -p "$P"
    say "=== Lua"
    need_pkgs dpkg-dev libreadline-dev
    # upstream Makefile (Debian's 0001 patch switches to libtool, 0002 needs a generated header):
    # apply only Debian's security fixes
    fetch_src lua5.4 "$S" --skip-patches || return
    if [ ! -e "$S/.patched" ]; then
        for f in $(grep -i 'cve' "$S/debian/patches/series"); do
            patch -d "$S" -p1 -s <"$S/debian/patches/$f" || bad "lua: patch $f"
        done
        touch "$S/.patched"
    fi

    # variants: plain, and heatmap with no allowlist / narrow / exclude-heavy
    local VARIANTS="plain default narrow exclude"
    for v in $VARIANTS; do
        rm -rf "$P/$v" "$P/report-$v.jsonl"
        cp -r "$S/src" "$P/$v"
        make_variant lua $v -std=gnu99 -C "$P/$v" -j"$JOBS" linux MYCFLAGS=-g || return
    done

    # the source package's own test target (lua -v) and our scripts, under every variant
    local scripts s
    scripts=$(cd "$RW/lua" && ls *.lua | grep -v '^bench.lua$')
    for v in $VARIANTS; do
        mkdir -p "$P/out-$v"; rm -f "$P/out-$v"/*
        (cd "$P/$v" && HEATMAP_OUTPUT=$P/out-$v/make-test-%p.json run_capture "$P/out-$v/make-test.txt" make -s test)
        for s in $scripts; do
            # run as `lua` from the script directory so argv[0] and paths in messages are the same
            (cd "$RW/lua" && PATH=$P/$v:$PATH HEATMAP_OUTPUT=$P/out-$v/${s%.lua}-%p.json \
                run_capture "$P/out-$v/${s%.lua}.txt" lua "$s")
        done
    done
    for v in default narrow exclude; do
        for s in make-test $scripts; do
            same_output "lua ($v): ${s%.lua}" "$P/out-plain/${s%.lua}.txt" "$P/out-$v/${s%.lua}.txt"
        done
        results_load "lua ($v)" "$P/out-$v"
    done
    grep -q 'exit status 1' "$P/out-default/exit_error.txt" && grep -q 'exit status 3' "$P/out-default/exit_code.txt" &&
        ok "lua: uncaught error exits 1, os.exit(3) exits 3 (both builds)" || bad "lua: exit statuses"

    # exact counts: known from counts.lua, and gdb breakpoint hit counts on the plain build (an
    # independent counter; gdb also breaks at inlined copies). luaD_callnoyield: no number known
    # from the script, gdb's is the reference. lua_status is trivial: the default skips it.
    local known="str_rep=1234 luaB_error=777 luaB_pcall=777 luaB_yield=555 luaB_auxwrap=555 luaD_throw=1332 lua_status=321"
    local gdbout e f n
    gdbout=$(cd "$RW/lua" && gdb_counts "$P/plain/lua" "str_rep luaB_error luaB_pcall luaB_yield luaB_auxwrap luaD_throw lua_status luaD_callnoyield" counts.lua)
    say "  gdb breakpoint hits on the plain build (counts.lua): $(echo $gdbout)"
    local gbad=0
    for e in $known; do
        f=${e%=*}; n=${e#*=}
        [ "$(echo "$gdbout" | awk -v f=$f '$1 == f {print $2}')" = "$n" ] || { gbad=1; say "  gdb: $f != $n"; }
    done
    [ $gbad = 0 ] && ok "lua: gdb hit counts on the plain build = the numbers known from counts.lua" || bad "lua: gdb counts"
    local gcall
    gcall=$(echo "$gdbout" | awk '$1 == "luaD_callnoyield" {print $2}')
    # the default build is instrumented after inlining: like with like, its reference is gdb's
    # count of the out-of-line code (a function inlined everywhere must be absent: count 0)
    local gdbline exp_default
    gdbline=$(cd "$RW/lua" && GDB_OUTOFLINE=1 gdb_counts "$P/plain/lua" "str_rep luaB_error luaB_pcall luaB_yield luaB_auxwrap luaD_throw luaD_callnoyield" counts.lua)
    say "  gdb breakpoint hits, out-of-line code only: $(echo $gdbline)"
    exp_default=$(echo "$gdbline" | awk '{printf "%s=%s ", $1, $2}')
    local exp_narrow="$known luaD_callnoyield=$gcall"
    local exp_exclude="$known luaD_callnoyield=$gcall"
    for v in default narrow exclude; do
        local ev=exp_$v args=() cargs=()
        for e in ${!ev}; do args+=(--expect "$e"); done
        [ $v = default ] && args+=(--absent lua_status)
        [ $v != default ] && cargs=(--config "$RW/lua/$v.yaml")
        say "lua ($v): selection and counts"
        check_sel "lua ($v): every plugin decision = the allowlist's; counts.lua: ${!ev} (= gdb)" $v "${cargs[@]}" \
            --results "$P/out-$v"/counts-*[0-9].json "${args[@]}"
        # every results file of every script: only selected, instrumented functions
        check_sel_all "lua ($v): all scripts' results hold only selected, instrumented functions" $v "${cargs[@]}"
    done
    # gc.lua calls collectgarbage() 12 times, 6 of them full collections (luaC_fullgc, in lgc.c,
    # which exclude.yaml excludes by file but names exactly). The narrow list leaves the VM, the
    # GC and the table code out.
    check_sel "lua (narrow): gc.lua: luaB_collectgarbage=12, no luaV_execute, luaC_step, luaH_get" narrow \
        --config "$RW/lua/narrow.yaml" \
        --results "$P/out-narrow"/gc-*[0-9].json --expect luaB_collectgarbage=12 \
        --absent luaV_execute --absent luaC_step --absent luaH_get
    check_sel "lua (exclude): gc.lua: luaC_fullgc=6 (exact include beats files.exclude), no luaV_execute, luaS_newlstr" exclude \
        --config "$RW/lua/exclude.yaml" \
        --results "$P/out-exclude"/gc-*[0-9].json --expect luaC_fullgc=6 --expect luaB_collectgarbage=12 \
        --absent luaV_execute --absent luaS_newlstr
    check_sel "lua (default): gc.lua: luaC_fullgc=6, luaB_collectgarbage=12" default \
        --results "$P/out-default"/gc-*[0-9].json --expect luaC_fullgc=6 --expect luaB_collectgarbage=12

    # a broken allowlist (a misspelt key): the compile fails like a source error
    broken_config lua "$RW/lua/broken.yaml" 5:3 $CC -std=gnu99 -O2 $HM_CFLAGS -DLUA_USE_LINUX -c "$S/src/lapi.c"

    # timings: a CPU-bound script, plain / instrumented (default with each part off, narrow)
    lua_bench() { $PY "$RW/timeit.py" --cwd "$RW/lua" "$P/$1/lua" bench.lua; }
    bench lua bench.lua lua_bench
    bench_calls lua bench.lua
}

# =================================================================================================
# 2. SQLite: the amalgamation (sqlite3.c + shell.c, generated by the source's own Makefile) built
#    into the sqlite3 shell; SQL scripts under scripts/realworld/sqlite; a subset of its Tcl tests
# =================================================================================================
SQ_DEFS="-DSQLITE_ENABLE_FTS5 -DSQLITE_ENABLE_MATH_FUNCTIONS -DSQLITE_THREADSAFE=1"
# SQLite's own Tcl tests: these groups of test/*.test (226 files, ~144k test cases in 3.40.1)
SQ_TESTS=${SQ_TESTS:-"select* insert* update* delete* trigger* savepoint* trans* join* func* expr* where* json* window* fkey* misc* e_* index* alter* with* upsert*"}
project_sqlite() {
    local P=$W/sqlite S=$W/sqlite/src v
    mkdir -p "$P"
    say "=== SQLite"
    need_pkgs tcl8.6-dev tcl zlib1g-dev
    fetch_src sqlite3 "$S" || return
    if [ ! -f "$P/gen/sqlite3.c" ]; then
        mkdir -p "$P/gen"
        (cd "$P/gen" && "$S/configure" CC="$CC" >configure.log 2>&1 && make -j"$JOBS" sqlite3.c shell.c >make.log 2>&1) ||
            { bad "sqlite: generating the amalgamation ($P/gen)"; return; }
    fi
    say "sqlite: $(cat "$S/VERSION"), $(ls "$W"/dl/sqlite3_*.dsc | xargs basename), amalgamation $(wc -l <"$P/gen/sqlite3.c") lines"

    local VARIANTS="plain default narrow exclude"
    for v in $VARIANTS; do
        rm -rf "$P/$v" "$P/report-$v.jsonl"; mkdir -p "$P/$v"
        local cfg=() fl=() libs=()
        if [ $v != plain ]; then
            read -ra fl <<<"$HM_CFLAGS"; read -ra libs <<<"$HM_LIBS"
            cfg=(HEATMAP_REPORT=$P/report-$v.jsonl)
            [ $v != default ] && cfg+=(HEATMAP_CONFIG=$RW/sqlite/$v.yaml)
        fi
        # the two translation units in parallel (-j2)
        if timed sqlite "compile $v" env "${cfg[@]}" G="$P/gen" O="$P/$v" bash -c '
            "$@" -c "$G/sqlite3.c" -o "$O/sqlite3.o" & a=$!
            "$@" -c "$G/shell.c" -o "$O/shell.o"; b=$?; wait $a && [ $b = 0 ]' _ \
            $CC -O2 -g $SQ_DEFS -I"$P/gen" "${fl[@]}" >"$P/build-$v.log" 2>&1 &&
            $CC "$P/$v/sqlite3.o" "$P/$v/shell.o" "${libs[@]}" -lpthread -ldl -lm -lz -o "$P/$v/sqlite3" >>"$P/build-$v.log" 2>&1
        then ok "sqlite: build $v"; else bad "sqlite: build $v ($P/build-$v.log)"; return; fi
    done 2>/dev/null

    # our SQL scripts under every variant, each in a fresh directory (the database is a file: WAL,
    # journal, VACUUM), read from standard input as a user would pipe them
    local s
    for v in $VARIANTS; do
        rm -rf "$P/out-$v"; mkdir -p "$P/out-$v"
        for s in workload transactions bail counts; do
            rm -rf "$P/run"; mkdir -p "$P/run"
            (cd "$P/run" && HEATMAP_OUTPUT=$P/out-$v/$s-%p.json run_capture "$P/out-$v/$s.txt" "$P/$v/sqlite3" test.db <"$RW/sqlite/$s.sql")
        done
        # and one command-line invocation with SQL as an argument, -json output, an in-memory db
        HEATMAP_OUTPUT=$P/out-$v/cmdline-%p.json run_capture "$P/out-$v/cmdline.txt" "$P/$v/sqlite3" -json :memory: \
            "SELECT 1 AS a, 'x' AS b UNION ALL SELECT 2, NULL; SELECT sqlite_version();"
    done
    for v in default narrow exclude; do
        for s in workload transactions bail counts cmdline; do
            same_output "sqlite ($v): $s.sql" "$P/out-plain/$s.txt" "$P/out-$v/$s.txt"
        done
        results_load "sqlite ($v)" "$P/out-$v"
    done

    # exact counts: abs() on 1000 rows, upper() on 500, 3 statements failing to prepare; the rest
    # from gdb breakpoint hit counts on the plain build
    local funcs="absFunc upperFunc sqlite3ErrorMsg sqlite3_prepare_v2 sqlite3_step sqlite3VdbeExec sqlite3BtreeInsert sqlite3GetToken process_input"
    local gdbout
    rm -rf "$P/run"; mkdir -p "$P/run"
    gdbout=$(cd "$P/run" && GDB_STDIN=$RW/sqlite/counts.sql gdb_counts "$P/plain/sqlite3" "$funcs" test.db)
    say "  gdb breakpoint hits on the plain build (counts.sql): $(echo $gdbout)"
    local known="absFunc=1000 upperFunc=500 sqlite3ErrorMsg=3 process_input=1" e f n gbad=0
    for e in $known; do
        f=${e%=*}; n=${e#*=}
        [ "$(echo "$gdbout" | awk -v f=$f '$1 == f {print $2}')" = "$n" ] || { gbad=1; say "  gdb: $f != $n"; }
    done
    [ $gbad = 0 ] && ok "sqlite: gdb hit counts on the plain build = the numbers known from counts.sql" || bad "sqlite: gdb counts"
    # the default build is instrumented after inlining: its reference is gdb's count of the
    # out-of-line code (sqlite3_prepare_v2: 9 calls, 2 of them into inlined copies)
    local gdbline
    rm -rf "$P/run"; mkdir -p "$P/run"
    gdbline=$(cd "$P/run" && GDB_OUTOFLINE=1 GDB_STDIN=$RW/sqlite/counts.sql gdb_counts "$P/plain/sqlite3" "$funcs" test.db)
    say "  gdb breakpoint hits, out-of-line code only: $(echo $gdbline)"
    local g=() a
    pick() { local x r=; for x in "${g[@]}"; do for n in "$@"; do [ "${x%=*}" = "$n" ] && r+=" --expect $x"; done; done; echo "$r"; }
    local exp_default exp_narrow exp_exclude
    for a in $(echo "$gdbline" | awk '{print $1 "=" $2}'); do g+=("$a"); done
    exp_default=$(pick absFunc upperFunc sqlite3ErrorMsg sqlite3_prepare_v2 sqlite3_step sqlite3VdbeExec sqlite3BtreeInsert sqlite3GetToken process_input)
    g=()
    for a in $(echo "$gdbout" | awk '{print $1 "=" $2}'); do g+=("$a"); done
    exp_narrow="$(pick absFunc upperFunc sqlite3ErrorMsg sqlite3_prepare_v2 sqlite3_step sqlite3VdbeExec sqlite3BtreeInsert sqlite3GetToken) --absent process_input --absent sqlite3RunParser"
    exp_exclude="$(pick sqlite3ErrorMsg sqlite3_prepare_v2 sqlite3_step sqlite3VdbeExec process_input) --absent absFunc --absent upperFunc --absent sqlite3BtreeInsert --absent sqlite3GetToken --absent shell_exec"
    for v in default narrow exclude; do
        local ev=exp_$v cargs=()
        [ $v != default ] && cargs=(--config "$RW/sqlite/$v.yaml")
        say "sqlite ($v): selection and counts"
        check_sel "sqlite ($v): every plugin decision = the allowlist's; counts.sql:${!ev//--expect/}" $v "${cargs[@]}" \
            --results "$P/out-$v"/counts-*[0-9].json ${!ev}
        check_sel_all "sqlite ($v): all scripts' results hold only selected, instrumented functions" $v "${cargs[@]}"
    done

    # a broken allowlist (an invalid glob): the compile fails like a source error
    broken_config sqlite "$RW/sqlite/broken.yaml" 3:26 $CC -O2 $HM_CFLAGS -I"$P/gen" -c "$P/gen/shell.c"

    # SQLite's own Tcl tests (a fixed subset, SQ_TESTS) with testfixture built plain and with the
    # plugin (default allowlist); the full `veryquick` takes too long for this script
    if [ "${SQLITE_TCL_TESTS:-1}" = 1 ]; then
        for v in plain default; do
            local tf=$P/tf-$v cc=$CC libs=
            [ $v = default ] && { cc="$CC $HM_CFLAGS"; libs=$HM_LIBS; }
            # LIBS reaches testfixture's link; LTLINK_EXTRAS also lemon's, which is linked the
            # same way (instrumented too; HEATMAP=off while building); BCC (mkkeywordhash) plain
            if [ ! -x "$tf/testfixture" ]; then
                rm -rf "$tf"; mkdir -p "$tf"
                (cd "$tf" && "$S/configure" CC="$cc" LIBS="$libs" --with-tcl=/usr/lib/tcl8.6 >configure.log 2>&1) &&
                    HEATMAP=off timed sqlite "compile testfixture $v" make -C "$tf" -j"$JOBS" BCC="$CC -g -O2" LTLINK_EXTRAS="$libs" testfixture >"$tf/make.log" 2>&1 ||
                    { bad "sqlite: testfixture $v ($tf/make.log)"; continue; }
            fi
            rm -rf "$P/tcl-$v" "$tf/run"; mkdir -p "$P/tcl-$v" "$tf/run"
            local list
            local pats=()
            read -ra pats <<<"$SQ_TESTS"
            list=$(cd "$S/test" && for t in "${pats[@]}"; do ls -d $t.test; done | sort -u)
            # each test file in its own directory (they create test.db etc.), $JOBS at a time
            timed sqlite "run tcl-tests $v" bash -c 'echo "$1" | xargs -P "$2" -I{} bash -c "
                mkdir -p \"$3/run/{}\" && cd \"$3/run/{}\" &&
                HEATMAP_OUTPUT=\"$4/{}-%p.json\" timeout 1800 \"$3/testfixture\" \"$5/test/{}\" >\"$4/{}.txt\" 2>&1
                echo \"--- exit status \$?\" >>\"$4/{}.txt\""' _ "$list" "$JOBS" "$tf" "$P/tcl-$v" "$S"
        done
        # same errors, same failing tests, same exit status, same output (less times and memory
        # figures, and less the iterations of OOM fault-injection loops: scripts/realworld/compare_tcl.py)
        grep -h '^!Failures on these tests' "$P/tcl-plain"/*.txt | sed 's/^/  plain build: /'
        check "sqlite: Tcl tests ($(ls "$P/tcl-plain"/*.test.txt | wc -l) files): same errors, failing tests, exit statuses and output, plain and instrumented" \
            $PY "$RW/compare_tcl.py" "$P/tcl-plain" "$P/tcl-default"
        results_load "sqlite Tcl tests (default)" "$P/tcl-default"
        record_time sqlite "calls tcl-tests" "$(cat "$P/tcl-default"/*.view.json | $PY -c '
import json, sys
dec = json.JSONDecoder(); s = sys.stdin.read(); i = 0; n = 0
while i < len(s):
    while i < len(s) and s[i].isspace(): i += 1
    if i >= len(s): break
    d, i = dec.raw_decode(s, i); n += d["summary"]["total_calls"]
print(n)')"
    fi

    # timings: the 100k-row workload, in a fresh directory each time
    sqlite_bench() {
        rm -rf "$P/run"; mkdir -p "$P/run"
        $PY "$RW/timeit.py" --cwd "$P/run" --stdin "$RW/sqlite/workload.sql" "$P/$1/sqlite3" test.db
    }
    bench sqlite workload.sql sqlite_bench
    bench_calls sqlite workload.sql
}

# =================================================================================================
# 3. jsoncpp (C++, CMake, shared library + executables): ctest (unit tests, reader/writer tests
#    over test/data, JSON checker) plain and with the plugin
# =================================================================================================
project_jsoncpp() {
    local P=$W/jsoncpp S=$W/jsoncpp/src v
    mkdir -p "$P"
    say "=== jsoncpp"
    need_pkgs cmake
    fetch_src libjsoncpp "$S" || return
    say "jsoncpp: $(ls "$W"/dl/libjsoncpp_*.dsc | xargs basename)"
    $PY "$RW/jsoncpp/make_counts_json.py" "$P/counts.json"
    $PY -c '
import json, sys
json.dump([{"id": i, "name": "n%d" % i, "v": [i * 0.5, True, None], "o": {"k": "x" * (i % 7)}} for i in range(100000)],
          open(sys.argv[1], "w"))' "$P/big.json"

    local VARIANTS="plain default narrow exclude"
    for v in $VARIANTS; do
        rm -rf "$P/$v" "$P/src-$v" "$P/report-$v.jsonl"
        cp -r "$S" "$P/src-$v"   # the tests write their .actual files into test/data
        local cxxflags=-g ldflags= cfg=()
        if [ $v != plain ]; then
            cxxflags="-g $HM_CFLAGS"; ldflags=$HM_LIBS
            cfg=(HEATMAP_REPORT=$P/report-$v.jsonl)
            [ $v != default ] && cfg+=(HEATMAP_CONFIG=$RW/jsoncpp/$v.yaml)
        fi
        cmake -S "$P/src-$v" -B "$P/$v" -DCMAKE_BUILD_TYPE=Release -DCMAKE_C_COMPILER="$CC" \
            -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_CXX_FLAGS="$cxxflags" -DCMAKE_EXE_LINKER_FLAGS="$ldflags" \
            -DCMAKE_SHARED_LINKER_FLAGS="$ldflags" -DBUILD_STATIC_LIBS=OFF -DBUILD_OBJECT_LIBS=OFF \
            -DJSONCPP_WITH_POST_BUILD_UNITTEST=OFF >"$P/configure-$v.log" 2>&1 ||
            { bad "jsoncpp: configure $v ($P/configure-$v.log)"; return; }
        if timed jsoncpp "compile $v" env "${cfg[@]}" cmake --build "$P/$v" -j"$JOBS" >"$P/build-$v.log" 2>&1
        then ok "jsoncpp: build $v"; else bad "jsoncpp: build $v ($P/build-$v.log)"; return; fi
    done

    # ctest, the unit test binary on its own, and the test runner on counts.json
    local filt='s/ +[0-9.]+ sec//; s/Total Test time \(real\) = .*//; s|'"$P"'/src-[a-z]+|SRC|g; s|'"$P"'/[a-z]+|BUILD|g'
    for v in $VARIANTS; do
        rm -rf "$P/out-$v"; mkdir -p "$P/out-$v"
        HEATMAP_OUTPUT=$P/out-$v/ctest-%p.json run_capture "$P/out-$v/ctest.raw" ctest --test-dir "$P/$v" -V
        sed -E "$filt" "$P/out-$v/ctest.raw" | grep -v '^Test project\|^UpdateCTestConfiguration\|^Parse config\|^Constructing\|^Checking test dependency\|^Updating test list\|^Test command\|^Working Directory\|^test [0-9]' >"$P/out-$v/ctest.txt"
        HEATMAP_OUTPUT=$P/out-$v/unit-%p.json run_capture "$P/out-$v/unit.txt" "$P/$v/bin/jsoncpp_test"
        rm -rf "$P/run"; mkdir -p "$P/run"; cp "$P/counts.json" "$P/run/"
        (cd "$P/run" && HEATMAP_OUTPUT=$P/out-$v/counts-%p.json run_capture "$P/out-$v/counts.txt" "$P/$v/bin/jsontestrunner_exe" counts.json &&
            cat counts.actual counts.rewrite counts.actual-rewrite >>"$P/out-$v/counts.txt")
    done
    for v in default narrow exclude; do
        for s in ctest unit counts; do
            same_output "jsoncpp ($v): $s" "$P/out-plain/$s.txt" "$P/out-$v/$s.txt"
        done
        local sp sd
        # ctest's summary and each test's own "All N tests passed" lines, counted
        sp=$(grep -E 'tests passed' "$P/out-plain/ctest.txt" | sed 's/^[0-9]*: //' | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1 x /' | paste -sd';')
        sd=$(grep -E 'tests passed' "$P/out-$v/ctest.txt" | sed 's/^[0-9]*: //' | sort | uniq -c | sed 's/^ *\([0-9]*\) /\1 x /' | paste -sd';')
        [ -n "$sd" ] && [ "$sp" = "$sd" ] && ok "jsoncpp ($v): ctest: $sd (the same in the plain build)" || bad "jsoncpp ($v): ctest: '$sd' vs plain '$sp'"
        results_load "jsoncpp ($v)" "$P/out-$v"
    done
    say "  unit tests: $(grep -E 'tests? passed|failed' "$P/out-default/unit.txt" | head -2 | tr '\n' ' ')"

    # exact counts: printValueTree from the shape of counts.json; the rest from gdb on the plain build
    local gr gu
    gr=$(cd "$P/run" && gdb_counts "$P/plain/bin/jsontestrunner_exe" "printValueTree Json::OurReader::readValue Json::OurReader::decodeNumber Json::Value::size" counts.json)
    gu=$(gdb_counts "$P/plain/bin/jsoncpp_test" "Json::throwLogicError Json::throwRuntimeError" )
    say "  gdb breakpoint hits on the plain build: jsontestrunner counts.json: $(echo $gr); jsoncpp_test: $(echo $gu)"
    [ "$(echo "$gr" | awk '$1 == "printValueTree" {print $2}')" = 2406 ] &&
        ok "jsoncpp: gdb: printValueTree hit 2406 times = 2 x 1203 values in counts.json" || bad "jsoncpp: gdb printValueTree"
    # the default build is instrumented after inlining: its reference is gdb's count of the
    # out-of-line code (functions inlined everywhere: 0, must be absent)
    local grl gul
    grl=$(cd "$P/run" && GDB_OUTOFLINE=1 gdb_counts "$P/plain/bin/jsontestrunner_exe" "printValueTree Json::OurReader::readValue Json::OurReader::decodeNumber" counts.json)
    gul=$(GDB_OUTOFLINE=1 gdb_counts "$P/plain/bin/jsoncpp_test" "Json::throwLogicError Json::throwRuntimeError")
    say "  gdb breakpoint hits, out-of-line code only: $(echo $grl); $(echo $gul)"
    local e r=() u=() rdef=() udef=()
    for e in $(echo "$gr" | awk '{print $1 "=" $2}'); do r+=(--expect "$e"); done
    for e in $(echo "$gu" | awk '{print $1 "=" $2}'); do u+=(--expect "$e"); done
    for e in $(echo "$grl" | awk '{print $1 "=" $2}'); do rdef+=(--expect "$e"); done
    for e in $(echo "$gul" | awk '{print $1 "=" $2}'); do udef+=(--expect "$e"); done
    for v in default narrow exclude; do
        local cargs=() rr=("${r[@]}") uu=("${u[@]}")
        [ $v != default ] && cargs=(--config "$RW/jsoncpp/$v.yaml")
        # Json::Value::size is trivial under the default rule: not checked there
        [ $v = default ] && { rr=("${rdef[@]}"); uu=("${udef[@]}"); }
        [ $v = narrow ] && rr=("${r[@]:0:6}" --absent Json::Value::size)
        say "jsoncpp ($v): selection and counts"
        check_sel "jsoncpp ($v): every plugin decision = the allowlist's; jsontestrunner counts.json:${rr[*]//--expect/}" $v "${cargs[@]}" \
            --results "$P/out-$v"/counts-*[0-9].json "${rr[@]}"
        check_sel "jsoncpp ($v): jsoncpp_test: exceptions thrown through instrumented frames:${uu[*]//--expect/}" $v "${cargs[@]}" \
            --results "$P/out-$v"/unit-*[0-9].json "${uu[@]}"
        check_sel_all "jsoncpp ($v): all results (ctest's processes too) hold only selected, instrumented functions" $v "${cargs[@]}"
    done
    check_sel "jsoncpp (exclude): no Json::Value::operator[], std::, JsonTest::, json_writer.cpp functions" exclude \
        --config "$RW/jsoncpp/exclude.yaml" \
        --results "$P/out-exclude"/unit-*[0-9].json --absent 'Json::Value::operator[]' --absent 'JsonTest::Runner::runTestAt' \
        --absent 'Json::StyledWriter::write' --absent 'Json::valueToString'

    # a broken allowlist (a value of the wrong type)
    broken_config jsoncpp "$RW/jsoncpp/broken.yaml" 5:21 $CXX -O2 $HM_CFLAGS -I"$S/include" -c "$S/src/lib_json/json_reader.cpp"

    # timings: parsing + printing + rewriting a 100k-object document, and the unit tests
    jsoncpp_big() {
        rm -rf "$P/run"; mkdir -p "$P/run"; cp "$P/big.json" "$P/run/"
        $PY "$RW/timeit.py" --cwd "$P/run" "$P/$1/bin/jsontestrunner_exe" big.json
    }
    jsoncpp_unit() { $PY "$RW/timeit.py" --cwd "$P" "$P/$1/bin/jsoncpp_test"; }
    bench jsoncpp big.json jsoncpp_big
    bench_calls jsoncpp big.json
    bench jsoncpp jsoncpp_test jsoncpp_unit
    rm -f "$P"/bench-*.json
}

# =================================================================================================
# 4. zstd: the zstd program (programs/ with lib/ compiled in, multithreaded) by its own Makefile; a
#    code base with hot `static inline` hashing and memory-read helpers in its headers (issue 14)
# =================================================================================================
# the optional codecs off: the same program whichever -dev packages the machine has
ZS_MAKE="MOREFLAGS=-g HAVE_ZLIB=0 HAVE_LZMA=0 HAVE_LZ4=0"
# zstd_job_threads BINARY ARGS...: "JOBS THREADS", the calls of ZSTDMT_compressionJob (one per
# job of multithreaded compression) and how many threads ran them, from gdb on the plain build
zstd_job_threads() {
    gdb -q -batch -nx -ex 'set pagination off' -ex 'python
seen = []
class Job(gdb.Breakpoint):
    def stop(self):
        seen.append(gdb.selected_thread().num)
        return False
Job("ZSTDMT_compressionJob")
' -ex run -ex 'python print("JOBS %d %d" % (len(seen), len(set(seen))))' --args "$@" </dev/null 2>/dev/null |
        sed -n 's/^JOBS //p'
}
project_zstd() {
    local P=$W/zstd S=$W/zstd/src v
    mkdir -p "$P"
    say "=== zstd"
    need_pkgs dpkg-dev
    fetch_src libzstd "$S" || return
    say "zstd: $(ls "$W"/dl/libzstd_*.dsc | tail -1 | xargs basename)"
    # inputs: 64 MiB of generated log-like text (512 blocks of 128 KiB), and slices of it
    [ -f "$P/in64" ] || $PY "$RW/zstd/make_input.py" "$P/in64" 64 || { bad "zstd: make_input.py"; return; }
    head -c 16M "$P/in64" >"$P/in16"; head -c 1M "$P/in64" >"$P/in1"; head -c 64K "$P/in64" >"$P/in64k"

    local VARIANTS="plain default before narrow"
    for v in $VARIANTS; do
        rm -rf "${P:?}/$v" "$P/report-$v.jsonl"; mkdir -p "$P/$v"
        cp -r "$S/lib" "$S/programs" "$P/$v/"
        # shellcheck disable=SC2086
        make_variant zstd $v "" -C "$P/$v/programs" -j"$JOBS" zstd $ZS_MAKE || return
        # the Makefile turns multithreading on only if a test program compiles and links with CC
        # and its flags, else it builds a single-threaded zstd without a word of error
        grep -q '^==> building with threading support' "$P/build-$v.log" &&
            ok "zstd: $v built with multithreading" || bad "zstd: $v built without multithreading ($P/build-$v.log)"
    done

    # the same commands under every variant, in $P/run (file names are in the messages): -T2 -3
    # of the 64 MiB and -d of plain's result (round trip), -T2 -19 of 1 MiB, -3 of 64 KiB (the
    # helpers' counts), a listing, a truncated file (exit status 1)
    local r
    for v in $VARIANTS; do
        rm -rf "$P/out-$v" "$P/run"; mkdir -p "$P/out-$v" "$P/run"
        zs() { (cd "$P/run" && HEATMAP_OUTPUT=$P/out-$v/$1-%p.json run_capture "$P/out-$v/$1.txt" "$P/$v/programs/zstd" "${@:2}"); }
        zs c3 -T2 -3 ../in64 -o c3.zst
        # plain's result: what every variant decompresses, lists and finds truncated
        [ $v = plain ] && cp "$P/run/c3.zst" "$P/c3.zst" && head -c 100000 "$P/c3.zst" >"$P/trunc.zst"
        zs d -d ../c3.zst -o d.out
        zs c19 -T2 -19 ../in1 -o c19.zst
        zs h64k -T2 -3 ../in64k -o h64k.zst
        zs list -l -v ../c3.zst
        zs trunc -d ../trunc.zst -o trunc.out
        cmp -s "$P/run/d.out" "$P/in64" && ok "zstd ($v): -d restores the 64 MiB input" ||
            bad "zstd ($v): -d does not restore the input"
        rm -f "$P/run/d.out" "$P/run/trunc.out"
        mv "$P/run"/*.zst "$P/out-$v/"
    done
    grep -q 'exit status 1' "$P/out-plain/trunc.txt" && ok "zstd: a truncated file: exit status 1" || bad "zstd: truncated file"
    for v in default before narrow; do
        for r in c3 d c19 h64k list trunc; do
            same_output "zstd ($v): $r" "$P/out-plain/$r.txt" "$P/out-$v/$r.txt"
        done
        for r in c3 c19 h64k; do
            cmp -s "$P/out-plain/$r.zst" "$P/out-$v/$r.zst" && ok "zstd ($v): $r.zst byte-identical to plain's" ||
                bad "zstd ($v): $r.zst differs from plain's"
        done
        results_load "zstd ($v)" "$P/out-$v"
    done

    # -T2 really runs two worker threads: gdb on the plain build, and heatmap's per-thread split
    local jt
    jt=$(cd "$P/run" && zstd_job_threads "$P/plain/programs/zstd" -q -f -T2 -3 ../in64 -o g.zst)
    [ "${jt#* }" = 2 ] && ok "zstd: gdb: -T2 -3 of 64 MiB ran ${jt% *} jobs (ZSTDMT_compressionJob) in 2 threads" ||
        bad "zstd: gdb: -T2 jobs and threads: '$jt', expected 2 threads"
    for v in default before narrow; do
        $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
f = [f for f in d["functions"] if f["name"] == "ZSTDMT_compressionJob"]
tids = {t["tid"] for t in (f[0].get("threads") or []) if t["tid"] != 0} if f else set()
print("  %s: ZSTDMT_compressionJob %s calls in threads %s" % (sys.argv[1], f[0]["count"] if f else 0, sorted(tids)))
sys.exit(0 if len(tids) == 2 and f[0]["count"] == int(sys.argv[2]) else 1)' "$P/out-$v"/c3-*[0-9].json "${jt% *}" &&
            ok "zstd ($v): heatmap: ${jt% *} ZSTDMT_compressionJob calls in 2 threads" ||
            bad "zstd ($v): heatmap: ZSTDMT_compressionJob not ${jt% *} calls in 2 threads"
    done

    # exact counts, against gdb's breakpoint hits on the plain build and numbers known from the
    # input: 64 MiB = 512 blocks of 128 KiB, each compressed by ZSTD_compressBlock_internal (and
    # at level 3 by ZSTD_compressBlock_doubleFast) and decompressed by ZSTD_decompressBlock_internal
    # (ZSTD_decodeLiteralsBlock, ZSTD_decodeSeqHeaders: once per block too); ZSTD_decompressContinue:
    # a block header and a block body per block, and the checksum (2 x 512 + 1). The header helpers
    # ZSTD_hashPtr and ZSTD_count (every position hashed, every match measured) on 64 KiB, so that
    # gdb's ~0.5 ms per hit stays in seconds: inlined everywhere in the plain build, so counted
    # only before inlining (the default build must not have them)
    local cf="ZSTDMT_compressionJob ZSTD_compressBlock_internal ZSTD_compressBlock_doubleFast HUF_compress1X_usingCTable_internal_bmi2 FSE_buildCTable_wksp"
    local df="ZSTD_decompressContinue ZSTD_decompressBlock_internal ZSTD_decodeLiteralsBlock ZSTD_decodeSeqHeaders"
    local hf="ZSTD_hashPtr ZSTD_count"
    local known="ZSTD_compressBlock_internal=512 ZSTD_compressBlock_doubleFast=512 ZSTD_decompressBlock_internal=512 ZSTD_decodeLiteralsBlock=512 ZSTD_decodeSeqHeaders=512 ZSTD_decompressContinue=1025"
    local gall="" gline="" o g
    for o in 0 1; do
        g=$(cd "$P/run" && GDB_OUTOFLINE=$o gdb_counts "$P/plain/programs/zstd" "$cf" -q -f -T2 -3 ../in64 -o g.zst
            cd "$P/run" && GDB_OUTOFLINE=$o gdb_counts "$P/plain/programs/zstd" "$df" -q -f -d ../c3.zst -o g.out
            cd "$P/run" && GDB_OUTOFLINE=$o gdb_counts "$P/plain/programs/zstd" "$hf" -q -f -T2 -3 ../in64k -o g.zst)
        g=$(echo "$g" | awk '{printf "%s=%s ", $1, $2}')
        [ $o = 0 ] && gall=$g || gline=$g
    done
    rm -f "$P/run"/g.*
    say "  gdb breakpoint hits on the plain build: $gall"
    say "  gdb breakpoint hits, out-of-line code only: $gline"
    local e gbad=0
    for e in $known; do
        case " $gall " in *" $e "*) ;; *) gbad=1; say "  gdb: not $e" ;; esac
    done
    [ $gbad = 0 ] && ok "zstd: gdb hit counts on the plain build = the numbers known from the input ($known)" || bad "zstd: gdb counts"
    zs_expect() { # zs_expect "NAME=N ..." FUNCS...: --expect NAME=N for the FUNCS
        local x f; for x in $1; do for f in "${@:2}"; do [ "${x%=*}" = "$f" ] && echo "--expect $x"; done; done
    }
    for v in default before narrow; do
        local ref=$gall cargs=() hx
        [ $v = default ] && ref=$gline
        [ $v != default ] && cargs=(--config "$RW/zstd/$v.yaml")
        hx=$(zs_expect "$ref" $hf | paste -sd' ')
        [ $v = narrow ] && hx="--absent ZSTD_hashPtr --absent ZSTD_count"
        say "zstd ($v): selection and counts"
        # shellcheck disable=SC2046
        check_sel "zstd ($v): every plugin decision = the allowlist's; -T2 -3 of 64 MiB: $(zs_expect "$ref" $cf | sed 's/--expect //' | paste -sd' ')" $v "${cargs[@]}" \
            --results "$P/out-$v"/c3-*[0-9].json $(zs_expect "$ref" $cf)
        # shellcheck disable=SC2046
        check_sel "zstd ($v): -d of it: $(zs_expect "$ref" $df | sed 's/--expect //' | paste -sd' ')" $v "${cargs[@]}" \
            --results "$P/out-$v"/d-*[0-9].json $(zs_expect "$ref" $df)
        check_sel "zstd ($v): header helpers, -3 of 64 KiB: ${hx//--expect /}" $v "${cargs[@]}" \
            --results "$P/out-$v"/h64k-*[0-9].json $hx
        check_sel_all "zstd ($v): all results hold only selected, instrumented functions" $v "${cargs[@]}"
    done

    # throttling changes no count: the runtime's defaults against HEATMAP_THROTTLE=off, 16 MiB.
    # Single-threaded (--single-thread --no-asyncio) every count is fixed by the input: all compared.
    # With -T2 the main thread's polling loops depend on the workers' progress, the jobs' work does
    # not: the throttled functions compared. Before inlining something must be throttled.
    "$P/plain/programs/zstd" -q -f -3 "$P/in16" -o "$P/in16.zst"
    local mode args mt
    for v in default before; do
        mt=0; [ $v = before ] && mt=1
        for mode in st dt mt; do
            case $mode in
                st) args=(--single-thread --no-asyncio -3 ../in16 -o t.zst) ;;
                dt) args=(-d --no-asyncio ../in16.zst -o t.out) ;;
                mt) args=(-T2 -3 ../in16 -o t.zst) ;;
            esac
            # the output removed before each run: zstd -f stats an existing one (UTIL_isSameFileStat)
            (cd "$P/run" && rm -f t.* && HEATMAP_OUTPUT=$P/thr-$v-$mode-on.json "$P/$v/programs/zstd" -q -f "${args[@]}" &&
                rm -f t.* && HEATMAP_THROTTLE=off HEATMAP_OUTPUT=$P/thr-$v-$mode-off.json "$P/$v/programs/zstd" -q -f "${args[@]}")
            local only=(); [ $mode = mt ] && only=(--throttled-only)
            check "zstd ($v): counts with throttling = with HEATMAP_THROTTLE=off, zstd ${args[*]}" \
                $PY "$RW/same_counts.py" --min-throttled $mt "${only[@]}" \
                "$P/thr-$v-$mode-on.json" "$P/thr-$v-$mode-off.json"
        done
    done
    rm -f "$P/run"/t.*

    # a broken allowlist (a value 'instrument' does not take)
    broken_config zstd "$RW/zstd/broken.yaml" 4:13 $CC -O2 $HM_CFLAGS -c "$S/lib/common/entropy_common.c"

    # timings: -T2 -3 of 64 MiB, -d of it, -T2 -19 of 1 MiB (the optimal parser: other helpers,
    # ~240 M calls before inlining); the default and the before-inlining builds, each with the
    # runtime's defaults and with one of its parts off
    local BENCH_VARIANTS=${REALWORLD_VARIANTS:-"plain||plain
default||default
default HEATMAP=off|HEATMAP=off|default
default HEATMAP_HEAP=off|HEATMAP_HEAP=off|default
default HEATMAP_THROTTLE=off|HEATMAP_THROTTLE=off|default
before||before
before HEATMAP=off|HEATMAP=off|before
before HEATMAP_HEAP=off|HEATMAP_HEAP=off|before
before HEATMAP_THROTTLE=off|HEATMAP_THROTTLE=off|before
narrow||narrow"}
    zstd_c3() { $PY "$RW/timeit.py" --cwd "$P" "$P/$1/programs/zstd" -T2 -3 -c in64; }
    zstd_d() { $PY "$RW/timeit.py" --cwd "$P" "$P/$1/programs/zstd" -d -c c3.zst; }
    zstd_c19() { $PY "$RW/timeit.py" --cwd "$P" "$P/$1/programs/zstd" -T2 -19 -c in1; }
    bench zstd compress-T2-3 zstd_c3
    bench_calls zstd compress-T2-3 default before
    bench zstd decompress zstd_d
    bench_calls zstd decompress default before
    bench zstd compress-T2-19 zstd_c19
    bench_calls zstd compress-T2-19 default before
}

# =================================================================================================
main() {
    local p
    for p in $PROJECTS; do "project_$p"; done
    say ""
    say "=== Timings (seconds; median [least-most] of each variant's runs; cpu = user + system;"
    say "    ratios of medians to plain; no check depends on them)"
    $PY - "$TIMES" <<'EOF'
import sys, collections, statistics
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    p, label, wall, cpu = (line.rstrip("\n").split("\t") + [""])[:4]
    rows.setdefault((p, label), []).append((float(wall), float(cpu) if cpu else None))
def med(p, l, k):
    v = [r[k] for r in rows.get((p, l), []) if r[k] is not None]
    return statistics.median(v) if v else None
def spread(v):
    return "%.3f [%.3f-%.3f]" % (statistics.median(v), min(v), max(v))
def ratio(x, base):  # a plain time below the timer's resolution has no ratio
    return "%.2f" % (x / base) if base else "n/a"
for (p, label), ts in rows.items():
    if label.startswith("calls "):
        continue
    walls = [t[0] for t in ts]
    cpus = [t[1] for t in ts if t[1] is not None]
    base = None
    if label.startswith("compile ") and not label.endswith(" plain"):
        base = "compile testfixture plain" if "testfixture" in label else "compile plain"
    elif label.startswith("run ") and not label.endswith(" plain"):
        base = "run %s plain" % label.split()[1]
    out = "%-8s %-40s n=%d wall %s" % (p, label, len(ts), spread(walls))
    if cpus:
        out += "  cpu %s" % spread(cpus)
    if base:
        bcpu = med(p, base, 1)
        if cpus and bcpu is not None:
            out += "  ratio cpu %s, wall %s" % (ratio(statistics.median(cpus), bcpu),
                                               ratio(statistics.median(walls), med(p, base, 0)))
            calls = rows.get((p, "calls %s %s" % tuple(label.split()[1:3])))
            if calls and calls[0][0] > 0:
                out += ", %.1f ns cpu per instrumented call" % (
                    (statistics.median(cpus) - bcpu) / calls[0][0] * 1e9)
        else:
            out += "  ratio %s" % ratio(statistics.median(walls), med(p, base, 0))
    print(out)
for (p, label), ts in rows.items():
    if label.startswith("calls "):
        print("%-8s %-40s %d%s" % (p, label.replace("calls ", "instrumented calls: "), ts[0][0],
                                    ", %d functions throttled" % ts[0][1] if ts[0][1] is not None else ""))
EOF
    say ""
    say "realworld: $PASS passed, $FAIL failed (work dir $W)"
    for f in "${FAILS[@]}"; do say "  failed: $f"; done
    [ $FAIL = 0 ]
}
main "$@"; exit $?
