"""Smart render: copy the untouched stretches of the video as they are, re-encode only around changes.

The plan decides every output frame (``frame_instants``, the smoothing of jump cuts, new speech
and its regenerated mouth); smart render only decides which of those frames can be the source's
own packets. An output stretch is copied when

- its frames are shown untouched (not smoothed after a jump cut, not under a synthetic span),
- each of its frame slots shows the next source frame (the plan's slot clock and the source's
  timestamps agree frame for frame: a variable frame rate or a gap breaks that, and those
  stretches are re-encoded),
- and it runs from a keyframe that starts a closed GOP to the next one used (or the end).

Everything else (from the change back to the keyframe before it and on to the keyframe after it)
is rendered by the export's own renderer (``write_frames`` over a window: the very frames a full
render has there) and encoded with the source's settings: x264's own options as it wrote them into
the stream, the source's profile, level, colour tags and aspect ratio. The pieces are joined with
ffmpeg's concat demuxer, packets copied. That is only valid when the re-encoded pieces carry the
source's exact parameter sets (SPS and PPS): they are compared byte for byte, and anything else
falls back to a full render of the whole video, saying why. So does a source that cannot be matched:
not H.264, no x264 settings in the stream, rotated, not 4:2:0, keyframes more than
``MAX_KEY_INTERVAL_S`` apart, or no whole GOP left untouched; and so does a delivery at another
size than the source's (openhpi scales a source above 1080p down: no packet can be copied).

The source is read three times whatever the number of cuts: once for its packets (timestamps,
keyframe flags and each packet's MD5, one ffprobe pass), once to copy every untouched stretch (one
ffmpeg run writes one file per stretch) and once by the join; the re-encoded stretches decode only
their own window.

The result is verified before the export puts it in place, without decoding what was copied:
the frame count is the plan's, every copied packet hashes the same as the source's (the joined
video's packets and hashes are read in one pass), and the stretches around every join decode
without an error. A failed check falls back to a full render.
"""

from __future__ import annotations

import bisect
import shutil
import time
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from lecturecut.core import ProgressFn, check_cancel, scaled
from lecturecut.media.ffmpeg import media_arg, run_ffmpeg
from lecturecut.media.frames import FrameWriter
from lecturecut.media.packets import (
    StreamHeaders,
    VideoPackets,
    copy_gop_ranges,
    decode_errors,
    packet_range,
    shift_dts,
    stream_headers,
    stream_summary,
    video_packets,
    video_stream_fields,
)

from ..plan import RenderPlan, SynthSpan
from ..project import Project
from .video import PTS_TOLERANCE_FRAMES, jump_before, render_video, write_frames

MAX_KEY_INTERVAL_S = 10.0  # keyframes further apart than this make the re-encoded stretches too long
# x264 settings (as the SEI spells them) that only say how the encoder ran, or that x264 derives itself
# and would derive again from the others (chroma_qp_offset from psy): never passed back
X264_SKIP = {"threads", "lookahead_threads", "sliced_threads", "rc", "cqm", "chroma_qp_offset", "bluray_compat",
             "intra_refresh", "analyse", "deblock", "deadzone", "aq", "psy_rd"}
COPY, ENCODE = "copy", "encode"


class Unmatched(Exception):
    """The source's video cannot be matched by re-encoded pieces (the reason is the message)."""


@dataclass(frozen=True)
class Piece:
    kind: str  # COPY or ENCODE
    start: int  # output frames [start, end)
    end: int
    source: tuple[int, int] = (0, 0)  # COPY: source display frames [a, b)


@dataclass(frozen=True)
class RenderReport:
    """How the video of an export was made: smart ("copied 97.1 % of the frames") or full, and why."""

    mode: str  # "smart" or "full"
    reason: str  # a full render: why ("" when asked for with --full-render or when smart rendering)
    frames: int
    copied: int  # output frames that are the source's own packets
    pieces: tuple[Piece, ...] = ()
    phases: tuple[tuple[str, float], ...] = ()  # a smart render's wall-clock seconds per step, in order

    @property
    def summary(self) -> str:
        if self.mode == "smart":
            encoded = sum(p.kind == ENCODE for p in self.pieces)
            return (f"smart render: {self.copied} of {self.frames} frames copied from the source "
                    f"({100 * self.copied / max(self.frames, 1):.1f} %), {encoded} stretches re-encoded")
        return f"full render{': ' + self.reason if self.reason else ''}"


def touched(plan: RenderPlan, smooth_cuts: bool) -> list[tuple[int, int]]:
    """Per piece, output frames [start, end) the render changes (a synthetic span: all; a kept span:
    the smoothed frames after a jump cut; else an empty range)."""
    n_smooth = 0
    if smooth_cuts:
        from ..smoothing import frames_for

        n_smooth = frames_for(float(plan.fps))
    out, at = [], 0
    for k, span in enumerate(plan.spans):
        if isinstance(span, SynthSpan):
            out.append((at, at + span.n_frames))
        elif smooth_cuts and jump_before(plan, k) and span.n_frames > n_smooth:
            out.append((at, at + n_smooth))
        else:
            out.append((at, at))
        at += span.n_frames
    return out


def plan_pieces(project: Project, plan: RenderPlan, packets: VideoPackets, smooth_cuts: bool) -> list[Piece]:
    """The output frames as copied GOPs and re-encoded stretches (pure: the plan and the packets)."""
    info_audio_start = Fraction(project.media.audio.start_s).limit_denominator(1_000_000) \
        if project.media.audio else Fraction(0)
    order = packets.display_pts
    times = [p * packets.time_base - info_audio_start for p in order]  # each frame's instant, audio clock
    cut_list = packets.cut_points()  # sorted display indices
    tol = PTS_TOLERANCE_FRAMES / plan.fps
    frame_s = 1 / plan.fps
    copies: list[Piece] = []
    at = 0
    for span, (t0, t1) in zip(plan.spans, touched(plan, smooth_cuts)):
        if isinstance(span, SynthSpan) or span.n_frames == 0:
            at += span.n_frames
            continue
        first = at + (t1 - t0)  # untouched output frames [first, at + n)
        shown = [bisect.bisect_right(times, Fraction(i) / plan.fps + tol) - 1
                 for i in range(span.frame_start + (first - at), span.frame_end)]
        j = 0
        while j < len(shown):
            if shown[j] < 0:  # before the video's first frame: black, rendered
                j += 1
                continue
            # a run where each slot shows the next source frame, one frame duration after the last
            e = j
            while (e + 1 < len(shown) and shown[e + 1] == shown[e] + 1
                   and abs(times[shown[e + 1]] - times[shown[e]] - frame_s) <= tol):
                e += 1
            d0, d1 = shown[j], shown[e] + 1  # source display frames [d0, d1) shown one to one
            lo = bisect.bisect_left(cut_list, d0)
            hi = bisect.bisect_right(cut_list, d1) - 1
            a = cut_list[lo] if lo < len(cut_list) and cut_list[lo] < d1 else None
            b = len(order) if d1 == len(order) else (cut_list[hi] if hi >= 0 else None)
            if a is not None and b is not None and b > a:
                start = first + j + (a - d0)
                copies.append(Piece(COPY, start, start + (b - a), (a, b)))
            j = e + 1
        at += span.n_frames
    pieces: list[Piece] = []
    pos = 0
    for c in copies:
        if c.start > pos:
            pieces.append(Piece(ENCODE, pos, c.start))
        pieces.append(c)
        pos = c.end
    if pos < plan.output_frames:
        pieces.append(Piece(ENCODE, pos, plan.output_frames))
    return pieces


def x264_args(project: Project, headers: StreamHeaders | None = None) -> list[str]:
    """Encoder arguments that make x264 write the source's own parameter sets (or Unmatched, why not);
    ``headers``: the source's, when already read."""
    video = project.media.video
    source = project.source
    name = Path(source).name
    if video.codec != "h264":
        raise Unmatched(f"the source's video codec ({video.codec}) is not H.264")
    if video.rotation:
        raise Unmatched("the source's video is rotated")
    if video.pix_fmt not in ("yuv420p", "yuvj420p"):
        raise Unmatched(f"the source's pixel format ({video.pix_fmt}) is not 4:2:0")
    headers = headers or stream_headers(source)
    if not headers.x264_options:
        raise Unmatched(f"'{name}' does not say how it was encoded (not x264)")
    options = headers.x264_options
    if options.get("interlaced", "0") != "0":
        raise Unmatched("the source is interlaced")
    params = [f"{k}={v}" for k, v in options.items() if k not in X264_SKIP and ":" not in v]
    deblock = options.get("deblock", "1:0:0").split(":")
    params.append("no-deblock=1" if deblock[0] == "0" else f"deblock={deblock[1]},{deblock[2]}")
    if "aq" in options:
        mode, _, strength = options["aq"].partition(":")
        params += [f"aq-mode={mode}"] + ([f"aq-strength={strength}"] if strength else [])
    if "psy_rd" in options:
        params.append("psy-rd=" + options["psy_rd"].replace(":", ","))
    if "deadzone" in options:
        inter, _, intra = options["deadzone"].partition(",")
        params += [f"deadzone-inter={inter}", f"deadzone-intra={intra}"]
    fields = video_stream_fields(source, ("sample_aspect_ratio", "profile", "level", "color_primaries",
                                          "color_transfer", "color_space"))
    sar = fields["sample_aspect_ratio"]
    if sar and sar not in ("0:1", "N/A"):
        params.append("sar=" + sar.replace(":", "/"))  # the VUI's aspect ratio, as the source's stream says it
    profile = {"High": "high", "Main": "main", "Constrained Baseline": "baseline", "Baseline": "baseline"}.get(
        fields["profile"], "high")
    args = ["-c:v", "libx264", "-x264-params", ":".join(params), "-profile:v", profile]
    level = fields["level"]
    if level.isdigit() and int(level) > 0:
        args += ["-level", f"{int(level) / 10:g}"]
    for flag, key in (("-color_primaries", "color_primaries"), ("-color_trc", "color_transfer"),
                      ("-colorspace", "color_space")):
        value = fields[key]
        if value and value != "unknown":
            args += [flag, value]
    return args


def eligibility(project: Project, plan: RenderPlan) -> tuple[VideoPackets, list[str]]:
    """The source's packets (with their MD5s) and the encoder arguments that match it; Unmatched says
    why not."""
    args = x264_args(project)
    packets = video_packets(project.source, hashes=True)
    interval = packets.max_key_interval_s()
    if interval > MAX_KEY_INTERVAL_S:
        raise Unmatched(f"the source's keyframes are up to {interval:.0f} s apart (more than "
                        f"{MAX_KEY_INTERVAL_S:.0f} s)")
    return packets, args


def render_video_smart(project: Project, plan: RenderPlan, path: Path, *, x264_preset: str, crf: int,
                       smooth_cuts: bool, progress: ProgressFn, cancel, lips: list | None = None,
                       lips_method: str = "own", full_render: bool = False,
                       mark_synthetic: bool = False, out_size: tuple[int, int] | None = None) -> RenderReport:
    """Write the plan's video to ``path``: smart where the source allows, else in full (see the module);
    ``out_size``: a size the delivery needs other than the source's (every frame is then re-encoded)."""
    def full(reason: str) -> RenderReport:
        render_video(project, plan, path, x264_preset=x264_preset, crf=crf, smooth_cuts=smooth_cuts,
                     progress=progress, cancel=cancel, lips=lips, lips_method=lips_method,
                     mark_synthetic=mark_synthetic, out_size=out_size)
        return RenderReport("full", reason, plan.output_frames, 0)

    if full_render:
        return full("")
    if out_size is not None:
        video = project.media.video
        return full(f"the source's {video.width}x{video.height} frames are scaled to {out_size[0]}x{out_size[1]}, "
                    "so the whole video is re-encoded")
    clock = Phases()
    try:
        packets, args = eligibility(project, plan)
    except Unmatched as why:
        return full(f"{why}, so the whole video is re-encoded")
    pieces = plan_pieces(project, plan, packets, smooth_cuts)
    clock.done("reading the source's packets")
    copied = sum(p.end - p.start for p in pieces if p.kind == COPY)
    if copied == 0:
        return full(f"no whole GOP is left untouched (keyframes up to {packets.max_key_interval_s():.1f} s "
                    "apart), so the whole video is re-encoded")
    work = path.parent / (path.stem + ".pieces")
    work.mkdir(exist_ok=True)
    try:
        report = _smart(project, plan, path, work, pieces, packets, args, clock, smooth_cuts=smooth_cuts,
                        progress=progress, cancel=cancel, lips=lips, lips_method=lips_method,
                        mark_synthetic=mark_synthetic)
    except Unmatched as why:
        if lips is not None:
            lips.clear()
        shutil.rmtree(work, ignore_errors=True)
        return full(f"{why}, so the whole video is re-encoded")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return report


class Phases:
    """Wall-clock seconds per step of a smart render (the report's ``phases``)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._at = time.perf_counter()

    def done(self, name: str) -> None:
        now = time.perf_counter()
        self.seconds[name] = self.seconds.get(name, 0.0) + now - self._at
        self._at = now


def _smart(project: Project, plan: RenderPlan, path: Path, work: Path, pieces: list[Piece], packets: VideoPackets,
           args: list[str], clock: Phases, *, smooth_cuts: bool, progress: ProgressFn, cancel, lips: list | None,
           lips_method: str, mark_synthetic: bool = False) -> RenderReport:
    video = project.media.video
    w, h = video.width, video.height
    source = project.source
    files = [work / f"{n:05d}.mp4" for n in range(len(pieces))]
    copies = [n for n, p in enumerate(pieces) if p.kind == COPY]
    encoded = sum(p.end - p.start for p in pieces if p.kind == ENCODE)
    # the copies read the source once, about as long as encoding a second of video (the weights only
    # spread the bar)
    total = encoded + 25
    progress(0.0, "copying video")
    copy_gop_ranges(source, packets, [pieces[n].source for n in copies], [files[n] for n in copies], cancel=cancel)
    clock.done("copying the untouched stretches")
    # decoding runs ahead of display by the same time in every piece, or the join bends the timestamps
    # (a one-frame re-encode reorders nothing; the copies reorder as the source does)
    delays = {packets.delay(packet_range(packets, *pieces[n].source)[0]) * packets.time_base for n in copies}
    if len(delays) != 1:
        raise Unmatched("the source's frames are reordered by different amounts in different GOPs")
    delay = delays.pop()
    done = 25
    reference = stream_headers(source)
    for n, piece in enumerate(pieces):
        check_cancel(cancel)
        if piece.kind == COPY:
            continue
        weight = piece.end - piece.start
        report = scaled(progress, 0.9 * done / total, 0.9 * (done + weight) / total)
        with FrameWriter(files[n], w, h, plan.fps, codec_args=args, color_space=video.color_space,
                         cancel=cancel) as writer:
            write_frames(project, plan, writer.write, smooth_cuts=smooth_cuts, progress=report, cancel=cancel,
                         window=(piece.start, piece.end), lips=lips, lips_method=lips_method,
                         mark_synthetic=mark_synthetic)
        mine = stream_headers(files[n])
        if (mine.sps, mine.pps) != (reference.sps, reference.pps):
            raise Unmatched("the re-encoded stretches do not carry the source's stream parameters")
        own = video_packets(files[n])
        short = (delay - own.delay() * own.time_base) / own.time_base  # ticks it reorders less than the source
        if short < 0 or short.denominator != 1:
            raise Unmatched("a re-encoded stretch reorders its frames further than the source")
        if short:
            shifted = files[n].with_name(files[n].stem + "-dts.mp4")
            shift_dts(files[n], shifted, int(short))
            shifted.replace(files[n])
        done += weight
        report(1.0, "encoding video")
    clock.done("rendering and encoding the changed stretches")
    listing = work / "pieces.txt"
    # each piece lasts exactly its frames: the concat demuxer starts the next one there (left to itself it
    # measures a piece from its packets, and a B-frame's delay moves the join by a frame)
    listing.write_text("".join(f"file '{f.name}'\nduration {float(Fraction(p.end - p.start) / plan.fps):.6f}\n"
                               for f, p in zip(files, pieces)))
    # auto_convert off: the packets stay as they are (it would put parameter sets into every keyframe)
    run_ffmpeg(["-auto_convert", "0", "-f", "concat", "-safe", "0", "-i", media_arg(listing), "-c", "copy",
                "-map", "0:v:0", media_arg(path)],
               cancel=cancel, message="joining video", what="joining the video pieces")
    clock.done("joining")
    progress(0.95, "verifying the video")
    _verify(plan, path, packets, pieces, cancel, clock)
    progress(1.0, "video done")
    copied = sum(p.end - p.start for p in pieces if p.kind == COPY)
    return RenderReport("smart", "", plan.output_frames, copied, tuple(pieces), tuple(clock.seconds.items()))


def _verify(plan: RenderPlan, path: Path, packets: VideoPackets, pieces: list[Piece], cancel,
            clock: Phases | None = None) -> None:
    """Frame count, copied packets identical to the source's, error-free decoding around every join."""
    clock = clock or Phases()
    out_packets = video_packets(path, hashes=True)  # timestamps, flags and hashes: one pass
    if len(out_packets.pts) != plan.output_frames:
        raise Unmatched(f"the joined video has {len(out_packets.pts)} frames, not the planned {plan.output_frames}")
    # the join kept every piece's clock: decode times advance by whole frames (a join ffmpeg had to bend
    # advances by a tick), and the video lasts the planned frames
    frame = 1 / (plan.fps * out_packets.time_base)
    dts = out_packets.dts
    if any(b - a < frame / 2 for a, b in zip(dts, dts[1:])):
        raise Unmatched("the joined video's decode timestamps do not advance frame by frame")
    length = stream_summary(path).get("video", {}).get("duration", "")
    if not length or abs(Fraction(length) - Fraction(plan.output_frames) / plan.fps) > 1 / (2 * plan.fps):
        raise Unmatched(f"the joined video lasts {length or 'an unknown time'} s, not the planned "
                        f"{float(plan.output_frames / plan.fps):.3f} s")
    ours, theirs = out_packets.md5, packets.md5
    # decode order: a GOP's packets are contiguous in both; map display ranges to packet ranges
    src_keys = _gop_packet_ranges(packets)
    out_keys = _gop_packet_ranges(out_packets)
    for piece in pieces:
        if piece.kind != COPY:
            continue
        a, b = src_keys.get(piece.source[0]), src_keys.get(piece.source[1], (len(packets.pts), None))
        o = out_keys.get(piece.start)
        if a is None or o is None:
            raise Unmatched("a copied stretch does not start at a keyframe of the joined video")
        n = b[0] - a[0]
        if len(theirs) < a[0] + n or ours[o[0]:o[0] + n] != theirs[a[0]:a[0] + n]:
            raise Unmatched("a copied stretch differs from the source's packets")
    clock.done("verifying: frame count and packet hashes")
    fps = plan.fps
    keys = sorted(out_keys)
    windows = []
    for piece in pieces:
        if piece.kind != ENCODE:
            continue
        # the re-encoded stretch (it starts with a keyframe) and the GOP after it, across both joins:
        # decoding them must not complain
        after = next((k for k in keys if k > piece.end), plan.output_frames)
        t0 = float(Fraction(piece.start) / fps)
        t1 = float(Fraction(min(after + 1, plan.output_frames)) / fps)
        windows.append((t0, t1 - t0))
    check_cancel(cancel)
    for (t0, _), error in zip(windows, decode_errors(path, windows)):  # one decoder run for all of them
        if error:
            raise Unmatched(f"the joined video does not decode cleanly near {t0:.1f} s ({error})")
    clock.done("verifying: decoding around the joins")


def _gop_packet_ranges(packets: VideoPackets) -> dict[int, tuple[int, int]]:
    """Display index of each keyframe -> (its packet index, the next keyframe's packet index)."""
    order = packets.display_pts
    keys = [i for i, k in enumerate(packets.key) if k]
    out = {}
    for n, i in enumerate(keys):
        j = keys[n + 1] if n + 1 < len(keys) else len(packets.pts)
        out[bisect.bisect_left(order, packets.pts[i])] = (i, j)
    return out


__all__ = ["RenderReport", "Piece", "Unmatched", "plan_pieces", "render_video_smart", "touched"]
