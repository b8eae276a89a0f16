"""CTranslate2 -> openai-whisper conversion and the offline model cache, on the real registry weights."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import torch
from asr_fixtures import JFK, engine, need_media

from lecturecut.asr import ct2_convert, offline_models
from lecturecut.asr.ct2_convert import (
    Ct2FormatError,
    convert_ct2_to_whisper,
    ct2_to_whisper,
    load_whisper_checkpoint,
    read_alignment_heads,
    read_ct2_model,
    set_alignment_heads,
)
from lecturecut.asr.offline_models import ModelUnavailableError, resolve_model
from lecturecut.asr.transcript import normalize_word
from lecturecut.files import WriteError


def _tiny_dir() -> Path:
    try:
        return offline_models.registry_ct2_dir("tiny.en")
    except ModelUnavailableError as exc:
        pytest.fail(f"the offline Whisper weights are part of the set-up (scripts/setup.sh): {exc}", pytrace=False)


@pytest.fixture(scope="module")
def tiny_ct2():
    return read_ct2_model(_tiny_dir() / "model.bin")


def test_reads_binary_version_6(tiny_ct2):
    assert tiny_ct2.spec == "WhisperSpec"
    var = tiny_ct2.variables
    assert int(var["encoder/num_heads"].item()) == 6
    assert var["decoder/embeddings/weight"].dtype == torch.float16
    assert tuple(var["encoder/layer_0/self_attention/linear_0/weight"].shape) == (3 * 384, 384)
    # the output projection is stored once, as an alias of the embeddings
    assert tiny_ct2.aliases == {"decoder/projection/weight": "decoder/embeddings/weight"}


def test_rejects_other_binary_versions(tmp_path):
    bad = tmp_path / "model.bin"
    bad.write_bytes((5).to_bytes(4, "little") + b"\0" * 16)
    with pytest.raises(Ct2FormatError, match="version 5"):
        read_ct2_model(bad)
    bad.write_bytes((6).to_bytes(4, "little") + (12).to_bytes(2, "little") + b"WhisperSpec")
    with pytest.raises(Ct2FormatError, match="truncated"):
        read_ct2_model(bad)


def test_mapping_loads_strictly_and_splits_fused_attention(tiny_ct2):
    from whisper.model import ModelDimensions, Whisper

    dims, state = ct2_to_whisper(tiny_ct2)
    assert dims == {"n_mels": 80, "n_audio_ctx": 1500, "n_audio_state": 384, "n_audio_head": 6,
                    "n_audio_layer": 4, "n_vocab": 51864, "n_text_ctx": 448, "n_text_state": 384,
                    "n_text_head": 6, "n_text_layer": 4}
    model = Whisper(ModelDimensions(**dims))
    result = model.load_state_dict(state, strict=True)
    assert not result.missing_keys and not result.unexpected_keys
    fused = tiny_ct2.variables["encoder/layer_2/self_attention/linear_0/weight"]
    assert torch.equal(state["encoder.blocks.2.attn.query.weight"], fused[:384])
    assert torch.equal(state["encoder.blocks.2.attn.key.weight"], fused[384:768])
    assert torch.equal(state["encoder.blocks.2.attn.value.weight"], fused[768:])
    # Whisper's key projections have no bias; CT2's third is zeros and is dropped
    assert "encoder.blocks.2.attn.key.bias" not in state
    assert "decoder.blocks.0.cross_attn.key.bias" not in state
    assert not tiny_ct2.variables["encoder/layer_2/self_attention/linear_0/bias"][384:768].any()
    kv = tiny_ct2.variables["decoder/layer_1/attention/linear_1/weight"]
    assert torch.equal(state["decoder.blocks.1.cross_attn.value.weight"], kv[384:])


def test_convert_writes_a_whisper_checkpoint_atomically(tmp_path, monkeypatch):
    import whisper

    out = convert_ct2_to_whisper(_tiny_dir(), tmp_path / "tiny.en.pt", "tiny.en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.en.pt"]  # no temp file left
    checkpoint = torch.load(out, weights_only=True)
    assert set(checkpoint) >= {"dims", "model_state_dict"}
    assert whisper.load_model(str(out), device="cpu").dims.n_text_layer == 4  # whisper's own loader

    # an interrupted write leaves neither a partial target nor a temp file
    def broken_save(obj, fh):
        fh.write(b"partial")
        raise OSError("disk full")

    monkeypatch.setattr(ct2_convert.torch, "save", broken_save)
    with pytest.raises(WriteError, match="disk full"):  # one line for the user, not a bare OSError
        convert_ct2_to_whisper(_tiny_dir(), tmp_path / "again.pt", "tiny.en")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tiny.en.pt"]


def test_alignment_heads_from_whisper_table_and_from_config():
    checkpoint = resolve_model("tiny.en", "whisper").path
    model = load_whisper_checkpoint(checkpoint, "tiny.en")
    from_table = model.alignment_heads.to_dense().nonzero().tolist()
    pairs = read_alignment_heads(_tiny_dir())
    assert sorted(from_table) == sorted(pairs)  # CT2's config lists the same heads
    set_alignment_heads(model, None, [[0, 1], [3, 5]])  # an unknown name uses the pairs
    assert model.alignment_heads.to_dense().nonzero().tolist() == [[0, 1], [3, 5]]


def test_in_memory_loader_matches_the_converted_file():
    from lecturecut.asr.ct2_convert import load_whisper_from_ct2

    direct = load_whisper_from_ct2(_tiny_dir(), "tiny.en")
    from_file = engine("tiny.en", "whisper").model
    for key in ("decoder.blocks.3.cross_attn.key.weight", "encoder.conv1.bias", "decoder.token_embedding.weight"):
        assert torch.equal(direct.state_dict()[key], from_file.state_dict()[key])
    assert torch.equal(direct.alignment_heads.to_dense(), from_file.alignment_heads.to_dense())


def test_converted_tiny_en_transcribes_jfk_like_faster_whisper():
    import whisper

    need_media(JFK)
    model = engine("tiny.en", "whisper").model
    result = whisper.transcribe(model, str(JFK), language="en", fp16=False, word_timestamps=True,
                                condition_on_previous_text=False, verbose=None)
    text = " ".join(normalize_word(w) for w in result["text"].split())
    assert "my fellow americans" in text
    assert "your country" in text

    fast = engine("tiny.en", "faster-whisper").model
    segments, _ = fast.transcribe(str(JFK), language="en", condition_on_previous_text=False)
    fast_text = " ".join(normalize_word(w) for s in segments for w in s.text.split())
    assert text == fast_text


# ---------------------------------------------------------------- offline model cache


@pytest.fixture()
def private_caches(tmp_path, monkeypatch):
    """A fresh lecturecut cache and an empty openai-whisper cache."""
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "lc"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    return tmp_path


def test_default_model_does_not_depend_on_language():
    # a language hint must not silently swap the model (tiny.en is worse on long lectures)
    assert offline_models.default_model_name("en") == "base"
    assert offline_models.default_model_name("de") == "base"
    assert offline_models.default_model_name(None) == offline_models.DEFAULT_MODEL == "base"


def test_cache_root_follows_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("LECTURECUT_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert offline_models.cache_root() == tmp_path / "lecturecut"
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "mine"))
    assert offline_models.cache_root() == tmp_path / "mine"


def test_offline_model_is_converted_once_and_reused(private_caches):
    calls = []
    first = resolve_model("tiny.en", "whisper", progress=lambda f, m: calls.append(m))
    assert first.source == "registry"
    path = Path(first.path)
    assert path.parent == private_caches / "lc" / "whisper" and path.is_file()
    assert any("Converting" in m for m in calls)
    stamp = path.stat().st_mtime_ns

    calls.clear()
    again = resolve_model("tiny.en", "whisper", progress=lambda f, m: calls.append(m))
    assert again.path == first.path and path.stat().st_mtime_ns == stamp and not calls

    # a damaged file (wrong size) is noticed and replaced
    with open(path, "r+b") as fh:
        fh.truncate(1000)
    resolve_model("tiny.en", "whisper")
    assert path.stat().st_size > 1000
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_faster_whisper_reads_registry_folders(private_caches):
    tiny = resolve_model("tiny.en", "faster-whisper")
    assert tiny.source == "registry" and (Path(tiny.path) / "model.bin").is_file()
    try:
        base = resolve_model("base", "faster-whisper")
    except ModelUnavailableError as exc:
        pytest.fail(f"the offline Whisper weights are part of the set-up (scripts/setup.sh): {exc}", pytrace=False)
    model_bin = Path(base.path) / "model.bin"
    parts = offline_models.registry_sources(offline_models.OFFLINE_MODELS["base"])
    assert model_bin.stat().st_size == sum(p.stat().st_size for p in parts)
    assert (Path(base.path) / "config.json").is_file() and (Path(base.path) / "tokenizer.json").is_file()
    assert read_ct2_model(model_bin).spec == "WhisperSpec"


def test_whisper_cache_wins_then_download_for_other_names(private_caches):
    cached = private_caches / "xdg" / "whisper" / "tiny.en.pt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"placeholder")
    assert resolve_model("tiny.en", "whisper").source == "whisper-cache"
    small = resolve_model("small", "whisper")
    assert small.source == "download" and small.needs_download
    with pytest.raises(ModelUnavailableError, match="neither"):
        resolve_model("no-such-model", "whisper")
    message = str(offline_models.download_failed("small", OSError("no network")))
    assert "lecturecut models fetch small" in message


def test_paths_resolve_for_each_backend(private_caches, tmp_path):
    ct2 = _tiny_dir()
    assert resolve_model(str(ct2), "faster-whisper").path == str(ct2)
    converted = resolve_model(str(ct2), "whisper")
    assert converted.source == "path" and converted.path.endswith(".pt") and os.path.isfile(converted.path)
    assert resolve_model(converted.path, "whisper").path == converted.path
    with pytest.raises(ModelUnavailableError, match="CTranslate2"):
        resolve_model(converted.path, "faster-whisper")
    with pytest.raises(ValueError, match="backend"):
        resolve_model("tiny.en", "vosk")
