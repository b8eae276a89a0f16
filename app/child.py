"""The child-process side of ``app.child_process.run_in_process`` (``python -m lecturecut.app.child``). No Qt.

Protocol: the parent writes one pickle ``(fn, args, kwargs)`` to stdin; any
later byte on stdin, or stdin closing (the parent died), cancels. The child
answers with length-prefixed pickles on its original stdout:
``("progress", fraction, message)`` ..., then ``("result", value, "")`` or
``("error", exception, traceback_text)``. Whatever a library prints goes to
stderr, so it cannot corrupt the messages.
"""

from __future__ import annotations

import os
import pickle
import struct
import sys
import threading
import traceback
from typing import Any, BinaryIO

HEADER = struct.Struct("<Q")  # message length in bytes
NICENESS = 10  # background work yields the CPU to the window: the GUI stays smooth on a 2-core laptop


def write_message(out: BinaryIO, lock: threading.Lock, message: tuple[Any, ...]) -> None:
    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
    with lock:
        out.write(HEADER.pack(len(data)) + data)
        out.flush()


def read_message(inp: BinaryIO) -> tuple[Any, ...] | None:
    """One message, or None at the end of the stream."""
    header = inp.read(HEADER.size)
    if len(header) < HEADER.size:
        return None
    (n,) = HEADER.unpack(header)
    data = inp.read(n)
    if len(data) < n:
        return None
    return pickle.loads(data)


def main() -> int:
    if hasattr(os, "nice"):
        try:
            os.nice(NICENESS)
        except OSError:
            pass
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # stray prints (tqdm, warnings) go to stderr, not into the message stream
    sys.stdout = sys.stderr
    inp = sys.stdin.buffer
    fn, args, kwargs = pickle.load(inp)

    from lecturecut.core import CancelToken, LecturecutError

    token = CancelToken()

    def watch_stdin() -> None:
        inp.read(1)  # a byte (Cancel) or EOF (the parent is gone)
        token.cancel()

    threading.Thread(target=watch_stdin, name="cancel-watch", daemon=True).start()
    lock = threading.Lock()

    def send(message: tuple[Any, ...]) -> None:
        try:
            write_message(out, lock, message)
        except OSError:  # the parent is gone (the window closed): stop quietly
            token.cancel()

    def progress(fraction: float | None, message: str) -> None:
        send(("progress", fraction, message))

    try:
        result = fn(*args, progress=progress, cancel=token, **kwargs)
    except BaseException as exc:  # noqa: BLE001 - every failure goes back to the parent
        tb = traceback.format_exc()
        try:
            pickle.dumps(exc)
        except Exception:  # noqa: BLE001 - an exception that cannot travel is sent as text
            exc = LecturecutError(f"{type(exc).__name__}: {exc}")
        send(("error", exc, tb))
    else:
        send(("result", result, ""))
    try:
        out.close()
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
