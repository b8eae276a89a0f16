"""Forced alignment with pocketsphinx: word and phone boundaries (English; other languages roughly).

Whisper says *what* was said; pocketsphinx's HMM aligner, given that text,
says *where*, at its 10 ms frame rate, with ARPAbet phones inside each word.
The aligner only knows CMUdict words, so Whisper's text is first turned
into dictionary tokens: numbers are spelled out ("P2" -> "p two",
"1961" -> "nineteen sixty one"), unknown acronyms are spelled as letters
and any other unknown word gets a rough letter-to-sound pronunciation.
A rough pronunciation is enough: the aligner needs the word's duration
model, not its exact sounds.

Audio is aligned a chunk at a time (the caller cuts chunks at pauses; see
``refine.py``), so memory and time grow linearly with the recording.

Other languages can be aligned cross-lingually: every word pronounced by
spelling rules (German rules for "de") with the same English acoustic model.
That is rougher and not yet measured on labelled non-English speech, so
``refine.py`` only uses it when asked.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .transcript import SAMPLE_RATE, Phone, Word

PS_FRAME_SHIFT = SAMPLE_RATE // 100  # 160 samples: pocketsphinx's 10 ms frame step
PS_WINDOW = 410  # samples: its 25.625 ms analysis window (wlen at 16 kHz)
# A boundary reported "at frame k" lies between the centres of frames k-1 and k:
# (k-1)*shift + window/2 .. k*shift + window/2, whose midpoint is
# k*shift + (window - shift)/2 samples. Adding this removes a constant 7.8 ms bias.
PS_BOUNDARY_OFFSET = (PS_WINDOW - PS_FRAME_SHIFT) // 2  # 125 samples
PAD_SAMPLES = SAMPLE_RATE * 3 // 10  # 300 ms of silence around a chunk, so the
# aligner can place leading/trailing silence even when speech starts at the cut
PCM_FULL_SCALE = 32767  # float [-1, 1] -> int16 for pocketsphinx
DITHER_RMS = 1e-4  # -80 dBFS, about 3 int16 steps
DITHER_SEED = 0
SILENCE_WORDS = frozenset({"<sil>", "<s>", "</s>", "[noise]", "++noise++"})
MAX_SPELLED_ACRONYM = 6  # letters; an unknown all-caps word this short is read letter by letter

_ONES = ("zero one two three four five six seven eight nine ten eleven twelve thirteen "
         "fourteen fifteen sixteen seventeen eighteen nineteen").split()
_TENS = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
_SCALES = ((10**12, "trillion"), (10**9, "billion"), (10**6, "million"), (1000, "thousand"))
_ORDINAL_IRREGULAR = {"one": "first", "two": "second", "three": "third", "five": "fifth",
                      "eight": "eighth", "nine": "ninth", "twelve": "twelfth"}
_SYMBOL_WORDS = {"%": "percent", "&": "and", "+": "plus", "=": "equals", "@": "at", "°": "degrees",
                 "$": "dollars", "€": "euros", "£": "pounds", "#": "number"}

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
_GERMAN_REWRITE = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
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


def rough_pronunciation(word: str, language: str = "en") -> list[str]:
    """Letter-to-sound guess (ARPAbet) for a word the dictionary lacks: enough to model its duration.

    English rules by default; German ones for ``language="de"``.
    """
    letters = word.lower()
    if language == "de":
        for umlaut, plain in _GERMAN_REWRITE:
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


@dataclass(frozen=True)
class AlignedToken:
    token: str
    start: int  # samples @ SAMPLE_RATE, in the chunk's own time
    end: int
    phones: tuple[Phone, ...]


class PocketsphinxAligner:
    """One pocketsphinx decoder, reused for every chunk of a transcription.

    ``language`` other than "en" aligns cross-lingually: every word gets a
    rough pronunciation from spelling rules (German rules for "de", English
    ones otherwise) instead of a CMUdict entry, since an English entry for a
    German word spelled the same ("die", "also") would be wrong.
    """

    def __init__(self, language: str = "en") -> None:
        from pocketsphinx import Decoder

        self.language = language

        # lm=None: alignment needs the acoustic model and dictionary only
        # loglevel FATAL: pocketsphinx logs a failed alignment as an ERROR on stderr; here
        # that is an expected outcome (the caller falls back), not something to print
        self._decoder = Decoder(samprate=SAMPLE_RATE, lm=None, loglevel="FATAL")
        self._added: set[str] = set()

    def dictionary_tokens(self, text: str) -> list[str]:
        """Tokens of one word's text that the decoder knows (adding rough entries if needed)."""
        if self.language != "en":
            return self._rough_tokens(text)
        out: list[str] = []
        for token, capitals in spoken_tokens(text):
            if self._decoder.lookup_word(token) is not None:
                out.append(token)
            elif capitals and len(token) <= MAX_SPELLED_ACRONYM and all(
                self._decoder.lookup_word(c) is not None for c in token
            ):
                out.extend(token)  # "GPU" -> g p u
            else:
                if token not in self._added:
                    self._decoder.add_word(token, " ".join(rough_pronunciation(token)), True)
                    self._added.add(token)
                out.append(token)
        return out

    def _rough_tokens(self, text: str) -> list[str]:
        """Cross-lingual tokens: each word as itself, pronounced by spelling rules."""
        out = []
        lowered = text.lower()
        for umlaut, plain in _GERMAN_REWRITE if self.language == "de" else ():
            lowered = lowered.replace(umlaut, plain)
        for token, _ in spoken_tokens(lowered):
            name = f"{token}_{self.language}"  # never clobbers an English entry
            if name not in self._added:
                self._decoder.add_word(name, " ".join(rough_pronunciation(token, self.language)), True)
                self._added.add(name)
            out.append(name)
        return out

    def _decode(self, pcm: bytes) -> None:
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, full_utt=True)
        self._decoder.end_utt()

    def align_tokens(self, audio: np.ndarray, tokens: Sequence[str]) -> list[AlignedToken] | None:
        """Align ``tokens`` to ``audio`` (16 kHz float); None when pocketsphinx cannot."""
        if not tokens or len(audio) == 0:
            return None
        # Dither the recording (as sphinx front ends do): digital silence inside it (noise
        # gates, muted stretches) has log energy -inf, on which the alignment search fails
        # outright. Fixed seed: the same audio always aligns the same way. The padding
        # stays true silence, clearly not speech.
        rng = np.random.default_rng(DITHER_SEED)
        dithered = audio.astype(np.float32) + DITHER_RMS * rng.standard_normal(len(audio)).astype(np.float32)
        pad = np.zeros(PAD_SAMPLES, dtype=np.float32)
        padded = np.concatenate([pad, dithered, pad])
        pcm = (np.clip(padded, -1.0, 1.0) * PCM_FULL_SCALE).astype("<i2").tobytes()
        try:
            self._decoder.set_align_text(" ".join(tokens))
            self._decode(pcm)
            self._decoder.set_alignment()  # second pass: phone (sub-word) boundaries
            self._decode(pcm)
            alignment = self._decoder.get_alignment()
        except RuntimeError:
            return None  # no path through the audio (e.g. far too little audio for the text)
        if alignment is None:
            return None

        def at(frame: int) -> int:
            # chunk time: frame boundary + centring offset, minus the padding, clamped to the chunk
            return int(min(max(frame * PS_FRAME_SHIFT + PS_BOUNDARY_OFFSET - PAD_SAMPLES, 0), len(audio)))

        out: list[AlignedToken] = []
        for entry in alignment:
            name = entry.name
            if name.lower() in SILENCE_WORDS:
                continue
            phones = tuple(
                Phone(_strip_stress(p.name), at(p.start), at(p.start + p.duration)) for p in entry
            )
            out.append(AlignedToken(name.split("(")[0], at(entry.start), at(entry.start + entry.duration), phones))
        if [a.token for a in out] != [t.lower() for t in tokens]:
            return None
        return out

    def align_words(self, audio: np.ndarray, words: Sequence[Word], offset: int) -> list[Word] | None:
        """Align ``words`` (whose text Whisper gave) to ``audio`` starting at sample ``offset``.

        Returns the words with new start/end and phones (absolute sample
        times), or None when the chunk cannot be aligned.
        """
        token_lists = [self.dictionary_tokens(w.text) for w in words]
        flat = [t for tokens in token_lists for t in tokens]
        aligned = self.align_tokens(audio, flat)
        if aligned is None:
            return None
        out: list[Word] = []
        k = 0
        for word, tokens in zip(words, token_lists):
            if not tokens:  # pure punctuation: a zero-length word at the previous end
                at = out[-1].end if out else offset + (aligned[0].start if aligned else 0)
                out.append(_replace_times(word, at, at, ()))
                continue
            parts = aligned[k : k + len(tokens)]
            k += len(tokens)
            phones = tuple(Phone(p.label, p.start + offset, p.end + offset) for a in parts for p in a.phones)
            out.append(_replace_times(word, parts[0].start + offset, parts[-1].end + offset, phones))
        return out


def _strip_stress(phone: str) -> str:
    return phone.rstrip("012")


def _replace_times(word: Word, start: int, end: int, phones: tuple[Phone, ...]) -> Word:
    return Word(
        text=word.text,
        start=start,
        end=max(start, end),
        probability=word.probability,
        phones=phones,
        raw_start=word.raw_start if word.raw_start is not None else word.start,
        raw_end=word.raw_end if word.raw_end is not None else word.end,
    )
