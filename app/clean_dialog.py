"""Edit → Clean Up…: fillers, repeats, false starts and long pauses, found and removed in one step.

The dialog asks the engine (``synthesis.clean.find``: it reads the transcript, never transcribes, and
takes well under a second for an hour) and lists what it found with a count per kind. Each row has
a check box: checked rows are removed when the user clicks Apply, so the list is both "remove all
of a kind" (the kind's button checks exactly that kind) and a walk through them one by one (Play
loops the selected finding as recorded, with the main player). Applying is one ordinary, undoable
step of the edit list (``synthesis.clean.apply``), labelled with what it removed; the edit list
then shows every cut and every shortened pause, each restorable on its own.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from lecturecut.synthesis import clean

from .player import PlaybackController
from .session import QtSession
from .workers import format_tenths


def kind_label(kind: clean.Kind) -> str:
    translate = QCoreApplication.translate
    return {
        clean.Kind.FILLER: translate("CleanDialog", "filler"),
        clean.Kind.REPEAT: translate("CleanDialog", "repeat"),
        clean.Kind.FALSE_START: translate("CleanDialog", "false start"),
        clean.Kind.PAUSE: translate("CleanDialog", "long pause"),
    }[kind]


class CleanDialog(QDialog):
    """Find what to clean up in the session's project, choose, apply as one undoable step."""

    def __init__(self, session: QtSession, player: PlaybackController | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.findings: list[clean.Finding] = []
        self.result: clean.CleanResult | None = None
        self.setWindowTitle(self.tr("Clean Up"))
        self.fillers = QCheckBox(self.tr("Filler words (uh, um, äh, ähm)"), self)
        self.repeats = QCheckBox(self.tr("Repeated words and false starts"), self)
        self.pauses = QCheckBox(self.tr("Pauses longer than"), self)
        for box in (self.fillers, self.repeats, self.pauses):
            box.setChecked(True)
            box.toggled.connect(self.find)
        self.longer = self._seconds(0.2, 30.0, clean.DEFAULT_PAUSE_S)
        self.keep = self._seconds(0.1, 10.0, clean.DEFAULT_KEEP_S)
        self.keep.setMaximum(self.longer.value() - 0.1)  # a shortened pause is shorter than the threshold
        self.longer.valueChanged.connect(lambda v: self.keep.setMaximum(max(v - 0.1, self.keep.minimum())))
        for spin in (self.longer, self.keep):
            spin.valueChanged.connect(self.find)
        pause_row = QHBoxLayout()
        pause_row.addWidget(self.pauses)
        pause_row.addWidget(self.longer)
        pause_row.addWidget(QLabel(self.tr("shortened to"), self))
        pause_row.addWidget(self.keep)
        pause_row.addStretch(1)

        self.tree = QTreeWidget(self)
        self.tree.setHeaderLabels([self.tr("Time"), self.tr("Kind"), self.tr("Found"), self.tr("Why")])
        self.tree.setRootIsDecorated(False)
        self.tree.header().setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self.tree.itemChanged.connect(lambda *_: self._update_counts())
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.counts = QLabel(self)
        self.kind_buttons: dict[clean.Kind, QPushButton] = {}
        kinds_row = QHBoxLayout()
        for kind in clean.Kind:
            button = QPushButton(self)
            button.clicked.connect(lambda _c=False, k=kind: self.check_only(k))
            button.setToolTip(self.tr("Check exactly the findings of this kind"))
            self.kind_buttons[kind] = button
            kinds_row.addWidget(button)
        kinds_row.addStretch(1)
        self.play_button = QPushButton(self.tr("Play"), self)
        self.play_button.setToolTip(self.tr("Loop the selected finding as recorded and as it would be edited"))
        self.play_button.clicked.connect(self.play_selected)
        kinds_row.addWidget(self.play_button)

        self.buttons = QDialogButtonBox(self)
        self.apply_button = self.buttons.addButton(self.tr("Remove Checked"), QDialogButtonBox.ButtonRole.AcceptRole)
        self.apply_button.clicked.connect(self.apply_checked)
        close = self.buttons.addButton(QDialogButtonBox.StandardButton.Close)
        close.clicked.connect(self.reject)
        self.status = QLabel(self)
        self.status.setWordWrap(True)
        self.note = QLabel(self)  # where fillers Whisper left out were not listened for (an older project)
        self.note.setWordWrap(True)

        layout = QVBoxLayout(self)
        layout.addWidget(self.fillers)
        layout.addWidget(self.repeats)
        layout.addLayout(pause_row)
        layout.addWidget(self.counts)
        layout.addWidget(self.note)
        layout.addWidget(self.tree, 1)
        layout.addLayout(kinds_row)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self.resize(720, 480)
        self.find()

    def _seconds(self, lo: float, hi: float, value: float) -> QDoubleSpinBox:
        """A spin box of seconds in tenths."""
        box = QDoubleSpinBox(self)
        box.setRange(lo, hi)
        box.setSingleStep(0.1)
        box.setDecimals(1)
        box.setSuffix(" s")
        box.setValue(value)
        return box

    # ---- finding ------------------------------------------------------------------------------
    def options(self) -> clean.CleanOptions:
        return clean.CleanOptions(fillers=self.fillers.isChecked(), repeats=self.repeats.isChecked(),
                                  pauses=self.pauses.isChecked(), pause_longer_than_s=self.longer.value(),
                                  keep_s=self.keep.value())

    def find(self, *_args: Any) -> None:
        project = self.session.project
        try:
            self.findings = [] if project is None else list(clean.find(project, self.options()))
        except clean.CleanError as exc:  # settings the spin boxes should not allow; say so, list nothing
            self.findings = []
            self.status.setText(str(exc))
        self.note.setText(self._filler_note(project))
        self.note.setVisible(bool(self.note.text()))
        edl = project.edl if project is not None else None
        self.tree.blockSignals(True)
        self.tree.clear()
        for f in self.findings:
            item = QTreeWidgetItem([format_tenths(int(f.start_s * 1000)), kind_label(f.kind), f.shown, f.why])
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            # findings the lecturer already handled (the words edited, the pause shortened) start unchecked
            done = edl is not None and clean.apply(edl, [f]).skipped
            item.setCheckState(0, Qt.CheckState.Unchecked if done else Qt.CheckState.Checked)
            item.setToolTip(2, f.action)
            self.tree.addTopLevelItem(item)
        self.tree.blockSignals(False)
        for k in range(self.tree.columnCount() - 1):
            self.tree.resizeColumnToContents(k)
        self._update_counts()
        self._update_buttons()

    def _filler_note(self, project: Any) -> str:
        """Where the fillers Whisper leaves out were not listened for, say so ("" otherwise)."""
        if project is None or not self.fillers.isChecked() or not clean.filler_search_note(project):
            return ""
        if "fillers" not in project.transcript.meta:
            return self.tr("This transcript was made before lecturecut listened for the fillers Whisper "
                           "leaves out: only those Whisper wrote are found. Transcribe the video again to "
                           "find the rest.")
        return self.tr("Only the fillers Whisper wrote are found: lecturecut listens for the others in "
                       "English and German only.")

    # ---- choosing -----------------------------------------------------------------------------
    def checked(self) -> list[clean.Finding]:
        return [f for k, f in enumerate(self.findings)
                if self.tree.topLevelItem(k).checkState(0) == Qt.CheckState.Checked]

    def check_only(self, kind: clean.Kind) -> None:
        """Check every finding of ``kind`` and nothing else (then Remove Checked removes all of it)."""
        self.tree.blockSignals(True)
        for k, f in enumerate(self.findings):
            self.tree.topLevelItem(k).setCheckState(0, Qt.CheckState.Checked if f.kind is kind
                                                    else Qt.CheckState.Unchecked)
        self.tree.blockSignals(False)
        self._update_counts()

    def _update_counts(self) -> None:
        found = {kind: sum(f.kind is kind for f in self.findings) for kind in clean.Kind}
        for kind, button in self.kind_buttons.items():
            button.setText(self.tr("Only %1 (%2)").replace("%1", kind_label(kind)).replace("%2", str(found[kind])))
            button.setEnabled(found[kind] > 0)
        n_checked = len(self.checked())
        self.counts.setText(self.tr("Found: %1. Checked for removal: %2.")
                            .replace("%1", ", ".join(f"{kind_label(k)} {n}" for k, n in found.items()))
                            .replace("%2", str(n_checked)))
        self.apply_button.setEnabled(n_checked > 0)

    def _update_buttons(self) -> None:
        self.play_button.setEnabled(self.player is not None and self.selected() is not None)

    def selected(self) -> clean.Finding | None:
        item = self.tree.currentItem()
        if item is None or not item.isSelected():
            return None
        k = self.tree.indexOfTopLevelItem(item)
        return self.findings[k] if 0 <= k < len(self.findings) else None

    def play_selected(self) -> None:
        f = self.selected()
        if f is not None and self.player is not None:
            self.player.preview(int(f.start_s * 1000), int(f.end_s * 1000))

    # ---- applying -----------------------------------------------------------------------------
    def apply_checked(self) -> clean.CleanResult | None:
        """Remove the checked findings as one undoable step; the list is found again afterwards."""
        project = self.session.project
        chosen = self.checked()
        if project is None or not chosen:
            return None
        result = clean.apply(project.edl, chosen)
        if result.applied and not self.session.apply_edl(result.edl, result.label):
            return None
        self.result = result
        counts = ", ".join(f"{kind_label(k)} {n}" for k in clean.Kind if (n := result.count(k)))
        text = self.tr("Removed: %1 (the lecture is at least %2 s shorter). Edit › Undo takes it back.") \
            .replace("%1", counts or "0").replace("%2", f"{result.saved_s:.1f}")
        if result.skipped:
            text += " " + self.tr("Left alone: %1.").replace("%1", "; ".join(
                f"{kind_label(f.kind)} {format_tenths(int(f.start_s * 1000))}: {why}" for f, why in result.skipped))
        self.status.setText(text)
        self.find()
        return result
