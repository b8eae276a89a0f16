"""Screenshots of the desktop app doing a deletion and a retype on the bundled sample lecture.

Run under a (virtual) X server, e.g. ``scripts/screenshots.sh`` (xvfb-run). It
starts the real app window, opens the sample (a private copy, so nothing is
written beside the bundled file), waits for the real transcription, then
drives the transcript with the keyboard as a lecturer would and saves PNGs to
``docs/screenshots/``:

  01-first-screen.png  right after opening: the video's first frame while the transcription runs
  01-transcribed.png   the video, waveform and transcript after opening
  02-deletion.png      words deleted (struck through, cut on the timeline, listed as an edit)
  03-retype-typing.png typing over a selection opens the inline retype box
  04-retype.png        the retyped words, pending their new voice
  05-hidden-de.png     the same project with deleted words hidden, in the German UI
  05-uncertain-language.png  the warning bar when the language is in doubt: the committed webcam clip
                       (English) transcribed with German and French as the only candidate languages
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))  # gui_support: the test helpers, not shipped in the package

from gui_support import ScriptedPrompter, bundled_sample, wait_signal, wait_until  # noqa: E402
from PySide6.QtCore import QSettings, Qt  # noqa: E402
from PySide6.QtGui import QPixmap  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication, QWidget  # noqa: E402

from lecturecut.app.gui import create_window  # noqa: E402
from lecturecut.app.i18n import install_translators  # noqa: E402
from lecturecut.app.settings import AppSettings  # noqa: E402

WINDOW_SIZE = (1360, 820)
WEBCAM_CLIP = "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4"


def settle(ms: int = 300) -> None:
    wait_until(lambda: False, timeout_s=ms / 1000)


def shoot(window: QWidget, path: Path) -> None:
    settle(250)
    screen = window.screen()
    pixmap: QPixmap = screen.grabWindow(window.winId()) if screen is not None else QPixmap()
    if pixmap.isNull() or pixmap.width() < 10:
        pixmap = window.grab()  # offscreen platforms have no frame buffer to grab
    path.parent.mkdir(parents=True, exist_ok=True)
    pixmap.save(str(path))
    print(f"screenshots: wrote {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")


def show_frame(window, ms: int) -> None:
    """Put the playhead at ``ms`` with its video frame on screen."""
    player = window.player
    player.seek(ms)
    if player.has_media:
        player.play()
        settle(250)
        player.pause()
        player.seek(ms)
        wait_until(lambda: player.frame is not None, timeout_s=5)
    settle(300)


def select_words(window, first: str, count: int) -> tuple[int, int]:
    """Put the cursor on the word ``first`` and extend the selection with Shift+Right, as a user would."""
    session, view = window.session, window.transcript
    index = next(i for i, w in enumerate(session.transcript.words) if w.norm == first)
    token = next(t for t in view.tokens if t.item.kind == "word" and t.item.a == index)
    cursor = view.textCursor()
    cursor.setPosition(token.text_start)
    view.setTextCursor(cursor)
    for _ in range(count):
        QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    return index, index + count


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=bundled_sample())
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    parser.add_argument("--uncertain", type=Path, default=ROOT / "tests" / "media" / WEBCAM_CLIP,
                        help="an English clip, transcribed with German and French as the only candidates")
    args = parser.parse_args(argv)

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("lecturecut")
    english = install_translators(app, "en")  # noqa: F841 - the English plural forms, as the app installs them
    work = Path(tempfile.mkdtemp(prefix="lecturecut-shots-"))
    try:
        video = work / args.video.name
        shutil.copy(args.video, video)
        settings = AppSettings(QSettings(str(work / "settings.ini"), QSettings.Format.IniFormat))
        window = create_window(settings)
        window.prompt = ScriptedPrompter(save="discard")
        window.resize(*WINDOW_SIZE)
        window.show()
        window.activateWindow()
        QTest.qWaitForWindowExposed(window)
        t0 = time.monotonic()
        window.open_path(video)
        if not wait_until(lambda: window.player.picture() is not None, timeout_s=30):
            print("screenshots: no poster frame while transcribing", file=sys.stderr)
            return 1
        shoot(window, args.out / "01-first-screen.png")  # still transcribing: the poster, not "Open a video"
        if wait_signal(window.transcriptionFinished, 600) != [True]:
            print("screenshots: the transcription failed", file=sys.stderr)
            return 1
        print(f"screenshots: transcribed in {time.monotonic() - t0:.1f} s")
        wait_until(lambda: window.timeline.peaks is not None, timeout_s=30)
        view = window.transcript
        view.setFocus()
        show_frame(window, 3_900)
        shoot(window, args.out / "01-transcribed.png")

        # A deletion: select "about 40 miles off the coast of Louisiana." and press Delete.
        words = window.session.transcript.words
        start = [i for i, w in enumerate(words) if w.norm == "about"][-1]  # the first "about" opens the talk
        end = next((i + 1 for i in range(start, len(words)) if words[i].text.endswith(".")), start + 3)
        view.select_range(start, start + 1)
        for _ in range(end - start - 1):
            QTest.keyClick(view, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
        QTest.keyClick(view, Qt.Key.Key_Delete)
        wait_until(lambda: window.player.spans_planned, timeout_s=20)  # the export's own cut points
        show_frame(window, int(words[start].start_s * 1000) - 600)
        shoot(window, args.out / "02-deletion.png")

        # A retype: select "ripped through" and type over it.
        select_words(window, "ripped", 2)
        QTest.keyClicks(view, "t")  # typing over the selection opens the retype box ...
        editor = view.retype_editor
        if editor is None:
            print("screenshots: the retype box did not open", file=sys.stderr)
            return 1
        QTest.keyClicks(editor, "ore apart")  # ... which has the focus for the rest
        shoot(window, args.out / "03-retype-typing.png")
        QTest.keyClick(editor, Qt.Key.Key_Return)
        show_frame(window, int(words[start].start_s * 1000) - 4_000)
        shoot(window, args.out / "04-retype.png")
        window.save()
        project = window.session.path
        window.close()

        # The same project in German, deleted words hidden.
        translators = install_translators(app, "de")
        german = create_window(settings)
        german.prompt = ScriptedPrompter(save="discard")
        german.resize(*WINDOW_SIZE)
        german.show()
        QTest.qWaitForWindowExposed(german)
        german.open_path(project)
        german.actions["hide_deleted"].setChecked(True)
        german.transcript.setFocus()
        wait_until(lambda: german.player.spans_planned, timeout_s=20)  # the export's own cut points
        show_frame(german, int(words[start].start_s * 1000) - 4_000)
        shoot(german, args.out / "05-hidden-de.png")
        german.actions["hide_deleted"].setChecked(False)
        german.close()
        for t in translators:
            app.removeTranslator(t)

        # The uncertain-language bar, for real: English speech, detection told to choose between German
        # and French only. The engine finds that neither fits and says so; the bar offers the fix.
        clip = work / args.uncertain.name
        shutil.copy(args.uncertain, clip)
        settings.candidate_languages = "de,fr"
        doubt = create_window(settings)
        doubt.prompt = ScriptedPrompter(save="discard")
        doubt.resize(*WINDOW_SIZE)
        doubt.show()
        QTest.qWaitForWindowExposed(doubt)
        doubt.open_path(clip)
        if wait_signal(doubt.transcriptionFinished, 600) != [True]:
            print("screenshots: the second transcription failed", file=sys.stderr)
            return 1
        check = doubt.session.transcript.language_check
        if check is None or not check.uncertain or doubt.language_bar.isHidden():
            print(f"screenshots: the language was not reported as uncertain ({check})", file=sys.stderr)
            return 1
        wait_until(lambda: doubt.timeline.peaks is not None, timeout_s=30)
        show_frame(doubt, 2_000)
        shoot(doubt, args.out / "05-uncertain-language.png")
        doubt.close()
        return 0
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
