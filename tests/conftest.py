"""Test-wide setup: the committed test media (tests/testmedia.py) and a per-machine model cache."""

import os
from pathlib import Path

import pytest
from testmedia import media_path

# Converted Whisper checkpoints are cached per machine, not per test run, so the
# suite converts the registry weights once (see asr/offline_models.py).
os.environ.setdefault("LECTURECUT_CACHE", str(Path.home() / ".cache" / "lecturecut"))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


@pytest.fixture(scope="session")
def media_file():
    """media_file("name") -> path of a committed test recording (a missing one fails the test)."""
    return media_path
