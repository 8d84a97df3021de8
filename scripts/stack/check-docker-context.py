#!/usr/bin/env python3
"""The image's build context has what its Dockerfile copies, and builds the binary `make build` does.

There is no Docker engine here to build the image, so this reads what the engine would: the
build-stage COPY instructions of the Dockerfile (dockerfile-parse) and .dockerignore, matched as the
Docker client matches it (docker-py's PatternMatcher: last pattern wins, `!` re-includes).

Checks:
  - every path a build-stage COPY names exists in the repository (git's files) and none of its files
    is left out of the context by .dockerignore; a glob source (`Package.resolve[d]`) may match nothing;
  - the image's release build runs scripts/release-build.sh, as `make build` does, and every file
    that script names (the link order and linker script) is copied into the build stage.
Then it proves it can fail: .dockerignore without its `!config/build` line must be reported.

Runs with the Python of var/stack-venv, where checkov brings docker-py and dockerfile-parse.
Usage: scripts/stack/check-docker-context.py [--no-self-test]
"""
import os
import re
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import Report, path  # noqa: E402

try:
    from docker.utils.build import PatternMatcher
    from dockerfile_parse import DockerfileParser
except ImportError:
    sys.exit("docker-py and dockerfile-parse are missing: run with var/stack-venv/bin/python "
             "(scripts/stack/ensure-tools.sh check installs them with checkov)")

GLOB = re.compile(r"[*?\[]")


def ignore_patterns(text):
    """.dockerignore lines as the Docker client reads them: comments and blanks dropped."""
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def build_stage_copies(dockerfile_text):
    """(sources, destination) of each COPY in the first stage that copies from the context."""
    parser = DockerfileParser(fileobj=None)
    parser.content = dockerfile_text
    copies, stage = [], 0
    for instruction in parser.structure:
        if instruction["instruction"] == "FROM":
            stage += 1
        elif instruction["instruction"] == "COPY" and stage == 1:
            words = [w for w in instruction["value"].split() if not w.startswith("--")]
            if "--from" not in instruction["value"]:
                copies.append((words[:-1], words[-1]))
    return copies


def repository_files():
    listed = subprocess.run(["git", "ls-files"], cwd=path(), capture_output=True, text=True, check=True)
    return [name for name in listed.stdout.splitlines() if os.path.exists(path(name))]


def check(report, dockerfile_text, ignore_text, files):
    matcher = PatternMatcher(ignore_patterns(ignore_text))
    copies = build_stage_copies(dockerfile_text)
    report.check(bool(copies), "the Dockerfile's build stage copies from the context")
    copied = []
    for sources, _ in copies:
        for source in sources:
            under = [f for f in files if f == source or f.startswith(source.rstrip("/") + "/")]
            if GLOB.search(source):
                continue  # optional by design (Package.resolved is git-ignored)
            report.check(bool(under), f"COPY {source}: exists in the repository")
            left_out = [f for f in under if matcher.matches(f)]
            report.check(not left_out, f"COPY {source}: in the build context",
                         f".dockerignore leaves out {', '.join(left_out[:3])}")
            copied.extend(f for f in under if f not in left_out)
    build_runs = [line for line in dockerfile_text.splitlines() if "release-build.sh" in line and "COPY" not in line]
    report.check(bool(build_runs), "the image builds with scripts/release-build.sh, as `make build` does")
    with open(path("scripts", "release-build.sh")) as f:
        named = sorted(set(re.findall(r'"(config/build/[^"$]+)"', f.read())))
    report.check(bool(named), "scripts/release-build.sh names its link inputs under config/build")
    for name in named:
        report.check(name in copied, f"{name}: copied into the build stage")


def main():
    report = Report("docker context")
    with open(path("Dockerfile")) as f:
        dockerfile_text = f.read()
    with open(path(".dockerignore")) as f:
        ignore_text = f.read()
    files = repository_files()
    with open(path("Makefile")) as f:
        report.check("scripts/release-build.sh" in f.read(), "`make build` builds with scripts/release-build.sh")
    check(report, dockerfile_text, ignore_text, files)
    if "--no-self-test" not in sys.argv:
        mutated = Report("docker context (mutated: no !config/build)")
        mutated.verbose = False
        print("  (self-test: the next FAIL lines are expected)")
        check(mutated, dockerfile_text, ignore_text.replace("!config/build\n", ""), files)
        report.check(mutated.failed > 0, "the check fails when .dockerignore leaves config/build out")
    report.exit()


if __name__ == "__main__":
    main()
