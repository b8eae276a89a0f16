"""Rough letter-to-sound rules: an ARPAbet guess for a word the pronouncing dictionary lacks.

A rough pronunciation is enough for forced alignment: the aligner needs the
word's duration model, not its exact sounds. English rules by default, German
ones for ``language="de"`` (German spelling is regular enough for rules).
"""

from __future__ import annotations

import re

# Rough letter-to-sound rules for words CMUdict lacks (digraphs first).
_G2P_GROUPS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tch", ("CH",)), ("sch", ("SH",)), ("igh", ("AY",)),
    ("ch", ("CH",)), ("sh", ("SH",)), ("er", ("ER",)), ("th", ("TH",)), ("ph", ("F",)), ("ng", ("NG",)),
    ("ck", ("K",)), ("qu", ("K", "W")), ("wh", ("W",)), ("kn", ("N",)), ("wr", ("R",)),
    ("gh", ()), ("ee", ("IY",)), ("ea", ("IY",)), ("oo", ("UW",)), ("ou", ("AW",)),
    ("ow", ("OW",)), ("ai", ("EY",)), ("ay", ("EY",)), ("oi", ("OY",)), ("oy", ("OY",)),
    ("au", ("AO",)), ("aw", ("AO",)), ("ie", ("IY",)), ("ei", ("EY",)), ("tz", ("T", "S")),
    ("a", ("AE",)), ("b", ("B",)), ("c", ("K",)), ("d", ("D",)), ("e", ("EH",)), ("f", ("F",)),
    ("g", ("G",)), ("h", ("HH",)), ("i", ("IH",)), ("j", ("JH",)), ("k", ("K",)), ("l", ("L",)),
    ("m", ("M",)), ("n", ("N",)), ("o", ("AA",)), ("p", ("P",)), ("q", ("K",)), ("r", ("R",)),
    ("s", ("S",)), ("t", ("T",)), ("u", ("AH",)), ("v", ("V",)), ("w", ("W",)), ("x", ("K", "S")),
    ("y", ("IY",)), ("z", ("Z",)),
)

# German spelling is regular enough for rules; umlauts and ß are rewritten first
# (ä -> ae, ...), so the groups below see plain letters. Phones are the nearest
# English ones: the aligner needs durations, not a German acoustic model.
GERMAN_REWRITE = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
_G2P_GERMAN: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("tsch", ("CH",)), ("sch", ("SH",)), ("chs", ("K", "S")), ("ch", ("HH",)), ("ck", ("K",)),
    ("ph", ("F",)), ("qu", ("K", "V")), ("th", ("T",)), ("pf", ("P", "F")), ("tz", ("T", "S")),
    ("ng", ("NG",)), ("nk", ("NG", "K")), ("eu", ("OY",)), ("aeu", ("OY",)), ("ei", ("AY",)),
    ("ai", ("AY",)), ("au", ("AW",)), ("ie", ("IY",)), ("ae", ("EH",)), ("oe", ("ER",)), ("ue", ("UW",)),
    ("aa", ("AA",)), ("ah", ("AA",)), ("ee", ("EY",)), ("eh", ("EY",)), ("oo", ("OW",)), ("oh", ("OW",)),
    ("uh", ("UW",)), ("ih", ("IY",)), ("er", ("ER",)),
    ("a", ("AA",)), ("b", ("B",)), ("c", ("K",)), ("d", ("D",)), ("e", ("EH",)), ("f", ("F",)),
    ("g", ("G",)), ("h", ("HH",)), ("i", ("IH",)), ("j", ("Y",)), ("k", ("K",)), ("l", ("L",)),
    ("m", ("M",)), ("n", ("N",)), ("o", ("AO",)), ("p", ("P",)), ("r", ("R",)), ("s", ("S",)),
    ("t", ("T",)), ("u", ("UH",)), ("v", ("F",)), ("w", ("V",)), ("x", ("K", "S")), ("y", ("UW",)),
    ("z", ("T", "S")),
)
_G2P_RULES = {"de": _G2P_GERMAN}

def rough_pronunciation(word: str, language: str = "en") -> list[str]:
    """Letter-to-sound guess (ARPAbet) for a word the dictionary lacks: enough to model its duration.

    English rules by default; German ones for ``language="de"``.
    """
    letters = word.lower()
    if language == "de":
        for umlaut, plain in GERMAN_REWRITE:
            letters = letters.replace(umlaut, plain)
    letters = re.sub(r"[^a-z]", "", letters)
    groups = _G2P_RULES.get(language, _G2P_GROUPS)
    if language == "en" and len(letters) > 3 and letters.endswith("e") and letters[-2] not in "aeiou":
        letters = letters[:-1]  # silent final e
    phones: list[str] = []
    if language == "de" and letters[:2] in ("sp", "st"):
        phones.append("SH")  # "Sprache", "Stadt"
        letters = letters[1:]
    i = 0
    while i < len(letters):
        for group, sounds in groups:
            if letters.startswith(group, i):
                for s in sounds:
                    if not phones or phones[-1] != s:  # doubled letters are one sound
                        phones.append(s)
                i += len(group)
                break
        else:
            i += 1
    if language == "de" and letters.endswith("e") and phones and phones[-1] == "EH":
        phones[-1] = "AH"  # final e is a schwa ("Sprache")
    return phones or ["AH"]
