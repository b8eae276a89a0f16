"""End-to-end engine jobs shared by the CLI, the GUI and the benchmarks."""

from __future__ import annotations

import os
from collections.abc import Sequence

from lecturecut.core import ProgressFn
from lecturecut.media.errors import MediaError
from lecturecut.media.probe import probe

from .project import Project, ProjectSettings


def new_project(
    video: str | os.PathLike[str],
    settings: ProjectSettings | None = None,
    *,
    refine: bool = True,
    candidates: str | Sequence[str] | None = None,
    progress: ProgressFn | None = None,
    cancel: object | None = None,
) -> Project:
    """Probe and transcribe ``video`` into a new, unsaved project.

    ``candidates``: the languages detection chooses among when
    ``settings.language`` is not set (see ``asr.language.candidate_languages``).
    """
    from lecturecut.asr import transcribe  # imported here: loading whisper/torch is slow and not needed to edit

    settings = settings or ProjectSettings()
    info = probe(video)
    if info.audio is None:
        raise MediaError(
            f"'{os.path.basename(str(video))}' has no audio track, so there is nothing to transcribe. "
            "Choose the recording with sound, or add the audio in a video editor first."
        )
    transcript = transcribe(
        video,
        model=settings.model,
        language=settings.language,
        backend=settings.backend,
        candidates=candidates,
        refine=refine,
        progress=progress,
        cancel=cancel,
    )
    return Project.create(video, info, transcript, settings)
