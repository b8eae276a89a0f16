"""Video render: every output frame placed by presentation time on the audio clock, jump cuts smoothed.

The plan's frame slots are instants on the audio clock (slot ``i`` = ``i / fps`` after
the audio's first sample). Each slot shows the source frame whose presentation interval
``[pts_k, pts_k+1)`` covers that instant, read from the decoder's own timestamps: a
variable frame rate, a video that starts after the audio (a start offset or an edit
list) and a video that ends before the audio all stay in sync. Before the first frame
the picture is black; after the last, and across gaps, the nearest earlier frame holds:
never a frame of a deleted word.

Under a synthetic span (new speech for a retype) each output frame shows the source instant
its output instant maps to, uniformly, in the span's source range: the original frames
retimed to the new duration (no frozen frame, no jump at either end) until lip-synced
frames exist.
"""

from __future__ import annotations

import bisect
import collections
from fractions import Fraction
from pathlib import Path
from typing import Iterator, Sequence

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
    its last one meets it where it resumes.
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


def render_video(project: Project, plan: RenderPlan, path: Path, *, x264_preset: str, crf: int,
                 smooth_cuts: bool, progress: ProgressFn, cancel) -> None:
    """Pipe the planned frames (jump cuts smoothed) into the encoder."""
    video = project.media.video
    w, h = (video.height, video.width) if video.rotation in (90, 270) else (video.width, video.height)
    info = probe(project.source)
    # Word times count from the audio's first sample; frame times from the same container clock.
    audio_start = Fraction(info.audio.start_s).limit_denominator(1_000_000) if info.audio else Fraction(0)
    landmarker = None
    n_smooth = 0
    def is_jump(k: int) -> bool:
        # a synthetic span continues the picture where the source stops and resumes: no jump to smooth
        synth_join = SynthSpan in (type(plan.spans[k]), type(plan.spans[k - 1]))
        return k > 0 and (not synth_join or plan.spans[k - 1].audio_end != plan.spans[k].audio_start)

    if smooth_cuts and any(is_jump(k) for k in range(1, len(plan.spans))):
        from lecturecut.models.face import best_landmarker

        from ..smoothing import frames_for

        landmarker = best_landmarker()
        n_smooth = frames_for(float(plan.fps))
    decoded = read_timed_frames(project.source, cancel=cancel)
    timed = ((t - audio_start, f) for t, f in decoded)
    clock = FrameClock(timed, np.zeros((h, w, 3), np.uint8), PTS_TOLERANCE_FRAMES / plan.fps)
    if clock.first_t is None:
        decoded.close()
        raise MediaError("The video stream has no decodable frames. Re-export the recording and retry.")
    total = max(plan.output_frames, 1)

    def frame_at(x: int | Fraction) -> np.ndarray:
        check_cancel(cancel)
        return clock.at(slot_time(x, plan.fps) if isinstance(x, int) else x)

    try:
        with FrameWriter(path, w, h, plan.fps,
                         codec_args=["-c:v", "libx264", "-preset", x264_preset, "-crf", str(crf)],
                         color_space=video.color_space, cancel=cancel) as writer:
            previous_out: np.ndarray | None = None
            for k, todo in enumerate(frame_instants(plan)):
                if is_jump(k) and landmarker is not None and previous_out is not None and len(todo) > n_smooth:
                    from ..smoothing import smooth_join

                    head = [frame_at(i).copy() for i in todo[:n_smooth]]
                    for frame in smooth_join(previous_out, head, landmarker):
                        writer.write(frame)
                    todo = todo[n_smooth:]
                    previous_out = head[-1]
                for i in todo:
                    previous_out = frame_at(i)
                    writer.write(previous_out)
                    if writer.frames_written % 10 == 0:
                        progress(writer.frames_written / total, "encoding video")
    finally:
        decoded.close()  # stop the decoder now, also on failure or cancel
