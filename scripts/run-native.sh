#!/usr/bin/env bash
# `make run` without a Docker engine: the audio-fleet binary runs all nine services as processes,
# next to the observability backends that are installed (scripts/native-backends.py): the
# collector, Jaeger, Loki, Prometheus and Grafana with the compose stack's own config files, so traces,
# logs, dashboards and alerts work as in compose. Without a collector, the monitoring-dashboard is the
# fleet's OTLP backend.
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

# The observability backends that are installed (Jaeger, Loki, the collector, Prometheus, Grafana), each
# with the same config files as compose, started in order and waited on; stopped when the fleet
# stops, whatever ends it. docs/operations/native.md says what each one adds and where to get it.
state="var/native-backends"
cleanup() {
  python3 scripts/native-backends.py stop --state "$state" || true
}
trap cleanup EXIT
python3 scripts/native-backends.py start --state "$state" || true
# What the fleet gets from them: OTEL_EXPORTER_OTLP_ENDPOINT when a collector runs (as in compose),
# JAEGER_UI_URL, GRAFANA_URL and PROMETHEUS_URL for the ones that run.
if [ -f "$state/env.sh" ]; then
  # shellcheck disable=SC1091
  . "$state/env.sh"
fi

# Export is on: to the collector when one runs, else `audio-fleet up` points the services at the
# monitoring-dashboard's embedded OTLP backend. OTEL_ENABLED=false turns it off.
# `up` runs as a child this script waits for, so Ctrl-C or a SIGTERM to the script alone both reach
# it (as SIGTERM: it stops the nine services gracefully), and the backends stop only after it.
"$bin" up "$@" &
fleet_pid=$!
trap 'kill -TERM "$fleet_pid" 2>/dev/null || true' INT TERM
status=0
wait "$fleet_pid" || status=$?
# A trapped signal ends `wait` early: wait again until the fleet has really stopped.
while kill -0 "$fleet_pid" 2>/dev/null; do wait "$fleet_pid" || status=$?; done
exit "$status"
