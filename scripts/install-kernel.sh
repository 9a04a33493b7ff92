#!/usr/bin/env bash
# Installs the project's Java Jupyter kernel, "Java (MambaMixer)": builds the engine, charts and
# notebooks modules, collects their runtime jars and the rapaio Java kernel (Maven Central) in
# notebooks/target/kernel-lib/, and writes the kernel spec
# notebooks/kernel-root/kernels/mambamixer-java/kernel.json.
#
#   scripts/install-kernel.sh          # then: JUPYTER_PATH=$PWD/notebooks/kernel-root jupyter notebook notebooks/
#   scripts/install-kernel.sh --user   # also registers it for this user (jupyter kernelspec install --user)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
NAME=mambamixer-java
LIB="$ROOT/notebooks/target/kernel-lib"
SPEC="$ROOT/notebooks/kernel-root/kernels/$NAME"

scripts/setup.sh --no-build   # JDK 17+, Maven, OpenBLAS when missing

echo "install-kernel: building engine, charts, notebooks (mvn package, tests skipped)"
rm -rf "$LIB"   # no stale jars from an older build on the kernel's classpath
mvn -B -q -ntp -Dstyle.color=never -Dptx.skip=true -pl notebooks -am package -DskipTests
cp notebooks/target/notebooks-*.jar "$LIB/"
ls "$LIB"/rapaio-jupyter-kernel-*.jar >/dev/null   # the kernel itself

JAVA=$(readlink -f "$(command -v java)")
if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then JAVA="$JAVA_HOME/bin/java"; fi

mkdir -p "$SPEC"
# KernelMain starts rapaio's kernel (MainApp) with a start-up race fixed and quiet logs.
# All jars go on the JVM classpath (not RJK_CLASSPATH): the kernel's display system finds our
# renderers with ServiceLoader on that classpath, and notebook code compiles against it.
cat > "$SPEC/kernel.json" <<JSON
{
  "argv": ["$JAVA", "--add-modules", "jdk.incubator.vector", "-Xss8m", "-Djava.awt.headless=true",
           "-cp", "$LIB/*", "dev.mambamixer.notebooks.kernel.KernelMain", "{connection_file}"],
  "display_name": "Java (MambaMixer)",
  "language": "java",
  "interrupt_mode": "message",
  "env": {"RJK_CLASSPATH": "", "RJK_COMPILER_OPTIONS": "", "RJK_INIT_SCRIPT": "", "RJK_TIMEOUT_MILLIS": "-1"}
}
JSON
echo "install-kernel: wrote $SPEC/kernel.json ($(ls "$LIB" | wc -l) jars in $LIB)"

if [ "${1:-}" = "--user" ]; then
  jupyter kernelspec install --user --replace --name "$NAME" "$SPEC"
fi
