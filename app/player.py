"""Playback of the edited lecture: Qt Multimedia plays the source, the controller skips the cuts.

``PlaybackController`` owns the ``QMediaPlayer`` and is the one clock the
transcript, timeline and edit list follow. Without a usable media backend
(no Qt Multimedia plugin, a file it cannot decode) it falls back to a silent
clock, so the editor still works: the playhead moves, words highlight, only
picture and sound are missing. A poster (the video's first frame, decoded by
the engine) stands in for the picture until the player has one of its own:
while the video is transcribed, after reopening, and where playback failed.

New speech: where a retype's speech is ready (``voice.VoiceSynthesizer``), playing the
edited lecture switches to it at the retype's source range: the source player pauses (the
picture holds), a second player plays the speech's WAV, and the source resumes where the
range ends. The clock runs on across the new speech, so the edited time counts its length.
The switch is driven by the same clock as the cuts (``_tick``), so it works on the silent
clock too, with the sound missing.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import QObject, QRectF, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QCheckBox, QHBoxLayout, QLabel, QSizePolicy, QStyle, QToolButton, QVBoxLayout, QWidget

from .playback import (
    Span,
    SynthSpot,
    edited_duration_ms,
    edited_position_ms,
    place_spots,
    samples_to_ms,
    skip_spans,
    span_at,
    spot_due,
)
from .session import QtSession
from .workers import format_duration

try:  # Qt Multimedia is optional at run time: a missing plugin must not stop the editor
    from PySide6.QtMultimedia import QAudioOutput, QMediaPlayer, QVideoFrame, QVideoSink
except ImportError:  # pragma: no cover - depends on the Qt installation
    QMediaPlayer = None  # type: ignore[assignment,misc]

TICK_MS = 15  # how often the playhead is checked against the cuts while playing (a cut is late by <= this)
SEEK_SETTLE_MS = 400  # a seek may take this long before the backend reports the new position
STEP_MS = 5_000  # J: jump back this much
PREVIEW_PAD_MS = 2_500  # the preview plays this much before and after an edit
PRELOAD_MS = 1_500  # the speech player is given the next retype's new speech this long before it
VOICE_START_MS = 400  # new speech waits this long for its player to start, then goes on by the clock
MAX_RATE = 2.0
RATE_STEP = 1.5
CLOCK_BOTH, CLOCK_SOURCE, CLOCK_EDITED = "both", "source", "edited"  # what the transport's clock shows


class PlaybackController(QObject):
    positionChanged = Signal(int)  # source time, ms
    playingChanged = Signal(bool)
    durationChanged = Signal(int)  # ms
    previewChanged = Signal(bool)
    rateChanged = Signal(float)
    frameChanged = Signal()  # a new video frame is in ``frame``
    spansChanged = Signal()  # the skipped stretches changed (an edit, or the exact cut points arrived)
    mediaError = Signal(str)
    synthChanged = Signal(object)  # the SynthSpot whose new speech plays now, or None: back to the source

    def __init__(self, session: QtSession, parent: QObject | None = None, use_media: bool | None = None,
                 voice: object | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.voice = voice  # a voice.VoiceSynthesizer, or None: retypes play as recorded
        if use_media is None:
            use_media = os.environ.get("LECTURECUT_NO_MEDIA", "") in ("", "0")
        self._player = None
        self._audio = None
        self._sink = None
        if use_media and QMediaPlayer is not None:
            self._player = QMediaPlayer(self)
            self._audio = QAudioOutput(self)
            self._player.setAudioOutput(self._audio)
            self._sink = QVideoSink(self)
            self._player.setVideoSink(self._sink)
            self._sink.videoFrameChanged.connect(self._on_frame)
            self._player.errorOccurred.connect(self._on_media_error)
            self._player.durationChanged.connect(self._on_duration)
            self._player.mediaStatusChanged.connect(self._on_status)
        # the new speech of retypes: its own player, so the source's stays where it paused
        self._voice_player = None
        self._voice_audio = None
        if self._player is not None:
            self._voice_player = QMediaPlayer(self)
            self._voice_audio = QAudioOutput(self)
            self._voice_player.setAudioOutput(self._voice_audio)
            self._voice_player.errorOccurred.connect(lambda *_a: None)  # a clip it cannot play: the clock goes on
        self._voice_loaded: str | None = None
        self._clips: list[object] = []  # jobs.SpeechClip of the current edit list
        self._spots: list[SynthSpot] = []  # where they play, clipped to the skipped spans
        self._synth: SynthSpot | None = None  # the spot whose speech plays now (or where it is paused)
        self._synth_base_ms = 0.0  # elapsed in its speech at _synth_started
        self._synth_started: float | None = None  # monotonic time, while it plays
        self._synth_done: SynthSpot | None = None  # just played: not again until the playhead moves on
        self._voice_clock: bool | None = None  # the speech player's position is the clock (None: not yet known)
        self.skip_edits = True  # play the edited lecture; False plays the recording as it was
        self._spans: list[Span] = []
        self.spans_planned = False  # True once the spans are the export's own cut points
        self._playing = False
        self._rate = 1.0
        self._duration = 0
        self._last_emitted = -1
        # silent clock (fallback) and seek bookkeeping
        self._clock_base_ms = 0
        self._clock_started = 0.0
        self._seek_target: int | None = None
        self._seek_at = 0.0
        self._preview: list[tuple[int, int, bool]] = []
        self._preview_i = 0
        self._source: str | None = None
        self.frame: QImage | None = None  # the player's own latest frame
        self.poster: QImage | None = None  # the first frame of ``poster_source``, until the player has one
        self.poster_source: str | None = None
        self.pending_source: str | None = None  # a video being transcribed: no project yet
        self.playback_failed = False  # the media backend gave up on this file (silent clock since)
        self._stop_at: int | None = None  # Play selection: pause when the playhead reaches this
        self._range: tuple[int, int] | None = None  # the last Play-selection range, as asked for
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        session.projectOpened.connect(self._on_project)
        session.edlChanged.connect(self._on_edl)
        if voice is not None:
            voice.clipsChanged.connect(self._refresh_clips)  # type: ignore[attr-defined]
        if session.is_open:
            self._on_project(session.project)

    # ---- state ------------------------------------------------------------
    @property
    def has_media(self) -> bool:
        return self._player is not None

    @property
    def spans(self) -> list[Span]:
        return list(self._spans)

    def is_playing(self) -> bool:
        return self._playing

    def is_previewing(self) -> bool:
        return bool(self._preview)

    def duration(self) -> int:
        return self._duration

    def picture(self) -> QImage | None:
        """What the video pane shows: the player's frame, else the poster of the current video."""
        if self.frame is not None:
            return self.frame
        current = self._source or self.pending_source
        if self.poster is None or current is None or self.poster_source != str(Path(current).resolve()):
            return None
        return self.poster

    def edited_position(self) -> int:
        """The playhead on the edited lecture's clock (ms); inside new speech, how far it has got."""
        if self._synth is not None:
            return edited_position_ms(self._spans, self._synth.start_ms, self._spots) + int(self._synth_elapsed())
        return edited_position_ms(self._spans, self.position(), self._spots)

    def edited_duration(self) -> int:
        return edited_duration_ms(self._spans, self._duration, self._spots)

    @property
    def spots(self) -> list[SynthSpot]:
        """Where new speech plays instead of the source (sorted, clipped to the cuts)."""
        return list(self._spots)

    def synth_spot(self) -> SynthSpot | None:
        """The retype whose new speech is playing (or paused in) now; None on the source."""
        return self._synth

    def is_playing_speech(self) -> bool:
        return self._synth is not None and self._synth_started is not None
    def rate(self) -> float:
        return self._rate

    def position(self) -> int:
        if self._synth is not None:
            return self._synth.source_at(self._synth_elapsed())
        if self._seek_target is not None:
            return self._seek_target
        if self._player is not None:
            return int(self._player.position())
        if self._playing:
            return self._clock_base_ms + int((time.monotonic() - self._clock_started) * 1000 * self._rate)
        return self._clock_base_ms

    # ---- project ----------------------------------------------------------
    def set_pending_source(self, path: str | None) -> None:
        """A video is being transcribed (no project yet): show its poster, not 'Open a video'."""
        self.pending_source = str(Path(path).resolve()) if path else None
        self.frameChanged.emit()

    def set_poster(self, source: str, image: QImage | None) -> None:
        """The first frame of ``source`` (decoded by a worker); shown until the player has a frame."""
        self.poster_source = str(Path(source).resolve())
        self.poster = image
        self.frameChanged.emit()

    def _reset_clock(self) -> None:
        self._seek_target = None
        self._clock_base_ms = 0
        self._stop_at = None
        self._emit_position(0)

    def _on_project(self, project: object) -> None:
        self.stop_preview()
        self.pause()
        self._drop_synth()
        if project is None:
            self._source = None
            self.frame = None
            if self._player is not None:
                self._player.setSource(QUrl())
            self._unload_voice()
            self._set_duration(0)
            self._spans = []
            self._clips, self._spots = [], []
            self._reset_clock()
            self.spansChanged.emit()
            self.frameChanged.emit()
            return
        self.pending_source = None
        self._set_duration(int(round(project.media.duration_s * 1000)))  # type: ignore[attr-defined]
        source = project.source  # type: ignore[attr-defined]
        if source != self._source:
            self._source = source
            self.frame = None
            self.playback_failed = False
            if self._player is not None:
                if Path(source).exists():
                    self._player.setSource(QUrl.fromLocalFile(source))
                else:
                    self._player.setSource(QUrl())
        self._on_edl(project)
        self.seek(int(project.ui.get("position_ms", 0)))  # type: ignore[attr-defined]

    def _on_edl(self, project: object) -> None:
        self._spans = skip_spans(project.transcript, project.edl, self._duration or None)  # type: ignore[attr-defined]
        self.spans_planned = False
        self._take_clips()
        self.spansChanged.emit()

    def set_planned_spans(self, edl: object, spans: list[Span]) -> bool:
        """The export's exact cut points for ``edl`` (ignored if the user has edited since)."""
        if self.session.edl != edl:
            return False
        self._spans = list(spans)
        self.spans_planned = True
        self._place_spots()
        self.spansChanged.emit()
        return True

    # ---- new speech -----------------------------------------------------------
    def _take_clips(self) -> None:
        voice = self.voice
        self._clips = list(voice.clips_for(self.session.edl)) if voice is not None else []  # type: ignore[attr-defined]
        self._place_spots()

    def _refresh_clips(self) -> None:
        old = self._spots
        self._take_clips()
        if self._spots != old:
            self.spansChanged.emit()

    def _place_spots(self) -> None:
        spots = [SynthSpot(c.start_ms, c.end_ms, c.new_ms, str(c.path), c.replacement)  # type: ignore[attr-defined]
                 for c in self._clips]
        self._spots = place_spots(spots, self._spans)
        if self._synth is not None and all(s.key != self._synth.key for s in self._spots):
            pos = self.position()  # its retype is gone: back to the source where the playhead is
            playing = self._playing
            self._drop_synth()
            self._seek_main(pos)
            if playing and self._player is not None:
                self._player.play()

    def _synth_elapsed(self) -> float:
        """How far into the current spot's speech the playhead is (ms of the speech).

        The speech player's own position once it plays (it starts some 100 ms after it is asked
        to: the clock waits for it, so the speech is never cut short); the monotonic clock where
        there is no such player, or it has not started within ``VOICE_START_MS``.
        """
        spot = self._synth
        if spot is None:
            return 0.0
        if self._synth_started is None:
            return min(self._synth_base_ms, float(spot.new_ms))
        waited_ms = (time.monotonic() - self._synth_started) * 1000
        vp = self._voice_player
        if vp is not None and self._voice_clock is not False:
            heard = float(vp.position())
            # it plays once its position moves on from where it was started (a position from before
            # the seek to there, e.g. the end of the clip's last play, is not progress)
            if self._voice_clock is None and \
                    self._synth_base_ms < heard <= self._synth_base_ms + waited_ms * self._rate + VOICE_START_MS:
                self._voice_clock = True
            if self._voice_clock:
                return min(max(heard, self._synth_base_ms), float(spot.new_ms))
            if waited_ms < VOICE_START_MS:
                return self._synth_base_ms
            self._voice_clock = False  # it does not play (no audio output?): the clock goes on without it
            self._synth_started = time.monotonic()
            return self._synth_base_ms
        return min(self._synth_base_ms + waited_ms * self._rate, float(spot.new_ms))

    def _synth_ended(self) -> bool:
        spot = self._synth
        if spot is None:
            return False
        if self._voice_clock and self._voice_player is not None and QMediaPlayer is not None:
            if self._voice_player.playbackState() != QMediaPlayer.PlaybackState.PlayingState:
                # The speech player stopped: the end of the clip, or a backend that gave up early
                # (without an audio device it may): the clock finishes what it had not played.
                self._synth_base_ms = self._synth_elapsed()
                self._synth_started = time.monotonic()
                self._voice_clock = False
        return self._synth_elapsed() >= spot.new_ms - 1

    def _enter_synth(self, spot: SynthSpot, elapsed_ms: float) -> None:
        """Play ``spot``'s new speech from ``elapsed_ms``; the source pauses (its picture holds)."""
        self._synth = spot
        self._synth_base_ms = max(0.0, min(float(elapsed_ms), float(spot.new_ms)))
        self._synth_started = time.monotonic()
        self._voice_clock = None
        self._seek_target = None
        if self._player is not None:
            self._player.pause()
            # the picture holds (the frame where the source resumes) and the resume needs no seek
            self._player.setPosition(spot.end_ms)
        else:
            self._clock_base_ms = spot.start_ms
        vp = self._voice_player
        if vp is not None:
            if self._voice_loaded != spot.path:
                vp.setSource(QUrl.fromLocalFile(spot.path))
                self._voice_loaded = spot.path
            vp.setPlaybackRate(self._rate)
            vp.setPosition(int(self._synth_base_ms))
            vp.play()
        self.synthChanged.emit(spot)

    def _drop_synth(self) -> None:
        """Stop the new speech (a seek, a new edit list); the caller puts the source where it wants."""
        self._synth_done = None
        if self._synth is None:
            return
        self._synth = None
        self._synth_started = None
        if self._voice_player is not None:
            self._voice_player.pause()
        self.synthChanged.emit(None)

    def _leave_synth(self) -> None:
        """The new speech has played: the source resumes where the retype's range ends."""
        spot = self._synth
        assert spot is not None
        self._drop_synth()
        self._seek_main(spot.end_ms)
        self._synth_done = spot
        if self._playing:
            if self._player is not None:
                self._player.play()
            else:
                self._clock_started = time.monotonic()
        self._emit_position(spot.end_ms)

    def _unload_voice(self) -> None:
        if self._voice_player is not None:
            self._voice_player.stop()
            self._voice_player.setSource(QUrl())
        self._voice_loaded = None

    def _preload_voice(self, pos: int) -> None:
        """Give the speech player the next spot's file a little ahead, so the switch does not wait on it."""
        vp = self._voice_player
        if vp is None or self._synth is not None:
            return
        for s in self._spots:
            if s.start_ms >= pos - 50:
                if s.start_ms - pos < PRELOAD_MS and self._voice_loaded != s.path:
                    vp.setSource(QUrl.fromLocalFile(s.path))
                    self._voice_loaded = s.path
                return

    def _due_spot(self, pos: int) -> SynthSpot | None:
        if not self.skip_edits or not self._spots:
            return None
        spot = spot_due(self._spots, pos, int(TICK_MS * self._rate))
        if spot is not None and spot == self._synth_done:
            return None
        return spot

    def _set_duration(self, ms: int) -> None:
        if ms and ms != self._duration:
            self._duration = ms
            self.durationChanged.emit(ms)
        elif not ms and self._duration:
            self._duration = 0
            self.durationChanged.emit(0)

    def _on_duration(self, ms: int) -> None:
        self._set_duration(int(ms))

    def _on_status(self, status: object) -> None:
        if QMediaPlayer is None or self._player is None:
            return
        if status == QMediaPlayer.MediaStatus.LoadedMedia and self._seek_target is not None:
            # A seek before the file finished loading is dropped by the backend: apply it now.
            self._player.setPosition(self._seek_target)
            self._seek_at = time.monotonic()
        if status == QMediaPlayer.MediaStatus.EndOfMedia:
            self._set_playing(False)
            self._emit_position(self._duration)

    def _on_media_error(self, error: object, message: str) -> None:
        # Fall back to the silent clock: editing must keep working without picture and sound.
        pos = self.position()
        if self._player is not None:
            self._player.stop()
        self._player = None
        self._clock_base_ms = pos
        self.playback_failed = True
        self.frameChanged.emit()
        self.mediaError.emit(message or "The video cannot be played here.")

    def _on_frame(self, frame: object) -> None:
        # Copy before converting: calling toImage() on the signal's own argument, or sending the
        # QImage through a Signal(object), corrupts reference counts in PySide6 6.12 (crash at exit).
        try:
            image = QVideoFrame(frame).toImage()  # type: ignore[arg-type]
        except Exception:  # noqa: BLE001 - a frame we cannot convert is just not shown
            return
        if not image.isNull():
            self.frame = image
            self.frameChanged.emit()

    # ---- transport ----------------------------------------------------------
    def play(self) -> None:
        if self._source is None or self._playing:
            return
        pos = self.position()
        if self._duration and pos >= self._duration - 50:
            pos = 0  # play again from the start
            self.seek(0)
        if self._synth is not None:  # paused inside new speech: go on with it
            self._synth_started = time.monotonic()
            self._voice_clock = None
            if self._voice_player is not None:
                self._voice_player.play()
            self._set_playing(True)
            return
        if self.skip_edits:
            # Jump one tick early rather than one tick late: a few ms of pause are inaudible,
            # a few ms of a deleted word are not.
            span = span_at(self._spans, pos) or span_at(self._spans, pos + int(TICK_MS * self._rate))
            if span is not None:
                self.seek(span.end_ms)
                pos = span.end_ms
        spot = self._due_spot(pos)
        if spot is not None:
            self._set_playing(True)
            self._enter_synth(spot, spot.elapsed_at(pos))
            return
        if self._player is not None:
            self._player.play()
        else:
            self._clock_base_ms = self.position()
            self._clock_started = time.monotonic()
        self._set_playing(True)

    def pause(self) -> None:
        self._stop_at = None
        if not self._playing:
            return
        if self._synth is not None:  # hold inside the new speech; play() goes on from here
            self._synth_base_ms = self._synth_elapsed()
            self._synth_started = None
            if self._voice_player is not None:
                self._voice_player.pause()
        elif self._player is not None:
            self._player.pause()
        else:
            self._clock_base_ms = self.position()
        self._set_playing(False)
        self.session.set_ui(position_ms=self.position())

    def toggle(self) -> None:
        self.pause() if self._playing else self.play()

    def stop_all(self) -> None:
        """K: pause, stop any preview, back to normal speed."""
        self.stop_preview()
        self.pause()
        self.set_rate(1.0)

    def faster(self) -> None:
        """L: play; pressed again while playing, play faster (up to 2x)."""
        if self._playing:
            self.set_rate(min(self._rate * RATE_STEP, MAX_RATE))
        else:
            self.play()

    def step_back(self, ms: int = STEP_MS) -> None:
        """J: jump back a few seconds."""
        self.seek(max(0, self.position() - ms))

    def set_rate(self, rate: float) -> None:
        if rate == self._rate:
            return
        if self._synth is not None and self._synth_started is not None and not self._voice_clock:
            self._synth_base_ms = self._synth_elapsed()
            self._synth_started = time.monotonic()
        if self._voice_player is not None:
            self._voice_player.setPlaybackRate(rate)
        if self._player is not None:
            self._player.setPlaybackRate(rate)
        else:
            self._clock_base_ms = self.position()
            self._clock_started = time.monotonic()
        self._rate = rate
        self.rateChanged.emit(rate)

    def set_skip_edits(self, on: bool) -> None:
        self.skip_edits = bool(on)
        if not self.skip_edits and self._synth is not None:  # the recording as it was, from here
            self.seek(self.position())
            if self._playing and self._player is not None:
                self._player.play()

    def seek(self, ms: int, user: bool = False) -> None:
        if user:
            self.stop_preview()
        was_synth = self._synth is not None
        self._drop_synth()
        self._seek_main(ms)
        if was_synth and self._playing:
            # the source was paused for the new speech: it plays on from the new position
            # (unless the next tick finds new speech there)
            if self._player is not None:
                self._player.play()
            else:
                self._clock_started = time.monotonic()

    def _seek_main(self, ms: int) -> None:
        """Put the source (or the silent clock) at ``ms`` and say so."""
        ms = max(0, min(int(ms), self._duration or int(ms)))
        if self._player is not None:
            self._player.setPosition(ms)
            self._seek_target = ms
            self._seek_at = time.monotonic()
        else:
            self._clock_base_ms = ms
            self._clock_started = time.monotonic()
        self.session.set_ui(position_ms=ms)
        self._emit_position(ms)

    def seek_samples(self, samples: int) -> None:
        self.seek(samples_to_ms(samples), user=True)

    def play_range(self, start_ms: int, end_ms: int) -> None:
        """Play source ``[start_ms, end_ms)`` as edited (cuts skipped), then pause: Play selection."""
        self.stop_preview()
        self.pause()
        self.skip_edits = True
        self.seek(start_ms)
        self.play()
        self._stop_at = int(end_ms)
        self._range = (int(start_ms), int(end_ms))

    def is_playing_range(self) -> bool:
        return self._stop_at is not None

    def playing_range(self) -> tuple[int, int] | None:
        """(start, end) ms of the Play-selection range playing now, or None."""
        return self._range if self._stop_at is not None and self._playing else None

    # ---- preview ------------------------------------------------------------
    def preview(self, start_ms: int, end_ms: int, pad_ms: int = PREVIEW_PAD_MS) -> None:
        """Loop a few seconds around an edit: as recorded, then as edited, until stopped."""
        lo = max(0, start_ms - pad_ms)
        hi = min(self._duration or end_ms + pad_ms, end_ms + pad_ms)
        self._preview = [(lo, hi, False), (lo, hi, True)]
        self._preview_i = 0
        self._start_segment()
        self.previewChanged.emit(True)

    def stop_preview(self) -> None:
        if self._preview:
            self._preview = []
            self.skip_edits = True
            self.pause()
            self.previewChanged.emit(False)

    def preview_segment(self) -> tuple[int, int, bool] | None:
        return self._preview[self._preview_i] if self._preview else None

    def _start_segment(self) -> None:
        lo, _, edited = self._preview[self._preview_i]
        self.skip_edits = edited
        self.seek(lo)
        if not self._playing:
            self.play()

    # ---- the clock ------------------------------------------------------------
    def _set_playing(self, playing: bool) -> None:
        if playing != self._playing:
            self._playing = playing
            if playing:
                self._timer.start()
            else:
                self._timer.stop()
            self.playingChanged.emit(playing)

    def _emit_position(self, ms: int) -> None:
        if ms != self._last_emitted:
            self._last_emitted = ms
            self.positionChanged.emit(ms)

    def _tick(self) -> None:
        if self._synth is not None:
            self._tick_synth()
            return
        if self._seek_target is not None:
            raw = int(self._player.position()) if self._player is not None else self._seek_target
            settled = abs(raw - self._seek_target) < 250 or time.monotonic() - self._seek_at > SEEK_SETTLE_MS / 1000
            if not settled:
                return
            self._seek_target = None
        pos = self.position()
        if self._range_ended(pos, near_duration=True):
            return
        if self.skip_edits:
            # Jump one tick early rather than one tick late: a few ms of pause are inaudible,
            # a few ms of a deleted word are not.
            span = span_at(self._spans, pos) or span_at(self._spans, pos + int(TICK_MS * self._rate))
            if span is not None:
                if self._duration and span.end_ms >= self._duration:
                    self.pause()
                    self.seek(self._duration)
                    return
                if self._stop_at is not None and span.end_ms >= self._stop_at:
                    stop = self._stop_at  # the rest of the selection is cut: stop where it ends
                    self.pause()
                    self.seek(stop)
                    return
                self.seek(span.end_ms)
                return
            spot = self._due_spot(pos)
            if spot is not None:
                self._enter_synth(spot, spot.elapsed_at(pos))
                self._emit_position(self.position())
                return
            if self._synth_done is not None and not spot_due([self._synth_done], pos, int(TICK_MS * self._rate)):
                self._synth_done = None
            self._preload_voice(pos)
        if self._player is None and self._duration and pos >= self._duration:
            self._clock_base_ms = self._duration
            self._set_playing(False)
            pos = self._duration
        self._emit_position(pos)

    def _range_ended(self, pos: int, *, near_duration: bool) -> bool:
        """At ``pos``: stop where Play selection ends, or move the preview to its next segment (also
        ``near_duration``: within 20 ms of the end). True when it acted and the tick is done."""
        if self._stop_at is not None and pos >= self._stop_at:
            stop = self._stop_at
            self.pause()
            self.seek(stop)
            return True
        if self._preview:
            _lo, hi, _ = self._preview[self._preview_i]
            if pos >= hi or (near_duration and self._duration and pos >= self._duration - 20):
                self._preview_i = (self._preview_i + 1) % len(self._preview)
                self._start_segment()
                return True
        return False

    def _tick_synth(self) -> None:
        """A tick while new speech plays: the playhead crosses the retyped words; at its end the source resumes."""
        spot = self._synth
        assert spot is not None
        if self._synth_started is None:
            return
        pos = self.position()
        if self._range_ended(pos, near_duration=False):
            return
        if self._synth_ended():
            self._leave_synth()
            return
        self._emit_position(pos)


class VideoView(QWidget):
    """Paints the controller's current frame, letterboxed (grab()-able, unlike a native video window)."""

    def __init__(self, player: PlaybackController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.setMinimumSize(160, 120)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        player.frameChanged.connect(self.update)
        player.session.projectOpened.connect(lambda _p: self.update())

    def sizeHint(self) -> QSize:
        return QSize(480, 360)

    def placeholder_text(self) -> str:
        """What the pane says where there is no picture ("" while a picture is shown or on its way)."""
        player = self.player
        if player.picture() is not None:
            return ""
        if not player.session.is_open and player.pending_source is None:
            return self.tr("Open a lecture video (File > Open, or drop it here)")
        current = player.pending_source or (player.session.project.source if player.session.project else None)
        poster_tried = current is not None and player.poster_source == str(Path(current).resolve())
        if player.playback_failed or (not player.has_media and poster_tried):
            return self.tr("No picture (the video cannot be played on this system)")
        return self.tr("Loading the picture\u2026")

    def paintEvent(self, event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(20, 20, 20))
        image = self.player.picture()
        if image is not None:
            size = image.size().scaled(self.size(), Qt.AspectRatioMode.KeepAspectRatio)
            x = (self.width() - size.width()) / 2
            y = (self.height() - size.height()) / 2
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
            p.drawImage(QRectF(x, y, size.width(), size.height()), image)
        else:
            p.setPen(QColor(160, 160, 160))
            text = self.placeholder_text()
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, text)
        p.end()


class PlayerWidget(QWidget):
    """The video with a transport row: play/pause, time, 'play edited' switch."""

    def __init__(self, player: PlaybackController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        self.video = VideoView(player, self)
        self.play_button = QToolButton(self)
        self.play_button.setAutoRaise(True)
        self.play_button.clicked.connect(player.toggle)
        self.clock_mode = CLOCK_BOTH
        self.time_label = QToolButton(self)
        self.time_label.setAutoRaise(True)
        self.time_label.setToolTip(self.tr("The recording's time and the edited lecture's time; click to show "
                                           "only one of them or both"))
        self.time_label.clicked.connect(self.cycle_clock)
        self.edited_box = QCheckBox(self.tr("Play edited"), self)
        self.edited_box.setToolTip(self.tr("Skip the deleted words while playing (off: play the recording as it was)"))
        self.edited_box.setChecked(player.skip_edits)
        self.edited_box.toggled.connect(player.set_skip_edits)
        self.rate_label = QLabel(self)
        row = QHBoxLayout()
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.play_button)
        row.addWidget(self.time_label)
        row.addStretch(1)
        row.addWidget(self.rate_label)
        row.addWidget(self.edited_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.video, 1)
        layout.addLayout(row)
        player.positionChanged.connect(self._update_time)
        player.durationChanged.connect(lambda _d: self._update_time(player.position()))
        player.spansChanged.connect(lambda: self._update_time(player.position()))
        player.playingChanged.connect(self._update_button)
        player.rateChanged.connect(lambda r: self.rate_label.setText("" if r == 1.0 else f"{r:g}\u00d7"))
        self._update_button(False)
        self._update_time(0)

    def _update_button(self, playing: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if playing else QStyle.StandardPixmap.SP_MediaPlay
        self.play_button.setIcon(self.style().standardIcon(icon))
        self.play_button.setToolTip(self.tr("Pause (Space)") if playing else self.tr("Play (Space)"))

    def cycle_clock(self) -> None:
        """Both clocks -> the recording's -> the edited lecture's -> both."""
        order = (CLOCK_BOTH, CLOCK_SOURCE, CLOCK_EDITED)
        self.set_clock_mode(order[(order.index(self.clock_mode) + 1) % len(order)])

    def set_clock_mode(self, mode: str) -> None:
        self.clock_mode = mode
        self._update_time(self.player.position())

    def clock_text(self) -> str:
        p = self.player
        source = f"{format_duration(p.position() / 1000)} / {format_duration(p.duration() / 1000)}"
        edited = self.tr("edited %1 / %2").replace("%1", format_duration(p.edited_position() / 1000)) \
            .replace("%2", format_duration(p.edited_duration() / 1000))
        if self.clock_mode == CLOCK_SOURCE:
            return source
        if self.clock_mode == CLOCK_EDITED:
            return edited
        return f"{source}  \u00b7  {edited}"

    def _update_time(self, _ms: int) -> None:
        self.time_label.setText(self.clock_text())
