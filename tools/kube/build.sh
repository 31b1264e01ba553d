#!/usr/bin/env bash
# Builds the Kubernetes test binaries from Go modules into a cache outside the repository,
# so every clone on this machine reuses one build. Four groups, each built and cached on
# its own so the API-server-only tests never wait for the node's binaries:
#
#   control-plane  kube-apiserver, etcd, kube-pki (certificates)        module go/
#   node           kubelet, kube-controller-manager, kube-scheduler,    module go/
#                  kube-proxy, kubectl
#   ingress        skipper (the ingress controller)                     module ingress/
#   dns            coredns (the cluster DNS server)                     module dns/
#
#   tools/kube/build.sh [--force] [GROUP...]   build the groups (default: all) if missing or
#                                              out of date, then print the folder
#
# Output folder: ${PRIVATEJET_KUBE_CACHE:-$HOME/.cache/privatejet/kube}/<k8s>_<etcd>/
# The last line on stdout is always that folder; progress and timings go to stderr.
set -euo pipefail

# Use the installed Go (1.26 or newer); never fetch another toolchain.
export GOTOOLCHAIN=local

script_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
module_dir="$script_dir/go"
ingress_module_dir="$script_dir/ingress"
dns_module_dir="$script_dir/dns"
force=false
groups=()
for argument in "$@"; do
  case "$argument" in
    --force) force=true ;;
    control-plane | node | ingress | dns) groups+=("$argument") ;;
    *) echo "usage: tools/kube/build.sh [--force] [control-plane|node|ingress|dns]..." >&2; exit 2 ;;
  esac
done
[[ ${#groups[@]} -gt 0 ]] || groups=(control-plane node ingress dns)

# Versions come from go.mod so the cache key can never disagree with what gets built.
module_version() {
  awk -v m="$1" '$1 == m && $2 ~ /^v/ { print $2; exit }' "$module_dir/go.mod"
}
kube_version="$(module_version k8s.io/kubernetes)"
etcd_version="$(module_version go.etcd.io/etcd/server/v3)"
cache_root="${PRIVATEJET_KUBE_CACHE:-$HOME/.cache/privatejet/kube}"
out_dir="$cache_root/${kube_version}_${etcd_version}"

binaries_of() {
  case "$1" in
    control-plane) echo kube-apiserver etcd kube-pki ;;
    node) echo kubelet kube-controller-manager kube-scheduler kube-proxy kubectl ;;
    ingress) echo skipper ;;
    dns) echo coredns ;;
  esac
}

# A change to the wrapper sources or to this script's commands (not only to the versions)
# must also trigger a rebuild of the group; comments may change freely.
source_stamp() {
  local group="$1"
  {
    grep -v '^[[:space:]]*#' "$script_dir/build.sh"
    if [[ "$group" == ingress ]]; then
      cat "$ingress_module_dir/go.mod" "$ingress_module_dir/go.sum"
    elif [[ "$group" == dns ]]; then
      cat "$dns_module_dir/go.mod" "$dns_module_dir/go.sum" "$dns_module_dir/main.go"
    else
      cd "$module_dir"
      local binary
      cat go.mod go.sum
      for binary in $(binaries_of "$group"); do
        cat $(find "cmd/$binary" -name '*.go' | LC_ALL=C sort)
      done
    fi
  } | sha256sum | cut -d' ' -f1
}

stamp_file() {
  # Not .source-stamp, the single stamp of the build.sh that built only the control plane:
  # while clones of both versions share this cache, each keeps its own stamp.
  echo "$out_dir/.source-stamp-$1"
}

is_current() {
  local group="$1" binary
  for binary in $(binaries_of "$group"); do
    [[ -x "$out_dir/$binary" ]] || return 1
  done
  [[ "$(cat "$(stamp_file "$group")" 2>/dev/null)" == "$(source_stamp "$group")" ]]
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

build_group_into() {
  local group="$1" target="$2"
  local started="$EPOCHREALTIME"
  local directory="$module_dir"
  [[ "$group" == ingress ]] && directory="$ingress_module_dir"
  [[ "$group" == dns ]] && directory="$dns_module_dir"
  echo "kube build: downloading modules for $group" >&2
  (cd "$directory" && go mod download)
  echo "kube build: $group modules ready in $(seconds_since "$started")s" >&2

  local compile_started="$EPOCHREALTIME"
  # -p 2: the machines this runs on have two cores shared with other work.
  # -buildvcs=false: the modules sit inside this repository, whose state is not the servers' version.
  # CGO_ENABLED=0: static binaries, as Kubernetes releases them; Skipper's cgo parts (WebAssembly
  # filters) are left out, which the ingress routes here never use.
  if [[ "$group" == ingress ]]; then
    local skipper_version
    skipper_version="$(awk '$1 == "github.com/zalando/skipper" { print $2; exit }' "$ingress_module_dir/go.mod")"
    (cd "$ingress_module_dir" && CGO_ENABLED=0 go build -p 2 -trimpath -buildvcs=false \
      -ldflags "-s -w -X main.version=$skipper_version" -o "$target/" github.com/zalando/skipper/cmd/skipper)
  elif [[ "$group" == dns ]]; then
    (cd "$dns_module_dir" && CGO_ENABLED=0 go build -p 2 -trimpath -buildvcs=false -ldflags "-s -w" -o "$target/coredns" .)
  else
    local packages=() binary
    for binary in $(binaries_of "$group"); do packages+=("./cmd/$binary"); done
    (cd "$module_dir" && CGO_ENABLED=0 go build -p 2 -trimpath -buildvcs=false -ldflags "$(version_ldflags)" \
      -o "$target/" "${packages[@]}")
  fi
  echo "kube build: $group compiled in $(seconds_since "$compile_started")s (total $(seconds_since "$started")s)" >&2
  source_stamp "$group" >"$target/.stamp"
}

build_group() {
  local group="$1"
  if ! $force && is_current "$group"; then
    echo "kube build: $group up to date in $out_dir" >&2
    return
  fi
  # Global, not local: the EXIT trap runs after main has returned.
  staging="$(mktemp -d "$cache_root/.building.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  build_group_into "$group" "$staging"
  mkdir -p "$out_dir"
  chmod 755 "$out_dir"
  local binary
  # rename(2) replaces each file at once: a server started from the old file keeps running.
  for binary in $(binaries_of "$group"); do
    mv -f "$staging/$binary" "$out_dir/$binary"
    awk -v name="$binary" -v bytes="$(stat -c %s "$out_dir/$binary")" \
      'BEGIN { printf "kube build: %-24s %6.1f MiB\n", name, bytes / 1048576 }' >&2
  done
  mv -f "$staging/.stamp" "$(stamp_file "$group")"
  rm -rf "$staging"
  trap - EXIT
}

main() {
  mkdir -p "$cache_root"
  # Two test runs starting at once must not build into the same folder.
  exec 9>"$cache_root/.build.lock"
  flock 9
  # Holding the lock, no other build runs: any staging folder left is from a killed build.
  rm -rf "$cache_root"/.building.*
  local group
  for group in "${groups[@]}"; do build_group "$group"; done
  echo "$out_dir"
}

main
