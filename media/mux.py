"""The final mux of an export, described as an ffmpeg-python graph, and the containers it can write.

ffmpeg-python builds the stream mapping (which input's video, audio and
subtitle streams go where) and the per-stream options, and compiles them to
an argument list; ``run_ffmpeg`` then runs it with progress and
cancellation. Describing streams rather than hand-counting ``-map 2:s:0``
indices keeps the optional inputs (no video for an audio-only lecture, no
subtitles) from shifting each other's numbers.

An export encodes H.264 video and AAC audio; :func:`container_for` says,
before any rendering, whether the chosen file type can hold them (and
embedded subtitles), so a wrong extension fails in a second, not after an
hour of encoding.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .errors import MediaError
from .ffmpeg import media_arg


@dataclass(frozen=True)
class Container:
    name: str  # for messages
    video: bool  # can hold the H.264 video
    subtitle_codec: str | None  # the codec embedded subtitles get, None where the container has none
    options: dict[str, str] = field(default_factory=dict)  # muxer options


_MP4 = {"movflags": "+faststart"}  # the index first, so players start before the download ends
CONTAINERS = {
    ".mp4": Container("MP4", True, "mov_text", _MP4),
    ".m4v": Container("M4V", True, "mov_text", _MP4),
    ".mov": Container("QuickTime", True, "mov_text", _MP4),
    ".mkv": Container("Matroska", True, "srt"),
    ".avi": Container("AVI", True, None),
    ".m4a": Container("M4A", False, None, _MP4),
}
SUGGESTED = ".mp4"


def container_for(path: Path, *, has_video: bool, embed_subtitles: bool) -> Container:
    """The container an export to ``path`` writes; a one-line MediaError when it cannot hold the result."""
    suffix = path.suffix.lower()
    known = ", ".join(CONTAINERS)
    c = CONTAINERS.get(suffix)
    if c is None:
        what = f"'{suffix}'" if suffix else "no extension"
        raise MediaError(f"'{path.name}' has {what}, which lecturecut cannot export to (H.264 video, AAC audio). "
                         f"Name the file with one of {known} (for example '{path.stem}{SUGGESTED}').")
    if has_video and not c.video:
        raise MediaError(f"'{path.name}': {c.name} holds audio only, but the lecture has video. "
                         f"Choose '{path.stem}{SUGGESTED}'.")
    if embed_subtitles and c.subtitle_codec is None:
        raise MediaError(f"'{path.name}': {c.name} files cannot carry embedded subtitles. Use subtitles "
                         f"beside the video ('sidecar'), or export to '{path.stem}{SUGGESTED}' or .mkv.")
    return c


# ffmpeg's "fast" AAC coder: at our bit rates (96 kbit/s a channel) it is the closer one (speech at
# 192 kbit/s: 59.5 dB waveform SNR against twoloop's 45.2 dB) and it takes half the CPU
AAC_CODER = "fast"


def _format_of(container: Container) -> str:
    # a temporary output's name ends in ".part<ext>": name the muxer, do not let ffmpeg guess it
    return {"M4A": "ipod", "QuickTime": "mov", "Matroska": "matroska", "AVI": "avi"}.get(container.name, "mp4")


def pcm_encode_args(out: Path, rate: int, channels: int, audio_bitrate: int, *, adts: bool = False) -> list[str]:
    """Arguments that encode float samples piped to ffmpeg's stdin (``rate``, ``channels``,
    interleaved float32) to AAC in an M4A file (``adts``: bare ADTS frames, for
    :mod:`lecturecut.media.aac` to join), as :func:`mux_args` encodes a file's."""
    return ["-f", "f32le", "-ar", str(rate), "-ac", str(channels), "-i", "pipe:0", "-c:a", "aac",
            "-aac_coder", AAC_CODER, "-b:a", str(audio_bitrate),
            "-f", "adts" if adts else _format_of(CONTAINERS[".m4a"]), media_arg(out)]


def mux_args(
    out: Path,
    audio: Path,
    audio_bitrate: int,
    *,
    video: Path | None = None,
    subtitles: Path | None = None,
    subtitle_language: str = "und",
    container: Container = CONTAINERS[".mp4"],
    comment: str | None = None,
    audio_rate: int | None = None,
    audio_channels: int | None = None,
    audio_encoded: bool = False,
    audio_filter: str | None = None,
) -> list[str]:
    """Arguments (without the program name) that copy the video, encode AAC, and add the subtitles;
    ``comment``: the file's comment tag (an export's points to the record of its edits);
    ``audio_encoded``: ``audio`` is already the AAC this file carries (written by an earlier
    ``mux_args`` run), copied as it is (``audio_bitrate``, ``audio_rate`` and ``audio_channels``
    are then not used); ``audio_filter``: an ffmpeg filter chain the audio passes before it is encoded."""
    import ffmpeg  # ffmpeg-python: imported here, as importing it costs ~0.2 s that only a mux needs

    streams = []
    options: dict[str, object] = {"acodec": "copy"} if audio_encoded else {
        "acodec": "aac", "aac_coder": AAC_CODER, "audio_bitrate": audio_bitrate}
    options.update(container.options)
    if video is not None:
        streams.append(ffmpeg.input(media_arg(video)).video)
        options["vcodec"] = "copy"  # already encoded frame-exactly by the export
    streams.append(ffmpeg.input(media_arg(audio)).audio)
    if subtitles is not None:
        if container.subtitle_codec is None:
            raise MediaError(f"{container.name} files cannot carry embedded subtitles")
        streams.append(ffmpeg.input(media_arg(subtitles))["s"])
        options["scodec"] = container.subtitle_codec
        options["metadata:s:s:0"] = f"language={subtitle_language}"
    if comment:
        options["metadata"] = f"comment={comment}"
    if audio_rate and not audio_encoded:
        options["ar"] = audio_rate  # resampled by ffmpeg's soxr-quality default (swr)
    if audio_channels and not audio_encoded:
        options["ac"] = audio_channels
    if audio_filter and not audio_encoded:
        options["af"] = audio_filter
    options["format"] = _format_of(container)
    return ffmpeg.get_args(ffmpeg.output(*streams, media_arg(out), **options))
