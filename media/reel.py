"""Captions for before/after clips (the edit preview and the review reel): :class:`Caption` burns a
label into the frames as they are rendered; :class:`ReelSegment` names a captioned stretch of a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CAPTION_HEIGHT_FRACTION = 0.07  # caption text height relative to the frame height
BADGE_HEIGHT_FRACTION = 0.035  # the synthetic-span marker: smaller, in the bottom right corner
CAPTION_MARGIN_PX = 8


@dataclass(frozen=True)
class ReelSegment:
    path: Path
    start_s: float
    end_s: float
    caption: str


class Caption:
    """``caption(frame)``: a copy of the frame (H, W, 3) with ``text`` in white on a black band, centred
    at the top (``corner``: in the bottom right corner, as the export's marker of synthetic spans), its
    height a fixed share of the frame's; drawn once, pasted into every frame."""

    def __init__(self, text: str, width: int, height: int, *, corner: bool = False) -> None:
        from PIL import Image, ImageDraw, ImageFont

        fraction = BADGE_HEIGHT_FRACTION if corner else CAPTION_HEIGHT_FRACTION
        size = max(9 if corner else 12, int(height * fraction))
        while True:  # a label wider than the frame gets a smaller font (never below 8 px)
            font = ImageFont.load_default(size=size)
            left, top, right, bottom = font.getbbox(text)
            w, h = right - left + 2 * CAPTION_MARGIN_PX, bottom - top + 2 * CAPTION_MARGIN_PX
            if w <= width or size <= 8:
                break
            size = max(8, int(size * width / w))
        band = Image.new("RGB", (w, h), "black")
        ImageDraw.Draw(band).text((CAPTION_MARGIN_PX - left, CAPTION_MARGIN_PX - top), text, fill="white",
                                  font=font)
        self.text = text
        self._band = np.asarray(band)[:height, :width]  # (h, w, 3)
        self._x = max((width - w) // 2, 0) if not corner else max(width - w - CAPTION_MARGIN_PX, 0)
        self._y = 0 if not corner else max(height - self._band.shape[0] - CAPTION_MARGIN_PX, 0)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        out = np.array(frame)  # the decoder's frames are read-only and may be shown again
        h, w = self._band.shape[:2]
        out[self._y:self._y + h, self._x:self._x + w] = self._band
        return out

    @property
    def box(self) -> tuple[int, int, int, int]:
        """(x0, y0, x1, y1) of the band in the frame."""
        h, w = self._band.shape[:2]
        return self._x, self._y, self._x + w, self._y + h
