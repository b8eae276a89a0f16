"""Streamed frame reading and writing through ffmpeg pipes: never a whole video in memory."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import uuid
from fractions import Fraction
from pathlib import Path
from typing import Iterator

import numpy as np

from lecturecut.core import Cancelled

from .errors import FFmpegError
from .ffmpeg import WRITE_FAILURE_MARKERS, cmdline, ffmpeg_path

log = logging.getLogger(__name__)

BYTES_PER_PIXEL = 3  # rgb24 / bgr24


def _drain(stream, sink: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(65536), b""):
        sink.append(chunk)
        del sink[:-64]  # keep only the tail of a long stderr


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
    from .probe import probe

    info = probe(path)
    if info.video is None:
        raise FFmpegError(f"'{Path(path).name}' has no video stream")
    w, h = info.video.width, info.video.height
    if info.video.rotation in (90, 270):  # ffmpeg applies the display matrix when decoding
        w, h = h, w
    w, h = size or (w, h)
    vf = [f"select=gte(n\\,{start_frame})"] if start_frame else []
    if size:
        vf.append(f"scale={w}:{h}")
    args = [ffmpeg_path(), "-v", "error", "-nostdin", "-i", str(path), "-map", f"0:{info.video.index}", "-an", "-sn"]
    if vf:
        args += ["-vf", ",".join(vf)]
    if n_frames is not None:
        args += ["-frames:v", str(n_frames)]
    args += ["-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", pix_fmt, "pipe:1"]
    log.info("run: %s", cmdline(args))
    proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err: list[bytes] = []
    t = threading.Thread(target=_drain, args=(proc.stderr, err), daemon=True)
    t.start()
    frame_bytes = w * h * BYTES_PER_PIXEL
    finished = False
    try:
        assert proc.stdout is not None
        while True:
            if cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
                raise Cancelled("reading frames cancelled")
            buf = proc.stdout.read(frame_bytes)
            if len(buf) < frame_bytes:
                break  # end of stream (a short tail is a truncated last frame: dropped)
            yield np.frombuffer(buf, np.uint8).reshape(h, w, BYTES_PER_PIXEL)  # (H, W, 3)
        finished = True
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        t.join()
    if finished and proc.returncode not in (0, None):
        raise FFmpegError(f"decoding '{Path(path).name}' failed", cmdline(args), b"".join(err).decode(errors="replace"))


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
    ) -> None:
        self.path = Path(path)
        self.width, self.height, self.fps = width, height, Fraction(fps)
        matrix = color_space if color_space in ("bt709", "bt470bg", "smpte170m", "bt2020nc") else "bt601"
        # Even dimensions for 4:2:0; the colour matrix must match the one used when decoding to RGB.
        vf = f"crop=trunc(iw/2)*2:trunc(ih/2)*2,scale=out_color_matrix={matrix}:out_range=tv,format=yuv420p"
        codec = codec_args or ["-c:v", "libx264", "-preset", "veryfast", "-crf", "18"]
        tags = ["-colorspace", color_space] if color_space else []
        # the same extension, so ffmpeg picks the container from the real name
        self._part = self.path.with_name(f".{self.path.stem}.{uuid.uuid4().hex[:8]}.part{self.path.suffix}")
        self.args = [ffmpeg_path(), "-v", "error", "-y", "-f", "rawvideo", "-pix_fmt", pix_fmt_in,
                     "-s", f"{width}x{height}", "-framerate", f"{self.fps.numerator}/{self.fps.denominator}",
                     "-i", "pipe:0", "-vf", vf, *codec, *tags, str(self._part)]
        self.frames_written = 0
        self._proc: subprocess.Popen | None = None
        self._err: list[bytes] = []

    def __enter__(self) -> "FrameWriter":
        log.info("run: %s", cmdline(self.args))
        self._proc = subprocess.Popen(self.args, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL,
                                      stderr=subprocess.PIPE)
        self._t = threading.Thread(target=_drain, args=(self._proc.stderr, self._err), daemon=True)
        self._t.start()
        return self

    def write(self, frame: np.ndarray) -> None:
        assert self._proc is not None and self._proc.stdin is not None
        if frame.shape != (self.height, self.width, 3) or frame.dtype != np.uint8:
            raise ValueError(f"frame of shape {frame.shape} {frame.dtype}; expected ({self.height}, {self.width}, 3) uint8")
        try:
            self._proc.stdin.write(np.ascontiguousarray(frame).tobytes())
        except BrokenPipeError:
            self._proc.wait()
            self._t.join()
            raise FFmpegError("the video encoder stopped", cmdline(self.args),
                              b"".join(self._err).decode(errors="replace")) from None
        self.frames_written += 1

    def __exit__(self, exc_type, exc, tb) -> None:
        proc = self._proc
        assert proc is not None and proc.stdin is not None
        if exc_type is not None:
            proc.kill()
            proc.wait()
            self._t.join()
            self._part.unlink(missing_ok=True)
            return
        try:
            proc.stdin.close()
        except BrokenPipeError:  # the encoder already died; its stderr says why
            pass
        proc.wait()
        self._t.join()
        stderr = b"".join(self._err).decode(errors="replace")
        if proc.returncode != 0 or any(marker in stderr for marker in WRITE_FAILURE_MARKERS):
            self._part.unlink(missing_ok=True)
            raise FFmpegError("encoding video failed", cmdline(self.args), stderr)
        os.replace(self._part, self.path)
