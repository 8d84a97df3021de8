#!/usr/bin/env python3
"""Telemetry overhead: CPU seconds per voice turn of the whole native fleet with OTLP export on
versus OTEL_SDK_DISABLED=true.

Each run starts `audio-fleet up` with LATENCY_SCALE=0 (no simulated waits), STT_ENGINE=reference
(so recognition does not drown the rest) and enough speakers that voice turns dominate the work,
lets the turns settle, then over a window sums the user + system CPU of `up` and its nine
children (from /proc) and divides by the voice turns finished in it (voice_turns_total on the
bridge's /metrics, which works with export off too).

Export on goes to a local receiver, by `--receiver`:
- `sink` (default): an OTLP/HTTP receiver in this script's own process that reads each export and
  answers 200, so the figure is the services' own cost of telemetry (spans, metrics and logs made,
  batched, encoded and sent), as with a collector on another core;
- `embedded`: what `make run` does natively, the monitoring-dashboard's embedded backend, whose
  receiving and storing is counted too (it is one of the nine).

The machine's speed drifts by several percent over minutes, more than the overhead itself, so
each pair is two fleets run side by side, one with export on and one off, on their own ports,
both measured over the same window (they share the two cores and whatever else runs alike); the
report gives the median of each, the overhead with its spread over the pairs, and the overhead
pooled over all windows (CPU sum over turn sum). Goal: overhead <= 5 %.
`--short` runs one short window with export on: it proves the measurement works, not the figure.
Exits non-zero only when the benchmark could not run.

Usage: scripts/bench/telemetry.py [--short] [--binary PATH] [--pairs 4] [--speakers 60]
                                  [--receiver sink|embedded] [--json FILE]
"""
import argparse
import contextlib
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from nativefleet import Failure, Fleet, eventually, request  # noqa: E402
from otlpsink import OTLPSink  # noqa: E402

GOAL = 0.05


def scrape(fleet):
    status, _, body = request("GET", fleet.url("discord") + "/metrics", timeout=10)
    if status != 200:
        raise Failure(f"discord /metrics answered {status}")
    return benchlib.parse_metrics(body.decode(errors="replace"))


def finished_turns(samples):
    return benchlib.metric_sum(samples, "voice_turns_total")


def fleet_env(export, speakers, sink):
    env = {"DISCORD_SPEAKERS": speakers, "LATENCY_SCALE": "0", "STT_ENGINE": "reference"}
    if not export:
        env["OTEL_SDK_DISABLED"] = "true"
    elif sink:
        env.update(OTEL_EXPORTER_OTLP_ENDPOINT=sink.endpoint, OTEL_EXPORTER_OTLP_PROTOCOL="http/protobuf")
    return env


def run(binary, exports, speakers, warmup, window, sink=None):
    """One fleet per entry of `exports` (True: export on), started one after the other, then all
    measured over the same window: -> one dict per fleet with cpu seconds, turns, cpu per turn."""
    exports_before = sink.exports if sink else 0
    with contextlib.ExitStack() as stack:
        fleets = []
        try:
            for export in exports:
                tmp = stack.enter_context(tempfile.TemporaryDirectory(prefix="af-telemetry-"))
                fleets.append(Fleet(binary, tmp, env=fleet_env(export, speakers, sink)))
                # Ready before the next starts: the next one's free ports are chosen past these.
                fleets[-1].wait_ready(timeout=180)
            for fleet in fleets:
                eventually("voice turns finishing", lambda: (finished_turns(scrape(fleet)) > 0, "no turn yet"),
                           timeout=120, interval=1)
            time.sleep(warmup)
            before = [(finished_turns(scrape(f)), benchlib.fleet_cpu(f.process.pid)) for f in fleets]
            t0 = time.monotonic()
            time.sleep(window)
            after = [(finished_turns(scrape(f)), benchlib.fleet_cpu(f.process.pid)) for f in fleets]
            t1 = time.monotonic()
            for fleet in fleets:
                if fleet.process.poll() is not None:
                    raise Failure(f"a fleet exited during the window:\n{fleet.tail()}")
            names = [{pid: benchlib.service_of(pid) for pid in cpu} for _, cpu in after]
        except Failure:
            for fleet in fleets:
                print(fleet.tail())
            raise
        finally:
            for fleet in fleets:
                fleet.stop()
    if any(exports) and sink and sink.exports == exports_before:
        raise Failure("export was on, but no export reached the receiver")
    results = []
    for export, (turns_before, cpu_before), (turns_after, cpu_after), name in zip(exports, before, after, names):
        cpu = benchlib.cpu_delta(cpu_before, cpu_after)
        turns = turns_after - turns_before
        if turns <= 0:
            raise Failure(f"no voice turn finished in the {window:.0f} s window")
        by_service = {name[pid]: round(cpu_after[pid] - cpu_before[pid], 2) for pid in cpu_after if pid in cpu_before}
        results.append({"export": export, "cpu_by_service": by_service, "cpu_seconds": round(cpu, 2), "turns": int(turns),
                        "window_seconds": round(t1 - t0, 1), "processes": len(cpu_after), "cores": round(cpu / (t1 - t0), 3),
                        "cpu_per_turn": cpu / turns})
    return results


def pooled_cpu_per_turn(runs, export):
    """CPU seconds per turn over every window with export on (or off) taken together."""
    chosen = [r for r in runs if r["export"] == export]
    return sum(r["cpu_seconds"] for r in chosen) / sum(r["turns"] for r in chosen)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=benchlib.DEBUG_BINARY)
    parser.add_argument("--short", action="store_true")
    parser.add_argument("--pairs", type=int, default=4, help="on/off pairs (two fleets side by side each; even)")
    parser.add_argument("--speakers", type=int, default=60)
    parser.add_argument("--window", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=30)
    parser.add_argument("--receiver", choices=["sink", "embedded"], default="sink",
                        help="where export goes: a receiver in this script (default) or the embedded backend")
    parser.add_argument("--json")
    args = parser.parse_args()
    if args.short:
        args.pairs, args.window, args.warmup, args.speakers = 0, 8, 2, 10

    sink = OTLPSink().serve_in_background() if args.receiver == "sink" else None
    print(f"Telemetry overhead: CPU per voice turn of the native fleet, export on vs OTEL_SDK_DISABLED=true\n"
          f"  {args.speakers} speakers, LATENCY_SCALE=0, STT_ENGINE=reference, {args.window:.0f} s windows"
          f" after {args.warmup:.0f} s of warm-up; export to "
          + ("a local OTLP receiver outside the fleet" if sink else "the embedded backend (its CPU counted)") + "\n")
    runs = []
    try:
        # Each pair is two fleets side by side, export on and off, measured over the same window:
        # the machine's speed drifts by several percent over minutes, which one-after-the-other
        # runs counted as overhead (or as savings), and both fleets share whatever else runs.
        # The fleet started first is a few seconds further into its traffic, which finished ~5 %
        # more turns in a window, so which one starts first alternates from pair to pair.
        orders = [(True, False) if pair % 2 == 0 else (False, True) for pair in range(args.pairs)]
        for exports in ([(True,)] if args.short else orders):
            for result in run(args.binary, exports, args.speakers, args.warmup, args.window, sink):
                runs.append(result)
                print(f"  export {'on ' if result['export'] else 'off'}  {result['turns']:5d} turns  {result['cpu_seconds']:7.1f} CPU s"
                      f"  ({result['cores']:.2f} cores, {result['processes']} processes)"
                      f"  {result['cpu_per_turn'] * 1000:7.1f} CPU ms per turn", flush=True)
    except Failure as error:
        print(f"telemetry: {error}")
        return 1

    report = {"benchmark": "telemetry", "receiver": args.receiver, "speakers": args.speakers,
              "window_seconds": args.window, "runs": runs, "goal": GOAL}
    if args.short:
        print("\n  short mode: one run with export on proves the measurement works; the overhead needs the full run")
    else:
        on = [r["cpu_per_turn"] for r in runs if r["export"]]
        off = [r["cpu_per_turn"] for r in runs if not r["export"]]
        overhead = benchlib.median(on) / benchlib.median(off) - 1
        pairs = [a / b - 1 for a, b in zip(on, off)]
        print(f"\n  median CPU per turn: export on {benchlib.median(on) * 1000:.1f} ms, off {benchlib.median(off) * 1000:.1f} ms")
        print("  " + benchlib.goal_line("telemetry overhead", overhead * 100, GOAL * 100, unit=" %", digits=1))
        print(f"  spread over the {len(pairs)} on/off pairs: {min(pairs) * 100:+.1f} % to {max(pairs) * 100:+.1f} %"
              " (a window's turns differ in what was said and answered, so their CPU does too)")
        # All windows together: CPU over turns of every "on" window against every "off" one.
        pooled = pooled_cpu_per_turn(runs, export=True) / pooled_cpu_per_turn(runs, export=False) - 1
        print(f"  pooled over all windows (CPU sum / turn sum): {pooled * 100:+.1f} %")
        # Where the difference goes: each process's CPU per turn, median on minus median off.
        services = sorted({name for r in runs for name in r["cpu_by_service"]})
        differences = {}
        for name in services:
            per_on = [r["cpu_by_service"].get(name, 0) / r["turns"] for r in runs if r["export"]]
            per_off = [r["cpu_by_service"].get(name, 0) / r["turns"] for r in runs if not r["export"]]
            differences[name] = benchlib.median(per_on) - benchlib.median(per_off)
        print("  CPU ms per turn added by export, by process: " + ", ".join(
            f"{name} {value * 1000:+.0f}" for name, value in sorted(differences.items(), key=lambda item: -item[1])))
        report.update(overhead=overhead, pooled_overhead=pooled, overhead_by_process=differences, pair_overheads=pairs, median_on=benchlib.median(on), median_off=benchlib.median(off),
                      goal_met=overhead <= GOAL)
    benchlib.write_json(args.json, report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
