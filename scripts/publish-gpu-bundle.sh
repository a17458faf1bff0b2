#!/usr/bin/env bash
# Builds a self-contained bundle of the test runner (and the benchmarks, when that project exists) for the GPU
# machine, which has no .NET SDK: dist/gpu-bundle.tar.xz. Unpack and run it there with scripts/run-gpu-tests.sh.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
dist="$root/dist"
rm -rf "$dist/bundle"
mkdir -p "$dist/bundle"

# NU1603 (a newer patch of a package resolved) must not fail a bundle build.
publish() {
    dotnet publish "$1" -c Release -r linux-x64 --self-contained -p:WarningsNotAsErrors=NU1603 -o "$dist/bundle/$2" "${@:3}"
}

publish tests/RnnGpu.Tests RnnGpu.Tests
if [[ -f bench/RnnGpu.Bench/RnnGpu.Bench.csproj ]]; then
    # libtorch stays out of the GPU bundle (it is the CPU baseline of the development machines only).
    publish bench/RnnGpu.Bench RnnGpu.Bench -p:WithTorchSharp=false
fi
cp scripts/run-gpu-tests.sh scripts/run-gpu-profile.sh "$dist/bundle/"

# Both programs carry the same .NET runtime (about 84 MB). A file the benchmarks share byte for byte with the tests
# becomes a hard link, which tar stores once: that keeps the bundle well under the device's 64 MiB carry limit.
if [[ -d "$dist/bundle/RnnGpu.Bench" ]]; then
    (cd "$dist/bundle" && find RnnGpu.Bench -type f -printf '%P\n' | while read -r f; do
        if [[ -f "RnnGpu.Tests/$f" ]] && cmp -s "RnnGpu.Tests/$f" "RnnGpu.Bench/$f"; then ln -f "RnnGpu.Tests/$f" "RnnGpu.Bench/$f"; fi
    done)
fi

tar -C "$dist/bundle" -cJf "$dist/gpu-bundle.tar.xz" .
echo "dist/gpu-bundle.tar.xz: $(du -h "$dist/gpu-bundle.tar.xz" | cut -f1) ($(stat -c %s "$dist/gpu-bundle.tar.xz") bytes)"
