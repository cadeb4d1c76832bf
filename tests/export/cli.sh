#!/bin/sh
# heatmap-view --export on the command line: outputs, default names, and the usage errors (exit
# status 2 and one line that says what to do).
# usage: cli.sh VIEWER WORKDIR        (run from tests/export/fixtures)
set -eu
viewer=$1 work=$2
rm -rf "$work"
mkdir -p "$work"
fixtures=$PWD

expect_error() { # expect_error "message fragment" ARGS...
    want=$1
    shift
    status=0
    "$viewer" "$@" >"$work/out" 2>"$work/err" || status=$?
    if [ "$status" != 2 ] || ! grep -qF -- "$want" "$work/err"; then
        echo "FAIL: heatmap-view $* exited $status with: $(cat "$work/err"); expected 2 and '$want'" >&2
        exit 1
    fi
}

expect_error "--export: unknown kind 'perfetto' (expected pprof, folded, chrome or svg)" \
    --export=perfetto callgraph.json
expect_error "-o/--output names the file of --export=KIND" -o x.svg callgraph.json
expect_error "--export and --diff cannot be combined" --export=svg --diff callgraph.json callgraph.json
expect_error "folded.json: no trace file beside it (folded.trace.json); run the program with HEATMAP_TRACE=1" \
    --export=chrome -o "$work/x.json" folded.json
expect_error "nopaths.json: no call paths in this file" --export=pprof -o "$work/x.pb.gz" nopaths.json
test ! -e "$work/x.json" && test ! -e "$work/x.pb.gz"
# --type: only with --export=pprof, a known type, and the data it needs
expect_error "--type selects the profile of --export=pprof; --export=pprof is missing" \
    --type=cpu callgraph.json
expect_error "--type selects the profile of --export=pprof" --export=svg --type=cpu callgraph.json
expect_error "--type: unknown profile type 'heap' (expected calls, cpu, block or mutex)" \
    --export=pprof --type=heap callgraph.json
expect_error "callgraph.json: no \"cpu_profile\" in this file: the CPU sampler did not run" \
    --export=pprof --type=cpu -o "$work/x.pb.gz" callgraph.json
test ! -e "$work/x.pb.gz"
# --type=calls is what --export=pprof makes without --type
"$viewer" --export=pprof -o "$work/default.pb.gz" callgraph.json 2>/dev/null
"$viewer" --export=pprof --type=calls -o "$work/calls.pb.gz" callgraph.json 2>/dev/null
cmp "$work/default.pb.gz" "$work/calls.pb.gz"

# -o - writes to standard output; without -o the default name in the working directory.
"$viewer" --export=folded -o - callgraph.json >"$work/stdout.folded"
grep -q "^run;msort;merge [0-9]*$" "$work/stdout.folded"
(cd "$work" && "$viewer" --export=svg "$fixtures/callgraph.json" 2>err) 
test -s "$work/heatmap.svg"
grep -q "wrote heatmap.svg" "$work/err"
# the help lists the flags
"$viewer" --help | grep -q -- "--export=KIND"
"$viewer" --help | grep -q -- "--type=T"
echo "ok: export command line"
