"""ffprobe JSON -> frozen MediaInfo, with clear messages for unusable files."""

from __future__ import annotations

import functools
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Any

from .errors import FFmpegError, MediaError
from .ffmpeg import media_arg, run_capture


@dataclass(frozen=True)
class VideoStream:
    index: int
    codec: str
    width: int
    height: int
    fps: Fraction  # exact frames per second (avg_frame_rate, else r_frame_rate)
    n_frames: int | None  # from the container when it says so
    pix_fmt: str
    rotation: int = 0  # degrees, from the display matrix
    color_space: str = ""  # e.g. "bt709"; "" when the file does not say
    color_range: str = ""  # "tv" | "pc" | ""
    start_s: float = 0.0  # presentation time of the first frame (an edit list or a late start shifts it)


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    sample_rate: int  # Hz
    channels: int
    duration_s: float | None
    start_s: float = 0.0  # presentation time of the first sample: t = 0 of the word times


@dataclass(frozen=True)
class MediaInfo:
    path: str
    format_name: str
    duration_s: float
    size_bytes: int
    video: VideoStream | None
    audio: AudioStream | None

    @property
    def has_video(self) -> bool:
        return self.video is not None

    @property
    def has_audio(self) -> bool:
        return self.audio is not None

    def to_json(self) -> dict[str, Any]:
        def stream(s: Any) -> dict[str, Any] | None:
            if s is None:
                return None
            d = dict(s.__dict__)
            if "fps" in d:
                d["fps"] = f"{d['fps'].numerator}/{d['fps'].denominator}"
            return d

        return {
            "path": self.path,
            "format_name": self.format_name,
            "duration_s": self.duration_s,
            "size_bytes": self.size_bytes,
            "video": stream(self.video),
            "audio": stream(self.audio),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> "MediaInfo":
        v = data.get("video")
        a = data.get("audio")
        return MediaInfo(
            path=data["path"],
            format_name=data["format_name"],
            duration_s=float(data["duration_s"]),
            size_bytes=int(data["size_bytes"]),
            video=VideoStream(**{**v, "fps": Fraction(v["fps"])}) if v else None,
            audio=AudioStream(**a) if a else None,
        )


def _fraction(text: str | None) -> Fraction | None:
    if not text or text in ("0/0", "0"):
        return None
    try:
        value = Fraction(text)
    except (ValueError, ZeroDivisionError):
        return None
    return value if value > 0 else None


def _float(value: Any) -> float | None:
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return out if out == out else None  # NaN -> None


def parse_probe(path: str, data: dict[str, Any], size_bytes: int) -> MediaInfo:
    """Build MediaInfo from ffprobe's ``-show_format -show_streams`` JSON (pure)."""
    fmt = data.get("format", {})
    video = audio = None
    for s in data.get("streams", []):
        kind = s.get("codec_type")
        disposition = s.get("disposition", {})
        if kind == "video" and video is None and not disposition.get("attached_pic"):
            fps = _fraction(s.get("avg_frame_rate")) or _fraction(s.get("r_frame_rate"))
            if fps is None:
                continue  # a still image stream, not a video
            rotation = 0
            for side in s.get("side_data_list", []) or []:
                if "rotation" in side:
                    rotation = int(float(side["rotation"])) % 360
            n_frames = s.get("nb_frames")
            video = VideoStream(
                index=int(s["index"]),
                codec=str(s.get("codec_name", "?")),
                width=int(s.get("width", 0)),
                height=int(s.get("height", 0)),
                fps=fps,
                n_frames=int(n_frames) if n_frames and str(n_frames).isdigit() else None,
                pix_fmt=str(s.get("pix_fmt", "")),
                rotation=rotation,
                color_space=str(s.get("color_space", "") or ""),
                color_range=str(s.get("color_range", "") or ""),
                start_s=_float(s.get("start_time")) or 0.0,
            )
        elif kind == "audio" and audio is None:
            audio = AudioStream(
                index=int(s["index"]),
                codec=str(s.get("codec_name", "?")),
                sample_rate=int(s.get("sample_rate", 0) or 0),
                channels=int(s.get("channels", 0) or 0),
                duration_s=_float(s.get("duration")),
                start_s=_float(s.get("start_time")) or 0.0,
            )
    duration = _float(fmt.get("duration"))
    if duration is None:
        durations = [d for d in (audio and audio.duration_s,) if d]
        duration = max(durations) if durations else 0.0
    return MediaInfo(
        path=path,
        format_name=str(fmt.get("format_name", "")),
        duration_s=duration,
        size_bytes=size_bytes,
        video=video,
        audio=audio,
    )


def check_readable(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        raise MediaError(f"'{p}' does not exist. Check the path, or whether the file was moved or renamed.")
    if p.is_dir():
        raise MediaError(f"'{p}' is a folder, not a media file. Choose a video or audio file.")
    if not os.access(p, os.R_OK):
        raise MediaError(f"'{p}' cannot be read (permission denied). Check the file's permissions.")
    if p.stat().st_size == 0:
        raise MediaError(f"'{p}' is empty (0 bytes). The recording may not have been saved; use another copy.")
    return p


def probe(path: str | os.PathLike[str]) -> MediaInfo:
    """Probe a media file; raises MediaError with a helpful message when it cannot be used.

    Every decoder asks for the stream layout first, and cut planning decodes
    many short stretches of one file: the answer is memoized on the file's
    identity (path, size, modification time), so a changed file is probed again.
    """
    p = check_readable(path)
    st = p.stat()
    return _probe_file(str(p), st.st_size, st.st_mtime_ns)


@functools.lru_cache(maxsize=64)
def _probe_file(path: str, size: int, mtime_ns: int) -> MediaInfo:
    p = Path(path)
    try:
        out = run_capture(
            "ffprobe",
            ["-v", "error", "-print_format", "json", "-show_format", "-show_streams", media_arg(p)],
            what=f"reading '{p.name}'",
        )
    except FFmpegError as exc:
        raise MediaError(
            f"'{p.name}' is not a media file ffmpeg can read (corrupt, truncated or an unknown format). "
            f"Re-export or re-copy the recording and try again. ({exc.stderr.strip().splitlines()[-1:] or ''})"
        ) from exc
    info = parse_probe(str(p), json.loads(out or b"{}"), size)
    if info.video is None and info.audio is None:
        raise MediaError(f"'{p.name}' has neither a video nor an audio stream. Choose a lecture recording.")
    return info


def keyframe_times(path: str | os.PathLike[str], cancel: object | None = None) -> list[float]:
    """Presentation times (s) of the video's keyframes, read from packet flags (no decoding)."""
    out = run_capture(
        "ffprobe",
        ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags",
         "-of", "csv=p=0", media_arg(path)],
        what="reading keyframes",
        cancel=cancel,
    )
    times = []
    for line in out.decode().splitlines():
        parts = line.split(",")
        if len(parts) >= 2 and "K" in parts[1]:
            t = _float(parts[0])
            if t is not None:
                times.append(t)
    return sorted(times)
