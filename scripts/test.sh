#!/usr/bin/env bash
# Set everything up, then run the whole test suite (real models, real media, offscreen Qt).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
export QT_QPA_PLATFORM=offscreen
python -m pytest -q -ra "$@"
