"""The window's first screen, find, clocks, Play selection, the language bar and a project changed on disk.

Real widgets on a real project (the bundled sample lecture with a hand-checked
transcript, the committed webcam clip); transcription is replaced by a scripted
call so the tests control when it finishes.
"""

from __future__ import annotations

import os
import shutil
import stat
import threading
from dataclasses import replace
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from gui_support import ScriptedPrompter, sample_transcript, wait_until  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QPalette, QTextCharFormat  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402

from lecturecut.app.gui import create_window  # noqa: E402
from lecturecut.app.i18n import install_translators  # noqa: E402
from lecturecut.app.playback import samples_to_ms  # noqa: E402
from lecturecut.app.player import CLOCK_BOTH, CLOCK_EDITED, CLOCK_SOURCE  # noqa: E402
from lecturecut.app.settings import AppSettings  # noqa: E402
from lecturecut.app.transcript_view import FIND_BACKGROUND  # noqa: E402
from lecturecut.asr.transcript import LanguageCheck  # noqa: E402
from lecturecut.media.probe import probe  # noqa: E402
from lecturecut.resources import RESOURCES_DIR, SAMPLE_LECTURE  # noqa: E402
from lecturecut.synthesis.project import PROJECT_SUFFIX, Project, load_project  # noqa: E402
from lecturecut.synthesis.session import EditSession  # noqa: E402

pytestmark = pytest.mark.gui

WEBCAM = "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4"  # 1080x720: its poster has that size


@pytest.fixture
def english(qapp):
    """English plural forms ("1 cut"), as the app installs them."""
    translators = install_translators(qapp, "en")
    assert translators, "lecturecut_en.qm (the English plural forms) is missing"
    yield
    for t in translators:
        qapp.removeTranslator(t)


@pytest.fixture
def settings(tmp_path) -> AppSettings:
    s = AppSettings(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    s.q.setValue("files/data_dir", str(tmp_path / "data"))
    return s


@pytest.fixture
def project_path(tmp_path) -> Path:
    folder = tmp_path / "lecture"
    folder.mkdir()
    clip = folder / "lecture.mp4"
    shutil.copy(SAMPLE_LECTURE, clip)
    path = folder / "lecture.lcproj"
    EditSession(Project.create(clip, probe(clip), sample_transcript())).save(path)
    return path


@pytest.fixture
def window(qtbot, settings, project_path, english):
    w = create_window(settings, use_media=False)  # the silent clock: deterministic offscreen
    w.prompt = ScriptedPrompter(save="discard")
    qtbot.addWidget(w)
    assert w.open_path(project_path)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.prompt = ScriptedPrompter(save="discard")
    w.close()


class GatedTranscription:
    """Stands in for the child-process transcription: returns ``transcript`` once released."""

    def __init__(self, transcript=None) -> None:
        self.release = threading.Event()
        self.transcript = transcript or sample_transcript()
        self.calls: list[tuple[Path, object, list[str]]] = []

    def __call__(self, video, settings, candidates, progress, cancel):
        self.calls.append((Path(video), settings, list(candidates)))
        progress(None, "Transcribing")
        while not self.release.wait(0.02):
            if cancel.is_set():
                from lecturecut.core import Cancelled

                raise Cancelled()
        transcript = self.transcript
        if settings.language:
            transcript = replace(transcript, language=settings.language,
                                 language_check=LanguageCheck(settings.language, None, True, (), False, ""))
        return Project.create(video, probe(video), transcript, settings)


def uncertain_transcript():
    check = LanguageCheck("en", 0.55, False, (("de", 0.45),), True,
                          "The detection was unsure between English and German.")
    return replace(sample_transcript(), language_check=check)


# ---- the first screen ------------------------------------------------------------------------
def test_poster_frame_shows_while_transcribing_and_a_second_open_resets_the_clock(qtbot, window, media_file,
                                                                                     tmp_path):
    window.session.delete(2, 5)
    window.player.seek(6400)
    assert window.save()
    assert window.player_widget.clock_text().startswith("0:06 / 0:20")
    second = tmp_path / "second.mp4"
    shutil.copy(media_file(WEBCAM), second)
    gate = GatedTranscription()
    window.new_project_call = gate
    assert window.open_path(second)
    view = window.player_widget.video
    # before the transcript exists: the video's own first frame, not "Open a lecture video"
    assert wait_until(lambda: window.player.picture() is not None, 10)
    assert window.transcribe_job is not None and not window.session.is_open
    image = window.player.picture()
    assert (image.width(), image.height()) == (1080, 720)
    colours = {image.pixelColor(x, y).name() for x in range(0, 1080, 90) for y in range(0, 720, 90)}
    assert len(colours) > 10, "the poster is a real frame, not a blank image"
    assert view.placeholder_text() == ""
    # the old lecture's clock, edits and transcript are gone
    assert window.player.position() == 0 and window.player.duration() == 0
    assert window.player_widget.clock_text().startswith("0:00 / 0:00")
    assert window.edit_list.entries == [] and window.edit_list.summary.text().startswith("0 cuts")
    assert "second.mp4" in window.transcript.placeholderText()
    gate.release.set()
    assert wait_until(lambda: window.session.is_open, 10)
    assert Path(window.session.project.source) == second.resolve()
    assert window.player.picture() is image or window.player.picture().size() == image.size()  # still shown
    assert window.player.position() == 0


def test_no_picture_is_said_only_when_playback_failed(qtbot, window, media_file):
    view, player = window.player_widget.video, window.player
    source = window.session.project.source
    assert wait_until(lambda: player.picture() is not None, 10)  # the poster of the reopened project
    assert view.placeholder_text() == ""
    player._on_media_error(None, "no decoder")  # what Qt Multimedia reports on a file it cannot play
    assert player.playback_failed and player.picture() is not None, "the poster still stands in"
    player.poster_source = None  # as before the poster is decoded
    player.poster = None
    assert view.placeholder_text() == "No picture (the video cannot be played on this system)"
    player.playback_failed = False
    assert view.placeholder_text() == "Loading the picture\u2026", "not 'No picture' while it is on its way"
    player.set_poster(source, None)  # no frame to decode and no player: truly no picture
    assert view.placeholder_text().startswith("No picture")
    window.close_project()
    assert view.placeholder_text().startswith("Open a lecture video")


def test_the_bundled_sample_gets_its_project_in_the_data_folder(qtbot, window, settings):
    before = set(RESOURCES_DIR.rglob(f"*{PROJECT_SUFFIX}*"))
    window.close_project()
    first = GatedTranscription()
    window.new_project_call = first
    assert window.open_path(SAMPLE_LECTURE)
    first.release.set()
    assert wait_until(lambda: window.transcribe_job is None and window.session.path is not None, 30)
    path = window.session.path
    assert path is not None and path.parent == settings.data_dir() and path.exists()
    assert set(RESOURCES_DIR.rglob(f"*{PROJECT_SUFFIX}*")) == before, "nothing is written into the package"
    # opening the sample again finds that project instead of transcribing again
    window.close_project()
    gate = GatedTranscription()
    window.new_project_call = gate
    assert window.open_path(SAMPLE_LECTURE)
    assert window.session.path == path and window.transcribe_job is None and gate.calls == []


def test_saved_project_files_get_normal_permissions(qtbot, window):
    window.session.delete(0, 1)
    assert window.save()
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(window.session.path.stat().st_mode) == 0o666 & ~umask


# ---- find ----------------------------------------------------------------------------------------
def test_find_counts_and_marks_matches_before_replacing(qtbot, window):
    bar = window.find_bar
    bar.open_bar()
    bar.find_edit.setText("our")
    assert bar.info.text() == "2 matches"
    marked = [window.transcript.document().toPlainText()[a:b] for a, b in window.transcript.find_matches]
    assert marked == ["our", "our"]
    marks = [sel.format.background().color() for sel in window.transcript.extraSelections()]
    assert marks.count(FIND_BACKGROUND) == 2
    bar.replace_edit.setText("the")
    assert bar.info.text() == "2 matches \u00b7 Replacing needs new speech for 2 words (made in the lecturer's voice)"
    bar.find_edit.setText("oil")
    bar.replace_edit.setText("crude")
    assert bar.info.text() == "1 match \u00b7 Replacing needs new speech for 1 word (made in the lecturer's voice)"
    bar.replace_edit.setText("")  # deleting needs no voice
    assert bar.info.text() == "1 match"
    window.session.delete(10, 11)  # "oil" deleted: no longer a match
    assert bar.info.text() == "Not found" and window.transcript.find_matches == []
    bar.close_bar()
    assert window.transcript.find_matches == []


def test_the_playing_word_is_not_drawn_like_a_selection(qtbot, window):
    view = window.transcript
    window.player.seek(samples_to_ms(view.session.transcript.words[5].start) + 5)
    assert view.current_word == 5
    (playing,) = view.extraSelections()
    assert playing.cursor.selectedText() == "battle"
    fmt: QTextCharFormat = playing.format
    highlight = view.palette().color(QPalette.ColorRole.Highlight)
    assert fmt.background().color() != highlight
    assert fmt.underlineStyle() != QTextCharFormat.UnderlineStyle.NoUnderline
    assert fmt.foreground().color() != view.palette().color(QPalette.ColorRole.HighlightedText) or \
        not fmt.hasProperty(QTextCharFormat.Property.ForegroundBrush)


# ---- edit list, plurals, timeline --------------------------------------------------------------
def test_edit_list_plurals_tenths_and_size(qtbot, window, qapp):
    panel = window.edit_list
    window.session.delete(2, 3)
    assert panel.summary.text() == "1 cut, 0 retypes"
    window.session.delete(10, 12)
    window.session.replace(15, 16, "the")
    assert panel.summary.text() == "2 cuts, 1 retype"
    assert panel.tree.topLevelItem(0).text(0) == "0:00.3"  # "you" starts at 0.368 s
    # a shortened pause is an edit of its own: its row, its count, and Restore gives it back
    assert window.session.shorten_pause(18, 200)
    assert panel.summary.text() == "2 cuts, 1 retype, 1 pause shortened"
    k = [e.kind for e in panel.entries].index("pause")
    assert panel.tree.topLevelItem(k).text(1).endswith("\u2192 0.2 s")
    assert panel.tree.topLevelItem(k).text(2) == "pause shortened"
    panel.select_entry(k)
    panel.restore_selected()
    assert panel.summary.text() == "2 cuts, 1 retype" and window.session.project.edl.pauses == ()
    row_h = panel.tree.visualItemRect(panel.tree.topLevelItem(0)).height()
    assert panel.tree.minimumHeight() >= 4 * row_h
    assert window.info_label.text().startswith("20 words")
    translators = install_translators(qapp, "de")
    try:
        panel._refresh()
        assert panel.summary.text() == "2 Schnitte, 1 Neueingabe"
        window.session.undo()  # the restore: the pause is back
        assert panel.summary.text() == "2 Schnitte, 1 Neueingabe, 1 Pause gekürzt"
        window.session.undo()
        assert panel.summary.text() == "2 Schnitte, 1 Neueingabe"
        window.session.undo()
        assert panel.summary.text() == "2 Schnitte, 0 Neueingaben"
        window.session.undo()
        assert panel.summary.text() == "1 Schnitt, 0 Neueingaben"
    finally:
        for t in translators:
            qapp.removeTranslator(t)


def test_timeline_has_a_ruler_and_a_scrollbar_when_zoomed(qtbot, window):
    tl = window.timeline
    tl.resize(800, tl.sizeHint().height())
    assert not tl.scrollbar.isVisibleTo(tl)
    assert tl.tick_step_ms() == 2_000  # 20 s across 800 px: a label every 2 s (>= 70 px apart)
    window.player.seek(10_000)
    tl.zoom(4.0)
    lo, hi = tl.visible_range()
    assert tl.scrollbar.isVisibleTo(tl) and tl.scrollbar.value() == lo and tl.scrollbar.pageStep() == hi - lo
    assert tl.tick_step_ms() == 500
    tl.scrollbar.setValue(0)
    assert tl.visible_range() == (0, hi - lo)
    tl.zoom(0.1)
    assert not tl.scrollbar.isVisibleTo(tl)


# ---- clocks and Play selection -----------------------------------------------------------------
def test_the_clock_shows_source_and_edited_time(qtbot, window):
    widget, player = window.player_widget, window.player
    window.session.delete(2, 9)  # "you about the battle we're waging against": 1.75 s
    player.seek(6400)
    skipped = sum(s.end_ms - s.start_ms for s in player.spans)
    assert 1500 < skipped < 2000
    assert player.edited_position() == 6400 - skipped
    widget.set_clock_mode(CLOCK_SOURCE)
    assert widget.time_label.text() == "0:06 / 0:20"
    widget.set_clock_mode(CLOCK_EDITED)
    assert widget.time_label.text() == "edited 0:04 / 0:18"
    widget.set_clock_mode(CLOCK_BOTH)
    assert widget.time_label.text() == "0:06 / 0:20  \u00b7  edited 0:04 / 0:18"
    widget.time_label.click()
    assert widget.clock_mode == CLOCK_SOURCE


def test_play_selection_plays_only_the_selected_words_as_edited(qtbot, window):
    session, player, view = window.session, window.player, window.transcript
    words = session.transcript.words
    session.delete(8, 10)  # "against an" inside the selection
    view.select_range(6, 13)  # "we're waging [against an] oil spill that"
    start, end = samples_to_ms(words[6].start), samples_to_ms(words[12].end)
    cut_lo, cut_hi = samples_to_ms(words[8].start), samples_to_ms(words[10].start)
    seen: list[int] = []
    player.positionChanged.connect(seen.append)
    view.setFocus()
    QTest.keyClick(view, Qt.Key.Key_Space, Qt.KeyboardModifier.ShiftModifier)  # the shortcut
    assert player.is_playing() and player.is_playing_range()
    assert wait_until(lambda: not player.is_playing(), 10)
    assert seen and min(seen) >= start and max(seen) <= end
    assert not [ms for ms in seen if cut_lo + 20 <= ms < cut_hi - 20], "the deleted words were played"
    assert any(ms > cut_hi for ms in seen), "the words after the cut were played"
    assert player.position() == end
    assert window.actions["play_selection"].isEnabled()


# ---- language ---------------------------------------------------------------------------------------
def test_uncertain_language_bar_offers_to_transcribe_again(qtbot, window, settings):
    path = window.session.path
    project = Project.create(window.session.project.source, window.session.project.media, uncertain_transcript())
    window.session.new(project)
    window.session.save(path)
    bar = window.language_bar
    assert not bar.isHidden()
    assert "transcribed as English (detected, 55 %)" in bar.label.text()
    assert "unsure between English and German" in bar.label.text()
    assert [b.text() for b in bar.buttons] == ["Transcribe as German"]
    assert window.language_label.text() == "English (detected, 55 %)"
    window.session.delete(0, 2)
    gate = GatedTranscription()
    window.new_project_call = gate
    window.prompt = ScriptedPrompter(retranscribe=True)
    bar.buttons[0].click()
    assert ("retranscribe", "German") in window.prompt.asked  # there were edits: asked first
    assert wait_until(lambda: window.player.picture() is not None, 10)  # the poster while transcribing
    gate.release.set()
    assert wait_until(lambda: window.session.is_open, 10)
    (video, used, candidates), = gate.calls
    assert used.language == "de" and candidates == settings.candidate_languages
    assert window.session.transcript.language == "de" and window.session.edl.is_empty
    assert window.session.path == path and load_project(path).transcript.language == "de"
    assert bar.isHidden() and window.language_label.text() == "German (chosen)"


def test_refusing_to_transcribe_again_keeps_the_edits(qtbot, window):
    project = Project.create(window.session.project.source, window.session.project.media, uncertain_transcript())
    window.session.new(project, window.session.path)
    window.session.delete(0, 2)
    window.new_project_call = GatedTranscription()
    window.prompt = ScriptedPrompter(retranscribe=False)
    assert not window.retranscribe("de")
    assert window.transcribe_job is None and window.session.edl.deleted == frozenset({0, 1})


def test_candidate_languages_default_to_english_german_and_the_ui_language(settings):
    settings.ui_language = "de"
    assert settings.candidate_languages == ["en", "de"]
    settings.candidate_languages = "en, fr"
    assert settings.candidate_languages == ["en", "fr"]


# ---- the project changed on disk -----------------------------------------------------------------
def save_elsewhere(path: Path, start: int, end: int) -> None:
    """What ``lecturecut edit`` in a terminal does to the same project."""
    other = EditSession.open(path)
    other.delete(start, end)
    other.save()


def test_a_project_changed_on_disk_is_reloaded_when_nothing_is_unsaved(qtbot, window):
    path = window.session.path
    save_elsewhere(path, 3, 5)
    # the file watcher notices by itself
    assert wait_until(lambda: window.session.edl.deleted == frozenset({3, 4}), 10)
    assert not window.session.dirty and window.prompt.asked == []
    assert window.transcript.tokens  # redrawn


def test_a_project_changed_on_disk_with_unsaved_edits_asks(qtbot, window):
    path = window.session.path
    window.session.delete(0, 1)  # unsaved here
    window.prompt = ScriptedPrompter(changed_on_disk="overwrite")
    save_elsewhere(path, 3, 5)
    assert wait_until(lambda: ("changed_on_disk", path.name) in window.prompt.asked, 10)
    assert wait_until(lambda: not window.session.dirty, 5)
    assert load_project(path).edl.deleted == frozenset({0}), "kept mine and overwrote theirs"
    # again, now answering Reload
    window.session.delete(1, 2)
    window.prompt = ScriptedPrompter(changed_on_disk="reload")
    save_elsewhere(path, 6, 7)
    assert wait_until(lambda: window.session.edl.deleted == frozenset({0, 6}), 10)
    assert not window.session.dirty
    # Save after a change it did not notice yet asks too; Cancel leaves both as they are
    window.session.delete(9, 10)
    window.prompt = ScriptedPrompter(changed_on_disk="cancel")
    window.session.blockSignals(True)  # the watcher's report is held back: only Save can find out
    save_elsewhere(path, 12, 13)
    assert not window.save()
    window.session.blockSignals(False)
    assert ("changed_on_disk", path.name) in window.prompt.asked
    assert load_project(path).edl.deleted == frozenset({0, 6, 12}) and window.session.dirty


# ---- export --------------------------------------------------------------------------------------
def test_export_asks_before_replacing_an_existing_file(qtbot, window, tmp_path):
    target = tmp_path / "out.mp4"
    target.write_bytes(b"an earlier export")
    calls = []
    window.prompt = ScriptedPrompter(overwrite=False)
    dialog = window.export_dialog_open()
    dialog._export = lambda project, out, options, progress, cancel: calls.append(options) or None
    dialog.dest.setText(str(target))
    assert dialog.start_export() is None
    assert window.prompt.asked == [("overwrite", str(target))] and calls == []
    assert target.read_bytes() == b"an earlier export"
    window.prompt = ScriptedPrompter(overwrite=True)
    job = dialog.start_export()
    assert job is not None
    assert wait_until(lambda: calls, 10) and calls[0].overwrite is True
    dialog.close()
