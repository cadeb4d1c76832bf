#!/bin/sh
# Runs the three builds of a test program found in the current directory and checks them:
#   ./plain   built without heatmap
#   ./app     built with the plugin and the real runtime
#   ./strict  built with the plugin and linked against strict_rt.c
# - all three exit with STATUS and print the same stdout;
# - app's heatmap.json (recorded with HEATMAP_COMPENSATE=off) has exactly ENTERS calls for each
#   NAME of EXPECTED, no other function, self times that add up, and "end": "exit";
# - strict_rt saw exactly the ENTERS, EXITS and UNWOUND of EXPECTED;
# - ./strict with its recording flag off (STRICT_RT_OFF) exits and prints the same, and strict_rt
#   got no enter or exit call at all: the plugin's inline guard skipped every one.
# EXPECTED holds `NAME ENTERS EXITS UNWOUND` lines, `absent NAME` lines and `#` comments (see
# examples/cxx_shapes/expected.txt). EXPECTED `--balance` is for builds whose exact counts are not
# known (after inlining): then every frame strict_rt saw must have been closed by its own exit
# call, except frames of the functions named in $BALANCE_UNWOUND (left by longjmp) and in
# $BALANCE_OPEN (still open at exit()), and heatmap.json must count what strict_rt counted.
# usage: run_checked.sh EXPECTED CHECKER STATUS [PROGRAM ARGS...]      exits 1 on any difference
set -eu
expected=$1 checker=$2 want_status=$3
shift 3
fail=0
for v in plain app strict; do
    status=0
    HEATMAP_OUTPUT="$PWD/exact.json" HEATMAP_COMPENSATE=off STRICT_RT_OUT="$PWD/strict.txt" \
        "./$v" "$@" >"$v.out" 2>"$v.err" || status=$?
    if [ "$status" != "$want_status" ]; then
        echo "FAIL: ./$v exited with $status, expected $want_status" >&2
        cat "$v.err" >&2
        fail=1
    fi
    if ! cmp -s plain.out "$v.out"; then
        echo "FAIL: the output of ./$v differs from the program's without heatmap" >&2
        diff plain.out "$v.out" >&2 || true
        fail=1
    fi
done

status=0
STRICT_RT_OFF=1 STRICT_RT_OUT="$PWD/strict_off.txt" ./strict "$@" >strict_off.out 2>strict_off.err ||
    status=$?
if [ "$status" != "$want_status" ] || ! cmp -s plain.out strict_off.out; then
    echo "FAIL: with recording off, ./strict exited with $status or printed something else" >&2
    diff plain.out strict_off.out >&2 || true
    fail=1
fi
if [ -s strict_off.txt ]; then
    echo "FAIL: with recording off, strict_rt still got enter/exit calls:" >&2
    cat strict_off.txt >&2
    fail=1
fi

if [ "$expected" = --balance ]; then
    if ! awk -v unwound_ok=" ${BALANCE_UNWOUND:-} " -v open_ok=" ${BALANCE_OPEN:-} " '
        $1 == "ERROR" { print "FAIL: strict_rt: " $0; bad = 1; next }
        {
            open = $2 - $3 - $4
            if ($4 > 0 && index(unwound_ok, " " $1 " ") == 0) { print "FAIL: " $1 ": " $4 " frames left without exit"; bad = 1 }
            if (open != 0 && index(open_ok, " " $1 " ") == 0) { print "FAIL: " $1 ": " open " frames open at exit"; bad = 1 }
        }
        END { exit bad }' strict.txt >&2; then
        fail=1
    fi
    awk '$1 != "ERROR" { print $1, $2, $3, $4 }' strict.txt >balance.expected
    expected=$PWD/balance.expected
fi

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

grep -v -e '^#' -e '^absent ' -e '^$' "$expected" | LC_ALL=C sort >strict.expected
if ! LC_ALL=C sort strict.txt | cmp -s strict.expected -; then
    echo "FAIL: enter/exit calls differ from $expected (NAME ENTERS EXITS UNWOUND; < expected, > seen)" >&2
    LC_ALL=C sort strict.txt | diff strict.expected - >&2 || true
    fail=1
fi
exit "$fail"
