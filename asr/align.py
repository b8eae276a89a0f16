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

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .pronounce import GERMAN_REWRITE, rough_pronunciation
from .spoken import spoken_tokens
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

def decoder_pcm(audio: np.ndarray) -> bytes:
    """16 kHz float audio as the int16 PCM pocketsphinx decodes: dithered, padded with silence.

    Dithered as sphinx front ends do: digital silence inside the recording (noise gates,
    muted stretches) has log energy -inf, on which the search fails outright. Fixed seed:
    the same audio always decodes the same way. The padding (PAD_SAMPLES each side) stays
    true silence, clearly not speech.
    """
    rng = np.random.default_rng(DITHER_SEED)
    dithered = audio.astype(np.float32) + DITHER_RMS * rng.standard_normal(len(audio)).astype(np.float32)
    pad = np.zeros(PAD_SAMPLES, dtype=np.float32)
    padded = np.concatenate([pad, dithered, pad])
    return (np.clip(padded, -1.0, 1.0) * PCM_FULL_SCALE).astype("<i2").tobytes()


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

    def __init__(self, language: str = "en", **config: object) -> None:
        from pocketsphinx import Decoder

        self.language = language

        # lm=None: alignment needs the acoustic model and dictionary only
        # loglevel FATAL: pocketsphinx logs a failed alignment as an ERROR on stderr; here
        # that is an expected outcome (the caller falls back), not something to print
        self._decoder = Decoder(samprate=SAMPLE_RATE, lm=None, loglevel="FATAL", **config)
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
        for umlaut, plain in GERMAN_REWRITE if self.language == "de" else ():
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
        pcm = decoder_pcm(audio)
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
