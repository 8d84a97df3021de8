"""Helpers shared by the scripts in scripts/stack (standard library + PyYAML only)."""
import os
import re
import sys

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def path(*parts):
    return os.path.join(ROOT, *parts)


def load_yaml(p):
    try:
        import yaml
    except ImportError:
        sys.exit("PyYAML is missing: python3 -m pip install pyyaml (or apt-get install python3-yaml)")
    with open(p) as f:
        return yaml.safe_load(f)


class Report:
    """Counts checks and prints every failure (and, with STACK_CHECK_VERBOSE=1, every pass)."""

    def __init__(self, name):
        self.name = name
        self.passed = 0
        self.failed = 0
        self.verbose = os.environ.get("STACK_CHECK_VERBOSE", "") not in ("", "0")

    def check(self, ok, message, detail=None):
        if ok:
            self.passed += 1
            if self.verbose:
                print(f"  PASS  {self.name}: {message}")
        else:
            self.failed += 1
            print(f"  FAIL  {self.name}: {message}" + (f" — {detail}" if detail else ""))
        return ok

    def note(self, message):
        print(f"  NOTE  {self.name}: {message}")

    def exit(self):
        print(f"{self.name}: {self.passed} passed, {self.failed} failed")
        sys.exit(1 if self.failed else 0)


_UNITS = {"": 1, "b": 1, "k": 1024, "kb": 1024, "m": 1024 ** 2, "mb": 1024 ** 2,
          "g": 1024 ** 3, "gb": 1024 ** 3}


def parse_bytes(value):
    """Compose byte values: an integer (bytes) or a string like 128m, 1g, 512MB (binary units)."""
    if isinstance(value, int):
        return value
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([kmgKMG]?[bB]?)\s*", str(value))
    if not m:
        raise ValueError(f"not a byte value: {value!r}")
    return int(float(m.group(1)) * _UNITS[m.group(2).lower()])


def compose_image_version(compose, service):
    image = compose["services"][service]["image"]
    return image.rsplit(":", 1)[1] if ":" in image else None
