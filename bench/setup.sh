# Sourced by the bench scripts after `here` (their folder) is set: the arguments every one takes,
# the tools and a scratch folder, the same way each time.
#
#   bench_setup DEFAULT_ITERATIONS DEFAULT_RUNS [PREFIX] [ITERATIONS] [RUNS]
#
# sets prefix (a heatmap install, default ./_install as scripts/demo.sh makes it), iterations,
# runs, llvm (LLVM_VERSION, default 14), clang (that LLVM's) and work (a new temporary folder the
# caller removes in its EXIT trap), and points PKG_CONFIG_PATH at the install.
bench_setup() {
    prefix=$(cd "${3:-$here/../_install}" && pwd)
    iterations=${4:-$1}
    runs=${5:-$2}
    llvm=${LLVM_VERSION:-14}
    clang=/usr/lib/llvm-$llvm/bin/clang
    work=$(mktemp -d)
    export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
}
