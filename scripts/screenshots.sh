#!/usr/bin/env bash
# Renders every view of the workbench after a short real run (TSM2 on the sample data, then the
# teaching model on selective copying) to PNG, headless (Monocle, software rendering): no display needed.
#   scripts/screenshots.sh [DIR [WIDTHxHEIGHT]]   default DIR: docs/screenshots, window 1440x900
# The sweep view of a sweep folder instead (sweep.png, sweep-brushed.png, sweep-1280x720.png):
#   MAMBAMIXER_JAVA_OPTS="-Dmambamixer.screenshots=sweep -Dmambamixer.screenshots.sweep=SWEEP_DIR" scripts/screenshots.sh
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-docs/screenshots}
[ -n "${2:-}" ] && export MAMBAMIXER_JAVA_OPTS="${MAMBAMIXER_JAVA_OPTS:-} -Dmambamixer.window=$2"
runs=$(mktemp -d)
trap 'rm -rf "$runs"' EXIT
scripts/run-workbench.sh --runs "$runs" --screenshots "$dir"
