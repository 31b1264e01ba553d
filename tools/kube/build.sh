#!/usr/bin/env bash
# Builds the real kube-apiserver and etcd (plus the small kube-pki helper) from Go modules
# into a cache outside the repository, so every clone on this machine reuses one build.
#
#   tools/kube/build.sh            build if missing or out of date, then print the folder
#   tools/kube/build.sh --force    rebuild even when the cache is current
#
# Output folder: ${PRIVATEJET_KUBE_CACHE:-$HOME/.cache/privatejet/kube}/<k8s>_<etcd>/
# The last line on stdout is always that folder; progress and timings go to stderr.
set -euo pipefail

# Use the installed Go (1.26 or newer); never fetch another toolchain.
export GOTOOLCHAIN=local

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module_dir="$script_dir/go"
force=false
[[ "${1:-}" == "--force" ]] && force=true

# Versions come from go.mod so the cache key can never disagree with what gets built.
module_version() {
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$module_dir/go.mod"
}
kube_version="$(module_version k8s.io/kubernetes)"
etcd_version="$(module_version go.etcd.io/etcd/server/v3)"
cache_root="${PRIVATEJET_KUBE_CACHE:-$HOME/.cache/privatejet/kube}"
out_dir="$cache_root/${kube_version}_${etcd_version}"
binaries=(kube-apiserver etcd kube-pki)

# A change to the wrapper sources or to this script's commands (not only to the versions)
# must also trigger a rebuild; comments may change freely.
source_stamp() {
  {
    grep -v '^[[:space:]]*#' "$script_dir/build.sh"
    cd "$module_dir" && cat go.mod go.sum $(find cmd -name '*.go' | LC_ALL=C sort)
  } | sha256sum | cut -d' ' -f1
}

is_current() {
  local binary
  for binary in "${binaries[@]}"; do
    [[ -x "$out_dir/$binary" ]] || return 1
  done
  [[ "$(cat "$out_dir/.source-stamp" 2>/dev/null)" == "$(source_stamp)" ]]
}

seconds_since() {
  awk -v start="$1" -v now="$EPOCHREALTIME" 'BEGIN { printf "%.1f", now - start }'
}

version_ldflags() {
  local minor="${kube_version#v1.}"
  minor="${minor%%.*}"
  # The release time of the module stands in for a build date, keeping builds reproducible.
  local release_time
  release_time="$(cd "$module_dir" && go list -m -f '{{.Time.UTC.Format "2006-01-02T15:04:05Z"}}' k8s.io/kubernetes)"
  local flags="-s -w"
  local package
  for package in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    flags+=" -X $package.gitVersion=$kube_version"
    flags+=" -X $package.gitMajor=1 -X $package.gitMinor=$minor"
    flags+=" -X $package.gitTreeState=clean -X $package.buildDate=$release_time"
  done
  # etcd's own version is a constant of the module; GitSHA only names where it came from.
  flags+=" -X go.etcd.io/etcd/api/v3/version.GitSHA=module-$etcd_version"
  echo "$flags"
}

build_into() {
  local target="$1"
  local started="$EPOCHREALTIME"
  echo "kube build: downloading modules for k8s $kube_version, etcd $etcd_version" >&2
  (cd "$module_dir" && go mod download)
  echo "kube build: modules ready in $(seconds_since "$started")s" >&2

  local compile_started="$EPOCHREALTIME"
  # -p 2: the machines this runs on have two cores shared with other work.
  # -buildvcs=false: the module sits inside this repository, whose state is not the servers' version.
  (cd "$module_dir" && CGO_ENABLED=0 go build -p 2 -trimpath -buildvcs=false -ldflags "$(version_ldflags)" \
    -o "$target/" ./cmd/kube-apiserver ./cmd/etcd ./cmd/kube-pki)
  echo "kube build: compiled in $(seconds_since "$compile_started")s (total $(seconds_since "$started")s)" >&2
  source_stamp >"$target/.source-stamp"
}

main() {
  mkdir -p "$cache_root"
  # Two test runs starting at once must not build into the same folder.
  exec 9>"$cache_root/.build.lock"
  flock 9
  # Holding the lock, no other build runs: any staging folder left is from a killed build.
  rm -rf "$cache_root"/.building.*

  if ! $force && is_current; then
    echo "kube build: up to date in $out_dir" >&2
    echo "$out_dir"
    return
  fi

  # Global, not local: the EXIT trap runs after main has returned.
  staging="$(mktemp -d "$cache_root/.building.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  build_into "$staging"
  rm -rf "$out_dir"
  mv "$staging" "$out_dir"
  trap - EXIT
  chmod 755 "$out_dir"
  local binary
  for binary in "${binaries[@]}"; do
    awk -v name="$binary" -v bytes="$(stat -c %s "$out_dir/$binary")" \
      'BEGIN { printf "kube build: %-15s %6.1f MiB\n", name, bytes / 1048576 }' >&2
  done
  echo "$out_dir"
}

main
