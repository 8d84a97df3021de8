#!/usr/bin/env python3
"""Capacity: the most concurrent real-time speakers the native fleet carries on this machine.

For each speaker count it starts `audio-fleet up` with DISCORD_SPEAKERS=N and LATENCY_SCALE=0 (the
stubs' simulated waits would otherwise hide the fleet's own cost), waits until every speaker is in
and turns are flowing, then measures over a window:

- cores used: CPU seconds (user + system, from /proc) of the whole fleet and of each service's
  process, per wall second;
- frame lag: p95 of voice_frame_lag_seconds (each speaker frame's lateness against its 20 ms
  schedule into the bridge) and of playback_jitter_seconds (each reply frame's lateness);
- starvation: voice_jitter_buffer_starved_total (a playout slot with no packet that the network
  did not lose);
- turns: voice_turns_total by outcome; a failed turn is outcome "error";
- CPU per turn: the fleet's (and the bridge's) CPU seconds in the window over the turns finished.

A count passes when both p95 lags are under 20 ms, nothing starved, no turn failed and some turns
finished. Full mode measures 10, 25, 50, 100, 200, 400 speakers (the curve), then bisects between
the last pass and the first fail; `--engine both` does it with stt's reference engine and with pocketsphinx.
`--short` runs 10 speakers for 10 s: it proves the benchmark works, not the machine's capacity.

Exits non-zero only when the benchmark could not run (the fleet did not start, a crash, no data).
"""
import argparse
import json
import os
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "stack"))

from nativefleet import Failure, Fleet, eventually, request  # noqa: E402
from benchlib import cpu_seconds, metric_sum, parse_metrics  # noqa: E402

COUNTS = [10, 25, 50, 100, 200, 400]
LAG_LIMIT = 0.020
GOAL_REFERENCE = 200


# MARK: /proc and /metrics

def descendants(root):
    """root and every process below it."""
    children = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                parent = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(parent, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def buckets(samples, name):
    """{upper bound: cumulative count} of a histogram, summed over its other labels."""
    out = {}
    for (n, labels), value in samples.items():
        if n != name + "_bucket":
            continue
        le = dict(labels).get("le")
        bound = float("inf") if le in ("+Inf", "Inf") else float(le)
        out[bound] = out.get(bound, 0) + value
    return out


def percentile_from_buckets(before, after, q):
    """The q-quantile of the observations made between two scrapes (linear within a bucket);
    None when there were none. Above the largest finite bound it answers that bound."""
    delta = sorted((bound, after.get(bound, 0) - before.get(bound, 0)) for bound in after)
    if not delta or delta[-1][1] <= 0:
        return None
    total, rank = delta[-1][1], q * delta[-1][1]
    lower, below = 0.0, 0.0
    for bound, cumulative in delta:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            inside = cumulative - below
            return lower + (bound - lower) * ((rank - below) / inside if inside else 1)
        lower, below = bound, cumulative
    return lower if total else None


def scrape(fleet, service="discord"):
    status, _, body = request("GET", fleet.url(service) + "/metrics", timeout=10)
    if status != 200:
        raise Failure(f"{service} /metrics answered {status}")
    return parse_metrics(body.decode(errors="replace"))


# MARK: One run

def cpu_snapshot(fleet):
    per_service = {}
    for service in fleet.ports:
        pid = fleet.child_pid(service)
        if pid is not None:
            per_service[service] = (pid, cpu_seconds(pid))
    whole = sum(c for c in (cpu_seconds(p) for p in descendants(fleet.process.pid)) if c is not None)
    return whole, per_service


def favour(fleet, nice):
    """Raises the fleet's scheduling weight on a shared machine: with autogroup scheduling each
    session shares the CPU equally whatever its processes' nice values, so a fleet run beside
    other sessions' compilers would get a fraction of the cores however idle it wants to be. Writes
    `nice` to the autogroup of every fleet process (needs CAP_SYS_NICE; skipped quietly without it).
    Returns how many autogroups took it."""
    done = set()
    for pid in descendants(fleet.process.pid):
        try:
            with open(f"/proc/{pid}/autogroup") as f:
                group = f.read().split()[0]
            if group in done:
                continue
            with open(f"/proc/{pid}/autogroup", "w") as f:
                f.write(str(nice))
            done.add(group)
        except OSError:
            continue
    return len(done)


def measure(binary, speakers, engine, window, warmup, log, nice=None, extra_env=None):
    env = {"DISCORD_SPEAKERS": speakers, "LATENCY_SCALE": "0", "STT_ENGINE": "reference" if engine == "reference" else None,
           **(extra_env or {})}
    with tempfile.TemporaryDirectory(prefix="capacity-") as tmp:
        fleet = Fleet(binary, tmp, env=env)
        try:
            fleet.wait_ready(timeout=180)
            if nice is not None:
                favour(fleet, nice)

            def speakers_in():
                samples = scrape(fleet)
                here = metric_sum(samples, "voice_active_speakers")
                frames = metric_sum(samples, "voice_frame_lag_seconds_count")
                return here >= speakers and frames > 0, f"{here:.0f} speakers in, {frames:.0f} frames sent"
            eventually(f"{speakers} speakers talking", speakers_in, timeout=120 + speakers / 2)
            time.sleep(warmup)
            before, cpu_before, t0 = scrape(fleet), cpu_snapshot(fleet), time.monotonic()
            time.sleep(window)
            after, cpu_after, t1 = scrape(fleet), cpu_snapshot(fleet), time.monotonic()
            if fleet.process.poll() is not None:
                raise Failure(f"the fleet exited during the window:\n{fleet.tail()}")
        except Failure:
            log(fleet.tail())
            raise
        finally:
            fleet.stop()
    wall = t1 - t0
    services = {}
    for service, (pid, start) in cpu_before[1].items():
        end = cpu_after[1].get(service)
        if end and end[0] == pid and start is not None and end[1] is not None:
            services[service] = round((end[1] - start) / wall, 3)

    def delta(name, **match):
        return metric_sum(after, name, **match) - metric_sum(before, name, **match)
    outcomes = {}
    for (name, labels), _ in after.items():
        if name == "voice_turns_total":
            outcome = dict(labels).get("outcome", "")
            outcomes[outcome] = round(delta(name, outcome=outcome))
    frame_lag = percentile_from_buckets(buckets(before, "voice_frame_lag_seconds"),
                                        buckets(after, "voice_frame_lag_seconds"), 0.95)
    playback_lag = percentile_from_buckets(buckets(before, "playback_jitter_seconds"),
                                           buckets(after, "playback_jitter_seconds"), 0.95)
    run = {
        "speakers": speakers, "engine": engine, "window_seconds": round(wall, 1),
        "cores": round((cpu_after[0] - cpu_before[0]) / wall, 3), "cores_by_service": services,
        "frame_lag_p95_ms": None if frame_lag is None else round(frame_lag * 1000, 2),
        "playback_lag_p95_ms": None if playback_lag is None else round(playback_lag * 1000, 2),
        "frames": round(delta("voice_frame_lag_seconds_count")),
        "starved": round(delta("voice_jitter_buffer_starved_total")),
        "turns": sum(outcomes.values()), "failed_turns": outcomes.get("error", 0), "outcomes": outcomes,
    }
    # CPU per finished turn: the fleet's cost of one exchange, steadier than cores alone when the
    # number of turns in a window differs between runs (and what a fix to the per-turn work moves).
    turns = run["turns"]
    run["cpu_seconds_per_turn"] = round(run["cores"] * wall / turns, 3) if turns else None
    run["discord_cpu_seconds_per_turn"] = (round(services["discord"] * wall / turns, 3)
                                           if turns and "discord" in services else None)
    run["passed"] = passes(run)
    return run


def passes(run):
    lags = [run["frame_lag_p95_ms"], run["playback_lag_p95_ms"]]
    return (all(lag is None or lag < LAG_LIMIT * 1000 for lag in lags) and run["frame_lag_p95_ms"] is not None
            and run["starved"] == 0 and run["failed_turns"] == 0 and run["turns"] > 0)


# MARK: The sweep

def sweep(binary, engine, counts, window, warmup, bisect, log, nice=None, extra_env=None):
    runs = []

    def run(n):
        log(f"  {engine}: {n} speakers ...")
        try:
            result = measure(binary, n, engine, window, warmup, log, nice, extra_env)
            if result["frames"] == 0:
                raise Failure(f"no speaker frames were measured at {n} speakers (voice_frame_lag_seconds)")
        except Failure as error:
            if not runs:
                raise  # the smallest count must run, or the benchmark itself is broken
            # A fleet overwhelmed past its capacity (speakers never all in, no frames) is a fail, not a crash.
            # Not a verdict on the fleet at this count (no free ports, a fleet that did not come up):
            # recorded, left out of the capacity and the plot.
            log(f"    {n} speakers: could not run: {str(error).splitlines()[0][:200]}")
            runs.append({"speakers": n, "engine": engine, "error": str(error)[:300], "passed": None})
            return None
        log("    " + row(result))
        runs.append(result)
        return result["passed"]

    # Every listed count is measured (the curve); the capacity is the last of the passing run
    # before the first failure, then narrowed by bisection.
    last_pass, first_fail = None, None
    for n in counts:
        passed = run(n)
        if passed is None:
            continue
        if first_fail is None:
            if passed:
                last_pass = n
            else:
                first_fail = n
    if bisect and last_pass is not None and first_fail is not None:
        low, high = last_pass, first_fail
        for _ in range(bisect):
            if high - low <= max(5, low // 10):
                break
            middle = (low + high) // 2
            passed = run(middle)
            if passed is None:
                break
            if passed:
                low = middle
            else:
                high = middle
        last_pass = low
    return {"engine": engine, "capacity": last_pass, "first_fail": first_fail,
            "runs": sorted(runs, key=lambda r: r["speakers"])}


def fmt(value, unit=""):
    return "—" if value is None else f"{value}{unit}"


def row(r):
    top = sorted(r["cores_by_service"].items(), key=lambda kv: -kv[1])[:3]
    return (f"{r['speakers']:>4} speakers  {r['cores']:.2f} cores ({', '.join(f'{s} {c:.2f}' for s, c in top)})  "
            f"lag p95 {fmt(r['frame_lag_p95_ms'], ' ms')} / playback {fmt(r['playback_lag_p95_ms'], ' ms')}  "
            f"starved {r['starved']}  turns {r['turns']} ({r['failed_turns']} failed, "
            f"{fmt(r.get('cpu_seconds_per_turn'), ' CPU-s each')})  "
            f"{'pass' if r['passed'] else 'FAIL'}")


def report(sweeps, short=False):
    lines = []
    services = sorted({s for sw in sweeps for r in sw["runs"] for s in r.get("cores_by_service", {})})
    shown = [s for s in ("discord", "stt", "tts-bark", "audio-processor", "orchestrator") if s in services]
    for sw in sweeps:
        lines.append(f"\n{sw['engine']} engine: capacity {fmt(sw['capacity'])} speakers"
                     + (f" (first fail {sw['first_fail']})" if sw["first_fail"] else " (no count failed)"))
        lines.append("| speakers | cores | " + " | ".join(shown)
                     + " | frame lag p95 | playback p95 | starved | turns (failed) | CPU-s per turn (discord) | |")
        lines.append("|---" * (len(shown) + 8) + "|")
        for r in sw["runs"]:
            if r.get("error"):
                lines.append(f"| {r['speakers']} | not run: {r['error'].splitlines()[0][:80]} |")
                continue
            lines.append(f"| {r['speakers']} | {r['cores']:.2f} | "
                         + " | ".join(f"{r['cores_by_service'].get(s, 0):.2f}" for s in shown)
                         + f" | {fmt(r['frame_lag_p95_ms'], ' ms')} | {fmt(r['playback_lag_p95_ms'], ' ms')} | {r['starved']}"
                         + f" | {r['turns']} ({r['failed_turns']})"
                         + f" | {fmt(r.get('cpu_seconds_per_turn'))} ({fmt(r.get('discord_cpu_seconds_per_turn'))})"
                         + f" | {'pass' if r['passed'] else 'fail'} |")
    by_engine = {sw["engine"]: sw["capacity"] for sw in sweeps}
    if "reference" in by_engine and short:
        lines.append(f"\ngoal >= {GOAL_REFERENCE} speakers with STT_ENGINE=reference: not judged (a short run measures one count)")
    elif "reference" in by_engine:
        met = (by_engine["reference"] or 0) >= GOAL_REFERENCE
        lines.append(f"\ngoal >= {GOAL_REFERENCE} speakers with STT_ENGINE=reference: {'met' if met else 'missed'}"
                     f" ({fmt(by_engine['reference'])})")
    if by_engine.get("reference") and by_engine.get("pocketsphinx") is not None:
        ratio = by_engine["pocketsphinx"] / by_engine["reference"]
        lines.append(f"pocketsphinx carries {by_engine['pocketsphinx']} speakers, {ratio:.0%} of the reference engine's")
    return "\n".join(lines)


# MARK: The plot (plain SVG: no plotting library on this machine)

def svg_plot(sweeps, path):
    width, height, left, right, top, panel, gap = 840, 520, 70, 290, 40, 180, 60
    sweeps = [dict(sw, runs=[r for r in sw["runs"] if not r.get("error")]) for sw in sweeps]
    runs = [r for sw in sweeps for r in sw["runs"]]
    if not runs:
        return
    import math
    xs = sorted({r["speakers"] for r in runs})
    x_min, x_max = math.log(min(xs)), math.log(max(xs)) if max(xs) > min(xs) else math.log(min(xs)) + 1
    plot_w = width - left - right

    def x(n):
        return left + plot_w * ((math.log(n) - x_min) / (x_max - x_min) if x_max > x_min else 0.5)
    cores_max = max(2.0, max(r["cores"] for r in runs))
    lags = [v for r in runs for v in (r["frame_lag_p95_ms"], r["playback_lag_p95_ms"]) if v is not None]
    lag_max = max(40.0, max(lags, default=0) * 1.1)
    lag_max = min(lag_max, 500.0)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
           'font-family="sans-serif" font-size="12">',
           '<rect width="100%" height="100%" fill="white"/>',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="14">AudioFleet capacity: CPU and p95 frame lag '
           'against concurrent speakers (LATENCY_SCALE=0, 2 cores)</text>']
    colours = {"reference": "#1f77b4", "pocketsphinx": "#d62728"}
    service_dash = {"discord": "6,3", "stt": "2,2", "tts-bark": "8,2,2,2"}

    def axes(y0, y_max, label, ticks):
        out.append(f'<line x1="{left}" y1="{y0 + panel}" x2="{left + plot_w}" y2="{y0 + panel}" stroke="black"/>')
        out.append(f'<line x1="{left}" y1="{y0}" x2="{left}" y2="{y0 + panel}" stroke="black"/>')
        for t in ticks:
            y = y0 + panel - panel * t / y_max
            out.append(f'<line x1="{left - 4}" y1="{y:.1f}" x2="{left + plot_w}" y2="{y:.1f}" stroke="#ddd"/>')
            out.append(f'<text x="{left - 8}" y="{y + 4:.1f}" text-anchor="end">{t:g}</text>')
        for n in xs:
            out.append(f'<text x="{x(n):.1f}" y="{y0 + panel + 16}" text-anchor="middle">{n}</text>')
        out.append(f'<text x="16" y="{y0 + panel / 2}" transform="rotate(-90 16 {y0 + panel / 2})" '
                   f'text-anchor="middle">{label}</text>')

    def line(points, y0, y_max, colour, dash=None, label=None, legend_y=None):
        pts = " ".join(f"{x(n):.1f},{y0 + panel - panel * min(v, y_max) / y_max:.1f}" for n, v in points)
        dash_attr = f' stroke-dasharray="{dash}"' if dash else ""
        out.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"{dash_attr}/>')
        for n, v in points:
            out.append(f'<circle cx="{x(n):.1f}" cy="{y0 + panel - panel * min(v, y_max) / y_max:.1f}" r="3" fill="{colour}"/>')
        if label:
            lx = left + plot_w + 12
            out.append(f'<line x1="{lx}" y1="{legend_y}" x2="{lx + 24}" y2="{legend_y}" stroke="{colour}" stroke-width="2"{dash_attr}/>')
            out.append(f'<text x="{lx + 30}" y="{legend_y + 4}">{label}</text>')

    y_cores = top
    step = 0.5 if cores_max <= 3 else 1
    axes(y_cores, cores_max, "cores used", [step * i for i in range(int(cores_max / step) + 1)])
    out.append(f'<line x1="{left}" y1="{y_cores + panel - panel * 2 / cores_max:.1f}" x2="{left + plot_w}" '
               f'y2="{y_cores + panel - panel * 2 / cores_max:.1f}" stroke="#888" stroke-dasharray="4,4"/>')
    legend = y_cores + 10
    for sw in sweeps:
        colour = colours.get(sw["engine"], "#2ca02c")
        line([(r["speakers"], r["cores"]) for r in sw["runs"]], y_cores, cores_max, colour, None,
             f"{sw['engine']}: fleet", legend)
        legend += 18
        for service, dash in service_dash.items():
            line([(r["speakers"], r["cores_by_service"].get(service, 0)) for r in sw["runs"]], y_cores, cores_max,
                 colour, dash, f"{sw['engine']}: {service}", legend)
            legend += 18
    y_lag = top + panel + gap
    lag_step = 10 if lag_max <= 60 else (50 if lag_max <= 250 else 100)
    axes(y_lag, lag_max, "p95 frame lag (ms)", [lag_step * i for i in range(int(lag_max / lag_step) + 1)])
    limit_y = y_lag + panel - panel * 20 / lag_max
    out.append(f'<line x1="{left}" y1="{limit_y:.1f}" x2="{left + plot_w}" y2="{limit_y:.1f}" stroke="#888" stroke-dasharray="4,4"/>')
    out.append(f'<text x="{left + plot_w - 4}" y="{limit_y - 4:.1f}" text-anchor="end" fill="#555">20 ms limit</text>')
    legend = y_lag + 10
    for sw in sweeps:
        colour = colours.get(sw["engine"], "#2ca02c")
        line([(r["speakers"], r["frame_lag_p95_ms"]) for r in sw["runs"] if r["frame_lag_p95_ms"] is not None],
             y_lag, lag_max, colour, None, f"{sw['engine']}: speakers' frames", legend)
        legend += 18
        line([(r["speakers"], r["playback_lag_p95_ms"]) for r in sw["runs"] if r["playback_lag_p95_ms"] is not None],
             y_lag, lag_max, colour, "6,3", f"{sw['engine']}: reply playback", legend)
        legend += 18
    out.append(f'<text x="{left + plot_w / 2}" y="{height - 10}" text-anchor="middle">concurrent speakers (log scale)</text>')
    out.append("</svg>")
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--short", action="store_true", help="10 speakers, 10 s, reference engine: proves it works")
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "audio-fleet"))
    parser.add_argument("--engine", choices=["reference", "pocketsphinx", "both"], default="both")
    parser.add_argument("--counts", help="comma-separated speaker counts (default 10,25,50,100,200,400)")
    parser.add_argument("--window", type=float, help="measuring window in seconds (default 60; short 10)")
    parser.add_argument("--warmup", type=float, help="seconds after the speakers are in (default 60; short 3)")
    parser.add_argument("--bisect", type=int, default=3, help="bisection steps after the listed counts (default 3; 0: none)")
    parser.add_argument("--nice", type=int, default=-10,
                        help="autogroup nice for the fleet on a shared machine (default -10; 'off' is --nice 0)")
    parser.add_argument("--json", help="write the figures here")
    parser.add_argument("--plot", help="write the SVG plot here (e.g. docs/images/capacity.svg)")
    args = parser.parse_args()
    if not os.access(args.binary, os.X_OK):
        print(f"capacity: no binary at {args.binary}", file=sys.stderr)
        return 2
    counts = [int(c) for c in args.counts.split(",")] if args.counts else ([10] if args.short else COUNTS)
    engines = ["reference"] if args.short else (["reference", "pocketsphinx"] if args.engine == "both" else [args.engine])
    window = args.window or (10 if args.short else 60)
    # A minute: the simulated clients fill their burst cache meanwhile (their flite, not the fleet's).
    warmup = args.warmup if args.warmup is not None else (3 if args.short else 60)

    def log(text):
        print(text, file=sys.stderr, flush=True)
    started = time.monotonic()
    try:
        sweeps = [sweep(args.binary, engine, counts, window, warmup, 0 if args.short else args.bisect, log,
                        args.nice if args.nice else None)
                  for engine in engines]
    except Failure as error:
        print(f"capacity: could not run: {error}", file=sys.stderr)
        return 1
    print(f"Capacity ({'short: proves it works, not the machine' if args.short else 'full'}; "
          f"{window:.0f} s windows, LATENCY_SCALE=0, {os.cpu_count()} cores; "
          f"pass = p95 lags < 20 ms, no starved slot, no failed turn)")
    print(report(sweeps, short=args.short))
    print(f"\n({time.monotonic() - started:.0f} s)")
    result = {"benchmark": "capacity", "short": args.short, "window_seconds": window, "lag_limit_ms": LAG_LIMIT * 1000,
              "goal_reference_speakers": GOAL_REFERENCE, "cpu_count": os.cpu_count(),
              "capacity": {sw["engine"]: sw["capacity"] for sw in sweeps}, "sweeps": sweeps}
    if args.json:
        with open(args.json, "w") as f:
            json.dump(result, f, indent=2)
    if args.plot:
        svg_plot(sweeps, args.plot)
    return 0


if __name__ == "__main__":
    sys.exit(main())
