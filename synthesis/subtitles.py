"""Subtitles of the edited lecture: the kept words, on the output timeline.

Cues follow common broadcast/MOOC practice: at most two lines of 42
characters, at most 7 seconds, a new cue after a sentence end or a
noticeable pause, and never shorter than ~0.8 s on screen when the next
cue leaves room.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.asr.transcript import Transcript

from .edl import Edl, WordState
from .plan import RenderPlan, SynthSpan

MAX_LINE_CHARS = 42
MAX_LINES = 2
MAX_CUE_S = 7.0
MIN_CUE_S = 0.8
PAUSE_BREAK_S = 0.7  # a pause this long starts a new cue
SENTENCE_END = (".", "?", "!", "…")


@dataclass(frozen=True)
class Cue:
    start_s: float
    end_s: float
    text: str  # may hold one "\n"


def _split(words: list[str]) -> list[str] | None:
    """The words as one line, else two lines of at most MAX_LINE_CHARS split where they are
    most balanced; None when they do not fit in two such lines."""
    line = " ".join(words)
    if len(line) <= MAX_LINE_CHARS:
        return [line]
    fits = [k for k in range(1, len(words))
            if len(" ".join(words[:k])) <= MAX_LINE_CHARS and len(" ".join(words[k:])) <= MAX_LINE_CHARS]
    if not fits:
        return None
    best = min(fits, key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
    return [" ".join(words[:best]), " ".join(words[best:])]


def _wrap(words: list[str]) -> str:
    """One line if it fits, else two balanced lines (a single over-long word stays as it is)."""
    lines = _split(words)
    if lines is None:  # only for one word longer than a line: nothing to split at
        return " ".join(words)
    return "\n".join(lines)


def _spoken(edl: Edl, span: SynthSpan, out_start: int, rate: int, half: int) -> list[tuple[float, float, str]]:
    """The typed words of a synthetic span, timed where its new speech sounds in the output.

    The speech's recorded words give where speech starts and ends (past the room tone); the
    typed words share that stretch by their length (a typed "2024" is spoken as three words)."""
    words = edl.replacements[span.replacement].text.split()
    rec = span.speech.record.words if span.speech is not None else ()
    lo, hi = (rec[0].start - half, rec[-1].end - half) if rec else (0, span.n_samples)
    lo, hi = min(max(lo, 0), span.n_samples), min(max(hi, 0), span.n_samples)
    weights = [len(w) + 1 for w in words]
    total, acc, out = sum(weights), 0, []
    for w, k in zip(words, weights, strict=True):
        a, acc = lo + (hi - lo) * acc // total, acc + k
        out.append(((out_start + a) / rate, (out_start + lo + (hi - lo) * acc // total) / rate, w))
    return out


def build_cues(transcript: Transcript, edl: Edl, plan: RenderPlan) -> list[Cue]:
    timed: list[tuple[float, float, str]] = []
    rate = plan.audio_rate
    # spoken retypes show their new text where it sounds; pending ones keep the recorded words
    spoken: set[int] = set()
    acc = 0
    for span in plan.spans:
        if isinstance(span, SynthSpan):
            r = edl.replacements[span.replacement]
            spoken.update(range(r.start, r.end))
            timed += _spoken(edl, span, acc, rate, plan.crossfade // 2)
        acc += span.n_samples
    words = transcript.words
    prev_kept = -1  # the last word shown before this one (-1: none yet)
    for i, w in enumerate(words):
        if edl.state(i) is WordState.DELETED or i in spoken or w.filler:
            continue  # a recovered "uh" kept in the audio is not captioned
        text = w.text
        # a cut that removed the start of a sentence ("Um, let me think"): the sentence now starts here
        starts_sentence = prev_kept < 0 or words[prev_kept].text.endswith(SENTENCE_END)
        if (i > prev_kept + 1 and starts_sentence and words[prev_kept + 1].text[:1].isupper()
                and not any(k in spoken for k in range(prev_kept + 1, i)) and text[:1].islower()):
            text = text[:1].upper() + text[1:]
        prev_kept = i
        # A kept word's edge can fall just inside a removed stretch where two words abut (the
        # cut sits on their common boundary): clamp it to the kept side instead of dropping
        # the word from the subtitles.
        start = _kept_output(plan, int(round(w.start * rate / WORD_RATE)), forward=True)
        end = _kept_output(plan, int(round(w.end * rate / WORD_RATE)), forward=False)
        if start is None or end is None or end < start:
            continue  # the whole word lies in a removed stretch
        timed.append((start / rate, end / rate, text))
    if spoken:
        timed.sort(key=lambda t: t[0])

    cues: list[Cue] = []
    group: list[tuple[float, float, str]] = []

    def flush() -> None:
        if group:
            cues.append(Cue(group[0][0], group[-1][1], _wrap([t for _, _, t in group])))
            group.clear()

    for start, end, text in timed:
        if group:
            if (_split([t for _, _, t in group] + [text]) is None or end - group[0][0] > MAX_CUE_S
                    or start - group[-1][1] > PAUSE_BREAK_S or group[-1][2].endswith(SENTENCE_END)):
                flush()
        group.append((start, end, text))
    flush()

    # let short cues linger, without overlapping the next one or passing the end
    out: list[Cue] = []
    for k, cue in enumerate(cues):
        limit = cues[k + 1].start_s if k + 1 < len(cues) else plan.output_duration_s
        end = min(max(cue.end_s, cue.start_s + MIN_CUE_S), limit)
        out.append(Cue(cue.start_s, max(end, cue.end_s if cue.end_s <= limit else limit), cue.text))
    return out


def _kept_output(plan: RenderPlan, x: int, forward: bool) -> int | None:
    """Output sample of source sample ``x``; inside a removed stretch, that of the nearest kept
    sample after it (``forward``) or before it."""
    y = plan.source_to_output(x)
    if y is not None:
        return y
    for s in plan.kept_spans if forward else reversed(plan.kept_spans):
        if forward and s.audio_start > x:
            return plan.source_to_output(s.audio_start)
        if not forward and s.audio_end <= x:
            return plan.source_to_output(s.audio_end - 1)
    return None


def _stamp(t: float, sep: str) -> str:
    ms = int(round(t * 1000))
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}{sep}{ms:03d}"


def write_srt(cues: list[Cue], path: str | Path) -> None:
    blocks = [f"{k}\n{_stamp(c.start_s, ',')} --> {_stamp(c.end_s, ',')}\n{c.text}\n" for k, c in enumerate(cues, 1)]
    Path(path).write_text("\n".join(blocks), encoding="utf-8")


def write_vtt(cues: list[Cue], path: str | Path) -> None:
    blocks = [f"{_stamp(c.start_s, '.')} --> {_stamp(c.end_s, '.')}\n{c.text}\n" for c in cues]
    Path(path).write_text("WEBVTT\n\n" + "\n".join(blocks), encoding="utf-8")
