"""Before/after stills and side-by-side clips of a few retypes, with the mouth regenerated.

    .venv/bin/python scripts/lips_stills.py [VIDEO] [--edit OLD=NEW ...] [-o OUTDIR] [--clips] [--force]

VIDEO defaults to the bundled sample lecture; the default edits are a word said elsewhere in it
(reused, its own mouth footage carried along), a word it never says (built from the lecturer's
phones) and an insertion (``+NEW@BEFORE``: NEW inserted before the word BEFORE). Each edit is
made alone on a fresh project (transcribed once by the default model), rendered by the
export's own renderer over just the span's frames, and saved as ``OUTDIR/NN-old-new.jpg``:

- top row: the frames the export would show there without the lips engine (the original
  picture retimed to the new speech: the mouth still says the old words);
- bottom row: the same frames as exported, the lecturer's mouth saying the new words;

each column one instant of the new speech, labelled with the phone sounding then (bilabials
p/b/m and open vowels marked: the lips should close and open there), cropped to the lower face.
With ``--clips`` each edit is also rendered as a side-by-side clip (``lecturecut preview
--side-by-side``: recording left, edited right) next to the stills. The README shows the stills
of the default run: ``docs/lips/``.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
COLUMNS = 7
CROP_PAD = 0.35  # the crop extends this fraction of the lower face's size around it
CELL_H = 150  # px: each still is scaled to this height


def parse_edit(text: str) -> tuple[str, str, str | None]:
    """"old=new" (a retype) or "+new@before" (an insertion) -> (old, new, None) or ("", new, before)."""
    if text.startswith("+") and "@" in text:
        new, before = text[1:].split("@", 1)
        return "", new, before
    if "=" not in text:
        raise SystemExit(f"lips_stills: '{text}' is not OLD=NEW or +NEW@BEFORE; e.g. --edit shores=citizens")
    old, new = text.split("=", 1)
    return old, new, None


def lower_face_box(frame: np.ndarray, landmarker) -> tuple[int, int, int, int]:
    """(x0, y0, x1, y1) around the jaw and mouth of the largest face, padded; the whole frame if none."""
    h, w = frame.shape[:2]
    face = landmarker.detect(frame)
    if face is None:
        return 0, 0, w, h
    pts = face.landmarks
    lower = np.concatenate([pts[2:15], pts[48:68], pts[30:31]])
    x0, y0 = lower.min(axis=0)
    x1, y1 = lower.max(axis=0)
    pad_x, pad_y = (x1 - x0) * CROP_PAD, (y1 - y0) * CROP_PAD
    return (int(max(x0 - pad_x, 0)), int(max(y0 - pad_y, 0)), int(min(x1 + pad_x, w)), int(min(y1 + pad_y, h)))


def phone_at(record, sample: float) -> str:
    for p in record.phones:
        if p.start <= sample < p.end:
            return p.label
    return ""


def sheet(title: str, rows: list[tuple[str, list[np.ndarray]]], labels: list[str], path: Path) -> None:
    from PIL import Image, ImageDraw

    from lecturecut.synthesis.lips.visemes import is_bilabial, is_open_vowel

    cells = [[Image.fromarray(f).resize((int(f.shape[1] * CELL_H / f.shape[0]), CELL_H)) for f in frames]
             for _name, frames in rows]
    cw = cells[0][0].width
    left, top, gap, label_h = 90, 30, 4, 18
    width = left + len(labels) * (cw + gap)
    height = top + len(rows) * (CELL_H + gap) + label_h
    image = Image.new("RGB", (width, height), (24, 24, 24))
    draw = ImageDraw.Draw(image)
    draw.text((8, 8), title, fill=(235, 235, 235))
    for r, (name, _frames) in enumerate(rows):
        y = top + r * (CELL_H + gap)
        draw.text((8, y + CELL_H // 2 - 6), name, fill=(200, 200, 200))
        for c, cell in enumerate(cells[r]):
            image.paste(cell, (left + c * (cw + gap), y))
    y = top + len(rows) * (CELL_H + gap) + 2
    for c, label in enumerate(labels):
        mark = " (closed)" if label and is_bilabial(label) else " (open)" if label and is_open_vowel(label) else ""
        color = (255, 200, 90) if mark else (200, 200, 200)
        draw.text((left + c * (cw + gap) + 4, y), (label or "-") + mark, fill=color)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, quality=88)


def main(argv: list[str] | None = None) -> int:
    sys.path.insert(0, str(ROOT))
    from lecturecut.asr.transcribe import transcribe
    from lecturecut.core import no_progress
    from lecturecut.media.probe import probe
    from lecturecut.models.face import best_landmarker
    from lecturecut.resources import SAMPLE_LECTURE
    from lecturecut.synthesis.moment import edits, preview_edit
    from lecturecut.synthesis.plan import SynthSpan, plan_for
    from lecturecut.synthesis.project import Project
    from lecturecut.synthesis.render.video import write_frames

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("video", nargs="?", default=str(SAMPLE_LECTURE))
    parser.add_argument("--edit", action="append", default=[], metavar="OLD=NEW|+NEW@BEFORE")
    parser.add_argument("-o", "--out", default=str(ROOT / "docs" / "lips"))
    parser.add_argument("--clips", action="store_true", help="also render a side-by-side clip of each edit")
    parser.add_argument("--force", action="store_true", help="replace clips that exist")
    parser.add_argument("--model", default="base")
    args = parser.parse_args(argv)
    todo = [parse_edit(e) for e in (args.edit or ["shores=citizens", "battle=problem", "+terrible@explosion"])]
    out = Path(args.out)
    source = Path(args.video)
    print(f"lips_stills: transcribing {source.name} ({args.model}) ...", flush=True)
    base = Project.create(source, probe(source), transcribe(str(source), model=args.model, language="en"))
    words = base.transcript.words
    landmarker = best_landmarker()
    for n, (old, new, before) in enumerate(todo, 1):
        key = before if before is not None else old
        hits = [k for k, w in enumerate(words) if w.norm == key.lower()]
        if not hits:
            print(f"lips_stills: '{key}' is not said in {source.name}; skipped", flush=True)
            continue
        k = hits[0]
        edl = base.edl.replace(k, k, new) if before is not None else base.edl.replace(k, k + 1, new)
        project = base.with_edl(edl, "stills")
        plan = plan_for(project, synthesize=True)
        spans = plan.synth_spans
        if not spans:
            print(f"lips_stills: '{new}' could not be spoken here (voice pending); skipped", flush=True)
            continue
        index = plan.spans.index(spans[0])
        span: SynthSpan = spans[0]
        f0 = sum(s.n_frames for s in plan.spans[:index])
        window = (f0, f0 + span.n_frames)
        plain: list[np.ndarray] = []
        mouthed: list[np.ndarray] = []
        results: list = []
        for into, lips_list in ((plain, None), (mouthed, results)):
            write_frames(project, plan, lambda f, into=into: into.append(f.copy()), smooth_cuts=True,
                         progress=no_progress, cancel=None, window=window, lips=lips_list)
        record = span.speech.record
        acc_samples = sum(s.n_samples for s in plan.spans[:index])
        picks = np.linspace(0, len(plain) - 1, min(COLUMNS, len(plain))).round().astype(int)
        x0, y0, x1, y1 = lower_face_box(plain[len(plain) // 2], landmarker)
        labels = [phone_at(record, (f0 + j) / plan.fps * plan.audio_rate - acc_samples + plan.crossfade // 2)
                  for j in picks]
        what = f"+ {new} (before '{before}')" if before is not None else f"{old} -> {new}"
        lips = results[0].summary if results else "lips: not run"
        title = f"{what}: voice {record.method}; {lips}"
        slug = re.sub(r"[^a-z0-9]+", "-", (f"{old}-{new}" if before is None else f"insert-{new}").lower())
        path = out / f"{n:02d}-{slug}.jpg"
        sheet(title, [("retimed", [plain[j][y0:y1, x0:x1] for j in picks]),
                      ("regenerated", [mouthed[j][y0:y1, x0:x1] for j in picks])], labels, path)
        print(f"lips_stills: {path}  {title}", flush=True)
        if args.clips:
            number = next(e.number for e in edits(project) if e.kind != "cut")
            clip = out / f"{n:02d}-{slug}.mp4"
            try:
                preview_edit(project, number, clip, side_by_side=True, overwrite=args.force)
                print(f"lips_stills: {clip}  (recording left, edited right)", flush=True)
            except Exception as exc:  # noqa: BLE001 - one line, the stills stand
                print(f"lips_stills: {clip}: {exc}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
