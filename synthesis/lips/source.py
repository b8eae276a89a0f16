"""The lecture's own frames, read by time on the audio clock: what the new mouths are cut from.

The decoder seeks to a little before the first instant asked for and stops after the
last, so a mouth said at minute 50 does not decode minutes 0 to 49. Frames are placed
by their own presentation times (``-copyts``), shifted onto the audio clock (t = 0 at
the first audio sample), as the video render places them.
"""

from __future__ import annotations

import queue
from fractions import Fraction
from pathlib import Path

import numpy as np

from lecturecut.core import check_cancel
from lecturecut.media.errors import FFmpegError, MediaError
from lecturecut.media.ffmpeg import FFmpegPipe, media_arg
from lecturecut.media.frames import PTS_WAIT_S, parse_showinfo
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
        w, h = self.size
        pts: queue.Queue = queue.Queue()
        time_base: list[Fraction] = []

        def on_line(line: str) -> None:
            parsed = parse_showinfo(line)
            if parsed is None:
                return
            if parsed[0] == "tb":
                time_base.append(parsed[1])
            else:
                pts.put(parsed[1])

        start = float(self.audio_start) + t0 - SEEK_BEFORE_S
        # accurate seek: ffmpeg decodes from the keyframe but drops the frames before ``start`` itself
        # (a 10 s GOP piped as RGB frames to be dropped here cost ~1 s per seek)
        seek_args = ["-seek_timestamp", "1", "-ss", f"{start:.6f}"] if seek and start > 0 else []
        args = ["-copyts", *seek_args, "-i", media_arg(self.path), "-map", f"0:{self.video.index}",
                "-an", "-sn", "-dn", "-vf", "showinfo", "-fps_mode", "passthrough",
                "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1"]
        frame_bytes = w * h * 3
        out: list[tuple[float, np.ndarray]] = []
        last: Fraction | None = None
        with FFmpegPipe(args, what=f"decoding '{self.path.name}'", read=True, cancel=cancel,
                        on_stderr_line=on_line, loglevel="info") as pipe:
            while True:
                check_cancel(cancel)
                buf = pipe.read(frame_bytes)
                if len(buf) < frame_bytes:
                    pipe.finish()
                    break
                try:
                    ticks = pts.get(timeout=PTS_WAIT_S)
                except queue.Empty:
                    raise FFmpegError(f"decoding '{self.path.name}' gave a frame without a timestamp",
                                      " ".join(pipe.args), pipe.stderr) from None
                if ticks is None or not time_base:
                    t = (last + 1 / self.fps) if last is not None else Fraction(0)
                else:
                    t = ticks * time_base[0]
                if last is not None and t <= last:
                    t = last + Fraction(1, 1_000_000)
                last = t
                self.frames_decoded += 1
                ta = float(t - self.audio_start)
                if ta > t1:
                    break  # leaving the pipe kills the decoder: nothing after t1 is needed
                if ta >= t0:
                    out.append((ta, np.frombuffer(buf, np.uint8).reshape(h, w, 3).copy()))
        return out
