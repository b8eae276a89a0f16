"""The timeline strip under the video: a time ruler, waveform, edits as markers, playhead.

The waveform peaks are computed by a worker (``app.waveform.waveform_peaks``) and
handed in with ``set_peaks``; the edits and the playhead come from the
session and the player. Click or drag to seek; Ctrl+wheel zooms around the
pointer, the wheel or the scrollbar (shown only when zoomed) scrolls a zoomed view.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPen, QPolygonF, QWheelEvent
from PySide6.QtWidgets import QScrollBar, QSizePolicy, QWidget

from .playback import samples_to_ms
from .player import PlaybackController
from .session import QtSession
from .waveform import PEAKS_PER_S
from .workers import format_duration, format_tenths

MIN_VISIBLE_MS = 2_000  # the deepest zoom shows two seconds
ZOOM_STEP = 1.25
MARKER_H = 6  # px, the edit markers along the top edge of the waveform
RULER_H = 16  # px, the time ruler above the waveform
MIN_TICK_PX = 70  # labelled ticks at least this far apart
TICK_STEPS_MS = (100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
                 900_000, 1_800_000, 3_600_000)
RULER_COLOR = QColor(110, 110, 118)

WAVE_COLOR = QColor(90, 130, 190)
CUT_COLOR = QColor(200, 60, 60, 90)
CUT_MARK = QColor(200, 60, 60)
RETYPE_COLOR = QColor(230, 160, 20, 90)
RETYPE_MARK = QColor(220, 140, 0)
PLAYHEAD_COLOR = QColor(20, 20, 20)


class TimelineWidget(QWidget):
    def __init__(self, session: QtSession, player: PlaybackController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self._peaks: np.ndarray | None = None  # derived from the source audio; not edit state
        self._scale = 1.0
        self._wave_cache: tuple[tuple, QPolygonF] | None = None
        self._view = (0, 0)  # visible source ms [start, end); (0, 0) = whole recording
        self._dragging = False
        self.scrollbar = QScrollBar(Qt.Orientation.Horizontal, self)
        self.scrollbar.hide()
        self.scrollbar.valueChanged.connect(self._on_scrollbar)
        self.setMinimumHeight(56 + RULER_H)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMouseTracking(False)
        self.setToolTip(self.tr("Waveform with the edits (red: cut, orange: retyped). "
                                "Click to seek, Ctrl+wheel to zoom."))
        session.projectOpened.connect(self._on_project)
        session.edlChanged.connect(lambda _p: self.update())
        player.positionChanged.connect(self._on_position)
        player.durationChanged.connect(lambda _d: self.update())
        player.spansChanged.connect(self.update)

    def sizeHint(self) -> QSize:
        return QSize(480, 72 + RULER_H)

    # ---- data -------------------------------------------------------------
    def set_peaks(self, peaks: np.ndarray | None) -> None:
        self._peaks = peaks
        # Normalise to the loud end of speech, not one click: the 99.5th percentile.
        self._scale = max(float(np.percentile(peaks, 99.5)), 1e-4) if peaks is not None and peaks.size else 1.0
        self.update()

    @property
    def peaks(self) -> np.ndarray | None:
        return self._peaks

    def _on_project(self, _project: object) -> None:
        self._peaks = None
        self._view = (0, 0)
        self._sync_scrollbar()
        self.update()

    def visible_range(self) -> tuple[int, int]:
        total = self.player.duration()
        if self._view == (0, 0) or total <= 0:
            return 0, max(total, 1)
        return self._view

    def x_of(self, ms: float) -> float:
        lo, hi = self.visible_range()
        return (ms - lo) * self.width() / max(hi - lo, 1)

    def ms_at(self, x: float) -> int:
        lo, hi = self.visible_range()
        return int(lo + x * (hi - lo) / max(self.width(), 1))

    # ---- painting -----------------------------------------------------------
    def _scroll_h(self) -> int:
        return self.scrollbar.sizeHint().height() if self.scrollbar.isVisibleTo(self) else 0

    def resizeEvent(self, event: object) -> None:
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._place_scrollbar()

    def _place_scrollbar(self) -> None:
        sh = self.scrollbar.sizeHint().height()
        self.scrollbar.setGeometry(0, self.height() - sh, self.width(), sh)

    def paintEvent(self, _event: object) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(245, 245, 247))
        w = self.width()
        h = self.height() - RULER_H - self._scroll_h()  # the waveform's band
        self._paint_ruler(p, w)
        p.translate(0, RULER_H)
        mid = (h + MARKER_H) / 2
        project = self.session.project
        if project is not None:
            self._paint_wave(p, w, h - MARKER_H, mid)
            self._paint_edits(p, h)
        x = self.x_of(self.player.position())
        p.setPen(QPen(PLAYHEAD_COLOR, 1.5))
        p.drawLine(QPointF(x, -RULER_H), QPointF(x, h))
        p.setPen(QColor(200, 200, 205))
        p.drawLine(0, h - 1, w, h - 1)
        p.end()

    def tick_step_ms(self) -> int:
        """The ruler's labelled step: the finest that keeps labels MIN_TICK_PX apart."""
        lo, hi = self.visible_range()
        ms_per_px = (hi - lo) / max(self.width(), 1)
        return next((s for s in TICK_STEPS_MS if s / ms_per_px >= MIN_TICK_PX), TICK_STEPS_MS[-1])

    def _paint_ruler(self, p: QPainter, w: int) -> None:
        if self.player.duration() <= 0:
            return
        lo, hi = self.visible_range()
        step = self.tick_step_ms()
        p.setPen(RULER_COLOR)
        font = p.font()
        font.setPointSizeF(max(font.pointSizeF() * 0.8, 6.0))
        p.setFont(font)
        t = (lo // step) * step
        while t <= hi:
            x = self.x_of(t)
            if x >= -1:
                p.drawLine(QPointF(x, RULER_H - 5), QPointF(x, RULER_H))
                label = format_duration(t / 1000) if step >= 1000 else format_tenths(t)
                p.drawText(QPointF(x + 3, RULER_H - 5), label)
            half = self.x_of(t + step / 2)
            p.drawLine(QPointF(half, RULER_H - 2), QPointF(half, RULER_H))
            t += step
        p.setPen(QColor(215, 215, 220))
        p.drawLine(0, RULER_H - 1, w, RULER_H - 1)

    def _paint_wave(self, p: QPainter, w: int, h: float, mid: float) -> None:
        peaks = self._peaks
        if peaks is None or peaks.size == 0 or w <= 0:
            p.setPen(QColor(170, 170, 175))
            p.drawLine(QPointF(0, mid), QPointF(w, mid))
            return
        lo, hi = self.visible_range()
        key = (lo, hi, w, h, id(peaks))
        if self._wave_cache is None or self._wave_cache[0] != key:  # repainted ~60x/s while playing
            i0 = max(0, int(lo * PEAKS_PER_S / 1000))
            i1 = min(len(peaks), max(i0 + 1, int(hi * PEAKS_PER_S / 1000)))
            window = peaks[i0:i1]
            if window.size == 0:
                return
            # One column per pixel: the loudest peak in the pixel's time slice.
            edges = np.minimum(np.linspace(0, window.size, w + 1).astype(int), window.size - 1)  # (w+1,)
            cols = np.maximum.reduceat(window, edges[:-1]) if window.size > 1 else np.repeat(window, w)  # (w,)
            # Python floats, not numpy scalars: shiboken mis-counts references on numpy scalars (crash).
            amp = (np.clip(cols / self._scale, 0, 1) * (h / 2 - 2)).tolist()
            top = [QPointF(x, mid - a) for x, a in enumerate(amp)]
            bottom = [QPointF(x, mid + a) for x, a in enumerate(amp)]
            self._wave_cache = (key, QPolygonF(top + bottom[::-1]))
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(WAVE_COLOR)
        p.drawPolygon(self._wave_cache[1])

    def _paint_edits(self, p: QPainter, h: int) -> None:
        project = self.session.project
        words = project.transcript.words
        p.setPen(Qt.PenStyle.NoPen)
        for span in self.player.spans:
            x0, x1 = self.x_of(span.start_ms), self.x_of(span.end_ms)
            p.fillRect(QRectF(x0, 0, max(x1 - x0, 1.5), h), CUT_COLOR)
            p.fillRect(QRectF(x0, 0, max(x1 - x0, 3), MARKER_H), CUT_MARK)
        for r in project.edl.replacements:
            if r.start < len(words):
                t0 = samples_to_ms(words[r.start].start)
                t1 = samples_to_ms(words[r.end - 1].end) if r.end > r.start else t0
            else:
                t0 = t1 = samples_to_ms(words[-1].end) if words else 0
            x0, x1 = self.x_of(t0), self.x_of(t1)
            p.fillRect(QRectF(x0, 0, max(x1 - x0, 2), h), RETYPE_COLOR)
            p.fillRect(QRectF(x0 - 1, 0, max(x1 - x0, 3), MARKER_H), RETYPE_MARK)

    # ---- input ---------------------------------------------------------------
    def _on_position(self, ms: int) -> None:
        lo, hi = self.visible_range()
        if self._view != (0, 0) and self.player.is_playing() and not lo <= ms < hi:
            span = hi - lo
            self._set_view(ms - span // 10, ms - span // 10 + span)  # page along with the playhead
        self.update()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.session.is_open:
            self._dragging = True
            self.player.seek(self.ms_at(event.position().x()), user=True)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._dragging:
            self.player.seek(self.ms_at(event.position().x()), user=True)

    def mouseReleaseEvent(self, _event: QMouseEvent) -> None:
        self._dragging = False

    def wheelEvent(self, event: QWheelEvent) -> None:
        total = self.player.duration()
        if total <= 0:
            return
        lo, hi = self.visible_range()
        steps = event.angleDelta().y() / 120
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            anchor = self.ms_at(event.position().x())
            span = (hi - lo) / (ZOOM_STEP ** steps)
            span = min(max(span, MIN_VISIBLE_MS), total)
            frac = (anchor - lo) / max(hi - lo, 1)
            self._set_view(int(anchor - frac * span), int(anchor - frac * span + span))
        elif self._view != (0, 0):
            shift = int(-steps * (hi - lo) / 8)
            self._set_view(lo + shift, hi + shift)
        event.accept()

    def zoom(self, factor: float) -> None:
        """Zoom around the playhead (factor > 1 zooms in)."""
        total = self.player.duration()
        if total <= 0:
            return
        lo, hi = self.visible_range()
        span = min(max((hi - lo) / factor, MIN_VISIBLE_MS), total)
        centre = self.player.position()
        self._set_view(int(centre - span / 2), int(centre + span / 2))

    def _set_view(self, lo: int, hi: int) -> None:
        total = self.player.duration()
        span = hi - lo
        if span >= total:
            self._view = (0, 0)
        else:
            lo = min(max(lo, 0), total - span)
            self._view = (lo, lo + span)
        self._sync_scrollbar()
        self.update()

    def _sync_scrollbar(self) -> None:
        zoomed = self._view != (0, 0)
        bar = self.scrollbar
        bar.blockSignals(True)
        if zoomed:
            lo, hi = self._view
            bar.setRange(0, max(self.player.duration() - (hi - lo), 0))
            bar.setPageStep(hi - lo)
            bar.setSingleStep(max((hi - lo) // 10, 1))
            bar.setValue(lo)
        bar.blockSignals(False)
        if zoomed != bar.isVisibleTo(self):
            bar.setVisible(zoomed)
            self._place_scrollbar()

    def _on_scrollbar(self, value: int) -> None:
        lo, hi = self.visible_range()
        self._set_view(value, value + hi - lo)
