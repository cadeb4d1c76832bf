#!/bin/sh
# End-to-end test of the live server (docs/server.md): server_prog.c compiled with the installed
# plugin, run with HEATMAP_PROFILER=on HEATMAP_PROFILER_PORT=0 (the port comes from the stderr
# line "heatmap: profiler server on http://127.0.0.1:PORT/debug/pprof/"), queried with the real
# clients (go tool pprof, curl, heatmap-view), then stopped through its stop file so that it exits
# normally: its stdout and exit status must be those of a run without the server, and its final
# results file must still be written.
#
# usage: server.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR MODE
#   MODE: pprof (every profile with go tool pprof), http (curl: /debug/heatmap, /metrics, the
#   index, heap/allocs, trace), bad (bad requests, then the server still answers), busy (the port
#   is taken: one line, the program runs on), host (a bad host and a bad port: one line each),
#   fork (a forked child inherits no descriptor of the server and serves nothing; waitpid(-1)
#   sees only the program's child; the parent still serves), exit (HEATMAP_PROFILE_TYPE=goroutine,
#   threadcreate,trace written at exit and read by go tool pprof), churn (snapshots while threads
#   come and go: every answer 200, the program ends normally)
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5 mode=$6
view="$prefix/bin/heatmap-view"
. "$source_dir/tests/e2e/lib.sh"
e2e_workdir "$prefix" "$libdir" "$work" server_prog.c churn.c heatmap.yaml
e2e_compile app server_prog.c -O1 -g -fno-omit-frame-pointer -pthread

fail() {
    touch stop
    echo "FAIL: $*" >&2
    [ -f app.err ] && sed 's/^/  app stderr: /' app.err >&2
    exit 1
}
check() { python3 "$here/check_server.py" "$@" || fail "check_server.py $*"; }

# The reference: the same program without the server.
arg=
[ "$mode" != fork ] || arg=fork
rm -f stop
touch stop
status=0
HEATMAP_OUTPUT="$PWD/plain.json" ./app "$PWD/stop" $arg >plain.out 2>plain.err || status=$?
echo "$status" >plain.status
rm -f stop

pid=
start() { # start the app with the server; PORT from its stderr line
    rm -f stop app.status app.err
    (
        st=0
        env HEATMAP_PROFILER=on HEATMAP_PROFILER_PORT=0 HEATMAP_OUTPUT="$PWD/live.json" "$@" \
            "${prog:-./app}" "$PWD/stop" $arg >app.out 2>app.err || st=$?
        echo "$st" >app.status
    ) &
    pid=$!
    i=0
    while ! grep -q "profiler server on" app.err 2>/dev/null; do
        i=$((i + 1))
        [ "$i" -lt 600 ] || fail "no server line on stderr"
        [ ! -e app.status ] || fail "the app ended before serving"
        sleep 0.1
    done
    PORT=$(sed -n 's|.*profiler server on http://127\.0\.0\.1:\([0-9]*\)/debug/pprof/.*|\1|p' app.err)
    [ -n "$PORT" ] || fail "no port in: $(cat app.err)"
    URL="http://127.0.0.1:$PORT"
}
finish() { # stop the app and compare its end with the reference run's
    touch stop
    wait "$pid" || true
    [ "$(cat app.status)" = "$(cat plain.status)" ] ||
        fail "exit status $(cat app.status), without the server $(cat plain.status)"
    cmp -s app.out plain.out || fail "stdout differs from the run without the server"
    python3 -c "import json,sys; d=json.load(open('live.json')); assert d['end']=='exit', d['end']" ||
        fail "no final results file"
    unexpected=$(grep -v "profiler server on" app.err || true)
    [ -z "$unexpected" ] || fail "unexpected stderr: $unexpected"
}
pprof_raw() { # KIND PATH: fetch with go tool pprof and check
    HOME="$PWD" PPROF_TMPDIR="$PWD/pprof" go tool pprof -raw "$URL$2" >"$1.raw" 2>"$1.log" ||
        fail "go tool pprof $2: $(cat "$1.log")"
    check raw "$1" "$1.raw"
}

case "$mode" in
pprof)
    command -v go >/dev/null 2>&1 || { echo "go not installed: skipped"; exit 77; }
    start
    sleep 0.5 # not a timing assertion: lets the workers start, which goroutine then counts
    pprof_raw cpu "/debug/pprof/profile?seconds=1"
    pprof_raw goroutine /debug/pprof/goroutine
    pprof_raw threadcreate /debug/pprof/threadcreate
    pprof_raw block /debug/pprof/block
    pprof_raw mutex /debug/pprof/mutex
    pprof_raw heap /debug/pprof/heap
    pprof_raw allocs /debug/pprof/allocs
    HOME="$PWD" go tool pprof -raw "$URL/debug/pprof/threads" >threads.raw 2>&1 ||
        fail "/debug/pprof/threads"
    finish
    ;;
http)
    start HEATMAP_TRACE=on
    code=$(curl -s -o index.html -w '%{http_code}' "$URL/debug/pprof/")
    [ "$code" = 200 ] && grep -q 'href="goroutine"' index.html || fail "index: $code"
    curl -sf -o live-now.json "$URL/debug/heatmap" || fail "/debug/heatmap"
    "$view" --format=json live-now.json >view.json || fail "heatmap-view cannot read /debug/heatmap"
    check viewer view.json
    # heatmap-view reads the live server itself: http://HOST:PORT means /debug/heatmap
    "$view" --format=json "$URL" >view-url.json || fail "heatmap-view $URL"
    check viewer view-url.json
    "$view" --format=text "http://127.0.0.1:$PORT/debug/heatmap" >view-url.txt ||
        fail "heatmap-view $URL/debug/heatmap"
    grep -q "hot" view-url.txt || fail "heatmap-view text of $URL: $(cat view-url.txt)"
    if "$view" --format=json "$URL/debug/pprof/nothing" >/dev/null 2>url.err; then
        fail "heatmap-view read a 404"
    fi
    grep -q "HTTP 404" url.err || fail "heatmap-view's 404 message: $(cat url.err)"
    curl -sf -D metrics.h -o metrics.txt "$URL/metrics" || fail "/metrics"
    grep -qi '^content-type: text/plain; version=0.0.4' metrics.h || fail "metrics content type"
    check metrics metrics.txt
    if command -v promtool >/dev/null 2>&1; then
        promtool check metrics <metrics.txt || fail "promtool check metrics"
    fi
    for p in heap allocs; do
        code=$(curl -s -o $p.pb.gz -w '%{http_code}' "$URL/debug/pprof/$p")
        [ "$code" = 200 ] && gzip -t $p.pb.gz || fail "$p: $code $(head -c 300 $p.pb.gz)"
    done
    curl -sf -o trace.json "$URL/debug/pprof/trace?seconds=1" || fail "/debug/pprof/trace"
    check chrome trace.json
    finish
    ;;
bad)
    start
    check bad "$PORT"
    finish
    ;;
busy)
    python3 -c "
import socket, sys, time, os
s = socket.socket(); s.bind(('127.0.0.1', 0)); s.listen(1)
open('busy.port', 'w').write(str(s.getsockname()[1]))
while not os.path.exists('stop'): time.sleep(0.05)
" &
    holder=$!
    while [ ! -s busy.port ]; do sleep 0.05; done
    port=$(cat busy.port)
    status=0
    HEATMAP_PROFILER=on HEATMAP_PROFILER_PORT=$port HEATMAP_OUTPUT="$PWD/busy.json" \
        ./app >busy.out 2>busy.err || status=$?
    touch stop
    wait "$holder"
    [ "$(wc -l <busy.err)" = 1 ] || fail "expected one stderr line: $(cat busy.err)"
    grep -q "127.0.0.1:$port.*Address already in use" busy.err || fail "line: $(cat busy.err)"
    [ "$status" = "$(cat plain.status)" ] || fail "exit status $status"
    cmp -s busy.out plain.out || fail "stdout differs"
    [ -s busy.json ] || fail "no results file"
    ;;
host)
    for setting in "HEATMAP_PROFILER_HOST=no-such-host.invalid" "HEATMAP_PROFILER_PORT=99999" \
        "HEATMAP_PROFILER_PORT=http"; do
        status=0
        env HEATMAP_PROFILER=on "$setting" HEATMAP_OUTPUT="$PWD/h.json" ./app >h.out 2>h.err ||
            status=$?
        [ "$(wc -l <h.err)" = 1 ] || fail "$setting: expected one stderr line: $(cat h.err)"
        grep -q "profiler server not started.*:" h.err || fail "$setting: $(cat h.err)"
        [ "$status" = "$(cat plain.status)" ] || fail "$setting: exit status $status"
        cmp -s h.out plain.out || fail "$setting: stdout differs"
    done
    grep -q "99999\|http" h.err || true
    ;;
fork)
    start
    grep -q "^child: 0 sockets" app.out || fail "the child: $(cat app.out)"
    grep -q "^waited: the child, status 0" app.out || fail "waitpid: $(cat app.out)"
    code=$(curl -s -o index.html -w '%{http_code}' "$URL/debug/pprof/")
    [ "$code" = 200 ] || fail "the parent stopped serving after the fork: $code"
    finish
    ls live.*.json >/dev/null 2>&1 || fail "no results of the child: $(ls)"
    ;;
exit)
    command -v go >/dev/null 2>&1 || { echo "go not installed: skipped"; exit 77; }
    status=0
    HEATMAP_PROFILE_TYPE=goroutine,threadcreate,trace HEATMAP_OUTPUT="$PWD/x.json" ./app \
        >x.out 2>x.err || status=$?
    [ "$status" = "$(cat plain.status)" ] && [ ! -s x.err ] || fail "exit $status: $(cat x.err)"
    for kind in goroutine threadcreate; do
        HOME="$PWD" go tool pprof -raw heatmap.$kind.pb.gz >$kind.raw 2>&1 ||
            fail "go tool pprof heatmap.$kind.pb.gz: $(cat $kind.raw)"
    done
    head -4 goroutine.raw | grep -q "goroutine/count" || fail "goroutine: $(cat goroutine.raw)"
    check raw threadcreate threadcreate.raw
    [ -s x.trace.json ] || fail "the trace profile did not record the trace"
    check chrome heatmap.trace.chrome.json
    ;;
churn)
    e2e_compile churn churn.c -O1 -g -pthread
    prog=./churn start
    for i in $(seq 1 15); do
        for p in /debug/heatmap /debug/pprof/goroutine /metrics; do
            curl -sf -o /dev/null "http://127.0.0.1:$PORT$p" || fail "$p answered no 200 (round $i)"
        done
    done
    touch stop
    wait "$pid" || true
    [ "$(cat app.status)" = 0 ] && [ "$(cat app.out)" = done ] ||
        fail "the program ended with $(cat app.status): $(cat app.out)"
    ;;
*)
    fail "unknown mode $mode"
    ;;
esac
echo "ok: server $mode"
