# What the end-to-end scripts of tests/e2e/*/ share; sourced (POSIX sh), after `set -eu` and
# reading their arguments: `. "$source_dir/tests/e2e/lib.sh"`.

# here: the folder of the script that sources this file, with its test programs and checkers.
here=$(cd "$(dirname "$0")" && pwd)

# e2e_workdir PREFIX LIBDIR WORK_DIR FILE...: pkg-config finds the heatmap installed in PREFIX,
# WORK_DIR is made afresh with the FILEs (names in $here) copied into it, and the script goes
# there.
e2e_workdir() {
    export PKG_CONFIG_PATH="$1/$2/pkgconfig"
    e2e_dir=$3
    shift 3
    rm -rf "$e2e_dir"
    mkdir -p "$e2e_dir"
    for e2e_file in "$@"; do
        cp "$here/$e2e_file" "$e2e_dir/"
    done
    cd "$e2e_dir"
}

# e2e_compile OUT SOURCE FLAG...: SOURCE compiled with the installed plugin and linked with the
# shared runtime (pkg-config heatmap) into OUT, by $clang with the FLAGs.
e2e_compile() {
    e2e_out=$1 e2e_src=$2
    shift 2
    # shellcheck disable=SC2046
    "$clang" "$@" $(pkg-config --cflags heatmap) "$e2e_src" -o "$e2e_out" $(pkg-config --libs heatmap)
}

# fail MESSAGE...: the test fails with MESSAGE on stderr. A script may define its own after this.
fail() {
    echo "FAIL: $*" >&2
    exit 1
}
