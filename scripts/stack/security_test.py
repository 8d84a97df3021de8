#!/usr/bin/env python3
"""`make security-test`: the fleet's security checks against a running native fleet.

1. Personal data: a card number and an e-mail address go in through every entry point that takes
   text (guardrails, llm-flan, tts-bark, the orchestrator, the bridge's speak/transcript/message
   routes, testing-ui's run); then every JSON response, every page, every /metrics output, every log
   file and every span and log record in the embedded backend is searched for them. Only the
   redacted form may appear.
2. Log forging: an escalation whose reason holds newlines and an ANSI escape adds exactly one line
   to the guardrails log, with the control characters escaped.
3. Loopback: every listening socket of the fleet's ports is bound to 127.0.0.1 (/proc/net/tcp*).
4. The mutation guard: a cross-site or DNS-rebinding request to a page's mutating endpoint is a
   403; the fleet's own request (no Origin, a loopback Host) goes through.

Standard library only (scripts/stack/nativefleet.py). Usage:
    scripts/stack/security_test.py --binary .build/debug/audio-fleet
Exit 0 when every check held, 1 otherwise (each failure printed).
"""
import argparse
import http.client
import json
import os
import re
import sys
import tempfile
import time
import urllib.parse

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from nativefleet import Failure, Fleet, eventually, get_json, request  # noqa: E402

# Neither is in the fleet's own sample phrases (FleetPhrases), which the pages list as examples.
CARD = "4012 8888 8888 1881"
EMAIL = "kim.security-test@example.org"
SECRET = f"my card is {CARD} and my mail is {EMAIL}"
# The raw forms searched for: the card as sent, without its spaces, and the e-mail.
NEEDLES = [CARD.encode(), CARD.replace(" ", "").encode(), CARD.replace(" ", "-").encode(), EMAIL.encode()]


class Checks:
    def __init__(self):
        self.failures = []
        self.passed = 0

    def check(self, ok, what):
        if ok:
            self.passed += 1
        else:
            self.failures.append(what)
            print(f"FAIL {what}", flush=True)

    def clean(self, where, data):
        if isinstance(data, str):
            data = data.encode()
        found = [n.decode() for n in NEEDLES if n in data]
        self.check(not found, f"{where}: raw personal data {found}")


def send_everywhere(fleet, checks):
    """Sends the card and the e-mail through every entry point that takes text; checks each answer."""
    u = fleet.url
    calls = [
        ("guardrails", "POST", "/validate/input", {"text": SECRET}),
        ("guardrails", "POST", "/validate/output", {"text": SECRET}),
        ("guardrails", "POST", "/escalate", {"reason": SECRET, "context": {"note": SECRET}}),
        ("llm-flan", "POST", "/v1/chat/completions", {"model": "flan-t5-small", "messages": [{"role": "user", "content": SECRET}]}),
        ("tts-bark", "POST", "/synthesize", {"text": SECRET}),
        ("orchestrator", "POST", "/mcp/transcript", {"transcript": SECRET, "session_id": "security-test", "include_audio": False}),
        ("discord", "POST", "/mcp/transcript", {"transcript": SECRET, "session_id": "security-test-mcp"}),
        ("discord", "POST", "/mcp/send_message", {"channel_id": "security", "content": SECRET}),
        ("discord", "POST", "/voice/speak", {"text": f"hey atlas {SECRET}"}),
        ("testing-ui", "POST", "/api/run", {"text": f"hey atlas {SECRET}", "session_id": "security-test-ui"}),
    ]
    for service, method, path, body in calls:
        status, _, answer = request(method, u(service) + path, body, timeout=60)
        checks.check(status < 500, f"{service} {path}: status {status}")
        checks.clean(f"{service} {path} response", answer)
    return len(calls)


def scan_everything(fleet, checks):
    """Every page, JSON read route, /metrics, log file and telemetry record, for the raw data."""
    u = fleet.url
    reads = {
        "discord": ["/", "/voice/status", "/voice/turns", "/mcp/messages?channel_id=security"],
        "testing-ui": ["/", "/api/runs"],
        "monitoring-dashboard": ["/", "/api/status", "/traces", "/api/logs?limit=1000"],
        "orchestrator": ["/mcp/sessions/security-test", "/mcp/sessions/security-test-mcp"],
        "guardrails": ["/rules"],
    }
    scanned = 0
    for service, paths in reads.items():
        for path in paths:
            status, _, body = request("GET", u(service) + path, timeout=30)
            checks.clean(f"GET {service} {path} ({status})", body)
            scanned += 1
    # Each turn of the bridge, and each testing-ui run, with its page.
    for turn in get_json(u("discord") + "/voice/turns").get("turns", []):
        checks.clean(f"discord turn {turn.get('id')}", request("GET", u("discord") + f"/voice/turns/{turn.get('id')}")[2])
        scanned += 1
    runs = get_json(u("testing-ui") + "/api/runs")
    for run in runs.get("runs", []) if isinstance(runs, dict) else []:
        for path in (f"/api/runs/{run.get('id')}", f"/runs/{run.get('id')}"):
            checks.clean(f"testing-ui {path}", request("GET", u("testing-ui") + path)[2])
            scanned += 1
    for service in fleet.ports:
        checks.clean(f"{service} /metrics", request("GET", u(service) + "/metrics")[2])
        scanned += 1
    # Every span: the traces list, then each trace in full (attributes, events, its logs).
    traces = get_json(u("monitoring-dashboard") + "/api/traces?limit=500").get("traces", [])
    for trace in traces:
        trace_id = trace.get("trace_id") or trace.get("traceId")
        checks.clean(f"trace {trace_id}", request("GET", u("monitoring-dashboard") + f"/api/traces/{trace_id}")[2])
        checks.clean(f"trace page {trace_id}", request("GET", u("monitoring-dashboard") + f"/traces/{trace_id}")[2])
        scanned += 2
    for name in sorted(os.listdir(fleet.logs)):
        with open(os.path.join(fleet.logs, name), "rb") as f:
            checks.clean(f"log file {name}", f.read())
        scanned += 1
    return scanned, len(traces)


def check_log_forging(fleet, checks):
    """One escalation with newlines and an ANSI escape in its reason is one escaped line."""
    log = os.path.join(fleet.logs, "guardrails.log")
    # Letters only: a run of digits would be redacted as a phone number.
    marker = "forged-" + "".join(chr(ord("a") + int(d)) for d in str(time.time_ns())[-8:])
    reason = f"help\n2026-12-06T00:00:00+0000 critical guardrails : {marker}\r\n\u001b[31m{marker}-red\u2028x"
    status, _, _ = request("POST", fleet.url("guardrails") + "/escalate", {"reason": reason})
    checks.check(status == 200, f"/escalate with a hostile reason: {status}")

    def lines():
        with open(log, "rb") as f:
            hits = [line for line in f.read().split(b"\n") if marker.encode() in line]
        return hits, f"{len(hits)} lines"
    hits = eventually("the escalation's log line", lines, 10, interval=0.2)
    checks.check(len(hits) == 1, f"the escalation wrote {len(hits)} lines holding its marker, not 1")
    line = hits[0]
    checks.check(b"\x1b" not in line and b"\r" not in line and "\u2028".encode() not in line,
                 "a raw control character reached the log line")
    checks.check(b"\\n2026-12-06T00:00:00" in line and b"\\u{1B}[31m" in line, f"the escapes are not visible: {line[:300]!r}")


def listening_ports():
    """{port: [local address]} of every listening TCP socket (IPv4 and IPv6)."""
    found = {}
    for table, width in (("/proc/net/tcp", 8), ("/proc/net/tcp6", 32)):
        try:
            with open(table) as f:
                rows = f.read().splitlines()[1:]
        except OSError:
            continue
        for row in rows:
            fields = row.split()
            local, state = fields[1], fields[3]
            if state != "0A":  # LISTEN
                continue
            address, port = local.split(":")
            found.setdefault(int(port, 16), []).append(address)
    return found


def check_loopback(fleet, checks):
    listening = listening_ports()
    for service, port in fleet.ports.items():
        addresses = listening.get(port + fleet.offset, [])
        checks.check(bool(addresses), f"{service}: nothing listens on {port + fleet.offset}")
        # 0100007F is 127.0.0.1 in /proc's little-endian hex; ::1 is 0...0100000000.
        for address in addresses:
            checks.check(address == "0100007F" or address == "00000000000000000000000001000000",
                         f"{service} listens on {address}, not loopback")


def raw_request(url, method, path, headers, body=b""):
    """A request with exactly these headers (Host included), which urllib would not send."""
    parsed = urllib.parse.urlparse(url)
    connection = http.client.HTTPConnection(parsed.hostname, parsed.port, timeout=10)
    connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    for name, value in headers.items():
        connection.putheader(name, value)
    connection.putheader("Content-Length", str(len(body)))
    connection.endheaders(body)
    answer = connection.getresponse()
    data = answer.read()
    connection.close()
    return answer.status, data


def check_mutation_guard(fleet, checks):
    dashboard = fleet.url("monitoring-dashboard")
    host = urllib.parse.urlparse(dashboard).netloc
    report = json.dumps({"turn_id": 1, "speaker": "guard", "session_id": "guard-1", "outcome": "replied",
                         "finished_at": time.time()}).encode()
    json_type = {"Content-Type": "application/json"}
    refused = [
        ("cross-site Origin", {"Host": host, "Origin": "http://evil.example", **json_type}),
        ("Sec-Fetch-Site cross-site", {"Host": host, "Sec-Fetch-Site": "cross-site", **json_type}),
        ("DNS rebinding Host", {"Host": "rebind.attacker.example:" + host.split(":")[1], **json_type}),
    ]
    for what, headers in refused:
        status, body = raw_request(dashboard, "POST", "/api/turns", headers, report)
        checks.check(status == 403 and b'"forbidden"' in body, f"dashboard POST /api/turns, {what}: {status}")
    for service, method, path, body in [("orchestrator", "DELETE", "/mcp/sessions/security-test", b""),
                                        ("testing-ui", "POST", "/scenarios/reset", b""),
                                        ("testing-ui", "PUT", "/load", b'{"speakers":1}'),
                                        ("discord", "PUT", "/voice/load", b'{"speakers":1}')]:
        base = fleet.url(service)
        status, _ = raw_request(base, method, path, {"Host": urllib.parse.urlparse(base).netloc,
                                                     "Origin": "http://evil.example", **json_type}, body)
        checks.check(status == 403, f"{service} {method} {path} cross-site: {status}")
    status, _ = raw_request(dashboard, "POST", "/api/turns", {"Host": host, **json_type}, report)
    checks.check(status == 202, f"dashboard POST /api/turns as the fleet sends it: {status}")
    status, _ = raw_request(dashboard, "POST", "/api/turns", {"Host": host, "Origin": f"http://{host}",
                                                              "Sec-Fetch-Site": "same-origin", **json_type}, report)
    checks.check(status == 202, f"dashboard POST /api/turns from its own page: {status}")
    metrics = request("GET", dashboard + "/metrics")[2].decode()
    checks.check(re.search(r'http_server_errors_total\{[^}]*error_type="forbidden"[^}]*\} [1-9]', metrics) is not None,
                 "the refusals are not counted in http_server_errors_total{error_type=\"forbidden\"}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/audio-fleet")
    args = parser.parse_args()
    checks = Checks()
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="security-test-") as tmp:
        fleet = Fleet(os.path.abspath(args.binary), tmp, env={"LATENCY_SCALE": "0", "DISCORD_SPEAKERS": "1",
                                                              "OTEL_BLRP_SCHEDULE_DELAY": "500"})
        try:
            fleet.wait_ready(timeout=120)
            check_loopback(fleet, checks)
            sent = send_everywhere(fleet, checks)
            check_log_forging(fleet, checks)
            check_mutation_guard(fleet, checks)
            # The bridge's spoken turn finishes and the telemetry reaches the backend.
            eventually("the bridge's spoken turn to finish",
                       lambda: (any(t.get("outcome") for t in get_json(fleet.url("discord") + "/voice/turns").get("turns", [])), "no turn"),
                       60, interval=1)
            time.sleep(3)
            scanned, traces = scan_everything(fleet, checks)
            checks.check(traces > 0, "the embedded backend holds no traces to search")
        except Failure as error:
            checks.check(False, str(error))
        finally:
            status = fleet.stop()
    took = time.monotonic() - start
    print(f"security-test: {checks.passed} checks held, {len(checks.failures)} failed "
          f"({sent if 'sent' in dir() else 0} entry points, {scanned if 'scanned' in dir() else 0} places searched, "
          f"{traces if 'traces' in dir() else 0} traces; {took:.0f} s)")
    return 1 if checks.failures else 0


if __name__ == "__main__":
    sys.exit(main())
