"""Find and replace in the transcript (Ctrl+F).

Find walks the words on screen (whole words, any case), skipping deleted
ones; Replace retypes the found words; Replace all rewrites the edited text
in one undoable step through the engine's text diff.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from lecturecut.asr.transcript import normalize_word

from .session import QtSession
from .transcript_view import GAP, REPLACED_OLD, DELETED, TranscriptView


class FindBar(QWidget):
    closed = Signal()

    def __init__(self, session: QtSession, view: TranscriptView, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.view = view
        self.find_edit = QLineEdit(self)
        self.find_edit.setPlaceholderText(self.tr("Find"))
        self.find_edit.setClearButtonEnabled(True)
        self.find_edit.returnPressed.connect(self.find_next)
        self.replace_edit = QLineEdit(self)
        self.replace_edit.setPlaceholderText(self.tr("Replace with"))
        self.replace_edit.returnPressed.connect(self.replace_current)
        prev_b = QToolButton(self)
        prev_b.setText("\u2191")
        prev_b.setToolTip(self.tr("Previous match"))
        prev_b.clicked.connect(lambda: self.find_next(backward=True))
        next_b = QToolButton(self)
        next_b.setText("\u2193")
        next_b.setToolTip(self.tr("Next match"))
        next_b.clicked.connect(lambda: self.find_next())
        rep_b = QPushButton(self.tr("Replace"), self)
        rep_b.clicked.connect(self.replace_current)
        all_b = QPushButton(self.tr("Replace all"), self)
        all_b.clicked.connect(self.replace_all)
        close_b = QToolButton(self)
        close_b.setText("\u2715")
        close_b.setAutoRaise(True)
        close_b.setToolTip(self.tr("Close (Esc)"))
        close_b.clicked.connect(self.close_bar)
        self.info = QLabel(self)
        row = QHBoxLayout(self)
        row.setContentsMargins(4, 2, 4, 2)
        row.addWidget(self.find_edit, 2)
        row.addWidget(prev_b)
        row.addWidget(next_b)
        row.addWidget(self.replace_edit, 2)
        row.addWidget(rep_b)
        row.addWidget(all_b)
        row.addWidget(self.info, 1)
        row.addWidget(close_b)

    def open_bar(self) -> None:
        self.show()
        sel = self.view.textCursor().selectedText()
        if sel and "\u2029" not in sel:
            self.find_edit.setText(sel)
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.view.setFocus()
        self.closed.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.close_bar()
            return
        super().keyPressEvent(event)

    def _usable(self, cursor: QTextCursor) -> bool:
        """A match counts unless every word in it is deleted (struck through or hidden)."""
        lo, hi = cursor.selectionStart(), cursor.selectionEnd()
        styles = [t.item.style for t in self.view.tokens if t.text_start < hi and t.end > lo]
        return bool(styles) and not all(s in (DELETED, REPLACED_OLD) or s == GAP for s in styles)

    def find_next(self, backward: bool = False) -> bool:
        text = self.find_edit.text().strip()
        if not text:
            return False
        flags = QTextDocument.FindFlag.FindWholeWords
        if backward:
            flags |= QTextDocument.FindFlag.FindBackward
        doc = self.view.document()
        start = self.view.textCursor()
        cursor = doc.find(text, start, flags)
        wrapped = False
        seen = 0
        while seen < 10_000:
            seen += 1
            if cursor.isNull():
                if wrapped:
                    break
                wrapped = True
                edge = QTextCursor(doc)
                edge.movePosition(QTextCursor.MoveOperation.End if backward else QTextCursor.MoveOperation.Start)
                cursor = doc.find(text, edge, flags)
                continue
            if self._usable(cursor):
                self.view.setTextCursor(cursor)
                self.view.ensureCursorVisible()
                self.info.setText(self.tr("Wrapped around") if wrapped else "")
                return True
            cursor = doc.find(text, cursor, flags)
        self.info.setText(self.tr("Not found"))
        return False

    def _selection_matches(self) -> bool:
        sel = self.view.textCursor().selectedText()
        return bool(sel) and sel.casefold() == self.find_edit.text().strip().casefold()

    def replace_current(self) -> bool:
        if not self._selection_matches() and not self.find_next():
            return False
        rng = self.view.selected_range()
        if rng is None:
            return False
        new = self.replace_edit.text().strip()
        ok = self.session.replace(*rng, new) if new else self.session.delete(*rng)
        if ok:
            self.find_next()
        return ok

    def replace_all(self) -> int:
        """Replace every whole-word match in the edited text as one undoable edit; returns the count."""
        find = self.find_edit.text().strip()
        transcript, edl = self.session.transcript, self.session.edl
        if not find or transcript is None or edl is None:
            return 0
        pattern = re.compile(r"(?<![\w'])" + re.escape(find) + r"(?![\w'])", re.IGNORECASE)
        text = edl.edited_text(transcript)
        new_text, count = pattern.subn(self.replace_edit.text().strip(), text)
        if count and normalize_word(new_text) != normalize_word(text):
            self.session.apply_text(" ".join(new_text.split()))
        self.info.setText(self.tr("%n replaced", "", count))
        return count
