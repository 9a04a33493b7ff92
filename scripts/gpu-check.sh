#!/usr/bin/env bash
# One-command GPU check of the CUDA backend (docs/CUDA.md). Runs, with the JUnit console
# launcher, the CUDA test classes from the prebuilt gpu-bundle/ (scripts/gpu-prepare.sh),
# using the bundled JRE, so the GPU machine needs neither Java nor Maven. Prints a table of
# every kernel's max relative error vs the float64 reference and PASS/FAIL, then bandwidth.
# Exit status: 0 all passed; 1 test failures; 3 no GPU was used (tests skipped); 4 setup error.
# Budget: about 4-5 minutes on an H100/H200 (the PTX JIT takes a few seconds once).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/gpu-bundle-lib.sh"
gpu_find_bundle "$here" || { echo "gpu-check: SETUP ERROR: could not unpack gpu-pack/gpu-bundle.tar.xz"; exit 4; }
limit="${GPU_CHECK_TIMEOUT:-420}"
out_dir="${OUT:-${TMPDIR:-/tmp}}"
report="$out_dir/gpu-check-report.tsv"
log="$out_dir/gpu-check-junit.log"
mkdir -p "$out_dir" 2>/dev/null
if ! : > "$report" 2>/dev/null; then out_dir="$(mktemp -d)"; report="$out_dir/gpu-check-report.tsv"; log="$out_dir/gpu-check-junit.log"; : > "$report"; fi

echo "== gpu-check: bundle $bundle"
if [ ! -d "$bundle/test-classes" ]; then
  echo "gpu-check: no prebuilt bundle at $bundle."
  if command -v mvn >/dev/null && command -v java >/dev/null; then
    echo "gpu-check: Maven and Java present: building it with scripts/gpu-prepare.sh"
    bash "$here/gpu-prepare.sh" || { echo "gpu-check: SETUP ERROR: gpu-prepare.sh failed"; exit 4; }
  else
    echo "gpu-check: SETUP ERROR: run scripts/gpu-prepare.sh on the build machine and carry gpu-pack"
    exit 4
  fi
fi
[ -f "$bundle/COMMIT" ] && echo "== bundle built from commit $(cat "$bundle/COMMIT")"

java_bin=""
if [ -x "$bundle/jre/bin/java" ] && "$bundle/jre/bin/java" -version >/dev/null 2>&1; then
  java_bin="$bundle/jre/bin/java"
elif command -v java >/dev/null && java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])'; then
  echo "gpu-check: bundled JRE unusable here ($("$bundle/jre/bin/java" -version 2>&1 | head -1)); using system java"
  java_bin="$(command -v java)"
else
  echo "gpu-check: SETUP ERROR: no usable Java 17+: the bundled JRE does not run on this machine"
  "$bundle/jre/bin/java" -version 2>&1 | head -3
  echo "           and no system java 17+ (install openjdk-17-jre-headless or carry a compatible JRE)"
  exit 4
fi
echo "== java: $java_bin ($("$java_bin" -version 2>&1 | head -1))"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader 2>&1 | sed 's/^/== gpu: /'
else
  echo "== gpu: nvidia-smi not found"
fi

console="$(ls "$bundle"/lib/junit-platform-console-standalone-*.jar 2>/dev/null | head -1)"
[ -n "$console" ] || { echo "gpu-check: SETUP ERROR: junit-platform-console-standalone missing from $bundle/lib"; exit 4; }
cp="$bundle/classes:$bundle/test-classes"
for j in "$bundle"/lib/*.jar; do [ "$j" = "$console" ] || cp="$cp:$j"; done

tmo=()
command -v timeout >/dev/null && tmo=(timeout --kill-after=10 "$limit")
echo "== running CUDA tests (limit ${limit}s, log $log)"
start=$(date +%s)
"${tmo[@]}" "$java_bin" -Xss8m -Xmx8g --add-modules jdk.incubator.vector \
  -Dmambamixer.gpucheck.report="$report" -Dmambamixer.cuda.sync=true -Dmambamixer.cuda.scanFast=true \
  -jar "$console" execute --disable-banner --disable-ansi-colors --details=tree --class-path "$cp" \
  --select-class dev.mambamixer.engine.backend.cuda.KernelSignatureTest \
  --select-class dev.mambamixer.engine.backend.BackendContractTest \
  --select-class dev.mambamixer.engine.backend.cuda.CudaScanBandwidthTest \
  --select-class dev.mambamixer.engine.backend.cuda.CudaTsm2StepParityTest \
  --select-class dev.mambamixer.engine.backend.cuda.CudaVim2StepParityTest \
  --select-class dev.mambamixer.engine.backend.cuda.CudaGraphStepTest > "$log" 2>&1
rc=$?
secs=$(( $(date +%s) - start ))
# Show the launcher's tree and failures, without the long jcuda stack traces.
grep -vE '^[│ ]*\s+at |\.\.\. [0-9]+ more|^\[gpu-check\]|nested stack traces' "$log" | tail -n 80
echo
echo "== JUnit finished in ${secs}s with exit code $rc"
[ $rc -eq 124 ] || [ $rc -eq 137 ] && echo "gpu-check: TIMED OUT after ${limit}s"

# The CLI from the bundle with the fast scans on: JVM properties first, then --, then the CLI's arguments.
cli() {
  local jvm=()
  while [ "$1" != "--" ]; do jvm+=("$1"); shift; done
  shift
  "${tmo[@]}" "$java_bin" -Xss8m -Xmx16g --add-modules jdk.incubator.vector -Dmambamixer.cuda.scanFast=true "${jvm[@]}" \
    -cp "$cp" dev.mambamixer.engine.cli.Main "$@"
}
quiet() { grep -vE '^WARNING|^[A-Z][a-z]{2} [0-9]+, ' "$1" | tail -n "$2"; }   # a log without JVM/JUL noise

echo
echo "== TSM2 training benchmark on the GPU (ETTh1 shape: batch 32, T=512, H=96, M=7)"
bench_log="$out_dir/gpu-bench.log"
cli -- bench --backend cuda --d-model 32,128 --layers 2,4 --warmup 3 --reps 10 > "$bench_log" 2>&1
echo "== bench exit code $?"
quiet "$bench_log" 12
echo "(an ETTh1 H=96 training epoch is 8033 windows: epoch seconds = 8033 / train samples/s)"

echo
echo "== ViM2 on the GPU (issue 11): training-step and inference images/s, MNIST preset (batch 256) and ViM2-T at 224^2 (batch 32)"
vim_log="$out_dir/gpu-vim2.log"
cli -- vision bench --backend cuda --preset mnist --batch 256 --warmup 3 --reps 10 > "$vim_log" 2>&1
echo "== vision bench (mnist) exit code $?"
quiet "$vim_log" 3
cli -- vision bench --backend cuda --preset tiny --batch 32 --warmup 2 --reps 5 > "$vim_log.2" 2>&1
echo "== vision bench (tiny) exit code $?"
quiet "$vim_log.2" 3

echo
etth1="$bundle/data/ETT-small/ETTh1.csv"
data_opt=(); [ -f "$etth1" ] && data_opt=(--data "$etth1")
echo "== real training epochs (ETTh1 $( [ -f "$etth1" ] && echo 'real data' || echo 'shape, synthetic data'): T=512, H=96, batch 32, d_model 32, 2 layers; epoch = 8033 windows, 251 steps)"
epoch_log="$out_dir/gpu-epochs.log"
cli -- bench --backend cuda --epochs 3 --d-model 32 --layers 2 --drivers host,device,graph "${data_opt[@]}" > "$epoch_log" 2>&1
echo "== epoch bench exit code $?"
quiet "$epoch_log" 8
cli -- bench --backend cuda --epochs 2 --d-model 128 --layers 4 --drivers graph "${data_opt[@]}" > "$epoch_log.2" 2>&1
echo "== epoch bench (d128/4) exit code $?"
grep -E '^128 ' "$epoch_log.2"

echo
echo "== GPU busy time over epoch 2's training steps (graph driver, cuEvents around each replay and copy)"
prof_log="$out_dir/gpu-profile.log"
cli -Dmambamixer.cuda.profile=true -- bench --backend cuda --epochs 2 --d-model 32 --layers 2 --drivers graph "${data_opt[@]}" > "$prof_log" 2>&1
echo "== profiled epoch exit code $?"
quiet "$prof_log" 25

echo
echo "== per-kernel profile of one recorded step's kernels (device driver: same kernels, launched one by one), 2 epochs"
prof2_log="$out_dir/gpu-profile-kernels.log"
cli -Dmambamixer.cuda.profile=true -- bench --backend cuda --epochs 2 --d-model 32 --layers 2 --drivers device "${data_opt[@]}" > "$prof2_log" 2>&1
echo "== profiled (device driver) exit code $?"
quiet "$prof2_log" 40

if [ -f "$etth1" ]; then
  echo
  echo "== ETTh1 end to end, recommended config b (docs/RESULTS.md), graph driver"
  train_log="$out_dir/gpu-train.log"
  start_t=$(date +%s)
  cli -- train --data "$etth1" --seq-len 512 --horizon 96 --d-model 32 --layers 2 --batch 32 --lr 1e-4 --dropout 0.2 \
    --epochs 10 --warmup 100 --eval-every 100 --patience 6 --backend cuda --step-driver graph \
    --runs-dir "${TMPDIR:-/tmp}/gpu-runs" > "$train_log" 2>&1
  echo "== train exit code $? in $(( $(date +%s) - start_t )) s"
  grep -iE 'training steps|test|best epoch|stop|error|epoch [0-9]+.*val' "$train_log" | grep -v '^WARNING' | tail -n 16
fi

echo
echo "================ CUDA backend check ================"
awk -F'\t' '$1=="device"{print "device: " $2; exit}' "$report"
printf '%-64s %-11s %-7s %s\n' "kernel" "max rel err" "tol" "result"
awk -F'\t' '$1=="kernel"{printf "%-64s %-11s %-7s %s\n", $2, $3, $4, $5}' "$report"
echo
printf '%-40s %-14s %-12s %s\n' "throughput" "rate" "time/call" "vs copy"
awk -F'\t' '$1=="bandwidth"||$1=="perf"{printf "%-40s %-14s %-12s %s\n", $2, $3, $4, $5}' "$report"
npass=$(awk -F'\t' '$1=="kernel"&&$5=="PASS"' "$report" | wc -l); nfail=$(awk -F'\t' '$1=="kernel"&&$5!="PASS"' "$report" | wc -l)
echo
echo "kernel checks: $npass passed, $nfail failed; junit exit $rc; ${secs}s"
if ! awk -F'\t' '$1=="device"{f=1} END{exit !f}' "$report"; then
  echo "gpu-check: NO GPU USED - the CUDA tests were skipped. Reason:"
  grep -o 'no usable CUDA GPU.*' "$log" | head -1
  exit 3
fi
[ $rc -eq 0 ] && [ "$nfail" -eq 0 ] && { echo "gpu-check: ALL PASSED"; exit 0; }
echo "gpu-check: FAILURES (see $log)"
exit 1
