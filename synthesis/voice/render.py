"""The voice engine's entry: new speech for one retype, from the lecturer's own recorded words first.

Words the lecture never says are built from its half-phones (``units``) or, failing that, said by a
generic TTS voice matched to the lecturer (``tts`` + ``match``); see :func:`synthesize`.

``synthesize`` turns a :class:`~lecturecut.synthesis.edl.Replacement` into a
:class:`SynthesizedSpeech`: it measures the lecture once (``corpus``, cached),
chooses recorded occurrences for the new words (``select``), fits each to
where it goes (``prosody``), joins them with equal-power crossfades in the
pauses between words, and pads both ends with the lecture's own room tone.
The result is cached by content (``cache``): asking again costs a file read.

Where it goes: the renderer keeps the source up to ``source_range[0]``, plays
``audio``, and resumes the source at ``source_range[1]``, crossfading each of
the two joins as it crossfades a cut (the first and last ``crossfade / 2``
samples of ``audio`` lie under those fades; they are room tone).
``source_range`` lies in the pauses around the replaced words (at most
``KEEP_S`` of each pause is kept as recorded; the rest of its length is room
tone in ``audio``, so the rhythm of the pauses is kept). Neighbours deleted
by the edit list are the plan's business: the range is computed from the
source transcript alone.
"""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass

import numpy as np

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.core import ProgressFn, check_cancel, no_progress, scaled

from ..edl import Replacement
from ..project import Project
from . import cache, tuning
from .corpus import Corpus, build_corpus, transcript_digest
from .prosody import Fit, apply_fit, plan_fit
from .record import (
    METHOD_GENERIC,
    METHOD_UNITS,
    METHODS,
    NothingToSay,
    SourceUse,
    SpanRecord,
    SynthesizedSpeech,
    Timed,
    TooLong,
    VoiceUnavailable,
    weakest,
)
from .select import Selection, Unit, _contour, context_for, select
from .text import TypedWord, typed_words
from .tts import INSTALL_HINT
from .units import Target, UnitInventory, UnitsUnavailable, build_inventory, build_word

MAX_WORDS = 60  # spoken tokens one retype may have: a paragraph is several retypes (each gets its own context)
# Read this much around each recorded run; it crossfades with what comes before and after. Where
# the run abutted another word, the margin holds a little of that word: a 20 ms fade lets it in
# gently (10 ms made a step out of the room tone, 4 ms a click; measured on JFK's "for you").
UNIT_MARGIN_S = 0.020
KEEP_S = 0.030  # of the pause either side of the replaced words, at most this much stays as recorded
# Words said without a pause between them (less than 2 * KEEP_S): the cut is searched within
# JOIN_REACH_S of their boundary (known to about 15 ms) for the least jump when the source is
# crossfaded with room tone over JOIN_FADE_S (the renderer's default crossfade); each ms moved
# costs JOIN_COST_PER_S / 1000 units of that jump (psola.join_spike: a few units is speech running on).
JOIN_REACH_S = 0.020
JOIN_FADE_S = 0.010
JOIN_COST_PER_S = 100.0
# A recorded run's margins (UNIT_MARGIN_S) where they fade from or into room tone: the cut is searched
# the same way up to EDGE_OUTWARD_S further out, only where the recording pauses there. Never closer
# to the words (a fade over the /s/ of "see" made it "achieve") nor further into a word recorded
# right next to them (5 ms more of "can" before "see" made it "receive").
EDGE_OUTWARD_S = 0.010
# A recorded run's edge that meets room tone where another word was recorded right next to it: the
# margin would bring that word's end or start along (the release of "most"'s /t/ before "often" was
# heard as "doffing"). There the neighbour's part of the margin is room tone instead: the cut is at
# the energy valley between the two words (searched from ``LEAK_REACH_S`` into the neighbour to
# ``LEAK_INTO_S`` into the word), past a release burst of the neighbour's to where the word's own
# onset holds (within ``ONSET_DROP_DB`` of its first ``ONSET_S`` for ``ONSET_HOLD_S``; not for a
# word that starts with a stop, whose closure is the valley and whose burst is its own), faded over
# ``LEAK_FADE_S`` outside the word.
LEAK_REACH_S = 0.020
LEAK_INTO_S = 0.010
ONSET_S, ONSET_HOLD_S, ONSET_DROP_DB = 0.030, 0.010, 12.0
LEAK_FADE_S = 0.004
# a vowel after that cut is faded in over this much of its onset: at full level straight from room tone it
# is heard as a stop ("often" without the /t/ of "most" became "Dauphin"; with a 4-20 ms rise "often")
VOWEL_ONSET_S = 0.010
STOPS = frozenset("B D G K P T CH JH".split())  # phones that begin with a closure and end with a burst
VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
MIN_PAD_S = 0.030  # room tone at least this long at each end of the new audio (the joins' fades lie in it)
MAX_PAD_S = 1.0  # a longer recorded pause is shortened to this
TYPED_PAUSE_S = 0.20  # a comma or full stop typed between new words becomes this much room tone
ALTERNATIVES = 10  # ranked occurrences recorded per unit for the GUI
UNITS_LANGUAGES = ("en",)  # languages whose transcripts carry pocketsphinx phone timings (Word.phones)
REFERENCE_S = 4.0  # a generic voice is matched to this much of the lecturer's speech either side of the edit
IDENTITY_FIT = Fit(1.0, 0.0, 0.0, 0.0, False)  # built words: PSOLA / the match plan say what was done


def _at_rate(t16: int, rate: int) -> int:
    return int(round(t16 * rate / WORD_RATE))


def check_text(text: str, language: str) -> tuple[TypedWord, ...]:
    """The typed words of ``text``, or the one-line reason the voice engine cannot say them."""
    words = typed_words(text, language)
    if not words:
        raise NothingToSay(f"The new text \"{text[:40]}\" has no words to speak (it is empty or only punctuation); "
                           "type the words, or delete the recorded ones instead.")
    n = sum(len(w.tokens) for w in words)
    if n > MAX_WORDS:
        raise TooLong(f"The new text has {n} spoken words; the voice builds at most {MAX_WORDS} at once, so that "
                      "each part follows the intonation around it. Split it into shorter retypes; the edit stays "
                      "pending and nothing is lost.")
    return words


def load_or_build_corpus(project: Project, progress: ProgressFn | None = None,
                         cancel: object | None = None) -> Corpus:
    """The project's corpus from the cache, measured (one pass over the audio) when missing."""
    key = cache.corpus_key(project.fingerprint.head_tail_sha256, transcript_digest(project.transcript))
    corpus = cache.load_corpus(key)
    if corpus is None:
        corpus = build_corpus(project.source, project.transcript, progress=progress, cancel=cancel)
        cache.store_corpus(key, corpus)
    return corpus


def rank_occurrences(project: Project, replacement: Replacement, overrides: dict[int, int] | None = None,
                     progress: ProgressFn | None = None, cancel: object | None = None) -> Selection:
    """The units the new text is said by, each with every recorded occurrence ranked (for the GUI)."""
    words = check_text(replacement.text, project.transcript.language)
    corpus = load_or_build_corpus(project, progress, cancel)
    return select(corpus, words, context_for(corpus, replacement.start, replacement.end, words), overrides)


_ROOM_LOOPS: dict[str, np.ndarray] = {}  # room-tone key -> loop, this process only


class _RoomTone:
    """The lecture's quietest stretches at the output rate, looped (crossfaded) to any length."""

    def __init__(self, source: str, corpus: Corpus, rate: int, fade: int, fingerprint: str | None = None) -> None:
        self.ranges = tuple((_at_rate(a, rate), _at_rate(b, rate)) for a, b in corpus.room_tone)
        self.fade = fade
        # read once per lecture and rate: one ffmpeg seek per quiet range was most of a retype's time
        key = cache.room_key(fingerprint, self.ranges, rate, fade) if fingerprint else None
        loop = _ROOM_LOOPS.get(key) if key else None
        if loop is None and key:
            loop = cache.load_room(key)
        if loop is None:
            loop = self._read(source, rate, fade)
            if key:
                cache.store_room(key, loop)
        if key:
            _ROOM_LOOPS.clear()  # one lecture at a time (a loop is a few seconds of audio)
            _ROOM_LOOPS[key] = loop
        self.loop = loop

    def _read(self, source: str, rate: int, fade: int) -> np.ndarray:
        from lecturecut.media.audio import read_range

        pieces = [read_range(source, rate, a, b) for a, b in self.ranges if b - a > 2 * fade]
        loop = np.zeros(0, np.float32)
        for p in pieces:
            loop = _join(loop, p, fade)
        if len(loop) <= 2 * fade:  # no usable pause anywhere: the quietest the lecture has is still not zeros
            loop = np.full(4 * fade + 4, 1e-5, np.float32) * np.where(np.arange(4 * fade + 4) % 2, 1, -1)
        return loop.astype(np.float32)

    def take(self, n: int) -> np.ndarray:
        out = self.loop
        while len(out) < n:
            out = _join(out, self.loop, self.fade)
        return out[:n].copy()


def _join(a: np.ndarray, b: np.ndarray, fade: int) -> np.ndarray:
    """``a`` then ``b``, the last ``fade`` samples of ``a`` mixed with the first of ``b`` by the
    renderer's equal-power law (no dip, no bump where two pauses or two word edges meet)."""
    # imported here, not at the top: render/ will import the voice engine, and a top-level
    # import back into it would make the two packages' imports circular
    from lecturecut.synthesis.render.audio import equal_power

    fade = min(fade, len(a), len(b))
    if fade == 0:
        return np.concatenate([a, b]).astype(np.float32)
    fo, fi = equal_power(fade)
    mid = a[len(a) - fade:] * fo + b[:fade] * fi
    return np.concatenate([a[:len(a) - fade], mid, b[fade:]]).astype(np.float32)


def _span_range(project: Project, corpus: Corpus, r: Replacement, rate: int,
                room: np.ndarray | None = None) -> tuple[int, int, int, int]:
    """(cut_in, cut_out, lead, trail): the source range replaced and the room tone at each end (samples).

    ``room``: the room tone the new audio starts and ends with; where the words either side are
    said without a pause, the cut is searched near their boundary (``_connected_cuts``)."""
    words = corpus.words
    total = _at_rate(project.transcript.duration or (words[-1].end if words else 0), rate)
    prev_end = _at_rate(words[r.start - 1].end, rate) if r.start > 0 else 0
    next_start = _at_rate(words[r.end].start, rate) if r.end < len(words) else total
    keep, lo, hi = int(KEEP_S * rate), int(MIN_PAD_S * rate), int(MAX_PAD_S * rate)
    connected = room is not None and len(room) > 0
    if r.is_insertion:
        gap = max(next_start - prev_end, 0)
        k = min(keep, gap // 2)
        if connected and gap < 2 * keep and 0 < r.start < len(words):  # inside connected speech: one cut
            [c] = _connected_cuts(project.source, rate, room, [((prev_end + next_start) // 2, True, True)])
            return c, c, lo, lo
        # inserted before the next word: the recorded pause stays before the new words
        return prev_end + k, next_start - k, min(max(gap - 2 * k, lo), hi), lo
    first, last = _at_rate(words[r.start].start, rate), _at_rate(words[r.end - 1].end, rate)
    before, after = max(first - prev_end, 0), max(next_start - last, 0)
    kb, ka = min(keep, before // 2), min(keep, after // 2)
    cut_in, cut_out = prev_end + kb, next_start - ka
    asks = []  # (boundary, the source fades out there, it fades in there)
    if connected and r.start > 0 and before < 2 * keep:
        asks.append(((prev_end + first) // 2, True, False))
    if connected and r.end < len(words) and after < 2 * keep:
        asks.append(((last + next_start) // 2, False, True))
    cuts = iter(_connected_cuts(project.source, rate, room, asks))
    if asks and asks[0][1]:
        cut_in = next(cuts)
    if asks and asks[-1][2]:
        cut_out = max(next(cuts), cut_in)
    return cut_in, cut_out, min(max(first - cut_in, lo), hi), min(max(cut_out - last, lo), hi)


def _connected_cuts(source: str, rate: int, room: np.ndarray, asks: list[tuple[int, bool, bool]]) -> list[int]:
    """Where to cut between words said without a pause, for each (boundary, fade_out, fade_in) asked
    (samples @ rate): the point within ``JOIN_REACH_S`` of the boundary, on the kept word's side
    (before it where the source fades out, after it where it fades back in; either side between
    two kept words), where crossfading the source with the room tone jumps least
    (:func:`psola.best_cut`: a fade onto a glottal pulse or into a rising onset is a click).
    The source around all of them is read at once."""
    from lecturecut.media.audio import read_range

    from .psola import JOIN_FIT_S, best_cut

    if not asks:
        return []
    reach, pad = int(JOIN_REACH_S * rate), int((JOIN_FIT_S + JOIN_FADE_S) * rate)
    a = min(b for b, _, _ in asks) - reach - pad
    x = read_range(source, rate, a, max(b for b, _, _ in asks) + reach + pad)
    # only into the kept word: a cut that kept a piece of the replaced word would leave it between a
    # deleted neighbour's cut (the plan's, at the boundary) and the new speech
    return [a + best_cut(x, b - a, reach if fade_out else 0, reach if fade_in else 0, rate, room,
                         int(JOIN_FADE_S * rate), fade_out, fade_in, JOIN_COST_PER_S / rate)
            for b, fade_out, fade_in in asks]


def synthesize(project: Project, replacement: Replacement, *, audio_rate: int,
               overrides: dict[int, int] | None = None, progress: ProgressFn | None = None,
               cancel: object | None = None, use_cache: bool = True,
               methods: tuple[str, ...] = METHODS) -> SynthesizedSpeech:
    """New speech for ``replacement`` at ``audio_rate`` Hz, in the lecturer's voice where it can be.

    Each typed word is said, best first, by a recorded occurrence of itself
    ("reused", longest verbatim runs first); a word the lecture never says is
    built from the lecturer's own half-phones ("units", English with phone
    timings) or, when the lecture lacks a phone it needs, said by a generic TTS
    voice matched to the lecturer ("generic", flagged). The record's method is
    the weakest used; each source says its own. ``methods`` limits which may be
    used (a front end that wants the lecturer's own words only passes
    ``(METHOD_REUSED,)``).

    ``overrides``: unit index -> source word index its occurrence must start at (the
    user chose another one; see :func:`rank_occurrences`); honoured when every word is
    reused; they add to ``replacement.tuning``'s choices (an entry here wins). The tuning's gain,
    tempo and shift are applied to that span (``tuning.apply_tuning``; the record says what was
    applied). Raises NothingToSay, TooLong or VoiceUnavailable (all VoiceError) with one
    line that says the edit stays pending; core.Cancelled when ``cancel`` is set.
    """
    progress = progress or no_progress
    language = project.transcript.language
    words = check_text(replacement.text, language)
    key = cache.span_key(project.fingerprint.head_tail_sha256, transcript_digest(project.transcript), replacement,
                         audio_rate, overrides, None if tuple(methods) == METHODS else tuple(methods))
    if use_cache and (hit := cache.load_span(key)) is not None:
        progress(1.0, "new speech from the cache")
        return hit
    if replacement.tuning.reshapes:  # gain, tempo, shift: applied to the span its text and choices give
        return _tuned(project, replacement, key, audio_rate, overrides, progress, cancel, use_cache, methods)
    corpus = load_or_build_corpus(project, scaled(progress, 0.0, 0.6), cancel)
    check_cancel(cancel)
    ctx = context_for(corpus, replacement.start, replacement.end, words)
    selection = select(corpus, words, ctx, tuning.overrides_for(replacement.tuning, overrides))
    if not selection.missing:
        parts: list[Selection | _Built] = [selection]
    else:
        parts = _compose(project, corpus, replacement, words, ctx, selection.missing, audio_rate, methods,
                         scaled(progress, 0.6, 0.8), cancel)
    speech = _assemble(project, corpus, replacement, parts, ctx, audio_rate, key,
                       scaled(progress, 0.8, 1.0), cancel)
    speech = tuning.record_choices(speech, None if selection.missing else selection)
    if use_cache:
        cache.store_span(speech)
    progress(1.0, "new speech ready")
    return speech


def _tuned(project: Project, replacement: Replacement, key: str, rate: int, overrides: dict[int, int] | None,
           progress: ProgressFn, cancel: object | None, use_cache: bool,
           methods: tuple[str, ...]) -> SynthesizedSpeech:
    """``replacement``'s gain, tempo and shift applied to the span of its text and choices (cached itself)."""
    base = synthesize(project, tuning.base_of(replacement), audio_rate=rate, overrides=overrides,
                      progress=scaled(progress, 0.0, 0.9), cancel=cancel, use_cache=use_cache, methods=methods)
    progress(0.9, "tuning the new speech")
    speech = tuning.apply_tuning(base, replacement, key, margin=int(round(UNIT_MARGIN_S * rate)),
                                 min_pad=int(round(MIN_PAD_S * rate)), cancel=cancel)
    if use_cache:
        cache.store_span(speech)
    progress(1.0, "new speech ready")
    return speech


@dataclass(frozen=True, eq=False)
class _Built:
    """A typed word the lecture never says, made by units or a generic voice (mono float32 @ the span's rate)."""

    word: TypedWord
    audio: np.ndarray
    use: SourceUse  # output=(start, end) within ``audio``; shifted when placed
    phones: tuple[tuple[str, int, int], ...]  # samples @ rate within ``audio``


def _has_phones(project: Project) -> bool:
    return project.transcript.language in UNITS_LANGUAGES and any(w.phones for w in project.transcript.words)


def _compose(project: Project, corpus: Corpus, r: Replacement, words: tuple[TypedWord, ...], ctx,
             missing: tuple[str, ...], rate: int, methods: tuple[str, ...], progress: ProgressFn,
             cancel: object | None) -> list[Selection | _Built]:
    """The typed words as parts in order: maximal runs of words the lecture says (one selection
    each) and, between them, the words it never says: each built from units where it can be, and
    each run of the rest said by the generic voice as one phrase ("Dr. Smith" with one intonation,
    not two words read alone)."""
    missing_set = set(missing)
    reasons: list[str] = []
    by_units: dict[str, _Built] = {}
    for k, w in enumerate(dict.fromkeys(missing)):
        check_cancel(cancel)
        progress(k / len(missing), f"building '{w}'")
        if METHOD_UNITS in methods:
            typed = next(t for t in words if t.text == w)
            b = _build_units(project, corpus, r, typed, rate, reasons, cancel,
                             _units_target(words, typed, ctx))
            if b is not None:
                by_units[w] = b
    groups: list[tuple[str, list[TypedWord]]] = []  # ("said" | "units" | "generic", typed words)
    for w in words:
        kind = "said" if w.text not in missing_set else "units" if w.text in by_units else "generic"
        if groups and groups[-1][0] == kind and kind != "units" and not (kind == "generic"
                                                                         and groups[-1][1][-1].pause_after):
            groups[-1][1].append(w)
        else:
            groups.append((kind, [w]))
    parts: list[Selection | _Built] = []
    unsaid: list[str] = []
    for kind, g in groups:
        if kind == "said":
            parts.append(select(corpus, tuple(g), ctx, None))
        elif kind == "units":
            parts.append(by_units[g[0].text])
        else:
            check_cancel(cancel)
            b = _build_generic(project, corpus, r, _phrase(g), rate, methods, reasons) if not unsaid else None
            if b is None:
                unsaid += [w.text for w in g]
            else:
                parts.append(b)
    if unsaid:
        unsaid = list(dict.fromkeys(w for w in missing if w in set(unsaid)))
        names = ", ".join(f"'{w}'" for w in unsaid)
        why = "; ".join(dict.fromkeys(reasons)) or "only the lecturer's recorded words were allowed"
        raise VoiceUnavailable(
            f"The lecture never says {names} and no voice could build {'them' if len(unsaid) > 1 else 'it'} "
            f"({why}); the edit stays pending (exported with the recorded words) and nothing is lost.",
            tuple(unsaid))
    return parts


def _phrase(words: list[TypedWord]) -> TypedWord:
    """Consecutive typed words as one piece for the generic voice."""
    if len(words) == 1:
        return words[0]
    return TypedWord(" ".join(w.text for w in words), tuple(t for w in words for t in w.tokens),
                     words[-1].pause_after)


def _build_units(project: Project, corpus: Corpus, r: Replacement, typed: TypedWord, rate: int,
                 reasons: list[str], cancel: object | None, target: Target = Target()) -> _Built | None:
    """``typed`` from the lecturer's half-phones (``target``: the prosody asked of it); None (reason
    appended) when it cannot be."""
    if not _has_phones(project):
        reasons.append("this lecture has no phone timings to build words from")
        return None
    text = " ".join(typed.tokens)
    inv = _inventory(project)
    try:
        speech = build_word(text, inv, language=project.transcript.language, rate=rate, target=target,
                            cancel=cancel)
    except UnitsUnavailable as e:
        reasons.append(f"it never says the phone{'s' if len(e.missing) > 1 else ''} "
                       f"{', '.join(e.missing)}" if e.missing else "it has no pronunciation")
    else:
        src = [(_at_rate(int(round(a * WORD_RATE / inv.rate)), rate),
                _at_rate(int(round(b * WORD_RATE / inv.rate)), rate)) for a, b in speech.sources]
        starts = inv.start * (rate / inv.rate)  # (n,) samples @ rate
        inside = np.zeros(len(inv), bool)
        for a, b in src:
            inside |= (starts >= a) & (starts < b)
        from_words = sorted({int(w) for w in inv.word[inside]})
        wr = (from_words[0], from_words[-1] + 1) if from_words else (r.start, r.start)
        use = SourceUse(wr, typed.text, (min(a for a, _ in src), max(b for _, b in src)),
                        (0, len(speech.audio)), IDENTITY_FIT, (), METHOD_UNITS, tuple(src),
                        tuple(p for p, _, _ in speech.phones))
        return _Built(typed, speech.audio, use, speech.phones)
    return None


def _build_generic(project: Project, corpus: Corpus, r: Replacement, typed: TypedWord, rate: int,
                   methods: tuple[str, ...], reasons: list[str]) -> _Built | None:
    """``typed`` (one word or a phrase) said by a generic voice matched to the lecturer; None (reason appended)."""
    text = " ".join(typed.tokens)
    if METHOD_GENERIC in methods:
        from .match import plan_match
        from .tts import TtsFailed, TtsUnavailable, speak

        try:
            said = speak(text, project.transcript.language, rate)
        except TtsUnavailable:
            reasons.append(f"no text-to-speech voice is installed ({INSTALL_HINT})")
            return None
        except TtsFailed as e:
            reasons.append(str(e))
            return None
        said_audio = _trim_silence(said.audio, rate)
        reference = _neighbouring_speech(project, corpus, r, rate)
        plan, audio = plan_match(said_audio, rate, reference)
        use = SourceUse((r.start, r.start), typed.text, (0, 0), (0, len(audio)), IDENTITY_FIT, (),
                        METHOD_GENERIC, (), tuple(p for p, _, _ in said.phones), said.backend, said.voice, plan)
        return _Built(typed, audio, use, ())
    return None


def _trim_silence(x: np.ndarray, rate: int) -> np.ndarray:
    """A TTS clip without its own leading/trailing silence (the span's room tone pads it instead)."""
    frame = max(rate // 100, 1)
    n = len(x) // frame
    if n == 0:
        return x
    levels = np.sqrt(np.mean(x[: n * frame].astype(np.float64).reshape(n, frame) ** 2, axis=1))  # (n,) 10 ms
    on = np.flatnonzero(levels > levels.max() * 10 ** (-40 / 20))
    if len(on) == 0:
        return x
    a, b = max(on[0] - 1, 0) * frame, min(on[-1] + 2, n) * frame
    return x[a:b]


def _neighbouring_speech(project: Project, corpus: Corpus, r: Replacement, rate: int) -> np.ndarray:
    """The lecturer's speech around the edit (``REFERENCE_S`` either side), what a generic voice is matched to."""
    from lecturecut.media.audio import read_range

    words = corpus.words
    if not words:
        return np.zeros(0, np.float32)
    centre = words[min(r.start, len(words) - 1)].start
    total = project.transcript.duration or words[-1].end
    a = max(centre - int(REFERENCE_S * WORD_RATE), 0)
    b = min(a + int(2 * REFERENCE_S * WORD_RATE), int(total))
    return read_range(project.source, rate, _at_rate(a, rate), _at_rate(max(b, a + 1), rate))


_INVENTORIES: dict[tuple[str, str], UnitInventory] = {}  # one per lecture and transcript, this process only


def _inventory(project: Project) -> UnitInventory:
    """The lecture's half-phone inventory (measured once per process; 16 kHz, the phones' own rate)."""
    from lecturecut.media.audio import decode_audio

    key = (project.fingerprint.head_tail_sha256, transcript_digest(project.transcript))
    if key not in _INVENTORIES:
        audio = decode_audio(project.source, WORD_RATE)
        _INVENTORIES.clear()  # one lecture at a time: an inventory holds the whole lecture's audio
        _INVENTORIES[key] = build_inventory(project.transcript, audio, WORD_RATE)
    return _INVENTORIES[key]


def _assemble(project: Project, corpus: Corpus, replacement: Replacement, parts: list, ctx,
              rate: int, key: str, progress: ProgressFn, cancel: object | None) -> SynthesizedSpeech:
    from lecturecut.media.audio import read_range

    margin = int(round(UNIT_MARGIN_S * rate))
    room = _RoomTone(project.source, corpus, rate, margin, project.fingerprint.head_tail_sha256)
    room_sample = room.take(int(0.1 * rate))  # what joins to room tone are tried with
    cut_in, cut_out, lead, trail = _span_range(project, corpus, replacement, rate, room_sample)
    out = room.take(lead + margin)  # the unit's leading margin is mixed into its last samples
    tail = margin  # how much of out's end a crossfade may take: room tone here
    sources, timed_words, timed_phones = [], [], []
    pieces: list[Unit | _Built] = [p for part in parts for p in (part.units if isinstance(part, Selection) else [part])]
    total_letters = max(sum(len(t) for p in pieces for t in (p.tokens if isinstance(p, Unit) else p.word.tokens)), 1)
    done_letters = 0
    for u, unit in enumerate(pieces):
        check_cancel(cancel)
        progress(u / len(pieces), "fitting recorded words")
        if isinstance(unit, _Built):
            done_letters += sum(len(t) for t in unit.word.tokens)
            # room tone either side, so the crossfades mix room with room and never eat the word
            y = np.concatenate([room.take(margin), unit.audio, room.take(margin)]).astype(np.float32)
            fade = min(margin, tail)
            start_out = len(out) - fade + margin  # where the word's first sample lands
            out = _join(out, y, fade)
            a, b = start_out + unit.use.output[0], start_out + unit.use.output[1]
            timed_words.append(Timed(unit.word.text, a, b, -1))
            for label, p0, p1 in unit.phones:
                timed_phones.append(Timed(label, start_out + p0, start_out + p1, -1))
            sources.append(dataclasses.replace(unit.use, output=(a, b)))
            tail = margin
            if unit.word.pause_after and u < len(pieces) - 1:
                out = _join(out, room.take(int(TYPED_PAUSE_S * rate) + 2 * margin), margin)
            continue
        c = unit.chosen
        run = corpus.words[c.start:c.end]
        a, b = _at_rate(run[0].start, rate), _at_rate(run[-1].end, rate)
        ml = mr = margin + int(round(EDGE_OUTWARD_S * rate))  # read more: where to cut is searched
        x = read_range(project.source, rate, a - ml, b + mr)
        letters = sum(len(t) for t in unit.tokens)
        p0, p1 = done_letters / total_letters, (done_letters + letters) / total_letters
        done_letters += letters
        fit = _fit_for(corpus, unit, ctx, p0, p1)
        y = apply_fit(x, rate, fit, (ml, ml + b - a))
        stretch = (len(y) / len(x)) if len(x) else 1.0  # the resynthesis' real length ratio
        room_before = u == 0 or isinstance(pieces[u - 1], _Built) or _pause_after(pieces[u - 1])
        room_after = u == len(pieces) - 1 or isinstance(pieces[u + 1], _Built) or unit.pause_after
        # the read margins lie in a pause of the recording (not in the words recorded either side of it)
        clear_before = c.start == 0 or _at_rate(run[0].start - corpus.words[c.start - 1].end, rate) >= ml
        clear_after = c.end == len(corpus.words) or _at_rate(corpus.words[c.end].start - run[-1].end, rate) >= mr
        head, end = _unit_edges(y, rate, margin, ml, mr, stretch, room_sample, room_before, room_after,
                                clear_before, clear_after)
        read = (a - ml + int(round(head / stretch)), b + mr - int(round((len(y) - end) / stretch)))
        phones = project.transcript.words
        y = _without_neighbours(y[head:end], rate, room, int(round(ml * stretch)) - head,
                                int(round(mr * stretch)) - (len(y) - end),
                                room_before and not clear_before, room_after and not clear_after,
                                _first_phone(phones[run[0].index]), _last_phone(phones[run[-1].index]))
        fade = min(margin, tail)  # never into the previous unit's word, never past this one's margin
        start_out = len(out) - fade  # where y[0] lands once joined
        out = _join(out, y, fade)

        def place(t16: int, a=a - ml, start_out=start_out - head, stretch=stretch) -> int:
            return start_out + int(round((_at_rate(t16, rate) - a) * stretch))

        for w in run:
            timed_words.append(Timed(w.text, place(w.start), place(w.end), w.index))
            for p in project.transcript.words[w.index].phones:
                timed_phones.append(Timed(p.label, place(p.start), place(p.end), w.index))
        sources.append(SourceUse((c.start, c.end), " ".join(w.text for w in run), read,
                                 (place(run[0].start), place(run[-1].end)), fit,
                                 tuple(k.start for k in unit.candidates[:ALTERNATIVES])))
        tail = margin  # what of ``out``'s end is margin, not word
        if unit.pause_after and u < len(pieces) - 1:
            out = _join(out, room.take(int(TYPED_PAUSE_S * rate) + 2 * margin), margin)
    if pieces and _pause_after(pieces[-1]):  # "…, Dr. Smith, ask": a typed comma is a pause before the source
        trail = max(trail, int(TYPED_PAUSE_S * rate))
    out = _join(out, room.take(trail + tail), tail)
    record = SpanRecord(replacement, rate, len(out), (cut_in, cut_out), weakest(s.method for s in sources),
                        tuple(sources), tuple(timed_words), tuple(timed_phones), room.ranges, cache.ENGINE_VERSION,
                        key)
    # through its JSON form, as the cache stores it: a fresh record equals the one read back
    record = SpanRecord.from_json(json.loads(json.dumps(record.to_json())))
    return SynthesizedSpeech(np.ascontiguousarray(out, np.float32), record, cached=False)


def _units_target(words: tuple[TypedWord, ...], typed: TypedWord, ctx) -> Target:
    """What a word built from units is asked to sound like where it goes: the pitch contour its
    neighbours run at (``select._contour`` at its place among the typed words, as a reused word is
    fitted to), not the fall of a word said alone. Its edges stay chosen for silence (it is placed
    between room tone) and its phones keep their own length: made faster to match quick speech
    around it, a word said between pauses was heard less well ("mask" became "master's" on JFK)."""
    letters = [sum(len(t) for t in w.tokens) for w in words]
    k = next(i for i, w in enumerate(words) if w is typed)
    total = max(sum(letters), 1)
    f0 = (_contour(ctx, sum(letters[:k]) / total), _contour(ctx, sum(letters[:k + 1]) / total))
    return Target(f0_hz=f0 if min(f0) > 0 else None)


def _unit_edges(y: np.ndarray, rate: int, margin: int, ml: int, mr: int, stretch: float, room: np.ndarray,
                room_before: bool, room_after: bool, clear_before: bool, clear_after: bool) -> tuple[int, int]:
    """(first, end): the samples of a fitted recorded run ``y`` (read with ``ml`` / ``mr`` samples
    around its words) that are kept: ``margin`` either side of the words, and where a side is
    faded from or into room tone (``room_before`` / ``room_after``), the cut that jumps least there
    (:func:`psola.best_cut`), up to ``EDGE_OUTWARD_S`` further out where that is still a pause of
    the recording (``clear_*``); where a word was recorded right next to it, the margin as read."""
    from .psola import best_cut

    half, per_sample = margin // 2, JOIN_COST_PER_S / rate
    head, end = int(round((ml - margin) * stretch)), len(y) - int(round((mr - margin) * stretch))
    if room_before and clear_before:
        head = best_cut(y, head + half, head, 0, rate, room, margin, False, True, per_sample) - half
    if room_after and clear_after:
        end = best_cut(y, end - half, 0, len(y) - end, rate, room, margin, True, False, per_sample) + half
    return max(head, 0), min(max(end, head + 1), len(y))


def _first_phone(word) -> str:
    return word.phones[0].label if word.phones else ""


def _last_phone(word) -> str:
    return word.phones[-1].label if word.phones else ""


def _envelope_db(x: np.ndarray, rate: int, a: int, b: int) -> tuple[np.ndarray, int]:
    """(dB per 1 ms step of a 4 ms RMS window centred on each step in [a, b), the step in samples)."""
    hop, half = max(rate // 1000, 1), max(rate // 500, 1)
    centres = np.arange(max(a, 0), min(b, len(x)), hop)
    if len(centres) == 0:
        return np.zeros(0), hop
    c = np.concatenate([[0.0], np.cumsum(np.asarray(x, np.float64) ** 2)])
    lo, hi = np.clip(centres - half, 0, len(x)), np.clip(centres + half, 0, len(x))
    power = (c[hi] - c[lo]) / np.maximum(hi - lo, 1)
    return 10 * np.log10(power + 1e-12), hop


def _without_neighbours(y: np.ndarray, rate: int, room: _RoomTone, before: int, after: int,
                        lead: bool, trail: bool, first: str, last: str) -> np.ndarray:
    """A recorded run as kept (``before`` / ``after`` samples of margin around its words), where a
    margin that meets room tone holds a word recorded right next to it (``lead`` / ``trail``): that
    part is replaced by room tone, cut at the energy valley between the words (see ``LEAK_*``);
    ``first`` / ``last``: the run's first and last phone. The length and the words' place stay."""
    fade = int(round(LEAK_FADE_S * rate))
    reach, into = int(round(LEAK_REACH_S * rate)), int(round(LEAK_INTO_S * rate))
    words_end = len(y) - after
    if lead and before > fade:
        lo = max(before - reach, fade)
        env, hop = _envelope_db(y, rate, lo, min(before + into, words_end))
        if len(env):
            k = int(np.argmin(env))
            if first not in STOPS:  # past a release of the neighbour's to where the word's own onset holds
                onset = 10 * np.log10(np.mean(np.square(y[before:before + int(ONSET_S * rate)],
                                                        dtype=np.float64)) + 1e-12)
                hold = max(int(ONSET_HOLD_S * rate) // hop, 1)
                loud = env > onset - ONSET_DROP_DB
                k = next((j for j in range(k, len(env) - hold + 1) if loud[j:j + hold].all()), k)
            cut = lo + k * hop
            if first in VOWELS:  # a vowel does not start at full level from silence (that is heard as a stop)
                soft = min(int(round(VOWEL_ONSET_S * rate)), words_end - cut)
                y = _join(room.take(cut + soft), y[cut:], soft)
            else:
                y = _join(room.take(cut), y[cut - fade:], fade)  # the fade lies on the neighbour's side
    if trail and after > fade:
        words_end = len(y) - after
        hi = min(words_end + reach, len(y) - fade)
        lo = words_end if last in STOPS else max(words_end - into, 0)  # a final stop's burst is its own
        env, hop = _envelope_db(y, rate, lo, hi)
        if len(env):
            cut = lo + int(np.argmin(env)) * hop
            y = _join(y[:cut + fade], room.take(len(y) - cut), fade)  # on the neighbour's side
    return y


def _fit_for(corpus: Corpus, unit: Unit, ctx, p0: float, p1: float) -> Fit:
    """The moderate fit of a chosen run to the target: the context's rate, the contour at its
    ends (relative to the run's own median pitch, so its own intonation shape is kept), the
    neighbours' loudness."""
    run = corpus.words[unit.chosen.start:unit.chosen.end]
    f0s = [w.f0 for w in run if w.f0 > 0]
    f0 = float(np.median(f0s)) if f0s else 0.0
    power = float(np.mean([10 ** (w.rms_db / 10) for w in run]))
    rate = float(np.mean([w.rate for w in run]))
    return plan_fit(rate, ctx.rate, f0, f0, _contour(ctx, p0), _contour(ctx, p1),
                    10 * np.log10(power), ctx.loudness_db)


def _pause_after(piece) -> bool:
    """Whether the text typed for a placed piece (a recorded unit or a built word) ends with , . ; : ! ?"""
    return bool(piece.word.pause_after if isinstance(piece, _Built) else piece.pause_after)
