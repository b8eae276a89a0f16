"""Benchmark: is the language of every real clip detected correctly, on every run?

    .venv/bin/python -m bench.language_table               # whisper backend, 3 runs
    .venv/bin/python -m bench.language_table --runs 1 --backend faster-whisper

Reads the shared developer media (benchmarks may; tests may not) plus German
spoken by espeak-ng, detects each clip's language with the default settings
(the base model, candidates ``language.DEFAULT_CANDIDATES``, several speech
windows) and prints a Markdown table with what unrestricted Whisper (all its
languages, first 30 s only, its own behaviour) would have said.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED_MEDIA = ROOT.parent / "shared" / "media"
LJSPEECH_FILES = 3  # the first few LJ Speech sentences: one reader, all alike
GERMAN_SENTENCES = (
    "Guten Morgen, meine Damen und Herren. Heute sprechen wir über die Geschichte der deutschen Sprache.",
    "Die Vorlesung beginnt pünktlich um neun Uhr, und am Ende gibt es Zeit für Fragen.",
    "Im nächsten Kapitel betrachten wir die Wärmeleitung in festen Körpern und in Flüssigkeiten.",
)


def real_clips(media: Path) -> list[tuple[str, Path, str]]:
    """(label, path, expected language) for every real recording in the shared media folder."""
    patterns = ("th_*.mp4", "th_*.wav", "webcam_*.mp4", "grid_*.mpg", "jfk_*.flac", "deepspeech_*.wav",
                "praatio_*.wav", "speech_over_*.mp4")
    clips = [(p.name, p, "en") for pattern in patterns for p in sorted(media.glob(pattern))]
    clips += [(f"ljspeech/{p.name}", p, "en") for p in sorted((media / "ljspeech").glob("*.flac"))[:LJSPEECH_FILES]]
    return clips


def espeak_german(folder: Path) -> list[tuple[str, Path, str]]:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise SystemExit("espeak-ng is not installed (scripts/setup.sh installs it)")
    out = []
    for i, text in enumerate(GERMAN_SENTENCES):
        path = folder / f"espeak_de_{i}.wav"
        subprocess.run([exe, "-v", "de", "-s", "150", "-w", str(path), text], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        out.append((f"espeak German {i + 1}", path, "de"))
    return out


def unrestricted_guess(engine, audio) -> tuple[str, float]:
    """What Whisper alone says: its top language over all languages, from the first 30 s."""
    probs = engine.language_probabilities(audio)
    best = max(probs, key=probs.get)
    return best, probs[best]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--backend", choices=["whisper", "faster-whisper"], default="whisper")
    parser.add_argument("--media", type=Path, default=SHARED_MEDIA)
    args = parser.parse_args(argv)

    from lecturecut.asr.language import DEFAULT_CANDIDATES, detect_language, detection_doubt
    from lecturecut.asr.refine import compute_energy
    from lecturecut.asr.transcribe import load_engine, plan_windows
    from lecturecut.media import decode_audio

    engine = load_engine("auto", backend=args.backend)
    rows, wrong = [], 0
    with tempfile.TemporaryDirectory() as tmp:
        for label, path, expected in real_clips(args.media) + espeak_german(Path(tmp)):
            audio = decode_audio(path, 16_000)
            windows = plan_windows(compute_energy(audio), len(audio))
            guesses = [detect_language(engine, audio, windows, DEFAULT_CANDIDATES) for _ in range(args.runs)]
            detected = [g.language for g in guesses]
            wrong += sum(d != expected for d in detected)
            first = guesses[0]
            doubt = "uncertain" if detection_doubt(first) else ""
            unrestricted, up = unrestricted_guess(engine, audio)
            rows.append(f"| {label} | {expected} | {', '.join(detected)} | {first.probability:.3f} "
                        f"(share {first.candidate_share:.2f}) {doubt} | {unrestricted} ({up:.2f}) |")
    print(f"model {engine.model_name} ({engine.backend}), candidates {'/'.join(DEFAULT_CANDIDATES)}, "
          f"{args.runs} runs each\n")
    print("| clip | expected | detected (all runs) | p among candidates | unrestricted Whisper's guess |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"\n{wrong} wrong detections out of {len(rows) * args.runs}")
    return 1 if wrong else 0


if __name__ == "__main__":
    sys.exit(main())
