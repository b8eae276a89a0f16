"""Typed text -> the spoken words the voice must say, one normalised token each.

The corpus indexes the lecture's words and the selector matches the new text
by the same function, so "2024" typed in a retype finds "twenty twenty four"
spoken anywhere in the lecture, and "Dr." finds "doctor". English numbers and
symbols follow :mod:`lecturecut.asr.spoken`. German numbers are spelled out
as spoken ("2024" -> zweitausendvierundzwanzig, a year 1100-1999 as
"neunzehnhundert…", "3,5" -> drei komma fünf, "3." -> dritte) and its common
abbreviations read as words ("z. B." typed as "z.B." -> zum beispiel, "Dr." ->
doktor); words of other languages are kept as written, lowercased.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lecturecut.asr.spoken import spoken_tokens
from lecturecut.asr.transcript import normalize_word

# Abbreviations read as their words (English). Matched with the dot only: "St" without one may be a name.
ABBREVIATIONS = {
    "dr.": "doctor", "mr.": "mister", "mrs.": "missus", "ms.": "miss", "prof.": "professor",
    "st.": "saint", "etc.": "et cetera", "vs.": "versus", "approx.": "approximately", "no.": "number",
    "e.g.": "for example", "i.e.": "that is", "fig.": "figure", "eq.": "equation",
}
ABBREVIATIONS_DE = {
    "dr.": "doktor", "prof.": "professor", "z.b.": "zum beispiel", "d.h.": "das heißt", "bzw.": "beziehungsweise",
    "usw.": "und so weiter", "ca.": "circa", "nr.": "nummer", "abb.": "abbildung", "vgl.": "vergleiche",
    "u.a.": "unter anderem", "s.": "siehe", "evtl.": "eventuell", "ggf.": "gegebenenfalls", "bzgl.": "bezüglich",
}
_SYMBOL_WORDS_DE = {"%": "prozent", "&": "und", "+": "plus", "=": "gleich", "€": "euro", "$": "dollar", "°": "grad"}
_NUMBER_DE = re.compile(r"^(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?(\.)?$")  # 1.000.000 / 2024 / 3,5 / 3.
_PAUSE_PUNCT = re.compile(r"[,;:.!?…—–]+[\"')\]]*$")  # a typed word ending so is followed by a pause


@dataclass(frozen=True)
class TypedWord:
    """One whitespace-separated word of the new text and the spoken tokens it stands for."""

    text: str  # as typed ("2024,")
    tokens: tuple[str, ...]  # ("twenty", "twenty", "four")
    pause_after: bool  # typed with , . ; : ! ? after it


def word_tokens(text: str, language: str) -> tuple[str, ...]:
    """The spoken tokens of one written word (a transcript word or a typed one)."""
    if language in ("en", ""):
        low = text.casefold().strip("\"'()[]")
        if low in ABBREVIATIONS:
            return tuple(ABBREVIATIONS[low].split())
        return tuple(t for t, _ in spoken_tokens(text))
    if language == "de":
        return _german_tokens(text)
    norm = normalize_word(text)
    return (norm,) if norm else ()


def _german_tokens(text: str) -> tuple[str, ...]:
    """A German written word as spoken: numbers via num2words (a gruut dependency), abbreviations, symbols."""
    low = text.casefold().strip("\"'()[]„“‚‘«»")
    if low in ABBREVIATIONS_DE:
        return tuple(ABBREVIATIONS_DE[low].split())
    core = low.rstrip(",;:!?…")
    unit = ""
    if core[-1:] in _SYMBOL_WORDS_DE and core[:-1]:
        core, unit = core[:-1], _SYMBOL_WORDS_DE[core[-1]]
    m = _NUMBER_DE.match(core)
    if m is None:
        if core in _SYMBOL_WORDS_DE:
            return (_SYMBOL_WORDS_DE[core],)
        norm = normalize_word(text)
        return (norm,) if norm else ()
    from num2words import num2words

    whole = int(m.group(1).replace(".", ""))
    if m.group(3) and not m.group(2):  # "3." is an ordinal: dritte
        words = [num2words(whole, lang="de", to="ordinal")]
    elif m.group(2):
        words = [num2words(whole, lang="de"), "komma", *(num2words(int(d), lang="de") for d in m.group(2))]
    else:
        words = [num2words(whole, lang="de", to="year" if "." not in m.group(1) and 1100 <= whole < 2000
                           else "cardinal")]
    return tuple(t.casefold() for w in [*words, unit] for t in w.split())


def typed_words(text: str, language: str) -> tuple[TypedWord, ...]:
    """The new text's words with their tokens; words with no spoken token (punctuation) are dropped."""
    out = []
    for raw in text.split():
        tokens = word_tokens(raw, language)
        if tokens:
            known = ABBREVIATIONS_DE if language == "de" else ABBREVIATIONS
            abbreviation = raw.casefold().strip("\"'()[]„“") in known  # "Dr." is no full stop
            out.append(TypedWord(raw, tokens, bool(_PAUSE_PUNCT.search(raw)) and not abbreviation))
        elif out and _PAUSE_PUNCT.search(raw):  # a lone "—" or "..." still asks for a pause
            out[-1] = TypedWord(out[-1].text, out[-1].tokens, True)
    return tuple(out)
