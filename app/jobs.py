"""The engine calls the GUI runs in the background, as plain Qt-free functions.

Each takes ``progress`` and ``cancel`` last, like every engine function, so
``app.workers.Job`` can run it (mostly through ``child_process.run_in_process``)
and a test can call it directly. Heavy engine modules are imported inside the
functions: the command line stays fast.
"""

from __future__ import annotations

import importlib
import io
import os
import wave
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from lecturecut.core import Cancelled, CancelToken, ProgressFn, check_cancel, no_progress
from lecturecut.media.errors import MediaError
from lecturecut.synthesis.edl import Replacement
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
# first import (and, on a fresh install, their bytecode compilation) takes up to a few seconds
# (scipy.signal alone ~2 s), which would freeze the window on that click: they are imported
# while the window is being built, before it is shown. Not on a background thread: importing
# scipy there while the GUI thread ran crashed the process once in a few dozen starts
# (a segfault inside the background import), and a hang of the same kind cannot be ruled out.
PRELOADED_MODULES = ("lecturecut.synthesis.export", "lecturecut.synthesis.voice")


def preload_engine() -> None:
    """Import the engine modules a click will need, now, on the calling (GUI) thread."""
    for name in PRELOADED_MODULES:
        importlib.import_module(name)


def export_options(subtitles: str, smooth_cuts: bool, preset: str, overwrite: bool = False, *,
                   target: str = "openhpi", prefix: str = "", audio_track: bool = False, mark_synthetic: bool = False,
                   timeline: bool = False, full_render: bool = False) -> Any:
    """``synthesis.export.ExportOptions`` from the dialog's choices (preset: "fast", "balanced", "quality";
    target: "openhpi" or "archive", see ``render.delivery``; ``overwrite``: the user agreed to replace
    existing files)."""
    from lecturecut.synthesis.export import ExportOptions

    return ExportOptions(subtitles=subtitles, smooth_cuts=smooth_cuts, preset=preset, overwrite=overwrite,
                         target=target, prefix=prefix, audio_track=audio_track, mark_synthetic=mark_synthetic,
                         timeline=timeline, full_render=full_render)


def existing_outputs(out_path: str | os.PathLike[str], options: Any, language: str = "") -> list[Path]:
    """The files an export to ``out_path`` would replace (the video, sidecars, the record) that exist now."""
    from lecturecut.synthesis.render import outputs_of

    return [p for p in outputs_of(Path(out_path), options, language) if p.exists()]


def export_project(project: Project, out_path: str | os.PathLike[str], options: Any,
                   progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Any:
    """Render the edited lecture (the GUI runs this in ``run_in_process``)."""
    from lecturecut.synthesis.export import export

    project.check_source()
    return export(project, out_path, options, progress=progress, cancel=cancel)


def render_edit_preview(project: Project, number: int, out_path: str | os.PathLike[str],
                        progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Any:
    """Edit ``number`` (from 1) as it will be exported, the recording first (``moment.preview_edit``
    with the mouth regenerated); the GUI runs this in ``run_in_process``."""
    from lecturecut.synthesis.moment import preview_edit

    project.check_source()
    return preview_edit(project, number, out_path, overwrite=True, lips=True, progress=progress, cancel=cancel)


def list_models(progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> list[Any]:
    """The model registry's status list (imports torch: the GUI runs this in ``run_in_process``)."""
    from lecturecut.models.registry import list_models as registry_list

    return registry_list()


def fetch_model(name: str, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Any:
    from lecturecut.models.registry import fetch

    return fetch(name, progress=progress, cancel=cancel)


# ---- new speech for the player ------------------------------------------------------------------
EDGE_FADE_S = 0.003  # the player switches between the source and new speech hard: fade the clip's ends


@dataclass(frozen=True)
class SpeechClip:
    """A retype's new speech, ready for the player: a WAV of it and the source range it replaces.

    ``path`` holds the new audio between its two joins (the export crossfades half a
    crossfade into each side; the player switches at the join itself), ``n_samples`` long
    at ``rate``; it plays in place of source samples ``[start, end)`` at ``rate``.
    """

    replacement: Replacement
    record: Any  # the engine's SpanRecord: method, sources, tuning as applied
    path: Path
    rate: int
    start: int
    end: int
    n_samples: int

    @property
    def start_ms(self) -> int:
        return self.start * 1000 // self.rate

    @property
    def end_ms(self) -> int:
        return self.end * 1000 // self.rate

    @property
    def new_ms(self) -> int:
        return int(round(self.n_samples * 1000 / self.rate))


def voice_rate(project: Project) -> int:
    """The rate new speech is made at: the source's own, as export makes it (one cache for both)."""
    return project.media.audio.sample_rate if project.media.audio else 16_000


def voice_listing(project: Project, progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> Any:
    """``voice.synthesized_spans``: every retype with its record, or pending (reads the cache only;
    on a worker, since it hashes the whole transcript)."""
    from lecturecut.synthesis.voice import synthesized_spans

    return synthesized_spans(project, voice_rate(project))


def wav_bytes(audio: np.ndarray, rate: int) -> bytes:
    """Mono float32 ``(n,)`` -> a 16-bit PCM WAV file's bytes."""
    pcm = (np.clip(np.asarray(audio, np.float32), -1.0, 1.0) * 32767.0).round().astype("<i2")  # (n,)
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(int(rate))
        w.writeframes(pcm.tobytes())
    return buf.getvalue()


def speak_retype(project: Project, replacement: Replacement, folder: Path,
                 progress: ProgressFn | None = None, cancel: CancelToken | None = None) -> SpeechClip:
    """New speech for ``replacement`` (``voice.synthesize``, cached by content) as a WAV in ``folder``.

    Raises the engine's ``VoiceError`` (the retype stays pending, with its one-line reason),
    ``Cancelled``, or ``Cancelled`` too when ``folder`` is gone (the project was closed meanwhile:
    nothing may be written after its temporary folder was removed).
    """
    from lecturecut.files import write_bytes_atomic
    from lecturecut.synthesis.voice import synthesize

    progress = progress or no_progress
    rate = voice_rate(project)
    speech = synthesize(project, replacement, audio_rate=rate, progress=progress, cancel=cancel)
    check_cancel(cancel)
    half = int(round(project.settings.crossfade_ms / 1000 * rate)) // 2
    core = np.array(speech.audio[half:max(len(speech.audio) - half, half)], np.float32)  # (n,)
    fade = min(int(EDGE_FADE_S * rate), len(core) // 2)
    if fade:
        ramp = np.linspace(0.0, 1.0, fade, endpoint=False, dtype=np.float32)
        core[:fade] *= ramp
        core[len(core) - fade:] *= ramp[::-1]
    path = folder / f"{speech.record.key[:24]}.wav"
    if not path.exists():
        if not folder.is_dir():
            raise Cancelled("the project was closed")
        write_bytes_atomic(path, wav_bytes(core, rate))
    a, b = speech.source_range
    return SpeechClip(replacement, speech.record, path, rate, int(a), int(b), len(core))


def rank_retype(project: Project, replacement: Replacement, progress: ProgressFn | None = None,
                cancel: CancelToken | None = None) -> Any:
    """``voice.rank_occurrences`` for the voice panel: every unit with all its recorded occurrences,
    best first (no choices applied: a chosen unit would list only its choice)."""
    from lecturecut.synthesis.voice import rank_occurrences

    return rank_occurrences(project, replacement, progress=progress, cancel=cancel)
