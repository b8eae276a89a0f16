"""Helpers for the media, plan, export and quality tests: real clips, known word times, no Whisper.

Projects are built from word timings we know without running a recogniser:
GRID's own alignment for ``grid_s2_swwp2s`` (exact), and for the other clips
"words" found by pause detection (a stretch of sound between two silences).
That is enough to test the cutting mechanics; the end-to-end test with real
Whisper transcripts lives in ``test_end_to_end.py``.

Expensive results (decoded audio, an export with many cuts) are cached per
process with functools.cache, so the test modules that need them share one
copy (a pytest fixture imported into two modules would run twice).
"""

from __future__ import annotations

import atexit
import csv
import functools
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from testmedia import AUTO_EDITOR, GRID, JFK, OBAMA, media_path  # noqa: F401 - re-exported for the test modules

from lecturecut.asr.transcript import SAMPLE_RATE, Transcript, Word, to_samples
from lecturecut.media.audio import decode_audio
from lecturecut.media.ffmpeg import ffprobe_path
from lecturecut.media.probe import probe
from lecturecut.synthesis.project import Project, ProjectSettings

RMS_WINDOW_S = 0.005  # pause detection resolution
SPEECH_THRESHOLD_DB = -30.0  # dBFS: louder 5 ms windows are speech
MIN_GAP_S = 0.020  # a quieter stretch at least this long separates two "words"
MIN_WORD_S = 0.030  # shorter blips are not words


def media(name: str) -> Path:
    return media_path(name)


@functools.cache
def audio16k(name: str) -> np.ndarray:
    """Mono 16 kHz audio of a clip, shape (n,)."""
    return decode_audio(media(name), SAMPLE_RATE, 1)


def grid_words() -> tuple[Word, ...]:
    """The six GRID words of grid_s2_swwp2s with their exact (hand-checked corpus) times."""
    path = media("grid_s2_swwp2s.words.tsv")
    with open(path, encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh, delimiter="\t") if r["word"] != "sil"]
    return tuple(Word(r["word"], to_samples(float(r["start_s"])), to_samples(float(r["end_s"]))) for r in rows)


def pause_words(name: str, threshold_db: float = SPEECH_THRESHOLD_DB) -> tuple[Word, ...]:
    """Fake words: the sounding stretches of a clip between pauses of at least MIN_GAP_S."""
    x = audio16k(name)
    hop = int(RMS_WINDOW_S * SAMPLE_RATE)
    n = len(x) // hop
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1))  # (n,)
    loud = 20 * np.log10(rms + 1e-12) > threshold_db
    regions: list[list[int]] = []
    for i in np.flatnonzero(loud):
        if regions and i - regions[-1][1] < MIN_GAP_S / RMS_WINDOW_S:
            regions[-1][1] = i + 1
        else:
            regions.append([i, i + 1])
    min_len = MIN_WORD_S / RMS_WINDOW_S
    return tuple(Word(f"w{k}", a * hop, b * hop) for k, (a, b) in
                 enumerate(r for r in regions if r[1] - r[0] >= min_len))


def make_project(name: str, words: tuple[Word, ...] | None = None, source: Path | None = None,
                 settings: ProjectSettings | None = None) -> Project:
    """A project on a shared clip (or a copy of it at ``source``) with known words."""
    path = source or media(name)
    info = probe(path)
    if words is None:
        words = grid_words() if name == GRID else pause_words(name)
    transcript = Transcript(words, "en", "known-times", duration=to_samples(info.duration_s))
    return Project.create(path, info, transcript, settings)


def delete(project: Project, *runs: tuple[int, int]) -> Project:
    edl = project.edl
    for a, b in runs:
        edl = edl.delete(a, b)
    return project.with_edl(edl, "test cuts")


def stream_durations(path: Path) -> dict[str, float]:
    """Duration of each stream from its packets (container metadata can lie; count what is there)."""
    out = subprocess.run(
        [ffprobe_path(), "-v", "error", "-count_packets", "-show_entries",
         "stream=codec_type,duration,nb_read_packets", "-of", "json", str(path)],
        capture_output=True, text=True, check=True)
    return {s["codec_type"]: float(s.get("duration", "nan")) for s in json.loads(out.stdout)["streams"]}


def stream_types(path: Path) -> list[str]:
    out = subprocess.run([ffprobe_path(), "-v", "error", "-show_entries", "stream=codec_type,codec_name",
                          "-of", "json", str(path)], capture_output=True, text=True, check=True)
    return [f"{s['codec_type']}:{s['codec_name']}" for s in json.loads(out.stdout)["streams"]]


def srt_cues(path: Path) -> list[tuple[float, float, list[str]]]:
    """(start_s, end_s, lines) of every cue in an SRT file."""

    def seconds(stamp: str) -> float:
        h, m, rest = stamp.strip().split(":")
        s, ms = rest.split(",")
        return int(h) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000

    cues = []
    for block in path.read_text(encoding="utf-8").strip().split("\n\n"):
        lines = block.splitlines()
        start, end = lines[1].split(" --> ")
        cues.append((seconds(start), seconds(end), lines[2:]))
    return cues


# ---------------------------------------------------------------- a shared many-cut export
_SCRATCH: list[str] = []


def _scratch_dir() -> Path:
    if not _SCRATCH:
        _SCRATCH.append(tempfile.mkdtemp(prefix="lecturecut-test-"))
        atexit.register(shutil.rmtree, _SCRATCH[0], True)
    return Path(_SCRATCH[0])


def many_cut_runs(words: tuple[Word, ...], n_runs: int = 20) -> list[tuple[int, int]]:
    """Every other word deleted (runs of one word with kept words between), ``n_runs`` of them."""
    runs = [(i, i + 1) for i in range(1, len(words) - 1, 2)]
    return runs[:n_runs]


@functools.cache
def many_cut_export():
    """The auto-editor clip with 20 single-word cuts, exported once per process: (project, result)."""
    from lecturecut.synthesis.export import ExportOptions, export

    project = make_project(AUTO_EDITOR)
    runs = many_cut_runs(project.transcript.words)
    assert len(runs) == 20, f"pause detection found too few words ({len(project.transcript.words)})"
    project = delete(project, *runs)
    out = _scratch_dir() / "many cuts.mp4"
    result = export(project, out, ExportOptions(preset="draft", subtitles="sidecar", smooth_cuts=False))
    return project, result
