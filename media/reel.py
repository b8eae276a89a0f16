"""Captions for before/after clips (the edit preview and the review reel): :class:`Caption` burns a
label into the frames as they are rendered; :class:`ReelSegment` names a captioned stretch of a file.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

CAPTION_HEIGHT_FRACTION = 0.07  # caption text height relative to the frame height
CAPTION_MARGIN_PX = 8


@dataclass(frozen=True)
class ReelSegment:
    path: Path
    start_s: float
    end_s: float
    caption: str


class Caption:
    """``caption(frame)``: a copy of the frame (H, W, 3) with ``text`` in white on a black band, centred
    at the top, its height a fixed share of the frame's; drawn once, pasted into every frame."""

    def __init__(self, text: str, width: int, height: int) -> None:
        from PIL import Image, ImageDraw, ImageFont

        size = max(12, int(height * CAPTION_HEIGHT_FRACTION))
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
        self._x = max((width - w) // 2, 0)

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        out = np.array(frame)  # the decoder's frames are read-only and may be shown again
        h, w = self._band.shape[:2]
        out[:h, self._x:self._x + w] = self._band
        return out
