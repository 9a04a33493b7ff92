#!/usr/bin/env bash
# The workbench: a JavaFX desktop app that trains MambaMixer models live and shows what they select.
# Sets up (JDK, Maven, OpenBLAS, and GTK for JavaFX when missing), builds the UI module, launches it.
#   scripts/run-workbench.sh            open the window; pick data (the sample data is selected) and press Start
#   scripts/run-workbench.sh --start    ... and start training at once with the quick settings
#   scripts/run-workbench.sh --help     all options
set -euo pipefail
cd "$(dirname "$0")/.."

headless=no
for a in "$@"; do [ "$a" = "--screenshots" ] && headless=yes; done
if [ "$headless" = no ] && [ "$(uname -s)" = Linux ] && [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  cat >&2 <<'MSG'
The workbench is a desktop app and found no display (DISPLAY / WAYLAND_DISPLAY are not set).
  - on a desktop: run scripts/run-workbench.sh in a terminal of that desktop
  - over SSH: ssh -X (X forwarding), or a virtual display:
      apt-get install xvfb && xvfb-run -s '-screen 0 1600x1000x24' scripts/run-workbench.sh
  - without any display: scripts/screenshots.sh renders every view of a short run to docs/screenshots/
  - the CLI needs no display: scripts/run-sample.sh, bin/mambamixer --help
MSG
  exit 3
fi

scripts/setup.sh --no-build
# JavaFX draws through GTK 3 on Linux desktops (not needed for the headless screenshots).
if [ "$headless" = no ] && [ "$(uname -s)" = Linux ] && ! ldconfig -p 2>/dev/null | grep -q 'libgtk-3\.so\.0'; then
  echo "installing: libgtk-3-0 (JavaFX on Linux)"
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq libgtk-3-0 >/dev/null
fi

# Rebuild only when a source or pom is newer than the last build (a relaunch then starts in seconds).
stamp=workbench-ui/target/.workbench-built
jar=$(ls workbench-ui/target/workbench-ui-*.jar 2>/dev/null | head -1 || true)
if [ -z "$jar" ] || [ ! -f workbench-ui/target/classpath.txt ] || [ ! -f "$stamp" ] \
   || [ -n "$(find pom.xml engine charts workbench-ui -newer "$stamp" \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) \
              -not -path '*/target/*' -print -quit)" ]; then
  echo "building the workbench (first time: a minute or two) ..."
  mkdir -p workbench-ui/target && touch "$stamp.new"   # taken before the build: an edit during it still counts as newer
  mvn -B -q -ntp -DskipTests -pl workbench-ui -am package dependency:build-classpath \
      -DincludeScope=runtime -Dmdep.outputFile=target/classpath.txt
  jar=$(ls workbench-ui/target/workbench-ui-*.jar | head -1)
  mv "$stamp.new" "$stamp"
else
  echo "the workbench is up to date (no source changed since the last build): starting"
fi
# MAMBAMIXER_JAVA_OPTS: extra JVM options, e.g. -Dmambamixer.window=1280x720
exec java --add-modules jdk.incubator.vector -Xss8m ${MAMBAMIXER_JAVA_OPTS:-} -cp "$jar:$(cat workbench-ui/target/classpath.txt)" \
     dev.mambamixer.workbench.Launcher "$@"
