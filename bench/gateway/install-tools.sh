#!/usr/bin/env bash
# Installs what bench/gateway/run.ts measures with: wrk (closed-loop load) and nginx (the
# baseline) from Debian, and vegeta (open-loop load at a fixed rate, for the added-latency row)
# from the Go module proxy into ~/.cache/privatejet/bin. Not needed by the tests.
set -euo pipefail

missing=()
command -v wrk >/dev/null || missing+=(wrk)
command -v nginx >/dev/null || missing+=(nginx)
if ((${#missing[@]})); then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

bin="$HOME/.cache/privatejet/bin"
if [[ ! -x "$bin/vegeta" ]]; then
  mkdir -p "$bin"
  GOBIN="$bin" go install github.com/tsenart/vegeta/v12@v12.13.0
fi
echo "wrk: $(command -v wrk), nginx: $(command -v nginx), vegeta: $bin/vegeta"
