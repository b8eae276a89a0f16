"""The final mux of an export, described as an ffmpeg-python graph.

ffmpeg-python builds the stream mapping (which input's video, audio and
subtitle streams go where) and the per-stream options, and compiles them to
an argument list; ``run_ffmpeg`` then runs it with progress and
cancellation. Describing streams rather than hand-counting ``-map 2:s:0``
indices keeps the optional inputs (no video for an audio-only lecture, no
subtitles) from shifting each other's numbers.
"""

from __future__ import annotations

from pathlib import Path

import ffmpeg


def mux_args(
    out: Path,
    audio: Path,
    audio_bitrate: int,
    *,
    video: Path | None = None,
    subtitles: Path | None = None,
    subtitle_language: str = "und",
) -> list[str]:
    """Arguments (without the program name) that copy the video, encode AAC, and add mov_text subtitles."""
    streams = []
    options: dict[str, object] = {"acodec": "aac", "audio_bitrate": audio_bitrate, "movflags": "+faststart"}
    if video is not None:
        streams.append(ffmpeg.input(str(video)).video)
        options["vcodec"] = "copy"  # already encoded frame-exactly by the export
    streams.append(ffmpeg.input(str(audio)).audio)
    if subtitles is not None:
        streams.append(ffmpeg.input(str(subtitles))["s"])
        options["scodec"] = "mov_text"  # the subtitle codec MP4 players understand
        options["metadata:s:s:0"] = f"language={subtitle_language}"
    return ffmpeg.get_args(ffmpeg.output(*streams, str(out), **options))
