"""A native fleet (`audio-fleet up`) for the test scripts that drive one: the browser test, the
contract test, the fault suite and the security checks. Standard library plus PyYAML.

Each fleet runs on free ports (an offset over the usual ones), in its own process group, with its
own data folder, logs and flag file, so a test never meets another fleet's state and leaves
nothing running: `stop()` ends the whole group.
"""
import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request

from stacklib import native_fleet, port_free


class Failure(Exception):
    """A check that did not hold; the scripts print it and exit 1."""


def free_offset():
    """The first port offset at which all nine fleet ports are free."""
    ports, _ = native_fleet()
    for offset in (0, 10000, 20000, 30000, 40000):
        if all(port_free(p + offset) for p in ports.values()):
            return offset
    raise Failure("no port offset with all nine fleet ports free")


def eventually(what, probe, timeout, interval=1.0):
    """Calls probe() -> (value, detail) until value is true; returns it, or fails naming what was awaited."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            value, last = probe()
            if value:
                return value
        except Exception as error:  # noqa: BLE001 - anything here means "not yet"
            last = str(error)
        time.sleep(interval)
    raise Failure(f"timed out after {timeout:.0f} s waiting for {what} ({last})")


def stop_group(process, timeout=15):
    """Stops a child started with start_new_session=True: SIGTERM to it, then SIGKILL to its whole
    process group if it has not exited within `timeout` seconds."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
            return
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass


def process_environment(pid):
    """The environment a running process was started with (/proc/<pid>/environ)."""
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(item.decode().split("=", 1) for item in f.read().split(b"\0") if b"=" in item)


def request(method, url, body=None, headers=None, timeout=10):
    """-> (status, headers, body bytes) for any status; raises only on a transport failure."""
    data = json.dumps(body).encode() if isinstance(body, (dict, list)) else body
    headers = dict(headers or {})
    if isinstance(body, (dict, list)):
        headers.setdefault("content-type", "application/json")
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def get_json(url, timeout=10):
    status, _, body = request("GET", url, timeout=timeout)
    if status != 200:
        raise Failure(f"GET {url} answered {status}: {body[:200]!r}")
    return json.loads(body)


class Fleet:
    """`audio-fleet up` in its own process group, with its own data, logs and flag file.

    `env` adds to (or, with a None value, removes from) the children's environment; OTEL_* variables
    of the caller are dropped so the services export to the embedded backend, as `make run` does
    natively, unless `env` names some.
    """

    def __init__(self, binary, tmp, env=None, args=()):
        self.ports, _ = native_fleet()
        self.offset = free_offset()
        self.tmp = tmp
        self.logs = os.path.join(tmp, "logs")
        self.data = os.path.join(tmp, "data")
        environment = {k: v for k, v in os.environ.items() if not k.startswith("OTEL_")}
        environment.update(DATA_DIR=self.data,
                           SCENARIO_FLAGS_FILE=os.path.join(tmp, "flags", "scenarios.flagd.json"),
                           # Spans reach the embedded backend within a second instead of five.
                           OTEL_BSP_SCHEDULE_DELAY="1000")
        for key, value in (env or {}).items():
            if value is None:
                environment.pop(key, None)
            else:
                environment[key] = str(value)
        self.log = os.path.join(tmp, "fleet.out")
        # The fleet runs in `tmp`, so a binary named relative to the caller's folder is made absolute.
        self.process = subprocess.Popen(
            [os.path.abspath(binary), "up", "--port-offset", str(self.offset), "--log-directory", self.logs, *args],
            stdout=open(self.log, "w"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, env=environment,
            start_new_session=True, cwd=tmp)

    def url(self, service):
        return f"http://127.0.0.1:{self.ports[service] + self.offset}"

    def is_ready(self, service):
        try:
            return request("GET", self.url(service) + "/health/ready", timeout=2)[0] == 200
        except OSError:
            return False

    def wait_ready(self, timeout=120, services=None):
        def probe():
            if self.process.poll() is not None:
                raise Failure(f"`audio-fleet up` exited ({self.process.returncode}):\n{self.tail()}")
            waiting = [name for name in (services or self.ports) if not self.is_ready(name)]
            return not waiting, f"not ready: {', '.join(waiting)}"
        eventually("the fleet's /health/ready", probe, timeout, interval=0.5)

    def child_pid(self, service):
        """The pid of the `audio-fleet serve <service>` child now running, or None."""
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as f:
                    argv = f.read().split(b"\0")
                # Foundation's Process puts each child in its own process group: match the parent.
                with open(f"/proc/{entry}/stat") as f:
                    parent = int(f.read().rsplit(")", 1)[1].split()[1])
                if parent != self.process.pid:
                    continue
            except (OSError, ProcessLookupError, ValueError, IndexError):
                continue
            if len(argv) > 2 and argv[1] == b"serve" and argv[2] == service.encode():
                return int(entry)
        return None

    def stop(self, timeout=15):
        """SIGTERM to `up` (which stops its children in order), then SIGKILL to whatever is left.
        Returns `up`'s exit status, or None if it had to be killed."""
        status = self.process.poll()
        if status is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                status = self.process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                status = None
        try:
            os.killpg(self.process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        return status

    def tail(self, lines=20):
        with open(self.log, errors="replace") as f:
            return "".join(f.readlines()[-lines:])
