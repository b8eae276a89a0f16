"""Video render: every output frame placed by presentation time on the audio clock, jump cuts smoothed.

The plan's frame slots are instants on the audio clock (slot ``i`` = ``i / fps`` after
the audio's first sample). Each slot shows the source frame whose presentation interval
``[pts_k, pts_k+1)`` covers that instant, read from the decoder's own timestamps: a
variable frame rate, a video that starts after the audio (a start offset or an edit
list) and a video that ends before the audio all stay in sync. Before the first frame
the picture is black; after the last, and across gaps, the nearest earlier frame holds:
never a frame of a deleted word.

Under a synthetic span (new speech for a retype) the frames are chosen by
:mod:`.background` from the footage around the span's source range: the source at its own rate,
with a few jumps matched by head pose where the new speech is longer or shorter (never a
repeated frame); the lips engine then gives them the new mouth.
"""

from __future__ import annotations

import bisect
import collections
from fractions import Fraction
from pathlib import Path
from typing import Callable, Iterator, Sequence

import numpy as np

from lecturecut.core import ProgressFn, check_cancel
from lecturecut.media.errors import MediaError
from lecturecut.media.frames import FrameWriter, read_timed_frames
from lecturecut.media.probe import probe

from ..plan import RenderPlan, SynthSpan
from ..project import Project

RECENT_FRAMES = 8  # decoded frames kept for spans that start a little before the previous span's end
# Containers round timestamps (Matroska to milliseconds): a frame that starts this little after
# a slot's instant still counts as covering it. A quarter of an output frame is far above any
# rounding and far below a real frame interval.
PTS_TOLERANCE_FRAMES = Fraction(1, 4)


class FrameClock:
    """Source frames looked up by time on the audio clock, decoding forward only.

    ``frames`` yields ``(t, frame)`` with strictly increasing ``t`` (seconds on the audio
    clock). ``at(t)`` returns the last frame with ``t_k <= t + tolerance``, black before
    the first one. Times asked for may go back by a few frames (two spans that share a
    boundary); further back returns the oldest frame still at hand.
    """

    def __init__(self, frames: Iterator[tuple[Fraction, np.ndarray]], black: np.ndarray,
                 tolerance: Fraction) -> None:
        self._frames = frames
        self._black = black
        self._tol = tolerance
        self._recent: collections.deque[tuple[Fraction, np.ndarray]] = collections.deque(maxlen=RECENT_FRAMES)
        self._next = next(frames, None)
        self.first_t = None if self._next is None else self._next[0]
        self.frames_decoded = 0

    def at(self, t: Fraction) -> np.ndarray:
        limit = t + self._tol
        while self._next is not None and self._next[0] <= limit:
            self._recent.append(self._next)
            self.frames_decoded += 1
            self._next = next(self._frames, None)
        if not self._recent:
            return self._black  # before the video's first frame (or a video without frames)
        times = [ft for ft, _ in self._recent]
        k = bisect.bisect_right(times, limit) - 1
        if k < 0:
            # earlier than every frame at hand: black if before the first frame of all, else the oldest
            return self._black if limit < self.first_t else self._recent[0][1]
        return self._recent[k][1]


def slot_time(slot: int, fps: Fraction) -> Fraction:
    """The audio-clock instant (s) of frame slot ``slot``."""
    return Fraction(slot) / fps


def frame_instants(plan: RenderPlan) -> Iterator[Sequence[int | Fraction]]:
    """For each piece of the plan, what each of its output frames shows: a frame slot (int) of a
    kept span, or a source instant (s, audio clock, exact) under a synthetic span.

    A synthetic span maps the output instant ``t`` of each of its frames to
    ``a + (t - t0) * (b - a) / new_len`` of its source range ``[a, b)`` (``t0``: where its new
    audio starts in the output), so its first frame continues the source where it stops and
    its last one meets it where it resumes. These are the plan's own instants: :func:`write_frames`
    shows under a synthetic span the frames :func:`.background.span_background` chooses instead.
    """
    rate, fps = plan.audio_rate, plan.fps
    acc_samples = acc_frames = 0
    for span in plan.spans:
        if isinstance(span, SynthSpan):
            yield [span.source_sample_at(Fraction(acc_frames + j) / fps * rate - acc_samples) / rate
                   for j in range(span.n_frames)]
        else:
            yield range(span.frame_start, span.frame_end)
        acc_samples += span.n_samples
        acc_frames += span.n_frames


def jump_before(plan: RenderPlan, k: int) -> bool:
    """True when piece ``k`` starts with a jump in the picture, which the render smooths (a cut; a synthetic
    span continues the picture where the source stops and resumes, so joining one is no jump)."""
    synth_join = SynthSpan in (type(plan.spans[k]), type(plan.spans[k - 1]))
    return k > 0 and (not synth_join or plan.spans[k - 1].audio_end != plan.spans[k].audio_start)


SYNTHETIC_BADGE = "synthetic: edited speech"  # --mark-synthetic's marker
SEEK_MARGIN_S = 1.0  # a window's decoder seeks this far before the first instant it shows


def render_video(project: Project, plan: RenderPlan, path: Path, *, x264_preset: str, crf: int,
                 smooth_cuts: bool, progress: ProgressFn, cancel, window: tuple[int, int] | None = None,
                 lips: list | None = None, lips_method: str = "own", mark_synthetic: bool = False,
                 out_size: tuple[int, int] | None = None) -> None:
    """Pipe the planned frames (jump cuts smoothed) into the encoder: all of them, or only output
    frames ``window = (start, end)`` (see :func:`write_frames`); ``out_size``: the size they are
    scaled to (None: the source's)."""
    video = project.media.video
    w, h = (video.height, video.width) if video.rotation in (90, 270) else (video.width, video.height)
    with FrameWriter(path, w, h, plan.fps,
                     codec_args=["-c:v", "libx264", "-preset", x264_preset, "-crf", str(crf)],
                     color_space=video.color_space, cancel=cancel, out_size=out_size) as writer:
        write_frames(project, plan, writer.write, smooth_cuts=smooth_cuts, progress=progress, cancel=cancel,
                     window=window, lips=lips, lips_method=lips_method, mark_synthetic=mark_synthetic)


def write_frames(project: Project, plan: RenderPlan, write: Callable[[np.ndarray], None], *, smooth_cuts: bool,
                 progress: ProgressFn, cancel, window: tuple[int, int] | None = None,
                 lips: list | None = None, lips_method: str = "own", mark_synthetic: bool = False) -> None:
    """Hand the planned frames, jump cuts smoothed, to ``write``: every output frame, or only output
    frames ``window = (start, end)``, which are then the very frames the whole render has there.

    ``lips``: a list to collect one :class:`lecturecut.synthesis.lips.LipsResult` per synthetic span
    shown, whose frames then get the lecturer's own mouth saying the new speech (the whole span is
    regenerated even where a window shows part of it, so its frames are the whole render's);
    ``None`` leaves them the background frames chosen from the footage around the span.
    ``lips_method``: "own" (the lecturer's own mouth) or "gan" (the Wav2Lip GAN,
    :mod:`lecturecut.synthesis.lips.gan`). ``mark_synthetic``: a small badge on every frame under new speech.

    A window's decoder seeks to just before the first source instant it shows, and a join's smoothing
    is computed only where its frames fall in the window.
    """
    video = project.media.video
    w, h = (video.height, video.width) if video.rotation in (90, 270) else (video.width, video.height)
    info = probe(project.source)
    # Word times count from the audio's first sample; frame times from the same container clock.
    audio_start = Fraction(info.audio.start_s).limit_denominator(1_000_000) if info.audio else Fraction(0)
    first, end = (0, plan.output_frames) if window is None else (max(window[0], 0), min(window[1], plan.output_frames))
    if end <= first:
        return
    out_starts, acc = [], 0  # the output frame each piece starts at
    for span in plan.spans:
        out_starts.append(acc)
        acc += span.n_frames
    n_smooth = 0  # frames smoothed after a jump cut
    if smooth_cuts:
        from ..smoothing import frames_for

        n_smooth = frames_for(float(plan.fps))

    def is_jump(k: int) -> bool:
        return jump_before(plan, k)

    def smoothed(k: int) -> bool:  # a join whose first frames are smoothed, some of them in the window
        return (smooth_cuts and is_jump(k) and plan.spans[k].n_frames > n_smooth
                and out_starts[k] < end and out_starts[k] + n_smooth > first)

    landmarker = None
    if any(smoothed(k) for k in range(1, len(plan.spans))):
        from lecturecut.models.face import best_landmarker

        landmarker = best_landmarker()
    tolerance = PTS_TOLERANCE_FRAMES / plan.fps
    black = np.zeros((h, w, 3), np.uint8)
    decoders: list = []  # the open decoder (closed at the end, also on failure or cancel)

    def open_clock(from_s: Fraction | None) -> FrameClock:
        """A clock decoding from the start, or seeking to just before ``from_s`` (audio clock)."""
        for d in decoders:
            d.close()
        decoders.clear()
        if from_s is None:
            decoded = read_timed_frames(project.source, cancel=cancel)
        else:
            # accurate: ffmpeg still decodes from the keyframe, but drops the frames before ``from_s`` itself
            # instead of converting and piping them here (on average a GOP's worth per window)
            decoded = read_timed_frames(project.source, start_s=float(from_s + audio_start), accurate=True,
                                        cancel=cancel)
        decoders.append(decoded)
        return FrameClock(((t - audio_start, f) for t, f in decoded), black, tolerance)

    clock: FrameClock | None = None
    if window is None:
        clock = open_clock(None)
        if clock.first_t is None:
            decoders[0].close()
            raise MediaError("The video stream has no decodable frames. Re-export the recording and retry.")
    total = max(end - first, 1)
    written = 0

    held: dict[Fraction, np.ndarray] = {}  # a synthetic span's chosen frames, by source instant

    def frame_at(x: int | Fraction) -> np.ndarray:
        nonlocal clock
        check_cancel(cancel)
        if isinstance(x, Fraction) and x in held:
            return held[x]
        t = slot_time(x, plan.fps) if isinstance(x, int) else x
        if clock is None:  # a window: seek to its first instant, unless it is near the start anyway
            seek = t - Fraction(SEEK_MARGIN_S).limit_denominator(1000)
            clock = open_clock(seek if seek > 0 else None)
            if seek > 0 and (clock.first_t is None or clock.first_t > t + tolerance):
                clock = open_clock(None)  # the container seeked past it: decode from the start
            if clock.first_t is None:
                raise MediaError("The video stream has no decodable frames. Re-export the recording and retry.")
        return clock.at(t)

    # --mark-synthetic: a small "synthetic" badge on every frame under new speech (the frames kept for
    # smoothing and the lips engine stay unmarked)
    marked = [(out_starts[k], out_starts[k] + s.n_frames) for k, s in enumerate(plan.spans)
              if isinstance(s, SynthSpan)] if mark_synthetic else []
    badge = None
    if marked:
        from lecturecut.media.reel import Caption

        badge = Caption(SYNTHETIC_BADGE, w, h, corner=True)

    def emit(frame: np.ndarray) -> None:
        nonlocal written
        if badge is not None and any(a <= first + written < b for a, b in marked):
            frame = badge(frame)
        write(frame)
        written += 1
        if written % 10 == 0:
            progress(written / total, "encoding video")

    try:
        previous_out: np.ndarray | None = None
        previous_last: int | Fraction | None = None  # what the last frame of the pieces before shows
        for k, todo in enumerate(frame_instants(plan)):
            at = out_starts[k]  # output frame of todo[0]
            if at >= end:
                break
            held.clear()
            if isinstance(plan.spans[k], SynthSpan) and len(todo) and (
                    at + len(todo) > first or (k + 1 < len(plan.spans) and is_jump(k + 1))):
                # its frames chosen from the footage around it (before a window too where the next join
                # may smooth from its last frame)
                from .background import UNIFORM, span_background_frames

                chosen, frames_by_t = span_background_frames(project, plan, k, cancel=cancel)
                todo = list(chosen.instants)
                if chosen.method != UNIFORM:
                    held.update(frames_by_t)
            if at + len(todo) <= first:  # wholly before the window
                previous_last = todo[-1] if len(todo) else previous_last
                continue
            if lips is not None and isinstance(plan.spans[k], SynthSpan):
                from ..lips import regenerate_span

                smooth = is_jump(k) and landmarker is not None and len(todo) > n_smooth
                before = previous_out
                if smooth and before is None and previous_last is not None:
                    before = frame_at(previous_last).copy()  # (read first: the clock decodes forward)
                frames = [frame_at(i).copy() for i in todo]
                if smooth and before is not None:
                    from ..smoothing import smooth_join

                    frames[:n_smooth] = list(smooth_join(before, frames[:n_smooth], landmarker))
                frames, result = regenerate_span(project, plan, k, frames, cancel=cancel, method=lips_method)
                lips.append(result)
                for j, frame in enumerate(frames):
                    if first <= at + j < end:
                        emit(frame)
                previous_out = frames[-1] if frames else previous_out
                continue
            if is_jump(k) and landmarker is not None and len(todo) > n_smooth and first - at < n_smooth:
                if previous_out is None and previous_last is not None:
                    previous_out = frame_at(previous_last)  # the window starts within this join's smoothing
                if previous_out is not None:
                    from ..smoothing import smooth_join

                    head = [frame_at(i).copy() for i in todo[:n_smooth]]
                    for j, frame in enumerate(smooth_join(previous_out, head, landmarker)):
                        if first <= at + j < end:
                            emit(frame)
                    todo, at = todo[n_smooth:], at + n_smooth
                    previous_out = head[-1]
            for i in todo[max(first - at, 0):max(end - at, 0)]:
                previous_out = frame_at(i)
                emit(previous_out)
    finally:
        for d in decoders:
            d.close()  # stop the decoder now, also on failure or cancel
