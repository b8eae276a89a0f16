"""transcribe(): real models on real clips, both backends, German, silence, cancel, progress."""

from __future__ import annotations

import json
import threading
import time

import numpy as np
import pytest
from asr_fixtures import JFK, OBAMA, assert_well_formed, decoded, engine, german_transcript, need_media

from lecturecut.asr.refine import compute_energy, speech_mask
from lecturecut.asr.transcribe import (
    WINDOW_MAX,
    Segment,
    keep_segment,
    plan_windows,
    transcribe,
)
from lecturecut.asr.transcript import SAMPLE_RATE, Transcript, Word
from lecturecut.core import Cancelled, CancelToken

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def obama():
    need_media(OBAMA)
    return transcribe(OBAMA, model=engine("tiny.en", "whisper"), language="en")


def test_talking_head_gives_ordered_refined_words(obama):
    duration = len(decoded(OBAMA.name))
    assert obama.duration == duration
    assert len(obama.words) > 30
    assert obama.language == "en" and obama.backend == "whisper" and obama.refinement == "pocketsphinx"
    assert_well_formed(obama.words, duration)
    assert all(w.raw_start is not None and w.raw_end is not None for w in obama.words)
    assert sum(bool(w.phones) for w in obama.words) >= 0.9 * len(obama.words)
    assert {"oil", "spill", "explosion"} <= {w.norm for w in obama.words}


def test_transcript_json_round_trip(obama):
    text = json.dumps(obama.to_json())
    again = Transcript.from_json(json.loads(text))
    assert again == obama
    assert again.words[5].phones == obama.words[5].phones


def test_faster_whisper_gives_largely_the_same_words(obama):
    fast = transcribe(OBAMA, model=engine("tiny.en", "faster-whisper"), language="en")
    assert fast.backend == "faster-whisper"
    assert_well_formed(fast.words, fast.duration)
    a = [w.norm for w in obama.words]
    b = [w.norm for w in fast.words]
    import difflib

    same = sum(block.size for block in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_matching_blocks())
    assert same >= 0.8 * max(len(a), len(b))


def test_audio_only_file_with_progress():
    need_media(JFK)
    reports: list[tuple[float | None, str]] = []
    result = transcribe(JFK, model=engine("tiny.en", "whisper"), language="en",
                        progress=lambda f, m: reports.append((f, m)))
    text = " ".join(w.norm for w in result.words)
    assert "my fellow americans" in text and "your country" in text
    assert_well_formed(result.words, result.duration)
    fractions = [f for f, _ in reports if f is not None]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0 and len(set(fractions)) >= 4
    assert all(isinstance(m, str) and m for _, m in reports)


def test_german_is_detected_and_transcribed(tmp_path_factory):
    result = german_transcript(str(tmp_path_factory.getbasetemp()))  # no language given: detected
    assert result.language == "de"
    assert result.meta["language_probability"] > 0.5
    assert result.refinement == "acoustic"
    norms = {w.norm for w in result.words}
    assert len(result.words) >= 10
    assert {"guten", "morgen"} <= norms or {"deutschen", "sprache"} <= norms, result.text
    assert_well_formed(result.words, result.duration)


def test_language_names_and_codes():
    from lecturecut.asr.transcribe import language_code

    assert language_code("German") == language_code("DE") == "de"
    assert language_code(None) is None and language_code("") is None and language_code("auto") is None
    with pytest.raises(ValueError, match="unknown language"):
        language_code("klingon")


def test_english_only_model_refuses_other_languages():
    from lecturecut.asr.offline_models import ModelUnavailableError

    with pytest.raises(ModelUnavailableError, match="only knows English"):
        transcribe(np.zeros(SAMPLE_RATE, np.float32), model=engine("tiny.en", "whisper"), language="de")


@pytest.mark.parametrize("level", [0.0, 0.003])  # digital silence; steady room noise (-50 dBFS)
def test_silence_gives_no_words(level):
    rng = np.random.default_rng(1)
    audio = (level * rng.standard_normal(SAMPLE_RATE * 12)).astype(np.float32)
    result = transcribe(audio, model=engine("tiny.en", "whisper"), language="en")
    assert result.words == ()
    assert result.duration == len(audio)


def test_cancel_from_another_thread_stops_within_seconds():
    need_media(OBAMA)
    audio = np.tile(decoded(OBAMA.name), 4)  # 80 s: several windows
    token = CancelToken()
    cancelled_at: list[float] = []

    def cancel_soon() -> None:
        time.sleep(1.5)
        cancelled_at.append(time.monotonic())
        token.cancel()

    threading.Thread(target=cancel_soon, daemon=True).start()
    with pytest.raises(Cancelled):
        transcribe(audio, model=engine("tiny.en", "whisper"), language="en", cancel=token)
    assert cancelled_at and time.monotonic() - cancelled_at[0] < 3.0


# ---------------------------------------------------------------- windows and hallucination filter


def _tone_bursts(spans_s: list[tuple[float, float]], total_s: float) -> np.ndarray:
    t = np.arange(int(total_s * SAMPLE_RATE)) / SAMPLE_RATE
    audio = 0.001 * np.random.default_rng(0).standard_normal(len(t))
    for a, b in spans_s:
        sel = (t >= a) & (t < b)
        audio[sel] += 0.3 * np.sin(2 * np.pi * 220 * t[sel])
    return audio.astype(np.float32)


def test_windows_cover_speech_skip_silence_and_stay_short():
    bursts = [(1.0, 3.0), (3.5, 6.0), (20.0, 22.0)] + [(30 + 0.8 * k, 30.5 + 0.8 * k) for k in range(60)]
    audio = _tone_bursts(bursts, 90.0)
    windows = plan_windows(compute_energy(audio), len(audio))
    assert all(0 < w.end - w.start <= WINDOW_MAX for w in windows)
    assert all(a.end <= b.start for a, b in zip(windows, windows[1:]))
    for a, b in bursts:
        mid = int((a + b) / 2 * SAMPLE_RATE)
        assert any(w.start <= mid < w.end for w in windows), (a, b)
    silent = int(12 * SAMPLE_RATE)  # between 6 s and 20 s nothing is said
    assert not any(w.start <= silent < w.end for w in windows)
    assert plan_windows(compute_energy(np.zeros(SAMPLE_RATE * 5, np.float32)), SAMPLE_RATE * 5) == []


def test_segments_over_silence_are_dropped():
    audio = _tone_bursts([(1.0, 2.0)], 4.0)
    mask = speech_mask(compute_energy(audio))
    spoken = Segment((Word("hello", 16000, 30000),), 0.1, -0.3)
    over_silence = Segment((Word("Thank", 50000, 56000), Word("you.", 56000, 60000)), 0.1, -0.3)
    unlikely = Segment((Word("hmm", 16000, 30000),), 0.9, -1.5)
    assert keep_segment(spoken, mask)
    assert not keep_segment(over_silence, mask)
    assert not keep_segment(unlikely, mask)
    assert not keep_segment(Segment((), 0.0, 0.0), mask)


def test_auto_model_is_multilingual_base_whatever_the_language():
    from lecturecut.asr.offline_models import DEFAULT_MODEL, default_model_name, resolve_model

    assert default_model_name("en") == default_model_name("de") == default_model_name(None) == DEFAULT_MODEL == "base"
    assert resolve_model("auto", "whisper", language="en").name == "base"
    assert resolve_model("tiny.en", "whisper", language="en").name == "tiny.en"  # chosen by name, still works


def test_backends_and_transcriber_do_not_import_each_other():
    import ast
    from pathlib import Path

    import lecturecut.asr as asr

    root = Path(asr.__file__).parent

    def imports(name: str) -> set[str]:
        tree = ast.parse((root / f"{name}.py").read_text(encoding="utf-8"))
        return {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.level}

    for backend in ("whisper_backend", "faster_backend"):
        assert "transcribe" not in imports(backend) and "segments" in imports(backend)
    assert not {"whisper_backend", "faster_backend"} & imports("segments")
