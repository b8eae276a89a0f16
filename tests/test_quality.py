"""The click measure: it flags real discontinuities, and the export's joins pass it.

``discontinuity`` is the peak LPC residual in the 5 ms after a position over
the residual level in the 20 ms before it. On real speech the export's
crossfaded joins must score like the recording's own pauses, while a hard
splice in the middle of words must score far higher.
"""

import numpy as np
import pytest
from media_fixtures import many_cut_export

from bench.measures.quality import discontinuity, discontinuity_profile
from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.media.audio import decode_audio

RATE = 16_000


def noise(n: int, seed: int = 0, level: float = 0.05) -> np.ndarray:
    return (np.random.default_rng(seed).standard_normal(n) * level).astype(np.float32)


def test_a_continuous_tone_is_smooth_and_a_jump_in_it_is_a_click():
    t = np.arange(RATE) / RATE
    tone = 0.5 * np.sin(2 * np.pi * 220 * t) + noise(RATE, level=0.001)  # a hum over a quiet floor
    smooth = discontinuity(tone, RATE, RATE // 2)
    assert smooth < 4
    quarter = RATE // 220 // 4  # skipping a quarter period: the waveform steps from ~0 to ~0.5
    jumped = np.concatenate([tone[: RATE // 2], tone[RATE // 2 + quarter:]])
    assert discontinuity(jumped, RATE, RATE // 2) > 20 * smooth


def test_noise_scores_a_few_units_and_a_click_in_it_stands_out():
    x = noise(RATE)
    natural = discontinuity_profile(x, RATE, range(2000, 14000, 500))
    assert 1.5 < np.median(natural) < 5
    clicked = x.copy()
    clicked[8000] += 0.05 * 12  # a 12-sigma spike
    assert discontinuity(clicked, RATE, 8000) > 2 * natural.max()


def test_the_score_does_not_depend_on_loudness():
    x = noise(RATE, seed=1)
    assert discontinuity(x, RATE, 9000) == pytest.approx(discontinuity(0.05 * x, RATE, 9000), rel=1e-3)


def test_a_crossfaded_join_of_two_noises_is_not_a_click():
    a, b = noise(RATE, seed=2), noise(RATE, seed=3)
    n = RATE * 10 // 1000  # 10 ms
    t = (np.arange(n) + 0.5) / n
    joined = np.concatenate([a[:8000 - n // 2],
                             a[8000 - n // 2:8000 + n // 2] * np.cos(t * np.pi / 2)
                             + b[8000 - n // 2:8000 + n // 2] * np.sin(t * np.pi / 2),
                             b[8000 + n // 2:]])
    natural = discontinuity_profile(a, RATE, range(2000, 14000, 500))
    assert discontinuity(joined, RATE, 8000) <= natural.max()


def test_profile_and_edges():
    x = noise(RATE, seed=4)
    positions = [1000, 5000, 9000]
    assert list(discontinuity_profile(x, RATE, positions)) == [discontinuity(x, RATE, p) for p in positions]
    with pytest.raises(ValueError):
        discontinuity(x, RATE, 100)  # no 20 ms of history before it
    with pytest.raises(ValueError):
        discontinuity(x, RATE, RATE - 10)  # no 5 ms after it


def test_export_joins_score_like_natural_pauses_and_a_hard_splice_is_caught():
    project, result = many_cut_export()
    plan = result.plan
    rate = plan.audio_rate
    exported = decode_audio(result.path, rate, 1)
    source = decode_audio(project.source, rate, 1)
    joins = discontinuity_profile(exported, rate, [int(round(t * rate)) for t in plan.join_times_s()])
    assert len(joins) == 20

    # random positions inside the recording's own pauses (between the words, 10 ms clear of them)
    words = project.transcript.words
    to_rate = rate / WORD_RATE
    margin = rate // 100
    rng = np.random.default_rng(0)
    pauses = [(int(a.end * to_rate) + margin, int(b.start * to_rate) - margin) for a, b in zip(words, words[1:])]
    natural = discontinuity_profile(source, rate, [rng.integers(lo, hi) for lo, hi in pauses if hi > lo
                                                   for _ in range(3)])
    assert len(natural) > 100
    assert joins.max() <= np.percentile(natural, 99), (joins, np.percentile(natural, [50, 90, 99]))
    assert np.median(joins) <= np.median(natural) + 1.0, (np.median(joins), np.median(natural))

    # hard splices: the middle of one word butted onto the middle of another, no crossfade
    splices = []
    for k in range(1, 40, 4):
        w1, w2 = words[k], words[k + 7]
        m1 = int((w1.start + w1.end) / 2 * to_rate)
        m2 = int((w2.start + w2.end) / 2 * to_rate) + 17  # off any shared zero crossing
        assert abs(source[m1 - 1] - source[m2]) > 1e-3  # a non-zero-crossing join
        splices.append(discontinuity(np.concatenate([source[:m1], source[m2:]]), rate, m1))
    assert min(splices) > 3 * joins.max(), (splices, joins)
    assert min(splices) > 3 * np.percentile(natural, 99)
