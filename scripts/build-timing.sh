#!/usr/bin/env bash
# `make build-timing`: where a cold build's time goes. Clones this checkout (HEAD plus uncommitted
# changes) into a temporary folder, builds it from nothing with every log line time-stamped, and
# prints the wall clock by package and by module (scripts/build-timing.py explains the sharing).
# Usage: scripts/build-timing.sh [debug|release]   (BUILD_ARGS adds arguments, e.g. --traits OTLPGRPC)
set -euo pipefail
cd "$(dirname "$0")/.."
config="${1:-debug}"
work="$(mktemp -d /tmp/audio-fleet-build-timing.XXXXXX)"
git ls-files -co --exclude-standard | tar cf - -T - | tar xf - -C "$work"
cd "$work"
if [ "$config" = release ]; then
  args=(-c release --product audio-fleet)
else
  args=(--build-tests)
fi
echo "Cold $config build in $work (swift build ${args[*]} ${BUILD_ARGS:-})"
scripts/build-timing.py --run build.log -- swift build "${args[@]}" ${BUILD_ARGS:-} >/dev/null
scripts/build-timing.py build.log
echo "(log: $work/build.log)"
