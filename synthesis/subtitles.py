"""Subtitles of the edited lecture: the kept words, on the output timeline.

Cues follow common broadcast/MOOC practice: at most two lines of 42
characters, at most 7 seconds, a new cue after a sentence end or a
noticeable pause, and never shorter than ~0.8 s on screen when the next
cue leaves room.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from asr.transcript import Transcript

from .edl import Edl, WordState
from .plan import RenderPlan

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


def _wrap(words: list[str]) -> str:
    """One line if it fits, else two lines split where they are most balanced."""
    line = " ".join(words)
    if len(line) <= MAX_LINE_CHARS or len(words) < 2:
        return line
    best = min(range(1, len(words)),
               key=lambda k: abs(len(" ".join(words[:k])) - len(" ".join(words[k:]))))
    return " ".join(words[:best]) + "\n" + " ".join(words[best:])


def build_cues(transcript: Transcript, edl: Edl, plan: RenderPlan) -> list[Cue]:
    timed: list[tuple[float, float, str]] = []
    for i, w in enumerate(transcript.words):
        if edl.state(i) is WordState.DELETED:
            continue
        start = plan.source_to_output_s(w.start_s)
        end = plan.source_to_output_s(w.end_s)
        if start is None or end is None or end < start:
            continue  # lies in a removed stretch (can only happen at a cut's very edge)
        timed.append((start, end, w.text))

    cues: list[Cue] = []
    group: list[tuple[float, float, str]] = []

    def flush() -> None:
        if group:
            cues.append(Cue(group[0][0], group[-1][1], _wrap([t for _, _, t in group])))
            group.clear()

    for start, end, text in timed:
        if group:
            chars = len(" ".join(t for _, _, t in group)) + 1 + len(text)
            if (chars > MAX_LINE_CHARS * MAX_LINES or end - group[0][0] > MAX_CUE_S
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
