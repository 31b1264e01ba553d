#!/usr/bin/env bash
# The whole test suite, exactly as CI runs it. Installs what is missing (Debian packages,
# npm packages, the Kubernetes test binaries), then runs every layer twice: on the
# embedded PGlite and on a real PostgreSQL started here on loopback and stopped by PID.
set -uo pipefail
cd "$(dirname "$0")/.."
. tools/lib/common.sh
export NEXT_TELEMETRY_DISABLED=1

set -e
# haproxy: the gateways (Debian 12's 2.6); debootstrap: a Debian 13 root filesystem with 3.0,
# the version line the cluster image ships, so both are tested.
ensure_debian_packages /usr/bin/chromium chromium '/usr/lib/postgresql/*/bin/postgres' postgresql \
  /usr/sbin/haproxy haproxy /usr/sbin/debootstrap debootstrap /usr/bin/setpriv util-linux
ensure_cluster_packages
ensure_node_modules
results="$PWD/.cache/test-results"
rm -rf "$results" && mkdir -p "$results"

if [ -x tools/kube/build.sh ]; then
  log "Kubernetes test binaries and images (built once, then cached)"
  # The images mostly wait on the Debian mirror and the disk, the binaries on the CPU: side by side.
  # The app image itself is made from this run's build by the cluster test; its Debian 13 +
  # nodejs base is fetched here, meanwhile.
  { tools/kube/images/build.sh && tools/kube/images/debian13-nodejs-rootfs.sh; } > /dev/null &
  images_build=$!
  tools/kube/build.sh
  wait "$images_build"
fi
log "HAProxy 3.0 for the gateway tests (a Debian 13 root filesystem, built once, then cached)"
tools/haproxy/debian13-rootfs.sh > /dev/null
log "promtool for the gateway metrics lint (built once from the Go module proxy, then cached)"
tools/promtool/build.sh > /dev/null
log "Helm for the chart tests (built once from the Go module proxy, then cached)"
tools/helm/build.sh > /dev/null
log "Type-checking"
npm run --silent typecheck
log "Building the app (production build, used by the end-to-end tests)"
npm run --silent build
set +e

failed=0
# Tests on the real single-node cluster use no database: they run once, not once per database.
cluster_tests='tools/kube/cluster.int.test.ts'
log "Real single-node cluster tests (once)"
npx vitest run --reporter=default --reporter=json --outputFile="$results/vitest-cluster.json" "$cluster_tests" || failed=1

# $1: label; $2: DATABASE_URL for the unit tests (each test file creates its own database
# on that server); $3: DATABASE_URL for the app under end-to-end test. Empty means PGlite.
# $4: extra Playwright arguments.
run_suite() {
  log "Unit and integration tests on $1"
  DATABASE_URL="$2" npx vitest run --exclude "$cluster_tests" \
    --reporter=default --reporter=json --outputFile="$results/vitest-$1.json" || failed=1
  log "End-to-end tests in Chromium on $1"
  DATABASE_URL="$3" PLAYWRIGHT_JSON_OUTPUT_NAME="$results/e2e-$1.json" npx playwright test --reporter=list,json ${4:-} || failed=1
}

# The seed flow on the real cluster (@real-cluster) and the axe sweep of every page (@once, which
# does not depend on the database) run once, in the first pass.
run_suite pglite "" ""

log "Starting PostgreSQL on loopback"
pg_env=$(tools/postgres.sh start) || { echo "PostgreSQL did not start" >&2; exit 1; }
pg_dir=$(sed -n 's/^DIR=//p' <<< "$pg_env")
trap 'tools/postgres.sh stop "$pg_dir"' EXIT
server_url=$(sed -n 's/^DATABASE_URL=//p' <<< "$pg_env")
psql -q "$server_url" -c 'create database privatejet_e2e' > /dev/null
run_suite postgres "$server_url" "${server_url%/postgres}/privatejet_e2e" "--grep-invert @real-cluster|@once"

node tools/lib/summarize-results.mjs "$results"
exit $failed
