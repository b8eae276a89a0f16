"""Benchmark: the clean-up on a 60-minute lecture's existing project (issue 10's time goal).

    .venv/bin/python -m bench.clean_eval               # 60 minutes, pauses over 0.4 s
    .venv/bin/python -m bench.clean_eval --minutes 120

The lecture is JFK's 11 s inaugural excerpt (tests/media) laid end to end by
ffmpeg until it lasts ``--minutes``, and its project is JFK's real tiny.en
transcript (refined boundaries and phones) repeated at the same offsets, so the
words and their timings are real, and the transcript matches its audio. The
clean-up never transcribes: what is timed is ``lecturecut clean`` as a user runs
it (load the project, find, apply, save one history step), a ``--dry-run``,
and ``clean.find`` alone. Fillers and repeats are rare in JFK, so the
finding is timed on every kind while the pause threshold (0.4 s by default)
gives a few thousand findings to apply and save.

Prints one line per measurement and the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CLIP = ROOT / "tests" / "media" / "jfk_inaugural_1961_11s.flac"


def _tiled_transcript(transcript, copies: int, period: int):
    """``transcript``'s words repeated ``copies`` times, copy k shifted by k * ``period`` samples."""
    from lecturecut.asr.transcript import Phone, Word

    def shifted(w: Word, dt: int) -> Word:
        return replace(w, start=w.start + dt, end=w.end + dt,
                       phones=tuple(Phone(p.label, p.start + dt, p.end + dt) for p in w.phones),
                       raw_start=None if w.raw_start is None else w.raw_start + dt,
                       raw_end=None if w.raw_end is None else w.raw_end + dt)

    words = tuple(shifted(w, k * period) for k in range(copies) for w in transcript.words)
    return replace(transcript, words=words, duration=copies * period)


def build(folder: Path, minutes: float) -> Path:
    from lecturecut.asr.transcribe import transcribe
    from lecturecut.asr.transcript import to_samples
    from lecturecut.media.ffmpeg import ffmpeg_path
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project, save_project

    clip_s = probe(CLIP).duration_s
    copies = int(minutes * 60 // clip_s) + 1
    audio = folder / "lecture.flac"
    # the clip played `copies` times, 16 kHz mono (a lecture's audio; the clean-up never reads it)
    subprocess.run([ffmpeg_path(), "-v", "error", "-stream_loop", str(copies - 1), "-i", str(CLIP),
                    "-ac", "1", "-ar", "16000", str(audio)], check=True)
    one = transcribe(CLIP, model="tiny.en", language="en")
    transcript = _tiled_transcript(one, copies, to_samples(clip_s))
    project = Project.create(audio, probe(audio), transcript)
    path = folder / "lecture.lcproj"
    save_project(project, path)
    print(f"lecture: {probe(audio).duration_s / 60:.1f} min, {len(transcript.words)} words, "
          f"project {path.stat().st_size / 1e6:.1f} MB")
    return path


def _run(args: list[str]) -> float:
    t = time.perf_counter()
    subprocess.run([sys.executable, "-m", "lecturecut.app.cli", "-q", *args], check=True, cwd=ROOT,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - t


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--minutes", type=float, default=60.0)
    ap.add_argument("--pauses", type=float, default=0.4, help="pause threshold for the timed runs (s)")
    a = ap.parse_args(argv)
    from lecturecut.synthesis import clean
    from lecturecut.synthesis.project import load_project

    with tempfile.TemporaryDirectory(prefix="lecturecut-clean-bench-") as tmp:
        path = build(Path(tmp), a.minutes)
        project = load_project(path)
        t = time.perf_counter()
        findings = clean.find(project, clean.CleanOptions(pause_longer_than_s=a.pauses, keep_s=0.3))
        find_s = time.perf_counter() - t
        t = time.perf_counter()
        result = clean.apply(project.edl, findings)
        apply_s = time.perf_counter() - t
        kinds = {k.value: sum(f.kind is k for f in findings) for k in clean.Kind}
        print(f"clean.find: {find_s:.2f} s, {len(findings)} findings {json.dumps(kinds)}; "
              f"clean.apply: {apply_s:.2f} s ({result.label})")
        dry = _run(["clean", str(path), "--pauses", str(a.pauses), "--keep", "0.3", "--dry-run"])
        real = _run(["clean", str(path), "--pauses", str(a.pauses), "--keep", "0.3"])
        print(f"lecturecut clean --dry-run: {dry:.2f} s; lecturecut clean (load, find, apply, save): {real:.2f} s "
              f"(each includes the interpreter's start)")
        print(f"history after: {load_project(path).history.labels[-1]!r}; load average {os.getloadavg()[0]:.1f} "
              f"on {os.cpu_count()} cores")
    return 0


if __name__ == "__main__":
    sys.exit(main())
