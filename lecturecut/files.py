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
- Read-modify-write of a shared file is serialised by :func:`file_lock`, an OS
  lock (``flock``) on a hidden sidecar file: the OS drops it when its process
  dies, so a crash can never leave a stale lock behind.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import random
import re
import secrets
import shutil
import socket
import stat
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

from lecturecut.core import LecturecutError

# every temporary name contains ".lecturecut-<pid>-" (files) or is ".lecturecut-<kind>-<pid>-" (folders)
TEMP_TAG = "lecturecut"
_TEMP_PATTERN = re.compile(r"^\..*\.lecturecut-(\d+)-[0-9a-f]{8}\.part|^\.lecturecut-[a-z]+-(\d+)-[0-9a-f]{8}$")
STALE_AFTER_S = 60.0  # a temporary of a dead process younger than this is left alone (pid reuse, clock skew)


class WriteError(LecturecutError):
    """A file could not be written (full disk, read-only or missing folder); nothing was overwritten."""


class LockTimeout(LecturecutError):
    """Another process held a file's lock for longer than we were prepared to wait."""


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
        _remove_tree(path)


def _remove_tree(path: Path, attempts: int = 20, pause_s: float = 0.05) -> None:
    """Remove ``path`` and everything in it, trying again for about a second.

    A cancelled job's child process (ffmpeg killed a moment ago) or a thread still
    closing a file can put an entry in the folder while it is being removed, and a
    single ``rmtree`` then leaves the folder behind ("a cancelled job leaves nothing").
    """
    for _ in range(attempts):
        shutil.rmtree(path, ignore_errors=True)
        if not path.exists():
            return
        time.sleep(pause_s)


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


# ---------------------------------------------------------------- locking
LOCK_TIMEOUT_S = 30.0  # how long a writer waits for another one before giving up with a message
_LOCK_POLL_S = (0.005, 0.03)  # random pause between tries: waiters do not retry in lockstep
_HOLDER_CHARS = 300  # the holder description written into the lock file is cut to this


def lock_path(target: str | os.PathLike[str]) -> Path:
    """The hidden sidecar ``.NAME.lock`` beside ``target`` that :func:`file_lock` locks.

    Not ``target`` itself: atomic writes rename a new file over it, and a lock on
    the replaced inode would protect nothing.
    """
    t = Path(target)
    return t.with_name(f".{t.name}.lock")


class _Held:
    """This process's hold on one lock file: the fd and a thread lock for re-entry."""

    def __init__(self) -> None:
        self.thread_lock = threading.RLock()  # same thread may re-enter; other threads wait here
        self.fd: int | None = None
        self.depth = 0


_held: dict[str, _Held] = {}
_held_guard = threading.Lock()


def lock_holder(target: str | os.PathLike[str]) -> dict | None:
    """Who holds ``target``'s lock, as its holder wrote it ({"pid", "host", "command", "since"}), or None."""
    try:
        data = json.loads(lock_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _describe_holder(target: Path) -> str:
    info = lock_holder(target)
    if not info:
        return "another program"
    since = info.get("since")
    held = f", for {time.time() - since:.0f} s" if isinstance(since, (int, float)) else ""
    return f"pid {info.get('pid')} on {info.get('host')} ('{info.get('command', '?')}'{held})"


@contextlib.contextmanager
def file_lock(target: str | os.PathLike[str], timeout_s: float = LOCK_TIMEOUT_S,
              error: type[LockTimeout] = LockTimeout) -> Iterator[Path]:
    """Hold an exclusive OS lock for ``target`` (a file that may not exist yet) while the block runs.

    Every process (and thread) that writes ``target`` through this waits for the
    others, at most ``timeout_s`` seconds, then raises ``error`` with one line that
    names the holder. Re-entrant within one thread. The sidecar is removed on
    release; a waiter that locked a removed sidecar notices (its inode is no longer
    the one at the path) and tries again, so removal never lets two writers in.
    POSIX only (``fcntl.flock``).
    """
    import fcntl  # here, not at the top: the rest of this module works on any OS

    target = Path(target)
    lock = lock_path(target).absolute()
    with _held_guard:
        held = _held.setdefault(str(lock), _Held())
    deadline = time.monotonic() + timeout_s
    if not held.thread_lock.acquire(timeout=max(timeout_s, 0.0)):
        raise error(_timeout_message(target, timeout_s))
    try:
        if held.depth == 0:
            held.fd = _acquire(fcntl, lock, target, deadline, timeout_s, error)
        held.depth += 1
        try:
            yield lock
        finally:
            held.depth -= 1
            if held.depth == 0 and held.fd is not None:
                with contextlib.suppress(OSError):
                    os.unlink(lock)  # before unlocking: see the docstring
                os.close(held.fd)  # closing the last descriptor releases the flock
                held.fd = None
    finally:
        held.thread_lock.release()


def _timeout_message(target: Path, timeout_s: float) -> str:
    return (f"'{target.name}' is being changed by {_describe_holder(target)}; "
            f"waited {timeout_s:.0f} s. Try again when it has finished.")


def _acquire(fcntl, lock: Path, target: Path, deadline: float, timeout_s: float,
             error: type[LockTimeout]) -> int:
    fd = -1
    try:
        while True:
            if fd < 0:
                try:
                    lock.parent.mkdir(parents=True, exist_ok=True)
                    fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o666)  # the umask applies, as to any new file
                except OSError as exc:
                    raise WriteError(disk_error_message(exc, target)) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise error(_timeout_message(target, timeout_s)) from None
                time.sleep(random.uniform(*_LOCK_POLL_S))
                continue
            try:
                mine, there = os.fstat(fd), os.stat(lock)
                same = (mine.st_dev, mine.st_ino) == (there.st_dev, there.st_ino)
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)  # the previous holder removed this sidecar while we waited: lock the new one
            fd = -1
    except BaseException:
        if fd >= 0:
            os.close(fd)
        raise
    holder = {"pid": os.getpid(), "host": socket.gethostname(),
              "command": " ".join(["lecturecut", *sys.argv[1:]])[:_HOLDER_CHARS], "since": time.time()}
    with contextlib.suppress(OSError):  # naming the holder is a courtesy; the lock is what counts
        os.ftruncate(fd, 0)
        os.write(fd, json.dumps(holder).encode())
    return fd
