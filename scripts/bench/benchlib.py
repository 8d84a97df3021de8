"""Small helpers the benchmark scripts in scripts/bench share: CPU seconds from /proc,
percentiles, the goal line and the JSON report. Standard library only."""
import json
import os
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
STACK = os.path.join(ROOT, "scripts", "stack")
if STACK not in sys.path:
    sys.path.insert(0, STACK)

CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
DEBUG_BINARY = os.path.join(ROOT, ".build", "debug", "audio-fleet")


def cpu_seconds(pid):
    """User + system CPU seconds of a process (all its threads), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, ValueError, IndexError):
        return None


def children(parent):
    """The pids whose parent is `parent`."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                if int(f.read().rsplit(")", 1)[1].split()[1]) == parent:
                    found.append(int(entry))
        except (OSError, ValueError, IndexError):
            continue
    return found


def fleet_cpu(parent):
    """{pid: CPU seconds} of `audio-fleet up` (`parent`) and each of its children (the services)."""
    usage = {}
    for pid in [parent] + children(parent):
        seconds = cpu_seconds(pid)
        if seconds is not None:
            usage[pid] = seconds
    return usage


def service_of(pid):
    """`stt` for an `audio-fleet serve stt` process, `up` for `audio-fleet up`, else the program name."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            argv = [part.decode(errors="replace") for part in f.read().split(b"\0")]
    except OSError:
        return "?"
    if len(argv) > 2 and argv[1] == "serve":
        return argv[2]
    return argv[1] if len(argv) > 1 and argv[1] == "up" else os.path.basename(argv[0])


def cpu_delta(before, after):
    """CPU seconds spent between two fleet_cpu() readings, by processes present in both
    (a process that restarted in between is left out rather than counted from zero)."""
    return sum(after[pid] - before[pid] for pid in after if pid in before)


def percentile(values, fraction):
    """The `fraction` (0..1) percentile by linear interpolation; None for no values."""
    values = sorted(values)
    if not values:
        return None
    position = (len(values) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(values) - 1)
    return values[low] + (values[high] - values[low]) * (position - low)


def median(values):
    return statistics.median(values) if values else None


def goal_line(name, value, goal, unit="", lower_is_better=True, digits=2):
    """'name: 1.23 unit (goal <= 1.3 unit: met)': a figure and whether it meets its goal."""
    if value is None:
        return f"{name}: no figure (goal {'<=' if lower_is_better else '>='} {goal}{unit})"
    met = value <= goal if lower_is_better else value >= goal
    return (f"{name}: {value:.{digits}f}{unit} (goal {'<=' if lower_is_better else '>='} {goal}{unit}: "
            f"{'met' if met else 'missed'})")


def write_json(path, report):
    """Writes `report` (a dict) as indented JSON when a path was given."""
    if not path:
        return
    with open(path, "w") as f:
        json.dump(report, f, indent=2, sort_keys=True)
        f.write("\n")


def parse_metrics(text):
    """Prometheus text -> {(name, frozenset(labels)): value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        head, _, value = line.rpartition(" ")
        name, labels = head, {}
        if "{" in head:
            name, rest = head.split("{", 1)
            for part in rest.rstrip("}").split(","):
                if "=" in part:
                    key, raw = part.split("=", 1)
                    labels[key.strip()] = raw.strip().strip('"')
        try:
            samples[(name, frozenset(labels.items()))] = float(value)
        except ValueError:
            continue
    return samples


def metric_sum(samples, name, **match):
    """The sum of a metric's series whose labels include `match`."""
    return sum(v for (n, labels), v in samples.items()
               if n == name and all((k, str(want)) in labels for k, want in match.items()))
