"""Speech recognition: word-timed transcripts with exact word boundaries.

Heavy libraries (torch, whisper, faster-whisper, pocketsphinx) load only when
a function needs them, so importing ``asr`` stays cheap for the command line.
"""

from .language import DEFAULT_CANDIDATES, candidate_languages, language_code
from .offline_models import (
    DEFAULT_MODEL,
    ENGLISH_MODEL,
    OFFLINE_MODELS,
    ModelUnavailableError,
    ResolvedModel,
    cache_root,
    default_model_name,
    resolve_model,
)
from .refine import refine_transcript, tidy_words
from .transcribe import Engine, Segment, load_engine, transcribe
from .transcript import SAMPLE_RATE, LanguageCheck, Phone, Transcript, Word, normalize_word, to_samples, to_seconds

__all__ = [
    "DEFAULT_CANDIDATES", "DEFAULT_MODEL", "ENGLISH_MODEL", "OFFLINE_MODELS", "SAMPLE_RATE",
    "Engine", "LanguageCheck", "ModelUnavailableError", "Phone", "ResolvedModel", "Segment", "Transcript", "Word",
    "cache_root", "candidate_languages", "default_model_name", "language_code", "load_engine", "normalize_word",
    "refine_transcript", "resolve_model", "tidy_words", "to_samples", "to_seconds", "transcribe",
]
