"""The Qt side of the editing session: one object the widgets share.

``QtSession`` wraps the engine's ``EditSession`` (which owns the project and
its undo history) and turns its changes into signals. Widgets receive it in
their constructor, call its edit methods and redraw from its signals; they
keep no copy of the edit state. Undo is the engine's snapshot history.

Another program (the command line, a second window) may save the same
project: a file watcher, and ``check_disk()`` (the window calls it when it
is activated), emit ``changedOnDisk`` when the file differs from the version
this session loaded or saved (the engine's ``EditSession.changed_on_disk``);
the window then reloads or asks.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, Signal

from lecturecut.asr.transcript import Transcript
from lecturecut.synthesis.edl import EditError, Edl
from lecturecut.synthesis.history import History
from lecturecut.synthesis.project import Project, autosave_path
from lecturecut.synthesis.session import EditSession

AUTOSAVE_IDLE_MS = 3_000  # autosave after 3 s without an edit: never mid-gesture, never much lost
DISK_CHECK_DELAY_MS = 150  # a save by another program fires several file events: look once they settle


class QtSession(QObject):
    projectOpened = Signal(object)  # Project, or None when closed: a new transcript, redraw everything
    edlChanged = Signal(object)  # Project after an edit, undo or redo (same transcript)
    dirtyChanged = Signal(bool)
    pathChanged = Signal(object)  # Path or None
    saved = Signal(object)  # Path
    autosaved = Signal(object)  # Path
    editFailed = Signal(str)  # an edit that could not apply, in words the user can act on
    changedOnDisk = Signal(object)  # Path: another program changed (or removed) the project file

    def __init__(self, parent: QObject | None = None, autosave_ms: int = AUTOSAVE_IDLE_MS) -> None:
        super().__init__(parent)
        self._session: EditSession | None = None
        self._dirty = False
        self._autosave_timer = QTimer(self)
        self._autosave_timer.setSingleShot(True)
        self._autosave_timer.setInterval(autosave_ms)
        self._autosave_timer.timeout.connect(self.autosave)
        self._watcher = QFileSystemWatcher(self)
        self._watcher.fileChanged.connect(lambda _p: self._disk_timer.start())
        self._watcher.directoryChanged.connect(lambda _p: self._disk_timer.start())  # saves rename into place
        self._disk_timer = QTimer(self)
        self._disk_timer.setSingleShot(True)
        self._disk_timer.setInterval(DISK_CHECK_DELAY_MS)
        self._disk_timer.timeout.connect(self.check_disk)
        self._reported_change = False
        self.last_op = ""  # the edit method that last changed the edit list ("replace_words", "undo", ...)

    # ---- state ------------------------------------------------------------
    @property
    def session(self) -> EditSession | None:
        return self._session

    @property
    def is_open(self) -> bool:
        return self._session is not None

    @property
    def project(self) -> Project | None:
        return self._session.project if self._session else None

    @property
    def transcript(self) -> Transcript | None:
        return self._session.project.transcript if self._session else None

    @property
    def edl(self) -> Edl | None:
        return self._session.edl if self._session else None

    @property
    def history(self) -> History | None:
        return self._session.project.history if self._session else None

    @property
    def path(self) -> Path | None:
        return self._session.path if self._session else None

    @property
    def dirty(self) -> bool:
        return bool(self._session and self._session.dirty)

    @property
    def ui_state(self) -> dict[str, Any]:
        return self._session.project.ui if self._session else {}

    # ---- opening and closing ----------------------------------------------
    def set_session(self, session: EditSession | None) -> None:
        if self._session is not None:
            self._session.listeners.remove(self._on_engine_change)
        self._autosave_timer.stop()
        self._session = session
        if session is not None:
            session.listeners.append(self._on_engine_change)
        self._watch()
        self.projectOpened.emit(self.project)
        self.pathChanged.emit(self.path)
        self._update_dirty()

    def open(self, path: str | os.PathLike[str]) -> Project:
        """Open a project file (raises the engine's ProjectError with a helpful message)."""
        self.set_session(EditSession.open(path))
        assert self.project is not None
        return self.project

    def recover(self, path: str | os.PathLike[str]) -> Project:
        """Open the autosaved state of ``path`` (unsaved until the user saves)."""
        self.set_session(EditSession.recover(path))
        assert self.project is not None
        return self.project

    def new(self, project: Project, path: str | os.PathLike[str] | None = None, *, saved: bool = False) -> None:
        """A freshly transcribed project; saved at once to ``path`` when given (transcripts are costly).
        ``saved``: the caller has already written it to ``path`` (off the GUI thread)."""
        if saved and path is not None:
            self.set_session(EditSession.saved_at(project, path))
            self.saved.emit(Path(path))
            return
        self.set_session(EditSession(project))
        if path is not None:
            self.save(path)

    def close(self) -> None:
        self.set_session(None)

    def discard_autosave(self) -> None:
        if self._session is not None:
            self._session.discard_autosave()

    # ---- the file on disk ----------------------------------------------------
    def _watch(self) -> None:
        watched = self._watcher.files() + self._watcher.directories()
        if watched:
            self._watcher.removePaths(watched)
        self._reported_change = False
        if self.path is not None and self.path.exists():
            # The file itself, and its folder: a save renames a new file into place, which some
            # platforms report only on the folder (and the watch on the old file is lost).
            self._watcher.addPaths([str(self.path), str(self.path.parent)])

    def changed_on_disk(self) -> bool:
        return bool(self._session and self._session.changed_on_disk())

    def check_disk(self) -> bool:
        """Emit ``changedOnDisk`` (once per change) if another program changed the project file."""
        if self._session is None or self.path is None:
            return False
        if self.path.exists() and str(self.path) not in self._watcher.files():
            self._watcher.addPath(str(self.path))  # replaced by a rename: watch the new file
        if not self.changed_on_disk():
            self._reported_change = False
            return False
        if not self._reported_change:
            self._reported_change = True
            self.changedOnDisk.emit(self.path)
        return True

    def reload(self) -> Project:
        """Read the project file again (unsaved edits here are dropped: ask first when ``dirty``)."""
        assert self._session is not None
        self._autosave_timer.stop()
        self._session.listeners.remove(self._on_engine_change)
        try:
            project = self._session.reload()
        finally:
            self._session.listeners.append(self._on_engine_change)
        self._reported_change = False
        self.projectOpened.emit(project)  # possibly another transcript: redraw everything
        self._update_dirty()
        return project

    def replace_project(self, project: Project) -> None:
        """Swap in a project with the same history (e.g. relinked to a moved source file)."""
        assert self._session is not None
        self._session.project = project
        self.projectOpened.emit(project)

    # ---- edits ------------------------------------------------------------
    def _edit(self, op: str, *args: Any) -> bool:
        if self._session is None:
            return False
        self.last_op = op  # edlChanged's slots may ask what made the change (the app auditions new speech)
        try:
            getattr(self._session, op)(*args)
        except EditError as exc:
            self.editFailed.emit(str(exc))
            return False
        return True

    def delete(self, start: int, end: int) -> bool:
        return self._edit("delete", start, end)

    def restore(self, start: int, end: int) -> bool:
        return self._edit("restore", start, end)

    def replace(self, start: int, end: int, text: str) -> bool:
        return self._edit("replace_words", start, end, text)

    def apply_text(self, text: str) -> bool:
        return self._edit("apply_text", text)

    def shorten_pause(self, before: int, keep_ms: int) -> bool:
        """Keep only ``keep_ms`` of the pause before word ``before``; the edit list's Restore undoes it."""
        return self._edit("shorten_pause", before, keep_ms)

    def apply_edl(self, edl: Any, label: str) -> bool:
        """Make ``edl`` (the clean-up's edit list, say) the current one: one undoable step."""
        return self._edit("apply_edl", edl, label)

    def tune_voice(self, start: int, end: int, tuning: Any) -> bool:
        """Adjust the new speech of the retype of exactly ``[start, end)`` (an ``edl.VoiceTuning``:
        chosen occurrences, gain, tempo, shift); one undoable step, saved with the project."""
        return self._edit("tune_voice", start, end, tuning)

    def undo(self) -> bool:
        return bool(self.history and self.history.can_undo) and self._edit("undo")

    def redo(self) -> bool:
        return bool(self.history and self.history.can_redo) and self._edit("redo")

    def set_ui(self, **values: Any) -> None:
        if self._session is not None:
            self._session.set_ui(**values)

    def _on_engine_change(self, project: Project) -> None:
        self.edlChanged.emit(project)
        self._update_dirty()
        if self._session is not None and self._session.dirty:
            self._autosave_timer.start()  # restart: autosave once the user pauses

    def _update_dirty(self) -> None:
        dirty = self.dirty
        if dirty != self._dirty:
            self._dirty = dirty
            self.dirtyChanged.emit(dirty)

    # ---- files --------------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None, force: bool = False) -> Path:
        """Save (raises ValueError without a path yet, the engine's errors on a failed write, and
        ProjectChangedOnDisk when another program saved the file since, unless ``force``)."""
        assert self._session is not None
        old = self._session.path
        target = self._session.save(path, force=force)
        self._reported_change = False
        self._autosave_timer.stop()
        if old is not None and Path(old) != target:
            autosave_path(old).unlink(missing_ok=True)
        self.saved.emit(target)
        if old != target:
            self._watch()
            self.pathChanged.emit(target)
        self._update_dirty()
        return target

    def autosave(self) -> Path | None:
        """Write unsaved edits beside the project file (what crash recovery offers)."""
        if self._session is None:
            return None
        written = self._session.autosave()
        if written is not None:
            self.autosaved.emit(written)
        return written
