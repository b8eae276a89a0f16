"""Compose a captioned sequence of clips into one video, with moviepy.

Used for the review reel (each edit: a few seconds of the original, then
the same moment in the edited lecture). moviepy's clip algebra —
sub-clips, caption overlays, concatenation with their audio — is exactly
this job; the frame-exact export path does not need it.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from lecturecut.core import Cancelled, ProgressFn

from .ffmpeg import ffmpeg_path

CAPTION_HEIGHT_FRACTION = 0.07  # caption text height relative to the frame height
CAPTION_MARGIN_PX = 8


@dataclass(frozen=True)
class ReelSegment:
    path: Path
    start_s: float
    end_s: float
    caption: str


def _moviepy():
    # moviepy starts ffmpeg itself; make it the same ffmpeg every other part of lecturecut uses.
    os.environ.setdefault("IMAGEIO_FFMPEG_EXE", ffmpeg_path())
    import moviepy

    return moviepy


def _logger(progress: ProgressFn | None, cancel: object | None):
    import proglog

    class Logger(proglog.ProgressBarLogger):
        def bars_callback(self, bar, attr, value, old_value=None):
            if cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
                raise Cancelled("review reel cancelled")
            total = self.bars[bar].get("total")
            if progress is not None and bar == "frame_index" and total:
                progress(min(value / total, 1.0), "writing the review reel")

    return Logger()


def write_reel(segments: Sequence[ReelSegment], out: Path, *, fps: float, audio_rate: int = 48000,
               progress: ProgressFn | None = None,
               cancel: object | None = None) -> None:
    """Write the captioned segments, in order, to ``out`` (H.264 + AAC)."""
    mp = _moviepy()
    sources: dict[Path, object] = {}
    clips = []
    try:
        for seg in segments:
            src = sources.get(seg.path)
            if src is None:
                src = sources[seg.path] = mp.VideoFileClip(str(seg.path))
            part = src.subclipped(seg.start_s, min(seg.end_s, src.duration))
            size = max(12, int(part.h * CAPTION_HEIGHT_FRACTION))
            caption = (mp.TextClip(text=seg.caption, font_size=size, color="white", bg_color="black",
                                   margin=(CAPTION_MARGIN_PX, CAPTION_MARGIN_PX))
                       .with_duration(part.duration).with_position(("center", "top")))
            clips.append(mp.CompositeVideoClip([part, caption]).with_audio(part.audio))
        reel = mp.concatenate_videoclips(clips, method="chain")
        # moviepy writes its audio to a temporary file in the current folder unless told otherwise,
        # and leaves it there when the write is cancelled: give it a folder that is always removed.
        with tempfile.TemporaryDirectory(prefix=".lecturecut-reel-", dir=out.parent) as tmp:
            reel.write_videofile(str(out), fps=fps, audio_fps=audio_rate, codec="libx264", audio_codec="aac",
                                 preset="veryfast", temp_audiofile_path=tmp,
                                 ffmpeg_params=["-pix_fmt", "yuv420p", "-movflags", "+faststart"],
                                 logger=_logger(progress, cancel))
    finally:
        for src in sources.values():
            src.close()  # type: ignore[attr-defined]
