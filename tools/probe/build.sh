#!/usr/bin/env bash
# Build the gpuplan calibration probe without make: needs only nvcc.
# Usage: tools/probe/build.sh [OUTDIR]   (default /tmp/gpuplan-probe)
# Builds for the GPU in this machine when one is visible, else for
# sm_75..sm_90 plus compute_90 PTX.  Not part of gpuplan's CMake build.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=${1:-${PROBE_BUILD_DIR:-/tmp/gpuplan-probe}}
mkdir -p "$OUT"
if [ -n "${ARCH:-}" ]; then
    read -r -a arch <<<"$ARCH"
elif nvidia-smi -L >/dev/null 2>&1; then
    arch=(-arch=native)
else
    arch=()
    for a in 75 80 86 89 90; do arch+=(-gencode "arch=compute_$a,code=sm_$a"); done
    arch+=(-gencode arch=compute_90,code=compute_90)
fi
nvcc -O3 -std=c++17 -lineinfo -Xptxas=-v "${arch[@]}" -o "$OUT/gpuprobe" "$HERE/gpuprobe.cu" 2>"$OUT/ptxas.log" \
    || { cat "$OUT/ptxas.log" >&2; exit 1; }
echo "$OUT/gpuprobe"
