"""Unit selection: which recorded words say the new text best (VoCo's whole-word reuse).

The new text's spoken tokens are covered by verbatim runs of the lecture,
longest first (a phrase spoken as a whole keeps its own coarticulation and
rhythm), then by single words. Each stretch of text gets every occurrence as a
candidate; the choice minimises, over the whole new span (Viterbi):

- a *target cost* per unit: how far its speaking rate, pitch and loudness are
  from the context it goes into, whether its phrase position (before/after a
  pause) matches, how sure the recogniser was of it, and whether an edge that
  meets room tone was recorded right next to another word (a little of it comes along);
- a *join cost* at each edge: spectral and pitch continuity with the word
  before it and the word after it (a unit that was recorded right after its
  left neighbour joins it for free: that join is the recording itself).

Lexical stress is the same by construction for a whole word (the same word);
phrase stress shows as pitch and loudness, which the target cost compares.
Deterministic: ties go to the earlier occurrence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from lecturecut.asr.transcript import SAMPLE_RATE

from .corpus import Corpus, Occurrence
from .text import TypedWord

# Target-cost weights. Each term is scaled so that 1.0 is "clearly noticeable":
W_RATE = 1.0  # per RATE_UNIT of log speaking-rate ratio
RATE_UNIT = math.log(1.3)  # 30 % faster or slower
W_PITCH = 1.0  # per PITCH_UNIT_ST semitones between the unit's F0 and the contour it goes into
PITCH_UNIT_ST = 3.0
W_LOUD = 0.5  # per LOUD_UNIT_DB; loudness is the cheapest to fix afterwards (a gain)
LOUD_UNIT_DB = 6.0
W_POSITION = 0.7  # per edge whose phrase position differs (phrase-final words are longer, fall in pitch)
W_DOUBT = 2.0  # times (1 - recogniser probability): a doubtful word may not be what the transcript says
# per edge of the new span's words that meets room tone where the run was recorded within LEAK_S of another
# word: the margin read around it (render.UNIT_MARGIN_S) brings a little of that word in with it ("most
# often" gave "often" the /t/ of "most": "doffing")
W_LEAK = 0.5
LEAK_S = 0.020
# Join-cost weights:
W_JOIN_SPECTRAL = 1.0  # per the lecture's median spectral distance across its own word joins
W_JOIN_PITCH = 1.0  # per PITCH_UNIT_ST semitones of F0 jump at the join
MAX_CANDIDATES = 40  # per unit, the best by target cost go into the search (a lecture says "the" thousands of times)


@dataclass(frozen=True)
class Context:
    """Where the new words go: the recorded words either side, and the target prosody there."""

    left: Occurrence | None  # the source word just before the new words (None at the start)
    right: Occurrence | None  # just after (None at the end)
    rate: float  # letters per second the new words should be spoken at
    f0_start: float  # Hz the pitch contour starts at (after ``left``) and ends at (before ``right``)
    f0_end: float
    loudness_db: float  # dBFS of the neighbouring words
    pause_before: bool  # the new words follow a pause / are followed by one
    pause_after: bool


@dataclass(frozen=True)
class Candidate:
    """One recorded run ``[start, end)`` of source words that says a unit's tokens."""

    start: int  # first source word index
    end: int  # exclusive
    target_cost: float
    join_cost: float  # at both edges, given the chosen neighbours
    cost: float  # target_cost + join_cost


@dataclass(frozen=True)
class Unit:
    """A stretch of the new text said by one recorded run, with every occurrence ranked."""

    tokens: tuple[str, ...]
    first_word: int  # index into the typed words of the first and last typed word it helps say
    last_word: int
    pause_after: bool  # the typed text asks for a pause after it
    candidates: tuple[Candidate, ...]  # best first; the GUI offers the others
    chosen: Candidate  # the one the search picked (candidates[0] unless overridden)


@dataclass(frozen=True)
class Selection:
    units: tuple[Unit, ...]
    missing: tuple[str, ...]  # typed words (as typed) with a token the lecture never says; () when covered


def _semitones(a: float, b: float) -> float:
    return 12 * math.log2(a / b) if a > 0 and b > 0 else 0.0


@dataclass(frozen=True)
class _Features:
    """A run's prosody, from its words."""

    rate: float
    f0: float
    rms_db: float
    first: Occurrence
    last: Occurrence
    probability: float
    leak_before: bool  # another word was recorded within LEAK_S before the run / after it
    leak_after: bool


def _features(corpus: Corpus, start: int, end: int) -> _Features:
    ws = corpus.words[start:end]
    f0s = [w.f0 for w in ws if w.f0 > 0]
    power = np.mean([10 ** (w.rms_db / 10) for w in ws])
    leak = LEAK_S * SAMPLE_RATE
    before = start > 0 and ws[0].start - corpus.words[start - 1].end < leak
    after = end < len(corpus.words) and corpus.words[end].start - ws[-1].end < leak
    return _Features(float(np.mean([w.rate for w in ws])), float(np.median(f0s)) if f0s else 0.0,
                     float(10 * np.log10(power)), ws[0], ws[-1], min(w.probability for w in ws), before, after)


def target_cost(f: _Features, ctx: Context, pitch_target: float, pause_before: bool, pause_after: bool,
                room_before: bool = False, room_after: bool = False) -> float:
    """``room_before`` / ``room_after``: that edge of the unit meets room tone in the new audio."""
    cost = W_RATE * abs(math.log(max(f.rate, 1e-3) / max(ctx.rate, 1e-3))) / RATE_UNIT
    cost += W_PITCH * abs(_semitones(f.f0, pitch_target)) / PITCH_UNIT_ST
    cost += W_LOUD * abs(f.rms_db - ctx.loudness_db) / LOUD_UNIT_DB
    cost += W_POSITION * ((f.first.pause_before != pause_before) + (f.last.pause_after != pause_after))
    cost += W_DOUBT * (1.0 - f.probability)
    cost += W_LEAK * ((room_before and f.leak_before) + (room_after and f.leak_after))
    return cost


def join_cost(corpus: Corpus, left: Occurrence | None, right: Occurrence | None, pause: bool) -> float:
    """Cost of ``right`` following ``left`` in the new audio (0 where either is missing)."""
    if left is None or right is None:
        return 0.0
    if right.index == left.index + 1:
        return 0.0  # recorded in this order: the join is the recording itself
    if pause:
        return 0.0  # a pause separates them: nothing to be continuous with
    spectral = float(np.linalg.norm(np.subtract(left.mfcc_end, right.mfcc_start))) / max(corpus.join_scale, 1e-6)
    return W_JOIN_SPECTRAL * spectral + W_JOIN_PITCH * abs(_semitones(left.f0_end, right.f0_start)) / PITCH_UNIT_ST


def segment(corpus: Corpus, tokens: tuple[str, ...]) -> list[tuple[int, int] | None]:
    """Cover ``tokens`` by the longest verbatim runs the lecture has, longest first.

    Returns per token position the ``(a, b)`` token range of its unit, or None
    where no recorded word says that token.
    """
    covered: list[tuple[int, int] | None] = [None] * len(tokens)
    for length in range(min(corpus.longest_run_tokens, len(tokens)), 0, -1):
        a = 0
        while a + length <= len(tokens):
            if all(c is None for c in covered[a:a + length]) and corpus.occurrences(tokens[a:a + length]):
                for i in range(a, a + length):
                    covered[i] = (a, a + length)
                a += length
            else:
                a += 1
    return covered


def select(corpus: Corpus, words: tuple[TypedWord, ...], ctx: Context,
           overrides: dict[int, int] | None = None) -> Selection:
    """Choose recorded runs for the typed ``words`` going into ``ctx``.

    ``overrides`` maps a unit index to the source word index its run must
    start at (the user picked another occurrence); others are searched.
    """
    tokens = tuple(t for w in words for t in w.tokens)
    owner = [k for k, w in enumerate(words) for _ in w.tokens]  # token position -> typed word
    pause_after_token = [w.pause_after and i == len(w.tokens) - 1 for w in words for i in range(len(w.tokens))]
    cover = segment(corpus, tokens)
    missing = tuple(dict.fromkeys(words[owner[i]].text for i, c in enumerate(cover) if c is None))
    if missing:
        return Selection((), missing)
    spans = list(dict.fromkeys(c for c in cover if c is not None))  # in order, (a, b) token ranges
    n = len(spans)
    total_letters = max(sum(len(t) for t in tokens), 1)
    overrides = overrides or {}

    # candidates per unit, with target costs
    per_unit: list[list[tuple[float, int, int, _Features]]] = []
    done_letters = 0
    for u, (a, b) in enumerate(spans):
        letters = sum(len(t) for t in tokens[a:b])
        mid = (done_letters + letters / 2) / total_letters  # where the unit sits in the new span, 0..1
        done_letters += letters
        pitch_target = _contour(ctx, mid)
        pb = ctx.pause_before if u == 0 else pause_after_token[spans[u - 1][1] - 1]
        pa = ctx.pause_after if u == n - 1 else pause_after_token[b - 1]
        rb, ra = u == 0 or pb, u == n - 1 or pa  # room tone there in the new audio (a typed pause, the ends)
        cands = []
        for s, e in corpus.occurrences(tokens[a:b]):
            if u in overrides and s != overrides[u]:
                continue
            f = _features(corpus, s, e)
            cands.append((target_cost(f, ctx, pitch_target, pb, pa, rb, ra), s, e, f))
        if not cands:  # an override naming no occurrence of these words: ignore it
            cands = [(target_cost(f, ctx, pitch_target, pb, pa, rb, ra), s, e, f)
                     for s, e in corpus.occurrences(tokens[a:b]) for f in [_features(corpus, s, e)]]
        cands.sort(key=lambda c: (c[0], c[1]))
        per_unit.append(cands[:MAX_CANDIDATES])

    def pause_between(u: int) -> bool:  # a typed pause after unit u
        return pause_after_token[spans[u][1] - 1]

    # Viterbi over units: best[u][j] = least cost of units 0..u ending with candidate j
    best = [np.array([c[0] + join_cost(corpus, ctx.left, c[3].first, ctx.pause_before) for c in per_unit[0]])]
    back: list[np.ndarray] = []
    for u in range(1, n):
        prev, cur = per_unit[u - 1], per_unit[u]
        joins = np.array([[join_cost(corpus, p[3].last, c[3].first, pause_between(u - 1)) for c in cur]
                          for p in prev])  # (len(prev), len(cur))
        total = best[-1][:, None] + joins  # (len(prev), len(cur))
        arg = np.argmin(total, axis=0)  # first minimum: ties go to the better-ranked (earlier) candidate
        back.append(arg)
        best.append(total[arg, np.arange(len(cur))] + np.array([c[0] for c in cur]))
    last = best[-1] + np.array([join_cost(corpus, c[3].last, ctx.right, ctx.pause_after) for c in per_unit[-1]])
    path = [int(np.argmin(last))]
    for arg in reversed(back):
        path.append(int(arg[path[-1]]))
    path.reverse()

    units = []
    for u, (a, b) in enumerate(spans):
        left = ctx.left if u == 0 else per_unit[u - 1][path[u - 1]][3].last
        right = ctx.right if u == n - 1 else per_unit[u + 1][path[u + 1]][3].first
        pb = ctx.pause_before if u == 0 else pause_between(u - 1)
        pa = ctx.pause_after if u == n - 1 else pause_between(u)
        ranked = []
        for tc, s, e, f in per_unit[u]:
            jc = join_cost(corpus, left, f.first, pb) + join_cost(corpus, f.last, right, pa)
            ranked.append(Candidate(s, e, tc, jc, tc + jc))
        chosen = ranked[path[u]]
        ranked.sort(key=lambda c: (c.cost, c.start))
        if overrides.get(u) is None:  # the path's choice leads (it also weighs joins between new units)
            ranked.remove(chosen)
            ranked.insert(0, chosen)
        units.append(Unit(tokens[a:b], owner[a], owner[b - 1], pause_after_token[b - 1], tuple(ranked), chosen))
    return Selection(tuple(units), ())


def _contour(ctx: Context, position: float) -> float:
    """The target F0 at ``position`` (0..1) through the new span: linear from the left
    neighbour's end pitch to the right neighbour's start pitch (the intonation it interrupts)."""
    a, b = ctx.f0_start, ctx.f0_end
    if a <= 0:
        a = b
    if b <= 0:
        b = a
    if a <= 0:
        return 0.0
    return float(a * (b / a) ** position)  # geometric: pitch is heard on a log scale


def context_for(corpus: Corpus, start: int, end: int, words: tuple[TypedWord, ...]) -> Context:
    """The target for new words replacing source words ``[start, end)`` (``start == end``: inserted)."""
    n = len(corpus.words)
    left = corpus.words[start - 1] if start > 0 else None
    right = corpus.words[end] if end < n else None
    neighbours = [w for w in (left, right) if w is not None]
    rate = float(np.mean([w.rate for w in neighbours])) if neighbours else corpus.median_rate
    loud = (float(10 * np.log10(np.mean([10 ** (w.rms_db / 10) for w in neighbours]))) if neighbours
            else corpus.room_db + 30)
    f0_start = left.f0_end or left.f0 if left else 0.0
    f0_end = right.f0_start or right.f0 if right else 0.0
    if f0_start <= 0 and f0_end <= 0:
        f0_start = f0_end = corpus.median_f0
    if end > start:  # a retype keeps the phrase position the replaced words had
        pause_before = corpus.words[start].pause_before
        pause_after = corpus.words[end - 1].pause_after
    else:
        # inserted before ``right``: the new words take the place after any pause and lead into ``right``
        pause_before = left is None or left.pause_after
        pause_after = right is None
    if words and words[-1].pause_after:
        pause_after = True
    return Context(left, right, rate, f0_start, f0_end, loud, pause_before, pause_after)
