#!/usr/bin/env bash
# Sets up and runs PrivateJet on the embedded defaults: PGlite in .data/, the Local cluster
# (gateways as local processes behind http://localhost:8243) and the sample pet-store backend.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/common.sh

# Each published API's gateway on the Local cluster is an haproxy process (Debian's package).
ensure_debian_packages /usr/sbin/haproxy haproxy
ensure_node_modules
log "Building the app"
npm run --silent build
export PORT="${PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1

# A backend to publish: the sample pet store on http://localhost:8090 (its OpenAPI file is
# tools/sample-backend/openapi.yaml). Stopped by PID when the app stops.
PORT=8090 node tools/sample-backend/server.mjs > /dev/null 2>&1 &
backend_pid=$!
trap 'kill "$backend_pid" 2>/dev/null || true' EXIT
log "Sample backend on http://localhost:8090 (definition: tools/sample-backend/openapi.yaml)"

log "Starting on http://localhost:${PORT} (migrations and the first-start seed run now)"
npx next start -p "$PORT"
