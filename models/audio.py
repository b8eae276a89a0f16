"""Wav2Lip's audio front-end: 16 kHz mono → normalised 80-band mel spectrogram.

Every constant below is what the public Wav2Lip / SyncNet checkpoints were
trained with (Wav2Lip ``hparams.py`` / ``audio.py``); changing any of them
feeds the networks features they have never seen.
"""

from __future__ import annotations

import functools
from fractions import Fraction

import librosa
import numpy as np

SAMPLE_RATE = 16_000  # Hz
HOP_LENGTH = 200  # samples (12.5 ms)
MEL_FRAMES_PER_SECOND = SAMPLE_RATE // HOP_LENGTH  # 80 mel frames per second
N_FFT = 800  # samples (50 ms)
WIN_LENGTH = N_FFT  # samples, Hann window
N_MELS = 80  # mel bands
FMIN = 55.0  # Hz
FMAX = 7_600.0  # Hz
PREEMPHASIS = 0.97  # y[n] = x[n] - 0.97 * x[n-1]
MIN_LEVEL_DB = -100.0  # dB floor; amplitudes below 10**(-100/20) = 1e-5 are clamped
REF_LEVEL_DB = 20.0  # dB subtracted after conversion
MAX_ABS_VALUE = 4.0  # output range is [-4, 4]
MEL_WINDOW = 16  # mel frames per network input (0.2 s)
MEL_SILENCE = -MAX_ABS_VALUE  # the normalised value of digital silence


@functools.cache
def _mel_basis() -> np.ndarray:
    """(80, 401) Slaney-normalised mel filter bank; built once, it takes ~10 ms."""
    return librosa.filters.mel(sr=SAMPLE_RATE, n_fft=N_FFT, n_mels=N_MELS, fmin=FMIN, fmax=FMAX)


def melspectrogram(wav16k: np.ndarray) -> np.ndarray:
    """16 kHz mono samples (T,) → (80, 1 + T // 200) float32 mel spectrogram in [-4, 4]."""
    wav = np.asarray(wav16k)
    if wav.ndim != 1:
        raise ValueError(f"expected mono samples of shape (T,), got {wav.shape}")
    if not np.issubdtype(wav.dtype, np.floating):
        raise ValueError(f"expected float samples in [-1, 1], got dtype {wav.dtype}")
    # Pre-emphasis in float64, as scipy.signal.lfilter([1, -0.97], [1], wav) did in the original.
    wav = wav.astype(np.float64)
    emphasised = np.empty_like(wav)
    emphasised[:1] = wav[:1]
    emphasised[1:] = wav[1:] - PREEMPHASIS * wav[:-1]
    # Centred STFT with zero padding (librosa >= 0.10's default, pinned here so a
    # future default cannot drift); the training-time librosa padded by
    # reflection, which only changes the first and last two frames.
    spec = librosa.stft(
        y=emphasised, n_fft=N_FFT, hop_length=HOP_LENGTH, win_length=WIN_LENGTH, center=True, pad_mode="constant"
    )  # (401, n_frames) complex
    mel = _mel_basis() @ np.abs(spec)  # (80, n_frames)
    min_level = 10.0 ** (MIN_LEVEL_DB / 20.0)  # 1e-5 amplitude
    db = 20.0 * np.log10(np.maximum(min_level, mel)) - REF_LEVEL_DB
    # Symmetric normalisation: [MIN_LEVEL_DB, 0] dB → [-4, 4], clipped.
    normalised = 2 * MAX_ABS_VALUE * ((db - MIN_LEVEL_DB) / -MIN_LEVEL_DB) - MAX_ABS_VALUE
    return np.clip(normalised, -MAX_ABS_VALUE, MAX_ABS_VALUE).astype(np.float32)


def mel_window_for_frame(mel: np.ndarray, frame_index: int, fps: float | Fraction) -> np.ndarray:
    """The (80, 16) mel window that drives video frame ``frame_index`` at ``fps``.

    The window starts at mel frame int(i * 80 / fps), as in Wav2Lip's
    inference; windows that would run past the end use the last 16 frames.
    Pass ``fps`` as a Fraction (e.g. Fraction(30000, 1001)) for exact starts.
    (Wav2Lip computed ``int(i * (80. / fps))``, whose float rounding can land
    one mel frame early, e.g. frame 3 at 30 fps gives 7 instead of 8; the
    difference is 12.5 ms, well below what the model can resolve.)
    A clip shorter than 0.2 s is padded with silence on the right rather than
    failing, since a short synthesised word is a legitimate input.
    """
    if mel.ndim != 2 or mel.shape[0] != N_MELS:
        raise ValueError(f"expected a mel spectrogram of shape ({N_MELS}, T), got {mel.shape}")
    if frame_index < 0:
        raise ValueError(f"frame_index must be >= 0, got {frame_index}")
    if fps <= 0:
        raise ValueError(f"fps must be > 0, got {fps}")
    n_frames = mel.shape[1]
    if n_frames < MEL_WINDOW:
        pad = np.full((N_MELS, MEL_WINDOW - n_frames), MEL_SILENCE, dtype=mel.dtype)
        return np.concatenate([mel, pad], axis=1)  # (80, 16)
    start = int(frame_index * MEL_FRAMES_PER_SECOND / fps)
    start = min(start, n_frames - MEL_WINDOW)
    return mel[:, start : start + MEL_WINDOW]  # (80, 16)
