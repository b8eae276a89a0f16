"""UI translations: ``lecturecut_<lang>.qm`` compiled from ``lecturecut_<lang>.ts`` with pyside6-lrelease.

To update after changing user-visible strings::

    .venv/bin/pyside6-lupdate app/*.py -ts app/i18n/lecturecut_de.ts
    # translate the new entries (Qt Linguist: pyside6-linguist), then
    .venv/bin/pyside6-lrelease app/i18n/lecturecut_de.ts -qm app/i18n/lecturecut_de.qm

English is the source language, but its plural forms need a translation too
(``tr("%n cuts", "", n)`` says "1 cuts" without one): ``lecturecut_en.ts``
holds only the plurals::

    .venv/bin/pyside6-lupdate app/*.py -pluralonly -ts app/i18n/lecturecut_en.ts
    .venv/bin/pyside6-lrelease app/i18n/lecturecut_en.ts -qm app/i18n/lecturecut_en.qm
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLibraryInfo, QLocale, QTranslator

I18N_DIR = Path(__file__).resolve().parent
LANGUAGES = ("en", "de")  # English is the source language


def resolve_language(wanted: str = "") -> str:
    """'' follows the system locale; anything we have no translation for falls back to English."""
    lang = (wanted or QLocale.system().name()).split("_")[0].lower()
    return lang if lang in LANGUAGES else "en"


def install_translators(app: QCoreApplication, wanted: str = "") -> list[QTranslator]:
    """Install lecturecut's and Qt's own translations for ``wanted``; returns them (keep them alive)."""
    lang = resolve_language(wanted)
    installed: list[QTranslator] = []
    ours = QTranslator(app)
    if ours.load(str(I18N_DIR / f"lecturecut_{lang}.qm")):
        app.installTranslator(ours)
        installed.append(ours)
    if lang == "en":
        return installed  # only the plural forms; Qt's own strings are English already
    qt = QTranslator(app)  # Qt's own dialogs and buttons (Cancel, Save, ...)
    if qt.load(QLocale(lang), "qtbase", "_", QLibraryInfo.path(QLibraryInfo.LibraryPath.TranslationsPath)):
        app.installTranslator(qt)
        installed.append(qt)
    return installed
