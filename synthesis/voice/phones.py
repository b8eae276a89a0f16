"""How a word is pronounced, in the phone set the lecture's own phones are labelled in.

Unit-built words are made of the phones pocketsphinx found in the recording
(``Word.phones``): ARPAbet without stress digits, plus ``SIL``. A word to build
is therefore pronounced in the same set, from the best source at hand:

1. English: CMUdict, the dictionary pocketsphinx itself aligned with (bundled
   in its model folder), so a built word asks for exactly the phones an aligned
   occurrence of it would have had.
2. A word CMUdict lacks, and every German word: gruut (offline lexicon plus a
   trained grapheme-to-phoneme model), its IPA mapped to the nearest ARPAbet.
3. Without gruut or its language data: ``asr.pronounce`` spelling rules.

Numbers, years and symbols are spelled out first (``asr.spoken``): "1455" is
said "fourteen fifty five".
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path

from lecturecut.asr.pronounce import GERMAN_REWRITE, rough_pronunciation
from lecturecut.asr.spoken import spoken_tokens

SILENCE = "SIL"
# pocketsphinx's en-us acoustic model phone set (its ``mdef``), stress removed
PHONES = frozenset(
    "AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW V W Y Z ZH".split()
)
GRUUT_LANGS = {"en": "en-us", "de": "de-de"}

# gruut's IPA phonemes -> ARPAbet. German sounds English lacks go to the nearest
# English phone (the lecturer's English-aligned inventory is all there is to build
# from): front rounded vowels to their unrounded or back neighbours, the ich/ach
# fricatives to HH/SH, the uvular r to R.
_IPA_TO_ARPABET: dict[str, tuple[str, ...]] = {
    # vowels and diphthongs
    "ɑ": ("AA",), "ɑː": ("AA",), "a": ("AA",), "aː": ("AA",), "ɒ": ("AA",), "æ": ("AE",),
    "ʌ": ("AH",), "ə": ("AH",), "ɐ": ("AH",), "ɜ": ("ER",), "ɜː": ("ER",), "ɚ": ("ER",), "ɝ": ("ER",),
    "ɔ": ("AO",), "ɔː": ("AO",), "aʊ": ("AW",), "aɪ": ("AY",), "ɔɪ": ("OY",), "ɔʏ": ("OY",),
    "ɛ": ("EH",), "ɛː": ("EH",), "e": ("EY",), "eː": ("EY",), "eɪ": ("EY",),
    "ɪ": ("IH",), "i": ("IY",), "iː": ("IY",), "ʊ": ("UH",), "u": ("UW",), "uː": ("UW",),
    "o": ("OW",), "oː": ("OW",), "oʊ": ("OW",), "əʊ": ("OW",),
    "y": ("IY",), "yː": ("UW",), "ʏ": ("UH",), "ø": ("ER",), "øː": ("ER",), "œ": ("ER",),
    "ɪɹ": ("IH", "R"), "ɛɹ": ("EH", "R"), "ʊɹ": ("UH", "R"), "ɑɹ": ("AA", "R"), "ɔɹ": ("AO", "R"),
    # consonants
    "b": ("B",), "tʃ": ("CH",), "t͡ʃ": ("CH",), "d": ("D",), "ð": ("DH",), "f": ("F",), "ɡ": ("G",),
    "g": ("G",), "h": ("HH",), "dʒ": ("JH",), "d͡ʒ": ("JH",), "k": ("K",), "l": ("L",), "m": ("M",),
    "n": ("N",), "ŋ": ("NG",), "p": ("P",), "ɹ": ("R",), "r": ("R",), "ʁ": ("R",), "ɾ": ("T",),
    "s": ("S",), "ʃ": ("SH",), "t": ("T",), "θ": ("TH",), "v": ("V",), "w": ("W",), "j": ("Y",),
    "z": ("Z",), "ʒ": ("ZH",), "ç": ("HH",), "x": ("HH",), "χ": ("HH",), "ts": ("T", "S"),
    "t͡s": ("T", "S"), "pf": ("P", "F"), "p͡f": ("P", "F"), "ʔ": (), "l̩": ("AH", "L"), "n̩": ("AH", "N"),
    "m̩": ("AH", "M"),
}
_IPA_MARKS = "ˈˌ‿.|‖"  # stress, linking and break marks: prosody, not phones


@functools.cache
def _cmudict() -> dict[str, tuple[str, ...]]:
    """CMUdict as pocketsphinx ships it: first pronunciation of each word, stress stripped."""
    import pocketsphinx

    path = Path(pocketsphinx.get_model_path()) / "en-us" / "cmudict-en-us.dict"
    entries: dict[str, tuple[str, ...]] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            word, *phones = line.split()
            if "(" in word:  # "read(2)": an alternative; the first entry is the common one
                continue
            entries[word] = tuple(p.rstrip("012") for p in phones)
    return entries


def _ipa_to_arpabet(phoneme: str) -> tuple[str, ...]:
    clean = "".join(c for c in unicodedata.normalize("NFC", phoneme) if c not in _IPA_MARKS)
    if clean in _IPA_TO_ARPABET:
        return _IPA_TO_ARPABET[clean]
    stripped = clean.replace("ː", "").replace("\u0303", "").replace("\u0329", "").replace("\u032f", "")
    if stripped in _IPA_TO_ARPABET:
        return _IPA_TO_ARPABET[stripped]
    # an unknown combination: map it symbol by symbol (longest known prefix first)
    out: list[str] = []
    i = 0
    while i < len(stripped):
        for n in (3, 2, 1):
            if stripped[i:i + n] in _IPA_TO_ARPABET:
                out.extend(_IPA_TO_ARPABET[stripped[i:i + n]])
                i += n
                break
        else:
            i += 1  # a diacritic or symbol without an English counterpart
    return tuple(out)


@functools.cache
def _gruut(token: str, language: str) -> tuple[str, ...] | None:
    """gruut's pronunciation of one spoken token, or None when gruut (or its language data) is missing."""
    lang = GRUUT_LANGS.get(language)
    if lang is None:
        return None
    try:
        import gruut
    except ImportError:
        return None
    try:
        sentences = list(gruut.sentences(token, lang=lang, ssml=False))
    except Exception:  # noqa: BLE001 - gruut raises bare exceptions for a missing language package
        return None
    phones: list[str] = []
    for sentence in sentences:
        for word in sentence:
            for phoneme in word.phonemes or ():
                phones.extend(_ipa_to_arpabet(phoneme))
    return tuple(phones) or None


def _rough(token: str, language: str) -> tuple[str, ...]:
    return tuple(p for p in rough_pronunciation(token, language) if p in PHONES)


def token_phones(token: str, language: str = "en") -> tuple[str, ...]:
    """Phones of one spoken lowercase token (no digits): CMUdict, then gruut, then spelling rules."""
    if language == "en":
        entry = _cmudict().get(token)
        if entry is not None:
            return entry
    return _gruut(token, language) or _rough(token, language)


def pronounce(word: str, language: str = "en") -> tuple[str, ...]:
    """ARPAbet phones (no stress, no ``SIL``) of a written word or short phrase: "1455" -> F AO R T IY N ...

    The phones are those pocketsphinx labels ``Word.phones`` with, so they can be
    looked up in an inventory of the lecturer's own phones. Empty for text with
    nothing to say (punctuation). English numbers are spelled out by
    ``asr.spoken``; German text goes to gruut whole, which spells German numbers
    itself (without gruut, German falls back to spelling rules, digits unsaid).
    """
    if language == "de":
        whole = _gruut(word, "de")
        if whole is not None:
            return whole
        text = word.lower()
        for umlaut, plain in GERMAN_REWRITE:
            text = text.replace(umlaut, plain)  # the spelling rules read plain letters only
        tokens = re.findall(r"[a-z]+", text)
    else:
        tokens = [t for t, _ in spoken_tokens(word)]
    phones: list[str] = []
    for token in tokens:
        token = token.strip("'")
        if token:
            phones.extend(token_phones(token, language))
    return tuple(phones)
