#!/usr/bin/env bash
# The plan of bench/README.md ("A GPU session, step by step") as few device commands as possible: the lent GPU machine
# is handed back after a short idle time and every fresh start costs minutes of the session's device time, so one
# command runs as many steps as fit in its 10-minute limit. Run from the repository root (the device gets a copy of the
# working tree) with the bundle of scripts/publish-gpu-bundle.sh carried (dist/gpu-bundle.tar.xz).
#
# STEPS (environment) lists the steps, in order; default: tests, the timing passes of scripts/run-gpu-profile.sh
# (auto cublas fused-direct fused-graphs persistent tf32 profile profile-cublas), then baseline (bench/torch/baseline.py:
# cuDNN, TF32 off and on), then kernels (ptxas's registers and shared memory of every kernel for the device, with the
# machine's NVRTC). Optional: host-cpu and host-cpu-baseline (ours and PyTorch on the host's CPU, 16 threads,
# the `medium` set). A step is not started when less than its usual time is left before DEADLINE (seconds since the
# start, default 560), so the command ends within the limit with every finished step's output under $OUT:
#   gpu-tests.log                      the device, the driver, the libraries, and the GPU suite (scripts/run-gpu-tests.sh)
#   gpu-profile/<pass>/, <pass>.log    each timing or profile pass
#   gpu-profile/baseline-gpu.json      cuDNN (the report step reads it beside the passes)
#   gpu-profile/kernels-sm_N-nvrtcV.md the kernels' resources (the report step leaves it alone)
#   host-cpu/                          the optional CPU steps
#   session.log                        each step's exit code and seconds, and the steps left for the next command
# Usage: STEPS="tests auto cublas fused-direct fused-graphs persistent" bash scripts/run-gpu-session.sh
#        then the rest: STEPS="tf32 profile profile-cublas baseline kernels" bash scripts/run-gpu-session.sh
set -uo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-/tmp/rnngpu-session}
mkdir -p "$out"
deadline=${DEADLINE:-560}
steps=${STEPS:-tests auto cublas fused-direct fused-graphs persistent tf32 profile profile-cublas baseline kernels}
export OUT="$out" DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
work=${RNNGPU_BUNDLE_DIR:-/tmp/rnngpu-gpu-tests}
if [[ ! -x "$work/RnnGpu.Bench/RnnGpu.Bench" ]]; then
    bundle=${RNNGPU_BUNDLE:-"$root/dist/gpu-bundle.tar.xz"}
    [[ -f "$bundle" ]] || { echo "no bundle at $bundle (run scripts/publish-gpu-bundle.sh here and carry it)" >&2; exit 2; }
    mkdir -p "$work"
    tar -C "$work" -xJf "$bundle"
fi

# Seconds a step usually needs on an H100 (a timing pass: about 40 configurations, both modes, 110 calls each).
usual() {
    case $1 in
        tests) echo 150 ;;
        kernels) echo 30 ;;
        baseline) echo 150 ;;
        host-cpu|host-cpu-baseline) echo 240 ;;
        *) echo 90 ;;
    esac
}

run_step() {
    case $1 in
        tests) bash "$work/run-gpu-tests.sh" > "$out/gpu-tests.log" 2>&1 ;;
        baseline)
            mkdir -p "$out/gpu-profile"
            python3 "$root/bench/torch/baseline.py" --out "$out/gpu-profile/baseline-gpu.json" > "$out/gpu-profile/baseline.log" 2>&1 ;;
        kernels)
            mkdir -p "$out/gpu-profile"
            "$work/RnnGpu.Bench/RnnGpu.Bench" kernels --out "$out/gpu-profile" > "$out/gpu-profile/kernels.log" 2>&1 ;;
        host-cpu)
            "$work/RnnGpu.Bench/RnnGpu.Bench" --job short --cpu-set medium --threads 16 --filter '*OursCpu*' \
                --out "$out/host-cpu" > "$out/host-cpu.log" 2>&1 ;;
        host-cpu-baseline)
            mkdir -p "$out/host-cpu"
            python3 "$root/bench/torch/baseline.py" --cpu --threads 16 --set medium --out "$out/host-cpu/baseline-cpu.json" \
                > "$out/host-cpu-baseline.log" 2>&1 ;;
        *)
            mkdir -p "$out/gpu-profile"
            PASSES="$1" bash "$work/run-gpu-profile.sh" > "$out/gpu-profile/$1.log" 2>&1 ;;
    esac
}

# One step in a process of its own, so that the loop below can put a time limit on it.
if [[ ${1:-} == --step ]]; then
    run_step "$2"
    exit $?
fi

start=$SECONDS
left=()
{
    echo "steps: $steps; deadline ${deadline}s"
    for step in $steps; do
        elapsed=$((SECONDS - start))
        if ((${#left[@]} > 0 || elapsed + $(usual "$step") > deadline)); then
            left+=("$step")
            continue
        fi
        began=$SECONDS
        # Never past the deadline: a step that hangs is stopped, and the steps after it still get their turn next time.
        timeout -k 10 $((deadline - elapsed)) bash "${BASH_SOURCE[0]}" --step "$step"
        echo "$step: exit code $?, $((SECONDS - began)) s"
    done
    if ((${#left[@]} > 0)); then echo "left for the next command: STEPS=\"${left[*]}\""; else echo "every step was started (each one's exit code is above)"; fi
} 2>&1 | tee "$out/session.log"
