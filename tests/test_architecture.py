"""The engine stays headless: the import-linter contracts in pyproject.toml hold."""

import importlib.util
import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _lint():
    spec = importlib.util.spec_from_file_location("lint", ROOT / "scripts" / "lint.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_import_contracts_hold():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    result = _lint().check_imports()
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Contracts: {len(contracts)} kept, 0 broken" in result.stdout


def test_a_layer_violation_is_caught():
    """media/ importing synthesis/ (upwards) breaks the layers contract: the check can fail."""
    result = _lint().check_imports({"lecturecut/media/upwards.py": "from lecturecut.synthesis import plan\n"})
    assert result.returncode != 0
    assert "lecturecut.media.upwards -> lecturecut.synthesis.plan" in result.stdout


def test_installed_names_live_under_one_namespace():
    """No top-level 'app', 'models' or 'media' in site-packages: every package is lecturecut.*"""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    assert all(p == "lecturecut" or p.startswith("lecturecut.") for p in config["packages"])
    mapped = {folder for folder in config["package-dir"].values()}
    assert {"app", "asr", "media", "models", "synthesis", "resources"} <= mapped
    for folder in ("app", "asr", "media", "models", "synthesis", "synthesis/render"):
        package = "lecturecut." + folder.replace("/", ".")
        assert package in config["packages"], f"{folder}/ is not installed as {package}"


def test_engine_never_prints_or_exits():
    offenders = []
    for pkg in ("asr", "media", "models", "synthesis", "lecturecut"):
        for path in (ROOT / pkg).rglob("*.py"):
            text = path.read_text(encoding="utf-8")
            for match in re.finditer(r"(?<![\w.])print\(|\bsys\.exit\(|\bQSettings\b", text):
                offenders.append(f"{path.relative_to(ROOT)}: {match.group(0)}")
    assert not offenders, offenders
