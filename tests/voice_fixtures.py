"""A test module's own voice cache, shared by the modules that synthesize speech.

Import ``module_voice_cache`` into a test module (``# noqa: F401``): being autouse, it then gives
that module one fresh lecturecut cache, so the speech a module uses is synthesized by that module,
while the converted Whisper weights (under ``XDG_CACHE_HOME``) stay shared across the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="module", autouse=True)
def module_voice_cache(tmp_path_factory):
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("LECTURECUT_CACHE", str(tmp_path_factory.mktemp("voice_cache")))
        mp.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))
        yield
