"""Streamed frames on real clips: exact frame indices, clean shutdown, atomic encoding."""

import os
import shutil
import time
from fractions import Fraction

import numpy as np
import pytest
from media_fixtures import AUTO_EDITOR, GRID, JFK, media

from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.errors import FFmpegError
from lecturecut.media.frames import FrameWriter, read_frames
from lecturecut.media.probe import probe

SMALL = (90, 72)  # GRID's 360x288 at a quarter: enough to tell frames apart, cheap to compare


def psnr(a: np.ndarray, b: np.ndarray) -> float:
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return float(10 * np.log10(255.0 ** 2 / max(mse, 1e-12)))


@pytest.fixture(scope="module")
def grid_frames():
    return [f.copy() for f in read_frames(media(GRID), size=SMALL)]


def test_every_frame_in_order_with_its_shape(grid_frames):
    assert len(grid_frames) == 75  # 3.00 s at 25 fps
    assert all(f.shape == (72, 90, 3) and f.dtype == np.uint8 for f in grid_frames)
    # consecutive frames of a talking face differ, but only a little
    diffs = [np.abs(a.astype(int) - b.astype(int)).mean() for a, b in zip(grid_frames, grid_frames[1:])]
    assert 0 < np.median(diffs) < 10


def test_start_frame_and_count_are_exact(grid_frames):
    for start in (0, 1, 37, 70):
        part = list(read_frames(media(GRID), start_frame=start, n_frames=3, size=SMALL))
        assert len(part) == min(3, 75 - start)
        for got, want in zip(part, grid_frames[start:]):
            assert np.array_equal(got, want), start


def test_full_size_frames_of_an_h264_clip():
    first = next(iter(read_frames(media(AUTO_EDITOR), n_frames=1)))
    assert first.shape == (720, 1280, 3)


def _ffmpeg_children() -> set[int]:
    """Live (not yet reaped) ffmpeg processes whose parent is this test process."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                fields = fh.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/comm") as fh:
                name = fh.read().strip()
        except OSError:
            continue
        if int(fields[1]) == os.getpid() and name == "ffmpeg":  # fields[1]: ppid
            found.add(int(entry))
    return found


def test_closing_early_stops_the_decoder():
    before = _ffmpeg_children()
    frames = read_frames(media(AUTO_EDITOR), size=(64, 36))
    next(frames)
    assert _ffmpeg_children() - before, "the decoder should be running mid-stream"
    t0 = time.monotonic()
    frames.close()  # must neither hang nor raise; the decoder is killed and reaped
    assert time.monotonic() - t0 < 5
    assert _ffmpeg_children() == before  # killed and reaped: no zombie left


def test_cancel_stops_reading():
    token = CancelToken()
    frames = read_frames(media(GRID), size=SMALL, cancel=token)
    next(frames)
    token.cancel()
    with pytest.raises(Cancelled):
        next(frames)


def test_audio_only_file_has_no_frames():
    with pytest.raises(FFmpegError, match="no video stream"):
        next(iter(read_frames(media(JFK))))


def moving_square(k: int, w: int, h: int) -> np.ndarray:
    y, x = np.mgrid[0:h, 0:w]
    frame = np.stack([x * 255 // w, y * 255 // h, np.full_like(x, 128)], axis=-1).astype(np.uint8)  # (h, w, 3)
    frame[10:26, 2 * k:2 * k + 16] = 255
    return frame


def test_frame_writer_round_trip(tmp_path):
    out = tmp_path / "Vorlesung Übung 1" / "Grüße.mp4"
    out.parent.mkdir()
    w, h, fps = 64, 48, Fraction(30000, 1001)
    frames = [moving_square(k, w, h) for k in range(20)]
    with FrameWriter(out, w, h, fps) as writer:
        for f in frames:
            writer.write(f)
    assert writer.frames_written == 20
    info = probe(out)
    assert info.video.fps == fps and (info.video.width, info.video.height) == (w, h) and info.audio is None
    back = list(read_frames(out))
    assert len(back) == 20
    assert min(psnr(a, b) for a, b in zip(frames, back)) > 30
    assert [p.name for p in out.parent.iterdir()] == ["Grüße.mp4"]  # no temporary file left


def test_frame_writer_pads_odd_sizes_to_even(tmp_path):
    """4:2:0 needs even sides: an odd picture gains a black line rather than losing one (1x1 cannot lose one)."""
    for w, h in ((65, 49), (1, 1)):
        out = tmp_path / f"odd {w}x{h}.mp4"
        with FrameWriter(out, w, h, Fraction(25)) as writer:
            for k in range(3):
                writer.write(moving_square(k, w, h) if w > 1 else np.full((1, 1, 3), 200, np.uint8))
        info = probe(out)
        assert (info.video.width, info.video.height) == (w + w % 2, h + h % 2)
        assert info.video.n_frames == 3


def test_frame_writer_failure_keeps_the_previous_file(tmp_path):
    out = tmp_path / "clip.mp4"
    shutil.copy(media(GRID), out)
    before = out.read_bytes()
    with pytest.raises(RuntimeError, match="renderer crashed"):
        with FrameWriter(out, 64, 48, Fraction(25)) as writer:
            writer.write(moving_square(0, 64, 48))
            raise RuntimeError("renderer crashed")
    assert out.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["clip.mp4"]


def test_frame_writer_rejects_a_wrong_frame(tmp_path):
    out = tmp_path / "bad.mp4"
    with pytest.raises(ValueError, match="expected"):
        with FrameWriter(out, 64, 48, Fraction(25)) as writer:
            writer.write(np.zeros((48, 64), np.uint8))
    assert not list(tmp_path.iterdir())


# Captured verbatim from ffmpeg 5.1 `-vf showinfo` at -v info (long lines kept as ffmpeg writes them).
SHOWINFO_LINES = """[Parsed_showinfo_0 @ 0x555713c1b280] config in time_base: 1/30, frame_rate: 30/1
[Parsed_showinfo_0 @ 0x555713c1b280] config out time_base: 0/0, frame_rate: 0/0
[Parsed_showinfo_0 @ 0x555713c1b280] n:   0 pts:      0 pts_time:0       pos:       -1 fmt:yuv420p sar:1/1 s:16x16 i:P iskey:1 type:I checksum:29E05000
[Parsed_showinfo_1 @ 0x5557] n:  12 pts:  45045 pts_time:0.5005  pos: 1234 fmt:yuv420p
[Parsed_showinfo_1 @ 0x5557] n:  13 pts: NOPTS pts_time:NOPTS  pos: 1234 fmt:yuv420p
Stream #0:0: Video: rawvideo (RGB[24] / 0x18424752), rgb24""".splitlines()


def test_showinfo_lines_give_time_base_and_pts():
    from lecturecut.media.frames import parse_showinfo

    assert [parse_showinfo(line) for line in SHOWINFO_LINES] == [
        ("tb", Fraction(1, 30)), None, ("pts", 0), ("pts", 45045), ("pts", None), None]


def test_timed_frames_carry_the_stream_timestamps():
    """GRID is MPEG-PS: its timestamps do not start at zero, and -copyts keeps them."""
    from lecturecut.media.frames import read_timed_frames

    info = probe(media(GRID))
    times = [t for t, _ in read_timed_frames(media(GRID), size=SMALL)]
    assert len(times) == 75
    assert float(times[0]) == pytest.approx(info.video.start_s, abs=1e-6)
    assert all(b - a == Fraction(1, 25) for a, b in zip(times, times[1:]))
