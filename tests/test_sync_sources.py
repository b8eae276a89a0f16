"""Sync on real-world sources: every output frame is the source frame the audio clock asks for.

Three synthetic sources, each with its frame index burned into the picture as big black/white
blocks (they survive x264) and "words" that are tone bursts at known times:

- a variable frame rate (30 fps, then 15 fps, then 30 fps again, with a few ms of jitter);
- a video stream that starts 0.5 s after the audio (``-itsoffset``: an MP4 edit list);
- audio 3 s longer than the video.

Each is exported with cuts, every output frame is decoded and its burned index compared with
the frame that should be on screen at its instant on the audio clock (computed here from
ffprobe's frame timestamps, independently of the renderer). Frames are placed by count at the
average rate from t = 0 before this fix: the VFR source came out up to 0.78 s off.
"""

from __future__ import annotations

import functools
import json
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from media_fixtures import _scratch_dir, delete, stream_durations

from lecturecut.asr.transcript import Transcript, Word, to_samples
from lecturecut.media.ffmpeg import ffmpeg_path, ffprobe_path
from lecturecut.media.frames import read_frames
from lecturecut.media.probe import probe
from lecturecut.synthesis.export import ExportOptions, export
from lecturecut.synthesis.project import Project

BITS = 10  # burned index bits (index + 1, so an all-black picture reads 0)
BLOCK_W, HEIGHT = 16, 32  # one bit per 16-pixel column block
WIDTH = BITS * BLOCK_W
WORD_PERIOD_S, WORD_S = 0.5, 0.3  # a 0.3 s tone burst every 0.5 s
DRAFT = ExportOptions(preset="draft", subtitles="none", smooth_cuts=False)

BURN = f"format=gray,geq=lum='255*mod(floor((N+1)/pow(2\\,floor(X/{BLOCK_W})))\\,2)'"
BEEPS = f"aevalsrc='0.5*sin(2*PI*440*t)*lt(mod(t\\,{WORD_PERIOD_S})\\,{WORD_S})':s=48000"


def ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_path(), "-v", "error", "-y", *args], check=True)


def burned_video(out: Path, frames: int, setpts: str | None) -> None:
    """``frames`` frames of 30 fps lavfi, index burned in, timestamps rewritten by ``setpts``."""
    vf = BURN + (f",settb=1/90000,setpts='{setpts}'" if setpts else "") + ",format=yuv420p"
    ffmpeg("-f", "lavfi", "-i", f"color=black:s={WIDTH}x{HEIGHT}:r=30", "-frames:v", str(frames), "-vf", vf,
           "-fps_mode", "passthrough", "-c:v", "libx264", "-preset", "ultrafast", "-crf", "18",
           "-video_track_timescale", "90000", str(out))


def beeps(out: Path, duration_s: float) -> None:
    ffmpeg("-f", "lavfi", "-i", BEEPS, "-t", str(duration_s), "-c:a", "aac", "-b:a", "96k", str(out))


@functools.cache
def source(kind: str) -> Path:
    folder = _scratch_dir() / f"sync-{kind}"
    folder.mkdir(exist_ok=True)
    video, audio, out = folder / "v.mp4", folder / "a.m4a", folder / f"{kind}.mp4"
    if kind == "vfr":
        # 90 frames at 30 fps, 60 at 15 fps, 60 at 30 fps (8 s, 22.5 fps on average), +-4 ms of jitter
        pts = ("(if(lt(N,90),N/30,if(lt(N,150),3+(N-90)/15,7+(N-150)/30))+0.004*sin(N))/TB")
        burned_video(video, 210, pts.replace(",", "\\,"))
        beeps(audio, 9.0)
        ffmpeg("-i", str(video), "-i", str(audio), "-map", "0:v", "-map", "1:a", "-c", "copy", str(out))
    elif kind == "offset":
        burned_video(video, 240, None)  # 8 s
        beeps(audio, 8.5)
        ffmpeg("-itsoffset", "0.5", "-i", str(video), "-i", str(audio), "-map", "0:v", "-map", "1:a",
               "-c", "copy", str(out))
    elif kind == "short_video":
        burned_video(video, 150, None)  # 5 s
        beeps(audio, 8.0)
        ffmpeg("-i", str(video), "-i", str(audio), "-map", "0:v", "-map", "1:a", "-c", "copy", str(out))
    return out


def project_on(path: Path) -> Project:
    info = probe(path)
    n = int(info.audio.duration_s / WORD_PERIOD_S)
    words = tuple(Word(f"w{k}", to_samples(k * WORD_PERIOD_S), to_samples(k * WORD_PERIOD_S + WORD_S))
                  for k in range(n))
    return Project.create(path, info, Transcript(words, "en", "known-times", duration=to_samples(info.duration_s)))


def source_times(path: Path) -> tuple[list[Fraction], Fraction]:
    """Each decoded frame's presentation time and the audio's start, from ffprobe (seconds)."""
    out = subprocess.run([ffprobe_path(), "-v", "error", "-show_entries", "frame=pts_time:stream=codec_type,start_time",
                          "-select_streams", "v:0", "-of", "json", str(path)], capture_output=True, text=True,
                         check=True)
    frames = [Fraction(f["pts_time"]) for f in json.loads(out.stdout)["frames"]]
    streams = json.loads(subprocess.run(
        [ffprobe_path(), "-v", "error", "-show_entries", "stream=codec_type,start_time", "-of", "json", str(path)],
        capture_output=True, text=True, check=True).stdout)["streams"]
    audio_start = next(Fraction(s["start_time"]) for s in streams if s["codec_type"] == "audio")
    return sorted(frames), audio_start


def burned_index(frame: np.ndarray) -> int:
    centres = frame[HEIGHT // 2, BLOCK_W // 2::BLOCK_W, 0][:BITS].astype(int)  # (BITS,)
    return int(sum(1 << k for k, v in enumerate(centres) if v > 127))


def measure(kind: str, runs: tuple[tuple[int, int], ...], folder: Path):
    """Export ``kind`` with ``runs`` deleted; per output frame: (burned index seen, index wanted,
    A/V offset in ms of the frame seen), plus the result."""
    path = source(kind)
    project = delete(project_on(path), *runs)
    result = export(project, folder / f"{kind} cut.mp4", DRAFT)
    plan = result.plan
    fps = plan.fps
    pts, audio_start = source_times(path)
    clock = [p - audio_start for p in pts]  # frame k's start on the audio clock
    tol = Fraction(1, 4) / fps  # the renderer's allowance for container timestamp rounding
    got = [burned_index(f) for f in read_frames(result.path)]

    def interval(burned: int) -> tuple[Fraction, Fraction]:
        """Where on the audio clock the frame with this burned value is on screen (the last one holds)."""
        k = burned - 1
        if k < 0:
            return Fraction(-10**6), clock[0]  # black: before the first frame
        return clock[k], clock[k + 1] if k + 1 < len(clock) else Fraction(10**6)

    want, av_ms = [], []
    out_frame, out_sample = 0, 0
    for span in plan.spans:
        for slot in range(span.frame_start, span.frame_end):
            t = Fraction(slot) / fps
            k = max((i for i, c in enumerate(clock) if c <= t + tol), default=-1)
            want.append(k + 1)  # burned value: index + 1, 0 = black before the first frame
            # A/V: the source audio this span plays at the frame's output instant vs the interval of the
            # frame actually shown (a join itself is quantised to a frame, so measured within the span)
            heard = (Fraction(span.audio_start, plan.audio_rate) + Fraction(out_frame) / fps
                     - Fraction(out_sample, plan.audio_rate))
            if out_frame < len(got):
                lo, hi = interval(got[out_frame])
                av_ms.append(float(max(lo - heard, heard - hi, 0)) * 1000)
            out_frame += 1
        out_sample += span.n_samples
    return got, want, av_ms, result


def check_sync(kind: str, runs: tuple[tuple[int, int], ...], folder: Path) -> None:
    """Every output frame is the planned source frame, and A/V stay within one frame."""
    got, want, av_ms, result = measure(kind, runs, folder)
    fps = float(result.plan.fps)
    assert len(got) == len(want) == result.plan.output_frames
    errors = [i for i, (g, w) in enumerate(zip(got, want)) if g != w]
    assert not errors, f"{kind}: {len(errors)} frames wrong, first {[(i, got[i], want[i]) for i in errors[:5]]}"
    assert max(av_ms) <= 1000 / fps, max(av_ms)
    durations = stream_durations(result.path)
    assert abs(durations["video"] - durations["audio"]) <= 1 / fps, durations


VFR_CUTS = ((3, 5), (9, 10), (12, 13))
OFFSET_CUTS = ((0, 1), (4, 6), (11, 12))  # inside the first half second (black there), and later
SHORT_VIDEO_CUTS = ((3, 4), (11, 13))  # the second after the video's end


def test_variable_frame_rate_source_stays_in_sync(tmp_path):
    info = probe(source("vfr"))
    assert info.video.fps.denominator not in (1, 1001)  # really variable: an odd average rate
    check_sync("vfr", VFR_CUTS, tmp_path)


def test_video_starting_after_the_audio_stays_in_sync(tmp_path):
    info = probe(source("offset"))
    assert info.video.start_s == pytest.approx(0.5, abs=0.01)
    check_sync("offset", OFFSET_CUTS, tmp_path)


def test_audio_longer_than_video_holds_the_last_frame(tmp_path):
    """After the video ends the last frame holds; frames of deleted words are never replayed."""
    check_sync("short_video", SHORT_VIDEO_CUTS, tmp_path)
