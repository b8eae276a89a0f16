"""The edit preview: a few seconds around one edit, the recording and then the edited lecture, rendered
by the export's own renderer over only those seconds (``render.audio.mix_plan`` and
``render.video.write_frames`` with a window).

Real media: the bundled sample lecture transcribed by tiny.en, GRID with its own word alignment, JFK
(audio only) with words found by pause detection; real voice synthesis (a retype to a word said
elsewhere in the clip), the after half heard back by tiny.en, a full export to compare with.
"""

from __future__ import annotations

import functools
import hashlib
import subprocess
import time
from pathlib import Path

import numpy as np
import pytest
from asr_fixtures import engine
from media_fixtures import delete, make_project, stream_durations
from testmedia import GRID, JFK, OBAMA, media_path
from voice_fixtures import module_voice_cache  # noqa: F401 - autouse: this module's own voice cache

from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.audio import decode_audio
from lecturecut.media.compare import GAP_PX, side_by_side
from lecturecut.media.errors import MediaError
from lecturecut.media.ffmpeg import ffmpeg_path
from lecturecut.media.frames import read_frames
from lecturecut.media.probe import probe
from lecturecut.synthesis.edl import Edl
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.moment import NoPicture, NoSuchEdit, edit_at, edits, preview_edit
from lecturecut.synthesis.plan import SynthSpan, plan_for
from lecturecut.synthesis.project import Project, ProjectError, save_project
from lecturecut.synthesis.render import DestinationExists
from lecturecut.synthesis.render.audio import mix_plan, output_starts
from lecturecut.synthesis.render.video import write_frames
from lecturecut.synthesis.voice.text import word_tokens

CONTEXT_S = 2.0
EDGE_S = 0.02  # each half fades in and out over 5 ms: compare the halves' audio inside that


@functools.cache
def sample_transcript():
    from lecturecut.asr.transcribe import transcribe

    return transcribe(str(media_path(OBAMA)), model=engine("tiny.en"), language="en")


def index_of(project: Project, norm: str) -> int:
    hits = [k for k, w in enumerate(project.transcript.words) if w.norm == norm]
    assert hits, (norm, project.transcript.text)
    return hits[0]


@pytest.fixture(scope="module")
def edited():
    """The sample lecture with "an explosion" cut and "40 miles" retyped as "40 workers" (said later)."""
    source = media_path(OBAMA)
    project = Project.create(source, probe(source), sample_transcript())
    explosion, miles = index_of(project, "explosion"), index_of(project, "miles")
    assert project.transcript.words[explosion - 1].norm == "an" and index_of(project, "workers") > miles
    edl = project.edl.delete(explosion - 1, explosion + 1).replace(miles, miles + 1, "workers")
    return project.with_edl(edl, "cut and retype")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def correlation(x: np.ndarray, y: np.ndarray) -> float:
    assert len(x) == len(y) and len(x) > 0
    return float(np.dot(x, y) / np.sqrt(np.dot(x, x) * np.dot(y, y) + 1e-20))


def halves(result, rate: int) -> tuple[np.ndarray, np.ndarray]:
    """The preview's before and after audio (mono), each less its faded edges."""
    x = decode_audio(result.path, rate, 1)
    edge = int(EDGE_S * rate)
    b = int(round(result.before_s * rate))
    a0 = int(round((result.before_s + result.gap_s) * rate))
    a1 = a0 + int(round(result.after_s * rate))
    return x[edge:b - edge], x[a0 + edge:a1 - edge]


def source_part(path: Path, rate: int, window_s: tuple[float, float]) -> np.ndarray:
    x = decode_audio(path, rate, 1)
    edge = int(EDGE_S * rate)
    return x[int(round(window_s[0] * rate)) + edge:int(round(window_s[1] * rate)) - edge]


def spoken(text: str) -> list[str]:
    return [t for w in text.split() for t in word_tokens(w, "en")]


def heard(path: Path, window_s: tuple[float, float]) -> list[str]:
    """What tiny.en hears in the stretch ``window_s`` (seconds) of the file."""
    from lecturecut.asr.transcribe import transcribe

    x = decode_audio(path, 16_000, 1)[int(window_s[0] * 16_000):int(window_s[1] * 16_000)]
    return spoken(transcribe(np.ascontiguousarray(x, np.float32), model=engine("tiny.en"), language="en",
                             refine=False).text)


# ---------------------------------------------------------------- numbering
def test_edits_are_numbered_in_source_order(edited):
    project = edited
    found = edits(project)
    assert [(e.number, e.kind) for e in found] == [(1, "cut"), (2, "retype")]
    cut, retype = found
    words = project.transcript.words
    assert (cut.before, cut.after) == (" ".join(w.text for w in words[cut.start:cut.end]), "")
    assert cut.start_s == words[cut.start].start_s and cut.end_s == words[cut.end - 1].end_s
    assert (retype.before, retype.after, retype.replacement) == ("miles", "workers", 0)
    # an insertion before the cut sorts first and renumbers the rest
    more = project.with_edl(project.edl.replace(2, 2, "now"), "insert")
    assert [(e.number, e.kind, e.start) for e in edits(more)] == [(1, "insert", 2), (2, "cut", cut.start),
                                                                   (3, "retype", retype.start)]
    with pytest.raises(NoSuchEdit) as exc:
        edit_at(project, 3)
    assert str(exc.value) == ("There is no edit 3: this project's edits are numbered 1 to 2 "
                              "(see 'lecturecut edits PROJECT').")
    with pytest.raises(NoSuchEdit, match="no edits yet"):
        edit_at(project.with_edl(Edl(len(words)), "none"), 1)


# ---------------------------------------------------------------- windows of a plan
def test_a_window_of_the_mix_is_the_whole_mix_there(edited):
    """Sample for sample, for windows that start and end at joins, in their crossfades and between."""
    plan = plan_for(edited, synthesize=True)
    assert any(isinstance(s, SynthSpan) for s in plan.spans) and plan.n_cuts >= 1

    def mix(window=None) -> np.ndarray:
        out: list[np.ndarray] = []
        mix_plan(edited, plan, out.append, None, window)
        return np.concatenate(out)

    whole = mix()
    assert whole.shape == (plan.output_samples, edited.media.audio.channels)
    half = plan.crossfade // 2
    joins = output_starts(plan)[1:]
    windows = [(j + d, j + d + 4800) for j in joins for d in (-half - 1, -half, 0, half - 1)]
    windows += [(joins[0] - 100, joins[-1] + 100), (0, 4800), (plan.output_samples - 4800, plan.output_samples)]
    for a, b in windows:
        assert np.array_equal(mix((a, b)), whole[a:b]), (a, b, joins, half)


def test_a_window_of_the_frames_is_the_whole_render_there():
    """Frame for frame, jump cut smoothing included, from a window that starts inside a smoothed join."""
    project = delete(make_project(GRID), (1, 2), (4, 5))  # "set [white] with p [two] soon"
    plan = plan_for(project)

    def frames(window=None) -> list[str]:
        out: list[str] = []
        write_frames(project, plan, lambda f: out.append(hashlib.sha1(np.ascontiguousarray(f)).hexdigest()),
                     smooth_cuts=True, progress=lambda *_: None, cancel=None, window=window)
        return out

    whole = frames()
    assert len(whole) == plan.output_frames
    join = plan.spans[0].n_frames  # the first jump cut's first (smoothed) frame
    window = (join + 2, plan.spans[0].n_frames + plan.spans[1].n_frames + 3)  # into the next join too
    assert frames(window) == whole[window[0]:window[1]]


def test_a_window_after_a_seek_is_the_whole_render_there(edited):
    """The window's decoder seeks (to the sample lecture's keyframe at 10 s) and still places every
    frame as the whole render does, under new speech and across a join."""
    plan = plan_for(edited, synthesize=True)

    def frames(window=None) -> list[str]:
        out: list[str] = []
        write_frames(edited, plan, lambda f: out.append(hashlib.sha1(np.ascontiguousarray(f)).hexdigest()),
                     smooth_cuts=False, progress=lambda *_: None, cancel=None, window=window)
        return out

    whole = frames()
    (span,) = plan.synth_spans
    k = plan.spans.index(span)
    first = sum(s.n_frames for s in plan.spans[:k])
    window = (first - 10, first + span.n_frames + 10)
    assert window[0] / plan.fps > 11  # the decoder seeks: a second before the window, to a keyframe
    assert frames(window) == whole[window[0]:window[1]]


# ---------------------------------------------------------------- previews
def test_preview_of_a_cut_is_the_recording_then_the_export_there(edited, tmp_path):
    source = media_path(OBAMA)
    digest = sha256(source)
    with pytest.raises(ProjectError, match="source video itself"):
        preview_edit(edited, 1, source, overwrite=True)
    t0 = time.monotonic()
    full = export(edited, tmp_path / "full.mp4", ExportOptions(preset="balanced", subtitles="none"))
    export_s = time.monotonic() - t0
    t0 = time.monotonic()
    result = preview_edit(edited, 1, tmp_path / "cut.mp4", context_s=CONTEXT_S)
    preview_s = time.monotonic() - t0
    print(f"\nsample lecture ({edited.media.duration_s:.1f} s): full export {export_s:.1f} s, "
          f"preview of one cut {preview_s:.1f} s")
    assert sha256(source) == digest
    assert result.edit.kind == "cut" and result.method is None and result.warnings == ()
    plan = full.plan
    rate, frame_s = plan.audio_rate, float(1 / plan.fps)
    removed = [r for r in plan.removed_ranges()
               if r[0] <= edited.transcript.words[result.edit.start].start * rate // 16_000 < r[1]]
    assert len(removed) == 1
    cut_s = (removed[0][1] - removed[0][0]) / rate
    # the recording from 2 s before the cut to 2 s after it, then 2 s either side of the join
    assert abs(result.before_s - (cut_s + 2 * CONTEXT_S)) <= frame_s, (result.before_s, cut_s)
    assert abs(result.after_s - 2 * CONTEXT_S) <= frame_s
    durations = stream_durations(result.path)
    assert abs(durations["video"] - durations["audio"]) <= frame_s, durations
    assert abs(durations["video"] - result.duration_s) <= frame_s, (durations, result.duration_s)
    before, after = halves(result, rate)
    assert correlation(before, source_part(source, rate, result.source_window_s)) > 0.999
    # the export's audio over the same stretch of the edited lecture (a sample off scores 0.997)
    assert correlation(after, source_part(full.path, rate, result.output_window_s)) > 0.999


def test_preview_of_a_retype_speaks_the_new_word(edited, tmp_path, capsys):
    from lecturecut.app.cli import main

    save_project(edited, tmp_path / "lecture.lcproj")
    project_file = str(tmp_path / "lecture.lcproj")
    assert main(["edits", project_file]) == 0
    listed = capsys.readouterr().out.splitlines()
    assert len(listed) == 2 and listed[1].startswith("2\tretype\t") and listed[1].endswith('"miles" -> "workers"')
    out = tmp_path / "retype.mp4"
    assert main(["preview", project_file, "--edit", "2", "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert "edit 2/2 (retype" in err and "new speech: reused" in err and "warning" not in err, err
    assert "edit 2: lips: own mouth" in err, err  # the mouth under the new word regenerated, as exported
    plan = plan_for(edited, synthesize=True)  # the preview's plan (its speech from the cache now)
    rate = plan.audio_rate
    info = probe(out)
    frame_s = float(1 / plan.fps)
    durations = stream_durations(out)
    assert abs(durations["video"] - durations["audio"]) <= frame_s, durations
    # the new speech's own length and 2 s either side; the recorded word and 2 s either side
    (span,) = plan.synth_spans
    after_s = span.n_samples / rate + 2 * CONTEXT_S
    before_s = (span.audio_end - span.audio_start) / rate + 2 * CONTEXT_S
    assert abs(info.duration_s - (before_s + after_s)) <= 2 * frame_s, (info.duration_s, before_s, after_s)
    got_before, got_after = heard(out, (0, before_s)), heard(out, (before_s, before_s + after_s))
    assert "workers" in got_after and "miles" not in got_after, got_after
    assert "miles" in got_before and "workers" not in got_before, got_before

    # the same again is refused, and the file is left as it is; --force replaces it
    written = out.read_bytes()
    assert main(["preview", project_file, "--edit", "2", "-o", str(out)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "already exists" in err and "--force" in err, err
    assert out.read_bytes() == written
    assert main(["preview", project_file, "--edit", "3", "-o", str(tmp_path / "three.mp4")]) == 1
    err = capsys.readouterr().err.strip()
    assert err == ("lecturecut: error: There is no edit 3: this project's edits are numbered 1 to 2 "
                   "(see 'lecturecut edits PROJECT')."), err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lecture.lcproj", "retype.mp4"]


def test_a_retype_the_voice_cannot_say_is_previewed_as_recorded(edited, tmp_path):
    project = edited.with_edl(edited.edl.replace(3, 4, "\u2014"), "unsayable")  # nothing to say: pending
    result = preview_edit(project, 1, tmp_path / "pending.mp4", context_s=1.0)
    assert result.edit.kind == "retype" and result.method is None
    assert len(result.warnings) == 1 and "edit 1 stays pending" in result.warnings[0], result.warnings
    # nothing before it is edited: the after half is the before half
    assert result.output_window_s == pytest.approx(result.source_window_s)
    before, after = halves(result, project.media.audio.sample_rate)
    assert correlation(before, after) > 0.999


def test_audio_only_preview_and_refusals(tmp_path):
    source = media_path(JFK)
    project = delete(make_project(JFK), (3, 5))
    with pytest.raises(NoSuchEdit, match="numbered 1 "):
        preview_edit(project, 2, tmp_path / "jfk.m4a")
    with pytest.raises(MediaError, match="'.flac', which lecturecut cannot export to"):
        preview_edit(project, 1, tmp_path / "jfk.flac")
    out = tmp_path / "jfk.m4a"
    out.write_bytes(b"earlier")
    with pytest.raises(DestinationExists, match="already exists"):
        preview_edit(project, 1, out)
    assert out.read_bytes() == b"earlier"
    token = CancelToken()

    def cancel_once_cutting(fraction, message):
        if message == "cutting audio":
            token.cancel()

    with pytest.raises(Cancelled):
        preview_edit(project, 1, out, overwrite=True, progress=cancel_once_cutting, cancel=token)
    assert out.read_bytes() == b"earlier" and [p.name for p in tmp_path.iterdir()] == ["jfk.m4a"]
    result = preview_edit(project, 1, out, context_s=1.0, overwrite=True)
    durations = stream_durations(out)
    assert list(durations) == ["audio"] and result.gap_s > 0
    assert abs(durations["audio"] - result.duration_s) <= 0.03, (durations, result)
    rate = project.media.audio.sample_rate
    before, _ = halves(result, rate)
    assert correlation(before, source_part(source, rate, result.source_window_s)) > 0.999
    assert [p.name for p in tmp_path.iterdir()] == ["jfk.m4a"]


# ---------------------------------------------------------------- side by side (moviepy composes)
def psnr(x: np.ndarray, y: np.ndarray) -> float:
    mse = float(np.mean((x.astype(np.float64) - y.astype(np.float64)) ** 2))
    return 10 * np.log10(255 ** 2 / max(mse, 1e-12))


def test_side_by_side_preview_of_a_cut(edited, tmp_path):
    """Before on the left, after on the right, from the same instant: each side is the sequential
    preview's half frame for frame, the sound is the after half's; a cancel while moviepy composes
    leaves nothing behind."""
    context = 1.0
    seq = preview_edit(edited, 1, tmp_path / "sequential.mp4", context_s=context)
    token = CancelToken()

    def cancel_once_composing(fraction, message):
        if message == "composing side by side":
            token.cancel()

    with pytest.raises(Cancelled):
        preview_edit(edited, 1, tmp_path / "sbs.mp4", context_s=context, side_by_side=True,
                     progress=cancel_once_composing, cancel=token)
    assert [p.name for p in tmp_path.iterdir()] == ["sequential.mp4"]
    result = preview_edit(edited, 1, tmp_path / "sbs.mp4", context_s=context, side_by_side=True)
    assert (result.layout, result.audio, seq.layout) == ("side-by-side", "after", "sequential")
    assert (result.before_s, result.after_s) == (seq.before_s, seq.after_s) and result.before_s > result.after_s
    assert result.duration_s == result.before_s
    source = edited.media.video
    info = probe(result.path)
    frame_s = float(1 / source.fps)
    assert (info.video.width, info.video.height) == (2 * source.width + GAP_PX, source.height)
    durations = stream_durations(result.path)
    assert abs(durations["video"] - result.before_s) <= frame_s, durations
    assert abs(durations["audio"] - result.before_s) <= frame_s, durations

    both, composed = list(read_frames(seq.path)), list(read_frames(result.path))
    n_before, n_after = round(seq.before_s * source.fps), round(seq.after_s * source.fps)
    assert (len(both), len(composed)) == (n_before + n_after, n_before)
    w = source.width
    for i in (3, 12, n_after - 3):  # early, with the speaker moving: a frame off scores < 38 dB here
        left, right = composed[i][:, :w], composed[i][:, w + GAP_PX:]
        assert psnr(left, both[i]) >= 35, i
        assert psnr(right, both[n_before + i]) >= 35, i
        assert psnr(left, both[i]) > max(psnr(left, both[i - 1]), psnr(left, both[i + 1])), i
        assert psnr(right, both[n_before + i]) > max(psnr(right, both[n_before + i - 1]),
                                                      psnr(right, both[n_before + i + 1])), i
    assert psnr(composed[-1][:, w + GAP_PX:], both[-1]) >= 35  # the shorter after half holds its last frame
    assert composed[n_before // 2][:, w:w + GAP_PX].max() <= 16  # the gap is black

    rate = edited.media.audio.sample_rate
    heard, sequential = decode_audio(result.path, rate, 1), decode_audio(seq.path, rate, 1)
    edge, b, a = int(EDGE_S * rate), int(round(seq.before_s * rate)), int(round(seq.after_s * rate))
    after = sequential[b + edge:b + a - edge]
    assert correlation(heard[edge:a - edge], after) > 0.99
    assert np.abs(heard[a + edge:b]).max() < 1e-3  # silence once the after half has ended


def test_side_by_side_refused_without_video(tmp_path, capsys):
    from lecturecut.app.cli import main

    project = delete(make_project(JFK), (3, 5))
    with pytest.raises(NoPicture) as exc:
        preview_edit(project, 1, tmp_path / "jfk.mp4", side_by_side=True)
    assert "\n" not in str(exc.value) and "no video" in str(exc.value), exc.value
    save_project(project, tmp_path / "jfk.lcproj")
    assert main(["preview", str(tmp_path / "jfk.lcproj"), "--edit", "1", "--side-by-side",
                 "-o", str(tmp_path / "jfk.m4a")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.count("\n") == 0 and "--side-by-side" in err, err
    assert [p.name for p in tmp_path.iterdir()] == ["jfk.lcproj"]


def test_side_by_side_scales_holds_and_splits_the_sound(tmp_path):
    """Two clips of different sizes and lengths: the smaller is shown at the taller's height, the
    shorter holds its last frame, captions on top; audio="both" puts each clip's sound in its ear."""
    left_file = media_path(GRID)  # 3 s, 360x288
    right_file = tmp_path / "small.mp4"  # 2 s of another GRID clip at half the size
    subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(media_path("grid_bbaf2n.mpg")), "-t", "2",
                    "-vf", "scale=180:144", "-c:v", "libx264", "-crf", "12", "-c:a", "aac", str(right_file)],
                   check=True)
    out = tmp_path / "both.mp4"
    result = side_by_side(left_file, right_file, out, audio="both")
    assert (result.width, result.height, result.n_frames) == (360 + GAP_PX + 360, 288, 75)
    assert result.left == (0, 360, 288) and result.right == (360 + GAP_PX, 360, 288) and result.audio == "both"
    composed, lefts = list(read_frames(out)), list(read_frames(left_file))
    rights = list(read_frames(right_file, size=(360, 288)))
    assert len(composed) == 75 and len(rights) == 50
    below = slice(60, 288)  # under the captions
    for i in (10, 40, 70):
        x = composed[i]
        assert psnr(x[below, :360], lefts[i][below]) >= 35, i
        assert psnr(x[below, 360 + GAP_PX:], rights[min(i, 49)][below]) >= 30, i
        assert psnr(x[:30, :360], lefts[i][:30]) < 25  # the caption is there
    rate = 44_100
    heard = decode_audio(out, rate, 2)
    own = [decode_audio(f, rate, 1) for f in (left_file, right_file)]
    n = len(own[1]) - 2048
    assert correlation(heard[:len(own[0]) - 2048, 0], own[0][:-2048]) > 0.99
    assert correlation(heard[:n, 1], own[1][:n]) > 0.99
    assert abs(correlation(heard[:n, 0], own[1][:n])) < 0.2  # the ears are apart
    assert np.abs(heard[len(own[1]) + 2048:, 1]).max() < 1e-3  # the shorter clip's ear falls silent
    assert sorted(p.name for p in tmp_path.iterdir()) == ["both.mp4", "small.mp4"]
