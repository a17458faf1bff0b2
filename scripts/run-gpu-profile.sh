#!/usr/bin/env bash
# On the GPU machine, from a bundle unpacked by scripts/run-gpu-tests.sh (or any folder holding RnnGpu.Bench/; when
# there is none, it unpacks dist/gpu-bundle.tar.xz, or $RNNGPU_BUNDLE, itself): times
# our GPU backend per call with CUDA events (events) over every GPU configuration, one pass per way of running it:
#   auto            the defaults
#   cublas          the per-step recurrent product from cuBLAS (--recurrent-steps cublas)
#   fused-direct    the product inside the step kernels, launched one by one (--recurrent-steps fused --step-graphs off)
#   fused-graphs    the same, replayed as CUDA graphs (--recurrent-steps fused); where cublas and fused cross is what
#                   RecurrentStepMode.Auto's threshold should be
#   persistent      each layer's time loop as one cooperative launch with a grid barrier between steps
#                   (--recurrent-steps persistent); where it beats fused-graphs, Auto should pick it
#   tf32            cuBLAS's float32 GEMMs on TF32 tensor cores (--tf32 on), for the report's TF32-with-TF32 column
#                   against baseline.py's cudnn-tf32
#   profile         op profiles (events --profile, which launches one by one) of PROFILED_CONFIGS, the small-hidden
#                   points where cuDNN has been faster: the GEMM / kernel / idle-gap split behind each time
#   profile-cublas  the same with the product from cuBLAS: on the H100 the batch-16, hidden-128 training steps took 3x
#                   as long as hidden 256 with the same launches, so a per-step cuBLAS GEMM shape is the suspect, and
#                   the op profile names each GEMM shape with its time
# Each pass writes its own impl name (ours-events, ours-events-cublas, ...), so `report --results $OUT/gpu-profile`
# (with baseline.py's JSON copied in) puts them side by side.
# Usage: run-gpu-profile.sh [PROFILED_CONFIGS]   (default: the small-hidden points and the PyTorch default).
# PASSES (environment) picks the passes, default all of the above in that order; each pass over every configuration
# takes a minute or two, so under a 10-minute limit per command they can go in separate calls.
# TIMED_CONFIGS (environment) narrows the timing passes, default all.
# Results go to $OUT/gpu-profile/<pass>/ (ours-events-gpu.json; ops-profile-gpu.md for the profile passes).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
work=${RNNGPU_BUNDLE_DIR:-/tmp/rnngpu-gpu-tests}
[[ -x "$here/RnnGpu.Bench/RnnGpu.Bench" ]] && work="$here"
bench="$work/RnnGpu.Bench/RnnGpu.Bench"
if [[ ! -x "$bench" ]]; then
    # A fresh machine (the lent one is handed back when idle): unpack the bundle the way run-gpu-tests.sh does.
    bundle=${RNNGPU_BUNDLE:-"$here/../dist/gpu-bundle.tar.xz"}
    [[ -f "$bundle" ]] || { echo "no $bench and no bundle at $bundle (run scripts/publish-gpu-bundle.sh)" >&2; exit 2; }
    mkdir -p "$work"
    tar -C "$work" -xJf "$bundle"
fi

configs=${1:-haste-lstm-b1-h128,haste-lstm-b16-h128,haste-lstm-b64-h128,haste-lstm-b16-h256,haste-gru-b16-h128,tut-gru50x2,tut-lstm30-mnist,pt-lstm-l1}
out="${OUT:-/tmp}/gpu-profile"
export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
for pass in ${PASSES:-auto cublas fused-direct fused-graphs persistent tf32 profile profile-cublas}; do
    case $pass in
        auto) options=() ;;
        cublas) options=(--recurrent-steps cublas) ;;
        fused-direct) options=(--recurrent-steps fused --step-graphs off) ;;
        fused-graphs) options=(--recurrent-steps fused --step-graphs on) ;;
        persistent) options=(--recurrent-steps persistent) ;;
        tf32) options=(--tf32 on) ;;
        profile) options=(--recurrent-steps auto) ;;
        profile-cublas) options=(--recurrent-steps cublas) ;;
        *) echo "unknown pass '$pass'" >&2; exit 2 ;;
    esac
    echo "== $pass: events ${options[*]}"
    if [[ $pass == profile* ]]; then
        "$bench" --gpu-set "$configs" "${options[@]}" --out "$out/$pass" events --device gpu --profile 20
    else
        "$bench" --gpu-set "${TIMED_CONFIGS:-all}" "${options[@]}" --out "$out/$pass" events --device gpu
    fi
done
