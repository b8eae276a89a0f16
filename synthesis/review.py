"""The review reel: every edit as "before" (original) then "after" (edited), for a reviewer
who approves a lecture's edits without opening the editor.

Each pair is rendered as the edit preview renders one (:mod:`.moment`): windows of the recording's
plan and of the edited lecture's plan, by the export's own renderer, so a reel of a long lecture
encodes only the seconds it shows instead of exporting the whole lecture first.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lecturecut.core import ProgressFn, no_progress, scaled
from lecturecut.media.reel import ReelSegment

from .moment import Half, check_output, render_halves, source_plan, window_of
from .plan import NothingToExport, SynthSpan, plan_for
from .project import Project, check_not_source
from .render import DestinationExists

CONTEXT_S = 2.0  # seconds shown either side of each edit


@dataclass(frozen=True)
class ReviewResult:
    path: Path
    n_edits: int
    duration_s: float


def review_segments(project: Project, edited: Path, plan, context_s: float = CONTEXT_S) -> list[ReelSegment]:
    """Before/after segment pairs, one per removed stretch of the source and one per spoken retype
    (its source range, then its new speech in the edited lecture), in source order."""
    rate = plan.audio_rate
    src_dur = plan.source_samples / rate
    out_dur = plan.output_duration_s
    edits: list[tuple[int, int, float, float]] = []  # source range (samples), output range (s)
    for a, b in plan.removed_ranges():
        join = plan.source_to_output_s(b / rate) if b < plan.source_samples else out_dur
        join = out_dur if join is None else join
        edits.append((a, b, join, join))
    acc = 0
    for span in plan.spans:
        if isinstance(span, SynthSpan):
            edits.append((span.audio_start, span.audio_end, acc / rate, (acc + span.n_samples) / rate))
        acc += span.n_samples
    edits.sort()
    segments: list[ReelSegment] = []
    for k, (a, b, out_a, out_b) in enumerate(edits, 1):
        a_s, b_s = a / rate, b / rate
        label = f"edit {k}/{len(edits)} at {int(out_a // 60)}:{int(out_a % 60):02d}"
        segments.append(ReelSegment(Path(project.source), max(0.0, a_s - context_s), min(src_dur, b_s + context_s),
                                    f"{label} - before"))
        segments.append(ReelSegment(edited, max(0.0, out_a - context_s), min(out_dur, out_b + context_s),
                                    f"{label} - after"))
    return segments


def review_reel(project: Project, out_path: str | Path, *, context_s: float = CONTEXT_S, overwrite: bool = False,
                progress: ProgressFn | None = None, cancel: object | None = None,
                lips: bool | str = True) -> ReviewResult:
    progress = progress or no_progress
    out_path = Path(out_path)
    check_not_source(project, out_path, "review reel")
    if out_path.exists() and not overwrite:
        raise DestinationExists(f"'{out_path}' already exists and was left as it is. Choose another name, "
                                "or allow replacing it (command line: --force).")
    if project.media.video is None:
        raise NothingToExport("The review reel shows video; this lecture has none. Export it as audio instead.")
    if project.edl.is_empty:
        raise NothingToExport("There are no cuts to review yet. Delete some words first.")
    container = check_output(project, out_path, overwrite, "review reel")
    from .render import check_lips, lips_choice

    method = lips_choice(lips)  # "own", "gan" or "off", as ExportOptions.lips
    check_lips(project, method)
    share = 0.3 if project.edl.replacements else 0.05  # new speech is the slow part of planning
    plan = plan_for(project, scaled(progress, 0.0, share), cancel, synthesize=True)
    segments = review_segments(project, out_path, plan, context_s)
    if not segments:  # only retypes, and the voice could say none of them
        raise NothingToExport("There is nothing to review yet: no cuts, and no retype could be spoken "
                              f"({'; '.join(plan.warnings)}).")
    rate = plan.audio_rate
    recorded = source_plan(plan)
    halves = [Half(recorded if k % 2 == 0 else plan,
                   window_of(recorded if k % 2 == 0 else plan, int(round(seg.start_s * rate)),
                             int(round(seg.end_s * rate))), seg.caption)
              for k, seg in enumerate(segments)]
    rendering = scaled(progress, share, 1.0)
    render_halves(project, halves, out_path, container,
                  progress=lambda f, m: rendering(f, f"writing the review reel ({m})"), cancel=cancel,
                  lips=[] if method != "off" else None,  # the mouth under new speech, as the export has it
                  lips_method=method)
    duration = sum(h.n_samples for h in halves) / rate
    return ReviewResult(out_path, len(segments) // 2, duration)
