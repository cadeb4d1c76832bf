#!/bin/sh
# The interactive view as a user sees it: start heatmap-view in a detached tmux session of a fixed
# size, send keys, capture the screen and check what is on it.
#
# usage: tui.sh VIEWER FIXTURES_DIR SCENARIO      (scenarios: the run_* functions below)
#
# Each scenario uses its own tmux server (private socket heatmap-test-PID) that is killed on exit.
# Every check polls the screen until the expected text shows up or HEATMAP_TUI_TIMEOUT seconds
# (default 30) pass, so a loaded machine only makes the test slower, never wrong. The viewer runs
# under `env -i` with a known TERM and locale, its stderr goes to a file that must stay empty
# (sanitizer reports land there), and a wrapper records its exit status when it ends.
# The live scenarios (live, live_dead) also compile tests/e2e/server/server_prog.c with the plugin
# and runtime installed in HEATMAP_TUI_PREFIX (libraries in HEATMAP_TUI_LIBDIR, compiler
# HEATMAP_TUI_CLANG: tui.cmake passes the e2e prefix) and view it running with the live server.
# Exit status: 0 pass, 1 fail, 77 skip (tmux missing; for the live scenarios, no prefix).
set -u
# The checks grep for UTF-8 text (█, µs, …): read it as such whatever the caller's locale.
export LC_ALL=C.UTF-8

VIEWER=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FIXTURES=$(cd "$2" && pwd)
GOLDEN=$(cd "$(dirname "$0")" && pwd)/tui_golden
SCENARIO=$3
TIMEOUT=${HEATMAP_TUI_TIMEOUT:-30}

if ! command -v tmux >/dev/null 2>&1; then
    echo "tui.sh: tmux not found; skipping"
    exit 77
fi

SOCKET=heatmap-test-$$
unset TMUX # a test run from inside tmux still gets its own server
TMP=$(mktemp -d "${TMPDIR:-/tmp}/heatmap-tui.XXXXXX")
ESC=$(printf '\033')
failures=0
SESSION=""
count=0
STDIN_FILE=""

tm() {
    tmux -L "$SOCKET" -f /dev/null "$@"
}

APP_PID=""

cleanup() {
    tm kill-server >/dev/null 2>&1
    stop_program
    rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

fail() {
    echo "FAIL [$SCENARIO]: $*"
    failures=$((failures + 1))
}

# start COLS LINES TERM LOCALE [ENV=VALUE...] -- [VIEWER ARGS...]: the viewer in session "v".
start() {
    cols=$1 lines=$2 term=$3 locale=$4
    shift 4
    envs=""
    while [ $# -gt 0 ] && [ "$1" != "--" ]; do
        envs="$envs $1"
        shift
    done
    [ $# -gt 0 ] && shift
    args=""
    for a in "$@"; do
        args="$args '$a'"
    done
    for v in ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS; do
        eval "val=\${$v:-}"
        [ -n "$val" ] && envs="$envs $v='$val'"
    done
    rm -f "$TMP/rc" "$TMP/err"
    # A new session per start, the previous one killed after it: killing the last session would
    # make the server exit, racing with the next new-session.
    previous=$SESSION
    count=$((count + 1))
    SESSION=v$count
    # The wrapper keeps the pane alive after the viewer ends so that its last screen can be read.
    tm new-session -d -s "$SESSION" -x "$cols" -y "$lines" \
        "cd '$FIXTURES' && env -i PATH='$PATH' HOME='$TMP' TERM=$term LC_ALL=$locale $envs \
         '$VIEWER' $args <'${STDIN_FILE:-/dev/stdin}' 2>'$TMP/err'; echo \$? >'$TMP/rc'; \
         exec sleep 3600"
    [ -n "$previous" ] && tm kill-session -t "$previous" >/dev/null 2>&1
}

screen() {
    tm capture-pane -p -t "$SESSION" 2>/dev/null
}

screen_escapes() {
    tm capture-pane -p -e -t "$SESSION" 2>/dev/null
}

# wait_for TEXT [grep option]: poll until the screen shows TEXT (fixed string, or -E regex).
wait_for() {
    how=${2:--F}
    deadline=$(($(date +%s) + TIMEOUT))
    while :; do
        screen >"$TMP/screen"
        grep -q $how -- "$1" "$TMP/screen" && return 0
        [ "$(date +%s)" -ge "$deadline" ] && return 1
        sleep 0.1
    done
}

# expect TEXT WHAT [-E]: TEXT appears on the screen, else fail and show the screen.
expect() {
    if ! wait_for "$1" "${3:--F}"; then
        fail "$2: '$1' not on the screen:"
        sed 's/^/    | /' "$TMP/screen"
        return 1
    fi
    return 0
}

# expect_line N TEXT WHAT: line N (1-based) of the screen is exactly TEXT (trailing spaces aside).
expect_line() {
    if ! wait_for "$2"; then
        fail "$3: '$2' not on the screen"
        sed 's/^/    | /' "$TMP/screen"
        return 1
    fi
    got=$(sed -n "${1}p" "$TMP/screen" | sed 's/ *$//')
    [ "$got" = "$2" ] || fail "$3: line $1 is '$got', expected '$2'"
}

# refute TEXT WHAT: TEXT is (or within the timeout, goes) off the screen. After an expect that
# synchronises on the new state this checks the current screen.
refute() {
    deadline=$(($(date +%s) + TIMEOUT))
    while :; do
        screen >"$TMP/screen"
        grep -qF -- "$1" "$TMP/screen" || return 0
        [ "$(date +%s)" -ge "$deadline" ] && break
        sleep 0.1
    done
    fail "$2: '$1' should not be on the screen:"
    sed 's/^/    | /' "$TMP/screen"
}

# expect_history TEXT WHAT: TEXT is on the screen or in the scrollback (output of a static run).
expect_history() {
    tm capture-pane -p -S - -t "$SESSION" >"$TMP/history" 2>/dev/null
    grep -qF -- "$1" "$TMP/history" || fail "$2: '$1' not in the output"
}

# expect_selected NAME: the line with NAME is (or within the timeout, becomes) drawn in reverse
# video, the selection.
expect_selected() {
    deadline=$(($(date +%s) + TIMEOUT))
    while :; do
        screen_escapes >"$TMP/esc"
        line=$(grep -F -- "$1" "$TMP/esc" | head -n 1)
        before=${line%%"$1"*}
        case "$before" in
        *"$ESC[7m"* | *"$ESC[7;"* | *"$ESC["*";7m"* | *"$ESC["*";7;"*) return 0 ;; # SGR 7
        esac
        [ "$(date +%s)" -ge "$deadline" ] && break
        sleep 0.1
    done
    fail "$1 is not shown selected (reverse video): '$(printf '%s' "$line" | cat -v)'"
}

# settle: capture until two captures 0.2 s apart agree (the last frame is complete).
settle() {
    deadline=$(($(date +%s) + TIMEOUT))
    screen >"$TMP/settled"
    while :; do
        sleep 0.2
        screen >"$TMP/screen"
        cmp -s "$TMP/screen" "$TMP/settled" && return 0
        cp "$TMP/screen" "$TMP/settled"
        [ "$(date +%s)" -ge "$deadline" ] && return 1
    done
}

# golden NAME: the whole screen equals tests/viewer/tui_golden/NAME.screen, tig-style. With
# HEATMAP_UPDATE_GOLDEN=1 the file is written instead (then review the diff).
golden() {
    settle || fail "$1: the screen does not settle"
    file=$GOLDEN/$1.screen
    if [ "${HEATMAP_UPDATE_GOLDEN:-}" = 1 ]; then
        cp "$TMP/screen" "$file"
        echo "tui.sh: wrote $file"
    elif ! diff -u "$file" "$TMP/screen" >"$TMP/diff" 2>&1; then
        fail "screen $1 differs from $file (HEATMAP_UPDATE_GOLDEN=1 rewrites it):"
        sed 's/^/    /' "$TMP/diff"
    fi
}

keys() {
    tm send-keys -t "$SESSION" "$@"
}

# Wait until the viewer has exited; check its status and that stderr stayed empty.
expect_exit() {
    deadline=$(($(date +%s) + TIMEOUT))
    while [ ! -s "$TMP/rc" ]; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            fail "the viewer did not exit"
            return 1
        fi
        sleep 0.1
    done
    rc=$(cat "$TMP/rc")
    [ "$rc" = "$1" ] || fail "exit status $rc, expected $1"
    if [ -s "$TMP/err" ] && [ "${2:-}" != keep-stderr ]; then
        fail "stderr is not empty:"
        sed 's/^/    | /' "$TMP/err"
    fi
    return 0
}

# The usual session: 100x30, 256 colours, UTF-8.
start_default() {
    start 100 30 tmux-256color C.UTF-8 -- "$@"
    # The footer is the last line ncurses sends: once it is there, the whole frame is.
    if ! expect "Performance Heatmap" "the TUI starts"; then
        sed 's/^/    stderr: /' "$TMP/err"
        exit 1
    fi
    expect " | sort: " "the first frame is complete" || exit 1
}

quit() {
    keys q
    expect_exit 0
}

# start_program [PORT]: tests/e2e/server/server_prog.c, compiled once with the installed plugin,
# running with the live server on PORT (default 0: any free port); sets PORT and APP_PID. It runs
# until stop_program (at most a minute).
start_program() {
    if [ -z "${HEATMAP_TUI_PREFIX:-}" ]; then
        echo "tui.sh: HEATMAP_TUI_PREFIX is not set (the installed plugin); skipping"
        exit 77
    fi
    app=$TMP/app
    if [ ! -x "$app/app" ]; then
        mkdir -p "$app"
        src=$(cd "$(dirname "$0")/../e2e/server" && pwd)
        cp "$src/server_prog.c" "$src/heatmap.yaml" "$app/"
        # shellcheck disable=SC2046
        (cd "$app" && export PKG_CONFIG_PATH="$HEATMAP_TUI_PREFIX/$HEATMAP_TUI_LIBDIR/pkgconfig" &&
            "$HEATMAP_TUI_CLANG" -O1 -g -pthread $(pkg-config --cflags heatmap) server_prog.c \
                -o app $(pkg-config --libs heatmap)) || {
            echo "FAIL [$SCENARIO]: cannot compile the live program"
            exit 1
        }
    fi
    rm -f "$app/stop" "$app/err"
    (cd "$app" && HEATMAP_PROFILER=on HEATMAP_PROFILER_PORT="${1:-0}" \
        HEATMAP_OUTPUT="$app/final.json" exec ./app "$app/stop" >"$app/out" 2>"$app/err") &
    APP_PID=$!
    if [ "${1:-0}" != 0 ]; then # the runtime names the port only when it picked it
        PORT=$1
        return 0
    fi
    deadline=$(($(date +%s) + TIMEOUT))
    until grep -q "profiler server on" "$app/err" 2>/dev/null; do
        if [ "$(date +%s)" -ge "$deadline" ] || ! kill -0 "$APP_PID" 2>/dev/null; then
            echo "FAIL [$SCENARIO]: the live program does not serve: $(cat "$app/err")"
            exit 1
        fi
        sleep 0.1
    done
    PORT=$(sed -n 's|.*profiler server on http://127\.0\.0\.1:\([0-9]*\)/.*|\1|p' "$app/err")
}

# stop_program: the live program ends normally (its stop file), and is waited for.
stop_program() {
    [ -n "$APP_PID" ] || return 0
    kill -CONT "$APP_PID" 2>/dev/null
    touch "$TMP/app/stop"
    wait "$APP_PID" 2>/dev/null
    APP_PID=""
}

# count_of NAME: the Count column of NAME's row in the table mode on the last captured screen.
count_of() {
    grep -E "^$1 +[0-9]+ " "$TMP/screen" | head -n 1 | awk '{print $2}'
}

# detail_count: the Count of the detail pane on the last captured screen.
detail_count() {
    sed -n 's/^│ Count: \([0-9]*\) .*/\1/p' "$TMP/screen" | head -n 1
}

# grows WHAT FUNCTION BEFORE: poll until FUNCTION (count_of, or detail_count for "detail") shows
# more than BEFORE.
grows() {
    deadline=$(($(date +%s) + TIMEOUT))
    while :; do
        screen >"$TMP/screen"
        if [ "$2" = detail ]; then now=$(detail_count); else now=$(count_of "$2"); fi
        [ -n "$now" ] && [ "$now" -gt "$3" ] && return 0
        if [ "$(date +%s)" -ge "$deadline" ]; then
            fail "$1: the count of $2 stays at '$now' (was $3):"
            sed 's/^/    | /' "$TMP/screen"
            return 1
        fi
        sleep 0.1
    done
}

# ---- Scenarios --------------------------------------------------------------------------------

# Bar mode (the default), the legend, sparkline and table, switched with 1/2/3.
run_modes() {
    start_default small.json
    expect_line 1 "🔥 Performance Heatmap - Bar Chart                      1 Bar Chart  2 Sparkline  3 Table  4 Memory" "title"
    # small.json is from an older runtime (no cpu_ns/wait_ns): wall self time is not called CPU.
    expect_line 2 "Elapsed: 235ms | Self Time: 87.0ms | CPU Time: n/a (results from an older runtime)" "legend line 1"
    expect_line 3 "Count: # calls (incl. recursion) | Self Time: sum of wall self-time (excludes children)" "legend line 2"
    expect_line 4 "Avg, Max, P95: wall self-time per call (mean, largest, 95th percentile)" "legend line 3"
    expect "process_custom_tags +█+ +avg: 867µs \| calls: 40" "bar row" -E
    expect "tiny_helper +▏ +avg: 32ns \| calls: 3" "smallest bar" -E
    # Bars are longest for the most CPU time.
    first=$(grep -F process_custom_tags "$TMP/screen" | tr -cd '█' | wc -c)
    second=$(grep -F unmarshal_yaml "$TMP/screen" | tr -cd '█' | wc -c)
    [ "$first" -gt "$second" ] || fail "bar of process_custom_tags ($first) not longer than unmarshal_yaml's ($second)"

    keys 2
    expect "Performance Heatmap - Sparkline" "mode 2"
    expect "load_config_file +██████████ +avg: 6.66ms \| calls: 4" "highest avg: full sparkline" -E
    # log scale from 32ns (tiny_helper) to 6.66ms: 2.29µs is ln(2290/32)/ln(6660000/32) = 0.349 of
    # it, level round(0.349 * 7) = 2 (▃), where a linear scale would give ▁ as to every other row
    expect "Height: avg self-time per call | log scale: ▁ 32ns to █ 6.66ms" "sparkline scale legend"
    expect "hash_key +▃▃▃▃▃▃▃▃▃▃ +avg: 2.29µs \| calls: 25" "low avg kept apart: log scale" -E
    expect "tiny_helper +▁▁▁▁▁▁▁▁▁▁ +avg: 32ns \| calls: 3" "lowest avg: lowest sparkline" -E

    keys 3
    expect "Performance Heatmap - Table" "mode 3"
    expect "Function +Count +Self Time +Avg +Max +P95" "table header" -E
    expect "process_custom_tags +40 +34.7ms +867µs +1.54ms +1.26ms" "table row" -E
    expect "ns::Parser<std::map<std::str…ctor<int>>>::parse_expression +20 +4.88ms" "long C++ name shortened in the middle" -E
    keys p
    expect "Function +Count +Self Time +Avg +Max +P50" "p: P50 column" -E
    expect "process_custom_tags +40 +34.7ms +867µs +1.54ms +877µs" "P50 value" -E
    expect "Avg, Max, P50: wall self-time per call (mean, largest, 50th percentile)" "legend follows the percentile column"
    keys p
    expect "Function +Count +Self Time +Avg +Max +P99" "p: P99 column" -E

    keys 1
    expect "Performance Heatmap - Bar Chart" "back to mode 1"
    quit
}

# --mode chooses the starting mode.
run_start_mode() {
    start_default --mode=table small.json
    expect "Performance Heatmap - Table" "--mode=table"
    expect "Function +Count +Self Time" "table header" -E
    quit
}

# Moving the selection: j/k, arrows, Home/End, PgUp/PgDn; it stays on the function across modes.
run_selection() {
    start_default small.json
    expect " 1/12 | sort: cpu" "footer position"
    expect_selected process_custom_tags
    keys j j
    expect " 3/12 | sort: cpu" "j j"
    expect_selected unmarshal_yaml
    keys k
    expect " 2/12 |" "k"
    expect_selected load_config_file
    keys Down
    expect " 3/12 |" "Down"
    keys Up Up
    expect " 1/12 |" "Up Up"
    keys End
    expect " 12/12 |" "End"
    expect_selected tiny_helper
    keys Home
    expect " 1/12 |" "Home"
    keys j j 3
    expect "Performance Heatmap - Table" "table"
    expect " 3/12 |" "selection kept across modes"
    expect_selected unmarshal_yaml
    quit

    # Paging through more rows than fit: 60 functions, top 25 in bar mode, 20 lines.
    start 100 20 tmux-256color C.UTF-8 -- many.json
    expect " 1/25 of 60 | sort: cpu" "top 25 of 60"
    # A page is the list's height less one row: somewhere in the middle of the 25 rows.
    keys PageDown
    expect " ([6-9]|1[0-9]|2[0-4])/25 of 60" "PgDn moves a page down" -E
    keys End
    expect " 25/25 of 60" "End"
    keys a
    expect " 25/60 | sort: cpu" "a shows all functions"
    keys End
    expect " 60/60 | sort: cpu" "End of all"
    expect_selected fn_00
    keys a
    expect " 25/25 of 60" "a again: back to the top 25"
    keys PageUp
    expect " ([2-9]|1[0-9])/25 of 60" "PgUp moves a page up" -E
    keys Home
    expect " 1/25 of 60" "Home"
    quit
}

# s cycles the sort key: cpu, count, avg, max, p95, name, self, wait, cpu; rows follow. (small.json
# has no cpu/wait split: cpu and self rank by self time, wait is 0 everywhere and ties go by name.)
run_sort() {
    start_default --mode=table small.json
    expect "sort: cpu" "default sort"
    for key in count avg max p95 name self wait cpu; do
        keys s
        expect "| sort: $key " "s cycles to $key"
        first=$(grep -A1 -E '^Function +Count' "$TMP/screen" | sed -n 2p | awk '{print $1}')
        case $key in
        count | cpu | self) want=process_custom_tags ;;
        avg | max | p95) want=load_config_file ;;
        name | wait) want=fetch_remote ;;
        esac
        [ "$first" = "$want" ] || fail "sorted by $key, first row is '$first', expected $want"
    done
    keys S
    expect "| sort: wait " "S goes back"
    keys s
    expect "| sort: cpu " "s again"
    # Sort applies in bar mode too.
    keys s 1
    expect "Performance Heatmap - Bar Chart" "bar"
    expect "sort: count" "sort kept"
    first=$(grep -A1 -E '^Function' "$TMP/screen" | sed -n 2p | awk '{print $1}')
    [ "$first" = process_custom_tags ] || fail "bar sorted by count starts with '$first'"
    second=$(grep -A2 -E '^Function' "$TMP/screen" | sed -n 3p | awk '{print $1}')
    [ "$second" = unmarshal_yaml ] || fail "bar sorted by count: second row '$second'"
    quit
}

# / filters by name (text or glob) as it is typed; Enter keeps it, Esc restores the previous one.
run_filter() {
    start_default small.json
    keys /
    expect "Filter: " "prompt opens"
    keys p a r s e
    expect "Filter: parse  1 match" "typing filters"
    expect "ns::Parser<std::ma…::parse_expression" "matching row"
    refute "process_custom_tags" "non-matching rows hidden"
    keys Enter
    expect " 1/1 | sort: cpu | filter: parse" "Enter keeps the filter"
    # A glob, then Esc: back to "parse".
    keys / C-u
    expect "Filter:   12 matches" "Ctrl-U clears"
    keys '*' _ '*' s
    expect "Filter: *_*s  2 matches" "glob"
    expect "merge_maps" "glob match"
    expect "process_custom_tags" "glob match"
    keys Down
    expect_selected merge_maps
    keys Escape
    expect "filter: parse" "Esc restores the filter"
    refute "merge_maps" "glob dropped"
    # The filter applies in every mode.
    keys 3
    expect "parse_expression +20 +4.88ms" "table, filtered" -E
    refute "fetch_remote" "table filtered"
    keys 2
    expect "Performance Heatmap - Sparkline" "sparkline"
    refute "fetch_remote" "sparkline filtered"
    # Smart case: lowercase ignores case (ns::Parser), a capital makes it exact.
    keys / C-u p a r s e r
    expect "Filter: parser  1 match |" "lowercase ignores case"
    expect "ns::Parser<" "smart case match"
    keys C-u P A R S E R
    expect "Filter: PARSER  0 matches" "a capital: exact case"
    keys Escape
    # Nothing matches; then clear.
    keys / C-u x y z
    expect "No function matches 'xyz'" "empty result explained"
    keys BSpace BSpace BSpace Enter
    expect "/12 | sort: cpu  " "filter cleared"
    quit
}

# Enter: the detail pane of the selected function, with numbers from the fixture.
run_detail() {
    start_default small.json
    keys Enter
    expect "Details (Esc closes)" "Enter opens the pane"
    expect "│ process_custom_tags" "name"
    expect "│ src/tags.c:88" "file:line"
    expect "Count: 40 | Self Time: 34.7ms (39.9% of all)" "count and self time"
    expect "CPU Time: n/a (older runtime)" "no CPU time from an older runtime"
    expect "Avg: 867µs | Max: 1.54ms (wall self-time per call)" "avg and max"
    expect "P50: 877µs | P95: 1.26ms | P99: 1.54ms" "percentiles"
    expect "Self-time per call (histogram)" "histogram"
    bars='[█▉▊▋▌▍▎▏]+'
    expect "200µs–500µs $bars +3 +│" "histogram row 1" -E
    expect "500µs–1.00ms $bars +23 P50 +│" "histogram row 2" -E
    expect "1.00ms–2.00ms $bars +14 P95 P99 max +│" "histogram row 3" -E
    expect "One thread: 4242 app" "thread"
    # The pane follows the selection.
    keys j
    expect "│ load_config_file" "j in the pane"
    expect "│ src/config.c:17" "file:line of the next"
    expect "Count: 4 | Self Time: 26.7ms" "its numbers"
    # A function without a source file.
    keys End k k k k
    expect "│ write_output" "write_output"
    expect "(source location unknown" "no file"
    # Esc closes the pane first, then quits.
    keys Escape
    expect " 8/12 | sort: cpu" "pane closed, still running"
    refute "Details" "pane closed"
    keys Escape
    expect_exit 0
}

# Per-thread data: the thread pane (--threads, t) and the per-thread split in the detail pane.
run_threads() {
    start_default --threads threads.json
    expect "Threads (Esc closes)" "--threads opens the thread pane"
    expect "3 threads ran instrumented code" "thread count"
    expect "5001 +worker-1 +90 +4.76ms +20.9%" "thread row" -E
    keys Escape
    refute "Threads (Esc" "closed"
    keys t
    expect "Threads (Esc closes)" "t opens it"
    keys t Enter
    expect "│ compress_block" "detail of the top function"
    expect "Per thread (3)" "per-thread split"
    expect "5000 +main +50 +5.99ms +40.5%" "split row" -E
    expect "5002 +worker-2 +40 +5.53ms +37.4%" "split row" -E
    quit
}

# ? shows the keys; Esc closes it.
run_help() {
    start_default small.json
    keys '?'
    expect "Keys (Esc closes)" "? opens help"
    expect "s            sort by: cpu, count, avg, max, p95, name" "sort key"
    expect "/            filter by name" "filter key"
    expect "Enter        details of the selected function" "enter key"
    expect "q            quit" "quit key"
    # PgDn scrolls a pane that does not fit.
    tm resize-window -t "$SESSION" -x 60 -y 16
    expect "more ↓" "help longer than the pane"
    refute "Ctrl-L" "last line not shown yet"
    keys PageDown PageDown PageDown
    expect "Ctrl-L       redraw the screen" "PgDn scrolls the help"
    refute "more ↓" "at the end"
    keys Escape
    expect " 1/12 | sort: cpu" "help closed"
    refute "Keys (Esc" "help closed"
    quit
}

# The layout follows the terminal size, down to 40 columns; below that a notice.
run_resize() {
    start_default small.json
    expect "avg: 867µs | calls: 40" "wide rows"
    tm resize-window -t "$SESSION" -x 40 -y 30
    expect "867µs | 40" "compact info at 40 columns"
    refute "avg: 867µs" "compact info at 40 columns"
    expect "ns::Pa…ession" "names shortened in the middle"
    expect "Elapsed: 235ms | Self Time: 87.0ms" "legend wraps"
    expect " 1/12 | sort: cpu" "footer"
    keys 3
    expect "Function +Count +Self Time" "table at 40 columns" -E
    expect "ns::Pa…ression +20 +4.88ms +244µs" "table row at 40 columns" -E
    grep -E '^Function' "$TMP/screen" | grep -q Max && fail "Max column not dropped at 40 columns"
    keys Enter
    expect "Count: 40" "detail pane at 40 columns"
    expect "P50: 877µs | P95: 1.26ms" "detail pane wraps"
    keys Escape
    tm resize-window -t "$SESSION" -x 30 -y 10
    expect "Terminal too small: 30x10" "below 40 columns"
    tm resize-window -t "$SESSION" -x 100 -y 30
    expect "process_custom_tags +40 +34.7ms +867µs +1.54ms +1.26ms" "back to 100 columns" -E
    expect "Performance Heatmap - Table" "mode kept"
    quit
    # Nothing of the TUI is left on the screen after it quits.
    refute "Performance Heatmap" "screen restored"
}

# Colours: 256, 8, none (NO_COLOR, --no-color); ASCII glyphs without UTF-8 or with --ascii.
run_colors() {
    start_default small.json
    screen_escapes >"$TMP/esc"
    grep -q "${ESC}\[38;5;196m" "$TMP/esc" || fail "256 colours: no red (196) on the hottest bar"
    grep -q "${ESC}\[38;5;46m" "$TMP/esc" || fail "256 colours: no green (46) on the coolest bars"
    quit

    start 100 30 screen C.UTF-8 -- small.json
    expect "Performance Heatmap" "8 colours"
    screen_escapes >"$TMP/esc"
    grep -q "${ESC}\[31m" "$TMP/esc" || fail "8 colours: no red"
    grep -q "${ESC}\[32m" "$TMP/esc" || fail "8 colours: no green"
    grep -q "38;5;" "$TMP/esc" && fail "8 colours: 256-colour codes used"
    quit

    for how in "NO_COLOR=1 --" "-- --no-color"; do
        # shellcheck disable=SC2086
        start 100 30 tmux-256color C.UTF-8 $how small.json
        expect "Performance Heatmap" "no colour ($how)"
        screen_escapes >"$TMP/esc"
        grep -qE "${ESC}\[[0-9;]*(3[0-7]|38;5;[0-9]+)m" "$TMP/esc" && fail "colours with $how"
        expect_selected process_custom_tags
        quit
    done

    start 100 30 tmux-256color C -- small.json
    expect "Performance Heatmap - Bar Chart" "C locale"
    expect "process_custom_tags +#+ +avg: 867us \| calls: 40" "ASCII bars" -E
    refute "█" "no block glyphs"
    keys 2
    expect "load_config_file +########## +avg: 6.66ms" "ASCII sparkline" -E
    expect "hash_key +---------- +avg: 2.29us" "ASCII sparkline, level 2" -E
    expect "tiny_helper +__________ +avg: 32ns" "ASCII sparkline low" -E
    quit

    start 100 30 tmux-256color C.UTF-8 -- --ascii small.json
    expect "process_custom_tags +#+ +avg: 867us" "--ascii" -E
    quit
}

# When the terminal cannot host the TUI: the static text and the reason, exit 0.
run_fallback() {
    start 36 12 tmux-256color C.UTF-8 -- small.json
    expect_exit 0 keep-stderr
    grep -q "terminal is 36x12; the interactive view needs at least 40x8" "$TMP/err" ||
        fail "too small: reason missing from stderr: $(cat "$TMP/err")"
    expect_history "=== heatmap Performance Summary ===" "static text when too small"

    start 100 30 dumb C.UTF-8 -- small.json
    expect_exit 0 keep-stderr
    grep -q "terminal 'dumb' cannot move the cursor" "$TMP/err" ||
        fail "TERM=dumb: reason missing: $(cat "$TMP/err")"
    expect_history "Elapsed: 235ms | Self Time: 87.0ms" "static text, dumb terminal"

}

# Unusual inputs: results on standard input (keys then come from /dev/tty); no functions at all;
# names with control characters; a very long name. Ctrl-C quits like q.
run_inputs() {
    STDIN_FILE=$FIXTURES/small.json
    start_default -
    STDIN_FILE=
    expect "process_custom_tags" "results from standard input"
    keys j
    expect " 2/12 | sort: cpu" "keys read from the terminal"
    keys C-c
    expect_exit 0
    refute "Performance Heatmap" "Ctrl-C restores the screen"

    header='"version":1,"elapsed_ns":1000000,"histogram":{"kind":"log-linear","sub_bucket_bits":5}'
    printf '{%s,"threads":[],"functions":[]}' "$header" >"$TMP/empty.json"
    start_default "$TMP/empty.json"
    expect "No function was called in this run." "no functions"
    keys Enter j s
    expect " 0/0 | sort: count" "keys on an empty list"
    quit

    long=$(printf 'ns%.0s::' $(seq 1 150))tail_of_the_long_name
    fn='"file":"a.c","line":1,"count":2,"self_ns":2000,"max_ns":1500,"histogram":[[158,1],[206,1]]'
    printf '{%s,"threads":[],"functions":[{"name":"tab\\there\\nnewline",%s},{"name":"%s",%s}]}' \
        "$header" "$fn" "$long" "$fn" >"$TMP/odd.json"
    start_default --mode=table "$TMP/odd.json"
    expect "tab?here?newline" "control characters shown as ?"
    expect "^ns::ns::ns::[a-z:]*…[a-z:]*::tail_of_the_long_name +2 +2.00µs" "long name: both ends" -E
    keys Enter
    expect "│ ns::ns::ns::ns::ns::" "detail: the full name over several lines"
    expect "^│ [ns:]*tail_of_the_long_name +│" "detail: the end of the long name" -E
    expect "Count: 2 | Self Time: 2.00µs (50.0% of all)" "detail numbers"
    keys j
    expect "│ tab?here?newline" "detail: control characters"
    quit

    # 20000 functions: every row reachable, the filter still works.
    awk -v header="$header" 'BEGIN {
        printf "{%s,\"threads\":[],\"functions\":[", header
        for (i = 0; i < 20000; i++) {
            c = i % 100 + 1
            printf "%s{\"name\":\"big::f%05d\",\"file\":\"big.c\",\"line\":%d,", i ? "," : "", i, i + 1
            printf "\"count\":%d,\"self_ns\":%d,\"max_ns\":1000,\"histogram\":[[190,%d]]}", c, 1000 + (c - 1) * (500 + i % 500), c
        }
        printf "]}"
    }' >"$TMP/big.json"
    start_default "$TMP/big.json"
    expect " 1/25 of 20000 | sort: cpu" "20000 functions"
    keys a End
    expect " 20000/20000 | sort: cpu" "all 20000 rows"
    keys / 1 2 3 4 5 Enter
    expect " 1/1 | sort: cpu | filter: 12345" "filter among 20000"
    expect "big::f12345" "the match"
    quit
}

# The cpu/wait split (pool.json, a thread pool: workers mostly waiting in worker_wait, the CPU in
# compress_block). The first screen ranks by CPU time; the table has a Wait column; the detail pane
# shows CPU, Wait with its blocked and preempted parts, and open calls; the thread pane ranks the
# threads by their CPU clock. Figures: see gen_fixtures.py's pool() (and oracle.py for the sums).
run_cpu() {
    start_default --mode=table pool.json
    expect "Parallelism: ~0.8x | Elapsed: 240ms | CPU Time: 200ms | Wait: 724ms" "legend: cpu and wait"
    expect "Profiling overhead: 220µs (0.02% of the run)" "legend: overhead"
    expect_line 4 "Count: # calls (incl. recursion) | CPU Time: on-CPU self-time | Wait: blocked/preempted self-time" "legend line 2"
    expect "Function +Count +CPU Time +Wait +Avg +Max +P95" "table header with Wait" -E
    expect "compress_block +120 +169ms +5.24ms +1.46ms" "compress_block: CPU and Wait" -E
    expect "worker_wait +80 +7.19ms +712ms +8.99ms" "worker_wait: mostly waiting" -E
    expect " 1/6 | sort: cpu" "default sort is cpu"
    expect_selected compress_block
    first=$(grep -A1 -E '^Function +Count' "$TMP/screen" | sed -n 2p | awk '{print $1}')
    [ "$first" = compress_block ] || fail "by CPU the first row is '$first', expected compress_block"
    golden pool_table_100x30
    # s to wait: count avg max p95 name self wait.
    keys s s s s s s
    expect "| sort: self " "s to self"
    first=$(grep -A1 -E '^Function +Count' "$TMP/screen" | sed -n 2p | awk '{print $1}')
    [ "$first" = worker_wait ] || fail "by self time the first row is '$first', expected worker_wait"
    keys s
    expect "| sort: wait " "s to wait"
    keys Home Enter
    expect "Details (Esc closes)" "detail"
    expect "│ worker_wait" "the first by wait"
    expect "Count: 80 | CPU Time: 7.19ms (3.6% of all CPU)" "detail: cpu"
    expect "Wait: 712ms (blocked: 712ms | preempted, est.: 0ns)" "detail: wait, all blocked"
    expect "Self Time: 719ms (wall: CPU + Wait)" "detail: self"
    refute "Open calls" "no open calls"
    # By wait: worker_wait, compress_block, main, queue_pop, worker_loop, checksum.
    keys j
    expect "│ compress_block" "next by wait"
    expect "Wait: 5.24ms (blocked: 2.62ms | preempted, est.: 2.62ms)" "detail: blocked and preempted"
    keys j j j
    expect "│ worker_loop" "worker_loop"
    expect "Open calls: 4 still running at exit" "detail: open calls"
    golden pool_detail_100x30
    keys Escape t
    expect "Threads (Esc closes)" "thread pane"
    expect "TID +Name +Calls +CPU Time +Wait +Share" "thread header" -E
    expect "7001 +worker-1 +91 +48.7ms +175ms +24.4%" "thread row" -E
    # Ranked by CPU: worker-1, worker-4, worker-2, worker-3, main.
    order=$(grep -oE '70[0-9][0-9] +(main|worker-[0-9])' "$TMP/screen" | awk '{print $1}' | tr '\n' ' ')
    [ "$order" = "7001 7004 7002 7003 7000 " ] || fail "threads not ranked by CPU: '$order'"
    quit
}

# Memory mode (4): bars of allocated bytes, leaks marked, the detail pane's memory lines; heap.json
# is the results of tests/e2e/heap's program (its exact figures: docs in that test).
run_memory() {
    start_default heap.json
    keys 4
    expect "Performance Heatmap - Memory" "mode 4"
    expect "| sort: mem " "memory sorts by allocated bytes"
    expect "Function +Allocated +Bytes +Allocs +In use +Peak" "memory header" -E
    expect "leak +█+ +2.9 KiB +3 allocs +2.9 KiB in use +2.9 KiB peak  LEAK" "the leak, marked" -E
    expect "build_list +█+[^ ]* +2.3 KiB +100 allocs +0 B in use +2.3 KiB peak *$" "no leak mark" -E
    keys Home
    expect_selected leak
    keys Enter
    expect "Memory: 2.9 KiB allocated in 3 allocations" "detail: allocated"
    expect "In use at exit: 2.9 KiB in 3 blocks" "detail: in use"
    keys Escape 1
    expect "Performance Heatmap - Bar Chart" "back to mode 1"
    expect "| sort: cpu " "back to the cpu sort"
    quit
}

# Whole screens against golden files: each mode, narrow, the panes, ASCII without colour.
run_golden() {
    start_default small.json
    golden bar_100x30
    keys j j 2
    expect "Performance Heatmap - Sparkline" "sparkline"
    golden sparkline_100x30
    keys 3 s
    expect "sort: count" "table by count"
    golden table_count_100x30
    keys Enter
    expect "Details (Esc closes)" "detail"
    golden detail_100x30
    keys Escape '?'
    expect "Keys (Esc closes)" "help"
    golden help_100x30
    quit

    start 40 24 tmux-256color C.UTF-8 -- --mode=table small.json
    expect " | sort: " "40 columns"
    golden table_40x24
    keys 1
    expect "Performance Heatmap - Bar Chart" "bar at 40 columns"
    golden bar_40x24
    quit

    start_default --threads threads.json
    expect "Threads (Esc closes)" "thread pane"
    golden threads_100x30
    keys Escape Enter
    expect "Per thread (3)" "detail with threads"
    golden detail_threads_100x30
    quit

    start 80 24 tmux-256color C NO_COLOR=1 -- many.json
    expect " | sort: " "ASCII"
    golden bar_ascii_80x24
    keys 2 /
    expect "Filter: " "prompt"
    keys f n _ 1
    expect "Filter: fn_1  10 matches" "filter fn_1"
    golden sparkline_ascii_filter_80x24
    keys Enter 3 Enter
    expect "Details (Esc closes)" "ASCII detail"
    golden detail_ascii_80x24
    quit
}

# The detail pane's callers and callees, from the call paths of tests/export/fixtures (written by
# tests/export/gen_fixtures.py). The expected figures follow callers.h's definitions, computed from
# the fixtures' nodes [id, parent, function, count, self_ns, total_ns] apart from the C code:
#   callgraph.json: run (outermost, 1 call, total 9279 ns) calls msort (total 4840: 52.2 %),
#     fib (3304: 35.6 %), count_primes (798: 8.6 %), checksum (40: 0.4 %); msort and fib are one
#     node each (direct recursion), so each counts its 15 activations on the edge from run; msort's
#     callee merge: 960 / 4840 = 19.8 %, 7 calls. fib calls nothing.
#   threads.json (two trees, merged by path): crunch, total 1923 + 269 = 2192 ns, is called by
#     worker (7 calls, 1923: 87.7 %) and ns::Parser<…>::parse (2 calls, 269: 12.3 %). Mutual
#     recursion parse_expr → parse_term → parse_expr: parse_expr's time is its outermost node's
#     (2236), all of it from worker (2 calls); the 2 calls from parse_term count 0 %; its callee
#     parse_term: the outermost child's 1751 / 2236 = 78.3 %, 2 + 2 calls.
#   python3 -c 'import json; d=json.load(open("threads.json")); print([n for t in
#     d["paths"]["trees"] for n in t["nodes"]], [(f["id"], f["name"]) for f in d["functions"]])'
run_callers() {
    paths=$FIXTURES/../../export/fixtures
    start_default "$paths/callgraph.json"
    keys Enter
    expect "│ msort " "detail of the first row"
    expect "│ Total time (self + callees): 4.84µs" "msort's total time"
    expect "│ Callers (1) " "callers header"
    expect "│ 100.0%  run  15 calls " "msort's caller"
    expect "│ Callees (1) " "callees header"
    expect "│  19.8%  merge  7 calls " "msort's callee"
    # The pane follows the selection, and the lists with it.
    keys j
    expect "│ fib " "fib"
    expect "│ Total time (self + callees): 3.30µs" "fib's total time"
    expect "│ 100.0%  run  15 calls " "fib's caller: 15 calls, recursion included"
    expect "│ Callees: none " "fib calls nothing"
    refute "merge" "msort's callee is gone"
    keys Escape /
    expect "Filter: " "prompt"
    keys r u n Enter Enter
    expect "│ run " "run"
    expect "│ Total time (self + callees): 9.28µs" "run's total time"
    expect "│ 100.0%  (outermost)  1 call " "no instrumented caller"
    expect "│ Callees (4) " "run's callees"
    expect "│  52.2%  msort         15 calls " "callee 1"
    expect "│  35.6%  fib           15 calls " "callee 2"
    expect "│   8.6%  count_primes   1 call " "callee 3"
    expect "│   0.4%  checksum       1 call " "callee 4"
    quit

    # 40 columns: long names are shortened in the middle, counts stay aligned; the pane scrolls.
    start 40 24 tmux-256color C.UTF-8 -- "$paths/threads.json"
    expect " | sort: " "40 columns"
    keys / c r u n c h Enter Enter
    expect "│ crunch " "crunch"
    expect "│ Total time (self + callees): 2.19µs  │" "crunch's total time"
    expect "│  87.7%  worker               7 calls │" "caller worker"
    expect "│  12.3%  ns::Parse…st*, int)  2 calls │" "caller with a long name"
    keys Escape / C-u p a r s e _ e x p r Enter Enter
    expect "│ parse_expr " "parse_expr"
    expect "│ 100.0%  worker      2 calls          │" "outermost calls from worker"
    expect "│   0.0%  parse_term  2 calls          │" "recursive calls count no time"
    # The legend of a file without the cpu/wait split takes two more lines: the callees are on the
    # next page.
    keys NPage
    expect "Self-time per call (histogram)" "PgDn scrolls the pane"
    refute "│ parse_expr " "the name scrolled off"
    expect "│  78.3%  parse_term  4 calls          │" "callee in mutual recursion"
    quit

    # Without call paths (HEATMAP_PATHS=off) the pane has no such section, and no error.
    start_default "$paths/nopaths.json"
    keys Enter
    expect "Self-time per call (histogram)" "detail without paths"
    refute "Callers" "no callers without paths"
    refute "Total time" "no total time without paths"
    quit
}

# The live view of a running program (http://127.0.0.1:PORT): the title and the status line say
# live, the counts grow from one read to the next, and the user's mode, filter and detail pane stay
# across reads. A key is handled at once even while the program does not answer (stopped: a read
# would wait up to 60 s; the key cancels it), and so is Ctrl-C.
run_live() {
    start_program
    start_default --interval=200ms --mode=table "http://127.0.0.1:$PORT"
    expect "Performance Heatmap - Table (live)" "the title says live"
    expect "live http://127.0.0.1:$PORT \| updated [0-9.]+ s ago \| every 200 ms" "status line" -E
    expect "^hot +[0-9]+ " "hot in the table" -E
    first=$(count_of hot)
    grows "a later read" hot "$first"
    keys / c o l d Enter
    expect " 1/1 | sort: cpu | filter: cold" "filter"
    keys Enter
    expect "│ cold " "detail pane of cold"
    before=$(detail_count)
    [ -n "$before" ] || fail "no Count in the detail pane"
    grows "the detail pane" detail "${before:-0}"
    expect "Performance Heatmap - Table (live)" "mode kept across reads"
    expect " 1/1 | sort: cpu | filter: cold" "filter kept across reads"
    expect "│ cold " "detail pane kept across reads"
    # The program stops answering (SIGSTOP): its connections wait in the backlog.
    kill -STOP "$APP_PID"
    sleep 0.5 # not a timing assertion: lets a read start and wait
    keys Escape 2
    expect "Performance Heatmap - Sparkline (live)" "a key while a read waits"
    keys /
    expect "Filter: cold" "the prompt opens while a read waits"
    keys Escape
    expect " 1/1 | sort: cpu | filter: cold" "prompt closed"
    # Ctrl-C (a signal, not a key) quits at once too.
    keys C-c
    expect_exit 0
    stop_program
}

# The program ends: the last data stay on the screen, the status line says since when the program
# does not answer, keys still work; the reads go on, and a program on the same port is shown again.
run_live_dead() {
    start_program
    start_default --interval=200ms --mode=table "http://127.0.0.1:$PORT"
    expect "^hot +[0-9]+ " "hot in the table" -E
    keys / h o t Enter
    expect " 1/1 | sort: cpu | filter: hot" "filter"
    stop_program
    expect "live http://127.0.0.1:$PORT \| not answering since [0-9]{2}:[0-9]{2}:[0-9]{2}; last data kept \|" "status line of a dead server" -E
    expect "cannot connect: Connection refused" "the reason"
    expect "^hot +[0-9]+ " "the last data kept" -E
    last=$(count_of hot)
    [ "${last:-0}" -gt 0 ] || fail "the last count of hot is '$last'"
    expect " 1/1 | sort: cpu | filter: hot" "filter kept"
    keys 1
    expect "Performance Heatmap - Bar Chart (live)" "keys still work"
    expect "hot +[█▉▊▋▌▍▎▏]+ +avg: [^|]+ \| calls: $last *$" "bar of the last data" -E
    # The program comes back on that port (the runtime binds with SO_REUSEADDR).
    start_program "$PORT"
    if ! expect "live http://127.0.0.1:$PORT | updated " "shown again"; then
        sed 's/^/    program stderr: /' "$TMP/app/err"
    fi
    refute "not answering" "the failure is forgotten"
    quit
    stop_program
}

case $SCENARIO in
modes | start_mode | selection | sort | filter | detail | threads | help | resize | colors | fallback | inputs | golden | callers | cpu | memory | live | live_dead)
    "run_$SCENARIO"
    ;;
*)
    echo "tui.sh: unknown scenario '$SCENARIO'"
    exit 2
    ;;
esac
[ "$failures" -eq 0 ] || exit 1
echo "tui.sh $SCENARIO: ok"
exit 0
