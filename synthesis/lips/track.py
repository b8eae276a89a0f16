"""Face tracking over a run of frames: a face box and 68 landmarks per frame, smoothed in time.

The detector (dlib HOG) runs on every ``DETECT_EVERY``-th frame and at both ends of a
run; in between, the box is interpolated and only the shape predictor runs (a fifth of
the cost). Each frame's landmarks are then smoothed with a One Euro filter run forward
and backward (no lag, so a closure at a /p/ stays on its frame); the rigid points (brows,
nose, eyes) are smoothed more than the mouth and jaw, which must keep their speed.

A frame gets no landmarks, and says why, when it has no face, several faces or a face
that leaves the picture: the lips engine leaves such frames as they are.
"""

from __future__ import annotations

import bisect
import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np

from lecturecut.core import check_cancel

DETECT_EVERY = 5  # frames between two full detections
SECOND_FACE_AREA = 0.35  # another face at least this fraction of the largest's area counts as a second face
EDGE_MARGIN = 0.02  # of the frame's side: landmarks this close to a border mean the face leaves the picture

NO_FACE = "no face"
SEVERAL_FACES = "several faces"
FACE_LEAVES = "face leaving the picture"


@dataclass(frozen=True)
class Track:
    """Per frame of a run: (68, 2) float32 landmarks, or None with ``why[i]`` set."""

    landmarks: tuple[np.ndarray | None, ...]
    why: tuple[str, ...]  # "" where the frame has a face

    def ok(self, i: int) -> bool:
        return self.landmarks[i] is not None


class OneEuro:
    """Casiez, Roussel and Vogel's One Euro filter on arrays (a cutoff that rises with speed)."""

    def __init__(self, rate: float, min_cutoff: float, beta: float, d_cutoff: float = 1.0) -> None:
        self.rate, self.min_cutoff, self.beta, self.d_cutoff = rate, min_cutoff, beta, d_cutoff
        self._x: np.ndarray | None = None
        self._dx: np.ndarray | None = None

    @staticmethod
    def _alpha(cutoff, rate: float):
        tau = 1.0 / (2 * math.pi * cutoff)
        return 1.0 / (1.0 + tau * rate)

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self._x is None:
            self._x, self._dx = x.astype(np.float64), np.zeros_like(x, np.float64)
            return self._x.copy()
        dx = (x - self._x) * self.rate
        a_d = self._alpha(self.d_cutoff, self.rate)
        self._dx = a_d * dx + (1 - a_d) * self._dx
        cutoff = self.min_cutoff + self.beta * np.abs(self._dx)
        a = self._alpha(cutoff, self.rate)
        self._x = a * x + (1 - a) * self._x
        return self._x.copy()


# (min_cutoff Hz, beta per px/s) for the rigid points and for the mouth and jaw
RIGID_FILTER = (1.0, 0.01)
MOUTH_FILTER = (4.0, 0.05)


def smooth(points: Sequence[np.ndarray], fps: float) -> list[np.ndarray]:
    """Forward-backward One Euro over a run of (68, 2) landmark arrays (the average of both passes)."""
    from lecturecut.models.face import RIGID_POINTS

    if len(points) < 3:
        return [np.asarray(p, np.float32) for p in points]
    rigid = np.zeros(68, bool)
    rigid[RIGID_POINTS] = True

    def one_pass(seq):
        f_r, f_m = OneEuro(fps, *RIGID_FILTER), OneEuro(fps, *MOUTH_FILTER)
        out = []
        for p in seq:
            p = np.asarray(p, np.float64)
            q = f_m(p)
            q[rigid] = f_r(p)[rigid]
            out.append(q)
        return out

    fwd = one_pass(points)
    bwd = one_pass(points[::-1])[::-1]
    return [((a + b) / 2).astype(np.float32) for a, b in zip(fwd, bwd)]


def _boxes(detector, rgb: np.ndarray, upsample: int) -> list[tuple[int, int, int, int]]:
    rects = detector(np.ascontiguousarray(rgb), upsample)
    return [(r.left(), r.top(), r.right(), r.bottom()) for r in rects]


def track(frames: Sequence[np.ndarray], fps: float, landmarker, cancel=None) -> Track:
    """Track the one face through ``frames`` (RGB uint8, consecutive frames of the picture).

    ``landmarker`` is a :class:`lecturecut.models.face.DlibLandmarker` (its detector and shape
    predictor are used directly: detection on every few frames only).
    """
    n = len(frames)
    if n == 0:
        return Track((), ())
    h, w = frames[0].shape[:2]
    upsample = 1 if min(h, w) < landmarker.MIN_SIDE_FOR_NO_UPSAMPLE else 0
    detect_at = sorted(set(range(0, n, DETECT_EVERY)) | {n - 1})
    boxes: dict[int, tuple[int, int, int, int] | None] = {}
    why: list[str] = [""] * n
    for i in detect_at:
        check_cancel(cancel)
        found = _boxes(landmarker._detector, frames[i], upsample)
        if not found:
            boxes[i], why[i] = None, NO_FACE
            continue
        found.sort(key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), reverse=True)
        area = lambda b: (b[2] - b[0]) * (b[3] - b[1])  # noqa: E731
        if len(found) > 1 and area(found[1]) >= SECOND_FACE_AREA * area(found[0]):
            boxes[i], why[i] = None, SEVERAL_FACES
            continue
        boxes[i] = found[0]
    raw: list[np.ndarray | None] = [None] * n
    for i in range(n):
        check_cancel(cancel)
        k = bisect.bisect_right(detect_at, i) - 1
        a, b = detect_at[k], detect_at[min(k + 1, len(detect_at) - 1)]
        if i == a:
            b = a
        ba, bb = boxes[a], boxes[b]
        if ba is None or bb is None:  # a detection either side found no (single) face
            why[i] = why[a] or why[b]
            continue
        f = (i - a) / (b - a) if b != a else 0.0
        box = tuple(int(round(x + f * (y - x))) for x, y in zip(ba, bb))
        raw[i] = landmarker.landmarks(frames[i], box)
    margin = EDGE_MARGIN * min(h, w)
    for i, p in enumerate(raw):
        if p is None:
            why[i] = why[i] or NO_FACE
            continue
        why[i] = ""
        if (p[:, 0].min() < margin or p[:, 1].min() < margin or p[:, 0].max() > w - margin
                or p[:, 1].max() > h - margin):
            raw[i], why[i] = None, FACE_LEAVES
    out: list[np.ndarray | None] = [None] * n
    i = 0
    while i < n:  # smooth each run of frames with a face on its own
        if raw[i] is None:
            i += 1
            continue
        j = i
        while j < n and raw[j] is not None:
            j += 1
        out[i:j] = smooth(raw[i:j], fps)
        i = j
    return Track(tuple(out), tuple(why))


def inner_lip_opening(landmarks: np.ndarray) -> float:
    """The mouth's inner opening (mean gap of the inner lips' three middle pairs) over the eye distance."""
    p = np.asarray(landmarks, np.float64)
    gap = np.linalg.norm(p[[61, 62, 63]] - p[[67, 66, 65]], axis=1).mean()
    eyes = np.linalg.norm(p[36:42].mean(0) - p[42:48].mean(0))
    return float(gap / max(eyes, 1e-6))
