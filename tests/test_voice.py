"""The voice engine's whole-word reuse, on real speech: a retype said by the lecturer's own recording of
the word elsewhere is heard in place, joins without a click, is padded with the room's own tone,
is deterministic, cached and recorded; what it cannot say it refuses with a reason.
"""

from __future__ import annotations

import difflib
import functools
import time

import numpy as np
import pytest
import soundfile as sf
from asr_fixtures import engine
from testmedia import JFK, WEBCAM, media_path

from bench.measures.quality import discontinuity, discontinuity_profile
from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.audio import decode_audio
from lecturecut.media.probe import probe
from lecturecut.synthesis.edl import Replacement
from lecturecut.synthesis.project import Project
from lecturecut.synthesis.voice import (
    MAX_WORDS,
    METHOD_REUSED,
    NothingToSay,
    TooLong,
    VoiceUnavailable,
    rank_occurrences,
    synthesize,
    synthesized_spans,
)
from lecturecut.synthesis.voice.corpus import word_extent
from lecturecut.synthesis.voice.preview import in_context
from lecturecut.synthesis.voice.render import MIN_PAD_S, UNIT_MARGIN_S
from lecturecut.synthesis.voice.text import word_tokens

LJ_FILES = ("ljspeech_LJ001-0004.flac", "ljspeech_LJ001-0005.flac", "ljspeech_LJ001-0007.flac")
CROSSFADE_S = 0.010  # the project's default crossfade


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    """Each test gets its own voice cache: a hit must come from this test's own first call."""
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "cache"))
    # Whisper weights are converted once per machine: point the model cache back at it
    from pathlib import Path

    monkeypatch.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))


@functools.cache
def _transcribed(path: str):
    from lecturecut.asr.transcribe import transcribe

    return transcribe(path, model=engine("tiny.en"), language="en")  # refined: pocketsphinx phones


@functools.cache
def jfk_project() -> Project:
    path = media_path(JFK)
    return Project.create(path, probe(path), _transcribed(str(path)))


@functools.cache
def lj_project(folder: str) -> Project:
    """Three LJ Speech sentences joined into one short lecture (0.4 s pauses between them)."""
    parts = []
    for name in LJ_FILES:
        x, rate = sf.read(media_path(name), dtype="float32")
        parts += [x, np.zeros(int(0.4 * rate), np.float32) + 1e-4 * np.random.default_rng(1).standard_normal(
            int(0.4 * rate)).astype(np.float32)]
    out = f"{folder}/lj_lecture.wav"
    sf.write(out, np.concatenate(parts), rate, subtype="FLOAT")
    return Project.create(out, probe(out), _transcribed(out))


@pytest.fixture(scope="module")
def lj(tmp_path_factory):
    return lj_project(str(tmp_path_factory.mktemp("lj")))


def word_index(project: Project, text: str, nth: int = 0) -> int:
    hits = [k for k, w in enumerate(project.transcript.words) if w.norm == text]
    assert len(hits) > nth, (text, project.transcript.text)
    return hits[nth]


def spoken(text: str) -> list[str]:
    return [t for w in text.split() for t in word_tokens(w, "en")]


def heard_in_place(project: Project, replacement: Replacement, audio: np.ndarray, rate: int,
                   model: str = "tiny.en") -> tuple[bool, str]:
    """Transcribe the mixed audio with ``model`` (default tiny.en); True when the new words are recognised
    exactly where they were typed (aligned against the edited text: the words around them must match too)."""
    from scipy.signal import resample_poly

    from lecturecut.asr.transcribe import transcribe

    x16 = resample_poly(audio, WORD_RATE, rate).astype(np.float32)
    heard = transcribe(x16, model=engine(model), language="en", refine=False).text
    words = [w.text for w in project.transcript.words]
    before, after = " ".join(words[:replacement.start]), " ".join(words[replacement.end:])
    expected_before, new = spoken(before), spoken(replacement.text)
    expected = expected_before + new + spoken(after)
    got = spoken(heard)
    lo, hi = len(expected_before), len(expected_before) + len(new)
    ok = set(range(lo, hi))
    for tag, i1, i2, _, _ in difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_opcodes():
        if tag == "equal":
            ok -= set(range(i1, i2))
    # the neighbours either side must be matched too, so "in place" means in place
    neighbours_ok = all(any(tag == "equal" and i1 <= k < i2 for tag, i1, i2, _, _ in
                            difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_opcodes())
                        for k in (lo - 1, hi) if 0 <= k < len(expected))
    return not ok and neighbours_ok, heard


def natural_pause_clicks(project: Project, source: np.ndarray, rate: int) -> np.ndarray:
    """The click measure at random points of the recording's own pauses (what a join may score)."""
    words = project.transcript.words
    to_rate, margin = rate / WORD_RATE, rate // 100
    rng = np.random.default_rng(0)
    pauses = [(int(a.end * to_rate) + margin, int(b.start * to_rate) - margin)
              for a, b in zip(words, words[1:], strict=False)]
    return discontinuity_profile(source, rate, [rng.integers(lo, hi) for lo, hi in pauses if hi - lo > 1
                                                for _ in range(40)])


# ---------------------------------------------------------------- speech
def test_a_word_retyped_as_a_word_said_elsewhere_is_heard_in_place():
    project = jfk_project()
    first_you = word_index(project, "you")  # "... can do for you, ask what you ..."
    r = Replacement(first_you, first_you + 1, "country,")
    speech = synthesize(project, r, audio_rate=project.media.audio.sample_rate)
    assert speech.method == METHOD_REUSED
    [use] = speech.sources
    assert project.transcript.words[use.words[0]].norm == "country"
    source = decode_audio(project.source, speech.rate, 1)
    mixed, _, _ = in_context(source, speech, int(CROSSFADE_S * speech.rate))
    ok, heard = heard_in_place(project, r, mixed, speech.rate)
    assert ok, heard


def test_a_recorded_phrase_is_reused_whole_and_heard_in_place():
    project = jfk_project()
    last = len(project.transcript.words) - 1  # "... for your country"
    r = Replacement(last - 1, last + 1, "fellow Americans.")
    selection = rank_occurrences(project, r)
    [unit] = selection.units  # one verbatim run, not two words from wherever
    assert unit.tokens == ("fellow", "americans")
    assert unit.chosen.end - unit.chosen.start == 2
    speech = synthesize(project, r, audio_rate=project.media.audio.sample_rate)
    assert [w.label for w in speech.words] == ["fellow", "Americans"]
    source = decode_audio(project.source, speech.rate, 1)
    mixed, _, _ = in_context(source, speech, int(CROSSFADE_S * speech.rate))
    ok, heard = heard_in_place(project, r, mixed, speech.rate)
    assert ok, heard


def webcam_project() -> Project:
    return _webcam()


@functools.cache
def _webcam() -> Project:
    path = media_path(WEBCAM)
    return Project.create(path, probe(path), _transcribed(str(path)))


def test_a_word_recorded_right_after_another_brings_none_of_it_along():
    """"Good morning, my name is Jordi": "morning" is said once, straight after "good". Its 20 ms margin
    carried the end of "good" (its /d/ closure and release, 10 dB over the room: -52.5 dB against -62.5);
    the neighbour's part of a margin is now room tone, cut at the energy valley between the words. (On the
    bench, "often" recorded after "most" lost the /t/ that made it "doffing". Here both listeners still
    hear "my good morning" with or without the leak: Whisper's expectation, so this checks the level.)"""
    project = webcam_project()
    name, morning = word_index(project, "name"), word_index(project, "morning")
    words = project.transcript.words
    assert words[morning].start - words[morning - 1].end < 0.02 * WORD_RATE  # recorded with no pause
    speech = synthesize(project, Replacement(name, name + 1, "morning"), audio_rate=project.media.audio.sample_rate)
    [use] = speech.sources
    assert use.words == (morning, morning + 1)
    rate = speech.rate
    # up to the word's onset (the aligner's start less its slack) the new audio is as quiet as the room
    onset = speech.words[0].start - int(0.012 * rate)
    lead = speech.audio[:onset].astype(np.float64)
    room = 20 * np.log10(np.sqrt(np.mean(lead[:int(MIN_PAD_S * rate)] ** 2)))
    level = 20 * np.log10(np.sqrt(np.mean(lead[-int(0.010 * rate):] ** 2)))
    assert level < room + 6, (level, room)


def test_a_printed_word_from_another_sentence_is_heard_in_place(lj):
    block = word_index(lj, "block")  # "produced the block books" -> "produced the printed books"
    r = Replacement(block, block + 1, "printed")
    speech = synthesize(lj, r, audio_rate=lj.media.audio.sample_rate)
    [use] = speech.sources
    assert lj.transcript.words[use.words[0]].norm == "printed"
    source = decode_audio(lj.source, speech.rate, 1)
    mixed, _, _ = in_context(source, speech, int(CROSSFADE_S * speech.rate))
    ok, heard = heard_in_place(lj, r, mixed, speech.rate)
    assert ok, heard


def test_numbers_are_matched_by_how_they_are_spoken(lj):
    # "the invention of" said twice; "42" typed is "forty two", recorded as "forty-two"
    assert word_tokens("2024", "en") == ("twenty", "twenty", "four")
    assert word_tokens("Dr.", "en") == ("doctor",)
    assert word_tokens("Über", "de") == ("über",)  # other languages: the word as written, lowercased
    about = word_index(lj, "about")
    r = Replacement(about, about + 1, "42")
    speech = synthesize(lj, r, audio_rate=lj.media.audio.sample_rate)
    said = [t for use in speech.sources for t in spoken(use.text)]
    assert said == ["forty", "two"]
    assert all(p.start < p.end for p in speech.phones) and speech.phones  # the sources had phones


# ---------------------------------------------------------------- joins and room
def test_joins_are_click_free_and_pauses_carry_room_tone():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    source = decode_audio(project.source, rate, 1)
    natural = natural_pause_clicks(project, source, rate)
    assert len(natural) >= 100
    limit = np.percentile(natural, 99)
    scores = []
    for text, word in (("country,", "you"), ("you", "country"), ("your", "my")):
        k = word_index(project, word)
        speech = synthesize(project, Replacement(k, k + 1, text), audio_rate=rate)
        mixed, j0, j1 = in_context(source, speech, int(CROSSFADE_S * rate))
        scores += [discontinuity(mixed, rate, j0), discontinuity(mixed, rate, j1)]
        scores += inner_joins(project, speech)
        pad = int(MIN_PAD_S * rate)
        for edge in (speech.audio[:pad], speech.audio[-pad:]):
            assert np.count_nonzero(edge) == len(edge)  # never digital silence
            level = 20 * np.log10(np.sqrt(np.mean(edge.astype(np.float64) ** 2)))
            assert -80 < level < 20 * np.log10(np.sqrt(np.mean(source ** 2))) - 15, level  # a pause, not speech
        assert speech.record.room_tone and all(b > a for a, b in speech.record.room_tone)
    assert max(scores) <= limit, (scores, np.percentile(natural, [50, 90, 99]))


def inner_joins(project: Project, speech) -> list[float]:
    """The click measure at the crossfades inside the new audio, room tone into each recorded run and out
    of it (their centres: the run's margins are what ``use.source`` read beyond the words' extent)."""
    rate, margin, scores = speech.rate, UNIT_MARGIN_S * speech.rate, []
    for use in speech.sources:
        a, b = use.output
        first, last = project.transcript.words[use.words[0]], project.transcript.words[use.words[1] - 1]
        before = word_extent(first)[0] * rate / WORD_RATE - use.source[0]
        after = use.source[1] - word_extent(last)[1] * rate / WORD_RATE
        scores += [discontinuity(speech.audio, rate, int(a - before * use.fit.stretch + margin / 2)),
                   discontinuity(speech.audio, rate, int(b + after * use.fit.stretch - margin / 2))]
    return scores


def test_joins_inside_connected_speech_score_like_its_own_word_boundaries(lj):
    """Words said without a pause leave no pause to cut in: the cuts into the source and the fades into each
    recorded run are searched near the word boundaries, so that no join jumps more than the recording
    does at its own boundaries between connected words (90th percentile). Cutting at the boundaries
    themselves, as before, scored up to 14 here, over that."""
    rate = lj.media.audio.sample_rate
    source = decode_audio(lj.source, rate, 1)
    words = lj.transcript.words
    connected = [k for k in range(1, len(words)) if words[k].start - words[k - 1].end < 0.02 * WORD_RATE]
    natural = discontinuity_profile(source, rate, [int(words[k].start * rate / WORD_RATE) for k in connected])
    limit = np.percentile(natural, 90)
    scores = []
    for word, text, insert in (("block", "printed", False), ("middle", "true", False),
                               ("earliest", "true", False), ("letters", "printed", True)):
        k = word_index(lj, word)
        assert k in connected and (insert or k + 1 in connected), (word, k)  # no pause either side
        speech = synthesize(lj, Replacement(k, k if insert else k + 1, text), audio_rate=rate)
        assert speech.method == METHOD_REUSED
        mixed, j0, j1 = in_context(source, speech, int(CROSSFADE_S * rate))
        scores += [discontinuity(mixed, rate, j0), discontinuity(mixed, rate, j1)] + inner_joins(lj, speech)
    assert max(scores) <= limit, (np.round(scores, 1), np.percentile(natural, [50, 90]))


# ---------------------------------------------------------------- determinism, cache, record
def test_synthesis_is_deterministic_and_cached_by_content():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    k = word_index(project, "you")
    r = Replacement(k, k + 1, "country,")
    t0 = time.perf_counter()
    first = synthesize(project, r, audio_rate=rate)
    t_first = time.perf_counter() - t0
    again = synthesize(project, r, audio_rate=rate, use_cache=False)  # computed afresh
    assert not first.cached and not again.cached
    assert np.array_equal(first.audio, again.audio) and first.record == again.record
    t0 = time.perf_counter()
    hit = synthesize(project, r, audio_rate=rate)
    t_hit = time.perf_counter() - t0
    assert hit.cached and np.array_equal(hit.audio, first.audio) and hit.record == first.record
    assert t_hit < t_first / 3, (t_hit, t_first)
    other_rate = synthesize(project, r, audio_rate=16_000)  # another rate is another entry
    assert not other_rate.cached and other_rate.rate == 16_000


def test_every_retype_is_listed_with_its_method_and_sources_or_as_pending():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    k, m = word_index(project, "you"), word_index(project, "my")
    edl = project.edl.replace(k, k + 1, "country,").replace(m, m + 1, "your")
    project = project.with_edl(edl, "two retypes")
    r_you = edl.replacement_at(k)
    synthesize(project, r_you, audio_rate=rate)
    listed = synthesized_spans(project)
    assert [s.replacement for s in listed] == list(edl.replacements)
    by_start = {s.replacement.start: s for s in listed}
    assert by_start[m].status == "pending" and by_start[m].record is None
    done = by_start[k]
    assert done.status == "synthesized" and done.record.method == METHOD_REUSED
    [use] = done.record.sources
    assert project.transcript.words[use.words[0]].norm == "country"
    a, b = use.source
    w = project.transcript.words[use.words[0]]
    assert a <= w.start * rate / WORD_RATE and w.end * rate / WORD_RATE <= b  # the range the word was read from
    assert done.record.phones and done.record.words[0].label.lower().startswith("country")
    assert all(0 <= p.start < p.end <= done.record.n_samples for p in done.record.phones)


# ---------------------------------------------------------------- refusals
def test_what_the_lecture_cannot_say_is_refused_with_a_reason():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    with pytest.raises(VoiceUnavailable) as err:  # the lecturer's own recorded words only
        synthesize(project, Replacement(2, 3, "our zebra"), audio_rate=rate, methods=(METHOD_REUSED,))
    assert err.value.words == ("our", "zebra") and "pending" in str(err.value) and "\n" not in str(err.value)
    for empty in ("", "  ", "... !", "—"):
        with pytest.raises(NothingToSay):
            synthesize(project, Replacement(2, 3, empty), audio_rate=rate)
    with pytest.raises(TooLong) as err:
        synthesize(project, Replacement(2, 3, " ".join(["you"] * (MAX_WORDS + 1))), audio_rate=rate)
    assert str(MAX_WORDS) in str(err.value)
    token = CancelToken()
    token.cancel()
    with pytest.raises(Cancelled):
        synthesize(project, Replacement(2, 3, "your"), audio_rate=rate, cancel=token)
