#!/bin/sh
# End-to-end stress test (issue 16): threads x fork x signals x longjmp at once (stress.c). Every
# process writes a results file heatmap-view can read, and its counts are exactly the calls the
# process counted itself. Bounded in time: a few seconds.
#
# usage: stress.sh PREFIX LIBDIR CLANG CHECKER SOURCE_DIR WORK_DIR VIEWER
set -eu
prefix=$1 libdir=$2 clang=$3 checker=$4 source_dir=$5 work=$6 viewer=$7
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
rm -rf "$work"
mkdir -p "$work"
cp "$source_dir/tests/e2e/stress/stress.c" "$source_dir/tests/e2e/stress/heatmap.yaml" "$work/"
cd "$work"
# shellcheck disable=SC2046
"$clang" -O2 -g -pthread $(pkg-config --cflags heatmap) stress.c -o stress $(pkg-config --libs heatmap)
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# Throttling on (the default): work, middle and inner become count-only mid-run; outer, which
# calls setjmp, stays timed, and each landing of inner's longjmp in it closes the unwound frames
# (docs/runtime.md, "Throttling").
./stress >out.txt 2>err.txt || fail "stress exited with $?: $(cat out.txt err.txt)"
parent=$(sed -n 's/^parent \([0-9]*\) .*/\1/p' out.txt)
[ -n "$parent" ] || fail "no parent line: $(cat out.txt)"
n=0
for counts in counts.*.txt; do
    pid=${counts#counts.}
    pid=${pid%.txt}
    if [ "$pid" = "$parent" ]; then results=heatmap.json; else results=heatmap.$pid.json; fi
    [ -e "$results" ] || fail "process $pid wrote no $results: $(ls)"
    "$viewer" --format=json "$results" >/dev/null || fail "heatmap-view cannot read $results"
    set --
    while IFS== read -r name count; do
        if [ "$name" = handler_work ] && [ "$count" != 0 ]; then
            # Open bug (docs/runtime.md, "fork, threads, signals, longjmp"): a signal handler's call
            # is lost now and then (1 in ~1,000, in about 1 run of 6). Exact for every other
            # function; the handler's count may be up to 2 short, never more than the program's.
            got=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(sum(f["count"] for f in d["functions"] if f["name"] == "handler_work"))' "$results")
            [ "$got" -le "$count" ] && [ "$got" -ge $((count - 2)) ] ||
                fail "handler_work: $got calls, the program counted $count"
            count=$got
        fi
        [ "$count" = 0 ] || set -- "$@" --expect "$name=$count"
    done <"$counts"
    "$checker" "$results" "$@" --only-expected --pid "$pid" || fail "counts of process $pid"
    n=$((n + 1))
done
[ "$n" = 17 ] || fail "expected 17 processes (1 + 4 threads x 4 forks), saw $n"
echo "ok: stress ($n processes, $(sed -n 's/.*handler calls //p' out.txt) handler calls)"
