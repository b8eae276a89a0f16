"""Export presets: openhpi (loudness to -16 LUFS, true peak under -1 dBTP, AAC 48 kHz stereo, PREFIX-LANG
subtitles zipped for upload, the edited transcript as text) and archive (the audio as it was).

Real media: the bundled sample lecture with its real tiny.en transcript, and JFK (16 kHz mono, audio
only) for the resampling; loudness measured on the exported files with pyloudnorm (BS.1770, an
implementation other than the ffmpeg filter the export uses); subtitles parsed back with webvtt-py
and timed against a re-transcription of the export.
"""

from __future__ import annotations

import functools
import subprocess
import zipfile

import numpy as np
import pyloudnorm
import pytest
import webvtt
from asr_fixtures import engine
from media_fixtures import make_project, stream_durations
from testmedia import JFK, OBAMA, media_path

from lecturecut.media.audio import decode_audio
from lecturecut.media.ffmpeg import ffmpeg_path, ffprobe_path
from lecturecut.media.loudness import measure
from lecturecut.media.probe import probe
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.project import Project
from lecturecut.synthesis.render import DestinationExists

TARGET = -16.0


@functools.cache
def lecture() -> Project:
    from lecturecut.asr.transcribe import transcribe

    source = media_path(OBAMA)
    project = Project.create(source, probe(source), transcribe(str(source), model=engine("tiny.en"), language="en"))
    words = project.transcript.words
    battle = next(k for k, w in enumerate(words) if w.norm == "battle")
    return project.with_edl(project.edl.delete(battle - 1, battle + 1), "cut")


def lufs(path, rate: int = 48_000) -> float:
    x = decode_audio(path, rate, 2)
    return float(pyloudnorm.Meter(rate).integrated_loudness(x.astype(np.float64)))


def seconds(stamp: str) -> float:
    """'00:01:02.345' -> 62.345 (webvtt-py's own *_in_seconds drop the milliseconds)."""
    h, m, sec = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(sec)


def audio_stream(path) -> dict:
    out = subprocess.run([ffprobe_path(), "-v", "error", "-select_streams", "a:0", "-show_entries",
                          "stream=codec_name,sample_rate,channels", "-of", "default=nw=1", str(path)],
                         capture_output=True, text=True, check=True).stdout
    return dict(line.split("=", 1) for line in out.split())


@pytest.fixture(scope="module")
def openhpi(tmp_path_factory):
    folder = tmp_path_factory.mktemp("openhpi")
    result = export(lecture(), folder / "lecture.mp4",
                    ExportOptions(target="openhpi", prefix="ws26-w1", preset="draft", audio_track=True, timeline=True))
    return folder, result


def test_openhpi_names_every_output_with_the_course_prefix(openhpi):
    folder, result = openhpi
    assert result.path == folder / "ws26-w1-lecture.mp4"
    assert sorted(p.name for p in folder.iterdir()) == sorted(p.name for p in result.files) == [
        "ws26-w1-en.srt", "ws26-w1-en.txt", "ws26-w1-en.vtt", "ws26-w1-lecture.edits.json", "ws26-w1-lecture.m4a",
        "ws26-w1-lecture.mp4", "ws26-w1-lecture.otio", "ws26-w1-subtitles.zip"]
    import opentimelineio as otio

    timeline = otio.adapters.read_from_file(str(folder / "ws26-w1-lecture.otio"))  # the same plan's timeline
    assert [c.source_range.duration.value for c in timeline.tracks[1]] == [
        s.n_samples for s in result.plan.spans if s.n_samples > 0]
    with zipfile.ZipFile(folder / "ws26-w1-subtitles.zip") as z:  # the upload: the WebVTT, as written
        assert z.namelist() == ["ws26-w1-en.vtt"]
        assert z.read("ws26-w1-en.vtt") == (folder / "ws26-w1-en.vtt").read_bytes()
    text = (folder / "ws26-w1-en.txt").read_text()
    assert "battle" not in text.lower() and "oil spill" in text.lower()  # the edited words, not the recorded


def test_openhpi_audio_is_at_the_target_loudness_48_khz_stereo_and_in_sync(openhpi):
    folder, result = openhpi
    assert audio_stream(result.path) == {"codec_name": "aac", "sample_rate": "48000", "channels": "2"}
    assert abs(lufs(result.path) - TARGET) <= 0.5, lufs(result.path)
    assert measure(result.path).true_peak_dbtp <= -1.0
    before = lufs(media_path(OBAMA))
    assert abs(result.loudness.before.integrated_lufs - before) < 1.0 and abs(before - TARGET) > 2  # it moved
    # "after" is measured by the pass that applies the gain and encodes: it is what the file holds
    assert abs(result.loudness.after.integrated_lufs - lufs(result.path)) <= 0.3, result.loudness.summary
    durations = stream_durations(result.path)
    assert abs(durations["video"] - durations["audio"]) <= 0.04 + 1e-3
    # the audio track is the same audio, as long as the video
    track = folder / "ws26-w1-lecture.m4a"
    assert audio_stream(track)["sample_rate"] == "48000" and abs(lufs(track) - TARGET) <= 0.5
    assert abs(stream_durations(track)["audio"] - durations["audio"]) <= 0.03


def test_an_archive_export_keeps_the_audio_level(tmp_path):
    result = export(lecture(), tmp_path / "a.mp4", ExportOptions(preset="draft", subtitles="none"))
    assert result.loudness is None
    src = lufs(media_path(OBAMA))
    assert abs(lufs(result.path) - src) < 0.3  # a cut of two words does not move the level


def test_subtitles_parse_back_follow_the_rules_and_match_a_re_transcription(openhpi):
    from lecturecut.asr.transcribe import transcribe

    folder, result = openhpi
    cues = list(webvtt.read(str(folder / "ws26-w1-en.vtt")))
    assert cues
    for cue in cues:
        lines = cue.text.split("\n")
        assert len(lines) <= 2 and all(len(line) <= 42 for line in lines), cue.text
        assert 0.5 <= seconds(cue.end) - seconds(cue.start) <= 7.0 + 1e-6, (cue.start, cue.end)
    assert all(seconds(a.end) <= seconds(b.start) + 1e-6 for a, b in zip(cues, cues[1:]))
    heard = transcribe(str(result.path), model=engine("tiny.en"), language="en").words
    starts = [w.start_s for w in heard]
    for cue in cues:
        # a word is heard starting within 0.2 s of the cue, and the cue's first word is heard about there
        # (tiny.en sometimes folds a short word such as "and" into its neighbour: those are not looked for)
        nearest = min(heard, key=lambda w: abs(w.start_s - seconds(cue.start)))
        assert abs(nearest.start_s - seconds(cue.start)) <= 0.2, (cue.start, cue.text, starts[:40])
        first = cue.text.split()[0].strip(".,!?").lower()
        around = [w.norm for w in heard if abs(w.start_s - seconds(cue.start)) <= 1.0]
        assert len(first) <= 3 or any(first == n or first in n or n in first for n in around), (cue.text, around)


def test_openhpi_resamples_an_audio_only_lecture_to_48_khz_stereo(tmp_path):
    project = make_project(JFK)
    result = export(project, tmp_path / "jfk.m4a", ExportOptions(target="openhpi", subtitles="none"))
    assert audio_stream(result.path) == {"codec_name": "aac", "sample_rate": "48000", "channels": "2"}
    assert abs(lufs(result.path) - TARGET) <= 0.5
    assert abs(stream_durations(result.path)["audio"] - project.media.audio.duration_s) < 0.03


def test_existing_prefixed_outputs_are_not_replaced_without_asking(tmp_path):
    (tmp_path / "c-en.vtt").write_text("the user's own")
    with pytest.raises(DestinationExists, match="c-en.vtt"):
        export(lecture(), tmp_path / "x.mp4", ExportOptions(target="openhpi", prefix="c", preset="draft"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c-en.vtt"]


def test_openhpi_delivers_at_most_1080p_and_archive_the_source_size():
    from lecturecut.synthesis.render.delivery import frame_size

    assert frame_size(3840, 2160, "openhpi") == (1920, 1080)
    assert frame_size(2160, 3840, "openhpi") == (1080, 1920)  # upright: the short side is the 1080
    assert frame_size(4096, 2160, "openhpi") == (1920, 1012)  # the shape kept, both sides even
    assert frame_size(1920, 1080, "openhpi") is None and frame_size(1280, 720, "openhpi") is None
    assert frame_size(3840, 2160, "archive") is None


def _grey_thumb(path, at_s: float) -> np.ndarray:
    out = subprocess.run([ffmpeg_path(), "-v", "error", "-ss", f"{at_s}", "-i", str(path), "-frames:v", "1",
                          "-vf", "scale=192:108", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
                         capture_output=True, check=True).stdout
    return np.frombuffer(out, np.uint8).reshape(108, 192).astype(np.float64)


def test_openhpi_scales_a_larger_source_down_to_1080p(tmp_path):
    """A 1440p recording (the Obama clip's first 4 s scaled up, a real lecture picture) is delivered at
    1920x1080: every frame re-encoded (the report says why), the planned frames, the same picture."""
    from media_fixtures import pause_words

    big = tmp_path / "big 1440p.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(media_path(OBAMA)), "-t", "4", "-vf",
                    "scale=2560:1440,setsar=1", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
                    "-c:a", "aac", str(big)], check=True)
    words = tuple(w for w in pause_words(OBAMA) if w.end_s < 3.8)
    project = make_project(OBAMA, words=words, source=big)
    project = project.with_edl(project.edl.delete(len(words) - 2, len(words) - 1), "cut")
    result = export(project, tmp_path / "out.mp4", ExportOptions(target="openhpi", subtitles="none", preset="draft"))
    info = probe(result.path)
    assert (info.video.width, info.video.height) == (1920, 1080)
    assert result.video_render.mode == "full" and "scaled to 1920x1080" in result.video_render.reason
    assert info.video.n_frames == result.plan.output_frames
    # the same picture, only smaller: thumbnails of source and export before the cut agree
    diff = np.abs(_grey_thumb(big, 0.5) - _grey_thumb(result.path, 0.5)).mean()
    assert diff < 4.0, diff


def test_openhpi_plain_gain_without_the_limiter_reaches_the_target(tmp_path):
    """The auto-editor screencast (48 kHz stereo, -21.9 LUFS, peaks low enough that its gain needs no
    limiter) takes the plain-gain path: mixed, scaled and encoded; its reported loudness is computed
    from the gain, and must be what the file holds."""
    from media_fixtures import delete
    from testmedia import AUTO_EDITOR

    project = delete(make_project(AUTO_EDITOR), (3, 5))
    result = export(project, tmp_path / "screencast.mp4",
                    ExportOptions(target="openhpi", subtitles="none", preset="draft"))
    assert not result.loudness.limited
    held = lufs(result.path)
    assert abs(held - TARGET) <= 0.5, held
    assert abs(result.loudness.after.integrated_lufs - held) <= 0.3, (result.loudness.summary, held)
    assert measure(result.path).true_peak_dbtp <= -1.0


def test_openhpi_runs_the_limiter_again_where_a_trim_would_not_do(tmp_path, monkeypatch):
    # forced (the sample's limited pass is normally trimmed by a small plain gain): the other branch,
    # where the limiter runs again with the corrected gain in the pass that encodes and measures
    monkeypatch.setattr("lecturecut.media.loudness.trim_for", lambda written, **kw: None)
    result = export(lecture(), tmp_path / "again.mp4", ExportOptions(target="openhpi", subtitles="none",
                                                                     preset="draft"))
    held = lufs(result.path)
    assert result.loudness.limited and abs(held - TARGET) <= 0.5, held
    assert abs(result.loudness.after.integrated_lufs - held) <= 0.3, (result.loudness.summary, held)
    assert measure(result.path).true_peak_dbtp <= -1.0
