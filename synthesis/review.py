"""The review reel: every edit as "before" (original) then "after" (edited), for a reviewer
who approves a lecture's edits without opening the editor."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from lecturecut.core import ProgressFn, no_progress, scaled
from lecturecut.files import atomic_path, work_dir
from lecturecut.media.reel import ReelSegment, write_reel

from .plan import NothingToExport, SynthSpan
from .project import Project, check_not_source
from .render import DestinationExists, ExportOptions, export

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
                progress: ProgressFn | None = None, cancel: object | None = None) -> ReviewResult:
    progress = progress or no_progress
    out_path = Path(out_path)
    check_not_source(project, out_path, "review reel")
    if out_path.exists() and not overwrite:
        raise DestinationExists(f"'{out_path}' already exists and was left as it is. Choose another name, "
                                "or allow replacing it (command line: --force).")
    if project.media.video is None:
        raise NothingToExport("The review reel shows video; this lecture has none. Export it as audio instead.")
    if not project.edl.deleted and not project.edl.replacements:
        raise NothingToExport("There are no cuts to review yet. Delete some words first.")
    # beside the reel, pid-tagged: a killed run's folder is swept by the next one
    with work_dir(out_path.parent, "review") as tmp:
        edited = tmp / "edited.mp4"
        result = export(project, edited, ExportOptions(preset="fast", subtitles="none", smooth_cuts=True),
                        progress=scaled(progress, 0.0, 0.6), cancel=cancel)
        segments = review_segments(project, edited, result.plan, context_s)
        if not segments:  # only retypes, and the voice could say none of them
            raise NothingToExport("There is nothing to review yet: no cuts, and no retype could be spoken "
                                  f"({'; '.join(result.warnings)}).")
        with atomic_path(out_path) as part:
            write_reel(segments, part, fps=float(project.media.video.fps), audio_rate=result.plan.audio_rate,
                       progress=scaled(progress, 0.6, 1.0), cancel=cancel)
    duration = sum(s.end_s - s.start_s for s in segments)
    return ReviewResult(out_path, len(segments) // 2, duration)
