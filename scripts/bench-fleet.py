#!/usr/bin/env python3
"""Fleet benchmark for `make bench`: start the binary as nine processes, measure each
service's idle resident memory, then let the simulated speakers talk until N turns have been
answered and report the end-to-end turn latency (end of user speech -> first reply frame out)
and each stage's share, and the frame lag of reply playback (lateness of each 20 ms frame against
its schedule, and underruns). Reports numbers; never fails on them.

Usage: scripts/bench-fleet.py [--binary .build/debug/audio-fleet] [--turns 20] [--port-offset 40000]
"""
import argparse, json, os, signal, statistics, subprocess, sys, tempfile, time, urllib.request

SERVICES = {"discord": 8009, "audio-processor": 8010, "stt": 8011, "orchestrator": 8220,
            "guardrails": 9310, "llm-flan": 8110, "tts-bark": 7120, "testing-ui": 8080,
            "monitoring-dashboard": 8501}


def get(url, timeout=5):
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status, reply.read()
    except Exception:
        return 0, b""


def rss_mib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def children_by_service(parent):
    """The `audio-fleet serve <name>` children of `up`, by service name."""
    found = {}
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{pid}/cmdline", "rb") as cmd:
                args = cmd.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent and b"serve" in args:
            found[args[args.index(b"serve") + 1].decode()] = int(pid)
    return found


def histogram(text, name):
    """(count, sum, [(le, cumulative count)]) of a Prometheus histogram in /metrics text."""
    buckets, count, total = [], 0, 0.0
    for line in text.splitlines():
        if line.startswith(name + "_bucket{"):
            le = line.split('le="', 1)[1].split('"', 1)[0]
            buckets.append((float("inf") if le == "+Inf" else float(le), float(line.rsplit(" ", 1)[1])))
        elif line.startswith(name + "_count"):
            count = float(line.rsplit(" ", 1)[1])
        elif line.startswith(name + "_sum"):
            total = float(line.rsplit(" ", 1)[1])
    return count, total, sorted(buckets)


def bucket_quantile(buckets, count, q):
    """The upper bound of the bucket holding quantile q (Prometheus's histogram_quantile without
    interpolation): a bound, not an estimate, which is what a lag budget wants."""
    for le, cumulative in buckets:
        if cumulative >= q * count:
            return le
    return float("inf")


def counter(text, name):
    return sum(float(line.rsplit(" ", 1)[1]) for line in text.splitlines()
               if line.startswith(name) and not line.startswith("#"))


def percentile(values, q):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--binary", default=".build/debug/audio-fleet")
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--port-offset", type=int, default=40000)
    parser.add_argument("--timeout", type=int, default=600, help="seconds to wait for the turns")
    args = parser.parse_args()
    url = lambda name: f"http://127.0.0.1:{SERVICES[name] + args.port_offset}"

    work = tempfile.mkdtemp(prefix="audio-fleet-bench-")
    env = dict(os.environ, OTEL_ENABLED="false", DATA_DIR=os.path.join(work, "data"))
    up = subprocess.Popen([os.path.abspath(args.binary), "up", "--port-offset", str(args.port_offset),
                           "--log-directory", os.path.join(work, "log")], cwd=work, env=env,
                          stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        started, deadline = time.time(), time.time() + 120
        while any(get(url(name) + "/health/ready")[0] != 200 for name in SERVICES):
            if time.time() > deadline or up.poll() is not None:
                sys.exit(f"bench-fleet: the fleet did not become ready (logs in {work}/log)")
            time.sleep(0.1)
        print(f"All nine services ready {time.time() - started:.1f} s after `up` started.")
        time.sleep(2)
        pids = children_by_service(up.pid)
        print(f"Resident memory per service, just after start-up ({args.binary}):")
        for name in SERVICES:
            print(f"  {name:22s} {rss_mib(pids[name]):6.1f} MiB" if name in pids else f"  {name:22s}  (not found)")

        print(f"\nWaiting for {args.turns} answered voice turns from the simulated speakers…")
        start, turns = time.time(), {}
        while time.time() - start < args.timeout:
            status, body = get(url("discord") + "/voice/turns")
            for turn in (json.loads(body).get("turns", []) if status == 200 else []):
                if turn.get("outcome") in ("replied", "blocked") and turn.get("latencies", {}).get("end_to_end"):
                    turns[turn["id"]] = turn
            if len(turns) >= args.turns:
                break
            time.sleep(2)
        measured = sorted(turns.values(), key=lambda t: t["id"])[: args.turns]
        if not measured:
            sys.exit("bench-fleet: no answered turn")
        e2e = [t["latencies"]["end_to_end"] for t in measured]
        print(f"End-to-end turn latency over {len(e2e)} answered turns "
              f"({time.time() - start:.0f} s of traffic, LATENCY_SCALE={os.environ.get('LATENCY_SCALE', '1')}):")
        print(f"  median {statistics.median(e2e):.2f} s   p90 {percentile(e2e, 0.9):.2f} s   "
              f"min {min(e2e):.2f} s   max {max(e2e):.2f} s")
        for stage in ("end_of_utterance", "encode", "process", "transcribe", "wake_detection", "orchestrate"):
            values = [t["latencies"][stage] for t in measured if t["latencies"].get(stage) is not None]
            if values:
                print(f"  {stage:18s} median {statistics.median(values):.3f} s")
        _, metrics = get(url("discord") + "/metrics")
        metrics = metrics.decode(errors="replace")
        count, total, buckets = histogram(metrics, "playback_jitter_seconds")
        underruns = counter(metrics, "playback_underruns_total")
        if count:
            print(f"Frame lag over {count:.0f} reply frames (lateness against the 20 ms schedule):")
            print(f"  mean {1000 * total / count:.2f} ms   p50 <= {1000 * bucket_quantile(buckets, count, 0.5):g} ms   "
                  f"p99 <= {1000 * bucket_quantile(buckets, count, 0.99):g} ms   underruns {underruns:.0f} "
                  f"({1000 * underruns / count:.1f} per 1000 frames)")
        pids = children_by_service(up.pid)
        print("\nResident memory per service after the traffic:")
        for name in SERVICES:
            if name in pids:
                print(f"  {name:22s} {rss_mib(pids[name]):6.1f} MiB")
    finally:
        up.send_signal(signal.SIGTERM)
        try:
            up.wait(timeout=20)
        except subprocess.TimeoutExpired:
            up.kill()


if __name__ == "__main__":
    main()
