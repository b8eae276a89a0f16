"""The project file's schema: everything read from disk is checked here, once, at load.

Two passes. pydantic checks the *shape* (types, signs, lengths: a list where a
number belongs, a negative index, a 10 MB label); then :func:`check_project`
checks what depends on the rest of the file (indices within the transcript,
retypes that overlap, a history step that does not apply). Either way the
error is one line naming the field, e.g. ``history.steps[3].deleted[0]: run
890:900 is outside the transcript (it has 52 words)``. Inside the engine the
types are then trusted.

Sizes are bounded here too, so a hostile or corrupted file cannot make a load
take unbounded memory or time (``[[0, 10**12]]`` as a deleted run is 1e12 ints
once expanded; it is refused before anything is expanded).
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal, Optional

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
)

from .edl import (
    MAX_TUNING_CHOICES,
    MAX_TUNING_GAIN_DB,
    MAX_TUNING_SHIFT_MS,
    MAX_TUNING_TEMPO,
    MIN_TUNING_TEMPO,
)

MAX_WORDS = 2_000_000  # ~200 h of speech; more is not a lecture
MAX_WORD_CHARS = 1_000
MAX_LABEL_CHARS = 200
MAX_TEXT_CHARS = 10_000_000  # absolute ceiling for one retype; the real limit depends on the transcript
MAX_STEPS = 1_000  # history.MAX_UNDO_STEPS states are written, so at most one fewer steps
MAX_SECONDS = 10_000_000.0  # ~115 days: any time beyond is a corrupted number


def _pair(*types: Any) -> Any:
    """A JSON array of exactly these item types (a tuple that accepts a list; its items stay strict)."""
    return Annotated[tuple[types], Strict(False)]


Run = _pair(StrictInt, StrictInt)  # half-open [start, end) of source word indices
PausePair = _pair(StrictInt, StrictInt)  # (before: the word after the pause, keep_ms) of a shortened pause


class _Model(BaseModel):
    # strict: "3" is not 3 and true is not 1 (a hand-edited file should be told, not guessed at);
    # unknown keys are ignored so that a newer minor addition still loads.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)


def _finite(v: float) -> float:
    if not math.isfinite(v):
        raise ValueError(f"{v} is not a finite number")
    return v


class FingerprintModel(_Model):
    size: int = Field(ge=0)
    head_tail_sha256: str = Field(pattern=r"^[0-9a-f]{64}$")


class VideoModel(_Model):
    index: int = Field(ge=0)
    codec: str
    width: int = Field(gt=0, le=1 << 16)
    height: int = Field(gt=0, le=1 << 16)
    fps: str = Field(pattern=r"^[1-9][0-9]{0,9}/[1-9][0-9]{0,9}$")  # an exact fraction, e.g. "30000/1001"
    n_frames: Optional[int] = Field(default=None, ge=0)
    pix_fmt: str
    rotation: int = 0
    color_space: str = ""
    color_range: str = ""
    start_s: float = Field(default=0.0, ge=-MAX_SECONDS, le=MAX_SECONDS)  # first frame's presentation time


class AudioModel(_Model):
    index: int = Field(ge=0)
    codec: str
    sample_rate: int = Field(gt=0, le=10_000_000)
    channels: int = Field(gt=0, le=1024)
    duration_s: Optional[float] = Field(default=None, ge=0)
    start_s: float = Field(default=0.0, ge=-MAX_SECONDS, le=MAX_SECONDS)  # first sample's presentation time

    @field_validator("duration_s")
    @classmethod
    def finite(cls, v: Optional[float]) -> Optional[float]:
        return v if v is None else _finite(v)


class MediaModel(_Model):
    path: str
    format_name: str
    duration_s: float = Field(ge=0, le=MAX_SECONDS)
    size_bytes: int = Field(ge=0)
    video: Optional[VideoModel] = None
    audio: Optional[AudioModel] = None

    @field_validator("duration_s")
    @classmethod
    def finite(cls, v: float) -> float:
        return _finite(v)


class SettingsModel(_Model):
    model: str = "auto"
    language: Optional[str] = None
    backend: Literal["whisper", "faster-whisper"] = "whisper"
    crossfade_ms: int = Field(default=10, ge=0, le=1000)
    min_pause_ms: int = Field(default=40, ge=0, le=10_000)


class WordModel(_Model):
    text: str = Field(max_length=MAX_WORD_CHARS)
    start: float = Field(ge=0, le=MAX_SECONDS)
    end: float = Field(ge=0, le=MAX_SECONDS)
    p: float = Field(default=1.0, ge=0, le=1)
    phones: list[_pair(StrictStr, StrictFloat, StrictFloat)] = Field(default_factory=list, max_length=1000)
    raw: Optional[_pair(StrictFloat, StrictFloat)] = None

    @field_validator("start", "end")
    @classmethod
    def finite(cls, v: float) -> float:
        return _finite(v)


class LanguageCheckModel(_Model):
    language: str
    probability: Optional[float] = Field(default=None, ge=0, le=1)
    forced: bool = False
    alternatives: list[_pair(StrictStr, StrictFloat)] = Field(default_factory=list, max_length=200)
    uncertain: bool = False
    reason: str = Field(default="", max_length=10_000)


class TranscriptModel(_Model):
    version: int = Field(default=1, ge=1)
    language: str = ""
    model: str = ""
    backend: str = "whisper"
    duration: float = Field(default=0.0, ge=0, le=MAX_SECONDS)
    refinement: str = "none"
    meta: dict[str, Any] = Field(default_factory=dict)
    language_check: Optional[LanguageCheckModel] = None
    words: list[WordModel] = Field(max_length=MAX_WORDS)

    @field_validator("duration")
    @classmethod
    def finite(cls, v: float) -> float:
        return _finite(v)


class TuningModel(_Model):
    """A retype's voice tuning (edl.VoiceTuning); absent keys are the defaults. Out-of-range values
    are refused, not clamped: the app never writes them, so the file was damaged or hand-edited."""

    choices: list[Run] = Field(default_factory=list, max_length=MAX_TUNING_CHOICES)  # (unit, source word)
    gain_db: float = Field(default=0.0, ge=-MAX_TUNING_GAIN_DB, le=MAX_TUNING_GAIN_DB)
    tempo: float = Field(default=1.0, ge=MIN_TUNING_TEMPO, le=MAX_TUNING_TEMPO)
    shift_ms: int = Field(default=0, ge=-MAX_TUNING_SHIFT_MS, le=MAX_TUNING_SHIFT_MS)

    @field_validator("gain_db", "tempo")
    @classmethod
    def finite(cls, v: float) -> float:
        return _finite(v)


class ReplacementModel(_Model):
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str = Field(min_length=1, max_length=MAX_TEXT_CHARS)
    tuning: Optional[TuningModel] = None  # absent in projects written before voice tuning (and when default)


class EdlModel(_Model):
    n_words: int = Field(ge=0, le=MAX_WORDS)
    deleted: list[Run] = Field(default_factory=list, max_length=MAX_WORDS)
    replacements: list[ReplacementModel] = Field(default_factory=list, max_length=MAX_WORDS)
    pauses: list[PausePair] = Field(default_factory=list, max_length=MAX_WORDS)  # absent before the clean-up


class StepModel(_Model):
    """One history step as the difference from the step before (format 2)."""

    label: str = Field(default="edit", max_length=MAX_LABEL_CHARS)
    deleted: list[Run] = Field(default_factory=list, max_length=MAX_WORDS)  # runs newly deleted
    restored: list[Run] = Field(default_factory=list, max_length=MAX_WORDS)  # runs no longer deleted
    retyped: list[ReplacementModel] = Field(default_factory=list, max_length=MAX_WORDS)  # retypes added
    unretyped: list[Run] = Field(default_factory=list, max_length=MAX_WORDS)  # (start, end) of retypes removed
    paused: list[PausePair] = Field(default_factory=list, max_length=MAX_WORDS)  # pauses shortened (or changed)
    unpaused: list[StrictInt] = Field(default_factory=list, max_length=MAX_WORDS)  # pauses back as recorded


class HistoryV2Model(_Model):
    index: int = Field(ge=0)
    base_label: str = Field(default="open", max_length=MAX_LABEL_CHARS)
    base: EdlModel
    steps: list[StepModel] = Field(default_factory=list, max_length=MAX_STEPS)


class HistoryV1Model(_Model):
    """Format 1: every state stored in full (read for old projects, never written)."""

    index: int = 0
    labels: list[str] = Field(default_factory=list, max_length=MAX_STEPS + 1)
    states: list[EdlModel] = Field(min_length=1, max_length=MAX_STEPS + 1)


class OwnerModel(_Model):
    pid: int = Field(gt=0)
    host: str = ""


class ProjectModel(_Model):
    format: Literal["lecturecut-project"]
    version: int = Field(ge=1)
    source: str = Field(min_length=1)
    fingerprint: FingerprintModel
    media: MediaModel
    settings: SettingsModel = Field(default_factory=SettingsModel)
    transcript: TranscriptModel
    history: dict[str, Any]  # checked by HistoryV1Model / HistoryV2Model, chosen by ``version``
    ui: dict[str, Any] = Field(default_factory=dict)
    autosave_owner: Optional[OwnerModel] = None  # only in autosaves: which process wrote it


class Invalid(ValueError):
    """A schema violation: ``where`` (a field path) and ``what``."""

    def __init__(self, where: str, what: str) -> None:
        super().__init__(f"{where}: {what}" if where else what)
        self.where, self.what = where, what


def field_path(loc: tuple[Any, ...], prefix: str = "") -> str:
    """('history', 'steps', 3, 'deleted', 0) -> 'history.steps[3].deleted[0]'."""
    out = prefix
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(model: type[_Model], data: Any, prefix: str = "") -> Any:
    """``model.model_validate(data)``, with the first error as :class:`Invalid`."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors(include_url=False)[0]
        msg = str(first.get("msg", "invalid"))
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, "):]
        got = first.get("input")
        if first.get("type") not in ("missing",) and not isinstance(got, (dict, list)):
            msg += f" (found {_short(got)})"
        elif isinstance(got, list) and first.get("type", "").endswith("too_long"):
            msg += f" (found {len(got)} items)"
        raise Invalid(field_path(tuple(first.get("loc", ())), prefix), msg) from None


# ---------------------------------------------------------------- checks that need the whole file
def check_runs(runs: list[Run], n_words: int, where: str) -> None:
    for k, (a, b) in enumerate(runs):
        if not (0 <= a < b <= n_words):
            if a >= b:
                raise Invalid(f"{where}[{k}]", f"run {a}:{b} is empty or backwards (start must be before end)")
            raise Invalid(f"{where}[{k}]", f"run {a}:{b} is outside the transcript (it has {n_words} words)")


def check_replacements(reps: list[ReplacementModel], n_words: int, max_chars: int, where: str) -> None:
    for k, r in enumerate(reps):
        if r.start > r.end:
            raise Invalid(f"{where}[{k}]", f"start {r.start} is after end {r.end}")
        if r.end > n_words:
            raise Invalid(f"{where}[{k}]", f"range {r.start}:{r.end} is outside the transcript "
                                           f"(it has {n_words} words)")
        if len(r.text) > max_chars:
            raise Invalid(f"{where}[{k}].text", f"{len(r.text)} characters is more than {max_chars} "
                                                f"(a few times the transcript's length)")
        if r.tuning is not None:
            _check_choices(r.tuning.choices, n_words, f"{where}[{k}].tuning.choices")


def check_pauses(pauses: list[Any], n_words: int, where: str) -> None:
    from .edl import MAX_PAUSE_KEEP_MS, MIN_PAUSE_KEEP_MS

    seen: set[int] = set()
    for k, (before, keep_ms) in enumerate(pauses):
        if not 0 < before < n_words:
            raise Invalid(f"{where}[{k}]",
                          f"there is no pause before word {before} (the transcript has {n_words} words)")
        if not MIN_PAUSE_KEEP_MS <= keep_ms <= MAX_PAUSE_KEEP_MS:
            raise Invalid(f"{where}[{k}]",
                          f"a pause keeps {MIN_PAUSE_KEEP_MS} to {MAX_PAUSE_KEEP_MS} ms, not {keep_ms}")
        if before in seen:
            raise Invalid(f"{where}[{k}]", f"the pause before word {before} is given twice")
        seen.add(before)


def _check_choices(choices: list[Run], n_words: int, where: str) -> None:
    units: set[int] = set()
    for k, (unit, word) in enumerate(choices):
        if unit < 0 or not 0 <= word < n_words:
            raise Invalid(f"{where}[{k}]", f"unit {unit} = word {word}: the unit must be 0 or more and the word "
                                           f"one of the transcript's (it has {n_words} words)")
        if unit in units:
            raise Invalid(f"{where}[{k}]", f"unit {unit} is chosen twice")
        units.add(unit)
