"""Explicit, checked loading of the Wav2Lip and SyncNet checkpoints.

Loading is strict on purpose: a file with a missing key, a stray key or a
wrongly shaped tensor would otherwise load "fine" and then produce garbage
faces. Every problem is reported as a ModelError that names the file and
says what to do.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

import torch
from torch import nn

from lecturecut.core import CancelLike, ProgressFn, bytes_progress, check_cancel
from lecturecut.models.errors import ModelError
from lecturecut.models.syncnet import SyncNet_color
from lecturecut.models.wav2lip import Wav2Lip

HASH_CHUNK_BYTES = 1 << 20  # 1 MiB: large enough to be I/O-bound, small enough for smooth progress
DATAPARALLEL_PREFIX = "module."  # added to every key by torch.nn.DataParallel during training
_MAX_LISTED = 5  # keys quoted per problem in an error message

M = TypeVar("M", bound=nn.Module)


def sha256_file(path: str | Path, progress: ProgressFn | None = None, cancel: CancelLike | None = None) -> str:
    """Hex sha256 of a file, streamed in 1 MiB chunks (checkpoints are hundreds of MB)."""
    path = Path(path)
    total = path.stat().st_size
    report = bytes_progress(progress, f"checking {path.name}")
    digest = hashlib.sha256()
    done = 0
    with path.open("rb") as f:
        while chunk := f.read(HASH_CHUNK_BYTES):
            check_cancel(cancel, f"hashing {path} was cancelled")
            digest.update(chunk)
            done += len(chunk)
            report(done, total)
    return digest.hexdigest()


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """The bare state dict of a checkpoint file, with any ``module.`` prefix removed.

    Accepts the training format ({"state_dict": ..., "optimizer": ..., ...})
    and a bare state dict. weights_only=True: a checkpoint is data, and a
    downloaded pickle must not be able to run code.
    """
    path = Path(path)
    if not path.is_file():
        raise ModelError(f"checkpoint {path} does not exist: fetch it or copy the file there")
    try:
        # map_location="cpu": the files were saved from CUDA tensors; moving to the
        # requested device happens after the checks.
        obj = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # torch raises RuntimeError, UnpicklingError, EOFError, ... for bad files
        raise ModelError(
            f"{path} is not a readable PyTorch checkpoint ({type(exc).__name__}: {exc}). "
            "The file is probably truncated or an HTML error page: delete it and download it again."
        ) from exc
    state = obj.get("state_dict", obj) if isinstance(obj, Mapping) else None
    if not isinstance(state, Mapping) or not all(isinstance(v, torch.Tensor) for v in state.values()):
        raise ModelError(
            f"{path} holds no state dict of tensors (found {type(obj).__name__}): it is not a model checkpoint"
        )
    return {_strip_prefix(k): v for k, v in state.items()}


def _strip_prefix(key: str) -> str:
    return key[len(DATAPARALLEL_PREFIX) :] if key.startswith(DATAPARALLEL_PREFIX) else key


def check_state_dict(module: nn.Module, state: Mapping[str, torch.Tensor], path: str | Path) -> None:
    """Raise ModelError unless ``state`` has exactly the module's keys, each with the module's shape."""
    expected = module.state_dict()
    missing = [k for k in expected if k not in state]
    unexpected = [k for k in state if k not in expected]
    wrong_shape = [
        f"{k}: file {tuple(state[k].shape)}, network {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    if not (missing or unexpected or wrong_shape):
        return
    problems = []
    for label, items in (("missing", missing), ("unexpected", unexpected), ("wrong shape", wrong_shape)):
        if items:
            more = f", ... ({len(items) - _MAX_LISTED} more)" if len(items) > _MAX_LISTED else ""
            problems.append(f"{len(items)} {label} ({'; '.join(items[:_MAX_LISTED])}{more})")
    name = type(module).__name__
    raise ModelError(
        f"{path} does not fit the {name} network: it has {len(state)} tensors, the network "
        f"{len(expected)}; {', '.join(problems)}. {_guess_content(state)}"
        f"Use the original {name} checkpoint file (re-download it if it may be damaged)."
    )


def _guess_content(state: Mapping[str, torch.Tensor]) -> str:
    """A hint for the commonest mix-up: the SyncNet expert given as generator or vice versa."""
    if any(k.startswith("face_encoder_blocks.") for k in state):
        return "The file looks like a Wav2Lip generator (wav2lip.pth / wav2lip_gan.pth). "
    if any(k.startswith("face_encoder.") for k in state):
        return "The file looks like the SyncNet expert (lipsync_expert.pth). "
    return ""


def load_checked(module: M, path: str | Path, device: str | torch.device = "cpu") -> M:
    """Fill ``module`` from the checkpoint at ``path`` after checking every key and shape; eval mode."""
    state = read_state_dict(path)
    check_state_dict(module, state, path)
    module.load_state_dict(state, strict=True)
    return module.to(device).eval()


def load_wav2lip(path: str | Path, device: str | torch.device = "cpu") -> Wav2Lip:
    """The Wav2Lip generator from ``wav2lip.pth`` / ``wav2lip_gan.pth``, in eval mode on ``device``."""
    return load_checked(Wav2Lip(), path, device)


def load_syncnet(path: str | Path, device: str | torch.device = "cpu") -> SyncNet_color:
    """The colour SyncNet expert from ``lipsync_expert.pth``, in eval mode on ``device``."""
    return load_checked(SyncNet_color(), path, device)
