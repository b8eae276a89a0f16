"""Exact word boundaries: pocketsphinx alignment and acoustic refinement vs hand labels.

Measured numbers (bench/boundary_error.py, tiny.en) are in the report; the
assertions here are the parts that hold with margin: refinement beats raw
Whisper on every clip, the pocketsphinx median meets the 20 ms goal, and its
95th percentile stays near the 60 ms goal.
"""

from __future__ import annotations

import numpy as np
import pytest
from asr_fixtures import (
    LABELLED,
    MEDIA,
    WEBCAM,
    assert_well_formed,
    decoded,
    german_transcript,
    german_wav,
    need_media,
    raw_transcript,
)

from bench.measures.textgrid import boundary_errors, match_words, parse_textgrid, read_word_intervals
from lecturecut.asr.align import PocketsphinxAligner
from lecturecut.asr.pronounce import rough_pronunciation
from lecturecut.asr.refine import (
    ALIGN_CHUNK_MAX,
    ALIGN_MARGIN,
    MIN_WORD,
    compute_energy,
    plan_align_chunks,
    refine_transcript,
    tidy_words,
)
from lecturecut.asr.spoken import number_words, ordinal_words, spoken_tokens, year_words
from lecturecut.asr.transcript import SAMPLE_RATE, Phone, Word
from lecturecut.media import decode_audio

MS = SAMPLE_RATE // 1000  # samples per millisecond
GOAL_MEDIAN_MS = 20
P95_LIMIT_MS = 70  # goal is 60; measured 60.0 on these 26 boundaries, so assert with a margin


def _errors_ms(method: str) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per clip: (raw Whisper errors, refined errors) in ms."""
    out = {}
    for audio_name, label_name in LABELLED:
        need_media(MEDIA / audio_name, MEDIA / label_name)
        truth = read_word_intervals(MEDIA / label_name)
        raw = raw_transcript(audio_name)
        refined = refine_transcript(raw, decoded(audio_name), method=method)
        assert len(match_words(refined.words, truth)) >= len(truth) - 1  # "P2" covers two labels
        out[audio_name] = (np.array(boundary_errors(raw.words, truth, raw=True)) / MS,
                           np.array(boundary_errors(refined.words, truth)) / MS)
    return out


@pytest.mark.slow
def test_pocketsphinx_boundaries_meet_the_goal():
    errors = _errors_ms("pocketsphinx")
    for clip, (raw, refined) in errors.items():
        assert np.median(refined) < np.median(raw), clip
        assert np.percentile(refined, 95) < np.percentile(raw, 95), clip
    everything = np.concatenate([refined for _, refined in errors.values()])
    assert np.median(everything) <= GOAL_MEDIAN_MS
    assert np.percentile(everything, 95) <= P95_LIMIT_MS


@pytest.mark.slow
def test_acoustic_refinement_beats_raw_whisper():
    errors = _errors_ms("acoustic")
    raw = np.concatenate([r for r, _ in errors.values()])
    refined = np.concatenate([r for _, r in errors.values()])
    assert np.median(refined) < np.median(raw)
    assert np.percentile(refined, 95) < np.percentile(raw, 95)


@pytest.mark.slow
@pytest.mark.parametrize("audio_name", [a for a, _ in LABELLED])
def test_refined_words_have_phones_inside_and_no_overlap(audio_name):
    raw = raw_transcript(audio_name)
    refined = refine_transcript(raw, decoded(audio_name))
    assert refined.refinement == "pocketsphinx"
    assert [w.text for w in refined.words] == [w.text for w in raw.words]  # order and text kept
    assert_well_formed(refined.words, refined.duration)
    for w in refined.words:
        assert w.phones, w
        assert all(p.label.isalpha() and p.label.isupper() for p in w.phones)  # ARPAbet, no stress digits
        assert w.phones[0].start == w.start and w.phones[-1].end == w.end
        assert (w.raw_start, w.raw_end) == next((r.start, r.end) for r in raw.words if r.text == w.text)


@pytest.mark.slow
def test_out_of_vocabulary_names_still_align():
    need_media(WEBCAM)
    raw = raw_transcript(WEBCAM.name)
    refined = refine_transcript(raw, decoded(WEBCAM.name))
    assert "acoustic_fallbacks" not in refined.meta  # every chunk aligned by pocketsphinx
    assert_well_formed(refined.words, refined.duration)
    assert any(w.norm == "barcelona" for w in refined.words)


@pytest.mark.slow
def test_cross_lingual_alignment_keeps_words_well_formed(tmp_path_factory):
    german = german_transcript(str(tmp_path_factory.getbasetemp()))
    audio = decode_audio(german_wav(str(tmp_path_factory.getbasetemp())), SAMPLE_RATE)
    aligned = refine_transcript(german, audio, method="pocketsphinx")
    assert [w.text for w in aligned.words] == [w.text for w in german.words]
    assert_well_formed(aligned.words, len(audio))
    # words pocketsphinx aligned carry phones from the German spelling rules
    phoned = [w for w in aligned.words if w.phones]
    assert all(p.label.isalpha() for w in phoned for p in w.phones)


def test_german_spelling_rules():
    assert rough_pronunciation("Sprache", "de") == ["SH", "P", "R", "AA", "HH", "AH"]
    assert rough_pronunciation("Zeit", "de") == ["T", "S", "AY", "T"]
    assert rough_pronunciation("Straße", "de") == ["SH", "T", "R", "AA", "S", "AH"]
    assert rough_pronunciation("über", "de") == ["UW", "B", "ER"]


def test_aligner_handles_unknown_words_and_numbers():
    aligner = PocketsphinxAligner()
    assert aligner.dictionary_tokens("P2") == ["p", "two"]
    assert aligner.dictionary_tokens("GPU,") == ["g", "p", "u"]
    assert aligner.dictionary_tokens("Zyxwvut") == ["zyxwvut"]  # added with a rough pronunciation
    assert aligner.dictionary_tokens("...") == []


def test_digital_silence_inside_a_chunk_still_aligns():
    # noise-gated or muted stretches are exact zeros; pocketsphinx fails on them undithered
    mary, bobby = decoded("praatio_mary.wav"), decoded("praatio_bobby.wav")
    silence = np.zeros(SAMPLE_RATE // 2, dtype=np.float32)
    audio = np.concatenate([silence, mary, silence, silence, bobby, silence])
    aligned = PocketsphinxAligner().align_tokens(audio, "mary rolled the barrel bobby ripped the ledger".split())
    assert aligned is not None
    assert aligned[3].end <= len(silence) + len(mary) + 2 * 160 <= aligned[4].start  # 'barrel' | gap | 'bobby'


def test_spoken_forms():
    assert number_words(1961) == "one thousand nine hundred sixty one".split()
    assert year_words(1961) == ["nineteen", "sixty", "one"]
    assert year_words(2005) == ["two", "thousand", "five"]
    assert year_words(1905) == ["nineteen", "oh", "five"]
    assert ordinal_words(21) == ["twenty", "first"]
    assert ordinal_words(40) == ["fortieth"]
    tokens = lambda text: [t for t, _ in spoken_tokens(text)]  # noqa: E731
    assert tokens("April 20th,") == ["april", "twentieth"]
    assert tokens("$5") == ["five", "dollars"]
    assert tokens("3.5%") == ["three", "point", "five", "percent"]
    assert tokens("1,000") == ["one", "thousand"]
    assert tokens("1960s") == ["nineteen", "sixties"]
    assert tokens("well-known") == ["well", "known"]
    assert tokens("café") == ["cafe"]
    assert spoken_tokens("NASA") == [("nasa", True)]
    assert rough_pronunciation("chick") == ["CH", "IH", "K"]
    assert rough_pronunciation("letter") == ["L", "EH", "T", "ER"]


# ---------------------------------------------------------------- invariants and chunking


def test_tidy_words_splits_overlaps_and_keeps_phones_inside():
    words = [
        Word("a", 0, 8000, phones=(Phone("AH", 0, 8000),)),
        Word("b", 6000, 12000, phones=(Phone("B", 5000, 7000), Phone("IY", 7000, 12000))),
        Word("c", 12000, 12000),  # zero length
        Word("d", 12000, 12000),
    ]
    tidy = tidy_words(words, duration=20000)
    assert_well_formed(tidy, 20000)
    assert tidy[0].end == tidy[1].start == 7000
    assert all(w.end - w.start >= MIN_WORD for w in tidy)
    assert all(w.start % 8 == 0 and w.end % 8 == 0 for w in tidy)  # 0.5 ms grid: exact in JSON
    crammed = tidy_words([Word("x", 19990, 19990), Word("y", 19995, 19995)], duration=20000)
    assert_well_formed(crammed, 20000)


def test_long_recordings_align_in_bounded_chunks():
    rng = np.random.default_rng(3)
    n = SAMPLE_RATE * 600  # ten minutes
    audio = (0.01 * rng.standard_normal(n)).astype(np.float32)
    words, t = [], SAMPLE_RATE // 2
    while t < n - SAMPLE_RATE:
        length = int(rng.integers(3000, 8000))
        audio[t : t + length] *= 30  # a "word"
        words.append(Word(f"w{len(words)}", t, t + length))
        t += length + int(rng.integers(800, 6000))
    # a long pause in the middle always ends a chunk, and no chunk spans it
    pause_at = next(i for i, w in enumerate(words) if w.start > n // 2)
    shift = 5 * SAMPLE_RATE
    audio = np.concatenate([audio[: words[pause_at].start - 400], 0.01 * rng.standard_normal(shift).astype(np.float32),
                            audio[words[pause_at].start - 400 :]])[:n]
    words = words[:pause_at] + [Word(w.text, w.start + shift, w.end + shift) for w in words[pause_at:]
                                if w.end + shift < n]
    chunks = plan_align_chunks(words, compute_energy(audio), n)
    assert any(c.stop == pause_at for c in chunks)
    assert chunks[0].first == 0 and chunks[-1].stop == len(words)
    assert all(a.stop == b.first for a, b in zip(chunks, chunks[1:]))
    assert all(a.end <= b.start for a, b in zip(chunks, chunks[1:]))
    for c in chunks:
        assert c.end - c.start <= ALIGN_CHUNK_MAX + 2 * ALIGN_MARGIN
        assert c.start <= words[c.first].start and words[c.stop - 1].end <= c.end


# ---------------------------------------------------------------- label readers


SHORT_TEXTGRID = '''File type = "ooTextFile"
Object class = "TextGrid"

0
1.5
<exists>
1
"IntervalTier"
"words"
0
1.5
3
0
0.25
""
0.25
1.0
"say ""hi"""
1.0
1.5
"sil"
'''


def test_textgrid_short_format_and_quotes():
    tiers = parse_textgrid(SHORT_TEXTGRID)
    assert [t.name for t in tiers] == ["words"]
    assert tiers[0].intervals[1].text == 'say "hi"'
    assert tiers[0].intervals[1].start == 4000 and tiers[0].intervals[1].end == 16000


def test_label_files_read_the_same_words():
    need_media(MEDIA / "grid_s2_swwp2s.align")
    tsv = read_word_intervals(MEDIA / "grid_s2_swwp2s.words.tsv")
    align = read_word_intervals(MEDIA / "grid_s2_swwp2s.align")
    assert [i.text for i in tsv] == ["set", "white", "with", "p", "two", "soon"]
    assert [(i.start, i.end) for i in tsv] == [(i.start, i.end) for i in align]
    mary = read_word_intervals(MEDIA / "praatio_mary.TextGrid")  # the word tier, not phones or pitch
    assert [i.text for i in mary] == ["mary", "rolled", "the", "barrel"]
    assert mary[0].start == round(0.3154201182247563 * SAMPLE_RATE)
