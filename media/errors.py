"""Errors and cancellation shared by the whole engine.

Every engine error says what happened *and what to do*, in one sentence a
lecturer can act on; front ends show ``str(error)`` as is.
"""

from __future__ import annotations

import threading


class LecturecutError(Exception):
    """Base of every error the engine raises on purpose."""


class MediaError(LecturecutError):
    """A media file cannot be used as asked (missing, corrupt, no audio, ...)."""


class FFmpegError(MediaError):
    """ffmpeg or ffprobe failed; carries the pasteable command line and stderr."""

    def __init__(self, message: str, cmdline: str = "", stderr: str = "") -> None:
        super().__init__(message)
        self.cmdline = cmdline
        self.stderr = stderr

    def details(self) -> str:
        tail = "\n".join(self.stderr.strip().splitlines()[-15:])
        return f"{self}\ncommand: {self.cmdline}\nffmpeg said:\n{tail}"


class Cancelled(LecturecutError):
    """The user cancelled a long job; nothing was left half-written."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


class CancelToken:
    """Thread-safe cancellation flag handed to every long engine function."""

    def __init__(self) -> None:
        self._event = threading.Event()

    def cancel(self) -> None:
        self._event.set()

    def is_set(self) -> bool:
        return self._event.is_set()

    def raise_if_cancelled(self) -> None:
        if self._event.is_set():
            raise Cancelled()


def check_cancel(cancel: object | None) -> None:
    """Raise Cancelled if ``cancel`` (anything with ``is_set()``) is set."""
    if cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
        raise Cancelled()
