#!/usr/bin/env bash
# scripts/realworld.sh [WORKDIR] -- heatmap on real code bases none of us wrote (opt-in; not run by
# scripts/test.sh or CI). See docs/realworld.md for what it does and the results.
#
# For each project (REALWORLD_PROJECTS, default "lua sqlite jsoncpp"): fetch the Debian source
# package with `apt-get source`, build it plain and with heatmap under several allowlists, run its
# tests (or our scripts under scripts/realworld/), and check: identical output and exit status,
# results files that heatmap-view loads, the plugin's per-function decisions against an
# independent reading of the allowlist (scripts/realworld/check_selection.py), exact counts
# against numbers known from the workload and against gdb breakpoint hit counts on the plain
# build, and a broken allowlist failing the compile with FILE:LINE:COL: error:.
# Timings (workload plain / instrumented / HEATMAP=off, compile plain / plugin) are printed at the
# end; no check depends on time.
#
# Environment: HEATMAP_PREFIX (default ./_install_h8, built and installed if missing),
# REALWORLD_PROJECTS, JOBS (default 2), SQLITE_TCL_TESTS=1 to also run SQLite's Tcl `veryquick`.
set -u -o pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
RW=$ROOT/scripts/realworld
W=${1:-$(mktemp -d /tmp/realworld.XXXXXX)}
mkdir -p "$W" && W=$(cd "$W" && pwd)
PREFIX=${HEATMAP_PREFIX:-$ROOT/_install_h8}
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
now() { date +%s.%N; }
record_time() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$TIMES"; } # project label seconds
timed() { # timed PROJECT LABEL COMMAND...: runs it, records its wall time, returns its status
    local p=$1 l=$2 t0 rc; shift 2
    t0=$(now); "$@"; rc=$?
    record_time "$p" "$l" "$(echo "$(now) - $t0" | bc)"
    return $rc
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
    local pkg=$1 dir=$2; shift 2
    [ -d "$dir" ] && return 0
    mkdir -p "$W/dl" && (cd "$W/dl" && apt-get source --download-only -q "$pkg" >"$W/dl/$pkg.log" 2>&1) ||
        { $SUDO apt-get update -q >/dev/null 2>&1; (cd "$W/dl" && apt-get source --download-only -q "$pkg" >"$W/dl/$pkg.log" 2>&1); } ||
        { bad "$pkg: apt-get source (deb-src enabled?)"; return 1; }
    local dsc
    dsc=$(ls "$W/dl/${pkg}_"*.dsc | tail -1)
    dpkg-source "$@" -x "$dsc" "$dir" >"$W/dl/$pkg.unpack.log" 2>&1 || { bad "$pkg: dpkg-source -x"; return 1; }
    say "$pkg: $(basename "$dsc" .dsc) in $dir"
}

# --- heatmap itself ------------------------------------------------------------------------------
need_pkgs bc gdb python3 python3-yaml pkg-config clang-14 llvm-14-dev
if [ ! -f "$PREFIX/lib/pkgconfig/heatmap.pc" ]; then
    say "building heatmap into $PREFIX"
    cmake -S "$ROOT" -B "$ROOT/build-h8" -DCMAKE_BUILD_TYPE=Release -DHEATMAP_BUILD_TESTS=OFF \
        -DHEATMAP_BUILD_SCAN=OFF >"$W/heatmap-build.log" 2>&1 &&
        cmake --build "$ROOT/build-h8" -j"$JOBS" >>"$W/heatmap-build.log" 2>&1 &&
        cmake --install "$ROOT/build-h8" --prefix "$PREFIX" >>"$W/heatmap-build.log" 2>&1 ||
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
say "work dir: $W; heatmap: $PREFIX ($(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null))"

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
gdb_counts() {
    local bin=$1 funcs=$2 f i=0; shift 2
    local args=(-q -batch -nx -ex 'set pagination off' -ex 'set breakpoint pending off')
    for f in $funcs; do i=$((i + 1)); args+=(-ex "break $f" -ex "ignore $i 100000000"); done
    args+=(-ex run -ex 'info breakpoints')
    gdb "${args[@]}" --args "$bin" "$@" </dev/null 2>/dev/null | $PY -c '
import re, sys
funcs = sys.argv[1].split(); cur = None; hits = {}; name = {}
for line in sys.stdin:
    m = re.match(r"^(\d+)\s+breakpoint\s", line)
    if m: cur = m.group(1); hits[cur] = 0
    m = re.match(r"^(\d+)(?:\.\d+)?\s.* in (\S+) at ", line)
    if m: name.setdefault(m.group(1), m.group(2))
    m = re.search(r"breakpoint already hit (\d+) time", line)
    if m and cur: hits[cur] = int(m.group(1))
byname = {name[n]: hits[n] for n in hits if n in name}
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
        local cfg=() mycflags=-g mylibs=
        if [ $v != plain ]; then
            mycflags="-g $HM_CFLAGS"; mylibs=$HM_LIBS
            cfg=(HEATMAP_REPORT=$P/report-$v.jsonl)
            [ $v != default ] && cfg+=(HEATMAP_CONFIG=$RW/lua/$v.yaml)
        fi
        if timed lua "compile $v" env "${cfg[@]}" make -C "$P/$v" -j"$JOBS" linux CC="$CC -std=gnu99" \
            MYCFLAGS="$mycflags" MYLIBS="$mylibs" >"$P/build-$v.log" 2>&1; then
            ok "lua: build $v"
        else
            bad "lua: build $v ($P/build-$v.log)"; return
        fi
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
    local exp_default="${known/lua_status=321/} luaD_callnoyield=$gcall"
    local exp_narrow="$known luaD_callnoyield=$gcall"
    local exp_exclude="$known luaD_callnoyield=$gcall"
    for v in default narrow exclude; do
        local ev=exp_$v args=() cargs=()
        for e in ${!ev}; do args+=(--expect "$e"); done
        [ $v = default ] && args+=(--absent lua_status)
        [ $v != default ] && cargs=(--config "$RW/lua/$v.yaml")
        say "lua ($v): selection and counts"
        check "lua ($v): every plugin decision = the allowlist's; counts.lua: ${!ev} (= gdb)" \
            $PY "$RW/check_selection.py" --report "$P/report-$v.jsonl" "${cargs[@]}" \
            --results "$P/out-$v"/counts-*[0-9].json "${args[@]}"
        # every results file of every script: only selected, instrumented functions
        check "lua ($v): all scripts' results hold only selected, instrumented functions" \
            $PY "$RW/check_selection.py" --report "$P/report-$v.jsonl" "${cargs[@]}" \
            --results $(ls "$P/out-$v"/*.json | grep -v view.json)
    done
    # gc.lua calls collectgarbage() 12 times, 6 of them full collections (luaC_fullgc, in lgc.c,
    # which exclude.yaml excludes by file but names exactly). The narrow list leaves the VM, the
    # GC and the table code out.
    check "lua (narrow): gc.lua: luaB_collectgarbage=12, no luaV_execute, luaC_step, luaH_get" \
        $PY "$RW/check_selection.py" --report "$P/report-narrow.jsonl" --config "$RW/lua/narrow.yaml" \
        --results "$P/out-narrow"/gc-*[0-9].json --expect luaB_collectgarbage=12 \
        --absent luaV_execute --absent luaC_step --absent luaH_get
    check "lua (exclude): gc.lua: luaC_fullgc=6 (exact include beats files.exclude), no luaV_execute, luaS_newlstr" \
        $PY "$RW/check_selection.py" --report "$P/report-exclude.jsonl" --config "$RW/lua/exclude.yaml" \
        --results "$P/out-exclude"/gc-*[0-9].json --expect luaC_fullgc=6 --expect luaB_collectgarbage=12 \
        --absent luaV_execute --absent luaS_newlstr
    check "lua (default): gc.lua: luaC_fullgc=6, luaB_collectgarbage=12" \
        $PY "$RW/check_selection.py" --report "$P/report-default.jsonl" \
        --results "$P/out-default"/gc-*[0-9].json --expect luaC_fullgc=6 --expect luaB_collectgarbage=12

    # a broken allowlist (a misspelt key): the compile fails like a source error
    broken_config lua "$RW/lua/broken.yaml" 5:3 $CC -std=gnu99 -O2 $HM_CFLAGS -DLUA_USE_LINUX -c "$S/src/lapi.c"

    # timings: a CPU-bound script, plain / instrumented (default and narrow) / HEATMAP=off
    local i
    for i in 1 2; do
        (cd "$RW/lua" && timed lua "run bench.lua plain" "$P/plain/lua" bench.lua >/dev/null)
        (cd "$RW/lua" && HEATMAP_OUTPUT=$W/lua/bench-%p.json timed lua "run bench.lua default" "$P/default/lua" bench.lua >/dev/null)
        (cd "$RW/lua" && HEATMAP=off timed lua "run bench.lua default HEATMAP=off" "$P/default/lua" bench.lua >/dev/null)
        (cd "$RW/lua" && HEATMAP_OUTPUT=$W/lua/bench-%p.json timed lua "run bench.lua narrow" "$P/narrow/lua" bench.lua >/dev/null)
    done
    local calls
    calls=$("$VIEW" --format=json "$(ls -t "$W"/lua/bench-*.json | sed -n 2p)" | $PY -c 'import json,sys; print(json.load(sys.stdin)["summary"]["total_calls"])')
    say "  bench.lua, default build: $calls instrumented calls"
    record_time lua "calls bench.lua default" "$calls"
}

# =================================================================================================
main() {
    local p
    for p in $PROJECTS; do "project_$p"; done
    say ""
    say "=== Timings (wall seconds; medians not taken: every run listed; no check depends on them)"
    $PY - "$TIMES" <<'EOF'
import sys, collections
rows = collections.OrderedDict()
for line in open(sys.argv[1]):
    p, label, t = line.rstrip("\n").split("\t")
    rows.setdefault((p, label), []).append(float(t))
def best(p, l):
    v = rows.get((p, l)); return min(v) if v else None
for (p, label), ts in rows.items():
    if label.startswith("calls "):
        continue
    base = None
    if label.startswith("compile ") and label != "compile plain":
        base = best(p, "compile plain")
    elif label.startswith("run "):
        w = label.split()[1]
        if not label.endswith(" plain"):
            base = best(p, "run %s plain" % w)
    ratio = " ratio %.2f" % (min(ts) / base) if base else ""
    print("%-8s %-45s %s%s" % (p, label, " ".join("%.2f" % t for t in ts), ratio))
EOF
    say ""
    say "realworld: $PASS passed, $FAIL failed (work dir $W)"
    for f in "${FAILS[@]}"; do say "  failed: $f"; done
    [ $FAIL = 0 ]
}
main
