"""Files the engine writes: atomically, with ordinary permissions, and never left behind.

The one home for "write a file atomically" and "a temporary folder for a job".
Stdlib only, like :mod:`lecturecut.core`, so every package can use it.

- A half-written file never replaces a good one: writers get a temporary path
  beside the target, which is renamed over it only when complete.
- The result gets the permissions of the file it replaces, or the umask's for
  a new file (``mkstemp`` alone makes 0600 files that others cannot read).
- Every temporary name carries the writing process's id. A process that is
  killed (SIGKILL, power loss) cannot clean up after itself, so the next
  lecturecut run that writes into the same folder sweeps temporaries whose
  process is gone (:func:`sweep_stale`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import secrets
import shutil
import stat
import time
from pathlib import Path
from typing import Iterator

from lecturecut.core import LecturecutError

TEMP_TAG = "lecturecut"  # every temporary name contains ".lecturecut-<pid>-" (files) or is ".lecturecut-<kind>-<pid>-" (folders)
_TEMP_PATTERN = re.compile(r"^\..*\.lecturecut-(\d+)-[0-9a-f]{8}\.part|^\.lecturecut-[a-z]+-(\d+)-[0-9a-f]{8}$")
STALE_AFTER_S = 60.0  # a temporary of a dead process younger than this is left alone (pid reuse, clock skew)


class WriteError(LecturecutError):
    """A file could not be written (full disk, read-only or missing folder); nothing was overwritten."""


def disk_error_message(exc: OSError, target: Path) -> str:
    """One line for a failed write that says what to do."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return (f"The disk holding '{target.parent}' is full, so '{target.name}' could not be written. "
                "Free some space (or choose another folder) and try again; nothing was overwritten.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"'{target.parent}' is not writable, so '{target.name}' could not be written. "
                "Choose a folder you can write to.")
    if exc.errno == errno.ENOENT:
        return f"The folder '{target.parent}' does not exist, so '{target.name}' could not be written."
    return f"Could not write '{target}': {exc.strerror or exc}. Nothing was overwritten."


def _umask() -> int:
    mask = os.umask(0)  # the only portable way to read it; set straight back
    os.umask(mask)
    return mask


def mode_for(target: Path) -> int:
    """The permission bits a new version of ``target`` should get: those of the file it
    replaces, else an ordinary new file's (0666 less the umask)."""
    try:
        return stat.S_IMODE(target.stat().st_mode)
    except OSError:
        return 0o666 & ~_umask()


def temp_name(target: Path, suffix: str = "") -> Path:
    """A hidden, unique temporary name beside ``target`` that names this process."""
    return target.with_name(f".{target.stem}.{TEMP_TAG}-{os.getpid()}-{secrets.token_hex(4)}"
                            f".part{suffix or target.suffix}")


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success.

    The writer may create the file (ffmpeg does) or write into the empty one made
    here. On any exception (cancellation, a full disk, a crash in the writer) the
    temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    tmp = temp_name(target, suffix)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(target.parent)
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        os.close(fd)
    except OSError as exc:
        raise WriteError(disk_error_message(exc, target)) from exc
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.chmod(tmp, mode_for(target))
        os.replace(tmp, target)
        _fsync_dir(target.parent)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise WriteError(disk_error_message(exc, target)) from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomic(target: str | os.PathLike[str], text: str) -> None:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes_atomic(target: str | os.PathLike[str], data: bytes) -> None:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)


@contextlib.contextmanager
def work_dir(parent: str | os.PathLike[str], kind: str) -> Iterator[Path]:
    """A private temporary folder ``.lecturecut-<kind>-<pid>-<random>`` in ``parent``
    (beside the output, so the final rename stays on one file system), removed on exit."""
    parent = Path(parent)
    if not re.fullmatch(r"[a-z]+", kind):
        raise ValueError(f"work_dir kind must be lowercase letters, not {kind!r}")
    path = parent / f".{TEMP_TAG}-{kind}-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        parent.mkdir(parents=True, exist_ok=True)
        sweep_stale(parent)
        path.mkdir(mode=0o700)
    except OSError as exc:
        raise WriteError(disk_error_message(exc, path)) from exc
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def sweep_stale(folder: str | os.PathLike[str], now: float | None = None) -> list[Path]:
    """Remove lecturecut temporaries in ``folder`` whose process no longer runs; return them.

    Only names this module makes are touched, only when their process is gone and
    they are older than :data:`STALE_AFTER_S`. Never raises: sweeping is a courtesy.
    """
    removed: list[Path] = []
    now = time.time() if now is None else now
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_PATTERN.match(entry.name)
        if not m:
            continue
        pid = int(m.group(1) or m.group(2))
        try:
            if _alive(pid) or now - entry.stat(follow_symlinks=False).st_mtime < STALE_AFTER_S:
                continue
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
            removed.append(Path(entry.path))
        except OSError:
            continue
    return removed


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
