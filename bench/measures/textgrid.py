"""Read hand-labelled word timings: Praat TextGrids and GRID alignments.

Only what the tests and the boundary benchmark need: interval tiers as
integer sample ranges at SAMPLE_RATE. Reads both of Praat's text layouts
(the long ``xmin = ...`` one and the short one) by tokenizing values only,
the way Praat itself reads them. Silence labels ("", "sil", "sp", "<sil>")
are dropped by :func:`read_word_intervals`.
"""

from __future__ import annotations

import difflib
import os
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from lecturecut.asr.transcript import SAMPLE_RATE, Word, to_samples

GRID_ALIGN_UNITS_PER_S = 25_000  # GRID .align files count time in 1/25000 s
SILENCE_LABELS = frozenset({"", "sil", "sp", "<sil>", "silence", "#"})

# A value in a TextGrid: a quoted string ("" escapes a quote) or a number.
# Bracketed indices ("item [1]:", "intervals [3]:") are matched first so that
# their digits are not mistaken for values; they are then discarded.
_TOKEN = re.compile(r'"((?:[^"]|"")*)"|(\[\s*\d*\s*\])|([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?)')


@dataclass(frozen=True)
class Interval:
    text: str
    start: int  # samples @ SAMPLE_RATE
    end: int  # samples @ SAMPLE_RATE, exclusive


@dataclass(frozen=True)
class Tier:
    name: str
    kind: str  # "IntervalTier" | "TextTier"
    intervals: tuple[Interval, ...]  # for a TextTier: points, start == end


def _values(text: str) -> list[str | float]:
    out: list[str | float] = []
    for m in _TOKEN.finditer(text):
        if m.group(1) is not None:
            out.append(m.group(1).replace('""', '"'))
        elif m.group(3) is not None:
            out.append(float(m.group(3)))
    return out


def parse_textgrid(text: str) -> list[Tier]:
    """Parse the text of a Praat TextGrid (long or short text format)."""
    values = _values(text)
    if len(values) < 2 or values[0] != "ooTextFile" or values[1] != "TextGrid":
        raise ValueError("not a Praat text TextGrid (expected 'ooTextFile' / 'TextGrid')")
    pos = 4  # file type, object class, xmin, xmax; then "<exists>" (not a value), tier count
    n_tiers = int(values[pos])
    pos += 1
    tiers: list[Tier] = []
    for _ in range(n_tiers):
        kind, name = str(values[pos]), str(values[pos + 1])
        n_items = int(values[pos + 4])  # after tier xmin, xmax
        pos += 5
        items: list[Interval] = []
        for _ in range(n_items):
            if kind == "IntervalTier":
                start, end, label = values[pos : pos + 3]
                pos += 3
            else:
                start, label = values[pos : pos + 2]
                end = start
                pos += 2
            items.append(Interval(str(label), to_samples(float(start)), to_samples(float(end))))
        tiers.append(Tier(name=name, kind=kind, intervals=tuple(items)))
    return tiers


def read_textgrid(path: str | os.PathLike[str]) -> list[Tier]:
    raw = Path(path).read_bytes()
    # Praat writes UTF-16 when a label needs it (IPA phones), UTF-8 otherwise.
    text = raw.decode("utf-16") if raw[:2] in (b"\xff\xfe", b"\xfe\xff") else raw.decode("utf-8-sig")
    return parse_textgrid(text)


def _read_tsv(path: Path) -> list[Interval]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0] == "start_s":
            continue
        out.append(Interval(parts[2].strip(), to_samples(float(parts[0])), to_samples(float(parts[1]))))
    return out


def _read_grid_align(path: Path) -> list[Interval]:
    out = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        parts = line.split()
        if len(parts) >= 3:
            start, end = int(parts[0]), int(parts[1])
            # integer arithmetic: 1/25000 s units -> samples at 16 kHz
            out.append(Interval(parts[2], start * SAMPLE_RATE // GRID_ALIGN_UNITS_PER_S,
                                end * SAMPLE_RATE // GRID_ALIGN_UNITS_PER_S))
    return out


def read_word_intervals(path: str | os.PathLike[str], tier: str | None = None) -> list[Interval]:
    """The labelled words of a file, silences dropped, in time order.

    ``.TextGrid``: the tier named ``tier`` (default: a tier named "word"/"words",
    else the first interval tier); ``.words.tsv`` (start_s, end_s, word);
    GRID ``.align`` (1/25000 s units).
    """
    p = Path(path)
    if p.name.endswith(".tsv"):
        items = _read_tsv(p)
    elif p.suffix == ".align":
        items = _read_grid_align(p)
    else:
        tiers = [t for t in read_textgrid(p) if t.kind == "IntervalTier"]
        if tier is not None:
            chosen = next((t for t in tiers if t.name == tier), None)
            if chosen is None:
                raise ValueError(f"{p.name} has no tier named {tier!r} ({[t.name for t in tiers]})")
        else:
            chosen = next((t for t in tiers if t.name.lower() in ("word", "words")), tiers[0] if tiers else None)
            if chosen is None:
                raise ValueError(f"{p.name} has no interval tier")
        items = list(chosen.intervals)
    return sorted((i for i in items if i.text.strip().lower() not in SILENCE_LABELS), key=lambda i: i.start)


# ---------------------------------------------------------------- comparing with labels


def _label_tokens(text: str) -> list[str]:
    from lecturecut.asr.spoken import spoken_tokens  # numbers spelled out: Whisper's "P2" is GRID's "p two"

    return [t for t, _ in spoken_tokens(text)]


def match_words(words: Sequence[Word], truth: Sequence[Interval]) -> list[tuple[Word, int, int]]:
    """Pair recognised words with labelled ones: (word, truth start, truth end).

    Both sides are compared as spoken tokens, so a word matches when its tokens
    equal a run of labelled words ("P2" spans "p" + "two"). Unmatched words on
    either side are left out.
    """
    hyp_tokens: list[str] = []
    hyp_of_word: list[list[int]] = []  # token indices of each recognised word
    for w in words:
        tokens = _label_tokens(w.text)
        hyp_of_word.append(list(range(len(hyp_tokens), len(hyp_tokens) + len(tokens))))
        hyp_tokens.extend(tokens)
    ref_tokens: list[str] = []
    ref_owner: list[int] = []  # labelled word of each reference token
    ref_span: list[tuple[int, int]] = []  # [first, stop) token indices of each labelled word
    for j, iv in enumerate(truth):
        tokens = _label_tokens(iv.text)
        ref_span.append((len(ref_tokens), len(ref_tokens) + len(tokens)))
        ref_tokens.extend(tokens)
        ref_owner.extend([j] * len(tokens))
    token_match: dict[int, int] = {}
    matcher = difflib.SequenceMatcher(a=hyp_tokens, b=ref_tokens, autojunk=False)
    for block in matcher.get_matching_blocks():
        for k in range(block.size):
            token_match[block.a + k] = block.b + k
    out = []
    for w, mine in zip(words, hyp_of_word):
        if not mine or any(k not in token_match for k in mine):
            continue
        refs = [token_match[k] for k in mine]
        first, last = ref_owner[refs[0]], ref_owner[refs[-1]]
        # the word must cover whole labelled words, not part of one
        covered = list(range(ref_span[first][0], ref_span[last][1]))
        if sorted(refs) != covered:
            continue
        out.append((w, truth[first].start, truth[last].end))
    return out


def boundary_errors(words: Sequence[Word], truth: Sequence[Interval], raw: bool = False) -> list[int]:
    """Absolute start and end errors (samples) of the matched words; ``raw``: use raw_start/raw_end."""
    errors = []
    for w, start, end in match_words(words, truth):
        s = w.raw_start if raw and w.raw_start is not None else w.start
        e = w.raw_end if raw and w.raw_end is not None else w.end
        errors += [abs(s - start), abs(e - end)]
    return errors
