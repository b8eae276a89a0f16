"""The last-resort fallback voice: the system's ``espeak-ng`` (formant synthesis, GPL-3.0).

It sounds robotic, plainly not a person, and is used only when no neural voice
speaks the language (piper's joe voice is English only; espeak-ng speaks about
a hundred languages). It is a system package (Debian ``espeak-ng``), started as
a subprocess with an argument list, so nothing GPL is linked into lecturecut.
It gives no phone timings (``phones == ()``).
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from fractions import Fraction
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample_poly

from .tts import TtsFailed, TtsSpeech

BINARY = "espeak-ng"
TIMEOUT_S = 60  # a sentence takes milliseconds; a hung process must not hang an export


def _run(args: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(args, input=stdin, capture_output=True, text=True, timeout=TIMEOUT_S, check=True)
    except (OSError, subprocess.SubprocessError) as error:
        stderr = getattr(error, "stderr", "") or ""
        raise TtsFailed(f"{' '.join(args)} failed: {stderr.strip() or error}") from error


def parse_voices(listing: str) -> dict[str, str]:
    """``espeak-ng --voices`` output -> {ISO 639-1 language: espeak voice}, first voice per language.

    Lines look like `` 5  en-us           --/M      English_(America)  gmw/en-US ...``; the
    ``Language`` column is the voice name espeak-ng takes with ``-v``.
    """
    voices: dict[str, str] = {}
    for line in listing.splitlines()[1:]:
        cols = line.split()
        if len(cols) < 2:
            continue
        code = cols[1]
        base = code.split("-")[0].lower()
        # Prefer the plain/US voice for a base language ("en-us" over "en-gb-scotland"): shortest code wins,
        # except English, whose plain "en" is British while the sample lectures are American.
        best = voices.get(base)
        if best is None or (base == "en" and code == "en-us") or (len(code) < len(best) and best != "en-us"):
            voices[base] = code
    return voices


class EspeakBackend:
    """espeak-ng via its command line; a robotic voice, last resort."""

    name = "espeak-ng"
    licence = "espeak-ng GPL-3.0-or-later (a system package, run as a separate program)"
    quality = 1  # robotic: any neural voice that speaks the language goes first

    def __init__(self, binary: str = BINARY) -> None:
        self._binary = binary
        self._lock = threading.Lock()
        self._voices: dict[str, str] | None = None

    def available(self) -> bool:
        return shutil.which(self._binary) is not None

    def _voice_map(self) -> dict[str, str]:
        with self._lock:
            if self._voices is None:
                self._voices = parse_voices(_run([self._binary, "--voices"]).stdout) if self.available() else {}
            return self._voices

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self._voice_map()))

    def synthesize(self, text: str, language: str, rate: int) -> TtsSpeech:
        lang = language.split("-")[0].split("_")[0].lower()
        voice = self._voice_map().get(lang)
        if voice is None:
            raise TtsFailed(f"espeak-ng has no voice for '{language}'")
        if not text.strip():
            raise TtsFailed("nothing to say: the text is empty")
        with tempfile.TemporaryDirectory(prefix="lecturecut-espeak-") as tmp:
            wav = Path(tmp) / "speech.wav"
            # Text on stdin, never as an argument: a text starting with "-" would be read as an option.
            _run([self._binary, "-v", voice, "-w", str(wav), "--stdin"], stdin=text)
            audio, native = sf.read(str(wav), dtype="float32", always_2d=True)
        audio = audio.mean(axis=1)  # (n, ch) -> (n,)
        if native != rate:
            step = Fraction(rate, native)
            audio = resample_poly(audio.astype(np.float64), step.numerator, step.denominator)
        return TtsSpeech(np.clip(audio, -1.0, 1.0).astype(np.float32), rate, self.name, voice, ())
