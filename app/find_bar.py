"""Find and replace in the transcript (Ctrl+F).

Find walks the words on screen (whole words, any case), skipping deleted
ones; every match is marked and counted as soon as something is typed
("3 matches"), and a replacement that needs new speech says so before it is
made. Replace retypes the found words; Replace all rewrites the edited text
in one undoable step through the engine's text diff.
"""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QTextCursor, QTextDocument
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QPushButton, QToolButton, QWidget

from lecturecut.asr.transcript import normalize_word

from .session import QtSession
from .transcript_view import DELETED, GAP, REPLACED_OLD, TranscriptView

MAX_MATCHES = 10_000  # counting stops here (a one-hour lecture has about 9,000 words)


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
        self.find_edit.textChanged.connect(lambda _t: self.refresh_matches())
        self.replace_edit = QLineEdit(self)
        self.replace_edit.setPlaceholderText(self.tr("Replace with"))
        self.replace_edit.returnPressed.connect(self.replace_current)
        self.replace_edit.textChanged.connect(lambda _t: self.refresh_matches())
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
        self._matches: list[tuple[int, int]] = []
        session.edlChanged.connect(lambda _p: self.refresh_matches())
        session.projectOpened.connect(lambda _p: self.refresh_matches())

    # ---- counting ---------------------------------------------------------------------
    def matches(self) -> list[tuple[int, int]]:
        """Document ranges of every usable whole-word match of the Find text, in order."""
        text = self.find_edit.text().strip()
        if not text or not self.session.is_open:
            return []
        doc = self.view.document()
        found: list[tuple[int, int]] = []
        cursor = doc.find(text, QTextCursor(doc), QTextDocument.FindFlag.FindWholeWords)
        while not cursor.isNull() and len(found) < MAX_MATCHES:
            if self._usable(cursor):
                found.append((cursor.selectionStart(), cursor.selectionEnd()))
            cursor = doc.find(text, cursor, QTextDocument.FindFlag.FindWholeWords)
        return found

    def new_speech_words(self, n_matches: int | None = None) -> int:
        """How many words replacing every match would need a new voice for (0: deleting)."""
        n = len(self._matches) if n_matches is None else n_matches
        return n * len(self.replace_edit.text().split())

    def refresh_matches(self) -> int:
        """Mark and count the matches; say what replacing them would need. Returns the count."""
        if self.isHidden():
            self._matches = []
            self.view.set_find_matches([])
            return 0
        self._matches = self.matches()
        self.view.set_find_matches(self._matches)
        if not self.find_edit.text().strip():
            self.info.setText("")
            return 0
        n = len(self._matches)
        text = self.tr("%n matches", "", n) if n else self.tr("Not found")
        words = self.new_speech_words()
        if words:
            text += " \u00b7 " + self.tr("Replacing needs new speech for %n words (made in the lecturer's voice)",
                                         "", words)
        self.info.setText(text)
        return n

    def open_bar(self) -> None:
        self.show()
        self.refresh_matches()
        sel = self.view.textCursor().selectedText()
        if sel and "\u2029" not in sel:
            self.find_edit.setText(sel)
        self.find_edit.setFocus()
        self.find_edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.refresh_matches()  # hidden: the marks go
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
                here = (cursor.selectionStart(), cursor.selectionEnd())
                if here in self._matches:
                    self.info.setText(self.tr("Match %1 of %2").replace("%1", str(self._matches.index(here) + 1))
                                      .replace("%2", str(len(self._matches)))
                                      + (" \u00b7 " + self.tr("Wrapped around") if wrapped else ""))
                else:
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
        self._matches = []
        self.view.set_find_matches([])
        return count
