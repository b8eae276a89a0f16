"""Two rendered clips side by side in one frame, in sync, composed with moviepy.

moviepy's job in lecturecut: composing clips that are already rendered (the export's own renderer
makes the clips; this module only places them). :func:`side_by_side` puts ``before`` on the left and
``after`` on the right, both at the same height, and plays them together from their first frames:

- **Size.** Both are shown at the taller one's height (the shorter one scaled up, its width rounded to
  even); the frame is ``left + gap + right`` wide, padded by a black line where a side is odd, so
  4:2:0 H.264 can hold it. The gap is black.
- **Time.** The longer clip (by its frames) sets the duration; the shorter holds its last frame. Frames
  are taken at ``i / fps`` of the faster of the two frame rates, so two clips of one frame rate show
  frame *i* of each in output frame *i*.
- **Sound.** ``audio="after"`` (the default): the after clip's sound, since the edited sound is what
  is being judged. ``"before"``: the before clip's. ``"both"``: the before clip's sound (mixed down to
  mono) on the left channel and the after clip's on the right, for headphones: each ear hears its side
  of the picture. A clip that has no sound gives silence in its place. The sound lasts as long as the
  picture (silence after a shorter clip's end).
- **Labels.** ``labels=(left, right)`` burns a caption at the top of each side (the preview's halves
  carry their own captions already and pass ``labels=None``).

ffmpeg is the one :mod:`lecturecut.media.ffmpeg` finds (moviepy is pointed at it before it is
imported, and its modules' copies of the path are set to it too). Temporaries (moviepy's audio track)
go to a private folder beside the output, removed however the job ends; the result is written to a
temporary name and renamed over ``out`` only when complete and checked (ffprobe reads its frames back),
so a failure or a cancel leaves nothing behind and an existing ``out`` as it was.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from lecturecut.core import ProgressFn, check_cancel, no_progress
from lecturecut.files import atomic_path, work_dir

from .errors import MediaError
from .ffmpeg import ffmpeg_path
from .frames import YUV_MATRICES

GAP_PX = 8  # black columns between the two sides
CRF = 18  # x264 quality of the composed video: its inputs are already encoded once
X264_PRESET = "veryfast"
AUDIO_BITRATE_PER_CHANNEL = 128_000
AUDIO_CHOICES = ("after", "before", "both")
AUDIO_SHARE = 0.1  # of the progress bar: moviepy writes the sound first, then the frames

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Composed:
    """What :func:`side_by_side` wrote."""

    path: Path
    width: int
    height: int
    fps: float
    n_frames: int
    duration_s: float  # n_frames / fps
    left: tuple[int, int, int]  # x, width, height of each side in the frame
    right: tuple[int, int, int]
    audio: str  # "after" | "before" | "both" | "none" (neither chosen clip had sound)


_MOVIEPY_MODULES = ("moviepy.config", "moviepy.audio.io.readers", "moviepy.audio.io.ffmpeg_audiowriter",
                    "moviepy.video.io.ffmpeg_reader", "moviepy.video.io.ffmpeg_writer",
                    "moviepy.video.io.ffmpeg_tools")


def _moviepy():
    """moviepy, starting the ffmpeg every other part of lecturecut starts."""
    import sys

    exe = ffmpeg_path()
    os.environ["FFMPEG_BINARY"] = exe  # read once, when moviepy.config is first imported
    import moviepy

    for name in _MOVIEPY_MODULES:  # each copied the path at its import: imported earlier, they keep theirs
        module = sys.modules.get(name)
        if module is not None and getattr(module, "FFMPEG_BINARY", exe) != exe:
            module.FFMPEG_BINARY = exe
    return moviepy


def _logger(progress: ProgressFn, cancel: object | None, has_audio: bool):
    """A proglog logger that turns moviepy's bars into ``progress`` and a set token into Cancelled."""
    import proglog

    audio_share = AUDIO_SHARE if has_audio else 0.0

    class Logger(proglog.ProgressBarLogger):
        def __init__(self) -> None:
            super().__init__(logged_bars=())  # moviepy's own log lines are not kept

        def bars_callback(self, bar, attr, value, old_value=None):
            check_cancel(cancel, "side-by-side video cancelled")
            total = self.bars[bar].get("total")
            if attr != "index" or not total:
                return
            done = min(max(value, 0) / total, 1.0)
            if bar == "chunk":
                progress(audio_share * done, "composing the sound")
            elif bar == "frame_index":
                progress(audio_share + (0.98 - audio_share) * done, "composing side by side")

    return Logger()


def _even(n: int) -> int:
    return n + n % 2


def _video_of(probe_info, path: Path):
    if probe_info.video is None:
        raise MediaError(f"'{path.name}' has no video, so it cannot be shown side by side; give two videos.")
    return probe_info.video


def _frames_of(video, duration_s: float) -> int:
    """The clip's frame count: the stream's own when it says, else its length at its frame rate."""
    if video.n_frames:
        return int(video.n_frames)
    return max(int(round(duration_s * float(video.fps))), 1)


def side_by_side(before: str | os.PathLike[str], after: str | os.PathLike[str], out: str | os.PathLike[str], *,
                 labels: Sequence[str] | None = ("before", "after"), audio: str = "after", gap_px: int = GAP_PX,
                 progress: ProgressFn | None = None, cancel: object | None = None) -> Composed:
    """Compose ``before`` (left) and ``after`` (right) into ``out`` (H.264 + AAC), in sync; see the
    module's docstring for the layout, the timing and the sound. ``out`` is replaced atomically (the
    caller decides whether it may be); nothing is left behind on failure or cancel."""
    from .mux import container_for
    from .probe import probe
    from .reel import Caption

    progress = progress or no_progress
    before, after, out = Path(before), Path(after), Path(out)
    if audio not in AUDIO_CHOICES:
        raise ValueError(f"audio={audio!r}: choose one of {', '.join(AUDIO_CHOICES)}")
    if labels is not None and len(labels) != 2:
        raise ValueError(f"labels: give two (left, right), not {len(labels)}")
    if gap_px < 0:
        raise ValueError(f"gap_px={gap_px}: give a width of zero or more pixels")
    for p in (before, after):
        if out.resolve() == p.resolve():
            raise MediaError(f"'{out}' is one of the clips being composed; choose another name for the result.")
    container = container_for(out, has_video=True, embed_subtitles=False)
    check_cancel(cancel, "side-by-side video cancelled")
    infos = [probe(before), probe(after)]
    videos = [_video_of(info, p) for info, p in zip(infos, (before, after))]
    height = max((v.height, v.width)[v.rotation in (90, 270)] for v in videos)
    fps = max(float(v.fps) for v in videos)
    lengths = [_frames_of(v, info.duration_s) / float(v.fps) for v, info in zip(videos, infos)]
    n_frames = max(int(round(length * fps)) for length in lengths)
    duration = n_frames / fps
    sounds = {"after": [1], "before": [0], "both": [0, 1]}[audio]
    has_audio = any(infos[k].audio is not None for k in sounds)
    rate = max((infos[k].audio.sample_rate for k in sounds if infos[k].audio is not None), default=48000)
    channels = 2 if audio == "both" else max((infos[k].audio.channels for k in sounds if infos[k].audio is not None),
                                             default=1)
    color = next((v.color_space for v in videos if v.color_space in YUV_MATRICES), "")

    mp = _moviepy()
    clips = []
    try:
        for path, info in zip((before, after), infos):
            check_cancel(cancel, "side-by-side video cancelled")
            clips.append(mp.VideoFileClip(str(path), audio=info.audio is not None,
                                          audio_fps=info.audio.sample_rate if info.audio else 44100))
        sides = []
        x = 0
        placed = []
        for k, (clip, video, length) in enumerate(zip(clips, videos, lengths)):
            w, h = clip.size
            shown = clip
            if h != height:
                w = _even(int(round(w * height / h)))
                shown = shown.resized(new_size=(w, height))
            if labels is not None and labels[k]:
                shown = shown.image_transform(Caption(labels[k], w, height))
            last_t = (max(int(round(length * float(video.fps))), 1) - 1) / float(video.fps)
            # the shorter clip holds its last frame; a clip's sound is placed separately, below
            shown = shown.time_transform(lambda t, last_t=last_t: min(t, last_t)).with_duration(duration)
            shown = shown.without_audio().with_position((x, 0))
            sides.append(shown)
            placed.append((x, w, height))
            x += _even(w) + gap_px
        width = _even(x - gap_px)
        frame = mp.CompositeVideoClip(sides, size=(width, _even(height)), bg_color=(0, 0, 0))
        track = _soundtrack(mp, clips, sounds, audio, duration, rate) if has_audio else None
        if track is not None:
            frame = frame.with_audio(track)
        # moviepy writes int(duration * fps) frames: a hair over n_frames / fps, so rounding cannot drop one
        frame = frame.with_duration((n_frames + 1e-6) / fps)
        matrix = color or "bt601"
        params = ["-vf", f"scale=out_color_matrix={matrix}:out_range=tv,format=yuv420p", "-crf", str(CRF),
                  *(["-colorspace", color] if color else [])]
        for key, value in container.options.items():
            params += [f"-{key}", value]
        with work_dir(out.parent, "compose") as tmp, atomic_path(out) as part:
            try:
                frame.write_videofile(str(part), fps=fps, codec="libx264", preset=X264_PRESET,
                                      audio=has_audio, audio_fps=rate, audio_codec="aac",
                                      audio_bitrate=f"{AUDIO_BITRATE_PER_CHANNEL * channels // 1000}k",
                                      temp_audiofile_path=str(tmp), ffmpeg_params=params,
                                      logger=_logger(progress, cancel, has_audio))
            except OSError as exc:
                if exc.errno is not None:
                    raise  # a real file error: atomic_path says it in one line (a full disk, a folder)
                raise _failed(out, exc) from exc
            check_cancel(cancel, "side-by-side video cancelled")
            _check_written(probe(part), out, width, _even(height), n_frames)
    except OSError as exc:  # opening a clip: moviepy's IOError when ffmpeg cannot read it
        raise _failed(out, exc) from exc
    finally:
        for clip in clips:
            clip.close()
    progress(1.0, "done")
    left, right = placed
    return Composed(out, width, _even(height), fps, n_frames, duration, left, right,
                    audio if has_audio else "none")


def _soundtrack(mp, clips, sounds: list[int], audio: str, duration: float, rate: int):
    """The output's sound, ``duration`` long: one clip's, or (``"both"``) before left and after right."""
    import numpy as np

    if audio != "both":
        (k,) = sounds
        if clips[k].audio is None:
            return None
        track = mp.CompositeAudioClip([clips[k].audio])
    else:
        def channel(clip, side: int):
            def place(get_frame, t):
                x = np.asarray(get_frame(t), dtype=float)
                mono = x.mean(axis=-1)
                out = np.zeros((*mono.shape, 2))
                out[..., side] = mono
                return out

            part = clip.audio.transform(place)
            part.nchannels = 2
            return part

        parts = [channel(clip, side) for side, clip in enumerate(clips) if clip.audio is not None]
        track = mp.CompositeAudioClip(parts)
    track = track.with_duration(duration)
    track.fps = rate
    return track


def _failed(out: Path, exc: OSError) -> MediaError:
    """One line for moviepy's IOError, whose text is ffmpeg's whole log and advice; the log keeps it."""
    lines = [ln.strip() for ln in str(exc).strip().splitlines() if ln.strip()]
    said = next((ln for ln in reversed(lines) if not ln.startswith(("MoviePy", "The video export", "Please",
                                                                  "This would", "Another", ">>>"))),
                lines[0] if lines else type(exc).__name__)
    log.warning("moviepy failed composing %s: %s", out, exc)
    return MediaError(f"composing '{out.name}' side by side failed: {said[:200]}; nothing was written.")


def _check_written(info, out: Path, width: int, height: int, n_frames: int) -> None:
    """moviepy does not read ffmpeg's exit status: check the file holds what was composed."""
    video = info.video
    if video is None or (video.width, video.height) != (width, height) or \
            (video.n_frames and abs(int(video.n_frames) - n_frames) > 1):
        got = "no video" if video is None else f"{video.width}x{video.height}, {video.n_frames} frames"
        raise MediaError(f"composing '{out.name}' side by side wrote {got} instead of {width}x{height}, "
                         f"{n_frames} frames (a full disk?); nothing was written.")

