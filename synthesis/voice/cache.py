"""Content-addressed cache of synthesized spans and of measured corpora.

A span's key is a hash of everything its audio depends on: the source file's
fingerprint, the transcript (its words and times: the neighbours, the
corpus), the retype with its voice tuning (``Replacement.to_json`` carries
it, so a retuned retype is another entry and an untuned one keeps the key it
always had), the output rate, explicit overrides of occurrences and the
engine version. The same edit exported twice, previewed, undone and
redone is synthesized once. Files live under ``<cache_root>/voice/`` as
``<key>.npy`` (the samples) beside ``<key>.json`` (the record); the JSON is
written last, so its presence means the pair is complete. Every write is
atomic (:mod:`lecturecut.files`): a killed run leaves no half entry.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import numpy as np

from lecturecut.files import write_bytes_atomic, write_text_atomic
from lecturecut.models.weights import cache_root

from ..edl import Replacement
from .corpus import CORPUS_VERSION, Corpus
from .record import SpanRecord, SynthesizedSpeech

# bump when synthesis changes what it makes: old entries are then never hit
# 6: a neighbour recorded next to a margin is room tone; 5: margins cut only in pauses, clean edges;
# 4: connected cuts; 3: generic phrase; 2: units
ENGINE_VERSION = "voice-6"
# bump when tuning.apply_tuning changes what a tuned span sounds like: only tuned entries are then missed
TUNING_VERSION = "tuning-2"  # tuning-2: a gain up stops at the words' headroom


def voice_dir() -> Path:
    return cache_root() / "voice"


def _digest(payload: dict) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def span_key(fingerprint: str, transcript_digest: str, replacement: Replacement, rate: int,
             overrides: dict[int, int] | None, methods: tuple[str, ...] | None = None) -> str:
    """``methods``: None when every method may be used (what export and the listing ask for)."""
    payload = {"engine": ENGINE_VERSION, "source": fingerprint, "transcript": transcript_digest,
               "replacement": replacement.to_json(), "rate": rate, "overrides": sorted((overrides or {}).items())}
    if methods is not None:
        payload["methods"] = list(methods)
    if not replacement.tuning.is_default:  # untuned keys stay as they were before tuning existed
        payload["tuning"] = TUNING_VERSION
    return _digest(payload)


def corpus_key(fingerprint: str, transcript_digest: str) -> str:
    return _digest({"corpus": CORPUS_VERSION, "source": fingerprint, "transcript": transcript_digest})


def _span_paths(key: str) -> tuple[Path, Path]:
    folder = voice_dir() / "spans" / key[:2]
    return folder / f"{key}.npy", folder / f"{key}.json"


def load_record(key: str) -> SpanRecord | None:
    """The record of a cached span, or None (missing, unreadable or from another version)."""
    _, meta = _span_paths(key)
    try:
        record = SpanRecord.from_json(json.loads(meta.read_text(encoding="utf-8")))
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return record if record.key == key and record.engine_version == ENGINE_VERSION else None


def load_span(key: str) -> SynthesizedSpeech | None:
    record = load_record(key)
    if record is None:
        return None
    audio_path, _ = _span_paths(key)
    try:
        audio = np.load(audio_path, allow_pickle=False)
    except (OSError, ValueError):
        return None
    if audio.dtype != np.float32 or audio.ndim != 1 or len(audio) != record.n_samples:
        return None  # a damaged entry is a miss, never wrong audio
    return SynthesizedSpeech(audio, record, cached=True)


def store_span(speech: SynthesizedSpeech) -> None:
    audio_path, meta = _span_paths(speech.record.key)
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(speech.audio, np.float32), allow_pickle=False)
    write_bytes_atomic(audio_path, buf.getvalue())
    write_text_atomic(meta, json.dumps(speech.record.to_json()))


def load_corpus(key: str) -> Corpus | None:
    path = voice_dir() / "corpus" / f"{key}.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return Corpus.from_json(data) if data.get("version") == CORPUS_VERSION else None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def store_corpus(key: str, corpus: Corpus) -> None:
    write_text_atomic(voice_dir() / "corpus" / f"{key}.json", json.dumps(corpus.to_json()))


def room_key(fingerprint: str, ranges: tuple[tuple[int, int], ...], rate: int, fade: int) -> str:
    """A lecture's looped room tone at ``rate``: its source, the quiet ranges it is read from, the fade."""
    return _digest({"room": 1, "source": fingerprint, "ranges": [list(r) for r in ranges], "rate": rate,
                    "fade": fade})


def load_room(key: str) -> np.ndarray | None:
    try:
        return np.load(voice_dir() / "room" / f"{key}.npy", allow_pickle=False).astype(np.float32, copy=False)
    except (OSError, ValueError):
        return None


def store_room(key: str, loop: np.ndarray) -> None:
    buf = io.BytesIO()
    np.save(buf, np.ascontiguousarray(loop, np.float32), allow_pickle=False)
    write_bytes_atomic(voice_dir() / "room" / f"{key}.npy", buf.getvalue())
