"""One edit, before and after: a few seconds of the recording around it, then the same moment of the
edited lecture, rendered by the export's own renderer over just those seconds.

The edits are numbered from 1 in source order, cuts (deleted runs of words) and retypes or insertions
together, as the app's edit list shows them (:func:`edits`). ``preview_edit`` plans the lecture as
the export does (retypes spoken by the voice engine, ``plan_for(synthesize=True)``) and renders two
windows of plans: the recording as it is (one span over the whole source), and the edited lecture's
output window around the edit; the mix, the crossfades and the smoothed jump cuts are the export's,
sample for sample and frame for frame (``render.audio.mix_plan`` and ``render.video.write_frames``
with a window), so a preview of minute 50 of a long lecture decodes video from just before minute 50
and encodes only the seconds it shows.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import Callable

import numpy as np

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.core import LecturecutError, ProgressFn, check_cancel, no_progress, scaled
from lecturecut.files import atomic_path, work_dir

from .plan import NothingToExport, RenderPlan, Span, SynthSpan, plan_for, word_extent
from .project import Project, check_not_source
from .render.audio import output_starts

CONTEXT_S = 2.0  # seconds shown either side of the edit
FADE_S = 0.005  # each half fades in and out this fast: no click where the two halves meet
AUDIO_GAP_S = 0.4  # silence between the halves of an audio-only preview (no caption tells them apart)
PRESET = "fast"  # the export preset the preview encodes with (veryfast, CRF 20)
KINDS = ("cut", "retype", "insert")
MAX_SHOWN_WORDS = 8


class NoSuchEdit(LecturecutError):
    """The edit number asked for is not one of the project's edits."""


class NoPicture(LecturecutError):
    """A side-by-side preview was asked of a lecture without video."""


@dataclass(frozen=True)
class Edit:
    number: int  # 1-based, in source order
    kind: str  # "cut" | "retype" | "insert" | "pause"
    start: int  # source words [start, end) (an insertion or a pause: start == end, before word start)
    end: int
    start_s: float  # source time of its words (an insertion: the instant it is said at)
    end_s: float
    before: str  # the recorded words ("" for an insertion; a pause: its length, "2.4 s")
    after: str  # the new text ("" for a cut; a pause: what it keeps, "0.5 s")
    replacement: int | None = None  # index in project.edl.replacements (retypes and insertions)


def _shown(words: list[str]) -> str:
    return " ".join(words[:MAX_SHOWN_WORDS]) + (" \u2026" if len(words) > MAX_SHOWN_WORDS else "")


def edits(project: Project) -> list[Edit]:
    """Every edit of the project, numbered from 1 in source order (the app's edit list order)."""
    words = project.transcript.words
    n = len(words)
    edl = project.edl

    def times(a: int, b: int) -> tuple[float, float]:
        if a >= n:
            t = words[-1].end_s if words else 0.0
            return t, t
        if b <= a:
            return words[a].start_s, words[a].start_s
        return words[a].start_s, words[b - 1].end_s

    found: list[tuple[str, int, int, str, int | None]] = [
        ("cut", a, b, "", None) for a, b in edl.deleted_runs()]
    found += [("insert" if r.is_insertion else "retype", r.start, r.end, r.text, k)
              for k, r in enumerate(edl.replacements)]
    found += [("pause", p.before, p.before, f"{p.keep_ms / 1000:.1f} s", None) for p in edl.pauses]
    found.sort(key=lambda e: (e[1], e[2]))  # stable: a cut and an insertion at one place, the cut first
    out = []
    for number, (kind, a, b, text, k) in enumerate(found, 1):
        if kind == "pause":  # the silence between words a - 1 and a
            t0, t1 = words[a - 1].end_s, words[a].start_s
            out.append(Edit(number, kind, a, b, t0, t1, f"{t1 - t0:.1f} s", text, None))
            continue
        t0, t1 = times(a, b)
        out.append(Edit(number, kind, a, b, t0, t1, _shown([w.text for w in words[a:b]]), _shown(text.split()), k))
    return out


def edit_at(project: Project, number: int) -> Edit:
    """Edit ``number`` (from 1), or a one-line NoSuchEdit naming the valid range."""
    found = edits(project)
    if not found:
        raise NoSuchEdit("This project has no edits yet; delete or retype some words first.")
    if not 1 <= number <= len(found):
        valid = "1" if len(found) == 1 else f"1 to {len(found)}"
        raise NoSuchEdit(f"There is no edit {number}: this project's edits are numbered {valid} "
                         "(see 'lecturecut edits PROJECT').")
    return found[number - 1]


# ---------------------------------------------------------------- where an edit is
@dataclass(frozen=True)
class Moment:
    """Where an edit is (samples @ the plan's rate): its source stretch and the output stretch that
    takes its place (a cut: the join, an empty stretch)."""

    source: tuple[int, int]
    output: tuple[int, int]
    spoken: SynthSpan | None = None  # a retype's new speech in the plan (None: a cut, or still pending)


def _to_output(plan: RenderPlan, x: int) -> int:
    """The output sample of source sample ``x``; where it was cut out, where the source resumes."""
    y = plan.source_to_output(x)
    if y is not None:
        return y
    starts = [s.audio_start for s in plan.spans]
    k = bisect.bisect_right(starts, x)
    return plan.output_samples if k >= len(plan.spans) else output_starts(plan)[k]


def locate(project: Project, plan: RenderPlan, edit: Edit) -> Moment:
    """The source and output stretches of ``edit`` in ``plan``."""
    rate = plan.audio_rate
    words = project.transcript.words

    def at_rate(t16: int) -> int:
        return int(round(t16 * rate / WORD_RATE))

    if edit.kind == "pause":  # the pause between the two words
        ws, we = at_rate(word_extent(words[edit.start - 1])[1]), at_rate(word_extent(words[edit.start])[0])
    elif edit.start < edit.end:
        ws, we = at_rate(word_extent(words[edit.start])[0]), at_rate(word_extent(words[edit.end - 1])[1])
    else:  # an insertion: the instant before word ``start`` (after the last word at the end)
        ws = we = (at_rate(word_extent(words[edit.start])[0]) if edit.start < len(words)
                   else at_rate(word_extent(words[-1])[1]) if words else 0)
    if edit.kind in ("cut", "pause"):
        best, overlap = (ws, we), 0
        for a, b in plan.removed_ranges():
            o = min(b, we) - max(a, ws)
            if o > overlap:
                best, overlap = (a, b), o
        a, b = best
        join = plan.output_samples if b >= plan.source_samples else _to_output(plan, b)
        return Moment((a, b), (join, join))
    for span, start in zip(plan.spans, output_starts(plan)):
        if isinstance(span, SynthSpan) and span.replacement == edit.replacement:
            return Moment((span.audio_start, span.audio_end), (start, start + span.n_samples), span)
    # pending: the recorded words stay where they were
    return Moment((ws, we), (_to_output(plan, ws), _to_output(plan, we)))


# ---------------------------------------------------------------- windows of plans
def source_plan(plan: RenderPlan) -> RenderPlan:
    """The plan of the recording as it is: one span over the whole source, on ``plan``'s clocks."""
    frames = plan.source_frames if plan.fps is not None else 0
    return RenderPlan(plan.audio_rate, plan.fps, plan.source_samples, plan.source_frames,
                      (Span(0, plan.source_samples, 0, frames),), plan.crossfade)


@dataclass(frozen=True)
class Window:
    """Output samples [start, end) of a plan and, with video, the output frames [frame_start, frame_end)
    that show them (the samples are the frames' instants, rounded to the nearest sample)."""

    start: int
    end: int
    frame_start: int = 0
    frame_end: int = 0


def _round_half_up(x: Fraction) -> int:
    return int((x + Fraction(1, 2)).__floor__())


def window_of(plan: RenderPlan, start: int, end: int) -> Window:
    """The window of ``plan``'s output around samples [start, end), clamped to the output; with video,
    widened or narrowed to whole frames so the audio and the video of a window are equally long."""
    start, end = max(start, 0), min(end, plan.output_samples)
    if plan.fps is None:
        return Window(start, max(end, start))
    rate, fps = plan.audio_rate, plan.fps
    f0 = min(_round_half_up(Fraction(start) * fps / rate), plan.output_frames)
    f1 = min(max(_round_half_up(Fraction(end) * fps / rate), f0), plan.output_frames)
    a = min(_round_half_up(Fraction(f0) * rate / fps), plan.output_samples)
    b = min(max(_round_half_up(Fraction(f1) * rate / fps), a), plan.output_samples)
    return Window(a, b, f0, f1)


# ---------------------------------------------------------------- the preview
@dataclass(frozen=True)
class PreviewResult:
    path: Path
    edit: Edit
    n_edits: int
    before_s: float  # length of the "before" half (the recording)
    after_s: float  # length of the "after" half (the edited lecture)
    gap_s: float  # silence between them (audio-only previews)
    source_window_s: tuple[float, float]  # what the before half shows, source seconds
    output_window_s: tuple[float, float]  # what the after half shows, seconds of the edited lecture
    method: str | None = None  # how a retype's new speech was made; None for a cut or a pending retype
    warnings: tuple[str, ...] = ()
    layout: str = "sequential"  # "sequential": before, then after; "side-by-side": before left, after right
    audio: str = "both"  # what is heard: both halves in turn (sequential), or the side-by-side's choice
    lips: tuple = ()  # one lips.LipsResult per spoken retype shown (its mouth regenerated, or why not)

    @property
    def duration_s(self) -> float:
        if self.layout == "side-by-side":  # both halves play at once; the shorter holds its last frame
            return max(self.before_s, self.after_s)
        return self.before_s + self.gap_s + self.after_s


def _clock(t: float) -> str:
    return f"{int(t // 60)}:{int(t % 60):02d}"


class _Faded:
    """Writes a half's audio blocks, fading its first and last ``n`` samples (holds back ``n``)."""

    def __init__(self, write: Callable[[np.ndarray], None], n: int) -> None:
        self._write, self._n = write, n
        self._head = 0  # samples faded in so far
        self._tail: np.ndarray | None = None

    def __call__(self, block: np.ndarray) -> None:
        block = np.array(block, np.float32)
        if self._head < self._n:
            m = min(self._n - self._head, len(block))
            block[:m] *= ((np.arange(self._head, self._head + m) + 0.5) / self._n)[:, None].astype(np.float32)
            self._head += m
        held = block if self._tail is None else np.concatenate([self._tail, block])
        if len(held) > self._n:
            self._write(held[:len(held) - self._n])
            held = held[len(held) - self._n:]
        self._tail = held

    def close(self) -> None:
        if self._tail is not None and len(self._tail):
            m = len(self._tail)
            self._tail *= ((m - np.arange(m) - 0.5) / self._n)[:, None].clip(0, 1).astype(np.float32)
            self._write(self._tail)
        self._tail = None


@dataclass(frozen=True)
class Half:
    """One captioned stretch of a before/after video: a window of a plan."""

    plan: RenderPlan
    window: Window
    caption: str

    @property
    def n_samples(self) -> int:
        return self.window.end - self.window.start


def render_halves(project: Project, halves: list[Half], out_path: Path, container, *,
                  progress: ProgressFn | None = None, cancel: object | None = None, lips: list | None = None,
                  lips_method: str = "own") -> int:
    """Render ``halves`` one after another into ``out_path`` (atomically), each a window of its plan
    rendered by the export's renderer; with video each half carries its caption, without it a short
    silence separates them. Returns the gap between halves, in samples."""
    import soundfile as sf

    from lecturecut.media.ffmpeg import run_ffmpeg
    from lecturecut.media.frames import FrameWriter
    from lecturecut.media.mux import mux_args
    from lecturecut.media.reel import Caption

    from .render import AUDIO_BITRATE_PER_CHANNEL, PRESETS
    from .render.audio import _write_error, mix_plan
    from .render.video import write_frames

    progress = progress or no_progress
    media = project.media
    has_video = media.video is not None
    rate = halves[0].plan.audio_rate
    channels = media.audio.channels
    gap = 0 if has_video else int(round(AUDIO_GAP_S * rate))
    fade = int(round(FADE_S * rate))
    total = sum(h.n_samples for h in halves)
    if not total:
        raise NothingToExport("There is nothing to show around this edit without context; give some seconds "
                              "of context (command line: --context).")
    audio_share = 0.1 if has_video else 0.9
    with work_dir(out_path.parent, "preview") as tmp:
        wav = tmp / "audio.wav"
        done = 0
        try:
            with sf.SoundFile(str(wav), "w", samplerate=rate, channels=channels, format="RF64",
                              subtype="FLOAT") as out:
                for k, half in enumerate(halves):
                    if k and gap:
                        out.write(np.zeros((gap, channels), np.float32))
                    faded = _Faded(out.write, fade)

                    def write(block: np.ndarray, faded=faded) -> None:
                        nonlocal done
                        check_cancel(cancel)
                        faded(block)
                        done += len(block)
                        progress(audio_share * done / total, "cutting audio")

                    mix_plan(project, half.plan, write, cancel, (half.window.start, half.window.end))
                    faded.close()
        except (OSError, sf.LibsndfileError) as exc:
            raise _write_error(exc, wav) from exc
        video_file = None
        if has_video:
            video_file = tmp / "video.mp4"
            video = media.video
            width, height = ((video.height, video.width) if video.rotation in (90, 270)
                             else (video.width, video.height))
            x264_preset, crf = PRESETS[PRESET]
            lo = audio_share
            with FrameWriter(video_file, width, height, halves[0].plan.fps,
                             codec_args=["-c:v", "libx264", "-preset", x264_preset, "-crf", str(crf)],
                             color_space=video.color_space, cancel=cancel) as writer:
                for half in halves:
                    caption = Caption(half.caption, width, height)
                    hi = lo + 0.85 * half.n_samples / total
                    write_frames(project, half.plan, lambda frame, caption=caption: writer.write(caption(frame)),
                                 smooth_cuts=True, progress=scaled(progress, lo, hi), cancel=cancel,
                                 window=(half.window.frame_start, half.window.frame_end), lips=lips,
                                 lips_method=lips_method)
                    lo = hi
        with atomic_path(out_path) as part:
            args = mux_args(part, wav, AUDIO_BITRATE_PER_CHANNEL * channels, video=video_file, container=container)
            run_ffmpeg(args, duration_s=(total + gap * (len(halves) - 1)) / rate,
                       progress=scaled(progress, 0.95, 1.0), cancel=cancel,
                       message="writing the file", what="writing the preview")
    progress(1.0, "done")
    return gap


def preview_edit(project: Project, n: int, out_path: str | Path, *, context_s: float = CONTEXT_S,
                 overwrite: bool = False, side_by_side: bool = False, audio: str = "after", lips: bool | str = True,
                 progress: ProgressFn | None = None, cancel: object | None = None) -> PreviewResult:
    """Render edit ``n`` (from 1, see :func:`edits`) before and after into ``out_path``: the recording
    from ``context_s`` before the edit to ``context_s`` after it, then the same moment of the edited
    lecture (retypes spoken, cuts crossfaded, jump cuts smoothed, as exported).

    A video lecture gives a video with each half captioned; an audio-only one an audio file (.m4a, or
    .mp4 holding audio only) with a short silence between the halves. With ``side_by_side`` the two
    halves play at once instead, the recording on the left and the edited lecture on the right (each
    rendered and captioned as above into a temporary file, then composed by
    :func:`lecturecut.media.compare.side_by_side`); the sound is the ``audio`` one of "after" (the
    default: the edited sound is what is judged), "before", or "both" (before left, after right).
    Under new speech the mouth is regenerated as the export does (``lips``: "own", "gan" or "off", as
    ``ExportOptions.lips``; the result lists what was done). Nothing is written on failure or cancel;
    an existing ``out_path`` is replaced only with ``overwrite``.
    """
    from lecturecut.media.compare import AUDIO_CHOICES

    progress = progress or no_progress
    out_path = Path(out_path)
    edit = edit_at(project, n)
    n_edits = len(edits(project))
    if side_by_side and project.media.video is None:
        raise NoPicture("This lecture has no video, so there is nothing to show side by side; preview it "
                        "without --side-by-side (the sound before, then after).")
    if side_by_side and audio not in AUDIO_CHOICES:
        raise ValueError(f"audio={audio!r}: choose one of {', '.join(AUDIO_CHOICES)}")
    container = check_output(project, out_path, overwrite, "preview")
    from .render import check_lips, lips_choice

    method = lips_choice(lips)
    check_lips(project, method)
    if context_s < 0:
        raise ValueError(f"the context ({context_s:g} s) is negative; give the seconds to show either side")
    share = 0.3 if project.edl.replacements else 0.1  # new speech is the slow part of planning
    progress(0.0, "planning the edit")
    plan = plan_for(project, scaled(progress, 0.0, share), cancel, synthesize=True)
    rate = plan.audio_rate
    moment = locate(project, plan, edit)
    pad = int(round(context_s * rate))
    before = window_of(source_plan(plan), moment.source[0] - pad, moment.source[1] + pad)
    after = window_of(plan, moment.output[0] - pad, moment.output[1] + pad)
    warnings = []
    if edit.replacement is not None and moment.spoken is None:
        prefix = f"retype {edit.replacement + 1} stays pending: "
        reason = next((w[len(prefix):] for w in plan.warnings if w.startswith(prefix)), "no new speech")
        warnings.append(f"edit {edit.number} stays pending ({reason}); the after half plays the recorded words")
    label = f"edit {edit.number}/{n_edits}"
    # each half's label gives the edit's time on its own clock: the recording's, the edited lecture's
    halves = [Half(source_plan(plan), before, f"{label} at {_clock(moment.source[0] / rate)} - before"),
              Half(plan, after, f"{label} at {_clock(moment.output[0] / rate)} - after")]
    regenerated: list | None = [] if method != "off" else None  # the mouth under new speech, as export makes it
    if side_by_side:
        sound = _side_by_side(project, halves, out_path, audio, scaled(progress, share, 1.0), cancel, regenerated,
                              method)
        gap = 0
    else:
        gap = render_halves(project, halves, out_path, container, progress=scaled(progress, share, 1.0),
                            cancel=cancel, lips=regenerated, lips_method=method)
    warnings += [f"edit {edit.number}: {r.summary}" for r in regenerated or () if r.reason]
    return PreviewResult(out_path, edit, n_edits, (before.end - before.start) / rate,
                         (after.end - after.start) / rate, gap / rate,
                         (before.start / rate, before.end / rate), (after.start / rate, after.end / rate),
                         moment.spoken.method if moment.spoken is not None else None, tuple(warnings),
                         "side-by-side" if side_by_side else "sequential", sound if side_by_side else "both",
                         tuple(regenerated or ()))


COMPOSE_SHARE = 0.45  # of a side-by-side preview's rendering: moviepy decodes both halves and encodes again


def _side_by_side(project: Project, halves: list[Half], out_path: Path, audio: str,
                  progress: ProgressFn, cancel: object | None, lips: list | None = None,
                  lips_method: str = "own") -> str:
    """Render each half alone into a temporary file (as ``render_halves`` renders it), then compose
    the two into ``out_path``, the before half on the left. Returns what the output's sound is."""
    from lecturecut.media.compare import side_by_side
    from lecturecut.media.mux import CONTAINERS

    total = sum(h.n_samples for h in halves) or 1
    with work_dir(out_path.parent, "sidebyside") as tmp:
        files, lo = [], 0.0
        for name, half in zip(("before", "after"), halves):
            hi = lo + (1 - COMPOSE_SHARE) * half.n_samples / total
            files.append(tmp / f"{name}.mp4")
            render_halves(project, [half], files[-1], CONTAINERS[".mp4"], progress=scaled(progress, lo, hi),
                          cancel=cancel, lips=lips, lips_method=lips_method)
            lo = hi
        composed = side_by_side(files[0], files[1], out_path, labels=None, audio=audio,
                                progress=scaled(progress, lo, 1.0), cancel=cancel)
    return composed.audio


def check_output(project: Project, out_path: Path, overwrite: bool, what: str):
    """Everything refused before any work: a file type that cannot hold the result, the source itself,
    a folder we cannot write, an existing file (unless ``overwrite``). Returns the container."""
    from lecturecut.media.mux import container_for

    from .render import DestinationExists, _check_destination

    container = container_for(out_path, has_video=project.media.video is not None, embed_subtitles=False)
    project.check_source()
    check_not_source(project, out_path, what)
    _check_destination(out_path)
    if out_path.exists() and not overwrite:
        raise DestinationExists(f"'{out_path}' already exists and was left as it is. Choose another name, "
                                "or allow replacing it (command line: --force).")
    return container
