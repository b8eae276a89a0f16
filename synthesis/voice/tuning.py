"""The user's tuning of a retype's new speech (:class:`~lecturecut.synthesis.edl.VoiceTuning`), applied.

Choices of occurrence are the selection's overrides (:func:`overrides_for`); they change which
recordings are read, so they are part of the span the engine makes. Gain, tempo and shift are
applied afterwards to that span's audio (:func:`apply_tuning`), in this order:

- tempo: the stretch from the first new word's recorded margin to the last one's is time-scaled
  by PSOLA (``psola.psola_fit``: whole pitch periods are repeated or dropped, so the pitch and
  the voice's timbre stay), crossfaded back into the room tone either side; the room tone at
  the ends keeps its length, so the span grows by ``(tempo - 1)`` times the words' length;
- gain: each new word (each source's output) is scaled, ramping in and out over the unit
  margin before and after it; the room tone around and between the words keeps its level. A
  gain up is limited to the headroom the words have (their peak stays under ``PEAK_LIMIT``: a
  recording already near full scale gets no louder, it would only distort); the record says
  the gain applied;
- shift: room tone is taken from one end of the span and put in at the other (crossfaded
  joins inside the room tone), so the words move and the span's length and
  ``source_range`` do not change. It is clamped so that each end keeps the minimum pad (the
  joins' crossfades lie there); the record says the shift applied.

Every time in the record (sources' ``output``, timed words and phones) is moved with the audio,
so lip-sync and subtitles follow the tuned speech.
"""

from __future__ import annotations

import dataclasses
import json
import math
from typing import Callable

import numpy as np

from lecturecut.core import check_cancel

from ..edl import Replacement, VoiceTuning
from .psola import psola_fit
from .record import SourceUse, SpanRecord, SynthesizedSpeech, Timed

PEAK_LIMIT = 0.99  # linear: a gain raises the words' peak at most to this (about -0.1 dBFS)


def overrides_for(tuning: VoiceTuning, overrides: dict[int, int] | None) -> dict[int, int] | None:
    """The selection's overrides: the tuning's choices, each overridden by an explicit ``overrides`` entry."""
    merged = {**tuning.overrides, **(overrides or {})}
    return merged or None


def base_of(replacement: Replacement) -> Replacement:
    """The retype with only its choices: the span that gain, tempo and shift are applied to."""
    return dataclasses.replace(replacement, tuning=VoiceTuning(choices=replacement.tuning.choices))


def record_choices(speech: SynthesizedSpeech, selection) -> SynthesizedSpeech:
    """``speech`` whose record says which of its retype's choices the selection honoured
    (``selection``: the one that said every word, or None when some word was built)."""
    asked = speech.record.replacement.tuning.choices
    if not asked:
        return speech
    units = selection.units if selection is not None and not selection.missing else ()
    honoured = tuple((u, w) for u, w in asked if u < len(units) and units[u].chosen.start == w)
    record = dataclasses.replace(speech.record, tuning=VoiceTuning(choices=honoured))
    return dataclasses.replace(speech, record=record)


def _join(a: np.ndarray, b: np.ndarray, fade: int) -> np.ndarray:
    """``a`` then ``b``, ``fade`` samples overlapped with an equal-power crossfade (``len(a) + len(b) - fade``)."""
    from lecturecut.synthesis.render.audio import equal_power  # not at import: render/ imports the voice

    fade = min(fade, len(a), len(b))
    if fade == 0:
        return np.concatenate([a, b]).astype(np.float32)
    fo, fi = equal_power(fade)
    return np.concatenate([a[:len(a) - fade], a[len(a) - fade:] * fo + b[:fade] * fi, b[fade:]]).astype(np.float32)


def _insert(x: np.ndarray, at: int, room: np.ndarray, fade: int) -> np.ndarray:
    """``x`` with ``len(room) - 2 * fade`` samples of ``room`` spliced in at ``at`` (both joins in room tone)."""
    return _join(_join(x[:at], room, fade), x[at:], fade)


def _remove(x: np.ndarray, at: int, n: int, fade: int) -> np.ndarray:
    """``x`` without ``n`` samples from ``at``, the two sides crossfaded over ``fade`` (exactly ``n`` shorter)."""
    return _join(x[:at + fade], x[at + n:], fade)


class _Moves:
    """The record's times, moved as the audio is edited: a list of (from, by) steps and stretches."""

    def __init__(self) -> None:
        self.steps: list[Callable[[int], int]] = []

    def stretch(self, lo: int, hi: int, new_len: int) -> None:
        def f(t: int, lo=lo, hi=hi, new_len=new_len) -> int:
            if t <= lo:
                return t
            if t >= hi:
                return t + new_len - (hi - lo)
            return lo + int(round((t - lo) * new_len / (hi - lo)))
        self.steps.append(f)

    def offset(self, at: int, by: int) -> None:
        self.steps.append(lambda t, at=at, by=by: t + by if t >= at else t)

    def __call__(self, t: int) -> int:
        for f in self.steps:
            t = f(t)
        return t


def _words_extent(record: SpanRecord) -> tuple[int, int]:
    """(first sample of the first new word, end of the last) in the span."""
    return min(s.output[0] for s in record.sources), max(s.output[1] for s in record.sources)


def _tempo(audio: np.ndarray, rate: int, lo: int, hi: int, tempo: float, fade: int) -> np.ndarray:
    """``audio`` with ``[lo, hi)`` time-scaled by ``tempo`` (pitch kept), crossfaded in at both ends."""
    y, _ = psola_fit(audio[lo:hi], rate, (0, hi - lo), (tempo,), None)
    out = _join(audio[:lo + fade], y, fade)  # y[0] lands at lo
    return _join(out, audio[hi - fade:], fade)  # audio[hi] lands at lo + len(y)


def _gain_envelope(n: int, outputs: list[tuple[int, int]], gain_db: float, ramp: int) -> np.ndarray:
    """(n,) gains: ``gain_db`` over each output range, ramping linearly to 1 over ``ramp`` samples either side."""
    weight = np.zeros(n, np.float64)  # 1 inside a word, 0 in the room tone
    idx = np.arange(n, dtype=np.float64)
    for a, b in outputs:
        w = np.clip(np.minimum((idx - (a - ramp)) / max(ramp, 1), ((b + ramp) - idx) / max(ramp, 1)), 0.0, 1.0)
        weight = np.maximum(weight, w)
    return (1.0 + (10 ** (gain_db / 20) - 1.0) * weight).astype(np.float32)


def _headroom(audio: np.ndarray, outputs: list[tuple[int, int]], gain_db: float, ramp: int) -> float:
    """``gain_db``, or less where more would take the words' peak past ``PEAK_LIMIT`` (0 if they are there
    already): louder than full scale is distortion in the export, not loudness."""
    if gain_db <= 0.0:
        return gain_db
    peak = max(float(np.max(np.abs(audio[max(a - ramp, 0):b + ramp]), initial=0.0)) for a, b in outputs)
    if peak <= 0.0:
        return gain_db
    room_db = math.floor(100 * 20 * math.log10(PEAK_LIMIT / peak)) / 100  # rounded down, as the record keeps it
    return max(min(gain_db, room_db), 0.0)


def shift_limits(record: SpanRecord, margin: int, min_pad: int) -> tuple[int, int]:
    """(earliest, latest) shift in samples that keeps ``min_pad`` of room tone before the first word's
    margin and after the last one's."""
    first, last = _words_extent(record)
    return -max(first - margin - min_pad, 0), max(record.n_samples - last - margin - min_pad, 0)


def _shift(audio: np.ndarray, record: SpanRecord, s: int, margin: int, fade: int, moves: _Moves) -> np.ndarray:
    """Move the words ``s`` samples later (earlier if negative): the room tone taken out at one end is
    the room tone put in at the other (the span's own, so nothing is read and its level is the same)."""
    first, last = _words_extent(record)
    lead, trail = first - margin, len(audio) - (last + margin)  # pure room tone at each end
    k = abs(s)
    if s > 0:
        at = last + margin + max((trail - k - 2 * fade) // 2, 0)
        room = audio[at:at + k + 2 * fade].copy()
        audio = _remove(audio, at, k, fade)  # after the words: their times stay
        at = lead // 2
        audio = _insert(audio, at, room, fade)
        moves.offset(at, k)
    else:
        at = max((lead - k - 2 * fade) // 2, 0)
        room = audio[at:at + k + 2 * fade].copy()
        audio = _remove(audio, at, k, fade)
        moves.offset(at + k, -k)
        at = last - k + margin + trail // 2
        audio = _insert(audio, at, room, fade)
    return audio


def apply_tuning(base: SynthesizedSpeech, replacement: Replacement, key: str, *, margin: int, min_pad: int,
                 cancel: object | None = None) -> SynthesizedSpeech:
    """``base`` (the span of ``replacement``'s text and choices) with ``replacement.tuning``'s tempo, gain
    and shift applied; the record is ``replacement``'s, under ``key``, its times moved with the audio.

    ``margin``: samples of recorded audio around each new word (``render.UNIT_MARGIN_S``);
    ``min_pad``: room tone each end keeps (``render.MIN_PAD_S``).
    """
    tuning, record, rate = replacement.tuning, base.record, base.rate
    audio = np.asarray(base.audio, np.float32)
    fade = max(min(margin, min_pad) // 2, 1)  # joins inside room tone: two fit in the minimum pad
    moves = _Moves()
    first, last = _words_extent(record)
    if tuning.tempo != 1.0:
        check_cancel(cancel)
        lo, hi = first - margin, last + margin
        stretched = _tempo(audio, rate, lo, hi, tuning.tempo, fade)
        moves.stretch(lo, hi, hi - lo + len(stretched) - len(audio))
        audio = stretched
    record = _moved(record, moves, len(audio))
    gain_db = _headroom(audio, [s.output for s in record.sources], tuning.gain_db, margin)
    if gain_db != 0.0:
        audio = audio * _gain_envelope(len(audio), [s.output for s in record.sources], gain_db, margin)
    shift = 0
    if tuning.shift_ms:
        check_cancel(cancel)
        earliest, latest = shift_limits(record, margin, min_pad)
        shift = int(np.clip(int(round(tuning.shift_ms * rate / 1000)), earliest, latest))
        if shift:
            moves = _Moves()
            audio = _shift(audio, record, shift, margin, fade, moves)
            record = _moved(record, moves, len(audio))
    applied = dataclasses.replace(record.tuning, gain_db=gain_db, tempo=tuning.tempo,
                                  shift_ms=int(round(shift * 1000 / rate)))
    record = dataclasses.replace(record, replacement=replacement, key=key, tuning=applied)
    # through its JSON form, as the cache stores it: a fresh record equals the one read back
    record = SpanRecord.from_json(json.loads(json.dumps(record.to_json())))
    return SynthesizedSpeech(np.ascontiguousarray(audio, np.float32), record, cached=False)


def _moved(record: SpanRecord, move: Callable[[int], int], n_samples: int) -> SpanRecord:
    def timed(t: Timed) -> Timed:
        return dataclasses.replace(t, start=move(t.start), end=move(t.end))

    def use(s: SourceUse) -> SourceUse:
        return dataclasses.replace(s, output=(move(s.output[0]), move(s.output[1])))

    return dataclasses.replace(record, n_samples=n_samples, sources=tuple(use(s) for s in record.sources),
                               words=tuple(timed(w) for w in record.words),
                               phones=tuple(timed(p) for p in record.phones))
