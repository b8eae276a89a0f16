"""Background frames under new speech of another length: the head and body keep moving at the footage's own rate.

A synthetic span (a retype) replaces the source range ``[a, b)`` with new speech of another
duration, so its ``n`` output frames cannot simply be the ``n_src`` source frames of that range.
Retiming them uniformly (what the plan's own instants say) repeats frames when the new speech
is longer (the head freezes for a frame, then jumps on: a stutter) and skips when it is shorter.
Here the picture under the span is instead a path through the nearby footage, one source frame
per output frame, in the manner of video textures (Schödl, Szeliski, Salesin and Essa,
SIGGRAPH 2000):

- it starts where the source stops (the frame after the one the previous piece shows last) and
  ends on the frame just before the one the next piece shows first, so both joins are the
  footage's own successive frames;
- in between it plays the footage forward at its own rate; where more frames are needed it jumps
  back (or, shorter, forward) once or a few times, each jump landing on a frame whose head pose
  (the rigid landmarks: brows, nose, eyes, :data:`lecturecut.models.face.RIGID_POINTS`) and picture
  are as close to the frame it leaves as the footage's own frame-to-frame motion (its 99th
  percentile over the stretch), and whose successor looks like the frame the footage would have
  shown next (so the motion carries on);
- where no such jump exists (or only many of them would do) it plays back and forth (ping-pong, at
  the footage's rate); only where neither fits are larger jumps allowed (``LIMIT_TIERS``), the least
  bad first;
- the footage it may use lies within ``CONTEXT_S`` of the span and never across a cut the plan
  makes (a deleted word's frames are never shown): the kept piece just before and just after,
  where they continue the source without a cut;
- without a face (a slide, no speaker) the same search runs on the picture alone: forward at
  the footage's rate, one jump where the picture allows.

No output frame repeats the one before it. The choice is a pure function of the plan and the
source (decoding and tracking are deterministic), so a preview window shows the very frames of
the whole export; it is remembered per source and span (:data:`_CHOSEN`). Only the frames of
the span's footage are decoded and tracked, and only when the lengths differ.
"""

from __future__ import annotations

import bisect
import collections
import contextlib
import threading
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np

from lecturecut.core import check_cancel
from lecturecut.media.frames import read_timed_frames
from lecturecut.media.probe import probe

from ..plan import RenderPlan, Span, SynthSpan

CONTEXT_S = Fraction(2)  # footage this far before and after the span's range may be shown
SEEK_BEFORE_S = Fraction(1, 2)  # the decoder seeks this far before the first frame it needs
PTS_TOLERANCE_FRAMES = Fraction(1, 4)  # as the video render: a frame this little late still covers an instant
THUMB_SIDE = 40  # px: pictures are compared at this size (codec noise averages out, a moved arm does not)
# px: larger frames are decoded and tracked scaled down to this short side, the least dlib's detector takes
# without upsampling (DlibLandmarker.MIN_SIDE_FOR_NO_UPSAMPLE; 4x the cost below it)
TRACK_MIN_SIDE = 360
HOLD_PIXELS = 640 * 480
NATURAL_PERCENTILE = 99  # a jump may move as much as the footage itself does between frames, at this percentile
LIMIT_TIERS = (1.0, 1.5, 2.5, float("inf"))  # ... times that; the next tier only where no path fits the last
MIN_FACE_SHARE = 0.5  # with a face in at least this share of the frames, jumps need one at both ends
MAD_FLOOR = 0.5  # grey levels: the least frame-to-frame motion counted (a still slide has none)
POSE_FLOOR_PX = 0.3  # the least rigid-landmark motion counted (a still head)
# Path costs, in units of "a jump as large as the footage's own p99 motion" (1.0):
JUMP_COST = 1.0  # each jump, however good: few jumps beat many
TURN_COST = 3.0  # each change between playing forward and backward (ping-pong is the fallback)
REVERSE_STEP_COST = 0.25  # each frame played backward
CACHE_SPANS = 64  # chosen backgrounds remembered (per source and span geometry)

SOURCE_RATE = "source rate"  # as many frames as the range has: played as they are
POSE = "head pose"  # jumps matched on the rigid landmarks and the picture
PICTURE = "picture"  # no face: jumps matched on the picture alone
UNIFORM = "uniform"  # no frames to choose from (none decoded there): the plan's uniform retiming


@dataclass(frozen=True)
class Background:
    """The source frames shown under one synthetic span, one per output frame."""

    instants: tuple[Fraction, ...]  # audio-clock time (s) of each output frame's source frame: its own pts
    method: str  # SOURCE_RATE, POSE, PICTURE or UNIFORM
    jumps: int = 0  # jumps (back or forward) in the path
    turns: int = 0  # changes of direction (ping-pong)
    worst_jump: float = 0.0  # the largest jump's motion over the footage's own p99 motion (0 without jumps)
    # seconds spent choosing it: "decoding" (and thumbnails), "tracking" (dlib), "search"; empty when remembered
    seconds: dict = field(default_factory=dict, compare=False)


_CHOSEN: collections.OrderedDict[tuple, Background] = collections.OrderedDict()
_CHOSEN_LOCK = threading.Lock()


def _source_key(path: Path) -> tuple:
    st = path.stat()
    return str(path.resolve()), st.st_mtime_ns, st.st_size


def _piece_key(piece) -> tuple | None:
    if piece is None:
        return None
    return type(piece).__name__, piece.audio_start, piece.audio_end, piece.n_frames, getattr(piece, "frame_start", 0)


@dataclass(frozen=True)
class _Context:
    a: Fraction  # the span's source range, s (audio clock)
    b: Fraction
    prev_t: Fraction | None  # the instant the previous piece shows last, where it continues the source uncut
    next_t: Fraction | None  # the instant the next piece shows first, likewise
    lo: Fraction  # footage the span may show: [lo, hi]
    hi: Fraction


def _context(plan: RenderPlan, index: int) -> _Context:
    span = plan.spans[index]
    rate, fps = plan.audio_rate, plan.fps
    a, b = Fraction(span.audio_start, rate), Fraction(span.audio_end, rate)
    prev = plan.spans[index - 1] if index > 0 else None
    nxt = plan.spans[index + 1] if index + 1 < len(plan.spans) else None
    # only kept pieces that continue the source without a cut lend footage (a neighbouring retype's range
    # says the replaced words; a cut's far side is elsewhere in the lecture)
    before = isinstance(prev, Span) and prev.audio_end == span.audio_start and prev.n_frames > 0
    after = isinstance(nxt, Span) and nxt.audio_start == span.audio_end and nxt.n_frames > 0
    prev_t = Fraction(prev.frame_end - 1) / fps if before else None
    next_t = Fraction(nxt.frame_start) / fps if after else None
    lo = min(max(a - CONTEXT_S, Fraction(prev.audio_start, rate)), prev_t) if before else a
    hi = max(min(b + CONTEXT_S, Fraction(nxt.audio_end, rate)), next_t) if after else b
    return _Context(a, b, prev_t, next_t, lo, hi)


def _key(project, plan: RenderPlan, index: int) -> tuple:
    return (_source_key(Path(project.source)), plan.audio_rate, plan.fps, _piece_key(plan.spans[index]),
            _piece_key(plan.spans[index - 1] if index > 0 else None),
            _piece_key(plan.spans[index + 1] if index + 1 < len(plan.spans) else None))


def span_background(project, plan: RenderPlan, index: int, *, landmarker=None, cancel=None) -> Background:
    """The source frames shown under synthetic piece ``plan.spans[index]`` (see the module docstring).

    ``landmarker``: a dlib landmarker as :func:`lecturecut.synthesis.lips.track.track` takes (default: the
    lips engine's shared one, loaded once per process)."""
    return _chosen(project, plan, index, landmarker, cancel)[0]


def span_background_frames(project, plan: RenderPlan, index: int, *, landmarker=None,
                           cancel=None) -> tuple[Background, dict[Fraction, np.ndarray]]:
    """:func:`span_background` and the frame at each of its instants (decoded once: the frames the
    choice has just looked at, or a fresh decode of the stretch when it was remembered)."""
    got, frames = _chosen(project, plan, index, landmarker, cancel)
    if frames is None:
        frames = span_frames(project, got.instants, cancel=cancel)
    return got, frames


def _chosen(project, plan: RenderPlan, index: int, landmarker, cancel):
    span = plan.spans[index]
    if not isinstance(span, SynthSpan):
        raise ValueError(f"piece {index} of the plan is not a synthetic span")
    key = _key(project, plan, index)
    with _CHOSEN_LOCK:
        if key in _CHOSEN:
            _CHOSEN.move_to_end(key)
            got = _CHOSEN[key]
            return Background(got.instants, got.method, got.jumps, got.turns, got.worst_jump), None
    got, frames = _choose(project, plan, index, landmarker, cancel)
    with _CHOSEN_LOCK:
        _CHOSEN[key] = got
        while len(_CHOSEN) > CACHE_SPANS:
            _CHOSEN.popitem(last=False)
    return got, frames


def _uniform(plan: RenderPlan, index: int) -> tuple[Fraction, ...]:
    """The plan's own instants for the span: its source range retimed uniformly."""
    span = plan.spans[index]
    rate, fps = plan.audio_rate, plan.fps
    acc_samples = sum(s.n_samples for s in plan.spans[:index])
    acc_frames = sum(s.n_frames for s in plan.spans[:index])
    return tuple(span.source_sample_at(Fraction(acc_frames + j) / fps * rate - acc_samples) / rate
                 for j in range(span.n_frames))


def _audio_start(source: Path) -> Fraction:
    info = probe(source)
    return Fraction(info.audio.start_s).limit_denominator(1_000_000) if info.audio else Fraction(0)


def _stream(source: Path, lo: Fraction, hi: Fraction, tol: Fraction, cancel, size: tuple[int, int] | None = None):
    """``(t, frame)`` (audio clock) of the frame covering ``lo`` and of every later one up to ``hi``, in order
    (scaled to ``size`` by the decoder where given)."""
    start = _audio_start(source)
    from_s = lo - SEEK_BEFORE_S + start
    for seek in ((True, False) if from_s > 0 else (False,)):
        frames = read_timed_frames(source, start_s=float(from_s) if seek else None, accurate=True, size=size,
                                   cancel=cancel)
        held = None  # the latest frame that still covers lo
        started = False
        with contextlib.closing(frames):  # leaving early stops the decoder
            for t, frame in frames:
                check_cancel(cancel)
                t = t - start
                if t <= lo + tol:
                    held = (t, frame)
                    continue
                if not started:
                    if held is None and seek:
                        break  # the container seeked past lo: decode from the start
                    started = True
                    if held is not None:
                        yield held
                if t > hi + tol:
                    return
                yield t, frame
            else:
                if not started and held is not None:
                    yield held
                return


def span_frames(project, instants, *, cancel=None) -> dict[Fraction, np.ndarray]:
    """The source frame shown at each of ``instants`` (audio clock), decoded once; only those are kept."""
    wanted = sorted(set(instants))
    if not wanted:
        return {}
    source = Path(project.source)
    tol = PTS_TOLERANCE_FRAMES / probe(source).video.fps
    out: dict[Fraction, np.ndarray] = {}
    k, previous = 0, None
    for t, frame in _stream(source, wanted[0], wanted[-1], tol, cancel):
        while k < len(wanted) and t > wanted[k] + tol:  # the frame before covers wanted[k]
            if previous is not None:
                out[wanted[k]] = previous
            k += 1
        previous = frame
    for w in wanted[k:]:
        if previous is not None:
            out[w] = previous
    return out


def _thumbnail(frame: np.ndarray) -> np.ndarray:
    return cv2.resize(frame, (THUMB_SIDE, THUMB_SIDE), interpolation=cv2.INTER_AREA).astype(np.float32).ravel()


DETECT_EVERY = 10  # frames between two face detections (boxes in between interpolated: the predictor is 1/7 the cost)
LANDMARK_EVERY = 2  # frames between two runs of the landmark predictor (the rigid points in between interpolated)


def _tracked(frames: list[np.ndarray], fps: float, landmarker, cancel) -> np.ndarray:
    """(M, len(RIGID_POINTS), 2) rigid landmarks per frame (NaN where no single face), in the frames' pixels.

    As :func:`lecturecut.synthesis.lips.track.track`, but sparser (the pose wants the head's place, not every
    twitch of the lips): a detection every ``DETECT_EVERY`` frames, the predictor every ``LANDMARK_EVERY``,
    the rigid points smoothed as there and interpolated in between."""
    from lecturecut.models.face import RIGID_POINTS

    from ..lips.track import SECOND_FACE_AREA

    if landmarker is None:
        from ..lips.engine import shared_landmarker

        landmarker = shared_landmarker()
    m = len(frames)
    upsample = 1 if min(frames[0].shape[:2]) < landmarker.MIN_SIDE_FOR_NO_UPSAMPLE else 0
    detect_at = sorted(set(range(0, m, DETECT_EVERY)) | {m - 1})
    boxes: dict[int, tuple[int, int, int, int] | None] = {}
    for i in detect_at:
        check_cancel(cancel)
        rects = landmarker._detector(np.ascontiguousarray(frames[i]), upsample)
        found = sorted(((r.left(), r.top(), r.right(), r.bottom()) for r in rects),
                       key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
        area = [(b[2] - b[0]) * (b[3] - b[1]) for b in found]
        single = len(found) == 1 or (len(found) > 1 and area[1] < SECOND_FACE_AREA * area[0])
        boxes[i] = found[0] if single else None
    raw: dict[int, np.ndarray] = {}  # the predictor on every LANDMARK_EVERY-th frame (and the last)
    for i in sorted(set(range(0, m, LANDMARK_EVERY)) | {m - 1}):
        check_cancel(cancel)
        k = bisect.bisect_right(detect_at, i) - 1
        a, b = detect_at[k], detect_at[min(k + 1, len(detect_at) - 1)]
        if boxes[a] is None or boxes[b] is None:
            continue
        f = (i - a) / (b - a) if b > a else 0.0
        box = tuple(int(round(x + f * (y - x))) for x, y in zip(boxes[a], boxes[b]))
        raw[i] = landmarker.landmarks(frames[i], box)[RIGID_POINTS]
    out = np.full((m, len(RIGID_POINTS), 2), np.nan, np.float32)
    done = sorted(raw)
    run: list[int] = []
    for i in done + [None]:  # each run of tracked frames with a face smoothed on its own, then filled in
        if i is not None and (not run or i - run[-1] <= LANDMARK_EVERY):
            run.append(i)
            continue
        if run:
            gaps = np.diff(run)
            rate = fps / (float(np.median(gaps)) if len(gaps) else 1.0)
            pts = smooth_rigid([raw[j] for j in run], rate)
            for (j0, p0), (j1, p1) in zip(zip(run, pts), zip(run[1:], pts[1:])):
                for j in range(j0, j1):  # (linear in between: the head moves little in a frame or two)
                    out[j] = p0 + (j - j0) / (j1 - j0) * (p1 - p0)
            out[run[-1]] = pts[-1]
        run = [i] if i is not None else []
    return out


def smooth_rigid(points: list[np.ndarray], fps: float) -> list[np.ndarray]:
    """Forward-backward One Euro over a run of rigid landmarks, as :func:`lecturecut.synthesis.lips.track.smooth`
    smooths the rigid points."""
    from ..lips.track import RIGID_FILTER, OneEuro

    if len(points) < 3:
        return [np.asarray(p, np.float32) for p in points]

    def one_pass(seq):
        f = OneEuro(fps, *RIGID_FILTER)
        return [f(np.asarray(p, np.float64)) for p in seq]

    fwd, bwd = one_pass(points), one_pass(points[::-1])[::-1]
    return [((x + y) / 2).astype(np.float32) for x, y in zip(fwd, bwd)]


def _choose(project, plan: RenderPlan, index: int, landmarker, cancel) -> Background:
    seconds = {"decoding": 0.0, "tracking": 0.0, "search": 0.0}
    t_start = time.perf_counter()
    span = plan.spans[index]
    n = span.n_frames
    if n == 0:
        return Background((), SOURCE_RATE), {}
    source = Path(project.source)
    video = probe(source).video
    tol = PTS_TOLERANCE_FRAMES / video.fps
    ctx = _context(plan, index)
    w, h = (video.height, video.width) if video.rotation in (90, 270) else (video.width, video.height)
    # a small source (up to 640x480) is tracked as it is and its frames kept for the render; a larger one is
    # decoded scaled down here (a ninth of the bytes of 1080p) and the chosen frames again at full size
    hold = w * h <= HOLD_PIXELS
    scale = 1.0 if hold else min(1.0, TRACK_MIN_SIDE / min(w, h))
    size = None if hold else (max(2, int(round(w * scale / 2)) * 2), max(2, int(round(h * scale / 2)) * 2))
    times: list[Fraction] = []
    small: list[np.ndarray] = []  # (the tracked frames: their short side at most TRACK_MIN_SIDE)
    for t, frame in _stream(source, ctx.lo, ctx.hi, tol, cancel, size=size):
        times.append(t)
        small.append(frame)
    full = small if hold else None

    def held(path) -> dict[Fraction, np.ndarray] | None:
        return {times[f]: full[f] for f in set(path)} if full is not None else None

    def cover(t: Fraction) -> int:  # the frame shown at instant t (the last that starts by then)
        return bisect.bisect_right(times, t + tol) - 1

    if not times or cover(ctx.a) < 0:  # no frame at the span (before the video starts, or none at all)
        seconds["decoding"] = time.perf_counter() - t_start
        return Background(_uniform(plan, index), UNIFORM, seconds=seconds), None
    p = cover(ctx.prev_t) if ctx.prev_t is not None else None
    q = cover(ctx.next_t) if ctx.next_t is not None else None
    if p is not None and p < 0:
        p = None
    first = p + 1 if p is not None else cover(ctx.a)
    if q is not None and q <= first:
        q = None  # (the next piece shows a frame the span would need: nothing to join)
    last = q - 1 if q is not None else max(bisect.bisect_left(times, ctx.b - tol) - 1, first)
    if n == last - first + 1:
        seconds["decoding"] = time.perf_counter() - t_start
        got = Background(tuple(times[first:last + 1]), SOURCE_RATE, seconds=seconds)
        return got, held(range(first, last + 1))

    # ---- what each frame looks like: a thumbnail, and the head's rigid landmarks
    thumbs = np.stack([_thumbnail(f) for f in small])  # (M, side*side*3)
    t_track = time.perf_counter()
    seconds["decoding"] = t_track - t_start
    rigid = _tracked(small, float(video.fps), landmarker, cancel) / (size[0] / w if size else 1.0)  # (M, P, 2) px
    if not hold:
        del small
    t_search = time.perf_counter()
    seconds["tracking"] = t_search - t_track
    m = len(times)
    mad = np.empty((m, m), np.float32)
    for i in range(m):
        check_cancel(cancel)
        mad[i] = np.abs(thumbs - thumbs[i]).mean(axis=1)
    has_face = ~np.isnan(rigid[:, 0, 0])
    face = has_face.mean() >= MIN_FACE_SHARE
    steps = np.arange(m - 1)
    ref_mad = max(float(np.percentile(mad[steps, steps + 1], NATURAL_PERCENTILE)) if m > 1 else 0.0, MAD_FLOOR)
    motion = mad / ref_mad  # (M, M): a move from frame i to frame j, in units of the footage's own p99
    if face:
        pose = np.linalg.norm(rigid[:, None] - rigid[None, :], axis=-1).mean(axis=-1)  # (M, M) px, NaN: no face
        natural = pose[steps, steps + 1]
        natural = natural[~np.isnan(natural)]
        ref_pose = max(float(np.percentile(natural, NATURAL_PERCENTILE)) if natural.size else 0.0, POSE_FLOOR_PX)
        motion = np.maximum(motion, np.where(np.isnan(pose), np.inf, pose / ref_pose))
    # a jump i -> j should also land where the footage would have gone: j like i's own successor
    follow = np.vstack([motion[1:], motion[-1:]])  # follow[i, j] = motion[i + 1, j] (the last frame: itself)
    path = None
    for limit in LIMIT_TIERS:
        check_cancel(cancel)
        jump = JUMP_COST + follow + 0.5 * motion
        jump[motion > limit] = np.inf
        idx = np.arange(m)
        for d in (-1, 0, 1):  # steps, not jumps (and never the same frame twice)
            ok = (idx + d >= 0) & (idx + d < m)
            jump[idx[ok], idx[ok] + d] = np.inf
        path = _search(n, m, p, q, first, last, jump, cancel)
        if path is not None:
            break
    if path is None:  # (cannot happen: the last tier allows every jump) keep the plan's retiming
        return Background(_uniform(plan, index), UNIFORM, seconds=seconds), None
    hops = list(zip(([p] if p is not None else []) + path, path + ([q] if q is not None else [])))
    jumps = [(i, j) for i, j in hops if abs(j - i) > 1]
    dirs = [j - i for i, j in hops if abs(j - i) == 1]
    turns = sum(1 for x, y in zip(dirs, dirs[1:]) if x != y)
    worst = max((float(motion[i, j]) for i, j in jumps), default=0.0)
    seconds["search"] = time.perf_counter() - t_search
    got = Background(tuple(times[f] for f in path), POSE if face else PICTURE, len(jumps), turns, worst, seconds)
    return got, held(path)


def _search(n: int, m: int, p: int | None, q: int | None, first: int, last: int, jump: np.ndarray,
            cancel) -> list[int] | None:
    """The cheapest path of ``n`` frames (indices into the footage) from ``p`` to ``q`` (exclusive; from
    ``first`` / to ``last`` inclusive where either is None): forward steps free, backward steps and
    turns and ``jump[i, j]`` at their costs. Viterbi over (frame, direction)."""
    inf = np.inf
    fwd = np.full(m, inf)
    rev = np.full(m, inf)
    if p is None:
        fwd[first] = 0.0
    else:
        if p + 1 < m:
            fwd[p + 1] = 0.0
        if p - 1 >= 0:
            rev[p - 1] = TURN_COST + REVERSE_STEP_COST
        fwd = np.minimum(fwd, jump[p])
    # back-pointers per step: (state, frame) each state's frame came from; state 0 forward, 1 backward
    back_state: list[tuple[np.ndarray, np.ndarray]] = []
    back_frame: list[tuple[np.ndarray, np.ndarray]] = []
    idx = np.arange(m)
    for _ in range(1, n):
        check_cancel(cancel)
        best = np.minimum(fwd, rev)
        best_state = (rev < fwd).astype(np.int8)
        # forward: a step from j - 1 (forward, or turning), or a jump from anywhere
        nf = np.full(m, inf)
        nf_state = np.zeros(m, np.int8)
        nf_frame = np.zeros(m, np.int64)
        nf[1:] = fwd[:-1]
        nf_frame[1:] = idx[:-1]
        turned = np.full(m, inf)
        turned[1:] = rev[:-1] + TURN_COST
        better = turned < nf
        nf = np.where(better, turned, nf)
        nf_state = np.where(better, 1, nf_state).astype(np.int8)
        via = best[:, None] + jump  # (M, M): arrive at j by a jump from i
        src = np.argmin(via, axis=0)
        jumped = via[src, idx]
        better = jumped < nf
        nf = np.where(better, jumped, nf)
        nf_frame = np.where(better, src, nf_frame)
        nf_state = np.where(better, best_state[src], nf_state).astype(np.int8)
        # backward: a step from j + 1 (backward, or turning)
        nr = np.full(m, inf)
        nr_state = np.ones(m, np.int8)
        nr[:-1] = rev[1:] + REVERSE_STEP_COST
        turned = np.full(m, inf)
        turned[:-1] = fwd[1:] + TURN_COST + REVERSE_STEP_COST
        better = turned < nr
        nr = np.where(better, turned, nr)
        nr_state = np.where(better, 0, nr_state).astype(np.int8)
        nr_frame = np.minimum(idx + 1, m - 1)
        back_state.append((nf_state, nr_state))
        back_frame.append((nf_frame, nr_frame))
        fwd, rev = nf, nr
    # the way out: into q (the next piece's first frame) as a step or a jump, or ending on ``last``
    end_f = np.full(m, inf)
    end_r = np.full(m, inf)
    if q is None:
        end_f[last], end_r[last] = fwd[last], rev[last] + TURN_COST
    else:
        end_f = fwd + jump[:, q]
        end_r = rev + jump[:, q]
        if q - 1 >= 0:
            end_f[q - 1] = fwd[q - 1]
            end_r[q - 1] = rev[q - 1] + TURN_COST
    total = np.minimum(end_f, end_r)
    j = int(np.argmin(total))
    if not np.isfinite(total[j]):
        return None
    state = 1 if end_r[j] < end_f[j] else 0
    path = [j]
    for t in range(n - 2, -1, -1):
        states, frames = back_state[t], back_frame[t]
        j, state = int(frames[state][j]), int(states[state][j])
        path.append(j)
    path.reverse()
    return path
