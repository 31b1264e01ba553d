#!/usr/bin/env bash
# The Debian 13 (trixie) root filesystem with HAProxy 3.0, laid out like the official
# haproxy:3.0 image (user haproxy 99:99, /usr/local/sbin/haproxy, /usr/local/etc/haproxy,
# docker-entrypoint.sh). One build serves twice: the gateway tests run its haproxy with chroot
# (Debian 12's host haproxy is 2.6), and tools/kube/images/build.sh packs it as the gateway
# image of the test cluster. Built with debootstrap from the machine's own Debian mirror and
# cached outside the repository; rebuilt when this script or the entrypoint changes.
#
#   tools/haproxy/debian13-rootfs.sh      build if missing or out of date, then print the folder
#
# The last line on stdout is the root filesystem folder; progress goes to stderr. Needs root.
set -euo pipefail

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../.." && pwd)"
. "$repo_root/tools/lib/common.sh"

cache_root="${PRIVATEJET_CACHE:-$HOME/.cache/privatejet}/debian13-haproxy"
rootfs="$cache_root/rootfs"
entrypoint="$repo_root/tools/kube/images/haproxy-entrypoint.sh"
# The official image's user and group (haproxy:3.0 Dockerfile: uid 99, gid 99).
haproxy_uid=99

stamp_now="$(cat "${BASH_SOURCE[0]}" "$entrypoint" | sha256sum | cut -c1-16)"
if [ "$(cat "$cache_root/.complete" 2>/dev/null)" != "$stamp_now" ]; then
  ensure_debian_packages /usr/sbin/debootstrap debootstrap >&2
  start=$EPOCHREALTIME
  echo "haproxy rootfs: debootstrap Debian 13 with haproxy into $rootfs" >&2
  rm -rf "$rootfs" "$cache_root/.complete" && mkdir -p "$rootfs" "$cache_root/packages"
  # Downloaded packages are kept, so a rebuild (a change here) fetches only what changed.
  debootstrap --variant=minbase --include=haproxy --components=main --cache-dir="$cache_root/packages" \
    trixie "$rootfs" "$(debian_mirror)" > "$cache_root/debootstrap.log" 2>&1 \
    || { tail -20 "$cache_root/debootstrap.log" >&2; exit 1; }

  # The Debian package made a system user with the next free id; move it to the official
  # image's 99:99 so pods written for that image (runAsUser: 99) work unchanged.
  old_uid="$(chroot "$rootfs" id -u haproxy)"
  old_gid="$(chroot "$rootfs" id -g haproxy)"
  chroot "$rootfs" groupmod --gid "$haproxy_uid" haproxy
  chroot "$rootfs" usermod --uid "$haproxy_uid" --gid "$haproxy_uid" --home /var/lib/haproxy haproxy
  find "$rootfs" -xdev -uid "$old_uid" -exec chown -h "$haproxy_uid" {} +
  find "$rootfs" -xdev -gid "$old_gid" -exec chgrp -h "$haproxy_uid" {} +

  # The official image's layout: binary, config folder, error pages, working folder, entrypoint.
  mkdir -p "$rootfs/usr/local/sbin" "$rootfs/usr/local/etc/haproxy" "$rootfs/var/lib/haproxy" "$rootfs/usr/local/bin"
  ln -sf /usr/sbin/haproxy "$rootfs/usr/local/sbin/haproxy"
  ln -sfn /etc/haproxy/errors "$rootfs/usr/local/etc/haproxy/errors"
  chown "$haproxy_uid:$haproxy_uid" "$rootfs/var/lib/haproxy"
  install -m 755 "$entrypoint" "$rootfs/usr/local/bin/docker-entrypoint.sh"

  # Smaller: no documentation, manuals, translations, package lists or logs.
  rm -rf "$rootfs"/usr/share/{doc,man,info,locale,lintian,linda}/* \
    "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/* "$rootfs"/var/cache/debconf/*-old \
    "$rootfs"/var/cache/ldconfig/* "$rootfs"/var/log/*
  # Device nodes stay for chroot runs; the image leaves them (and /run, /tmp) to the runtime.

  version="$(chroot "$rootfs" /usr/local/sbin/haproxy -v)"
  echo "${version%%$'\n'*}" >&2
  echo "$stamp_now" > "$cache_root/.complete"
  awk -v start="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "haproxy rootfs: ready in %.1fs\n", now - start }' >&2
fi
echo "$rootfs"
