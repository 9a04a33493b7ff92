#!/usr/bin/env bash
# Builds gpu-bundle/: everything scripts/gpu-check.sh needs on a bare GPU machine that may
# have no Java and no Maven (docs/CUDA.md "Running the GPU check"):
#   gpu-bundle/jre/         a jlink'ed Java 17 runtime (~36 MB)
#   gpu-bundle/classes/     engine main classes + kernels.ptx
#   gpu-bundle/test-classes engine test classes
#   gpu-bundle/lib/         runtime jars (jcuda natives slimmed to the driver library) and
#                           junit-platform-console-standalone
#   gpu-bundle/data/        the Table 5 datasets from ../shared/data (same layout), when present
# and packs it as gpu-pack/gpu-bundle.tar.xz (~30 MB): that folder is what a device run carries
# (carry ["gpu-pack"]); scripts/gpu-bundle-lib.sh unpacks it there. Both folders ignore themselves.
# With SWEEP_DIR=<a sweep folder> it also packs that sweep's finished runs as gpu-pack/sweep.tar.xz
# for scripts/gpu-sweep.sh to continue (docs/SWEEPS.md "Table 5 in GPU slots").
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
cp scripts/gpu-check.sh scripts/gpu-bundle-lib.sh "$bundle/"   # the check also works from inside the bundle
# Real data (never committed; ../shared/data): ETTh1 for the check's epochs and end-to-end run, and
# every Table 5 dataset for scripts/gpu-sweep.sh, in shared/data's layout.
shared="${SHARED_DATA:-$root/../shared/data}"
for f in ETT-small/ETTh1.csv ETT-small/ETTh2.csv ETT-small/ETTm1.csv.gz ETT-small/ETTm2.csv.gz \
         weather/weather.csv.gz exchange_rate/exchange_rate.csv; do
  if [ -f "$shared/$f" ]; then mkdir -p "$bundle/data/$(dirname "$f")" && cp "$shared/$f" "$bundle/data/$f";
  else echo "gpu-prepare: no $shared/$f (the check then times epochs on synthetic data; the sweep lacks it)" >&2; fi
done
git rev-parse HEAD > "$bundle/COMMIT" 2>/dev/null || true
date -u +%Y-%m-%dT%H:%M:%SZ >> "$bundle/COMMIT"   # a new bundle is unpacked anew even at the same commit
for need in classes/dev/mambamixer/engine/backend/cuda/kernels.ptx \
            test-classes/dev/mambamixer/engine/backend/BackendContractTest.class jre/bin/java COMMIT; do
  [ -e "$bundle/$need" ] || { echo "gpu-prepare: bundle incomplete: $need missing" >&2; exit 1; }
done
ls "$bundle"/lib/junit-platform-console-standalone-*.jar >/dev/null
du -sh "$bundle" "$bundle/jre" "$bundle/lib"

echo "gpu-prepare: packing gpu-pack/gpu-bundle.tar.xz"
pack="$root/gpu-pack"
rm -rf "$pack" && mkdir -p "$pack"
printf '*\n' > "$pack/.gitignore"
tar -C "$root" --exclude=gpu-bundle/.gitignore -cf - gpu-bundle | xz -6 -T0 > "$pack/gpu-bundle.tar.xz"
cp "$bundle/COMMIT" "$pack/COMMIT"
if [ -n "${SWEEP_DIR:-}" ]; then bash "$root/scripts/sweep-pack.sh" "$SWEEP_DIR" "$pack/sweep.tar.xz" /tmp/gpu-bundle/data; fi
# What a device run sends: tracked and untracked-not-ignored files plus the carried gpu-pack, 64 MiB at most.
tree_b=$(git ls-files -z --cached --others --exclude-standard | xargs -0 du -cb 2>/dev/null | awk 'END{print $1}')
pack_b=$(du -sb "$pack" | cut -f1)
echo "gpu-prepare: working tree $((tree_b / 1048576)) MiB + gpu-pack $((pack_b / 1048576)) MiB = $(((tree_b + pack_b) / 1048576)) MiB (limit 64)"
if [ $((tree_b + pack_b)) -gt $((62 * 1048576)) ]; then
  echo "gpu-prepare: ERROR: over 62 MiB, a device run would be refused" >&2; exit 1
fi
echo "gpu-prepare: done. On the GPU machine (carry [\"gpu-pack\"]): bash scripts/gpu-check.sh"
