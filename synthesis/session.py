"""The engine-side editing session: one project, its file, and whether it is saved.

Front ends (CLI, Qt) call these methods; the Qt session in ``app/`` wraps
this object and turns changes into signals. Nothing here knows about Qt.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from .edl import Edl, edl_from_text
from .project import (Project, autosave_path, load_project, save_project)


class EditSession:
    def __init__(self, project: Project, path: str | os.PathLike[str] | None = None) -> None:
        self.project = project
        self.path: Path | None = Path(path) if path else None
        self._saved_state = project.history if path else None
        self._autosaved_state = self._saved_state
        self.listeners: list[Callable[[Project], None]] = []

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
        return self._set(self.project.with_edl(edl_from_text(self.project.transcript, text), "Edit text"))

    def undo(self) -> Project:
        return self._set(replace(self.project, history=self.project.history.undo()))

    def redo(self) -> Project:
        return self._set(replace(self.project, history=self.project.history.redo()))

    def set_ui(self, **values: Any) -> None:
        """UI state (playhead, scroll) travels with the project but is not an edit."""
        self.project.ui.update(values)

    # ---- files ----------------------------------------------------------
    def save(self, path: str | os.PathLike[str] | None = None) -> Path:
        target = Path(path) if path else self.path
        if target is None:
            raise ValueError("no project path: use save(path)")
        save_project(self.project, target)
        self.path = target
        self._saved_state = self._autosaved_state = self.project.history
        autosave_path(target).unlink(missing_ok=True)
        return target

    def autosave(self) -> Path | None:
        """Write the unsaved state next to the project file (or to ``fallback``); None if nothing changed."""
        if self.path is None or not self.dirty or self.project.history == self._autosaved_state:
            return None
        target = autosave_path(self.path)
        save_project(self.project, target)
        self._autosaved_state = self.project.history
        return target

    @staticmethod
    def open(path: str | os.PathLike[str]) -> "EditSession":
        return EditSession(load_project(path), path)

    @staticmethod
    def recoverable(path: str | os.PathLike[str]) -> Path | None:
        """An autosave newer than the project file, left behind by a crash."""
        auto = autosave_path(path)
        if auto.exists() and (not Path(path).exists() or auto.stat().st_mtime >= Path(path).stat().st_mtime):
            return auto
        return None

    @staticmethod
    def recover(path: str | os.PathLike[str]) -> "EditSession":
        """Open the autosaved state of ``path``; it stays unsaved until the user saves."""
        session = EditSession(load_project(autosave_path(path)), path)
        session._saved_state = None
        return session
