"""Written words as they are spoken: numbers, years, ordinals and symbols spelled out.

Whisper writes "1961", "P2", "20%"; a pronouncing dictionary (and, later, a
voice that builds the words) needs "nineteen sixty one", "p two", "twenty
percent". English rules; used by the aligner and by anything that has to say
a transcript's words.
"""

from __future__ import annotations

import re
import unicodedata

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                      "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
_SYMBOL_WORDS = {"%": "percent", "&": "and", "+": "plus", "=": "equals", "@": "at", "°": "degrees",
                 "$": "dollars", "€": "euros", "£": "pounds", "#": "number"}

_PIECE = re.compile(r"\d+(?:[.,]\d+)*(?:st|nd|rd|th|s)?|[a-z]+(?:'[a-z]+)*|[%&+=@°$€£#]")


def number_words(n: int) -> list[str]:
    """Cardinal number as words: 1961 -> one thousand nine hundred sixty one."""
    if n < 0:
        return ["minus", *number_words(-n)]
    if n < 20:
        return [_ONES[n]]
    if n < 100:
        tens, ones = divmod(n, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if n < 1000:
        hundreds, rest = divmod(n, 100)
        return [_ONES[hundreds], "hundred"] + (number_words(rest) if rest else [])
    for value, scale in _SCALES:
        if n >= value:
            high, rest = divmod(n, value)
            return number_words(high) + [scale] + (number_words(rest) if rest else [])
    raise AssertionError("unreachable")


def year_words(n: int) -> list[str]:
    """Years as spoken: 1961 -> nineteen sixty one; 2005 -> two thousand five; 1900 -> nineteen hundred."""
    high, low = divmod(n, 100)
    if 2000 <= n <= 2009:
        return number_words(n)
    if low == 0:
        return number_words(high) + ["hundred"]
    return number_words(high) + (["oh"] if low < 10 else []) + number_words(low)


def ordinal_words(n: int) -> list[str]:
    words = number_words(n)
    last = words[-1]
    if last in _ORDINAL_IRREGULAR:
        words[-1] = _ORDINAL_IRREGULAR[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


def _digits_words(piece: str) -> list[str]:
    suffix = re.search(r"(st|nd|rd|th|s)$", piece)
    digits = piece[: suffix.start()] if suffix else piece
    if suffix and suffix.group(1) != "s":
        return ordinal_words(int(digits.replace(",", "")))
    if "." in digits and "," not in digits:
        whole, _, frac = digits.partition(".")
        return number_words(int(whole)) + ["point"] + [_ONES[int(d)] for d in frac]
    plain = digits.replace(",", "").replace(".", "")
    value = int(plain)
    words = (year_words(value) if len(plain) == 4 and "," not in digits and 1100 <= value <= 2099
             and not 2000 <= value <= 2009 else number_words(value))
    if suffix:  # "1960s" -> nineteen sixties
        words[-1] = words[-1][:-1] + "ies" if words[-1].endswith("y") else words[-1] + "s"
    return words


def spoken_tokens(text: str) -> list[tuple[str, bool]]:
    """Whisper word text -> spoken lowercase tokens, each with "was written in capitals".

    ``"P2"`` -> p, two; ``"1,000"`` -> one thousand; ``"20%"`` -> twenty percent.
    """
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).replace("’", "'")
    folded = re.sub(r"([$€£])\s*(\d[\d,.]*)", r"\2 \1", folded)  # "$5" is said "five dollars"
    out: list[tuple[str, bool]] = []
    # split letters from digits ("P2", "mp3") before matching pieces
    spaced = re.sub(r"(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])(?!(?:st|nd|rd|th|s)\b)", " ", folded)
    for m in _PIECE.finditer(spaced.lower()):
        piece = m.group(0)
        original = spaced[m.start() : m.end()]
        if piece[0].isdigit():
            out.extend((w, False) for w in _digits_words(piece))
        elif piece in _SYMBOL_WORDS:
            out.append((_SYMBOL_WORDS[piece], False))
        else:
            out.append((piece, original.isupper() and len(original) > 1))
    return out
