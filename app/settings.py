"""The app's preferences (QSettings), typed. Project-specific choices live in the project file.

Tests and the screenshot script pass a ``QSettings`` on a temporary INI file,
so they never touch the user's real preferences.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from PySide6.QtCore import QLocale, QSettings, QStandardPaths

from lecturecut.synthesis.project import ProjectSettings

MAX_RECENT = 10
UI_LANGUAGES = {"": "System", "en": "English", "de": "Deutsch"}
TRANSCRIPTION_MODELS = ["auto", "tiny", "base", "small", "medium", "large-v3", "turbo"]
TRANSCRIPTION_BACKENDS = ["whisper", "faster-whisper"]
LANGUAGES = ["", "en", "de", "fr", "es", "it", "nl", "pl", "pt"]  # "" = detect
DEFAULT_CANDIDATES = ("en", "de")  # detection chooses among these (and the UI language) unless told otherwise
VOICE_BACKENDS = ["none"]  # voice synthesis is not in the engine yet; listed so the choice has a home
LIPSYNC_BACKENDS = ["none", "wav2lip"]


class AppSettings:
    def __init__(self, qsettings: QSettings | None = None) -> None:
        self.q = qsettings or QSettings()

    def _get(self, key: str, default: Any, kind: type = str) -> Any:
        value = self.q.value(key, default)
        if value is None:
            return default
        if kind is bool:
            return value in (True, "true", "1", 1)
        if kind is int:
            try:
                return int(value)
            except (TypeError, ValueError):
                return default
        if kind is list:
            if isinstance(value, str):
                return [value] if value else []
            return list(value)
        return str(value)

    # ---- transcription defaults for new projects ----------------------------------
    @property
    def model(self) -> str:
        return self._get("transcription/model", "auto")

    @model.setter
    def model(self, value: str) -> None:
        self.q.setValue("transcription/model", value)

    @property
    def language(self) -> str:
        return self._get("transcription/language", "")

    @language.setter
    def language(self, value: str) -> None:
        self.q.setValue("transcription/language", value or "")

    @property
    def backend(self) -> str:
        return self._get("transcription/backend", "whisper")

    @backend.setter
    def backend(self, value: str) -> None:
        self.q.setValue("transcription/backend", value)

    @property
    def candidate_languages(self) -> list[str]:
        """The languages detection chooses among (codes): default English, German and the UI language."""
        stored = self._get("transcription/candidates", "")
        items = [c.strip().lower() for c in stored.split(",") if c.strip()] if stored else list(DEFAULT_CANDIDATES)
        ui = self.ui_language or QLocale.system().name().split("_")[0].lower()
        if not stored and ui and ui not in items and ui in LANGUAGES:
            items.append(ui)
        return list(dict.fromkeys(items))

    @candidate_languages.setter
    def candidate_languages(self, value: list[str] | str) -> None:
        codes = value.split(",") if isinstance(value, str) else list(value)
        self.q.setValue("transcription/candidates", ",".join(c.strip().lower() for c in codes if c.strip()))

    def project_settings(self) -> ProjectSettings:
        return ProjectSettings(model=self.model, language=self.language or None, backend=self.backend)

    # ---- synthesis -------------------------------------------------------------------
    @property
    def voice_backend(self) -> str:
        return self._get("synthesis/voice", VOICE_BACKENDS[0])

    @voice_backend.setter
    def voice_backend(self, value: str) -> None:
        self.q.setValue("synthesis/voice", value)

    @property
    def lipsync_backend(self) -> str:
        return self._get("synthesis/lipsync", "wav2lip")

    @lipsync_backend.setter
    def lipsync_backend(self, value: str) -> None:
        self.q.setValue("synthesis/lipsync", value)

    # ---- interface ---------------------------------------------------------------------
    @property
    def ui_language(self) -> str:
        """"" follows the system; "en" or "de" (takes effect at the next start)."""
        return self._get("ui/language", os.environ.get("LECTURECUT_LANG", ""))

    @ui_language.setter
    def ui_language(self, value: str) -> None:
        self.q.setValue("ui/language", value)

    @property
    def hide_deleted(self) -> bool:
        return self._get("ui/hide_deleted", False, bool)

    @hide_deleted.setter
    def hide_deleted(self, value: bool) -> None:
        self.q.setValue("ui/hide_deleted", bool(value))

    @property
    def geometry(self) -> Any:
        return self.q.value("ui/geometry")

    @geometry.setter
    def geometry(self, value: Any) -> None:
        self.q.setValue("ui/geometry", value)

    @property
    def window_state(self) -> Any:
        return self.q.value("ui/state")

    @window_state.setter
    def window_state(self, value: Any) -> None:
        self.q.setValue("ui/state", value)

    # ---- files ----------------------------------------------------------------------
    @property
    def recent_files(self) -> list[str]:
        return [p for p in self._get("files/recent", [], list) if p]

    def add_recent(self, path: str | os.PathLike[str]) -> None:
        p = str(Path(path).resolve())
        recent = [r for r in self.recent_files if r != p]
        self.q.setValue("files/recent", [p, *recent][:MAX_RECENT])

    def clear_recent(self) -> None:
        self.q.setValue("files/recent", [])

    @property
    def open_projects(self) -> list[str]:
        """Projects open in a running app: left behind after a crash, they are offered for recovery."""
        return [p for p in self._get("files/open", [], list) if p]

    def mark_open(self, path: str | os.PathLike[str] | None, is_open: bool) -> None:
        if path is None:
            return
        p = str(Path(path).resolve())
        current = [r for r in self.open_projects if r != p]
        self.q.setValue("files/open", [*current, p] if is_open else current)
        self.q.sync()

    @property
    def last_dir(self) -> str:
        movies = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.MoviesLocation)
        return self._get("files/last_dir", movies)

    @last_dir.setter
    def last_dir(self, value: str) -> None:
        self.q.setValue("files/last_dir", value)

    def data_dir(self) -> Path:
        """Where projects go when the video's folder is read-only."""
        base = self._get("files/data_dir", "") or QStandardPaths.writableLocation(
            QStandardPaths.StandardLocation.AppDataLocation)
        return Path(base or Path.home() / ".lecturecut") / "projects"
