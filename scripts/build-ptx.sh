#!/usr/bin/env bash
# Regenerates the committed PTX of the CUDA backend from engine/src/main/cuda/kernels.cu.
# The committed PTX is the source of truth at run time, so builds without nvcc still work;
# run this after editing kernels.cu and commit both files (docs/CUDA.md).
#
# nvcc 13 stamps PTX ISA 9.0, which only drivers >= 580 accept. The kernels use nothing newer
# than PTX ISA 7.8 (CUDA 11.8), so the header is rewritten to 7.8 and ptxas (when present)
# re-checks the result for sm_80 and sm_90: ptxas rejects any instruction the declared ISA lacks.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
src="$root/engine/src/main/cuda/kernels.cu"
# Optional argument: where to write (the Maven "nvcc" profile writes into target/classes).
dst="${1:-$root/engine/src/main/resources/dev/mambamixer/engine/backend/cuda/kernels.ptx}"
PTX_ISA="${PTX_ISA:-7.8}"
ARCH="${ARCH:-compute_80}"
command -v nvcc >/dev/null || { echo "build-ptx: nvcc not found; keeping the committed $dst" >&2; exit 0; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
nvcc -ptx -arch="$ARCH" -o "$tmp/kernels.ptx" "$src"
sed -E "s/^\.version [0-9]+\.[0-9]+$/.version $PTX_ISA/" "$tmp/kernels.ptx" > "$tmp/out.ptx"
grep -q "^\.version $PTX_ISA$" "$tmp/out.ptx" || { echo "build-ptx: no .version line rewritten" >&2; exit 1; }
if command -v ptxas >/dev/null; then
  for sm in sm_80 sm_90; do ptxas -arch=$sm "$tmp/out.ptx" -o /dev/null; done
fi
mkdir -p "$(dirname "$dst")"
cp "$tmp/out.ptx" "$dst"
echo "build-ptx: wrote $dst ($(grep -c '^\.visible \.entry' "$dst") kernels, PTX ISA $PTX_ISA, $ARCH, $(nvcc --version | tail -1))"
