# Sourced by scripts/gpu-check.sh and scripts/gpu-sweep.sh: finds the prebuilt GPU bundle
# (scripts/gpu-prepare.sh). It travels to the GPU machine as one archive, gpu-pack/gpu-bundle.tar.xz
# (~30 MB: the repository and what a device run carries must stay under 64 MiB together, and the
# bundle's JRE alone is ~41 MB unpacked), and is unpacked once per machine into $GPU_UNPACK.
# Sets: bundle (its folder).
gpu_find_bundle() {
  local here="$1" root pack dest
  if [ -x "$here/jre/bin/java" ] || [ -d "$here/test-classes" ]; then bundle="$here"; return 0; fi   # run from inside it
  root="$(cd "$here/.." && pwd)"
  if [ -n "${GPU_BUNDLE:-}" ]; then bundle="$GPU_BUNDLE"; return 0; fi
  if [ -d "$root/gpu-bundle/test-classes" ]; then bundle="$root/gpu-bundle"; return 0; fi
  pack="$root/gpu-pack/gpu-bundle.tar.xz"
  dest="${GPU_UNPACK:-${TMPDIR:-/tmp}}"
  if [ -f "$pack" ]; then
    if [ ! -f "$dest/gpu-bundle/COMMIT" ] || ! cmp -s "$dest/gpu-bundle/COMMIT" "$root/gpu-pack/COMMIT"; then
      echo "== unpacking $pack into $dest"
      rm -rf "$dest/gpu-bundle" && mkdir -p "$dest" && tar -C "$dest" -xJf "$pack" || return 1
    fi
    bundle="$dest/gpu-bundle"; return 0
  fi
  bundle="$root/gpu-bundle"   # absent: the caller reports it
}
