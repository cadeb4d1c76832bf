#!/bin/sh
# End-to-end test of the settings (docs/config.md, "Settings and their precedence"): settings.c
# compiled with the installed plugin under a heatmap.yaml whose runtime: section sets the output
# file, the summary and threads_max; then run, and read with heatmap-view --show-settings.
#
# usage: settings.sh PREFIX LIBDIR CLANG SOURCE_DIR WORK_DIR VIEW MODE
#   embedded     the run writes the file runtime: names and prints the summary (shared and static
#                runtime), with no environment
#   environment  the environment wins over the embedded values; HEATMAP_VERBOSE=on says where each
#                came from
#   show         --show-settings PROGRAM names each source, as the runtime's verbose lines do
#   twoobjects   objects with different settings: the first in link order applies, said once
#   oldruntime   an object with settings does not link with a runtime that would ignore them
#   malformed    --show-settings on files that are not (whole) ELF programs: an error, no crash
#   view         heatmap-view's own settings: flag > environment > heatmap.yaml view: > default
set -eu
prefix=$1 libdir=$2 clang=$3 source_dir=$4 work=$5 view=$6 mode=$7
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
rm -rf "$work"
mkdir -p "$work"
here="$source_dir/tests/e2e/settings"
cp "$here/settings.c" "$here/second.c" "$here/heatmap.yaml" "$here/other.yaml" "$here/view.yaml" \
    "$work/"
cd "$work"
# Nothing from the caller's environment: each case sets what it means.
for v in $(env | sed -n 's/^\(HEATMAP[A-Z_]*\)=.*/\1/p') NO_COLOR; do unset "$v"; done

fail() {
    echo "FAIL: $*" >&2
    exit 1
}
# shellcheck disable=SC2046
"$clang" -O1 -g $(pkg-config --cflags heatmap) -c settings.c -o settings.o
# shellcheck disable=SC2046
"$clang" settings.o -o app $(pkg-config --libs heatmap)

# The functions a results file lists, by name, sorted.
functions() { python3 -c "import json,sys; print(' '.join(sorted(f['name'] for f in json.load(open(sys.argv[1]))['functions'])))" "$1"; }

case "$mode" in
embedded)
    for runtime in shared static; do
        rm -f ./*.json
        if [ $runtime = static ]; then
            "$clang" settings.o -o app -pthread "$prefix/$libdir/libheatmap-rt.a" -ldl
        fi
        ./app >out.txt 2>err.txt || fail "$runtime: exit status $?: $(cat err.txt)"
        [ -s chosen.json ] || fail "$runtime: runtime.output ignored: $(ls)"
        [ ! -e heatmap.json ] || fail "$runtime: the default file was written too"
        [ "$(functions chosen.json)" = "main work_a work_b work_c" ] ||
            fail "$runtime: chosen.json lists $(functions chosen.json)"
        grep -q "Total Calls: 601" err.txt || fail "$runtime: runtime.summary ignored: $(cat err.txt)"
        grep -q "^done" out.txt || fail "$runtime: the program's output: $(cat out.txt)"
    done
    ;;
environment)
    HEATMAP_OUTPUT="$PWD/env.json" HEATMAP_SUMMARY=off ./app >out.txt 2>err.txt ||
        fail "exit status: $(cat err.txt)"
    [ -s env.json ] || fail "HEATMAP_OUTPUT lost to the embedded value: $(ls)"
    [ ! -e chosen.json ] || fail "the embedded output was written although HEATMAP_OUTPUT is set"
    [ ! -s err.txt ] || fail "HEATMAP_SUMMARY=off lost to the embedded on: $(cat err.txt)"
    # Where each value came from, and an invalid environment value falls back to the embedded one.
    HEATMAP_VERBOSE=on HEATMAP_OUTPUT=env2.json HEATMAP_THREADS_MAX=1 ./app >out.txt 2>err.txt
    cat >want.txt <<EOF
heatmap: ignoring HEATMAP_THREADS_MAX=1
heatmap:   expected an integer 2..16777216 (threads listed); using the embedded value 5
heatmap: HEATMAP_OUTPUT=env2.json (environment; overrides the embedded chosen.json)
heatmap: HEATMAP_SUMMARY=on (embedded from $PWD/heatmap.yaml)
heatmap: HEATMAP_VERBOSE=on (environment)
heatmap: HEATMAP_THREADS_MAX=5 (embedded from $PWD/heatmap.yaml)
EOF
    head -6 err.txt >got.txt
    cmp -s want.txt got.txt || fail "verbose lines: $(diff want.txt got.txt)"
    [ -s env2.json ] || fail "no env2.json"
    ;;
show)
    HEATMAP_SUMMARY=off HEATMAP_CPU_HZ=0 "$view" --show-settings ./app >show.txt 2>show.err ||
        fail "--show-settings: $(cat show.err)"
    row() { awk -v v="$1" '$1 == v { $1 = ""; sub(/^ /, ""); print }' show.txt; }
    grep -qx "embedded: $PWD/heatmap.yaml" show.txt || fail "embedded from: $(cat show.txt)"
    [ "$(row HEATMAP_OUTPUT)" = "chosen.json embedded" ] || fail "output: $(row HEATMAP_OUTPUT)"
    [ "$(row HEATMAP_SUMMARY)" = "off environment (overrides the embedded on)" ] ||
        fail "summary: $(row HEATMAP_SUMMARY)"
    [ "$(row HEATMAP_THREADS_MAX)" = "5 embedded" ] || fail "threads_max: $(row HEATMAP_THREADS_MAX)"
    [ "$(row HEATMAP_CLOCK)" = "auto default" ] || fail "clock: $(row HEATMAP_CLOCK)"
    row HEATMAP_CPU_HZ | grep -q "^100 default (the environment's 0 would be ignored" ||
        fail "cpu_hz: $(row HEATMAP_CPU_HZ)"
    # The runtime, run in the same environment, agrees on every setting it reports.
    HEATMAP_SUMMARY=off HEATMAP_VERBOSE=on HEATMAP_OUTPUT=x.json ./app >/dev/null 2>verbose.txt
    HEATMAP_SUMMARY=off HEATMAP_VERBOSE=on HEATMAP_OUTPUT=x.json "$view" --show-settings \
        --format=json ./app >show.json
    python3 - show.json verbose.txt <<'EOF' || fail "the runtime and --show-settings disagree"
import json, re, sys
shown = json.load(open(sys.argv[1]))["runtime"]["settings"]
told = {}
for line in open(sys.argv[2]):
    m = re.match(r"heatmap: (HEATMAP[A-Z_]*)=(.*) \((embedded|environment)", line)
    if m:
        told[m.group(1)] = (m.group(2), m.group(3))
non_default = {s["variable"]: (s["value"], s["source"]) for s in shown if s["source"] != "default"}
if told != non_default:
    sys.exit(f"runtime said {told}, --show-settings {non_default}")
assert set(told) == {"HEATMAP_OUTPUT", "HEATMAP_SUMMARY", "HEATMAP_VERBOSE", "HEATMAP_THREADS_MAX"}, told
EOF
    # A program built without a runtime: section: nothing embedded, every value the default.
    "$clang" -O1 settings.c -o plain
    "$view" --show-settings ./plain >plain.txt || fail "plain program: status $?"
    grep -q "^embedded: none (no heatmap_settings section" plain.txt || fail "$(cat plain.txt)"
    [ "$(grep -c '^  HEATMAP' plain.txt)" = 24 ] && ! grep '^  HEATMAP' plain.txt | grep -qv ' default$' ||
        fail "not 24 runtime settings all at their default: $(cat plain.txt)"
    ;;
twoobjects)
    # shellcheck disable=SC2046
    HEATMAP_CONFIG="$PWD/other.yaml" "$clang" -O1 $(pkg-config --cflags heatmap) -c second.c \
        -o second.o
    # shellcheck disable=SC2046
    "$clang" settings.o second.o -o first_main $(pkg-config --libs heatmap)
    # shellcheck disable=SC2046
    "$clang" second.o settings.o -o first_second $(pkg-config --libs heatmap)
    [ "$(readelf -p heatmap_settings first_main | grep -c '#config=')" = 2 ] ||
        fail "expected two records: $(readelf -p heatmap_settings first_main)"
    HEATMAP_VERBOSE=on ./first_main >/dev/null 2>a.err
    [ -s chosen.json ] && [ ! -e other.json ] && [ ! -e chosen.trace.json ] ||
        fail "first_main: heatmap.yaml's settings should apply alone: $(ls)"
    grep -qx "heatmap: the program embeds 2 different settings; the first in link order (from $PWD/heatmap.yaml) applies" a.err ||
        fail "no line on the two settings: $(cat a.err)"
    rm -f ./*.json
    HEATMAP_VERBOSE=on ./first_second >/dev/null 2>b.err
    [ -s other.json ] && [ -s other.trace.json ] && [ ! -e chosen.json ] ||
        fail "first_second: other.yaml's settings should apply alone: $(ls)"
    grep -q "Total Calls" b.err && fail "summary (heatmap.yaml's, second in link order) printed"
    grep -qx "heatmap: the program embeds 2 different settings; the first in link order (from $PWD/other.yaml) applies" b.err ||
        fail "no line on the two settings: $(cat b.err)"
    # Without HEATMAP_VERBOSE the runtime says nothing about it.
    ./first_second >/dev/null 2>c.err
    [ ! -s c.err ] || fail "unexpected stderr: $(cat c.err)"
    "$view" --show-settings ./first_second >show.txt
    grep -qx "embedded: $PWD/other.yaml" show.txt || fail "$(cat show.txt)"
    grep -q "^note: 1 of the 2 embedded records hold other settings; the first in link order applies" show.txt ||
        fail "no note: $(cat show.txt)"
    ;;
oldruntime)
    # strict_rt.c stands for a runtime of the same ABI that knows no embedded settings.
    "$clang" -O1 -I"$source_dir/include" -c "$source_dir/tests/plugin/strict_rt.c" -o old_rt.o
    # The same program instrumented under a config without runtime: (view.yaml has only view:).
    HEATMAP_CONFIG="$PWD/view.yaml" "$clang" -O0 -fpass-plugin="$prefix/$libdir/heatmap.so" \
        -c settings.c -o no_settings.o
    ! readelf -S no_settings.o | grep -q heatmap_settings || fail "a record without runtime:"
    "$clang" no_settings.o old_rt.o -o old_ok || fail "an object without settings must link"
    STRICT_RT_OUT="$PWD/strict.txt" ./old_ok >/dev/null || fail "old_ok: status $?"
    grep -q "^work_a 300 300 0$" strict.txt || fail "old_ok did not run instrumented: $(cat strict.txt)"
    status=0
    "$clang" settings.o old_rt.o -o old_bad 2>link.err || status=$?
    [ "$status" != 0 ] || fail "an object with settings linked with a runtime that ignores them"
    grep -q "undefined reference to .__heatmap_settings_v1" link.err || fail "$(cat link.err)"
    ;;
malformed)
    check_error() { # FILE WHAT: status 2 and one heatmap-view line naming FILE, no sanitizer report
        status=0
        "$view" --show-settings "$1" >bad.out 2>bad.err || status=$?
        [ "$status" = 2 ] || fail "$1: status $status, expected 2: $(cat bad.err)"
        grep -q "^heatmap-view: $1: $2" bad.err || fail "$1: $(cat bad.err)"
        ! grep -q "Sanitizer\|runtime error" bad.err || fail "$1: $(cat bad.err)"
        [ ! -s bad.out ] || fail "$1: printed settings: $(cat bad.out)"
    }
    echo "not a program" >text.txt
    : >empty
    check_error ./text.txt "not an ELF file"
    check_error ./empty "not an ELF file"
    check_error ./no-such-file "cannot open: No such file or directory"
    mkdir dir
    check_error ./dir "not a regular file"
    size=$(wc -c <app)
    for n in 20 64 200 4096 $((size / 2)) $((size - 1)); do
        head -c "$n" app >"cut$n"
        check_error "./cut$n" "\(not an ELF file\|malformed ELF file\)"
    done
    # The section's record claims more bytes than the section holds.
    python3 - app <<'EOF'
import struct, sys
data = bytearray(open(sys.argv[1], "rb").read())
shoff, = struct.unpack_from("<Q", data, 0x28)
entsize, count, names = struct.unpack_from("<HHH", data, 0x3A)
strtab, = struct.unpack_from("<Q", data, shoff + names * entsize + 0x18)
for i in range(count):
    h = shoff + i * entsize
    name = data[strtab + struct.unpack_from("<I", data, h)[0]:].split(b"\0")[0]
    if name == b"heatmap_settings":
        offset, = struct.unpack_from("<Q", data, h + 0x18)
        struct.pack_into("<I", data, offset + 4, 0x7FFFFFF0)   # the record's size
        open("bigrecord", "wb").write(data)
        struct.pack_into("<I", data, offset + 4, 8)
        struct.pack_into("<Q", data, h + 0x18, len(data) - 4)  # the section's offset, past the end
        open("badsection", "wb").write(data)
EOF
    check_error ./bigrecord "malformed heatmap_settings section: a record's size runs past the section"
    check_error ./badsection "malformed ELF file: "
    ;;
view)
    ./app >/dev/null 2>&1
    count() { python3 -c "import json,sys; print(len(json.load(sys.stdin)['functions']))"; }
    # view.yaml says top 1: the file over the default (all functions in JSON).
    n=$(HEATMAP_CONFIG="$PWD/view.yaml" "$view" --format=json chosen.json | count)
    [ "$n" = 1 ] || fail "view: top from the file: $n functions"
    n=$("$view" --format=json chosen.json | count)
    [ "$n" = 4 ] || fail "no file: $n functions, expected all 4"
    # The environment over the file; a flag over the environment.
    n=$(HEATMAP_CONFIG="$PWD/view.yaml" HEATMAP_VIEW_TOP=2 "$view" --format=json chosen.json | count)
    [ "$n" = 2 ] || fail "HEATMAP_VIEW_TOP=2: $n functions"
    n=$(HEATMAP_CONFIG="$PWD/view.yaml" HEATMAP_VIEW_TOP=2 "$view" --top=3 --format=json chosen.json |
        count)
    [ "$n" = 3 ] || fail "--top=3: $n functions"
    # sort: count from the file: the most called first.
    first=$(HEATMAP_CONFIG="$PWD/view.yaml" "$view" --format=json chosen.json |
        python3 -c "import json,sys; print(json.load(sys.stdin)['functions'][0]['name'])")
    [ "$first" = work_a ] || fail "sort by count from the file: $first first"
    # ./heatmap.yaml is read when HEATMAP_CONFIG is unset; its sources are named.
    mkdir here && cd here
    printf 'view:\n  mode: table\n  top: 2\n' >heatmap.yaml
    HEATMAP_VIEW_SORT=name "$view" --show-settings --percentile=p99 >show.txt
    for want in "mode table heatmap.yaml heatmap.yaml:2:9" "top 2 heatmap.yaml heatmap.yaml:3:8" \
        "sort name environment HEATMAP_VIEW_SORT" "percentile p99 flag --percentile" \
        "width auto default"; do
        grep -q "^  $(echo "$want" | sed 's/ \+/ \\+/g')\$" show.txt || fail "no '$want' in: $(cat show.txt)"
    done
    # The live view's interval as a preference: not an error when a file is viewed (the flag is).
    HEATMAP_VIEW_INTERVAL=2s "$view" --format=json ../chosen.json >/dev/null ||
        fail "HEATMAP_VIEW_INTERVAL with a file: status $?"
    HEATMAP_VIEW_INTERVAL=500ms "$view" --show-settings | grep -q "^  interval \+500ms \+environment HEATMAP_VIEW_INTERVAL$" ||
        fail "interval: $(HEATMAP_VIEW_INTERVAL=500ms "$view" --show-settings)"
    status=0
    "$view" --interval=2s ../chosen.json >/dev/null 2>&1 || status=$?
    [ "$status" = 2 ] || fail "--interval with a file: status $status"
    # Errors: a bad file value at its position, a bad variable by name; status 2.
    printf 'view:\n  mode: tabel\n' >heatmap.yaml
    status=0
    "$view" ../chosen.json >/dev/null 2>err.txt || status=$?
    [ "$status" = 2 ] || fail "bad view.mode: status $status"
    grep -qx "heatmap-view: heatmap.yaml:2:9: error: invalid value for 'view.mode': unknown mode 'tabel' (expected bar, sparkline, table or memory)" err.txt ||
        fail "$(cat err.txt)"
    rm heatmap.yaml
    status=0
    HEATMAP_VIEW_WIDTH=20 "$view" ../chosen.json >/dev/null 2>err.txt || status=$?
    [ "$status" = 2 ] && grep -q "HEATMAP_VIEW_WIDTH=20" err.txt || fail "bad width: $(cat err.txt)"
    ;;
*)
    fail "settings.sh: unknown mode '$mode'"
    ;;
esac
echo "ok: settings $mode"
