"""Shortened pauses (the clean-up's long pauses): the edit list's rules, the plan's cuts, the export.

A shortened pause keeps ``keep_ms`` of the silence between two kept words (from where the first
word's sound has died away to where the next one's begins) and removes its middle at quiet
points. Real recording: the auto-editor screencast (42 s of speech with long pauses, and a 23 s
silence at its end), its "words" the sounding stretches between pauses (``pause_words``), so a
pause here is a measured silence of the recording itself.
"""

from __future__ import annotations

import numpy as np
import pytest
from media_fixtures import AUTO_EDITOR, SPEECH_THRESHOLD_DB, delete, make_project

from bench.measures.quality import discontinuity
from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.edl import EditError, Edl, Pause, edl_from_text
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.history import History
from lecturecut.synthesis.moment import edits, locate
from lecturecut.synthesis.plan import build_plan, pause_regions, silence_of, word_extent
from lecturecut.synthesis.project import load_project
from lecturecut.synthesis.session import EditSession

KEEP_MS = 300
PLAN_TOLERANCE_S = 0.010  # the second cut moves at most ALIGN_LAG_S (8 ms) to match the waveform
HEARD_TOLERANCE_S = 0.050  # the goal for the pause heard in the export


def gaps(project):
    """(before, seconds) of every pause between two words, longest first (word extents, 16 kHz)."""
    w = project.transcript.words
    out = [(k, (word_extent(w[k])[0] - word_extent(w[k - 1])[1]) / WORD_RATE) for k in range(1, len(w))]
    return sorted(out, key=lambda g: -g[1])


@pytest.fixture(scope="module")
def lecture():
    """The screencast with two words cut and its long pauses (over 0.4 s, away from the cuts) shortened."""
    project = delete(make_project(AUTO_EDITOR), (20, 21), (30, 31))
    edl = project.edl
    long = [(k, s) for k, s in gaps(project) if s > 0.4 and k not in (20, 21, 30, 31)]
    assert len(long) >= 3, long  # the recording has them: the test would prove nothing otherwise
    for k, _s in long:
        edl = edl.shorten_pause(k, KEEP_MS)
    project = project.with_edl(edl, "Shorten pauses")
    rate = project.media.audio.sample_rate
    return project, decode_audio(project.source, rate, 1), dict(long)


def reader_of(audio: np.ndarray, reads: list | None = None):
    """``plan.AudioReader`` over ``audio`` (silence before its start and after its end); ``reads``
    collects each (start, end) asked for."""
    def read(start: int, end: int) -> np.ndarray:
        if reads is not None:
            reads.append((start, end))
        x = audio[max(start, 0):max(end, 0)]
        return np.concatenate([np.zeros(max(0, -start), np.float32), x, np.zeros(max(0, end - len(audio)),
                                                                                 np.float32)])
    return read


def kept_in_plan(plan, project, audio, before: int) -> float:
    """Seconds of the silence of the pause before word ``before`` that the plan's output keeps: the
    pause's silent stretch (``silence_of``, where the words' sound has died away) mapped to the output."""
    w, rate = project.transcript.words, plan.audio_rate
    s0, s1 = silence_of(reader_of(audio), int(round(word_extent(w[before - 1])[1] * rate / WORD_RATE)),
                        int(round(word_extent(w[before])[0] * rate / WORD_RATE)), rate)
    a, b = plan.source_to_output(s0), plan.source_to_output(s1)
    assert a is not None and b is not None  # both ends of the silence are kept
    return (b - a) / rate


def test_the_plan_keeps_what_was_asked_cut_in_quiet_and_reads_only_the_pauses(lecture):
    project, audio, long = lecture
    rate = project.media.audio.sample_rate
    plan = build_plan(project, audio, rate)
    assert plan.n_cuts == 2 + len(long)  # two cut words and every shortened pause
    for before, source_s in long.items():
        kept = kept_in_plan(plan, project, audio, before)
        assert abs(kept - KEEP_MS / 1000) <= PLAN_TOLERANCE_S, (before, source_s, kept)
    # the removed time is the words' and the pauses' (what each pause had beyond what it keeps)
    removed_s = (plan.source_samples - plan.output_samples) / rate
    assert removed_s >= sum(s - KEEP_MS / 1000 for s in long.values()) - len(long) * PLAN_TOLERANCE_S
    # every cut point is in room tone: far quieter than the words around it
    win = int(0.010 * rate)
    for a, b in plan.removed_ranges():
        for cut in (a, b):
            if win < cut < len(audio) - win:
                level = 20 * np.log10(np.sqrt(np.mean(audio[cut - win // 2:cut + win // 2] ** 2)) + 1e-12)
                assert level < SPEECH_THRESHOLD_DB, (cut / rate, level)
    # the export prefetches pause_regions in one pass: planning a shortened pause reads nothing else
    reads = []
    on_demand = build_plan(project, audio_rate=rate, reader=reader_of(audio, reads))
    regions = pause_regions(project, rate)
    for start, end in reads:
        assert any(a <= max(start, 0) and end <= b for a, b in regions), (start, end)
    assert on_demand.spans[:-1] == plan.spans[:-1]


def test_each_pause_is_an_edit_of_its_own_located_at_its_join(lecture):
    project, audio, long = lecture
    rate = project.media.audio.sample_rate
    plan = build_plan(project, audio, rate)
    found = edits(project)
    pauses = [e for e in found if e.kind == "pause"]
    assert sorted(e.start for e in pauses) == sorted(long)
    assert [e.number for e in found] == list(range(1, len(found) + 1))
    assert [e.start for e in found] == sorted(e.start for e in found)  # one list in source order
    for e in pauses:
        assert e.after == f"{KEEP_MS / 1000:.1f} s" and e.start_s < e.end_s
        moment = locate(project, plan, e)
        a, b = moment.source
        assert moment.output[0] == moment.output[1]  # a join, like a cut's
        assert e.start_s * rate < a < b < e.end_s * rate  # the removed middle of that very pause


def test_editing_a_pauses_words_drops_it_and_text_edits_keep_it():
    project = make_project(AUTO_EDITOR)
    n = len(project.transcript.words)
    edl = Edl(n).shorten_pause(5, 400).shorten_pause(9, 250)
    assert [p.before for p in edl.pauses] == [5, 9]
    assert edl.shorten_pause(5, 600).pause_at(5) == Pause(5, 600)  # asked again: the new length
    assert edl.delete(4, 5).pause_at(5) is None and edl.delete(4, 5).pause_at(9) is not None
    assert edl.delete(5, 6).pause_at(5) is None  # the word after it
    assert edl.replace(9, 10, "ninth").pause_at(9) is None
    assert edl.replace(9, 9, "inserted").pause_at(9) is None  # new words said in that pause
    assert edl.restore(5, 5).pauses == (Pause(9, 250),)  # the edit list's Restore of the pause
    with pytest.raises(EditError, match="restore it first"):
        edl.delete(3, 4).shorten_pause(4, 300)
    with pytest.raises(EditError, match="no pause before word 0"):
        edl.shorten_pause(0, 300)
    with pytest.raises(EditError, match="100 to 10000 ms"):
        edl.shorten_pause(5, 20)
    # the text view: the words around a pause unchanged -> it stays; one of them deleted -> it goes
    words = [w.text for w in project.transcript.words]
    same = edl_from_text(project.transcript, " ".join(words), previous=edl)
    assert same.pauses == edl.pauses
    fewer = edl_from_text(project.transcript, " ".join(words[:4] + words[5:]), previous=edl)
    assert fewer.pauses == (Pause(9, 250),) and fewer.deleted == {4}


def test_pauses_are_saved_undone_and_read_back(tmp_path):
    project = make_project(AUTO_EDITOR)
    session = EditSession(project)
    session.shorten_pause(5, 400)
    session.delete(20, 21)
    session.shorten_pause(9, 250)
    session.delete(8, 9)  # drops the pause before word 9 (the word before it is gone)
    path = session.save(tmp_path / "p.lcproj")
    again = load_project(path)
    assert again.edl == session.edl and again.edl.pauses == (Pause(5, 400),)
    history = again.history
    assert [s.pauses for s in history.states] == [(), (Pause(5, 400),), (Pause(5, 400),),
                                                  (Pause(5, 400), Pause(9, 250)), (Pause(5, 400),)]
    assert history.undo().current.pauses == (Pause(5, 400), Pause(9, 250))
    # a file whose pause sits next to a deleted word is refused, naming the field
    data = again.history.to_json()
    data["base"]["deleted"] = [[4, 5]]
    data["base"]["pauses"] = [[5, 400]]
    from lecturecut.synthesis.project_schema import Invalid

    with pytest.raises(Invalid, match="base: the pause before word 5 is shortened, but its words are edited"):
        History.from_json(data, n_words=len(project.transcript.words))


def test_the_export_shortens_each_pause_to_what_was_asked_without_clicks(lecture, tmp_path):
    project, source_audio, long = lecture
    out = tmp_path / "shorter.mp4"
    result = export(project, out, ExportOptions(preset="draft", subtitles="none"))
    rate = result.plan.audio_rate
    exported = decode_audio(out, rate, 1)
    assert abs(len(exported) / rate - result.duration_s) <= 0.05
    # the silence heard in the export: the plan's rule (silence_of: 30 dB under the speech beside it)
    # applied to the export's own decoded audio, between the output instants of the two words
    w = project.transcript.words
    read = reader_of(exported)
    for before in long:
        prev_end, next_start = (int(round(word_extent(w[before - 1])[1] * rate / WORD_RATE)),
                                int(round(word_extent(w[before])[0] * rate / WORD_RATE)))
        removed = [(a, b) for a, b in result.plan.removed_ranges() if prev_end < a < b < next_start]
        assert len(removed) == 1, (before, removed)
        s0, s1 = silence_of(read, result.plan.source_to_output(prev_end), result.plan.source_to_output(next_start),
                            rate)
        heard = (s1 - s0) / rate
        assert abs(heard - KEEP_MS / 1000) <= HEARD_TOLERANCE_S, (before, long[before], heard)
        print(f"pause before word {before}: {long[before]:.3f} s recorded, {heard:.3f} s heard in the export")
    # the joins score like the recording's own signal (the click measure of test_quality)
    rng = np.random.default_rng(0)
    random_scores = [discontinuity(source_audio, rate, int(x))
                     for x in rng.integers(rate // 10, len(source_audio) - rate // 10, 200)]
    join_scores = [discontinuity(exported, rate, int(round(t * rate))) for t in result.plan.join_times_s()]
    assert max(join_scores) <= np.percentile(random_scores, 99), (join_scores, np.percentile(random_scores, 99))
