#!/usr/bin/env python3
"""Sanity of the Grafana provisioning, without a Grafana:

  - datasources.yml: a default Prometheus, a Jaeger and a Loki datasource with fixed uids, not
    editable, exemplar links from Prometheus to the Jaeger uid, trace <-> logs links (Loki's derived
    field on trace_id to the Jaeger uid, Jaeger's tracesToLogsV2 to the Loki uid), URLs ($VAR, expanded
    as Grafana does) that are the compose services with docker-compose.yml's grafana environment and
    loopback addresses with scripts/native-backends.py's;
  - every datasource uid a provisioning file or dashboard refers to (datasourceUid of a link,
    sourceUID/targetUID of a correlation, a panel's, target's or variable's datasource) is provisioned;
  - dashboards.yml: a file provider on the mounted folder (the repo's
    folder natively) that keeps UI edits off the committed files (no overwrite, no deletion);
  - every dashboard is editable (users change it and "Save as" a copy);
  - every dashboard: valid JSON, unique uid (its `service` variable, which names metrics, is
    checked against the metric catalog by Tests/StackConfigTests);
  - every panel (rows excepted): a datasource whose uid is provisioned, at least one target,
    a unit in fieldConfig.defaults.unit, a gridPos; every Prometheus target has an expr and refId;
  - only defined or built-in $variables are used;
  - every LogQL target selects streams only by labels Loki really has (the set check-loki-labels.py
    derives from config/loki-config.yaml), and uses only defined variables;
  - every PromQL expression parses: each is written, variables substituted, into a throw-away rule
    file that `promtool check rules` parses with the real PromQL parser (Prometheus 2.42 here, so
    the queries also run on the Debian Prometheus the dashboard test uses);
  - panels that can only have data in the compose stack say so ("Compose stack only: ...");
  - every PromQL target aggregates over a service's replicas (sum, max, histogram_quantile over a
    sum by le, ...; never a bare selector or a `by (instance)`), so two bridge shards or an HPA's
    pods show as one service (scripts/stack/shard_test.py checks the numbers themselves).

Usage: scripts/stack/check-dashboards.py [dashboard.json ...]
"""
import glob
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import (COMPOSE_ONLY, DASHBOARDS_GLOB, PROMETHEUS_IN_COMPOSE, VAR_RE, Report,  # noqa: E402
                      expand_grafana_env, load_yaml, native_environment, panels_of, path, substitute,
                      variable_name)

# Datasource references that are not uids of provisioned datasources.
BUILTIN_SOURCES = {"grafana", "-- Grafana --", "-- Mixed --", "-- Dashboard --"}
LOGQL_SELECTOR_RE = re.compile(r"^\s*\{([^}]*)\}")
LOGQL_MATCHER_RE = re.compile(r"\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*\"(?:[^\"\\]|\\.)*\"\s*(?:,|$)")

BUILTINS = {"__rate_interval", "__interval", "__interval_ms", "__range", "__range_s", "__range_ms",
            "__from", "__to", "__dashboard", "__org", "__user", "__name", "__all", "__auto"}


def loki_labels():
    """The labels Loki gives the fleet's logs, as check-loki-labels.py derives them."""
    spec = importlib.util.spec_from_file_location("check_loki_labels", path("scripts", "stack", "check-loki-labels.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    labels, _ = module.derive(*module.load())
    return set(labels)


def referenced_uids(tree, where=""):
    """(where, uid) for every datasource reference below tree: `datasourceUid` (links), `sourceUID` /
    `targetUID` (correlations), and the `uid` of a `datasource` object (panels, targets, variables)."""
    found = []
    if isinstance(tree, dict):
        for k, v in tree.items():
            here = f"{where}.{k}" if where else k
            if k in ("datasourceUid", "sourceUID", "targetUID") and isinstance(v, str):
                found.append((here, v))
            elif k == "datasource" and isinstance(v, dict) and isinstance(v.get("uid"), str):
                found.append((here + ".uid", v["uid"]))
            found.extend(referenced_uids(v, here) if k != "datasource" else [])
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            found.extend(referenced_uids(v, f"{where}[{i}]"))
    return found


def check_references(r, name, tree, sources):
    for where, uid in referenced_uids(tree):
        if uid in BUILTIN_SOURCES or uid.startswith("$"):
            continue
        r.check(uid in sources, f"{name}: {where} names a provisioned datasource uid ('{uid}')",
                f"provisioned: {sorted(sources)}")


def logql_selector_labels(expr):
    """The label names of a LogQL query's stream selector, or None when it has no selector."""
    m = LOGQL_SELECTOR_RE.match(expr)
    if not m:
        return None
    body, labels, pos = m.group(1), [], 0
    while pos < len(body):
        mm = LOGQL_MATCHER_RE.match(body, pos)
        if not mm:
            return None
        labels.append(mm.group(1))
        pos = mm.end()
    return labels


# PromQL's aggregation operators, and functions whose first argument carries the result's series.
AGGREGATIONS = {"sum", "max", "min", "avg", "count", "group", "stddev", "stdvar", "topk", "bottomk",
                "quantile", "count_values"}
PASS_THROUGH = {"histogram_quantile": 1, "label_replace": 0, "label_join": 0, "clamp_min": 0, "clamp_max": 0,
                "clamp": 0, "abs": 0, "round": 0, "ceil": 0, "floor": 0, "sort": 0, "sort_desc": 0}
# Binary operators by precedence, lowest first, each with the modifiers that may follow it.
MODIFIERS = r"\s*(?:bool\s*)?(?:(?:on|ignoring)\s*\([^)]*\)\s*)?(?:(?:group_left|group_right)\s*(?:\([^)]*\))?\s*)?"
OR_RE = re.compile(r"\s*\bor\b" + MODIFIERS)
AND_RE = re.compile(r"\s*(?:\band\b|\bunless\b)" + MODIFIERS)
ARITHMETIC_RE = re.compile(r"\s*(?:==|!=|>=|<=|>|<|\+|-|\*|/|%|\^)" + MODIFIERS)
NUMBER_RE = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?|[+-]?Inf|NaN")


def top_level(expr, separator_re):
    """Splits `expr` where `separator_re` matches outside parentheses, braces, brackets and strings."""
    parts, depth, quote, start, i = [], 0, None, 0, 0
    while i < len(expr):
        c = expr[i]
        if quote:
            i += 2 if c == "\\" else 1
            if c == quote:
                quote = None
            continue
        if c in "\"'`":
            quote = c
        elif c in "([{":
            depth += 1
        elif c in ")]}":
            depth -= 1
        elif depth == 0 and i > start:
            m = separator_re.match(expr, i)
            if m and m.end() > i and expr[start:i].strip():
                parts.append(expr[start:i])
                start = i = m.end()
                continue
        i += 1
    parts.append(expr[start:])
    return [part.strip() for part in parts]


def aggregates_replicas(expr):
    """Whether every series `expr` returns sums (or takes the max, ...) over the service's replicas:
    each operand of its top-level operators is a number or an aggregation whose `by` keeps no
    per-process label (instance, service_instance_id, pod). A bare selector or rate(...) would show
    one line per replica, so a panel written against one instance breaks once there are two.
    `a and b` and `a unless b` return a's series, so only a counts there."""
    either = top_level(expr, OR_RE)
    if len(either) > 1:
        return all(aggregates_replicas(part) for part in either)
    filtered = top_level(expr, AND_RE)
    if len(filtered) > 1:
        return aggregates_replicas(filtered[0])
    for operand in top_level(expr, ARITHMETIC_RE):
        if NUMBER_RE.fullmatch(operand):
            continue
        if operand.startswith("(") and operand.endswith(")") and len(top_level(operand[1:-1], re.compile(r"\A\Z"))) == 1:
            if aggregates_replicas(operand[1:-1]):
                continue
            return False
        m = re.match(r"([a-z_]+)\s*(?:(by|without)\s*\(([^)]*)\)\s*)?\(", operand)
        if not m:
            return False
        name, clause, labels = m.group(1), m.group(2), {l.strip() for l in (m.group(3) or "").split(",")}
        inner = operand[m.end():operand.rfind(")")]
        if name in AGGREGATIONS:
            per_process = {"instance", "service_instance_id", "pod"}
            if (clause == "by" and labels & per_process) or (clause == "without" and not per_process <= labels):
                return False
            continue
        if name in PASS_THROUGH:
            arguments = top_level(inner, re.compile(r","))
            if len(arguments) > PASS_THROUGH[name] and aggregates_replicas(arguments[PASS_THROUGH[name]]):
                continue
        return False
    return True


# The replica rule on expressions of known answer, so it is seen to tell the two kinds apart.
REPLICA_RULE_CASES = [
    ("sum by (outcome) (rate(x_total[5m]))", True), ("histogram_quantile(0.95, sum by (le) (rate(x_bucket[5m])))", True),
    ("(sum(a) or sum(b)) / sum(c) > 0", True), ("sum(a) and on (job) b", True),
    ("x", False), ("rate(x_total[5m])", False), ("histogram_quantile(0.95, rate(x_bucket[5m]))", False),
    ("sum by (instance) (x)", False), ("sum(a) / b", False), ("sum(a) or b", False),
]


def main():
    r = Report("dashboards")
    for expr, aggregated in REPLICA_RULE_CASES:
        r.check(aggregates_replicas(expr) == aggregated,
                f"the replica rule judges {expr!r} {'aggregated' if aggregated else 'per instance'}")
    files = sys.argv[1:] or sorted(glob.glob(DASHBOARDS_GLOB))

    ds = load_yaml(path("config", "grafana", "datasources.yml"))
    sources = {d["uid"]: d for d in ds.get("datasources", [])}
    prom = [d for d in sources.values() if d["type"] == "prometheus"]
    jaeger = [d for d in sources.values() if d["type"] == "jaeger"]
    loki = [d for d in sources.values() if d["type"] == "loki"]
    r.check(len(prom) == 1 and prom[0].get("isDefault") is True, "datasources.yml: one Prometheus datasource, the default")
    r.check(len(jaeger) == 1, "datasources.yml: one Jaeger datasource")
    r.check(len(loki) == 1, "datasources.yml: one Loki datasource")
    # Every provisioning file Grafana reads: datasources (with their links) and any correlations.
    provisioning = glob.glob(path("config", "grafana", "*.yml"))
    for f in sorted(provisioning):
        check_references(r, os.path.basename(f), load_yaml(f), sources)
    if jaeger and loki:
        t2l = (jaeger[0].get("jsonData") or {}).get("tracesToLogsV2") or {}
        query = expand_grafana_env(t2l.get("query") or "", {}) if t2l.get("customQuery") else ""
        r.check(t2l.get("datasourceUid") == loki[0]["uid"], "datasources.yml: Jaeger's trace-to-logs opens the Loki uid", f"{t2l}")
        # Jaeger keeps service.name out of a span's process tags, so a tag mapping to service_name
        # would find nothing and Grafana would show no link: the query names the trace itself.
        r.check(re.search(r'\|\s*trace_id\s*=\s*"\$\{__trace\.traceId\}"', query) is not None,
                "datasources.yml: trace-to-logs selects the trace's lines by their trace_id structured metadata", f"{query!r}")
        selected = logql_selector_labels(query)
        r.check(selected is not None and set(selected) <= loki_labels(),
                f"datasources.yml: trace-to-logs selects streams by labels Loki has ({selected})")
        derived = (loki[0].get("jsonData") or {}).get("derivedFields") or []
        r.check(any(f.get("datasourceUid") == jaeger[0]["uid"] and f.get("matcherType") == "label"
                    and f.get("matcherRegex") == "trace_id" for f in derived),
                "datasources.yml: Loki's derived field links the trace_id structured metadata to the Jaeger uid", f"{derived}")
    compose_env = {k: str(v) for k, v in (load_yaml(path("docker-compose.yml"))["services"]["grafana"]
                                          .get("environment") or {}).items()}
    native_env = native_environment("grafana")
    for d in sources.values():
        r.check(d.get("editable") is False, f"datasources.yml: {d.get('name')} is fixed (editable: false)")
    if prom and jaeger:
        dest = (prom[0].get("jsonData") or {}).get("exemplarTraceIdDestinations") or []
        r.check(any(x.get("datasourceUid") == jaeger[0]["uid"] for x in dest),
                "datasources.yml: Prometheus exemplars link to the Jaeger uid")
    if prom and jaeger and loki:
        trio = (prom[0], jaeger[0], loki[0])
        urls = [expand_grafana_env(d.get("url"), compose_env) for d in trio]
        r.check(urls == [PROMETHEUS_IN_COMPOSE, "http://jaeger:16686", "http://loki:3100"],
                "datasources.yml: with compose's environment the URLs are the compose services", f"{urls}")
        urls = [expand_grafana_env(d.get("url"), native_env) for d in trio]
        r.check(urls == [native_env["GRAFANA_PROMETHEUS_URL"], native_env["GRAFANA_JAEGER_URL"], native_env["GRAFANA_LOKI_URL"]]
                and all(u.startswith("http://127.0.0.1:") for u in urls),
                "datasources.yml: with the launcher's environment the URLs are the native Prometheus, Jaeger and Loki", f"{urls}")
    provider = (load_yaml(path("config", "grafana", "dashboards.yml")).get("providers") or [{}])[0]
    dash_mount = "/etc/grafana/dashboards"
    folder = (provider.get("options") or {}).get("path")
    r.check(provider.get("type") == "file" and expand_grafana_env(folder, compose_env) == dash_mount,
            f"dashboards.yml: file provider reads {dash_mount} in compose")
    r.check(expand_grafana_env(folder, native_env) == path("config", "grafana", "dashboards"),
            "dashboards.yml: file provider reads the repo's config/grafana/dashboards natively")
    r.check(provider.get("allowUiUpdates") is False and provider.get("disableDeletion") is True,
            "dashboards.yml: UI edits are saved as copies, never over or instead of the committed dashboards")
    compose = open(path("docker-compose.yml")).read()
    r.check(f"./config/grafana/dashboards:{dash_mount}:ro" in compose, f"docker-compose.yml mounts the dashboards at {dash_mount}")

    labels = loki_labels()
    exprs, uids = [], set()
    totals = {"panels": 0, "targets": 0, "compose_only": 0}
    for f in files:
        name = os.path.basename(f)
        try:
            d = json.load(open(f))
        except ValueError as e:
            r.check(False, f"{name} is valid JSON", str(e))
            continue
        r.check(True, f"{name} is valid JSON")
        r.check(d.get("uid") and d["uid"] not in uids, f"{name}: uid '{d.get('uid')}' is set and unique")
        r.check(d.get("editable") is True, f"{name}: editable (changes can be saved as a copy)")
        uids.add(d.get("uid"))
        check_references(r, name, d, sources)
        variables = {v["name"]: v for v in (d.get("templating") or {}).get("list", [])}
        sample = {k: "1m" for k in BUILTINS}
        sample.update({"__interval_ms": "15000", "__range_s": "300", "__range_ms": "300000"})
        for vname in variables:
            sample[vname] = "audio-orchestrator/discord"
        ids = set()
        for p in panels_of(d):
            if p.get("type") == "row":
                continue
            title = f"{name} › {p.get('title')}"
            totals["panels"] += 1
            r.check(p.get("id") not in ids, f"{title}: panel id {p.get('id')} is unique")
            ids.add(p.get("id"))
            pds = p.get("datasource") or {}
            r.check(pds.get("uid") in sources, f"{title}: datasource uid '{pds.get('uid')}' is provisioned")
            unit = ((p.get("fieldConfig") or {}).get("defaults") or {}).get("unit")
            r.check(isinstance(unit, str) and unit != "", f"{title}: has a unit ({unit})")
            r.check(isinstance(p.get("gridPos"), dict), f"{title}: has a gridPos")
            targets = p.get("targets") or []
            r.check(bool(targets), f"{title}: has targets")
            desc = p.get("description") or ""
            if desc.startswith(COMPOSE_ONLY):
                totals["compose_only"] += 1
            for t in targets:
                totals["targets"] += 1
                tds = (t.get("datasource") or pds)
                r.check(bool(t.get("refId")), f"{title}: target has a refId")
                if sources.get(tds.get("uid"), {}).get("type") == "prometheus":
                    expr = t.get("expr") or ""
                    r.check(bool(expr.strip()), f"{title} [{t.get('refId')}]: has a PromQL expr")
                    used = {variable_name(m) for m in VAR_RE.finditer(expr)}
                    unknown = {u for u in used if u not in BUILTINS and u not in variables and not u.isdigit()}
                    r.check(not unknown, f"{title} [{t.get('refId')}]: uses only defined variables", f"unknown: {sorted(unknown)}")
                    exprs.append((title, t.get("refId"), substitute(expr, sample)))
                    # The fleet runs replicas (deploy/kubernetes, bridge shards): a panel shows the
                    # service's figure, never one line per process.
                    r.check(aggregates_replicas(substitute(expr, sample)),
                            f"{title} [{t.get('refId')}]: aggregates over replicas (no per-instance series)", expr)
                elif sources.get(tds.get("uid"), {}).get("type") == "loki":
                    expr = t.get("expr") or ""
                    used = {variable_name(m) for m in VAR_RE.finditer(expr)}
                    unknown = {u for u in used if u not in BUILTINS and u not in variables}
                    r.check(not unknown, f"{title} [{t.get('refId')}]: uses only defined variables", f"unknown: {sorted(unknown)}")
                    selected = logql_selector_labels(substitute(expr, sample))
                    r.check(selected is not None and set(selected) <= labels,
                            f"{title} [{t.get('refId')}]: LogQL selects streams by labels Loki has ({selected})",
                            f"Loki's labels: {sorted(labels)}")
                    r.check(desc.startswith(COMPOSE_ONLY),
                            f"{title}: a Loki panel is marked '{COMPOSE_ONLY}' (no Loki in the native test)")
                else:
                    r.check(desc.startswith(COMPOSE_ONLY),
                            f"{title}: non-Prometheus target is marked '{COMPOSE_ONLY}' (it cannot be checked natively)")

    # One promtool run parses every expression; its error names the failing record.
    promtool = shutil.which("promtool")
    r.check(promtool is not None, "promtool is installed (apt-get install prometheus)")
    if promtool and exprs:
        with tempfile.TemporaryDirectory() as tmp:
            rules = os.path.join(tmp, "dashboard-exprs.yml")
            with open(rules, "w") as out:
                json.dump({"groups": [{"name": "dashboard-expressions", "rules": [
                    {"record": f"dashboard:expr_{i}", "expr": e} for i, (_, _, e) in enumerate(exprs)]}]}, out)
            res = subprocess.run([promtool, "check", "rules", rules], capture_output=True, text=True)
            ok = res.returncode == 0
            detail = (res.stdout + res.stderr).strip().splitlines()
            for line in detail:
                m = re.search(r"dashboard:expr_(\d+)", line)
                if m:
                    title, ref, e = exprs[int(m.group(1))]
                    print(f"        {title} [{ref}]: {e}")
            r.check(ok, f"all {len(exprs)} PromQL expressions parse (promtool check rules)",
                    " | ".join(detail[-3:]) if not ok else None)
    print(f"dashboards: {len(files)} dashboards, {totals['panels']} panels, {totals['targets']} targets "
          f"({totals['compose_only']} panels marked '{COMPOSE_ONLY}')")
    r.exit()


if __name__ == "__main__":
    main()
