#!/usr/bin/env bash
# Sets up and runs PrivateJet on the embedded defaults: PGlite in .data/, the Local cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/common.sh

ensure_node_modules
log "Building"
npm run --silent build
export PORT="${PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1
log "Starting on http://localhost:${PORT} (migrations and the first-start seed run now)"
exec npx next start -p "$PORT"
