"""Bundled resources: the sample lecture, icons, style sheets, translations."""

from pathlib import Path

RESOURCES_DIR = Path(__file__).resolve().parent
SAMPLE_LECTURE = RESOURCES_DIR / "sample" / "sample_lecture.mp4"
