#!/usr/bin/env python3
"""Slow, idle and rude clients against one service of a native fleet, over raw sockets, measured.

  idle       open N connections that send nothing: the descriptors the service holds, and how long
             until they fall back after HTTP_IDLE_TIMEOUT
  headers    half a request head, then nothing: closed after HTTP_IDLE_TIMEOUT
  slow-body  a body a byte every 200 ms: answered 408 `request_timeout` and closed at
             HTTP_REQUEST_READ_TIMEOUT
  too-large  a body over the route's limit, written whole: 413 with `Connection: close`, and the
             connection ends at once (the client reading to the end does not hang)
  hang-up    a client closing mid-body: counted as client_closed_request, never as a 500

Standalone: `slow_clients.py --binary .build/debug/audio-fleet` starts its own fleet with short
timeouts (HTTP_IDLE_TIMEOUT=2, HTTP_REQUEST_READ_TIMEOUT=3). Another script imports it and calls
`run(fleet, idle_timeout=..., read_timeout=...)` on a fleet it started with those settings; the
return value is a dict of the figures, and a broken promise raises nativefleet.Failure.
"""
import argparse
import os
import re
import socket
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))
from nativefleet import Failure, Fleet, request  # noqa: E402

# A route every fleet has with a small JSON limit: guardrails' input check (64 KiB).
SERVICE = "guardrails"
ROUTE = "/validate/input"


def say(message):
    print(f"[slow-clients] {message}", flush=True)


def descriptors(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


def connect(fleet, service, timeout=None, connect_timeout=10):
    port = fleet.ports[service] + fleet.offset
    sock = socket.create_connection(("127.0.0.1", port), timeout=connect_timeout)
    sock.settimeout(timeout)
    return sock


def read_until_closed(sock, limit):
    """(bytes received, closed?, seconds) reading until the server closes or `limit` seconds pass."""
    began = time.monotonic()
    received = b""
    while True:
        remaining = limit - (time.monotonic() - began)
        if remaining <= 0:
            return received, False, time.monotonic() - began
        sock.settimeout(remaining)
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            continue
        except (ConnectionResetError, BrokenPipeError):
            return received, True, time.monotonic() - began
        if not chunk:
            return received, True, time.monotonic() - began
        received += chunk


def status_of(answer):
    match = re.match(rb"HTTP/1\.1 (\d{3})", answer)
    return int(match.group(1)) if match else None


def head(length, content_type="application/json"):
    return (f"POST {ROUTE} HTTP/1.1\r\nHost: fleet\r\nContent-Type: {content_type}\r\n"
            f"Content-Length: {length}\r\n\r\n").encode()


def counter(fleet, service, series):
    _, _, body = request("GET", fleet.url(service) + "/metrics")
    for line in body.decode().splitlines():
        if line.startswith(series + " "):
            return float(line.split()[-1])
    return 0.0


def idle_connections(fleet, service, count, idle_timeout, hold=None):
    """Opens `count` idle connections; returns the descriptors `service` held at the peak and how
    long after opening they fell back. With `hold` (seconds), only reports what is still held
    after that long: the figure without an idle timeout."""
    pid = fleet.child_pid(service)
    if pid is None:
        raise Failure(f"no running {service} child")
    before = descriptors(pid)
    sockets = []
    try:
        began = time.monotonic()
        waiting = 0
        for _ in range(count):
            try:
                sockets.append(connect(fleet, service, connect_timeout=1))
            except OSError:
                # Past HTTP_MAX_CONNECTIONS and a full listen backlog a connect waits: the cap holds.
                waiting = count - len(sockets)
                break
        peak = descriptors(pid)
        while time.monotonic() - began < 1.5:  # the accept loop catches up with the backlog
            peak = max(peak, descriptors(pid))
            time.sleep(0.05)
        if hold is not None:
            time.sleep(max(0, hold - (time.monotonic() - began)))
            held = descriptors(pid)
            say(f"idle: {count} idle connections -> {service} held {peak} descriptors (before {before}), "
                f"still {held} after {hold:.0f} s; {waiting} connects not accepted (the first waited over 1 s)")
            return {"descriptors_before": before, "descriptors_peak": peak, f"descriptors_after_{hold:.0f}s": held,
                    "connects_waiting": waiting}
        limit = idle_timeout * 3 + 10
        while descriptors(pid) > before + 10:
            if time.monotonic() - began > limit:
                raise Failure(f"{service} still holds {descriptors(pid)} descriptors {limit:.0f} s after "
                              f"{count} idle connections (before: {before}, idle timeout {idle_timeout} s)")
            time.sleep(0.1)
        fell_back = time.monotonic() - began
    finally:
        for sock in sockets:
            sock.close()
    say(f"idle: {count} idle connections -> {service} held {peak} descriptors (before {before}); "
        f"back to {descriptors(pid)} {fell_back:.1f} s after opening (HTTP_IDLE_TIMEOUT {idle_timeout} s)")
    return {"descriptors_before": before, "descriptors_peak": peak, "fell_back_after_s": round(fell_back, 2)}


def half_sent_headers(fleet, service, idle_timeout):
    sock = connect(fleet, service)
    sock.sendall(f"POST {ROUTE} HTTP/1.1\r\nHost: fleet\r\nContent-Le".encode())
    _, closed, seconds = read_until_closed(sock, idle_timeout * 3 + 10)
    sock.close()
    if not closed:
        raise Failure("a half-sent request head kept its connection open")
    say(f"headers: half a head -> closed after {seconds:.1f} s")
    return {"half_head_closed_after_s": round(seconds, 2)}


def slow_body(fleet, service, read_timeout):
    sock = connect(fleet, service)
    declared = 1000
    sock.sendall(head(declared))
    began = time.monotonic()
    sent = 0
    sock.setblocking(False)
    while sent < declared:
        try:
            if sock.recv(1, socket.MSG_PEEK) is not None:
                break  # an answer, or the end of the connection
        except BlockingIOError:
            pass
        except OSError:
            break
        time.sleep(0.2)
        try:
            sock.send(b"x")
            sent += 1
        except OSError:
            break
    sock.setblocking(True)
    answer, closed, _ = read_until_closed(sock, 10)
    seconds = time.monotonic() - began
    sock.close()
    status = status_of(answer)
    if not closed or status != 408:
        raise Failure(f"a body sent a byte every 200 ms: status {status}, closed {closed}, after {seconds:.1f} s")
    say(f"slow-body: a byte every 200 ms -> 408 and closed after {seconds:.1f} s, {sent} of {declared} bytes sent "
        f"(HTTP_REQUEST_READ_TIMEOUT {read_timeout} s)")
    return {"slow_body_cut_off_after_s": round(seconds, 2), "slow_body_bytes_sent": sent}


def too_large(fleet, service):
    body = b'{"text":"' + b"x" * (4 * 1024 * 1024) + b'"}'
    sock = connect(fleet, service)
    began = time.monotonic()
    try:
        sock.sendall(head(len(body)) + body)
    except OSError:
        pass  # the server may stop reading once it has answered; the answer is what counts
    answer, closed, _ = read_until_closed(sock, 30)
    seconds = time.monotonic() - began
    sock.close()
    status = status_of(answer)
    if status != 413 or not closed or b"connection: close" not in answer.lower():
        raise Failure(f"a 4 MiB body: status {status}, closed {closed} after {seconds:.1f} s")
    say(f"too-large: 4 MiB written whole -> 413 with Connection: close, connection ended {seconds:.2f} s after the head")
    return {"too_large_answered_and_closed_s": round(seconds, 3)}


def hang_up(fleet, service):
    route = f'http_route="{ROUTE}"'
    internal = f'http_server_errors_total{{{route},error_type="internal"}}'
    closed = f'http_server_errors_total{{{route},error_type="client_closed_request"}}'
    before = counter(fleet, service, internal), counter(fleet, service, closed)
    for _ in range(5):
        sock = connect(fleet, service)
        sock.sendall(head(1000) + b'{"text":"')
        time.sleep(0.1)
        sock.close()
    deadline = time.monotonic() + 10
    while counter(fleet, service, closed) < before[1] + 5 and time.monotonic() < deadline:
        time.sleep(0.2)
    after = counter(fleet, service, internal), counter(fleet, service, closed)
    if after[0] != before[0] or after[1] != before[1] + 5:
        raise Failure(f"5 hang-ups mid-body: internal {before[0]} -> {after[0]}, "
                      f"client_closed_request {before[1]} -> {after[1]}")
    say("hang-up: 5 clients gone mid-body -> client_closed_request +5, internal (500) +0")
    return {"hang_ups_counted_as_499": 5}


def run(fleet, service=SERVICE, connections=2000, idle_timeout=2.0, read_timeout=3.0):
    """Every check against `service` of a running `fleet` whose children were started with
    HTTP_IDLE_TIMEOUT=idle_timeout and HTTP_REQUEST_READ_TIMEOUT=read_timeout."""
    figures = {}
    figures.update(too_large(fleet, service))
    figures.update(hang_up(fleet, service))
    figures.update(half_sent_headers(fleet, service, idle_timeout))
    figures.update(slow_body(fleet, service, read_timeout))
    figures.update(idle_connections(fleet, service, connections, idle_timeout))
    return figures


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--connections", type=int, default=2000)
    parser.add_argument("--idle-timeout", type=float, default=2.0)
    parser.add_argument("--read-timeout", type=float, default=3.0)
    parser.add_argument("--max-connections", type=int, help="HTTP_MAX_CONNECTIONS for the fleet (default: the service's)")
    parser.add_argument("--hold", type=float,
                        help="only the idle connections, reporting what is still held after this many seconds "
                             "(with a large --idle-timeout: the figure without the timeout)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="slow-clients-") as tmp:
        fleet = Fleet(os.path.abspath(args.binary), tmp, env={
            "LATENCY_SCALE": "0", "DISCORD_SPEAKERS": "0",
            "HTTP_IDLE_TIMEOUT": args.idle_timeout, "HTTP_REQUEST_READ_TIMEOUT": args.read_timeout,
            "HTTP_MAX_CONNECTIONS": args.max_connections})
        try:
            fleet.wait_ready(timeout=180, services=[SERVICE])
            if args.hold:
                figures = idle_connections(fleet, SERVICE, args.connections, args.idle_timeout, hold=args.hold)
            else:
                figures = run(fleet, connections=args.connections, idle_timeout=args.idle_timeout,
                              read_timeout=args.read_timeout)
        except Failure as failure:
            say(f"FAILED: {failure}")
            return 1
        finally:
            fleet.stop()
    say(f"ok: {figures}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
