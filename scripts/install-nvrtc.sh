#!/usr/bin/env bash
# Installs Debian's NVRTC 11.8 (libnvrtc11.2) so the CUDA kernels can be compiled and checked on a machine
# without a GPU. Idempotent; run as root on Debian bookworm.
set -euo pipefail

if [[ $(id -u) -ne 0 ]]; then
    echo "install-nvrtc.sh: run as root" >&2
    exit 1
fi

# Already installed: nothing to do.
if ldconfig -p | grep -q 'libnvrtc\.so\.11\.2'; then
    echo "libnvrtc.so.11.2 already present: $(ldconfig -p | grep 'libnvrtc\.so\.11\.2' | head -n1 | awk '{print $NF}')"
    exit 0
fi

# NVRTC lives in Debian's non-free component. Add it once, in a file of our own, for the same mirror and suites the
# machine already uses (read from its deb822 sources), so no mirror address is written here.
sources=/etc/apt/sources.list.d/rnngpu-non-free.sources
if ! grep -rqsE '^\s*(Components:.*\bnon-free\b|deb .* bookworm(-updates)? .*\bnon-free\b)' /etc/apt/sources.list /etc/apt/sources.list.d/; then
    system=/etc/apt/sources.list.d/debian.sources
    uri=$(grep -m1 -E '^URIs:' "$system" 2>/dev/null | awk '{print $2}')
    if [[ -z "$uri" ]]; then
        uri=$(grep -m1 -E '^deb ' /etc/apt/sources.list 2>/dev/null | awk '{print $2}')
    fi
    [[ -n "$uri" ]] || { echo "install-nvrtc.sh: cannot find the Debian mirror in the apt configuration" >&2; exit 1; }
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
    cat > "$sources" <<SRC
Types: deb
URIs: $uri
Suites: $codename $codename-updates
Components: non-free
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    echo "added $sources"
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends libnvrtc11.2
ldconfig -p | grep 'libnvrtc' || { echo "libnvrtc not visible to the loader after install" >&2; exit 1; }
