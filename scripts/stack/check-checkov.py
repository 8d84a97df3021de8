#!/usr/bin/env python3
"""checkov (PyPI, pinned in ensure-tools.sh, in var/stack-venv) over what the stack deploys, offline.

Rule: no failed check at all. Offline (no Prisma Cloud API key) checkov reports no severity for its
checks, so "no high-severity finding" cannot be read off its output; every failed check is either
fixed or skipped where it applies, with its reason next to it: a `checkov.io/skipN: CKV_...=reason`
annotation on the Kubernetes object, a `# checkov:skip=CKV_...:reason` line in the Dockerfile. This
script fails on any failed check, on a skip without a reason, and on a scan that found nothing to
check (a wrong path would otherwise pass); it prints every skip with its reason.

Scans:
  kubernetes  the rendered manifests of every overlay (scripts/stack/check-kubernetes.py --render
              var/kubernetes writes them; checkov's kustomize framework would need a kustomize binary)
  dockerfile  the Dockerfile
  secrets     docker-compose.yml, .env.common, deploy/ and config/fleet-services.yaml: checkov has no
              compose framework; the compose file's hardening is checked by check-compose.py
              (non-root, read-only root, tmpfs, pinned images, published ports) and this scan looks
              for credentials committed in it and in the Kubernetes and Helm files. The secrets
              framework lists only what it finds, so the scan also reads a canary it writes to
              var/checkov-canary (a made-up AWS key): the canary must be found, and nothing else.

Usage: scripts/stack/check-checkov.py kubernetes|dockerfile|secrets
"""
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import ROOT, path  # noqa: E402

CHECKOV = path("var", "stack-venv", "bin", "checkov")
SCANS = {
    "kubernetes": ["--framework", "kubernetes", "-d", "var/kubernetes"],
    "dockerfile": ["--framework", "dockerfile", "-f", "Dockerfile"],
    "secrets": ["--framework", "secrets", "-f", "docker-compose.yml", "-f", ".env.common",
                "-f", "config/fleet-services.yaml", "-d", "deploy", "-f", "var/checkov-canary/canary.yml"],
}
# AWS's documented example secret key: checkov's CKV_SECRET_2 recognises it.
CANARY = "credentials:\n  AWS_SECRET_ACCESS_KEY: wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY\n"


def main():
    if len(sys.argv) != 2 or sys.argv[1] not in SCANS:
        sys.exit(__doc__.split("\n\n")[-1])
    scan = sys.argv[1]
    if scan == "kubernetes" and not os.path.isdir(path("var", "kubernetes")):
        sys.exit("var/kubernetes is missing: run scripts/stack/check-kubernetes.py --render var/kubernetes first")
    if scan == "secrets":
        os.makedirs(path("var", "checkov-canary"), exist_ok=True)
        with open(path("var", "checkov-canary", "canary.yml"), "w") as f:
            f.write(CANARY)
    # --skip-download: no policy metadata from the network (the machine may be offline; nothing it
    # would bring changes which checks run).
    cmd = [CHECKOV, *SCANS[scan], "--output", "json", "--skip-download"]
    p = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=600)
    try:
        out = json.loads(p.stdout)
    except json.JSONDecodeError:
        print(p.stdout[-2000:], p.stderr[-2000:])
        sys.exit(f"checkov {scan}: no JSON report (exit {p.returncode})")
    reports = out if isinstance(out, list) else [out]
    passed = failed = skipped = 0
    problems, skips, canary = [], {}, 0
    for rep in reports:
        res = rep.get("results") or {}
        passed += len(res.get("passed_checks") or [])
        for f in res.get("failed_checks") or []:
            if scan == "secrets" and "checkov-canary" in (f.get("file_path") or ""):
                canary += 1
                continue
            failed += 1
            problems.append(f"FAIL  {f['check_id']} {f.get('check_name')}: {f.get('resource')} ({f.get('file_path')})")
        for s in res.get("skipped_checks") or []:
            skipped += 1
            reason = ((s.get("check_result") or {}).get("suppress_comment") or "").strip()
            if not reason or reason.lower() == "no comment provided":
                failed += 1
                problems.append(f"FAIL  {s['check_id']} skipped without a reason: {s.get('resource')}")
            else:
                skips.setdefault((s["check_id"], reason), set()).add(s.get("resource"))
    # One line per skip and reason (the same object appears once per overlay).
    for (check_id, reason), resources in sorted(skips.items()):
        names = sorted({r.rsplit(".", 1)[-1] or r.rstrip(".") for r in resources})
        print(f"  skip  {check_id} on {', '.join(names)}: {reason}")
    for line in problems:
        print(f"  {line}")
    if scan == "secrets":
        # The scan works only if it finds the canary; it then counts as the scan's one pass.
        empty = canary == 0
        passed += canary
    else:
        # checkov's report for a scan that found no file to check has no results at all.
        empty = passed + failed + skipped == 0
    if empty:
        print(f"  FAIL  checkov {scan}: nothing was checked" + (" (the canary secret was not found)" if scan == "secrets" else ""))
    print(f"checkov-{scan}: {passed} passed, {failed} failed, {skipped} skipped")
    sys.exit(1 if failed or empty else 0)


if __name__ == "__main__":
    main()
