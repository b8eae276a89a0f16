"""Filler sounds Whisper left out ("uh", "um"; German "äh", "ähm"), recovered from the audio.

Whisper writes what a speaker meant, so it usually drops hesitation sounds: in
the transcript they are invisible and cannot be deleted. They are still in the
audio, and an acoustic model can find them once it is allowed to:

1. **Decode with optional fillers.** Each chunk of the recording (the chunks
   the aligner uses, cut at pauses) is decoded by pocketsphinx against a
   grammar that is the transcript's own words in order, with an optional
   filler sound before every word and after the last. The words are fixed, so
   the decoder only decides whether, and where, a filler sound fits the audio
   better than silence or a neighbouring word's phones. German is decoded
   cross-lingually (the English acoustic model, pronunciations by spelling
   rules), as ``align.py`` does; the filler sounds are simple vowels
   (/ə/, /ɛː/) and a nasal, which that model covers.
2. **Check each one acoustically.** The grammar lets a filler in anywhere, so
   a candidate is kept only where it sounds like a filled pause
   (Goto et al. 1999: a sustained, voiced, spectrally steady sound): at least
   ``MIN_FILLER`` of it voiced without a break, not a breath or a noise, and not the
   continuation of the neighbouring word's own vowel (a drawn-out "sooo" is
   lengthening, and deleting half of it would cut the word).
   A filler lying mostly inside a neighbouring word that it would leave too
   short for its phones is dropped too: there the decoder traded the word's
   own sound for it.
3. **Align again with it.** The chunk's words were aligned without the
   fillers, so a neighbour may have been stretched over one: the chunk is
   aligned again with the kept fillers among its words, so every word gets
   its own sound back. A filler becomes its own word, marked ``filler=True``,
   whose boundaries are its aligned extent within its voiced part.

Languages other than English and German are not searched (the result's
``meta["fillers"]`` says so). Time: one more pocketsphinx pass over the
speech and a second alignment where fillers were kept, about 0.10 x real
time on 2 cores (bench figures in the README).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from lecturecut.core import ProgressFn, check_cancel

from .transcript import SAMPLE_RATE, Phone, Transcript, Word

# Filler tokens the grammar offers, per language: the text written into the transcript and
# the pronunciation (English acoustic model phones) it is decoded with.
FILLER_SOUNDS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("uh", "AH"), ("um", "AH M"), ("er", "ER"), ("hmm", "HH M")),
    "de": (("äh", "EH"), ("äh", "AH"), ("ähm", "EH M"), ("ähm", "AH M"), ("hm", "HH M")),
}
FILLERS_VERSION = 1  # written to meta["fillers"]; raise when the search changes

FILLER_INSERTION_PENALTY = 0.65  # pocketsphinx's wip (its default) for each filler the grammar puts in
MIN_FILLER = SAMPLE_RATE * 150 // 1000  # a filled pause is at least this long (voiced part)
# Continuation of a neighbour's vowel: no dip of at least this much between them, and a
# spectrum this close (mean MFCC distance, c1..c12) to the neighbour's edge.
JOIN_DIP_DB = 6.0
SAME_VOWEL_MFCC = 45.0
EDGE = SAMPLE_RATE * 40 // 1000  # 40 ms of the neighbour's edge compared with the candidate
TOUCH = SAMPLE_RATE * 30 // 1000  # a candidate this close to a word touches it
# A filler lying mostly inside a neighbour's extent must leave it this much (see _takes_word).
MIN_WORD_LEFT = SAMPLE_RATE * 60 // 1000
PER_PHONE_LEFT = SAMPLE_RATE * 45 // 1000
NEIGHBOUR_GUARD = SAMPLE_RATE * 20 // 1000  # a chunk's audio stops this short of the next chunk's words
FRAME = SAMPLE_RATE // 100  # 10 ms: the decoder's and the pitch track's step
_VOWELS = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"})


@dataclass(frozen=True)
class Candidate:
    text: str
    start: int  # samples, absolute
    end: int
    before: int  # index of the word after which the decoder put it (-1: before the first)


def _grammar(word_tokens: Sequence[Sequence[str]], filler_names: Sequence[str]) -> str:
    options = " | ".join(filler_names)
    slot = f"[ {options} ]"
    body = " ".join(f"{slot} {' '.join(tokens)}" for tokens in word_tokens if tokens)
    return f"#JSGF V1.0;\ngrammar fillers;\npublic <utterance> = {body} {slot};\n"


class FillerDecoder:
    """One pocketsphinx decoder that proposes filler sounds between a chunk's words."""

    def __init__(self, language: str) -> None:
        from .align import PocketsphinxAligner

        self.language = language
        # The transcript's words are fixed, so the word insertion penalty weighs only the
        # optional fillers: a filler must fit the audio better than its absence by that much.
        self._aligner = PocketsphinxAligner(language, wip=FILLER_INSERTION_PENALTY)
        self._decoder = self._aligner._decoder  # noqa: SLF001 - the aligner's dictionary is ours too
        self._names: dict[str, str] = {}  # dictionary entry -> filler text
        for n, (text, phones) in enumerate(FILLER_SOUNDS[language]):
            name = f"filler{n}_{language}"
            self._decoder.add_word(name, phones, True)
            self._names[name] = text
        self._searches = 0

    def propose(self, audio: np.ndarray, words: Sequence[Word], offset: int) -> list[Candidate]:
        """Filler sounds the decoder puts between ``words`` in ``audio`` (which starts at ``offset``)."""
        from .align import PAD_SAMPLES, decoder_pcm

        tokens = [self._aligner.dictionary_tokens(w.text) for w in words]
        if not any(tokens) or len(audio) == 0:
            return []
        # the word each token run belongs to, to know after which word a filler fell
        owner = [i for i, t in enumerate(tokens) for _ in t]
        name = f"fillers{self._searches}"
        self._searches += 1
        try:
            self._decoder.add_jsgf_string(name, _grammar(tokens, list(self._names)))
            self._decoder.activate_search(name)
            self._decoder.start_utt()
            self._decoder.process_raw(decoder_pcm(audio), full_utt=True)
            self._decoder.end_utt()
            found = self._decoder.seg() if self._decoder.hyp() is not None else None
            segments = list(found) if found is not None else []
        except (RuntimeError, ValueError):
            return []  # no path through this audio: the chunk simply gets no fillers
        finally:
            try:
                self._decoder.remove_search(name)  # one grammar per chunk: do not keep them all
            except (RuntimeError, ValueError, KeyError):
                pass
        out: list[Candidate] = []
        k = 0  # tokens of the transcript passed so far
        for seg in segments:
            entry = seg.word.split("(")[0]
            if entry in self._names:
                start = offset + max(0, seg.start_frame * FRAME - PAD_SAMPLES)
                end = offset + min(len(audio), (seg.end_frame + 1) * FRAME - PAD_SAMPLES)
                out.append(Candidate(self._names[entry], start, max(start, end), owner[k - 1] if k else -1))
            elif not entry.startswith("<") and not entry.startswith("["):
                k += 1
        return out

    def align(self, audio: np.ndarray, words: Sequence[Word], offset: int) -> list[Word] | None:
        """Forced alignment of ``words`` (fillers among them) to ``audio``, as ``align.py`` does."""
        return self._aligner.align_words(audio, words, offset=offset)


def _voiced_frames(audio: np.ndarray, start: int, end: int) -> np.ndarray:
    """Per 10 ms frame of [start, end): voiced (Praat's autocorrelation pitch, 75-500 Hz)."""
    import parselmouth

    lo, hi = max(0, start - FRAME * 4), min(len(audio), end + FRAME * 4)  # context for the pitch window
    snd = parselmouth.Sound(audio[lo:hi].astype(np.float64), SAMPLE_RATE)
    pitch = snd.to_pitch(time_step=0.01, pitch_floor=75.0, pitch_ceiling=500.0)
    times = pitch.xs() + lo / SAMPLE_RATE
    voiced = pitch.selected_array["frequency"] > 0
    centres = (np.arange(start, end, FRAME) + FRAME / 2) / SAMPLE_RATE
    if len(times) == 0:
        return np.zeros(len(centres), dtype=bool)
    nearest = np.clip(np.searchsorted(times, centres), 0, len(times) - 1)
    return voiced[nearest]


def _mfcc_mean(audio: np.ndarray, start: int, end: int) -> np.ndarray | None:
    import librosa

    piece = audio[max(0, start) : max(start, end)]
    if len(piece) < 400:
        return None
    m = librosa.feature.mfcc(y=piece.astype(np.float32), sr=SAMPLE_RATE, n_mfcc=13, n_fft=400, hop_length=FRAME)
    return m[1:].mean(axis=1)


def _level_db(audio: np.ndarray, start: int, end: int) -> np.ndarray:
    piece = audio[max(0, start) : max(start, end)]
    n = len(piece) // FRAME
    if n == 0:
        return np.array([-120.0])
    frames = piece[: n * FRAME].reshape(n, FRAME).astype(np.float64)
    return 10 * np.log10(np.mean(frames**2, axis=1) + 1e-12)


def _continues(audio: np.ndarray, cand: tuple[int, int], word: Word, side: str) -> bool:
    """Whether the candidate is ``word``'s own vowel drawn out (no dip between, same spectrum).

    The candidate may lie partly inside the word as it was aligned without it: the
    aligner stretches a neighbour over a sound it has no word for.
    """
    start, end = cand
    if side == "before":
        if start - word.end > TOUCH:
            return False
        boundary = min(start, word.end)
        edge = (max(word.start, boundary - EDGE), boundary)
        phone = next((p for p in reversed(word.phones) if p.start < boundary), None)
    else:
        if word.start - end > TOUCH:
            return False
        boundary = max(end, word.start)
        edge = (boundary, min(word.end, boundary + EDGE))
        phone = next((p for p in word.phones if p.end > boundary), None)
    if phone is not None and phone.label not in _VOWELS:
        return False  # a consonant edge: a vowel beside it is not that word's vowel
    if edge[1] - edge[0] < EDGE // 2:
        return False  # the word hardly reaches the candidate
    level = _level_db(audio, boundary - EDGE, boundary + EDGE)
    third = max(1, len(level) // 3)
    dip = min(float(np.max(level[:third])), float(np.max(level[-third:]))) - float(np.min(level))
    if dip >= JOIN_DIP_DB:
        return False  # a dip between them: two sounds
    a, b = _mfcc_mean(audio, *edge), _mfcc_mean(audio, start, end)
    if a is None or b is None:
        return True  # too short to tell, and joined with no dip: take it as the word's
    return float(np.linalg.norm(a - b)) < SAME_VOWEL_MFCC


def _longest_run(mask: np.ndarray) -> tuple[int, int]:
    """[first, stop) of the longest run of True in ``mask`` ((0, 0) when none)."""
    best, run_start = (0, 0), None
    for i, v in enumerate(list(mask) + [False]):
        if v and run_start is None:
            run_start = i
        elif not v and run_start is not None:
            if i - run_start > best[1] - best[0]:
                best = (run_start, i)
            run_start = None
    return best


def verify(audio: np.ndarray, cand: Candidate, prev: Word | None, nxt: Word | None) -> tuple[int, int] | None:
    """The filler's exact extent (its voiced part), or None where it is not a filled pause."""
    first, stop = _longest_run(_voiced_frames(audio, cand.start, cand.end))
    start, end = cand.start + first * FRAME, min(cand.end, cand.start + stop * FRAME)
    if end - start < MIN_FILLER:
        return None  # a breath, a click, noise, or too short to be a filled pause
    if prev is not None and _continues(audio, (start, end), prev, "before"):
        return None
    if nxt is not None and _continues(audio, (start, end), nxt, "after"):
        return None
    return start, end


def _takes_word(word: Word | None, start: int, end: int, side: str) -> bool:
    """Whether a filler at [start, end) lies mostly inside ``word`` and would leave it no room.

    Where the aligner, which did not know of the filler, stretched a word over it, the word
    keeps plenty once trimmed ("for" over a following "um"); where the decoder split a word's
    own sound off as a filler ("an" left 20 ms, "so" left 80 ms for two phones), it does not.
    """
    if word is None:
        return False
    inside = min(end, word.end) - max(start, word.start)
    if inside <= (end - start) // 2:
        return False  # mostly outside the word: the word is re-aligned around it
    kept = _trim(word, None, start) if side == "before" else _trim(word, end, None)
    return kept.end - kept.start < max(MIN_WORD_LEFT, PER_PHONE_LEFT * max(1, len(word.phones)))


def _realign(decoder: "FillerDecoder", audio: np.ndarray, words: list[Word], first: int, stop: int,
             lo: int, hi: int, kept: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Align words[first:stop] again with the kept fillers among them; updates ``words`` in place.

    The words' boundaries were found without the fillers, so a neighbour may have been stretched
    over one; aligned again knowing of them, every word gets its own sound back. Each filler's
    extent is then its aligned extent within its voiced part. Where pocketsphinx cannot align the
    chunk with the fillers, the words keep their times (they are trimmed to the fillers later).
    """
    sequence: list[Word] = []
    by_after: dict[int, list[tuple[int, int, int, str]]] = {}
    for item in kept:
        by_after.setdefault(item[0], []).append(item)
    for i in range(first - 1, stop):
        if i >= first:
            sequence.append(words[i])
        for _, start, end, text in sorted(by_after.get(i, ()), key=lambda t: t[1]):
            sequence.append(Word(text=text, start=start, end=end, filler=True))
    aligned = decoder.align(audio[lo:hi], sequence, lo)
    if aligned is None:
        return kept
    out: list[tuple[int, int, int, str]] = []
    k = first
    voiced = iter(sorted(kept, key=lambda t: (t[0], t[1])))
    for original, new in zip(sequence, aligned, strict=True):
        if original.filler:
            after, start, end, text = next(voiced)
            a, b = max(start, new.start), min(end, new.end)
            if b - a >= MIN_FILLER // 2:
                out.append((after, a, b, text))
        else:
            words[k] = replace(new, filler=False)
            k += 1
    return out


def _trim(word: Word, lo: int | None, hi: int | None) -> Word:
    """``word`` kept inside [lo, hi) (its phones clipped with it)."""
    start = word.start if lo is None else max(word.start, lo)
    end = word.end if hi is None else min(word.end, hi)
    if (start, end) == (word.start, word.end):
        return word
    end = max(end, start)
    phones = tuple(Phone(p.label, max(p.start, start), min(p.end, end)) for p in word.phones
                   if min(p.end, end) > max(p.start, start))
    return replace(word, start=start, end=end, phones=phones)


def recover_fillers(
    transcript: Transcript,
    audio: np.ndarray,
    *,
    progress: ProgressFn | None = None,
    cancel: object | None = None,
) -> Transcript:
    """``transcript`` with the filler sounds Whisper left out added as words marked ``filler``.

    Records ``meta["fillers"]`` (how many were recovered, or why none were
    searched), so a project says whether its fillers were looked for.
    """
    language = (transcript.language or "").split("-")[0].lower()
    if language not in FILLER_SOUNDS:
        meta = {**transcript.meta, "fillers": {"version": FILLERS_VERSION, "searched": False,
                                               "why": f"no filler search for language '{language or '?'}'"}}
        return replace(transcript, meta=meta)
    words = list(transcript.words)
    if not words:
        return replace(transcript, meta={**transcript.meta,
                                         "fillers": {"version": FILLERS_VERSION, "searched": True, "found": 0}})
    from .refine import compute_energy, plan_align_chunks, tidy_words

    track = compute_energy(audio)
    chunks = plan_align_chunks(words, track, len(audio))
    decoder = FillerDecoder(language)
    found: list[tuple[int, int, int, str]] = []  # (after word index, start, end, text)
    for n, chunk in enumerate(chunks):
        check_cancel(cancel)
        part = words[chunk.first : chunk.stop]
        # The chunk reaches to its neighbours' words, not to the cut in the pause between:
        # a filler in the middle of a pause is then whole in both chunks (kept once).
        lo = words[chunk.first - 1].end + NEIGHBOUR_GUARD if chunk.first > 0 else 0
        hi = words[chunk.stop].start - NEIGHBOUR_GUARD if chunk.stop < len(words) else len(audio)
        lo, hi = min(lo, chunk.start), max(hi, chunk.end)
        kept: list[tuple[int, int, int, str]] = []
        for cand in decoder.propose(audio[lo:hi], part, lo):
            after = chunk.first + cand.before if cand.before >= 0 else chunk.first - 1
            prev = words[after] if after >= 0 else None
            nxt = words[after + 1] if after + 1 < len(words) else None
            extent = verify(audio, cand, prev, nxt)
            if extent is None:
                continue
            start, end = extent
            if any(a == after and min(e, end) - max(s, start) > 0 for a, s, e, _ in found):
                continue  # the same filler, seen from the chunk on the other side of the pause
            if _takes_word(prev, start, end, "before") or _takes_word(nxt, start, end, "after"):
                continue  # it would take most of a word: the decoder traded a word's sound for it
            kept.append((after, start, end, cand.text))
        if kept:
            kept = _realign(decoder, audio, words, chunk.first, chunk.stop, lo, hi, kept)
            found.extend(kept)
        if progress:
            progress((n + 1) / len(chunks), "Listening for filler sounds")
    out: list[Word] = []
    by_gap: dict[int, list[tuple[int, int, str]]] = {}
    for after, start, end, text in found:
        by_gap.setdefault(after, []).append((start, end, text))
    for i in range(-1, len(words)):
        if i >= 0:
            out.append(words[i])
        for start, end, text in sorted(by_gap.get(i, ())):
            if out:
                out[-1] = _trim(out[-1], None, start)
            filler = Word(text=text, start=start, end=end, probability=1.0, filler=True)
            out.append(filler)
            if i + 1 < len(words):
                words[i + 1] = _trim(words[i + 1], end, None)
    meta = {**transcript.meta, "fillers": {"version": FILLERS_VERSION, "searched": True, "found": len(found)}}
    return replace(transcript, words=tuple(tidy_words(out, len(audio))), meta=meta)
