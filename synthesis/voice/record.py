"""What the voice engine returns and records: new audio and exactly how it was made.

The product rule: synthetic speech is never silent about itself. Every span
says its method, which recorded words it used and from where, what was done
to them, and where each word and phone sounds in the new audio; the record is
stored beside the cached audio and listed by :func:`listing.synthesized_spans`.
Times here are integer samples at the span's ``rate`` (the rate it was asked
for, normally the source's audio rate), never float seconds.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from lecturecut.core import LecturecutError

from ..edl import DEFAULT_TUNING, Replacement, VoiceTuning
from .match import MatchPlan
from .prosody import Fit

METHOD_REUSED = "reused"  # every word is a recorded occurrence of itself
METHOD_UNITS = "units"  # a word built from the lecturer's recorded half-phones (units.build_word)
METHOD_GENERIC = "generic"  # a generic TTS voice matched to the lecturer (tts + match): flagged "generic voice"
METHODS = (METHOD_REUSED, METHOD_UNITS, METHOD_GENERIC)  # best first: a span records its weakest


def weakest(methods) -> str:
    """The method a span mixing ``methods`` is recorded as (generic < units < reused)."""
    return max(methods, key=METHODS.index, default=METHOD_REUSED)


class VoiceError(LecturecutError):
    """A retype the voice engine cannot say; the edit stays pending and nothing is lost."""


class VoiceUnavailable(VoiceError):
    """The lecture never says some of the new words and no backend can build them."""

    def __init__(self, message: str, words: tuple[str, ...]) -> None:
        super().__init__(message)
        self.words = words  # the typed words that are missing, as typed


class NothingToSay(VoiceError):
    """The new text has no spoken word (empty, or punctuation only)."""


class TooLong(VoiceError):
    """The new text is longer than the voice engine builds in one span."""


@dataclass(frozen=True)
class SourceUse:
    """One stretch of the new audio and what it was made from.

    ``method`` says how: "reused" (a recorded run of source words, ``words``/``source``
    point at it), "units" (a word built from recorded half-phones: ``pieces`` are the
    source ranges of each contiguous run, ``source`` their hull, ``words`` the source
    words they came from) or "generic" (a TTS voice: ``backend``/``voice`` name it,
    ``match`` is what was done to sit it in the lecture; ``words`` and ``source`` are empty).
    """

    words: tuple[int, int]  # source word indices [start, end)
    text: str  # their transcript text ("your country"); for units/generic the typed word
    source: tuple[int, int]  # samples @ rate: the source audio that was read (words plus margins)
    output: tuple[int, int]  # samples @ rate in the new audio where that stretch sounds (after the fit)
    fit: Fit  # what was done to it (stretch, pitch, gain); identity for units/generic (PSOLA/match say it)
    alternatives: tuple[int, ...]  # first source word of every ranked occurrence, best first (the GUI's choice)
    method: str = METHOD_REUSED
    pieces: tuple[tuple[int, int], ...] = ()  # units: half-phone runs' source ranges, samples @ rate
    phones: tuple[str, ...] = ()  # units/generic: the phones said (ARPAbet for units, the backend's for generic)
    backend: str = ""  # generic: the TTS backend ("piper") and its voice
    voice: str = ""
    match: MatchPlan | None = None  # generic: loudness gain, EQ and room tone applied

    def to_json(self) -> dict[str, Any]:
        d = {"words": list(self.words), "text": self.text, "source": list(self.source),
             "output": list(self.output), "fit": self.fit.to_json(), "alternatives": list(self.alternatives),
             "method": self.method, "pieces": [list(p) for p in self.pieces], "phones": list(self.phones),
             "backend": self.backend, "voice": self.voice}
        if self.match is not None:
            d["match"] = asdict(self.match)
        return d

    @staticmethod
    def from_json(d: dict[str, Any]) -> "SourceUse":
        m = d.get("match")
        match = None if m is None else MatchPlan(**{**m, "eq_hz": tuple(m["eq_hz"]), "eq_db": tuple(m["eq_db"])})
        return SourceUse(tuple(d["words"]), str(d["text"]), tuple(d["source"]), tuple(d["output"]),
                         Fit.from_json(d["fit"]), tuple(int(a) for a in d["alternatives"]),
                         str(d.get("method", METHOD_REUSED)), tuple(tuple(p) for p in d.get("pieces", ())),
                         tuple(d.get("phones", ())), str(d.get("backend", "")), str(d.get("voice", "")), match)

    @property
    def summary(self) -> str:
        """One line for a front end: "reused 'country' (words 14-15)", "generic voice (piper en_US-joe)"."""
        if self.method == METHOD_GENERIC:
            return f"'{self.text}': generic voice ({self.backend} {self.voice})"
        if self.method == METHOD_UNITS:
            return (f"'{self.text}': built from {len(self.pieces)} runs of the lecturer's phones "
                    f"(words {self.words[0]}-{self.words[1] - 1})")
        return f"'{self.text}': reused (words {self.words[0]}-{self.words[1] - 1})"


@dataclass(frozen=True)
class Timed:
    """A word or phone in the new audio: ``label`` sounds over samples ``[start, end)`` @ rate."""

    label: str
    start: int
    end: int
    source_word: int  # the source word it was taken from

    def to_json(self) -> list:
        return [self.label, self.start, self.end, self.source_word]

    @staticmethod
    def from_json(d: list) -> "Timed":
        return Timed(str(d[0]), int(d[1]), int(d[2]), int(d[3]))


@dataclass(frozen=True)
class SpanRecord:
    """Everything about one synthesized span except its samples (what the cache stores as JSON)."""

    replacement: Replacement
    rate: int  # Hz of every time below
    n_samples: int  # length of the audio
    source_range: tuple[int, int]  # samples @ rate: the source stretch this audio replaces
    method: str  # one of METHODS: the weakest of its sources' (generic < units < reused)
    sources: tuple[SourceUse, ...]
    words: tuple[Timed, ...]  # recorded words in the new audio
    phones: tuple[Timed, ...]  # their phones (ARPAbet, from the alignment) where the sources had phones
    room_tone: tuple[tuple[int, int], ...]  # samples @ rate of the source that padded the pauses
    engine_version: str
    key: str  # the cache key (content address)
    # The user's tuning as applied (``replacement.tuning`` is as asked): the choices honoured (none where
    # some word was built rather than reused), the shift as far as the room tone at the ends allowed.
    # The sources' ``fit`` is the engine's own; times above already include the tuning.
    tuning: VoiceTuning = DEFAULT_TUNING

    @property
    def duration_s(self) -> float:
        return self.n_samples / self.rate

    @property
    def generic(self) -> bool:
        """True when some of it is a generic TTS voice, not the lecturer (flag it wherever shown)."""
        return self.method == METHOD_GENERIC

    def to_json(self) -> dict[str, Any]:
        return {"replacement": self.replacement.to_json(), "rate": self.rate, "n_samples": self.n_samples,
                "source_range": list(self.source_range), "method": self.method,
                "sources": [s.to_json() for s in self.sources], "words": [w.to_json() for w in self.words],
                "phones": [p.to_json() for p in self.phones], "room_tone": [list(r) for r in self.room_tone],
                "engine_version": self.engine_version, "key": self.key,
                **({"tuning": self.tuning.to_json()} if not self.tuning.is_default else {})}

    @staticmethod
    def from_json(d: dict[str, Any]) -> "SpanRecord":
        return SpanRecord(Replacement.from_json(d["replacement"]), int(d["rate"]), int(d["n_samples"]),
                          tuple(d["source_range"]), str(d["method"]),
                          tuple(SourceUse.from_json(s) for s in d["sources"]),
                          tuple(Timed.from_json(w) for w in d["words"]),
                          tuple(Timed.from_json(p) for p in d["phones"]),
                          tuple(tuple(r) for r in d["room_tone"]), str(d["engine_version"]), str(d["key"]),
                          VoiceTuning.from_json(d.get("tuning")))  # records before tuning have none


@dataclass(frozen=True, eq=False)
class SynthesizedSpeech:
    """New speech for one retype, ready to mix: play ``audio`` in place of the source's ``source_range``.

    ``audio`` is mono float32 ``(n,)`` at ``record.rate``; the renderer puts it on every output
    channel. It starts and ends with the lecture's own room tone (at least ``MIN_PAD_S``), so
    the joins' crossfades mix pause with pause.
    """

    audio: np.ndarray  # (n,) float32 @ record.rate
    record: SpanRecord
    cached: bool  # True when read back from the cache (no analysis, no resynthesis)

    @property
    def rate(self) -> int:
        return self.record.rate

    @property
    def method(self) -> str:
        return self.record.method

    @property
    def sources(self) -> tuple[SourceUse, ...]:
        return self.record.sources

    @property
    def phones(self) -> tuple[Timed, ...]:
        return self.record.phones

    @property
    def words(self) -> tuple[Timed, ...]:
        return self.record.words

    @property
    def source_range(self) -> tuple[int, int]:
        return self.record.source_range

    @property
    def duration(self) -> int:
        """Samples @ rate."""
        return len(self.audio)

    @property
    def duration_s(self) -> float:
        return len(self.audio) / self.record.rate
