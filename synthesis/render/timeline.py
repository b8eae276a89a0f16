"""The edit as an OpenTimelineIO timeline, for other editors (Resolve, Premiere through its
adapters, Kdenlive): ``lecturecut export ... --otio FILE``.

One video track and one audio track, the plan's pieces in output order:

- a kept stretch is a clip of the **source** recording over exactly the plan's range: frame slots
  ``[frame_start, frame_end)`` at the plan's frame rate on the video track, samples
  ``[audio_start, audio_end)`` at the plan's audio rate on the audio track. Times count from the
  source's first audio sample (the plan's clock, where the word times live); ``metadata``
  says where the streams start in the container, for a source whose video starts late;
- a synthetic span (new speech, its mouth regenerated) is its own clip pointing at the
  **rendered** media, the exported file, over the output range where it sounds: a
  re-edit in another editor keeps the synthesized words and frames as they were exported,
  and each such clip's ``metadata["lecturecut"]`` says what it is (kind, method, text).

Joins are crossfaded in the export (``plan.crossfade`` samples centred on each join); the
timeline keeps the hard cut points and records the crossfade length in its metadata.
The timeline is a pure function of the plan (:func:`build_timeline`); :func:`write_timeline`
writes it atomically.
"""

from __future__ import annotations

from pathlib import Path

from lecturecut.files import write_text_atomic

from ..plan import RenderPlan, SynthSpan
from ..project import Project


def _reference(otio, path: Path, rate: float, duration: float, name: str):
    return otio.schema.ExternalReference(
        target_url=Path(path).resolve().as_uri(),
        available_range=otio.opentime.TimeRange(otio.opentime.RationalTime(0, rate),
                                                otio.opentime.RationalTime(duration, rate)),
        metadata={"lecturecut": {"role": name}})


def build_timeline(project: Project, plan: RenderPlan, rendered: Path, name: str | None = None):
    """The ``opentimelineio.schema.Timeline`` of ``plan``: kept stretches from the source, synthetic
    spans from ``rendered`` (the exported file)."""
    import opentimelineio as otio

    rt, tr = otio.opentime.RationalTime, otio.opentime.TimeRange
    rate = plan.audio_rate
    fps = float(plan.fps) if plan.fps is not None else None
    source = Path(project.source)
    timeline = otio.schema.Timeline(name=name or Path(rendered).stem)
    timeline.metadata["lecturecut"] = {
        "clock": "times count from the source's first audio sample",
        "audio_start_s": project.media.audio.start_s if project.media.audio else 0.0,
        "video_start_s": project.media.video.start_s if project.media.video else None,
        "crossfade_s": plan.crossfade / rate,
        "fps": str(plan.fps) if plan.fps is not None else None,
    }
    replacements = project.edl.replacements
    tracks = []
    if fps is not None:
        tracks.append((otio.schema.Track(name="Video", kind=otio.schema.TrackKind.Video), fps, True))
    tracks.append((otio.schema.Track(name="Audio", kind=otio.schema.TrackKind.Audio), float(rate), False))
    for track, unit, video in tracks:
        src_ref_len = plan.source_frames if video else plan.source_samples
        out_ref_len = plan.output_frames if video else plan.output_samples
        out_at = 0
        for span in plan.spans:
            n = span.n_frames if video else span.n_samples
            if isinstance(span, SynthSpan):
                r = replacements[span.replacement]
                clip = otio.schema.Clip(
                    name=f"synthesized: '{r.text}' ({span.method})",
                    media_reference=_reference(otio, rendered, unit, out_ref_len, "rendered"),
                    source_range=tr(rt(out_at, unit), rt(n, unit)))
                clip.metadata["lecturecut"] = {
                    "kind": "synthesized voice" if not video else "regenerated frames",
                    "method": span.method, "text": r.text, "replacement": span.replacement,
                    "replaced_source_samples": [span.audio_start, span.audio_end], "audio_rate": rate}
            else:
                start = span.frame_start if video else span.audio_start
                clip = otio.schema.Clip(
                    name=f"{source.stem} {span.audio_start / rate:.2f}-{span.audio_end / rate:.2f} s",
                    media_reference=_reference(otio, source, unit, src_ref_len, "source"),
                    source_range=tr(rt(start, unit), rt(n, unit)))
                clip.metadata["lecturecut"] = {"kind": "kept"}
            if n > 0:
                track.append(clip)
            out_at += n
        timeline.tracks.append(track)
    return timeline


def write_timeline(project: Project, plan: RenderPlan, path: str | Path, rendered: Path, *,
                   overwrite: bool = False) -> Path:
    """Write the timeline of ``plan`` to ``path`` (``.otio``, atomically); refuses to replace a file."""
    import opentimelineio as otio

    from . import DestinationExists

    path = Path(path)
    if path.exists() and not overwrite:
        raise DestinationExists(f"'{path}' already exists and was left as it is. Choose another name, "
                             "or allow replacing it (command line: --force).")
    text = otio.adapters.write_to_string(build_timeline(project, plan, rendered), "otio_json")
    write_text_atomic(path, text)
    return path
