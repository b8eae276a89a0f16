"""Where the project of a video lives: beside it when that folder is the user's, else in the data folder.

``lecture.mp4`` gets ``lecture.lcproj`` beside it. A video in a read-only
folder, or inside lecturecut's own installation (the bundled sample lecture
in ``resources/``, whether installed or in a checkout), gets its project in
the user's data folder instead: opening the sample must never write into the
package. Re-opening a video finds its project in either place. Qt-free.
"""

from __future__ import annotations

import os
from pathlib import Path

import lecturecut
from lecturecut.resources import RESOURCES_DIR
from lecturecut.synthesis.project import PROJECT_SUFFIX, load_project

# Folders that belong to lecturecut itself: nothing is saved inside them.
PACKAGE_DIRS = tuple(dict.fromkeys(Path(p).resolve() for p in (Path(lecturecut.__file__).parent, RESOURCES_DIR)))
MAX_NUMBERED = 100  # "lecture (2).lcproj" ... how far a search for a free or matching name goes


def default_project_path(video: str | os.PathLike[str]) -> Path:
    """``lecture.mp4`` -> ``lecture.lcproj`` beside it."""
    return Path(video).resolve().with_suffix(PROJECT_SUFFIX)


def is_inside_package(path: str | os.PathLike[str]) -> bool:
    p = Path(path).resolve()
    return any(p == d or p.is_relative_to(d) for d in PACKAGE_DIRS)


def project_folder(video: str | os.PathLike[str], data_dir: str | os.PathLike[str]) -> Path:
    """Beside ``video`` if that folder is writable and not lecturecut's own, else ``data_dir``."""
    beside = default_project_path(video).parent
    if os.access(beside, os.W_OK) and not is_inside_package(beside):
        return beside
    return Path(data_dir)


def _candidates(folder: Path, stem: str):
    yield folder / f"{stem}{PROJECT_SUFFIX}"
    for n in range(2, MAX_NUMBERED):
        yield folder / f"{stem} ({n}){PROJECT_SUFFIX}"


def project_for_video(video: str | os.PathLike[str], data_dir: str | os.PathLike[str] | None = None) -> Path | None:
    """An existing project made from this very file, beside it or in ``data_dir`` (re-opening reuses it)."""
    video = Path(video).resolve()
    folders = [video.parent] + ([Path(data_dir)] if data_dir is not None else [])
    for folder in folders:
        for candidate in _candidates(folder, video.stem):
            if not candidate.exists():
                break
            try:
                project = load_project(candidate)
            except Exception:  # noqa: BLE001 - an unreadable sibling is simply not reused
                continue
            if Path(project.source) == video:
                return candidate
    return None


def free_project_path(video: str | os.PathLike[str], data_dir: str | os.PathLike[str]) -> Path:
    """Where a new project for ``video`` is first saved (``lecture.lcproj``, ``lecture (2).lcproj``, ...),
    in ``project_folder``; the folder is created."""
    folder = project_folder(video, data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    for candidate in _candidates(folder, Path(video).stem):
        if not candidate.exists():
            return candidate
    raise FileExistsError(f"too many projects named like '{Path(video).stem}' in {folder}")
