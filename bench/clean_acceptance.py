"""Acceptance run of the clean-up on recordings the project never tuned on (``/work/shared/eval``).

    .venv/bin/python -m bench.clean_acceptance                 # the default models ("auto")
    .venv/bin/python -m bench.clean_acceptance --model base    # another Whisper model

Acceptance only: nothing here is used by a test, and no threshold was set from it. For each
recording it transcribes with the app's own pipeline (``synthesis.pipeline.new_project``, the
language detected as for a user) and runs ``synthesis.clean``:

- **Fillers**: CrisperWhisper's talking head comes with a verbatim word-level transcript in which
  the speaker's two fillers are labelled ([UH] 2.54-2.92 s, [UM] 10.60-11.24 s). A finding is
  right when it overlaps a labelled filler; precision and recall are counted over the labels.
- **German "um"**: every German recording's transcript, with the German fillers looked for;
  a finding on a word "um" is a false removal (the goal is none).
- **Pauses**: every pause over 0.5 s between two words is shortened to 0.3 s and the edited lecture
  is exported; the silence heard is measured in the export's decoded audio between the two words
  (``plan.silence_of``: 5 ms windows 30 dB under the speech beside it) against the 0.3 s asked for
  (the goal: within 50 ms). A pause whose silence is already no longer than that is left as it is.

Prints one line per recording and the totals.
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

import numpy as np

EVAL = Path("/work/shared/eval/media")
FILLER_CLIP = "crisper_fillers_talking_head_256x250_13s.mp4"
GERMAN = ["th_german_news_anchor_DE_512x512_20s.mp4", "crisper_demo_DE_3s.mp3"]
PAUSE_CLIPS = ["th_reagan_farewell_address_256x256_26s.mp4", "th_ted_lieu_weekly_dem_address_256x256_60s.mp4",
               "th_kristi_noem_covid_address_256x256_18s.mp4", "th_german_news_anchor_DE_512x512_20s.mp4"]
PAUSE_OVER_S, KEEP_S = 0.5, 0.3


def labelled_fillers(vtt: Path) -> list[tuple[float, float]]:
    def seconds(t: str) -> float:
        h, m, s = t.split(":")
        return int(h) * 3600 + int(m) * 60 + float(s)

    out = []
    lines = vtt.read_text().splitlines()
    for k, line in enumerate(lines):
        if "-->" in line and k + 1 < len(lines) and re.fullmatch(r"\[(UH|UM|UHM|HM)\]", lines[k + 1].strip()):
            a, b = (seconds(x.strip()) for x in line.split("-->"))
            out.append((a, b))
    return out


def project_of(clip: Path, model: str):
    from lecturecut.synthesis.pipeline import new_project
    from lecturecut.synthesis.project import ProjectSettings

    return new_project(clip, ProjectSettings(model=model))


def fillers(model: str) -> tuple[int, int, int]:
    from lecturecut.synthesis import clean

    clip = EVAL / FILLER_CLIP
    labels = labelled_fillers(clip.with_suffix(".vtt"))
    project = project_of(clip, model)
    found = clean.find_fillers(project)
    right = [f for f in found if any(f.start_s < b and a < f.end_s for a, b in labels)]
    hit = [ab for ab in labels if any(f.start_s < ab[1] and ab[0] < f.end_s for f in found)]
    print(f"fillers  {FILLER_CLIP}: transcript {project.transcript.text!r}")
    print(f"         labelled {len(labels)}, found {len(found)}, right {len(right)}, labels found {len(hit)}")
    return len(found), len(right), len(labels) - len(hit)


def german_um(model: str) -> tuple[int, int]:
    from lecturecut.synthesis import clean

    words = false = 0
    for name in GERMAN:
        project = project_of(EVAL / name, model)
        ws = project.transcript.words
        ums = [k for k, w in enumerate(ws) if w.norm == "um"]
        bad = [f for f in clean.find_fillers(project) if any(f.start <= k < f.end for k in ums)]
        words += len(ums)
        false += len(bad)
        print(f"german   {name}: language {project.transcript.language}, {len(ws)} words, "
              f"'um' {len(ums)}, removed {len(bad)}")
    return words, false


def pauses(model: str, folder: Path) -> list[float]:
    from lecturecut.media.audio import decode_audio
    from lecturecut.synthesis import clean
    from lecturecut.synthesis.export import ExportOptions, export
    from lecturecut.synthesis.plan import silence_of, word_extent

    errors = []
    for name in PAUSE_CLIPS:
        project = project_of(EVAL / name, model)
        found = clean.find_pauses(project, PAUSE_OVER_S, KEEP_S)
        if not found:
            print(f"pauses   {name}: no pause over {PAUSE_OVER_S} s")
            continue
        result = clean.apply(project.edl, found)
        edited = project.with_edl(result.edl, result.label)
        out = folder / (Path(name).stem + ".mp4")
        exported = export(edited, out, ExportOptions(preset="draft", subtitles="none", target="archive"))
        rate = exported.plan.audio_rate
        audio = decode_audio(out, rate, 1)
        source = decode_audio(project.source, rate, 1)

        def reader(x):
            def read(lo, hi):
                return np.concatenate([np.zeros(max(0, -lo), np.float32), x[max(lo, 0):max(hi, 0)]])
            return read

        w = project.transcript.words
        heard, before_s = [], []
        for f in result.applied:
            a = int(round(word_extent(w[f.start - 1])[1] * rate / 16_000))
            b = int(round(word_extent(w[f.start])[0] * rate / 16_000))
            s0, s1 = silence_of(reader(source), a, b, rate)
            o0, o1 = silence_of(reader(audio), exported.plan.source_to_output(a),
                                exported.plan.source_to_output(b), rate)
            before_s.append((s1 - s0) / rate)
            heard.append((o1 - o0) / rate)
        errs = [abs(h - KEEP_S) for h in heard]
        errors += errs
        print(f"pauses   {name}: {len(found)} over {PAUSE_OVER_S} s between the words "
              f"({', '.join(f'{f.duration_s:.2f}' for f in found)} s); their silence "
              f"{', '.join(f'{h:.3f}' for h in before_s)} s in the source, {', '.join(f'{h:.3f}' for h in heard)} s "
              "in the export")
    return errors


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", default="auto")
    args = ap.parse_args(argv)
    if not EVAL.is_dir():
        print(f"{EVAL} is not here: the acceptance recordings are not on this machine.", file=sys.stderr)
        return 1
    n_found, n_right, n_missed = fillers(args.model)
    precision = n_right / n_found if n_found else float("nan")
    recall = (n_right and 1 - n_missed / (n_right + n_missed)) if (n_right + n_missed) else float("nan")
    n_um, n_false = german_um(args.model)
    with tempfile.TemporaryDirectory() as tmp:
        errs = pauses(args.model, Path(tmp))
    print()
    print("| measure | value |")
    print("|---|---|")
    print(f"| filler precision | {n_right}/{n_found} = {precision:.2f} |")
    print(f"| filler recall | {n_right}/{n_right + n_missed} = {n_right / max(n_right + n_missed, 1):.2f} |")
    print(f"| German 'um' removed | {n_false} of {n_um} |")
    if errs:
        print(f"| pauses within 50 ms of {KEEP_S} s | {sum(e <= 0.05 for e in errs)}/{len(errs)} "
              f"(max error {max(errs) * 1000:.0f} ms) |")
    del recall
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
