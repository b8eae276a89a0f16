"""The edit decision list: which source words are cut, which are retyped.

Immutable: every operation returns a new ``Edl``. Word indices are the stable
indices of the *source* transcript (``lecturecut words`` prints them); ranges
are half-open ``[start, end)``. Invariant: a word is never both deleted and
covered by a retype, and retypes never overlap.

How a deletion meets a retype (what a lecturer expects: a retype is the new
wording of a stretch of speech, and deleting some of its source words must not
silently throw the new wording away):

- the deletion covers the whole retype: the retype goes too (its words and
  the new wording are cut; an insertion strictly inside the deleted range goes
  with it);
- the deletion covers one end of the retype: the retype keeps its new text
  and shrinks to its remaining source words; the deleted words are cut;
- the deletion lies strictly inside the retype (would split it in two): the
  new text already replaces those words, so there is nothing to cut there and
  the edit is refused with a message saying so (restore or retype instead).

Words outside any retype are deleted as usual.

A *shortened pause* (``Pause``) keeps only ``keep_ms`` of the silence between two kept
words (the clean-up's long pauses): the render plan removes the middle of the pause at
quiet points, so the room tone stays and the join is the same click-free join as a cut's.
It belongs to the gap between source words ``before - 1`` and ``before``: an edit of either
word (a deletion, a retype, an insertion there, a restore) drops it, because that edit's
own join then decides how much of the pause is kept.
"""

from __future__ import annotations

import difflib
import math
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any, Iterable

from lecturecut.asr.transcript import Transcript, normalize_word

# The edited text may be at most this many times the transcript's length (plus a
# fixed allowance for short transcripts): rewriting a lecture does not make it 4x
# longer, and a 50 MB paste would be diffed word by word and stored in the project.
MAX_TEXT_FACTOR = 4
MAX_TEXT_SLACK_CHARS = 20_000


MAX_RETYPE_CHARS = 100_000  # one retype typed by hand (a whole rewritten paragraph fits many times)


def text_limit(transcript_chars: int) -> int:
    """The most characters edited or retyped text may have for a transcript of ``transcript_chars``."""
    return MAX_TEXT_FACTOR * transcript_chars + MAX_TEXT_SLACK_CHARS


class WordState(str, Enum):
    KEPT = "kept"
    DELETED = "deleted"
    REPLACED = "replaced"


class EditError(ValueError):
    """An edit that cannot apply (out-of-range indices, overlapping a retype, ...)."""


# The user's adjustments of a retype's new speech, bounded so that a tuned span still sounds like
# the lecturer (beyond these, retype other words or choose another occurrence).
MAX_TUNING_GAIN_DB = 6.0  # loudness of the new words, either way
MIN_TUNING_TEMPO, MAX_TUNING_TEMPO = 0.75, 1.33  # duration factor of the new words (1.33 = a third longer)
MAX_TUNING_SHIFT_MS = 300  # the new words start at most this much earlier or later inside their span
MAX_TUNING_CHOICES = 1_000  # unit indices of one retype (the voice says at most 60 words at once)


def _bounded(value: float, lo: float, hi: float, name: str) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise EditError(f"the voice's {name} must be a finite number, not {value}")
    return min(max(value, lo), hi)


@dataclass(frozen=True)
class VoiceTuning:
    """The user's adjustments to one retype's new speech (all default = as the engine chose).

    The constructor normalises and clamps (it never refuses a value in range or beyond it, so a
    slider can pass what it has): ``choices`` become sorted ``(unit, word)`` pairs, a unit
    given twice keeps its last word; ``gain_db`` is clamped to +-``MAX_TUNING_GAIN_DB`` and
    rounded to 0.01 dB, ``tempo`` to [``MIN_TUNING_TEMPO``, ``MAX_TUNING_TEMPO``] rounded to
    0.001, ``shift_ms`` to +-``MAX_TUNING_SHIFT_MS`` whole milliseconds (rounding keeps the
    cache key of "the same" setting the same). A non-finite number or a negative index is an
    :class:`EditError`.
    """

    choices: tuple[tuple[int, int], ...] = ()  # (unit index, source word index the chosen occurrence starts at)
    gain_db: float = 0.0  # loudness change of the new words (not the room tone around them)
    tempo: float = 1.0  # the new words' duration factor; 1.2 = 20 % longer (slower), pitch kept
    shift_ms: int = 0  # the new words start this much later (+) / earlier (-) inside their span

    def __post_init__(self) -> None:
        chosen: dict[int, int] = {}
        for pair in self.choices:
            unit, word = (int(v) for v in pair)
            if unit < 0 or word < 0:
                raise EditError(f"a voice choice names unit {unit} and word {word}; both must be 0 or more")
            chosen[unit] = word
        if len(chosen) > MAX_TUNING_CHOICES:
            raise EditError(f"{len(chosen)} voice choices for one retype; it has at most {MAX_TUNING_CHOICES} units")
        set_ = object.__setattr__  # frozen: normalised once, here
        set_(self, "choices", tuple(sorted(chosen.items())))
        set_(self, "gain_db", round(_bounded(self.gain_db, -MAX_TUNING_GAIN_DB, MAX_TUNING_GAIN_DB, "gain"), 2) + 0.0)
        set_(self, "tempo", round(_bounded(self.tempo, MIN_TUNING_TEMPO, MAX_TUNING_TEMPO, "tempo"), 3))
        shift = _bounded(self.shift_ms, -MAX_TUNING_SHIFT_MS, MAX_TUNING_SHIFT_MS, "shift")
        set_(self, "shift_ms", int(round(shift)))

    @property
    def is_default(self) -> bool:
        return self == DEFAULT_TUNING

    @property
    def overrides(self) -> dict[int, int]:
        """unit index -> source word index, as ``voice.synthesize(overrides=...)`` takes them."""
        return dict(self.choices)

    @property
    def reshapes(self) -> bool:
        """Whether the audio is changed after the occurrences are chosen (gain, tempo or shift)."""
        return self.gain_db != 0.0 or self.tempo != 1.0 or self.shift_ms != 0

    def with_choice(self, unit: int, word: int | None) -> "VoiceTuning":
        """The same tuning with unit ``unit`` said by the occurrence starting at ``word`` (None: the engine's)."""
        chosen = {u: w for u, w in self.choices if u != unit}
        if word is not None:
            chosen[unit] = word
        return replace(self, choices=tuple(chosen.items()))

    def to_json(self) -> dict[str, Any]:
        """Only the keys that differ from the default ({} for the default)."""
        out: dict[str, Any] = {}
        if self.choices:
            out["choices"] = [list(c) for c in self.choices]
        if self.gain_db != 0.0:
            out["gain_db"] = self.gain_db
        if self.tempo != 1.0:
            out["tempo"] = self.tempo
        if self.shift_ms != 0:
            out["shift_ms"] = self.shift_ms
        return out

    @staticmethod
    def from_json(data: dict[str, Any] | None) -> "VoiceTuning":
        if not data:
            return DEFAULT_TUNING
        return VoiceTuning(tuple(tuple(c) for c in data.get("choices", ())), float(data.get("gain_db", 0.0)),
                           float(data.get("tempo", 1.0)), int(data.get("shift_ms", 0)))

    def describe(self) -> str:
        """One line for a front end: "gain +3.0 dB, tempo 1.250, shift -40 ms, unit 0 = word 12"."""
        parts = []
        if self.gain_db:
            parts.append(f"gain {self.gain_db:+.1f} dB")
        if self.tempo != 1.0:
            parts.append(f"tempo {self.tempo:.3f}")
        if self.shift_ms:
            parts.append(f"shift {self.shift_ms:+d} ms")
        parts += [f"unit {u} = word {w}" for u, w in self.choices]
        return ", ".join(parts) or "as the engine chose"


DEFAULT_TUNING = VoiceTuning()

# A shortened pause keeps at least this much silence (less sounds like a cut-off breath) and at
# most this much (a "shortened" pause longer than that is not a shortening anyone asks for).
MIN_PAUSE_KEEP_MS = 100
MAX_PAUSE_KEEP_MS = 10_000


@dataclass(frozen=True)
class Pause:
    """The pause before source word ``before`` (after word ``before - 1``) keeps only ``keep_ms``."""

    before: int
    keep_ms: int

    def to_json(self) -> list[int]:
        return [self.before, self.keep_ms]


@dataclass(frozen=True)
class Replacement:
    """Source words ``[start, end)`` are to be spoken as ``text`` instead.

    ``start == end`` is an insertion before word ``start``. New speech for it
    is synthesized by the voice engine; until then it is *pending*. ``tuning``
    is the user's adjustment of that speech; it belongs to this text (its
    choices name units of it), so typing other text over the words drops it.
    """

    start: int
    end: int
    text: str
    tuning: VoiceTuning = DEFAULT_TUNING

    @property
    def is_insertion(self) -> bool:
        return self.start == self.end

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"start": self.start, "end": self.end, "text": self.text}
        if not self.tuning.is_default:
            out["tuning"] = self.tuning.to_json()
        return out

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Replacement":
        return Replacement(int(data["start"]), int(data["end"]), str(data["text"]),
                           VoiceTuning.from_json(data.get("tuning")))


def _conflict(r: Replacement, start: int, end: int) -> bool:
    """Whether a new retype of ``[start, end)`` collides with the existing retype ``r``."""
    if r.is_insertion and start == end:
        return r.start == start  # two insertions at one place
    if r.is_insertion:
        return start < r.start < end  # an insertion strictly inside the new range
    if start == end:
        return r.start < start < r.end  # the new insertion lands inside r
    return r.start < end and start < r.end


def _clip(text: str, n: int = 30) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _runs(indices: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted indices -> half-open runs: {1,2,3,7} -> [(1,4), (7,8)]."""
    out: list[tuple[int, int]] = []
    for i in sorted(indices):
        if out and out[-1][1] == i:
            out[-1] = (out[-1][0], i + 1)
        else:
            out.append((i, i + 1))
    return out


@dataclass(frozen=True)
class Edl:
    n_words: int  # length of the source transcript the indices refer to
    deleted: frozenset[int] = field(default_factory=frozenset)
    replacements: tuple[Replacement, ...] = ()  # sorted by (start, end), non-overlapping
    pauses: tuple[Pause, ...] = ()  # sorted by ``before``, one per gap, both neighbours kept

    # ---- queries -------------------------------------------------------
    def _check_range(self, start: int, end: int) -> None:
        if not (0 <= start <= end <= self.n_words):
            raise EditError(
                f"word range {start}:{end} is outside the transcript, which has words 0 to {self.n_words - 1} "
                f"(use 'lecturecut words PROJECT' to see the indices)"
            )

    def replacement_at(self, index: int) -> Replacement | None:
        for r in self.replacements:
            if r.start <= index < r.end:
                return r
        return None

    def state(self, index: int) -> WordState:
        if index in self.deleted:
            return WordState.DELETED
        if self.replacement_at(index) is not None:
            return WordState.REPLACED
        return WordState.KEPT

    def states(self) -> list[WordState]:
        return [self.state(i) for i in range(self.n_words)]

    def deleted_runs(self) -> list[tuple[int, int]]:
        return _runs(self.deleted)

    @property
    def is_empty(self) -> bool:
        return not self.deleted and not self.replacements and not self.pauses

    def pause_at(self, before: int) -> Pause | None:
        for p in self.pauses:
            if p.before == before:
                return p
        return None

    def _pauses_clear_of(self, start: int, end: int) -> tuple[Pause, ...]:
        """The shortened pauses that survive an edit of words ``[start, end)`` (an insertion when
        ``start == end``): those of the gaps that edit does not touch."""
        return tuple(p for p in self.pauses if not start <= p.before <= end)

    # ---- operations (each returns a new Edl) ---------------------------
    def delete(self, start: int, end: int) -> "Edl":
        self._check_range(start, end)
        if start == end:
            raise EditError(f"word range {start}:{end} is empty; nothing to delete")
        reps: list[Replacement] = []  # after this loop none of them overlaps [start, end)
        for r in self.replacements:
            if r.is_insertion:
                if not (start < r.start < end):  # an insertion inside the deleted stretch goes with it
                    reps.append(r)
            elif r.end <= start or end <= r.start:  # untouched
                reps.append(r)
            elif start <= r.start and r.end <= end:  # wholly deleted: the new wording goes too
                pass
            elif r.start < start and end < r.end:
                raise EditError(
                    f"words {start}:{end} lie inside the retyped words {r.start}:{r.end} (\"{_clip(r.text)}\"), "
                    "which already replace them; restore or retype those words instead"
                )
            elif r.start < start:  # the deletion covers the retype's end: keep its text on what is left
                reps.append(replace(r, end=start))  # its tuning too: the text, and so its units, are the same
            else:  # the deletion covers the retype's start
                reps.append(replace(r, start=end))
        return Edl(self.n_words, self.deleted | set(range(start, end)), tuple(reps), self._pauses_clear_of(start, end))

    def restore(self, start: int, end: int) -> "Edl":
        """Undo every edit touching ``[start, end)``: words come back as recorded."""
        self._check_range(start, end)
        lo, hi = start, max(end, start + 1)
        reps = tuple(r for r in self.replacements
                     if not ((r.start < hi and lo < r.end) or (r.is_insertion and lo <= r.start < hi)))
        return Edl(self.n_words, self.deleted - set(range(start, end)), reps, self._pauses_clear_of(start, end))

    def replace(self, start: int, end: int, text: str) -> "Edl":
        """Retype ``[start, end)`` as ``text`` (``start == end`` inserts before ``start``)."""
        self._check_range(start, end)
        if len(text) > MAX_RETYPE_CHARS:
            raise EditError(f"the new text has {len(text)} characters; a retype may have at most {MAX_RETYPE_CHARS}")
        text = " ".join(text.split())
        if not text:
            return self.delete(start, end) if end > start else self
        for r in self.replacements:
            if _conflict(r, start, end):
                raise EditError(
                    f"words {start}:{end} overlap the retyped words {r.start}:{r.end}; restore those first"
                )
        deleted = self.deleted - set(range(start, end))
        reps = tuple(sorted((*self.replacements, Replacement(start, end, text)), key=lambda r: (r.start, r.end)))
        return Edl(self.n_words, deleted, reps, self._pauses_clear_of(start, end))

    def with_tuning(self, start: int, end: int, tuning: VoiceTuning) -> "Edl":
        """The same edits with the voice of the retype of exactly ``[start, end)`` tuned as ``tuning``."""
        for k, r in enumerate(self.replacements):
            if (r.start, r.end) == (start, end):
                reps = (*self.replacements[:k], replace(r, tuning=tuning), *self.replacements[k + 1:])
                return Edl(self.n_words, self.deleted, reps, self.pauses)
        what = "insertion before word" if start == end else "retype of words"
        where = f"{start}" if start == end else f"{start}:{end}"
        raise EditError(f"there is no {what} {where} to tune; retype the words first "
                        "(lecturecut voices PROJECT lists the retypes)")

    def shorten_pause(self, before: int, keep_ms: int) -> "Edl":
        """Keep only ``keep_ms`` of the pause between words ``before - 1`` and ``before`` (both kept)."""
        if not 0 < before < self.n_words:
            raise EditError(f"there is no pause before word {before}: pauses lie between words 0 and "
                            f"{self.n_words - 1} (use 'lecturecut words PROJECT' to see the indices)")
        keep_ms = int(round(keep_ms))
        if not MIN_PAUSE_KEEP_MS <= keep_ms <= MAX_PAUSE_KEEP_MS:
            raise EditError(f"a shortened pause keeps {MIN_PAUSE_KEEP_MS} to {MAX_PAUSE_KEEP_MS} ms, not {keep_ms} ms")
        for k in (before - 1, before):
            if self.state(k) is not WordState.KEPT:
                raise EditError(f"word {k} is {self.state(k).value}, so its edit already decides the pause "
                                f"before word {before}; restore it first")
        if any(r.is_insertion and r.start == before for r in self.replacements):
            raise EditError(f"new words are inserted before word {before}; the pause is theirs")
        pauses = tuple(sorted((*(p for p in self.pauses if p.before != before), Pause(before, keep_ms)),
                              key=lambda p: p.before))
        return Edl(self.n_words, self.deleted, self.replacements, pauses)

    def restore_pause(self, before: int) -> "Edl":
        """The pause before word ``before`` as recorded (no-op when it was not shortened)."""
        return Edl(self.n_words, self.deleted, self.replacements, tuple(p for p in self.pauses if p.before != before))

    # ---- text view -----------------------------------------------------
    def edited_words(self, transcript: Transcript) -> list[tuple[str, int | None]]:
        """The edited text as (word, source index or None for new words), in order."""
        out: list[tuple[str, int | None]] = []
        reps_by_start: dict[int, list[Replacement]] = {}
        for r in self.replacements:
            reps_by_start.setdefault(r.start, []).append(r)
        i = 0
        while i <= self.n_words:
            covering = None
            for r in reps_by_start.get(i, []):
                out.extend((w, None) for w in r.text.split())
                if not r.is_insertion:
                    covering = r
            if i == self.n_words:
                break
            if covering is not None:
                i = covering.end
                continue
            if i not in self.deleted:
                out.append((transcript.words[i].text, i))
            i += 1
        return out

    def edited_text(self, transcript: Transcript) -> str:
        return " ".join(w for w, _ in self.edited_words(transcript))

    # ---- serialisation -------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        return {
            "n_words": self.n_words,
            "deleted": [list(r) for r in self.deleted_runs()],
            "replacements": [r.to_json() for r in self.replacements],
            **({"pauses": [p.to_json() for p in self.pauses]} if self.pauses else {}),
        }

    @staticmethod
    def from_json(data: dict[str, Any]) -> "Edl":
        deleted = frozenset(i for a, b in data.get("deleted", []) for i in range(int(a), int(b)))
        reps = tuple(Replacement.from_json(r) for r in data.get("replacements", []))
        pauses = tuple(sorted((Pause(int(b), int(ms)) for b, ms in data.get("pauses", [])), key=lambda p: p.before))
        return Edl(int(data["n_words"]), deleted, reps, pauses)


def edl_from_text(transcript: Transcript, text: str, previous: Edl | None = None) -> Edl:
    """The edit list that turns the source transcript into ``text`` (a word-level diff).

    The text is the whole truth: a source word missing from it is deleted,
    a source word present again is kept (restored), new or changed words
    become retypes. Words compare case- and punctuation-insensitively, so
    fixing a comma is not an edit. A retype of ``previous`` that comes out
    the same (same words, same text) keeps its voice tuning; one whose text
    changed starts afresh. A shortened pause of ``previous`` stays while both its
    words are still kept and nothing is inserted between them.
    """
    source_chars = sum(len(w.text) + 1 for w in transcript.words)
    if len(text) > text_limit(source_chars):
        raise EditError(
            f"the edited text has {len(text):,} characters, more than {MAX_TEXT_FACTOR} times the transcript's "
            f"{source_chars:,} (limit {text_limit(source_chars):,}); is it the right file?"
        )
    source = [w.norm for w in transcript.words]
    new_tokens = text.split()
    target = [normalize_word(t) for t in new_tokens]
    matcher = difflib.SequenceMatcher(a=source, b=target, autojunk=False)
    deleted: set[int] = set()
    reps: list[Replacement] = []
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            continue
        if op == "delete":
            deleted.update(range(i1, i2))
        else:  # replace / insert
            words = " ".join(new_tokens[j1:j2])
            if not normalize_word(words.replace(" ", "")):
                deleted.update(range(i1, i2))  # only punctuation typed over the words
            else:
                reps.append(Replacement(i1, i2, words))
    if previous is not None:
        tuned = {(r.start, r.end, r.text): r.tuning for r in previous.replacements if not r.tuning.is_default}
        reps = [replace(r, tuning=tuned.get((r.start, r.end, r.text), r.tuning)) for r in reps]
    out = Edl(len(source), frozenset(deleted), tuple(reps))
    if previous is not None and previous.pauses:
        out = Edl(out.n_words, out.deleted, out.replacements, standing_pauses(out, previous.pauses))
    return out


def standing_pauses(edl: Edl, pauses: Iterable[Pause]) -> tuple[Pause, ...]:
    """Those of ``pauses`` that still lie between two kept words of ``edl`` with nothing inserted there
    (the one rule for whether a shortened pause stands: the edit list, the history, the plan)."""
    inserted = {r.start for r in edl.replacements if r.is_insertion}
    return tuple(p for p in pauses if 0 < p.before < edl.n_words and p.before not in inserted
                 and edl.state(p.before - 1) is WordState.KEPT and edl.state(p.before) is WordState.KEPT)

