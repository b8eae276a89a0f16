"""What an export changed, written next to it: ``OUT.edits.json``.

Edited lectures can hold synthetic speech and regenerated faces; viewers and platforms deserve to
know. Every export writes this record beside the video (the MP4's ``comment`` tag points to it):
each cut and each synthetic span on the **output** timeline, with its kind, method and the source
ranges it used, all in seconds (output times on the edited lecture's clock, source times on the
recording's):

- ``cut``: the source stretch removed and the output instant where the two sides now join;
- ``synthesized voice``: the new words, the words they replace, the method (reused: the
  lecturer's own recorded words; units: words built from the lecturer's recorded phones;
  generic: a text-to-speech voice, not the lecturer), and for each part of the new audio where
  it sounds and which recording it came from (its source stretch and words, or the TTS backend);
- ``regenerated frames``: the output frames whose mouth was regenerated under that speech, the
  method ("own mouth", "Wav2Lip GAN"), or why not.

It is a pure function of the plan, the project and the lips results (:func:`edits_record`); the
export writes it atomically after the video (:func:`write_record`).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, Sequence

from lecturecut.asr.transcript import SAMPLE_RATE as WORD_RATE
from lecturecut.files import write_text_atomic

from ..plan import RenderPlan, SynthSpan
from ..project import Project

SUFFIX = ".edits.json"
FORMAT = "lecturecut-edits/1"
KIND_CUT, KIND_VOICE, KIND_FRAMES = "cut", "synthesized voice", "regenerated frames"
VOICE_METHODS = {"reused": "the lecturer's own recorded words",
                 "units": "words built from the lecturer's own recorded phones",
                 "generic": "a text-to-speech voice (not the lecturer)"}


def record_path(out_path: Path) -> Path:
    """``lecture.mp4`` -> ``lecture.edits.json``."""
    return out_path.with_name(out_path.stem + SUFFIX)


def _s(samples: int | float, rate: int) -> float:
    return round(float(samples) / rate, 4)


def edits_record(project: Project, plan: RenderPlan, lips: Sequence[Any] = ()) -> dict[str, Any]:
    """The record of every change in ``plan``'s output (see the module docstring), as JSON data."""
    from lecturecut import __version__

    rate = plan.audio_rate
    words = project.transcript.words
    lips_of = {r.replacement: r for r in lips}
    entries: list[dict[str, Any]] = []
    out_acc = frame_acc = 0
    pos = 0  # source sample where the previous piece ended

    def source_words(a: int, b: int) -> str:
        return " ".join(w.text for w in words if a <= w.start * rate // WORD_RATE < b)

    for span in plan.spans:
        if span.audio_start > pos:  # a removed stretch before this piece
            entries.append({"kind": KIND_CUT, "output_at_s": _s(out_acc, rate),
                            "source_s": [_s(pos, rate), _s(span.audio_start, rate)],
                            "removed_words": source_words(pos, span.audio_start)})
        if isinstance(span, SynthSpan):
            entries += _synthetic(project, plan, span, out_acc, frame_acc, lips_of.get(span.replacement))
        out_acc += span.n_samples
        frame_acc += span.n_frames
        pos = span.audio_end
    if pos < plan.source_samples:
        entries.append({"kind": KIND_CUT, "output_at_s": _s(out_acc, rate),
                        "source_s": [_s(pos, rate), _s(plan.source_samples, rate)],
                        "removed_words": source_words(pos, plan.source_samples)})
    voice_version = next((s.speech.record.engine_version for s in plan.synth_spans if s.speech is not None), None)
    return {
        "format": FORMAT,
        "made_by": f"lecturecut {__version__}",
        "source": {"file": Path(project.source).name, "size": project.fingerprint.size,
                   "head_tail_sha256": project.fingerprint.head_tail_sha256},
        "output": {"duration_s": _s(plan.output_samples, rate),
                   "frames": plan.output_frames if plan.fps is not None else None,
                   "fps": str(plan.fps) if plan.fps is not None else None},
        "engines": {"voice": voice_version},
        "counts": {kind: sum(e["kind"] == kind for e in entries) for kind in (KIND_CUT, KIND_VOICE, KIND_FRAMES)},
        "methods": VOICE_METHODS,
        "edits": entries,
    }


def _synthetic(project: Project, plan: RenderPlan, span: SynthSpan, out_start: int, frame_start: int,
               lips: Any) -> list[dict[str, Any]]:
    rate = plan.audio_rate
    words = project.transcript.words
    replacement = project.edl.replacements[span.replacement]
    record = span.speech.record if span.speech is not None else None
    # the new audio starts half a crossfade before its piece (the crossfade overlaps the join)
    offset = out_start - plan.crossfade // 2
    r = record.rate if record is not None else rate

    def out_s(x: int) -> float:
        return _s(offset + x * rate / r, rate)

    parts = []
    for use in (record.sources if record is not None else ()):
        part: dict[str, Any] = {"text": use.text, "method": use.method,
                                "output_s": [out_s(use.output[0]), out_s(use.output[1])]}
        if use.method == "generic":
            part["backend"] = f"{use.backend} {use.voice}".strip()
        else:
            part["source_s"] = [_s(use.source[0], r), _s(use.source[1], r)]
            part["source_words"] = [use.words[0], use.words[1]]
            if use.pieces:
                part["source_pieces_s"] = [[_s(a, r), _s(b, r)] for a, b in use.pieces]
        parts.append(part)
    voice = {"kind": KIND_VOICE, "replacement": span.replacement, "method": span.method,
             "method_means": VOICE_METHODS.get(span.method, span.method),
             "text": replacement.text, "replaces": " ".join(w.text for w in words[replacement.start:replacement.end]),
             "output_s": [_s(out_start, rate), _s(out_start + span.n_samples, rate)],
             "replaced_source_s": [_s(span.audio_start, rate), _s(span.audio_end, rate)],
             "parts": parts}
    out = [voice]
    if lips is not None:
        voice["lips"] = lips.summary  # regenerated, or why not
    if plan.fps is not None and lips is not None and lips.changed:
        out.append({"kind": KIND_FRAMES, "replacement": span.replacement, "method": lips.method,
                    "output_frames": [frame_start, frame_start + span.n_frames],
                    "output_s": [round(frame_start / float(plan.fps), 4),
                                 round((frame_start + span.n_frames) / float(plan.fps), 4)],
                    "frames_changed": lips.changed, "note": lips.summary})
    return out


def write_record(record: dict[str, Any], out_path: Path) -> Path:
    """Write ``record`` beside the export at ``out_path`` (atomically); its path."""
    target = record_path(out_path)
    write_text_atomic(target, json.dumps(record, indent=1, ensure_ascii=False) + "\n")
    return target


def comment_for(out_path: Path) -> str:
    """The MP4 ``comment`` tag: where the record of the changes is."""
    return (f"Edited with lecturecut. Every cut, synthesized voice and regenerated frame is listed in "
            f"{record_path(out_path).name}")
