#!/usr/bin/env bash
# On the GPU machine, from a bundle unpacked by scripts/run-gpu-tests.sh (or any folder holding RnnGpu.Bench/): times
# our GPU backend per call with CUDA events and writes the op profile of each configuration (events --profile): the
# GEMM / kernel / idle-gap split behind the small-hidden configurations where cuDNN is faster.
# Usage: run-gpu-profile.sh [CONFIGS]   (default: the small-hidden points and the PyTorch default, for comparison).
# Results go to $OUT/gpu-profile (ours-events-gpu.json, ops-profile-gpu.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${RNNGPU_BUNDLE_DIR:-/tmp/rnngpu-gpu-tests}
[[ -x "$here/RnnGpu.Bench/RnnGpu.Bench" ]] && work="$here"
bench="$work/RnnGpu.Bench/RnnGpu.Bench"
[[ -x "$bench" ]] || { echo "no $bench: unpack the bundle first (scripts/run-gpu-tests.sh does)" >&2; exit 2; }

configs=${1:-haste-lstm-b1-h128,haste-lstm-b16-h128,haste-lstm-b64-h128,haste-lstm-b16-h256,haste-gru-b16-h128,tut-gru50x2,tut-lstm30-mnist,pt-lstm-l1}
out="${OUT:-/tmp}/gpu-profile"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
"$bench" --gpu-set "$configs" --out "$out" events --device gpu --profile 20
