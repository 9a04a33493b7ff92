#!/usr/bin/env bash
# The test command (README): installs prerequisites if needed, then runs every module's tests.
# Tests that need ../shared/data skip when it is absent; GPU tests skip without a GPU.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --no-build
mvn -B -ntp test
scripts/test-notebooks.sh   # executes notebooks/*.ipynb headless with the Java kernel
