#!/usr/bin/env python3
"""The fault suite: `make test-faults` (full) and `make test-faults-short` (part of `make test`).

Runs `audio-fleet up` (nativefleet.Fleet, LATENCY_SCALE at its default, so turns take the stubs'
simulated time) and injects faults while turns run, each case printing the figure it measured:

  kill       SIGKILL a child under load: `up` restarts it and turns are ok again within 5 s of it
             being ready (full: stt, through testing-ui's /api/run, and the orchestrator; short: the
             orchestrator); its `service_restarts_total` says 1.
  ack        the orchestrator's SIGKILL above loses no acknowledged turn: every turn answered 200
             has its conversation in the SQLite store (PRAGMA integrity_check = ok, and a count).
  pause      SIGSTOP llm-flan for 20 s (short: 5 s), then SIGCONT: turns ok within 5 s of resume.
  burst      200 concurrent `POST /mcp/transcript`: no failed turn, and no circuit breaker opened
             (circuit_breaker_state on every service's /metrics stays 0).
  otlp       telemetry export that cannot arrive (short: the otlpBlackhole scenario; full also a fleet
             whose OTLP endpoint is a closed port, and one whose endpoint accepts and never answers):
             turn latency within 25 % + 50 ms of the baseline, RSS within 15 %, and the lost exports
             counted in otlp_relay_connections_total{outcome="blackholed"|"failed"}.
  soak       DISCORD_SPEAKERS=50 for 10 minutes (short: 30 s): anonymous memory (RssAnon) growth
             < 10 % (or < 2 MiB; short: 8 MiB, bounded caches still filling) per service, open
             descriptors and threads not growing, >= 99 % of the bridge's turns ok (/voice/status).
  slow       full only, a fleet of its own with HTTP_IDLE_TIMEOUT=2 and HTTP_REQUEST_READ_TIMEOUT=3:
             2,000 idle connections, half-sent headers, a trickled body, a 413 written whole and
             clients hanging up, against guardrails (scripts/stack/slow_clients.py): descriptors fall
             back, each slow client is cut off at its timeout, hang-ups are never a 500.
  drain      SIGTERM to `up` with turns in flight: every turn sent before it completes 200, `up`
             exits 0 within the tiers' bounded drain, and the embedded OTLP backend (the monitoring
             dashboard, stopped last) received spans of the last turns (checked from its store).

Usage: fault_test.py --binary .build/debug/audio-fleet [--short] [--cases kill,pause,...]
"""
import argparse
import concurrent.futures
import json
import os
import re
import signal
import socket
import sqlite3
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(__file__))
import slow_clients  # noqa: E402
from nativefleet import Failure, Fleet, eventually, get_json, request  # noqa: E402

PROGRAM = "fault-test"
TURN = {"transcript": "what time is it", "include_audio": False}
RECOVERY_SECONDS = 5.0
SERVICES = ["guardrails", "llm-flan", "tts-bark", "audio-processor", "stt", "orchestrator", "discord",
            "testing-ui", "monitoring-dashboard"]
FIGURES = []


def say(message):
    print(f"{PROGRAM}: {message}", flush=True)


def figure(case, text):
    FIGURES.append(f"{case}: {text}")
    say(f"  [{case}] {text}")


def check(condition, message):
    if not condition:
        raise Failure(message)


# MARK: turns and load

def transcript_turn(fleet, session=None, timeout=30):
    """One text turn to the orchestrator -> (status or None, seconds)."""
    body = dict(TURN)
    if session:
        body["session_id"] = session
    start = time.monotonic()
    try:
        status = request("POST", fleet.url("orchestrator") + "/mcp/transcript", body, timeout=timeout)[0]
    except OSError:
        status = None
    return status, time.monotonic() - start


def voice_turn(fleet, session=None, timeout=60):
    """One turn through testing-ui: speech synthesised, processed, transcribed by stt, answered."""
    start = time.monotonic()
    try:
        status = request("POST", fleet.url("testing-ui") + "/api/run", {"text": "what time is it"}, timeout=timeout)[0]
    except OSError:
        status = None
    return status, time.monotonic() - start


class Load:
    """Turns sent back to back from `workers` threads until stopped; each result is
    (started, ended, status, session) in time.monotonic() seconds."""

    def __init__(self, fleet, workers=6, send=transcript_turn, prefix=None):
        self.fleet, self.workers, self.send, self.prefix = fleet, workers, send, prefix
        self.results = []
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.threads = []
        self.counter = 0

    def _run(self):
        while not self.stopping.is_set():
            with self.lock:
                self.counter += 1
                session = f"{self.prefix}-{self.counter}" if self.prefix else None
            started = time.monotonic()
            status, _ = self.send(self.fleet, session)
            with self.lock:
                self.results.append((started, time.monotonic(), status, session))
            if status != 200:
                time.sleep(0.1)  # a refused connection returns at once: do not spin

    def __enter__(self):
        for _ in range(self.workers):
            thread = threading.Thread(target=self._run, daemon=True)
            thread.start()
            self.threads.append(thread)
        return self

    def __exit__(self, *_):
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=90)

    def snapshot(self):
        with self.lock:
            return list(self.results)


def recovered_at(results, since):
    """The moment turns were ok again after `since`: when the first turn was sent (at or after
    `since`) from which every turn sent later is ok. None if they never recovered. Sending time,
    not answer time: a voice turn takes seconds of its own, which is not the outage's."""
    later = sorted((r for r in results if r[0] >= since), key=lambda r: r[0])
    for index, (started, ended, status, _) in enumerate(later):
        if status == 200 and all(r[2] == 200 for r in later[index:]):
            return started
    return None


# MARK: what a process and its metrics say

def metric_values(fleet, service, name):
    """{labels text: value} of one metric family on a service's /metrics."""
    _, _, body = request("GET", fleet.url(service) + "/metrics", timeout=5)
    values = {}
    for line in body.decode(errors="replace").splitlines():
        match = re.match(rf"^{re.escape(name)}(\{{[^}}]*\}})?\s+(\S+)", line)
        if match:
            values[match.group(1) or ""] = float(match.group(2))
    return values


def open_breakers(fleet):
    """Every circuit breaker not closed, across the fleet: ["orchestrator->llm-flan = 2", ...]."""
    found = []
    for service in SERVICES:
        for labels, value in metric_values(fleet, service, "circuit_breaker_state").items():
            if value != 0:
                found.append(f"{service}{labels} = {value:g}")
    return found


def dispatch_workers(pid):
    """Threads of libdispatch's global pools ("com.apple.root.user-initiated-qos" and the like; the
    kernel keeps the last 15 characters of a name): it starts them for bursts of work and lets them
    go again once they have idled a while, so they are counted apart from the service's own."""
    count = 0
    for task in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{task}/comm") as comm:
                count += "qos" in comm.read()
        except OSError:
            pass  # the thread ended while we looked
    return count


def process_figures(pid, part="VmRSS"):
    """Resident bytes (`part`: VmRSS, or RssAnon for the heap, arenas and stacks alone), open
    descriptors, the process's own threads and libdispatch's workers in it."""
    with open(f"/proc/{pid}/status") as status:
        fields = dict(line.split(":", 1) for line in status if ":" in line)
    resident = int(fields[part].split()[0]) * 1024
    workers = dispatch_workers(pid)
    threads = int(fields["Threads"]) - workers
    descriptors = len(os.listdir(f"/proc/{pid}/fd"))
    return resident, descriptors, threads, workers


def fleet_figures(fleet, samples=5, every=0.5, part="VmRSS"):
    """Per service: (resident bytes, descriptors, own threads), each the lowest of `samples`
    readings `every` seconds apart, the highest descriptor and thread counts, then libdispatch's
    workers, lowest and highest: connections and worker threads come and go from moment to
    moment, a leak is what never goes away."""
    readings = {service: [] for service in SERVICES}
    for index in range(samples):
        for service in SERVICES:
            readings[service].append(process_figures(fleet.child_pid(service), part))
        if index < samples - 1:
            time.sleep(every)
    return {service: (min(r[0] for r in values), min(r[1] for r in values), min(r[2] for r in values),
                      max(r[1] for r in values), max(r[2] for r in values),
                      min(r[3] for r in values), max(r[3] for r in values))
            for service, values in readings.items()}


def wait_restarted(fleet, service, old_pid, timeout=60):
    """-> (new pid, monotonic time it was ready)."""
    def probe():
        pid = fleet.child_pid(service)
        return (pid if pid and pid != old_pid and fleet.is_ready(service) else None), f"pid {pid}"
    pid = eventually(f"{service} restarted and ready", probe, timeout, interval=0.1)
    return pid, time.monotonic()


def up_output(fleet):
    with open(fleet.log, errors="replace") as f:
        return f.read()


# MARK: the cases

def case_burst(fleet, count=200):
    """200 concurrent turns: none fails, no breaker opens."""
    check(not open_breakers(fleet), f"a breaker was open before the burst: {open_breakers(fleet)}")
    start = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        results = list(pool.map(lambda i: transcript_turn(fleet, f"burst-{i}", timeout=120), range(count)))
    took = time.monotonic() - start
    failed = [status for status, _ in results if status != 200]
    latencies = sorted(seconds for _, seconds in results)
    breakers = open_breakers(fleet)
    figure("burst", f"{count} concurrent turns: {count - len(failed)} ok, {len(failed)} failed {sorted(set(map(str, failed)))}, "
                    f"p50 {latencies[len(latencies) // 2]:.2f} s, max {latencies[-1]:.2f} s, all in {took:.1f} s; "
                    f"breakers not closed: {breakers or 'none'}")
    check(not failed, f"{len(failed)} of {count} concurrent turns failed: {failed[:10]}")
    check(not breakers, f"a breaker opened toward a healthy peer: {breakers}")


def case_kill(fleet, service, ack_check=False):
    """SIGKILL `service` under load; it is restarted and turns recover within 5 s of it being ready."""
    send = voice_turn if service in ("stt", "audio-processor", "tts-bark") else transcript_turn
    prefix = f"kill-{service}-{int(time.time())}"
    old_pid = fleet.child_pid(service)
    with Load(fleet, workers=6, send=send, prefix=prefix) as load:
        time.sleep(2)
        killed = time.monotonic()
        os.kill(old_pid, signal.SIGKILL)
        new_pid, ready = wait_restarted(fleet, service, old_pid)
        time.sleep(RECOVERY_SECONDS + 2)
    results = load.snapshot()
    back = recovered_at(results, ready)
    during = [r for r in results if r[1] >= killed and r[0] <= ready]
    failed = [r for r in results if r[2] != 200]
    restarts = metric_values(fleet, service, "service_restarts_total").get("", -1)
    recovery = None if back is None else max(0.0, back - ready)
    after_ready = sorted(str(r[2]) for r in failed if r[0] >= ready)
    figure("kill", f"SIGKILL {service} (pid {old_pid}) under load: restarted as pid {new_pid}, ready "
                   f"{ready - killed:.1f} s after the kill; turns ok again {recovery if recovery is None else round(recovery, 2)} s "
                   f"after ready; {len(failed)} of {len(results)} turns failed (all during the outage: "
                   f"{all(r[0] <= ready for r in failed)}; sent after ready and failed: {after_ready or 'none'}); "
                   f"{len(during)} spanned the outage; "
                   f"service_restarts_total = {restarts:g}")
    check(recovery is not None and recovery <= RECOVERY_SECONDS,
          f"turns did not recover within {RECOVERY_SECONDS} s of {service} being ready (recovered: {recovery})")
    check(restarts >= 1, f"{service}'s service_restarts_total is {restarts}, not >= 1")
    check(f"{service} (pid {old_pid}) exited unexpectedly" in up_output(fleet), "up did not say it restarted the child")
    if ack_check:
        check_acknowledged(fleet, prefix, results)


def check_acknowledged(fleet, prefix, results):
    """Every turn the orchestrator answered 200 has its conversation in SQLite."""
    acknowledged = {r[3] for r in results if r[2] == 200}
    database = os.path.join(fleet.data, "orchestrator.sqlite")
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        stored = {row[0] for row in connection.execute("SELECT id FROM conversation WHERE id LIKE ?", (prefix + "-%",))}
        replies = connection.execute(
            "SELECT count(*) FROM message WHERE role = 'assistant' AND conversation_id LIKE ?", (prefix + "-%",)).fetchone()[0]
    finally:
        connection.close()
    missing = acknowledged - stored
    figure("ack", f"SIGKILL of the orchestrator: {len(acknowledged)} turns acknowledged (200), {len(stored)} conversations "
                  f"stored, {replies} replies stored, {len(missing)} acknowledged turns missing; PRAGMA integrity_check = {integrity}")
    check(integrity == "ok", f"integrity_check: {integrity}")
    check(not missing, f"{len(missing)} acknowledged turns are not in the store: {sorted(missing)[:5]}")


def case_pause(fleet, seconds):
    """SIGSTOP llm-flan for `seconds`, SIGCONT: turns ok again within 5 s of resume."""
    pid = fleet.child_pid("llm-flan")
    with Load(fleet, workers=6) as load:
        time.sleep(2)
        paused = time.monotonic()
        os.kill(pid, signal.SIGSTOP)
        try:
            time.sleep(seconds)
        finally:
            os.kill(pid, signal.SIGCONT)
        resumed = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 2)
    results = load.snapshot()
    back = recovered_at(results, resumed)
    recovery = None if back is None else max(0.0, back - resumed)
    failed = [r for r in results if r[2] != 200]
    figure("pause", f"llm-flan SIGSTOP for {resumed - paused:.1f} s: turns ok again "
                    f"{recovery if recovery is None else round(recovery, 2)} s after SIGCONT; {len(failed)} of {len(results)} "
                    f"turns failed, none after {'recovery' if recovery is not None else '-'}; pid unchanged: {fleet.child_pid('llm-flan') == pid}")
    check(recovery is not None and recovery <= RECOVERY_SECONDS,
          f"turns did not recover within {RECOVERY_SECONDS} s of llm-flan resuming (recovered: {recovery})")


def measure_turns(fleet, seconds, workers=4):
    """Median turn latency and the fleet's RSS while `workers` send turns for `seconds`."""
    with Load(fleet, workers=workers) as load:
        time.sleep(seconds)
    results = load.snapshot()
    latencies = sorted(r[1] - r[0] for r in results if r[2] == 200)
    failed = sum(1 for r in results if r[2] != 200)
    rss = sum(process_figures(fleet.child_pid(s))[0] for s in SERVICES)
    return (latencies[len(latencies) // 2] if latencies else None), failed, len(results), rss


def relay_counts(fleet):
    counts = {}
    for service in SERVICES:
        for labels, value in metric_values(fleet, service, "otlp_relay_connections_total").items():
            outcome = re.search(r'outcome="([^"]+)"', labels).group(1)
            counts[outcome] = counts.get(outcome, 0) + value
    return counts


def compare_export(name, baseline, degraded, lost_before, lost_after, outcome):
    base_latency, _, _, base_rss = baseline
    latency, failed, turns, rss = degraded
    lost = lost_after.get(outcome, 0) - lost_before.get(outcome, 0)
    figure("otlp", f"{name}: median turn {latency:.3f} s vs {base_latency:.3f} s baseline, fleet RSS "
                   f"{rss / 2**20:.0f} MiB vs {base_rss / 2**20:.0f} MiB, {failed} of {turns} turns failed, "
                   f"{lost:g} exporter connections counted {outcome} (otlp_relay_connections_total)")
    check(failed == 0, f"{name}: {failed} turns failed")
    check(latency <= base_latency * 1.25 + 0.05, f"{name}: median turn latency {latency:.3f} s vs {base_latency:.3f} s")
    check(rss <= base_rss * 1.15, f"{name}: RSS {rss} vs {base_rss}")
    check(lost > 0, f"{name}: no lost export was counted as {outcome}")


def set_scenario(fleet, key, enabled):
    status, _, body = request("PUT", fleet.url("testing-ui") + f"/scenarios/{key}", {"enabled": enabled}, timeout=10)
    check(status == 200, f"PUT /scenarios/{key} answered {status}: {body[:200]!r}")


def case_otlp_blackhole(fleet, seconds):
    """The otlpBlackhole scenario: every relay swallows exports; turns do not notice."""
    baseline = measure_turns(fleet, seconds)
    before = relay_counts(fleet)
    set_scenario(fleet, "otlpBlackhole", True)
    try:
        time.sleep(1.5)  # the flag file reaches every service
        degraded = measure_turns(fleet, seconds)
        after = relay_counts(fleet)
    finally:
        set_scenario(fleet, "otlpBlackhole", False)
    compare_export("otlpBlackhole scenario", baseline, degraded, before, after, "blackholed")


def case_soak(fleet, seconds, speakers=50, warmup=45):
    """50 simulated speakers for `seconds`: memory, descriptors and threads flat, >= 99 % turns ok.
    Measured once the fleet has run `warmup` seconds with the speakers talking (the cases before
    count): every speaker has spoken, caches, pools and the bridge's turn log have grown."""
    load = get_json(fleet.url("discord") + "/voice/load")
    check(load.get("speakers") == speakers, f"the bridge has {load} speakers, not {speakers}")
    time.sleep(max(0.0, fleet.ready_at + warmup - time.monotonic()))
    first = get_json(fleet.url("discord") + "/voice/status")
    # Anonymous memory (heap, arenas, stacks) is what a leak grows. Whole RSS also holds code
    # pages, which come back from the page cache after the start-up release (HeapTuning) as the
    # traffic reaches new code: a swing of several MiB in 30 s that is not a leak. Each figure is
    # the lowest of ten readings over 4.5 s, so replies being synthesised at that moment count less.
    start = fleet_figures(fleet, samples=10, part="RssAnon")
    time.sleep(seconds)
    end = fleet_figures(fleet, samples=10, part="RssAnon")
    last = get_json(fleet.url("discord") + "/voice/status")
    outcomes = {key: last["outcomes"].get(key, 0) - first["outcomes"].get(key, 0) for key in last["outcomes"]}
    turns = sum(outcomes.values())
    bad = outcomes.get("error", 0)
    ok_ratio = (turns - bad) / turns if turns else 0
    problems = []
    # Growth allowed beyond 10 %: 2 MiB over ten minutes (the replies in flight at a reading move a
    # 15 MiB heap by more than 10 %); in the 30 s short soak, which starts a minute after the fleet
    # does, also what bounded caches still take as they fill: the bridge's burst cache (8 MiB) is
    # far from full after one minute of 50 speakers.
    slack = (2 if seconds >= 300 else 8) * 2**20
    for service in SERVICES:
        (rss0, fd0, th0, fd0max, th0max, dw0, dw0max) = start[service]
        (rss1, fd1, th1, _, _, dw1, _) = end[service]
        growth = (rss1 - rss0) / rss0
        say(f"    {service:21} anonymous {rss0 / 2**20:6.1f} -> {rss1 / 2**20:6.1f} MiB ({growth * 100:+.1f} %), "
            f"descriptors {fd0}..{fd0max} -> at least {fd1}, threads {th0}..{th0max} -> at least {th1}, "
            f"dispatch workers {dw0}..{dw0max} -> at least {dw1}")
        if growth >= 0.10 and rss1 - rss0 > slack:
            problems.append(f"{service} anonymous memory grew {growth * 100:.1f} % "
                            f"({rss0 / 2**20:.1f} -> {rss1 / 2**20:.1f} MiB)")
        # A leak: more held at the end, at its lowest, than at the start at its highest, by more
        # than a pool's swing (the embedded backend's exporter connections vary by a dozen).
        if fd1 > fd0max + max(10, fd0max // 5):
            problems.append(f"{service} descriptors {fd0}..{fd0max} -> {fd1}")
        if th1 > th0max + 1:
            problems.append(f"{service} threads {th0}..{th0max} -> {th1}")
        # libdispatch runs up to one worker per core for each kind of queue a service uses (the
        # bridge's concurrent codec queue, overcommitting serial queues) and keeps idle ones for
        # seconds: after a burst of closing turns the bridge held two more for all of a reading
        # (10..10 -> 12 in one CI run). Leaked workers, blocked for good, grow past that.
        if dw1 > dw0max + (os.cpu_count() or 1):
            problems.append(f"{service} libdispatch workers {dw0}..{dw0max} -> {dw1}")
    total0 = sum(v[0] for v in start.values())
    total1 = sum(v[0] for v in end.values())
    figure("soak", f"{speakers} speakers for {seconds} s: {turns} turns, outcomes {outcomes}, {ok_ratio * 100:.2f} % not error; "
                   f"fleet anonymous memory {total0 / 2**20:.0f} -> {total1 / 2**20:.0f} MiB ({(total1 - total0) / total0 * 100:+.1f} %); "
                   f"problems: {problems or 'none'}")
    check(turns > 0, "the speakers finished no turn")
    check(ok_ratio >= 0.99, f"only {ok_ratio * 100:.2f} % of the bridge's turns were ok: {outcomes}")
    check(not problems, "; ".join(problems))


def server_spans_since(data_dir, since_ns):
    """How many orchestrator server spans of /mcp/transcript that started at or after `since_ns`
    (wall clock) the embedded OTLP backend stored, and when the last of them ended."""
    database = os.path.join(data_dir, "telemetry.sqlite")
    connection = sqlite3.connect(f"file:{database}?mode=ro", uri=True, timeout=10)
    try:
        return connection.execute(
            "SELECT count(*), max(end_ns) FROM spans WHERE service = 'orchestrator' AND kind = 'server' "
            "AND name LIKE '%/mcp/transcript%' AND start_ns >= ?", (since_ns,)).fetchone()
    finally:
        connection.close()


def case_drain(fleet):
    """SIGTERM to `up` with turns in flight: they all finish, `up` exits 0, the last spans arrive."""
    load_began = time.time_ns()
    with Load(fleet, workers=16) as load:
        time.sleep(3)
        signalled = time.monotonic()
        wall = time.time_ns()
        fleet.process.send_signal(signal.SIGTERM)
        status = fleet.process.wait(timeout=90)
        stopped = time.monotonic()
        load.stopping.set()
    results = load.snapshot()
    in_flight = [r for r in results if r[0] < signalled < r[1]]
    lost = [r for r in in_flight if r[2] != 200]
    tiers = re.findall(r"stopped (.+?) in ([0-9.]+) s", up_output(fleet))
    figure("drain", f"SIGTERM to up with {len(in_flight)} turns in flight: {len(in_flight) - len(lost)} finished 200, "
                    f"{len(lost)} failed; up exited {status} after {stopped - signalled:.1f} s; tiers: "
                    + ", ".join(f"{name} {seconds} s" for name, seconds in tiers))
    check(in_flight, "no turn was in flight at SIGTERM")
    check(not lost, f"{len(lost)} in-flight turns failed: {[r[2] for r in lost][:10]}")
    check(status == 0, f"up exited {status}:\n{fleet.tail()}")
    spans, last_end = server_spans_since(fleet.data, load_began)
    answered = sum(1 for r in results if r[2] == 200)
    figure("drain", f"embedded backend (stopped last) holds {spans} orchestrator server spans of the {answered} turns "
                    f"answered during the case, the last ending {((last_end or 0) - wall) / 1e9:+.2f} s after SIGTERM")
    check(spans >= answered, f"only {spans} of {answered} turns' server spans reached the embedded backend")


# MARK: fleets with an OTLP endpoint that cannot take exports

class BlackHole:
    """A TCP listener that accepts connections and never answers (nor reads)."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(1024)
        self.port = self.sock.getsockname()[1]
        self.held = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                connection, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(connection)


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def case_otlp_endpoints(args, tmp):
    """Full mode: a fleet exporting to the embedded backend (the baseline), then fleets whose OTLP
    endpoint is a closed port and a black hole; no speakers, the same turns measured in each."""
    hole = BlackHole()
    endpoints = (("baseline", None, None), ("closed port", closed_port(), "failed"), ("black hole", hole.port, "unanswered"))
    baseline = None
    for name, port, outcome in endpoints:
        env = {"DISCORD_SPEAKERS": 0, "LATENCY_SCALE": None}
        if port:
            env.update(OTEL_EXPORTER_OTLP_ENDPOINT=f"http://127.0.0.1:{port}", OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf")
        fleet = start_fleet(args, os.path.join(tmp, name.replace(" ", "-")), env)
        try:
            before = relay_counts(fleet)
            measured = measure_turns(fleet, 20)
            if baseline is None:
                baseline = measured
                continue
            time.sleep(3)  # the last exports time out (2 s) and are counted
            compare_export(f"OTLP endpoint a {name}", baseline, measured, before, relay_counts(fleet), outcome)
        finally:
            fleet.stop(timeout=90)


def case_slow(args, tmp):
    """Full mode: slow, idle and rude clients against a fleet with short server timeouts."""
    idle, read = 2.0, 3.0
    fleet = start_fleet(args, os.path.join(tmp, "slow"), {
        "DISCORD_SPEAKERS": 0, "LATENCY_SCALE": 0, "HTTP_IDLE_TIMEOUT": idle, "HTTP_REQUEST_READ_TIMEOUT": read})
    try:
        figures = slow_clients.run(fleet, idle_timeout=idle, read_timeout=read)
    finally:
        fleet.stop(timeout=90)
    figure("slow", ", ".join(f"{key} {value}" for key, value in figures.items()))


def start_fleet(args, tmp, env):
    os.makedirs(tmp, exist_ok=True)
    fleet = Fleet(args.binary, tmp, env=env)
    try:
        fleet.wait_ready(timeout=180)
    except Failure:
        fleet.stop()
        raise
    fleet.ready_at = time.monotonic()
    return fleet


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--short", action="store_true", help="the quick form `make test` runs")
    parser.add_argument("--cases", help="comma-separated subset: burst,kill,pause,otlp,soak,drain,slow")
    args = parser.parse_args()
    args.binary = os.path.abspath(args.binary)
    cases = set((args.cases or "burst,kill,pause,otlp,soak,drain,slow").split(","))
    began = time.monotonic()
    say(f"{'short' if args.short else 'full'} mode; LATENCY_SCALE default (the stubs' simulated latency); cases: {sorted(cases)}")
    with tempfile.TemporaryDirectory(prefix="fault-test-") as tmp:
        # The speakers talk from the start: the soak, measured last, has had the other cases as its
        # warm-up, and every fault meets a fleet under the bridge's load as well as the suite's.
        speakers = 50 if "soak" in cases else 0
        fleet = start_fleet(args, os.path.join(tmp, "main"), {"DISCORD_SPEAKERS": speakers, "LATENCY_SCALE": None})
        say(f"fleet ready on offset {fleet.offset} after {time.monotonic() - began:.0f} s, {speakers} speakers talking")
        try:
            if "burst" in cases:
                case_burst(fleet)
            if "kill" in cases:
                if not args.short:
                    case_kill(fleet, "stt")
                case_kill(fleet, "orchestrator", ack_check=True)
            if "pause" in cases:
                case_pause(fleet, 5 if args.short else 20)
            if "otlp" in cases:
                case_otlp_blackhole(fleet, 6 if args.short else 20)
            if "soak" in cases:
                case_soak(fleet, 30 if args.short else 600, speakers, warmup=60 if args.short else 120)
            if "drain" in cases:
                case_drain(fleet)
        except Exception:
            say("up's output ends:\n" + fleet.tail(40))
            raise
        finally:
            fleet.stop(timeout=90)
        if "otlp" in cases and not args.short:
            case_otlp_endpoints(args, tmp)
        if "slow" in cases and not args.short:
            case_slow(args, tmp)
    say(f"all cases passed in {time.monotonic() - began:.0f} s. Figures:")
    for line in FIGURES:
        print("  " + line)


if __name__ == "__main__":
    try:
        main()
    except Failure as failure:
        say(f"FAILED: {failure}")
        for line in FIGURES:
            print("  " + line)
        sys.exit(1)
