"""Which language a recording is in, and whether its transcript is believable in it.

Whisper on its own decides from the first 30 s and among all its 99
languages, so a short clip of British English can come out as Welsh (and
then be transcribed as Welsh-looking nonsense). Here the decision is made

* over up to ``DETECT_CHUNKS`` stretches of speech spread across the whole
  recording (each up to one Whisper window), averaged; and
* among a small set of candidate languages (``DEFAULT_CANDIDATES`` plus the
  user-interface language), renormalised over them.

Two numbers come out: the probability among the candidates, and the raw
share the candidates hold in Whisper's full distribution. A low share means
the speech may be in none of them. After transcription Whisper's own
statistics (``assess_segments``) say whether the text looks like real speech
in that language. Either doubt ends up in a ``LanguageCheck`` the front ends
show, with the language to try instead.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from .segments import Engine, Segment, Window
from .transcript import SAMPLE_RATE, LanguageCheck

AUTO = "auto"
DEFAULT_CANDIDATES = ("en", "de")  # the languages lecturecut's users lecture in; the UI language joins them
DETECT_CHUNKS = 5  # stretches of speech judged; each costs one encoder pass of 30 s
DETECT_CHUNK = SAMPLE_RATE * 30  # samples; one Whisper window, the most one detection pass sees

# ---- detection doubt
# Below this probability among the candidates the runner-up is a real possibility (for two
# candidates: within 5 points of a coin flip). The committed English clips score >= 0.99 among
# en/de with the base model, except a 3 s GRID sentence of British English that Whisper alone
# calls Danish (grid_bbaf2n: 0.58 among en/de; see bench/language_table.py). That clip is
# English and is transcribed as English, so the line sits under it rather than above.
MIN_CANDIDATE_PROBABILITY = 0.55
# Below this share of Whisper's whole distribution the candidates are all unlikely: the speech is
# probably in another language. The lowest share on a committed English clip is ~0.3 (the webcam
# clip, whose accent Whisper spreads over Greek, Spanish and Galician); English judged among
# de/fr only holds < 0.01. 0.1 sits well between the two.
MIN_CANDIDATE_SHARE = 0.1

# ---- transcript doubt (Whisper's own per-segment statistics)
# A word Whisper gives less than this is a guess; in real speech in the right language a few such
# words are normal (names, mumbles), in the wrong language most words are.
LOW_WORD_PROBABILITY = 0.3
MAX_LOW_WORD_SHARE = 0.4  # committed English clips and espeak German stay under 0.15
# Whisper's own thresholds (whisper.transcribe defaults): text that compresses more than 2.4x
# with zlib is a repetition loop, and a mean token log-probability under -1 is a failed decode.
MAX_COMPRESSION_RATIO = 2.4
MIN_AVG_LOGPROB = -1.0
MIN_TEXT_BYTES = 60  # shorter text compresses too little for the ratio to mean anything
MIN_WORDS = 3  # fewer words give no statistics worth a warning


def language_code(language: str | None) -> str | None:
    """"de", "DE", "German" -> "de"; None, "" or "auto" -> None (detect). ValueError for unknown names."""
    if language is None or language.strip().lower() in ("", AUTO):
        return None
    from whisper.tokenizer import LANGUAGES, TO_LANGUAGE_CODE

    key = language.strip().lower()
    if key in LANGUAGES:
        return key
    if key in TO_LANGUAGE_CODE:
        return TO_LANGUAGE_CODE[key]
    raise ValueError(f"unknown language {language!r}; use a code such as 'en' or 'de', or leave it empty to detect")


def language_name(code: str) -> str:
    """"de" -> "German" (the code itself when Whisper does not know it)."""
    from whisper.tokenizer import LANGUAGES

    return LANGUAGES.get(code, code).title()


def candidate_languages(setting: str | Iterable[str] | None = None, ui_language: str | None = None) -> tuple[str, ...]:
    """The languages detection chooses among, in order, without repeats.

    ``setting``: "en,de,fr", a sequence of codes or names, or None for
    ``DEFAULT_CANDIDATES``; the ``ui_language`` (if any) is added to it.
    ValueError for an unknown language or an empty list.
    """
    if setting is None:
        items: list[str] = list(DEFAULT_CANDIDATES)
    elif isinstance(setting, str):
        items = [part for part in setting.split(",") if part.strip()]
    else:
        items = list(setting)
    if ui_language:
        items.append(ui_language)
    codes: list[str] = []
    for item in items:
        code = language_code(item)
        if code is None:
            raise ValueError(f"'{item}' is not a language to choose among; give codes such as en,de")
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ValueError("the list of candidate languages is empty; give codes such as en,de")
    return tuple(codes)


def detection_chunks(audio: np.ndarray, spans: Sequence[Window], n_chunks: int = DETECT_CHUNKS) -> list[np.ndarray]:
    """Up to ``n_chunks`` pieces of speech, each at most ``DETECT_CHUNK`` long, spread across the recording.

    The speech spans are dealt into ``n_chunks`` consecutive groups; each
    chunk is the speech at the start of its group joined up to one Whisper
    window, so a long lecture is judged at its beginning, middle and end,
    and a short clip in one pass over all of its speech.
    """
    if not spans:
        return []
    groups = np.array_split(np.arange(len(spans)), min(n_chunks, len(spans)))
    chunks = []
    for group in groups:
        pieces, length = [], 0
        for i in group:
            span = spans[int(i)]
            piece = audio[span.start : min(span.end, span.start + DETECT_CHUNK - length)]
            pieces.append(piece)
            length += len(piece)
            if length >= DETECT_CHUNK:
                break
        if length:
            chunks.append(np.concatenate(pieces))
    return chunks


@dataclass(frozen=True)
class LanguageGuess:
    """The outcome of detection over several chunks, restricted to the candidates."""

    ranked: tuple[tuple[str, float], ...]  # candidates, most likely first; probabilities sum to 1
    candidate_share: float  # what the candidates together hold of Whisper's full distribution (0..1)
    unrestricted: str  # Whisper's own best guess over all its languages
    unrestricted_probability: float
    chunks: int  # how many stretches of speech were judged

    @property
    def language(self) -> str:
        return self.ranked[0][0]

    @property
    def probability(self) -> float:
        return self.ranked[0][1]


def combine(distributions: Sequence[Mapping[str, float]], weights: Sequence[float],
            candidates: Sequence[str]) -> LanguageGuess:
    """Average per-chunk distributions (weighted by speech length) and restrict them to ``candidates``.

    An arithmetic mean of probabilities, not of log-probabilities: one chunk
    of music or noise gives a flat distribution, which the mean shrugs off
    but a geometric mean would let veto the language of every other chunk.
    Ties go to the earlier candidate, so the answer never depends on dict order.
    """
    if not distributions:
        raise ValueError("no speech to detect the language of")
    total = float(sum(weights))
    mean: dict[str, float] = {}
    for dist, weight in zip(distributions, weights):
        for code, p in dist.items():
            mean[code] = mean.get(code, 0.0) + float(p) * weight / total
    share = sum(mean.get(c, 0.0) for c in candidates)
    if share > 0:
        restricted = [(c, mean.get(c, 0.0) / share) for c in candidates]
    else:  # no candidate at all (an English-only model asked about German): equal ignorance
        restricted = [(c, 1.0 / len(candidates)) for c in candidates]
    order = {c: i for i, c in enumerate(candidates)}
    ranked = tuple(sorted(restricted, key=lambda cp: (-cp[1], order[cp[0]])))
    best = min(mean, key=lambda c: (-mean[c], c))
    return LanguageGuess(ranked, share, best, mean[best], len(distributions))


def detect_language(engine: Engine, audio: np.ndarray, spans: Sequence[Window],
                    candidates: Sequence[str] = DEFAULT_CANDIDATES) -> LanguageGuess:
    """The most likely of ``candidates`` for the speech in ``spans`` of ``audio`` (deterministic)."""
    chunks = detection_chunks(audio, spans)
    distributions = [engine.language_probabilities(chunk) for chunk in chunks]
    return combine(distributions, [len(c) for c in chunks], candidates)


@dataclass(frozen=True)
class TranscriptStats:
    """Whisper's confidence in a transcript, pooled over its segments."""

    words: int
    low_word_share: float  # share of words under LOW_WORD_PROBABILITY
    avg_logprob: float  # mean token log-probability, segments weighted by their words
    compression_ratio: float  # zlib ratio of the whole text (Whisper's repetition test)
    no_speech_prob: float  # mean over segments, weighted by their words


def transcript_stats(segments: Sequence[Segment]) -> TranscriptStats:
    words = [w for s in segments for w in s.words]
    n = len(words)
    if n == 0:
        return TranscriptStats(0, 0.0, 0.0, 0.0, 0.0)
    text = " ".join(s.text for s in segments).encode("utf-8")
    weights = [len(s.words) for s in segments]
    return TranscriptStats(
        words=n,
        low_word_share=sum(w.probability < LOW_WORD_PROBABILITY for w in words) / n,
        avg_logprob=sum(s.avg_logprob * k for s, k in zip(segments, weights)) / n,
        compression_ratio=len(text) / len(zlib.compress(text)),
        no_speech_prob=sum(s.no_speech_prob * k for s, k in zip(segments, weights)) / n,
    )


def implausibility(stats: TranscriptStats, language: str) -> str:
    """One line saying why the transcript looks wrong for ``language``, or "" when it looks fine."""
    if stats.words < MIN_WORDS:
        return ""
    name = language_name(language)
    if stats.low_word_share > MAX_LOW_WORD_SHARE:
        return (f"Whisper is unsure of {stats.low_word_share:.0%} of the words, which suggests the speech "
                f"is not in {name}.")
    if stats.avg_logprob < MIN_AVG_LOGPROB:
        return f"Whisper found the {name} text improbable (mean log-probability {stats.avg_logprob:.2f})."
    if stats.compression_ratio > MAX_COMPRESSION_RATIO:
        return (f"The {name} transcript repeats itself (compression ratio {stats.compression_ratio:.1f}), "
                "a sign of a failed decode.")
    return ""


def _alternatives(guess: LanguageGuess) -> tuple[tuple[str, float], ...]:
    others = guess.ranked[1:]
    outside = guess.unrestricted not in {c for c, _ in guess.ranked}
    if guess.candidate_share < MIN_CANDIDATE_SHARE and outside:
        # the candidates are all unlikely: Whisper's own guess (its raw probability) is the better offer
        return ((guess.unrestricted, guess.unrestricted_probability),) + others
    return others


def detection_doubt(guess: LanguageGuess) -> str:
    """One line when the detection itself is unsure, else ""."""
    names = "/".join(c for c, _ in guess.ranked)
    name = language_name(guess.language)
    if guess.candidate_share < MIN_CANDIDATE_SHARE:
        other = (f"; Whisper's own guess is {language_name(guess.unrestricted)}"
                 if guess.unrestricted not in {c for c, _ in guess.ranked} else "")
        return (f"The speech may be in none of {names}: they hold only {guess.candidate_share:.0%} of "
                f"Whisper's estimate{other}.")
    if guess.probability < MIN_CANDIDATE_PROBABILITY and len(guess.ranked) > 1:
        return (f"{name} was detected with only {guess.probability:.0%} confidence among {names}; "
                f"it may be {language_name(guess.ranked[1][0])}.")
    return ""


def check_language(language: str, guess: LanguageGuess | None, stats: TranscriptStats | None) -> LanguageCheck:
    """The LanguageCheck for a transcript in ``language``: ``guess`` None means the user chose it."""
    transcript_doubt = implausibility(stats, language) if stats is not None else ""
    if guess is None:
        return LanguageCheck(language, None, True, (), bool(transcript_doubt), transcript_doubt)
    reason = " ".join(r for r in (detection_doubt(guess), transcript_doubt) if r)
    return LanguageCheck(
        language=language,
        probability=guess.probability,
        forced=False,
        alternatives=_alternatives(guess),
        uncertain=bool(reason),
        reason=reason,
    )

