"""What a lecturer really types into a retype: titles and names the lecture never says, whole
sentences, German numbers and abbreviations. Each is either spoken and heard in place, or refused
with one line that leaves the edit pending.
"""

from __future__ import annotations

import pytest
from test_voice import CROSSFADE_S, heard_in_place, jfk_project

from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.edl import Replacement
from lecturecut.synthesis.voice import METHOD_GENERIC, METHOD_REUSED, synthesize
from lecturecut.synthesis.voice.preview import in_context
from lecturecut.synthesis.voice.render import TYPED_PAUSE_S
from lecturecut.synthesis.voice.text import typed_words, word_tokens


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "cache"))
    from pathlib import Path

    monkeypatch.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))


def test_german_numbers_and_abbreviations_are_read_as_words():
    assert word_tokens("2024", "de") == ("zweitausendvierundzwanzig",)
    assert word_tokens("1989", "de") == ("neunzehnhundertneunundachtzig",)  # a year
    assert word_tokens("3,5", "de") == ("drei", "komma", "fünf")
    assert word_tokens("1.000.000", "de") == ("eine", "million")
    assert word_tokens("3.", "de") == ("dritte",)
    assert word_tokens("20%", "de") == ("zwanzig", "prozent")
    assert word_tokens("z.B.", "de") == ("zum", "beispiel")
    assert word_tokens("Dr.", "de") == ("doktor",)
    assert word_tokens("„Über“", "de") == ("über",)
    # an abbreviation's dot is no full stop: no pause is asked for after it
    dr, name = typed_words("Dr. Müller,", "de")
    assert not dr.pause_after and name.pause_after
    dr, name = typed_words("Dr. Smith", "en")
    assert dr.tokens == ("doctor",) and not dr.pause_after


def test_a_title_and_name_the_lecture_never_says_are_one_phrase_heard_in_place():
    project = jfk_project()  # "... my fellow Americans, ask not ..."
    rate = project.media.audio.sample_rate
    americans = next(k for k, w in enumerate(project.transcript.words) if w.norm == "americans")
    r = Replacement(americans + 1, americans + 1, "Dr. Smith,")
    speech = synthesize(project, r, audio_rate=rate, methods=(METHOD_GENERIC,))
    assert speech.method == METHOD_GENERIC
    [use] = speech.sources  # said as one phrase by the voice, not word by word
    assert use.text == "Dr. Smith," and use.method == METHOD_GENERIC
    [word] = speech.words
    # the typed comma is a pause before the lecture resumes
    assert speech.record.n_samples - word.end >= TYPED_PAUSE_S * rate
    source = decode_audio(project.source, rate, 1)
    mixed, _, _ = in_context(source, speech, int(CROSSFADE_S * rate))
    ok, heard = heard_in_place(project, r, mixed, rate, model="base")
    assert ok, heard


def test_a_whole_sentence_inserted_is_said_in_the_lecturers_voice_and_heard():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    second_ask = [k for k, w in enumerate(project.transcript.words) if w.norm == "ask"][1]
    r = Replacement(second_ask, second_ask, "and ask not what your country can do for you,")
    speech = synthesize(project, r, audio_rate=rate)
    assert speech.method == METHOD_REUSED
    assert [w.label.strip(",").lower() for w in speech.words] == r.text.strip(",").split()
    source = decode_audio(project.source, rate, 1)
    mixed, _, _ = in_context(source, speech, int(CROSSFADE_S * rate))
    ok, heard = heard_in_place(project, r, mixed, rate)
    assert ok, heard
