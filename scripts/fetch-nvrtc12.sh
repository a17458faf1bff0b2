#!/usr/bin/env bash
# Fetches NVRTC 12.4 (Debian 13 "trixie" non-free: libnvrtc12 and libnvrtc-builtins12.4) into a private folder, so
# the kernels can be compile-checked with NVRTC 12 as well as with the system's 11.8 (scripts/install-nvrtc.sh) on a
# machine without a GPU. Nothing is installed and the system's apt state is not touched: apt runs with its own
# source list, lists and cache under the destination, checks the suite's signature against the system's Debian
# archive keyring, and the two packages are also checked against pinned SHA-256 values before they are unpacked.
# Prints the folder holding libnvrtc.so.12 as its last line; use it as RNNGPU_CUDA_LIB_DIR and LD_LIBRARY_PATH
# (NVRTC loads its builtins library by soname). Idempotent.
# Usage: fetch-nvrtc12.sh [destination]   (default: ${XDG_CACHE_HOME:-$HOME/.cache}/rnngpu/nvrtc-12.4.127)
set -euo pipefail

version='12.4.127~12.4.1-2'
declare -A sha256=(
    [libnvrtc12]=db76acbd9ad53eae57291114b615ed21551592dee0b1160990a33066d86c251c
    [libnvrtc-builtins12.4]=c4f9ea43c3e176a9f46b50718d546adb0dc7344432cd7d8b1483692e0416d24c
)

dest=${1:-"${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/rnngpu/nvrtc-12.4.127"}
lib="$dest/root/usr/lib/x86_64-linux-gnu"
if [[ -f "$lib/libnvrtc.so.12" && -f "$lib/libnvrtc-builtins.so.12.4" ]]; then
    echo "$lib"
    exit 0
fi

# The mirror the machine already uses (read from its apt configuration, so no address is written here).
uri=$(grep -hm1 -E '^URIs:' /etc/apt/sources.list.d/*.sources 2>/dev/null | awk '{print $2}' | head -n1 || true)
[[ -n "$uri" ]] || uri=$(grep -m1 -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}' || true)
[[ -n "$uri" ]] || { echo "fetch-nvrtc12.sh: cannot find the Debian mirror in the apt configuration" >&2; exit 1; }

apt_dir="$dest/apt"
rm -rf "$apt_dir" "$dest/root"
mkdir -p "$apt_dir/sources" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/debs"
cat > "$apt_dir/sources/trixie-non-free.sources" <<SRC
Types: deb
URIs: $uri
Suites: trixie
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
apt_options=(
    -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::State::status=/dev/null" -o "Dir::Cache=$apt_dir/cache" -o "Dir::Cache::Archives=$apt_dir/cache/archives"
    -o "APT::Architecture=amd64" -o "Debug::NoLocking=1" -o "APT::Sandbox::User=$(id -un)"
)
apt-get "${apt_options[@]}" -qq update >&2
(cd "$apt_dir/debs" && apt-get "${apt_options[@]}" -qq download "libnvrtc12=$version" "libnvrtc-builtins12.4=$version" >&2)

for package in "${!sha256[@]}"; do
    deb=$(ls "$apt_dir/debs/${package}_"*.deb)
    echo "${sha256[$package]}  $deb" | sha256sum --quiet -c - || { echo "fetch-nvrtc12.sh: $deb does not match its pinned SHA-256" >&2; exit 1; }
    dpkg-deb -x "$deb" "$dest/root"
done
rm -rf "$apt_dir"
echo "$lib"
