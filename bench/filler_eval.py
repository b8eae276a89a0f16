"""Benchmark: recovering the fillers Whisper leaves out (issue 10's precision and recall).

    .venv/bin/python -m bench.filler_eval                  # default model (base), seed 1
    .venv/bin/python -m bench.filler_eval --model tiny.en --seed 2

No developer recording has labelled fillers, so they are built (``bench/measures/fillers.py``):
each English speech clip of the developer media set gets one "uh" or "um" per 4 s of
speech, made from that speaker's own /AH/ and /M/ phones, half of them in pauses and half
between two words said without a pause. The clip is then transcribed as a user's would be
(the default Whisper model, pocketsphinx boundaries, filler recovery), and every filler token
in the transcript (written by Whisper, or recovered and marked) is scored against the labels.
The same clips unedited give the false alarms in real speech that has no fillers.

Prints one row per clip and the totals.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

MEDIA = Path(__file__).resolve().parents[2] / "shared" / "media"
CLIPS = (
    "jfk_inaugural_1961_11s.flac",
    "th_obama_diwali_message_256x256_30s.mp4",
    "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4",
    "speech_over_timecode_auto_editor_1280x720_42s.mp4",
    "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4",
    "th_aoc_weekly_dem_address_512x512_8s.mp4",
    "th_katie_hill_weekly_dem_address_512x512_8s.mp4",
)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model", default="auto")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--media", type=Path, default=MEDIA)
    args = parser.parse_args(argv)

    from bench.measures.fillers import insert_fillers, score
    from lecturecut.asr.transcribe import load_engine, transcribe
    from lecturecut.media import decode_audio
    from lecturecut.synthesis.clean import is_filler

    engine = load_engine(args.model)
    totals = {"found": 0, "labelled": 0, "hits": 0}
    by_place = {"pause": [0, 0], "connected": [0, 0]}
    errors: list[float] = []
    false_alarms, minutes, seconds = 0, 0.0, 0.0
    print("| clip | labelled (pause / connected) | found | hits | precision | recall | false alarms unedited |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name in CLIPS:
        audio = decode_audio(args.media / name, 16_000)
        original = transcribe(audio, model=engine, language="en")
        alarms = [w for w in original.words if w.filler or is_filler(w.text, "en")]
        false_alarms += len(alarms)
        minutes += len(audio) / 16_000 / 60
        filled, labels = insert_fillers(audio, original.words, max(2, int(len(audio) / 16_000 / 4)), seed=args.seed)
        t0 = time.perf_counter()
        result = transcribe(filled, model=engine, language="en")
        seconds += time.perf_counter() - t0
        found = [(w.start, w.end) for w in result.words if w.filler or is_filler(w.text, "en")]
        r = score(found, labels)
        for k in totals:
            totals[k] += r[k]
        for lab in labels:
            by_place[lab.placement][1] += 1
            by_place[lab.placement][0] += score(found, [lab])["hits"] > 0
        if r["hits"]:
            errors += [r["boundary_median_ms"]]
        n_pause = sum(lab.placement == "pause" for lab in labels)
        print(f"| {name} | {len(labels)} ({n_pause} / {len(labels) - n_pause}) | {r['found']} | {r['hits']} | "
              f"{r['precision']:.2f} | {r['recall']:.2f} | {len(alarms)} |")
    precision = totals["hits"] / totals["found"] if totals["found"] else float("nan")
    recall = totals["hits"] / totals["labelled"]
    print(f"| **all** | {totals['labelled']} | {totals['found']} | {totals['hits']} | **{precision:.2f}** | "
          f"**{recall:.2f}** | {false_alarms} in {minutes:.1f} min |")
    for place, (hit, n) in by_place.items():
        print(f"recall in {place}: {hit}/{n}")
    if errors:
        print(f"boundary error of the hits: median of the clips' medians {sorted(errors)[len(errors) // 2]:.0f} ms")
    print(f"model {engine.model_name}; transcription of the filled clips {seconds:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
