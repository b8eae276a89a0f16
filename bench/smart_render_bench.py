"""Benchmark: smart render against a full re-encode, on a long lecture with ten cuts.

    .venv/bin/python -m bench.smart_render_bench                    # 10-minute 720p lecture
    .venv/bin/python -m bench.smart_render_bench --minutes 60 --heights 720 1080
    .venv/bin/python -m bench.smart_render_bench --minutes 60 --modes smart   # smart only

The lecture is built from several different real clips of the developer media set
(``/work/shared/media``: the auto-editor screencast, the webcam clip and four talking heads), each
scaled and padded to the frame size, at 25 fps, one after another until the length is reached
(the same six clips in turn, not one clip looped), encoded once by x264 with a 2 s keyframe
interval (what lecture recorders and OBS write) and cached in ``--work``. A lecture longer than
10 minutes (a multiple of 10) is the 10-minute one joined to itself by a stream copy of its video
(its audio re-encoded once): the same clips in the same turn, without encoding an hour of video
to build it. Its "words" are the stretches between its pauses; ten runs of two words, spread
over the lecture, are cut. The same project is exported with the default preset and target
(``--target``: archive, the engine's default, or openhpi), smart (the default) and with
``--full-render`` (``--modes`` picks), each in a fresh process; the table gives
wall-clock seconds, the share of frames copied, and smart as a percentage of full (the goal: at
most 5 %). Each export also prints where its seconds went (the smart render's own steps, and the
export's stages as its progress messages mark them) and the load average before and after, since
other work may share the machine. Results are appended to ``WORK/results.jsonl``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

MEDIA = Path("/work/shared/media")
CLIPS = ["speech_over_timecode_auto_editor_1280x720_42s.mp4", "webcam_jordi_mas_open_dubbing_en_1080x720_10s.mp4",
         "th_obama_weekly_address_2010_oilspill_450x450_20s.mp4", "th_obama_diwali_message_256x256_30s.mp4",
         "th_aoc_weekly_dem_address_512x512_8s.mp4", "th_katie_hill_weekly_dem_address_512x512_8s.mp4"]
N_CUTS = 10
BLOCK_MIN = 10  # longer lectures are this one joined to itself


def build_lecture(minutes: int, height: int, work: Path) -> Path:
    from lecturecut.media.ffmpeg import run_ffmpeg
    from lecturecut.media.probe import probe

    out = work / f"lecture_{minutes}min_{height}p_gop2s.mp4"
    if out.exists():
        return out
    part = out.with_name(out.stem + ".part.mp4")  # an interrupted build is never taken for a built one
    if minutes > BLOCK_MIN and minutes % BLOCK_MIN == 0:
        block = build_lecture(BLOCK_MIN, height, work)
        listing = work / f"join_{minutes}_{height}.txt"
        listing.write_text(f"file '{block.name}'\n" * (minutes // BLOCK_MIN))
        print(f"joining {minutes // BLOCK_MIN} x the {BLOCK_MIN}-minute {height}p lecture ...", flush=True)
        run_ffmpeg(["-f", "concat", "-safe", "0", "-i", str(listing), "-map", "0:v", "-map", "0:a", "-c:v", "copy",
                    "-c:a", "aac", "-b:a", "128k", "-f", "mp4", str(part)], what="joining the benchmark lecture")
        part.rename(out)
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
                "-c:a", "aac", "-b:a", "128k", "-f", "mp4", str(part)], what="building the benchmark lecture")
    part.rename(out)
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


def timed_export(project: Path, out: Path, full: bool, target: str = "archive") -> dict:
    """One export in a fresh process: its seconds, how the video was made, and where the time went."""
    code = ("import json,sys,time\n"
            "from lecturecut.synthesis.export import ExportOptions, export\n"
            "from lecturecut.synthesis.project import load_project\n"
            "t = time.perf_counter()\n"
            "marks = []\n"
            "def progress(f, m):\n"
            "    if not marks or marks[-1][1] != m:\n"
            "        marks.append((time.perf_counter() - t, m))\n"
            f"p = load_project({str(project)!r})\n"
            "marks.append((time.perf_counter() - t, 'loading the project'))\n"
            f"r = export(p, {str(out)!r}, ExportOptions(subtitles='none', overwrite=True, full_render={full}, "
            f"target={target!r}), "
            "progress=progress)\n"
            "s = time.perf_counter() - t\n"
            "rep = r.video_render\n"
            "stages = {}\n"
            "for (a, m), (b, _) in zip(marks, marks[1:] + [(s, '')]):\n"
            "    stages[m] = stages.get(m, 0.0) + b - a\n"
            "print(json.dumps({'s': s, 'summary': rep.summary, 'copied': rep.copied, 'frames': rep.frames, "
            "'phases': dict(rep.phases), 'stages': stages}))\n")
    load = os.getloadavg()[0]
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr[-2000:])
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    result["load"] = [round(load, 2), round(os.getloadavg()[0], 2)]
    return result


def show(label: str, r: dict) -> None:
    print(f"{label}: {r['s']:.1f} s ({r['summary']}; load average {r['load'][0]} before, {r['load'][1]} after)",
          flush=True)
    for name, sec in r["phases"].items():
        print(f"    video: {name:48s} {sec:7.1f} s")
    for name, sec in r["stages"].items():
        if sec >= 0.5:
            print(f"    stage: {name:48s} {sec:7.1f} s")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=int, default=10)
    parser.add_argument("--heights", type=int, nargs="+", default=[720])
    parser.add_argument("--modes", nargs="+", choices=["smart", "full"], default=["smart", "full"])
    parser.add_argument("--work", default="/tmp/lecturecut-smart-bench")
    parser.add_argument("--target", choices=["archive", "openhpi"], default="archive",
                        help="archive (the engine's default: the audio's level as it was) or openhpi (loudness "
                             "normalised, the command line's default)")
    args = parser.parse_args(argv)
    work = Path(args.work)
    work.mkdir(parents=True, exist_ok=True)
    rows = []
    for height in args.heights:
        video = build_lecture(args.minutes, height, work)
        project = make_project(video, work / f"p_{args.minutes}_{height}.lcproj")
        found = {}
        for mode in args.modes:
            r = timed_export(project, work / f"{mode}_{args.minutes}_{height}_{args.target}.mp4", full=mode == "full",
                             target=args.target)
            show(f"{args.minutes} min {height}p {mode} ({args.target})", r)
            with open(work / "results.jsonl", "a") as f:
                f.write(json.dumps({"minutes": args.minutes, "height": height, "mode": mode, "target": args.target,
                                    "when": time.strftime("%Y-%m-%d %H:%M"), **r}) + "\n")
            found[mode] = r
        rows.append((height, found))
    print("\n| lecture | cuts | full re-encode | smart render | frames copied | smart / full |")
    print("|---|---:|---:|---:|---:|---:|")
    for height, found in rows:
        smart, full = found.get("smart"), found.get("full")
        cells = [f"{full['s']:.0f} s" if full else "–", f"{smart['s']:.1f} s" if smart else "–",
                 f"{100 * smart['copied'] / max(smart['frames'], 1):.1f} %" if smart else "–",
                 f"{100 * smart['s'] / full['s']:.1f} %" if smart and full else "–"]
        print(f"| {args.minutes} min {height}p, 2 s GOP | {N_CUTS} | " + " | ".join(cells) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
