"""Words the lecture never says, built from the lecturer's own phones (diphone-style unit selection).

The foundation keeps pocketsphinx's phone timings in every ``Word.phones``.
Each recorded phone is split at its midpoint into two *half-phones*; a word
to build is its pronunciation (``phones.pronounce``) as a sequence of
half-phone targets. A Viterbi search picks one recorded half-phone per target,
minimising

- target costs: how well a unit's phone context (the neighbours it was said
  between), duration, F0 and loudness fit the target, and
- join costs: the spectral (MFCC), F0 and loudness step where two units meet.

Two half-phones that follow each other in the recording cost nothing to join,
so the search prefers long runs of contiguous source audio: a recorded diphone
(second half of one phone + first half of the next) whenever the pair exists,
a whole syllable or word fragment when it does. Joins between runs fall at
phone midpoints, the spectrally stable part of a phone (the classic diphone
join point); a join at a phone boundary costs extra.

The chosen runs are cut at pitch marks and crossfaded (``psola.join_pieces``),
then PSOLA gives every phone its target duration and the word one smooth
pitch contour (``psola.psola_fit``).

Times: an inventory's audio and unit times are samples at ``inventory.rate``
(the phones come from the transcript at ``asr`` 16 kHz and are scaled once);
``BuiltSpeech`` is at the rate asked for.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.asr.transcript import Transcript, normalize_word
from lecturecut.core import LecturecutError, ProgressFn, check_cancel

from . import psola
from .phones import PHONES, SILENCE, pronounce

# --- analysis -------------------------------------------------------------------------------
HOP_S = psola.TIME_STEP_S  # MFCC / energy / F0 frame step (5 ms)
FFT_S = 0.032  # analysis window
N_MFCC = 13  # c0..c12; c0 (loudness) is left out of the spectral join distance
N_MELS = 40
EDGE_FRAMES = 2  # a boundary's spectrum: the mean of this many frames each side of it
ADJACENT_GAP_S = 0.02  # phones closer than this are neighbours (context, contiguous runs); else a pause lies between
SILENCE_DB = -100.0  # RMS floor (digital silence)

# --- target costs (per half-phone; a cost of 1 is about "clearly audible") -------------------
W_CONTEXT_NEAR = 1.0  # wrong neighbour on the side the half-phone touches: coarticulation is wrong
W_CONTEXT_FAR = 0.3  # wrong neighbour on the far side: it still colours the whole phone
SAME_CLASS_CONTEXT = 0.5  # a neighbour of the same class (nasal for nasal) costs half a wrong one
W_DURATION = 0.5  # per unit of |log(duration / target)|: PSOLA fixes duration, but not for free
W_F0 = 0.05  # per semitone from the target contour (PSOLA moves it; large moves sound processed)
W_ENERGY = 0.03  # per dB from the phone's median loudness: avoids whispered or shouted outliers
W_POSITION = 0.3  # a word-initial/final target served by a unit from inside a word, or vice versa

# --- join costs -----------------------------------------------------------------------------
W_SPECTRAL = 0.25  # per unit of RMS MFCC difference (c1..c12, z-scored over the inventory)
W_JOIN_F0 = 0.1  # per semitone of F0 step
W_JOIN_ENERGY = 0.03  # per dB of loudness step
W_VOICING = 1.0  # one side voiced, the other not: a join PSOLA cannot hide
W_BOUNDARY_JOIN = 1.5  # a join at a phone boundary (the spectrum moves fastest there) instead of a midpoint
MAX_CANDIDATES = 80  # half-phones kept per target by target cost (plus the contiguous successors)

FINAL_LENGTHENING = 1.25  # a word said alone lengthens its last phone
CONTOUR_START_ST, CONTOUR_END_ST = 1.0, -2.0  # a word said alone: from above the speaker's median F0 to below

_CLASSES = {
    **{p: "vowel" for p in "AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split()},
    **{p: "stop" for p in "B D G K P T".split()},
    **{p: "fricative" for p in "DH F HH S SH TH V Z ZH".split()},
    **{p: "affricate" for p in "CH JH".split()},
    **{p: "nasal" for p in "M N NG".split()},
    **{p: "approximant" for p in "L R W Y".split()},
    SILENCE: "silence",
}
LABELS = tuple(sorted(PHONES)) + (SILENCE,)
_LABEL_ID = {p: i for i, p in enumerate(LABELS)}
_CLASS_ID = np.array([sorted(set(_CLASSES.values())).index(_CLASSES[p]) for p in LABELS])


class UnitsUnavailable(LecturecutError):
    """The lecture lacks a phone the word needs, so it cannot be built from the lecturer's own sounds."""

    def __init__(self, text: str, missing: tuple[str, ...]) -> None:
        self.text = text
        self.missing = missing
        if missing:
            message = (f"'{text}' cannot be built from this lecture's sounds: it never says the phone"
                       f"{'s' if len(missing) > 1 else ''} {', '.join(missing)}. "
                       "Type a word the lecture says, or record the word.")
        else:
            message = f"'{text}' has nothing to say (no letters or numbers). Type a word."
        super().__init__(message)


@dataclass(frozen=True, eq=False)
class UnitInventory:
    """Every recorded phone of a lecture with what unit selection compares (one row per phone, in time order).

    Features at three points per phone (start, midpoint, end): the two half-phones
    are start->mid and mid->end. Arrays are (n,) unless noted; times are samples
    at ``rate``.
    """

    audio: np.ndarray  # float32 mono @ rate: the source the units point into
    rate: int
    label: np.ndarray  # int: index into LABELS
    left: np.ndarray  # int: label of the neighbour before (SIL after a pause)
    right: np.ndarray  # int: label of the neighbour after
    start: np.ndarray  # int64 samples
    end: np.ndarray  # int64 samples
    source_index: np.ndarray  # int: the phone's position in the whole recording (contiguity survives filtering)
    joined_next: np.ndarray  # bool: the next recorded phone starts where this one ends
    word: np.ndarray  # int: index of its word in the transcript
    word_initial: np.ndarray  # bool
    word_final: np.ndarray  # bool
    mfcc: np.ndarray  # (n, 3, N_MFCC - 1) c1..c12 z-scored, at start / mid / end
    f0: np.ndarray  # (n, 3) Hz at start / mid / end, 0 where unvoiced
    energy: np.ndarray  # (n, 3) dB at start / mid / end
    pulses: np.ndarray  # glottal pulses of ``audio`` (samples), for pitch-synchronous joins
    words: tuple[str, ...]  # normalised text of each transcript word (what ``without`` matches)
    median_f0: float  # the speaker's median F0 (Hz), the centre of default contours
    median_duration: dict[str, int] = field(default_factory=dict)  # per phone label, samples
    median_energy: dict[str, float] = field(default_factory=dict)  # per phone label, dB

    def __len__(self) -> int:
        return len(self.label)

    @property
    def phone_labels(self) -> frozenset[str]:
        return frozenset(LABELS[i] for i in np.unique(self.label))

    def without(self, *words: str) -> "UnitInventory":
        """The inventory minus every phone of every occurrence of ``words`` (hold-out for measuring)."""
        drop = {normalize_word(w) for w in words}
        banned = np.array([w in drop for w in self.words], bool)
        keep = ~banned[self.word] if len(self.word) else np.zeros(0, bool)
        return self._subset(keep)

    def _subset(self, keep: np.ndarray) -> "UnitInventory":
        cut = {name: getattr(self, name)[keep] for name in (
            "label", "left", "right", "start", "end", "source_index", "joined_next", "word",
            "word_initial", "word_final", "mfcc", "f0", "energy")}
        return UnitInventory(audio=self.audio, rate=self.rate, pulses=self.pulses, words=self.words,
                             median_f0=self.median_f0, median_duration=self.median_duration,
                             median_energy=self.median_energy, **cut)


@dataclass(frozen=True)
class BuiltSpeech:
    """A word built from units."""

    text: str
    audio: np.ndarray  # float32 mono @ rate
    rate: int
    phones: tuple[tuple[str, int, int], ...]  # (label, start, end) samples @ rate in ``audio``
    sources: tuple[tuple[int, int], ...]  # source ranges of each contiguous run, samples @ inventory rate
    cost: float  # total Viterbi cost (target + join); lower is better
    joins: tuple[int, ...]  # samples @ rate in ``audio`` where two runs were crossfaded


@dataclass(frozen=True)
class Target:
    """The prosody asked of a built word; None fields use the speaker's own averages."""

    left: str = SILENCE  # the phone said just before the word (context for its first phone)
    right: str = SILENCE  # and just after
    duration_scale: float = 1.0  # >1 slower
    f0_hz: tuple[float, float] | None = None  # pitch contour at the word's start and end


# --- inventory ------------------------------------------------------------------------------

def _mel_filters(rate: int, n_fft: int, n_mels: int) -> np.ndarray:
    """(n_mels, n_fft // 2 + 1) triangular filters on the HTK mel scale, 0 Hz to Nyquist."""
    def mel(f):
        return 2595 * np.log10(1 + np.asarray(f) / 700)

    edges = 700 * (10 ** (np.linspace(0, mel(rate / 2), n_mels + 2) / 2595) - 1)  # Hz
    freqs = np.linspace(0, rate / 2, n_fft // 2 + 1)
    lo, centre, hi = edges[:-2, None], edges[1:-1, None], edges[2:, None]
    rising = (freqs[None, :] - lo) / (centre - lo)
    falling = (hi - freqs[None, :]) / (hi - centre)
    return np.maximum(0, np.minimum(rising, falling))


def _frames(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, int]:
    """MFCC (frames, N_MFCC) and RMS dB (frames,) on a HOP_S grid (frame k centred on sample k * hop).

    Computed here with numpy rather than librosa: importing librosa's feature
    module compiles numba code for tens of seconds, longer than the analysis.
    """
    from scipy.fft import dct

    hop = int(round(HOP_S * rate))
    n_fft = 1 << int(math.ceil(math.log2(FFT_S * rate)))
    x = np.pad(np.asarray(audio, np.float64), n_fft // 2)
    n = 1 + max(len(x) - n_fft, 0) // hop
    idx = np.arange(n_fft)[None, :] + hop * np.arange(n)[:, None]  # (frames, n_fft)
    frames = x[idx]
    rms = np.sqrt(np.mean(frames ** 2, axis=1))
    power = np.abs(np.fft.rfft(frames * np.hanning(n_fft)[None, :], axis=1)) ** 2  # (frames, bins)
    mel = power @ _mel_filters(rate, n_fft, N_MELS).T  # (frames, N_MELS)
    log_mel = 10 * np.log10(np.maximum(mel, 1e-10))
    mfcc = dct(log_mel, type=2, norm="ortho", axis=1)[:, :N_MFCC]  # (frames, N_MFCC)
    db = 20 * np.log10(np.maximum(rms, 10 ** (SILENCE_DB / 20)))
    return mfcc, db, hop


def _pitch_track(pitch) -> tuple[np.ndarray, float]:
    """F0 (Hz, 0 unvoiced) per frame of a parselmouth Pitch on the HOP_S grid, and its first frame's time (s)."""
    return np.asarray(pitch.selected_array["frequency"], np.float64), float(pitch.xs()[0]) if pitch.n_frames else 0.0


def build_inventory(transcript: Transcript, audio: np.ndarray, rate: int = WORD_RATE, *,
                    progress: ProgressFn | None = None, cancel: object | None = None) -> UnitInventory:
    """Every phone of ``transcript`` (its ``Word.phones``) as units in ``audio`` (mono float32 @ ``rate``).

    ``audio`` is the recording the transcript was made from, at any rate (a
    higher one keeps more of the voice than the 16 kHz the phones were found at).
    """
    report = progress or (lambda fraction, message: None)
    x = np.ascontiguousarray(audio, np.float32)
    scale = rate / WORD_RATE
    report(0.0, "Measuring the lecture's phones")
    rows: list[tuple[int, int, int, int, bool, bool]] = []  # label, start, end, word, initial, final
    for w, word in enumerate(transcript.words):
        phones = [p for p in word.phones if p.label in PHONES and p.end > p.start]
        for k, p in enumerate(phones):
            rows.append((_LABEL_ID[p.label], int(round(p.start * scale)), int(round(p.end * scale)), w,
                         k == 0, k == len(phones) - 1))
    check_cancel(cancel)
    n = len(rows)
    label = np.array([r[0] for r in rows], np.int64)
    start = np.array([r[1] for r in rows], np.int64)
    end = np.array([r[2] for r in rows], np.int64)
    gap = int(ADJACENT_GAP_S * rate)
    joined_next = np.zeros(n, bool)
    if n > 1:
        joined_next[:-1] = (start[1:] - end[:-1]) <= gap
    sil = _LABEL_ID[SILENCE]
    left = np.full(n, sil, np.int64)
    right = np.full(n, sil, np.int64)
    left[1:] = np.where(joined_next[:-1], label[:-1], sil)
    right[:-1] = np.where(joined_next[:-1], label[1:], sil)

    mfcc, db, hop = _frames(x, rate)
    check_cancel(cancel)
    report(0.4, "Measuring the lecture's pitch")
    pitch = psola.analyse_pitch(x, rate)
    f0_track, f0_t0 = _pitch_track(pitch)
    check_cancel(cancel)
    report(0.7, "Finding pitch marks")
    marks = psola.pulses(x, rate, pitch)
    mid = (start + end) // 2
    points = np.stack([start, mid, end], axis=1)  # (n, 3)

    voiced_all = f0_track[f0_track > 0]
    median_f0 = float(np.median(voiced_all)) if len(voiced_all) else 0.0
    z_mean, z_std = mfcc[:, 1:].mean(axis=0), mfcc[:, 1:].std(axis=0) + 1e-9
    mfcc_z = (mfcc[:, 1:] - z_mean) / z_std  # (frames, N_MFCC - 1)
    n_frames = len(mfcc_z)
    feats = np.zeros((n, 3, N_MFCC - 1))
    f0 = np.zeros((n, 3))
    energy = np.zeros((n, 3))
    for i in range(n):
        for j in range(3):
            centre = int(points[i, j] // hop)
            # at a boundary: frames just inside the phone, so a unit's edge describes the unit itself
            lo = centre - (0 if j == 0 else EDGE_FRAMES)
            hi = centre + (0 if j == 2 else EDGE_FRAMES)
            lo, hi = max(lo, 0), min(max(hi, lo + 1), n_frames)
            feats[i, j] = mfcc_z[lo:hi].mean(axis=0)
            energy[i, j] = db[lo:hi].mean()
            t = points[i, j] / rate
            k0 = int(round((t - f0_t0) / HOP_S))
            window = f0_track[max(k0 - EDGE_FRAMES, 0): max(k0 + EDGE_FRAMES + 1, 0)]
            voiced = window[window > 0]
            f0[i, j] = float(np.median(voiced)) if len(voiced) else 0.0
    durations: dict[str, list[int]] = {}
    energies: dict[str, list[float]] = {}
    for i in range(n):
        durations.setdefault(LABELS[label[i]], []).append(int(end[i] - start[i]))
        energies.setdefault(LABELS[label[i]], []).append(float(energy[i, 1]))
    report(1.0, "Measured the lecture's phones")
    return UnitInventory(
        audio=x, rate=rate, label=label, left=left, right=right, start=start, end=end,
        source_index=np.arange(n), joined_next=joined_next,
        word=np.array([r[3] for r in rows], np.int64),
        word_initial=np.array([r[4] for r in rows], bool), word_final=np.array([r[5] for r in rows], bool),
        mfcc=feats, f0=f0, energy=energy, pulses=marks, words=tuple(w.norm for w in transcript.words),
        median_f0=median_f0,
        median_duration={k: int(np.median(v)) for k, v in durations.items()},
        median_energy={k: float(np.median(v)) for k, v in energies.items()},
    )


# --- selection ------------------------------------------------------------------------------

@dataclass(frozen=True)
class _HalfTarget:
    label: int
    half: int  # 0: start -> mid, 1: mid -> end
    left: int
    right: int
    duration: float  # samples of the whole phone
    f0: float  # Hz, 0: no preference
    initial: bool  # the word's first phone
    final: bool  # the word's last phone


def _context_cost(have: np.ndarray, want: int) -> np.ndarray:
    same = have == want
    same_class = _CLASS_ID[have] == _CLASS_ID[want]
    return np.where(same, 0.0, np.where(same_class, SAME_CLASS_CONTEXT, 1.0))


def _semitones(a: np.ndarray, b: np.ndarray | float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.abs(12 * np.log2(np.asarray(a) / b))


def _target_cost(inv: UnitInventory, rows: np.ndarray, t: _HalfTarget) -> np.ndarray:
    near, far = (inv.left, inv.right) if t.half == 0 else (inv.right, inv.left)
    near_want, far_want = (t.left, t.right) if t.half == 0 else (t.right, t.left)
    cost = W_CONTEXT_NEAR * _context_cost(near[rows], near_want) + W_CONTEXT_FAR * _context_cost(far[rows], far_want)
    dur = (inv.end[rows] - inv.start[rows]).astype(np.float64)
    cost += W_DURATION * np.abs(np.log(np.maximum(dur, 1.0) / max(t.duration, 1.0)))
    if t.f0 > 0:
        f = inv.f0[rows, 1]
        cost += np.where(f > 0, W_F0 * np.nan_to_num(_semitones(f, t.f0)), 0.0)
    label = LABELS[t.label]
    cost += W_ENERGY * np.abs(inv.energy[rows, 1] - inv.median_energy.get(label, 0.0))
    if t.half == 0:
        cost += W_POSITION * (inv.word_initial[rows] != t.initial)
    else:
        cost += W_POSITION * (inv.word_final[rows] != t.final)
    return cost


def _join_cost(inv: UnitInventory, a_rows: np.ndarray, a_half: int, b_rows: np.ndarray, b_half: int) -> np.ndarray:
    """(len(a), len(b)) cost of following half-phone a by half-phone b; 0 where b follows a in the recording."""
    a_point, b_point = (1 if a_half == 0 else 2), (0 if b_half == 0 else 1)
    spec = inv.mfcc[a_rows, a_point][:, None, :] - inv.mfcc[b_rows, b_point][None, :, :]  # (A, B, 12)
    cost = W_SPECTRAL * np.sqrt(np.mean(spec ** 2, axis=2))
    fa, fb = inv.f0[a_rows, a_point][:, None], inv.f0[b_rows, b_point][None, :]
    both = (fa > 0) & (fb > 0)
    cost += np.where(both, W_JOIN_F0 * np.nan_to_num(_semitones(np.where(both, fa, 1.0), np.where(both, fb, 1.0))),
                     0.0)
    cost += np.where((fa > 0) != (fb > 0), W_VOICING, 0.0)
    cost += W_JOIN_ENERGY * np.abs(inv.energy[a_rows, a_point][:, None] - inv.energy[b_rows, b_point][None, :])
    if a_half == 1:  # b starts a new phone: the join sits on a phone boundary
        cost += W_BOUNDARY_JOIN
    follows = _follows(inv, a_rows, a_half, b_rows)
    return np.where(follows, 0.0, cost)


def _follows(inv: UnitInventory, a_rows: np.ndarray, a_half: int, b_rows: np.ndarray) -> np.ndarray:
    """(A, B) True where b is the recording's very next half-phone after a."""
    if a_half == 0:  # the second half of the same phone
        return a_rows[:, None] == b_rows[None, :]
    nxt = (inv.source_index[b_rows][None, :] == inv.source_index[a_rows][:, None] + 1)
    return nxt & inv.joined_next[a_rows][:, None]


def _targets(inv: UnitInventory, phones: tuple[str, ...], target: Target) -> list[_HalfTarget]:
    n = len(phones)
    if target.f0_hz is not None:
        f_start, f_end = target.f0_hz
    else:
        f_start = inv.median_f0 * 2 ** (CONTOUR_START_ST / 12)
        f_end = inv.median_f0 * 2 ** (CONTOUR_END_ST / 12)
    out = []
    for i, p in enumerate(phones):
        left = phones[i - 1] if i else target.left
        right = phones[i + 1] if i + 1 < n else target.right
        duration = inv.median_duration[p] * target.duration_scale
        if i == n - 1 and target.right == SILENCE:
            duration *= FINAL_LENGTHENING
        u = (i + 0.5) / n
        f0 = f_start * (f_end / f_start) ** u if f_start > 0 and f_end > 0 else 0.0
        for half in (0, 1):
            out.append(_HalfTarget(_LABEL_ID[p], half, _LABEL_ID[left], _LABEL_ID[right], duration, f0,
                                   i == 0, i == n - 1))
    return out


def select_units(inv: UnitInventory, phones: tuple[str, ...], target: Target = Target()
                 ) -> tuple[list[int], float]:
    """Viterbi: the inventory row chosen for each half-phone target (2 per phone) and the path's cost."""
    targets = _targets(inv, phones, target)
    cands: list[np.ndarray] = []
    costs: list[np.ndarray] = []  # accumulated cost per candidate
    back: list[np.ndarray] = []
    for k, t in enumerate(targets):
        rows = np.flatnonzero(inv.label == t.label)
        tc = _target_cost(inv, rows, t)
        order = np.argsort(tc, kind="stable")[:MAX_CANDIDATES]
        keep = set(rows[order].tolist())
        if k:
            # the recording's continuation of every surviving previous unit stays a candidate,
            # so a long contiguous run is never pruned away for a slightly worse target cost
            prev = cands[-1]
            follows = _follows(inv, prev, targets[k - 1].half, rows).any(axis=0)
            keep.update(rows[follows].tolist())
        chosen = np.array(sorted(keep), np.int64)
        tc = _target_cost(inv, chosen, t)
        if not k:
            cands.append(chosen)
            costs.append(tc)
            back.append(np.zeros(len(chosen), np.int64))
            continue
        jc = _join_cost(inv, cands[-1], targets[k - 1].half, chosen, t.half)  # (A, B)
        total = costs[-1][:, None] + jc
        best = np.argmin(total, axis=0)
        cands.append(chosen)
        costs.append(total[best, np.arange(len(chosen))] + tc)
        back.append(best)
    j = int(np.argmin(costs[-1]))
    cost = float(costs[-1][j])
    path = [j]
    for k in range(len(targets) - 1, 0, -1):
        j = int(back[k][j])
        path.append(j)
    path.reverse()
    return [int(cands[k][j]) for k, j in enumerate(path)], cost


# --- building -------------------------------------------------------------------------------

def build_word(text: str, inventory: UnitInventory, *, language: str = "en", rate: int = WORD_RATE,
               target: Target = Target(), pronunciation: tuple[str, ...] | None = None,
               cancel: object | None = None) -> BuiltSpeech:
    """``text`` said in the lecturer's voice, built from ``inventory``'s phones; mono float32 at ``rate``.

    Raises UnitsUnavailable (naming the phones) when the lecture never says a
    phone the word needs. ``pronunciation`` overrides the dictionary.
    """
    phones = pronunciation if pronunciation is not None else pronounce(text, language)
    if not phones:
        raise UnitsUnavailable(text, ())
    have = inventory.phone_labels
    missing = tuple(sorted({p for p in phones if p not in have}))
    if missing:
        raise UnitsUnavailable(text, missing)
    check_cancel(cancel)
    rows, cost = select_units(inventory, tuple(phones), target)
    check_cancel(cancel)

    # the chosen half-phones as contiguous runs of source audio
    halves = [(rows[k], k % 2) for k in range(len(rows))]
    bounds_src: list[int] = []  # source sample where each half-phone starts
    pieces: list[tuple[int, int]] = []
    piece_of: list[int] = []
    for k, (r, h) in enumerate(halves):
        s = int(inventory.start[r] if h == 0 else (inventory.start[r] + inventory.end[r]) // 2)
        e = int((inventory.start[r] + inventory.end[r]) // 2 if h == 0 else inventory.end[r])
        contiguous = k and _follows(inventory, np.array([halves[k - 1][0]]), halves[k - 1][1], np.array([r]))[0, 0]
        if contiguous:
            pieces[-1] = (pieces[-1][0], e)  # the recording goes on (through any short gap)
        else:
            pieces.append((s, e))
        piece_of.append(len(pieces) - 1)
        bounds_src.append(s)
    joined = psola.join_pieces(inventory.audio, pieces, inventory.pulses, inventory.rate)
    check_cancel(cancel)

    def out_pos(k: int) -> int:
        p = piece_of[k]
        return joined.offsets[p] + bounds_src[k] - pieces[p][0]

    # phone bounds in the joined audio: start of each first half, plus the end of the last phone
    starts = [out_pos(k) for k in range(0, len(halves), 2)]
    last = len(halves) - 1
    end = joined.offsets[piece_of[last]] + pieces[piece_of[last]][1] - pieces[piece_of[last]][0]
    bounds = [min(max(b, 0), len(joined.audio)) for b in starts + [end]]
    bounds = list(np.maximum.accumulate(bounds))
    tgt = _targets(inventory, tuple(phones), target)
    want = [tgt[2 * i].duration for i in range(len(phones))]
    stretches = [w / max(b1 - b0, 1) for w, b0, b1 in zip(want, bounds[:-1], bounds[1:], strict=True)]
    contour = target.f0_hz
    if contour is None and inventory.median_f0 > 0:
        contour = (inventory.median_f0 * 2 ** (CONTOUR_START_ST / 12), inventory.median_f0 * 2 ** (CONTOUR_END_ST / 12))
    audio, new_bounds = psola.psola_fit(joined.audio, inventory.rate, bounds, stretches, contour)
    ratio = rate / inventory.rate
    join_at = [_map(j, bounds, new_bounds) for j in joined.joins]
    if rate != inventory.rate:
        from math import gcd

        from scipy.signal import resample_poly

        g = gcd(rate, inventory.rate)
        audio = resample_poly(audio, rate // g, inventory.rate // g).astype(np.float32)
    out_phones = tuple((p, int(round(new_bounds[i] * ratio)), int(round(new_bounds[i + 1] * ratio)))
                       for i, p in enumerate(phones))
    return BuiltSpeech(text=text, audio=np.asarray(audio, np.float32), rate=rate, phones=out_phones,
                       sources=tuple(pieces), cost=cost, joins=tuple(int(round(j * ratio)) for j in join_at))


def _map(x: int, old: list[int], new: tuple[int, ...]) -> float:
    """A sample of the joined audio -> the PSOLA output, by the piecewise-linear map of the phone bounds."""
    return float(np.interp(x, old, new))


def inventory_from(recordings: Iterable[tuple[Transcript, np.ndarray]], rate: int = WORD_RATE,
                   gap_s: float = 0.3, progress: ProgressFn | None = None,
                   cancel: object | None = None) -> UnitInventory:
    """One inventory from several recordings (each a transcript and its audio @ ``rate``), laid end to end
    with ``gap_s`` of silence between them (so no unit runs from one recording into the next)."""
    from dataclasses import replace

    from lecturecut.asr.transcript import Phone

    parts: list[np.ndarray] = []
    words = []
    offset = 0  # samples @ rate
    gap = np.zeros(int(gap_s * rate), np.float32)
    for transcript, audio in recordings:
        shift = int(round(offset * WORD_RATE / rate))  # transcript time is @ 16 kHz
        for w in transcript.words:
            words.append(replace(w, start=w.start + shift, end=w.end + shift, raw_start=None, raw_end=None,
                                 phones=tuple(Phone(p.label, p.start + shift, p.end + shift) for p in w.phones)))
        parts += [np.asarray(audio, np.float32), gap]
        offset += len(audio) + len(gap)
    whole = Transcript(words=tuple(words), language="en", model="", refinement="pocketsphinx")
    return build_inventory(whole, np.concatenate(parts) if parts else np.zeros(0, np.float32), rate,
                           progress=progress, cancel=cancel)


__all__ = ["BuiltSpeech", "Target", "UnitInventory", "UnitsUnavailable", "build_inventory", "build_word",
           "inventory_from", "select_units"]

