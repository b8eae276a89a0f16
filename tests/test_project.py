"""Project files: atomic save, autosave and recovery, source fingerprint, relink."""

import json
import os
import shutil

import pytest

from lecturecut.asr.transcript import Transcript, Word, to_samples
from lecturecut.files import WriteError, atomic_path
from lecturecut.media.probe import probe
from lecturecut.synthesis.project import (
    Project,
    ProjectError,
    SourceChangedError,
    SourceMissingError,
    check_not_source,
    load_project,
    save_project,
)
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
        with atomic_path(target):
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


# ---------------------------------------------------------------- malformed files
def _valid(project, tmp_path):
    s = EditSession(project, tmp_path / "p.lcproj")
    s.delete(1, 2)
    s.replace_words(4, 5, "three")
    s.delete(0, 1)
    s.save()
    return json.loads((tmp_path / "p.lcproj").read_text())


def _set(data, path, value):
    *parents, last = path
    for key in parents:
        data = data[key]
    data[last] = value


MALFORMED = [
    # (what is wrong, path to change, new value, what the message must name)
    ("a list, not an object", None, [], "not a lecturecut project"),
    ("a word time of the wrong type", ("transcript", "words", 2, "start"), "soon", "transcript.words[2].start"),
    ("a word that ends before it starts", ("transcript", "words", 2, "end"), 0.1, "transcript.words[2].end"),
    ("a retype whose start is after its end", ("history", "steps", 1, "retyped", 0),
     {"start": 5, "end": 2, "text": "x"}, "history.steps[1].retyped[0]: start 5 is after end 2"),
    ("a deleted index out of range", ("history", "steps", 0, "deleted", 0), [900, 901],
     "history.steps[0].deleted[0]: run 900:901 is outside the transcript (it has 6 words)"),
    ("a run that would expand to 10**12 words", ("history", "steps", 2, "deleted", 0), [0, 10 ** 12],
     "history.steps[2].deleted[0]"),
    ("an index that is not a step", ("history", "index"), 7, "history.index: 7 is not a step"),
    ("the edit list of another word count", ("history", "base", "n_words"), 52,
     "history.base.n_words: 52, but the transcript has 6 words"),
    ("a missing fingerprint", ("fingerprint",), None, "fingerprint"),
    ("a frame rate of zero", ("media", "video", "fps"), "0/0", "media.video.fps"),
    ("a step removing a retype that is not there", ("history", "steps", 2, "unretyped"), [[1, 2]],
     "history.steps[2].unretyped[0]"),
    ("a boolean where a number belongs", ("history", "index"), True, "history.index"),
]


@pytest.mark.parametrize("what, path, value, named", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_malformed_projects_give_one_line_naming_the_field(project, tmp_path, capsys, what, path, value, named):
    from lecturecut.app.cli import main as cli

    data = _valid(project, tmp_path)
    if path is None:
        data = value
    elif value is None:
        del data[path[0]]
    else:
        _set(data, path, value)
    bad = tmp_path / "bad.lcproj"
    bad.write_text(json.dumps(data))
    with pytest.raises(ProjectError) as info:
        load_project(bad)
    message = str(info.value)
    assert named in message and len(message.splitlines()) == 1, message
    capsys.readouterr()
    assert cli(["text", str(bad)]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("lecturecut: error:") and named in err and len(err.splitlines()) == 1


def test_a_history_step_with_another_word_count_is_refused_in_old_files(project, tmp_path):
    s = EditSession(project, tmp_path / "p.lcproj")
    s.delete(1, 2)
    data = s.project.to_json()
    edl = s.project.edl.to_json()
    data["version"] = 1  # the old format: every state in full
    data["history"] = {"index": 1, "labels": ["open", "cut"], "states": [dict(edl, n_words=40, deleted=[]), edl]}
    (tmp_path / "old.lcproj").write_text(json.dumps(data))
    with pytest.raises(ProjectError, match=r"old.lcproj: history.states\[0\].n_words: 40, but the transcript has 6"):
        load_project(tmp_path / "old.lcproj")
    data["history"]["states"][0]["n_words"] = 6
    (tmp_path / "old.lcproj").write_text(json.dumps(data))
    assert load_project(tmp_path / "old.lcproj").history.states[1].deleted == {1}  # format 1 still reads


def test_deeply_nested_json_is_refused_quickly(tmp_path):
    bad = tmp_path / "deep.lcproj"
    bad.write_text("[" * 100_000 + "]" * 100_000)
    with pytest.raises(ProjectError, match="damaged"):
        load_project(bad)


# ---------------------------------------------------------------- history size
def test_the_file_grows_with_each_edit_not_with_the_edit_list(tmp_path, media_file):
    from media_fixtures import make_project
    from testmedia import GRID

    words = tuple(Word(f"w{i}", to_samples(0.001 * i), to_samples(0.001 * i + 0.0005)) for i in range(2000))
    s = EditSession(make_project(GRID, words=words), tmp_path / "p.lcproj")
    sizes = []
    for k in range(300):  # 300 single-word cuts, none adjacent: the edit list grows to 300 runs
        s.delete(3 * k, 3 * k + 1)
        if k % 100 == 99:
            sizes.append(s.save().stat().st_size)
    grow = [b - a for a, b in zip(sizes, sizes[1:])]
    per_step = grow[-1] / 100
    # each step costs the same few bytes however long the edit list already is
    # (as full snapshots the last 100 steps would cost ~2.5x the 100 before them)
    assert per_step < 150 and grow[1] < 1.1 * grow[0], (sizes, per_step)
    assert load_project(s.path).history == s.project.history


def test_a_huge_apply_text_is_refused(project):
    from lecturecut.synthesis.edl import EditError

    s = EditSession(project)
    with pytest.raises(EditError, match="more than 4 times"):
        s.apply_text("lecture " * 200_000)
    assert s.edl.is_empty


# ---------------------------------------------------------------- permissions, frozen state
def test_saved_projects_get_ordinary_permissions(project, tmp_path):
    old = os.umask(0o027)
    try:
        new = tmp_path / "new.lcproj"
        EditSession(project).save(new)
        assert new.stat().st_mode & 0o777 == 0o666 & ~0o027
        shared = tmp_path / "shared.lcproj"
        save_project(project, shared)
        os.chmod(shared, 0o640)
        s = EditSession.open(shared)
        s.delete(0, 1)
        s.save()
        assert shared.stat().st_mode & 0o777 == 0o640
        s.delete(2, 3)
        assert s.autosave().stat().st_mode & 0o777 == 0o666 & ~0o027
    finally:
        os.umask(old)


def test_ui_state_never_changes_a_frozen_project(project):
    s = EditSession(project)
    s.delete(0, 1)
    before = s.project
    s.set_ui(position_ms=1250)
    assert before.ui == {} and project.ui == {}
    assert s.project.ui == {"position_ms": 1250} and s.project.history is before.history


def test_every_probed_stream_field_survives_save_and_load(project, tmp_path):
    """The schema must know every field probe records (a late-starting video's start_s included),
    or a reopened project silently loses it."""
    from dataclasses import replace

    media = project.media
    shifted = replace(media, video=replace(media.video, start_s=0.5), audio=replace(media.audio, start_s=0.02))
    path = tmp_path / "p.lcproj"
    save_project(replace(project, media=shifted), path)
    again = load_project(path)
    assert again.media == shifted
