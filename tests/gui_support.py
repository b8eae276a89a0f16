"""Helpers for driving the GUI from the tests and scripts/screenshots.py (no pytest dependency).

Not shipped: it lives in tests/, and the screenshot script puts tests/ on ``sys.path``.

- ``bundled_sample()``: the sample lecture in resources/;
- ``ScriptedPrompter``: answers the window's questions without a modal dialog;
- ``wait_until`` / ``wait_signal``: spin the Qt event loop until something happens;
- ``GuiWatchdog``: measures the longest time the GUI thread did not get to run its event loop;
- ``sample_transcript()``: a hand-checked transcript of the Obama clip's first words, for widget tests
  that should not wait for Whisper.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QEventLoop, QObject, Qt, QTimer

from lecturecut.asr.transcript import Transcript, Word, to_samples
from lecturecut.resources import SAMPLE_LECTURE


def bundled_sample() -> Path:
    """The sample lecture shipped in resources/ (the Obama weekly address, 20 s)."""
    return SAMPLE_LECTURE


class ScriptedPrompter:
    """Stands in for ``main_window.Prompter``: fixed answers, and a log of what was asked."""

    def __init__(self, save: str = "discard", recover: bool = True, open_file: str = "", save_file: str = "",
                 retranscribe: bool = True, changed_on_disk: str = "cancel", overwrite: bool = False) -> None:
        self.answers = {"save": save, "recover": recover, "open_file": open_file, "save_file": save_file,
                        "retranscribe": retranscribe, "changed_on_disk": changed_on_disk, "overwrite": overwrite}
        self.asked: list[tuple[str, str]] = []

    def ask_retranscribe(self, language: str) -> bool:
        self.asked.append(("retranscribe", language))
        return bool(self.answers["retranscribe"])

    def ask_changed_on_disk(self, name: str) -> str:
        self.asked.append(("changed_on_disk", name))
        return str(self.answers["changed_on_disk"])

    def ask_overwrite(self, paths: list[str]) -> bool:
        self.asked.append(("overwrite", ", ".join(paths)))
        return bool(self.answers["overwrite"])

    def ask_save(self, name: str) -> str:
        self.asked.append(("save", name))
        return str(self.answers["save"])

    def ask_recover(self, path: str) -> bool:
        self.asked.append(("recover", path))
        return bool(self.answers["recover"])

    def open_file(self, start_dir: str) -> str:
        self.asked.append(("open_file", start_dir))
        return str(self.answers["open_file"])

    def save_file(self, start: str) -> str:
        self.asked.append(("save_file", start))
        return str(self.answers["save_file"])


def wait_until(condition: Callable[[], Any], timeout_s: float = 10.0, step_ms: int = 10) -> bool:
    """Process events until ``condition()`` is true; False on timeout."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            return False
        QCoreApplication.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, step_ms)
        time.sleep(step_ms / 4000)
    return True


def wait_signal(signal: Any, timeout_s: float = 60.0) -> list[Any] | None:
    """Run an event loop until ``signal`` fires; its arguments, or None on timeout."""
    loop = QEventLoop()
    got: list[list[Any]] = []

    def on(*args: Any) -> None:
        got.append(list(args))
        loop.quit()

    signal.connect(on)
    QTimer.singleShot(int(timeout_s * 1000), loop.quit)
    if not got:
        loop.exec()
    try:
        signal.disconnect(on)
    except (RuntimeError, TypeError):
        pass
    return got[0] if got else None


class GuiWatchdog(QObject):
    """A 10 ms timer on the GUI thread; ``max_gap_ms`` is the longest the event loop was held up."""

    def __init__(self, interval_ms: int = 10, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.interval_ms = interval_ms
        self.gaps_ms: list[float] = []
        self._clock = QElapsedTimer()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._tick)

    def start(self) -> None:
        self.gaps_ms.clear()
        self._clock.start()
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        self.gaps_ms.append(self._clock.nsecsElapsed() / 1e6)
        self._clock.restart()

    @property
    def max_gap_ms(self) -> float:
        return max(self.gaps_ms, default=0.0)


# The first 20 words of the Obama clip with boundaries close to what Whisper + refinement give.
_SAMPLE_WORDS = [
    ("Speak", 0.028, 0.188, 0.16), ("with", 0.188, 0.368, 0.99), ("you", 0.368, 0.498, 0.99),
    ("about", 0.498, 0.778, 0.99), ("the", 0.778, 0.838, 0.99), ("battle", 0.838, 1.168, 0.96),
    ("we're", 1.168, 1.318, 0.92), ("waging", 1.318, 1.758, 0.96), ("against", 1.758, 2.118, 1.0),
    ("an", 2.118, 2.348, 0.99), ("oil", 2.348, 2.538, 1.0), ("spill", 2.538, 2.988, 0.99),
    ("that", 3.488, 3.598, 0.97), ("is", 3.598, 3.748, 1.0), ("assaulting", 3.748, 4.258, 0.97),
    ("our", 4.258, 4.368, 0.99), ("shores", 4.368, 5.088, 0.99), ("and", 5.088, 5.218, 0.98),
    ("our", 5.218, 5.298, 0.99), ("citizens.", 5.298, 5.858, 1.0),
]


def sample_transcript() -> Transcript:
    words = tuple(Word(t, to_samples(a), to_samples(b), p) for t, a, b, p in _SAMPLE_WORDS)
    return Transcript(words, "en", "hand-made", duration=to_samples(20.0))


def count_slowly(n: int, delay_s: float, progress: Any = None, cancel: Any = None) -> int:
    """A stand-in long job for testing workers and the process runner: counts to ``n``."""
    from lecturecut.core import check_cancel

    for i in range(n):
        check_cancel(cancel)
        if progress is not None:
            progress((i + 1) / n, f"step {i + 1} of {n}")
        time.sleep(delay_s)
    return n


def fail_with(message: str, progress: Any = None, cancel: Any = None) -> None:
    from lecturecut.media.errors import MediaError

    raise MediaError(message)
