#!/usr/bin/env python3
"""Helper of scripts/stack/dashboard-test.sh (which starts and stops the processes).

  dashboard_test.py free-offset             port offset at which the nine fleet ports are free
  dashboard_test.py free-port               a free loopback TCP port
  dashboard_test.py render-config --offset N --out FILE
        config/prometheus.native.yml's fleet job with a 5 s scrape interval, the fleet ports
        shifted by N and the rule files made absolute
  dashboard_test.py otlp-sink --port N      a stand-in OTLP/HTTP receiver on 127.0.0.1:N (see otlp_sink)
  dashboard_test.py run --prometheus URL --offset N --fleet-pid PID [--traffic-seconds 60]
        waits for the fleet and Prometheus, then runs every PromQL target of every dashboard
        through /api/v1/query (variables substituted) until each returns at least one series with
        a finite value, or the traffic window closes; prints one line per target,
        `dashboard-test: N of M panels have data natively (...)` and
        `dashboard-test: N passed, M failed, K skipped`; exits 1 on any failure.

Panels whose description starts with "Compose stack only:" need the collector, Jaeger or Loki, which
do not run natively: their targets are reported as skipped, never as passed.
Panels whose data only moves while a fault scenario runs name it in their description
("Moves with: packetLoss, jitterBurst."): the run switches every scenario so named on (at its
stored `on` value, through the testing-ui's PUT /scenarios/<key>) once the fleet is ready, and
those panels' targets must then return a non-zero value, not just a series. The run also sends
one out-of-range flag value, which the testing-ui refuses and counts (flag_errors_total), so the
refused-flags panel has a series.
The services, their ports and job labels come from config/prometheus.native.yml, the config the
test's Prometheus scrapes (Tests/StackConfigTests checks that file against FleetMember).
Standard library plus PyYAML.
"""
import argparse
import glob
import json
import math
import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import (COMPOSE_ONLY, DASHBOARDS_GLOB, free_port, load_yaml, native_fleet, panels_of, path,  # noqa: E402
                      port_free, substitute)

# The name messages start with; scripts/stack/alert-live-test.py, which reuses these helpers, sets its own.
PROGRAM = "dashboard-test"

# What Grafana would put in for its built-in variables, for a 15-minute dashboard at 15 s steps.
BUILTINS = {"__rate_interval": "1m", "__interval": "15s", "__interval_ms": "15000", "__range": "15m",
            "__range_s": "900", "__range_ms": "900000", "__auto": "15s"}


# "Moves with: packetLoss, jitterBurst." in a panel's description (see the module docstring).
SCENARIOS_RE = re.compile(r"\bMoves with: ([A-Za-z]+(?:, [A-Za-z]+)*)")


def scenarios_of(panel):
    m = SCENARIOS_RE.search(panel.get("description") or "")
    return m.group(1).split(", ") if m else []


def free_offset():
    ports, _ = native_fleet()
    for offset in (0, 10000, 20000, 30000, 40000):
        if all(port_free(p + offset) for p in ports.values()):
            return offset
    sys.exit(f"{PROGRAM}: no port offset with all nine fleet ports free")


def render_config(offset, out):
    import yaml
    src = path("config", "prometheus.native.yml")
    cfg = load_yaml(src)
    cfg["global"]["scrape_interval"] = "5s"
    cfg["global"]["scrape_timeout"] = "4s"
    cfg["global"]["evaluation_interval"] = "5s"
    cfg["rule_files"] = [os.path.join(os.path.dirname(src), p) for p in cfg.get("rule_files", [])]
    # Only the fleet's job: the native collector's jobs would scrape whatever collector a `make run`
    # beside the test has started, and mix another fleet's span metrics into this one's panels.
    cfg["scrape_configs"] = [job for job in cfg["scrape_configs"]
                             if any("__fleet_service" in (sc.get("labels") or {}) for sc in job.get("static_configs", []))]
    for job in cfg["scrape_configs"]:
        for sc in job.get("static_configs", []):
            shifted = []
            for t in sc["targets"]:
                host, port = t.rsplit(":", 1)
                shifted.append(f"{host}:{int(port) + offset}")
            sc["targets"] = shifted
    with open(out, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)


def otlp_sink(port):
    """A stand-in OTLP/HTTP receiver (otlpsink.py) on 127.0.0.1:`port`, so the fleet's exporters,
    and the OTLP relays they send through, run as they do against a collector: the relay panel then
    has data natively."""
    from otlpsink import OTLPSink
    OTLPSink(port).serve_forever()


# ------------------------------------------------------------------------------------------------

def http_get(url, timeout=5):
    with urllib.request.urlopen(url, timeout=timeout) as r:
        return r.status, r.read()


class Prometheus:
    def __init__(self, base):
        self.base = base.rstrip("/")

    def api(self, path, **params):
        url = f"{self.base}{path}?{urllib.parse.urlencode(params, doseq=True)}"
        try:
            _, body = http_get(url, timeout=20)
        except urllib.error.HTTPError as e:
            body = e.read()
        data = json.loads(body)
        if data.get("status") != "success":
            raise RuntimeError(f"{data.get('errorType')}: {data.get('error')}")
        return data["data"]

    def query(self, expr):
        return self.api("/api/v1/query", query=expr)


def alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def wait_for(what, predicate, timeout, fleet_pid=None, interval=1.0):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if fleet_pid and not alive(fleet_pid):
            raise SystemExit(f"{PROGRAM}: the fleet exited while waiting for {what}")
        try:
            ok, last = predicate()
            if ok:
                return
        except Exception as e:  # noqa: BLE001 - anything here just means "not yet"
            last = str(e)
        time.sleep(interval)
    raise SystemExit(f"{PROGRAM}: timed out after {timeout:.0f} s waiting for {what} ({last})")


def fleet_ready(ports, offset):
    def check():
        waiting = []
        for name, port in ports.items():
            try:
                status, _ = http_get(f"http://127.0.0.1:{port + offset}/health/ready", timeout=2)
                if status != 200:
                    waiting.append(name)
            except Exception:  # noqa: BLE001
                waiting.append(name)
        return not waiting, f"not ready: {', '.join(waiting)}"
    return check


def targets_up(prom, jobs):
    def check():
        res = prom.query("up")["result"]
        up = {r["metric"].get("job") for r in res if r["value"][1] == "1"}
        want = set(jobs.values())
        return want <= up, f"scraped: {len(want & up)}/{len(want)}, missing {sorted(want - up)}"
    return check


def variable_values(prom, dashboard):
    """Each template variable -> the value Grafana would use on load (its current selection)."""
    values = dict(BUILTINS)
    problems = []
    for v in (dashboard.get("templating") or {}).get("list", []):
        name = v["name"]
        query = v.get("query", {})
        query = query.get("query") if isinstance(query, dict) else query
        # A chained variable (service-details' hidden service_name) reads the ones before it.
        query = substitute(query or "", values)
        options = []
        m = re.fullmatch(r"label_values\(\s*([^,]+?)\s*,\s*(\w+)\s*\)", query or "")
        if m:
            options = prom.api(f"/api/v1/label/{m.group(2)}/values", **{"match[]": m.group(1)})
        current = (v.get("current") or {}).get("value")
        current = current[0] if isinstance(current, list) and len(current) == 1 else current
        if current in (None, "", "$__all") or current == ["$__all"]:
            if v.get("allValue"):
                values[name] = v["allValue"]
            else:
                values[name] = "(" + "|".join(re.escape(o) for o in options) + ")"
        else:
            # Whether the default is a job the fleet has: Tests/StackConfigTests (statically); a
            # wrong one leaves this dashboard's targets without data here.
            values[name] = current if isinstance(current, str) else "(" + "|".join(current) + ")"
        if not options:
            problems.append(f"${name}: {query} returned no values")
    return values, problems


def finite_series(data, nonzero=False):
    """Series with a finite value (and, with `nonzero`, a value other than 0)."""
    def ok(v):
        v = float(v)
        return math.isfinite(v) and (v != 0 or not nonzero)
    kind, result = data["resultType"], data["result"]
    if kind == "scalar":
        return 1 if ok(result[1]) else 0
    if kind == "vector":
        return sum(1 for s in result if ok(s["value"][1]))
    if kind == "matrix":
        return sum(1 for s in result if any(ok(v[1]) for v in s["values"]))
    return 0


def http_send(method, url, body=None, timeout=5):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def switch_scenarios_on(base, keys):
    """Switches each scenario on at its stored `on` value; returns the ones that would not."""
    problems = []
    for key in keys:
        status, body = http_send("PUT", f"{base}/scenarios/{key}", {"enabled": True})
        if status != 200:
            problems.append(f"PUT /scenarios/{key} answered {status}: {body[:200]!r}")
    return problems


def send_refused_flag(base):
    """One value out of range, which the testing-ui must refuse and count. Sent once Prometheus has
    scraped the counter at 0: increase() cannot see a first scraped value that is already 1."""
    status, body = http_send("PUT", f"{base}/scenarios/packetLoss", {"enabled": True, "value": 1000})
    return [] if 400 <= status < 500 else [f"PUT /scenarios/packetLoss with value 1000 answered {status}, not a 4xx refusal"]


def collect_targets(prom):
    """Every PromQL target of every dashboard, with its variables substituted as Grafana would."""
    files = sorted(glob.glob(DASHBOARDS_GLOB))
    checks, skipped, failed_setup, panels = [], [], [], []
    for f in files:
        d = json.load(open(f))
        values, problems = variable_values(prom, d)
        failed_setup += [f"{os.path.basename(f)}: {p}" for p in problems]
        for panel in panels_of(d):
            if panel.get("type") == "row":
                continue
            compose_only = (panel.get("description") or "").startswith(COMPOSE_ONLY)
            panels.append({"title": f"{d.get('title')} › {panel.get('title')}", "checks": [], "compose_only": compose_only})
            for t in panel.get("targets", []):
                label = f"{d.get('title')} › {panel.get('title')} [{t.get('refId')}]"
                if compose_only:
                    skipped.append(label)
                elif "expr" in t:
                    checks.append({"label": label, "expr": substitute(t["expr"], values), "series": 0, "error": None,
                                   "scenarios": scenarios_of(panel)})
                    panels[-1]["checks"].append(checks[-1])
                else:
                    failed_setup.append(f"{label}: not PromQL and not marked '{COMPOSE_ONLY}'")
    return files, checks, skipped, failed_setup, panels


def panel_count(panels):
    """`N of M panels have data natively`: a panel has data when one of its queries returned a
    series (Grafana then draws something, not "No data"). Compose-only panels are not queried here:
    the test's Prometheus scrapes no collector, so they count as without data."""
    with_data = sum(1 for p in panels if any(c["series"] > 0 for c in p["checks"]))
    compose_only = sum(1 for p in panels if p["compose_only"])
    return (f"dashboard-test: {with_data} of {len(panels)} panels have data natively "
            f"({compose_only} need the collector, Jaeger or Loki: docs/operations/native.md)")


def poll_until_data(prom, checks, t_ready, deadline):
    """Queries every target until each has a finite series or the traffic window ends."""
    pending = list(checks)
    rounds = 0
    while pending:
        rounds += 1
        still = []
        for c in pending:
            try:
                c["series"] = finite_series(prom.query(c["expr"]), nonzero=bool(c["scenarios"]))
                c["error"] = None
            except Exception as e:  # noqa: BLE001
                c["error"] = str(e)
            if c["series"] == 0:
                still.append(c)
            else:
                c["after"] = time.monotonic() - t_ready
        pending = still
        if not pending or time.monotonic() >= deadline:
            break
        print(f"dashboard-test: round {rounds}: {len(checks) - len(pending)}/{len(checks)} targets have data, "
              f"{deadline - time.monotonic():.0f} s of the window left")
        time.sleep(min(5, max(0.0, deadline - time.monotonic())))
    return pending, rounds


def report(files, checks, skipped, failed_setup, pending, rounds, elapsed, panels):
    for c in checks:
        if c["series"] > 0:
            moving = f", non-zero with {', '.join(c['scenarios'])} on" if c["scenarios"] else ""
            print(f"  PASS  {c['label']}: {c['series']} series after {c['after']:.0f} s{moving}")
    for label in skipped:
        print(f"  SKIP  {label}: compose stack only")
    for c in pending:
        why = c["error"] or ("no series with a finite non-zero value while " + ", ".join(c["scenarios"]) + " ran"
                             if c["scenarios"] else "no series with a finite value")
        print(f"  FAIL  {c['label']}: {why}\n          {c['expr']}")
    for s in failed_setup:
        print(f"  FAIL  {s}")
    slowest = sorted((c for c in checks if c["series"] > 0), key=lambda c: -c["after"])[:3]
    if slowest:
        print("dashboard-test: slowest to show data: "
              + "; ".join(f"{c['label']} ({c['after']:.0f} s)" for c in slowest))
    passed = len(checks) - len(pending)
    failed = len(pending) + len(failed_setup)
    print(f"dashboard-test: {len(files)} dashboards, {len(checks) + len(skipped)} targets, "
          f"{elapsed:.0f} s of fleet traffic, {rounds} rounds")
    print(panel_count(panels))
    print(f"dashboard-test: {passed} passed, {failed} failed, {len(skipped)} skipped")
    return 1 if failed else 0


def run(args):
    prom = Prometheus(args.prometheus)
    ports, jobs = native_fleet()
    t_start = time.monotonic()
    print(f"dashboard-test: waiting for the fleet (ports +{args.offset}) to be ready…")
    wait_for("the fleet's /health/ready", fleet_ready(ports, args.offset), args.ready_timeout, args.fleet_pid)
    t_ready = time.monotonic()
    print(f"dashboard-test: fleet ready after {t_ready - t_start:.0f} s; traffic window {args.traffic_seconds} s")
    # As early as possible: the scenarios' effects need traffic to show.
    scenarios = sorted({key for f in glob.glob(DASHBOARDS_GLOB) for panel in panels_of(json.load(open(f)))
                        for key in scenarios_of(panel)})
    print(f"dashboard-test: switching on the scenarios panels move with: {', '.join(scenarios) or 'none'}")
    testing_ui = f"http://127.0.0.1:{ports['testing-ui'] + args.offset}"
    scenario_problems = switch_scenarios_on(testing_ui, scenarios)
    wait_for("Prometheus /-/ready", lambda: (http_get(f"{prom.base}/-/ready")[0] == 200, "not ready"), 30, args.fleet_pid)
    wait_for(f"Prometheus to scrape all {len(jobs)} services", targets_up(prom, jobs), args.traffic_seconds, args.fleet_pid)

    scenario_problems += send_refused_flag(testing_ui)
    files, checks, skipped, failed_setup, panels = collect_targets(prom)
    failed_setup += scenario_problems
    pending, rounds = poll_until_data(prom, checks, t_ready, t_ready + args.traffic_seconds)
    return report(files, checks, skipped, failed_setup, pending, rounds, time.monotonic() - t_ready, panels)


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    sub.add_parser("free-offset")
    sub.add_parser("free-port")
    sk = sub.add_parser("otlp-sink")
    sk.add_argument("--port", type=int, required=True)
    rc = sub.add_parser("render-config")
    rc.add_argument("--offset", type=int, default=0)
    rc.add_argument("--out", required=True)
    rn = sub.add_parser("run")
    rn.add_argument("--prometheus", required=True)
    rn.add_argument("--offset", type=int, default=0)
    rn.add_argument("--fleet-pid", type=int)
    rn.add_argument("--ready-timeout", type=float, default=120)
    rn.add_argument("--traffic-seconds", type=float, default=60)
    args = ap.parse_args()
    if args.cmd == "free-offset":
        print(free_offset())
    elif args.cmd == "free-port":
        print(free_port())
    elif args.cmd == "otlp-sink":
        otlp_sink(args.port)
    elif args.cmd == "render-config":
        render_config(args.offset, args.out)
    else:
        sys.exit(run(args))


if __name__ == "__main__":
    main()
