"""Atomic file writing: a half-written file never replaces a good one."""

from __future__ import annotations

import contextlib
import errno
import os
import tempfile
from pathlib import Path
from typing import Iterator

from lecturecut.core import LecturecutError


class WriteError(LecturecutError):
    """A file could not be written (full disk, read-only or missing folder); nothing was overwritten."""


def disk_error_message(exc: OSError, target: Path) -> str:
    if exc.errno == errno.ENOSPC:
        return (f"The disk holding '{target.parent}' is full, so '{target.name}' could not be written. "
                "Free some space (or choose another folder) and try again; nothing was overwritten.")
    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        return (f"'{target.parent}' is not writable, so '{target.name}' could not be written. "
                "Choose a folder you can write to.")
    return f"Could not write '{target}': {exc.strerror or exc}. Nothing was overwritten."


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike[str], suffix: str = "") -> Iterator[Path]:
    """Yield a temporary path next to ``target``; rename it over ``target`` on success.

    On any exception (cancellation, a full disk, a crash in the writer) the
    temporary file is removed and ``target`` is left as it was.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.stem}.", suffix=f".part{suffix or target.suffix}",
                                        dir=target.parent)
    except OSError as exc:
        raise WriteError(disk_error_message(exc, target)) from exc
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
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


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
