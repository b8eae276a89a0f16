"""Watch one edit as it will be exported: the recording, then the edited lecture, in a window.

The edit list's Preview plays the source with the new speech switched in, which is instant but
shows the recorded mouth. This dialog renders the few seconds around the edit with the export's
own renderer (``synthesis.moment.preview_edit``: retypes spoken, the mouth regenerated, cuts
crossfaded and smoothed), in a child process with progress and Cancel, then plays the clip
(captioned "recording", then "edited") in a loop until it is closed. The clip lives in a
temporary folder that is removed when the dialog closes; a cancelled render leaves nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QRectF, QSize, Qt, QThreadPool, QUrl
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from . import jobs
from .child_process import run_in_process
from .session import QtSession
from .workers import Job, show_progress

try:  # Qt Multimedia is optional at run time (as in player.py)
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink
except ImportError:  # pragma: no cover - depends on the Qt installation
    QMediaPlayer = None  # type: ignore[assignment,misc]


class _Picture(QWidget):
    """Paints the latest frame, letterboxed; a message where there is none yet."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.image: QImage | None = None
        self.message = ""
        self.setMinimumSize(320, 200)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(640, 400)

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(20, 20, 20))
        if self.image is not None and not self.image.isNull():
            size = self.image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x, y = (self.width() - size.width()) / 2, (self.height() - size.height()) / 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(x, y, size.width(), size.height()), self.image)
        else:
            p.setPen(QColor(160, 160, 160))
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, self.message)
        p.end()


class EditPreviewDialog(QDialog):
    """Renders edit ``number`` (from 1, the edit list's order) of the session's project and plays it."""

    def __init__(self, session: QtSession, number: int, title: str, parent: QWidget | None = None,
                 pool: QThreadPool | None = None, use_media: bool = True,
                 render: Callable[..., Any] | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.number = number
        self.pool = pool
        # render(project, number, out_path, progress=, cancel=) -> moment.PreviewResult; by default the
        # engine's preview in a child process (it holds the GIL for long stretches: lips, encoding).
        self._render = render or (lambda *args, progress, cancel: run_in_process(
            jobs.render_edit_preview, *args, progress=progress, cancel=cancel))
        self.folder = Path(tempfile.mkdtemp(prefix="lecturecut-preview-"))
        self.clip_path = self.folder / "edit.mp4"
        self.result: Any = None
        self.job: Job | None = None
        self._closed = False
        self.frames_shown = 0  # frames the player delivered (tests: the clip really plays)
        self.finished.connect(lambda _r: self._release())  # Esc or Close: the same as closing the window
        self.setWindowTitle(self.tr("Edit %1: %2").replace("%1", str(number)).replace("%2", title))
        self.picture = _Picture(self)
        self.picture.message = self.tr("Rendering the edit as it will be exported\u2026")
        self.progress = QProgressBar(self)
        self.progress.setRange(0, 0)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.buttons = QDialogButtonBox(self)
        self.replay_button = QPushButton(self.tr("Play again"), self)
        self.replay_button.setEnabled(False)
        self.replay_button.clicked.connect(self.replay)
        self.buttons.addButton(self.replay_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.cancel_button.clicked.connect(self._cancel_or_close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.picture, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._player = None
        self._audio = None
        self._sink = None
        if use_media and QMediaPlayer is not None:
            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._sink = QVideoSink(self)
            self._player.setVideoSink(self._sink)
            self._sink.videoFrameChanged.connect(self._on_frame)
            self._player.setLoops(QMediaPlayer.Loops.Infinite)
            self._player.errorOccurred.connect(self._on_media_error)

    # ---- rendering --------------------------------------------------------------------------
    def start(self) -> Job | None:
        project = self.session.project
        if project is None or self.job is not None:
            return None
        self.status.setText(self.tr("Rendering the edit as it will be exported\u2026"))
        job = Job(lambda progress, cancel: self._render(project, self.number, str(self.clip_path),
                                                        progress=progress, cancel=cancel), "edit preview", self)
        job.progress.connect(self._on_progress)
        job.succeeded.connect(self._on_done)
        job.failed.connect(self._on_failed)
        job.cancelled.connect(self._on_cancelled)
        self.job = job
        job.start(self.pool)
        return job

    def _on_progress(self, fraction: float | None, message: str) -> None:
        show_progress(self.job, self.progress, self.status, fraction, message)

    def _on_done(self, result: Any) -> None:
        if self._job_over():
            return
        self.result = result
        self.progress.hide()
        self.cancel_button.setText(self.tr("Close"))
        self.replay_button.setEnabled(True)
        lines = [self.tr("The recording (%1 s), then the edited lecture (%2 s), as exported.")
                 .replace("%1", f"{result.before_s:.1f}").replace("%2", f"{result.after_s:.1f}")]
        lines += [r.summary for r in getattr(result, "lips", ())]  # regenerated faces are never silent
        lines += list(getattr(result, "warnings", ()))
        self.status.setText("\n".join(lines))
        self.picture.message = self.tr("No picture (the clip cannot be played on this system); it is in %1") \
            .replace("%1", str(result.path))
        self.picture.update()
        if self._player is not None:
            self._player.setSource(QUrl.fromLocalFile(str(result.path)))
            self._player.play()

    def _on_failed(self, message: str) -> None:
        self._ended(self.tr("The edit could not be rendered: %1").replace("%1", str(message)))

    def _on_cancelled(self) -> None:
        self._ended(self.tr("Cancelled: nothing was rendered."))

    def _ended(self, text: str) -> None:
        """The render stopped without a clip: say why, offer Close."""
        if self._job_over():
            return
        self.progress.hide()
        self.cancel_button.setText(self.tr("Close"))
        self.picture.message = ""
        self.picture.update()
        self.status.setText(text)

    def _cancel_or_close(self) -> None:
        if self.job is not None:
            self.job.cancel()
        else:
            self.close()

    # ---- playing ----------------------------------------------------------------------------
    def _on_frame(self, frame: object) -> None:
        try:  # copy before converting (see player.PlaybackController._on_frame)
            image = QVideoFrame(frame).toImage()  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a frame we cannot convert is just not shown
            return
        if not image.isNull():
            self.frames_shown += 1
            self.picture.image = image
            self.picture.update()

    def _on_media_error(self, *_args: object) -> None:
        self.picture.image = None
        self.picture.update()

    def replay(self) -> None:
        if self._player is not None and self.result is not None:
            self._player.setPosition(0)
            self._player.play()

    def is_playing(self) -> bool:
        return self._player is not None and self._player.playbackState() == QMediaPlayer.PlaybackState.PlayingState

    # ---- closing ----------------------------------------------------------------------------
    def closeEvent(self, event: Any) -> None:
        self._release()
        super().closeEvent(event)

    def _release(self) -> None:
        """Stop playing and remove the clip; a render still running is cancelled first and its
        folder removed when it has stopped (its partial output is the engine's to remove)."""
        self._closed = True
        if self._player is not None:
            self._player.stop()
            self._player.setSource(QUrl())  # release the file before it is removed
        if self.job is not None:
            self.job.cancel()
        else:
            shutil.rmtree(self.folder, ignore_errors=True)

    def _job_over(self) -> bool:
        """Called when the render has ended; True when the dialog was closed meanwhile (clean up, stop)."""
        self.job = None
        if self._closed:
            shutil.rmtree(self.folder, ignore_errors=True)
        return self._closed
