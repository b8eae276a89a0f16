"""Which stretches of the source the edited lecture skips: pure functions, no Qt.

The player plays the source video and jumps over deleted words; these are the
jumps. Times are integer milliseconds of source time, the unit Qt Multimedia
uses. ``skip_spans`` is instant (cuts at word edges: the pause before a
deleted word is kept, the one after it cut); ``planned_skip_spans`` asks the
engine's render plan for the export's own cut points and replaces them a
moment later, so what plays is what will be exported.
"""

from __future__ import annotations

import bisect
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
    at the end of the recording). Retyped words still play as recorded until
    their new voice exists.
    """
    words = transcript.words
    spans: list[Span] = []
    for a, b in edl.deleted_runs():
        start = samples_to_ms(words[a].start)
        if b < len(words):
            end = samples_to_ms(words[b].start)
        else:
            end = duration_ms if duration_ms is not None else samples_to_ms(max(transcript.duration, words[b - 1].end))
        if a > 0:
            start = max(start, samples_to_ms(words[a - 1].end))
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


def edited_duration_ms(spans: list[Span], duration_ms: int) -> int:
    return duration_ms - sum(min(s.end_ms, duration_ms) - s.start_ms for s in spans if s.start_ms < duration_ms)


def edited_position_ms(spans: list[Span], ms: int) -> int:
    """Source time ``ms`` on the edited lecture's clock: minus everything skipped before it
    (inside a skipped span: where the edited lecture resumes)."""
    skipped = 0
    for s in spans:
        if s.start_ms >= ms:
            break
        skipped += min(s.end_ms, ms) - s.start_ms
    return ms - skipped


def planned_skip_spans(project: Project, reader: PauseReader) -> list[Span]:
    """The spans the export removes (``synthesis.plan.build_plan``: cuts at the quietest point of
    each pause), so the edited lecture plays exactly as it will be exported. Raises the engine's
    errors (e.g. nothing left to play); the caller keeps the word-edge spans then."""
    from lecturecut.synthesis.plan import build_plan

    plan = build_plan(project, audio_rate=reader.rate, reader=reader)
    rate = plan.audio_rate
    return [Span(a * MS_PER_S // rate, -(-b * MS_PER_S // rate)) for a, b in plan.removed_ranges() if b > a]
