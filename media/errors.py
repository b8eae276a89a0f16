"""The media package's own errors (the shared ones live in :mod:`lecturecut.core`)."""

from __future__ import annotations

from lecturecut.core import LecturecutError


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
