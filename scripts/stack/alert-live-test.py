#!/usr/bin/env python3
"""`make alert-test`: one alert rule seen firing for real, while its fault scenario runs.

Starts the native fleet (`audio-fleet up`, OTLP export off, its own flag file) and the Debian
Prometheus with the native twin config (config/prometheus.native.yml at a 5 s scrape and
evaluation interval, so it loads config/prometheus-rules/*.yml), lets the fleet talk for a while,
switches one scenario on through the testing-ui (PUT /scenarios/<key>), and polls Prometheus's
/api/v1/alerts until the alert the scenario should cause is firing. Prints a timeline (switch-on,
ScenarioActive, the alert pending, firing, with the rule's value), then switches the scenario off
and stops everything it started, whatever happens. Exit 0 when the alert fired in time.

  scripts/stack/alert-live-test.py [--binary PATH] [--scenario guardrailsBlockStorm] [--value 100]
      [--alert GuardrailsBlockRateHigh] [--all] [--speakers 6] [--warmup 30] [--timeout 360]
      [--until firing|pending]

--until pending stops once the rule's condition holds (the scenario's effect reached Prometheus
and the rule), without sitting out its `for:`: the short mode. The defaults: guardrails blocking
all input fires GuardrailsBlockRateHigh (over 20 % of input blocked over 5 m, for 2 m).
--all runs every pair of PLANS in turn in the one fleet (each switched off before the next).
Standard library plus PyYAML; reuses scripts/stack/dashboard_test.py's helpers.
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
import dashboard_test as dt  # noqa: E402
from stacklib import ROOT, free_port, native_fleet  # noqa: E402

dt.PROGRAM = "alert-test"

# Each scenario the native fleet can run, at a value that shows plainly, and the alert it causes
# (docs/operations/scenarios.md). otlpBlackhole is not here: natively OTLP export is off, so
# there is no exporter connection to black-hole.
PLANS = [
    ("guardrailsBlockStorm", 100, "GuardrailsBlockRateHigh"),
    ("sttFailure", 50, "STTTranscriptionErrors"),
    ("sttSlow", 4, "STTLatencyHigh"),
    ("llmSlowFirstToken", 3, "LLMFirstTokenSlow"),
    ("llmTimeout", 50, "LLMTimeouts"),
    ("llmStreamCut", 30, "LLMStreamsCut"),
    ("ttsFailure", 25, "TTSErrorRateHigh"),
    ("ttsSlow", 4, "TTSLatencyHigh"),
    ("packetLoss", 10, "VoicePacketLossHigh"),
    ("jitterBurst", 60, "VoiceJitterHigh"),
    ("quietMicrophones", 30, "VoiceTurnsMostlyEmpty"),
    ("noisyRoom", 25, "AudioQualityLow"),
    ("memoryLeak", 256, "MemoryGrowing"),
    ("downstreamUnreachable", "guardrails", "CircuitBreakerOpen"),
]


def say(t0, message):
    print(f"alert-test: {'' if t0 is None else f'+{time.monotonic() - t0:4.0f} s  '}{message}", flush=True)


def start(cmd, log, env=None):
    """A process in its own session (process group), so it and its children can be ended as one."""
    return subprocess.Popen(cmd, stdout=open(log, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                            env=env, start_new_session=True, cwd=ROOT)


def stop(proc, name):
    """SIGTERM (`audio-fleet up` then stops its nine children), then SIGKILL for the whole group."""
    if proc is None:
        return
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            print(f"alert-test: {name} did not stop on SIGTERM; killing its process group")
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def rule(prom, alert):
    """The alerting rule named `alert` as Prometheus loaded it (proves the rule files are loaded)."""
    for group in prom.api("/api/v1/rules", type="alert")["groups"]:
        for r in group["rules"]:
            if r["name"] == alert:
                return group["file"], r
    return None, None


def alert_states(prom, names):
    """{(alertname, labels without alertname/severity): (state, value)} for the alerts in `names`."""
    states = {}
    for a in prom.api("/api/v1/alerts")["alerts"]:
        labels = a["labels"]
        if labels.get("alertname") in names:
            rest = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()) if k not in ("alertname", "severity"))
            states[(labels["alertname"], rest)] = (a["state"], a.get("value"))
    return states


def switch(base, scenario, body):
    status, answer = dt.http_send("PUT", f"{base}/scenarios/{scenario}", body)
    if status != 200:
        raise SystemExit(f"alert-test: PUT /scenarios/{scenario} {json.dumps(body)} answered {status}: {answer[:300]!r}")


def watch(prom, args, scenario, alert, t0):
    """Polls the alerts until `alert` reaches `args.until`, printing each change of it and of
    `scenario`'s ScenarioActive; returns the seconds it took, or None."""
    names = {alert, "ScenarioActive"}
    seen = {}
    deadline = t0 + args.timeout
    wanted = ("pending", "firing") if args.until == "pending" else ("firing",)
    while time.monotonic() < deadline:
        for key, (state, value) in sorted(alert_states(prom, names).items()):
            if key[0] == "ScenarioActive" and key[1] != f'scenario="{scenario}"':
                continue
            if seen.get(key) != state:
                seen[key] = state
                name, labels = key
                shown = f"{name}{{{labels}}}" if labels else name
                say(t0, f"{shown} {state} (value {float(value):.3g})" if value else f"{shown} {state}")
                if name == alert and state in wanted:
                    return time.monotonic() - t0
        time.sleep(2)
    return None


def try_plan(prom, testing_ui, args, scenario, value, alert):
    """Switches `scenario` on at `value`, waits for `alert`, switches it off; the seconds it took or None."""
    file, loaded = rule(prom, alert)
    if loaded is None:
        raise SystemExit(f"alert-test: Prometheus has no alerting rule {alert}: are the rule files loaded?")
    say(None, f"{alert} loaded from {os.path.relpath(file, ROOT)} (for: {loaded.get('duration', 0):.0f} s): "
              + " ".join(loaded["query"].split()))
    before = alert_states(prom, {alert})
    if before:
        say(None, f"FAILED: {alert} is already {sorted(s for s, _ in before.values())} before {scenario} is on")
        return None
    t0 = time.monotonic()
    switch(testing_ui, scenario, {"enabled": True, "value": value})
    say(t0, f"{scenario} switched on at {value} (PUT /scenarios/{scenario})")
    took = watch(prom, args, scenario, alert, t0)
    switch(testing_ui, scenario, {"enabled": False})
    say(t0, f"{scenario} switched off")
    return took


def run(args, tmp):
    ports, jobs = native_fleet()
    offset = dt.free_offset()
    prom_port = free_port()
    dt.render_config(offset, os.path.join(tmp, "prometheus.yml"))
    env = dict(os.environ, OTEL_ENABLED="false", SCENARIO_FLAGS_FILE=os.path.join(tmp, "flags", "scenarios.flagd.json"))
    procs = {}
    try:
        say(None, f"starting the fleet ({args.binary} up, ports +{offset}) and prometheus on 127.0.0.1:{prom_port}")
        procs["the fleet"] = start([args.binary, "up", "--port-offset", str(offset), "--log-directory",
                                    os.path.join(tmp, "fleet-logs")], os.path.join(tmp, "fleet.out"), env)
        procs["prometheus"] = start(["prometheus", f"--config.file={tmp}/prometheus.yml", f"--storage.tsdb.path={tmp}/tsdb",
                                     f"--web.listen-address=127.0.0.1:{prom_port}", "--log.level=warn"],
                                    os.path.join(tmp, "prometheus.log"))
        prom = dt.Prometheus(f"http://127.0.0.1:{prom_port}")
        fleet_pid = procs["the fleet"].pid
        dt.wait_for("the fleet's /health/ready", dt.fleet_ready(ports, offset), 120, fleet_pid)
        dt.wait_for("Prometheus /-/ready", lambda: (dt.http_get(f"{prom.base}/-/ready")[0] == 200, "not ready"), 30, fleet_pid)
        dt.wait_for(f"Prometheus to scrape all {len(jobs)} services", dt.targets_up(prom, jobs), 60, fleet_pid)
        discord = f"http://127.0.0.1:{ports['discord'] + offset}"
        testing_ui = f"http://127.0.0.1:{ports['testing-ui'] + offset}"
        if args.speakers is not None:
            status, answer = dt.http_send("PUT", f"{discord}/voice/load", {"speakers": args.speakers})
            say(None, f"PUT /voice/load {{\"speakers\": {args.speakers}}} -> {status}")
        say(None, f"healthy traffic for {args.warmup:.0f} s first")
        time.sleep(args.warmup)
        results = [(plan, try_plan(prom, testing_ui, args, *plan)) for plan in args.plans]
        print()
        for (scenario, value, alert), took in results:
            outcome = f"{args.until} {took:.0f} s after switching on" if took is not None else \
                f"FAILED: not {args.until} within {args.timeout:.0f} s"
            print(f"alert-test: {scenario} ({value}) -> {alert}: {outcome}")
        return 0 if all(took is not None for _, took in results) else 1
    except BaseException:
        for name, log in (("the fleet", "fleet.out"), ("prometheus", "prometheus.log")):
            if os.path.exists(os.path.join(tmp, log)):
                print(f"--- last lines of {name}'s output ({log}) ---")
                with open(os.path.join(tmp, log), errors="replace") as f:
                    print("".join(f.readlines()[-20:]), end="")
        raise
    finally:
        for name, proc in procs.items():
            stop(proc, name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--binary", default=os.environ.get("AUDIO_FLEET_BIN"))
    ap.add_argument("--scenario", default="guardrailsBlockStorm")
    ap.add_argument("--value", default="100", help="a number in the scenario's unit, or a service name")
    ap.add_argument("--alert", default="GuardrailsBlockRateHigh")
    ap.add_argument("--all", action="store_true", help="every scenario and its alert in turn (PLANS)")
    ap.add_argument("--speakers", type=int, default=6, help="speakers for the run (PUT /voice/load); more give smoother rates")
    ap.add_argument("--warmup", type=float, default=30, help="seconds of healthy traffic before the scenario")
    ap.add_argument("--timeout", type=float, default=360, help="seconds to wait for the alert after switching on")
    ap.add_argument("--until", choices=["firing", "pending"], default="firing")
    args = ap.parse_args()
    # SIGTERM (a CI timeout) unwinds like Ctrl-C, through the `finally` that stops the processes.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if not args.binary:
        out = subprocess.run(["swift", "build", "--show-bin-path"], capture_output=True, text=True, cwd=ROOT).stdout
        args.binary = os.path.join(out.strip(), "audio-fleet")
    if not os.access(args.binary, os.X_OK):
        sys.exit(f"alert-test: no audio-fleet binary at {args.binary}; build one first: swift build --product audio-fleet")
    if shutil.which("prometheus") is None:
        sys.exit("alert-test: no prometheus binary (apt-get install prometheus)")
    try:
        value = float(args.value)
        value = int(value) if value == int(value) else value
    except ValueError:
        value = args.value
    args.plans = PLANS if args.all else [(args.scenario, value, args.alert)]
    tmp = tempfile.mkdtemp(prefix="alert-test.")
    started = time.monotonic()
    try:
        rc = run(args, tmp)
    finally:
        if os.environ.get("ALERT_TEST_KEEP", "0") == "1":
            print(f"alert-test: kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    print(f"alert-test: {time.monotonic() - started:.0f} s in all")
    sys.exit(rc)


if __name__ == "__main__":
    main()
