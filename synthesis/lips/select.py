"""Mouth frames for speech no recorded word of its own said: chosen by viseme, Video Rewrite style.

The lecture's words carry their phones (pocketsphinx, ARPAbet); each phone occurrence
is a candidate stretch of mouth footage. For the new phone sequence a Viterbi search
picks one occurrence per phone, minimising

- a target cost: the same phone costs nothing, the same viseme ``SAME_VISEME``, another
  viseme ``OTHER_VISEME``; plus ``DURATION_WEIGHT`` times the log ratio of the durations
  (a stretch warped a lot looks wrong); plus ``CONTEXT_WEIGHT`` for each neighbouring
  phone in the lecture whose viseme differs from the new sequence's neighbour (the mouth
  is already moving towards the next sound: coarticulation, as Video Rewrite's triphones);
- a join cost: nothing when the next occurrence follows the previous one in the lecture
  (their mouth shapes continue by construction), ``JOIN`` otherwise;
- for bilabials, the mouth shape itself: the few best candidates' footage is tracked and
  a candidate whose lips do not close costs more.

The chosen occurrences are then time-warped onto the new phone timings.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

from .visemes import BILABIAL, SILENCE, phone_base, viseme

SAME_VISEME = 0.4
OTHER_VISEME = 2.0
DURATION_WEIGHT = 0.5
CONTEXT_WEIGHT = 0.2
JOIN = 0.6
CANDIDATES = 12  # occurrences kept per target phone (best target cost first)
SHAPE_CANDIDATES = 3  # a bilabial's best candidates whose footage is measured for a closure
SHAPE_WEIGHT = 10.0  # per unit of inner-lip opening (eye distances): open lips (0.2) cost 2, closed (0.03) 0.3


@dataclass(frozen=True)
class Occ:
    """A phone said in the lecture: ``label`` over seconds ``[start, end)`` of the audio clock."""

    label: str
    start: float
    end: float
    index: int  # position in the lecture's phone sequence (consecutive = said one after the other)
    before: str  # viseme of the phone before it in the lecture ("silence" at a pause)
    after: str


def lecture_phones(transcript) -> list[Occ]:
    """Every phone the lecture's transcript aligned, in order (silences dropped)."""
    from lecturecut.asr.transcript import to_seconds

    raw = []
    for w in transcript.words:
        for p in w.phones:
            if viseme(p.label) != SILENCE and p.end > p.start:
                raw.append((phone_base(p.label), to_seconds(p.start), to_seconds(p.end)))
    out = []
    for k, (label, a, b) in enumerate(raw):
        before = viseme(raw[k - 1][0]) if k > 0 and abs(raw[k - 1][2] - a) < 0.02 else SILENCE
        after = viseme(raw[k + 1][0]) if k + 1 < len(raw) and abs(raw[k + 1][1] - b) < 0.02 else SILENCE
        out.append(Occ(label, a, b, k, before, after))
    return out


def _target_cost(label: str, dur: float, before: str, after: str, occ: Occ) -> float:
    if occ.label == label:
        c = 0.0
    elif viseme(occ.label) == viseme(label):
        c = SAME_VISEME
    else:
        c = OTHER_VISEME
    c += DURATION_WEIGHT * abs(math.log(max(occ.end - occ.start, 1e-3) / max(dur, 1e-3)))
    c += CONTEXT_WEIGHT * ((occ.before != before) + (occ.after != after))
    return c


def choose(targets: Sequence[tuple[str, float]], library: Sequence[Occ],
           opening: Callable[[Occ], float | None] | None = None) -> list[Occ] | None:
    """One lecture occurrence per ``(phone, seconds)`` target, or None when the lecture has no phones.

    ``opening(occ)``: the lips' smallest inner opening (over the eye distance) in the footage of an
    occurrence, or None where it has no face. Given, a bilabial keeps only its ``SHAPE_CANDIDATES``
    best candidates, each costing ``SHAPE_WEIGHT`` times its opening: the lecture's own /p/ do not
    all show a closure (a /p/ said fast between vowels barely closes).
    """
    if not targets or not library:
        return None
    vis = [viseme(p) for p, _ in targets]
    cands: list[list[tuple[float, Occ]]] = []
    for i, (label, dur) in enumerate(targets):
        before = vis[i - 1] if i > 0 else SILENCE
        after = vis[i + 1] if i + 1 < len(vis) else SILENCE
        scored = sorted(((_target_cost(phone_base(label), dur, before, after, o), o) for o in library),
                        key=lambda x: x[0])
        if opening is not None and vis[i] == BILABIAL:
            shaped = []
            for c, o in scored[:SHAPE_CANDIDATES]:
                x = opening(o)
                if x is not None:
                    shaped.append((c + SHAPE_WEIGHT * x, o))
            scored = sorted(shaped, key=lambda x: x[0]) or scored
        cands.append(scored[:CANDIDATES])
    # Viterbi over the candidates
    cost = [c for c, _ in cands[0]]
    back: list[list[int]] = []
    for i in range(1, len(cands)):
        new_cost, new_back = [], []
        for c, o in cands[i]:
            best, arg = math.inf, 0
            for k, (_, prev) in enumerate(cands[i - 1]):
                join = 0.0 if o.index == prev.index + 1 else JOIN
                if cost[k] + join < best:
                    best, arg = cost[k] + join, k
            new_cost.append(best + c)
            new_back.append(arg)
        cost, back = new_cost, back + [new_back]
    k = min(range(len(cost)), key=cost.__getitem__)
    path = [k]
    for b in reversed(back):
        k = b[k]
        path.append(k)
    path.reverse()
    return [cands[i][k][1] for i, k in enumerate(path)]
