#!/usr/bin/env python3
"""Memory of the native fleet: every service's RSS idle and at N simulated speakers, with where it
goes (from /proc/<pid>/smaps), against the goals of issue 12: <= 30 MiB RSS per service idle, and
the whole native fleet under 400 MiB at 100 speakers.

RSS counts every page a process maps, shared or not: the nine services are one binary and share
its pages and the Swift libraries', so the RSS sum counts those pages nine times. PSS divides each
shared page among the processes mapping it, so the PSS sum is what the fleet really costs the
machine; both are printed, and the goals are judged on RSS (what `ps`, `top` and a container's
memory figure show).

One fleet (`audio-fleet up` on free ports), two phases:
  idle:  DISCORD_SPEAKERS=0, sampled once start-up has settled (60 s after ready: past the first
         heap trim, 30 s after start, which also lets go of start-up's code pages);
  load:  PUT /voice/load to N speakers (100; --short: 10), sampled after a warm-up, the largest
         sample per service kept. STT_ENGINE=reference and LATENCY_SCALE=0 unless --real-stt:
         pocketsphinx cannot keep up with 100 speakers on 2 cores, and its backlog would measure
         the recognizer's queue, not the fleet's memory.
--short (3 s idle, 10 speakers for 10 s) proves the benchmark runs; its figures mean little.

The binary's pages are dropped from the page cache first (--keep-page-cache to skip). A binary
just written (by the linker, or cp) showed about 2 MiB more code pages in every service than the
same file read back from disk, measured on the release build idle: most likely the large page-cache
folios its writes made, which the kernel maps whole into each process that touches them. Dropping
the pages makes runs comparable, whatever wrote the file last.

Usage: scripts/bench/memory.py [--short] [--binary PATH] [--json FILE] [--speakers N]
Exits non-zero only when the benchmark could not run (the fleet did not start, a service died).
"""
import argparse
import json
import os
import re
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "stack"))
from nativefleet import Failure, Fleet, get_json, request  # noqa: E402

MIB = 1024 * 1024
IDLE_GOAL_MIB = 30
FLEET_GOAL_MIB = 400
MAPPING = re.compile(r"^([0-9a-f]+)-([0-9a-f]+) (\S+) \S+ \S+ \S+\s*(.*)$")
ARENA_KIB = 64 * 1024  # glibc reserves each secondary malloc arena as a 64 MiB heap


def mappings(pid):
    """[(start, end, perms, name, {field: kB})] from /proc/<pid>/smaps."""
    result = []
    with open(f"/proc/{pid}/smaps") as f:
        for line in f:
            m = MAPPING.match(line)
            if m:
                fields = {}
                result.append((int(m[1], 16), int(m[2], 16), m[3], m[4].strip(), fields))
            elif result:
                key, _, value = line.partition(":")
                parts = value.split()
                if len(parts) == 2 and parts[1] == "kB":
                    fields[key] = int(parts[0])
    return result


def kind(name, binary):
    if name and os.path.realpath(name) == binary:
        return "binary"
    if "/swift/" in name or "libdispatch" in name or "libBlocksRuntime" in name:
        return "swift_libs"
    if "flite" in name or "pocketsphinx" in name or "sphinxbase" in name:
        return "speech"
    if ".so" in name:
        return "other_libs"
    if name in ("", "[heap]", "[stack]"):
        return "anon"
    return "other_files"


def breakdown(pid, binary):
    """Where one process's memory goes, in bytes (RSS per kind of mapping, PSS, private), plus its
    threads and malloc arenas."""
    maps = mappings(pid)
    out = {"rss": 0, "pss": 0, "private": 0, "binary_text": 0, "binary_data": 0, "swift_libs": 0,
           "speech": 0, "other_libs": 0, "anon": 0, "other_files": 0, "stack_reserved": 0,
           "stacks_resident": 0, "arenas": 0, "arenas_resident": 0}
    for i, (start, end, perms, name, f) in enumerate(maps):
        rss, size_kib = f.get("Rss", 0) * 1024, (end - start) // 1024
        out["rss"] += rss
        out["pss"] += f.get("Pss", 0) * 1024
        out["private"] += (f.get("Private_Clean", 0) + f.get("Private_Dirty", 0)) * 1024
        k = kind(name, binary)
        if k == "binary":
            out["binary_text" if "x" in perms else "binary_data"] += rss
        else:
            out[k] += rss
        if name == "" and perms == "rw-p":
            after = maps[i + 1] if i + 1 < len(maps) else None
            before = maps[i - 1] if i else None
            # A secondary arena: rw part + ---p rest of its 64 MiB reservation, 64 MiB aligned.
            if after and after[2] == "---p" and after[0] == end and \
                    (after[1] - start) // 1024 == ARENA_KIB and start % (ARENA_KIB * 1024) == 0:
                out["arenas"] += 1
                out["arenas_resident"] += rss
            # A thread stack: a guard page (---p) right below it.
            elif before and before[2] == "---p" and before[1] == start and before[3] == "" and \
                    (before[1] - before[0]) <= 64 * 1024 and size_kib >= 64:
                out["stack_reserved"] += size_kib * 1024
                out["stacks_resident"] += rss
    out["threads"] = len(os.listdir(f"/proc/{pid}/task"))
    # Shared libraries mapped: each costs its relocated data privately, and its code pages touched.
    out["libraries"] = len({name for _, _, _, name, _ in maps if ".so" in name and kind(name, binary) != "binary"})
    return out


def drop_page_cache(path):
    """Asks the kernel to forget the file's cached pages (clean ones; pages a running process maps
    stay), so the fleet reads its binary from disk as after a reboot."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.posix_fadvise(fd, 0, 0, os.POSIX_FADV_DONTNEED)
    finally:
        os.close(fd)


def sample(fleet, binary):
    result = {}
    for service in fleet.ports:
        pid = fleet.child_pid(service)
        if pid is None:
            raise Failure(f"{service} is not running:\n{fleet.tail()}")
        result[service] = breakdown(pid, binary)
    return result


def mib(value):
    return f"{value / MIB:6.1f}"


def print_table(figures):
    print(f"{'service':<22}{'RSS':>7}{'PSS':>7}{'priv':>7} | {'bin-txt':>7}{'bin-dat':>7}{'swift':>7}"
          f"{'speech':>7}{'libs':>7}{'anon':>7} |{'thr':>4}{'arenas':>7}{'ar-res':>7}{'stk-res':>8}")
    for name, f in figures.items():
        print(f"{name:<22}{mib(f['rss'])} {mib(f['pss'])} {mib(f['private'])} | {mib(f['binary_text'])} "
              f"{mib(f['binary_data'])} {mib(f['swift_libs'])} {mib(f['speech'])} "
              f"{mib(f['other_libs'] + f['other_files'])} {mib(f['anon'])} |{f['threads']:>4}{f['arenas']:>7}"
              f" {mib(f['arenas_resident'])}  {mib(f['stacks_resident'])}")
    print("  (MiB; priv = pages only this process maps; bin-txt/bin-dat = the audio-fleet binary's code and"
          " data pages; swift = Swift runtime and Foundation; anon = heap, arenas, stacks)")


def totals(figures):
    return {"rss": sum(f["rss"] for f in figures.values()), "pss": sum(f["pss"] for f in figures.values())}


def goal(met):
    return "met" if met else "missed"


def largest(fleet, binary, samples, interval):
    """Each service's sample with the largest RSS of `samples` taken `interval` seconds apart."""
    worst = {}
    for i in range(samples):
        if i:
            time.sleep(interval)
        for name, f in sample(fleet, binary).items():
            if name not in worst or f["rss"] > worst[name]["rss"]:
                worst[name] = f
    return worst


def idle_phase(fleet, binary, settle):
    print(f"memory: idle fleet (0 speakers), {settle} s after ready")
    time.sleep(settle)
    idle = largest(fleet, binary, 1, 0)
    print_table(idle)
    t = totals(idle)
    worst = max(f["rss"] for f in idle.values())
    print(f"idle fleet: RSS sum {t['rss'] / MIB:.0f} MiB, PSS sum {t['pss'] / MIB:.0f} MiB "
          "(RSS counts the shared binary and library pages once per service; PSS shares them out)")
    print(f"goal: every service <= {IDLE_GOAL_MIB} MiB RSS idle: {goal(worst <= IDLE_GOAL_MIB * MIB)} "
          f"(largest {worst / MIB:.1f} MiB)")
    libraries = sorted({f["libraries"] for f in idle.values()})
    print(f"shared libraries mapped per service: {libraries[0]}-{libraries[-1]}")
    return {"services": idle, **t, "largest_rss": worst}


def load_phase(fleet, binary, speakers, warmup, samples, interval):
    status, _, body = request("PUT", fleet.url("discord") + "/voice/load", {"speakers": speakers})
    if status != 200:
        raise Failure(f"PUT /voice/load answered {status}: {body[:200]!r}")
    print(f"\nmemory: {speakers} speakers, {warmup} s warm-up, largest of {samples} samples {interval} s apart")
    time.sleep(warmup)
    load = largest(fleet, binary, samples, interval)
    status = get_json(fleet.url("discord") + "/voice/status")
    print_table(load)
    t = totals(load)
    print(f"fleet at {speakers} speakers: RSS sum {t['rss'] / MIB:.0f} MiB, PSS sum {t['pss'] / MIB:.0f} MiB"
          f" (bridge: {status.get('turns', '?')} turns)")
    judged = speakers >= 100
    print(f"goal: fleet < {FLEET_GOAL_MIB} MiB at 100 speakers (RSS sum): "
          f"{goal(t['rss'] < FLEET_GOAL_MIB * MIB) if judged else 'not judged (fewer speakers)'}; "
          f"PSS sum: {goal(t['pss'] < FLEET_GOAL_MIB * MIB) if judged else '-'}")
    return {"services": load, **t, "bridge_turns": status.get("turns"), "bridge_outcomes": status.get("outcomes")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--short", action="store_true", help="10 speakers, 15 s: proves the benchmark runs")
    ap.add_argument("--binary", default=os.path.join(ROOT, ".build", "debug", "audio-fleet"))
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--speakers", type=int, help="speakers in the load phase (100; --short: 10)")
    ap.add_argument("--real-stt", action="store_true", help="pocketsphinx and the latency model in the load phase")
    ap.add_argument("--env", action="append", default=[], metavar="KEY=VALUE",
                    help="added to both fleets' environment (e.g. MALLOC_ARENA_MAX=8 to compare)")
    ap.add_argument("--load-only", action="store_true", help="skip the idle phase")
    ap.add_argument("--idle-only", action="store_true", help="skip the load phase")
    ap.add_argument("--keep-page-cache", action="store_true",
                    help="do not drop the binary's cached pages first (see the top of this file)")
    args = ap.parse_args()
    binary = os.path.realpath(args.binary)
    if not os.access(binary, os.X_OK):
        print(f"memory: no binary at {binary}", file=sys.stderr)
        return 2
    speakers = args.speakers or (10 if args.short else 100)
    # Idle is sampled well past start-up and the first heap trim (30 s after start) in full mode.
    settle, warmup, samples, interval = (3, 6, 2, 4) if args.short else (60, 60, 6, 10)
    report = {"binary": binary, "speakers": speakers}
    env = dict(item.split("=", 1) for item in args.env)
    env["DISCORD_SPEAKERS"] = "0"
    if not args.real_stt:
        env.setdefault("STT_ENGINE", "reference")
        env.setdefault("LATENCY_SCALE", "0")
    if not args.keep_page_cache:
        drop_page_cache(binary)
    fleet = Fleet(binary, tempfile.mkdtemp(prefix="bench-memory-"), env=env)
    try:
        fleet.wait_ready(180)
        if not args.load_only:
            report["idle"] = idle_phase(fleet, binary, settle)
        if not args.idle_only:
            report["load"] = load_phase(fleet, binary, speakers, warmup, samples, interval)
    except Failure as error:
        print(f"memory: could not run: {error}", file=sys.stderr)
        return 1
    finally:
        fleet.stop()
    if args.json:
        with open(args.json, "w") as f:
            json.dump(report, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
