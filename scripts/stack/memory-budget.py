#!/usr/bin/env python3
"""Prints every service's memory limit from docker-compose.yml and the total; exits 1 when the
total is over the budget (3.5 GiB) or a service has no limit. The one check of the memory budget
(`make stack-check` runs it; `make budget` prints it).

Limits are `mem_limit` (docker-compose 1.29 ignores deploy.resources outside swarm mode, see the
compose file's header), so a service with only deploy.resources counts as having none.

Usage: scripts/stack/memory-budget.py [compose-file] [--budget-mib N]
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import load_yaml, parse_bytes, path  # noqa: E402

MIB = 1024 * 1024


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("compose", nargs="?", default=path("docker-compose.yml"))
    ap.add_argument("--budget-mib", type=int, default=3584, help="3.5 GiB by default")
    args = ap.parse_args()

    services = load_yaml(args.compose)["services"]
    total, missing = 0, []
    print(f"{'service':<24} {'memory limit':>12} {'cpus':>6}")
    for name, svc in services.items():
        limit = parse_bytes(svc["mem_limit"]) if "mem_limit" in svc else None
        cpus = svc.get("cpus", "-")
        if limit is None:
            missing.append(name)
            print(f"{name:<24} {'MISSING':>12} {cpus!s:>6}")
            continue
        total += limit
        print(f"{name:<24} {limit / MIB:>9.0f} MiB {cpus!s:>6}")
    budget = args.budget_mib * MIB
    print(f"{'total':<24} {total / MIB:>9.0f} MiB  = {total / 1024 ** 3:.2f} GiB "
          f"(budget {budget / 1024 ** 3:.2f} GiB, {len(services)} services)")
    if missing:
        print(f"memory-budget: FAIL — no memory limit on: {', '.join(missing)}")
        sys.exit(1)
    if total > budget:
        print(f"memory-budget: FAIL — {total / MIB:.0f} MiB is over the {args.budget_mib} MiB budget")
        sys.exit(1)
    print(f"memory-budget: OK — {total / MIB:.0f} MiB of {args.budget_mib} MiB "
          f"({(budget - total) / MIB:.0f} MiB to spare)")


if __name__ == "__main__":
    main()
