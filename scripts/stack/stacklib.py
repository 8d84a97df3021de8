"""Helpers shared by the scripts in scripts/stack (standard library + PyYAML only)."""
import os
import re
import socket
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def path(*parts):
    return os.path.join(ROOT, *parts)


def load_yaml(p):
    try:
        import yaml
    except ImportError:
        sys.exit("PyYAML is missing: python3 -m pip install pyyaml (or apt-get install python3-yaml)")
    with open(p) as f:
        return yaml.safe_load(f)


class Report:
    """Counts checks and prints every failure (and, with STACK_CHECK_VERBOSE=1, every pass)."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.verbose = os.environ.get("STACK_CHECK_VERBOSE", "") not in ("", "0")

    def check(self, ok, message, detail=None):
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"  PASS  {self.name}: {message}")
        else:
            self.failed += 1
            print(f"  FAIL  {self.name}: {message}" + (f" — {detail}" if detail else ""))
        return ok

    def note(self, message):
        print(f"  NOTE  {self.name}: {message}")

    def exit(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2,
          "g": 1024 ** 3, "gb": 1024 ** 3}


def parse_bytes(value):
    """Compose byte values: an integer (bytes) or a string like 128m, 1g, 512MB (binary units)."""
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgKMG]?[bB]?)\s*", str(value))
    if not m:
        raise ValueError(f"not a byte value: {value!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def compose_image_version(compose, service):
    image = compose["services"][service]["image"]
    return image.rsplit(":", 1)[1] if ":" in image else None


def port_of(address):
    """`0.0.0.0:4318`, `jaeger:4317`, `http://otel-collector:13133/` -> the port as an int (or None)."""
    m = re.search(r":(\d+)(?:/.*)?$", str(address))
    return int(m.group(1)) if m else None


def port_free(port):
    """Whether a TCP port on the loopback interface can be bound right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_port():
    """A loopback TCP port that is free now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ------------------------------------------------------------------------------------------------
# Environment references in the shared configs (the compose files and the native twins read the same
# files, see docs/operations/native.md)

COLLECTOR_ENV_RE = re.compile(r"\$\{env:([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def expand_collector_env(tree, env):
    """A collector (or Jaeger v2) config with every `${env:NAME}` / `${env:NAME:-default}` resolved
    against `env`, as the collector's confmap does: a value that is one reference alone is read as
    YAML (so `${env:PORT:-8888}` is the int 8888); inside a longer string it is text."""
    if isinstance(tree, dict):
        return {k: expand_collector_env(v, env) for k, v in tree.items()}
    if isinstance(tree, list):
        return [expand_collector_env(v, env) for v in tree]
    if not isinstance(tree, str) or "${env:" not in tree:
        return tree

    def value(m):
        name, default = m.group(1), m.group(2)
        return env[name] if name in env else (default if default is not None else "")
    whole = COLLECTOR_ENV_RE.fullmatch(tree)
    if whole:
        import yaml
        return yaml.safe_load(value(whole)) if value(whole) != "" else ""
    return COLLECTOR_ENV_RE.sub(value, tree)


GRAFANA_ENV_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)\}|([A-Za-z_][A-Za-z0-9_]*))")


def expand_grafana_env(value, env):
    """A Grafana provisioning value with `$NAME` / `${NAME}` expanded as Grafana does (Go's
    os.ExpandEnv: an unset variable is empty; `$$` is a literal `$`)."""
    parts = str(value).split("$$")
    return "$".join(GRAFANA_ENV_RE.sub(lambda m: env.get(m.group(1) or m.group(2), ""), p) for p in parts)


LOKI_ENV_RE = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def load_loki_config(p, env):
    """config/loki-config.yaml as Loki reads it with -config.expand-env=true: envsubst on the text
    (`${NAME}` / `${NAME:-default}`, comments included) before the YAML is parsed."""
    import yaml
    text = open(p).read()
    return yaml.safe_load(LOKI_ENV_RE.sub(lambda m: env.get(m.group(1), m.group(2) or ""), text))


def native_backends():
    """scripts/native-backends.py as a module (its file name has a dash)."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("native_backends", path("scripts", "native-backends.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def native_environment(name):
    """The environment scripts/native-backends.py gives backend `name` (jaeger, loki, otelcol-contrib,
    prometheus, grafana), as if every backend were installed."""
    nb = native_backends()
    backend = next(b for b in nb.BACKENDS if b.name == name)
    return backend.environment({b.name: {} for b in nb.BACKENDS})


# The OTLP specification's default ports, per protocol: what SDK endpoints and the collector's
# OTLP receiver use.
OTLP_PORTS = {"grpc": 4317, "http": 4318}
# Prometheus as the compose services reach it (.env.common, Grafana's datasource).
PROMETHEUS_IN_COMPOSE = "http://prometheus:9090"


# ------------------------------------------------------------------------------------------------
# Dashboards (check-dashboards.py reads them statically, dashboard_test.py against a Prometheus)

DASHBOARDS_GLOB = os.path.join(ROOT, "config", "grafana", "dashboards", "*.json")
# A panel whose description starts with this needs the collector, Jaeger or Loki: no data natively.
COMPOSE_ONLY = "Compose stack only:"
# A Grafana variable reference: ${name}, ${name:format}, $name or [[name]].
VAR_RE = re.compile(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?\}|([A-Za-z_][A-Za-z0-9_]*)|\[\[([A-Za-z_][A-Za-z0-9_]*)\]\])")


def variable_name(match):
    return match.group(1) or match.group(2) or match.group(3)


def substitute(expr, values):
    """Grafana-style substitution: every variable with a value in `values` is replaced."""
    return VAR_RE.sub(lambda m: values.get(variable_name(m), m.group(0)), expr)


def panels_of(dashboard):
    """Every panel, including those inside collapsed rows."""
    for p in dashboard.get("panels", []):
        yield p
        for sub in p.get("panels", []) or []:
            yield sub


# ------------------------------------------------------------------------------------------------
# The native fleet, as config/prometheus.native.yml scrapes it. That file is the scripts' only
# source for service names and ports; Tests/StackConfigTests checks it against FleetMember.

def native_fleet():
    """-> ({service: host port}, {service: job label}) from config/prometheus.native.yml."""
    cfg = load_yaml(path("config", "prometheus.native.yml"))
    ports, jobs = {}, {}
    for job in cfg["scrape_configs"]:
        job_rule = next((r for r in job.get("relabel_configs") or [] if r.get("target_label") == "job"), {})
        for sc in job.get("static_configs") or []:
            service = (sc.get("labels") or {}).get("__fleet_service")
            if service is None:
                continue
            (target,) = sc["targets"]
            ports[service] = int(target.rsplit(":", 1)[1])
            jobs[service] = job_rule.get("replacement", job["job_name"]).replace("$1", service)
    return ports, jobs
