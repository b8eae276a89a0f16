"""The clean-up assistant: filler words, repeats, false starts and long pauses, found and removed.

Everything here reads the project's existing transcript (words, their refined
boundaries and phones) and never transcribes again: a 60-minute lecture is
cleaned in well under a second (``bench/clean_eval.py`` measures it).

``find(project, options)`` returns :class:`Finding` objects over the *source*
transcript; ``apply(edl, findings)`` turns them into ordinary edits of the edit
list (deleted words, shortened pauses) and says which it skipped and why. A
front end saves the result as one undoable step labelled ``result.label``.

How each kind is found, and why the rules are as strict as they are (a wrong
removal damages the lecture; a missed one costs the user one click):

* **Fillers**: a word that is nothing but a filler sound, in the transcript's
  language: English uh, um, erm, er, ah, hmm, mm (with Whisper's spellings:
  "Um,", "Uh...", "Hmm", "umm"); German äh, ähm, öh, öhm, ehm, hm. German
  "um" ("um zu", "um 10 Uhr") and "eh" ("das ist eh klar") are words, so
  they are fillers only when the transcript is English. Other languages get
  only "hm"/"hmm".
* **Repeats**: the same one to four words said twice in a row ("the the",
  "we can we can"); the first copy is deleted. Never across the end of a
  sentence (". ? !" after the first copy). A single repeated word is taken
  only if doubling it is never grammatical (articles, conjunctions,
  prepositions, subject pronouns, modals: "the the", "to to", "we we"), or,
  for other words, with evidence of a break between the copies: a pause of at
  least ``MIN_BREAK_S`` or a dash/ellipsis, and no comma. Words that double in
  grammatical speech are never taken, whatever the timing: "that that" ("I
  said that that was wrong"), "had had", "her her" ("gave her her book"),
  German "die die" ("die Frau, die die Kinder ..."), intensifiers ("very
  very") and numbers ("twenty twenty"): whether such a pair is a stutter
  depends on syntax this engine does not parse, and the user can delete it by
  hand.
* **False starts**: a phrase abandoned and restarted with the same first word
  after one to three words ("we can, we will see": delete "we can,").
  Whisper punctuates these as ordinary commas or full stops, so timing and
  punctuation alone cannot tell them from a list ("it is cheap, it is fast")
  or two sentences. Taken only when all hold: (1) a break where the restart
  begins, a pause of at least ``MIN_BREAK_S``, a dash/ellipsis or a filler;
  (2) the abandoned fragment ends on a word that leaves it unfinished (an
  article, conjunction, possessive, preposition, subject pronoun, modal or
  auxiliary: "we can", "in the"); (3) no full stop, question or exclamation
  mark inside or after it (Whisper's "we can. We will see" stays: "what I
  can. I ..." is two sentences, and timing cannot tell them apart); (4) the
  restart continues differently (an exact repeat is a repeat); (5) the first
  word does not start a third time (a list: "we came, we saw, we
  conquered"). English and German only. A two-part parallel whose first
  part ends on such a word ("I will, I must") still passes; that is the
  rule's known risk.
* **Long pauses**: the gap between two adjacent words' extents (refined
  boundaries widened by phones, as the render plan measures them) longer than
  the threshold; it is shortened to ``keep_s`` (an ``Edl`` pause), not removed.
  The silence before the first word and after the last is not a pause between
  words and is left alone.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from enum import Enum
from typing import Iterable, Sequence

from lecturecut.asr.transcript import SAMPLE_RATE, Word, normalize_word, to_seconds
from lecturecut.core import LecturecutError, ProgressFn, check_cancel

from .edl import MAX_PAUSE_KEEP_MS, MIN_PAUSE_KEEP_MS, EditError, Edl, WordState
from .plan import word_extent
from .project import Project

DEFAULT_PAUSE_S = 1.0  # pauses longer than this are shortened when no threshold is given
DEFAULT_KEEP_S = 0.5  # ...to this: a natural pause between two sentences
MIN_BREAK_S = 0.150  # a pause at least this long between two copies / before a restart is a break
MAX_REPEAT_WORDS = 4  # "we can we can" (2) ... a four-word phrase said twice
MAX_FRAGMENT_WORDS = 4  # a false start: the first word and at most three more, then the restart
_CHECK_EVERY = 2000  # words between cancel checks and progress reports

# ---------------------------------------------------------------- word lists
# Filler sounds as whole normalised tokens (normalize_word: case- and punctuation-free).
_FILLERS = {
    "en": re.compile(r"u+h+|u+h*m+|e+r+m+|er|a+h+|h+m+|m{2,}"),
    "de": re.compile(r"ä+h+m*|ö+h+m*|e+h+m+|e+h{2,}|h+m+"),
}
_NEUTRAL_FILLERS = re.compile(r"h+m+")
# Words whose doubling is never grammatical: a repeat of one of them is a stutter.
_NEVER_DOUBLE = {
    "en": {"the", "a", "an", "and", "or", "but", "of", "to", "in", "on", "at", "for", "with", "from", "by",
           "i", "we", "they", "he", "she", "my", "our", "their", "its", "your", "can", "will", "would",
           "could", "should", "must", "because", "if", "this", "these", "those", "so", "it's", "i'm",
           "we're", "they're", "there's", "what's"},
    "de": {"ein", "eine", "einen", "einem", "einer", "eines", "und", "oder", "aber", "ich", "wir", "du", "er",
           "mit", "von", "zu", "zum", "zur", "für", "auf", "bei", "aus", "nach", "im", "ins", "vom", "am",
           "mein", "meine", "unser", "unsere", "dein", "deine", "kann", "können", "muss", "müssen", "soll",
           "sollen", "werden", "wird", "weil", "wenn", "dass", "also"},
}
# Words that double in grammatical speech: never taken as a repeat, whatever the timing.
_MAY_DOUBLE = {
    "en": {"that", "had", "is", "do", "you", "her", "it", "very", "really", "so", "no", "yes", "yeah", "well",
           "now", "bye", "ha", "many", "much", "long", "far", "more", "again", "over", "round", "around",
           "by", "on", "in", "out", "up", "down", "off", "through"},
    "de": {"der", "die", "das", "den", "dem", "des", "sie", "es", "ihr", "ihm", "ihn", "ist", "war", "hat", "in",
           "sehr", "ja", "nein", "so", "nun", "immer", "mehr", "viel", "viele", "wieder", "gut", "na"},
}
# A fragment ending on one of these is unfinished: it can never end a sentence ...
_NEVER_FINAL = {
    "en": {"the", "a", "an", "and", "or", "but", "my", "our", "their", "your", "because", "if", "of"},
    "de": {"ein", "eine", "einen", "einem", "einer", "eines", "und", "oder", "weil", "dass", "wenn", "mein",
           "meine", "unser", "unsere", "dein", "deine", "dieser", "diese", "dieses", "diesen", "zum", "zur"},
}
# ... or rarely does (only with a comma, a dash, an ellipsis or no punctuation; not before a full stop).
_WEAK_FINAL = {
    "en": {"can", "will", "would", "could", "should", "must", "might", "may", "shall", "to", "in", "on", "at",
           "for", "with", "from", "by", "about", "into", "i", "we", "they", "he", "she", "it's", "there's",
           "have", "has", "this", "that", "these", "those", "so", "not", "just", "very"},
    "de": {"kann", "können", "muss", "müssen", "soll", "sollen", "wird", "werden", "will", "wollen", "ich", "wir",
           "er", "mit", "von", "zu", "für", "auf", "bei", "aus", "nach", "im", "in", "an", "am", "der", "die",
           "das", "den", "dem", "des", "ist", "sind", "hat", "haben", "nicht", "sehr", "also"},
}
_NUMBER_WORDS = {
    "zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve",
    "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety", "hundred", "thousand",
    "null", "eins", "zwei", "drei", "vier", "fünf", "sechs", "sieben", "acht", "neun", "zehn", "elf", "zwölf",
    "zwanzig", "dreißig", "hundert", "tausend",
}
_DASH_OR_ELLIPSIS = re.compile(r"(-|–|—|\.\.\.|…)[\"')\]]*$")
_CLAUSE_MARK = re.compile(r"[,;:][\"')\]]*$")


def _ends_sentence(text: str) -> bool:
    """ "end." "why?" "so!" end a sentence; "can..." and "can…" (trailing off) do not."""
    text = text.rstrip("\"')]")
    return text.endswith((".", "?", "!")) and not text.endswith(("...", "…"))


class CleanError(LecturecutError, ValueError):
    """Clean-up options that cannot work (the message says which and what to give instead)."""


class Kind(str, Enum):
    FILLER = "filler"
    REPEAT = "repeat"
    FALSE_START = "false start"
    PAUSE = "pause"

    @property
    def plural(self) -> str:
        return {"filler": "fillers", "repeat": "repeats", "false start": "false starts", "pause": "pauses"}[self.value]


@dataclass(frozen=True)
class Finding:
    """One thing the clean-up would change.

    Words ``[start, end)`` (source indices) are to be deleted; for a pause,
    ``start == end == before`` (the pause between words ``before - 1`` and
    ``before``) is to keep ``keep_ms`` of its ``end_s - start_s`` seconds.
    """

    kind: Kind
    start: int
    end: int
    start_s: float  # where the removed words (or the pause) begin, seconds in the source
    end_s: float
    text: str  # the removed words as transcribed ("um,", "we can,"); "" for a pause
    why: str = ""  # the evidence ("pause 0.47 s before the restart")
    keep_ms: int = 0  # pauses only

    @property
    def duration_s(self) -> float:
        return self.end_s - self.start_s

    @property
    def saved_s(self) -> float:
        """How much shorter the lecture gets at least: a pause's lost length, or the removed words' own
        length (the cut's join usually takes some of the pauses around them as well)."""
        return max(self.duration_s - self.keep_ms / 1000, 0.0) if self.kind is Kind.PAUSE else self.duration_s

    @property
    def action(self) -> str:
        if self.kind is Kind.PAUSE:
            return f"shorten {self.duration_s:.2f} s to {self.keep_ms / 1000:.2f} s"
        return f"delete word{'s' * (self.end - self.start != 1)} {self.start}:{self.end}"

    @property
    def shown(self) -> str:
        """What was found, for a list: the words in quotes, or the pause's length."""
        return f"{self.duration_s:.2f} s" if self.kind is Kind.PAUSE else f'"{self.text}"'


@dataclass(frozen=True)
class CleanOptions:
    """Which kinds to look for. The constructor checks the pause settings (``CleanError``)."""

    fillers: bool = True
    repeats: bool = True  # repeats and false starts
    pauses: bool = True
    pause_longer_than_s: float = DEFAULT_PAUSE_S
    keep_s: float = DEFAULT_KEEP_S

    def __post_init__(self) -> None:
        if self.pauses:
            _check_pause_settings(self.pause_longer_than_s, self.keep_s)


def _check_pause_settings(longer_than_s: float, keep_s: float) -> None:
    lo, hi = MIN_PAUSE_KEEP_MS / 1000, MAX_PAUSE_KEEP_MS / 1000
    if not (math.isfinite(longer_than_s) and longer_than_s > 0):
        raise CleanError(f"the pause threshold must be a positive number of seconds, not {longer_than_s}")
    if not (math.isfinite(keep_s) and lo <= keep_s <= hi):
        raise CleanError(f"a shortened pause keeps {lo:g} to {hi:g} s, not {keep_s} s; choose a --keep in that range")
    if keep_s >= longer_than_s:
        raise CleanError(f"pauses longer than {longer_than_s:g} s cannot be shortened to {keep_s:g} s; "
                         "give a --keep shorter than the --pauses threshold")


# ---------------------------------------------------------------- finding
def _language(project: Project) -> str:
    return (project.transcript.language or "").split("-")[0].lower()


def _extent_s(words: Sequence[Word], start: int, end: int) -> tuple[float, float]:
    return to_seconds(word_extent(words[start])[0]), to_seconds(word_extent(words[end - 1])[1])


def _gap(words: Sequence[Word], before: int) -> int:
    """Samples of silence between the extents of words ``before - 1`` and ``before`` (0 if they touch)."""
    return max(word_extent(words[before])[0] - word_extent(words[before - 1])[1], 0)


def _text(words: Sequence[Word], start: int, end: int) -> str:
    return " ".join(w.text for w in words[start:end])


def _progress(progress: ProgressFn | None, cancel, i: int, n: int, what: str) -> None:
    if i % _CHECK_EVERY == 0:
        check_cancel(cancel)
        if progress is not None:
            progress(i / max(n, 1), what)


def is_filler(text: str, language: str) -> bool:
    """Whether a transcribed token is only a filler sound in ``language`` ("Um," in English; never German "um")."""
    pattern = _FILLERS.get(language.split("-")[0].lower(), _NEUTRAL_FILLERS)
    return pattern.fullmatch(normalize_word(text)) is not None


def filler_search_note(project: Project) -> str:
    """One line where the transcript's fillers were not listened for ("" where they were)."""
    search = project.transcript.meta.get("fillers")
    if search is None:
        return ("this transcript was made before lecturecut listened for the fillers Whisper leaves out: "
                "only those Whisper wrote are found (transcribe the video again to find the rest)")
    if not search.get("searched", False):
        return f"only fillers Whisper wrote are found: {search.get('why', 'the audio was not searched')}"
    return ""


def find_fillers(project: Project, progress: ProgressFn | None = None, cancel=None) -> tuple[Finding, ...]:
    """Every word of the transcript that is a filler sound in its language (see the module's notes)."""
    words = project.transcript.words
    language = _language(project)
    out = []
    for i, w in enumerate(words):
        _progress(progress, cancel, i, len(words), "Looking for filler words")
        if w.filler or is_filler(w.text, language):
            why = "a filler sound Whisper left out, heard in the audio" if w.filler else "a filler sound"
            out.append(Finding(Kind.FILLER, i, i + 1, *_extent_s(words, i, i + 1), w.text, why))
    return tuple(out)


def _number(norm: str) -> bool:
    return norm.isdigit() or norm in _NUMBER_WORDS or any(c.isdigit() for c in norm)


def _break_before(words: Sequence[Word], j: int, language: str) -> str:
    """The evidence of a break just before word ``j`` ("" if none): a pause, a dash/ellipsis, a filler."""
    prev = words[j - 1]
    if is_filler(prev.text, language):
        return f'the filler "{prev.text}"'
    if _DASH_OR_ELLIPSIS.search(prev.text):
        return f'"{prev.text}" trails off'
    pause = _gap(words, j)
    if pause >= MIN_BREAK_S * SAMPLE_RATE:
        return f"a pause of {to_seconds(pause):.2f} s"
    return ""


def _repeat_at(words: Sequence[Word], norms: Sequence[str], i: int, language: str) -> Finding | None:
    """The first copy of words repeated at ``i`` (shortest phrase first), or None."""
    n = len(words)
    for k in range(1, MAX_REPEAT_WORDS + 1):
        if i + 2 * k > n:
            return None
        first, second = norms[i:i + k], norms[i + k:i + 2 * k]
        if first != second or not all(first):
            continue
        if any(is_filler(words[m].text, language) or _number(norms[m]) for m in range(i, i + k)):
            return None
        last = words[i + k - 1].text
        if _ends_sentence(last):  # "... on time. Time is ..." is two sentences
            return None
        why = "said twice"
        if k == 1:
            word = first[0]
            if word in _MAY_DOUBLE.get(language, ()):  # "that that", "die die": grammar may want both
                return None
            if word not in _NEVER_DOUBLE.get(language, ()):
                if _CLAUSE_MARK.search(last):  # "it is, is that ..." is grammar, not a stutter
                    return None
                why = _break_before(words, i + 1, language)
                if not why:
                    return None
                why = f"said twice, {why} between"
        return Finding(Kind.REPEAT, i, i + k, *_extent_s(words, i, i + k), _text(words, i, i + k), why)
    return None


def _false_start_at(words: Sequence[Word], norms: Sequence[str], i: int, language: str) -> Finding | None:
    """A fragment ``[i, j)`` abandoned and restarted at ``j`` with the same first word, or None."""
    never_final, weak_final = _NEVER_FINAL.get(language), _WEAK_FINAL.get(language)
    if never_final is None or weak_final is None or not norms[i] or is_filler(words[i].text, language):
        return None
    n = len(words)
    for j in range(i + 2, min(i + MAX_FRAGMENT_WORDS, n - 2) + 1):
        if norms[j] != norms[i]:
            continue
        fragment = [m for m in range(i, j) if not is_filler(words[m].text, language)]
        if any(_ends_sentence(words[m].text) for m in fragment):
            return None
        if len(fragment) == 1:  # "the, um, the": a repeat with fillers between the copies
            if norms[i] in _MAY_DOUBLE.get(language, ()) or _number(norms[i]):
                return None
            return Finding(Kind.REPEAT, i, j, *_extent_s(words, i, j), _text(words, i, j),
                           "said twice with a filler between")
        if norms[j + 1] == norms[fragment[1]]:  # "we can we can": the repeat rule decides
            return None
        reach = j - i + 1  # "we came, we saw, we conquered": the first word starts a third time, a list
        if norms[i] in norms[j + 1:j + 1 + reach] or norms[i] in norms[max(i - reach, 0):i]:
            return None
        last = words[fragment[-1]]
        if norms[fragment[-1]] not in never_final and norms[fragment[-1]] not in weak_final:
            return None  # the fragment may be a finished clause ("it is cheap, it is fast")
        why = _break_before(words, j, language)
        if not why:
            return None
        return Finding(Kind.FALSE_START, i, j, *_extent_s(words, i, j), _text(words, i, j),
                       f'restarts at "{words[j].text}" after {why}; "{last.text}" leaves it unfinished')
    return None


def find_repeats(project: Project, progress: ProgressFn | None = None, cancel=None) -> tuple[Finding, ...]:
    """Repeated words and phrases, and false starts (see the module's notes for the evidence rules)."""
    words = project.transcript.words
    language = _language(project)
    norms = [w.norm for w in words]
    out: list[Finding] = []
    i = 0
    while i < len(words):
        _progress(progress, cancel, i, len(words), "Looking for repeats and false starts")
        found = _repeat_at(words, norms, i, language) or _false_start_at(words, norms, i, language)
        if found is not None:
            out.append(found)
            i = found.end  # the second copy (or the restart) may itself be repeated
        else:
            i += 1
    return tuple(out)


def find_pauses(project: Project, longer_than_s: float = DEFAULT_PAUSE_S, keep_s: float = DEFAULT_KEEP_S,
                progress: ProgressFn | None = None, cancel=None) -> tuple[Finding, ...]:
    """Gaps between two adjacent words' extents longer than ``longer_than_s``, each to keep ``keep_s``."""
    _check_pause_settings(longer_than_s, keep_s)
    words = project.transcript.words
    threshold = longer_than_s * SAMPLE_RATE
    keep_ms = int(round(keep_s * 1000))
    out = []
    for i in range(1, len(words)):
        _progress(progress, cancel, i, len(words), "Looking for long pauses")
        if _gap(words, i) > threshold:
            a, b = word_extent(words[i - 1])[1], word_extent(words[i])[0]
            out.append(Finding(Kind.PAUSE, i, i, to_seconds(a), to_seconds(b), "",
                               f'between "{words[i - 1].text}" and "{words[i].text}"', keep_ms))
    return tuple(out)


def find(project: Project, options: CleanOptions = CleanOptions(), progress: ProgressFn | None = None,
         cancel=None) -> tuple[Finding, ...]:
    """Every finding of the kinds ``options`` asks for, in the order they occur."""
    out: list[Finding] = []
    if options.fillers:
        out += find_fillers(project, progress, cancel)
    if options.repeats:
        out += find_repeats(project, progress, cancel)
    if options.pauses:
        out += find_pauses(project, options.pause_longer_than_s, options.keep_s, progress, cancel)
    if progress is not None:
        progress(1.0, "Looked for things to clean up")
    return tuple(sorted(out, key=lambda f: (f.start_s, f.kind is Kind.PAUSE, f.start)))


# ---------------------------------------------------------------- applying
@dataclass(frozen=True)
class CleanResult:
    edl: Edl
    applied: tuple[Finding, ...] = ()
    skipped: tuple[tuple[Finding, str], ...] = ()  # (finding, why it was left alone)

    def count(self, kind: Kind) -> int:
        return sum(f.kind is kind for f in self.applied)

    @property
    def counts(self) -> str:
        """What was applied, per kind: "3 fillers, 2 pauses" ("nothing" for nothing)."""
        parts = [f"{n} {kind.value if n == 1 else kind.plural}" for kind in Kind if (n := self.count(kind))]
        return ", ".join(parts) or "nothing"

    @property
    def label(self) -> str:
        """The history step's label: "Clean up: 3 fillers, 2 pauses"."""
        return f"Clean up: {self.counts}"

    @property
    def saved_s(self) -> float:
        """At least how many seconds shorter the lecture gets (overlapping findings counted once)."""
        deleted: set[int] = set()
        seconds = 0.0
        for f in self.applied:
            if f.kind is Kind.PAUSE:
                seconds += f.saved_s
            elif not deleted.intersection(range(f.start, f.end)):
                seconds += f.saved_s
                deleted.update(range(f.start, f.end))
        return seconds


def _why_not_delete(edl: Edl, f: Finding) -> str:
    for k in range(f.start, f.end):
        state = edl.state(k)
        if state is not WordState.KEPT:
            return f"word {k} is already {state.value}"
    for r in edl.replacements:
        if r.is_insertion and f.start < r.start < f.end:
            return f"new words are inserted before word {r.start}"
    return ""


def apply(edl: Edl, findings: Iterable[Finding]) -> CleanResult:
    """The edit list with ``findings`` applied: words deleted, pauses shortened.

    Findings whose words the edit list already changed (deleted, retyped, new
    words inserted, a pause already shortened) are skipped and said so, as are
    pauses next to a word this clean-up deletes (the cut's join then decides
    how much of that pause stays, at most ``plan.MAX_KEPT_PAUSE_S`` each side).
    Overlapping findings ("um" inside a false start) delete their words once.
    """
    findings = list(findings)
    original = edl
    applied: list[Finding] = []
    skipped: list[tuple[Finding, str]] = []
    for f in (f for f in findings if f.kind is not Kind.PAUSE):
        if not 0 <= f.start < f.end <= edl.n_words:
            skipped.append((f, f"words {f.start}:{f.end} are not in this transcript"))
            continue
        reason = _why_not_delete(original, f)
        if reason:
            skipped.append((f, reason))
            continue
        edl = edl.delete(f.start, f.end)
        applied.append(f)
    removed_here = edl.deleted - original.deleted
    for f in (f for f in findings if f.kind is Kind.PAUSE):
        if not 0 < f.start < edl.n_words:
            skipped.append((f, f"there is no pause before word {f.start} in this transcript"))
            continue
        near = [k for k in (f.start - 1, f.start) if k in removed_here]
        if near:
            skipped.append((f, f"word {near[0]} is removed by this clean-up; the cut's join shortens this pause"))
            continue
        existing = original.pause_at(f.start)
        if existing is not None:
            skipped.append((f, f"already shortened to {existing.keep_ms / 1000:.2f} s"))
            continue
        try:
            edl = edl.shorten_pause(f.start, f.keep_ms)
        except EditError as exc:
            skipped.append((f, str(exc)))
            continue
        applied.append(f)
    order = {id(f): k for k, f in enumerate(findings)}
    return CleanResult(edl, tuple(sorted(applied, key=lambda f: order[id(f)])),
                       tuple(sorted(skipped, key=lambda s: order[id(s[0])])))
