"""The one place that starts ffmpeg and ffprobe.

Commands are argument lists (never a shell), logged in a form that can be
pasted into a shell, and their failures raise FFmpegError carrying the
command line and ffmpeg's stderr. Long commands report progress parsed from
``-progress pipe:1 -nostats`` and are cancelled by terminating the process.
"""

from __future__ import annotations

import collections
import logging
import os
import shlex
import shutil
import subprocess
import threading
from dataclasses import dataclass
from typing import Callable, Iterable, Sequence

from lecturecut.core import Cancelled, ProgressFn

from .errors import FFmpegError, MediaError

log = logging.getLogger(__name__)

POLL_INTERVAL_S = 0.05  # how often a running command checks its cancel token


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise MediaError(
            f"{name} was not found. Install ffmpeg (Debian/Ubuntu: 'sudo apt-get install ffmpeg', "
            "macOS: 'brew install ffmpeg') and try again."
        )
    return path


def ffmpeg_path() -> str:
    return _tool("ffmpeg")


def ffprobe_path() -> str:
    return _tool("ffprobe")


def media_arg(path: str | os.PathLike[str]) -> str:
    """How a file is named to ffmpeg and ffprobe: absolute, behind the ``file:`` protocol.

    A relative name is read by ffmpeg as a URL or an option first: ``week3:intro.mp4``
    is protocol "week3", ``-i.mp4`` an option. An absolute ``file:`` path is only a file.
    """
    return "file:" + os.path.abspath(os.fspath(path))


def cmdline(args: Sequence[str]) -> str:
    """A pasteable shell form of an argument list (for logs and errors)."""
    return shlex.join(str(a) for a in args)


@dataclass(frozen=True)
class FFmpegProgress:
    """One ``-progress`` block: where ffmpeg is in the output timeline."""

    out_time_us: int | None  # microseconds of output written
    frame: int | None
    speed: float | None  # x realtime
    done: bool  # progress=end


def parse_progress_block(lines: Iterable[str]) -> FFmpegProgress:
    """Parse the key=value lines of one ``-progress`` block (pure; tested on captured output)."""
    values: dict[str, str] = {}
    for line in lines:
        key, sep, value = line.strip().partition("=")
        if sep:
            values[key.strip()] = value.strip()

    def as_int(key: str) -> int | None:
        try:
            return int(values[key])
        except (KeyError, ValueError):
            return None

    speed_text = values.get("speed", "").rstrip("x")
    try:
        speed = float(speed_text)
    except ValueError:
        speed = None
    # out_time_us is the precise field; out_time_ms is (despite its name) also microseconds.
    out_us = as_int("out_time_us")
    if out_us is None:
        out_us = as_int("out_time_ms")
    if out_us is not None and out_us < 0:
        out_us = None
    return FFmpegProgress(out_us, as_int("frame"), speed, values.get("progress") == "end")


def _drain(stream, sink: list[bytes]) -> None:
    for chunk in iter(lambda: stream.read(65536), b""):
        sink.append(chunk)


DISK_FULL_MARKERS = ("No space left on device", "Disk quota exceeded")
# ffmpeg 5.1 reports a failed final write this way yet exits 0: a "successful" run with one of
# these in its log did not produce a complete file.
WRITE_FAILURE_MARKERS = (*DISK_FULL_MARKERS, "Error writing trailer", "Error closing file")


def _raise_failure(args: Sequence[str], returncode: int, stderr: str, what: str) -> None:
    if any(marker in stderr for marker in DISK_FULL_MARKERS):
        raise FFmpegError(f"{what} failed: the disk is full. Free some space or choose a folder on another "
                          "disk, then try again; nothing was overwritten.", cmdline(args), stderr)
    last = next((ln for ln in reversed(stderr.strip().splitlines()) if ln.strip()), "")
    raise FFmpegError(f"{what} failed (exit {returncode}): {last}", cmdline(args), stderr)


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration_s: float | None = None,
    progress: ProgressFn | None = None,
    cancel: object | None = None,
    message: str = "ffmpeg",
    what: str = "ffmpeg",
) -> str:
    """Run ffmpeg with ``args`` (without the program name), reporting progress; returns its log (stderr).

    ``duration_s`` is the expected output duration, used to turn ffmpeg's
    output time into a fraction. Raises Cancelled if ``cancel.is_set()``
    becomes true (the process is terminated; the caller removes its temp files).
    """
    full = [ffmpeg_path(), "-hide_banner", "-nostdin", "-y", "-progress", "pipe:1", "-nostats", *map(str, args)]
    log.info("run: %s", cmdline(full))
    proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    err_chunks: list[bytes] = []
    err_thread = threading.Thread(target=_drain, args=(proc.stderr, err_chunks), daemon=True)
    err_thread.start()

    cancelled = threading.Event()

    def watch_cancel() -> None:
        while proc.poll() is None:
            if cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
                cancelled.set()
                proc.terminate()
                try:
                    proc.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                return
            threading.Event().wait(POLL_INTERVAL_S)

    watcher = threading.Thread(target=watch_cancel, daemon=True)
    watcher.start()

    block: list[str] = []
    assert proc.stdout is not None
    for raw in proc.stdout:
        line = raw.decode("utf-8", "replace").strip()
        block.append(line)
        if line.startswith("progress="):
            state = parse_progress_block(block)
            block = []
            if progress is not None:
                frac = None
                if duration_s and state.out_time_us is not None:
                    frac = min(1.0, state.out_time_us / 1e6 / duration_s)
                progress(1.0 if state.done else frac, message)
    proc.wait()
    watcher.join()
    err_thread.join()
    # A terminal's Ctrl-C reaches ffmpeg too and may kill it before the watcher
    # does: a set token means "cancelled", whichever of the two stopped it.
    if cancelled.is_set() or (cancel is not None and cancel.is_set()):  # type: ignore[attr-defined]
        raise Cancelled(f"{what} cancelled")
    stderr = b"".join(err_chunks).decode("utf-8", "replace")
    if proc.returncode != 0 or any(marker in stderr for marker in WRITE_FAILURE_MARKERS):
        _raise_failure(full, proc.returncode or 1, stderr, what)
    return stderr


def run_capture(program: str, args: Sequence[str], *, what: str, cancel: object | None = None) -> bytes:
    """Run ffmpeg or ffprobe and return its stdout (small outputs: JSON, raw audio)."""
    exe = ffprobe_path() if program == "ffprobe" else ffmpeg_path()
    full = [exe, "-hide_banner", *map(str, args)]
    if program == "ffmpeg":
        full.insert(2, "-nostdin")
    log.info("run: %s", cmdline(full))
    proc = subprocess.Popen(full, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_chunks: list[bytes] = []
    err_chunks: list[bytes] = []
    threads = [
        threading.Thread(target=_drain, args=(proc.stdout, out_chunks), daemon=True),
        threading.Thread(target=_drain, args=(proc.stderr, err_chunks), daemon=True),
    ]
    for t in threads:
        t.start()
    while proc.poll() is None:
        if cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
            proc.kill()
            proc.wait()
            raise Cancelled(f"{what} cancelled")
        threading.Event().wait(POLL_INTERVAL_S)
    for t in threads:
        t.join()
    if cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
        raise Cancelled(f"{what} cancelled")
    if proc.returncode != 0:
        _raise_failure(full, proc.returncode, b"".join(err_chunks).decode("utf-8", "replace"), what)
    return b"".join(out_chunks)



STDERR_TAIL_LINES = 200  # stderr lines a streaming command keeps for its error message


class FFmpegPipe:
    """A running ffmpeg whose stdin (frames in) or stdout (frames/samples out) is a pipe.

    The streaming counterpart of :func:`run_ffmpeg`: the same pasteable log line, the
    same cancel-token protocol (``check_cancel`` between reads/writes), stderr drained on
    a thread (its tail kept for the error; each line handed to ``on_stderr_line`` when
    given, e.g. to read ``showinfo`` timestamps), and the same failed-final-write check.
    Use as a context manager: leaving it on an exception kills the process.
    """

    def __init__(self, args: Sequence[str], *, what: str, write: bool = False, read: bool = False,
                 on_stderr_line: Callable[[str], None] | None = None, cancel: object | None = None,
                 loglevel: str = "error") -> None:
        # "-nostdin" stops ffmpeg reading keys from a terminal, but not when stdin is our pipe
        self.args = [ffmpeg_path(), "-hide_banner", *([] if write else ["-nostdin"]), "-v", loglevel,
                     *map(str, args)]
        self._finished = False
        self.what = what
        self.cancel = cancel
        self._on_line = on_stderr_line
        self._tail: collections.deque[str] = collections.deque(maxlen=STDERR_TAIL_LINES)
        log.info("run: %s", cmdline(self.args))
        self.proc = subprocess.Popen(self.args, stdin=subprocess.PIPE if write else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE if read else subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self._err_thread = threading.Thread(target=self._drain_lines, daemon=True)
        self._err_thread.start()

    def _drain_lines(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            if self._on_line is not None:
                self._on_line(line)
            self._tail.append(line)

    @property
    def stderr(self) -> str:
        return "\n".join(self._tail)

    def read(self, n: int) -> bytes:
        """Up to ``n`` bytes of stdout; fewer only at the end of the stream."""
        self._check_cancel()
        assert self.proc.stdout is not None
        chunks, got = [], 0
        while got < n:
            chunk = self.proc.stdout.read(n - got)
            if not chunk:
                break
            chunks.append(chunk)
            got += len(chunk)
        return b"".join(chunks)

    def write(self, data: bytes) -> None:
        self._check_cancel()
        assert self.proc.stdin is not None
        try:
            self.proc.stdin.write(data)
        except BrokenPipeError:  # the process died; its stderr says why
            self.proc.wait()
            self._err_thread.join()
            _raise_failure(self.args, self.proc.returncode or 1, self.stderr, self.what)

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():  # type: ignore[attr-defined]
            raise Cancelled(f"{self.what} cancelled")

    def finish(self) -> None:
        """Close stdin, wait, and raise FFmpegError if ffmpeg failed or could not finish its file."""
        if self.proc.stdin is not None:
            try:
                self.proc.stdin.close()
            except BrokenPipeError:
                pass
        if self.proc.stdout is not None:
            self.proc.stdout.close()  # a reader that stopped early: ffmpeg gets EPIPE and ends
        self.proc.wait()
        self._err_thread.join()
        self._finished = True
        stderr = self.stderr
        if self.proc.returncode != 0 or any(marker in stderr for marker in WRITE_FAILURE_MARKERS):
            _raise_failure(self.args, self.proc.returncode or 1, stderr, self.what)

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
        for stream in (self.proc.stdin, self.proc.stdout):
            if stream is not None:
                try:
                    stream.close()
                except BrokenPipeError:
                    pass
        self.proc.wait()
        self._err_thread.join()

    def __enter__(self) -> "FFmpegPipe":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self._finished:
            self.kill()  # an error, or a reader that left early: stop ffmpeg, report nothing more
