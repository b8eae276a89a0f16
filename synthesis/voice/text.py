"""Typed text -> the spoken words the voice must say, one normalised token each.

The corpus indexes the lecture's words and the selector matches the new text
by the same function, so "2024" typed in a retype finds "twenty twenty four"
spoken anywhere in the lecture, and "Dr." finds "doctor". English numbers and
symbols follow :mod:`lecturecut.asr.spoken`; other languages keep their words
as written, lowercased (German "Über" stays "über": spelling rules for its
numbers are a later slice, so "2024" only matches a recorded "2024").
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
    norm = normalize_word(text)
    return (norm,) if norm else ()


def typed_words(text: str, language: str) -> tuple[TypedWord, ...]:
    """The new text's words with their tokens; words with no spoken token (punctuation) are dropped."""
    out = []
    for raw in text.split():
        tokens = word_tokens(raw, language)
        if tokens:
            out.append(TypedWord(raw, tokens, bool(_PAUSE_PUNCT.search(raw))))
        elif out and _PAUSE_PUNCT.search(raw):  # a lone "—" or "..." still asks for a pause
            out[-1] = TypedWord(out[-1].text, out[-1].tokens, True)
    return tuple(out)
