#!/usr/bin/env bash
# Builds the dedicated gateway image. Usage: gateway/build-image.sh [image-tag]
# Run from anywhere; the build context is the repository root (the bundle needs its lockfile).
set -euo pipefail

tag="${1:-privatejet/gateway:dev}"
repository_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
engine="${CONTAINER_ENGINE:-docker}"

if ! command -v "$engine" >/dev/null 2>&1; then
  echo "error: '$engine' not found; install Docker or set CONTAINER_ENGINE=podman" >&2
  exit 1
fi

"$engine" build --file "$repository_root/gateway/Dockerfile" --tag "$tag" "$repository_root"
echo "built $tag"
