"""Exact word boundaries: forced alignment for English, acoustics for the rest.

Whisper's word times come from cross-attention and are often tens of
milliseconds off (its first word usually "starts" at the window start, and
words swallow the pauses after them). Cuts need the real boundaries, so
after transcription :func:`refine_transcript`:

- for English, aligns Whisper's words with pocketsphinx (``align.py``) a
  chunk at a time: every long pause ends a chunk and no chunk is much longer
  than ``ALIGN_CHUNK_MAX``, so memory and time grow linearly with the
  recording. A chunk pocketsphinx cannot align is split in two and retried;
  what still fails is refined acoustically;
- for other languages, refines acoustically: short-time energy on 5 ms hops,
  a noise floor and two thresholds (speech / true edge); each word is trimmed
  to the speech it covers, follows its speech run to where its energy has
  died away, and a boundary between touching words moves to the energy dip
  between them.

Both end with :func:`tidy_words`: in order, no overlaps, start < end,
phones inside their word.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from lecturecut.core import ProgressFn, check_cancel

from .transcript import SAMPLE_RATE, Phone, Transcript, Word

HOP = SAMPLE_RATE // 200  # 80 samples: 5 ms energy hop
WINDOW_HOPS = 4  # energy window = 4 hops = 20 ms, centred on its frame
ENERGY_BLOCK = SAMPLE_RATE * 60  # samples per block when computing energy (bounded memory)
EPS_POWER = 1e-12  # mean square floor (-120 dBFS) so log10 never sees 0
NOISE_FLOOR_PERCENTILE = 10  # lectures pause often: the 10th percentile frame is background
SPEECH_OVER_FLOOR_DB = 12.0  # frames this far above the floor are speech
ONSET_OVER_FLOOR_DB = 6.0  # a word's true edge: where energy leaves the floor (hysteresis)
SILENCE_DBFS = -60.0  # never call anything quieter than this speech, whatever the floor
MIN_SPEECH_RUN = SAMPLE_RATE * 30 // 1000 // HOP  # 6 hops: shorter bursts are clicks
MIN_PAUSE_RUN = SAMPLE_RATE * 40 // 1000 // HOP  # 8 hops: shorter dips are inside words
EDGE_SEARCH = SAMPLE_RATE * 40 // 1000  # 640 samples: how far an edge may grow to the onset
RUN_FOLLOW = SAMPLE_RATE * 300 // 1000  # 4800 samples: how far a word may follow its speech run
WORD_DECAY_DB = 30.0  # a word has ended once its energy is this far below its own peak
DIP_SEARCH = SAMPLE_RATE * 60 // 1000  # 960 samples: window (each side) for a contiguous boundary
DIP_MIN_DEPTH_DB = 3.0  # a dip must be this far below its surroundings to be a boundary
MIN_WORD = SAMPLE_RATE * 20 // 1000  # 320 samples: shortest word tidy_words makes
# Final times sit on a 0.5 ms grid: Transcript JSON writes seconds with 4 decimals, which
# represent multiples of 8 samples exactly, so a saved transcript loads back identical.
TIME_GRID = SAMPLE_RATE // 2000  # 8 samples
ALIGN_CHUNK_MAX = SAMPLE_RATE * 20  # samples: longest chunk handed to pocketsphinx
ALIGN_CHUNK_MIN = SAMPLE_RATE * 8  # samples: shortest chunk worth a separate alignment
ALIGN_MARGIN = SAMPLE_RATE * 1  # audio kept around a chunk's words (Whisper may be that far off)
CUT_SEARCH = SAMPLE_RATE * 200 // 1000  # where around a word gap to look for the quietest cut
CUT_SMOOTH_HOPS = 10  # 50 ms: a cut goes in a quiet stretch, not a single quiet hop
SPLIT_PAUSE = SAMPLE_RATE * 1  # a pause this long always ends an alignment chunk
MIN_SPLIT_WORDS = 2  # a failed chunk is split into halves of at least this many words


@dataclass(frozen=True)
class EnergyTrack:
    """Short-time energy of a recording: frame k is centred on sample k * HOP."""

    db: np.ndarray  # (n_frames,) dBFS
    floor_db: float  # background level
    speech_db: float  # frames above this are speech
    onset_db: float  # a word's edge: where energy leaves the background
    speech: np.ndarray  # (n_frames,) bool: speech per frame, see _speech_frames

    def frame(self, sample: int) -> int:
        return int(min(max(round(sample / HOP), 0), len(self.db)))

    @staticmethod
    def sample(frame: int) -> int:
        return int(frame) * HOP


def compute_energy(audio: np.ndarray) -> EnergyTrack:
    """Energy (dBFS) on 5 ms hops with a 20 ms window, plus floor and thresholds."""
    n_frames = max(1, -(-len(audio) // HOP))
    block_power = np.empty(n_frames, dtype=np.float64)
    hops_per_block = ENERGY_BLOCK // HOP
    for b in range(0, n_frames, hops_per_block):
        chunk = np.asarray(audio[b * HOP : (b + hops_per_block) * HOP], dtype=np.float64)
        n = -(-len(chunk) // HOP)
        chunk = np.pad(chunk, (0, n * HOP - len(chunk)))
        block_power[b : b + n] = np.mean(chunk.reshape(n, HOP) ** 2, axis=1)  # (n, HOP) -> (n,)
    # 20 ms window centred on k*HOP = hops k-2 .. k+1 (full convolution, shifted by one)
    power = np.convolve(block_power, np.ones(WINDOW_HOPS) / WINDOW_HOPS, mode="full")[1 : n_frames + 1]
    db = 10.0 * np.log10(power + EPS_POWER)
    floor = float(np.percentile(db, NOISE_FLOOR_PERCENTILE))
    speech = max(floor + SPEECH_OVER_FLOOR_DB, SILENCE_DBFS)
    onset = max(floor + ONSET_OVER_FLOOR_DB, SILENCE_DBFS - (SPEECH_OVER_FLOOR_DB - ONSET_OVER_FLOOR_DB))
    db32, mask = db.astype(np.float32), _speech_frames(db, speech)
    db32.flags.writeable = mask.flags.writeable = False  # a frozen result: its arrays too
    return EnergyTrack(db=db32, floor_db=floor, speech_db=speech, onset_db=onset, speech=mask)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """[start, stop) index runs where ``mask`` is True."""
    padded = np.concatenate([[False], mask, [False]])
    edges = np.flatnonzero(np.diff(padded.astype(np.int8)))
    return list(zip(edges[0::2].tolist(), edges[1::2].tolist()))


def _speech_frames(db: np.ndarray, threshold: float) -> np.ndarray:
    """Threshold, then drop clicks and fill the short dips inside words (stop closures)."""
    mask = db > threshold
    for start, stop in _runs(mask):
        if stop - start < MIN_SPEECH_RUN:
            mask[start:stop] = False
    for start, stop in _runs(~mask):
        if stop - start < MIN_PAUSE_RUN and start > 0 and stop < len(mask):
            mask[start:stop] = True
    return mask


def speech_mask(track: EnergyTrack) -> np.ndarray:
    """Per-frame speech (True) / non-speech (read-only)."""
    return track.speech


def speech_regions(track: EnergyTrack) -> list[tuple[int, int]]:
    """Speech as [start, end) sample ranges."""
    return [(EnergyTrack.sample(a), EnergyTrack.sample(b)) for a, b in _runs(speech_mask(track))]


# ---------------------------------------------------------------- acoustic refinement


def _walk_out(db: np.ndarray, level: float, frame: int, step: int, limit: int) -> int:
    """From a frame inside a word, walk outward (step -1 / +1) while energy stays above ``level``.

    Never past ``limit`` (a frame index on the walking side).
    """
    k = frame
    while 0 <= k + step < len(db) and (limit - (k + step)) * step >= 0 and db[k + step] > level:
        k += step
    return k


def _dip(track: EnergyTrack, around: int, lo: int, hi: int) -> int | None:
    """The quietest frame within DIP_SEARCH of ``around`` (inside [lo, hi]) if it is a real dip."""
    a = max(track.frame(around - DIP_SEARCH), track.frame(lo))
    b = min(track.frame(around + DIP_SEARCH), track.frame(hi))
    if b - a < 3:
        return None
    window = track.db[a : b + 1]
    k = int(np.argmin(window))
    if k == 0 or k == len(window) - 1:
        return None  # still falling at the window's edge: no dip inside
    if min(window[:k].max(), window[k + 1 :].max()) - window[k] < DIP_MIN_DEPTH_DB:
        return None
    return a + k


def refine_acoustic(words: Sequence[Word], track: EnergyTrack, lo: int = 0, hi: int | None = None) -> list[Word]:
    """Move Whisper's boundaries to the energy edges near them (any language).

    Each word is trimmed to the speech it covers (Whisper stretches words over
    pauses), its edges grown to where the energy leaves the background, and a
    boundary between two touching words is moved to the energy dip between them.
    ``lo``/``hi`` bound the words (samples).
    """
    if not words:
        return []
    hi = EnergyTrack.sample(len(track.db)) if hi is None else hi
    speech = track.speech
    spans: list[list[int]] = []
    for i, w in enumerate(words):
        s, e = max(w.start, lo), min(max(w.end, w.start), hi)
        ks, ke = track.frame(s), max(track.frame(e), track.frame(s) + 1)
        inside = speech[ks:ke]
        if inside.any():
            first = ks + int(np.argmax(inside))
            last = ke - 1 - int(np.argmax(inside[::-1]))
            prev_end = spans[-1][1] if spans else lo
            next_start = max(words[i + 1].start, e) if i + 1 < len(words) else hi
            # Whisper often ends a word before a pause too early (and starts one after a
            # pause too early): follow the speech run out to the neighbour, up to RUN_FOLLOW
            # ... but not into breaths and room noise: stop where the energy has fallen
            # WORD_DECAY_DB below the word's own peak
            peak = float(track.db[first : last + 1].max())
            level = max(track.speech_db, peak - WORD_DECAY_DB)
            first = _walk_out(track.db, level, first, -1, max(track.frame(prev_end), first - RUN_FOLLOW // HOP))
            last = _walk_out(track.db, level, last, +1, min(track.frame(next_start) - 1, last + RUN_FOLLOW // HOP))
            # then a little further, while the energy is still above the background (hysteresis)
            first = _walk_out(track.db, track.onset_db, first, -1,
                              max(track.frame(prev_end), first - EDGE_SEARCH // HOP))
            last = _walk_out(track.db, track.onset_db, last, +1,
                             min(track.frame(next_start), last + EDGE_SEARCH // HOP))
            s, e = max(EnergyTrack.sample(first), lo), min(EnergyTrack.sample(last + 1), hi)
        spans.append([s, max(e, s)])
    # touching or overlapping neighbours: one boundary, at the dip between them
    for i in range(len(spans) - 1):
        left, right = spans[i], spans[i + 1]
        if right[0] - left[1] <= HOP * 2:
            middle = (left[1] + right[0]) // 2
            k = _dip(track, middle, left[0] + MIN_WORD, right[1] - MIN_WORD)
            boundary = EnergyTrack.sample(k) if k is not None else middle
            left[1] = right[0] = boundary
    return [_with_times(w, s, e, ()) for w, (s, e) in zip(words, spans)]


def _with_times(word: Word, start: int, end: int, phones: tuple[Phone, ...]) -> Word:
    return Word(
        text=word.text,
        start=int(start),
        end=int(max(start, end)),
        probability=word.probability,
        phones=phones,
        raw_start=word.raw_start if word.raw_start is not None else word.start,
        raw_end=word.raw_end if word.raw_end is not None else word.end,
        filler=word.filler,
    )


# ---------------------------------------------------------------- invariants


def _on_grid(sample: int) -> int:
    return int(round(sample / TIME_GRID)) * TIME_GRID


def tidy_words(words: Sequence[Word], duration: int | None = None) -> list[Word]:
    """Enforce the invariants cuts rely on: in order, no overlap, start < end, phones inside.

    Times are put on the TIME_GRID first; overlaps are split at their middle;
    a word shorter than MIN_WORD grows, pushing the next word's start if it must.
    """
    limit = duration // TIME_GRID * TIME_GRID if duration and duration > 0 else None
    spans = [[_on_grid(w.start), _on_grid(w.end)] for w in words]
    if limit is not None:
        spans = [[min(s, limit), min(e, limit)] for s, e in spans]
    for i in range(1, len(spans)):
        prev, cur = spans[i - 1], spans[i]
        if cur[0] < prev[1]:
            middle = _on_grid((max(cur[0], prev[0]) + prev[1]) // 2)
            prev[1] = max(middle, prev[0])
            cur[0] = max(middle, prev[0])
    for i, span in enumerate(spans):
        # too short (or empty): grow, pushing the next word's start along if needed
        if i > 0:
            span[0] = max(span[0], spans[i - 1][1])
        span[1] = max(span[1], span[0] + MIN_WORD)
    if limit is not None:
        # pushed past the end of the audio: pull back from the end (words crammed at the very end)
        for i in range(len(spans) - 1, -1, -1):
            spans[i][1] = min(spans[i][1], limit if i == len(spans) - 1 else spans[i + 1][0])
            spans[i][0] = max(0, min(spans[i][0], spans[i][1] - TIME_GRID))
    out = []
    for w, (s, e) in zip(words, spans):
        phones: list[Phone] = []
        for p in w.phones:
            ps = max(_on_grid(p.start), s, phones[-1].end if phones else s)
            pe = min(_on_grid(p.end), e)
            if pe > ps:
                phones.append(Phone(p.label, ps, pe))
        if phones:  # phones tile their word, also after the word was moved or grown
            phones[0] = Phone(phones[0].label, s, phones[0].end)
            phones[-1] = Phone(phones[-1].label, phones[-1].start, e)
        out.append(_with_times(w, s, e, tuple(phones)))
    return out


# ---------------------------------------------------------------- orchestration


@dataclass(frozen=True)
class AlignChunk:
    """Words [first, stop) aligned against audio [start, end) (samples)."""

    first: int
    stop: int
    start: int
    end: int


@dataclass(frozen=True)
class GapCut:
    """Where to cut between two words, and how good a place it is."""

    sample: int
    pause: int  # samples of silence around the cut (0: none, the cut is in speech)
    level_db: float


def gap_cut(track: EnergyTrack, left: Word, right: Word) -> GapCut:
    """The middle of the longest silence between two words, else their quietest 50 ms.

    Searched a little beyond Whisper's times, which may be off by that much.
    """
    a = track.frame(min(left.end, right.start) - CUT_SEARCH)
    b = max(track.frame(max(left.end, right.start) + CUT_SEARCH), a + 1)
    silences = _runs(~track.speech[a:b])
    if silences:
        start, stop = max(silences, key=lambda r: r[1] - r[0])
        k = a + (start + stop) // 2
        return GapCut(EnergyTrack.sample(k), EnergyTrack.sample(stop - start),
                      float(track.db[a + start : a + stop].mean()))
    window = track.db[a:b].astype(np.float64)
    if len(window) <= CUT_SMOOTH_HOPS:
        k = (a + b) // 2
    else:
        smooth = np.convolve(window, np.ones(CUT_SMOOTH_HOPS) / CUT_SMOOTH_HOPS, mode="valid")
        k = a + int(np.argmin(smooth)) + CUT_SMOOTH_HOPS // 2
    return GapCut(EnergyTrack.sample(k), 0, float(track.db[min(k, len(track.db) - 1)]))


def plan_align_chunks(words: Sequence[Word], track: EnergyTrack, n_samples: int) -> list[AlignChunk]:
    """Split the words into chunks for alignment, at most ALIGN_CHUNK_MAX long.

    Every pause of SPLIT_PAUSE or more ends a chunk (long silences only slow the
    aligner down and give it room to go astray); longer stretches of speech are
    cut at the best gap: the longest silence, else the quietest moment.
    """
    if not words:
        return []
    cuts = [gap_cut(track, words[j - 1], words[j]) for j in range(1, len(words))]  # cuts[j-1]: before j
    chunks: list[AlignChunk] = []
    first, cut_before = 0, 0
    while first < len(words):
        stop = first + 1
        while stop < len(words) and cuts[stop - 1].pause < SPLIT_PAUSE:
            stop += 1  # the run of words up to the next long pause
        if words[stop - 1].end - cut_before > ALIGN_CHUNK_MAX:
            candidates = [j for j in range(first + 1, stop) if words[j - 1].end - cut_before <= ALIGN_CHUNK_MAX]
            long_enough = [j for j in candidates if words[j - 1].end - cut_before >= ALIGN_CHUNK_MIN]
            pool = long_enough or candidates or [first + 1]
            stop = max(pool, key=lambda j: (cuts[j - 1].pause, -cuts[j - 1].level_db))
        cut_after = cuts[stop - 1].sample if stop < len(words) else n_samples
        start = max(cut_before, min(w.start for w in words[first:stop]) - ALIGN_MARGIN, 0)
        end = min(cut_after, max(w.end for w in words[first:stop]) + ALIGN_MARGIN, n_samples)
        chunks.append(AlignChunk(first, stop, start, max(end, start + 1)))
        first, cut_before = stop, cut_after
    return chunks


def _align_or_split(
    aligner: object, audio: np.ndarray, words: Sequence[Word], chunk: AlignChunk, track: EnergyTrack
) -> tuple[list[Word], int]:
    """Align a chunk; if pocketsphinx cannot, split it at its best gap and try the halves.

    One misheard word (or a chunk edge through a word) then costs only its own
    neighbourhood, refined acoustically, not the whole chunk. Returns (words, fallbacks).
    """
    part = words[chunk.first : chunk.stop]
    aligned = aligner.align_words(audio[chunk.start : chunk.end], part, offset=chunk.start)  # type: ignore[attr-defined]
    if aligned is not None:
        return aligned, 0
    if len(part) < 2 * MIN_SPLIT_WORDS:
        return refine_acoustic(part, track, chunk.start, chunk.end), 1
    middle = (chunk.first + chunk.stop) // 2
    lo, hi = chunk.first + MIN_SPLIT_WORDS, chunk.stop - MIN_SPLIT_WORDS
    # the best gap in the middle half of the chunk
    options = range(max(lo, (chunk.first + middle) // 2), min(hi, (middle + chunk.stop) // 2) + 1)
    cuts = {j: gap_cut(track, words[j - 1], words[j]) for j in options or [middle]}
    j = max(cuts, key=lambda k: (cuts[k].pause, -cuts[k].level_db))
    cut = min(max(cuts[j].sample, chunk.start + 1), chunk.end - 1)
    left, n_left = _align_or_split(aligner, audio, words, AlignChunk(chunk.first, j, chunk.start, cut), track)
    right, n_right = _align_or_split(aligner, audio, words, AlignChunk(j, chunk.stop, cut, chunk.end), track)
    return left + right, n_left + n_right


def refine_words(
    words: Sequence[Word],
    audio: np.ndarray,
    method: str,
    *,
    language: str = "en",
    progress: ProgressFn | None = None,
    cancel: object | None = None,
) -> tuple[list[Word], int]:
    """Refine word times with ``method`` ("pocketsphinx" | "acoustic"); returns (words, fallbacks).

    ``fallbacks`` counts pieces pocketsphinx could not align, refined acoustically
    instead. pocketsphinx with a ``language`` other than English aligns
    cross-lingually (see align.PocketsphinxAligner).
    """
    track = compute_energy(audio)
    if method == "acoustic":
        return tidy_words(refine_acoustic(words, track), len(audio)), 0
    if method != "pocketsphinx":
        raise ValueError(f"unknown refinement method {method!r}")
    from .align import PocketsphinxAligner

    aligner = PocketsphinxAligner(language)
    chunks = plan_align_chunks(words, track, len(audio))
    out: list[Word] = []
    fallbacks = 0
    for n, chunk in enumerate(chunks):
        check_cancel(cancel)
        aligned, failed = _align_or_split(aligner, audio, words, chunk, track)
        out.extend(aligned)
        fallbacks += failed
        if progress:
            progress((n + 1) / len(chunks), "Finding exact word boundaries")
    return tidy_words(out, len(audio)), fallbacks


def refine_transcript(
    transcript: Transcript,
    audio: np.ndarray,
    *,
    method: str = "auto",
    progress: ProgressFn | None = None,
    cancel: object | None = None,
) -> Transcript:
    """Exact boundaries for ``transcript``'s words in ``audio`` (16 kHz mono float32).

    ``method``: "auto" (pocketsphinx for English, acoustic otherwise),
    "pocketsphinx", "acoustic" or "none". "pocketsphinx" on a non-English
    transcript aligns cross-lingually, with pronunciations from spelling
    rules; "auto" does not choose that, as it is not yet measured against
    labelled non-English speech. Raw Whisper times stay in ``raw_start``/``raw_end``.
    """
    if method == "auto":
        method = "pocketsphinx" if transcript.language == "en" else "acoustic"
    if method == "none" or not transcript.words:
        return transcript.with_words(transcript.words, refinement=method if transcript.words else "none")
    words, fallbacks = refine_words(transcript.words, audio, method, language=transcript.language or "en",
                                    progress=progress, cancel=cancel)
    meta = {**transcript.meta, "acoustic_fallbacks": fallbacks} if fallbacks else dict(transcript.meta)
    return replace(transcript, words=tuple(words), refinement=method, meta=meta)
