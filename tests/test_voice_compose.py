"""The three voice paths composed behind ``synthesize``, on JFK's real speech: per typed word, a recorded
occurrence first, then the lecturer's own half-phones, then a generic voice matched to him; each stretch
is recorded with its method and sources, the span with the weakest, and tiny.en hears the words in place.
"""

from __future__ import annotations

import numpy as np
import pytest
from test_voice import heard_in_place, jfk_project

from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.edl import Replacement
from lecturecut.synthesis.voice import (
    METHOD_GENERIC,
    METHOD_REUSED,
    METHOD_UNITS,
    VoiceUnavailable,
    synthesize,
    synthesized_spans,
)
from lecturecut.synthesis.voice.phones import pronounce
from lecturecut.synthesis.voice.preview import in_context
from lecturecut.synthesis.voice.record import weakest
from lecturecut.synthesis.voice.render import _inventory

# JFK: "... ask not what [your country] can do for you ..." (words 8-9). "your" is said (reused);
# "mask" is not, but every phone of it is (units); "photosynthesis" needs IH and TH, which JFK never
# says (checked below), so only a generic voice can say it.
NEW_TEXT = "your mask photosynthesis"
CROSSFADE_S = 0.010


@pytest.fixture(autouse=True)
def _private_cache(tmp_path, monkeypatch):
    from pathlib import Path

    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))


def _retype(project) -> Replacement:
    words = [w.norm for w in project.transcript.words]
    k = words.index("your")
    assert words[k + 1] == "country"
    return Replacement(k, k + 2, NEW_TEXT)


def test_the_weakest_method_names_the_span():
    assert weakest([METHOD_REUSED, METHOD_UNITS]) == METHOD_UNITS
    assert weakest([METHOD_UNITS, METHOD_GENERIC, METHOD_REUSED]) == METHOD_GENERIC
    assert weakest([METHOD_REUSED]) == METHOD_REUSED


def test_reused_units_and_generic_words_are_each_recorded_and_heard_in_place():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    have = _inventory(project).phone_labels
    assert set(pronounce("mask")) <= have and not {"IH", "TH"} <= have  # the premise of the three paths
    r = _retype(project)
    speech = synthesize(project, r, audio_rate=rate)
    record = speech.record
    assert [s.method for s in record.sources] == [METHOD_REUSED, METHOD_UNITS, METHOD_GENERIC]
    assert record.method == METHOD_GENERIC and record.generic
    reused, units, generic = record.sources
    assert project.transcript.words[reused.words[0]].norm == "your"
    # units: built from the lecturer's own phones, each run of them pointing into the source
    assert units.text == "mask" and units.phones == pronounce("mask") and units.pieces
    n_source = int(np.ceil(project.media.duration_s * rate))
    for a, b in units.pieces:
        assert 0 <= a < b <= n_source
        assert units.source[0] <= a and b <= units.source[1]
    assert 0 <= units.words[0] < units.words[1] <= len(project.transcript.words)
    # generic: the backend and voice named, and what was done to sit it in the lecture
    assert generic.text == "photosynthesis" and generic.backend == "piper" and generic.voice
    assert generic.match is not None and np.isfinite(generic.match.gain_db) and generic.words[0] == generic.words[1]
    # in order, inside the new audio, none overlapping
    outs = [s.output for s in record.sources]
    assert all(0 <= a < b <= record.n_samples for a, b in outs)
    assert all(b0 <= a1 for (_, b0), (a1, _) in zip(outs, outs[1:], strict=False))
    assert [w.label for w in record.words] == ["your", "mask", "photosynthesis"]
    # every one of the three is claimed intelligible: tiny.en hears them where they were typed
    source = decode_audio(project.source, rate)
    mixed, _, _ = in_context(source, speech, int(CROSSFADE_S * rate))
    ok, heard = heard_in_place(project, r, mixed, rate)
    assert ok, heard
    # cached with its record, and listed as synthesized by the generic voice
    again = synthesize(project, r, audio_rate=rate)
    assert again.cached and again.record == record and np.array_equal(again.audio, speech.audio)
    project = project.with_edl(project.edl.replace(r.start, r.end, r.text), "retype")
    [listed] = synthesized_spans(project)
    assert listed.status == "synthesized" and listed.record.method == METHOD_GENERIC
    assert [s.method for s in listed.record.sources] == [METHOD_REUSED, METHOD_UNITS, METHOD_GENERIC]


def test_a_word_built_from_units_only_makes_a_units_span():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    k = _retype(project).start
    speech = synthesize(project, Replacement(k, k + 2, "your mask"), audio_rate=rate)
    assert speech.method == METHOD_UNITS and not speech.record.generic
    assert [s.method for s in speech.sources] == [METHOD_REUSED, METHOD_UNITS]
    assert [p.label for p in speech.phones if p.source_word == -1] == list(pronounce("mask"))


def test_a_word_no_allowed_voice_can_say_stays_pending_with_the_reason():
    project = jfk_project()
    rate = project.media.audio.sample_rate
    r = _retype(project)
    with pytest.raises(VoiceUnavailable) as err:
        synthesize(project, r, audio_rate=rate, methods=(METHOD_REUSED, METHOD_UNITS))
    message = str(err.value)
    assert err.value.words == ("photosynthesis",) and "\n" not in message
    assert "IH" in message and "TH" in message and "pending" in message
