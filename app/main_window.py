"""The main window: video and timeline on the left, the transcript on the right, the edit list below.

It wires the widgets to one ``QtSession`` and one ``PlaybackController``,
owns the menus and shortcuts, and runs the long jobs (transcription,
waveform, export) through ``app.workers.Job`` with progress, a time-left
estimate and Cancel in the status bar.

Retypes are spoken: ``voice.VoiceSynthesizer`` makes their new speech in the background
after each edit; the player plays it in place, and a retype just typed (or tuned) is
auditioned once its speech is ready, unless something is playing already.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QThreadPool, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from lecturecut.core import LecturecutError
from lecturecut.synthesis.project import PROJECT_SUFFIX, ProjectChangedOnDisk, ProjectError, save_project
from lecturecut.synthesis.session import EditSession

from . import jobs, project_paths
from .child_process import run_in_process
from .dialogs import ExportDialog, SettingsDialog, ShortcutsDialog, show_error, show_message
from .edit_list import EditListPanel
from .find_bar import FindBar
from .language_bar import LanguageBar, describe_language, language_name
from .playback import PauseReader, edited_duration_ms, planned_skip_spans
from .player import PlaybackController, PlayerWidget
from .poster import first_frame, to_qimage
from .session import QtSession
from .settings import AppSettings
from .timeline import TimelineWidget
from .transcript_view import TranscriptView
from .voice import VoiceSynthesizer
from .waveform import waveform_peaks
from .workers import Job, format_duration

JOB_THREADS = 4
PLAN_DELAY_MS = 400  # exact cut points are planned once the user pauses editing
AUDITION_PAD_MS = 1_000  # a new retype's speech is auditioned with this much of the lecture either side
AUDITION_OPS = ("replace_words", "tune_voice", "apply_text")  # edits whose new speech is auditioned
CLOSE_WAIT_MS = 4_000  # at most this long for cancelled jobs when the window closes
VIDEO_SUFFIXES = (".mp4", ".mov", ".mkv", ".m4v", ".avi", ".webm", ".mpg", ".mpeg", ".wmv", ".flv", ".ts",
                  ".mp3", ".wav", ".m4a", ".flac", ".ogg", ".opus")


class Prompter:
    """The questions the window asks (blocking dialogs). Tests and scripts replace it."""

    def __init__(self, parent: QWidget) -> None:
        self.parent = parent

    def ask_save(self, name: str) -> str:
        """'save', 'discard' or 'cancel'."""
        box = QMessageBox(QMessageBox.Icon.Question, QCoreApplication.translate("MainWindow", "Unsaved changes"),
                          QCoreApplication.translate("MainWindow", "Save the changes to \u201c%1\u201d?")
                          .replace("%1", name),
                          QMessageBox.StandardButton.Save | QMessageBox.StandardButton.Discard
                          | QMessageBox.StandardButton.Cancel, self.parent)
        answer = box.exec()
        return {QMessageBox.StandardButton.Save: "save",
                QMessageBox.StandardButton.Discard: "discard"}.get(QMessageBox.StandardButton(answer), "cancel")

    def ask_recover(self, path: str) -> bool:
        answer = QMessageBox.question(
            self.parent, QCoreApplication.translate("MainWindow", "Recover unsaved changes?"),
            QCoreApplication.translate("MainWindow", "lecturecut was not closed properly while \u201c%1\u201d had "
                                       "unsaved changes. Recover them from the autosave?\n\nNo discards the "
                                       "autosaved changes and opens the last saved version.")
            .replace("%1", Path(path).name))
        return answer == QMessageBox.StandardButton.Yes

    def open_file(self, start_dir: str) -> str:
        path, _ = QFileDialog.getOpenFileName(
            self.parent, QCoreApplication.translate("MainWindow", "Open a lecture video or project"), start_dir,
            QCoreApplication.translate("MainWindow", "Videos and projects (%1);;All files (*)")
            .replace("%1", " ".join(f"*{s}" for s in (*VIDEO_SUFFIXES, PROJECT_SUFFIX))))
        return path

    def ask_retranscribe(self, language: str) -> bool:
        """Transcribing again replaces the transcript: the edits made on it are lost."""
        answer = QMessageBox.question(
            self.parent, QCoreApplication.translate("MainWindow", "Transcribe again?"),
            QCoreApplication.translate("MainWindow", "Transcribing again as %1 replaces the transcript, and the "
                                       "edits made on it are lost. Transcribe again?").replace("%1", language))
        return answer == QMessageBox.StandardButton.Yes

    def ask_changed_on_disk(self, name: str) -> str:
        """The project file was changed by another program while this window has unsaved edits:
        'reload', 'overwrite' (keep mine), 'save_as' or 'cancel'."""
        translate = QCoreApplication.translate
        box = QMessageBox(QMessageBox.Icon.Warning, translate("MainWindow", "Project changed on disk"),
                          translate("MainWindow", "\u201c%1\u201d was changed by another program, and you have "
                                    "unsaved edits here.").replace("%1", name),
                          QMessageBox.StandardButton.NoButton, self.parent)
        box.setInformativeText(translate("MainWindow", "Reload it (your edits here are lost), keep your version and "
                                         "overwrite the other one, or save your version under another name."))
        buttons = {"reload": box.addButton(translate("MainWindow", "Reload"), QMessageBox.ButtonRole.DestructiveRole),
                   "overwrite": box.addButton(translate("MainWindow", "Keep Mine and Overwrite"),
                                              QMessageBox.ButtonRole.AcceptRole),
                   "save_as": box.addButton(translate("MainWindow", "Save As\u2026"),
                                            QMessageBox.ButtonRole.ActionRole),
                   "cancel": box.addButton(QMessageBox.StandardButton.Cancel)}
        box.exec()
        clicked = box.clickedButton()
        return next((k for k, b in buttons.items() if b is clicked), "cancel")

    def ask_overwrite(self, paths: list[str]) -> bool:
        """Export: the destination (or its subtitle sidecar) exists already."""
        names = "\n".join(Path(p).name for p in paths)
        answer = QMessageBox.question(
            self.parent, QCoreApplication.translate("MainWindow", "Replace existing files?"),
            QCoreApplication.translate("MainWindow", "These files exist already and would be replaced:\n\n%1"
                                       "\n\nReplace them?").replace("%1", names))
        return answer == QMessageBox.StandardButton.Yes

    def save_file(self, start: str) -> str:
        path, _ = QFileDialog.getSaveFileName(
            self.parent, QCoreApplication.translate("MainWindow", "Save the project as"), start,
            QCoreApplication.translate("MainWindow", "lecturecut projects (*%1)").replace("%1", PROJECT_SUFFIX))
        if path and not path.endswith(PROJECT_SUFFIX):
            path += PROJECT_SUFFIX
        return path


class JobStatus(QWidget):
    """Status-bar progress for the current long job: message, bar, time left, Cancel."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.label = QLabel(self)
        self.bar = QProgressBar(self)
        self.bar.setRange(0, 1000)
        self.bar.setFixedWidth(200)
        self.bar.setTextVisible(True)
        self.cancel_button = QPushButton(self.tr("Cancel"), self)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self.job: Job | None = None
        self.title = ""
        self.cancel_button.clicked.connect(self.cancel)
        self.hide()

    def attach(self, job: Job, title: str) -> None:
        self.job, self.title = job, title
        self.label.setText(title)
        self.bar.setRange(0, 0)
        self.cancel_button.setEnabled(True)
        job.progress.connect(self._on_progress)
        job.finished.connect(self._on_finished)
        self.show()

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(self.tr("Cancelling\u2026"))

    def _on_progress(self, fraction: float | None, message: str) -> None:
        if self.job is None or self.job.is_cancelled:
            return
        if fraction is None:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, 1000)
            self.bar.setValue(int(fraction * 1000))
        eta = self.job.eta_s()
        text = f"{self.title}: {message}" if message else self.title
        if eta is not None:
            text += "  \u2014  " + self.tr("about %1 left").replace("%1", format_duration(eta + 1))
        self.label.setText(text)

    def _on_finished(self) -> None:
        self.job = None
        self.hide()


class MainWindow(QMainWindow):
    transcriptionFinished = Signal(bool)  # True: a new project is open
    projectLoaded = Signal(object)  # Path of the project now open
    exportFinished = Signal(object)
    auditionStarted = Signal(object)  # jobs.SpeechClip: a new retype's speech is being played to the user

    def __init__(self, session: QtSession | None = None, settings: AppSettings | None = None,
                 pool: QThreadPool | None = None, use_media: bool | None = None) -> None:
        super().__init__()
        jobs.preload_engine()
        self.session = session or QtSession(self)
        self.settings = settings or AppSettings()
        if pool is None:
            # Jobs mostly wait on a child process or ffmpeg: more threads than cores is fine, and a
            # waveform must not queue behind a transcription.
            pool = QThreadPool(self)
            pool.setMaxThreadCount(JOB_THREADS)
        self.pool = pool
        self.prompt = Prompter(self)
        # The transcription call (a child process); tests replace it with a scripted one.
        self.new_project_call = default_new_project_call
        self.transcribe_job: Job | None = None
        self.poster_job: Job | None = None
        self._retranscribe_target: Path | None = None
        self.waveform_job: Job | None = None
        self.export_dialog: ExportDialog | None = None
        self.clean_dialog: Any = None  # Edit › Clean Up…, while it is open
        self._jobs: set[Job] = set()
        self.setObjectName("MainWindow")
        self.setAcceptDrops(True)
        self.resize(1280, 800)

        self.voice = VoiceSynthesizer(self.session, self._run, self)
        self.player = PlaybackController(self.session, self, use_media=use_media, voice=self.voice)
        self.player_widget = PlayerWidget(self.player, self)
        self.timeline = TimelineWidget(self.session, self.player, self)
        self.transcript = TranscriptView(self.session, self.player, self, voice=self.voice)
        self.find_bar = FindBar(self.session, self.transcript, self)
        self.find_bar.hide()
        self.edit_list = EditListPanel(self.session, self.player, self, voice=self.voice)
        self.edit_list.rangeActivated.connect(lambda a, b: self.transcript.select_range(a, b))

        left = QSplitter(Qt.Orientation.Vertical, self)
        video_box = QWidget(left)
        vl = QVBoxLayout(video_box)
        vl.setContentsMargins(0, 0, 0, 0)
        vl.setSpacing(2)
        vl.addWidget(self.player_widget, 1)
        vl.addWidget(self.timeline)
        left.addWidget(video_box)
        left.addWidget(self.edit_list)
        left.setStretchFactor(0, 3)
        left.setStretchFactor(1, 1)
        right = QWidget(self)
        rl = QVBoxLayout(right)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.setSpacing(0)
        self.language_bar = LanguageBar(self.session, self.settings.candidate_languages, right)
        self.language_bar.transcribeAs.connect(self.retranscribe)
        rl.addWidget(self.find_bar)
        rl.addWidget(self.language_bar)
        rl.addWidget(self.transcript, 1)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.addWidget(left)
        self.splitter.addWidget(right)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.setCentralWidget(self.splitter)

        self.job_status = JobStatus(self)
        self.statusBar().addPermanentWidget(self.job_status)
        self.language_label = QLabel(self)
        self.language_label.setToolTip(self.tr("The language the transcript was made in"))
        self.statusBar().addPermanentWidget(self.language_label)
        self.voice_label = QLabel(self)
        self.voice_label.setToolTip(self.tr("New speech for the retypes is being made"))
        self.voice_label.hide()
        self.statusBar().addPermanentWidget(self.voice_label)
        self.info_label = QLabel(self)
        self.statusBar().addPermanentWidget(self.info_label)

        self.actions: dict[str, QAction] = {}
        self._build_menus()
        self.transcript.set_hide_deleted(self.settings.hide_deleted)
        self.actions["hide_deleted"].setChecked(self.settings.hide_deleted)

        # After an edit settles, ask the engine's render plan for the exact cut points (a worker).
        self._plan_timer = QTimer(self)
        self._plan_timer.setSingleShot(True)
        self._plan_timer.setInterval(PLAN_DELAY_MS)
        self._plan_timer.timeout.connect(self._plan_spans)
        self._pause_reader: PauseReader | None = None
        self.plan_job: Job | None = None
        self.session.edlChanged.connect(lambda _p: self._plan_timer.start())
        self.player.spansChanged.connect(self._update_state)
        self.session.projectOpened.connect(self._on_project)
        self.session.edlChanged.connect(lambda _p: self._update_state())
        self.session.dirtyChanged.connect(lambda _d: self._update_state())
        self.session.pathChanged.connect(lambda _p: self._update_state())
        self.session.changedOnDisk.connect(lambda _p: QTimer.singleShot(0, self.handle_changed_on_disk))
        self.session.editFailed.connect(lambda msg: show_message(self, self.tr("This edit is not possible"), msg))
        self.session.autosaved.connect(
            lambda p: self.statusBar().showMessage(self.tr("Autosaved"), 2000))
        self.player.mediaError.connect(
            lambda msg: self.statusBar().showMessage(self.tr("Playback is not available: %1").replace("%1", msg)))
        self.transcript.selectionRangeChanged.connect(lambda _r: self._update_state())
        # new speech: the status bar says what is being made; a retype just typed is heard once ready
        self._audition_wanted: set[Any] = set()
        self._auditioning: tuple[int, int] | None = None  # the range an audition started playing
        self._known_retypes: frozenset[Any] = frozenset()
        self.voice.progress.connect(self._on_voice_progress)
        self.voice.clipReady.connect(self._on_clip_ready)
        self.voice.clipFailed.connect(self._on_clip_failed)
        self.session.edlChanged.connect(self._note_new_retypes)
        self.session.projectOpened.connect(self._forget_retypes)
        if self.settings.geometry is not None:
            self.restoreGeometry(self.settings.geometry)
        self._update_state()

    # ---- menus ----------------------------------------------------------------------------
    def _action(self, key: str, text: str, slot: Any, shortcut: Any = None, checkable: bool = False,
                tip: str = "") -> QAction:
        act = QAction(text, self)
        if shortcut is not None:
            if isinstance(shortcut, (list, tuple)):
                act.setShortcuts([QKeySequence(s) for s in shortcut])
            else:
                act.setShortcut(QKeySequence(shortcut))
        act.setCheckable(checkable)
        if tip:
            act.setStatusTip(tip)
        if checkable:
            act.toggled.connect(slot)
        else:
            act.triggered.connect(lambda _checked=False: slot())  # never pass 'checked' as a first argument
        self.addAction(act)  # shortcuts work wherever the focus is in the window
        self.actions[key] = act
        return act

    def _build_menus(self) -> None:
        mb = self.menuBar()
        m = mb.addMenu(self.tr("&File"))
        m.addAction(self._action("open", self.tr("&Open\u2026"), self.open_dialog, QKeySequence.StandardKey.Open,
                                 tip=self.tr("Open a lecture video (it is transcribed) or a project")))
        self.recent_menu = m.addMenu(self.tr("Open &Recent"))
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        m.addSeparator()
        m.addAction(self._action("save", self.tr("&Save"), self.save, QKeySequence.StandardKey.Save))
        m.addAction(self._action("save_as", self.tr("Save &As\u2026"), self.save_as, "Ctrl+Shift+S"))
        m.addAction(self._action("export", self.tr("&Export\u2026"), self.export_dialog_open, "Ctrl+E",
                                 tip=self.tr("Render the edited lecture to a video file")))
        m.addAction(self._action("relink", self.tr("Re&link Source Video\u2026"), self.relink_dialog))
        m.addSeparator()
        m.addAction(self._action("close", self.tr("&Close Project"), self.close_project,
                                 QKeySequence.StandardKey.Close))
        m.addAction(self._action("quit", self.tr("&Quit"), self.close, QKeySequence.StandardKey.Quit))

        m = mb.addMenu(self.tr("&Edit"))
        m.addAction(self._action("undo", self.tr("&Undo"), self.session.undo, QKeySequence.StandardKey.Undo))
        m.addAction(self._action("redo", self.tr("&Redo"), self.session.redo, ["Ctrl+Shift+Z", "Ctrl+Y"]))
        m.addSeparator()
        m.addAction(self._action("delete", self.tr("&Delete Words"), self.transcript.delete_selection, "Del"))
        m.addAction(self._action("retype", self.tr("Re&type Words\u2026"), lambda: self.transcript.retype_selection(""),
                                 "F2"))
        m.addAction(self._action("restore", self.tr("Re&store Words"), self.transcript.restore_selection, "Ctrl+R"))
        m.addAction(self._action("clean", self.tr("&Clean Up\u2026"), self.clean_dialog_open, "Ctrl+Shift+L",
                                 tip=self.tr("Find filler words, repeats and long pauses, and remove them")))
        m.addSeparator()
        m.addAction(self._action("find", self.tr("&Find and Replace\u2026"), self.find_bar.open_bar,
                                 QKeySequence.StandardKey.Find))
        m.addSeparator()
        m.addAction(self._action("settings", self.tr("Se&ttings\u2026"), self.settings_dialog_open, "Ctrl+,"))

        m = mb.addMenu(self.tr("&View"))
        m.addAction(self._action("hide_deleted", self.tr("&Hide Deleted Words"), self._set_hide_deleted,
                                 "Ctrl+Shift+H", checkable=True))
        follow = self._action("follow", self.tr("&Follow Playback"), self.transcript.set_follow_playback,
                              checkable=True)
        follow.setChecked(True)
        m.addAction(follow)
        edits = self._action("edit_list", self.tr("&Edit List"), self.edit_list.setVisible, checkable=True)
        edits.setChecked(True)
        m.addAction(edits)
        m.addSeparator()
        m.addAction(self._action("zoom_in", self.tr("Zoom Timeline &In"), lambda: self.timeline.zoom(2.0), "Ctrl++"))
        m.addAction(self._action("zoom_out", self.tr("Zoom Timeline &Out"), lambda: self.timeline.zoom(0.5),
                                 "Ctrl+-"))

        m = mb.addMenu(self.tr("&Playback"))
        m.addAction(self._action("play", self.tr("&Play / Pause"), self.player.toggle, "Space"))
        m.addAction(self._action("back", self.tr("Jump &Back"), self.player.step_back, "J"))
        m.addAction(self._action("stop", self.tr("&Stop"), self.player.stop_all, "K"))
        m.addAction(self._action("forward", self.tr("Play / &Faster"), self.player.faster, "L"))
        m.addAction(self._action("play_selection", self.tr("Play &Selection"), self.play_selection, "Shift+Space",
                                 tip=self.tr("Play only the selected words, as edited")))
        edited = self._action("play_edited", self.tr("Play the &Edited Lecture"), self._set_play_edited,
                              checkable=True, tip=self.tr("Skip the deleted words while playing"))
        edited.setChecked(True)
        m.addAction(edited)

        m = mb.addMenu(self.tr("&Help"))
        m.addAction(self._action("shortcuts", self.tr("&Keyboard Shortcuts"), self.shortcuts_dialog_open,
                                 QKeySequence.StandardKey.HelpContents))
        m.addAction(self._action("about", self.tr("&About lecturecut"), self.about))

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        recent = [p for p in self.settings.recent_files if Path(p).exists()]
        for p in recent:
            act = self.recent_menu.addAction(Path(p).name)
            act.setToolTip(p)
            act.triggered.connect(lambda _c=False, path=p: self.open_path(path))
        if not recent:
            self.recent_menu.addAction(self.tr("(none)")).setEnabled(False)
        else:
            self.recent_menu.addSeparator()
            self.recent_menu.addAction(self.tr("Clear the List"), self.settings.clear_recent)

    def _set_hide_deleted(self, on: bool) -> None:
        self.settings.hide_deleted = on
        self.transcript.set_hide_deleted(on)

    def _set_play_edited(self, on: bool) -> None:
        self.player.set_skip_edits(on)
        self.player_widget.edited_box.setChecked(on)

    # ---- state ----------------------------------------------------------------------------
    def _update_state(self) -> None:
        s = self.session
        history = s.history
        a = self.actions
        is_open = s.is_open
        a["undo"].setEnabled(bool(history and history.can_undo))
        a["redo"].setEnabled(bool(history and history.can_redo))
        a["undo"].setText(self.tr("&Undo %1").replace("%1", history.undo_label).strip() if history and
                          history.can_undo else self.tr("&Undo"))
        a["redo"].setText(self.tr("&Redo %1").replace("%1", history.redo_label).strip() if history and
                          history.can_redo else self.tr("&Redo"))
        for key in ("save", "save_as", "export", "clean", "close", "find", "relink", "play", "back", "stop", "forward"):
            a[key].setEnabled(is_open)
        has_sel = self.transcript.selected_range() is not None
        for key in ("delete", "retype", "play_selection"):
            a[key].setEnabled(is_open and has_sel)
        a["restore"].setEnabled(is_open)
        name = s.path.name if s.path else (Path(s.project.source).name if s.project else "")
        self.setWindowTitle((f"{name}[*] \u2014 " if name else "") + "lecturecut")
        self.setWindowModified(s.dirty)
        if s.project is not None and s.edl is not None:
            edl = s.edl
            n_words = len(s.project.transcript.words)
            total = self.player.duration() or int(s.project.media.duration_s * 1000)
            edited = edited_duration_ms(self.player.spans, total, self.player.spots)
            self.info_label.setText(
                self.tr("%n words", "", n_words) + " \u00b7 " + self.tr("%2 deleted \u00b7 %3 retyped \u00b7 %4 of %5")
                .replace("%2", str(len(edl.deleted)))
                .replace("%3", str(len(edl.replacements))).replace("%4", format_duration(edited / 1000))
                .replace("%5", format_duration(total / 1000)))
        else:
            self.info_label.setText("")
        self.language_label.setText(describe_language(s.transcript))

    def _on_project(self, project: Any) -> None:
        self._update_state()
        if self.waveform_job is not None:
            self.waveform_job.cancel()
            self.waveform_job = None
        if project is None:
            return
        self._plan_timer.start()
        source, duration = project.source, project.media.duration_s
        if project.media.video is not None and Path(source).exists() and \
                self.player.poster_source != str(Path(source).resolve()):
            self._load_poster(source)
        if not Path(source).exists() or not project.media.has_audio:
            return
        job = Job(lambda progress, cancel: waveform_peaks(source, duration, progress, cancel), "waveform", self)
        job.succeeded.connect(self.timeline.set_peaks)
        job.failed.connect(lambda exc: self.statusBar().showMessage(
            self.tr("The waveform could not be drawn: %1").replace("%1", str(exc)), 5000))
        self.waveform_job = job
        self._run(job)

    def _plan_spans(self) -> None:
        project = self.session.project
        if project is None or project.media.audio is None or not Path(project.source).exists():
            return
        if project.edl.is_empty:
            return
        rate = project.media.audio.sample_rate
        if self._pause_reader is None or (self._pause_reader.path, self._pause_reader.rate) != (project.source, rate):
            self._pause_reader = PauseReader(project.source, rate)
        reader, edl = self._pause_reader, project.edl
        if self.plan_job is not None:
            self.plan_job.cancel()
        job = Job(lambda progress, cancel: planned_skip_spans(project, reader), "plan", self)
        job.succeeded.connect(lambda spans: self.player.set_planned_spans(edl, spans))
        self.plan_job = job  # a failure (e.g. everything deleted) keeps the word-edge spans
        self._run(job)

    # ---- new speech ------------------------------------------------------------------------------
    def _on_voice_progress(self, text: str) -> None:
        self.voice_label.setText(text)
        self.voice_label.setVisible(bool(text))

    def _forget_retypes(self, project: Any) -> None:
        self._audition_wanted.clear()
        self._known_retypes = frozenset(project.edl.replacements) if project is not None else frozenset()

    def _note_new_retypes(self, project: Any) -> None:
        """Remember the retypes the user's last edit made (typed, tuned): each is heard once its speech is ready."""
        reps = frozenset(project.edl.replacements)
        new = reps - self._known_retypes
        if self.session.last_op in AUDITION_OPS and new:
            self._audition_wanted = set(new)
        self._audition_wanted &= reps
        self._known_retypes = reps

    def _on_clip_ready(self, clip: Any) -> None:
        if clip.replacement not in self._audition_wanted:
            return
        self._audition_wanted.clear()  # once: the newest edit's speech, not a queue of them
        if self.player.is_playing() and self.player.playing_range() != self._auditioning:
            return  # the user is listening to something else: the new speech is in place for it
        self.audition(clip)  # (an audition still playing gives way: the newer speech is what was asked for)

    def _on_clip_failed(self, replacement: Any, reason: str) -> None:
        if replacement in self._audition_wanted:
            self._audition_wanted.discard(replacement)
            self.statusBar().showMessage(self.tr("The new words cannot be spoken: %1").replace("%1", reason), 8000)

    def audition(self, clip: Any) -> None:
        """Play a retype's new speech in place, from a second before it to a second after, as edited."""
        self.player.play_range(max(0, clip.start_ms - AUDITION_PAD_MS), clip.end_ms + AUDITION_PAD_MS)
        self._auditioning = self.player.playing_range()
        self.auditionStarted.emit(clip)

    def _load_poster(self, source: str | os.PathLike[str]) -> None:
        """Decode the video's first frame in a worker: the pane shows it until the player has a picture."""
        source = str(source)
        if self.poster_job is not None:
            self.poster_job.cancel()
        job = Job(lambda progress, cancel: first_frame(source, progress, cancel), "poster", self)
        job.succeeded.connect(lambda frame: self.player.set_poster(source, to_qimage(frame)))
        job.failed.connect(lambda _exc: self.player.set_poster(source, None))  # an audio file: no picture
        self.poster_job = job
        self._run(job)

    def play_selection(self) -> bool:
        """Play only the selected words, as edited (cuts inside the selection are skipped)."""
        rng = self.transcript.selected_range()
        transcript = self.session.transcript
        if rng is None or transcript is None:
            return False
        from .playback import samples_to_ms

        a, b = rng
        self.player.play_range(samples_to_ms(transcript.words[a].start), samples_to_ms(transcript.words[b - 1].end))
        return True

    def _run(self, job: Job) -> Job:
        self._jobs.add(job)
        job.finished.connect(lambda: self._jobs.discard(job))
        job.start(self.pool)
        return job

    # ---- opening ----------------------------------------------------------------------------
    def open_dialog(self) -> None:
        path = self.prompt.open_file(self.settings.last_dir)
        if path:
            self.settings.last_dir = str(Path(path).parent)
            self.open_path(path)

    def open_path(self, path: str | os.PathLike[str]) -> bool:
        """Open a project (.lcproj) or a video (transcribed in the background)."""
        p = Path(path)
        if p.suffix == PROJECT_SUFFIX or str(p).endswith(PROJECT_SUFFIX + ".autosave"):
            if str(p).endswith(".autosave"):
                p = Path(str(p)[: -len(".autosave")])
            return self.open_project(p)
        return self.open_video(p)

    def open_project(self, path: str | os.PathLike[str]) -> bool:
        if not self.maybe_close():
            return False
        path = Path(path)
        try:
            if EditSession.recoverable(path) is not None:
                if self.prompt.ask_recover(str(path)):
                    self.session.recover(path)
                else:
                    from lecturecut.synthesis.project import autosave_path

                    autosave_path(path).unlink(missing_ok=True)
                    self.session.open(path)
            else:
                self.session.open(path)
        except (LecturecutError, OSError, ValueError, KeyError) as exc:
            show_error(self, exc, self.tr("The project could not be opened"))
            return False
        self._opened(path)
        try:
            self.session.project.check_source()  # type: ignore[union-attr]
        except ProjectError as exc:
            show_error(self, exc, self.tr("The source video needs attention"))
        return True

    def _opened(self, path: Path) -> None:
        self.settings.add_recent(path)
        self.settings.mark_open(path, True)
        self.projectLoaded.emit(path)

    def open_video(self, path: str | os.PathLike[str]) -> bool:
        """Transcribe ``path`` in the background; the new project is saved beside the video."""
        path = Path(path)
        existing = project_paths.project_for_video(path, self.settings.data_dir())
        if existing is not None:
            self.statusBar().showMessage(self.tr("This video already has a project: opening it"), 4000)
            return self.open_project(existing)
        if not path.exists():
            show_message(self, self.tr("The video could not be opened"),
                         self.tr("'%1' does not exist. Check the path, or whether the file was moved or renamed.")
                         .replace("%1", str(path)))
            return False
        if not self.maybe_close():
            return False
        self.session.close()
        self._start_transcription(path, self.settings.project_settings())
        return True

    def _start_transcription(self, path: Path, settings: Any, target: Path | None = None) -> None:
        """Transcribe ``path`` in the background; the project goes to ``target`` (default: a free
        name in the video's project folder). The pane shows the video's first frame meanwhile."""
        if self.transcribe_job is not None:
            self.transcribe_job.cancel()
        self._retranscribe_target = target
        self.player.set_pending_source(str(path))
        self._load_poster(path)
        candidates = self.settings.candidate_languages
        call = self.new_project_call
        save_to = target or project_paths.free_project_path(path, self.settings.data_dir())

        def work(progress: Any, cancel: Any) -> tuple[Any, Path, BaseException | None]:
            # Saved here, on the worker thread: serialising and fsyncing the project of a long lecture
            # would otherwise hold the GUI thread.
            project = call(path, settings, candidates, progress, cancel)
            try:
                save_project(project, save_to)
            except (LecturecutError, OSError) as exc:
                return project, save_to, exc
            return project, save_to, None

        job = Job(work, "transcribe", self)
        job.succeeded.connect(lambda result: self._transcribed(*result))
        job.failed.connect(lambda exc: self._transcription_failed(exc))
        job.cancelled.connect(lambda: self._transcription_ended(False, self.tr("Transcription cancelled")))
        self.transcribe_job = job
        self.job_status.attach(job, self.tr("Transcribing %1").replace("%1", path.name))
        self.transcript.setPlaceholderText(self.tr("Transcribing %1 \u2026 the transcript appears here when it is "
                                                   "ready.").replace("%1", path.name))
        self._run(job)

    def retranscribe(self, language: str) -> bool:
        """Transcribe the open video again with ``language`` forced, replacing the transcript
        (asks first when there are edits: they belong to the old transcript)."""
        project, path = self.session.project, self.session.path
        if project is None:
            return False
        if not project.edl.is_empty and not self.prompt.ask_retranscribe(language_name(language)):
            return False
        from dataclasses import replace

        if path is not None and self.session.dirty:
            self.session.discard_autosave()
        self.settings.mark_open(path, False)
        self.session.close()
        self._start_transcription(Path(project.source), replace(project.settings, language=language), target=path)
        return True

    def _transcribed(self, project: Any, target: Path, save_error: BaseException | None) -> None:
        self._retranscribe_target = None
        if save_error is None:
            self.session.new(project, target, saved=True)
        else:
            self.session.new(project)
            show_error(self, save_error, self.tr("The new project could not be saved"))
        n_words = len(project.transcript.words)
        path = self.session.path

        def finish() -> None:
            # A separate turn of the event loop: loading the view, saving and recording the open
            # project each take tens of ms, and together they must not hold the GUI thread 100 ms.
            if path is not None and self.session.path == path:
                self._opened(path)
            self._transcription_ended(True, self.tr("Transcribed %1 words").replace("%1", str(n_words)))

        QTimer.singleShot(0, finish)

    def _transcription_failed(self, exc: BaseException) -> None:
        show_error(self, exc, self.tr("Transcription failed"))
        self._transcription_ended(False, "")

    def _transcription_ended(self, ok: bool, message: str) -> None:
        self.transcribe_job = None
        if not ok:
            self.player.set_pending_source(None)
            back, self._retranscribe_target = self._retranscribe_target, None
            if back is not None and back.exists():
                self.open_project(back)  # transcribing again failed or was cancelled: the old one stays
        self.transcript.setPlaceholderText(self.tr("The transcript appears here once a video is opened and "
                                                   "transcribed."))
        if message:
            self.statusBar().showMessage(message, 5000)
        self.transcriptionFinished.emit(ok)

    def maybe_close(self) -> bool:
        """Ask about unsaved changes; True when the current project may be closed."""
        s = self.session
        if not s.is_open:
            return True
        self.session.set_ui(position_ms=self.player.position())
        if s.dirty:
            answer = self.prompt.ask_save(s.path.name if s.path else Path(s.project.source).name)  # type: ignore
            if answer == "cancel":
                return False
            if answer == "save" and not self.save():
                return False
            if answer == "discard":
                s.discard_autosave()
        self.settings.mark_open(s.path, False)
        return True

    def close_project(self) -> bool:
        if not self.maybe_close():
            return False
        self.session.close()
        return True

    def offer_recovery(self) -> bool:
        """At start-up: projects left open by a crash with newer autosaves are offered back."""
        for p in self.settings.open_projects:
            if EditSession.recoverable(p) is not None:
                self.settings.mark_open(p, False)
                return self.open_project(p)  # open_project asks whether to recover
            self.settings.mark_open(p, False)
        return False

    # ---- saving ----------------------------------------------------------------------------
    def save(self) -> bool:
        if not self.session.is_open:
            return False
        if self.session.path is None:
            return self.save_as()
        self.session.set_ui(position_ms=self.player.position())
        try:
            self.session.save()
        except ProjectChangedOnDisk:
            return self.handle_changed_on_disk(saving=True)
        except (LecturecutError, OSError) as exc:
            show_error(self, exc, self.tr("The project could not be saved"))
            return False
        self.statusBar().showMessage(self.tr("Saved %1").replace("%1", str(self.session.path)), 3000)
        return True

    def handle_changed_on_disk(self, saving: bool = False) -> bool:
        """Another program changed the project file: reload it when there is nothing to lose here,
        else ask (reload / keep mine and overwrite / save as). True when the project is saved or
        in step with the file afterwards."""
        s = self.session
        if not s.is_open or s.path is None or not s.changed_on_disk():
            return not saving
        if getattr(self, "_asking_disk", False):
            return False
        name = s.path.name
        if not s.path.exists():
            if not saving:
                self.statusBar().showMessage(self.tr("%1 was removed by another program; Save writes it again")
                                             .replace("%1", name), 8000)
                return False
            answer = "overwrite"
        elif not s.dirty and not saving:
            answer = "reload"
        else:
            self._asking_disk = True
            try:
                answer = self.prompt.ask_changed_on_disk(name)
            finally:
                self._asking_disk = False
        try:
            if answer == "reload":
                s.reload()
                self.statusBar().showMessage(self.tr("Reloaded %1: it was changed by another program")
                                             .replace("%1", name), 5000)
                return True
            if answer == "overwrite":
                s.save(force=True)
                self.statusBar().showMessage(self.tr("Saved %1").replace("%1", str(s.path)), 3000)
                return True
        except (LecturecutError, OSError) as exc:
            show_error(self, exc, self.tr("The project could not be saved"))
            return False
        if answer == "save_as":
            return self.save_as()
        return False

    def save_as(self, path: str | os.PathLike[str] | None = None) -> bool:
        if not self.session.is_open:
            return False
        if not path:
            start = str(self.session.path or Path(self.session.project.source).with_suffix(PROJECT_SUFFIX))  # type: ignore
            path = self.prompt.save_file(start)
            if not path:
                return False
        old = self.session.path
        self.session.set_ui(position_ms=self.player.position())
        try:
            target = self.session.save(path)
        except (LecturecutError, OSError) as exc:
            show_error(self, exc, self.tr("The project could not be saved"))
            return False
        self.settings.mark_open(old, False)
        self._opened(target)
        return True

    def relink_dialog(self) -> None:
        project = self.session.project
        if project is None:
            return
        path = self.prompt.open_file(str(Path(project.source).parent))
        if not path:
            return
        try:
            self.session.replace_project(project.relinked(path))
            self.save()
        except LecturecutError as exc:
            show_error(self, exc, self.tr("The video could not be relinked"))

    # ---- dialogs ----------------------------------------------------------------------------
    def export_dialog_open(self) -> ExportDialog | None:
        if not self.session.is_open:
            return None
        dialog = ExportDialog(self.session, self, self.pool, self.settings,
                              ask_overwrite=lambda paths: self.prompt.ask_overwrite(paths))
        dialog.exportFinished.connect(self.exportFinished.emit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.export_dialog = dialog
        dialog.destroyed.connect(lambda: setattr(self, "export_dialog", None))
        dialog.open()
        return dialog

    def clean_dialog_open(self) -> Any:
        """Edit › Clean Up…: fillers, repeats and long pauses of the open project (one at a time)."""
        if not self.session.is_open:
            return None
        from .clean_dialog import CleanDialog

        if self.clean_dialog is not None:
            self.clean_dialog.close()
        dialog = CleanDialog(self.session, self.player, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.clean_dialog = dialog
        dialog.destroyed.connect(lambda _o=None, d=dialog: setattr(self, "clean_dialog", None)
                                 if self.clean_dialog is d else None)
        dialog.open()
        return dialog

    def settings_dialog_open(self) -> SettingsDialog:
        dialog = SettingsDialog(self.settings, self, self.pool)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()
        return dialog

    def shortcuts_dialog_open(self) -> ShortcutsDialog:
        dialog = ShortcutsDialog(self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.show()
        return dialog

    def about(self) -> None:
        show_message(self, self.tr("About lecturecut"),
                     self.tr("lecturecut: edit a recorded lecture by editing its transcript.\n\n"
                             "Delete words to cut them, type over words to retype them, export the result."),
                     icon=QMessageBox.Icon.Information)

    # ---- window ---------------------------------------------------------------------------
    def changeEvent(self, event: QEvent) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            # Back from a terminal where the project may have been edited: look now, not only
            # when the file watcher says so (it misses some network folders).
            QTimer.singleShot(0, self.session.check_disk)

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:
        files = [u.toLocalFile() for u in event.mimeData().urls() if u.isLocalFile()]
        if files:
            event.acceptProposedAction()
            QTimer.singleShot(0, lambda: self.open_path(files[0]))  # not inside the drag's event

    def closeEvent(self, event: QCloseEvent) -> None:
        if not self.maybe_close():
            event.ignore()
            return
        for job in list(self._jobs):
            job.cancel()
        self.player.stop_all()
        self.settings.geometry = self.saveGeometry()
        self.session.close()
        event.accept()
        if self._jobs:
            # Let cancelled jobs stop their child processes before the app quits (a second or two).
            self.hide()
            self.pool.waitForDone(CLOSE_WAIT_MS)
        self.voice.shutdown()  # the new speech's temporary WAVs go with the window



def default_new_project_call(video: Path, settings: Any, candidates: list[str], progress: Any, cancel: Any) -> Any:
    """Transcribe ``video`` into a new project in a child process (``jobs.new_project``)."""
    return run_in_process(jobs.new_project, video, settings, candidates, progress=progress, cancel=cancel)
