#!/usr/bin/env bash
# On the GPU machine, from a bundle unpacked by scripts/run-gpu-tests.sh (or any folder holding RnnGpu.Bench/): times
# our GPU backend per call with CUDA events (events) over every GPU configuration: with the default settings, with the
# recurrent product from cuBLAS, computed inside the step kernels launched one by one, and the same replayed as CUDA
# graphs (--recurrent-steps cublas / fused --step-graphs off / fused: where they cross is what
# RecurrentStepMode.Auto's threshold should be), and with cuBLAS's float32 GEMMs on TF32 tensor cores (--tf32 on, for
# the report's TF32-with-TF32 column against baseline.py's cudnn-tf32); then with op profiles (events --profile, which
# launches one by one) of the small-hidden configurations where cuDNN has been faster: the GEMM / kernel / idle-gap split behind each time.
# Each pass writes its own impl name (ours-events, ours-events-cublas, ...), so `report --results $OUT/gpu-profile`
# (with baseline.py's JSON copied in) puts them side by side.
# Usage: run-gpu-profile.sh [PROFILED_CONFIGS]   (default: the small-hidden points and the PyTorch default).
# PASSES (environment) picks what runs, default "auto cublas fused-direct fused-graphs tf32 profile"; each pass over every
# configuration takes a minute or two, so under a 10-minute limit per command they can go in separate calls.
# TIMED_CONFIGS (environment) narrows the timing passes, default all.
# Results go to $OUT/gpu-profile/{auto,cublas,fused-direct,fused-graphs,tf32,profile}/ (ours-events-gpu.json; ops-profile-gpu.md).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${RNNGPU_BUNDLE_DIR:-/tmp/rnngpu-gpu-tests}
[[ -x "$here/RnnGpu.Bench/RnnGpu.Bench" ]] && work="$here"
bench="$work/RnnGpu.Bench/RnnGpu.Bench"
[[ -x "$bench" ]] || { echo "no $bench: unpack the bundle first (scripts/run-gpu-tests.sh does)" >&2; exit 2; }

configs=${1:-haste-lstm-b1-h128,haste-lstm-b16-h128,haste-lstm-b64-h128,haste-lstm-b16-h256,haste-gru-b16-h128,tut-gru50x2,tut-lstm30-mnist,pt-lstm-l1}
out="${OUT:-/tmp}/gpu-profile"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
for pass in ${PASSES:-auto cublas fused-direct fused-graphs tf32 profile}; do
    case $pass in
        auto) options=() ;;
        cublas) options=(--recurrent-steps cublas) ;;
        fused-direct) options=(--recurrent-steps fused --step-graphs off) ;;
        fused-graphs) options=(--recurrent-steps fused --step-graphs on) ;;
        tf32) options=(--tf32 on) ;;
        profile) options=() ;;
        *) echo "unknown pass '$pass'" >&2; exit 2 ;;
    esac
    echo "== $pass: events ${options[*]}"
    if [[ $pass == profile ]]; then
        "$bench" --gpu-set "$configs" --recurrent-steps auto --out "$out/profile" events --device gpu --profile 20
    else
        "$bench" --gpu-set "${TIMED_CONFIGS:-all}" "${options[@]}" --out "$out/$pass" events --device gpu
    fi
done
