"""Lint: ruff over the repository, then the import-linter contracts in pyproject.toml.

    python scripts/lint.py

import-linter (grimp) finds a package's modules by walking the folder of its
top-level package. lecturecut's top-level folders (app/, asr/, ...) are mapped
into the ``lecturecut`` namespace by setuptools' package-dir, so no single
folder holds them all: the contracts are checked against a temporary mirror,
``lecturecut/`` with a symlink per source file, that has the installed shape.
Exits non-zero when either check fails.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def mirror(into: Path) -> Path:
    """Build ``into/lecturecut`` from pyproject's package-dir mapping, one symlink per .py file."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    mapping = config["tool"]["setuptools"]["package-dir"]
    for package, folder in mapping.items():
        src = ROOT / folder
        dst = into.joinpath(*package.split("."))
        for path in src.rglob("*.py"):
            if "__pycache__" in path.parts:
                continue
            target = dst / path.relative_to(src)
            target.parent.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                target.symlink_to(path)
    return into


def check_imports(extra: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    """Run the import-linter contracts on a fresh mirror; ``extra`` adds modules to the mirror
    ({"lecturecut/media/x.py": "source"}), so a test can show that a broken layer is caught."""
    with tempfile.TemporaryDirectory(prefix="lecturecut-lint-") as tmp:
        mirror(Path(tmp))
        for relpath, source in (extra or {}).items():
            (Path(tmp) / relpath).write_text(source, encoding="utf-8")
        # the mirror goes first on sys.path, ahead of the editable install's finder
        code = ("import sys; sys.path.insert(0, %r); from importlinter.cli import lint_imports; "
                "sys.exit(lint_imports(config_filename=%r, no_cache=True, no_logo=True))"
                % (tmp, str(ROOT / "pyproject.toml")))
        return subprocess.run([sys.executable, "-c", code], cwd=tmp, capture_output=True, text=True)


def main() -> int:
    failed = subprocess.call([sys.executable, "-m", "ruff", "check", str(ROOT)]) != 0
    result = check_imports()
    print(result.stdout, end="")
    print(result.stderr, end="", file=sys.stderr)
    failed |= result.returncode != 0
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
