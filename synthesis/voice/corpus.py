"""The lecture as a voice corpus: every recorded word with what unit selection needs to know of it.

One sequential pass over the source audio at 16 kHz (the transcript's rate)
measures each word once: loudness, F0 (Praat's autocorrelation pitch via
parselmouth), the spectrum at both edges (for join costs), its local speaking
rate and whether a pause precedes or follows it. The same pass finds the
lecture's room tone: its quietest stretches between words (never digital
silence), which new speech is padded with. Words are indexed by their spoken
form (``text.word_tokens``), and so are the verbatim runs of up to
``MAX_RUN_WORDS`` consecutive words, so a retyped phrase spoken elsewhere in
the lecture is found whole.

The result depends only on the source file and its transcript; it is cached
beside synthesized speech (``cache.py``) so a one-hour lecture is measured once.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Iterator

import numpy as np

from lecturecut.asr.transcript import SAMPLE_RATE, Transcript, Word
from lecturecut.core import ProgressFn, check_cancel, no_progress

from .text import word_tokens

CORPUS_VERSION = 2  # bump when a measurement or the spoken form changes (2: German numbers): corpora are rebuilt
EDGE_S = 0.025  # seconds of a word's edge whose spectrum the join cost compares
EDGE = int(EDGE_S * SAMPLE_RATE)  # 400 samples
PITCH_EDGE_S = 0.06  # F0 at a word's edge: the voiced frames within this of it
SNIPPET_MARGIN = int(0.05 * SAMPLE_RATE)  # audio read around a word for its pitch analysis
PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 60.0, 500.0  # covers low male to high female lecturers
PITCH_STEP_S = 0.01
PAUSE_S = 0.15  # a gap this long between words is a pause (phrase position, run breaks)
PAUSE = int(PAUSE_S * SAMPLE_RATE)
RATE_CONTEXT = 3  # local speaking rate: this many words each side of a word
MAX_RUN_WORDS = 8  # verbatim runs indexed up to this many words
MAX_RUN_GAP = int(0.30 * SAMPLE_RATE)  # a run does not span a longer pause (it would carry the silence along)
N_MELS, N_MFCC, N_FFT = 26, 13, 512
SILENCE_FLOOR_DB = -100.0  # RMS floor: anything quieter is digital silence, never room tone
ROOM_FRAME = SAMPLE_RATE // 100  # 10 ms frames for finding room tone
ROOM_GUARD = int(0.04 * SAMPLE_RATE)  # room tone keeps this far from any word (breaths, decays)
ROOM_CHUNK = int(0.25 * SAMPLE_RATE)  # candidate room-tone stretches are at most this long...
ROOM_MIN = int(0.08 * SAMPLE_RATE)  # ...and at least this long
ROOM_TOTAL = int(1.0 * SAMPLE_RATE)  # keep this much room tone in all (looped when more is needed)


@dataclass(frozen=True)
class Occurrence:
    """One recorded word as a unit for reuse. Times are samples @ 16 kHz (``asr`` rate)."""

    index: int  # source word index
    text: str  # as transcribed
    tokens: tuple[str, ...]  # spoken form ("1961" -> nineteen sixty one)
    start: int  # where the word sounds: refined boundaries widened by its phones
    end: int
    rate: float  # local articulation rate: spoken letters per second of speech around it
    rms_db: float  # loudness of the word, dBFS
    f0: float  # median F0 in Hz over its voiced frames; 0.0 when unvoiced
    f0_start: float  # F0 near its start / end (Hz; 0.0 unvoiced there)
    f0_end: float
    mfcc_start: tuple[float, ...]  # cepstrum (c1..c12) of its first / last EDGE_S
    mfcc_end: tuple[float, ...]
    pause_before: bool  # a pause (or the recording's start) precedes it
    pause_after: bool
    probability: float  # the recogniser's confidence: a doubtful word may not be what it says

    def to_json(self) -> list:
        return [self.index, self.text, list(self.tokens), self.start, self.end, round(self.rate, 4),
                round(self.rms_db, 3), round(self.f0, 3), round(self.f0_start, 3), round(self.f0_end, 3),
                [round(v, 4) for v in self.mfcc_start], [round(v, 4) for v in self.mfcc_end],
                self.pause_before, self.pause_after, round(self.probability, 4)]

    @staticmethod
    def from_json(d: list) -> "Occurrence":
        return Occurrence(int(d[0]), str(d[1]), tuple(d[2]), int(d[3]), int(d[4]), float(d[5]), float(d[6]),
                          float(d[7]), float(d[8]), float(d[9]), tuple(d[10]), tuple(d[11]), bool(d[12]),
                          bool(d[13]), float(d[14]))


@dataclass(frozen=True)
class Corpus:
    language: str
    words: tuple[Occurrence, ...]  # one per source word, in transcript order
    room_tone: tuple[tuple[int, int], ...]  # samples @ 16 kHz: the quietest stretches between words
    room_db: float  # their loudness, dBFS
    join_scale: float  # median spectral distance across the lecture's own word joins (normalises join costs)
    median_f0: float  # the speaker's median F0 (Hz), the pitch target when the context has none
    median_rate: float  # letters per second
    runs: dict[tuple[str, ...], tuple[tuple[int, int], ...]] = field(default_factory=dict, compare=False,
                                                                      hash=False, repr=False)

    def occurrences(self, tokens: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
        """Source word ranges ``[start, end)`` whose spoken form is exactly ``tokens``, in order."""
        return self.runs.get(tuple(tokens), ())

    @property
    def longest_run_tokens(self) -> int:
        return max((len(k) for k in self.runs), default=0)

    def to_json(self) -> dict:
        return {"version": CORPUS_VERSION, "language": self.language, "words": [w.to_json() for w in self.words],
                "room_tone": [list(r) for r in self.room_tone], "room_db": self.room_db,
                "join_scale": self.join_scale, "median_f0": self.median_f0, "median_rate": self.median_rate}

    @staticmethod
    def from_json(data: dict) -> "Corpus":
        words = tuple(Occurrence.from_json(w) for w in data["words"])
        return Corpus(str(data["language"]), words, tuple((int(a), int(b)) for a, b in data["room_tone"]),
                      float(data["room_db"]), float(data["join_scale"]), float(data["median_f0"]),
                      float(data["median_rate"]), index_runs(words))


def transcript_digest(transcript: Transcript) -> str:
    """What of the transcript the corpus depends on: its language and every word's text and times.

    Remembered for the last few transcript objects (a transcript is never changed in place; a
    30 000-word one takes over a second to hash, and every retype asks)."""
    for seen, digest in _DIGESTS:
        if seen is transcript:
            return digest
    h = hashlib.sha256(transcript.language.encode())
    h.update(json.dumps([w.to_json() for w in transcript.words], sort_keys=True).encode())
    digest = h.hexdigest()
    _DIGESTS.insert(0, (transcript, digest))
    del _DIGESTS[4:]
    return digest


_DIGESTS: list[tuple[Transcript, str]] = []  # (transcript object, its digest), newest first


def word_extent(word: Word) -> tuple[int, int]:
    """Where a word sounds: its refined boundaries widened by any phone reaching past them
    (the rule cut planning uses, so a reused word is cut where a deleted one would be)."""
    start, end = word.start, word.end
    if word.phones:
        start = min(start, word.phones[0].start)
        end = max(end, max(p.end for p in word.phones))
    return start, end


def index_runs(words: tuple[Occurrence, ...]) -> dict[tuple[str, ...], tuple[tuple[int, int], ...]]:
    """Spoken form of every run of 1..MAX_RUN_WORDS consecutive words -> where it occurs."""
    out: dict[tuple[str, ...], list[tuple[int, int]]] = {}
    for s in range(len(words)):
        key: tuple[str, ...] = ()
        for e in range(s, min(s + MAX_RUN_WORDS, len(words))):
            if e > s and words[e].start - words[e - 1].end > MAX_RUN_GAP:
                break
            if not words[e].tokens:
                break  # a word with no spoken form ("—") cannot be matched
            key = key + words[e].tokens
            out.setdefault(key, []).append((s, e + 1))
    return {k: tuple(v) for k, v in out.items()}


# ---------------------------------------------------------------- measuring
_MEL_CACHE: dict[int, np.ndarray] = {}  # immutable filterbank, computed once per process


def _mel_bank() -> np.ndarray:
    if SAMPLE_RATE not in _MEL_CACHE:
        import librosa

        _MEL_CACHE[SAMPLE_RATE] = librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS)  # (mels, bins)
    return _MEL_CACHE[SAMPLE_RATE]


def edge_mfcc(x: np.ndarray) -> tuple[float, ...]:
    """Cepstrum c1..c12 of a short stretch (c0, the level, is left to the loudness cost)."""
    from scipy.fft import dct

    if len(x) < 16:
        return (0.0,) * (N_MFCC - 1)
    frame = x[:N_FFT] * np.hanning(min(len(x), N_FFT))
    spec = np.abs(np.fft.rfft(frame, N_FFT)) ** 2  # (N_FFT/2+1,)
    logmel = np.log(_mel_bank() @ spec + 1e-10)  # (mels,)
    return tuple(float(v) for v in dct(logmel, type=2, norm="ortho")[1:N_MFCC])


def db(x: np.ndarray) -> float:
    rms = float(np.sqrt(np.mean(np.asarray(x, np.float64) ** 2))) if len(x) else 0.0
    return max(20 * np.log10(rms + 1e-12), SILENCE_FLOOR_DB - 20)


def pitch_track(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """(times in s from x's start, F0 in Hz with 0 for unvoiced), Praat's autocorrelation method."""
    import parselmouth

    if len(x) < int(3 / PITCH_FLOOR_HZ * rate) + 2:  # shorter than Praat's analysis window
        return np.zeros(0), np.zeros(0)
    snd = parselmouth.Sound(np.asarray(x, np.float64), sampling_frequency=rate)
    pitch = snd.to_pitch_ac(time_step=PITCH_STEP_S, pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ)
    return np.asarray(pitch.xs()), np.asarray(pitch.selected_array["frequency"])


def _median_voiced(f: np.ndarray) -> float:
    v = f[f > 0]
    return float(np.median(v)) if len(v) else 0.0


def _measure(k: int, word: Word, tokens: tuple[str, ...], snippet: np.ndarray, snippet_start: int,
             extent: tuple[int, int], pause_before: bool, pause_after: bool) -> Occurrence:
    a, b = extent[0] - snippet_start, extent[1] - snippet_start
    body = snippet[a:b]
    times, f0 = pitch_track(snippet, SAMPLE_RATE)
    t = times * SAMPLE_RATE  # sample offsets in the snippet
    inside = (t >= a) & (t < b)
    edge = PITCH_EDGE_S * SAMPLE_RATE
    return Occurrence(
        index=k, text=word.text, tokens=tokens, start=extent[0], end=extent[1], rate=0.0, rms_db=db(body),
        f0=_median_voiced(f0[inside]), f0_start=_median_voiced(f0[inside & (t < a + edge)]),
        f0_end=_median_voiced(f0[inside & (t >= b - edge)]),
        mfcc_start=edge_mfcc(body[:EDGE]), mfcc_end=edge_mfcc(body[-EDGE:]),
        pause_before=pause_before, pause_after=pause_after, probability=float(word.probability))


def _with_rates(words: list[Occurrence]) -> list[Occurrence]:
    from dataclasses import replace

    letters = np.array([sum(len(t) for t in w.tokens) for w in words], np.float64)
    secs = np.array([max(w.end - w.start, 1) / SAMPLE_RATE for w in words], np.float64)
    out = []
    for k, w in enumerate(words):
        lo, hi = max(0, k - RATE_CONTEXT), min(len(words), k + RATE_CONTEXT + 1)
        out.append(replace(w, rate=float(letters[lo:hi].sum() / secs[lo:hi].sum())))
    return out


def _room_tone(frame_db: np.ndarray, extents: list[tuple[int, int]], total: int) -> tuple[tuple[int, int], ...]:
    """The quietest stretches between words, never inside one, never digital silence."""
    n = len(frame_db)
    free = frame_db > SILENCE_FLOOR_DB
    for a, b in extents:
        free[max(0, (a - ROOM_GUARD) // ROOM_FRAME):min(n, (b + ROOM_GUARD) // ROOM_FRAME + 1)] = False
    if not free.any():  # a lecture without a pause: the quietest frames there are (still not zeros)
        free = frame_db > SILENCE_FLOOR_DB
    chunks: list[tuple[float, int, int]] = []  # (loudest frame, start frame, end frame)
    per_chunk, min_frames = ROOM_CHUNK // ROOM_FRAME, max(ROOM_MIN // ROOM_FRAME, 1)
    k = 0
    while k < n:
        if not free[k]:
            k += 1
            continue
        j = k
        while j < n and free[j]:
            j += 1
        for s in range(k, j, per_chunk):
            e = min(s + per_chunk, j)
            if e - s >= min_frames:
                # scored by the loudest frame: a stretch with a click or a breath in it is not room tone
                chunks.append((float(frame_db[s:e].max()), s, e))
        k = j
    if not chunks and free.any():  # only short gaps: take the quietest short ones
        idx = np.flatnonzero(free)
        chunks = [(float(frame_db[i]), int(i), int(i) + 1) for i in idx]
    out, got = [], 0
    for _, s, e in sorted(chunks):
        if got >= ROOM_TOTAL:
            break
        out.append((s * ROOM_FRAME, min(e * ROOM_FRAME, total)))
        got += (e - s) * ROOM_FRAME
    return tuple(sorted(out))


def _snippets(blocks: Iterator[np.ndarray], regions: list[tuple[int, int]], frame_db: list[float],
              cancel: object | None) -> Iterator[tuple[int, np.ndarray]]:
    """Yield (k, samples of regions[k]) in order from one sequential stream, and fill ``frame_db``
    with the 10 ms frame loudness of the whole stream. Past the end of the audio is silence."""
    buf = np.zeros(0, np.float32)
    buf_start = 0  # stream sample index of buf[0]
    framed = 0  # stream samples already measured into frame_db
    k = 0
    for block in blocks:
        check_cancel(cancel)
        buf = np.concatenate([buf, block[:, 0]])  # (n,)
        end = buf_start + len(buf)
        n_frames = (end - framed) // ROOM_FRAME
        if n_frames:
            fr = buf[framed - buf_start:framed - buf_start + n_frames * ROOM_FRAME].reshape(n_frames, ROOM_FRAME)
            rms = np.sqrt(np.mean(fr.astype(np.float64) ** 2, axis=1))
            frame_db.extend((20 * np.log10(rms + 1e-12)).tolist())
            framed += n_frames * ROOM_FRAME
        while k < len(regions) and regions[k][1] <= end:
            a, b = regions[k]
            yield k, _cut(buf, buf_start, a, b)
            k += 1
        keep_from = min(regions[k][0] if k < len(regions) else end, framed)
        drop = max(0, keep_from - buf_start)
        buf, buf_start = buf[drop:], buf_start + drop
    while k < len(regions):
        a, b = regions[k]
        yield k, _cut(buf, buf_start, a, b)
        k += 1


def _cut(buf: np.ndarray, buf_start: int, a: int, b: int) -> np.ndarray:
    lo, hi = a - buf_start, b - buf_start
    x = buf[max(lo, 0):max(hi, 0)]
    return np.concatenate([np.zeros(max(0, -lo), np.float32), x, np.zeros(max(0, (b - a) - len(x) - max(0, -lo)),
                                                                          np.float32)])


def build_corpus(source: str, transcript: Transcript, progress: ProgressFn | None = None,
                 cancel: object | None = None) -> Corpus:
    """Measure every word of ``transcript`` in ``source``'s audio (one sequential 16 kHz pass)."""
    from lecturecut.media.audio import stream_audio

    progress = progress or no_progress
    words = transcript.words
    extents = [word_extent(w) for w in words]
    regions = [(max(a - SNIPPET_MARGIN, 0), b + SNIPPET_MARGIN) for a, b in extents]
    tokens = [word_tokens(w.text, transcript.language) for w in words]
    measured: list[Occurrence] = []
    frame_db: list[float] = []
    total = max(transcript.duration, regions[-1][1] if regions else 1)
    blocks = stream_audio(source, SAMPLE_RATE, 1, cancel=cancel)
    try:
        for k, snippet in _snippets(blocks, regions, frame_db, cancel):
            check_cancel(cancel)
            pause_before = k == 0 or extents[k][0] - extents[k - 1][1] >= PAUSE
            pause_after = k == len(words) - 1 or extents[k + 1][0] - extents[k][1] >= PAUSE
            measured.append(_measure(k, words[k], tokens[k], snippet, regions[k][0], extents[k],
                                     pause_before, pause_after))
            progress(min(extents[k][1] / total, 1.0), "measuring the lecture's words")
    finally:
        blocks.close()
    measured = _with_rates(measured)
    fdb = np.array(frame_db, np.float64)
    room = _room_tone(fdb, extents, transcript.duration or len(fdb) * ROOM_FRAME)
    room_frames = np.concatenate([fdb[a // ROOM_FRAME:b // ROOM_FRAME] for a, b in room]) if room else fdb[:0]
    room_db = float(10 * np.log10(np.mean(10 ** (room_frames / 10)))) if len(room_frames) else SILENCE_FLOOR_DB
    joins = [float(np.linalg.norm(np.subtract(p.mfcc_end, q.mfcc_start)))
             for p, q in zip(measured, measured[1:], strict=False) if q.start - p.end < PAUSE]
    f0s = [w.f0 for w in measured if w.f0 > 0]
    rates = [w.rate for w in measured]
    corpus = Corpus(transcript.language, tuple(measured), room, room_db,
                    float(np.median(joins)) if joins else 1.0, float(np.median(f0s)) if f0s else 0.0,
                    float(np.median(rates)) if rates else 12.0)
    # through its JSON form (rounded) so a measured corpus and a cached one are the same corpus:
    # the choices and fits made from it must not depend on whether the cache was warm
    return Corpus.from_json(json.loads(json.dumps(corpus.to_json())))
