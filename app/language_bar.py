"""The transcript's language in the window: a status-bar label, and a warning bar when it is in doubt.

Both read ``Transcript.language_check`` (the engine's ``asr.transcript.LanguageCheck``)
of the open project. When the check is ``uncertain`` the bar shows its reason
and one button per other likely language ("Transcribe as German"); a click
emits ``transcribeAs(code)``, and the window transcribes again with that
language forced.
"""

from __future__ import annotations

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QLocale, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QStyle, QWidget

from .session import QtSession

MAX_OFFERS = 3  # at most this many "Transcribe as ..." buttons
_NAMES = {  # the names the UI translates; others come from QLocale (in English)
    "en": QT_TRANSLATE_NOOP("LanguageBar", "English"), "de": QT_TRANSLATE_NOOP("LanguageBar", "German"),
    "fr": QT_TRANSLATE_NOOP("LanguageBar", "French"), "es": QT_TRANSLATE_NOOP("LanguageBar", "Spanish"),
    "it": QT_TRANSLATE_NOOP("LanguageBar", "Italian"), "nl": QT_TRANSLATE_NOOP("LanguageBar", "Dutch"),
    "pl": QT_TRANSLATE_NOOP("LanguageBar", "Polish"), "pt": QT_TRANSLATE_NOOP("LanguageBar", "Portuguese"),
}


def language_name(code: str) -> str:
    """"de" -> "German" ("Deutsch" in the German UI); unknown codes as QLocale names them, else the code."""
    if code in _NAMES:
        return QCoreApplication.translate("LanguageBar", _NAMES[code])
    language = QLocale(code).language()
    if language in (QLocale.Language.C, QLocale.Language.AnyLanguage):
        return code
    return QLocale.languageToString(language)


def describe_language(transcript: object) -> str:
    """"English (detected, 98 %)", "German (chosen)", or "" without a transcript."""
    if transcript is None:
        return ""
    check = getattr(transcript, "language_check", None)
    code = check.language if check is not None else getattr(transcript, "language", "")
    if not code:
        return ""
    name = language_name(code)
    if check is None:
        return name
    if check.forced:
        return QCoreApplication.translate("LanguageBar", "%1 (chosen)").replace("%1", name)
    if check.probability is None:
        return QCoreApplication.translate("LanguageBar", "%1 (detected)").replace("%1", name)
    return QCoreApplication.translate("LanguageBar", "%1 (detected, %2 %)").replace("%1", name).replace(
        "%2", str(int(round(check.probability * 100))))


def offered_languages(transcript: object, candidates: list[str]) -> list[str]:
    """The languages to offer a new transcription in: the check's alternatives, else the other candidates."""
    check = getattr(transcript, "language_check", None)
    if check is None:
        return []
    offers = [code for code, _p in check.alternatives if code != check.language]
    offers += [c for c in candidates if c != check.language and c not in offers]
    return offers[:MAX_OFFERS]


class LanguageBar(QWidget):
    """A warning bar above the transcript, visible only when the transcript's language is in doubt."""

    transcribeAs = Signal(str)  # ISO 639-1 code

    def __init__(self, session: QtSession, candidates: list[str] | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.session = session
        self.candidates = list(candidates or [])
        self.setObjectName("LanguageBar")
        self.setAutoFillBackground(True)
        self.setStyleSheet("#LanguageBar { background: #fff4ce; border-bottom: 1px solid #e0c060; }"
                           "#LanguageBar QLabel { color: #5c4400; }")
        self.icon = QLabel(self)
        self.icon.setPixmap(self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning).pixmap(20, 20))
        self.label = QLabel(self)
        self.label.setWordWrap(True)
        self.buttons: list[QPushButton] = []
        self._row = QHBoxLayout(self)
        self._row.setContentsMargins(8, 4, 8, 4)
        self._row.addWidget(self.icon)
        self._row.addWidget(self.label, 1)
        session.projectOpened.connect(self._refresh)
        self._refresh(session.project)

    def set_candidates(self, candidates: list[str]) -> None:
        self.candidates = list(candidates)
        self._refresh(self.session.project)

    def _refresh(self, _project: object = None) -> None:
        for b in self.buttons:
            self._row.removeWidget(b)
            b.deleteLater()
        self.buttons = []
        transcript = self.session.transcript
        check = getattr(transcript, "language_check", None)
        if check is None or not check.uncertain:
            self.hide()
            return
        text = self.tr("The language may be wrong: transcribed as %1.").replace("%1", describe_language(transcript))
        if check.reason:
            text += " " + check.reason
        self.label.setText(text)
        for code in offered_languages(transcript, self.candidates):
            button = QPushButton(self.tr("Transcribe as %1").replace("%1", language_name(code)), self)
            button.setProperty("language", code)
            button.clicked.connect(lambda _c=False, c=code: self.transcribeAs.emit(c))
            self._row.addWidget(button)
            self.buttons.append(button)
        self.show()
