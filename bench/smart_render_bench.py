"""Benchmark: smart render against a full re-encode, on a long lecture with ten cuts.

    .venv/bin/python -m bench.smart_render_bench                    # 10-minute 720p lecture
    .venv/bin/python -m bench.smart_render_bench --minutes 60 --heights 720 1080

The lecture is built from several different real clips of the developer media set
(``/work/shared/media``: the auto-editor screencast, the webcam clip and four talking heads), each
scaled and padded to the frame size, at 25 fps, one after another until the length is reached
(the same six clips in turn, not one clip looped), encoded once by x264 with a 2 s keyframe
interval (what lecture recorders and OBS write) and cached in ``--work``. Its "words" are the
stretches between its pauses; ten runs of two words, spread over the lecture, are cut. The
same project is exported twice with the default preset, smart (the default) and with
``--full-render``, each in a fresh process; the table gives wall-clock seconds, the share of
frames copied, and smart as a percentage of full (the goal: at most 5 %).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

MEDIA = Path("/work/shared/media")
CLIPS = ["speech_over_timecode_auto_editor_1280x720_42s.mp4", "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4",
         "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4", "th_obama_diwali_message_256x256_30s.mp4",
         "th_aoc_weekly_dem_address_512x512_8s.mp4", "th_katie_hill_weekly_dem_address_512x512_8s.mp4"]
N_CUTS = 10


def build_lecture(minutes: int, height: int, work: Path) -> Path:
    from lecturecut.media.ffmpeg import run_ffmpeg
    from lecturecut.media.probe import probe

    out = work / f"lecture_{minutes}min_{height}p_gop2s.mp4"
    if out.exists():
        return out
    width = height * 16 // 9
    clips = [MEDIA / c for c in CLIPS]
    total = minutes * 60.0
    seq, t = [], 0.0
    while t < total:
        for c in clips:
            if t >= total:
                break
            seq.append(c)
            t += probe(c).duration_s
    args = []
    for c in seq:
        args += ["-i", str(c)]
    chains = []
    for k in range(len(seq)):
        chains.append(f"[{k}:v]fps=25,scale={width}:{height}:force_original_aspect_ratio=decrease,"
                      f"pad={width}:{height}:(ow-iw)/2:(oh-ih)/2,setsar=1,format=yuv420p[v{k}];"
                      f"[{k}:a]aresample=48000,aformat=channel_layouts=stereo[a{k}]")
    graph = ";".join(chains) + ";" + "".join(f"[v{k}][a{k}]" for k in range(len(seq))) + \
        f"concat=n={len(seq)}:v=1:a=1[v][a]"
    script = work / f"graph_{minutes}_{height}.txt"
    script.write_text(graph)
    print(f"building a {minutes}-minute {height}p lecture from {len(seq)} clips ...", flush=True)
    run_ffmpeg([*args, "-filter_complex_script", str(script), "-map", "[v]", "-map", "[a]", "-t", str(total),
                "-c:v", "libx264", "-preset", "veryfast", "-crf", "23", "-x264-params", "keyint=50:min-keyint=50",
                "-c:a", "aac", "-b:a", "128k", str(out)], what="building the benchmark lecture")
    return out


def pause_words(path: Path):
    """The sounding stretches between pauses, as words (the cuts need only their boundaries)."""
    import numpy as np

    from lecturecut.asr.transcript import SAMPLE_RATE, Word
    from lecturecut.media.audio import decode_audio

    x = decode_audio(path, SAMPLE_RATE, 1)
    hop = SAMPLE_RATE // 100
    n = len(x) // hop
    rms = np.sqrt(np.mean(x[: n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1))
    loud = 20 * np.log10(rms + 1e-12) > -35
    words, start = [], None
    for i, on in enumerate(loud):
        if on and start is None:
            start = i
        elif not on and start is not None:
            if i - start >= 3:
                words.append(Word(f"w{len(words)}", start * hop, i * hop))
            start = None
    return tuple(words)


def make_project(video: Path, out: Path) -> Path:
    from lecturecut.asr.transcript import SAMPLE_RATE, Transcript
    from lecturecut.media.probe import probe
    from lecturecut.synthesis.project import Project
    from lecturecut.synthesis.session import EditSession

    info = probe(video)
    words = pause_words(video)
    transcript = Transcript(words, "en", "pauses", duration=int(info.duration_s * SAMPLE_RATE))
    project = Project.create(video, info, transcript)
    edl = project.edl
    for k in range(N_CUTS):
        a = int((k + 0.5) * len(words) / N_CUTS)
        edl = edl.delete(a, a + 2)
    session = EditSession(project.with_edl(edl, "ten cuts"))
    session.save(out, force=True)
    return out


def timed_export(project: Path, out: Path, full: bool) -> dict:
    code = ("import json,sys,time\n"
            "from lecturecut.synthesis.export import ExportOptions, export\n"
            "from lecturecut.synthesis.project import load_project\n"
            f"p = load_project({str(project)!r})\n"
            "t = time.perf_counter()\n"
            f"r = export(p, {str(out)!r}, ExportOptions(subtitles='none', overwrite=True, full_render={full}))\n"
            "rep = r.video_render\n"
            "print(json.dumps({'s': time.perf_counter() - t, 'summary': rep.summary, 'copied': rep.copied, "
            "'frames': rep.frames}))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--heights", type=int, nargs="+", default=[720])
    parser.add_argument("--work", default="/tmp/lecturecut-smart-bench")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for height in args.heights:
        video = build_lecture(args.minutes, height, work)
        project = make_project(video, work / f"p_{args.minutes}_{height}.lcproj")
        smart = timed_export(project, work / f"smart_{height}.mp4", full=False)
        print(f"{height}p smart: {smart['s']:.1f} s ({smart['summary']})", flush=True)
        full = timed_export(project, work / f"full_{height}.mp4", full=True)
        print(f"{height}p full: {full['s']:.1f} s", flush=True)
        rows.append((height, smart, full))
    print("\n| lecture | cuts | full re-encode | smart render | frames copied | smart / full |")
    print("|---|---:|---:|---:|---:|---:|")
    for height, smart, full in rows:
        print(f"| {args.minutes} min {height}p, 2 s GOP | {N_CUTS} | {full['s']:.0f} s | {smart['s']:.1f} s | "
              f"{100 * smart['copied'] / max(smart['frames'], 1):.1f} % | {100 * smart['s'] / full['s']:.1f} % |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
