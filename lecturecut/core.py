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
