"""Speech to a word-timed Transcript, whichever Whisper backend runs it.

``transcribe()`` decodes the audio, finds speech by its energy, and hands
the backend windows of at most ``WINDOW_MAX`` cut at pauses. Doing the
windowing here (instead of inside Whisper) gives three things a lecture
needs: progress after every window, cancellation between windows (and
inside them, see the backends), and no decoding at all of silence, which is
where Whisper hallucinates ("Thank you." over an empty room). The words are
then refined to exact boundaries (``refine.py``).

Backends implement a small contract (``segments.Engine``):
``language_probabilities(audio)`` and ``transcribe_window(audio, language,
offset, cancel) -> [Segment]``, with their library's dicts converted to
``Word`` at their edge. The language is detected over several windows among
a few candidates, and the result checked for plausibility (``language.py``).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

import numpy as np

from lecturecut.core import ProgressFn, check_cancel, scaled

from .language import (
    LanguageGuess,
    candidate_languages,
    check_language,
    detect_language,
    language_code,
    transcript_stats,
)
from .offline_models import AUTO, ModelUnavailableError, resolve_model
from .refine import HOP, EnergyTrack, compute_energy, refine_transcript, speech_mask, speech_regions, tidy_words
from .segments import Engine, Segment, Window, segment_from_words
from .transcript import SAMPLE_RATE, Transcript, Word

__all__ = [
    "Engine", "Segment", "Window", "keep_segment", "language_code", "load_engine", "plan_windows",
    "segment_from_words", "transcribe",
]

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
PROGRESS_DECODE, PROGRESS_TRANSCRIBE, PROGRESS_REFINE = 0.03, 0.85, 0.95


def load_engine(
    model: str | os.PathLike[str] = AUTO,
    *,
    backend: str = "whisper",
    language: str | None = None,  # accepted for old callers; it never changes the model
    progress: ProgressFn | None = None,
) -> Engine:
    """Resolve and load a model for ``backend`` (reuse the result for many transcriptions).

    "auto" is the multilingual default whatever the language: the language
    never changes the model behind the user's back.
    """
    del language
    resolved = resolve_model(model, backend, progress=progress)
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


def transcribe(
    path_or_audio: str | os.PathLike[str] | np.ndarray,
    *,
    model: str | os.PathLike[str] | Engine = AUTO,
    language: str | None = None,
    candidates: str | Iterable[str] | None = None,
    backend: str = "whisper",
    refine: bool = True,
    fillers: bool = True,
    progress: ProgressFn | None = None,
    cancel: object | None = None,
) -> Transcript:
    """Transcribe a media file (video or audio) or 16 kHz mono float32 samples.

    ``model``: a name ("tiny.en", "base", ...), a path, "auto" (the
    multilingual default, whatever the language), or an engine from
    :func:`load_engine`. ``language``: ISO 639-1 code or name to force, or
    None to detect it among ``candidates`` ("en,de,fr", codes, or None for
    ``language.DEFAULT_CANDIDATES``; see ``language.candidate_languages``).
    ``refine``: move Whisper's word times to exact boundaries (pocketsphinx
    for English, acoustic otherwise). The result's ``language_check`` says
    how sure the language is and whether the text looks plausible in it.
    ``fillers``: after refinement, add the filler sounds Whisper left out
    ("uh", "ähm") as words marked ``filler`` (``fillers.py``; English and German).
    Raises core.Cancelled when ``cancel.is_set()`` becomes true.
    """
    language = language_code(language)
    choices = candidate_languages(candidates)
    report = progress or (lambda fraction, message: None)
    report(0.0, "Reading the audio")
    audio, source = _load_audio(path_or_audio, cancel)
    check_cancel(cancel)
    engine = model if isinstance(model, Engine) else load_engine(model, backend=backend, progress=progress)
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

    guess: LanguageGuess | None = None
    forced = language is not None
    if language is None:
        if windows and engine.multilingual:
            report(PROGRESS_DECODE, "Detecting the language")
            guess = detect_language(engine, audio, windows, choices)
            language = guess.language
        else:
            # an English-only model can only mean English; with no speech there is nothing to tell
            language = "en" if not engine.multilingual else ""
        check_cancel(cancel)

    words: list[Word] = []
    kept: list[Segment] = []
    done = 0
    for window in windows:
        check_cancel(cancel)
        report(PROGRESS_DECODE + (PROGRESS_TRANSCRIBE - PROGRESS_DECODE) * done / total,
               f"Transcribing {_clock(window.start)} of {_clock(len(audio))}")
        segments = engine.transcribe_window(audio[window.start : window.end], language, window.start, cancel)
        for seg in segments:
            if keep_segment(seg, mask):
                kept.append(seg)
                words.extend(w for w in seg.words if window.start <= w.start < window.end)
        done += window.end - window.start
    report(PROGRESS_TRANSCRIBE, "Transcribed")

    meta: dict[str, object] = {"source": os.path.basename(source)} if source else {}
    if guess is not None:
        meta["language_probability"] = round(guess.probability, 4)
        meta["language_candidates"] = list(choices)
        meta["language_candidate_share"] = round(guess.candidate_share, 4)
        meta["language_unrestricted"] = guess.unrestricted
    check = None
    if language:
        stats = transcript_stats(kept)
        check = check_language(language, guess if not forced else None, stats)
        # kept for the record: how far the transcript was from the plausibility thresholds
        meta["transcript_stats"] = {"words": stats.words, "low_word_share": round(stats.low_word_share, 4),
                                    "avg_logprob": round(stats.avg_logprob, 4),
                                    "compression_ratio": round(stats.compression_ratio, 4),
                                    "no_speech_prob": round(stats.no_speech_prob, 4)}
    transcript = Transcript(
        words=tuple(tidy_words(words, len(audio))),
        language=language,
        model=engine.model_name,
        backend=engine.backend,
        duration=len(audio),
        refinement="none",
        meta=meta,
        language_check=check,
    )
    if refine and transcript.words:
        transcript = refine_transcript(transcript, audio, progress=scaled(progress, PROGRESS_TRANSCRIBE,
                                                                          PROGRESS_REFINE), cancel=cancel)
        if fillers:
            from .fillers import recover_fillers

            transcript = recover_fillers(transcript, audio, progress=scaled(progress, PROGRESS_REFINE, 1.0),
                                         cancel=cancel)
    report(1.0, "Done")
    return transcript


def _clock(samples: int) -> str:
    seconds = samples // SAMPLE_RATE
    return f"{seconds // 60}:{seconds % 60:02d}"
