"""Progress reporting without any UI: a plain callback.

``ProgressFn(fraction, message)``: fraction in [0, 1] or ``None`` when unknown.
Engine functions call it; the CLI draws a bar, the GUI a QProgressBar.
"""

from __future__ import annotations

from typing import Callable, Optional

ProgressFn = Callable[[Optional[float], str], None]


def no_progress(fraction: Optional[float], message: str) -> None:  # noqa: D401 - a sink
    """Ignore progress."""


def scaled(progress: ProgressFn | None, lo: float, hi: float) -> ProgressFn:
    """Map a sub-job's [0, 1] onto [lo, hi] of the parent's progress."""
    parent = progress or no_progress

    def report(fraction: Optional[float], message: str) -> None:
        parent(None if fraction is None else lo + (hi - lo) * min(max(fraction, 0.0), 1.0), message)

    return report
