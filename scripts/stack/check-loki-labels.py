#!/usr/bin/env python3
"""The label set the fleet's logs get in Loki is bounded: derived from config/loki-config.yaml and
config/otel-collector-config.yaml the way Loki 3.7's OTLP ingestion applies them
(pkg/loghttp/push/otlp.go, otlp_config.go at tag v3.7.5), then checked.

How Loki picks labels from an OTLP log record:
  - a resource attribute is an index label when the first `limits_config.otlp_config.resource_attributes`
    rule that matches it says `index_label` (Loki's 18 default resource attributes come first unless
    `ignore_defaults: true`); everything else is structured metadata;
  - a log attribute is an index label only through a `log_attributes` rule saying `index_label`
    (scope attributes cannot be);
  - `severity_text_as_label: true` makes the record's severity_text a label (`severity_text`);
  - dots become underscores (`service.name` -> `service_name`).
What the collector does before that matters too: a processor in the logs pipeline that feeds Loki can
move record attributes into the resource (groupbyattrs, resource, transform), where a rule may index them.

Checks:
  - the collector sends logs to Loki's native OTLP endpoint through an `otlp_http` exporter in a logs
    pipeline (no deprecated `loki` exporter), and its processors are ones this check understands;
  - every label comes from a bounded attribute (BOUNDED below: service.name, deployment.environment[.name])
    or is severity_text (swift-log's seven levels); service_name and severity_text are labels;
  - no per-request or per-process attribute (trace and span ids, conversation, session, turn and
    speaker ids, http.*, errors, service.instance.id, process.pid ...) becomes a label, whether the
    rule names it or a regex catches it; an index_label rule with a regex is refused outright (a regex
    cannot be shown to stay bounded);
  - Loki's config has what OTLP ingestion needs (allow_structured_metadata, schema v13 on tsdb).
Then it proves it can fail: each of a few mutated copies of the two configs (Loki's defaults back on,
trace_id indexed from the record, an index_label regex, the collector grouping logs by
conversation.id, the deprecated loki exporter) must be reported.

Usage: scripts/stack/check-loki-labels.py [--no-self-test]
"""
import copy
import os
import re
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import Report, expand_collector_env, load_loki_config, load_yaml, path  # noqa: E402

# OTLP attributes whose values are bounded, and why. Nothing else may become a label.
BOUNDED = {
    "service.name": "one value per fleet service (nine, FleetMember)",
    "deployment.environment": "one value per stack (DEPLOYMENT_ENVIRONMENT)",
    "deployment.environment.name": "one value per stack (DEPLOYMENT_ENVIRONMENT)",
}
# The severity label Loki derives from the record (severity_text_as_label): swift-log's levels.
SEVERITY_LABEL = "severity_text"
REQUIRED_LABELS = {"service_name", SEVERITY_LABEL}

# Attributes whose values grow with traffic or restarts: none may be a label. The resource ones the
# fleet sets (Sources/FleetTelemetry/TelemetryConfiguration.swift) or swift-otel detects, and the
# record ones its log calls carry (services/*: speaker, turn, error, trace_id ...).
UNBOUNDED_RESOURCE = ["service.instance.id", "service.version", "process.pid", "process.executable.path",
                      "process.command_args", "host.name", "host.id", "telemetry.sdk.version"]
UNBOUNDED_RECORD = ["trace_id", "span_id", "trace.id", "span.id", "conversation.id", "session.id", "sessionId",
                    "voice.turn.id", "voice.turn.number", "turn", "turn_id", "speaker", "voice.speaker", "error",
                    "exception.message", "exception.type", "http.request.method", "http.route",
                    "http.response.status_code", "url.path", "url.full", "client.address", "end_to_end_seconds",
                    "transcript_characters", "outcome"]
# Loki's default resource attributes as index labels (GlobalOTLPConfig.RegisterFlags, v3.7.5).
LOKI_DEFAULT_INDEXED = ["service.name", "service.namespace", "service.instance.id", "deployment.environment",
                        "deployment.environment.name", "cloud.region", "cloud.availability_zone", "k8s.cluster.name",
                        "k8s.namespace.name", "k8s.pod.name", "k8s.container.name", "container.name",
                        "k8s.replicaset.name", "k8s.deployment.name", "k8s.statefulset.name", "k8s.daemonset.name",
                        "k8s.cronjob.name", "k8s.job.name"]
# Resource attributes the fleet sends that are bounded but not wanted as labels (structured metadata).
OTHER_RESOURCE = ["service.namespace", "telemetry.sdk.name", "telemetry.sdk.language", "os.type"]

# Processors that leave attributes where they are.
NEUTRAL_PROCESSORS = {"memory_limiter", "batch", "filter"}


def label_name(attribute):
    """Loki's normalisation: every character outside [a-zA-Z0-9_] becomes `_`."""
    return re.sub(r"[^a-zA-Z0-9_]", "_", attribute)


def ctype(component_id):
    return component_id.split("/", 1)[0]


def first_action(attribute, rules):
    """otlp_config.actionForAttribute: the first rule naming or matching the attribute; default
    structured_metadata. -> (action, the rule)"""
    for rule in rules or []:
        regex = rule.get("regex")
        if regex is not None and re.fullmatch(str(regex), attribute):
            return rule.get("action"), rule
        if attribute in (rule.get("attributes") or []):
            return rule.get("action"), rule
    return "structured_metadata", None


def loki_exporters(collector):
    """The exporters sending to Loki's native OTLP endpoint, and any deprecated `loki` exporter."""
    native, deprecated = [], []
    for eid, conf in (collector.get("exporters") or {}).items():
        conf = conf or {}
        if ctype(eid) == "loki":
            deprecated.append(eid)
        endpoint = str(conf.get("logs_endpoint") or conf.get("endpoint") or "")
        if ctype(eid) in ("otlp_http", "otlphttp") and re.search(r"/otlp(/v1/logs)?/?$", endpoint):
            native.append(eid)
    return native, deprecated


def moved_to_resource(collector, pipeline, problems):
    """Attributes the logs pipeline's processors put into the resource, where a Loki rule could index
    them. Unknown processors are problems: this check must be taught what they do."""
    moved = set()
    for pid in pipeline.get("processors") or []:
        conf = (collector.get("processors") or {}).get(pid) or {}
        kind = ctype(pid)
        if kind in NEUTRAL_PROCESSORS:
            continue
        if kind == "groupbyattrs":
            moved.update(conf.get("keys") or [])
        elif kind == "resource":
            moved.update(a.get("key") for a in conf.get("attributes") or []
                         if a.get("action") in ("insert", "upsert", "update"))
        elif kind == "transform":
            for group in (conf.get("log_statements") or []):
                statements = group.get("statements") or [] if isinstance(group, dict) else [group]
                context = group.get("context") if isinstance(group, dict) else None
                for st in statements:
                    for m in re.finditer(r'set\(\s*(resource\.)?attributes\["([^"]+)"\]', st):
                        if m.group(1) or context == "resource":
                            moved.add(m.group(2))
        else:
            problems.append(f"processor '{pid}' in the logs pipeline to Loki: check-loki-labels.py does not know "
                            "whether it moves attributes into the resource; teach it")
    return moved


def derive(loki, collector):
    """-> (labels {label: source}, problems) for the two configs as loaded."""
    problems = []
    native, deprecated = loki_exporters(collector)
    if deprecated:
        problems.append(f"the deprecated `loki` exporter is declared ({deprecated}): use otlp_http to Loki's /otlp")
    pipelines = (collector.get("service") or {}).get("pipelines") or {}
    feeding = [(pid, p) for pid, p in pipelines.items() if set(p.get("exporters") or []) & (set(native) | set(deprecated))]
    if not native:
        problems.append("no otlp_http exporter sends to Loki's native OTLP endpoint (.../otlp)")
    if not feeding:
        problems.append("no pipeline exports to Loki")
    for pid, _ in feeding:
        if pid.split("/", 1)[0] != "logs":
            problems.append(f"pipeline '{pid}' sends to Loki: only logs pipelines should")

    otlp = ((loki.get("limits_config") or {}).get("otlp_config")) or {}
    resource = otlp.get("resource_attributes") or {}
    rules = list(resource.get("attributes_config") or [])
    if not resource.get("ignore_defaults"):
        rules = [{"action": "index_label", "attributes": LOKI_DEFAULT_INDEXED}] + rules
    for where, rule_list in (("resource_attributes.attributes_config", rules), ("log_attributes", otlp.get("log_attributes"))):
        for rule in rule_list or []:
            if rule.get("action") == "index_label" and rule.get("regex") is not None:
                problems.append(f"otlp_config.{where}: an index_label rule with regex {rule.get('regex')!r} "
                                "cannot be shown to stay bounded; name the attributes")
    for rule in otlp.get("scope_attributes") or []:
        if rule.get("action") == "index_label":
            problems.append("otlp_config.scope_attributes: index_label is only valid for resource attributes")

    labels = {}
    moved = set()
    for pid, p in feeding:
        moved |= moved_to_resource(collector, p, problems)
    resource_candidates = set(BOUNDED) | set(LOKI_DEFAULT_INDEXED) | set(UNBOUNDED_RESOURCE) | set(OTHER_RESOURCE) | moved
    for attribute in sorted(resource_candidates):
        action, _ = first_action(attribute, rules)
        if action == "index_label":
            labels[label_name(attribute)] = f"resource attribute {attribute}" + (" (moved there by the collector)" if attribute in moved else "")
    for rule in rules:
        if rule.get("action") == "index_label":
            for attribute in rule.get("attributes") or []:
                if first_action(attribute, rules)[0] == "index_label":
                    labels.setdefault(label_name(attribute), f"resource attribute {attribute}")
    record_candidates = set(UNBOUNDED_RECORD) | set(BOUNDED)
    for rule in otlp.get("log_attributes") or []:
        record_candidates |= set(rule.get("attributes") or [])
    for attribute in sorted(record_candidates):
        action, _ = first_action(attribute, otlp.get("log_attributes"))
        if action == "index_label":
            labels[label_name(attribute)] = f"log record attribute {attribute}"
    if otlp.get("severity_text_as_label") is True:
        labels[SEVERITY_LABEL] = "the record's severity_text (severity_text_as_label)"

    allowed = {label_name(a) for a in BOUNDED} | {SEVERITY_LABEL}
    for label, source in sorted(labels.items()):
        if label not in allowed:
            problems.append(f"label '{label}' (from {source}) is not a bounded attribute: allowed {sorted(allowed)}")
    unbounded = {label_name(a): a for a in UNBOUNDED_RESOURCE + UNBOUNDED_RECORD}
    for label in sorted(set(labels) & set(unbounded)):
        problems.append(f"per-request or per-process attribute {unbounded[label]} becomes the label '{label}'")
    for label in sorted(REQUIRED_LABELS - set(labels)):
        problems.append(f"'{label}' is not a label (the dashboards select streams by it)")

    limits = loki.get("limits_config") or {}
    if limits.get("allow_structured_metadata") is False:
        problems.append("limits_config.allow_structured_metadata is false: Loki rejects OTLP logs")
    schemas = ((loki.get("schema_config") or {}).get("configs")) or []
    if not schemas or schemas[-1].get("schema") != "v13" or schemas[-1].get("store") != "tsdb":
        problems.append("the current schema_config entry is not schema v13 on tsdb (structured metadata needs it)")
    return labels, problems


def load():
    compose = load_yaml(path("docker-compose.yml"))
    env = {k: str(v) for k, v in ((compose["services"]["otel-collector"].get("environment")) or {}).items()}
    collector = expand_collector_env(load_yaml(path("config", "otel-collector-config.yaml")), env)
    loki = load_loki_config(path("config", "loki-config.yaml"), {})
    return loki, collector


def mutations(loki, collector):
    """(name, loki, collector) copies, each with one change that must be reported."""
    def otlp(cfg):
        return cfg.setdefault("limits_config", {}).setdefault("otlp_config", {})

    out = []
    l, c = copy.deepcopy(loki), copy.deepcopy(collector)
    otlp(l).setdefault("resource_attributes", {})["ignore_defaults"] = False
    out.append(("Loki's default resource labels back on (service.instance.id)", l, c))
    l, c = copy.deepcopy(loki), copy.deepcopy(collector)
    otlp(l)["log_attributes"] = [{"action": "index_label", "attributes": ["trace_id"]}]
    out.append(("trace_id indexed from the log record", l, c))
    l, c = copy.deepcopy(loki), copy.deepcopy(collector)
    otlp(l).setdefault("resource_attributes", {}).setdefault("attributes_config", []).append(
        {"action": "index_label", "regex": ".*"})
    out.append(("an index_label regex catching every resource attribute", l, c))
    l, c = copy.deepcopy(loki), copy.deepcopy(collector)
    c.setdefault("processors", {})["groupbyattrs/conversation"] = {"keys": ["conversation.id"]}
    c["service"]["pipelines"]["logs"]["processors"].append("groupbyattrs/conversation")
    otlp(l)["resource_attributes"]["attributes_config"].append({"action": "index_label", "attributes": ["conversation.id"]})
    out.append(("the collector grouping logs by conversation.id, which Loki indexes", l, c))
    l, c = copy.deepcopy(loki), copy.deepcopy(collector)
    otlp(l)["severity_text_as_label"] = False
    out.append(("severity_text_as_label off", l, c))
    l, c = copy.deepcopy(loki), copy.deepcopy(collector)
    c["exporters"]["loki"] = {"endpoint": "http://loki:3100/loki/api/v1/push"}
    c["service"]["pipelines"]["logs"]["exporters"].append("loki")
    out.append(("the deprecated loki exporter", l, c))
    return out


def main():
    r = Report("loki-labels")
    loki, collector = load()
    labels, problems = derive(loki, collector)
    for p in problems:
        r.check(False, p)
    r.check(not problems, "the label set the collector's logs get in Loki is bounded")
    print("  labels: " + ", ".join(f"{k} <- {v}" for k, v in sorted(labels.items())))
    if "--no-self-test" not in sys.argv[1:]:
        for name, l, c in mutations(loki, collector):
            _, found = derive(l, c)
            r.check(bool(found), f"self-test: a config with {name} is refused",
                    "the check found nothing wrong with it")
            if found and r.verbose:
                print(f"        refused: {found[0]}")
    r.exit()


if __name__ == "__main__":
    main()
