"""The engine core: errors, cancellation and progress, shared by every package.

Dependency-free on purpose (stdlib only): ``media``, ``asr``, ``models`` and
``synthesis`` all import it, and it imports none of them. One ``Cancelled``,
one cancel-token protocol and one progress-callback shape: two of each once
caused a Ctrl-C that exited 1 and a progress bar fed byte counts.

Every engine error says what happened *and what to do*, in one sentence a
lecturer can act on; front ends show ``str(error)`` as is.
"""

from __future__ import annotations

import threading
from typing import Callable, Optional, Protocol, runtime_checkable


class LecturecutError(Exception):
    """Base of every error the engine raises on purpose."""


class Cancelled(LecturecutError):
    """The user cancelled a long job; nothing was left half-written."""

    def __init__(self, message: str = "cancelled") -> None:
        super().__init__(message)


@runtime_checkable
class CancelLike(Protocol):
    """What every long engine function accepts as ``cancel``: anything with ``is_set()``
    (a :class:`CancelToken`, a ``threading.Event``)."""

    def is_set(self) -> bool: ...


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


def check_cancel(cancel: CancelLike | None, message: str = "cancelled") -> None:
    """Raise Cancelled if ``cancel`` is set."""
    if cancel is not None and cancel.is_set():
        raise Cancelled(message)


# ``progress(fraction, message)``: fraction in [0, 1], or None when unknown.
# Engine functions call it; the CLI draws a bar, the GUI a QProgressBar.
# Byte counts are never passed as the fraction: see :func:`bytes_progress`.
ProgressFn = Callable[[Optional[float], str], None]


def no_progress(fraction: Optional[float], message: str) -> None:
    """Ignore progress."""


def scaled(progress: ProgressFn | None, lo: float, hi: float) -> ProgressFn:
    """Map a sub-job's [0, 1] onto [lo, hi] of the parent's progress."""
    parent = progress or no_progress

    def report(fraction: Optional[float], message: str) -> None:
        parent(None if fraction is None else lo + (hi - lo) * min(max(fraction, 0.0), 1.0), message)

    return report


def bytes_progress(progress: ProgressFn | None, what: str) -> Callable[[int, Optional[int]], None]:
    """Adapt a byte counter ``(done, total or None)`` to a :data:`ProgressFn`: the fraction
    done (None while the total is unknown) and a message with the megabytes so far."""
    parent = progress or no_progress

    def report(done: int, total: Optional[int]) -> None:
        fraction = min(done / total, 1.0) if total else None
        parent(fraction, f"{what}: {done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else ""))

    return report


class Background:
    """``work(stop, note)`` on a thread of its own, for work that overlaps other work (an export
    encodes its audio, one core, while its video renders on the others).

    ``stop`` is the cancel token the work must honour: set when the caller's ``cancel`` is, or when
    the caller leaves the ``with`` block on an exception (a failed or cancelled render), which then
    waits for the work to end, so nothing it writes is still open when the caller's temporary files
    are removed. ``note(fraction)`` records the work's progress, which :meth:`wait` reports on the
    caller's thread (the work never calls the caller's progress itself). :meth:`wait` returns what
    ``work`` returned and raises what it raised.
    """

    def __init__(self, work: Callable[["Background", Callable[[Optional[float]], None]], object],
                 cancel: CancelLike | None = None, *, message: str) -> None:
        self._work = work
        self._cancel = cancel
        self._stop = threading.Event()
        self._result: object = None
        self._error: BaseException | None = None
        self._fraction: Optional[float] = None
        self.message = message
        self._thread = threading.Thread(target=self._run, name="lecturecut-background", daemon=True)

    def is_set(self) -> bool:  # ``stop``: the work's cancel token
        return self._stop.is_set() or (self._cancel is not None and self._cancel.is_set())

    def _note(self, fraction: Optional[float]) -> None:
        self._fraction = fraction

    def _run(self) -> None:
        try:
            self._result = self._work(self, self._note)
        except BaseException as exc:  # handed to the caller by wait()
            self._error = exc

    def __enter__(self) -> "Background":
        self._thread.start()
        return self

    def wait(self, progress: ProgressFn | None = None) -> object:
        """Wait for the work (its progress goes to ``progress``) and return its result."""
        while self._thread.is_alive():
            if progress is not None:
                progress(self._fraction, self.message)
            self._thread.join(0.2)
        if self._error is not None:
            raise self._error
        check_cancel(self._cancel, f"{self.message} cancelled")
        return self._result

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            self._stop.set()
            self._thread.join()
            return
        self.wait()
