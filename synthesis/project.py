"""A lecturecut project: source video + transcript + edit list + history, as versioned JSON.

The source video is only ever read. A fingerprint (size and hashes of its
first and last MiB) detects a replaced or modified file without hashing
hours of video; a missing file is reported as moved.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from lecturecut.asr.transcript import Transcript
from lecturecut.core import LecturecutError
from lecturecut.media.probe import MediaInfo

from .edl import Edl
from lecturecut.files import write_text_atomic
from .history import History

FORMAT_NAME = "lecturecut-project"
FORMAT_VERSION = 1
PROJECT_SUFFIX = ".lcproj"
AUTOSAVE_SUFFIX = ".autosave"
FINGERPRINT_CHUNK = 1 << 20  # bytes hashed at each end of the source file


class ProjectError(LecturecutError):
    pass


class SourceChangedError(ProjectError):
    pass


class SourceMissingError(ProjectError):
    pass


@dataclass(frozen=True)
class Fingerprint:
    size: int
    head_tail_sha256: str

    @staticmethod
    def of(path: str | os.PathLike[str]) -> "Fingerprint":
        p = Path(path)
        size = p.stat().st_size
        h = hashlib.sha256()
        with open(p, "rb") as fh:
            h.update(fh.read(FINGERPRINT_CHUNK))
            if size > FINGERPRINT_CHUNK:
                fh.seek(max(FINGERPRINT_CHUNK, size - FINGERPRINT_CHUNK))
                h.update(fh.read(FINGERPRINT_CHUNK))
        h.update(str(size).encode())
        return Fingerprint(size, h.hexdigest())


@dataclass(frozen=True)
class ProjectSettings:
    model: str = "auto"  # whisper model name or path; "auto" = the offline default for the language
    language: str | None = None  # None = detect
    backend: str = "whisper"  # "whisper" | "faster-whisper"
    crossfade_ms: int = 10  # equal-power crossfade at each audio join
    min_pause_ms: int = 40  # shortest pause a cut may sit in before it falls back to the word edge

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)

    @staticmethod
    def from_json(data: dict[str, Any]) -> "ProjectSettings":
        known = {k: v for k, v in data.items() if k in ProjectSettings.__dataclass_fields__}
        return ProjectSettings(**known)


@dataclass(frozen=True)
class Project:
    source: str  # absolute path of the source video (never written to)
    fingerprint: Fingerprint
    media: MediaInfo
    transcript: Transcript
    history: History
    settings: ProjectSettings = field(default_factory=ProjectSettings)
    ui: dict[str, Any] = field(default_factory=dict, compare=False)  # playhead etc.; not part of the edit state

    @staticmethod
    def create(source: str | os.PathLike[str], media: MediaInfo, transcript: Transcript,
               settings: ProjectSettings | None = None) -> "Project":
        src = str(Path(source).resolve())
        return Project(src, Fingerprint.of(src), media, transcript,
                       History.start(Edl(len(transcript.words))), settings or ProjectSettings())

    @property
    def edl(self) -> Edl:
        return self.history.current

    def with_edl(self, edl: Edl, label: str) -> "Project":
        return replace(self, history=self.history.push(edl, label))

    def check_source(self) -> None:
        """Raise if the source video is gone or is no longer the file this project was made from."""
        p = Path(self.source)
        if not p.exists():
            raise SourceMissingError(
                f"The source video '{p}' is missing (moved, renamed or on a disconnected drive). "
                "Put it back, or relink the project to its new location "
                "('lecturecut relink PROJECT NEW_PATH' or File > Relink in the app)."
            )
        if Fingerprint.of(p) != self.fingerprint:
            raise SourceChangedError(
                f"The source video '{p.name}' has changed since this project was made, so the transcript and "
                "edits no longer match it. Restore the original recording, or start a new project from the new file."
            )

    def relinked(self, new_source: str | os.PathLike[str]) -> "Project":
        """The same project pointing at a moved copy of the identical source file."""
        fp = Fingerprint.of(new_source)
        if fp != self.fingerprint:
            raise SourceChangedError(
                f"'{new_source}' is not the same recording as the project's source (its content differs). "
                "Choose the original file."
            )
        src = str(Path(new_source).resolve())
        return replace(self, source=src, media=replace(self.media, path=src))

    def to_json(self) -> dict[str, Any]:
        return {
            "format": FORMAT_NAME,
            "version": FORMAT_VERSION,
            "source": self.source,
            "fingerprint": {"size": self.fingerprint.size, "head_tail_sha256": self.fingerprint.head_tail_sha256},
            "media": self.media.to_json(),
            "settings": self.settings.to_json(),
            "transcript": self.transcript.to_json(),
            "history": self.history.to_json(),
            "ui": self.ui,
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Project":
        if data.get("format") != FORMAT_NAME:
            raise ProjectError("This file is not a lecturecut project. Open a .lcproj file or a video.")
        version = int(data.get("version", 0))
        if version > FORMAT_VERSION:
            raise ProjectError(f"This project was saved by a newer lecturecut (format {version}); update lecturecut.")
        transcript = Transcript.from_json(data["transcript"])
        history = History.from_json(data["history"])
        if history.current.n_words != len(transcript.words):
            raise ProjectError("The project file is inconsistent (edit list and transcript differ in length).")
        return Project(
            source=data["source"],
            fingerprint=Fingerprint(**data["fingerprint"]),
            media=MediaInfo.from_json(data["media"]),
            transcript=transcript,
            history=history,
            settings=ProjectSettings.from_json(data.get("settings", {})),
            ui=dict(data.get("ui", {})),
        )


def check_not_source(project: Project, target: str | os.PathLike[str], what: str) -> None:
    """Refuse to write ``target`` if it is the source video (the source is never written to)."""
    t = Path(target)
    same = Path(project.source).resolve() == t.resolve()
    if not same and t.exists():
        try:
            same = os.path.samefile(project.source, t)
        except OSError:
            same = False
    if same:
        raise ProjectError(
            f"The {what} path is the source video itself; lecturecut never overwrites the original recording. "
            "Choose another file name."
        )


def save_project(project: Project, path: str | os.PathLike[str]) -> None:
    """Write the project atomically (a crash mid-save leaves the previous file intact)."""
    check_not_source(project, path, "project")
    write_text_atomic(path, json.dumps(project.to_json(), ensure_ascii=False, indent=1))


def load_project(path: str | os.PathLike[str]) -> Project:
    p = Path(path)
    if not p.exists():
        raise ProjectError(f"The project '{p}' does not exist. Check the path.")
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ProjectError(
            f"The project '{p.name}' is damaged and cannot be read ({exc}). "
            f"If '{p.name}{AUTOSAVE_SUFFIX}' exists next to it, open that instead."
        ) from exc
    return Project.from_json(data)


def autosave_path(project_path: str | os.PathLike[str]) -> Path:
    return Path(str(project_path) + AUTOSAVE_SUFFIX)
