#!/usr/bin/env python3
"""Tests scripts/native-backends.py (what `make run` starts next to the native fleet) with fake
binaries, in a few seconds and without any real backend installed.

Each fake (`otelcol-contrib`, `jaeger`, `loki`, `grafana`) is a small Python program that checks what a
real one would need — a readable config whose `${env:...}` (Loki: `${...}`) references resolve to
loopback addresses, the Grafana provisioning folder with the committed files and the environment they
expand — and then
serves its health endpoint on the port that config names, after a short delay (so the launcher has
to wait). It writes what happens to a record file: started, healthy, stopped.

Scenarios (each in its own temp folder, at a port offset where every backend port is free):
  1. collector, Jaeger, Loki and Grafana installed (Grafana through GRAFANA_HOME), Prometheus not:
     order, health waits, printed lines, the fleet's exports, the collector's Loki exporter, and
     `stop` ends all four, last first;
  2. only the collector, and a `loki` on PATH that is not Grafana Loki (Debian's genetics program of
     that name): that one is refused, the collector runs without the Jaeger and Loki exporters; the
     others are "not found" with where to get them;
  3. nothing installed: every backend "not found", no collector endpoint for the fleet;
  4. Jaeger fails at start-up: reported with its log, the collector still starts (without Jaeger);
  5. the Grafana settings the launcher shares with docker-compose.yml are compose's.
Prints one line per check and `native-backends-test: N passed, M failed`; exits 1 on a failure.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import Report, load_yaml, native_backends, path, port_free  # noqa: E402

LAUNCHER = path("scripts", "native-backends.py")
HEALTH_DELAY = 0.4  # seconds each fake waits before it answers its health check

FAKE = r'''#!__PYTHON__
"""A fake __NAME__ for scripts/stack/native-backends-test.py."""
import http.server, json, os, signal, sys, threading, time
sys.path.insert(0, __STACKDIR__)
import yaml
from stacklib import expand_collector_env, expand_grafana_env

NAME = __NAME_REPR__
RECORD = os.environ["FAKE_RECORD"]
if NAME == "loki" and sys.argv[1:] == ["-version"]:  # what the launcher asks before it trusts a `loki`
    print("loki, version 3.7.5 (branch: fake, revision: fake)")
    sys.exit(0)


def record(event, **extra):
    with open(RECORD, "a") as f:
        f.write(json.dumps(dict(name=NAME, event=event, at=time.monotonic(), pid=os.getpid(), **extra)) + "\n")


def fail(message):
    print(f"fake {NAME}: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


def option(flag):
    args = sys.argv[1:]
    return args[args.index(flag) + 1] if flag in args else None


def collector_config():
    config = option("--config")
    if not config or not os.access(config, os.R_OK):
        fail(f"no readable --config ({config})")
    cfg = expand_collector_env(yaml.safe_load(open(config)), os.environ)
    for arg in sys.argv[1:]:
        if arg.startswith("--set="):  # the collector's rule: dots nest, the value is YAML
            key, value = arg[len("--set="):].split("=", 1)
            node = cfg
            *parents, last = key.split(".")
            for part in parents:
                node = node.setdefault(part, {})
            node[last] = yaml.safe_load(value)
    return cfg


def endpoints(tree):
    if isinstance(tree, dict):
        for k, v in tree.items():
            if k == "endpoint" and isinstance(v, str):
                yield v
            else:
                yield from endpoints(v)


def loopback_only(cfg):
    for endpoint in list(endpoints(cfg.get("receivers"))) + list(endpoints(cfg.get("extensions"))):
        if not endpoint.startswith("127.0.0.1:"):
            fail(f"a server endpoint is not on loopback: {endpoint}")


if NAME == "otelcol-contrib":
    cfg = collector_config()
    loopback_only(cfg)
    health = cfg["extensions"]["health_check"]
    address, path = health["endpoint"], health.get("path", "/")
    extra = {"traces_exporters": cfg["service"]["pipelines"]["traces"]["exporters"],
             "logs_exporters": cfg["service"]["pipelines"]["logs"]["exporters"],
             "jaeger_endpoint": cfg["exporters"]["otlp_grpc/jaeger"]["endpoint"],
             "loki_endpoint": cfg["exporters"]["otlp_http/loki"]["endpoint"],
             "dashboard_endpoint": cfg["exporters"]["otlp_http/dashboard"]["endpoint"]}
elif NAME == "jaeger":
    cfg = collector_config()
    loopback_only(cfg)
    address, path = cfg["extensions"]["healthcheckv2"]["http"]["endpoint"], "/status"
    extra = {"otlp_grpc": cfg["receivers"]["otlp"]["protocols"]["grpc"]["endpoint"]}
elif NAME == "loki":
    from stacklib import load_loki_config
    args = dict(a.split("=", 1) for a in sys.argv[1:] if "=" in a)
    if args.get("-config.expand-env") != "true" or args.get("-target") != "all":
        fail(f"expected -config.expand-env=true and -target=all, got {sys.argv[1:]}")
    config = args.get("-config.file")
    if not config or not os.access(config, os.R_OK):
        fail(f"no readable -config.file ({config})")
    cfg = load_loki_config(config, os.environ)
    server = cfg["server"]
    if server["http_listen_address"] != "127.0.0.1" or server["grpc_listen_address"] != "127.0.0.1":
        fail(f"Loki does not listen on loopback: {server}")
    if not os.path.isdir(cfg["common"]["path_prefix"]):
        fail(f"no data folder {cfg['common']['path_prefix']}")
    address, path = f"127.0.0.1:{server['http_listen_port']}", "/ready"
    extra = {"path_prefix": cfg["common"]["path_prefix"], "grpc_port": server["grpc_listen_port"]}
else:  # grafana
    if sys.argv[1:2] != ["server"]:
        fail(f"expected the `server` subcommand, got {sys.argv[1:]}")
    home = option("--homepath")
    if not home or not os.path.isfile(os.path.join(home, "conf", "defaults.ini")):
        fail(f"--homepath {home} has no conf/defaults.ini")
    provisioning = os.environ["GF_PATHS_PROVISIONING"]
    sources = yaml.safe_load(open(os.path.join(provisioning, "datasources", "datasources.yml")))
    urls = sorted(expand_grafana_env(d["url"], os.environ) for d in sources["datasources"])
    if not all(u.startswith("http://127.0.0.1:") for u in urls):
        fail(f"datasource URLs are not loopback: {urls}")
    provider = yaml.safe_load(open(os.path.join(provisioning, "dashboards", "dashboards.yml")))["providers"][0]
    folder = expand_grafana_env(provider["options"]["path"], os.environ)
    if not any(f.endswith(".json") for f in os.listdir(folder)):
        fail(f"no dashboards in {folder}")
    os.makedirs(os.environ["GF_PATHS_DATA"], exist_ok=True)
    open(os.path.join(os.environ["GF_PATHS_DATA"], "grafana.db"), "a").close()
    address = f"{os.environ['GF_SERVER_HTTP_ADDR']}:{os.environ['GF_SERVER_HTTP_PORT']}"
    path = "/api/health"
    extra = {"datasource_urls": urls, "dashboards": folder,
             "admin_password_set": bool(os.environ.get("GF_SECURITY_ADMIN_PASSWORD"))}

if os.environ.get("FAKE_FAIL") == NAME:
    fail("told to fail at start-up (FAKE_FAIL)")
record("started", **extra)


def stop(*_):
    record("stopped")
    os._exit(0)


signal.signal(signal.SIGTERM, stop)
time.sleep(float(os.environ.get("FAKE_HEALTH_DELAY", "0")))


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200 if self.path == path else 404)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


host, port = address.rsplit(":", 1)
server = http.server.ThreadingHTTPServer((host, int(port)), Health)
record("healthy", address=address)
threading.Thread(target=server.serve_forever, daemon=True).start()
while True:
    time.sleep(1)
'''


def write_fake(folder, name, program_name=None):
    os.makedirs(folder, exist_ok=True)
    target = os.path.join(folder, program_name or name)
    text = (FAKE.replace("__PYTHON__", sys.executable).replace("__STACKDIR__", repr(os.path.dirname(os.path.abspath(__file__))))
            .replace("__NAME_REPR__", repr(name)).replace("__NAME__", name))
    with open(target, "w") as f:
        f.write(text)
    os.chmod(target, 0o755)
    return target


def free_offset():
    """A port offset at which every native backend port is free."""
    nb = native_backends()
    for offset in range(20000, 40000, 1000):
        os.environ["NATIVE_BACKENDS_PORT_OFFSET"] = str(offset)
        if all(port_free(p) for b in nb.BACKENDS for p in b.ports()):
            return offset
    sys.exit("native-backends-test: no port offset with every backend port free")


def run_launcher(tmp, env, *args):
    started = time.monotonic()
    result = subprocess.run([sys.executable, LAUNCHER, *args, "--state", os.path.join(tmp, "state")],
                            env=env, capture_output=True, text=True, timeout=120)
    return result, time.monotonic() - started


def events(tmp):
    try:
        with open(os.path.join(tmp, "record.jsonl")) as f:
            return [json.loads(line) for line in f]
    except FileNotFoundError:
        return []


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie waiting for its reaper is not running
        with open(f"/proc/{pid}/stat") as f:
            return f.read().split(") ", 1)[1][0] != "Z"
    except OSError:
        return True


def all_gone(pids, within=10.0):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if not any(alive(p) for p in pids):
            return True
        time.sleep(0.05)
    return False


def environment(tmp, offset, path_dirs, **extra):
    """A clean environment: only what the test gives (no OTEL_* or *_BIN from the caller's shell)."""
    env = {"PATH": os.pathsep.join(path_dirs), "HOME": tmp, "NATIVE_BACKENDS_VAR": os.path.join(tmp, "var"),
           "NATIVE_BACKENDS_PORT_OFFSET": str(offset), "FAKE_RECORD": os.path.join(tmp, "record.jsonl"),
           "FAKE_HEALTH_DELAY": str(HEALTH_DELAY), "NATIVE_BACKENDS_TIMEOUT": "20",
           "PROMETHEUS_BIN": "none" if "PROMETHEUS_BIN" not in extra else extra.pop("PROMETHEUS_BIN")}
    env.update(extra)
    return env


def exports(tmp):
    found = {}
    try:
        for line in open(os.path.join(tmp, "state", "env.sh")):
            m = re.fullmatch(r"export (\w+)='(.*)'\n?", line)
            if m:
                found[m.group(1)] = m.group(2)
    except FileNotFoundError:
        pass
    return found


def scenario_all(r, offset):
    """Collector, Jaeger and Grafana installed; Prometheus not."""
    with tempfile.TemporaryDirectory(prefix="native-backends-test.") as tmp:
        fakebin = os.path.join(tmp, "bin")
        write_fake(fakebin, "otelcol-contrib")
        write_fake(fakebin, "jaeger")
        write_fake(fakebin, "loki")
        grafana_home = os.path.join(tmp, "grafana-home")
        write_fake(os.path.join(grafana_home, "bin"), "grafana")
        os.makedirs(os.path.join(grafana_home, "conf"))
        open(os.path.join(grafana_home, "conf", "defaults.ini"), "w").close()
        env = environment(tmp, offset, [fakebin], GRAFANA_HOME=grafana_home, PROMETHEUS_BIN="")
        result, seconds = run_launcher(tmp, env, "start")
        out = result.stdout
        r.check(result.returncode == 0, "all: the launcher exits 0", result.stderr[-500:])
        lines = [line for line in out.splitlines() if line.strip().startswith(("started", "not found", "FAILED"))]
        order = [line.split()[1] for line in lines if line.strip().startswith("started")]
        r.check(order == ["jaeger", "loki", "otelcol-contrib", "grafana"],
                "all: started jaeger, loki, otelcol-contrib, grafana in that order", f"{order}\n{out}")
        r.check(re.search(rf"started\s+loki\s+http://127\.0\.0\.1:{3100 + offset}\s", out) is not None,
                "all: the loki line gives its URL", out)
        r.check(re.search(rf"started\s+jaeger\s+http://127\.0\.0\.1:{16686 + offset}\s+pid \d+, healthy after [\d.]+ s, log .*jaeger\.log", out)
                is not None, "all: the jaeger line gives its UI URL, pid, health wait and log", out)
        r.check(re.search(rf"started\s+grafana\s+http://127\.0\.0\.1:{3000 + offset}\s", out) is not None,
                "all: the grafana line gives its URL", out)
        r.check(re.search(r"not found\s+prometheus\s+\(skipped \(PROMETHEUS_BIN=none\)\)|not found\s+prometheus", out) is not None
                and "apt-get install prometheus" in out and "would add:" in out,
                "all: prometheus is reported not found, with what it would add and where to get it", out)

        ev = events(tmp)
        sequence = [(e["name"], e["event"]) for e in sorted(ev, key=lambda e: e["at"]) if e["event"] != "stopped"]
        expected = [("jaeger", "started"), ("jaeger", "healthy"), ("loki", "started"), ("loki", "healthy"),
                    ("otelcol-contrib", "started"), ("otelcol-contrib", "healthy"), ("grafana", "started"), ("grafana", "healthy")]
        r.check(sequence == expected, "all: each backend starts only after the one before it answers its health check",
                f"{sequence}")
        by = {(e["name"], e["event"]): e for e in ev}
        collector = by.get(("otelcol-contrib", "started"), {})
        r.check("otlp_grpc/jaeger" in collector.get("traces_exporters", []) and
                collector.get("jaeger_endpoint") == f"127.0.0.1:{14317 + offset}",
                "all: the collector sends traces to Jaeger's moved OTLP port", f"{collector}")
        r.check(by.get(("jaeger", "started"), {}).get("otlp_grpc") == f"127.0.0.1:{14317 + offset}",
                "all: Jaeger's OTLP receiver is on the moved port")
        r.check("otlp_http/loki" in collector.get("logs_exporters", []) and
                collector.get("loki_endpoint") == f"http://127.0.0.1:{3100 + offset}/otlp",
                "all: the collector sends logs to the native Loki's OTLP endpoint", f"{collector}")
        loki = by.get(("loki", "started"), {})
        r.check(loki.get("path_prefix") == os.path.join(tmp, "var", "loki") and loki.get("grpc_port") == 9095 + offset,
                "all: Loki keeps its data under var/loki and its gRPC port moves with the offset", f"{loki}")
        r.check(collector.get("dashboard_endpoint") == "http://127.0.0.1:8501",
                "all: the collector sends traces and logs to the monitoring-dashboard's host port", f"{collector}")
        grafana = by.get(("grafana", "started"), {})
        r.check(grafana.get("datasource_urls") == sorted([f"http://127.0.0.1:{9090 + offset}", f"http://127.0.0.1:{16686 + offset}",
                                                          f"http://127.0.0.1:{3100 + offset}"]),
                "all: Grafana's provisioned datasources point at the native Prometheus, Jaeger and Loki", f"{grafana}")
        r.check(grafana.get("dashboards") == path("config", "grafana", "dashboards") and grafana.get("admin_password_set"),
                "all: Grafana reads the committed dashboards and gets an admin password", f"{grafana}")
        r.check(os.path.isfile(os.path.join(tmp, "var", "grafana", "data", "grafana.db"))
                and os.path.isfile(os.path.join(tmp, "var", "log", "otelcol-contrib.log")),
                "all: data under var/<name>, logs under var/log/")

        fleet = exports(tmp)
        r.check(fleet.get("OTEL_EXPORTER_OTLP_ENDPOINT") == f"http://127.0.0.1:{4318 + offset}"
                and fleet.get("OTEL_EXPORTER_OTLP_PROTOCOL") == "http/protobuf",
                "all: the fleet exports to the collector, as in compose", f"{fleet}")
        r.check(fleet.get("JAEGER_UI_URL") == f"http://127.0.0.1:{16686 + offset}"
                and fleet.get("GRAFANA_URL") == f"http://127.0.0.1:{3000 + offset}" and "PROMETHEUS_URL" not in fleet,
                "all: the fleet gets JAEGER_UI_URL and GRAFANA_URL (and no PROMETHEUS_URL without Prometheus)", f"{fleet}")

        pids = sorted({e["pid"] for e in ev})
        stopped, stop_seconds = run_launcher(tmp, env, "stop")
        r.check(stopped.returncode == 0, "all: stop exits 0", stopped.stderr[-500:])
        r.check(all_gone(pids), "all: stop leaves none of the backends running", f"pids {pids}")
        stops = [e["name"] for e in sorted(events(tmp), key=lambda e: e["at"]) if e["event"] == "stopped"]
        r.check(stops == ["grafana", "otelcol-contrib", "loki", "jaeger"],
                "all: stopped last first (grafana, collector, loki, jaeger)", f"{stops}")
        nb = native_backends()
        os.environ["NATIVE_BACKENDS_PORT_OFFSET"] = str(offset)
        r.check(all(port_free(p) for b in nb.BACKENDS for p in b.ports()), "all: every backend port is free again")
        return seconds + stop_seconds


# Debian's `loki` package is a genetics program (linkage analysis) with a /usr/bin/loki of its own.
NOT_GRAFANA_LOKI = """#!/bin/sh
echo "Loki: MCMC linkage analysis on general pedigrees (not Grafana Loki)"
echo "ran $*" >> "$FAKE_RECORD.not-grafana"
exit 1
"""


def scenario_collector_only(r, offset):
    with tempfile.TemporaryDirectory(prefix="native-backends-test.") as tmp:
        fakebin = os.path.join(tmp, "bin")
        write_fake(fakebin, "otelcol-contrib")
        with open(os.path.join(fakebin, "loki"), "w") as f:
            f.write(NOT_GRAFANA_LOKI)
        os.chmod(os.path.join(fakebin, "loki"), 0o755)
        env = environment(tmp, offset, [fakebin])
        result, _ = run_launcher(tmp, env, "start")
        out = result.stdout
        collector = next((e for e in events(tmp) if e["event"] == "started"), {})
        r.check(collector.get("name") == "otelcol-contrib" and "otlp_grpc/jaeger" not in collector.get("traces_exporters", ["?"])
                and "otlp_http/dashboard" in collector.get("traces_exporters", []),
                "collector only: it runs without the Jaeger exporter, still feeding the dashboard", f"{collector}\n{out}")
        r.check(collector.get("logs_exporters") == ["otlp_http/dashboard"],
                "collector only: without Loki its logs pipeline exports only to the dashboard", f"{collector}")
        r.check(re.search(r"not found\s+loki\s+\(.*is not Grafana Loki", out) is not None
                and "github.com/grafana/loki/releases" in out and "genetics program" in out,
                "collector only: a `loki` that is not Grafana Loki is refused, with where to get the right one", out)
        try:
            ran = open(os.path.join(tmp, "record.jsonl.not-grafana")).read().split("\n")
        except FileNotFoundError:
            ran = []
        r.check([line for line in ran if line] == ["ran -version"], "collector only: that `loki` was only asked its version",
                f"{ran}")
        for name, where in (("jaeger", "github.com/jaegertracing/jaeger/releases"),
                            ("grafana", "grafana.com/grafana/download")):
            r.check(re.search(rf"not found\s+{name}\s", out) is not None and where in out,
                    f"collector only: {name} is not found, with where to get it", out)
        r.check(exports(tmp).get("OTEL_EXPORTER_OTLP_ENDPOINT") == f"http://127.0.0.1:{4318 + offset}",
                "collector only: the fleet exports to the collector")
        pids = [e["pid"] for e in events(tmp)]
        run_launcher(tmp, env, "stop")
        r.check(all_gone(pids), "collector only: stop leaves nothing running")


def scenario_nothing(r, offset):
    with tempfile.TemporaryDirectory(prefix="native-backends-test.") as tmp:
        empty = os.path.join(tmp, "empty")
        os.makedirs(empty)
        env = environment(tmp, offset, [empty], PROMETHEUS_BIN="")
        result, _ = run_launcher(tmp, env, "start")
        out = result.stdout
        missing = re.findall(r"not found\s+(\S+)", out)
        r.check(result.returncode == 0 and missing == ["jaeger", "loki", "otelcol-contrib", "prometheus", "grafana"],
                "nothing installed: all five are reported not found, and the launcher still exits 0", out)
        r.check(out.count("get it:") == 5 and out.count("would add:") == 5,
                "nothing installed: each says what it would add and where to get it", out)
        r.check("embedded backend" in out and "OTEL_EXPORTER_OTLP_ENDPOINT" not in exports(tmp),
                "nothing installed: the fleet is told nothing; `up` points it at the embedded backend", out)
        stopped, _ = run_launcher(tmp, env, "stop")
        r.check(stopped.returncode == 0, "nothing installed: stop exits 0")


def scenario_failure(r, offset):
    with tempfile.TemporaryDirectory(prefix="native-backends-test.") as tmp:
        fakebin = os.path.join(tmp, "bin")
        write_fake(fakebin, "otelcol-contrib")
        write_fake(fakebin, "jaeger")
        env = environment(tmp, offset, [fakebin], FAKE_FAIL="jaeger")
        result, _ = run_launcher(tmp, env, "start")
        out = result.stdout
        r.check(re.search(r"FAILED\s+jaeger: exited with status 2 during start-up", out) is not None
                and "told to fail at start-up" in out,
                "jaeger failing: reported with the last lines of its log", out)
        collector = next((e for e in events(tmp) if e["name"] == "otelcol-contrib" and e["event"] == "started"), {})
        r.check(collector and "otlp_grpc/jaeger" not in collector.get("traces_exporters", []),
                "jaeger failing: the collector still starts, without the Jaeger exporter", f"{collector}")
        pids = [e["pid"] for e in events(tmp)]
        run_launcher(tmp, env, "stop")
        r.check(all_gone(pids), "jaeger failing: stop leaves nothing running")


def shared_grafana_settings(r):
    compose = load_yaml(path("docker-compose.yml"))["services"]["grafana"]["environment"]
    nb = native_backends()
    drift = {k: (v, compose.get(k)) for k, v in nb.GRAFANA_SHARED_SETTINGS.items() if str(compose.get(k)) != v}
    r.check(not drift, "grafana: the launcher's shared settings are docker-compose.yml's", f"{drift}")
    r.check(compose.get("GF_SECURITY_ADMIN_PASSWORD") == "${GRAFANA_ADMIN_PASSWORD:-" + nb.GRAFANA_DEFAULT_ADMIN_PASSWORD + "}",
            "grafana: the same GRAFANA_ADMIN_PASSWORD default natively and in compose")
    native_only = {k for k in compose if k.startswith("GF_")} - set(nb.GRAFANA_SHARED_SETTINGS) - {
        "GF_SECURITY_ADMIN_PASSWORD", "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"}
    r.check(not native_only, "grafana: every compose GF_ setting has its native twin", f"missing natively: {sorted(native_only)}")


def main():
    r = Report("native-backends-test")
    offset = free_offset()
    seconds = scenario_all(r, offset)
    scenario_collector_only(r, offset)
    scenario_nothing(r, offset)
    scenario_failure(r, offset)
    shared_grafana_settings(r)
    print(f"native-backends-test: start and stop of four fake backends took {seconds:.1f} s (port offset {offset})")
    r.exit()


if __name__ == "__main__":
    main()
