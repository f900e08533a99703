#!/usr/bin/env bash
# Runs an image tarball built by -Pimages without a container engine: unpacks its layers into a
# directory and starts the image's entrypoint there with chroot, as the image's user, with an empty
# environment. The service must get as far as reading its configuration and exit 2 naming the
# missing variable: that proves the runtime, its libraries, the classpath and the main class work
# inside the image. Needs root (chroot, a private mount namespace for /proc).
# Usage: smoke.sh IMAGE_TAR EXPECTED_VARIABLE
set -euo pipefail
tar_file=${1:?usage: smoke.sh IMAGE_TAR EXPECTED_VARIABLE}
expected=${2:?usage: smoke.sh IMAGE_TAR EXPECTED_VARIABLE}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/image" "$work/root"
tar -xf "$tar_file" -C "$work/image"
layers=$(tr -d '\n' < "$work/image/manifest.json" | sed -E 's/.*"Layers":\[([^]]*)\].*/\1/' | tr -d '"' | tr ',' ' ')
for l in $layers; do
  tar --warning=no-unknown-keyword -xzf "$work/image/$l" -C "$work/root"
done
config=$(tr -d '\n' < "$work/image/config.json")
user=$(sed -E 's/.*"User":"([^"]*)".*/\1/' <<<"$config")
entrypoint=$(sed -E 's/.*"Entrypoint":\[([^]]*)\].*/\1/' <<<"$config" | tr -d '"' | tr ',' ' ')
mkdir -p "$work/root/proc"
set +e
out=$(unshare -m sh -c "mount -t proc proc '$work/root/proc' && cd / && \
  env -i PATH=/opt/java/bin JAVA_HOME=/opt/java LANG=C.UTF-8 \
  $(command -v chroot) --userspec='$user' '$work/root' $entrypoint" 2>&1)
rc=$?
set -e
if [ "$rc" -eq 2 ] && grep -q "$expected is required but not set" <<<"$out"; then
  echo "smoke.sh: $(basename "$(dirname "$(dirname "$tar_file")")"): entrypoint ran as $user and reported the missing $expected (exit 2): OK"
else
  echo "smoke.sh: $tar_file: expected exit 2 naming $expected, got exit $rc:" >&2
  echo "$out" | tail -20 >&2
  exit 1
fi
