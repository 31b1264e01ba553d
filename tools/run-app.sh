#!/usr/bin/env bash
# Sets up and runs PrivateJet on the embedded defaults: PGlite in .data/, the Local cluster
# (gateways as local haproxy processes behind http://localhost:8243) and the sample pet-store
# backend. Ctrl-C (or SIGTERM to this script) stops all of it.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/common.sh

# Each published API's gateway on the Local cluster is an haproxy process (Debian's package);
# setpriv ties each gateway's life to the app's.
ensure_debian_packages /usr/sbin/haproxy haproxy /usr/bin/setpriv util-linux
ensure_node_modules
export PORT="${PORT:-3000}"
export NEXT_TELEMETRY_DISABLED=1

# The production build is reused while nothing that goes into it has changed: a hash of the
# sources, the lock file and the build settings (tests excluded) decides.
build_inputs_hash() {
  {
    find app components lib public drizzle -type f ! -name '*.test.ts' ! -path 'lib/test-support/*' 2>/dev/null
    ls next.config.js tsconfig.json package-lock.json instrumentation.ts proxy.ts 2>/dev/null
  } | LC_ALL=C sort | xargs sha256sum | sha256sum | cut -d' ' -f1
}
stamp=.next/.privatejet-build-inputs
inputs=$(build_inputs_hash)
if [ -f .next/BUILD_ID ] && [ "$(cat "$stamp" 2>/dev/null)" = "$inputs" ]; then
  log "Reusing the build in .next/ (no source, dependency or build setting changed since it was made)"
else
  if [ -f .next/BUILD_ID ]; then reason="sources, dependencies or build settings changed since the last build"; else reason="first build: about 2-4 minutes"; fi
  log "Building the app ($reason)"
  npm run --silent build
  echo "$inputs" > "$stamp"
fi

pids=()
stop_all() {
  trap - INT TERM
  echo
  log "Stopping PrivateJet"
  kill -TERM "${pids[@]}" 2>/dev/null || true
  # Gateways die with the app process (setpriv --pdeathsig); give everyone a few seconds.
  for _ in $(seq 50); do
    alive=0
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
    [ "$alive" = 0 ] && break
    sleep 0.1
  done
  kill -KILL "${pids[@]}" 2>/dev/null || true
  log "Stopped the app, its gateways and the sample backend"
  exit 0
}
trap stop_all INT TERM

# A backend to publish: the sample pet store (its OpenAPI file is tools/sample-backend/openapi.yaml).
PORT=8090 node tools/sample-backend/server.mjs > /dev/null 2>&1 &
pids+=($!)
node node_modules/next/dist/bin/next start -p "$PORT" &
pids+=($!)

# Once the app answers, say where everything is.
node -e '
  const [url, appPid] = process.argv.slice(1);
  (async () => {
    for (;;) {
      try { process.kill(Number(appPid), 0); } catch { process.exit(1); }
      try { if ((await fetch(url)).ok) process.exit(0); } catch {}
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  })();' "http://localhost:${PORT}/api/health" "${pids[1]}" || { kill "${pids[@]}" 2>/dev/null; exit 1; }
data_dir="${PRIVATEJET_DATA_DIR:-.data}"
{
  echo
  log "PrivateJet is running"
  echo "  App             http://localhost:${PORT}   (sign in at http://localhost:${PORT}/signin)"
  if [ -r "$data_dir/initial-credentials.txt" ]; then
    echo "  Accounts        (from $data_dir/initial-credentials.txt, readable only by you)"
    printf '                  %-12s %-12s %s\n' user role password
    grep -v '^#' "$data_dir/initial-credentials.txt" | while IFS=$'\t' read -r user roles password; do
      [ -n "$user" ] && printf '                  %-12s %-12s %s\n' "$user" "$roles" "$password"
    done
  fi
  echo "  Sample backend  http://localhost:8090   (definition: tools/sample-backend/openapi.yaml)"
  echo "  Local gateways  http://localhost:8243/<context>/<version>   (one haproxy per published API)"
  echo "  Next step       as publisher, create an API by importing tools/sample-backend/openapi.yaml with"
  echo "                  endpoint http://localhost:8090, tick Local on Environments, Publish on Lifecycle"
  echo "  Stop            Ctrl-C"
  echo
}
wait "${pids[1]}" || true
stop_all
