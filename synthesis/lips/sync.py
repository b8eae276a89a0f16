"""How well a face's lips follow a sound: the lip-sync score of a regenerated span.

Two measures, one result (:class:`SyncScore`):

- ``landmarks`` (the default, offline): the outer lips' opening (the three middle pairs of
  dlib's 68 points, over the eye distance) against the speech envelope (log energy in
  300-3000 Hz, 25 ms windows, floored 50 dB below the clip's loudest), both per video frame
  and both as frame-to-frame changes (the mouth opening as the sound rises); their Pearson
  correlation is taken at every offset within ``MAX_OFFSET`` frames, as SyncNet's offset
  search is. The score is the correlation at the best offset; the offset is where it is
  (negative: the picture leads the sound); the confidence is the peak less the median over
  the offsets (as LSE-C is for SyncNet).
- ``syncnet`` (where ``lipsync_expert.pth`` is installed, ``lecturecut models``): Wav2Lip's
  SyncNet on 5-frame lower-face crops and 0.2 s mel windows; LSE-D (the smallest mean
  embedding distance over the offsets), LSE-C (median less minimum) and the offset.

Validation (``bench/lips_sync_table.py`` on the 10 real talking heads of the developer media,
28 windows of 3 s): a clip's own audio beats every other clip's audio on 16/28 windows (57 %;
the goal is 90 %: not met), each other clip's audio one at a time on 91 % of pairs; scored at
the video's own offset (measured on its other windows) 21/28 (75 %). Two videos (Katie Hill,
the webcam) show no correlation peak with their own audio at any offset within 1.6 s. The
offsets found on own audio are per video, not 0: GRID 0/+1, AOC -2/-3, Obama (Diwali) -2/-3,
the sample lecture (Obama, weekly address) -5..-7 frames (its picture ~0.24 s ahead). A span is *weak*
when its score is below ``WEAK_K / sqrt(frames - 1)`` (:func:`weak_below`; derived there), or when
its lips do not close at a bilabial of the new speech.

The simple check that must always hold (:func:`lip_marks`): at every bilabial phone
(p, b, m) of the new speech the inner lips close (opening within ``CLOSED`` of the span's
range above its minimum) and at every open vowel they open (at least ``OPEN`` of the
range), in the phone's frames or up to ``LAG_FRAMES`` later, shifted by the offset the score found
(footage whose picture leads its sound, as the sample lecture's by ~6 frames, closes early).
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

MAX_OFFSET = 8  # frames searched either side of the audio's own timing (±0.32 s at 25 fps)
BAND_HZ = (300.0, 3000.0)  # the speech envelope's band
FLOOR_DB = 50.0  # envelope floor below the clip's loudest window (silence is not a mouth shape)
ENV_RATE = 16_000  # Hz the envelope is computed at
ENV_WIN = 400  # samples (25 ms), Hann
ENV_HOP = 160  # samples (10 ms)
MIN_FRAMES = 25  # fewer scored frames give no score: under 1 s mismatched audio scores as high as own
# (bench/lips_sync_table.py, 1 s windows: mismatched p95 0.62, own median 0.49); the lip check still applies
# weak below WEAK_K / sqrt(frames - 1) (a correlation's spread under wrong audio shrinks as 1/sqrt(n)):
# the equal-error point of bench/lips_sync_table.py over every own and mismatched pair of 1, 2 and 3 s
# windows of the developer talking heads: 27 % of own-audio windows fall below it, 27 % of mismatched
# ones reach it (95 % of mismatched ones stay below 3.1). The measure is weak: see the module docstring
WEAK_K = 2.35
LAG_FRAMES = 3  # the lips may close / open this many frames after the phone starts
CLOSED, OPEN = 0.3, 0.5  # fractions of the span's opening range (see the module docstring)

LANDMARKS = "landmarks"
SYNCNET = "syncnet"


@dataclass(frozen=True)
class SyncScore:
    """The lip-sync of one span: score, offset, confidence, and the bilabial / open-vowel check."""

    method: str  # LANDMARKS or SYNCNET
    n_frames: int  # frames scored
    score: float | None  # landmarks: correlation at the best offset; syncnet: LSE-D (lower is better); None: too short
    offset: int  # frames (negative: the picture leads the sound)
    confidence: float  # peak less median over the offsets (LSE-C for syncnet)
    closed: tuple[int, int] = (0, 0)  # bilabials of the new speech where the lips close, of all
    opened: tuple[int, int] = (0, 0)  # open vowels where they open, of all
    weak: bool = False

    @property
    def summary(self) -> str:
        """'sync 0.71' / 'weak sync 0.21' / 'sync 0.45, weak: lips open at 1/2 bilabials' /
        'sync not scored (too short)': the word 'weak' is there whenever the span is."""
        if self.score is None:
            text = "sync not scored (too short)"
        elif self.method == SYNCNET:
            text = f"LSE-D {self.score:.2f} LSE-C {self.confidence:.2f}"
        else:
            text = f"sync {self.score:.2f}"
            if self.score < weak_below(self.n_frames):
                text = "weak " + text
        if self.closed[1] and self.closed[0] < self.closed[1]:
            text += f", weak: lips open at {self.closed[1] - self.closed[0]}/{self.closed[1]} bilabials"
        return text

    def to_json(self) -> dict:
        return {"method": self.method, "n_frames": self.n_frames, "score": self.score, "offset": self.offset,
                "confidence": self.confidence, "closed": list(self.closed), "opened": list(self.opened),
                "weak": self.weak}

    @staticmethod
    def from_json(d: dict) -> "SyncScore":
        return SyncScore(str(d["method"]), int(d["n_frames"]), None if d["score"] is None else float(d["score"]),
                         int(d["offset"]), float(d["confidence"]), tuple(d.get("closed", (0, 0))),
                         tuple(d.get("opened", (0, 0))), bool(d.get("weak", False)))


# ---------------------------------------------------------------- the two signals

def eye_distance(landmarks: np.ndarray) -> float:
    p = np.asarray(landmarks, np.float64)
    return float(np.linalg.norm(p[36:42].mean(0) - p[42:48].mean(0)))


def mouth_height(landmarks: np.ndarray) -> float:
    """The outer lips' opening (mean of the three middle pairs 50-58, 51-57, 52-56) over the eye distance."""
    p = np.asarray(landmarks, np.float64)
    gap = np.linalg.norm(p[[50, 51, 52]] - p[[58, 57, 56]], axis=1).mean()
    return float(gap / max(eye_distance(p), 1e-6))


def _resample(samples: np.ndarray, rate: int) -> np.ndarray:
    x = np.asarray(samples, np.float64)
    if x.ndim > 1:
        x = x.mean(axis=1)
    if rate == ENV_RATE or len(x) == 0:
        return x
    n = int(round(len(x) * ENV_RATE / rate))
    return np.interp(np.arange(n) * (rate / ENV_RATE), np.arange(len(x)), x)


def speech_envelope(samples: np.ndarray, rate: int, times: Sequence[float], fps: float) -> np.ndarray:
    """Per frame: the log energy (dB) in ``BAND_HZ`` of ``samples`` at the middle of each frame that starts
    at ``times[j]`` (seconds into ``samples``); floored ``FLOOR_DB`` below the loudest window."""
    x = _resample(samples, rate)
    if len(x) < ENV_WIN:
        x = np.pad(x, (0, ENV_WIN - len(x)))
    n = 1 + (len(x) - ENV_WIN) // ENV_HOP
    idx = np.arange(ENV_WIN)[None, :] + ENV_HOP * np.arange(n)[:, None]
    spec = np.abs(np.fft.rfft(x[idx] * np.hanning(ENV_WIN)[None, :], axis=1)) ** 2
    freqs = np.fft.rfftfreq(ENV_WIN, 1.0 / ENV_RATE)
    band = (freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])
    db = 10.0 * np.log10(spec[:, band].sum(axis=1) + 1e-10)
    db = np.maximum(db, db.max() - FLOOR_DB)
    centres = (np.arange(n) * ENV_HOP + ENV_WIN / 2) / ENV_RATE
    return np.interp(np.asarray(times, np.float64) + 0.5 / fps, centres, db)


def correlations(heights: np.ndarray, envelope: np.ndarray, max_offset: int = MAX_OFFSET) -> np.ndarray:
    """Pearson correlation of the frame-to-frame changes of mouth and sound at offsets -max..+max
    (index ``max_offset + d``; at offset d the mouth of frame j + d is compared with the sound of frame j)."""
    v = np.diff(np.asarray(heights, np.float64))
    a = np.diff(np.asarray(envelope, np.float64))
    n = len(v)
    out = np.zeros(2 * max_offset + 1)
    for k, d in enumerate(range(-max_offset, max_offset + 1)):
        x, y = (v[d:], a[:n - d]) if d >= 0 else (v[:n + d], a[-d:])
        if len(x) < 3:
            continue
        x, y = x - x.mean(), y - y.mean()
        den = math.sqrt(float((x * x).sum() * (y * y).sum()))
        out[k] = float((x * y).sum() / den) if den > 0 else 0.0
    return out


def weak_below(n_frames: int) -> float:
    """The score under which ``n_frames`` of lips cannot be told from wrong audio (see ``WEAK_K``)."""
    return WEAK_K / math.sqrt(max(n_frames - 1, 1))


def landmark_sync(heights: Sequence[float], envelope: Sequence[float],
                  max_offset: int = MAX_OFFSET) -> SyncScore:
    """The landmark measure over frames with a face (NaN heights are left out by interpolation)."""
    h = np.asarray(heights, np.float64)
    e = np.asarray(envelope, np.float64)
    ok = np.isfinite(h)
    n = int(ok.sum())
    if n < MIN_FRAMES:
        return SyncScore(LANDMARKS, n, None, 0, 0.0)
    if not ok.all():
        h = np.interp(np.arange(len(h)), np.flatnonzero(ok), h[ok])
    k = min(max_offset, max(1, (len(h) - 1) // 3))  # at least two thirds of the frames overlap
    r = correlations(h, e, k)
    best = int(r.argmax())
    score = float(r[best])
    return SyncScore(LANDMARKS, n, score, best - k, score - float(np.median(r)), weak=score < weak_below(n))


# ---------------------------------------------------------------- the check that must always hold

def lip_marks(openings: Sequence[float], phones: Sequence[tuple[str, Sequence[int]]], shift: int = 0
              ) -> tuple[tuple[int, int], tuple[int, int]]:
    """((bilabials closed, bilabials), (open vowels open, open vowels)) for inner-lip ``openings`` per frame
    and each phone of the new speech with the frames it sounds in, looked at ``shift`` frames later (the
    footage's own offset, negative where its picture leads its sound)."""
    from .visemes import is_bilabial, is_open_vowel

    o = np.asarray(openings, np.float64)
    ok = np.isfinite(o)
    if not ok.any():
        return (0, 0), (0, 0)
    lo, hi = float(o[ok].min()), float(o[ok].max())
    closed = [0, 0]
    opened = [0, 0]
    for label, js in phones:
        if not len(js):
            continue
        a = min(max(min(js) + shift, 0), len(o) - 1)
        window = o[a:min(max(max(js) + shift + 1 + LAG_FRAMES, a + 1), len(o))]
        window = window[np.isfinite(window)]
        if not len(window):
            continue
        if is_bilabial(label):
            closed[1] += 1
            closed[0] += bool(window.min() <= lo + CLOSED * (hi - lo))
        elif is_open_vowel(label):
            opened[1] += 1
            opened[0] += bool(window.max() >= lo + OPEN * (hi - lo))
    return (closed[0], closed[1]), (opened[0], opened[1])


# ---------------------------------------------------------------- SyncNet, where its weights exist

def _crop_lower_face(frame_rgb: np.ndarray, landmarks: np.ndarray) -> np.ndarray:
    """The (48, 96, 3) BGR lower half of the 96x96 face crop (box from the landmarks, padded 10 px below)."""
    import cv2

    p = np.asarray(landmarks)
    h, w = frame_rgb.shape[:2]
    x0, y0 = np.floor(p.min(0)).astype(int)
    x1, y1 = np.ceil(p.max(0)).astype(int)
    top = max(int(y0 - 0.25 * (y1 - y0)), 0)  # dlib's 68 points start at the brows; the box the forehead
    crop = frame_rgb[top:min(y1 + 10, h), max(x0, 0):min(x1, w)]
    face = cv2.resize(np.ascontiguousarray(crop[:, :, ::-1]), (96, 96))
    return face[48:]


@functools.cache
def _syncnet(path: str):
    from lecturecut.models.checkpoint import load_syncnet

    return load_syncnet(path)


def syncnet_path() -> Path | None:
    """The installed ``lipsync_expert.pth``, or None."""
    from lecturecut.models.registry import locate

    return locate("lipsync_expert")


def syncnet_sync(frames: Sequence[np.ndarray], landmarks: Sequence[np.ndarray | None], samples: np.ndarray,
                 rate: int, times: Sequence[float], fps: float, net=None,
                 max_offset: int = MAX_OFFSET) -> SyncScore:
    """LSE-D / LSE-C and the offset by SyncNet (``net`` or the installed expert) over ``frames`` (RGB) whose
    sound starts at ``times[j]`` s into ``samples``. Frames without a face are left out."""
    import torch

    from lecturecut.models.audio import MEL_FRAMES_PER_SECOND, MEL_WINDOW, melspectrogram
    from lecturecut.models.syncnet import SYNC_FRAMES

    if net is None:
        path = syncnet_path()
        if path is None:
            raise FileNotFoundError("lipsync_expert.pth is not installed")
        net = _syncnet(str(path))
    ok = [j for j in range(len(frames) - SYNC_FRAMES + 1)
          if all(landmarks[j + i] is not None for i in range(SYNC_FRAMES))]
    if len(ok) < 3:
        return SyncScore(SYNCNET, len(ok), None, 0, 0.0)
    lower = {j: _crop_lower_face(frames[j], landmarks[j]) for j in range(len(frames)) if landmarks[j] is not None}
    mel = melspectrogram(_resample(samples, rate).astype(np.float32))  # (80, T)
    faces = np.stack([np.concatenate([lower[j + i] for i in range(SYNC_FRAMES)], axis=2) for j in ok])
    faces_t = torch.from_numpy(faces.transpose(0, 3, 1, 2).astype(np.float32) / 255.0)  # (B, 15, 48, 96)
    pad = np.full((mel.shape[0], MEL_WINDOW + 2 * max_offset * 4), mel.min(), np.float32)
    mel_p = np.concatenate([pad, mel, pad], axis=1)
    base = pad.shape[1]

    def window(t: float) -> np.ndarray:
        s = base + int(round(t * MEL_FRAMES_PER_SECOND))
        return mel_p[:, s:s + MEL_WINDOW]

    dists = []
    with torch.no_grad():
        face_emb = None
        for d in range(-max_offset, max_offset + 1):
            # the mouth of frames j..j+4 against the sound of frame j - d (offset d: the picture d frames late)
            mels = np.stack([window(float(times[j]) - d / fps) for j in ok])[:, None]
            audio_t = torch.from_numpy(mels.astype(np.float32))
            a_emb, f_emb = net(audio_t, faces_t) if face_emb is None else (net.audio_encoder(audio_t), face_emb)
            if face_emb is None:
                face_emb = f_emb
            else:
                a_emb = torch.nn.functional.normalize(a_emb.flatten(1), p=2, dim=1)
            dists.append(float(torch.linalg.vector_norm(a_emb - face_emb, dim=1).mean()))
    dist = np.array(dists)
    best = int(dist.argmin())
    return SyncScore(SYNCNET, len(ok), float(dist[best]), best - max_offset, float(np.median(dist) - dist[best]))


# ---------------------------------------------------------------- a regenerated span

def span_frame_phones(plan, index: int, n: int) -> list[tuple[str, list[int]]]:
    """Each phone of the new speech of ``plan.spans[index]`` and the span's frames it sounds in."""
    from .engine import span_offsets

    span = plan.spans[index]
    acc_samples, acc_frames = span_offsets(plan, index)
    half = plan.crossfade // 2
    at = [(acc_frames + j) / plan.fps * plan.audio_rate - acc_samples + half for j in range(n)]
    out = []
    for p in span.speech.record.phones:
        js = [j for j, s in enumerate(at) if p.start <= s < p.end]
        if not js and n:  # shorter than a frame: the frame it starts in
            js = [min(range(n), key=lambda j: abs(at[j] - p.start))]
        out.append((p.label, js))
    return out


def span_times(plan, index: int, n: int) -> list[float]:
    """Where in the span's new speech (s) each of its ``n`` output frames starts."""
    from .engine import span_offsets

    acc_samples, acc_frames = span_offsets(plan, index)
    half = plan.crossfade // 2
    rate = plan.audio_rate
    return [float((acc_frames + j) / plan.fps * rate - acc_samples + half) / rate for j in range(n)]


def score_span(plan, index: int, frames: Sequence[np.ndarray], landmarker, *, track_result=None,
               cancel=None, net=None) -> SyncScore:
    """The sync of a span's output ``frames`` with its new speech, measured by dlib on the frames themselves
    (never the engine's own landmarks): see :func:`score_frames`."""
    from .track import track

    span = plan.spans[index]
    tr = track_result if track_result is not None else track(list(frames), float(plan.fps), landmarker, cancel)
    n = len(frames)
    return score_frames(frames, tr.landmarks, span.speech.audio, span.speech.rate, span_times(plan, index, n),
                        float(plan.fps), span_frame_phones(plan, index, n), net=net)


def score_frames(frames: Sequence[np.ndarray], landmarks: Sequence[np.ndarray | None], samples: np.ndarray,
                 rate: int, times: Sequence[float], fps: float, phones: Sequence[tuple[str, Sequence[int]]] = (),
                 *, net=None) -> SyncScore:
    """SyncNet where its weights are installed (or ``net`` is given), else the landmark measure; with the
    bilabial / open-vowel check of ``phones`` (label, frames) either way. ``times[j]``: where in ``samples``
    (s) the sound of frame j starts."""
    from .track import inner_lip_opening

    opening = [inner_lip_opening(p) if p is not None else np.nan for p in landmarks]
    if net is not None or syncnet_path() is not None:
        s = syncnet_sync(frames, landmarks, samples, rate, times, fps, net=net)
        weak = False  # no threshold is claimed for SyncNet here: its real weights were never run in this project
    else:
        heights = [mouth_height(p) if p is not None else np.nan for p in landmarks]
        s = landmark_sync(heights, speech_envelope(samples, rate, times, fps))
        weak = s.weak
    # the phones are looked for where the footage puts them: at the offset found (none when not scored)
    closed, opened = lip_marks(opening, phones, s.offset if s.score is not None else 0)
    weak = weak or (closed[1] > 0 and closed[0] < closed[1])
    return SyncScore(s.method, s.n_frames, s.score, s.offset, s.confidence, closed, opened, weak)
