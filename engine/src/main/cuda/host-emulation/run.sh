#!/usr/bin/env bash
# Runs kernels.cu on the CPU under a thread-per-CUDA-thread emulation (shim.h: std::barrier for
# __syncthreads and warp shuffles, a mutex for atomicAdd) and compares the kernels that use
# block/warp cooperation or non-trivial indexing (GEMM, LayerNorm, conv, sum_rows, reduce,
# patchify, swapMiddle, ViM2 dwconv2d/merge2x2, scan fwd/bwd incl. warp-uniform, split-warp and batched paths) with
# double-precision loops. Needs g++ with C++20; about 30 s. Exit status 0 = all passed.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
sed 's/#include <cuda_runtime.h>/#include "shim.h"/; s/extern "C" //' "$here/../kernels.cu" > "$tmp/kernels_host.cpp"
cp "$here/shim.h" "$here/emulate_main.cpp" "$tmp/"
g++ -std=c++20 -O1 -pthread -o "$tmp/emulate" "$tmp/emulate_main.cpp"
"$tmp/emulate" "$@"
