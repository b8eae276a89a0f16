"""Dialogs: export, settings (with the model list), keyboard shortcuts, and error messages.

Error dialogs say what happened and what to do: the engine's errors already
read that way (``str(error)``), anything else is wrapped in a message that
says the edits are safe and how to report the problem.
"""

from __future__ import annotations

import os
import traceback
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, Qt, QThreadPool, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lecturecut.core import Cancelled, LecturecutError
from lecturecut.media.errors import FFmpegError

from . import jobs
from .child_process import run_in_process
from .session import QtSession
from .settings import (
    LANGUAGES,
    LIPSYNC_BACKENDS,
    TRANSCRIPTION_BACKENDS,
    TRANSCRIPTION_MODELS,
    UI_LANGUAGES,
    VOICE_BACKENDS,
    AppSettings,
)
from .workers import Job, format_duration, show_progress


def _tr(text: str) -> str:
    return QCoreApplication.translate("Dialogs", text)


# ---- errors ---------------------------------------------------------------------------------
def is_cancellation(exc: BaseException) -> bool:
    return isinstance(exc, Cancelled)


def describe_error(exc: BaseException, action: str = "") -> tuple[str, str, str]:
    """(title, message, details) for an error: what happened and what to do."""
    title = QCoreApplication.translate("Dialogs", "lecturecut") if not action else action
    details = ""
    if isinstance(exc, FFmpegError):
        details = exc.details()
    elif not isinstance(exc, LecturecutError):
        details = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
    try:
        from lecturecut.models.errors import ModelError
    except ImportError:  # pragma: no cover
        ModelError = LecturecutError  # type: ignore[assignment,misc]
    if isinstance(exc, (LecturecutError, ModelError)):
        return title, str(exc), details
    if isinstance(exc, ModuleNotFoundError):
        text = QCoreApplication.translate(
            "Dialogs", "A part of lecturecut is not installed (the Python module '%1' is missing). "
            "Run scripts/setup.sh again, or reinstall lecturecut.").replace("%1", str(exc.name))
    elif isinstance(exc, ImportError):
        text = QCoreApplication.translate(
            "Dialogs", "A part of lecturecut could not be loaded (%1). "
            "Run scripts/setup.sh again, or reinstall lecturecut.").replace("%1", str(exc))
    elif isinstance(exc, MemoryError):
        text = QCoreApplication.translate(
            "Dialogs", "The computer ran out of memory. Close other programs, or choose a smaller "
            "transcription model in Settings, and try again.")
    elif isinstance(exc, OSError):
        where = f" ({exc.filename})" if getattr(exc, "filename", None) else ""
        text = QCoreApplication.translate(
            "Dialogs", "A file could not be read or written%1: %2. Check that the disk is not full and "
            "that you may write to the folder.").replace("%1", where).replace("%2", exc.strerror or str(exc))
    else:
        text = QCoreApplication.translate(
            "Dialogs", "Something unexpected went wrong (%1: %2). Your edits are safe: lecturecut autosaves "
            "them. Please report this problem with the details below.") \
            .replace("%1", type(exc).__name__).replace("%2", str(exc))
    return title, text, details


def show_error(parent: QWidget | None, exc: BaseException, action: str = "") -> QMessageBox | None:
    """Show a non-blocking error box (None for a cancellation, which needs no message)."""
    if is_cancellation(exc):
        return None
    title, text, details = describe_error(exc, action)
    return show_message(parent, title, text, details)


def show_message(parent: QWidget | None, title: str, text: str, details: str = "",
                 icon: QMessageBox.Icon = QMessageBox.Icon.Warning) -> QMessageBox:
    box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, parent)
    box.setObjectName("errorBox")
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    if details:
        box.setDetailedText(details)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()  # window-modal, never a nested event loop: workers keep reporting
    return box


def reveal_in_file_manager(path: str | os.PathLike[str]) -> bool:
    """Open the folder holding ``path`` in the system file manager."""
    return QDesktopServices.openUrl(QUrl.fromLocalFile(str(Path(path).resolve().parent)))


# ---- export ----------------------------------------------------------------------------------
SUBTITLE_CHOICES = [
    ("sidecar", QT_TRANSLATE_NOOP("Dialogs", "Separate subtitle file (.srt)")),
    ("embed", QT_TRANSLATE_NOOP("Dialogs", "Subtitle track inside the video")),
    ("both", QT_TRANSLATE_NOOP("Dialogs", "Both")),
    ("none", QT_TRANSLATE_NOOP("Dialogs", "No subtitles")),
]
TARGET_CHOICES = [
    ("openhpi", QT_TRANSLATE_NOOP("Dialogs", "openHPI (loudness -16 LUFS, 48 kHz, WebVTT zipped for upload)")),
    ("archive", QT_TRANSLATE_NOOP("Dialogs", "Archive (the audio as recorded)")),
]
PRESET_CHOICES = [
    ("balanced", QT_TRANSLATE_NOOP("Dialogs", "Balanced")),
    ("fast", QT_TRANSLATE_NOOP("Dialogs", "Fast (larger file)")),
    ("quality", QT_TRANSLATE_NOOP("Dialogs", "High quality (slower)")),
]


class ExportDialog(QDialog):
    """Destination, preset and subtitles; runs the export in a worker with progress and Cancel."""

    exportFinished = Signal(object)  # ExportResult
    exportFailed = Signal(object)

    def __init__(self, session: QtSession, parent: QWidget | None = None, pool: QThreadPool | None = None,
                 settings: AppSettings | None = None, export: Callable[..., Any] | None = None,
                 ask_overwrite: Callable[[list[str]], bool] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        # ask_overwrite(paths) -> bool: may the export replace these existing files? (The window's prompter.)
        self._ask_overwrite = ask_overwrite or self._ask_overwrite_dialog
        self.pool = pool
        # export(project, out_path, options, progress=, cancel=) -> ExportResult; by default the engine's
        # export in a child process, so the window stays responsive whatever the export computes.
        self._export = export or (lambda *args, progress, cancel: run_in_process(
            jobs.export_project, *args, progress=progress, cancel=cancel))
        self.job: Job | None = None
        self.result: Any = None
        self.setWindowTitle(self.tr("Export the edited lecture"))
        self.setMinimumWidth(520)
        project = session.project
        default = ""
        if project is not None:
            src = Path(project.source)
            base = Path(session.path).parent if session.path else src.parent
            default = str(base / f"{src.stem} (edited).mp4")
        self.dest = QLineEdit(default, self)
        browse = QPushButton(self.tr("Browse\u2026"), self)
        browse.clicked.connect(self._browse)
        dest_row = QHBoxLayout()
        dest_row.addWidget(self.dest, 1)
        dest_row.addWidget(browse)
        self.preset = QComboBox(self)
        for key, label in PRESET_CHOICES:
            self.preset.addItem(_tr(label), key)
        self.subtitles = QComboBox(self)
        for key, label in SUBTITLE_CHOICES:
            self.subtitles.addItem(_tr(label), key)
        self.smooth = QCheckBox(self.tr("Smooth the cuts (short crossfade)"), self)
        self.smooth.setChecked(True)
        self.target = QComboBox(self)
        for key, label in TARGET_CHOICES:
            self.target.addItem(_tr(label), key)
        self.prefix = QLineEdit(self)
        self.prefix.setPlaceholderText(self.tr("e.g. bigdata2026-w1 (every file name starts with it)"))
        self.audio_track = QCheckBox(self.tr("Also the audio alone (.m4a)"), self)
        self.timeline = QCheckBox(self.tr("A timeline for other editors (.otio)"), self)
        self.mark = QCheckBox(self.tr("Mark synthetic speech in the picture"), self)
        self.full_render = QCheckBox(self.tr("Re-encode every frame (no smart render)"), self)
        self.full_render.setToolTip(self.tr("By default the untouched stretches of the video are copied as they "
                                            "are and only the stretches around each edit are re-encoded"))
        form = QFormLayout()
        form.addRow(self.tr("Save as:"), dest_row)
        form.addRow(self.tr("For:"), self.target)
        form.addRow(self.tr("Course prefix:"), self.prefix)
        form.addRow(self.tr("Quality:"), self.preset)
        form.addRow(self.tr("Subtitles:"), self.subtitles)
        form.addRow("", self.smooth)
        for box in (self.audio_track, self.timeline, self.mark, self.full_render):
            form.addRow("", box)
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 1000)
        self.progress.setValue(0)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        if project is not None and project.edl.replacements:
            self.status.setText(self.tr("Retyped words are spoken in the lecturer's voice; a retype the voice "
                                        "cannot say is exported as recorded (the edit list says why)."))
        self.buttons = QDialogButtonBox(self)
        self.export_button = self.buttons.addButton(self.tr("Export"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.reveal_button = self.buttons.addButton(self.tr("Show in folder"), QDialogButtonBox.ButtonRole.ActionRole)
        self.reveal_button.hide()
        self.export_button.clicked.connect(self.start_export)
        self.cancel_button.clicked.connect(self._cancel)
        self.reveal_button.clicked.connect(lambda: reveal_in_file_manager(self.result_path() or self.dest.text()))
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

    def _browse(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, self.tr("Export to"), self.dest.text(),
                                              self.tr("MP4 video (*.mp4);;All files (*)"))
        if path:
            self.dest.setText(path)

    def options(self, overwrite: bool = False) -> Any:
        return jobs.export_options(self.subtitles.currentData(), self.smooth.isChecked(), self.preset.currentData(),
                                   overwrite, target=self.target.currentData(), prefix=self.prefix.text().strip(),
                                   audio_track=self.audio_track.isChecked(), mark_synthetic=self.mark.isChecked(),
                                   timeline=self.timeline.isChecked(), full_render=self.full_render.isChecked())

    def _ask_overwrite_dialog(self, paths: list[str]) -> bool:
        answer = QMessageBox.question(
            self, self.tr("Replace existing files?"),
            self.tr("These files exist already and would be replaced:\n\n%1\n\nReplace them?")
            .replace("%1", "\n".join(Path(p).name for p in paths)))
        return answer == QMessageBox.StandardButton.Yes

    def result_path(self) -> str | None:
        return str(getattr(self.result, "path", "")) or None

    def start_export(self) -> Job | None:
        project = self.session.project
        out = self.dest.text().strip()
        if project is None or not out:
            return None
        if not out.lower().endswith((".mp4", ".mov", ".mkv", ".m4v")):
            out += ".mp4"
            self.dest.setText(out)
        try:
            options = self.options()
            existing = jobs.existing_outputs(out, options, project.transcript.language)
            if existing:
                if not self._ask_overwrite([str(p) for p in existing]):
                    self.status.setText(self.tr("Not exported: the existing files were left as they are."))
                    return None
                options = self.options(overwrite=True)
        except Exception as exc:  # noqa: BLE001 - the export engine is missing or changed
            show_error(self, exc, self.tr("Export"))
            return None
        self.result = None
        job = Job(lambda progress, cancel: self._export(project, out, options, progress=progress, cancel=cancel),
                  "export", self)
        job.progress.connect(self._on_progress)
        job.succeeded.connect(self._on_done)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        self.job = job
        self.export_button.setEnabled(False)
        self.reveal_button.hide()
        self.progress.show()
        self.progress.setRange(0, 0)
        self.status.setText(self.tr("Starting the export\u2026"))
        for w in (self.dest, self.preset, self.subtitles, self.smooth, self.target, self.prefix, self.audio_track,
                  self.timeline, self.mark, self.full_render):
            w.setEnabled(False)
        job.start(self.pool)
        return job

    def _on_progress(self, fraction: float | None, message: str) -> None:
        show_progress(self.job, self.progress, self.status, fraction, message)

    def _finish(self) -> None:
        self.job = None
        self.export_button.setEnabled(True)
        for w in (self.dest, self.preset, self.subtitles, self.smooth, self.target, self.prefix, self.audio_track,
                  self.timeline, self.mark, self.full_render):
            w.setEnabled(True)
        self.cancel_button.setText(self.tr("Close"))

    def _on_done(self, result: Any) -> None:
        self.result = result
        self._finish()
        self.progress.setRange(0, 1000)
        self.progress.setValue(1000)
        duration = getattr(result, "duration_s", None)
        n_cuts = getattr(result, "n_cuts", None)
        text = self.tr("Exported to %1").replace("%1", str(getattr(result, "path", self.dest.text())))
        if duration is not None:
            text += " (" + format_duration(float(duration)) + (
                ", " + self.tr("%n cuts", "", n_cuts) if n_cuts is not None else "") + ")"
        warnings = list(getattr(result, "warnings", ()) or ())
        if warnings:
            text += "\n" + "\n".join(f"\u2022 {w}" for w in warnings)
        self.status.setText(text)
        self.reveal_button.show()
        self.exportFinished.emit(result)

    def _on_failed(self, exc: BaseException) -> None:
        self._finish()
        self.progress.hide()
        title, text, _details = describe_error(exc)
        self.status.setText(text)
        show_error(self, exc, self.tr("Export failed"))
        self.exportFailed.emit(exc)

    def _on_cancelled(self) -> None:
        self._finish()
        self.progress.hide()
        self.status.setText(self.tr("Export cancelled; nothing was written."))

    def _cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()
            self.status.setText(self.tr("Cancelling\u2026"))
        else:
            self.reject()

    def reject(self) -> None:
        if self.job is not None:  # closing the window cancels a running export
            self.job.cancel()
        super().reject()


# ---- settings --------------------------------------------------------------------------------
def _list_models() -> list[Any]:
    return run_in_process(jobs.list_models)


class SettingsDialog(QDialog):
    """Transcription model and language, model weights (present? fetch), voice and lip-sync, UI language."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None, pool: QThreadPool | None = None,
                 list_models: Callable[..., list[Any]] = _list_models) -> None:
        super().__init__(parent)
        self.settings = settings
        self.pool = pool
        self._list_models = list_models
        self._jobs: set[Job] = set()
        self.statuses: list[Any] = []
        self.setWindowTitle(self.tr("Settings"))
        self.setMinimumSize(720, 520)

        self.model = QComboBox(self)
        self.model.setEditable(True)
        self.model.addItems(TRANSCRIPTION_MODELS)
        self.model.setCurrentText(settings.model)
        self.model.setToolTip(self.tr("'auto' uses the Whisper weights installed with lecturecut; a name or a "
                                      "path chooses another model"))
        self.language = QComboBox(self)
        for code in LANGUAGES:
            self.language.addItem(self.tr("Detect automatically") if not code else code, code)
        self.language.setCurrentIndex(max(0, self.language.findData(settings.language)))
        self.candidates = QLineEdit(", ".join(settings.candidate_languages), self)
        self.candidates.setToolTip(self.tr("When the language is detected, it is chosen among these (codes such as "
                                           "en, de, fr); an unlikely result is pointed out with a one-click fix"))
        self.backend = QComboBox(self)
        self.backend.addItems(TRANSCRIPTION_BACKENDS)
        self.backend.setCurrentText(settings.backend)
        self.voice = QComboBox(self)
        self.voice.addItems(VOICE_BACKENDS)
        self.voice.setCurrentText(settings.voice_backend)
        self.lipsync = QComboBox(self)
        self.lipsync.addItems(LIPSYNC_BACKENDS)
        self.lipsync.setCurrentText(settings.lipsync_backend)
        self.ui_language = QComboBox(self)
        for code, name in UI_LANGUAGES.items():
            self.ui_language.addItem(self.tr("System") if not code else name, code)
        self.ui_language.setCurrentIndex(max(0, self.ui_language.findData(settings.ui_language)))

        tr_box = QGroupBox(self.tr("Transcription (for newly opened videos)"), self)
        f = QFormLayout(tr_box)
        f.addRow(self.tr("Model:"), self.model)
        f.addRow(self.tr("Language:"), self.language)
        f.addRow(self.tr("Detect among:"), self.candidates)
        f.addRow(self.tr("Engine:"), self.backend)
        syn_box = QGroupBox(self.tr("Synthesis of retyped words"), self)
        f = QFormLayout(syn_box)
        f.addRow(self.tr("Voice:"), self.voice)
        f.addRow(self.tr("Lip sync:"), self.lipsync)
        ui_box = QGroupBox(self.tr("Interface"), self)
        f = QFormLayout(ui_box)
        f.addRow(self.tr("Language (after a restart):"), self.ui_language)

        models_box = QGroupBox(self.tr("Model weights"), self)
        self.table = QTableWidget(0, 4, models_box)
        self.table.setHorizontalHeaderLabels([self.tr("Model"), self.tr("Used for"), self.tr("Licence"),
                                              self.tr("Where")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.horizontalHeader().setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._update_fetch)
        self.models_status = QLabel(self.tr("Looking for model files\u2026"), models_box)
        self.models_status.setWordWrap(True)
        self.fetch_button = QPushButton(self.tr("Fetch"), models_box)
        self.fetch_button.setToolTip(self.tr("Download the selected model (needs a network connection)"))
        self.fetch_button.setEnabled(False)
        self.fetch_button.clicked.connect(self.fetch_selected)
        self.fetch_progress = QProgressBar(models_box)
        self.fetch_progress.hide()
        mrow = QHBoxLayout()
        mrow.addWidget(self.models_status, 1)
        mrow.addWidget(self.fetch_progress)
        mrow.addWidget(self.fetch_button)
        mlay = QVBoxLayout(models_box)
        mlay.addWidget(self.table, 1)
        mlay.addLayout(mrow)

        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(tr_box)
        right = QVBoxLayout()
        right.addWidget(syn_box)
        right.addWidget(ui_box)
        top.addLayout(right)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(models_box, 1)
        layout.addWidget(buttons)
        self.refresh_models()

    def refresh_models(self) -> Job:
        job = Job(lambda progress, cancel: self._list_models(), "models", self)
        job.succeeded.connect(self._show_models)
        job.failed.connect(lambda exc: self.models_status.setText(describe_error(exc)[1]))
        self._run(job)
        return job

    def _run(self, job: Job) -> None:
        self._jobs.add(job)
        job.finished.connect(lambda: self._jobs.discard(job))
        job.start(self.pool)

    def _show_models(self, statuses: list[Any]) -> None:
        self.statuses = list(statuses)
        self.table.setRowCount(len(self.statuses))
        present = 0
        for row, st in enumerate(self.statuses):
            spec = getattr(st, "spec", st)
            path = getattr(st, "path", None)
            present += path is not None
            cells = [
                str(getattr(spec, "name", "?")),
                str(getattr(spec, "purpose", getattr(spec, "kind", ""))),
                str(getattr(spec, "licence", "")),
                str(path) if path is not None else self.tr("not present"),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(text if col != 2 else str(getattr(spec, "licence_note", text)))
                if col == 3 and path is None:
                    item.setForeground(Qt.GlobalColor.darkRed)
                self.table.setItem(row, col, item)
        self.table.resizeColumnsToContents()
        self.models_status.setText(self.tr("%1 of %2 models present.").replace("%1", str(present))
                                   .replace("%2", str(len(self.statuses))))
        self._update_fetch()

    def _selected_status(self) -> Any:
        row = self.table.currentRow()
        return self.statuses[row] if 0 <= row < len(self.statuses) else None

    def _update_fetch(self) -> None:
        st = self._selected_status()
        self.fetch_button.setEnabled(st is not None and getattr(st, "path", None) is None)

    def fetch_selected(self) -> Job | None:
        st = self._selected_status()
        if st is None:
            return None
        name = getattr(getattr(st, "spec", st), "name", "")

        job = Job(lambda progress, cancel: run_in_process(jobs.fetch_model, name, progress=progress,
                                                               cancel=cancel), "fetch", self)
        job.progress.connect(lambda f, msg: (self.fetch_progress.setRange(0, 0 if f is None else 1000),
                                              self.fetch_progress.setValue(int((f or 0) * 1000)),
                                              self.models_status.setText(msg)))
        job.succeeded.connect(lambda _p: self.refresh_models())
        job.failed.connect(lambda exc: self.models_status.setText(describe_error(exc)[1]))
        job.finished.connect(self.fetch_progress.hide)
        job.finished.connect(lambda: self.fetch_button.setText(self.tr("Fetch")))
        self.fetch_progress.show()
        self.fetch_button.setText(self.tr("Cancel"))
        self.fetch_button.clicked.disconnect()
        self.fetch_button.clicked.connect(job.cancel)
        job.finished.connect(lambda: (self.fetch_button.clicked.disconnect(),
                                      self.fetch_button.clicked.connect(self.fetch_selected)))
        self._run(job)
        return job

    def accept(self) -> None:
        s = self.settings
        s.model = self.model.currentText().strip() or "auto"
        s.language = self.language.currentData() or ""
        s.candidate_languages = self.candidates.text().replace(" ", "")
        s.backend = self.backend.currentText()
        s.voice_backend = self.voice.currentText()
        s.lipsync_backend = self.lipsync.currentText()
        s.ui_language = self.ui_language.currentData() or ""
        for job in list(self._jobs):
            job.cancel()
        super().accept()

    def reject(self) -> None:
        for job in list(self._jobs):
            job.cancel()
        super().reject()


# ---- help -----------------------------------------------------------------------------------
def shortcut_table() -> list[tuple[str, str]]:
    return [
        ("Space", QCoreApplication.translate("Shortcuts", "Play / pause (the edited lecture)")),
        ("J", QCoreApplication.translate("Shortcuts", "Jump back 5 seconds")),
        ("K", QCoreApplication.translate("Shortcuts", "Pause, stop the preview, normal speed")),
        ("L", QCoreApplication.translate("Shortcuts", "Play; again: faster (up to 2\u00d7)")),
        ("\u2190 / \u2192", QCoreApplication.translate("Shortcuts", "Previous / next word (seeks there)")),
        ("Shift+\u2190 / Shift+\u2192", QCoreApplication.translate("Shortcuts", "Extend the selection by a word")),
        ("Delete / Backspace",
         QCoreApplication.translate("Shortcuts", "Delete the selected words (or the word at the cursor)")),
        (QCoreApplication.translate("Shortcuts", "Type over a selection"),
         QCoreApplication.translate("Shortcuts", "Retype the words (Enter confirms, Esc cancels)")),
        ("Enter / F2", QCoreApplication.translate("Shortcuts", "Retype the selected words")),
        ("Ctrl+R", QCoreApplication.translate("Shortcuts", "Restore the selected words as recorded")),
        ("Shift+Space", QCoreApplication.translate("Shortcuts", "Play the selected words (as edited)")),
        ("Ctrl+Z", QCoreApplication.translate("Shortcuts", "Undo")),
        ("Ctrl+Shift+Z / Ctrl+Y", QCoreApplication.translate("Shortcuts", "Redo")),
        ("Ctrl+F", QCoreApplication.translate("Shortcuts", "Find and replace")),
        ("Ctrl+Shift+H", QCoreApplication.translate("Shortcuts", "Hide / show deleted words")),
        ("Ctrl+O", QCoreApplication.translate("Shortcuts", "Open a video or project")),
        ("Ctrl+S / Ctrl+Shift+S", QCoreApplication.translate("Shortcuts", "Save / Save as")),
        ("Ctrl+E", QCoreApplication.translate("Shortcuts", "Export")),
        (QCoreApplication.translate("Shortcuts", "Click a word"),
         QCoreApplication.translate("Shortcuts", "Play from that word")),
        (QCoreApplication.translate("Shortcuts", "Ctrl+wheel on the timeline"),
         QCoreApplication.translate("Shortcuts", "Zoom the waveform")),
    ]


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = shortcut_table()
        table = QTableWidget(len(rows), 2, self)
        table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Action")])
        table.verticalHeader().hide()
        table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        for r, (key, action) in enumerate(rows):
            table.setItem(r, 0, QTableWidgetItem(key))
            table.setItem(r, 1, QTableWidgetItem(action))
        table.resizeColumnsToContents()
        table.horizontalHeader().setStretchLastSection(True)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(560, 520)
