#!/bin/sh
# Cost of the CPU sampler (HEATMAP_PROFILE_TYPE=cpu) on a CPU-bound instrumented program.
#
# usage: bench/sampler.sh [PREFIX] [ITERATIONS] [RUNS]
#   PREFIX: a heatmap install (default ./_install)
# bench/overhead/workload.c, built with the plugin, runs RUNS times (default 9) in rotation with
# the sampler off, at 100 Hz and at 1000 Hz; the median and the least CPU time (user + system) of
# each are printed with their ratios to sampling off (the least is the one the neighbours disturbed
# least). CPU time rather than wall time: the sampler's cost is CPU
# time (signals, handler), and wall time on a shared machine measures the neighbours. The export
# library is not loaded (HEATMAP_EXPORT_LIB points nowhere).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
. "$here/setup.sh"
bench_setup 20000000 9 "$@"
trap '[ -n "${KEEP:-}" ] && cp "$work"/*.ns "$KEEP"/; rm -rf "$work"' EXIT
cp "$here/overhead/workload.c" "$here/overhead/heatmap.yaml" "$work/"
cd "$work"
# shellcheck disable=SC2046
"$clang" -O2 workload.c -o heatmap $(pkg-config --cflags --libs heatmap)

run() { # off|100|1000 -> CPU ns of the process
    types=cpu
    [ "$1" = off ] && types=""
    HEATMAP_PROFILE_TYPE=$types HEATMAP_CPU_HZ=$([ "$1" = off ] && echo 100 || echo "$1") HEATMAP_EXPORT_LIB=/nonexistent \
        HEATMAP_OUTPUT="$work/r.json" python3 -c '
import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(int((r.ru_utime + r.ru_stime) * 1e9))' ./heatmap "$iterations"
}
i=0
while [ "$i" -lt "$runs" ]; do
    for v in off 100 1000; do run "$v" >>"$v.ns"; done
    i=$((i + 1))
done
median() { sort -n "$1" | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }
least() { sort -n "$1" | head -n 1; }
echo "workload: $iterations iterations, $((3 * iterations)) instrumented calls; $runs runs each"
printf '%-10s %12s %10s %12s %10s\n' sampler "median CPU ms" "x off" "least CPU ms" "x off"
for v in off 100 1000; do
    awk -v v="$v" -v m="$(median "$v.ns")" -v mo="$(median off.ns)" -v l="$(least "$v.ns")" \
        -v lo="$(least off.ns)" \
        'BEGIN {printf "%-10s %12.1f %10.4f %12.1f %10.4f\n", v, m / 1e6, m / mo, l / 1e6, l / lo}'
done
