#!/usr/bin/env bash
# Runs the Table 5 sweep (or another sweep file) on a GPU machine for at most SECONDS, several runs
# at once on the one GPU (each run is its own JVM; a TSM2 run keeps the GPU ~40 % busy), then packs
# the finished runs into $OUT/sweep.tar.xz for scripts/sweep-merge.sh. Continues gpu-pack/sweep.tar.xz
# when the slot carried one (scripts/gpu-prepare.sh with SWEEP_DIR=...). docs/SWEEPS.md "Table 5 in
# GPU slots". Usage: [SWEEP_SETTINGS=GLOBS] bash scripts/gpu-sweep.sh SECONDS [WORKERS [SWEEP_FILE]]
# SWEEP_SETTINGS (e.g. 'ETTm*,weather-*'): only those settings' runs (sweep --settings), the ones a CPU can't afford.
set -uo pipefail
secs="${1:?seconds}"; workers="${2:-6}"
here="$(cd "$(dirname "$0")" && pwd)"; root="$(cd "$here/.." && pwd)"
spec="${3:-$root/scripts/sweeps/paper-table5.json}"
out_dir="${OUT:-${TMPDIR:-/tmp}/gpu-sweep-out}"; mkdir -p "$out_dir"
. "$here/gpu-bundle-lib.sh"
gpu_find_bundle "$here" || { echo "gpu-sweep: SETUP ERROR: could not unpack the bundle"; exit 4; }
[ -x "$bundle/jre/bin/java" ] || { echo "gpu-sweep: SETUP ERROR: no bundle (run scripts/gpu-prepare.sh, carry gpu-pack)"; exit 4; }
cp="$bundle/classes"; for j in "$bundle"/lib/*.jar; do case "$j" in *junit-platform-console*) ;; *) cp="$cp:$j";; esac; done
java_cmd=("$bundle/jre/bin/java" -Xss8m -Xmx4g --add-modules jdk.incubator.vector -cp "$cp" dev.mambamixer.engine.cli.Main)
cli() { "${java_cmd[@]}" "$@"; }
export JAVA_TOOL_OPTIONS="-Dmambamixer.cuda.scanFast=true"   # the runs' JVMs too: the fast scans gpu-check verifies
name="$(basename "$spec" .json)"
# a sweep file's data paths point into ../shared/data; on this machine the data is in the bundle
to_bundle_data() { sed -E "s#\"data\": \"[^\"]*/([^/\"]+/[^/\"]+)\"#\"data\": \"$bundle/data/\\1\"#" "$@"; }
work="${TMPDIR:-/tmp}/gpu-sweeps"; dir="$work/$name"; mkdir -p "$work"
if [ -f "$root/gpu-pack/sweep.tar.xz" ] && [ ! -d "$dir" ]; then
  unp="$(mktemp -d -p "$work")" && tar -C "$unp" -xJf "$root/gpu-pack/sweep.tar.xz" && mv "$(ls -d "$unp"/*/ | head -1)" "$dir" \
    && rm -rf "$unp" && echo "== continuing the carried sweep: $(ls "$dir/runs" | grep -vc '\.log$') finished runs"
  to_bundle_data -i "$dir/sweep.json"
fi
gspec="$work/$name.json"
to_bundle_data "$spec" > "$gspec"
nvidia-smi --query-gpu=name,memory.total --format=csv,noheader 2>/dev/null | sed 's/^/== gpu: /'
echo "== sweep $name: $workers workers, ${secs}s, folder $dir"
start=$(date +%s)
# the child runs' JVMs take -Xmx from --worker-heap; the coordinator is stopped by SIGTERM at the time box
if [ -f "$dir/state.json" ]; then what=(sweep resume "$dir"); else what=(sweep run "$gspec" --dir "$dir"); fi
timeout -s TERM --kill-after=20 "$secs" "${java_cmd[@]}" "${what[@]}" --workers "$workers" --worker-heap 6g --backend "${SWEEP_BACKEND:-cuda}" \
  ${SWEEP_SETTINGS:+--settings "$SWEEP_SETTINGS"} 2>&1 \
  | grep -v '^Picked up JAVA_TOOL_OPTIONS' | tee "$out_dir/sweep.log" | grep -E '^\[|selected|^sweep|^only' | tail -n 40
rc=${PIPESTATUS[0]}
echo "== sweep exit $rc after $(( $(date +%s) - start )) s ($( [ $rc -eq 124 ] && echo 'time box reached' || echo 'ended'))"
cli sweep status "$dir" 2>/dev/null | sed -n 1,4p
cli sweep table "$dir" > "$out_dir/sweep-table.log" 2>&1 && cp "$dir"/table.md "$out_dir/" 2>/dev/null
bash "$here/sweep-pack.sh" "$dir" "$out_dir/sweep.tar.xz"
