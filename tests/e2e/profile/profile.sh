#!/bin/sh
# End-to-end CPU profile, the whole chain: lines.c compiled with the installed plugin, run with
# HEATMAP_PROFILE_TYPE=cpu,block, so that at exit the runtime writes the results and then, through
# the installed libheatmap-export, prof.cpu.pb.gz and prof.block.pb.gz; go tool pprof reads them.
# Checked: sample types; -top names the instrumented work() and the uninstrumented spin_leaf();
# -lines puts work()'s two loops on their source lines in their 3:1 ratio (a wide band: sampling
# on a loaded machine must never fail the test by chance; 4.6:1 was seen under load); -traces shows run above work.
#
# usage: profile.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5
. "$source_dir/tests/e2e/lib.sh"
command -v go >/dev/null || {
    echo "skip: go is not installed (Debian: golang-go)"
    exit 77
}
e2e_workdir "$prefix" "$libdir" "$work" lines.c heatmap.yaml
e2e_compile app lines.c -O1 -g
HEATMAP_PROFILE_TYPE=cpu,block HEATMAP_CPU_HZ=1000 HEATMAP_PROFILE_FILE="$PWD/prof.%k.pb.gz" \
    HEATMAP_OUTPUT="$PWD/heatmap.json" ./app 1.5 >app.out 2>app.err ||
    fail "app exited $?: $(cat app.err)"
[ ! -s app.err ] || fail "the run printed: $(cat app.err)"
for k in cpu block; do
    [ -s "prof.$k.pb.gz" ] || fail "no prof.$k.pb.gz: $(ls)"
done
export GOCACHE="$PWD/gocache" HOME="$PWD/home" PPROF_TMPDIR="$PWD"
pprof() { go tool pprof "$@" 2>pprof.err || fail "go tool pprof $*: $(cat pprof.err)"; }

pprof -raw prof.cpu.pb.gz >raw.txt
grep -q "samples/count cpu/nanoseconds" raw.txt || fail "sample types: $(head -3 raw.txt)"
pprof -top -nodefraction=0 prof.cpu.pb.gz >top.txt
grep -q " work$" top.txt || fail "-top lacks work: $(cat top.txt)"
grep -q " spin_leaf$" top.txt || fail "-top lacks the uninstrumented spin_leaf: $(cat top.txt)"
pprof -traces prof.cpu.pb.gz >traces.txt
grep -A1 " work$" traces.txt | grep -q " run$" || fail "-traces: no run above work"

# -lines: the flat samples of each of work()'s loop lines (found by their markers).
three=$(grep -n '@L:three' lines.c | cut -d: -f1)
one=$(grep -n '@L:one' lines.c | cut -d: -f1)
pprof -lines -top -nodefraction=0 -sample_index=samples prof.cpu.pb.gz >lines.txt
flat() { awk -v n="$1" '$0 ~ (" work .*lines\\.c:" n "$") { s += $1 } END { print s + 0 }' lines.txt; }
a=$(flat "$three")
b=$(flat "$one")
echo "work: line $three (3n iterations) $a samples, line $one (n iterations) $b samples"
[ "$a" -ge 200 ] || fail "too few samples on line $three: $(cat lines.txt)"
awk -v a="$a" -v b="$b" 'BEGIN { r = a / (b ? b : 1); exit !(r >= 1.5 && r <= 6) }' ||
    fail "lines $three:$one = $a:$b, expected about 3:1 (1.5 to 6: tick-driven CPU timers skew it under load)"

# The block profile loads and has Go's sample types.
pprof -raw prof.block.pb.gz >block.txt
grep -q "contentions/count delay/nanoseconds" block.txt || fail "block sample types: $(head -3 block.txt)"
echo "ok: profile"
