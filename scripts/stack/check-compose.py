#!/usr/bin/env python3
"""Project rules for docker-compose.yml and .env.common that no schema knows:

  - every image is pinned to a version (no `latest`, no bare name), the fleet builds one image once;
  - every service has memory and CPU limits and a healthcheck whose binary exists in its image
    (fleet services: `audio-fleet probe` on their own container port); the FROM-scratch collector
    is the one exception and must be gated by the otel-collector-ready one-shot instead;
  - every depends_on entry has a condition;
  - named volumes for Prometheus, Grafana and the orchestrator's SQLite data are declared and used;
  - no top-level `name:` (docker-compose 1.29 rejects it);
  - .env.common's OTLP settings are valid: a URL with a scheme, a protocol matching the port,
    a sampler name from the spec, no shared OTEL_SERVICE_NAME.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import Report, load_yaml, path  # noqa: E402

FLEET = {"discord": 8001, "audio-processor": 9100, "stt": 9000, "orchestrator": 8200, "guardrails": 9300,
         "llm-flan": 8100, "tts-bark": 7100, "testing-ui": 8080, "monitoring-dashboard": 8501}
HOST_PORTS = {"discord": 8009, "audio-processor": 8010, "stt": 8011, "orchestrator": 8220, "guardrails": 9310,
              "llm-flan": 8110, "tts-bark": 7120, "testing-ui": 8080, "monitoring-dashboard": 8501}
# Binaries that third-party healthchecks may run, per image, as documented in the compose comments
# (shared/notes/observability-facts.md: Jaeger and Prometheus are busybox-based, Grafana has curl).
THIRD_PARTY_PROBES = {"jaegertracing/jaeger": {"wget"}, "prom/prometheus": {"wget"}, "grafana/grafana": {"curl", "wget"}}
SCRATCH_IMAGES = {"otel/opentelemetry-collector-contrib"}
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


def main():
    r = Report("compose-rules")
    compose_path = path("docker-compose.yml")
    c = load_yaml(compose_path)
    raw = open(compose_path).read()
    services = c.get("services") or {}

    r.check("name" not in c, "no top-level `name:` (docker-compose 1.29 rejects it)")
    r.check(set(FLEET) <= set(services), "all nine fleet services are defined",
            f"missing: {sorted(set(FLEET) - set(services))}")
    for extra in ("otel-collector", "otel-collector-ready", "prometheus", "jaeger", "grafana"):
        r.check(extra in services, f"service '{extra}' is defined")

    builders = [n for n, s in services.items() if "build" in s]
    r.check(len(builders) == 1, f"the fleet image is built once (build: on {builders})")

    for name, s in services.items():
        image = s.get("image", "")
        repo, _, tag = image.rpartition(":") if ":" in image else (image, "", "")
        r.check(bool(tag) and tag != "latest", f"{name}: image '{image}' is pinned")
        r.check("mem_limit" in s and "cpus" in s, f"{name}: mem_limit and cpus are set")
        for dep, cond in (s.get("depends_on") or {}).items() if isinstance(s.get("depends_on"), dict) else []:
            r.check(isinstance(cond, dict) and cond.get("condition") in
                    ("service_started", "service_healthy", "service_completed_successfully"),
                    f"{name}: depends_on {dep} has a condition ({(cond or {}).get('condition')})")
        r.check(not isinstance(s.get("depends_on"), list), f"{name}: depends_on uses the long form with conditions")

        hc = s.get("healthcheck")
        test = (hc or {}).get("test") or []
        if name in FLEET:
            port = FLEET[name]
            r.check(image == "audio-fleet:local", f"{name}: runs the shared audio-fleet:local image")
            r.check(test == ["CMD", "audio-fleet", "probe", f"http://localhost:{port}/health/ready"],
                    f"{name}: healthcheck is `audio-fleet probe` on :{port}/health/ready", f"test is {test}")
            cmd = s.get("command") or []
            r.check(cmd[:2] == ["serve", name] and str(port) in cmd, f"{name}: command serves {name} on {port}",
                    f"command is {cmd}")
            r.check(f"{HOST_PORTS[name]}:{port}" in [str(p) for p in s.get("ports") or []],
                    f"{name}: host:container port {HOST_PORTS[name]}:{port}")
            deps = s.get("depends_on") or {}
            r.check((deps.get("otel-collector-ready") or {}).get("condition") == "service_completed_successfully",
                    f"{name}: waits for otel-collector-ready to complete")
            r.check(s.get("env_file") in (".env.common", [".env.common"]), f"{name}: env_file is .env.common")
        elif repo in SCRATCH_IMAGES:
            r.check(hc is None, f"{name}: FROM-scratch image has no healthcheck it could never run")
            r.check(f"http://{name}:13133/" in raw, f"{name}: its health_check endpoint is probed by otel-collector-ready")
        elif repo in THIRD_PARTY_PROBES:
            binary = test[1] if len(test) > 1 and test[0] == "CMD" else None
            r.check(binary in THIRD_PARTY_PROBES[repo], f"{name}: healthcheck runs `{binary}`, present in {repo}",
                    f"allowed: {sorted(THIRD_PARTY_PROBES[repo])}")
        elif image == "audio-fleet:local":
            r.check(bool(test) and test[1:2] == ["audio-fleet"], f"{name}: healthcheck uses audio-fleet probe")
        else:
            r.check(False, f"{name}: image {image} has a known healthcheck binary")

    ready = services.get("otel-collector-ready") or {}
    r.check(ready.get("restart") == "no", "otel-collector-ready: one-shot (restart: \"no\")")
    r.check("until audio-fleet probe http://otel-collector:13133/" in " ".join(ready.get("command") or []),
            "otel-collector-ready: retries the probe in a loop (one failed probe would fail every dependent)")

    volumes = c.get("volumes") or {}
    mounts = {n: [str(v) for v in (s.get("volumes") or [])] for n, s in services.items()}
    for vol, svc, target in (("prometheus-data", "prometheus", "/prometheus"),
                             ("grafana-data", "grafana", "/var/lib/grafana"),
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
    m = re.fullmatch(r"(https?)://([^/:]+):(\d+)/?", ep)
    r.check(bool(m), f".env.common: OTEL_EXPORTER_OTLP_ENDPOINT is a URL with a scheme ({ep})")
    if m:
        port = int(m.group(3))
        r.check((proto == "grpc" and port == 4317) or (proto.startswith("http/") and port == 4318),
                f".env.common: protocol {proto} matches port {port}")
        r.check(m.group(2) in services, f".env.common: endpoint host {m.group(2)} is a compose service")
    r.check(env.get("OTEL_TRACES_SAMPLER") in SAMPLERS, f".env.common: OTEL_TRACES_SAMPLER {env.get('OTEL_TRACES_SAMPLER')} is a spec value")
    r.check("OTEL_SERVICE_NAME" not in env, ".env.common: no shared OTEL_SERVICE_NAME (each service names itself)")
    r.check(env.get("OTEL_ENABLED") == "true", ".env.common: OTEL_ENABLED=true")
    for var, svc in (("AUDIO_PROCESSOR_URL", "audio-processor"), ("STT_URL", "stt"), ("ORCHESTRATOR_URL", "orchestrator"),
                     ("GUARDRAILS_URL", "guardrails"), ("LLM_URL", "llm-flan"), ("TTS_URL", "tts-bark"),
                     ("DISCORD_URL", "discord"), ("TESTING_UI_URL", "testing-ui"),
                     ("MONITORING_DASHBOARD_URL", "monitoring-dashboard")):
        r.check(env.get(var) == f"http://{svc}:{FLEET[svc]}", f".env.common: {var} points at {svc}:{FLEET[svc]}")
    r.check(env.get("PROMETHEUS_URL") == "http://prometheus:9090", ".env.common: PROMETHEUS_URL points at prometheus:9090")
    r.exit()


if __name__ == "__main__":
    main()
