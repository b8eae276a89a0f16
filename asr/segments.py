"""What a transcription backend hands back, and what it must offer.

Both backends and ``transcribe.py`` import these types from here (and never
from each other), so loading a backend does not import the transcriber and
no import cycle exists between them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from .transcript import Word


@dataclass(frozen=True)
class Segment:
    """One decoded Whisper segment: its words (absolute samples) and Whisper's confidence in it."""

    words: tuple[Word, ...]
    no_speech_prob: float  # Whisper's probability that the 30 s window it came from holds no speech
    avg_logprob: float  # mean log-probability per decoded token (natural log)

    @property
    def start(self) -> int:
        return self.words[0].start if self.words else 0

    @property
    def end(self) -> int:
        return self.words[-1].end if self.words else 0

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)


@dataclass(frozen=True)
class Window:
    """Audio [start, end) (samples) of speech, decoded in one backend call."""

    start: int
    end: int


def segment_from_words(words: Sequence[Word], no_speech_prob: float, avg_logprob: float) -> Segment:
    return Segment(tuple(words), no_speech_prob, avg_logprob)


@runtime_checkable
class Engine(Protocol):
    """What a backend's loaded model offers (see whisper_backend / faster_backend)."""

    backend: str
    model_name: str
    multilingual: bool

    def language_probabilities(self, audio: np.ndarray) -> Mapping[str, float]:
        """Whisper's full language distribution (all its languages, summing to 1) for at most 30 s of audio.

        An English-only model answers {"en": 1.0}.
        """
        ...

    def transcribe_window(
        self, audio: np.ndarray, language: str, offset: int, cancel: object | None = None
    ) -> list[Segment]: ...
