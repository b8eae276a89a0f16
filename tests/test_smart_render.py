"""Smart render: the untouched GOPs are copied as the source's own packets, only the stretches around
each change are re-encoded (with the source's x264 settings), and the export is the one the plan says.

Real footage: the bundled sample lecture re-encoded here by x264 with a 2 s keyframe interval (the
interval lecture recorders and OBS use; the bundled file has 10 s GOPs) and its audio copied; the
words are the stretches between its pauses, so the cuts fall where a lecturer's would. Fallbacks on
real inputs made the same way: a 15 s keyframe interval, variable frame rate (every 7th frame
dropped, the timestamps kept), the GRID clip (MPEG-1, not H.264), and --full-render.
"""

from __future__ import annotations

import functools
import re
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from media_fixtures import delete, make_project, stream_durations
from testmedia import GRID, OBAMA, media_path

from lecturecut.media.ffmpeg import ffmpeg_path
from lecturecut.media.frames import read_frames
from lecturecut.media.packets import (
    copy_gop_ranges,
    decode_error,
    packet_hashes,
    packet_range,
    video_packets,
)
from lecturecut.media.packets import decode_errors as decode_windows
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.render.smart import COPY, ENCODE

DRAFT = dict(preset="draft", subtitles="none")


def transcode(out: Path, *video_args: str) -> Path:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-i", str(media_path(OBAMA)), *video_args, "-c:a", "copy",
                    str(out)], check=True)
    return out


@functools.cache
def short_gop(folder: str) -> Path:
    return transcode(Path(folder) / "lecture_2s_gop.mp4", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                     "-x264-params", "keyint=50:min-keyint=50")


def edited(source: Path):
    """Two cuts, one near the start and one near the end: the GOPs between them are untouched."""
    project = make_project(OBAMA, source=source)
    n = len(project.transcript.words)
    assert n > 20, n
    return delete(project, (2, 3), (n - 4, n - 3))


def decode_errors(path: Path) -> str:
    proc = subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(path), "-map", "0:v:0", "-f", "null", "-"],
                          capture_output=True, text=True)
    return proc.stderr.strip() or ("" if proc.returncode == 0 else f"exit {proc.returncode}")


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float("inf") if mse == 0 else 10 * np.log10(255 ** 2 / mse)


@pytest.fixture(scope="module")
def exports(tmp_path_factory):
    folder = tmp_path_factory.mktemp("smart")
    source = short_gop(str(folder))
    project = edited(source)
    smart = export(project, folder / "smart.mp4", ExportOptions(**DRAFT))
    full = export(project, folder / "full.mp4", ExportOptions(full_render=True, **DRAFT))
    return source, project, smart, full


def test_the_untouched_gops_are_the_sources_own_packets(exports):
    source, _project, smart, _full = exports
    report = smart.video_render
    assert report.mode == "smart", report.summary
    copies = [p for p in report.pieces if p.kind == COPY]
    assert copies and report.copied == sum(p.end - p.start for p in copies)
    assert report.copied >= 0.6 * report.frames, report.summary  # 20 s, two cuts, 2 s GOPs
    # the pieces tile the output, and every copy is whole GOPs of the source
    assert [p.start for p in report.pieces] == [0] + [p.end for p in report.pieces[:-1]]
    assert report.pieces[-1].end == smart.plan.output_frames
    src_packets, out_packets = video_packets(source), video_packets(smart.path)
    theirs, ours = packet_hashes(source), packet_hashes(smart.path)
    out_keys = {k for k in out_packets.cut_points()}
    for piece in copies:
        a, b = packet_range(src_packets, *piece.source)
        assert piece.start in out_keys  # the copy starts at a keyframe of the export
        o, _ = packet_range(out_packets, piece.start, piece.end if piece.end < len(out_packets.pts) else
                            len(out_packets.pts))
        assert ours[o:o + (b - a)] == theirs[a:b]  # byte for byte, hashed without decoding


def test_the_smart_export_is_the_planned_video_and_decodes_cleanly(exports):
    source, _project, smart, full = exports
    plan = smart.plan
    assert len(video_packets(smart.path).pts) == plan.output_frames == len(video_packets(full.path).pts)
    assert decode_errors(smart.path) == ""
    durations = stream_durations(smart.path)
    assert abs(durations["video"] - durations["audio"]) <= 1 / 25 + 1e-3
    assert abs(durations["video"] - plan.output_frames / 25) <= 1e-3
    # frame for frame the same picture as the full render (both lossy: the copies are the source's
    # encode, the full render re-encodes): no frame shifted, dropped or repeated
    s_frames, f_frames = list(read_frames(smart.path, size=(96, 96))), list(read_frames(full.path, size=(96, 96)))
    assert len(s_frames) == len(f_frames) == plan.output_frames
    scores = [psnr(a, b) for a, b in zip(s_frames, f_frames)]
    assert min(scores) > 30, (min(scores), int(np.argmin(scores)))
    # a shifted frame would be far worse than codec noise: the neighbours of each frame match it less
    shifted = [psnr(a, b) for a, b in zip(s_frames[1:], f_frames[:-1])]
    assert np.median(scores) > np.median(shifted) + 3
    # the copied frames decode to exactly the source's frames
    src = list(read_frames(source, size=(96, 96)))
    for piece in smart.video_render.pieces:
        if piece.kind == COPY:
            for j in range(piece.start, piece.end, 17):
                assert np.array_equal(s_frames[j], src[piece.source[0] + j - piece.start])


def test_full_render_is_used_when_asked(exports):
    _source, _project, _smart, full = exports
    assert full.video_render.mode == "full" and full.video_render.reason == ""
    assert full.video_render.summary == "full render"


@pytest.mark.parametrize("kind", ["long GOP", "variable frame rate", "not H.264"])
def test_a_source_that_cannot_be_matched_is_rendered_in_full_saying_why(tmp_path, kind):
    if kind == "long GOP":
        source = transcode(tmp_path / "long_gop.mp4", "-c:v", "libx264", "-preset", "ultrafast",
                           "-x264-params", "keyint=375:min-keyint=375:scenecut=0")
        project = edited(source)
        expect = "keyframes are up to 15 s apart"
    elif kind == "variable frame rate":
        source = transcode(tmp_path / "vfr.mp4", "-vf", "select='not(eq(mod(n\\,7)\\,3))'", "-vsync", "vfr",
                           "-c:v", "libx264", "-preset", "ultrafast", "-x264-params", "keyint=50:min-keyint=50")
        info = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v", "-show_entries",
                               "stream=r_frame_rate,avg_frame_rate", "-of", "csv=p=0", str(source)],
                              capture_output=True, text=True).stdout
        assert info.split(",")[0] != info.split(",")[1].strip(), info  # really variable
        project = edited(source)
        expect = "no whole GOP is left untouched"
    else:
        project = delete(make_project(GRID), (2, 3))
        expect = "is not H.264"
    result = export(project, tmp_path / "out.mp4", ExportOptions(**DRAFT))
    report = result.video_render
    assert report.mode == "full" and expect in report.reason, report.summary
    assert "the whole video is re-encoded" in report.summary
    assert len(video_packets(result.path).pts) == result.plan.output_frames
    assert decode_errors(result.path) == ""


def test_every_re_encoded_piece_is_cut_around_a_change(exports):
    _source, _project, smart, _full = exports
    plan = smart.plan
    joins = []
    at = 0
    for span in plan.spans[:-1]:
        at += span.n_frames
        joins.append(at)
    for piece in smart.video_render.pieces:
        if piece.kind == ENCODE:
            # each re-encoded stretch holds a join (or the start/end of the video), and is at most a GOP
            # on either side of it
            inside = [j for j in joins if piece.start <= j <= piece.end]
            assert inside or piece.start == 0 or piece.end == plan.output_frames, piece
            assert piece.end - piece.start <= 2 * 50 + 10, piece


def test_the_cli_says_how_the_video_was_made(exports, tmp_path, capsys):
    from lecturecut.app.cli import main as cli
    from lecturecut.synthesis.session import EditSession

    _source, project, smart, _full = exports
    EditSession(project).save(tmp_path / "p.lcproj")
    assert cli(["export", str(tmp_path / "p.lcproj"), "-o", str(tmp_path / "a.mp4"), "--subtitles", "none"]) == 0
    assert smart.video_render.summary in capsys.readouterr().err  # "smart render: N of M frames copied ..."
    assert cli(["export", str(tmp_path / "p.lcproj"), "-o", str(tmp_path / "b.mp4"), "--subtitles", "none",
                "--full-render"]) == 0
    assert "full render\n" in capsys.readouterr().err


def test_one_pass_copies_ranges_at_the_start_side_by_side_and_at_the_end(exports, tmp_path):
    """All copies come from one read of the source: a range from its first frame, two ranges that
    touch, one in the middle and one to its last frame are each exactly the source's packets, with the
    source's frame timing; four ranges three to a run also exercise a second run."""
    source = exports[0]
    packets = video_packets(source, hashes=True)
    assert packets.md5 == tuple(packet_hashes(source))
    cuts, n = packets.cut_points(), len(packets.pts)
    assert len(cuts) >= 8, cuts
    ranges = [(0, cuts[1]), (cuts[1], cuts[2]), (cuts[4], cuts[6]), (cuts[-1], n)]
    outs = [tmp_path / f"copy{k}.mp4" for k in range(len(ranges))]
    copy_gop_ranges(source, packets, ranges, outs, per_pass=3)
    order = packets.display_pts
    for (start, end), out in zip(ranges, outs):
        a, b = packet_range(packets, start, end)
        got = video_packets(out, hashes=True)
        assert got.md5 == packets.md5[a:b], (start, end)  # the source's bytes, in its decode order
        assert got.key[0] and got.time_base == packets.time_base
        shown = got.display_pts
        assert [t - shown[0] for t in shown] == [t - order[start] for t in order[start:end]]
        assert decode_errors(out) == "" and len(list(read_frames(out, size=(32, 32)))) == end - start


def test_the_join_check_finds_a_damaged_stretch_in_one_decoder_run(exports, tmp_path):
    """The joins are decoded by one ffmpeg run; a damaged keyframe is found, and in the right window."""
    source = exports[0]
    info = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                           "packet=pts_time,pos,flags", "-of", "csv=p=0", str(source)],
                          capture_output=True, text=True, check=True).stdout.split()
    keys = [(float(t), int(pos)) for t, pos, flags in (line.split(",") for line in info) if "K" in flags]
    t_bad, pos = next((t, pos) for t, pos in keys if t > 8.0)
    bad = tmp_path / "damaged.mp4"
    data = bytearray(source.read_bytes())
    data[pos + 64:pos + 64 + 1024] = bytes(range(256)) * 4
    bad.write_bytes(bytes(data))
    windows = [(2.0, 3.0), (t_bad - 0.5, 2.0), (t_bad + 4.0, 2.0)]
    assert decode_windows(source, windows) == ["", "", ""]
    found = decode_windows(bad, windows)
    assert found[0] == "" and found[2] == "" and found[1], found
    def unaddressed(line: str) -> str:  # "[h264 @ 0x55...] error while ...": the decoder's address differs per run
        return re.sub(r"0x[0-9a-f]+", "", line)

    assert unaddressed(found[1]) == unaddressed(decode_error(bad, *windows[1]))


def test_a_video_that_starts_after_its_audio_joins_on_one_clock(tmp_path):
    """Video starting half a frame after the audio (as recorders write it): the first slot is black, so
    the export opens with a one-frame re-encode, which reorders no frames while the copies after it do.
    Joined as it is, ffmpeg bends the decode timestamps and the video comes out two frames short of
    its audio; the stretch's decode times are moved to the source's delay, and the export is whole."""
    gop = transcode(tmp_path / "gop.mp4", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
                    "-x264-params", "keyint=50:min-keyint=50")
    source = tmp_path / "late_video.mp4"  # the same packets, the video 21 ms later (a stream copy)
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", "-itsoffset", "0.021", "-i", str(gop), "-i", str(gop),
                    "-map", "0:v", "-map", "1:a", "-c", "copy", str(source)], check=True)
    assert abs(video_packets(source).pts[0] * video_packets(source).time_base - Fraction(21, 1000)) < 0.001
    project = make_project(OBAMA, source=source)
    n = len(project.transcript.words)
    project = delete(project, (n - 4, n - 3))  # one cut near the end: the first GOPs are untouched
    result = export(project, tmp_path / "out.mp4", ExportOptions(**DRAFT))
    report = result.video_render
    assert report.mode == "smart", report.summary
    first = report.pieces[0]
    assert first.kind == ENCODE and first.end - first.start <= 2, report.pieces[:2]  # the case this is about
    assert report.pieces[1].kind == COPY
    packets = video_packets(result.path)
    assert len(packets.pts) == result.plan.output_frames
    frame = 1 / (25 * packets.time_base)
    assert all(b - a == frame for a, b in zip(packets.dts, packets.dts[1:]))  # one clock, frame by frame
    durations = stream_durations(result.path)
    assert abs(durations["video"] - result.plan.output_frames / 25) <= 1e-3
    assert abs(durations["video"] - durations["audio"]) <= 1 / 25 + 1e-3
    assert decode_errors(result.path) == ""
