"""Export with new speech: a retype the voice engine can say is heard in place of the recorded words,
on the audio and video clocks alike; one it cannot say exports as recorded, with a warning.

Real clips, real tiny.en transcripts, real synthesis (whole-word reuse: each new word is said
elsewhere in the clip), and the export heard back by tiny.en.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from asr_fixtures import engine
from media_fixtures import stream_durations
from testmedia import JFK, OBAMA, media_path
from voice_fixtures import module_voice_cache  # noqa: F401 - autouse: this module's own voice cache

from lecturecut.media.frames import read_timed_frames
from lecturecut.media.probe import probe
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.plan import Span, SynthSpan, plan_for
from lecturecut.synthesis.project import Project, save_project
from lecturecut.synthesis.render.video import frame_instants
from lecturecut.synthesis.voice.text import word_tokens

DRAFT = dict(preset="draft", smooth_cuts=False)
THUMB = (48, 48)  # frames compared at this size: codec noise averages out, a wrong frame does not


@functools.cache
def transcribed(path: str):
    from lecturecut.asr.transcribe import transcribe

    return transcribe(path, model=engine("tiny.en"), language="en")


def project_of(path: Path) -> Project:
    return Project.create(path, probe(path), transcribed(str(path)))


def index_of(project: Project, norm: str, nth: int = 0) -> int:
    hits = [k for k, w in enumerate(project.transcript.words) if w.norm == norm]
    assert len(hits) > nth, (norm, project.transcript.text)
    return hits[nth]


def spoken(text: str) -> list[str]:
    return [t for w in text.split() for t in word_tokens(w, "en")]


def heard(path: Path, window_s: tuple[float, float] | None = None) -> list[str]:
    """What tiny.en hears in the file, or in the stretch ``window_s`` of it (seconds)."""
    from lecturecut.asr.transcribe import transcribe
    from lecturecut.media.audio import decode_audio

    x = decode_audio(path, 16_000, 1)
    if window_s is not None:
        x = x[max(int(window_s[0] * 16_000), 0):int(window_s[1] * 16_000)]
    return spoken(transcribe(np.ascontiguousarray(x, np.float32), model=engine("tiny.en"), language="en",
                             refine=False).text)


def check_heard_in_place(project: Project, out: Path, start: int, end: int, new: str,
                         window_s: tuple[float, float] | None = None) -> list[str]:
    """tiny.en hears the edited text with ``new`` matched exactly where it was typed, its
    neighbours matched either side, and the replaced words ``[start, end)`` not in their place
    (in the whole export, or in ``window_s`` of it: re-transcribing 20 s costs half a minute)."""
    words = project.edl.edited_words(project.transcript)
    before = [w for w, i in words if i is not None and i < start]
    after = [w for w, i in words if i is not None and i >= end]
    expected_before, expected_new = spoken(" ".join(before)), spoken(new)
    expected = expected_before + expected_new + spoken(" ".join(after))
    got = heard(out, window_s)
    ops = difflib.SequenceMatcher(a=expected, b=got, autojunk=False).get_opcodes()
    lo, hi = len(expected_before), len(expected_before) + len(expected_new)

    def matched(k: int) -> bool:
        return any(tag == "equal" and i1 <= k < i2 for tag, i1, i2, _, _ in ops)

    assert all(matched(k) for k in range(lo - 1, hi + 1)), (expected, got)
    old = spoken(" ".join(w.text for w in project.transcript.words[start:end]))
    # where the new words are heard, the old ones are not: count them in the whole export
    for w in set(old) - set(expected_new):
        if window_s is None:
            assert got.count(w) == expected.count(w), (w, expected, got)
        else:
            assert got.count(w) <= expected.count(w), (w, expected, got)
    return got


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check_plan_composes(plan) -> None:
    """Pieces in source order, disjoint from the removed stretches, together covering the source;
    the output length is source - removed + (new speech - replaced)."""
    removed = plan.removed_ranges()
    covered = sorted([(s.audio_start, s.audio_end) for s in plan.spans] + removed)
    pos = 0
    for a, b in covered:
        assert a == pos and b >= a, covered  # no overlap, no gap
        pos = b
    assert pos == plan.source_samples
    for s in plan.synth_spans:
        assert all(b <= s.audio_start or s.audio_end <= a for a, b in removed), (s, removed)
    expected = (plan.source_samples - sum(b - a for a, b in removed)
                + sum(s.n_samples - (s.audio_end - s.audio_start) for s in plan.synth_spans))
    assert plan.output_samples == expected


# ---------------------------------------------------------------- plan
def test_a_retype_between_deleted_words_gives_way_to_their_cuts():
    from lecturecut.synthesis.voice import synthesize

    project = project_of(media_path(JFK))
    you = index_of(project, "you")  # "... can do for you, ask what you ..."
    edl = project.edl.delete(you - 1, you).delete(you + 1, you + 2).replace(you, you + 1, "country")
    project = project.with_edl(edl, "edit")
    plan = plan_for(project, synthesize=True)
    (span,) = plan.synth_spans
    assert (span.replacement, span.method) == (0, "reused") and plan.warnings == ()
    raw = synthesize(project, project.edl.replacements[0], audio_rate=plan.audio_rate).source_range
    removed = plan.removed_ranges()
    assert len(removed) == 2
    # the voice engine's range (from the source transcript alone) reaches into a deleted neighbour's
    # removed stretch ...
    assert any(a < x < b for a, b in removed for x in raw), (raw, removed)
    # ... the plan's gives way: it starts no earlier than the cut before it ends, ends where the next begins
    assert (span.audio_start, span.audio_end) == (max(raw[0], removed[0][1]), min(raw[1], removed[1][0]))
    check_plan_composes(plan)
    assert [type(s) for s in plan.spans] == [Span, SynthSpan, Span]
    # time mapping stays monotonic through the retimed span
    ys = [plan.source_to_output(x) for x in range(0, plan.source_samples, 441)]
    kept = [y for y in ys if y is not None]
    assert kept == sorted(kept) and len(kept) > len(ys) // 2
    # the review reel shows the retype as an edit of its own, between the two cuts, its new speech after
    from lecturecut.synthesis.review import review_segments

    segments = review_segments(project, Path("edited.mp4"), plan, context_s=1.0)
    assert [s.caption.split(" at ")[0] for s in segments[::2]] == ["edit 1/3", "edit 2/3", "edit 3/3"]
    out_a = plan.spans[0].n_samples / plan.audio_rate
    before, after = segments[2], segments[3]
    assert before.start_s == pytest.approx(span.audio_start / plan.audio_rate - 1.0)
    assert (after.start_s, after.end_s) == pytest.approx((out_a - 1.0, out_a + span.n_samples / plan.audio_rate + 1.0))
    # without synthesis, the plan is the cut-only plan of today
    plain = plan_for(project)
    assert not plain.synth_spans and any("pending voice synthesis" in w for w in plain.warnings)


# ---------------------------------------------------------------- audio only, through the CLI
def test_cli_export_speaks_a_retype_and_keeps_what_it_cannot_say(tmp_path, capsys):
    from lecturecut.app.cli import main

    source = media_path(JFK)
    digest = sha256(source)
    project = project_of(source)
    you = index_of(project, "you")  # "for you" -> "for country"
    # a deletion next to the retype composes with it; a retype with nothing to say stays pending
    edl = project.edl.replace(you, you + 1, "country").delete(you + 1, you + 2).replace(3, 4, "—")
    project = project.with_edl(edl, "edit")
    save_project(project, tmp_path / "jfk.lcproj")
    out = tmp_path / "jfk retyped.m4a"
    assert main(["export", str(tmp_path / "jfk.lcproj"), "-o", str(out)]) == 0
    err = capsys.readouterr().err
    assert f'retype 2 (words {you}:{you + 1}, "country"):' in err and "reused from the lecture" in err, err
    assert "warning: retype 1 stays pending:" in err and "generic voice" not in err, err
    assert sha256(source) == digest

    plan = plan_for(project, synthesize=True)  # the export's plan (its speech comes from the cache now)
    check_plan_composes(plan)
    (span,) = plan.synth_spans
    assert span.replacement == 1 and span.n_samples > 0.2 * plan.audio_rate
    got = check_heard_in_place(project, out, you, you + 1, "country")
    assert "fellow" in got  # the pending retype's recorded word
    durations = stream_durations(out)
    assert list(durations) == ["audio"]
    assert abs(durations["audio"] - plan.output_duration_s) <= 1 / 25, (durations, plan.output_duration_s)


# ---------------------------------------------------------------- video
def test_video_under_new_speech_is_the_original_frames_retimed(tmp_path):
    source = media_path(OBAMA)
    digest = sha256(source)
    project = project_of(source)
    miles, workers = index_of(project, "miles"), index_of(project, "workers")  # "40 miles" -> "40 workers"
    assert workers > miles
    project = project.with_edl(project.edl.replace(miles, miles + 1, "workers").delete(1, 2), "edit")
    out = tmp_path / "retyped.mp4"
    result = export(project, out, ExportOptions(subtitles="sidecar", **DRAFT))
    assert sha256(source) == digest
    plan = result.plan
    (span,) = plan.synth_spans
    assert result.synthesized == ((0, span.method, span.n_samples / plan.audio_rate),) and result.warnings == ()
    check_plan_composes(plan)
    fps = plan.fps
    frame_s = float(1 / fps)
    durations = stream_durations(out)
    assert abs(durations["video"] - durations["audio"]) <= frame_s, durations
    replaced = (span.audio_end - span.audio_start) / plan.audio_rate
    removed = sum(b - a for a, b in plan.removed_ranges()) / plan.audio_rate
    expected = project.media.audio.duration_s - removed + span.n_samples / plan.audio_rate - replaced
    assert abs(durations["audio"] - expected) <= frame_s, (durations, expected)
    assert abs(span.n_samples / plan.audio_rate - replaced) > frame_s  # the new word really retimes the span
    t0 = sum(s.n_samples for s in plan.spans[:plan.spans.index(span)]) / plan.audio_rate
    check_heard_in_place(project, out, miles, miles + 1, "workers",
                         window_s=(t0 - 3.0, t0 + span.n_samples / plan.audio_rate + 3.0))
    cues = Path(result.subtitle_paths[0]).read_text(encoding="utf-8")
    assert "workers off the coast" in " ".join(cues.split()) and "miles" not in cues

    # which output frames lie under the span, and the source instant each should show
    first = sum(s.n_frames for s in plan.spans[:plan.spans.index(span)])
    wanted = list(frame_instants(plan))[plan.spans.index(span)]
    assert len(wanted) == span.n_frames and wanted == sorted(wanted)
    lo, hi = Fraction(span.audio_start, plan.audio_rate), Fraction(span.audio_end, plan.audio_rate)
    step = Fraction(span.audio_end - span.audio_start, span.n_samples) / fps  # source time per output frame
    # no jump at either end: a span's frames start and end within half a frame of its audio (output clock)
    assert abs(wanted[0] - lo) <= step * 3 / 2 and abs(wanted[-1] - hi) <= step * 3 / 2, (wanted, lo, hi)

    src = [(t, f.astype(np.float32)) for t, f in read_timed_frames(source, size=THUMB)
           if lo - 1 <= t <= hi + 1]
    times = [t for t, _ in src]
    got = [f.astype(np.float32) for f in _frames(out, first, span.n_frames)]
    best = [int(np.argmin([np.abs(g - f).mean() for _, f in src])) for g in got]
    shown = [max(k for k, t in enumerate(times) if t <= w + Fraction(1, 4) / fps) for w in wanted]
    # each output frame is the source frame its retimed instant falls on (codec noise: a neighbour at most)
    assert sum(abs(b - s) <= 1 for b, s in zip(best, shown, strict=True)) >= 0.9 * len(got), (best, shown)
    assert best == sorted(best) or sum(x > y for x, y in zip(best, best[1:], strict=False)) <= 1, best
    # no frozen frame: the picture keeps moving as the source did over that range
    assert len(set(best)) >= 0.8 * len(set(shown)), (best, shown)


def _frames(path: Path, start: int, n: int):
    from lecturecut.media.frames import read_frames

    return list(read_frames(path, start, n, size=THUMB))


# ---------------------------------------------------------------- the mix
@pytest.mark.parametrize("edit", ["retype", "insertion"])
def test_rendered_audio_is_the_reference_mix(tmp_path, edit):
    """render_audio streams what voice.preview.in_context mixes in memory, sample for sample."""
    import soundfile as sf

    from lecturecut.media.audio import decode_audio
    from lecturecut.synthesis.render.audio import render_audio
    from lecturecut.synthesis.voice.preview import in_context

    project = project_of(media_path(JFK))
    you = index_of(project, "you")
    country = index_of(project, "country", 1)  # "... do for your country": insert "your" before it
    edl = project.edl.replace(you, you + 1, "country") if edit == "retype" else \
        project.edl.replace(country, country, "your")
    project = project.with_edl(edl, edit)
    plan = plan_for(project, synthesize=True)
    (span,) = plan.synth_spans
    assert span.method == "reused" and plan.warnings == ()
    if edit == "insertion":
        # shorter than a crossfade (here the words abut: empty): the source resumes, crossfade
        # included, before where it stopped, which the renderer must still have at hand
        assert span.audio_end - span.audio_start < plan.crossfade, span
    else:
        assert span.audio_end - span.audio_start > plan.crossfade, span
    wav = tmp_path / "mix.wav"
    render_audio(project, plan, wav, lambda *_: None, None)
    got, rate = sf.read(wav, dtype="float32")  # (n, 2): the source is stereo
    assert rate == plan.audio_rate and got.shape == (plan.output_samples, project.media.audio.channels)
    source = decode_audio(project.source, rate, project.media.audio.channels)  # (n, 2)
    want, join_in, _ = in_context(source[:plan.source_samples], span.speech, plan.crossfade)  # mono: the mean
    assert len(want) == plan.output_samples and join_in == span.audio_start
    assert np.abs(got.mean(axis=1) - want).max() < 1e-4
    # the new speech is on both channels alike
    out_a = sum(s.n_samples for s in plan.spans[:plan.spans.index(span)])
    inner = slice(out_a + plan.crossfade, out_a + span.n_samples - plan.crossfade)
    assert np.array_equal(got[inner, 0], got[inner, 1])
