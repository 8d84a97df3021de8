#!/usr/bin/env bash
# `make run` without a Docker engine: the audio-fleet binary runs all nine services as processes,
# and a local Prometheus (when installed) scrapes them with the native twin config, so the
# dashboards' queries work the same as in the compose stack.
set -euo pipefail
cd "$(dirname "$0")/.."
bin="${AUDIO_FLEET_BIN:-.build/debug/audio-fleet}"
mkdir -p var

# Fault scenarios start off on every `make run`: the flag file the services watch (and the controls
# write) is reset to the committed defaults, so a scenario left on by the last run does not greet
# the next one. KEEP_SCENARIOS=1 keeps the file as it is. (The file source also treats a missing
# file as all off; the copy just makes the state visible and editable from the start.)
flags_file="${SCENARIO_FLAGS_FILE:-var/flags/scenarios.flagd.json}"
mkdir -p "$(dirname "$flags_file")"
if [ "${KEEP_SCENARIOS:-0}" != 1 ] || [ ! -f "$flags_file" ]; then
  rm -f "$flags_file"   # it may belong to another user (a compose run's testing-ui)
  cp config/flagd/scenarios.flagd.json "$flags_file"
fi

prometheus_pid=""
if [ -x scripts/stack/prometheus-native.sh ]; then
  scripts/stack/prometheus-native.sh || true
  [ -f var/prometheus.pid ] && prometheus_pid="$(cat var/prometheus.pid)"
fi
# With a local Prometheus, the monitoring dashboard asks it for its quantiles (as in compose).
if [ -n "$prometheus_pid" ] && [ -z "${PROMETHEUS_URL:-}" ]; then
  export PROMETHEUS_URL="http://127.0.0.1:${PROMETHEUS_PORT:-9090}"
fi
cleanup() {
  if [ -n "$prometheus_pid" ] && kill -0 "$prometheus_pid" 2>/dev/null; then
    kill "$prometheus_pid" 2>/dev/null || true
  fi
  rm -f var/prometheus.pid
}
trap cleanup EXIT

# Export is on only when a collector address is given; natively there is usually none, and
# /metrics plus the local Prometheus carry the metrics.
if [ -z "${OTEL_EXPORTER_OTLP_ENDPOINT:-}" ]; then export OTEL_ENABLED="${OTEL_ENABLED:-false}"; fi
"$bin" up "$@"
