"""Word-level transcript types: frozen, integer-timed, JSON round-trip.

Every time inside ``asr`` is an integer sample index at ``SAMPLE_RATE``
(16 kHz, the rate Whisper and the aligners work at). Float seconds appear
only at the edges: JSON files, the command line and the GUI.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any, Iterable

SAMPLE_RATE = 16_000  # Hz; every asr time is a sample index at this rate
JSON_DECIMALS = 5  # seconds in JSON: 10 µs steps round-trip every 62.5 µs sample exactly
JSON_VERSION = 1


def to_samples(seconds: float) -> int:
    """Seconds (edge value) -> integer sample index at SAMPLE_RATE."""
    return int(round(seconds * SAMPLE_RATE))


def to_seconds(samples: int) -> float:
    return samples / SAMPLE_RATE


_WORD_CHARS = re.compile(r"[^\w']+", re.UNICODE)


def normalize_word(text: str) -> str:
    """Case- and punctuation-free form used to compare words ("Hello," == "hello")."""
    return _WORD_CHARS.sub("", text.casefold()).strip("'")


@dataclass(frozen=True)
class Phone:
    """One phone of a word, ARPAbet without stress digits (``AH``, ``T``), or ``SIL``."""

    label: str
    start: int  # samples @ SAMPLE_RATE
    end: int  # samples @ SAMPLE_RATE, exclusive

    def to_json(self) -> list[Any]:
        return [self.label, round(to_seconds(self.start), JSON_DECIMALS), round(to_seconds(self.end), JSON_DECIMALS)]

    @staticmethod
    def from_json(data: list[Any]) -> "Phone":
        return Phone(str(data[0]), to_samples(float(data[1])), to_samples(float(data[2])))


@dataclass(frozen=True)
class Word:
    """One recognised word with refined boundaries.

    ``start``/``end`` are the refined boundaries that cuts use; ``raw_start``
    and ``raw_end`` keep what the recogniser said before refinement, so the
    refinement can be measured and undone.
    """

    text: str  # as spoken, with punctuation, no leading space ("Hello,")
    start: int  # samples @ SAMPLE_RATE
    end: int  # samples @ SAMPLE_RATE, exclusive
    probability: float = 1.0
    phones: tuple[Phone, ...] = ()
    raw_start: int | None = None
    raw_end: int | None = None
    # a filler sound ("uh", "ähm") that Whisper left out, recovered from the audio (asr/fillers.py)
    filler: bool = False

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"word {self.text!r} ends ({self.end}) before it starts ({self.start})")

    @property
    def start_s(self) -> float:
        return to_seconds(self.start)

    @property
    def end_s(self) -> float:
        return to_seconds(self.end)

    @property
    def norm(self) -> str:
        return normalize_word(self.text)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "text": self.text,
            "start": round(self.start_s, JSON_DECIMALS),
            "end": round(self.end_s, JSON_DECIMALS),
            "p": round(float(self.probability), 4),
        }
        if self.phones:
            out["phones"] = [p.to_json() for p in self.phones]
        if self.raw_start is not None and self.raw_end is not None:
            out["raw"] = [round(to_seconds(self.raw_start), JSON_DECIMALS),
                          round(to_seconds(self.raw_end), JSON_DECIMALS)]
        if self.filler:
            out["filler"] = True
        return out

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Word":
        raw = data.get("raw")
        return Word(
            text=str(data["text"]),
            start=to_samples(float(data["start"])),
            end=to_samples(float(data["end"])),
            probability=float(data.get("p", 1.0)),
            phones=tuple(Phone.from_json(p) for p in data.get("phones", ())),
            raw_start=to_samples(float(raw[0])) if raw else None,
            raw_end=to_samples(float(raw[1])) if raw else None,
            filler=bool(data.get("filler", False)),
        )


@dataclass(frozen=True)
class LanguageCheck:
    """Which language a transcript was made in, and how sure lecturecut is of it.

    Front ends show ``reason`` and offer to transcribe again in one of the
    ``alternatives`` when ``uncertain``.
    """

    language: str  # the language transcribed ("en")
    probability: float | None  # detected probability among the candidates, None when forced by the user
    forced: bool  # True when the user gave --language
    alternatives: tuple[tuple[str, float], ...]  # other candidates, most likely first
    uncertain: bool  # detection unsure, or the transcript looks implausible
    reason: str  # one line for the user when uncertain, "" otherwise

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "probability": None if self.probability is None else round(float(self.probability), 4),
            "forced": self.forced,
            "alternatives": [[code, round(float(p), 4)] for code, p in self.alternatives],
            "uncertain": self.uncertain,
            "reason": self.reason,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> "LanguageCheck":
        p = data.get("probability")
        return LanguageCheck(
            language=str(data["language"]),
            probability=None if p is None else float(p),
            forced=bool(data.get("forced", False)),
            alternatives=tuple((str(code), float(q)) for code, q in data.get("alternatives", ())),
            uncertain=bool(data.get("uncertain", False)),
            reason=str(data.get("reason", "")),
        )


@dataclass(frozen=True)
class Transcript:
    """The words of one recording, in order, plus how they were obtained."""

    words: tuple[Word, ...]
    language: str  # ISO 639-1 ("en", "de")
    model: str  # model name or path used
    backend: str = "whisper"  # "whisper" | "faster-whisper"
    duration: int = 0  # samples @ SAMPLE_RATE of the audio that was transcribed
    refinement: str = "none"  # "pocketsphinx" | "acoustic" | "none"
    meta: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)
    # None in projects saved before the check existed and in transcripts built by hand
    language_check: LanguageCheck | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "words", tuple(self.words))

    def __len__(self) -> int:
        return len(self.words)

    @property
    def text(self) -> str:
        return " ".join(w.text for w in self.words)

    def with_words(self, words: Iterable[Word], refinement: str | None = None) -> "Transcript":
        return replace(self, words=tuple(words), refinement=refinement or self.refinement)

    def to_json(self) -> dict[str, Any]:
        return {
            "version": JSON_VERSION,
            "language": self.language,
            "model": self.model,
            "backend": self.backend,
            "duration": round(to_seconds(self.duration), JSON_DECIMALS),
            "refinement": self.refinement,
            "meta": dict(self.meta),
            "language_check": None if self.language_check is None else self.language_check.to_json(),
            "words": [w.to_json() for w in self.words],
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Transcript":
        version = int(data.get("version", 1))
        if version > JSON_VERSION:
            raise ValueError(
                f"transcript format version {version} is newer than this lecturecut understands "
                f"({JSON_VERSION}); update lecturecut"
            )
        return Transcript(
            words=tuple(Word.from_json(w) for w in data["words"]),
            language=str(data.get("language", "")),
            model=str(data.get("model", "")),
            backend=str(data.get("backend", "whisper")),
            duration=to_samples(float(data.get("duration", 0.0))),
            refinement=str(data.get("refinement", "none")),
            meta=dict(data.get("meta", {})),
            language_check=LanguageCheck.from_json(check) if (check := data.get("language_check")) else None,
        )
