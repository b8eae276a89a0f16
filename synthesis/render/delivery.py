"""What an export delivers beside the video, per target platform: names, loudness, sidecars.

Two targets (``ExportOptions.target``; the command line's and the app's ``--preset``):

- **openhpi** (the command line's and the app's default): what openHPI takes. The integrated
  loudness normalised to ``loudness_lufs`` (default -16 LUFS) with the true peak at most -1 dBTP
  (BS.1770, :mod:`lecturecut.media.loudness`), AAC at 48 kHz stereo, H.264 in MP4 with the index
  first, at the source's size up to 1080p (larger frames scaled down, keeping their shape:
  :func:`frame_size`); subtitles named ``PREFIX-LANG.vtt`` (WebVTT, the format openHPI takes) and
  ``PREFIX-LANG.srt``, the WebVTT also zipped for upload (``PREFIX-subtitles.zip``), and the
  edited transcript as ``PREFIX-LANG.txt``. ``PREFIX`` is the course prefix the user sets
  (``--prefix``), and every output's name starts with it; without one, the video's own name.
- **archive** (the engine's default, :class:`ExportOptions`): the source's audio rate, channels
  and level untouched; sidecars named after the video (``OUT.srt``, ``OUT.vtt``, ``OUT.txt``).

Either can add the audio alone as ``OUT.m4a`` (``audio_track``).
"""

from __future__ import annotations

import zipfile
from dataclasses import dataclass
from pathlib import Path

from lecturecut.files import atomic_path

from ..subtitles import Cue, write_srt, write_vtt

OPENHPI, ARCHIVE = "openhpi", "archive"
TARGETS = (OPENHPI, ARCHIVE)
OPENHPI_RATE, OPENHPI_CHANNELS = 48_000, 2
OPENHPI_MAX_SIZE = (1920, 1080)  # the source's size up to 1080p: larger frames are scaled down to fit
MAX_TRUE_PEAK_DBTP = -1.0


def frame_size(width: int, height: int, target: str) -> tuple[int, int] | None:
    """The size ``target`` delivers a ``width`` x ``height`` video at: None where that is its own size,
    else the largest even size that keeps its shape within 1920 x 1080 (1080 x 1920 upright)."""
    if target != OPENHPI:
        return None
    long_side, short_side = max(OPENHPI_MAX_SIZE), min(OPENHPI_MAX_SIZE)
    limit = (long_side, short_side) if width >= height else (short_side, long_side)
    scale = min(limit[0] / width, limit[1] / height)
    if scale >= 1:
        return None
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


@dataclass(frozen=True)
class Outputs:
    """Every file one export writes (``None``: not written with these options)."""

    video: Path
    record: Path
    srt: Path | None = None
    vtt: Path | None = None
    zip: Path | None = None
    text: Path | None = None
    audio_track: Path | None = None
    timeline: Path | None = None  # OUT.otio (ExportOptions.timeline)

    def all(self) -> list[Path]:
        return [p for p in (self.video, self.srt, self.vtt, self.zip, self.text, self.audio_track, self.timeline,
                            self.record) if p is not None]


def prefixed(path: Path, prefix: str) -> Path:
    """``path`` with its name starting with ``prefix-`` (unchanged when it already does, or no prefix)."""
    if not prefix or path.name.startswith(prefix + "-") or path.stem == prefix:
        return path
    return path.with_name(f"{prefix}-{path.name}")


def outputs(out_path: Path, target: str, prefix: str, language: str, subtitles: str, audio_track: bool,
            timeline: bool = False) -> Outputs:
    """The names of everything an export to ``out_path`` writes (see the module docstring)."""
    import dataclasses

    names = _outputs(out_path, target, prefix, language, subtitles, audio_track)
    return dataclasses.replace(names, timeline=names.video.with_suffix(".otio")) if timeline else names


def _outputs(out_path: Path, target: str, prefix: str, language: str, subtitles: str, audio_track: bool) -> Outputs:
    from .provenance import record_path

    if target not in TARGETS:
        raise ValueError(f"unknown preset {target!r}; choose one of {', '.join(TARGETS)}")
    video = prefixed(out_path, prefix)
    sidecars = subtitles in ("sidecar", "both")
    m4a = video.with_suffix(".m4a") if audio_track else None
    if target == ARCHIVE:
        return Outputs(video, record_path(video), *(
            (video.with_suffix(".srt"), video.with_suffix(".vtt"), None, video.with_suffix(".txt"))
            if sidecars else (None, None, None, None)), m4a)
    stem = f"{prefix or video.stem}-{language or 'und'}"
    if not sidecars:
        return Outputs(video, record_path(video), audio_track=m4a)
    folder = video.parent
    return Outputs(video, record_path(video), folder / f"{stem}.srt", folder / f"{stem}.vtt",
                   folder / f"{prefix or video.stem}-subtitles.zip", folder / f"{stem}.txt", m4a)


def transcript_text(cues: list[Cue]) -> str:
    """The edited lecture's words as plain text: one paragraph per run of sentences without a long pause."""
    paragraphs: list[list[str]] = [[]]
    last_end = None
    for cue in cues:
        if last_end is not None and cue.start_s - last_end > 2.0 and paragraphs[-1]:
            paragraphs.append([])
        paragraphs[-1].append(cue.text.replace("\n", " "))
        last_end = cue.end_s
    return "\n\n".join(" ".join(p) for p in paragraphs if p) + "\n"


def write_sidecars(cues: list[Cue], names: Outputs) -> list[Path]:
    """The subtitle files, their upload zip and the transcript text (atomically); the paths written."""
    written: list[Path] = []
    if not cues:
        return written
    for target, writer in ((names.srt, write_srt), (names.vtt, write_vtt)):
        if target is not None:
            with atomic_path(target) as part:
                writer(cues, part)
            written.append(target)
    if names.zip is not None and names.vtt is not None:
        with atomic_path(names.zip) as part:
            with zipfile.ZipFile(part, "w", zipfile.ZIP_DEFLATED) as z:
                z.write(names.vtt, names.vtt.name)
        written.append(names.zip)
    if names.text is not None:
        with atomic_path(names.text) as part:
            Path(part).write_text(transcript_text(cues), encoding="utf-8")
        written.append(names.text)
    return written


__all__ = ["ARCHIVE", "OPENHPI", "Outputs", "TARGETS", "outputs", "prefixed", "transcript_text", "write_sidecars"]
