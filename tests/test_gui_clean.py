"""Edit › Clean Up…: what the engine finds, listed with counts; one kind or hand-picked rows removed
as one undoable step that the edit list then shows edit by edit.

The bundled sample lecture (Obama's weekly address, 20 s) with a real tiny.en transcript (made once
for the module, with the machine's converted Whisper weights): its pauses between phrases are the
recording's own, measured by the engine between the words' refined extents.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from asr_fixtures import engine  # noqa: E402
from gui_support import ScriptedPrompter  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402

from lecturecut.app.gui import create_window  # noqa: E402
from lecturecut.app.i18n import install_translators  # noqa: E402
from lecturecut.app.settings import AppSettings  # noqa: E402
from lecturecut.media.probe import probe  # noqa: E402
from lecturecut.resources import SAMPLE_LECTURE  # noqa: E402
from lecturecut.synthesis import clean  # noqa: E402
from lecturecut.synthesis.plan import word_extent  # noqa: E402
from lecturecut.synthesis.project import Project  # noqa: E402
from lecturecut.synthesis.session import EditSession  # noqa: E402

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def transcript():
    from lecturecut.asr.transcribe import transcribe

    return transcribe(str(SAMPLE_LECTURE), model=engine("tiny.en"), language="en")


@pytest.fixture
def window(qtbot, qapp, tmp_path, transcript):
    translators = install_translators(qapp, "en")
    settings = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    settings.q.setValue("files/data_dir", str(tmp_path / "data"))
    clip = tmp_path / "lecture.mp4"
    shutil.copy(SAMPLE_LECTURE, clip)
    path = tmp_path / "lecture.lcproj"
    EditSession(Project.create(clip, probe(clip), transcript)).save(path)
    w = create_window(settings, use_media=False)
    w.prompt = ScriptedPrompter(save="discard")
    qtbot.addWidget(w)
    assert w.open_path(Path(path))
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.prompt = ScriptedPrompter(save="discard")
    w.close()
    for t in translators:
        qapp.removeTranslator(t)


def gap_s(project, before: int) -> float:
    w = project.transcript.words
    return (word_extent(w[before])[0] - word_extent(w[before - 1])[1]) / 16000


def test_clean_up_lists_the_pauses_and_removes_one_kind_as_one_undoable_step(qtbot, window):
    project = window.session.project
    assert window.actions["clean"].isEnabled()
    dialog = window.clean_dialog_open()
    assert dialog is not None and window.clean_dialog is dialog
    dialog.longer.setValue(0.3)  # this short address has no pause of a second; its phrase breaks are shorter
    dialog.keep.setValue(0.2)
    pauses = [f for f in dialog.findings if f.kind is clean.Kind.PAUSE]
    assert pauses, "the sample's phrase breaks were not found"
    for f in pauses:  # each is a real gap of the recording, longer than asked
        assert gap_s(project, f.start) == pytest.approx(f.duration_s, abs=1e-3) and f.duration_s > 0.3
    assert dialog.tree.topLevelItemCount() == len(dialog.findings)
    assert f"long pause {len(pauses)}" in dialog.counts.text()
    assert dialog.kind_buttons[clean.Kind.PAUSE].text() == f"Only long pause ({len(pauses)})"

    dialog.check_only(clean.Kind.PAUSE)
    assert dialog.checked() == pauses
    result = dialog.apply_checked()
    assert result is not None and result.count(clean.Kind.PAUSE) == len(pauses)
    edl = window.session.project.edl
    assert [(p.before, p.keep_ms) for p in edl.pauses] == [(f.start, 200) for f in pauses]
    assert not edl.deleted  # only the pauses were removed
    assert "Edit › Undo takes it back" in dialog.status.text()
    # the edit list shows each shortened pause as an edit of its own
    panel = window.edit_list
    assert sum(e.kind == "pause" for e in panel.entries) == len(pauses)
    assert panel.summary.text().endswith(f"{len(pauses)} pause{'s' * (len(pauses) != 1)} shortened")
    # found again: the same pauses, now unchecked (already shortened), so nothing is removed twice
    assert all(dialog.tree.topLevelItem(k).checkState(0) == Qt.CheckState.Unchecked
               for k, f in enumerate(dialog.findings) if f.kind is clean.Kind.PAUSE)
    # one step: a single undo brings every pause back
    assert window.session.project.history.current.pauses
    window.session.undo()
    assert window.session.project.edl.pauses == () and window.session.project.edl.is_empty


def test_hand_picked_rows_only_and_play_previews_the_selected_finding(qtbot, window):
    dialog = window.clean_dialog_open()
    dialog.longer.setValue(0.3)
    dialog.keep.setValue(0.2)
    pauses = [k for k, f in enumerate(dialog.findings) if f.kind is clean.Kind.PAUSE]
    assert len(pauses) >= 2, [f.duration_s for f in dialog.findings]
    for k in range(dialog.tree.topLevelItemCount()):  # keep all but the first pause
        dialog.tree.topLevelItem(k).setCheckState(0, Qt.CheckState.Checked if k == pauses[0]
                                                  else Qt.CheckState.Unchecked)
    first = dialog.findings[pauses[0]]
    assert dialog.apply_checked().applied == (first,)
    assert [p.before for p in window.session.project.edl.pauses] == [first.start]
    # Play loops the selected finding in the main player (as recorded, then as edited)
    dialog.tree.setCurrentItem(dialog.tree.topLevelItem(pauses[1]))
    assert dialog.play_button.isEnabled()
    dialog.play_selected()
    assert window.player.is_previewing()
    window.player.stop_preview()
    # nothing checked: nothing to remove
    for k in range(dialog.tree.topLevelItemCount()):
        dialog.tree.topLevelItem(k).setCheckState(0, Qt.CheckState.Unchecked)
    assert not dialog.apply_button.isEnabled() and dialog.apply_checked() is None


def test_an_older_project_says_its_fillers_were_not_listened_for(qtbot, window):
    """A project saved before the filler search (no meta["fillers"]) finds only Whisper's own fillers: said."""
    from dataclasses import replace

    project = window.session.project
    meta = {k: v for k, v in project.transcript.meta.items() if k != "fillers"}
    window.session.session.project = replace(project, transcript=replace(project.transcript, meta=meta))
    dialog = window.clean_dialog_open()
    assert "Transcribe the video again" in dialog.note.text()
    dialog.fillers.setChecked(False)  # not looking for fillers: nothing to say
    assert dialog.note.text() == "" and dialog.note.isHidden()
    dialog.close()


def test_a_new_project_has_listened_for_fillers_and_says_nothing(qtbot, window):
    assert window.session.project.transcript.meta["fillers"]["searched"] is True
    dialog = window.clean_dialog_open()
    assert dialog.note.text() == "" and dialog.note.isHidden()
    dialog.close()
