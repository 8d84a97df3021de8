#!/usr/bin/env bash
# `make dashboard-test`: proves every dashboard panel shows data, without Docker.
#
# Starts the native fleet (`audio-fleet up`; /metrics carries the metrics, and the OTLP metrics
# export goes to a local stand-in receiver, so the exporters' relays run as in compose) and the
# Debian Prometheus as a plain process on a free loopback port with the native twin config
# (config/prometheus.native.yml, 5 s scrape interval, own TSDB in a temp folder). After at most
# 60 s of the fleet's own traffic, every PromQL target of every dashboard must return a series
# (scripts/stack/dashboard_test.py); the fault scenarios that panels say they move with
# ("Moves with: packetLoss, ...") are switched on for the run, in a flag file of the run's own, so
# a fleet of `make run` beside it is not touched. Everything started here is stopped on exit,
# whatever happens.
#
# Usage: scripts/stack/dashboard-test.sh [path/to/audio-fleet]
#   default binary: $(swift build --show-bin-path)/audio-fleet (this script builds nothing)
#   DASHBOARD_TEST_KEEP=1 keeps the temp folder (logs, TSDB) for a look afterwards.
set -euo pipefail
cd "$(dirname "$0")/../.."
here="$(pwd)"

bin="${1:-${AUDIO_FLEET_BIN:-}}"
if [ -z "$bin" ]; then
  bin="$(swift build --show-bin-path 2>/dev/null)/audio-fleet"
fi
if [ ! -x "$bin" ]; then
  echo "dashboard-test: no audio-fleet binary at $bin" >&2
  echo "build one first:  swift build --product audio-fleet   (or pass its path as the argument)" >&2
  exit 1
fi
scripts/stack/ensure-tools.sh dashboard || exit 1

tmp="$(mktemp -d "${TMPDIR:-/tmp}/dashboard-test.XXXXXX")"
fleet_pid=""
prom_pid=""
sink_pid=""

# Stop what this script started, by pid: first a polite SIGTERM (`audio-fleet up` then stops its
# nine children itself), then SIGKILL for the whole process group if anything is left.
stop_group() {
  local pid="$1" name="$2"
  [ -n "$pid" ] || return 0
  kill -0 "$pid" 2>/dev/null || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 30); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.5
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "dashboard-test: $name did not stop on SIGTERM; killing its process group"
  fi
  # The group can outlive its leader (children of `up`); -pid addresses the group setsid made.
  kill -KILL -- "-$pid" 2>/dev/null || true
}
cleanup() {
  local rc=$?
  stop_group "$fleet_pid" "the fleet"
  stop_group "$prom_pid" "prometheus"
  stop_group "$sink_pid" "the OTLP sink"
  if [ "$rc" -ne 0 ]; then
    echo "--- last lines of the fleet's output ($tmp/fleet.out) ---"
    tail -n 30 "$tmp/fleet.out" 2>/dev/null || true
    echo "--- last lines of prometheus' log ---"
    tail -n 10 "$tmp/prometheus.log" 2>/dev/null || true
  fi
  if [ "${DASHBOARD_TEST_KEEP:-0}" = 1 ]; then
    echo "dashboard-test: kept $tmp"
  else
    rm -rf "$tmp"
  fi
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

offset="$(python3 scripts/stack/dashboard_test.py free-offset)"
prom_port="$(python3 scripts/stack/dashboard_test.py free-port)"
sink_port="$(python3 scripts/stack/dashboard_test.py free-port)"
python3 scripts/stack/dashboard_test.py render-config --offset "$offset" --out "$tmp/prometheus.yml"
promtool check config "$tmp/prometheus.yml" >/dev/null

setsid python3 scripts/stack/dashboard_test.py otlp-sink --port "$sink_port" >"$tmp/otlp-sink.log" 2>&1 </dev/null &
sink_pid=$!

echo "dashboard-test: starting the fleet ($bin up, ports +$offset, OTLP metrics to a stand-in receiver on :$sink_port)"
# setsid: the fleet and its nine children get their own process group, which cleanup can end
# as a whole without touching anything else on the machine. Only metrics are exported (to the
# sink, for the OTLP relay panel; traces and logs would only cost CPU here). SCENARIO_FLAGS_FILE:
# the scenarios this run switches on live in its temp folder (var/flags/ is `make run`'s).
OTEL_ENABLED=true OTEL_EXPORTER_OTLP_ENDPOINT="http://127.0.0.1:$sink_port" OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf \
  OTEL_TRACES_EXPORTER=none OTEL_LOGS_EXPORTER=none OTEL_METRIC_EXPORT_INTERVAL=5000 \
  SCENARIO_FLAGS_FILE="$tmp/flags/scenarios.flagd.json" setsid "$bin" up --port-offset "$offset" --log-directory "$tmp/fleet-logs" \
  >"$tmp/fleet.out" 2>&1 </dev/null &
fleet_pid=$!

echo "dashboard-test: starting prometheus $(prometheus --version 2>&1 | head -n1 | awk '{print $3}') on 127.0.0.1:$prom_port"
setsid prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/tsdb" \
  --web.listen-address="127.0.0.1:$prom_port" --log.level=warn >"$tmp/prometheus.log" 2>&1 </dev/null &
prom_pid=$!

cd "$here"
python3 scripts/stack/dashboard_test.py run --prometheus "http://127.0.0.1:$prom_port" \
  --offset "$offset" --fleet-pid "$fleet_pid" --traffic-seconds "${DASHBOARD_TEST_SECONDS:-60}"
