#!/usr/bin/env bash
# Called by `make run` without Docker (scripts/run-native.sh): starts the Debian `prometheus` in
# the background on 127.0.0.1:9090 with the native twin config, so the dashboards' queries work
# against the natively running fleet. Writes its pid to var/prometheus.pid (the caller stops it on
# exit) and its data and log under var/prometheus. Without a prometheus binary it prints how to
# install one and exits 0: the fleet runs fine without it.
set -euo pipefail
cd "$(dirname "$0")/../.."

port="${PROMETHEUS_PORT:-9090}"
if ! command -v prometheus >/dev/null 2>&1; then
  echo "No prometheus binary: the fleet runs without it. For the dashboards' data: apt-get install prometheus"
  exit 0
fi
mkdir -p var/prometheus
if [ -f var/prometheus.pid ] && kill -0 "$(cat var/prometheus.pid)" 2>/dev/null; then
  echo "Prometheus already running (pid $(cat var/prometheus.pid)): http://127.0.0.1:$port"
  exit 0
fi
if ! python3 -c "import socket,sys; s=socket.socket(); s.bind(('127.0.0.1', $port))" 2>/dev/null; then
  echo "Port $port is taken, not starting Prometheus (set PROMETHEUS_PORT to use another port)."
  exit 0
fi

nohup prometheus \
  --config.file=config/prometheus.native.yml \
  --storage.tsdb.path=var/prometheus/data \
  --storage.tsdb.retention.time=2d \
  --web.listen-address="127.0.0.1:$port" \
  --enable-feature=exemplar-storage \
  >var/prometheus/prometheus.log 2>&1 </dev/null &
echo $! >var/prometheus.pid

# Give it a moment, so a bad config shows here rather than as an empty dashboard later.
for _ in $(seq 1 20); do
  if python3 -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/-/ready', timeout=1)" 2>/dev/null; then
    echo "Prometheus (native twin config): http://127.0.0.1:$port  (pid $(cat var/prometheus.pid), log var/prometheus/prometheus.log)"
    exit 0
  fi
  if ! kill -0 "$(cat var/prometheus.pid)" 2>/dev/null; then
    echo "Prometheus exited at start-up; last lines of var/prometheus/prometheus.log:"
    tail -n 5 var/prometheus/prometheus.log
    rm -f var/prometheus.pid
    exit 0
  fi
  sleep 0.5
done
echo "Prometheus is starting: http://127.0.0.1:$port  (pid $(cat var/prometheus.pid))"
