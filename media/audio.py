"""Audio decoding to float32 numpy arrays, at any rate."""

from __future__ import annotations

import os

import numpy as np

from .errors import MediaError
from .ffmpeg import run_capture
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
    args += ["-i", str(path)]
    if duration_s is not None:
        args += ["-t", f"{duration_s:.6f}"]
    args += ["-map", f"0:{info.audio.index}", "-vn", "-sn", "-dn",
             "-ac", str(channels), "-ar", str(sample_rate), "-f", "f32le", "-acodec", "pcm_f32le", "pipe:1"]
    raw = run_capture("ffmpeg", args, what="decoding audio", cancel=cancel)
    samples = np.frombuffer(raw, dtype="<f4").copy()
    if channels > 1:
        samples = samples[: len(samples) - len(samples) % channels].reshape(-1, channels)  # (n, ch)
    return samples
