"""The render plan on real recordings with known word times: where cuts go, and A/V sync.

No export here (see test_export.py): these check the exact integer spans.
"""

from fractions import Fraction

import numpy as np
import pytest
from media_fixtures import AUTO_EDITOR, GRID, JFK, delete, grid_words, make_project, many_cut_runs, pause_words

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.asr.transcript import Phone, Word
from lecturecut.media.audio import decode_audio
from lecturecut.synthesis.plan import (
    MAX_KEPT_PAUSE_S,
    MIN_JOIN_PAUSE_S,
    READ_MARGIN_S,
    NothingToExport,
    build_plan,
    pause_regions,
    plan_for,
    word_extent,
)
from lecturecut.synthesis.project import ProjectSettings


@pytest.fixture(scope="module")
def auto_editor():
    """(project with 20 single-word cuts, its mono audio at the source rate)."""
    project = make_project(AUTO_EDITOR)
    project = delete(project, *many_cut_runs(project.transcript.words))
    rate = project.media.audio.sample_rate
    return project, decode_audio(project.source, rate, 1)


def at(project, t16: int) -> int:
    """A 16 kHz word time at the source's audio rate."""
    return int(round(t16 * project.media.audio.sample_rate / WORD_RATE))


def rms_db(x: np.ndarray) -> float:
    x = np.asarray(x, np.float64)
    return float(20 * np.log10(np.sqrt(np.mean(x * x)) + 1e-12))


def check_sync(plan) -> None:
    """Cumulative video within half a frame of cumulative audio at every join, and each span's
    first frame within half a frame of its audio (lip sync)."""
    half_frame = Fraction(1, 2) / plan.fps
    acc_samples = acc_frames = 0
    for s in plan.spans:
        # lip sync: output time of the span's first frame minus its source time, vs the same for audio
        video_offset = Fraction(acc_frames - s.frame_start) / plan.fps
        audio_offset = Fraction(acc_samples - s.audio_start, plan.audio_rate)
        if 0 < s.frame_start and s.frame_end < plan.source_frames:  # not pinned to the source's ends
            assert abs(video_offset - audio_offset) <= half_frame, s
        acc_samples += s.n_samples
        acc_frames += s.n_frames
        drift = Fraction(acc_frames) / plan.fps - Fraction(acc_samples, plan.audio_rate)
        assert abs(drift) <= half_frame, (s, float(drift))
    assert acc_frames == plan.output_frames and acc_samples == plan.output_samples


# ---------------------------------------------------------------- GRID: exact word times, no pauses
def test_abutting_words_are_cut_on_their_common_boundary():
    """GRID words touch each other: deleting "with" cuts exactly at its boundaries with "white" and "p"."""
    project = delete(make_project(GRID), (2, 3))
    rate = project.media.audio.sample_rate
    plan = build_plan(project, decode_audio(project.source, rate, 1), rate)
    words = project.transcript.words
    assert words[2].text == "with"
    assert plan.removed_ranges() == [(at(project, words[2].start), at(project, words[2].end))]
    assert plan.n_cuts == 1 and len(plan.spans) == 2
    assert plan.output_samples == plan.source_samples - (at(project, words[2].end) - at(project, words[2].start))
    check_sync(plan)
    assert plan.fps == 25 and plan.spans[0].frame_start == 0
    # the video keeps as many frames as the kept audio lasts (its 0.13 s cut is 3.25 frames)
    assert plan.output_frames == round(Fraction(plan.output_samples * 25, rate))
    assert plan.spans[1].frame_start - plan.spans[0].frame_end in (3, 4)


def test_phones_reaching_past_their_word_are_never_cut():
    """A phone that ends after its word's refined end (a long release) keeps the cut out of it."""
    project = make_project(AUTO_EDITOR)
    words = list(project.transcript.words)
    i = next(k for k in range(1, len(words) - 1) if words[k + 1].start - words[k].end > 0.25 * WORD_RATE)
    tail = words[i]
    tail_end = tail.end + int(0.08 * WORD_RATE)  # the last phone rings on 80 ms into the pause
    words[i] = Word(tail.text, tail.start, tail.end,
                    phones=(Phone("AH", tail.start, tail.end - 100), Phone("T", tail.end - 100, tail_end)))
    assert word_extent(words[i]) == (tail.start, tail_end)
    project = delete(make_project(AUTO_EDITOR, words=tuple(words)), (i + 1, i + 2))
    plan = plan_for(project)
    cut_in = plan.removed_ranges()[0][0]
    crossfade_half = plan.crossfade // 2
    assert cut_in - crossfade_half >= at(project, tail_end), (cut_in, at(project, tail_end))


# ---------------------------------------------------------------- many cuts in real pauses
def test_cuts_lie_in_pauses_and_never_in_a_word(auto_editor):
    project, audio = auto_editor
    plan = plan_for(project)
    words = project.transcript.words
    rate = plan.audio_rate
    runs = project.edl.deleted_runs()
    removed = plan.removed_ranges()
    assert len(removed) == len(runs) == 20 == plan.n_cuts
    half = plan.crossfade // 2
    min_pause = project.settings.min_pause_ms * rate // 1000
    for (a, b), (i, j) in zip(removed, runs):
        prev_end, first_start = at(project, words[i - 1].end), at(project, words[i].start)
        last_end, next_start = at(project, words[j - 1].end), at(project, words[j].start)
        # every deleted word is wholly removed, every kept word wholly kept
        assert prev_end <= a <= first_start and last_end <= b <= next_start, (i, j, a, b)
        # the crossfade centred on each cut stays in the pause where the pause has room for it
        if first_start - prev_end >= min_pause:
            assert prev_end <= a - half and a + half <= first_start
        else:
            assert a == (prev_end + first_start) // 2  # too short a pause: its midpoint
        if next_start - last_end >= min_pause:
            assert last_end <= b - half and b + half <= next_start
        # at most MAX_KEPT_PAUSE_S of each side's pause survives the join
        assert a - prev_end <= MAX_KEPT_PAUSE_S * rate and next_start - b <= MAX_KEPT_PAUSE_S * rate
    # kept words are untouched: none overlaps a removed range
    kept = [w for k, w in enumerate(words) if k not in project.edl.deleted]
    for w in kept:
        s, e = at(project, w.start), at(project, w.end)
        assert all(e <= a or s >= b for a, b in removed), w


def test_cuts_sit_at_quiet_points(auto_editor):
    """Each cut is among the quietest parts of its pause, and far quieter than the words around it."""
    project, audio = auto_editor
    plan = plan_for(project)
    rate = plan.audio_rate
    win = rate // 100  # 10 ms
    words = project.transcript.words
    min_pause = project.settings.min_pause_ms * rate // 1000

    def pause_levels(lo, hi):
        return [rms_db(audio[c - win // 2:c + win // 2]) for c in range(lo + win // 2, hi - win // 2, win // 4)]

    checked = 0
    for (a, b), (i, j) in zip(plan.removed_ranges(), project.edl.deleted_runs()):
        for cut, left, right in ((a, words[i - 1], words[i]), (b, words[j - 1], words[j])):
            lo, hi = at(project, left.end), at(project, right.start)
            if hi - lo < min_pause:
                continue
            level = rms_db(audio[cut - win // 2:cut + win // 2])
            speech = min(rms_db(audio[at(project, w.start):at(project, w.end)]) for w in (left, right))
            assert level <= np.median(pause_levels(lo, hi)) + 1.0, (cut / rate, level)
            assert level <= speech - 10, (cut / rate, level, speech)
            checked += 1
    assert checked >= 25


def test_planning_reads_only_the_pauses_next_to_cuts(auto_editor):
    """The export fetches ``pause_regions`` in one pass; the plan must never need more."""
    project, audio = auto_editor
    rate = project.media.audio.sample_rate
    regions = pause_regions(project, rate)
    reads = []

    def reader(start, end):
        reads.append((start, end))
        x = audio[max(start, 0):max(end, 0)]
        return np.concatenate([np.zeros(max(0, -start), np.float32), x, np.zeros(max(0, end - len(audio)))])

    plan = build_plan(project, audio_rate=rate, reader=reader)
    assert reads
    for start, end in reads:
        assert any(a <= max(start, 0) and end <= b for a, b in regions), (start, end)
    # at most both ends of the two pauses around each cut, not the whole file
    bound = plan.n_cuts * 2 * 2 * (MAX_KEPT_PAUSE_S + READ_MARGIN_S) * rate
    assert sum(b - a for a, b in regions) <= bound < len(audio)
    # the same plan as from the whole audio (apart from where the source's end is taken from)
    whole = build_plan(project, audio, rate)
    assert whole.spans[:-1] == plan.spans[:-1]


def test_video_never_drifts_from_audio(auto_editor):
    project, _ = auto_editor
    plan = plan_for(project)
    assert plan.fps == 30
    check_sync(plan)
    assert abs(plan.output_frames / plan.fps - plan.output_samples / plan.audio_rate) <= 0.5 / plan.fps


def test_hundreds_of_cuts_do_not_drift():
    """400 fake words, every other one deleted: 200 joins, still within half a frame everywhere."""
    project = make_project(AUTO_EDITOR, words=tuple(
        Word(f"w{k}", int((0.2 + 0.1 * k) * WORD_RATE), int((0.2 + 0.1 * k + 0.047) * WORD_RATE)) for k in range(400)))
    project = delete(project, *[(k, k + 1) for k in range(1, 400, 2)])
    rate = project.media.audio.sample_rate
    silence = np.zeros(int(project.media.duration_s * rate), np.float32)
    plan = build_plan(project, silence, rate)
    assert plan.n_cuts == 200
    check_sync(plan)


def test_time_mapping(auto_editor):
    project, _ = auto_editor
    plan = plan_for(project)
    rate = plan.audio_rate
    previous = -1
    for s in plan.spans:
        for x in (s.audio_start, (s.audio_start + s.audio_end) // 2, s.audio_end - 1):
            y = plan.source_to_output(x)
            assert y is not None and y > previous
            assert plan.output_to_source(y) == x
            assert plan.source_to_output_s(x / rate) == pytest.approx(y / rate)
            previous = y
    for a, b in plan.removed_ranges():
        assert plan.source_to_output((a + b) // 2) is None
    assert plan.source_to_output(plan.spans[-1].audio_end) == plan.output_samples


def test_leading_and_trailing_deletions_keep_a_natural_lead_in_and_tail():
    project = make_project(AUTO_EDITOR)
    words = project.transcript.words
    n = len(words)
    plan = plan_for(delete(project, (0, 2), (n - 1, n)))  # the first two words, and "Banana"
    rate = plan.audio_rate
    first, last = plan.spans[0], plan.spans[-1]
    lead_in = at(project, words[2].start) - first.audio_start
    assert min(MIN_JOIN_PAUSE_S * rate, at(project, words[2].start) - at(project, words[1].end)) <= lead_in + 1
    assert lead_in <= MAX_KEPT_PAUSE_S * rate
    tail = last.audio_end - at(project, words[n - 2].end)
    assert 0 < tail <= MAX_KEPT_PAUSE_S * rate  # the 22 s of silence before "Banana" is gone too
    assert plan.output_samples < 18 * rate
    check_sync(plan)


def test_retyped_words_keep_their_audio_and_warn():
    project = make_project(GRID)
    project = project.with_edl(project.edl.replace(1, 2, "black and blue").replace(4, 4, "now"), "retype")
    plan = plan_for(project)
    assert plan.n_cuts == 0 and len(plan.spans) == 1
    assert plan.output_samples == plan.source_samples
    assert any("4 retyped words are pending voice synthesis" in w for w in plan.warnings), plan.warnings


def test_everything_deleted_is_refused():
    project = make_project(GRID)
    with pytest.raises(NothingToExport, match="Every word is deleted"):
        plan_for(delete(project, (0, len(project.transcript.words))))


def test_audio_only_plan():
    project = make_project(JFK)
    assert len(project.transcript.words) >= 8
    plan = plan_for(delete(project, (2, 4)))
    assert plan.fps is None and plan.output_frames == 0 and plan.source_frames == 0
    assert plan.n_cuts == 1 and plan.output_samples < plan.source_samples


def test_min_pause_setting_is_honoured():
    """With a huge min_pause every cut falls back to the midpoint between the words."""
    project = make_project(AUTO_EDITOR, settings=ProjectSettings(min_pause_ms=5000))
    words = project.transcript.words
    plan = plan_for(delete(project, (5, 6)))
    (a, b), = plan.removed_ranges()
    assert a == (at(project, words[4].end) + at(project, words[5].start)) // 2
    assert at(project, words[5].end) <= b <= at(project, words[6].start)


def test_grid_transcript_helper_matches_the_label_file():
    words = grid_words()
    assert [w.text for w in words] == ["set", "white", "with", "p", "two", "soon"]
    assert words[0].start == int(0.49 * WORD_RATE) and words[-1].end == int(2.21 * WORD_RATE)
    assert len(pause_words(AUTO_EDITOR)) >= 41


def test_export_and_player_share_one_pause_reader():
    """The player's re-planning reads pauses on demand; the export prefetches them in one pass:
    one class, and both give the same plan."""
    from lecturecut.app.playback import PauseReader as PlayerReader
    from lecturecut.synthesis.plan import PauseReader, build_plan, pause_regions

    assert PlayerReader is PauseReader
    project = delete(make_project(GRID), (2, 3))
    rate = project.media.audio.sample_rate
    on_demand = build_plan(project, audio_rate=rate, reader=PauseReader(project.source, rate))
    prefetched = PauseReader(project.source, rate).prefetch(pause_regions(project, rate))
    assert build_plan(project, audio_rate=rate, reader=prefetched) == on_demand == plan_for(project)
