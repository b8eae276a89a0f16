"""The engine-side editing session: one project, its file, and whether it is saved.

Front ends (CLI, Qt) call these methods; the Qt session in ``app/`` wraps
this object and turns changes into signals. Nothing here knows about Qt.

Another process may change the file while a session has it open (a script
running ``lecturecut edit``, a second window). The session remembers the
file's :class:`DiskStamp` from its last load or save: ``changed_on_disk()``
says whether it differs now, ``save()`` refuses to overwrite such a change
(``ProjectChangedOnDisk``) unless ``force=True``, and ``reload()`` reads it.
Saving takes the project's OS lock (``project_lock``), so the check and the
write happen as one step.

Autosaves (crash recovery) record the process that wrote them. A session only
ever removes an autosave it wrote itself or recovered from, and only once it
is older than the saved project: a CLI edit never deletes the app's.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable, Iterator

from lecturecut.files import LOCK_TIMEOUT_S

from .edl import Edl, VoiceTuning, edl_from_text
from .project import (
    DiskStamp,
    Project,
    ProjectChangedOnDisk,
    autosave_owner,
    autosave_path,
    load_project,
    project_lock,
    save_project,
)


class EditSession:
    def __init__(self, project: Project, path: str | os.PathLike[str] | None = None) -> None:
        self.project = project
        self.path: Path | None = Path(path) if path else None
        self._saved_state = project.history if path else None
        self._autosaved_state = self._saved_state
        # The file version this session's state is based on; None: not read from that file
        # (a new project: the first save may create or replace it, as the caller chose).
        self._disk_stamp: DiskStamp | None = None
        self._recovered_autosave: DiskStamp | None = None  # the autosave this session was recovered from
        self.listeners: list[Callable[[Project], None]] = []

    @classmethod
    def saved_at(cls, project: Project, path: str | os.PathLike[str]) -> "EditSession":
        """A session for ``project`` that the caller has just written to ``path`` with
        :func:`save_project` (e.g. on a worker thread, so the GUI thread does not wait on the
        disk): clean, tied to that file, and based on the version now on disk."""
        session = cls(project, path)
        session._disk_stamp = DiskStamp.of(Path(path))
        return session

    # ---- state ----------------------------------------------------------
    @property
    def edl(self) -> Edl:
        return self.project.edl

    @property
    def dirty(self) -> bool:
        return self.project.history != self._saved_state

    def _set(self, project: Project) -> Project:
        if project is not self.project:
            self.project = project
            for fn in list(self.listeners):
                fn(project)
        return project

    # ---- edits ----------------------------------------------------------
    def delete(self, start: int, end: int) -> Project:
        n = end - start
        return self._set(self.project.with_edl(self.edl.delete(start, end), f"Delete {n} word{'s' * (n != 1)}"))

    def restore(self, start: int, end: int) -> Project:
        return self._set(self.project.with_edl(self.edl.restore(start, end), "Restore words"))

    def replace_words(self, start: int, end: int, text: str) -> Project:
        return self._set(self.project.with_edl(self.edl.replace(start, end, text), "Retype words"))

    def apply_text(self, text: str) -> Project:
        edl = edl_from_text(self.project.transcript, text, previous=self.edl)  # unchanged retypes keep their tuning
        return self._set(self.project.with_edl(edl, "Edit text"))

    def tune_voice(self, start: int, end: int, tuning: VoiceTuning) -> Project:
        """Adjust the new speech of the retype of exactly ``[start, end)`` (one undoable step);
        EditError when there is none. The speech itself is made when asked for (export, preview)."""
        return self._set(self.project.with_edl(self.edl.with_tuning(start, end, tuning), "adjust voice"))

    def shorten_pause(self, before: int, keep_ms: int) -> Project:
        """Keep only ``keep_ms`` of the pause before word ``before`` (one undoable step)."""
        return self._set(self.project.with_edl(self.edl.shorten_pause(before, keep_ms), "Shorten a pause"))

    def restore_pause(self, before: int) -> Project:
        return self._set(self.project.with_edl(self.edl.restore_pause(before), "Restore a pause"))

    def apply_edl(self, edl: Edl, label: str) -> Project:
        """Make ``edl`` (an edit list of this transcript, e.g. the clean-up's) the current one, as one
        undoable step called ``label``."""
        if edl.n_words != self.edl.n_words:
            raise ValueError(f"the edit list is for {edl.n_words} words, the transcript has {self.edl.n_words}")
        return self._set(self.project.with_edl(edl, label))

    def undo(self) -> Project:
        return self._set(replace(self.project, history=self.project.history.undo()))

    def redo(self) -> Project:
        return self._set(replace(self.project, history=self.project.history.redo()))

    def set_ui(self, **values: Any) -> None:
        """UI state (playhead, scroll) travels with the project but is not an edit.

        A new Project with a new dict: the old snapshot (and its dict) may be held
        by an undo step or a background export, which must not see it change.
        No listeners are told and the session does not become dirty.
        """
        self.project = replace(self.project, ui={**self.project.ui, **values})

    # ---- the file on disk -----------------------------------------------
    def changed_on_disk(self) -> bool:
        """Whether the project file differs from the version this session last loaded or saved
        (another process saved it, or it was deleted). False for a session never tied to its file."""
        if self.path is None or self._disk_stamp is None:
            return False
        return DiskStamp.of(self.path) != self._disk_stamp

    def reload(self) -> Project:
        """Replace the session's state with the file on disk; unsaved edits here are dropped
        (ask first when ``dirty``). Listeners are told. Raises ProjectError as ``open`` does."""
        if self.path is None:
            raise ValueError("no project path to reload from")
        with project_lock(self.path):
            stamp = DiskStamp.of(self.path)
            project = load_project(self.path)
        self._saved_state = self._autosaved_state = project.history
        self._disk_stamp = stamp
        self._recovered_autosave = None
        self.project = project  # always a new object: listeners are told even if nothing changed
        for fn in list(self.listeners):
            fn(project)
        return project

    @contextlib.contextmanager
    def locked(self, timeout_s: float = LOCK_TIMEOUT_S) -> Iterator["EditSession"]:
        """Hold the project's OS lock for a read-modify-write spanning several calls
        (``with session.locked(): session.reload(); session.delete(...); session.save()``).
        Raises ProjectLocked (naming the holder) after ``timeout_s``."""
        if self.path is None:
            raise ValueError("no project path to lock")
        with project_lock(self.path, timeout_s):
            yield self

    # ---- files ----------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None, *, force: bool = False) -> Path:
        """Write the project to ``path`` (default: its own file) under the project lock.

        Refuses with ProjectChangedOnDisk when the session's own file was changed by
        someone else since it was loaded or saved (unless ``force``). Saving to
        another path ("Save As") overwrites it: the caller asked the user.
        """
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("no project path: use save(path)")
        with project_lock(target):
            own_file = self.path is not None and _same_path(target, self.path)
            if own_file and not force and self._disk_stamp is not None:
                now = DiskStamp.of(target)
                if now is not None and now != self._disk_stamp:
                    raise ProjectChangedOnDisk(
                        f"'{target.name}' was changed by another program since it was opened here; "
                        "reload it (your unsaved edits here are then lost) or save it under another name."
                    )
            save_project(self.project, target)
            self._disk_stamp = DiskStamp.of(target)
        self.path = target
        self._saved_state = self._autosaved_state = self.project.history
        self._remove_own_autosave(target)
        return target

    def autosave(self) -> Path | None:
        """Write the unsaved state to the project's autosave file; None if nothing changed,
        or if another running process owns that autosave (its crash protection is kept)."""
        if self.path is None or not self.dirty or self.project.history == self._autosaved_state:
            return None
        target = autosave_path(self.path)
        with project_lock(target):
            if target.exists() and not self._may_replace_autosave(target):
                return None
            save_project(self.project, target, autosave=True)
        self._autosaved_state = self.project.history
        self._recovered_autosave = None  # now it is ours by pid
        return target

    def discard_autosave(self) -> bool:
        """Remove the project's autosave if this session owns it (wrote or recovered it); True if removed."""
        if self.path is None:
            return False
        target = autosave_path(self.path)
        with project_lock(target):
            if target.exists() and self._owns_autosave(target):
                target.unlink(missing_ok=True)
                return True
        return False

    def _owns_autosave(self, auto: Path) -> bool:
        owner = autosave_owner(auto)
        if owner is not None and owner.is_me:
            return True
        return self._recovered_autosave is not None and DiskStamp.of(auto) == self._recovered_autosave

    def _may_replace_autosave(self, auto: Path) -> bool:
        if self._owns_autosave(auto):
            return True
        owner = autosave_owner(auto)
        # Unowned (old format) or of a dead process: a crash's leftover that recovery was not asked
        # for, newer than nothing we have; replacing it is what the app always did.
        return owner is None or not owner.alive

    def _remove_own_autosave(self, project_path: Path) -> None:
        """After a save: remove the autosave if it is ours and no newer than the saved file."""
        auto = autosave_path(project_path)
        with project_lock(auto):
            try:
                older = auto.stat().st_mtime_ns <= project_path.stat().st_mtime_ns
            except FileNotFoundError:
                return
            if older and self._owns_autosave(auto):
                auto.unlink(missing_ok=True)
        self._recovered_autosave = None

    @staticmethod
    def open(path: str | os.PathLike[str]) -> "EditSession":
        with project_lock(path):
            stamp = DiskStamp.of(path)
            session = EditSession(load_project(path), path)
        session._disk_stamp = stamp
        return session

    @staticmethod
    def recoverable(path: str | os.PathLike[str]) -> Path | None:
        """An autosave newer than the project file, left behind by a crash (not one that
        another running lecturecut is keeping up to date)."""
        auto = autosave_path(path)
        if not auto.exists():
            return None
        if Path(path).exists() and auto.stat().st_mtime < Path(path).stat().st_mtime:
            return None
        owner = autosave_owner(auto)
        if owner is not None and owner.alive and not owner.is_me:
            return None
        return auto

    @staticmethod
    def recover(path: str | os.PathLike[str]) -> "EditSession":
        """Open the autosaved state of ``path``; it stays unsaved until the user saves.
        The session adopts that autosave: saving (or ``discard_autosave``) removes it."""
        auto = autosave_path(path)
        with project_lock(auto):
            auto_stamp = DiskStamp.of(auto)
            project = load_project(auto)
        session = EditSession(project, path)
        session._saved_state = None
        session._disk_stamp = DiskStamp.of(path)
        session._recovered_autosave = auto_stamp
        return session


def _same_path(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return a.absolute() == b.absolute()
