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
# Every check below fails the test on its own (no && chains, which `sh -e` does not stop on).
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
[ ! -e "$work/x.json" ] || fail "a failed --export=chrome left $work/x.json"
[ ! -e "$work/x.pb.gz" ] || fail "a failed --export=pprof left $work/x.pb.gz"
# --type: only with --export=pprof, a known type, and the data it needs
expect_error "--type selects the profile of --export=pprof; --export=pprof is missing" \
    --type=cpu callgraph.json
expect_error "--type selects the profile of --export=pprof" --export=svg --type=cpu callgraph.json
expect_error "--type: unknown profile type 'goroutine' (expected calls, cpu, block, mutex, heap or allocs)" \
    --export=pprof --type=goroutine callgraph.json
expect_error "callgraph.json: no memory figures (no \"heap\" section): run the program with memory tracking on (the default; HEATMAP_HEAP=off turns it off)" \
    --export=pprof --type=heap -o "$work/x.pb.gz" callgraph.json
[ ! -e "$work/x.pb.gz" ] || fail "a failed --export=pprof --type=heap left $work/x.pb.gz"
expect_error "callgraph.json: no \"cpu_profile\" in this file: the CPU sampler did not run" \
    --export=pprof --type=cpu -o "$work/x.pb.gz" callgraph.json
[ ! -e "$work/x.pb.gz" ] || fail "a failed --export=pprof --type=cpu left $work/x.pb.gz"
# --type=calls is what --export=pprof makes without --type
"$viewer" --export=pprof -o "$work/default.pb.gz" callgraph.json 2>/dev/null || fail "--export=pprof exited $?"
"$viewer" --export=pprof --type=calls -o "$work/calls.pb.gz" callgraph.json 2>/dev/null ||
    fail "--export=pprof --type=calls exited $?"
cmp "$work/default.pb.gz" "$work/calls.pb.gz" || fail "--type=calls differs from the default pprof export"

# -o - writes to standard output; without -o the default name in the working directory.
"$viewer" --export=folded -o - callgraph.json >"$work/stdout.folded" ||
    fail "--export=folded -o - exited $?"
grep -q "^run;msort;merge [0-9]*$" "$work/stdout.folded" ||
    fail "no run;msort;merge line in: $(head -5 "$work/stdout.folded")"
status=0
(cd "$work" && "$viewer" --export=svg "$fixtures/callgraph.json" 2>err) || status=$?
[ "$status" = 0 ] || fail "--export=svg without -o exited $status: $(cat "$work/err")"
[ -s "$work/heatmap.svg" ] || fail "--export=svg without -o did not write heatmap.svg"
grep -q "wrote heatmap.svg" "$work/err" || fail "no 'wrote heatmap.svg' line: $(cat "$work/err")"
# the help lists the flags
"$viewer" --help >"$work/help" || fail "--help exited $?"
grep -q -- "--export=KIND" "$work/help" || fail "--help does not list --export=KIND"
grep -q -- "--type=T" "$work/help" || fail "--help does not list --type=T"
echo "ok: export command line"
