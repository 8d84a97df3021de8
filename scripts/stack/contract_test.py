#!/usr/bin/env python3
"""Every service against its own OpenAPI document, with schemathesis: `make contract-test` (full) and
`make contract-test-short` (part of `make test`).

Starts `audio-fleet up` on free ports (nativefleet.Fleet) with LATENCY_SCALE=0, so the stubs answer at
once, and DISCORD_SPEAKERS=0, so no simulated speaker's turns run beside the fuzzing. For each of the
nine services it fetches the document the service serves at /openapi.yaml, checks it is the
repository's services/<name>/openapi.yaml, and runs schemathesis against it (examples, coverage and
fuzzing phases, positive and negative data) with these checks:

  not_a_server_error            no request, however malformed, gets a 5xx
  status_code_conformance       every status answered is one the document lists for the operation
  content_type_conformance      every answer's Content-Type is one the document lists for its status
  response_headers_conformance  headers the document marks required are there and match their schema
  response_schema_conformance   every JSON answer matches its schema (the fleet's error shape included)

Afterwards every service must still be live, with the same process as before (the supervisor
restarting a crashed child would otherwise hide the crash).

Operations that change the fleet's shared state are not fuzzed with the rest: discord's PUT
/voice/load and testing-ui's PUT /load (speakers would start talking and fill the run with turns),
and testing-ui's PUT /scenarios/{key} and POST /scenarios/reset (a fault scenario such as ttsFailure
or sttFailure makes other services answer 500 by design, which would fail their run). They are
fuzzed last, on their own, and the state is then restored (POST /scenarios/reset, PUT /voice/load
{"speakers": 0}) and checked.

Audio bodies are sent as raw bytes through contract_hooks.py (schemathesis has no audio serializer).

Prints, per service, the operations under contract and the test cases schemathesis ran, and the totals.

Usage: contract_test.py --binary .build/debug/audio-fleet [--examples 100] [--services stt,tts-bark]
"""
import argparse
import collections
import concurrent.futures
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import yaml

sys.path.insert(0, os.path.dirname(__file__))
from nativefleet import Failure, Fleet, request  # noqa: E402

PROGRAM = "contract-test"
HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.abspath(os.path.join(HERE, "..", ".."))
SCHEMATHESIS = os.path.join(ROOT, "var", "stack-venv", "bin", "schemathesis")
CHECKS = ("not_a_server_error,status_code_conformance,content_type_conformance,"
          "response_headers_conformance,response_schema_conformance")
SERVICES = ["guardrails", "llm-flan", "tts-bark", "audio-processor", "stt", "orchestrator", "discord",
            "testing-ui", "monitoring-dashboard"]
# (service, METHOD, path): fuzzed in the final, state-changing pass only (see the docstring).
STATEFUL = {("discord", "PUT", "/voice/load"), ("testing-ui", "PUT", "/load"),
            ("testing-ui", "PUT", "/scenarios/{key}"), ("testing-ui", "POST", "/scenarios/reset")}


def say(message):
    print(f"{PROGRAM}: {message}", flush=True)


def operations(document):
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    return [(method.upper(), path) for path, item in document["paths"].items() for method in item if method in methods]


def schemathesis(fleet, service, schema_file, args, tmp, label):
    """Runs schemathesis on `schema_file` against `service`; -> (operations, cases, answers, failures or None)."""
    report = os.path.join(tmp, f"{service}-{label}.ndjson")
    command = [SCHEMATHESIS, "run", schema_file, "--url", fleet.url(service), "--checks", CHECKS,
               "--phases", "examples,coverage,fuzzing", "--mode", "all", "--report", "ndjson",
               "--report-ndjson-path", report, "--request-timeout", "30", "--no-color",
               "--suppress-health-check", "all", "--warnings", "off", *args]
    environment = dict(os.environ, SCHEMATHESIS_HOOKS="contract_hooks",
                       PYTHONPATH=os.pathsep.join(filter(None, [HERE, os.environ.get("PYTHONPATH")])))
    result = subprocess.run(command, capture_output=True, text=True, cwd=tmp, env=environment)
    ops, cases, answers = count(report)
    failed = result.stdout[-6000:] + result.stderr[-2000:] if result.returncode != 0 else None
    return ops, cases, answers, failed


def count(report):
    """Operations, test cases and answers by status class from schemathesis's NDJSON event stream."""
    operations, cases, answers = set(), 0, collections.Counter()
    if not os.path.exists(report):
        return 0, 0, answers
    with open(report) as events:
        for line in events:
            body = json.loads(line).get("ScenarioFinished")
            if body is None:
                continue
            recorder = body.get("recorder", {})
            if recorder.get("label"):
                operations.add(recorder["label"])
            cases += len(recorder.get("cases", {}))
            for interaction in (recorder.get("interactions") or {}).values():
                status = (interaction.get("response") or {}).get("status_code")
                if status:
                    answers[f"{status // 100}xx"] += 1
    return len(operations), cases, answers


def shares(answers):
    return ", ".join(f"{kind} {answers[kind]}" for kind in sorted(answers)) or "no answers"


def restore(fleet):
    status, _, body = request("POST", fleet.url("testing-ui") + "/scenarios/reset", timeout=30)
    if status != 200:
        raise Failure(f"POST /scenarios/reset answered {status}: {body[:200]!r}")
    status, _, body = request("PUT", fleet.url("discord") + "/voice/load", {"speakers": 0}, timeout=30)
    if status != 200 or json.loads(body)["speakers"] != 0:
        raise Failure(f"PUT /voice/load {{speakers: 0}} answered {status}: {body[:200]!r}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", required=True)
    parser.add_argument("--examples", type=int, default=100, help="schemathesis --max-examples per operation")
    # One worker: schemathesis's threads race in CPython 3.11's ast.parse (hypothesis describes
    # filters by parsing their source), which aborts a phase with "AST constructor recursion depth mismatch".
    parser.add_argument("--workers", default="1")
    parser.add_argument("--parallel", type=int, default=min(len(SERVICES), os.cpu_count() or 1),
                        help="services fuzzed at once (default: one per core)")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--services", default=",".join(SERVICES))
    parser.add_argument("--timeout", type=float, default=120, help="seconds for the fleet to become ready")
    options = parser.parse_args()
    services = [name for name in options.services.split(",") if name]
    tmp = tempfile.mkdtemp(prefix="contract-test-")
    started = time.monotonic()
    fleet = Fleet(os.path.abspath(options.binary), tmp, env={"LATENCY_SCALE": "0", "DISCORD_SPEAKERS": "0"})
    failures = []
    totals = [0, 0]
    statuses = collections.Counter()
    try:
        fleet.wait_ready(timeout=options.timeout)
        pids = {name: fleet.child_pid(name) for name in SERVICES}
        say(f"fleet ready at port offset {fleet.offset} in {time.monotonic() - started:.0f} s")
        common = ["--max-examples", str(options.examples), "--seed", str(options.seed), "--workers", options.workers]
        stateful, runs = [], []
        for service in services:
            status, _, served = request("GET", fleet.url(service) + "/openapi.yaml", timeout=10)
            with open(os.path.join(ROOT, "services", service, "openapi.yaml"), "rb") as f:
                kept = f.read()
            if status != 200 or served != kept:
                failures.append(f"{service}: GET /openapi.yaml ({status}) is not services/{service}/openapi.yaml")
                continue
            schema_file = os.path.join(tmp, f"{service}.openapi.yaml")
            with open(schema_file, "wb") as f:
                f.write(served)
            document = yaml.safe_load(served)
            excluded = []
            for method, path in operations(document):
                if (service, method, path) in STATEFUL:
                    operation_id = document["paths"][path][method.lower()]["operationId"]
                    excluded += ["--exclude-operation-id", operation_id]
                    stateful.append((service, schema_file, operation_id))
            runs.append((service, schema_file, excluded))

        def fuzz(run):
            service, schema_file, excluded = run
            begun = time.monotonic()
            return (service, len(excluded) // 2, time.monotonic(),
                    begun, *schemathesis(fleet, service, schema_file, common + excluded, tmp, "main"))

        # The services are fuzzed side by side (each schemathesis is its own process).
        with concurrent.futures.ThreadPoolExecutor(max_workers=options.parallel) as pool:
            for future in concurrent.futures.as_completed([pool.submit(fuzz, run) for run in runs]):
                service, held, _, begun, ops, cases, answers, failed = future.result()
                totals[0] += ops
                totals[1] += cases
                statuses += answers
                say(f"{service}: {ops} operations, {cases} cases in {time.monotonic() - begun:.0f} s ({shares(answers)})"
                    + (f" ({held} more in the state pass)" if held else "") + (" FAILED" if failed else ""))
                if failed:
                    failures.append(f"{service}:\n{failed}")
        for service, schema_file, operation_id in stateful:
            begun = time.monotonic()
            ops, cases, answers, failed = schemathesis(fleet, service, schema_file,
                                              common + ["--include-operation-id", operation_id],
                                              tmp, operation_id)
            totals[0] += ops
            totals[1] += cases
            statuses += answers
            say(f"{service} {operation_id}: {cases} cases in {time.monotonic() - begun:.0f} s, then restored"
                + (" FAILED" if failed else ""))
            restore(fleet)
            if failed:
                failures.append(f"{service} {operation_id}:\n{failed}")
        for name in SERVICES:
            status = request("GET", fleet.url(name) + "/health/live", timeout=10)[0]
            if status != 200 or fleet.child_pid(name) != pids[name]:
                failures.append(f"{name} fell over during the run (live: {status}, pid {pids[name]} -> {fleet.child_pid(name)})")
        if fleet.process.poll() is not None:
            failures.append(f"`audio-fleet up` exited ({fleet.process.returncode})")
    except Failure as failure:
        failures.append(str(failure))
    finally:
        fleet.stop()
    say(f"{totals[0]} operations under contract, {totals[1]} schemathesis cases ({shares(statuses)}), "
        f"{time.monotonic() - started:.0f} s")
    if failures:
        for failure in failures:
            print(f"{PROGRAM}: FAIL {failure}", file=sys.stderr)
        print(f"{PROGRAM}: fleet logs kept in {tmp}", file=sys.stderr)
        return 1
    say("ok  every service answered within its contract and none fell over")
    shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
