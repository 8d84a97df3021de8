#!/usr/bin/env python3
"""Time to first trace and to first data: how long after `audio-fleet up` starts a user sees a
complete voice-turn trace, and every natively answerable dashboard panel with data.

  startup.py [--short] [--binary PATH] [--runs N] [--json FILE] [--no-prometheus] [--env NAME=VALUE]

Each run starts `audio-fleet up` as `make run` does natively (the embedded telemetry backend, the
native Prometheus when the `prometheus` binary is installed, started and ready before the fleet, as
scripts/native-backends.py does), on free ports, in a temp folder, and times from the moment the
process is started:
  - each service ready (the `ready <name> after X s` lines `up` prints);
  - the first utterance (the first turn's started_at on the bridge's GET /voice/turns) and the
    first finished turn (an outcome other than in_progress);
  - the first turn's spans from every service of a turn queryable in the monitoring-dashboard's
    embedded backend (GET /api/traces), while its reply still plays, and the first complete
    voice-turn trace (rooted in voice.turn, which ends once the reply has played), with that
    trace's own stage timeline (span start and end times, wall clock);
  - every natively answerable panel having data: each PromQL target of the Grafana dashboards
    (config/grafana/dashboards, variables substituted as scripts/stack/dashboard_test.py does;
    "Compose stack only:" panels are not answerable natively) returning a finite series from the
    Prometheus query API. Panels that move only with a fault scenario ("Moves with: ...") are
    reported apart when they have no series without it: a plain `make run` switches none on.
Goals: first trace <= 10 s, all panels <= 60 s; reported as met or missed, never an exit status.
--short: one run, until the first turn's spans from every service are queryable, capped at 60 s
(proves the benchmark works, not its figure).
Exits non-zero only when the benchmark could not run (the fleet did not start, no trace).
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(ROOT, "scripts", "stack"))
from nativefleet import Failure, Fleet, free_offset, get_json, request, stop_group  # noqa: E402
from stacklib import free_port, load_yaml  # noqa: E402

TRACE_GOAL = 10.0
PANELS_GOAL = 60.0
# The services a voice turn's trace crosses (the bridge, its audio and speech hops, the
# orchestrator and the models it calls). The dashboard's turn report and the testing-ui are not
# on the turn's path.
TURN_SERVICES = {"discord", "audio-processor", "stt", "orchestrator", "guardrails", "llm-flan", "tts-bark"}
TURN_ROOT = "voice.turn"
READY_RE = re.compile(r"^\s+ready\s+(\S+)\s+after ([0-9.]+) s")


def since(t0, now=None):
    return (now if now is not None else time.monotonic()) - t0


# ------------------------------------------------------------------------------------------------
# Prometheus, as `make run` starts it natively

def render_prometheus_config(offset, out):
    """config/prometheus.native.yml as it is (its own scrape interval), with only the fleet's job,
    its ports shifted by `offset` and the rule files made absolute."""
    import yaml
    src = os.path.join(ROOT, "config", "prometheus.native.yml")
    cfg = load_yaml(src)
    cfg["rule_files"] = [os.path.join(os.path.dirname(src), p) for p in cfg.get("rule_files", [])]
    cfg["scrape_configs"] = [job for job in cfg["scrape_configs"]
                             if any("__fleet_service" in (sc.get("labels") or {}) for sc in job.get("static_configs", []))]
    for job in cfg["scrape_configs"]:
        for sc in job["static_configs"]:
            sc["targets"] = [f"{t.rsplit(':', 1)[0]}:{int(t.rsplit(':', 1)[1]) + offset}" for t in sc["targets"]]
    with open(out, "w") as f:
        yaml.safe_dump(cfg, f, sort_keys=False)
    return cfg["global"]["scrape_interval"]


class LocalPrometheus:
    def __init__(self, tmp, offset):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        config = os.path.join(tmp, "prometheus.yml")
        self.scrape_interval = render_prometheus_config(offset, config)
        self.process = subprocess.Popen(
            ["prometheus", f"--config.file={config}", f"--storage.tsdb.path={os.path.join(tmp, 'tsdb')}",
             f"--web.listen-address=127.0.0.1:{self.port}", "--log.level=warn"],
            stdout=open(os.path.join(tmp, "prometheus.log"), "w"), stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True)

    def wait_ready(self, timeout=40):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if request("GET", self.base + "/-/ready", timeout=2)[0] == 200:
                    return
            except OSError:
                pass
            if self.process.poll() is not None:
                raise Failure("prometheus exited during start-up")
            time.sleep(0.1)
        raise Failure("prometheus was not ready in time")

    def stop(self):
        stop_group(self.process, timeout=10)


def panel_checks(prom):
    """Every natively answerable panel with its PromQL targets (dashboard_test's own collection)."""
    import dashboard_test
    _, checks, _, setup_problems, panels = dashboard_test.collect_targets(dashboard_test.Prometheus(prom.base))
    answerable = [p for p in panels if not p["compose_only"] and p["checks"]]
    return answerable, setup_problems


def poll_panels(prom, panels, t0):
    """Queries each panel's targets still without data; marks each panel when one has a series."""
    import dashboard_test
    client = dashboard_test.Prometheus(prom.base)
    for panel in panels:
        if "after" in panel:
            continue
        for check in panel["checks"]:
            try:
                if dashboard_test.finite_series(client.query(check["expr"])) > 0:
                    panel["after"] = since(t0)
                    break
            except Exception:  # noqa: BLE001 - not yet
                pass


# ------------------------------------------------------------------------------------------------
# One run

def recent_traces(fleet):
    return get_json(fleet.url("monitoring-dashboard") + "/api/traces?limit=200", timeout=3)["traces"]


def complete_turn_trace(fleet):
    """A finished turn's trace: its voice.turn root has arrived (it ends after the reply has played)
    and every service of the turn has spans in it."""
    for trace in recent_traces(fleet):
        if trace["root_name"] == TURN_ROOT and TURN_SERVICES <= set(trace["services"]):
            return trace
    return None


def turn_spans_in(fleet):
    """Whether some trace already holds spans from every service of a turn: the waterfall of a turn
    whose reply is still playing (its root span, which covers the playback, not yet ended)."""
    return any(TURN_SERVICES <= set(trace["services"]) for trace in recent_traces(fleet))


def stage_timeline(fleet, trace_id, wall0):
    """The first trace's spans as (seconds after `up` started, event) pairs: the turn's stages."""
    detail = get_json(fleet.url("monitoring-dashboard") + f"/api/traces/{trace_id}", timeout=3)
    events = []
    first_by_name = {}
    for span in detail["spans"]:
        name = span["name"]
        start = span["start_time_unix_nano"] / 1e9 - wall0
        end = span["end_time_unix_nano"] / 1e9 - wall0
        if name not in first_by_name or start < first_by_name[name][0]:
            first_by_name[name] = (start, end, span["service"])
    for name, (start, end, service) in sorted(first_by_name.items(), key=lambda kv: kv[1][0]):
        events.append({"span": name, "service": service, "start": round(start, 3), "end": round(end, 3)})
    return events


def parse_ready(log_path):
    ready = {}
    try:
        with open(log_path, errors="replace") as f:
            for line in f:
                m = READY_RE.match(line)
                if m:
                    ready[m.group(1)] = float(m.group(2))
    except OSError:
        pass
    return ready


def iso_seconds(text, wall0):
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc).timestamp() - wall0


def one_run(binary, use_prometheus, short, cap, env):
    tmp = tempfile.mkdtemp(prefix="bench-startup-")
    prom = None
    fleet = None
    result = {"ready": {}, "first_utterance": None, "first_turn_finished": None, "first_turn_spans": None,
              "first_trace": None,
              "trace_timeline": [], "panels": None}
    try:
        offset = free_offset()  # the one Fleet will pick: Prometheus scrapes it from the start
        if use_prometheus:
            prom = LocalPrometheus(tmp, offset)
            prom.wait_ready()  # `make run` starts the backends first and waits for each
            result["scrape_interval"] = prom.scrape_interval
        wall0 = time.time()
        t0 = time.monotonic()
        fleet = Fleet(binary, tmp, env=env)
        if fleet.offset != offset and prom:
            raise Failure(f"port offset moved from {offset} to {fleet.offset} while Prometheus started")
        panels = None
        need_panels = use_prometheus and not short
        while since(t0) < cap:
            if fleet.process.poll() is not None:
                raise Failure(f"`audio-fleet up` exited ({fleet.process.returncode}):\n{fleet.tail()}")
            if result["first_turn_finished"] is None:
                try:
                    turns = get_json(fleet.url("discord") + "/voice/turns", timeout=2)
                    turns = turns.get("turns", []) if isinstance(turns, dict) else turns
                    if turns and result["first_utterance"] is None:
                        # started_at is when the segment closed (whole seconds): the utterance began
                        # about its length before that (the segment holds the trailing silence too).
                        first = min(turns, key=lambda t: t["id"])
                        result["first_segment_closed"] = iso_seconds(first["started_at"], wall0)
                        result["first_utterance_seconds"] = first.get("segment_seconds") or 0
                        result["end_of_utterance_wait"] = (first.get("latencies") or {}).get("end_of_utterance") or 0
                        result["first_utterance"] = round(result["first_segment_closed"] - result["first_utterance_seconds"], 1)
                    if any(t.get("outcome") not in (None, "in_progress") for t in turns):
                        result["first_turn_finished"] = round(since(t0), 2)
                except (OSError, Failure, ValueError, KeyError):
                    pass
            if result["first_turn_spans"] is None:
                try:
                    if turn_spans_in(fleet):
                        result["first_turn_spans"] = round(since(t0), 2)
                except (OSError, Failure, ValueError, KeyError):
                    pass
            if result["first_trace"] is None and not short:
                try:
                    trace = complete_turn_trace(fleet)
                    if trace:
                        result["first_trace"] = round(since(t0), 2)
                        result["trace_timeline"] = stage_timeline(fleet, trace["trace_id"], wall0)
                        closed = next((e["start"] for e in result["trace_timeline"] if e["span"] == TURN_ROOT), None)
                        if closed is not None and "first_segment_closed" in result:
                            result["first_segment_closed"] = closed  # the span's exact time
                            result["first_utterance"] = round(closed - result["first_utterance_seconds"], 2)
                except (OSError, Failure, ValueError, KeyError):
                    pass
            if need_panels:
                if panels is None and all(fleet.is_ready(s) for s in ("discord", "monitoring-dashboard")):
                    panels, problems = panel_checks(prom)
                    result["panel_setup_problems"] = problems
                if panels is not None:
                    poll_panels(prom, panels, t0)
                    if all("after" in p for p in panels):
                        break
            elif result["first_trace"] is not None or (short and result["first_turn_spans"] is not None):
                break
            time.sleep(0.25 if result["first_trace"] is None else 1.0)
        result["ready"] = parse_ready(fleet.log)
        if panels is not None:
            with_data = [p for p in panels if "after" in p]
            moving_only = [p["title"] for p in panels if "after" not in p and any(c["scenarios"] for c in p["checks"])]
            without = [p["title"] for p in panels if "after" not in p and not any(c["scenarios"] for c in p["checks"])]
            result["panels"] = {
                "answerable": len(panels), "with_data": len(with_data),
                "all_without_scenarios": max((p["after"] for p in with_data), default=None) if not without else None,
                "slowest": sorted(((round(p["after"], 1), p["title"]) for p in with_data), reverse=True)[:5],
                "without_data": without, "only_with_a_scenario": moving_only}
        return result
    finally:
        if fleet:
            fleet.stop()
        if prom:
            prom.stop()
        shutil.rmtree(tmp, ignore_errors=True)


# ------------------------------------------------------------------------------------------------

def goal(value, limit):
    if value is None:
        return "missed (never)"
    return f"{'met' if value <= limit else 'missed'} (goal <= {limit:.0f} s)"


def print_run(i, r):
    print(f"run {i}:")
    ready = r["ready"]
    if ready:
        print("  ready:    " + ", ".join(f"{name} {s:.1f} s" for name, s in sorted(ready.items(), key=lambda kv: kv[1])))
    print(f"  first utterance starts:   ~{r['first_utterance']} s (its segment closed at "
          f"{r.get('first_segment_closed', 0):.2f} s: {r.get('first_utterance_seconds')} s of audio, "
          f"{r.get('end_of_utterance_wait', 0):.2f} s of it the end-of-utterance wait)")
    print(f"  first turn finished:      {r['first_turn_finished']} s (seen on GET /voice/turns)")
    for event in r["trace_timeline"]:
        print(f"    {event['start']:7.2f} .. {event['end']:7.2f} s  {event['service']:<15} {event['span']}")
    print(f"  first turn's spans from all {len(TURN_SERVICES)} services queryable (reply still playing): "
          f"{r['first_turn_spans']} s  {goal(r['first_turn_spans'], TRACE_GOAL)}")
    if r["first_trace"] is not None:
        print(f"  first complete turn trace queryable (root ended after the reply played): {r['first_trace']} s  "
              f"{goal(r['first_trace'], TRACE_GOAL)}")
    p = r.get("panels")
    if p:
        print(f"  panels with data: {p['with_data']} of {p['answerable']} natively answerable "
              f"(Prometheus scrape interval {r.get('scrape_interval')})")
        print(f"  every panel that moves without a fault scenario has data: {p['all_without_scenarios']} s  "
              f"{goal(p['all_without_scenarios'], PANELS_GOAL)}")
        for after, title in p["slowest"]:
            print(f"    slowest: {after:5.1f} s  {title}")
        for title in p["without_data"]:
            print(f"    no data: {title}")
        if p["only_with_a_scenario"]:
            print(f"    no series until a fault scenario runs ({len(p['only_with_a_scenario'])}): "
                  + "; ".join(p["only_with_a_scenario"]))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--short", action="store_true", help="one run, first trace only, 60 s cap")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "audio-fleet"))
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--json", help="write the figures here")
    ap.add_argument("--no-prometheus", action="store_true", help="skip the panels even when prometheus is installed")
    ap.add_argument("--cap", type=float, default=150, help="seconds a run may take (full mode)")
    ap.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                    help="a variable for the fleet, e.g. LATENCY_PROFILE=realtime or OTEL_BSP_SCHEDULE_DELAY=5000")
    args = ap.parse_args()
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"startup: no audio-fleet binary at {args.binary}")
    use_prometheus = not args.short and not args.no_prometheus and shutil.which("prometheus") is not None
    runs = 1 if args.short else max(1, args.runs)
    cap = 60.0 if args.short else args.cap
    # As `make run`: the caller's OTEL_* settings do not apply (nativefleet drops them), and the
    # fleet's own export schedule is measured, not the test fleets' shortened one.
    env = {"OTEL_BSP_SCHEDULE_DELAY": None}
    for item in args.env:
        name, _, value = item.partition("=")
        env[name] = value
    print(f"startup: {runs} run(s) of `{args.binary} up`"
          + (", with the native Prometheus" if use_prometheus else ", no Prometheus (panels not measured)"))
    results = []
    for i in range(1, runs + 1):
        try:
            r = one_run(args.binary, use_prometheus, args.short, cap, env)
        except Failure as error:
            sys.exit(f"startup: the benchmark could not run: {error}")
        print_run(i, r)
        if r["first_turn_spans"] is None or (r["first_trace"] is None and not args.short):
            sys.exit(f"startup: no complete voice-turn trace within {cap:.0f} s")
        results.append(r)

    spans = [r["first_turn_spans"] for r in results]
    traces = [r["first_trace"] for r in results if r["first_trace"] is not None]
    panels = [r["panels"]["all_without_scenarios"] for r in results if r.get("panels")]
    summary = {"runs": runs, "first_turn_spans_median": statistics.median(spans), "first_turn_spans": spans,
               "first_trace_median": statistics.median(traces) if traces else None, "first_trace": traces,
               "first_trace_goal": TRACE_GOAL, "panels_goal": PANELS_GOAL,
               "all_panels_median": statistics.median(panels) if panels and None not in panels else None,
               "all_panels": panels, "details": results}
    print(f"startup: time to the first turn's spans from every service, median of {runs}: "
          f"{summary['first_turn_spans_median']:.1f} s {goal(summary['first_turn_spans_median'], TRACE_GOAL)}")
    if traces:
        print(f"startup: time to first complete turn trace, median of {runs}: {summary['first_trace_median']:.1f} s "
              f"{goal(summary['first_trace_median'], TRACE_GOAL)}")
    if panels:
        print(f"startup: time to every natively answerable panel having data, median of {runs}: "
              f"{summary['all_panels_median']} s {goal(summary['all_panels_median'], PANELS_GOAL)}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(summary, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
