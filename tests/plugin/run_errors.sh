#!/bin/sh
# A broken heatmap.yaml is a compile error: for each case below, clang with the plugin must exit
# non-zero, print exactly one `PATH:LINE:COL: error: MESSAGE` line (the path as the config was
# named or found) and no crash report, and write no object file. A config that selects nothing
# is not an error. Covers the three ways a config is found: the nearest heatmap.yaml above the
# source, $HEATMAP_CONFIG, and -mllvm -heatmap-config (which needs the plugin loaded with
# -fplugin= as well, see docs/plugin.md); then checks their order.
#
# usage: run_errors.sh CLANG CLANGXX PLUGIN WORK_DIR
set -u
clang=$1 clangxx=$2 plugin=$3 work=$4
rm -rf "$work"
mkdir -p "$work/src"
cd "$work" || exit 1
unset HEATMAP_CONFIG HEATMAP_REPORT
printf 'int work(int n) { int s = 0; for (int i = 0; i < n; i++) s += i; return s; }\n' >src/a.c
cp src/a.c src/b.cpp
failures=0

# expect_error HOW YAML EXPECTED_LINE [COMPILER]: HOW is upward, env or flag.
expect_error() {
    how=$1 yaml=$2 want=$3 cc=${4:-$clang}
    src=src/a.c
    [ "$cc" = "$clangxx" ] && src=src/b.cpp
    rm -f heatmap.yaml src/heatmap.yaml cfg.yaml out.o
    case "$how" in
    upward) printf '%b' "$yaml" >heatmap.yaml && path="$PWD/heatmap.yaml" && set -- ;;
    env) printf '%b' "$yaml" >cfg.yaml && path="$PWD/cfg.yaml" && set -- ;;
    flag) printf '%b' "$yaml" >cfg.yaml && path="$PWD/cfg.yaml" &&
        set -- -fplugin="$plugin" -mllvm -heatmap-config="$path" ;;
    missing) path="$PWD/none/heatmap.yaml" && set -- ;;
    directory) path="$PWD/src" && set -- ;;
    esac
    want=$(printf '%s' "$want" | sed "s|^heatmap.yaml|$path|")
    status=0
    if [ "$how" = env ] || [ "$how" = missing ] || [ "$how" = directory ]; then
        HEATMAP_CONFIG="$path" "$cc" -O2 -fpass-plugin="$plugin" "$@" -c "$src" -o out.o \
            >out.txt 2>err.txt || status=$?
    else
        "$cc" -O2 -fpass-plugin="$plugin" "$@" -c "$src" -o out.o >out.txt 2>err.txt || status=$?
    fi
    problem=""
    if [ "$status" = 0 ]; then
        problem="compilation succeeded"
    elif [ -e out.o ]; then
        problem="an object file was written"
    elif grep -q -e 'Stack dump' -e 'PLEASE submit' -e 'crash' err.txt; then
        problem="clang crashed"
    elif [ "$(grep -c -F -x -e "$want" err.txt)" != 1 ]; then
        problem="expected exactly one line: $want"
    elif [ "$(grep -c ': error: ' err.txt)" != 1 ]; then
        problem="expected one positioned error line"
    fi
    if [ -n "$problem" ]; then
        echo "FAIL ($how, $(printf '%b' "$yaml" | head -1)): $problem; status $status; stderr:" >&2
        cat err.txt >&2
        failures=$((failures + 1))
    else
        echo "ok: $want"
    fi
}

expect_error upward 'functions:\n  include: [a, b\n' \
    "heatmap.yaml:3:1: error: did not find expected ',' or ']' (while parsing a flow sequence at line 2)"
expect_error upward 'functons:\n  include: [a]\n' \
    "heatmap.yaml:1:1: error: unknown key 'functons'; did you mean 'functions'?"
expect_error upward 'functions:\n  inclde: [a]\n' \
    "heatmap.yaml:2:3: error: unknown key 'inclde' in 'functions'; did you mean 'include'?"
expect_error env 'include: [a]\n' \
    "heatmap.yaml:1:1: error: unknown key 'include' at the top level; it belongs under 'functions' or 'files'"
expect_error env 'functions:\n  include: {a: 1}\n' \
    "heatmap.yaml:2:12: error: 'functions.include' must be a list of strings, got a mapping"
expect_error flag 'functions:\n  include: ["parse_[a"]\n' \
    "heatmap.yaml:2:13: error: invalid pattern 'parse_[a' in 'functions.include': unterminated '['"
expect_error flag 'trivial:\n  max_instructions: -1\n' \
    "heatmap.yaml:2:21: error: 'trivial.max_instructions' must be a non-negative integer, got '-1'"
expect_error upward 'instrument: inline\n' \
    "heatmap.yaml:1:13: error: 'instrument' must be 'before-inlining' or 'after-inlining', got 'inline'" \
    "$clangxx"
expect_error upward 'version: 2\n' \
    "heatmap.yaml:1:10: error: unsupported version '2'; this heatmap reads version 1" "$clangxx"
expect_error missing '' "heatmap.yaml: error: cannot read: No such file or directory"
expect_error directory '' "heatmap.yaml: error: cannot read: Is a directory"

# A config that selects nothing compiles.
rm -f heatmap.yaml out.o
printf 'functions:\n  include: [nothing_matches]\n' >heatmap.yaml
if ! "$clang" -O2 -fpass-plugin="$plugin" -c src/a.c -o out.o 2>err.txt || [ ! -s out.o ]; then
    echo "FAIL: a config that selects nothing must compile" >&2
    cat err.txt >&2
    failures=$((failures + 1))
else
    echo "ok: a config that selects nothing compiles"
fi

# Where the config comes from, first hit wins: -heatmap-config, $HEATMAP_CONFIG, the nearest
# heatmap.yaml above the source. Configs later in the order are not read at all (the broken
# ones here would fail the compilation). The report names the config that decided.
expect_config() { # WANT_FILE [ENV_CONFIG] [CLANG ARGS...]
    want=$1 env=$2
    shift 2
    rm -f out.o report.jsonl
    status=0
    HEATMAP_CONFIG="$env" HEATMAP_REPORT="$PWD/report.jsonl" "$clang" -O2 \
        -fpass-plugin="$plugin" "$@" -c src/a.c -o out.o 2>err.txt || status=$?
    if [ "$status" != 0 ] || ! grep -q "not matched by functions.include ($want:2)" report.jsonl; then
        echo "FAIL: expected the config $want to decide; status $status" >&2
        cat err.txt report.jsonl >&2
        failures=$((failures + 1))
    else
        echo "ok: $want decides"
    fi
}
rm -f heatmap.yaml
printf 'functons: 1\n' >heatmap.yaml # broken, and farther from src/a.c than src/heatmap.yaml
printf 'functions:\n  include: [from_nearest]\n' >src/heatmap.yaml
printf 'functions:\n  include: [from_env]\n' >env.yaml
printf 'functions:\n  include: [from_flag]\n' >flag.yaml
printf 'functons: 1\n' >broken.yaml
expect_config "$PWD/src/heatmap.yaml" ""
expect_config "$PWD/env.yaml" "$PWD/env.yaml"
expect_config "$PWD/flag.yaml" "$PWD/broken.yaml" -fplugin="$plugin" -mllvm \
    -heatmap-config="$PWD/flag.yaml"
rm -f src/heatmap.yaml heatmap.yaml

[ "$failures" = 0 ] || exit 1
