#!/usr/bin/env bash
# Set everything up, then run the main job: the desktop app on the bundled
# sample lecture (or on the file given), or — where no display is available —
# the same sample edit headless, writing lecturecut-demo/*_edited.mp4.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
. .venv/bin/activate
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec lecturecut open "${1:-resources/sample/sample_lecture.mp4}"
else
  echo "run: no display found; running the sample edit headless" >&2
  exec lecturecut demo ${1:+"$1"} -o lecturecut-demo
fi
