"""Tuning a retype's new speech, on JFK transcribed by tiny.en: another recorded occurrence, louder, slower,
later. Each is one undoable edit saved in the project, a cache entry of its own, heard in the export, and
measured on the audio it makes (RMS, duration, pitch, where the words start), not on what the record says.

One project and one retype ("... can do for you, ask ..." with "you" retyped as "country,") serve every
test; its untuned span is synthesized once per module (the cache is the module's own).
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest
from test_voice import jfk_project, natural_pause_clicks, word_index

from bench.measures.quality import discontinuity
from lecturecut.app.cli import main as cli
from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.edl import DEFAULT_TUNING, EditError, Replacement, VoiceTuning, edl_from_text
from lecturecut.synthesis.plan import plan_for
from lecturecut.synthesis.project import ProjectError, load_project, save_project
from lecturecut.synthesis.session import EditSession
from lecturecut.synthesis.voice import cache, rank_occurrences, synthesize, synthesized_spans
from lecturecut.synthesis.voice.corpus import transcript_digest
from lecturecut.synthesis.voice.record import SpanRecord
from lecturecut.synthesis.voice.render import MIN_PAD_S, UNIT_MARGIN_S
from lecturecut.synthesis.voice.tuning import PEAK_LIMIT


@pytest.fixture(scope="module", autouse=True)
def _module_cache(tmp_path_factory):
    """One voice cache for the module: the corpus and the untuned span are made once, then read."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LECTURECUT_CACHE", str(tmp_path_factory.mktemp("cache")))
        mp.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))  # tiny.en, converted once per machine
        yield


@pytest.fixture(scope="module")
def project():
    return jfk_project()


@pytest.fixture(scope="module")
def retype(project) -> Replacement:
    you = word_index(project, "you")  # "... can do for you, ask what you ..." (a pause after it)
    return Replacement(you, you + 1, "country,")


@pytest.fixture(scope="module")
def base(project, retype):
    return synthesize(project, retype, audio_rate=project.media.audio.sample_rate)


def tuned(project, retype, **tuning):
    r = Replacement(retype.start, retype.end, retype.text, VoiceTuning(**tuning))
    return synthesize(project, r, audio_rate=project.media.audio.sample_rate)


def extent(speech) -> tuple[int, int]:
    """Where the new words sound in the span (samples), from the record."""
    return min(s.output[0] for s in speech.sources), max(s.output[1] for s in speech.sources)


def rms_db(x: np.ndarray) -> float:
    return 20 * math.log10(float(np.sqrt(np.mean(np.asarray(x, np.float64) ** 2))))


def heard_stretch(x: np.ndarray, y: np.ndarray, rate: int) -> float:
    """How much longer ``y``'s words sound than ``x``'s: the factor that best maps the loudness contour
    (10 ms frames, in dB, floored 40 dB under the peak) of ``x`` onto that of ``y`` (searched 0.8-1.6,
    every lag). A whole-contour fit, so frames that hover at a threshold do not decide it."""
    frame = rate // 100

    def contour(z: np.ndarray) -> np.ndarray:
        n = len(z) // frame
        db = 20 * np.log10(np.sqrt(np.mean(z[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1)) + 1e-9)
        return np.maximum(db, db.max() - 40) - (db.max() - 40)

    cx, cy = contour(x), contour(y)
    best = (-np.inf, 1.0)
    for factor in np.arange(0.80, 1.60, 0.01):
        stretched = np.interp(np.arange(0, len(cx) * factor) / factor, np.arange(len(cx)), cx)
        scores = np.correlate(np.pad(cy, len(stretched)), stretched, mode="valid")
        score = scores.max() / (np.linalg.norm(stretched) * np.linalg.norm(cy) + 1e-9)
        best = max(best, (score, float(factor)))
    return best[1]


def median_f0(x: np.ndarray, rate: int) -> float:
    import parselmouth

    pitch = parselmouth.Sound(np.asarray(x, np.float64), sampling_frequency=rate).to_pitch_ac(
        time_step=0.005, pitch_floor=60, pitch_ceiling=500)
    f0 = pitch.selected_array["frequency"]
    return float(np.median(f0[f0 > 0]))


def max_click_in_room_tone(speech, rate: int) -> float:
    """The largest discontinuity at any millisecond of the span's room tone (before and after the words)."""
    first, last = extent(speech)
    margin, fit, probe = int(UNIT_MARGIN_S * rate), int(0.020 * rate), int(0.005 * rate)
    positions = [*range(fit, first - margin // 2, rate // 1000),
                 *range(last + margin // 2 + fit, len(speech.audio) - probe, rate // 1000)]
    assert len(positions) > 50
    return max(discontinuity(speech.audio, rate, p) for p in positions)


@pytest.fixture(scope="module")
def click_limit(project, base):
    """What tuning may not exceed: the 99th percentile of the discontinuity at random points of the lecture's
    own pauses, or the worst the untuned span already has in its room tone, whichever is higher (tuning
    splices inside that room tone; it must add no click of its own)."""
    rate = project.media.audio.sample_rate
    natural = np.percentile(natural_pause_clicks(project, decode_audio(project.source, rate, 1), rate), 99)
    # +10 %: the scan's millisecond grid meets a feature the spans share at other sample offsets; a splice
    # click is an order of magnitude above the pauses' own
    return 1.1 * max(float(natural), max_click_in_room_tone(base, rate))


# ---------------------------------------------------------------- the edit: values, file, undo
def test_tuning_is_clamped_normalised_and_written_only_when_set():
    t = VoiceTuning(choices=[(2, 9), (0, 21), (2, 5)], gain_db=9.0, tempo=2.0, shift_ms=-400.4)
    assert t == VoiceTuning(((0, 21), (2, 5)), 6.0, 1.33, -300)  # sorted, the last word for unit 2 kept
    assert VoiceTuning(tempo=0.5).tempo == 0.75 and VoiceTuning(gain_db=-1e9).gain_db == -6.0
    assert VoiceTuning.from_json(json.loads(json.dumps(t.to_json()))) == t
    assert VoiceTuning(gain_db=1.0).to_json() == {"gain_db": 1.0} and DEFAULT_TUNING.to_json() == {}
    assert DEFAULT_TUNING.is_default and not VoiceTuning(shift_ms=1).is_default
    assert VoiceTuning(tempo=1.0004).is_default  # rounded: "the same" setting is one cache entry
    assert t.with_choice(2, None).choices == ((0, 21),) and t.with_choice(1, 4).choices == ((0, 21), (1, 4), (2, 5))
    for bad in (dict(gain_db=float("nan")), dict(tempo=float("inf")), dict(choices=[(-1, 3)])):
        with pytest.raises(EditError):
            VoiceTuning(**bad)
    # an untuned retype is written as before tuning existed; a tuned one carries it and reads back
    assert Replacement(3, 4, "x").to_json() == {"start": 3, "end": 4, "text": "x"}
    r = Replacement(3, 4, "x", t)
    assert Replacement.from_json(json.loads(json.dumps(r.to_json()))) == r


def test_tuning_is_saved_undone_and_redone_as_one_step(project, retype, tmp_path):
    session = EditSession(project, tmp_path / "tuned.lcproj")
    session.replace_words(retype.start, retype.end, retype.text)
    louder = VoiceTuning(gain_db=3.0, choices=((0, 21),))
    session.tune_voice(retype.start, retype.end, louder)
    assert session.project.history.undo_label == "adjust voice"
    session.tune_voice(retype.start, retype.end, VoiceTuning(tempo=1.2, shift_ms=50))
    session.save()
    loaded = load_project(tmp_path / "tuned.lcproj")
    assert loaded.history.states == session.project.history.states  # every step, with its tuning
    [r] = loaded.edl.replacements
    assert r.tuning == VoiceTuning(tempo=1.2, shift_ms=50)
    back = loaded.history.undo()
    assert back.current.replacements[0].tuning == louder
    assert back.undo().current.replacements[0].tuning == DEFAULT_TUNING
    assert back.undo().redo().redo().current == loaded.edl
    with pytest.raises(EditError) as refused:  # no retype at these words
        session.tune_voice(retype.start - 1, retype.end, louder)
    assert len(str(refused.value).splitlines()) == 1 and "no retype" in str(refused.value)


def test_the_same_text_keeps_its_tuning_and_new_text_starts_afresh(project, retype):
    edl = project.edl.replace(retype.start, retype.end, retype.text).with_tuning(
        retype.start, retype.end, VoiceTuning(gain_db=2.0))
    text = edl.edited_text(project.transcript)
    assert edl_from_text(project.transcript, text, previous=edl) == edl
    assert edl_from_text(project.transcript, text.replace("country,", "nation,"),
                         previous=edl).replacements[0].tuning.is_default
    # deleting a neighbour that the retype covers keeps its text, and so its tuning
    two = project.edl.replace(retype.start, retype.end + 1, "country, ask").with_tuning(
        retype.start, retype.end + 1, VoiceTuning(tempo=1.1))
    assert two.delete(retype.end, retype.end + 1).replacements[0].tuning == VoiceTuning(tempo=1.1)


def test_old_projects_load_unchanged_and_a_damaged_tuning_is_refused(project, retype, tmp_path):
    old = tmp_path / "old.lcproj"
    save_project(project.with_edl(project.edl.replace(retype.start, retype.end, retype.text), "Retype"), old)
    written = old.read_text(encoding="utf-8")
    assert '"tuning"' not in written  # an untuned project is the file an older lecturecut wrote and reads
    loaded = load_project(old)
    assert loaded.edl.replacements[0].tuning == DEFAULT_TUNING
    save_project(loaded, tmp_path / "again.lcproj")
    assert (tmp_path / "again.lcproj").read_text(encoding="utf-8") == written
    data = json.loads(written)
    data["history"]["steps"][0]["retyped"][0]["tuning"] = {"tempo": 3.0}
    (tmp_path / "bad.lcproj").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectError) as refused:
        load_project(tmp_path / "bad.lcproj")
    assert "retyped[0].tuning.tempo" in str(refused.value) and len(str(refused.value).splitlines()) == 1
    data["history"]["steps"][0]["retyped"][0]["tuning"] = {"choices": [[0, 10_000]]}
    (tmp_path / "bad.lcproj").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProjectError, match=r"tuning\.choices\[0\]"):
        load_project(tmp_path / "bad.lcproj")


# ---------------------------------------------------------------- the speech
def test_another_occurrence_is_said_when_chosen(project, retype, base):
    [unit] = rank_occurrences(project, retype).units
    assert base.sources[0].words[0] == unit.chosen.start
    other = next(c.start for c in unit.candidates if c.start != unit.chosen.start)
    speech = tuned(project, retype, choices=((0, other),))
    [use] = speech.sources
    assert use.words[0] == other and project.transcript.words[other].norm == "country"
    assert speech.record.tuning.choices == ((0, other),)  # honoured, and the record says so
    assert len(speech.audio) != len(base.audio) or not np.array_equal(speech.audio, base.audio)
    assert speech.source_range == base.source_range
    # an explicit override still wins over the saved choice
    r = Replacement(retype.start, retype.end, retype.text, VoiceTuning(choices=((0, other),)))
    forced = synthesize(project, r, audio_rate=base.rate, overrides={0: unit.chosen.start})
    assert forced.sources[0].words[0] == unit.chosen.start and np.array_equal(forced.audio, base.audio)


def test_gain_raises_the_words_and_leaves_the_room_tone(project, retype, base):
    do = word_index(project, "do", 1)  # "... what you can do for your country": said by a quiet "for"
    quiet = Replacement(do, do + 1, "for")
    plain = synthesize(project, quiet, audio_rate=base.rate)
    speech = tuned(project, quiet, gain_db=6.0)
    a, b = extent(plain)
    assert extent(speech) == (a, b) and len(speech.audio) == len(plain.audio)
    rise = rms_db(speech.audio[a:b]) - rms_db(plain.audio[a:b])
    assert abs(rise - 6.0) <= 1.0, rise
    margin = int(UNIT_MARGIN_S * base.rate)
    assert np.array_equal(speech.audio[:a - margin], plain.audio[:a - margin])  # the room tone at each end
    assert np.array_equal(speech.audio[b + margin:], plain.audio[b + margin:])
    assert speech.record.tuning.gain_db == 6.0 and speech.record.replacement.tuning == VoiceTuning(gain_db=6.0)
    # softer works anywhere; louder stops at full scale (this recording of "country" peaks there already)
    a, b = extent(base)
    softer = tuned(project, retype, gain_db=-6.0)
    assert abs(rms_db(softer.audio[a:b]) - rms_db(base.audio[a:b]) + 6.0) <= 1.0
    louder = tuned(project, retype, gain_db=6.0)
    assert np.max(np.abs(louder.audio)) <= max(float(np.max(np.abs(base.audio))), PEAK_LIMIT) + 1e-6
    applied = louder.record.tuning.gain_db  # the record says what was applied, the retype what was asked
    assert louder.record.replacement.tuning.gain_db == 6.0 and 0.0 <= applied < 1.0
    assert abs(rms_db(louder.audio[a:b]) - rms_db(base.audio[a:b]) - applied) <= 0.1


def test_tempo_makes_the_words_longer_at_the_same_pitch(project, retype, base, click_limit):
    speech = tuned(project, retype, tempo=1.25)
    rate = base.rate
    # heard: the loudness contour of the words is 1.25 times as long (fitted over the whole contour: an
    # extent between threshold crossings moved by 0.1 s when the margin of the recorded word changed)
    (w0, x0), (w1, x1) = extent(base), extent(speech)
    margin0 = int(UNIT_MARGIN_S * rate)
    factor = heard_stretch(base.audio[w0 - margin0:x0 + margin0], speech.audio[w1 - margin0:x1 + margin0], rate)
    assert abs(factor - 1.25) <= 0.06, factor
    # the record follows the audio: its words are as much longer; the span grew by the words and their
    # margins stretched, the room tone either side kept its length
    (w0, x0), (w1, x1) = extent(base), extent(speech)
    assert abs((x1 - w1) / (x0 - w0) - 1.25) <= 0.01
    margin = int(UNIT_MARGIN_S * rate)
    grown = len(speech.audio) - len(base.audio)
    assert speech.record.n_samples == len(speech.audio)
    assert abs(grown - 0.25 * (x0 - w0 + 2 * margin)) <= 0.002 * rate, grown
    assert np.array_equal(speech.audio[:w0 - margin], base.audio[:w0 - margin])
    trail = len(base.audio) - (x0 + margin)
    assert np.array_equal(speech.audio[-trail:], base.audio[-trail:])
    assert speech.source_range == base.source_range
    assert all(0 <= p.start < p.end <= speech.record.n_samples for p in speech.record.phones)
    assert abs(speech.record.phones[-1].end - x1) <= abs(base.record.phones[-1].end - x0) * 1.25 + 2
    shift = 12 * math.log2(median_f0(speech.audio[w1:x1], rate) / median_f0(base.audio[w0:x0], rate))
    assert abs(shift) < 1.0, shift
    assert max_click_in_room_tone(speech, rate) <= click_limit


def test_shift_moves_the_words_inside_the_same_span(project, retype, base, click_limit):
    rate = base.rate
    speech = tuned(project, retype, shift_ms=100)
    moved = speech.record.words[0].start - base.record.words[0].start
    assert moved == round(0.100 * rate)
    assert [p.start - q.start for p, q in zip(speech.record.phones, base.record.phones)] == \
        [moved] * len(base.record.phones)
    assert len(speech.audio) == len(base.audio) and speech.source_range == base.source_range
    # heard: the words' waveform sits 100 ms later (cross-correlation of the span with the untuned one)
    a, b = extent(base)
    from scipy.signal import correlate

    scores = correlate(speech.audio.astype(np.float64), base.audio[a:b].astype(np.float64), mode="valid")
    heard = int(np.argmax(scores)) - a  # (n - (b - a) + 1,) one score per placement of the words
    assert abs(heard - round(0.100 * rate)) <= rate // 1000, heard / rate
    assert max_click_in_room_tone(speech, rate) <= click_limit
    # earlier than the room tone before the words allows: clamped, the minimum pad kept, the record says so
    early = tuned(project, retype, shift_ms=-300)
    margin, pad = int(UNIT_MARGIN_S * rate), int(MIN_PAD_S * rate)
    first = extent(early)[0]
    assert pad + margin - 1 <= first < a and early.record.tuning.shift_ms > -300
    assert abs(early.record.tuning.shift_ms - (first - a) * 1000 / rate) <= 1


def test_each_tuning_is_its_own_cache_entry_and_listed(project, retype, base):
    digest = transcript_digest(project.transcript)
    fp = project.fingerprint.head_tail_sha256

    def key(**tuning):
        return cache.span_key(fp, digest, Replacement(retype.start, retype.end, retype.text, VoiceTuning(**tuning)),
                              base.rate, None)

    keys = [key(), key(gain_db=1), key(gain_db=2), key(tempo=1.1), key(shift_ms=10), key(choices=((0, 21),))]
    assert len(set(keys)) == len(keys)
    assert keys[0] == cache.span_key(fp, digest, retype, base.rate, None) == base.record.key  # untuned: as before
    speech = tuned(project, retype, gain_db=1)
    assert speech.record.key == keys[1]
    again = tuned(project, retype, gain_db=1)
    assert again.cached and np.array_equal(again.audio, speech.audio) and again.record == speech.record
    edl = project.edl.replace(retype.start, retype.end, retype.text).with_tuning(
        retype.start, retype.end, VoiceTuning(gain_db=1))
    [listed] = synthesized_spans(project.with_edl(edl, "tuned"), base.rate)
    assert listed.status == "synthesized" and listed.record == speech.record
    # a record written before tuning existed (no "tuning" key) still reads
    old = base.record.to_json()
    assert "tuning" not in old and SpanRecord.from_json(old) == base.record


def test_the_export_plan_speaks_the_tuned_speech(project, retype, base):
    plain = project.with_edl(project.edl.replace(retype.start, retype.end, retype.text), "Retype")
    slower = plain.with_edl(plain.edl.with_tuning(retype.start, retype.end, VoiceTuning(tempo=1.25)), "adjust voice")
    [s0], [s1] = plan_for(plain, synthesize=True).synth_spans, plan_for(slower, synthesize=True).synth_spans
    expected = tuned(project, retype, tempo=1.25)
    assert s1.new_samples - s0.new_samples == len(expected.audio) - len(base.audio) > 0.1 * base.rate
    assert np.array_equal(s1.speech.audio, expected.audio)
    assert (s1.audio_start, s1.audio_end) == (s0.audio_start, s0.audio_end)


# ---------------------------------------------------------------- the command line
def run(capsys, *args: str) -> tuple[int, str, str]:
    """``lecturecut ARGS`` in this process (not -q: the per-retype voice lines are summary lines)."""
    capsys.readouterr()
    status = cli(list(args))
    out = capsys.readouterr()
    return status, out.out, out.err


def test_cli_tunes_a_retype_and_lists_its_candidates(project, retype, base, tmp_path, capsys):
    path = tmp_path / "jfk.lcproj"
    save_project(project, path)
    [unit] = rank_occurrences(project, retype).units
    other = next(c.start for c in unit.candidates if c.start != unit.chosen.start)
    span = f"{retype.start}:{retype.end}"
    status, _, err = run(capsys, "edit", str(path), "--retype", span, retype.text, "--tune", span,
                         "--gain-db", "-3", "--tempo", "1.2", "--choose", f"0={other}")
    assert status == 0, err
    assert any(f"words {span}" in line and line.endswith(": reused") for line in err.splitlines()), err
    saved = load_project(path)
    [r] = saved.edl.replacements
    assert r.tuning == VoiceTuning(choices=((0, other),), gain_db=-3.0, tempo=1.2)
    assert saved.history.undo_label == "adjust voice" and saved.history.undo().current.replacements[0].tuning \
        .is_default  # the retype and its tuning are two steps, in the order given
    status, out, _ = run(capsys, "voices", str(path))
    [row] = [line.split("\t") for line in out.splitlines()]
    assert row[1] == span and row[3] == "reused" and f"words {other}-{other}" in row[4]  # synthesized as tuned
    assert row[5] == f"tuning: gain -3.0 dB, tempo 1.200, unit 0 = word {other}"
    status, out, err = run(capsys, "voices", str(path), "--candidates", "0")
    assert status == 0, err
    rows = [line.split("\t") for line in out.splitlines()]
    assert [int(row[1]) for row in rows] == [c.start for c in unit.candidates]  # ranked, best first
    assert all(row[0] == "0" and row[3] == "country" and float(row[4]) >= 0 for row in rows)
    assert {row[1]: row[5] for row in rows} == {str(other): "chosen", str(unit.chosen.start): "best"}
    assert float(rows[0][2]) == pytest.approx(project.transcript.words[unit.chosen.start].start_s, abs=1e-3)


def test_cli_refuses_a_bad_tuning_in_one_line_and_changes_nothing(project, retype, tmp_path, capsys):
    path = tmp_path / "jfk.lcproj"
    save_project(project.with_edl(project.edl.replace(retype.start, retype.end, retype.text), "Retype"), path)
    before = path.read_bytes()
    [unit] = rank_occurrences(project, retype).units
    span = f"{retype.start}:{retype.end}"
    status, _, err = run(capsys, "edit", str(path), "--tune", f"{retype.start - 1}:{retype.start}", "--gain-db", "2")
    assert status == 1 and len(err.strip().splitlines()) == 1 and "no retype" in err, err
    status, _, err = run(capsys, "edit", str(path), "--tune", span, "--gain-db", "2", "--choose", "0=3")
    assert status == 1 and len(err.strip().splitlines()) == 1, err
    assert ", ".join(str(c.start) for c in unit.candidates) in err  # the valid ones, listed
    status, _, err = run(capsys, "edit", str(path), "--tune", span, "--tempo", "2")
    assert status == 1 and "--tempo 2 is outside 0.75 to 1.33" in err and len(err.strip().splitlines()) == 1
    assert path.read_bytes() == before
    with pytest.raises(SystemExit):  # a setting without its --tune is a usage error
        cli(["edit", str(path), "--gain-db", "2"])
    assert path.read_bytes() == before
