"""Background frames under new speech of another length: the head keeps moving at the footage's own rate.

Real footage (the bundled Obama sample lecture, 25 fps), its real tiny.en transcript and the real voice
engine. A retype that makes its span much longer and one that makes it much shorter are rendered; the
frames the exporter hands to the encoder are measured with dlib (landmarks found on every frame on its
own, never the choice's own tracking) and with plain pixel differences, against the same measures of
the source's own consecutive frames over the whole clip:

- no two consecutive frames in the span (or across its joins) are identical;
- no frame-to-frame jump is larger than the footage's own (its 99th percentile, in picture and in the
  rigid landmarks' motion);
- every frame outside the span is the very frame the plan's slot shows in the source;
- the export's audio and video last as long as each other (within a frame).
"""

from __future__ import annotations

import bisect
import functools
import hashlib
from fractions import Fraction

import cv2
import numpy as np
import pytest
from asr_fixtures import engine
from media_fixtures import stream_durations
from testmedia import OBAMA, WEBCAM, media_path
from voice_fixtures import module_voice_cache  # noqa: F401 - autouse: this module's own voice cache

from lecturecut.core import no_progress
from lecturecut.media.frames import read_timed_frames
from lecturecut.media.probe import probe
from lecturecut.models.face import RIGID_POINTS, DlibLandmarker
from lecturecut.synthesis.plan import SynthSpan, plan_for
from lecturecut.synthesis.project import Project
from lecturecut.synthesis.render.background import CONTEXT_S, POSE, SOURCE_RATE, span_background, span_background_frames
from lecturecut.synthesis.render.video import frame_instants, slot_time, write_frames

THUMB = 48  # px: frames compared at this size (the choice itself compares at another, 40)
P = 99  # the footage's own motion: this percentile of its consecutive frames'
LONGER = ("coast", "coast", "battle we're waging against")  # 0.29 s of "coast" -> 1.4 s of new words
SHORTER = ("battle", "oil", "spill")  # "battle we're waging against an oil" (1.7 s) -> "spill" (0.47 s)


@functools.cache
def lecture() -> Project:
    from lecturecut.asr.transcribe import transcribe

    source = media_path(OBAMA)
    return Project.create(source, probe(source), transcribe(str(source), model=engine("tiny.en"), language="en"))


@functools.cache
def landmarker() -> DlibLandmarker:
    return DlibLandmarker()


def thumb(frame: np.ndarray) -> np.ndarray:
    return cv2.resize(frame, (THUMB, THUMB), interpolation=cv2.INTER_AREA).astype(np.float32)


def rigid(frame: np.ndarray) -> np.ndarray | None:
    """The rigid landmarks (brows, nose, eyes) dlib finds on this frame alone, or None."""
    face = landmarker().detect(frame)
    return None if face is None else face.landmarks[RIGID_POINTS].astype(np.float64)


def pose_step(a: np.ndarray | None, b: np.ndarray | None) -> float | None:
    return None if a is None or b is None else float(np.linalg.norm(a - b, axis=1).mean())


@functools.cache
def source_frames() -> tuple[list[Fraction], list[np.ndarray]]:
    """Every frame of the sample lecture with its time on the audio clock (450x450: 0.3 GB in all)."""
    source = media_path(OBAMA)
    info = probe(source)
    start = Fraction(info.audio.start_s).limit_denominator(1_000_000)
    times, frames = [], []
    for t, f in read_timed_frames(source):
        times.append(t - start)
        frames.append(f)
    return times, frames


@functools.cache
def own_motion() -> tuple[float, float]:
    """(p99 of the mean absolute difference of consecutive 48 px thumbnails, p99 of the mean motion of
    the rigid landmarks between consecutive frames, px) over the whole sample lecture."""
    _, frames = source_frames()
    thumbs = [thumb(f) for f in frames]
    mad = [float(np.abs(a - b).mean()) for a, b in zip(thumbs, thumbs[1:])]
    points = [rigid(f) for f in frames]
    pose = [d for d in (pose_step(a, b) for a, b in zip(points, points[1:])) if d is not None]
    assert len(pose) >= 0.9 * len(mad)  # the lecturer's face is found in (nearly) every frame
    return float(np.percentile(mad, P)), float(np.percentile(pose, P))


@functools.cache
def edited(old: str, last: str, new: str):
    """(project, plan, index of the synthetic piece, its first output frame)."""
    base = lecture()
    norms = [w.norm for w in base.transcript.words]
    a, b = norms.index(old), norms.index(last) + 1
    project = base.with_edl(base.edl.replace(a, b, new), "edit")
    plan = plan_for(project, synthesize=True)
    (span,) = plan.synth_spans
    index = plan.spans.index(span)
    return project, plan, index, sum(s.n_frames for s in plan.spans[:index])


def rendered(project, plan, first: int, n: int, window=None) -> tuple[list[str], list[np.ndarray]]:
    """(sha256 of every frame handed to the encoder, the frames of output frames [first - 1, first + n + 1))."""
    digests, near = [], []
    at = [window[0] if window else 0]

    def keep(frame):
        if first - 1 <= at[0] < first + n + 1:
            near.append(frame.copy())
        digests.append(hashlib.sha256(frame.tobytes()).hexdigest())
        at[0] += 1

    write_frames(project, plan, keep, smooth_cuts=False, progress=no_progress, cancel=None, window=window)
    return digests, near


def shown_in_source(t: Fraction, fps: Fraction) -> np.ndarray:
    """The source frame the render shows at audio-clock instant t (the last one starting by then)."""
    times, frames = source_frames()
    return frames[max(bisect.bisect_right(times, t + Fraction(1, 4) / fps) - 1, 0)]


@pytest.mark.parametrize("edit", [LONGER, SHORTER], ids=["longer", "shorter"])
def test_the_head_keeps_moving_at_the_footages_own_rate(edit, tmp_path):
    project, plan, index, first = edited(*edit)
    span = plan.spans[index]
    n = span.n_frames
    fps = plan.fps
    replaced_s = (span.audio_end - span.audio_start) / plan.audio_rate
    new_s = span.n_samples / plan.audio_rate
    if edit is LONGER:
        assert new_s >= 1.4 * replaced_s, (new_s, replaced_s)
    else:
        assert new_s <= 0.6 * replaced_s, (new_s, replaced_s)

    digests, near = rendered(project, plan, first, n)
    assert len(digests) == plan.output_frames and len(near) == n + 2
    # no frozen frame: no output frame in the span, nor across its two joins, repeats the one before it
    same = [j for j in range(n + 1) if np.array_equal(near[j], near[j + 1])]
    assert same == [], same
    # no jump larger than the footage's own frame-to-frame motion (its p99), in picture and head pose
    mad_p99, pose_p99 = own_motion()
    thumbs = [thumb(f) for f in near]
    mad = [float(np.abs(a - b).mean()) for a, b in zip(thumbs, thumbs[1:])]
    assert max(mad) <= mad_p99, (max(mad), mad_p99, mad)
    points = [rigid(f) for f in near]
    assert all(p is not None for p in points)
    pose = [pose_step(a, b) for a, b in zip(points, points[1:])]
    assert max(pose) <= pose_p99, (max(pose), pose_p99, pose)

    # what was chosen: the source's own frames near the span, with at least one jump (not a uniform stretch)
    chosen = span_background(project, plan, index)
    assert chosen.method == POSE and chosen.jumps >= 1 and len(chosen.instants) == n, chosen
    a, b = Fraction(span.audio_start, plan.audio_rate), Fraction(span.audio_end, plan.audio_rate)
    assert all(a - CONTEXT_S - 1 / fps <= t <= b + CONTEXT_S for t in chosen.instants)
    # never a deleted word's frame: the footage lies within the kept pieces around the span
    lo = Fraction(plan.spans[index - 1].audio_start, plan.audio_rate)
    hi = Fraction(plan.spans[index + 1].audio_end, plan.audio_rate)
    assert all(lo - 1 / fps <= t <= hi for t in chosen.instants)
    for j, t in enumerate(chosen.instants):
        assert np.array_equal(near[j + 1], shown_in_source(t, fps)), j  # each one a source frame, untouched

    # every frame outside the span is the source frame the plan's slot shows, bit for bit
    outside = [(k, i) for k, todo in enumerate(frame_instants(plan)) if k != index for i in todo]
    assert len(outside) == plan.output_frames - n
    out_index = [j for j in range(plan.output_frames) if not first <= j < first + n]
    for j, (_, slot) in zip(out_index, outside, strict=True):
        frame = shown_in_source(slot_time(slot, fps), fps)
        assert digests[j] == hashlib.sha256(frame.tobytes()).hexdigest(), j

    # a window that starts inside the span (a preview) shows the very frames of the whole render
    window = (first + 2, first + n + 4)
    part, _ = rendered(project, plan, first, n, window=window)
    assert part == digests[window[0]:window[1]]

    # exported: audio and video as long as each other and as the plan (within a frame)
    from lecturecut.synthesis.export import ExportOptions, export

    out = tmp_path / "edited.mp4"
    export(project, out, ExportOptions(preset="draft", smooth_cuts=False, subtitles="none", lips=False))
    durations = stream_durations(out)
    frame_s = float(1 / fps)
    assert abs(durations["video"] - durations["audio"]) <= frame_s, durations
    assert abs(durations["video"] - plan.output_frames * frame_s) <= frame_s, durations
    assert abs(durations["audio"] - plan.output_duration_s) <= frame_s, durations


def test_a_span_as_long_as_its_range_plays_the_source_as_it_is():
    """A retype whose new words take as many frames as the old ones shows the range's frames unchanged."""
    project, plan, index, first = edited(*LONGER)
    span = plan.spans[index]
    times, _ = source_frames()
    tol = Fraction(1, 4) / plan.fps

    def cover(slot: int) -> int:  # the source frame the render shows in output slot ``slot``
        return bisect.bisect_right(times, slot_time(slot, plan.fps) + tol) - 1

    p, q = cover(plan.spans[index - 1].frame_end - 1), cover(plan.spans[index + 1].frame_start)
    n_src = q - p - 1  # the source frames between the last one shown before and the first one after
    from dataclasses import replace

    spans = list(plan.spans)
    spans[index] = replace(span, out_frames=n_src)  # the same plan, the span as long as its range
    same = replace(plan, spans=tuple(spans))
    chosen, frames = span_background_frames(project, same, index)
    assert chosen.method == SOURCE_RATE and chosen.jumps == 0 and len(chosen.instants) == n_src
    assert [times.index(t) for t in chosen.instants] == list(range(p + 1, q))  # consecutive, in order
    assert all(np.array_equal(frames[t], shown_in_source(t, plan.fps)) for t in chosen.instants)


def test_the_choice_is_the_same_every_time():
    """A pure function of the plan and the source: chosen afresh (nothing remembered) it is the same."""
    from lecturecut.synthesis.render import background

    project, plan, index, _ = edited(*SHORTER)
    once = span_background(project, plan, index)
    background._CHOSEN.clear()
    again = span_background(project, plan, index)
    assert sum(again.seconds.values()) > 0 and once.seconds == {}  # really chosen again (once: remembered)
    assert again.instants == once.instants and (again.jumps, again.turns) == (once.jumps, once.turns)
    assert isinstance(plan.spans[index], SynthSpan)


# ---------------------------------------------------------------- a larger picture: the webcam clip
MEASURE_SIZE = (540, 360)  # the webcam's 1080x720 frames are measured at half size (source and output alike)


@functools.cache
def webcam() -> Project:
    from lecturecut.asr.transcribe import transcribe

    source = media_path(WEBCAM)
    return Project.create(source, probe(source), transcribe(str(source), model=engine("tiny.en"), language="en"))


def measured(frame: np.ndarray) -> tuple[np.ndarray, np.ndarray | None]:
    small = cv2.resize(frame, MEASURE_SIZE, interpolation=cv2.INTER_AREA)
    return thumb(small), rigid(small)


@functools.cache
def webcam_footage() -> tuple[dict[Fraction, str], float, float]:
    """(sha256 of each frame by its audio-clock time, p99 of consecutive thumbnails' difference, p99 of the
    rigid landmarks' motion, px at half size) over the whole webcam clip."""
    source = media_path(WEBCAM)
    start = Fraction(probe(source).audio.start_s).limit_denominator(1_000_000)
    digests, thumbs, points = {}, [], []
    for t, f in read_timed_frames(source):
        digests[t - start] = hashlib.sha256(f.tobytes()).hexdigest()
        th, p = measured(f)
        thumbs.append(th)
        points.append(p)
    mad = [float(np.abs(a - b).mean()) for a, b in zip(thumbs, thumbs[1:])]
    pose = [d for d in (pose_step(a, b) for a, b in zip(points, points[1:])) if d is not None]
    assert len(pose) >= 0.9 * len(mad)
    return digests, float(np.percentile(mad, P)), float(np.percentile(pose, P))


def test_a_webcam_recording_tracked_scaled_down_shows_its_full_frames():
    """1080x720 at 30 fps (larger than the choice tracks at): "my name is" -> "my name is jordi mas is",
    the new words built from the speaker's phones, 0.23 s -> 1 s. The head keeps moving as the footage
    does, and the frames shown are the source's own, at full size (decoded again for the render)."""
    base = webcam()
    norms = [w.norm for w in base.transcript.words]
    k = norms.index("name")
    project = base.with_edl(base.edl.replace(k, k + 1, "name is jordi mas"), "edit")
    plan = plan_for(project, synthesize=True)
    (span,) = plan.synth_spans
    index = plan.spans.index(span)
    first, n = sum(s.n_frames for s in plan.spans[:index]), span.n_frames
    assert span.n_samples >= 1.4 * (span.audio_end - span.audio_start)

    digests, near = rendered(project, plan, first, n)
    assert len(digests) == plan.output_frames and near[0].shape == (720, 1080, 3)
    same = [j for j in range(n + 1) if np.array_equal(near[j], near[j + 1])]
    assert same == [], same
    source, mad_p99, pose_p99 = webcam_footage()
    got = [measured(f) for f in near]
    mad = [float(np.abs(a[0] - b[0]).mean()) for a, b in zip(got, got[1:])]
    assert max(mad) <= mad_p99, (max(mad), mad_p99, mad)
    pose = [pose_step(a[1], b[1]) for a, b in zip(got, got[1:])]
    assert all(d is not None for d in pose) and max(pose) <= pose_p99, (pose_p99, pose)

    chosen = span_background(project, plan, index)
    assert chosen.method == POSE and len(chosen.instants) == n and chosen.jumps + chosen.turns >= 1, chosen
    for j, t in enumerate(chosen.instants):  # each the source's own frame at its own time, full size
        assert digests[first + j] == source[t], j
