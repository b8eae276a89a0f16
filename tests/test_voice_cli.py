"""The voice on the command line, run as a user runs it (a subprocess) on JFK transcribed by tiny.en (with
pocketsphinx phones): ``say`` writes the lecturer's voice to a WAV, ``edit --retype/--insert`` synthesize
each new retype and say how (or why it stays pending), ``words`` and ``voices`` list every span's method.
"""

from __future__ import annotations

import os
import subprocess
import sys
import wave
from pathlib import Path

import pytest
from test_voice import jfk_project

from lecturecut.synthesis.project import save_project

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def project_file(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(Path.home() / ".cache"))  # tiny.en, converted once per machine
    path = tmp_path / "jfk.lcproj"
    save_project(jfk_project(), path)
    return path


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "LECTURECUT_CACHE": str(tmp_path / "cache")}
    # not -q: the per-retype voice lines are summary lines, which -q silences (as export's are)
    return subprocess.run([sys.executable, "-m", "lecturecut.app.cli", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)


def test_say_writes_the_lecturers_voice_and_refuses_to_overwrite(tmp_path, project_file):
    out = tmp_path / "said.wav"
    done = run(tmp_path, "say", str(project_file), "ask not", "-o", str(out))
    assert done.returncode == 0, done.stderr
    assert "voice: reused" in done.stderr
    assert any(line.startswith("  reused: 'ask not'") for line in done.stderr.splitlines()), done.stderr
    with wave.open(str(out)) as w:
        rate = jfk_project().media.audio.sample_rate
        assert w.getframerate() == rate and w.getnchannels() == 1 and w.getnframes() > 0.3 * rate
    before = out.read_bytes()
    again = run(tmp_path, "say", str(project_file), "mask", "-o", str(out))
    assert again.returncode == 1 and "--force" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert out.read_bytes() == before
    forced = run(tmp_path, "say", str(project_file), "mask", "-o", str(out), "--force", "--at", "5")
    assert forced.returncode == 0, forced.stderr
    assert "voice: units" in forced.stderr and out.read_bytes() != before


def test_edit_synthesizes_each_new_retype_and_every_span_is_listed(tmp_path, project_file):
    n = len(jfk_project().transcript.words)
    done = run(tmp_path, "edit", str(project_file), "--retype", "8:10", "your mask photosynthesis",
               "--insert", str(n), "your country", "--retype", "0:1", " ".join(["you"] * 61))
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert any("words 8:10" in line and line.endswith(": generic voice") for line in lines), done.stderr
    assert any(f"words {n}:{n}" in line and line.endswith(": reused") for line in lines), done.stderr
    [too_long] = [line for line in lines if "words 0:1" in line]
    assert ": pending (" in too_long and "60" in too_long  # the reason, and nothing lost: exit 0
    words = run(tmp_path, "words", str(project_file))
    rows = [line.split("\t") for line in words.stdout.splitlines()]
    assert rows[8][-1] == rows[9][-1] == "voice: generic voice" and rows[0][-1] == "voice: pending"
    assert len(rows[10]) == 5  # an untouched word has no voice column
    voices = run(tmp_path, "voices", str(project_file))
    listed = {row[1]: row for row in (line.split("\t") for line in voices.stdout.splitlines())}
    assert set(listed) == {"0:1", "8:10", f"{n}:{n}"}
    assert listed["8:10"][3] == "generic voice" and "reused" in listed["8:10"][4]
    assert "phones" in listed["8:10"][4] and "piper" in listed["8:10"][4]
    assert listed[f"{n}:{n}"][3] == "reused" and listed["0:1"][3] == "pending"
