"""Where the test suite finds its media: tests/media/ in this repository, and nowhere else.

A fresh clone tests itself: every recording a test needs is committed under
tests/media/ (sources and licences in tests/media/SOURCES.md), the bundled
sample lecture lives in resources/. A missing file is a failure, never a skip:
a suite that silently checks less than it claims is worse than a red one.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lecturecut.resources import SAMPLE_LECTURE

MEDIA_DIR = Path(__file__).resolve().parent / "media"
WAV2LIP_REFERENCE = MEDIA_DIR / "wav2lip"

# The Obama weekly address (20 s, h264 450x450 25 fps, AAC 48 kHz stereo) is the bundled sample lecture.
OBAMA = "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"
GRID = "grid_s2_swwp2s.mpg"  # 3 s, 25 fps, MP2 44.1 kHz stereo; exact GRID word alignment beside it
AUTO_EDITOR = "speech_over_timecode_auto_editor_1280x720_42s.mp4"  # 30 fps, burned-in timecode
JFK = "jfk_inaugural_1961_11s.flac"  # audio only, 44.1 kHz stereo
WEBCAM = "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4"  # h264 1080x720 30 fps, AAC 44.1 kHz mono


def media_path(name: str) -> Path:
    """The path of a committed test recording; fails the test (never skips) when it is missing."""
    path = SAMPLE_LECTURE if name in (OBAMA, SAMPLE_LECTURE.name) else MEDIA_DIR / name
    if not path.is_file():
        pytest.fail(f"test media missing: {path} (it is committed with the repository; is the checkout complete?)",
                    pytrace=False)
    return path
