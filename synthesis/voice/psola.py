"""Joining recorded pieces of speech at pitch marks, then bending their timing and pitch with PSOLA.

Two steps, both on mono float32 at one rate:

- ``join_pieces``: pieces of the source audio are laid end to end. Where both
  sides of a join are voiced, each cut is moved to the nearest glottal pulse
  (Praat's cross-correlation pulses) and the pieces overlap by one pitch period
  with a raised-cosine fade, so glottal cycles line up instead of a half cycle
  being skipped (the click a sample-exact splice gives). Unvoiced joins (noise)
  are aligned by cross-correlation over a few samples and crossfaded.
- ``psola_fit``: Praat's Manipulation and "Get resynthesis (overlap-add)" (PSOLA)
  give every segment its target duration and the whole its target pitch
  contour. PSOLA moves whole pitch periods, so the voice keeps its timbre where
  a phase vocoder would smear it; the new contour also hides the pitch steps
  between pieces taken from different sentences.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

PITCH_FLOOR_HZ, PITCH_CEILING_HZ = 60.0, 500.0  # low male to high female lecturers
TIME_STEP_S = 0.005  # pitch analysis step
MAX_PERIOD_S = 1 / PITCH_FLOOR_HZ  # pulses further apart than this are not one voiced stretch
SNAP_S = 0.006  # a cut moves at most this far to reach a pulse (about half a period of a low voice)
UNVOICED_FADE_S = 0.005  # crossfade of a join in noise
UNVOICED_SHIFT_S = 0.0015  # cross-correlation search around an unvoiced cut
EDGE_FADE_S = 0.003  # fade at the very start and end of the result (no step from/to silence)
MIN_STRETCH, MAX_STRETCH = 0.5, 2.0  # a segment's duration changes at most this much (beyond: sounds processed)
MAX_PITCH_SHIFT_ST = 6.0  # the target contour moves the recorded pitch at most this far
RANDOM_SEED = 20240101  # Praat's generator places pulses in voiceless stretches: seeded for determinism


@dataclass(frozen=True)
class Joined:
    """Pieces laid end to end: the audio, where each piece's nominal start landed, where the joins are."""

    audio: np.ndarray  # float32 mono
    offsets: tuple[int, ...]  # output sample of each piece's nominal source start
    shifts: tuple[int, ...]  # how far (samples) each piece's start cut moved from its nominal source start
    joins: tuple[int, ...]  # output sample of each join (the centre of its crossfade)


def analyse_pitch(audio: np.ndarray, rate: int):
    """Praat's autocorrelation pitch (a ``parselmouth.Pitch``) on the TIME_STEP_S grid."""
    import parselmouth

    snd = parselmouth.Sound(np.asarray(audio, np.float64), sampling_frequency=rate)
    return snd.to_pitch_ac(time_step=TIME_STEP_S, pitch_floor=PITCH_FLOOR_HZ, pitch_ceiling=PITCH_CEILING_HZ)


def pulses(audio: np.ndarray, rate: int, pitch=None) -> np.ndarray:
    """Glottal pulse positions (sample indices, ascending) by Praat's "To PointProcess (cc)"."""
    import parselmouth
    from parselmouth.praat import call

    snd = parselmouth.Sound(np.asarray(audio, np.float64), sampling_frequency=rate)
    points = call([snd, pitch if pitch is not None else analyse_pitch(audio, rate)], "To PointProcess (cc)")
    times = np.asarray(call(points, "To Matrix").values, np.float64).reshape(-1)  # (n,) pulse times, s
    return np.round(times * rate).astype(np.int64)


def _voiced_period(marks: np.ndarray, at: int, rate: int) -> tuple[int, int] | None:
    """(nearest pulse, local period) when ``at`` lies in a voiced stretch, else None."""
    if len(marks) < 2:
        return None
    k = int(np.clip(np.searchsorted(marks, at), 1, len(marks) - 1))
    lo, hi = marks[k - 1], marks[k]
    period = hi - lo
    if period <= 0 or period > MAX_PERIOD_S * rate:
        return None  # a gap between pulses: at is in a voiceless stretch
    nearest = lo if at - lo <= hi - at else hi
    if abs(nearest - at) > SNAP_S * rate:
        return None
    return int(nearest), int(period)


def _best_shift(a: np.ndarray, b: np.ndarray, max_shift: int) -> int:
    """The shift s (|s| <= max_shift) that best aligns b[s:] with a (normalised cross-correlation)."""
    n = len(a)
    best, best_score = 0, -np.inf
    for s in range(-max_shift, max_shift + 1):
        seg = b[max_shift + s: max_shift + s + n]
        denom = float(np.linalg.norm(seg) * np.linalg.norm(a)) or 1.0
        score = float(np.dot(seg, a)) / denom
        if score > best_score:
            best, best_score = s, score
    return best


def join_pieces(source: np.ndarray, pieces: Sequence[tuple[int, int]], marks: np.ndarray, rate: int) -> Joined:
    """``source[a:b]`` for each (a, b) in ``pieces``, joined at pitch marks with short crossfades.

    Each cut moves a few milliseconds at most, so the pieces keep their phones;
    ``offsets`` say where each piece's nominal start landed in the output.
    """
    x = np.asarray(source, np.float32)
    out = np.zeros(0, np.float32)
    offsets: list[int] = []
    shifts: list[int] = []
    joins: list[int] = []
    tail_end = 0  # source sample where the current output ends (within the previous piece)
    for k, (a, b) in enumerate(pieces):
        if k == 0:
            out = x[a:b].copy()
            offsets.append(0)
            shifts.append(0)
            tail_end = b
            continue
        prev_end = tail_end
        va, vb = _voiced_period(marks, prev_end, rate), _voiced_period(marks, a, rate)
        if va is not None and vb is not None:
            # both voiced: cut each side at a pulse, overlap one period centred there
            cut_a, cut_b = va[0], vb[0]
            half = max(min(va[1], vb[1]) // 2, 1)
        else:
            half = int(UNVOICED_FADE_S * rate) // 2
            cut_a = prev_end
            max_shift = int(UNVOICED_SHIFT_S * rate)
            ref = x[max(cut_a - half, 0): cut_a + half]
            window = x[max(a - half - max_shift, 0): a + half + max_shift]
            if len(ref) == 2 * half and len(window) == 2 * (half + max_shift):
                cut_b = a + _best_shift(ref, window, max_shift)
            else:
                cut_b = a
        # keep the overlap inside both pieces and the source
        half = int(max(1, min(half, cut_b, len(x) - cut_a - 1, (b - cut_b) // 2)))
        keep = len(out) - (prev_end - cut_a) + half  # output samples up to cut_a + half
        if keep > len(out):  # the pulse lies just past the piece: the source continues there
            out = np.concatenate([out, x[prev_end: prev_end + keep - len(out)]])
        keep = int(np.clip(keep, 2 * half, len(out)))
        fade_len = 2 * half
        t = (np.arange(fade_len, dtype=np.float32) + 0.5) / fade_len
        fade_in = (0.5 - 0.5 * np.cos(np.pi * t)).astype(np.float32)
        head = out[:keep].copy()
        incoming = x[cut_b - half: b]
        head[keep - fade_len:] = head[keep - fade_len:] * (1 - fade_in) + incoming[:fade_len] * fade_in
        joins.append(keep - half)
        offsets.append(keep - half - (cut_b - a))
        shifts.append(cut_b - a)
        out = np.concatenate([head, incoming[fade_len:]])
        tail_end = b
    n = min(int(EDGE_FADE_S * rate), len(out) // 2)
    if n:
        ramp = (np.arange(n, dtype=np.float32) + 0.5) / n
        out[:n] *= ramp
        out[-n:] *= ramp[::-1]
    return Joined(out.astype(np.float32), tuple(offsets), tuple(shifts), tuple(joins))


def psola_fit(audio: np.ndarray, rate: int, bounds: Sequence[int], stretches: Sequence[float],
              contour_hz: tuple[float, float] | None) -> tuple[np.ndarray, tuple[int, ...]]:
    """PSOLA resynthesis: segment i = audio[bounds[i]:bounds[i+1]] lasts ``stretches[i]`` times as long,
    and the pitch follows ``contour_hz`` (start, end; linear in semitones) where the audio is voiced.

    Returns the new audio and the segment bounds in it. ``contour_hz=None`` keeps the recorded pitch.
    """
    import parselmouth
    from parselmouth.praat import call

    x = np.asarray(audio, np.float64)
    snd = parselmouth.Sound(x, sampling_frequency=rate)
    duration = snd.get_total_duration()
    manip = call(snd, "To Manipulation", TIME_STEP_S * 2, PITCH_FLOOR_HZ, PITCH_CEILING_HZ)
    factors = [float(np.clip(s, MIN_STRETCH, MAX_STRETCH)) for s in stretches]
    eps = 0.5 / rate
    tier = call("Create DurationTier", "target", 0.0, duration)
    for i, s in enumerate(factors):
        t0, t1 = bounds[i] / rate, bounds[i + 1] / rate
        call(tier, "Add point", t0 + eps, s)  # constant inside the segment, a one-sample ramp between
        call(tier, "Add point", max(t1 - eps, t0 + eps), s)
    call([manip, tier], "Replace duration tier")
    if contour_hz is not None:
        recorded = call(manip, "Extract pitch tier")
        target = call("Create PitchTier", "target", 0.0, duration)
        lo, hi = bounds[0] / rate, bounds[-1] / rate
        f_start, f_end = (float(np.log2(f)) for f in contour_hz)
        n = int(call(recorded, "Get number of points"))
        for i in range(1, n + 1):
            t = call(recorded, "Get time from index", i)
            f = call(recorded, "Get value at index", i)
            u = min(max((t - lo) / max(hi - lo, 1e-6), 0.0), 1.0)
            want = 2 ** (f_start + (f_end - f_start) * u)
            limit = 2 ** (MAX_PITCH_SHIFT_ST / 12)
            call(target, "Add point", t, float(np.clip(want, f / limit, f * limit)))
        if n:
            call([manip, target], "Replace pitch tier")
    from .prosody import resynthesize  # the one lock on Praat's process-wide random generator

    result = resynthesize(manip, RANDOM_SEED)
    y = np.asarray(result.values[0], np.float32)  # (n,)
    # where the bounds went: the duration tier is piecewise constant, so each segment scales by its factor
    lengths = np.diff(np.asarray(bounds, np.float64)) * np.asarray(factors)
    new = np.concatenate([[bounds[0] * factors[0]], bounds[0] * factors[0] + np.cumsum(lengths)])
    new *= len(y) / max(new[-1] + (len(x) - bounds[-1]) * factors[-1], 1.0)
    return y, tuple(int(round(v)) for v in new)



JOIN_LPC_ORDER = 16
JOIN_FIT_S = 0.020  # the stretch before a join a linear predictor is fitted to
JOIN_PROBE_S = 0.005  # the stretch after it where a click would show
JOIN_STEP_S = 0.001  # cut candidates this far apart (a fifth of a high voice's pitch period)
_HANN: dict[int, np.ndarray] = {}  # the fit window's taper per length, made once


def join_spike(x: np.ndarray, at: int, rate: int) -> float:
    """How much ``x`` (mono) jumps at ``at``: the largest error, in the ``JOIN_PROBE_S`` after it, of a
    linear predictor fitted to the ``JOIN_FIT_S`` before it, over that predictor's typical error there.

    Speech and room tone run on as predicted (a few units); a splice into a rising onset or onto a
    glottal pulse out of quiet does not (tens). Scale-free, so quiet and loud joins compare alike.
    """
    from scipy.linalg import solve_toeplitz
    from scipy.signal import lfilter

    fit, probe = int(JOIN_FIT_S * rate), int(JOIN_PROBE_S * rate)
    a, b = at - fit, at + probe
    if a < 0 or b > len(x):
        return float("inf")
    seg = np.asarray(x[a:b], np.float64)
    if fit not in _HANN:
        _HANN[fit] = np.hanning(fit)
    w = seg[:fit] * _HANN[fit]
    r = np.array([np.dot(w[:fit - k], w[k:]) for k in range(JOIN_LPC_ORDER + 1)])  # autocorrelation, lags 0..16
    if r[0] <= 0:
        return 0.0
    r[0] *= 1 + 1e-6
    coeffs = solve_toeplitz(r[:JOIN_LPC_ORDER], r[1:JOIN_LPC_ORDER + 1])
    e = lfilter(np.concatenate([[1.0], -coeffs]), [1.0], seg)
    level = max(float(np.sqrt(np.mean(e[JOIN_LPC_ORDER:fit] ** 2))), 1e-4)
    return float(np.max(np.abs(e[fit:])) / level)


def best_cut(x: np.ndarray, centre: int, earlier: int, later: int, rate: int, room: np.ndarray, fade: int,
             fade_out: bool, fade_in: bool, per_sample: float) -> int:
    """Where in ``x`` (mono) to centre a ``fade``-sample equal-power crossfade between ``x`` and ``room``
    (the room tone new speech starts or ends with), near ``centre``, so that the join jumps least.

    ``fade_out``: ``x`` is kept up to the cut and fades into the room tone; ``fade_in``: the room
    tone fades into ``x`` from the cut on; both: the worse of the two counts (an insertion between
    words said as one). Candidates from ``earlier`` samples before ``centre`` to ``later`` after it
    (every ``JOIN_STEP_S``) are scored by :func:`join_spike` plus ``per_sample`` for each sample
    moved from ``centre``; ties go to the nearest. Where speech runs on, the crossfade should not
    start on a glottal pulse or into a rising onset: the best point is found, not assumed.
    """
    from lecturecut.synthesis.render.audio import equal_power  # not at import: render/ imports the voice

    half = max(fade // 2, 1)
    fit, probe = int(JOIN_FIT_S * rate), int(JOIN_PROBE_S * rate)
    fo, fi = equal_power(2 * half)
    step = max(int(JOIN_STEP_S * rate), 1)
    room = np.asarray(room, np.float64)
    if len(room) < fit + probe + 2 * half:
        return int(centre)
    best, best_cost = int(centre), float("inf")
    offsets = sorted(range(-earlier, later + 1, step), key=abs)
    for c in (centre + d for d in offsets):
        if c - half < (fit if fade_out else 0) or c + half + probe > len(x):
            continue
        spikes = []
        if fade_out:  # x until c, then room tone: the mix of the two around c
            y = np.concatenate([x[c - half - fit: c - half], x[c - half: c + half] * fo + room[:2 * half] * fi,
                                room[2 * half: 2 * half + probe]])
            spikes.append(join_spike(y, fit + half, rate))
        if fade_in:  # room tone, then x from c on
            y = np.concatenate([room[:fit], room[fit: fit + 2 * half] * fo + x[c - half: c + half] * fi,
                                x[c + half: c + half + probe]])
            spikes.append(join_spike(y, fit + half, rate))
        cost = max(spikes, default=0.0) + per_sample * abs(c - centre)
        if cost < best_cost - 1e-9:
            best, best_cost = c, cost
    return int(best)
