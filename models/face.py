"""Face detection and 68-point landmarks (iBUG 68 scheme) for one RGB frame.

Two interchangeable backends give the same 68 points:

* ``fan``: face-alignment's FAN (2DFAN-4), the more accurate one, fed with a
  face box so that its S3FD detector is not needed. Its weights are fetched
  by users (``lecturecut models fetch 2dfan4``); never downloaded implicitly.
* ``dlib``: dlib's HOG detector + 68-point shape predictor, which ship in
  PyPI packages (dlib-bin, face-recognition-models) and so work offline.

``best_landmarker()`` picks FAN when its weights are present, else dlib.
Used to smooth visual jump cuts (align the head across a cut) and, later,
to find the mouth for lip-sync.
"""

from __future__ import annotations

import importlib.util
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from .errors import ModelError

N_LANDMARKS = 68
# iBUG-68 index ranges of the parts that move rigidly with the head (not the jaw or mouth).
BROWS = slice(17, 27)
NOSE = slice(27, 36)
EYES = slice(36, 48)
MOUTH = slice(48, 68)
RIGID_POINTS = np.r_[BROWS, NOSE, EYES]  # indices that move with the skull, not with speech


@dataclass(frozen=True)
class Face:
    box: tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels (exclusive end)
    landmarks: np.ndarray  # (68, 2) float32, x/y pixels, iBUG order
    backend: str

    @property
    def mouth_box(self) -> tuple[int, int, int, int]:
        pts = self.landmarks[MOUTH]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        return int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))


class Landmarker(Protocol):
    name: str

    def detect(self, rgb: np.ndarray) -> Face | None:
        """The largest face in an (H, W, 3) uint8 RGB frame, or None."""


def _largest(boxes: list[tuple[int, int, int, int]]) -> tuple[int, int, int, int] | None:
    return max(boxes, key=lambda b: (b[2] - b[0]) * (b[3] - b[1]), default=None)


def _dlib_models_dir() -> Path:
    # face_recognition_models' own helper needs pkg_resources, which current setuptools lacks.
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise ModelError("dlib's face landmark model is not installed: pip install face-recognition-models==0.3.0")
    return Path(list(spec.submodule_search_locations)[0]) / "models"


class DlibLandmarker:
    """dlib HOG face detector + 68-point shape predictor (offline)."""

    name = "dlib"
    # HOG finds faces down to ~80 px; upsampling once finds ~40 px faces at 4x the cost.
    MIN_SIDE_FOR_NO_UPSAMPLE = 360  # px: frames smaller than this are upsampled once

    def __init__(self) -> None:
        try:
            import dlib
        except ImportError as exc:
            raise ModelError("dlib is not installed: pip install dlib-bin") from exc
        self._dlib = dlib
        self._detector = dlib.get_frontal_face_detector()
        self._predictor = dlib.shape_predictor(str(_dlib_models_dir() / "shape_predictor_68_face_landmarks.dat"))

    def detect_box(self, rgb: np.ndarray) -> tuple[int, int, int, int] | None:
        upsample = 1 if min(rgb.shape[:2]) < self.MIN_SIDE_FOR_NO_UPSAMPLE else 0
        rects = self._detector(np.ascontiguousarray(rgb), upsample)
        return _largest([(r.left(), r.top(), r.right(), r.bottom()) for r in rects])

    def landmarks(self, rgb: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
        rect = self._dlib.rectangle(*box)
        shape = self._predictor(np.ascontiguousarray(rgb), rect)
        return np.array([(p.x, p.y) for p in shape.parts()], dtype=np.float32)  # (68, 2)

    def detect(self, rgb: np.ndarray) -> Face | None:
        box = self.detect_box(rgb)
        if box is None:
            return None
        return Face(box, self.landmarks(rgb, box), self.name)


class FanLandmarker:
    """face-alignment's FAN landmarks on dlib's face box (no S3FD download needed)."""

    name = "fan"

    def __init__(self, device: str = "cpu") -> None:
        import os

        import torch

        from . import registry

        weights = registry.locate("2dfan4")
        if weights is None:
            raise ModelError(
                "face-alignment's FAN weights are not present. Fetch them with "
                "'lecturecut models fetch 2dfan4' (needs a network), or use the offline dlib landmarks."
            )
        # face-alignment loads FAN through its URL, from torch hub's checkpoint folder when the
        # file is there (no download). Make sure it is there, without copying 100 MB.
        hub_file = Path(torch.hub.get_dir()) / "checkpoints" / weights.name
        if not hub_file.exists():
            hub_file.parent.mkdir(parents=True, exist_ok=True)
            os.symlink(weights, hub_file)
        import face_alignment

        # "folder" = boxes are given by the caller, so S3FD's weights are never needed;
        # compile=False: torch.compile costs a minute on a CPU for a few frames per cut.
        self._fa = face_alignment.FaceAlignment(face_alignment.LandmarksType.TWO_D, device=device,
                                                face_detector="folder", flip_input=False, compile=False)
        self._boxes = DlibLandmarker()

    def detect(self, rgb: np.ndarray) -> Face | None:
        box = self._boxes.detect_box(rgb)
        if box is None:
            return None
        points = self._fa.get_landmarks_from_image(rgb, detected_faces=[np.array([*box, 1.0])])
        if not points:
            return None
        return Face(box, np.asarray(points[0][:, :2], dtype=np.float32), self.name)


def best_landmarker(device: str = "cpu") -> Landmarker:
    """FAN where its weights are present, else dlib (always available offline).

    Loaded once per process and device (dlib's 100 MB predictor took 5-17 s to load on every
    preview with a smoothed cut); the instance is shared, so its ``detect`` is serialised by a lock:
    an export and a preview on two threads never run one model at once.
    """
    with _LOADING:
        if device not in _LOADED:
            try:
                found: Landmarker = FanLandmarker(device)
            except Exception:  # missing weights (ModelError) or a FAN that fails to load: dlib gives the same 68
                found = DlibLandmarker()
            _LOADED[device] = _Serialised(found)
        return _LOADED[device]


class _Serialised:
    """A landmarker whose calls take one lock (dlib's and torch's models are not made for shared use)."""

    def __init__(self, inner: Landmarker) -> None:
        self.inner = inner
        self.name = inner.name
        self._lock = threading.Lock()

    def detect(self, rgb: np.ndarray) -> Face | None:
        with self._lock:
            return self.inner.detect(rgb)


_LOADING = threading.Lock()
_LOADED: dict[str, _Serialised] = {}


def similarity_transform(src: np.ndarray, dst: np.ndarray) -> np.ndarray:
    """Least-squares similarity (scale, rotation, translation) mapping src points onto dst.

    Umeyama's method on (N, 2) arrays; returns a 2x3 matrix for cv2.warpAffine.
    """
    src = np.asarray(src, np.float64)
    dst = np.asarray(dst, np.float64)
    mu_s, mu_d = src.mean(0), dst.mean(0)
    s_c, d_c = src - mu_s, dst - mu_d
    cov = d_c.T @ s_c / len(src)  # (2, 2)
    u, sig, vt = np.linalg.svd(cov)
    d = np.ones(2)
    if np.linalg.det(u) * np.linalg.det(vt) < 0:
        d[-1] = -1  # no reflections
    rot = u @ np.diag(d) @ vt
    scale = (sig * d).sum() / s_c.var(0).sum()
    t = mu_d - scale * rot @ mu_s
    return np.hstack([scale * rot, t[:, None]]).astype(np.float32)  # (2, 3)
