#!/usr/bin/env bash
# Builds gpu-bundle/: everything scripts/gpu-check.sh needs on a bare GPU machine that may
# have no Java and no Maven (docs/CUDA.md "Running the GPU check"):
#   gpu-bundle/jre/         a jlink'ed Java 17 runtime (~36 MB)
#   gpu-bundle/classes/     engine main classes + kernels.ptx
#   gpu-bundle/test-classes engine test classes
#   gpu-bundle/lib/         runtime jars (jcuda natives slimmed to the driver library) and
#                           junit-platform-console-standalone
# The folder ignores itself (its own .gitignore), so it must be named in the device run's carry.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
bundle="$root/gpu-bundle"
junit_platform="${JUNIT_PLATFORM_VERSION:-1.14.4}"   # matches JUnit Jupiter 5.14.4 in the root pom
m2="${MAVEN_REPO:-$HOME/.m2/repository}"
offline="${MVN_OFFLINE:--o}"

echo "gpu-prepare: compiling engine and tests"
mvn $offline -q -pl engine test-compile dependency:copy-dependencies -DincludeScope=runtime \
    -DoutputDirectory=target/gpu-deps
console="$m2/org/junit/platform/junit-platform-console-standalone/$junit_platform/junit-platform-console-standalone-$junit_platform.jar"
if [ ! -f "$console" ]; then
  mvn $offline -q dependency:get -Dartifact="org.junit.platform:junit-platform-console-standalone:$junit_platform"
fi

rm -rf "$bundle"
mkdir -p "$bundle/lib"
printf '*\n' > "$bundle/.gitignore"
cp -r engine/target/classes "$bundle/classes"
cp -r engine/target/test-classes "$bundle/test-classes"
cp "$console" "$bundle/lib/"
for jar in engine/target/gpu-deps/*.jar; do
  case "$(basename "$jar")" in
    jcuda-natives-*)
      # Only libJCudaDriver is loaded by the driver API; the PTX-compiler/NVRTC/runtime
      # libraries are ~24 MB we do not need to carry.
      tmp="$(mktemp -d)"
      (cd "$tmp" && unzip -q "$root/$jar" && find lib -name '*.so' ! -name 'libJCudaDriver-*' -delete \
        && zip -qr "$bundle/lib/$(basename "$jar")" .)
      rm -rf "$tmp" ;;
    hazelcast-*)
      # 21 MB, only for `worker` and `sweep --executor cluster`; a GPU slot runs sweeps with the
      # local executor, and the bundle must stay under the 64 MiB carry limit.
      ;;
    *) cp "$jar" "$bundle/lib/" ;;
  esac
done
unzip -l "$bundle"/lib/jcuda-natives-*.jar | grep -q 'libJCudaDriver-' \
  || { echo "gpu-prepare: slimmed jcuda-natives lost libJCudaDriver" >&2; exit 1; }

echo "gpu-prepare: linking a small JRE"
link_jre() {
  rm -rf "$bundle/jre"
  jlink --add-modules java.base,java.logging,java.management,java.xml,jdk.unsupported,jdk.incubator.vector \
        --strip-debug --no-header-files --no-man-pages --compress=2 --output "$bundle/jre" 2>"$bundle/jlink.log" \
    && "$bundle/jre/bin/java" -version >/dev/null 2>&1
}
if ! link_jre; then
  echo "gpu-prepare: jlink failed once, retrying:" >&2; cat "$bundle/jlink.log" >&2
  link_jre || { echo "gpu-prepare: jlink failed:" >&2; cat "$bundle/jlink.log" >&2; exit 1; }
fi
rm -f "$bundle/jlink.log"
cp scripts/gpu-check.sh "$bundle/"   # the script also works from inside the bundle
# Real ETTh1 for the epoch timing and the end-to-end training run (never committed; ../shared/data).
etth1="${ETTH1_CSV:-$root/../shared/data/ETT-small/ETTh1.csv}"
if [ -f "$etth1" ]; then mkdir -p "$bundle/data" && cp "$etth1" "$bundle/data/ETTh1.csv";
else echo "gpu-prepare: no ETTh1.csv at $etth1: the GPU check times epochs on synthetic data of the same size" >&2; fi
git rev-parse HEAD > "$bundle/COMMIT" 2>/dev/null || true
for need in classes/dev/mambamixer/engine/backend/cuda/kernels.ptx \
            test-classes/dev/mambamixer/engine/backend/BackendContractTest.class jre/bin/java COMMIT; do
  [ -e "$bundle/$need" ] || { echo "gpu-prepare: bundle incomplete: $need missing" >&2; exit 1; }
done
ls "$bundle"/lib/junit-platform-console-standalone-*.jar >/dev/null
du -sh "$bundle" "$bundle/jre" "$bundle/lib"
total_kib=$(du -sk "$bundle" | cut -f1)
if [ "$total_kib" -gt $((60 * 1024)) ]; then
  echo "gpu-prepare: WARNING bundle is ${total_kib} KiB, close to the 64 MiB carry limit" >&2
fi
echo "gpu-prepare: done. Run on the GPU machine (carry gpu-bundle): bash scripts/gpu-check.sh"
