"""Project files: atomic save, autosave and recovery, source fingerprint, relink."""

import json
import os
import shutil

import pytest

from lecturecut.asr.transcript import Transcript, Word, to_samples
from lecturecut.media.probe import probe
from lecturecut.files import WriteError, atomic_path
from lecturecut.synthesis.project import (Project, ProjectError, SourceChangedError, SourceMissingError, check_not_source,
                               load_project, save_project)
from lecturecut.synthesis.session import EditSession


@pytest.fixture
def video(tmp_path, media_file):
    dst = tmp_path / "Vorlesung Übung" / "Grüße aus Köln.mp4"  # spaces and umlauts on purpose
    dst.parent.mkdir()
    shutil.copy(media_file("grid_s2_swwp2s.mpg"), dst)
    return dst


@pytest.fixture
def project(video):
    words = [Word(t, to_samples(a), to_samples(b), 0.9) for t, a, b in
             [("set", 0.49, 0.77), ("white", 0.77, 1.09), ("with", 1.09, 1.22), ("p", 1.22, 1.44),
              ("two", 1.44, 1.73), ("soon", 1.73, 2.21)]]
    return Project.create(video, probe(video), Transcript(tuple(words), "en", "test"))


def test_save_load_round_trip_keeps_history_and_ui(project, tmp_path):
    s = EditSession(project, tmp_path / "p.lcproj")
    s.delete(1, 2)
    s.replace_words(4, 5, "three")
    s.undo()
    s.set_ui(playhead_s=1.25)
    s.save()
    again = EditSession.open(tmp_path / "p.lcproj")
    assert again.project.history == s.project.history
    assert again.project.history.can_redo
    assert again.project.ui["playhead_s"] == 1.25
    assert again.project.transcript == project.transcript
    assert not again.dirty


def test_source_is_never_written(project, video):
    before = video.read_bytes()
    with pytest.raises(ProjectError, match="never overwrites"):
        save_project(project, video)
    with pytest.raises(ProjectError, match="never overwrites"):
        check_not_source(project, str(video.parent / "." / video.name), "export")
    assert video.read_bytes() == before


def test_changed_and_moved_source_are_detected(project, video, tmp_path):
    project.check_source()
    moved = tmp_path / "moved.mpg"
    shutil.move(video, moved)
    with pytest.raises(SourceMissingError, match="relink"):
        project.check_source()
    relinked = project.relinked(moved)
    relinked.check_source()
    with open(moved, "r+b") as fh:  # simulate re-recording over the file
        fh.seek(100)
        fh.write(b"\x00" * 64)
    with pytest.raises(SourceChangedError, match="has changed"):
        relinked.check_source()


def test_autosave_and_crash_recovery(project, tmp_path):
    path = tmp_path / "p.lcproj"
    s = EditSession(project, path)
    s.save()
    assert s.autosave() is None  # nothing unsaved
    s.delete(0, 2)
    auto = s.autosave()
    assert auto is not None and auto.exists()
    # "crash": the saved project is older than the autosave
    assert EditSession.recoverable(path) == auto
    recovered = EditSession.recover(path)
    assert recovered.edl == s.edl and recovered.dirty
    assert EditSession.open(path).edl.is_empty  # the real file still holds the last save
    recovered.save()
    assert not auto.exists() and EditSession.recoverable(path) is None


def test_atomic_write_leaves_old_file_on_failure(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("writer crashed")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.txt"]


def test_full_disk_gives_clear_message_and_keeps_old_file(tmp_path):
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full on this system")
    target = tmp_path / "p.lcproj"
    target.write_text("old")

    with pytest.raises(WriteError, match="disk .* is full"):
        with atomic_path(target) as tmp:
            # Writing to /dev/full fails with ENOSPC exactly like a full disk does.
            with open("/dev/full", "w") as full:
                full.write("x" * 10000)
                full.flush()
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["p.lcproj"]


def test_damaged_and_foreign_files_are_refused(tmp_path):
    bad = tmp_path / "bad.lcproj"
    bad.write_text('{"format": "lecturecut-project", "vers')
    with pytest.raises(ProjectError, match="damaged"):
        load_project(bad)
    other = tmp_path / "other.lcproj"
    other.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ProjectError, match="not a lecturecut project"):
        load_project(other)
    with pytest.raises(ProjectError, match="does not exist"):
        load_project(tmp_path / "nope.lcproj")


def test_unwritable_folder_gives_clear_message(tmp_path):
    blocker = tmp_path / "not a folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises(WriteError, match="Could not write|not writable"):
        with atomic_path(blocker / "p.lcproj") as tmp:
            tmp.write_text("x")
