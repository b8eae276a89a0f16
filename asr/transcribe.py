"""Speech to a word-timed Transcript, whichever Whisper backend runs it.

``transcribe()`` decodes the audio, finds speech by its energy, and hands
the backend windows of at most ``WINDOW_MAX`` cut at pauses. Doing the
windowing here (instead of inside Whisper) gives three things a lecture
needs: progress after every window, cancellation between windows (and
inside them, see the backends), and no decoding at all of silence, which is
where Whisper hallucinates ("Thank you." over an empty room). The words are
then refined to exact boundaries (``refine.py``).

Backends implement a small contract: ``detect_language(audio)`` and
``transcribe_window(audio, language, offset, cancel) -> [Segment]``, with
their library's dicts converted to ``Word`` at their edge.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol, runtime_checkable

import numpy as np

from lecturecut.core import check_cancel
from lecturecut.core import ProgressFn, scaled

from .offline_models import AUTO, ModelUnavailableError, resolve_model
from .refine import HOP, EnergyTrack, compute_energy, refine_transcript, speech_mask, speech_regions, tidy_words
from .transcript import SAMPLE_RATE, Transcript, Word

WINDOW_MAX = SAMPLE_RATE * 28  # samples; under Whisper's 30 s so a window is one decoder pass
WINDOW_MIN_SPLIT = SAMPLE_RATE * 10  # a forced split of long speech goes no earlier than this
WINDOW_PAD = SAMPLE_RATE * 3 // 10  # 300 ms kept around speech (soft onsets, trailing consonants)
WINDOW_JOIN_GAP = SAMPLE_RATE * 2  # pauses shorter than this stay inside one window
SPLIT_SMOOTH_HOPS = 40  # 200 ms: a forced split goes in the quietest fifth of a second
# A segment whose words cover less speech than this is Whisper talking over silence.
MIN_SEGMENT_SPEECH = SAMPLE_RATE * 150 // 1000
# Whisper's own silence rule, applied again because faster-whisper and whisper differ in
# where they apply it: no-speech likely AND the text improbable.
NO_SPEECH_PROB = 0.6
LOW_LOGPROB = -1.0
# Share of the progress bar for each stage.
PROGRESS_DECODE, PROGRESS_TRANSCRIBE = 0.03, 0.85


@dataclass(frozen=True)
class Segment:
    """One decoded Whisper segment: its words (absolute samples) and confidence."""

    words: tuple[Word, ...]
    no_speech_prob: float
    avg_logprob: float

    @property
    def start(self) -> int:
        return self.words[0].start if self.words else 0

    @property
    def end(self) -> int:
        return self.words[-1].end if self.words else 0


def segment_from_words(words: Sequence[Word], no_speech_prob: float, avg_logprob: float) -> Segment:
    return Segment(tuple(words), no_speech_prob, avg_logprob)


@runtime_checkable
class Engine(Protocol):
    """What a backend's loaded model offers (see whisper_backend / faster_backend)."""

    backend: str
    model_name: str
    multilingual: bool

    def detect_language(self, audio: np.ndarray) -> tuple[str, float]: ...

    def transcribe_window(
        self, audio: np.ndarray, language: str, offset: int, cancel: object | None = None
    ) -> list[Segment]: ...


@dataclass(frozen=True)
class Window:
    """Audio [start, end) (samples) decoded in one backend call."""

    start: int
    end: int


def load_engine(
    model: str | os.PathLike[str] = AUTO,
    *,
    backend: str = "whisper",
    language: str | None = None,
    progress: ProgressFn | None = None,
) -> Engine:
    """Resolve and load a model for ``backend`` (reuse the result for many transcriptions)."""
    resolved = resolve_model(model, backend, language=language, progress=progress)
    if progress:
        progress(None, f"Loading the speech model '{Path(resolved.name).name}'")
    if backend == "whisper":
        from .whisper_backend import load_whisper_engine

        return load_whisper_engine(resolved)
    from .faster_backend import load_faster_engine

    return load_faster_engine(resolved)


def _quietest_point(track: EnergyTrack, lo: int, hi: int) -> int:
    a, b = track.frame(lo), track.frame(hi)
    db = track.db[a:b].astype(np.float64)
    if len(db) <= SPLIT_SMOOTH_HOPS:
        return (lo + hi) // 2
    smooth = np.convolve(db, np.ones(SPLIT_SMOOTH_HOPS) / SPLIT_SMOOTH_HOPS, mode="valid")
    return EnergyTrack.sample(a + int(np.argmin(smooth)) + SPLIT_SMOOTH_HOPS // 2)


def plan_windows(track: EnergyTrack, n_samples: int) -> list[Window]:
    """Windows of at most WINDOW_MAX covering all speech, cut at pauses; none for silence."""
    regions = [(max(0, s - WINDOW_PAD), min(n_samples, e + WINDOW_PAD)) for s, e in speech_regions(track)]
    windows: list[Window] = []
    current: list[int] | None = None

    def flush_long() -> None:
        # continuous speech longer than a window: split at the quietest moment late in it
        assert current is not None
        while current[1] - current[0] > WINDOW_MAX:
            cut = _quietest_point(track, current[0] + WINDOW_MIN_SPLIT, current[0] + WINDOW_MAX)
            windows.append(Window(current[0], cut))
            current[0] = cut

    for start, end in regions:
        if current is not None and start - current[1] <= WINDOW_JOIN_GAP and end - current[0] <= WINDOW_MAX:
            current[1] = max(current[1], end)
            continue
        if current is not None:
            if start - current[1] <= WINDOW_JOIN_GAP:
                # joining would overflow the window: split the pause between the two
                middle = max(current[0] + 1, _quietest_point(track, current[1] - WINDOW_PAD, start + WINDOW_PAD))
                current[1] = middle
                windows.append(Window(current[0], current[1]))
                current = [middle, end]
                flush_long()
                continue
            windows.append(Window(current[0], current[1]))
        current = [start, end]
        flush_long()
    if current is not None and current[1] > current[0]:
        windows.append(Window(current[0], current[1]))
    return windows


def _speech_in(mask: np.ndarray, start: int, end: int) -> int:
    """Samples of speech (per the energy mask) inside [start, end)."""
    a, b = start // HOP, -(-end // HOP)
    return int(mask[a:b].sum()) * HOP


def keep_segment(seg: Segment, mask: np.ndarray) -> bool:
    """False for Whisper's hallucinations over silence."""
    if not seg.words:
        return False
    if seg.no_speech_prob > NO_SPEECH_PROB and seg.avg_logprob < LOW_LOGPROB:
        return False
    return _speech_in(mask, seg.start, seg.end) >= MIN_SEGMENT_SPEECH


def _load_audio(path_or_audio: str | os.PathLike[str] | np.ndarray, cancel: object | None) -> tuple[np.ndarray, str]:
    if isinstance(path_or_audio, np.ndarray):
        audio = np.asarray(path_or_audio, dtype=np.float32)
        if audio.ndim != 1:
            raise ValueError(f"audio must be mono, shape (n,), got {audio.shape}")
        return audio, ""
    from lecturecut.media import decode_audio

    return decode_audio(path_or_audio, SAMPLE_RATE, cancel=cancel), str(path_or_audio)


def language_code(language: str | None) -> str | None:
    """"de", "DE", "German" -> "de"; None, "" or "auto" -> None (detect). ValueError for unknown names."""
    if language is None or language.strip().lower() in ("", AUTO):
        return None
    from whisper.tokenizer import LANGUAGES, TO_LANGUAGE_CODE

    key = language.strip().lower()
    if key in LANGUAGES:
        return key
    if key in TO_LANGUAGE_CODE:
        return TO_LANGUAGE_CODE[key]
    raise ValueError(f"unknown language {language!r}; use a code such as 'en' or 'de', or leave it empty to detect")


def transcribe(
    path_or_audio: str | os.PathLike[str] | np.ndarray,
    *,
    model: str | os.PathLike[str] | Engine = AUTO,
    language: str | None = None,
    backend: str = "whisper",
    refine: bool = True,
    progress: ProgressFn | None = None,
    cancel: object | None = None,
) -> Transcript:
    """Transcribe a media file (video or audio) or 16 kHz mono float32 samples.

    ``model``: a name ("tiny.en", "base", ...), a path, "auto" (tiny.en for
    English, else base), or an engine from :func:`load_engine`. ``language``:
    ISO 639-1 code, or None to detect it. ``refine``: move Whisper's word
    times to exact boundaries (pocketsphinx for English, acoustic otherwise).
    Raises media.errors.Cancelled when ``cancel.is_set()`` becomes true.
    """
    language = language_code(language)
    report = progress or (lambda fraction, message: None)
    report(0.0, "Reading the audio")
    audio, source = _load_audio(path_or_audio, cancel)
    check_cancel(cancel)
    engine = model if isinstance(model, Engine) else load_engine(
        model, backend=backend, language=language, progress=progress)
    if language and language != "en" and not engine.multilingual:
        raise ModelUnavailableError(
            f"The model '{engine.model_name}' only knows English, but the language is '{language}'. "
            "Choose a multilingual model such as 'base'."
        )
    check_cancel(cancel)
    report(PROGRESS_DECODE, "Finding speech")
    track = compute_energy(audio)
    mask = speech_mask(track)
    windows = plan_windows(track, len(audio))
    total = sum(w.end - w.start for w in windows) or 1

    detected_p = None
    if language is None:
        if windows and engine.multilingual:
            language, detected_p = engine.detect_language(_first_speech(audio, windows))
        else:
            language = "en" if not engine.multilingual else ""  # no speech: nothing to tell

    words: list[Word] = []
    done = 0
    for window in windows:
        check_cancel(cancel)
        report(PROGRESS_DECODE + (PROGRESS_TRANSCRIBE - PROGRESS_DECODE) * done / total,
               f"Transcribing {_clock(window.start)} of {_clock(len(audio))}")
        segments = engine.transcribe_window(audio[window.start : window.end], language, window.start, cancel)
        for seg in segments:
            if keep_segment(seg, mask):
                words.extend(w for w in seg.words if window.start <= w.start < window.end)
        done += window.end - window.start
    report(PROGRESS_TRANSCRIBE, "Transcribed")

    meta: dict[str, object] = {"source": os.path.basename(source)} if source else {}
    if detected_p is not None:
        meta["language_probability"] = round(detected_p, 4)
    transcript = Transcript(
        words=tuple(tidy_words(words, len(audio))),
        language=language,
        model=engine.model_name,
        backend=engine.backend,
        duration=len(audio),
        refinement="none",
        meta=meta,
    )
    if refine and transcript.words:
        transcript = refine_transcript(transcript, audio, progress=scaled(progress, PROGRESS_TRANSCRIBE, 1.0),
                                       cancel=cancel)
    report(1.0, "Done")
    return transcript


def _first_speech(audio: np.ndarray, windows: Sequence[Window]) -> np.ndarray:
    """Up to one Whisper window of speech, joined from the first windows (for language detection)."""
    pieces, length = [], 0
    for w in windows:
        pieces.append(audio[w.start : min(w.end, w.start + WINDOW_MAX - length)])
        length += len(pieces[-1])
        if length >= WINDOW_MAX:
            break
    return np.concatenate(pieces)


def _clock(samples: int) -> str:
    seconds = samples // SAMPLE_RATE
    return f"{seconds // 60}:{seconds % 60:02d}"
