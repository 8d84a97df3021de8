#!/usr/bin/env python3
"""Checks config/otel-collector-config.yaml (and config/jaeger-config.yaml, a collector-based
config too) the way the pinned collector would read them, without running a collector.

Usage: scripts/stack/check-collector-config.py [--native] [collector-config] [component-list]

Both files are shared by compose and the native twin (scripts/native-backends.py): their addresses
are `${env:VAR:-compose value}`. The checks run on the file with the references resolved: by default
with no variable set (what compose gives, where these variables are unset), with --native with the
environment the launcher gives each backend. Natively every server binds 127.0.0.1 instead of
0.0.0.0, and the wiring checked is the native one: the collector sends to Jaeger's moved OTLP port
and to the monitoring-dashboard's host port, config/prometheus.native.yml scrapes its two metrics
ports, and no two native backends (nor a fleet service) share a port.

Collector config:
  - every declared component's type exists, for its kind, in the committed component list of the
    collector version pinned in docker-compose.yml (config/otelcol-contrib-<version>-components.yaml);
    deprecated aliases are accepted with a note;
  - every pipeline names only declared receivers/processors/exporters (connectors count as both),
    every connector is an exporter in one pipeline and a receiver in another;
  - every declared component is used (an unused extension is the seed plan's health_check bug);
  - traces, metrics and logs each have a pipeline;
  - memory_limiter is declared with a check_interval and a percentage limit (of the container's
    mem_limit), and is first in every pipeline;
  - every server endpoint (receivers, extensions, the prometheus exporter, the internal telemetry
    reader) binds 0.0.0.0 — collector endpoints default to localhost since v0.104.0;
  - health_check is declared and listed in service.extensions;
  - no component removed from current releases (jaeger/logging exporters) is used;
  - the prometheus exporter serves OpenMetrics (exemplars need it).
Wiring with the other files: the OTLP receiver listens on the OTLP default ports (.env.common's
endpoint uses them); otel-collector-ready (docker-compose.yml) probes the health_check port;
config/prometheus.yml scrapes the prometheus exporter's and the internal telemetry's ports; the
Jaeger exporter sends to the OTLP gRPC port of config/jaeger-config.yaml.
Loki: the logs pipeline exports to Loki's native OTLP endpoint through `otlp_http/loki` (the
`otlp_http` type, listed in the pinned release), at the HTTP port config/loki-config.yaml listens on
(the loki service in compose, the launcher's loopback port natively); without Loki natively the
launcher's logs pipeline is this one minus otlp_http/loki. Which labels Loki makes of the logs:
check-loki-labels.py.
Jaeger config: only the OTLP receiver, health check enabled on 0.0.0.0, server endpoints 0.0.0.0.
"""
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import (OTLP_PORTS, Report, compose_image_version, expand_collector_env, load_loki_config,  # noqa: E402
                      load_yaml, native_backends, native_environment, native_fleet, path, port_of)

KINDS = ["receivers", "processors", "exporters", "connectors", "extensions"]


def ctype(component_id):
    """`otlp_grpc/jaeger` -> `otlp_grpc` (the part before the first slash is the type)."""
    return component_id.split("/", 1)[0]


def endpoint_host(value):
    v = str(value)
    m = re.fullmatch(r"(?:\[([^\]]*)\]|([^:]*)):(\d+|\$\{[^}]+\})", v)
    if not m:
        return None
    return m.group(1) if m.group(1) is not None else m.group(2)


def server_endpoints(tree, where):
    """Every `endpoint` key below tree, with the dotted path where it was found."""
    found = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            here = f"{where}.{k}"
            if k == "endpoint" and not isinstance(v, (dict, list)):
                found.append((here, v))
            else:
                found.extend(server_endpoints(v, here))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            found.extend(server_endpoints(v, f"{where}[{i}]"))
    return found


def check_collector(cfg_path, list_path, r, env, host):
    cfg = expand_collector_env(load_yaml(cfg_path), env)
    components = load_yaml(list_path)
    r.check(isinstance(cfg, dict) and "service" in cfg, f"{os.path.relpath(cfg_path)} parses and has a service section")
    service = cfg.get("service") or {}

    # 1. Declared components are valid for the pinned version.
    for kind in KINDS:
        valid = components.get(kind) or {}
        aliases = (components.get("aliases") or {}).get(kind) or {}
        for cid in (cfg.get(kind) or {}):
            t = ctype(cid)
            if t in valid:
                r.check(True, f"{kind[:-1]} '{cid}' is a {components['collector_version']} component ({valid[t].rsplit('/', 1)[-1]})")
            elif t in aliases:
                r.check(True, f"{kind[:-1]} '{cid}' is accepted")
                r.note(f"'{t}' is a deprecated alias of '{aliases[t]}' in {components['collector_version']}: rename it")
            else:
                r.check(False, f"{kind[:-1]} '{cid}' is a {components['collector_version']} component",
                        f"type '{t}' is not in {os.path.relpath(list_path)}")

    # 2. Pipelines reference declared components; connectors are wired on both sides.
    declared = {k: set((cfg.get(k) or {}).keys()) for k in KINDS}
    pipelines = service.get("pipelines") or {}
    r.check(bool(pipelines), "service.pipelines is not empty")
    used = {k: set() for k in KINDS}
    conn_as_exporter, conn_as_receiver = set(), set()
    signals = {pid.split("/", 1)[0] for pid in pipelines}
    r.check({"traces", "metrics", "logs"} <= signals, "traces, metrics and logs each have a pipeline",
            f"pipelines: {sorted(pipelines)}")
    for pid, p in pipelines.items():
        signal = pid.split("/", 1)[0]
        r.check(signal in ("traces", "metrics", "logs", "profiles"), f"pipeline '{pid}' has a known signal type")
        for rid in p.get("receivers") or []:
            ok = rid in declared["receivers"] or rid in declared["connectors"]
            r.check(ok, f"pipeline '{pid}' receiver '{rid}' is declared")
            (used["connectors"] if rid in declared["connectors"] else used["receivers"]).add(rid)
            if rid in declared["connectors"]:
                conn_as_receiver.add(rid)
        for xid in p.get("processors") or []:
            r.check(xid in declared["processors"], f"pipeline '{pid}' processor '{xid}' is declared")
            used["processors"].add(xid)
        for eid in p.get("exporters") or []:
            ok = eid in declared["exporters"] or eid in declared["connectors"]
            r.check(ok, f"pipeline '{pid}' exporter '{eid}' is declared")
            (used["connectors"] if eid in declared["connectors"] else used["exporters"]).add(eid)
            if eid in declared["connectors"]:
                conn_as_exporter.add(eid)
        r.check(bool(p.get("receivers")) and bool(p.get("exporters")), f"pipeline '{pid}' has receivers and exporters")
        procs = p.get("processors") or []
        r.check(bool(procs) and ctype(procs[0]) == "memory_limiter", f"pipeline '{pid}' starts with memory_limiter",
                f"processors are {procs}")
    for cid in declared["connectors"]:
        r.check(cid in conn_as_exporter and cid in conn_as_receiver,
                f"connector '{cid}' is an exporter in one pipeline and a receiver in another")

    # 3. Nothing declared and forgotten.
    used["extensions"] = set(service.get("extensions") or [])
    for eid in used["extensions"]:
        r.check(eid in declared["extensions"], f"service.extensions '{eid}' is declared")
    for kind in KINDS:
        for cid in sorted(declared[kind] - used[kind]):
            r.check(False, f"{kind[:-1]} '{cid}' is used", "declared but not in any pipeline / service.extensions")
    r.check(all(declared[k] <= used[k] for k in KINDS), "every declared component is used")

    # 4. memory_limiter settings.
    for pid, conf in (cfg.get("processors") or {}).items():
        if ctype(pid) != "memory_limiter":
            continue
        conf = conf or {}
        interval = str(conf.get("check_interval", "0"))
        r.check(re.fullmatch(r"0+(\.0+)?[a-z]*", interval) is None, f"{pid}.check_interval > 0 ({interval})")
        pct = conf.get("limit_percentage")
        r.check(pct is not None, f"{pid} limits by percentage (of the container's mem_limit)",
                f"limit_mib is {conf.get('limit_mib')}")
        if pct is not None:
            spike = conf.get("spike_limit_percentage", 0)
            r.check(0 < pct < 100 and 0 <= spike < pct, f"{pid} limit {pct}% / spike {spike}% are sane percentages")

    # 5. Server endpoints bind `host`: 0.0.0.0 in compose, 127.0.0.1 natively (client endpoints, e.g. exporters sending to jaeger:4317, are
    #    addresses of other hosts and are left alone).
    servers = server_endpoints(cfg.get("receivers"), "receivers") + server_endpoints(cfg.get("extensions"), "extensions")
    for eid, conf in (cfg.get("exporters") or {}).items():
        if ctype(eid) == "prometheus":
            servers += server_endpoints({eid: conf}, "exporters")
    for where, value in servers:
        r.check(endpoint_host(value) == host, f"{where} binds {host} ({value})")
    # A server without an endpoint key listens on its localhost default: as unreachable as a wrong one.
    for rid, conf in (cfg.get("receivers") or {}).items():
        if ctype(rid) == "otlp":
            for proto, pconf in ((conf or {}).get("protocols") or {}).items():
                r.check(bool((pconf or {}).get("endpoint")), f"receivers.{rid}.protocols.{proto} sets its endpoint",
                        "the default is localhost, unreachable from other containers")
    for xid, conf in (cfg.get("extensions") or {}).items():
        if ctype(xid) in ("health_check", "zpages", "pprof"):
            r.check(bool((conf or {}).get("endpoint")), f"extensions.{xid} sets its endpoint",
                    "the default is localhost, unreachable from other containers")
    readers = (((service.get("telemetry") or {}).get("metrics") or {}).get("readers")) or []
    for i, reader in enumerate(readers):
        prom = (((reader or {}).get("pull") or {}).get("exporter") or {}).get("prometheus")
        if prom is not None:
            r.check(prom.get("host") == host, f"service.telemetry.metrics.readers[{i}] (port {prom.get('port')}) binds {host}",
                    f"host is {prom.get('host')!r}")
    r.check(bool(readers), "the collector's own metrics are exposed for Prometheus (service.telemetry.metrics.readers)")

    # 6. health_check enabled, not just declared.
    hc = [e for e in declared["extensions"] if ctype(e) == "health_check"]
    r.check(bool(hc), "health_check extension is declared")
    r.check(any(e in used["extensions"] for e in hc), "health_check is enabled in service.extensions")

    # 7. Components the seed plan used that current releases removed.
    for eid in declared["exporters"]:
        r.check(ctype(eid) not in ("jaeger", "logging", "prometheusexporter"),
                f"exporter '{eid}' is not a removed/misnamed type (jaeger, logging, prometheusexporter)")
    for eid, conf in (cfg.get("exporters") or {}).items():
        if ctype(eid) == "prometheus":
            r.check((conf or {}).get("enable_open_metrics") is True, f"exporters.{eid} serves OpenMetrics (exemplars need it)")

    # 8. Loki gets the logs on its native OTLP endpoint.
    loki = (cfg.get("exporters") or {}).get("otlp_http/loki")
    r.check(loki is not None, "exporters.otlp_http/loki (Loki's native OTLP endpoint) is declared")
    logs = (((service.get("pipelines") or {}).get("logs")) or {}).get("exporters") or []
    r.check("otlp_http/loki" in logs, "pipeline 'logs' exports to otlp_http/loki")
    r.check("debug" not in logs, "pipeline 'logs' has no debug exporter (Loki keeps the records)")

    # 9. The monitoring-dashboard's embedded backend gets traces and logs in the form it reads.
    dash = (cfg.get("exporters") or {}).get("otlp_http/dashboard")
    r.check(dash is not None, "exporters.otlp_http/dashboard (the monitoring-dashboard's embedded OTLP backend) is declared")
    if dash is not None:
        r.check(dash.get("encoding") == "json" and dash.get("compression") == "none",
                "exporters.otlp_http/dashboard sends JSON, uncompressed", f"encoding {dash.get('encoding')}, compression {dash.get('compression')}")
        for signal in ("traces", "logs"):
            exporters = (((service.get("pipelines") or {}).get(signal)) or {}).get("exporters") or []
            r.check("otlp_http/dashboard" in exporters, f"pipeline '{signal}' exports to otlp_http/dashboard")
    return cfg


def check_wiring(cfg, r, jaeger_env):
    """The collector's ports against the files that use them."""
    for rid, conf in (cfg.get("receivers") or {}).items():
        if ctype(rid) == "otlp":
            for proto, pconf in ((conf or {}).get("protocols") or {}).items():
                port = port_of((pconf or {}).get("endpoint"))
                r.check(port == OTLP_PORTS.get(proto), f"receivers.{rid}.protocols.{proto} listens on the OTLP port {OTLP_PORTS.get(proto)}",
                        f"port is {port}")

    compose = load_yaml(path("docker-compose.yml"))
    ready = " ".join((compose["services"].get("otel-collector-ready") or {}).get("command") or [])
    probed = port_of(re.search(r"audio-fleet probe (\S+)", ready).group(1)) if "audio-fleet probe" in ready else None
    for xid, conf in (cfg.get("extensions") or {}).items():
        if ctype(xid) == "health_check":
            port = port_of((conf or {}).get("endpoint"))
            r.check(port == probed, f"otel-collector-ready probes extensions.{xid}'s port {port}", f"it probes {probed}")

    prometheus = load_yaml(path("config", "prometheus.yml"))
    scraped = {t for job in prometheus.get("scrape_configs") or [] for sc in job.get("static_configs") or []
               for t in sc.get("targets") or []}
    for eid, conf in (cfg.get("exporters") or {}).items():
        if ctype(eid) == "prometheus":
            port = port_of((conf or {}).get("endpoint"))
            r.check(f"otel-collector:{port}" in scraped, f"config/prometheus.yml scrapes exporters.{eid} (otel-collector:{port})")
    readers = ((((cfg.get("service") or {}).get("telemetry") or {}).get("metrics") or {}).get("readers")) or []
    for i, reader in enumerate(readers):
        prom = (((reader or {}).get("pull") or {}).get("exporter") or {}).get("prometheus")
        if prom is not None:
            port = prom.get("port")
            r.check(f"otel-collector:{port}" in scraped,
                    f"config/prometheus.yml scrapes service.telemetry.metrics.readers[{i}] (otel-collector:{port})")

    dashboard = str(((cfg.get("exporters") or {}).get("otlp_http/dashboard") or {}).get("endpoint"))
    dashboard_port = ((compose["services"].get("monitoring-dashboard") or {}).get("command") or [""])[-1]
    r.check(dashboard == f"http://monitoring-dashboard:{dashboard_port}",
            f"exporters.otlp_http/dashboard sends to the monitoring-dashboard service's port ({dashboard})")

    loki = load_loki_config(path("config", "loki-config.yaml"), {})
    loki_port = (loki.get("server") or {}).get("http_listen_port")
    to_loki = str(((cfg.get("exporters") or {}).get("otlp_http/loki") or {}).get("endpoint"))
    r.check(to_loki == f"http://loki:{loki_port}/otlp",
            f"exporters.otlp_http/loki sends to the loki service's OTLP endpoint (http://loki:{loki_port}/otlp)", f"endpoint is {to_loki}")
    loki_probe = " ".join(((compose["services"].get("loki") or {}).get("healthcheck") or {}).get("test") or [])
    r.check(f"localhost:{loki_port}/ready" in loki_probe, f"the loki healthcheck probes the port its config listens on ({loki_port})")

    jaeger = expand_collector_env(load_yaml(path("config", "jaeger-config.yaml")), jaeger_env)
    jaeger_grpc = port_of(((((jaeger.get("receivers") or {}).get("otlp") or {}).get("protocols") or {}).get("grpc") or {}).get("endpoint"))
    to_jaeger = {eid: str((conf or {}).get("endpoint")) for eid, conf in (cfg.get("exporters") or {}).items()
                 if str((conf or {}).get("endpoint")).startswith("jaeger:")}
    r.check(bool(to_jaeger), "an exporter sends the traces to jaeger")
    for eid, endpoint in to_jaeger.items():
        r.check(endpoint == f"jaeger:{jaeger_grpc}", f"exporters.{eid} sends to jaeger's OTLP gRPC receiver (jaeger:{jaeger_grpc})",
                f"endpoint is {endpoint}")


def check_jaeger(cfg_path, r, env, host):
    cfg = expand_collector_env(load_yaml(cfg_path), env)
    name = os.path.relpath(cfg_path)
    service = cfg.get("service") or {}
    receivers = set((cfg.get("receivers") or {}).keys())
    r.check(receivers == {"otlp"}, f"{name}: OTLP is the only receiver (no legacy jaeger/zipkin ports)", f"receivers: {sorted(receivers)}")
    exts = set(service.get("extensions") or [])
    r.check("healthcheckv2" in exts and "healthcheckv2" in (cfg.get("extensions") or {}),
            f"{name}: healthcheckv2 is declared and enabled")
    r.check({"jaeger_storage", "jaeger_query"} <= exts, f"{name}: jaeger_storage and jaeger_query are enabled")
    for where, value in server_endpoints(cfg.get("receivers"), "receivers") + server_endpoints(cfg.get("extensions"), "extensions"):
        r.check(endpoint_host(value) == host, f"{name}: {where} binds {host} ({value})")
    for i, reader in enumerate((((service.get("telemetry") or {}).get("metrics") or {}).get("readers")) or []):
        prom = (((reader or {}).get("pull") or {}).get("exporter") or {}).get("prometheus")
        if prom is not None:
            r.check(prom.get("host") == host, f"{name}: its own metrics (port {prom.get('port')}) bind {host}")
    for pid, p in (service.get("pipelines") or {}).items():
        for k in ("receivers", "processors", "exporters"):
            for cid in p.get(k) or []:
                r.check(cid in (cfg.get(k) or {}), f"{name}: pipeline '{pid}' {k[:-1]} '{cid}' is declared")


def server_ports(cfg):
    """Every port a collector-based config listens on: endpoints of receivers and extensions, the
    prometheus exporter, the internal telemetry readers."""
    found = server_endpoints(cfg.get("receivers"), "receivers") + server_endpoints(cfg.get("extensions"), "extensions")
    for eid, conf in (cfg.get("exporters") or {}).items():
        if ctype(eid) == "prometheus":
            found += server_endpoints({eid: conf}, "exporters")
    ports = {f"{where}": port_of(value) for where, value in found}
    readers = ((((cfg.get("service") or {}).get("telemetry") or {}).get("metrics") or {}).get("readers")) or []
    for i, reader in enumerate(readers):
        prom = (((reader or {}).get("pull") or {}).get("exporter") or {}).get("prometheus")
        if prom is not None:
            ports[f"service.telemetry.metrics.readers[{i}]"] = int(prom.get("port"))
    return ports


def check_native_wiring(cfg, jaeger_env, r):
    """The native twin: the collector and Jaeger side by side on 127.0.0.1, the fleet beside them."""
    jaeger = expand_collector_env(load_yaml(path("config", "jaeger-config.yaml")), jaeger_env)
    jaeger_grpc = ((((jaeger.get("receivers") or {}).get("otlp") or {}).get("protocols") or {}).get("grpc") or {}).get("endpoint")
    endpoint = str(((cfg.get("exporters") or {}).get("otlp_grpc/jaeger") or {}).get("endpoint"))
    r.check(endpoint == jaeger_grpc, f"native: exporters.otlp_grpc/jaeger sends to Jaeger's moved OTLP gRPC receiver ({jaeger_grpc})",
            f"endpoint is {endpoint}")

    collector_ports = server_ports(cfg)
    jaeger_ports = server_ports(jaeger)
    clash = set(collector_ports.values()) & set(jaeger_ports.values())
    r.check(not clash, "native: the collector and Jaeger listen on different ports", f"both use {sorted(clash)}")
    fleet_ports, _ = native_fleet()
    nb = native_backends()
    others = {b.name: set(b.ports()) for b in nb.BACKENDS}

    loki = load_loki_config(path("config", "loki-config.yaml"), native_environment("loki"))
    server = loki.get("server") or {}
    loki_ports = {int(server.get("http_listen_port")), int(server.get("grpc_listen_port"))}
    r.check(server.get("http_listen_address") == "127.0.0.1" and server.get("grpc_listen_address") == "127.0.0.1",
            "native: Loki binds 127.0.0.1", f"{server}")
    r.check(loki_ports == others["loki"], "native: the launcher checks exactly the ports Loki's config opens",
            f"{sorted(loki_ports)} vs {sorted(others['loki'])}")
    data = str((loki.get("common") or {}).get("path_prefix"))
    r.check(data == nb.Loki().data_dir(), f"native: Loki keeps its data under the launcher's var/loki ({data})")
    to_loki = str(((cfg.get("exporters") or {}).get("otlp_http/loki") or {}).get("endpoint"))
    r.check(to_loki == f"http://127.0.0.1:{server.get('http_listen_port')}/otlp",
            f"native: exporters.otlp_http/loki sends to the native Loki ({to_loki})")
    taken = set(fleet_ports.values()) | others["prometheus"] | others["grafana"]
    clash = (set(collector_ports.values()) | set(jaeger_ports.values()) | loki_ports) & taken
    r.check(not clash, "native: no collector, Jaeger or Loki port is a fleet, Prometheus or Grafana port", f"clash on {sorted(clash)}")
    clash = loki_ports & (set(collector_ports.values()) | set(jaeger_ports.values()))
    r.check(not clash, "native: Loki shares no port with the collector or Jaeger", f"clash on {sorted(clash)}")
    r.check(set(collector_ports.values()) == others["otelcol-contrib"] and set(jaeger_ports.values()) <= others["jaeger"],
            "native: the launcher checks exactly the ports the configs open",
            f"collector {sorted(collector_ports.values())} vs {sorted(others['otelcol-contrib'])}, "
            f"jaeger {sorted(jaeger_ports.values())} vs {sorted(others['jaeger'])}")

    dashboard = str(((cfg.get("exporters") or {}).get("otlp_http/dashboard") or {}).get("endpoint"))
    r.check(dashboard == f"http://127.0.0.1:{fleet_ports['monitoring-dashboard']}",
            f"native: exporters.otlp_http/dashboard sends to the monitoring-dashboard's host port ({dashboard})")

    prometheus = load_yaml(path("config", "prometheus.native.yml"))
    scraped = {t for job in prometheus.get("scrape_configs") or [] for sc in job.get("static_configs") or []
               for t in sc.get("targets") or []}
    for where, p in collector_ports.items():
        if where.startswith("exporters.prometheus") or where.startswith("service.telemetry"):
            r.check(f"127.0.0.1:{p}" in scraped, f"config/prometheus.native.yml scrapes the native collector's {where} (127.0.0.1:{p})")

    traces = ((cfg.get("service") or {}).get("pipelines") or {}).get("traces", {}).get("exporters") or []
    without = nb.TRACES_WITHOUT_JAEGER.split("=", 1)[1].strip("[]").replace(" ", "").split(",")
    r.check(without == [e for e in traces if e != "otlp_grpc/jaeger"],
            "native: the launcher's traces pipeline without Jaeger is this one minus otlp_grpc/jaeger",
            f"{without} vs {traces}")
    logs = ((cfg.get("service") or {}).get("pipelines") or {}).get("logs", {}).get("exporters") or []
    without = nb.LOGS_WITHOUT_LOKI.split("=", 1)[1].strip("[]").replace(" ", "").split(",")
    r.check(without == [e for e in logs if e != "otlp_http/loki"],
            "native: the launcher's logs pipeline without Loki is this one minus otlp_http/loki", f"{without} vs {logs}")


def main():
    args = sys.argv[1:]
    native = "--native" in args
    args = [a for a in args if a != "--native"]
    compose = load_yaml(path("docker-compose.yml"))
    version = compose_image_version(compose, "otel-collector")
    cfg_path = args[0] if len(args) > 0 else path("config", "otel-collector-config.yaml")
    list_path = args[1] if len(args) > 1 else path("config", f"otelcol-contrib-{version}-components.yaml")
    r = Report("collector-config (native twin)" if native else "collector-config")
    r.check(os.path.exists(list_path), f"component list for the pinned collector {version} exists",
            os.path.relpath(list_path))
    if not os.path.exists(list_path):
        r.exit()
    components = load_yaml(list_path)
    r.check(str(components.get("collector_version")) == version,
            f"component list is for {components.get('collector_version')}, the image pins {version}")
    listed = set(components.get("exporters") or {})
    r.check("prometheus" in listed and not listed & {"jaeger", "logging", "prometheusexporter"},
            "component list: `prometheus` is an exporter type; jaeger, logging and prometheusexporter are not")
    r.check("otlp_http" in listed and ((components.get("aliases") or {}).get("exporters") or {}).get("otlphttp") == "otlp_http",
            "component list: `otlp_http` (alias `otlphttp`) is an exporter type, what Loki's OTLP endpoint is sent with")
    if native:
        collector_env, jaeger_env, host = native_environment("otelcol-contrib"), native_environment("jaeger"), "127.0.0.1"
    else:
        # What compose gives the containers: none of the configs' variables but these.
        collector_env = {k: str(v) for k, v in ((compose["services"]["otel-collector"].get("environment")) or {}).items()}
        jaeger_env = {k: str(v) for k, v in ((compose["services"]["jaeger"].get("environment")) or {}).items()}
        host = "0.0.0.0"
    cfg = check_collector(cfg_path, list_path, r, collector_env, host)
    if native:
        check_native_wiring(cfg, jaeger_env, r)
    else:
        check_wiring(cfg, r, jaeger_env)
    check_jaeger(path("config", "jaeger-config.yaml"), r, jaeger_env, host)
    r.exit()


if __name__ == "__main__":
    main()
