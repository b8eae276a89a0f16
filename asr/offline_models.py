"""Which Whisper weights to use, and where they are: offline first, download last.

``resolve_model(name_or_path, backend)`` decides, in this order:

1. an existing path: an openai-whisper ``.pt`` file, or a CTranslate2 folder
   (``model.bin``; converted once for the openai-whisper backend);
2. a name already in openai-whisper's own cache (``~/.cache/whisper``);
3. the offline names ``tiny.en`` and ``base``: real weights shipped in
   registry packages (see ``shared/reference/MODELS.md``), converted or
   assembled once into lecturecut's cache and reused afterwards;
4. any other known name: the backend's own download on first use (works
   where there is a network; a failure says how to fetch the model).

Cache files are written atomically (temp file + ``os.replace``) and checked
against a small manifest (sizes, source) before reuse, so an aborted or
concurrent conversion never leaves a file that looks usable but is not.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.util
import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from lecturecut.core import LecturecutError, ProgressFn
from lecturecut.files import atomic_path, write_bytes_atomic
from lecturecut.models.weights import OFFLINE_WHISPER, cache_root, whisper_cache_dir
from lecturecut.models.weights import OfflineWhisper as RegistryModel

BACKENDS = ("whisper", "faster-whisper")
# The English-only offline model: faster, but only when the user names it. It is never picked
# from the language, because it is clearly worse than base on long lectures.
ENGLISH_MODEL = "tiny.en"
DEFAULT_MODEL = "base"  # the default for every language: multilingual, so it can detect too
AUTO = "auto"
CACHE_SUBDIR_WHISPER = "whisper"  # converted openai-whisper checkpoints
CACHE_SUBDIR_CT2 = "ct2"  # CTranslate2 folders assembled from split packages
MANIFEST_SUFFIX = ".manifest.json"
COPY_BLOCK_BYTES = 8 * 1024 * 1024  # streamed copy block when joining model halves


class ModelUnavailableError(LecturecutError):
    """The requested model is not here and cannot be obtained now."""


OFFLINE_MODELS = OFFLINE_WHISPER  # the table lives in models/weights.py
_CT2_SIDE_FILES = ("config.json", "tokenizer.json", "vocabulary.txt", "preprocessor_config.json")


@dataclass(frozen=True)
class ResolvedModel:
    """Where a model's weights are and how a backend should load them."""

    name: str  # what was asked for, resolved ("tiny.en", or a path)
    backend: str  # "whisper" | "faster-whisper"
    path: str  # a .pt file (whisper), a CTranslate2 folder (faster-whisper), or the name to download
    source: str  # "path" | "whisper-cache" | "registry" | "download"
    alignment_name: str | None = None  # openai-whisper name whose alignment heads apply

    @property
    def needs_download(self) -> bool:
        return self.source == "download"


def default_model_name(language: str | None = None) -> str:
    """The model "auto" means: base (multilingual), whatever ``language`` is.

    ``language`` is accepted for old callers and deliberately ignored: the
    language hint must never silently change the model.
    """
    del language
    return DEFAULT_MODEL


def whisper_cache_file(name: str) -> Path | None:
    """Where openai-whisper keeps ``name`` once downloaded (None for unknown names)."""
    import whisper

    url = whisper._MODELS.get(name)
    return whisper_cache_dir() / os.path.basename(url) if url else None


def _package_dir(import_name: str) -> Path | None:
    spec = importlib.util.find_spec(import_name)
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def _package_version(import_name: str) -> str:
    try:
        return importlib.metadata.version(import_name.replace("_", "-"))
    except importlib.metadata.PackageNotFoundError:
        return "?"


def _missing_message(name: str, what: str) -> str:
    return (
        f"The Whisper model '{name}' is not available offline ({what}). "
        f"Run 'lecturecut models fetch {name}' where there is a network, "
        f"or install the offline models: pip install 'lecturecut[offline-models]'."
    )


def registry_sources(model: RegistryModel) -> list[Path]:
    """The model.bin pieces of a registry model, in order; raises when a package is missing."""
    pieces = []
    for package, part in zip(model.packages, model.parts):
        root = _package_dir(package)
        if root is None:
            raise ModelUnavailableError(_missing_message(model.name, f"package {package} is not installed"))
        piece = root / model.data_dir / part
        if not piece.is_file():
            raise ModelUnavailableError(_missing_message(model.name, f"{piece} is missing"))
        pieces.append(piece)
    return pieces


def _fingerprint(paths: list[Path], extra: str = "") -> dict[str, object]:
    """What a cached file was made from: source sizes and mtimes, plus a tag."""
    return {
        "sources": [[str(p), p.stat().st_size, int(p.stat().st_mtime)] for p in paths],
        "tag": extra,
    }


def _manifest_path(target: Path) -> Path:
    return target.with_name(target.name + MANIFEST_SUFFIX)


def _is_fresh(target: Path, fingerprint: dict[str, object]) -> bool:
    """True when ``target`` exists with the size its manifest recorded, made from the same sources."""
    manifest = _manifest_path(target)
    if not target.exists() or not manifest.is_file():
        return False
    try:
        recorded = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    size = target.stat().st_size if target.is_file() else _dir_size(target)
    return recorded.get("size") == size and recorded.get("fingerprint") == fingerprint


def _dir_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def _write_manifest(target: Path, fingerprint: dict[str, object]) -> None:
    size = target.stat().st_size if target.is_file() else _dir_size(target)
    write_bytes_atomic(
        _manifest_path(target),
        json.dumps({"size": size, "fingerprint": fingerprint}, indent=1).encode("utf-8"),
    )


def _atomic_concat(pieces: list[Path], target: Path) -> None:
    """Join ``pieces`` into ``target`` through a temp file in the same folder."""
    with atomic_path(target) as tmp, open(tmp, "wb") as out:
        for piece in pieces:
            with open(piece, "rb") as src:
                shutil.copyfileobj(src, out, COPY_BLOCK_BYTES)


def registry_ct2_dir(name: str, progress: ProgressFn | None = None) -> Path:
    """A CTranslate2 folder for an offline model (assembled in the cache when split)."""
    model = OFFLINE_MODELS[name]
    pieces = registry_sources(model)
    first_dir = pieces[0].parent
    if len(pieces) == 1 and pieces[0].name == "model.bin":
        return first_dir  # usable in place: faster-whisper reads the package folder directly
    target_dir = cache_root() / CACHE_SUBDIR_CT2 / name
    model_bin = target_dir / "model.bin"
    fingerprint = _fingerprint(pieces, extra=_package_version(model.packages[0]))
    if _is_fresh(model_bin, fingerprint) and all(
        (target_dir / f).is_file() for f in _CT2_SIDE_FILES if (first_dir / f).is_file()
    ):
        return target_dir
    if progress:
        progress(None, f"Preparing the offline Whisper model '{name}' (once)")
    target_dir.mkdir(parents=True, exist_ok=True)
    for side in _CT2_SIDE_FILES:
        if (first_dir / side).is_file():
            write_bytes_atomic(target_dir / side, (first_dir / side).read_bytes())
    # model.bin last: its manifest is what marks the folder complete
    _atomic_concat(pieces, model_bin)
    _write_manifest(model_bin, fingerprint)
    return target_dir


def converted_checkpoint(
    ct2_dir: Path, cache_name: str, alignment_name: str | None, progress: ProgressFn | None = None
) -> Path:
    """An openai-whisper checkpoint converted from ``ct2_dir``, made once and cached."""
    from .ct2_convert import CT2_MODEL_FILE, convert_ct2_to_whisper

    target = cache_root() / CACHE_SUBDIR_WHISPER / f"{cache_name}.pt"
    fingerprint = _fingerprint([ct2_dir / CT2_MODEL_FILE], extra=f"ct2-v6:{alignment_name or ''}")
    if _is_fresh(target, fingerprint):
        return target
    if progress:
        progress(None, f"Converting the Whisper model '{cache_name}' for openai-whisper (once)")
    convert_ct2_to_whisper(ct2_dir, target, alignment_name)
    _write_manifest(target, fingerprint)
    return target


def _is_ct2_dir(path: Path) -> bool:
    return path.is_dir() and (path / "model.bin").is_file()


def _resolve_path(path: Path, backend: str, progress: ProgressFn | None) -> ResolvedModel:
    if backend == "faster-whisper":
        if _is_ct2_dir(path):
            return ResolvedModel(str(path), backend, str(path), "path")
        raise ModelUnavailableError(
            f"'{path}' is not a CTranslate2 model folder (with model.bin), which the faster-whisper "
            "backend needs. Choose such a folder, or use the 'whisper' backend for a .pt file."
        )
    if path.is_file():
        return ResolvedModel(str(path), backend, str(path), "path")
    if _is_ct2_dir(path):
        # cache key: the folder's identity, so two different folders never share a conversion
        digest = hashlib.sha256(str(path.resolve()).encode("utf-8")).hexdigest()[:12]
        converted = converted_checkpoint(path, f"{path.name}-{digest}", None, progress)
        return ResolvedModel(str(path), backend, str(converted), "path")
    raise ModelUnavailableError(
        f"'{path}' is neither an openai-whisper checkpoint (.pt) nor a CTranslate2 folder (model.bin)."
    )


def resolve_model(
    name_or_path: str | os.PathLike[str] | None,
    backend: str = "whisper",
    *,
    language: str | None = None,
    progress: ProgressFn | None = None,
) -> ResolvedModel:
    """Decide which weights ``name_or_path`` means for ``backend`` (see the module docstring).

    ``None`` or ``"auto"`` is :func:`default_model_name` (``language`` no
    longer changes it and is accepted only for old callers).
    Converting an offline model happens here, once; downloads happen when
    the backend loads the model.
    """
    if backend not in BACKENDS:
        raise ValueError(f"unknown ASR backend {backend!r}; choose one of {BACKENDS}")
    name = str(name_or_path) if name_or_path not in (None, "") else AUTO
    if name == AUTO:
        name = default_model_name()
    path = Path(name).expanduser()
    if path.exists():
        return _resolve_path(path, backend, progress)

    if backend == "whisper":
        cached = whisper_cache_file(name)
        if cached is not None and cached.is_file():
            return ResolvedModel(name, backend, str(cached), "whisper-cache", name)
        if name in OFFLINE_MODELS:
            ct2 = registry_ct2_dir(name, progress)
            return ResolvedModel(name, backend, str(converted_checkpoint(ct2, name, name, progress)),
                                 "registry", name)
        if cached is not None:
            return ResolvedModel(name, backend, name, "download", name)
    else:
        if name in OFFLINE_MODELS:
            return ResolvedModel(name, backend, str(registry_ct2_dir(name, progress)), "registry", name)
        from faster_whisper.utils import available_models

        if name in available_models():
            return ResolvedModel(name, backend, name, "download", name)
    raise ModelUnavailableError(
        f"'{name}' is neither a model file or folder nor a known Whisper model name "
        f"(offline: {', '.join(OFFLINE_MODELS)}). Check the spelling or give a path."
    )


def download_failed(name: str, error: BaseException) -> ModelUnavailableError:
    """The error to raise when a backend's own download of ``name`` fails."""
    return ModelUnavailableError(
        f"Could not download the Whisper model '{name}' ({type(error).__name__}: {error}). "
        f"Connect to the internet and run 'lecturecut models fetch {name}', or choose an offline "
        f"model ({', '.join(OFFLINE_MODELS)})."
    )

