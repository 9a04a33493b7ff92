#!/usr/bin/env bash
# Small TSM2 hyper-parameter sweep on ETTh1 (T=512, H=96), standard protocol. Model selection is by
# validation MSE (the run's best validation); test MSE/MAE are reported for every run.
# Usage: scripts/etth1-sweep.sh PATH/TO/ETTh1.csv [BACKEND] [RUNS_DIR]
# A sweep file with selection on validation only: `mambamixer sweep run scripts/sweeps/etth1-t512.json` (docs/SWEEPS.md).
# Uses gpu-bundle/ (JRE + classes, see scripts/gpu-prepare.sh) when present, else bin/mambamixer.
set -uo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
data="${1:?usage: etth1-sweep.sh ETTh1.csv [backend] [runs-dir]}"
backend="${2:-auto}"
runs="${3:-runs/etth1-sweep}"
if [ -d "$root/gpu-bundle/classes" ]; then
  b="$root/gpu-bundle"; cp="$b/classes"; for j in "$b"/lib/*.jar; do cp="$cp:$j"; done
  java_bin="$b/jre/bin/java"; [ -x "$java_bin" ] || java_bin=java
  mm() { "$java_bin" -Xss8m -Xmx16g --add-modules jdk.incubator.vector -cp "$cp" dev.mambamixer.engine.cli.Main "$@"; }
else
  mm() { "$root/bin/mambamixer" "$@"; }
fi
common=(--data "$data" --seq-len 512 --horizon 96 --backend "$backend" --runs-dir "$runs" --batch 32)
configs=(
  "a --d-model 32 --layers 2 --lr 5e-4 --dropout 0.2 --epochs 3 --warmup 50 --eval-every 50 --patience 6"
  "b --d-model 32 --layers 2 --lr 1e-4 --dropout 0.2 --epochs 10 --warmup 100 --eval-every 100 --patience 6"
  "c --d-model 32 --layers 2 --lr 1e-3 --dropout 0.3 --epochs 3 --warmup 50 --eval-every 50 --patience 6"
  "d --d-model 32 --layers 2 --lr 2e-4 --dropout 0.3 --weight-decay 0.05 --epochs 6 --warmup 100 --eval-every 63 --patience 6"
  "e --d-model 64 --layers 2 --lr 2e-4 --dropout 0.3 --epochs 6 --warmup 100 --eval-every 63 --patience 6"
  "f --d-model 128 --layers 2 --lr 1e-4 --dropout 0.3 --epochs 6 --warmup 100 --eval-every 63 --patience 6"
  "g --d-model 32 --layers 1 --lr 5e-4 --dropout 0.3 --epochs 4 --warmup 50 --eval-every 50 --patience 6"
  "h --d-model 32 --layers 2 --lr 1e-4 --dropout 0.1 --epochs 10 --warmup 100 --eval-every 63 --patience 6 --schedule constant"
)
printf '%-4s %-9s %-9s %-9s %-8s %s\n' run best_val test_mse test_mae wall_s config
for c in "${configs[@]}"; do
  name="${c%% *}"; args=(${c#* })
  start=$(date +%s)
  log="$(mm train "${common[@]}" --name "$name" "${args[@]}" 2>&1)"
  secs=$(( $(date +%s) - start ))
  tm="$(printf '%s\n' "$log" | grep -E '^test: MSE' | tail -1)"
  bv="$(printf '%s\n' "$log" | grep -oE 'best epoch [0-9]+ \(val MSE [0-9.]+' | grep -oE '[0-9]+\.[0-9]+$')"
  printf '%-4s %-9s %-9s %-9s %-8s %s\n' "$name" "${bv:-?}" "$(echo "$tm" | awk '{print $3}')" \
    "$(echo "$tm" | awk '{print $5}')" "$secs" "${args[*]}"
  [ -n "$tm" ] || printf '%s\n' "$log" | tail -5
done
