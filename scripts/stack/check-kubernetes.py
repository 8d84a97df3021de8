#!/usr/bin/env python3
"""Checks that docker-compose.yml and the Kubernetes manifests run the nine fleet services alike,
by checking both against config/fleet-services.yaml (the one list):

  - compose: each service's command, port, healthcheck path, environment variable names
    (.env.common's keys + its own `environment:`), mem_limit and cpus;
  - Kubernetes, each of deploy/kubernetes/base, overlays/dev and overlays/load as `kubectl kustomize`
    renders it: a Deployment (or the load overlay's StatefulSet) and a Service per service with the
    same command, port, environment variable names (the fleet-env ConfigMap's keys + `env:`),
    startup/liveness/readiness paths, limits (96m = 96Mi, cpus 0.5 = 500m), the image's uid, a
    read-only root, no privilege escalation, no capabilities, RuntimeDefault seccomp, no service
    account token, a /tmp emptyDir and the Prometheus scrape annotations; one replica for what holds
    state (the orchestrator only scales on PostgreSQL, the bridge only by shards whose count is its
    replicas); an autoscaling/v2 CPU HPA for every stateless service in the load overlay;
  - the files kustomize cannot read from outside its folder (.env.common, the collector config, the
    flag file, the alert rules, the dashboards) are byte-identical copies under deploy/kubernetes;
  - the Helm values agree with the repo: Grafana's datasources have the uids of
    config/grafana/datasources.yml, Prometheus mounts the rules ConfigMap the manifests ship,
    Jaeger's userconfig is config/jaeger-config.yaml.

Usage:
  scripts/stack/check-kubernetes.py                 # the checks (renders with kubectl)
  scripts/stack/check-kubernetes.py --render DIR    # only render each overlay to DIR/<name>.yaml
  scripts/stack/check-kubernetes.py --self-test     # mutates copies of the inputs: each must fail
  scripts/stack/check-kubernetes.py --sync          # refresh the copies under deploy/kubernetes
"""
import argparse
import copy
import os
import re
import shutil
import subprocess
import sys

sys.path.insert(0, os.path.dirname(__file__))
from stacklib import Report, load_yaml, parse_bytes, path  # noqa: E402

import yaml  # noqa: E402  (stacklib.load_yaml has already said how to install it)

OVERLAYS = {"base": "deploy/kubernetes/base", "dev": "deploy/kubernetes/overlays/dev",
            "load": "deploy/kubernetes/overlays/load"}
COMMON = "deploy/kubernetes/base/common"
# deploy copy -> source of truth (kustomize's load restrictor keeps it inside its folder).
COPIES = {f"{COMMON}/files/fleet.env": ".env.common",
          f"{COMMON}/files/otel-collector-config.yaml": "config/otel-collector-config.yaml",
          f"{COMMON}/files/scenarios.flagd.json": "config/flagd/scenarios.flagd.json"}
for _d in ("config/prometheus-rules", "config/grafana/dashboards"):
    for _f in sorted(os.listdir(path(_d))):
        if _f.endswith((".yml", ".json")):
            _to = f"{COMMON}/files/prometheus-rules/{_f}" if _f.endswith(".yml") else f"{COMMON}/grafana-dashboards/{_f}"
            COPIES[_to] = f"{_d}/{_f}"
MIB = 1024 * 1024
POD_INDEX = "metadata.labels['apps.kubernetes.io/pod-index']"


def read_env_names(p):
    names = []
    for line in open(p):
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            names.append(line.split("=", 1)[0].strip())
    return names


def millicores(value):
    """Kubernetes CPU quantity (500m, 1, 0.5) -> millicores."""
    s = str(value)
    return int(s[:-1]) if s.endswith("m") else round(float(s) * 1000)


def mebibytes(value):
    """Kubernetes memory quantity (96Mi, 1Gi) -> MiB; anything else is reported as None."""
    m = re.fullmatch(r"(\d+)(Mi|Gi)", str(value))
    return int(m.group(1)) * (1024 if m.group(2) == "Gi" else 1) if m else None


def render(overlay_dir):
    """`kubectl kustomize DIR` -> (list of objects, error text or None)."""
    try:
        p = subprocess.run(["kubectl", "kustomize", path(overlay_dir)], capture_output=True, text=True, timeout=120)
    except FileNotFoundError:
        return [], "kubectl not found (scripts/stack/ensure-tools.sh installs kubernetes-client)"
    if p.returncode != 0:
        return [], p.stderr.strip()
    return [d for d in yaml.safe_load_all(p.stdout) if d], None


# ------------------------------------------------------------------------------------------------
# compose

def check_compose(r, fleet, compose, env_common):
    services = compose.get("services") or {}
    common = set(fleet["common_env"])
    hardening = set(((compose.get("x-fleet-hardening") or {}).get("environment") or {}))
    r.check(set(env_common) | hardening == common, "common_env is .env.common's keys + x-fleet-hardening's",
            f"only in the list: {sorted(common - set(env_common) - hardening)}; "
            f"missing from it: {sorted((set(env_common) | hardening) - common)}")
    for name, want in fleet["services"].items():
        s = services.get(name)
        if not r.check(s is not None, f"compose: service {name} exists"):
            continue
        tag = f"compose {name}"
        r.check(s.get("image") == fleet["image"], f"{tag}: image {fleet['image']}", s.get("image"))
        r.check([str(c) for c in s.get("command") or []] == [str(c) for c in want["command"]],
                f"{tag}: command is the list's", f"{s.get('command')} vs {want['command']}")
        test = (s.get("healthcheck") or {}).get("test") or []
        url = f"http://localhost:{want['port']}{fleet['probes']['compose_healthcheck']}"
        r.check(test == ["CMD", "audio-fleet", "probe", url], f"{tag}: healthcheck probes {url}", f"{test}")
        names = set(env_common) if s.get("env_file") == ".env.common" else set()
        names |= set((s.get("environment") or {}))
        expected = common | set(want.get("env") or [])
        r.check(names == expected, f"{tag}: environment variable names",
                f"extra: {sorted(names - expected)}; missing: {sorted(expected - names)}")
        mem = parse_bytes(s["mem_limit"]) if "mem_limit" in s else None
        r.check(mem == want["memory_mib"] * MIB, f"{tag}: mem_limit is {want['memory_mib']} MiB", f"{s.get('mem_limit')}")
        cpus = s.get("cpus")
        r.check(cpus is not None and round(float(cpus) * 1000) == want["cpu_millicores"],
                f"{tag}: cpus is {want['cpu_millicores'] / 1000}", f"{cpus}")


# ------------------------------------------------------------------------------------------------
# Kubernetes

def index(objects):
    return {(o.get("kind"), (o.get("metadata") or {}).get("name")): o for o in objects}


def check_probe(r, tag, container, kind, want_path, port):
    probe = container.get(f"{kind}Probe") or {}
    get = probe.get("httpGet") or {}
    target = get.get("port")
    named = {p.get("name"): p.get("containerPort") for p in container.get("ports") or []}
    r.check(get.get("path") == want_path and (target == port or named.get(target) == port),
            f"{tag}: {kind} probe on {want_path}:{port}", f"{probe}")


def check_workload(r, tag, name, want, fleet, obj, objs, overlay):
    spec = obj.get("spec") or {}
    pod = (spec.get("template") or {}).get("spec") or {}
    meta = (spec.get("template") or {}).get("metadata") or {}
    containers = {c.get("name"): c for c in pod.get("containers") or []}
    c = containers.get(name)
    if not r.check(c is not None, f"{tag}: has a container named {name}"):
        return
    r.check(c.get("image") == fleet["image"], f"{tag}: image {fleet['image']}", c.get("image"))
    r.check([str(a) for a in (c.get("command") or []) + (c.get("args") or [])] == [str(a) for a in want["command"]],
            f"{tag}: args are the list's command", f"{c.get('args')}")
    ports = [p.get("containerPort") for p in c.get("ports") or []]
    r.check(ports == [want["port"]], f"{tag}: container port {want['port']}", f"{ports}")

    names = set()
    for src in c.get("envFrom") or []:
        ref = (src.get("configMapRef") or {}).get("name")
        cm = objs.get(("ConfigMap", ref))
        r.check(cm is not None, f"{tag}: envFrom ConfigMap {ref} is in the manifests")
        names |= set(((cm or {}).get("data") or {}))
    env = {e.get("name"): e for e in c.get("env") or []}
    names |= set(env)
    expected = set(fleet["common_env"]) | set(want.get("env") or [])
    if overlay == "load":
        expected |= set(want.get("load_env") or [])
    r.check(names == expected, f"{tag}: environment variable names",
            f"extra: {sorted(names - expected)}; missing: {sorted(expected - names)}")

    for kind in ("startup", "liveness", "readiness"):
        check_probe(r, tag, c, kind, fleet["probes"][kind], want["port"])
    limits = (c.get("resources") or {}).get("limits") or {}
    requests = (c.get("resources") or {}).get("requests") or {}
    r.check(mebibytes(limits.get("memory")) == want["memory_mib"], f"{tag}: memory limit {want['memory_mib']}Mi",
            f"{limits.get('memory')}")
    r.check(limits.get("cpu") is not None and millicores(limits["cpu"]) == want["cpu_millicores"],
            f"{tag}: cpu limit {want['cpu_millicores']}m", f"{limits.get('cpu')}")
    r.check("cpu" in requests and "memory" in requests, f"{tag}: cpu and memory requests are set", f"{requests}")

    # The compose hardening, said again (x-fleet-hardening and the Dockerfile's USER).
    for ctr in (pod.get("initContainers") or []) + (pod.get("containers") or []):
        sc = ctr.get("securityContext") or {}
        ctag = f"{tag} container {ctr.get('name')}"
        r.check(sc.get("readOnlyRootFilesystem") is True, f"{ctag}: read-only root filesystem")
        r.check(sc.get("allowPrivilegeEscalation") is False, f"{ctag}: no privilege escalation")
        r.check((sc.get("capabilities") or {}).get("drop") == ["ALL"], f"{ctag}: drops all capabilities")
        r.check(sc.get("runAsNonRoot") is True and sc.get("runAsUser") == fleet["uid"], f"{ctag}: runs as uid {fleet['uid']}")
        lim = (ctr.get("resources") or {}).get("limits") or {}
        r.check("cpu" in lim and "memory" in lim, f"{ctag}: cpu and memory limits are set")
    psc = pod.get("securityContext") or {}
    r.check(psc.get("runAsNonRoot") is True and psc.get("runAsUser") == fleet["uid"], f"{tag}: pod runs as uid {fleet['uid']}")
    r.check((psc.get("seccompProfile") or {}).get("type") == "RuntimeDefault", f"{tag}: seccomp RuntimeDefault")
    r.check(pod.get("automountServiceAccountToken") is False, f"{tag}: no service account token")
    volumes = {v.get("name"): v for v in pod.get("volumes") or []}
    tmp = [m for m in c.get("volumeMounts") or [] if m.get("mountPath") == "/tmp"]
    r.check(len(tmp) == 1 and "emptyDir" in volumes.get(tmp[0].get("name"), {}), f"{tag}: /tmp is an emptyDir")

    ann = meta.get("annotations") or {}
    r.check(ann.get("prometheus.io/scrape") == "true" and ann.get("prometheus.io/port") == str(want["port"])
            and ann.get("prometheus.io/path") == "/metrics", f"{tag}: Prometheus scrape annotations on :{want['port']}/metrics",
            f"{ann}")

    # Replicas: what holds state runs once, except the two ways the load overlay scales it.
    replicas = spec.get("replicas", 1)
    hpa = next((o for o in objs.values() if o.get("kind") == "HorizontalPodAutoscaler"
                and ((o.get("spec") or {}).get("scaleTargetRef") or {}).get("name") == name), None)
    if name == "orchestrator":
        store = (env.get("ORCHESTRATOR_STORE") or {}).get("value")
        if replicas != 1 or hpa is not None:
            r.check(store == "postgres", f"{tag}: more than one replica only with ORCHESTRATOR_STORE=postgres", f"{store}")
        if store == "postgres":
            ref = ((env.get("ORCHESTRATOR_DATABASE_URL") or {}).get("valueFrom") or {}).get("secretKeyRef")
            r.check(ref is not None, f"{tag}: ORCHESTRATOR_DATABASE_URL comes from a Secret", f"{env.get('ORCHESTRATOR_DATABASE_URL')}")
        else:
            claims = [v for v in volumes.values() if "persistentVolumeClaim" in v]
            r.check(replicas == 1 and len(claims) == 1 and (spec.get("strategy") or {}).get("type") == "Recreate",
                    f"{tag}: on SQLite, one replica on its claim, replaced by Recreate")
    elif obj.get("kind") == "StatefulSet":
        count = (env.get("DISCORD_SHARD_COUNT") or {}).get("value")
        r.check(count == str(replicas), f"{tag}: DISCORD_SHARD_COUNT ({count}) equals replicas ({replicas})")
        field = (((env.get("DISCORD_SHARD_INDEX") or {}).get("valueFrom") or {}).get("fieldRef") or {}).get("fieldPath")
        r.check(field == POD_INDEX, f"{tag}: DISCORD_SHARD_INDEX from the pod-index label", f"{field}")
        r.check(hpa is None, f"{tag}: shards are not autoscaled (each owns a fixed share of the channels)")
    elif not want["stateless"]:
        r.check(replicas == 1 and hpa is None, f"{tag}: holds state, so one replica and no HPA", f"replicas {replicas}")
    if overlay == "load" and (want["stateless"] or name == "orchestrator"):
        metrics = ((hpa or {}).get("spec") or {}).get("metrics") or []
        r.check(hpa is not None and hpa.get("apiVersion") == "autoscaling/v2"
                and any(((m.get("resource") or {}).get("name") == "cpu") for m in metrics),
                f"{tag}: an autoscaling/v2 HPA on CPU")
        r.check(hpa is None or (hpa["spec"].get("minReplicas", 1) >= 2 and replicas >= 2),
                f"{tag}: starts at 2+ replicas")


def check_overlay(r, overlay, objects, fleet):
    objs = index(objects)
    for name, want in fleet["services"].items():
        tag = f"{overlay} {name}"
        obj = objs.get(("Deployment", name)) or objs.get(("StatefulSet", name))
        if not r.check(obj is not None, f"{tag}: a Deployment or StatefulSet"):
            continue
        if overlay == "load" and name == "discord":
            r.check(obj.get("kind") == "StatefulSet", f"{tag}: the bridge is a StatefulSet of shards")
        svc = objs.get(("Service", name))
        sports = [(p.get("port"), p.get("targetPort")) for p in ((svc or {}).get("spec") or {}).get("ports") or []]
        r.check(sports in ([(want["port"], want["port"])], [(want["port"], "http")]),
                f"{tag}: a Service on port {want['port']}", f"{sports}")
        check_workload(r, tag, name, want, fleet, obj, objs, overlay)

    cm = objs.get(("ConfigMap", "otel-collector-config")) or {}
    r.check((cm.get("data") or {}).get("config.yaml") == open(path("config", "otel-collector-config.yaml")).read(),
            f"{overlay}: the collector's ConfigMap is config/otel-collector-config.yaml")
    dash = objs.get(("ConfigMap", "grafana-dashboards")) or {}
    wanted = sorted(f for f in os.listdir(path("config", "grafana", "dashboards")) if f.endswith(".json"))
    r.check(sorted((dash.get("data") or {})) == wanted and
            ((dash.get("metadata") or {}).get("labels") or {}).get("grafana_dashboard") == "1",
            f"{overlay}: the dashboards ConfigMap has every dashboard and the sidecar's label")
    rules = objs.get(("ConfigMap", "prometheus-rules")) or {}
    wanted = sorted(f for f in os.listdir(path("config", "prometheus-rules")) if f.endswith(".yml"))
    r.check(sorted((rules.get("data") or {})) == wanted, f"{overlay}: the prometheus-rules ConfigMap has every rule file")
    r.check(all((o.get("metadata") or {}).get("namespace") == "audio-fleet" for o in objects
                if o.get("kind") != "Namespace"), f"{overlay}: everything is in namespace audio-fleet")


def check_copies(r):
    for copy_path, source in COPIES.items():
        same = os.path.exists(path(copy_path)) and open(path(copy_path), "rb").read() == open(path(source), "rb").read()
        r.check(same, f"{copy_path} is a byte-identical copy of {source}",
                "run scripts/stack/check-kubernetes.py --sync")
    copied = {p for p in COPIES if "/grafana-dashboards/" in p or "/prometheus-rules/" in p}
    for d in (f"{COMMON}/grafana-dashboards", f"{COMMON}/files/prometheus-rules"):
        for f in os.listdir(path(d)):
            if f.endswith((".json", ".yml")):
                r.check(f"{d}/{f}" in copied, f"{d}/{f} still has a source under config/", "run --sync")


def check_helm_values(r, objects):
    """deploy/helm: Grafana's datasources are the repo's (same uids and types), Prometheus mounts the
    rules ConfigMap and reads the folder, the Jaeger and Prometheus names are the ones the fleet uses."""
    provisioned = load_yaml(path("config", "grafana", "datasources.yml"))["datasources"]
    graf = load_yaml(path("deploy", "helm", "grafana-values.yaml"))
    ds = ((graf.get("datasources") or {}).get("datasources.yaml") or {}).get("datasources") or []
    r.check(sorted((d["uid"], d["type"]) for d in ds) == sorted((d["uid"], d["type"]) for d in provisioned),
            "grafana values: datasources with config/grafana/datasources.yml's uids and types")
    # Field for field the same datasource, but for the URL (an environment variable there).
    by_uid = {d.get("uid"): d for d in ds}
    for want in provisioned:
        got = by_uid.get(want["uid"]) or {}
        r.check({k: v for k, v in got.items() if k != "url"} == {k: v for k, v in want.items() if k != "url"},
                f"grafana values: datasource {want['uid']} is config/grafana/datasources.yml's (the URL aside)")
    side = (graf.get("sidecar") or {}).get("dashboards") or {}
    r.check(side.get("enabled") is True and side.get("label") == "grafana_dashboard" and str(side.get("labelValue")) == "1",
            "grafana values: the dashboard sidecar looks for grafana_dashboard=1")
    prom = load_yaml(path("deploy", "helm", "prometheus-values.yaml"))
    server = prom.get("server") or {}
    mounts = server.get("extraConfigmapMounts") or []
    rules_mount = next((m for m in mounts if m.get("configMap") == "prometheus-rules"), None)
    cfg = ((prom.get("serverFiles") or {}).get("prometheus.yml") or {})
    r.check(rules_mount is not None and any(f.startswith(rules_mount["mountPath"] + "/") for f in cfg.get("rule_files") or []),
            "prometheus values: the prometheus-rules ConfigMap is mounted and in rule_files")
    r.check(index(objects).get(("ConfigMap", "prometheus-rules")) is not None, "the manifests ship that ConfigMap")
    r.check(server.get("fullnameOverride") == "prometheus" and (server.get("service") or {}).get("servicePort") == 9090,
            "prometheus values: Service prometheus:9090 (PROMETHEUS_URL in .env.common)")
    jaeger = load_yaml(path("deploy", "helm", "jaeger-values.yaml"))
    r.check(jaeger.get("fullnameOverride") == "jaeger", "jaeger values: Service jaeger (the collector's jaeger:4317)")
    r.check(jaeger.get("userconfig") == load_yaml(path("config", "jaeger-config.yaml")),
            "jaeger values: userconfig is config/jaeger-config.yaml", "run scripts/stack/check-kubernetes.py --sync")


def check_postgres(r, compose, objects):
    """The load overlay's PostgreSQL is the compose profile's image, probed by pg_isready."""
    sts = index(objects).get(("StatefulSet", "postgres"))
    if not r.check(sts is not None, "load: a postgres StatefulSet"):
        return
    c = sts["spec"]["template"]["spec"]["containers"][0]
    want = ((compose.get("services") or {}).get("postgres") or {}).get("image")
    r.check(c.get("image") == want, f"load postgres: image is compose's {want}", c.get("image"))
    for kind in ("startup", "liveness", "readiness"):
        cmd = ((c.get(f"{kind}Probe") or {}).get("exec") or {}).get("command") or []
        r.check(cmd[:1] == ["pg_isready"], f"load postgres: {kind} probe is pg_isready", f"{cmd}")


def sync_jaeger_values():
    """Rewrites the `userconfig:` map at the end of deploy/helm/jaeger-values.yaml from
    config/jaeger-config.yaml (the chart needs it as a map, so it cannot be a file copy)."""
    p = path("deploy", "helm", "jaeger-values.yaml")
    text = open(p).read()
    head = text[:text.index("\nuserconfig:\n") + 1]
    body = yaml.safe_dump(load_yaml(path("config", "jaeger-config.yaml")), sort_keys=False)
    with open(p, "w") as f:
        f.write(head + "userconfig:\n" + "".join(f"  {line}\n" for line in body.splitlines()))
    print("rewrote deploy/helm/jaeger-values.yaml's userconfig from config/jaeger-config.yaml")


def run_checks(fleet, compose, env_common, rendered, r):
    check_compose(r, fleet, compose, env_common)
    for overlay, objects in rendered.items():
        check_overlay(r, overlay, objects, fleet)
    check_postgres(r, compose, rendered["load"])


def self_test(fleet, compose, env_common, rendered):
    """Every mutation must make run_checks fail: the check can fail, and fails for each reason."""
    def dep(objs, name, kind="Deployment"):
        return next(o for o in objs if o["kind"] == kind and o["metadata"]["name"] == name)

    def ctr(objs, name, kind="Deployment"):
        return dep(objs, name, kind)["spec"]["template"]["spec"]["containers"][0]

    def m_compose_mem(f, c, e, k): c["services"]["stt"]["mem_limit"] = "192m"
    def m_compose_cpus(f, c, e, k): c["services"]["guardrails"]["cpus"] = 1.0
    def m_compose_env(f, c, e, k): c["services"]["orchestrator"]["environment"].pop("DATA_DIR")
    def m_compose_cmd(f, c, e, k): c["services"]["llm-flan"]["command"][-1] = "8101"
    def m_env_common(f, c, e, k): e.append("NEW_SETTING")
    def m_k8s_port(f, c, e, k): ctr(k["dev"], "tts-bark")["ports"][0]["containerPort"] = 7101
    def m_k8s_mem(f, c, e, k): ctr(k["base"], "discord")["resources"]["limits"]["memory"] = "256Mi"
    def m_k8s_cpu(f, c, e, k): ctr(k["load"], "stt")["resources"]["limits"]["cpu"] = "1"
    def m_k8s_probe(f, c, e, k): ctr(k["base"], "audio-processor")["readinessProbe"]["httpGet"]["path"] = "/health/live"
    def m_k8s_env(f, c, e, k): ctr(k["dev"], "testing-ui")["env"].pop()
    def m_k8s_args(f, c, e, k): ctr(k["base"], "guardrails")["args"][1] = "llm-flan"
    def m_k8s_root(f, c, e, k): ctr(k["dev"], "stt")["securityContext"]["readOnlyRootFilesystem"] = False
    def m_k8s_sqlite_scaled(f, c, e, k): dep(k["base"], "orchestrator")["spec"]["replicas"] = 2
    def m_k8s_shards(f, c, e, k): dep(k["load"], "discord", "StatefulSet")["spec"]["replicas"] = 3
    def m_k8s_no_hpa(f, c, e, k): k["load"][:] = [o for o in k["load"] if not (o["kind"] == "HorizontalPodAutoscaler" and o["metadata"]["name"] == "llm-flan")]
    def m_k8s_annotation(f, c, e, k): dep(k["load"], "guardrails")["spec"]["template"]["metadata"]["annotations"].pop("prometheus.io/scrape")
    def m_list(f, c, e, k): f["services"]["monitoring-dashboard"]["memory_mib"] = 128
    def m_postgres_image(f, c, e, k): c["services"]["postgres"]["image"] = "postgres:16.11-bookworm"

    mutations = [m_compose_mem, m_compose_cpus, m_compose_env, m_compose_cmd, m_env_common, m_k8s_port, m_k8s_mem,
                 m_k8s_cpu, m_k8s_probe, m_k8s_env, m_k8s_args, m_k8s_root, m_k8s_sqlite_scaled, m_k8s_shards,
                 m_k8s_no_hpa, m_k8s_annotation, m_list, m_postgres_image]
    clean = Report("kubernetes-self-test (unmutated)")
    run_checks(fleet, compose, env_common, rendered, clean)
    ok = clean.failed == 0
    print(f"  unmutated inputs: {clean.passed} passed, {clean.failed} failed (expected 0 failed)")
    devnull = open(os.devnull, "w")
    for m in mutations:
        f, c, e, k = copy.deepcopy(fleet), copy.deepcopy(compose), list(env_common), copy.deepcopy(rendered)
        m(f, c, e, k)
        r = Report(m.__name__)
        stdout, sys.stdout = sys.stdout, devnull
        try:
            run_checks(f, c, e, k, r)
        finally:
            sys.stdout = stdout
        caught = r.failed > 0
        ok &= caught
        print(f"  {'caught' if caught else 'MISSED'}: {m.__name__[2:]} ({r.failed} failed)")
    print(f"kubernetes-self-test: {len(mutations) + 1 if ok else 'some'} of {len(mutations) + 1} as expected")
    sys.exit(0 if ok else 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--render", metavar="DIR", help="write each overlay's rendering to DIR/<name>.yaml and stop")
    ap.add_argument("--self-test", action="store_true", help="check that mutated inputs fail")
    ap.add_argument("--sync", action="store_true", help="refresh the copies under deploy/kubernetes")
    args = ap.parse_args()

    if args.sync:
        for copy_path, source in COPIES.items():
            shutil.copyfile(path(source), path(copy_path))
            print(f"copied {source} -> {copy_path}")
        sync_jaeger_values()
        return

    rendered, errors = {}, []
    for overlay, d in OVERLAYS.items():
        objects, err = render(d)
        if err:
            errors.append(f"{d}: {err}")
        rendered[overlay] = objects

    if args.render:
        if os.path.isdir(args.render):
            shutil.rmtree(args.render)  # never leave an earlier rendering behind for the next steps
        os.makedirs(args.render)
        for overlay, objects in rendered.items():
            if objects:
                with open(os.path.join(args.render, f"{overlay}.yaml"), "w") as f:
                    yaml.safe_dump_all(objects, f, sort_keys=False)
                print(f"rendered {OVERLAYS[overlay]}: {len(objects)} objects -> {args.render}/{overlay}.yaml")
        for e in errors:
            print(f"  FAIL  kubectl kustomize {e}")
        sys.exit(1 if errors else 0)

    fleet = load_yaml(path("config", "fleet-services.yaml"))
    compose = load_yaml(path("docker-compose.yml"))
    env_common = read_env_names(path(".env.common"))
    if args.self_test:
        if errors:
            sys.exit("\n".join(errors))
        self_test(fleet, compose, env_common, rendered)

    r = Report("kubernetes")
    for e in errors:
        r.check(False, f"kubectl kustomize {e}")
    check_copies(r)
    run_checks(fleet, compose, env_common, rendered, r)
    check_helm_values(r, rendered["base"])
    r.exit()


if __name__ == "__main__":
    main()
