#!/usr/bin/env bash
# Before a build: when there is no build yet, say what the first one costs, so nobody takes a
# cold build for a hang. SwiftPM's own "[n/m] Compiling …" lines are the progress.
# Usage: scripts/build-notice.sh [--build-tests]
set -euo pipefail
cd "$(dirname "$0")/.."
compgen -G ".build/*/debug/audio-fleet" >/dev/null && exit 0

# Measured on fresh clones, 2 cores (docs/performance.md): 4.5-5 minutes for the binary alone,
# about 5 with every test target.
minutes=5; what="the fleet's binary"
[ "${1:-}" = --build-tests ] && what="the binary and the tests"
cores="$(nproc 2>/dev/null || echo 2)"
echo "First build of $what: about $minutes minutes on 2 cores (this machine has $cores)."
echo "SwiftPM resolves about 30 packages, then compiles them; BoringSSL's C files (the TLS under"
echo "AsyncHTTPClient) are the largest part. \`make build-timing\` shows where the time goes."
echo "Later runs rebuild only what changed and start in seconds."
