#!/usr/bin/env bash
# A Debian 13 (trixie) root filesystem with HAProxy 3.0, for running the gateway tests against
# the version line the cluster image ships (Debian 12's host haproxy is 2.6). Built once with
# debootstrap from the machine's own Debian mirror and cached outside the repository.
#
#   tools/haproxy/debian13-rootfs.sh      build if missing, then print the folder
#
# The last line on stdout is the root filesystem folder; progress goes to stderr.
set -euo pipefail

cache_root="${PRIVATEJET_CACHE:-$HOME/.cache/privatejet}"
rootfs="$cache_root/debian13-haproxy/rootfs"
stamp="$cache_root/debian13-haproxy/.complete"

# The mirror comes from this machine's apt sources (deb822 "URIs:" or one-line "deb URL"),
# so no registry address is ever written into the repository.
debian_mirror() {
  local files=(/etc/apt/sources.list /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list)
  local url
  url=$(cat "${files[@]}" 2>/dev/null | awk '
    /^URIs:/ { for (i = 2; i <= NF; i++) if ($i !~ /security/) { print $i; exit } }
    /^deb / { for (i = 2; i <= NF; i++) if ($i ~ /^https?:/ && $i !~ /security/) { print $i; exit } }')
  [ -n "$url" ] || { echo "no Debian mirror found in /etc/apt sources" >&2; return 1; }
  echo "$url"
}

if [ ! -f "$stamp" ]; then
  command -v debootstrap > /dev/null || { echo "debootstrap is not installed" >&2; exit 1; }
  start=$EPOCHREALTIME
  echo "haproxy rootfs: debootstrap Debian 13 with haproxy into $rootfs" >&2
  rm -rf "$rootfs" && mkdir -p "$rootfs"
  debootstrap --variant=minbase --include=haproxy trixie "$rootfs" "$(debian_mirror)" > "$cache_root/debian13-haproxy/debootstrap.log" 2>&1 \
    || { tail -20 "$cache_root/debian13-haproxy/debootstrap.log" >&2; exit 1; }
  # What a gateway never needs: package caches, documentation, locales.
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* "$rootfs"/usr/share/locale/*
  chroot "$rootfs" /usr/sbin/haproxy -v > "$cache_root/debian13-haproxy/version.txt"
  head -1 "$cache_root/debian13-haproxy/version.txt" >&2
  touch "$stamp"
  awk -v start="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "haproxy rootfs: ready in %.1fs\n", now - start }' >&2
fi
echo "$rootfs"
