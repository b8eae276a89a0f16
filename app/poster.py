"""The poster frame: a video's first frame, decoded by the engine, shown before the player has a picture.

``first_frame`` is a plain engine call (one frame through ``lecturecut.media.frames``, so ffmpeg is
started by media/ as everywhere else) that a worker runs; ``to_qimage`` converts the result on the
GUI thread.
"""

from __future__ import annotations

import os

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QImage

from lecturecut.core import CancelToken, ProgressFn

POSTER_MAX_SIDE = 1280  # px; a poster larger than the pane is scaled down anyway


def first_frame(path: str | os.PathLike[str], progress: ProgressFn | None = None,
                cancel: CancelToken | None = None) -> np.ndarray:
    """The first video frame of ``path``, ``(H, W, 3) uint8`` RGB (raises the engine's MediaError)."""
    from lecturecut.media.errors import MediaError
    from lecturecut.media.frames import read_frames

    frames = read_frames(path, 0, 1, cancel=cancel)
    try:
        frame = next(frames, None)
    finally:
        frames.close()
    if frame is None:
        raise MediaError(f"'{os.path.basename(str(path))}' has no picture to show.")
    return frame


def to_qimage(frame: np.ndarray) -> QImage:
    """An RGB ``(H, W, 3) uint8`` frame as a QImage that owns its pixels, at most POSTER_MAX_SIDE px."""
    frame = np.ascontiguousarray(frame)
    h, w, _ = frame.shape  # (H, W, 3)
    image = QImage(frame.data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()  # copy: numpy owns frame.data
    if max(w, h) > POSTER_MAX_SIDE:
        image = image.scaled(POSTER_MAX_SIDE, POSTER_MAX_SIDE, Qt.AspectRatioMode.KeepAspectRatio,
                             Qt.TransformationMode.SmoothTransformation)
    return image
