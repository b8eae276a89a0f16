"""The edit list panel: every edit with its state, a preview and a restore button.

The rows are derived from the session's edit list each time it changes
(``edits_of`` is a pure function); selecting a row selects the words in the
transcript, Preview loops a few seconds around the edit as recorded and as
edited, Restore undoes that one edit (itself an undoable step).
"""

from __future__ import annotations

from dataclasses import dataclass

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
from .workers import format_tenths

# Edit states, in the order an edit goes through them.
CUT = "cut"
VOICE_PENDING = "voice pending"
VOICE_READY = "voice ready"
LIPS_READY = "lips ready"
NEEDS_REVIEW = "needs review"
MAX_SHOWN_WORDS = 8
MIN_ROWS = 5  # the list always shows at least this many edits


def state_label(state: str) -> str:
    return {
        CUT: QCoreApplication.translate("EditList", "cut"),
        VOICE_PENDING: QCoreApplication.translate("EditList", "voice pending"),
        VOICE_READY: QCoreApplication.translate("EditList", "voice ready"),
        LIPS_READY: QCoreApplication.translate("EditList", "lips ready"),
        NEEDS_REVIEW: QCoreApplication.translate("EditList", "needs review"),
    }.get(state, state)


@dataclass(frozen=True)
class EditEntry:
    kind: str  # "cut" | "retype" | "insert"
    a: int  # source words [a, b)
    b: int
    start_ms: int
    end_ms: int
    before: str
    after: str
    state: str
    review: bool  # a word at the edit's edges was recognised with low confidence: listen to the join


def _clip(words: list[str]) -> str:
    return " ".join(words[:MAX_SHOWN_WORDS]) + (" \u2026" if len(words) > MAX_SHOWN_WORDS else "")


def retype_state(project: Project, a: int, b: int, text: str) -> str:
    """How far the new speech for a retype has got.

    No voice synthesis exists in the engine yet, so every retype is pending;
    once it does, this asks its cache (voice ready -> lips ready).
    """
    return VOICE_PENDING


def edits_of(project: Project) -> list[EditEntry]:
    """Every edit of the current edit list, in source order (pure)."""
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
    for r in edl.replacements:
        t0, t1 = times(r.start, r.end)
        kind = "insert" if r.is_insertion else "retype"
        out.append(EditEntry(kind, r.start, r.end, t0, t1, _clip([w.text for w in words[r.start:r.end]]),
                             _clip(r.text.split()), retype_state(project, r.start, r.end, r.text),
                             review(r.start, r.end)))
    out.sort(key=lambda e: (e.a, e.b))
    return out


class EditListPanel(QWidget):
    rangeActivated = Signal(int, int)  # the user picked an edit: select words [a, b)

    def __init__(self, session: QtSession, player: PlaybackController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
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
        row = QHBoxLayout()
        row.addWidget(self.summary, 1)
        row.addWidget(self.preview_button)
        row.addWidget(self.restore_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tree, 1)
        layout.addLayout(row)
        session.projectOpened.connect(self._refresh)
        session.edlChanged.connect(self._refresh)
        player.previewChanged.connect(self._on_preview_changed)
        self._refresh()

    @property
    def entries(self) -> list[EditEntry]:
        return list(self._entries)

    def _refresh(self, _project: object = None) -> None:
        project = self.session.project
        selected = self.selected_entry()
        self._entries = edits_of(project) if project is not None else []
        self.tree.blockSignals(True)
        self.tree.clear()
        items = []
        for e in self._entries:
            if e.kind == CUT:
                what = "\u2212 " + e.before
            elif e.kind == "insert":
                what = "+ " + e.after
            else:
                what = f"{e.before} \u2192 {e.after}"
            state = state_label(e.state) + (", " + state_label(NEEDS_REVIEW) if e.review else "")
            item = QTreeWidgetItem([format_tenths(e.start_ms), what, state])
            item.setToolTip(1, what)
            color = QColor(176, 64, 64) if e.kind == CUT else QColor(150, 95, 0)
            item.setForeground(1, QBrush(color))
            if e.review:
                item.setToolTip(2, self.tr("A word next to this edit was recognised with low confidence: "
                                           "listen to the preview"))
            items.append(item)
        self.tree.addTopLevelItems(items)
        if selected is not None:
            for k, e in enumerate(self._entries):
                if (e.a, e.b, e.kind) == (selected.a, selected.b, selected.kind):
                    self.tree.setCurrentItem(self.tree.topLevelItem(k))
        self.tree.blockSignals(False)
        cuts = sum(e.kind == CUT for e in self._entries)
        self.summary.setText(self.tr("%n cuts", "", cuts) + ", " + self.tr("%n retypes", "", len(self._entries) - cuts))
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
        has = self.selected_entry() is not None
        self.preview_button.setEnabled(has or self.player.is_previewing())
        self.restore_button.setEnabled(has)

    def preview_selected(self) -> None:
        e = self.selected_entry()
        if e is not None:
            self.player.preview(e.start_ms, e.end_ms)

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
