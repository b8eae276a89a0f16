"""Make a generic TTS voice sit in the lecture: the lecturer's loudness, spectral colour and room.

It does not make the voice the lecturer's (that is why such an edit is flagged
"generic voice"); it removes the three differences that make a pasted-in
studio voice jump out of a lecture recording:

- loudness: the TTS speech is gained to the integrated loudness (ITU-R BS.1770,
  via pyloudnorm) of the lecturer's neighbouring speech; clips too short for
  BS.1770's 400 ms blocks use the RMS of their voiced frames instead;
- spectral colour: a smooth EQ, the ratio of the two long-term average spectra
  over voiced frames, each smoothed over a third of an octave, limited to
  ±``MAX_EQ_DB``, applied as a linear-phase FIR (no phase smearing of
  consonants) with its delay removed, so every sample stays where it was;
- room: the lecture's own room tone (its quietest stretches, or the stretches the
  caller passes) is looped under the speech at its own level, so the new audio
  has the same noise floor and never a digitally silent edge.

Everything is a pure function of its inputs (no random noise), so a span made
twice is the same span.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve, firwin2

FRAME_S = 0.02  # level-analysis frames
VOICED_BELOW_PEAK_DB = 35.0  # a frame within this of the loud (95th percentile) frames is speech...
VOICED_ABOVE_FLOOR_DB = 10.0  # ...and at least this far above the noise floor
FLOOR_PERCENTILE = 10.0  # the noise floor: this percentile of frame levels (lectures pause often)
ROOM_ABOVE_FLOOR_DB = 3.0  # frames at most this far above the floor are room tone...
ROOM_BELOW_FLOOR_DB = 6.0  # ...and at most this far below it (a file's faded or encoder-primed start is not the room)
ROOM_XFADE_S = 0.01  # crossfade between looped room-tone pieces (no clicks at the joins)
MIN_VOICED_S = 0.2  # less voiced speech than this in either signal: no EQ (a spectrum of noise would mislead)
LTAS_WINDOW_S = 0.046  # spectrum analysis window (2048 samples at 44.1/48 kHz, 1024 at 22.05 kHz)
SMOOTH_OCTAVES = 1.0 / 3.0  # the EQ curve's resolution: coarse enough to follow colour, not formants
MAX_EQ_DB = 12.0  # never boost or cut any band by more than this
EQ_LOW_HZ = 60.0  # below this the EQ holds its 60 Hz gain (rumble and hum are not colour)
EQ_HIGH_HZ = 16_000.0  # above this (or 95 % of Nyquist) it holds its last gain
EQ_EMPTY_BELOW_PEAK_DB = 60.0  # bands where the TTS has (almost) nothing are left alone: boosting them adds hiss
EQ_FIR_S = 0.02  # linear-phase FIR length (961 taps at 48 kHz): ~50 Hz resolution, enough for 1/3 octave
MAX_GAIN_DB = 40.0  # a loudness gain beyond this means one side is silence, not speech
PEAK_CEILING = 0.99  # the matched speech never clips; if it would, it is turned down (loudness then falls short)
LOUDNESS_ITERATIONS = 2  # re-measurements with the room tone mixed in (converges to < 0.05 LU)
BS1770_MIN_S = 0.4  # pyloudnorm's gating block: shorter audio has no integrated loudness
SILENCE_DB = -100.0


@dataclass(frozen=True)
class MatchPlan:
    """What :func:`match_to_speaker` does to the TTS audio (kept for the span's record)."""

    rate: int  # Hz of both signals
    gain_db: float  # loudness gain applied after the EQ
    reference_loudness: float  # LUFS (or dBFS active RMS when ``loudness_unit == "dBFS"``)
    tts_loudness: float  # the EQ'd TTS before the gain, same unit
    loudness_unit: str  # "LUFS" or "dBFS"
    eq_hz: tuple[float, ...]  # the EQ curve's frequencies (Hz)...
    eq_db: tuple[float, ...]  # ...and gains (dB); all zero when either signal had too little speech
    room_db: float  # RMS of the room tone mixed under the speech, dBFS (SILENCE_DB if the lecture had none)
    peak_limited: bool  # True when the gain was lowered to keep the peak under PEAK_CEILING


def _db(power: np.ndarray | float) -> np.ndarray | float:
    return 10.0 * np.log10(np.maximum(power, 1e-20))


def _frames(x: np.ndarray, frame: int) -> np.ndarray:
    n = len(x) // frame
    return x[: n * frame].reshape(n, frame)  # (n_frames, frame)


def frame_levels(x: np.ndarray, rate: int) -> np.ndarray:
    """RMS level of each ``FRAME_S`` frame, dBFS: ``(n_frames,)``."""
    frames = _frames(np.asarray(x, np.float64), max(1, int(FRAME_S * rate)))
    return _db(np.mean(frames**2, axis=1)) if len(frames) else np.zeros(0)


def noise_floor_db(x: np.ndarray, rate: int) -> float:
    levels = frame_levels(x, rate)
    return float(np.percentile(levels, FLOOR_PERCENTILE)) if len(levels) else SILENCE_DB


def voiced_mask(levels: np.ndarray) -> np.ndarray:
    """Frames that are speech: near the loud frames and clearly above the floor."""
    if len(levels) == 0:
        return np.zeros(0, bool)
    loud = np.percentile(levels, 95)
    floor = np.percentile(levels, FLOOR_PERCENTILE)
    return (levels > loud - VOICED_BELOW_PEAK_DB) & (levels > floor + VOICED_ABOVE_FLOOR_DB) & (levels > SILENCE_DB)


def active_rms_db(x: np.ndarray, rate: int) -> float:
    """RMS over the voiced frames, dBFS (the loudness measure for clips shorter than BS.1770's block)."""
    levels = frame_levels(x, rate)
    mask = voiced_mask(levels)
    if not mask.any():
        return SILENCE_DB
    return float(_db(np.mean(10 ** (levels[mask] / 10))))


def loudness(x: np.ndarray, rate: int) -> tuple[float, str]:
    """(loudness, unit): BS.1770 integrated loudness in LUFS, or active RMS in dBFS for short clips."""
    if len(x) >= int(BS1770_MIN_S * rate) + 1:
        import pyloudnorm

        value = pyloudnorm.Meter(rate).integrated_loudness(np.asarray(x, np.float64))
        if np.isfinite(value):
            return float(value), "LUFS"
    return active_rms_db(x, rate), "dBFS"


def _measure(x: np.ndarray, rate: int, unit: str) -> float:
    return loudness(x, rate)[0] if unit == "LUFS" else active_rms_db(x, rate)


def ltas(x: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, float]:
    """Long-term average power spectrum over voiced frames: (freqs Hz (k,), power (k,), voiced seconds)."""
    nfft = 1 << int(np.ceil(np.log2(LTAS_WINDOW_S * rate)))
    hop = nfft // 2
    x = np.asarray(x, np.float64)
    freqs = np.fft.rfftfreq(nfft, 1.0 / rate)
    if len(x) < nfft:
        return freqs, np.zeros(len(freqs)), 0.0
    starts = np.arange(0, len(x) - nfft + 1, hop)
    frames = np.stack([x[s:s + nfft] for s in starts])  # (n_frames, nfft)
    levels = _db(np.mean(frames**2, axis=1))
    mask = voiced_mask(levels)
    if not mask.any():
        return freqs, np.zeros(len(freqs)), 0.0
    spectra = np.abs(np.fft.rfft(frames[mask] * np.hanning(nfft), axis=1)) ** 2  # (n_voiced, k)
    return freqs, spectra.mean(axis=0), float(mask.sum() * hop / rate)


def smooth_octave(freqs: np.ndarray, power: np.ndarray, octaves: float = SMOOTH_OCTAVES) -> np.ndarray:
    """Each bin's power averaged over ``octaves`` centred on it (constant-Q smoothing)."""
    cum = np.concatenate([[0.0], np.cumsum(power)])
    step = freqs[1] - freqs[0]
    half = 2 ** (octaves / 2)
    lo = np.clip(np.floor(freqs / half / step).astype(int), 0, len(power) - 1)
    hi = np.clip(np.ceil(freqs * half / step).astype(int), 0, len(power) - 1)
    hi = np.maximum(hi, lo)
    return (cum[hi + 1] - cum[lo]) / (hi - lo + 1)


def eq_curve(tts: np.ndarray, reference: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The EQ (freqs Hz, gain dB) that gives the voice of ``tts`` the reference's long-term spectral colour.

    ``tts`` is best a long passage of the TTS voice (``voice_sample``), not the few words of the
    edit: a single word's spectrum is its phonemes' ("photosynthesis" is mostly fricatives), and
    an EQ fitted to it would flatten the word instead of recolouring the voice.
    """
    freqs, p_tts, s_tts = ltas(tts, rate)
    _, p_ref, s_ref = ltas(reference, rate)
    if s_tts < MIN_VOICED_S or s_ref < MIN_VOICED_S:
        return freqs, np.zeros(len(freqs))
    t_db, r_db = _db(smooth_octave(freqs, p_tts)), _db(smooth_octave(freqs, p_ref))
    # Only the shape matters (loudness is matched separately): remove the mean ratio over the speech band.
    ratio = r_db - t_db
    high = min(EQ_HIGH_HZ, 0.95 * rate / 2)
    band = (freqs >= EQ_LOW_HZ) & (freqs <= high)
    gain = ratio - np.average(ratio[band], weights=smooth_octave(freqs, p_ref)[band])
    gain[t_db < t_db[band].max() - EQ_EMPTY_BELOW_PEAK_DB] = 0.0
    gain = np.interp(freqs, freqs[band], gain[band])  # hold the edge gains outside the band
    return freqs, np.clip(gain, -MAX_EQ_DB, MAX_EQ_DB)


def apply_eq(x: np.ndarray, rate: int, freqs: np.ndarray, gain_db: np.ndarray) -> np.ndarray:
    """Linear-phase FIR with the given magnitude response; output aligned with and as long as ``x``."""
    if not np.any(gain_db):
        return np.asarray(x, np.float64)
    taps = 2 * int(EQ_FIR_S * rate / 2) + 1  # odd: a type-I linear-phase filter, delay taps // 2
    h = firwin2(taps, freqs / (rate / 2), 10 ** (gain_db / 20), window="hann")
    return fftconvolve(np.asarray(x, np.float64), h)[taps // 2: taps // 2 + len(x)]


def room_material(reference: np.ndarray, rate: int) -> np.ndarray:
    """The reference's quietest frames (within ROOM_ABOVE_FLOOR_DB of its floor), joined in order."""
    frame = max(1, int(FRAME_S * rate))
    levels = frame_levels(reference, rate)
    if len(levels) == 0:
        return np.zeros(0)
    floor = np.percentile(levels, FLOOR_PERCENTILE)
    quiet = (levels <= floor + ROOM_ABOVE_FLOOR_DB) & (levels >= floor - ROOM_BELOW_FLOOR_DB)
    return np.concatenate([reference[i * frame:(i + 1) * frame] for i in np.flatnonzero(quiet)]).astype(np.float64)


def loop_room(room: np.ndarray, n: int, rate: int) -> np.ndarray:
    """``n`` samples of room tone: ``room`` repeated with equal-power crossfades at the joins."""
    if n <= 0 or len(room) == 0:
        return np.zeros(max(n, 0))
    fade = min(int(ROOM_XFADE_S * rate), len(room) // 4)
    if fade == 0 or len(room) >= n:
        return np.resize(room, n).astype(np.float64)
    ramp = np.sin(np.linspace(0, np.pi / 2, fade)) ** 2  # fade-in; its complement fades out
    out = np.zeros(n + len(room))
    at, step = 0, len(room) - fade
    piece = room.astype(np.float64).copy()
    while at < n:
        seg = piece.copy()
        if at > 0:
            seg[:fade] *= np.sqrt(ramp)
            out[at:at + fade] *= np.sqrt(1 - ramp)
        out[at:at + len(seg)] += seg
        at += step
    return out[:n]


def plan_match(tts_audio: np.ndarray, rate: int, reference_audio: np.ndarray,
               room_tone: np.ndarray | None = None,
               voice_sample: np.ndarray | None = None) -> tuple[MatchPlan, np.ndarray]:
    """The plan and the matched audio (``(n,)`` float32 @ rate, as long as ``tts_audio``)."""
    tts = np.asarray(tts_audio, np.float64).reshape(-1)
    reference = np.asarray(reference_audio, np.float64).reshape(-1)
    colour = tts if voice_sample is None else np.asarray(voice_sample, np.float64).reshape(-1)
    freqs, eq_db = eq_curve(colour, reference, rate)
    shaped = apply_eq(tts, rate, freqs, eq_db)
    ref_loud, unit = loudness(reference, rate)
    tts_loud, tts_unit = loudness(shaped, rate)
    if tts_unit != unit:  # one clip too short for BS.1770: compare both by active RMS
        ref_loud, tts_loud, unit = active_rms_db(reference, rate), active_rms_db(shaped, rate), "dBFS"
    room = room_material(reference, rate) if room_tone is None else np.asarray(room_tone, np.float64).reshape(-1)
    under = loop_room(room, len(tts), rate)
    room_db = float(_db(np.mean(room**2))) if len(room) else SILENCE_DB
    peak = float(np.max(np.abs(shaped))) if len(shaped) else 0.0
    gain_db, limited = 0.0, False
    if ref_loud > SILENCE_DB and tts_loud > SILENCE_DB:
        gain_db = ref_loud - tts_loud
        # Measured again with the room under it: the room tone lifts the pauses over BS.1770's absolute
        # gate, which lowers its relative gate and so the measured loudness (by ~0.5 LU for one word).
        for _ in range(LOUDNESS_ITERATIONS):
            now = _measure(shaped * 10 ** (gain_db / 20) + under, rate, unit)
            gain_db += ref_loud - now
        gain_db = float(np.clip(gain_db, -MAX_GAIN_DB, MAX_GAIN_DB))
        limited = peak * 10 ** (gain_db / 20) > PEAK_CEILING
        if limited:
            gain_db = float(20 * np.log10(PEAK_CEILING / peak))
    out = shaped * 10 ** (gain_db / 20) + under
    plan = MatchPlan(rate, gain_db, ref_loud, tts_loud, unit, tuple(float(f) for f in freqs),
                     tuple(float(g) for g in eq_db), room_db, bool(limited))
    return plan, np.clip(out, -1.0, 1.0).astype(np.float32)


def match_to_speaker(tts_audio: np.ndarray, rate: int, reference_audio: np.ndarray,
                     room_tone: np.ndarray | None = None, voice_sample: np.ndarray | None = None) -> np.ndarray:
    """``tts_audio`` (mono @ rate) with the loudness, spectral colour and room of ``reference_audio``.

    ``reference_audio``: the lecturer's neighbouring speech (mono, same rate; a few seconds
    around the edit, pauses included). ``room_tone``: the lecture's room tone (e.g. the voice
    corpus's quiet stretches) to loop under the speech; by default the reference's quietest frames.
    ``voice_sample``: the same TTS voice saying a long passage (:data:`tts.CALIBRATION_TEXT`),
    whose spectrum the EQ compares with the lecturer's; by default ``tts_audio`` itself.
    """
    return plan_match(tts_audio, rate, reference_audio, room_tone, voice_sample)[1]
