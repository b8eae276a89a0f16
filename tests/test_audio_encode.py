"""The export's audio encoder: long audio encoded as two halves side by side and joined on an AAC
frame boundary (synthesis.render.audio.AudioEncoder, media.aac).

Real speech: the committed recordings (auto-editor screencast, Obama, JFK, webcam clip) in turn
until 150 s, at 48 kHz stereo (left and right from different recordings). The join must be as
exact as a one-piece encode there: same length, same alignment, coding noise only.
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from testmedia import AUTO_EDITOR, JFK, OBAMA, WEBCAM, media_path

from lecturecut.media import aac
from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.render.audio import AudioEncoder

RATE = 48_000


@functools.cache
def lecture_audio() -> np.ndarray:
    clips = [decode_audio(media_path(n), RATE, 1) for n in (AUTO_EDITOR, OBAMA, JFK, WEBCAM)]
    n = 150 * RATE
    left = np.concatenate(clips * 6)[:n]
    right = np.concatenate(clips[::-1] * 6)[:n]
    return np.stack([left, right], axis=1).astype(np.float32)


def windows(x: np.ndarray):
    def write_window(lo, hi, write, stop):
        for a in range(lo, hi, 30_000):
            write(x[a:min(a + 30_000, hi)])

    return write_window


def rms(a: np.ndarray) -> float:
    return float(np.sqrt(np.mean(np.asarray(a, np.float64) ** 2)))


def encode(x: np.ndarray, path, halves: bool) -> AudioEncoder:
    enc = AudioEncoder(windows(x), len(x), RATE, 2, 192_000, path, None)
    if not halves:
        enc.split = 0
    with enc:
        pass
    return enc


def test_long_audio_is_encoded_in_halves_that_join_like_one_encode(tmp_path):
    x = lecture_audio()
    halves = encode(x, tmp_path / "halves.m4a", True)
    assert halves.split and halves.split % aac.FRAME == 0 and halves.note == ""
    one = encode(x, tmp_path / "one.m4a", False)
    y, z = decode_audio(halves.out, RATE, 2), decode_audio(one.out, RATE, 2)
    assert len(y) == len(z) >= len(x)  # the same length as one encode (its last frame's padding included)
    n = len(x)
    # aligned with the input sample for sample, and no worse than one encode: overall and at the join
    assert rms(y[:n] - x) <= 1.2 * rms(z[:n] - x) + 1e-5
    join = slice(halves.split - 2 * aac.FRAME, halves.split + 2 * aac.FRAME)
    assert rms(x[join]) > 0.01  # the split falls in speech here, the hard case
    assert rms(y[join] - x[join]) <= 2 * rms(z[join] - x[join]) + 1e-4, (rms(y[join] - x[join]),
                                                                          rms(z[join] - x[join]))


def test_a_join_that_does_not_hold_is_encoded_again_in_one_piece(tmp_path, monkeypatch):
    # fault injection: the join loses a frame (as a broken splice would); the check must catch it
    real = aac.splice

    def lossy(first, second, out, split_frame, margin):
        return real(first, second, out, split_frame, margin + 1)

    monkeypatch.setattr("lecturecut.synthesis.render.audio.splice", lossy)
    x = lecture_audio()
    enc = encode(x, tmp_path / "a.m4a", True)
    assert "one piece" in enc.note
    y = decode_audio(enc.out, RATE, 2)
    n = len(x)
    assert len(y) >= n and rms(y[:n] - x) < 0.1 * rms(x)  # the file is the whole audio, aligned


def test_adts_framing_errors_are_one_line_messages(tmp_path):
    from lecturecut.media.errors import MediaError

    with pytest.raises(MediaError, match="not valid ADTS"):
        aac.frames(b"\x00" * 20)
