"""Test-wide setup: where the shared real media lives, and a per-machine model cache."""

import os
from pathlib import Path

import pytest

SHARED_DIR = Path(os.environ.get("LECTURECUT_SHARED", Path(__file__).resolve().parents[2] / "shared"))

# Converted Whisper checkpoints are cached per machine, not per test run, so the
# suite converts the registry weights once (see asr/offline_models.py).
os.environ.setdefault("LECTURECUT_CACHE", str(Path.home() / ".cache" / "lecturecut"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def media_file():
    """media_file("name") -> path of a real recording in the shared test media."""

    def find(name: str) -> Path:
        path = SHARED_DIR / "media" / name
        if not path.exists():
            pytest.skip(f"shared test media missing: {path} (set LECTURECUT_SHARED)")
        return path

    return find
