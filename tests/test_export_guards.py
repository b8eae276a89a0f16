"""Export refuses early and cleanly, and writes what ffmpeg would misread or could not encode.

- names ffmpeg takes for a protocol (``week3:intro.mp4``) or an option (``-i.mp4``);
- a container or subtitle combination it cannot write: refused before any rendering;
- an existing video or .srt/.vtt at the destination: refused unless ``overwrite`` / ``--force``;
- a full disk: one line, no traceback;
- RGB (FFV1 bgr0) and odd-sized (101x75, 1x1) sources: converted and padded so they encode;
- a killed export's temporary folder is swept by the next export into the same folder.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from media_fixtures import AUTO_EDITOR, GRID, delete, make_project, media, stream_durations, stream_types

from lecturecut.files import STALE_AFTER_S, TEMP_TAG
from lecturecut.media.errors import MediaError
from lecturecut.media.ffmpeg import ffmpeg_path
from lecturecut.media.frames import read_frames
from lecturecut.media.probe import probe
from lecturecut.synthesis.export import DestinationExists, ExportOptions, export
from lecturecut.synthesis.project import save_project

DRAFT = dict(preset="draft", smooth_cuts=False)


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if TEMP_TAG in p.name)


def grid_cut(source: Path | None = None):
    return delete(make_project(GRID, source=source), (2, 3))


# ---------------------------------------------------------------- names ffmpeg misreads
@pytest.mark.parametrize("name", ["week3:intro.mp4", "-i.mp4"])
def test_names_ffmpeg_would_misread_probe_and_export(tmp_path, monkeypatch, name):
    monkeypatch.chdir(tmp_path)
    shutil.copy(media(GRID), tmp_path / name)
    relative = Path(".") / name  # Path drops the "./": ffmpeg got "-i.mp4" and took it for an option
    assert probe(relative).video.width == 360
    project = grid_cut(relative)
    out = Path(name.replace("intro", "cut").replace("-i", "-o"))  # relative, as a user types it
    result = export(project, out, ExportOptions(subtitles="sidecar", **DRAFT))
    assert (tmp_path / out).is_file() and (tmp_path / out.with_suffix(".srt")).is_file()
    assert result.n_cuts == 1 and stream_types(tmp_path / out) == ["video:h264", "audio:aac"]
    assert leftovers(tmp_path) == []


# ---------------------------------------------------------------- refused before rendering
@pytest.mark.parametrize("name, subtitles, match", [
    ("lecture.avi", "embed", "cannot carry embedded subtitles"),
    ("lecture.webm", "sidecar", "cannot export to"),
    ("lecture.xyz", "none", "cannot export to"),
    ("lecture", "none", "no extension"),
    ("lecture.m4a", "none", "audio only"),
])
def test_unsupported_container_is_refused_before_rendering(tmp_path, name, subtitles, match):
    seen = []
    with pytest.raises(MediaError, match=match) as err:
        export(grid_cut(), tmp_path / name, ExportOptions(subtitles=subtitles, **DRAFT),
               progress=lambda f, m: seen.append(m))
    assert "\n" not in str(err.value)
    assert seen == [] and list(tmp_path.iterdir()) == []  # not even planning started


def test_mkv_and_avi_export_with_what_they_can_hold(tmp_path):
    mkv = export(grid_cut(), tmp_path / "lecture.mkv", ExportOptions(subtitles="embed", **DRAFT))
    assert stream_types(mkv.path) == ["video:h264", "audio:aac", "subtitle:subrip"]
    # another name: two exports in one folder under one name would share their sidecars and record
    avi = export(grid_cut(), tmp_path / "lecture-avi.avi", ExportOptions(subtitles="sidecar", **DRAFT))
    assert stream_types(avi.path)[:2] == ["video:h264", "audio:aac"] and avi.subtitle_paths


@pytest.mark.parametrize("existing", ["out.mp4", "out.srt", "out.vtt", "out.txt", "out.edits.json"])
def test_existing_outputs_are_not_replaced_without_asking(tmp_path, existing):
    (tmp_path / existing).write_text("keep me")
    with pytest.raises(DestinationExists, match=existing) as err:
        export(grid_cut(), tmp_path / "out.mp4", ExportOptions(**DRAFT))
    assert "\n" not in str(err.value)
    assert sorted(p.name for p in tmp_path.iterdir()) == [existing]  # nothing at all was written
    assert (tmp_path / existing).read_text() == "keep me"
    result = export(grid_cut(), tmp_path / "out.mp4", ExportOptions(overwrite=True, **DRAFT))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.edits.json", "out.mp4", "out.srt", "out.txt", "out.vtt"]
    assert probe(result.path).video is not None and (tmp_path / existing).read_bytes() != b"keep me"


def test_exports_get_ordinary_permissions_and_replacements_keep_theirs(tmp_path):
    """mkstemp-style 0600 files cannot be read by a colleague or a web server: exports get the
    umask's permissions, and a replaced file keeps the mode it had."""
    old = os.umask(0o022)
    try:
        export(grid_cut(), tmp_path / "out.mp4", ExportOptions(**DRAFT))
        modes = {p.name: p.stat().st_mode & 0o777 for p in tmp_path.iterdir()}
        assert modes == dict.fromkeys(["out.mp4", "out.srt", "out.vtt", "out.txt", "out.edits.json"], 0o644)
        os.chmod(tmp_path / "out.mp4", 0o640)
        export(grid_cut(), tmp_path / "out.mp4", ExportOptions(overwrite=True, **DRAFT))
        assert (tmp_path / "out.mp4").stat().st_mode & 0o777 == 0o640
    finally:
        os.umask(old)


def cli(*args: str, cwd: Path | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "lecturecut.app.cli", *args], capture_output=True, text=True,
                          cwd=cwd, **kw)


def test_cli_export_refuses_an_existing_file_unless_forced(tmp_path):
    project_file = tmp_path / "grid.lcproj"
    save_project(grid_cut(), project_file)
    out = tmp_path / "out.mp4"
    out.write_bytes(b"an earlier export")
    refused = cli("export", str(project_file), "-o", str(out), "--no-smooth")
    assert refused.returncode != 0 and out.read_bytes() == b"an earlier export"
    assert "out.mp4" in refused.stderr and "--force" in refused.stderr and "Traceback" not in refused.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["grid.lcproj", "out.mp4"]  # no sidecar either
    forced = cli("export", str(project_file), "-o", str(out), "--no-smooth", "--force")
    assert forced.returncode == 0, forced.stderr
    assert probe(out).video is not None


# ---------------------------------------------------------------- a full disk
def test_full_disk_is_one_line(tmp_path):
    """A real full disk: a 600 kB tmpfs in a user+mount namespace (the export needs about 1.5 MB)."""
    project_file = tmp_path / "grid.lcproj"
    save_project(grid_cut(), project_file)
    mount = tmp_path / "small disk"
    mount.mkdir()
    exporter = (f"mount -t tmpfs -o size=600k tmpfs '{mount}' || exit 99; "
                f"'{sys.executable}' -m lecturecut.app.cli export '{project_file}' -o '{mount}/out.mp4' --no-smooth; "
                f"echo rc=$?; ls -A '{mount}'")
    run = subprocess.run(["unshare", "-rm", "sh", "-c", exporter], capture_output=True, text=True)
    assert run.returncode != 99, f"cannot mount a small tmpfs here: {run.stderr}"
    errors = [ln for ln in run.stderr.splitlines() if "error" in ln]
    assert len(errors) == 1 and "is full" in errors[0] and "out.mp4" in errors[0], run.stderr
    assert "Traceback" not in run.stderr
    assert "rc=1" in run.stdout and run.stdout.strip().endswith("rc=1"), run.stdout  # and the disk left empty


# ---------------------------------------------------------------- sources that failed to encode
def converted(tmp_path: Path, name: str, vf: str, pix_fmt: str) -> Path:
    out = tmp_path / name
    subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(media(GRID)), "-vf", vf, "-pix_fmt", pix_fmt,
                    "-c:v", "ffv1", "-c:a", "copy", str(out)], check=True)
    return out


@pytest.mark.parametrize("name, vf, pix_fmt, size", [
    ("rgb.mkv", "null", "bgr0", (360, 288)),
    ("odd.mkv", "scale=101:75", "yuv444p", (102, 76)),
    ("tiny.mkv", "scale=1:1", "yuv444p", (2, 2)),
])
def test_rgb_and_odd_sized_sources_export(tmp_path, name, vf, pix_fmt, size):
    source = converted(tmp_path, name, vf, pix_fmt)
    assert probe(source).video.pix_fmt == pix_fmt
    result = export(grid_cut(source), tmp_path / f"{Path(name).stem} cut.mp4", ExportOptions(subtitles="none", **DRAFT))
    info = probe(result.path)
    assert (info.video.width, info.video.height) == size and info.video.pix_fmt == "yuv420p"
    assert info.video.n_frames == result.plan.output_frames
    durations = stream_durations(result.path)
    assert abs(durations["video"] - durations["audio"]) <= 0.04
    if name == "rgb.mkv":  # the picture survives the RGB -> YUV conversion (same colours as the source)
        a = next(iter(read_frames(source))).astype(float)
        b = next(iter(read_frames(result.path))).astype(float)
        assert np.abs(a - b).mean() < 6


# ---------------------------------------------------------------- a killed export
def test_killed_export_leaves_nothing_after_the_next_one(tmp_path):
    folder = tmp_path / "exports"
    folder.mkdir()
    long_project = tmp_path / "long.lcproj"
    save_project(delete(make_project(AUTO_EDITOR), (3, 5)), long_project)
    short_project = tmp_path / "short.lcproj"
    save_project(grid_cut(), short_project)
    victim = subprocess.Popen([sys.executable, "-m", "lecturecut.app.cli", "export", str(long_project),
                               "-o", str(folder / "long.mp4"), "--no-smooth"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        while not any(".part" in p.name for d in folder.glob(f".{TEMP_TAG}-export-*") for p in d.iterdir()):
            assert victim.poll() is None, "the export ended before it could be killed"
            assert time.monotonic() < deadline, "the export never started rendering video"
            time.sleep(0.05)
        time.sleep(0.5)  # mid-render: frames are flowing into the encoder
    finally:
        victim.send_signal(signal.SIGKILL)
        victim.wait()
    _wait_for_orphans(victim.pid)  # its ffmpeg children finish on the closed pipes
    stale = leftovers(folder)
    assert stale, "the killed export left nothing: it was not killed mid-render"
    # The sweep spares temporaries younger than STALE_AFTER_S (pid reuse, clock skew): age them.
    old = time.time() - 2 * STALE_AFTER_S
    for path in folder.rglob("*"):
        os.utime(path, (old, old))
    for path in folder.iterdir():
        os.utime(path, (old, old))
    done = cli("export", str(short_project), "-o", str(folder / "short.mp4"), "--no-smooth")
    assert done.returncode == 0, done.stderr
    assert leftovers(folder) == [], stale
    assert sorted(p.name for p in folder.iterdir()) == ["short-en.srt", "short-en.txt", "short-en.vtt",
                                                       "short-subtitles.zip", "short.edits.json", "short.mp4"]


def _wait_for_orphans(pgid: int, timeout_s: float = 60) -> None:
    """Wait until no process of the killed export's session is left (never kills them)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    raise AssertionError("the killed export's ffmpeg processes did not end")
