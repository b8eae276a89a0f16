"""The own-mouth method: each frame under new speech gets the lecturer's mouth that said it.

For every output frame of a synthetic span the engine finds the instant of the new audio
it shows, and from the voice engine's record where that sound came from in the lecture:

- a reused word (``SourceUse.method == "reused"``): the same instant of its source range,
  mapped linearly from where it landed (``output``) onto where it was read (``source``);
  so the mouth frames of the recorded word are time-warped onto the new timing;
- a word built from the lecturer's half-phones ("units") or said by a generic voice: its
  phones (as the voice engine timed them, or spread over the word) matched to phones the
  lecture says, by viseme, with a Viterbi search (:mod:`.select`), each chosen phone's
  frames warped onto the new phone's timing. A lecture without aligned phones has no such
  footage: those frames keep their retimed picture and the result says so.

A frame a little before or after a stretch (the breath and lip closure around a word)
continues the same mapping; frames in the new speech's pauses show the lecturer's mouth in one
of the lecture's own pauses (its room tone), so no mouth goes on saying the replaced words.

Every regenerated frame is the target frame (the background frame the video render chose from
the footage around the span, which keeps the head and body moving) with the source frame's lower face
composited onto it (:mod:`.composite`); the mouth fades in and out over ``FADE_FRAMES`` at
the span's ends and wherever it starts or stops inside. If the target frames lose the face
(none, several, leaving the picture) the whole span is left as it is, and the result says
where and why.
"""

from __future__ import annotations

import dataclasses
import functools
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import TYPE_CHECKING, Sequence

import numpy as np

from lecturecut.core import ProgressFn, check_cancel, no_progress

from .composite import composite
from .select import choose, lecture_phones
from .source import SourceFrames
from .track import inner_lip_opening, track
from .visemes import MID, OPEN, ROUNDED, SPREAD, VISEME_OF, phone_base, viseme

if TYPE_CHECKING:
    from .sync import SyncScore

OWN_MOUTH = "own mouth"  # the method: the lecturer's own mouth footage (Video Rewrite style)
NOT_REGENERATED = "retimed"  # the frames under the span are the background frames as chosen (the name predates them)
FADE_FRAMES = 2  # the new mouth reaches full opacity after this many frames (1/3, 2/3, 1)
EXTEND_S = 0.12  # a mapping continues this far before and after its stretch of new audio
RUN_GAP_S = 0.6  # source instants closer than this are decoded and tracked as one run
TRACK_MARGIN_S = 0.2  # a source run is tracked this much beyond the instants it serves (smoothing)


@dataclass(frozen=True)
class LipsResult:
    """What the lips engine did under one spoken retype (never silent: listed with the edit)."""

    replacement: int  # index in project.edl.replacements
    method: str  # OWN_MOUTH, or NOT_REGENERATED when no frame was changed
    n_frames: int  # output frames under the span
    changed: int  # frames whose mouth was regenerated
    reason: str = ""  # why some or all frames were not regenerated ("" when all were)
    seconds: dict = field(default_factory=dict, compare=False)  # tracking, selection, decoding, compositing
    sync: "SyncScore | None" = None  # the regenerated frames' lip sync with the new speech (:mod:`.sync`)

    @property
    def weak(self) -> bool:
        """The regenerated lips' sync is under the threshold, or they stay open at a bilabial: review it."""
        return self.sync is not None and self.sync.weak

    @property
    def summary(self) -> str:
        """One line: "lips: own mouth, 12/12 frames, sync 0.71" ("..., weak sync 0.21") or
        "lips not regenerated: no face in 0:02-0:03"."""
        if self.changed == 0:
            return f"lips not regenerated: {self.reason}" if self.reason else "lips not regenerated"
        line = f"lips: {self.method}, {self.changed}/{self.n_frames} frames"
        if self.sync is not None:
            line += f", {self.sync.summary}"
        return f"{line} ({self.reason})" if self.reason else line

    def to_json(self) -> dict:
        return {"replacement": self.replacement, "method": self.method, "n_frames": self.n_frames,
                "changed": self.changed, "reason": self.reason,
                "sync": None if self.sync is None else self.sync.to_json()}


def clock(seconds: float) -> str:
    """0:02, 1:02:03."""
    s = int(seconds)
    h, m, s = s // 3600, s // 60 % 60, s % 60
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _selected(u, phones, lang: str, library, rate: int, opening) -> list[tuple[int, int, float, float, str]] | None:
    """Segments for a built or generic stretch: its phones (timed by the voice engine, or spread over
    the stretch in proportion to a typical length) matched to lecture footage by :func:`select.choose`."""
    oa, ob = u.output
    timed = [(p.label, p.start, p.end) for p in phones if p.end > p.start and oa <= p.start < ob]
    if not timed:
        from lecturecut.asr.pronounce import rough_pronunciation

        labels = [phone_base(p) for p in u.phones]
        if not labels or any(p not in VISEME_OF for p in labels):  # a generic voice's own (IPA) phones
            labels = [p for word in u.text.split() for p in rough_pronunciation(word, lang)]
        weight = [1.6 if viseme(p) in (OPEN, MID, ROUNDED, SPREAD) else 1.0 for p in labels]
        total, at = sum(weight), float(oa)
        for p, wt in zip(labels, weight):
            step = wt / total * (ob - oa)
            timed.append((p, int(round(at)), int(round(at + step))))
            at += step
    picks = choose([(p, (b - a) / rate) for p, a, b in timed], library, opening)
    if picks is None:
        return None
    return [(a, b, o.start * rate, o.end * rate, u.text) for (_, a, b), o in zip(timed, picks)]


Segment = tuple[int, int, float, float, str]  # out_a, out_b (speech samples), src_a, src_b (source samples), text


def _segments(span, transcript, lang: str, rate: int, opening=None) -> tuple[list[Segment], list[str]]:
    """(out_a, out_b, src_a, src_b, text) linear pieces of the span's new audio and the footage whose mouth
    shows it (speech samples -> source samples), and the texts no footage could be found for."""
    segs: list[Segment] = []
    unsaid: list[str] = []
    library = None
    record = span.speech.record
    for u in record.sources:
        oa, ob = u.output
        if ob <= oa:
            continue
        if u.method == "reused" and u.source[1] > u.source[0]:
            segs.append((oa, ob, float(u.source[0]), float(u.source[1]), u.text))
            continue
        if library is None:
            library = lecture_phones(transcript) if transcript is not None else []
        got = _selected(u, record.phones, lang, library, rate, opening)
        if got is None:
            unsaid.append(u.text)
        else:
            segs += got
    return segs, unsaid


def _map(segs, s: float, extend: float) -> float | None:
    """The source sample a recorded mouth said speech sample ``s`` at, or None."""
    best, best_d = None, None
    for oa, ob, sa, sb, _ in segs:
        d = 0.0 if oa <= s < ob else min(abs(s - oa), abs(s - ob))
        if d <= extend and (best_d is None or d < best_d):
            best, best_d = (oa, ob, sa, sb), d
    if best is None:
        return None
    oa, ob, sa, sb = best
    return sa + (s - oa) * (sb - sa) / max(ob - oa, 1)


def _rest_in_pauses(src_t: list, room_tone, rate: int, fps: float) -> None:
    """Frames in the new speech's pauses (no word within ``EXTEND_S``) show the lecturer's mouth in one
    of the lecture's own pauses (the room tone the voice engine padded with), played at its own pace:
    never the retimed picture, whose mouth would go on saying the replaced words in silence."""
    pauses = [(a / rate, b / rate) for a, b in room_tone if b > a]
    if not pauses:
        return
    a, b = max(pauses, key=lambda p: p[1] - p[0])
    j = 0
    while j < len(src_t):
        if src_t[j] is not None:
            j += 1
            continue
        k = j
        while k < len(src_t) and src_t[k] is None:
            k += 1
        for i in range(j, k):  # forward through the pause, back again if it is shorter (ping-pong)
            period = max(b - a, 1.0 / fps)
            x = ((i - j) / fps) % (2 * period)
            src_t[i] = a + (x if x <= period else 2 * period - x)
        j = k


def _weights(mapped: Sequence[bool]) -> list[float]:
    """Opacity per frame: 0 where unmapped, ramping up over FADE_FRAMES from each unmapped frame
    and from both ends of the span."""
    n = len(mapped)
    off = [-1] + [j for j, m in enumerate(mapped) if not m] + [n]
    out = []
    for j, m in enumerate(mapped):
        if not m:
            out.append(0.0)
            continue
        d = min(abs(j - k) for k in off)
        out.append(min(1.0, d / (FADE_FRAMES + 1)))
    return out


def _nearest(times: list[float], t: float) -> int:
    k = int(np.searchsorted(times, t))
    if k <= 0:
        return 0
    if k >= len(times):
        return len(times) - 1
    return k if times[k] - t < t - times[k - 1] else k - 1


@functools.cache
def shared_landmarker():
    """dlib's detector and 68-point predictor, loaded once per process (100 MB, seconds to load).

    Its calls are serialised by :data:`TRACKING` (dlib's models are not made for shared use)."""
    from lecturecut.models.face import DlibLandmarker

    return _Locked(DlibLandmarker())


TRACKING = threading.Lock()
_MEASURED: dict[tuple[str, float, float], float | None] = {}  # lecture phone -> its lips' smallest opening


class _Locked:
    """The landmarker :func:`.track.track` uses, each call under one lock."""

    def __init__(self, inner) -> None:
        self._inner = inner
        self.MIN_SIDE_FOR_NO_UPSAMPLE = inner.MIN_SIDE_FOR_NO_UPSAMPLE

    def _detector(self, rgb, upsample):
        with TRACKING:
            return self._inner._detector(rgb, upsample)

    def landmarks(self, rgb, box):
        with TRACKING:
            return self._inner.landmarks(rgb, box)


def span_offsets(plan, index: int) -> tuple[int, int]:
    """(output samples, output frames) before piece ``index`` of the plan."""
    return (sum(s.n_samples for s in plan.spans[:index]), sum(s.n_frames for s in plan.spans[:index]))


def regenerate_span(project, plan, index: int, frames: Sequence[np.ndarray], *,
                    landmarker=None, source_frames: SourceFrames | None = None,
                    progress: ProgressFn | None = None, cancel=None,
                    method: str = "own") -> tuple[list[np.ndarray], LipsResult]:
    """The frames under synthetic piece ``plan.spans[index]`` with the lecturer's mouth saying its new
    speech: ``frames`` are that piece's output frames as the video render makes them (the footage
    around the span, :mod:`lecturecut.synthesis.render.background`); the same frames come back where
    nothing could be done, with the reason.

    ``method``: "own" (the lecturer's own mouth, this module) or "gan" (the Wav2Lip GAN, :mod:`.gan`;
    its weights must be installed).

    ``plan`` is a render plan and that piece a ``SynthSpan`` carrying its voice record; this room reads
    both without importing them (the voice and lips engines are independent: ``pyproject.toml``).
    """
    if method == "gan":
        from .gan import regenerate_gan

        out, result = regenerate_gan(project, plan, index, frames, landmarker=landmarker, progress=progress,
                                     cancel=cancel)
    elif method == "own":
        out, result = _regenerate(project, plan, index, frames, landmarker=landmarker, source_frames=source_frames,
                                  progress=progress, cancel=cancel)
    else:
        raise ValueError(f"unknown lips method {method!r}; choose 'own' or 'gan'")
    if result.changed:  # the result measured on the frames themselves (dlib), never on the engine's own choices
        from .sync import score_span

        result = dataclasses.replace(result, sync=score_span(plan, index, out, landmarker or shared_landmarker(),
                                                             cancel=cancel))
    from .record import remember

    remember(getattr(plan.spans[index].speech.record, "key", ""), result)  # listed by 'lecturecut voices'
    return out, result


def _regenerate(project, plan, index: int, frames: Sequence[np.ndarray], *, landmarker, source_frames,
                progress, cancel) -> tuple[list[np.ndarray], LipsResult]:
    progress = progress or no_progress
    span = plan.spans[index]
    if getattr(span, "speech", None) is None:
        raise ValueError(f"piece {index} of the plan is not spoken new speech")
    frames = list(frames)
    n = len(frames)
    fps, rate = plan.fps, plan.audio_rate
    seconds = {"tracking": 0.0, "selection": 0.0, "decoding": 0.0, "compositing": 0.0}

    def result(changed: int, reason: str) -> LipsResult:
        return LipsResult(span.replacement, OWN_MOUTH if changed else NOT_REGENERATED, n, changed, reason, seconds)

    if n == 0:
        return frames, result(0, "no frames under the new speech")
    acc_samples, acc_frames = span_offsets(plan, index)
    half = plan.crossfade // 2

    def out_time(j: int) -> float:
        return float(Fraction(acc_frames + j) / fps)

    def where(js: Sequence[int]) -> str:
        return f"{clock(out_time(min(js)))}-{clock(out_time(max(js) + 1))}"

    # ---- selection: the source instant whose mouth each frame shows
    t_sel = time.perf_counter()
    if landmarker is None:
        landmarker = shared_landmarker()
    source_frames = source_frames or SourceFrames(project.source)
    def opening(occ) -> float | None:
        """The smallest inner-lip opening in a lecture phone's own frames (for choosing bilabials)."""
        key = (str(project.source), round(occ.start, 3), round(occ.end, 3))
        if key not in _MEASURED:  # (kept for the process: the next span or export asks again)
            got = source_frames.between(occ.start, max(occ.end, occ.start + 1.0 / float(fps)), cancel)
            tr = track([f for _, f in got], float(fps), landmarker, cancel)
            found = [inner_lip_opening(p) for p in tr.landmarks if p is not None]
            _MEASURED[key] = min(found) if found else None
        return _MEASURED[key]

    segs, unsaid = _segments(span, project.transcript, project.transcript.language, rate, opening)
    extend = EXTEND_S * rate
    src_t: list[float | None] = []
    for j in range(n):
        s = float(Fraction(acc_frames + j) / fps * rate - acc_samples + half)  # sample of the speech's audio
        x = _map(segs, s, extend)
        src_t.append(None if x is None else x / rate)
    if any(t is not None for t in src_t):
        _rest_in_pauses(src_t, span.speech.record.room_tone, rate, float(fps))
    seconds["selection"] += time.perf_counter() - t_sel
    notes = []
    if unsaid:
        notes.append(f"no footage for {', '.join(repr(t) for t in unsaid)}: frames retimed, lips not regenerated")
    if not any(t is not None for t in src_t):
        return frames, result(0, "; ".join(notes) or "no recorded mouth said the new speech")

    # ---- tracking: the target faces (the frames as rendered)
    progress(0.0, "tracking the face")
    t_tr = time.perf_counter()
    target = track(frames, float(fps), landmarker, cancel)
    seconds["tracking"] += time.perf_counter() - t_tr
    lost = [j for j in range(n) if src_t[j] is not None and not target.ok(j)]
    if lost:
        why = target.why[lost[0]]
        return frames, result(0, f"{why} in {where(lost)}: lips not regenerated")

    # ---- the source frames: decoded in runs around the instants they serve, tracked per run
    progress(0.3, "finding the lecturer's mouth")
    wanted = sorted(t for t in src_t if t is not None)
    runs: list[list[float]] = [[wanted[0], wanted[0]]]
    for t in wanted[1:]:
        if t - runs[-1][1] <= RUN_GAP_S:
            runs[-1][1] = t
        else:
            runs.append([t, t])
    lib_t: list[float] = []
    lib_f: list[np.ndarray] = []
    lib_p: list[np.ndarray | None] = []
    lib_why: list[str] = []
    for a, b in runs:
        check_cancel(cancel)
        t_dec = time.perf_counter()
        got = source_frames.between(max(a - TRACK_MARGIN_S, 0.0), b + TRACK_MARGIN_S, cancel)
        seconds["decoding"] += time.perf_counter() - t_dec
        t_tr = time.perf_counter()
        tr = track([f for _, f in got], float(source_frames.fps), landmarker, cancel)
        seconds["tracking"] += time.perf_counter() - t_tr
        lib_t += [t for t, _ in got]
        lib_f += [f for _, f in got]
        lib_p += list(tr.landmarks)
        lib_why += list(tr.why)
    if not lib_t:
        return frames, result(0, "the lecture has no frames where the new words were said: lips not regenerated")
    pick: list[int | None] = []
    src_lost: list[int] = []
    for j, t in enumerate(src_t):
        if t is None:
            pick.append(None)
            continue
        k = _nearest(lib_t, t)
        if lib_p[k] is None:
            src_lost.append(j)
            pick.append(None)
        else:
            pick.append(k)
    if src_lost:
        notes.append(f"{lib_why[_nearest(lib_t, src_t[src_lost[0]])]} where the words were said "
                     f"(frames {where(src_lost)} retimed)")
    weights = _weights([k is not None for k in pick])

    # ---- compositing
    progress(0.6, "regenerating the mouth")
    t_cmp = time.perf_counter()
    out, changed = [], 0
    for j, (frame, k, w) in enumerate(zip(frames, pick, weights)):
        check_cancel(cancel)
        if k is None or w <= 0:
            out.append(frame)
            continue
        out.append(composite(frame, target.landmarks[j], lib_f[k], lib_p[k], w))
        changed += 1
        progress(0.6 + 0.4 * (j + 1) / n, "regenerating the mouth")
    seconds["compositing"] += time.perf_counter() - t_cmp
    return out, result(changed, "; ".join(notes))
