#!/bin/sh
# End-to-end test of the CPU sampler: one mode of sampler.c, compiled with the installed plugin
# (frame pointers on), run with HEATMAP_PROFILE_TYPE=cpu HEATMAP_CPU_HZ=1000, and its results'
# cpu_profile checked by check_cpu.py; `settings` checks the profile settings and the call into
# the export library (a stand-in, fake_export.c).
#
# usage: sampler.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR MODE
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5 mode=$6
. "$source_dir/tests/e2e/lib.sh"
e2e_workdir "$prefix" "$libdir" "$work" sampler.c heatmap.yaml fake_export.c
e2e_compile app sampler.c -O2 -g -fno-omit-frame-pointer -pthread

export HEATMAP_PROFILE_TYPE=cpu HEATMAP_CPU_HZ=1000 HEATMAP_EXPORT_LIB="$PWD/no-export.so"
run() { # mode: results in MODE.json, stdout in MODE.out, stderr in MODE.err; exit status 0
    status=0
    HEATMAP_OUTPUT="$PWD/$1.json" ./app "$1" >"$1.out" 2>"$1.err" || status=$?
    [ "$status" = 0 ] || fail "app $1 exited with $status: $(cat "$1.err")"
}
check() { python3 "$here/check_cpu.py" "$@"; }

case "$mode" in
cpu | sleep | threads)
    run "$mode"
    check "$mode" "$mode.json" "$mode.out" ./app
    ;;
sigprof)
    "$clang" -O2 -g -pthread sampler.c -o plain
    for i in 1 2 3; do ./plain sigprof >>plain.out; done
    run sigprof
    check sigprof sigprof.json sigprof.out ./app plain.out
    ;;
eintr)
    run eintr
    # poll, nanosleep and select return EINTR after any handler, SA_RESTART or not: only the
    # runtime's interposed waits (which retry on our signals) keep them from failing.
    lib="$prefix/$libdir/libheatmap-rt.so"
    wrappers=""
    if nm -D --defined-only "$lib" | grep -qw nanosleep; then wrappers=--wrappers; fi
    check eintr eintr.json eintr.out ./app $wrappers
    ;;
fork)
    run fork
    child=$(sed -n 's/^child=\([0-9]*\) .*/\1/p' fork.out)
    [ -n "$child" ] && [ -e "fork.$child.json" ] || fail "no child results: $(ls)"
    grep "^child=" fork.out >child.out
    check fork-child "fork.$child.json" child.out ./app
    grep "^cpu_ns=" fork.out >parent.out
    check fork-parent fork.json parent.out ./app
    ;;
settings)
    # Unknown types: one line naming the value and the accepted ones; the run goes on.
    HEATMAP_PROFILE_TYPE=cpu,bogus HEATMAP_OUTPUT="$PWD/s1.json" ./app sleep >s1.out 2>s1.err ||
        fail "exit status changed: $(cat s1.err)"
    grep -q "bogus.*cpu, block, mutex" s1.err || fail "unknown type not reported: $(cat s1.err)"
    python3 -c "import json,sys; json.load(open('s1.json'))['cpu_profile']" ||
        fail "cpu sampling off after an unknown type"
    # Several types need %k in the file pattern; the default is used otherwise.
    HEATMAP_PROFILE_TYPE=cpu,block HEATMAP_PROFILE_FILE=one.pb.gz HEATMAP_EXPORT_LIB="$PWD/fake.so" \
        FAKE_EXPORT_LOG="$PWD/s2.log" HEATMAP_OUTPUT="$PWD/s2.json" ./app sleep >/dev/null 2>s2.err ||
        fail "exit status changed"
    grep -q "HEATMAP_PROFILE_FILE=one.pb.gz" s2.err || fail "no %k warning: $(cat s2.err)"
    [ ! -e s2.log ] || fail "the export library was found although it does not exist"
    grep -q "fake.so" s2.err || fail "the missing library is not named: $(cat s2.err)"
    # The export library is called with the results file, the types and the pattern.
    "$clang" -shared -fPIC fake_export.c -o fake.so
    HEATMAP_PROFILE_TYPE="block, cpu,cpu" HEATMAP_EXPORT_LIB="$PWD/fake.so" \
        FAKE_EXPORT_LOG="$PWD/s3.log" HEATMAP_OUTPUT="$PWD/s3.json" ./app sleep >/dev/null 2>s3.err ||
        fail "exit status changed"
    [ ! -s s3.err ] || fail "unexpected messages: $(cat s3.err)"
    printf 'results=%s\ntypes=block,cpu\npattern=heatmap.%%k.pb.gz\n' "$PWD/s3.json" >s3.want
    cmp -s s3.log s3.want || fail "export called with: $(cat s3.log)"
    # A failing exporter: its message on stderr, the exit status unchanged.
    HEATMAP_EXPORT_LIB="$PWD/fake.so" FAKE_EXPORT_FAIL=1 FAKE_EXPORT_LOG="$PWD/s4.log" \
        HEATMAP_OUTPUT="$PWD/s4.json" ./app sleep >/dev/null 2>s4.err || fail "exit status changed"
    grep -q "fake exporter: cannot write heatmap.%k.pb.gz" s4.err || fail "no message: $(cat s4.err)"
    [ "$(wc -l <s4.err)" = 1 ] || fail "more than one line: $(cat s4.err)"
    # A bad rate: a warning and the default (100 Hz).
    HEATMAP_CPU_HZ=0 HEATMAP_OUTPUT="$PWD/s5.json" ./app sleep >/dev/null 2>s5.err || true
    grep -q "HEATMAP_CPU_HZ=0" s5.err || fail "bad HEATMAP_CPU_HZ not reported: $(cat s5.err)"
    python3 -c "import json; assert json.load(open('s5.json'))['cpu_profile']['hz'] == 100" ||
        fail "HEATMAP_CPU_HZ default not used"
    # Ended by a signal: results with samples, and one line on how to make the profiles.
    status=0
    HEATMAP_OUTPUT="$PWD/s6.json" HEATMAP_EXPORT_LIB="$PWD/fake.so" FAKE_EXPORT_LOG="$PWD/s6.log" \
        ./app sigterm >/dev/null 2>s6.err || status=$?
    [ "$status" = 143 ] || fail "sigterm run exited with $status"
    [ ! -e s6.log ] || fail "the exporter was called from a signal handler"
    grep -q "heatmap-view --export=pprof --type=cpu" s6.err || fail "no hint: $(cat s6.err)"
    python3 -c "import json; assert sum(s['count'] for s in json.load(open('s6.json'))['cpu_profile']['samples']) > 100" ||
        fail "no samples in a signal-ended run"
    # Not asked for: no section, no exporter.
    HEATMAP_PROFILE_TYPE= HEATMAP_OUTPUT="$PWD/s7.json" ./app sleep >/dev/null 2>s7.err
    python3 -c "import json,sys; sys.exit('cpu_profile' in json.load(open('s7.json')))" ||
        fail "cpu_profile written without HEATMAP_PROFILE_TYPE=cpu"
    [ ! -s s7.err ] || fail "unexpected messages: $(cat s7.err)"
    echo "ok: sampler settings"
    ;;
*)
    echo "sampler.sh: unknown mode '$mode'" >&2
    exit 2
    ;;
esac
