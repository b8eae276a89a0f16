"""Export the edited lecture: exact cuts, click-free joins, smoothed jump cuts, subtitles.

Full re-encode (H.264 + AAC in MP4, faststart). Audio and video are
streamed: one sequential decoder each, constant memory for any length.

1. audio: kept spans are copied sample-exactly into a temporary WAV, with an
   equal-power crossfade centred on every join;
2. video: kept frames are piped through Python (where jump cuts are
   smoothed) into the encoder;
3. one ffmpeg command muxes video, audio and subtitles into a temporary file
   next to the destination, which is renamed into place only when complete.
"""

from __future__ import annotations

import bisect
import collections
import os
import functools
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np
import soundfile as sf

from lecturecut.media.audio import read_range, stream_audio
from lecturecut.core import check_cancel
from lecturecut.media.errors import MediaError
from lecturecut.media.ffmpeg import run_ffmpeg
from lecturecut.media.frames import FrameWriter, read_frames
from lecturecut.media.mux import mux_args
from lecturecut.core import ProgressFn, no_progress, scaled

from lecturecut.files import atomic_path, disk_error_message
from .plan import RenderPlan, build_plan, pause_regions
from .project import Project, check_not_source
from .subtitles import build_cues, write_srt, write_vtt

PRESETS = {  # name -> (x264 preset, crf): CRF 18 is visually lossless for lecture footage
    "draft": ("ultrafast", 23),  # previews and tests: fastest, larger file, visibly softer
    "fast": ("veryfast", 20),
    "balanced": ("faster", 18),  # x264 medium took 1.8x as long on 2 cores
    "quality": ("slow", 16),
}
RECENT_FRAMES = 4  # decoded frames kept for spans that start on the previous span's last frame
AUDIO_BITRATE_PER_CHANNEL = 96_000  # bit/s; AAC at 96 kbit/s per channel is transparent for speech


@dataclass(frozen=True)
class ExportOptions:
    preset: str = "balanced"
    subtitles: str = "sidecar"  # "none" | "sidecar" | "embed" | "both"
    smooth_cuts: bool = True


@dataclass(frozen=True)
class ExportResult:
    path: Path
    duration_s: float
    n_cuts: int
    plan: RenderPlan
    subtitle_paths: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


class PrefetchedPauses:
    """Mono audio of the pauses planning reads, fetched in one sequential decoding pass.

    Seeking into the file for each read costs an ffprobe and an ffmpeg start
    per call: hundreds of cuts in a long lecture took minutes. One pass over
    the audio, keeping only the stretches ``pause_regions`` names (a few kB
    each), takes seconds. A read outside them falls back to seeking.
    """

    def __init__(self, path: str, rate: int, regions: list[tuple[int, int]],
                 progress: ProgressFn | None = None, cancel: object | None = None) -> None:
        self._fallback = functools.partial(read_range, path, rate)
        self._starts = [a for a, _ in regions]
        self._regions = regions
        self._audio = [np.zeros(b - a, np.float32) for a, b in regions]  # silence past the end of the audio
        if not regions:
            return
        end = regions[-1][1]
        progress = progress or no_progress
        blocks = stream_audio(path, rate, 1, cancel=cancel)
        pos, first = 0, 0  # source sample of the block; first region not yet complete
        try:
            for block in blocks:
                x = block[:, 0]  # (n,)
                n = len(x)
                while first < len(regions) and regions[first][1] <= pos:
                    first += 1
                k = first
                while k < len(regions) and regions[k][0] < pos + n:
                    a, b = regions[k]
                    lo, hi = max(a, pos), min(b, pos + n)
                    if hi > lo:
                        self._audio[k][lo - a:hi - a] = x[lo - pos:hi - pos]
                    k += 1
                pos += n
                progress(min(pos / end, 1.0), "finding quiet cut points")
                if pos >= end:
                    break  # the rest of the file holds no pause we cut in
        finally:
            blocks.close()

    def __call__(self, start: int, end: int) -> np.ndarray:
        k = bisect.bisect_right(self._starts, max(start, 0)) - 1
        if k >= 0 and end <= self._regions[k][1]:
            a = self._regions[k][0]
            x = self._audio[k][max(start, 0) - a:end - a]
            return np.concatenate([np.zeros(max(0, -start), np.float32), x]) if start < 0 else x
        return self._fallback(start, end)


def plan_for(project: Project, progress: ProgressFn | None = None, cancel: object | None = None) -> RenderPlan:
    media = project.media
    if media.audio is None:
        raise MediaError("The source has no audio track; there is nothing to cut by words.")
    rate = media.audio.sample_rate
    reader = PrefetchedPauses(project.source, rate, pause_regions(project, rate), progress, cancel)
    return build_plan(project, audio_rate=rate, reader=reader)


# ---------------------------------------------------------------- audio
def equal_power(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Fade-out and fade-in gains whose powers sum to one (no dip, no bump at the join)."""
    t = (np.arange(n, dtype=np.float64) + 0.5) / n
    return np.cos(t * np.pi / 2).astype(np.float32), np.sin(t * np.pi / 2).astype(np.float32)


class SequentialSource:
    """Hands out increasing sample ranges of a block stream, discarding what lies between."""

    def __init__(self, blocks: Iterator[np.ndarray], channels: int) -> None:
        self._blocks = blocks
        self._buf = np.zeros((0, channels), np.float32)
        self._pos = 0  # source sample index of self._buf[0]
        self._channels = channels

    def _refill(self) -> bool:
        nxt = next(self._blocks, None)
        if nxt is None:
            return False
        self._pos += len(self._buf)
        self._buf = nxt
        return True

    def take(self, lo: int, hi: int) -> Iterator[np.ndarray]:
        """Yield samples [lo, hi) in pieces; ``lo`` must not precede an earlier ``hi``."""
        while self._pos + len(self._buf) <= lo and self._refill():
            pass
        drop = min(max(lo - self._pos, 0), len(self._buf))
        self._buf, self._pos = self._buf[drop:], self._pos + drop
        at = max(lo, self._pos)
        while at < hi:
            if not len(self._buf) and not self._refill():
                # the decoder gave fewer samples than the container promised: pad with
                # silence so audio keeps its exact planned length (and sync)
                yield np.zeros((hi - at, self._channels), np.float32)
                return
            n = min(len(self._buf), hi - at)
            yield self._buf[:n]
            self._buf, self._pos = self._buf[n:], self._pos + n
            at += n


def crossfade_join(span_pieces: Iterable[Iterator[np.ndarray]], n_spans: int, xfade: int,
                   write: Callable[[np.ndarray], None]) -> None:
    """Concatenate spans, mixing the last ``xfade`` samples of each with the first of the next.

    Each inner span must carry ``xfade // 2`` extra samples beyond its cut on
    each inner side, so the mix is centred on the cut and the output length is
    the sum of the spans' nominal lengths.
    """
    fade_out, fade_in = equal_power(xfade) if xfade else (np.zeros(0, np.float32),) * 2
    carry: np.ndarray | None = None
    for k, pieces in enumerate(span_pieces):
        last = k == n_spans - 1
        hold = 0 if last else xfade
        pending = None
        need_head = carry is not None and len(carry) > 0
        for piece in pieces:
            pending = piece if pending is None else np.concatenate([pending, piece])
            if need_head:
                if len(pending) < len(carry):
                    continue  # gather a whole crossfade's worth first
                m = min(len(carry), len(pending))
                write(carry[:m] * fade_out[:m, None] + pending[:m] * fade_in[:m, None])
                pending, need_head = pending[m:], False
            if len(pending) > hold:
                write(pending[: len(pending) - hold])
                pending = pending[len(pending) - hold:]
        if need_head and pending is not None:  # a span shorter than a crossfade
            m = min(len(carry), len(pending))
            write(carry[:m] * fade_out[:m, None] + pending[:m] * fade_in[:m, None])
            pending = pending[m:]
        carry = None if last else pending
        if last and pending is not None and len(pending):
            write(pending)


def render_audio(project: Project, plan: RenderPlan, wav_path: Path, progress: ProgressFn, cancel) -> None:
    """Write the kept spans, crossfaded at each join, to ``wav_path`` in one sequential pass."""
    channels = project.media.audio.channels
    half = plan.crossfade // 2
    last = len(plan.spans) - 1
    source = SequentialSource(stream_audio(project.source, plan.audio_rate, channels, cancel=cancel), channels)
    total = max(plan.output_samples, 1)
    written = 0

    def spans() -> Iterator[Iterator[np.ndarray]]:
        for k, s in enumerate(plan.spans):
            lo = s.audio_start - (half if k > 0 else 0)
            hi = s.audio_end + (half if k < last else 0)
            yield source.take(lo, hi)

    # RF64: a plain WAV stops at 4 GB, which a long stereo lecture in float exceeds.
    with sf.SoundFile(str(wav_path), "w", samplerate=plan.audio_rate, channels=channels,
                      format="RF64", subtype="FLOAT") as out:

        def write(block: np.ndarray) -> None:
            nonlocal written
            check_cancel(cancel)
            out.write(block)
            written += len(block)
            progress(min(written / total, 1.0), "cutting audio")

        crossfade_join(spans(), len(plan.spans), 2 * half, write)


# ---------------------------------------------------------------- video
def render_video(project: Project, plan: RenderPlan, path: Path, options: ExportOptions,
                 progress: ProgressFn, cancel) -> None:
    """Pipe the kept frames (jump cuts smoothed) into the encoder."""
    video = project.media.video
    w, h = (video.height, video.width) if video.rotation in (90, 270) else (video.width, video.height)
    x264_preset, crf = PRESETS[options.preset]
    landmarker = None
    n_smooth = 0
    if options.smooth_cuts and len(plan.spans) > 1:
        from lecturecut.models.face import best_landmarker

        from .smoothing import frames_for

        landmarker = best_landmarker()
        n_smooth = frames_for(float(plan.fps))
    frames = read_frames(project.source, cancel=cancel)
    index = -1  # source index of the last frame taken from ``frames``
    recent: collections.deque[np.ndarray] = collections.deque(maxlen=RECENT_FRAMES)  # recent[-1] is ``index``
    total = max(plan.output_frames, 1)

    def frame_at(wanted: int) -> np.ndarray:
        """Source frame ``wanted``, decoding forward (frames in between are cut out)."""
        nonlocal index
        if wanted <= index:
            # Two spans may share a frame boundary (a cut shorter than a frame): the few
            # most recent frames are still at hand, so going back a little stays exact.
            back = index - wanted
            return recent[-1 - back] if back < len(recent) else recent[0]
        while index < wanted:
            check_cancel(cancel)
            frame = next(frames, None)
            index += 1
            if frame is None:  # fewer frames than the container said: hold the last one (keeps sync)
                if not recent:
                    raise MediaError("The video stream has no decodable frames. Re-export the recording and retry.")
                frame = recent[-1]
            recent.append(frame)
        return recent[-1]

    try:
        with FrameWriter(path, w, h, plan.fps,
                         codec_args=["-c:v", "libx264", "-preset", x264_preset, "-crf", str(crf)],
                         color_space=video.color_space) as writer:
            previous_out: np.ndarray | None = None
            for k, span in enumerate(plan.spans):
                todo = range(span.frame_start, span.frame_end)
                if k > 0 and landmarker is not None and previous_out is not None and len(todo) > n_smooth:
                    from .smoothing import smooth_join

                    head = [frame_at(i).copy() for i in todo[:n_smooth]]
                    for frame in smooth_join(previous_out, head, landmarker):
                        writer.write(frame)
                    todo = todo[n_smooth:]
                    previous_out = head[-1]
                for i in todo:
                    previous_out = frame_at(i)
                    writer.write(previous_out)
                    if writer.frames_written % 10 == 0:
                        progress(writer.frames_written / total, "encoding video")
    finally:
        frames.close()  # stop the decoder now, also on failure or cancel


# ---------------------------------------------------------------- export
def export(project: Project, out_path: str | Path, options: ExportOptions = ExportOptions(),
           progress: ProgressFn | None = None, cancel: object | None = None) -> ExportResult:
    """Render the edited lecture to ``out_path``; nothing is left behind on failure or cancel."""
    progress = progress or no_progress
    out_path = Path(out_path)
    if options.preset not in PRESETS:
        raise ValueError(f"unknown preset {options.preset!r}; choose one of {', '.join(PRESETS)}")
    if options.subtitles not in ("none", "sidecar", "embed", "both"):
        raise ValueError(f"unknown subtitles mode {options.subtitles!r}")
    project.check_source()
    check_not_source(project, out_path, "export")
    _check_destination(out_path)
    progress(0.0, "planning cuts")
    plan = plan_for(project, scaled(progress, 0.0, 0.05), cancel)
    media = project.media
    has_video = media.video is not None
    # Temporary audio/video live beside the destination: the user picked a disk with room for the
    # result (a 3-hour lecture needs gigabytes of intermediate audio that /tmp may not have).
    try:
        work = tempfile.TemporaryDirectory(prefix=".lecturecut-export-", dir=out_path.parent)
    except OSError as exc:  # e.g. a folder that became read-only, or a full disk
        raise MediaError(disk_error_message(exc, out_path)) from exc
    with work as tmp_dir:
        tmp = Path(tmp_dir)
        wav = tmp / "audio.wav"
        render_audio(project, plan, wav, scaled(progress, 0.05, 0.1 if has_video else 0.8), cancel)
        video_file = tmp / "video.mp4"
        if has_video:
            render_video(project, plan, video_file, options, scaled(progress, 0.1, 0.93), cancel)
        cues = build_cues(project.transcript, project.edl, plan)
        srt = tmp / "subtitles.srt"
        write_srt(cues, srt)
        embed = options.subtitles in ("embed", "both") and bool(cues)
        with atomic_path(out_path) as part:
            args = mux_args(part, wav, AUDIO_BITRATE_PER_CHANNEL * media.audio.channels,
                            video=video_file if has_video else None, subtitles=srt if embed else None,
                            subtitle_language=_iso639_2(project.transcript.language))
            run_ffmpeg(args, duration_s=plan.output_duration_s,
                       progress=scaled(progress, 0.93, 1.0), cancel=cancel,
                       message="writing the file", what="writing the exported file")
        subtitle_paths: list[Path] = []
        if options.subtitles in ("sidecar", "both") and cues:
            for suffix, writer in ((".srt", write_srt), (".vtt", write_vtt)):
                target = out_path.with_suffix(suffix)
                with atomic_path(target) as part:
                    writer(cues, part)
                subtitle_paths.append(target)
    progress(1.0, "done")
    return ExportResult(out_path, plan.output_duration_s, plan.n_cuts, plan, tuple(subtitle_paths), plan.warnings)


def _check_destination(out_path: Path) -> None:
    """Refuse, with a message a lecturer can act on, a destination we cannot write."""
    folder = out_path.parent
    if not folder.exists():
        raise MediaError(f"The folder '{folder}' does not exist. Create it or choose another destination.")
    if not folder.is_dir():
        raise MediaError(f"'{folder}' is a file, not a folder. Choose a folder to export into.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise MediaError(f"The folder '{folder}' is not writable, so '{out_path.name}' cannot be saved there. "
                         "Choose a folder you can write to (for example your Videos or Documents folder).")
    if out_path.is_dir():
        raise MediaError(f"'{out_path}' is a folder. Choose a file name for the exported video.")


def _iso639_2(code: str) -> str:
    return {"en": "eng", "de": "ger", "fr": "fre", "es": "spa", "it": "ita", "nl": "dut"}.get(code, "und")
