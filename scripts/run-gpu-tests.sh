#!/usr/bin/env bash
# Runs the GPU suite from a bundle made by scripts/publish-gpu-bundle.sh, on the machine with the GPU.
# Usage: run-gpu-tests.sh [path/to/gpu-bundle.tar.xz]   (default: dist/gpu-bundle.tar.xz, or the folder this script sits in
# when it is run from an unpacked bundle). Extra NUnit/MTP options may follow the bundle path.
set -uo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bundle=${1:-}
[[ $# -gt 0 ]] && shift

if [[ -z "$bundle" && -x "$here/RnnGpu.Tests/RnnGpu.Tests" ]]; then
    work="$here"                                   # already unpacked
else
    bundle=${bundle:-"$here/../dist/gpu-bundle.tar.xz"}
    [[ -f "$bundle" ]] || { echo "no bundle at $bundle (run scripts/publish-gpu-bundle.sh)" >&2; exit 2; }
    work=/tmp/rnngpu-gpu-tests
    rm -rf "$work"
    mkdir -p "$work"
    tar -C "$work" -xJf "$bundle"
fi

export DOTNET_SYSTEM_GLOBALIZATION_INVARIANT=1
tests="$work/RnnGpu.Tests/RnnGpu.Tests"
results="${OUT:-$work}/gpu-test-results"
mkdir -p "$results"

echo "== nvidia-smi"
nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv 2>/dev/null || echo "(nvidia-smi not available)"

echo "== CudaRuntime.Describe() and the library/loader checks"
"$tests" --filter "FullyQualifiedName~RnnGpu.Tests.Cuda.LibraryLoaderTests" --output detailed --results-directory "$results" \
    | grep -vE '^\s*$' | sed -n '/CUDA driver:/,/^passed DescribeNeverThrows/p' | head -n 60

# Two processes: the persistent time loops (cooperative launches meeting at our own grid barrier, checked on the
# emulator but new to each GPU) run apart from the rest, so that a fault there (a barrier that never opens traps after
# seconds, and a trap makes every later call in that process fail) cannot spoil the other results. A time limit
# guards against anything else that hangs.
echo "== GPU suite, all but the persistent loops"
timeout -k 10 420 "$tests" --filter "TestCategory=Gpu&Name!~Persistent" --results-directory "$results" --report-trx --report-trx-filename gpu.trx "$@"
rc=$?
echo "== GPU suite, the persistent loops (RecurrentStepMode.Persistent)"
timeout -k 10 240 "$tests" --filter "TestCategory=Gpu&Name~Persistent" --results-directory "$results" --report-trx --report-trx-filename gpu-persistent.trx "$@"
rc_persistent=$?
echo "== exit codes $rc (all but persistent), $rc_persistent (persistent); 124 or 137: timed out; results in $results"
(( rc != 0 )) && exit $rc
exit $rc_persistent
