"""The lip-sync score (synthesis/lips/sync.py) on the committed talking heads, real dlib landmarks.

What a clip is here: one 3 s window of a committed face video from 0 s on (a GRID clip is one;
the sample lecture, 20 s, gives six; the webcam clip, 10 s, three), its lips scored against its
own audio and against every other clip's audio (bench/lips_sync_table.py, the same code, runs
it over the whole developer set). The measure is weak on the webcam clip (small, off-centre
face: its own audio loses to 5 and 6 of the 10 others on two of its windows): the assertions
that hold on every clip are made on the two GRID clips and the sample lecture; the share over
all pairs includes the webcam.

Measured when written: GRID own 0.50 / 0.48 against at most 0.42 / 0.33; the sample lecture's
windows 0.33-0.59, beaten by 1 of the 10 others on two windows; own beats each other clip's
audio on 97 of 110 pairs. Offsets on own audio: GRID +1 / 0, the sample lecture -5..-7 (its
picture leads its sound by ~0.24 s in every window: a property of the file).
"""

from __future__ import annotations

import bisect
import functools
from fractions import Fraction

import numpy as np
import pytest
import torch
from asr_fixtures import engine
from testmedia import GRID, OBAMA, WEBCAM, media_path
from voice_fixtures import module_voice_cache  # noqa: F401 - autouse: this module's own voice cache

from bench.lips_sync_table import table, tracked, windows
from lecturecut.synthesis.lips.sync import (
    LANDMARKS,
    MAX_OFFSET,
    SYNCNET,
    SyncScore,
    landmark_sync,
    mouth_height,
    score_frames,
    span_times,
    speech_envelope,
    syncnet_sync,
    weak_below,
)

GRID2 = "grid_bbaf2n.mpg"
COMMITTED = (GRID, GRID2, WEBCAM, OBAMA)
WINDOW_S = 3.0


@functools.cache
def tracks() -> dict:
    return {name: tracked(media_path(name), None) for name in COMMITTED}


@functools.cache
def scored():
    clips = [c for name, d in tracks().items() for c in windows(name, d, WINDOW_S)]
    return clips, table(clips)


def own_and_others(i: int):
    clips, res = scored()
    m = len(clips) - 1
    return res["rows"][i]["own_peak"], [s for _, s in res["mismatched_peaks"][i * m:(i + 1) * m]]


def test_own_audio_scores_above_every_mismatched_audio():
    clips, res = scored()
    assert [c["video"] for c in clips].count(OBAMA) == 6 and len(clips) == 11
    beaten_pairs = 0
    for i, c in enumerate(clips):
        own, others = own_and_others(i)
        beaten_pairs += sum(s >= own for s in others)
        if c["video"] == WEBCAM:
            continue  # the measure's known failure (module docstring): counted in the pairs only
        assert own > np.median(others) + 0.1, (c["name"], own, others)
        if c["video"] in (GRID, GRID2):
            assert own > max(others), (c["name"], own, others)
    lecture = [i for i, c in enumerate(clips) if c["video"] == OBAMA]
    wins = sum(own_and_others(i)[0] > max(own_and_others(i)[1]) for i in lecture)
    assert wins >= 4, wins  # of 6 (measured: 4)
    pairs = len(clips) * (len(clips) - 1)
    assert beaten_pairs <= 0.15 * pairs, (beaten_pairs, pairs)  # measured 13 of 110


def test_offset_on_own_audio_is_the_files_own():
    clips, res = scored()
    rows = res["rows"]
    for r, c in zip(rows, clips):
        if c["video"] in (GRID, GRID2):
            assert abs(r["own_offset"]) <= 1, r  # GRID is recorded in sync
    lecture = [r["own_offset"] for r, c in zip(rows, clips) if c["video"] == OBAMA]
    middle = float(np.median(lecture))
    assert all(abs(o - middle) <= 1 for o in lecture), lecture  # one offset for the whole file
    assert -7 <= middle <= -5, lecture  # the sample lecture's picture leads its sound (~0.24 s)


def clip_of(video: str, k: int = 0) -> dict:
    clips, _ = scored()
    return [c for c in clips if c["video"] == video][k]


def score_with(c: dict, audio: np.ndarray) -> SyncScore:
    return landmark_sync(c["heights"], speech_envelope(audio, 16000, c["t"], c["fps"]))


@pytest.mark.parametrize(("video", "k", "shift_s"), [(GRID, 0, 0.2), (GRID, 0, -0.2), (OBAMA, 3, -0.2)])
def test_shifted_audio_is_found_at_its_offset(video, k, shift_s):
    c = clip_of(video, k)
    fps = c["fps"]
    base = score_with(c, c["audio"])
    n = int(round(abs(shift_s) * 16000))
    # the sound made 0.2 s late (silence before it) or early (its first 0.2 s dropped, silence after)
    shifted = (np.concatenate([np.zeros(n, np.float32), c["audio"]]) if shift_s > 0
               else np.concatenate([c["audio"][n:], np.zeros(n, np.float32)]))
    got = score_with(c, shifted)
    expected = base.offset - round(shift_s * fps)  # a later sound: the picture leads it by 5 frames more
    assert abs(expected) <= MAX_OFFSET
    assert abs(got.offset - expected) <= 1, (base, got)
    assert got.score > 0.3 and got.confidence > 0.2, got


@functools.cache
def lecture_project():
    from lecturecut.asr.transcribe import transcribe
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project

    source = media_path(OBAMA)
    return Project.create(source, probe(source), transcribe(str(source), model=engine("tiny.en"), language="en"))


def test_a_regenerated_span_scores_like_untouched_footage_and_above_mismatched_audio():
    """~2 s of new speech ('the coast of' -> 'the battle we're waging against an oil spill of', reused from
    the lecture's first sentence) regenerated by the own-mouth engine; the score is the one the engine
    puts on its result (dlib on the output frames against the new speech)."""
    from lecturecut.media.audio import decode_audio
    from lecturecut.synthesis.lips import OWN_MOUTH, regenerate_span
    from lecturecut.synthesis.lips.engine import shared_landmarker
    from lecturecut.synthesis.lips.record import recall
    from lecturecut.synthesis.lips.source import SourceFrames
    from lecturecut.synthesis.lips.track import track
    from lecturecut.synthesis.plan import plan_for
    from lecturecut.synthesis.render.video import frame_instants

    base = lecture_project()
    norms = [w.norm for w in base.transcript.words]
    a, b = norms.index("coast"), norms.index("louisiana") + 1
    project = base.with_edl(base.edl.replace(a, b, "battle we're waging against an oil spill"), "edit")
    plan = plan_for(project, synthesize=True)
    (span,) = plan.synth_spans
    index = plan.spans.index(span)
    assert span.method == "reused"
    instants = list(frame_instants(plan))[index]
    src = SourceFrames(project.source)
    decoded = src.between(float(instants[0]) - 0.1, float(instants[-1]) + 0.1)
    times = [t for t, _ in decoded]
    tol = float(Fraction(1, 4) / plan.fps)
    frames = [decoded[max(bisect.bisect_right(times, float(t) + tol) - 1, 0)][1] for t in instants]
    out, result = regenerate_span(project, plan, index, frames, landmarker=shared_landmarker())
    n = len(frames)
    assert result.method == OWN_MOUTH and result.changed == n and n >= 50
    s = result.sync
    assert s is not None and s.method == LANDMARKS and s.n_frames == n and s.score is not None
    assert s.closed[1] >= 1 and s.opened[1] >= 1  # the new speech has bilabials and open vowels, checked
    assert s.score >= weak_below(n)  # the score itself is not weak ...
    assert result.summary.startswith(f"lips: own mouth, {n}/{n} frames, ") and f"sync {s.score:.2f}" in result.summary
    open_at = s.closed[1] - s.closed[0]  # bilabials where the lips stay open: weak too, and said
    assert result.weak == s.weak == (s.score < weak_below(n) or open_at > 0)
    assert ("weak: lips open at" in result.summary) == (open_at > 0), result.summary
    assert ("weak" in result.summary) == result.weak, result.summary  # listed so by 'lecturecut voices'
    assert recall(span.speech.record.key) == result  # remembered with its score for 'lecturecut voices'
    # the edit list shows it on the retype's row: lips ready, or flagged when weak
    import dataclasses

    from lecturecut.app.edit_list import edits_of, voice_text
    from lecturecut.app.voice import READY, VoiceStatus
    from lecturecut.synthesis.lips.record import remember

    def row() -> str:
        (entry,) = edits_of(project, {project.edl.replacements[0]: VoiceStatus(READY, span.speech.record)})
        assert entry.lips == recall(span.speech.record.key)
        return voice_text(entry)

    assert row().endswith("weak lip sync" if result.weak else "lips ready"), row()
    remember(span.speech.record.key, dataclasses.replace(result, sync=dataclasses.replace(s, weak=True)))
    assert row().endswith("· weak lip sync"), row()
    remember(span.speech.record.key, result)

    # untouched footage: the lecture saying the same words, its own frames and audio
    audio = decode_audio(project.source, 16000, 1)
    s0 = min(u.source[0] for u in span.speech.record.sources) / plan.audio_rate
    s1 = max(u.source[1] for u in span.speech.record.sources) / plan.audio_rate
    lib = src.between(s0, s1)
    lm = shared_landmarker()
    own = landmark_sync([mouth_height(p) for p in track([f for _, f in lib], 25.0, lm).landmarks],
                        speech_envelope(audio, 16000, [t for t, _ in lib], 25.0))
    assert own.score is not None and s.score >= own.score - 0.1, (s, own)
    assert abs(s.offset - own.offset) <= 1, (s, own)  # the regenerated mouth keeps the footage's own timing

    # mismatched audio: the same regenerated frames against other stretches of the lecture's sound
    heights = [mouth_height(p) for p in track(out, 25.0, lm).landmarks]
    st = span_times(plan, index, n)
    mismatched = [landmark_sync(heights, speech_envelope(audio, 16000, [t0 + x - st[0] for x in st], 25.0)).score
                  for t0 in np.arange(0.0, 17.5, 0.5) if abs(t0 - s0) > 1.0]
    assert s.score > np.quantile(mismatched, 0.9) and s.score > np.median(mismatched) + 0.1, (s, mismatched)


def test_syncnet_plumbing_with_deterministic_weights(tmp_path, monkeypatch):
    """SyncNet's path, with the reference's deterministic weights (tests/media/wav2lip/README.md) saved as
    an installed ``lipsync_expert.pth``: crops, mel windows, offsets and LSE-D / LSE-C come out. These
    weights are not trained: the numbers check the plumbing, they are no sync score."""
    from test_wav2lip_golden import deterministic_state_dict

    from lecturecut.models.weights import models_dir
    from lecturecut.synthesis.lips.sync import syncnet_path

    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path))
    assert syncnet_path() is None
    models_dir().mkdir(parents=True)
    state = deterministic_state_dict("syncnet_color")  # saved in the published layout (DataParallel keys)
    torch.save({"state_dict": {f"module.{k}": v for k, v in state.items()}, "global_step": 0},
               models_dir() / "lipsync_expert.pth")
    assert syncnet_path() == models_dir() / "lipsync_expert.pth"

    from lecturecut.media.audio import decode_audio
    from lecturecut.synthesis.lips.engine import shared_landmarker
    from lecturecut.synthesis.lips.source import SourceFrames
    from lecturecut.synthesis.lips.track import track

    path = media_path(GRID)
    got = SourceFrames(path).between(1.2, 1.6)  # "p two": 11 frames
    frames = [f for _, f in got]
    times = [tf for tf, _ in got]
    landmarks = list(track(frames, 25.0, shared_landmarker()).landmarks)
    audio = decode_audio(path, 16000, 1)
    first = syncnet_sync(frames, landmarks, audio, 16000, times, 25.0, max_offset=3)
    assert first.method == SYNCNET and first.n_frames == len(frames) - 4  # 5-frame windows
    assert np.isfinite(first.score) and 0.0 <= first.score <= 2.0  # distance of unit vectors
    assert first.confidence >= 0.0 and -3 <= first.offset <= 3
    # a frame without a face drops the windows that need it (7 windows, 5 hold frame 5: too few left)
    holed = list(landmarks)
    holed[5] = None
    assert syncnet_sync(frames, holed, audio, 16000, times, 25.0, max_offset=1) == SyncScore(SYNCNET, 2, None, 0, 0.0)
    # different audio changes the distances (the audio path is wired)
    other = syncnet_sync(frames, landmarks, audio[::-1].copy(), 16000, times, 25.0, max_offset=3)
    assert other.score != first.score and other.n_frames == first.n_frames
    # what the engine calls on a regenerated span takes SyncNet because it is installed, the landmarks without it
    assert score_frames(frames, landmarks, audio, 16000, times, 25.0).method == SYNCNET
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "none"))
    assert score_frames(frames, landmarks, audio, 16000, times, 25.0).method == LANDMARKS


def test_the_summary_says_weak_whenever_the_span_is_and_survives_the_record():
    from lecturecut.synthesis.lips import OWN_MOUTH, LipsResult

    n = 50
    low = SyncScore(LANDMARKS, n, 0.5 * weak_below(n), -2, 0.1, (1, 1), (2, 2), weak=True)
    shut = SyncScore(LANDMARKS, n, 2 * weak_below(n), -6, 0.3, (2, 2), (1, 2), weak=False)
    open_lips = SyncScore(LANDMARKS, n, 2 * weak_below(n), -6, 0.3, (1, 2), (1, 1), weak=True)
    short = SyncScore(LANDMARKS, 12, None, 0, 0.0, (1, 1), (0, 0), weak=False)
    assert low.summary == f"weak sync {low.score:.2f}"
    assert shut.summary == f"sync {shut.score:.2f}"
    assert open_lips.summary == f"sync {open_lips.score:.2f}, weak: lips open at 1/2 bilabials"
    assert short.summary == "sync not scored (too short)"
    for s in (low, shut, open_lips, short):
        assert SyncScore.from_json(s.to_json()) == s
        result = LipsResult(0, OWN_MOUTH, n, n, sync=s)
        assert result.weak == s.weak and ("weak" in result.summary) == s.weak
        assert result.summary == f"lips: own mouth, {n}/{n} frames, {s.summary}"
