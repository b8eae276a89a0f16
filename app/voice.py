"""New speech for the app's retypes, made in the background and kept for the player.

After the edit list changes (debounced, like the cut planning), one worker at a time asks the
engine: first its listing (``voice.synthesized_spans``: which retypes its cache already holds),
then every retype without speech, newest edit first (``jobs.speak_retype``: ``voice.synthesize``
and a WAV of the result for the player). A retype the engine cannot say keeps its one-line
reason and stays pending. An edit that makes the running job's retype unwanted (or adds a newer
one) cancels it; the next job starts once it has stopped, so two syntheses never run at once.

The WAVs live in a private temporary folder per open project (``lecturecut.files.work_dir``),
removed when the project closes, once no job can write into it any more.
"""

from __future__ import annotations

import contextlib
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QObject, QTimer, Signal

from lecturecut.core import LecturecutError
from lecturecut.files import work_dir
from lecturecut.synthesis.edl import Edl, Replacement

from . import jobs
from .jobs import SpeechClip
from .session import QtSession
from .workers import Job

VOICE_DELAY_MS = 250  # synthesis starts once the user has paused editing this long
PENDING, READY, FAILED = "pending", "ready", "failed"
_LISTING = "listing"  # what a job is for, besides a Replacement


@dataclass(frozen=True)
class VoiceStatus:
    """Where one retype's new speech stands."""

    state: str  # PENDING | READY | FAILED
    record: Any = None  # the engine's SpanRecord once known (listed from its cache, or just made)
    reason: str = ""  # FAILED: the engine's one line, what happened and what to do
    clip: SpeechClip | None = None  # READY with a WAV the player can play


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    if isinstance(exc, LecturecutError):
        return text.splitlines()[0] if text else type(exc).__name__
    return f"{type(exc).__name__}: {text.splitlines()[0]}" if text else type(exc).__name__


class VoiceSynthesizer(QObject):
    statesChanged = Signal()  # some retype's status changed: the edit list redraws
    clipReady = Signal(object)  # SpeechClip: new speech for a retype of the current edit list
    clipFailed = Signal(object, str)  # Replacement, the reason it stays pending
    clipsChanged = Signal()  # the speech the player can play changed
    progress = Signal(str)  # status-bar text while working, "" when idle

    def __init__(self, session: QtSession, run: Callable[[Job], Any] | None = None,
                 parent: QObject | None = None, delay_ms: int = VOICE_DELAY_MS) -> None:
        super().__init__(parent)
        self.session = session
        self._run = run or (lambda job: job.start())
        self._states: dict[Replacement, VoiceStatus] = {}
        self._seq: dict[Replacement, int] = {}  # when each retype was first seen: newest first
        self._counter = 0
        self._job: Job | None = None
        self._job_target: object = None
        self._dir: Path | None = None
        self._dir_stack: contextlib.ExitStack | None = None
        self._retired: list[contextlib.ExitStack] = []  # folders of closed projects, removed once idle
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(delay_ms)
        self._timer.timeout.connect(self._next)
        session.projectOpened.connect(self._on_project)
        session.edlChanged.connect(self._on_edl)
        if session.is_open:
            self._on_project(session.project)

    # ---- state ------------------------------------------------------------------------------
    def status(self, r: Replacement) -> VoiceStatus | None:
        return self._states.get(r)

    @property
    def states(self) -> dict[Replacement, VoiceStatus]:
        return dict(self._states)

    def clips_for(self, edl: Edl | None) -> list[SpeechClip]:
        """The playable speech of ``edl``'s retypes, in edit-list order."""
        if edl is None:
            return []
        out = []
        for r in edl.replacements:
            st = self._states.get(r)
            if st is not None and st.clip is not None:
                out.append(st.clip)
        return out

    def is_busy(self) -> bool:
        return self._job is not None or self._timer.isActive()

    @property
    def folder(self) -> Path | None:
        """The open project's temporary folder of WAVs (None until the first is written)."""
        return self._dir

    # ---- the session --------------------------------------------------------------------------
    def _on_project(self, project: Any) -> None:
        if self._job is not None:
            self._job.cancel()
        self._states.clear()
        self._seq.clear()
        self._retire_dir()
        self.statesChanged.emit()
        self.clipsChanged.emit()
        if project is None:
            self._timer.stop()
            self.progress.emit("")
            return
        self._note_new(project.edl)
        self._timer.start()

    def _on_edl(self, project: Any) -> None:
        self._note_new(project.edl)
        self.clipsChanged.emit()  # the player takes the clips of the new edit list
        self._timer.start()

    def _note_new(self, edl: Edl) -> None:
        for r in edl.replacements:
            if r not in self._seq:
                self._counter += 1
                self._seq[r] = self._counter

    # ---- work ---------------------------------------------------------------------------------
    def _wanted(self, edl: Edl) -> list[Replacement]:
        """Retypes of ``edl`` without playable speech that have not failed, newest first."""
        todo = [r for r in edl.replacements
                if (st := self._states.get(r)) is None or (st.state != FAILED and st.clip is None)]
        return sorted(todo, key=lambda r: -self._seq.get(r, 0))

    def _next(self) -> None:
        project = self.session.project
        if self._job is not None:
            target = self._job_target
            if project is None:
                self._job.cancel()
            elif isinstance(target, Replacement):
                wanted = self._wanted(project.edl)
                if target not in wanted or (wanted and self._seq.get(wanted[0], 0) > self._seq.get(target, 0)):
                    self._job.cancel()  # another retype matters more now; the next job starts once it stops
            return  # one job at a time: _finished comes back here
        if project is None or project.media.audio is None or not project.edl.replacements:
            self.progress.emit("")
            return
        edl = project.edl
        if any(r not in self._states for r in edl.replacements):
            self._start(Job(lambda progress, cancel: jobs.voice_listing(project, progress, cancel), "voice-list", self),
                        _LISTING, project)
            return
        wanted = self._wanted(edl)
        if not wanted:
            self.progress.emit("")
            return
        r = wanted[0]
        folder = self._folder()
        if folder is None:
            return
        job = Job(lambda progress, cancel: jobs.speak_retype(project, r, folder, progress, cancel), "voice", self)
        text = r.text if len(r.text) <= 40 else r.text[:39] + "\u2026"
        job.progress.connect(lambda f, _m: self.progress.emit(
            self.tr("Voice: '%1' \u2026").replace("%1", text) + (f" {int(f * 100)} %" if f is not None else "")))
        self.progress.emit(self.tr("Voice: '%1' \u2026").replace("%1", text))
        self._start(job, r, project)

    def _start(self, job: Job, target: object, project: Any) -> None:
        self._job, self._job_target = job, target
        job.succeeded.connect(lambda result: self._succeeded(target, project, result))
        job.failed.connect(lambda exc: self._failed(target, project, exc))
        job.finished.connect(lambda: self._finished(job))
        self._run(job)

    def _current(self, project: Any) -> bool:
        """Whether a job's project is still the one open (same transcript and source)."""
        now = self.session.project
        return now is not None and now.transcript is project.transcript and now.source == project.source

    def _succeeded(self, target: object, project: Any, result: Any) -> None:
        if not self._current(project):
            return
        if target == _LISTING:
            changed = False
            for entry in result:
                r = entry.replacement
                if r in self._states:
                    continue
                changed = True
                self._states[r] = VoiceStatus(READY if entry.record is not None else PENDING, entry.record)
            if changed:
                self.statesChanged.emit()
            return
        clip: SpeechClip = result
        self._states[clip.replacement] = VoiceStatus(READY, clip.record, "", clip)
        self.statesChanged.emit()
        self.clipsChanged.emit()
        if self.session.edl is not None and clip.replacement in self.session.edl.replacements:
            self.clipReady.emit(clip)

    def _failed(self, target: object, project: Any, exc: BaseException) -> None:
        if not self._current(project):
            return
        if target == _LISTING:
            # the listing reads the cache only; without it every retype is simply synthesized
            for r in project.edl.replacements:
                self._states.setdefault(r, VoiceStatus(PENDING))
            return
        assert isinstance(target, Replacement)
        reason = _one_line(exc)
        self._states[target] = VoiceStatus(FAILED, None, reason)
        self.statesChanged.emit()
        self.clipFailed.emit(target, reason)

    def _finished(self, job: Job) -> None:
        if self._job is job:
            self._job, self._job_target = None, None
        if self._job is None:
            while self._retired:
                self._retired.pop().close()
        QTimer.singleShot(0, self._next)

    def rank(self, r: Replacement, on_ranked: Callable[[Any], None],
             on_failed: Callable[[BaseException], None]) -> Job | None:
        """Every recorded occurrence of ``r``'s units, ranked (``voice.rank_occurrences``), on a worker."""
        project = self.session.project
        if project is None:
            return None
        job = Job(lambda progress, cancel: jobs.rank_retype(project, r, progress, cancel), "voice-rank", self)
        job.succeeded.connect(on_ranked)
        job.failed.connect(on_failed)
        self._run(job)
        return job

    # ---- the temporary folder ------------------------------------------------------------------
    def _folder(self) -> Path | None:
        if self._dir is None:
            stack = contextlib.ExitStack()
            try:
                self._dir = stack.enter_context(work_dir(tempfile.gettempdir(), "voice"))
            except LecturecutError as exc:
                self.progress.emit(self.tr("Voice: %1").replace("%1", str(exc)))
                return None
            self._dir_stack = stack
        return self._dir

    def _retire_dir(self) -> None:
        if self._dir_stack is not None:
            self._retired.append(self._dir_stack)
        self._dir, self._dir_stack = None, None
        if self._job is None:
            while self._retired:
                self._retired.pop().close()

    def shutdown(self) -> None:
        """The window closes: stop the worker and remove every temporary file now (the caller has
        given the cancelled job its chance to stop; a WAV it writes after this is refused, as its
        folder is gone)."""
        self._timer.stop()
        if self._job is not None:
            self._job.cancel()
        self._retire_dir()
        while self._retired:
            self._retired.pop().close()
