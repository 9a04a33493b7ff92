#!/usr/bin/env bash
# Our CPU speed against the PyTorch peer (../shared/bench), in one run, alternating, as
# docs/BENCHMARKS.md asks: per round and size, `bin/mambamixer bench` (training and inference)
# then the peer's training and inference; prints one line per measurement and, at the end, the
# median over rounds of the per-round ratios. Run it when the machine is quiet (check `uptime`).
#
#   scripts/cpu-vs-torch.sh [ROUNDS [SIZES...]]     e.g. scripts/cpu-vs-torch.sh 3 32x2 128x4
#   JAR=/path/to/other/engine-all.jar scripts/cpu-vs-torch.sh ...   (an older build, for before/after)
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}; shift || true
if [ $# -eq 0 ]; then sizes=(32x2 128x4); else sizes=("$@"); fi
peer=../shared/bench/torch-peer.sh
[ -x "$peer" ] || { echo "error: $peer not found (the PyTorch peer lives in ../shared/bench)" >&2; exit 2; }
jar=${JAR:-engine/target/engine-0.1.0-SNAPSHOT-all.jar}
ours() {   # d layers -> "train infer" samples/s and peak RSS (kB)
  local out
  out=$( { /usr/bin/time -f "RSS_KB %M" java --add-modules jdk.incubator.vector -Xss8m -Xmx8g -jar "$jar" \
            bench --d-model "$1" --layers "$2" --warmup 8 --reps 5 --backend cpu; } 2>&1 )
  echo "$out" | awk -v d="$1" '$1 == d && NF >= 5 { printf "%s %s ", $4, $5 } /^RSS_KB/ { print $2 }'
}
torch() {  # mode d layers -> samples/s and peak RSS (MB)
  "$peer" "$1" "$2" "$3" | tail -1 | python3 -c 'import json,sys; j=json.load(sys.stdin); print(j["samples_per_s"], j["peak_rss_mb"])'
}
declare -A ratios
echo "date $(date -u +%FT%TZ), commit $(git rev-parse --short HEAD), jar $jar, $(nproc) cores, load: $(cut -d' ' -f1-3 /proc/loadavg)"
for r in $(seq 1 "$rounds"); do
  for s in "${sizes[@]}"; do
    d=${s%x*}; l=${s#*x}
    read -r otr oin orss < <(ours "$d" "$l")
    read -r ttr trss < <(torch train "$d" "$l")
    read -r tin _ < <(torch infer "$d" "$l")
    rt=$(python3 -c "print(f'{$otr/$ttr:.2f}')"); ri=$(python3 -c "print(f'{$oin/$tin:.2f}')")
    ratios[$s.train]+="$rt "; ratios[$s.infer]+="$ri "
    printf 'round %d  d%s/%s  train %s vs %s (%s×)  infer %s vs %s (%s×)  RSS %d MB vs %.0f MB\n' \
      "$r" "$d" "$l" "$otr" "$ttr" "$rt" "$oin" "$tin" "$ri" "$((orss / 1024))" "$trss"
  done
done
for k in "${!ratios[@]}"; do
  echo "median ratio $k: $(python3 -c "import statistics; print(statistics.median([float(x) for x in '${ratios[$k]}'.split()]))") (rounds: ${ratios[$k]})"
done | sort
