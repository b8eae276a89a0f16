"""The command line as a contract: models, progress output, Ctrl-C, usage errors."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from lecturecut.app.cli import ProgressBar
from lecturecut.app.cli import main as cli

ROOT = Path(__file__).resolve().parents[1]


def test_models_list_names_licences(capsys):
    assert cli(["models", "list"]) == 0
    rows = {line.split("\t")[0]: line.split("\t") for line in capsys.readouterr().out.splitlines()}
    assert "non-commercial" in rows["wav2lip_gan"][3]
    assert rows["whisper-tiny.en-offline"][2] == "present"  # installed from PyPI by the set-up


def test_models_fetch_without_network_says_what_to_do(monkeypatch, tmp_path, capsys):
    # MOCKED network: this machine has none, and a failing download is what a user offline sees.
    def no_network(*args, **kwargs):
        raise urllib.error.URLError("[Errno -3] Temporary failure in name resolution")

    monkeypatch.setattr("urllib.request.urlopen", no_network)
    monkeypatch.setenv("LECTURECUT_CACHE", str(tmp_path))
    assert cli(["models", "fetch", "wav2lip_gan"]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("lecturecut: error:") and len(err.splitlines()) == 1
    assert not any(tmp_path.rglob("*.pth*"))  # no partial download left


def test_unknown_model_and_bad_range_are_usage_errors(capsys):
    assert cli(["models", "fetch", "no-such-model"]) == 1
    assert "unknown model" in capsys.readouterr().err
    with pytest.raises(SystemExit) as info:
        cli(["edit", "x.lcproj", "--delete", "three:four"])
    assert info.value.code == 2


def test_progress_bar_prints_plain_lines_without_a_terminal(tmp_path):
    out = open(tmp_path / "log", "w+")
    bar = ProgressBar(stream=out)
    for k in range(101):
        bar(k / 100, "encoding video")
    bar(None, "writing the file")
    out.seek(0)
    lines = out.read().splitlines()
    assert lines[0].strip().startswith("0%") and "100% encoding video" in lines[-2]
    assert lines[-1].endswith("writing the file") and len(lines) <= 13  # every 10 %, not every call


def test_ctrl_c_cancels_an_export_cleanly(tmp_path, media_file):
    """A real SIGINT to a running export: exit 130, a one-line message, no file left behind."""
    from lecturecut.asr.transcript import Transcript, Word
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project, save_project

    video = media_file("speech_over_timecode_auto_editor_1280x720_42s.mp4")  # 42 s of 720p: long enough to interrupt
    words = [Word(f"w{i}", 16000 * i, 16000 * i + 8000) for i in range(1, 16)]
    project = Project.create(video, probe(video), Transcript(tuple(words), "en", "test"))
    project = project.with_edl(project.edl.delete(3, 5), "cut")
    save_project(project, tmp_path / "p.lcproj")
    out = tmp_path / "out.mp4"
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    proc = subprocess.Popen([sys.executable, "-m", "lecturecut.app.cli", "export", str(tmp_path / "p.lcproj"),
                             "-o", str(out)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
    # wait until the export is under way (it prints progress lines), then press Ctrl-C
    for line in proc.stderr:
        if "encoding video" in line:
            break
    time.sleep(0.5)
    proc.send_signal(signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130
    assert "cancelled; nothing was written" in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.lcproj"]


def _small_project(tmp_path, media_file, n_words=30):
    import shutil

    from media_fixtures import make_project
    from testmedia import GRID

    from lecturecut.asr.transcript import Word, to_samples
    from lecturecut.synthesis.project import save_project

    video = tmp_path / "clip.mpg"
    shutil.copy(media_file(GRID), video)
    words = tuple(Word(f"w{i}", to_samples(0.05 * i), to_samples(0.05 * i + 0.04)) for i in range(n_words))
    project = make_project(GRID, words=words, source=video)
    save_project(project, tmp_path / "p.lcproj")
    return tmp_path / "p.lcproj", project


def test_edit_operations_apply_in_the_order_given(tmp_path, media_file):
    from lecturecut.synthesis.project import load_project

    path, _ = _small_project(tmp_path, media_file)
    assert cli(["-q", "edit", str(path), "--delete", "3:4"]) == 0
    # undo the earlier cut, then cut 20: not "cut 20, then undo it"
    assert cli(["-q", "edit", str(path), "--undo", "--delete", "20:21"]) == 0
    assert load_project(path).edl.deleted == {20}
    assert cli(["-q", "edit", str(path), "--retype", "5:8", "new words", "--delete", "5:6", "--undo", "--undo",
                "--redo"]) == 0
    edl = load_project(path).edl
    assert edl.replacement_at(5).text == "new words" and 5 not in edl.deleted


def test_transcribe_refuses_to_overwrite_a_project_unless_forced(tmp_path, media_file, monkeypatch, capsys):
    import lecturecut.synthesis.pipeline as pipeline

    path, project = _small_project(tmp_path, media_file)
    assert cli(["-q", "edit", str(path), "--delete", "0:2"]) == 0
    edited = path.read_bytes()
    capsys.readouterr()
    assert cli(["transcribe", str(tmp_path / "clip.mpg"), "-o", str(path)]) == 1
    err = capsys.readouterr().err.strip()
    assert "already exists" in err and "--force" in err and len(err.splitlines()) == 1
    assert path.read_bytes() == edited
    # MOCKED transcription (Whisper is not what is tested here): --force replaces the project
    monkeypatch.setattr(pipeline, "new_project", lambda *a, **k: project)
    assert cli(["-q", "transcribe", str(tmp_path / "clip.mpg"), "-o", str(path), "--force"]) == 0
    from lecturecut.synthesis.project import load_project
    assert load_project(path).edl.is_empty


def test_ctrl_c_to_the_whole_process_group_cancels_an_export(tmp_path, media_file):
    """The terminal's Ctrl-C reaches lecturecut and its ffmpeg children at once (os.killpg):
    ffmpeg dying of SIGINT is the cancellation, not an ffmpeg error."""
    from lecturecut.asr.transcript import Transcript, Word
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project, save_project

    video = media_file("speech_over_timecode_auto_editor_1280x720_42s.mp4")
    words = [Word(f"w{i}", 16000 * i, 16000 * i + 8000) for i in range(1, 16)]
    project = Project.create(video, probe(video), Transcript(tuple(words), "en", "test"))
    save_project(project.with_edl(project.edl.delete(3, 5), "cut"), tmp_path / "p.lcproj")
    proc = subprocess.Popen([sys.executable, "-m", "lecturecut.app.cli", "export", str(tmp_path / "p.lcproj"),
                             "-o", str(tmp_path / "out.mp4")], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ, PYTHONUNBUFFERED="1"),
                            start_new_session=True)  # its own group, as a shell job is
    for line in proc.stderr:
        if "encoding video" in line:
            break
    time.sleep(0.5)
    os.killpg(proc.pid, signal.SIGINT)
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 130, rest
    assert "cancelled" in rest and "Traceback" not in rest and "error" not in rest
    assert sorted(p.name for p in tmp_path.iterdir()) == ["p.lcproj"]


_FAKE_FETCH = """
import sys, urllib.request
port, cache = int(sys.argv[1]), sys.argv[2]
real_urlopen = urllib.request.urlopen

def local_urlopen(request, *args, **kwargs):
    # MOCKED network, and only the network: every download goes to the test's slow local server
    return real_urlopen(f"http://127.0.0.1:{port}/slow", *args, **kwargs)

urllib.request.urlopen = local_urlopen
from lecturecut.app.cli import main
sys.exit(main(["models", "fetch", "wav2lip_gan"]))
"""


def test_ctrl_c_cancels_a_model_download(tmp_path):
    """A real SIGINT while `models fetch` receives a slow response: exit 130, no partial file."""
    import http.server
    import threading

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Length", str(50 << 20))
            self.end_headers()
            try:
                # 64 KiB every 50 ms: slow enough to be mid-download after a second (50 MB would take
                # 40 s), fast enough that the downloader's 1 MiB reads return and see the cancellation
                for _ in range(800):
                    self.wfile.write(b"\0" * (64 << 10))
                    self.wfile.flush()
                    time.sleep(0.05)
            except (BrokenPipeError, ConnectionResetError):
                pass

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        proc = subprocess.Popen([sys.executable, "-c", _FAKE_FETCH, str(server.server_address[1]), str(tmp_path)],
                                cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                env=dict(os.environ, LECTURECUT_CACHE=str(tmp_path), PYTHONUNBUFFERED="1"))
        for line in proc.stderr:
            if "downloading" in line:
                break
        time.sleep(0.3)
        proc.send_signal(signal.SIGINT)
        rest = proc.stderr.read()
        assert proc.wait(timeout=30) == 130, rest
    finally:
        server.shutdown()
    assert "cancelled" in rest and "Traceback" not in rest
    assert not [p for p in tmp_path.rglob("*") if p.is_file()]  # no .part, no partial weights
