"""The engine calls the GUI runs in the background, as plain Qt-free functions.

Each takes ``progress`` and ``cancel`` last, like every engine function, so
``app.workers.Job`` can run it (mostly through ``child_process.run_in_process``)
and a test can call it directly. Heavy engine modules are imported inside the
functions: the command line stays fast.
"""

from __future__ import annotations

import importlib
import os
import threading
from pathlib import Path
from typing import Any

from lecturecut.core import CancelToken, ProgressFn
from lecturecut.media.errors import MediaError
from lecturecut.synthesis.project import Project, ProjectSettings


def new_project(video: str | os.PathLike[str], settings: ProjectSettings, candidates: list[str] | None = None,
                progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Project:
    """The engine's ``synthesis.pipeline.new_project``, refusing a recording without speech.

    The GUI runs this in ``run_in_process``.
    """
    from lecturecut.synthesis.pipeline import new_project as engine_new_project

    project = engine_new_project(video, settings, candidates=candidates or None, progress=progress, cancel=cancel)
    if not project.transcript.words:
        raise MediaError(
            f"No speech was found in '{Path(video).name}'. Check that the recording has audible speech, "
            "or choose the transcription language in Settings."
        )
    return project


# Engine modules the GUI thread will import on a user's click (building export options). Their
# first import (and, on a fresh install, their bytecode compilation) takes a few hundred ms,
# which would freeze the window: they are imported once in the background at start-up instead.
PRELOADED_MODULES = ("lecturecut.synthesis.export",)


def preload_engine() -> threading.Thread:
    """Import the engine modules a click will need, on a daemon thread; returns the thread."""
    def run() -> None:
        for name in PRELOADED_MODULES:
            importlib.import_module(name)

    thread = threading.Thread(target=run, name="preload-engine", daemon=True)
    thread.start()
    return thread


def export_options(subtitles: str, smooth_cuts: bool, preset: str, overwrite: bool = False) -> Any:
    """``synthesis.export.ExportOptions`` from the dialog's choices (preset: "fast", "balanced", "quality";
    ``overwrite``: the user agreed to replace existing files)."""
    from lecturecut.synthesis.export import ExportOptions

    return ExportOptions(subtitles=subtitles, smooth_cuts=smooth_cuts, preset=preset, overwrite=overwrite)


def existing_outputs(out_path: str | os.PathLike[str], options: Any) -> list[Path]:
    """The files an export to ``out_path`` would replace (the video, subtitle sidecars) that exist now."""
    from lecturecut.synthesis.render import outputs_of

    return [p for p in outputs_of(Path(out_path), options) if p.exists()]


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
