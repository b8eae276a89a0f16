"""The model registry and checkpoint loading: the table, locating, fetching
(atomic, hash-checked, cancellable), verifying, and strict checkpoint loads.

There is no network on the development and CI machines, so every download
here is MOCKED: urllib.request.urlopen is replaced by a function that serves
bytes from memory. Nothing is fetched from a hub.
"""

from __future__ import annotations

import dataclasses
import hashlib
import io
import re
import threading
import urllib.error
import urllib.request
from pathlib import Path

import pytest
import torch
from test_wav2lip_golden import assert_matches_wav2lip_golden, deterministic_state_dict

from lecturecut.core import Cancelled
from lecturecut.models import registry, weights
from lecturecut.models.checkpoint import load_syncnet, load_wav2lip, sha256_file
from lecturecut.models.errors import ModelError
from lecturecut.models.registry import Kind, ModelSpec, fetch, get_spec, list_models, locate, verify

PAYLOAD = bytes(range(256)) * (3 * 4096 + 17)  # ~3 MiB: several 1 MiB chunks, last one short
PAYLOAD_SHA256 = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture(autouse=True)
def isolated_caches(tmp_path, monkeypatch):
    """Point every cache the registry searches at empty temporary folders."""
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path / "lecturecut"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))  # openai-whisper's cache
    monkeypatch.setenv("TORCH_HOME", str(tmp_path / "torch"))  # face-alignment's (torch hub) cache


class FakeResponse(io.BytesIO):
    """What urlopen returns, served from memory; ``on_read`` runs before every read."""

    def __init__(self, data: bytes, on_read=None):
        super().__init__(data)
        self.headers = {"Content-Length": str(len(data))}
        self.on_read = on_read

    def read(self, size=-1):
        if self.on_read is not None:
            self.on_read()
        return super().read(size)


def serve(monkeypatch, data: bytes, on_read=None) -> list[str]:
    """Mock the network: every urlopen answers ``data``. Returns the URLs requested."""
    requested: list[str] = []

    def fake_urlopen(request, timeout=None):
        requested.append(request.full_url)
        return FakeResponse(data, on_read)

    monkeypatch.setattr(urllib.request, "urlopen", fake_urlopen)
    return requested


def blob_spec(sha256: str | None = PAYLOAD_SHA256, kind: Kind = Kind.WHISPER) -> ModelSpec:
    """A registry entry for the test payload, shaped like the real ones."""
    return dataclasses.replace(
        get_spec("whisper-tiny"),
        name="test-blob",
        kind=kind,
        filename="blob.bin",
        url="https://example.invalid/blob.bin",
        sha256=sha256,
    )


def files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


# ---------------------------------------------------------------- the table


def test_list_models_covers_every_model_with_licences():
    statuses = list_models()
    names = {s.spec.name for s in statuses}
    expected = {f"whisper-{size}" for size in registry.WHISPER_SIZES} | {
        "whisper-tiny.en-offline",
        "whisper-base-offline",
        "wav2lip",
        "wav2lip_gan",
        "lipsync_expert",
        "2dfan4",
        "s3fd",
    }
    assert names == expected
    for status in statuses:
        spec = status.spec
        assert spec.licence and spec.licence_note and spec.purpose and spec.source, spec.name
        assert status.verified is None  # list_models() does not hash unless asked
    for name in ("wav2lip", "wav2lip_gan", "lipsync_expert"):
        spec = get_spec(name)
        assert "non-commercial" in spec.licence_note and spec.sha256 is None
        assert spec.url == f"https://huggingface.co/Nekochu/Wav2Lip/resolve/main/{name}.pth"


def test_whisper_entries_come_from_the_installed_package():
    import whisper

    spec = get_spec("whisper-large-v3")
    assert spec.url == whisper._MODELS["large-v3"]
    assert spec.sha256 in spec.url and spec.filename == "large-v3.pt"


def test_cache_dir_precedence(monkeypatch, tmp_path):
    assert weights.cache_root() == tmp_path / "lecturecut"
    monkeypatch.delenv("LECTURECUT_CACHE")
    assert weights.cache_root() == tmp_path / "xdg" / "lecturecut"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert weights.cache_root() == Path.home() / ".cache" / "lecturecut"


def test_locate_finds_whisper_in_openai_whispers_own_cache(tmp_path):
    assert locate("whisper-base.en") is None
    cached = tmp_path / "xdg" / "whisper" / "base.en.pt"
    cached.parent.mkdir(parents=True)
    cached.write_bytes(b"x")
    assert locate("whisper-base.en") == cached


def test_unknown_model_names_the_known_ones():
    with pytest.raises(ModelError, match=r"known models: .*wav2lip_gan"):
        get_spec("wav2lip-hd")


# ---------------------------------------------------------------- packaged (offline) models


def test_missing_package_gives_pip_advice(tmp_path):
    spec = dataclasses.replace(
        get_spec("whisper-tiny.en-offline"),
        packaged=(registry.PackagedFile("no-such-models==1.0", "no_such_models_pkg", "model/model.bin"),),
    )
    assert locate(spec) is None
    with pytest.raises(ModelError, match=re.escape("pip install no-such-models==1.0")):
        fetch(spec, dest_dir=tmp_path)
    assert verify(spec).method == "missing"


def test_offline_packages_are_located_and_verified(tmp_path):
    tiny = locate("whisper-tiny.en-offline")
    assert tiny is not None and (tiny / "model.bin").is_file() and (tiny / "config.json").is_file()
    assert fetch("whisper-tiny.en-offline", dest_dir=tmp_path) == tiny  # nothing to download or copy
    base = locate("whisper-base-offline")
    assert base is not None and (base / "model.bin.part1").is_file() and (base / "config.json").is_file()
    result = verify("whisper-base-offline")  # both halves against pip's install RECORD
    assert result.ok and result.method == "record", result.message


# ---------------------------------------------------------------- fetch (network mocked)


def test_fetch_writes_atomically_and_checks_the_hash(monkeypatch, tmp_path):
    dest = tmp_path / "blob.bin"
    seen_during_download = []
    requested = serve(monkeypatch, PAYLOAD, on_read=lambda: seen_during_download.append(files_in(tmp_path)))
    progress = []

    path = fetch(blob_spec(), dest_dir=tmp_path,
                 progress=lambda fraction, message: progress.append((fraction, message)))

    assert path == dest and dest.read_bytes() == PAYLOAD
    assert requested == ["https://example.invalid/blob.bin"]
    # While downloading only a hidden .part file existed, never the final name.
    assert all(len(names) == 1 and names[0].startswith(".blob.") and ".part" in names[0]
               for names in seen_during_download)
    assert files_in(tmp_path) == ["blob.bin"]
    # progress is the engine's (fraction, message), never raw byte counts (a fraction callback fed
    # bytes once overflowed a progress bar after 2 MB)
    assert all(0.0 <= f <= 1.0 for f, _ in progress) and progress[-1][0] == 1.0
    assert "3.2 MB" in progress[-1][1]
    assert verify(blob_spec(), path).ok

    requested.clear()
    assert fetch(blob_spec(), dest_dir=tmp_path) == dest  # a good copy is reused, not downloaded again
    assert requested == []


def test_fetch_with_wrong_hash_leaves_nothing(monkeypatch, tmp_path):
    serve(monkeypatch, PAYLOAD)
    with pytest.raises(ModelError, match="sha256"):
        fetch(blob_spec(sha256="0" * 64), dest_dir=tmp_path)
    assert files_in(tmp_path) == []


def test_cancelled_fetch_leaves_nothing(monkeypatch, tmp_path):
    serve(monkeypatch, PAYLOAD)
    cancel = threading.Event()

    def progress(fraction, message):
        if fraction:
            cancel.set()  # the user presses Cancel after the first chunk

    with pytest.raises(Cancelled):
        fetch(blob_spec(), dest_dir=tmp_path, progress=progress, cancel=cancel)
    assert files_in(tmp_path) == []


def test_network_error_tells_the_user_where_to_copy_the_file(monkeypatch, tmp_path):
    def no_network(request, timeout=None):
        raise urllib.error.URLError("Temporary failure in name resolution")

    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    with pytest.raises(ModelError, match=f"No network.*copy it to {re.escape(str(tmp_path / 'blob.bin'))}"):
        fetch(blob_spec(), dest_dir=tmp_path)
    assert files_in(tmp_path) == []


def test_unhashed_download_that_does_not_load_is_rejected(monkeypatch, tmp_path):
    """Wav2Lip has no published hash: an HTML error page from a mirror must not land as wav2lip_gan.pth."""
    serve(monkeypatch, b"<html>Repository not found</html>")
    with pytest.raises(ModelError, match="not a readable PyTorch checkpoint"):
        fetch("wav2lip_gan", dest_dir=tmp_path)
    assert files_in(tmp_path) == []


def test_verify_detects_a_corrupted_file(monkeypatch, tmp_path):
    serve(monkeypatch, PAYLOAD)
    path = fetch(blob_spec(), dest_dir=tmp_path)
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))

    result = verify(blob_spec(), path)
    assert not result.ok and result.method == "sha256" and "damaged" in result.message
    assert result.sha256 == hashlib.sha256(bytes(data)).hexdigest()


def test_sha256_file_streams_with_progress(tmp_path):
    path = tmp_path / "blob.bin"
    path.write_bytes(PAYLOAD)
    progress = []
    assert sha256_file(path, progress=lambda fraction, message: progress.append(fraction)) == PAYLOAD_SHA256
    assert len(progress) == 4 and progress == sorted(progress) and progress[-1] == 1.0


# ---------------------------------------------------------------- checkpoints


def save_training_checkpoint(path: Path, state: dict[str, torch.Tensor]) -> Path:
    """The published layout: DataParallel ``module.`` keys inside a training dict."""
    torch.save(
        {
            "state_dict": {f"module.{k}": v for k, v in state.items()},
            "optimizer": {},
            "global_step": 0,
            "global_epoch": 0,
        },
        path,
    )
    return path


def test_load_wav2lip_reproduces_the_golden_output(tmp_path):
    path = save_training_checkpoint(tmp_path / "wav2lip_gan.pth", deterministic_state_dict("wav2lip"))
    model = load_wav2lip(path)
    assert not model.training
    assert_matches_wav2lip_golden(model)
    result = verify("wav2lip_gan", path)
    assert result.ok and result.method == "load"


def test_checkpoint_with_a_missing_key_is_rejected(tmp_path):
    state = deterministic_state_dict("syncnet_color")
    del state["audio_encoder.3.conv_block.1.running_var"]
    path = save_training_checkpoint(tmp_path / "lipsync_expert.pth", state)
    expected = "216 tensors, the network 217; 1 missing (audio_encoder.3.conv_block.1.running_var)"
    with pytest.raises(ModelError, match=re.escape(expected)):
        load_syncnet(path)
    assert not verify("lipsync_expert", path).ok


def test_checkpoint_with_a_wrong_shape_is_rejected(tmp_path):
    state = deterministic_state_dict("syncnet_color")
    state["face_encoder.0.conv_block.0.weight"] = torch.zeros(32, 6, 7, 7)  # a 2-frame variant, not the 5-frame expert
    path = save_training_checkpoint(tmp_path / "lipsync_expert.pth", state)
    expected = "1 wrong shape (face_encoder.0.conv_block.0.weight: file (32, 6, 7, 7), network (32, 15, 7, 7))"
    with pytest.raises(ModelError, match=re.escape(expected)):
        load_syncnet(path)


def test_syncnet_given_as_generator_says_so(tmp_path):
    path = save_training_checkpoint(tmp_path / "lipsync_expert.pth", deterministic_state_dict("syncnet_color"))
    with pytest.raises(ModelError, match="looks like the SyncNet expert"):
        load_wav2lip(path)
