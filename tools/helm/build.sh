#!/usr/bin/env bash
# Helm 3 for the chart tests (deploy/helm/privatejet): `helm lint` and `helm template`.
# Built with the machine's Go from the Go module proxy (`go install` of the released
# module, checked against its own go.sum) and cached outside the repository, keyed by the
# version and this script, so every clone on the machine reuses one build.
#
#   tools/helm/build.sh      build if missing or out of date, then print the binary's path
#
# The last line on stdout is the path; progress goes to stderr.
set -euo pipefail
export GOTOOLCHAIN=local

# The newest Helm 3 whose go.mod asks for no newer Go than the machine's 1.26.
version=v3.22.0
key="$(grep -v '^[[:space:]]*#' "${BASH_SOURCE[0]}" | sha256sum | cut -c1-12)"
bin="${PRIVATEJET_CACHE:-$HOME/.cache/privatejet}/bin"
tool="$bin/helm-$version-$key"

if [ ! -x "$tool" ]; then
  command -v go > /dev/null || { echo "helm: Go is not installed (it builds Helm from the Go module proxy)" >&2; exit 1; }
  start=$EPOCHREALTIME
  echo "helm: building Helm $version (once, a few minutes)" >&2
  mkdir -p "$bin"
  staging="$(mktemp -d "$bin/.helm.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  # -p 2: two shared cores. The version is stamped as the release build does, so
  # `helm version` and the chart's kubeVersion checks see the real one.
  GOBIN="$staging" CGO_ENABLED=0 go install -p 2 -trimpath -buildvcs=false \
    -ldflags "-s -w -X helm.sh/helm/v3/internal/version.version=$version" "helm.sh/helm/v3/cmd/helm@$version"
  mv "$staging/helm" "$tool"
  # Older builds of this script are superseded.
  find "$bin" -maxdepth 1 -name 'helm-*' ! -path "$tool" -delete
  awk -v start="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "helm: ready in %.0fs\n", now - start }' >&2
fi
echo "$tool"
