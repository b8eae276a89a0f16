"""End to end through the CLI on a real lecture clip with real Whisper weights:
transcribe, delete a phrase at the start and one in the middle, export,
transcribe the export again and compare. Plus every kind of bad input.
"""

import difflib
import json
import shutil
import subprocess

import numpy as np
import pytest

from lecturecut.app.cli import main as cli
from lecturecut.asr.transcript import normalize_word
from lecturecut.media.audio import decode_audio
from lecturecut.media.ffmpeg import ffmpeg_path
from lecturecut.media.probe import probe
from lecturecut.synthesis.project import load_project

pytestmark = pytest.mark.slow

CLIP = "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4"


def run_cli(*args):
    return cli(["-q", *map(str, args)])


def words_of(project_path, capsys):
    capsys.readouterr()
    assert run_cli("words", project_path) == 0
    rows = [line.split("\t") for line in capsys.readouterr().out.strip().splitlines()]
    return [(int(i), float(s), float(e), t, state) for i, s, e, t, state in rows]


def stream_durations(path):
    """Decoded duration of each stream (container metadata can lie; count what is there)."""
    out = subprocess.run(
        ["ffprobe", "-v", "error", "-count_packets", "-show_entries",
         "stream=codec_type,duration,nb_read_packets,r_frame_rate,sample_rate", "-of", "json", str(path)],
        capture_output=True, text=True, check=True)
    return {s["codec_type"]: float(s["duration"]) for s in json.loads(out.stdout)["streams"]}


@pytest.fixture(scope="module")
def lecture(tmp_path_factory, media_file):
    """The clip under a path with spaces and umlauts, transcribed once for the module."""
    folder = tmp_path_factory.mktemp("e2e") / "Vorlesung Maschinelles Lernen" / "Woche 1 – Übung"
    folder.mkdir(parents=True)
    video = folder / "Einführung Öl.mp4"
    shutil.copy(media_file(CLIP), video)
    project = folder / "Einführung.lcproj"
    assert run_cli("transcribe", video, "-o", project) == 0
    return video, project


def test_transcript_is_word_aligned(lecture, capsys):
    video, project = lecture
    words = words_of(project, capsys)
    assert len(words) > 30
    assert [w[0] for w in words] == list(range(len(words)))
    starts = [w[1] for w in words]
    assert starts == sorted(starts)
    assert all(s < e for _, s, e, _, _ in words)
    assert all(words[i][2] <= words[i + 1][1] + 1e-6 for i in range(len(words) - 1))  # no overlap
    assert words[-1][2] <= probe(video).duration_s + 0.05
    assert {w[4] for w in words} == {"kept"}


def test_delete_export_retranscribe(lecture, tmp_path, capsys):
    video, project_path = lecture
    source_bytes = video.read_bytes()
    edited = tmp_path / "edited.lcproj"
    shutil.copy(project_path, edited)
    words = words_of(edited, capsys)
    n = len(words)
    mid = n // 2
    start_cut, mid_cut = (0, 3), (mid, mid + 4)
    assert run_cli("edit", edited, "--delete", f"{start_cut[0]}:{start_cut[1]}",
                   "--delete", f"{mid_cut[0]}:{mid_cut[1]}") == 0
    states = [w[4] for w in words_of(edited, capsys)]
    assert states.count("deleted") == 7

    out = tmp_path / "out put" / "edited lecture.mp4"
    out.parent.mkdir()
    assert run_cli("export", edited, "-o", out) == 0
    assert video.read_bytes() == source_bytes  # the source is only ever read
    leftovers = [p.name for p in out.parent.iterdir() if p.name.startswith(".")]
    assert not leftovers, f"temporary files left behind: {leftovers}"

    # --- durations: output = source - removed spans (within one frame); A/V agree within one frame
    from lecturecut.synthesis.plan import build_plan

    project = load_project(edited)
    info = project.media
    frame_s = 1 / float(info.video.fps)
    audio = decode_audio(video, info.audio.sample_rate)
    plan = build_plan(project, audio, info.audio.sample_rate)
    removed_s = info.duration_s - plan.output_duration_s
    assert removed_s > 0.5  # 7 words are gone
    out_info = probe(out)
    assert abs(out_info.duration_s - (info.duration_s - removed_s)) <= frame_s + 0.03  # AAC priming
    durations = stream_durations(out)
    assert abs(durations["video"] - durations["audio"]) <= frame_s + 0.03

    # --- re-transcribe the export: deleted words gone, kept words present and in order
    again = tmp_path / "again.lcproj"
    assert run_cli("transcribe", out, "-o", again) == 0
    heard = [normalize_word(w[3]) for w in words_of(again, capsys)]
    kept = [normalize_word(w[3]) for w in words if not (start_cut[0] <= w[0] < start_cut[1]
                                                         or mid_cut[0] <= w[0] < mid_cut[1])]
    matcher = difflib.SequenceMatcher(a=kept, b=heard, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    assert matched >= 0.9 * len(kept), (kept, heard)

    def contains(seq, sub):
        return any(seq[i:i + len(sub)] == sub for i in range(len(seq) - len(sub) + 1))

    for a, b in (start_cut, mid_cut):
        gone = [normalize_word(w[3]) for w in words[a:b]]
        if not contains(kept, gone):  # a phrase that is not said again elsewhere must be gone
            assert not contains(heard, gone), f"deleted phrase {gone} is still audible"


def test_joins_do_not_click(lecture, tmp_path, capsys):
    """Joins score like the source's own signal (random positions; natural pauses for joins that lie
    in a pause), while a deliberate hard splice in speech is caught."""
    from bench.measures.quality import discontinuity
    from lecturecut.synthesis.plan import build_plan

    video, project_path = lecture
    edited = tmp_path / "clicks.lcproj"
    shutil.copy(project_path, edited)
    n = len(words_of(edited, capsys))
    cuts = [(i, i + 2) for i in range(3, n - 3, 7)]  # many joins across the clip
    assert run_cli("edit", edited, *[a for c in cuts for a in ("--delete", f"{c[0]}:{c[1]}")]) == 0
    out = tmp_path / "clicks.mp4"
    assert run_cli("export", edited, "-o", out, "--subtitles", "none") == 0

    project = load_project(edited)
    rate = project.media.audio.sample_rate
    src = decode_audio(video, rate)
    plan = build_plan(project, src, rate)
    joins_s = plan.join_times_s()
    assert len(joins_s) == len(cuts)
    exported = decode_audio(out, rate)
    join_scores = np.array([discontinuity(exported, rate, int(round(t * rate))) for t in joins_s])

    rng = np.random.default_rng(0)
    random_scores = np.array([discontinuity(src, rate, int(x))
                              for x in rng.integers(rate // 10, len(src) - rate // 10, 300)])
    assert join_scores.max() <= np.percentile(random_scores, 99), (join_scores, np.percentile(random_scores, 99))
    assert np.median(join_scores) <= 2 * np.median(random_scores)

    words = project.transcript.words
    to_rate = rate / 16000
    pauses = [int((a.end + b.start) / 2 * to_rate) for a, b in zip(words, words[1:]) if b.start - a.end > 800]
    pause_scores = np.array([discontinuity(src, rate, p) for p in pauses])
    in_pause = [k for k, ((a, b), s) in enumerate(zip(cuts, plan.spans[1:]))
                if words[a].start - words[a - 1].end > 800 and words[b].start - words[b - 1].end > 800]
    for k in in_pause:
        assert join_scores[k] <= 1.5 * np.percentile(pause_scores, 90), (k, join_scores[k], pause_scores)

    # a deliberate hard splice in speech: the middle of one word butted onto the middle of another
    w1, w2 = words[5], words[n // 2]
    m1, m2 = int((w1.start + w1.end) / 2 * to_rate), int((w2.start + w2.end) / 2 * to_rate)
    splice = np.concatenate([src[:m1], src[m2:]])
    splice_score = discontinuity(splice, rate, m1)
    assert splice_score > 3 * join_scores.max(), (splice_score, join_scores)


# ------------------------------------------------------------------ bad input
def test_missing_file(tmp_path, capsys):
    assert run_cli("transcribe", tmp_path / "nope.mp4", "-o", tmp_path / "p.lcproj") == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "p.lcproj").exists()


def test_corrupt_and_truncated_video(tmp_path, media_file, capsys):
    data = media_file(CLIP).read_bytes()
    truncated = tmp_path / "truncated.mp4"
    truncated.write_bytes(data[: len(data) // 2])
    assert run_cli("transcribe", truncated, "-o", tmp_path / "p.lcproj") == 1
    err = capsys.readouterr().err
    assert "corrupt, truncated" in err and err.count("\n") == 1  # one line
    garbage = tmp_path / "garbage.mp4"
    garbage.write_bytes(bytes(range(256)) * 400)
    assert run_cli("transcribe", garbage, "-o", tmp_path / "p.lcproj") == 1
    assert not (tmp_path / "p.lcproj").exists()


def test_video_without_audio(tmp_path, media_file, capsys):
    silent_video = tmp_path / "no audio.mp4"
    subprocess.run([ffmpeg_path(), "-v", "error", "-i", str(media_file("grid_bbaf2n.mpg")), "-an", "-c:v", "libx264",
                    "-preset", "ultrafast", str(silent_video)], check=True)
    assert run_cli("transcribe", silent_video, "-o", tmp_path / "p.lcproj") == 1
    assert "no audio track" in capsys.readouterr().err


def test_audio_only_file_is_transcribed_and_exported_as_audio(tmp_path, media_file, capsys):
    project = tmp_path / "jfk.lcproj"
    assert run_cli("transcribe", media_file("jfk_inaugural_1961_11s.flac"), "-o", project) == 0
    words = words_of(project, capsys)
    text = " ".join(normalize_word(w[3]) for w in words)
    assert "fellow americans" in text
    first_ask = next(w[0] for w in words if normalize_word(w[3]) == "ask")
    assert run_cli("edit", project, "--delete", f"{first_ask}:{first_ask + 1}") == 0
    out = tmp_path / "jfk.m4a"
    assert run_cli("export", project, "-o", out) == 0
    info = probe(out)
    assert info.video is None and info.audio is not None
    assert info.duration_s < load_project(project).media.duration_s - 0.1


def test_silence_only(tmp_path, capsys):
    silence = tmp_path / "silence.wav"
    subprocess.run([ffmpeg_path(), "-v", "error", "-f", "lavfi", "-i", "anullsrc=r=16000:cl=mono", "-t", "8",
                    str(silence)], check=True)
    project = tmp_path / "silence.lcproj"
    assert run_cli("transcribe", silence, "-o", project) == 0
    assert "no speech" in capsys.readouterr().err
    assert words_of(project, capsys) == []


def test_output_path_equal_to_input_is_refused(lecture, tmp_path, capsys):
    video, project = lecture
    before = video.read_bytes()
    assert run_cli("export", project, "-o", video) == 1
    assert "never overwrites" in capsys.readouterr().err
    assert video.read_bytes() == before
    assert run_cli("transcribe", video, "-o", video) == 1
    assert video.read_bytes() == before


def test_index_range_out_of_bounds(lecture, tmp_path, capsys):
    _, project = lecture
    copy = tmp_path / "p.lcproj"
    shutil.copy(project, copy)
    before = copy.read_bytes()
    assert run_cli("edit", copy, "--delete", "5:100000") == 1
    err = capsys.readouterr().err
    assert "outside the transcript" in err and "lecturecut words" in err
    assert copy.read_bytes() == before


def test_project_whose_source_changed(lecture, tmp_path, capsys):
    video, project = lecture
    other_video = tmp_path / "lecture.mp4"
    shutil.copy(video, other_video)
    data = json.loads(project.read_text(encoding="utf-8"))
    data["source"] = str(other_video)
    moved_project = tmp_path / "p.lcproj"
    moved_project.write_text(json.dumps(data), encoding="utf-8")
    with open(other_video, "r+b") as fh:  # the lecturer re-exported the recording in place
        fh.seek(2000)
        fh.write(b"\xff" * 512)
    assert run_cli("export", moved_project, "-o", tmp_path / "o.mp4") == 1
    assert "has changed" in capsys.readouterr().err
    assert not (tmp_path / "o.mp4").exists()
    other_video.unlink()
    assert run_cli("export", moved_project, "-o", tmp_path / "o.mp4") == 1
    assert "missing" in capsys.readouterr().err


def test_undo_redo_through_cli(lecture, tmp_path, capsys):
    _, project = lecture
    copy = tmp_path / "p.lcproj"
    shutil.copy(project, copy)
    assert run_cli("edit", copy, "--delete", "2:4") == 0
    assert run_cli("edit", copy, "--undo") == 0
    assert all(w[4] == "kept" for w in words_of(copy, capsys))
    assert run_cli("edit", copy, "--redo") == 0
    assert [w[4] for w in words_of(copy, capsys)][2:4] == ["deleted", "deleted"]
    text = tmp_path / "t.txt"
    words = words_of(copy, capsys)
    text.write_text(" ".join(w[3] for w in words[5:]), encoding="utf-8")
    assert run_cli("edit", copy, "--apply-text", text) == 0
    assert [w[4] for w in words_of(copy, capsys)] == ["deleted"] * 5 + ["kept"] * (len(words) - 5)
