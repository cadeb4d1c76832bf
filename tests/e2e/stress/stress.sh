#!/bin/sh
# End-to-end stress test (issue 16): threads x fork x signals x longjmp at once (stress.c). Every
# process writes a results file heatmap-view can read, and its counts are exactly the calls the
# process counted itself. Bounded in time: a few seconds. (SIGALRM's handler lands on threads
# that are exiting too: the runtime merges a thread with its signals blocked, docs/runtime.md,
# "Thread exit"; before that, about one handler call in 1,000 was lost.)
#
# usage: stress.sh PREFIX LIBDIR CLANG CHECKER SOURCE_DIR WORK_DIR VIEWER
set -eu
prefix=$1 libdir=$2 clang=$3 checker=$4 source_dir=$5 work=$6 viewer=$7
. "$source_dir/tests/e2e/lib.sh"
e2e_workdir "$prefix" "$libdir" "$work" stress.c heatmap.yaml ../e2e_signals.h
e2e_compile stress stress.c -O2 -g -pthread
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
        [ "$count" = 0 ] || set -- "$@" --expect "$name=$count"
    done <"$counts"
    "$checker" "$results" "$@" --only-expected --pid "$pid" || fail "counts of process $pid"
    n=$((n + 1))
done
[ "$n" = 17 ] || fail "expected 17 processes (1 + 4 threads x 4 forks), saw $n"
echo "ok: stress ($n processes, $(sed -n 's/.*handler calls //p' out.txt) handler calls)"
