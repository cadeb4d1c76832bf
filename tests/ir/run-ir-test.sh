#!/usr/bin/env bash
# Runs one IR test the way LLVM's lit does: every `RUN:` line in the test file (after `;` or `//`,
# a trailing `\` continues it on the next line) is a bash command, run with pipefail after these
# substitutions:
#   %opt       opt with the plugin loaded: -load= registers its -heatmap-* options before opt
#              parses them (LLVM 14 loads -load-pass-plugin too late), -load-pass-plugin= its pass
#   %clang     clang, %clangxx clang++ (add -fpass-plugin=%plugin yourself)
#   %plugin    the plugin's path            %FileCheck  FileCheck
#   %s         the test file                %S          its directory (Inputs/ lives there)
#   %t         a scratch path for this test (a directory %t.d is also created, empty)
#   not CMD    succeeds when CMD fails (as LLVM's `not`)
# HEATMAP_CONFIG points at Inputs/default.yaml (the built-in defaults) and HEATMAP_REPORT is unset,
# so no heatmap.yaml above the build tree can change a test; tests that exercise the lookup unset
# them themselves.
# Usage: run-ir-test.sh TEST OPT FILECHECK CLANG CLANGXX PLUGIN SCRATCH_DIR
set -u
test_file=$1 opt=$2 filecheck=$3 clang=$4 clangxx=$5 plugin=$6 scratch=$7
src_dir=$(cd "$(dirname "$test_file")" && pwd)
name=$(basename "$test_file")
tmp="$scratch/$name.tmp"
rm -rf "$tmp" "$tmp.d"
mkdir -p "$scratch" "$tmp.d"

not() { if "$@"; then return 1; else return 0; fi; }
export -f not
export HEATMAP_CONFIG="$src_dir/Inputs/default.yaml"
unset HEATMAP_REPORT

# Collect the RUN lines, joining continuations.
mapfile -t runs < <(sed -n -E 's@^[[:space:]]*(;+|//+)[[:space:]]*RUN:[[:space:]]?(.*)$@\2@p' "$test_file" |
    awk '{ if (sub(/\\[[:space:]]*$/, "")) { buf = buf $0 " " } else { print buf $0; buf = "" } }')
if [ "${#runs[@]}" -eq 0 ]; then
    echo "$name: no RUN lines" >&2
    exit 1
fi
cd "$tmp.d" || exit 1
for cmd in "${runs[@]}"; do
    cmd=${cmd//%opt/"$opt -load=$plugin -load-pass-plugin=$plugin"}
    cmd=${cmd//%clangxx/$clangxx}
    cmd=${cmd//%clang/$clang}
    cmd=${cmd//%plugin/$plugin}
    cmd=${cmd//%FileCheck/$filecheck}
    cmd=${cmd//%s/$test_file}
    cmd=${cmd//%S/$src_dir}
    cmd=${cmd//%t/$tmp}
    echo "RUN: $cmd"
    if ! bash -o pipefail -c "$cmd"; then
        echo "$name: FAILED at: $cmd" >&2
        exit 1
    fi
done
echo "$name: passed"
