"""Every export says what it changed: ``OUT.edits.json`` beside it, and the MP4's comment points to it.

The bundled sample lecture (real footage), its real tiny.en transcript, a cut and a retype spoken by
the real voice engine (a word said elsewhere in the lecture), the real lips engine; the record is
checked against the plan the export rendered and against the exported file itself (ffprobe's tags,
its duration).
"""

from __future__ import annotations

import functools
import json
import subprocess
from pathlib import Path

import pytest
from asr_fixtures import engine
from testmedia import OBAMA, media_path
from voice_fixtures import module_voice_cache  # noqa: F401 - autouse: this module's own voice cache

from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.ffmpeg import ffprobe_path
from lecturecut.media.probe import probe
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.plan import SynthSpan
from lecturecut.synthesis.project import Project
from lecturecut.synthesis.render import DestinationExists
from lecturecut.synthesis.render.provenance import (
    KIND_CUT,
    KIND_FRAMES,
    KIND_VOICE,
    comment_for,
    record_path,
)
from lecturecut.synthesis.render.timeline import write_timeline


@functools.cache
def lecture() -> Project:
    from lecturecut.asr.transcribe import transcribe

    source = media_path(OBAMA)
    return Project.create(source, probe(source), transcribe(str(source), model=engine("tiny.en"), language="en"))


def index_of(project: Project, norm: str) -> int:
    hits = [k for k, w in enumerate(project.transcript.words) if w.norm == norm]
    assert hits, (norm, project.transcript.text)
    return hits[0]


def edited() -> Project:
    """'the battle' cut; 'shores' retyped as 'citizens' (said a few words later: reused)."""
    base = lecture()
    battle, shores = index_of(base, "battle"), index_of(base, "shores")
    edl = base.edl.delete(battle - 1, battle + 1).replace(shores, shores + 1, "citizens")
    return base.with_edl(edl, "cut and retype")


def comment_tag(path) -> str:
    out = subprocess.run([ffprobe_path(), "-v", "error", "-show_entries", "format_tags=comment", "-of", "json",
                          str(path)], capture_output=True, text=True, check=True).stdout
    return json.loads(out).get("format", {}).get("tags", {}).get("comment", "")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    out = tmp_path_factory.mktemp("export") / "lecture.mp4"
    project = edited()
    result = export(project, out, ExportOptions(preset="draft", subtitles="none"))
    return project, result


def test_the_record_lists_every_cut_and_synthetic_span_on_the_output_timeline(exported):
    project, result = exported
    plan, rate = result.plan, result.plan.audio_rate
    path = record_path(result.path)
    assert path.name == "lecture.edits.json" and path.parent == result.path.parent
    record = json.loads(path.read_text())
    assert record["format"] == "lecturecut-edits/1"
    assert record["source"]["size"] == project.fingerprint.size
    assert abs(record["output"]["duration_s"] - result.duration_s) < 1e-3
    assert record["output"]["frames"] == plan.output_frames
    entries = record["edits"]
    # the cuts: exactly the plan's removed ranges, in order, at the output instant of their join
    cuts = [e for e in entries if e["kind"] == KIND_CUT]
    removed = plan.removed_ranges()
    assert [tuple(e["source_s"]) for e in cuts] == [(round(a / rate, 4), round(b / rate, 4)) for a, b in removed]
    battle_cut = next(e for e in cuts if "battle" in e["removed_words"])
    assert battle_cut["removed_words"].split() == ["the", "battle"]
    join_at = plan.source_to_output(removed[[tuple(e["source_s"]) for e in cuts].index(
        tuple(battle_cut["source_s"]))][1])
    assert abs(battle_cut["output_at_s"] - join_at / rate) < 1e-3
    # the retype: its method, the words it replaced, where it sounds, where its recording came from
    (voice,) = [e for e in entries if e["kind"] == KIND_VOICE]
    (span,) = [s for s in plan.spans if isinstance(s, SynthSpan)]
    assert (voice["text"], voice["replaces"], voice["method"]) == ("citizens", "shores", "reused")
    k = plan.spans.index(span)
    start = sum(s.n_samples for s in plan.spans[:k])
    assert voice["output_s"] == [round(start / rate, 4), round((start + span.n_samples) / rate, 4)]
    (part,) = voice["parts"]
    c = index_of(project, "citizens")
    citizens = project.transcript.words[c]
    assert part["method"] == "reused" and part["source_words"] == [c, c + 1]
    assert part["source_s"][0] <= citizens.start_s and citizens.end_s <= part["source_s"][1]
    assert voice["output_s"][0] - 0.05 <= part["output_s"][0] < part["output_s"][1] <= voice["output_s"][1] + 0.05
    # the regenerated frames: under that span, as many as the lips engine changed
    (frames,) = [e for e in entries if e["kind"] == KIND_FRAMES]
    (lips,) = result.lips
    assert frames["method"] == lips.method and frames["frames_changed"] == lips.changed > 0
    f0 = sum(s.n_frames for s in plan.spans[:k])
    assert frames["output_frames"] == [f0, f0 + span.n_frames]
    assert record["counts"] == {KIND_CUT: len(cuts), KIND_VOICE: 1, KIND_FRAMES: 1}


def test_the_file_says_where_its_record_is(exported):
    _project, result = exported
    assert comment_tag(result.path) == comment_for(result.path)
    assert record_path(result.path).name in comment_tag(result.path)


def test_an_existing_record_is_not_overwritten_without_asking(exported, tmp_path):
    project, _result = exported
    out = tmp_path / "again.mp4"
    record_path(out).write_text("the user's own file")
    with pytest.raises(DestinationExists, match="again.edits.json"):
        export(project, out, ExportOptions(preset="draft", subtitles="none"))
    assert record_path(out).read_text() == "the user's own file" and not out.exists()


def test_a_cancelled_export_leaves_no_record(tmp_path):
    cancel = CancelToken()
    out = tmp_path / "cancelled.mp4"

    def progress(fraction, _message):
        if fraction is not None and fraction > 0.5:
            cancel.cancel()

    with pytest.raises(Cancelled):
        export(lecture().with_edl(lecture().edl.delete(3, 5), "cut"), out,
               ExportOptions(preset="draft", subtitles="none"), progress=progress, cancel=cancel)
    assert sorted(p.name for p in tmp_path.iterdir()) == []


# ---- the edit as an OpenTimelineIO timeline ------------------------------------------------------
def test_the_timeline_reads_back_with_every_clip_on_the_plan(exported, tmp_path):
    import opentimelineio as otio

    project, result = exported
    plan = result.plan
    path = write_timeline(project, plan, tmp_path / "edit.otio", result.path)
    timeline = otio.adapters.read_from_file(str(path))
    video, audio = timeline.tracks
    assert (video.kind, audio.kind) == (otio.schema.TrackKind.Video, otio.schema.TrackKind.Audio)
    source_url, export_url = Path(project.source).resolve().as_uri(), result.path.resolve().as_uri()
    fps, rate = float(plan.fps), plan.audio_rate
    pieces = [s for s in plan.spans if s.n_frames > 0]
    assert len(video) == len(pieces) and len(audio) == len([s for s in plan.spans if s.n_samples > 0])
    out_frame = out_sample = 0
    for span, vclip, aclip in zip(plan.spans, video, audio):
        v, a = vclip.source_range, aclip.source_range
        if isinstance(span, SynthSpan):  # its own clips, of the rendered media, where the export has them
            assert vclip.media_reference.target_url == aclip.media_reference.target_url == export_url
            assert (v.start_time.value, v.duration.value) == (out_frame, span.n_frames)
            assert (a.start_time.value, a.duration.value) == (out_sample, span.n_samples)
            assert vclip.metadata["lecturecut"]["method"] == "reused"
            assert aclip.metadata["lecturecut"]["text"] == "citizens"
        else:  # the source's own range, exactly the plan's frame slots and samples
            assert vclip.media_reference.target_url == aclip.media_reference.target_url == source_url
            assert (v.start_time.value, v.duration.value) == (span.frame_start, span.n_frames)
            assert (a.start_time.value, a.duration.value) == (span.audio_start, span.n_samples)
        assert (v.start_time.rate, a.start_time.rate) == (fps, rate)
        out_frame += span.n_frames
        out_sample += span.n_samples
    # both tracks last as long as the export, within a frame
    assert video.duration().value == plan.output_frames and audio.duration().value == plan.output_samples
    assert abs(video.duration().to_seconds() - result.duration_s) < 1 / fps


def test_the_cli_writes_the_timeline_and_never_replaces_one_unasked(exported, tmp_path, capsys):
    import opentimelineio as otio

    from lecturecut.app.cli import main as cli
    from lecturecut.synthesis.session import EditSession

    base = lecture()
    project = base.with_edl(base.edl.delete(3, 5), "cut")
    EditSession(project).save(tmp_path / "p.lcproj")
    (tmp_path / "taken.otio").write_text("the user's own")
    code = cli(["export", str(tmp_path / "p.lcproj"), "-o", str(tmp_path / "out.mp4"), "--otio",
                str(tmp_path / "taken.otio"), "--subtitles", "none"])
    assert code != 0 and "taken.otio' already exists" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.lcproj", "taken.otio"]  # nothing rendered
    code = cli(["export", str(tmp_path / "p.lcproj"), "-o", str(tmp_path / "out.mp4"), "--otio",
                str(tmp_path / "out.otio"), "--subtitles", "none"])
    err = capsys.readouterr().err
    assert code == 0, err
    assert "out.edits.json" in err and "out.otio" in err
    timeline = otio.adapters.read_from_file(str(tmp_path / "out.otio"))
    kept = [c.source_range for c in timeline.tracks[1]]
    plan_kept = [(s.audio_start, s.n_samples) for s in project_plan(tmp_path / "p.lcproj").spans]
    assert [(r.start_time.value, r.duration.value) for r in kept] == plan_kept


def project_plan(path):
    from lecturecut.synthesis.plan import plan_for
    from lecturecut.synthesis.project import load_project

    return plan_for(load_project(path))


def test_mark_synthetic_burns_a_badge_into_the_frames_under_new_speech_only(exported, tmp_path):
    import numpy as np

    from lecturecut.media.frames import read_frames
    from lecturecut.media.reel import Caption
    from lecturecut.synthesis.render.video import SYNTHETIC_BADGE

    project, plain = exported
    marked = export(project, tmp_path / "marked.mp4", ExportOptions(preset="draft", subtitles="none",
                                                                     mark_synthetic=True))
    assert json.loads(record_path(marked.path).read_text())["marked_synthetic"] is True
    plan = marked.plan
    (span,) = [s for s in plan.spans if isinstance(s, SynthSpan)]
    k = plan.spans.index(span)
    f0 = sum(s.n_frames for s in plan.spans[:k])
    inside = range(f0, f0 + span.n_frames)
    video = project.media.video
    x0, y0, x1, y1 = Caption(SYNTHETIC_BADGE, video.width, video.height, corner=True).box
    a, b = list(read_frames(plain.path)), list(read_frames(marked.path))
    assert len(a) == len(b) == plan.output_frames

    def diff(p, q):
        return float(np.mean(np.abs(p.astype(np.int16) - q.astype(np.int16))))

    for j in range(len(a)):
        badge_a, badge_b = a[j][y0:y1, x0:x1], b[j][y0:y1, x0:x1]
        rest = diff(np.delete(a[j], np.s_[y0:y1], axis=0), np.delete(b[j], np.s_[y0:y1], axis=0))
        assert rest < 2.0, (j, rest)  # the picture is the same (both encodes' noise aside)
        if j in inside:
            assert diff(badge_a, badge_b) > 20, j  # the badge is there
            assert np.mean(badge_b) < np.mean(badge_a) or np.max(badge_b) > 200  # black band, white text
        else:
            assert diff(badge_a, badge_b) < 2.0, j  # and nowhere else
