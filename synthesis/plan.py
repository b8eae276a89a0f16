"""The render plan: which exact pieces of the source the edited lecture keeps.

A deleted run of words is removed from a cut point in the pause before it
to a cut point in the pause after it. Each cut point sits at the quietest
spot of its pause (never inside a word: word boundaries are the refined,
phone-aligned ones), and a join never leaves more than ``MAX_KEPT_PAUSE_S``
of each side's pause, so a cut in the middle of a long silence does not
leave an unnaturally long gap.

Audio is cut at exact samples; video at frame boundaries chosen so that
the cumulative video duration stays within half a frame of the cumulative
audio duration: audio and video never drift apart, however many cuts.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np

from asr.transcript import SAMPLE_RATE as WORD_RATE
from media.errors import LecturecutError

from .edl import WordState
from .project import Project

QUIET_WINDOW_S = 0.010  # RMS window used to find the quietest point of a pause
BOUNDARY_SEARCH_S = 0.012  # between abutting words: look this far either side of the aligned boundary
ALIGN_LAG_S = 0.008  # a join's far side may shift by up to this much to match the waveform (~ a pitch period)
MAX_KEPT_PAUSE_S = 0.30  # at most this much of each side's pause survives a join
MIN_JOIN_PAUSE_S = 0.12  # ...but joins get at least this much pause in all (when the source has it)


class NothingToExport(LecturecutError):
    pass


@dataclass(frozen=True)
class Span:
    """One kept piece of the source, in exact units."""

    audio_start: int  # samples @ plan.audio_rate, inclusive
    audio_end: int  # exclusive
    frame_start: int  # frames @ plan.fps, inclusive (0, 0 without video)
    frame_end: int  # exclusive

    @property
    def n_samples(self) -> int:
        return self.audio_end - self.audio_start

    @property
    def n_frames(self) -> int:
        return self.frame_end - self.frame_start


@dataclass(frozen=True)
class RenderPlan:
    audio_rate: int  # Hz
    fps: Fraction | None  # None for an audio-only source
    source_samples: int  # samples of the whole source audio
    source_frames: int
    spans: tuple[Span, ...]
    crossfade: int  # samples of equal-power crossfade centred on each join
    warnings: tuple[str, ...] = ()

    # ---- durations ------------------------------------------------------
    @property
    def output_samples(self) -> int:
        # crossfades are centred on the joins and overlap-added: they do not change the length
        return sum(s.n_samples for s in self.spans)

    @property
    def output_frames(self) -> int:
        return sum(s.n_frames for s in self.spans)

    @property
    def output_duration_s(self) -> float:
        return self.output_samples / self.audio_rate

    @property
    def n_cuts(self) -> int:
        return len(self.removed_ranges())

    def removed_ranges(self) -> list[tuple[int, int]]:
        """Removed source audio ranges (samples), including a removed start or end."""
        out, pos = [], 0
        for s in self.spans:
            if s.audio_start > pos:
                out.append((pos, s.audio_start))
            pos = s.audio_end
        if pos < self.source_samples:
            out.append((pos, self.source_samples))
        return out

    def join_times_s(self) -> list[float]:
        """Output times of the joins between consecutive spans."""
        out, acc = [], 0
        for s in self.spans[:-1]:
            acc += s.n_samples
            out.append(acc / self.audio_rate)
        return out

    def join_frames(self) -> list[int]:
        """Output frame index of the first frame after each join."""
        out, acc = [], 0
        for s in self.spans[:-1]:
            acc += s.n_frames
            out.append(acc)
        return out

    # ---- time mapping -----------------------------------------------------
    def source_to_output_s(self, t: float) -> float | None:
        """Output time of source time ``t`` (s), or None where the source was cut out."""
        x = int(round(t * self.audio_rate))
        acc = 0
        for s in self.spans:
            if s.audio_start <= x < s.audio_end:
                return (acc + x - s.audio_start) / self.audio_rate
            acc += s.n_samples
        if self.spans and x == self.spans[-1].audio_end:
            return acc / self.audio_rate
        return None

    def output_to_source_s(self, t: float) -> float:
        x = int(round(t * self.audio_rate))
        starts = np.cumsum([0] + [s.n_samples for s in self.spans])
        i = min(max(bisect.bisect_right(starts.tolist(), x) - 1, 0), len(self.spans) - 1)
        s = self.spans[i]
        return min(s.audio_start + x - int(starts[i]), s.audio_end) / self.audio_rate


# ---------------------------------------------------------------- cut points
def quietest_point(audio: np.ndarray, lo: int, hi: int, window: int) -> int:
    """Sample in [lo, hi) where the ``window``-sample RMS around it is lowest (the middle on ties)."""
    if hi - lo <= 1:
        return lo
    half = window // 2
    a, b = max(0, lo - half), min(len(audio), hi + half)
    x = np.asarray(audio[a:b], np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    c = np.concatenate([[0.0], np.cumsum(x * x)])
    centers = np.arange(lo, hi)
    left = np.clip(centers - half - a, 0, len(x))
    right = np.clip(centers + half - a, 0, len(x))
    energy = (c[right] - c[left]) / np.maximum(right - left, 1)
    best = np.flatnonzero(energy <= energy.min() * (1 + 1e-9) + 1e-20)
    return int(centers[best[len(best) // 2]])


AudioReader = Callable[[int, int], np.ndarray]  # (start, end) samples -> mono float array


def _cut_in_pause(read: AudioReader, prev_end: int, next_start: int, rate: int, guard: int,
                  keep_side: str, min_pause: int) -> int:
    """A cut point inside the pause (prev_end, next_start).

    ``keep_side``: "left" = the audio before the cut is kept (a cut-in after a kept word), so
    only the first MAX_KEPT_PAUSE_S of the pause are eligible; "right" = mirror image.
    """
    if next_start - prev_end < max(min_pause, 2 * guard + 1):
        # Words abut (continuous speech): the aligned boundary is right to about a frame of the
        # aligner, so take the energy dip (a stop closure, a glottal gap) closest to it.
        mid = (prev_end + next_start) // 2
        reach = int(BOUNDARY_SEARCH_S * rate)
        win = int(0.005 * rate)
        seg = read(mid - reach - win, mid + reach + win)
        return quietest_point(seg, win, win + 2 * reach + 1, win) + mid - reach - win
    max_keep = int(MAX_KEPT_PAUSE_S * rate)
    min_keep = int(MIN_JOIN_PAUSE_S * rate) // 2
    lo, hi = prev_end + guard, next_start - guard
    if keep_side == "left":
        lo, hi = max(lo, prev_end + min(min_keep, (next_start - prev_end) // 2)), min(hi, prev_end + max_keep)
    elif keep_side == "right":
        lo, hi = max(lo, next_start - max_keep), min(hi, next_start - min(min_keep, (next_start - prev_end) // 2))
    if hi <= lo:
        return (prev_end + next_start) // 2
    seg = read(lo - int(QUIET_WINDOW_S * rate), hi + int(QUIET_WINDOW_S * rate))
    offset = lo - int(QUIET_WINDOW_S * rate)
    return quietest_point(seg, lo - offset, hi - offset, int(QUIET_WINDOW_S * rate)) + offset


def align_join(read: AudioReader, cut_in: int, cut_out: int, rate: int, crossfade: int) -> int:
    """Shift ``cut_out`` (by at most ALIGN_LAG_S) so the waveform after it continues the one
    before ``cut_in``: the crossfade then mixes two similar signals in phase instead of
    cancelling and spiking (the idea of WSOLA time-scale modification)."""
    lag = int(ALIGN_LAG_S * rate)
    half = max(crossfade // 2, int(0.004 * rate))
    ref = read(cut_in - half, cut_in + half)  # what the listener would hear if the cut had not happened
    cand = read(cut_out - lag - half, cut_out + lag + half)
    if len(ref) < 2 * half or len(cand) < 2 * (lag + half) or not np.any(ref):
        return cut_out
    ref = ref - ref.mean()
    windows = np.lib.stride_tricks.sliding_window_view(cand, 2 * half)  # (2*lag+1, 2*half)
    windows = windows - windows.mean(axis=1, keepdims=True)
    num = windows @ ref
    den = np.sqrt((windows * windows).sum(axis=1) * (ref @ ref)) + 1e-12
    best = int(np.argmax(num / den))
    return cut_out - lag + best


# ---------------------------------------------------------------- the plan
def build_plan(project: Project, audio: np.ndarray | None = None, audio_rate: int | None = None,
               reader: AudioReader | None = None) -> RenderPlan:
    """The kept spans of ``project``'s source.

    ``audio`` (mono or (n, ch), at ``audio_rate``) is used to find quiet
    points; without it, ``reader(start, end)`` fetches pause audio on demand
    (so a 3-hour lecture is never decoded whole just to plan a few cuts).
    """
    media = project.media
    rate = audio_rate or (media.audio.sample_rate if media.audio else WORD_RATE)
    if audio is not None:
        mono = np.asarray(audio.mean(axis=1) if audio.ndim > 1 else audio)
        total = len(mono)

        def reader(start: int, end: int) -> np.ndarray:
            pad = max(0, -start)  # before the first sample: silence
            return np.concatenate([np.zeros(pad, mono.dtype), mono[max(start, 0):max(end, 0)]])
    elif reader is None:
        raise ValueError("build_plan needs the audio or a reader")
    else:
        total = int(round((media.audio.duration_s if media.audio and media.audio.duration_s else media.duration_s)
                          * rate))
    crossfade = int(round(project.settings.crossfade_ms / 1000 * rate))
    guard = crossfade // 2 + int(0.002 * rate)  # the crossfade must lie wholly in the pause
    min_pause = int(project.settings.min_pause_ms / 1000 * rate)

    words = project.transcript.words
    states = project.edl.states()

    def at_rate(t16: int) -> int:
        return int(round(t16 * rate / WORD_RATE))

    removed: list[tuple[int, int]] = []
    i = 0
    n = len(words)
    while i < n:
        if states[i] is not WordState.DELETED:
            i += 1
            continue
        j = i
        while j < n and states[j] is WordState.DELETED:
            j += 1
        prev_end = at_rate(words[i - 1].end) if i > 0 else 0
        first_start, last_end = at_rate(words[i].start), at_rate(words[j - 1].end)
        next_start = at_rate(words[j].start) if j < n else total
        cut_in = 0 if i == 0 else _cut_in_pause(reader, prev_end, first_start, rate, guard, "left", min_pause)
        cut_out = total if j == n else _cut_in_pause(reader, last_end, next_start, rate, guard, "right", min_pause)
        if i == 0 and j < n:  # a removed start keeps a short lead-in before the first kept word
            cut_out = max(last_end, min(cut_out, next_start - int(MIN_JOIN_PAUSE_S * rate)))
        if j == n and i > 0:
            cut_in = min(first_start, max(cut_in, prev_end + int(MIN_JOIN_PAUSE_S * rate)))
        if 0 < cut_in and cut_out < total:
            cut_out = max(align_join(reader, cut_in, cut_out, rate, crossfade), cut_in + crossfade + 1)
        removed.append((max(cut_in, 0), min(cut_out, total)))
        i = j

    spans_audio: list[tuple[int, int]] = []
    pos = 0
    for a, b in removed:
        if a > pos:
            spans_audio.append((pos, a))
        pos = max(pos, b)
    if pos < total:
        spans_audio.append((pos, total))
    spans_audio = [(a, b) for a, b in spans_audio if b > a]
    if not spans_audio:
        raise NothingToExport("Every word is deleted, so the edited lecture would be empty. Restore some words.")

    fps = media.video.fps if media.video else None
    source_frames = 0
    spans: list[Span] = []
    if fps is None:
        spans = [Span(a, b, 0, 0) for a, b in spans_audio]
    else:
        source_frames = media.video.n_frames or int(round(media.duration_s * fps))
        acc_samples = 0
        acc_frames = 0
        for a, b in spans_audio:
            f0 = min(int(round(Fraction(a) * fps / rate)), source_frames)
            acc_samples += b - a
            target = int(round(Fraction(acc_samples) * fps / rate))  # cumulative frames that match the audio
            f1 = min(max(f0 + target - acc_frames, f0), source_frames)
            spans.append(Span(a, b, f0, f1))
            acc_frames += f1 - f0

    warnings = []
    pending = sum(len(r.text.split()) for r in project.edl.replacements)
    if pending:
        warnings.append(f"{pending} retyped word{'s' * (pending != 1)} are pending voice synthesis; "
                        "the original words were kept in their place")
    return RenderPlan(rate, fps, total, source_frames, tuple(spans), crossfade, tuple(warnings))
