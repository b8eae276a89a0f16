"""The generic fallback voice, on the real piper voice and the real sample lecture: it says a word the
lecture never says (Whisper hears it back), sits at the lecturer's loudness, colour and room, is
deterministic, and with no voice installed refuses in one line that says what to install.
"""

from __future__ import annotations

import functools
import re

import numpy as np
import pyloudnorm
import pytest
from asr_fixtures import engine
from scipy.signal import welch
from testmedia import OBAMA, media_path

from lecturecut.core import LecturecutError
from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.voice import tts
from lecturecut.synthesis.voice.match import MAX_EQ_DB, plan_match
from lecturecut.synthesis.voice.tts import (
    CALIBRATION_TEXT,
    TtsBackend,
    TtsFailed,
    TtsSpeech,
    TtsUnavailable,
    backends,
    best_backend,
    require_backend,
    speak,
)
from lecturecut.synthesis.voice.tts_espeak import EspeakBackend, parse_voices
from lecturecut.synthesis.voice.tts_piper import VOICE, PiperBackend

RATE = 48_000  # the sample lecture's audio rate: the voice engine asks for speech at the source's rate
WORD = "photosynthesis"  # never said in the sample lecture (an oil-spill weekly address)
REFERENCE_S = 8  # the lecturer's "neighbouring speech": the lecture's first 8 s, pauses included
FRAME = RATE // 50  # 20 ms


@functools.cache
def piper() -> PiperBackend:
    return PiperBackend()


@functools.cache
def word_speech(rate: int = RATE) -> TtsSpeech:
    return piper().synthesize(WORD, "en", rate)


@functools.cache
def lecture() -> np.ndarray:
    return decode_audio(media_path(OBAMA), RATE)[: REFERENCE_S * RATE]


def _levels_db(x: np.ndarray) -> np.ndarray:
    frames = x[: len(x) // FRAME * FRAME].astype(np.float64).reshape(-1, FRAME)  # (n, 20 ms)
    return 10 * np.log10(np.maximum(np.mean(frames**2, axis=1), 1e-20))


def _lufs(x: np.ndarray) -> float:
    return pyloudnorm.Meter(RATE).integrated_loudness(x.astype(np.float64))


def _loud_rms_db(x: np.ndarray) -> float:
    """RMS over the frames within 20 dB of the loudest (a measure independent of match.py's voiced mask)."""
    levels = _levels_db(x)
    loud = levels[levels > levels.max() - 20]
    return float(10 * np.log10(np.mean(10 ** (loud / 10))))


def _third_octave_distance(a: np.ndarray, b: np.ndarray) -> float:
    """RMS difference (dB) of the two long-term spectra in 1/3-octave bands 100 Hz - 8 kHz, level removed."""
    freqs, pa = welch(a.astype(np.float64), RATE, nperseg=4096)
    _, pb = welch(b.astype(np.float64), RATE, nperseg=4096)
    centres = 100 * 2 ** (np.arange(19) / 3)  # 100 Hz ... 6.4 kHz centres, bands up to ~7.2 kHz
    diff = []
    for c in centres:
        band = (freqs >= c * 2 ** (-1 / 6)) & (freqs < c * 2 ** (1 / 6))
        diff.append(10 * np.log10(pa[band].mean()) - 10 * np.log10(pb[band].mean()))
    diff = np.array(diff) - np.mean(diff)
    return float(np.sqrt(np.mean(diff**2)))


def test_piper_says_a_word_the_lecture_never_says_and_whisper_hears_it():
    from lecturecut.asr.transcribe import transcribe

    speech = piper().synthesize(WORD, "en", 16_000)
    assert speech.rate == 16_000 and speech.audio.dtype == np.float32 and speech.audio.ndim == 1
    assert (speech.backend, speech.voice) == ("piper", VOICE)
    assert 0.5 < speech.duration_s < 3.0
    heard = transcribe(speech.audio, model=engine("tiny.en"), language="en").text
    assert re.sub(r"[^a-z]", "", heard.lower()) == WORD, heard
    # phone times: in order, inside the audio, and they spell the word's espeak phones
    labels = [label for label, _, _ in speech.phones]
    assert "".join(labels).replace("ˈ", "").replace("ˌ", "") == "foʊɾoʊsɪnθəsɪs", labels
    starts = [a for _, a, _ in speech.phones]
    assert starts == sorted(starts)
    assert all(0 <= a < b <= len(speech.audio) for _, a, b in speech.phones)


def test_phone_times_follow_the_resampling():
    low, high = piper().synthesize(WORD, "en", 16_000), word_speech(RATE)
    assert [p[0] for p in low.phones] == [p[0] for p in high.phones]
    for (_, a16, b16), (_, a48, b48) in zip(low.phones, high.phones, strict=True):
        assert abs(a48 - 3 * a16) <= 3 and abs(b48 - 3 * b16) <= 3
    assert abs(len(high.audio) - 3 * len(low.audio)) <= 3


def test_matched_voice_has_the_lecturers_loudness():
    raw, reference = word_speech().audio, lecture()
    plan, matched = plan_match(raw, RATE, reference)
    before = abs(_lufs(raw) - _lufs(reference))
    after = abs(_lufs(matched) - _lufs(reference))
    assert before > 3.0, before  # the raw voice is audibly off: the match has something to do
    assert after < 1.0, (before, after)
    assert plan.loudness_unit == "LUFS" and not plan.peak_limited
    # and by plain RMS over the loud frames (a measure match.py does not use): within 1.5 dB
    assert abs(_loud_rms_db(matched) - _loud_rms_db(reference)) < 1.5
    assert len(matched) == len(raw) and matched.dtype == np.float32


def test_matched_voice_has_the_lecturers_spectral_colour():
    raw, reference = word_speech().audio, lecture()
    plan, matched = plan_match(raw, RATE, reference)
    before, after = _third_octave_distance(raw, reference), _third_octave_distance(matched, reference)
    assert after < before - 1.0, (before, after)
    assert max(abs(g) for g in plan.eq_db) <= MAX_EQ_DB
    assert any(abs(g) > 1.0 for g in plan.eq_db)  # it did equalise


def test_colour_from_a_long_passage_of_the_voice_recolours_the_voice():
    """With ``voice_sample`` the EQ compares voices, not one word's phonemes with a whole lecture."""
    passage = piper().synthesize(CALIBRATION_TEXT, "en", RATE).audio
    reference = lecture()
    _, matched_passage = plan_match(passage, RATE, reference, voice_sample=passage)
    before, after = _third_octave_distance(passage, reference), _third_octave_distance(matched_passage, reference)
    assert after < before - 1.5, (before, after)
    _, matched_word = plan_match(word_speech().audio, RATE, reference, voice_sample=passage)
    assert _third_octave_distance(matched_word, reference) < _third_octave_distance(word_speech().audio, reference)
    assert abs(_lufs(matched_word) - _lufs(reference)) < 1.0


def test_room_tone_is_under_the_generic_voice():
    raw, reference = word_speech().audio, lecture()
    plan, matched = plan_match(raw, RATE, reference)
    room_db = float(np.percentile(_levels_db(reference), 10))  # the lecture's noise floor
    assert room_db > -75  # the lecture has a room to copy
    raw_edges = _levels_db(raw)[[0, -1]]
    assert (raw_edges < room_db - 20).all(), raw_edges  # piper's own edges are (nearly) digital silence
    edges = _levels_db(matched)[[0, 1, -2, -1]]
    assert (np.abs(edges - room_db) < 6).all(), (edges, room_db)
    assert abs(plan.room_db - room_db) < 6
    assert np.count_nonzero(matched[:FRAME] == 0) < FRAME // 10  # no run of exact zeros at the start


def test_room_tone_passed_in_is_what_is_heard_under_the_voice():
    raw, reference = word_speech().audio, lecture()
    room = np.random.default_rng(7).normal(0, 10 ** (-40 / 20), RATE).astype(np.float32)  # a -40 dBFS "room"
    plan, matched = plan_match(raw, RATE, reference, room_tone=room)
    assert abs(plan.room_db + 40) < 0.5
    assert np.all(np.abs(_levels_db(matched)[[0, -1]] + 40) < 2)


def test_the_generic_voice_is_deterministic():
    first = word_speech()
    again = piper().synthesize(WORD, "en", RATE)
    other_session = PiperBackend().synthesize(WORD, "en", RATE)  # a new model load: no generator state carries
    assert np.array_equal(first.audio, again.audio) and np.array_equal(first.audio, other_session.audio)
    assert first.phones == again.phones == other_session.phones
    a = plan_match(first.audio, RATE, lecture())[1]
    b = plan_match(other_session.audio, RATE, lecture())[1]
    assert np.array_equal(a, b)


def test_no_voice_installed_gives_one_clear_line_and_no_speech():
    nothing = backends(finders=())  # the registry on a machine without piper and without espeak-ng
    assert nothing == ()
    assert best_backend("en", nothing) is None
    with pytest.raises(TtsUnavailable) as raised:
        speak("Okonkwo", "en", RATE, nothing)
    message = str(raised.value)
    assert message == (
        "No voice can speak 'Okonkwo': the lecture has no recording of it and no text-to-speech voice is "
        "installed (pip install 'lecturecut[voice-tts]'); the edit stays pending.")
    assert "\n" not in message
    assert isinstance(raised.value, LecturecutError) and raised.value.text == "Okonkwo"


def test_without_piper_english_falls_to_the_robotic_last_resort():
    only_espeak = backends(finders=(tts._espeak,))  # the registry with the piper extra absent
    assert [b.name for b in only_espeak] == ["espeak-ng"]
    chosen = require_backend("Okonkwo", "en", only_espeak)
    assert chosen.name == "espeak-ng" and "GPL-3.0" in chosen.licence
    # and a language piper's voice does not speak, with piper alone installed: the clear message
    only_piper = backends(finders=(tts._piper,))
    assert [b.name for b in only_piper] == ["piper"]
    with pytest.raises(TtsUnavailable):
        require_backend("Guten Morgen", "de", only_piper)


def test_the_neural_voice_is_loaded_once_per_process():
    """Every generic word asks the registry for its voice; each ask made a fresh piper backend, so each
    generic edit loaded the model again (about 2 s of the bench's 2.4 s per generic edit)."""
    first = best_backend("en")
    assert first is not None and first.name == "piper"
    speak("Good morning.", "en", 16_000)
    loaded = first._loaded
    assert loaded is not None
    speak("Good evening.", "en", 16_000)
    again = best_backend("en")
    assert again is first and again._loaded is loaded  # the same model, not a second load


def test_the_registry_prefers_the_neural_voice_and_speaks_german_with_espeak():
    found = backends()
    assert [b.name for b in found] == ["piper", "espeak-ng"]
    assert all(isinstance(b, TtsBackend) for b in found)
    assert best_backend("en", found).name == "piper"
    assert best_backend("en-US", found).name == "piper"
    assert best_backend("de", found).name == "espeak-ng"
    assert best_backend("xx", found) is None


def test_espeak_says_german_deterministically_without_phone_times():
    voice = EspeakBackend()
    first = voice.synthesize("Guten Morgen, meine Damen und Herren.", "de", 16_000)
    again = voice.synthesize("Guten Morgen, meine Damen und Herren.", "de", 16_000)
    assert first.voice == "de" and first.phones == () and first.rate == 16_000
    assert 1.0 < first.duration_s < 4.0
    assert np.array_equal(first.audio, again.audio)
    assert np.sqrt(np.mean(first.audio**2)) > 0.01
    # a text that starts with "-" is text, not an option
    assert voice.synthesize("-minus", "en", 16_000).duration_s > 0.2


def test_piper_refuses_languages_and_empty_text_in_words():
    with pytest.raises(TtsFailed, match="English only"):
        PiperBackend().synthesize("Guten Morgen", "de", RATE)
    with pytest.raises(TtsFailed, match="empty"):
        piper().synthesize("  ", "en", RATE)


def test_parse_espeak_voices_prefers_american_english():
    listing = (
        "Pty Language       Age/Gender VoiceName          File                 Other Languages\n"
        " 5  de              --/M      German             gmw/de\n"
        " 2  en-gb           --/M      English_(Great_Britain) gmw/en            (en 2)\n"
        " 5  en-gb-scotland  --/M      English_(Scotland) gmw/en-GB-scotland   (en 4)\n"
        " 2  en-us           --/M      English_(America)  gmw/en-US            (en 3)\n"
        " 5  pt-br           --/M      Portuguese_(Brazil) roa/pt-BR            (pt 5)\n"
        " 5  pt              --/M      Portuguese_(Portugal) roa/pt               (pt-pt 5)\n")
    assert parse_voices(listing) == {"de": "de", "en": "en-us", "pt": "pt"}
