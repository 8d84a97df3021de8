#!/usr/bin/env bash
# `make speech-test`: scripts/speech/intelligibility_test.py with a Python that has pocketsphinx and
# jiwer — the system's when it can import them, else the one in var/stack-venv that
# `ensure-tools.sh speech` fills.
set -euo pipefail
cd "$(dirname "$0")/../.."
python=python3
python3 -c 'import pocketsphinx, jiwer' 2>/dev/null || python=var/stack-venv/bin/python
exec "$python" scripts/speech/intelligibility_test.py "$@"
