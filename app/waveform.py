"""Waveform peaks for the timeline: one sequential decode of the first audio track, in blocks.

Qt-free; the window runs ``waveform_peaks`` in a worker thread (it mostly waits on ffmpeg).
"""

from __future__ import annotations

import os

import numpy as np

from lecturecut.core import CancelToken, ProgressFn, no_progress

PEAKS_PER_S = 100  # waveform resolution: one peak per 10 ms is finer than any timeline zoom we draw
PEAK_DECODE_RATE = 8_000  # Hz; enough to see speech energy, a quarter of the bytes of 16 kHz
PEAK_BLOCK_SAMPLES = 1 << 18  # one sequential decode, 33 s blocks: memory stays ~1 MB


def waveform_peaks(path: str | os.PathLike[str], duration_s: float, progress: ProgressFn | None = None,
                   cancel: CancelToken | None = None) -> np.ndarray:
    """Peak amplitude per 1/PEAKS_PER_S s of the first audio track, float32 in [0, 1], shape (n,)."""
    from lecturecut.media.audio import stream_audio

    progress = progress or no_progress
    hop = PEAK_DECODE_RATE // PEAKS_PER_S  # samples per peak
    total = max(duration_s * PEAK_DECODE_RATE, 1.0)
    out: list[np.ndarray] = []
    rest = np.zeros(0, np.float32)  # samples of an unfinished peak carried to the next block
    done = 0
    for block in stream_audio(path, PEAK_DECODE_RATE, 1, block_samples=PEAK_BLOCK_SAMPLES, cancel=cancel):
        x = np.concatenate([rest, block[:, 0]])
        n = len(x) // hop * hop
        if n:
            out.append(np.abs(x[:n]).reshape(-1, hop).max(axis=1))  # (n/hop,)
        rest = x[n:]
        done += len(block)
        progress(min(done / total, 1.0), "Drawing the waveform")
    peaks = np.concatenate(out) if out else np.zeros(0, np.float32)
    return peaks.astype(np.float32)
