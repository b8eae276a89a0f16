"""The edit list panel: every edit with its state, a preview and a restore button.

The rows are derived from the session's edit list each time it changes
(``edits_of`` is a pure function); selecting a row selects the words in the
transcript, Preview loops a few seconds around the edit as recorded and as
edited, Restore undoes that one edit (itself an undoable step).

A retype's row says how its new speech stands, as the engine reports it: "voice ready ·
reused from 0:12.3" (the recorded words it reuses start there), "voice ready · built from
units" (the lecturer's own phones), "generic voice" (a text-to-speech voice: flagged, never
silent about itself), or "voice pending" with the engine's one-line reason when it cannot say
it; a tuned voice adds its tuning ("+2 dB, 110 %"). Voice… opens the voice panel of the
selected retype (``voice_panel.VoicePanel``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from PySide6.QtCore import QCoreApplication, Signal
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lecturecut.synthesis.project import Project

from .playback import samples_to_ms
from .player import PlaybackController
from .session import QtSession
from .transcript_view import LOW_CONFIDENCE
from .voice import FAILED, READY, VoiceStatus, VoiceSynthesizer
from .workers import format_tenths

# Edit states, in the order an edit goes through them.
CUT = "cut"
PAUSE = "pause"  # a shortened pause (its kind and its state)
VOICE_PENDING = "voice pending"
VOICE_READY = "voice ready"
LIPS_READY = "lips ready"
NEEDS_REVIEW = "needs review"
MAX_SHOWN_WORDS = 8
MIN_ROWS = 5  # the list always shows at least this many edits
MAX_REASON_CHARS = 70  # a pending retype's reason is clipped to this in its row (in full in the tooltip)
# the engine's methods (voice.record.METHOD_*), spelled here so the list needs no voice engine import
METHOD_REUSED, METHOD_UNITS, METHOD_GENERIC = "reused", "units", "generic"
GENERIC_COLOR = QColor(170, 40, 120)  # a generic voice's row stands out: it is not the lecturer
WEAK_LIPS_COLOR = QColor(190, 90, 0)  # regenerated lips whose sync score is weak: watch the edit


def state_label(state: str) -> str:
    return {
        CUT: QCoreApplication.translate("EditList", "cut"),
        PAUSE: QCoreApplication.translate("EditList", "pause shortened"),
        VOICE_PENDING: QCoreApplication.translate("EditList", "voice pending"),
        VOICE_READY: QCoreApplication.translate("EditList", "voice ready"),
        LIPS_READY: QCoreApplication.translate("EditList", "lips ready"),
        NEEDS_REVIEW: QCoreApplication.translate("EditList", "needs review"),
    }.get(state, state)


@dataclass(frozen=True)
class EditEntry:
    kind: str  # "cut" | "retype" | "insert" | "pause"
    a: int  # source words [a, b) (an insertion or a pause: a == b, before word a)
    b: int
    start_ms: int
    end_ms: int
    before: str
    after: str
    state: str
    review: bool  # a word at the edit's edges was recognised with low confidence: listen to the join
    method: str = ""  # VOICE_READY: the engine's method ("reused", "units", "generic")
    source_ms: int | None = None  # reused: where the recorded words it reuses start
    reason: str = ""  # VOICE_PENDING after the engine said why it cannot say it
    tuning: Any = None  # a retype's edl.VoiceTuning (None for a cut)
    replacement: Any = None  # the edl.Replacement of a retype or insertion
    lips: Any = None  # the lips engine's last result under it (lips.LipsResult, with its sync), None: not yet

    @property
    def generic(self) -> bool:
        return self.state == VOICE_READY and self.method == METHOD_GENERIC


def _clip(words: list[str]) -> str:
    return " ".join(words[:MAX_SHOWN_WORDS]) + (" \u2026" if len(words) > MAX_SHOWN_WORDS else "")


def engine_listing(project: Project) -> dict[Any, VoiceStatus]:
    """The engine's own word on every retype (``voice.synthesized_spans``: its cache, no synthesis)."""
    from lecturecut.synthesis.voice import synthesized_spans

    from .jobs import voice_rate

    if project.fingerprint is None or project.media is None:
        return {}  # not a recording the engine can have spoken for (a hand-made project)
    return {e.replacement: VoiceStatus(READY if e.record is not None else "pending", e.record)
            for e in synthesized_spans(project, voice_rate(project))}


def retype_state(project: Project, status: VoiceStatus | None) -> tuple[str, str, int | None, str]:
    """(state, method, where reused speech comes from in ms, reason) of one retype's new speech.

    ``status`` is what the engine said about it: its listing or a synthesis the app ran
    (``voice.VoiceSynthesizer``); None: nothing yet (pending).
    """
    if status is None:
        return VOICE_PENDING, "", None, ""
    if status.state == FAILED:
        return VOICE_PENDING, "", None, status.reason
    record = status.record
    if status.state != READY or record is None:
        return VOICE_PENDING, "", None, ""
    source_ms = None
    words = project.transcript.words
    for use in record.sources:
        if use.method == METHOD_REUSED and use.words[1] > use.words[0] and use.words[0] < len(words):
            source_ms = samples_to_ms(words[use.words[0]].start)
            break
    return VOICE_READY, record.method, source_ms, ""


def remembered_lips(status: VoiceStatus | None) -> Any:
    """The lips result remembered for a spoken retype at its last export or preview (None: not yet)."""
    if status is None or status.state != READY or status.record is None:
        return None
    from lecturecut.synthesis.lips.record import recall

    return recall(getattr(status.record, "key", "") or "")


def edits_of(project: Project, voice: Mapping[Any, VoiceStatus] | None = None) -> list[EditEntry]:
    """Every edit of the current edit list, in source order (pure but for the engine's listing).

    ``voice``: what the app's voice worker knows of each retype; without it the engine's
    cache is asked here (cheap on short lectures; the app asks on its worker instead).
    """
    if voice is None:
        voice = engine_listing(project) if project.edl.replacements else {}
    words = project.transcript.words
    n = len(words)
    edl = project.edl

    def times(a: int, b: int) -> tuple[int, int]:
        if a >= n:
            t = samples_to_ms(words[-1].end) if words else 0
            return t, t
        if b <= a:
            t = samples_to_ms(words[a].start)
            return t, t
        return samples_to_ms(words[a].start), samples_to_ms(words[b - 1].end)

    def review(a: int, b: int) -> bool:
        return any(words[i].probability < LOW_CONFIDENCE for i in range(max(0, a - 1), min(n, b + 1)))

    out: list[EditEntry] = []
    for a, b in edl.deleted_runs():
        t0, t1 = times(a, b)
        out.append(EditEntry(CUT, a, b, t0, t1, _clip([w.text for w in words[a:b]]), "", CUT, review(a, b)))
    for p in edl.pauses:
        t0, t1 = samples_to_ms(words[p.before - 1].end), samples_to_ms(words[p.before].start)
        out.append(EditEntry(PAUSE, p.before, p.before, t0, t1, f"{(t1 - t0) / 1000:.1f} s",
                             f"{p.keep_ms / 1000:.1f} s", PAUSE, False))
    for r in edl.replacements:
        t0, t1 = times(r.start, r.end)
        kind = "insert" if r.is_insertion else "retype"
        state, method, source_ms, reason = retype_state(project, voice.get(r))
        out.append(EditEntry(kind, r.start, r.end, t0, t1, _clip([w.text for w in words[r.start:r.end]]),
                             _clip(r.text.split()), state, review(r.start, r.end), method, source_ms, reason,
                             getattr(r, "tuning", None), r,
                             remembered_lips(voice.get(r)) if state == VOICE_READY else None))
    out.sort(key=lambda e: (e.a, e.b))
    return out


def tuning_text(tuning: Any) -> str:
    """A voice tuning in a few characters: "+2 dB, 110 %, -40 ms, chosen occurrence" ("" for none)."""
    if tuning is None or tuning.is_default:
        return ""
    parts = []
    if tuning.gain_db:
        parts.append(f"{tuning.gain_db:+g} dB")
    if tuning.tempo != 1.0:
        parts.append(f"{round(tuning.tempo * 100)} %")
    if tuning.shift_ms:
        parts.append(f"{tuning.shift_ms:+d} ms")
    if tuning.choices:
        parts.append(QCoreApplication.translate("EditList", "chosen occurrence"))
    return ", ".join(parts)


def voice_text(e: EditEntry) -> str:
    """What a retype's row says about its new speech (translated), without the review flag."""
    translate = QCoreApplication.translate
    if e.state == VOICE_READY:
        if e.method == METHOD_GENERIC:
            text = translate("EditList", "generic voice")
        elif e.method == METHOD_UNITS:
            text = translate("EditList", "voice ready · built from units")
        elif e.source_ms is not None:
            text = translate("EditList", "voice ready · reused from %1").replace("%1", format_tenths(e.source_ms))
        else:
            text = state_label(VOICE_READY)
    elif e.reason:
        reason = e.reason if len(e.reason) <= MAX_REASON_CHARS else e.reason[:MAX_REASON_CHARS - 1] + "…"
        text = translate("EditList", "voice pending: %1").replace("%1", reason)
    else:
        text = state_label(e.state)
    if e.lips is not None and e.lips.changed:  # the mouth was regenerated: its sync score flags a weak one
        text += " · " + (translate("EditList", "weak lip sync") if e.lips.weak else state_label(LIPS_READY))
    tuned = tuning_text(e.tuning)
    return f"{text} · {tuned}" if tuned else text


class EditListPanel(QWidget):
    rangeActivated = Signal(int, int)  # the user picked an edit: select words [a, b)

    def __init__(self, session: QtSession, player: PlaybackController, parent: QWidget | None = None,
                 voice: VoiceSynthesizer | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.voice = voice
        self.voice_panel: Any = None  # the open voice_panel.VoicePanel, if any
        self._entries: list[EditEntry] = []
        self.tree = QTreeWidget(self)
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.setAlternatingRowColors(True)
        self.tree.setHeaderLabels([self.tr("Time"), self.tr("Edit"), self.tr("State")])
        header = self.tree.header()
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.ResizeToContents)
        # Room for a few edits at a glance (MIN_ROWS rows and the header), whatever the splitter says.
        row_h = self.tree.fontMetrics().height() + 6
        self.tree.setMinimumHeight(row_h * (MIN_ROWS + 1) + 2 * self.tree.frameWidth())
        self.tree.itemSelectionChanged.connect(self._on_selection)
        self.tree.itemDoubleClicked.connect(lambda _i, _c: self.preview_selected())
        self.summary = QLabel(self)
        self.preview_button = QPushButton(self.tr("Preview"), self)
        self.preview_button.setToolTip(self.tr("Loop a few seconds around the edit: as recorded, then as edited"))
        self.preview_button.clicked.connect(self._toggle_preview)
        self.restore_button = QPushButton(self.tr("Restore"), self)
        self.restore_button.setToolTip(self.tr("Undo this edit (the words come back as recorded)"))
        self.restore_button.clicked.connect(self.restore_selected)
        self.voice_button = QPushButton(self.tr("Voice…"), self)
        self.voice_button.setToolTip(self.tr("Choose which recorded words say the retype, and adjust its "
                                             "loudness, speed and timing"))
        self.voice_button.clicked.connect(self.open_voice_panel)
        self.voice_button.setVisible(voice is not None)
        self.watch_button = QPushButton(self.tr("Watch\u2026"), self)
        self.watch_button.setToolTip(self.tr("Render this edit as it will be exported (new speech, the mouth "
                                             "regenerated, cuts smoothed) and play it: as recorded, then as edited"))
        self.watch_button.clicked.connect(self.watch_selected)
        self.watch_dialog: Any = None  # the open edit_preview.EditPreviewDialog, if any
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.voice_button)
        row.addWidget(self.preview_button)
        row.addWidget(self.watch_button)
        row.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        session.projectOpened.connect(self._refresh)
        session.edlChanged.connect(self._refresh)
        player.previewChanged.connect(self._on_preview_changed)
        if voice is not None:
            voice.statesChanged.connect(self._refresh)
        self._refresh()

    @property
    def entries(self) -> list[EditEntry]:
        return list(self._entries)

    def _refresh(self, _project: object = None) -> None:
        project = self.session.project
        selected = self.selected_entry()
        if project is None:
            self._entries = []
        else:
            # the app's voice worker asks the engine in the background; alone, the list asks itself
            self._entries = edits_of(project, self.voice.states if self.voice is not None else None)
        self.tree.blockSignals(True)
        self.tree.clear()
        items = []
        for e in self._entries:
            if e.kind == CUT:
                what = "\u2212 " + e.before
            elif e.kind == PAUSE:
                what = f"\u2016 {e.before} \u2192 {e.after}"
            elif e.kind == "insert":
                what = "+ " + e.after
            else:
                what = f"{e.before} \u2192 {e.after}"
            state = state_label(e.state) if e.kind in (CUT, PAUSE) else voice_text(e)
            state += ", " + state_label(NEEDS_REVIEW) if e.review else ""
            item = QTreeWidgetItem([format_tenths(e.start_ms), what, state])
            item.setToolTip(1, what)
            color = QColor(176, 64, 64) if e.kind in (CUT, PAUSE) else QColor(150, 95, 0)
            item.setForeground(1, QBrush(color))
            tips = []
            if e.generic:
                item.setForeground(2, QBrush(GENERIC_COLOR))
                tips.append(self.tr("A generic text-to-speech voice says these words, not the lecturer: the "
                                    "lecture lacks a sound they need"))
            if e.reason:
                tips.append(e.reason)
            if e.lips is not None:
                tips.append(e.lips.summary)  # "lips: own mouth, 50/50 frames, weak sync 0.21"
                if e.lips.weak:
                    item.setForeground(2, QBrush(WEAK_LIPS_COLOR))
            if e.review:
                tips.append(self.tr("A word next to this edit was recognised with low confidence: "
                                    "listen to the preview"))
            if tips:
                item.setToolTip(2, "\n".join(tips))
            items.append(item)
        self.tree.addTopLevelItems(items)
        if selected is not None:
            for k, e in enumerate(self._entries):
                if (e.a, e.b, e.kind) == (selected.a, selected.b, selected.kind):
                    self.tree.setCurrentItem(self.tree.topLevelItem(k))
        self.tree.blockSignals(False)
        cuts = sum(e.kind == CUT for e in self._entries)
        pauses = sum(e.kind == PAUSE for e in self._entries)
        summary = self.tr("%n cuts", "", cuts) + ", " + self.tr("%n retypes", "", len(self._entries) - cuts - pauses)
        if pauses:
            summary += ", " + self.tr("%n pauses shortened", "", pauses)
        self.summary.setText(summary)
        self._update_buttons()

    def selected_entry(self) -> EditEntry | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        k = self.tree.indexOfTopLevelItem(item)
        return self._entries[k] if 0 <= k < len(self._entries) else None

    def select_entry(self, k: int) -> None:
        self.tree.setCurrentItem(self.tree.topLevelItem(k))

    def _on_selection(self) -> None:
        e = self.selected_entry()
        if e is not None:
            self.rangeActivated.emit(e.a, e.b)
            if not self.player.is_previewing():
                self.player.seek(max(0, e.start_ms - 500), user=True)
        self._update_buttons()

    def _update_buttons(self) -> None:
        e = self.selected_entry()
        has = e is not None
        self.preview_button.setEnabled(has or self.player.is_previewing())
        self.restore_button.setEnabled(has)
        project = self.session.project
        self.watch_button.setEnabled(has and project is not None and project.media is not None
                                     and project.media.video is not None)
        self.voice_button.setEnabled(e is not None and e.kind not in (CUT, PAUSE) and self.voice is not None)

    def open_voice_panel(self) -> Any:
        """The voice panel of the selected retype (one at a time: it follows the selection)."""
        e = self.selected_entry()
        if e is None or e.kind in (CUT, PAUSE) or self.voice is None:
            return None
        from .voice_panel import VoicePanel

        if self.voice_panel is not None:
            self.voice_panel.close()
        panel = VoicePanel(self.session, self.voice, e.a, e.b, self.player, self.window())
        panel.destroyed.connect(lambda _o=None, p=panel: self._panel_gone(p))
        self.voice_panel = panel
        panel.show()
        return panel

    def _panel_gone(self, panel: object) -> None:
        if self.voice_panel is panel:
            self.voice_panel = None

    def preview_selected(self) -> None:
        e = self.selected_entry()
        if e is not None:
            self.player.preview(e.start_ms, e.end_ms)

    def watch_selected(self, use_media: bool = True) -> Any:
        """Render the selected edit as exported and play it in its own window (one at a time)."""
        e = self.selected_entry()
        project = self.session.project
        if e is None or project is None:
            return None
        from .edit_preview import EditPreviewDialog

        if self.watch_dialog is not None:
            self.watch_dialog.close()
        number = self._entries.index(e) + 1  # the engine numbers edits in the list's order (moment.edits)
        if e.kind == CUT:
            title = "\u2212 " + e.before
        elif e.kind == PAUSE:
            title = f"\u2016 {e.before} \u2192 {e.after}"
        elif e.kind == "insert":
            title = "+ " + e.after
        else:
            title = f"{e.before} \u2192 {e.after}"
        if self.player.is_previewing():
            self.player.stop_preview()
        self.player.pause()
        dialog = EditPreviewDialog(self.session, number, title, self.window(), use_media=use_media)
        dialog.finished.connect(lambda _r, d=dialog: self._watch_gone(d))
        self.watch_dialog = dialog
        dialog.show()
        dialog.start()
        return dialog

    def _watch_gone(self, dialog: object) -> None:
        if self.watch_dialog is dialog:
            self.watch_dialog = None

    def _toggle_preview(self) -> None:
        if self.player.is_previewing():
            self.player.stop_preview()
        else:
            self.preview_selected()

    def _on_preview_changed(self, on: bool) -> None:
        self.preview_button.setText(self.tr("Stop preview") if on else self.tr("Preview"))
        self._update_buttons()

    def restore_selected(self) -> None:
        e = self.selected_entry()
        if e is not None:
            self.session.restore(e.a, e.b)
