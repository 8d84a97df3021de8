#!/usr/bin/env python3
"""Callgrind instruction count of one fixed voice turn's audio path, against a stored baseline.

Runs `audio-fleet bench audio-path --once` (a fixed sentence and voice, no randomness, no other
threads working, no telemetry) under `valgrind --tool=callgrind --toggle-collect=af_bench_audio_path`,
so only the path itself is counted, not start-up. Prints the instructions executed (Ir) per stage
(each stage is a function `af_stage_*`) and in total, and compares the total with
scripts/bench/callgrind-baseline.json for this build configuration (debug or release).

An instruction count is not a timing: the same binary on the same input executes the same
instructions whatever else the machine is doing, so a change of a few percent is a real change in
the code, not noise. It fails (exit 1) only when the count grew more than 15 % over the baseline,
or when the benchmark could not run; `--update-baseline` stores this run's count.

Full mode also counts a fixed loop of catalog metric observations with and without the handle
cache (`audio-fleet bench metrics`), the before and after of that change.

Usage: scripts/bench/callgrind.py [--short] [--binary PATH] [--json FILE] [--update-baseline]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

BASELINE = os.path.join(benchlib.HERE, "callgrind-baseline.json")
TOLERANCE = 0.15
class Failure(Exception):
    """The benchmark could not run."""


STAGES = ["bridge_link", "segment_encode", "process_segment", "stt_upload", "enhance", "stt_recognize", "tts", "playback"]


def configuration(binary):
    """debug or release, from the build folder the binary sits in."""
    real = os.path.realpath(binary)
    return "release" if "/release/" in real else "debug"


def stripped(binary, workdir):
    """A copy of `binary` without its DWARF: valgrind 3.19 (Debian 12) cannot read the DWARF 5
    Swift writes and gives up. The symbol table stays, so functions keep their names."""
    if not os.path.exists(binary):
        raise Failure(f"{binary} does not exist (build it: swift build --product audio-fleet)")
    copy = os.path.join(workdir, "audio-fleet")
    run = subprocess.run(["objcopy", "--strip-debug", binary, copy], capture_output=True, text=True)
    if run.returncode != 0:
        raise Failure(f"objcopy --strip-debug failed: {run.stderr[-500:]}")
    return copy


SIGSUSPEND_SHIM = r"""
#include <signal.h>
#include <unistd.h>
#include <sys/syscall.h>
int sigsuspend(const sigset_t *mask) { sigset_t copy = *mask; return (int)syscall(SYS_rt_sigsuspend, &copy, 8); }
"""


def sigsuspend_shim(workdir):
    """A preload that hands rt_sigsuspend a copy of its mask. The binary's async main parks the
    main thread in libdispatch's dispatch_main, whose sigsuspend passes a mask in read-only
    memory, and valgrind 3.19 writes to that mask and crashes (fixed in later valgrinds)."""
    source = os.path.join(workdir, "sigsuspend.c")
    library = os.path.join(workdir, "sigsuspend.so")
    with open(source, "w") as f:
        f.write(SIGSUSPEND_SHIM)
    compiler = shutil.which("cc") or shutil.which("clang") or shutil.which("gcc")
    if not compiler:
        raise Failure("no C compiler (cc) for the sigsuspend preload valgrind needs")
    run = subprocess.run([compiler, "-shared", "-fPIC", "-O2", "-o", library, source], capture_output=True, text=True)
    if run.returncode != 0:
        raise Failure(f"compiling the sigsuspend preload failed: {run.stderr[-500:]}")
    return library


def callgrind(binary, arguments, toggle, workdir):
    """Runs `binary arguments` under callgrind counting only inside `toggle`; -> (total Ir,
    {function: inclusive Ir}, seconds taken)."""
    out = os.path.join(workdir, f"callgrind.{toggle}.out")
    env = dict(os.environ, SWIFT_DETERMINISTIC_HASHING="1", OTEL_SDK_DISABLED="true", LOG_LEVEL="error",
               LD_PRELOAD=sigsuspend_shim(workdir))
    start = time.monotonic()
    run = subprocess.run(["valgrind", "--tool=callgrind", f"--callgrind-out-file={out}", f"--toggle-collect={toggle}",
                          binary, *arguments], capture_output=True, text=True, env=env, cwd=workdir)
    seconds = time.monotonic() - start
    if run.returncode != 0 or not os.path.exists(out):
        raise Failure(f"{' '.join(arguments)} under callgrind exited {run.returncode}:\n{run.stderr[-2000:]}")
    annotate = subprocess.run(["callgrind_annotate", "--inclusive=yes", "--threshold=100", out],
                              capture_output=True, text=True)
    if annotate.returncode != 0:
        raise Failure(f"callgrind_annotate failed: {annotate.stderr[-500:]}")
    total = None
    functions = {}
    for line in annotate.stdout.splitlines():
        match = re.match(r"\s*([\d,]+)\s+(?:\([^)]*\)\s+)?(.*)$", line)
        if not match:
            continue
        count = int(match.group(1).replace(",", ""))
        rest = match.group(2)
        if "PROGRAM TOTALS" in rest:
            total = count
            continue
        name = rest.split(":", 1)[1].split(" [")[0].strip() if ":" in rest else rest
        functions[name] = max(functions.get(name, 0), count)
    if not total:
        raise Failure("callgrind counted nothing: is the toggle function in the binary?")
    return total, functions, seconds


def demangle(name):
    """A Swift symbol as people read it (the toolchain's demangler), or as it is."""
    if not name.startswith("$s"):
        return name
    try:
        return subprocess.run(["swift", "demangle", "--simplified", "--compact", name], capture_output=True,
                              text=True, timeout=10).stdout.strip() or name
    except (OSError, subprocess.TimeoutExpired):
        return name


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default=benchlib.DEBUG_BINARY)
    parser.add_argument("--short", action="store_true", help="the audio path only (no metric loop)")
    parser.add_argument("--json")
    parser.add_argument("--update-baseline", action="store_true")
    parser.add_argument("--observations", type=int, default=30000, help="metric loop length (full mode)")
    args = parser.parse_args()

    if not shutil.which("valgrind"):
        print("callgrind: valgrind is not installed (scripts/ensure-deps.sh test installs it)")
        return 1
    config = configuration(args.binary)
    report = {"benchmark": "callgrind", "configuration": config, "binary": args.binary}
    with tempfile.TemporaryDirectory(prefix="af-callgrind-") as workdir:
        try:
            binary = stripped(args.binary, workdir)
            total, functions, seconds = callgrind(binary, ["bench", "audio-path", "--once"], "af_bench_audio_path", workdir)
        except Failure as error:
            print(f"callgrind: {error}")
            return 1
        print(f"Callgrind: instructions of one fixed voice turn's audio path ({config} build), {seconds:.0f} s under valgrind")
        print("  (an instruction count, not a timing: it repeats exactly on a busy machine)\n")
        stages = {}
        for stage in STAGES:
            count = functions.get(f"af_stage_{stage}")
            if count is not None:
                stages[stage] = count
                print(f"  {stage:<18} {count:>15,} Ir  {count / total * 100:5.1f} %")
        print(f"  {'total':<18} {total:>15,} Ir")
        top = sorted(((count, name) for name, count in functions.items()
                      if not name.startswith(("af_", "0x")) and "PathTurn" not in name and count < total), reverse=True)[:8]
        if top:
            print("\n  largest inclusive functions below the stages:")
            for count, name in top:
                print(f"    {count / total * 100:5.1f} %  {demangle(name)[:110]}")
        report.update(audio_path_ir=total, stages_ir=stages, valgrind_seconds=round(seconds, 1))

        if not args.short:
            counts = {}
            for mode, extra in (("uncached", ["--uncached"]), ("cached", [])):
                try:
                    counted, _, _ = callgrind(binary, ["bench", "metrics", "--observations", str(args.observations), *extra],
                                              "af_bench_metric_loop", workdir)
                except Failure as error:
                    print(f"callgrind: metric loop: {error}")
                    return 1
                counts[mode] = counted
            per = {mode: count / args.observations for mode, count in counts.items()}
            print(f"\n  catalog metric observation, {args.observations:,} in a loop (Prometheus backend):")
            print(f"    factory asked each time (before): {per['uncached']:8.0f} Ir per observation")
            print(f"    handle cached (after):            {per['cached']:8.0f} Ir per observation "
                  f"({(1 - per['cached'] / per['uncached']) * 100:.0f} % fewer)")
            report["metric_observation_ir"] = {mode: round(value) for mode, value in per.items()}

    baselines = {}
    if os.path.exists(BASELINE):
        with open(BASELINE) as f:
            baselines = json.load(f)
    baseline = baselines.get(config, {}).get("audio_path_ir")
    status = 0
    if args.update_baseline:
        baselines[config] = {"audio_path_ir": total, "stages_ir": stages}
        with open(BASELINE, "w") as f:
            json.dump(baselines, f, indent=2, sort_keys=True)
            f.write("\n")
        print(f"\n  baseline for {config} stored: {total:,} Ir")
    elif baseline:
        change = (total - baseline) / baseline
        report.update(baseline_ir=baseline, change=change)
        verdict = "over the 15 % limit: FAIL" if change > TOLERANCE else f"within +{TOLERANCE * 100:.0f} %"
        print(f"\n  baseline ({config}): {baseline:,} Ir; this run {change * 100:+.1f} % ({verdict})")
        if change > TOLERANCE:
            status = 1
    else:
        print(f"\n  no {config} baseline in {os.path.relpath(BASELINE, benchlib.ROOT)}: run with --update-baseline to store one")
    benchlib.write_json(args.json, report)
    return status


if __name__ == "__main__":
    sys.exit(main())
