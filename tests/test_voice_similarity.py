"""New speech sounds like the lecturer: speaker embeddings (Resemblyzer's GE2E encoder, whose weights
ship in its package) of a few fixed edits on JFK's real speech, against his own other speech.

The bar for words from the lecture (reused, built from units) is the spread of his real speech: a new
span must be as close to the rest of the lecture as real spans of the same length are (down to their
10th percentile, less the issue's 0.05), and closer than another speaker's. A generic voice must be
measurably further away than the lecturer's real speech; that is why it is flagged "generic voice".
"""

from __future__ import annotations

import functools

import numpy as np
import pytest
from scipy.signal import resample_poly
from test_voice import jfk_project

from lecturecut.media.audio import decode_audio
from lecturecut.resources import SAMPLE_LECTURE
from lecturecut.synthesis.edl import Replacement
from lecturecut.synthesis.voice import METHOD_GENERIC, METHOD_REUSED, METHOD_UNITS, synthesize

SR = 16_000
SAMPLES = 16  # real spans drawn per comparison
MARGIN = 0.05  # the "within 0.05 of real same-speaker"


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))


@functools.cache
def _encoder():
    from resemblyzer import VoiceEncoder

    return VoiceEncoder("cpu", verbose=False)


def _embed(x: np.ndarray) -> np.ndarray:
    from resemblyzer import preprocess_wav

    e = _encoder().embed_utterance(preprocess_wav(x, SR))
    return e / np.linalg.norm(e)


def _similarities(r: Replacement, methods: tuple[str, ...] | None = None):
    """(method, new span's similarity, real same-speaker spans', another speaker's) to the lecturer's
    other speech (the clip without the replaced words)."""
    project = jfk_project()
    rate = project.media.audio.sample_rate
    speech = synthesize(project, r, audio_rate=rate, **({"methods": methods} if methods else {}))
    a, b = speech.sources[-1].output  # the last typed word: the one each case is about
    new = resample_poly(speech.audio[a:b], SR, rate).astype(np.float32)
    x = decode_audio(project.source, SR, 1)
    words = project.transcript.words
    lo, hi = words[r.start].start, words[r.end - 1].end
    reference = _embed(np.concatenate([x[:lo], x[hi:]]))
    other = decode_audio(SAMPLE_LECTURE, SR, 1)  # Obama: another man's voice
    rng = np.random.default_rng(0)
    n = len(new)
    real = [float(_embed(x[s:s + n]) @ reference) for s in rng.integers(0, len(x) - n, SAMPLES)]
    others = [float(_embed(other[s:s + n]) @ reference) for s in rng.integers(0, len(other) - n, SAMPLES)]
    return speech.sources[-1].method, float(_embed(new) @ reference), np.array(real), np.array(others)


def _your_country() -> int:
    words = [w.norm for w in jfk_project().transcript.words]
    k = words.index("your")
    assert words[k + 1] == "country"
    return k


@pytest.mark.parametrize("case", ["reused", "units"])
def test_words_from_the_lecture_sound_like_the_lecturer(case):
    k = _your_country()
    r = {"reused": Replacement(13, 14, "country,"),  # "... do for [you], ask ...": his "country" from elsewhere
         "units": Replacement(k, k + 2, "your mask")}[case]  # "mask": never said, built from his phones
    method, new, real, others = _similarities(r)
    assert method == {"reused": METHOD_REUSED, "units": METHOD_UNITS}[case]
    print(f"\n{case}: new {new:.3f}, real same-speaker p10 {np.percentile(real, 10):.3f} "
          f"mean {real.mean():.3f}, other speaker mean {others.mean():.3f}")
    assert new >= np.percentile(real, 10) - MARGIN
    assert new > others.mean()


def test_a_generic_voice_is_measurably_not_the_lecturer():
    k = _your_country()
    method, new, real, others = _similarities(Replacement(k, k + 2, "your photosynthesis"), (METHOD_REUSED,
                                                                                              METHOD_GENERIC))
    assert method == METHOD_GENERIC
    print(f"\ngeneric: new {new:.3f}, real same-speaker p10 {np.percentile(real, 10):.3f}, "
          f"other speaker mean {others.mean():.3f}")
    assert new < np.percentile(real, 10) - MARGIN
