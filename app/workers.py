"""Background jobs: a plain engine function run on a thread pool, reported on the GUI thread.

An engine function takes ``progress(fraction|None, message)`` and ``cancel``
(a ``media.CancelToken``) and knows nothing about Qt. ``Job`` runs it on a
``QThreadPool`` and re-emits what happens as Qt signals. The ``Job`` object
lives on the GUI thread, so every signal emitted from the worker thread is
queued and its slots run on the GUI thread: widgets are only ever touched
there (Anki's ``CollectionOp``, napari's ``progress``).
"""

from __future__ import annotations

import threading
import time
import traceback
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, QRunnable, Qt, QThreadPool, Signal

from lecturecut.core import Cancelled, CancelToken, ProgressFn

PROGRESS_INTERVAL_S = 0.05  # at most 20 progress signals a second: the event loop stays responsive
ETA_MIN_FRACTION = 0.03  # below this the time-left estimate is noise
ETA_MIN_ELAPSED_S = 1.5

EngineFn = Callable[[ProgressFn, CancelToken], Any]


def format_duration(seconds: float) -> str:
    """12.3 -> '0:12', 3725 -> '1:02:05' (for time-left estimates and positions)."""
    s = max(0, int(seconds))  # floor: a clock shows 0:00 until a full second has passed
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}"


def format_tenths(ms: int) -> str:
    """12345 ms -> '0:12.3' (edit times, where a second is too coarse to tell two cuts apart)."""
    ms = max(0, int(ms))
    return f"{format_duration(ms / 1000)}.{ms % 1000 // 100}"


def estimate_left_s(fraction: float | None, elapsed_s: float) -> float | None:
    """Seconds left by linear extrapolation; None while the estimate would be noise."""
    if fraction is None or fraction < ETA_MIN_FRACTION or elapsed_s < ETA_MIN_ELAPSED_S or fraction >= 1:
        return None
    return elapsed_s * (1 - fraction) / fraction


class _Runner(QRunnable):
    def __init__(self, job: "Job") -> None:
        super().__init__()
        self._job = job
        self.setAutoDelete(True)

    def run(self) -> None:  # worker thread: no widget access here, only signal emission
        self._job._run()


class Job(QObject):
    """One run of an engine function. Create on the GUI thread, connect, then ``start()``.

    Exactly one of ``succeeded(result)``, ``failed(exception)``, ``cancelled()``
    is emitted, then ``finished()``.
    """

    progress = Signal(object, str)  # fraction in [0, 1] or None, message
    succeeded = Signal(object)
    failed = Signal(object)  # the exception; ``traceback_text`` has the details
    cancelled = Signal()
    finished = Signal()

    # The worker thread emits only these; an explicit queued connection to this
    # object's own slots re-emits the public signals on the GUI thread, so any
    # slot (a lambda included) connected to the public ones runs there.
    _w_progress = Signal(object, str)
    _w_outcome = Signal(str, object)

    def __init__(self, fn: EngineFn, name: str = "", parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.fn = fn
        self.name = name
        self.token = CancelToken()
        self.started_at: float | None = None
        self.last_fraction: float | None = None
        self.last_message = ""
        self.traceback_text = ""
        self.result: Any = None
        self.error: BaseException | None = None
        self.done = False
        self._last_emit = 0.0
        self._rate_origin: tuple[float, float] | None = None  # (time, fraction) the estimate counts from
        self._lock = threading.Lock()
        self._w_progress.connect(self._on_progress, Qt.ConnectionType.QueuedConnection)
        self._w_outcome.connect(self._on_outcome, Qt.ConnectionType.QueuedConnection)

    # ---- GUI thread -------------------------------------------------------
    def start(self, pool: QThreadPool | None = None) -> "Job":
        self.started_at = time.monotonic()
        (pool or QThreadPool.globalInstance()).start(_Runner(self))
        return self

    def cancel(self) -> None:
        self.token.cancel()

    @property
    def is_cancelled(self) -> bool:
        return self.token.is_set()

    def elapsed_s(self) -> float:
        return 0.0 if self.started_at is None else time.monotonic() - self.started_at

    def eta_s(self) -> float | None:
        """Seconds left, extrapolated from the progress since the fraction started moving.

        Timing from the first fractional report, not from the start, keeps a long
        unmeasured setup (loading a model) from inflating the estimate.
        """
        if self._rate_origin is None or self.last_fraction is None:
            return None
        t0, f0 = self._rate_origin
        done = self.last_fraction - f0
        elapsed = time.monotonic() - t0
        if done <= 0:
            return None
        left = elapsed * (1 - self.last_fraction) / done
        return left if estimate_left_s(self.last_fraction, elapsed) is not None else None

    def _on_progress(self, fraction: object, message: str) -> None:
        if self.done:
            return
        if fraction is None:
            self._rate_origin = None  # an unmeasured phase (loading a model): its time says nothing
        else:
            origin = self._rate_origin
            if origin is None or fraction < origin[1]:  # first measured report, or a new phase
                self._rate_origin = (time.monotonic(), float(fraction))  # type: ignore[arg-type]
        self.progress.emit(fraction, message)

    def _on_outcome(self, kind: str, value: object) -> None:
        if kind == "ok":
            self.result = value
            self.succeeded.emit(value)
        elif kind == "error":
            self.failed.emit(value)
        else:
            self.cancelled.emit()
        self.done = True
        self.finished.emit()

    # ---- worker thread ----------------------------------------------------
    def _report(self, fraction: float | None, message: str) -> None:
        """The Qt-free progress callback handed to the engine (called on the worker thread)."""
        now = time.monotonic()
        with self._lock:
            changed = message != self.last_message
            self.last_fraction, self.last_message = fraction, message
            if not changed and now - self._last_emit < PROGRESS_INTERVAL_S and fraction != 1.0:
                return
            self._last_emit = now
        try:
            self._w_progress.emit(fraction, message)
        except RuntimeError:
            self.token.cancel()  # the Job was deleted (its window closed): stop the work

    def _run(self) -> None:
        try:
            result = self.fn(self._report, self.token)
        except Cancelled:
            outcome: tuple[str, object] = ("cancelled", None)
        except BaseException as exc:  # noqa: BLE001 - every failure is reported, never lost in a thread
            self.error = exc
            self.traceback_text = getattr(exc, "child_traceback", "") or traceback.format_exc()
            # A failure after Cancel is usually the cancellation surfacing another way.
            outcome = ("cancelled" if self.token.is_set() else "error", exc)
        else:
            # The user asked to stop: a late result is dropped.
            outcome = ("cancelled" if self.token.is_set() else "ok", result)
        try:
            self._w_outcome.emit(*outcome)
        except RuntimeError:
            pass  # the Job was deleted with its window while running: nobody is listening


def show_progress(job: "Job | None", bar: Any, label: Any, fraction: float | None, message: str) -> None:
    """A job's progress on ``bar`` (busy while the fraction is unknown) and its message with the time
    left on ``label``: how every dialog that runs a job shows it."""
    if fraction is None:
        bar.setRange(0, 0)
    else:
        bar.setRange(0, 1000)
        bar.setValue(int(fraction * 1000))
    eta = job.eta_s() if job else None
    left = "" if eta is None else "  \u2014  " + QCoreApplication.translate("Jobs", "about %1 left").replace(
        "%1", format_duration(eta))
    label.setText(message + left)
