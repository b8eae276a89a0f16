"""openai-whisper as a transcription engine: one window of audio in, segments of Words out.

Whisper's nested result dicts are converted to ``Segment``/``Word`` here,
once. Cancellation reaches inside a window through forward pre-hooks on the
encoder and decoder (the decoder runs once per token), so a set token stops
a transcription within a fraction of a second instead of after the window.
"""

from __future__ import annotations

import threading
import urllib.error
from typing import Any

import numpy as np

from lecturecut.core import Cancelled, check_cancel

from .offline_models import ResolvedModel, download_failed, whisper_cache_dir
from .segments import Segment, segment_from_words
from .transcript import Word, to_samples

BACKEND = "whisper"
# Whisper's own fallback schedule: retry a window hotter when decoding looks broken.
TEMPERATURES = (0.0, 0.2, 0.4, 0.6, 0.8, 1.0)
SAMPLING_SEED = 0  # any fixed value: what matters is that every run of a window samples alike


class WhisperEngine:
    """A loaded openai-whisper model."""

    backend = BACKEND

    def __init__(self, model: Any, name: str) -> None:
        import torch

        self._model = model
        # Whisper installs its key/value-cache hooks on the shared model for each call:
        # two transcriptions at once would mix their caches, so one runs at a time.
        self._lock = threading.Lock()
        self.model_name = name
        self.multilingual = bool(model.is_multilingual)
        self._fp16 = next(model.parameters()).device.type == "cuda" and torch.cuda.is_available()
        device = next(model.parameters()).device
        self._rng_devices = [device] if device.type == "cuda" else []

    @property
    def model(self) -> Any:
        return self._model

    def language_probabilities(self, audio: np.ndarray) -> dict[str, float]:
        """Whisper's probability for each of its languages, from the first 30 s of ``audio``."""
        import whisper

        if not self.multilingual:
            return {"en": 1.0}
        mel = whisper.log_mel_spectrogram(whisper.pad_or_trim(audio.astype(np.float32, copy=False)),
                                          self._model.dims.n_mels)
        with self._lock:
            _, probs = self._model.detect_language(mel.to(next(self._model.parameters()).device))
        return {str(code): float(p) for code, p in probs.items()}

    def transcribe_window(
        self, audio: np.ndarray, language: str, offset: int, cancel: object | None = None
    ) -> list[Segment]:
        """Transcribe one window (at most ~30 s); times are absolute samples (window + ``offset``)."""
        check_cancel(cancel)
        with self._lock:
            return self._transcribe_locked(audio, language, offset, cancel)

    def _transcribe_locked(self, audio: np.ndarray, language: str, offset: int, cancel: object | None) -> list[Segment]:
        import torch
        import whisper

        owner = threading.get_ident()

        def stop_if_cancelled(module: Any, args: Any) -> None:
            # only the thread that asked: the model object may also be used directly elsewhere
            if threading.get_ident() == owner and cancel is not None and cancel.is_set():  # type: ignore[attr-defined]
                raise Cancelled()

        hooks = [m.register_forward_pre_hook(stop_if_cancelled) for m in (self._model.encoder, self._model.decoder)]
        try:
            # Whisper samples from torch's global generator when it falls back to a temperature
            # above 0: a fixed seed inside fork_rng makes a window decode the same on every run
            # without disturbing anyone else's random state.
            with torch.random.fork_rng(devices=self._rng_devices):
                torch.manual_seed(SAMPLING_SEED)
                result = self._decode(whisper, audio, language)
        finally:
            for h in hooks:
                h.remove()
        return [segment_from_whisper_dict(s, offset) for s in result.get("segments", [])]

    def _decode(self, whisper: Any, audio: np.ndarray, language: str) -> dict[str, Any]:
        return whisper.transcribe(
            self._model,
            audio.astype(np.float32, copy=False),
            language=language,
            task="transcribe",
            temperature=TEMPERATURES,
            fp16=self._fp16,
            word_timestamps=True,
            # each window stands alone: conditioning on earlier text feeds hallucination
            # loops on long recordings, and windows are cut at pauses anyway
            condition_on_previous_text=False,
            verbose=None,  # None: whisper prints nothing and shows no progress bar
        )


def segment_from_whisper_dict(seg: dict[str, Any], offset: int) -> Segment:
    """The edge: one openai-whisper segment dict -> Segment of Words (absolute samples)."""
    words = []
    for w in seg.get("words", []) or []:
        text = str(w["word"]).strip()
        if not text:
            continue
        start = offset + to_samples(float(w["start"]))
        end = max(start, offset + to_samples(float(w["end"])))
        # 4 decimals: what Transcript JSON keeps, so a saved transcript loads back equal
        probability = round(float(w.get("probability", 1.0)), 4)
        words.append(Word(text, start, end, probability, raw_start=start, raw_end=end))
    return segment_from_words(words, float(seg.get("no_speech_prob", 0.0)), float(seg.get("avg_logprob", 0.0)))


def load_whisper_engine(resolved: ResolvedModel) -> WhisperEngine:
    """Load the weights ``resolved`` points at (downloading only for source "download")."""
    import torch
    import whisper

    from .ct2_convert import load_whisper_checkpoint

    device = "cuda" if torch.cuda.is_available() else "cpu"
    if resolved.source in ("whisper-cache", "download"):
        try:
            model = whisper.load_model(resolved.alignment_name or resolved.name, device=device,
                                       download_root=str(whisper_cache_dir()))
        except (urllib.error.URLError, OSError, RuntimeError) as exc:
            raise download_failed(resolved.name, exc) from exc
    else:
        model = load_whisper_checkpoint(resolved.path, resolved.alignment_name, device=device)
    model.eval()
    return WhisperEngine(model, resolved.name)

