"""faster-whisper (CTranslate2) as a transcription engine.

It reads the CTranslate2 folders of the offline models directly; int8 on
the CPU is about three times faster than openai-whisper in float32. Its
segment and word objects are converted to ``Segment``/``Word`` here, once.
Segments arrive from a generator, so cancellation is checked between them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lecturecut.core import check_cancel

from .offline_models import ResolvedModel, download_failed
from .segments import Segment, segment_from_words
from .transcript import Word, to_samples

BACKEND = "faster-whisper"
DEVICE = "cpu"
COMPUTE_TYPE = "int8"  # quantized on load; the files stay float16
BEAM_SIZE = 5  # faster-whisper's default; cheap with CTranslate2
SAMPLING_SEED = 0  # any fixed value: what matters is that every run samples alike


class FasterWhisperEngine:
    """A loaded faster-whisper model."""

    backend = BACKEND

    def __init__(self, model: Any, name: str) -> None:
        self._model = model
        self.model_name = name
        self.multilingual = bool(model.model.is_multilingual)

    @property
    def model(self) -> Any:
        return self._model

    def language_probabilities(self, audio: np.ndarray) -> dict[str, float]:
        """faster-whisper's probability for each language, from the first 30 s of ``audio``."""
        if not self.multilingual:
            return {"en": 1.0}
        window = audio[: self._model.feature_extractor.n_samples].astype(np.float32, copy=False)
        # one segment of at most 30 s: the third value is then that window's full distribution
        _, _, all_probs = self._model.detect_language(window, language_detection_segments=1)
        return {str(code): float(p) for code, p in all_probs}

    def transcribe_window(
        self, audio: np.ndarray, language: str, offset: int, cancel: object | None = None
    ) -> list[Segment]:
        """Transcribe one window; times are absolute samples (window + ``offset``)."""
        check_cancel(cancel)
        import ctranslate2

        # the temperature fallback samples: seeding CTranslate2 first makes a window decode
        # alike on every run (its generator serves only CTranslate2 models)
        ctranslate2.set_random_seed(SAMPLING_SEED)
        segments, _info = self._model.transcribe(
            audio.astype(np.float32, copy=False),
            language=language,
            task="transcribe",
            beam_size=BEAM_SIZE,
            word_timestamps=True,
            condition_on_previous_text=False,  # see whisper_backend: windows stand alone
            vad_filter=False,  # lecturecut cuts windows at pauses itself
        )
        out = []
        for seg in segments:  # a generator: decoding happens as we iterate
            check_cancel(cancel)
            out.append(segment_from_faster(seg, offset))
        return out


def segment_from_faster(seg: Any, offset: int) -> Segment:
    """The edge: one faster-whisper Segment -> our Segment of Words (absolute samples)."""
    words = []
    for w in seg.words or []:
        text = str(w.word).strip()
        if not text:
            continue
        start = offset + to_samples(float(w.start))
        end = max(start, offset + to_samples(float(w.end)))
        probability = round(float(w.probability), 4)  # what Transcript JSON keeps
        words.append(Word(text, start, end, probability, raw_start=start, raw_end=end))
    return segment_from_words(words, float(seg.no_speech_prob), float(seg.avg_logprob))


def load_faster_engine(resolved: ResolvedModel) -> FasterWhisperEngine:
    from faster_whisper import WhisperModel

    try:
        model = WhisperModel(resolved.path, device=DEVICE, compute_type=COMPUTE_TYPE)
    except Exception as exc:  # the hub client's errors vary by version; all mean "not fetched"
        if resolved.needs_download:
            raise download_failed(resolved.name, exc) from exc
        raise
    return FasterWhisperEngine(model, resolved.name)
