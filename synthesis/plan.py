"""The render plan: which exact pieces of the source the edited lecture keeps.

A deleted run of words is removed from a cut point in the pause before it
to a cut point in the pause after it. Each cut point sits at the quietest
spot of its pause, never inside a word or a phone (word extents are the
refined boundaries, widened by any phone that reaches past them); where
two words leave less than ``min_pause_ms`` between them the cut falls on
the midpoint of their boundaries. A join never leaves more than
``MAX_KEPT_PAUSE_S`` of each side's pause, so a cut in the middle of a
long silence does not leave an unnaturally long gap.

Audio is cut at exact samples; video at frame boundaries chosen so that
the cumulative video duration stays within half a frame of the cumulative
audio duration: audio and video never drift apart, however many cuts.

Frames here are *slots* on the audio clock: slot ``i`` is the instant
``i / fps`` seconds after the audio's first sample (t = 0 of the word
times). The renderer shows in each slot the source frame whose presentation
interval covers that instant, so a variable frame rate, a video stream
that starts after the audio or ends before it, and edit lists all stay in
sync: the plan never counts source frames.

A retype the voice engine could speak becomes a :class:`SynthSpan` between the
kept spans: its source range is replaced by the new audio (crossfaded at both
joins like a cut). The plan maps its frames onto its source range uniformly; the render shows
background frames chosen from the footage around it (``render.background``) with the mouth
regenerated (``synthesis.lips``).
A retype it could not speak stays *pending*: its recorded words are kept.

A shortened pause (``edl.Pause``, the clean-up's long pauses) removes the middle of the
silence between two kept words (``silence_of``: where the first word's sound has died away
to where the next one's begins, by energy, since word boundaries are aligned to speech,
not to its breath and decay): the first cut sits at the quietest point near half the kept
length into the silence, the second one the removed length later, moved by at most
``ALIGN_LAG_S`` to match the waveform, so the silence heard is the one asked for and is made
of the room's own tone on both sides.
"""

from __future__ import annotations

import bisect
import functools
import threading
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Callable, Mapping, Union

import numpy as np

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.asr.transcript import Word
from lecturecut.core import LecturecutError, ProgressFn, no_progress, scaled
from lecturecut.media.errors import MediaError

from .edl import standing_pauses
from .project import Project

if TYPE_CHECKING:
    from .voice.record import SynthesizedSpeech

QUIET_WINDOW_S = 0.010  # RMS window used to find the quietest point of a pause
ALIGN_LAG_S = 0.008  # a join's far side may shift by up to this much to match the waveform (~ a pitch period)
MAX_KEPT_PAUSE_S = 0.30  # at most this much of each side's pause survives a join
MIN_JOIN_PAUSE_S = 0.12  # ...but joins get at least this much pause in all (when the source has it)
# Margin around each pause that planning may read: the quiet-point window, the join alignment's
# lag and its comparison window all reach a little past the pause's edges.
READ_MARGIN_S = QUIET_WINDOW_S + ALIGN_LAG_S + 0.030
PAUSE_CUT_SEARCH_S = 0.040  # a shortened pause's first cut may move this far either way to find a quiet spot
PAUSE_SILENCE_DB = 30.0  # a shortened pause's silence: 5 ms windows this far under the speech beside it...
PAUSE_SILENT_RUN_S = 0.020  # ...for at least this long
PAUSE_SPEECH_REF_S = 0.200  # the speech either side of a pause that its silence is measured against


class NothingToExport(LecturecutError):
    pass


@dataclass(frozen=True)
class Span:
    """One kept piece of the source, in exact units."""

    audio_start: int  # samples @ plan.audio_rate, inclusive
    audio_end: int  # exclusive
    frame_start: int  # frame slots @ plan.fps on the audio clock, inclusive (0, 0 without video)
    frame_end: int  # exclusive

    @property
    def n_samples(self) -> int:
        return self.audio_end - self.audio_start

    @property
    def n_frames(self) -> int:
        return self.frame_end - self.frame_start


@dataclass(frozen=True)
class SynthSpan:
    """New speech in place of the source range ``[audio_start, audio_end)`` (a retype).

    ``n_samples`` / ``n_frames`` are its *output* lengths, as for a :class:`Span`, so
    durations and joins add up over every piece of the plan alike. The video under it
    shows the source instants of its range, mapped uniformly onto the new duration.
    """

    audio_start: int  # source samples @ plan.audio_rate: where the source stops (a join, crossfaded)
    audio_end: int  # where the source resumes
    new_samples: int  # output samples of the new speech (its audio less a crossfade's worth of overlap)
    out_frames: int  # output frame slots under it
    replacement: int  # index in project.edl.replacements
    method: str  # the voice engine's method: "reused" | "units" | "generic"
    speech: "SynthesizedSpeech" = field(compare=False, repr=False, default=None)  # the audio to mix

    @property
    def n_samples(self) -> int:
        return self.new_samples

    @property
    def n_frames(self) -> int:
        return self.out_frames

    @property
    def source_range(self) -> tuple[int, int]:
        return self.audio_start, self.audio_end

    def source_sample_at(self, offset: Fraction | int) -> Fraction:
        """The source instant (samples, exact) shown ``offset`` output samples into the span."""
        offset = min(max(Fraction(offset), Fraction(0)), Fraction(self.new_samples))
        if self.new_samples == 0:
            return Fraction(self.audio_start)
        return self.audio_start + offset * (self.audio_end - self.audio_start) / self.new_samples


Piece = Union[Span, SynthSpan]


@dataclass(frozen=True)
class RenderPlan:
    audio_rate: int  # Hz
    fps: Fraction | None  # None for an audio-only source
    source_samples: int  # samples of the whole source audio
    source_frames: int  # frame slots covering the source audio (not the video's frame count)
    spans: tuple[Piece, ...]  # kept spans and synthetic spans, in output (= source) order
    crossfade: int  # samples of equal-power crossfade centred on each join
    warnings: tuple[str, ...] = ()

    @property
    def kept_spans(self) -> tuple[Span, ...]:
        return tuple(s for s in self.spans if isinstance(s, Span))

    @property
    def synth_spans(self) -> tuple[SynthSpan, ...]:
        return tuple(s for s in self.spans if isinstance(s, SynthSpan))

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
        """Removed source audio ranges (samples), including a removed start or end.

        A synthetic span's source range is replaced, not removed: it is not listed."""
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

    # ---- time mapping -----------------------------------------------------
    @functools.cached_property
    def _index(self) -> tuple[list[int], list[int]]:
        """(source start of each span, output start of each span), for bisecting."""
        src, out, acc = [], [], 0
        for s in self.spans:
            src.append(s.audio_start)
            out.append(acc)
            acc += s.n_samples
        return src, out

    def source_to_output(self, x: int) -> int | None:
        """Output sample of source sample ``x``, or None where the source was cut out."""
        src, out = self._index
        k = bisect.bisect_right(src, x) - 1
        if k < 0:
            return None
        s = self.spans[k]
        if x < s.audio_end or (k == len(self.spans) - 1 and x == s.audio_end):
            if isinstance(s, SynthSpan):  # the retimed range: the instant its frames are shown at
                n = s.audio_end - s.audio_start
                return out[k] + ((x - s.audio_start) * s.new_samples // n if n else 0)
            return out[k] + x - s.audio_start
        return None

    def output_to_source(self, y: int) -> int:
        """Source sample shown at output sample ``y`` (clamped to the output)."""
        src, out = self._index
        k = min(max(bisect.bisect_right(out, y) - 1, 0), len(self.spans) - 1)
        s = self.spans[k]
        if isinstance(s, SynthSpan):
            return int(s.source_sample_at(y - out[k]))
        return min(max(s.audio_start + y - out[k], s.audio_start), s.audio_end)

    def source_to_output_s(self, t: float) -> float | None:
        """Output time of source time ``t`` (s), or None where the source was cut out."""
        y = self.source_to_output(int(round(t * self.audio_rate)))
        return None if y is None else y / self.audio_rate


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
        # Words (nearly) abut: no pause to hide the cut in. The midpoint of the two refined
        # boundaries is the one place that is inside neither word; searching further for an
        # energy dip would trade a quieter join for clipping a kept word or keeping a piece
        # of a deleted one.
        return (prev_end + next_start) // 2
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


def align_join(read: AudioReader, cut_in: int, cut_out: int, rate: int, crossfade: int,
               lo: int | None = None, hi: int | None = None) -> int:
    """Shift ``cut_out`` (by at most ALIGN_LAG_S) so the waveform after it continues the one
    before ``cut_in``: the crossfade then mixes two similar signals in phase instead of
    cancelling and spiking (the idea of WSOLA time-scale modification).

    The shifted cut stays within ``[lo, hi]`` (the part of the pause where the crossfade
    touches no word); a cut outside that range is returned unchanged.
    """
    lag = int(ALIGN_LAG_S * rate)
    lo = cut_out - lag if lo is None else max(lo, cut_out - lag)
    hi = cut_out + lag if hi is None else min(hi, cut_out + lag)
    if not lo <= cut_out <= hi or hi <= lo:
        return cut_out
    half = max(crossfade // 2, int(0.004 * rate))
    ref = read(cut_in - half, cut_in + half)  # what the listener would hear if the cut had not happened
    cand = read(lo - half, hi + half)
    if len(ref) < 2 * half or len(cand) < hi - lo + 2 * half or not np.any(ref):
        return cut_out
    ref = ref - ref.mean()
    windows = np.lib.stride_tricks.sliding_window_view(cand, 2 * half)  # (hi - lo + 1, 2*half)
    windows = windows - windows.mean(axis=1, keepdims=True)
    num = windows @ ref
    den = np.sqrt((windows * windows).sum(axis=1) * (ref @ ref)) + 1e-12
    best = int(np.argmax(num / den))
    return lo + best


def word_extent(word: Word) -> tuple[int, int]:
    """Where a word sounds (samples @ 16 kHz): its refined boundaries, widened by its phones."""
    start, end = word.start, word.end
    if word.phones:
        start = min(start, word.phones[0].start)
        end = max(end, max(p.end for p in word.phones))
    return start, end


def shortened_pauses(project: Project, rate: int) -> list[tuple[int, int, int]]:
    """(prev_end, next_start, keep) at ``rate`` of each shortened pause still between two kept words
    with nothing inserted there: the pause between the words' extents and what it keeps."""
    words = project.transcript.words
    out = []
    for pause in standing_pauses(project.edl, project.edl.pauses):
        k = pause.before
        prev_end = int(round(word_extent(words[k - 1])[1] * rate / WORD_RATE))
        next_start = int(round(word_extent(words[k])[0] * rate / WORD_RATE))
        out.append((prev_end, next_start, int(round(pause.keep_ms / 1000 * rate))))
    return out


def silence_of(read: AudioReader, prev_end: int, next_start: int, rate: int) -> tuple[int, int]:
    """The silent stretch of the pause between two words' extents: from where the first word's
    sound has died away (a breath, a decaying vowel the alignment left outside the word) to where
    the next word's sound begins, by energy (5 ms windows at least ``PAUSE_SILENCE_DB`` under the
    loudest window of the ``PAUSE_SPEECH_REF_S`` of speech either side, and over the pause's own
    noise floor by no more than that, for at least ``PAUSE_SILENT_RUN_S``). The pause heard is this
    stretch; where nothing in the pause is that quiet (noise or music throughout), the extents' pause."""
    hop = max(int(0.005 * rate), 1)
    n = (next_start - prev_end) // hop
    run = max(int(PAUSE_SILENT_RUN_S / 0.005), 1)
    ref = int(PAUSE_SPEECH_REF_S * rate) // hop * hop
    if n < 2 * run:
        return prev_end, next_start
    x = np.asarray(read(prev_end - ref, prev_end + n * hop + ref), np.float64)
    if len(x) < n * hop + 2 * ref:
        return prev_end, next_start
    rms = np.sqrt(np.mean(x[: len(x) // hop * hop].reshape(-1, hop) ** 2, axis=1))
    m = ref // hop
    pause, speech = rms[m:m + n], np.concatenate([rms[:m], rms[m + n:]])
    level = max(float(speech.max()) if len(speech) else 0.0, 1e-12) * 10 ** (-PAUSE_SILENCE_DB / 20)
    floor = float(np.percentile(pause, 10)) * 10 ** (PAUSE_SILENCE_DB / 20)
    quiet = pause <= max(level, floor, 1e-5)
    runs = np.convolve(quiet.astype(np.int32), np.ones(run, np.int32), "valid") == run  # run quiet windows
    where = np.flatnonzero(runs)
    if not len(where):
        return prev_end, next_start
    return prev_end + int(where[0]) * hop, prev_end + (int(where[-1]) + run) * hop


def pause_regions(project: Project, rate: int) -> list[tuple[int, int]]:
    """The source stretches (samples @ ``rate``, sorted, disjoint) that ``build_plan`` reads.

    Only the pauses next to deleted runs, and of a long pause only the ends a
    join may keep: an export can fetch these in one sequential pass instead
    of seeking into the file for every cut.
    """
    words = project.transcript.words
    n = len(words)
    margin = int(READ_MARGIN_S * rate)
    max_keep = int(MAX_KEPT_PAUSE_S * rate)

    def at_rate(t16: int) -> int:
        return int(round(t16 * rate / WORD_RATE))

    out: list[tuple[int, int]] = []
    for i, j in project.edl.deleted_runs():
        pauses = []
        if i > 0:
            pauses.append((at_rate(word_extent(words[i - 1])[1]), at_rate(word_extent(words[i])[0])))
        if j < n:
            pauses.append((at_rate(word_extent(words[j - 1])[1]), at_rate(word_extent(words[j])[0])))
        for a, b in pauses:
            if b - a > 2 * max_keep:
                out += [(a - margin, a + max_keep + margin), (b - max_keep - margin, b + margin)]
            else:
                out.append((min(a, b) - margin, max(a, b) + margin))
    for prev_end, next_start, _keep in shortened_pauses(project, rate):
        ref = int(PAUSE_SPEECH_REF_S * rate)  # its silence is found in the whole pause, against the words beside it
        out.append((prev_end - ref - margin, next_start + ref + margin))
    merged: list[tuple[int, int]] = []
    for a, b in sorted(out):
        a = max(a, 0)
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        elif b > a:
            merged.append((a, b))
    return merged


# ---------------------------------------------------------------- the plan
# Frame rates players and editors expect. A variable-frame-rate recording's average rate is
# an arbitrary fraction (22.47 fps for a screen recording that idled); its output gets the
# nearest of these instead, and every output frame is then placed by time.
STANDARD_RATES = (Fraction(24000, 1001), Fraction(24), Fraction(25), Fraction(30000, 1001), Fraction(30),
                  Fraction(50), Fraction(60000, 1001), Fraction(60))
NOMINAL_DENOMINATORS = (1, 1001)  # a rate with one of these is a constant rate as recorded


def output_fps(source_fps: Fraction) -> Fraction:
    """The constant frame rate of the export: the source's own when it is a nominal rate."""
    source_fps = Fraction(source_fps)
    if source_fps.denominator in NOMINAL_DENOMINATORS or source_fps <= 0:
        return source_fps
    return min(STANDARD_RATES, key=lambda r: abs(r - source_fps))


def _round_half_up(x: Fraction) -> int:
    """Nearest integer, halves up (``round`` on a Fraction rounds halves to even)."""
    return int((x + Fraction(1, 2)).__floor__())


def build_plan(project: Project, audio: np.ndarray | None = None, audio_rate: int | None = None,
               reader: AudioReader | None = None, speech: Mapping[int, "SynthesizedSpeech"] | None = None,
               pending: Mapping[int, str] | None = None) -> RenderPlan:
    """The kept spans of ``project``'s source, and the synthetic spans of its spoken retypes.

    ``audio`` (mono or (n, ch), at ``audio_rate``) is used to find quiet
    points; without it, ``reader(start, end)`` fetches pause audio on demand
    (so a 3-hour lecture is never decoded whole just to plan a few cuts).

    ``speech``: replacement index -> the voice engine's speech for it (at the plan's
    rate); ``pending``: replacement index -> why it could not be spoken. Without
    ``speech`` (None) every retype is pending and the plan is the cut-only plan.
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
    half = crossfade // 2
    guard = half + int(0.002 * rate)  # the crossfade must lie wholly in the pause
    min_pause = int(project.settings.min_pause_ms / 1000 * rate)

    words = project.transcript.words
    n = len(words)

    def at_rate(t16: int) -> int:
        return int(round(t16 * rate / WORD_RATE))

    removed: list[tuple[int, int]] = []
    for i, j in project.edl.deleted_runs():
        prev_end = at_rate(word_extent(words[i - 1])[1]) if i > 0 else 0
        first_start, last_end = at_rate(word_extent(words[i])[0]), at_rate(word_extent(words[j - 1])[1])
        next_start = at_rate(word_extent(words[j])[0]) if j < n else total
        cut_in = 0 if i == 0 else _cut_in_pause(reader, prev_end, first_start, rate, guard, "left", min_pause)
        cut_out = total if j == n else _cut_in_pause(reader, last_end, next_start, rate, guard, "right", min_pause)
        if i == 0 and j < n:  # a removed start keeps a short lead-in before the first kept word
            cut_out = max(last_end, min(cut_out, next_start - int(MIN_JOIN_PAUSE_S * rate)))
        if j == n and i > 0:
            cut_in = min(first_start, max(cut_in, prev_end + int(MIN_JOIN_PAUSE_S * rate)))
        if 0 < cut_in and cut_out < total:
            cut_out = max(align_join(reader, cut_in, cut_out, rate, crossfade,
                                     lo=last_end + guard, hi=next_start - guard), cut_in + crossfade + 1)
        removed.append((max(cut_in, 0), min(cut_out, total)))
    search = int(PAUSE_CUT_SEARCH_S * rate)
    quiet_w = int(QUIET_WINDOW_S * rate)
    for prev_end, next_start, keep in shortened_pauses(project, rate):
        s0, s1 = silence_of(reader, prev_end, next_start, rate)
        length = (s1 - s0) - keep  # what goes: the silence heard keeps ``keep``
        if length <= crossfade + 1:
            continue  # the silence heard is no longer than it should keep
        # the first cut near the middle of what is kept on the left; both crossfades stay in the silence
        lo = max(s0 + keep // 2 - search, s0 + guard)
        hi = min(s0 + keep // 2 + search, s1 - guard - length)
        if hi <= lo:
            lo = hi = s0 + keep // 2
        seg = reader(lo - quiet_w, hi + 1 + quiet_w)
        cut_in = quietest_point(seg, quiet_w, hi + 1 - lo + quiet_w, quiet_w) + lo - quiet_w
        cut_out = align_join(reader, cut_in, cut_in + length, rate, crossfade, lo=cut_in + crossfade + 1,
                             hi=s1 - guard)
        removed.append((cut_in, min(cut_out, total)))
    removed.sort()

    spans_audio: list[tuple[int, int]] = []
    pos = 0
    for a, b in removed:
        if a > pos:
            spans_audio.append((pos, a))
        pos = max(pos, b)
    if pos < total:
        spans_audio.append((pos, total))
    spans_audio = [(a, b) for a, b in spans_audio if b > a]
    synth = _synth_ranges(speech or {}, removed, total, rate, crossfade)
    pieces: list[tuple[int, int, int | None]] = _interleave(spans_audio, synth)  # (a, b, replacement or None)
    if not pieces:
        raise NothingToExport("Every word is deleted, so the edited lecture would be empty. Restore some words.")

    def synth_span(a: int, b: int, k: int, frames: int) -> SynthSpan:
        sp = speech[k]
        # the audio carries half a crossfade beyond each join, as a kept span's reads do
        return SynthSpan(a, b, max(len(sp.audio) - 2 * half, 0), frames, k, sp.record.method, sp)

    fps = output_fps(media.video.fps) if media.video else None
    source_frames = 0
    spans: list[Piece] = []
    if fps is None:
        spans = [Span(a, b, 0, 0) if k is None else synth_span(a, b, k, 0) for a, b, k in pieces]
    else:
        # Slots cover the audio, whatever the video's length: past the video's last frame the
        # renderer holds it (clamping to the frame count instead replayed frames of deleted words).
        source_frames = _round_half_up(Fraction(total) * fps / rate)
        acc_samples = 0  # output samples before the current span
        acc_frames = 0  # output frames before the current span
        for a, b, k in pieces:
            if k is not None:
                # New speech: its frames follow the output clock; which source instant each shows
                # is the renderer's uniform retiming of [a, b) (SynthSpan.source_sample_at).
                piece = synth_span(a, b, k, 0)
                target = _round_half_up(Fraction(acc_samples + piece.n_samples) * fps / rate)
                piece = synth_span(a, b, k, max(target - acc_frames, 0))
                spans.append(piece)
                acc_samples += piece.n_samples
                acc_frames += piece.n_frames
                continue
            # Each span's frame count makes the cumulative frames the nearest whole number to the
            # cumulative audio (so video never drifts from audio by more than half a frame,
            # however many cuts), and its first frame is the one whose output time best matches
            # the output time of its audio (lips stay within half a frame of the voice).
            target = _round_half_up(Fraction(acc_samples + b - a) * fps / rate)
            count = max(target - acc_frames, 0)
            f0 = _round_half_up(Fraction(a) * fps / rate + acc_frames - Fraction(acc_samples) * fps / rate)
            f0 = max(min(f0, source_frames - count), 0)  # the source's first/last frames bound it
            f1 = min(f0 + count, source_frames)
            spans.append(Span(a, b, f0, f1))
            acc_samples += b - a
            acc_frames += f1 - f0

    warnings = []
    if speech is None:
        n_pending = sum(len(r.text.split()) for r in project.edl.replacements)
        if n_pending:
            plural = n_pending != 1
            warnings.append(f"{n_pending} retyped word{'s' * plural} {'are' if plural else 'is'} pending voice "
                            f"synthesis; exported with the original word{'s' * plural} in "
                            f"{'their' if plural else 'its'} place")
    else:
        for k in sorted(pending or {}):
            warnings.append(f"retype {k + 1} stays pending: {pending[k]}")
    return RenderPlan(rate, fps, total, source_frames, tuple(spans), crossfade, tuple(warnings))


def _synth_ranges(speech: Mapping[int, "SynthesizedSpeech"], removed: list[tuple[int, int]], total: int,
                  rate: int, crossfade: int) -> list[tuple[int, int, int]]:
    """(a, b, replacement index) of each spoken retype, sorted, clipped so that no source range
    overlaps a removed stretch, another retype's range or the ends of the source.

    The voice engine computes its range from the source transcript alone; a deleted neighbour's
    removed stretch reaches into the same pause, so the range gives way to it (the cut there
    stays where planning put it, at the quiet point).
    """
    out: list[tuple[int, int, int]] = []
    for k, sp in sorted(speech.items(), key=lambda kv: kv[1].record.source_range):
        if sp.record.rate != rate:
            raise ValueError(f"speech for retype {k + 1} is at {sp.record.rate} Hz, the plan at {rate} Hz")
        a, b = (int(x) for x in sp.record.source_range)
        a, b = max(a, 0), min(b, total)
        for r0, r1 in removed:
            if r0 <= a < r1:
                a = r1
            if r0 < b <= r1:
                b = r0
        if out:
            a = max(a, out[-1][1])
        out.append((a, max(a, b), k))
    return out


def _interleave(kept: list[tuple[int, int]], synth: list[tuple[int, int, int]]) -> list[tuple[int, int, int | None]]:
    """The kept intervals less the synthetic ranges, with the synthetic ones in their place."""
    out: list[tuple[int, int, int | None]] = []
    cuts = [(a, b) for a, b, _ in synth]
    for a, b in kept:
        pos = a
        for c0, c1 in cuts:
            if c1 <= pos or c0 >= b:
                continue
            if c0 > pos:
                out.append((pos, c0, None))
            pos = max(pos, c1)
        if b > pos:
            out.append((pos, b, None))
    out += synth
    # a zero-length insertion sorts before the kept span that starts where it is spoken
    out.sort(key=lambda p: (p[0], p[2] is None, p[1]))
    return out


# ---------------------------------------------------------------- pause audio
class PauseReader:
    """Mono audio of short source stretches (the pauses around cuts): the one reader planning uses.

    The export calls :meth:`prefetch` with ``pause_regions`` first: one sequential decoding
    pass keeps just those stretches (a few kB each), where seeking for every read cost an
    ffprobe and an ffmpeg start per call (hundreds of cuts in a long lecture took minutes).
    The player re-plans after every edit and asks again for the same pauses: reads outside
    the prefetched regions decode on demand and are cached. Thread-safe.
    """

    def __init__(self, path: str, rate: int) -> None:
        self.path = path
        self.rate = rate
        self._starts: list[int] = []
        self._regions: list[tuple[int, int]] = []
        self._audio: list[np.ndarray] = []
        self._cache: dict[tuple[int, int], np.ndarray] = {}
        self._lock = threading.Lock()

    def prefetch(self, regions: list[tuple[int, int]], progress: ProgressFn | None = None,
                 cancel: object | None = None) -> "PauseReader":
        """Decode the sorted, disjoint ``regions`` (samples) in one pass; returns self."""
        from lecturecut.media.audio import stream_audio

        audio = [np.zeros(b - a, np.float32) for a, b in regions]  # silence past the end of the audio
        if regions:
            end = regions[-1][1]
            progress = progress or no_progress
            blocks = stream_audio(self.path, self.rate, 1, cancel=cancel)
            pos, first = 0, 0  # source sample of the block; first region not yet complete
            try:
                for block in blocks:
                    x = block[:, 0]  # (n,)
                    n = len(x)
                    while first < len(regions) and regions[first][1] <= pos:
                        first += 1
                    k = first
                    while k < len(regions) and regions[k][0] < pos + n:
                        a, b = regions[k]
                        lo, hi = max(a, pos), min(b, pos + n)
                        if hi > lo:
                            audio[k][lo - a:hi - a] = x[lo - pos:hi - pos]
                        k += 1
                    pos += n
                    progress(min(pos / end, 1.0), "finding quiet cut points")
                    if pos >= end:
                        break  # the rest of the file holds no pause we cut in
            finally:
                blocks.close()
        with self._lock:
            self._starts, self._regions, self._audio = [a for a, _ in regions], list(regions), audio
        return self

    def __call__(self, start: int, end: int) -> np.ndarray:
        with self._lock:
            k = bisect.bisect_right(self._starts, max(start, 0)) - 1
            if k >= 0 and end <= self._regions[k][1]:
                a = self._regions[k][0]
                x = self._audio[k][max(start, 0) - a:end - a]
                return np.concatenate([np.zeros(max(0, -start), np.float32), x]) if start < 0 else x
            hit = self._cache.get((start, end))
        if hit is not None:
            return hit
        from lecturecut.media.audio import read_range

        x = read_range(self.path, self.rate, start, end)
        with self._lock:
            self._cache[(start, end)] = x
        return x


PLANNING_SHARE = 0.2  # of plan_for's progress: finding the cut points; the rest is new speech (when any)


def plan_for(project: Project, progress: ProgressFn | None = None, cancel: object | None = None, *,
             synthesize: bool = False) -> RenderPlan:
    """The render plan of ``project``, reading only the pauses it cuts in (one pass over the audio).

    ``synthesize``: ask the voice engine for every retype and plan what it says as synthetic
    spans; a retype it cannot say stays pending (recorded words kept, a warning in the plan).
    Without it (the player, for now) every retype is pending, as before the voice existed.
    """
    progress = progress or no_progress
    media = project.media
    if media.audio is None:
        raise MediaError("The source has no audio track; there is nothing to cut by words.")
    rate = media.audio.sample_rate
    reps = project.edl.replacements
    share = PLANNING_SHARE if synthesize and reps else 1.0
    reader = PauseReader(project.source, rate).prefetch(pause_regions(project, rate),
                                                        scaled(progress, 0.0, share), cancel)
    if not synthesize:
        return build_plan(project, audio_rate=rate, reader=reader)
    speech, pending = synthesize_retypes(project, rate, scaled(progress, share, 1.0), cancel)
    return build_plan(project, audio_rate=rate, reader=reader, speech=speech, pending=pending)


def synthesize_retypes(project: Project, rate: int, progress: ProgressFn | None = None,
                       cancel: object | None = None) -> tuple[dict[int, "SynthesizedSpeech"], dict[int, str]]:
    """(replacement index -> speech, replacement index -> why it stays pending) for every retype."""
    from .voice import VoiceError, synthesize

    progress = progress or no_progress
    reps = project.edl.replacements
    speech: dict[int, SynthesizedSpeech] = {}
    pending: dict[int, str] = {}
    for k, r in enumerate(reps):
        try:
            speech[k] = synthesize(project, r, audio_rate=rate, cancel=cancel,
                                   progress=scaled(progress, k / len(reps), (k + 1) / len(reps)))
        except VoiceError as exc:  # that retype keeps its recorded words; the others are spoken
            pending[k] = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    progress(1.0, "new speech ready")
    return speech, pending
