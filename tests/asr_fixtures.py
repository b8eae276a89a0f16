"""Shared helpers for the asr tests: real media, real models, loaded once per process.

Engines are cached with functools.cache rather than a session fixture so the
test modules that import them share one copy (a fixture imported into two
modules would be set up twice). Converted models live in the lecturecut
cache (``$LECTURECUT_CACHE``, default ``~/.cache/lecturecut``), so only the
first run on a machine pays for the conversion.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
from testmedia import JFK as JFK_NAME
from testmedia import MEDIA_DIR as MEDIA
from testmedia import WEBCAM as WEBCAM_NAME
from testmedia import media_path

from lecturecut.resources import SAMPLE_LECTURE as OBAMA  # noqa: F401 - re-exported for the test modules

JFK = MEDIA / JFK_NAME
WEBCAM = MEDIA / WEBCAM_NAME
# (audio, hand-labelled words)
LABELLED = (
    ("praatio_bobby.wav", "praatio_bobby_words.TextGrid"),
    ("praatio_mary.wav", "praatio_mary.TextGrid"),
    ("grid_s2_swwp2s.mpg", "grid_s2_swwp2s.words.tsv"),
)
GERMAN_TEXT = (
    "Guten Morgen, meine Damen und Herren. Heute sprechen wir über die Geschichte der "
    "deutschen Sprache und darüber, wie sich die Wörter im Laufe der Jahrhunderte verändert haben."
)


def need_media(*paths: Path) -> None:
    for path in paths:
        media_path(path.name)  # fails the test when a committed recording is missing


@functools.cache
def engine(model: str = "tiny.en", backend: str = "whisper"):
    from lecturecut.asr.transcribe import load_engine

    return load_engine(model, backend=backend)


@functools.cache
def decoded(name: str) -> np.ndarray:
    from lecturecut.media import decode_audio

    return decode_audio(media_path(name), 16_000)


@functools.cache
def raw_transcript(name: str, backend: str = "whisper"):
    """tiny.en transcript of a media clip with Whisper's own word times (no refinement)."""
    from lecturecut.asr.transcribe import transcribe

    return transcribe(decoded(name), model=engine("tiny.en", backend), language="en", refine=False)


@functools.cache
def german_wav(folder: str) -> Path:
    """A German sentence spoken by espeak-ng (skips when espeak-ng is not installed)."""
    exe = shutil.which("espeak-ng")
    if exe is None:  # scripts/setup.sh installs it: a missing one is a broken set-up, not a reason to test less
        pytest.fail("espeak-ng is not installed (Debian: apt-get install espeak-ng; scripts/setup.sh does it)")
    out = Path(folder) / "german_espeak.wav"
    subprocess.run([exe, "-v", "de", "-s", "150", "-w", str(out), GERMAN_TEXT], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return out


@functools.cache
def german_transcript(folder: str):
    """The espeak German sentence transcribed by base with language detection, refined acoustically."""
    from lecturecut.asr.transcribe import transcribe

    return transcribe(german_wav(folder), model=engine("base", "whisper"))


def assert_well_formed(words, duration: int) -> None:
    """In order, no overlap, start < end, inside the audio; phones inside their word."""
    previous_end = 0
    for w in words:
        assert w.start < w.end, w
        assert w.start >= previous_end, (w, previous_end)
        assert w.end <= duration, (w, duration)
        previous_end = w.end
        phone_end = w.start
        for p in w.phones:
            assert w.start <= p.start < p.end <= w.end, (w.text, p)
            assert p.start >= phone_end
            phone_end = p.end
