#!/usr/bin/env bash
# Executes every notebooks/*.ipynb headless with the project's Java kernel, as CI does (scripts/test.sh
# calls this after the Maven tests). Installs Jupyter from Debian packages and the kernel
# (scripts/install-kernel.sh) when missing, runs each notebook with `jupyter nbconvert --execute`
# into notebooks/target/executed/ (the committed notebooks are never touched), fails on any cell
# error or time-out, then checks that every cell tagged "image" produced a PNG
# (notebooks/check_notebooks.py, which also extracts the PNGs to notebooks/target/executed/png/).
#
#   scripts/test-notebooks.sh                  # all notebooks
#   scripts/test-notebooks.sh 01-quick-start   # only those whose name contains an argument
#   HTML=1 scripts/test-notebooks.sh           # also export HTML to notebooks/target/html/
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
CELL_TIMEOUT=${CELL_TIMEOUT:-600}          # s per cell (the longest training cells take about a minute)
NOTEBOOK_TIMEOUT=${NOTEBOOK_TIMEOUT:-1200}  # s per notebook, kernel start included

# Jupyter from Debian's packages (/usr/bin/jupyter; the python3 on PATH may be another interpreter).
need=()
[ -x /usr/bin/jupyter ] && /usr/bin/python3 -c 'import nbconvert' 2>/dev/null || need+=(jupyter-nbconvert)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import nbclient' 2>/dev/null || need+=(python3-nbclient)
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import ipykernel' 2>/dev/null || need+=(python3-ipykernel)
if [ ${#need[@]} -gt 0 ]; then
  echo "test-notebooks: installing ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi

scripts/install-kernel.sh
export JUPYTER_PATH="$ROOT/notebooks/kernel-root${JUPYTER_PATH:+:$JUPYTER_PATH}"

OUT="$ROOT/notebooks/target/executed"
rm -rf "$OUT"
mkdir -p "$OUT/logs"
ran=()
for nb in notebooks/*.ipynb; do
  name=$(basename "$nb" .ipynb)
  if [ $# -gt 0 ]; then
    keep=0; for pat in "$@"; do [[ "$name" == *"$pat"* ]] && keep=1; done
    [ $keep -eq 1 ] || continue
  fi
  ran+=("$name")
  for attempt in 1 2; do
    start=$(date +%s)
    rc=0
    timeout "$NOTEBOOK_TIMEOUT" /usr/bin/jupyter nbconvert --to notebook --execute \
      --ExecutePreprocessor.kernel_name=mambamixer-java \
      --ExecutePreprocessor.startup_timeout=180 \
      --ExecutePreprocessor.timeout="$CELL_TIMEOUT" \
      --output-dir "$OUT" "$nb" > "$OUT/logs/$name.log" 2>&1 || rc=$?
    if [ $rc -eq 0 ]; then
      echo "test-notebooks: $name executed in $(( $(date +%s) - start )) s"
      break
    fi
    # A kernel that never came up is retried once; a cell error or a time-out is not.
    if [ $attempt -eq 1 ] && grep -q "Kernel didn't respond\|Kernel died before replying" "$OUT/logs/$name.log"; then
      echo "test-notebooks: $name: the kernel did not start, retrying"
      continue
    fi
    echo "test-notebooks: $name FAILED (exit $rc after $(( $(date +%s) - start )) s; 124 = time-out); log tail:"
    tail -40 "$OUT/logs/$name.log" | sed 's/^/    /'
    break
  done
done
[ ${#ran[@]} -gt 0 ] || { echo "test-notebooks: no notebook matched $*"; exit 1; }

if [ "${HTML:-0}" = "1" ]; then
  /usr/bin/jupyter nbconvert --to html --output-dir "$ROOT/notebooks/target/html" "$OUT"/*.ipynb >/dev/null 2>&1 || true
fi

# Checks the executed copies; a notebook that failed has none and is reported as failed there.
/usr/bin/python3 notebooks/check_notebooks.py "$OUT" "${ran[@]}"
