"""A video stream's packets without decoding them: what a smart render needs to copy them.

- :func:`video_packets`: every packet's timestamps and keyframe flag (ffprobe, no decode), and
  from them the frames in display order and the keyframes a stream can be split at (closed GOPs:
  every frame of a GOP is shown after its keyframe and before the next);
- :func:`stream_headers`: the first keyframe's parameter sets (H.264 SPS and PPS) and the x264
  settings its encoder wrote into the stream (the "x264 - core ... options: ..." SEI), so that
  re-encoded pieces can be made with the same settings and checked to carry the same headers;
- :func:`copy_gop_ranges`: several ranges of display frames (whole GOPs) copied out as they are,
  each into its own file, in one pass over the source (:func:`copy_gops`: one range);
- :func:`packet_hashes`: an MD5 per packet (ffprobe's data hash of each demuxed packet: no decode),
  to prove that what was copied is the source's own data; ``video_packets(path, hashes=True)`` reads
  them in the same pass as the timestamps.
"""

from __future__ import annotations

import bisect
import re
import subprocess
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

from .errors import MediaError
from .ffmpeg import ffmpeg_path, ffprobe_path, media_arg, run_ffmpeg

NAL_SPS, NAL_PPS, NAL_SEI = 7, 8, 6
X264_SEI = re.compile(rb"x264 - core (\d+)[^\x00]*?options: ([^\x00]*)")


@dataclass(frozen=True)
class VideoPackets:
    """The first video stream's packets. Times in ``time_base`` ticks; lists in decode order."""

    time_base: Fraction
    pts: tuple[int, ...]
    key: tuple[bool, ...]
    start_s: float  # the container's start time (ffmpeg's -ss counts from it)
    md5: tuple[str, ...] = ()  # each packet's MD5, when read with hashes=True
    dts: tuple[int, ...] = ()  # decode timestamps (a packet without one: its pts)

    def delay(self, i: int = 0) -> int:
        """Packet ``i``'s pts minus its dts (ticks): how far decoding runs ahead of display there."""
        return self.pts[i] - self.dts[i]

    @property
    def display_pts(self) -> list[int]:
        """Every frame's pts in display order."""
        return sorted(self.pts)

    def seconds(self, pts: int) -> Fraction:
        return pts * self.time_base

    def cut_points(self) -> list[int]:
        """Display indices of the keyframes that start a closed GOP: copying from one to the next
        copies exactly the frames shown between them, none that refer to frames outside."""
        order = self.display_pts
        keys = [i for i, k in enumerate(self.key) if k]
        out = []
        for n, i in enumerate(keys):
            j = keys[n + 1] if n + 1 < len(keys) else len(self.pts)
            gop = sorted(self.pts[i:j])
            d = bisect.bisect_left(order, self.pts[i])
            # closed: the packets from this keyframe to the next are exactly display frames [d, d + len)
            if order[d:d + len(gop)] == gop and gop[0] == self.pts[i]:
                out.append(d)
        return out

    def max_key_interval_s(self) -> float:
        keys = sorted(self.pts[i] for i, k in enumerate(self.key) if k)
        if len(keys) < 2:
            return float(self.seconds(max(self.pts) - min(self.pts))) if self.pts else 0.0
        return float(max(b - a for a, b in zip(keys, keys[1:])) * self.time_base)


def video_packets(path: str | Path, hashes: bool = False) -> VideoPackets:
    """The packets of ``path``'s first video stream (timestamps and keyframe flags, with ``hashes``
    each packet's MD5 too; one demux pass, nothing decoded)."""
    entries = "stream=time_base:format=start_time:packet=pts,dts,flags" + (",data_hash" if hashes else "")
    cmd = [ffprobe_path(), "-v", "error", "-select_streams", "v:0", *(["-show_data_hash", "md5"] if hashes else []),
           "-show_entries", entries, "-of", "compact=p=1:nk=0", media_arg(path)]
    proc = subprocess.run(cmd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise MediaError(f"Cannot read the video packets of '{Path(path).name}': {proc.stderr.strip()[-200:]}")
    pts: list[int] = []
    key: list[bool] = []
    md5: list[str] = []
    dts: list[int] = []
    time_base, start = None, 0.0
    for line in proc.stdout.splitlines():
        fields = dict(f.split("=", 1) for f in line.split("|")[1:] if "=" in f)
        if line.startswith("packet"):
            if fields.get("pts", "N/A") == "N/A":
                raise MediaError(f"'{Path(path).name}' has video packets without timestamps.")
            pts.append(int(fields["pts"]))
            dts.append(int(fields["dts"]) if fields.get("dts", "N/A") != "N/A" else pts[-1])
            key.append("K" in fields.get("flags", ""))
            if hashes:
                md5.append(fields.get("data_hash", "").partition(":")[2])
        elif line.startswith("stream") and "time_base" in fields:
            time_base = Fraction(fields["time_base"])
        elif line.startswith("format") and fields.get("start_time", "N/A") != "N/A":
            start = float(fields["start_time"])
    if time_base is None or not pts:
        raise MediaError(f"'{Path(path).name}' has no video packets.")
    if hashes and not all(md5):
        raise MediaError(f"Cannot hash the video packets of '{Path(path).name}'.")
    return VideoPackets(time_base, tuple(pts), tuple(key), start, tuple(md5), tuple(dts))


def shift_dts(path: str | Path, out: str | Path, ticks: int) -> None:
    """Copy ``path``'s video into ``out`` with every decode timestamp ``ticks`` earlier (its time base),
    the packets and their display times as they are: a stretch that reorders fewer frames than the
    stream it joins then decodes on the same clock (ffmpeg would otherwise bend the join's timestamps)."""
    run_ffmpeg(["-i", media_arg(path), "-map", "0:v:0", "-c", "copy", "-bsf:v", f"setts=dts=DTS-{int(ticks)}",
                "-map_metadata", "-1", media_arg(out)], message="copying video", what="retiming a re-encoded stretch")


@dataclass(frozen=True)
class StreamHeaders:
    sps: bytes
    pps: bytes
    x264_core: int | None  # the x264 build that encoded the stream, if it says
    x264_options: dict[str, str]  # its settings as written in the stream ({} if not x264)


def _nal_units(data: bytes) -> list[bytes]:
    return [p for p in re.split(rb"\x00\x00\x01", data) if p]


def stream_headers(path: str | Path) -> StreamHeaders:
    """The SPS, PPS and x264 settings at the start of ``path``'s H.264 video stream."""
    cmd = [ffmpeg_path(), "-v", "error", "-i", media_arg(path), "-map", "0:v:0", "-c", "copy", "-frames:v", "1",
           "-bsf:v", "h264_mp4toannexb", "-f", "h264", "-"]
    proc = subprocess.run(cmd, capture_output=True)
    if proc.returncode != 0:
        raise MediaError(f"Cannot read the H.264 headers of '{Path(path).name}'.")
    sps = pps = b""
    for nal in _nal_units(proc.stdout):
        kind = nal[0] & 0x1F
        body = nal.rstrip(b"\x00")  # the next start code's leading zero
        if kind == NAL_SPS and not sps:
            sps = body
        elif kind == NAL_PPS and not pps:
            pps = body
    m = X264_SEI.search(proc.stdout)
    options: dict[str, str] = {}
    if m:
        for item in m.group(2).decode("ascii", "replace").split():
            name, sep, value = item.partition("=")
            if sep:
                options[name] = value
    return StreamHeaders(sps, pps, int(m.group(1)) if m else None, options)


def copy_gops(source: str | Path, packets: VideoPackets, start: int, end: int, out: str | Path,
              cancel: object | None = None) -> None:
    """Copy display frames ``[start, end)`` of ``source``'s video (``start`` a cut point, ``end`` the next
    cut point used or the end of the stream) into ``out`` as they are: no decode, no encode."""
    copy_gop_ranges(source, packets, [(start, end)], [out], cancel=cancel)


COPIES_PER_PASS = 64  # outputs one ffmpeg run writes at most (each is an open file and a muxer)


def copy_gop_ranges(source: str | Path, packets: VideoPackets, ranges: list[tuple[int, int]],
                    outs: list[str | Path], cancel: object | None = None, per_pass: int = COPIES_PER_PASS) -> None:
    """Copy each range of display frames ``[start, end)`` of ``source``'s video (whole GOPs, as for
    :func:`copy_gops`) into its own file of ``outs``, as they are, reading the source once.

    One ffmpeg run demuxes the source a single time and sends every video packet to one output per
    range; each output's ``noise`` bitstream filter keeps only its range's packets, picked by their
    index in decode order, not by seeking (a seek with a stream copy shifts and may hide the keyframe).
    Every output starts at its keyframe, its timestamps moved to start at zero. More than ``per_pass``
    ranges take more than one run."""
    if len(ranges) != len(outs):
        raise ValueError("one output per range")
    for lo in range(0, len(ranges), per_pass):
        args = ["-i", media_arg(source)]
        for (start, end), out in zip(ranges[lo:lo + per_pass], outs[lo:lo + per_pass]):
            first, last = packet_range(packets, start, end)
            drop = f"noise=drop='lt(n\\,{first})+gte(n\\,{last})'"
            args += ["-map", "0:v:0", "-c", "copy", "-bsf:v", drop, "-an", "-sn", "-dn", "-map_metadata", "-1",
                     "-avoid_negative_ts", "make_zero", media_arg(out)]
        run_ffmpeg(args, cancel=cancel, message="copying video", what="copying the untouched video")


def packet_range(packets: VideoPackets, start: int, end: int) -> tuple[int, int]:
    """Decode-order packet indices [first, last) of display frames [start, end) (whole closed GOPs)."""
    order = packets.display_pts
    keys = [i for i, k in enumerate(packets.key) if k]
    by_display = {bisect.bisect_left(order, packets.pts[i]): i for i in keys}
    if start not in by_display or (end < len(order) and end not in by_display):
        raise MediaError(f"frames {start}-{end} are not whole GOPs of the stream")
    return by_display[start], (by_display[end] if end < len(order) else len(packets.pts))


def packet_hashes(path: str | Path) -> list[str]:
    """The MD5 of every packet of the first video stream, in decode order (demuxed only: no decode)."""
    return list(video_packets(path, hashes=True).md5)


def video_stream_fields(path: str | Path, keys: tuple[str, ...]) -> dict[str, str]:
    """Fields of the first video stream as ffprobe spells them (one call; a missing field is "")."""
    proc = subprocess.run([ffprobe_path(), "-v", "error", "-select_streams", "v:0", "-show_entries",
                           "stream=" + ",".join(keys), "-of", "default=nw=1", media_arg(path)],
                          capture_output=True, text=True)
    found = dict(line.split("=", 1) for line in proc.stdout.splitlines() if "=" in line)
    return {k: found.get(k, "") for k in keys}


def decode_error(path: str | Path, start_s: float, duration_s: float) -> str:
    """The last error ffmpeg reports decoding ``duration_s`` of video from ``start_s``; "" when clean."""
    proc = subprocess.run([ffmpeg_path(), "-v", "error", "-ss", f"{start_s:.6f}", "-i", media_arg(path),
                           "-t", f"{duration_s:.6f}", "-map", "0:v:0", "-f", "null", "-"],
                          capture_output=True, text=True)
    err = proc.stderr.strip()
    return err.splitlines()[-1] if err else ("" if proc.returncode == 0 else f"exit {proc.returncode}")


def decode_errors(path: str | Path, windows: list[tuple[float, float]]) -> list[str]:
    """Per window ``(start_s, duration_s)``, what :func:`decode_error` says of it, all decoded by one
    ffmpeg run (one input per window); only when that run complains is each window decoded again on
    its own, to tell which one it was."""
    if not windows:
        return []
    args = [ffmpeg_path(), "-v", "error"]
    for start_s, duration_s in windows:
        args += ["-ss", f"{start_s:.6f}", "-t", f"{duration_s:.6f}", "-i", media_arg(path)]
    for n in range(len(windows)):
        args += ["-map", f"{n}:v:0", "-f", "null", "-"]
    proc = subprocess.run(args, capture_output=True, text=True)
    if proc.returncode == 0 and not proc.stderr.strip():
        return [""] * len(windows)
    return [decode_error(path, start_s, duration_s) for start_s, duration_s in windows]


def stream_summary(path: str | Path, count_packets: bool = False) -> dict[str, dict[str, str]]:
    """Each stream's duration and frame count as the container says them, by codec type ("video",
    "audio"); ``count_packets`` also counts its packets (a demux pass, no decode)."""
    import json

    proc = subprocess.run([ffprobe_path(), "-v", "error", *(["-count_packets"] if count_packets else []),
                           "-show_entries", "stream=codec_type,duration,nb_frames,nb_read_packets", "-of", "json",
                           media_arg(path)], capture_output=True, text=True)
    return {s.get("codec_type"): s for s in json.loads(proc.stdout or "{}").get("streams", [])}
