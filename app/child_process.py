"""Run a Qt-free function in a child Python process, with progress and Cancel (``run_in_process``).

Used for the engine calls that hold the GIL for long stretches (transcription,
export, loading torch): on a thread of the GUI's process they froze the window.
"""

from __future__ import annotations

import pickle
import queue
import subprocess
import sys
import threading
import time
from typing import Any, Callable

from lecturecut.core import Cancelled, CancelToken, LecturecutError, ProgressFn, no_progress

PROCESS_POLL_S = 0.05  # how often the waiting thread looks at the child's queue and the cancel flag
CANCEL_GRACE_S = 2.0  # after Cancel, the child may take this long to stop cleanly before it is terminated


class ProcessDied(LecturecutError):
    pass


def run_in_process(fn: Callable[..., Any], *args: Any, progress: ProgressFn | None = None,
                   cancel: CancelToken | None = None, **kwargs: Any) -> Any:
    """Run ``fn(*args, progress=, cancel=, **kwargs)`` in a child Python process; return its result.

    Why a process: transcription spends long stretches in code that holds the
    GIL (converting the model, numba compiling Whisper's alignment,
    pocketsphinx), which froze the window for up to half a second when it
    ran on a thread of the GUI's process. ``fn`` must be a module-level
    function and its arguments picklable. Cancel is forwarded to the child;
    one that does not stop within CANCEL_GRACE_S is terminated. An error
    raised in the child is raised here, with ``child_traceback`` attached.
    (``python -m lecturecut.app.child`` rather than multiprocessing: spawn would re-run
    the GUI's ``__main__`` module in the child.)
    """
    from .child import read_message

    progress = progress or no_progress
    proc = subprocess.Popen([sys.executable, "-m", "lecturecut.app.child"], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    messages: queue.Queue = queue.Queue()

    def reader() -> None:
        while (msg := read_message(proc.stdout)) is not None:  # type: ignore[arg-type]
            messages.put(msg)
        messages.put(None)

    threading.Thread(target=reader, name="child-reader", daemon=True).start()
    cancel_sent_at: float | None = None
    try:
        proc.stdin.write(pickle.dumps((fn, args, kwargs), protocol=pickle.HIGHEST_PROTOCOL))
        proc.stdin.flush()
        while True:
            if cancel is not None and cancel.is_set() and cancel_sent_at is None:
                cancel_sent_at = time.monotonic()
                try:
                    proc.stdin.write(b"c")
                    proc.stdin.flush()
                except OSError:
                    pass
            if cancel_sent_at is not None and time.monotonic() - cancel_sent_at > CANCEL_GRACE_S:
                raise Cancelled()
            try:
                msg = messages.get(timeout=PROCESS_POLL_S)
            except queue.Empty:
                continue
            if msg is None:
                if cancel_sent_at is not None:
                    raise Cancelled()
                proc.wait(timeout=5)
                raise ProcessDied(
                    f"The background process stopped unexpectedly (exit code {proc.returncode}); the computer "
                    "may have run out of memory. Close other programs and try again.")
            kind, value, extra = msg
            if kind == "progress":
                if cancel_sent_at is None:
                    progress(value, extra)
            elif kind == "result":
                return value
            else:
                if isinstance(value, BaseException):
                    try:
                        value.child_traceback = extra  # type: ignore[attr-defined]
                    except AttributeError:
                        pass
                    raise value
                raise LecturecutError(str(value))
    finally:
        try:
            proc.stdin.close()  # EOF: the child cancels if it is still running
        except OSError:
            pass
        try:
            proc.wait(timeout=0.5)
        except subprocess.TimeoutExpired:
            proc.terminate()
            try:
                proc.wait(timeout=2)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        proc.stdout.close()
