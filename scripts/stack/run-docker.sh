#!/usr/bin/env bash
# `make run-docker` (and `make run` when a Docker engine is up): build the image, start the whole
# stack, wait until every container is healthy (or done, for the one-shot), print the URLs.
# Also: `scripts/stack/run-docker.sh down` and `... logs [service...]`.
set -euo pipefail
cd "$(dirname "$0")/../.."

# Compose v2 is `docker compose`; Debian's v1 is `docker-compose`. Both read the same file.
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
elif command -v docker-compose >/dev/null 2>&1; then
  compose=(docker-compose)
else
  echo "Neither 'docker compose' nor 'docker-compose' is installed." >&2
  exit 1
fi

case "${1:-up}" in
  down) exec "${compose[@]}" down ;;
  logs) shift; exec "${compose[@]}" logs -f "$@" ;;
  up) ;;
  *) echo "usage: $0 [up|down|logs [service...]]" >&2; exit 2 ;;
esac

if ! docker info >/dev/null 2>&1; then
  echo "No Docker engine answers (docker info failed). Start one, or run the fleet natively: make run-native" >&2
  exit 1
fi

# The scenario flag folder, bind-mounted into flagd (read-only) and testing-ui (read-write): it
# must exist before `up`, or Docker creates it as root. Scenarios start off on every run (the
# committed defaults are copied in; KEEP_SCENARIOS=1 keeps the last run's file). testing-ui runs as
# uid 10001 and writes by temp file + rename, so the folder must be writable by that user too.
# (rm first: a file testing-ui wrote belongs to uid 10001, and only the folder's write bit lets us
# replace it.)
mkdir -p var/flags
chmod 0777 var/flags || echo "warning: cannot make var/flags writable for testing-ui (uid 10001); scenario controls will fail" >&2
if [ "${KEEP_SCENARIOS:-0}" != 1 ] || [ ! -f var/flags/scenarios.flagd.json ]; then
  rm -f var/flags/scenarios.flagd.json
  install -m 0644 config/flagd/scenarios.flagd.json var/flags/scenarios.flagd.json
fi

# The services bind 0.0.0.0 inside the compose network, so their mutating endpoints require a
# shared token (MutationGuard; docs/operations/security.md). One is generated once and kept in
# var/fleet-api-token (mode 0600) unless FLEET_API_TOKEN is set.
if [ -z "${FLEET_API_TOKEN:-}" ]; then
  if [ ! -s var/fleet-api-token ]; then
    (umask 077 && od -An -tx1 -N24 /dev/urandom | tr -d ' \n' > var/fleet-api-token)
    echo "Generated the fleet's API token in var/fleet-api-token"
  fi
  FLEET_API_TOKEN=$(cat var/fleet-api-token)
  export FLEET_API_TOKEN
fi

timeout="${RUN_DOCKER_TIMEOUT:-300}"
echo "Building audio-fleet:local and starting the stack…"
"${compose[@]}" up -d --build

# One line per poll: how many containers are ready, and which are not yet. State comes from
# `docker inspect` on the project's container ids, which works with compose v1 and v2 alike.
start=$(date +%s)
while :; do
  ids=$("${compose[@]}" ps -a -q)
  total=0; ready=0; waiting=(); failed=()
  for id in $ids; do
    total=$((total + 1))
    read -r name state exitcode health < <(docker inspect --format \
      '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{else}}none{{end}}' "$id")
    if [ "$state" = exited ] && [ "$exitcode" = 0 ]; then
      ready=$((ready + 1))                       # a one-shot gate (otel-collector-ready, flagd-ready), done
    elif [ "$state" = exited ] || [ "$health" = unhealthy ]; then
      failed+=("$name($state${health:+/$health})")
    elif [ "$health" = healthy ] || { [ "$health" = none ] && [ "$state" = running ]; }; then
      ready=$((ready + 1))                       # healthy, or running without a healthcheck (collector, flagd)
    else
      waiting+=("$name($health)")
    fi
  done
  elapsed=$(( $(date +%s) - start ))
  if [ ${#failed[@]} -gt 0 ]; then
    echo "[${elapsed}s] failed: ${failed[*]}"
    echo "Logs: ${compose[*]} logs ${failed[0]%%(*}" >&2
    exit 1
  fi
  if [ "$total" -gt 0 ] && [ "$ready" -eq "$total" ]; then
    echo "[${elapsed}s] all $total containers are up and healthy"
    break
  fi
  echo "[${elapsed}s] $ready/$total ready; waiting for: ${waiting[*]:-containers to be created}"
  if [ "$elapsed" -ge "$timeout" ]; then
    echo "Gave up after ${timeout}s. See: ${compose[*]} ps; ${compose[*]} logs" >&2
    exit 1
  fi
  sleep 3
done

cat <<EOF

AudioFleet is up (docker compose). Dashboards fill within a minute of the fleet's own traffic.
  Grafana               http://localhost:3000   (anonymous read-only; admin password: \$GRAFANA_ADMIN_PASSWORD at the first start, default audiofleet-admin)
  Jaeger                http://localhost:16686
  Prometheus            http://localhost:9090
  Loki (API; search logs in Grafana's Explore)  http://localhost:3100
  testing-ui            http://localhost:8080
  monitoring-dashboard  http://localhost:8501
  Stop: make down    Logs: make logs
EOF
