"""Audio decoding to float32 numpy arrays, at any rate."""

from __future__ import annotations

import os
from typing import Iterator

import numpy as np

from .errors import MediaError
from .ffmpeg import FFmpegPipe, media_arg, run_capture
from .probe import probe


def decode_audio(
    path: str | os.PathLike[str],
    sample_rate: int = 16_000,
    channels: int = 1,
    *,
    start_s: float | None = None,
    duration_s: float | None = None,
    cancel: object | None = None,
) -> np.ndarray:
    """Decode the first audio stream to float32 in [-1, 1].

    Returns shape ``(n,)`` for mono, ``(n, channels)`` otherwise. Raises
    MediaError when the file has no audio track.
    """
    info = probe(path)
    if info.audio is None:
        raise MediaError(
            f"'{os.path.basename(str(path))}' has no audio track, so there is nothing to transcribe. "
            "Choose the recording with sound, or add the audio in a video editor first."
        )
    args: list[str] = ["-v", "error"]
    if start_s is not None:
        args += ["-ss", f"{start_s:.6f}"]
    args += ["-i", media_arg(path)]
    if duration_s is not None:
        args += ["-t", f"{duration_s:.6f}"]
    args += ["-map", f"0:{info.audio.index}", "-vn", "-sn", "-dn",
             "-ac", str(channels), "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    raw = run_capture("ffmpeg", args, what="decoding audio", cancel=cancel)
    samples = np.frombuffer(raw, dtype="<f4").copy()
    if channels > 1:
        samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels)  # (n, ch)
    return samples


def read_range(path: str | os.PathLike[str], rate: int, start: int, end: int) -> np.ndarray:
    """Mono samples ``[start, end)`` at ``rate``, exactly ``end - start`` long.

    Before the first sample and past the last one is silence, so callers
    (cut planning reads the pauses around each cut) can index without edge cases.
    """
    pad = max(0, -start)
    lo = max(start, 0)
    if end <= lo:
        return np.zeros(max(end - start, 0), np.float32)
    x = decode_audio(path, rate, 1, start_s=lo / rate, duration_s=(end - lo) / rate)
    x = np.pad(x[: end - lo], (0, max(0, end - lo - len(x))))  # (end - lo,)
    return np.concatenate([np.zeros(pad, np.float32), x])


def stream_audio(
    path: str | os.PathLike[str],
    sample_rate: int,
    channels: int,
    *,
    block_samples: int = 1 << 16,
    cancel: object | None = None,
) -> Iterator[np.ndarray]:
    """Decode the whole first audio stream sequentially, in blocks of ``(n, channels)`` float32.

    One decoder for the whole file: sample-continuous by construction, so a
    consumer can cut it anywhere without seek artefacts, in constant memory.
    """
    info = probe(path)
    if info.audio is None:
        raise MediaError(f"'{os.path.basename(str(path))}' has no audio track.")
    args = ["-i", media_arg(path), "-map", f"0:{info.audio.index}", "-vn", "-sn", "-dn", "-ac", str(channels),
            "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    yield from _pcm_blocks(args, channels, block_samples, cancel)


def stream_audio_from(path: str | os.PathLike[str], rate: int, channels: int, start: int, *, cancel=None,
                      block_samples: int = 1 << 16) -> Iterator[np.ndarray]:
    """:func:`~lecturecut.media.audio.stream_audio` from source sample ``start`` on.

    The same sequential decode, so sample ``start + i`` is the very sample the whole-file decoder
    gives there: ffmpeg counts and drops what lies before ``start`` (atrim by sample count) instead of
    piping it here. (Seeking would be faster, but lands a sample or a few off in MP4 files with edit
    lists, a different mix at every crossfade; decoding to minute 50 of an AAC track takes seconds.)
    """
    if start <= 0:
        return stream_audio(path, rate, channels, block_samples=block_samples, cancel=cancel)
    return _stream_after(path, rate, channels, start, cancel, block_samples)


def _stream_after(path, rate: int, channels: int, start: int, cancel, block_samples: int) -> Iterator[np.ndarray]:
    info = probe(path)
    if info.audio is None:
        raise MediaError(f"'{os.path.basename(os.fspath(path))}' has no audio track.")
    if info.audio.sample_rate != rate:  # atrim counts the source's samples: drop them here instead
        skip = start
        for block in stream_audio(path, rate, channels, block_samples=block_samples, cancel=cancel):
            if skip < len(block):
                yield block[skip:]
            skip = max(skip - len(block), 0)
        return
    args = ["-i", media_arg(path), "-map", f"0:{info.audio.index}", "-vn", "-sn", "-dn",
            "-af", f"atrim=start_sample={start}", "-ac", str(channels), "-ar", str(rate),
            "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    yield from _pcm_blocks(args, channels, block_samples, cancel)


def _pcm_blocks(args: list[str], channels: int, block_samples: int, cancel) -> Iterator[np.ndarray]:
    """Run ffmpeg with ``args`` (ending in f32le on stdout) and yield its samples in ``(n, channels)`` blocks."""
    frame_bytes = 4 * channels
    with FFmpegPipe(args, what="decoding audio", read=True, cancel=cancel) as pipe:
        while True:
            buf = pipe.read(block_samples * frame_bytes)
            buf = buf[: len(buf) - len(buf) % frame_bytes]
            if not buf:
                break
            yield np.frombuffer(buf, dtype="<f4").reshape(-1, channels)  # (n, ch)
        pipe.finish()
