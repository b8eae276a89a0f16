"""Which stretches of the source the edited lecture skips or replaces: pure functions, no Qt.

The player plays the source video and jumps over deleted words; these are the
jumps. Where a retype's new speech is ready, the player plays it instead of the
source range it replaces (a :class:`SynthSpot`), so the edited lecture's clock
counts the new speech's length, not the recorded words'. Times are integer
milliseconds of source time, the unit Qt Multimedia uses. ``skip_spans`` is
instant (cuts at word edges: the pause before a deleted word is kept, the one
after it cut); ``planned_skip_spans`` asks the
engine's render plan for the export's own cut points and replaces them a
moment later, so what plays is what will be exported.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass

from lecturecut.asr.transcript import SAMPLE_RATE, Transcript
from lecturecut.synthesis.edl import Edl
from lecturecut.synthesis.plan import PauseReader  # the export's pause reader: one home (re-exported here)
from lecturecut.synthesis.project import Project

MS_PER_S = 1000
MIN_SKIP_MS = 30  # shorter jumps are inaudible and only cost a seek
MERGE_GAP_MS = 60  # jumps closer than this are merged into one seek


def samples_to_ms(samples: int) -> int:
    return samples * MS_PER_S // SAMPLE_RATE


@dataclass(frozen=True)
class Span:
    start_ms: int
    end_ms: int  # exclusive

    def contains(self, ms: int) -> bool:
        return self.start_ms <= ms < self.end_ms


def skip_spans(transcript: Transcript, edl: Edl, duration_ms: int | None = None) -> list[Span]:
    """Source-time spans the edited lecture leaves out, sorted and disjoint.

    A deleted run ``[a, b)`` is skipped from the start of word ``a`` to the
    start of the next kept word (or the end of word ``b-1`` plus the pause,
    at the end of the recording); a shortened pause, its middle. Retyped words still play as recorded until
    their new voice exists.
    """
    words = transcript.words
    raw: list[Span] = []
    for a, b in edl.deleted_runs():
        start = samples_to_ms(words[a].start)
        if b < len(words):
            end = samples_to_ms(words[b].start)
        else:
            end = duration_ms if duration_ms is not None else samples_to_ms(max(transcript.duration, words[b - 1].end))
        if a > 0:
            start = max(start, samples_to_ms(words[a - 1].end))
        raw.append(Span(start, end))
    for p in edl.pauses:  # a shortened pause: its middle is skipped, half of what it keeps on each side
        if 0 < p.before < len(words):
            prev_end, next_start = samples_to_ms(words[p.before - 1].end), samples_to_ms(words[p.before].start)
            if next_start - prev_end > p.keep_ms:
                raw.append(Span(prev_end + p.keep_ms // 2, next_start - (p.keep_ms - p.keep_ms // 2)))
    spans: list[Span] = []
    for span in sorted(raw, key=lambda sp: sp.start_ms):
        start, end = span.start_ms, span.end_ms
        if end - start < MIN_SKIP_MS:
            continue
        if spans and start - spans[-1].end_ms <= MERGE_GAP_MS:
            spans[-1] = Span(spans[-1].start_ms, max(end, spans[-1].end_ms))
        else:
            spans.append(Span(start, end))
    return spans


def span_at(spans: list[Span], ms: int) -> Span | None:
    """The skip span containing ``ms``, if any (binary search)."""
    i = bisect.bisect_right([s.start_ms for s in spans], ms) - 1
    return spans[i] if i >= 0 and spans[i].contains(ms) else None


def word_at(starts_ms: list[int], ms: int) -> int | None:
    """Index of the word being spoken at ``ms`` (the last one started), or None before the first."""
    i = bisect.bisect_right(starts_ms, ms) - 1
    return i if i >= 0 else None


@dataclass(frozen=True)
class SynthSpot:
    """New speech played in place of source ``[start_ms, end_ms)``: ``new_ms`` of audio from ``path``.

    While it plays, the picture holds and the playhead moves uniformly across the replaced
    source range (as the export retimes the frames under new speech), so the transcript
    follows the retyped words.
    """

    start_ms: int
    end_ms: int  # exclusive; == start_ms for an insertion spoken in no source time
    new_ms: int  # how long the new speech plays at normal speed
    path: str  # a WAV of the new speech between its two joins
    key: object = None  # what it is the speech of (the app passes the Replacement)

    @property
    def replaced_ms(self) -> int:
        return self.end_ms - self.start_ms

    def source_at(self, elapsed_ms: float) -> int:
        """The source time shown ``elapsed_ms`` into the new speech."""
        if self.new_ms <= 0:
            return self.end_ms
        f = min(max(elapsed_ms / self.new_ms, 0.0), 1.0)
        return min(self.start_ms + int(f * self.replaced_ms), max(self.end_ms - 1, self.start_ms))

    def elapsed_at(self, source_ms: int) -> int:
        """How far into the new speech source time ``source_ms`` falls (0 before the spot)."""
        if self.replaced_ms <= 0:
            return 0
        f = min(max((source_ms - self.start_ms) / self.replaced_ms, 0.0), 1.0)
        return int(f * self.new_ms)


def place_spots(spots: list[SynthSpot], skips: list[Span]) -> list[SynthSpot]:
    """``spots`` sorted, each clipped to give way to the skipped spans and to the spot before it.

    The rule of the export's plan (``synthesis.plan._synth_ranges``): the voice engine
    computes a retype's range from the source transcript alone, and a deleted neighbour's
    cut reaches into the same pause; the cut stays where it is and the range shrinks.
    """
    out: list[SynthSpot] = []
    for s in sorted(spots, key=lambda s: (s.start_ms, s.end_ms)):
        a, b = s.start_ms, s.end_ms
        for k in skips:
            if k.start_ms <= a < k.end_ms:
                a = k.end_ms
            if k.start_ms < b <= k.end_ms:
                b = k.start_ms
        if out:
            a = max(a, out[-1].end_ms)
        out.append(SynthSpot(a, max(a, b), s.new_ms, s.path, s.key))
    return out


def spot_due(spots: list[SynthSpot], ms: int, early_ms: int = 0) -> SynthSpot | None:
    """The spot the playhead at ``ms`` is in, or reaches within ``early_ms`` (a zero-length
    spot counts as ``early_ms`` wide either side, so a tick cannot step over it)."""
    for s in spots:
        if s.start_ms - early_ms <= ms < max(s.end_ms, s.start_ms + early_ms + 1):
            return s
        if s.start_ms > ms + early_ms:
            break
    return None


def _spot_extra(spots: Sequence[SynthSpot], ms: int) -> int:
    """How much longer than the source the new speech before source time ``ms`` plays."""
    extra = 0
    for s in spots:
        if s.start_ms >= ms:
            break
        if s.end_ms <= ms:
            extra += s.new_ms - s.replaced_ms
        else:  # inside: where the new speech has got to, less the source time it covers
            extra += s.elapsed_at(ms) - (ms - s.start_ms)
    return extra


def edited_duration_ms(spans: list[Span], duration_ms: int, spots: Sequence[SynthSpot] = ()) -> int:
    skipped = sum(min(s.end_ms, duration_ms) - s.start_ms for s in spans if s.start_ms < duration_ms)
    extra = sum(s.new_ms - s.replaced_ms for s in spots if s.start_ms <= duration_ms)
    return duration_ms - skipped + extra


def edited_position_ms(spans: list[Span], ms: int, spots: Sequence[SynthSpot] = ()) -> int:
    """Source time ``ms`` on the edited lecture's clock: minus everything skipped before it
    (inside a skipped span: where the edited lecture resumes), plus what new speech before it
    adds (inside a spot: how far its new speech has got)."""
    skipped = 0
    for s in spans:
        if s.start_ms >= ms:
            break
        skipped += min(s.end_ms, ms) - s.start_ms
    return ms - skipped + _spot_extra(spots, ms)


def planned_skip_spans(project: Project, reader: PauseReader) -> list[Span]:
    """The spans the export removes (``synthesis.plan.build_plan``: cuts at the quietest point of
    each pause), so the edited lecture plays exactly as it will be exported. Raises the engine's
    errors (e.g. nothing left to play); the caller keeps the word-edge spans then."""
    from lecturecut.synthesis.plan import build_plan

    plan = build_plan(project, audio_rate=reader.rate, reader=reader)
    rate = plan.audio_rate
    return [Span(a * MS_PER_S // rate, -(-b * MS_PER_S // rate)) for a, b in plan.removed_ranges() if b > a]
