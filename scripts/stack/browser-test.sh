#!/usr/bin/env bash
# `make browser-test`: scripts/stack/browser_test.py with a Python that has Playwright — the system's
# when it can import it, else the one in var/stack-venv that `ensure-tools.sh browser` fills.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=python3
python3 -c 'import playwright' 2>/dev/null || python=var/stack-venv/bin/python
exec "$python" scripts/stack/browser_test.py "$@"
