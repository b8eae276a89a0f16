"""The voice engine's room: new speech for retyped and inserted words, in the lecturer's own voice.

Its contract, so that it grows without touching editing or rendering: it reads
the render plan's pending replacements (the words of a retype and the audio
around it) and returns audio for each, built first from the lecturer's own
words and sounds elsewhere in the lecture. It never sees the GUI, the project
file or ffmpeg (audio comes through ``lecturecut.media``); rendering mixes
what it returns.

This slice reuses whole recorded words (VoCo-style unit selection):

- ``text``: typed text -> spoken tokens ("2024" -> twenty twenty four, "Dr." -> doctor);
- ``corpus``: every recorded word measured once (rate, loudness, F0, edge spectra,
  phrase position), verbatim runs indexed, the room tone found;
- ``select``: longest verbatim runs first, then words; target + join costs, Viterbi;
- ``prosody``: moderate PSOLA fit of duration, pitch contour and loudness;
- ``render.synthesize``: the entry function -> :class:`SynthesizedSpeech`;
- ``cache``: content-addressed spans and corpora under the lecturecut cache;
- ``listing.synthesized_spans``: every retype with its method and sources, or pending;
- ``preview.in_context``: the reference mix of a span into the source.

``render.synthesize`` composes three paths, per typed word, best first:

- reused: a recorded occurrence of the word (the slice above);
- units: a word the lecture never says built from the lecturer's own half-phones
  (``units.build_word``; English transcripts with pocketsphinx phone timings);
- generic: a TTS voice (``tts``: piper, then espeak-ng) matched to the lecturer's
  loudness, colour and room (``match``), flagged "generic voice".

Each stretch is recorded with its method and sources (``record.SourceUse``), the span
with the weakest of them (generic < units < reused). When no path can say a word,
:class:`VoiceUnavailable` names it and the reason in one line; export then keeps the
recorded words of that retype and says so.
"""

from .listing import SpanStatus, synthesized_spans
from .record import (
                     METHOD_GENERIC,
                     METHOD_REUSED,
                     METHOD_UNITS,
                     NothingToSay,
                     SourceUse,
                     SpanRecord,
                     SynthesizedSpeech,
                     Timed,
                     TooLong,
                     VoiceError,
                     VoiceUnavailable,
                     weakest,
)
from .render import MAX_WORDS, rank_occurrences, synthesize

__all__ = ["synthesize", "rank_occurrences", "synthesized_spans", "SynthesizedSpeech", "SpanRecord", "SourceUse",
           "Timed", "SpanStatus", "VoiceError", "VoiceUnavailable", "NothingToSay", "TooLong", "MAX_WORDS",
           "METHOD_REUSED", "METHOD_UNITS", "METHOD_GENERIC", "weakest"]
