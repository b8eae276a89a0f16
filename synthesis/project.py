"""A lecturecut project: source video + transcript + edit list + history, as versioned JSON.

The source video is only ever read. A fingerprint (size and hashes of its
first and last MiB) detects a replaced or modified file without hashing
hours of video; a missing file is reported as moved.

A loaded file is checked against :mod:`.project_schema` once, here; a bad one
gives a :class:`ProjectError` of one line naming the field. Writers of one
project file take :func:`project_lock` around read-modify-write, so two
``lecturecut edit`` runs (or the app and a script) never lose each other's
edits; a session that keeps a project open notices a change on disk by its
:class:`DiskStamp` (see ``EditSession.changed_on_disk``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import socket
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from lecturecut.asr.transcript import Transcript
from lecturecut.core import LecturecutError
from lecturecut.files import LOCK_TIMEOUT_S, LockTimeout, file_lock, write_text_atomic
from lecturecut.media.probe import MediaInfo

from . import project_schema as schema
from .edl import Edl
from .history import History

FORMAT_NAME = "lecturecut-project"
FORMAT_VERSION = 2  # 2: history stored as differences (1: every state in full; still read)
MAX_PROJECT_BYTES = 128 << 20  # a 100-hour transcript is far smaller; a bigger file is not a project
PROJECT_SUFFIX = ".lcproj"
AUTOSAVE_SUFFIX = ".autosave"
FINGERPRINT_CHUNK = 1 << 20  # bytes hashed at each end of the source file


class ProjectError(LecturecutError):
    pass


class SourceChangedError(ProjectError):
    pass


class ProjectLocked(ProjectError, LockTimeout):
    """Another process kept the project locked for longer than we wait (the message names it)."""


class ProjectChangedOnDisk(ProjectError):
    """The project file was changed by someone else since this session loaded or saved it."""


@dataclass(frozen=True)
class DiskStamp:
    """What identifies one version of a file on disk. Every save renames a new file into
    place, so the inode alone changes with each save; mtime and size catch in-place writes."""

    device: int
    inode: int
    mtime_ns: int
    size: int

    @staticmethod
    def of(path: str | os.PathLike[str]) -> "DiskStamp | None":
        """The file's stamp, or None when there is no file."""
        try:
            st = os.stat(path)
        except FileNotFoundError:
            return None
        return DiskStamp(st.st_dev, st.st_ino, st.st_mtime_ns, st.st_size)


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
    def from_json(data: Any, name: str = "project") -> "Project":
        """Check ``data`` against the schema and build the project; ProjectError names the bad field."""
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ProjectError(f"'{name}' is not a lecturecut project. Open a .lcproj file or a video.")
        version = data.get("version")
        if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
            raise ProjectError(f"This project was saved by a newer lecturecut (format {version}); update lecturecut.")
        try:
            return _project_from(schema.validate(schema.ProjectModel, data))
        except schema.Invalid as exc:
            raise ProjectError(f"{name}: {exc}") from None


def _project_from(m: schema.ProjectModel) -> Project:
    """The project from a shape-checked file, checking what depends on more than one field."""
    words = m.transcript.words
    for k, w in enumerate(words):
        if w.end < w.start:
            raise schema.Invalid(f"transcript.words[{k}].end", f"{w.end} s is before the word's start ({w.start} s)")
    transcript = Transcript.from_json(m.transcript.model_dump())
    try:
        history = History.from_json(m.history, transcript_chars=sum(len(w.text) + 1 for w in words),
                                    n_words=len(words))
    except schema.Invalid as exc:
        raise schema.Invalid(f"history.{exc.where}" if exc.where else "history", exc.what) from None
    return Project(
        source=m.source,
        fingerprint=Fingerprint(m.fingerprint.size, m.fingerprint.head_tail_sha256),
        media=MediaInfo.from_json(m.media.model_dump()),
        transcript=transcript,
        history=history,
        settings=ProjectSettings(**m.settings.model_dump()),
        ui=dict(m.ui),
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


@contextlib.contextmanager
def project_lock(path: str | os.PathLike[str], timeout_s: float = LOCK_TIMEOUT_S) -> Iterator[Path]:
    """Hold the project's OS lock (the hidden ``.NAME.lock`` beside it) for a read-modify-write.

    Re-entrant in one thread; waits up to ``timeout_s`` for another holder, then
    raises :class:`ProjectLocked` naming it. The OS drops the lock of a process
    that dies, so there are no stale locks to clean up.
    """
    with file_lock(path, timeout_s, error=ProjectLocked) as lock:
        yield lock


def save_project(project: Project, path: str | os.PathLike[str], *, autosave: bool = False) -> None:
    """Write the project atomically (a crash mid-save leaves the previous file intact).

    ``autosave=True`` records this process as the file's owner (see :func:`autosave_owner`).
    """
    check_not_source(project, path, "project")
    data = project.to_json()
    if autosave:
        data["autosave_owner"] = {"pid": os.getpid(), "host": socket.gethostname()}
    # Compact: json's C encoder only runs without indent, and is ~10x faster than the pure-Python
    # one. A one-hour lecture's project (10,000 words with phones) is saved on the GUI thread.
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":")) + "\n"
    with project_lock(path):
        write_text_atomic(path, text)


def load_project(path: str | os.PathLike[str]) -> Project:
    return Project.from_json(_read_json(Path(path)), Path(path).name)


def _read_json(p: Path) -> Any:
    if not p.exists():
        raise ProjectError(f"The project '{p}' does not exist. Check the path.")
    damaged = (f"If '{p.name}{AUTOSAVE_SUFFIX}' exists next to it, open that instead.")
    try:
        size = p.stat().st_size
        if size > MAX_PROJECT_BYTES:
            raise ProjectError(f"'{p.name}' is {size / 1e6:.0f} MB, too large to be a lecturecut project "
                               f"(at most {MAX_PROJECT_BYTES >> 20} MiB). {damaged}")
        return json.loads(p.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        reason = "nested too deeply" if isinstance(exc, RecursionError) else str(exc)
        raise ProjectError(f"The project '{p.name}' is damaged and cannot be read ({reason}). {damaged}") from None
    except IsADirectoryError:
        raise ProjectError(f"'{p}' is a folder, not a project file.") from None


def autosave_path(project_path: str | os.PathLike[str]) -> Path:
    return Path(str(project_path) + AUTOSAVE_SUFFIX)


@dataclass(frozen=True)
class AutosaveOwner:
    pid: int
    host: str

    @property
    def is_me(self) -> bool:
        return self.pid == os.getpid() and self.host == socket.gethostname()

    @property
    def alive(self) -> bool:
        """Whether the owner still runs (another host's process is assumed to)."""
        if self.is_me:
            return True
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


def autosave_owner(path: str | os.PathLike[str]) -> AutosaveOwner | None:
    """Who wrote the autosave file ``path``; None if unknown (an old autosave, or unreadable)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        owner = data.get("autosave_owner") if isinstance(data, dict) else None
        pid, host = owner["pid"], owner.get("host", "")
        if isinstance(pid, int) and isinstance(host, str):
            return AutosaveOwner(pid, host)
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        pass
    return None
