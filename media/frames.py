"""Streamed frame reading and writing through ffmpeg pipes: never a whole video in memory."""

from __future__ import annotations

import logging
import os
import queue
import re
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from lecturecut.files import temp_name

from .errors import FFmpegError
from .ffmpeg import FFmpegPipe, media_arg

log = logging.getLogger(__name__)

BYTES_PER_PIXEL = 3  # rgb24 / bgr24
PTS_WAIT_S = 30.0  # a frame's showinfo line precedes the frame itself; this long without it is a hung decoder
YUV_MATRICES = ("bt709", "bt470bg", "smpte170m", "bt2020nc")  # colour matrices a yuv420p H.264 stream can carry

_SHOWINFO_TB = re.compile(r"Parsed_showinfo.*config in time_base:\s*(\d+)/(\d+)")
_SHOWINFO_FRAME = re.compile(r"Parsed_showinfo.*\bn:\s*(\d+)\s+pts:\s*(-?\d+|NOPTS)")


def parse_showinfo(line: str) -> tuple[str, Fraction | int | None] | None:
    """One line of ffmpeg's ``showinfo`` log: ("tb", time base), ("pts", ticks or None), or None (pure)."""
    m = _SHOWINFO_TB.search(line)
    if m:
        return "tb", Fraction(int(m.group(1)), int(m.group(2)))
    m = _SHOWINFO_FRAME.search(line)
    if m:
        return "pts", None if m.group(2) == "NOPTS" else int(m.group(2))
    return None


def _frame_size(path: str | Path, size: tuple[int, int] | None):
    from .probe import probe

    info = probe(path)
    if info.video is None:
        raise FFmpegError(f"'{Path(path).name}' has no video stream")
    w, h = info.video.width, info.video.height
    if info.video.rotation in (90, 270):  # ffmpeg applies the display matrix when decoding
        w, h = h, w
    return info, size or (w, h)


def read_frames(
    path: str | Path,
    start_frame: int = 0,
    n_frames: int | None = None,
    *,
    size: tuple[int, int] | None = None,
    pix_fmt: str = "rgb24",
    cancel: object | None = None,
) -> Iterator[np.ndarray]:
    """Yield frames ``(H, W, 3) uint8`` of the first video stream, in order.

    ``start_frame`` skips that many decoded frames (exact, by count, not by
    seeking). ``size=(w, h)`` scales. The decoder is stopped when the
    generator is closed early.
    """
    for _, frame in _decode(path, start_frame, n_frames, size, pix_fmt, cancel, timed=False):
        yield frame


def read_timed_frames(path: str | Path, *, start_s: float | None = None, accurate: bool = False,
                      size: tuple[int, int] | None = None, pix_fmt: str = "rgb24",
                      cancel: object | None = None) -> Iterator[tuple[Fraction, np.ndarray]]:
    """Yield ``(pts_s, frame)``: every decoded frame with its presentation time in seconds.

    The times are the stream's own (``-copyts``: not shifted to start at zero), exact
    fractions of its time base, so a caller can place each frame on another stream's
    clock: variable frame rates, a video that starts after the audio, edit lists.

    ``start_s`` (the container's clock) seeks first, so minute 50 does not decode minutes 0 to 49:
    from the keyframe at or before it, or with ``accurate`` from ``start_s`` itself (ffmpeg still
    decodes from the keyframe but drops the frames before, instead of piping them here). For some
    containers (MPEG program streams) ffmpeg lands a little *after* the time asked: callers that
    need an instant check the first time they get.
    """
    yield from _decode(path, 0, None, size, pix_fmt, cancel, timed=True, start_s=start_s, accurate=accurate)


def _decode(path, start_frame, n_frames, size, pix_fmt, cancel, *, timed: bool, start_s: float | None = None,
            accurate: bool = False):
    info, (w, h) = _frame_size(path, size)
    vf = [f"select=gte(n\\,{start_frame})"] if start_frame else []
    pts: queue.Queue = queue.Queue()
    time_base: list[Fraction] = []

    def on_line(line: str) -> None:
        parsed = parse_showinfo(line)
        if parsed is None:
            return
        kind, value = parsed
        if kind == "tb":
            time_base.append(value)  # type: ignore[arg-type]
        else:
            pts.put(value)

    if timed:
        vf.append("showinfo")  # logs each frame's pts (at -v info) just before the frame leaves the graph
    if size:
        vf.append(f"scale={w}:{h}")
    seek = []
    if start_s is not None and start_s > 0:
        seek = ["-seek_timestamp", "1", *([] if accurate else ["-noaccurate_seek"]), "-ss", f"{start_s:.6f}"]
    args = [*(["-copyts"] if timed else []), *seek, "-i", media_arg(path), "-map", f"0:{info.video.index}",
            "-an", "-sn", "-dn"]
    if vf:
        args += ["-vf", ",".join(vf)]
    if n_frames is not None:
        args += ["-frames:v", str(n_frames)]
    args += ["-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", pix_fmt, "pipe:1"]
    frame_bytes = w * h * BYTES_PER_PIXEL
    frame_s = 1 / info.video.fps
    last: Fraction | None = None
    with FFmpegPipe(args, what=f"decoding '{Path(path).name}'", read=True, cancel=cancel,
                    on_stderr_line=on_line if timed else None, loglevel="info" if timed else "error") as pipe:
        while True:
            buf = pipe.read(frame_bytes)
            if len(buf) < frame_bytes:
                break  # end of stream (a short tail is a truncated last frame: dropped)
            frame = np.frombuffer(buf, np.uint8).reshape(h, w, BYTES_PER_PIXEL)  # (H, W, 3)
            t = None
            if timed:
                try:
                    ticks = pts.get(timeout=PTS_WAIT_S)
                except queue.Empty:
                    raise FFmpegError(f"decoding '{Path(path).name}' gave a frame without a timestamp",
                                      " ".join(pipe.args), pipe.stderr) from None
                if ticks is None or not time_base:  # no timestamp: one nominal frame after the last
                    t = (last + frame_s) if last is not None else Fraction(start_s or 0).limit_denominator(10**6)
                else:
                    t = ticks * time_base[0]
                if last is not None and t <= last:
                    t = last + Fraction(1, 1_000_000)  # keep the order strict (a repeated pts)
                last = t
            yield t, frame
        pipe.finish()


def even_size(width: int, height: int) -> tuple[int, int]:
    """The encoded size of a ``width`` x ``height`` picture: 4:2:0 needs even sides, so pad by one."""
    return width + width % 2, height + height % 2


class FrameWriter:
    """Encode frames piped from Python into a video-only file (H.264 by default).

    Use as a context manager. ffmpeg writes a temporary file beside ``path``
    that replaces ``path`` only after a clean exit and a successful encode, so
    an existing file there survives a failure. On an exception the encoder is
    killed and the partial file removed.
    """

    def __init__(
        self,
        path: str | Path,
        width: int,
        height: int,
        fps: Fraction,
        *,
        pix_fmt_in: str = "rgb24",
        codec_args: list[str] | None = None,
        color_space: str = "",
        cancel: object | None = None,
        out_size: tuple[int, int] | None = None,
    ) -> None:
        """``out_size``: (width, height, both even) the frames are scaled to (Lanczos) before encoding;
        None keeps them at ``width`` x ``height``."""
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, Fraction(fps)
        # An RGB source (FFV1 bgr0, PNG) says "gbr" or nothing: encode it with the BT.601 matrix it was
        # decoded to RGB with, and tag only matrices a YUV stream can carry (x264 refuses "gbr" in yuv420p).
        matrix = color_space if color_space in YUV_MATRICES else "bt601"
        # Even sides for 4:2:0: pad odd sizes by a black line (a 1x1 source cannot be cropped to even).
        vf = (f"pad=ceil(iw/2)*2:ceil(ih/2)*2,scale=out_color_matrix={matrix}:out_range=tv,format=yuv420p")
        if out_size is not None and tuple(out_size) != (width, height):
            vf = (f"scale={out_size[0]}:{out_size[1]}:flags=lanczos:out_color_matrix={matrix}:out_range=tv,"
                  "format=yuv420p")
        codec = codec_args or ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18"]
        tags = ["-colorspace", color_space] if color_space in YUV_MATRICES else []
        # the same extension, so ffmpeg picks the container from the real name; pid-tagged, so a
        # killed export's leftover is swept by the next run (lecturecut.files.sweep_stale)
        self._part = temp_name(self.path)
        self.args = ["-y", "-f", "rawvideo", "-pix_fmt", pix_fmt_in,
                     "-s", f"{width}x{height}", "-framerate", f"{self.fps.numerator}/{self.fps.denominator}",
                     "-i", "pipe:0", "-vf", vf, *codec, *tags, media_arg(self._part)]
        self.cancel = cancel
        self.frames_written = 0
        self._pipe: FFmpegPipe | None = None

    def __enter__(self) -> "FrameWriter":
        self._pipe = FFmpegPipe(self.args, what="encoding video", write=True, cancel=self.cancel)
        return self

    def write(self, frame: np.ndarray) -> None:
        assert self._pipe is not None
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame of shape {frame.shape} {frame.dtype}; "
                             f"expected ({self.height}, {self.width}, 3) uint8")
        self._pipe.write(np.ascontiguousarray(frame).tobytes())
        self.frames_written += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        pipe = self._pipe
        assert pipe is not None
        try:
            if exc_type is not None:
                pipe.kill()
                return
            pipe.finish()
            os.replace(self._part, self.path)
        finally:
            self._part.unlink(missing_ok=True)
