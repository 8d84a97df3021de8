#!/usr/bin/env python3
"""Where a cold build's time goes: reads a `swift build` log whose lines carry a leading
"<seconds since start>" stamp (scripts/build-timing.py --run writes one) and shares the wall
clock out by package and by module.

Each progress line ("[n/m] Compiling Module file.swift", "Emitting module X", "Linking …") is
printed when its job finishes, so the time since the previous line is charged to that line's
module. With two cores two jobs overlap, so a module's share is the wall time the build spent
waiting on it: the shares add up to the whole build, which is what a user waits for.

Usage:
  scripts/build-timing.py --run LOG -- swift build --build-tests   # build, stamping each line
  scripts/build-timing.py LOG [--top 25]                          # the table
"""
import argparse, collections, os, re, subprocess, sys, time

LINE = re.compile(r"^\s*(?P<t>\d+\.\d+) (?P<text>.*)$")
PATTERNS = [
    re.compile(r"\] Compiling (?P<m>[A-Za-z_][\w]*) "),
    re.compile(r"\] Emitting module (?P<m>[A-Za-z_][\w]*)"),
    re.compile(r"\] Wrapping AST for (?P<m>[A-Za-z_][\w]*)"),
    re.compile(r"\] Linking (?P<m>[\w.-]+)"),
]


def run(log, command):
    start = time.time()
    with open(log, "w") as out:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for line in process.stdout:
            stamped = f"{time.time() - start:8.2f} {line}"
            out.write(stamped)
            out.flush()
            sys.stdout.write(stamped)
        code = process.wait()
        out.write(f"{time.time() - start:8.2f} exit {code}\n")
    sys.exit(code)


C_FILE = re.compile(r"\] Compiling (?P<f>[\w+.-]+\.(?:c|cc|cpp|S))$")


def module_packages(root=".build/checkouts"):
    """Module name -> the package that declares it, and C source file name -> its module, from
    the checkouts' Sources/ folders (C files are logged by file name alone)."""
    owner, c_files = {}, {}
    if os.path.isdir(root):
        for package in os.listdir(root):
            # Target names from the manifest (a folder may differ: Sources/RopeModule is _RopeModule),
            # skipping `.product(name:, package:)` lines, which name other packages' products.
            manifest = os.path.join(root, package, "Package.swift")
            if os.path.isfile(manifest):
                in_product = False  # inside a `.product(` spread over lines
                for line in open(manifest, errors="replace"):
                    in_product = (in_product or ".product(" in line) and "package:" not in line
                    if not in_product and "package:" not in line:
                        for name in re.findall(r'name:\s*"([A-Za-z_]\w*)"', line):
                            owner.setdefault(name, package)
            sources = os.path.join(root, package, "Sources")
            if not os.path.isdir(sources):
                continue
            for module in os.listdir(sources):
                owner.setdefault(module, package)
                for _, _, files in os.walk(os.path.join(sources, module)):
                    for name in files:
                        if name.endswith((".c", ".cc", ".cpp", ".S")):
                            c_files.setdefault(name, module)
    return owner, c_files


def module_of(text, c_files):
    """The module a progress line belongs to, or None for other output."""
    found = C_FILE.search(text)
    if found:
        return c_files.get(found["f"], "(C, unknown module)")
    if "Compiling plugin" in text:
        return "(build plugins)"
    for pattern in PATTERNS:
        found = pattern.search(text)
        if found:
            return found["m"]
    return None


def package_of(module, owner, own):
    """The package a module's time is charged to: a dependency, this repository, or a phase."""
    if module in owner:
        return owner[module]
    if module in own or module.endswith(("Service", "Tests")):
        return "AudioFleet (this repo)"
    return module if module.startswith("(") else "(link)"


def table(log, top):
    owner, c_files = module_packages()
    own = {"AudioFleetCLI", "AudioFleetPackageTests"} | (set(os.listdir("Sources")) if os.path.isdir("Sources") else set())
    by_module, by_package = collections.Counter(), collections.Counter()
    previous = total = 0.0
    for raw in open(log):
        match = LINE.match(raw)
        if not match:
            continue
        now, text = float(match["t"]), match["text"]
        total = now
        if previous == 0.0 and ("Compiling" in text or "Emitting" in text):
            # Everything before the first compile job: resolving and checking out packages.
            by_module["(resolve)"] = by_package["(resolve packages)"] = now
            previous = now
        module = module_of(text, c_files)
        if module is None:
            continue
        package = package_of(module, owner, own)
        by_module[module] += now - previous
        by_package[package] += now - previous
        previous = now
    print(f"whole build: {total:.0f} s wall clock\n")
    print(f"{'package':40s} {'s':>6s} {'share':>6s}")
    for package, seconds in by_package.most_common():
        print(f"{package:40s} {seconds:6.0f} {100 * seconds / total:5.1f}%")
    print(f"\n{'module (top %d)' % top:40s} {'s':>6s}")
    for module, seconds in by_module.most_common(top):
        print(f"{module:40s} {seconds:6.0f}")


if __name__ == "__main__":
    if len(sys.argv) > 2 and sys.argv[1] == "--run":
        run(sys.argv[2], sys.argv[sys.argv.index("--") + 1:])
    parser = argparse.ArgumentParser()
    parser.add_argument("log")
    parser.add_argument("--top", type=int, default=25)
    args = parser.parse_args()
    table(args.log, args.top)
