"""New speech heard in place: the reference for how the renderer mixes a span into the lecture.

``in_context`` is what export does at a retype, on audio in memory: the source
up to ``source_range[0]``, the new audio, the source from ``source_range[1]``,
each join an equal-power crossfade of ``crossfade`` samples centred on the cut
(as ``render.audio.crossfade_join`` does for a cut). Tests, benchmarks and the
player use it on short stretches; export streams instead.
"""

from __future__ import annotations

import numpy as np

from .record import SynthesizedSpeech
from .render import _join


def in_context(source: np.ndarray, speech: SynthesizedSpeech, crossfade: int) -> tuple[np.ndarray, int, int]:
    """(mixed mono audio, output sample where the new audio starts, where the source resumes).

    ``source`` is the whole source (mono, at ``speech.rate``); the join positions returned
    are the centres of the two crossfades.
    """
    x = np.asarray(source.mean(axis=1) if source.ndim > 1 else source, np.float32)
    cut_in, cut_out = speech.source_range
    half = crossfade // 2
    before = x[:cut_in + half]
    after = x[max(cut_out - half, 0):]
    mixed = _join(before, speech.audio, 2 * half)
    join_in = cut_in
    join_out = len(mixed) - half
    return _join(mixed, after, 2 * half), join_in, join_out
