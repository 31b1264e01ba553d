#!/usr/bin/env bash
# Prometheus' promtool, for the tests that lint metric names and exposition (`promtool check
# metrics`). Built once from the Go module proxy with the machine's Go and cached outside the
# repository; the version is in the file name, so changing it here builds the new one.
#
#   tools/promtool/build.sh      build if missing, then print the binary's path
#
# The last line on stdout is the path; progress goes to stderr.
set -euo pipefail

# Prometheus 3.16.0. Its module has no replace or exclude directives, so `go install` builds it,
# and it needs Go 1.26.7, which the machine's toolchain satisfies (GOTOOLCHAIN=local: no download).
version=v0.316.0
bin="${PRIVATEJET_CACHE:-$HOME/.cache/privatejet}/bin"
tool="$bin/promtool-$version"

if [ ! -x "$tool" ]; then
  command -v go > /dev/null || { echo "promtool: Go is not installed (it builds promtool from the Go module proxy)" >&2; exit 1; }
  start=$EPOCHREALTIME
  echo "promtool: building github.com/prometheus/prometheus/cmd/promtool@$version (once, several minutes on 2 cores)" >&2
  mkdir -p "$bin"
  staging=$(mktemp -d "$bin/.building.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  GOTOOLCHAIN=local GOFLAGS=-buildvcs=false GOBIN="$staging" go install "github.com/prometheus/prometheus/cmd/promtool@$version" >&2
  mv "$staging/promtool" "$tool"
  awk -v start="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "promtool: ready in %.0fs\n", now - start }' >&2
fi
echo "$tool"
