"""Every retype of a project and how (or whether) its speech was synthesized.

Synthetic speech is never silent about itself: a front end lists every span
with its method and the recorded words it used, and a retype not synthesized
yet is listed as pending, never left out. Reads the cache only (no audio,
no analysis), so it is cheap enough to call on every edit.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..edl import Replacement
from ..project import Project
from . import cache
from .corpus import transcript_digest
from .record import SpanRecord

STATUS_SYNTHESIZED = "synthesized"
STATUS_PENDING = "pending"


@dataclass(frozen=True)
class SpanStatus:
    replacement: Replacement
    status: str  # STATUS_SYNTHESIZED | STATUS_PENDING
    record: SpanRecord | None  # method, sources, words, phones; None while pending


def synthesized_spans(project: Project, audio_rate: int | None = None) -> tuple[SpanStatus, ...]:
    """One entry per retype of ``project``'s current edit list, in order, for ``audio_rate``
    (default: the source's audio rate, the rate export synthesizes at)."""
    rate = audio_rate or (project.media.audio.sample_rate if project.media.audio else 16_000)
    digest = transcript_digest(project.transcript)
    out = []
    for r in project.edl.replacements:
        record = cache.load_record(cache.span_key(project.fingerprint.head_tail_sha256, digest, r, rate, None))
        out.append(SpanStatus(r, STATUS_SYNTHESIZED if record else STATUS_PENDING, record))
    return tuple(out)
