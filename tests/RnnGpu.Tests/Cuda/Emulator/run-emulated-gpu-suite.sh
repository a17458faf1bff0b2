#!/usr/bin/env bash
# Runs the GPU suite (TestCategory=Gpu) against the CPU emulation of libcuda/libcublas built from kernels/*.cu, with the
# real NVRTC and the real CudaBackend host code. Needs g++, python3, NVRTC and a built tests/RnnGpu.Tests (Release).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../../../.." && pwd)
lib=$("$here/build.sh" "${RNNGPU_EMULATOR_DIR:-/tmp/rnngpu-cuda-emulator}" | tail -n1)
export RNNGPU_CUDA_LIB_DIR="$lib"
export RNNGPU_CACHE="${RNNGPU_CACHE:-$lib/kernel-cache}"
exec "$root/tests/RnnGpu.Tests/bin/Release/net10.0/RnnGpu.Tests" --filter "TestCategory=Gpu" "$@"
