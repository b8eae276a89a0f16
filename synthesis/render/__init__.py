"""Render the edited lecture: the room where the render plan becomes a file.

``export()`` orchestrates; each stage has its own module and shares only the
:class:`~lecturecut.synthesis.plan.RenderPlan` with editing:

- ``render.audio``: kept spans copied sample-exactly, equal-power crossfades at the joins;
- ``render.video``: frames placed by presentation time on the audio clock, jump cuts smoothed;
- ``lecturecut.media.mux``: the containers we can write and the final mux.

(Smart render of untouched GOPs grows here as a new stage; the mouth under new speech is regenerated
by ``lecturecut.synthesis.lips`` from within ``render.video``.)

Everything that can be refused is refused before any rendering: bad options, a
container that cannot hold the result, a destination that exists (unless
``overwrite``), a folder we cannot write. Temporary files live in a
``lecturecut.files.work_dir`` beside the destination, so a killed export's
leftovers are swept by the next run.
"""

from __future__ import annotations

import errno
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lecturecut.core import ProgressFn, no_progress, scaled
from lecturecut.files import WriteError, atomic_path, disk_error_message, work_dir
from lecturecut.media.errors import FFmpegError, MediaError
from lecturecut.media.ffmpeg import DISK_FULL_MARKERS, run_ffmpeg
from lecturecut.media.mux import container_for, mux_args

from ..plan import RenderPlan, plan_for
from ..project import Project, check_not_source
from ..subtitles import build_cues, write_srt
from .audio import render_audio
from .delivery import ARCHIVE, MAX_TRUE_PEAK_DBTP, OPENHPI, OPENHPI_CHANNELS, OPENHPI_RATE, prefixed, write_sidecars
from .delivery import outputs as delivery_outputs
from .smart import render_video_smart

PRESETS = {  # name -> (x264 preset, crf): CRF 18 is visually lossless for lecture footage
    "draft": ("ultrafast", 23),  # previews and tests: fastest, larger file, visibly softer
    "fast": ("veryfast", 20),
    "balanced": ("faster", 18),  # x264 medium took 1.8x as long on 2 cores
    "quality": ("slow", 16),
}
SUBTITLE_MODES = ("none", "sidecar", "embed", "both")
AUDIO_BITRATE_PER_CHANNEL = 96_000  # bit/s; AAC at 96 kbit/s per channel is transparent for speech


class DestinationExists(MediaError):
    """The export would replace an existing file and was not asked to."""


@dataclass(frozen=True)
class ExportOptions:
    preset: str = "balanced"
    subtitles: str = "sidecar"  # "none" | "sidecar" | "embed" | "both"
    smooth_cuts: bool = True
    overwrite: bool = False  # replace an existing video / .srt / .vtt at the destination
    synthesize: bool = True  # speak retypes with the voice engine (False: every retype stays pending)
    full_render: bool = False  # re-encode every frame (default: copy the untouched stretches, render.smart)
    # "archive" (the source's audio untouched, sidecars named after the video) or "openhpi" (loudness to
    # loudness_lufs, AAC 48 kHz stereo, PREFIX-LANG.vtt zipped for upload): see render.delivery
    target: str = ARCHIVE
    prefix: str = ""  # a course prefix every output's name starts with
    loudness_lufs: float = -16.0  # openhpi: the integrated loudness (true peak at most -1 dBTP)
    audio_track: bool = False  # also the audio alone, OUT.m4a
    mark_synthetic: bool = False  # a small "synthetic" badge burned into the frames under new speech
    timeline: bool = False  # also OUT.otio, the edit as an OpenTimelineIO timeline (render.timeline)
    # the mouth under new speech: "own" (the lecturer's own mouth footage), "gan" (the Wav2Lip GAN, opt-in:
    # its weights must be fetched) or "off" (the background frames as chosen); True / False mean "own" / "off"
    lips: bool | str = "own"


@dataclass(frozen=True)
class ExportResult:
    path: Path
    duration_s: float
    n_cuts: int
    plan: RenderPlan
    subtitle_paths: tuple[Path, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)  # incl. "retype N stays pending: <reason>"
    # (replacement index in project.edl.replacements, method, seconds of new speech) per spoken retype;
    # the warnings' "retype N" counts from 1 (N = index + 1)
    synthesized: tuple[tuple[int, str, float], ...] = ()
    # what the lips engine did under each spoken retype (method, frames changed, or why not), in plan order
    lips: tuple = ()
    video_render: Any = None  # render.smart.RenderReport: smart (how much was copied) or full, and why
    loudness: Any = None  # openhpi: lecturecut.media.loudness.Normalized (before, after, gain)
    files: tuple[Path, ...] = ()  # everything written: the video, sidecars, zip, transcript, audio track, record


LIPS_CHOICES = ("own", "gan", "off")


def lips_choice(value: bool | str | None) -> str:
    """``ExportOptions.lips`` as one of :data:`LIPS_CHOICES` (True, as older callers give it, is "own")."""
    if value is True:
        return "own"
    if value is False or value is None:
        return "off"
    if value in LIPS_CHOICES:
        return value
    raise ValueError(f"unknown lips method {value!r}; choose one of {', '.join(LIPS_CHOICES)}")


def check_lips(project: Project, lips: str, synthesize: bool = True) -> None:
    """Refuse, before any work, the GAN lips where its weights are not installed (and it would be used)."""
    if lips == "gan" and synthesize and project.media.video is not None and project.edl.replacements:
        from ..lips.gan import weights_path

        weights_path()  # a one-line error saying how to fetch them


def outputs_of(out_path: Path, options: ExportOptions, language: str = "") -> list[Path]:
    """Every file an export to ``out_path`` may write (``language``: the transcript's, which openhpi's
    subtitle names carry)."""
    return delivery_outputs(Path(out_path), options.target, options.prefix, language, options.subtitles,
                            options.audio_track, options.timeline).all()


def export(project: Project, out_path: str | Path, options: ExportOptions = ExportOptions(),
           progress: ProgressFn | None = None, cancel: object | None = None) -> ExportResult:
    """Render the edited lecture to ``out_path``; nothing is left behind on failure or cancel."""
    progress = progress or no_progress
    out_path = prefixed(Path(out_path), options.prefix)  # every output's name starts with the course prefix
    if options.preset not in PRESETS:
        raise ValueError(f"unknown preset {options.preset!r}; choose one of {', '.join(PRESETS)}")
    if options.subtitles not in SUBTITLE_MODES:
        raise ValueError(f"unknown subtitles mode {options.subtitles!r}")
    lips = lips_choice(options.lips)
    media = project.media
    has_video = media.video is not None
    container = container_for(out_path, has_video=has_video, embed_subtitles=options.subtitles in ("embed", "both"))
    project.check_source()
    check_not_source(project, out_path, "export")
    _check_destination(out_path)
    if not options.overwrite:
        for target in outputs_of(out_path, options, project.transcript.language):
            if target.exists():
                raise DestinationExists(f"'{target}' already exists and was left as it is. Choose another name, "
                                        "or allow replacing it (command line: --force).")
    check_lips(project, lips, options.synthesize)
    progress(0.0, "planning cuts")
    # new speech is the slow part of planning when there are retypes (a corpus pass, the fits)
    share = 0.3 if options.synthesize and project.edl.replacements else 0.05
    plan = plan_for(project, scaled(progress, 0.0, share), cancel, synthesize=options.synthesize)
    if share != 0.05:
        progress = _after(progress, share)
    try:
        return _render(project, plan, out_path, options, container, progress, cancel)
    except (WriteError, FFmpegError) as exc:
        if _disk_full(exc, out_path.parent):
            # one line naming what the user chose, not the temporary file that hit the limit
            raise WriteError(disk_error_message(OSError(errno.ENOSPC, os.strerror(errno.ENOSPC)), out_path)) from None
        raise


FULL_BELOW_BYTES = 1 << 20  # a failed write with less than this free was the disk filling up


def _disk_full(exc: Exception, folder: Path) -> bool:
    if isinstance(exc, FFmpegError) and any(m in exc.stderr for m in DISK_FULL_MARKERS):
        return True
    try:
        st = os.statvfs(folder)
    except OSError:
        return False
    return st.f_bavail * st.f_frsize < FULL_BELOW_BYTES


def _render(project: Project, plan: RenderPlan, out_path: Path, options: ExportOptions, container,
            progress: ProgressFn, cancel) -> ExportResult:
    from .provenance import comment_for, edits_record, write_record

    media = project.media
    has_video = media.video is not None
    x264_preset, crf = PRESETS[options.preset]
    # Temporary audio/video live beside the destination: the user picked a disk with room for the
    # result (a 3-hour lecture needs gigabytes of intermediate audio that /tmp may not have).
    with work_dir(out_path.parent, "export") as tmp:
        wav = tmp / "audio.wav"
        render_audio(project, plan, wav, scaled(progress, 0.05, 0.1 if has_video else 0.8), cancel)
        loudness = None
        if options.target == OPENHPI:  # the whole mix at once: joins stay sample-exact, one gain for all
            from lecturecut.media.loudness import normalize

            progress(None, "normalising loudness")
            loudness = normalize(wav, tmp / "audio_normalized.wav", target_lufs=options.loudness_lufs,
                                 max_true_peak=MAX_TRUE_PEAK_DBTP, cancel=cancel)
            wav = tmp / "audio_normalized.wav"
        rate, channels = (OPENHPI_RATE, OPENHPI_CHANNELS) if options.target == OPENHPI else (None, None)
        names = delivery_outputs(out_path, options.target, options.prefix, project.transcript.language,
                                 options.subtitles, options.audio_track, options.timeline)
        video_file = tmp / "video.mp4"
        video_report = None
        method = lips_choice(options.lips)
        lips: list | None = [] if method != "off" and has_video and plan.synth_spans else None
        if has_video:
            video_report = render_video_smart(project, plan, video_file, x264_preset=x264_preset, crf=crf,
                                              full_render=options.full_render, mark_synthetic=options.mark_synthetic,
                         smooth_cuts=options.smooth_cuts, progress=scaled(progress, 0.1, 0.93), cancel=cancel,
                         lips=lips, lips_method=method)
        cues = build_cues(project.transcript, project.edl, plan)
        srt = tmp / "subtitles.srt"
        write_srt(cues, srt)
        embed = options.subtitles in ("embed", "both") and bool(cues)
        with atomic_path(out_path) as part:
            args = mux_args(part, wav, AUDIO_BITRATE_PER_CHANNEL * (channels or media.audio.channels),
                            video=video_file if has_video else None, subtitles=srt if embed else None,
                            subtitle_language=_iso639_2(project.transcript.language), container=container,
                            comment=comment_for(out_path), audio_rate=rate, audio_channels=channels)
            run_ffmpeg(args, duration_s=plan.output_duration_s,
                       progress=scaled(progress, 0.93, 1.0), cancel=cancel,
                       message="writing the file", what="writing the exported file")
            check_streams(part, plan)  # before it is renamed into place
        files = [out_path, *write_sidecars(cues, names)]
        subtitle_paths = [p for p in files if p in (names.srt, names.vtt)]
        if names.audio_track is not None:
            with atomic_path(names.audio_track) as part:
                args = mux_args(part, wav, AUDIO_BITRATE_PER_CHANNEL * (channels or media.audio.channels),
                                container=container_for(names.audio_track, has_video=False, embed_subtitles=False),
                                comment=comment_for(out_path), audio_rate=rate, audio_channels=channels)
                run_ffmpeg(args, duration_s=plan.output_duration_s, cancel=cancel, message="writing the audio track",
                           what="writing the audio track")
            files.append(names.audio_track)
        # never silent: every cut, synthesized voice and regenerated frame, listed beside the video
        if names.timeline is not None:
            from .timeline import write_timeline

            files.append(write_timeline(project, plan, names.timeline, out_path, overwrite=True))  # checked above
        record = edits_record(project, plan, lips or ())
        record["marked_synthetic"] = bool(options.mark_synthetic and has_video)
        files.append(write_record(record, out_path))
    progress(1.0, "done")
    synthesized = tuple((s.replacement, s.method, s.n_samples / plan.audio_rate) for s in plan.synth_spans)
    return ExportResult(out_path, plan.output_duration_s, plan.n_cuts, plan, tuple(subtitle_paths), plan.warnings,
                        synthesized, tuple(lips or ()), video_report, loudness, tuple(files))


def check_streams(path: Path, plan: RenderPlan) -> None:
    """The written file has the plan's frames, and its audio and video last the same within a frame;
    a one-line MediaError otherwise (the file is then never renamed into place)."""
    from lecturecut.media.packets import stream_summary

    found = stream_summary(path)
    if "audio" not in found:
        raise MediaError("The exported file has no readable audio stream; nothing was replaced. Try again, "
                         "or export with --full-render.")
    video = found.get("video")
    if video is None or plan.fps is None or path.suffix.lower() == ".avi":
        return  # (AVI counts B-frame placeholders among its frames: its count says nothing here)
    if "nb_frames" not in video:  # Matroska, AVI: the container does not say; count the packets (no decode)
        found = stream_summary(path, count_packets=True)
        video = found["video"]
    frames = int(video.get("nb_frames", video.get("nb_read_packets", -1)))
    if frames != plan.output_frames:
        raise MediaError(f"The exported video has {frames} frames, not the planned {plan.output_frames}; "
                         "nothing was replaced. Export again with --full-render.")
    if "duration" in video and "duration" in found["audio"]:
        gap = abs(float(video["duration"]) - float(found["audio"]["duration"]))
        if gap > 1.5 / float(plan.fps):
            raise MediaError(f"The exported audio and video differ in length by {gap:.3f} s; nothing was "
                             "replaced. Export again with --full-render.")


def _after(progress: ProgressFn, lo: float) -> ProgressFn:
    """The render stages' progress (planned for [0.05, 1]) squeezed into [lo, 1] after a long plan."""
    def report(fraction, message: str) -> None:
        progress(None if fraction is None else lo + (1 - lo) * max(fraction - 0.05, 0.0) / 0.95, message)

    return report


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


__all__ = ["AUDIO_BITRATE_PER_CHANNEL", "DestinationExists", "ExportOptions", "ExportResult", "LIPS_CHOICES",
           "PRESETS", "check_lips", "export", "lips_choice", "outputs_of"]
