"""The lecture's own frames, read by time on the audio clock: what the new mouths are cut from.

The decoder seeks to a little before the first instant asked for and stops after the
last, so a mouth said at minute 50 does not decode minutes 0 to 49. Frames are placed
by their own presentation times (``-copyts``), shifted onto the audio clock (t = 0 at
the first audio sample), as the video render places them.
"""

from __future__ import annotations

import contextlib
from fractions import Fraction
from pathlib import Path

import numpy as np

from lecturecut.core import check_cancel
from lecturecut.media.errors import MediaError
from lecturecut.media.frames import read_timed_frames
from lecturecut.media.probe import probe

SEEK_BEFORE_S = 0.2  # the decoder starts this far before the first instant (timestamps rounded by containers)


class SourceFrames:
    """Frames of one source file between two audio-clock instants."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        info = probe(self.path)
        if info.video is None:
            raise MediaError(f"'{self.path.name}' has no video stream, so it has no lips to regenerate.")
        self.video = info.video
        self.audio_start = Fraction(info.audio.start_s).limit_denominator(1_000_000) if info.audio else Fraction(0)
        v = self.video
        self.size = (v.height, v.width) if v.rotation in (90, 270) else (v.width, v.height)
        self.fps = v.fps
        self.frames_decoded = 0

    def between(self, t0: float, t1: float, cancel=None) -> list[tuple[float, np.ndarray]]:
        """``(t, frame)`` for every frame whose time lies in ``[t0, t1]`` (audio clock, s), in order."""
        got = self._decode(t0, t1, seek=True, cancel=cancel)
        if t0 > SEEK_BEFORE_S and (not got or got[0][0] > t0 + 0.5 / float(self.fps)):
            got = self._decode(t0, t1, seek=False, cancel=cancel)  # the container seeked past it
        return got

    def _decode(self, t0: float, t1: float, *, seek: bool, cancel) -> list[tuple[float, np.ndarray]]:
        start = float(self.audio_start) + t0 - SEEK_BEFORE_S
        # accurate seek: ffmpeg decodes from the keyframe but drops the frames before ``start`` itself
        # (a 10 s GOP piped as RGB frames to be dropped here cost ~1 s per seek)
        frames = read_timed_frames(self.path, start_s=start if seek and start > 0 else None, accurate=True,
                                   cancel=cancel)
        out: list[tuple[float, np.ndarray]] = []
        with contextlib.closing(frames):  # leaving early stops the decoder: nothing after t1 is needed
            for t, frame in frames:
                check_cancel(cancel)
                self.frames_decoded += 1
                ta = float(t - self.audio_start)
                if ta > t1:
                    break
                if ta >= t0:
                    out.append((ta, frame.copy()))
        return out
