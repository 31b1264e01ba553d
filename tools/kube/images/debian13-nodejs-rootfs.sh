#!/usr/bin/env bash
# The Debian 13 (trixie) root filesystem with Debian's own `nodejs` package (Node 20): the
# base of the app image, the same base the Dockerfile's runtime stage installs. Built with
# debootstrap from the machine's own Debian mirror and cached outside the repository, so a
# change to the app never fetches Debian again; rebuilt only when this script changes.
#
#   tools/kube/images/debian13-nodejs-rootfs.sh   build if missing or out of date, then print the folder
#
# The last line on stdout is the root filesystem folder; progress goes to stderr. Needs root.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../../.." && pwd)"
. "$repo_root/tools/lib/common.sh"

cache_root="${PRIVATEJET_CACHE:-$HOME/.cache/privatejet}/debian13-nodejs"
rootfs="$cache_root/rootfs"

stamp_now="$(sha256sum < "${BASH_SOURCE[0]}" | cut -c1-16)"
is_current() { [ "$(cat "$cache_root/.complete" 2>/dev/null)" = "$stamp_now" ]; }
if ! is_current; then
  # Two test runs starting at once: the second waits for the first's root filesystem.
  mkdir -p "$cache_root"
  exec 9>"$cache_root/.lock"
  flock 9
fi
if ! is_current; then
  ensure_debian_packages /usr/sbin/debootstrap debootstrap >&2
  start=$EPOCHREALTIME
  echo "nodejs rootfs: debootstrap Debian 13 with nodejs into $rootfs" >&2
  rm -rf "$rootfs" "$cache_root/.complete" && mkdir -p "$rootfs" "$cache_root/packages"
  # Downloaded packages are kept, so a rebuild (a change here) fetches only what changed.
  debootstrap --variant=minbase --include=nodejs --components=main --cache-dir="$cache_root/packages" \
    trixie "$rootfs" "$(debian_mirror)" > "$cache_root/debootstrap.log" 2>&1 \
    || { tail -20 "$cache_root/debootstrap.log" >&2; exit 1; }

  # Smaller: no documentation, manuals, translations, package lists, logs or apt caches.
  rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian,linda}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/var/cache/ldconfig/* "$rootfs"/var/log/*

  echo "nodejs rootfs: node $(chroot "$rootfs" /usr/bin/node --version)" >&2
  echo "$stamp_now" > "$cache_root/.complete"
  awk -v start="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "nodejs rootfs: ready in %.1fs\n", now - start }' >&2
fi
echo "$rootfs"
