#!/bin/sh
# Style gate: every C/C++ source of ours must be exactly what clang-format (with .clang-format)
# makes of it. `scripts/check-format.sh --fix` rewrites the files instead of checking them.
# Test inputs whose line numbers the tests assert on (fixtures, IR inputs, the programs under
# tests/*/e2e, binaries and robust) are left as written.
set -eu
cd "$(dirname "$0")/.."
fmt=${CLANG_FORMAT:-clang-format-14}  # one version: formatters differ between releases
files=$(find config plugin runtime results export viewer scan include bench tests tools \
    \( -name '*.c' -o -name '*.h' -o -name '*.cpp' \) 2>/dev/null |
    grep -v -E '/fixtures/|/Inputs/|^tests/export/e2e/|^tests/plugin/binaries/|^tests/e2e/robust/|^tests/e2e/profile/|^tests/viewer/run_prog\.c|^tests/fuzz/corpus/|^tests/e2e/programs/' |
    sort)
if [ "${1:-}" = "--fix" ]; then
    echo "$files" | xargs "$fmt" -i
    exit 0
fi
if echo "$files" | xargs "$fmt" --dry-run --Werror; then
    echo "format: $(echo "$files" | wc -l) files match .clang-format"
else
    echo "format: the files above differ from .clang-format; run scripts/check-format.sh --fix" >&2
    exit 1
fi
