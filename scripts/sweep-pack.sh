#!/usr/bin/env bash
# Packs a sweep folder's finished runs compactly (no checkpoints, no forecasts) so it travels to a GPU
# slot and back within the device limits (docs/SWEEPS.md "Table 5 in GPU slots").
# Usage: scripts/sweep-pack.sh SWEEP_DIR OUT.tar.xz [DATA_DIR]
#   DATA_DIR: where the datasets are on the machine that unpacks it; sweep.json's data paths are
#   rewritten to DATA_DIR/<ETT-small|weather|exchange_rate|...>/<file> (run ids do not depend on them).
set -euo pipefail
src="$(cd "$1" && pwd)"; out="$2"; data="${3:-}"
[ -f "$src/sweep.json" ] || { echo "sweep-pack: $src has no sweep.json" >&2; exit 2; }
name="$(basename "$src")"
tmp="$(mktemp -d)"; trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/$name/runs"
if [ -n "$data" ]; then
  sed -E "s#\"data\": \"[^\"]*/([^/\"]+/[^/\"]+)\"#\"data\": \"$data/\\1\"#" "$src/sweep.json" > "$tmp/$name/sweep.json"
else cp "$src/sweep.json" "$tmp/$name/sweep.json"; fi
[ -f "$src/state.json" ] && cp "$src/state.json" "$tmp/$name/"
n=0
for d in "$src"/runs/*/; do
  id="$(basename "$d")"
  [ -f "$d/test-metrics.json" ] || continue          # finished runs only; the rest run again there
  mkdir -p "$tmp/$name/runs/$id"
  for f in config.json events.jsonl metrics.csv test-metrics.json label.txt; do
    [ -f "$d/$f" ] && cp "$d/$f" "$tmp/$name/runs/$id/"
  done
  [ -f "$src/runs/$id.log" ] && cp "$src/runs/$id.log" "$tmp/$name/runs/"
  n=$((n + 1))
done
tar -C "$tmp" -cf - "$name" | xz -6 -T0 > "$out"
echo "sweep-pack: $n finished runs of $src -> $out ($(du -h "$out" | cut -f1))"
