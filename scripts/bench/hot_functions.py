#!/usr/bin/env python3
"""Writes config/build/hot-functions.order: the functions the nine services run once started, for
the release link to place together at the front of the binary's code (docs/performance.md, Memory).

Why: a service's code pages were 15-17 MiB of every service's idle RSS, although the functions an
idle service runs add up to well under 1 MiB. The kernel maps code in 64 KiB windows around each
page a process touches (fault-around), and in link order a function the service runs sits among
dozens it never calls, so one small call keeps a whole window. With the functions that run listed
first, in the order of which services run them, a service's running code shares few windows.

How: one fleet (`audio-fleet up`, release binary), each service swapped for the same command under
`valgrind --tool=callgrind`; counting is zeroed once start-up has settled (past the 30-s release of
start-up's pages), then the functions each service runs are dumped after an idle phase and again
after a phase with a few simulated speakers. The list: functions idle first, then those only
traffic runs, each part grouped by the set of services that run them (run by all nine first), so
each service's running code is the shared group plus its own.

Only names matter to the linker (lld `--symbol-ordering-file`, unknown names ignored), so a list
taken on an older build still orders what it names; regenerate it after large changes (`make
hot-functions`, about 7 minutes) and measure (scripts/bench/memory.py).

Usage: scripts/bench/hot_functions.py [--binary PATH] [--idle S] [--traffic S] [--output FILE]
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from callgrind import Failure, sigsuspend_shim, stripped  # noqa: E402
from nativefleet import Fleet, process_environment, request  # noqa: E402

SERVICES = ["discord", "audio-processor", "stt", "orchestrator", "guardrails", "llm-flan", "tts-bark",
            "testing-ui", "monitoring-dashboard"]
OUTPUT = os.path.join(benchlib.ROOT, "config", "build", "hot-functions.order")
SETTLE_SECONDS = 45  # each service lets go of its start-up pages 30 s after start
HEADER = """\
# The functions the nine services run once started, placed first in the release binary's code by
# lld --symbol-ordering-file (scripts/release-build.sh). Written by scripts/bench/hot_functions.py
# (make hot-functions); docs/performance.md, Memory, says why and what it saves.
"""


def swap_in_callgrind(fleet, service, binary, workdir):
    """Replaces the running `audio-fleet serve <service>` with the same command, environment and
    folder under callgrind (counting off the books until zeroed); returns the new process."""
    pid = fleet.child_pid(service)
    if pid is None:
        raise Failure(f"{service} is not running")
    with open(f"/proc/{pid}/cmdline", "rb") as f:
        argv = [a.decode() for a in f.read().split(b"\0")[:-1]]
    env = process_environment(pid)
    cwd = os.readlink(f"/proc/{pid}/cwd")
    os.kill(pid, signal.SIGKILL)
    time.sleep(0.5)
    env["LD_PRELOAD"] = sigsuspend_shim(workdir)
    out = os.path.join(workdir, f"{service}.callgrind")
    command = ["valgrind", "--tool=callgrind", "--demangle=no", "--compress-strings=no", "--dump-line=no",
               f"--callgrind-out-file={out}", binary, *argv[1:]]
    return subprocess.Popen(command, env=env, cwd=cwd, stdout=open(out + ".log", "w"), stderr=subprocess.STDOUT,
                            start_new_session=True)


def functions_run(path, binary):
    """The names of the binary's functions that executed in one callgrind dump."""
    names, in_binary = set(), False
    with open(path, errors="replace") as f:
        for line in f:
            if line.startswith("ob="):
                in_binary = line[3:].strip() == binary
            elif line.startswith("fn=") and in_binary:
                names.add(re.sub(r"'\d+$", "", line[3:].strip()))  # 'N marks a recursion level
    return names


def ordered(idle, traffic):
    """Idle functions, then traffic-only ones; within each, grouped by the services that run them,
    the most widely run first."""
    listed, seen = [], set()
    for table in (idle, traffic):
        def users(name):
            return tuple(s for s in SERVICES if name in table[s])
        pending = set().union(*table.values()) - seen
        for name in sorted(pending, key=lambda n: (-len(users(n)), users(n), n)):
            listed.append(name)
            seen.add(name)
    return listed


def collect(binary, idle_seconds, traffic_seconds, speakers, workdir):
    copy = stripped(binary, workdir)
    fleet = Fleet(binary, workdir, env={"DISCORD_SPEAKERS": "0"})
    processes = {}
    try:
        fleet.wait_ready(180)
        os.kill(fleet.process.pid, signal.SIGSTOP)  # the supervisor would restart what we swap
        for service in SERVICES:
            processes[service] = swap_in_callgrind(fleet, service, copy, workdir)
        deadline = time.monotonic() + 600
        for service in SERVICES:
            while not fleet.is_ready(service):
                if processes[service].poll() is not None or time.monotonic() > deadline:
                    raise Failure(f"{service} under callgrind did not get ready (see {workdir})")
                time.sleep(2)
        print(f"all nine under callgrind; settling {SETTLE_SECONDS} s", flush=True)
        time.sleep(SETTLE_SECONDS)
        control = lambda *args: subprocess.run(["callgrind_control", *args], capture_output=True, check=False)
        for process in processes.values():
            control("-z", str(process.pid))
        time.sleep(idle_seconds)
        for process in processes.values():
            control("-d", "idle", str(process.pid))
        status = request("PUT", fleet.url("discord") + "/voice/load", {"speakers": speakers})[0]
        if status != 200:
            raise Failure(f"PUT /voice/load answered {status}")
        print(f"idle dumped; {speakers} speakers for {traffic_seconds:.0f} s", flush=True)
        time.sleep(traffic_seconds)
        for process in processes.values():
            control("-d", "traffic", str(process.pid))
        time.sleep(2)
    finally:
        for process in processes.values():
            try:
                os.killpg(process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            os.kill(fleet.process.pid, signal.SIGCONT)
        except ProcessLookupError:
            pass
        fleet.stop()
    idle, traffic = {}, {}
    for service in SERVICES:
        dumps = sorted((name for name in os.listdir(workdir)
                        if re.fullmatch(rf"{re.escape(service)}\.callgrind\.\d+", name)),
                       key=lambda name: int(name.rsplit(".", 1)[1]))
        if len(dumps) < 2:
            raise Failure(f"{service}: expected an idle and a traffic dump, found {dumps}")
        idle[service] = functions_run(os.path.join(workdir, dumps[0]), copy)
        traffic[service] = functions_run(os.path.join(workdir, dumps[1]), copy) - idle[service]
    return idle, traffic


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--binary", default=os.path.join(benchlib.ROOT, ".build", "release", "audio-fleet"))
    parser.add_argument("--idle", type=float, default=120, help="seconds of the idle phase")
    parser.add_argument("--traffic", type=float, default=150, help="seconds of the phase with speakers")
    parser.add_argument("--speakers", type=int, default=4)
    parser.add_argument("--output", default=OUTPUT)
    options = parser.parse_args()
    try:
        with tempfile.TemporaryDirectory(prefix="hot-functions-") as workdir:
            idle, traffic = collect(os.path.abspath(options.binary), options.idle, options.traffic,
                                    options.speakers, workdir)
    except Failure as failure:
        print(f"hot_functions: {failure}", file=sys.stderr)
        return 1
    names = ordered(idle, traffic)
    with open(options.output, "w") as f:
        f.write(HEADER + "\n".join(names) + "\n")
    for service in SERVICES:
        print(f"  {service:22s} idle {len(idle[service]):5d} functions, traffic-only {len(traffic[service]):5d}")
    print(f"{len(names)} functions written to {os.path.relpath(options.output)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
