"""The command line as a contract: models, progress output, Ctrl-C, usage errors."""

import os
import signal
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import pytest

from lecturecut.app.cli import ProgressBar, main as cli

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
    from bench.measures.textgrid import read_word_intervals
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
    proc = subprocess.Popen([sys.executable, "-m", "lecturecut.app.cli", "export", str(tmp_path / "p.lcproj"), "-o", str(out)],
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
