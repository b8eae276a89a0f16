"""The ffmpeg runner: progress parsing on captured output, errors, cancellation, probing bad files."""

import threading

import pytest

from lecturecut.core import Cancelled, CancelToken
from lecturecut.media.errors import FFmpegError, MediaError
from lecturecut.media.ffmpeg import parse_progress_block, run_ffmpeg
from lecturecut.media.probe import probe

# Captured verbatim from `ffmpeg -progress pipe:1 -nostats` (ffmpeg 5.1) while encoding.
CAPTURED_BLOCK = """frame=127
fps=63.41
stream_0_0_q=28.0
bitrate= 213.1kbits/s
total_size=136239
out_time_us=5114000
out_time_ms=5114000
out_time=00:00:05.114000
dup_frames=0
drop_frames=0
speed=2.55x
progress=continue""".splitlines()

CAPTURED_START = """frame=0
fps=0.00
stream_0_0_q=0.0
bitrate=N/A
total_size=44
out_time_us=N/A
out_time_ms=N/A
out_time=N/A
dup_frames=0
drop_frames=0
speed=N/A
progress=continue""".splitlines()


def test_parse_progress_block():
    p = parse_progress_block(CAPTURED_BLOCK)
    assert p.out_time_us == 5_114_000 and p.frame == 127 and p.speed == pytest.approx(2.55) and not p.done
    start = parse_progress_block(CAPTURED_START)
    assert start.out_time_us is None and start.speed is None and start.frame == 0
    assert parse_progress_block(["out_time_us=-9223372036854775807", "progress=end"]).done
    assert parse_progress_block(["out_time_us=-9223372036854775807"]).out_time_us is None


def test_run_ffmpeg_reports_progress(tmp_path):
    seen = []
    out = tmp_path / "tone.wav"
    run_ffmpeg(["-f", "lavfi", "-i", "sine=frequency=440:duration=3", str(out)], duration_s=3.0,
               progress=lambda f, m: seen.append(f))
    assert out.exists() and seen[-1] == 1.0
    assert all(f is None or 0.0 <= f <= 1.0 for f in seen)


def test_failure_carries_command_and_stderr(tmp_path):
    with pytest.raises(FFmpegError) as info:
        run_ffmpeg(["-i", str(tmp_path / "missing file.mp4"), str(tmp_path / "x.mp4")], what="converting")
    err = info.value
    assert "converting failed" in str(err)
    assert "'" in err.cmdline and "missing file.mp4" in err.cmdline  # pasteable: the space is quoted
    assert "No such file" in err.stderr


def test_cancel_terminates_ffmpeg(tmp_path):
    token = CancelToken()
    out = tmp_path / "long.wav"
    timer = threading.Timer(0.5, token.cancel)
    timer.start()
    with pytest.raises(Cancelled):
        # an endless source: only cancellation can stop it
        run_ffmpeg(["-re", "-f", "lavfi", "-i", "sine=frequency=440", str(out)], cancel=token)
    timer.cancel()


def _ffmpeg_work(args):
    """Work for core.Background: one ffmpeg run, its progress noted, stopped by its token."""
    return lambda stop, note: run_ffmpeg(args, duration_s=2.0, progress=lambda f, m: note(f), cancel=stop)


def test_background_work_finishes_stops_and_reports(tmp_path):
    import time

    from lecturecut.core import Background

    out = tmp_path / "tone.wav"
    seen = []
    with Background(_ffmpeg_work(["-f", "lavfi", "-i", "sine=frequency=440:duration=2", str(out)]),
                    message="tone") as job:
        log = job.wait(lambda f, m: seen.append((f, m)))
    assert probe(out).audio.duration_s == pytest.approx(2.0, abs=0.05) and all(m == "tone" for _, m in seen)
    assert "pcm_s16le" in log  # run_ffmpeg's log (stderr) is the work's result

    # the work beside it fails: the endless command is stopped and waited for, the error is the caller's
    t = time.monotonic()
    with pytest.raises(RuntimeError, match="the video failed"):
        with Background(_ffmpeg_work(["-re", "-f", "lavfi", "-i", "sine=frequency=440", str(tmp_path / "l.wav")]),
                        message="m") as job:
            time.sleep(0.3)
            raise RuntimeError("the video failed")
    assert not job._thread.is_alive() and time.monotonic() - t < 10

    token = CancelToken()  # the caller's cancel stops it too
    threading.Timer(0.5, token.cancel).start()
    with pytest.raises(Cancelled):
        with Background(_ffmpeg_work(["-re", "-f", "lavfi", "-i", "sine=frequency=440", str(tmp_path / "c.wav")]),
                        token, message="m"):
            pass
    with pytest.raises(FFmpegError, match="No such file"):  # its own failure reaches the caller
        with Background(_ffmpeg_work(["-i", str(tmp_path / "missing.wav"), str(tmp_path / "x.wav")]), message="m"):
            pass


def test_probe_real_video(media_file):
    info = probe(media_file("th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"))
    assert info.video.fps == 25 and info.video.width == 450
    assert info.audio.sample_rate == 48000 and abs(info.duration_s - 20.02) < 0.05


def test_probe_bad_inputs(tmp_path, media_file):
    with pytest.raises(MediaError, match="does not exist"):
        probe(tmp_path / "nope.mp4")
    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    with pytest.raises(MediaError, match="empty"):
        probe(empty)
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(b"this is not a video" * 1000)
    with pytest.raises(MediaError, match="corrupt, truncated"):
        probe(garbage)
    truncated = tmp_path / "truncated.mp4"
    src = media_file("th_obama_weekly_address_2010_oilspill_450x450_20s.mp4").read_bytes()
    truncated.write_bytes(src[: len(src) // 3])  # moov atom at the end is lost
    with pytest.raises(MediaError, match="corrupt, truncated"):
        probe(truncated)
    with pytest.raises(MediaError, match="folder"):
        probe(tmp_path)


def test_mux_graph_maps_streams_by_kind(tmp_path):
    from lecturecut.media.mux import mux_args

    args = mux_args(tmp_path / "o.mp4", tmp_path / "a.wav", 192000, video=tmp_path / "v.mp4",
                    subtitles=tmp_path / "s.srt", subtitle_language="ger")
    assert args[-1] == "file:" + str(tmp_path / "o.mp4")  # absolute, never read as a protocol or option
    pairs = list(zip(args, args[1:]))
    assert ("-map", "0:v") in pairs and ("-map", "1:a") in pairs and ("-map", "2:s") in pairs
    assert ("-vcodec", "copy") in pairs and ("-scodec", "mov_text") in pairs
    audio_only = mux_args(tmp_path / "o.m4a", tmp_path / "a.wav", 96000)
    assert ("-map", "0:a") in list(zip(audio_only, audio_only[1:])) and "-vcodec" not in audio_only


def test_full_disk_gives_a_clear_message(tmp_path):
    # /dev/full fails every write with ENOSPC, as a full disk does.
    with pytest.raises(FFmpegError, match="the disk is full"):
        run_ffmpeg(["-f", "lavfi", "-i", "sine=duration=1", "-f", "wav", "/dev/full"], what="writing audio")
