#!/bin/sh
# Install the Debian packages heatmap needs, if any are missing (apt-get update, then install).
# usage: scripts/deps.sh [build|test|fleet]   LLVM_VERSION=14 (default) selects clang/llvm packages.
# fleet: what scripts/fleet.sh needs besides the build (Prometheus, curl, python3).
set -eu
llvm=${LLVM_VERSION:-14}
packages="cmake make gcc g++ pkg-config git clang-$llvm llvm-$llvm-dev llvm-$llvm-tools
          libclang-$llvm-dev libyaml-dev libjansson-dev libncurses-dev
          libprotobuf-c-dev protobuf-c-compiler zlib1g-dev libdw-dev libelf-dev libmicrohttpd-dev"
if [ "${1:-build}" = test ]; then
    packages="$packages libcmocka-dev tmux clang-format-14 golang-go curl libxml2-utils python3 lld-$llvm libclang-rt-$llvm-dev
              groff-base man-db dpkg"
fi
if [ "${1:-build}" = fleet ]; then
    packages="$packages prometheus curl python3"
fi
missing=""
for p in $packages; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done
[ -z "$missing" ] && exit 0
echo "heatmap: installing missing packages:$missing" >&2
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# shellcheck disable=SC2086
$sudo apt-get install -y -qq --no-install-recommends $missing >/dev/null
