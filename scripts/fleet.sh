#!/bin/sh
# Fleet use (issue 13, docs/server.md "Fleet"): a real Prometheus scrapes three instrumented
# processes' /metrics, and its PromQL answer is checked against the processes' own results files.
#
# usage: scripts/fleet.sh [PREFIX] [REQUESTS]
#   PREFIX: a heatmap install (default ./_install, built and installed here when missing)
#   REQUESTS: requests each process handles (default 20000)
#
# Opt-in, not part of the test suite: it installs Prometheus (scripts/deps.sh fleet) and runs a
# server. Everything listens on 127.0.0.1 only. The three processes (scripts/fleet/fleet_prog.c)
# handle a fixed workload, say "ready" and then idle outside any instrumented function until a stop
# file appears, so the scrapes made after "ready" carry their final figures. Prometheus scrapes
# them every second; once it holds a scrape of each made after they were ready, the script asks
# it (HTTP API, /api/v1/query) for the functions ranked by self time across the fleet and for
# every function's calls, stops the processes (they write their results files as they exit),
# merges the files with heatmap-view --format=json and compares (scripts/fleet/check_fleet.py).
# Exit status 0 when they agree, 1 when they do not, 2 when something could not run.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
prefix=${1:-$root/_install}
requests=${2:-20000}
llvm=${LLVM_VERSION:-14}
clang=/usr/lib/llvm-$llvm/bin/clang
"$root/scripts/deps.sh" fleet
if [ ! -x "$prefix/bin/heatmap-view" ]; then
    echo "fleet: no heatmap install in $prefix: building one" >&2
    cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DHEATMAP_BUILD_TESTS=OFF \
        -DLLVM_CONFIG="/usr/bin/llvm-config-$llvm" >/dev/null
    cmake --build "$root/build" -j"$(nproc)" >/dev/null
    cmake --install "$root/build" --prefix "$prefix" >/dev/null
fi
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
work=$(mktemp -d)
pids=""
prom=""
cleanup() {
    touch "$work/stop"
    [ -z "$prom" ] || kill "$prom" 2>/dev/null || true
    for p in $pids; do
        kill "$p" 2>/dev/null || true
    done
    wait 2>/dev/null || true
    [ -n "${KEEP:-}" ] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 2' INT TERM
die() {
    echo "fleet: $*" >&2
    exit 2
}

cp "$root/scripts/fleet/fleet_prog.c" "$root/scripts/fleet/heatmap.yaml" "$work/"
cd "$work"
# shellcheck disable=SC2046
"$clang" -O1 -g $(pkg-config --cflags heatmap) fleet_prog.c -o fleet_prog $(pkg-config --libs heatmap)

# Three processes, each with its server on a port of its own choosing (HEATMAP_PROFILER_PORT=0).
targets=""
for n in 1 2 3; do
    HEATMAP_PROFILER=on HEATMAP_PROFILER_PORT=0 HEATMAP_OUTPUT="$work/p$n.json" \
        ./fleet_prog "$work/stop" "$n" "$requests" >"p$n.out" 2>"p$n.err" &
    pids="$pids $!"
done
for n in 1 2 3; do
    i=0
    while ! grep -q "profiler server on" "p$n.err" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -lt 300 ] || die "process $n printed no server line: $(cat "p$n.err")"
        sleep 0.1
    done
    port=$(sed -n 's|.*profiler server on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "p$n.err")
    [ -n "$port" ] || die "no port in: $(cat "p$n.err")"
    targets="$targets${targets:+, }'127.0.0.1:$port'"
done

# Prometheus on a free loopback port, its storage in the scratch folder.
pport=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >prometheus.yml <<YAML
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: heatmap
    static_configs:
      - targets: [$targets]
YAML
prometheus --config.file=prometheus.yml --storage.tsdb.path="$work/data" \
    --web.listen-address="127.0.0.1:$pport" --log.level=warn >prometheus.log 2>&1 &
prom=$!
url="http://127.0.0.1:$pport"
i=0
until curl -fs "$url/-/ready" >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -lt 300 ] || die "Prometheus did not start: $(tail -5 prometheus.log)"
    sleep 0.1
done
echo "fleet: Prometheus $(prometheus --version 2>&1 | sed -n '1s/^prometheus, version \([^ ]*\).*/\1/p') on $url scraping $targets"

# Wait for the workload, then for a scrape of every process made after it.
for n in 1 2 3; do
    i=0
    until grep -q ready "p$n.out" 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -lt 1200 ] || die "process $n did not finish its work"
        sleep 0.1
    done
done
ready=$(date +%s)
echo "fleet: the three processes handled $requests requests each; waiting for scrapes after that"
i=0
until [ "$(curl -fs "$url/api/v1/query" --data-urlencode \
    'query=count(timestamp(heatmap_calls_total) > '"$ready"')' |
    python3 -c 'import json, sys; r = json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else 0)')" = 3 ]; do
    i=$((i + 1))
    [ "$i" -lt 300 ] || die "Prometheus has no scrape of every process after they were ready"
    sleep 0.2
done

# Ask, then stop the processes: their results files are written as they exit.
python3 "$root/scripts/fleet/check_fleet.py" ask "$url" answers.json || die "cannot ask Prometheus"
touch "$work/stop"
for p in $pids; do
    wait "$p" || die "a process exited with status $?"
done
pids=""
"$prefix/bin/heatmap-view" --format=json p1.json p2.json p3.json >merged.json
echo
python3 "$root/scripts/fleet/check_fleet.py" check answers.json merged.json
