"""The GUI's widgets on a real project (real clip, hand-checked transcript): fast, no Whisper.

Each widget gets a real ``QtSession`` (over the engine's ``EditSession``) and
a real ``PlaybackController``; the tests drive them with the keyboard and the
mouse as a lecturer would and check the engine state that results.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_support import (  # noqa: E402
    GuiWatchdog,
    ScriptedPrompter,
    count_slowly,
    fail_with,
    sample_transcript,
    wait_signal,
    wait_until,
)
from PySide6.QtCore import QPoint, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QTextCharFormat, QTextCursor  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox  # noqa: E402

from lecturecut.app.child_process import run_in_process  # noqa: E402
from lecturecut.app.dialogs import ShortcutsDialog, describe_error, shortcut_table  # noqa: E402
from lecturecut.app.edit_list import CUT, VOICE_PENDING, EditListPanel, edits_of  # noqa: E402
from lecturecut.app.gui import _parse, create_window  # noqa: E402
from lecturecut.app.i18n import I18N_DIR, install_translators  # noqa: E402
from lecturecut.app.playback import Span, edited_duration_ms, skip_spans, span_at, word_at  # noqa: E402
from lecturecut.app.player import PlaybackController  # noqa: E402
from lecturecut.app.session import QtSession  # noqa: E402
from lecturecut.app.settings import AppSettings  # noqa: E402
from lecturecut.app.timeline import TimelineWidget  # noqa: E402
from lecturecut.app.transcript_view import DELETED, GAP, GAP_MARK, KEPT, PENDING, TranscriptView, render_items  # noqa: E402
from lecturecut.app.waveform import PEAKS_PER_S, waveform_peaks  # noqa: E402
from lecturecut.app.workers import Job, estimate_left_s, format_duration  # noqa: E402
from lecturecut.core import Cancelled
from lecturecut.media.errors import FFmpegError, MediaError  # noqa: E402
from lecturecut.synthesis.edl import Edl  # noqa: E402
from lecturecut.synthesis.project import Project, autosave_path, load_project  # noqa: E402
from lecturecut.synthesis.session import EditSession  # noqa: E402

pytestmark = pytest.mark.gui

CLIP = "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"


@pytest.fixture(scope="module")
def project_file(tmp_path_factory, media_file) -> Path:
    """A saved project on a private copy of the real clip, with the hand-checked transcript."""
    from lecturecut.media.probe import probe

    folder = tmp_path_factory.mktemp("widgets")
    clip = folder / "lecture.mp4"
    shutil.copy(media_file(CLIP), clip)
    project = Project.create(clip, probe(clip), sample_transcript())
    path = folder / "lecture.lcproj"
    EditSession(project).save(path)
    return path


@pytest.fixture
def session(qapp, project_file, tmp_path) -> QtSession:
    path = tmp_path / "p.lcproj"
    shutil.copy(project_file, path)
    s = QtSession()
    s.open(path)
    yield s
    s.close()


@pytest.fixture
def player(session) -> PlaybackController:
    return PlaybackController(session, use_media=False)  # the silent clock: deterministic offscreen


@pytest.fixture
def view(qtbot, session, player) -> TranscriptView:
    v = TranscriptView(session, player)
    qtbot.addWidget(v)
    v.resize(600, 400)
    v.show()
    qtbot.waitExposed(v)
    v.setFocus()
    return v


@pytest.fixture
def settings(tmp_path) -> AppSettings:
    return AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))


@pytest.fixture
def window(qtbot, settings, project_file, tmp_path):
    w = create_window(settings, use_media=False)
    w.prompt = ScriptedPrompter(save="discard")
    qtbot.addWidget(w)
    path = tmp_path / "w.lcproj"
    shutil.copy(project_file, path)
    assert w.open_path(path)
    w.show()
    qtbot.waitExposed(w)
    w.activateWindow()
    w.transcript.setFocus()
    yield w
    w.prompt = ScriptedPrompter(save="discard")
    w.close()


def word_pos(view: TranscriptView, index: int) -> int:
    return next(t.text_start for t in view.tokens if t.item.a == index and t.item.kind == "word")


def put_cursor(view: TranscriptView, pos: int) -> None:
    c = view.textCursor()
    c.setPosition(pos)
    view.setTextCursor(c)


def char_format(view: TranscriptView, pos: int) -> QTextCharFormat:
    c = QTextCursor(view.document())
    c.setPosition(pos + 1)
    return c.charFormat()


# ---- pure helpers ------------------------------------------------------------------------------
def test_render_items_shows_every_kind_of_edit():
    t = sample_transcript()
    edl = Edl(len(t.words)).delete(2, 5).replace(7, 8, "fighting").replace(10, 10, "crude")
    items = render_items(t, edl, hide_deleted=False, paras=frozenset())
    styles = {(it.a, it.kind): it.style for it in items}
    assert styles[(2, "word")] == DELETED and styles[(4, "word")] == DELETED
    assert [it.text for it in items if it.style == PENDING] == ["fighting", "crude"]
    assert " ".join(it.text for it in items if it.style in (KEPT, PENDING)).startswith(
        "Speak with battle we're fighting against an crude oil")
    hidden = render_items(t, edl, hide_deleted=True, paras=frozenset())
    gaps = [it for it in hidden if it.kind == GAP]
    assert [(g.text, g.a, g.b) for g in gaps] == [(GAP_MARK, 2, 5)]
    assert all(it.text != "waging" for it in hidden)  # retyped originals are hidden too
    assert items[0].sep == "" and all(it.sep in (" ", "\n") for it in items[1:])
    assert [it.low for it in items[:2]] == [True, False]  # "Speak" has p = 0.16


def test_skip_spans_follow_the_deleted_words():
    t = sample_transcript()
    edl = Edl(len(t.words)).delete(2, 5).delete(19, 20)
    spans = skip_spans(t, edl, 20_000)
    assert spans[0] == Span(368, 838)  # from "you" to the start of "battle"
    assert spans[-1].end_ms == 20_000  # the last word: to the end of the recording
    assert span_at(spans, 500) == spans[0] and span_at(spans, 900) is None
    assert word_at([0, 100, 200], 150) == 1 and word_at([50], 10) is None
    assert edited_duration_ms(spans, 20_000) == 20_000 - 470 - (20_000 - spans[-1].start_ms)


def test_edits_of_lists_cuts_and_retypes_in_order():
    t = sample_transcript()
    edl = Edl(len(t.words)).replace(7, 8, "fighting").delete(0, 2)
    from lecturecut.synthesis.history import History

    p = Project("x", None, None, t, History.start(edl))  # type: ignore[arg-type]
    entries = edits_of(p)
    assert [(e.kind, e.a, e.b, e.state) for e in entries] == [(CUT, 0, 2, CUT), ("retype", 7, 8, VOICE_PENDING)]
    assert entries[0].review  # "Speak" was recognised with low confidence
    assert entries[1].before == "waging" and entries[1].after == "fighting"


def test_time_formatting_and_estimates():
    assert format_duration(0.9) == "0:00" and format_duration(75) == "1:15" and format_duration(3725) == "1:02:05"
    assert estimate_left_s(0.5, 10.0) == pytest.approx(10.0)
    assert estimate_left_s(0.01, 10.0) is None and estimate_left_s(0.5, 0.5) is None


def test_gui_main_argument_parsing():
    assert _parse(["lecture.mp4"]) == ("lecture.mp4", None)
    assert _parse(["--lang", "de", "x.lcproj"]) == ("x.lcproj", "de")
    assert _parse([]) == (None, None)


def test_error_messages_say_what_to_do():
    assert describe_error(MediaError("'x.mp4' has no audio track, so there is nothing to transcribe."))[1] \
        .startswith("'x.mp4' has no audio track")
    title, text, details = describe_error(FFmpegError("ffmpeg failed", "ffmpeg -i x", "boom"))
    assert "ffmpeg -i x" in details
    assert "setup.sh" in describe_error(ModuleNotFoundError("No module named 'whisper'", name="whisper"))[1]
    assert "disk" in describe_error(OSError(28, "No space left on device"))[1]
    assert "autosaves" in describe_error(RuntimeError("bug"))[1]


# ---- workers -----------------------------------------------------------------------------------
def test_job_reports_progress_and_result_on_the_gui_thread(qtbot):
    import threading

    seen = []
    job = Job(lambda progress, cancel: count_slowly(5, 0.01, progress, cancel), "count")
    job.progress.connect(lambda f, m: seen.append((f, m, threading.current_thread() is threading.main_thread())))
    with qtbot.waitSignal(job.succeeded, timeout=5000) as blocker:
        job.start()
    assert blocker.args == [5]
    assert seen and all(on_gui for _f, _m, on_gui in seen)
    qtbot.waitUntil(lambda: job.done)


def test_job_cancel_and_failure(qtbot):
    job = Job(lambda progress, cancel: count_slowly(1000, 0.01, progress, cancel), "count")
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        job.start()
        job.cancel()
    job = Job(lambda progress, cancel: fail_with("no audio track", progress, cancel), "fail")
    with qtbot.waitSignal(job.failed, timeout=5000) as blocker:
        job.start()
    assert isinstance(blocker.args[0], MediaError) and "no audio track" in job.traceback_text


def test_run_in_process_returns_reports_raises_and_cancels(monkeypatch):
    from lecturecut.core import CancelToken

    # the child imports count_slowly/fail_with by module name: give it tests/ (where gui_support lives)
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join([str(Path(__file__).parent), os.environ.get("PYTHONPATH", "")]))

    seen = []
    assert run_in_process(count_slowly, 3, 0.0, progress=lambda f, m: seen.append(m)) == 3
    assert seen == ["step 1 of 3", "step 2 of 3", "step 3 of 3"]
    with pytest.raises(MediaError, match="no audio"):
        run_in_process(fail_with, "no audio")
    token = CancelToken()
    import threading
    import time

    threading.Timer(0.5, token.cancel).start()
    t0 = time.monotonic()
    with pytest.raises(Cancelled):
        run_in_process(count_slowly, 10_000, 0.01, cancel=token)
    assert time.monotonic() - t0 < 5


# ---- transcript view ---------------------------------------------------------------------------
def test_keyboard_select_delete_undo(qtbot, view, session):
    put_cursor(view, 0)
    qtbot.keyClick(view, Qt.Key.Key_Right)  # cursor to "with"
    for _ in range(3):
        qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_range() == (1, 4)
    assert view.textCursor().selectedText() == "with you about"
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert session.edl.deleted == frozenset({1, 2, 3})
    assert session.dirty
    assert char_format(view, word_pos(view, 2)).fontStrikeOut()
    assert not char_format(view, word_pos(view, 5)).fontStrikeOut()
    session.undo()
    assert session.edl.deleted == frozenset()
    assert not char_format(view, word_pos(view, 2)).fontStrikeOut()
    session.redo()
    assert session.edl.deleted == frozenset({1, 2, 3})


def test_backspace_without_selection_deletes_the_word_before(qtbot, view, session):
    put_cursor(view, word_pos(view, 6))  # at the start of "we're"
    qtbot.keyClick(view, Qt.Key.Key_Backspace)
    assert session.edl.deleted == frozenset({5})  # "battle"
    put_cursor(view, word_pos(view, 8))
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert session.edl.deleted == frozenset({5, 8})


def test_typing_over_a_selection_retypes_it(qtbot, view, session):
    view.select_range(7, 8)  # "waging"
    qtbot.keyClicks(view, "f")
    editor = view.retype_editor
    assert editor is not None and editor.text() == "f"
    qtbot.keyClicks(editor, "ighting")
    qtbot.keyClick(editor, Qt.Key.Key_Return)
    assert [(r.start, r.end, r.text) for r in session.edl.replacements] == [(7, 8, "fighting")]
    assert "fighting" in view.toPlainText()
    pending = next(t for t in view.tokens if t.item.style == PENDING)
    assert view.toPlainText()[pending.text_start:pending.end] == "fighting"
    assert char_format(view, pending.text_start).fontItalic()
    # Esc cancels a retype without an edit
    view.select_range(10, 12)
    qtbot.keyClicks(view, "x")
    qtbot.keyClick(view.retype_editor, Qt.Key.Key_Escape)
    assert view.retype_editor is None and len(session.edl.replacements) == 1
    # Ctrl+R (restore) brings the recorded words back
    view.select_range(7, 8)
    assert view.restore_selection()
    assert session.edl.replacements == ()


def test_hide_deleted_and_low_confidence(qtbot, view, session):
    session.delete(2, 5)
    view.set_hide_deleted(True)
    text = view.toPlainText()
    assert GAP_MARK in text and " you " not in text
    view.set_hide_deleted(False)
    assert "you about the" in view.toPlainText()
    fmt = char_format(view, word_pos(view, 0))  # "Speak", p = 0.16
    assert fmt.underlineStyle() == QTextCharFormat.UnderlineStyle.WaveUnderline
    assert "Low confidence" in view.tooltip_for(0)


def test_click_seeks_and_playback_highlights_the_spoken_word(qtbot, view, session, player):
    c = QTextCursor(view.document())
    c.setPosition(word_pos(view, 10) + 1)  # inside "oil"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.cursorRect(c).center())
    assert player.position() == 2348
    assert view.current_word == 10
    player.seek(4300)
    assert view.current_word == 15  # "our" (4.258-4.368 s)
    extra = view.extraSelections()
    assert len(extra) == 1 and extra[0].cursor.selectedText() == "our"


def test_arrows_move_by_word_and_seek(qtbot, view, player):
    put_cursor(view, 0)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    qtbot.keyClick(view, Qt.Key.Key_Right)
    assert view.word_cursor_index() == 2 and player.position() == 368
    qtbot.keyClick(view, Qt.Key.Key_Left)
    assert view.word_cursor_index() == 1


# ---- playback ----------------------------------------------------------------------------------
def test_playback_skips_deleted_words(qtbot, session, player):
    session.delete(2, 5)  # 368-838 ms
    player.seek(300)
    positions = []
    player.positionChanged.connect(positions.append)
    player.play()
    qtbot.waitUntil(lambda: player.position() > 1000, timeout=5000)
    player.pause()
    assert not any(380 <= p < 830 for p in positions), positions
    assert 838 in positions  # it landed exactly on the first kept word after the cut
    # "Play edited" off: the recording as it was
    player.set_skip_edits(False)
    positions.clear()
    player.seek(300)
    player.play()
    qtbot.waitUntil(lambda: player.position() > 900, timeout=5000)
    player.pause()
    assert any(400 <= p < 830 for p in positions)


def test_preview_loops_original_then_edited(qtbot, session, player):
    session.delete(2, 5)
    segments = []
    player.positionChanged.connect(lambda _p: segments.append(player.preview_segment()))
    player.preview(368, 838, pad_ms=200)
    assert player.is_previewing() and player.is_playing()
    qtbot.waitUntil(lambda: any(s is not None and s[2] for s in segments), timeout=5000)
    assert segments[0] is not None and segments[0][2] is False  # the recording first, then the edit
    player.stop_preview()
    assert not player.is_playing() and not player.is_previewing()


def test_timeline_paints_waveform_and_seeks(qtbot, session, player):
    import numpy as np

    tl = TimelineWidget(session, player)
    qtbot.addWidget(tl)
    tl.resize(400, 70)
    tl.show()
    session.delete(2, 5)
    tl.set_peaks(np.abs(np.sin(np.linspace(0, 60, 2000))).astype(np.float32))
    image = tl.grab().toImage()
    assert not image.isNull()
    qtbot.mouseClick(tl, Qt.MouseButton.LeftButton, pos=QPoint(200, 30))
    assert abs(player.position() - player.duration() / 2) < 100
    tl.zoom(4)
    lo, hi = tl.visible_range()
    assert hi - lo == pytest.approx(player.duration() / 4, abs=2)


def test_waveform_peaks_from_the_real_clip(media_file):
    peaks = waveform_peaks(media_file(CLIP), 20.0)
    assert abs(len(peaks) - 20.0 * PEAKS_PER_S) < 10
    assert 0.05 < float(peaks.max()) <= 1.0


def test_edit_list_panel_restores_and_previews(qtbot, session, player):
    panel = EditListPanel(session, player)
    qtbot.addWidget(panel)
    session.delete(2, 5)
    session.replace(7, 8, "fighting")
    assert panel.tree.topLevelItemCount() == 2
    assert "cut" in panel.tree.topLevelItem(0).text(2)
    assert "voice pending" in panel.tree.topLevelItem(1).text(2)
    with qtbot.waitSignal(panel.rangeActivated) as blocker:
        panel.select_entry(1)
    assert blocker.args == [7, 8]
    panel.preview_button.click()
    assert player.is_previewing()
    panel.preview_button.click()
    assert not player.is_previewing()
    panel.restore_button.click()
    assert session.edl.replacements == () and session.history.can_undo


# ---- the window --------------------------------------------------------------------------------
def test_window_shortcuts_undo_redo_and_transport(qtbot, window):
    view, session = window.transcript, window.session
    view.select_range(1, 3)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert session.edl.deleted == frozenset({1, 2})
    assert window.actions["undo"].isEnabled() and "Delete 2 words" in window.actions["undo"].text()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.edl.deleted == frozenset()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert session.edl.deleted == frozenset({1, 2})
    put_cursor(view, 0)  # no selection: Space and J/K/L are the transport
    qtbot.keyClick(view, Qt.Key.Key_Space)
    assert window.player.is_playing()
    qtbot.keyClick(view, Qt.Key.Key_L)
    assert window.player.rate() == 1.5
    qtbot.keyClick(view, Qt.Key.Key_K)
    assert not window.player.is_playing() and window.player.rate() == 1.0
    window.player.seek(8000)
    qtbot.keyClick(view, Qt.Key.Key_J)
    assert window.player.position() == 3000
    assert "*" in window.windowTitle() or window.isWindowModified()


def test_find_and_replace(qtbot, window):
    bar, session = window.find_bar, window.session
    window.actions["find"].trigger()
    assert bar.isVisible()
    bar.find_edit.setText("our")
    assert bar.find_next()
    assert window.transcript.selected_range() == (15, 16)
    bar.replace_edit.setText("the")
    assert bar.replace_current()
    assert [(r.start, r.end, r.text) for r in session.edl.replacements] == [(15, 16, "the")]
    assert window.transcript.selected_range() == (18, 19)  # moved on to the next "our"
    session.undo()
    bar.find_edit.setText("oil spill")
    bar.replace_edit.setText("disaster")
    assert bar.replace_all() == 1
    assert "disaster" in session.edl.edited_text(session.transcript)
    assert session.history.undo_label == "Edit text"


def test_save_reopen_restores_edits_history_and_playhead(qtbot, window, settings, tmp_path):
    session = window.session
    session.delete(2, 5)
    session.replace(7, 8, "fighting")
    window.player.seek(6400)
    assert window.save()
    path = session.path
    assert not session.dirty and str(path) in settings.recent_files
    window.close()
    again = create_window(settings, use_media=False)
    qtbot.addWidget(again)
    again.prompt = ScriptedPrompter()
    assert again.open_path(path)
    s2 = again.session
    assert s2.edl.deleted == frozenset({2, 3, 4})
    assert [r.text for r in s2.edl.replacements] == ["fighting"]
    assert s2.history.can_undo and s2.history.undo_label == "Retype words"
    assert again.player.position() == 6400
    s2.undo()
    assert s2.edl.replacements == ()
    again.close()


def test_autosave_and_recovery_after_a_crash(qtbot, settings, project_file, tmp_path):
    path = tmp_path / "crash.lcproj"
    shutil.copy(project_file, path)
    w = create_window(settings, use_media=False)
    w.prompt = ScriptedPrompter()
    qtbot.addWidget(w)
    w.session._autosave_timer.setInterval(50)
    assert w.open_path(path)
    w.session.delete(0, 3)
    with qtbot.waitSignal(w.session.autosaved, timeout=3000):
        pass
    assert autosave_path(path).exists()
    assert str(path.resolve()) in settings.open_projects
    # "Crash": the window goes away without closing the project (no prompt, no cleanup).
    w.session.set_session(None)
    w.deleteLater()
    w2 = create_window(settings, use_media=False)
    qtbot.addWidget(w2)
    w2.prompt = ScriptedPrompter(recover=True)
    assert w2.offer_recovery()
    assert w2.prompt.asked[0][0] == "recover"
    assert w2.session.edl.deleted == frozenset({0, 1, 2}) and w2.session.dirty
    assert load_project(path).edl.deleted == frozenset()  # the project file itself was not touched
    w2.prompt = ScriptedPrompter(save="discard")
    w2.close()
    assert not autosave_path(path).exists()


def test_close_asks_about_unsaved_changes(qtbot, window):
    window.session.delete(0, 1)
    window.prompt = ScriptedPrompter(save="cancel")
    assert not window.close()
    assert window.prompt.asked == [("save", window.session.path.name)]
    window.prompt = ScriptedPrompter(save="save")
    assert window.close()
    assert not window.session.is_open


def test_opening_a_video_without_audio_explains_the_problem(qtbot, settings, tmp_path):
    silent = tmp_path / "silent.mp4"
    subprocess.run(["ffmpeg", "-v", "error", "-f", "lavfi", "-i", "color=c=blue:s=64x64:d=1", "-pix_fmt", "yuv420p",
                    str(silent)], check=True)
    w = create_window(settings, use_media=False)
    qtbot.addWidget(w)
    w.prompt = ScriptedPrompter()
    with qtbot.waitSignal(w.transcriptionFinished, timeout=60_000) as blocker:
        assert w.open_path(silent)
    assert blocker.args == [False]
    boxes = [b for b in QApplication.topLevelWidgets() if isinstance(b, QMessageBox) and b.isVisible()]
    assert any("no audio track" in b.text() and "nothing to transcribe" in b.text() for b in boxes)
    for b in boxes:
        b.close()
    w.close()


def test_shortcuts_are_listed_under_help(qtbot, window):
    dialog = window.shortcuts_dialog_open()
    keys = [dialog.table.item(r, 0).text() for r in range(dialog.table.rowCount())]
    for key in ("Space", "J", "K", "L", "Ctrl+Z", "Ctrl+F"):
        assert key in keys
    assert len(keys) == len(shortcut_table())
    dialog.close()
    assert isinstance(dialog, ShortcutsDialog)


def test_german_translation(qtbot, settings):
    assert (I18N_DIR / "lecturecut_de.qm").exists()
    app = QApplication.instance()
    translators = install_translators(app, "de")
    try:
        w = create_window(settings, use_media=False)
        qtbot.addWidget(w)
        titles = [a.text() for a in w.menuBar().actions()]
        assert "&Datei" in titles and "&Bearbeiten" in titles
        assert w.actions["export"].text().startswith("&Exportieren")
        w.close()
    finally:
        for t in translators:
            app.removeTranslator(t)


def test_settings_dialog_lists_models(qtbot, window, settings):
    from lecturecut.app.dialogs import SettingsDialog

    class Spec:
        def __init__(self, name):
            self.name, self.purpose, self.licence = name, "transcription", "MIT"

    class Status:
        def __init__(self, name, path):
            self.spec, self.path = Spec(name), path

    dialog = SettingsDialog(settings, window, list_models=lambda: [Status("whisper-base", Path("/m")),
                                                                   Status("wav2lip", None)])
    qtbot.addWidget(dialog)
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 2, timeout=5000)
    assert dialog.table.item(1, 3).text() == "not present"
    dialog.table.selectRow(1)
    assert dialog.fetch_button.isEnabled()
    dialog.table.selectRow(0)
    assert not dialog.fetch_button.isEnabled()
    dialog.model.setCurrentText("small")
    dialog.language.setCurrentIndex(dialog.language.findData("de"))
    dialog.accept()
    assert settings.model == "small" and settings.project_settings().language == "de"


def test_gui_watchdog_measures_a_blocked_event_loop(qtbot):
    import time

    dog = GuiWatchdog()
    dog.start()
    qtbot.wait(50)
    time.sleep(0.15)  # block the GUI thread on purpose
    qtbot.wait(30)
    dog.stop()
    assert dog.max_gap_ms >= 140
    assert wait_until(lambda: True) and wait_signal is not None


def test_delete_leaves_the_cursor_after_the_cut_and_fast_typing_reaches_the_retype_box(qtbot, view, session):
    view.select_range(2, 5)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert not view.textCursor().hasSelection()
    assert view.textCursor().position() == view.token_range(2, 5)[1]
    view.select_range(7, 8)
    qtbot.keyClicks(view, "fi")  # the second key still goes to the view: it must land in the box
    assert view.retype_editor is not None and view.retype_editor.text() == "fi"


def test_time_left_counts_from_the_measured_phase(monkeypatch):
    import lecturecut.app.workers as workers

    now = [100.0]
    monkeypatch.setattr(workers.time, "monotonic", lambda: now[0])
    job = Job(lambda progress, cancel: None)
    job.started_at = 0.0
    job._on_progress(None, "Loading the model")  # 100 s of unmeasured setup must not count
    now[0] = 200.0
    job._on_progress(0.2, "Transcribing")
    job.last_fraction = 0.2
    assert job.eta_s() is None  # nothing measured yet
    now[0] = 210.0
    job._on_progress(0.4, "Transcribing")
    job.last_fraction = 0.4
    assert job.eta_s() == pytest.approx(30.0)  # 0.2 took 10 s; 0.6 to go


def test_dropping_a_project_on_the_window_opens_it(qtbot, settings, project_file, tmp_path):
    from PySide6.QtCore import QMimeData, QPointF, QUrl
    from PySide6.QtGui import QDropEvent

    path = tmp_path / "dropped.lcproj"
    shutil.copy(project_file, path)
    w = create_window(settings, use_media=False)
    qtbot.addWidget(w)
    w.prompt = ScriptedPrompter()
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(path))])
    w.dropEvent(QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                           Qt.KeyboardModifier.NoModifier))
    qtbot.waitUntil(lambda: w.session.is_open, timeout=5000)
    assert w.session.path == path
    w.close()


def test_cancelling_a_transcription_leaves_nothing_behind(qtbot, settings, media_file, tmp_path):
    clip = tmp_path / "cancel.mp4"
    shutil.copy(media_file(CLIP), clip)
    w = create_window(settings, use_media=False)
    qtbot.addWidget(w)
    w.prompt = ScriptedPrompter()
    assert w.open_path(clip)
    assert w.job_status.isVisible() or not w.isVisible()
    with qtbot.waitSignal(w.transcriptionFinished, timeout=15_000) as blocker:
        qtbot.wait(300)
        w.job_status.cancel_button.click()
    assert blocker.args == [False]
    assert not w.session.is_open and not clip.with_suffix(".lcproj").exists()
    w.close()


def test_return_in_the_retype_box_commits_once(qtbot, view, session):
    view.select_range(7, 8)
    qtbot.keyClicks(view, "f")
    qtbot.keyClick(view.retype_editor, Qt.Key.Key_Return)
    assert view.retype_editor is None and not view.textCursor().hasSelection()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)  # the modifier press must not loop
    assert [r.text for r in session.edl.replacements] == ["f"]


def test_german_translation_is_complete(tmp_path):
    """Every user-visible string in app/ has a German translation, and the .qm is compiled from the .ts."""
    import sys
    import xml.etree.ElementTree as ET

    tool = Path(sys.executable).parent / "pyside6-lupdate"
    assert tool.exists(), "pyside6-lupdate ships with PySide6: the set-up is broken"
    app_dir = I18N_DIR.parent
    fresh = tmp_path / "fresh.ts"
    subprocess.run([str(tool), *sorted(str(p) for p in app_dir.glob("*.py")), "-ts", str(fresh)],
                   check=True, capture_output=True)

    def sources(path: Path) -> dict[tuple[str, str], ET.Element]:
        root = ET.parse(path).getroot()
        return {(c.findtext("name"), m.findtext("source")): m for c in root.iter("context") for m in c.iter("message")}

    shipped = sources(I18N_DIR / "lecturecut_de.ts")
    missing = set(sources(fresh)) - set(shipped)
    assert not missing, f"run pyside6-lupdate and translate: {sorted(missing)[:5]}"
    unfinished = [k for k, m in shipped.items() if m.find("translation").get("type") in ("unfinished", "vanished")]
    assert not unfinished, unfinished[:5]


def test_pyside_keeps_reference_counts():
    """PySide6 6.12.0 on Python 3.11 drops a reference to None on every void call and crashes the app
    after a few thousand calls ("Fatal Python error: none_dealloc"); pyproject pins below it."""
    import sys

    from PySide6.QtCore import QObject

    obj = QObject()
    before = sys.getrefcount(None)
    for _ in range(10_000):
        obj.setObjectName("x")
    assert sys.getrefcount(None) >= before - 100


def test_export_dialog_runs_the_export_as_a_job_with_progress_and_cancel(qtbot, window, tmp_path, monkeypatch):
    """The dialog's flow with a stand-in export (the engine's export is tested end to end in test_gui.py)."""
    from types import SimpleNamespace

    from gui_support import count_slowly

    from lecturecut.app import dialogs
    from lecturecut.app.dialogs import ExportDialog

    monkeypatch.setattr(dialogs.jobs, "export_options",
                        lambda subtitles, smooth, preset, overwrite=False, **kw: SimpleNamespace(
                            subtitles=subtitles, preset=preset, target=kw.get("target", "openhpi"),
                            prefix=kw.get("prefix", ""), audio_track=kw.get("audio_track", False),
                            timeline=kw.get("timeline", False)))
    calls = []

    def fake_export(project, out, options, progress, cancel):
        calls.append((project, out, options))
        count_slowly(int(options.preset == "quality") * 1000 + 5, 0.01, progress, cancel)
        Path(out).write_bytes(b"video")
        return SimpleNamespace(path=Path(out), duration_s=17.5, n_cuts=1, warnings=["a warning"])

    asked = []
    dialog = ExportDialog(window.session, window, window.pool, export=fake_export,
                          ask_overwrite=lambda paths: asked.append(paths) or True)
    qtbot.addWidget(dialog)
    assert dialog.dest.text().endswith("lecture (edited).mp4")
    dialog.dest.setText(str(tmp_path / "out"))
    with qtbot.waitSignal(dialog.exportFinished, timeout=10_000) as blocker:
        dialog.start_export()
    assert blocker.args[0].path == tmp_path / "out.mp4" and calls[0][2].subtitles == "sidecar"
    assert calls[0][0] is window.session.project
    assert dialog.reveal_button.isVisibleTo(dialog) and "a warning" in dialog.status.text()
    assert "0:17" in dialog.status.text()
    # a slow export can be cancelled from the dialog
    dialog.preset.setCurrentIndex(dialog.preset.findData("quality"))
    assert asked == []
    job = dialog.start_export()
    assert asked == [[str(tmp_path / "out.mp4")]], "the first export's file exists: asked before replacing it"
    qtbot.waitUntil(lambda: dialog.progress.value() > 0, timeout=5000)
    with qtbot.waitSignal(job.cancelled, timeout=5000):
        dialog.cancel_button.click()
    assert "cancelled" in dialog.status.text()


def test_export_dialog_offers_the_presets_prefix_and_extras_of_the_command_line(qtbot, window, tmp_path):
    from types import SimpleNamespace

    from lecturecut.app.dialogs import ExportDialog

    calls = []

    def fake_export(project, out, options, progress, cancel):
        calls.append(options)
        return SimpleNamespace(path=Path(out), duration_s=1.0, n_cuts=0, warnings=[])

    dialog = ExportDialog(window.session, window, window.pool, export=fake_export, ask_overwrite=lambda paths: True)
    qtbot.addWidget(dialog)
    assert dialog.target.currentData() == "openhpi"  # openHPI is the default, as on the command line
    dialog.dest.setText(str(tmp_path / "lecture.mp4"))
    dialog.target.setCurrentIndex(dialog.target.findData("archive"))
    dialog.prefix.setText("  bigdata-w1 ")
    for box in (dialog.audio_track, dialog.timeline, dialog.mark, dialog.full_render):
        box.setChecked(True)
    with qtbot.waitSignal(dialog.exportFinished, timeout=10_000):
        dialog.start_export()
    (options,) = calls
    assert (options.target, options.prefix) == ("archive", "bigdata-w1")
    assert options.audio_track and options.timeline and options.mark_synthetic and options.full_render
