#!/usr/bin/env bash
# Brings the runs a GPU slot finished (scripts/gpu-sweep.sh's sweep.tar.xz) into a local sweep folder:
# every run finished there and not here is copied in (a partial local folder of it is replaced). Then
# `mambamixer sweep resume SWEEP_DIR` takes them as finished and goes on (docs/SWEEPS.md).
# Stop the folder's coordinator first. Usage: scripts/sweep-merge.sh SWEEP.tar.xz SWEEP_DIR
set -euo pipefail
pack="$1"; dst="$(cd "$2" && pwd)"
[ -f "$dst/sweep.json" ] || { echo "sweep-merge: $dst has no sweep.json" >&2; exit 2; }
root="$(cd "$(dirname "$0")/.." && pwd)"
if "$root/bin/mambamixer" sweep status "$dst" 2>/dev/null | head -1 | grep -q "a coordinator is running"; then
  echo "sweep-merge: a coordinator is running $dst; stop it first" >&2; exit 2
fi
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
tar -C "$tmp" -xJf "$pack"
src="$(ls -d "$tmp"/*/ | head -1)"
n=0; kept=0
for d in "$src"runs/*/; do
  id="$(basename "$d")"
  [ -f "$d/test-metrics.json" ] || continue
  if [ -f "$dst/runs/$id/test-metrics.json" ]; then kept=$((kept + 1)); continue; fi
  rm -rf "$dst/runs/$id"; mkdir -p "$dst/runs"
  cp -r "$d" "$dst/runs/$id"
  [ -f "$src/runs/$id.log" ] && cp "$src/runs/$id.log" "$dst/runs/"
  n=$((n + 1))
done
echo "sweep-merge: $n finished runs copied into $dst ($kept were finished here already); next: mambamixer sweep resume $dst"
