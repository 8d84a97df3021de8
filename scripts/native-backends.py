#!/usr/bin/env python3
"""The observability backends of a native `make run`: starts each one that is installed, next to the
fleet, with the same config files compose uses; stops them when the fleet stops.

  native-backends.py start [--state DIR]     start what is installed, in order, each waited on until
                                              healthy; print what started and what is missing; write
                                              DIR/state.json (pids) and DIR/env.sh (exports for the fleet)
  native-backends.py stop [--state DIR]      stop what `start` started, last first
  native-backends.py env NAME                the environment NAME gets natively, as JSON (for the checks)
  native-backends.py grafana-cli ARGS...     `grafana cli` against the native Grafana's data, e.g.
                                              `grafana-cli admin reset-admin-password NEW`

Order and why: jaeger and loki (the collector exports traces to one, logs to the other),
otelcol-contrib (the fleet exports to it), prometheus (scrapes the fleet and the collector), grafana
(reads Prometheus, Jaeger and Loki). A binary is found on PATH or named by a variable: OTELCOL_BIN,
JAEGER_BIN, LOKI_BIN, PROMETHEUS_BIN, GRAFANA_BIN or GRAFANA_HOME (an unpacked Grafana, its
bin/grafana is used); a variable set to `none` skips that one, NATIVE_BACKENDS=off skips all. Data
goes under var/<name>, each process's output to var/log/<name>.log.

Native values of the shared configs (config/otel-collector-config.yaml and config/jaeger-config.yaml
read `${env:VAR:-compose value}`, config/loki-config.yaml `${VAR:-compose value}`; config/grafana/*.yml
read `$VAR`): every address is 127.0.0.1, and Jaeger moves off the collector's ports (OTLP
14317/14318, health 13134, metrics 14269). Without Jaeger or Loki, the collector runs with that
exporter left out of its pipeline (`--set`), so nothing fails to export.
NATIVE_BACKENDS_PORT_OFFSET shifts every backend port and NATIVE_BACKENDS_VAR moves var/ (both for
tests: config/prometheus.native.yml keeps scraping the unshifted collector ports).

Standard library only: this runs on every `make run`.
"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))


def var(*parts):
    """Where data, logs and state go: the checkout's var/, or NATIVE_BACKENDS_VAR (for tests)."""
    return os.path.join(os.environ.get("NATIVE_BACKENDS_VAR") or os.path.join(ROOT, "var"), *parts)


LOOPBACK = "127.0.0.1"
# The monitoring-dashboard's host port (FleetMember.monitoringDashboard): the collector's
# otlp_http/dashboard exporter sends traces and logs there.
DASHBOARD_PORT = 8501


def offset():
    return int(os.environ.get("NATIVE_BACKENDS_PORT_OFFSET", "0") or 0)


def port(default):
    return default + offset()


# ------------------------------------------------------------------------------------------------
# What each backend is, natively

class Backend:
    """One backend: how to find it, run it, tell it is healthy, and what it adds."""
    name = ""
    variable = ""          # the variable that names its binary
    adds = ""              # what it adds, for the "not found" line
    get = ""               # where to get it
    timeout = 30.0         # seconds to become healthy

    def find(self):
        """-> (path or None, why not found)."""
        named = os.environ.get(self.variable, "")
        if named == "none":
            return None, f"skipped ({self.variable}=none)"
        if named:
            if os.path.isfile(named) and os.access(named, os.X_OK):
                return named, ""
            return None, f"{self.variable}={named} is not an executable file"
        found = shutil.which(self.name)
        return (found, "") if found else (None, f"no `{self.name}` on PATH, {self.variable} not set")

    def environment(self, started):
        return {}

    def command(self, binary, started):
        raise NotImplementedError

    def ports(self):
        return []

    def health_url(self):
        raise NotImplementedError

    def url(self):
        raise NotImplementedError

    def prepare(self):
        os.makedirs(self.data_dir(), exist_ok=True)

    def data_dir(self):
        return var(self.name)


class Jaeger(Backend):
    name = "jaeger"
    variable = "JAEGER_BIN"
    adds = ("the Jaeger UI (search and compare traces), the trace links of the pages and Grafana, and "
            "the \"Recent voice turns (traces)\" panel; it needs otelcol-contrib too, which sends it the traces")
    get = ("the Jaeger v2 Linux archive (2.20.0 is what compose runs) from "
           "https://github.com/jaegertracing/jaeger/releases: put its `jaeger` binary on PATH or set JAEGER_BIN")

    def environment(self, started):
        return {"JAEGER_HOST": LOOPBACK, "JAEGER_OTLP_GRPC_PORT": str(port(14317)),
                "JAEGER_OTLP_HTTP_PORT": str(port(14318)), "JAEGER_HEALTH_PORT": str(port(13134)),
                "JAEGER_METRICS_PORT": str(port(14269)), "JAEGER_UI_PORT": str(port(16686)),
                "JAEGER_QUERY_GRPC_PORT": str(port(16685)), "GOMEMLIMIT": os.environ.get("GOMEMLIMIT", "300MiB")}

    def command(self, binary, started):
        return [binary, "--config", os.path.join(ROOT, "config", "jaeger-config.yaml")]

    def ports(self):
        return [port(p) for p in (14317, 14318, 13134, 14269, 16686, 16685)]

    def health_url(self):
        return f"http://{LOOPBACK}:{port(13134)}/status"

    def url(self):
        return f"http://{LOOPBACK}:{port(16686)}"


class Loki(Backend):
    name = "loki"
    variable = "LOKI_BIN"
    timeout = 60.0  # /ready answers 503 for 15 s after the ingester joins its ring
    adds = ("Grafana Loki: the fleet's logs searchable next to the traces (Grafana's Loki datasource, a log "
            "line's link to its trace in Jaeger and a span's link to its logs) and the two logs panels; it needs "
            "otelcol-contrib too, which sends it the logs")
    get = ("Grafana Loki 3.7.5 (what compose runs) from https://github.com/grafana/loki/releases "
           "(loki-linux-<arch>.zip): put its `loki` binary on PATH or set LOKI_BIN. Not Debian's `loki` "
           "package: that one is a genetics program")

    def find(self):
        """Only Grafana Loki: Debian's `loki` package installs an unrelated /usr/bin/loki."""
        binary, why = super().find()
        if not binary:
            return binary, why
        try:
            out = subprocess.run([binary, "-version"], stdin=subprocess.DEVNULL, capture_output=True,
                                 text=True, timeout=10)
            version = out.stdout + out.stderr
        except (OSError, subprocess.TimeoutExpired) as e:
            version = str(e)
        if "loki, version" not in version:
            return None, f"{binary} is not Grafana Loki (`-version` does not say `loki, version ...`)"
        return binary, ""

    def environment(self, started):
        return {"LOKI_HOST": LOOPBACK, "LOKI_HTTP_PORT": str(port(3100)), "LOKI_GRPC_PORT": str(port(9095)),
                "LOKI_DATA_DIR": self.data_dir(), "GOMEMLIMIT": os.environ.get("GOMEMLIMIT", "256MiB")}

    def command(self, binary, started):
        return [binary, f"-config.file={os.path.join(ROOT, 'config', 'loki-config.yaml')}",
                "-config.expand-env=true", "-target=all"]

    def ports(self):
        return [port(3100), port(9095)]

    def health_url(self):
        return f"http://{LOOPBACK}:{port(3100)}/ready"

    def url(self):
        return f"http://{LOOPBACK}:{port(3100)}"


class Collector(Backend):
    name = "otelcol-contrib"
    variable = "OTELCOL_BIN"
    adds = ("the collector: services export to it as in compose; the span-metrics panels (spans per second, "
            "span errors and p95 by service and by span name) and the Overview's \"Collector health\" row "
            "(6 panels); it feeds Jaeger and the monitoring-dashboard's trace pages")
    get = ("otelcol-contrib 0.159.0 (what compose runs) from "
           "https://github.com/open-telemetry/opentelemetry-collector-releases/releases "
           "(otelcol-contrib_0.159.0_linux_<arch>.tar.gz): put `otelcol-contrib` on PATH or set OTELCOL_BIN")

    def environment(self, started):
        return {"OTELCOL_HOST": LOOPBACK, "OTELCOL_OTLP_GRPC_PORT": str(port(4317)),
                "OTELCOL_OTLP_HTTP_PORT": str(port(4318)), "OTELCOL_HEALTH_PORT": str(port(13133)),
                "OTELCOL_METRICS_PORT": str(port(8888)), "OTELCOL_EXPORTER_PORT": str(port(8889)),
                "OTELCOL_JAEGER_ENDPOINT": f"{LOOPBACK}:{port(14317)}",
                "OTELCOL_LOKI_ENDPOINT": f"{Loki().url()}/otlp",
                "OTELCOL_DASHBOARD_ENDPOINT": f"http://{LOOPBACK}:{DASHBOARD_PORT}",
                "DEPLOYMENT_ENVIRONMENT": os.environ.get("DEPLOYMENT_ENVIRONMENT", "development"),
                "GOMEMLIMIT": os.environ.get("GOMEMLIMIT", "200MiB")}

    def command(self, binary, started):
        cmd = [binary, "--config", os.path.join(ROOT, "config", "otel-collector-config.yaml")]
        if "jaeger" not in started:
            # No Jaeger to send to: leave its exporter out of the traces pipeline rather than fail
            # every export (and fire OtelCollectorExportFailing). `--set` overrides one config value.
            cmd.append("--set=" + TRACES_WITHOUT_JAEGER)
        if "loki" not in started:
            # The same for the logs: without Loki they still reach the monitoring-dashboard.
            cmd.append("--set=" + LOGS_WITHOUT_LOKI)
        return cmd

    def ports(self):
        return [port(p) for p in (4317, 4318, 13133, 8888, 8889)]

    def health_url(self):
        return f"http://{LOOPBACK}:{port(13133)}/"

    def url(self):
        return f"http://{LOOPBACK}:{port(4318)}"


# The traces pipeline's exporters when no Jaeger runs (config/otel-collector-config.yaml's list
# without otlp_grpc/jaeger; scripts/stack/check-collector-config.py --native checks they match).
TRACES_WITHOUT_JAEGER = "service.pipelines.traces.exporters=[otlp_http/dashboard, span_metrics, debug]"
# The logs pipeline's exporters when no Loki runs (the same file's list without otlp_http/loki; checked
# the same way).
LOGS_WITHOUT_LOKI = "service.pipelines.logs.exporters=[otlp_http/dashboard]"


class Prometheus(Backend):
    name = "prometheus"
    variable = "PROMETHEUS_BIN"
    timeout = 40.0
    adds = ("Prometheus with the native twin config: every Grafana panel's data, the alert rules, and the "
            "monitoring-dashboard's quantiles from PromQL")
    get = "`apt-get install prometheus` (Debian/Ubuntu), or https://prometheus.io/download/; or set PROMETHEUS_BIN"

    def listen_port(self):
        return int(os.environ.get("PROMETHEUS_PORT", "9090")) + offset()

    def command(self, binary, started):
        return [binary, f"--config.file={os.path.join(ROOT, 'config', 'prometheus.native.yml')}",
                f"--storage.tsdb.path={os.path.join(self.data_dir(), 'data')}",
                "--storage.tsdb.retention.time=2d",
                f"--web.listen-address={LOOPBACK}:{self.listen_port()}",
                "--enable-feature=exemplar-storage"]

    def ports(self):
        return [self.listen_port()]

    def health_url(self):
        return f"http://{LOOPBACK}:{self.listen_port()}/-/ready"

    def url(self):
        return f"http://{LOOPBACK}:{self.listen_port()}"


# Grafana's settings shared with docker-compose.yml's grafana service (scripts/stack/native-backends-test.py
# checks they equal compose's); the paths and addresses below them are the native ones.
GRAFANA_SHARED_SETTINGS = {
    "GF_AUTH_ANONYMOUS_ENABLED": "true",
    "GF_AUTH_ANONYMOUS_ORG_ROLE": "Viewer",
    "GF_USERS_ALLOW_SIGN_UP": "false",
    "GF_SECURITY_ADMIN_USER": "admin",
    "GF_ANALYTICS_REPORTING_ENABLED": "false",
    "GF_ANALYTICS_CHECK_FOR_UPDATES": "false",
    "GF_ANALYTICS_CHECK_FOR_PLUGIN_UPDATES": "false",
    "GF_NEWS_NEWS_FEED_ENABLED": "false",
}
GRAFANA_DEFAULT_ADMIN_PASSWORD = "audiofleet-admin"


class Grafana(Backend):
    name = "grafana"
    variable = "GRAFANA_BIN"
    timeout = 90.0  # the first start creates and migrates its database
    adds = ("Grafana with the three provisioned dashboards (Overview, Audio pipeline, Service details), "
            "exemplar links to Jaeger and trace <-> logs links between Jaeger and Loki; it needs prometheus for data")
    get = ("https://grafana.com/grafana/download (the standalone Linux binaries: unpack and set "
           "GRAFANA_HOME to the folder), or the apt repository https://apt.grafana.com")

    def find(self):
        home = os.environ.get("GRAFANA_HOME", "")
        if os.environ.get(self.variable, "") or not home:
            binary, why = super().find()
            if binary or os.environ.get(self.variable, ""):
                return binary, why
            legacy = shutil.which("grafana-server")  # older packages
            return (legacy, "") if legacy else (None, "no `grafana` or `grafana-server` on PATH, "
                                                      "GRAFANA_BIN and GRAFANA_HOME not set")
        for name in ("grafana", "grafana-server"):
            candidate = os.path.join(home, "bin", name)
            if os.path.isfile(candidate) and os.access(candidate, os.X_OK):
                return candidate, ""
        return None, f"GRAFANA_HOME={home} has no bin/grafana or bin/grafana-server"

    @staticmethod
    def home_of(binary):
        """Grafana's homepath (conf/defaults.ini and public/ live there)."""
        if os.environ.get("GRAFANA_HOME"):
            return os.environ["GRAFANA_HOME"]
        candidate = os.path.dirname(os.path.dirname(os.path.realpath(binary)))
        for home in (candidate, "/usr/share/grafana"):
            if os.path.isfile(os.path.join(home, "conf", "defaults.ini")):
                return home
        return None

    def listen_port(self):
        return int(os.environ.get("GRAFANA_PORT", "3000")) + offset()

    def provisioning_dir(self):
        return os.path.join(self.data_dir(), "provisioning")

    def prepare(self):
        """The provisioning folder Grafana expects, holding links to the committed files."""
        super().prepare()
        for sub in ("datasources", "dashboards", "plugins", "alerting"):
            os.makedirs(os.path.join(self.provisioning_dir(), sub), exist_ok=True)
        for sub, name in (("datasources", "datasources.yml"), ("dashboards", "dashboards.yml")):
            link = os.path.join(self.provisioning_dir(), sub, name)
            if os.path.lexists(link):
                os.remove(link)
            os.symlink(os.path.join(ROOT, "config", "grafana", name), link)

    def environment(self, started):
        dashboards = os.path.join(ROOT, "config", "grafana", "dashboards")
        prometheus = Prometheus()
        env = dict(GRAFANA_SHARED_SETTINGS)
        env.update({
            # Read only when Grafana creates its database (the first start with an empty var/grafana).
            "GF_SECURITY_ADMIN_PASSWORD": os.environ.get("GRAFANA_ADMIN_PASSWORD", GRAFANA_DEFAULT_ADMIN_PASSWORD),
            "GF_PATHS_DATA": os.path.join(self.data_dir(), "data"),
            "GF_PATHS_LOGS": var("log", "grafana"),
            "GF_PATHS_PLUGINS": os.path.join(self.data_dir(), "plugins"),
            "GF_PATHS_PROVISIONING": self.provisioning_dir(),
            "GF_SERVER_HTTP_ADDR": LOOPBACK,
            "GF_SERVER_HTTP_PORT": str(self.listen_port()),
            "GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH": os.path.join(dashboards, "audio-orchestrator-overview.json"),
            # Read by config/grafana/datasources.yml and dashboards.yml.
            "GRAFANA_PROMETHEUS_URL": prometheus.url(),
            "GRAFANA_JAEGER_URL": Jaeger().url(),
            "GRAFANA_LOKI_URL": Loki().url(),
            "GRAFANA_DASHBOARDS_DIR": dashboards,
        })
        return env

    def command(self, binary, started):
        home = self.home_of(binary)
        cmd = [binary] if os.path.basename(binary).startswith("grafana-server") else [binary, "server"]
        return cmd + (["--homepath", home] if home else [])

    def ports(self):
        return [self.listen_port()]

    def health_url(self):
        return f"http://{LOOPBACK}:{self.listen_port()}/api/health"

    def url(self):
        return f"http://{LOOPBACK}:{self.listen_port()}"


BACKENDS = [Jaeger(), Loki(), Collector(), Prometheus(), Grafana()]


# ------------------------------------------------------------------------------------------------
# Starting, waiting, stopping

def shown(path):
    """A path as the user reads it: relative inside the checkout, absolute elsewhere."""
    return os.path.relpath(path, ROOT) if path.startswith(ROOT + os.sep) else path


def say(line=""):
    print(line, flush=True)


def port_free(p):
    with socket.socket() as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((LOOPBACK, p))
            return True
        except OSError:
            return False


def healthy(url):
    try:
        with urllib.request.urlopen(url, timeout=1) as r:
            return 200 <= r.status < 300
    except Exception:  # noqa: BLE001 - not answering yet is the normal case
        return False


def tail(path, lines=8):
    try:
        with open(path, errors="replace") as f:
            return "".join("      " + line for line in f.readlines()[-lines:])
    except OSError:
        return "      (no log)\n"


def alive(pid):
    """Whether pid runs (a zombie, dead and waiting for its new parent to reap it, does not)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(") ", 1)[1][:1] != "Z"
    except (OSError, IndexError):
        return True


def stop_pid(pid, grace=10.0):
    """SIGTERM, then SIGKILL to its process group after `grace` seconds."""
    if not alive(pid):
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + grace
    while time.monotonic() < deadline:
        try:
            # Our own child (in `start`): reap it, or it stays a zombie that looks alive.
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                return
        except ChildProcessError:
            if not alive(pid):
                return
        time.sleep(0.05)
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def start_one(backend, binary, started, log_dir):
    """Starts one backend and waits for its health endpoint. -> its state entry, or None."""
    busy = [p for p in backend.ports() if not port_free(p)]
    if busy:
        say(f"  NOT STARTED {backend.name}: port {', '.join(map(str, busy))} in use "
            f"(another {backend.name} running? stop it first)")
        return None
    backend.prepare()
    log = os.path.join(log_dir, f"{backend.name}.log")
    env = dict(os.environ)
    env.update(backend.environment(started))
    cmd = backend.command(binary, started)
    began = time.monotonic()
    with open(log, "w") as out:
        # Its own session: Ctrl-C in the terminal reaches the fleet, not the backends, so the
        # launcher stops them after the fleet, in order.
        process = subprocess.Popen(cmd, cwd=backend.data_dir(), env=env, stdin=subprocess.DEVNULL,
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    deadline = began + float(os.environ.get("NATIVE_BACKENDS_TIMEOUT", backend.timeout))
    while time.monotonic() < deadline:
        if healthy(backend.health_url()):
            seconds = time.monotonic() - began
            say(f"  started     {backend.name:<16} {backend.url():<26} pid {process.pid}, healthy after "
                f"{seconds:.1f} s, log {shown(log)}")
            return {"name": backend.name, "pid": process.pid, "url": backend.url(), "log": log}
        if process.poll() is not None:
            say(f"  FAILED      {backend.name}: exited with status {process.returncode} during start-up; "
                f"last lines of {shown(log)}:\n{tail(log)}")
            return None
        time.sleep(0.1)
    say(f"  FAILED      {backend.name}: {backend.health_url()} did not answer within "
        f"{deadline - began:.0f} s; stopping it. Last lines of {shown(log)}:\n{tail(log)}")
    stop_pid(process.pid)
    return None


def fleet_environment(started):
    """What the fleet gets from the backends that run: the collector as its OTLP endpoint (unless one
    is given or export is off), and the URLs its pages link to."""
    env = {}
    given = any(os.environ.get(v) for v in ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
                                             "OTEL_EXPORTER_OTLP_METRICS_ENDPOINT", "OTEL_EXPORTER_OTLP_LOGS_ENDPOINT"))
    off = (os.environ.get("OTEL_ENABLED", "").lower() == "false"
           or os.environ.get("OTEL_SDK_DISABLED", "").lower() == "true")
    if "otelcol-contrib" in started and not given and not off:
        # Exactly what compose gives the services (.env.common), on loopback.
        env["OTEL_EXPORTER_OTLP_ENDPOINT"] = started["otelcol-contrib"]["url"]
        env["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf"
    for name, variable in (("jaeger", "JAEGER_UI_URL"), ("grafana", "GRAFANA_URL"), ("prometheus", "PROMETHEUS_URL")):
        if name in started and not os.environ.get(variable):
            env[variable] = started[name]["url"]
    return env


def shell_quote(value):
    return "'" + value.replace("'", "'\\''") + "'"


def start(state_dir):
    os.makedirs(state_dir, exist_ok=True)
    log_dir = var("log")
    os.makedirs(log_dir, exist_ok=True)
    state_file = os.path.join(state_dir, "state.json")
    env_file = os.path.join(state_dir, "env.sh")
    if os.path.exists(state_file):
        # A launcher killed before its `stop` ran: end what it left, so the ports are free again.
        stop(state_dir)
    started = {}
    missing = []
    say("Observability backends (scripts/native-backends.py; docs/operations/native.md):")
    if os.environ.get("NATIVE_BACKENDS", "").lower() == "off":
        say("  none started (NATIVE_BACKENDS=off)")
    try:
        for backend in BACKENDS if os.environ.get("NATIVE_BACKENDS", "").lower() != "off" else []:
            binary, why = backend.find()
            if not binary:
                missing.append((backend, why))
                continue
            entry = start_one(backend, binary, started, log_dir)
            if entry:
                started[backend.name] = entry
                # Written after each start, so an interrupted launch still leaves `stop` its pids.
                with open(state_file, "w") as f:
                    json.dump(list(started.values()), f)
    except BaseException:
        say("  interrupted: stopping what was started")
        with open(state_file, "w") as f:
            json.dump(list(started.values()), f)
        stop(state_dir, quiet=True)
        raise
    for backend, why in missing:
        say(f"  not found   {backend.name:<16} ({why})\n"
            f"              would add: {backend.adds}\n"
            f"              get it: {backend.get}")
    exports = fleet_environment(started)
    with open(env_file, "w") as f:
        for key, value in exports.items():
            f.write(f"export {key}={shell_quote(value)}\n")
    if not started:
        with open(state_file, "w") as f:
            json.dump([], f)
    if "OTEL_EXPORTER_OTLP_ENDPOINT" in exports:
        say(f"  the fleet exports OTLP to the collector, {exports['OTEL_EXPORTER_OTLP_ENDPOINT']} (http/protobuf), as in compose")
    elif "otelcol-contrib" not in started:
        say("  no collector: the fleet exports OTLP to the monitoring-dashboard's embedded backend (unless told otherwise)")
        if "jaeger" in started:
            say("  (Jaeger receives traces only through a collector: it stays empty without one)")
    return 0


def stop(state_dir, quiet=False):
    state_file = os.path.join(state_dir, "state.json")
    try:
        with open(state_file) as f:
            entries = json.load(f)
    except (OSError, ValueError):
        entries = []
    for entry in reversed(entries):
        pid = entry["pid"]
        if not alive(pid) or not owned_by_us(pid):
            continue
        stop_pid(pid)
        if not quiet:
            say(f"  stopped {entry['name']} (pid {pid})")
    for name in ("state.json", "env.sh"):
        try:
            os.remove(os.path.join(state_dir, name))
        except FileNotFoundError:
            pass
    return 0


def owned_by_us(pid):
    """Whether pid is still a backend we started (a recycled pid belongs to someone else): each runs
    with its data folder under this checkout's var/ as its working directory."""
    try:
        cwd = os.path.realpath(f"/proc/{pid}/cwd")
    except OSError:
        return True
    if not os.path.exists(f"/proc/{pid}"):
        return True  # no /proc here: trust the state file
    return cwd.startswith(os.path.realpath(var()) + os.sep)


def grafana_cli(args):
    """`grafana cli ARGS` with the native Grafana's paths, so it reads and writes var/grafana."""
    backend = Grafana()
    binary, why = backend.find()
    if not binary:
        sys.exit(f"grafana-cli: {why}")
    home = Grafana.home_of(binary)
    # `grafana cli` (Grafana 10+); older installs ship a separate grafana-cli next to grafana-server.
    cli = [os.path.join(os.path.dirname(binary), "grafana-cli")] \
        if os.path.basename(binary).startswith("grafana-server") else [binary, "cli"]
    env = dict(os.environ)
    env.update(backend.environment({}))  # GF_PATHS_DATA: the database the native Grafana uses
    cmd = cli + (["--homepath", home] if home else []) + args
    return subprocess.call(cmd, env=env)


def main(argv):
    if len(argv) < 2 or argv[1] not in ("start", "stop", "env", "grafana-cli"):
        sys.exit(__doc__)
    command = argv[1]
    state_dir = var("native-backends")
    rest = argv[2:]
    if len(rest) >= 2 and rest[0] == "--state":
        state_dir = os.path.abspath(rest[1])
        rest = rest[2:]
    if command == "start":
        return start(state_dir)
    if command == "stop":
        return stop(state_dir)
    if command == "env":
        by_name = {b.name: b for b in BACKENDS}
        if not rest or rest[0] not in by_name:
            sys.exit(f"env: one of {', '.join(by_name)}")
        started = {b.name: {} for b in BACKENDS}
        print(json.dumps({"environment": by_name[rest[0]].environment(started),
                          "command": by_name[rest[0]].command(rest[0], started)[1:]}, indent=2))
        return 0
    return grafana_cli(rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv))
