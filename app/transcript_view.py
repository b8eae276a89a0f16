"""The transcript editor: the lecture as text, edited word by word.

The view draws the session's project and sends every edit back to the
session; it keeps no edit state of its own, only the mapping from characters
on screen to source word indices (``Token``), rebuilt from the project.

- kept words as plain text, low-confidence words with a wavy underline;
- deleted words struck through (or, with *hide deleted*, a small "…" marker);
- retyped words: the recorded words struck through, then the new text on a
  "pending" background until its voice is synthesized, then on a "voiced"
  one (the lecturer's own voice) or a "generic" one (a generic voice, flagged);
- the word being spoken is highlighted and kept in view during playback.

Keys: Delete/Backspace delete the selection (or the word at the cursor),
typing over a selection retypes it, Ctrl+R restores, Left/Right move by word
(Shift extends), a click seeks the player to the word.
"""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass
from typing import Mapping

from PySide6.QtCore import QEvent, QPoint, Qt, QTimer, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QFont,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QTextCharFormat,
    QTextCursor,
    QTextFormat,
)
from PySide6.QtWidgets import QApplication, QLineEdit, QMenu, QTextEdit, QToolTip, QWidget

from lecturecut.asr.transcript import Transcript
from lecturecut.synthesis.edl import Edl

from .playback import samples_to_ms, word_at
from .player import PlaybackController
from .session import QtSession

LOW_CONFIDENCE = 0.5  # words Whisper was less sure of than this are marked for checking
PARAGRAPH_GAP_S = 1.5  # a pause this long starts a new paragraph
PARAGRAPH_MAX_WORDS = 80  # ... and so does a sentence end after this many words
FOLLOW_PAUSE_S = 3.0  # after the user scrolls, playback stops pulling the view for this long
GAP_MARK = "\u2026"  # stands for hidden deleted words
PLAYING_BACKGROUND = QColor(234, 234, 238)  # the word being spoken: faint grey ...
PLAYING_UNDERLINE = QColor(0, 110, 200)  # ... underlined in blue
FIND_BACKGROUND = QColor(170, 225, 150)  # every Find match, before replacing

# Token kinds
WORD, NEW, GAP = "word", "new", "gap"
# Styles
KEPT, DELETED, REPLACED_OLD, PENDING, HIDDEN_GAP = "kept", "deleted", "replaced", "pending", "gap"
VOICED, GENERIC = "voiced", "generic"  # a retype whose new speech exists: the lecturer's voice / a generic one


def utf16_len(text: str) -> int:
    """QTextDocument positions count UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


@dataclass(frozen=True)
class Item:
    """One piece of rendered text and the source words ``[a, b)`` it stands for."""

    sep: str  # "" (first), " " or "\n" (new paragraph) before the text
    text: str
    style: str
    kind: str
    a: int
    b: int
    low: bool = False  # low-confidence word


@dataclass
class Token:
    item: Item
    start: int  # document position of the separator
    text_start: int
    end: int  # end of the text

    @property
    def a(self) -> int:
        return self.item.a

    @property
    def b(self) -> int:
        return self.item.b


def paragraph_starts(transcript: Transcript) -> frozenset[int]:
    """Source indices that begin a paragraph: after a long pause, or a sentence end in a long paragraph."""
    starts = set()
    count = 0
    words = transcript.words
    for i in range(1, len(words)):
        count += 1
        gap_s = (words[i].start - words[i - 1].end) / 16_000
        sentence_end = words[i - 1].text.rstrip("\"'\u201d)").endswith((".", "?", "!"))
        if gap_s >= PARAGRAPH_GAP_S or (sentence_end and count >= PARAGRAPH_MAX_WORDS):
            starts.add(i)
            count = 0
    return frozenset(starts)


def render_items(transcript: Transcript, edl: Edl, hide_deleted: bool, paras: frozenset[int],
                 voiced: Mapping[object, str] | None = None) -> list[Item]:
    """What the view shows for ``edl``, as a flat list of items (pure: tested without Qt).

    ``voiced``: retype -> VOICED or GENERIC for those whose new speech exists; the rest are PENDING."""
    voiced = voiced or {}
    words = transcript.words
    n = len(words)
    items: list[Item] = []
    last_para = -1

    def add(text: str, style: str, kind: str, a: int, b: int, at: int, low: bool = False) -> None:
        nonlocal last_para
        if not items:
            sep = ""
        elif at in paras and at != last_para:
            sep = "\n"
        else:
            sep = " "
        if at in paras:
            last_para = at
        items.append(Item(sep, text, style, kind, a, b, low))

    reps_at: dict[int, list] = {}
    for r in edl.replacements:
        reps_at.setdefault(r.start, []).append(r)
    i = 0
    while i <= n:
        covering = None
        for r in reps_at.get(i, []):
            if r.is_insertion:
                add(r.text, voiced.get(r, PENDING), NEW, r.start, r.end, i)
            else:
                covering = r
        if i == n:
            break
        if covering is not None:
            if not hide_deleted:
                for j in range(covering.start, covering.end):
                    add(words[j].text, REPLACED_OLD, WORD, j, j + 1, j)
            add(covering.text, voiced.get(covering, PENDING), NEW, covering.start, covering.end, i)
            i = covering.end
            continue
        if i in edl.deleted:
            j = i + 1
            while j < n and j in edl.deleted and j not in reps_at:
                j += 1
            if hide_deleted:
                add(GAP_MARK, HIDDEN_GAP, GAP, i, j, i)
            else:
                for k in range(i, j):
                    add(words[k].text, DELETED, WORD, k, k + 1, k, words[k].probability < LOW_CONFIDENCE)
            i = j
            continue
        add(words[i].text, KEPT, WORD, i, i + 1, i, words[i].probability < LOW_CONFIDENCE)
        i += 1
    return items


class RetypeEditor(QLineEdit):
    """The inline box that opens when the user types over a selection."""

    cancelled = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.cancelled.emit()
            return
        super().keyPressEvent(event)
        # QLineEdit lets Return travel on to its parent (for dialogs' default buttons); here the parent
        # is the transcript, where Return would open a new retype box.
        event.accept()

    def focusOutEvent(self, event: object) -> None:
        super().focusOutEvent(event)  # type: ignore[arg-type]
        self.cancelled.emit()


class TranscriptView(QTextEdit):
    """Word-level transcript editor bound to a ``QtSession`` and a ``PlaybackController``."""

    selectionRangeChanged = Signal(object)  # (a, b) source word range or None

    def __init__(self, session: QtSession, player: PlaybackController, parent: QWidget | None = None,
                 voice: object | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.player = player
        self.voice = voice  # the app's VoiceSynthesizer: which retypes are spoken, and how
        self.hide_deleted = False
        self.follow_playback = True
        self._items: list[Item] = []
        self._tokens: list[Token] = []
        self._text_starts: list[int] = []
        self._word_token: dict[int, int] = {}  # source index -> token index showing it
        self._starts_ms: list[int] = []
        self._paras: frozenset[int] = frozenset()
        self._current_word: int | None = None
        self._user_scrolled_at = 0.0
        self._programmatic_scroll = False
        self._retype: RetypeEditor | None = None
        self._retype_range: tuple[int, int] | None = None
        self._forwarding = False
        self.setReadOnly(True)
        self.setAcceptDrops(False)  # files dropped here go to the window, which opens them
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse
                                     | Qt.TextInteractionFlag.TextSelectableByKeyboard)
        self.setUndoRedoEnabled(False)
        self.setLineWrapMode(QTextEdit.LineWrapMode.WidgetWidth)
        font = self.font()
        font.setPointSizeF(max(font.pointSizeF(), 10.0) * 1.25)
        self.document().setDefaultFont(font)
        self.document().setDocumentMargin(14)
        self._formats = self._make_formats()
        self._find_matches: list[tuple[int, int]] = []
        # The word being spoken: a thick underline on a faint grey, never the selection's colour
        # (a highlighted word that looks selected made Delete seem to do nothing).
        self._playing_format = QTextCharFormat()
        self._playing_format.setBackground(PLAYING_BACKGROUND)
        self._playing_format.setUnderlineStyle(QTextCharFormat.UnderlineStyle.SingleUnderline)
        self._playing_format.setUnderlineColor(PLAYING_UNDERLINE)
        self._playing_format.setProperty(QTextFormat.Property.FullWidthSelection, False)
        self._find_format = QTextCharFormat()
        self._find_format.setBackground(FIND_BACKGROUND)
        self.setPlaceholderText(self.tr("The transcript appears here once a video is opened and transcribed."))
        session.projectOpened.connect(self._on_project)
        session.edlChanged.connect(self._on_edl)
        player.positionChanged.connect(self._on_position)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.selectionChanged.connect(lambda: self.selectionRangeChanged.emit(self.selected_range()))
        if voice is not None:
            voice.statesChanged.connect(lambda: self._rebuild(keep_view=True))
        self._on_project(session.project)

    # ---- formats ------------------------------------------------------------
    def _make_formats(self) -> dict[str, QTextCharFormat]:
        kept = QTextCharFormat()
        deleted = QTextCharFormat()
        deleted.setFontStrikeOut(True)
        deleted.setForeground(QColor(176, 64, 64))
        replaced = QTextCharFormat()
        replaced.setFontStrikeOut(True)
        replaced.setForeground(QColor(150, 150, 150))
        pending = QTextCharFormat()
        pending.setBackground(QColor(255, 236, 179))
        pending.setForeground(QColor(122, 74, 0))
        pending.setFontItalic(True)
        voiced = QTextCharFormat()
        voiced.setBackground(QColor(214, 240, 214))
        voiced.setForeground(QColor(24, 96, 24))
        generic = QTextCharFormat(voiced)
        generic.setBackground(QColor(222, 226, 250))
        generic.setForeground(QColor(40, 52, 140))
        generic.setFontItalic(True)
        gap = QTextCharFormat()
        gap.setForeground(QColor(176, 64, 64))
        gap.setFontWeight(QFont.Weight.Bold)
        return {KEPT: kept, DELETED: deleted, REPLACED_OLD: replaced, PENDING: pending, HIDDEN_GAP: gap,
                VOICED: voiced, GENERIC: generic}

    def _format(self, item: Item) -> QTextCharFormat:
        fmt = QTextCharFormat(self._formats[item.style])
        if item.low and item.style in (KEPT, DELETED):
            fmt.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
            fmt.setUnderlineColor(QColor(224, 138, 0))
        return fmt

    # ---- building the document ------------------------------------------------
    def set_hide_deleted(self, hide: bool) -> None:
        if hide != self.hide_deleted:
            self.hide_deleted = hide
            self._rebuild(keep_view=True)

    def set_follow_playback(self, follow: bool) -> None:
        self.follow_playback = follow

    def _on_project(self, project: object) -> None:
        self._close_retype()
        transcript = self.session.transcript
        self._paras = paragraph_starts(transcript) if transcript is not None else frozenset()
        self._starts_ms = [samples_to_ms(w.start) for w in transcript.words] if transcript is not None else []
        self._current_word = None
        self._items = []
        self._rebuild(keep_view=False)

    def _on_edl(self, project: object) -> None:
        self._close_retype()
        self._rebuild(keep_view=True)

    def _rebuild(self, keep_view: bool) -> None:
        """Bring the document up to date, re-rendering only the items that changed."""
        transcript, edl = self.session.transcript, self.session.edl
        new_items = (render_items(transcript, edl, self.hide_deleted, self._paras, self._voiced())
                     if transcript and edl else [])
        old_items = self._items
        scroll = self.verticalScrollBar().value()
        sel = self.selected_range()
        p = 0
        limit = min(len(old_items), len(new_items))
        while p < limit and old_items[p] == new_items[p]:
            p += 1
        s = 0
        while s < limit - p and old_items[len(old_items) - 1 - s] == new_items[len(new_items) - 1 - s]:
            s += 1
        if p == 0 or not old_items:
            self._render_all(new_items)
        elif p < len(old_items) or p < len(new_items):
            self._render_middle(old_items, new_items, p, s)
        self._items = new_items
        self._reindex()
        if keep_view:
            if sel is not None:
                self.select_range(*sel, scroll=False)
            self.verticalScrollBar().setValue(scroll)
        self._update_highlight()

    def _voiced(self) -> dict[object, str]:
        """retype -> VOICED / GENERIC for each whose new speech exists (from the voice worker's states)."""
        if self.voice is None:
            return {}
        out = {}
        for r, st in self.voice.states.items():
            if st.record is not None:
                out[r] = GENERIC if st.record.method == "generic" else VOICED
        return out

    def _render_all(self, items: list[Item]) -> None:
        doc = self.document()
        doc.clear()
        cursor = QTextCursor(doc)
        cursor.beginEditBlock()
        self._insert(cursor, items)
        cursor.endEditBlock()

    def _insert(self, cursor: QTextCursor, items: list[Item]) -> None:
        plain = QTextCharFormat()
        for item in items:
            if item.sep == "\n":
                cursor.insertBlock()
            elif item.sep:
                cursor.insertText(item.sep, plain)
            cursor.insertText(item.text, self._format(item))

    def _render_middle(self, old: list[Item], new: list[Item], p: int, s: int) -> None:
        """Replace old items [p, len(old)-s) by new items [p, len(new)-s) in place."""
        old_tokens = self._tokens
        start = old_tokens[p].start if p < len(old_tokens) else old_tokens[-1].end
        end = old_tokens[len(old) - s - 1].end if len(old) - s > p else start
        cursor = QTextCursor(self.document())
        cursor.beginEditBlock()
        cursor.setPosition(start)
        cursor.setPosition(end, QTextCursor.MoveMode.KeepAnchor)
        cursor.removeSelectedText()
        self._insert(cursor, new[p:len(new) - s])
        cursor.endEditBlock()

    def _reindex(self) -> None:
        tokens: list[Token] = []
        pos = 0
        word_token: dict[int, int] = {}
        for k, item in enumerate(self._items):
            start = pos
            pos += 1 if item.sep == "\n" else len(item.sep)
            text_start = pos
            pos += utf16_len(item.text)
            tokens.append(Token(item, start, text_start, pos))
            if item.kind == WORD:
                word_token[item.a] = k
            else:
                for j in range(item.a, item.b):
                    word_token.setdefault(j, k)
        self._tokens = tokens
        self._text_starts = [t.text_start for t in tokens]
        self._word_token = word_token

    # ---- mapping between text and words ------------------------------------------
    @property
    def tokens(self) -> list[Token]:
        return list(self._tokens)

    def token_at(self, pos: int) -> int | None:
        """Index of the token whose text contains (or ends at) document position ``pos``."""
        if not self._tokens:
            return None
        k = bisect.bisect_right(self._text_starts, pos) - 1
        if k < 0:
            return 0
        tok = self._tokens[k]
        if pos <= tok.end:
            return k
        return k + 1 if k + 1 < len(self._tokens) else k

    def selected_range(self) -> tuple[int, int] | None:
        """Source word range ``[a, b)`` covered by the selection, or None without a selection."""
        cursor = self.textCursor()
        if not cursor.hasSelection() or not self._tokens:
            return None
        lo, hi = cursor.selectionStart(), cursor.selectionEnd()
        picked = []
        for k in range(max(0, (self.token_at(lo) or 0) - 1), len(self._tokens)):
            tok = self._tokens[k]
            if tok.text_start >= hi:
                break
            if tok.end > lo:
                picked.append(tok)
        if not picked:
            return None
        return min(t.a for t in picked), max(t.b for t in picked)

    def token_range(self, a: int, b: int) -> tuple[int, int] | None:
        """Document positions spanning the tokens of words ``[a, b)``."""
        ks = [self._word_token[j] for j in range(a, max(b, a + 1)) if j in self._word_token]
        if not ks:
            return None
        return self._tokens[min(ks)].text_start, self._tokens[max(ks)].end

    def select_range(self, a: int, b: int, scroll: bool = True) -> None:
        span = self.token_range(a, b)
        if span is None:
            return
        cursor = self.textCursor()
        cursor.setPosition(span[0])
        cursor.setPosition(span[1], QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        if scroll:
            self.ensureCursorVisible()

    def word_cursor_index(self) -> int | None:
        """The source word at the text cursor (for Delete without a selection and for seeking)."""
        k = self.token_at(self.textCursor().position())
        return None if k is None else self._tokens[k].a

    # ---- editing --------------------------------------------------------------------
    def delete_selection(self) -> bool:
        rng = self.selected_range()
        if rng is None:
            return False
        a, b = rng
        if a == b:  # only inserted text selected: removing it restores the spot
            return self.session.restore(a, b)
        ok = self.session.delete(a, b)
        if ok:
            self._collapse_after(a, b)
        return ok

    def _collapse_after(self, a: int, b: int) -> None:
        """Drop the selection and put the cursor after words [a, b): the strike-through stays visible."""
        span = self.token_range(a, b)
        if span is not None:
            cursor = self.textCursor()
            cursor.setPosition(span[1])
            self.setTextCursor(cursor)

    def restore_selection(self) -> bool:
        rng = self.selected_range()
        if rng is None:
            k = self.token_at(self.textCursor().position())
            if k is None:
                return False
            rng = (self._tokens[k].a, self._tokens[k].b)
        return self.session.restore(*rng)

    def retype_selection(self, text: str = "") -> bool:
        """Open the inline editor over the selection, starting with ``text``."""
        rng = self.selected_range()
        if rng is None or self.session.transcript is None:
            return False
        self._close_retype()
        cursor = self.textCursor()
        rect = self.cursorRect(cursor)
        start_cursor = QTextCursor(cursor)
        start_cursor.setPosition(cursor.selectionStart())
        r0 = self.cursorRect(start_cursor)
        editor = RetypeEditor(self.viewport())
        editor.setObjectName("retypeEditor")
        editor.setPlaceholderText(self.tr("New words, then Enter (Esc cancels)"))
        editor.setText(text)
        editor.setFont(self.document().defaultFont())
        width = max(240, min(self.viewport().width() - r0.left() - 8, 480))
        editor.setGeometry(max(0, min(r0.left(), self.viewport().width() - width)), r0.top(), width,
                           max(rect.height(), editor.sizeHint().height()) + 4)
        editor.returnPressed.connect(self._commit_retype)
        editor.cancelled.connect(self._close_retype)
        self._retype, self._retype_range = editor, rng
        editor.show()
        editor.setFocus()
        editor.setCursorPosition(len(text))
        return True

    @property
    def retype_editor(self) -> RetypeEditor | None:
        return self._retype

    def _commit_retype(self) -> None:
        if self._retype is None or self._retype_range is None:
            return
        text, (a, b) = self._retype.text(), self._retype_range
        self._close_retype()
        if text.strip() and self.session.replace(a, b, text):
            self._collapse_after(a, b)
        self.setFocus()

    def _close_retype(self) -> None:
        editor, self._retype, self._retype_range = self._retype, None, None
        if editor is not None:
            editor.cancelled.disconnect(self._close_retype)
            editor.hide()
            editor.deleteLater()
            self.setFocus()

    # ---- playback ---------------------------------------------------------------------
    def _on_position(self, ms: int) -> None:
        idx = word_at(self._starts_ms, ms)
        if idx != self._current_word:
            self._current_word = idx
            self._update_highlight()
            if self.player.is_playing() and self.follow_playback:
                self._follow()

    @property
    def current_word(self) -> int | None:
        return self._current_word

    def set_find_matches(self, spans: list[tuple[int, int]]) -> None:
        """Document ranges ``[start, end)`` that Find matched, all marked at once (the bar counts them)."""
        self._find_matches = list(spans)
        self._update_highlight()

    @property
    def find_matches(self) -> list[tuple[int, int]]:
        return list(self._find_matches)

    def _update_highlight(self) -> None:
        extra = []
        for a, b in self._find_matches:
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(min(a, self.document().characterCount() - 1))
            cursor.setPosition(min(b, self.document().characterCount() - 1), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = QTextCharFormat(self._find_format)
            extra.append(sel)
        if self._current_word is not None and self._current_word in self._word_token:
            tok = self._tokens[self._word_token[self._current_word]]
            sel = QTextEdit.ExtraSelection()
            cursor = QTextCursor(self.document())
            cursor.setPosition(tok.text_start)
            cursor.setPosition(tok.end, QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cursor
            sel.format = QTextCharFormat(self._playing_format)
            extra.append(sel)
        self.setExtraSelections(extra)

    def _follow(self) -> None:
        if time.monotonic() - self._user_scrolled_at < FOLLOW_PAUSE_S or self._retype is not None:
            return
        if self._current_word is None or self._current_word not in self._word_token:
            return
        tok = self._tokens[self._word_token[self._current_word]]
        cursor = QTextCursor(self.document())
        cursor.setPosition(tok.text_start)
        rect = self.cursorRect(cursor)
        view_h = self.viewport().height()
        if rect.top() < 0 or rect.bottom() > view_h * 0.8:
            self._programmatic_scroll = True
            bar = self.verticalScrollBar()
            bar.setValue(bar.value() + rect.top() - view_h // 3)
            self._programmatic_scroll = False

    def _on_scrolled(self, _value: int) -> None:
        if not self._programmatic_scroll and self.player.is_playing():
            self._user_scrolled_at = time.monotonic()

    # ---- input ---------------------------------------------------------------------
    def _is_typing(self, event: QKeyEvent) -> bool:
        text = event.text()
        mods = event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
        return bool(text) and text.isprintable() and not text.isspace() and mods == Qt.KeyboardModifier.NoModifier

    _OWN_KEYS = {Qt.Key.Key_Left, Qt.Key.Key_Right, Qt.Key.Key_Delete, Qt.Key.Key_Backspace,
                 Qt.Key.Key_Up, Qt.Key.Key_Down, Qt.Key.Key_Home, Qt.Key.Key_End,
                 Qt.Key.Key_PageUp, Qt.Key.Key_PageDown}

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride:
            # Decide here which keys the transcript takes and which go to the window's shortcuts
            # (Space, J/K/L without a selection, Ctrl+Z ...).
            key_event: QKeyEvent = event  # type: ignore[assignment]
            mods = key_event.modifiers() & ~Qt.KeyboardModifier.ShiftModifier & ~Qt.KeyboardModifier.KeypadModifier
            own = self._retype is not None or \
                (key_event.key() in self._OWN_KEYS and mods == Qt.KeyboardModifier.NoModifier) or \
                (self._is_typing(key_event) and self.textCursor().hasSelection()) or \
                key_event.matches(QKeySequence.StandardKey.Copy) or \
                key_event.matches(QKeySequence.StandardKey.SelectAll)
            event.setAccepted(own)
            return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self._retype is not None:
            # Fast typing: keys pressed before the focus reached the retype box belong to it
            # (once: a key the box does not take comes back here through its parent).
            if not self._forwarding:
                self._forwarding = True
                try:
                    QApplication.sendEvent(self._retype, event)
                finally:
                    self._forwarding = False
            return
        key = event.key()
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        shift = bool(mods & Qt.KeyboardModifier.ShiftModifier)
        if key in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace) and not (mods & ~Qt.KeyboardModifier.ShiftModifier):
            if not self.delete_selection():
                self._delete_at_cursor(forward=key == Qt.Key.Key_Delete)
            return
        if key in (Qt.Key.Key_Left, Qt.Key.Key_Right) and not (mods & ~Qt.KeyboardModifier.ShiftModifier):
            self.move_by_word(+1 if key == Qt.Key.Key_Right else -1, extend=shift)
            return
        if self._is_typing(event) and self.textCursor().hasSelection():
            self.retype_selection(event.text())
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_F2) and self.textCursor().hasSelection():
            self.retype_selection("")
            return
        super().keyPressEvent(event)

    def _delete_at_cursor(self, forward: bool) -> None:
        if not self._tokens:
            return
        pos = self.textCursor().position()
        k = self.token_at(pos)
        if k is None:
            return
        if not forward and pos <= self._tokens[k].text_start:
            k -= 1  # Backspace at the start of a word deletes the word before it
        if k < 0:
            return
        tok = self._tokens[k]
        if tok.a < tok.b:
            self.session.delete(tok.a, tok.b)

    def move_by_word(self, direction: int, extend: bool = False) -> None:
        """Arrow keys: to the start of the next/previous word; with Shift, extend by whole words."""
        if not self._tokens:
            return
        cursor = self.textCursor()
        pos = cursor.position()
        if direction > 0:
            if extend:
                target = next((t.end for t in self._tokens if t.end > pos), self._tokens[-1].end)
            else:
                target = next((t.text_start for t in self._tokens if t.text_start > pos), self._tokens[-1].end)
        else:
            target = next((t.text_start for t in reversed(self._tokens) if t.text_start < pos), 0)
        mode = QTextCursor.MoveMode.KeepAnchor if extend else QTextCursor.MoveMode.MoveAnchor
        cursor.setPosition(target, mode)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()
        if not extend:
            k = self.token_at(target)
            if k is not None and self.session.transcript is not None and not self.player.is_playing():
                self._seek_to_token(k)

    def _seek_to_token(self, k: int) -> None:
        words = self.session.transcript.words if self.session.transcript else ()
        a = self._tokens[k].a
        if a < len(words):
            self.player.seek_samples(words[a].start)
        elif words:
            self.player.seek_samples(words[-1].end)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        super().mouseReleaseEvent(event)
        if event.button() == Qt.MouseButton.LeftButton and not self.textCursor().hasSelection():
            k = self.token_at(self.cursorForPosition(event.position().toPoint()).position())
            if k is not None:
                self._seek_to_token(k)

    def wheelEvent(self, event: object) -> None:
        self._user_scrolled_at = time.monotonic()
        super().wheelEvent(event)  # type: ignore[arg-type]

    def viewportEvent(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip:
            pos: QPoint = event.pos()  # type: ignore[attr-defined]
            k = self.token_at(self.cursorForPosition(pos).position())
            tip = self.tooltip_for(k) if k is not None else ""
            if tip:
                QToolTip.showText(event.globalPos(), tip, self)  # type: ignore[attr-defined]
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)

    def tooltip_for(self, k: int) -> str:
        tok = self._tokens[k]
        item = tok.item
        transcript = self.session.transcript
        if transcript is None:
            return ""
        if item.kind == GAP:
            n = item.b - item.a
            words = " ".join(w.text for w in transcript.words[item.a:item.b][:12])
            return self.tr("%n deleted word(s) hidden: %1", "", n).replace("%1", words)
        if item.kind == NEW:
            old = " ".join(w.text for w in transcript.words[item.a:item.b])
            if item.style == VOICED:
                how = self.tr("spoken in the lecturer's own voice")
            elif item.style == GENERIC:
                how = self.tr("spoken by a generic voice (not the lecturer's)")
            else:
                how = self.tr("the new voice is pending")
            if item.a == item.b:
                return self.tr("Inserted words: %1").replace("%1", how)
            return self.tr("Retyped (was: \u201c%1\u201d): %2").replace("%1", old).replace("%2", how)
        word = transcript.words[item.a]
        lines = [f"{word.text}  {word.start_s:.2f}\u2013{word.end_s:.2f} s"]
        if item.style == DELETED:
            lines.append(self.tr("Deleted: select it and press Ctrl+R to restore"))
        elif item.style == REPLACED_OLD:
            lines.append(self.tr("Retyped: the recorded words are replaced"))
        if item.low:
            lines.append(self.tr("Low confidence (%1%): check that this word is right")
                         .replace("%1", str(int(round(word.probability * 100)))))
        return "\n".join(lines)

    def contextMenuEvent(self, event: object) -> None:
        menu = QMenu(self)
        has_sel = self.textCursor().hasSelection()
        act = QAction(self.tr("Delete"), menu)
        act.setEnabled(has_sel)
        act.triggered.connect(self.delete_selection)
        menu.addAction(act)
        act = QAction(self.tr("Retype\u2026"), menu)
        act.setEnabled(has_sel)
        act.triggered.connect(lambda: QTimer.singleShot(0, lambda: self.retype_selection("")))
        menu.addAction(act)
        act = QAction(self.tr("Restore"), menu)
        act.triggered.connect(self.restore_selection)
        menu.addAction(act)
        menu.addSeparator()
        act = QAction(self.tr("Play from here"), menu)
        pos = self.cursorForPosition(event.pos()).position()  # type: ignore[attr-defined]

        def play_here() -> None:
            k = self.token_at(pos)
            if k is not None:
                self._seek_to_token(k)
                self.player.play()

        act.triggered.connect(play_here)
        menu.addAction(act)
        menu.exec(event.globalPos())  # type: ignore[attr-defined]
