#!/usr/bin/env bash
# `make stack-check`: validates the whole observability stack without a Docker engine.
# Each check prints its own lines; a summary line closes the run; exit 1 when any check failed.
set -uo pipefail
cd "$(dirname "$0")/../.."

scripts/stack/ensure-tools.sh check || exit 1
jsonschema="$(command -v check-jsonschema || echo var/stack-venv/bin/check-jsonschema)"

passed=0
failed=0
failures=()
run() {
  local name="$1"; shift
  echo "== $name: $*"
  if "$@"; then
    echo "   ok: $name"
    passed=$((passed + 1))
  else
    echo "   FAILED: $name"
    failed=$((failed + 1))
    failures+=("$name")
  fi
}

# Compose file: the engine-free parser, the current spec's schema, and this project's rules.
run "compose config (docker-compose $(docker-compose version --short 2>/dev/null))" docker-compose -f docker-compose.yml config -q
run "compose spec schema" "$jsonschema" --builtin-schema vendor.compose-spec docker-compose.yml
run "compose project rules" python3 scripts/stack/check-compose.py
run "memory budget" python3 scripts/stack/memory-budget.py

# Prometheus: both configs and the rules, with the Debian promtool (2.42).
run "promtool check config (compose)" promtool check config config/prometheus.yml
run "promtool check config (native twin)" promtool check config config/prometheus.native.yml
run "promtool check rules" promtool check rules config/prometheus-rules/*.yml
run "promtool test rules" promtool test rules config/prometheus-rules-tests/*.yml

# Collector and Jaeger configs against the pinned release's components: as compose reads them, and
# as their native twins (the same files, with scripts/native-backends.py's environment).
run "collector config" python3 scripts/stack/check-collector-config.py
run "collector config (native twin)" python3 scripts/stack/check-collector-config.py --native

# Loki: the labels the collector's logs get there are bounded (and the check refuses mutated configs).
run "loki labels" python3 scripts/stack/check-loki-labels.py

# `make run`'s native backends launcher, with fake otelcol-contrib, jaeger, loki and grafana binaries.
run "native backends launcher" python3 scripts/stack/native-backends-test.py

# Grafana provisioning and dashboards (JSON sanity, units, datasources, PromQL syntax).
run "grafana dashboards" python3 scripts/stack/check-dashboards.py

# Kubernetes (docs/operations/kubernetes.md): every overlay renders with kubectl's kustomize, into
# var/kubernetes, which the next steps read; validates against the 1.31 schemas (strict: unknown
# fields fail); agrees with compose on config/fleet-services.yaml, and that check provably fails on
# mutated inputs; checkov finds nothing unexplained in the manifests, the Dockerfile, or (secrets)
# the compose file.
run "kustomize render (base, dev, load)" python3 scripts/stack/check-kubernetes.py --render var/kubernetes
run "kubernetes-validate 1.31 --strict" var/stack-venv/bin/kubernetes-validate -k 1.31.0 --strict --quiet \
  var/kubernetes/base.yaml var/kubernetes/dev.yaml var/kubernetes/load.yaml
run "compose and kubernetes agree (config/fleet-services.yaml)" python3 scripts/stack/check-kubernetes.py
run "that check fails on mutated inputs" python3 scripts/stack/check-kubernetes.py --self-test
run "checkov kubernetes" python3 scripts/stack/check-checkov.py kubernetes
run "checkov dockerfile" python3 scripts/stack/check-checkov.py dockerfile
# The image's build context (.dockerignore) has what the Dockerfile copies, and the image builds with
# scripts/release-build.sh, as `make build` does (docker-py's matcher, from checkov's venv).
run "docker build context" var/stack-venv/bin/python scripts/stack/check-docker-context.py
run "checkov secrets (compose, .env.common, deploy)" python3 scripts/stack/check-checkov.py secrets

echo
if [ "$failed" -gt 0 ]; then
  echo "stack-check failed: ${failures[*]}"
fi
echo "stack-check: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
