#!/usr/bin/env bash
# Builds the container images the test cluster runs, with no registry and no container
# engine: each is a root filesystem packed by hand into an OCI image layout (one layer tar,
# a config, a manifest, index.json naming the image, oci-layout) and archived for
# `ctr images import`. Cached outside the repository, keyed by everything that goes in.
#
#   tools/kube/images/build.sh [--force] [IMAGE...]     (default: pause haproxy sample-backend)
#
# Images:
#   pause           the pod sandbox: a static C program (pause.c)
#   haproxy         the gateway: HAProxy 3.0 on a Debian 13 (trixie) minbase root filesystem,
#                   laid out like the official haproxy:3.0 image (user haproxy 99:99,
#                   /usr/local/sbin/haproxy, /usr/local/etc/haproxy, docker-entrypoint.sh)
#   sample-backend  tools/sample-backend/server.mjs on this machine's node binary and the
#                   libraries it links
#   privatejet      the app: the layout the Dockerfile at the repository root builds (Debian 13
#                   with its nodejs package, Next.js' standalone output in /app, migrations in
#                   /app/drizzle, user 10001), from this clone's `npm run build`; only on request
#
# Output folder: ${PRIVATEJET_IMAGE_CACHE:-$HOME/.cache/privatejet/images}/
# stdout: one line per image, "<name> <reference> <archive>"; progress goes to stderr.
# Needs root (debootstrap, chroot, file ownership).
set -euo pipefail
# A failing builder inside $(...) must stop the build, not leave a half-made image.
shopt -s inherit_errexit

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo_root="$(cd "$script_dir/../../.." && pwd)"
# ensure_debian_packages (its own log() is replaced below: stdout is for the image lines).
. "$repo_root/tools/lib/common.sh"
cache_dir="${PRIVATEJET_IMAGE_CACHE:-$HOME/.cache/privatejet/images}"
force=false
for argument in "$@"; do [[ "$argument" == --force ]] && force=true; done

# .test is reserved (RFC 2606): these names can never be pulled from anywhere by mistake.
image_prefix="privatejet.test"
sample_backend_uid=10001
# The Dockerfile's user and group (USER 10001:10001).
app_uid=10001

log() { echo "images: $*" >&2; }

seconds_since() {
  awk -v start="$1" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.1f", now - start }'
}

# An image's key covers the functions that make it (as bash prints them: comments and
# layout may change freely), so editing one image does not rebuild the others.
functions_stamp() {
  declare -f write_oci_archive build_cached "$@"
}

key_of() {
  sha256sum | cut -c1-16
}

# write_oci_archive ROOTFS REFERENCE IMAGE_CONFIG_JSON ARCHIVE
# IMAGE_CONFIG_JSON is the "config" object of the image config (User, Env, Cmd, ...).
write_oci_archive() {
  local rootfs="$1" reference="$2" image_config="$3" archive="$4"
  local layout
  layout="$(mktemp -d "$cache_dir/.layout.XXXXXX")"
  mkdir -p "$layout/blobs/sha256"
  # Uncompressed: importing then only copies and unpacks, with no gunzip on every cluster start.
  # Sorted names, numeric owners and a fixed time keep the layer's digest stable.
  tar --sort=name --numeric-owner --mtime=@0 --format=posix \
    --pax-option=exthdr.name=%d/PaxHeaders/%f,delete=atime,delete=ctime \
    -C "$rootfs" -cf "$layout/layer.tar" .
  local layer_digest layer_size
  layer_digest="$(sha256sum "$layout/layer.tar" | cut -d' ' -f1)"
  layer_size="$(stat -c %s "$layout/layer.tar")"
  mv "$layout/layer.tar" "$layout/blobs/sha256/$layer_digest"

  local config
  config="$(printf '{"architecture":"amd64","os":"linux","config":%s,"rootfs":{"type":"layers","diff_ids":["sha256:%s"]},"history":[{"created_by":"tools/kube/images/build.sh"}]}' \
    "$image_config" "$layer_digest")"
  local config_digest
  config_digest="$(printf '%s' "$config" | sha256sum | cut -d' ' -f1)"
  printf '%s' "$config" >"$layout/blobs/sha256/$config_digest"

  local manifest
  manifest="$(printf '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%s","size":%d},"layers":[{"mediaType":"application/vnd.oci.image.layer.v1.tar","digest":"sha256:%s","size":%d}]}' \
    "$config_digest" "${#config}" "$layer_digest" "$layer_size")"
  local manifest_digest
  manifest_digest="$(printf '%s' "$manifest" | sha256sum | cut -d' ' -f1)"
  printf '%s' "$manifest" >"$layout/blobs/sha256/$manifest_digest"

  # containerd names the imported image after io.containerd.image.name.
  printf '{"schemaVersion":2,"manifests":[{"mediaType":"application/vnd.oci.image.manifest.v1+json","digest":"sha256:%s","size":%d,"annotations":{"io.containerd.image.name":"%s","org.opencontainers.image.ref.name":"%s"}}]}' \
    "$manifest_digest" "${#manifest}" "$reference" "${reference##*:}" >"$layout/index.json"
  printf '{"imageLayoutVersion":"1.0.0"}' >"$layout/oci-layout"

  tar -C "$layout" -cf "$archive.partial" oci-layout index.json blobs
  mv -f "$archive.partial" "$archive"
  rm -rf "$layout"
}

# A JSON string from a shell word (the values here have no quotes or backslashes).
json_string() { printf '"%s"' "$1"; }

# build_cached NAME REFERENCE KEY BUILDER: runs BUILDER ROOTFS when no archive has this key.
build_cached() {
  local name="$1" reference="$2" key="$3" builder="$4"
  local archive="$cache_dir/$name-$key.oci.tar"
  if ! $force && [[ -s "$archive" ]]; then
    log "$name up to date ($archive)"
  else
    local started="$EPOCHREALTIME" rootfs
    rootfs="$(mktemp -d "$cache_dir/.rootfs.XXXXXX")"
    # mktemp makes it 0700, which the layer would carry to the image's / (unreadable to non-root).
    chmod 755 "$rootfs"
    log "building $name"
    local image_config
    image_config="$("$builder" "$rootfs")"
    write_oci_archive "$rootfs" "$reference" "$image_config" "$archive"
    rm -rf "$rootfs"
    # Older builds of this image are superseded.
    find "$cache_dir" -maxdepth 1 -name "$name-*.oci.tar" ! -path "$archive" -delete
    log "$name built in $(seconds_since "$started")s, $(du -m "$archive" | cut -f1) MiB"
  fi
  echo "$name $reference $archive"
}

build_pause() {
  local rootfs="$1"
  mkdir -p "$rootfs/usr/local/bin"
  gcc -static -Os -s -Wall -Wextra -o "$rootfs/usr/local/bin/pause" "$script_dir/pause.c"
  printf '{"User":"65535:65535","Entrypoint":["/usr/local/bin/pause"],"WorkingDir":"/"}'
}

build_haproxy() {
  local rootfs="$1" source
  # The one Debian 13 HAProxy root filesystem (also what the gateway tests chroot into).
  source="$("$repo_root/tools/haproxy/debian13-rootfs.sh" | tail -n 1)"
  tar -C "$source" --exclude=./dev --exclude=./run --exclude=./tmp --exclude=./proc --exclude=./sys -cf - . | tar -C "$rootfs" -xf -
  mkdir -p "$rootfs/dev" "$rootfs/run" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys"
  chmod 1777 "$rootfs/tmp"
  # The runtime provides the resolver and the host name.
  rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
  log "$(chroot "$rootfs" /usr/local/sbin/haproxy -v | head -n 1)"
  printf '{"User":"haproxy","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],"Entrypoint":["docker-entrypoint.sh"],"Cmd":["haproxy","-f","/usr/local/etc/haproxy/haproxy.cfg"],"WorkingDir":"/var/lib/haproxy","StopSignal":"SIGUSR1","ExposedPorts":{}}'
}

build_sample_backend() {
  local rootfs="$1" node_binary
  node_binary="$(command -v node)"
  node_binary="$(readlink -f "$node_binary")"
  # The same top-level links as this (merged /usr) machine, so library paths resolve alike.
  mkdir -p "$rootfs/usr/lib" "$rootfs/usr/lib64" "$rootfs/usr/bin" "$rootfs/usr/local/bin" \
    "$rootfs/app" "$rootfs/etc" "$rootfs/tmp"
  local top
  for top in lib lib64 bin; do
    if [[ -L "/$top" ]]; then ln -s "usr/$top" "$rootfs/$top"; else mkdir -p "$rootfs/$top"; fi
  done
  chmod 1777 "$rootfs/tmp"
  cp "$node_binary" "$rootfs/usr/local/bin/node"
  local library
  for library in $(ldd "$node_binary" | awk '/=>/ { print $3 } /^[[:space:]]*\// { print $1 }'); do
    cp --parents -L "$library" "$rootfs"
  done
  cp "$repo_root/tools/sample-backend/server.mjs" "$rootfs/app/server.mjs"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnode:x:%d:%d:node:/app:/usr/sbin/nologin\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n' \
    "$sample_backend_uid" "$sample_backend_uid" >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnode:x:%d:\nnogroup:x:65534:\n' "$sample_backend_uid" >"$rootfs/etc/group"
  chroot --userspec="$sample_backend_uid:$sample_backend_uid" "$rootfs" /usr/local/bin/node --version >&2
  printf '{"User":"%d:%d","Env":["PATH=/usr/local/bin:/usr/bin:/bin","HOST=0.0.0.0","PORT=8090","NODE_ENV=production"],"Cmd":["node","/app/server.mjs"],"WorkingDir":"/app","ExposedPorts":{"8090/tcp":{}}}' \
    "$sample_backend_uid" "$sample_backend_uid"
}

# The app as the Dockerfile's runtime stage lays it out; keep the two in step.
build_privatejet() {
  local rootfs="$1" base
  base="$("$script_dir/debian13-nodejs-rootfs.sh" | tail -n 1)"
  tar -C "$base" --exclude=./dev --exclude=./run --exclude=./tmp --exclude=./proc --exclude=./sys -cf - . | tar -C "$rootfs" -xf -
  mkdir -p "$rootfs/dev" "$rootfs/run" "$rootfs/tmp" "$rootfs/proc" "$rootfs/sys"
  chmod 1777 "$rootfs/tmp"
  rm -f "$rootfs/etc/resolv.conf" "$rootfs/etc/hostname"
  chroot "$rootfs" groupadd --gid "$app_uid" privatejet
  chroot "$rootfs" useradd --uid "$app_uid" --gid "$app_uid" --home-dir /app --no-create-home --shell /usr/sbin/nologin privatejet
  # COPY .next/standalone ./ ; COPY .next/static ./.next/static ; COPY drizzle ./drizzle
  mkdir -p "$rootfs/app"
  # The Dockerfile builds from a clean context (.dockerignore); a clone may hold local data and
  # environment files beside its build, which never go into an image.
  tar -C "$repo_root/.next/standalone" --exclude=./.data --exclude='./.env*' --exclude=./.cache -cf - . | tar -C "$rootfs/app" -xf -
  cp -a "$repo_root/.next/static" "$rootfs/app/.next/static"
  cp -a "$repo_root/drizzle" "$rootfs/app/drizzle"
  # A build's own cache is not part of the image; the folder is a mount point (an emptyDir).
  rm -rf "$rootfs/app/.next/cache" && mkdir -p "$rootfs/app/.next/cache" "$rootfs/data"
  chown -R 0:0 "$rootfs/app"
  chown "$app_uid:$app_uid" "$rootfs/app/.next/cache" "$rootfs/data"
  chroot --userspec="$app_uid:$app_uid" "$rootfs" /usr/bin/node --version >&2
  printf '{"User":"%d:%d","Env":["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin","NODE_ENV=production","NEXT_TELEMETRY_DISABLED=1","HOSTNAME=0.0.0.0","PORT=3000","PRIVATEJET_DATA_DIR=/data"],"Cmd":["node","server.js"],"WorkingDir":"/app","ExposedPorts":{"3000/tcp":{}},"StopSignal":"SIGTERM"}' \
    "$app_uid" "$app_uid"
}

main() {
  local images=("$@")
  [[ ${#images[@]} -gt 0 ]] || images=(pause haproxy sample-backend)
  ensure_debian_packages /usr/sbin/debootstrap debootstrap /usr/bin/gcc gcc \
    /usr/lib/x86_64-linux-gnu/libc.a libc6-dev >&2
  mkdir -p "$cache_dir"
  exec 9>"$cache_dir/.build.lock"
  flock 9
  rm -rf "$cache_dir"/.layout.* "$cache_dir"/.rootfs.* "$cache_dir"/*.partial

  local image
  for image in "${images[@]}"; do
    case "$image" in
      pause)
        build_cached pause "$image_prefix/pause:local" \
          "$({ functions_stamp build_pause; cat "$script_dir/pause.c"; gcc --version | head -n 1; } | key_of)" build_pause ;;
      haproxy)
        build_cached haproxy "$image_prefix/haproxy:3.0" \
          "$({ functions_stamp build_haproxy; cat "$script_dir/haproxy-entrypoint.sh" "$repo_root/tools/haproxy/debian13-rootfs.sh"; } | key_of)" build_haproxy ;;
      sample-backend)
        build_cached sample-backend "$image_prefix/sample-backend:local" \
          "$({ functions_stamp build_sample_backend; echo "$sample_backend_uid"
            cat "$repo_root/tools/sample-backend/server.mjs"; sha256sum "$(readlink -f "$(command -v node)")"; } | key_of)" \
          build_sample_backend ;;
      privatejet)
        [[ -f "$repo_root/.next/standalone/server.js" && -f "$repo_root/.next/BUILD_ID" ]] \
          || { log "privatejet: no .next/standalone/server.js: run npm run build first"; exit 1; }
        # Every `next build` has a new BUILD_ID: the image follows the build, and only it.
        build_cached privatejet "$image_prefix/privatejet:local" \
          "$({ functions_stamp build_privatejet; echo "$app_uid"; cat "$repo_root/.next/BUILD_ID"
            cat "$script_dir/debian13-nodejs-rootfs.sh"; find "$repo_root/drizzle" -type f | LC_ALL=C sort | xargs cat; } | key_of)" \
          build_privatejet ;;
      *) log "unknown image: $image"; exit 2 ;;
    esac
  done
}

args=()
for argument in "$@"; do [[ "$argument" == --force ]] || args+=("$argument"); done
main "${args[@]}"
