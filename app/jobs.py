"""The engine calls the GUI runs in the background, as plain Qt-free functions.

Each takes ``progress`` and ``cancel`` last, like every engine function, so
``app.workers.Job`` can run it and a test can call it directly. Heavy engine
modules are imported inside the functions: the command line stays fast.
"""

from __future__ import annotations

import os
import pickle
import queue
import subprocess
import sys
import threading
import time
from dataclasses import fields
from pathlib import Path
from typing import Any, Callable

import numpy as np

from lecturecut.core import Cancelled, CancelToken, LecturecutError

from lecturecut.media.errors import MediaError
from lecturecut.core import ProgressFn, no_progress
from lecturecut.synthesis.project import PROJECT_SUFFIX, Project, ProjectSettings, load_project

PEAKS_PER_S = 100  # waveform resolution: one peak per 10 ms is finer than any timeline zoom we draw
PEAK_DECODE_RATE = 8_000  # Hz; enough to see speech energy, a quarter of the bytes of 16 kHz
PEAK_BLOCK_SAMPLES = 1 << 18  # one sequential decode, 33 s blocks: memory stays ~1 MB
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
    proc = subprocess.Popen([sys.executable, "-m", "lecturecut.app.child"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
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


def new_project(video: str | os.PathLike[str], settings: ProjectSettings,
                progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Project:
    """The engine's ``synthesis.pipeline.new_project``, refusing a recording without speech.

    The GUI runs this in ``run_in_process``.
    """
    from lecturecut.synthesis.pipeline import new_project as engine_new_project

    project = engine_new_project(video, settings, progress=progress, cancel=cancel)
    if not project.transcript.words:
        raise MediaError(
            f"No speech was found in '{Path(video).name}'. Check that the recording has audible speech, "
            "or choose the transcription language in Settings."
        )
    return project


def waveform_peaks(path: str | os.PathLike[str], duration_s: float, progress: ProgressFn | None = None,
                   cancel: CancelToken | None = None) -> np.ndarray:
    """Peak amplitude per 1/PEAKS_PER_S s of the first audio track, float32 in [0, 1], shape (n,)."""
    from lecturecut.media.audio import stream_audio

    progress = progress or no_progress
    hop = PEAK_DECODE_RATE // PEAKS_PER_S  # samples per peak
    total = max(duration_s * PEAK_DECODE_RATE, 1.0)
    out: list[np.ndarray] = []
    rest = np.zeros(0, np.float32)  # samples of an unfinished peak carried to the next block
    done = 0
    for block in stream_audio(path, PEAK_DECODE_RATE, 1, block_samples=PEAK_BLOCK_SAMPLES, cancel=cancel):
        x = np.concatenate([rest, block[:, 0]])
        n = len(x) // hop * hop
        if n:
            out.append(np.abs(x[:n]).reshape(-1, hop).max(axis=1))  # (n/hop,)
        rest = x[n:]
        done += len(block)
        progress(min(done / total, 1.0), "Drawing the waveform")
    peaks = np.concatenate(out) if out else np.zeros(0, np.float32)
    return peaks.astype(np.float32)


def project_for_video(video: str | os.PathLike[str]) -> Path | None:
    """An existing project next to ``video`` made from this very file (re-opening a video reuses it)."""
    candidate = default_project_path(video)
    if not candidate.exists():
        return None
    try:
        project = load_project(candidate)
    except Exception:  # noqa: BLE001 - an unreadable sibling is simply not reused
        return None
    return candidate if Path(project.source) == Path(video).resolve() else None


def default_project_path(video: str | os.PathLike[str]) -> Path:
    """``lecture.mp4`` -> ``lecture.lcproj`` beside it."""
    return Path(video).resolve().with_suffix(PROJECT_SUFFIX)


def free_project_path(video: str | os.PathLike[str], fallback_dir: str | os.PathLike[str]) -> Path:
    """Where a new project for ``video`` is first saved: beside the video if that folder is writable
    (``lecture.lcproj``, ``lecture (2).lcproj``, ...), else in ``fallback_dir``."""
    base = default_project_path(video)
    folder = base.parent if os.access(base.parent, os.W_OK) else Path(fallback_dir)
    folder.mkdir(parents=True, exist_ok=True)
    candidate = folder / base.name
    n = 2
    while candidate.exists():
        candidate = folder / f"{base.stem} ({n}){PROJECT_SUFFIX}"
        n += 1
    return candidate


def export_options(subtitles: str, smooth_cuts: bool, preset: str) -> Any:
    """``synthesis.export.ExportOptions`` from the dialog's choices (preset: "fast", "balanced", "quality")."""
    from lecturecut.synthesis.export import ExportOptions

    wanted = {"subtitles": subtitles, "smooth_cuts": smooth_cuts, "preset": preset}
    known = {f.name for f in fields(ExportOptions)}
    return ExportOptions(**{k: v for k, v in wanted.items() if k in known})


def export_project(project: Project, out_path: str | os.PathLike[str], options: Any,
                   progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Any:
    """Render the edited lecture (the GUI runs this in ``run_in_process``)."""
    from lecturecut.synthesis.export import export

    project.check_source()
    return export(project, out_path, options, progress=progress, cancel=cancel)


def list_models(progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> list[Any]:
    """The model registry's status list (imports torch: the GUI runs this in ``run_in_process``)."""
    from lecturecut.models.registry import list_models as registry_list

    return registry_list()


def fetch_model(name: str, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Any:
    from lecturecut.models.registry import fetch

    return fetch(name, progress=progress, cancel=cancel)
