#!/usr/bin/env bash
# Screenshots of the desktop app under a virtual X server: the first screen (poster while transcribing),
# deletion and retype on the bundled sample, the German UI, and the uncertain-language bar.
# Writes docs/screenshots/*.png. Needs xvfb-run (Debian: apt-get install xvfb) and Qt's xcb libraries
# (libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxkbcommon-x11-0).
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ -x "$PY" ] || PY=python3
export QT_QPA_PLATFORM=xcb
exec xvfb-run -a -s "-screen 0 1600x1000x24" "$PY" scripts/screenshots.py "$@"
