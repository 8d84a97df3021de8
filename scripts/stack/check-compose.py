#!/usr/bin/env python3
"""Project rules for docker-compose.yml and .env.common that no schema knows:

  - the five stack services are defined; every image is pinned to a version (no `latest`, no bare
    name), the fleet builds one image once;
  - every service has a CPU limit (memory limits: memory-budget.py) and a healthcheck whose binary
    exists in its image; the images with no shell and no probe binary (the FROM-scratch collector,
    distroless flagd) are the exceptions, each gated by its one-shot (otel-collector-ready,
    flagd-ready) instead;
  - flagd serves the scenario flag folder, testing-ui writes it, every fleet service is pointed at
    flagd (FLAGD_HOST in .env.common) and waits for flagd-ready;
  - Loki reads config/loki-config.yaml read-only with env expansion, single binary, read-only root,
    healthchecked by its own `loki -health`; the collector and Grafana wait for it (its labels:
    check-loki-labels.py);
  - every depends_on entry has a condition;
  - the `postgres` profile: PostgreSQL 16 at a pinned Debian 12 tag, only in that profile, healthchecked
    by pg_isready, its data in a named volume, published on no host port, and the orchestrator's
    store chosen by ORCHESTRATOR_STORE / ORCHESTRATOR_DATABASE_URL with SQLite the default;
  - named volumes for Prometheus, Grafana, Loki and the orchestrator's SQLite data are declared and used;
  - no top-level `name:` (docker-compose 1.29 rejects it);
  - .env.common's OTLP settings are valid: a URL with a scheme, the http/protobuf protocol on its
    port, a sampler name from the spec, no shared OTEL_SERVICE_NAME;
  - security (docs/operations/security.md): compose publishes exactly the ports that document's
    table lists; every audio-fleet:local container runs as uid 10001 with a read-only root
    filesystem and a /tmp tmpfs, and gets FLEET_API_TOKEN (its services bind 0.0.0.0).

The nine fleet services' own entries (names, ports, commands, probe URLs, env_file, the
*_URL variables of .env.common) are compared with FleetMember by Tests/StackConfigTests, which
reads that list directly; this script carries no copy of it.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import OTLP_PORTS, PROMETHEUS_IN_COMPOSE, Report, load_yaml, path  # noqa: E402

# Binaries that third-party healthchecks may run, per image, as documented in the compose comments
# (shared/notes/observability-facts.md: Jaeger and Prometheus are busybox-based, Grafana has curl;
# grafana/loki 3.7 is distroless, its own binary probes /ready with `-health`, cmd/loki/health.go).
THIRD_PARTY_PROBES = {"jaegertracing/jaeger": {"wget"}, "prom/prometheus": {"wget"}, "grafana/grafana": {"curl", "wget"},
                      "grafana/loki": {"/usr/bin/loki"}, "postgres": {"pg_isready"}}
# Images with no shell and no probe binary, and the one-shot gate that probes each from outside.
GATED_IMAGES = {"otel/opentelemetry-collector-contrib": "otel-collector-ready", "ghcr.io/open-feature/flagd": "flagd-ready"}
SAMPLERS = {"always_on", "always_off", "traceidratio", "parentbased_always_on", "parentbased_always_off",
            "parentbased_traceidratio"}


def read_env(p):
    env = {}
    for line in open(p):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    return env


def check_flagd(r, services):
    """The scenario flags: flagd reads the folder testing-ui writes; every fleet service asks flagd."""
    flagd = services.get("flagd") or {}
    command = flagd.get("command") or []
    r.check(command[:1] == ["start"] and "file:/flags/scenarios.flagd.json" in command,
            f"flagd: serves /flags/scenarios.flagd.json ({command})")
    r.check("./var/flags:/flags:ro" in [str(v) for v in flagd.get("volumes") or []],
            "flagd: mounts the flag folder (not the file: a rename cannot replace a file mount), read-only")
    ui = services.get("testing-ui") or {}
    r.check("./var/flags:/flags" in [str(v) for v in ui.get("volumes") or []],
            "testing-ui: mounts the flag folder read-write")
    r.check((ui.get("environment") or {}).get("SCENARIO_FLAGS_FILE") == "/flags/scenarios.flagd.json",
            "testing-ui: SCENARIO_FLAGS_FILE is the file flagd serves")
    check_security(r, services)

    env = read_env(path(".env.common"))
    r.check(env.get("FLAGD_HOST") == "flagd", f".env.common: FLAGD_HOST is the flagd service ({env.get('FLAGD_HOST')})")
    r.check(env.get("FLAGD_OFREP_PORT", "8016") == "8016", ".env.common: FLAGD_OFREP_PORT is flagd's OFREP port 8016")
    for name, s in services.items():
        if s.get("env_file") == ".env.common":
            r.check(((s.get("depends_on") or {}).get("flagd-ready") or {}).get("condition") == "service_completed_successfully",
                    f"{name}: waits for flagd-ready")


def check_loki(r, services):
    """Loki: its config mounted read-only and read with env expansion (the native twin's defaults),
    single binary, a read-only root, the health probe its binary has, Grafana and the collector wait
    for it. Which labels it indexes: check-loki-labels.py."""
    loki = services.get("loki") or {}
    command = loki.get("command") or []
    r.check("./config/loki-config.yaml:/etc/loki/config.yaml:ro" in [str(v) for v in loki.get("volumes") or []]
            and "-config.file=/etc/loki/config.yaml" in command,
            "loki: reads config/loki-config.yaml, mounted read-only")
    r.check("-config.expand-env=true" in command, "loki: -config.expand-env=true (the file's ${VAR:-default} references)")
    r.check("-target=all" in command or not any(c.startswith("-target") for c in command), "loki: single binary (-target=all)")
    r.check(loki.get("read_only") is True, "loki: read-only root filesystem (it writes only its volume)")
    test = (loki.get("healthcheck") or {}).get("test") or []
    r.check("-health" in test and any(t.endswith("/ready") for t in test), "loki: healthcheck is `loki -health` on /ready", f"{test}")
    for dependant in ("grafana", "otel-collector"):
        cond = (((services.get(dependant) or {}).get("depends_on") or {}).get("loki") or {}).get("condition")
        r.check(cond == "service_healthy", f"{dependant}: waits for loki to be healthy ({cond})")
    env = (services.get("grafana") or {}).get("environment") or {}
    r.check(env.get("GRAFANA_LOKI_URL") == "http://loki:3100", "grafana: GRAFANA_LOKI_URL is the loki service")


def check_postgres(r, services):
    """The postgres profile: the orchestrator's PostgreSQL store, off unless asked for."""
    pg = services.get("postgres") or {}
    r.check(bool(pg), "service 'postgres' is defined")
    r.check(pg.get("profiles") == ["postgres"], f"postgres: only in the `postgres` profile ({pg.get('profiles')})")
    r.check(re.fullmatch(r"postgres:16\.\d+-bookworm", pg.get("image", "")) is not None,
            f"postgres: image pinned to a PostgreSQL 16 minor release on Debian 12 ({pg.get('image')})")
    test = (pg.get("healthcheck") or {}).get("test") or []
    r.check(test[:2] == ["CMD", "pg_isready"] and "-U" in test and "-d" in test,
            "postgres: healthcheck is `pg_isready -U ... -d ...`", f"{test}")
    r.check("postgres-data:/var/lib/postgresql/data" in [str(v) for v in pg.get("volumes") or []]
            and "postgres-data" in (load_yaml(path("docker-compose.yml")).get("volumes") or {}),
            "postgres: PGDATA is the named volume postgres-data")
    r.check(not pg.get("ports"), "postgres: published on no host port (only the compose network reaches it)")
    r.check("mem_limit" in pg, "postgres: has a memory limit (memory-budget.py adds it up)")
    r.check(str(pg.get("user")) == "999:999" and pg.get("read_only") is True,
            "postgres: runs as the image's postgres user (999) with a read-only root")
    env = (services.get("orchestrator") or {}).get("environment") or {}
    r.check(env.get("ORCHESTRATOR_STORE") == "${ORCHESTRATOR_STORE:-sqlite}",
            f"orchestrator: ORCHESTRATOR_STORE from the environment, sqlite by default ({env.get('ORCHESTRATOR_STORE')})")
    r.check(env.get("ORCHESTRATOR_DATABASE_URL") == "${ORCHESTRATOR_DATABASE_URL:-}",
            "orchestrator: ORCHESTRATOR_DATABASE_URL from the environment, empty by default")
    r.check("postgres" not in ((services.get("orchestrator") or {}).get("depends_on") or {}),
            "orchestrator: does not depend on postgres (the default stack starts without the profile)")


def documented_ports():
    """{(service, host port, container port)} from the published-ports table of security.md."""
    rows = set()
    for line in open(path("docs", "operations", "security.md")):
        m = re.fullmatch(r"\| ([a-z-]+) \| (\d+) \| (\d+) \|\n?", line)
        if m:
            rows.add((m.group(1), int(m.group(2)), int(m.group(3))))
    return rows


def check_security(r, services):
    published = set()
    for name, s in services.items():
        for mapping in s.get("ports") or []:
            parts = str(mapping).split(":")
            published.add((name, int(parts[-2]), int(parts[-1].split("/")[0])))
    documented = documented_ports()
    r.check(bool(documented), "docs/operations/security.md lists the published ports")
    r.check(published == documented, "compose publishes exactly the documented ports",
            f"undocumented: {sorted(published - documented)}; documented but not published: {sorted(documented - published)}")
    for name, s in services.items():
        if s.get("image") != "audio-fleet:local":
            continue
        r.check(str(s.get("user")) == "10001:10001", f"{name}: runs as uid 10001 (user: {s.get('user')})")
        r.check(s.get("read_only") is True, f"{name}: read-only root filesystem")
        r.check("/tmp" in (s.get("tmpfs") or []), f"{name}: /tmp is a tmpfs")
        r.check("FLEET_API_TOKEN" in (s.get("environment") or {}), f"{name}: gets FLEET_API_TOKEN")


def main():
    r = Report("compose-rules")
    compose_path = path("docker-compose.yml")
    c = load_yaml(compose_path)
    raw = open(compose_path).read()
    services = c.get("services") or {}

    r.check("name" not in c, "no top-level `name:` (docker-compose 1.29 rejects it)")
    for extra in ("otel-collector", "otel-collector-ready", "prometheus", "jaeger", "loki", "grafana", "flagd", "flagd-ready"):
        r.check(extra in services, f"service '{extra}' is defined")

    builders = [n for n, s in services.items() if "build" in s]
    r.check(len(builders) == 1, f"the fleet image is built once (build: on {builders})")

    for name, s in services.items():
        image = s.get("image", "")
        repo, _, tag = image.rpartition(":") if ":" in image else (image, "", "")
        r.check(bool(tag) and tag != "latest", f"{name}: image '{image}' is pinned")
        r.check("cpus" in s, f"{name}: cpus is set")
        for dep, cond in (s.get("depends_on") or {}).items() if isinstance(s.get("depends_on"), dict) else []:
            r.check(isinstance(cond, dict) and cond.get("condition") in
                    ("service_started", "service_healthy", "service_completed_successfully"),
                    f"{name}: depends_on {dep} has a condition ({(cond or {}).get('condition')})")
        r.check(not isinstance(s.get("depends_on"), list), f"{name}: depends_on uses the long form with conditions")

        hc = s.get("healthcheck")
        test = (hc or {}).get("test") or []
        if repo in GATED_IMAGES:
            gate = GATED_IMAGES[repo]
            r.check(hc is None, f"{name}: an image with no shell has no healthcheck it could never run")
            r.check(f"until audio-fleet probe http://{name}:" in " ".join((services.get(gate) or {}).get("command") or []),
                    f"{name}: is probed by {gate} instead")
        elif repo in THIRD_PARTY_PROBES:
            binary = test[1] if len(test) > 1 and test[0] == "CMD" else None
            r.check(binary in THIRD_PARTY_PROBES[repo], f"{name}: healthcheck runs `{binary}`, present in {repo}",
                    f"allowed: {sorted(THIRD_PARTY_PROBES[repo])}")
        elif image == "audio-fleet:local":
            r.check(test[:3] == ["CMD", "audio-fleet", "probe"], f"{name}: healthcheck runs `audio-fleet probe`",
                    f"test is {test}")
        else:
            r.check(False, f"{name}: image {image} has a known healthcheck binary")

    for gate in GATED_IMAGES.values():
        ready = services.get(gate) or {}
        r.check(ready.get("restart") == "no", f"{gate}: one-shot (restart: \"no\")")
        r.check("until audio-fleet probe http://" in " ".join(ready.get("command") or []),
                f"{gate}: retries the probe in a loop (one failed probe would fail every dependent)")

    check_flagd(r, services)
    check_loki(r, services)
    check_postgres(r, services)

    volumes = c.get("volumes") or {}
    mounts = {n: [str(v) for v in (s.get("volumes") or [])] for n, s in services.items()}
    for vol, svc, target in (("prometheus-data", "prometheus", "/prometheus"),
                             ("grafana-data", "grafana", "/var/lib/grafana"),
                             ("loki-data", "loki", "/loki"),
                             ("fleet-data", "orchestrator", "/var/lib/audio-fleet")):
        r.check(vol in volumes and f"{vol}:{target}" in mounts.get(svc, []),
                f"named volume {vol} is declared and mounted at {svc}:{target}")
    r.check((services["orchestrator"].get("environment") or {}).get("DATA_DIR") == "/var/lib/audio-fleet",
            "orchestrator: DATA_DIR is the mounted volume")
    prom_cmd = " ".join(services["prometheus"].get("command") or [])
    r.check("--enable-feature=exemplar-storage" in prom_cmd, "prometheus: exemplar storage is enabled")

    env = read_env(path(".env.common"))
    ep = env.get("OTEL_EXPORTER_OTLP_ENDPOINT", "")
    proto = env.get("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf")
    # The default build has no gRPC exporter (the OTLPGRPC trait adds it): HTTP is the one that works.
    r.check(proto == "http/protobuf", f".env.common: OTEL_EXPORTER_OTLP_PROTOCOL is http/protobuf ({proto})")
    m = re.fullmatch(r"(https?)://([^/:]+):(\d+)/?", ep)
    r.check(bool(m), f".env.common: OTEL_EXPORTER_OTLP_ENDPOINT is a URL with a scheme ({ep})")
    if m:
        port = int(m.group(3))
        r.check(port == OTLP_PORTS["grpc" if proto == "grpc" else "http"], f".env.common: protocol {proto} matches port {port}")
        r.check(m.group(2) == "otel-collector", f".env.common: endpoint host {m.group(2)} is the otel-collector service")
    r.check(env.get("OTEL_TRACES_SAMPLER") in SAMPLERS, f".env.common: OTEL_TRACES_SAMPLER {env.get('OTEL_TRACES_SAMPLER')} is a spec value")
    r.check("OTEL_SERVICE_NAME" not in env, ".env.common: no shared OTEL_SERVICE_NAME (each service names itself)")
    r.check(env.get("OTEL_ENABLED") == "true", ".env.common: OTEL_ENABLED=true")
    r.check(env.get("PROMETHEUS_URL") == PROMETHEUS_IN_COMPOSE, f".env.common: PROMETHEUS_URL is {PROMETHEUS_IN_COMPOSE}")
    r.exit()


if __name__ == "__main__":
    main()
