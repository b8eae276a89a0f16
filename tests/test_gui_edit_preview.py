"""The edit list's Watch…: one edit rendered as it will be exported (new speech, the mouth regenerated),
the recording first, shown in its own window.

The bundled sample lecture with a real tiny.en transcript, real synthesis and the real lips engine (the
fixtures of ``test_gui_voice``: the module's own voice cache, a warm corpus); the render runs in the
child process as in the app; the clip is checked by probing and decoding it. Qt's media player is not
used here (the dialog runs silent, as every GUI test does): closing a playing one hung CI offscreen.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import test_gui_voice as voice_gui  # noqa: E402 - its fixtures: the sample lecture, a warm corpus, the window
from gui_support import wait_until  # noqa: E402

from lecturecut.media.frames import read_frames  # noqa: E402
from lecturecut.media.probe import probe  # noqa: E402
from lecturecut.synthesis.moment import edits  # noqa: E402

pytestmark = [pytest.mark.gui, pytest.mark.slow]

transcript, voice_cache, lecture, window = (voice_gui.transcript, voice_gui.voice_cache, voice_gui.lecture,
                                            voice_gui.window)
index_of = voice_gui.index_of

RENDER_TIMEOUT_S = 240.0  # the voice, the lips and two encodes of ~5 s of video, in a child, on two busy cores


def select(window, a: int, b: int) -> None:
    panel = window.edit_list
    k = next(k for k, e in enumerate(panel.entries) if (e.a, e.b) == (a, b))
    panel.select_entry(k)


def test_watch_renders_the_edit_with_a_regenerated_mouth_and_plays_it(qtbot, window):
    session, panel = window.session, window.edit_list
    a = index_of(window, "shores")
    session.delete(index_of(window, "battle") - 1, index_of(window, "battle"))  # another edit before it
    session.replace(a, a + 1, "citizens")  # said later in the lecture: reused, with its own mouth footage
    select(window, a, a + 1)
    assert panel.watch_button.isEnabled()
    # the silent dialog, as every other GUI test runs (use_media=False): with Qt Multimedia's FFmpeg backend
    # offscreen, closing a playing dialog hung the whole test run twice in CI (main thread and the
    # backend's demuxer and renderer threads all waiting on each other, no timeout could fire)
    dialog = panel.watch_selected(use_media=False)
    folder = dialog.folder
    assert folder.is_dir() and dialog.job is not None
    assert wait_until(lambda: dialog.job is None, RENDER_TIMEOUT_S), dialog.status.text()
    result = dialog.result
    assert result is not None, dialog.status.text()
    # the dialog rendered the edit that was selected (the list's number is the engine's)
    edit = edits(session.project)[dialog.number - 1]
    assert (edit.kind, edit.start, edit.end, edit.after) == ("retype", a, a + 1, "citizens")
    assert result.method == "reused"
    # the mouth was regenerated, and the dialog says so (never silent about a regenerated face)
    assert len(result.lips) == 1 and result.lips[0].changed > 0, result.lips
    assert result.lips[0].summary in dialog.status.text()
    # the clip: the recording then the edited lecture, video and audio as long as the two halves
    info = probe(result.path)
    assert info.video is not None and info.audio is not None
    assert abs(info.duration_s - (result.before_s + result.after_s)) < 0.25, (info.duration, result)
    frames = list(read_frames(result.path))
    assert len(frames) >= 2 * int(float(info.video.fps))
    assert np.mean(np.abs(frames[0].astype(np.int16) - frames[-1].astype(np.int16))) > 0  # a real picture
    assert dialog._player is None
    # closing removes the clip and its folder
    dialog.close()
    assert not folder.exists()
    assert panel.watch_dialog is None


def test_cancelling_the_render_leaves_nothing_and_says_so(qtbot, window):
    session, panel = window.session, window.edit_list
    a = index_of(window, "shores")
    session.replace(a, a + 1, "citizens")
    select(window, a, a + 1)
    dialog = panel.watch_selected(use_media=False)
    folder = dialog.folder
    assert wait_until(lambda: "Rendering" in dialog.status.text() or dialog.job is None, 5)
    dialog.cancel_button.click()  # Cancel while rendering
    assert wait_until(lambda: dialog.job is None, 30), "the render did not stop"
    assert dialog.result is None
    assert dialog.status.text() == "Cancelled: nothing was rendered."
    assert list(folder.iterdir()) == []  # no clip, no partial file
    assert dialog.cancel_button.text() == "Close"
    dialog.cancel_button.click()  # now Close
    assert wait_until(lambda: not folder.exists(), 5)


def test_watch_is_offered_only_with_an_edit_selected(qtbot, window):
    panel = window.edit_list
    assert not panel.watch_button.isEnabled()  # no edit yet
    a = index_of(window, "shores")
    window.session.delete(a, a + 1)
    select(window, a, a + 1)
    assert panel.watch_button.isEnabled()  # a cut is watched too (its join smoothed as exported)
