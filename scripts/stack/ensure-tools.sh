#!/usr/bin/env bash
# Installs the tools the stack checks need on a Debian 12 machine, or stops with the exact command.
#   apt:  docker-compose (1.29, validates compose files without an engine), prometheus (promtool and
#         the server the dashboard test runs), python3 + PyYAML, python3-venv.
#   PyPI: check-jsonschema (compose-spec schema), into var/stack-venv so the system Python is not
#         touched (Debian's Python refuses `pip install` outside a venv, PEP 668).
#   kubernetes: kubernetes-client (apt: kubectl, whose built-in kustomize renders deploy/kubernetes),
#         and, pinned, into var/stack-venv: kubernetes-validate (its wheel carries the Kubernetes
#         1.31 schemas, so validation is offline) and checkov (scripts/stack/check-checkov.py).
#   browser: chromium (apt) and Playwright for Python (PyPI, into var/stack-venv unless the system
#         Python has it); Playwright drives the system's Chromium and never downloads a browser.
#   speech: opus-tools (apt) and pocketsphinx + jiwer (PyPI, into var/stack-venv): the independent
#         recognizer, with its own bundled English model, that scores tts-bark's speech.
#   contract: schemathesis (PyPI, pinned, into var/stack-venv): fuzzes each service against its
#         OpenAPI document (`make contract-test`).
# Usage: scripts/stack/ensure-tools.sh [check|dashboard|browser|speech|contract]   (dashboard needs only prometheus + python)
# Prints nothing when everything is there.
set -euo pipefail
cd "$(dirname "$0")/../.."
purpose="${1:-check}"

need=()
command -v python3 >/dev/null || need+=(python3)
command -v python3 >/dev/null && python3 -c 'import yaml' 2>/dev/null || need+=(python3-yaml)
command -v prometheus >/dev/null && command -v promtool >/dev/null || need+=(prometheus)
if [ "$purpose" = browser ]; then
  command -v chromium >/dev/null || need+=(chromium)
  command -v opusdec >/dev/null || need+=(opus-tools)
  if ! python3 -c 'import playwright' 2>/dev/null && [ ! -x var/stack-venv/bin/python ]; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
  fi
fi
if [ "$purpose" = speech ]; then
  command -v opusdec >/dev/null || need+=(opus-tools)
  if ! python3 -c 'import pocketsphinx, jiwer' 2>/dev/null && [ ! -x var/stack-venv/bin/python ]; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
  fi
fi
if [ "$purpose" = contract ] && [ ! -x var/stack-venv/bin/python ]; then
  python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
fi
if [ "$purpose" = check ]; then
  command -v docker-compose >/dev/null || need+=(docker-compose)
  # Any kubectl will do (Debian 12's is 1.20; the manifests keep to its kustomize, see
  # deploy/kubernetes/base/common/kustomization.yaml).
  command -v kubectl >/dev/null || need+=(kubernetes-client)
  if ! command -v check-jsonschema >/dev/null && [ ! -x var/stack-venv/bin/check-jsonschema ]; then
    python3 -c 'import venv, ensurepip' 2>/dev/null || need+=(python3-venv)
  fi
fi

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "stack tools: installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  else
    echo "stack tools missing: ${need[*]}" >&2
    echo "install them with:  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
fi

if [ "$purpose" = check ] && ! command -v check-jsonschema >/dev/null && [ ! -x var/stack-venv/bin/check-jsonschema ]; then
  echo "stack tools: installing check-jsonschema into var/stack-venv"
  python3 -m venv var/stack-venv
  var/stack-venv/bin/python -m pip install --quiet --disable-pip-version-check check-jsonschema \
    || { echo "could not install check-jsonschema; run: python3 -m venv var/stack-venv && var/stack-venv/bin/pip install check-jsonschema" >&2; exit 1; }
fi

# The Kubernetes checks' Python tools, pinned: a new checkov release adds checks, which would fail
# `make test` on a change nobody made here. Both in the venv, where check-checkov.py and check.sh
# look for them (about a minute to install, once).
KUBERNETES_VALIDATE_VERSION=1.37.0
CHECKOV_VERSION=3.3.30
# (importlib.metadata rather than `pip show`: a tenth of the time on every `make stack-check`.)
pinned() { var/stack-venv/bin/python -c 'import sys, importlib.metadata as m; sys.exit(m.version(sys.argv[1]) != sys.argv[2])' "$1" "$2" 2>/dev/null; }
if [ "$purpose" = check ] && ! { [ -x var/stack-venv/bin/kubernetes-validate ] && [ -x var/stack-venv/bin/checkov ] \
    && pinned kubernetes-validate "$KUBERNETES_VALIDATE_VERSION" && pinned checkov "$CHECKOV_VERSION"; }; then
  echo "stack tools: installing kubernetes-validate $KUBERNETES_VALIDATE_VERSION and checkov $CHECKOV_VERSION into var/stack-venv"
  [ -x var/stack-venv/bin/python ] || python3 -m venv var/stack-venv
  var/stack-venv/bin/python -m pip install --quiet --disable-pip-version-check \
      "kubernetes-validate==$KUBERNETES_VALIDATE_VERSION" "checkov==$CHECKOV_VERSION" \
    || { echo "could not install them; run: python3 -m venv var/stack-venv && var/stack-venv/bin/pip install kubernetes-validate==$KUBERNETES_VALIDATE_VERSION checkov==$CHECKOV_VERSION" >&2; exit 1; }
fi

# The browser test runs in the venv when the system Python lacks Playwright, and starts the fleet
# through nativefleet.py, which reads the fleet's YAML: so the venv needs PyYAML too (a venv does
# not see the system's python3-yaml).
if [ "$purpose" = browser ] && ! python3 -c 'import playwright' 2>/dev/null \
    && ! { [ -x var/stack-venv/bin/python ] && var/stack-venv/bin/python -c 'import playwright, yaml' 2>/dev/null; }; then
  echo "stack tools: installing playwright and pyyaml into var/stack-venv (it drives the system's chromium; no browser download)"
  [ -x var/stack-venv/bin/python ] || python3 -m venv var/stack-venv
  var/stack-venv/bin/python -m pip install --quiet --disable-pip-version-check playwright pyyaml \
    || { echo "could not install playwright; run: python3 -m venv var/stack-venv && var/stack-venv/bin/pip install playwright pyyaml" >&2; exit 1; }
fi

if [ "$purpose" = speech ] && ! python3 -c 'import pocketsphinx, jiwer' 2>/dev/null \
    && ! { [ -x var/stack-venv/bin/python ] && var/stack-venv/bin/python -c 'import pocketsphinx, jiwer' 2>/dev/null; }; then
  echo "stack tools: installing pocketsphinx and jiwer into var/stack-venv (the recognizer brings its own English model)"
  [ -x var/stack-venv/bin/python ] || python3 -m venv var/stack-venv
  var/stack-venv/bin/python -m pip install --quiet --disable-pip-version-check pocketsphinx==5.1.1 jiwer \
    || { echo "could not install pocketsphinx; run: python3 -m venv var/stack-venv && var/stack-venv/bin/pip install pocketsphinx==5.1.1 jiwer" >&2; exit 1; }
fi

SCHEMATHESIS_VERSION=4.32.5
if [ "$purpose" = contract ] && ! { [ -x var/stack-venv/bin/schemathesis ] \
    && var/stack-venv/bin/python -m pip show schemathesis 2>/dev/null | grep -qx "Version: $SCHEMATHESIS_VERSION"; }; then
  echo "stack tools: installing schemathesis $SCHEMATHESIS_VERSION into var/stack-venv"
  [ -x var/stack-venv/bin/python ] || python3 -m venv var/stack-venv
  var/stack-venv/bin/python -m pip install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION" \
    || { echo "could not install schemathesis; run: python3 -m venv var/stack-venv && var/stack-venv/bin/pip install schemathesis==$SCHEMATHESIS_VERSION" >&2; exit 1; }
fi
