#!/usr/bin/env bash
# Builds the CPU emulation of libcuda.so.1 and libcublas.so.12 (with an empty libcublasLt.so.12) from kernels/*.cu
# into a folder (default /tmp/rnngpu-cuda-emulator) for RNNGPU_CUDA_LIB_DIR. NVRTC stays the real one.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
out=${1:-/tmp/rnngpu-cuda-emulator}
mkdir -p "$out/gen"
flags=(-std=c++17 -O1 -fPIC -I"$here" -Wno-unused-function)
objects=()
for cu in "$root"/kernels/*.cu; do
    name=$(basename "$cu" .cu)
    python3 "$here/gen_wrappers.py" "$cu" "$out/gen/$name.cpp"
    g++ "${flags[@]}" -c "$out/gen/$name.cpp" -o "$out/gen/$name.o"
    objects+=("$out/gen/$name.o")
done
g++ "${flags[@]}" -shared -Wl,-soname,libcuda.so.1 "$here/fake_driver.cpp" "${objects[@]}" -o "$out/libcuda.so.1"
g++ "${flags[@]}" -shared -Wl,-soname,libcublas.so.12 "$here/fake_cublas.cpp" -o "$out/libcublas.so.12"
echo "" | g++ -x c++ -shared -fPIC -Wl,-soname,libcublasLt.so.12 - -o "$out/libcublasLt.so.12"
echo "$out"
