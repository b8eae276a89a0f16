"""Word-boundary error against hand-labelled clips: raw Whisper vs refined.

    python bench/boundary_error.py [--backends whisper,faster-whisper] [--media DIR]

For each clip, each backend and each method (raw Whisper times, pocketsphinx
alignment, acoustic refinement) prints the median, 95th percentile and
maximum absolute error of word starts and ends, in milliseconds, and the
same over all clips. Words are matched to the labels by their spoken form
("P2" = "p two"); unmatched words are left out and counted.

Uses the developer media set only (never the evaluation set).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.measures.textgrid import boundary_errors, match_words, read_word_intervals  # noqa: E402
from lecturecut.asr import load_engine, refine_transcript, transcribe  # noqa: E402
from lecturecut.asr.transcript import SAMPLE_RATE  # noqa: E402
from lecturecut.media import decode_audio  # noqa: E402

DEFAULT_MEDIA = Path(os.environ.get("LECTURECUT_MEDIA", ROOT / "tests" / "media"))  # the labelled clips are committed
# (audio, labels): hand-labelled Praat TextGrids and GRID's own alignment
CLIPS = (
    ("praatio_bobby.wav", "praatio_bobby_words.TextGrid"),
    ("praatio_mary.wav", "praatio_mary.TextGrid"),
    ("grid_s2_swwp2s.mpg", "grid_s2_swwp2s.words.tsv"),
)
METHODS = ("raw", "pocketsphinx", "acoustic")
GOAL_MEDIAN_MS, GOAL_P95_MS = 20.0, 60.0


@dataclass(frozen=True)
class Row:
    clip: str
    backend: str
    method: str
    errors_ms: tuple[float, ...]
    n_words: int
    n_truth: int

    def stats(self) -> tuple[float, float, float]:
        e = np.asarray(self.errors_ms)
        return float(np.median(e)), float(np.percentile(e, 95)), float(e.max())


def measure(media: Path, backends: list[str]) -> list[Row]:
    rows: list[Row] = []
    for backend in backends:
        engine = load_engine("tiny.en", backend=backend, language="en")
        for audio_name, label_name in CLIPS:
            audio = decode_audio(media / audio_name, SAMPLE_RATE)
            truth = read_word_intervals(media / label_name)
            raw = transcribe(audio, model=engine, language="en", refine=False)
            for method in METHODS:
                if method == "raw":
                    words, errors = raw.words, boundary_errors(raw.words, truth, raw=True)
                else:
                    words = refine_transcript(raw, audio, method=method).words
                    errors = boundary_errors(words, truth)
                rows.append(Row(audio_name, backend, method, tuple(1000.0 * e / SAMPLE_RATE for e in errors),
                                len(match_words(words, truth)), len(truth)))
    return rows


def table(rows: list[Row]) -> str:
    lines = [f"{'clip':<22} {'backend':<15} {'method':<13} {'words':>7} {'median':>7} {'p95':>7} {'max':>7}  (ms)"]
    groups: dict[tuple[str, str], list[Row]] = {}
    for r in rows:
        med, p95, mx = r.stats()
        lines.append(f"{r.clip:<22} {r.backend:<15} {r.method:<13} {r.n_words:>3}/{r.n_truth:<3} "
                     f"{med:7.1f} {p95:7.1f} {mx:7.1f}")
        groups.setdefault((r.backend, r.method), []).append(r)
    lines.append("-" * 84)
    for (backend, method), rs in groups.items():
        e = np.concatenate([r.errors_ms for r in rs])
        med, p95 = float(np.median(e)), float(np.percentile(e, 95))
        ok = "meets goal" if med <= GOAL_MEDIAN_MS and p95 <= GOAL_P95_MS else ""
        words = sum(r.n_words for r in rs)
        truth = sum(r.n_truth for r in rs)
        lines.append(f"{'ALL':<22} {backend:<15} {method:<13} {words:>3}/{truth:<3} "
                     f"{med:7.1f} {p95:7.1f} {e.max():7.1f}  {ok}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backends", default="whisper,faster-whisper")
    parser.add_argument("--media", type=Path, default=DEFAULT_MEDIA)
    args = parser.parse_args(argv)
    started = time.monotonic()
    rows = measure(args.media, [b.strip() for b in args.backends.split(",") if b.strip()])
    print(table(rows))
    print(f"goal: median <= {GOAL_MEDIAN_MS:.0f} ms, p95 <= {GOAL_P95_MS:.0f} ms; "
          f"{time.monotonic() - started:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
