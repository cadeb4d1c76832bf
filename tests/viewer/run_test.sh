#!/bin/sh
# End-to-end test of `heatmap-view --run`: compile run_prog.c with the installed plugin and runtime
# (pkg-config, as a user would), run it through heatmap-view and check what heatmap-view shows and
# the exit status it passes on: success, failure (3), death by SIGTERM (143), Ctrl-C (SIGINT to
# the process group: the program dies by it, 130, or handles it), a forked child merged,
# a program that cannot start (2), one that writes no results (2); and that no temporary is left.
#
# usage: run_test.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
viewer="$prefix/bin/heatmap-view"
rm -rf "$work"
mkdir -p "$work/tmp"
cd "$work"
export TMPDIR="$work/tmp" LC_ALL=C.UTF-8
# shellcheck disable=SC2046
"$clang" -O1 $(pkg-config --cflags heatmap) "$source_dir/tests/viewer/run_prog.c" -o run_prog \
    $(pkg-config --libs heatmap)

failures=0
fail() {
    echo "FAIL: $*" >&2
    failures=$((failures + 1))
}

# run_case NAME EXPECTED_STATUS VIEWER_ARGS...: runs heatmap-view (through $launch when set),
# keeps NAME.out and NAME.err
launch=""
run_case() {
    name=$1 want=$2
    shift 2
    status=0
    # shellcheck disable=SC2086
    $launch "$viewer" "$@" >"$name.out" 2>"$name.err" || status=$?
    [ "$status" = "$want" ] || fail "$name: exit status $status, expected $want ($(cat "$name.err"))"
}

# csv_count NAME FUNCTION: the count column of FUNCTION in NAME.out (CSV)
csv_count() {
    awk -F, -v f="$2" '$1 == f { print $4 }' "$1.out"
}

run_case ok 0 --format=csv --top=all --run ./run_prog ok
[ "$(csv_count ok work)" = 5 ] || fail "ok: work called $(csv_count ok work) times, expected 5"
[ "$(csv_count ok main)" = 1 ] || fail "ok: main called $(csv_count ok main) times, expected 1"

run_case fail 3 --format=csv --top=all --run ./run_prog fail
[ "$(csv_count fail work)" = 5 ] || fail "fail: the heatmap is not shown when the program fails"

# Without a terminal: the text summary, then the seed's warning on stderr.
run_case signal 143 --run ./run_prog signal
grep -q "^Ended: signal:SIGTERM" signal.out || fail "signal: no 'Ended: signal:SIGTERM' line"
grep -q "^work .*calls: 5$" signal.out || fail "signal: no bar row for work with 5 calls"
grep -qx "⚠️ No TTY available for interactive visualization. Summary displayed above." signal.err ||
    fail "signal: no warning on stderr"

# Ctrl-C: the program signals its whole process group as a terminal would (setsid: a group of
# heatmap-view and the program only). heatmap-view must survive it and show the results; the
# program dies by it (130, "Ended: signal:SIGINT") or handles it itself (0, its own output).
launch="setsid -w"
run_case ctrlc 130 --run ./run_prog ctrlc
grep -q "^Ended: signal:SIGINT" ctrlc.out || fail "ctrlc: no 'Ended: signal:SIGINT' line: $(cat ctrlc.out)"
grep -q "^work .*calls: 5$" ctrlc.out || fail "ctrlc: no bar row for work with 5 calls"
run_case ctrlc_handled 0 --format=csv --top=all --run ./run_prog ctrlc_handled
launch=""
grep -q "^handled SIGINT$" ctrlc_handled.out || fail "ctrlc_handled: the program's handler did not run"
[ "$(csv_count ctrlc_handled work)" = 5 ] || fail "ctrlc_handled: work not counted 5 times"

run_case fork 0 --mode=table --top=all --run ./run_prog fork
grep -q "^Merged: 2 files" fork.out || fail "fork: the child's results are not merged"
grep -q "^work  *7 " fork.out || fail "fork: work should count 5 calls + 2 in the child"

# --fail-if applies to the program's results; a held condition wins over a 0 status.
run_case check 1 --format=csv --fail-if "calls(work)>=5" --run ./run_prog ok
grep -q "check failed: --fail-if 'calls(work)>=5': calls(work) = 5 >= 5" check.err ||
    fail "check: $(cat check.err)"

run_case missing 2 --run ./no-such-program
grep -q "cannot run './no-such-program'" missing.err || fail "missing: $(cat missing.err)"

run_case plain 2 --run true
grep -q "true wrote no results" plain.err || fail "plain: $(cat plain.err)"

leftover=$(find "$work/tmp" -mindepth 1 | head -1)
[ -z "$leftover" ] || fail "temporary files left behind: $leftover"

[ "$failures" = 0 ] || exit 1
echo "run_test: all cases passed"
