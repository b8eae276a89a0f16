"""Export mechanics on real clips with known word times: durations, A/V sync, frame-exact cuts,
subtitles, audio-only sources, cancellation and bad destinations. (Transcribe -> delete ->
export -> re-transcribe with real Whisper is test_end_to_end.py.)
"""

import os
import shutil
from fractions import Fraction

import numpy as np
import pytest
from media_fixtures import (
    GRID,
    JFK,
    delete,
    make_project,
    many_cut_export,
    media,
    srt_cues,
    stream_durations,
    stream_types,
)

from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.errors import MediaError
from lecturecut.media.frames import read_frames
from lecturecut.media.probe import probe
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.project import ProjectError, SourceChangedError

DRAFT = dict(preset="draft", smooth_cuts=False)  # ultrafast x264: these tests check cuts, not quality


def leftovers(folder, *keep):
    """Everything in ``folder`` except the expected outputs (temporary files, half-written videos)."""
    return sorted(p.name for p in folder.iterdir() if p.name not in keep)


def check_durations(result, frame_s: float) -> None:
    """Container, streams and plan agree within one frame."""
    durations = stream_durations(result.path)
    assert abs(durations["video"] - durations["audio"]) <= frame_s, durations
    assert abs(durations["audio"] - result.duration_s) <= frame_s, durations
    assert abs(probe(result.path).duration_s - result.duration_s) <= frame_s


def check_subtitles(path, duration_s: float) -> list:
    cues = srt_cues(path)
    assert cues
    previous_end = 0.0
    for start, end, lines in cues:
        assert previous_end <= start < end <= duration_s + 1e-3, (start, end, duration_s)
        assert end - start <= 7.0
        assert 1 <= len(lines) <= 2 and all(len(line) <= 42 for line in lines), lines
        previous_end = end
    return cues


# ---------------------------------------------------------------- many cuts, frame-exact
def test_many_cuts_keep_sync_and_duration():
    project, result = many_cut_export()
    plan = result.plan
    frame_s = 1 / float(plan.fps)
    assert result.n_cuts == 20
    removed = sum(b - a for a, b in plan.removed_ranges())
    assert result.duration_s == pytest.approx((plan.source_samples - removed) / plan.audio_rate)
    assert abs(probe(result.path).duration_s - (project.media.audio.duration_s - removed / plan.audio_rate)) <= frame_s
    check_durations(result, frame_s)
    assert probe(result.path).video.n_frames == plan.output_frames


def test_many_cuts_are_frame_exact():
    """The burned-in timecode shows that the frames around every join are the planned source frames,
    so 20 cuts leave no drift (compared on the bottom-right corner where the timecode is)."""
    project, result = many_cut_export()
    plan = result.plan
    planned = [f for s in plan.spans for f in range(s.frame_start, s.frame_end)]  # output frame -> source frame
    check, acc = set(), 0
    for s in plan.spans:  # first and last frame of every span, the most likely to be off
        check |= {acc, acc + s.n_frames - 1}
        acc += s.n_frames
    near = {planned[o] + d for o in check for d in range(-3, 4)}

    def corner(frame):
        return frame[140:176, 200:316].astype(np.int16)  # the timecode at 320x180

    source = {i: corner(f) for i, f in enumerate(read_frames(project.source, size=(320, 180))) if i in near}
    output = {i: corner(f) for i, f in enumerate(read_frames(result.path, size=(320, 180))) if i in check}
    assert len(output) == len(check)
    for o in sorted(check):
        want = planned[o]
        distance = {c: np.abs(output[o] - source[c]).mean() for c in range(want - 3, want + 4) if c in source}
        assert min(distance, key=distance.get) == want, (o, want, distance)


def test_many_cuts_subtitles():
    project, result = many_cut_export()
    srt, vtt = result.subtitle_paths
    assert srt.suffix == ".srt" and vtt.suffix == ".vtt" and srt.parent == result.path.parent
    assert vtt.read_text(encoding="utf-8").startswith("WEBVTT")
    cues = check_subtitles(srt, result.duration_s)
    shown = " ".join(" ".join(lines) for _, _, lines in cues).split()
    kept = [w.text for i, w in enumerate(project.transcript.words) if i not in project.edl.deleted]
    assert shown == kept  # every kept word, in order, none of the deleted ones


# ---------------------------------------------------------------- one cut, with everything switched on
def test_grid_cut_with_smoothing_and_embedded_subtitles(tmp_path):
    """Paths with spaces and umlauts; smoothed jump cut (a real face); subtitles embedded and beside."""
    folder = tmp_path / "Vorlesung Übung 1"
    folder.mkdir()
    source = folder / "Grüße.mp4"
    shutil.copy(media(GRID), source)
    project = delete(make_project(GRID, source=source), (2, 3))
    out = folder / "Grüße geschnitten.mp4"
    result = export(project, out, ExportOptions(preset="draft", smooth_cuts=True, subtitles="both"))
    assert result.path == out and result.n_cuts == 1 and not result.warnings
    assert sorted(p.name for p in result.subtitle_paths) == ["Grüße geschnitten.srt", "Grüße geschnitten.vtt"]
    assert leftovers(folder, "Grüße.mp4", "Grüße geschnitten.mp4", "Grüße geschnitten.srt",
                     "Grüße geschnitten.vtt", "Grüße geschnitten.txt", "Grüße geschnitten.edits.json") == []
    assert stream_types(out) == ["video:h264", "audio:aac", "subtitle:mov_text"]
    info = probe(out)
    assert info.video.fps == 25 and info.video.pix_fmt == "yuv420p"
    check_durations(result, 0.04)
    # source duration minus the removed span (the 0.13 s of "with"), within one frame
    removed = sum(b - a for a, b in result.plan.removed_ranges()) / result.plan.audio_rate
    assert removed == pytest.approx(0.13, abs=1e-4)
    assert abs(info.duration_s - (project.media.audio.duration_s - removed)) <= 0.04
    cues = check_subtitles(result.subtitle_paths[0], result.duration_s)
    assert " ".join(" ".join(lines) for _, _, lines in cues) == "set white p two soon"


def test_retyped_words_are_exported_as_recorded_with_a_warning(tmp_path):
    project = make_project(GRID)
    project = project.with_edl(project.edl.replace(1, 2, "blue"), "retype")
    # without the voice engine (synthesize=False) every retype stays pending, as before the voice existed
    result = export(project, tmp_path / "retyped.mp4", ExportOptions(subtitles="none", synthesize=False, **DRAFT))
    assert result.n_cuts == 0 and result.subtitle_paths == () and result.synthesized == ()
    assert any("1 retyped word is pending voice synthesis" in w for w in result.warnings), result.warnings
    assert result.duration_s == pytest.approx(project.media.audio.duration_s, abs=1e-3)
    assert leftovers(tmp_path, "retyped.mp4", "retyped.edits.json") == []


def test_audio_only_source_exports_audio(tmp_path):
    project = delete(make_project(JFK), (2, 4), (6, 7))
    out = tmp_path / "jfk gekürzt.m4a"
    result = export(project, out, ExportOptions(**DRAFT))
    info = probe(out)
    assert info.video is None and info.audio.codec == "aac"
    assert info.audio.sample_rate == 44100 and info.audio.channels == 2
    assert result.n_cuts == 2
    assert abs(stream_durations(out)["audio"] - result.duration_s) <= 0.03  # AAC frames are 23 ms
    assert result.duration_s < project.media.duration_s - 0.3
    check_subtitles(result.subtitle_paths[0], result.duration_s)


# ---------------------------------------------------------------- failures leave nothing behind
@pytest.mark.parametrize("stage", ["first report", "encoding video"])
def test_cancel_leaves_nothing(tmp_path, stage):
    project = delete(make_project(GRID), (2, 3))
    token = CancelToken()
    seen = []

    def progress(fraction, message):
        seen.append(message)
        if stage == "first report" or message == stage:
            token.cancel()

    out = tmp_path / "cancelled.mp4"
    with pytest.raises(Cancelled):
        export(project, out, ExportOptions(**DRAFT), progress=progress, cancel=token)
    assert stage == "first report" or stage in seen
    assert leftovers(tmp_path) == []


def test_missing_folder_is_a_clear_error(tmp_path):
    project = make_project(GRID)
    with pytest.raises(MediaError, match="does not exist"):
        export(project, tmp_path / "no such folder" / "out.mp4", ExportOptions(**DRAFT))
    assert leftovers(tmp_path) == []
    not_a_folder = tmp_path / "notes.txt"
    not_a_folder.write_text("x")
    with pytest.raises(MediaError, match="not a folder"):
        export(project, not_a_folder / "out.mp4", ExportOptions(**DRAFT))


def test_read_only_folder_is_a_clear_error(tmp_path):
    folder = tmp_path / "read only"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        if os.access(folder, os.W_OK):
            pytest.skip("running as root: a read-only folder is still writable")
        with pytest.raises(MediaError, match="not writable"):
            export(make_project(GRID), folder / "out.mp4", ExportOptions(**DRAFT))
        assert leftovers(folder) == []
    finally:
        folder.chmod(0o755)


def test_source_is_never_overwritten(tmp_path):
    source = tmp_path / "lecture.mp4"
    shutil.copy(media(GRID), source)
    project = delete(make_project(GRID, source=source), (2, 3))
    before = source.read_bytes()
    with pytest.raises(ProjectError, match="never overwrites"):
        export(project, source, ExportOptions(**DRAFT))
    assert source.read_bytes() == before and leftovers(tmp_path, "lecture.mp4") == []


def test_changed_source_is_refused_before_any_work(tmp_path):
    source = tmp_path / "lecture.mp4"
    shutil.copy(media(GRID), source)
    project = make_project(GRID, source=source)
    with open(source, "r+b") as fh:  # re-recorded in place
        fh.seek(1000)
        fh.write(b"\0" * 64)
    with pytest.raises(SourceChangedError):
        export(project, tmp_path / "out.mp4", ExportOptions(**DRAFT))
    assert leftovers(tmp_path, "lecture.mp4") == []


def test_bad_options_are_refused(tmp_path):
    project = make_project(GRID)
    with pytest.raises(ValueError, match="preset"):
        export(project, tmp_path / "o.mp4", ExportOptions(preset="ludicrous"))
    with pytest.raises(ValueError, match="subtitles"):
        export(project, tmp_path / "o.mp4", ExportOptions(subtitles="burned"))
    assert leftovers(tmp_path) == []


def test_frame_rate_is_kept():
    _, result = many_cut_export()
    assert probe(result.path).video.fps == Fraction(30)


# ---------------------------------------------------------------- subtitle cues (pure)
def test_cues_respect_line_length_sentences_pauses_and_duration():
    from lecturecut.asr.transcript import Transcript, Word
    from lecturecut.synthesis.edl import Edl
    from lecturecut.synthesis.plan import RenderPlan, Span
    from lecturecut.synthesis.subtitles import build_cues

    rate = 16_000
    texts = ("Die Fourier-Transformation zerlegt Signale in Frequenzanteile, "
             "und das ist grundlegend. Danach betrachten wir Faltungen, Abtastung und Aliasing "
             "sowie Fensterfunktionen ausführlich. Fragen?").split()
    words, t = [], 0
    for k, text in enumerate(texts):
        gap = 16_000 if k == 14 else 1_600  # one long pause after the 14th word
        words.append(Word(text, t, t + 6_000))
        t += 6_000 + gap
    transcript = Transcript(tuple(words), "de", "test")
    edl = Edl(len(words)).delete(3, 4)
    kept = [w.text for i, w in enumerate(words) if i != 3]
    # the plan removes word 3 exactly (no pause around it: its edges map onto the join)
    spans = (Span(0, words[3].start, 0, 0), Span(words[3].end, t, 0, 0))
    plan = RenderPlan(rate, None, t, 0, spans, 160)
    cues = build_cues(transcript, edl, plan)
    assert " ".join(c.text.replace("\n", " ") for c in cues).split() == kept
    previous_end = 0.0
    for cue in cues:
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), lines
        assert previous_end <= cue.start_s < cue.end_s <= plan.output_duration_s
        assert cue.end_s - cue.start_s <= 7.0
        previous_end = cue.end_s
    ends = [c.text.split()[-1] for c in cues]
    assert "grundlegend." in ends and "ausführlich." in ends  # sentences end a cue
    assert texts[14] in ends  # so does the long pause after word 14


def test_cue_lines_never_exceed_42_characters():
    """Text that fits in 84 characters but whose most balanced split would not fit two lines of 42."""
    from lecturecut.asr.transcript import Transcript, Word
    from lecturecut.synthesis.edl import Edl
    from lecturecut.synthesis.plan import RenderPlan, Span
    from lecturecut.synthesis.subtitles import build_cues

    texts = ["Grundlagen", "Rechtsschutzversicherungsgesellschaften-Recht", "Wahrscheinlichkeitstheorien"]
    words = tuple(Word(t, 8_000 * k, 8_000 * k + 6_000) for k, t in enumerate(texts))
    plan = RenderPlan(16_000, None, 24_000, 0, (Span(0, 24_000, 0, 0),), 160)
    cues = build_cues(Transcript(words, "de", "test"), Edl(3), plan)
    assert " ".join(c.text.replace("\n", " ") for c in cues) == " ".join(texts)
    for cue in cues:
        assert all(len(line) <= 42 for line in cue.text.split("\n") if " " in line), cue  # one long word may not fit
