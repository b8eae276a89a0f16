"""Start the desktop app: ``app.gui.main(argv)``, called by ``lecturecut open [VIDEO_OR_PROJECT]``."""

from __future__ import annotations

import sys
from pathlib import Path

from PySide6.QtCore import QSettings, QThreadPool, QTimer
from PySide6.QtWidgets import QApplication

from .i18n import install_translators
from .main_window import MainWindow
from .session import QtSession
from .settings import AppSettings

APP_NAME = "lecturecut"
ORG_NAME = "lecturecut"


def _parse(argv: list[str]) -> tuple[str | None, str | None]:
    """(path to open, ui language) from ``[PATH] [--lang de]``; other arguments are Qt's."""
    args = list(argv)
    if args and sys.argv and args[0] == sys.argv[0] and not Path(args[0]).suffix:
        args = args[1:]  # called with the program name first
    path = lang = None
    i = 0
    while i < len(args):
        a = args[i]
        if a in ("--lang", "--language") and i + 1 < len(args):
            lang, i = args[i + 1], i + 2
            continue
        if a.startswith("--lang="):
            lang = a.split("=", 1)[1]
        elif not a.startswith("-") and path is None:
            path = a
        i += 1
    return path, lang


def create_window(settings: AppSettings | None = None, pool: QThreadPool | None = None,
                  use_media: bool | None = None) -> MainWindow:
    """The main window with its own session (used by main, the tests and the screenshot script)."""
    session = QtSession()
    window = MainWindow(session, settings or AppSettings(), pool, use_media=use_media)
    session.setParent(window)
    return window


def main(argv: list[str]) -> int:
    """Run the GUI; ``argv`` holds the arguments after the command (an optional video or project)."""
    path, lang = _parse(argv)
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else APP_NAME])
    app.setApplicationName(APP_NAME)
    app.setOrganizationName(ORG_NAME)
    app.setApplicationDisplayName(APP_NAME)
    settings = AppSettings(QSettings())
    translators = install_translators(app, lang or settings.ui_language)  # noqa: F841 - kept alive
    window = create_window(settings)
    window.show()

    def first_actions() -> None:
        recovered = window.offer_recovery()
        if path and not recovered:
            window.open_path(path)

    QTimer.singleShot(0, first_actions)
    return int(app.exec())


if __name__ == "__main__":  # pragma: no cover - `python -m lecturecut.app.gui FILE`
    raise SystemExit(main(sys.argv[1:]))
