"""Fit a reused unit to where it goes: its length, its pitch contour and its loudness.

Time and pitch are changed together by PSOLA (Praat's overlap-add
resynthesis of a Manipulation, via parselmouth): it moves whole pitch periods,
so the voice keeps its timbre, where a phase vocoder smears it. Changes are
kept moderate (the limits below): a recorded word bent further than that
sounds processed, and a better-fitting occurrence or a unit-built word is the
better answer. A change too small to hear leaves the recording untouched
(bit-exact but for the gain).
"""

from __future__ import annotations

import math
import threading
from dataclasses import dataclass

import numpy as np

MAX_STRETCH = 1.25  # a unit becomes at most 25 % longer or shorter (1 / MAX_STRETCH)
MAX_PITCH_SHIFT_ST = 3.0  # semitones up or down, at either end of the contour
MAX_GAIN_DB = 6.0  # loudness matched within this
MIN_STRETCH = 1.03  # closer to 1 than this (and ...)
MIN_PITCH_SHIFT_ST = 0.5  # ... less pitch change than this) is not worth a resynthesis
PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 60.0, 500.0  # the analysis range (as the corpus measures)
TIME_STEP_S = 0.01
RANDOM_SEED = 1  # Praat's random pulses in voiceless parts, made repeatable
_PRAAT_RANDOM = threading.Lock()


def resynthesize(manip, seed: int = RANDOM_SEED):
    """Praat's overlap-add resynthesis of a Manipulation, repeatable.

    Praat places pulses in voiceless stretches at random (so they do not buzz): its generator is
    seeded so the same edit gives the same samples (the cache and the tests rely on it), then
    handed back unpredictable. The generator is process-wide, so every resynthesis in the voice
    engine goes through this one lock.
    """
    import parselmouth

    with _PRAAT_RANDOM:
        parselmouth.praat.run(f"random_initializeWithSeedUnsafelyButPredictably ({seed})")
        try:
            return parselmouth.praat.call(manip, "Get resynthesis (overlap-add)")
        finally:
            parselmouth.praat.run("random_initializeSafelyAndUnpredictably ()")


@dataclass(frozen=True)
class Fit:
    """The modification applied to one unit (what the record says was done to it)."""

    stretch: float  # new duration / recorded duration
    pitch_start_st: float  # semitones applied at the unit's start and end (linear between)
    pitch_end_st: float
    gain_db: float
    resynthesized: bool  # False: the recorded samples, only scaled

    def to_json(self) -> dict:
        return {"stretch": round(self.stretch, 4), "pitch_start_st": round(self.pitch_start_st, 3),
                "pitch_end_st": round(self.pitch_end_st, 3), "gain_db": round(self.gain_db, 3),
                "resynthesized": self.resynthesized}

    @staticmethod
    def from_json(d: dict) -> "Fit":
        return Fit(float(d["stretch"]), float(d["pitch_start_st"]), float(d["pitch_end_st"]), float(d["gain_db"]),
                   bool(d["resynthesized"]))


def _clamp(x: float, lo: float, hi: float) -> float:
    return min(max(x, lo), hi)


def plan_fit(recorded_rate: float, target_rate: float, recorded_f0_start: float, recorded_f0_end: float,
             target_f0_start: float, target_f0_end: float, recorded_db: float, target_db: float) -> Fit:
    """The moderate modification that brings a unit toward its target (rates in letters/s, F0 in Hz)."""
    stretch = _clamp(recorded_rate / target_rate if target_rate > 0 and recorded_rate > 0 else 1.0,
                     1 / MAX_STRETCH, MAX_STRETCH)

    def shift(rec: float, tgt: float) -> float:
        if rec <= 0 or tgt <= 0:
            return 0.0
        return _clamp(12 * math.log2(tgt / rec), -MAX_PITCH_SHIFT_ST, MAX_PITCH_SHIFT_ST)

    p0, p1 = shift(recorded_f0_start, target_f0_start), shift(recorded_f0_end, target_f0_end)
    if p0 == 0.0 and recorded_f0_start <= 0:
        p0 = p1
    if p1 == 0.0 and recorded_f0_end <= 0:
        p1 = p0
    gain = float(_clamp(target_db - recorded_db, -MAX_GAIN_DB, MAX_GAIN_DB))
    audible = (abs(math.log(stretch)) >= math.log(MIN_STRETCH)
               or max(abs(p0), abs(p1)) >= MIN_PITCH_SHIFT_ST)
    if not audible:
        return Fit(1.0, 0.0, 0.0, gain, False)
    return Fit(stretch, p0, p1, gain, True)


def apply_fit(x: np.ndarray, rate: int, fit: Fit, body: tuple[int, int]) -> np.ndarray:
    """``x`` (mono float32 @ ``rate``) modified by ``fit``; ``body`` = the samples of ``x`` that are the
    word itself (margins around it are stretched alike, so the word stays where the record says)."""
    gain = np.float32(10 ** (fit.gain_db / 20))
    if not fit.resynthesized:
        return (np.asarray(x, np.float32) * gain).astype(np.float32)
    import parselmouth
    from parselmouth.praat import call

    snd = parselmouth.Sound(np.asarray(x, np.float64), sampling_frequency=rate)
    manip = call(snd, "To Manipulation", TIME_STEP_S, PITCH_FLOOR_HZ, PITCH_CEILING_HZ)
    duration = snd.get_total_duration()
    t0, t1 = body[0] / rate, body[1] / rate
    if fit.pitch_start_st or fit.pitch_end_st:
        tier = call(manip, "Extract pitch tier")
        new = call("Create PitchTier", "target", 0.0, duration)
        for i in range(1, int(call(tier, "Get number of points")) + 1):
            t = call(tier, "Get time from index", i)
            f = call(tier, "Get value at index", i)
            u = _clamp((t - t0) / max(t1 - t0, 1e-6), 0.0, 1.0)
            st = fit.pitch_start_st + (fit.pitch_end_st - fit.pitch_start_st) * u
            call(new, "Add point", t, f * 2 ** (st / 12))
        if int(call(tier, "Get number of points")):
            call([manip, new], "Replace pitch tier")
    if fit.stretch != 1.0:
        dur = call("Create DurationTier", "target", 0.0, duration)
        call(dur, "Add point", 0.0, fit.stretch)
        call([manip, dur], "Replace duration tier")
    out = resynthesize(manip)
    y = np.asarray(out.values[0], np.float32)  # (n,)
    return (y * gain).astype(np.float32)
