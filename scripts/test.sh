#!/usr/bin/env bash
# Set everything up, lint (ruff + the import-linter layer contracts), then run the whole test
# suite (real models, real media committed in tests/media, offscreen Qt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
python scripts/lint.py
export QT_QPA_PLATFORM=offscreen
python -m pytest -q -ra --durations=15 "$@"
