#!/usr/bin/env bash
# Installs what the build needs on a fresh Debian/Ubuntu machine (JDK 17+, Maven, native OpenBLAS
# for the CPU GEMMs) when it is missing, then builds the engine's runnable jar.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v java >/dev/null 2>&1 || need+=(openjdk-17-jdk-headless)
command -v mvn >/dev/null 2>&1 || need+=(maven)
# netlib's JNIBLAS loads libblas.so.3; OpenBLAS makes it fast (reference BLAS would be slow).
ls /usr/lib/x86_64-linux-gnu/openblas-pthread/libblas.so.3 >/dev/null 2>&1 \
  || ls /usr/lib/*/openblas*/libblas.so.3 >/dev/null 2>&1 || need+=(libopenblas0)
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ "${1:-}" != "--no-build" ]; then
  mvn -B -q -ntp -DskipTests package
fi
