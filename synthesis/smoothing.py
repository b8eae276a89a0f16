"""Smoothing visual jump cuts in a talking-head recording ("morph cut", light).

At a join the picture jumps from frame A (the last one kept before the cut)
to frame B0 (the first one after it): the head is suddenly somewhere else.
We replace the first few frames after the join with frames whose head is
eased from A's pose to B's true pose — a similarity warp estimated from
the rigid face landmarks (brows, nose, eyes), interpolated in (scale,
angle, shift) — plus a very short dissolve from A that hides small changes
of expression and light. Without a face (slides, screen recordings) it is
a plain short dissolve. Output duration is unchanged: N frames in, N out.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from lecturecut.models.face import RIGID_POINTS, Landmarker, similarity_transform

TRANSITION_S = 0.24  # seconds over which the head eases back to its true position
DISSOLVE_FRAMES = 2  # frames of cross-dissolve from A at the start of the transition
MIN_MOVE_PX = 0.5  # below this head displacement a warp is not worth its resampling blur


@dataclass(frozen=True)
class Pose:
    """A similarity transform as interpolable parameters."""

    scale: float
    angle: float  # radians
    tx: float
    ty: float

    @staticmethod
    def from_matrix(m: np.ndarray) -> "Pose":
        scale = float(np.hypot(m[0, 0], m[1, 0]))
        return Pose(scale, float(np.arctan2(m[1, 0], m[0, 0])), float(m[0, 2]), float(m[1, 2]))

    def scaled(self, alpha: float) -> "Pose":
        """alpha=1: this pose; alpha=0: the identity."""
        return Pose(1 + alpha * (self.scale - 1), alpha * self.angle, alpha * self.tx, alpha * self.ty)

    def matrix(self, center: tuple[float, float]) -> np.ndarray:
        # Interpolating the raw matrix entries would also interpolate the translation that
        # rotation about the origin introduces; rotate/scale about the face centre instead.
        c = np.cos(self.angle) * self.scale
        s = np.sin(self.angle) * self.scale
        cx, cy = center
        return np.array([[c, -s, self.tx + cx - c * cx + s * cy],
                         [s, c, self.ty + cy - s * cx - c * cy]], dtype=np.float32)  # (2, 3)

    @property
    def magnitude_px(self) -> float:
        return float(np.hypot(self.tx, self.ty))


def frames_for(fps: float) -> int:
    return max(2, int(round(TRANSITION_S * fps)))


def _smoothstep(x: float) -> float:
    return x * x * (3 - 2 * x)


def head_pose(landmarker: Landmarker | None, before: np.ndarray,
              after: np.ndarray) -> tuple[Pose, tuple[float, float]] | None:
    """The pose that moves the head in ``after`` onto where it is in ``before``, about its centre."""
    if landmarker is None:
        return None
    fa, fb = landmarker.detect(before), landmarker.detect(after)
    if fa is None or fb is None:
        return None
    src, dst = fb.landmarks[RIGID_POINTS], fa.landmarks[RIGID_POINTS]
    center = tuple(float(v) for v in src.mean(axis=0))
    m = similarity_transform(src - center, dst - center)  # about the face centre
    return Pose.from_matrix(m), (center[0], center[1])


def smooth_join(before: np.ndarray, after: list[np.ndarray], landmarker: Landmarker | None) -> list[np.ndarray]:
    """Replacement frames for ``after`` (the first frames following a join), same count and size."""
    n = len(after)
    if n == 0:
        return []
    pose = head_pose(landmarker, before, after[0])
    h, w = after[0].shape[:2]
    out = []
    for k, frame in enumerate(after):
        alpha = 1.0 - _smoothstep((k + 1) / (n + 1))  # 1 -> 0: from A's pose to the true one
        img = frame
        if pose is not None and (pose[0].magnitude_px >= MIN_MOVE_PX or abs(pose[0].scale - 1) > 0.005
                                 or abs(pose[0].angle) > 0.002):
            m = pose[0].scaled(alpha).matrix(pose[1])
            img = cv2.warpAffine(frame, m, (w, h), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
        # share of the new frame: a short dissolve with a head to follow, the whole transition without
        mix = (k + 1) / (n + 1) if pose is None else (k + 1) / (DISSOLVE_FRAMES + 1)
        if mix < 1:
            img = cv2.addWeighted(before, 1 - mix, img, mix, 0.0)
        out.append(np.ascontiguousarray(img))
    return out
