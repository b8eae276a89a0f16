"""Lips, own-mouth method: under new speech the lecturer's own mouth says it, everything else stays.

Real footage (the bundled Obama sample lecture, 25 fps), its real tiny.en transcript, the real
voice engine and real dlib landmarks. The frames given to the engine are the ones the video
render shows under the span (the original picture retimed); what comes back is measured with
dlib on the result, never with the engine's own landmarks.

The lip checks allow the footage's own lag: in this clip the lips close up to ~0.1 s after the
audio's closure (measured on the original "battle": silence of the /b/ at 0.82-0.90 s, lips
shut in the frames at 0.92-1.12 s), so a phone's frames are looked at up to ``LAG_FRAMES`` late.
"""

from __future__ import annotations

import bisect
import functools
import re
from fractions import Fraction

import numpy as np
from asr_fixtures import engine
from testmedia import OBAMA, media_path
from voice_fixtures import module_voice_cache  # noqa: F401 - autouse: this module's own voice cache

from lecturecut.media.probe import probe
from lecturecut.models.face import RIGID_POINTS, DlibLandmarker
from lecturecut.synthesis.lips import NOT_REGENERATED, OWN_MOUTH, regenerate_span
from lecturecut.synthesis.lips.engine import span_offsets
from lecturecut.synthesis.lips.source import SourceFrames
from lecturecut.synthesis.lips.track import inner_lip_opening, track
from lecturecut.synthesis.lips.visemes import is_bilabial, is_open_vowel
from lecturecut.synthesis.plan import SynthSpan, plan_for
from lecturecut.synthesis.project import Project
from lecturecut.synthesis.render.video import frame_instants, slot_time

LAG_FRAMES = 3  # the footage's own lip lag behind its audio (see the module docstring), in frames
CLOSED = 0.3  # a closure: opening within this fraction of the span's range above its minimum
OPEN = 0.5  # an open vowel: opening at least this fraction of the range above the minimum


@functools.cache
def lecture() -> Project:
    from lecturecut.asr.transcribe import transcribe

    source = media_path(OBAMA)
    return Project.create(source, probe(source), transcribe(str(source), model=engine("tiny.en"), language="en"))


@functools.cache
def landmarker() -> DlibLandmarker:
    return DlibLandmarker()


def index_of(project: Project, norm: str) -> int:
    hits = [k for k, w in enumerate(project.transcript.words) if w.norm == norm]
    assert hits, (norm, project.transcript.text)
    return hits[0]


@functools.cache
def edited(old: str, new: str):
    """(project, plan, piece index, the piece's frames as rendered, the frame before, the frame after)."""
    base = lecture()
    k = index_of(base, old)
    project = base.with_edl(base.edl.replace(k, k + 1, new), "edit")
    plan = plan_for(project, synthesize=True)
    (span,) = plan.synth_spans
    index = plan.spans.index(span)
    instants = list(frame_instants(plan))
    before = slot_time(instants[index - 1][-1], plan.fps)
    after = slot_time(instants[index + 1][0], plan.fps)
    decoded = SourceFrames(project.source).between(float(before) - 0.2, float(after) + 0.2)
    times = [t for t, _ in decoded]
    tol = float(Fraction(1, 4) / plan.fps)  # as the video render: a frame starting a hair late still covers

    def shown(t) -> np.ndarray:  # the frame the video render shows at audio-clock instant t
        return decoded[max(bisect.bisect_right(times, float(t) + tol) - 1, 0)][1]

    frames = [shown(t) for t in instants[index]]
    return project, plan, index, frames, shown(before), shown(after)


def openings(frames) -> np.ndarray:
    tr = track(frames, 25.0, landmarker())
    assert all(p is not None for p in tr.landmarks), tr.why
    return np.array([inner_lip_opening(p) for p in tr.landmarks])


def frame_phones(plan, index: int, n: int) -> list[tuple[str, list[int]]]:
    """Each phone of the new speech and the output frames (0-based in the span) it sounds in."""
    span = plan.spans[index]
    acc_samples, acc_frames = span_offsets(plan, index)
    half = plan.crossfade // 2
    at = [(acc_frames + j) / plan.fps * plan.audio_rate - acc_samples + half for j in range(n)]
    out = []
    for p in span.speech.record.phones:
        js = [j for j, s in enumerate(at) if p.start <= s < p.end]
        if not js:  # shorter than a frame: the frame it starts in
            js = [min(range(n), key=lambda j: abs(at[j] - p.start))]
        out.append((p.label, js))
    return out


def lip_marks(plan, index: int, opening: np.ndarray) -> list[tuple[str, bool]]:
    """(phone, passed) for each bilabial (lips closed: opening within ``CLOSED`` of the span's range above
    its minimum) and open vowel (opening at least ``OPEN`` of the range) of the new speech, looked at in
    the phone's frames and up to ``LAG_FRAMES`` later."""
    lo, hi = float(opening.min()), float(opening.max())
    assert hi - lo > 0.05, opening  # the mouth moves at all
    marks = []
    for label, js in frame_phones(plan, index, len(opening)):
        window = opening[min(js):min(max(js) + 1 + LAG_FRAMES, len(opening))]
        if is_bilabial(label):
            marks.append((label, bool(window.min() <= lo + CLOSED * (hi - lo))))
        elif is_open_vowel(label):
            marks.append((label, bool(window.max() >= lo + OPEN * (hi - lo))))
    return marks


def mouth_box(landmarks: np.ndarray, pad: int = 6) -> tuple[slice, slice]:
    pts = landmarks[48:68]
    x0, y0 = np.floor(pts.min(0)).astype(int) - pad
    x1, y1 = np.ceil(pts.max(0)).astype(int) + pad
    return slice(max(y0, 0), y1), slice(max(x0, 0), x1)


def test_a_reused_word_is_said_by_its_own_mouth():
    project, plan, index, frames, before, after = edited("coast", "battle")  # "40 miles off the battle of"
    span = plan.spans[index]
    assert isinstance(span, SynthSpan) and span.method == "reused"
    originals = [f.copy() for f in frames]
    out, result = regenerate_span(project, plan, index, frames, landmarker=landmarker())
    n = len(frames)
    assert all(np.array_equal(a, b) for a, b in zip(frames, originals))  # the input frames are not touched
    assert len(out) == n and all(f.shape == frames[0].shape and f.dtype == np.uint8 for f in out)
    assert result.method == OWN_MOUTH and result.changed == n and result.reason == "", result
    assert result.summary.startswith(f"lips: own mouth, {n}/{n} frames")  # then its sync (test_lips_sync.py)

    target = track(frames, 25.0, landmarker())
    regenerated = track(out, 25.0, landmarker())
    assert all(p is not None for p in regenerated.landmarks), regenerated.why
    changed_mouths = 0
    for j in range(n):
        t_pts, o_pts = target.landmarks[j], regenerated.landmarks[j]
        # everything above the nose's base (eyes, brows, forehead, background) keeps every pixel
        top = int(t_pts[31:36, 1].min()) - 2
        assert np.array_equal(out[j][:top], frames[j][:top]), j
        # and so do the columns beside the face
        left, right = int(t_pts[:, 0].min()) - 40, int(t_pts[:, 0].max()) + 40
        assert np.array_equal(out[j][:, :max(left, 0)], frames[j][:, :max(left, 0)]), j
        assert np.array_equal(out[j][:, right:], frames[j][:, right:]), j
        # the landmarks that move with the skull stay where they were: within dlib's own jitter (its
        # predictor sees the whole face, so its eye points move ~1-3 px when only the mouth changed)
        moved = np.abs(o_pts - t_pts)[RIGID_POINTS]
        assert moved.max() <= 4.0 and np.median(moved) <= 1.5, (j, moved.max(1))
        ys, xs = mouth_box(t_pts)
        diff = np.abs(out[j][ys, xs].astype(int) - frames[j][ys, xs].astype(int)).mean()
        changed_mouths += diff > 6
    assert changed_mouths >= n - 2  # the mouth itself is new (the first frames fade in)

    # the new mouth is the lecturer's own saying "battle": it opens and closes as the source word did
    (use,) = span.speech.record.sources
    acc_samples, acc_frames = span_offsets(plan, index)
    half = plan.crossfade // 2
    src = SourceFrames(project.source)
    lib = src.between(use.source[0] / plan.audio_rate - 0.2, use.source[1] / plan.audio_rate + 0.2)
    lib_t = np.array([t for t, _ in lib])
    carried = []
    for j in range(n):
        s = (acc_frames + j) / plan.fps * plan.audio_rate - acc_samples + half
        t = (use.source[0] + (s - use.output[0]) * (use.source[1] - use.source[0]) / (use.output[1] - use.output[0]))
        carried.append(lib[int(np.abs(lib_t - t / plan.audio_rate).argmin())][1])
    got, said = openings(out), openings(carried)
    assert np.corrcoef(got[2:], said[2:])[0, 1] >= 0.8, (got.round(3), said.round(3))
    # the lips close at the /b/; and wherever the lecturer's own footage of the word shows a closure or an
    # open vowel by this measure, so does the result (in this clip Obama's "battle" keeps the mouth nearly
    # shut through its /ae/: dlib's inner lips open 0.06-0.09 eye distances there, against 0.3 at "the")
    marks, own = lip_marks(plan, index, got), lip_marks(plan, index, said)
    assert ("B", True) in marks, marks
    assert all(ok for (_, ok), (_, was) in zip(marks, own) if was), (marks, own)

    # no frame repeats its neighbour, across the span's joins too
    seq = [before, *out, after]
    assert all(not np.array_equal(a, b) for a, b in zip(seq, seq[1:]))


def test_a_built_word_gets_mouth_frames_chosen_by_viseme():
    project, plan, index, frames, before, after = edited("workers", "people")  # "11 people lost their lives"
    assert plan.spans[index].method == "units"  # the lecture never says "people": built from its phones
    out, result = regenerate_span(project, plan, index, frames, landmarker=landmarker())
    assert result.method == OWN_MOUTH and result.changed == len(frames) and result.reason == "", result
    marks = lip_marks(plan, index, openings(out))
    assert [m for m in marks if m[0] == "P"] == [("P", True), ("P", True)], marks  # both /p/ close
    seq = [before, *out, after]
    assert all(not np.array_equal(a, b) for a, b in zip(seq, seq[1:]))


def test_no_face_leaves_the_frames_and_says_why():
    project, plan, index, frames, _, _ = edited("coast", "battle")
    # a slide with no speaker: the lecture's frame with its face painted over by a flat grey card
    import cv2

    slide = []
    for f in frames:
        g = np.full_like(f, 200)
        cv2.putText(g, "Deepwater Horizon", (20, 200), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (30, 30, 30), 2)
        slide.append(g)
    out, result = regenerate_span(project, plan, index, slide, landmarker=landmarker())
    assert result.method == NOT_REGENERATED and result.changed == 0
    assert re.fullmatch(r"no face in 0:1\d-0:1\d: lips not regenerated", result.reason), result.reason
    assert result.summary == f"lips not regenerated: {result.reason}"
    assert all(a is b for a, b in zip(out, slide))  # the very frames, untouched


def test_several_faces_leave_the_frames_and_say_why():
    project, plan, index, frames, _, _ = edited("coast", "battle")
    two = [np.ascontiguousarray(np.concatenate([f, f[:, ::-1]], axis=1)) for f in frames]  # two speakers
    out, result = regenerate_span(project, plan, index, two, landmarker=landmarker())
    assert result.changed == 0 and result.reason.startswith("several faces in 0:1"), result.reason
    assert all(a is b for a, b in zip(out, two))


def test_export_regenerates_the_mouth_under_the_span_only(tmp_path):
    import hashlib

    from lecturecut.core import no_progress
    from lecturecut.media.frames import read_frames
    from lecturecut.synthesis.export import ExportOptions, export
    from lecturecut.synthesis.render.video import write_frames

    project, plan, index, *_ = edited("coast", "battle")
    _, first = span_offsets(plan, index)
    n = plan.spans[index].n_frames

    def rendered(lips):
        """(sha256 of every output frame, the span's frames) as the exporter hands them to the encoder."""
        digests, inside = [], []

        def keep(frame):
            if first <= len(digests) < first + n:
                inside.append(frame.copy())
            digests.append(hashlib.sha256(frame.tobytes()).hexdigest())

        write_frames(project, plan, keep, smooth_cuts=False, progress=no_progress, cancel=None, lips=lips)
        return digests, inside

    results: list = []
    with_lips, new = rendered(results)
    without, old = rendered(None)
    assert len(with_lips) == len(without) == plan.output_frames
    (result,) = results
    assert result.replacement == 0 and result.changed == n, result
    # every frame before and after the span is the very frame of the render without lips
    assert with_lips[:first] == without[:first] and with_lips[first + n:] == without[first + n:]
    assert all(a != b for a, b in zip(with_lips[first:first + n], without[first:first + n]))
    # a window (a preview) that starts inside the span shows the very frames of the whole render
    part: list = []
    write_frames(project, plan, lambda f: part.append(hashlib.sha256(f.tobytes()).hexdigest()), smooth_cuts=False,
                 progress=no_progress, cancel=None, window=(first + 3, first + n + 5), lips=[])
    assert part == with_lips[first + 3:first + n + 5]

    out = tmp_path / "battle.mp4"
    exported = export(project, out, ExportOptions(preset="draft", smooth_cuts=False, subtitles="none"))
    assert [(r.replacement, r.method, r.changed) for r in exported.lips] == [(0, OWN_MOUTH, n)]
    # and remembered for the listings ('lecturecut voices'), by the span's voice record
    from lecturecut.synthesis.lips.record import recall

    key = exported.plan.synth_spans[0].speech.record.key
    assert recall(key) == exported.lips[0] and recall(key).summary.startswith(f"lips: own mouth, {n}/{n} frames")
    # the file shows the new mouth: in the mouth region its frames are nearer the regenerated ones
    frames = list(read_frames(out, first, n))
    target = track(old, 25.0, landmarker())
    nearer = 0
    for f, a, b, pts in zip(frames, new, old, target.landmarks):
        ys, xs = mouth_box(pts)
        d_new = np.abs(f[ys, xs].astype(int) - a[ys, xs].astype(int)).mean()
        d_old = np.abs(f[ys, xs].astype(int) - b[ys, xs].astype(int)).mean()
        nearer += d_new < d_old
    assert nearer >= n - 2, nearer


def test_a_slide_without_a_speaker_exports_the_new_speech_and_says_why_the_lips_were_not(tmp_path):
    """JFK's inaugural audio under a slide (made here with ffmpeg): the retype is spoken, the slide's
    frames are left as they are, and the export says why."""
    from testmedia import JFK

    from lecturecut.asr.transcribe import transcribe
    from lecturecut.media.ffmpeg import media_arg, run_ffmpeg
    from lecturecut.media.frames import read_frames
    from lecturecut.synthesis.export import ExportOptions, export

    slide = tmp_path / "slide.mp4"
    run_ffmpeg(["-f", "lavfi", "-i", "color=c=0xf0f0e8:s=320x240:r=25", "-i", media_arg(media_path(JFK)),
                "-map", "0:v", "-map", "1:a", "-shortest", "-c:v", "libx264", "-preset", "ultrafast",
                "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "128k", str(slide)], what="making a slide video")
    base = Project.create(slide, probe(slide), transcribe(str(slide), model=engine("tiny.en"), language="en"))
    you = index_of(base, "you")  # "... what your country can do for you ..." -> "... for country ..."
    project = base.with_edl(base.edl.replace(you, you + 1, "country"), "edit")
    out = tmp_path / "edited.mp4"
    result = export(project, out, ExportOptions(preset="draft", smooth_cuts=False, subtitles="none"))
    assert [(i, m) for i, m, _ in result.synthesized] == [(0, "reused")]  # the audio edit still works
    (lips,) = result.lips
    assert lips.method == NOT_REGENERATED and lips.changed == 0
    assert re.fullmatch(r"no face in 0:0\d-0:\d\d: lips not regenerated", lips.reason), lips.reason
    plain = np.asarray(next(iter(read_frames(slide, n_frames=1))), int)
    frames = np.asarray(list(read_frames(out)), int)
    assert np.abs(frames - plain).max() <= 6  # every frame is still the slide (codec noise only)
