#!/usr/bin/env bash
# `make build-timing`: where a cold build's time goes. Clones this checkout (HEAD plus uncommitted
# changes) into a temporary folder, builds it from nothing with every log line time-stamped, and
# prints the wall clock by package and by module (scripts/build-timing.py explains the sharing).
# Usage: scripts/build-timing.sh [debug|release]
#   SWIFT_BUILD_FLAGS: extra flags, as `make` passes them; e.g. SWIFT_BUILD_FLAGS="--traits OTLPGRPC"
#   shows what the gRPC exporter costs.
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
flags="${SWIFT_BUILD_FLAGS:-}"
echo "Cold $config build in $work (swift build $flags ${args[*]})"
# shellcheck disable=SC2086  # the flags are words
scripts/build-timing.py --run build.log -- swift build $flags "${args[@]}" >/dev/null
scripts/build-timing.py build.log
echo "(log: $work/build.log)"
