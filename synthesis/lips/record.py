"""What the lips engine did under each span, remembered beside the voice cache so that front ends can
list it without rendering (``lecturecut voices``): one small JSON file per span of new speech, named
by the voice record's content key, written when the span's frames are regenerated at export.

A span never exported has no entry: listings say the lips are regenerated at export.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from lecturecut.core import LecturecutError
from lecturecut.files import write_text_atomic
from lecturecut.models.weights import cache_root

from .engine import LipsResult
from .sync import SyncScore

log = logging.getLogger(__name__)

LIPS_VERSION = "2"  # 2: with the sync score. Bump when the engine's choices change what a span's result would be


def lips_dir() -> Path:
    return cache_root() / "lips"


def _path(key: str) -> Path:
    return lips_dir() / f"{key}-{LIPS_VERSION}.json"


def remember(key: str, result: LipsResult) -> None:
    """Store ``result`` for the span of new speech whose voice record has cache key ``key``."""
    if not key:
        return
    path = _path(key)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(path, json.dumps(result.to_json()))
    except (OSError, LecturecutError) as exc:  # a cache that cannot be written must not fail the export
        log.warning("could not remember the lips result in %s: %s", path, exc)


def recall(key: str) -> LipsResult | None:
    """The result last stored for that span, or None (never exported, or by an older engine)."""
    try:
        d = json.loads(_path(key).read_text(encoding="utf-8"))
        sync = SyncScore.from_json(d["sync"]) if d.get("sync") else None
        return LipsResult(int(d["replacement"]), str(d["method"]), int(d["n_frames"]), int(d["changed"]),
                          str(d.get("reason", "")), sync=sync)
    except (OSError, ValueError, KeyError, TypeError):
        return None
