"""The desktop app end to end, offscreen, on a real clip with real Whisper (issue 3).

One transcription per module (the ``transcribed`` fixture opens the clip in
the real window and waits for the background job, measuring meanwhile how
long the GUI thread was ever kept from its event loop); the tests then edit
with the keyboard, undo and redo, save, reopen, and export through the
worker, checking the exported file with the engine's own probe.
"""

from __future__ import annotations

import gc
import os
import shutil
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_support import GuiWatchdog, ScriptedPrompter, wait_signal  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QTextCursor  # noqa: E402

from lecturecut.app.gui import create_window  # noqa: E402
from lecturecut.app.settings import AppSettings  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]

CLIP = "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"
# Work done on the GUI thread instead of a worker (a transcription, an export, loading a model) blocks
# it for seconds; this bound catches that with room for a loaded 2-core CI machine. The app's own
# goal, under 100 ms, is measured on a quiet machine and reported (README, "Benchmarks").
MAX_GUI_BLOCK_MS = 250
TRANSCRIBE_TIMEOUT_S = 240


@pytest.fixture(scope="module")
def transcribed(qapp, tmp_path_factory, media_file):
    folder = tmp_path_factory.mktemp("gui")
    clip = folder / "lecture.mp4"
    shutil.copy(media_file(CLIP), clip)
    settings = AppSettings(QSettings(str(folder / "settings.ini"), QSettings.Format.IniFormat))
    window = create_window(settings)  # real Qt Multimedia; the app falls back by itself where it cannot play
    window.prompt = ScriptedPrompter(save="discard")
    window.show()
    dog = GuiWatchdog()
    progress: list[tuple[float | None, str, bool]] = []
    calm_heap()
    dog.start()
    t0 = time.monotonic()
    assert window.open_path(clip)
    job = window.transcribe_job
    assert job is not None
    job.progress.connect(lambda f, m: progress.append((f, m, window.job_status.isVisible())))
    result = wait_signal(window.transcriptionFinished, TRANSCRIBE_TIMEOUT_S)
    dog.stop()
    yield SimpleNamespace(window=window, clip=clip, folder=folder, settings=settings, ok=result,
                          max_gap_ms=dog.max_gap_ms, ticks=len(dog.gaps_ms), progress=progress,
                          seconds=time.monotonic() - t0)
    window.prompt = ScriptedPrompter(save="discard")
    window.close()


def calm_heap() -> None:
    """Collect, then freeze, what earlier tests left in this process (Whisper and TTS models, decoded
    audio: millions of objects), so that a full garbage collection walking them is not counted as
    the app blocking its GUI thread. The app's own objects made from here on are collected as usual."""
    gc.collect()
    gc.freeze()


def word_index(session, text: str) -> int:
    return next(i for i, w in enumerate(session.transcript.words) if w.norm == text)


def put_cursor_at_word(view, index: int) -> None:
    tok = next(t for t in view.tokens if t.item.kind == "word" and t.item.a == index)
    cursor = view.textCursor()
    cursor.setPosition(tok.text_start)
    view.setTextCursor(cursor)


def test_transcription_runs_in_the_background_and_never_blocks_the_gui(transcribed):
    t = transcribed
    assert t.ok == [True], "the transcription did not finish"
    session = t.window.session
    assert session.is_open and len(session.transcript.words) > 30
    assert "oil spill" in session.transcript.text.lower()
    # the project was saved beside the video at once: a transcript is costly
    assert session.path == t.clip.with_suffix(".lcproj") and session.path.exists() and not session.dirty
    # progress reached the status bar, with Cancel, while the job ran
    assert t.progress and any(visible for _f, _m, visible in t.progress)
    assert any(f is not None and f > 0 for f, _m, _v in t.progress)
    # the GUI thread ran its event loop at least every 100 ms throughout
    assert t.ticks > t.seconds * 1000 / 100
    assert t.max_gap_ms < MAX_GUI_BLOCK_MS, f"GUI thread blocked for {t.max_gap_ms:.0f} ms"
    assert not t.window.job_status.isVisible()


def test_playing_the_edited_lecture_skips_the_cut(transcribed, qtbot):
    window = transcribed.window
    session, player = window.session, window.player
    words = session.transcript.words
    a = word_index(session, "april") - 1  # "On April 20th," between two pauses
    session.delete(a, a + 3)
    # the instant word-edge cut is replaced by the export's own cut points (quietest point of each pause)
    qtbot.waitUntil(lambda: player.spans_planned, timeout=20_000)
    span = player.spans[0]
    assert words[a - 1].end_s * 1000 - 1 <= span.start_ms <= words[a].start_s * 1000 + 1
    assert words[a + 2].end_s * 1000 - 1 <= span.end_ms <= words[a + 3].start_s * 1000 + 1
    positions: list[int] = []
    player.positionChanged.connect(positions.append)
    player.seek(span.start_ms - 700)
    player.play()
    qtbot.waitUntil(lambda: player.position() > span.end_ms + 300, timeout=10_000)
    player.pause()
    player.positionChanged.disconnect(positions.append)
    inside = [p for p in positions if span.start_ms + 30 < p < span.end_ms - 30]
    assert not inside, (span, inside)
    assert any(p >= span.end_ms for p in positions)
    assert window.transcript.current_word is not None and window.transcript.current_word >= a + 3
    session.undo()
    assert session.edl.deleted == frozenset()


def test_keyboard_edits_undo_redo_save_and_reopen(transcribed, qtbot):
    window = transcribed.window
    session, view = window.session, window.transcript
    window.activateWindow()
    view.setFocus()
    start = word_index(session, "battle")
    # select "battle we're" with Shift+Right and press Delete
    put_cursor_at_word(view, start)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert view.selected_range() == (start, start + 2)
    qtbot.keyClick(view, Qt.Key.Key_Delete)
    assert session.edl.deleted == frozenset({start, start + 1})
    assert session.dirty and window.isWindowModified()
    # undo / redo with the editor's shortcuts
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert session.edl.deleted == frozenset()
    qtbot.keyClick(view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    assert session.edl.deleted == frozenset({start, start + 1})
    # retype "oil" by typing over it
    oil = word_index(session, "oil")
    put_cursor_at_word(view, oil)
    qtbot.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    qtbot.keyClicks(view, "c")
    qtbot.keyClicks(view.retype_editor, "rude")
    qtbot.keyClick(view.retype_editor, Qt.Key.Key_Return)
    assert [(r.start, r.end, r.text) for r in session.edl.replacements] == [(oil, oil + 1, "crude")]
    # the playback skips the cut
    assert window.player.spans and window.player.spans[0].start_ms < window.player.spans[0].end_ms
    # Ctrl+S saves
    window.player.seek(4200)
    qtbot.keyClick(view, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)
    assert not session.dirty
    path = session.path
    history = session.history
    window.close()
    assert not session.is_open

    again = create_window(transcribed.settings)
    again.prompt = ScriptedPrompter(save="discard")
    qtbot.addWidget(again)
    assert again.open_path(path)
    s2 = again.session
    assert s2.edl == history.current
    assert s2.history.index == history.index and s2.history.labels == history.labels
    assert s2.history.undo_label == "Retype words"
    assert again.player.position() == 4200
    text = again.transcript.toPlainText()
    assert "crude" in text
    tok = next(t for t in again.transcript.tokens if t.item.a == start and t.item.kind == "word")
    c = QTextCursor(again.transcript.document())
    c.setPosition(tok.text_start + 1)
    assert c.charFormat().fontStrikeOut()
    s2.undo()  # the undo history came back with the project
    assert s2.edl.replacements == ()
    s2.redo()
    again.close()


def test_export_through_the_worker_and_probe_the_result(transcribed, qtbot):
    from lecturecut.media.probe import probe

    window = create_window(transcribed.settings)
    window.prompt = ScriptedPrompter(save="discard")
    qtbot.addWidget(window)
    assert window.open_path(transcribed.clip.with_suffix(".lcproj"))
    session = window.session
    while session.history.can_undo:  # back to the recording as transcribed
        session.undo()
    words = session.transcript.words
    a = word_index(session, "explosion")
    session.delete(a, a + 3)  # "explosion ripped through"
    cut_s = words[a + 3].start_s - words[a].start_s
    dialog = window.export_dialog_open()
    out = transcribed.folder / "exported.mp4"
    dialog.dest.setText(str(out))
    dialog.subtitles.setCurrentIndex(dialog.subtitles.findData("sidecar"))
    dog = GuiWatchdog()
    calm_heap()
    dog.start()
    with qtbot.waitSignal(dialog.exportFinished, timeout=300_000) as blocker:
        job = dialog.start_export()
        assert job is not None and dialog.progress.isVisible()
    dog.stop()
    assert dog.max_gap_ms < MAX_GUI_BLOCK_MS, f"GUI thread blocked for {dog.max_gap_ms:.0f} ms during export"
    result = blocker.args[0]
    assert result.subtitle_paths and all(Path(p).exists() for p in result.subtitle_paths)
    assert Path(result.path) == out and out.exists()
    assert dialog.reveal_button.isVisible()
    info = probe(out)
    assert info.has_video and info.has_audio
    source = probe(transcribed.clip)
    expected = source.duration_s - cut_s
    assert abs(info.duration_s - expected) < 0.6, (info.duration_s, expected)
    assert abs(result.duration_s - info.duration_s) < 0.3
    assert getattr(result, "n_cuts", 1) >= 1
    dialog.close()
    window.close()
