"""The review reel: before/after pairs for every cut, rendered as windows of the plans, cancellable."""

import pytest
from media_fixtures import stream_durations

from bench.measures.textgrid import read_word_intervals
from lecturecut.asr.transcript import Transcript, Word
from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.probe import probe
from lecturecut.synthesis.plan import NothingToExport
from lecturecut.synthesis.project import Project
from lecturecut.synthesis.review import review_reel


@pytest.fixture
def grid_project(media_file):
    video = media_file("grid_s2_swwp2s.mpg")
    intervals = read_word_intervals(media_file("grid_s2_swwp2s.words.tsv"))
    words = [Word(w.text, w.start, w.end) for w in intervals
             if w.text.lower() not in ("sil", "sp", "")]
    assert [w.text for w in words] == ["set", "white", "with", "p", "two", "soon"]
    return Project.create(video, probe(video), Transcript(tuple(words), "en", "grid-labels"))


def test_reel_shows_each_cut_before_and_after(grid_project, tmp_path):
    project = grid_project.with_edl(grid_project.edl.delete(1, 2).delete(4, 5), "cut white, two")
    result = review_reel(project, tmp_path / "reel.mp4", context_s=0.5)
    assert result.n_edits == 2
    info = probe(result.path)
    assert info.video is not None and info.audio is not None
    assert abs(info.duration_s - result.duration_s) < 0.1
    durations = stream_durations(result.path)  # the pairs are whole frames of audio and video alike
    assert abs(durations["video"] - durations["audio"]) <= 1 / 25, durations
    assert [p.name for p in tmp_path.iterdir()] == ["reel.mp4"]


def test_reel_needs_cuts(grid_project, tmp_path):
    with pytest.raises(NothingToExport, match="no cuts"):
        review_reel(grid_project, tmp_path / "reel.mp4")


def test_cancelled_reel_leaves_nothing(grid_project, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may land in the current folder either
    project = grid_project.with_edl(grid_project.edl.delete(1, 2), "cut")
    token = CancelToken()

    def progress(fraction, message):
        if "review reel" in message:
            token.cancel()  # cancel once the reel is being rendered

    with pytest.raises(Cancelled):
        review_reel(project, tmp_path / "reel.mp4", progress=progress, cancel=token)
    assert list(tmp_path.iterdir()) == []


def test_an_existing_reel_is_not_replaced_without_asking(grid_project, tmp_path):
    project = grid_project.with_edl(grid_project.edl.delete(1, 2), "cut white")
    out = tmp_path / "reel.mp4"
    out.write_bytes(b"an earlier reel")
    from lecturecut.synthesis.render import DestinationExists

    with pytest.raises(DestinationExists, match="already exists"):
        review_reel(project, out, context_s=0.5)
    assert out.read_bytes() == b"an earlier reel"
    assert [p.name for p in tmp_path.iterdir()] == ["reel.mp4"]  # nothing else was written
    review_reel(project, out, context_s=0.5, overwrite=True)
    assert probe(out).video is not None
