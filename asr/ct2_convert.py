"""CTranslate2 Whisper ``model.bin`` -> openai-whisper checkpoint, losslessly.

The registry packages that carry Whisper weights offline ship them in
CTranslate2's format (binary version 6). openai-whisper only needs
``{"dims": ..., "model_state_dict": ...}``; its tokenizer and mel filters
ship inside the package. The format and the name mapping are documented in
``shared/reference/ct2-whisper.md``; this module is that document as code.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
import re
import struct
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from lecturecut.files import atomic_path

CT2_BINARY_VERSION = 6  # the only layout this reader knows
CT2_SPEC_NAME = "WhisperSpec"
CT2_MODEL_FILE = "model.bin"
CT2_CONFIG_FILE = "config.json"

# CT2 dtype ids -> torch dtypes (bfloat16 has no numpy type, so read through torch).
_CT2_DTYPES: dict[int, torch.dtype] = {
    0: torch.float32,
    1: torch.int8,
    2: torch.int16,
    3: torch.int32,
    4: torch.float16,
    5: torch.bfloat16,
}

_LAYER = re.compile(r"^(encoder|decoder)/layer_(\d+)/(.+)$")


class Ct2FormatError(ValueError):
    """The file is not a CTranslate2 Whisper model this converter understands."""


@dataclass(frozen=True)
class Ct2Model:
    """The variables of one CT2 ``model.bin``, as read (names in CT2's spelling)."""

    spec: str
    spec_revision: int
    variables: Mapping[str, torch.Tensor]
    aliases: Mapping[str, str]  # alias name -> target variable name


class _Reader:
    """Sequential little-endian reader over the bytes of a model file."""

    def __init__(self, data: memoryview) -> None:
        self._data = data
        self._pos = 0

    def unpack(self, fmt: str) -> tuple[Any, ...]:
        size = struct.calcsize("<" + fmt)
        if self._pos + size > len(self._data):
            raise Ct2FormatError("model.bin is truncated")
        out = struct.unpack_from("<" + fmt, self._data, self._pos)
        self._pos += size
        return out

    def string(self) -> str:
        (length,) = self.unpack("H")  # includes the trailing NUL
        raw = bytes(self.take(length))
        return raw.rstrip(b"\0").decode("utf-8")

    def take(self, n: int) -> memoryview:
        if self._pos + n > len(self._data):
            raise Ct2FormatError("model.bin is truncated")
        out = self._data[self._pos : self._pos + n]
        self._pos += n
        return out

    @property
    def at_end(self) -> bool:
        return self._pos >= len(self._data)


def read_ct2_model(model_bin: str | os.PathLike[str]) -> Ct2Model:
    """Parse a CT2 ``model.bin`` (binary version 6) into named tensors."""
    data = memoryview(Path(model_bin).read_bytes())
    reader = _Reader(data)
    (version,) = reader.unpack("I")
    if version != CT2_BINARY_VERSION:
        raise Ct2FormatError(
            f"{model_bin}: CTranslate2 binary version {version}, expected {CT2_BINARY_VERSION}"
        )
    spec = reader.string()
    (revision, n_vars) = reader.unpack("II")
    variables: dict[str, torch.Tensor] = {}
    for _ in range(n_vars):
        name = reader.string()
        (rank,) = reader.unpack("B")
        shape = reader.unpack("I" * rank) if rank else ()
        (dtype_id,) = reader.unpack("B")
        (n_bytes,) = reader.unpack("I")
        if dtype_id not in _CT2_DTYPES:
            raise Ct2FormatError(f"{model_bin}: variable {name} has unknown dtype id {dtype_id}")
        raw = reader.take(n_bytes)
        dtype = _CT2_DTYPES[dtype_id]
        # clone: the tensor must own its memory, not alias the file buffer
        tensor = torch.frombuffer(bytearray(raw), dtype=dtype) if n_bytes else torch.empty(0, dtype=dtype)
        variables[name] = tensor.reshape(shape).clone()
    aliases: dict[str, str] = {}
    if not reader.at_end:
        (n_aliases,) = reader.unpack("I")
        for _ in range(n_aliases):
            alias = reader.string()
            aliases[alias] = reader.string()
    return Ct2Model(spec=spec, spec_revision=revision, variables=variables, aliases=aliases)


def _linear(state: dict[str, torch.Tensor], dst: str, var: Mapping[str, torch.Tensor], src: str) -> None:
    state[f"{dst}.weight"] = var[f"{src}/weight"]
    state[f"{dst}.bias"] = var[f"{src}/bias"]


def _norm(state: dict[str, torch.Tensor], dst: str, var: Mapping[str, torch.Tensor], src: str) -> None:
    state[f"{dst}.weight"] = var[f"{src}/gamma"]
    state[f"{dst}.bias"] = var[f"{src}/beta"]


def _split_fused(
    state: dict[str, torch.Tensor],
    var: Mapping[str, torch.Tensor],
    src: str,
    parts: Sequence[str],
) -> None:
    """Split a fused projection (q|k|v or k|v along dim 0) into Whisper's Linear layers.

    Whisper's ``key`` projection has no bias (CT2 stores zeros there), so that
    third of the fused bias is dropped.
    """
    weights = var[f"{src}/weight"].chunk(len(parts), dim=0)  # each (n_state, n_state)
    biases = var[f"{src}/bias"].chunk(len(parts), dim=0)  # each (n_state,)
    for dst, w, b in zip(parts, weights, biases):
        state[f"{dst}.weight"] = w.clone()
        if not dst.endswith(".key"):
            state[f"{dst}.bias"] = b.clone()


def _check_unquantized(var: Mapping[str, torch.Tensor]) -> None:
    scaled = [n for n in var if n.endswith("weight_scale")]
    if scaled:
        raise Ct2FormatError(
            "this CTranslate2 model is int8-quantized; convert a float16/float32 export instead "
            f"(found {scaled[0]})"
        )


def ct2_to_whisper(model: Ct2Model) -> tuple[dict[str, int], dict[str, torch.Tensor]]:
    """Map CT2 variables to openai-whisper's ``(dims, model_state_dict)``."""
    if model.spec != CT2_SPEC_NAME:
        raise Ct2FormatError(f"expected a {CT2_SPEC_NAME} model, got {model.spec!r}")
    var = model.variables
    _check_unquantized(var)
    state: dict[str, torch.Tensor] = {}

    state["encoder.conv1.weight"] = var["encoder/conv1/weight"]
    state["encoder.conv1.bias"] = var["encoder/conv1/bias"]
    state["encoder.conv2.weight"] = var["encoder/conv2/weight"]
    state["encoder.conv2.bias"] = var["encoder/conv2/bias"]
    state["encoder.positional_embedding"] = var["encoder/position_encodings/encodings"]
    _norm(state, "encoder.ln_post", var, "encoder/layer_norm")
    state["decoder.token_embedding.weight"] = var["decoder/embeddings/weight"]
    state["decoder.positional_embedding"] = var["decoder/position_encodings/encodings"]
    _norm(state, "decoder.ln", var, "decoder/layer_norm")

    n_layers = {"encoder": 0, "decoder": 0}
    for name in var:
        m = _LAYER.match(name)
        if m:
            n_layers[m.group(1)] = max(n_layers[m.group(1)], int(m.group(2)) + 1)

    for side in ("encoder", "decoder"):
        for i in range(n_layers[side]):
            src = f"{side}/layer_{i}"
            dst = f"{side}.blocks.{i}"
            _split_fused(state, var, f"{src}/self_attention/linear_0",
                         [f"{dst}.attn.query", f"{dst}.attn.key", f"{dst}.attn.value"])
            _linear(state, f"{dst}.attn.out", var, f"{src}/self_attention/linear_1")
            _norm(state, f"{dst}.attn_ln", var, f"{src}/self_attention/layer_norm")
            if side == "decoder":
                _linear(state, f"{dst}.cross_attn.query", var, f"{src}/attention/linear_0")
                _split_fused(state, var, f"{src}/attention/linear_1",
                             [f"{dst}.cross_attn.key", f"{dst}.cross_attn.value"])
                _linear(state, f"{dst}.cross_attn.out", var, f"{src}/attention/linear_2")
                _norm(state, f"{dst}.cross_attn_ln", var, f"{src}/attention/layer_norm")
            _linear(state, f"{dst}.mlp.0", var, f"{src}/ffn/linear_0")
            _linear(state, f"{dst}.mlp.2", var, f"{src}/ffn/linear_1")
            _norm(state, f"{dst}.mlp_ln", var, f"{src}/ffn/layer_norm")

    embed = var["decoder/embeddings/weight"]  # (n_vocab, n_text_state)
    dims = {
        "n_mels": int(var["encoder/conv1/weight"].shape[1]),  # conv1: (n_state, n_mels, 3)
        "n_audio_ctx": int(var["encoder/position_encodings/encodings"].shape[0]),
        "n_audio_state": int(var["encoder/conv1/weight"].shape[0]),
        "n_audio_head": int(var["encoder/num_heads"].item()),
        "n_audio_layer": n_layers["encoder"],
        "n_vocab": int(embed.shape[0]),
        "n_text_ctx": int(var["decoder/position_encodings/encodings"].shape[0]),
        "n_text_state": int(embed.shape[1]),
        "n_text_head": int(var["decoder/num_heads"].item()),
        "n_text_layer": n_layers["decoder"],
    }
    return dims, state


def check_state_dict(dims: Mapping[str, int], state: Mapping[str, torch.Tensor]) -> None:
    """Raise if ``state`` would not load strictly into ``Whisper(dims)`` (names and shapes)."""
    from whisper.model import AudioEncoder, TextDecoder

    d = dict(dims)
    # The two halves of Whisper(dims), built on the meta device: shapes only, no
    # memory, no init time (Whisper itself builds a sparse buffer meta cannot hold).
    with torch.device("meta"):
        encoder = AudioEncoder(d["n_mels"], d["n_audio_ctx"], d["n_audio_state"], d["n_audio_head"],
                               d["n_audio_layer"])
        decoder = TextDecoder(d["n_vocab"], d["n_text_ctx"], d["n_text_state"], d["n_text_head"],
                              d["n_text_layer"])
    expected = {**{f"encoder.{k}": v for k, v in encoder.state_dict().items()},
                **{f"decoder.{k}": v for k, v in decoder.state_dict().items()}}
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    if missing or unexpected:
        raise Ct2FormatError(f"name mapping incomplete: missing {missing[:5]}, unexpected {unexpected[:5]}")
    for key, tensor in expected.items():
        if tuple(state[key].shape) != tuple(tensor.shape):
            raise Ct2FormatError(f"{key}: shape {tuple(state[key].shape)}, Whisper expects {tuple(tensor.shape)}")


def read_alignment_heads(ct2_dir: str | os.PathLike[str]) -> list[list[int]]:
    """``[layer, head]`` pairs from a CT2 export's ``config.json`` (empty when absent)."""
    config = Path(ct2_dir) / CT2_CONFIG_FILE
    if not config.is_file():
        return []
    heads = json.loads(config.read_text(encoding="utf-8")).get("alignment_heads") or []
    return [[int(layer), int(head)] for layer, head in heads]


def _atomic_torch_save(obj: Any, out_path: Path) -> None:
    """torch.save via a temp file in the same folder + os.replace: readers never see half a file."""
    with atomic_path(out_path) as tmp, open(tmp, "wb") as fh:
        torch.save(obj, fh)


def convert_ct2_to_whisper(
    ct2_dir: str | os.PathLike[str],
    out_path: str | os.PathLike[str],
    name: str | None = None,
) -> Path:
    """Convert the CT2 export in ``ct2_dir`` to an openai-whisper checkpoint at ``out_path``.

    ``name`` (``"tiny.en"``, ``"base"``, ...) is recorded so loading can use
    openai-whisper's own alignment-head table; the CT2 config's heads are
    stored too (``whisper.load_model`` ignores the extra keys). Written
    atomically; returns the output path.
    """
    ct2_dir = Path(ct2_dir)
    dims, state = ct2_to_whisper(read_ct2_model(ct2_dir / CT2_MODEL_FILE))
    check_state_dict(dims, state)
    checkpoint = {
        "dims": dims,
        "model_state_dict": state,
        "name": name or "",
        "alignment_heads": read_alignment_heads(ct2_dir),
    }
    out = Path(out_path)
    _atomic_torch_save(checkpoint, out)
    return out


def alignment_mask(pairs: Sequence[Sequence[int]], n_text_layer: int, n_text_head: int) -> torch.Tensor:
    """``[layer, head]`` pairs -> the boolean ``(n_text_layer, n_text_head)`` mask Whisper holds."""
    mask = torch.zeros(n_text_layer, n_text_head, dtype=torch.bool)
    for layer, head in pairs:
        mask[int(layer), int(head)] = True
    return mask


def set_alignment_heads(model: Any, name: str | None, pairs: Sequence[Sequence[int]] = ()) -> None:
    """Give ``model`` the cross-attention heads used for word timestamps.

    openai-whisper's own table wins for a known name; else the CT2 config's
    pairs. Without either, Whisper keeps its default (last half of all heads),
    which gives less accurate word times.
    """
    import whisper

    if name and name in whisper._ALIGNMENT_HEADS:
        model.set_alignment_heads(whisper._ALIGNMENT_HEADS[name])
        return
    if pairs:
        dims = model.dims
        mask = alignment_mask(pairs, dims.n_text_layer, dims.n_text_head)
        # the same encoding set_alignment_heads() decodes: gzip'd, base85'd bool array
        model.set_alignment_heads(base64.b85encode(gzip.compress(mask.numpy().tobytes())))


def load_whisper_checkpoint(
    checkpoint_path: str | os.PathLike[str],
    name: str | None = None,
    device: str = "cpu",
) -> Any:
    """Load a checkpoint written by :func:`convert_ct2_to_whisper` (or any openai-whisper .pt).

    Strict: the state dict must match the model exactly.
    """
    from whisper.model import ModelDimensions, Whisper

    checkpoint = torch.load(checkpoint_path, map_location=device, weights_only=True)
    dims = ModelDimensions(**checkpoint["dims"])
    model = Whisper(dims)
    model.load_state_dict(checkpoint["model_state_dict"], strict=True)
    set_alignment_heads(model, name or checkpoint.get("name") or None, checkpoint.get("alignment_heads") or ())
    return model.to(device)


def load_whisper_from_ct2(ct2_dir: str | os.PathLike[str], name: str | None = None, device: str = "cpu") -> Any:
    """Convert in memory and return a ready openai-whisper model (no file written)."""
    from whisper.model import ModelDimensions, Whisper

    ct2_dir = Path(ct2_dir)
    dims, state = ct2_to_whisper(read_ct2_model(ct2_dir / CT2_MODEL_FILE))
    model = Whisper(ModelDimensions(**dims))
    model.load_state_dict(state, strict=True)
    set_alignment_heads(model, name, read_alignment_heads(ct2_dir))
    return model.to(device)
