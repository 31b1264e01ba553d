#!/usr/bin/env bash
# `promtool check metrics` for the tests that lint the gateways' metric names and exposition:
# Prometheus' own linter (client_golang's promlint, which promtool runs for this command) in a
# small module (go/), built with the machine's Go from the Go module proxy and cached outside
# the repository, keyed by its sources. The whole of Prometheus is not built: its promtool pulls
# in service discovery for every cloud, tens of minutes of compiling on 2 cores for no gain here.
#
#   tools/promtool/build.sh      build if missing or out of date, then print the binary's path
#
# The last line on stdout is the path; progress goes to stderr.
set -euo pipefail
export GOTOOLCHAIN=local

module="$(cd "$(dirname "${BASH_SOURCE[0]}")/go" && pwd)"
key="$(cat "$module/go.mod" "$module/go.sum" "$module/main.go" | sha256sum | cut -c1-12)"
bin="${PRIVATEJET_CACHE:-$HOME/.cache/privatejet}/bin"
tool="$bin/promtool-check-metrics-$key"

if [ ! -x "$tool" ]; then
  command -v go > /dev/null || { echo "promtool: Go is not installed (it builds the linter from the Go module proxy)" >&2; exit 1; }
  start=$EPOCHREALTIME
  echo "promtool: building the exposition linter (once, about a minute)" >&2
  mkdir -p "$bin"
  (cd "$module" && go build -trimpath -buildvcs=false -o "$tool.partial" .)
  mv "$tool.partial" "$tool"
  awk -v start="$start" -v now="$EPOCHREALTIME" 'BEGIN { printf "promtool: ready in %.0fs\n", now - start }' >&2
fi
echo "$tool"
